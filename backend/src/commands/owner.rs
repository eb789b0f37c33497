//! ALTER TABLE name OWNER TO role (for a table, view, sequence or index;
//! pg_dump writes one after each object it creates): any existing role
//! (42704 otherwise), by name or as CURRENT_USER / SESSION_USER. A
//! superuser may give any object to anyone; another role must own the
//! object and be a member of the new owner (42501). The table's indexes
//! and the sequences its columns own follow it, and the ACL's entries
//! for the old owner become the new owner's (PostgreSQL's aclnewowner).
//! Also the ownership checks of other DDL: `check_owner`.

use sqlparser::ast;

use crate::analyze::from::{no_relation, split_name};
use crate::catalog::roles::{privs, ObjectKind, RoleDesc};
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
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
    let new = match new_owner {
        ast::Owner::Ident(i) => {
            let name = ident(i);
            cat.role_by_name(&name).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("role \"{name}\" does not exist"),
                )
            })?
        }
        ast::Owner::SessionUser => std::sync::Arc::new(session.clone()),
        _ => std::sync::Arc::new(me.clone()),
    };
    if cat.owner_of(oid) == new.oid {
        return Ok(tag.into());
    }
    if !me.superuser {
        check_owner(cat, me.oid, oid)?;
        if !cat.is_member_of_role(me.oid, new.oid) {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                format!("must be member of role \"{}\"", new.name),
            ));
        }
        let nsp = cat
            .object_namespace(oid)
            .unwrap_or(crate::catalog::PUBLIC_NAMESPACE);
        check_create_in(cat, me.oid, nsp)?;
    }
    change_owner(cat, oid, new.oid);
    Ok(tag.into())
}
