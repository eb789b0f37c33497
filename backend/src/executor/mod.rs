//! The executor: a pull-based (volcano) iterator per plan node, built for
//! one execution of a [`Plan`]. Every loop over rows checks for
//! interrupts, so a cancel request stops a long query, and every node
//! that holds rows charges them to the statement's memory budget
//! (`memory`), so a runaway one fails cleanly. Table and
//! function scans are in `scan`, joins in `join`, subqueries in
//! expressions in `subplan`, expression evaluation in `eval`, system
//! views' rows in `sysviews`, INSERT/UPDATE/DELETE in `modify`, and the
//! receivers of results in `dest`.

#![forbid(unsafe_code)]

pub mod arrayexpr;
pub mod catalog_rows;
pub mod deferred;
pub mod dest;
pub mod dump_rows;
pub mod eval;
pub mod function_rows;
pub mod instrument;
pub mod join;
pub mod memory;
pub mod modify;
pub mod ri;
pub mod role_rows;
pub mod scan;
pub mod srf;
pub mod subplan;
pub mod sysviews;
pub mod trigger;
pub mod window;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::system_views::SystemView;
use crate::error::{PgError, PgResult};
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::{AggCall, Expr};
use crate::nodes::plan::Plan;
use crate::nodes::query::{Grouping, SetOpKind, SortKey};
use crate::types::Value;
use crate::utils::adt::agg::AggState;
use crate::utils::adt::ops;
use crate::utils::sort::sort_by_interruptible;

pub type Row = Vec<Value>;

/// A running plan node.
pub trait Node {
    /// The next row, or None when the node is exhausted.
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>>;

    /// Adds what EXPLAIN ANALYZE shows besides rows and time (rows its
    /// filters removed) when its loop ends; nodes without filters keep
    /// the default.
    fn report(&self, _r: &mut instrument::NodeReport) {}
}

/// Builds the run-time nodes of `plan` (instrumented while an EXPLAIN
/// ANALYZE runs: `instrument`).
pub fn build(plan: &Plan) -> Box<dyn Node + '_> {
    instrument::wrap(plan, build_node(plan))
}

fn build_node(plan: &Plan) -> Box<dyn Node + '_> {
    match plan {
        Plan::Result => Box::new(ResultNode { done: false }),
        Plan::Values(rows) => Box::new(ValuesNode { rows, next: 0 }),
        Plan::ViewScan(v) => Box::new(ViewScanNode {
            view: v,
            tableoid: v.table_oid(),
            rows: None,
        }),
        Plan::Scan(s) => Box::new(scan::ScanNode::new(s)),
        Plan::FunctionScan(f) => srf::build(f),
        Plan::NestLoop {
            kind,
            left,
            right,
            cond,
            lateral,
            left_width,
            right_width,
        } => Box::new(join::NestLoopNode::new(
            *kind,
            left,
            right,
            cond.as_ref(),
            *lateral,
            (*left_width, *right_width),
        )),
        Plan::HashJoin {
            kind,
            left,
            right,
            left_keys,
            right_keys,
            cond,
            left_width,
            right_width,
        } => Box::new(
            join::HashJoinNode::new(
                *kind,
                left,
                right,
                (left_keys, right_keys),
                cond.as_ref(),
                (*left_width, *right_width),
            )
            .counting_hash(instrument::Counted::for_hash(plan)),
        ),
        Plan::IndexNestLoop {
            kind,
            left,
            right,
            cond,
        } => Box::new(join::IndexNestLoopNode::new(
            *kind,
            left,
            right,
            cond.as_ref(),
        )),
        Plan::Filter { input, predicate } => Box::new(FilterNode {
            input: build(input),
            predicate,
            removed: 0,
        }),
        Plan::Project { input, exprs } => Box::new(ProjectNode {
            input: build(input),
            exprs,
        }),
        Plan::ProjectSet { input, calls } => {
            Box::new(srf::ProjectSetNode::new(build(input), calls))
        }
        Plan::Aggregate {
            input,
            keys,
            aggs,
            grouping,
        } => Box::new(AggregateNode {
            input: build(input),
            keys,
            aggs,
            grouping,
            out: None,
        }),
        Plan::WindowAgg { input, window } => {
            Box::new(window::WindowAggNode::new(build(input), window))
        }
        Plan::Append(inputs) => Box::new(AppendNode {
            inputs: inputs.iter().map(build).collect(),
            current: 0,
        }),
        Plan::SetOp {
            kind,
            all,
            left,
            right,
        } => Box::new(SetOpNode {
            kind: *kind,
            all: *all,
            left: build(left),
            right: Some(build(right)),
            counts: BTreeMap::new(),
        }),
        Plan::RecursiveUnion {
            id,
            distinct,
            non_recursive,
            recursive,
        } => Box::new(RecursiveUnionNode {
            id: *id,
            distinct: *distinct,
            non_recursive: Some(build(non_recursive)),
            recursive,
            round: None,
            next: Vec::new(),
            seen: BTreeSet::new(),
        }),
        Plan::WorkTableScan { id } => Box::new(WorkTableScanNode {
            id: *id,
            rows: None,
            pos: 0,
        }),
        Plan::Distinct { input } => Box::new(DistinctNode {
            input: build(input),
            seen: BTreeSet::new(),
        }),
        Plan::Unique { input, keys } => Box::new(UniqueNode {
            input: build(input),
            keys,
            last: None,
        }),
        Plan::Sort { input, keys } => Box::new(SortNode {
            input: build(input),
            keys,
            out: None,
        }),
        Plan::Limit {
            input,
            limit,
            offset,
        } => Box::new(LimitNode {
            input: build(input),
            limit: limit.as_ref(),
            offset: offset.as_ref(),
            state: None,
        }),
    }
}

