//! The rows of the system views (`catalog::system_views` describes them):
//! pg_stat_activity from the shared backend table, pg_settings from the
//! session's settings, pgfork's instrumentation over shared memory, the
//! per-table statistics, and (through `catalog_rows`) the pg_catalog
//! relations computed from the catalog. Each is computed when its scan
//! starts.

use shmem::latency::{HistSummary, LatencyStats, METRICS};
use shmem::lockmgr::LockTag;
use shmem::{relstats, waitstats, BackendState, Segment};

use crate::catalog::system_views::{SystemView, ViewRows, DATABASE_OID};
use crate::catalog::Catalog;
use crate::executor::catalog_rows as cat;
use crate::executor::dump_rows;
use crate::fmgr::FnCtx;
use crate::types::datetime::unix_usecs_to_pg;
use crate::types::{oid, Value};
use crate::utils::settings::{self, Context, Kind};

/// The rows of a system view, computed now.
pub fn rows(view: &SystemView, ctx: &FnCtx) -> Vec<Vec<Value>> {
    match view.rows {
        ViewRows::StatActivity => stat_activity_rows(ctx),
        ViewRows::Settings => settings_rows(ctx),
        ViewRows::Cursors => cursors_rows(ctx),
        ViewRows::TimezoneNames => crate::types::timezone::zone_names_now()
            .into_iter()
            .map(|z| {
                vec![
                    Value::Text(z.name),
                    Value::Text(z.abbrev),
                    Value::Interval(crate::types::datetime::Interval {
                        months: 0,
                        days: 0,
                        micros: i64::from(z.utc_offset) * 1_000_000,
                    }),
                    Value::Bool(z.is_dst),
                ]
            })
            .collect(),
        ViewRows::Latency => latency_rows(ctx),
        ViewRows::BackendLatency => backend_latency_rows(ctx),
        ViewRows::PlanCache => plan_cache_rows(ctx),
        ViewRows::Buffercache => buffercache_rows(ctx),
        ViewRows::Wal => wal_rows(ctx),
        ViewRows::Sinval => sinval_rows(ctx),
        ViewRows::Locks => locks_rows(ctx),
        ViewRows::TableStats => table_stats_rows(ctx),
        ViewRows::Stats => stats_rows(ctx),
        ViewRows::Namespace => cat::namespace_rows(ctx),
        ViewRows::Class => cat::class_rows(ctx),
        ViewRows::Attribute => cat::attribute_rows(ctx),
        ViewRows::Attrdef => cat::attrdef_rows(ctx),
        ViewRows::Index => cat::index_rows(ctx),
        ViewRows::Constraint => cat::constraint_rows(ctx),
        ViewRows::Type => cat::type_rows(ctx),
        ViewRows::Enum => cat::enum_rows(ctx),
        ViewRows::Am => cat::am_rows(ctx),
        ViewRows::Opclass => crate::catalog::opclass::opclass_rows(),
        ViewRows::Collation => cat::collation_rows(ctx),
        ViewRows::Database => cat::database_rows(ctx),
        ViewRows::Authid => super::role_rows::authid_rows(ctx),
        ViewRows::Roles => super::role_rows::roles_rows(ctx),
        ViewRows::User => super::role_rows::user_rows(ctx),
        ViewRows::AuthMembers => super::role_rows::auth_members_rows(ctx),
        ViewRows::Proc => cat::proc_rows(ctx),
        ViewRows::Tablespace => cat::tablespace_rows(ctx),
        ViewRows::Tables => cat::tables_rows(ctx),
        ViewRows::Views => cat::views_rows(ctx),
        ViewRows::Matviews => cat::matviews_rows(ctx),
        ViewRows::Indexes => cat::indexes_rows(ctx),
        ViewRows::Sequences => cat::sequences_rows(ctx),
        ViewRows::Sequence => cat::sequence_rows(ctx),
        ViewRows::Depend => dump_rows::depend_rows(ctx),
        ViewRows::Language => cat::language_rows(ctx),
        ViewRows::Extension => cat::extension_rows(ctx),
        ViewRows::Cast => dump_rows::cast_rows(ctx),
        ViewRows::Operator => dump_rows::operator_rows(ctx),
        ViewRows::Opfamily => dump_rows::opfamily_rows(ctx),
        ViewRows::Amop => dump_rows::amop_rows(ctx),
        ViewRows::Amproc => dump_rows::amproc_rows(ctx),
        ViewRows::Description => dump_rows::description_rows(ctx),
        ViewRows::ShDescription => dump_rows::shdescription_rows(ctx),
        ViewRows::ShDepend => dump_rows::shdepend_rows(ctx),
        ViewRows::DbRoleSetting => dump_rows::db_role_setting_rows(ctx),
        ViewRows::Rewrite => dump_rows::rewrite_rows(ctx),
        ViewRows::InitPrivs => dump_rows::init_privs_rows(ctx),
        ViewRows::Trigger => cat::trigger_rows(ctx),
        ViewRows::Empty => empty_rows(ctx),
    }
}

