//! The rows of the pg_catalog relations (`catalog::views` and
//! `catalog::describe_views` describe them), computed from the catalog,
//! the built-in objects (`catalog::builtin`), the function manager's
//! tables and the session when a scan starts. Column order and values
//! follow PostgreSQL 15's; owners and ACLs (relowner, relacl,
//! nspacl, datacl) are the catalog's (`catalog::roles`), a NULL ACL for
//! an object with its default one; what pgfork lacks (TOAST) shows as
//! PostgreSQL shows its absence: no rows; a table's relpages and
//! reltuples are 0 and -1 until ANALYZE or VACUUM stores them
//! (`catalog::statistic`).

use crate::access::sequence;
use crate::catalog::builtin::{
    self, builtin_type, BuiltinType, DEFAULTTABLESPACE_OID, DEFAULT_COLLATION_OID,
    GLOBALTABLESPACE_OID, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE, SUPERUSER_OID, UTF8_ENCODING,
};
use crate::catalog::constraint::ConstraintKind;
use crate::catalog::information_schema;
use crate::catalog::roles::ObjectKind;
use crate::catalog::system_columns::{SystemColumn, SYSTEM_COLUMNS, TABLEOID_SLOT};
use crate::catalog::system_views::{self, DATABASE_OID};
use crate::catalog::views::{BTREE_AM, HEAP_AM};
use crate::catalog::{ColumnDesc, TableDesc};
use crate::fmgr::catalog::{index_definition, procs};
use crate::fmgr::FnCtx;
use crate::types::{array, oid, Oid, Value};

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn ch(c: u8) -> Value {
    Value::Text(if c == 0 {
        String::new()
    } else {
        (c as char).to_string()
    })
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

/// pg_namespace: the built-in schemas, then those CREATE SCHEMA made
/// (no ACL: the owner's default privileges, as PostgreSQL's NULL nspacl).
pub fn namespace_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    builtin::NAMESPACES
        .iter()
        .map(|(o, n, owner)| {
            vec![
                Value::Oid(*o),
                text(n),
                Value::Oid(*owner),
                match acl_value(ctx, ObjectKind::Schema, *o) {
                    Value::Null => crate::fmgr::acl::schema_acl(ctx, *owner),
                    v => v,
                },
            ]
        })
        .chain(ctx.catalog.namespaces.iter().map(|n| {
            vec![
                Value::Oid(n.oid),
                text(&n.name),
                Value::Oid(n.owner),
                acl_value(ctx, ObjectKind::Schema, n.oid),
            ]
        }))
        .collect()
}

/// What pg_class shows of one relation.
struct ClassRow<'a> {
    oid: Oid,
    name: &'a str,
    namespace: Oid,
    kind: u8,
    am: Oid,
    natts: usize,
    has_index: bool,
    shared: bool,
    options: Option<Vec<String>>,
}

fn class_row(r: ClassRow) -> Vec<Value> {
    let system = r.namespace == PG_CATALOG_NAMESPACE;
    let has_file = !system && r.kind != b'v';
    vec![
        Value::Oid(r.oid),
        text(r.name),
        Value::Oid(r.namespace),
        Value::Oid(0),
        Value::Oid(0),
        Value::Oid(SUPERUSER_OID),
        Value::Oid(r.am),
        Value::Oid(if has_file { r.oid } else { 0 }),
        Value::Oid(if r.shared { GLOBALTABLESPACE_OID } else { 0 }),
        Value::Int4(0),
        Value::Float4(if r.kind == b'v' { 0.0 } else { -1.0 }),
        Value::Int4(0),
        Value::Oid(0),
        Value::Bool(r.has_index),
        Value::Bool(r.shared),
        ch(b'p'),
        ch(r.kind),
        Value::Int2(r.natts as i16),
        Value::Int2(0),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(true),
        ch(if (r.kind == b'r' || r.kind == b'm') && !system {
            b'd'
        } else {
            b'n'
        }),
        Value::Bool(false),
        Value::Oid(0),
        text("0"),
        text("0"),
        Value::Null,
        r.options.map_or(Value::Null, |o| {
            Value::Array(oid::TEXT, o.into_iter().map(Value::Text).collect())
        }),
        Value::Null,
    ]
}

/// The number of columns of a system relation.
fn view_columns(name: &str) -> &'static [(&'static str, Oid)] {
    system_views::lookup(Some("pg_catalog"), name).map_or(&[], |v| v.columns())
}

/// The name of the owner of relation `rel` (pg_get_userbyid(relowner)).
fn owner_name(ctx: &FnCtx, rel: Oid) -> Value {
    let o = ctx.catalog.owner_of(rel);
    Value::Text(
        ctx.catalog
            .role_name(o)
            .unwrap_or_else(|| format!("unknown (OID={o})")),
    )
}

