//! System views computed on the fly: `pg_stat_activity` from the shared
//! backend table, `pg_settings` from the session's settings, and
//! pgfork's instrumentation over shared memory (`pgfork_stat_latency`,
//! `pgfork_stat_backend_latency`, `pgfork_stat_buffercache`), and
//! `pg_stat_user_tables` / `pg_stat_all_tables` from the catalog and the
//! shared per-table statistics (`shmem::relstats`). Each is a
//! virtual relation with fixed columns that the executor scans like a
//! table. The pg_catalog relations describing tables are in
//! `catalog_views`.

use std::sync::OnceLock;

use crate::catalog::views;
use crate::catalog::Catalog;
use crate::nodes::expr::EvalCtx;
use crate::types::datetime::unix_usecs_to_pg;
use crate::types::{oid, Oid, Value};
use crate::utils::settings::{self, Context, Kind};
use shmem::latency::{HistSummary, LatencyStats, METRICS};
use shmem::lockmgr::LockTag;
use shmem::{relstats, waitstats, BackendState, Segment};

/// The OID pg_stat_activity.datid shows for the (single) database until
/// pg_database exists (PostgreSQL's first user database OID).
pub const DATABASE_OID: u32 = 16384;

/// A view's columns: fixed, or computed once (from shared structures).
pub enum ViewColumns {
    Fixed(&'static [(&'static str, Oid)]),
    Computed(fn() -> &'static [(&'static str, Oid)]),
}

/// A virtual relation.
pub struct SystemView {
    pub name: &'static str,
    pub columns: ViewColumns,
    pub rows: fn(&EvalCtx) -> Vec<Vec<Value>>,
    /// Rows come from the catalog (plans re-made when it changes).
    pub uses_catalog: bool,
}

impl SystemView {
    pub fn columns(&self) -> &'static [(&'static str, Oid)] {
        match &self.columns {
            ViewColumns::Fixed(c) => c,
            ViewColumns::Computed(f) => f(),
        }
    }
}

impl std::fmt::Debug for SystemView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SystemView({})", self.name)
    }
}

static VIEWS: &[SystemView] = &[
    SystemView {
        name: "pg_stat_activity",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("datid", oid::OID),
            ("datname", oid::NAME),
            ("pid", oid::INT4),
            ("leader_pid", oid::INT4),
            ("usesysid", oid::OID),
            ("usename", oid::NAME),
            ("application_name", oid::TEXT),
            ("client_addr", oid::TEXT),
            ("client_hostname", oid::TEXT),
            ("client_port", oid::INT4),
            ("backend_start", oid::TIMESTAMPTZ),
            ("xact_start", oid::TIMESTAMPTZ),
            ("query_start", oid::TIMESTAMPTZ),
            ("state_change", oid::TIMESTAMPTZ),
            ("wait_event_type", oid::TEXT),
            ("wait_event", oid::TEXT),
            ("state", oid::TEXT),
            ("backend_xid", oid::TEXT),
            ("backend_xmin", oid::TEXT),
            ("query_id", oid::INT8),
            ("query", oid::TEXT),
            ("backend_type", oid::TEXT),
            ("pgfork_mode", oid::TEXT),
        ]),
        rows: stat_activity_rows,
    },
    SystemView {
        name: "pg_settings",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("name", oid::TEXT),
            ("setting", oid::TEXT),
            ("unit", oid::TEXT),
            ("short_desc", oid::TEXT),
            ("context", oid::TEXT),
            ("vartype", oid::TEXT),
            ("min_val", oid::TEXT),
            ("max_val", oid::TEXT),
        ]),
        rows: settings_rows,
    },
    SystemView {
        name: "pgfork_stat_latency",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("phase", oid::TEXT),
            ("calls", oid::INT8),
            ("total_us", oid::FLOAT8),
            ("p50_us", oid::FLOAT8),
            ("p90_us", oid::FLOAT8),
            ("p99_us", oid::FLOAT8),
            ("max_us", oid::FLOAT8),
        ]),
        rows: latency_rows,
    },
    SystemView {
        name: "pgfork_stat_backend_latency",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("pid", oid::INT4),
            ("mode", oid::TEXT),
            ("phase", oid::TEXT),
            ("calls", oid::INT8),
            ("total_us", oid::FLOAT8),
            ("p50_us", oid::FLOAT8),
            ("p99_us", oid::FLOAT8),
            ("max_us", oid::FLOAT8),
        ]),
        rows: backend_latency_rows,
    },
    SystemView {
        name: "pgfork_stat_buffercache",
        uses_catalog: false,
        columns: ViewColumns::Computed(buffercache_columns),
        rows: buffercache_rows,
    },
    SystemView {
        name: "pg_stat_wal",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("wal_records", oid::INT8),
            ("wal_fpi", oid::INT8),
            ("wal_bytes", oid::INT8),
            ("wal_buffers_full", oid::INT8),
            ("wal_write", oid::INT8),
            ("wal_sync", oid::INT8),
            ("wal_write_time", oid::FLOAT8),
            ("wal_sync_time", oid::FLOAT8),
            ("stats_reset", oid::TIMESTAMPTZ),
        ]),
        rows: wal_rows,
    },
    SystemView {
        name: "pg_locks",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("locktype", oid::TEXT),
            ("database", oid::OID),
            ("relation", oid::OID),
            ("page", oid::INT4),
            ("tuple", oid::INT2),
            ("virtualxid", oid::TEXT),
            ("transactionid", oid::TEXT),
            ("classid", oid::OID),
            ("objid", oid::OID),
            ("objsubid", oid::INT2),
            ("virtualtransaction", oid::TEXT),
            ("pid", oid::INT4),
            ("mode", oid::TEXT),
            ("granted", oid::BOOL),
            ("fastpath", oid::BOOL),
            ("waitstart", oid::TIMESTAMPTZ),
        ]),
        rows: locks_rows,
    },
    SystemView {
        name: "pg_stat_user_tables",
        uses_catalog: true,
        columns: ViewColumns::Fixed(TABLE_STATS_COLUMNS),
        rows: table_stats_rows,
    },
    SystemView {
        name: "pg_stat_all_tables",
        uses_catalog: true,
        columns: ViewColumns::Fixed(TABLE_STATS_COLUMNS),
        rows: table_stats_rows,
    },
];

