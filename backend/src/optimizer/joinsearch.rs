//! Join-order search over a group of inner joins (PostgreSQL's
//! join_search: standard_join_search / GEQO). A tree of inner and cross
//! joins (not LATERAL, no subquery in ON) is flattened into items (tables,
//! subqueries, outer or LATERAL joins, planned on their own) and the
//! conjuncts over them. Single-item conjuncts are pushed into their item;
//! the others are join clauses, whose items make the join graph. Each
//! connected component is ordered by dynamic programming over its
//! connected subsets when it has fewer than `geqo_threshold` items, else
//! greedily (the cheapest-result pair of connected parts first);
//! components are then joined by cross products, smallest first. For
//! each pair the method (hash join, index nested loop, nested loop) and
//! the sides come from the cost model (`cost`). The group's output keeps
//! the original column order (a projection restores it when the chosen
//! order differs), so what lies above is unaffected.

use std::collections::HashMap;

use crate::nodes::expr::Expr;
use crate::nodes::plan::Plan;
use crate::nodes::query::{JoinKind, JoinSource, Source};
use crate::utils::adt::ops::BinOp;

use super::cost::{self, Est};
use super::scan::{self, and_all, conjuncts};
use super::{filter, plan_source};

/// Items one group may hold (a bit each in a u64).
const MAX_ITEMS: usize = 64;

/// Whether a join can be part of a reorderable group.
pub fn flattenable(j: &JoinSource) -> bool {
    matches!(j.kind, JoinKind::Inner | JoinKind::Cross)
        && !j.lateral
        && !j.on.as_ref().is_some_and(Expr::contains_sublink)
}

struct Item<'a> {
    src: &'a Source,
    off: usize,
    width: usize,
}

fn flatten<'a>(s: &'a Source, off: usize, items: &mut Vec<Item<'a>>, conds: &mut Vec<Expr>) {
    match s {
        Source::Join(j) if flattenable(j) => flatten_join(j, off, items, conds),
        s => items.push(Item {
            src: s,
            off,
            width: s.width(),
        }),
    }
}

fn flatten_join<'a>(
    j: &'a JoinSource,
    off: usize,
    items: &mut Vec<Item<'a>>,
    conds: &mut Vec<Expr>,
) {
    flatten(&j.left, off, items, conds);
    flatten(&j.right, off + j.left_width, items, conds);
    conds.extend(
        conjuncts(j.on.clone())
            .into_iter()
            .map(|c| shift(c, off, true)),
    );
}

/// Moves column references by `by` (up or down).
fn shift(e: Expr, by: usize, up: bool) -> Expr {
    if by == 0 {
        return e;
    }
    map_columns(e, &mut |c| if up { c + by } else { c - by })
}

fn map_columns(e: Expr, f: &mut dyn FnMut(usize) -> usize) -> Expr {
    e.map_bottom_up(&mut |n| {
        Ok(match n {
            Expr::Column(i, t) => Expr::Column(f(i), t),
            other => other,
        })
    })
    .unwrap_or(Expr::Const(
        crate::types::Value::Null,
        crate::types::oid::BOOL,
    ))
}

/// A conjunct over two or more items.
struct Clause {
    expr: Expr,
    mask: u64,
    /// `a = b` with `a` over items `.0` and `b` over items `.1`.
    eq: Option<(u64, u64)>,
    sel: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    Hash,
    Nest,
    IndexNest,
}

#[derive(Clone, Copy, Debug)]
enum How {
    Base(usize),
    Join {
        outer: u64,
        inner: u64,
        method: Method,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    est: Est,
    how: How,
}

struct Group<'a> {
    items: Vec<Item<'a>>,
    item_of: Vec<usize>,
    clauses: Vec<Clause>,
    /// Items each item shares a clause with.
    neighbors: Vec<u64>,
    /// Per item: its pushed-down conjuncts (over its own row), wanted
    /// columns, plan and estimate.
    local: Vec<Vec<Expr>>,
    wanted: Vec<Vec<bool>>,
    plans: Vec<Option<Plan>>,
    memo: HashMap<u64, Entry>,
    rows_cache: HashMap<u64, f64>,
}