/// A recorded ACL as pgfork shows ACL columns (text[]); NULL for the
/// default.
pub fn acl_value(ctx: &FnCtx, kind: ObjectKind, obj: Oid) -> Value {
    ctx.catalog
        .explicit_acl(kind, obj)
        .map_or(Value::Null, |acl| {
            Value::Array(
                oid::TEXT,
                ctx.catalog
                    .acl_text(acl)
                    .into_iter()
                    .map(Value::Text)
                    .collect(),
            )
        })
}

pub fn class_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let mut rows = class_rows_default(ctx);
    // relowner and relacl of user relations.
    for row in &mut rows {
        let Value::Oid(o) = row[0] else { continue };
        if o < crate::catalog::FIRST_USER_OID {
            continue;
        }
        row[5] = Value::Oid(ctx.catalog.owner_of(o));
        if let Some((t, _)) = ctx.catalog.rowtype_of(o) {
            row[3] = Value::Oid(t);
        }
        let kind = if ctx.catalog.sequence_by_oid(o).is_some() {
            ObjectKind::Sequence
        } else {
            ObjectKind::Relation
        };
        let n = row.len();
        row[n - 3] = acl_value(ctx, kind, o);
    }
    rows
}

fn class_rows_default(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    let mut rows = Vec::new();
    for r in builtin::SYSTEM_RELATIONS {
        rows.push(class_row(ClassRow {
            oid: r.oid,
            name: r.name,
            namespace: PG_CATALOG_NAMESPACE,
            kind: r.relkind,
            am: if r.relkind == b'r' { HEAP_AM } else { 0 },
            natts: view_columns(r.name).len(),
            has_index: false,
            shared: r.shared,
            options: None,
        }));
    }
    for v in information_schema::VIEWS {
        rows.push(class_row(ClassRow {
            oid: v.oid,
            name: v.name,
            namespace: information_schema::INFORMATION_SCHEMA_NAMESPACE,
            kind: b'v',
            am: 0,
            natts: v.natts,
            has_index: false,
            shared: false,
            options: None,
        }));
    }
    for t in &c.tables {
        rows.push(class_row(ClassRow {
            oid: t.oid,
            name: &t.name,
            namespace: t.namespace,
            kind: if c.is_matview(t.oid) { b'm' } else { b'r' },
            am: HEAP_AM,
            natts: t.columns.len(),
            has_index: c.indexes_of(t.oid).next().is_some(),
            shared: false,
            options: (t.fillfactor != 100).then(|| vec![format!("fillfactor={}", t.fillfactor)]),
        }));
        // relchecks and relhastriggers (foreign keys are kept by triggers
        // in PostgreSQL), which psql's \d reads before listing them.
        let checks = c
            .constraints_of(t.oid)
            .filter(|k| k.check().is_some())
            .count();
        let fks = c.constraints_of(t.oid).any(|k| k.fk().is_some())
            || c.foreign_keys_to(t.oid).next().is_some()
            || c.triggers.iter().any(|g| g.table == t.oid);
        if let Some(row) = rows.last_mut() {
            row[7] = Value::Oid(t.rel());
            row[18] = Value::Int2(checks as i16);
            if let Some(m) = c.matview(t.oid) {
                row[24] = Value::Bool(m.populated);
            }
            row[20] = Value::Bool(fks);
            // relpages and reltuples as the last ANALYZE or VACUUM left them.
            let dir = &ctx.session.env.config.data_dir;
            if let Some(st) = crate::catalog::statistic::load(dir, t.oid) {
                row[9] = Value::Int4(st.relpages as i32);
                row[10] = Value::Float4(st.reltuples as f32);
            }
        }
    }
    for i in &c.indexes {
        rows.push(class_row(ClassRow {
            oid: i.oid,
            name: &i.name,
            namespace: i.namespace,
            kind: b'i',
            am: BTREE_AM,
            natts: i.columns.len(),
            has_index: false,
            shared: false,
            options: None,
        })); // relfilenode: the file a rebuild made, if one did.
        if let Some(row) = rows.last_mut() {
            row[7] = Value::Oid(i.rel());
        }
    }
    for v in &c.views {
        rows.push(class_row(ClassRow {
            oid: v.oid,
            name: &v.name,
            namespace: v.namespace,
            kind: b'v',
            am: 0,
            natts: v.columns.len(),
            has_index: false,
            shared: false,
            options: v
                .check_option
                .map(|c| vec![format!("check_option={}", c.name())]),
        }));
    }
    // Composite types of CREATE TYPE ... AS: relkind 'c', no storage.
    for ct in &c.composites {
        rows.push(class_row(ClassRow {
            oid: ct.relid,
            name: &ct.name,
            namespace: ct.namespace,
            kind: b'c',
            am: 0,
            natts: ct.attrs.len(),
            has_index: false,
            shared: false,
            options: None,
        }));
        if let Some(row) = rows.last_mut() {
            row[3] = Value::Oid(ct.oid);
        }
    }
    for s in &c.sequences {
        rows.push(class_row(ClassRow {
            oid: s.oid,
            name: &s.name,
            namespace: s.namespace,
            kind: b'S',
            am: 0,
            natts: SEQUENCE_COLUMNS.len(),
            has_index: false,
            shared: false,
            options: None,
        }));
    }
    rows
}

