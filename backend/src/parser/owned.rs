//! REASSIGN OWNED BY role [, ...] TO role and DROP OWNED BY role [, ...]
//! [CASCADE | RESTRICT], which sqlparser does not parse: a small parser
//! over sqlparser's tokens, PostgreSQL's grammar (`ReassignOwnedStmt`,
//! `DropOwnedStmt`). The statement list carries VACUUM's placeholder;
//! the engine tells it apart by [`is_command`] and parses the text again
//! with [`parse`] when it runs it.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;
use super::word_walk::{meaningful_tokens, Walk as P};
use crate::error::PgResult;

/// A role as the grammar's RoleSpec names it.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleName {
    Name(String),
    CurrentUser,
    SessionUser,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OwnedStmt {
    /// REASSIGN OWNED BY roles TO role.
    Reassign { roles: Vec<RoleName>, to: RoleName },
    /// DROP OWNED BY roles [CASCADE].
    Drop { roles: Vec<RoleName>, cascade: bool },
}

impl RoleName {
    /// A role named by an identifier, CURRENT_USER, CURRENT_ROLE and
    /// SESSION_USER unquoted being the special ones.
    pub fn from_ident(i: &sqlparser::ast::Ident) -> RoleName {
        if i.quote_style.is_none() {
            match i.value.to_lowercase().as_str() {
                "current_user" | "current_role" => return RoleName::CurrentUser,
                "session_user" => return RoleName::SessionUser,
                _ => {}
            }
        }
        RoleName::Name(super::ident(i))
    }
}

/// Whether the tokens start REASSIGN OWNED or DROP OWNED.
pub(super) fn starts_owned_command(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    (w(0, "reassign") || w(0, "drop")) && w(1, "owned")
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_command(sql: &str) -> bool {
    starts_owned_command(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<OwnedStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

impl P<'_> {
    pub(super) fn role_name(&mut self) -> PgResult<RoleName> {
        let special = match self.peek() {
            Some(Token::Word(w)) if w.quote_style.is_none() => {
                match w.value.to_lowercase().as_str() {
                    "current_user" | "current_role" => Some(RoleName::CurrentUser),
                    "session_user" => Some(RoleName::SessionUser),
                    _ => None,
                }
            }
            _ => None,
        };
        match special {
            Some(r) => {
                self.i += 1;
                Ok(r)
            }
            None => Ok(RoleName::Name(self.name()?)),
        }
    }

    fn role_list(&mut self) -> PgResult<Vec<RoleName>> {
        let mut v = vec![self.role_name()?];
        while self.peek() == Some(&Token::Comma) {
            self.i += 1;
            v.push(self.role_name()?);
        }
        Ok(v)
    }
}

/// Parses the statement from its tokens (blanks left out).
pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<OwnedStmt> {
    let mut p = P { sql, toks, i: 0 };
    let reassign = p.word("reassign");
    if !reassign {
        p.expect("drop")?;
    }
    p.expect("owned")?;
    p.expect("by")?;
    let roles = p.role_list()?;
    let stmt = if reassign {
        p.expect("to")?;
        OwnedStmt::Reassign {
            roles,
            to: p.role_name()?,
        }
    } else {
        let cascade = p.word("cascade");
        if !cascade {
            p.word("restrict");
        }
        OwnedStmt::Drop { roles, cascade }
    };
    p.end()?;
    Ok(stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        assert!(is_command("REASSIGN OWNED BY a TO b"));
        assert!(is_command("drop owned by a"));
        assert!(!is_command("drop table owned"));
        assert_eq!(
            parse("reassign owned by A, \"B\", current_user to session_user").unwrap(),
            OwnedStmt::Reassign {
                roles: vec![
                    RoleName::Name("a".into()),
                    RoleName::Name("B".into()),
                    RoleName::CurrentUser
                ],
                to: RoleName::SessionUser
            }
        );
        assert_eq!(
            parse("drop owned by a cascade").unwrap(),
            OwnedStmt::Drop {
                roles: vec![RoleName::Name("a".into())],
                cascade: true
            }
        );
        assert!(parse("drop owned by a restrict").is_ok());
        let e = parse("drop owned by a b").unwrap_err();
        assert_eq!(e.code, "42601");
        assert!(parse("reassign owned by a").is_err());
    }
}
