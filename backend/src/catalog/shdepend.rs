//! pg_shdepend: the dependencies of objects on roles, as PostgreSQL 15
//! records them. pgfork does not store them: they follow from what the
//! catalog keeps (owners, ACLs, schemas' and databases' owners), so they
//! cannot disagree with it. What PostgreSQL records, and so what is
//! derived here:
//! - 'o' (owner): a relation that is not an index (table, view,
//!   materialized view, sequence), a type that is not an array or a
//!   table's row type (enum, domain), a function, a schema, a database
//!   (shared: dbid 0), each owned by a role other than the bootstrap
//!   superuser (which is pinned and never recorded);
//! - 'a' (ACL): for each role its ACL names (as grantee or grantor) that
//!   is not the object's owner, PUBLIC or the bootstrap superuser; a
//!   column's ACL gives rows with objsubid its attnum.
//!
//! A catalog holds one database's objects and the shared ones; the rows
//! for other databases come from their catalogs
//! ([`Catalog::shared_dependencies`] of each), which DROP ROLE and the
//! pg_shdepend relation read.

use super::roles::{BOOTSTRAP_SUPERUSER, PUBLIC};
use super::{Catalog, RelKind};
use crate::types::Oid;

/// pg_class, pg_type, pg_proc, pg_namespace, pg_database, pg_authid.
pub const PG_CLASS: Oid = 1259;
pub const PG_TYPE: Oid = 1247;
pub const PG_PROC: Oid = 1255;
pub const PG_NAMESPACE: Oid = 2615;
pub const PG_DATABASE: Oid = 1262;
pub const PG_AUTHID: Oid = 1260;

/// One pg_shdepend row (refclassid is always pg_authid).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SharedDep {
    pub dbid: Oid,
    pub classid: Oid,
    pub objid: Oid,
    pub objsubid: i32,
    pub refobjid: Oid,
    /// 'o' (owner) or 'a' (ACL).
    pub deptype: char,
}

/// Another database's rows: its OID, its name and its rows.
pub type DatabaseDeps = (Oid, String, Vec<SharedDep>);

impl Catalog {
    /// The pg_class, pg_type or pg_proc class of an object that has an
    /// owner entry; None for what PostgreSQL records no owner
    /// dependency of (indexes, array types) or an object gone.
    fn owned_object_class(&self, obj: Oid) -> Option<Oid> {
        if self.indexes.iter().any(|i| i.oid == obj) {
            return None;
        }
        if self.table_by_oid(obj).is_some()
            || self.sequence_by_oid(obj).is_some()
            || self.views.iter().any(|v| v.oid == obj)
        {
            return Some(PG_CLASS);
        }
        if self.enums.iter().any(|e| e.oid == obj) || self.domains.iter().any(|d| d.oid == obj) {
            return Some(PG_TYPE);
        }
        if self.functions.iter().any(|f| f.oid == obj) {
            return Some(PG_PROC);
        }
        None
    }

    /// The rows of pg_shdepend for the objects of this catalog's
    /// database (`dbid`), or with `dbid` 0 for the shared objects
    /// (databases).
    pub fn shared_dependencies(&self, dbid: Oid) -> Vec<SharedDep> {
        let mut out = Vec::new();
        let dep = |classid, objid, objsubid, refobjid, deptype| SharedDep {
            dbid,
            classid,
            objid,
            objsubid,
            refobjid,
            deptype,
        };
        let recorded = |r: Oid| r != BOOTSTRAP_SUPERUSER && r != PUBLIC;
        if dbid == 0 {
            for d in &self.databases {
                if recorded(d.owner) {
                    out.push(dep(PG_DATABASE, d.oid, 0, d.owner, 'o'));
                }
            }
        } else {
            for (&obj, &owner) in &self.owners {
                if let Some(class) = self.owned_object_class(obj) {
                    if recorded(owner) {
                        out.push(dep(class, obj, 0, owner, 'o'));
                    }
                }
            }
            for n in &self.namespaces {
                if recorded(n.owner) {
                    out.push(dep(PG_NAMESPACE, n.oid, 0, n.owner, 'o'));
                }
            }
        }
        for ((class, obj), acl) in &self.acls {
            let (classid, owner) = match *class {
                'd' if dbid == 0 => (PG_DATABASE, self.database_owner(*obj)),
                'n' if dbid != 0 => (PG_NAMESPACE, self.schema_owner(*obj)),
                'r' if dbid != 0 => (PG_CLASS, self.owner_of(*obj)),
                _ => continue,
            };
            let mut roles: Vec<Oid> = acl
                .iter()
                .flat_map(|a| [a.grantee, a.grantor])
                .filter(|&r| recorded(r) && r != owner)
                .collect();
            roles.sort_unstable();
            roles.dedup();
            for r in roles {
                out.push(dep(classid, *obj, 0, r, 'a'));
            }
        }
        out
    }

