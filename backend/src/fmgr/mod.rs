//! The function manager (PostgreSQL's fmgr and pg_proc, reduced): every
//! built-in scalar function's signature, overload resolution and
//! implementation. An implementation sees its arguments and a [`FnCtx`]
//! (session, settings, catalog, transaction); the pure ones call into
//! `utils::adt`. Aggregates are in `utils::adt::agg`; COALESCE, NULLIF,
//! GREATEST and LEAST are expression forms built by the analyzer.

#![forbid(unsafe_code)]

pub mod acl;
pub mod advisory;
pub mod arrays;
pub mod bitwise;
pub mod catalog;
pub mod date_funcs;
pub mod encode;
pub mod enums;
pub mod formatting;
pub mod json;
pub mod json_record;
pub mod jsonpath;
pub mod macaddr;
pub mod network;
pub mod numeric;
pub mod polymorphic;
pub mod privileges;
pub mod sequence;
pub mod string;
pub mod text_srf;
pub mod time;
pub mod timezone;
pub mod window;

use std::cell::RefCell;
use std::fmt;

use shmem::buffer::BufferPool;

use crate::access::xact::StmtXact;
use crate::catalog::Catalog;
use crate::env::BackendEnv;
use crate::utils::settings::Settings;
use std::time::Duration;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{
    self, civil_from_days, UNIX_TO_PG_DAYS, USECS_PER_DAY, USECS_PER_SEC,
};
use crate::types::{oid, timezone as tz_types, type_name, Numeric, Oid, Value};
use crate::utils::adt::coerce::{category, is_preferred};
use crate::utils::adt::format;
use crate::utils::adt::ops::{self, can_coerce_implicitly};

pub use crate::utils::adt::agg::AggKind;

/// A built-in function's implementation.
type Imp = fn(&FnCtx, &[Value]) -> PgResult<Value>;

/// Who is running the statement (for current_user, pg_backend_pid, ...).
pub struct SessionInfo {
    /// current_user: the role privileges are checked as (SET ROLE changes
    /// it).
    pub user: String,
    /// Its OID.
    pub role: Oid,
    /// session_user (SET SESSION AUTHORIZATION changes it) and its OID.
    pub session_user: String,
    pub session_role: Oid,
    /// The role the client logged in as (who may use SET SESSION
    /// AUTHORIZATION: a superuser at login).
    pub authenticated_role: Oid,
    pub database: String,
    pub env: BackendEnv,
    /// currval/lastval state.
    pub sequences: RefCell<sequence::SeqSession>,
    /// The session's open SQL cursors, as `pg_cursors` shows them.
    pub cursors: Vec<CursorInfo>,
}

/// One open SQL cursor (a row of `pg_cursors`).
#[derive(Clone, Debug)]
pub struct CursorInfo {
    pub name: String,
    pub statement: String,
    pub holdable: bool,
    pub binary: bool,
    pub scrollable: bool,
    /// PostgreSQL epoch microseconds.
    pub created: i64,
}

impl SessionInfo {
    /// pg_backend_pid(): the slot's pid (the server's pid in thread mode).
    pub fn backend_pid(&self) -> i32 {
        let pid = self.env.slot.pid.load(std::sync::atomic::Ordering::Relaxed);
        if pid != 0 {
            pid
        } else {
            std::process::id() as i32
        }
    }
}

/// What a built-in function may read besides its arguments (PostgreSQL's
/// FunctionCallInfo and the backend globals it reaches): the session,
/// its settings, the statement's catalog and transaction.
#[derive(Clone, Copy)]
pub struct FnCtx<'a> {
    pub session: &'a SessionInfo,
    pub settings: &'a RefCell<Settings>,
    /// Transaction start (now()), PostgreSQL epoch microseconds.
    pub xact_start: i64,
    /// Statement start (statement_timestamp()).
    pub stmt_start: i64,
    /// The catalog the statement runs against.
    pub catalog: &'a std::sync::Arc<Catalog>,
    pub pool: BufferPool,
    /// The statement's transaction: snapshot, xid, waits.
    pub xact: &'a StmtXact,
}

/// One function signature.
pub struct FuncDef {
    pub name: &'static str,
    pub args: &'static [Oid],
    /// The last argument type repeats (VARIADIC).
    pub variadic: bool,
    pub ret: Oid,
    /// NULL in, NULL out without calling `imp`.
    pub strict: bool,
    /// Volatile: a new value on each call (random, clock_timestamp).
    pub volatile: bool,
    pub imp: Imp,
}

impl fmt::Debug for FuncDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", self.name, self.args)
    }
}

impl PartialEq for FuncDef {
    fn eq(&self, o: &FuncDef) -> bool {
        std::ptr::eq(self, o)
    }
}

pub(crate) const fn f(name: &'static str, args: &'static [Oid], ret: Oid, imp: Imp) -> FuncDef {
    FuncDef {
        name,
        args,
        variadic: false,
        ret,
        strict: true,
        volatile: false,
        imp,
    }
}

pub(crate) const fn nonstrict(mut d: FuncDef) -> FuncDef {
    d.strict = false;
    d
}

pub(crate) const fn volatile(mut d: FuncDef) -> FuncDef {
    d.volatile = true;
    d
}

pub(crate) const fn variadic(mut d: FuncDef) -> FuncDef {
    d.variadic = true;
    d.strict = false;
    d
}

use oid::{
    BOOL, BYTEA, DATE, FLOAT4, FLOAT8, INT2, INT4, INT8, INTERVAL, NAME, NUMERIC, TEXT, TIMESTAMP,
    TIMESTAMPTZ, VOID,
};

/// The tables of built-in functions: this file's, then one per module of
/// `fmgr` that adds a family of functions. Within a table, earlier entries
/// win ties in overload resolution.
static TABLES: &[&[FuncDef]] = &[
    FUNCS,
    arrays::ARRAY_FUNCS,
    catalog::CATALOG_FUNCS,
    timezone::TIMEZONE_FUNCS,
    json::JSON_FUNCS,
    jsonpath::JSONPATH_FUNCS,
    acl::ACL_FUNCS,
    sequence::SEQUENCE_FUNCS,
    advisory::ADVISORY_FUNCS,
    bitwise::BITWISE_FUNCS,
    network::NETWORK_FUNCS,
    macaddr::MACADDR_FUNCS,
    time::TIME_FUNCS,
    numeric::NUMERIC_FUNCS,
    encode::ENCODE_FUNCS,
    text_srf::TEXT_SRF_FUNCS,
    string::STRING_FUNCS,
    date_funcs::DATE_FUNCS,
    formatting::FORMATTING_FUNCS,
];