/// The columns of a sequence relation.
const SEQUENCE_COLUMNS: &[(&str, Oid)] = &[
    ("last_value", oid::INT8),
    ("log_cnt", oid::INT8),
    ("is_called", oid::BOOL),
];

/// One pg_attribute row.
fn attribute_row(
    rel: Oid,
    num: usize,
    name: &str,
    col: Option<&ColumnDesc>,
    ty: Oid,
) -> Vec<Value> {
    let b: Option<&BuiltinType> = builtin_type(ty);
    let typmod = col.map_or(-1, |c| c.typmod);
    // Enum types: 4 bytes by value, plain storage.
    let e = crate::types::enums::is_enum(ty);
    vec![
        Value::Oid(rel),
        text(name),
        Value::Oid(ty),
        Value::Int4(-1),
        Value::Int2(b.map_or(if e { 4 } else { -1 }, |b| b.len)),
        Value::Int2(num as i16),
        Value::Int4(0),
        Value::Int4(-1),
        Value::Int4(typmod),
        Value::Bool(e || b.is_some_and(|b| b.byval)),
        ch(b.map_or(b'i', |b| b.align)),
        ch(b.map_or(if e { b'p' } else { b'x' }, |b| b.storage)),
        ch(0),
        Value::Bool(col.is_some_and(|c| c.not_null)),
        Value::Bool(col.is_some_and(|c| c.default.is_some())),
        Value::Bool(col.is_some_and(|c| c.missing.is_some())),
        ch(0),
        ch(0),
        Value::Bool(false),
        Value::Bool(true),
        Value::Int4(0),
        Value::Oid(b.map_or(0, |b| b.collation)),
        Value::Null,
        Value::Null,
        Value::Null,
        // attmissingval: a one-element array of the value, as PostgreSQL
        // shows it.
        match col.and_then(|c| c.missing.as_ref()) {
            Some(v) => text(&Value::Array(ty, vec![v.clone()]).to_text()),
            None => Value::Null,
        },
    ]
}

/// A system column's pg_attribute row: its negative attnum, NOT NULL.
fn system_attribute_row(rel: Oid, sc: &SystemColumn) -> Vec<Value> {
    let mut row = attribute_row(rel, 0, sc.name, None, sc.ty);
    row[5] = Value::Int2(sc.attnum);
    row[13] = Value::Bool(true);
    row
}

pub fn attribute_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    let mut rows = Vec::new();
    for r in builtin::SYSTEM_RELATIONS {
        for (i, (name, ty)) in view_columns(r.name).iter().enumerate() {
            rows.push(attribute_row(r.oid, i + 1, name, None, *ty));
        }
        // A catalog computed as a system view has tableoid only.
        if r.relkind == b'r' {
            rows.push(system_attribute_row(r.oid, &SYSTEM_COLUMNS[TABLEOID_SLOT]));
        }
    }
    for t in &c.tables {
        for (i, col) in t.columns.iter().enumerate() {
            if col.dropped {
                // As PostgreSQL shows a dropped column: no type, flagged.
                let mut row = attribute_row(t.oid, i + 1, &col.name, Some(col), 0);
                row[18] = Value::Bool(true);
                rows.push(row);
                continue;
            }
            let mut row = attribute_row(t.oid, i + 1, &col.name, Some(col), col.ty);
            // A column declared with a domain: the domain's OID, its
            // typmod being the domain's (typtypmod).
            if let Some(d) = c.column_domain(t.oid, i + 1) {
                row[2] = Value::Oid(d.oid);
                row[8] = Value::Int4(-1);
            }
            if let Some(s) = c.identity(t.oid, i) {
                row[16] = ch(s.identity);
            }
            rows.push(row);
        }
        for sc in &SYSTEM_COLUMNS {
            rows.push(system_attribute_row(t.oid, sc));
        }
    }
    for ix in &c.indexes {
        let Some(t) = c.table_by_oid(ix.table) else {
            continue;
        };
        for (i, &k) in ix.columns.iter().enumerate() {
            let col = &t.columns[k];
            let mut row = attribute_row(ix.oid, i + 1, &col.name, None, col.ty);
            // An index column keeps its column's type modifier.
            row[8] = Value::Int4(col.typmod);
            rows.push(row);
        }
    }
    for v in &c.views {
        for (i, (name, ty, typmod)) in v.columns.iter().enumerate() {
            let mut row = attribute_row(v.oid, i + 1, name, None, *ty);
            row[8] = Value::Int4(*typmod);
            row[14] = Value::Bool(v.defaults.iter().any(|d| d.0 == i));
            rows.push(row);
        }
    }
    for ct in &c.composites {
        for (i, a) in ct.attrs.iter().enumerate() {
            let mut row = attribute_row(ct.relid, i + 1, &a.name, None, a.ty);
            row[8] = Value::Int4(a.typmod);
            if let Some(o) = a
                .collation
                .as_deref()
                .and_then(crate::catalog::composite::collation_oid)
            {
                row[21] = Value::Oid(o);
            }
            rows.push(row);
        }
    }
    for s in &c.sequences {
        for (i, (name, ty)) in SEQUENCE_COLUMNS.iter().enumerate() {
            let mut row = attribute_row(s.oid, i + 1, name, None, *ty);
            row[13] = Value::Bool(true);
            rows.push(row);
        }
    }
    rows
}