    /// getObjectDescription of an object a pg_shdepend row names: "table
    /// t", "schema s", "function f(integer)", "database d"; a relation or
    /// type outside the search path qualified by its schema.
    pub fn describe_shared_object(&self, classid: Oid, objid: Oid, objsubid: i32) -> String {
        let qualify = |nsp: Option<Oid>, name: &str, visible: bool| -> String {
            match nsp.and_then(|n| self.namespace_name(n)) {
                Some(s) if !visible => format!("{s}.{name}"),
                _ => name.to_owned(),
            }
        };
        match classid {
            PG_DATABASE => format!(
                "database {}",
                self.database_by_oid(objid)
                    .map_or_else(|| objid.to_string(), |d| d.name.clone())
            ),
            PG_NAMESPACE => format!("schema {}", self.namespace_name(objid).unwrap_or("?")),
            PG_PROC => match self.function_by_oid(objid) {
                Some(f) => {
                    let args: Vec<String> = f
                        .input_types()
                        .iter()
                        .map(|&t| super::format_type(t, -1))
                        .collect();
                    let word = if f.kind == 'p' {
                        "procedure"
                    } else {
                        "function"
                    };
                    format!(
                        "{word} {}({})",
                        self.function_display_name(f),
                        args.join(", ")
                    )
                }
                None => format!("function {objid}"),
            },
            PG_TYPE => {
                let (nsp, name) = if let Some(e) = self.enums.iter().find(|e| e.oid == objid) {
                    (e.namespace, e.name.clone())
                } else if let Some(d) = self.domains.iter().find(|d| d.oid == objid) {
                    (d.namespace, d.name.clone())
                } else {
                    return format!("type {objid}");
                };
                let visible = self.search_path().contains(&nsp);
                format!("type {}", qualify(Some(nsp), &name, visible))
            }
            _ => {
                let name = self.relation_name(objid).unwrap_or("?").to_owned();
                let word = if self.matviews.iter().any(|m| m.oid == objid) {
                    "materialized view"
                } else {
                    match self.relkind_of(objid) {
                        Some(RelKind::View) => "view",
                        Some(RelKind::Sequence) => "sequence",
                        Some(RelKind::Index) => "index",
                        _ => "table",
                    }
                };
                let rel = qualify(
                    self.object_namespace(objid),
                    &name,
                    self.relation_is_visible(objid),
                );
                match self.table_by_oid(objid) {
                    Some(t) if objsubid > 0 => {
                        let col = t
                            .columns
                            .get(objsubid as usize - 1)
                            .map_or("?", |c| c.name.as_str());
                        format!("column {col} of {word} {rel}")
                    }
                    _ => format!("{word} {rel}"),
                }
            }
        }
    }

    /// The kind of relation `oid`, if it is one.
    fn relkind_of(&self, oid: Oid) -> Option<RelKind> {
        if self.table_by_oid(oid).is_some() {
            Some(RelKind::Table)
        } else if self.indexes.iter().any(|i| i.oid == oid) {
            Some(RelKind::Index)
        } else if self.views.iter().any(|v| v.oid == oid) {
            Some(RelKind::View)
        } else if self.sequence_by_oid(oid).is_some() {
            Some(RelKind::Sequence)
        } else {
            None
        }
    }

