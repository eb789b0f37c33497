//! The system catalog: tables (columns, defaults, constraints), indexes,
//! sequences, views, types, functions, roles, databases, ... as one
//! [`Catalog`] value per backend: its database's part merged with the
//! cluster-wide part (roles, memberships, pg_database and its ACLs);
//! `database.rs` says what is where.
//!
//! Storage (`store.rs`): tuples of catalog relations in heap pages,
//! through the shared buffer cache, under MVCC and in the WAL: one
//! relation per database (`base/<dboid>`) and a shared one
//! (`base/1262`), each entry an object's lines of the catalog's text
//! form. How a transaction's DDL commits, rolls back (also to a
//! savepoint) and survives a crash is `xact.rs`; what the start-up does
//! (initdb's text catalogs imported, orphan files removed, the OID
//! counter set) is `import.rs`.
//!
//! Caching: every backend keeps a parsed copy ([`CatalogCache`]). A
//! committed change sends a message on the shared invalidation queue
//! (`shmem::sinval`) for each part it changed; at the start of each
//! statement a backend reads the messages it has not seen and rebuilds
//! its copy if one names its database or the shared part (a change in
//! another database costs it one read of the queue, no rebuild). A
//! backend changing the catalog works on its own copy until it commits.
//!
//! OIDs of user objects start at 16384 (FirstNormalObjectId) and are
//! unique across the cluster: each database's catalog keeps the counter
//! as it left it, the server starts above the largest, and the segment
//! keeps a floor so that an aborted transaction's OIDs are not given out
//! again; a relation's file is `base/<oid>`.

#![forbid(unsafe_code)]

pub mod builtin;
pub mod builtin_ops;
pub mod comments;
pub mod composite;
pub mod constraint;
pub mod database;
pub mod db_role_setting;
pub mod describe_views;
pub mod domain;
pub mod dump_views;
pub mod function;
mod import;
pub mod information_schema;
pub mod matview;
pub mod namespace;
pub mod opclass;
pub mod roles;
mod row_oids;
pub mod shdepend;
pub mod statistic;
pub mod store;
pub mod system_columns;
pub mod system_views;
pub mod trigger;
pub mod view_update;
pub mod views;
mod xact;

pub use xact::{drop_relation_files, remove_database, CATALOG_CHANGE_LOCK};

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use std::collections::BTreeMap;

use shmem::lwlock::LockMode;
use shmem::Segment;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::enums::{EnumLabel, EnumType};
use crate::types::{Oid, Value};

/// First OID handed to user objects, as PostgreSQL's FirstNormalObjectId.
pub const FIRST_USER_OID: Oid = 16384;
/// pg_namespace OIDs.
pub const PG_CATALOG_NAMESPACE: Oid = 11;
pub const PUBLIC_NAMESPACE: Oid = 2200;
const MAGIC: &str = "pgfork-catalog 1";
const SHARED_MAGIC: &str = "pgfork-shared-catalog 1";

/// A table column (pg_attribute + pg_attrdef).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDesc {
    pub name: String,
    pub ty: Oid,
    /// PostgreSQL's atttypmod: varchar(n)/char(n) → n + 4, numeric(p, s)
    /// → ((p << 16) | s) + 4, -1 when none.
    pub typmod: i32,
    pub not_null: bool,
    /// The DEFAULT expression as SQL text.
    pub default: Option<String>,
    /// PostgreSQL's attmissingval: what rows stored before the column was
    /// added (ADD COLUMN with a non-volatile DEFAULT) read for it. Such
    /// rows are not rewritten: their tuples hold fewer attributes than
    /// the table has, and `access::tuple::deform` fills the trailing ones
    /// from here (NULL when None). Kept as the value, already of the
    /// column's type and typmod; in the catalog's text form as its text.
    pub missing: Option<Value>,
    /// PostgreSQL's attisdropped: a column ALTER TABLE DROP COLUMN
    /// removed. It keeps its position and type, so that stored tuples
    /// still decode (and new rows store NULL there), under the name
    /// `........pg.dropped.N........`; nothing else sees it: names do not
    /// resolve to it, `*`, INSERT and COPY skip it.
    pub dropped: bool,
}

/// A table (pg_class with relkind 'r').
#[derive(Clone, Debug, PartialEq)]
pub struct TableDesc {
    pub oid: Oid,
    pub name: String,
    /// relnamespace: the schema's OID.
    pub namespace: Oid,
    pub columns: Vec<ColumnDesc>,
    /// Heap fillfactor (10..=100).
    pub fillfactor: u8,
    /// PostgreSQL's relfilenode: the number of the relation's file when a
    /// rewrite (ALTER COLUMN TYPE) moved its rows to a new one; 0 while
    /// the file is the one created with the table, named by its OID.
    pub relfilenode: Oid,
}

impl TableDesc {
    /// The relation's file: its OID, or the file a rewrite made.
    pub fn rel(&self) -> u32 {
        if self.relfilenode == 0 {
            self.oid
        } else {
            self.relfilenode
        }
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name && !c.dropped)
    }

    /// The positions of the columns that are not dropped, in order (what
    /// INSERT and COPY without a column list fill).
    pub fn live_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| !self.columns[i].dropped)
            .collect()
    }

    /// Per column, what a tuple stored without it reads
    /// ([`ColumnDesc::missing`], NULL when none); empty when no column
    /// has a missing value (the common case: nothing to fill).
    pub fn missing_values(&self) -> Vec<Value> {
        if self.columns.iter().all(|c| c.missing.is_none()) {
            return Vec::new();
        }
        self.columns
            .iter()
            .map(|c| c.missing.clone().unwrap_or(Value::Null))
            .collect()
    }
}

/// A B-tree index (pg_class with relkind 'i' + pg_index).
#[derive(Clone, Debug, PartialEq)]
pub struct IndexDesc {
    pub oid: Oid,
    pub name: String,
    /// relnamespace: always its table's.
    pub namespace: Oid,
    pub table: Oid,
    /// Indexed columns, 0-based positions in the table.
    pub columns: Vec<usize>,
    pub unique: bool,
    pub primary: bool,
    /// Made by a PRIMARY KEY or UNIQUE constraint (which has the index's
    /// name and a pg_constraint row), not by CREATE UNIQUE INDEX.
    pub constraint: bool,
    /// Its file when a rebuild made a new one (0: named by its OID), as
    /// [`TableDesc::relfilenode`].
    pub relfilenode: Oid,
    /// The constraint is DEFERRABLE (pg_constraint.condeferrable; its
    /// index is then not indimmediate: duplicates are let in and
    /// rechecked at the end of the statement or at commit).
    pub deferrable: bool,
    /// INITIALLY DEFERRED (pg_constraint.condeferred).
    pub deferred: bool,
    /// Per column, pg_index.indoption: DESC (1) and NULLS FIRST (2); the
    /// B-tree's keys follow them (`access::keys::encode_column`). Empty
    /// when every column is ASC NULLS LAST.
    pub options: Vec<u8>,
}

impl IndexDesc {
    /// The indoption of its `k`th column.
    pub fn option(&self, k: usize) -> u8 {
        self.options.get(k).copied().unwrap_or(0)
    }

    /// The index's file: its OID, or the file a rebuild made.
    pub fn rel(&self) -> u32 {
        if self.relfilenode == 0 {
            self.oid
        } else {
            self.relfilenode
        }
    }
}

