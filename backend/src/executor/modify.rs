//! Execution of INSERT, UPDATE and DELETE (PostgreSQL's
//! nodeModifyTable) through [`TableAccess`], which keeps indexes and
//! constraints. UPDATE and DELETE collect their target rows before
//! changing any (and a statement never sees its own changes), so a row
//! moved or re-keyed by the statement is not seen twice. A row another
//! transaction changed first is handled by [`change_row`].

use crate::access::table::{TableAccess, UpdateFailure};
use crate::access::visibility::TmResult;
use crate::access::ItemPointer;
use crate::catalog::trigger;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::build;
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::executor::instrument::Counted;
use crate::executor::ri::Ri;
use crate::executor::scan::TableCursor;
use crate::executor::trigger::Triggers;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::modify::{
    ConflictAction, LockRows, Modify, ModifyKind, ModifyingCtePlan, OnConflict,
};
use crate::nodes::plan::ScanPlan;
use crate::types::Value;

/// The foreign key events of a statement's data-modifying WITH queries,
/// handled after its main query, as PostgreSQL fires AFTER triggers at
/// the end of the whole statement (so a WITH query may insert a row
/// whose referenced row the main query inserts).
pub struct DeferredChecks<'p>(Vec<Ri<'p>>);

impl DeferredChecks<'_> {
    pub fn finish(mut self, ctx: &EvalCtx) -> PgResult<()> {
        for ri in &mut self.0 {
            ri.finish(ctx)?;
        }
        Ok(())
    }
}

/// Runs a statement's data-modifying WITH queries, each once and to
/// completion, before the rest of the statement: all with the
/// statement's snapshot and command id, so none sees another's changes
/// (nor does the rest of the statement); each one's RETURNING rows fill
/// its worktable.
pub fn run_modifying_ctes<'p>(
    ctes: &'p [ModifyingCtePlan],
    ctx: &EvalCtx,
) -> PgResult<DeferredChecks<'p>> {
    let mut checks = Vec::with_capacity(ctes.len());
    for cte in ctes {
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let mut ri = Ri::new(&cte.modify.constraints);
        // EXPLAIN ANALYZE counts each as a ModifyTable node (keyed by its
        // address), its rows those of RETURNING.
        let m: &Modify = &cte.modify;
        let counted = Counted::for_key(m as *const Modify as usize);
        let timer = counted.as_ref().map(Counted::start);
        let returning = cte.modify.returning.is_some();
        cte.modify.run_queued(
            ctx,
            &mut |row| {
                ctx.mem.charge(super::memory::row_bytes(row))?;
                rows.push(row.to_vec());
                Ok(())
            },
            &mut ri,
        )?;
        if let (Some(c), Some(t)) = (&counted, timer) {
            c.stop(t, if returning { rows.len() as u64 } else { 0 });
            c.end_loop(0);
        }
        checks.push(ri);
        ctx.cache
            .worktables
            .borrow_mut()
            .insert(cte.id, std::rc::Rc::new(rows));
    }
    Ok(DeferredChecks(checks))
}

impl Modify {
    /// The command tag for `n` rows.
    pub fn tag(&self, n: u64) -> String {
        match self.kind {
            ModifyKind::Insert { .. } => super::command_tag("INSERT 0", n),
            ModifyKind::Update { .. } => super::command_tag("UPDATE", n),
            ModifyKind::Delete { .. } => super::command_tag("DELETE", n),
        }
    }

    /// Runs the statement; RETURNING rows go to `emit`. Returns the
    /// number of rows inserted, updated or deleted. A statement that
    /// fails leaves nothing visible: its transaction aborts.
    pub fn run(
        &self,
        ctx: &EvalCtx,
        emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
    ) -> PgResult<u64> {
        let mut ri = Ri::new(&self.constraints);
        let n = self.run_queued(ctx, emit, &mut ri)?;
        ri.finish(ctx)?;
        Ok(n)
    }

