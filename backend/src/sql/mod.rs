//! SQL: the session's engine. A query string is parsed (`parser`) into
//! statements; `prepare` analyzes one (`analyze`, `coerce`, `functions`)
//! and plans it (`plan`), or classifies it as a utility command
//! (`utility`: SET/SHOW/transaction control); `execute` runs the plan
//! (`exec`, `expr`, `ops`) or the command against the session state
//! (`settings`, `transaction`) and the shared backend table
//! (`system_views`).

pub mod agg;
pub mod analyze;
pub mod coerce;
pub mod copy;
pub mod exec;
pub mod expr;
pub mod functions;
pub mod ops;
pub mod parser;
pub mod plan;
pub mod settings;
pub mod system_views;
pub mod transaction;
pub mod utility;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use sqlparser::ast;

use crate::env::BackendEnv;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::types::datetime::now_pg_usecs;
use crate::types::{float, Oid, Value};
use analyze::names::StmtText;
use analyze::Analyzer;
use expr::{EvalCtx, SessionInfo};
use plan::Plan;
use settings::Settings;
use transaction::{BlockState, Transaction};
use utility::Utility;

/// A result column, as RowDescription describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub type_oid: Oid,
    pub type_modifier: i32,
    pub table_oid: u32,
    pub column_id: i16,
}

impl Column {
    pub fn new(name: impl Into<String>, type_oid: Oid, type_modifier: i32) -> Column {
        Column {
            name: name.into(),
            type_oid,
            type_modifier,
            table_oid: 0,
            column_id: 0,
        }
    }
}

/// One parsed statement.
#[derive(Clone)]
pub struct Statement {
    ast: Arc<ast::Statement>,
    text: StmtText,
}

impl Statement {
    /// The statement's text (for pg_stat_activity and logs).
    pub fn sql(&self) -> &str {
        &self.text.sql
    }
}

/// What a prepared statement does when executed.
enum Action {
    Query(Plan),
    Utility(Utility),
    /// COPY (query) TO STDOUT, with its column count.
    CopyOut(Plan, usize),
}

/// An analyzed and planned statement.
pub struct Prepared {
    param_types: Vec<Oid>,
    columns: Vec<Column>,
    returns_rows: bool,
    action: Action,
}

/// What kind of COPY a statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    In { columns: usize },
    Out { columns: usize },
}

impl Prepared {
    /// Parameter types after inference ($1 compared with an int4 → int4;
    /// unresolved ones are text).
    pub fn param_types(&self) -> &[Oid] {
        &self.param_types
    }

    /// Result columns; empty when the statement returns no rows.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn returns_rows(&self) -> bool {
        self.returns_rows
    }

    pub fn copy_kind(&self) -> Option<CopyKind> {
        match &self.action {
            Action::CopyOut(_, columns) => Some(CopyKind::Out { columns: *columns }),
            _ => None,
        }
    }

    /// Whether the statement may run in a failed transaction block.
    fn allowed_in_failed_block(&self) -> bool {
        matches!(
            &self.action,
            Action::Utility(
                Utility::Commit { .. } | Utility::Rollback { .. } | Utility::RollbackTo(_)
            )
        )
    }
}

/// Where result rows, COPY data and notices go.
pub trait RowSink {
    /// One result row.
    fn row(&mut self, values: &[Value]) -> PgResult<()>;
    /// One COPY TO STDOUT line (text format, with its '\n').
    fn copy_out(&mut self, data: &[u8]) -> PgResult<()>;
    /// A NOTICE or WARNING.
    fn notice(&mut self, notice: PgError);
}

/// Where COPY FROM STDIN data comes from.
pub trait CopyInSource {
    /// The next CopyData payload, or None at CopyDone.
    fn next_chunk(&mut self) -> PgResult<Option<Bytes>>;
}

/// One session's SQL state: settings, transaction block, identity.
pub struct Engine {
    env: BackendEnv,
    session: SessionInfo,
    settings: RefCell<Settings>,
    xact: Transaction,
    /// now() of the current transaction, PostgreSQL epoch microseconds.
    xact_start: i64,
    /// application_name as last written to the backend slot.
    slot_app_name: String,
    extra_float_digits: i32,
}

impl Engine {
    pub fn new(env: BackendEnv) -> Engine {
        let settings = Settings::new(&env.config);
        Engine {
            session: SessionInfo {
                user: String::new(),
                database: String::new(),
                env: env.clone(),
            },
            env,
            settings: RefCell::new(settings),
            xact: Transaction::new(),
            xact_start: now_pg_usecs(),
            slot_app_name: String::new(),
            extra_float_digits: 1,
        }
    }

