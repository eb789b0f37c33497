//! Access privileges as the catalog shows them: acldefault(), the
//! built-in privileges an object's owner has (and PUBLIC's) when its ACL
//! column is NULL, in aclitem's text form (`grantee=privs/grantor`, an
//! empty grantee for PUBLIC) as text[] (pgfork's type for ACL columns).
//! pg_dump compares each object's ACL with it to decide what to GRANT.

use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::catalog::role_name;
use crate::fmgr::{f, FnCtx, FuncDef};
use crate::types::{oid, Value};

/// (object type letter, PUBLIC's privileges, the owner's privileges), as
/// PostgreSQL's acldefault() grants them.
const DEFAULTS: &[(char, &str, &str)] = &[
    ('c', "", ""),
    ('r', "", "arwdDxt"),
    ('s', "", "rwU"),
    ('d', "Tc", "CTc"),
    ('f', "X", "X"),
    ('l', "U", "U"),
    ('L', "", "rw"),
    ('n', "", "UC"),
    ('t', "", "C"),
    ('F', "", "U"),
    ('S', "", "U"),
    ('T', "U", "U"),
    ('p', "", "sA"),
];

/// The aclitem text of a grantee (empty: PUBLIC) holding `privs`.
fn item(grantee: &str, privs: &str, grantor: &str) -> Value {
    Value::Text(format!("{grantee}={privs}/{grantor}"))
}

/// The ACL initdb gives the built-in schemas (pg_namespace.nspacl and
/// their pg_init_privs rows): the owner's USAGE and CREATE, PUBLIC's
/// USAGE.
pub fn schema_acl(c: &FnCtx, owner: u32) -> Value {
    let name = role_name(c, owner).unwrap_or_else(|| owner.to_string());
    Value::Array(
        oid::TEXT,
        vec![item(&name, "UC", &name), item("", "U", &name)],
    )
}

fn acldefault(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let kind = match &a[0] {
        Value::Text(s) => s.chars().next().unwrap_or('\0'),
        _ => '\0',
    };
    let owner = match a[1] {
        Value::Oid(o) => o,
        _ => 0,
    };
    let Some(&(_, public, own)) = DEFAULTS.iter().find(|d| d.0 == kind) else {
        return Err(PgError::new(
            sqlstate::INTERNAL_ERROR,
            format!("unrecognized object type abbreviation: {kind}"),
        ));
    };
    let name = role_name(c, owner).unwrap_or_else(|| owner.to_string());
    let mut items = Vec::new();
    // Columns have no privileges by default (their table's apply).
    if kind != 'c' {
        if !public.is_empty() {
            items.push(item("", public, &name));
        }
        items.push(item(&name, own, &name));
    }
    Ok(Value::Array(oid::TEXT, items))
}

pub static ACL_FUNCS: &[FuncDef] = &[f(
    "acldefault",
    &[oid::CHAR, oid::OID],
    oid::TEXT_ARRAY,
    acldefault,
)];
