//! CHECK constraints and foreign keys while rows change (PostgreSQL's
//! ExecConstraints and the ri_triggers): a CHECK is evaluated on each new
//! row before it is written; each foreign key event (a referencing row
//! written, a referenced key deleted or changed) is queued and handled at
//! the end of the statement, as PostgreSQL's AFTER ROW triggers are, so a
//! statement may insert a row and the row it references in any order.
//! Cascaded deletes and updates queue the events of the rows they change
//! in turn. The checks of a DEFERRABLE constraint that is deferred then
//! (INITIALLY DEFERRED, SET CONSTRAINTS) go to the transaction's queue
//! instead (`access::deferred`), run at COMMIT by `executor::deferred`;
//! referential actions other than NO ACTION are never deferred, as in
//! PostgreSQL.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::access::deferred::Check;
use crate::access::refint::{Found, Lookup};
use crate::access::table::{show, TableAccess, UpdateFailure};
use crate::access::visibility::TmResult;
use crate::access::ItemPointer;
use crate::catalog::constraint::{ConstraintDesc, FkAction, ForeignKey};
use crate::catalog::{IndexDesc, TableDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::{eval, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::constraints::Constraints;
use crate::types::{Oid, Value};
use crate::utils::adt::ops;

/// One foreign key event.
#[derive(Clone, Debug)]
pub enum Event {
    /// A referencing row was written (at `tid`): its key must exist.
    Check {
        fk: Arc<ConstraintDesc>,
        tid: ItemPointer,
        row: Vec<Value>,
    },
    /// A referenced row was deleted (`new` None) or its key changed.
    Gone {
        fk: Arc<ConstraintDesc>,
        old: Vec<Value>,
        new: Option<Vec<Value>>,
    },
}

/// The constraint state of one statement.
pub struct Ri<'c> {
    pub cons: &'c Arc<Constraints>,
    queue: VecDeque<Event>,
}

fn fk_of(c: &ConstraintDesc) -> &ForeignKey {
    c.fk().expect("a foreign key event names a foreign key")
}

/// `(a, b)=(1, 2)` for a DETAIL.
fn key_text(table: &TableDesc, cols: &[usize], row: &[Value]) -> String {
    let names: Vec<&str> = cols
        .iter()
        .map(|&c| table.columns[c].name.as_str())
        .collect();
    let vals: Vec<String> = cols.iter().map(|&c| show(&row[c])).collect();
    format!("({})=({})", names.join(", "), vals.join(", "))
}

/// The key of `row` at `cols`, converted to the types of `to` at
/// `to_cols`.
fn convert_key(
    from: &TableDesc,
    cols: &[usize],
    row: &[Value],
    to: &TableDesc,
    to_cols: &[usize],
) -> PgResult<Vec<Value>> {
    cols.iter()
        .zip(to_cols)
        .map(|(&c, &t)| {
            let (f, d) = (from.columns[c].ty, to.columns[t].ty);
            if f == d {
                Ok(row[c].clone())
            } else {
                ops::cast(row[c].clone(), f, d, -1)
            }
        })
        .collect()
}

/// 23503 for a row of `child` that breaks foreign key `c`.
fn fk_violation(child: &TableDesc, c: &ConstraintDesc, detail: String) -> PgError {
    PgError::new(
        sqlstate::FOREIGN_KEY_VIOLATION,
        format!(
            "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
            child.name, c.name
        ),
    )
    .with_detail(detail)
    .with_table(
        &crate::catalog::namespace::schema_name(child.namespace),
        &child.name,
    )
    .with_constraint(&c.name)
}

/// Whether a referencing row of `child` needs a referenced row under
/// foreign key `c`: not when its key is all NULL, nor partly NULL under
/// MATCH SIMPLE; a mix of NULL and non-NULL under MATCH FULL is 23503.
pub fn key_must_exist(child: &TableDesc, c: &ConstraintDesc, row: &[Value]) -> PgResult<bool> {
    let f = fk_of(c);
    let nulls = f.columns.iter().filter(|&&i| row[i].is_null()).count();
    if nulls == f.columns.len() || (nulls > 0 && f.match_type == b's') {
        return Ok(false);
    }
    if nulls > 0 {
        return Err(fk_violation(
            child,
            c,
            "MATCH FULL does not allow mixing of null and nonnull key values.".into(),
        ));
    }
    Ok(true)
}

/// 23503 unless `parent` has a committed row with the key of `row` (a
/// row of `child`) under foreign key `c`; waits for a transaction that
/// is changing such a row.
pub fn require_referenced_row(
    ctx: &EvalCtx,
    child: &TableDesc,
    c: &ConstraintDesc,
    parent: &TableDesc,
    parent_indexes: &[Arc<IndexDesc>],
    row: &[Value],
) -> PgResult<()> {
    let f = fk_of(c);
    let key = convert_key(child, &f.columns, row, parent, &f.ref_columns)?;
    loop {
        let found = Lookup {
            pool: &ctx.pool,
            table: parent,
            indexes: parent_indexes,
            cols: &f.ref_columns,
            key: &key,
            wait_inserts: false,
            all: false,
        }
        .run(ctx.xact)?;
        match found {
            Found::Wait(x) => ctx.xact.wait_for(x)?,
            Found::Rows(r) if !r.is_empty() => return Ok(()),
            Found::Rows(_) => {
                return Err(fk_violation(
                    child,
                    c,
                    format!(
                        "Key {} is not present in table \"{}\".",
                        key_text(child, &f.columns, row),
                        parent.name
                    ),
                ))
            }
        }
    }
}

impl<'c> Ri<'c> {
    pub fn new(cons: &'c Arc<Constraints>) -> Ri<'c> {
        Ri {
            cons,
            queue: VecDeque::new(),
        }
    }

    /// Checks the values of a new row of `table` in columns declared
    /// with a domain against the domain's constraints (before the
    /// table's NOT NULL and CHECKs, as PostgreSQL coerces a value to the
    /// domain when it computes the row).
    pub fn check_domains(&self, table: &TableDesc, row: &[Value], ctx: &EvalCtx) -> PgResult<()> {
        let Some(rel) = self.cons.rel(table.oid) else {
            return Ok(());
        };
        for (i, d) in &rel.domains {
            if let Some(v) = row.get(*i) {
                crate::executor::eval::check_domain(d, v.clone(), ctx)?;
            }
        }
        Ok(())
    }

    /// Checks value `v` of column `col` of `table` against its domain's
    /// constraints, if it was declared with a domain.
    pub fn check_domain_column(
        &self,
        table: &TableDesc,
        col: usize,
        v: &Value,
        ctx: &EvalCtx,
    ) -> PgResult<()> {
        let Some(rel) = self.cons.rel(table.oid) else {
            return Ok(());
        };
        for (i, d) in &rel.domains {
            if *i == col {
                crate::executor::eval::check_domain(d, v.clone(), ctx)?;
            }
        }
        Ok(())
    }

    /// Evaluates the CHECK constraints of `table` on a new row: 23514
    /// when one is false (NULL passes).
    pub fn check_row(&self, table: &TableDesc, row: &[Value], ctx: &EvalCtx) -> PgResult<()> {
        let Some(rel) = self.cons.rel(table.oid) else {
            return Ok(());
        };
        for (name, e) in &rel.checks {
            if let Value::Bool(false) = eval(e, row, ctx)? {
                let shown: Vec<String> = row.iter().map(show).collect();
                return Err(PgError::new(
                    sqlstate::CHECK_VIOLATION,
                    format!(
                        "new row for relation \"{}\" violates check constraint \"{name}\"",
                        table.name
                    ),
                )
                .with_detail(format!("Failing row contains ({}).", shown.join(", ")))
                .with_table(
                    &crate::catalog::namespace::schema_name(table.namespace),
                    &table.name,
                )
                .with_constraint(name));
            }
        }
        Ok(())
    }

    /// A row was inserted into `table` at `tid`.
    pub fn inserted(&mut self, table: Oid, tid: ItemPointer, row: &[Value]) {
        for fk in &self.cons.fks {
            if fk.table == table {
                self.queue.push_back(Event::Check {
                    fk: fk.clone(),
                    tid,
                    row: row.to_vec(),
                });
            }
        }
    }

    /// Row `old` of `table` was updated to `new` at `tid`.
    pub fn updated(&mut self, table: Oid, old: &[Value], tid: ItemPointer, new: &[Value]) {
        for fk in &self.cons.fks {
            let f = fk_of(fk);
            let changed = |cols: &[usize]| cols.iter().any(|&c| !same(&old[c], &new[c]));
            if fk.table == table && changed(&f.columns) {
                self.queue.push_back(Event::Check {
                    fk: fk.clone(),
                    tid,
                    row: new.to_vec(),
                });
            }
            if f.ref_table == table && changed(&f.ref_columns) {
                self.queue.push_back(Event::Gone {
                    fk: fk.clone(),
                    old: old.to_vec(),
                    new: Some(new.to_vec()),
                });
            }
        }
    }

    /// Row `old` of `table` was deleted.
    pub fn deleted(&mut self, table: Oid, old: &[Value]) {
        for fk in &self.cons.fks {
            if fk_of(fk).ref_table == table {
                self.queue.push_back(Event::Gone {
                    fk: fk.clone(),
                    old: old.to_vec(),
                    new: None,
                });
            }
        }
    }

    /// Handles the queued events (and those they cause) at the end of
    /// the statement, queueing those of deferred constraints for COMMIT;
    /// then the statement's unique rechecks.
    pub fn finish(&mut self, ctx: &EvalCtx) -> PgResult<()> {
        while let Some(ev) = self.queue.pop_front() {
            check_for_interrupts()?;
            if let Some(check) = self.deferrable(&ev)? {
                let mut d = ctx.xact.deferred.borrow_mut();
                if d.is_deferred(check.constraint()) {
                    d.defer(check);
                    continue;
                }
            }
            self.handle(ev, ctx)?;
        }
        super::deferred::end_of_statement(ctx)
    }

    /// The check an event of a DEFERRABLE foreign key makes, to wait in
    /// the transaction's queue if the constraint is deferred; None when
    /// it cannot wait (an action other than NO ACTION).
    fn deferrable(&self, ev: &Event) -> PgResult<Option<Check>> {
        let fk = match ev {
            Event::Check { fk, .. } | Event::Gone { fk, .. } => fk,
        };
        if !fk.deferrable {
            return Ok(None);
        }
        let (child, parent) = self.tables(fk)?;
        Ok(match ev {
            Event::Check { fk, tid, row } => Some(Check::ForeignKey {
                fk: fk.clone(),
                child: child.table.clone(),
                parent: parent.table.clone(),
                parent_indexes: parent.indexes.clone(),
                tid: *tid,
                row: row.clone(),
            }),
            Event::Gone { fk, old, new } => {
                let f = fk_of(fk);
                let action = if new.is_some() {
                    f.on_update
                } else {
                    f.on_delete
                };
                (action == FkAction::NoAction).then(|| Check::StillReferenced {
                    fk: fk.clone(),
                    parent: parent.table.clone(),
                    parent_indexes: parent.indexes.clone(),
                    child: child.table.clone(),
                    child_indexes: child.indexes.clone(),
                    old: old.clone(),
                })
            }
        })
    }

    /// Handles one event now.
    pub fn handle(&mut self, ev: Event, ctx: &EvalCtx) -> PgResult<()> {
        match ev {
            Event::Check { fk, tid, row } => self.check_referenced(&fk, tid, &row, ctx),
            Event::Gone { fk, old, new } => self.referenced_gone(&fk, &old, new.as_deref(), ctx),
        }
    }

    fn tables(
        &self,
        c: &ConstraintDesc,
    ) -> PgResult<(
        &'c crate::nodes::constraints::RelConstraints,
        &'c crate::nodes::constraints::RelConstraints,
    )> {
        let f = fk_of(c);
        match (self.cons.rel(c.table), self.cons.rel(f.ref_table)) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(PgError::internal(
                "a foreign key's table is missing from the plan",
            )),
        }
    }

    /// A referencing row's key must be present in the referenced table.
    fn check_referenced(
        &mut self,
        c: &ConstraintDesc,
        tid: ItemPointer,
        row: &[Value],
        ctx: &EvalCtx,
    ) -> PgResult<()> {
        let (child, parent) = self.tables(c)?;
        check_fk_row(
            ctx,
            c,
            &child.table,
            (&parent.table, &parent.indexes),
            tid,
            row,
        )
    }

    /// A referenced key went away: act on the rows that reference it.
    fn referenced_gone(
        &mut self,
        c: &ConstraintDesc,
        old: &[Value],
        new: Option<&[Value]>,
        ctx: &EvalCtx,
    ) -> PgResult<()> {
        let f = fk_of(c);
        let (child, parent) = self.tables(c)?;
        if f.ref_columns.iter().any(|&i| old[i].is_null()) {
            return Ok(());
        }
        let action = if new.is_some() {
            f.on_update
        } else {
            f.on_delete
        };
        let pkey: Vec<Value> = f.ref_columns.iter().map(|&i| old[i].clone()).collect();
        // Another row with the same key (inserted, or re-keyed, by the
        // statement) keeps the references valid.
        if action == FkAction::NoAction
            && key_present(ctx, (&parent.table, &parent.indexes), &f.ref_columns, &pkey)?
        {
            return Ok(());
        }
        let key = convert_key(&parent.table, &f.ref_columns, old, &child.table, &f.columns)?;
        for _ in 0..1000 {
            let all = !matches!(action, FkAction::NoAction | FkAction::Restrict);
            let rows = match (Lookup {
                pool: &ctx.pool,
                table: &child.table,
                indexes: &child.indexes,
                cols: &f.columns,
                key: &key,
                wait_inserts: true,
                all,
            })
            .run(ctx.xact)?
            {
                Found::Wait(x) => {
                    ctx.xact.wait_for(x)?;
                    continue;
                }
                Found::Rows(r) => r,
            };
            if rows.is_empty() {
                return Ok(());
            }
            if !all {
                return Err(still_referenced_error(c, &parent.table, &child.table, old));
            }
            let mut acc = TableAccess::new(
                ctx.pool,
                child.table.clone(),
                child.indexes.clone(),
                ctx.xact,
            );
            let mut retry = None;
            for (tid, row) in rows {
                check_for_interrupts()?;
                let r = if action == FkAction::Cascade && new.is_none() {
                    let r = acc.delete(tid)?;
                    if r == TmResult::Ok {
                        self.deleted(child.table.oid, &row);
                    }
                    r
                } else {
                    let mut changed = row.clone();
                    for (k, &col) in f.columns.iter().enumerate() {
                        changed[col] = match action {
                            FkAction::Cascade => {
                                let n = new.unwrap_or(old);
                                let p = f.ref_columns[k];
                                let (from, to) =
                                    (parent.table.columns[p].ty, child.table.columns[col].ty);
                                if from == to {
                                    n[p].clone()
                                } else {
                                    ops::cast(n[p].clone(), from, to, -1)?
                                }
                            }
                            FkAction::SetDefault => eval(&child.defaults[col], &[], ctx)?,
                            _ => Value::Null,
                        };
                    }
                    acc.check_row(&mut changed)?;
                    self.check_row(&child.table, &changed, ctx)?;
                    match acc.update(tid, &row, &changed)? {
                        Ok(ntid) => {
                            self.updated(child.table.oid, &row, ntid, &changed);
                            TmResult::Ok
                        }
                        Err(UpdateFailure::Tm(r)) => r,
                        Err(UpdateFailure::Conflict(x)) => return Err(acc.unique_error(&x)),
                    }
                };
                match r {
                    TmResult::Ok | TmResult::SelfModified | TmResult::Invisible => {}
                    TmResult::BeingModified(x) => {
                        retry = Some(Some(x));
                        break;
                    }
                    TmResult::Updated(_) | TmResult::Deleted if ctx.xact.repeatable_read => {
                        return Err(PgError::new(
                            sqlstate::SERIALIZATION_FAILURE,
                            "could not serialize access due to concurrent update",
                        ))
                    }
                    TmResult::Updated(_) | TmResult::Deleted => {
                        retry = Some(None);
                        break;
                    }
                }
            }
            match retry {
                None => return Ok(()),
                Some(Some(x)) => ctx.xact.wait_for(x)?,
                Some(None) => {}
            }
        }
        Err(PgError::internal("referential action retried too often"))
    }
}

/// The check of a referencing row of `child` written at `tid` under
/// foreign key `c` (PostgreSQL's RI_FKey_check): its key must be in
/// `parent` unless the row is gone since, or its key needs no row.
pub fn check_fk_row(
    ctx: &EvalCtx,
    c: &ConstraintDesc,
    child: &Arc<TableDesc>,
    (parent, parent_indexes): (&TableDesc, &[Arc<IndexDesc>]),
    tid: ItemPointer,
    row: &[Value],
) -> PgResult<()> {
    if !key_must_exist(child, c, row)? {
        return Ok(());
    }
    // The row must still be ours to check: one this transaction deleted
    // or updated since needs nothing (its new version has its own event).
    let acc = TableAccess::new(ctx.pool, child.clone(), Vec::new(), ctx.xact);
    if let Some((h, _)) = acc.fetch_version(tid)? {
        if h.t_xmax != 0
            && ctx.xact.mvcc.own.is_mine(h.t_xmax)
            && h.t_infomask & crate::access::visibility::HEAP_XMAX_LOCK_ONLY == 0
        {
            return Ok(());
        }
    }
    require_referenced_row(ctx, child, c, parent, parent_indexes, row)
}

/// Whether `parent` has a row with `key` at `cols` (waiting for a
/// transaction changing one).
fn key_present(
    ctx: &EvalCtx,
    (parent, parent_indexes): (&TableDesc, &[Arc<IndexDesc>]),
    cols: &[usize],
    key: &[Value],
) -> PgResult<bool> {
    loop {
        match (Lookup {
            pool: &ctx.pool,
            table: parent,
            indexes: parent_indexes,
            cols,
            key,
            wait_inserts: false,
            all: false,
        })
        .run(ctx.xact)?
        {
            Found::Wait(x) => ctx.xact.wait_for(x)?,
            Found::Rows(r) => return Ok(!r.is_empty()),
        }
    }
}

/// 23503 for a referenced key `old` of `parent` that rows of `child`
/// still reference.
fn still_referenced_error(
    c: &ConstraintDesc,
    parent: &TableDesc,
    child: &TableDesc,
    old: &[Value],
) -> PgError {
    let f = fk_of(c);
    PgError::new(
        sqlstate::FOREIGN_KEY_VIOLATION,
        format!(
            "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
            parent.name, c.name, child.name
        ),
    )
    .with_detail(format!(
        "Key {} is still referenced from table \"{}\".",
        key_text(parent, &f.ref_columns, old),
        child.name
    ))
    .with_table(
        &crate::catalog::namespace::schema_name(child.namespace),
        &child.name,
    )
    .with_constraint(&c.name)
}

/// The deferred NO ACTION check of a referenced key `old` that was
/// deleted or changed (PostgreSQL's RI_FKey_noaction_del/upd): fine if
/// the key is back in `parent`, else no row of `child` may reference it.
pub fn check_still_referenced(
    ctx: &EvalCtx,
    c: &ConstraintDesc,
    parent: (&TableDesc, &[Arc<IndexDesc>]),
    (child, child_indexes): (&TableDesc, &[Arc<IndexDesc>]),
    old: &[Value],
) -> PgResult<()> {
    let f = fk_of(c);
    if f.ref_columns.iter().any(|&i| old[i].is_null()) {
        return Ok(());
    }
    let pkey: Vec<Value> = f.ref_columns.iter().map(|&i| old[i].clone()).collect();
    if key_present(ctx, parent, &f.ref_columns, &pkey)? {
        return Ok(());
    }
    let key = convert_key(parent.0, &f.ref_columns, old, child, &f.columns)?;
    loop {
        match (Lookup {
            pool: &ctx.pool,
            table: child,
            indexes: child_indexes,
            cols: &f.columns,
            key: &key,
            wait_inserts: true,
            all: false,
        })
        .run(ctx.xact)?
        {
            Found::Wait(x) => ctx.xact.wait_for(x)?,
            Found::Rows(r) if r.is_empty() => return Ok(()),
            Found::Rows(_) => return Err(still_referenced_error(c, parent.0, child, old)),
        }
    }
}

/// Whether two values of one column are the same key value.
fn same(a: &Value, b: &Value) -> bool {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    crate::access::keys::encode_value(a, &mut x);
    crate::access::keys::encode_value(b, &mut y);
    a.is_null() == b.is_null() && x == y
}