fn bits(mask: u64) -> impl Iterator<Item = usize> {
    (0..MAX_ITEMS).filter(move |i| mask & (1u64 << i) != 0)
}

impl Group<'_> {
    fn mask_of(&self, e: &Expr) -> u64 {
        let mut m = 0u64;
        e.visit_columns(&mut |c| {
            if let Some(&i) = self.item_of.get(c) {
                m |= 1 << i;
            }
        });
        m
    }

    /// Distinct values of an expression over one item, when it is one of
    /// the item's columns.
    fn ndistinct(&self, e: &Expr) -> f64 {
        let Expr::Column(c, _) = e else {
            return cost::DEFAULT_NUM_DISTINCT;
        };
        let i = self.item_of[*c];
        let item = &self.items[i];
        match item.src {
            Source::Table(t) => cost::column_ndistinct(t, c - item.off),
            _ => {
                let rows = self.memo[&(1u64 << i)].est.rows;
                rows.min(cost::DEFAULT_NUM_DISTINCT)
            }
        }
    }

    /// The statistics of a table column an expression is, with the
    /// table's rows.
    #[allow(clippy::type_complexity)]
    fn column_stats(
        &self,
        e: &Expr,
    ) -> Option<(
        (std::rc::Rc<crate::catalog::statistic::TableStats>, usize),
        f64,
    )> {
        let Expr::Column(c, _) = e else {
            return None;
        };
        let item = &self.items[self.item_of[*c]];
        let Source::Table(t) = item.src else {
            return None;
        };
        let s = crate::optimizer::selfuncs::column_stats(t, c - item.off)?;
        Some((s, cost::table_rows(t)))
    }

    /// Estimated rows of the join of the items in `mask`.
    fn rows(&mut self, mask: u64) -> f64 {
        if let Some(&r) = self.rows_cache.get(&mask) {
            return r;
        }
        let mut r: f64 = bits(mask)
            .map(|i| self.memo[&(1u64 << i)].est.rows)
            .product();
        for c in &self.clauses {
            if c.mask & !mask == 0 {
                r *= c.sel;
            }
        }
        let r = cost::clamp_rows(r);
        self.rows_cache.insert(mask, r);
        r
    }

    fn connected(&self, a: u64, b: u64) -> bool {
        bits(a).any(|i| self.neighbors[i] & b != 0)
    }

    /// Whether an index of table item `inner` starts with one of its
    /// columns equated with the other side.
    fn index_key(&self, inner: usize, outer: u64) -> Option<f64> {
        let Source::Table(t) = self.items[inner].src else {
            return None;
        };
        let ib = 1u64 << inner;
        let mut sel = 1.0;
        let mut found = false;
        for c in &self.clauses {
            let Some((ma, mb)) = c.eq else { continue };
            let Expr::Binary(_, a, b, _) = &c.expr else {
                continue;
            };
            let col = if ma == ib && mb & !outer == 0 {
                a
            } else if mb == ib && ma & !outer == 0 {
                b
            } else {
                continue;
            };
            if let Expr::Column(col, _) = col.as_ref() {
                let local = col - self.items[inner].off;
                if t.indexes.iter().any(|i| i.columns.first() == Some(&local)) {
                    found = true;
                }
            }
            sel *= c.sel;
        }
        found.then(|| (cost::table_rows(t) * sel).max(1.0))
    }

    /// The cheapest way to join the parts `a` and `b`.
    fn best_join(&mut self, a: u64, b: u64) -> Entry {
        let s = a | b;
        let rows = self.rows(s);
        let (mut nkeys, mut nres) = (0.0, 0.0);
        for c in &self.clauses {
            if c.mask & !s != 0 || c.mask & a == 0 || c.mask & b == 0 {
                continue;
            }
            match c.eq {
                Some((ma, mb))
                    if (ma & !a == 0 && mb & !b == 0) || (ma & !b == 0 && mb & !a == 0) =>
                {
                    nkeys += 1.0
                }
                _ => nres += 1.0,
            }
        }
        let (ea, eb) = (self.memo[&a].est, self.memo[&b].est);
        let mut best: Option<Entry> = None;
        let mut consider = |est: Est, outer: u64, inner: u64, method: Method| {
            if best.is_none_or(|e| est.total < e.est.total) {
                best = Some(Entry {
                    est,
                    how: How::Join {
                        outer,
                        inner,
                        method,
                    },
                });
            }
        };
        for (outer, inner, eo, ei) in [(a, b, ea, eb), (b, a, eb, ea)] {
            if nkeys > 0.0 {
                consider(
                    cost::hash_join_cost(&eo, &ei, nkeys, rows, nres),
                    outer,
                    inner,
                    Method::Hash,
                );
                if inner.count_ones() == 1 {
                    let i = inner.trailing_zeros() as usize;
                    if let Some(per_probe) = self.index_key(i, outer) {
                        let Source::Table(t) = self.items[i].src else {
                            unreachable!()
                        };
                        consider(
                            cost::index_nest_loop_cost(
                                &eo,
                                cost::table_rows(t),
                                ei.width,
                                per_probe,
                                rows,
                            ),
                            outer,
                            inner,
                            Method::IndexNest,
                        );
                    }
                }
            } else {
                consider(
                    cost::nest_loop_cost(&eo, &ei, rows, nres),
                    outer,
                    inner,
                    Method::Nest,
                );
            }
        }
        best.expect("a join method")
    }

    fn keep_best(&mut self, a: u64, b: u64) {
        let e = self.best_join(a, b);
        let s = a | b;
        if self
            .memo
            .get(&s)
            .is_none_or(|old| e.est.total < old.est.total)
        {
            self.memo.insert(s, e);
        }
    }

    /// Dynamic programming over the subsets of `comp` (joined only along
    /// clauses unless `cross`).
    fn dp(&mut self, comp: u64, cross: bool) {
        let members: Vec<usize> = bits(comp).collect();
        let n = members.len();
        let mut subsets: Vec<u64> = (1u64..(1 << n)).filter(|t| t.count_ones() >= 2).collect();
        subsets.sort_by_key(|t| t.count_ones());
        for t in subsets {
            let s: u64 = bits(t).map(|k| 1u64 << members[k]).fold(0, |x, y| x | y);
            let low = s & s.wrapping_neg();
            // Proper subsets holding the lowest item, each pair once.
            let mut l = (s - 1) & s;
            while l != 0 {
                if l & low != 0 {
                    let r = s ^ l;
                    if self.memo.contains_key(&l)
                        && self.memo.contains_key(&r)
                        && (cross || self.connected(l, r))
                    {
                        self.keep_best(l, r);
                    }
                }
                l = (l - 1) & s;
            }
        }
    }

    /// Greedy ordering: repeatedly joins the two connected parts whose
    /// join has the fewest rows (then the lowest cost).
    fn greedy(&mut self, comp: u64) {
        let mut parts: Vec<u64> = bits(comp).map(|i| 1u64 << i).collect();
        while parts.len() > 1 {
            let mut best: Option<(usize, usize, Entry)> = None;
            for cross in [false, true] {
                for i in 0..parts.len() {
                    for j in i + 1..parts.len() {
                        if !cross && !self.connected(parts[i], parts[j]) {
                            continue;
                        }
                        let e = self.best_join(parts[i], parts[j]);
                        let better = best.as_ref().is_none_or(|(_, _, b)| {
                            (e.est.rows, e.est.total) < (b.est.rows, b.est.total)
                        });
                        if better {
                            best = Some((i, j, e));
                        }
                    }
                }
                if best.is_some() {
                    break;
                }
            }
            let (i, j, e) = best.expect("two parts");
            let s = parts[i] | parts[j];
            self.memo.insert(s, e);
            parts[i] = s;
            parts.swap_remove(j);
        }
    }

    /// Builds the plan of `mask`: the plan and its items in row order.
    fn build(&mut self, mask: u64) -> (Plan, Vec<usize>) {
        match self.memo[&mask].how {
            How::Base(i) => (self.plans[i].take().expect("each item once"), vec![i]),
            How::Join {
                outer,
                inner,
                method,
            } => {
                let (left, lorder) = self.build(outer);
                let loffs = self.offsets(&lorder);
                let applicable: Vec<usize> = (0..self.clauses.len())
                    .filter(|&k| {
                        let m = self.clauses[k].mask;
                        m & !mask == 0 && m & outer != 0 && m & inner != 0
                    })
                    .collect();
                if method == Method::IndexNest {
                    let left =
                        match self.build_index_nest(left, &lorder, &loffs, inner, &applicable) {
                            Ok(p) => {
                                let mut order = lorder;
                                order.push(inner.trailing_zeros() as usize);
                                return (p, order);
                            }
                            Err(left) => *left,
                        };
                    // The index did not fit after all: hash (the inner
                    // item's plan is still there).
                    let (right, rorder) = self.build(inner);
                    return self.join_node(left, lorder, right, rorder, outer, &applicable, true);
                }
                let (right, rorder) = self.build(inner);
                let hash = method == Method::Hash;
                self.join_node(left, lorder, right, rorder, outer, &applicable, hash)
            }
        }
    }

    /// New offsets of the items of a row made of `order` (usize::MAX for
    /// items not in it).
    fn offsets(&self, order: &[usize]) -> Vec<usize> {
        let mut offs = vec![usize::MAX; self.items.len()];
        let mut at = 0;
        for &i in order {
            offs[i] = at;
            at += self.items[i].width;
        }
        offs
    }

    fn remap(&self, e: &Expr, offs: &[usize]) -> Expr {
        map_columns(e.clone(), &mut |c| {
            let i = self.item_of[c];
            offs[i] + (c - self.items[i].off)
        })
    }

    fn width(&self, order: &[usize]) -> usize {
        order.iter().map(|&i| self.items[i].width).sum()
    }

    #[allow(clippy::too_many_arguments)]
    fn join_node(
        &self,
        left: Plan,
        lorder: Vec<usize>,
        right: Plan,
        rorder: Vec<usize>,
        outer: u64,
        applicable: &[usize],
        hash: bool,
    ) -> (Plan, Vec<usize>) {
        let mut order = lorder.clone();
        order.extend(&rorder);
        let offs = self.offsets(&order);
        let loffs = self.offsets(&lorder);
        let roffs = self.offsets(&rorder);
        let (mut left_keys, mut right_keys, mut residual) = (vec![], vec![], vec![]);
        for &k in applicable {
            let c = &self.clauses[k];
            let split = match (hash, c.eq, &c.expr) {
                (true, Some((ma, mb)), Expr::Binary(BinOp::Eq, a, b, _)) => {
                    if ma & !outer == 0 && mb & outer == 0 {
                        Some((a, b))
                    } else if mb & !outer == 0 && ma & outer == 0 {
                        Some((b, a))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            match split {
                Some((l, r)) => {
                    left_keys.push(self.remap(l, &loffs));
                    right_keys.push(self.remap(r, &roffs));
                }
                None => residual.push(self.remap(&c.expr, &offs)),
            }
        }
        let (left_width, right_width) = (self.width(&lorder), self.width(&rorder));
        let plan = if left_keys.is_empty() {
            Plan::NestLoop {
                kind: JoinKind::Inner,
                left: Box::new(left),
                right: Box::new(right),
                cond: and_all(residual),
                lateral: false,
                left_width,
                right_width,
            }
        } else {
            Plan::HashJoin {
                kind: JoinKind::Inner,
                left: Box::new(left),
                right: Box::new(right),
                left_keys,
                right_keys,
                cond: and_all(residual),
                left_width,
                right_width,
            }
        };
        (plan, order)
    }

    /// An index nested loop probing table item `inner` with keys over
    /// the left row; the left plan back when no index fits.
    fn build_index_nest(
        &mut self,
        left: Plan,
        lorder: &[usize],
        loffs: &[usize],
        inner: u64,
        applicable: &[usize],
    ) -> Result<Plan, Box<Plan>> {
        let i = inner.trailing_zeros() as usize;
        let Source::Table(t) = self.items[i].src else {
            return Err(Box::new(left));
        };
        let ioff = self.items[i].off;
        let mut cand: Vec<(usize, Expr, usize)> = Vec::new();
        for &k in applicable {
            let c = &self.clauses[k];
            let (Some((ma, mb)), Expr::Binary(BinOp::Eq, a, b, _)) = (c.eq, &c.expr) else {
                continue;
            };
            let (col, other) = if ma == inner {
                (a, b)
            } else if mb == inner {
                (b, a)
            } else {
                continue;
            };
            if let Expr::Column(col, _) = col.as_ref() {
                cand.push((col - ioff, self.remap(other, loffs), k));
            }
        }
        let keys: Vec<(usize, Expr)> = cand.iter().map(|(c, e, _)| (*c, e.clone())).collect();
        let Some((path, used)) = scan::join_index_path(t, &keys) else {
            return Err(Box::new(left));
        };
        let used_clauses: Vec<usize> = used.iter().map(|&u| cand[u].2).collect();
        let mut order = lorder.to_vec();
        order.push(i);
        let offs = self.offsets(&order);
        let cond: Vec<Expr> = applicable
            .iter()
            .filter(|k| !used_clauses.contains(k))
            .map(|&k| self.remap(&self.clauses[k].expr, &offs))
            .collect();
        let mut right = scan::plan_scan(
            t.clone(),
            std::mem::take(&mut self.local[i]),
            self.wanted[i].clone(),
        );
        scan::conds_to_filter(&mut right);
        right.index = Some(path);
        self.plans[i] = None;
        Ok(Plan::IndexNestLoop {
            kind: JoinKind::Inner,
            left: Box::new(left),
            right: Box::new(right),
            cond: and_all(cond),
        })
    }
}

/// Plans a group of inner joins rooted at `j` with conjuncts from above
/// (over the group's row); returns the plan and the conjuncts it did not
/// take. None when the group is too large to search (the caller plans the
/// joins as written).
pub fn plan_group(j: &JoinSource, quals: Vec<Expr>, wanted: &[bool]) -> Option<(Plan, Vec<Expr>)> {
    let mut items = Vec::new();
    let mut conds = Vec::new();
    flatten_join(j, 0, &mut items, &mut conds);
    let n = items.len();
    if n > MAX_ITEMS {
        return None;
    }
    let width: usize = items.iter().map(|i| i.width).sum();
    let mut item_of = vec![0; width];
    for (k, it) in items.iter().enumerate() {
        item_of[it.off..it.off + it.width].fill(k);
    }
    let mut g = Group {
        items,
        item_of,
        clauses: Vec::new(),
        neighbors: vec![0; n],
        local: vec![Vec::new(); n],
        wanted: Vec::new(),
        plans: Vec::new(),
        memo: HashMap::new(),
        rows_cache: HashMap::new(),
    };
    let mut rest = Vec::new();
    let mut multi = Vec::new();
    for q in quals.into_iter().chain(conds) {
        if q.contains_sublink() {
            rest.push(q);
            continue;
        }
        let m = g.mask_of(&q);
        match m.count_ones() {
            0 => g.local[0].push(q),
            1 => {
                let i = m.trailing_zeros() as usize;
                let off = g.items[i].off;
                g.local[i].push(shift(q, off, false));
            }
            _ => multi.push((q, m)),
        }
    }
    // Plan and estimate each item.
    for i in 0..n {
        let it = &g.items[i];
        let mut w: Vec<bool> = wanted
            .get(it.off..)
            .unwrap_or(&[])
            .iter()
            .take(it.width)
            .copied()
            .collect();
        w.resize(it.width, false);
        let local = if matches!(it.src, Source::Table(_)) {
            g.local[i].clone()
        } else {
            std::mem::take(&mut g.local[i])
        };
        let (mut p, r) = plan_source(it.src, local, &w);
        if let Some(f) = and_all(r) {
            p = filter(p, f);
        }
        let est = cost::estimate(&p);
        g.memo.insert(
            1 << i,
            Entry {
                est,
                how: How::Base(i),
            },
        );
        g.plans.push(Some(p));
        g.wanted.push(w);
    }
    // Join clauses and the graph.
    for (q, m) in multi {
        let eq = match &q {
            Expr::Binary(BinOp::Eq, a, b, _) if a.ty() == b.ty() => {
                let (ma, mb) = (g.mask_of(a), g.mask_of(b));
                (ma != 0 && mb != 0 && ma & mb == 0).then_some((ma, mb))
            }
            _ => None,
        };
        let sel = match (&q, eq) {
            (Expr::Binary(_, a, b, _), Some(_)) => match (g.column_stats(a), g.column_stats(b)) {
                (Some((sa, ra)), Some((sb, rb))) => {
                    cost::eqjoin_selectivity(&sa.0.columns[sa.1], ra, &sb.0.columns[sb.1], rb)
                }
                _ => 1.0 / g.ndistinct(a).max(g.ndistinct(b)).max(1.0),
            },
            _ => cost::selectivity(&q, &|_| None),
        };
        for i in bits(m) {
            g.neighbors[i] |= m & !(1 << i);
        }
        g.clauses.push(Clause {
            expr: q,
            mask: m,
            eq,
            sel,
        });
    }
    // Connected components.
    let mut comps: Vec<u64> = Vec::new();
    let mut seen = 0u64;
    for i in 0..n {
        if seen & (1 << i) != 0 {
            continue;
        }
        let mut comp = 1u64 << i;
        loop {
            let grown = bits(comp).fold(comp, |acc, k| acc | g.neighbors[k]);
            if grown == comp {
                break;
            }
            comp = grown;
        }
        seen |= comp;
        comps.push(comp);
    }
    let threshold = cost::geqo_threshold();
    for &c in &comps {
        if c.count_ones() == 1 {
            continue;
        }
        if (c.count_ones() as usize) < threshold {
            g.dp(c, false);
            if !g.memo.contains_key(&c) {
                g.dp(c, true);
            }
        } else {
            g.greedy(c);
        }
    }
    // Cross products of the components, fewest rows first.
    comps.sort_by(|a, b| g.memo[a].est.rows.total_cmp(&g.memo[b].est.rows));
    let mut acc = comps[0];
    for &c in &comps[1..] {
        g.keep_best(acc, c);
        acc |= c;
    }
    let (mut plan, order) = g.build(acc);
    if order.windows(2).any(|w| w[0] > w[1]) {
        let offs = g.offsets(&order);
        let exprs = (0..width)
            .map(|c| {
                let ty = column_type(&g, c);
                g.remap(&Expr::Column(c, ty), &offs)
            })
            .collect();
        plan = Plan::Project {
            input: Box::new(plan),
            exprs,
        };
    }
    Some((plan, rest))
}

/// The type of column `c` of the group's row.
fn column_type(g: &Group<'_>, c: usize) -> crate::types::Oid {
    let it = &g.items[g.item_of[c]];
    source_column_type(it.src, c - it.off)
}

fn source_column_type(s: &Source, c: usize) -> crate::types::Oid {
    use crate::catalog::system_columns::SYSTEM_COLUMNS;
    match s {
        // Past a table's columns come its system columns (ctid ...
        // tableoid), past a catalog view's its tableoid.
        Source::Table(t) => t.table.columns.get(c).map_or_else(
            || SYSTEM_COLUMNS[c - t.table.columns.len()].ty,
            |col| col.ty,
        ),
        Source::Join(j) if c < j.left_width => source_column_type(&j.left, c),
        Source::Join(j) => source_column_type(&j.right, c - j.left_width),
        Source::Subquery(q) => q.columns[c].type_oid,
        Source::SetOp(s) => s.left.columns[c].type_oid,
        Source::Recursive(r) => r.non_recursive.columns[c].type_oid,
        Source::View(v) => v
            .columns()
            .get(c)
            .map_or(crate::types::oid::OID, |col| col.1),
        Source::Values(rows) => rows[0][c].ty(),
        Source::Function(f) if f.ordinality && c + 1 == f.width() => crate::types::oid::INT8,
        Source::Function(f) => f.series_type(c),
        // Evaluation reads a column by position; its type only labels it.
        _ => crate::types::oid::UNKNOWN,
    }
}
