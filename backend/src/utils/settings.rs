//! Run-time settings (PostgreSQL's GUCs): their definitions and defaults,
//! validation and canonical spelling of new values, session and
//! transaction-local layers, and the GUC_REPORT parameters the protocol
//! reports with ParameterStatus.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::env::ServerConfig;
use crate::error::{sqlstate, PgError, PgResult};

/// 55P02 cant_change_runtime_param.
const CANT_CHANGE_RUNTIME_PARAM: &str = "55P02";

/// Who may change a setting, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Fixed at build time (server_version): never settable.
    Internal,
    /// Fixed at server start (max_connections, port).
    Postmaster,
    /// Settable with SET by anybody.
    User,
}

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Bool,
    /// Integer with range and unit.
    Int {
        min: i64,
        max: i64,
        unit: Unit,
    },
    Enum(&'static [&'static str]),
    String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    None,
    Ms,
    Kb,
}

/// One setting's definition.
pub struct Def {
    pub name: &'static str,
    pub kind: Kind,
    pub context: Context,
    /// Reported to the client with ParameterStatus (GUC_REPORT).
    pub report: bool,
    pub description: &'static str,
}

const fn def(
    name: &'static str,
    kind: Kind,
    context: Context,
    report: bool,
    description: &'static str,
) -> Def {
    Def {
        name,
        kind,
        context,
        report,
        description,
    }
}

const ISOLATION: &[&str] = &[
    "serializable",
    "repeatable read",
    "read committed",
    "read uncommitted",
];
const MS: Kind = Kind::Int {
    min: 0,
    max: i32::MAX as i64,
    unit: Unit::Ms,
};