/// Every built-in function, in preference order for ties.
fn all_funcs() -> impl Iterator<Item = &'static FuncDef> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// This file's built-in functions.
static FUNCS: &[FuncDef] = &[
    // Session and server information.
    f("now", &[], TIMESTAMPTZ, |c, _| {
        Ok(Value::TimestampTz(c.xact_start))
    }),
    f("current_timestamp", &[], TIMESTAMPTZ, |c, _| {
        Ok(Value::TimestampTz(c.xact_start))
    }),
    f("transaction_timestamp", &[], TIMESTAMPTZ, |c, _| {
        Ok(Value::TimestampTz(c.xact_start))
    }),
    f("statement_timestamp", &[], TIMESTAMPTZ, |c, _| {
        Ok(Value::TimestampTz(c.stmt_start))
    }),
    volatile(f("clock_timestamp", &[], TIMESTAMPTZ, |_, _| {
        Ok(Value::TimestampTz(datetime::now_pg_usecs()))
    })),
    f("localtimestamp", &[], TIMESTAMP, |c, _| {
        Ok(Value::Timestamp(local_time(c.xact_start)))
    }),
    f("current_date", &[], DATE, |c, _| {
        Ok(Value::Date(
            local_time(c.xact_start).div_euclid(USECS_PER_DAY) as i32,
        ))
    }),
    f("version", &[], TEXT, |_, _| {
        Ok(Value::Text(version_string()))
    }),
    f("current_user", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.user.clone()))
    }),
    f("current_role", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.user.clone()))
    }),
    f("session_user", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.session_user.clone()))
    }),
    f("user", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.user.clone()))
    }),
    f("current_database", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.database.clone()))
    }),
    f("current_catalog", &[], NAME, |c, _| {
        Ok(Value::Text(c.session.database.clone()))
    }),
    // The search path (`catalog::namespace`): its first schema that
    // exists, NULL when none.
    f("current_schema", &[], NAME, |c, _| {
        Ok(c.catalog
            .explicit_search_path()
            .first()
            .and_then(|&n| c.catalog.namespace_name(n))
            .map_or(Value::Null, |n| Value::Text(n.to_owned())))
    }),
    // Transaction ids (txid_* and their PostgreSQL 13 names; the xid8
    // and pg_snapshot types are shown as int8 and text).
    volatile(f("txid_current", &[], INT8, |c, _| {
        Ok(Value::Int8(c.xact.mvcc.own.top as i64))
    })),
    volatile(f("pg_current_xact_id", &[], INT8, |c, _| {
        Ok(Value::Int8(c.xact.mvcc.own.top as i64))
    })),
    volatile(f("txid_current_if_assigned", &[], INT8, xid_if_assigned)),
    volatile(f(
        "pg_current_xact_id_if_assigned",
        &[],
        INT8,
        xid_if_assigned,
    )),
    volatile(f("txid_status", &[INT8], TEXT, xact_status)),
    volatile(f("pg_xact_status", &[INT8], TEXT, xact_status)),
    volatile(f("txid_current_snapshot", &[], TEXT, current_snapshot)),
    volatile(f("pg_current_snapshot", &[], TEXT, current_snapshot)),
    // Storage size of a table, index or sequence.
    volatile(f("pg_relation_size", &[oid::REGCLASS], INT8, |c, a| {
        let Value::Oid(o) = a[0] else {
            return Ok(Value::Null);
        };
        let rel = match c.catalog.table_by_oid(o) {
            Some(t) => t.rel(),
            None => match c.catalog.indexes.iter().find(|i| i.oid == o) {
                Some(i) => i.rel(),
                None if c.catalog.relation_name(o).is_some() => o,
                None => return Ok(Value::Null),
            },
        };
        Ok(Value::Int8(catalog::file_size(c, rel)?))
    })),
    // pgfork instrumentation.
    volatile(f("pgfork_stat_reset", &[], VOID, |c, _| {
        stat_reset(c);
        Ok(Value::Void)
    })),
    // Fault injection (crate::faults; needs --debug-faults).
    volatile(f("pgfork_debug_fault", &[TEXT], TEXT, |_, a| match &a[0] {
        Value::Text(kind) => crate::faults::request(kind).map(Value::Text),
        _ => Ok(Value::Null),
    })),
    // The search path (pg_catalog is always searched first).
    f("current_schemas", &[BOOL], oid::NAME_ARRAY, |c, a| {
        let path = if a[0] == Value::Bool(true) {
            c.catalog.search_path()
        } else {
            c.catalog.explicit_search_path()
        };
        let v = path
            .into_iter()
            .filter_map(|n| c.catalog.namespace_name(n))
            .map(|n| Value::Text(n.to_owned()))
            .collect();
        Ok(Value::Array(NAME, v))
    }),
    // Regular expressions (the ~ operators).
    f("textregexeq", &[TEXT, TEXT], BOOL, |_, a| {
        regex_eq(a, false)
    }),
    f("texticregexeq", &[TEXT, TEXT], BOOL, |_, a| {
        regex_eq(a, true)
    }),
    f("regexp_replace", &[TEXT, TEXT, TEXT], TEXT, |_, a| {
        crate::utils::adt::regex::sql_regexp_replace(a)
    }),
    f("regexp_replace", &[TEXT, TEXT, TEXT, TEXT], TEXT, |_, a| {
        crate::utils::adt::regex::sql_regexp_replace(a)
    }),
    f("regexp_match", &[TEXT, TEXT], oid::TEXT_ARRAY, |_, a| {
        crate::utils::adt::regex::sql_regexp_match(a)
    }),
    f(
        "regexp_match",
        &[TEXT, TEXT, TEXT],
        oid::TEXT_ARRAY,
        |_, a| crate::utils::adt::regex::sql_regexp_match(a),
    ),
    f("regexp_like", &[TEXT, TEXT], BOOL, |_, a| {
        crate::utils::adt::regex::sql_regexp_like(a)
    }),
    f("regexp_like", &[TEXT, TEXT, TEXT], BOOL, |_, a| {
        crate::utils::adt::regex::sql_regexp_like(a)
    }),
    f(
        "regexp_split_to_array",
        &[TEXT, TEXT],
        oid::TEXT_ARRAY,
        |_, a| crate::utils::adt::regex::sql_regexp_split_to_array(a),
    ),
    f(
        "regexp_split_to_array",
        &[TEXT, TEXT, TEXT],
        oid::TEXT_ARRAY,
        |_, a| crate::utils::adt::regex::sql_regexp_split_to_array(a),
    ),
    // substring(text from pattern).
    f("substring", &[TEXT, TEXT], TEXT, |_, a| {
        crate::utils::adt::regex::sql_substring(a)
    }),
    // Catalog helpers used by psql (more in `catalog`).
    f("pg_get_expr", &[TEXT, oid::OID], TEXT, |c, a| {
        Ok(match &a[0] {
            Value::Text(t) => Value::Text(catalog::display_regclass_literals(c.catalog, t)),
            v => v.clone(),
        })
    }),
    f("pg_get_expr", &[TEXT, oid::OID, BOOL], TEXT, |c, a| {
        Ok(match &a[0] {
            Value::Text(t) => Value::Text(catalog::display_regclass_literals(c.catalog, t)),
            v => v.clone(),
        })
    }),
    // WAL positions (the pg_lsn type is shown as text, "0/16B3748").
    volatile(f("pg_current_wal_lsn", &[], TEXT, |c, _| {
        Ok(Value::Text(shmem::wal::fmt_lsn(
            c.session.env.segment.wal().written(),
        )))
    })),
    volatile(f("pg_current_wal_insert_lsn", &[], TEXT, |c, _| {
        Ok(Value::Text(shmem::wal::fmt_lsn(
            c.session.env.segment.wal().insert_pos(),
        )))
    })),
    volatile(f("pg_current_wal_flush_lsn", &[], TEXT, |c, _| {
        Ok(Value::Text(shmem::wal::fmt_lsn(
            c.session.env.segment.wal().flushed(),
        )))
    })),
    f("pg_backend_pid", &[], INT4, |c, _| {
        Ok(Value::Int4(c.session.backend_pid()))
    }),
    volatile(f("pg_sleep", &[FLOAT8], VOID, pg_sleep)),
    // NOTIFY as a function (not strict: NULLs are refused by name).
    volatile(nonstrict(f("pg_notify", &[TEXT, TEXT], VOID, |c, a| {
        let channel = match &a[0] {
            Value::Null => String::new(),
            v => v.to_text(),
        };
        let payload = match &a[1] {
            Value::Null => String::new(),
            v => v.to_text(),
        };
        c.xact.notify.borrow_mut().notify(&channel, &payload)?;
        Ok(Value::Void)
    }))),
    volatile(f("pg_notification_queue_usage", &[], FLOAT8, |c, _| {
        Ok(Value::Float8(c.xact.segment.notify_queue().usage()))
    })),
    nonstrict(f("current_setting", &[TEXT], TEXT, |c, a| {
        current_setting(c, a)
    })),
    nonstrict(f("current_setting", &[TEXT, BOOL], TEXT, |c, a| {
        current_setting(c, a)
    })),
    volatile(nonstrict(f(
        "set_config",
        &[TEXT, TEXT, BOOL],
        TEXT,
        set_config,
    ))),
    // Strings.
    f("lower", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(s(&a[0]).to_lowercase()))
    }),
    f("upper", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(s(&a[0]).to_uppercase()))
    }),
    f("length", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4(s(&a[0]).chars().count() as i32))
    }),
    f("length", &[BYTEA], INT4, |_, a| {
        Ok(Value::Int4(bytes(&a[0]).len() as i32))
    }),
    f("char_length", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4(s(&a[0]).chars().count() as i32))
    }),
    f("character_length", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4(s(&a[0]).chars().count() as i32))
    }),
    f("octet_length", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4(s(&a[0]).len() as i32))
    }),
    f("substr", &[TEXT, INT4], TEXT, substr),
    f("substr", &[TEXT, INT4, INT4], TEXT, substr),
    f("substring", &[TEXT, INT4], TEXT, substr),
    f("substring", &[TEXT, INT4, INT4], TEXT, substr),
    f("strpos", &[TEXT, TEXT], INT4, |_, a| {
        Ok(Value::Int4(strpos(s(&a[0]), s(&a[1]))))
    }),
    f("position", &[TEXT, TEXT], INT4, |_, a| {
        Ok(Value::Int4(strpos(s(&a[1]), s(&a[0]))))
    }),
    f("replace", &[TEXT, TEXT, TEXT], TEXT, |_, a| {
        let (x, from, to) = (s(&a[0]), s(&a[1]), s(&a[2]));
        Ok(Value::Text(if from.is_empty() {
            x.to_owned()
        } else {
            x.replace(from, to)
        }))
    }),
    f("btrim", &[TEXT], TEXT, |_, a| trim(a, true, true)),
    f("btrim", &[TEXT, TEXT], TEXT, |_, a| trim(a, true, true)),
    f("trim", &[TEXT], TEXT, |_, a| trim(a, true, true)),
    f("trim", &[TEXT, TEXT], TEXT, |_, a| trim(a, true, true)),
    f("ltrim", &[TEXT], TEXT, |_, a| trim(a, true, false)),
    f("ltrim", &[TEXT, TEXT], TEXT, |_, a| trim(a, true, false)),
    f("rtrim", &[TEXT], TEXT, |_, a| trim(a, false, true)),
    f("rtrim", &[TEXT, TEXT], TEXT, |_, a| trim(a, false, true)),
    // concat, concat_ws and format take "any": each value is printed by
    // its type's output function (true is "t"), NULLs skipped.
    variadic(nonstrict(f("concat", &[oid::ANY], TEXT, |_, a| {
        Ok(Value::Text(
            a.iter()
                .filter(|v| !v.is_null())
                .map(Value::to_text)
                .collect(),
        ))
    }))),
    variadic(nonstrict(f(
        "concat_ws",
        &[TEXT, oid::ANY],
        TEXT,
        |_, a| {
            let Value::Text(sep) = &a[0] else {
                return Ok(Value::Null);
            };
            let parts: Vec<String> = a[1..]
                .iter()
                .filter(|v| !v.is_null())
                .map(Value::to_text)
                .collect();
            Ok(Value::Text(parts.join(sep)))
        },
    ))),
    nonstrict(f("format", &[TEXT], TEXT, |_, a| match &a[0] {
        Value::Text(fmt) => Ok(Value::Text(format::format(fmt, &[])?)),
        _ => Ok(Value::Null),
    })),
    variadic(nonstrict(f(
        "format",
        &[TEXT, oid::ANY],
        TEXT,
        |_, a| match &a[0] {
            Value::Text(fmt) => Ok(Value::Text(format::format(fmt, &a[1..])?)),
            _ => Ok(Value::Null),
        },
    ))),
    f("left", &[TEXT, INT4], TEXT, |_, a| {
        Ok(Value::Text(left_right(s(&a[0]), int(&a[1]), true)))
    }),
    f("right", &[TEXT, INT4], TEXT, |_, a| {
        Ok(Value::Text(left_right(s(&a[0]), int(&a[1]), false)))
    }),
    f("repeat", &[TEXT, INT4], TEXT, |_, a| {
        let n = int(&a[1]).max(0) as usize;
        if s(&a[0]).len().saturating_mul(n) > MAX_TEXT_BYTES {
            return Err(length_too_large());
        }
        Ok(Value::Text(repeat_interruptible(s(&a[0]), n)?))
    }),
    f("reverse", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(s(&a[0]).chars().rev().collect()))
    }),
    f("lpad", &[TEXT, INT4], TEXT, |_, a| {
        Ok(Value::Text(pad(s(&a[0]), int(&a[1]), " ", true)?))
    }),
    f("lpad", &[TEXT, INT4, TEXT], TEXT, |_, a| {
        Ok(Value::Text(pad(s(&a[0]), int(&a[1]), s(&a[2]), true)?))
    }),
    f("rpad", &[TEXT, INT4], TEXT, |_, a| {
        Ok(Value::Text(pad(s(&a[0]), int(&a[1]), " ", false)?))
    }),
    f("rpad", &[TEXT, INT4, TEXT], TEXT, |_, a| {
        Ok(Value::Text(pad(s(&a[0]), int(&a[1]), s(&a[2]), false)?))
    }),
    f("initcap", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(initcap(s(&a[0]))))
    }),
    f("starts_with", &[TEXT, TEXT], BOOL, |_, a| {
        Ok(Value::Bool(s(&a[0]).starts_with(s(&a[1]))))
    }),
    f("split_part", &[TEXT, TEXT, INT4], TEXT, split_part),
    f("ascii", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4(s(&a[0]).chars().next().map_or(0, |c| c as i32)))
    }),
    f("chr", &[INT4], TEXT, |_, a| {
        let c = char::from_u32(int(&a[0]) as u32)
            .filter(|c| *c != '\0')
            .ok_or_else(|| {
                PgError::new(
                    sqlstate::PROGRAM_LIMIT_EXCEEDED,
                    "requested character too large for encoding",
                )
            })?;
        Ok(Value::Text(c.to_string()))
    }),
    // Math.
    f("abs", &[INT2], INT2, |_, a| abs(&a[0])),
    f("abs", &[INT4], INT4, |_, a| abs(&a[0])),
    f("abs", &[INT8], INT8, |_, a| abs(&a[0])),
    f("abs", &[FLOAT4], FLOAT4, |_, a| abs(&a[0])),
    f("abs", &[FLOAT8], FLOAT8, |_, a| abs(&a[0])),
    f("abs", &[NUMERIC], NUMERIC, |_, a| abs(&a[0])),
    f("round", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).round_ties_even()))
    }),
    f("round", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).round(0)?))
    }),
    f("round", &[NUMERIC, INT4], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).round(int(&a[1]) as i32)?))
    }),
    f("trunc", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).trunc()))
    }),
    f("trunc", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).trunc(0)?))
    }),
    f("trunc", &[NUMERIC, INT4], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).trunc(int(&a[1]) as i32)?))
    }),
    f("ceil", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).ceil()))
    }),
    f("ceil", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).ceil()?))
    }),
    f("ceiling", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).ceil()))
    }),
    f("ceiling", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).ceil()?))
    }),
    f("floor", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).floor()))
    }),
    f("floor", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).floor()?))
    }),
    f("mod", &[INT2, INT2], INT2, |_, a| {
        ops::arith(ops::BinOp::Mod, &a[0], &a[1])
    }),
    f("mod", &[INT4, INT4], INT4, |_, a| {
        ops::arith(ops::BinOp::Mod, &a[0], &a[1])
    }),
    f("mod", &[INT8, INT8], INT8, |_, a| {
        ops::arith(ops::BinOp::Mod, &a[0], &a[1])
    }),
    f("mod", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        ops::arith(ops::BinOp::Mod, &a[0], &a[1])
    }),
    f("sqrt", &[FLOAT8], FLOAT8, |_, a| {
        let x = fl(&a[0]);
        if x < 0.0 {
            return Err(PgError::new(
                "2201F",
                "cannot take square root of a negative number",
            ));
        }
        Ok(Value::Float8(x.sqrt()))
    }),
    f("sqrt", &[NUMERIC], NUMERIC, numeric_sqrt),
    f("cbrt", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).cbrt()))
    }),
    f("power", &[FLOAT8, FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(ops::pow_f64(fl(&a[0]), fl(&a[1]))?))
    }),
    f("power", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(crate::types::numeric::math::power(
            &num(&a[0]),
            &num(&a[1]),
        )?))
    }),
    f("pow", &[FLOAT8, FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(ops::pow_f64(fl(&a[0]), fl(&a[1]))?))
    }),
    f("pow", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(crate::types::numeric::math::power(
            &num(&a[0]),
            &num(&a[1]),
        )?))
    }),
    f("exp", &[FLOAT8], FLOAT8, |_, a| {
        let r = fl(&a[0]).exp();
        if r.is_infinite() && fl(&a[0]).is_finite() {
            return Err(PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "value out of range: overflow",
            ));
        }
        Ok(Value::Float8(r))
    }),
    f("ln", &[FLOAT8], FLOAT8, |_, a| log_f64(fl(&a[0]), f64::ln)),
    f("log", &[FLOAT8], FLOAT8, |_, a| {
        log_f64(fl(&a[0]), f64::log10)
    }),
    f("log10", &[FLOAT8], FLOAT8, |_, a| {
        log_f64(fl(&a[0]), f64::log10)
    }),
    f("sign", &[FLOAT8], FLOAT8, |_, a| {
        let x = fl(&a[0]);
        Ok(Value::Float8(if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        }))
    }),
    f("sign", &[NUMERIC], NUMERIC, |_, a| {
        let n = num(&a[0]);
        Ok(Value::Numeric(if n.is_nan() {
            Numeric::NaN
        } else {
            Numeric::from_i64(n.signum() as i64)
        }))
    }),
    f("pi", &[], FLOAT8, |_, _| {
        Ok(Value::Float8(std::f64::consts::PI))
    }),
    f("degrees", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).to_degrees()))
    }),
    f("radians", &[FLOAT8], FLOAT8, |_, a| {
        Ok(Value::Float8(fl(&a[0]).to_radians()))
    }),
    volatile(f("gen_random_uuid", &[], oid::UUID, |_, _| {
        Ok(Value::Uuid(crate::types::uuid::random_v4()))
    })),
    volatile(f("random", &[], FLOAT8, |_, _| {
        Ok(Value::Float8(random_f64()))
    })),
    volatile(f("setseed", &[FLOAT8], VOID, setseed)),
    // Date and time.
    f("date_part", &[TEXT, TIMESTAMPTZ], FLOAT8, |_, a| {
        Ok(Value::Float8(extract(s(&a[0]), &a[1])?.to_f64()))
    }),
    f("date_part", &[TEXT, TIMESTAMP], FLOAT8, |_, a| {
        Ok(Value::Float8(extract(s(&a[0]), &a[1])?.to_f64()))
    }),
    f("date_part", &[TEXT, INTERVAL], FLOAT8, |_, a| {
        Ok(Value::Float8(extract(s(&a[0]), &a[1])?.to_f64()))
    }),
    f("extract", &[TEXT, TIMESTAMPTZ], NUMERIC, |_, a| {
        Ok(Value::Numeric(extract(s(&a[0]), &a[1])?))
    }),
    f("extract", &[TEXT, TIMESTAMP], NUMERIC, |_, a| {
        Ok(Value::Numeric(extract(s(&a[0]), &a[1])?))
    }),
    f("extract", &[TEXT, DATE], NUMERIC, |_, a| {
        Ok(Value::Numeric(extract(s(&a[0]), &a[1])?))
    }),
    f("extract", &[TEXT, INTERVAL], NUMERIC, |_, a| {
        Ok(Value::Numeric(extract(s(&a[0]), &a[1])?))
    }),
    f("date_trunc", &[TEXT, TIMESTAMPTZ], TIMESTAMPTZ, |_, a| {
        Ok(Value::TimestampTz(date_trunc_tz(
            s(&a[0]),
            ts(&a[1]),
            &session_zone(),
        )?))
    }),
    f(
        "date_trunc",
        &[TEXT, TIMESTAMPTZ, TEXT],
        TIMESTAMPTZ,
        |_, a| {
            let zone = tz_types::lookup(s(&a[2]))?;
            Ok(Value::TimestampTz(date_trunc_tz(
                s(&a[0]),
                ts(&a[1]),
                &zone,
            )?))
        },
    ),
    f("date_trunc", &[TEXT, TIMESTAMP], TIMESTAMP, |_, a| {
        Ok(Value::Timestamp(date_trunc(s(&a[0]), ts(&a[1]))?))
    }),
    f("to_timestamp", &[FLOAT8], TIMESTAMPTZ, |_, a| {
        let secs = fl(&a[0]);
        let us = (secs * 1e6).round() - datetime::UNIX_TO_PG_USECS as f64;
        if !us.is_finite() || us.abs() > 9.2e18 {
            return Err(PgError::new(
                sqlstate::DATETIME_FIELD_OVERFLOW,
                "timestamp out of range",
            ));
        }
        Ok(Value::TimestampTz(us as i64))
    }),
];