    /// Runs the statement, leaving its foreign key events queued in `ri`
    /// for the caller to handle.
    pub fn run_queued<'c>(
        &'c self,
        ctx: &EvalCtx,
        emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
        ri: &mut Ri<'c>,
    ) -> PgResult<u64> {
        let mut acc = TableAccess::new(
            ctx.pool,
            self.table.table.clone(),
            self.table.indexes.clone(),
            ctx.xact,
        );
        let checks_views = !matches!(self.kind, ModifyKind::Delete { .. });
        let mut ret = |row: &[Value]| -> PgResult<()> {
            if checks_views {
                self.check_views(row, ctx)?;
            }
            if let Some(r) = &self.returning {
                let out: Vec<Value> = r
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<PgResult<_>>()?;
                emit(&out)?;
            }
            Ok(())
        };
        let ri_on = !self.constraints.is_empty();
        let target = self.table.table.oid;
        let event = match &self.kind {
            ModifyKind::Insert { .. } => trigger::INSERT,
            ModifyKind::Update { .. } => trigger::UPDATE,
            ModifyKind::Delete { .. } => trigger::DELETE,
        };
        // INSERT ... ON CONFLICT DO UPDATE fires UPDATE's triggers too.
        let upsert_sets = match &self.kind {
            ModifyKind::Insert {
                on_conflict: Some(oc),
                ..
            } => match &oc.action {
                ConflictAction::Update { sets, .. } => Some(sets),
                ConflictAction::Nothing => None,
            },
            _ => None,
        };
        let trig = Triggers::for_table(ctx, &self.table.table).map(|t| match &self.kind {
            ModifyKind::Update { sets, .. } => t.with_set_columns(sets.iter().map(|s| s.0)),
            _ => match upsert_sets {
                Some(sets) => t.with_set_columns(sets.iter().map(|s| s.0)),
                None => t,
            },
        });
        let events: &[i16] = match (event, upsert_sets) {
            (trigger::INSERT, Some(_)) => &[trigger::UPDATE, trigger::INSERT],
            (trigger::INSERT, None) => &[trigger::INSERT],
            (trigger::UPDATE, _) => &[trigger::UPDATE],
            _ => &[trigger::DELETE],
        };
        if let Some(t) = &trig {
            // BEFORE STATEMENT: INSERT's, then UPDATE's (fireBSTriggers).
            for &e in events.iter().rev() {
                t.before_statement(e, ctx)?;
            }
        }
        if let Some(join) = &self.join {
            let n = self.run_joined(join, &mut acc, ctx, emit, ri, trig.as_ref())?;
            if let Some(t) = &trig {
                t.after_statement(events, ctx)?;
            }
            return Ok(n);
        }
        let mut n = 0u64;
        match &self.kind {
            ModifyKind::Insert {
                source,
                exprs,
                values,
                on_conflict,
            } => {
                let mut node = build(source);
                let mut pending = Vec::new();
                if !*values {
                    while let Some(src) = node.next(ctx)? {
                        check_for_interrupts()?;
                        ctx.mem.charge_row(&src)?;
                        pending.push(src);
                    }
                }
                let mut pending = pending.into_iter();
                loop {
                    let src = if *values {
                        node.next(ctx)?
                    } else {
                        pending.next()
                    };
                    let Some(src) = src else { break };
                    check_for_interrupts()?;
                    let mut row: Vec<Value> = exprs
                        .iter()
                        .map(|e| eval(e, &src, ctx))
                        .collect::<PgResult<_>>()?;
                    if let Some(t) = &trig {
                        match t.before_row(trigger::INSERT, Some(row), None, ctx)? {
                            Some(r) => row = r,
                            None => continue,
                        }
                    }
                    if ri_on {
                        ri.check_domains(&acc.table, &row, ctx)?;
                    }
                    acc.check_row(&mut row)?;
                    if ri_on {
                        ri.check_row(&acc.table, &row, ctx)?;
                    }
                    let oc = on_conflict.as_ref();
                    if let Some(changed) =
                        insert_one(&mut acc, row, oc, ctx, ri, &mut ret, trig.as_ref())?
                    {
                        n += u64::from(changed);
                    }
                }
            }
            ModifyKind::Update {
                scan,
                recheck,
                sets,
            } => {
                for (tid, row) in collect(scan, ctx)? {
                    check_for_interrupts()?;
                    let mut skipped = false;
                    let mut old_row: Option<Vec<Value>> = None;
                    let done = change_row(
                        &mut acc,
                        tid,
                        row,
                        recheck.as_ref(),
                        ctx,
                        &mut |acc, tid, old| {
                            let mut new = old.to_vec();
                            for (c, e) in sets {
                                new[*c] = eval(e, old, ctx)?;
                            }
                            if let Some(t) = &trig {
                                match t.before_row(trigger::UPDATE, Some(new), Some(old), ctx)? {
                                    Some(r) => new = r,
                                    None => {
                                        skipped = true;
                                        return Ok(Ok(old.to_vec()));
                                    }
                                }
                                old_row = Some(old.to_vec());
                            }
                            apply_update(acc, (&mut *ri, ri_on, target), tid, old, new, ctx)
                        },
                    )?;
                    if skipped {
                        continue;
                    }
                    if let Some(new) = done {
                        n += 1;
                        if let Some(t) = &trig {
                            t.after_row(trigger::UPDATE, Some(&new), old_row.as_deref());
                        }
                        ret(&new)?;
                    }
                }
            }
            ModifyKind::Delete { scan, recheck } => {
                for (tid, row) in collect(scan, ctx)? {
                    check_for_interrupts()?;
                    let mut skipped = false;
                    let done = change_row(
                        &mut acc,
                        tid,
                        row,
                        recheck.as_ref(),
                        ctx,
                        &mut |acc, tid, old| {
                            if let Some(t) = &trig {
                                if t.before_row(trigger::DELETE, None, Some(old), ctx)?
                                    .is_none()
                                {
                                    skipped = true;
                                    return Ok(Ok(old.to_vec()));
                                }
                            }
                            apply_delete(acc, (&mut *ri, ri_on, target), tid, old)
                        },
                    )?;
                    if skipped {
                        continue;
                    }
                    if let Some(old) = done {
                        n += 1;
                        if let Some(t) = &trig {
                            t.after_row(trigger::DELETE, None, Some(&old));
                        }
                        ret(&old)?;
                    }
                }
            }
        }
        if let Some(t) = &trig {
            t.after_statement(events, ctx)?;
        }
        Ok(n)
    }
}