/// Every setting pgfork knows, in SHOW ALL order (alphabetical).
pub static DEFS: &[Def] = &[
    def("application_name", Kind::String, Context::User, true, "Sets the application name to be reported in statistics and logs."),
    def("block_size", Kind::Int { min: 8192, max: 8192, unit: Unit::None }, Context::Internal, false, "Shows the size of a disk block."),
    def("bytea_output", Kind::Enum(&["escape", "hex"]), Context::User, false, "Sets the output format for bytea."),
    // pgfork has no CREATE FUNCTION: no function body to check, so on
    // and off (pg_dump's setting) behave alike.
    def("check_function_bodies", Kind::Bool, Context::User, false, "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE."),
    def("client_encoding", Kind::String, Context::User, true, "Sets the client's character set encoding."),
    def("client_min_messages", Kind::Enum(&["debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"]), Context::User, false, "Sets the message levels that are sent to the client."),
    def("DateStyle", Kind::String, Context::User, true, "Sets the display format for date and time values."),
    def("deadlock_timeout", MS, Context::User, false, "Sets the time to wait on a lock before checking for deadlock."),
    def("default_statistics_target", Kind::Int { min: 1, max: 10000, unit: Unit::None }, Context::User, false, "Sets the default statistics target."),
    // Only pg_default exists: '' (pg_default) is the one value.
    def("default_tablespace", Kind::Enum(&["", "pg_default"]), Context::User, false, "Sets the default tablespace to create tables and indexes in."),
    def("default_transaction_deferrable", Kind::Bool, Context::User, false, "Sets the default deferrable status of new transactions."),
    // heap is the only table access method (pg_am), so the only value.
    def("default_table_access_method", Kind::String, Context::User, false, "Sets the default table access method for new tables."),
    def("default_transaction_isolation", Kind::Enum(ISOLATION), Context::User, false, "Sets the transaction isolation level of each new transaction."),
    def("default_transaction_read_only", Kind::Bool, Context::User, true, "Sets the default read-only status of new transactions."),
    def("extra_float_digits", Kind::Int { min: -15, max: 3, unit: Unit::None }, Context::User, false, "Sets the number of digits displayed for floating-point values."),
    def("from_collapse_limit", Kind::Int { min: 1, max: i32::MAX as i64, unit: Unit::None }, Context::User, false, "Sets the FROM-list size beyond which subqueries are not collapsed."),
    def("geqo_threshold", Kind::Int { min: 2, max: i32::MAX as i64, unit: Unit::None }, Context::User, false, "Sets the threshold of FROM items beyond which GEQO is used."),
    def("idle_in_transaction_session_timeout", MS, Context::User, false, "Sets the maximum allowed idle time between queries, when in a transaction."),
    def("idle_session_timeout", MS, Context::User, false, "Sets the maximum allowed idle time between queries, when not in a transaction."),
    def("in_hot_standby", Kind::Bool, Context::Internal, true, "Shows whether hot standby is currently active."),
    def("integer_datetimes", Kind::Bool, Context::Internal, true, "Shows whether datetimes are integer based."),
    def("IntervalStyle", Kind::Enum(&["postgres", "postgres_verbose", "sql_standard", "iso_8601"]), Context::User, true, "Sets the display format for interval values."),
    def("is_superuser", Kind::Bool, Context::Internal, true, "Shows whether the current user is a superuser."),
    def("jit", Kind::Bool, Context::User, false, "Allow JIT compilation."),
    def("join_collapse_limit", Kind::Int { min: 1, max: i32::MAX as i64, unit: Unit::None }, Context::User, false, "Sets the FROM-list size beyond which JOIN constructs are not flattened."),
    def("lock_timeout", MS, Context::User, false, "Sets the maximum allowed duration of any wait for a lock."),
    def("maintenance_work_mem", Kind::Int { min: 1024, max: i32::MAX as i64, unit: Unit::Kb }, Context::User, false, "Sets the maximum memory to be used for maintenance operations."),
    def("max_connections", Kind::Int { min: 1, max: 262_143, unit: Unit::None }, Context::Postmaster, false, "Sets the maximum number of concurrent connections."),
    def("max_stack_depth", Kind::Int { min: 100, max: i32::MAX as i64, unit: Unit::Kb }, Context::User, false, "Sets the maximum stack depth, in kilobytes."),
    def("max_identifier_length", Kind::Int { min: 63, max: 63, unit: Unit::None }, Context::Internal, false, "Shows the maximum identifier length."),
    def("max_index_keys", Kind::Int { min: 32, max: 32, unit: Unit::None }, Context::Internal, false, "Shows the maximum number of index keys."),
    def("pgfork.debug_fault", Kind::Enum(crate::faults::NAMES), Context::User, false, "Makes this session fail on purpose, for tests (only on a server started with --debug-faults)."),
    def("pgfork.mode", Kind::Enum(&["process", "thread"]), Context::Postmaster, false, "Shows how the server runs backends: one process or one thread per client."),
    def("pgfork.plan_cache_literals", Kind::Bool, Context::User, false, "Lets the statement cache keep a simple-protocol statement by its text with its literals taken out, for statements differing only in literals whose plan does not depend on them."),
    def("pgfork.plan_cache_size", Kind::Int { min: 0, max: 100_000, unit: Unit::None }, Context::User, false, "Sets how many simple-protocol statements this session keeps parsed and planned (0 turns the statement cache off)."),
    def("pgfork.statement_mem", Kind::Int { min: 64, max: i32::MAX as i64, unit: Unit::Kb }, Context::User, false, "Sets the most memory one statement's sorts, hash tables and buffered rows may hold (beyond it the statement fails with 53200)."),
    def("port", Kind::Int { min: 1, max: 65535, unit: Unit::None }, Context::Postmaster, false, "Sets the TCP port the server listens on."),
    // No row-level security policies exist, so no query is ever affected
    // by one: off (pg_dump's setting) and on behave alike.
    def("row_security", Kind::Bool, Context::User, false, "Enable row security."),
    def("search_path", Kind::String, Context::User, false, "Sets the schema search order for names that are not schema-qualified."),
    def("server_encoding", Kind::String, Context::Internal, true, "Shows the server (database) character set encoding."),
    def("server_version", Kind::String, Context::Internal, true, "Shows the server version."),
    def("server_version_num", Kind::Int { min: 150000, max: 150000, unit: Unit::None }, Context::Internal, false, "Shows the server version as an integer."),
    def("session_authorization", Kind::String, Context::Internal, true, "Sets the session user name."),
    def("shared_buffers", Kind::Int { min: 0, max: i32::MAX as i64, unit: Unit::Kb }, Context::Postmaster, false, "Sets the number of shared memory buffers used by the server."),
    def("standard_conforming_strings", Kind::Bool, Context::User, true, "Causes '...' strings to treat backslashes literally."),
    def("statement_timeout", MS, Context::User, false, "Sets the maximum allowed duration of any statement."),
    // Sequential scans always start at the first block: what off asks,
    // and what on (a permission to start elsewhere) allows.
    def("synchronize_seqscans", Kind::Bool, Context::User, false, "Enable synchronized sequential scans."),
    def("synchronous_commit", Kind::Enum(&["local", "remote_write", "remote_apply", "on", "off"]), Context::User, false, "Sets the current transaction's synchronization level."),
    def("TimeZone", Kind::String, Context::User, true, "Sets the time zone for displaying and interpreting time stamps."),
    def("transaction_deferrable", Kind::Bool, Context::User, false, "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures."),
    def("transaction_isolation", Kind::Enum(ISOLATION), Context::User, false, "Sets the current transaction's isolation level."),
    def("transaction_read_only", Kind::Bool, Context::User, false, "Sets the current transaction's read-only status."),
    def("work_mem", Kind::Int { min: 64, max: i32::MAX as i64, unit: Unit::Kb }, Context::User, false, "Sets the maximum memory to be used for query workspaces."),
    // pgfork has no xml type: either value changes nothing.
    def("xmloption", Kind::Enum(&["content", "document"]), Context::User, false, "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments."),
];