fn us(ns: u64) -> Value {
    Value::Float8(ns as f64 / 1000.0)
}

/// One row per phase of `shmem::latency::METRICS`, server-wide.
fn latency_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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
fn backend_latency_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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

/// pgfork_stat_plan_cache: per live backend, its simple-protocol
/// statement cache's counters (`tcop::plancache`).
fn plan_cache_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    let table = seg.backend_table();
    let n = |c: &std::sync::atomic::AtomicU64| {
        Value::Int8(c.load(std::sync::atomic::Ordering::Relaxed) as i64)
    };
    table
        .snapshot()
        .into_iter()
        .filter(|b| b.pid != 0)
        .map(|b| {
            let c = &table.slot(b.index).plan_cache;
            vec![
                Value::Int4(b.pid),
                Value::Text(b.mode.as_str().into()),
                n(&c.hits),
                n(&c.misses),
                n(&c.invalidations),
                n(&c.evictions),
                n(&c.entries),
                n(&c.normalized_hits),
                n(&c.normalized_custom),
                n(&c.normalized_declines),
            ]
        })
        .collect()
}

fn buffercache_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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
/// pgfork_stat_sinval: messages sent and read, resets, catalog cache
/// rebuilds and their time (ms), loads served by another session's
/// rebuild, and the queue's position.
fn sinval_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    use std::sync::atomic::Ordering::Relaxed;
    let q = ctx.session.env.segment.sinval();
    let s = &q.stats;
    let n = |v: &std::sync::atomic::AtomicU64| Value::Int8(v.load(Relaxed) as i64);
    vec![vec![
        n(&s.sent),
        n(&s.read),
        n(&s.resets),
        n(&s.rebuilds),
        Value::Float8(s.rebuild_us.load(Relaxed) as f64 / 1e3),
        n(&s.reuses),
        Value::Int8(q.next() as i64),
    ]]
}

fn wal_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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

fn table_stats_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    table_stats(ctx.catalog, &ctx.session.env.segment)
}

/// pg_stats: one row per analyzed column of each table, in column order.
fn stats_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let dir = &ctx.session.env.config.data_dir;
    let mut out = Vec::new();
    for t in ctx.catalog.tables.iter() {
        let Some(st) = crate::catalog::statistic::load(dir, t.oid) else {
            continue;
        };
        for c in &st.columns {
            let Some(col) = t
                .columns
                .get(c.column)
                .filter(|col| !col.dropped && col.ty == c.ty)
            else {
                continue;
            };
            let arr = |v: Vec<Value>| {
                if v.is_empty() {
                    Value::Null
                } else {
                    Value::Array(c.ty, v)
                }
            };
            out.push(vec![
                Value::Text("public".into()),
                Value::Text(t.name.clone()),
                Value::Text(col.name.clone()),
                Value::Bool(false),
                Value::Float4(c.null_frac as f32),
                Value::Int4(c.avg_width),
                Value::Float4(c.n_distinct as f32),
                arr(c.mcv.iter().map(|(v, _)| v.clone()).collect()),
                if c.mcv.is_empty() {
                    Value::Null
                } else {
                    Value::Array(
                        oid::FLOAT4,
                        c.mcv
                            .iter()
                            .map(|(_, f)| Value::Float4(*f as f32))
                            .collect(),
                    )
                },
                arr(c.histogram.clone()),
                c.correlation
                    .map_or(Value::Null, |x| Value::Float4(x as f32)),
                Value::Null,
                Value::Null,
                Value::Null,
            ]);
        }
    }
    out
}

/// One row per table (every table is a user table in schema public).
/// Autovacuum does not exist: its columns are NULL and zero; ANALYZE and
/// autoanalyze are counted (`tcop::stats`).
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
                Value::Text(catalog.relation_schema_name(t.oid).into()),
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
                int8(c.n_mod_since_analyze),
                int8(c.n_tup_ins),
                ts_or_null(c.last_vacuum_us as i64),
                Value::Null,
                ts_or_null(c.last_analyze_us as i64),
                ts_or_null(c.last_autoanalyze_us as i64),
                int8(c.vacuum_count),
                int8(0),
                int8(c.analyze_count),
                int8(c.autoanalyze_count),
            ]
        })
        .collect()
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
fn stat_activity_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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
            let mode = pgfork_mode(ctx, &b);
            vec![
                match ctx.catalog.database_oid(&b.datname) {
                    Some(o) if client => Value::Oid(o),
                    _ => Value::Null,
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
                    Some((_, LockTag::Object(..))) => Value::Text("object".into()),
                    Some((_, LockTag::Advisory(..))) => Value::Text("advisory".into()),
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
                Value::Text(mode),
            ]
        })
        .collect()
}

