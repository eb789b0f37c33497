//! Parsing: splits a query string into statements at top-level semicolons
//! (the tokenizer knows quotes, dollar quotes and comments) and parses
//! each with sqlparser's PostgreSQL dialect, reporting syntax errors as
//! PostgreSQL does: 42601 'syntax error at or near "x"' with a position.

#![forbid(unsafe_code)]

mod create_user;
mod cursor;
pub mod group_by_distinct;
mod pgsyntax;
mod qualified_operator;
mod variadic_call;
pub use variadic_call::MARKER as VARIADIC_MARKER;
mod view_syntax;

use std::sync::Arc;

use sqlparser::ast::{self, ObjectName, ObjectNamePart};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace, Word};

use crate::error::{sqlstate, PgError, PgResult};

pub mod alter_identity;
pub mod alter_owner;
pub mod alter_routine;
pub mod alter_sequence;
pub mod alter_trigger;
pub mod comment;
pub mod constraint_cmds;
pub mod create_function;
pub mod create_table_as;
pub mod create_table_like;
pub mod database;
pub mod domain;
pub mod owned;
pub mod role_setting;
pub mod set_schema;
mod table_query;
pub mod window_exclude;
mod word_walk;

/// A statement's text, and the whole query string it came from (parser
/// locations are relative to the whole string), for turning locations
/// into PostgreSQL's 1-based character positions.
#[derive(Clone, Debug)]
pub struct StmtText {
    pub sql: String,
    pub full: std::sync::Arc<str>,
}

impl StmtText {
    /// The 1-based character position of `loc` in the whole query string.
    pub fn position(&self, loc: Location) -> Option<usize> {
        if loc.line == 0 || loc.column == 0 {
            return None;
        }
        Some(char_index(&self.full, loc) + 1)
    }
}

/// An identifier as PostgreSQL sees it: folded to lower case unless quoted.
pub fn ident(i: &ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// The parts of a qualified name, folded.
pub fn object_name(n: &ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident(i),
            ObjectNamePart::Function(f) => ident(&f.name),
        })
        .collect()
}

/// One statement of a query string.
#[derive(Debug)]
pub struct ParsedStatement {
    pub ast: ast::Statement,
    pub text: StmtText,
}

/// Byte offset of a location (1-based line and character column).
pub fn byte_offset(sql: &str, loc: Location) -> usize {
    let mut line = 1u64;
    let mut col = 1u64;
    for (i, c) in sql.char_indices() {
        if line == loc.line && col == loc.column {
            return i;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    sql.len()
}

/// Character index (0-based) of a location.
pub fn char_index(sql: &str, loc: Location) -> usize {
    sql[..byte_offset(sql, loc)].chars().count()
}

fn syntax_error(sql: &str, found: &str, loc: Option<Location>) -> PgError {
    let end = sql.chars().count() + 1;
    if found == "EOF" || found.is_empty() {
        return PgError::new(sqlstate::SYNTAX_ERROR, "syntax error at end of input")
            .with_position(end);
    }
    let e = PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!("syntax error at or near \"{found}\""),
    );
    match loc {
        Some(l) => e.with_position(char_index(sql, l) + 1),
        None => e,
    }
}

/// Pulls "found: X at Line: L, Column: C" out of a sqlparser message.
fn parse_message(msg: &str) -> (String, Option<Location>) {
    let (body, loc) = match msg.rfind(" at Line: ") {
        Some(i) => {
            let rest = &msg[i + " at Line: ".len()..];
            let mut it = rest.split(", Column: ");
            let line = it.next().and_then(|l| l.trim().parse().ok());
            let col = it.next().and_then(|c| c.trim().parse().ok());
            let loc = match (line, col) {
                (Some(line), Some(column)) => Some(Location { line, column }),
                _ => None,
            };
            (&msg[..i], loc)
        }
        None => (msg, None),
    };
    let found = match body.rfind("found: ") {
        Some(i) => body[i + "found: ".len()..].to_owned(),
        None => String::new(),
    };
    (found, loc)
}

fn convert_error(sql: &str, e: ParserError) -> PgError {
    match e {
        ParserError::RecursionLimitExceeded => crate::stack::stack_depth_error(),
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
            let (found, loc) = parse_message(&m);
            if found.is_empty() && !m.contains("EOF") {
                let e = PgError::new(sqlstate::SYNTAX_ERROR, format!("syntax error: {m}"));
                return match loc {
                    Some(l) => e.with_position(char_index(sql, l) + 1),
                    None => e,
                };
            }
            syntax_error(sql, if found.is_empty() { "EOF" } else { &found }, loc)
        }
    }
}