impl LockRows {
    /// Locks every row the WHERE selects.
    pub fn run(&self, ctx: &EvalCtx) -> PgResult<()> {
        let mut acc = TableAccess::new(ctx.pool, self.table.table.clone(), Vec::new(), ctx.xact);
        for (tid, row) in collect(&self.scan, ctx)? {
            check_for_interrupts()?;
            change_row(
                &mut acc,
                tid,
                row,
                self.recheck.as_ref(),
                ctx,
                &mut |acc, tid, cur| {
                    Ok(match acc.lock_row(tid)? {
                        TmResult::Ok => Ok(cur.to_vec()),
                        TmResult::BeingModified(_) if self.nowait => {
                            return Err(PgError::new(
                                sqlstate::LOCK_NOT_AVAILABLE,
                                format!(
                                    "could not obtain lock on row in relation \"{}\"",
                                    acc.table.name
                                ),
                            ))
                        }
                        r => Err(r),
                    })
                },
            )?;
        }
        Ok(())
    }
}

/// What a change attempt on one row version returns: the row to report,
/// or why the version may not be changed.
type Attempt = PgResult<Result<Vec<Value>, TmResult>>;

/// The referential-integrity state of a statement: its checks, whether
/// the table has any, and the table's OID.
type RiCtx<'a, 'r> = (&'a mut Ri<'r>, bool, u32);

/// Checks `new` (typmods, NOT NULL, CHECK and foreign keys) and writes it
/// over the version at `tid`, noting the change for the end-of-statement
/// foreign-key checks.
fn apply_update(
    acc: &mut TableAccess,
    (ri, ri_on, target): RiCtx,
    tid: ItemPointer,
    old: &[Value],
    mut new: Vec<Value>,
    ctx: &EvalCtx,
) -> Attempt {
    if ri_on {
        ri.check_domains(&acc.table, &new, ctx)?;
    }
    acc.check_row(&mut new)?;
    if ri_on {
        ri.check_row(&acc.table, &new, ctx)?;
    }
    Ok(match acc.update(tid, old, &new)? {
        Ok(t) => {
            if ri_on {
                ri.updated(target, old, t, &new);
            }
            Ok(new)
        }
        Err(UpdateFailure::Tm(r)) => Err(r),
        Err(UpdateFailure::Conflict(c)) => return Err(acc.unique_error(&c)),
    })
}

