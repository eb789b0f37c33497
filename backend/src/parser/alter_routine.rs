//! ALTER FUNCTION | PROCEDURE | ROUTINE signature RENAME TO name and
//! ... SET SCHEMA schema (PostgreSQL's RenameStmt and
//! AlterObjectSchemaStmt for routines), which sqlparser does not parse:
//! a small parser over sqlparser's tokens. The signature is read as DROP
//! FUNCTION's. As ALTER ... OWNER TO (`alter_owner.rs`), the statement
//! list carries VACUUM's placeholder; the engine tells it apart by
//! [`is_command`] and parses the text again with [`parse`].

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::alter_owner::RoutineKind;
use super::is_word;
use super::word_walk::{meaningful_tokens, signature, Walk as P};
use crate::error::PgResult;

/// What the statement changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoutineChange {
    /// RENAME TO name.
    Rename(String),
    /// SET SCHEMA name.
    SetSchema(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterRoutineStmt {
    pub kind: RoutineKind,
    pub desc: ast::FunctionDesc,
    pub change: RoutineChange,
}

/// Whether the tokens are ALTER FUNCTION | PROCEDURE | ROUTINE ...
/// RENAME TO x or ... SET SCHEMA x.
pub(super) fn starts_alter_routine(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    let n = words.len();
    n >= 5
        && w(0, "alter")
        && ["function", "procedure", "routine"].iter().any(|k| w(1, k))
        && ((w(n - 3, "rename") && w(n - 2, "to")) || (w(n - 3, "set") && w(n - 2, "schema")))
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_command(sql: &str) -> bool {
    starts_alter_routine(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<AlterRoutineStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

/// Parses the statement from its tokens (blanks left out).
pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<AlterRoutineStmt> {
    let mut p = P { sql, toks, i: 0 };
    p.expect("alter")?;
    let kind = if p.word("function") {
        RoutineKind::Function
    } else if p.word("procedure") {
        RoutineKind::Procedure
    } else {
        p.expect("routine")?;
        RoutineKind::Routine
    };
    let tail = toks.len() - 3;
    if p.i >= tail || matches!(toks[p.i].token, Token::LParen) {
        return p.fail();
    }
    let Some(desc) = signature(sql, toks, p.i, tail) else {
        return p.fail();
    };
    p.i = tail;
    let change = if p.word("rename") {
        p.expect("to")?;
        RoutineChange::Rename(p.name()?)
    } else {
        p.expect("set")?;
        p.expect("schema")?;
        RoutineChange::SetSchema(p.name()?)
    };
    p.end()?;
    Ok(AlterRoutineStmt { kind, desc, change })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        assert!(is_command("ALTER FUNCTION s.f(integer) RENAME TO g"));
        assert!(is_command("alter procedure p() set schema s"));
        assert!(!is_command("ALTER FUNCTION f(int) OWNER TO bob"));
        assert!(!is_command("ALTER FUNCTION f(int) SET search_path TO s"));
        assert!(!is_command("ALTER TABLE t RENAME TO u"));
        let s = parse("ALTER ROUTINE s.f(integer, text) RENAME TO \"G\"").unwrap();
        assert_eq!(s.kind, RoutineKind::Routine);
        assert_eq!(s.change, RoutineChange::Rename("G".into()));
        assert_eq!(s.desc.args.map(|a| a.len()), Some(2));
        let s = parse("ALTER FUNCTION f SET SCHEMA Other").unwrap();
        assert_eq!(s.change, RoutineChange::SetSchema("other".into()));
        assert!(s.desc.args.is_none());
        assert_eq!(
            parse("ALTER FUNCTION RENAME TO g").unwrap_err().code,
            crate::error::sqlstate::SYNTAX_ERROR
        );
    }
}
