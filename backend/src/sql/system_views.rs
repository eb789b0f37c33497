//! System views computed on the fly: `pg_stat_activity` from the shared
//! backend table and `pg_settings` from the session's settings. Each is
//! a virtual relation with fixed columns that the executor scans like a
//! table.

use crate::sql::expr::EvalCtx;
use crate::sql::settings::{self, Context, Kind};
use crate::types::datetime::unix_usecs_to_pg;
use crate::types::{oid, Oid, Value};
use shmem::BackendState;

/// The OID pg_stat_activity.datid shows for the (single) database until
/// pg_database exists (PostgreSQL's first user database OID).
pub const DATABASE_OID: u32 = 16384;

/// A virtual relation.
pub struct SystemView {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Oid)],
    pub rows: fn(&EvalCtx) -> Vec<Vec<Value>>,
}

impl std::fmt::Debug for SystemView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SystemView({})", self.name)
    }
}

static VIEWS: &[SystemView] = &[
    SystemView {
        name: "pg_stat_activity",
        columns: &[
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
        ],
        rows: stat_activity_rows,
    },
    SystemView {
        name: "pg_settings",
        columns: &[
            ("name", oid::TEXT),
            ("setting", oid::TEXT),
            ("unit", oid::TEXT),
            ("short_desc", oid::TEXT),
            ("context", oid::TEXT),
            ("vartype", oid::TEXT),
            ("min_val", oid::TEXT),
            ("max_val", oid::TEXT),
        ],
        rows: settings_rows,
    },
];

/// Finds a view by (optional schema and) name. Views live in pg_catalog,
/// which is always on the search path.
pub fn lookup(schema: Option<&str>, name: &str) -> Option<&'static SystemView> {
    if schema.is_some_and(|s| s != "pg_catalog") {
        return None;
    }
    VIEWS.iter().find(|v| v.name == name)
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