/// A sequence (pg_class with relkind 'S' + pg_sequence), standalone or
/// owned by a column (serial, OWNED BY). Its current value lives in its
/// relation's page (`access::sequence`), which also keeps a copy of the
/// limits for `nextval`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDesc {
    pub oid: Oid,
    pub name: String,
    /// relnamespace (an owned sequence's is its table's when made).
    pub namespace: Oid,
    /// Owning table and column (0 = not owned).
    pub table: Oid,
    pub column: usize,
    /// seqtypid: int2, int4 or int8.
    pub ty: Oid,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The sequence of an identity column: b'a' (GENERATED ALWAYS) or
    /// b'd' (BY DEFAULT), as pg_attribute.attidentity; 0 for others.
    pub identity: u8,
}

impl SequenceDesc {
    /// A sequence of type `ty` with PostgreSQL's defaults (increment 1,
    /// from 1 to the type's maximum), as serial columns get.
    pub fn with_defaults(oid: Oid, namespace: Oid, name: String, ty: Oid) -> SequenceDesc {
        SequenceDesc {
            oid,
            name,
            namespace,
            table: 0,
            column: 0,
            ty,
            start: 1,
            increment: 1,
            min: 1,
            max: sequence_type_max(ty),
            cache: 1,
            cycle: false,
            identity: 0,
        }
    }
}

/// The largest value of a sequence type (int2, int4, int8).
pub fn sequence_type_max(ty: Oid) -> i64 {
    match ty {
        crate::types::oid::INT2 => i16::MAX as i64,
        crate::types::oid::INT4 => i32::MAX as i64,
        _ => i64::MAX,
    }
}

/// The smallest value of a sequence type (int2, int4, int8).
pub fn sequence_type_min(ty: Oid) -> i64 {
    match ty {
        crate::types::oid::INT2 => i16::MIN as i64,
        crate::types::oid::INT4 => i32::MIN as i64,
        _ => i64::MIN,
    }
}

/// What kind of relation a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelKind {
    Table,
    Index,
    Sequence,
    View,
}

/// A view: its defining query as text (re-analyzed at each use, so that
/// it sees the catalog of the statement using it): the deparsed form with
/// every column named and every relation schema-qualified (bound at
/// CREATE VIEW, as PostgreSQL binds it; `ViewDef`), or, when the deparser
/// cannot print it, the query as written; its columns, and the
/// tables and views it reads (which cannot be dropped while it exists,
/// unless by CASCADE).
#[derive(Clone, Debug, PartialEq)]
pub struct ViewDesc {
    pub oid: Oid,
    pub name: String,
    /// relnamespace.
    pub namespace: Oid,
    pub sql: String,
    /// Name, type and type modifier of each column.
    pub columns: Vec<(String, Oid, i32)>,
    pub deps: Vec<Oid>,
    /// pg_get_viewdef's text (`analyze::viewdef`), None for a view whose
    /// query the deparser cannot print yet (or made before it existed).
    pub def: Option<ViewDef>,
    /// Whether INSERT, UPDATE and DELETE may write through it (None: a
    /// view made before pgfork knew, taken as not updatable).
    pub auto_update: Option<view_update::AutoUpdate>,
    /// WITH [LOCAL | CASCADED] CHECK OPTION.
    pub check_option: Option<view_update::CheckOption>,
    /// Column defaults (ALTER VIEW ... ALTER COLUMN ... SET DEFAULT): the
    /// column's index and the expression's text.
    pub defaults: Vec<(usize, String)>,
}

/// A view's definition as pg_get_viewdef prints it, plain and pretty,
/// each relation written as a marker (`ViewDesc::relation_marker`) that
/// `ViewDesc::render` replaces by its name.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewDef {
    pub plain: String,
    pub pretty: String,
}

impl ViewDesc {
    /// The marker standing for relation `oid` in a `ViewDef`.
    pub fn relation_marker(oid: Oid) -> String {
        format!("\u{1}{oid}\u{2}")
    }