/// Deletes the version at `tid`, noting it for the foreign-key checks.
fn apply_delete(
    acc: &mut TableAccess,
    (ri, ri_on, target): RiCtx,
    tid: ItemPointer,
    old: &[Value],
) -> Attempt {
    Ok(match acc.delete(tid)? {
        TmResult::Ok => {
            if ri_on {
                ri.deleted(target, old);
            }
            Ok(old.to_vec())
        }
        r => Err(r),
    })
}

/// 40001 for REPEATABLE READ when the row changed under the snapshot.
fn serialization_failure(deleted: bool) -> PgError {
    PgError::new(
        sqlstate::SERIALIZATION_FAILURE,
        if deleted {
            "could not serialize access due to concurrent delete"
        } else {
            "could not serialize access due to concurrent update"
        },
    )
}

/// Applies `attempt` to the row version at `tid` (whose values are
/// `row`), following PostgreSQL's rules when another transaction got
/// there first: wait for a writer still in progress; under READ COMMITTED
/// move on to the newest version if it still satisfies `recheck` (an
/// update chain: EvalPlanQual), under REPEATABLE READ fail with 40001.
/// Returns what `attempt` reported, None if the row is gone or no longer
/// qualifies.
pub fn change_row(
    acc: &mut TableAccess,
    mut tid: ItemPointer,
    mut row: Vec<Value>,
    recheck: Option<&Expr>,
    ctx: &EvalCtx,
    attempt: &mut dyn FnMut(&mut TableAccess, ItemPointer, &[Value]) -> Attempt,
) -> PgResult<Option<Vec<Value>>> {
    loop {
        let r = match attempt(acc, tid, &row)? {
            Ok(out) => return Ok(Some(out)),
            Err(r) => r,
        };
        match r {
            TmResult::Ok | TmResult::Invisible | TmResult::SelfModified => return Ok(None),
            TmResult::BeingModified(x) => {
                ctx.xact.wait_for(x)?;
                // The version is unchanged (versions are immutable): try
                // it again now that the other transaction ended.
            }
            TmResult::Deleted if ctx.xact.repeatable_read => {
                return Err(serialization_failure(true))
            }
            TmResult::Deleted => return Ok(None),
            TmResult::Updated(_) if ctx.xact.repeatable_read => {
                return Err(serialization_failure(false))
            }
            TmResult::Updated(next) => {
                let Some((old, _)) = acc.fetch_version(tid)? else {
                    return Ok(None);
                };
                let Some((h, newer)) = acc.fetch_version(next)? else {
                    return Ok(None);
                };
                // A pruned chain whose line pointer was reused: the row is
                // gone.
                if h.t_xmin != old.t_xmax {
                    return Ok(None);
                }
                if let Some(f) = recheck {
                    if !eval_predicate(f, &newer, ctx)? {
                        return Ok(None);
                    }
                }
                tid = next;
                row = newer;
            }
        }
    }
}

/// The rows a scan finds, read completely before any is changed.
fn collect(
    scan: &ScanPlan,
    ctx: &EvalCtx,
) -> PgResult<Vec<(crate::access::ItemPointer, Vec<Value>)>> {
    // EXPLAIN ANALYZE counts the scan as a node of its own.
    let counted = Counted::for_scan(scan);
    let mut opened = counted.as_ref().map(Counted::start);
    let mut cursor = TableCursor::open(scan, &[], ctx)?;
    let mut out = Vec::new();
    loop {
        let timer = opened
            .take()
            .or_else(|| counted.as_ref().map(Counted::start));
        let r = cursor.next(ctx)?;
        if let (Some(c), Some(t)) = (&counted, timer) {
            c.stop(t, u64::from(r.is_some()));
        }
        let Some(r) = r else { break };
        ctx.mem.charge_row(&r.1)?;
        out.push(r);
    }
    if let Some(c) = &counted {
        c.end_loop(cursor.removed);
    }
    Ok(out)
}

impl Modify {
    /// The views' WITH CHECK OPTION conditions on a row just written
    /// (PostgreSQL's ExecWithCheckOptions): a condition not true fails
    /// the statement with 44000, showing the row.
    fn check_views(&self, row: &[Value], ctx: &EvalCtx) -> PgResult<()> {
        for c in &self.view_checks {
            if !eval_predicate(&c.qual, row, ctx)? {
                let width = self.table.table.columns.len();
                let shown: Vec<String> = self.table.table.columns[..width]
                    .iter()
                    .zip(row)
                    .filter(|(col, _)| !col.dropped)
                    .map(|(_, v)| crate::access::table::show(v))
                    .collect();
                return Err(PgError::new(
                    sqlstate::WITH_CHECK_OPTION_VIOLATION,
                    format!("new row violates check option for view \"{}\"", c.view),
                )
                .with_detail(format!("Failing row contains ({}).", shown.join(", "))));
            }
        }
        Ok(())
    }

