//! ALTER TABLE name OWNER TO role (for a table, view, sequence or index;
//! pg_dump writes one after each object it creates): any existing role
//! (42704 otherwise), by name or as CURRENT_USER / SESSION_USER. A
//! superuser may give any object to anyone; another role must own the
//! object and be a member of the new owner (42501). The table's indexes
//! and the sequences its columns own follow it, and the ACL's entries
//! for the old owner become the new owner's (PostgreSQL's aclnewowner).
//! Also the ownership checks of other DDL: `check_owner`.

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::from::{no_relation, split_name};
use crate::catalog::roles::{privs, ObjectKind, RoleDesc};
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::alter_owner::{AlterOwnerStmt, OwnerTarget, RoutineKind};
use crate::parser::owned::RoleName;
use crate::parser::{ident, object_name};
use crate::types::Oid;

/// Whether an ALTER TABLE consists of OWNER TO alone.
pub fn is_owner_to(at: &ast::AlterTable) -> bool {
    matches!(
        at.operations.as_slice(),
        [ast::AlterTableOperation::OwnerTo { .. }]
    )
}

/// The word PostgreSQL's messages use for a relation of `kind`.
pub fn relkind_word(kind: RelKind) -> &'static str {
    match kind {
        RelKind::Table => "table",
        RelKind::Index => "index",
        RelKind::Sequence => "sequence",
        RelKind::View => "view",
    }
}

/// 42501 "must be owner of table t" unless `role` has the privileges of
/// the relation's owner (a superuser has everyone's).
pub fn check_owner(cat: &Catalog, role: Oid, rel: Oid) -> PgResult<()> {
    if cat.has_privs_of_role(role, cat.owner_of(rel)) {
        return Ok(());
    }
    let name = cat.relation_name(rel).unwrap_or("?");
    let word = cat.relkind(name).map_or("table", |k| relkind_word(k.0));
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of {word} {name}"),
    ))
}

/// 42501 "permission denied for schema s" unless `role` may create
/// objects in schema `nsp` (CREATE on it).
pub fn check_create_in(cat: &Catalog, role: Oid, nsp: Oid) -> PgResult<()> {
    let owner = cat.schema_owner(nsp);
    if cat.has_privilege(role, nsp, ObjectKind::Schema, owner, privs::CREATE) {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!(
            "permission denied for schema {}",
            cat.namespace_name(nsp).unwrap_or("?")
        ),
    ))
}

/// Gives relation `rel` (and its indexes and owned sequences) to `new`.
fn change_owner(cat: &mut Catalog, rel: Oid, new: Oid) {
    let mut objs = vec![rel];
    objs.extend(cat.indexes_of(rel).map(|i| i.oid));
    objs.extend(
        cat.sequences
            .iter()
            .filter(|s| s.table == rel)
            .map(|s| s.oid),
    );
    for o in objs {
        let old = cat.owner_of(o);
        cat.set_owner(o, new);
        if let Some(acl) = cat.acls.get_mut(&('r', o)) {
            acl_new_owner(acl, old, new);
        }
    }
}

/// PostgreSQL's aclnewowner: the entries of an ACL for the old owner
/// (as grantee or grantor) become the new owner's; two items left for
/// the same grantee and grantor merge.
pub fn acl_new_owner(acl: &mut Vec<crate::catalog::roles::AclItem>, old: Oid, new: Oid) {
    for a in acl.iter_mut() {
        if a.grantee == old {
            a.grantee = new;
        }
        if a.grantor == old {
            a.grantor = new;
        }
    }
    let mut merged: Vec<crate::catalog::roles::AclItem> = Vec::new();
    for a in acl.drain(..) {
        match merged
            .iter_mut()
            .find(|m| m.grantee == a.grantee && m.grantor == a.grantor)
        {
            Some(m) => {
                m.privs |= a.privs;
                m.grant |= a.grant;
            }
            None => merged.push(a),
        }
    }
    *acl = merged;
}

/// The role an OWNER TO names (42704 when there is none).
fn named_role(
    cat: &Catalog,
    r: &RoleName,
    me: &RoleDesc,
    session: &RoleDesc,
) -> PgResult<Arc<RoleDesc>> {
    match r {
        RoleName::Name(name) => cat.role_by_name(name).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{name}\" does not exist"),
            )
        }),
        RoleName::SessionUser => Ok(Arc::new(session.clone())),
        RoleName::CurrentUser => Ok(Arc::new(me.clone())),
    }
}