/// A command tag with a row count, "SELECT 1" or "INSERT 0 5", written
/// without the formatting machinery (it is built once per statement).
pub fn command_tag(command: &str, n: u64) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    let mut tag = String::with_capacity(command.len() + 1 + digits.len());
    tag.push_str(command);
    tag.push(' ');
    tag.push_str(digits);
    tag
}

/// Runs `plan`, handing each row to `emit`; returns the row count.
pub fn run(
    plan: &Plan,
    ctx: &EvalCtx,
    emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
) -> PgResult<u64> {
    let mut root = build(plan);
    let mut n = 0u64;
    while let Some(row) = root.next(ctx)? {
        check_for_interrupts()?;
        emit(&row)?;
        n += 1;
    }
    Ok(n)
}

struct ResultNode {
    done: bool,
}

impl Node for ResultNode {
    fn next(&mut self, _: &EvalCtx) -> PgResult<Option<Row>> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        Ok(Some(Vec::new()))
    }
}

struct ValuesNode<'p> {
    rows: &'p [Vec<Expr>],
    next: usize,
}

impl Node for ValuesNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let Some(exprs) = self.rows.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        Ok(Some(
            exprs
                .iter()
                .map(|e| eval(e, &[], ctx))
                .collect::<PgResult<_>>()?,
        ))
    }
}

struct ViewScanNode {
    view: &'static SystemView,
    /// The catalog relation's OID, appended to each row as `tableoid`.
    tableoid: Option<crate::types::Oid>,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl Node for ViewScanNode {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let view = self.view;
        let row = self
            .rows
            .get_or_insert_with(|| sysviews::rows(view, ctx).into_iter())
            .next();
        // A catalog relation's tableoid system column.
        Ok(match (row, self.tableoid) {
            (Some(mut r), Some(o)) => {
                r.push(Value::Oid(o));
                Some(r)
            }
            (r, _) => r,
        })
    }
}

struct FilterNode<'p> {
    input: Box<dyn Node + 'p>,
    predicate: &'p Expr,
    /// Rows the predicate rejected (EXPLAIN ANALYZE).
    removed: u64,
}

impl Node for FilterNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            check_for_interrupts()?;
            if eval_predicate(self.predicate, &row, ctx)? {
                return Ok(Some(row));
            }
            self.removed += 1;
        }
        Ok(None)
    }

    fn report(&self, r: &mut instrument::NodeReport) {
        r.nfiltered1 += self.removed;
    }
}

struct ProjectNode<'p> {
    input: Box<dyn Node + 'p>,
    exprs: &'p [Expr],
}

impl Node for ProjectNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let Some(row) = self.input.next(ctx)? else {
            return Ok(None);
        };
        Ok(Some(
            self.exprs
                .iter()
                .map(|e| eval(e, &row, ctx))
                .collect::<PgResult<_>>()?,
        ))
    }
}

/// A row ordered for grouping and duplicate removal: NULLs equal each
/// other and sort last.
#[derive(Clone, Debug)]
struct RowKey(Row);

fn cmp_nullable(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => ops::compare(a, b),
    }
}

impl Ord for RowKey {
    fn cmp(&self, o: &RowKey) -> Ordering {
        for (a, b) in self.0.iter().zip(&o.0) {
            let c = cmp_nullable(a, b);
            if c != Ordering::Equal {
                return c;
            }
        }
        self.0.len().cmp(&o.0.len())
    }
}

