//! The WindowAgg node (PostgreSQL's nodeWindowAgg.c and windowfuncs.c):
//! reads its sorted input one partition at a time (charged to the
//! statement's memory budget, checking for interrupts), finds each row's
//! peer group and frame (ROWS, RANGE with `in_range` offsets, GROUPS),
//! computes row_number, rank, dense_rank, percent_rank, cume_dist,
//! ntile, lag, lead, first_value, last_value, nth_value and every
//! aggregate over the frame, and emits each row with the results
//! appended.

use std::cmp::Ordering;

use crate::error::{PgError, PgResult};
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::executor::{Node, Row};
use crate::fmgr::window::WindowFuncKind as K;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::window::{FrameBound, FrameExclusion, FrameUnits, WindowAggPlan, WindowFunc};
use crate::types::{oid, Numeric, Value};
use crate::utils::adt::agg::{AggKind, AggState};
use crate::utils::adt::ops::{self, BinOp};

/// 22004: a NULL frame offset.
const NULL_VALUE_NOT_ALLOWED: &str = "22004";
/// 22013: a negative frame offset.
const INVALID_PRECEDING_OR_FOLLOWING_SIZE: &str = "22013";

pub struct WindowAggNode<'p> {
    input: Box<dyn Node + 'p>,
    w: &'p WindowAggPlan,
    /// The next partition's first row, read ahead.
    lookahead: Option<Row>,
    input_done: bool,
    out: std::vec::IntoIter<Row>,
    /// The frame offsets, evaluated when the node first runs.
    offsets: Option<(Option<Value>, Option<Value>)>,
}

impl<'p> WindowAggNode<'p> {
    pub fn new(input: Box<dyn Node + 'p>, w: &'p WindowAggPlan) -> WindowAggNode<'p> {
        WindowAggNode {
            input,
            w,
            lookahead: None,
            input_done: false,
            out: Vec::new().into_iter(),
            offsets: None,
        }
    }

    /// The next partition's rows (empty at the end of the input).
    fn read_partition(&mut self, ctx: &EvalCtx) -> PgResult<Vec<Row>> {
        let mut rows = Vec::new();
        if let Some(r) = self.lookahead.take() {
            rows.push(r);
        }
        while !self.input_done {
            check_for_interrupts()?;
            let Some(r) = self.input.next(ctx)? else {
                self.input_done = true;
                break;
            };
            ctx.mem.charge_row(&r)?;
            match rows.first() {
                Some(first) if !same(first, &r, &self.w.partition) => {
                    self.lookahead = Some(r);
                    break;
                }
                _ => rows.push(r),
            }
        }
        Ok(rows)
    }
}

impl Node for WindowAggNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        loop {
            if let Some(r) = self.out.next() {
                return Ok(Some(r));
            }
            if self.offsets.is_none() {
                self.offsets = Some(frame_offsets(self.w, ctx)?);
            }
            let rows = self.read_partition(ctx)?;
            if rows.is_empty() {
                return Ok(None);
            }
            let offsets = self.offsets.clone().unwrap_or((None, None));
            let part = Partition::new(self.w, rows, offsets)?;
            let mut results = Vec::with_capacity(self.w.funcs.len());
            for f in &self.w.funcs {
                results.push(part.compute(f, ctx)?);
            }
            let mut out = Vec::with_capacity(part.rows.len());
            for (i, mut row) in part.rows.into_iter().enumerate() {
                row.truncate(self.w.pass);
                row.extend(
                    results
                        .iter_mut()
                        .map(|r| std::mem::replace(&mut r[i], Value::Null)),
                );
                out.push(row);
            }
            self.out = out.into_iter();
        }
    }
}

fn eq_values(a: &Value, b: &Value) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => ops::compare(a, b) == Ordering::Equal,
        _ => false,
    }
}

/// Whether two rows agree on the columns `cols` (NULLs equal).
fn same(a: &Row, b: &Row, cols: &[usize]) -> bool {
    cols.iter().all(|&c| eq_values(&a[c], &b[c]))
}