fn is_blank(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// The mark of a `JOIN ... USING (...) AS alias`'s alias, carried as a
/// last USING name (`table_query::rewrite_using_alias`).
pub const USING_ALIAS_MARK: char = '\u{1}';

/// The stand-in for a COPY option's quoted character that is not one byte
/// long (`DELIMITER '||'`), which sqlparser refuses: PostgreSQL's strings
/// never hold a NUL, and COPY reports the error as PostgreSQL does.
pub const COPY_NOT_ONE_BYTE: char = '\0';

/// The stand-in column name for `FORCE_QUOTE *`.
pub const COPY_ALL_COLUMNS: &str = "\0*";

/// Whether a COPY statement's options say `HEADER MATCH` (which
/// [`normalize_copy_options`] turns into a plain HEADER for sqlparser).
pub fn copy_header_match(sql: &str) -> bool {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return false;
    };
    let words: Vec<&Token> = tokens.iter().filter(|t| !is_blank(t)).collect();
    words
        .windows(2)
        .any(|w| is_word(w[0], "header") && is_word(w[1], "match"))
}

/// PostgreSQL accepts any boolean spelling for COPY options
/// (`FREEZE on`, `HEADER 1`); sqlparser only `true`/`false`: rewrite the
/// option values inside the parenthesized list that follows STDIN/STDOUT.
/// Also `HEADER MATCH` becomes HEADER, a DELIMITER, QUOTE or ESCAPE
/// string that is not one byte [`COPY_NOT_ONE_BYTE`], and `FORCE_QUOTE *`
/// (or `FORCE QUOTE *`) a column list of [`COPY_ALL_COLUMNS`].
fn normalize_copy_options(seg: &mut Vec<TokenWithSpan>) {
    let words: Vec<usize> = (0..seg.len())
        .filter(|&i| !is_blank(&seg[i].token))
        .collect();
    if !words
        .first()
        .is_some_and(|&i| is_word(&seg[i].token, "copy"))
    {
        return;
    }
    let Some(k) = words
        .iter()
        .position(|&i| is_word(&seg[i].token, "stdin") || is_word(&seg[i].token, "stdout"))
    else {
        return;
    };
    let mut star = None;
    for w in words[k + 1..].windows(2) {
        let (prev, cur) = (&seg[w[0]].token, &seg[w[1]].token);
        if is_word(prev, "header") && is_word(cur, "match") {
            seg[w[1]].token = Token::Whitespace(Whitespace::Space);
            continue;
        }
        let char_option = |t: &Token| {
            ["delimiter", "quote", "escape"]
                .iter()
                .any(|o| is_word(t, o))
        };
        if char_option(prev)
            || (is_word(prev, "as") && w[0] > 0 && {
                let before = words.iter().rposition(|&i| i < w[0]);
                before.is_some_and(|b| char_option(&seg[words[b]].token))
            })
        {
            if let Token::SingleQuotedString(v) | Token::EscapedStringLiteral(v) = cur {
                if v.len() != 1 {
                    seg[w[1]].token = Token::SingleQuotedString(COPY_NOT_ONE_BYTE.to_string());
                }
            }
            continue;
        }
        if matches!(cur, Token::Mul) && (is_word(prev, "force_quote") || is_word(prev, "quote")) {
            star = Some((w[1], is_word(prev, "force_quote")));
            continue;
        }
        if matches!(prev, Token::Word(_)) {
            let b = match cur {
                t if is_word(t, "on") => Some(true),
                t if is_word(t, "off") => Some(false),
                Token::Number(n, _) if n == "1" => Some(true),
                Token::Number(n, _) if n == "0" => Some(false),
                _ => None,
            };
            if let Some(b) = b {
                seg[w[1]].token = Token::make_keyword(if b { "TRUE" } else { "FALSE" });
            }
        }
    }
    if let Some((i, parenthesize)) = star {
        seg[i].token = Token::Word(Word {
            value: COPY_ALL_COLUMNS.to_owned(),
            quote_style: Some('"'),
            keyword: Keyword::NoKeyword,
        });
        if parenthesize {
            seg.insert(i + 1, TokenWithSpan::wrap(Token::RParen));
            seg.insert(i, TokenWithSpan::wrap(Token::LParen));
        }
    }
}

