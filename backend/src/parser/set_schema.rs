//! ALTER TABLE | SEQUENCE | VIEW [IF EXISTS] name SET SCHEMA schema,
//! which sqlparser does not parse for tables and sequences: its own
//! small parser over sqlparser's tokens. As for ALTER SEQUENCE, the
//! statement list carries a placeholder (an ALTER VIEW with no name,
//! which no text can produce) and the engine parses the statement's text
//! again with [`parse`] when it runs it.

use sqlparser::ast::{self, ObjectName};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::PgResult;

/// What kind of relation the statement names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetSchemaKind {
    Table,
    Sequence,
    View,
}

/// One SET SCHEMA statement.
#[derive(Clone, Debug, PartialEq)]
pub struct SetSchema {
    pub kind: SetSchemaKind,
    pub if_exists: bool,
    pub name: ObjectName,
    pub schema: ast::Ident,
}

/// The statement standing for a SET SCHEMA in the statement list.
pub fn placeholder() -> ast::Statement {
    ast::Statement::AlterView(ast::AlterView {
        materialized: false,
        name: ObjectName(vec![]),
        if_exists: false,
        operation: ast::AlterViewOperation::SetSchema {
            schema_name: ObjectName(vec![]),
        },
    })
}

/// Whether `s` is [`placeholder`].
pub fn is_placeholder(s: &ast::Statement) -> bool {
    matches!(s, ast::Statement::AlterView(v) if v.name.0.is_empty())
}

/// Whether a statement is ALTER TABLE|SEQUENCE|VIEW ... SET SCHEMA x:
/// its first words, and SET SCHEMA before its last word.
pub(super) fn is_set_schema(words: &[&TokenWithSpan]) -> bool {
    let n = words.len();
    n >= 6
        && super::is_word(&words[0].token, "alter")
        && ["table", "sequence", "view"]
            .iter()
            .any(|k| super::is_word(&words[1].token, k))
        && super::is_word(&words[n - 3].token, "set")
        && super::is_word(&words[n - 2].token, "schema")
}

/// Parses the statement's tokens (locations relative to `full`).
pub(super) fn parse_tokens(tokens: Vec<TokenWithSpan>, full: &str) -> PgResult<SetSchema> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(tokens);
    statement(&mut p).map_err(|e| super::convert_error(full, e))
}

/// Parses a SET SCHEMA statement's text.
pub fn parse(sql: &str) -> PgResult<SetSchema> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| super::convert_error(sql, e))?;
    statement(&mut p).map_err(|e| super::convert_error(sql, e))
}

fn statement(p: &mut Parser) -> Result<SetSchema, ParserError> {
    p.expect_keyword_is(Keyword::ALTER)?;
    let kind = if p.parse_keyword(Keyword::TABLE) {
        SetSchemaKind::Table
    } else if p.parse_keyword(Keyword::SEQUENCE) {
        SetSchemaKind::Sequence
    } else {
        p.expect_keyword_is(Keyword::VIEW)?;
        SetSchemaKind::View
    };
    let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let name = p.parse_object_name(false)?;
    p.expect_keyword_is(Keyword::SET)?;
    p.expect_keyword_is(Keyword::SCHEMA)?;
    let schema = p.parse_identifier()?;
    if p.peek_token().token != Token::EOF {
        return p.expected("end of statement", p.peek_token());
    }
    Ok(SetSchema {
        kind,
        if_exists,
        name,
        schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let s = parse("ALTER TABLE IF EXISTS a.t SET SCHEMA b").unwrap();
        assert_eq!(s.kind, SetSchemaKind::Table);
        assert!(s.if_exists);
        assert_eq!(s.schema.value, "b");
        assert_eq!(
            parse("alter sequence s set schema x").unwrap().kind,
            SetSchemaKind::Sequence
        );
        assert!(parse("alter view v set schema").is_err());
    }
}
