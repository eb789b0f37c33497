//! Who may run a DDL statement (PostgreSQL's ownership and ACL checks
//! of CREATE, ALTER, DROP, TRUNCATE and COMMENT), checked before it
//! changes anything; and the owner of what a DDL statement creates (the
//! role running it), recorded before its catalog commits.

use std::collections::BTreeSet;

use sqlparser::ast;

use super::owner::{check_create_in, check_owner};
use crate::analyze::from::split_name;
use crate::catalog::roles::{privs, ObjectKind};
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::object_name;
use crate::types::Oid;

/// The relation a name refers to, if any.
fn relation(cat: &Catalog, n: &ast::ObjectName) -> Option<Oid> {
    cat.resolve_relation_parts(&object_name(n)).map(|k| k.1)
}

/// 42501 unless `role` may create an object named `n` in the schema it
/// goes in; names whose schema does not resolve are left to the
/// statement.
fn check_create(cat: &Catalog, role: Oid, n: &ast::ObjectName) -> PgResult<()> {
    let parts = object_name(n);
    let schema = match split_name(&parts) {
        Ok((schema, _)) => schema,
        Err(_) => return Ok(()),
    };
    match cat.creation_namespace(schema) {
        Ok(nsp) => check_create_in(cat, role, nsp),
        Err(_) => Ok(()),
    }
}

/// Checks that `role` may run `stmt` (42501 otherwise). Names that do
/// not resolve are left to the statement, which reports them.
pub fn check(stmt: &ast::Statement, cat: &Catalog, role: Oid) -> PgResult<()> {
    use ast::Statement as S;
    if cat.is_superuser(role) {
        return Ok(());
    }
    match stmt {
        S::CreateTable(ct) => check_create(cat, role, &ct.name),
        S::CreateView(cv) => check_create(cat, role, &cv.name),
        S::CreateType { name, .. } => check_create(cat, role, name),
        S::CreateSequence { name, .. } if !crate::parser::alter_sequence::is_placeholder(stmt) => {
            check_create(cat, role, name)
        }
        S::CreateSequence { .. } => Ok(()),
        S::RefreshMaterializedView(r) => match relation(cat, &r.name) {
            Some(t) => check_owner(cat, role, t),
            None => Ok(()),
        },
        S::CreateIndex(ci) => match relation(cat, &ci.table_name) {
            Some(t) => check_owner(cat, role, t),
            None => Ok(()),
        },
        S::AlterTable(at) if !super::owner::is_owner_to(at) => match relation(cat, &at.name) {
            Some(t) => check_owner(cat, role, t),
            None => Ok(()),
        },
        S::Drop {
            object_type:
                ast::ObjectType::Table
                | ast::ObjectType::View
                | ast::ObjectType::MaterializedView
                | ast::ObjectType::Sequence
                | ast::ObjectType::Index,
            names,
            ..
        } => {
            for n in names {
                if let Some(r) = relation(cat, n) {
                    check_owner(cat, role, r)?;
                }
            }
            Ok(())
        }
        S::Truncate(tr) => {
            for t in &tr.table_names {
                if let Some(r) = relation(cat, &t.name) {
                    let owner = cat.owner_of(r);
                    if !cat.has_privilege(role, r, ObjectKind::Relation, owner, privs::TRUNCATE) {
                        return Err(PgError::new(
                            sqlstate::INSUFFICIENT_PRIVILEGE,
                            format!(
                                "permission denied for table {}",
                                cat.relation_name(r).unwrap_or("?")
                            ),
                        ));
                    }
                }
            }
            Ok(())
        }
        S::Comment {
            object_type:
                ast::CommentObject::Table | ast::CommentObject::View | ast::CommentObject::Column,
            object_name,
            ..
        } => {
            let mut n = object_name.clone();
            if matches!(
                stmt,
                S::Comment {
                    object_type: ast::CommentObject::Column,
                    ..
                }
            ) {
                n.0.pop();
            }
            match relation(cat, &n) {
                Some(r) => check_owner(cat, role, r),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// Records `role` as the owner of every relation, type and function in `cat` that
/// `before` did not have, and forgets owners and ACLs of those gone.
pub fn settle_owners(cat: &mut Catalog, before: &Catalog, role: Oid) {
    let objects = |c: &Catalog| -> BTreeSet<Oid> {
        let mut s: BTreeSet<Oid> = c.tables.iter().map(|t| t.oid).collect();
        s.extend(c.indexes.iter().map(|i| i.oid));
        s.extend(c.sequences.iter().map(|q| q.oid));
        s.extend(c.views.iter().map(|v| v.oid));
        s.extend(c.enums.iter().map(|e| e.oid));
        s.extend(c.domains.iter().flat_map(|d| [d.oid, d.array]));
        s.extend(c.composites.iter().flat_map(|t| [t.oid, t.relid]));
        s.extend(c.functions.iter().map(|f| f.oid));
        s
    };
    let old = objects(before);
    let now = objects(cat);
    for o in now.difference(&old) {
        cat.set_owner(*o, role);
    }
    cat.prune_role_refs(&now);
}