/// How deeply sqlparser may recurse (nested parentheses, subqueries):
/// about 5 kB of stack a level, so 256 levels stay within the default
/// max_stack_depth of 2 MB (`crate::stack`); deeper input fails with 54001
/// before it can overflow the stack.
const PARSER_RECURSION_LIMIT: usize = 256;

/// Parses one expression (stored DEFAULT expressions).
pub fn parse_expr(text: &str) -> PgResult<ast::Expr> {
    let dialect = PostgreSqlDialect {};
    Parser::new(&dialect)
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| convert_error(text, e))
}

/// A VACUUM statement, which sqlparser parses in Redshift's form only,
/// ANALYZE, which it parses in Hive's, or CHECKPOINT, which it does not
/// know: the engine reads their words again from the statement text.
fn vacuum_placeholder() -> ast::Statement {
    ast::Statement::Vacuum(ast::VacuumStatement {
        full: false,
        sort_only: false,
        delete_only: false,
        reindex: false,
        recluster: false,
        table_name: None,
        threshold: None,
        boost: false,
    })
}

/// The most binary operators one run of a statement may chain (between
/// commas, parentheses and clause keywords). sqlparser builds `a+b+c+...`
/// and `x AND y AND ...` into a tree as deep as the chain without
/// recursing, and later walks of that tree (analysis, dropping it) do
/// recurse: a chain this long fails with 54001 before it is parsed, as
/// PostgreSQL 15 fails at this depth with its default max_stack_depth.
const MAX_OPERATOR_CHAIN: usize = 10_000;

/// Fails with 54001 when a run of `tokens` chains more binary operators
/// than [`MAX_OPERATOR_CHAIN`].
fn check_operator_chains(tokens: &[TokenWithSpan]) -> PgResult<()> {
    let mut run = 0usize;
    for t in tokens {
        match &t.token {
            Token::Comma | Token::LParen | Token::RParen => run = 0,
            Token::Word(w) => match w.keyword {
                Keyword::AND | Keyword::OR => run += 1,
                Keyword::WHEN
                | Keyword::THEN
                | Keyword::ELSE
                | Keyword::END
                | Keyword::SELECT
                | Keyword::FROM
                | Keyword::WHERE
                | Keyword::VALUES
                | Keyword::SET
                | Keyword::ON
                | Keyword::HAVING
                | Keyword::BY
                | Keyword::RETURNING => run = 0,
                _ => {}
            },
            Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::Mod
            | Token::Caret
            | Token::StringConcat
            | Token::Eq
            | Token::DoubleEq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::CustomBinaryOperator(_) => run += 1,
            _ => {}
        }
        if run > MAX_OPERATOR_CHAIN {
            return Err(crate::stack::stack_depth_error());
        }
    }
    Ok(())
}

/// Parses every statement of `sql`. Empty statements are skipped.
/// The tree a DO statement gets (sqlparser has none; PostgreSQL has no
/// ASSERT statement, so this one cannot be confused): its text is
/// parsed again by [`parse_do`].
pub fn do_placeholder() -> ast::Statement {
    ast::Statement::Assert {
        condition: ast::Expr::Identifier(ast::Ident::new("pgfork_do")),
        message: None,
    }
}

