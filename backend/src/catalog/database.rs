//! Databases: what is shared by the whole cluster and what each database
//! keeps, where each lives, and what CREATE DATABASE copies.
//!
//! The split (as PostgreSQL's shared and per-database catalogs):
//! - Shared, in the shared catalog relation (`base/1262`, `store.rs`):
//!   pg_authid (roles), pg_auth_members, pg_database ([`DatabaseDesc`]
//!   lines) with each database's datacl (ACL lines of class 'd'),
//!   pg_db_role_setting (`db_role_setting.rs`), pg_shdescription
//!   (comments on databases and roles, `comments.rs`). pg_tablespace has
//!   only its built-in rows (pg_default, pg_global).
//! - Per database, in its catalog relation (`base/<dboid>`): everything
//!   else (pg_namespace, pg_class, pg_attribute, user types, functions,
//!   constraints, pg_description, owners and ACLs of its objects) and
//!   the OID counter as that database last left it.
//! - Relation files stay `base/<reloid>`: OIDs are unique across the
//!   cluster, so the files of all databases share `base/` without
//!   colliding, and buffer tags, WAL records and lock tags need no
//!   database OID. Statistics stay `global/statistic/<reloid>` likewise.
//!
//! A backend's [`Catalog`] is both parts merged (its database's catalog
//! and the shared one), so the code reading it sees one catalog. A
//! transaction that changes both (CREATE ROLE and a GRANT on a table,
//! say) writes tuples in both relations, which commit or roll back
//! together with it. Only one transaction of the whole cluster has a
//! catalog change in progress (`CATALOG_CHANGE_LOCK`); its invalidation
//! messages name the parts it changed, so the backends of other
//! databases keep their caches unless the shared part changed.
//!
//! CREATE DATABASE (`commands::database`, never inside a transaction
//! block) copies its template under that lock: a checkpoint (the
//! template's pages on disk), then the template's committed catalog with
//! every relation (table, index, sequence) given a fresh OID and every
//! reference to it rewritten ([`renumber`]); each relation file and
//! statistics file copied to its new number and fsynced; then the new
//! catalog written as tuples of the transaction in the new database's
//! catalog relation, and the pg_database row in the shared one. An abort
//! removes the copies and the relation; a crash leaves files no committed
//! catalog names, which the next start removes. DROP DATABASE removes
//! the row; once that commits, the database's files and catalog relation
//! go (a crash in between is finished the same way at the next start).
//!
//! Bootstrap (initdb): `template1` (OID 1), `template0` (4) and
//! `postgres` (5), written as text catalog files that the first start
//! imports into the catalog relations (`import.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{esc, io_error, unesc, Catalog};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Oid;

pub const TEMPLATE1_OID: Oid = 1;
pub const TEMPLATE0_OID: Oid = 4;
pub const POSTGRES_OID: Oid = 5;
/// pg_database's own OID (the class of database objects).
pub const PG_DATABASE_OID: Oid = 1262;

/// One row of pg_database.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseDesc {
    pub oid: Oid,
    pub name: String,
    /// datdba.
    pub owner: Oid,
    /// The encoding number (6: UTF8, the only one).
    pub encoding: i32,
    pub collate: String,
    pub ctype: String,
    pub is_template: bool,
    pub allow_conn: bool,
    /// -1: no limit.
    pub conn_limit: i32,
}

/// `DATADIR/database/<oid>`: the database's catalog directory.
pub fn catalog_dir(data_dir: &Path, oid: Oid) -> PathBuf {
    data_dir.join("database").join(oid.to_string())
}

/// The databases initdb makes.
fn initial() -> Vec<DatabaseDesc> {
    let db = |oid, name: &str, template: bool, conn: bool| DatabaseDesc {
        oid,
        name: name.into(),
        owner: super::roles::BOOTSTRAP_SUPERUSER,
        encoding: super::builtin::UTF8_ENCODING,
        collate: "C".into(),
        ctype: "C".into(),
        is_template: template,
        allow_conn: conn,
        conn_limit: -1,
    };
    vec![
        db(TEMPLATE1_OID, "template1", true, true),
        db(TEMPLATE0_OID, "template0", true, false),
        db(POSTGRES_OID, "postgres", false, true),
    ]
}

