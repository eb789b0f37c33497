//! CREATE, DROP and ALTER DATABASE, which sqlparser does not parse in
//! PostgreSQL's form: a small parser over sqlparser's tokens. The
//! statement list carries VACUUM's placeholder; the engine tells them
//! apart by [`is_database_command`] and parses the text again with
//! [`parse`] when it runs it.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::{char_index, is_word};
use crate::error::PgResult;

/// An option's value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum OptValue {
    Default,
    /// A number (with its sign).
    Number(String),
    /// A string, or a word (an identifier or keyword, folded).
    Text(String),
}

/// `name [=] value` of CREATE or ALTER DATABASE; `position` is the
/// 1-based character position of the name (for errors).
#[derive(Clone, Debug, PartialEq)]
pub struct DbOption {
    pub name: String,
    pub value: OptValue,
    pub position: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatabaseStmt {
    Create {
        name: String,
        options: Vec<DbOption>,
    },
    Drop {
        if_exists: bool,
        name: String,
        force: bool,
    },
    Rename {
        name: String,
        new_name: String,
    },
    Owner {
        name: String,
        owner: String,
    },
    Alter {
        name: String,
        options: Vec<DbOption>,
    },
}

/// Whether the tokens start CREATE, DROP or ALTER DATABASE.
pub(super) fn starts_database_command(words: &[&TokenWithSpan]) -> bool {
    words.len() >= 2
        && (is_word(&words[0].token, "create")
            || is_word(&words[0].token, "drop")
            || is_word(&words[0].token, "alter"))
        && is_word(&words[1].token, "database")
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_database_command(sql: &str) -> bool {
    starts_database_command(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses a database command's text.
pub fn parse(sql: &str) -> PgResult<DatabaseStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

use super::word_walk::{meaningful_tokens, Walk as P};

impl P<'_> {
    fn position(&self) -> usize {
        self.toks
            .get(self.i)
            .map_or(0, |t| char_index(self.sql, t.span.start) + 1)
    }

    /// `[WITH] name [=] value ...` up to the end.
    fn options(&mut self) -> PgResult<Vec<DbOption>> {
        self.word("with");
        let mut out = Vec::new();
        while self.i < self.toks.len() {
            let position = self.position();
            let name = if self.word("connection") {
                self.expect("limit")?;
                "connection_limit".to_owned()
            } else {
                match self.peek() {
                    Some(Token::Word(w)) if w.quote_style.is_none() => {
                        let n = w.value.to_lowercase();
                        self.i += 1;
                        n
                    }
                    _ => return self.fail(),
                }
            };
            if self.peek() == Some(&Token::Eq) {
                self.i += 1;
            }
            let value = match self.peek().cloned() {
                Some(Token::Minus) | Some(Token::Plus) => {
                    let neg = self.peek() == Some(&Token::Minus);
                    self.i += 1;
                    match self.peek().cloned() {
                        Some(Token::Number(n, _)) => {
                            self.i += 1;
                            OptValue::Number(if neg { format!("-{n}") } else { n })
                        }
                        _ => return self.fail(),
                    }
                }
                Some(Token::Number(n, _)) => {
                    self.i += 1;
                    OptValue::Number(n)
                }
                Some(Token::SingleQuotedString(s)) => {
                    self.i += 1;
                    OptValue::Text(s)
                }
                Some(Token::Word(w))
                    if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("default") =>
                {
                    self.i += 1;
                    OptValue::Default
                }
                Some(Token::Word(_)) => OptValue::Text(self.name()?),
                _ => return self.fail(),
            };
            out.push(DbOption {
                name,
                value,
                position,
            });
        }
        Ok(out)
    }
}

pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<DatabaseStmt> {
    let mut p = P { sql, toks, i: 2 };
    if is_word(&toks[0].token, "create") {
        let name = p.name()?;
        let options = p.options()?;
        return Ok(DatabaseStmt::Create { name, options });
    }
    if is_word(&toks[0].token, "drop") {
        let if_exists = if p.word("if") {
            p.expect("exists")?;
            true
        } else {
            false
        };
        let name = p.name()?;
        let mut force = false;
        if p.i < toks.len() {
            p.word("with");
            if p.peek() != Some(&Token::LParen) {
                return p.fail();
            }
            p.i += 1;
            loop {
                p.expect("force")?;
                force = true;
                match p.peek() {
                    Some(Token::Comma) => p.i += 1,
                    Some(Token::RParen) => {
                        p.i += 1;
                        break;
                    }
                    _ => return p.fail(),
                }
            }
        }
        p.end()?;
        return Ok(DatabaseStmt::Drop {
            if_exists,
            name,
            force,
        });
    }
    let name = p.name()?;
    if p.word("rename") {
        p.expect("to")?;
        let new_name = p.name()?;
        p.end()?;
        return Ok(DatabaseStmt::Rename { name, new_name });
    }
    if p.word("owner") {
        p.expect("to")?;
        let owner = p.name()?;
        p.end()?;
        return Ok(DatabaseStmt::Owner { name, owner });
    }
    if p.i >= toks.len() {
        return p.fail();
    }
    let options = p.options()?;
    Ok(DatabaseStmt::Alter { name, options })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(is_database_command("CREATE  DATABASE x"));
        assert!(!is_database_command("create table x()"));
        let s = parse("create database \"A\" with owner = me connection limit -1 is_template true")
            .unwrap();
        let DatabaseStmt::Create { name, options } = s else {
            panic!()
        };
        assert_eq!(name, "A");
        assert_eq!(options.len(), 3);
        assert_eq!(options[1].name, "connection_limit");
        assert_eq!(options[1].value, OptValue::Number("-1".into()));
        assert_eq!(options[0].position, 26);
        assert_eq!(
            parse("drop database if exists x with (force)").unwrap(),
            DatabaseStmt::Drop {
                if_exists: true,
                name: "x".into(),
                force: true
            }
        );
        assert_eq!(
            parse("drop database d1 with (foo)").unwrap_err().message,
            "syntax error at or near \"foo\""
        );
        assert_eq!(
            parse("alter database a rename to b").unwrap(),
            DatabaseStmt::Rename {
                name: "a".into(),
                new_name: "b".into()
            }
        );
        assert!(parse("alter database a").is_err());
    }
}