    /// `template` with each relation marker replaced by `name(oid)`.
    pub fn render(template: &str, name: &dyn Fn(Oid) -> String) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find('\u{1}') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('\u{2}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            match after[..end].parse::<Oid>() {
                Ok(o) => out.push_str(&name(o)),
                Err(_) => out.push_str(&after[..end]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// One version of the catalog.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub next_oid: Oid,
    /// Schemas made by CREATE SCHEMA (`namespace`).
    pub namespaces: Vec<Arc<namespace::NamespaceDesc>>,
    pub tables: Vec<Arc<TableDesc>>,
    pub indexes: Vec<Arc<IndexDesc>>,
    pub sequences: Vec<Arc<SequenceDesc>>,
    pub views: Vec<Arc<ViewDesc>>,
    /// Materialized views (`matview.rs`; their tables are in `tables`).
    pub matviews: Vec<Arc<matview::MatviewDesc>>,
    /// CHECK and FOREIGN KEY constraints (pg_constraint rows 'c', 'f').
    pub constraints: Vec<Arc<constraint::ConstraintDesc>>,
    /// Enum types (pg_type rows with typtype 'e', their pg_enum rows).
    pub enums: Vec<Arc<EnumType>>,
    /// Domains (pg_type rows with typtype 'd'; `domain.rs`).
    pub domains: Vec<Arc<crate::types::domains::DomainType>>,
    /// Composite types of CREATE TYPE ... AS (`composite.rs`).
    pub composites: Vec<Arc<composite::CompositeTypeDesc>>,
    /// The domain of each column declared with one: (table, attnum).
    pub column_domains: std::collections::BTreeMap<(Oid, i16), Oid>,
    /// User-defined functions and procedures (pg_proc rows).
    pub functions: Vec<Arc<function::FunctionDesc>>,
    /// Triggers (pg_trigger rows; `trigger.rs`).
    pub triggers: Vec<Arc<trigger::TriggerDesc>>,
    /// COMMENT ON texts (pg_description): (classoid, objoid, objsubid).
    pub comments: std::collections::BTreeMap<(Oid, Oid, i32), String>,
    /// pg_attrdef OIDs of column defaults: (table, attnum) (`row_oids`).
    pub attrdef_oids: std::collections::BTreeMap<(Oid, i16), Oid>,
    /// The search path each view was created under (its query's names
    /// resolve through it: `namespace::with_search_path`), by view.
    pub view_paths: std::collections::BTreeMap<Oid, String>,
    /// OIDs of views' `_RETURN` rules (pg_rewrite), by view.
    pub rule_oids: std::collections::BTreeMap<Oid, Oid>,
    /// Row type and array type OIDs of tables, views and materialized
    /// views (pg_type), by relation (`row_oids`).
    pub rowtype_oids: std::collections::BTreeMap<Oid, (Oid, Oid)>,
    /// The row types made from them (`types::composite`).
    pub row_types: Arc<Vec<Arc<crate::types::composite::CompositeType>>>,
    /// Roles (pg_authid; `roles.rs`), cluster-wide.
    pub roles: Vec<Arc<roles::RoleDesc>>,
    /// Role memberships (pg_auth_members).
    pub members: Vec<roles::AuthMember>,
    /// Owners of objects not owned by the bootstrap superuser.
    pub owners: std::collections::BTreeMap<Oid, Oid>,
    /// ACLs of objects whose ACL is not their kind's default.
    /// Keyed by (class letter, OID): `roles::ObjectKind::class`.
    /// Those of databases ('d') are shared.
    pub acls: std::collections::BTreeMap<(char, Oid), Vec<roles::AclItem>>,
    /// pg_database (`database.rs`), cluster-wide.
    pub databases: Vec<Arc<database::DatabaseDesc>>,
    /// pg_db_role_setting (`db_role_setting.rs`), cluster-wide:
    /// (setdatabase, setrole) → `name=value` entries.
    pub db_role_settings: std::collections::BTreeMap<(Oid, Oid), Vec<String>>,
    /// pg_shdescription (`comments.rs`), cluster-wide: comments on
    /// databases and roles, by (classoid, objoid).
    pub shared_comments: std::collections::BTreeMap<(Oid, Oid), String>,
}

impl Catalog {
    pub fn empty() -> Catalog {
        Catalog {
            next_oid: FIRST_USER_OID,
            ..Default::default()
        }
    }

    /// The table an unqualified name finds through the search path.
    pub fn table(&self, name: &str) -> Option<&Arc<TableDesc>> {
        match self.relkind(name)? {
            (RelKind::Table, o) => self.table_by_oid(o),
            _ => None,
        }
    }

    pub fn table_by_oid(&self, oid: Oid) -> Option<&Arc<TableDesc>> {
        self.tables.iter().find(|t| t.oid == oid)
    }

    /// The index an unqualified name finds through the search path.
    pub fn index(&self, name: &str) -> Option<&Arc<IndexDesc>> {
        match self.relkind(name)? {
            (RelKind::Index, o) => self.indexes.iter().find(|i| i.oid == o),
            _ => None,
        }
    }

    /// The sequence an unqualified name finds through the search path.
    pub fn sequence(&self, name: &str) -> Option<&Arc<SequenceDesc>> {
        match self.relkind(name)? {
            (RelKind::Sequence, o) => self.sequence_by_oid(o),
            _ => None,
        }
    }

    pub fn sequence_by_oid(&self, oid: Oid) -> Option<&Arc<SequenceDesc>> {
        self.sequences.iter().find(|s| s.oid == oid)
    }

    /// The indexes of a table, in creation order.
    pub fn indexes_of(&self, table: Oid) -> impl Iterator<Item = &Arc<IndexDesc>> {
        self.indexes.iter().filter(move |i| i.table == table)
    }

    /// What an unqualified relation name finds through the search path
    /// (`namespace`), if anything.
    pub fn relkind(&self, name: &str) -> Option<(RelKind, Oid)> {
        self.resolve_relation(None, name)
    }

    /// The view an unqualified name finds through the search path.
    pub fn view(&self, name: &str) -> Option<&Arc<ViewDesc>> {
        match self.relkind(name)? {
            (RelKind::View, o) => self.views.iter().find(|v| v.oid == o),
            _ => None,
        }
    }

    /// The views that read relation `oid`.
    pub fn views_using(&self, oid: Oid) -> impl Iterator<Item = &Arc<ViewDesc>> {
        self.views.iter().filter(move |v| v.deps.contains(&oid))
    }

    /// The name of any relation by OID.
    pub fn relation_name(&self, oid: Oid) -> Option<&str> {
        if let Some(t) = self.table_by_oid(oid) {
            return Some(&t.name);
        }
        if let Some(i) = self.indexes.iter().find(|i| i.oid == oid) {
            return Some(&i.name);
        }
        if let Some(v) = self.views.iter().find(|v| v.oid == oid) {
            return Some(&v.name);
        }
        if let Some(c) = self.composite_by_relid(oid) {
            return Some(&c.name);
        }
        self.sequence_by_oid(oid).map(|s| s.name.as_str())
    }

    /// The relation files the catalog names (relation files are named by
    /// OID and never reused).
    pub fn relation_files(&self) -> std::collections::BTreeSet<u32> {
        self.tables
            .iter()
            .map(|t| t.rel())
            .chain(self.indexes.iter().map(|i| i.rel()))
            .chain(self.sequences.iter().map(|s| s.oid))
            .collect()
    }

    /// A fresh OID.
    pub fn alloc_oid(&mut self) -> Oid {
        let o = self.next_oid.max(FIRST_USER_OID);
        self.next_oid = o + 1;
        o
    }

    /// 42P07 unless `name` is free in schema `nsp`.
    pub fn check_free_name(&self, nsp: Oid, name: &str) -> PgResult<()> {
        if self.relation_in(nsp, name).is_some() {
            return Err(PgError::new(
                sqlstate::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        Ok(())
    }

    /// A name like PostgreSQL's ChooseRelationName: `base_suffix`, then
    /// `base_suffix1`, ... until free in schema `nsp`.
    pub fn choose_name(&self, nsp: Oid, base: &str, suffix: &str) -> String {
        let first = format!("{base}_{suffix}");
        if self.relation_in(nsp, &first).is_none() {
            return first;
        }
        (1..)
            .map(|i| format!("{base}_{suffix}{i}"))
            .find(|n| self.relation_in(nsp, n).is_none())
            .unwrap_or(first)
    }

    /// The text form of both parts, the database's catalog then the
    /// shared one (for tests: the files hold [`Catalog::serialize_local`]
    /// and [`Catalog::serialize_shared`]).
    pub fn serialize(&self) -> String {
        let shared = self.serialize_shared();
        let body = shared.split_once('\n').map_or("", |x| x.1);
        self.serialize_local() + body
    }

    /// The shared part's text form: the OID counter, roles, memberships,
    /// databases and their ACLs.
    pub fn serialize_shared(&self) -> String {
        let mut s = format!("{SHARED_MAGIC}\nnext_oid {}\n", self.next_oid);
        s += &self.serialize_roles(true);
        for d in &self.databases {
            s += &d.serialize();
        }
        s += &self.serialize_db_role_settings();
        s += &self.serialize_shared_comments();
        s
    }

    /// The database's part's text form: everything not shared.
    pub fn serialize_local(&self) -> String {
        let mut s = format!("{MAGIC}\nnext_oid {}\n", self.next_oid);
        for n in &self.namespaces {
            s += &format!("namespace {} {} {}\n", n.oid, n.owner, esc(&n.name));
        }
        for t in &self.tables {
            s += &format!("table {} {} {}", t.oid, t.fillfactor, esc(&t.name));
            // The file of a rewritten table as a fifth field (left out
            // while it is the OID's, as catalogs written before it).
            if t.relfilenode != 0 {
                s += &format!(" {}", t.relfilenode);
            }
            s.push('\n');
            for c in &t.columns {
                s += &format!(
                    "column {} {} {} {} {}",
                    esc(&c.name),
                    c.ty,
                    c.typmod,
                    u8::from(c.not_null),
                    c.default.as_deref().map_or("\\N".to_owned(), esc)
                );
                // The missing value (`\\N`: none) as a sixth field, then
                // `dropped` for a dropped column; both left out when there
                // is neither (catalogs written before them have five).
                if c.missing.is_some() || c.dropped {
                    s += " ";
                    s += &c
                        .missing
                        .as_ref()
                        .map_or("\\N".to_owned(), |v| esc(&v.to_text()));
                }
                if c.dropped {
                    s += " dropped";
                }
                s.push('\n');
            }
        }
        for i in &self.indexes {
            let cols: Vec<String> = i.columns.iter().map(usize::to_string).collect();
            s += &format!(
                "index {} {} {} {} {} {} {}",
                i.oid,
                i.table,
                u8::from(i.unique),
                u8::from(i.primary),
                esc(&i.name),
                cols.join(","),
                u8::from(i.constraint)
            );
            // The file, then the deferrable and deferred flags as two
            // digits, then the columns' indoption (each left out, with
            // what follows, while it has nothing to say: catalogs written
            // before them end there).
            let opts = !i.options.is_empty();
            if i.relfilenode != 0 || i.deferrable || opts {
                s += &format!(" {}", i.relfilenode);
            }
            if i.deferrable || opts {
                s += &format!(" {}{}", u8::from(i.deferrable), u8::from(i.deferred));
            }
            if opts {
                let o: Vec<String> = i.options.iter().map(u8::to_string).collect();
                s += &format!(" {}", o.join(","));
            }
            s.push('\n');
        }
        for v in &self.views {
            let deps: Vec<String> = v.deps.iter().map(Oid::to_string).collect();
            s += &format!(
                "view {} {} {} {}\n",
                v.oid,
                esc(&v.name),
                esc(&v.sql),
                if deps.is_empty() {
                    "-".to_owned()
                } else {
                    deps.join(",")
                }
            );
            for (n, t, m) in &v.columns {
                s += &format!("viewcolumn {} {} {}\n", esc(n), t, m);
            }
            if let Some(d) = &v.def {
                s += &format!("viewdef {} {}\n", esc(&d.plain), esc(&d.pretty));
            }
            if let Some(u) = &v.auto_update {
                s += &format!("viewupdate {}\n", u.serialize());
            }
            if let Some(c) = v.check_option {
                s += &format!("viewcheck {}\n", c.name());
            }
            for (i, d) in &v.defaults {
                s += &format!("viewdefault {i} {}\n", esc(d));
            }
        }
        for m in &self.matviews {
            s += &m.serialize();
        }
        for q in &self.sequences {
            s += &format!(
                "sequence {} {} {} {} {} {} {} {} {} {} {} {}\n",
                q.oid,
                q.table,
                q.column,
                esc(&q.name),
                q.ty,
                q.start,
                q.increment,
                q.min,
                q.max,
                q.cache,
                u8::from(q.cycle),
                q.identity
            );
        }
        for c in &self.constraints {
            s += &c.serialize();
            s.push('\n');
        }
        for e in &self.enums {
            s += &format!(
                "enum {} {} {} {}\n",
                e.oid,
                e.array,
                esc(&e.name),
                esc(&e.array_name)
            );
            for l in &e.labels {
                s += &format!("enumlabel {} {} {}\n", l.oid, l.sort, esc(&l.label));
            }
        }
        s += &self.serialize_domains();
        s += &self.serialize_composites();
        for f in &self.functions {
            s += &f.serialize();
        }
        for t in &self.triggers {
            s += &t.serialize();
        }
        for ((table, attnum), o) in &self.attrdef_oids {
            s += &format!("attrdef {table} {attnum} {o}\n");
        }
        for (view, path) in &self.view_paths {
            if self.views.iter().any(|v| v.oid == *view) || self.is_matview(*view) {
                s += &format!("viewpath {view} {}\n", esc(path));
            }
        }
        for (view, o) in &self.rule_oids {
            s += &format!("rule {view} {o}\n");
        }
        for (rel, (t, a)) in &self.rowtype_oids {
            s += &format!("rowtype {rel} {t} {a}\n");
        }
        for ((class, obj, sub), text) in &self.comments {
            s += &format!("comment {class} {obj} {sub} {}\n", esc(text));
        }
        // The schema of every object not in public (catalogs written
        // before schemas have none: all in public).
        let placed = self
            .tables
            .iter()
            .map(|t| (t.oid, t.namespace))
            .chain(self.indexes.iter().map(|i| (i.oid, i.namespace)))
            .chain(self.views.iter().map(|v| (v.oid, v.namespace)))
            .chain(self.sequences.iter().map(|q| (q.oid, q.namespace)))
            .chain(self.enums.iter().map(|e| (e.oid, e.namespace)));
        for (o, n) in placed {
            if n != PUBLIC_NAMESPACE {
                s += &format!("relnamespace {o} {n}\n");
            }
        }
        s += &self.serialize_roles(false);
        s
    }

    /// The sequence of identity column `column` of table `table`.
    pub fn identity(&self, table: Oid, column: usize) -> Option<&Arc<SequenceDesc>> {
        self.sequences
            .iter()
            .find(|s| s.identity != 0 && s.table == table && s.column == column)
    }

    /// The user function or procedure with OID `oid`.
    pub fn function_by_oid(&self, oid: Oid) -> Option<&Arc<function::FunctionDesc>> {
        self.functions.iter().find(|f| f.oid == oid)
    }

    /// The enum type an unqualified name finds through the search path.
    pub fn enum_type(&self, name: &str) -> Option<&Arc<EnumType>> {
        self.resolve_enum(None, name)
    }

    /// Parses [`Catalog::serialize`]'s output (or a database's catalog
    /// file alone).
    pub fn deserialize(text: &str) -> PgResult<Catalog> {
        Catalog::load(text, None)
    }

    /// The catalog of a database's part (`local`, text form) merged with
    /// the shared part's text (None: none; a text catalog written before
    /// the split then keeps the roles it holds). The OID counter is the
    /// larger of the two.
    pub fn load(local: &str, shared: Option<&str>) -> PgResult<Catalog> {
        let mut cat = Catalog::empty();
        cat.parse_text(local, MAGIC)?;
        if let Some(shared) = shared {
            cat.roles.clear();
            cat.members.clear();
            cat.databases.clear();
            cat.db_role_settings.clear();
            cat.shared_comments.clear();
            cat.acls.retain(|k, _| k.0 != 'd');
            let local_next = cat.next_oid;
            cat.parse_text(shared, SHARED_MAGIC)?;
            cat.next_oid = cat.next_oid.max(local_next);
        }
        cat.settle_row_oids();
        cat.ensure_bootstrap_role();
        Ok(cat)
    }

    /// Adds the lines of a catalog text form headed by `magic`.
    fn parse_text(&mut self, text: &str, magic: &str) -> PgResult<()> {
        let bad = |line: &str| {
            PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("invalid catalog line: \"{line}\""),
            )
        };
        let mut lines = text.lines();
        if lines.next() != Some(magic) {
            return Err(PgError::new(
                sqlstate::DATA_CORRUPTED,
                "catalog file has a bad header",
            ));
        }
        let cat = self;
        let mut current: Option<TableDesc> = None;
        let mut placed: std::collections::HashMap<Oid, Oid> = Default::default();
        for line in lines {
            let f: Vec<&str> = line.split(' ').collect();
            let num = |i: usize| -> PgResult<i64> {
                f.get(i)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| bad(line))
            };
            let txt = |i: usize| -> PgResult<String> {
                f.get(i).map(|v| unesc(v)).ok_or_else(|| bad(line))
            };
            match f[0] {
                "next_oid" => cat.next_oid = num(1)? as Oid,
                "table" => {
                    if let Some(t) = current.take() {
                        cat.tables.push(Arc::new(t));
                    }
                    current = Some(TableDesc {
                        namespace: PUBLIC_NAMESPACE,
                        oid: num(1)? as Oid,
                        fillfactor: num(2)? as u8,
                        name: txt(3)?,
                        columns: vec![],
                        relfilenode: match f.get(4) {
                            Some(_) => num(4)? as Oid,
                            None => 0,
                        },
                    });
                }
                "column" => {
                    let t = current.as_mut().ok_or_else(|| bad(line))?;
                    t.columns.push(ColumnDesc {
                        name: txt(1)?,
                        ty: num(2)? as Oid,
                        typmod: num(3)? as i32,
                        not_null: num(4)? != 0,
                        default: match f.get(5) {
                            Some(&"\\N") => None,
                            Some(v) => Some(unesc(v)),
                            None => return Err(bad(line)),
                        },
                        dropped: f.get(7) == Some(&"dropped"),
                        missing: match f.get(6) {
                            Some(&"\\N") => None,
                            Some(v) => Some(
                                Value::parse_text(num(2)? as Oid, &unesc(v))
                                    .map_err(|_| bad(line))?,
                            ),
                            None => None,
                        },
                    });
                }
                "index" => {
                    let cols = f.get(6).ok_or_else(|| bad(line))?;
                    let (unique, primary, name) = (num(3)? != 0, num(4)? != 0, txt(5)?);
                    // Catalogs written before the flag was kept: the
                    // constraint-backed indexes were the _pkey/_key ones.
                    let constraint = match f.get(7) {
                        Some(_) => num(7)? != 0,
                        None => primary || (unique && name.ends_with("_key")),
                    };
                    cat.indexes.push(Arc::new(IndexDesc {
                        namespace: PUBLIC_NAMESPACE,
                        oid: num(1)? as Oid,
                        table: num(2)? as Oid,
                        unique,
                        primary,
                        constraint,
                        relfilenode: match f.get(8) {
                            Some(_) => num(8)? as Oid,
                            None => 0,
                        },
                        deferrable: f.get(9).is_some_and(|d| d.starts_with('1')),
                        deferred: f.get(9).is_some_and(|d| d.ends_with('1')),
                        options: match f.get(10) {
                            Some(o) => o
                                .split(',')
                                .map(|x| x.parse().map_err(|_| bad(line)))
                                .collect::<PgResult<_>>()?,
                            None => Vec::new(),
                        },
                        name,
                        columns: cols
                            .split(',')
                            .map(|c| c.parse().map_err(|_| bad(line)))
                            .collect::<PgResult<_>>()?,
                    }));
                }
                "sequence" => {
                    // Catalogs written before sequences had options hold
                    // serial sequences with the defaults.
                    let mut s = SequenceDesc::with_defaults(
                        num(1)? as Oid,
                        PUBLIC_NAMESPACE,
                        txt(4)?,
                        crate::types::oid::INT8,
                    );
                    s.table = num(2)? as Oid;
                    s.column = num(3)? as usize;
                    if f.len() > 5 {
                        s.ty = num(5)? as Oid;
                        s.start = num(6)?;
                        s.increment = num(7)?;
                        s.min = num(8)?;
                        s.max = num(9)?;
                        s.cache = num(10)?;
                        s.cycle = num(11)? != 0;
                    }
                    // Identity columns came later: none when absent.
                    if f.len() > 12 {
                        s.identity = num(12)? as u8;
                    }
                    cat.sequences.push(Arc::new(s));
                }
                "view" => {
                    let deps = f.get(4).ok_or_else(|| bad(line))?;
                    cat.views.push(Arc::new(ViewDesc {
                        namespace: PUBLIC_NAMESPACE,
                        oid: num(1)? as Oid,
                        name: txt(2)?,
                        sql: txt(3)?,
                        columns: vec![],
                        def: None,
                        auto_update: None,
                        check_option: None,
                        defaults: vec![],
                        deps: if *deps == "-" {
                            vec![]
                        } else {
                            deps.split(',')
                                .map(|d| d.parse().map_err(|_| bad(line)))
                                .collect::<PgResult<_>>()?
                        },
                    }));
                }
                "matview" => cat.matviews.push(Arc::new(
                    matview::MatviewDesc::parse(&f).ok_or_else(|| bad(line))?,
                )),
                "matviewdef" => {
                    let m = cat.matviews.last_mut().ok_or_else(|| bad(line))?;
                    Arc::make_mut(m).def = Some(ViewDef {
                        plain: txt(1)?,
                        pretty: txt(2)?,
                    });
                }
                "viewdef" => {
                    let v = cat.views.last_mut().ok_or_else(|| bad(line))?;
                    Arc::make_mut(v).def = Some(ViewDef {
                        plain: txt(1)?,
                        pretty: txt(2)?,
                    });
                }
                "viewupdate" => {
                    let v = cat.views.last_mut().ok_or_else(|| bad(line))?;
                    let (a, b) = (f.get(1), f.get(2));
                    Arc::make_mut(v).auto_update = Some(
                        a.zip(b)
                            .and_then(|(a, b)| view_update::AutoUpdate::deserialize(a, b))
                            .ok_or_else(|| bad(line))?,
                    );
                }
                "viewcheck" => {
                    let v = cat.views.last_mut().ok_or_else(|| bad(line))?;
                    Arc::make_mut(v).check_option = Some(
                        f.get(1)
                            .and_then(|c| view_update::CheckOption::parse(c))
                            .ok_or_else(|| bad(line))?,
                    );
                }
                "viewdefault" => {
                    let v = cat.views.last_mut().ok_or_else(|| bad(line))?;
                    let i = num(1)? as usize;
                    Arc::make_mut(v).defaults.push((i, txt(2)?));
                }
                "viewcolumn" => {
                    let v = cat.views.last_mut().ok_or_else(|| bad(line))?;
                    // The type modifier was added later: -1 when absent.
                    let typmod = if f.len() > 3 { num(3)? as i32 } else { -1 };
                    Arc::make_mut(v)
                        .columns
                        .push((txt(1)?, num(2)? as Oid, typmod));
                }
                "constraint" => cat.constraints.push(Arc::new(
                    constraint::ConstraintDesc::deserialize(&f, &unesc).ok_or_else(|| bad(line))?,
                )),
                "enum" => cat.enums.push(Arc::new(EnumType {
                    namespace: PUBLIC_NAMESPACE,
                    oid: num(1)? as Oid,
                    array: num(2)? as Oid,
                    name: txt(3)?,
                    array_name: txt(4)?,
                    labels: vec![],
                })),
                "enumlabel" => {
                    let e = cat.enums.last_mut().ok_or_else(|| bad(line))?;
                    let sort = f
                        .get(2)
                        .and_then(|v| v.parse::<f64>().ok())
                        .ok_or_else(|| bad(line))?;
                    Arc::make_mut(e).labels.push(EnumLabel {
                        oid: num(1)? as Oid,
                        sort,
                        label: txt(3)?,
                    });
                }
                "domain" | "coldomain" => cat.parse_domain_line(&f).ok_or_else(|| bad(line))?,
                "comptype" | "compattr" => cat.parse_composite_line(&f).ok_or_else(|| bad(line))?,
                "function" => cat
                    .functions
                    .push(Arc::new(function::FunctionDesc::parse(&f)?)),
                "trigger" => cat
                    .triggers
                    .push(Arc::new(trigger::TriggerDesc::parse(&f)?)),
                "funcarg" => {
                    let func = cat.functions.last_mut().ok_or_else(|| bad(line))?;
                    Arc::make_mut(func).add_arg(&f)?;
                }
                "attrdef" => {
                    cat.attrdef_oids
                        .insert((num(1)? as Oid, num(2)? as i16), num(3)? as Oid);
                }
                "viewpath" => {
                    cat.view_paths.insert(num(1)? as Oid, txt(2)?);
                }
                "rule" => {
                    cat.rule_oids.insert(num(1)? as Oid, num(2)? as Oid);
                }
                "rowtype" => {
                    cat.rowtype_oids
                        .insert(num(1)? as Oid, (num(2)? as Oid, num(3)? as Oid));
                }
                "comment" => {
                    cat.comments
                        .insert((num(1)? as Oid, num(2)? as Oid, num(3)? as i32), txt(4)?);
                }
                "namespace" => cat.namespaces.push(Arc::new(namespace::NamespaceDesc {
                    oid: num(1)? as Oid,
                    owner: num(2)? as Oid,
                    name: txt(3)?,
                })),
                "relnamespace" => {
                    placed.insert(num(1)? as Oid, num(2)? as Oid);
                }
                "database" => cat.databases.push(Arc::new(
                    database::DatabaseDesc::parse(&f).ok_or_else(|| bad(line))?,
                )),
                "dbrolesetting" => cat.parse_db_role_setting(&f).ok_or_else(|| bad(line))?,
                "shcomment" => cat.parse_shared_comment(&f).ok_or_else(|| bad(line))?,
                "" => {}
                _ => {
                    if !cat.parse_role_line(&f).map_err(|()| bad(line))? {
                        return Err(bad(line));
                    }
                }
            }
        }
        if let Some(t) = current.take() {
            cat.tables.push(Arc::new(t));
        }
        if !placed.is_empty() {
            let nsp = |o: Oid| placed.get(&o).copied().unwrap_or(PUBLIC_NAMESPACE);
            for t in &mut cat.tables {
                Arc::make_mut(t).namespace = nsp(t.oid);
            }
            for i in &mut cat.indexes {
                Arc::make_mut(i).namespace = nsp(i.oid);
            }
            for v in &mut cat.views {
                Arc::make_mut(v).namespace = nsp(v.oid);
            }
            for q in &mut cat.sequences {
                Arc::make_mut(q).namespace = nsp(q.oid);
            }
            for e in &mut cat.enums {
                Arc::make_mut(e).namespace = nsp(e.oid);
            }
        }
        Ok(())
    }
}

/// Escapes a name or expression into one space-free token.
pub(crate) fn esc(s: &str) -> String {
    if s.is_empty() {
        return "\\e".into();
    }
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ' ' => o.push_str("\\s"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) fn unesc(s: &str) -> String {
    if s == "\\e" {
        return String::new();
    }
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            o.push(c);
            continue;
        }
        match it.next() {
            Some('s') => o.push(' '),
            Some('n') => o.push('\n'),
            Some('r') => o.push('\r'),
            Some('t') => o.push('\t'),
            Some(c) => o.push(c),
            None => {}
        }
    }
    o
}

fn io_error(what: String, e: std::io::Error) -> PgError {
    PgError::new(sqlstate::IO_ERROR, format!("{what}: {e}"))
}

/// `DIR/catalog`: the catalog file of the database whose catalog
/// directory is `dir` ([`database::catalog_dir`]).
pub fn catalog_path(dir: &Path) -> PathBuf {
    dir.join("catalog")
}

/// `DATADIR/global/shared`: the shared catalog file.
pub fn shared_path(data_dir: &Path) -> PathBuf {
    data_dir.join("global").join("shared")
}

/// The text of a file, None when it does not exist.
fn read_text(path: &Path) -> PgResult<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(
            format!("could not read file \"{}\"", path.display()),
            e,
        )),
    }
}

