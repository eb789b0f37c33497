//! The traffic cop (PostgreSQL's tcop/postgres.c): one session's
//! [`Engine`]. A query string is split and parsed (`crate::parser`) into
//! statements; `prepare` analyzes one (`crate::analyze`) and plans it
//! (`crate::optimizer`), or classifies it as DDL or another utility
//! command (`crate::commands`, `utility`); `execute` runs the plan
//! (`crate::executor`) against tables (`crate::access`) described by the
//! catalog (`crate::catalog`), or the command against the session state
//! (settings, transaction block).
//!
//! A prepared statement keeps its plan across executions; each execution
//! takes the shared catalog lock and re-plans only if the catalog version
//! changed since the plan was made. A simple Query of one statement is
//! kept the same way, by its text, in the session's statement cache
//! (`plancache`).
//!
//! Before a statement runs, it locks the tables its plan uses (held to
//! the end of the transaction; no LWLock is held while waiting), then
//! checks the catalog version; a data statement then gets its snapshot
//! and, if it writes, its transaction's xid (`xact`). DDL locks its
//! tables first, then takes the catalog lock exclusively. The catalog
//! itself is not transactional: DDL takes effect at once.

#![forbid(unsafe_code)]

mod constraints;
mod create_table_as;
mod cursors;
mod database;
mod explain_analyze;
mod modifying_with;
pub mod normalize;
pub mod plancache;
mod proc_xact;
mod roles;
mod stats;
pub mod utility;

#[cfg(test)]
pub(crate) mod tests;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use sqlparser::ast;

use crate::access::xact::{SessionLimits, StmtXact, XactEnd, XactMvcc};
use crate::analyze::{self, Analyzer};
use crate::catalog::roles::PermCheck;
use crate::catalog::{self, CatalogCache};
use crate::commands::transaction::{self, BlockState, Transaction};
use crate::commands::{copy, ddl, explain, vacuum};
use crate::env::BackendEnv;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::executor;
use crate::executor::dest::{CopyInSource, RegNames, RowSink};
use crate::executor::subplan::SubplanCache;
use crate::parser::{ident, StmtText};
use crate::types::datetime::now_pg_usecs;
use crate::types::{float, Oid, Value};
use roles::copy_perms;

use crate::executor::eval::EvalCtx;
use crate::fmgr::{FnCtx, SessionInfo};
use crate::nodes::expr::Expr;
use crate::nodes::plan::Plan;
use crate::nodes::Column;
use crate::optimizer;
use crate::utils::settings::Settings;
use utility::Utility;

use shmem::lockmgr::LockMode;

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
    /// SELECT ... FOR UPDATE / FOR SHARE: lock the rows, then query.
    LockedQuery(Box<crate::nodes::modify::LockRows>, Plan),
    Utility(Utility),
    /// COPY ... TO STDOUT.
    CopyOut(Plan, copy::CopyFormat),
    CopyIn(copy::CopyIn),
    Modify(Box<crate::nodes::modify::Modify>),
    /// A statement with data-modifying WITH queries: they run first,
    /// then `main` (a Query or a Modify).
    ModifyingWith {
        ctes: Vec<crate::nodes::modify::ModifyingCtePlan>,
        main: Box<Action>,
    },
    /// DDL, run from the statement against the catalog at execution.
    Ddl,
    /// VACUUM of these tables (all when empty), then ANALYZE of these
    /// tables and columns (VACUUM ANALYZE).
    Vacuum(
        Vec<String>,
        Option<Vec<crate::commands::analyze::AnalyzeTarget>>,
    ),
    /// ANALYZE.
    Analyze(crate::commands::analyze::AnalyzeStmt),
    /// CHECKPOINT.
    Checkpoint,
    /// EXPLAIN [ANALYZE] of a planned statement, with the time its
    /// planning took (ns).
    Explain(Box<Action>, explain::ExplainOptions, u64),
    /// CREATE, DROP or ALTER DATABASE (parsed again from the text).
    Database,
    /// SQL-level PREPARE name [(types)] AS statement.
    SqlPrepare {
        name: String,
        stmt: Statement,
        types: Vec<Oid>,
    },
    /// EXECUTE name (args): the arguments, coerced to the statement's
    /// parameter types.
    SqlExecute {
        prepared: Arc<Prepared>,
        args: Vec<Expr>,
    },
    /// DEALLOCATE name (None: ALL).
    Deallocate(Option<String>),
    /// LOCK TABLE: (relation OID, name) in `mode`, until the transaction
    /// ends.
    LockTables {
        tables: Vec<(u32, String)>,
        mode: LockMode,
        nowait: bool,
    },
    /// DECLARE name CURSOR FOR query.
    Declare(Arc<cursors::DeclarePlan>),
    /// FETCH or MOVE.
    Fetch(Box<cursors::FetchPlan>),
    /// DO: a PL/pgSQL block's code.
    Do(String),
    /// CALL: the procedure's call (an `Expr::SubLink` carrying it); its
    /// INOUT and OUT values are sent as one row when the statement has
    /// columns.
    Call(Expr),
    /// CREATE TABLE AS and SELECT INTO (`create_table_as.rs`).
    CreateTableAs(Box<create_table_as::CtasPlan>),
    /// REFRESH MATERIALIZED VIEW (`create_table_as.rs`).
    Refresh(Box<create_table_as::RefreshPlan>),
}

/// Table locks a plan takes: (relation OID, mode).
type RelLocks = Vec<(u32, LockMode)>;

/// A plan and the catalog version it was made against.
struct Planned {
    version: u64,
    action: Arc<Action>,
    relations: Arc<RelLocks>,
    /// The privileges it needs, checked before each execution.
    perms: Arc<Vec<PermCheck>>,
}

/// An analyzed and planned statement.
pub struct Prepared {
    param_types: Vec<Oid>,
    columns: Vec<Column>,
    returns_rows: bool,
    copy_kind: Option<CopyKind>,
    /// The statement and declared parameter types, to plan it again.
    stmt: Statement,
    declared: Vec<Oid>,
    /// The plan depends on the catalog.
    uses_catalog: bool,
    /// Running it gives the transaction an xid (txid_current()).
    needs_xid: bool,
    /// Transaction control, allowed in a failed block.
    txn_control: bool,
    /// The simple protocol's statement cache may keep it (`plancache`).
    cacheable: bool,
    planned: Mutex<Planned>,
}

/// What [`Engine::plan_statement`] produces.
struct PlanParts {
    action: Action,
    param_types: Vec<Oid>,
    columns: Vec<Column>,
    returns_rows: bool,
    copy_kind: Option<CopyKind>,
    uses_catalog: bool,
    relations: RelLocks,
    needs_xid: bool,
    perms: Vec<PermCheck>,
}

/// What kind of COPY a statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    In { columns: usize, binary: bool },
    Out { columns: usize, binary: bool },
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
        self.copy_kind
    }

    /// FETCH from a BINARY cursor: rows go out in binary format (under
    /// the simple query protocol, which has no result formats).
    pub fn binary_rows(&self) -> bool {
        matches!(self.action().1.as_ref(), Action::Fetch(f) if f.binary)
    }

    /// Whether the statement may run in a failed transaction block.
    fn allowed_in_failed_block(&self) -> bool {
        self.txn_control
    }

    fn action(&self) -> (u64, Arc<Action>, Arc<RelLocks>) {
        let g = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        (g.version, g.action.clone(), g.relations.clone())
    }
}