/// The session's local time of an instant.
fn local_time(t: i64) -> i64 {
    tz_types::with_session(|tz| tz_types::utc_to_local(tz, t))
}

/// version()'s text.
pub fn version_string() -> String {
    format!(
        "PostgreSQL 15.0 (pgfork {}) on {}-pc-linux-gnu, compiled by rustc, {}-bit",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        usize::BITS
    )
}

fn s(v: &Value) -> &str {
    match v {
        Value::Text(t) => t,
        _ => "",
    }
}

fn bytes(v: &Value) -> &[u8] {
    match v {
        Value::Bytea(b) => b,
        _ => &[],
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int2(x) => *x as i64,
        Value::Int4(x) => *x as i64,
        Value::Int8(x) => *x,
        _ => 0,
    }
}

fn fl(v: &Value) -> f64 {
    match v {
        Value::Float8(x) => *x,
        Value::Float4(x) => *x as f64,
        _ => f64::NAN,
    }
}

fn num(v: &Value) -> Numeric {
    match v {
        Value::Numeric(n) => n.clone(),
        _ => Numeric::NaN,
    }
}

fn ts(v: &Value) -> i64 {
    match v {
        Value::Timestamp(t) | Value::TimestampTz(t) => *t,
        Value::Date(d) => *d as i64 * USECS_PER_DAY,
        _ => 0,
    }
}