/// The committed catalog of database `db` merged with the shared one,
/// read from the catalog relations (`store.rs`).
pub fn read_committed(seg: &Segment, db: Oid) -> PgResult<Catalog> {
    StoredCatalog::read(seg, db)?.catalog()
}

/// The entries of a catalog text form (header line first).
pub(crate) fn entries_of(text: &str) -> PgResult<BTreeMap<store::EntryKey, String>> {
    store::split(text.split_once('\n').map_or("", |x| x.1))
}

impl Catalog {
    /// The entries of its database's part (the OID counter included: the
    /// counter is the largest any database's catalog holds, see
    /// `import::settle_files_and_oids`).
    pub(crate) fn local_entries(&self) -> PgResult<BTreeMap<store::EntryKey, String>> {
        entries_of(&self.serialize_local())
    }

    /// The entries of the shared part, without the OID counter: a change
    /// that only allocates OIDs then leaves the shared catalog as it was,
    /// and the backends of other databases keep their caches.
    pub(crate) fn shared_entries(&self) -> PgResult<BTreeMap<store::EntryKey, String>> {
        let mut e = entries_of(&self.serialize_shared())?;
        e.retain(|k, _| !k.is_oid_counter());
        Ok(e)
    }
}

/// A catalog's entries as stored: its database's part and the shared
/// part.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredCatalog {
    pub local: store::Entries,
    pub shared: store::Entries,
}