/// Whether a statement is DO.
pub fn is_do(s: &ast::Statement) -> bool {
    matches!(s, ast::Statement::Assert { condition: ast::Expr::Identifier(i), message: None } if i.value == "pgfork_do")
}

/// DO [LANGUAGE name] code [LANGUAGE name]: the code and the language
/// (plpgsql when not given).
pub fn parse_do(sql: &str) -> PgResult<(String, String)> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.message))?;
    let toks: Vec<Token> = tokens.into_iter().filter(|t| !is_blank(t)).collect();
    let mut code = None;
    let mut language = None;
    let mut i = 1;
    while i < toks.len() {
        match &toks[i] {
            Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) if code.is_none() => {
                code = Some(s.clone())
            }
            Token::DollarQuotedString(d) if code.is_none() => code = Some(d.value.clone()),
            t if is_word(t, "language") && language.is_none() => {
                i += 1;
                language = match toks.get(i) {
                    Some(Token::Word(w)) => Some(w.value.to_lowercase()),
                    Some(Token::SingleQuotedString(s)) => Some(s.to_lowercase()),
                    _ => {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "syntax error at end of input",
                        ))
                    }
                };
            }
            t => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("syntax error at or near \"{t}\""),
                ))
            }
        }
        i += 1;
    }
    let code =
        code.ok_or_else(|| PgError::new(sqlstate::SYNTAX_ERROR, "no inline code specified"))?;
    Ok((code, language.unwrap_or_else(|| "plpgsql".into())))
}

