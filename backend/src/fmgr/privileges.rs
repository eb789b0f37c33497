//! The privilege inquiry functions (has_table_privilege,
//! has_sequence_privilege, has_schema_privilege, has_database_privilege,
//! pg_has_role) answered from the catalog's ACLs and memberships
//! (`catalog::roles`), as the current role or a role given by name or
//! OID; and the privilege check of the sequence functions (nextval,
//! currval, setval: 42501).

use crate::catalog::roles::{privs, ObjectKind};
use crate::catalog::RelKind;
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::FnCtx;
use crate::types::{Oid, Value};

/// The role a privilege function asks about: the current role, a name
/// (42704 when there is no such role) or an OID.
pub fn role_of(c: &FnCtx, v: Option<&Value>) -> PgResult<Oid> {
    match v {
        None => Ok(c.session.role),
        Some(Value::Text(name)) => c.catalog.role_by_name(name).map(|r| r.oid).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{name}\" does not exist"),
            )
        }),
        Some(Value::Oid(o)) => Ok(*o),
        Some(Value::Int4(o)) => Ok(*o as Oid),
        Some(Value::Int8(o)) => Ok(*o as Oid),
        Some(_) => Ok(0),
    }
}

/// Parses a privilege list ("SELECT, INSERT WITH GRANT OPTION") into the
/// privileges asked and those asked with the grant option.
fn privilege_list(v: &Value, allowed: &[(&str, u32)]) -> PgResult<(u32, u32)> {
    let text = match v {
        Value::Text(s) => s.as_str(),
        _ => "",
    };
    let (mut mask, mut grant) = (0, 0);
    for chunk in text.split(',') {
        let lower = chunk.trim().to_ascii_lowercase();
        let (name, with_grant) = match lower.strip_suffix("with grant option") {
            Some(n) => (n.trim_end(), true),
            None => match lower.strip_suffix("with admin option") {
                Some(n) => (n.trim_end(), true),
                None => (lower.as_str(), false),
            },
        };
        let Some(&(_, bit)) = allowed.iter().find(|(n, _)| *n == name) else {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("unrecognized privilege type: \"{}\"", chunk.trim()),
            ));
        };
        mask |= bit;
        if with_grant {
            grant |= bit;
        }
    }
    Ok((mask, grant))
}

const TABLE_PRIVS: &[(&str, u32)] = &[
    ("select", privs::SELECT),
    ("insert", privs::INSERT),
    ("update", privs::UPDATE),
    ("delete", privs::DELETE),
    ("truncate", privs::TRUNCATE),
    ("references", privs::REFERENCES),
    ("trigger", privs::TRIGGER),
];

/// Whether `role` holds any of `mask` (any of `grant` with the grant
/// option) on an object.
fn holds(
    c: &FnCtx,
    role: Oid,
    obj: Oid,
    kind: ObjectKind,
    owner: Oid,
    (mask, grant): (u32, u32),
) -> bool {
    let cat = c.catalog;
    cat.privilege_mask(role, obj, kind, owner, mask & !grant) != 0
        || cat.grant_option_mask(role, obj, kind, owner, grant) != 0
}

/// The kind of a relation (its ACL's): sequences have their own.
pub fn relation_kind(c: &FnCtx, rel: Oid) -> ObjectKind {
    if c.catalog.sequence_by_oid(rel).is_some() {
        ObjectKind::Sequence
    } else {
        ObjectKind::Relation
    }
}

/// has_table_privilege (and has_any_column_privilege, has_column_privilege:
/// pgfork has no column privileges, so a column has its table's).
pub fn table_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    rel: Option<Oid>,
    privs_arg: &Value,
    allowed_column_privs: bool,
) -> PgResult<Value> {
    let list = if allowed_column_privs {
        privilege_list(privs_arg, &TABLE_PRIVS[..4])
            .map(|(m, g)| (m & !privs::DELETE, g & !privs::DELETE))?
    } else {
        privilege_list(privs_arg, TABLE_PRIVS)?
    };
    let role = role_of(c, role)?;
    let Some(rel) = rel else {
        return Ok(Value::Null);
    };
    let kind = relation_kind(c, rel);
    let owner = c.catalog.owner_of(rel);
    Ok(Value::Bool(holds(c, role, rel, kind, owner, list)))
}

