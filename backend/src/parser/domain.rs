//! CREATE, ALTER and DROP DOMAIN, which sqlparser does not parse in
//! PostgreSQL's form (NOT NULL, constraints in any order, ALTER DOMAIN):
//! a small parser over sqlparser's tokens. The statement list carries
//! VACUUM's placeholder; the engine tells them apart by
//! [`is_domain_command`] and parses the text again with [`parse`] when it
//! runs it. Types and expressions are kept as sqlparser trees.

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::{byte_offset, is_word, syntax_error};
use crate::error::PgResult;

/// One constraint of CREATE DOMAIN or ALTER DOMAIN ADD.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainConstraint {
    NotNull,
    Null,
    /// CHECK (expr) with the expression's text as written.
    Check(Box<ast::Expr>, String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum AlterDomain {
    SetDefault(Option<Box<ast::Expr>>),
    NotNull(bool),
    Add {
        name: Option<String>,
        constraint: DomainConstraint,
        not_valid: bool,
    },
    DropConstraint {
        if_exists: bool,
        name: String,
        cascade: bool,
    },
    RenameConstraint {
        name: String,
        new_name: String,
    },
    ValidateConstraint(String),
    Owner(String),
    Rename(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum DomainStmt {
    Create {
        name: Vec<String>,
        data_type: ast::DataType,
        collation: Option<String>,
        default: Option<Box<ast::Expr>>,
        constraints: Vec<(Option<String>, DomainConstraint)>,
    },
    Alter {
        name: Vec<String>,
        action: AlterDomain,
    },
    Drop {
        if_exists: bool,
        names: Vec<Vec<String>>,
        cascade: bool,
    },
}

/// Whether the tokens start CREATE, ALTER or DROP DOMAIN.
pub(super) fn starts_domain_command(words: &[&TokenWithSpan]) -> bool {
    words.len() >= 2
        && ["create", "drop", "alter"]
            .iter()
            .any(|w| is_word(&words[0].token, w))
        && is_word(&words[1].token, "domain")
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_domain_command(sql: &str) -> bool {
    starts_domain_command(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses a domain command's text.
pub fn parse(sql: &str) -> PgResult<DomainStmt> {
    let toks = meaningful_tokens(sql);
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    parse_tokens(sql, &refs)
}

use super::word_walk::{meaningful_tokens, Walk as P};

impl P<'_> {
    /// A possibly qualified name.
    fn qualified(&mut self) -> PgResult<Vec<String>> {
        let mut v = vec![self.name()?];
        while self.peek() == Some(&Token::Period) {
            self.i += 1;
            v.push(self.name()?);
        }
        Ok(v)
    }

    /// The text from token `from` up to (not including) token `to`.
    fn text(&self, from: usize, to: usize) -> &str {
        if from >= to {
            return "";
        }
        let a = byte_offset(self.sql, self.toks[from].span.start);
        let b = byte_offset(self.sql, self.toks[to - 1].span.end);
        &self.sql[a..b]
    }

    /// Tokens up to the next one at parenthesis depth 0 for which `stop`
    /// holds (or the end).
    fn until(&mut self, stop: &dyn Fn(&P, usize) -> bool) -> (usize, usize) {
        let start = self.i;
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth -= 1,
                _ if depth == 0 && self.i > start && stop(self, self.i) => break,
                _ => {}
            }
            self.i += 1;
        }
        (start, self.i)
    }

    fn expr(&self, from: usize, to: usize) -> PgResult<ast::Expr> {
        if from >= to {
            return self.fail();
        }
        super::parse_expr(self.text(from, to))
    }

    /// `[CONSTRAINT name] {NOT NULL | NULL | CHECK (expr)}`, None when
    /// none starts here.
    fn constraint(&mut self) -> PgResult<Option<(Option<String>, DomainConstraint)>> {
        let name = if self.word("constraint") {
            Some(self.name()?)
        } else {
            None
        };
        let c = if self.word("not") {
            self.expect("null")?;
            DomainConstraint::NotNull
        } else if self.word("null") {
            DomainConstraint::Null
        } else if self.word("check") {
            if self.peek() != Some(&Token::LParen) {
                return self.fail();
            }
            self.i += 1;
            let start = self.i;
            let mut depth = 1;
            while let Some(t) = self.peek() {
                match t {
                    Token::LParen => depth += 1,
                    Token::RParen => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                self.i += 1;
            }
            if self.peek().is_none() {
                return self.fail();
            }
            let end = self.i;
            self.i += 1;
            let text = self.text(start, end).to_owned();
            DomainConstraint::Check(Box::new(self.expr(start, end)?), text)
        } else if name.is_some() {
            return self.fail();
        } else {
            return Ok(None);
        };
        Ok(Some((name, c)))
    }

    fn drop_behavior(&mut self) -> bool {
        if self.word("cascade") {
            true
        } else {
            self.word("restrict");
            false
        }
    }
}

fn starts_clause(p: &P, i: usize) -> bool {
    let t = &p.toks[i].token;
    ["constraint", "check", "collate", "default", "null"]
        .iter()
        .any(|w| is_word(t, w))
        || (is_word(t, "not") && p.toks.get(i + 1).is_some_and(|n| is_word(&n.token, "null")))
}

pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<DomainStmt> {
    let mut p = P { sql, toks, i: 0 };
    let verb = p.name()?;
    p.expect("domain")?;
    let stmt = match verb.as_str() {
        "create" => {
            let name = p.qualified()?;
            p.word("as");
            let (a, b) = p.until(&starts_clause);
            if a == b {
                return p.fail();
            }
            let data_type = Parser::new(&PostgreSqlDialect {})
                .try_with_sql(p.text(a, b))
                .and_then(|mut x| {
                    let t = x.parse_data_type()?;
                    x.expect_token(&Token::EOF)?;
                    Ok(t)
                })
                .map_err(|_| {
                    syntax_error(sql, &toks[a].token.to_string(), Some(toks[a].span.start))
                })?;
            let mut collation = None;
            let mut default = None;
            let mut constraints = Vec::new();
            while p.peek().is_some() {
                if p.word("collate") {
                    collation = Some(p.name()?);
                } else if p.word("default") {
                    let (a, b) = p.until(&starts_clause);
                    default = Some(Box::new(p.expr(a, b)?));
                } else if let Some(c) = p.constraint()? {
                    constraints.push(c);
                } else {
                    return p.fail();
                }
            }
            DomainStmt::Create {
                name,
                data_type,
                collation,
                default,
                constraints,
            }
        }
        "drop" => {
            let if_exists = if p.word("if") {
                p.expect("exists")?;
                true
            } else {
                false
            };
            let mut names = vec![p.qualified()?];
            while p.peek() == Some(&Token::Comma) {
                p.i += 1;
                names.push(p.qualified()?);
            }
            let cascade = p.drop_behavior();
            DomainStmt::Drop {
                if_exists,
                names,
                cascade,
            }
        }
        _ => {
            let name = p.qualified()?;
            let action = if p.word("set") {
                if p.word("default") {
                    let (a, b) = p.until(&|_, _| false);
                    AlterDomain::SetDefault(Some(Box::new(p.expr(a, b)?)))
                } else {
                    p.expect("not")?;
                    p.expect("null")?;
                    AlterDomain::NotNull(true)
                }
            } else if p.word("drop") {
                if p.word("default") {
                    AlterDomain::SetDefault(None)
                } else if p.word("not") {
                    p.expect("null")?;
                    AlterDomain::NotNull(false)
                } else {
                    p.expect("constraint")?;
                    let if_exists = if p.word("if") {
                        p.expect("exists")?;
                        true
                    } else {
                        false
                    };
                    let name = p.name()?;
                    let cascade = p.drop_behavior();
                    AlterDomain::DropConstraint {
                        if_exists,
                        name,
                        cascade,
                    }
                }
            } else if p.word("add") {
                let Some((name, constraint)) = p.constraint()? else {
                    return p.fail();
                };
                let not_valid = if p.word("not") {
                    p.expect("valid")?;
                    true
                } else {
                    false
                };
                AlterDomain::Add {
                    name,
                    constraint,
                    not_valid,
                }
            } else if p.word("rename") {
                if p.word("constraint") {
                    let name = p.name()?;
                    p.expect("to")?;
                    AlterDomain::RenameConstraint {
                        name,
                        new_name: p.name()?,
                    }
                } else {
                    p.expect("to")?;
                    AlterDomain::Rename(p.name()?)
                }
            } else if p.word("validate") {
                p.expect("constraint")?;
                AlterDomain::ValidateConstraint(p.name()?)
            } else if p.word("owner") {
                p.expect("to")?;
                AlterDomain::Owner(p.name()?)
            } else {
                return p.fail();
            };
            DomainStmt::Alter { name, action }
        }
    };
    if p.peek().is_some() {
        return p.fail();
    }
    Ok(stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_domain_in_any_order() {
        let s = parse(
            "CREATE DOMAIN public.d AS varchar(10) NOT NULL DEFAULT 'a' CONSTRAINT c CHECK (VALUE <> 'b') CHECK (length(VALUE) > 0)",
        )
        .unwrap();
        let DomainStmt::Create {
            name,
            default,
            constraints,
            ..
        } = s
        else {
            panic!()
        };
        assert_eq!(name, vec!["public", "d"]);
        assert!(default.is_some());
        assert_eq!(constraints.len(), 3);
        assert_eq!(constraints[1].0.as_deref(), Some("c"));
        assert!(
            matches!(&constraints[2].1, DomainConstraint::Check(_, t) if t == "length(VALUE) > 0")
        );
        assert!(is_domain_command("drop domain if exists a, b cascade"));
        assert!(matches!(
            parse("ALTER DOMAIN d ADD CONSTRAINT x CHECK (VALUE > 0) NOT VALID").unwrap(),
            DomainStmt::Alter {
                action: AlterDomain::Add {
                    not_valid: true,
                    ..
                },
                ..
            }
        ));
        assert_eq!(
            parse("create domain d as int4 garbage").unwrap_err().code,
            "42601"
        );
    }
}