pub fn attrdef_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for t in &ctx.catalog.tables {
        for (i, col) in t.columns.iter().enumerate() {
            if let Some(d) = &col.default {
                rows.push(vec![
                    Value::Oid(ctx.catalog.attrdef_oid(t.oid, i as i16 + 1)),
                    Value::Oid(t.oid),
                    Value::Int2(i as i16 + 1),
                    text(d),
                ]);
            }
        }
    }
    for v in &ctx.catalog.views {
        for (i, d) in &v.defaults {
            let attnum = *i as i16 + 1;
            rows.push(vec![
                Value::Oid(ctx.catalog.attrdef_oid(v.oid, attnum)),
                Value::Oid(v.oid),
                Value::Int2(attnum),
                text(d),
            ]);
        }
    }
    rows
}

/// An int2vector.
fn int2vector(items: impl Iterator<Item = usize>) -> Value {
    array::vector(oid::INT2, items.map(|k| Value::Int2(k as i16)).collect())
}

/// An oidvector.
fn oidvector(items: impl Iterator<Item = Oid>) -> Value {
    array::vector(oid::OID, items.map(Value::Oid).collect())
}

pub fn index_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    c.indexes
        .iter()
        .map(|i| {
            let t: Option<&std::sync::Arc<TableDesc>> = c.table_by_oid(i.table);
            let ty = |k: usize| t.map_or(0, |t| t.columns[k].ty);
            vec![
                Value::Oid(i.oid),
                Value::Oid(i.table),
                Value::Int2(i.columns.len() as i16),
                Value::Int2(i.columns.len() as i16),
                Value::Bool(i.unique),
                Value::Bool(false),
                Value::Bool(i.primary),
                Value::Bool(false),
                Value::Bool(!i.deferrable),
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(true),
                Value::Bool(false),
                int2vector(i.columns.iter().map(|k| k + 1)),
                oidvector(
                    i.columns
                        .iter()
                        .map(|&k| builtin_type(ty(k)).map_or(0, |b| b.collation)),
                ),
                oidvector(
                    i.columns
                        .iter()
                        .map(|&k| builtin::default_btree_opclass(ty(k))),
                ),
                int2vector((0..i.columns.len()).map(|k| i.option(k) as usize)),
                Value::Null,
                Value::Null,
            ]
        })
        .collect()
}

/// Primary-key and unique constraints (each backed by its index, whose
/// OID it shares).
pub fn constraint_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let mut rows = index_constraint_rows(ctx);
    rows.extend(ctx.catalog.constraints.iter().map(|c| {
        let keys = |v: &[usize]| {
            Value::Array(
                oid::INT2,
                v.iter().map(|k| Value::Int2(*k as i16 + 1)).collect(),
            )
        };
        let (conkey, fk) = match &c.kind {
            ConstraintKind::Check { src, .. } => {
                let t = ctx.catalog.table_by_oid(c.table);
                let cols: Vec<usize> = t.map_or(vec![], |t| {
                    (0..t.columns.len())
                        .filter(|&i| mentions(src, &t.columns[i].name))
                        .collect()
                });
                (keys(&cols), None)
            }
            ConstraintKind::ForeignKey(f) => (keys(&f.columns), Some(f)),
        };
        let def = match &c.kind {
            ConstraintKind::Check { def, .. } => text(def),
            ConstraintKind::ForeignKey(_) => Value::Null,
        };
        // A domain's CHECK: conrelid 0, contypid the domain, no conkey.
        if let Some(d) = ctx.catalog.domain_by_oid(c.table) {
            let mut r = vec![Value::Null; 26];
            r[0] = Value::Oid(c.oid);
            r[1] = text(&c.name);
            r[2] = Value::Oid(d.namespace);
            r[3] = ch(b'c');
            r[4] = Value::Bool(false);
            r[5] = Value::Bool(false);
            r[6] = Value::Bool(c.validated);
            r[7..=11].fill(Value::Oid(0));
            r[8] = Value::Oid(d.oid);
            r[12..=14].fill(ch(b' '));
            r[15] = Value::Bool(true);
            r[16] = Value::Int4(0);
            r[17] = Value::Bool(false);
            r[25] = def;
            return r;
        }
        vec![
            Value::Oid(c.oid),
            text(&c.name),
            Value::Oid(
                ctx.catalog
                    .object_namespace(c.table)
                    .unwrap_or(PUBLIC_NAMESPACE),
            ),
            ch(c.contype()),
            Value::Bool(c.deferrable),
            Value::Bool(c.deferred),
            Value::Bool(c.validated),
            Value::Oid(c.table),
            Value::Oid(0),
            Value::Oid(fk.map_or(0, |f| f.index)),
            Value::Oid(0),
            Value::Oid(fk.map_or(0, |f| f.ref_table)),
            ch(fk.map_or(b' ', |f| f.on_update.code())),
            ch(fk.map_or(b' ', |f| f.on_delete.code())),
            ch(fk.map_or(b' ', |f| f.match_type)),
            Value::Bool(true),
            Value::Int4(0),
            Value::Bool(fk.is_some()),
            conkey,
            fk.map_or(Value::Null, |f| keys(&f.ref_columns)),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            def,
        ]
    }));
    rows
}