fn abs(v: &Value) -> PgResult<Value> {
    Ok(match v {
        Value::Int2(x) => Value::Int2(x.checked_abs().ok_or_else(|| ops::int_out_of_range(INT2))?),
        Value::Int4(x) => Value::Int4(x.checked_abs().ok_or_else(|| ops::int_out_of_range(INT4))?),
        Value::Int8(x) => Value::Int8(x.checked_abs().ok_or_else(|| ops::int_out_of_range(INT8))?),
        Value::Float4(x) => Value::Float4(x.abs()),
        Value::Float8(x) => Value::Float8(x.abs()),
        Value::Numeric(n) => Value::Numeric(n.abs()),
        v => v.clone(),
    })
}

fn log_f64(x: f64, imp: fn(f64) -> f64) -> PgResult<Value> {
    if x == 0.0 {
        return Err(PgError::new("2201E", "cannot take logarithm of zero"));
    }
    if x < 0.0 {
        return Err(PgError::new(
            "2201E",
            "cannot take logarithm of a negative number",
        ));
    }
    Ok(Value::Float8(imp(x)))
}

/// sqrt(numeric) with PostgreSQL's result scale.
fn numeric_sqrt(_: &FnCtx, a: &[Value]) -> PgResult<Value> {
    Ok(Value::Numeric(crate::types::numeric::math::sqrt(&num(
        &a[0]
    ))?))
}