/// The definition of `name` (case-insensitive; `datestyle`, `timezone`).
pub fn lookup(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

pub fn unrecognized(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("unrecognized configuration parameter \"{name}\""),
    )
}

fn invalid_value(name: &str, value: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

/// Memory in kB as PostgreSQL shows it: the largest unit that divides it.
fn format_kb(kb: i64) -> String {
    if kb == 0 {
        return "0".into();
    }
    for (unit, n) in [("TB", 1i64 << 30), ("GB", 1 << 20), ("MB", 1 << 10)] {
        if kb % n == 0 {
            return format!("{}{}", kb / n, unit);
        }
    }
    format!("{kb}kB")
}

/// Milliseconds as PostgreSQL shows them ("5s", "1min", "250ms").
fn format_ms(ms: i64) -> String {
    if ms == 0 {
        return "0".into();
    }
    for (unit, n) in [
        ("d", 86_400_000i64),
        ("h", 3_600_000),
        ("min", 60_000),
        ("s", 1000),
    ] {
        if ms % n == 0 {
            return format!("{}{}", ms / n, unit);
        }
    }
    format!("{ms}ms")
}

/// Parses `123`, `5s`, `4MB`... into the setting's base unit.
fn parse_with_unit(v: &str, unit: Unit) -> Option<i64> {
    let t = v.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+' || c == '.'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match (unit, suffix.trim()) {
        (_, "") => 1.0,
        (Unit::Ms, "us") => 0.001,
        (Unit::Ms, "ms") => 1.0,
        (Unit::Ms, "s") => 1000.0,
        (Unit::Ms, "min") => 60_000.0,
        (Unit::Ms, "h") => 3_600_000.0,
        (Unit::Ms, "d") => 86_400_000.0,
        (Unit::Kb, "B") => 1.0 / 1024.0,
        (Unit::Kb, "kB") => 1.0,
        (Unit::Kb, "MB") => 1024.0,
        (Unit::Kb, "GB") => 1024.0 * 1024.0,
        (Unit::Kb, "TB") => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let r = (n * mult).round();
    (r.is_finite() && r.abs() < 9e18).then_some(r as i64)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Some(true),
        "off" | "false" | "no" | "0" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// Validates `value` for `def` and returns its canonical spelling.
/// max_stack_depth may not exceed this thread's stack less the guard zone
/// (PostgreSQL's check against the platform's stack limit).
fn check_stack_depth_setting(kb: i64) -> PgResult<()> {
    match crate::stack::max_allowed_kb() {
        Some(max) if kb > max as i64 => Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("\"max_stack_depth\" must not exceed {max}kB."),
        )
        .with_hint(
            "Increase the platform's stack depth limit via \"ulimit -s\" or local equivalent.",
        )),
        _ => Ok(()),
    }
}

