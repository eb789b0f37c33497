//! System views, as the analyzer and planner see them: name, columns and
//! which producer computes their rows (`executor::sysviews` computes them
//! when a scan starts): `pg_stat_activity`, `pg_settings`, pgfork's
//! instrumentation (`pgfork_stat_latency`, `pgfork_stat_backend_latency`,
//! `pgfork_stat_buffercache`), `pg_stat_wal`, `pg_locks`, and
//! `pg_stat_user_tables` / `pg_stat_all_tables`. Each is a virtual
//! relation with fixed columns that the executor scans like a table. The
//! pg_catalog relations describing tables are in `views`.

use std::sync::OnceLock;

use crate::catalog::{describe_views, dump_views, views};
use crate::types::{oid, Oid};
use shmem::waitstats;

/// The OID of the one database a catalog without pg_database has (unit
/// tests, without a data directory): `Catalog::database_oid`.
pub const DATABASE_OID: u32 = 16384;

/// A view's columns: fixed, or computed once (from shared structures).
pub enum ViewColumns {
    Fixed(&'static [(&'static str, Oid)]),
    Computed(fn() -> &'static [(&'static str, Oid)]),
}

/// Which producer computes a view's rows (`executor::sysviews`), like
/// the set-returning function behind a PostgreSQL system view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewRows {
    StatActivity,
    Settings,
    Cursors,
    /// pg_timezone_names: every zone of the tz database.
    TimezoneNames,
    Latency,
    BackendLatency,
    /// pgfork_stat_plan_cache: each backend's statement cache counters.
    PlanCache,
    Buffercache,
    /// pgfork_stat_sinval: the shared invalidation queue's counters.
    Sinval,
    Wal,
    Locks,
    TableStats,
    /// pg_stats: the statistics ANALYZE stored (`catalog::statistic`).
    Stats,
    Namespace,
    Class,
    Views,
    /// pg_matviews.
    Matviews,
    Attribute,
    Attrdef,
    Index,
    Constraint,
    Type,
    Enum,
    Am,
    Opclass,
    Empty,
    Collation,
    Database,
    Authid,
    AuthMembers,
    Roles,
    User,
    Proc,
    Tablespace,
    Tables,
    Indexes,
    Sequences,
    Sequence,
    Depend,
    Language,
    /// pg_extension: plpgsql, installed in every database.
    Extension,
    Cast,
    Operator,
    Opfamily,
    Amop,
    Amproc,
    Description,
    /// pg_shdescription: comments on databases and roles.
    ShDescription,
    /// pg_shdepend: objects' dependencies on roles, in every database.
    ShDepend,
    /// pg_db_role_setting: ALTER ROLE/DATABASE ... SET.
    DbRoleSetting,
    Rewrite,
    InitPrivs,
    /// pg_trigger: the triggers of the database's tables.
    Trigger,
}

/// A virtual relation.
pub struct SystemView {
    pub name: &'static str,
    pub columns: ViewColumns,
    pub rows: ViewRows,
    /// Rows come from the catalog (plans re-made when it changes).
    pub uses_catalog: bool,
}