/// pg_stat_activity's `pgfork_mode`: how the backend runs; in pool mode,
/// which carrier thread runs the session now, if any.
fn pgfork_mode(ctx: &FnCtx, b: &shmem::backend_table::BackendSnapshot) -> String {
    let config = &ctx.session.env.config;
    if !config.pool || b.mode != shmem::ExecMode::Thread || b.state == BackendState::Auxiliary {
        return b.mode.as_str().to_owned();
    }
    if b.parked {
        "pool: no carrier".to_owned()
    } else {
        format!("pool: carrier {}", b.tid)
    }
}

/// One row per held or awaited heavyweight lock (PostgreSQL's pg_locks;
/// the unique-key locks of index insertions show as "speculative token"
/// on the index).
fn locks_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let seg = &ctx.session.env.segment;
    let table = seg.backend_table();
    let session_db = ctx
        .catalog
        .database_oid(&ctx.session.database)
        .unwrap_or(DATABASE_OID);
    seg.lock_manager()
        .snapshot()
        .into_iter()
        .map(|l| {
            let mut object = None;
            let (kind, relation, page, tuple, xid) = match l.tag {
                LockTag::Relation(r) => ("relation", Some(r), None, None, None),
                LockTag::Transaction(x) => ("transactionid", None, None, None, Some(x)),
                LockTag::Object(c, o) => {
                    object = Some((c, o, 0));
                    ("object", None, None, None, None)
                }
                LockTag::Advisory(a, b, k) => {
                    object = Some((a, b, k));
                    ("advisory", None, None, None, None)
                }
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
                if relation.is_some() || object.is_some() {
                    Value::Oid(session_db)
                } else {
                    Value::Null
                },
                opt_oid(relation),
                page.map_or(Value::Null, |p| Value::Int4(p as i32)),
                tuple.map_or(Value::Null, |t| Value::Int2(t as i16)),
                Value::Null,
                xid.map_or(Value::Null, |x| Value::Text(x.to_string())),
                opt_oid(object.map(|(c, _, _)| c)),
                opt_oid(object.map(|(_, o, _)| o)),
                object.map_or(Value::Null, |(_, _, k)| Value::Int2(k as i16)),
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

fn settings_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
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
            let enumvals = match def.map(|d| d.kind) {
                Some(Kind::Enum(vals)) => Value::Array(
                    oid::TEXT,
                    vals.iter().map(|v| Value::Text((*v).to_owned())).collect(),
                ),
                _ => Value::Null,
            };
            vec![
                Value::Text(name),
                Value::Text(value),
                opt(unit.map(str::to_owned)),
                Value::Null,
                Value::Text(desc),
                Value::Null,
                Value::Text(context.into()),
                Value::Text(vartype.into()),
                Value::Text("default".into()),
                opt(min),
                opt(max),
                enumvals,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Bool(false),
            ]
        })
        .collect()
}

fn empty_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    vec![]
}

/// pg_cursors: the session's open SQL cursors.
fn cursors_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.session
        .cursors
        .iter()
        .map(|c| {
            vec![
                Value::Text(c.name.clone()),
                Value::Text(c.statement.clone()),
                Value::Bool(c.holdable),
                Value::Bool(c.binary),
                Value::Bool(c.scrollable),
                Value::TimestampTz(c.created),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::catalog::system_views::TABLE_STATS_COLUMNS;
    use crate::catalog::{IndexDesc, TableDesc};
    use shmem::segment::{SegmentConfig, SegmentOwner};

    #[test]
    fn table_stats_rows() {
        let (_dir, dd) = crate::access::test_data_dir();
        let (_owner, seg) = SegmentOwner::create(
            &SegmentConfig {
                port: 62420,
                max_backends: 2,
                shared_buffers: 0,
                mode: 0,
            },
            dd,
        )
        .unwrap();
        let mut cat = Catalog::empty();
        for (oid_, name) in [(16384, "plain"), (16385, "keyed")] {
            cat.tables.push(Arc::new(TableDesc {
                namespace: crate::catalog::PUBLIC_NAMESPACE,
                oid: oid_,
                name: name.into(),
                columns: vec![],
                fillfactor: 100,
                relfilenode: 0,
            }));
        }
        cat.indexes.push(Arc::new(IndexDesc {
            namespace: crate::catalog::PUBLIC_NAMESPACE,
            oid: 16386,
            name: "keyed_pkey".into(),
            table: 16385,
            columns: vec![0],
            unique: true,
            primary: true,
            constraint: true,
            relfilenode: 0,
            deferrable: false,
            deferred: false,
            options: vec![],
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
        assert!(crate::catalog::system_views::lookup(None, "pg_stat_user_tables").is_some());
        assert!(
            crate::catalog::system_views::lookup(Some("pg_catalog"), "pg_stat_all_tables")
                .is_some()
        );
    }
}
