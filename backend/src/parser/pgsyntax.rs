//! Syntax errors where PostgreSQL's grammar finds them. sqlparser accepts
//! some words PostgreSQL reserves (a column named `from`, an alias after a
//! bare `*`) and so fails later, or not at all; these token checks, run
//! before sqlparser, report the common cases at the token PostgreSQL's
//! parser stops at: `SELECT * FORM x` at "FORM", `SELECT 1 + FROM t` at
//! "FROM", `ORDER a` at "a", `UPDATE t SET WHERE` at "WHERE".

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::syntax_error;
use crate::error::{PgError, PgResult};

/// Keywords that end a select list or expression: one of them right after
/// a binary operator or a comma is where PostgreSQL's grammar fails.
const CLAUSE_WORDS: &[Keyword] = &[
    Keyword::FROM,
    Keyword::WHERE,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::WINDOW,
    Keyword::RETURNING,
    Keyword::THEN,
    Keyword::ELSE,
    Keyword::END,
];

/// What may follow a bare `*` in a select list.
const AFTER_STAR: &[Keyword] = &[
    Keyword::FROM,
    Keyword::WHERE,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::UNION,
    Keyword::INTERSECT,
    Keyword::EXCEPT,
    Keyword::WINDOW,
    Keyword::INTO,
    Keyword::FETCH,
    Keyword::FOR,
];

/// PostgreSQL's reserved words that cannot name an UPDATE's column.
const RESERVED: &[Keyword] = &[
    Keyword::ALL,
    Keyword::AND,
    Keyword::ANY,
    Keyword::ARRAY,
    Keyword::AS,
    Keyword::CASE,
    Keyword::CHECK,
    Keyword::CONSTRAINT,
    Keyword::CREATE,
    Keyword::DEFAULT,
    Keyword::DISTINCT,
    Keyword::ELSE,
    Keyword::END,
    Keyword::EXCEPT,
    Keyword::FALSE,
    Keyword::FETCH,
    Keyword::FOR,
    Keyword::FROM,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::IN,
    Keyword::INTO,
    Keyword::LIMIT,
    Keyword::NOT,
    Keyword::NULL,
    Keyword::OFFSET,
    Keyword::ON,
    Keyword::OR,
    Keyword::ORDER,
    Keyword::RETURNING,
    Keyword::SELECT,
    Keyword::TABLE,
    Keyword::THEN,
    Keyword::TRUE,
    Keyword::UNION,
    Keyword::USING,
    Keyword::WHEN,
    Keyword::WHERE,
    Keyword::WITH,
];

fn keyword(t: &TokenWithSpan) -> Option<Keyword> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

fn is_kw(t: Option<&&TokenWithSpan>, set: &[Keyword]) -> bool {
    t.and_then(|t| keyword(t)).is_some_and(|k| set.contains(&k))
}

fn binary_operator(t: &Token) -> bool {
    matches!(
        t,
        Token::Plus
            | Token::Minus
            | Token::Div
            | Token::Mod
            | Token::Caret
            | Token::StringConcat
            | Token::Eq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
    )
}

/// Fails at the first token (of the statement's meaningful tokens `toks`)
/// where PostgreSQL's grammar fails and sqlparser's would not, or would
/// elsewhere.
pub fn check(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<()> {
    let at = |i: usize| -> PgError {
        match toks.get(i) {
            Some(t) => syntax_error(sql, &t.token.to_string(), Some(t.span.start)),
            None => syntax_error(sql, "EOF", None),
        }
    };
    let is_update = toks.first().and_then(|t| keyword(t)) == Some(Keyword::UPDATE);
    for (i, t) in toks.iter().enumerate() {
        let next = toks.get(i + 1);
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        // A binary operator with no right operand before a clause.
        if (binary_operator(&t.token) || t.token == Token::Comma) && is_kw(next, CLAUSE_WORDS) {
            return Err(at(i + 1));
        }
        // `SELECT * alias`: no alias after a bare star.
        if t.token == Token::Mul
            && (is_kw(prev, &[Keyword::SELECT, Keyword::DISTINCT, Keyword::ALL])
                || prev.is_some_and(|p| p.token == Token::Comma))
        {
            if let Some(n) = next {
                if matches!(n.token, Token::Word(_)) && !is_kw(next, AFTER_STAR) {
                    return Err(at(i + 1));
                }
            }
        }
        // ORDER and GROUP go with BY (WITHIN GROUP takes a parenthesis;
        // a window frame's EXCLUDE GROUP nothing).
        if let Some(Keyword::ORDER | Keyword::GROUP) = keyword(t) {
            let within = is_kw(prev, &[Keyword::WITHIN, Keyword::EXCLUDE]);
            let by = is_kw(next, &[Keyword::BY]);
            let quoted_context = prev.is_some_and(|p| p.token == Token::Period);
            if !by && !within && !quoted_context {
                return Err(at(i + 1));
            }
        }
        // UPDATE ... SET <reserved word>.
        if is_update && keyword(t) == Some(Keyword::SET) && is_kw(next, RESERVED) {
            return Err(at(i + 1));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::parser::parse;

    /// Positions PostgreSQL 15 reports for these statements.
    #[test]
    fn syntax_errors_at_postgres_positions() {
        for (sql, near, pos) in [
            ("SELECT * FORM x", "FORM", 10),
            ("SELECT 1 FORM x", "x", 15),
            ("SELECT a, FROM t", "FROM", 11),
            ("SELECT * FROM t ORDER a", "a", 23),
            ("UPDATE t SET WHERE a = 1", "WHERE", 14),
            ("SELECT 1 + FROM t", "FROM", 12),
            ("SELECT a = WHERE", "WHERE", 12),
            ("SELECT * FROM t GROUP a", "a", 23),
            ("SELECT * FROM t GROUP", "EOF", 22),
            ("SELECT DISTINCT * foo FROM t", "foo", 19),
        ] {
            let e = parse(sql).expect_err(sql);
            assert_eq!(e.code, "42601", "{sql}");
            let want = if near == "EOF" {
                "syntax error at end of input".to_owned()
            } else {
                format!("syntax error at or near \"{near}\"")
            };
            assert_eq!(e.message, want, "{sql}");
            assert_eq!(e.position, Some(pos), "{sql}");
        }
        for ok in [
            "SELECT * FROM t",
            "SELECT t.*, * FROM t ORDER BY 1",
            "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t",
            "SELECT 2 * 3",
            "INSERT INTO t VALUES (1) RETURNING *",
            "SELECT a FROM t WHERE a = ANY (ARRAY[1]) AND NOT b",
        ] {
            parse(ok).expect(ok);
        }
    }
}