/// Whether SQL text `src` names column `col` (as a whole word).
pub(crate) fn mentions(src: &str, col: &str) -> bool {
    let words = src.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"'));
    words.map(|w| w.trim_matches('"')).any(|w| w == col)
}

fn index_constraint_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .indexes
        .iter()
        .filter(|i| i.constraint)
        .map(|i| {
            vec![
                Value::Oid(i.oid),
                text(&i.name),
                Value::Oid(i.namespace),
                ch(if i.primary { b'p' } else { b'u' }),
                Value::Bool(i.deferrable),
                Value::Bool(i.deferred),
                Value::Bool(true),
                Value::Oid(i.table),
                Value::Oid(0),
                Value::Oid(i.oid),
                Value::Oid(0),
                Value::Oid(0),
                ch(b' '),
                ch(b' '),
                ch(b' '),
                Value::Bool(true),
                Value::Int4(0),
                Value::Bool(true),
                Value::Array(
                    oid::INT2,
                    i.columns
                        .iter()
                        .map(|k| Value::Int2(*k as i16 + 1))
                        .collect(),
                ),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ]
        })
        .collect()
}

pub fn type_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let mut rows: Vec<Vec<Value>> = builtin::listed_types()
        .map(|t| {
            let io = |i: usize| Value::Oid(t.io[i].0);
            vec![
                Value::Oid(t.oid),
                text(t.name),
                Value::Oid(PG_CATALOG_NAMESPACE),
                Value::Oid(SUPERUSER_OID),
                Value::Int2(t.len),
                Value::Bool(t.byval),
                ch(t.typtype),
                ch(t.category),
                Value::Bool(t.preferred),
                Value::Bool(true),
                ch(b','),
                Value::Oid(0),
                Value::Oid(t.subscript),
                Value::Oid(t.elem),
                Value::Oid(builtin::array_of(t.oid)),
                io(0),
                io(1),
                io(2),
                io(3),
                io(4),
                io(5),
                Value::Oid(0),
                ch(t.align),
                ch(t.storage),
                Value::Bool(false),
                Value::Oid(0),
                Value::Int4(-1),
                Value::Int4(0),
                Value::Oid(t.collation),
                Value::Null,
                Value::Null,
                Value::Null,
            ]
        })
        .collect();
    for d in &ctx.catalog.domains {
        rows.extend(domain_type_rows(ctx, d));
    }
    for e in &ctx.catalog.enums {
        // typowner: the enum's owner, its array type's too.
        let owner = Value::Oid(ctx.catalog.owner_of(e.oid));
        let mut r = enum_type_row(e.oid, &e.name, false, e.array);
        r[2] = Value::Oid(e.namespace);
        r[3] = owner.clone();
        rows.push(r);
        let mut r = enum_type_row(e.array, &e.array_name, true, e.oid);
        r[2] = Value::Oid(e.namespace);
        r[3] = owner;
        rows.push(r);
    }
    for c in ctx.catalog.row_types.iter() {
        rows.extend(row_type_rows(ctx, c));
    }
    rows
}

/// The pg_type rows of a relation's row type (typtype 'c', record_in ...
/// record_send) and of its array type, as heap_create_with_catalog makes
/// them.
fn row_type_rows(ctx: &FnCtx, c: &crate::types::composite::CompositeType) -> Vec<Vec<Value>> {
    let owner = ctx.catalog.owner_of(c.relid);
    let mut row = enum_type_row(c.oid, &c.name, false, c.array);
    let mut array = enum_type_row(c.array, &c.array_name, true, c.oid);
    for (r, io) in [
        (&mut row, [2290, 2291, 2402, 2403]),
        (&mut array, [750, 751, 2400, 2401]),
    ] {
        r[2] = Value::Oid(c.namespace);
        r[3] = Value::Oid(owner);
        r[4] = Value::Int2(-1);
        r[5] = Value::Bool(false);
        for (k, o) in io.into_iter().enumerate() {
            r[15 + k] = Value::Oid(o);
        }
        r[22] = ch(b'd');
        r[23] = ch(b'x');
    }
    row[6] = ch(b'c');
    row[7] = ch(b'C');
    row[11] = Value::Oid(c.relid);
    vec![row, array]
}

