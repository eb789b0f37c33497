//! ALTER SEQUENCE, which sqlparser does not parse: its own small parser
//! over sqlparser's tokens. The statement list carries a placeholder
//! (`CREATE SEQUENCE` with no name, which no text can produce) and the
//! engine parses the statement's text again with [`parse`] when it runs
//! it, as it does for VACUUM and CHECKPOINT.

use sqlparser::ast::{self, ObjectName, SequenceOptions};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::PgResult;

/// What an ALTER SEQUENCE statement does.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterSequenceAction {
    /// RENAME TO name.
    Rename(ast::Ident),
    /// OWNER TO role.
    OwnerTo(ast::Ident),
    /// Options, in the order written, and RESTART [[WITH] n] (the inner
    /// None: restart at the start value).
    Options {
        options: Vec<SequenceOptions>,
        restart: Vec<Option<ast::Expr>>,
    },
}

/// ALTER SEQUENCE [IF EXISTS] name action.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterSequence {
    pub if_exists: bool,
    pub name: ObjectName,
    pub action: AlterSequenceAction,
}

/// The statement standing for an ALTER SEQUENCE in the statement list.
pub fn placeholder() -> ast::Statement {
    ast::Statement::CreateSequence {
        temporary: false,
        if_not_exists: false,
        name: ObjectName(vec![]),
        sequence_options: vec![],
    }
}

/// Whether `s` is [`placeholder`].
pub fn is_placeholder(s: &ast::Statement) -> bool {
    matches!(s, ast::Statement::CreateSequence { name, .. } if name.0.is_empty())
}

/// Whether a statement's first two words are ALTER SEQUENCE.
pub(super) fn starts_alter_sequence(words: &[&TokenWithSpan]) -> bool {
    words.len() >= 2
        && super::is_word(&words[0].token, "alter")
        && super::is_word(&words[1].token, "sequence")
}

/// Parses the statement's tokens (locations relative to `full`).
pub(super) fn parse_tokens(tokens: Vec<TokenWithSpan>, full: &str) -> PgResult<AlterSequence> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(tokens);
    statement(&mut p).map_err(|e| super::convert_error(full, e))
}

/// Parses an ALTER SEQUENCE statement's text.
pub fn parse(sql: &str) -> PgResult<AlterSequence> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| super::convert_error(sql, e))?;
    statement(&mut p).map_err(|e| super::convert_error(sql, e))
}

fn statement(p: &mut Parser) -> Result<AlterSequence, ParserError> {
    p.expect_keyword_is(Keyword::ALTER)?;
    p.expect_keyword_is(Keyword::SEQUENCE)?;
    let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let name = p.parse_object_name(false)?;
    let action = if p.parse_keyword(Keyword::RENAME) {
        p.expect_keyword_is(Keyword::TO)?;
        AlterSequenceAction::Rename(p.parse_identifier()?)
    } else if p.parse_keyword(Keyword::OWNER) {
        p.expect_keyword_is(Keyword::TO)?;
        AlterSequenceAction::OwnerTo(p.parse_identifier()?)
    } else {
        let mut options = Vec::new();
        let mut restart = Vec::new();
        loop {
            if p.parse_keyword(Keyword::RESTART) {
                restart.push(restart_value(p)?);
            } else if let Some(o) = option(p)? {
                options.push(o);
            } else {
                break;
            }
        }
        if options.is_empty() && restart.is_empty() {
            return p.expected("an ALTER SEQUENCE option", p.peek_token());
        }
        AlterSequenceAction::Options { options, restart }
    };
    if p.peek_token().token != Token::EOF {
        return p.expected("end of statement", p.peek_token());
    }
    Ok(AlterSequence {
        if_exists,
        name,
        action,
    })
}

/// What follows RESTART: `[WITH] n`, or nothing (the start value).
pub(super) fn restart_value(p: &mut Parser) -> Result<Option<ast::Expr>, ParserError> {
    let with = p.parse_keyword(Keyword::WITH);
    let number_next = matches!(
        p.peek_token().token,
        Token::Number(..) | Token::Minus | Token::Plus
    );
    Ok(if with || number_next {
        Some(p.parse_number()?)
    } else {
        None
    })
}

/// One sequence option, as sqlparser's CREATE SEQUENCE reads it (note
/// its `Cycle(true)` means NO CYCLE).
pub(super) fn option(p: &mut Parser) -> Result<Option<SequenceOptions>, ParserError> {
    Ok(Some(if p.parse_keyword(Keyword::INCREMENT) {
        let by = p.parse_keyword(Keyword::BY);
        SequenceOptions::IncrementBy(p.parse_number()?, by)
    } else if p.parse_keyword(Keyword::MINVALUE) {
        SequenceOptions::MinValue(Some(p.parse_number()?))
    } else if p.parse_keywords(&[Keyword::NO, Keyword::MINVALUE]) {
        SequenceOptions::MinValue(None)
    } else if p.parse_keyword(Keyword::MAXVALUE) {
        SequenceOptions::MaxValue(Some(p.parse_number()?))
    } else if p.parse_keywords(&[Keyword::NO, Keyword::MAXVALUE]) {
        SequenceOptions::MaxValue(None)
    } else if p.parse_keyword(Keyword::START) {
        let with = p.parse_keyword(Keyword::WITH);
        SequenceOptions::StartWith(p.parse_number()?, with)
    } else if p.parse_keyword(Keyword::CACHE) {
        SequenceOptions::Cache(p.parse_number()?)
    } else if p.parse_keywords(&[Keyword::NO, Keyword::CYCLE]) {
        SequenceOptions::Cycle(true)
    } else if p.parse_keyword(Keyword::CYCLE) {
        SequenceOptions::Cycle(false)
    } else if p.parse_keyword(Keyword::AS) {
        SequenceOptions::DataType(p.parse_data_type()?)
    } else if p.parse_keywords(&[Keyword::OWNED, Keyword::BY]) {
        let owner = p.parse_object_name(false)?;
        let none = matches!(owner.0.as_slice(), [ast::ObjectNamePart::Identifier(i)]
            if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("none"));
        SequenceOptions::OwnedBy(if none { None } else { Some(owner) })
    } else {
        return Ok(None);
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_actions() {
        let a = parse("alter sequence if exists s restart with 5 increment by 2 no cycle").unwrap();
        assert!(a.if_exists);
        let AlterSequenceAction::Options { options, restart } = a.action else {
            panic!("options expected");
        };
        assert_eq!(options.len(), 2);
        assert_eq!(restart.len(), 1);
        assert!(restart[0].is_some());
        let a = parse("ALTER SEQUENCE s RESTART").unwrap();
        assert!(
            matches!(a.action, AlterSequenceAction::Options { ref restart, .. } if restart == &[None])
        );
        let a = parse("ALTER SEQUENCE s RENAME TO t").unwrap();
        assert!(matches!(a.action, AlterSequenceAction::Rename(_)));
        let a = parse("ALTER SEQUENCE s OWNED BY NONE").unwrap();
        assert!(
            matches!(a.action, AlterSequenceAction::Options { ref options, .. } if options == &[SequenceOptions::OwnedBy(None)])
        );
        assert_eq!(parse("ALTER SEQUENCE s").unwrap_err().code, "42601");
        assert_eq!(
            parse("ALTER SEQUENCE s RESTART WITH").unwrap_err().code,
            "42601"
        );
        assert_eq!(parse("ALTER SEQUENCE s bogus").unwrap_err().code, "42601");
    }
}
