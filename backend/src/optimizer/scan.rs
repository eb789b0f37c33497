//! Table scans and access-path choice: a sequential scan, or an index
//! scan when WHERE conjuncts compare the index's leading columns with
//! values fixed for the scan (constants, parameters, outer references):
//! equalities on a prefix of the columns, then at most one range (lower
//! and/or upper bound) on the next column. Conjuncts the index answers
//! are removed from the filter. A `ctid = value` conjunct (of a scan
//! that reads system columns: a FROM item's) makes it a Tid Scan.

use crate::nodes::plan::{IndexPath, ScanPlan};

use crate::nodes::expr::Expr;
use crate::nodes::query::TableRef;
use crate::utils::adt::ops::BinOp;

/// Whether `e` has one value for the whole scan.
fn scan_constant(e: &Expr) -> bool {
    match e {
        Expr::Column(..)
        | Expr::SubLink(..)
        | Expr::Agg(..)
        | Expr::Grouping(..)
        | Expr::WindowFunc(..) => false,
        Expr::Func(f, _) if f.volatile => false,
        e => e.children().iter().all(|c| scan_constant(c)),
    }
}

/// `col op value` (either way round) as (column, op with the column on
/// the left, value).
fn column_comparison(e: &Expr) -> Option<(usize, BinOp, &Expr)> {
    let Expr::Binary(op, a, b, _) = e else {
        return None;
    };
    if !matches!(
        op,
        BinOp::Eq | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    ) {
        return None;
    }
    match (a.as_ref(), b.as_ref()) {
        (Expr::Column(c, t), v) if scan_constant(v) && v.ty() == *t => Some((*c, *op, v)),
        (v, Expr::Column(c, t)) if scan_constant(v) && v.ty() == *t => {
            let flipped = match op {
                BinOp::Lt => BinOp::Gt,
                BinOp::Le => BinOp::Ge,
                BinOp::Gt => BinOp::Lt,
                BinOp::Ge => BinOp::Le,
                o => *o,
            };
            Some((*c, flipped, v))
        }
        _ => None,
    }
}

/// Splits a predicate into its AND-ed conjuncts.
pub fn conjuncts(e: Option<Expr>) -> Vec<Expr> {
    fn walk(e: Expr, out: &mut Vec<Expr>) {
        match e {
            Expr::And(a, b) => {
                walk(*a, out);
                walk(*b, out);
            }
            e => out.push(e),
        }
    }
    let mut out = Vec::new();
    if let Some(e) = e {
        walk(e, &mut out);
    }
    out
}

/// ANDs conjuncts back together.
pub fn and_all(mut v: Vec<Expr>) -> Option<Expr> {
    let first = if v.is_empty() {
        return None;
    } else {
        v.remove(0)
    };
    Some(
        v.into_iter()
            .fold(first, |acc, e| Expr::And(Box::new(acc), Box::new(e))),
    )
}

/// Chooses the access path of a scan of `table` with conjuncts `quals`
/// (over the table's row) and builds it.
pub fn plan_scan(table: TableRef, mut quals: Vec<Expr>, wanted: Vec<bool>) -> ScanPlan {
    // `ctid = value`: a Tid Scan fetches that one version.
    let ncols = table.table.columns.len();
    if wanted.len() > ncols {
        let tid_qual = quals
            .iter()
            .position(|q| matches!(column_comparison(q), Some((c, BinOp::Eq, _)) if c == ncols));
        if let Some(i) = tid_qual {
            let q = quals.remove(i);
            let value = column_comparison(&q).map(|(_, _, v)| v.clone());
            return ScanPlan {
                table,
                wanted,
                filter: and_all(quals),
                index: None,
                tid: value.map(|v| (v, q)),
            };
        }
    }
    let mut best: Option<(u32, IndexPath, Vec<usize>)> = None;
    for idx in &table.indexes {
        let mut used = Vec::new();
        let mut eq = Vec::new();
        let mut lower = None;
        let mut upper = None;
        for &col in &idx.columns {
            let found = quals
                .iter()
                .enumerate()
                .find_map(|(i, q)| match column_comparison(q) {
                    Some((c, BinOp::Eq, v)) if c == col && !used.contains(&i) => Some((i, v)),
                    _ => None,
                });
            if let Some((i, v)) = found {
                used.push(i);
                eq.push(v.clone());
                continue;
            }
            for (i, q) in quals.iter().enumerate() {
                match column_comparison(q) {
                    Some((c, op, v)) if c == col => match op {
                        BinOp::Gt | BinOp::Ge if lower.is_none() => {
                            lower = Some((v.clone(), op == BinOp::Ge));
                            used.push(i);
                        }
                        BinOp::Lt | BinOp::Le if upper.is_none() => {
                            upper = Some((v.clone(), op == BinOp::Le));
                            used.push(i);
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
            break;
        }
        if used.is_empty() {
            continue;
        }
        let full_unique = idx.unique && eq.len() == idx.columns.len();
        let score = eq.len() as u32 * 4
            + u32::from(lower.is_some())
            + u32::from(upper.is_some())
            + if full_unique { 100 } else { 0 };
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            used.sort_unstable();
            let conds = used.iter().map(|&i| quals[i].clone()).collect();
            best = Some((
                score,
                IndexPath {
                    index: idx.clone(),
                    eq,
                    lower,
                    upper,
                    conds,
                    backward: false,
                    not_null: false,
                },
                used,
            ));
        }
    }
    match best {
        Some((_, path, used)) => {
            let rest: Vec<Expr> = quals
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !used.contains(i))
                .map(|(_, q)| q)
                .collect();
            ScanPlan {
                table,
                wanted,
                filter: and_all(rest),
                index: Some(path),
                tid: None,
            }
        }
        None => ScanPlan {
            table,
            wanted,
            filter: and_all(quals),
            index: None,
            tid: None,
        },
    }
}

/// Makes `scan` a plain scan whose filter checks every conjunct its
/// index or Tid path answered (an index nested loop's inner side, whose
/// rows the join keys choose, then gets the join's index path).
pub fn conds_to_filter(scan: &mut ScanPlan) {
    let mut f = Vec::new();
    if let Some(p) = scan.index.take() {
        f.extend(p.conds);
    }
    if let Some((_, c)) = scan.tid.take() {
        f.push(c);
    }
    f.extend(scan.filter.take());
    scan.filter = and_all(f);
}

/// An index path for a join's inner side: equalities between the index's
/// leading columns and expressions over the outer row (given as
/// (inner column, outer expression) pairs).
pub fn join_index_path(
    table: &TableRef,
    keys: &[(usize, Expr)],
) -> Option<(IndexPath, Vec<usize>)> {
    let mut best: Option<(usize, IndexPath, Vec<usize>)> = None;
    for idx in &table.indexes {
        let mut eq = Vec::new();
        let mut used = Vec::new();
        for &col in &idx.columns {
            match keys.iter().position(|(c, _)| *c == col) {
                Some(k) => {
                    eq.push(keys[k].1.clone());
                    used.push(k);
                }
                None => break,
            }
        }
        if eq.is_empty() || best.as_ref().is_some_and(|(n, _, _)| *n >= eq.len()) {
            continue;
        }
        best = Some((
            eq.len(),
            IndexPath {
                index: idx.clone(),
                eq,
                lower: None,
                upper: None,
                conds: vec![],
                backward: false,
                not_null: false,
            },
            used,
        ));
    }
    best.map(|(_, p, u)| (p, u))
}
