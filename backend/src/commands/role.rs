//! CREATE ROLE / USER / GROUP, ALTER ROLE (attributes, RENAME TO), DROP
//! ROLE [IF EXISTS] (2BP01 while objects of any database depend on it:
//! `catalog::shdepend`),
//! GRANT role TO role [WITH ADMIN OPTION] and REVOKE role FROM role, on
//! the catalog's roles (`catalog::roles`), with PostgreSQL 15's rules of
//! who may do what and its messages. They change the catalog and so
//! commit or roll back with their transaction like any DDL.

use std::sync::Arc;

use sqlparser::ast;

use crate::catalog::roles::{AuthMember, RoleDesc, BOOTSTRAP_SUPERUSER};
use crate::catalog::shdepend::{DatabaseDeps, SharedDep};
use crate::catalog::Catalog;
use crate::commands::ddl::notice;
use crate::commands::transaction::warning;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::{ident, object_name};
use crate::types::{oid, Oid, Value};

/// 0LP01: PostgreSQL's invalid_grant_operation.
const INVALID_GRANT_OPERATION: &str = "0LP01";
/// 42939: reserved_name.
const RESERVED_NAME: &str = "42939";
/// 55006: object_in_use.
const OBJECT_IN_USE: &str = "55006";
/// 2BP01: dependent_objects_still_exist.
const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";

/// Who runs a role command: the current role and the session user.
pub struct Actor {
    pub role: Oid,
    pub session_role: Oid,
}

fn denied(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::INSUFFICIENT_PRIVILEGE, msg)
}

fn no_role(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("role \"{name}\" does not exist"),
    )
}

fn role_named(cat: &Catalog, name: &str) -> PgResult<Arc<RoleDesc>> {
    cat.role_by_name(name).ok_or_else(|| no_role(name))
}

fn is_predefined(oid: Oid) -> bool {
    crate::catalog::roles::PREDEFINED_ROLES
        .iter()
        .any(|p| p.0 == oid)
}

/// A new role name must not start with "pg_".
fn check_reserved(name: &str) -> PgResult<()> {
    if name.starts_with("pg_") {
        return Err(
            PgError::new(RESERVED_NAME, format!("role name \"{name}\" is reserved"))
                .with_detail("Role names starting with \"pg_\" are reserved."),
        );
    }
    Ok(())
}

/// The constant of an option (CONNECTION LIMIT 5, VALID UNTIL '...').
fn option_text(e: &ast::Expr) -> PgResult<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => Ok(n.clone()),
            ast::Value::SingleQuotedString(s) => Ok(s.clone()),
            _ => Err(PgError::new(sqlstate::SYNTAX_ERROR, "syntax error")),
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => Ok(format!("-{}", option_text(expr)?)),
        _ => Err(PgError::new(sqlstate::SYNTAX_ERROR, "syntax error")),
    }
}

fn conn_limit(e: &ast::Expr) -> PgResult<i32> {
    let t = option_text(e)?;
    let n: i32 = t.parse().map_err(|_| {
        PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid connection limit: {t}"),
        )
    })?;
    if n < -1 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid connection limit: {n}"),
        ));
    }
    Ok(n)
}

fn valid_until(e: &ast::Expr) -> PgResult<i64> {
    match Value::parse_text(oid::TIMESTAMPTZ, &option_text(e)?)? {
        Value::TimestampTz(t) => Ok(t),
        _ => Err(PgError::internal("timestamptz")),
    }
}

/// A password as pg_authid keeps it: a SCRAM-SHA-256 verifier (as
/// PostgreSQL's password_encryption = scram-sha-256), or a verifier
/// given already encrypted, kept as given.
fn encrypt_password(p: &ast::Password) -> PgResult<Option<String>> {
    let ast::Password::Password(e) = p else {
        return Ok(None);
    };
    let plain = option_text(e)?;
    if plain.starts_with("SCRAM-SHA-256$") || (plain.starts_with("md5") && plain.len() == 35) {
        return Ok(Some(plain));
    }
    Ok(Some(scram_verifier(&plain)))
}