impl StoredCatalog {
    /// The committed entries of database `db`'s catalog and the shared
    /// one, read under the catalog lock (shared: a committing change
    /// holds it exclusively, so this sees all of a change or none).
    fn read(seg: &Segment, db: Oid) -> PgResult<StoredCatalog> {
        let _g = seg.header().catalog_lock.lock(LockMode::Shared);
        Ok(StoredCatalog {
            local: store::read(seg, db)?,
            shared: store::read(seg, store::SHARED_CATALOG_REL)?,
        })
    }

    /// The catalog these entries make.
    fn catalog(&self) -> PgResult<Catalog> {
        let body = |e: &store::Entries| e.values().map(|s| s.text.as_str()).collect::<String>();
        let local = format!("{MAGIC}\n{}", body(&self.local));
        let shared =
            (!self.shared.is_empty()).then(|| format!("{SHARED_MAGIC}\n{}", body(&self.shared)));
        Catalog::load(&local, shared.as_deref())
    }
}

/// At the server's start, after WAL replay has settled every
/// transaction: imports text catalogs (initdb's, or an older data
/// directory's), removes relation files no committed catalog names and
/// sets the OID counter (`import.rs`).
pub fn settle_after_recovery(seg: &Segment) -> Result<(), String> {
    import::import_text_catalogs(seg)
        .and_then(|()| import::settle_files_and_oids(seg))
        .map_err(|e| format!("could not set up the catalog: {}", e.message))
}