/// Evaluates the frame's start and end offsets, checking them as
/// PostgreSQL does (not NULL, not negative).
fn frame_offsets(w: &WindowAggPlan, ctx: &EvalCtx) -> PgResult<(Option<Value>, Option<Value>)> {
    let one = |b: &FrameBound, which: &str| -> PgResult<Option<Value>> {
        let (FrameBound::Preceding(e) | FrameBound::Following(e)) = b else {
            return Ok(None);
        };
        let v = eval(e, &[], ctx)?;
        if v.is_null() {
            return Err(PgError::new(
                NULL_VALUE_NOT_ALLOWED,
                format!("frame {which} offset must not be null"),
            ));
        }
        let negative = match &v {
            Value::Int8(n) => *n < 0,
            Value::Float8(f) => *f < 0.0 || f.is_nan(),
            Value::Numeric(n) => {
                n.is_nan()
                    || ops::compare(&v, &Value::Numeric(Numeric::from_i64(0))) == Ordering::Less
            }
            Value::Interval(_) => {
                let zero = ops::cast(Value::Text("0".into()), oid::TEXT, oid::INTERVAL, -1)?;
                ops::compare(&v, &zero) == Ordering::Less
            }
            _ => false,
        };
        if negative {
            let msg = if w.frame.units == FrameUnits::Range {
                "invalid preceding or following size in window function".to_owned()
            } else {
                format!("frame {which} offset must not be negative")
            };
            return Err(PgError::new(INVALID_PRECEDING_OR_FOLLOWING_SIZE, msg));
        }
        Ok(Some(v))
    };
    Ok((
        one(&w.frame.start, "starting")?,
        one(&w.frame.end, "ending")?,
    ))
}

/// One partition's rows with their peer groups.
struct Partition<'p> {
    w: &'p WindowAggPlan,
    rows: Vec<Row>,
    /// Each row's peer group (index into `groups`).
    group: Vec<usize>,
    /// Peer groups as row ranges [start, end).
    groups: Vec<(usize, usize)>,
    offsets: (Option<Value>, Option<Value>),
    /// RANGE with an offset: the ORDER BY key of each row, made
    /// comparable with `key ± offset`, and the rows whose key is not NULL.
    keys: Vec<Value>,
    non_null: (usize, usize),
}