/// `SCRAM-SHA-256$4096:salt$StoredKey:ServerKey`, base64 parts.
fn scram_verifier(password: &str) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    use rand::RngCore;
    use sha2::Digest;
    type HmacSha256 = hmac::Hmac<sha2::Sha256>;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), &salt, 4096, &mut salted);
    let mac = |msg: &[u8]| {
        let mut m = HmacSha256::new_from_slice(&salted).expect("HMAC takes any key");
        m.update(msg);
        m.finalize().into_bytes()
    };
    let client_key = mac(b"Client Key");
    let stored = sha2::Sha256::digest(client_key);
    let server = mac(b"Server Key");
    let b64 = base64::engine::general_purpose::STANDARD;
    format!(
        "SCRAM-SHA-256$4096:{}${}:{}",
        b64.encode(salt),
        b64.encode(stored),
        b64.encode(server)
    )
}

/// Applies role options; returns whether SUPERUSER was named (set or
/// cleared), for the permission check.
fn apply_options(r: &mut RoleDesc, opts: &[ast::RoleOption]) -> PgResult<bool> {
    let mut touches_super = false;
    for o in opts {
        match o {
            ast::RoleOption::SuperUser(v) => {
                touches_super = true;
                r.superuser = *v;
            }
            ast::RoleOption::CreateDB(v) => r.createdb = *v,
            ast::RoleOption::CreateRole(v) => r.createrole = *v,
            ast::RoleOption::Inherit(v) => r.inherit = *v,
            ast::RoleOption::Login(v) => r.login = *v,
            ast::RoleOption::Replication(v) => {
                touches_super = true;
                r.replication = *v
            }
            ast::RoleOption::BypassRLS(v) => {
                touches_super = true;
                r.bypassrls = *v
            }
            ast::RoleOption::ConnectionLimit(e) => r.connlimit = conn_limit(e)?,
            ast::RoleOption::Password(p) => r.password = encrypt_password(p)?,
            ast::RoleOption::ValidUntil(e) => r.valid_until = Some(valid_until(e)?),
        }
    }
    Ok(touches_super)
}

/// The superuser or CREATEROLE check of a role command.
fn check_createrole(cat: &Catalog, actor: &Actor, what: &str) -> PgResult<()> {
    let me = cat.role(actor.role);
    if me.as_ref().is_some_and(|r| r.superuser || r.createrole) {
        return Ok(());
    }
    Err(denied(format!("permission denied to {what}")))
}

/// Adds `member` to `role` (GRANT role TO member).
fn add_member(
    cat: &mut Catalog,
    role: &RoleDesc,
    member: &RoleDesc,
    grantor: Oid,
    admin: bool,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    if role.oid == member.oid || cat.roles_of(role.oid, false).contains(&member.oid) {
        return Err(PgError::new(
            INVALID_GRANT_OPERATION,
            format!(
                "role \"{}\" is a member of role \"{}\"",
                role.name, member.name
            ),
        ));
    }
    if let Some(m) = cat
        .members
        .iter_mut()
        .find(|m| m.role == role.oid && m.member == member.oid)
    {
        if admin && !m.admin {
            m.admin = true;
            return Ok(());
        }
        notices.push(notice(format!(
            "role \"{}\" is already a member of role \"{}\"",
            member.name, role.name
        )));
        return Ok(());
    }
    cat.members.push(AuthMember {
        role: role.oid,
        member: member.oid,
        grantor,
        admin,
    });
    Ok(())
}

/// May the actor grant or revoke membership in `role`? A superuser, a
/// CREATEROLE role (for roles that are not superusers), or a member
/// with the admin option.
fn check_admin(cat: &Catalog, actor: &Actor, role: &RoleDesc) -> PgResult<()> {
    if cat.is_superuser(actor.role) {
        return Ok(());
    }
    if role.superuser {
        return Err(denied("must be superuser to alter superusers"));
    }
    let me = cat.role(actor.role);
    if me.is_some_and(|r| r.createrole) && !is_predefined(role.oid) {
        return Ok(());
    }
    let admin = cat.all_members().iter().any(|m| {
        m.role == role.oid && m.admin && cat.roles_of(actor.role, false).contains(&m.member)
    });
    if admin {
        return Ok(());
    }
    Err(denied(format!(
        "must have admin option on role \"{}\"",
        role.name
    )))
}

