//! ALTER TABLE name OWNER TO role, for a table, view or sequence (pg_dump
//! writes one after each object it creates). Every relation in pgfork is
//! owned by the bootstrap superuser, which is the session's user: giving
//! one to that role, by name or as CURRENT_USER/SESSION_USER, changes
//! nothing; any other name is not a role pgfork has (42704), except
//! pg_database_owner, a group role that cannot own a relation here
//! (pgfork keeps one owner for all), which is refused with 0A000.

use sqlparser::ast;

use crate::analyze::from::{no_relation, split_name};
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::{ident, object_name};

/// Whether an ALTER TABLE consists of OWNER TO alone.
pub fn is_owner_to(at: &ast::AlterTable) -> bool {
    matches!(
        at.operations.as_slice(),
        [ast::AlterTableOperation::OwnerTo { .. }]
    )
}

/// Runs ALTER ... OWNER TO; returns the command tag.
pub fn alter_owner(
    cat: &Catalog,
    at: &ast::AlterTable,
    user: &str,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    let [ast::AlterTableOperation::OwnerTo { new_owner }] = at.operations.as_slice() else {
        return Err(PgError::internal("not an OWNER TO"));
    };
    let tag = "ALTER TABLE";
    let role = match new_owner {
        ast::Owner::Ident(i) => ident(i),
        _ => user.to_owned(),
    };
    let parts = object_name(&at.name);
    let (schema, rel) = split_name(&parts)?;
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    let found = cat.resolve_relation(schema, rel);
    if found.is_none() {
        if at.if_exists {
            notices.push(super::ddl::notice(format!(
                "relation \"{rel}\" does not exist, skipping"
            )));
            return Ok(tag.into());
        }
        return Err(no_relation(&parts.join(".")));
    }
    if role == user {
        return Ok(tag.into());
    }
    if role == "pg_database_owner" {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "ALTER ... OWNER TO pg_database_owner is not supported yet",
        ));
    }
    Err(PgError::new(
        "42704",
        format!("role \"{role}\" does not exist"),
    ))
}