    /// Applies the startup packet: user, database and run-time settings
    /// (application_name, DateStyle, `options` with `-c name=value`).
    pub fn startup(&mut self, params: &BTreeMap<String, String>) -> PgResult<()> {
        let mut settings = Settings::new(&self.env.config);
        self.xact = Transaction::new();
        let user = params.get("user").cloned().unwrap_or_default();
        let database = params
            .get("database")
            .cloned()
            .unwrap_or_else(|| user.clone());
        settings.set_session_user(&user);
        let fatal = |e: PgError| PgError {
            severity: Severity::Fatal,
            ..e
        };
        for (k, v) in params {
            match k.as_str() {
                "user" | "database" | "replication" => {}
                "options" => {
                    for (name, value) in parse_options(v).map_err(fatal)? {
                        settings.set_startup(&name, &value).map_err(fatal)?;
                    }
                }
                _ => settings.set_startup(k, v).map_err(fatal)?,
            }
        }
        self.session.user = user;
        self.session.database = database;
        self.slot_app_name = settings.get("application_name")?.unwrap_or_default();
        *self.settings.get_mut() = settings;
        self.sync_session_settings();
        Ok(())
    }

    /// ParameterStatus values to send after authentication.
    pub fn parameter_status(&self) -> Vec<(String, String)> {
        self.settings.borrow_mut().report_all()
    }

    /// Reported settings changed since the last call.
    pub fn take_parameter_changes(&mut self) -> Vec<(String, String)> {
        self.settings.get_mut().take_changes()
    }

    /// Parses every statement of a simple-query string.
    pub fn parse(&mut self, sql: &str) -> PgResult<Vec<Statement>> {
        Ok(parser::parse(sql)?
            .into_iter()
            .map(|p| Statement {
                ast: Arc::new(p.ast),
                text: p.text,
            })
            .collect())
    }

    /// Analyzes and plans a statement. `param_types` come from Parse
    /// (0 = to be inferred).
    pub fn prepare(&mut self, stmt: &Statement, param_types: &[Oid]) -> PgResult<Arc<Prepared>> {
        let prepared = self.prepare_inner(stmt, param_types)?;
        if self.xact.state == BlockState::Failed && !prepared.allowed_in_failed_block() {
            return Err(transaction::aborted_error());
        }
        Ok(Arc::new(prepared))
    }

    fn prepare_inner(&mut self, stmt: &Statement, param_types: &[Oid]) -> PgResult<Prepared> {
        if self.xact.state == BlockState::Failed {
            // Only transaction control is analyzed in a failed block.
            if let Some(u) = utility::classify(&stmt.ast, &stmt.text)? {
                return Ok(utility_prepared(u, param_types));
            }
            return Err(transaction::aborted_error());
        }
        match stmt.ast.as_ref() {
            ast::Statement::Query(q) => {
                let mut a = Analyzer::new(&stmt.text, param_types);
                let query = a.analyze_top(q)?;
                Ok(Prepared {
                    param_types: a.params,
                    columns: query.columns.clone(),
                    returns_rows: true,
                    action: Action::Query(plan::plan_query(&query)),
                })
            }
            ast::Statement::Copy { .. } => {
                let (plan, params, width) = copy::prepare(&stmt.ast, &stmt.text, param_types)?;
                Ok(Prepared {
                    param_types: params,
                    columns: vec![],
                    returns_rows: false,
                    action: Action::CopyOut(plan, width),
                })
            }
            other => match utility::classify(other, &stmt.text)? {
                Some(u) => Ok(utility_prepared(u, param_types)),
                None => Err(utility::unsupported(other, &stmt.text)),
            },
        }
    }