/// Creates the catalogs of a new data directory (as initdb does): the
/// bootstrap superuser named `superuser`, the databases template1,
/// template0 and postgres with empty catalogs, as text files that the
/// first start imports (`import.rs`). Does nothing when the directory
/// already has a shared catalog (file or relation).
pub fn bootstrap(data_dir: &Path, superuser: &str) -> PgResult<()> {
    let relation = data_dir
        .join("base")
        .join(store::SHARED_CATALOG_REL.to_string());
    if shared_path(data_dir).exists() || relation.exists() {
        return Ok(());
    }
    let mut cat = Catalog::empty();
    cat.roles
        .push(Arc::new(roles::RoleDesc::bootstrap(superuser)));
    cat.add_initial_databases();
    for d in &cat.databases {
        write_file(&database::catalog_dir(data_dir, d.oid), &cat)?;
    }
    write_atomically(&shared_path(data_dir), &cat.serialize_shared())
}

/// Writes the text catalog file of database directory `dir` atomically:
/// temp file, fsync, rename, fsync of the directory.
fn write_file(dir: &Path, cat: &Catalog) -> PgResult<()> {
    write_atomically(&catalog_path(dir), &cat.serialize_local())
}

/// Writes `path` (a catalog file) atomically: temp file,
/// fsync, rename, fsync of the directory.
fn write_atomically(path: &Path, text: &str) -> PgResult<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            io_error(
                format!("could not create directory \"{}\"", dir.display()),
                e,
            )
        })?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        // Owner-only, as every file in the data directory.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| io_error(format!("could not write file \"{}\"", path.display()), e))
}

/// A backend's copy of its database's catalog (merged with the shared
/// one), the entries it was made from, and where the backend is in the
/// invalidation queue.
pub struct CatalogCache {
    /// The data directory (empty: none, in unit tests).
    data_dir: PathBuf,
    /// The session's database (postgres until [`CatalogCache::set_database`]).
    database: Oid,
    segment: Segment,
    /// The cache's generation (None: not loaded).
    version: Option<u64>,
    /// The next invalidation message this backend reads.
    sinval_pos: u64,
    current: Arc<Catalog>,
    stored: Arc<StoredCatalog>,
    /// The catalog change of this backend's transaction, if it made one
    /// (see `xact.rs`).
    change: Option<xact::Change>,
    /// The catalog (and its entries) at each open savepoint (1 = the
    /// first).
    savepoints: Vec<(Arc<Catalog>, Arc<StoredCatalog>)>,
    /// The transaction's ids for catalog writes ([`CatalogCache::set_writer`]).
    writer: store::WriteCtx,
    /// The catalog lock, held exclusively while this backend's change
    /// commits ([`CatalogCache::begin_commit`]).
    commit_guard: Option<shmem::lwlock::LWLockGuard<'static>>,
}