/// PostgreSQL 15's columns of pg_stat_user_tables and pg_stat_all_tables.
const TABLE_STATS_COLUMNS: &[(&str, Oid)] = &[
    ("relid", oid::OID),
    ("schemaname", oid::NAME),
    ("relname", oid::NAME),
    ("seq_scan", oid::INT8),
    ("seq_tup_read", oid::INT8),
    ("idx_scan", oid::INT8),
    ("idx_tup_fetch", oid::INT8),
    ("n_tup_ins", oid::INT8),
    ("n_tup_upd", oid::INT8),
    ("n_tup_del", oid::INT8),
    ("n_tup_hot_upd", oid::INT8),
    ("n_live_tup", oid::INT8),
    ("n_dead_tup", oid::INT8),
    ("n_mod_since_analyze", oid::INT8),
    ("n_ins_since_vacuum", oid::INT8),
    ("last_vacuum", oid::TIMESTAMPTZ),
    ("last_autovacuum", oid::TIMESTAMPTZ),
    ("last_analyze", oid::TIMESTAMPTZ),
    ("last_autoanalyze", oid::TIMESTAMPTZ),
    ("vacuum_count", oid::INT8),
    ("autovacuum_count", oid::INT8),
    ("analyze_count", oid::INT8),
    ("autoanalyze_count", oid::INT8),
];

/// Finds a view by (optional schema and) name. Views live in pg_catalog,
/// which is always on the search path.
pub fn lookup(schema: Option<&str>, name: &str) -> Option<&'static SystemView> {
    if schema.is_some_and(|s| s != "pg_catalog") {
        return None;
    }
    VIEWS
        .iter()
        .chain(views::VIEWS.iter())
        .find(|v| v.name == name)
}

fn us(ns: u64) -> Value {
    Value::Float8(ns as f64 / 1000.0)
}

/// One row per phase of `shmem::latency::METRICS`, server-wide.
fn latency_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let stats = LatencyStats::get(&ctx.session.env.segment);
    METRICS
        .iter()
        .map(|&m| {
            let h: HistSummary = stats.server_summary(m);
            vec![
                Value::Text(m.name().into()),
                Value::Int8(h.count as i64),
                us(h.sum_ns),
                us(h.percentile_ns(0.5)),
                us(h.percentile_ns(0.9)),
                us(h.percentile_ns(0.99)),
                us(h.max_ns),
            ]
        })
        .collect()
}

