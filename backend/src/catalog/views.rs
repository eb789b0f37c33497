//! pg_catalog relations computed from the catalog: pg_namespace,
//! pg_class, pg_attribute, pg_attrdef, pg_index, pg_constraint, pg_type,
//! pg_am, and the (empty: pgfork has no partitioning or inheritance)
//! pg_partitioned_table and pg_inherits, and the empty pg_collation,
//! pg_policy, pg_statistic_ext, pg_publication, pg_publication_namespace
//! and pg_publication_rel (pgfork has none of those objects). Columns are
//! the subset clients such as psql and pgbench read; array-typed columns
//! (polroles, stxkind, prattrs, ...) are left out until arrays of those
//! types exist.

use crate::catalog::system_views::{SystemView, ViewColumns};
use crate::catalog::{Catalog, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE};
use crate::nodes::expr::EvalCtx;
use crate::types::{oid, type_internal_name, type_len, Oid, Value};

/// The bootstrap superuser's OID, owner of everything.
const SUPERUSER_OID: u32 = 10;
/// pg_am OIDs.
const HEAP_AM: u32 = 2;
const BTREE_AM: u32 = 403;

pub static VIEWS: &[SystemView] = &[
    SystemView {
        name: "pg_namespace",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("nspname", oid::NAME),
            ("nspowner", oid::OID),
        ]),
        rows: namespace_rows,
    },
    SystemView {
        name: "pg_class",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("relname", oid::NAME),
            ("relnamespace", oid::OID),
            ("reltype", oid::OID),
            ("reloftype", oid::OID),
            ("relowner", oid::OID),
            ("relam", oid::OID),
            ("relfilenode", oid::OID),
            ("reltablespace", oid::OID),
            ("relpages", oid::INT4),
            ("reltuples", oid::FLOAT4),
            ("reltoastrelid", oid::OID),
            ("relhasindex", oid::BOOL),
            ("relisshared", oid::BOOL),
            ("relpersistence", oid::TEXT),
            ("relkind", oid::TEXT),
            ("relnatts", oid::INT2),
            ("relchecks", oid::INT2),
            ("relhasrules", oid::BOOL),
            ("relhastriggers", oid::BOOL),
            ("relhassubclass", oid::BOOL),
            ("relrowsecurity", oid::BOOL),
            ("relforcerowsecurity", oid::BOOL),
            ("relispopulated", oid::BOOL),
            ("relreplident", oid::TEXT),
            ("relispartition", oid::BOOL),
        ]),
        rows: class_rows,
    },
    SystemView {
        name: "pg_attribute",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("attrelid", oid::OID),
            ("attname", oid::NAME),
            ("atttypid", oid::OID),
            ("attlen", oid::INT2),
            ("attnum", oid::INT2),
            ("atttypmod", oid::INT4),
            ("attnotnull", oid::BOOL),
            ("atthasdef", oid::BOOL),
            ("attidentity", oid::TEXT),
            ("attgenerated", oid::TEXT),
            ("attisdropped", oid::BOOL),
            ("attcollation", oid::OID),
        ]),
        rows: attribute_rows,
    },
    SystemView {
        name: "pg_attrdef",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("adrelid", oid::OID),
            ("adnum", oid::INT2),
            ("adbin", oid::TEXT),
        ]),
        rows: attrdef_rows,
    },
    SystemView {
        name: "pg_index",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("indexrelid", oid::OID),
            ("indrelid", oid::OID),
            ("indnatts", oid::INT2),
            ("indisunique", oid::BOOL),
            ("indisprimary", oid::BOOL),
            ("indisclustered", oid::BOOL),
            ("indisvalid", oid::BOOL),
            ("indisreplident", oid::BOOL),
            ("indkey", oid::TEXT),
        ]),
        rows: index_rows,
    },
    SystemView {
        name: "pg_constraint",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("conname", oid::NAME),
            ("connamespace", oid::OID),
            ("contype", oid::TEXT),
            ("condeferrable", oid::BOOL),
            ("condeferred", oid::BOOL),
            ("conrelid", oid::OID),
            ("conindid", oid::OID),
        ]),
        rows: constraint_rows,
    },
    SystemView {
        name: "pg_type",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("typname", oid::NAME),
            ("typnamespace", oid::OID),
            ("typlen", oid::INT2),
            ("typcollation", oid::OID),
        ]),
        rows: type_rows,
    },
    SystemView {
        name: "pg_am",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("amname", oid::NAME),
            ("amtype", oid::TEXT),
        ]),
        rows: am_rows,
    },
    SystemView {
        name: "pg_partitioned_table",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("partrelid", oid::OID),
            ("partstrat", oid::TEXT),
            ("partnatts", oid::INT2),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_inherits",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("inhrelid", oid::OID),
            ("inhparent", oid::OID),
            ("inhseqno", oid::INT4),
            ("inhdetachpending", oid::BOOL),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_collation",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("collname", oid::NAME),
            ("collnamespace", oid::OID),
            ("collowner", oid::OID),
            ("collprovider", oid::CHAR),
            ("collisdeterministic", oid::BOOL),
            ("collencoding", oid::INT4),
            ("collcollate", oid::TEXT),
            ("collctype", oid::TEXT),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_policy",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("polname", oid::NAME),
            ("polrelid", oid::OID),
            ("polcmd", oid::CHAR),
            ("polpermissive", oid::BOOL),
            ("polqual", oid::TEXT),
            ("polwithcheck", oid::TEXT),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_statistic_ext",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("stxrelid", oid::OID),
            ("stxname", oid::NAME),
            ("stxnamespace", oid::OID),
            ("stxowner", oid::OID),
            ("stxstattarget", oid::INT4),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_publication",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("pubname", oid::NAME),
            ("pubowner", oid::OID),
            ("puballtables", oid::BOOL),
            ("pubinsert", oid::BOOL),
            ("pubupdate", oid::BOOL),
            ("pubdelete", oid::BOOL),
            ("pubtruncate", oid::BOOL),
            ("pubviaroot", oid::BOOL),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_publication_namespace",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("pnpubid", oid::OID),
            ("pnnspid", oid::OID),
        ]),
        rows: no_rows,
    },
    SystemView {
        name: "pg_publication_rel",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("prpubid", oid::OID),
            ("prrelid", oid::OID),
            ("prqual", oid::TEXT),
        ]),
        rows: no_rows,
    },
];

