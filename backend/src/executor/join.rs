//! Join nodes: nested loop (the inner side read once, or re-run per
//! outer row for LATERAL), hash join and index nested loop; inner, left,
//! right and full (unmatched rows NULL-extended) and cross. Right and
//! full joins remember which inner rows matched and emit the others
//! after the outer side is exhausted.

use std::collections::HashMap;

use crate::access::keys;
use crate::error::PgResult;
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::plan::{Plan, ScanPlan};
use crate::nodes::query::JoinKind;
use crate::types::Value;

use super::instrument::{Counted, NodeReport};
use super::scan::TableCursor;
use super::{build, Node, Row};

fn combine(left: &[Value], right: &[Value]) -> Row {
    let mut r = Vec::with_capacity(left.len() + right.len());
    r.extend_from_slice(left);
    r.extend_from_slice(right);
    r
}

/// A right row without a match: NULLs for the left side's columns.
fn null_left(left_width: usize, right: &Row) -> Row {
    let mut r = Vec::with_capacity(left_width + right.len());
    r.resize(left_width, Value::Null);
    r.extend_from_slice(right);
    r
}

fn null_extend(left: &Row, width: usize) -> Row {
    let mut r = Vec::with_capacity(left.len() + width);
    r.extend_from_slice(left);
    r.resize(left.len() + width, Value::Null);
    r
}

fn passes(cond: Option<&Expr>, row: &Row, ctx: &EvalCtx) -> PgResult<bool> {
    match cond {
        Some(c) => eval_predicate(c, row, ctx),
        None => Ok(true),
    }
}

/// State shared by the join nodes: the current outer row, whether it
/// matched, and its pending output rows.
struct Outer {
    row: Option<Row>,
    matched: bool,
}

pub struct NestLoopNode<'p> {
    kind: JoinKind,
    left: Box<dyn Node + 'p>,
    right_plan: &'p Plan,
    cond: Option<&'p Expr>,
    lateral: bool,
    left_width: usize,
    right_width: usize,
    /// Inner rows, read once (not LATERAL).
    inner: Option<Vec<Row>>,
    /// Which inner rows matched (right and full joins).
    inner_matched: Vec<bool>,
    /// The outer side is exhausted: position among the inner rows being
    /// emitted unmatched.
    tail: Option<usize>,
    /// The inner side running for the current outer row (LATERAL).
    right: Option<Box<dyn Node + 'p>>,
    pos: usize,
    outer: Outer,
    /// Joined rows the join condition rejected (EXPLAIN ANALYZE).
    removed: u64,
}

impl<'p> NestLoopNode<'p> {
    pub fn new(
        kind: JoinKind,
        left: &'p Plan,
        right: &'p Plan,
        cond: Option<&'p Expr>,
        lateral: bool,
        (left_width, right_width): (usize, usize),
    ) -> Self {
        NestLoopNode {
            kind,
            left: build(left),
            right_plan: right,
            cond,
            lateral,
            left_width,
            right_width,
            inner: None,
            inner_matched: Vec::new(),
            tail: None,
            right: None,
            pos: 0,
            outer: Outer {
                row: None,
                matched: false,
            },
            removed: 0,
        }
    }

    /// The next inner row for the current outer row.
    fn next_inner(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if !self.lateral {
            let inner = self.inner.as_ref().map_or(&[][..], Vec::as_slice);
            let r = inner.get(self.pos).cloned();
            self.pos += 1;
            return Ok(r);
        }
        let Some(outer_row) = &self.outer.row else {
            return Ok(None);
        };
        let mut stack: Vec<&[Value]> = ctx.outer.to_vec();
        stack.push(outer_row);
        let inner_ctx = EvalCtx {
            outer: &stack,
            ..*ctx
        };
        let node = self.right.get_or_insert_with(|| build(self.right_plan));
        node.next(&inner_ctx)
    }
}

