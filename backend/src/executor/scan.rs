//! Scan nodes: tables (sequential, index forward or backward, or Tid,
//! decoding only the wanted columns, with the scan's filter applied as
//! rows are read) and generate_series.

use std::cell::RefCell;
use std::ops::Bound;
use std::rc::Rc;

use shmem::relstats::PendingRelStats;

use crate::access::heap::HeapTupleHeader;
use crate::access::table::TupleScan;
use crate::access::ItemPointer;
use crate::access::{keys, tuple};
use crate::error::{PgError, PgResult};
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::plan::ScanPlan;
use crate::types::{oid, Numeric, Oid, Value};
use crate::utils::adt::ops;

use super::{Node, Row};

/// Lower and upper key bounds of an index scan.
type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// Key bounds for an index scan, or None when no row can match (a NULL
/// compared with `=`, `<`, ...).
fn index_bounds(plan: &ScanPlan, key_row: &[Value], ctx: &EvalCtx) -> PgResult<Option<KeyRange>> {
    let Some(path) = &plan.index else {
        return Ok(Some((Bound::Unbounded, Bound::Unbounded)));
    };
    let mut prefix = Vec::new();
    for (n, e) in path.eq.iter().enumerate() {
        let v = eval(e, key_row, ctx)?;
        if v.is_null() {
            return Ok(None);
        }
        keys::encode_column(&v, path.index.option(n), &mut prefix);
    }
    // The range column's order: a DESC column turns the bounds on its
    // values around in key order.
    let opt = path.index.option(path.eq.len());
    let desc = opt & keys::INDOPTION_DESC != 0;
    let bound_key = |e: &Expr| -> PgResult<Option<Vec<u8>>> {
        let v = eval(e, key_row, ctx)?;
        if v.is_null() {
            return Ok(None);
        }
        let mut k = prefix.clone();
        keys::encode_column(&v, opt, &mut k);
        Ok(Some(k))
    };
    let with = |b: u8| {
        let mut k = prefix.clone();
        k.push(b);
        k
    };
    // Key-order bounds from a bound on the values: the smallest key
    // (`low`) or the largest, inclusive or not.
    let key_bound =
        |b: &Option<(Expr, bool)>, low: bool| -> PgResult<Option<Option<Bound<Vec<u8>>>>> {
            let Some((e, inclusive)) = b else {
                return Ok(Some(None));
            };
            let Some(k) = bound_key(e)? else {
                return Ok(None);
            };
            Ok(Some(Some(match (low, *inclusive) {
                (true, true) => Bound::Included(k),
                (true, false) => Bound::Included(keys::prefix_upper(&k)),
                (false, true) => Bound::Excluded(keys::prefix_upper(&k)),
                (false, false) => Bound::Excluded(k),
            })))
        };
    let (low_src, high_src) = if desc {
        (&path.upper, &path.lower)
    } else {
        (&path.lower, &path.upper)
    };
    let (Some(low), Some(high)) = (key_bound(low_src, true)?, key_bound(high_src, false)?) else {
        return Ok(None);
    };
    let ranged = path.lower.is_some() || path.upper.is_some() || path.not_null;
    // Keep to the range column's non-NULL values.
    let (first, end) = keys::value_markers(opt);
    let lower = match low {
        Some(b) => b,
        None if ranged => Bound::Included(with(first)),
        None if !prefix.is_empty() => Bound::Included(prefix.clone()),
        None => Bound::Unbounded,
    };
    let upper = match high {
        Some(b) => b,
        None if ranged => Bound::Excluded(with(end)),
        None if !prefix.is_empty() => Bound::Excluded(keys::prefix_upper(&prefix)),
        None => Bound::Unbounded,
    };
    Ok(Some((lower, upper)))
}

/// A running scan of a table: visible rows with their tids, filtered.
/// It counts itself in the transaction's table statistics.
pub struct TableCursor<'p> {
    plan: &'p ScanPlan,
    types: Vec<Oid>,
    /// The table's missing values (columns added with a DEFAULT).
    missing: Vec<Value>,
    last: usize,
    scan: Option<TupleScan>,
    stats: Rc<RefCell<PendingRelStats>>,
    /// Rows read and not yet counted.
    read: u64,
    /// Rows the scan's filter rejected (EXPLAIN ANALYZE).
    pub removed: u64,
}