/// substr(s, start [, count]) in characters, as PostgreSQL's text_substr.
fn substr(_: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let chars: Vec<char> = s(&a[0]).chars().collect();
    let start = int(&a[1]);
    let end = match a.get(2) {
        Some(c) => {
            let c = int(c);
            if c < 0 {
                return Err(PgError::new(
                    "22011",
                    "negative substring length not allowed",
                ));
            }
            start.saturating_add(c)
        }
        None => i64::MAX,
    };
    let from = (start.max(1) - 1) as usize;
    let to = (end.max(1) - 1).min(chars.len() as i64) as usize;
    Ok(Value::Text(if from >= to {
        String::new()
    } else {
        chars[from..to].iter().collect()
    }))
}

/// 1-based character position of `needle` in `hay`, 0 when absent.
fn strpos(hay: &str, needle: &str) -> i32 {
    match hay.find(needle) {
        Some(b) => hay[..b].chars().count() as i32 + 1,
        None => 0,
    }
}

fn trim(a: &[Value], leading: bool, trailing: bool) -> PgResult<Value> {
    let set: Vec<char> = match a.get(1) {
        Some(v) => s(v).chars().collect(),
        None => vec![' '],
    };
    let mut t = s(&a[0]);
    if leading {
        t = t.trim_start_matches(|c| set.contains(&c));
    }
    if trailing {
        t = t.trim_end_matches(|c| set.contains(&c));
    }
    Ok(Value::Text(t.to_owned()))
}

fn left_right(t: &str, n: i64, left: bool) -> String {
    let chars: Vec<char> = t.chars().collect();
    let len = chars.len() as i64;
    let take = if n >= 0 { n.min(len) } else { (len + n).max(0) } as usize;
    if left {
        chars[..take].iter().collect()
    } else {
        chars[chars.len() - take..].iter().collect()
    }
}

/// The longest text a function builds (PostgreSQL's MaxAllocSize).
const MAX_TEXT_BYTES: usize = 1 << 30;

/// Bytes copied between two interrupt checks while building a long text.
const TEXT_CHUNK_BYTES: usize = 1 << 16;

/// 54000 "requested length too large" (repeat, lpad, rpad).
fn length_too_large() -> PgError {
    PgError::new(
        sqlstate::PROGRAM_LIMIT_EXCEEDED,
        "requested length too large",
    )
}

/// `n` copies of `t`, about [`TEXT_CHUNK_BYTES`] at a time with an
/// interrupt check after each chunk (a gigabyte takes a good part of a
/// second). The caller checks the length.
fn repeat_interruptible(t: &str, n: usize) -> PgResult<String> {
    if t.is_empty() || n == 0 {
        return Ok(String::new());
    }
    let per_chunk = (TEXT_CHUNK_BYTES / t.len()).clamp(1, n);
    let chunk = t.repeat(per_chunk);
    let mut out = String::with_capacity(t.len() * n);
    for _ in 0..n / per_chunk {
        out.push_str(&chunk);
        crate::interrupts::check_for_interrupts_now()?;
    }
    for _ in 0..n % per_chunk {
        out.push_str(t);
    }
    Ok(out)
}

fn pad(t: &str, len: i64, fill: &str, left: bool) -> PgResult<String> {
    let chars: Vec<char> = t.chars().collect();
    let len = len.max(0) as usize;
    if chars.len() >= len || fill.is_empty() {
        return Ok(chars[..len.min(chars.len())].iter().collect());
    }
    // The padding: whole copies of `fill`, then the start of one more.
    let need = len - chars.len();
    let fill_chars = fill.chars().count();
    let tail: String = fill.chars().take(need % fill_chars).collect();
    let bytes = (need / fill_chars)
        .saturating_mul(fill.len())
        .saturating_add(tail.len())
        .saturating_add(t.len());
    if bytes > MAX_TEXT_BYTES {
        return Err(length_too_large());
    }
    let mut padding = repeat_interruptible(fill, need / fill_chars)?;
    padding.push_str(&tail);
    Ok(if left {
        padding.push_str(t);
        padding
    } else {
        let mut out = String::with_capacity(bytes);
        out.push_str(t);
        out.push_str(&padding);
        out
    })
}

