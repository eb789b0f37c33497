//! `ALTER TABLE [IF EXISTS] [ONLY] name ALTER [COLUMN] column` with an
//! identity action, which sqlparser does not parse (pg_dump writes every
//! identity column this way: `ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE
//! NAME s START WITH 1 ...)`):
//!
//! - `ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [( options )]`
//! - `SET GENERATED {ALWAYS | BY DEFAULT}`, `SET option`, `RESTART [[WITH] n]`,
//!   any number of them
//! - `DROP IDENTITY [IF EXISTS]`
//!
//! A small parser over sqlparser's tokens (sequence options as ALTER
//! SEQUENCE reads them); the statement list carries ALTER CONSTRAINT's
//! placeholder (an ALTER TABLE with no operation) and the engine parses
//! the text again when it runs it. One action per statement.

use sqlparser::ast::{self, ObjectName, SequenceOptions};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;
use crate::error::PgResult;

/// An identity column's kind: b'a' (ALWAYS) or b'd' (BY DEFAULT), as
/// pg_attribute.attidentity.
pub type IdentityKind = u8;

/// What the statement does to the column.
#[derive(Clone, Debug, PartialEq)]
pub enum IdentityAction {
    Add {
        kind: IdentityKind,
        /// SEQUENCE NAME, if given.
        sequence_name: Option<ObjectName>,
        options: Vec<SequenceOptions>,
    },
    Set {
        kind: Option<IdentityKind>,
        options: Vec<SequenceOptions>,
        /// RESTART [[WITH] n]: None restarts at the start value.
        restart: Vec<Option<ast::Expr>>,
    },
    Drop {
        if_exists: bool,
    },
}

/// The whole statement.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterIdentity {
    pub table: ObjectName,
    pub if_exists: bool,
    pub column: ast::Ident,
    pub action: IdentityAction,
}

/// Words after `SET` that make it an identity action (PostgreSQL's
/// SeqOptElem, and GENERATED), not SET DEFAULT / NOT NULL / DATA TYPE.
const SET_WORDS: [&str; 8] = [
    "generated",
    "increment",
    "start",
    "minvalue",
    "maxvalue",
    "no",
    "cache",
    "cycle",
];

/// Whether the statement is ALTER TABLE ... ALTER [COLUMN] c followed by
/// an identity action.
pub(super) fn is_alter_identity(words: &[&TokenWithSpan]) -> bool {
    if words.len() < 5 || !is_word(&words[0].token, "alter") || !is_word(&words[1].token, "table") {
        return false;
    }
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    (2..words.len()).any(|i| {
        if !w(i, "alter") {
            return false;
        }
        let c = if w(i + 1, "column") { i + 2 } else { i + 1 };
        let a = c + 1;
        (w(a, "add") && w(a + 1, "generated"))
            || (w(a, "drop") && w(a + 1, "identity"))
            || w(a, "restart")
            || (w(a, "set") && SET_WORDS.iter().any(|s| w(a + 1, s)))
    })
}

/// Checks the statement's tokens (locations relative to `full`).
pub(super) fn parse_tokens(tokens: Vec<TokenWithSpan>, full: &str) -> PgResult<AlterIdentity> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(tokens);
    statement(&mut p).map_err(|e| super::convert_error(full, e))
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<AlterIdentity> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| super::convert_error(sql, e))?;
    statement(&mut p).map_err(|e| super::convert_error(sql, e))
}

fn generated_when(p: &mut Parser) -> Result<IdentityKind, ParserError> {
    if p.parse_keyword(Keyword::ALWAYS) {
        Ok(b'a')
    } else if p.parse_keywords(&[Keyword::BY, Keyword::DEFAULT]) {
        Ok(b'd')
    } else {
        p.expected("ALWAYS or BY DEFAULT", p.peek_token())
    }
}

fn statement(p: &mut Parser) -> Result<AlterIdentity, ParserError> {
    p.expect_keyword_is(Keyword::ALTER)?;
    p.expect_keyword_is(Keyword::TABLE)?;
    let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let _ = p.parse_keyword(Keyword::ONLY);
    let table = p.parse_object_name(false)?;
    let _ = p.consume_token(&Token::Mul);
    p.expect_keyword_is(Keyword::ALTER)?;
    let _ = p.parse_keyword(Keyword::COLUMN);
    let column = p.parse_identifier()?;
    let action = if p.parse_keywords(&[Keyword::ADD, Keyword::GENERATED]) {
        let kind = generated_when(p)?;
        p.expect_keywords(&[Keyword::AS, Keyword::IDENTITY])?;
        let mut sequence_name = None;
        let mut options = Vec::new();
        if p.consume_token(&Token::LParen) {
            while !p.consume_token(&Token::RParen) {
                if p.parse_keywords(&[Keyword::SEQUENCE, Keyword::NAME]) {
                    sequence_name = Some(p.parse_object_name(false)?);
                } else if let Some(o) = super::alter_sequence::option(p)? {
                    options.push(o);
                } else {
                    return p.expected("a sequence option", p.peek_token());
                }
            }
        }
        IdentityAction::Add {
            kind,
            sequence_name,
            options,
        }
    } else if p.parse_keywords(&[Keyword::DROP, Keyword::IDENTITY]) {
        IdentityAction::Drop {
            if_exists: p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]),
        }
    } else {
        let (mut kind, mut options, mut restart) = (None, Vec::new(), Vec::new());
        loop {
            if p.parse_keyword(Keyword::RESTART) {
                restart.push(super::alter_sequence::restart_value(p)?);
            } else if p.parse_keyword(Keyword::SET) {
                if p.parse_keyword(Keyword::GENERATED) {
                    kind = Some(generated_when(p)?);
                } else if let Some(o) = super::alter_sequence::option(p)? {
                    options.push(o);
                } else {
                    return p.expected("an identity option", p.peek_token());
                }
            } else {
                break;
            }
        }
        if kind.is_none() && options.is_empty() && restart.is_empty() {
            return p.expected("an identity action", p.peek_token());
        }
        IdentityAction::Set {
            kind,
            options,
            restart,
        }
    };
    if p.peek_token().token != Token::EOF {
        return p.expected("end of statement", p.peek_token());
    }
    Ok(AlterIdentity {
        table,
        if_exists,
        column,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pg_dump_form_and_the_others() {
        let a = parse(
            "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.t_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n)",
        )
        .unwrap();
        let IdentityAction::Add {
            kind,
            sequence_name,
            options,
        } = a.action
        else {
            panic!("add expected")
        };
        assert_eq!(kind, b'a');
        assert_eq!(sequence_name.unwrap().to_string(), "public.t_id_seq");
        assert_eq!(options.len(), 5);
        let a = parse("alter table t alter id set generated by default set increment by 2 restart")
            .unwrap();
        assert!(matches!(
            a.action,
            IdentityAction::Set { kind: Some(b'd'), ref options, ref restart } if options.len() == 1 && restart == &[None]
        ));
        let a = parse("alter table if exists t alter column id drop identity if exists").unwrap();
        assert!(a.if_exists);
        assert_eq!(a.action, IdentityAction::Drop { if_exists: true });
        assert_eq!(
            parse("alter table t alter id set generated")
                .unwrap_err()
                .code,
            "42601"
        );
        assert_eq!(
            parse("alter table t alter id restart with")
                .unwrap_err()
                .code,
            "42601"
        );
    }
}