fn no_rows(_: &EvalCtx) -> Vec<Vec<Value>> {
    vec![]
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn namespace_rows(_: &EvalCtx) -> Vec<Vec<Value>> {
    [
        (PG_CATALOG_NAMESPACE, "pg_catalog"),
        (PUBLIC_NAMESPACE, "public"),
    ]
    .iter()
    .map(|(o, n)| vec![Value::Oid(*o), text(n), Value::Oid(SUPERUSER_OID)])
    .collect()
}

/// One pg_class row.
fn class_row(
    oid_: Oid,
    name: &str,
    kind: &str,
    am: Oid,
    natts: usize,
    has_index: bool,
) -> Vec<Value> {
    vec![
        Value::Oid(oid_),
        text(name),
        Value::Oid(PUBLIC_NAMESPACE),
        Value::Oid(0),
        Value::Oid(0),
        Value::Oid(SUPERUSER_OID),
        Value::Oid(am),
        Value::Oid(oid_),
        Value::Oid(0),
        Value::Int4(0),
        Value::Float4(-1.0),
        Value::Oid(0),
        Value::Bool(has_index),
        Value::Bool(false),
        text("p"),
        text(kind),
        Value::Int2(natts as i16),
        Value::Int2(0),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(true),
        text("d"),
        Value::Bool(false),
    ]
}

fn class_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let c: &Catalog = ctx.catalog;
    let mut rows = Vec::new();
    for t in &c.tables {
        let has_index = c.indexes_of(t.oid).next().is_some();
        rows.push(class_row(
            t.oid,
            &t.name,
            "r",
            HEAP_AM,
            t.columns.len(),
            has_index,
        ));
    }
    for i in &c.indexes {
        rows.push(class_row(
            i.oid,
            &i.name,
            "i",
            BTREE_AM,
            i.columns.len(),
            false,
        ));
    }
    for s in &c.sequences {
        rows.push(class_row(s.oid, &s.name, "S", 0, 3, false));
    }
    rows
}

fn attribute_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for t in &ctx.catalog.tables {
        for (i, col) in t.columns.iter().enumerate() {
            rows.push(vec![
                Value::Oid(t.oid),
                text(&col.name),
                Value::Oid(col.ty),
                Value::Int2(type_len(col.ty)),
                Value::Int2(i as i16 + 1),
                Value::Int4(col.typmod),
                Value::Bool(col.not_null),
                Value::Bool(col.default.is_some()),
                text(""),
                text(""),
                Value::Bool(false),
                Value::Oid(0),
            ]);
        }
    }
    rows
}

fn attrdef_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for t in &ctx.catalog.tables {
        for (i, col) in t.columns.iter().enumerate() {
            if let Some(d) = &col.default {
                rows.push(vec![
                    Value::Oid(0),
                    Value::Oid(t.oid),
                    Value::Int2(i as i16 + 1),
                    text(d),
                ]);
            }
        }
    }
    rows
}

fn index_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .indexes
        .iter()
        .map(|i| {
            let key: Vec<String> = i.columns.iter().map(|c| (c + 1).to_string()).collect();
            vec![
                Value::Oid(i.oid),
                Value::Oid(i.table),
                Value::Int2(i.columns.len() as i16),
                Value::Bool(i.unique),
                Value::Bool(i.primary),
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(false),
                text(&key.join(" ")),
            ]
        })
        .collect()
}

/// Primary-key and unique constraints (each backed by its index, whose
/// OID it shares).
fn constraint_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .indexes
        .iter()
        .filter(|i| i.primary || i.unique)
        .map(|i| {
            vec![
                Value::Oid(i.oid),
                text(&i.name),
                Value::Oid(PUBLIC_NAMESPACE),
                text(if i.primary { "p" } else { "u" }),
                Value::Bool(false),
                Value::Bool(false),
                Value::Oid(i.table),
                Value::Oid(i.oid),
            ]
        })
        .collect()
}

fn type_rows(_: &EvalCtx) -> Vec<Vec<Value>> {
    [
        oid::BOOL,
        oid::BYTEA,
        oid::CHAR,
        oid::NAME,
        oid::INT8,
        oid::INT2,
        oid::INT4,
        oid::TEXT,
        oid::OID,
        oid::FLOAT4,
        oid::FLOAT8,
        oid::BPCHAR,
        oid::VARCHAR,
        oid::DATE,
        oid::TIMESTAMP,
        oid::TIMESTAMPTZ,
        oid::INTERVAL,
        oid::NUMERIC,
    ]
    .iter()
    .map(|&t| {
        let collatable = matches!(t, oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME);
        vec![
            Value::Oid(t),
            text(type_internal_name(t)),
            Value::Oid(PG_CATALOG_NAMESPACE),
            Value::Int2(type_len(t)),
            Value::Oid(if collatable { 100 } else { 0 }),
        ]
    })
    .collect()
}

fn am_rows(_: &EvalCtx) -> Vec<Vec<Value>> {
    vec![
        vec![Value::Oid(HEAP_AM), text("heap"), text("t")],
        vec![Value::Oid(BTREE_AM), text("btree"), text("i")],
    ]
}
