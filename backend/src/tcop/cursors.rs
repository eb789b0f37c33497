//! SQL cursors (PostgreSQL's portalcmds.c and the fetch logic of
//! pquery.c): DECLARE, FETCH and MOVE in every direction, CLOSE, and the
//! cursors' end with their transaction.
//!
//! A cursor keeps its plan running (`crate::livequery`) with the snapshot
//! it was declared with, so FETCH computes only the rows it returns; a
//! scrollable cursor also keeps the rows it has produced, to go back over
//! them. At COMMIT a WITH HOLD cursor is run to its end and keeps its
//! remaining rows; every other cursor closes with its transaction.
//!
//! Positions follow PostgreSQL: 0 is before the first row, k on row k,
//! and one past the last row after the end.

use std::collections::VecDeque;
use std::sync::Arc;

use sqlparser::ast;

use crate::access::xact::StmtXact;
use crate::catalog::Catalog;
use crate::commands::transaction::BlockState;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::RowSink;
use crate::executor::eval::EvalCtx;
use crate::executor::memory::MemBudget;
use crate::executor::subplan::SubplanCache;
use crate::executor::Row;
use crate::fmgr::{CursorInfo, FnCtx};
use crate::livequery::LiveQuery;
use crate::nodes::modify::LockRows;
use crate::nodes::plan::Plan;
use crate::nodes::Column;
use crate::parser::ident;
use crate::types::datetime::now_pg_usecs;
use crate::types::{Oid, Value};

use super::{Action, Engine, PlanParts, Statement};

/// A planned DECLARE.
pub(super) struct DeclarePlan {
    pub(super) name: String,
    binary: bool,
    /// SCROLL (true), NO SCROLL (false), or neither.
    scroll: Option<bool>,
    hold: bool,
    /// The statement as pg_cursors shows it.
    statement: String,
    columns: Vec<Column>,
    plan: Plan,
    /// FOR UPDATE / FOR SHARE: rows locked when the cursor opens.
    lock: Option<Box<LockRows>>,
}

/// FETCH's or MOVE's direction, as PostgreSQL normalizes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FetchDir {
    /// FORWARD n (None: ALL).
    Forward(Option<u64>),
    /// BACKWARD n (None: ALL).
    Backward(Option<u64>),
    Absolute(i64),
    Relative(i64),
}

/// What FETCH or MOVE does.
pub(super) struct FetchPlan {
    name: String,
    dir: FetchDir,
    is_move: bool,
    /// The cursor is BINARY (its rows go out in binary format).
    pub(super) binary: bool,
}

/// The running side of a cursor.
struct Live {
    run: LiveQuery,
    xact: StmtXact,
    catalog: Arc<Catalog>,
    params: Vec<Value>,
    cache: SubplanCache,
    mem: MemBudget,
    stmt_start: i64,
    xact_start: i64,
}

/// Where FETCH sends a row.
type RowEmit<'a> = dyn FnMut(&Row) -> PgResult<()> + 'a;

/// An open cursor.
pub(super) struct Cursor {
    info: CursorInfo,
    columns: Vec<Column>,
    /// Declared in the transaction still running (closed if it aborts).
    this_xact: bool,
    live: Option<Live>,
    /// Rows produced but not yet read by a forward-only cursor (a WITH
    /// HOLD cursor's rest, materialized at commit).
    pending: VecDeque<Row>,
    /// Every row produced so far (scrollable cursors only).
    rows: Vec<Row>,
    produced: usize,
    done: bool,
    pos: usize,
}

fn scan_forward_error() -> PgError {
    PgError::new(
        sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
        "cursor can only scan forward",
    )
    .with_hint("Declare it with SCROLL option to enable backward scan.")
}

pub(super) fn no_cursor(name: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_CURSOR_NAME,
        format!("cursor \"{name}\" does not exist"),
    )
}