pub fn canonicalize(def: &Def, value: &str) -> PgResult<String> {
    let name = def.name;
    match def.kind {
        Kind::Bool => {
            let b = parse_bool(value).ok_or_else(|| {
                PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("parameter \"{name}\" requires a Boolean value"),
                )
            })?;
            if name == "standard_conforming_strings" && !b {
                return Err(PgError::not_supported(
                    "non-standard-conforming strings (standard_conforming_strings = off)",
                ));
            }
            Ok(if b { "on" } else { "off" }.into())
        }
        Kind::Int { min, max, unit } => {
            let n = parse_with_unit(value, unit).ok_or_else(|| invalid_value(name, value))?;
            if name == "max_stack_depth" {
                check_stack_depth_setting(n)?;
            }
            if n < min || n > max {
                return Err(PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!(
                        "{n} is outside the valid range for parameter \"{name}\" ({min} .. {max})"
                    ),
                ));
            }
            Ok(match unit {
                Unit::None => n.to_string(),
                Unit::Ms => format_ms(n),
                Unit::Kb => format_kb(n),
            })
        }
        Kind::Enum(vals) => {
            let v = value.trim().to_ascii_lowercase();
            let v = vals
                .iter()
                .find(|x| **x == v)
                .map(|x| x.to_string())
                .ok_or_else(|| {
                    invalid_value(name, value)
                        .with_hint(format!("Available values: {}.", vals.join(", ")))
                })?;
            if name == "pgfork.debug_fault" {
                crate::faults::check_setting(&v)?;
            }
            Ok(v)
        }
        Kind::String => match name {
            "DateStyle" => canonical_datestyle(value, crate::types::datestyle::DEFAULT_DATESTYLE),
            "TimeZone" => canonical_timezone(value),
            // Any name or alias PostgreSQL knows, cleaned as it cleans
            // them ('utf-8' quoted, as asyncpg sends it, is UTF8); pgfork
            // converts no encodings, so only UTF8 is accepted.
            "client_encoding" => match crate::utils::encoding::by_name(value) {
                Some((_, "UTF8")) => Ok("UTF8".into()),
                Some((_, other)) => Err(PgError::not_supported(format!(
                    "client encoding \"{other}\" (only UTF8)"
                ))
                .with_detail("pgfork converts no encodings.")),
                None => Err(invalid_value(name, value)),
            },
            "application_name" => Ok(clean_name(value)),
            // pg_am's rows: heap (table) and btree (index).
            "default_table_access_method" => match value {
                "heap" => Ok(value.to_owned()),
                "" => Err(invalid_value(name, value)
                    .with_detail("default_table_access_method cannot be empty.")),
                "btree" => Err(PgError::new(
                    sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "access method \"btree\" is not of type TABLE",
                )),
                _ => Err(invalid_value(name, value)
                    .with_detail(format!("Table access method \"{value}\" does not exist."))),
            },
            _ => Ok(value.to_owned()),
        },
    }
}

/// Kilobytes of a memory setting's canonical value ("4MB", "64kB").
pub fn parse_kb(v: &str) -> Option<i64> {
    parse_with_unit(v, Unit::Kb)
}

/// Milliseconds of a duration setting's canonical value ("5s", "100ms").
pub fn parse_ms(v: &str) -> Option<u64> {
    parse_with_unit(v, Unit::Ms).and_then(|n| u64::try_from(n).ok())
}

/// application_name: printable ASCII only, at most 63 bytes (as PG).
fn clean_name(v: &str) -> String {
    v.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .take(63)
        .collect()
}

/// DateStyle: `v` applied over `current` (a value may give only the
/// style or only the order; `types::datestyle`).
fn canonical_datestyle(v: &str, current: &str) -> PgResult<String> {
    crate::types::datestyle::canonical_datestyle(v, current)
        .map_err(|e| invalid_value("DateStyle", v).with_detail(e.detail()))
}