/// Per live backend and phase (phases it has recorded).
fn backend_latency_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    let stats = LatencyStats::get(seg);
    let mut rows = Vec::new();
    for b in seg.backend_table().snapshot() {
        for &m in METRICS.iter() {
            let h = stats.slot_summary(b.index, m);
            if h.count == 0 {
                continue;
            }
            rows.push(vec![
                Value::Int4(b.pid),
                Value::Text(b.mode.as_str().into()),
                Value::Text(m.name().into()),
                Value::Int8(h.count as i64),
                us(h.sum_ns),
                us(h.percentile_ns(0.5)),
                us(h.percentile_ns(0.99)),
                us(h.max_ns),
            ]);
        }
    }
    rows
}

/// Every wait-statistics counter as a bigint column, then nbuffers.
fn buffercache_columns() -> &'static [(&'static str, Oid)] {
    static COLS: OnceLock<Vec<(&'static str, Oid)>> = OnceLock::new();
    COLS.get_or_init(|| {
        let mut c: Vec<(&'static str, Oid)> = waitstats::Counters::default()
            .fields()
            .into_iter()
            .map(|(n, _)| (n, oid::INT8))
            .collect();
        c.push(("nbuffers", oid::INT8));
        c
    })
}

fn buffercache_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    // This backend's own recent counts are part of the picture.
    waitstats::flush_to_slot(seg, ctx.session.env.slot_index);
    let mut row: Vec<Value> = waitstats::totals(seg)
        .fields()
        .into_iter()
        .map(|(_, v)| Value::Int8(v as i64))
        .collect();
    row.push(Value::Int8(ctx.pool.nbuffers() as i64));
    vec![row]
}

/// A WAL wait of a backend (LWLock WALWrite, IO WALWrite, IO WALSync).
fn wal_wait(code: u32) -> Option<(&'static str, &'static str)> {
    shmem::wal::WaitEvent::names(code)
}

/// PostgreSQL's pg_stat_wal (wal_bytes as int8 rather than numeric; times
/// in milliseconds; never reset).
fn wal_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    use std::sync::atomic::Ordering::Relaxed;
    let w = ctx.session.env.segment.wal();
    let s = w.stats();
    let n = |v: &std::sync::atomic::AtomicU64| Value::Int8(v.load(Relaxed) as i64);
    let ms = |v: &std::sync::atomic::AtomicU64| Value::Float8(v.load(Relaxed) as f64 / 1e6);
    vec![vec![
        n(&s.records),
        n(&s.fpi),
        n(&s.bytes),
        n(&s.buffers_full),
        n(&s.writes),
        n(&s.syncs),
        ms(&s.write_ns),
        ms(&s.sync_ns),
        Value::Null,
    ]]
}

fn table_stats_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    table_stats(ctx.catalog, &ctx.session.env.segment)
}

/// One row per table (every table is a user table in schema public).
/// There is no autovacuum or ANALYZE yet: the counts since the last
/// analyze and vacuum are all the changes, and their times NULL.
fn table_stats(catalog: &Catalog, seg: &Segment) -> Vec<Vec<Value>> {
    let int8 = |v: u64| Value::Int8(v as i64);
    catalog
        .tables
        .iter()
        .map(|t| {
            let c = relstats::get(seg, t.oid);
            // The index columns are NULL for a table without indexes.
            let indexed = catalog.indexes_of(t.oid).next().is_some();
            let idx = |v: u64| if indexed { int8(v) } else { Value::Null };
            vec![
                Value::Oid(t.oid),
                Value::Text("public".into()),
                Value::Text(t.name.clone()),
                int8(c.seq_scan),
                int8(c.seq_tup_read),
                idx(c.idx_scan),
                idx(c.idx_tup_fetch),
                int8(c.n_tup_ins),
                int8(c.n_tup_upd),
                int8(c.n_tup_del),
                int8(c.n_tup_hot_upd),
                int8(c.n_live_tup),
                int8(c.n_dead_tup),
                int8(c.n_tup_ins + c.n_tup_upd + c.n_tup_del),
                int8(c.n_tup_ins),
                ts_or_null(c.last_vacuum_us as i64),
                Value::Null,
                Value::Null,
                Value::Null,
                int8(c.vacuum_count),
                int8(0),
                int8(0),
                int8(0),
            ]
        })
        .collect()
}

/// pgfork_stat_reset(): zeroes the latency histograms and wait counters.
pub fn stat_reset(ctx: &EvalCtx) {
    let seg = &ctx.session.env.segment;
    LatencyStats::get(seg).reset();
    waitstats::discard_unflushed();
    waitstats::reset(seg);
}