fn initcap(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut prev_alnum = false;
    for c in t.chars() {
        if prev_alnum {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_alnum = c.is_alphanumeric();
    }
    out
}

fn split_part(_: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let (t, delim, n) = (s(&a[0]), s(&a[1]), int(&a[2]));
    if n == 0 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "field position must not be zero",
        ));
    }
    let parts: Vec<&str> = if delim.is_empty() {
        vec![t]
    } else {
        t.split(delim).collect()
    };
    let idx = if n > 0 { n - 1 } else { parts.len() as i64 + n };
    Ok(Value::Text(
        usize::try_from(idx)
            .ok()
            .and_then(|i| parts.get(i))
            .copied()
            .unwrap_or("")
            .to_owned(),
    ))
}

fn pg_sleep(_: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let secs = fl(&a[0]);
    if secs > 0.0 && secs.is_finite() {
        crate::interrupts::sleep_interruptible(Duration::from_secs_f64(secs.min(1e9)))?;
    }
    Ok(Value::Void)
}

fn current_setting(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let Value::Text(name) = &a[0] else {
        return Ok(Value::Null);
    };
    let missing_ok = matches!(a.get(1), Some(Value::Bool(true)));
    match c.settings.borrow().get(name) {
        Ok(Some(v)) => Ok(Value::Text(v)),
        Ok(None) if missing_ok => Ok(Value::Null),
        Err(_) if missing_ok => Ok(Value::Null),
        Ok(None) => Err(crate::utils::settings::unrecognized(name)),
        Err(e) => Err(e),
    }
}

fn set_config(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let Value::Text(name) = &a[0] else {
        return Err(PgError::new("22004", "SET requires parameter name"));
    };
    let value = match &a[1] {
        Value::Text(v) => Some(v.as_str()),
        _ => None,
    };
    let local = matches!(a[2], Value::Bool(true));
    let mut settings = c.settings.borrow_mut();
    settings.set(name, value, local)?;
    Ok(settings.get(name)?.map(Value::Text).unwrap_or(Value::Null))
}