impl DatabaseDesc {
    /// Its line in the shared catalog's text form.
    pub(super) fn serialize(&self) -> String {
        format!(
            "database {} {} {} {} {} {} {} {} {}\n",
            self.oid,
            self.owner,
            self.encoding,
            u8::from(self.is_template),
            u8::from(self.allow_conn),
            self.conn_limit,
            esc(&self.name),
            esc(&self.collate),
            esc(&self.ctype)
        )
    }

    /// Parses [`DatabaseDesc::serialize`]'s line, split at spaces.
    pub(super) fn parse(f: &[&str]) -> Option<DatabaseDesc> {
        if f.len() != 10 || f[0] != "database" {
            return None;
        }
        let num = |i: usize| f[i].parse::<i64>().ok();
        Some(DatabaseDesc {
            oid: num(1)? as Oid,
            owner: num(2)? as Oid,
            encoding: num(3)? as i32,
            is_template: num(4)? != 0,
            allow_conn: num(5)? != 0,
            conn_limit: num(6)? as i32,
            name: unesc(f[7]),
            collate: unesc(f[8]),
            ctype: unesc(f[9]),
        })
    }
}

impl Catalog {
    /// The database named `name`.
    pub fn database(&self, name: &str) -> Option<&Arc<DatabaseDesc>> {
        self.databases.iter().find(|d| d.name == name)
    }

    /// The OID of database `name` (a session's, which exists while the
    /// session is connected to it); a catalog without pg_database (unit
    /// tests, without a data directory) has the one database
    /// `system_views::DATABASE_OID` under any name.
    pub fn database_oid(&self, name: &str) -> Option<Oid> {
        if self.databases.is_empty() {
            return Some(super::system_views::DATABASE_OID);
        }
        self.database(name).map(|d| d.oid)
    }

    /// The owner (datdba) of database `oid`.
    pub fn database_owner(&self, oid: Oid) -> Oid {
        self.database_by_oid(oid)
            .map_or(super::roles::BOOTSTRAP_SUPERUSER, |d| d.owner)
    }

    /// The database with OID `oid`.
    pub fn database_by_oid(&self, oid: Oid) -> Option<&Arc<DatabaseDesc>> {
        self.databases.iter().find(|d| d.oid == oid)
    }

    /// Adds initdb's databases (and the templates' datacl, `=c/owner`
    /// and `owner=CTc/owner`) to a new cluster's catalog.
    pub(super) fn add_initial_databases(&mut self) {
        use super::roles::{privs, AclItem, PUBLIC};
        for d in initial() {
            if d.is_template {
                let item = |grantee, p| AclItem {
                    grantee,
                    grantor: d.owner,
                    privs: p,
                    grant: 0,
                };
                self.acls.insert(
                    ('d', d.oid),
                    vec![
                        item(PUBLIC, privs::CONNECT),
                        item(d.owner, privs::CREATE | privs::TEMP | privs::CONNECT),
                    ],
                );
            }
            self.databases.push(Arc::new(d));
        }
    }
}

/// 3D000 `database "name" does not exist`.
pub fn undefined(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_DATABASE,
        format!("database \"{name}\" does not exist"),
    )
}

/// fsync of a directory (its entries durable).
pub fn sync_dir(dir: &Path) -> PgResult<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| {
            io_error(
                format!("could not fsync directory \"{}\"", dir.display()),
                e,
            )
        })
}

