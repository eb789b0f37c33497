//! CREATE [OR REPLACE] FUNCTION and CREATE [OR REPLACE] PROCEDURE as
//! PostgreSQL writes them (argument modes and defaults, RETURNS TABLE,
//! COST, ROWS, options in any order), which sqlparser reads only in
//! part: its own small parser over sqlparser's tokens. As for ALTER
//! SEQUENCE, the statement list carries a placeholder and the engine
//! parses the statement's text again with [`parse`] when it runs it.

use sqlparser::ast::{self, ObjectName};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::PgResult;

/// An argument mode as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    In,
    Out,
    InOut,
    Variadic,
}

/// One declared argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub mode: Mode,
    pub name: Option<ast::Ident>,
    pub ty: ast::DataType,
    pub default: Option<ast::Expr>,
}

/// RETURNS ...
#[derive(Clone, Debug, PartialEq)]
pub enum Returns {
    /// RETURNS [SETOF] type.
    Type { ty: ast::DataType, setof: bool },
    /// RETURNS TABLE (name type, ...).
    Table(Vec<(ast::Ident, ast::DataType)>),
}

/// The body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// AS 'definition': the text and its byte offset in the statement.
    Text(String, usize),
    /// RETURN expression.
    Return(Box<ast::Expr>),
}

/// A CREATE FUNCTION or CREATE PROCEDURE statement.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateFunction {
    pub or_replace: bool,
    pub procedure: bool,
    pub name: ObjectName,
    pub args: Vec<Arg>,
    pub returns: Option<Returns>,
    pub language: Option<String>,
    pub volatility: Option<char>,
    pub strict: Option<bool>,
    pub security_definer: Option<bool>,
    pub leakproof: Option<bool>,
    pub parallel: Option<char>,
    pub cost: Option<f64>,
    pub rows: Option<f64>,
    pub body: Option<Body>,
}

/// The statement standing for a CREATE FUNCTION or PROCEDURE in the
/// statement list: a CREATE FUNCTION with no name, which no text can
/// produce.
pub fn placeholder() -> ast::Statement {
    ast::Statement::CreateFunction(ast::CreateFunction {
        or_alter: false,
        or_replace: false,
        temporary: false,
        if_not_exists: false,
        name: ObjectName(vec![]),
        args: None,
        return_type: None,
        function_body: None,
        behavior: None,
        called_on_null: None,
        parallel: None,
        security: None,
        set_params: vec![],
        using: None,
        language: None,
        determinism_specifier: None,
        options: None,
        remote_connection: None,
    })
}

/// Whether `s` is [`placeholder`].
pub fn is_placeholder(s: &ast::Statement) -> bool {
    matches!(s, ast::Statement::CreateFunction(f) if f.name.0.is_empty())
}

/// Whether a statement starts CREATE [OR REPLACE] FUNCTION | PROCEDURE.
pub(super) fn starts_create_function(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| super::is_word(&t.token, s));
    w(0, "create")
        && ((w(1, "function") || w(1, "procedure"))
            || (w(1, "or") && w(2, "replace") && (w(3, "function") || w(3, "procedure"))))
}

/// Parses the statement's tokens (locations relative to `full`).
pub(super) fn parse_tokens(tokens: Vec<TokenWithSpan>, full: &str) -> PgResult<CreateFunction> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect).with_tokens_with_locations(tokens);
    statement(&mut p, full, 0).map_err(|e| super::convert_error(full, e))
}

/// Parses a CREATE FUNCTION or PROCEDURE statement's text.
pub fn parse(sql: &str) -> PgResult<CreateFunction> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| super::convert_error(sql, e))?;
    statement(&mut p, sql, 0).map_err(|e| super::convert_error(sql, e))
}

fn is_arg_end(t: &Token) -> bool {
    match t {
        Token::Comma | Token::RParen | Token::Eq => true,
        Token::Word(w) => w.keyword == Keyword::DEFAULT,
        _ => false,
    }
}