thread_local! {
    /// The state of random(): per thread, seeded from the clock and thread
    /// until setseed() sets it. A session owns its thread's state in
    /// process, prefork and thread mode; pool mode's carriers move it with
    /// the session ([`take_random_state`], [`restore_random_state`]).
    /// 0 until the first random() of the session on this thread seeds it.
    static RANDOM_STATE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn fresh_random_state() -> u64 {
    let t = shmem::time::monotonic_ns();
    let id = std::process::id() as u64;
    (t ^ (id << 32) ^ (&t as *const u64 as u64)) | 1
}

/// Pool mode: takes the calling thread's random() state for the session
/// being put down, leaving the thread none (so the next session started
/// on it seeds its own and does not repeat this one's sequence). No
/// system call: this runs each time a carrier puts a session down.
pub fn take_random_state() -> u64 {
    RANDOM_STATE.with(|st| st.replace(0))
}

/// Pool mode: installs a session's random() state on the calling thread
/// (0: the session has not seeded one yet).
pub fn restore_random_state(state: u64) {
    RANDOM_STATE.with(|st| st.set(state));
}

/// A float in [0, 1) from the session's xorshift generator.
fn random_f64() -> f64 {
    RANDOM_STATE.with(|st| {
        let mut x = st.get();
        if x == 0 {
            x = fresh_random_state();
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        st.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// setseed(x), x in [-1, 1]: random() repeats its sequence after the same
/// seed (not PostgreSQL's sequence: its generator differs).
fn setseed(_: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let x = fl(&a[0]);
    if !(-1.0..=1.0).contains(&x) {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("setseed parameter {x} is out of allowed range [-1,1]"),
        ));
    }
    // splitmix64 of the seed's bits: nearby seeds give unrelated states.
    let mut z = x.to_bits().wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    RANDOM_STATE.with(|st| st.set((z ^ (z >> 31)) | 1));
    Ok(Value::Void)
}

fn secs6_128(us: i128) -> PgResult<Numeric> {
    Ok(Numeric::Finite { mant: us, scale: 6 })
}

/// EXTRACT(field FROM value) as numeric (PostgreSQL 14+).
pub fn extract(field: &str, v: &Value) -> PgResult<Numeric> {
    let field = field.to_ascii_lowercase();
    let secs6 = |us: i64| -> PgResult<Numeric> {
        Ok(Numeric::Finite {
            mant: us as i128,
            scale: 6,
        })
    };
    let unsupported = |t: &str| {
        PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("unit \"{field}\" not supported for type {t}"),
        )
    };
    if let Value::Interval(iv) = v {
        let secs_total = iv.micros;
        return match field.as_str() {
            // 365.25 days per year, 30 per month, as PostgreSQL.
            "epoch" => secs6_128(
                (iv.months / 12) as i128 * 31_557_600_000_000
                    + (iv.months % 12) as i128 * 2_592_000_000_000
                    + iv.days as i128 * 86_400_000_000
                    + secs_total as i128,
            ),
            "year" | "years" => Ok(Numeric::from_i64((iv.months / 12) as i64)),
            "month" | "months" | "mon" => Ok(Numeric::from_i64((iv.months % 12) as i64)),
            "day" | "days" => Ok(Numeric::from_i64(iv.days as i64)),
            "hour" | "hours" => Ok(Numeric::from_i64(secs_total / 3_600_000_000)),
            "minute" | "minutes" => Ok(Numeric::from_i64((secs_total / 60_000_000) % 60)),
            "second" | "seconds" => secs6(secs_total % 60_000_000),
            "millisecond" | "milliseconds" => Ok(Numeric::Finite {
                mant: (secs_total % 60_000_000) as i128,
                scale: 3,
            }),
            "microsecond" | "microseconds" => Ok(Numeric::from_i64(secs_total % 60_000_000)),
            _ => Err(unsupported("interval")),
        };
    }
    let (t, is_date) = match v {
        Value::Date(d) => (*d as i64 * USECS_PER_DAY, true),
        _ => (ts(v), false),
    };
    // A timestamptz's fields are those of its local time in the session's
    // zone; its epoch is the instant's.
    let utc = t;
    let zone_offset = match v {
        Value::TimestampTz(x) => Some(tz_types::with_session(|tz| tz_types::offset_at(tz, *x))),
        _ => None,
    };
    let t = t + zone_offset.unwrap_or(0) as i64 * USECS_PER_SEC;
    let days = t.div_euclid(USECS_PER_DAY);
    let tod = t.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let int = |x: i64| Ok(Numeric::from_i64(x));
    match field.as_str() {
        "epoch" if is_date => int((days + UNIX_TO_PG_DAYS) * 86400),
        "epoch" => Ok(Numeric::Finite {
            mant: (utc + datetime::UNIX_TO_PG_USECS) as i128,
            scale: 6,
        }),
        "year" | "years" => int(if y <= 0 { y - 1 } else { y }),
        "month" | "months" | "mon" => int(m as i64),
        "day" | "days" => int(d as i64),
        "quarter" => int((m as i64 - 1) / 3 + 1),
        "decade" => int(y.div_euclid(10)),
        "century" => int(if y > 0 {
            (y + 99) / 100
        } else {
            -((99 - (y - 1)) / 100)
        }),
        "dow" => int((days + 6).rem_euclid(7)),
        "isodow" => int((days + 5).rem_euclid(7) + 1),
        "doy" => int(days + UNIX_TO_PG_DAYS - datetime::days_from_civil(y, 1, 1) + 1),
        _ if is_date => Err(unsupported("date")),
        "hour" | "hours" => int(tod / 3_600_000_000),
        "minute" | "minutes" => int((tod / 60_000_000) % 60),
        "second" | "seconds" => secs6(tod % 60_000_000),
        "millisecond" | "milliseconds" => Ok(Numeric::Finite {
            mant: (tod % 60_000_000) as i128,
            scale: 3,
        }),
        "microsecond" | "microseconds" => int(tod % 60_000_000),
        "timezone" | "timezone_hour" | "timezone_minute" if zone_offset.is_some() => {
            let o = zone_offset.unwrap_or(0) as i64;
            int(match field.as_str() {
                "timezone" => o,
                "timezone_hour" => o / 3600,
                _ => o / 60 % 60,
            })
        }
        _ if zone_offset.is_some() => Err(unsupported(type_name(oid::TIMESTAMPTZ))),
        _ => Err(unsupported(type_name(oid::TIMESTAMP))),
    }
}

/// date_trunc(field, timestamptz) in a zone (the session's, or the
/// third argument's): the local time truncated, then read back in the
/// zone; units of a day or more resolve the offset anew (a DST change
/// between), smaller ones keep the value's own.
pub fn date_trunc_tz(field: &str, t: i64, zone: &tz_types::ZoneSpec) -> PgResult<i64> {
    if t == i64::MAX || t == i64::MIN {
        return Ok(t);
    }
    let off = zone.offset_at(t) as i64 * USECS_PER_SEC;
    let local = date_trunc(field, t + off).map_err(|e| {
        PgError::new(
            e.code,
            e.message.replace("without time zone", "with time zone"),
        )
    })?;
    let small = matches!(
        trunc_unit(field),
        "microseconds" | "milliseconds" | "second" | "minute" | "hour"
    );
    Ok(if small {
        local - off
    } else {
        local - zone.offset_for_local(local) as i64 * USECS_PER_SEC
    })
}

/// The session's zone as a [`tz_types::ZoneSpec`].
pub fn session_zone() -> tz_types::ZoneSpec {
    tz_types::with_session(|tz| tz_types::ZoneSpec::Rules(tz.clone()))
}

/// The unit a date_trunc or extract field names (PostgreSQL's DecodeUnits
/// spellings), or "" when it names none.
fn trunc_unit(field: &str) -> &'static str {
    match field.to_ascii_lowercase().as_str() {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => "microseconds",
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => "milliseconds",
        "second" | "seconds" | "s" | "sec" | "secs" => "second",
        "minute" | "minutes" | "m" | "min" | "mins" => "minute",
        "hour" | "hours" | "h" | "hr" | "hrs" => "hour",
        "day" | "days" | "d" => "day",
        "week" | "weeks" | "w" => "week",
        "month" | "months" | "mon" | "mons" => "month",
        "quarter" | "qtr" => "quarter",
        "year" | "years" | "y" | "yr" | "yrs" => "year",
        "decade" | "decades" | "dec" | "decs" => "decade",
        "century" | "centuries" | "c" | "cent" => "century",
        "millennium" | "millennia" | "mil" | "mils" => "millennium",
        "epoch" => "epoch",
        "dow" => "dow",
        "doy" => "doy",
        "isodow" => "isodow",
        "isoyear" => "isoyear",
        "timezone" => "timezone",
        "timezone_hour" => "timezone_hour",
        "timezone_minute" => "timezone_minute",
        "julian" => "julian",
        _ => "",
    }
}

/// date_trunc(field, ts).
fn date_trunc(field: &str, t: i64) -> PgResult<i64> {
    if t == i64::MAX || t == i64::MIN {
        return Ok(t);
    }
    let days = t.div_euclid(USECS_PER_DAY);
    let tod = t.rem_euclid(USECS_PER_DAY);
    let (y, m, _) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let from_ymd =
        |y: i64, m: u32| (datetime::days_from_civil(y, m, 1) - UNIX_TO_PG_DAYS) * USECS_PER_DAY;
    Ok(match trunc_unit(field) {
        "microseconds" => t,
        "milliseconds" => t - t.rem_euclid(1000),
        "second" => t - t.rem_euclid(USECS_PER_SEC),
        "minute" => t - t.rem_euclid(60 * USECS_PER_SEC),
        "hour" => t - t.rem_euclid(3600 * USECS_PER_SEC),
        "day" => t - tod,
        "week" => (days - (days + 5).rem_euclid(7)) * USECS_PER_DAY,
        "month" => from_ymd(y, m),
        "quarter" => from_ymd(y, (m - 1) / 3 * 3 + 1),
        "year" => from_ymd(y, 1),
        "decade" => from_ymd(y - y.rem_euclid(10), 1),
        "century" => from_ymd(y - (y - 1).rem_euclid(100), 1),
        "millennium" => from_ymd(y - (y - 1).rem_euclid(1000), 1),
        f => {
            // A field extract knows is unsupported here; anything else
            // is not a unit at all.
            let (code, what) = if f.is_empty() {
                (sqlstate::INVALID_PARAMETER_VALUE, "not recognized")
            } else {
                (sqlstate::FEATURE_NOT_SUPPORTED, "not supported")
            };
            return Err(PgError::new(
                code,
                format!("unit \"{field}\" {what} for type timestamp without time zone"),
            ));
        }
    })
}

fn regex_eq(a: &[Value], case_insensitive: bool) -> PgResult<Value> {
    let (Value::Text(s), Value::Text(p)) = (&a[0], &a[1]) else {
        return Ok(Value::Null);
    };
    let re = crate::utils::adt::regex::Regex::new(p, case_insensitive)?;
    Ok(Value::Bool(re.is_match_interruptible(s)?))
}

/// The sequence a regclass argument names: (relation, name).
/// Functions that give the transaction an xid if it has none.
pub fn assigns_xid(def: &FuncDef) -> bool {
    // nextval and setval, as PostgreSQL's: the transaction's commit
    // record then flushes the WAL of the sequence's page change.
    matches!(
        def.name,
        "txid_current" | "pg_current_xact_id" | "nextval" | "setval"
    )
}

fn xid_if_assigned(c: &FnCtx, _: &[Value]) -> PgResult<Value> {
    Ok(match c.xact.mvcc.own.top {
        0 => Value::Null,
        x => Value::Int8(x as i64),
    })
}

/// 'committed', 'aborted' or 'in progress', as PostgreSQL's
/// pg_xact_status.
fn xact_status(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    use shmem::xact::XidStatus;
    let Value::Int8(x) = a[0] else {
        return Ok(Value::Null);
    };
    let procs = c.xact.procs();
    let clog = procs.clog();
    let next = clog.next_xid() as i64;
    if x >= next || x < 0 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("transaction ID {x} is in the future"),
        ));
    }
    if x < shmem::xact::FIRST_NORMAL_XID as i64 {
        return Ok(Value::Text("committed".into()));
    }
    let xid = x as u32;
    let status = match clog.status(xid) {
        XidStatus::Committed if procs.is_running(xid) => "in progress",
        XidStatus::Committed => "committed",
        XidStatus::Aborted => "aborted",
        XidStatus::InProgress => "in progress",
    };
    Ok(Value::Text(status.into()))
}