/// The pg_type rows of a domain and of its array type, as DefineDomain
/// makes them: the base type's storage and I/O (domain_in, domain_recv
/// for input), typtype 'd', typbasetype, typtypmod, typnotnull,
/// typdefault.
fn domain_type_rows(ctx: &FnCtx, d: &crate::types::domains::DomainType) -> Vec<Vec<Value>> {
    let Some(b) = builtin::listed_types().find(|t| t.oid == d.base) else {
        return vec![];
    };
    let o = Value::Oid;
    let owner = ctx.catalog.owner_of(d.oid);
    let collation = match d.collation.as_deref() {
        Some("C" | "c") => 950,
        Some("POSIX" | "posix") => 951,
        _ => b.collation,
    };
    let row = vec![
        o(d.oid),
        text(&d.name),
        o(d.namespace),
        o(owner),
        Value::Int2(b.len),
        Value::Bool(b.byval),
        ch(b'd'),
        ch(b.category),
        Value::Bool(false),
        Value::Bool(true),
        ch(b','),
        o(0),
        o(0),
        o(0),
        o(d.array),
        o(2597),
        o(b.io[1].0),
        o(2598),
        o(b.io[3].0),
        o(0),
        o(0),
        o(0),
        ch(b.align),
        ch(b.storage),
        Value::Bool(d.not_null),
        o(d.base),
        Value::Int4(d.typmod),
        Value::Int4(0),
        o(collation),
        Value::Null,
        d.default.as_deref().map_or(Value::Null, text),
        Value::Null,
    ];
    let mut array = enum_type_row(d.array, &d.array_name(), true, d.oid);
    array[2] = o(d.namespace);
    array[3] = o(owner);
    array[28] = o(collation);
    vec![row, array]
}

/// The pg_type row of an enum type (`other` its array type) or of its
/// array type (`other` the enum type), as DefineEnum makes them.
fn enum_type_row(oid: u32, name: &str, array: bool, other: u32) -> Vec<Value> {
    let o = Value::Oid;
    let (io, len, byval, typtype, cat, subscript, align_storage) = if array {
        (
            [750, 751, 2400, 2401],
            -1,
            false,
            b'b',
            b'A',
            6179,
            (b'i', b'x'),
        )
    } else {
        (
            [3506, 3507, 3532, 3533],
            4,
            true,
            b'e',
            b'E',
            0,
            (b'i', b'p'),
        )
    };
    vec![
        o(oid),
        text(name),
        o(PUBLIC_NAMESPACE),
        o(SUPERUSER_OID),
        Value::Int2(len),
        Value::Bool(byval),
        ch(typtype),
        ch(cat),
        Value::Bool(false),
        Value::Bool(true),
        ch(b','),
        o(0),
        o(subscript),
        o(if array { other } else { 0 }),
        o(if array { 0 } else { other }),
        o(io[0]),
        o(io[1]),
        o(io[2]),
        o(io[3]),
        o(0),
        o(0),
        o(if array { 3816 } else { 0 }),
        ch(align_storage.0),
        ch(align_storage.1),
        Value::Bool(false),
        o(0),
        Value::Int4(-1),
        Value::Int4(0),
        o(0),
        Value::Null,
        Value::Null,
        Value::Null,
    ]
}

/// pg_enum: the labels of every enum type.
/// pg_trigger: one row per trigger (none internal: pgfork's foreign keys
/// are kept by the executor, not by RI triggers). tgqual holds the WHEN
/// condition in its ruleutils form where PostgreSQL keeps a node tree.
pub fn trigger_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .triggers
        .iter()
        .map(|t| {
            vec![
                Value::Oid(t.oid),
                Value::Oid(t.table),
                Value::Oid(0),
                text(&t.name),
                Value::Oid(t.function),
                Value::Int2(t.tgtype),
                ch(t.enabled as u8),
                Value::Bool(false),
                Value::Oid(0),
                Value::Oid(0),
                Value::Oid(0),
                Value::Bool(false),
                Value::Bool(false),
                Value::Int2(t.args.len() as i16),
                int2vector(t.columns.iter().map(|&c| c as usize)),
                Value::Bytea(t.tgargs()),
                t.when.as_ref().map_or(Value::Null, |_| text(&t.when_def)),
                Value::Null,
                Value::Null,
            ]
        })
        .collect()
}

pub fn enum_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .enums
        .iter()
        .flat_map(|e| {
            e.labels.iter().map(|l| {
                vec![
                    Value::Oid(l.oid),
                    Value::Oid(e.oid),
                    Value::Float4(l.sort as f32),
                    text(&l.label),
                ]
            })
        })
        .collect()
}

pub fn am_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    vec![
        vec![Value::Oid(HEAP_AM), text("heap"), Value::Oid(3), ch(b't')],
        vec![
            Value::Oid(BTREE_AM),
            text("btree"),
            Value::Oid(330),
            ch(b'i'),
        ],
    ]
}