fn arg(p: &mut Parser) -> Result<Arg, ParserError> {
    let mode = if p.parse_keyword(Keyword::IN) {
        if p.parse_keyword(Keyword::OUT) {
            Mode::InOut
        } else {
            Mode::In
        }
    } else if p.parse_keyword(Keyword::OUT) {
        Mode::Out
    } else if p.parse_keyword(Keyword::INOUT) {
        Mode::InOut
    } else if p.parse_keyword(Keyword::VARIADIC) {
        Mode::Variadic
    } else {
        Mode::In
    };
    // `type` alone, or `name type`: a type followed by the end of the
    // argument is unnamed.
    let unnamed = p.maybe_parse(|p| {
        let t = p.parse_data_type()?;
        if is_arg_end(&p.peek_token().token) {
            Ok(t)
        } else {
            p.expected("end of argument", p.peek_token())
        }
    })?;
    let (name, ty) = match unnamed {
        Some(t) => (None, t),
        None => {
            let n = p.parse_identifier()?;
            (Some(n), p.parse_data_type()?)
        }
    };
    let default = if p.parse_keyword(Keyword::DEFAULT) || p.consume_token(&Token::Eq) {
        Some(p.parse_expr()?)
    } else {
        None
    };
    Ok(Arg {
        mode,
        name,
        ty,
        default,
    })
}

fn number(p: &mut Parser) -> Result<f64, ParserError> {
    let t = p.next_token();
    match &t.token {
        Token::Number(n, _) => n
            .parse()
            .map_err(|_| ParserError::ParserError(format!("invalid number {n}"))),
        _ => p.expected("a number", t),
    }
}

fn string(p: &mut Parser, full: &str, base: usize) -> Result<(String, usize), ParserError> {
    let t = p.next_token();
    let at = super::byte_offset(full, t.span.start).saturating_sub(base);
    match t.token {
        Token::SingleQuotedString(s) => Ok((s, at + 1)),
        Token::DollarQuotedString(d) => {
            let tag = d.tag.as_ref().map_or(0, String::len);
            Ok((d.value, at + tag + 2))
        }
        Token::EscapedStringLiteral(s) => Ok((s, at + 2)),
        _ => p.expected("a string", t),
    }
}

