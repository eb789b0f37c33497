//! `SET CONSTRAINTS {ALL | name [, ...]} {DEFERRED | IMMEDIATE}` and
//! `ALTER TABLE [IF EXISTS] [ONLY] name ALTER CONSTRAINT name
//! [[NOT] DEFERRABLE] [INITIALLY {DEFERRED | IMMEDIATE}]`, which
//! sqlparser does not parse: a small parser over its tokens. As for SET
//! SCHEMA, the statement list carries a placeholder (for SET CONSTRAINTS
//! a SET with no variable name; for ALTER CONSTRAINT an ALTER TABLE of
//! the named table with no operation: no text produces either) and the
//! engine parses the statement's text again when it runs it.

use sqlparser::ast::{self, ObjectName, ObjectNamePart};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{ident, is_blank, is_word, syntax_error};
use crate::error::{sqlstate, PgError, PgResult};

/// SET CONSTRAINTS.
#[derive(Clone, Debug, PartialEq)]
pub struct SetConstraints {
    /// None: ALL; else each name's parts, folded.
    pub names: Option<Vec<Vec<String>>>,
    pub deferred: bool,
}

/// ALTER TABLE ... ALTER CONSTRAINT.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterConstraint {
    pub table: ObjectName,
    pub if_exists: bool,
    pub only: bool,
    pub constraint: String,
    /// (DEFERRABLE, INITIALLY DEFERRED).
    pub timing: (bool, bool),
}

/// The statement standing for a SET CONSTRAINTS in the statement list.
pub fn set_placeholder() -> ast::Statement {
    ast::Statement::Set(ast::Set::SingleAssignment {
        scope: None,
        hivevar: false,
        variable: ObjectName(vec![]),
        values: vec![],
    })
}

/// Whether a statement is [`set_placeholder`].
pub fn is_set_placeholder(s: &ast::Statement) -> bool {
    matches!(s, ast::Statement::Set(ast::Set::SingleAssignment { variable, .. }) if variable.0.is_empty())
}

/// The statement standing for an ALTER CONSTRAINT.
pub fn alter_placeholder(a: &AlterConstraint) -> ast::Statement {
    alter_placeholder_for(a.table.clone(), a.if_exists, a.only)
}

/// The placeholder ALTER TABLE (no operation) of table `name`, which
/// ALTER CONSTRAINT and the identity actions (`alter_identity.rs`) share:
/// the engine tells them apart by parsing the text again.
pub fn alter_placeholder_for(name: ObjectName, if_exists: bool, only: bool) -> ast::Statement {
    ast::Statement::AlterTable(ast::AlterTable {
        name,
        if_exists,
        only,
        operations: vec![],
        location: None,
        on_cluster: None,
        table_type: None,
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
    })
}

/// Whether an ALTER TABLE is an [`alter_placeholder`].
pub fn is_alter_placeholder_table(a: &ast::AlterTable) -> bool {
    a.operations.is_empty()
}

/// Whether the statement's words start SET CONSTRAINTS.
pub(super) fn starts_set_constraints(words: &[&TokenWithSpan]) -> bool {
    words.len() > 1 && is_word(&words[0].token, "set") && is_word(&words[1].token, "constraints")
}

/// Whether the statement is ALTER TABLE ... ALTER CONSTRAINT.
pub(super) fn is_alter_constraint(words: &[&TokenWithSpan]) -> bool {
    words.len() > 3
        && is_word(&words[0].token, "alter")
        && is_word(&words[1].token, "table")
        && words
            .windows(2)
            .skip(2)
            .any(|w| is_word(&w[0].token, "alter") && is_word(&w[1].token, "constraint"))
}

/// A walk over a statement's tokens, with PostgreSQL's syntax errors.
struct Walk<'a> {
    sql: &'a str,
    words: &'a [&'a TokenWithSpan],
    at: usize,
}

impl Walk<'_> {
    fn error(&self) -> PgError {
        match self.words.get(self.at) {
            Some(t) => syntax_error(self.sql, &t.token.to_string(), Some(t.span.start)),
            None => syntax_error(self.sql, "", None),
        }
    }

    fn word(&mut self, w: &str) -> bool {
        let yes = self
            .words
            .get(self.at)
            .is_some_and(|t| is_word(&t.token, w));
        if yes {
            self.at += 1;
        }
        yes
    }

    fn expect(&mut self, w: &str) -> PgResult<()> {
        if self.word(w) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn ident(&mut self) -> PgResult<ast::Ident> {
        match self.words.get(self.at).map(|t| &t.token) {
            Some(Token::Word(w)) => {
                self.at += 1;
                Ok(ast::Ident {
                    value: w.value.clone(),
                    quote_style: w.quote_style,
                    span: sqlparser::tokenizer::Span::empty(),
                })
            }
            _ => Err(self.error()),
        }
    }

    /// `a` or `a.b` (or `a.b.c`).
    fn name(&mut self) -> PgResult<Vec<ast::Ident>> {
        let mut parts = vec![self.ident()?];
        while parts.len() < 3
            && matches!(
                self.words.get(self.at).map(|t| &t.token),
                Some(Token::Period)
            )
        {
            self.at += 1;
            parts.push(self.ident()?);
        }
        Ok(parts)
    }

    fn end(&self) -> PgResult<()> {
        if self.at < self.words.len() {
            return Err(self.error());
        }
        Ok(())
    }
}