/// Whether running `plan` backward is possible, as ExecSupportsBackwardScan
/// decides the default scrollability of a cursor.
fn supports_backward(plan: &Plan) -> bool {
    match plan {
        Plan::Result
        | Plan::Values(_)
        | Plan::ViewScan(_)
        | Plan::Scan(_)
        | Plan::FunctionScan(_)
        | Plan::Sort { .. } => true,
        Plan::Filter { input, .. }
        | Plan::Project { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Unique { input, .. } => supports_backward(input),
        Plan::Append(inputs) => inputs.iter().all(supports_backward),
        _ => false,
    }
}

fn count_of(v: &ast::ValueWithSpan) -> PgResult<i64> {
    match &v.value {
        ast::Value::Number(n, _) => n
            .parse::<i64>()
            .map_err(|_| PgError::new(sqlstate::SYNTAX_ERROR, format!("invalid fetch count {n}"))),
        _ => Err(PgError::new(sqlstate::SYNTAX_ERROR, "invalid fetch count")),
    }
}

/// A signed count: negative goes the other way.
fn signed(n: i64, forward: bool) -> FetchDir {
    let m = Some(n.unsigned_abs());
    if (n >= 0) == forward {
        FetchDir::Forward(m)
    } else {
        FetchDir::Backward(m)
    }
}

fn fetch_dir(d: &ast::FetchDirection) -> PgResult<FetchDir> {
    use ast::FetchDirection as D;
    Ok(match d {
        D::Count { limit } => signed(count_of(limit)?, true),
        D::Next => FetchDir::Forward(Some(1)),
        D::Prior => FetchDir::Backward(Some(1)),
        D::First => FetchDir::Absolute(1),
        D::Last => FetchDir::Absolute(-1),
        D::Absolute { limit } => FetchDir::Absolute(count_of(limit)?),
        D::Relative { limit } => FetchDir::Relative(count_of(limit)?),
        D::All | D::ForwardAll => FetchDir::Forward(None),
        D::BackwardAll => FetchDir::Backward(None),
        D::Forward { limit } => match limit {
            Some(l) => signed(count_of(l)?, true),
            None => FetchDir::Forward(Some(1)),
        },
        D::Backward { limit } => match limit {
            Some(l) => signed(count_of(l)?, false),
            None => FetchDir::Backward(Some(1)),
        },
    })
}

impl Cursor {
    fn scrollable(&self) -> bool {
        self.info.scrollable
    }

    /// The next row from the plan (or the materialized rest).
    fn pull(&mut self, ctx: &CursorCtx) -> PgResult<Option<Row>> {
        if self.done {
            return Ok(None);
        }
        crate::interrupts::check_for_interrupts()?;
        let row = match self.pending.pop_front() {
            Some(r) => Some(r),
            None => match &mut self.live {
                Some(live) => live.next(ctx)?,
                None => None,
            },
        };
        match &row {
            Some(r) => {
                self.produced += 1;
                if self.scrollable() {
                    self.rows.push(r.clone());
                }
            }
            None => {
                self.done = true;
                self.live = None;
            }
        }
        Ok(row)
    }

    /// Row k (1-based) if it exists, reading forward as needed; a
    /// forward-only cursor reads only row `produced + 1`.
    fn row(&mut self, k: usize, ctx: &CursorCtx) -> PgResult<Option<Row>> {
        if self.scrollable() {
            while self.rows.len() < k && !self.done {
                self.pull(ctx)?;
            }
            return Ok(self.rows.get(k.wrapping_sub(1)).cloned());
        }
        let mut last = None;
        while self.produced < k {
            last = self.pull(ctx)?;
            if last.is_none() {
                break;
            }
        }
        Ok(last)
    }

    /// Moves onto row `t` (> 0), returning it; past the end if there is
    /// no such row.
    fn goto(&mut self, t: usize, ctx: &CursorCtx) -> PgResult<Option<Row>> {
        match self.row(t, ctx)? {
            Some(r) => {
                self.pos = t;
                Ok(Some(r))
            }
            None => {
                self.pos = self.produced + 1;
                Ok(None)
            }
        }
    }

    /// Reads to the end: the row count.
    fn total(&mut self, ctx: &CursorCtx) -> PgResult<usize> {
        while !self.done {
            self.pull(ctx)?;
        }
        Ok(self.produced)
    }

    fn on_row(&self) -> bool {
        self.pos >= 1 && self.pos <= self.produced
    }

    /// Runs FETCH (`emit` Some) or MOVE: the number of rows.
    fn fetch(
        &mut self,
        dir: FetchDir,
        ctx: &CursorCtx,
        mut emit: Option<&mut RowEmit>,
    ) -> PgResult<u64> {
        let scroll = self.scrollable();
        let is_move = emit.is_none();
        let dir = match dir {
            FetchDir::Backward(Some(0)) if !scroll => return Err(scan_forward_error()),
            FetchDir::Backward(Some(0)) | FetchDir::Forward(Some(0)) => FetchDir::Relative(0),
            d => d,
        };
        let mut out = |r: Row| -> PgResult<()> {
            if let Some(e) = emit.as_mut() {
                e(&r)?;
            }
            Ok(())
        };
        let one = |r: Option<Row>, out: &mut dyn FnMut(Row) -> PgResult<()>| -> PgResult<u64> {
            match r {
                Some(r) => out(r).map(|_| 1),
                None => Ok(0),
            }
        };
        match dir {
            FetchDir::Relative(0) => {
                if !self.on_row() {
                    return Ok(0);
                }
                if is_move {
                    return Ok(1);
                }
                if !scroll {
                    return Err(scan_forward_error());
                }
                let r = self.rows[self.pos - 1].clone();
                out(r)?;
                Ok(1)
            }
            FetchDir::Forward(count) => {
                let count = count.unwrap_or(u64::MAX);
                let mut n = 0;
                while n < count {
                    match self.row(self.pos + 1, ctx)? {
                        Some(r) => {
                            self.pos += 1;
                            n += 1;
                            out(r)?;
                        }
                        None => {
                            self.pos = self.produced + 1;
                            break;
                        }
                    }
                }
                Ok(n)
            }
            FetchDir::Backward(count) => {
                if !scroll {
                    return Err(scan_forward_error());
                }
                let count = count.unwrap_or(u64::MAX);
                let mut n = 0;
                while n < count {
                    if self.pos <= 1 {
                        self.pos = 0;
                        break;
                    }
                    self.pos -= 1;
                    n += 1;
                    let r = self.rows[self.pos - 1].clone();
                    out(r)?;
                }
                Ok(n)
            }
            FetchDir::Absolute(k) if k > 0 => {
                let t = k as usize;
                if !scroll && t <= self.pos {
                    return Err(scan_forward_error());
                }
                let r = self.goto(t, ctx)?;
                one(r, &mut out)
            }
            FetchDir::Absolute(0) => {
                if !scroll && self.pos != 0 {
                    return Err(scan_forward_error());
                }
                self.pos = 0;
                Ok(0)
            }
            FetchDir::Absolute(k) => {
                if !scroll {
                    return Err(scan_forward_error());
                }
                let total = self.total(ctx)? as i64;
                let t = total + 1 + k;
                if t < 1 {
                    self.pos = 0;
                    return Ok(0);
                }
                let r = self.goto(t as usize, ctx)?;
                one(r, &mut out)
            }
            FetchDir::Relative(k) => {
                if k < 0 && !scroll {
                    return Err(scan_forward_error());
                }
                let t = self.pos as i64 + k;
                if t < 1 {
                    self.pos = 0;
                    return Ok(0);
                }
                let r = self.goto(t as usize, ctx)?;
                one(r, &mut out)
            }
        }
    }

    /// WITH HOLD at commit: the rest of the rows, read now with the
    /// cursor's snapshot, kept after the transaction.
    fn materialize(&mut self, ctx: &CursorCtx) -> PgResult<()> {
        let scroll = self.scrollable();
        while !self.done {
            let Some(live) = &mut self.live else { break };
            crate::interrupts::check_for_interrupts()?;
            match live.next(ctx)? {
                Some(r) if scroll => self.rows.push(r),
                Some(r) => self.pending.push_back(r),
                None => break,
            }
        }
        self.live = None;
        Ok(())
    }
}

/// What a cursor's plan reads besides its own state: the session.
pub(super) struct CursorCtx<'a> {
    session: &'a crate::fmgr::SessionInfo,
    settings: &'a std::cell::RefCell<crate::utils::settings::Settings>,
    pool: shmem::buffer::BufferPool,
}