/// TimeZone: a name from the tz database, a POSIX string or a number of
/// hours, in its canonical spelling (`types::timezone`).
fn canonical_timezone(v: &str) -> PgResult<String> {
    crate::types::timezone::parse_setting(v)
        .map(|(name, _)| name)
        .ok_or_else(|| invalid_value("TimeZone", v))
}

/// The two overlays a transaction may have to restore.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    session: BTreeMap<String, String>,
    local: BTreeMap<String, String>,
}

/// A fresh generation stamp, never handed out before in this process.
fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A session's settings: reset values (defaults, server configuration
/// and startup options), SET values and SET LOCAL values.
pub struct Settings {
    /// The reset values of the server's configuration, the same for every
    /// session of this process and so shared ([`server_defaults`]).
    defaults: Arc<BTreeMap<String, String>>,
    /// The session's own reset values, over `defaults`: startup packet
    /// parameters, session_authorization, is_superuser.
    reset: BTreeMap<String, String>,
    layers: Snapshot,
    /// GUC_REPORT values last reported to the client.
    reported: BTreeMap<&'static str, String>,
    /// Stamped from [`next_generation`] by every change, so that the
    /// per-statement checks (what to report, what to push to the session)
    /// cost nothing when nothing changed. Stamps are unique in the
    /// process, not per `Settings`: a pre-forked backend's engine serves
    /// one session after another, and a new session's settings must never
    /// look already synced because its own count reached the old one's.
    generation: u64,
    /// `generation` when `reported` was last brought up to date.
    reported_generation: u64,
}

/// The reset values of `config`: the built-in defaults and what the
/// server's configuration sets. Built once per configuration in a process
/// and shared by its sessions (about 5 kB each otherwise, most of an idle
/// pooled session's settings).
fn server_defaults(config: &ServerConfig) -> Arc<BTreeMap<String, String>> {
    /// What of the configuration the defaults depend on.
    type Key = (usize, &'static str, u16, usize, bool);
    type Defaults = Arc<BTreeMap<String, String>>;
    static BUILT: Mutex<Option<(Key, Defaults)>> = Mutex::new(None);
    let key: Key = (
        config.max_connections,
        config.mode_name(),
        config.port,
        config.shared_buffers,
        config.synchronous_commit,
    );
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    match &*built {
        Some((k, m)) if *k == key => m.clone(),
        _ => {
            let m = Arc::new(build_defaults(config));
            *built = Some((key, m.clone()));
            m
        }
    }
}

fn build_defaults(config: &ServerConfig) -> BTreeMap<String, String> {
    let mut reset = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        reset.insert(k.to_owned(), v);
    };
    put("application_name", String::new());
    put("block_size", "8192".into());
    put("bytea_output", "hex".into());
    put("check_function_bodies", "on".into());
    put("client_encoding", "UTF8".into());
    put("client_min_messages", "notice".into());
    put("DateStyle", "ISO, MDY".into());
    put("deadlock_timeout", "1s".into());
    put("default_statistics_target", "100".into());
    put("default_tablespace", String::new());
    put("default_transaction_deferrable", "off".into());
    put("default_table_access_method", "heap".into());
    put("default_transaction_isolation", "read committed".into());
    put("default_transaction_read_only", "off".into());
    put("extra_float_digits", "1".into());
    put("from_collapse_limit", "8".into());
    put("geqo_threshold", "12".into());
    put("idle_in_transaction_session_timeout", "0".into());
    put("idle_session_timeout", "0".into());
    put("in_hot_standby", "off".into());
    put("integer_datetimes", "on".into());
    put("IntervalStyle", "postgres".into());
    put("is_superuser", "on".into());
    put("jit", "off".into());
    put("join_collapse_limit", "8".into());
    put("lock_timeout", "0".into());
    put("maintenance_work_mem", "64MB".into());
    put("max_connections", config.max_connections.to_string());
    put("max_identifier_length", "63".into());
    put("max_index_keys", "32".into());
    put("max_stack_depth", "2MB".into());
    put("pgfork.debug_fault", "none".into());
    put("pgfork.mode", config.mode_name().into());
    put("pgfork.plan_cache_literals", "on".into());
    put("pgfork.plan_cache_size", "256".into());
    put("pgfork.statement_mem", "1GB".into());
    put("port", config.port.to_string());
    put("row_security", "on".into());
    put("search_path", "\"$user\", public".into());
    put("server_encoding", "UTF8".into());
    put("server_version", "15.0".into());
    put("server_version_num", "150000".into());
    put("session_authorization", String::new());
    put(
        "shared_buffers",
        format_kb((config.shared_buffers / 1024) as i64),
    );
    put("standard_conforming_strings", "on".into());
    put("statement_timeout", "0".into());
    put("synchronize_seqscans", "on".into());
    put(
        "synchronous_commit",
        if config.synchronous_commit {
            "on"
        } else {
            "off"
        }
        .into(),
    );
    put("TimeZone", "UTC".into());
    put("transaction_deferrable", "off".into());
    put("transaction_isolation", "read committed".into());
    put("transaction_read_only", "off".into());
    put("work_mem", "4MB".into());
    put("xmloption", "content".into());
    reset
}

