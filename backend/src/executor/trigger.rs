//! Firing triggers around INSERT, UPDATE and DELETE (PostgreSQL's
//! trigger.c, in small): BEFORE ROW triggers see each row before it is
//! written and may change it (a returned row) or skip it (NULL); AFTER
//! ROW triggers are queued here and fired when the statement's rows are
//! all written, after which AFTER STATEMENT triggers fire. INSERT (with
//! ON CONFLICT DO UPDATE: UPDATE's too), UPDATE and DELETE (joined or
//! not), COPY FROM and TRUNCATE (statement triggers only) use it; only
//! triggers enabled for session_replication_role = origin (tgenabled
//! 'O' or 'A') fire. The trigger
//! functions themselves run through the handler the PL/pgSQL layer
//! installs ([`set_trigger_handler`]), which sits above the executor.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use crate::catalog::function::FunctionDesc;
use crate::catalog::trigger::{self, TriggerDesc};
use crate::catalog::TableDesc;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::EvalCtx;
use crate::types::Value;

/// One firing of a trigger.
pub struct TriggerCall<'a> {
    pub trigger: &'a TriggerDesc,
    pub function: &'a FunctionDesc,
    pub table: &'a TableDesc,
    /// trigger::INSERT, UPDATE, DELETE or TRUNCATE.
    pub event: i16,
    pub new: Option<&'a [Value]>,
    pub old: Option<&'a [Value]>,
}

/// Runs a trigger function; for a BEFORE ROW trigger, the row it
/// returned (None: NULL, skip the row).
pub type TriggerHandler = fn(&TriggerCall, &EvalCtx) -> PgResult<Option<Vec<Value>>>;

static HANDLER: OnceLock<TriggerHandler> = OnceLock::new();

/// Installs the trigger-function handler (once per process).
pub fn set_trigger_handler(h: TriggerHandler) {
    let _ = HANDLER.set(h);
}

type Queued = (i16, Option<Vec<Value>>, Option<Vec<Value>>);

/// The enabled triggers of a statement's target table, and its queue of
/// AFTER ROW events.
pub struct Triggers {
    table: Arc<TableDesc>,
    list: Vec<(Arc<TriggerDesc>, Arc<FunctionDesc>)>,
    /// The columns an UPDATE sets (attnums, 1-based).
    set_columns: Vec<i16>,
    queue: RefCell<Vec<Queued>>,
}

impl Triggers {
    /// The table's enabled triggers, in name order; None when it has none.
    pub fn for_table(ctx: &EvalCtx, table: &Arc<TableDesc>) -> Option<Triggers> {
        let mut list: Vec<(Arc<TriggerDesc>, Arc<FunctionDesc>)> = ctx
            .catalog
            .triggers
            .iter()
            .filter(|t| t.table == table.oid && t.fires_in_origin())
            .filter_map(|t| {
                ctx.catalog
                    .function_by_oid(t.function)
                    .map(|f| (t.clone(), f.clone()))
            })
            .collect();
        if list.is_empty() {
            return None;
        }
        list.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Some(Triggers {
            table: table.clone(),
            list,
            set_columns: Vec::new(),
            queue: RefCell::new(Vec::new()),
        })
    }

    /// The columns an UPDATE sets (0-based), for UPDATE OF triggers.
    pub fn with_set_columns(mut self, cols: impl Iterator<Item = usize>) -> Triggers {
        self.set_columns = cols.map(|c| c as i16 + 1).collect();
        self
    }

    fn applies(&self, t: &TriggerDesc, event: i16) -> bool {
        t.fires_on(event)
            && (event != trigger::UPDATE
                || t.columns.is_empty()
                || t.columns.iter().any(|c| self.set_columns.contains(c)))
    }

    fn call(
        &self,
        t: &TriggerDesc,
        f: &FunctionDesc,
        event: i16,
        new: Option<&[Value]>,
        old: Option<&[Value]>,
        ctx: &EvalCtx,
    ) -> PgResult<Option<Vec<Value>>> {
        let h = HANDLER.get().ok_or_else(|| {
            PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "trigger functions cannot run here",
            )
        })?;
        h(
            &TriggerCall {
                trigger: t,
                function: f,
                table: &self.table,
                event,
                new,
                old,
            },
            ctx,
        )
    }

    /// BEFORE STATEMENT triggers.
    pub fn before_statement(&self, event: i16, ctx: &EvalCtx) -> PgResult<()> {
        for (t, f) in &self.list {
            if t.is_before() && !t.is_row() && self.applies(t, event) {
                self.call(t, f, event, None, None, ctx)?;
            }
        }
        Ok(())
    }

    /// BEFORE ROW triggers over one row: the row to write (for DELETE,
    /// the old row), or None to skip it.
    pub fn before_row(
        &self,
        event: i16,
        new: Option<Vec<Value>>,
        old: Option<&[Value]>,
        ctx: &EvalCtx,
    ) -> PgResult<Option<Vec<Value>>> {
        let mut cur = match event {
            trigger::DELETE => old.map(|o| o.to_vec()),
            _ => new,
        };
        for (t, f) in &self.list {
            if !(t.is_before() && t.is_row() && self.applies(t, event)) {
                continue;
            }
            let Some(row) = cur.take() else {
                return Ok(None);
            };
            let (n, o) = match event {
                trigger::DELETE => (None, Some(row.as_slice())),
                trigger::INSERT => (Some(row.as_slice()), None),
                _ => (Some(row.as_slice()), old),
            };
            cur = self.call(t, f, event, n, o, ctx)?;
            if cur.is_none() {
                return Ok(None);
            }
        }
        Ok(cur)
    }

    /// Whether any AFTER ROW trigger fires on `event`.
    pub fn has_after_row(&self, event: i16) -> bool {
        self.list
            .iter()
            .any(|(t, _)| !t.is_before() && t.is_row() && self.applies(t, event))
    }

    /// Queues an AFTER ROW event.
    pub fn after_row(&self, event: i16, new: Option<&[Value]>, old: Option<&[Value]>) {
        if self.has_after_row(event) {
            self.queue
                .borrow_mut()
                .push((event, new.map(|r| r.to_vec()), old.map(|r| r.to_vec())));
        }
    }

    /// At the end of the statement: the queued AFTER ROW events, then
    /// the AFTER STATEMENT triggers of each of `events` in turn (an
    /// INSERT ... ON CONFLICT DO UPDATE fires UPDATE's, then INSERT's, as
    /// PostgreSQL's fireASTriggers).
    pub fn after_statement(&self, events: &[i16], ctx: &EvalCtx) -> PgResult<()> {
        let queue = std::mem::take(&mut *self.queue.borrow_mut());
        for (ev, new, old) in &queue {
            crate::interrupts::check_for_interrupts()?;
            for (t, f) in &self.list {
                if !t.is_before() && t.is_row() && self.applies(t, *ev) {
                    self.call(t, f, *ev, new.as_deref(), old.as_deref(), ctx)?;
                }
            }
        }
        for &event in events {
            for (t, f) in &self.list {
                if !t.is_before() && !t.is_row() && self.applies(t, event) {
                    self.call(t, f, event, None, None, ctx)?;
                }
            }
        }
        Ok(())
    }
}