/// The statements sqlparser does not read (or reads differently from
/// PostgreSQL), parsed here from their tokens: a placeholder statement
/// that the traffic cop recognizes and parses again from the text, or
/// None for everything else.
fn intercept(
    sql: &str,
    seg: &[TokenWithSpan],
    meaningful: &[&TokenWithSpan],
) -> PgResult<Option<ast::Statement>> {
    let first = &meaningful[0].token;
    if ["vacuum", "checkpoint", "analyze", "analyse"]
        .iter()
        .any(|w| is_word(first, w))
    {
        return Ok(Some(vacuum_placeholder()));
    }
    if is_word(first, "do") {
        return Ok(Some(do_placeholder()));
    }
    if cursor::is_fetch_or_move(first) {
        return cursor::parse_fetch(sql, meaningful).map(Some);
    }
    if set_schema::is_set_schema(meaningful) {
        set_schema::parse_tokens(seg.to_vec(), sql)?;
        return Ok(Some(set_schema::placeholder()));
    }
    if constraint_cmds::starts_set_constraints(meaningful) {
        constraint_cmds::set_constraints_words(sql, meaningful)?;
        return Ok(Some(constraint_cmds::set_placeholder()));
    }
    if alter_identity::is_alter_identity(meaningful) {
        let a = alter_identity::parse_tokens(seg.to_vec(), sql)?;
        return Ok(Some(constraint_cmds::alter_placeholder_for(
            a.table,
            a.if_exists,
            false,
        )));
    }
    if constraint_cmds::is_alter_constraint(meaningful) {
        let a = constraint_cmds::alter_constraint_words(sql, meaningful)?;
        return Ok(Some(constraint_cmds::alter_placeholder(&a)));
    }
    if alter_trigger::starts_alter_trigger(meaningful) {
        alter_trigger::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if domain::starts_domain_command(meaningful) {
        domain::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if comment::starts_comment(meaningful) {
        comment::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if alter_routine::starts_alter_routine(meaningful) {
        alter_routine::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if alter_owner::starts_alter_owner(meaningful) {
        alter_owner::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if owned::starts_owned_command(meaningful) {
        owned::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if role_setting::starts_setting_command(meaningful) {
        role_setting::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if database::starts_database_command(meaningful) {
        database::parse_tokens(sql, meaningful)?;
        return Ok(Some(vacuum_placeholder()));
    }
    if alter_sequence::starts_alter_sequence(meaningful) {
        alter_sequence::parse_tokens(seg.to_vec(), sql)?;
        return Ok(Some(alter_sequence::placeholder()));
    }
    if create_function::starts_create_function(meaningful) {
        create_function::parse_tokens(seg.to_vec(), sql)?;
        return Ok(Some(create_function::placeholder()));
    }
    Ok(None)
}

/// `(expr).*`, which sqlparser cannot read: the `*` becomes the quoted
/// name `"*"`, a field selection the analyzer expands into every field
/// ([`FIELD_STAR`]).
fn field_star(seg: &mut [TokenWithSpan]) {
    let idx: Vec<usize> = (0..seg.len())
        .filter(|&i| {
            i >= 2
                && seg[i].token == Token::Mul
                && seg[i - 1].token == Token::Period
                && seg[i - 2].token == Token::RParen
        })
        .collect();
    for i in idx {
        seg[i].token = Token::make_word(FIELD_STAR, Some('"'));
    }
}

/// The field name `(expr).*` is read as.
pub const FIELD_STAR: &str = "*";

pub fn parse(sql: &str) -> PgResult<Vec<ParsedStatement>> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| {
            let at = byte_offset(sql, e.location);
            let snippet: String = sql[at..].chars().take(30).collect();
            let msg = if e.message.starts_with("Unterminated") {
                format!("unterminated quoted string at or near \"{snippet}\"")
            } else {
                format!("syntax error at or near \"{snippet}\"")
            };
            PgError::new(sqlstate::SYNTAX_ERROR, msg).with_position(char_index(sql, e.location) + 1)
        })?;
    let full: Arc<str> = Arc::from(sql);
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut flush = |mut seg: Vec<TokenWithSpan>| -> PgResult<()> {
        qualified_operator::rewrite(&mut seg);
        let meaningful: Vec<&TokenWithSpan> = seg.iter().filter(|t| !is_blank(&t.token)).collect();
        let (Some(first), Some(last)) = (meaningful.first(), meaningful.last()) else {
            return Ok(());
        };
        let start = byte_offset(sql, first.span.start);
        let end = byte_offset(sql, last.span.end).max(start);
        let text = sql[start..end].trim_end().to_owned();
        if is_word(&first.token, "checkpoint") && meaningful.len() > 1 {
            let t = meaningful[1];
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("syntax error at or near \"{}\"", t.token),
            )
            .with_position(char_index(sql, t.span.start) + 1));
        }
        if let Some(ast) = intercept(sql, &seg, &meaningful)? {
            out.push(ParsedStatement {
                ast,
                text: StmtText {
                    sql: text,
                    full: full.clone(),
                },
            });
            return Ok(());
        }
        // Routine signatures (DROP FUNCTION f(VARIADIC int[])) keep
        // their VARIADIC.
        let variadic_calls = !["drop", "alter", "comment", "create", "grant", "revoke"]
            .iter()
            .any(|w| is_word(&first.token, w));
        // The rewrites below that only concern CREATE or COMMENT
        // statements run only for them: a query pays for none.
        let is_create = is_word(&first.token, "create");
        let is_comment = is_word(&first.token, "comment");
        let is_trigger = is_create
            && meaningful
                .iter()
                .take(5)
                .any(|t| is_word(&t.token, "trigger"));
        let mut seg = seg;
        if is_trigger {
            // EXECUTE FUNCTION f('a', 1): sqlparser reads the arguments as
            // declarations; they are taken from the text (commands::trigger).
            if let Some(x) = seg.iter().rposition(|t| is_word(&t.token, "execute")) {
                if let Some(open) = seg[x..].iter().position(|t| t.token == Token::LParen) {
                    let open = open + x;
                    if let Some(close) = seg.iter().rposition(|t| t.token == Token::RParen) {
                        if close > open + 1 {
                            seg.drain(open + 1..close);
                        }
                    }
                }
            }
        }
        if is_create {
            create_table_like::rewrite(sql, &mut seg)?;
        }
        let meaningful: Vec<&TokenWithSpan> = seg.iter().filter(|t| !is_blank(&t.token)).collect();
        check_operator_chains(&seg)?;
        pgsyntax::check(sql, &meaningful)?;
        normalize_copy_options(&mut seg);
        let create_user = create_user::rewrite(&mut seg);
        let check_option = view_syntax::strip(&mut seg);
        view_syntax::alter_view_column(&mut seg);
        group_by_distinct::rewrite(sql, &mut seg)?;
        table_query::rewrite_table_queries(&mut seg);
        window_exclude::rewrite(&mut seg);
        table_query::rewrite_using_alias(&mut seg);
        table_query::alter_materialized_view(&mut seg);
        create_table_as::rewrite(&mut seg);
        field_star(&mut seg);
        if variadic_calls {
            variadic_call::rewrite(&mut seg);
        }
        if is_comment {
            comment::dollar_quoted_text(&mut seg);
        }
        let mut parser = Parser::new(&dialect)
            .with_recursion_limit(PARSER_RECURSION_LIMIT)
            .with_tokens_with_locations(seg);
        let stmts = parser
            .parse_statements()
            .map_err(|e| convert_error(sql, e))?;
        let mut stmts = stmts.into_iter();
        let Some(mut ast) = stmts.next() else {
            return Ok(());
        };
        if create_user {
            create_user::default_login(&mut ast);
        }
        if let Some(c) = check_option {
            view_syntax::apply(&mut ast, c);
        }
        out.push(ParsedStatement {
            ast,
            text: StmtText {
                sql: text,
                full: full.clone(),
            },
        });
        Ok(())
    };
    for t in tokens {
        if t.token == Token::SemiColon {
            flush(std::mem::take(&mut current))?;
        } else {
            current.push(t);
        }
    }
    flush(current)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_and_keeps_text() {
        let p = parse("select 1; select 'a;b' ;; -- c\n show all").unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].text.sql, "select 1");
        assert_eq!(p[1].text.sql, "select 'a;b'");
        assert_eq!(p[2].text.sql, "show all");
        assert!(parse("").unwrap().is_empty());
        assert!(parse(" ; ").unwrap().is_empty());
    }

    #[test]
    fn syntax_errors_look_like_postgres() {
        let e = parse("select 1 frm t").unwrap_err();
        assert_eq!(e.code, "42601");
        assert_eq!(e.message, "syntax error at or near \"t\"");
        assert_eq!(e.position, Some(14));
        let e = parse("select 1 +").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");
        let e = parse("select 'abc").unwrap_err();
        assert_eq!(e.code, "42601");
        assert!(
            e.message.starts_with("unterminated quoted string"),
            "{}",
            e.message
        );
        let e = parse("select 1; selec 2").unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"selec\"");
        assert_eq!(e.position, Some(11));
    }
}

#[cfg(test)]
mod chain_tests {
    use super::*;

    #[test]
    fn long_operator_chains_fail_with_54001_before_parsing() {
        let chain = format!("SELECT {}", vec!["1"; 20_000].join("+"));
        assert_eq!(parse(&chain).unwrap_err().code, "54001");
        let ors = format!("SELECT 1 WHERE {}", vec!["a = 1"; 6_000].join(" OR "));
        assert_eq!(parse(&ors).unwrap_err().code, "54001");
        // Wide but shallow statements are not chains.
        let rows: Vec<String> = (0..20_000).map(|i| format!("(-{i}, 'x' || 'y')")).collect();
        assert!(parse(&format!("INSERT INTO t VALUES {}", rows.join(", "))).is_ok());
        let whens: String = (0..12_000)
            .map(|i| format!(" WHEN a = {i} THEN {i}"))
            .collect();
        assert!(parse(&format!("SELECT CASE{whens} END FROM t")).is_ok());
        let short = format!("SELECT {}", vec!["1"; 1_000].join("+"));
        assert!(parse(&short).is_ok());
    }
}