/// One session's SQL state: settings, transaction block, identity.
pub struct Engine {
    env: BackendEnv,
    session: SessionInfo,
    settings: RefCell<Settings>,
    xact: Transaction,
    /// now() of the current transaction, PostgreSQL epoch microseconds.
    xact_start: i64,
    /// The start time a statement prepared outside a transaction block
    /// read its 'now' literals with, for its execution to start at.
    pending_start: Option<i64>,
    /// application_name as last written to the backend slot.
    slot_app_name: String,
    /// The client logged in with a password (SCRAM over TCP): the role's
    /// VALID UNTIL applies (`roles.rs`).
    password_login: bool,
    extra_float_digits: i32,
    catalog: CatalogCache,
    /// SQL-level prepared statements (PREPARE/EXECUTE).
    sql_prepared: HashMap<String, Arc<Prepared>>,
    /// Settings generation last pushed by `sync_session_settings`.
    synced_generation: u64,
    /// The MVCC side of the transaction: xids, snapshots, locks.
    mvcc: XactMvcc,
    /// The settings every statement consults, parsed when they change.
    limits: SessionLimits,
    /// Open SQL cursors, by name.
    cursors: BTreeMap<String, cursors::Cursor>,
    /// The role the client logged in as was a superuser then (who may
    /// SET SESSION AUTHORIZATION).
    authenticated_superuser: bool,
    /// Simple-protocol statements kept parsed and planned, by text.
    plan_cache: plancache::StatementCache<Arc<Prepared>>,
    /// Simple-protocol statements kept by their literal-normalized text
    /// (`plancache`, `normalize`).
    literal_cache: plancache::StatementCache<plancache::LiteralPlan>,
    /// `pgfork.plan_cache_literals`.
    plan_cache_literals: bool,
    /// Settings generation `pgfork.plan_cache_size` was last read at.
    plan_cache_generation: u64,
    /// The session's fault-injection state while no thread runs it
    /// (between [`Engine::suspend_from_this_thread`] and
    /// [`Engine::resume_on_this_thread`]).
    parked_faults: crate::faults::FaultState,
    /// Pool mode: the session's random() state while it has no carrier.
    parked_random: u64,
    /// Statements planned now fill a materialized view
    /// (`Analyzer::fills_matview`; `create_table_as.rs`).
    fills_matview: bool,
}

impl Drop for Engine {
    /// A session that ends inside a transaction aborts it, unless its
    /// commit was cut short after its commit record may have reached the
    /// WAL (a panic in the commit's critical section): recovery decides
    /// that one (`XactMvcc::abort`).
    fn drop(&mut self) {
        self.abort_transaction();
        self.mvcc.release_session_locks();
        self.mvcc
            .notify
            .borrow_mut()
            .reset(&self.env.segment, self.env.slot_index);
    }
}

/// Installs on this thread where the planner reads table sizes (the
/// server's live-tuple counts) and the stored statistics.
fn install_planner_sources(env: &BackendEnv) {
    let segment = env.segment;
    optimizer::cost::set_row_source(std::rc::Rc::new(move |rel| {
        // The server's live-tuple estimate; a table it never counted
        // anything for is unknown.
        let c = shmem::relstats::get(&segment, rel);
        let touched = c.n_live_tup + c.n_tup_ins + c.n_tup_del + c.vacuum_count > 0;
        touched.then_some(c.n_live_tup as f64)
    }));
    stats::install_stats_source(env);
}

impl Engine {
    pub fn new(env: BackendEnv) -> Engine {
        crate::faults::set_allowed(env.config.debug_faults);
        crate::pl::install();
        let settings = Settings::new(&env.config);
        let mvcc = XactMvcc::new(env.segment, env.slot_index);
        // A slot's previous session stopped listening when it ended.
        env.segment.notify_queue().unlisten(env.slot_index);
        let limits = SessionLimits::from_settings(&settings);
        install_planner_sources(&env);
        Engine {
            catalog: CatalogCache::new(env.config.data_dir.clone(), env.segment),
            sql_prepared: HashMap::new(),
            authenticated_superuser: false,
            session: SessionInfo {
                user: String::new(),
                role: catalog::roles::BOOTSTRAP_SUPERUSER,
                session_user: String::new(),
                session_role: catalog::roles::BOOTSTRAP_SUPERUSER,
                authenticated_role: catalog::roles::BOOTSTRAP_SUPERUSER,
                database: String::new(),
                env: env.clone(),
                cursors: Vec::new(),
                sequences: Default::default(),
            },
            env,
            settings: RefCell::new(settings),
            xact: Transaction::new(),
            xact_start: now_pg_usecs(),
            pending_start: None,
            slot_app_name: String::new(),
            password_login: false,
            extra_float_digits: 1,
            synced_generation: 0,
            mvcc,
            limits,
            cursors: BTreeMap::new(),
            plan_cache: plancache::StatementCache::new(plancache::DEFAULT_SIZE),
            literal_cache: plancache::StatementCache::new(plancache::DEFAULT_SIZE),
            plan_cache_literals: true,
            plan_cache_generation: 0,
            parked_faults: Default::default(),
            parked_random: 1,
            fills_matview: false,
        }
    }

