//! ALTER FUNCTION | PROCEDURE | ROUTINE signature OWNER TO role, ALTER
//! TYPE name OWNER TO role and ALTER [MATERIALIZED] VIEW [IF EXISTS] name
//! OWNER TO role, which sqlparser does not parse (pg_dump writes the
//! first two after every routine and type it creates): a small parser
//! over sqlparser's tokens, PostgreSQL's grammar (`AlterOwnerStmt`). A
//! routine's signature is read by sqlparser as DROP FUNCTION's. The
//! statement list carries VACUUM's placeholder; the engine tells it apart
//! by [`is_command`] and parses the text again with [`parse`] when it
//! runs it. (ALTER TABLE, SEQUENCE, DOMAIN, SCHEMA and DATABASE ... OWNER
//! TO have parsers of their own.)

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;
use super::owned::RoleName;
use super::word_walk::{meaningful_tokens, signature, Walk as P};
use crate::error::PgResult;

/// What kind of routine an ALTER names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutineKind {
    Function,
    Procedure,
    /// ROUTINE: either.
    Routine,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OwnerTarget {
    Routine {
        kind: RoutineKind,
        desc: ast::FunctionDesc,
    },
    Type(Vec<String>),
    View {
        materialized: bool,
        if_exists: bool,
        name: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterOwnerStmt {
    pub target: OwnerTarget,
    pub owner: RoleName,
}

/// Whether the tokens are one of the ALTER ... OWNER TO forms read here:
/// the kind's words first, OWNER TO and one more token last.
pub(super) fn starts_alter_owner(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    let n = words.len();
    n >= 5
        && w(0, "alter")
        && (["function", "procedure", "routine", "type", "view"]
            .iter()
            .any(|k| w(1, k))
            || (w(1, "materialized") && w(2, "view")))
        && w(n - 3, "owner")
        && w(n - 2, "to")
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_command(sql: &str) -> bool {
    starts_alter_owner(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<AlterOwnerStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

/// Parses the statement from its tokens (blanks left out).
pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<AlterOwnerStmt> {
    let mut p = P { sql, toks, i: 0 };
    p.expect("alter")?;
    let owner_at = toks.len() - 3;
    let target = if p.word("type") {
        let name = p.qualified_name()?;
        OwnerTarget::Type(name)
    } else if p.peek_word("view") || p.peek_word("materialized") {
        let materialized = p.word("materialized");
        p.expect("view")?;
        let if_exists = p.word("if");
        if if_exists {
            p.expect("exists")?;
        }
        OwnerTarget::View {
            materialized,
            if_exists,
            name: p.qualified_name()?,
        }
    } else {
        let kind = if p.word("function") {
            RoutineKind::Function
        } else if p.word("procedure") {
            RoutineKind::Procedure
        } else {
            p.expect("routine")?;
            RoutineKind::Routine
        };
        if p.i >= owner_at || matches!(toks[p.i].token, Token::LParen) {
            return p.fail();
        }
        let Some(desc) = signature(sql, toks, p.i, owner_at) else {
            return p.fail();
        };
        p.i = owner_at;
        OwnerTarget::Routine { kind, desc }
    };
    p.expect("owner")?;
    p.expect("to")?;
    let owner = p.role_name()?;
    p.end()?;
    Ok(AlterOwnerStmt { target, owner })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        assert!(is_command("ALTER FUNCTION public.f(integer) OWNER TO bob"));
        assert!(is_command(
            "alter materialized view mv owner to current_user"
        ));
        assert!(!is_command("ALTER TABLE t OWNER TO bob"));
        assert!(!is_command("ALTER TYPE t RENAME TO u"));
        let s = parse("ALTER FUNCTION public.f(integer, text) OWNER TO \"Bob\"").unwrap();
        assert_eq!(s.owner, RoleName::Name("Bob".into()));
        let OwnerTarget::Routine { kind, desc } = s.target else {
            panic!("{s:?}")
        };
        assert_eq!(kind, RoutineKind::Function);
        assert_eq!(desc.args.map(|a| a.len()), Some(2));
        let s = parse("alter procedure p owner to session_user").unwrap();
        assert!(matches!(
            s.target,
            OwnerTarget::Routine {
                kind: RoutineKind::Procedure,
                ref desc
            } if desc.args.is_none()
        ));
        assert_eq!(s.owner, RoleName::SessionUser);
        assert_eq!(
            parse("ALTER TYPE s.mood OWNER TO bob").unwrap().target,
            OwnerTarget::Type(vec!["s".into(), "mood".into()])
        );
        assert_eq!(
            parse("ALTER VIEW IF EXISTS v OWNER TO bob").unwrap().target,
            OwnerTarget::View {
                materialized: false,
                if_exists: true,
                name: vec!["v".into()]
            }
        );
        assert_eq!(
            parse("ALTER VIEW v w OWNER TO bob").unwrap_err().code,
            "42601"
        );
        assert_eq!(
            parse("ALTER FUNCTION OWNER TO bob").unwrap_err().code,
            "42601"
        );
        assert_eq!(
            parse("ALTER TYPE t OWNER TO bob cascade").unwrap_err().code,
            "42601"
        );
    }
}