/// has_sequence_privilege (42809 for a relation that is not a sequence).
pub fn sequence_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    rel: Option<Oid>,
    privs_arg: &Value,
) -> PgResult<Value> {
    let list = privilege_list(
        privs_arg,
        &[
            ("usage", privs::USAGE),
            ("select", privs::SELECT),
            ("update", privs::UPDATE),
        ],
    )?;
    let role = role_of(c, role)?;
    let Some(rel) = rel else {
        return Ok(Value::Null);
    };
    let is_seq = c
        .catalog
        .relation_name(rel)
        .and_then(|n| c.catalog.relkind(n))
        .is_some_and(|(k, _)| k == RelKind::Sequence);
    if !is_seq {
        return Err(PgError::new(
            "42809",
            format!(
                "\"{}\" is not a sequence",
                c.catalog.relation_name(rel).unwrap_or_default()
            ),
        ));
    }
    let owner = c.catalog.owner_of(rel);
    Ok(Value::Bool(holds(
        c,
        role,
        rel,
        ObjectKind::Sequence,
        owner,
        list,
    )))
}

/// has_schema_privilege of schema `nsp` (None: NULL, an unknown OID).
pub fn schema_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    nsp: Option<Oid>,
    privs_arg: &Value,
) -> PgResult<Value> {
    let list = privilege_list(
        privs_arg,
        &[("create", privs::CREATE), ("usage", privs::USAGE)],
    )?;
    let role = role_of(c, role)?;
    let Some(nsp) = nsp else {
        return Ok(Value::Null);
    };
    let owner = c.catalog.schema_owner(nsp);
    Ok(Value::Bool(holds(
        c,
        role,
        nsp,
        ObjectKind::Schema,
        owner,
        list,
    )))
}

/// has_database_privilege of the database (None: NULL, an unknown OID).
pub fn database_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    db: Option<Oid>,
    privs_arg: &Value,
) -> PgResult<Value> {
    let list = privilege_list(
        privs_arg,
        &[
            ("create", privs::CREATE),
            ("connect", privs::CONNECT),
            ("temporary", privs::TEMP),
            ("temp", privs::TEMP),
        ],
    )?;
    let role = role_of(c, role)?;
    let Some(db) = db else {
        return Ok(Value::Null);
    };
    Ok(Value::Bool(holds(
        c,
        role,
        db,
        ObjectKind::Database,
        c.catalog.database_owner(db),
        list,
    )))
}

/// pg_has_role(user, role, 'MEMBER' | 'USAGE' | 'SET'): membership (any
/// chain) or having the role's privileges (through INHERIT roles).
pub fn has_role(c: &FnCtx, user: Option<&Value>, role: Oid, privs_arg: &Value) -> PgResult<Value> {
    const MEMBER: u32 = 1;
    const USAGE: u32 = 2;
    let (mask, _) = privilege_list(
        privs_arg,
        &[("member", MEMBER), ("usage", USAGE), ("set", MEMBER)],
    )?;
    let user = role_of(c, user)?;
    let cat = c.catalog;
    let ok = (mask & MEMBER != 0 && cat.is_member_of_role(user, role))
        || (mask & USAGE != 0 && cat.has_privs_of_role(user, role));
    Ok(Value::Bool(ok))
}

/// The OID of database `name` (3D000 when there is none).
pub fn database_by_name(c: &FnCtx, name: &str) -> PgResult<Oid> {
    c.catalog
        .database_oid(name)
        .ok_or_else(|| crate::catalog::database::undefined(name))
}

/// The check of nextval (USAGE or UPDATE), currval (SELECT or USAGE)
/// and setval (UPDATE) on sequence `seq`: 42501 "permission denied for
/// sequence s".
pub fn check_sequence(c: &FnCtx, seq: Oid, mask: u32) -> PgResult<()> {
    let owner = c.catalog.owner_of(seq);
    if c.catalog
        .has_privilege(c.session.role, seq, ObjectKind::Sequence, owner, mask)
    {
        return Ok(());
    }
    let name = c.catalog.relation_name(seq).unwrap_or_default();
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for sequence {name}"),
    ))
}