fn ts_or_null(us: i64) -> Value {
    if us == 0 {
        Value::Null
    } else {
        Value::TimestampTz(unix_usecs_to_pg(us))
    }
}

fn text_or_null(s: String, present: bool) -> Value {
    if present {
        Value::Text(s)
    } else {
        Value::Null
    }
}

/// One row per backend with a client, plus auxiliary processes (the
/// checkpointer, shown as PostgreSQL shows it: no database, user or
/// state). Slots that are starting, pooled (pre-forked, waiting for a
/// client) or assigned are left out, as PostgreSQL shows no row for a
/// backend before its session exists.
fn stat_activity_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    let table = seg.backend_table();
    let procs = seg.proc_array();
    let waiting: Vec<(usize, LockTag)> = seg
        .lock_manager()
        .snapshot()
        .into_iter()
        .filter(|l| !l.granted)
        .map(|l| (l.backend, l.tag))
        .collect();
    let xid_text = |x: u32| {
        if x == 0 {
            Value::Null
        } else {
            Value::Text(x.to_string())
        }
    };
    table
        .snapshot()
        .into_iter()
        .filter(|b| {
            !matches!(
                b.state,
                BackendState::Starting | BackendState::Pooled | BackendState::Assigned
            )
        })
        .map(|b| {
            let client = b.state != BackendState::Auxiliary;
            vec![
                if client {
                    Value::Oid(DATABASE_OID)
                } else {
                    Value::Null
                },
                text_or_null(b.datname, client),
                Value::Int4(b.pid),
                Value::Null,
                if client { Value::Oid(10) } else { Value::Null },
                text_or_null(b.usename, client),
                Value::Text(b.application_name),
                Value::Null,
                Value::Null,
                Value::Null,
                ts_or_null(b.backend_start_us),
                ts_or_null(b.xact_start_us),
                ts_or_null(b.query_start_us),
                ts_or_null(b.state_change_us),
                match waiting.iter().find(|(i, _)| *i == b.index) {
                    Some(_) => Value::Text("Lock".into()),
                    None => {
                        wal_wait(b.wait_event).map_or(Value::Null, |(t, _)| Value::Text(t.into()))
                    }
                },
                match waiting.iter().find(|(i, _)| *i == b.index) {
                    Some((_, LockTag::Relation(_))) => Value::Text("relation".into()),
                    Some((_, LockTag::Transaction(_))) => Value::Text("transactionid".into()),
                    Some((_, LockTag::Tuple(..))) => Value::Text("tuple".into()),
                    None => {
                        wal_wait(b.wait_event).map_or(Value::Null, |(_, e)| Value::Text(e.into()))
                    }
                },
                text_or_null(b.state.as_str().to_owned(), client),
                xid_text(procs.xid_of(b.index)),
                xid_text(procs.xmin_of(b.index)),
                Value::Null,
                if client {
                    text_or_null(b.query, b.query_start_us != 0)
                } else {
                    Value::Text(String::new())
                },
                Value::Text(
                    if client {
                        "client backend"
                    } else {
                        "checkpointer"
                    }
                    .into(),
                ),
                Value::Text(b.mode.as_str().to_owned()),
            ]
        })
        .collect()
}

/// One row per held or awaited heavyweight lock (PostgreSQL's pg_locks;
/// the unique-key locks of index insertions show as "speculative token"
/// on the index).
fn locks_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    let table = seg.backend_table();
    seg.lock_manager()
        .snapshot()
        .into_iter()
        .map(|l| {
            let (kind, relation, page, tuple, xid) = match l.tag {
                LockTag::Relation(r) => ("relation", Some(r), None, None, None),
                LockTag::Transaction(x) => ("transactionid", None, None, None, Some(x)),
                LockTag::Tuple(r, b, o)
                    if ctx.catalog.relation_name(r).is_some()
                        && ctx.catalog.table_by_oid(r).is_some() =>
                {
                    ("tuple", Some(r), Some(b), Some(o), None)
                }
                LockTag::Tuple(r, ..) => ("speculative token", Some(r), None, None, None),
            };
            let opt_oid = |v: Option<u32>| v.map_or(Value::Null, Value::Oid);
            vec![
                Value::Text(kind.into()),
                if relation.is_some() {
                    Value::Oid(DATABASE_OID)
                } else {
                    Value::Null
                },
                opt_oid(relation),
                page.map_or(Value::Null, |p| Value::Int4(p as i32)),
                tuple.map_or(Value::Null, |t| Value::Int2(t as i16)),
                Value::Null,
                xid.map_or(Value::Null, |x| Value::Text(x.to_string())),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Int4(
                    table
                        .slot(l.backend)
                        .pid
                        .load(std::sync::atomic::Ordering::Relaxed),
                ),
                Value::Text(l.mode.name().into()),
                Value::Bool(l.granted),
                Value::Bool(false),
                Value::Null,
            ]
        })
        .collect()
}

