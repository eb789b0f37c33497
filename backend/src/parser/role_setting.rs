//! ALTER ROLE | USER {name | ALL} [IN DATABASE db] SET/RESET and ALTER
//! DATABASE db SET/RESET, which sqlparser parses only in part (not a
//! list of values, FROM CURRENT, ALL or IN DATABASE with RESET): a small
//! parser over sqlparser's tokens, PostgreSQL's grammar
//! (`SetResetClause`). The statement list carries VACUUM's placeholder;
//! the engine tells it apart by [`is_command`] and parses the text again
//! with [`parse`] when it runs it.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;
use crate::error::PgResult;

/// Whose settings: a role (by name or as CURRENT_USER, ...) or every
/// role (ALL; ALTER DATABASE has no role).
#[derive(Clone, Debug, PartialEq)]
pub enum RoleSpec {
    All,
    Name(String),
    CurrentUser,
    SessionUser,
}

/// One value of `SET name TO value, ...`, as PostgreSQL's grammar keeps
/// it: a number as written, or a string (a quoted string, or a word).
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    Number(String),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SettingAction {
    /// SET name TO values.
    Set(String, Vec<SetValue>),
    /// SET name FROM CURRENT.
    FromCurrent(String),
    /// RESET name, or SET name TO DEFAULT.
    Reset(String),
    ResetAll,
}

/// A parsed statement: ALTER ROLE (`database` from IN DATABASE) or ALTER
/// DATABASE (`role` None).
#[derive(Clone, Debug, PartialEq)]
pub struct SettingStmt {
    pub role: Option<RoleSpec>,
    pub database: Option<String>,
    pub action: SettingAction,
}

impl SettingStmt {
    /// The command tag.
    pub fn tag(&self) -> &'static str {
        if self.role.is_some() {
            "ALTER ROLE"
        } else {
            "ALTER DATABASE"
        }
    }
}

/// Whether the tokens are ALTER ROLE/USER ... [IN DATABASE d] SET|RESET
/// or ALTER DATABASE d SET|RESET (not SET TABLESPACE).
pub(super) fn starts_setting_command(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    if !w(0, "alter") {
        return false;
    }
    let at = if w(1, "role") || w(1, "user") {
        if w(3, "in") {
            6
        } else {
            3
        }
    } else if w(1, "database") {
        3
    } else {
        return false;
    };
    w(at, "reset") || (w(at, "set") && !w(at + 1, "tablespace"))
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_command(sql: &str) -> bool {
    starts_setting_command(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<SettingStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

use super::word_walk::{meaningful_tokens, Walk as P};

impl P<'_> {
    /// A setting's name: identifiers joined by dots.
    fn var_name(&mut self) -> PgResult<String> {
        let mut n = self.name()?;
        while self.peek() == Some(&Token::Period) {
            self.i += 1;
            n.push('.');
            n += &self.name()?;
        }
        Ok(n)
    }

    fn value(&mut self) -> PgResult<SetValue> {
        let v = match self.peek().cloned() {
            Some(Token::Minus) | Some(Token::Plus) => {
                let neg = self.peek() == Some(&Token::Minus);
                self.i += 1;
                match self.peek().cloned() {
                    Some(Token::Number(n, _)) => {
                        SetValue::Number(if neg { format!("-{n}") } else { n })
                    }
                    _ => return self.fail(),
                }
            }
            Some(Token::Number(n, _)) => SetValue::Number(n),
            Some(Token::SingleQuotedString(s))
            | Some(Token::EscapedStringLiteral(s))
            | Some(Token::NationalStringLiteral(s)) => SetValue::Text(s),
            Some(Token::DollarQuotedString(d)) => SetValue::Text(d.value),
            Some(Token::Word(w)) => SetValue::Text(if w.quote_style.is_some() {
                w.value
            } else {
                w.value.to_lowercase()
            }),
            _ => return self.fail(),
        };
        self.i += 1;
        Ok(v)
    }
}

/// Parses the statement from its tokens (blanks left out).
pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<SettingStmt> {
    let mut p = P { sql, toks, i: 0 };
    p.expect("alter")?;
    let (role, mut database) = if p.word("database") {
        (None, Some(p.name()?))
    } else {
        if !p.word("role") {
            p.expect("user")?;
        }
        let role = match p.peek() {
            Some(t) if is_word(t, "all") => RoleSpec::All,
            Some(t) if is_word(t, "current_user") || is_word(t, "current_role") => {
                RoleSpec::CurrentUser
            }
            Some(t) if is_word(t, "session_user") => RoleSpec::SessionUser,
            _ => RoleSpec::Name(p.name()?),
        };
        if !matches!(role, RoleSpec::Name(_)) {
            p.i += 1;
        }
        (Some(role), None)
    };
    if role.is_some() && p.word("in") {
        p.expect("database")?;
        database = Some(p.name()?);
    }
    let action = if p.word("reset") {
        if p.word("all") {
            SettingAction::ResetAll
        } else {
            SettingAction::Reset(p.var_name()?)
        }
    } else {
        p.expect("set")?;
        let name = p.var_name()?;
        if p.word("from") {
            p.expect("current")?;
            SettingAction::FromCurrent(name)
        } else {
            if !p.word("to") {
                if p.peek() != Some(&Token::Eq) {
                    return p.fail();
                }
                p.i += 1;
            }
            if p.word("default") {
                SettingAction::Reset(name)
            } else {
                let mut values = vec![p.value()?];
                while p.peek() == Some(&Token::Comma) {
                    p.i += 1;
                    values.push(p.value()?);
                }
                SettingAction::Set(name, values)
            }
        }
    };
    p.end()?;
    Ok(SettingStmt {
        role,
        database,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_postgres_forms() {
        let s = parse("ALTER ROLE r IN DATABASE d SET search_path TO a, 'B c'").unwrap();
        assert_eq!(s.role, Some(RoleSpec::Name("r".into())));
        assert_eq!(s.database.as_deref(), Some("d"));
        assert_eq!(
            s.action,
            SettingAction::Set(
                "search_path".into(),
                vec![SetValue::Text("a".into()), SetValue::Text("B c".into())]
            )
        );
        let s = parse("alter database d set statement_timeout = -5").unwrap();
        assert_eq!(s.role, None);
        assert_eq!(
            s.action,
            SettingAction::Set(
                "statement_timeout".into(),
                vec![SetValue::Number("-5".into())]
            )
        );
        let s = parse("ALTER USER ALL RESET ALL").unwrap();
        assert_eq!(s.role, Some(RoleSpec::All));
        assert_eq!(s.action, SettingAction::ResetAll);
        let s = parse("ALTER ROLE current_user SET my.x FROM CURRENT").unwrap();
        assert_eq!(s.action, SettingAction::FromCurrent("my.x".into()));
        let s = parse("ALTER ROLE r SET work_mem TO DEFAULT").unwrap();
        assert_eq!(s.action, SettingAction::Reset("work_mem".into()));
        assert!(is_command("ALTER DATABASE d RESET ALL"));
        assert!(!is_command("ALTER DATABASE d SET TABLESPACE x"));
        assert!(!is_command("ALTER ROLE r WITH LOGIN"));
        let e = parse("ALTER ROLE r SET work_mem").unwrap_err();
        assert_eq!(e.code, "42601");
    }
}