    /// The SQL prepared statement `EXECUTE name` runs, given `nargs`
    /// arguments: 26000 when there is none by that name, 42601 when the
    /// number of arguments differs from its parameters'.
    pub(crate) fn sql_prepared_for(
        &self,
        name: Option<&ast::ObjectName>,
        nargs: usize,
    ) -> PgResult<Arc<Prepared>> {
        let name = name
            .map(|n| crate::parser::object_name(n).join("."))
            .unwrap_or_default();
        let prepared = self.sql_prepared.get(&name).cloned().ok_or_else(|| {
            PgError::new(
                sqlstate::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{name}\" does not exist"),
            )
        })?;
        if nargs != prepared.param_types.len() {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("wrong number of parameters for prepared statement \"{name}\""),
            )
            .with_detail(format!(
                "Expected {} parameters but got {}.",
                prepared.param_types.len(),
                nargs
            )));
        }
        Ok(prepared)
    }

    /// Pool mode: the calling thread (a carrier) takes up this session,
    /// which may last have run on another thread, or this one may last
    /// have run another session. Everything the backend keeps per thread
    /// for its session is installed again: the settings with effects
    /// outside the engine (time zone, extra_float_digits, search_path,
    /// max_stack_depth, geqo_threshold, the fault setting), forced past
    /// `synced_generation`; the catalog's enum types and schemas; the
    /// transaction start that 'now' reads; the armed fault; random()'s
    /// state.
    pub fn resume_on_this_thread(&mut self) {
        crate::faults::restore_state(self.parked_faults);
        crate::fmgr::restore_random_state(self.parked_random);
        // Generations start at 1 (`Settings::next_generation`): 0 forces
        // every setting to be pushed to this thread again.
        self.synced_generation = 0;
        self.sync_session_settings();
        let _ = self.catalog.get();
        crate::types::datetime::set_transaction_start(self.xact_start);
        // The planner's table sizes and statistics come from the segment
        // and the data directory, the same for every session of this
        // process: a carrier that never started a session installs them
        // now, or it would plan without statistics.
        if !optimizer::cost::has_sources() {
            install_planner_sources(&self.env);
        }
    }

    /// Pool mode: the carrier puts this session down. What must not reach
    /// the next session on this thread and is not pushed again by its
    /// [`Engine::resume_on_this_thread`] (the armed fault) is taken into
    /// the session, and so is random()'s state.
    pub fn suspend_from_this_thread(&mut self) {
        self.parked_faults = crate::faults::take_state();
        self.parked_random = crate::fmgr::take_random_state();
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
        let role = self.login_role(&user).map_err(fatal)?;
        // The settings the client gave: they win over the stored ones.
        let mut given: Vec<String> = Vec::new();
        for (k, v) in params {
            match k.as_str() {
                "user" | "database" | "replication" => {}
                "options" => {
                    for (name, value) in parse_options(v).map_err(fatal)? {
                        settings.set_startup(&name, &value).map_err(fatal)?;
                        given.push(name.to_ascii_lowercase());
                    }
                }
                _ => {
                    settings.set_startup(k, v).map_err(fatal)?;
                    given.push(k.to_ascii_lowercase());
                }
            }
        }
        self.connect_database(&database, &role).map_err(fatal)?;
        // ALTER DATABASE/ROLE ... SET (pg_db_role_setting), in
        // PostgreSQL's order: a later entry wins over an earlier one. A
        // value no longer valid is skipped, as PostgreSQL warns and goes on.
        let db = self.catalog.database();
        for (name, value) in self.catalog.get().session_settings(db, role.oid) {
            if !given.contains(&name.to_ascii_lowercase()) {
                let _ = settings.set_startup(&name, &value);
            }
        }
        self.session.database = database;
        self.slot_app_name = settings.get("application_name")?.unwrap_or_default();
        *self.settings.get_mut() = settings;
        self.session.authenticated_role = role.oid;
        self.authenticated_superuser = role.superuser;
        self.set_session_roles(&role, &role);
        self.sync_session_settings();
        self.new_session_plan_cache();
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
        Ok(crate::parser::parse(sql)?
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
        if self.xact.state == BlockState::Failed {
            // Only transaction control is analyzed in a failed block.
            if let Some(u) = utility::classify(&stmt.ast, &stmt.text)? {
                let p = self.prepared_from(stmt, param_types, utility_parts(u, param_types), 0);
                if p.allowed_in_failed_block() {
                    return Ok(Arc::new(p));
                }
            }
            return Err(transaction::aborted_error());
        }
        self.catalog.refresh()?;
        let version = self.catalog.version();
        // A statement that starts a transaction reads 'now' in its
        // literals as the time it starts, as now() does.
        self.pending_start = None;
        if !self.xact.in_block() {
            let start = now_pg_usecs();
            self.pending_start = Some(start);
            crate::types::datetime::set_transaction_start(start);
        }
        let now_reads = plancache::now_reads();
        let parts = self.plan_statement(stmt, param_types)?;
        let cacheable = plancache::cacheable(&parts, param_types, now_reads);
        let mut p = self.prepared_from(stmt, param_types, parts, version);
        p.cacheable = cacheable;
        Ok(Arc::new(p))
    }

    fn prepared_from(
        &self,
        stmt: &Statement,
        declared: &[Oid],
        parts: PlanParts,
        version: u64,
    ) -> Prepared {
        let txn_control = matches!(
            &parts.action,
            Action::Utility(
                Utility::Commit { .. } | Utility::Rollback { .. } | Utility::RollbackTo(_)
            )
        );
        Prepared {
            param_types: parts.param_types,
            columns: parts.columns,
            returns_rows: parts.returns_rows,
            copy_kind: parts.copy_kind,
            stmt: stmt.clone(),
            declared: declared.to_vec(),
            uses_catalog: parts.uses_catalog,
            needs_xid: parts.needs_xid,
            txn_control,
            cacheable: false,
            planned: Mutex::new(Planned {
                version,
                action: Arc::new(parts.action),
                relations: Arc::new(parts.relations),
                perms: Arc::new(parts.perms),
            }),
        }
    }

    fn analyzer<'a>(&self, text: &'a StmtText, params: &[Oid]) -> Analyzer<'a> {
        let mut a = Analyzer::new(text, params).with_catalog(self.catalog.get().clone());
        a.fills_matview = self.fills_matview;
        a
    }

    /// Analyzes and plans against the cached catalog.
    fn plan_statement(&mut self, stmt: &Statement, param_types: &[Oid]) -> PgResult<PlanParts> {
        let text = &stmt.text;
        let query_parts = |a: Analyzer, action: Action, columns: Vec<Column>| PlanParts {
            returns_rows: !columns.is_empty(),
            relations: a
                .relations
                .iter()
                .map(|&r| (r, LockMode::AccessShare))
                .collect(),
            needs_xid: a.needs_xid,
            uses_catalog: a.uses_catalog,
            perms: a.perms,
            param_types: a.params,
            columns,
            action,
            copy_kind: None,
        };
        match stmt.ast.as_ref() {
            ast::Statement::CreateTable(ct) if ct.query.is_some() => {
                self.plan_create_table_as(stmt, param_types)
            }
            ast::Statement::CreateView(cv) if cv.materialized => {
                self.plan_create_table_as(stmt, param_types)
            }
            ast::Statement::RefreshMaterializedView(r) => self.plan_refresh(r, param_types),
            ast::Statement::Query(q) if create_table_as::is_select_into(q) => {
                self.plan_create_table_as(stmt, param_types)
            }
            ast::Statement::Query(q) if !q.locks.is_empty() => {
                let mut a = self.analyzer(text, param_types);
                let lock = a.lock_rows(q)?;
                let mut plain = (**q).clone();
                plain.locks.clear();
                let query = a.analyze_top(&plain)?;
                if query.aggregated {
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "FOR UPDATE is not allowed with aggregate functions",
                    ));
                }
                if !query.windows.is_empty() || !query.distinct_on.is_empty() {
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        if query.windows.is_empty() {
                            "FOR UPDATE is not allowed with DISTINCT clause"
                        } else {
                            "FOR UPDATE is not allowed with window functions"
                        },
                    ));
                }
                let columns = query.columns.clone();
                let target = lock.table.table.oid;
                let lock = optimizer::plan_lock_rows(lock);
                let action = Action::LockedQuery(Box::new(lock), optimizer::plan_query(&query));
                let mut parts = query_parts(a, action, columns);
                parts.returns_rows = true;
                for (r, mode) in &mut parts.relations {
                    if *r == target {
                        *mode = LockMode::RowShare;
                    }
                }
                Ok(parts)
            }
            ast::Statement::Query(q) if !Analyzer::is_modifying_query(q) => {
                let mut a = self.analyzer(text, param_types);
                a.allow_modifying_with();
                let query = a.analyze_top(q)?;
                let (ctes, writes) = modifying_with::plan_modifying_ctes(&mut a)?;
                let columns = query.columns.clone();
                let mut parts =
                    query_parts(a, Action::Query(optimizer::plan_query(&query)), columns);
                parts.returns_rows = true;
                Ok(modifying_with::with_modifying_ctes(parts, ctes, &writes))
            }
            ast::Statement::Query(_)
            | ast::Statement::Insert(_)
            | ast::Statement::Update(_)
            | ast::Statement::Delete(_) => {
                let mut a = self.analyzer(text, param_types);
                let mut m = optimizer::plan_modify(match stmt.ast.as_ref() {
                    ast::Statement::Query(q) => a.modifying_query(q)?,
                    ast::Statement::Insert(i) => a.insert(i)?,
                    ast::Statement::Update(u) => a.update(u)?,
                    ast::Statement::Delete(d) => a.delete(d)?,
                    _ => return Err(PgError::internal("DML")),
                });
                m.constraints = a.modify_constraints(m.table.table.oid)?;
                let (ctes, cte_writes) = modifying_with::plan_modifying_ctes(&mut a)?;
                settle_params(&mut a.params);
                let columns = m.columns.clone();
                let target = m.table.table.oid;
                let writes = m.constraints.action_targets();
                let mut parts = query_parts(a, Action::Modify(Box::new(m)), columns);
                parts.uses_catalog = true;
                for (r, mode) in &mut parts.relations {
                    if *r == target || writes.contains(r) {
                        *mode = LockMode::RowExclusive;
                    }
                }
                Ok(modifying_with::with_modifying_ctes(
                    parts,
                    ctes,
                    &cte_writes,
                ))
            }
            ast::Statement::Copy { .. } => {
                let (cp, params, uses, rels) =
                    copy::prepare(&stmt.ast, text, param_types, self.catalog.get().clone())?;
                let (kind, action, mode) = match cp {
                    copy::CopyPlan::Out(p, w, format) => (
                        CopyKind::Out {
                            columns: w,
                            binary: format.binary,
                        },
                        Action::CopyOut(p, format),
                        LockMode::AccessShare,
                    ),
                    copy::CopyPlan::In(ci) => {
                        let w = ci.targets.len();
                        (
                            CopyKind::In {
                                columns: w,
                                binary: ci.format.binary,
                            },
                            Action::CopyIn(ci),
                            LockMode::RowExclusive,
                        )
                    }
                };
                Ok(PlanParts {
                    action,
                    param_types: params,
                    columns: vec![],
                    returns_rows: false,
                    copy_kind: Some(kind),
                    uses_catalog: uses,
                    perms: copy_perms(&rels, mode),
                    relations: rels.into_iter().map(|r| (r, mode)).collect(),
                    needs_xid: false,
                })
            }
            ast::Statement::Explain {
                statement,
                analyze,
                options,
                ..
            } => {
                let opts: Vec<(String, Option<String>)> = options
                    .iter()
                    .flatten()
                    .map(|o| {
                        let arg = o.arg.as_ref().map(|a| {
                            let t = a.to_string();
                            t.trim_matches('\'').to_owned()
                        });
                        (ident(&o.name), arg)
                    })
                    .collect();
                let explain_opts = explain::parse_options(&opts, *analyze)?;
                let mut inner = Statement {
                    ast: Arc::new((**statement).clone()),
                    text: text.clone(),
                };
                let planning_start = shmem::time::monotonic_ns();
                let mut parts = self.plan_statement(&inner, param_types)?;
                // EXPLAIN CREATE TABLE AS and CREATE MATERIALIZED VIEW
                // show the query's plan (and create nothing).
                if let Action::CreateTableAs(ctas) = &parts.action {
                    if explain_opts.analyze {
                        return Err(PgError::not_supported("EXPLAIN ANALYZE of CREATE TABLE AS"));
                    }
                    inner = ctas.query.clone();
                    parts = self.plan_statement(&inner, param_types)?;
                }
                let planning_ns = shmem::time::monotonic_ns().saturating_sub(planning_start);
                if !matches!(
                    parts.action,
                    Action::Query(_) | Action::Modify(_) | Action::ModifyingWith { .. }
                ) {
                    return Err(PgError::not_supported("EXPLAIN of this statement"));
                }
                Ok(PlanParts {
                    action: Action::Explain(Box::new(parts.action), explain_opts, planning_ns),
                    param_types: parts.param_types,
                    // PostgreSQL's type: json for FORMAT JSON (pgfork has
                    // no xml type: XML is text).
                    columns: vec![Column::new(
                        "QUERY PLAN",
                        if explain_opts.format == explain::ExplainFormat::Json {
                            crate::types::oid::JSON
                        } else {
                            crate::types::oid::TEXT
                        },
                        -1,
                    )],
                    returns_rows: true,
                    copy_kind: None,
                    uses_catalog: parts.uses_catalog,
                    relations: parts.relations,
                    needs_xid: parts.needs_xid,
                    perms: parts.perms,
                })
            }
            ast::Statement::Vacuum(_)
                if crate::parser::domain::is_domain_command(&text.sql)
                    || crate::parser::alter_trigger::is_alter_trigger(&text.sql)
                    || crate::parser::role_setting::is_command(&text.sql)
                    || crate::parser::owned::is_command(&text.sql)
                    || crate::parser::alter_owner::is_command(&text.sql)
                    || crate::parser::alter_routine::is_command(&text.sql)
                    || crate::parser::comment::is_command(&text.sql) =>
            {
                Ok(simple_parts(Action::Ddl, param_types, true))
            }
            ast::Statement::Vacuum(_)
                if crate::parser::database::is_database_command(&text.sql) =>
            {
                Ok(simple_parts(Action::Database, param_types, false))
            }
            ast::Statement::Vacuum(_) if vacuum::is_checkpoint(&text.sql) => {
                Ok(simple_parts(Action::Checkpoint, param_types, false))
            }
            ast::Statement::Vacuum(_) if crate::commands::analyze::is_analyze(&text.sql) => {
                let a = crate::commands::analyze::parse_analyze(&text.sql)?;
                Ok(simple_parts(Action::Analyze(a), param_types, true))
            }
            ast::Statement::Vacuum(_) => {
                let tables = vacuum::parse_vacuum(&text.sql)?;
                let analyze = crate::commands::analyze::vacuum_analyze_targets(&text.sql)?;
                Ok(simple_parts(
                    Action::Vacuum(tables, analyze),
                    param_types,
                    true,
                ))
            }
            ast::Statement::Prepare {
                name,
                data_types,
                statement,
            } => {
                let types = data_types
                    .iter()
                    .map(|t| analyze::names::resolve_type(t).map(|(o, _)| o))
                    .collect::<PgResult<Vec<_>>>()?;
                let inner = Statement {
                    ast: Arc::new((**statement).clone()),
                    text: text.clone(),
                };
                Ok(simple_parts(
                    Action::SqlPrepare {
                        name: ident(name),
                        stmt: inner,
                        types,
                    },
                    param_types,
                    false,
                ))
            }
            ast::Statement::Execute {
                name, parameters, ..
            } => {
                let prepared = self.sql_prepared_for(name.as_ref(), parameters.len())?;
                let mut a = self.analyzer(text, param_types);
                let mut args = Vec::with_capacity(parameters.len());
                for (e, t) in parameters.iter().zip(&prepared.param_types) {
                    let x = a.expr(e, &Default::default(), analyze::expr::Clause::Values)?;
                    let x =
                        crate::analyze::modify::assignment_cast(&mut a, x, *t, -1, "parameter")?;
                    optimizer::subselect::plan_sublinks(&x);
                    args.push(x);
                }
                settle_params(&mut a.params);
                Ok(PlanParts {
                    columns: prepared.columns.clone(),
                    returns_rows: prepared.returns_rows,
                    copy_kind: prepared.copy_kind,
                    param_types: a.params,
                    uses_catalog: false,
                    relations: Vec::new(),
                    needs_xid: false,
                    perms: Vec::new(),
                    action: Action::SqlExecute { prepared, args },
                })
            }
            ast::Statement::Lock(l) => {
                let mut a = self.analyzer(text, param_types);
                let mut tables = Vec::new();
                for t in &l.tables {
                    let r = a.lookup_table(&t.name)?;
                    tables.push((r.table.oid, r.table.name.clone()));
                }
                use ast::LockTableMode as M;
                let mode = match l.lock_mode {
                    Some(M::AccessShare) => LockMode::AccessShare,
                    Some(M::RowShare) => LockMode::RowShare,
                    Some(M::RowExclusive) => LockMode::RowExclusive,
                    Some(M::ShareUpdateExclusive) => LockMode::ShareUpdateExclusive,
                    Some(M::Share) => LockMode::Share,
                    Some(M::ShareRowExclusive) => LockMode::ShareRowExclusive,
                    Some(M::Exclusive) => LockMode::Exclusive,
                    Some(M::AccessExclusive) | None => LockMode::AccessExclusive,
                };
                let action = Action::LockTables {
                    tables,
                    mode,
                    nowait: l.nowait,
                };
                Ok(simple_parts(action, param_types, true))
            }
            ast::Statement::Declare { stmts, .. } if stmts.len() == 1 => {
                self.plan_declare(stmt, &stmts[0], param_types)
            }
            ast::Statement::Fetch {
                name, direction, ..
            } => self.plan_fetch(stmt, name, direction, param_types),
            ast::Statement::Deallocate { name, .. } => {
                let n = ident(name);
                let target = if name.quote_style.is_none() && n == "all" {
                    None
                } else {
                    Some(n)
                };
                Ok(simple_parts(Action::Deallocate(target), param_types, false))
            }
            ast::Statement::Call(func) => {
                let mut a = self.analyzer(text, param_types);
                let (call, columns) = a.call_statement(func)?;
                optimizer::subselect::plan_sublinks(&call);
                let mut parts = query_parts(a, Action::Call(call), columns);
                parts.needs_xid = true;
                Ok(parts)
            }
            s if crate::parser::is_do(s) => {
                let (code, language) = crate::parser::parse_do(&text.sql)?;
                match language.as_str() {
                    "plpgsql" => {}
                    "sql" | "c" | "internal" => {
                        return Err(PgError::new(
                            sqlstate::FEATURE_NOT_SUPPORTED,
                            format!(
                                "language \"{language}\" does not support inline code execution"
                            ),
                        ))
                    }
                    l => {
                        return Err(PgError::new(
                            sqlstate::UNDEFINED_OBJECT,
                            format!("language \"{l}\" does not exist"),
                        ))
                    }
                }
                Ok(simple_parts(Action::Do(code), param_types, true))
            }
            other if ddl::is_ddl(other) => Ok(simple_parts(Action::Ddl, param_types, true)),
            other => match utility::classify(other, text)? {
                Some(u) => Ok(utility_parts(u, param_types)),
                None => Err(utility::unsupported(other, text)),
            },
        }
    }

    /// Runs a prepared statement; returns its command tag.
    pub fn execute(
        &mut self,
        p: &Prepared,
        params: &[Value],
        sink: &mut dyn RowSink,
        copy_in: Option<&mut dyn CopyInSource>,
    ) -> PgResult<String> {
        crate::faults::at_statement_start();
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
        let stmt_start = self.pending_start.take().unwrap_or_else(now_pg_usecs);
        if !self.xact.in_block() {
            self.xact_start = stmt_start;
            crate::types::datetime::set_transaction_start(stmt_start);
            self.env.slot.xact_start_us.store(
                shmem::time::wall_clock_us(),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        let timeout = self.limits.statement_timeout;
        crate::interrupts::set_statement_deadline(timeout.map(|t| std::time::Instant::now() + t));
        let mut result = self.execute_inner(p, params, sink, copy_in, stmt_start);
        crate::interrupts::set_statement_deadline(None);
        // RAISE NOTICE and WARNING of PL/pgSQL code the statement ran.
        for n in crate::pl::take_notices() {
            self.notice(sink, n);
        }
        // pg_advisory_unlock's WARNINGs for locks the session did not own.
        let warnings = self.mvcc.advisory.borrow_mut().take_warnings();
        for w in warnings {
            self.notice(sink, w);
        }
        if !self.has_live_cursors() {
            self.mvcc.end_statement();
        }
        if !self.xact.in_block() {
            // The statement's implicit transaction ends: SET LOCAL and
            // set_config(..., true) values go away.
            if result.is_ok() {
                if let Err(e) = self.commit_transaction() {
                    result = Err(e);
                }
            } else {
                self.abort_transaction();
            }
            self.settings.get_mut().end_transaction();
            self.env
                .slot
                .xact_start_us
                .store(0, std::sync::atomic::Ordering::Relaxed);
        }
        self.sync_session_settings();
        if !self.xact.in_block() {
            self.autoanalyze();
        }
        result
    }

    /// Takes the table locks of a plan, then makes sure the plan is
    /// current (re-planning and locking again if the catalog changed).
    fn lock_and_check(
        &mut self,
        p: &Prepared,
        policy: &shmem::lockmgr::WaitPolicy,
    ) -> PgResult<Arc<Action>> {
        let (mut version, mut action, mut rels) = p.action();
        for _ in 0..100 {
            for &(oid, mode) in rels.iter() {
                self.mvcc.lock_relation(oid, mode, policy, &self.limits)?;
            }
            if !p.uses_catalog {
                self.check_privileges(p)?;
                return Ok(action);
            }
            self.catalog.refresh()?;
            if version == self.catalog.version() {
                self.check_privileges(p)?;
                return Ok(action);
            }
            (action, rels) = self.replan(p)?;
            version = self.catalog.version();
        }
        Err(PgError::internal(
            "the catalog keeps changing under a statement",
        ))
    }

    /// Runs DDL: locks the tables it changes, then takes the catalog lock
    /// exclusively (checking that the tables are still the ones locked).
    fn run_ddl(
        &mut self,
        p: &Prepared,
        policy: &shmem::lockmgr::WaitPolicy,
        sink: &mut dyn RowSink,
        stmt_start: i64,
    ) -> PgResult<String> {
        let pool = self.env.segment.buffer_pool();
        // TRUNCATE in a transaction block deletes as DELETE does, so that
        // ROLLBACK undoes it: no catalog change, and under the catalog
        // lock shared, as DML.
        let block_truncate =
            matches!(p.stmt.ast.as_ref(), ast::Statement::Truncate(_)) && self.xact.in_block();
        if !self.catalog.in_change() && !block_truncate {
            // One transaction at a time changes the catalog (catalog/xact.rs).
            self.mvcc.lock_object(
                crate::catalog::CATALOG_CHANGE_LOCK,
                LockMode::Exclusive,
                policy,
                &self.limits,
            )?;
            self.mvcc.top_xid()?;
            self.catalog.begin_change()?;
        }
        if self.catalog.in_change() {
            self.prepare_catalog_write()?;
        }
        for _ in 0..100 {
            self.catalog.refresh()?;
            let targets = ddl::lock_targets(&p.stmt.ast, self.catalog.get());
            for &(oid, mode) in &targets {
                self.mvcc.lock_relation(oid, mode, policy, &self.limits)?;
            }
            // The table locks may have waited for another change.
            self.catalog.refresh()?;
            if ddl::lock_targets(&p.stmt.ast, self.catalog.get()) != targets {
                continue;
            }
            let horizon = self.env.segment.proc_array().global_xmin();
            let block = if block_truncate {
                Some(self.mvcc.start_statement(&self.limits, true, *policy)?)
            } else {
                None
            };
            // ALTER TABLE reads and writes rows as a statement of its
            // transaction: it evaluates defaults and checks constraints
            // over existing rows, and rewrites them for a volatile
            // default.
            // TRUNCATE too, for its tables' TRUNCATE triggers; ALTER
            // DOMAIN checks the values columns hold.
            let alter = if matches!(p.stmt.ast.as_ref(), ast::Statement::AlterTable(_))
                || (matches!(p.stmt.ast.as_ref(), ast::Statement::Truncate(_)) && block.is_none())
                || crate::parser::domain::is_domain_command(&p.stmt.text.sql)
            {
                Some(self.mvcc.start_statement(&self.limits, true, *policy)?)
            } else {
                None
            };
            let cat = self.catalog.get().clone();
            let cache = SubplanCache::default();
            let mem = executor::memory::MemBudget::new(self.limits.statement_mem);
            let ctx = alter.as_ref().or(block.as_ref()).map(|sx| EvalCtx {
                fcx: FnCtx {
                    session: &self.session,
                    settings: &self.settings,
                    xact_start: self.xact_start,
                    stmt_start,
                    catalog: &cat,
                    pool,
                    xact: sx,
                },
                params: &[],
                outer: &[],
                cache: &cache,
                mem: &mem,
            });
            let mut notices = Vec::new();
            let (me, session) = self.session_role_descs(&cat)?;
            let r = ddl::execute(
                &p.stmt.ast,
                &p.stmt.text,
                &mut self.catalog,
                ddl::DdlEnv {
                    pool: &pool,
                    horizon,
                    block: block.as_ref(),
                    eval: ctx.as_ref(),
                    role: &me,
                    session: &session,
                    database: &self.session.database,
                    settings: &self.settings,
                },
                &mut notices,
            );
            for n in notices {
                self.notice(sink, n);
            }
            return r;
        }
        Err(PgError::internal("the catalog keeps changing under DDL"))
    }

    /// Commits the transaction; a catalog change it made becomes the
    /// committed catalog before its locks are released.
    fn commit_transaction(&mut self) -> PgResult<()> {
        // Deferred constraint checks: a violation fails the COMMIT, and
        // the transaction rolls back.
        if let Err(e) = self.run_deferred_checks(true) {
            self.abort_transaction();
            return Err(e);
        }
        // WITH HOLD cursors read their rows while the transaction lasts.
        if let Err(e) = self.cursors_pre_commit() {
            self.abort_transaction();
            return Err(e);
        }
        commit_with_catalog(&mut self.mvcc, &mut self.catalog)
    }

    /// Tells the catalog cache which transaction ids its next writes are
    /// stamped with (the savepoint level the statement runs in).
    pub(super) fn prepare_catalog_write(&mut self) -> PgResult<()> {
        let (own, xid) = self.mvcc.catalog_writer()?;
        self.catalog.set_writer(own.top, own.subs, xid);
        Ok(())
    }

    /// Aborts the transaction, its cursors and any catalog change it made.
    fn abort_transaction(&mut self) {
        self.cursors_at_abort();
        abort_with_catalog(&mut self.mvcc, &mut self.catalog);
    }

    /// LOCK TABLE: takes `mode` on each table for the rest of the
    /// transaction block.
    fn lock_tables(
        &mut self,
        tables: &[(u32, String)],
        mode: LockMode,
        nowait: bool,
        policy: shmem::lockmgr::WaitPolicy,
    ) -> PgResult<String> {
        if !self.xact.in_block() {
            return Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "LOCK TABLE can only be used in transaction blocks",
            ));
        }
        let policy = shmem::lockmgr::WaitPolicy { nowait, ..policy };
        for (oid, name) in tables {
            self.mvcc
                .lock_relation(*oid, mode, &policy, &self.limits)
                .map_err(|e| {
                    if nowait && e.code == sqlstate::LOCK_NOT_AVAILABLE {
                        PgError::new(
                            sqlstate::LOCK_NOT_AVAILABLE,
                            format!("could not obtain lock on relation \"{name}\""),
                        )
                    } else {
                        e
                    }
                })?;
        }
        Ok("LOCK TABLE".into())
    }

    /// VACUUM: each table under a ShareUpdateExclusive lock.
    /// CHECKPOINT: an immediate checkpoint, as PostgreSQL's.
    fn run_checkpoint(&mut self) -> PgResult<String> {
        shmem::wal::checkpoint::checkpoint(&self.env.segment, false)
            .map_err(|e| crate::error::wal_error(e, "checkpoint failed"))?;
        Ok("CHECKPOINT".into())
    }

    fn run_vacuum(
        &mut self,
        tables: &[String],
        policy: &shmem::lockmgr::WaitPolicy,
    ) -> PgResult<String> {
        if self.xact.in_block() {
            return Err(PgError::new(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                "VACUUM cannot run inside a transaction block",
            ));
        }
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        vacuum::check_tables(&cat, tables)?;
        let names: Vec<String> = if tables.is_empty() {
            cat.tables.iter().map(|t| t.name.clone()).collect()
        } else {
            tables.to_vec()
        };
        let pool = self.env.segment.buffer_pool();
        for name in names {
            let Some(t) = cat.table(&name).cloned() else {
                continue;
            };
            self.mvcc
                .lock_relation(t.oid, LockMode::ShareUpdateExclusive, policy, &self.limits)?;
            let indexes: Vec<&catalog::IndexDesc> =
                cat.indexes_of(t.oid).map(|i| i.as_ref()).collect();
            let horizon = self.env.segment.proc_array().global_xmin();
            let st = vacuum::vacuum_table(&pool, &t, &indexes, horizon)?;
            shmem::relstats::report_vacuum(&self.env.segment, t.oid, st.live, st.dead);
            // relpages and reltuples, as PostgreSQL's VACUUM updates them.
            let dir = &self.env.config.data_dir;
            let mut stats = catalog::statistic::load(dir, t.oid).unwrap_or_default();
            stats.relpages = st.pages as u32;
            stats.reltuples = st.live as f64;
            catalog::statistic::store(dir, t.oid, &stats)?;
        }
        Ok("VACUUM".into())
    }

    fn execute_inner(
        &mut self,
        p: &Prepared,
        params: &[Value],
        sink: &mut dyn RowSink,
        copy_in: Option<&mut dyn CopyInSource>,
        stmt_start: i64,
    ) -> PgResult<String> {
        let policy = self
            .limits
            .wait_policy(crate::interrupts::statement_deadline());
        let (_, planned, _) = p.action();
        // Statements that run no plan over tables.
        match planned.as_ref() {
            Action::Ddl => return self.run_ddl(p, &policy, sink, stmt_start),
            Action::CreateTableAs(plan) => {
                return self.run_create_table_as(plan, params, sink, stmt_start)
            }
            Action::Refresh(plan) => return self.run_refresh(plan, sink, stmt_start),
            Action::Vacuum(tables, analyze) => {
                self.run_vacuum(tables, &policy)?;
                if let Some(targets) = analyze {
                    self.run_analyze(targets, false, &policy, sink)?;
                }
                return Ok("VACUUM".into());
            }
            Action::Analyze(a) => {
                self.run_analyze(&a.targets, a.verbose, &policy, sink)?;
                return Ok("ANALYZE".into());
            }
            Action::Checkpoint => return self.run_checkpoint(),
            Action::Database => return self.run_database(&p.stmt.text, &policy, sink),
            Action::Utility(u) => return self.run_utility(u, sink),
            Action::LockTables {
                tables,
                mode,
                nowait,
            } => return self.lock_tables(tables, *mode, *nowait, policy),
            Action::Fetch(f) => return self.fetch_cursor(f, sink),
            Action::Explain(inner, opts, planning_ns) if !opts.analyze => {
                let lines = explain_analyze::explain_lines(inner, *opts, None, *planning_ns, None);
                for l in lines {
                    sink.row(&[explain_analyze::explain_value(*opts, l)])?;
                }
                return Ok("EXPLAIN".into());
            }
            Action::SqlPrepare { name, stmt, types } => {
                if self.sql_prepared.contains_key(name) {
                    return Err(PgError::new(
                        sqlstate::DUPLICATE_PREPARED_STATEMENT,
                        format!("prepared statement \"{name}\" already exists"),
                    ));
                }
                let prepared = self.prepare(stmt, types)?;
                self.sql_prepared.insert(name.clone(), prepared);
                return Ok("PREPARE".into());
            }
            Action::Deallocate(name) => {
                match name {
                    None => self.sql_prepared.clear(),
                    Some(n) => {
                        if self.sql_prepared.remove(n).is_none() {
                            return Err(PgError::new(
                                sqlstate::INVALID_SQL_STATEMENT_NAME,
                                format!("prepared statement \"{n}\" does not exist"),
                            ));
                        }
                    }
                }
                return Ok(if name.is_none() {
                    "DEALLOCATE ALL".into()
                } else {
                    "DEALLOCATE".into()
                });
            }
            _ => {}
        }
        let action = self.lock_and_check(p, &policy)?;
        let in_block = self.xact.in_block();
        let writes = p.needs_xid || action_writes(action.as_ref());
        let sx: StmtXact = self.mvcc.start_statement(&self.limits, writes, policy)?;
        if let Action::Declare(d) = action.as_ref() {
            let portal_exists = sink.portal_exists(&d.name);
            return self.declare_cursor(d, sx, params, stmt_start, portal_exists);
        }
        let cat = self.catalog.get().clone();
        let cache = SubplanCache::default();
        let mem = executor::memory::MemBudget::new(self.limits.statement_mem);
        let ctx = EvalCtx {
            fcx: FnCtx {
                session: &self.session,
                settings: &self.settings,
                xact_start: self.xact_start,
                stmt_start,
                catalog: &cat,
                pool: self.env.segment.buffer_pool(),
                xact: &sx,
            },
            params,
            outer: &[],
            cache: &cache,
            mem: &mem,
        };
        // OID alias columns (regclass, ...) go out as names.
        let reg_cols = RegNames::columns(p.columns());
        let mut reg_sink;
        let out: &mut dyn RowSink = if reg_cols.is_empty() {
            &mut *sink
        } else {
            reg_sink = RegNames {
                inner: &mut *sink,
                cols: reg_cols,
                ctx: ctx.fcx,
            };
            &mut reg_sink
        };
        match action.as_ref() {
            Action::Query(plan) => executor::run(plan, &ctx, &mut |row| out.row(row))
                .map(|n| executor::command_tag("SELECT", n)),
            Action::LockedQuery(lock, plan) => {
                lock.run(&ctx)?;
                if sx.repeatable_read {
                    return executor::run(plan, &ctx, &mut |row| out.row(row))
                        .map(|n| executor::command_tag("SELECT", n));
                }
                // A new snapshot sees the versions just locked.
                let sx2 = self.mvcc.start_statement(&self.limits, false, sx.policy)?;
                let ctx2 = EvalCtx {
                    fcx: FnCtx {
                        xact: &sx2,
                        ..ctx.fcx
                    },
                    ..ctx
                };
                executor::run(plan, &ctx2, &mut |row| out.row(row))
                    .map(|n| executor::command_tag("SELECT", n))
            }
            Action::CopyOut(plan, format) => {
                copy::run_out(plan, format, &ctx, out).map(|n| executor::command_tag("COPY", n))
            }
            Action::CopyIn(ci) => {
                let src = copy_in.ok_or_else(|| {
                    PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "COPY FROM STDIN is not supported in this context",
                    )
                })?;
                ci.run(src, &ctx).map(|n| executor::command_tag("COPY", n))
            }
            Action::Modify(m) => {
                let n = m.run(&ctx, &mut |row| out.row(row))?;
                Ok(m.tag(n))
            }
            Action::ModifyingWith { ctes, main } => {
                let checks = executor::modify::run_modifying_ctes(ctes, &ctx)?;
                let tag = match main.as_ref() {
                    Action::Query(plan) => executor::run(plan, &ctx, &mut |row| out.row(row))
                        .map(|n| executor::command_tag("SELECT", n))?,
                    Action::Modify(m) => {
                        let n = m.run(&ctx, &mut |row| out.row(row))?;
                        m.tag(n)
                    }
                    _ => {
                        return Err(PgError::internal(
                            "data-modifying WITH over another statement",
                        ))
                    }
                };
                checks.finish(&ctx)?;
                Ok(tag)
            }
            Action::Explain(inner, opts, planning_ns) => {
                explain_analyze::run(inner, *opts, *planning_ns, &ctx, out)
            }
            Action::Do(code) => {
                if in_block {
                    crate::pl::run_do(code, &ctx, None)?;
                } else {
                    let mut xctl = proc_xact::ProcXact {
                        mvcc: &mut self.mvcc,
                        catalog: &mut self.catalog,
                        cat: &cat,
                        session: &self.session,
                        settings: &self.settings,
                        env: &self.env,
                        policy,
                        xact_start: self.xact_start,
                        ended: 0,
                    };
                    crate::pl::run_do(code, &ctx, Some(&mut xctl))?;
                }
                Ok("DO".into())
            }
            Action::Call(call) => {
                let Expr::SubLink(s) = call else {
                    return Err(PgError::internal("CALL of something else than a procedure"));
                };
                let mut first: Option<Vec<Value>> = None;
                let mut keep = |r| {
                    if first.is_none() {
                        first = Some(r);
                    }
                    Ok(true)
                };
                // A plpgsql procedure called outside a transaction block
                // may COMMIT and ROLLBACK (`proc_xact`).
                let nonatomic = s
                    .call
                    .as_ref()
                    .and_then(|c| c.pl.as_ref().map(|f| (c, f)))
                    .filter(|(_, f)| f.language == "plpgsql" && !in_block);
                if let Some((c, f)) = nonatomic {
                    let args = c
                        .args
                        .iter()
                        .map(|a| crate::executor::eval::eval(a, &[], &ctx))
                        .collect::<PgResult<Vec<Value>>>()?;
                    if !(c.strict && args.iter().any(Value::is_null)) {
                        let mut xctl = proc_xact::ProcXact {
                            mvcc: &mut self.mvcc,
                            catalog: &mut self.catalog,
                            cat: &cat,
                            session: &self.session,
                            settings: &self.settings,
                            env: &self.env,
                            policy,
                            xact_start: self.xact_start,
                            ended: 0,
                        };
                        crate::pl::call_procedure(f, args, &ctx, &mut keep, &mut xctl)?;
                    }
                } else {
                    executor::subplan::run_sql_function(s, &[], &ctx, &mut keep)?;
                }
                if s.ty != crate::types::oid::VOID {
                    out.row(&first.unwrap_or_default())?;
                }
                Ok("CALL".into())
            }
            Action::SqlExecute { prepared, args } => {
                let values: Vec<Value> = args
                    .iter()
                    .map(|a| crate::executor::eval::eval(a, &[], &ctx))
                    .collect::<PgResult<_>>()?;
                self.execute_inner(prepared, &values, sink, copy_in, stmt_start)
            }
            _ => Err(PgError::internal("statement kind changed when re-planned")),
        }
    }

    /// Plans a prepared statement again after a catalog change.
    fn replan(&mut self, p: &Prepared) -> PgResult<(Arc<Action>, Arc<RelLocks>)> {
        let parts = self.plan_statement(&p.stmt, &p.declared)?;
        // As PostgreSQL's equalTupleDescs: names and types, not the
        // table a column comes from (a new search path may find another).
        let shape = |cs: &[crate::nodes::Column]| -> Vec<(String, Oid, i32)> {
            cs.iter()
                .map(|c| (c.name.clone(), c.type_oid, c.type_modifier))
                .collect()
        };
        if shape(&parts.columns) != shape(&p.columns) || parts.param_types != p.param_types {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cached plan must not change result type",
            ));
        }
        let action = Arc::new(parts.action);
        let relations = Arc::new(parts.relations);
        let mut g = p.planned.lock().unwrap_or_else(|e| e.into_inner());
        *g = Planned {
            version: self.catalog.version(),
            action: action.clone(),
            relations: relations.clone(),
            perms: Arc::new(parts.perms),
        };
        Ok((action, relations))
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
            Severity::Info => true,
            _ => !matches!(level.as_str(), "warning" | "error"),
        };
        if pass {
            sink.notice(n);
        }
    }

    /// After a change of the settings: re-parses the session's limits and
    /// pushes settings with effects outside the engine (the float output
    /// format, application_name in pg_stat_activity).
    fn sync_session_settings(&mut self) {
        let s = self.settings.get_mut();
        if s.generation() == self.synced_generation {
            return;
        }
        self.synced_generation = s.generation();
        self.limits = SessionLimits::from_settings(s);
        crate::stack::set_max_stack_depth_kb(self.limits.max_stack_depth_kb);
        optimizer::cost::set_geqo_threshold(
            s.get("geqo_threshold")
                .ok()
                .flatten()
                .and_then(|v| v.parse().ok())
                .unwrap_or(12),
        );
        crate::faults::sync_setting(
            &s.get("pgfork.debug_fault")
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
        self.mvcc
            .set_synchronous_commit(self.limits.synchronous_commit);
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
        let get = |name| s.get(name).ok().flatten().unwrap_or_default();
        crate::types::datestyle::set_session(
            &get("DateStyle"),
            &get("IntervalStyle"),
            &get("bytea_output"),
        );
        let zone = s.get("TimeZone").ok().flatten().unwrap_or_default();
        if let Err(e) = crate::types::timezone::set_session(&zone) {
            tracing::error!("session time zone not changed: {}", e.message);
        }
        crate::catalog::namespace::set_search_path(
            &s.get("search_path").ok().flatten().unwrap_or_default(),
            &self.session.user,
        );
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

    /// How long the session may wait for the client's next message, and
    /// the FATAL error when it waits longer: idle_in_transaction_session_
    /// timeout inside a transaction block, idle_session_timeout outside
    /// (PostgreSQL's two settings; 0 turns them off).
    pub fn idle_timeout(&self) -> Option<(std::time::Duration, PgError)> {
        if self.xact.in_block() {
            let t = self.limits.idle_in_transaction_timeout?;
            Some((
                t,
                PgError::fatal(
                    sqlstate::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                    "terminating connection due to idle-in-transaction timeout",
                ),
            ))
        } else {
            let t = self.limits.idle_session_timeout?;
            Some((
                t,
                PgError::fatal(
                    sqlstate::IDLE_SESSION_TIMEOUT,
                    "terminating connection due to idle-session timeout",
                ),
            ))
        }
    }

    /// Notifications to send the client now: those committed on the
    /// channels it listens on, unless a transaction block is open (they
    /// wait for its end, as in PostgreSQL).
    pub fn take_notifications(&mut self) -> Vec<shmem::notify_queue::Notification> {
        if self.xact.in_block() {
            return Vec::new();
        }
        self.mvcc
            .notify
            .borrow()
            .take_delivered(&self.env.segment, self.env.slot_index)
    }

    /// Whether the session listens on any channel (its idle wait must
    /// then also watch for notifications).
    pub fn is_listening(&self) -> bool {
        self.mvcc.notify.borrow().is_listening()
    }

    /// Whether notifications wait in the queue for this session; asked
    /// right before an idle wait, after which a new one signals it.
    pub fn notifications_pending(&self) -> bool {
        self.env
            .segment
            .notify_queue()
            .prepare_to_sleep(self.env.slot_index)
    }

    /// The protocol reports that a statement failed. A failed block
    /// without savepoints is aborted at once (its locks released) and
    /// waits for ROLLBACK; with savepoints, ROLLBACK TO decides.
    pub fn on_error(&mut self) {
        self.xact.fail();
        if !self.xact.in_block() || self.xact.savepoint_depth() == 0 {
            self.abort_transaction();
        }
        if !self.xact.in_block() {
            self.env
                .slot
                .xact_start_us
                .store(0, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// DISCARD ALL: abort any transaction, reset every setting, stop
    /// listening (UNLISTEN *).
    pub fn reset_session(&mut self) {
        self.sql_prepared.clear();
        self.clear_plan_cache();
        self.close_cursor(None);
        crate::faults::disarm();
        self.xact.abort(self.settings.get_mut());
        self.abort_transaction();
        self.mvcc.release_session_locks();
        self.mvcc
            .notify
            .borrow_mut()
            .reset(&self.env.segment, self.env.slot_index);
        self.settings.get_mut().reset_all();
        self.env
            .slot
            .xact_start_us
            .store(0, std::sync::atomic::Ordering::Relaxed);
        self.sync_session_settings();
    }
}

fn utility_parts(u: Utility, param_types: &[Oid]) -> PlanParts {
    let columns = u.columns();
    PlanParts {
        param_types: param_types.to_vec(),
        returns_rows: !columns.is_empty(),
        columns,
        action: Action::Utility(u),
        copy_kind: None,
        uses_catalog: false,
        relations: Vec::new(),
        needs_xid: false,
        perms: Vec::new(),
    }
}

fn simple_parts(action: Action, param_types: &[Oid], uses_catalog: bool) -> PlanParts {
    PlanParts {
        action,
        param_types: param_types.to_vec(),
        columns: vec![],
        returns_rows: false,
        copy_kind: None,
        uses_catalog,
        relations: Vec::new(),
        needs_xid: false,
        perms: Vec::new(),
    }
}

/// What the end of a transaction does to its catalog change.
/// Commits the transaction and the catalog change it made (if any): no
/// other backend rebuilds its cache from the commit-log update until the
/// invalidation messages are sent.
pub(super) fn commit_with_catalog(mvcc: &mut XactMvcc, catalog: &mut CatalogCache) -> PgResult<()> {
    catalog.begin_commit();
    let r = mvcc.commit_with(&mut |end| end_catalog_change(catalog, end));
    catalog.release_commit_guard();
    r
}

/// Aborts the transaction and the catalog change it made (if any).
pub(super) fn abort_with_catalog(mvcc: &mut XactMvcc, catalog: &mut CatalogCache) {
    mvcc.abort_with(&mut |end| end_catalog_change(catalog, end));
}

fn end_catalog_change(catalog: &mut CatalogCache, end: XactEnd) {
    match end {
        XactEnd::Committed => catalog.end_transaction(true),
        XactEnd::Aborted => catalog.end_transaction(false),
        XactEnd::Unsettled => catalog.leave_unsettled(),
    }
}

/// Parameters still untyped after analysis are text (as PostgreSQL
/// resolves 'unknown').
/// Whether running `action` writes (it needs a transaction ID's
/// statement setup): DML, COPY FROM, row locks, and EXPLAIN ANALYZE of
/// them (which runs them).
fn action_writes(action: &Action) -> bool {
    match action {
        Action::Modify(_)
        | Action::CopyIn(_)
        | Action::LockedQuery(..)
        | Action::ModifyingWith { .. }
        | Action::Do(_)
        | Action::Call(_) => true,
        Action::Explain(inner, opts, _) => opts.analyze && action_writes(inner),
        _ => false,
    }
}

fn settle_params(params: &mut [Oid]) {
    for t in params {
        if *t == 0 || *t == crate::types::oid::UNKNOWN {
            *t = crate::types::oid::TEXT;
        }
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