impl<'p> Partition<'p> {
    fn new(
        w: &'p WindowAggPlan,
        rows: Vec<Row>,
        offsets: (Option<Value>, Option<Value>),
    ) -> PgResult<Partition<'p>> {
        let order: Vec<usize> = w.order.iter().map(|(c, _)| *c).collect();
        let mut group = Vec::with_capacity(rows.len());
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for i in 0..rows.len() {
            if i == 0 || !same(&rows[i - 1], &rows[i], &order) {
                groups.push((i, i));
            }
            let g = groups.len() - 1;
            groups[g].1 = i + 1;
            group.push(g);
        }
        let range_offset =
            w.frame.units == FrameUnits::Range && (offsets.0.is_some() || offsets.1.is_some());
        let (mut keys, mut non_null) = (Vec::new(), (0, rows.len()));
        if range_offset {
            let k = w.order[0].0;
            keys = rows
                .iter()
                .map(|r| comparable(&r[k]))
                .collect::<PgResult<_>>()?;
            let lo = keys.iter().position(|v| !v.is_null()).unwrap_or(keys.len());
            let hi = keys
                .iter()
                .rposition(|v| !v.is_null())
                .map_or(lo, |p| p + 1);
            non_null = (lo, hi);
        }
        Ok(Partition {
            w,
            rows,
            group,
            groups,
            offsets,
            keys,
            non_null,
        })
    }

    /// The frame of row `i` as a row range [start, end) (empty when
    /// start >= end).
    fn frame(&self, i: usize) -> PgResult<(usize, usize)> {
        let f = &self.w.frame;
        let n = self.rows.len();
        let start = match &f.start {
            FrameBound::UnboundedPreceding => 0,
            FrameBound::UnboundedFollowing => n,
            b => self.bound(i, b, self.offsets.0.as_ref(), true)?,
        };
        let end = match &f.end {
            FrameBound::UnboundedFollowing => n,
            FrameBound::UnboundedPreceding => 0,
            b => self.bound(i, b, self.offsets.1.as_ref(), false)?,
        };
        Ok((start, end))
    }

    /// The rows of row `i`'s frame [s, e) that its EXCLUDE clause keeps,
    /// in order (None: the frame has no EXCLUDE clause).
    fn kept_rows(&self, i: usize, s: usize, e: usize) -> Option<Vec<usize>> {
        let ex = self.w.frame.exclude?;
        let (gs, ge) = self.groups[self.group[i]];
        Some(
            (s..e.max(s))
                .filter(|&r| match ex {
                    FrameExclusion::CurrentRow => r != i,
                    FrameExclusion::Group => !(gs..ge).contains(&r),
                    FrameExclusion::Ties => r == i || !(gs..ge).contains(&r),
                })
                .collect(),
        )
    }

    /// Where a CURRENT ROW or offset bound puts the frame's start (or,
    /// `!start`, its exclusive end) for row `i`.
    fn bound(&self, i: usize, b: &FrameBound, off: Option<&Value>, start: bool) -> PgResult<usize> {
        let n = self.rows.len() as i128;
        let preceding = matches!(b, FrameBound::Preceding(_));
        let k = match off {
            Some(Value::Int8(k)) => *k as i128,
            _ => 0,
        };
        let signed = if preceding { -k } else { k };
        let clamp = |x: i128| x.clamp(0, n) as usize;
        let (gs, ge) = self.groups[self.group[i]];
        match self.w.frame.units {
            FrameUnits::Rows => {
                let at = i as i128
                    + if matches!(b, FrameBound::CurrentRow) {
                        0
                    } else {
                        signed
                    };
                Ok(clamp(if start { at } else { at + 1 }))
            }
            FrameUnits::Groups => {
                if matches!(b, FrameBound::CurrentRow) {
                    return Ok(if start { gs } else { ge });
                }
                let g = self.group[i] as i128 + signed;
                let ng = self.groups.len() as i128;
                Ok(if g < 0 {
                    0
                } else if g >= ng {
                    n as usize
                } else if start {
                    self.groups[g as usize].0
                } else {
                    self.groups[g as usize].1
                })
            }
            FrameUnits::Range => {
                let Some(off) = off.filter(|_| !matches!(b, FrameBound::CurrentRow)) else {
                    return Ok(if start { gs } else { ge });
                };
                if self.keys[i].is_null() {
                    // A NULL key's offset frame is its peers (the NULLs).
                    return Ok(if start { gs } else { ge });
                }
                let desc = self.w.order[0].1.desc;
                let op = if preceding != desc {
                    BinOp::Sub
                } else {
                    BinOp::Add
                };
                let limit = ops::arith(op, &self.keys[i], &comparable(off)?)?;
                let (lo, hi) = self.non_null;
                let slice = &self.keys[lo..hi];
                let before = |v: &Value| {
                    let o = ops::compare(v, &limit);
                    if desc {
                        o == Ordering::Greater
                    } else {
                        o == Ordering::Less
                    }
                };
                let not_after = |v: &Value| {
                    let o = ops::compare(v, &limit);
                    if desc {
                        o != Ordering::Less
                    } else {
                        o != Ordering::Greater
                    }
                };
                Ok(lo
                    + if start {
                        slice.partition_point(before)
                    } else {
                        slice.partition_point(not_after)
                    })
            }
        }
    }

    /// One function's value for every row of the partition.
    fn compute(&self, f: &WindowFunc, ctx: &EvalCtx) -> PgResult<Vec<Value>> {
        let n = self.rows.len();
        let mut out = Vec::with_capacity(n);
        match f.kind {
            K::RowNumber => out.extend((1..=n as i64).map(Value::Int8)),
            K::Rank => {
                out.extend((0..n).map(|i| Value::Int8(self.groups[self.group[i]].0 as i64 + 1)))
            }
            K::DenseRank => out.extend((0..n).map(|i| Value::Int8(self.group[i] as i64 + 1))),
            K::PercentRank => out.extend((0..n).map(|i| {
                let rank = self.groups[self.group[i]].0;
                Value::Float8(if n > 1 {
                    rank as f64 / (n - 1) as f64
                } else {
                    0.0
                })
            })),
            K::CumeDist => out.extend(
                (0..n).map(|i| Value::Float8(self.groups[self.group[i]].1 as f64 / n as f64)),
            ),
            K::Ntile => return self.ntile(f, ctx),
            K::Lag | K::Lead => {
                for i in 0..n {
                    check_for_interrupts()?;
                    out.push(self.lag_lead(f, i, ctx)?);
                }
            }
            K::FirstValue | K::LastValue | K::NthValue => {
                for i in 0..n {
                    check_for_interrupts()?;
                    let (s, e) = self.frame(i)?;
                    if let Some(kept) = self.kept_rows(i, s, e) {
                        let at = match f.kind {
                            K::FirstValue => kept.first().copied(),
                            K::LastValue => kept.last().copied(),
                            _ => match eval(&f.args[1], &self.rows[i], ctx)? {
                                Value::Int4(k) if k <= 0 => {
                                    return Err(PgError::new(
                                        "22016",
                                        "argument of nth_value must be greater than zero",
                                    ))
                                }
                                Value::Int4(k) => kept.get(k as usize - 1).copied(),
                                _ => None,
                            },
                        };
                        out.push(match at {
                            Some(p) => eval(&f.args[0], &self.rows[p], ctx)?,
                            None => Value::Null,
                        });
                        continue;
                    }
                    let at = match f.kind {
                        K::FirstValue => (s < e).then_some(s),
                        K::LastValue => (s < e).then(|| e - 1),
                        _ => match eval(&f.args[1], &self.rows[i], ctx)? {
                            Value::Int4(k) if k <= 0 => {
                                return Err(PgError::new(
                                    "22016",
                                    "argument of nth_value must be greater than zero",
                                ))
                            }
                            Value::Int4(k) => Some(s + k as usize - 1).filter(|&p| p < e),
                            _ => None,
                        },
                    };
                    out.push(match at {
                        Some(p) => eval(&f.args[0], &self.rows[p], ctx)?,
                        None => Value::Null,
                    });
                }
            }
            K::Agg(kind) => return self.aggregate(f, kind, ctx),
        }
        Ok(out)
    }

    fn lag_lead(&self, f: &WindowFunc, i: usize, ctx: &EvalCtx) -> PgResult<Value> {
        let row = &self.rows[i];
        let k = match f.args.get(1) {
            Some(e) => match eval(e, row, ctx)? {
                Value::Int4(k) => k as i128,
                _ => return Ok(Value::Null),
            },
            None => 1,
        };
        let target = if f.kind == K::Lag {
            i as i128 - k
        } else {
            i as i128 + k
        };
        if (0..self.rows.len() as i128).contains(&target) {
            eval(&f.args[0], &self.rows[target as usize], ctx)
        } else {
            match f.args.get(2) {
                Some(d) => eval(d, row, ctx),
                None => Ok(Value::Null),
            }
        }
    }

    /// ntile(n): n evaluated on the partition's first row; the rows split
    /// into n buckets as even as possible, the larger ones first.
    fn ntile(&self, f: &WindowFunc, ctx: &EvalCtx) -> PgResult<Vec<Value>> {
        let n = self.rows.len();
        let buckets = match eval(&f.args[0], &self.rows[0], ctx)? {
            Value::Int4(b) if b <= 0 => {
                return Err(PgError::new(
                    "22014",
                    "argument of ntile must be greater than zero",
                ))
            }
            Value::Int4(b) => b as usize,
            _ => return Ok(vec![Value::Null; n]),
        };
        let per = n / buckets;
        let big = n % buckets;
        let mut out = Vec::with_capacity(n);
        let (mut bucket, mut used) = (1usize, 0usize);
        for _ in 0..n {
            let size = if per == 0 {
                1
            } else if bucket <= big {
                per + 1
            } else {
                per
            };
            if used == size {
                bucket += 1;
                used = 0;
            }
            used += 1;
            out.push(Value::Int4(bucket as i32));
        }
        Ok(out)
    }

    /// An aggregate over each row's frame: advanced incrementally while
    /// the frame's start stays put and its end grows, else restarted.
    fn aggregate(&self, f: &WindowFunc, kind: AggKind, ctx: &EvalCtx) -> PgResult<Vec<Value>> {
        let n = self.rows.len();
        let mut inputs: Vec<Option<Row>> = Vec::with_capacity(n);
        for row in &self.rows {
            check_for_interrupts()?;
            if let Some(flt) = &f.filter {
                if !eval_predicate(flt, row, ctx)? {
                    inputs.push(None);
                    continue;
                }
            }
            let args: Row = f
                .args
                .iter()
                .map(|e: &Expr| eval(e, row, ctx))
                .collect::<PgResult<_>>()?;
            ctx.mem.charge_row(&args)?;
            inputs.push(Some(args));
        }
        if self.w.frame.exclude.is_some() {
            // Each row's frame less what EXCLUDE leaves out, from scratch.
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                check_for_interrupts()?;
                let (s, e) = self.frame(i)?;
                let mut state = AggState::new(kind, f.ty);
                for r in self.kept_rows(i, s, e).unwrap_or_default() {
                    if let Some(args) = &inputs[r] {
                        state.advance(args)?;
                    }
                }
                out.push(state.finish()?);
            }
            return Ok(out);
        }
        if let Some(out) = self.suffix_aggregate(f, kind, &inputs)? {
            return Ok(out);
        }
        let mut out = Vec::with_capacity(n);
        let mut state = AggState::new(kind, f.ty);
        let (mut cs, mut ce) = (0usize, 0usize);
        let mut last: Option<((usize, usize), Value)> = None;
        for i in 0..n {
            check_for_interrupts()?;
            let (s, e) = self.frame(i)?;
            let e = e.max(s);
            if let Some((fr, v)) = &last {
                if *fr == (s, e) {
                    out.push(v.clone());
                    continue;
                }
            }
            if s != cs || e < ce {
                state = AggState::new(kind, f.ty);
                (cs, ce) = (s, s);
            }
            for args in inputs[ce..e].iter().flatten() {
                state.advance(args)?;
            }
            ce = e;
            let v = state.finish()?;
            last = Some(((s, e), v.clone()));
            out.push(v);
        }
        Ok(out)
    }
}