impl Settings {
    pub fn new(config: &ServerConfig) -> Settings {
        Settings {
            defaults: server_defaults(config),
            reset: BTreeMap::new(),
            layers: Snapshot::default(),
            reported: BTreeMap::new(),
            generation: next_generation(),
            reported_generation: 0,
        }
    }

    /// Sets a reset value at session start (startup packet parameters,
    /// `-c name=value` options). Internal settings cannot be set.
    pub fn set_startup(&mut self, name: &str, value: &str) -> PgResult<()> {
        self.generation = next_generation();
        let Some(def) = lookup(name) else {
            // A custom `prefix.name` (a placeholder, as PostgreSQL keeps
            // one for a module not loaded).
            if name.contains('.') {
                self.reset
                    .insert(name.to_ascii_lowercase(), value.to_owned());
                return Ok(());
            }
            return Err(unrecognized(name));
        };
        if def.context != Context::User {
            return Err(cant_change(def));
        }
        let v = canonicalize(def, value)?;
        self.reset.insert(def.name.to_owned(), v);
        Ok(())
    }

    /// Records the session user (session_authorization).
    pub fn set_session_user(&mut self, user: &str) {
        self.generation = next_generation();
        self.reset
            .insert("session_authorization".into(), user.to_owned());
    }

    /// Records whether the current role is a superuser (is_superuser).
    pub fn set_superuser(&mut self, superuser: bool) {
        self.generation = next_generation();
        self.reset.insert(
            "is_superuser".into(),
            if superuser { "on" } else { "off" }.into(),
        );
    }

    /// Canonical name of a known or custom (`prefix.name`) setting.
    fn key(name: &str) -> PgResult<String> {
        match lookup(name) {
            Some(d) => Ok(d.name.to_owned()),
            None if name.contains('.') => Ok(name.to_ascii_lowercase()),
            None => Err(unrecognized(name)),
        }
    }

    /// The current value (SHOW, current_setting). `None` for an unknown
    /// custom setting.
    pub fn get(&self, name: &str) -> PgResult<Option<String>> {
        let key = Settings::key(name)?;
        if let Some(v) = self.layers.local.get(&key) {
            return Ok(Some(v.clone()));
        }
        // A transaction's characteristics default to the session's.
        if let Some(default) = key.strip_prefix("transaction_") {
            return self.get(&format!("default_transaction_{default}"));
        }
        Ok(self
            .layers
            .session
            .get(&key)
            .or_else(|| self.reset_value(&key))
            .cloned())
    }

    /// The reset value of canonical `key`: the session's own, else the
    /// server's.
    fn reset_value(&self, key: &str) -> Option<&String> {
        self.reset.get(key).or_else(|| self.defaults.get(key))
    }

    /// SHOW's column name for `name`: the setting's canonical name.
    pub fn display_name(name: &str) -> String {
        lookup(name)
            .map(|d| d.name.to_owned())
            .unwrap_or_else(|| name.to_ascii_lowercase())
    }