    /// Every database's rows: this catalog's database (`me`) with the
    /// shared ones first, then each other database's (its OID, name and
    /// rows), read from its committed catalog. A database whose catalog
    /// cannot be read (one being created) has none.
    pub fn cluster_shared_dependencies(
        &self,
        me: Oid,
        seg: &shmem::Segment,
    ) -> (Vec<SharedDep>, Vec<DatabaseDeps>) {
        let mut local = self.shared_dependencies(0);
        local.extend(self.shared_dependencies(me));
        let others = self
            .databases
            .iter()
            .filter(|d| d.oid != me)
            .filter_map(|d| {
                let cat = super::read_committed(seg, d.oid).ok()?;
                Some((d.oid, d.name.clone(), cat.shared_dependencies(d.oid)))
            })
            .collect();
        (local, others)
    }

    /// DROP ROLE's DETAIL lines for `role`: the objects of this database
    /// and the shared ones that depend on it ("owner of table t",
    /// "privileges for database d"), sorted by OID as PostgreSQL 15
    /// sorts them, then "N objects in database x" for each other
    /// database in `others` (each database's OID, name and rows).
    pub fn role_dependency_lines(
        &self,
        role: Oid,
        local: &[SharedDep],
        others: &[DatabaseDeps],
    ) -> Vec<String> {
        let mut mine: Vec<&SharedDep> = local.iter().filter(|d| d.refobjid == role).collect();
        mine.sort_by_key(|d| (d.objid, d.classid, d.objsubid));
        let mut out: Vec<String> = mine
            .iter()
            .map(|d| {
                let what = if d.deptype == 'o' {
                    "owner of"
                } else {
                    "privileges for"
                };
                format!(
                    "{what} {}",
                    self.describe_shared_object(d.classid, d.objid, d.objsubid)
                )
            })
            .collect();
        for (_, name, deps) in others {
            let n = deps.iter().filter(|d| d.refobjid == role).count();
            if n > 0 {
                let noun = if n == 1 { "object" } else { "objects" };
                out.push(format!("{n} {noun} in database {name}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::roles::AclItem;

    #[test]
    fn owners_and_acls_become_rows() {
        let mut c = Catalog::empty();
        c.ensure_bootstrap_role();
        // An owner the catalog does not know (an index would be skipped
        // too) records nothing; a schema and an ACL do.
        c.owners.insert(30000, 20001);
        c.namespaces.push(std::sync::Arc::new(
            super::super::namespace::NamespaceDesc {
                oid: 30001,
                name: "s".into(),
                owner: 20001,
            },
        ));
        c.acls.insert(
            ('n', 30001),
            vec![
                AclItem {
                    grantee: 20001,
                    grantor: 20001,
                    privs: 3,
                    grant: 0,
                },
                AclItem {
                    grantee: 20002,
                    grantor: 20001,
                    privs: 1,
                    grant: 0,
                },
                AclItem {
                    grantee: PUBLIC,
                    grantor: 20001,
                    privs: 1,
                    grant: 0,
                },
            ],
        );
        let rows = c.shared_dependencies(5);
        assert_eq!(
            rows,
            vec![
                SharedDep {
                    dbid: 5,
                    classid: PG_NAMESPACE,
                    objid: 30001,
                    objsubid: 0,
                    refobjid: 20001,
                    deptype: 'o'
                },
                SharedDep {
                    dbid: 5,
                    classid: PG_NAMESPACE,
                    objid: 30001,
                    objsubid: 0,
                    refobjid: 20002,
                    deptype: 'a'
                },
            ]
        );
        assert!(c.shared_dependencies(0).is_empty());
        let others = vec![(16384, "db2".to_owned(), rows.clone())];
        assert_eq!(
            c.role_dependency_lines(20002, &rows, &others),
            vec![
                "privileges for schema s".to_owned(),
                "1 object in database db2".to_owned()
            ]
        );
    }
}