/// sqlparser's owner as the grammar's RoleSpec.
fn role_spec(o: &ast::Owner) -> RoleName {
    match o {
        ast::Owner::Ident(i) => RoleName::Name(ident(i)),
        ast::Owner::SessionUser => RoleName::SessionUser,
        _ => RoleName::CurrentUser,
    }
}

/// PostgreSQL's checks before a role that is not a superuser gives
/// object `obj` (in schema `nsp`) to `new`: it has the privileges of
/// the object's owner (else `not_owner`), is a member of `new`, and may
/// create objects in the schema (42501 each).
fn check_may_give(
    cat: &Catalog,
    me: &RoleDesc,
    obj: Oid,
    nsp: Oid,
    new: &RoleDesc,
    not_owner: impl FnOnce() -> PgError,
) -> PgResult<()> {
    if me.superuser {
        return Ok(());
    }
    if !cat.has_privs_of_role(me.oid, cat.owner_of(obj)) {
        return Err(not_owner());
    }
    if !cat.is_member_of_role(me.oid, new.oid) {
        return Err(PgError::new(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            format!("must be member of role \"{}\"", new.name),
        ));
    }
    check_create_in(cat, me.oid, nsp)
}

/// Gives relation `oid` (and its indexes and owned sequences) to the
/// role `to` names, as role `me`.
fn give_relation(
    cat: &mut Catalog,
    oid: Oid,
    to: &RoleName,
    me: &RoleDesc,
    session: &RoleDesc,
) -> PgResult<()> {
    let new = named_role(cat, to, me, session)?;
    if cat.owner_of(oid) == new.oid {
        return Ok(());
    }
    let nsp = cat
        .object_namespace(oid)
        .unwrap_or(crate::catalog::PUBLIC_NAMESPACE);
    check_may_give(cat, me, oid, nsp, &new, || {
        check_owner(cat, me.oid, oid).unwrap_err()
    })?;
    change_owner(cat, oid, new.oid);
    Ok(())
}

/// Runs ALTER ... OWNER TO as role `me` (session user `session`);
/// returns the command tag.
pub fn alter_owner(
    cat: &mut Catalog,
    at: &ast::AlterTable,
    me: &RoleDesc,
    session: &RoleDesc,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    let [ast::AlterTableOperation::OwnerTo { new_owner }] = at.operations.as_slice() else {
        return Err(PgError::internal("not an OWNER TO"));
    };
    let tag = "ALTER TABLE";
    let parts = object_name(&at.name);
    let (schema, rel) = split_name(&parts)?;
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    let Some((_, oid)) = cat.resolve_relation(schema, rel) else {
        if at.if_exists {
            notices.push(super::ddl::notice(format!(
                "relation \"{rel}\" does not exist, skipping"
            )));
            return Ok(tag.into());
        }
        return Err(no_relation(&parts.join(".")));
    };
    give_relation(cat, oid, &role_spec(new_owner), me, session)?;
    Ok(tag.into())
}

/// ALTER SEQUENCE name OWNER TO role: as ALTER TABLE's, except that a
/// sequence a column owns goes only with its table (0A000, as
/// PostgreSQL).
pub fn alter_sequence_owner(
    cat: &mut Catalog,
    seq: Oid,
    to: &ast::Ident,
    me: &RoleDesc,
    session: &RoleDesc,
) -> PgResult<()> {
    let Some(s) = cat.sequence_by_oid(seq).cloned() else {
        return Err(PgError::internal("not a sequence"));
    };
    if s.table != 0 {
        let new = named_role(cat, &RoleName::from_ident(to), me, session)?;
        if cat.owner_of(seq) == new.oid {
            return Ok(());
        }
        let table = cat.relation_name(s.table).unwrap_or("?").to_owned();
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("cannot change owner of sequence \"{}\"", s.name),
        )
        .with_detail(format!(
            "Sequence \"{}\" is linked to table \"{table}\".",
            s.name
        )));
    }
    give_relation(cat, seq, &RoleName::from_ident(to), me, session)
}

