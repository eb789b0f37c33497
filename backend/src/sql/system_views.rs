//! System views computed on the fly: `pg_stat_activity` from the shared
//! backend table, `pg_settings` from the session's settings, and
//! pgfork's instrumentation over shared memory (`pgfork_stat_latency`,
//! `pgfork_stat_backend_latency`, `pgfork_stat_buffercache`). Each is a
//! virtual relation with fixed columns that the executor scans like a
//! table. The pg_catalog relations describing tables are in
//! `catalog_views`.

use std::sync::OnceLock;

use crate::sql::catalog_views;
use crate::sql::expr::EvalCtx;
use crate::sql::settings::{self, Context, Kind};
use crate::types::datetime::unix_usecs_to_pg;
use crate::types::{oid, Oid, Value};
use shmem::latency::{HistSummary, LatencyStats, METRICS};
use shmem::{waitstats, BackendState};

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
];

/// Finds a view by (optional schema and) name. Views live in pg_catalog,
/// which is always on the search path.
pub fn lookup(schema: Option<&str>, name: &str) -> Option<&'static SystemView> {
    if schema.is_some_and(|s| s != "pg_catalog") {
        return None;
    }
    VIEWS
        .iter()
        .chain(catalog_views::VIEWS.iter())
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
    let table = ctx.session.env.segment.backend_table();
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
                Value::Null,
                Value::Null,
                text_or_null(b.state.as_str().to_owned(), client),
                Value::Null,
                Value::Null,
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