/// The collations pgfork accepts: default, C and POSIX (all byte order).
pub fn collation_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    [
        (DEFAULT_COLLATION_OID, "default", b'd', None),
        (950, "C", b'c', Some("C")),
        (951, "POSIX", b'c', Some("POSIX")),
    ]
    .iter()
    .map(|&(o, name, provider, locale)| {
        vec![
            Value::Oid(o),
            text(name),
            Value::Oid(PG_CATALOG_NAMESPACE),
            Value::Oid(SUPERUSER_OID),
            ch(provider),
            Value::Bool(true),
            Value::Int4(-1),
            opt_text(locale),
            opt_text(locale),
            Value::Null,
            Value::Null,
        ]
    })
    .collect()
}

/// pg_database: every database of the cluster (a catalog without
/// pg_database, in unit tests: the session's, as one database).
pub fn database_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let row = |oid: Oid, name: &str, owner: Oid, template: bool, conn: bool, limit: i32| {
        vec![
            Value::Oid(oid),
            text(name),
            Value::Oid(owner),
            Value::Int4(UTF8_ENCODING),
            ch(b'c'),
            Value::Bool(template),
            Value::Bool(conn),
            Value::Int4(limit),
            text("0"),
            text("1"),
            Value::Oid(DEFAULTTABLESPACE_OID),
            text("C"),
            text("C"),
            Value::Null,
            Value::Null,
            acl_value(ctx, ObjectKind::Database, oid),
        ]
    };
    if ctx.catalog.databases.is_empty() {
        return vec![row(
            DATABASE_OID,
            &ctx.session.database,
            SUPERUSER_OID,
            false,
            true,
            -1,
        )];
    }
    ctx.catalog
        .databases
        .iter()
        .map(|d| {
            row(
                d.oid,
                &d.name,
                d.owner,
                d.is_template,
                d.allow_conn,
                d.conn_limit,
            )
        })
        .collect()
}

pub fn proc_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let mut rows = builtin_proc_rows();
    rows.extend(super::function_rows::user_proc_rows(ctx));
    rows
}

fn builtin_proc_rows() -> Vec<Vec<Value>> {
    procs()
        .iter()
        .map(|p| {
            vec![
                Value::Oid(p.oid),
                text(p.name),
                Value::Oid(PG_CATALOG_NAMESPACE),
                Value::Oid(SUPERUSER_OID),
                // prolang: internal.
                Value::Oid(12),
                Value::Float4(1.0),
                Value::Float4(0.0),
                Value::Oid(p.variadic),
                Value::Oid(0),
                ch(p.kind),
                Value::Bool(false),
                Value::Bool(false),
                Value::Bool(p.strict),
                // proretset.
                Value::Bool(p.kind == b'f' && crate::fmgr::arrays::is_set_returning_name(p.name)),
                ch(p.volatility),
                ch(b's'),
                Value::Int2(p.args.len() as i16),
                Value::Int2(0),
                Value::Oid(p.ret),
                oidvector(p.args.iter().copied()),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                text(if p.kind == b'a' {
                    "aggregate_dummy"
                } else {
                    p.name
                }),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ]
        })
        .collect()
}

pub fn tablespace_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    [
        (DEFAULTTABLESPACE_OID, "pg_default"),
        (GLOBALTABLESPACE_OID, "pg_global"),
    ]
    .iter()
    .map(|&(o, n)| {
        vec![
            Value::Oid(o),
            text(n),
            Value::Oid(SUPERUSER_OID),
            Value::Null,
            Value::Null,
        ]
    })
    .collect()
}

/// pg_tables: the catalogs in pg_catalog, then the user tables.
/// pg_views: each view with its query as it was written.
pub fn views_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .views
        .iter()
        .map(|v| {
            vec![
                text(ctx.catalog.relation_schema_name(v.oid)),
                text(&v.name),
                owner_name(ctx, v.oid),
                text(&crate::fmgr::catalog::view_definition(
                    ctx.catalog,
                    v,
                    false,
                )),
            ]
        })
        .collect()
}

/// pg_matviews: each materialized view with its query.
pub fn matviews_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    c.matviews
        .iter()
        .filter_map(|m| {
            let v = c.matview_as_view(m.oid)?;
            Some(vec![
                text(c.relation_schema_name(m.oid)),
                text(&v.name),
                owner_name(ctx, m.oid),
                Value::Null,
                Value::Bool(c.indexes_of(m.oid).next().is_some()),
                Value::Bool(m.populated),
                text(&crate::fmgr::catalog::view_definition(c, &v, false)),
            ])
        })
        .collect()
}