/// CREATE ROLE, USER or GROUP.
pub fn create_role(
    cat: &mut Catalog,
    cr: &ast::CreateRole,
    actor: &Actor,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    for n in &cr.names {
        let name = object_name(n).join(".");
        let mut r = RoleDesc::new(0, name.clone());
        let mut opts = Vec::new();
        let flags = [
            (
                cr.superuser,
                ast::RoleOption::SuperUser as fn(bool) -> ast::RoleOption,
            ),
            (cr.create_db, ast::RoleOption::CreateDB),
            (cr.create_role, ast::RoleOption::CreateRole),
            (cr.inherit, ast::RoleOption::Inherit),
            (cr.login, ast::RoleOption::Login),
            (cr.replication, ast::RoleOption::Replication),
            (cr.bypassrls, ast::RoleOption::BypassRLS),
        ];
        for (v, mk) in flags {
            if let Some(v) = v {
                opts.push(mk(v));
            }
        }
        if let Some(p) = &cr.password {
            opts.push(ast::RoleOption::Password(p.clone()));
        }
        if let Some(e) = &cr.connection_limit {
            opts.push(ast::RoleOption::ConnectionLimit(e.clone()));
        }
        if let Some(e) = &cr.valid_until {
            opts.push(ast::RoleOption::ValidUntil(e.clone()));
        }
        let touches_super = apply_options(&mut r, &opts)?;
        if r.superuser || (touches_super && (r.replication || r.bypassrls)) {
            if !cat.is_superuser(actor.role) {
                return Err(denied(if r.superuser {
                    "must be superuser to create superusers"
                } else if r.replication {
                    "must be superuser to create replication users"
                } else {
                    "must be superuser to create bypassrls users"
                }));
            }
        } else {
            check_createrole(cat, actor, "create role")?;
        }
        check_reserved(&name)?;
        if cat.role_by_name(&name).is_some() {
            if cr.if_not_exists {
                notices.push(notice(format!("role \"{name}\" already exists, skipping")));
                continue;
            }
            return Err(PgError::new(
                sqlstate::DUPLICATE_OBJECT,
                format!("role \"{name}\" already exists"),
            ));
        }
        r.oid = cat.alloc_oid();
        let r = Arc::new(r);
        cat.roles.push(r.clone());
        for parent in cr.in_role.iter().chain(&cr.in_group) {
            let parent = role_named(cat, &ident(parent))?;
            check_admin(cat, actor, &parent)?;
            add_member(cat, &parent, &r, actor.role, false, notices)?;
        }
        for (list, admin) in [(&cr.role, false), (&cr.user, false), (&cr.admin, true)] {
            for m in list {
                let m = role_named(cat, &ident(m))?;
                add_member(cat, &r, &m, actor.role, admin, notices)?;
            }
        }
    }
    Ok(())
}

/// ALTER ROLE name WITH options | RENAME TO new.
pub fn alter_role(
    cat: &mut Catalog,
    name: &ast::Ident,
    op: &ast::AlterRoleOperation,
    actor: &Actor,
) -> PgResult<&'static str> {
    let name = ident(name);
    let role = role_named(cat, &name)?;
    let me_super = cat.is_superuser(actor.role);
    let idx = cat.roles.iter().position(|r| r.oid == role.oid);
    match op {
        ast::AlterRoleOperation::RenameRole { role_name } => {
            let new = ident(role_name);
            if role.oid == actor.session_role {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "session user cannot be renamed",
                ));
            }
            if role.oid == actor.role {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "current user cannot be renamed",
                ));
            }
            let Some(idx) = idx.filter(|_| !is_predefined(role.oid)) else {
                return Err(PgError::new(
                    sqlstate::INSUFFICIENT_PRIVILEGE,
                    format!("cannot rename role \"{name}\""),
                ));
            };
            if cat.role_by_name(&new).is_some() {
                return Err(PgError::new(
                    sqlstate::DUPLICATE_OBJECT,
                    format!("role \"{new}\" already exists"),
                ));
            }
            check_reserved(&new)?;
            if role.superuser && !me_super {
                return Err(denied("must be superuser to rename superusers"));
            }
            check_createrole(cat, actor, "rename role")?;
            Arc::make_mut(&mut cat.roles[idx]).name = new;
            Ok("ALTER ROLE")
        }
        ast::AlterRoleOperation::WithOptions { options } => {
            let Some(idx) = idx else {
                return Err(denied(format!("cannot alter role \"{name}\"")));
            };
            let mut r = (*role).clone();
            let touches_super = apply_options(&mut r, options)?;
            if !me_super {
                if role.superuser || touches_super {
                    return Err(denied(
                        "must be superuser to alter superuser roles or change superuser attribute",
                    ));
                }
                let only_own_password = role.oid == actor.role
                    && options
                        .iter()
                        .all(|o| matches!(o, ast::RoleOption::Password(_)));
                if !only_own_password {
                    check_createrole(cat, actor, "alter role")?;
                }
            }
            if role.oid == BOOTSTRAP_SUPERUSER && !r.superuser {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "permission denied: bootstrap user must be superuser",
                ));
            }
            cat.roles[idx] = Arc::new(r);
            Ok("ALTER ROLE")
        }
        _ => Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "ALTER ROLE ... SET and RESET are not supported yet",
        )),
    }
}