impl PartialOrd for RowKey {
    fn partial_cmp(&self, o: &RowKey) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for RowKey {
    fn eq(&self, o: &RowKey) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for RowKey {}

/// One group's aggregate states (and, for DISTINCT aggregates, the
/// argument values already seen).
struct GroupState {
    states: Vec<AggState>,
    seen: Vec<BTreeSet<RowKey>>,
}

struct AggregateNode<'p> {
    input: Box<dyn Node + 'p>,
    keys: &'p [Expr],
    aggs: &'p [AggCall],
    grouping: &'p Grouping,
    out: Option<std::vec::IntoIter<Row>>,
}

impl AggregateNode<'_> {
    fn new_group(&self) -> GroupState {
        GroupState {
            states: self
                .aggs
                .iter()
                .map(|a| AggState::new(a.kind, a.ty).with_order(&a.order))
                .collect(),
            seen: self.aggs.iter().map(|_| BTreeSet::new()).collect(),
        }
    }

    /// The grouping sets: for each, whether it groups by each key.
    fn sets(&self) -> Vec<Vec<bool>> {
        if self.grouping.sets.is_empty() {
            return vec![vec![true; self.keys.len()]];
        }
        self.grouping
            .sets
            .iter()
            .map(|s| (0..self.keys.len()).map(|k| s.contains(&k)).collect())
            .collect()
    }

    fn compute(&mut self, ctx: &EvalCtx) -> PgResult<Vec<Row>> {
        let sets = self.sets();
        // One map of groups per grouping set: a row NULL in a key groups
        // apart from the rows of a set leaving that key out.
        let mut groups: Vec<BTreeMap<RowKey, GroupState>> =
            sets.iter().map(|_| BTreeMap::new()).collect();
        while let Some(row) = self.input.next(ctx)? {
            check_for_interrupts()?;
            let full: Row = self
                .keys
                .iter()
                .map(|k| eval(k, &row, ctx))
                .collect::<PgResult<_>>()?;
            // Each aggregate's arguments, None when FILTER skips the row.
            let mut inputs: Vec<Option<Row>> = Vec::with_capacity(self.aggs.len());
            for a in self.aggs {
                if let Some(f) = &a.filter {
                    if !eval_predicate(f, &row, ctx)? {
                        inputs.push(None);
                        continue;
                    }
                }
                let args: Row = a
                    .args
                    .iter()
                    .map(|e| eval(e, &row, ctx))
                    .collect::<PgResult<_>>()?;
                inputs.push(Some(args));
            }
            for (set, map) in sets.iter().zip(groups.iter_mut()) {
                let key = RowKey(
                    full.iter()
                        .zip(set)
                        .map(|(v, in_set)| if *in_set { v.clone() } else { Value::Null })
                        .collect(),
                );
                if !map.contains_key(&key) {
                    ctx.mem.charge_row(&key.0)?;
                    ctx.mem.charge(self.aggs.len() * 64)?;
                    let g = self.new_group();
                    map.insert(key.clone(), g);
                }
                let g = map
                    .get_mut(&key)
                    .ok_or_else(|| PgError::internal("lost group"))?;
                for (i, a) in self.aggs.iter().enumerate() {
                    let Some(args) = &inputs[i] else { continue };
                    // DISTINCT: NULL inputs are skipped, except by the
                    // aggregates that collect NULLs (array_agg, json_agg).
                    if a.distinct
                        && ((args.iter().any(Value::is_null) && !a.kind.holds_inputs())
                            || !g.seen[i].insert(RowKey(args.clone())))
                    {
                        continue;
                    }
                    if !a.order.is_empty() || a.kind.holds_inputs() {
                        // array_agg and ordered aggregates hold every input.
                        ctx.mem.charge(memory::row_bytes(args))?;
                    }
                    g.states[i].advance(args)?;
                }
            }
        }
        let mut out = Vec::new();
        for (set, mut map) in sets.iter().zip(groups) {
            // A set grouping by no key has one row, even over no input.
            if map.is_empty() && !set.contains(&true) {
                map.insert(RowKey(vec![Value::Null; self.keys.len()]), self.new_group());
            }
            let marks: Vec<Value> = self
                .grouping
                .calls
                .iter()
                .map(|args| {
                    let mask = args
                        .iter()
                        .fold(0i32, |m, k| (m << 1) | i32::from(!set[*k]));
                    Value::Int4(mask)
                })
                .collect();
            for (k, g) in map {
                check_for_interrupts()?;
                let mut row = k.0;
                row.extend(marks.iter().cloned());
                for s in &g.states {
                    row.push(s.finish()?);
                }
                out.push(row);
            }
        }
        Ok(out)
    }
}