impl Node for NestLoopNode<'_> {
    fn report(&self, r: &mut NodeReport) {
        r.nfiltered1 += self.removed;
    }

    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if !self.lateral && self.inner.is_none() {
            let mut node = build(self.right_plan);
            let mut rows = Vec::new();
            while let Some(r) = node.next(ctx)? {
                check_for_interrupts()?;
                ctx.mem.charge_row(&r)?;
                rows.push(r);
            }
            self.inner_matched = vec![false; rows.len()];
            self.inner = Some(rows);
        }
        loop {
            check_for_interrupts()?;
            if let Some(t) = &mut self.tail {
                let inner = self.inner.as_deref().unwrap_or(&[]);
                while *t < inner.len() {
                    *t += 1;
                    if !self.inner_matched[*t - 1] {
                        return Ok(Some(null_left(self.left_width, &inner[*t - 1])));
                    }
                }
                return Ok(None);
            }
            if self.outer.row.is_none() {
                let Some(l) = self.left.next(ctx)? else {
                    if self.kind.keeps_right() && !self.lateral {
                        self.tail = Some(0);
                        continue;
                    }
                    return Ok(None);
                };
                self.outer = Outer {
                    row: Some(l),
                    matched: false,
                };
                self.pos = 0;
                self.right = None;
            }
            match self.next_inner(ctx)? {
                Some(r) => {
                    let left = self.outer.row.as_deref().unwrap_or(&[]);
                    let row = combine(left, &r);
                    if passes(self.cond, &row, ctx)? {
                        self.outer.matched = true;
                        if !self.lateral {
                            if let Some(m) = self.inner_matched.get_mut(self.pos - 1) {
                                *m = true;
                            }
                        }
                        return Ok(Some(row));
                    }
                    self.removed += 1;
                }
                None => {
                    let l = self.outer.row.take();
                    if self.kind.keeps_left() && !self.outer.matched {
                        if let Some(l) = l {
                            return Ok(Some(null_extend(&l, self.right_width)));
                        }
                    }
                }
            }
        }
    }
}

/// A hash key: the encoded key values, None when one is NULL (never
/// equal to anything).
fn hash_key(exprs: &[Expr], row: &[Value], ctx: &EvalCtx) -> PgResult<Option<Vec<u8>>> {
    let mut k = Vec::new();
    for e in exprs {
        let v = eval(e, row, ctx)?;
        if v.is_null() {
            return Ok(None);
        }
        keys::encode_value(&v, &mut k);
    }
    Ok(Some(k))
}

pub struct HashJoinNode<'p> {
    kind: JoinKind,
    left: Box<dyn Node + 'p>,
    right: Box<dyn Node + 'p>,
    left_keys: &'p [Expr],
    right_keys: &'p [Expr],
    cond: Option<&'p Expr>,
    left_width: usize,
    right_width: usize,
    /// The inner rows, and for each key the positions of its rows.
    rows: Vec<Row>,
    table: Option<HashMap<Vec<u8>, Vec<usize>>>,
    /// Which inner rows matched (right and full joins).
    matched: Vec<bool>,
    /// The outer side is exhausted: position among the inner rows being
    /// emitted unmatched.
    tail: Option<usize>,
    /// Current outer row, its bucket's key and position in it.
    cur: Option<(Row, Option<Vec<u8>>, usize, bool)>,
    /// Joined rows the join condition rejected, and the counters of the
    /// Hash node (EXPLAIN ANALYZE).
    removed: u64,
    hash_instr: Option<Counted>,
}

impl<'p> HashJoinNode<'p> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: JoinKind,
        left: &'p Plan,
        right: &'p Plan,
        (left_keys, right_keys): (&'p [Expr], &'p [Expr]),
        cond: Option<&'p Expr>,
        (left_width, right_width): (usize, usize),
    ) -> Self {
        HashJoinNode {
            kind,
            left: build(left),
            right: build(right),
            left_keys,
            right_keys,
            cond,
            left_width,
            right_width,
            rows: Vec::new(),
            table: None,
            matched: Vec::new(),
            tail: None,
            cur: None,
            removed: 0,
            hash_instr: None,
        }
    }

    /// Counts the building of the hash table as EXPLAIN ANALYZE's Hash
    /// node.
    pub fn counting_hash(mut self, c: Option<Counted>) -> Self {
        self.hash_instr = c;
        self
    }
}