/// Every database's pg_shdepend rows (`Catalog::cluster_shared_dependencies`
/// of the session's catalog): this database's and the shared ones, then
/// each other database's.
pub type ClusterDeps<'a> = &'a dyn Fn(&Catalog) -> (Vec<SharedDep>, Vec<DatabaseDeps>);

/// DROP ROLE [IF EXISTS] names: refused (2BP01, PostgreSQL's DETAIL
/// lines) while objects of any database depend on a role.
pub fn drop_roles(
    cat: &mut Catalog,
    names: &[ast::ObjectName],
    if_exists: bool,
    actor: &Actor,
    cluster: ClusterDeps<'_>,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    check_createrole(cat, actor, "drop role")?;
    for n in names {
        let name = object_name(n).join(".");
        let Some(role) = cat.role_by_name(&name) else {
            if if_exists {
                notices.push(notice(format!("role \"{name}\" does not exist, skipping")));
                continue;
            }
            return Err(no_role(&name));
        };
        if role.oid == actor.role {
            return Err(PgError::new(
                OBJECT_IN_USE,
                "current user cannot be dropped",
            ));
        }
        if role.oid == actor.session_role {
            return Err(PgError::new(
                OBJECT_IN_USE,
                "session user cannot be dropped",
            ));
        }
        if role.oid == BOOTSTRAP_SUPERUSER || is_predefined(role.oid) {
            return Err(PgError::new(
                "2BP01",
                format!("cannot drop role {name} because it is required by the database system"),
            ));
        }
        if role.superuser && !cat.is_superuser(actor.role) {
            return Err(denied("must be superuser to drop superusers"));
        }
        let (local, others) = cluster(cat);
        let details = cat.role_dependency_lines(role.oid, &local, &others);
        if !details.is_empty() {
            return Err(PgError::new(
                DEPENDENT_OBJECTS_STILL_EXIST,
                format!("role \"{name}\" cannot be dropped because some objects depend on it"),
            )
            .with_detail(details.join("\n")));
        }
        cat.roles.retain(|r| r.oid != role.oid);
        cat.members
            .retain(|m| m.role != role.oid && m.member != role.oid);
    }
    Ok(())
}

/// GRANT role, ... TO role, ... [WITH ADMIN OPTION].
pub fn grant_role(
    cat: &mut Catalog,
    g: &ast::GrantRole,
    actor: &Actor,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    let admin = g
        .options
        .iter()
        .any(|o| ident(&o.name) == "admin" && !matches!(o.value, ast::RoleGrantOptionValue::False));
    for r in &g.roles {
        let role = role_named(cat, &ident(r))?;
        check_admin(cat, actor, &role)?;
        for m in &g.grantees {
            let member = grantee_role(cat, m)?;
            add_member(cat, &role, &member, actor.role, admin, notices)?;
        }
    }
    Ok(())
}

/// REVOKE [ADMIN OPTION FOR] role, ... FROM role, ...
pub fn revoke_role(
    cat: &mut Catalog,
    r: &ast::RevokeRole,
    actor: &Actor,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    let admin_only = r.option_for.is_some();
    for name in &r.roles {
        let role = role_named(cat, &ident(name))?;
        check_admin(cat, actor, &role)?;
        for m in &r.grantees {
            let member = grantee_role(cat, m)?;
            let pos = cat
                .members
                .iter()
                .position(|x| x.role == role.oid && x.member == member.oid);
            match pos {
                None => notices.push(warning(
                    sqlstate::WARNING,
                    &format!(
                        "role \"{}\" is not a member of role \"{}\"",
                        member.name, role.name
                    ),
                )),
                Some(p) if admin_only => cat.members[p].admin = false,
                Some(p) => {
                    cat.members.remove(p);
                }
            }
        }
    }
    Ok(())
}

/// A grantee that must be a role (not PUBLIC).
fn grantee_role(cat: &Catalog, g: &ast::Grantee) -> PgResult<Arc<RoleDesc>> {
    match &g.name {
        Some(ast::GranteeName::ObjectName(n)) => role_named(cat, &object_name(n).join(".")),
        _ => Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            "role \"public\" does not exist",
        )),
    }
}