/// ALTER FUNCTION | PROCEDURE | ROUTINE | TYPE | [MATERIALIZED] VIEW ...
/// OWNER TO role (`parser::alter_owner`) as role `me`; the command tag.
pub fn alter_object_owner(
    cat: &mut Catalog,
    st: &AlterOwnerStmt,
    me: &RoleDesc,
    session: &RoleDesc,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    match &st.target {
        OwnerTarget::View {
            materialized,
            if_exists,
            name,
        } => {
            let tag = if *materialized {
                "ALTER MATERIALIZED VIEW"
            } else {
                "ALTER VIEW"
            };
            let (schema, rel) = split_name(name)?;
            if let Some(s) = schema {
                cat.explicit_namespace(s)?;
            }
            let Some((_, oid)) = cat.resolve_relation(schema, rel) else {
                if *if_exists {
                    notices.push(super::ddl::notice(format!(
                        "relation \"{rel}\" does not exist, skipping"
                    )));
                    return Ok(tag.into());
                }
                return Err(no_relation(&name.join(".")));
            };
            // As PostgreSQL, ALTER VIEW takes any relation (ALTER TABLE's
            // code); ALTER MATERIALIZED VIEW only a materialized view.
            if *materialized && !cat.is_matview(oid) {
                return Err(PgError::new(
                    "42809",
                    format!("\"{rel}\" is not a materialized view"),
                ));
            }
            give_relation(cat, oid, &st.owner, me, session)?;
            Ok(tag.into())
        }
        OwnerTarget::Routine { kind, desc } => {
            let oid = match kind {
                RoutineKind::Function => super::comment::routine_oid(cat, false, desc)?,
                RoutineKind::Procedure => super::comment::routine_oid(cat, true, desc)?,
                RoutineKind::Routine => super::comment::routine_oid(cat, false, desc)
                    .or_else(|_| super::comment::routine_oid(cat, true, desc))?,
            };
            let f = cat
                .function_by_oid(oid)
                .cloned()
                .ok_or_else(|| PgError::internal("routine vanished"))?;
            let procedure = f.kind == 'p';
            let new = named_role(cat, &st.owner, me, session)?;
            if cat.owner_of(oid) != new.oid {
                let what = if procedure { "procedure" } else { "function" };
                let nsp = f.namespace;
                check_may_give(cat, me, oid, nsp, &new, || {
                    PgError::new(
                        sqlstate::INSUFFICIENT_PRIVILEGE,
                        format!("must be owner of {what} {}", f.name),
                    )
                })?;
                cat.set_owner(oid, new.oid);
            }
            Ok(match (kind, procedure) {
                (RoutineKind::Routine, _) => "ALTER ROUTINE",
                (_, true) => "ALTER PROCEDURE",
                _ => "ALTER FUNCTION",
            }
            .into())
        }
        OwnerTarget::Type(name) => {
            let (nsp, keys) = user_type(cat, name)?;
            let new = named_role(cat, &st.owner, me, session)?;
            if cat.owner_of(keys[0]) != new.oid {
                check_may_give(cat, me, keys[0], nsp, &new, || {
                    PgError::new(
                        sqlstate::INSUFFICIENT_PRIVILEGE,
                        format!("must be owner of type {}", name.join(".")),
                    )
                })?;
                for k in keys {
                    cat.set_owner(k, new.oid);
                }
            }
            Ok("ALTER TYPE".into())
        }
    }
}

/// A user type by name for ALTER TYPE: its schema and the OIDs its
/// owner is recorded under (a domain's array type's too; a composite
/// type's pg_class row's too). 42809 for a table's row type, 42704 for
/// none.
fn user_type(cat: &Catalog, name: &[String]) -> PgResult<(Oid, Vec<Oid>)> {
    let (schema, n) = split_name(name)?;
    let nsp = match schema {
        Some(s) => Some(cat.explicit_namespace(s)?),
        None => None,
    };
    if let Some(e) = cat.resolve_enum(schema, n) {
        return Ok((e.namespace, vec![e.oid]));
    }
    if let Some(d) = cat.resolve_domain(schema, n) {
        return Ok((d.namespace, vec![d.oid, d.array]));
    }
    if let Some(c) = cat.resolve_composite(nsp, n) {
        return Ok((c.namespace, vec![c.oid, c.relid]));
    }
    if cat.resolve_relation(schema, n).is_some() {
        return Err(
            PgError::new("42809", format!("{} is a table's row type", name.join(".")))
                .with_hint("Use ALTER TABLE instead."),
        );
    }
    Err(PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("type \"{}\" does not exist", name.join(".")),
    ))
}