/// The newest committed catalog a session of this process loaded, per
/// (segment, database): the sessions of a thread-mode or pool-mode
/// server share one load per invalidation (a process-mode backend has
/// one session, so only its own). Process memory, not the segment.
struct Loaded {
    /// The invalidation queue's position read before the scan: every
    /// change whose message is before it is in this catalog.
    pos: u64,
    cat: Arc<Catalog>,
    stored: Arc<StoredCatalog>,
    version: u64,
}

type LoadedMap = BTreeMap<(usize, Oid), Loaded>;

fn loaded() -> std::sync::MutexGuard<'static, LoadedMap> {
    static LOADED: std::sync::Mutex<LoadedMap> = std::sync::Mutex::new(BTreeMap::new());
    LOADED.lock().unwrap_or_else(|e| e.into_inner())
}

impl CatalogCache {
    pub fn new(data_dir: PathBuf, segment: Segment) -> CatalogCache {
        CatalogCache {
            data_dir,
            database: database::POSTGRES_OID,
            segment,
            version: None,
            sinval_pos: segment.sinval().next(),
            current: Arc::new(Catalog::empty()),
            stored: Arc::default(),
            change: None,
            savepoints: Vec::new(),
            writer: store::WriteCtx::default(),
            commit_guard: None,
        }
    }

    /// Switches to database `oid`'s catalog (at session start, once the
    /// database is known).
    pub fn set_database(&mut self, oid: Oid) {
        self.database = oid;
        self.version = None;
        self.current = Arc::new(Catalog::empty());
        self.stored = Arc::default();
    }