impl Node for AggregateNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.out.is_none() {
            let rows = self.compute(ctx)?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(Iterator::next))
    }
}

/// UNION ALL: each input's rows in turn.
struct AppendNode<'p> {
    inputs: Vec<Box<dyn Node + 'p>>,
    current: usize,
}

impl Node for AppendNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        while let Some(input) = self.inputs.get_mut(self.current) {
            if let Some(row) = input.next(ctx)? {
                return Ok(Some(row));
            }
            self.current += 1;
        }
        Ok(None)
    }
}

/// INTERSECT / EXCEPT [ALL]: the right input's rows counted in a map
/// (NULLs equal, as set operations compare rows), then the left input
/// streamed against the counts. Without ALL each distinct row is emitted
/// at most once; with ALL, INTERSECT emits min(m, n) copies of a row and
/// EXCEPT max(m - n, 0).
struct SetOpNode<'p> {
    kind: SetOpKind,
    all: bool,
    left: Box<dyn Node + 'p>,
    /// Taken when its rows have been counted.
    right: Option<Box<dyn Node + 'p>>,
    /// Right-side copies left to match, per distinct row; for the
    /// distinct forms also marks rows already emitted (count set to
    /// `EMITTED`).
    counts: BTreeMap<RowKey, i64>,
}

/// A distinct row already emitted by INTERSECT/EXCEPT.
const EMITTED: i64 = -1;

impl Node for SetOpNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if let Some(mut right) = self.right.take() {
            while let Some(row) = right.next(ctx)? {
                check_for_interrupts()?;
                ctx.mem.charge(memory::row_bytes(&row))?;
                *self.counts.entry(RowKey(row)).or_insert(0) += 1;
            }
        }
        while let Some(row) = self.left.next(ctx)? {
            check_for_interrupts()?;
            let key = RowKey(row);
            let count = self.counts.get(&key).copied().unwrap_or(0);
            let emit = match (self.kind, self.all) {
                (SetOpKind::Intersect, true) => {
                    if count > 0 {
                        self.counts.insert(key.clone(), count - 1);
                    }
                    count > 0
                }
                (SetOpKind::Except, true) => {
                    if count > 0 {
                        self.counts.insert(key.clone(), count - 1);
                    }
                    count <= 0
                }
                (SetOpKind::Intersect, false) => {
                    if count > 0 {
                        self.counts.insert(key.clone(), EMITTED);
                    }
                    count > 0
                }
                (_, false) => {
                    if count == 0 {
                        ctx.mem.charge(memory::row_bytes(&key.0))?;
                        self.counts.insert(key.clone(), EMITTED);
                    }
                    count == 0
                }
                (SetOpKind::Union, true) => true,
            };
            if emit {
                return Ok(Some(key.0));
            }
        }
        Ok(None)
    }
}

/// WITH RECURSIVE: streams the non-recursive term's rows, then runs the
/// recursive term once per round over the previous round's rows (its
/// worktable, published in the execution's caches) until a round yields
/// nothing. With UNION (not ALL) a row already produced is dropped, which
/// is also what ends a cycle.
struct RecursiveUnionNode<'p> {
    id: usize,
    distinct: bool,
    non_recursive: Option<Box<dyn Node + 'p>>,
    recursive: &'p Plan,
    /// The running round of the recursive term.
    round: Option<Box<dyn Node + 'p>>,
    /// Rows produced in this round: the next round's worktable.
    next: Vec<Row>,
    seen: BTreeSet<RowKey>,
}

impl RecursiveUnionNode<'_> {
    /// Keeps `row` for the next round (and, for UNION, as seen); false if
    /// UNION has produced it before.
    fn keep(&mut self, row: &Row, ctx: &EvalCtx) -> PgResult<bool> {
        check_for_interrupts()?;
        if self.distinct && !self.seen.insert(RowKey(row.clone())) {
            return Ok(false);
        }
        ctx.mem.charge_row(row)?;
        self.next.push(row.clone());
        Ok(true)
    }
}

impl Node for RecursiveUnionNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if let Some(mut n) = self.non_recursive.take() {
            while let Some(row) = n.next(ctx)? {
                if self.keep(&row, ctx)? {
                    self.non_recursive = Some(n);
                    return Ok(Some(row));
                }
            }
        }
        loop {
            if let Some(mut round) = self.round.take() {
                while let Some(row) = round.next(ctx)? {
                    if self.keep(&row, ctx)? {
                        self.round = Some(round);
                        return Ok(Some(row));
                    }
                }
            }
            if self.next.is_empty() {
                return Ok(None);
            }
            let rows = std::mem::take(&mut self.next);
            ctx.cache
                .worktables
                .borrow_mut()
                .insert(self.id, std::rc::Rc::new(rows));
            self.round = Some(build(self.recursive));
        }
    }
}