pub fn tables_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    let row = |schema: &str, name: &str, has_index: bool, oid: Oid| {
        vec![
            text(schema),
            text(name),
            owner_name(ctx, oid),
            Value::Null,
            Value::Bool(has_index),
            Value::Bool(false),
            Value::Bool(false),
            Value::Bool(false),
        ]
    };
    builtin::SYSTEM_RELATIONS
        .iter()
        .filter(|r| r.relkind == b'r')
        .map(|r| {
            let mut v = row("pg_catalog", r.name, false, r.oid);
            if r.shared {
                v[3] = text("pg_global");
            }
            v
        })
        .chain(c.tables.iter().filter(|t| !c.is_matview(t.oid)).map(|t| {
            row(
                c.relation_schema_name(t.oid),
                &t.name,
                c.indexes_of(t.oid).next().is_some(),
                t.oid,
            )
        }))
        .collect()
}

pub fn indexes_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let c = ctx.catalog;
    c.indexes
        .iter()
        .map(|i| {
            vec![
                text(c.relation_schema_name(i.oid)),
                text(c.relation_name(i.table).unwrap_or("?")),
                text(&i.name),
                Value::Null,
                Value::Text(index_definition(c, i, false)),
            ]
        })
        .collect()
}

pub fn sequences_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .sequences
        .iter()
        .filter_map(|s| {
            let st = sequence::state(&ctx.pool, s.oid, &s.name).ok()?;
            Some(vec![
                text(ctx.catalog.relation_schema_name(s.oid)),
                text(&s.name),
                owner_name(ctx, s.oid),
                Value::Oid(s.ty),
                Value::Int8(s.start),
                Value::Int8(s.min),
                Value::Int8(s.max),
                Value::Int8(s.increment),
                Value::Bool(s.cycle),
                Value::Int8(s.cache),
                if st.called {
                    Value::Int8(st.last)
                } else {
                    Value::Null
                },
            ])
        })
        .collect()
}

pub fn sequence_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .sequences
        .iter()
        .map(|s| {
            vec![
                Value::Oid(s.oid),
                Value::Oid(s.ty),
                Value::Int8(s.start),
                Value::Int8(s.increment),
                Value::Int8(s.max),
                Value::Int8(s.min),
                Value::Int8(s.cache),
                Value::Bool(s.cycle),
            ]
        })
        .collect()
}

/// pg_depend: each serial column's sequence depends on its column
/// (deptype 'a', auto; an identity column's, 'i', internal).
pub fn depend_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let pg_class = builtin::system_relation("pg_class").map_or(0, |r| r.oid);
    let mut rows: Vec<Vec<Value>> = ctx
        .catalog
        .sequences
        .iter()
        .filter(|s| s.table != 0)
        .map(|s| {
            vec![
                Value::Oid(pg_class),
                Value::Oid(s.oid),
                Value::Int4(0),
                Value::Oid(pg_class),
                Value::Oid(s.table),
                Value::Int4(s.column as i32 + 1),
                ch(if s.identity != 0 { b'i' } else { b'a' }),
            ]
        })
        .collect();
    // A composite type's relation depends on its type ('i'), and each
    // attribute of a user-defined type on that type ('n'): pg_dump
    // orders CREATE TYPE statements by them.
    const PG_TYPE: Oid = 1247;
    let dep = |obj: Oid, sub: i32, refobj: Oid, kind: u8| {
        vec![
            Value::Oid(pg_class),
            Value::Oid(obj),
            Value::Int4(sub),
            Value::Oid(PG_TYPE),
            Value::Oid(refobj),
            Value::Int4(0),
            ch(kind),
        ]
    };
    for c in &ctx.catalog.composites {
        rows.push(dep(c.relid, 0, c.oid, b'i'));
        for (i, a) in c.attrs.iter().enumerate() {
            if a.ty >= crate::catalog::FIRST_USER_OID {
                rows.push(dep(c.relid, i as i32 + 1, a.ty, b'n'));
            }
        }
    }
    rows
}

/// The languages of built-in functions (pgfork has no procedural ones).
pub fn language_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    use crate::catalog::function::PLPGSQL_LANGUAGE;
    [
        (12, "internal", false, false, 0, 0, 2246),
        (13, "c", false, false, 0, 0, 2247),
        (14, "sql", false, true, 0, 0, 2248),
        (PLPGSQL_LANGUAGE, "plpgsql", true, true, 13560, 13561, 13562),
    ]
    .iter()
    .map(|&(o, name, pl, trusted, call, inline, validator)| {
        vec![
            Value::Oid(o),
            text(name),
            Value::Oid(SUPERUSER_OID),
            Value::Bool(pl),
            Value::Bool(trusted),
            Value::Oid(call),
            Value::Oid(inline),
            Value::Oid(validator),
            Value::Null,
        ]
    })
    .collect()
}

/// pg_extension: plpgsql, as initdb installs it in every database.
pub fn extension_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    vec![vec![
        Value::Oid(13559),
        text("plpgsql"),
        Value::Oid(SUPERUSER_OID),
        Value::Oid(PG_CATALOG_NAMESPACE),
        Value::Bool(false),
        text("1.0"),
        Value::Null,
        Value::Null,
    ]]
}
