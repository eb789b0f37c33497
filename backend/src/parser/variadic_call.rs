//! `f(a, VARIADIC arr)`: a call passing an array as the VARIADIC
//! argument itself. sqlparser has no syntax for it, so this token
//! rewrite (tokens, so never inside a string literal or a comment)
//! turns the keyword after `(` or `,` into a named-argument marker,
//! `" variadic" => arr`, under a name no unquoted identifier can have;
//! the analyzer (`analyze::sqlfunc`) takes that argument as the array
//! of the function's VARIADIC argument.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace, Word};

/// The argument name the marker gives.
pub const MARKER: &str = " variadic";

fn is_blank(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// Rewrites `( VARIADIC` and `, VARIADIC` to the named-argument marker.
pub fn rewrite(seg: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < seg.len() {
        let is_variadic = matches!(&seg[i].token,
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::VARIADIC);
        let after_open = is_variadic
            && seg[..i]
                .iter()
                .rev()
                .find(|t| !is_blank(&t.token))
                .is_some_and(|t| matches!(t.token, Token::LParen | Token::Comma));
        if !after_open {
            i += 1;
            continue;
        }
        let span = seg[i].span;
        seg[i] = TokenWithSpan {
            token: Token::Word(Word {
                value: MARKER.to_owned(),
                quote_style: Some('"'),
                keyword: Keyword::NoKeyword,
            }),
            span,
        };
        seg.insert(
            i + 1,
            TokenWithSpan {
                token: Token::Whitespace(Whitespace::Space),
                span,
            },
        );
        seg.insert(
            i + 2,
            TokenWithSpan {
                token: Token::RArrow,
                span,
            },
        );
        i += 3;
    }
}

#[cfg(test)]
mod tests {
    use sqlparser::ast;

    #[test]
    fn variadic_argument_becomes_the_marker() {
        let st = crate::parser::parse("SELECT f(1, VARIADIC ARRAY[2, 3]), 'variadic'").unwrap();
        let ast::Statement::Query(q) = &st[0].ast else {
            panic!("not a query")
        };
        let text = q.to_string();
        assert!(text.contains("\" variadic\" => ARRAY[2, 3]"), "{text}");
        assert!(text.contains("'variadic'"), "{text}");
    }

    #[test]
    fn signatures_keep_their_keyword() {
        assert!(crate::parser::parse("DROP FUNCTION f(VARIADIC int[])").is_ok());
    }
}