/// The rows of the recursive term's worktable for the current round.
struct WorkTableScanNode {
    id: usize,
    rows: Option<std::rc::Rc<Vec<Row>>>,
    pos: usize,
}

impl Node for WorkTableScanNode {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let rows = ctx.cache.worktables.borrow().get(&self.id).cloned();
            self.rows = Some(rows.unwrap_or_default());
        }
        let rows = self.rows.as_ref().expect("set above");
        let r = rows.get(self.pos).cloned();
        self.pos += 1;
        Ok(r)
    }
}

struct DistinctNode<'p> {
    input: Box<dyn Node + 'p>,
    seen: BTreeSet<RowKey>,
}

impl Node for DistinctNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            check_for_interrupts()?;
            if self.seen.insert(RowKey(row.clone())) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// DISTINCT ON: the first of each run of sorted rows equal on `keys`.
struct UniqueNode<'p> {
    input: Box<dyn Node + 'p>,
    keys: &'p [usize],
    /// The keys of the last row emitted.
    last: Option<Row>,
}

impl Node for UniqueNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            check_for_interrupts()?;
            let key: Row = self.keys.iter().map(|&k| row[k].clone()).collect();
            if self
                .last
                .as_ref()
                .is_some_and(|l| RowKey(l.clone()) == RowKey(key.clone()))
            {
                continue;
            }
            self.last = Some(key);
            return Ok(Some(row));
        }
        Ok(None)
    }
}

struct SortNode<'p> {
    input: Box<dyn Node + 'p>,
    keys: &'p [SortKey],
    out: Option<std::vec::IntoIter<Row>>,
}

/// Orders two rows by sort keys (ASC NULLS LAST / DESC NULLS FIRST by
/// default, as PostgreSQL).
fn compare_rows(a: &Row, b: &Row, keys: &[SortKey]) -> Ordering {
    for k in keys {
        let (x, y) = (&a[k.target], &b[k.target]);
        let c = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let c = ops::compare(x, y);
                if k.desc {
                    c.reverse()
                } else {
                    c
                }
            }
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

impl Node for SortNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.out.is_none() {
            let mut rows = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                check_for_interrupts()?;
                ctx.mem.charge_row(&r)?;
                rows.push(r);
            }
            let keys = self.keys;
            let rows = sort_by_interruptible(rows, |a, b| compare_rows(a, b, keys))?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(Iterator::next))
    }
}

struct LimitNode<'p> {
    input: Box<dyn Node + 'p>,
    limit: Option<&'p Expr>,
    offset: Option<&'p Expr>,
    /// (rows still to return, None = unlimited), once evaluated.
    state: Option<Option<i64>>,
}

fn count_arg(
    e: Option<&Expr>,
    ctx: &EvalCtx,
    code: &'static str,
    what: &str,
) -> PgResult<Option<i64>> {
    let Some(e) = e else { return Ok(None) };
    match eval(e, &[], ctx)? {
        Value::Int8(n) if n < 0 => Err(PgError::new(code, format!("{what} must not be negative"))),
        Value::Int8(n) => Ok(Some(n)),
        _ => Ok(None),
    }
}

impl Node for LimitNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.state.is_none() {
            let limit = count_arg(self.limit, ctx, "2201W", "LIMIT")?;
            let offset = count_arg(self.offset, ctx, "2201X", "OFFSET")?.unwrap_or(0);
            for _ in 0..offset {
                check_for_interrupts()?;
                if self.input.next(ctx)?.is_none() {
                    break;
                }
            }
            self.state = Some(limit);
        }
        match self.state {
            Some(Some(0)) => Ok(None),
            Some(Some(n)) => {
                self.state = Some(Some(n - 1));
                self.input.next(ctx)
            }
            _ => self.input.next(ctx),
        }
    }
}

#[cfg(test)]
mod command_tag_tests {
    use super::command_tag;

    #[test]
    fn tags_carry_the_count() {
        assert_eq!(command_tag("SELECT", 0), "SELECT 0");
        assert_eq!(command_tag("SELECT", 1), "SELECT 1");
        assert_eq!(command_tag("INSERT 0", 1234567890), "INSERT 0 1234567890");
        assert_eq!(command_tag("COPY", u64::MAX), format!("COPY {}", u64::MAX));
    }
}