    /// Runs a prepared statement; returns its command tag.
    pub fn execute(
        &mut self,
        p: &Prepared,
        params: &[Value],
        sink: &mut dyn RowSink,
        _copy_in: Option<&mut dyn CopyInSource>,
    ) -> PgResult<String> {
        if self.xact.state == BlockState::Failed && !p.allowed_in_failed_block() {
            return Err(transaction::aborted_error());
        }
        if params.len() < p.param_types.len() {
            // Only a simple query can get here without its parameters.
            return Err(PgError::new(
                sqlstate::UNDEFINED_PARAMETER,
                format!("there is no parameter ${}", params.len() + 1),
            ));
        }
        let stmt_start = now_pg_usecs();
        if !self.xact.in_block() {
            self.xact_start = stmt_start;
            self.env.slot.xact_start_us.store(
                shmem::time::wall_clock_us(),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        let result = match &p.action {
            Action::Query(plan) => {
                let ctx = self.eval_ctx(params, stmt_start);
                exec::run(plan, &ctx, &mut |row| sink.row(row)).map(|n| format!("SELECT {n}"))
            }
            Action::CopyOut(plan, _) => {
                let ctx = self.eval_ctx(params, stmt_start);
                copy::run_out(plan, &ctx, sink).map(|n| format!("COPY {n}"))
            }
            Action::Utility(u) => self.run_utility(u, sink),
        };
        if !self.xact.in_block() {
            // The statement's implicit transaction ends: SET LOCAL and
            // set_config(..., true) values go away.
            self.settings.get_mut().end_transaction();
            self.env
                .slot
                .xact_start_us
                .store(0, std::sync::atomic::Ordering::Relaxed);
        }
        self.sync_session_settings();
        result
    }

    fn eval_ctx<'a>(&'a self, params: &'a [Value], stmt_start: i64) -> EvalCtx<'a> {
        EvalCtx {
            params,
            session: &self.session,
            settings: &self.settings,
            xact_start: self.xact_start,
            stmt_start,
        }
    }

    /// Sends a notice if client_min_messages lets it through.
    fn notice(&self, sink: &mut dyn RowSink, n: PgError) {
        let level = self
            .settings
            .borrow()
            .get("client_min_messages")
            .ok()
            .flatten()
            .unwrap_or_default();
        let pass = match n.severity {
            Severity::Warning => level != "error",
            _ => !matches!(level.as_str(), "warning" | "error"),
        };
        if pass {
            sink.notice(n);
        }
    }

    /// Pushes settings with effects outside the engine: the float output
    /// format and application_name in pg_stat_activity.
    fn sync_session_settings(&mut self) {
        let s = self.settings.get_mut();
        let efd = s
            .get("extra_float_digits")
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        if efd != self.extra_float_digits {
            self.extra_float_digits = efd;
        }
        float::set_extra_float_digits(efd);
        let app = s.get("application_name").ok().flatten().unwrap_or_default();
        if app != self.slot_app_name {
            self.env
                .slot
                .set_identity(&self.session.user, &self.session.database, &app);
            self.slot_app_name = app;
        }
    }

    /// 'I' idle, 'T' in a transaction block, 'E' in a failed block.
    pub fn transaction_status(&self) -> u8 {
        self.xact.status_byte()
    }

    /// The protocol reports that a statement failed.
    pub fn on_error(&mut self) {
        self.xact.fail();
        if !self.xact.in_block() {
            self.env
                .slot
                .xact_start_us
                .store(0, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// DISCARD ALL: abort any transaction, reset every setting.
    pub fn reset_session(&mut self) {
        let s = self.settings.get_mut();
        self.xact.abort(s);
        s.reset_all();
        self.env
            .slot
            .xact_start_us
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.sync_session_settings();
    }
}

fn utility_prepared(u: Utility, param_types: &[Oid]) -> Prepared {
    let columns = u.columns();
    Prepared {
        param_types: param_types.to_vec(),
        returns_rows: !columns.is_empty(),
        columns,
        action: Action::Utility(u),
    }
}

/// The startup `options` value: `-c name=value` and `--name=value`
/// pairs, with backslash escaping spaces (as libpq's PGOPTIONS).
pub fn parse_options(opts: &str) -> PgResult<Vec<(String, String)>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = opts.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = Vec::new();
    let mut it = words.into_iter();
    let invalid = |w: &str| {
        PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("invalid command-line argument for server process: {w}"),
        )
        .with_hint("Try \"postgres --help\" for more information.")
    };
    while let Some(w) = it.next() {
        let pair = if w == "-c" {
            it.next().ok_or_else(|| invalid(&w))?
        } else if let Some(rest) = w.strip_prefix("-c") {
            rest.to_owned()
        } else if let Some(rest) = w.strip_prefix("--") {
            rest.to_owned()
        } else {
            return Err(invalid(&w));
        };
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("-c {pair} requires a value"),
            )
        })?;
        out.push((k.replace('-', "_"), v.to_owned()));
    }
    Ok(out)
}