/// The statement's snapshot as PostgreSQL prints a pg_snapshot:
/// `xmin:xmax:xip,...`.
fn current_snapshot(c: &FnCtx, _: &[Value]) -> PgResult<Value> {
    let s = &c.xact.mvcc.snapshot;
    let xip: Vec<String> = s.xip.iter().map(u32::to_string).collect();
    Ok(Value::Text(format!(
        "{}:{}:{}",
        s.xmin,
        s.xmax,
        xip.join(",")
    )))
}

/// Whether any function has this name (to tell "function does not
/// exist" from a column reference in the analyzer).
pub fn exists(name: &str) -> bool {
    all_funcs().any(|d| d.name == name)
}

/// The cost of passing a `from` value as a `to` parameter; None when it
/// cannot be passed implicitly.
pub fn arg_cost(from: Oid, to: Oid) -> Option<u32> {
    if from == to {
        return Some(0);
    }
    if from == oid::UNKNOWN {
        // Unknown literals prefer string parameters.
        return Some(if category(to) == 'S' { 1 } else { 2 });
    }
    // A row constructor converts to a row type (coerce_record_to_complex).
    if from == oid::RECORD && crate::types::composite::by_oid(to).is_some() {
        return Some(4);
    }
    if !can_coerce_implicitly(from, to) {
        return None;
    }
    Some(
        if is_preferred(to) || category(from) == category(to) && category(to) == 'S' {
            3
        } else {
            4
        },
    )
}

/// Chooses the function `name` for arguments of types `args`, as
/// PostgreSQL's func_select_candidate would among these candidates.
pub fn resolve(name: &str, args: &[Oid]) -> PgResult<&'static FuncDef> {
    resolve_call(name, args).map(|(d, _)| d)
}

/// [`resolve`], with the types to coerce the arguments to (a polymorphic
/// signature's made concrete: `fmgr::polymorphic`).
pub fn resolve_call(name: &str, args: &[Oid]) -> PgResult<(&'static FuncDef, Vec<Oid>)> {
    let mut best: Option<(u32, &'static FuncDef, Vec<Oid>)> = None;
    for d in all_funcs().filter(|d| d.name == name) {
        let params: Vec<Oid> = if d.variadic {
            // At least one value for the variadic parameter.
            if args.len() < d.args.len() {
                continue;
            }
            let last = *d.args.last().unwrap_or(&oid::TEXT);
            (0..args.len())
                .map(|i| *d.args.get(i).unwrap_or(&last))
                .collect()
        } else {
            if d.args.len() != args.len() {
                continue;
            }
            d.args.to_vec()
        };
        // "any": each argument keeps its type (an untyped literal is text).
        let params: Vec<Oid> = params
            .iter()
            .zip(args)
            .map(|(&p, &a)| match p {
                oid::ANY if a == oid::UNKNOWN => oid::TEXT,
                oid::ANY => a,
                p => p,
            })
            .collect();
        let Some(params) = polymorphic::concrete_params(&params, args) else {
            continue;
        };
        // A polymorphic parameter costs more than an exact one.
        let poly = d
            .args
            .iter()
            .filter(|t| crate::types::array::is_polymorphic(**t))
            .count() as u32;
        let cost: Option<u32> = args
            .iter()
            .zip(&params)
            .map(|(a, p)| arg_cost(*a, *p))
            .sum();
        if let Some(c) = cost.map(|c| c + poly) {
            if best.as_ref().is_none_or(|(b, _, _)| c < *b) {
                best = Some((c, d, params));
            }
        }
    }
    best.map(|(_, d, p)| (d, p))
        .ok_or_else(|| no_function(name, args))
}

/// 42883 "function foo(integer) does not exist".
pub fn no_function(name: &str, args: &[Oid]) -> PgError {
    let list: Vec<&str> = args.iter().map(|t| type_name(*t)).collect();
    PgError::new(
        sqlstate::UNDEFINED_FUNCTION,
        format!("function {}({}) does not exist", name, list.join(", ")),
    )
    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

/// The parameter types of a resolved function for `n` arguments.
pub fn param_types(d: &FuncDef, n: usize) -> Vec<Oid> {
    let last = *d.args.last().unwrap_or(&oid::TEXT);
    (0..n).map(|i| *d.args.get(i).unwrap_or(&last)).collect()
}

/// pgfork_stat_reset(): zeroes the latency histograms and wait counters.
pub fn stat_reset(ctx: &FnCtx) {
    let seg = &ctx.session.env.segment;
    shmem::latency::LatencyStats::get(seg).reset();
    shmem::waitstats::discard_unflushed();
    shmem::waitstats::reset(seg);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Interval;

    #[test]
    fn overloads_resolve_like_postgres() {
        assert_eq!(resolve("sqrt", &[oid::INT4]).unwrap().ret, oid::FLOAT8);
        assert_eq!(resolve("sqrt", &[oid::NUMERIC]).unwrap().ret, oid::NUMERIC);
        assert_eq!(resolve("abs", &[oid::INT4]).unwrap().ret, oid::INT4);
        assert_eq!(
            resolve("round", &[oid::NUMERIC, oid::INT4]).unwrap().ret,
            oid::NUMERIC
        );
        assert_eq!(
            resolve("mod", &[oid::INT4, oid::INT8]).unwrap().ret,
            oid::INT8
        );
        assert_eq!(
            resolve("length", &[oid::UNKNOWN]).unwrap().args,
            &[oid::TEXT]
        );
        assert_eq!(
            resolve("concat", &[oid::TEXT, oid::TEXT, oid::TEXT])
                .unwrap()
                .name,
            "concat"
        );
        let e = resolve("lower", &[oid::INT4]).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("42883", "function lower(integer) does not exist")
        );
    }

    #[test]
    fn string_helpers() {
        assert_eq!(strpos("hello", "ll"), 3);
        assert_eq!(left_right("hello", -2, true), "hel");
        assert_eq!(pad("hi", 5, "ab", true).unwrap(), "abahi");
        assert_eq!(pad("hello", 3, " ", false).unwrap(), "hel");
        assert_eq!(initcap("hello wORLD"), "Hello World");
    }

    #[test]
    fn extract_fields() {
        let t = datetime::parse_timestamp("2026-11-27 03:28:47.5", false).unwrap();
        let v = Value::Timestamp(t);
        assert_eq!(extract("year", &v).unwrap().to_string(), "2026");
        assert_eq!(extract("second", &v).unwrap().to_string(), "47.500000");
        assert_eq!(extract("dow", &v).unwrap().to_string(), "5");
        assert_eq!(
            extract("epoch", &Value::Timestamp(0)).unwrap().to_string(),
            "946684800.000000"
        );
        let iv = Value::Interval(Interval {
            months: 0,
            days: 1,
            micros: 1_500_000,
        });
        assert_eq!(extract("epoch", &iv).unwrap().to_string(), "86401.500000");
    }
}
