//! `GROUP BY ALL | DISTINCT` (PostgreSQL 14+), which sqlparser does not
//! read: `ALL` (the default) is dropped; `DISTINCT`, which removes
//! duplicate grouping sets after ROLLUP, CUBE and GROUPING SETS are
//! expanded, becomes a first GROUP BY item that no query can write (a
//! quoted identifier holding a control character), which the analyzer
//! takes off and remembers (`analyze::grouping`). A token rewrite, so
//! never inside a string literal or a comment; the tokens keep their
//! positions, so errors point where PostgreSQL's do.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace, Word};

use super::syntax_error;
use crate::error::PgResult;

/// The identifier standing for DISTINCT as the first GROUP BY item.
pub const DISTINCT_MARK: &str = "\u{1}group by distinct";

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == k)
}

fn is_blank(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// The index of the first non-blank token at or after `i`.
fn next_meaningful(seg: &[TokenWithSpan], mut i: usize) -> Option<usize> {
    while i < seg.len() && is_blank(&seg[i].token) {
        i += 1;
    }
    (i < seg.len()).then_some(i)
}

/// Rewrites `GROUP BY DISTINCT` and `GROUP BY ALL` before a GROUP BY
/// item; either without one is PostgreSQL's syntax error (42601), at the
/// token after it (`sql` is the whole text, for the position).
pub fn rewrite(sql: &str, seg: &mut Vec<TokenWithSpan>) -> PgResult<()> {
    let mut i = 0;
    while i < seg.len() {
        if !is_keyword(&seg[i].token, Keyword::GROUP) {
            i += 1;
            continue;
        }
        let Some(by) = next_meaningful(seg, i + 1) else {
            return Ok(());
        };
        if !is_keyword(&seg[by].token, Keyword::BY) {
            i = by;
            continue;
        }
        let Some(q) = next_meaningful(seg, by + 1) else {
            return Ok(());
        };
        let quantifier =
            is_keyword(&seg[q].token, Keyword::DISTINCT) || is_keyword(&seg[q].token, Keyword::ALL);
        // An item must follow, else PostgreSQL's grammar fails there.
        let after = next_meaningful(seg, q + 1);
        let item = after.is_some_and(|n| !matches!(seg[n].token, Token::RParen | Token::Comma));
        if quantifier && !item {
            return Err(match after {
                Some(n) => syntax_error(sql, &seg[n].token.to_string(), Some(seg[n].span.start)),
                None => syntax_error(sql, "EOF", None),
            });
        }
        if is_keyword(&seg[q].token, Keyword::DISTINCT) {
            let span = seg[q].span;
            seg[q] = TokenWithSpan {
                token: Token::Word(Word {
                    value: DISTINCT_MARK.into(),
                    quote_style: Some('"'),
                    keyword: Keyword::NoKeyword,
                }),
                span,
            };
            seg.insert(
                q + 1,
                TokenWithSpan {
                    token: Token::Comma,
                    span,
                },
            );
        } else if is_keyword(&seg[q].token, Keyword::ALL) {
            seg[q].token = Token::Whitespace(Whitespace::Space);
        }
        i = q + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn rewritten(sql: &str) -> String {
        let mut seg = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        rewrite(sql, &mut seg).unwrap();
        seg.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn distinct_becomes_a_marked_first_item() {
        let out = rewritten("select 1 from t group by distinct rollup(a), b");
        assert!(out.contains(&format!("group by \"{DISTINCT_MARK}\", rollup(a), b")));
    }

    #[test]
    fn all_is_dropped_and_others_kept() {
        assert_eq!(
            rewritten("select 1 group by all a"),
            "select 1 group by   a"
        );
        assert_eq!(
            rewritten("select 'group by distinct x' from t group by x"),
            "select 'group by distinct x' from t group by x"
        );
        assert_eq!(rewritten("select 1 group by a"), "select 1 group by a");
    }

    #[test]
    fn a_quantifier_without_an_item_is_a_syntax_error() {
        for sql in ["select 1 group by distinct", "select 1 group by all"] {
            let mut seg = Tokenizer::new(&PostgreSqlDialect {}, sql)
                .tokenize_with_location()
                .unwrap();
            let e = rewrite(sql, &mut seg).unwrap_err();
            assert_eq!(e.code, "42601");
            assert_eq!(e.message, "syntax error at end of input");
        }
    }
}