impl Drop for TableCursor<'_> {
    fn drop(&mut self) {
        // Statistics are kept by the table's OID, not its file.
        let rel = self.plan.table.table.oid;
        let mut st = self.stats.borrow_mut();
        // A Tid Scan's fetches count as PostgreSQL's heap_fetch does.
        if self.plan.index.is_some() || self.plan.tid.is_some() {
            st.idx_tup_fetch(rel, self.read);
        } else {
            st.seq_tup_read(rel, self.read);
        }
    }
}

impl<'p> TableCursor<'p> {
    /// Opens the scan; index values are evaluated against `key_row`
    /// (the outer row of an index nested loop, else empty).
    pub fn open(plan: &'p ScanPlan, key_row: &[Value], ctx: &EvalCtx) -> PgResult<Self> {
        let types = plan.table.table.columns.iter().map(|c| c.ty).collect();
        let rel = plan.table.table.rel();
        let scan = match &plan.index {
            None if plan.tid.is_some() => {
                match plan.tid.as_ref().map(|(v, _)| eval(v, key_row, ctx)) {
                    Some(Ok(Value::Tid(block, offset))) => Some(TupleScan::tid(
                        &ctx.pool,
                        &plan.table.table,
                        ItemPointer::new(block, offset),
                        ctx.xact,
                    )),
                    Some(Err(e)) => return Err(e),
                    // NULL: no row.
                    _ => None,
                }
            }
            None => Some(TupleScan::heap(&ctx.pool, rel, ctx.xact)),
            Some(path) => index_bounds(plan, key_row, ctx)?.map(|range| {
                TupleScan::index(
                    &ctx.pool,
                    &plan.table.table,
                    &path.index,
                    range,
                    path.backward,
                    ctx.xact,
                )
            }),
        };
        {
            let mut st = ctx.xact.stats.borrow_mut();
            let oid = plan.table.table.oid;
            if plan.index.is_some() {
                st.idx_scan(oid);
            } else if plan.tid.is_none() {
                st.seq_scan(oid);
            }
        }
        Ok(TableCursor {
            plan,
            types,
            missing: plan.table.table.missing_values(),
            last: plan.last_wanted().unwrap_or(0),
            scan,
            stats: ctx.xact.stats.clone(),
            read: 0,
            removed: 0,
        })
    }

    /// The next row passing the scan's filter, with its tid.
    pub fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<(ItemPointer, Row)>> {
        let Some(scan) = &mut self.scan else {
            return Ok(None);
        };
        let wanted = &self.plan.wanted;
        let ncols = self.types.len();
        let any = wanted.iter().take(ncols).any(|w| *w);
        let system = self.plan.with_system_columns();
        while let Some((tid, header, data)) = scan.next_with_header()? {
            check_for_interrupts()?;
            self.read += 1;
            let mut row = Vec::with_capacity(self.plan.width());
            if any {
                tuple::deform(
                    &self.types,
                    &self.missing,
                    &data,
                    self.last,
                    &|i| wanted[i],
                    &mut row,
                )?;
            } else {
                row.resize(ncols, Value::Null);
            }
            if system {
                let rel = self.plan.table.table.oid;
                push_system_columns(&mut row, &wanted[ncols..], tid, &header, rel);
            }
            if let Some(f) = &self.plan.filter {
                if !eval_predicate(f, &row, ctx)? {
                    self.removed += 1;
                    continue;
                }
            }
            return Ok(Some((tid, row)));
        }
        self.scan = None;
        Ok(None)
    }
}