fn settings_rows(ctx: &EvalCtx) -> Vec<Vec<Value>> {
    let s = ctx.settings.borrow();
    s.all()
        .into_iter()
        .map(|(name, value, desc)| {
            let def = settings::lookup(&name);
            let (vartype, unit, min, max) = match def.map(|d| d.kind) {
                Some(Kind::Bool) => ("bool", None, None, None),
                Some(Kind::Int { min, max, unit }) => (
                    "integer",
                    match unit {
                        settings::Unit::Ms => Some("ms"),
                        settings::Unit::Kb => Some("kB"),
                        settings::Unit::None => None,
                    },
                    Some(min.to_string()),
                    Some(max.to_string()),
                ),
                Some(Kind::Enum(_)) => ("enum", None, None, None),
                _ => ("string", None, None, None),
            };
            let context = match def.map(|d| d.context) {
                Some(Context::Internal) => "internal",
                Some(Context::Postmaster) => "postmaster",
                _ => "user",
            };
            let opt = |v: Option<String>| v.map(Value::Text).unwrap_or(Value::Null);
            vec![
                Value::Text(name),
                Value::Text(value),
                opt(unit.map(str::to_owned)),
                Value::Text(desc),
                Value::Text(context.into()),
                Value::Text(vartype.into()),
                opt(min),
                opt(max),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::catalog::{IndexDesc, TableDesc};
    use shmem::segment::{SegmentConfig, SegmentOwner};

    #[test]
    fn table_stats_rows() {
        let (_owner, seg) = SegmentOwner::create(&SegmentConfig {
            port: 62420,
            max_backends: 2,
            shared_buffers: 0,
            mode: 0,
        })
        .unwrap();
        let mut cat = Catalog::empty();
        for (oid_, name) in [(16384, "plain"), (16385, "keyed")] {
            cat.tables.push(Arc::new(TableDesc {
                oid: oid_,
                name: name.into(),
                columns: vec![],
                fillfactor: 100,
            }));
        }
        cat.indexes.push(Arc::new(IndexDesc {
            oid: 16386,
            name: "keyed_pkey".into(),
            table: 16385,
            columns: vec![0],
            unique: true,
            primary: true,
        }));
        let mut p = relstats::PendingRelStats::default();
        p.inserted(16384);
        p.inserted(16384);
        p.deleted(16384);
        p.idx_scan(16385);
        p.idx_tup_fetch(16385, 4);
        p.flush(&seg, true);
        relstats::report_vacuum(&seg, 16385, 0, 0);

        let rows = table_stats(&cat, &seg);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.len() == TABLE_STATS_COLUMNS.len()));
        let col = |name: &str| {
            TABLE_STATS_COLUMNS
                .iter()
                .position(|(n, _)| *n == name)
                .unwrap()
        };
        let (plain, keyed) = (&rows[0], &rows[1]);
        assert_eq!(plain[col("relname")], Value::Text("plain".into()));
        assert_eq!(plain[col("n_tup_ins")], Value::Int8(2));
        assert_eq!(plain[col("n_live_tup")], Value::Int8(1));
        assert_eq!(plain[col("n_dead_tup")], Value::Int8(1));
        assert_eq!(plain[col("n_mod_since_analyze")], Value::Int8(3));
        assert_eq!(plain[col("idx_scan")], Value::Null);
        assert_eq!(plain[col("last_vacuum")], Value::Null);
        assert_eq!(keyed[col("idx_scan")], Value::Int8(1));
        assert_eq!(keyed[col("idx_tup_fetch")], Value::Int8(4));
        assert_eq!(keyed[col("vacuum_count")], Value::Int8(1));
        assert!(matches!(keyed[col("last_vacuum")], Value::TimestampTz(_)));
        assert!(lookup(None, "pg_stat_user_tables").is_some());
        assert!(lookup(Some("pg_catalog"), "pg_stat_all_tables").is_some());
    }
}