fn meaningful(tokens: &[TokenWithSpan]) -> Vec<&TokenWithSpan> {
    tokens.iter().filter(|t| !is_blank(&t.token)).collect()
}

fn tokenize(sql: &str) -> PgResult<Vec<TokenWithSpan>> {
    Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.message))
}

/// Parses SET CONSTRAINTS from its words (locations relative to `sql`).
pub(super) fn set_constraints_words(
    sql: &str,
    words: &[&TokenWithSpan],
) -> PgResult<SetConstraints> {
    let mut w = Walk { sql, words, at: 0 };
    w.expect("set")?;
    w.expect("constraints")?;
    let names = if w.word("all") {
        None
    } else {
        let mut v = vec![w.name()?.iter().map(ident).collect()];
        while matches!(w.words.get(w.at).map(|t| &t.token), Some(Token::Comma)) {
            w.at += 1;
            v.push(w.name()?.iter().map(ident).collect());
        }
        Some(v)
    };
    let deferred = if w.word("deferred") {
        true
    } else if w.word("immediate") {
        false
    } else {
        return Err(w.error());
    };
    w.end()?;
    Ok(SetConstraints { names, deferred })
}

/// Parses ALTER TABLE ... ALTER CONSTRAINT from its words.
pub(super) fn alter_constraint_words(
    sql: &str,
    words: &[&TokenWithSpan],
) -> PgResult<AlterConstraint> {
    let mut w = Walk { sql, words, at: 0 };
    w.expect("alter")?;
    w.expect("table")?;
    let if_exists = if w.word("if") {
        w.expect("exists")?;
        true
    } else {
        false
    };
    let only = w.word("only");
    let table = ObjectName(
        w.name()?
            .into_iter()
            .map(ObjectNamePart::Identifier)
            .collect(),
    );
    if matches!(w.words.get(w.at).map(|t| &t.token), Some(Token::Mul)) {
        w.at += 1;
    }
    w.expect("alter")?;
    w.expect("constraint")?;
    let constraint = ident(&w.ident()?);
    let (mut deferrable, mut not_deferrable, mut deferred) = (false, false, false);
    loop {
        if w.word("deferrable") {
            deferrable = true;
        } else if w.word("not") {
            w.expect("deferrable")?;
            not_deferrable = true;
        } else if w.word("initially") {
            if w.word("deferred") {
                deferred = true;
            } else {
                w.expect("immediate")?;
            }
        } else {
            break;
        }
    }
    w.end()?;
    if deferrable && not_deferrable {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "conflicting constraint properties",
        ));
    }
    if deferred && not_deferrable {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "constraint declared INITIALLY DEFERRED must be DEFERRABLE",
        ));
    }
    Ok(AlterConstraint {
        table,
        if_exists,
        only,
        constraint,
        timing: (deferrable || deferred, deferred),
    })
}

/// Parses a SET CONSTRAINTS statement's text.
pub fn parse_set_constraints(sql: &str) -> PgResult<SetConstraints> {
    let tokens = tokenize(sql)?;
    set_constraints_words(sql, &meaningful(&tokens))
}

/// Parses an ALTER TABLE ... ALTER CONSTRAINT statement's text.
pub fn parse_alter_constraint(sql: &str) -> PgResult<AlterConstraint> {
    let tokens = tokenize(sql)?;
    alter_constraint_words(sql, &meaningful(&tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_constraints() {
        let s = parse_set_constraints("SET CONSTRAINTS ALL DEFERRED").unwrap();
        assert_eq!(s.names, None);
        assert!(s.deferred);
        let s = parse_set_constraints("set constraints a, S.\"B\" immediate").unwrap();
        assert_eq!(
            s.names,
            Some(vec![
                vec!["a".to_owned()],
                vec!["s".to_owned(), "B".to_owned()]
            ])
        );
        assert!(!s.deferred);
        let e = parse_set_constraints("set constraints all later").unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"later\"");
    }

    #[test]
    fn parses_alter_constraint() {
        let a = parse_alter_constraint("alter table t alter constraint c deferrable").unwrap();
        assert_eq!(a.constraint, "c");
        assert_eq!(a.timing, (true, false));
        let a = parse_alter_constraint(
            "alter table if exists only t alter constraint c initially deferred",
        )
        .unwrap();
        assert!(a.if_exists && a.only);
        assert_eq!(a.timing, (true, true));
        let a = parse_alter_constraint("alter table t alter constraint c not deferrable").unwrap();
        assert_eq!(a.timing, (false, false));
        assert!(parse_alter_constraint(
            "alter table t alter constraint c not deferrable initially deferred"
        )
        .is_err());
    }
}