impl Live {
    fn next(&mut self, c: &CursorCtx) -> PgResult<Option<Row>> {
        let Live {
            run,
            xact,
            catalog,
            params,
            cache,
            mem,
            stmt_start,
            xact_start,
        } = self;
        let ctx = EvalCtx {
            fcx: FnCtx {
                session: c.session,
                settings: c.settings,
                xact_start: *xact_start,
                stmt_start: *stmt_start,
                catalog,
                pool: c.pool,
                xact,
            },
            params,
            outer: &[],
            cache,
            mem,
        };
        run.next(&ctx)
    }
}

impl Engine {
    /// Plans DECLARE: the query as a SELECT, kept in the cursor's plan.
    pub(super) fn plan_declare(
        &mut self,
        stmt: &Statement,
        d: &ast::Declare,
        param_types: &[Oid],
    ) -> PgResult<PlanParts> {
        let (Some(q), Some(name)) = (&d.for_query, d.names.first()) else {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "syntax error at or near \"DECLARE\"",
            ));
        };
        let inner = Statement {
            ast: Arc::new(ast::Statement::Query(q.clone())),
            text: stmt.text.clone(),
        };
        let mut parts = self.plan_statement(&inner, param_types)?;
        let columns = std::mem::take(&mut parts.columns);
        let action = std::mem::replace(&mut parts.action, Action::Checkpoint);
        let (plan, lock) = match action {
            Action::Query(p) => (p, None),
            Action::LockedQuery(l, p) => (p, Some(l)),
            Action::ModifyingWith { .. } => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "DECLARE CURSOR must not contain data-modifying statements in WITH",
                ))
            }
            _ => {
                return Err(PgError::internal(
                    "DECLARE of a statement that is not a query",
                ))
            }
        };
        let hold = d.hold == Some(true);
        if lock.is_some() && (d.scroll == Some(true) || hold) {
            let (what, detail) = if d.scroll == Some(true) {
                ("SCROLL", "Scrollable cursors must be READ ONLY.")
            } else {
                ("WITH HOLD", "Holdable cursors must be READ ONLY.")
            };
            let what = if what == "SCROLL" {
                format!("DECLARE {what} CURSOR ... FOR UPDATE is not supported")
            } else {
                format!("DECLARE CURSOR {what} ... FOR UPDATE is not supported")
            };
            return Err(PgError::new(sqlstate::FEATURE_NOT_SUPPORTED, what).with_detail(detail));
        }
        parts.action = Action::Declare(Arc::new(DeclarePlan {
            name: ident(name),
            binary: d.binary == Some(true),
            scroll: d.scroll,
            hold,
            statement: stmt.text.full.to_string(),
            columns,
            plan,
            lock,
        }));
        parts.returns_rows = false;
        Ok(parts)
    }

    /// Plans FETCH or MOVE: the result columns are the cursor's.
    pub(super) fn plan_fetch(
        &mut self,
        stmt: &Statement,
        name: &ast::Ident,
        direction: &ast::FetchDirection,
        param_types: &[Oid],
    ) -> PgResult<PlanParts> {
        let is_move = stmt
            .text
            .sql
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("move"));
        let name = ident(name);
        let dir = fetch_dir(direction)?;
        let (columns, binary) = match self.cursors.get(&name) {
            Some(c) if !is_move => (c.columns.clone(), c.info.binary),
            _ => (Vec::new(), false),
        };
        let action = Action::Fetch(Box::new(FetchPlan {
            name,
            dir,
            is_move,
            binary,
        }));
        let mut parts = super::simple_parts(action, param_types, false);
        parts.returns_rows = !columns.is_empty();
        parts.columns = columns;
        Ok(parts)
    }

    /// Opens the cursor of a DECLARE, its snapshot `sx` taken and its
    /// tables locked.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn declare_cursor(
        &mut self,
        d: &Arc<DeclarePlan>,
        sx: StmtXact,
        params: &[Value],
        stmt_start: i64,
        portal_exists: bool,
    ) -> PgResult<String> {
        if !d.hold && !self.xact.in_block() {
            return Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "DECLARE CURSOR can only be used in transaction blocks",
            ));
        }
        if self.cursors.contains_key(&d.name) || portal_exists {
            return Err(PgError::new(
                sqlstate::DUPLICATE_CURSOR,
                format!("cursor \"{}\" already exists", d.name),
            ));
        }
        if d.name.is_empty() {
            return Err(PgError::new(
                sqlstate::INVALID_CURSOR_NAME,
                "invalid cursor name: must not be empty",
            ));
        }
        let catalog = self.catalog.get().clone();
        let mut sx = sx;
        if let Some(lock) = &d.lock {
            let cache = SubplanCache::default();
            let mem = MemBudget::new(self.limits.statement_mem);
            let ctx = EvalCtx {
                fcx: FnCtx {
                    session: &self.session,
                    settings: &self.settings,
                    xact_start: self.xact_start,
                    stmt_start,
                    catalog: &catalog,
                    pool: self.env.segment.buffer_pool(),
                    xact: &sx,
                },
                params,
                outer: &[],
                cache: &cache,
                mem: &mem,
            };
            lock.run(&ctx)?;
            if !sx.repeatable_read {
                // A new snapshot sees the versions just locked.
                let policy = sx.policy;
                sx = self.mvcc.start_statement(&self.limits, false, policy)?;
            }
        }
        let scrollable = match d.scroll {
            Some(s) => s,
            None => d.lock.is_none() && supports_backward(&d.plan),
        };
        let live = Live {
            run: LiveQuery::new(d.clone(), |d: &DeclarePlan| &d.plan),
            xact: sx,
            catalog,
            params: params.to_vec(),
            cache: SubplanCache::default(),
            mem: MemBudget::new(self.limits.statement_mem),
            stmt_start,
            xact_start: self.xact_start,
        };
        self.cursors.insert(
            d.name.clone(),
            Cursor {
                info: CursorInfo {
                    name: d.name.clone(),
                    statement: d.statement.clone(),
                    holdable: d.hold,
                    binary: d.binary,
                    scrollable,
                    created: now_pg_usecs(),
                },
                columns: d.columns.clone(),
                this_xact: true,
                live: Some(live),
                pending: VecDeque::new(),
                rows: Vec::new(),
                produced: 0,
                done: false,
                pos: 0,
            },
        );
        self.sync_cursor_view();
        Ok("DECLARE CURSOR".into())
    }

    /// FETCH or MOVE.
    pub(super) fn fetch_cursor(
        &mut self,
        f: &FetchPlan,
        sink: &mut dyn RowSink,
    ) -> PgResult<String> {
        let ctx = CursorCtx {
            session: &self.session,
            settings: &self.settings,
            pool: self.env.segment.buffer_pool(),
        };
        let Some(c) = self.cursors.get_mut(&f.name) else {
            return Err(no_cursor(&f.name));
        };
        let n = if f.is_move {
            c.fetch(f.dir, &ctx, None)?
        } else {
            let mut emit = |r: &Row| sink.row(r);
            c.fetch(f.dir, &ctx, Some(&mut emit))?
        };
        Ok(format!("{} {n}", if f.is_move { "MOVE" } else { "FETCH" }))
    }

    /// Protocol Execute of a portal named like a cursor: the next `max`
    /// rows (None: all); true when the cursor has more.
    pub fn fetch_cursor_rows(
        &mut self,
        name: &str,
        max: Option<u64>,
        sink: &mut dyn RowSink,
    ) -> PgResult<(u64, bool)> {
        let f = FetchPlan {
            name: name.to_owned(),
            dir: FetchDir::Forward(max),
            is_move: false,
            binary: false,
        };
        if self.xact.state == BlockState::Failed {
            return Err(super::transaction::aborted_error());
        }
        let tag = self.fetch_cursor(&f, sink)?;
        let n: u64 = tag
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let more = max.is_some_and(|m| n == m);
        Ok((n, more))
    }

    /// A cursor's result columns and whether it is BINARY (Describe of a
    /// portal named like it).
    pub fn cursor_description(&self, name: &str) -> Option<(Vec<Column>, bool)> {
        self.cursors
            .get(name)
            .map(|c| (c.columns.clone(), c.info.binary))
    }

    /// CLOSE of a cursor; false when none has that name.
    pub(super) fn close_cursor(&mut self, name: Option<&str>) -> bool {
        let found = match name {
            Some(n) => self.cursors.remove(n).is_some(),
            None => {
                self.cursors.clear();
                true
            }
        };
        self.sync_cursor_view();
        found
    }

    /// Whether a cursor still runs its plan (and so needs its snapshot's
    /// xmin kept between statements).
    pub(super) fn has_live_cursors(&self) -> bool {
        self.cursors.values().any(|c| c.live.is_some())
    }

    /// Before COMMIT: WITH HOLD cursors read their remaining rows; the
    /// others close.
    pub(super) fn cursors_pre_commit(&mut self) -> PgResult<()> {
        if self.cursors.is_empty() {
            return Ok(());
        }
        self.cursors.retain(|_, c| c.info.holdable);
        let ctx = CursorCtx {
            session: &self.session,
            settings: &self.settings,
            pool: self.env.segment.buffer_pool(),
        };
        let mut result = Ok(());
        for c in self.cursors.values_mut() {
            if result.is_ok() {
                result = c.materialize(&ctx);
            }
            c.this_xact = false;
        }
        if result.is_err() {
            self.cursors.clear();
        }
        self.sync_cursor_view();
        result
    }

    /// At abort: cursors of the aborted transaction close; WITH HOLD
    /// cursors of committed ones stay.
    pub(super) fn cursors_at_abort(&mut self) {
        if self.cursors.is_empty() {
            return;
        }
        self.cursors
            .retain(|_, c| c.info.holdable && !c.this_xact && c.live.is_none());
        self.sync_cursor_view();
    }

    fn sync_cursor_view(&mut self) {
        self.session.cursors = self.cursors.values().map(|c| c.info.clone()).collect();
    }
}