impl Node for HashJoinNode<'_> {
    fn report(&self, r: &mut NodeReport) {
        r.nfiltered1 += self.removed;
    }

    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let keep_right = self.kind.keeps_right();
        if self.table.is_none() {
            let timer = self.hash_instr.as_ref().map(Counted::start);
            let mut t: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
            while let Some(r) = self.right.next(ctx)? {
                check_for_interrupts()?;
                match hash_key(self.right_keys, &r, ctx)? {
                    Some(k) => {
                        ctx.mem.charge(k.len() + super::memory::row_bytes(&r))?;
                        t.entry(k).or_default().push(self.rows.len());
                        self.rows.push(r);
                    }
                    // A NULL key matches nothing, but a right or full
                    // join still emits the row.
                    None if keep_right => {
                        ctx.mem.charge_row(&r)?;
                        self.rows.push(r);
                    }
                    None => {}
                }
            }
            self.matched = vec![false; self.rows.len()];
            self.table = Some(t);
            if let (Some(c), Some(timer)) = (&self.hash_instr, timer) {
                c.stop(timer, self.rows.len() as u64);
                c.end_loop(0);
            }
        }
        loop {
            check_for_interrupts()?;
            if let Some(t) = &mut self.tail {
                while *t < self.rows.len() {
                    *t += 1;
                    if !self.matched[*t - 1] {
                        return Ok(Some(null_left(self.left_width, &self.rows[*t - 1])));
                    }
                }
                return Ok(None);
            }
            if self.cur.is_none() {
                let Some(l) = self.left.next(ctx)? else {
                    if keep_right {
                        self.tail = Some(0);
                        continue;
                    }
                    return Ok(None);
                };
                let k = hash_key(self.left_keys, &l, ctx)?;
                self.cur = Some((l, k, 0, false));
            }
            let table = self.table.as_ref();
            let Some((l, k, pos, matched)) = &mut self.cur else {
                continue;
            };
            let bucket = k
                .as_ref()
                .and_then(|k| table.and_then(|t| t.get(k)))
                .map_or(&[][..], Vec::as_slice);
            if let Some(&ri) = bucket.get(*pos) {
                *pos += 1;
                let row = combine(l, &self.rows[ri]);
                if passes(self.cond, &row, ctx)? {
                    *matched = true;
                    self.matched[ri] = true;
                    return Ok(Some(row));
                }
                self.removed += 1;
                continue;
            }
            let done = self.cur.take();
            if let Some((l, _, _, false)) = done {
                if self.kind.keeps_left() {
                    return Ok(Some(null_extend(&l, self.right_width)));
                }
            }
        }
    }
}

pub struct IndexNestLoopNode<'p> {
    kind: JoinKind,
    left: Box<dyn Node + 'p>,
    right: &'p ScanPlan,
    cond: Option<&'p Expr>,
    cur: Option<(Row, TableCursor<'p>, bool)>,
    /// Joined rows the join condition rejected, and the inner index
    /// scan's counters, one loop per outer row (EXPLAIN ANALYZE).
    removed: u64,
    inner_instr: Option<Counted>,
}

impl<'p> IndexNestLoopNode<'p> {
    pub fn new(
        kind: JoinKind,
        left: &'p Plan,
        right: &'p ScanPlan,
        cond: Option<&'p Expr>,
    ) -> Self {
        IndexNestLoopNode {
            kind,
            left: build(left),
            right,
            cond,
            cur: None,
            removed: 0,
            inner_instr: Counted::for_scan(right),
        }
    }

    /// Ends the inner scan's loop for the current outer row.
    fn end_inner_loop(&self) {
        if let (Some(c), Some((_, cursor, _))) = (&self.inner_instr, &self.cur) {
            c.end_loop(cursor.removed);
        }
    }
}

impl Drop for IndexNestLoopNode<'_> {
    fn drop(&mut self) {
        self.end_inner_loop();
    }
}

impl Node for IndexNestLoopNode<'_> {
    fn report(&self, r: &mut NodeReport) {
        r.nfiltered1 += self.removed;
    }

    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let mut opened = None;
        loop {
            check_for_interrupts()?;
            if self.cur.is_none() {
                let Some(l) = self.left.next(ctx)? else {
                    return Ok(None);
                };
                // Opening the scan is part of its first call.
                opened = self.inner_instr.as_ref().map(Counted::start);
                let cursor = TableCursor::open(self.right, &l, ctx)?;
                self.cur = Some((l, cursor, false));
            }
            let Some((l, cursor, matched)) = &mut self.cur else {
                continue;
            };
            let timer = opened
                .take()
                .or_else(|| self.inner_instr.as_ref().map(Counted::start));
            let next = cursor.next(ctx)?;
            if let (Some(c), Some(t)) = (&self.inner_instr, timer) {
                c.stop(t, u64::from(next.is_some()));
            }
            match next {
                Some((_, r)) => {
                    let row = combine(l, &r);
                    if passes(self.cond, &row, ctx)? {
                        *matched = true;
                        return Ok(Some(row));
                    }
                    self.removed += 1;
                }
                None => {
                    let width = self.right.width();
                    self.end_inner_loop();
                    if let Some((l, _, false)) = self.cur.take() {
                        if self.kind.keeps_left() {
                            return Ok(Some(null_extend(&l, width)));
                        }
                    }
                }
            }
        }
    }
}