/// Appends the system columns (`SYSTEM_COLUMNS` order) of the version
/// at `tid` with header `h`; those not wanted read as NULL.
fn push_system_columns(
    row: &mut Row,
    wanted: &[bool],
    tid: ItemPointer,
    h: &HeapTupleHeader,
    rel: u32,
) {
    // A version this snapshot sees was deleted (or locked) only by a
    // transaction that has not committed, or it would not be visible: its
    // xmax is shown as it is, as PostgreSQL does. cmax is the command
    // that deleted it when it has an xmax, else (one command-id field in
    // PostgreSQL) the inserting command.
    let cmax = if h.t_xmax != 0 { h.t_cmax } else { h.t_cmin };
    let values = [
        Value::Tid(tid.block, tid.offset),
        Value::Oid(h.t_xmin),
        Value::Oid(h.t_cmin),
        Value::Oid(h.t_xmax),
        Value::Oid(cmax),
        Value::Oid(rel),
    ];
    for (k, v) in values.into_iter().enumerate() {
        row.push(if wanted.get(k).copied().unwrap_or(false) {
            v
        } else {
            Value::Null
        });
    }
}

/// A table scan as a plan node.
pub struct ScanNode<'p> {
    plan: &'p ScanPlan,
    cursor: Option<TableCursor<'p>>,
}

impl<'p> ScanNode<'p> {
    pub fn new(plan: &'p ScanPlan) -> Self {
        ScanNode { plan, cursor: None }
    }
}

impl Node for ScanNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.cursor.is_none() {
            self.cursor = Some(TableCursor::open(self.plan, &[], ctx)?);
        }
        match &mut self.cursor {
            Some(c) => Ok(c.next(ctx)?.map(|(_, r)| r)),
            None => Ok(None),
        }
    }

    fn report(&self, r: &mut super::instrument::NodeReport) {
        r.nfiltered1 += self.cursor.as_ref().map_or(0, |c| c.removed);
    }
}

/// generate_series(start, stop[, step]).
pub struct SeriesNode<'p> {
    ty: Oid,
    args: &'p [Expr],
    /// The row the arguments read (a ProjectSet's input row; empty in
    /// FROM, where they read outer rows).
    row: Row,
    state: Option<Option<(Value, Value, Value)>>,
}

impl<'p> SeriesNode<'p> {
    pub fn new(ty: Oid, args: &'p [Expr], row: Row) -> Self {
        SeriesNode {
            ty,
            args,
            row,
            state: None,
        }
    }
}

fn step_one(ty: Oid) -> Value {
    match ty {
        oid::INT8 => Value::Int8(1),
        oid::NUMERIC => Value::Numeric(Numeric::from_i64(1)),
        _ => Value::Int4(1),
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Int4(0) | Value::Int8(0) => true,
        Value::Numeric(n) => n.is_zero(),
        Value::Interval(iv) => *iv == crate::types::Interval::default(),
        _ => false,
    }
}

impl Node for SeriesNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.state.is_none() {
            let vals: Vec<Value> = self
                .args
                .iter()
                .map(|a| eval(a, &self.row, ctx))
                .collect::<PgResult<_>>()?;
            let step = vals.get(2).cloned().unwrap_or_else(|| step_one(self.ty));
            if vals.iter().any(Value::is_null) || step.is_null() {
                self.state = Some(None);
            } else {
                if is_zero(&step) {
                    return Err(PgError::new(
                        crate::error::sqlstate::INVALID_PARAMETER_VALUE,
                        "step size cannot equal zero",
                    ));
                }
                self.state = Some(Some((vals[0].clone(), vals[1].clone(), step)));
            }
        }
        let Some(Some((cur, stop, step))) = &mut self.state else {
            return Ok(None);
        };
        check_for_interrupts()?;
        let up = ops::compare(step, &step_zero(self.ty)) == std::cmp::Ordering::Greater;
        let ord = ops::compare(cur, stop);
        let past = if up {
            ord == std::cmp::Ordering::Greater
        } else {
            ord == std::cmp::Ordering::Less
        };
        if past {
            self.state = Some(None);
            return Ok(None);
        }
        let out = cur.clone();
        match ops::arith(ops::BinOp::Add, cur, step) {
            Ok(n) => *cur = n,
            // Overflow past the type's end: this was the last value.
            Err(_) => self.state = Some(None),
        }
        Ok(Some(vec![out]))
    }
}

fn step_zero(ty: Oid) -> Value {
    match ty {
        oid::TIMESTAMP | oid::TIMESTAMPTZ => Value::Interval(crate::types::Interval::default()),
        oid::INT8 => Value::Int8(0),
        oid::NUMERIC => Value::Numeric(Numeric::ZERO),
        _ => Value::Int4(0),
    }
}
