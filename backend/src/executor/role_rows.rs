//! The rows of pg_authid, pg_roles, pg_user and pg_auth_members, from
//! the catalog's roles and memberships (`catalog::roles`), predefined
//! roles included.

use crate::catalog::roles::RoleDesc;
use crate::fmgr::FnCtx;
use crate::types::Value;

fn valid_until(r: &RoleDesc) -> Value {
    r.valid_until.map_or(Value::Null, Value::TimestampTz)
}

pub fn authid_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .all_roles()
        .iter()
        .map(|r| {
            vec![
                Value::Oid(r.oid),
                Value::Text(r.name.clone()),
                Value::Bool(r.superuser),
                Value::Bool(r.inherit),
                Value::Bool(r.createrole),
                Value::Bool(r.createdb),
                Value::Bool(r.login),
                Value::Bool(r.replication),
                Value::Bool(r.bypassrls),
                Value::Int4(r.connlimit),
                r.password.clone().map_or(Value::Null, Value::Text),
                valid_until(r),
            ]
        })
        .collect()
}

/// rolconfig, useconfig: the role's settings in every database (ALTER
/// ROLE ... SET without IN DATABASE), NULL when none.
fn role_config(ctx: &FnCtx, role: crate::types::Oid) -> Value {
    match ctx.catalog.db_role_settings.get(&(0, role)) {
        Some(items) => Value::Array(
            crate::types::oid::TEXT,
            items.iter().cloned().map(Value::Text).collect(),
        ),
        None => Value::Null,
    }
}

pub fn roles_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .all_roles()
        .iter()
        .map(|r| {
            vec![
                Value::Text(r.name.clone()),
                Value::Bool(r.superuser),
                Value::Bool(r.inherit),
                Value::Bool(r.createrole),
                Value::Bool(r.createdb),
                Value::Bool(r.login),
                Value::Bool(r.replication),
                Value::Int4(r.connlimit),
                Value::Text("********".into()),
                valid_until(r),
                Value::Bool(r.bypassrls),
                role_config(ctx, r.oid),
                Value::Oid(r.oid),
            ]
        })
        .collect()
}

/// pg_user: the roles that can log in.
pub fn user_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .all_roles()
        .iter()
        .filter(|r| r.login)
        .map(|r| {
            vec![
                Value::Text(r.name.clone()),
                Value::Oid(r.oid),
                Value::Bool(r.createdb),
                Value::Bool(r.superuser),
                Value::Bool(r.replication),
                Value::Bool(r.bypassrls),
                Value::Text("********".into()),
                valid_until(r),
                role_config(ctx, r.oid),
            ]
        })
        .collect()
}

pub fn auth_members_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .all_members()
        .iter()
        .map(|m| {
            vec![
                Value::Oid(m.role),
                Value::Oid(m.member),
                Value::Oid(m.grantor),
                Value::Bool(m.admin),
            ]
        })
        .collect()
}