impl Partition<'_> {
    /// Frames ending with the partition (`... AND UNBOUNDED FOLLOWING`)
    /// whose start moves forward, for aggregates whose result does not
    /// depend on the order of their inputs: computed from the last row
    /// backwards, each frame adding the rows its start uncovers, instead
    /// of restarting at every row. None when that does not apply.
    fn suffix_aggregate(
        &self,
        f: &WindowFunc,
        kind: AggKind,
        inputs: &[Option<Row>],
    ) -> PgResult<Option<Vec<Value>>> {
        let exact = match kind {
            AggKind::CountStar
            | AggKind::Count
            | AggKind::Min
            | AggKind::Max
            | AggKind::BoolAnd
            | AggKind::BoolOr => true,
            // Float sums depend on the order of the additions.
            AggKind::Sum | AggKind::Avg => !matches!(
                f.args.first().map(Expr::ty),
                Some(oid::FLOAT4 | oid::FLOAT8)
            ),
            _ => false,
        };
        let n = self.rows.len();
        if !exact || self.w.frame.end != FrameBound::UnboundedFollowing || n < 2 {
            return Ok(None);
        }
        let mut starts = Vec::with_capacity(n);
        for i in 0..n {
            starts.push(self.frame(i)?.0.min(n));
        }
        if starts.windows(2).any(|w| w[0] > w[1]) {
            return Ok(None);
        }
        let mut out = vec![Value::Null; n];
        let mut state = AggState::new(kind, f.ty);
        let mut covered = n;
        for i in (0..n).rev() {
            check_for_interrupts()?;
            let s = starts[i];
            for args in inputs[s..covered].iter().flatten() {
                state.advance(args)?;
            }
            covered = covered.min(s);
            out[i] = state.finish()?;
        }
        Ok(Some(out))
    }
}

/// A RANGE key or offset in a form `key ± offset` can be computed and
/// compared in without overflow: integers as numeric, float4 as float8,
/// dates as timestamps.
fn comparable(v: &Value) -> PgResult<Value> {
    Ok(match v {
        Value::Int2(x) => Value::Numeric(Numeric::from_i64(*x as i64)),
        Value::Int4(x) => Value::Numeric(Numeric::from_i64(*x as i64)),
        Value::Int8(x) => Value::Numeric(Numeric::from_i64(*x)),
        Value::Float4(x) => Value::Float8(*x as f64),
        Value::Date(_) => ops::cast(v.clone(), oid::DATE, oid::TIMESTAMP, -1)?,
        v => v.clone(),
    })
}