    /// UPDATE ... FROM / DELETE ... USING: each target row changes once,
    /// joined to the first row of `join` that satisfies the filter (which
    /// one is unspecified in PostgreSQL too); SET and RETURNING read the
    /// target row followed by that row.
    fn run_joined(
        &self,
        join: &crate::nodes::plan::Plan,
        acc: &mut TableAccess,
        ctx: &EvalCtx,
        emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
        ri: &mut Ri,
        trig: Option<&Triggers>,
    ) -> PgResult<u64> {
        let ri_on = !self.constraints.is_empty();
        let target = self.table.table.oid;
        let (scan, filter, sets) = match &self.kind {
            ModifyKind::Update {
                scan,
                recheck,
                sets,
            } => (scan, recheck.as_ref(), Some(sets)),
            ModifyKind::Delete { scan, recheck } => (scan, recheck.as_ref(), None),
            ModifyKind::Insert { .. } => return Err(PgError::internal("INSERT with a join")),
        };
        let mut others = Vec::new();
        let mut node = build(join);
        while let Some(r) = node.next(ctx)? {
            check_for_interrupts()?;
            ctx.mem.charge_row(&r)?;
            others.push(r);
        }
        let joined = |row: &[Value], other: &[Value]| -> Vec<Value> {
            let mut j = Vec::with_capacity(row.len() + other.len());
            j.extend_from_slice(row);
            j.extend_from_slice(other);
            j
        };
        let mut n = 0u64;
        for (tid, row) in collect(scan, ctx)? {
            check_for_interrupts()?;
            let mut matched = None;
            for o in &others {
                if filter.map_or(Ok(true), |f| eval_predicate(f, &joined(&row, o), ctx))? {
                    matched = Some(o);
                    break;
                }
            }
            let Some(other) = matched else { continue };
            let mut skipped = false;
            let mut old_row: Option<Vec<Value>> = None;
            let done = change_row(acc, tid, row, None, ctx, &mut |acc, tid, old| match sets {
                Some(sets) => {
                    let both = joined(old, other);
                    let mut new = old.to_vec();
                    for (c, e) in sets {
                        new[*c] = eval(e, &both, ctx)?;
                    }
                    if let Some(t) = trig {
                        match t.before_row(trigger::UPDATE, Some(new), Some(old), ctx)? {
                            Some(r) => new = r,
                            None => {
                                skipped = true;
                                return Ok(Ok(old.to_vec()));
                            }
                        }
                        old_row = Some(old.to_vec());
                    }
                    apply_update(acc, (&mut *ri, ri_on, target), tid, old, new, ctx)
                }
                None => {
                    if let Some(t) = trig {
                        if t.before_row(trigger::DELETE, None, Some(old), ctx)?
                            .is_none()
                        {
                            skipped = true;
                            return Ok(Ok(old.to_vec()));
                        }
                    }
                    apply_delete(acc, (&mut *ri, ri_on, target), tid, old)
                }
            })?;
            if skipped {
                continue;
            }
            if let Some(changed) = done {
                n += 1;
                if sets.is_some() {
                    self.check_views(&changed, ctx)?;
                }
                if let Some(t) = trig {
                    match sets {
                        Some(_) => t.after_row(trigger::UPDATE, Some(&changed), old_row.as_deref()),
                        None => t.after_row(trigger::DELETE, None, Some(&changed)),
                    }
                }
                if let Some(r) = &self.returning {
                    let both = joined(&changed, other);
                    let out: Vec<Value> = r
                        .iter()
                        .map(|e| eval(e, &both, ctx))
                        .collect::<PgResult<_>>()?;
                    emit(&out)?;
                }
            }
        }
        Ok(n)
    }
}

