//! What the small hand-written parsers (database, domain, role setting,
//! COMMENT and ALTER ... OWNER TO commands) share: a statement's tokens
//! without blanks, a walk over them that matches key words, reads
//! identifiers and reports PostgreSQL's syntax errors at the token where
//! it stopped, and a routine's signature read by sqlparser.
//! Each parser adds its own steps in an `impl Walk` of its module.

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{byte_offset, char_index, is_blank, is_word, syntax_error};
use crate::error::{sqlstate, PgError, PgResult};

/// The statement's tokens, blanks and comments left out; none when it
/// does not tokenize (the main parser reports that error).
pub(super) fn meaningful_tokens(sql: &str) -> Vec<TokenWithSpan> {
    Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map(|t| t.into_iter().filter(|t| !is_blank(&t.token)).collect())
        .unwrap_or_default()
}

/// A routine's signature, tokens `from..to`, read as DROP FUNCTION's.
pub(super) fn signature(
    sql: &str,
    toks: &[&TokenWithSpan],
    from: usize,
    to: usize,
) -> Option<ast::FunctionDesc> {
    let sig =
        &sql[byte_offset(sql, toks[from].span.start)..byte_offset(sql, toks[to - 1].span.end)];
    sqlparser::parser::Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&format!("DROP FUNCTION {sig}"))
        .and_then(|mut p| p.parse_statement())
        .ok()
        .and_then(|s| match s {
            ast::Statement::DropFunction(d) if d.func_desc.len() == 1 => {
                d.func_desc.into_iter().next()
            }
            _ => None,
        })
}

/// A position in a statement's tokens.
pub(super) struct Walk<'a> {
    pub(super) sql: &'a str,
    pub(super) toks: &'a [&'a TokenWithSpan],
    pub(super) i: usize,
}

impl Walk<'_> {
    pub(super) fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i).map(|t| &t.token)
    }

    pub(super) fn peek_word(&self, w: &str) -> bool {
        self.peek().is_some_and(|t| is_word(t, w))
    }

    /// 42601 at the current token (or at the end).
    pub(super) fn fail<T>(&self) -> PgResult<T> {
        Err(match self.toks.get(self.i) {
            Some(t) => syntax_error(self.sql, &t.token.to_string(), Some(t.span.start)),
            None => syntax_error(self.sql, "EOF", None),
        })
    }

    /// 42601 unless every token was read.
    pub(super) fn end(&self) -> PgResult<()> {
        if self.i < self.toks.len() {
            return self.fail();
        }
        Ok(())
    }

    /// Takes key word `w` if it is next.
    pub(super) fn word(&mut self, w: &str) -> bool {
        if self.peek_word(w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn expect(&mut self, w: &str) -> PgResult<()> {
        if self.word(w) {
            Ok(())
        } else {
            self.fail()
        }
    }

    /// An identifier: unquoted words fold to lower case; `""` is
    /// PostgreSQL's "zero-length delimited identifier".
    pub(super) fn name(&mut self) -> PgResult<String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let n = if w.quote_style.is_some() {
                    if w.value.is_empty() {
                        let t = self.toks[self.i];
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "zero-length delimited identifier at or near \"\"\"\"",
                        )
                        .with_position(char_index(self.sql, t.span.start) + 1));
                    }
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                };
                self.i += 1;
                Ok(n)
            }
            _ => self.fail(),
        }
    }

    /// A possibly qualified name: identifiers joined by periods.
    pub(super) fn qualified_name(&mut self) -> PgResult<Vec<String>> {
        let mut parts = vec![self.name()?];
        while self.peek() == Some(&Token::Period) {
            self.i += 1;
            parts.push(self.name()?);
        }
        Ok(parts)
    }
}