/// The template's catalog for a new database: every relation file
/// (table, index, sequence) gets an OID from `alloc`, and every reference
/// to a relation is rewritten: an index's table, a sequence's owner,
/// constraints (table, referenced table, index), views' dependencies and
/// the relation markers of their definitions, triggers' tables,
/// column defaults' pg_attrdef keys, comments, owners and ACLs of
/// relations. A table or index that a rewrite gave a new file
/// (relfilenode) is renumbered to that file's new OID. Views, types,
/// enums, functions and schemas have no file and keep their OIDs, as in
/// PostgreSQL's copied catalogs; defaults and view queries name relations
/// by name (`nextval('s'::regclass)`), not OID, and stay as they are.
/// Returns the catalog and the map from old relation files to new OIDs.
pub fn renumber(
    template: &Catalog,
    alloc: &mut dyn FnMut() -> Oid,
) -> (Catalog, BTreeMap<Oid, Oid>) {
    // Relation OID → new OID; the files are copied from `rel()` (the
    // relfilenode when set) to the new OID.
    let mut rels = BTreeMap::new();
    let mut files = BTreeMap::new();
    let olds = template
        .tables
        .iter()
        .map(|t| (t.oid, t.rel()))
        .chain(template.indexes.iter().map(|i| (i.oid, i.rel())))
        .chain(template.sequences.iter().map(|s| (s.oid, s.oid)));
    for (oid, file) in olds {
        let new = alloc();
        rels.insert(oid, new);
        files.insert(file, new);
    }
    let m = |o: Oid| rels.get(&o).copied().unwrap_or(o);
    let mut cat = template.clone();
    cat.tables = template
        .tables
        .iter()
        .map(|t| {
            let mut t = (**t).clone();
            t.oid = m(t.oid);
            t.relfilenode = 0;
            Arc::new(t)
        })
        .collect();
    cat.indexes = template
        .indexes
        .iter()
        .map(|i| {
            let mut i = (**i).clone();
            i.oid = m(i.oid);
            i.table = m(i.table);
            i.relfilenode = 0;
            Arc::new(i)
        })
        .collect();
    cat.sequences = template
        .sequences
        .iter()
        .map(|s| {
            let mut s = (**s).clone();
            s.oid = m(s.oid);
            if s.table != 0 {
                s.table = m(s.table);
            }
            Arc::new(s)
        })
        .collect();
    cat.views = template
        .views
        .iter()
        .map(|v| {
            let mut v = (**v).clone();
            v.deps = v.deps.iter().map(|&d| m(d)).collect();
            // The definition names relations by OID markers.
            if let Some(d) = &mut v.def {
                let marker = |o: Oid| super::ViewDesc::relation_marker(m(o));
                d.plain = super::ViewDesc::render(&d.plain, &marker);
                d.pretty = super::ViewDesc::render(&d.pretty, &marker);
            }
            Arc::new(v)
        })
        .collect();
    cat.triggers = template
        .triggers
        .iter()
        .map(|t| {
            let mut t = (**t).clone();
            t.table = m(t.table);
            Arc::new(t)
        })
        .collect();
    cat.constraints = template
        .constraints
        .iter()
        .map(|c| {
            let mut c = (**c).clone();
            c.table = m(c.table);
            if let super::constraint::ConstraintKind::ForeignKey(fk) = &mut c.kind {
                fk.ref_table = m(fk.ref_table);
                fk.index = m(fk.index);
            }
            Arc::new(c)
        })
        .collect();
    cat.attrdef_oids = template
        .attrdef_oids
        .iter()
        .map(|(&(t, n), &o)| ((m(t), n), o))
        .collect();
    cat.comments = template
        .comments
        .iter()
        .map(|(&(class, obj, sub), text)| {
            let obj = if class == PG_CLASS_OID { m(obj) } else { obj };
            ((class, obj, sub), text.clone())
        })
        .collect();
    cat.owners = template.owners.iter().map(|(&o, &r)| (m(o), r)).collect();
    cat.acls = template
        .acls
        .iter()
        .map(|(&(class, o), acl)| {
            let o = if class == 'r' { m(o) } else { o };
            ((class, o), acl.clone())
        })
        .collect();
    (cat, files)
}

