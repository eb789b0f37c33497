//! PostgreSQL's qualified operator syntax, `OPERATOR(pg_catalog.=)`, in
//! front of a quantified comparison: pg_dump and psql write
//! `c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v'])`. sqlparser
//! reads `OPERATOR(schema.op)` as a custom binary operator (which the
//! analyzer maps back to the built-in one, `analyze::expr`), but refuses
//! one before ANY/ALL/SOME. pgfork has operators only in pg_catalog, so
//! there `OPERATOR(pg_catalog.op)` and `OPERATOR(op)` mean exactly `op`:
//! this token rewrite (tokens, so never inside a string literal or a
//! comment) replaces the five tokens by the operator's own token when
//! ANY, ALL or SOME follows. The only difference left is precedence:
//! PostgreSQL gives every `OPERATOR(...)` the precedence of a generic
//! operator, the rewritten one keeps the comparison's, which only matters
//! when an arithmetic operator is written next to it without parentheses.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

/// Is `t` a token sqlparser reads as an operator?
fn is_operator_token(t: &Token) -> bool {
    !matches!(
        t,
        Token::Word(_)
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_)
            | Token::Comma
            | Token::Period
            | Token::LParen
            | Token::RParen
            | Token::LBracket
            | Token::RBracket
            | Token::LBrace
            | Token::RBrace
            | Token::SemiColon
            | Token::Whitespace(_)
            | Token::EOF
    )
}

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == k)
}

fn is_pg_catalog(t: &Token) -> bool {
    matches!(t, Token::Word(w) if (w.quote_style.is_none() && w.value.eq_ignore_ascii_case("pg_catalog")) || (w.quote_style == Some('"') && w.value == "pg_catalog"))
}

/// Rewrites `OPERATOR ( [pg_catalog .] op ) ANY|ALL|SOME` to `op ANY|ALL|SOME`.
pub fn rewrite(seg: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < seg.len() {
        if !is_keyword(&seg[i].token, Keyword::OPERATOR) {
            i += 1;
            continue;
        }
        // The positions of the meaningful tokens after OPERATOR.
        let next: Vec<usize> = (i + 1..seg.len())
            .filter(|&j| !matches!(seg[j].token, Token::Whitespace(_)))
            .take(6)
            .collect();
        let tok = |k: usize| next.get(k).map(|&j| &seg[j].token);
        let (op_at, close_at) = match (tok(0), tok(1), tok(2), tok(3)) {
            (Some(Token::LParen), Some(s), Some(Token::Period), Some(op))
                if is_pg_catalog(s) && is_operator_token(op) =>
            {
                (3, 4)
            }
            (Some(Token::LParen), Some(op), _, _) if is_operator_token(op) => (1, 2),
            _ => {
                i += 1;
                continue;
            }
        };
        let quantified = tok(close_at + 1).is_some_and(|t| {
            is_keyword(t, Keyword::ANY)
                || is_keyword(t, Keyword::ALL)
                || is_keyword(t, Keyword::SOME)
        });
        if tok(close_at) != Some(&Token::RParen) || !quantified {
            i += 1;
            continue;
        }
        let op = seg[next[op_at]].clone();
        let end = next[close_at];
        let span = Span::new(seg[i].span.start, seg[end].span.end);
        seg.splice(i..=end, [TokenWithSpan::new(op.token, span)]);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn rewritten(sql: &str) -> String {
        let mut toks = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        rewrite(&mut toks);
        toks.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn rewrites_only_before_a_quantifier() {
        assert_eq!(rewritten("a OPERATOR(pg_catalog.=) ANY (x)"), "a = ANY (x)");
        assert_eq!(rewritten("a operator ( <> ) all (x)"), "a <> all (x)");
        assert_eq!(
            rewritten("a OPERATOR(pg_catalog.~) b"),
            "a OPERATOR(pg_catalog.~) b"
        );
        assert_eq!(
            rewritten("a OPERATOR(public.=) ANY (x)"),
            "a OPERATOR(public.=) ANY (x)"
        );
        assert_eq!(
            rewritten("'OPERATOR(pg_catalog.=) ANY'"),
            "'OPERATOR(pg_catalog.=) ANY'"
        );
    }
}