    /// SET [SESSION | LOCAL] name = value. `None` resets (SET ... DEFAULT).
    pub fn set(&mut self, name: &str, value: Option<&str>, local: bool) -> PgResult<()> {
        self.generation = next_generation();
        let key = Settings::key(name)?;
        let v = match (lookup(&key), value) {
            (Some(def), _) if def.context != Context::User => return Err(cant_change(def)),
            (_, None) => None,
            (Some(def), Some(v)) if def.name == "DateStyle" => {
                let current = self.get(def.name)?.unwrap_or_default();
                Some(canonical_datestyle(v, &current)?)
            }
            (Some(def), Some(v)) => Some(canonicalize(def, v)?),
            (None, Some(v)) => Some(v.to_owned()),
        };
        let v = match v {
            Some(v) => v,
            None => match self.reset_value(&key) {
                Some(r) => r.clone(),
                None => {
                    self.layers.local.remove(&key);
                    self.layers.session.remove(&key);
                    return Ok(());
                }
            },
        };
        if local {
            self.layers.local.insert(key, v);
        } else {
            self.layers.local.remove(&key);
            self.layers.session.insert(key, v);
        }
        Ok(())
    }

    /// Sets a transaction-scoped value without the user-context check
    /// (transaction_isolation from BEGIN ISOLATION LEVEL).
    pub fn set_local_internal(&mut self, name: &str, value: &str) {
        self.generation = next_generation();
        self.layers.local.insert(name.to_owned(), value.to_owned());
    }

    /// RESET ALL.
    pub fn reset_all(&mut self) {
        self.generation = next_generation();
        self.layers.session.clear();
        self.layers.local.clear();
    }

    /// Every setting with its value and description (SHOW ALL).
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = DEFS
            .iter()
            .map(|d| {
                (
                    d.name.to_owned(),
                    self.get(d.name).ok().flatten().unwrap_or_default(),
                    d.description.to_owned(),
                )
            })
            .collect();
        out.sort_by_key(|(n, _, _)| n.to_ascii_lowercase());
        out
    }

    pub fn snapshot(&self) -> Snapshot {
        self.layers.clone()
    }

    pub fn restore(&mut self, s: Snapshot) {
        // Restoring what is there changes nothing (a ROLLBACK of a block
        // that set nothing keeps the settings, and what depends on them:
        // the session's statement cache).
        if self.layers != s {
            self.generation = next_generation();
        }
        self.layers = s;
    }

    /// End of a transaction: SET LOCAL values go away.
    pub fn end_transaction(&mut self) {
        if !self.layers.local.is_empty() {
            self.generation = next_generation();
            self.layers.local.clear();
        }
    }

    /// Changes with every change of any value.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// All GUC_REPORT settings and values (ParameterStatus after startup).
    pub fn report_all(&mut self) -> Vec<(String, String)> {
        self.reported.clear();
        self.reported_generation = 0;
        self.take_changes()
    }

    /// GUC_REPORT settings whose value differs from what was reported.
    pub fn take_changes(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.reported_generation == self.generation {
            return out;
        }
        self.reported_generation = self.generation;
        for d in DEFS.iter().filter(|d| d.report) {
            let v = self.get(d.name).ok().flatten().unwrap_or_default();
            if self.reported.get(d.name) != Some(&v) {
                self.reported.insert(d.name, v.clone());
                out.push((d.name.to_owned(), v));
            }
        }
        out
    }
}

/// Checks `name = value` for ALTER ROLE/DATABASE ... SET (PostgreSQL's
/// validation of a pg_db_role_setting entry): the name must be a setting
/// a session may change or a custom `prefix.name`, the value one it
/// accepts. Returns the name as stored: a known setting's canonical
/// spelling (`TimeZone`), a custom one as given.
pub fn check_stored(name: &str, value: Option<&str>) -> PgResult<String> {
    match lookup(name) {
        Some(def) if def.context != Context::User => Err(cant_change(def)),
        Some(def) => {
            if let Some(v) = value {
                canonicalize(def, v)?;
            }
            Ok(def.name.to_owned())
        }
        None if name.contains('.') => Ok(name.to_owned()),
        None => Err(unrecognized(name)),
    }
}