const PG_CLASS_OID: Oid = 1259;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{IndexDesc, TableDesc, PUBLIC_NAMESPACE};

    #[test]
    fn database_lines_round_trip() {
        let mut c = Catalog::empty();
        c.add_initial_databases();
        c.databases.push(Arc::new(DatabaseDesc {
            oid: 16400,
            name: "a b\\c".into(),
            ..(*c.databases[2]).clone()
        }));
        for d in &c.databases {
            let line = d.serialize();
            let f: Vec<&str> = line.trim_end().split(' ').collect();
            assert_eq!(DatabaseDesc::parse(&f).as_ref(), Some(&**d));
        }
        assert_eq!(c.database("postgres").unwrap().oid, POSTGRES_OID);
        assert_eq!(c.acls.len(), 2);
    }

    #[test]
    fn renumber_rewrites_references() {
        let mut c = Catalog::empty();
        c.tables.push(Arc::new(TableDesc {
            oid: 20000,
            name: "t".into(),
            namespace: PUBLIC_NAMESPACE,
            columns: vec![],
            fillfactor: 100,
            relfilenode: 20005,
        }));
        c.indexes.push(Arc::new(IndexDesc {
            oid: 20001,
            name: "t_pkey".into(),
            namespace: PUBLIC_NAMESPACE,
            table: 20000,
            columns: vec![0],
            unique: true,
            primary: true,
            constraint: true,
            relfilenode: 0,
            deferrable: false,
            deferred: false,
            options: vec![],
        }));
        let marker = super::super::ViewDesc::relation_marker(20000);
        c.views.push(Arc::new(super::super::ViewDesc {
            oid: 20003,
            name: "v".into(),
            namespace: PUBLIC_NAMESPACE,
            sql: "SELECT 1".into(),
            columns: vec![],
            deps: vec![20000],
            def: Some(super::super::ViewDef {
                plain: format!(" SELECT 1\n   FROM {marker};"),
                pretty: format!(" SELECT 1\n   FROM {marker};"),
            }),
            auto_update: None,
            check_option: None,
            defaults: vec![],
        }));
        c.triggers
            .push(Arc::new(super::super::trigger::TriggerDesc {
                oid: 20004,
                name: "tr".into(),
                table: 20000,
                function: 16500,
                tgtype: 0,
                enabled: 'O',
                args: vec![],
                columns: vec![],
                when: None,
                when_def: String::new(),
                when_pretty: String::new(),
            }));
        c.attrdef_oids.insert((20000, 1), 20002);
        c.comments.insert((PG_CLASS_OID, 20000, 0), "hi".into());
        c.owners.insert(20000, 16999);
        c.acls.insert(('r', 20000), vec![]);
        let mut next = 30000;
        let (n, files) = renumber(&c, &mut || {
            next += 1;
            next
        });
        assert_eq!(files.len(), 2);
        let t = n.tables[0].oid;
        assert_eq!(files[&20005], t);
        assert_eq!(n.tables[0].rel(), t);
        assert_eq!(n.indexes[0].oid, files[&20001]);
        assert_eq!(n.indexes[0].table, t);
        assert_eq!(n.views[0].deps, vec![t]);
        let def = n.views[0].def.as_ref().unwrap();
        assert!(def
            .plain
            .contains(&super::super::ViewDesc::relation_marker(t)));
        assert!(def
            .pretty
            .contains(&super::super::ViewDesc::relation_marker(t)));
        assert_eq!(n.triggers[0].table, t);
        assert!(n.attrdef_oids.contains_key(&(t, 1)));
        assert!(n.comments.contains_key(&(PG_CLASS_OID, t, 0)));
        assert_eq!(n.owner_of(t), 16999);
        assert!(n.acls.contains_key(&('r', t)));
        assert!(n.relation_files().is_disjoint(&c.relation_files()));
    }
}