/// Inserts one checked row, applying ON CONFLICT. Returns whether a row
/// was inserted or updated (Some(false): skipped by DO NOTHING/WHERE).
fn insert_one(
    acc: &mut TableAccess,
    row: Vec<Value>,
    on_conflict: Option<&OnConflict>,
    ctx: &EvalCtx,
    ri: &mut Ri,
    ret: &mut dyn FnMut(&[Value]) -> PgResult<()>,
    trig: Option<&Triggers>,
) -> PgResult<Option<bool>> {
    let target = acc.table.oid;
    if let Some(oc) = on_conflict {
        // A deferrable unique index cannot decide a conflict now.
        let arbiter = acc
            .indexes
            .iter()
            .find(|i| i.unique && i.deferrable && oc.index.as_ref().is_none_or(|a| a.oid == i.oid));
        if let Some(i) = arbiter {
            return Err(PgError::new(
                sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "ON CONFLICT does not support deferrable unique constraints/exclusion constraints as arbiters",
            )
            .with_table(
                &crate::catalog::namespace::schema_name(acc.table.namespace),
                &acc.table.name,
            )
            .with_constraint(&i.name));
        }
    }
    // A conflicting row that disappears before we reach it: try again.
    for _ in 0..100 {
        let conflict = match acc.insert(&row)? {
            Ok(tid) => {
                ri.inserted(target, tid, &row);
                if let Some(t) = trig {
                    t.after_row(trigger::INSERT, Some(&row), None);
                }
                ret(&row)?;
                return Ok(Some(true));
            }
            Err(c) => c,
        };
        let Some(oc) = on_conflict else {
            return Err(acc.unique_error(&conflict));
        };
        if oc
            .index
            .as_ref()
            .is_some_and(|i| i.oid != conflict.index.oid)
        {
            return Err(acc.unique_error(&conflict));
        }
        let (sets, filter) = match &oc.action {
            ConflictAction::Nothing => return Ok(Some(false)),
            ConflictAction::Update { sets, filter } => (sets, filter),
        };
        let Some((_, existing)) = acc.fetch_version(conflict.existing)? else {
            continue;
        };
        // Update the conflicting row as it is now (even if our snapshot
        // does not see it), as PostgreSQL's ON CONFLICT DO UPDATE does;
        // a row changed meanwhile sends us around again.
        let mut skipped = false;
        let mut old: Option<Vec<Value>> = None;
        let done = {
            let mut attempt = |acc: &mut TableAccess, tid: ItemPointer, cur: &[Value]| -> Attempt {
                let mut both = cur.to_vec();
                both.extend(row.iter().cloned());
                if let Some(f) = filter {
                    if !eval_predicate(f, &both, ctx)? {
                        skipped = true;
                        return Ok(Ok(cur.to_vec()));
                    }
                }
                let mut new = cur.to_vec();
                for (c, e) in sets {
                    new[*c] = eval(e, &both, ctx)?;
                }
                ri.check_domains(&acc.table, &new, ctx)?;
                if let Some(t) = trig {
                    match t.before_row(trigger::UPDATE, Some(new), Some(cur), ctx)? {
                        Some(r) => new = r,
                        None => {
                            skipped = true;
                            return Ok(Ok(cur.to_vec()));
                        }
                    }
                    old = Some(cur.to_vec());
                }
                acc.check_row(&mut new)?;
                ri.check_row(&acc.table, &new, ctx)?;
                Ok(match acc.update(tid, cur, &new)? {
                    Ok(t) => {
                        ri.updated(target, cur, t, &new);
                        Ok(new)
                    }
                    Err(UpdateFailure::Tm(r)) => Err(r),
                    Err(UpdateFailure::Conflict(c)) => return Err(acc.unique_error(&c)),
                })
            };
            match attempt(acc, conflict.existing, &existing)? {
                Ok(new) => Some(new),
                Err(TmResult::BeingModified(x)) => {
                    ctx.xact.wait_for(x)?;
                    None
                }
                Err(TmResult::Updated(_) | TmResult::Deleted) if ctx.xact.repeatable_read => {
                    return Err(serialization_failure(false))
                }
                Err(_) => None,
            }
        };
        match done {
            Some(_) if skipped => return Ok(Some(false)),
            Some(new) => {
                if let Some(t) = trig {
                    t.after_row(trigger::UPDATE, Some(&new), old.as_deref());
                }
                ret(&new)?;
                return Ok(Some(true));
            }
            None => continue,
        }
    }
    Err(PgError::internal("ON CONFLICT retried too often"))
}