/// Whether a setting takes a list (GUC_LIST_INPUT: SET name TO a, b), and
/// whether its list items are identifiers quoted when stored
/// (GUC_LIST_QUOTE).
pub fn list_kind(name: &str) -> (bool, bool) {
    match lookup(name).map(|d| d.name) {
        Some("search_path") => (true, true),
        Some("DateStyle") => (true, false),
        _ => (false, false),
    }
}

fn cant_change(def: &Def) -> PgError {
    let msg = match def.context {
        Context::Postmaster => format!(
            "parameter \"{}\" cannot be changed without restarting the server",
            def.name
        ),
        _ => format!("parameter \"{}\" cannot be changed", def.name),
    };
    PgError::new(CANT_CHANGE_RUNTIME_PARAM, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ServerConfig {
        crate::env::ServerConfig::for_tests(shmem::ExecMode::Thread)
    }

    #[test]
    fn defaults_and_canonical_values() {
        let mut s = Settings::new(&config());
        assert_eq!(s.get("datestyle").unwrap().unwrap(), "ISO, MDY");
        assert_eq!(s.get("shared_buffers").unwrap().unwrap(), "128MB");
        assert_eq!(s.get("pgfork.mode").unwrap().unwrap(), "thread");
        s.set("statement_timeout", Some("5000"), false).unwrap();
        assert_eq!(s.get("statement_timeout").unwrap().unwrap(), "5s");
        s.set("work_mem", Some("8192kB"), false).unwrap();
        assert_eq!(s.get("work_mem").unwrap().unwrap(), "8MB");
        s.set("DateStyle", Some("iso, dmy"), false).unwrap();
        assert_eq!(s.get("DateStyle").unwrap().unwrap(), "ISO, DMY");
        assert_eq!(Settings::display_name("timezone"), "TimeZone");
    }

    /// A pre-forked backend syncs each new session's settings by
    /// generation: a second session whose settings saw as many changes as
    /// the first's must still look changed.
    #[test]
    fn generations_are_never_reused() {
        let mut first = Settings::new(&config());
        first.set_startup("TimeZone", "UTC").unwrap();
        let synced = first.generation();
        let mut second = Settings::new(&config());
        second.set_startup("TimeZone", "Europe/Paris").unwrap();
        assert_ne!(second.generation(), synced);
        let before = second.generation();
        second.set("TimeZone", Some("Asia/Tokyo"), false).unwrap();
        assert_ne!(second.generation(), before);
    }

    #[test]
    fn errors_have_postgres_codes() {
        let mut s = Settings::new(&config());
        assert_eq!(s.get("nope").unwrap_err().code, "42704");
        assert_eq!(
            s.set("server_version", Some("1"), false).unwrap_err().code,
            "55P02"
        );
        assert_eq!(
            s.set("extra_float_digits", Some("9"), false)
                .unwrap_err()
                .code,
            "22023"
        );
        assert_eq!(
            s.set("jit", Some("maybe"), false).unwrap_err().code,
            "22023"
        );
        assert_eq!(s.get("my.custom").unwrap(), None);
        s.set("my.custom", Some("x"), false).unwrap();
        assert_eq!(s.get("My.Custom").unwrap().unwrap(), "x");
    }

    #[test]
    fn local_and_snapshots() {
        let mut s = Settings::new(&config());
        let snap = s.snapshot();
        s.set("application_name", Some("a"), false).unwrap();
        s.set("application_name", Some("b"), true).unwrap();
        assert_eq!(s.get("application_name").unwrap().unwrap(), "b");
        s.end_transaction();
        assert_eq!(s.get("application_name").unwrap().unwrap(), "a");
        s.restore(snap);
        assert_eq!(s.get("application_name").unwrap().unwrap(), "");
    }

    #[test]
    fn reports_only_changes() {
        let mut s = Settings::new(&config());
        assert!(s
            .report_all()
            .iter()
            .any(|(k, v)| k == "TimeZone" && v == "UTC"));
        assert!(s.take_changes().is_empty());
        s.set("application_name", Some("x"), false).unwrap();
        assert_eq!(
            s.take_changes(),
            vec![("application_name".into(), "x".into())]
        );
    }
}