fn statement(p: &mut Parser, full: &str, base: usize) -> Result<CreateFunction, ParserError> {
    p.expect_keyword_is(Keyword::CREATE)?;
    let or_replace = p.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
    let procedure = matches!(
        p.expect_one_of_keywords(&[Keyword::FUNCTION, Keyword::PROCEDURE])?,
        Keyword::PROCEDURE
    );
    let name = p.parse_object_name(false)?;
    p.expect_token(&Token::LParen)?;
    let args = if p.consume_token(&Token::RParen) {
        Vec::new()
    } else {
        let a = p.parse_comma_separated(arg)?;
        p.expect_token(&Token::RParen)?;
        a
    };
    let mut f = CreateFunction {
        or_replace,
        procedure,
        name,
        args,
        returns: None,
        language: None,
        volatility: None,
        strict: None,
        security_definer: None,
        leakproof: None,
        parallel: None,
        cost: None,
        rows: None,
        body: None,
    };
    let conflicting = || ParserError::ParserError("conflicting or redundant options".into());
    loop {
        if p.parse_keywords(&[Keyword::RETURNS, Keyword::NULL, Keyword::ON, Keyword::NULL]) {
            p.expect_keyword_is(Keyword::INPUT)?;
            f.strict = Some(true);
        } else if !procedure && p.parse_keyword(Keyword::RETURNS) {
            if f.returns.is_some() {
                return Err(conflicting());
            }
            f.returns = Some(if p.parse_keyword(Keyword::TABLE) {
                p.expect_token(&Token::LParen)?;
                let cols = p.parse_comma_separated(|p| {
                    let n = p.parse_identifier()?;
                    Ok((n, p.parse_data_type()?))
                })?;
                p.expect_token(&Token::RParen)?;
                Returns::Table(cols)
            } else {
                let setof = p.parse_keyword(Keyword::SETOF);
                Returns::Type {
                    ty: p.parse_data_type()?,
                    setof,
                }
            });
        } else if p.parse_keyword(Keyword::LANGUAGE) {
            let t = p.next_token();
            f.language = Some(match t.token {
                Token::Word(w) => w.value.to_lowercase(),
                Token::SingleQuotedString(s) => s.to_lowercase(),
                _ => return p.expected("a language name", t),
            });
        } else if p.parse_keyword(Keyword::IMMUTABLE) {
            f.volatility = Some('i');
        } else if p.parse_keyword(Keyword::STABLE) {
            f.volatility = Some('s');
        } else if p.parse_keyword(Keyword::VOLATILE) {
            f.volatility = Some('v');
        } else if p.parse_keywords(&[Keyword::CALLED, Keyword::ON, Keyword::NULL, Keyword::INPUT]) {
            f.strict = Some(false);
        } else if p.parse_keyword(Keyword::STRICT) {
            f.strict = Some(true);
        } else if p.parse_keywords(&[Keyword::NOT, Keyword::LEAKPROOF]) {
            f.leakproof = Some(false);
        } else if p.parse_keyword(Keyword::LEAKPROOF) {
            f.leakproof = Some(true);
        } else if p.parse_keyword(Keyword::EXTERNAL) || p.parse_keyword(Keyword::SECURITY) {
            if p.peek_token().token == Token::make_keyword("SECURITY") {
                p.next_token();
            }
            f.security_definer = Some(
                p.expect_one_of_keywords(&[Keyword::DEFINER, Keyword::INVOKER])?
                    == Keyword::DEFINER,
            );
        } else if p.parse_keyword(Keyword::PARALLEL) {
            let t = p.next_token();
            f.parallel = Some(match &t.token {
                Token::Word(w) if w.value.eq_ignore_ascii_case("safe") => 's',
                Token::Word(w) if w.value.eq_ignore_ascii_case("restricted") => 'r',
                Token::Word(w) if w.value.eq_ignore_ascii_case("unsafe") => 'u',
                _ => return p.expected("SAFE, RESTRICTED or UNSAFE", t),
            });
        } else if p.parse_keyword(Keyword::COST) {
            f.cost = Some(number(p)?);
        } else if p.parse_keyword(Keyword::ROWS) {
            f.rows = Some(number(p)?);
        } else if p.parse_keyword(Keyword::AS) {
            if f.body.is_some() {
                return Err(conflicting());
            }
            let (s, at) = string(p, full, base)?;
            if p.consume_token(&Token::Comma) {
                string(p, full, base)?;
            }
            f.body = Some(Body::Text(s, at));
        } else if p.parse_keyword(Keyword::RETURN) {
            if f.body.is_some() {
                return Err(conflicting());
            }
            f.body = Some(Body::Return(Box::new(p.parse_expr()?)));
        } else {
            break;
        }
    }
    if p.peek_token().token != Token::EOF {
        return p.expected("end of statement", p.peek_token());
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_postgres_forms() {
        let f = parse(
            "CREATE OR REPLACE FUNCTION s.f(a int, IN b text DEFAULT 'x', OUT c double precision, \
             integer = 3) RETURNS SETOF record LANGUAGE sql IMMUTABLE STRICT COST 5 ROWS 10 \
             PARALLEL SAFE AS $b$select 1$b$",
        )
        .unwrap();
        assert!(f.or_replace && !f.procedure);
        assert_eq!(f.args.len(), 4);
        assert_eq!(f.args[2].mode, Mode::Out);
        assert!(f.args[3].name.is_none() && f.args[3].default.is_some());
        assert_eq!(f.language.as_deref(), Some("sql"));
        assert_eq!(
            (f.volatility, f.strict, f.parallel),
            (Some('i'), Some(true), Some('s'))
        );
        assert_eq!((f.cost, f.rows), (Some(5.0), Some(10.0)));
        let Some(Body::Text(b, at)) = &f.body else {
            panic!()
        };
        assert_eq!(b, "select 1");
        let text = "CREATE OR REPLACE FUNCTION s.f(a int, IN b text DEFAULT 'x', OUT c double precision, integer = 3) RETURNS SETOF record LANGUAGE sql IMMUTABLE STRICT COST 5 ROWS 10 PARALLEL SAFE AS $b$select 1$b$";
        assert_eq!(&text[*at..*at + 8], "select 1");
        let t = parse("create function g() returns table (x int, y text) return 1").unwrap();
        assert!(matches!(t.returns, Some(Returns::Table(ref c)) if c.len() == 2));
        assert!(matches!(t.body, Some(Body::Return(_))));
        let p = parse("create procedure p(inout x int) language sql as 'select 1'").unwrap();
        assert!(p.procedure && p.args[0].mode == Mode::InOut);
    }
}
