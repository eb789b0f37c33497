//! Spellings sqlparser does not read, rewritten in the tokens before
//! it parses the statement:
//! - `TABLE name` as a query (PostgreSQL's shorthand for `SELECT * FROM
//!   name`), at a statement's start, after `(`, after a set operation,
//!   after `AS` (CREATE TABLE AS, PREPARE) and after EXPLAIN and its
//!   options. The new tokens carry the TABLE keyword's position, so
//!   errors still point into the text as written.
//! - `JOIN ... USING (a, b) AS j` (`rewrite_using_alias`).
//! - `ALTER MATERIALIZED VIEW name RENAME ... | OWNER TO ... | SET SCHEMA
//!   ...`, read as the same ALTER TABLE (which PostgreSQL also accepts
//!   for a materialized view).

use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace};

use super::{is_blank, is_word};

/// Rewrites every `TABLE name` that starts a query.
pub(super) fn rewrite_table_queries(seg: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < seg.len() {
        if is_word(&seg[i].token, "table") && starts_query(seg, i) && names_follow(seg, i) {
            let span = seg[i].span;
            let new = [
                Token::make_keyword("SELECT"),
                Token::Whitespace(Whitespace::Space),
                Token::Mul,
                Token::Whitespace(Whitespace::Space),
                Token::make_keyword("FROM"),
            ];
            seg.splice(i..=i, new.into_iter().map(|t| TokenWithSpan::new(t, span)));
            i += 5;
        } else {
            i += 1;
        }
    }
}

/// The meaningful tokens before `i`, nearest first.
fn before(seg: &[TokenWithSpan], i: usize) -> impl Iterator<Item = &Token> {
    seg[..i]
        .iter()
        .rev()
        .map(|t| &t.token)
        .filter(|t| !is_blank(t))
}

/// Whether the TABLE keyword at `i` is where a query starts.
fn starts_query(seg: &[TokenWithSpan], i: usize) -> bool {
    let mut prev = before(seg, i);
    let explain = seg
        .iter()
        .find(|t| !is_blank(&t.token))
        .is_some_and(|t| is_word(&t.token, "explain"));
    match prev.next() {
        None | Some(Token::LParen) => true,
        Some(Token::RParen) => explain,
        Some(t)
            if ["union", "intersect", "except", "as"]
                .iter()
                .any(|w| is_word(t, w)) =>
        {
            true
        }
        Some(t) if is_word(t, "all") || is_word(t, "distinct") => prev.next().is_some_and(|t| {
            ["union", "intersect", "except"]
                .iter()
                .any(|w| is_word(t, w))
        }),
        Some(t) => {
            explain
                && ["explain", "analyze", "analyse", "verbose"]
                    .iter()
                    .any(|w| is_word(t, w))
        }
    }
}

/// Whether a relation name (`a` or `a.b`) follows the keyword at `i`.
fn names_follow(seg: &[TokenWithSpan], i: usize) -> bool {
    let mut rest = seg[i + 1..]
        .iter()
        .map(|t| &t.token)
        .filter(|t| !is_blank(t));
    matches!(rest.next(), Some(Token::Word(_)))
}

/// `JOIN ... USING (a, b) AS j`: the alias, which sqlparser does not
/// read, becomes a last USING name marked with [`USING_ALIAS_MARK`]
/// (`USING (a, b, "\x01j")`), which the analyzer takes back out.
pub(super) fn rewrite_using_alias(seg: &mut Vec<TokenWithSpan>) {
    let mut from = 0;
    'again: loop {
        let m: Vec<usize> = (0..seg.len())
            .filter(|&i| !is_blank(&seg[i].token))
            .collect();
        for k in 0..m.len().saturating_sub(1) {
            if m[k] < from
                || !(is_word(&seg[m[k]].token, "using") && seg[m[k + 1]].token == Token::LParen)
            {
                continue;
            }
            // Names and commas up to the closing parenthesis.
            let mut close = k + 2;
            while close < m.len() && matches!(seg[m[close]].token, Token::Word(_) | Token::Comma) {
                close += 1;
            }
            let closes = m.get(close).is_some_and(|&i| seg[i].token == Token::RParen);
            let is_as = m
                .get(close + 1)
                .is_some_and(|&i| is_word(&seg[i].token, "as"));
            let alias = m.get(close + 2).copied();
            let Some(a) = alias.filter(|_| closes && is_as) else {
                continue;
            };
            let Token::Word(w) = seg[a].token.clone() else {
                continue;
            };
            let name = if w.quote_style.is_some() {
                w.value
            } else {
                w.value.to_lowercase()
            };
            // `) AS j` becomes `, "\x01j")`.
            let span = seg[m[close]].span;
            seg[m[close]] = TokenWithSpan::new(Token::Comma, span);
            seg[m[close + 1]].token = Token::Whitespace(Whitespace::Space);
            seg[a].token = Token::Word(sqlparser::tokenizer::Word {
                value: format!("{}{name}", super::USING_ALIAS_MARK),
                quote_style: Some('"'),
                keyword: sqlparser::keywords::Keyword::NoKeyword,
            });
            let aspan = seg[a].span;
            seg.insert(a + 1, TokenWithSpan::new(Token::RParen, aspan));
            from = a + 2;
            continue 'again;
        }
        return;
    }
}

/// ALTER MATERIALIZED VIEW [IF EXISTS] name ... becomes ALTER TABLE.
pub(super) fn alter_materialized_view(seg: &mut Vec<TokenWithSpan>) {
    let words: Vec<usize> = (0..seg.len())
        .filter(|&i| !is_blank(&seg[i].token))
        .collect();
    let word = |k: usize, w: &str| words.get(k).is_some_and(|&i| is_word(&seg[i].token, w));
    if !(word(0, "alter") && word(1, "materialized") && word(2, "view")) {
        return;
    }
    seg[words[2]].token = Token::make_keyword("TABLE");
    seg.remove(words[1]);
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn text(sql: &str, f: fn(&mut Vec<super::TokenWithSpan>)) -> String {
        let mut seg = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        f(&mut seg);
        seg.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn table_queries() {
        let r = super::rewrite_table_queries;
        assert_eq!(text("TABLE t", r), "SELECT * FROM t");
        assert_eq!(
            text("create table x as table s.t", r),
            "create table x as SELECT * FROM s.t"
        );
        assert_eq!(
            text("(table a) union all table b", r),
            "(SELECT * FROM a) union all SELECT * FROM b"
        );
        assert_eq!(text("explain table t", r), "explain SELECT * FROM t");
        assert_eq!(text("create table t (a int)", r), "create table t (a int)");
        assert_eq!(text("lock table t", r), "lock table t");
        assert_eq!(text("truncate table t", r), "truncate table t");
    }

    #[test]
    fn using_alias() {
        let r = super::rewrite_using_alias;
        assert_eq!(
            text("select j.a from x join y using (a, b) as j", r),
            "select j.a from x join y using (a, b,   \"\u{1}j\")"
        );
        assert_eq!(
            text("delete from t using u as v where true", r),
            "delete from t using u as v where true"
        );
    }

    #[test]
    fn alter_materialized_view() {
        let r = super::alter_materialized_view;
        assert_eq!(
            text("alter materialized view m rename to n", r),
            "alter  TABLE m rename to n"
        );
    }
}
