//! The clauses of CREATE TABLE AS and CREATE MATERIALIZED VIEW that
//! sqlparser does not read: the list of column names (`CREATE TABLE t
//! (a, b) AS SELECT ...`), the trailing `WITH [NO] DATA`, and `AS EXECUTE
//! name [(args)]` in place of a query. [`rewrite`] takes them out of the
//! tokens before sqlparser parses the statement (EXECUTE becomes a
//! `SELECT 1` placeholder); the traffic cop reads them again from the
//! statement's text with [`clauses`]. A token rewrite, so never inside a
//! string literal or a comment.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{is_blank, is_word};

/// What [`rewrite`] took out of a CREATE TABLE AS statement.
#[derive(Debug, Default, PartialEq)]
pub struct CtasClauses {
    /// The column names given before AS (empty: the query's names).
    pub columns: Vec<String>,
    /// False for `WITH NO DATA`: the table is created empty.
    pub with_data: bool,
    /// `EXECUTE name [(args)]` as written, when that is the query.
    pub execute: Option<String>,
}

/// Indexes into `seg` of its non-blank tokens.
fn meaningful(seg: &[TokenWithSpan]) -> Vec<usize> {
    (0..seg.len())
        .filter(|&i| !is_blank(&seg[i].token))
        .collect()
}

/// For a CREATE TABLE ... AS statement: the positions (in `m`) of the
/// column list's parentheses (None when there is no list) and of AS.
fn shape(seg: &[TokenWithSpan], m: &[usize]) -> Option<(Option<(usize, usize)>, usize)> {
    shape_of(seg, m).map(|(list, at, _)| (list, at))
}

/// The positions [`shape`] finds, and whether the statement is CREATE
/// MATERIALIZED VIEW.
type Shape = (Option<(usize, usize)>, usize, bool);

/// [`shape`], and whether the statement is CREATE MATERIALIZED VIEW
/// (which takes no `AS EXECUTE`).
fn shape_of(seg: &[TokenWithSpan], m: &[usize]) -> Option<Shape> {
    let word = |k: usize, w: &str| m.get(k).is_some_and(|&i| is_word(&seg[i].token, w));
    let tok = |k: usize| m.get(k).map(|&i| &seg[i].token);
    if !word(0, "create") {
        return None;
    }
    let mut k = 1;
    if word(k, "global") || word(k, "local") {
        k += 1;
    }
    if word(k, "temp") || word(k, "temporary") || word(k, "unlogged") {
        k += 1;
    }
    let matview = word(k, "materialized") && word(k + 1, "view");
    if matview {
        k += 1;
    } else if !word(k, "table") {
        return None;
    }
    k += 1;
    if word(k, "if") && word(k + 1, "not") && word(k + 2, "exists") {
        k += 3;
    }
    // The table's (qualified) name.
    if !matches!(tok(k), Some(Token::Word(_))) {
        return None;
    }
    k += 1;
    while tok(k) == Some(&Token::Period) && matches!(tok(k + 1), Some(Token::Word(_))) {
        k += 2;
    }
    let mut list = None;
    if tok(k) == Some(&Token::LParen) {
        // Only names separated by commas: a column definition list is
        // plain CREATE TABLE.
        let open = k;
        k += 1;
        loop {
            if !matches!(tok(k), Some(Token::Word(_))) {
                return None;
            }
            k += 1;
            match tok(k) {
                Some(Token::Comma) => k += 1,
                Some(Token::RParen) => break,
                _ => return None,
            }
        }
        list = Some((open, k));
        k += 1;
    }
    word(k, "as").then_some((list, k, matview))
}