    /// The database whose catalog this is.
    pub fn database(&self) -> Oid {
        self.database
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The segment this cache works in.
    pub fn segment(&self) -> Segment {
        self.segment
    }

    /// Reads the invalidation messages other backends sent since the last
    /// call and rebuilds the cache if one concerns its database or the
    /// shared catalog (or it fell behind the queue). One atomic load when
    /// nothing came.
    pub fn refresh(&mut self) -> PgResult<()> {
        let q = self.segment.sinval();
        if self.version.is_some() && q.next() == self.sinval_pos {
            return Ok(());
        }
        let c = q.read_from(self.sinval_pos);
        self.sinval_pos = c.next;
        let db = self.database;
        let concerned = c.reset
            || c.messages
                .iter()
                .any(|m| m.database == 0 || m.database == db);
        // A backend changing the catalog sees its own version of it; no
        // one else can change it meanwhile.
        if (concerned || self.version.is_none()) && self.change.is_none() {
            if let Err(e) = self.rebuild() {
                self.version = None;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Loads the committed catalog from the catalog relations.
    fn rebuild(&mut self) -> PgResult<()> {
        let start = std::time::Instant::now();
        if self.data_dir.as_os_str().is_empty() {
            let mut cat = Catalog::empty();
            cat.ensure_bootstrap_role();
            self.current = Arc::new(cat);
            self.stored = Arc::default();
            self.new_generation();
            return Ok(());
        }
        let q = self.segment.sinval();
        let key = (self.segment.header() as *const _ as usize, self.database);
        // Another session of this process (thread and pool mode) may have
        // loaded a catalog at least as new as this one needs.
        if let Some(l) = loaded().get(&key).filter(|l| l.pos >= self.sinval_pos) {
            self.current = l.cat.clone();
            self.stored = l.stored.clone();
            self.version = Some(l.version);
            q.note_reuse();
            return Ok(());
        }
        // Every change whose message is before `pos` is in the scan.
        let pos = q.next();
        let stored = StoredCatalog::read(&self.segment, self.database)?;
        self.current = Arc::new(stored.catalog()?);
        self.stored = Arc::new(stored);
        self.new_generation();
        let mut l = loaded();
        if l.get(&key).is_none_or(|old| old.pos < pos) {
            l.insert(
                key,
                Loaded {
                    pos,
                    cat: self.current.clone(),
                    stored: self.stored.clone(),
                    version: self.version.unwrap_or(u64::MAX),
                },
            );
        }
        drop(l);
        q.note_rebuild(start.elapsed().as_micros() as u64);
        Ok(())
    }

    pub fn get(&self) -> &Arc<Catalog> {
        crate::types::enums::set_session(&self.current.enums);
        crate::types::composite::set_session(&self.current.row_types);
        crate::types::domains::set_session(&self.current.domains);
        namespace::set_session(&self.current.namespaces);
        &self.current
    }

    /// The generation of the cached catalog, combined with the session's
    /// search path generation: a plan made under another search path
    /// resolved its names differently and is made again.
    pub fn version(&self) -> u64 {
        self.version
            .unwrap_or(u64::MAX)
            .wrapping_add(namespace::path_generation() << 40)
    }

    /// Installs a changed catalog as this transaction's (see `xact.rs`):
    /// writes the entries that changed as the transaction's tuples. The
    /// caller has begun the transaction's change
    /// ([`CatalogCache::begin_change`]), under [`CATALOG_CHANGE_LOCK`].
    pub fn commit(&mut self, cat: Catalog) -> PgResult<()> {
        let stored = self.write_change(&cat)?;
        self.current = Arc::new(cat);
        self.stored = Arc::new(stored);
        self.new_generation();
        Ok(())
    }

    /// A catalog change needs a data directory to keep it in.
    fn require_data_dir(&self) -> PgResult<()> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(PgError::new(
                sqlstate::IO_ERROR,
                "the server has no data directory",
            ));
        }
        Ok(())
    }

    /// Gives the cache a new generation (cached plans are made again).
    fn new_generation(&mut self) {
        let v = self
            .segment
            .header()
            .catalog_version
            .fetch_add(1, Ordering::AcqRel)
            + 1;
        self.version = Some(v);
    }
}

/// PostgreSQL's typmod for varchar(n)/char(n).
pub fn char_typmod(n: i32) -> i32 {
    n + 4
}

/// The SQL type name with its modifier, as format_type prints it.
pub fn format_type(ty: Oid, typmod: i32) -> String {
    builtin::format_type(ty, Some(typmod))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn sample() -> Catalog {
        let mut c = Catalog::empty();
        c.ensure_bootstrap_role();
        let t = c.alloc_oid();
        c.tables.push(Arc::new(TableDesc {
            namespace: PUBLIC_NAMESPACE,
            oid: t,
            name: "my table".into(),
            fillfactor: 90,
            relfilenode: 0,
            columns: vec![
                ColumnDesc {
                    name: "id".into(),
                    ty: oid::INT4,
                    typmod: -1,
                    not_null: true,
                    default: Some("nextval('my table_id_seq'::regclass)".into()),
                    missing: None,
                    dropped: false,
                },
                ColumnDesc {
                    name: "".into(),
                    ty: oid::VARCHAR,
                    typmod: 9,
                    not_null: false,
                    default: Some("'a\\b\tc\n'".into()),
                    missing: None,
                    dropped: false,
                },
                ColumnDesc {
                    name: "n".into(),
                    ty: oid::NUMERIC,
                    typmod: -1,
                    not_null: false,
                    default: None,
                    missing: None,
                    dropped: false,
                },
                // Added with a default (a missing value), and dropped.
                ColumnDesc {
                    name: "m x".into(),
                    ty: oid::TEXT,
                    typmod: -1,
                    not_null: false,
                    default: Some("'a b'::text".into()),
                    missing: Some(Value::Text("a b".into())),
                    dropped: false,
                },
                ColumnDesc {
                    name: "........pg.dropped.5........".into(),
                    ty: oid::INT4,
                    typmod: -1,
                    not_null: false,
                    default: None,
                    missing: Some(Value::Int4(-3)),
                    dropped: true,
                },
                ColumnDesc {
                    name: "........pg.dropped.6........".into(),
                    ty: oid::TEXT,
                    typmod: -1,
                    not_null: false,
                    default: None,
                    missing: None,
                    dropped: true,
                },
            ],
        }));
        let i = c.alloc_oid();
        c.indexes.push(Arc::new(IndexDesc {
            namespace: PUBLIC_NAMESPACE,
            oid: i,
            name: "my table_pkey".into(),
            table: t,
            columns: vec![0, 2],
            unique: true,
            primary: true,
            constraint: true,
            relfilenode: 0,
            deferrable: true,
            deferred: true,
            options: vec![3, 0],
        }));
        let s = c.alloc_oid();
        let mut sd =
            SequenceDesc::with_defaults(s, PUBLIC_NAMESPACE, "my table_id_seq".into(), oid::INT4);
        sd.table = t;
        sd.min = -5;
        sd.cycle = true;
        c.sequences.push(Arc::new(sd));
        c
    }

    #[test]
    fn serialize_round_trip() {
        let mut c = sample();
        c.settle_row_oids();
        let back = Catalog::deserialize(&c.serialize()).unwrap();
        assert_eq!(back, c);
        // Three relations, the OIDs of the three column defaults, then the
        // table's array and row types.
        assert_eq!(back.next_oid, FIRST_USER_OID + 8);
        let mut v = c.clone();
        v.views.push(Arc::new(ViewDesc {
            namespace: 16390,
            oid: 20000,
            name: "a view".into(),
            sql: "SELECT a, 'x y' FROM t\nWHERE b = 1".into(),
            columns: vec![
                ("a".into(), oid::INT4, -1),
                ("?column?".into(), oid::VARCHAR, 14),
            ],
            deps: vec![FIRST_USER_OID, 20001],
            def: Some(ViewDef {
                plain: format!(" SELECT t.a\n   FROM {};", ViewDesc::relation_marker(20001)),
                pretty: " SELECT 1;".into(),
            }),
            auto_update: Some(view_update::AutoUpdate::Yes {
                base: FIRST_USER_OID,
                columns: vec![1, 0],
            }),
            check_option: Some(view_update::CheckOption::Cascaded),
            defaults: vec![(1, "'a b'::text".into())],
        }));
        v.views.push(Arc::new(ViewDesc {
            namespace: PUBLIC_NAMESPACE,
            oid: 20001,
            name: "w".into(),
            sql: "SELECT 1".into(),
            columns: vec![("?column?".into(), oid::INT4, -1)],
            deps: vec![],
            def: None,
            auto_update: Some(view_update::AutoUpdate::No(
                "Views that do not select from a single table or view are not automatically updatable.".into(),
            )),
            check_option: None,
            defaults: vec![],
        }));
        v.namespaces.push(Arc::new(namespace::NamespaceDesc {
            oid: 16390,
            name: "my schema".into(),
            owner: 10,
        }));
        v.settle_row_oids();
        v.comments
            .insert((1259, 20001, 0), "a 'comment'\non two lines".into());
        assert_eq!(Catalog::deserialize(&v.serialize()).unwrap(), v);
        assert!(Catalog::deserialize("garbage").is_err());
    }

    /// The catalog as entries of its two relations, and back: what a
    /// rebuild makes of what a change wrote.
    #[test]
    fn entries_round_trip() {
        let mut c = sample();
        c.settle_row_oids();
        let mut alice = roles::RoleDesc::bootstrap("alice");
        alice.oid = 16500;
        c.roles.push(Arc::new(alice));
        c.add_initial_databases();
        let stored = |e: BTreeMap<store::EntryKey, String>| -> store::Entries {
            e.into_iter()
                .map(|(k, text)| (k, store::Stored { text, tids: vec![] }))
                .collect()
        };
        let s = StoredCatalog {
            local: stored(c.local_entries().unwrap()),
            shared: stored(c.shared_entries().unwrap()),
        };
        // One entry per object: the table with its six columns is one.
        assert!(s.local.values().any(|e| e.text.lines().count() == 7));
        // The OID counter is the database's, not the shared catalog's.
        assert!(s.shared.keys().all(|k| !k.is_oid_counter()));
        assert!(s.local.keys().any(|k| k.is_oid_counter()));
        assert_eq!(s.catalog().unwrap(), c);
    }

    #[test]
    fn relfilenode_round_trip() {
        let mut c = sample();
        let file = c.alloc_oid();
        let mut t = (*c.tables[0]).clone();
        t.relfilenode = file;
        c.tables[0] = Arc::new(t);
        let mut i = (*c.indexes[0]).clone();
        i.relfilenode = c.alloc_oid();
        c.indexes[0] = Arc::new(i);
        c.settle_row_oids();
        let back = Catalog::deserialize(&c.serialize()).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.tables[0].rel(), file);
        assert_eq!(back.indexes[0].rel(), file + 1);
        assert!(back.relation_files().contains(&file));
        assert!(!back.relation_files().contains(&back.tables[0].oid));
    }

    /// The text catalog file of database directory `dir` alone, as the
    /// start-up's import reads it; an absent file is the empty catalog.
    fn read_file(dir: &Path) -> PgResult<Catalog> {
        match read_text(&catalog_path(dir))? {
            Some(text) => Catalog::deserialize(&text),
            None => {
                let mut cat = Catalog::empty();
                cat.ensure_bootstrap_role();
                Ok(cat)
            }
        }
    }

    #[test]
    fn file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut empty = Catalog::empty();
        empty.ensure_bootstrap_role();
        assert_eq!(read_file(dir.path()).unwrap(), empty);
        // A catalog written before defaults had OIDs gets them on reading,
        // the same in every backend: from next_oid, in column order.
        let c = sample();
        write_file(dir.path(), &c).unwrap();
        let read = read_file(dir.path()).unwrap();
        assert_eq!(read.attrdef_oid(FIRST_USER_OID, 1), FIRST_USER_OID + 3);
        assert_eq!(read.attrdef_oid(FIRST_USER_OID, 2), FIRST_USER_OID + 4);
        assert_eq!(read.attrdef_oid(FIRST_USER_OID, 4), FIRST_USER_OID + 5);
        // Then the table's array and row types.
        assert_eq!(read.next_oid, FIRST_USER_OID + 8);
        let mut c = c;
        c.settle_row_oids();
        write_file(dir.path(), &c).unwrap();
        assert_eq!(read_file(dir.path()).unwrap(), c);
        assert!(!dir.path().join("global/catalog.tmp").exists());
    }

    #[test]
    fn names() {
        let c = sample();
        assert_eq!(
            c.choose_name(PUBLIC_NAMESPACE, "my table", "pkey"),
            "my table_pkey1"
        );
        assert_eq!(c.choose_name(PUBLIC_NAMESPACE, "t", "pkey"), "t_pkey");
        assert_eq!(c.choose_name(16390, "my table", "pkey"), "my table_pkey");
        assert_eq!(
            c.check_free_name(PUBLIC_NAMESPACE, "my table")
                .unwrap_err()
                .code,
            sqlstate::DUPLICATE_TABLE
        );
        assert_eq!(format_type(oid::VARCHAR, 9), "character varying(5)");
        assert_eq!(
            format_type(oid::NUMERIC, (10 << 16 | 2) + 4),
            "numeric(10,2)"
        );
    }
}