impl SystemView {
    /// The pg_class OID of a catalog relation (relkind 'r') this view
    /// computes: its rows have a `tableoid` system column.
    pub fn table_oid(&self) -> Option<Oid> {
        super::builtin::system_relation(self.name)
            .filter(|r| r.relkind == b'r')
            .map(|r| r.oid)
    }

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
        rows: ViewRows::StatActivity,
    },
    SystemView {
        name: "pg_settings",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("name", oid::TEXT),
            ("setting", oid::TEXT),
            ("unit", oid::TEXT),
            ("category", oid::TEXT),
            ("short_desc", oid::TEXT),
            ("extra_desc", oid::TEXT),
            ("context", oid::TEXT),
            ("vartype", oid::TEXT),
            ("source", oid::TEXT),
            ("min_val", oid::TEXT),
            ("max_val", oid::TEXT),
            ("enumvals", oid::TEXT_ARRAY),
            ("boot_val", oid::TEXT),
            ("reset_val", oid::TEXT),
            ("sourcefile", oid::TEXT),
            ("sourceline", oid::INT4),
            ("pending_restart", oid::BOOL),
        ]),
        rows: ViewRows::Settings,
    },
    SystemView {
        name: "pg_cursors",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("name", oid::TEXT),
            ("statement", oid::TEXT),
            ("is_holdable", oid::BOOL),
            ("is_binary", oid::BOOL),
            ("is_scrollable", oid::BOOL),
            ("creation_time", oid::TIMESTAMPTZ),
        ]),
        rows: ViewRows::Cursors,
    },
    SystemView {
        name: "pg_timezone_names",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("name", oid::TEXT),
            ("abbrev", oid::TEXT),
            ("utc_offset", oid::INTERVAL),
            ("is_dst", oid::BOOL),
        ]),
        rows: ViewRows::TimezoneNames,
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
        rows: ViewRows::Latency,
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
        rows: ViewRows::BackendLatency,
    },
    SystemView {
        name: "pgfork_stat_plan_cache",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("pid", oid::INT4),
            ("mode", oid::TEXT),
            ("hits", oid::INT8),
            ("misses", oid::INT8),
            ("invalidations", oid::INT8),
            ("evictions", oid::INT8),
            ("entries", oid::INT8),
            ("normalized_hits", oid::INT8),
            ("normalized_custom", oid::INT8),
            ("normalized_declines", oid::INT8),
        ]),
        rows: ViewRows::PlanCache,
    },
    SystemView {
        name: "pgfork_stat_buffercache",
        uses_catalog: false,
        columns: ViewColumns::Computed(buffercache_columns),
        rows: ViewRows::Buffercache,
    },
    SystemView {
        name: "pgfork_stat_sinval",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("messages_sent", oid::INT8),
            ("messages_read", oid::INT8),
            ("resets", oid::INT8),
            ("cache_rebuilds", oid::INT8),
            ("rebuild_time", oid::FLOAT8),
            ("cache_reuses", oid::INT8),
            ("queue_position", oid::INT8),
        ]),
        rows: ViewRows::Sinval,
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
        rows: ViewRows::Wal,
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
        rows: ViewRows::Locks,
    },
    SystemView {
        name: "pg_stat_user_tables",
        uses_catalog: true,
        columns: ViewColumns::Fixed(TABLE_STATS_COLUMNS),
        rows: ViewRows::TableStats,
    },
    SystemView {
        name: "pg_stats",
        uses_catalog: true,
        columns: ViewColumns::Fixed(STATS_COLUMNS),
        rows: ViewRows::Stats,
    },
    SystemView {
        name: "pg_stat_all_tables",
        uses_catalog: true,
        columns: ViewColumns::Fixed(TABLE_STATS_COLUMNS),
        rows: ViewRows::TableStats,
    },
];

/// PostgreSQL 15's columns of pg_stats (the anyarray columns hold arrays
/// of the column's type).
pub const STATS_COLUMNS: &[(&str, Oid)] = &[
    ("schemaname", oid::NAME),
    ("tablename", oid::NAME),
    ("attname", oid::NAME),
    ("inherited", oid::BOOL),
    ("null_frac", oid::FLOAT4),
    ("avg_width", oid::INT4),
    ("n_distinct", oid::FLOAT4),
    ("most_common_vals", crate::types::array::oids::ANYARRAY),
    ("most_common_freqs", crate::types::array::oids::FLOAT4_ARRAY),
    ("histogram_bounds", crate::types::array::oids::ANYARRAY),
    ("correlation", oid::FLOAT4),
    ("most_common_elems", crate::types::array::oids::ANYARRAY),
    (
        "most_common_elem_freqs",
        crate::types::array::oids::FLOAT4_ARRAY,
    ),
    (
        "elem_count_histogram",
        crate::types::array::oids::FLOAT4_ARRAY,
    ),
];

/// PostgreSQL 15's columns of pg_stat_user_tables and pg_stat_all_tables.
pub const TABLE_STATS_COLUMNS: &[(&str, Oid)] = &[
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
    all().find(|v| v.name == name)
}

/// Every system view and pg_catalog relation.
pub fn all() -> impl Iterator<Item = &'static SystemView> {
    VIEWS
        .iter()
        .chain(views::VIEWS.iter())
        .chain(describe_views::VIEWS.iter())
        .chain(super::opclass::VIEWS.iter())
        .chain(dump_views::VIEWS.iter())
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