/// Takes the column name list and a trailing `WITH [NO] DATA` out of a
/// CREATE TABLE AS statement's tokens; leaves other statements alone.
pub fn rewrite(seg: &mut Vec<TokenWithSpan>) {
    let m = meaningful(seg);
    let Some((list, as_at, matview)) = shape_of(seg, &m) else {
        return;
    };
    let n = m.len();
    // AS EXECUTE name [(args)]: a placeholder query (`clauses` reads it).
    if !matview && as_at + 1 < n && is_word(&seg[m[as_at + 1]].token, "execute") {
        let span = seg[m[as_at + 1]].span;
        seg.truncate(m[as_at + 1]);
        for t in [
            Token::make_keyword("SELECT"),
            Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
            Token::Number("1".into(), false),
        ] {
            seg.push(TokenWithSpan::new(t, span));
        }
        if let Some((open, close)) = list {
            seg.drain(m[open]..=m[close]);
        }
        return;
    }
    let word = |k: usize, w: &str| is_word(&seg[m[k]].token, w);
    let tail = if n >= 3 && word(n - 3, "with") && word(n - 2, "no") && word(n - 1, "data") {
        Some(m[n - 3])
    } else if n >= 2 && word(n - 2, "with") && word(n - 1, "data") {
        Some(m[n - 2])
    } else {
        None
    };
    if let Some(from) = tail {
        seg.truncate(from);
    }
    if let Some((open, close)) = list {
        seg.drain(m[open]..=m[close]);
    }
}

/// The clauses [`rewrite`] took out of CREATE TABLE AS statement `sql`.
pub fn clauses(sql: &str) -> CtasClauses {
    let Ok(seg) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location() else {
        return CtasClauses {
            with_data: true,
            ..Default::default()
        };
    };
    let m = meaningful(&seg);
    let mut out = CtasClauses {
        with_data: true,
        ..Default::default()
    };
    let n = m.len();
    let mut end = n;
    if n >= 3
        && is_word(&seg[m[n - 3]].token, "with")
        && is_word(&seg[m[n - 2]].token, "no")
        && is_word(&seg[m[n - 1]].token, "data")
    {
        out.with_data = false;
        end = n - 3;
    } else if n >= 2
        && is_word(&seg[m[n - 2]].token, "with")
        && is_word(&seg[m[n - 1]].token, "data")
    {
        end = n - 2;
    }
    if let Some((_, as_at)) = shape(&seg, &m) {
        if as_at + 1 < end && is_word(&seg[m[as_at + 1]].token, "execute") {
            let text: String = seg[m[as_at + 1]..m[end - 1] + 1]
                .iter()
                .map(|t| t.token.to_string())
                .collect();
            out.execute = Some(text);
        }
    }
    if let Some((Some((open, close)), _)) = shape(&seg, &m) {
        for &i in &m[open + 1..close] {
            if let Token::Word(w) = &seg[i].token {
                out.columns.push(if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_clauses() {
        let c = clauses("CREATE TEMP TABLE s.t (a, \"B\") AS SELECT 1, 2 WITH NO DATA");
        assert_eq!(c.columns, vec!["a".to_owned(), "B".to_owned()]);
        assert!(!c.with_data);
        let c = clauses("create table t as select 1 with data");
        assert!(c.columns.is_empty() && c.with_data);
        let c = clauses("create table m (x) as execute p(1, 'a') with no data");
        assert_eq!(c.columns, vec!["x".to_owned()]);
        assert_eq!(c.execute.as_deref(), Some("execute p(1, 'a')"));
        assert!(!c.with_data);
        let c = clauses("create materialized view m as select 1");
        assert!(c.execute.is_none() && c.with_data);
        // A column definition list is not CREATE TABLE AS.
        let c = clauses("create table t (a int) with (fillfactor = 50)");
        assert!(c.columns.is_empty());
    }

    #[test]
    fn rewrites_only_create_table_as() {
        let text = |sql: &str| {
            let mut seg = Tokenizer::new(&PostgreSqlDialect {}, sql)
                .tokenize_with_location()
                .unwrap();
            rewrite(&mut seg);
            seg.iter().map(|t| t.token.to_string()).collect::<String>()
        };
        assert_eq!(
            text("create table t (a, b) as select 1, 2 with no data"),
            "create table t  as select 1, 2 "
        );
        assert_eq!(text("create table t (a int)"), "create table t (a int)");
        assert_eq!(
            text("create materialized view m (a) as select 1 with no data"),
            "create materialized view m  as select 1 "
        );
        assert_eq!(
            text("create table t as execute p (1)"),
            "create table t as SELECT 1"
        );
        assert_eq!(text("select 1 with data"), "select 1 with data");
    }
}
