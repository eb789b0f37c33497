//! Planning the window stage (PostgreSQL's WindowAgg paths): one
//! WindowAgg node per distinct window, each over a Sort by its partition
//! keys then its ordering keys (skipped when the rows below are already
//! in that order). Keys that are not plain columns are computed by a
//! projection under the Sort and dropped by the WindowAgg.

use crate::nodes::expr::Expr;
use crate::nodes::plan::Plan;
use crate::nodes::query::SortKey;
use crate::nodes::window::{WindowAggPlan, WindowFunc};
use crate::types::Oid;

/// The WindowAgg nodes computing `funcs` (grouped by window) over
/// `input`, whose rows have columns of types `types`.
pub fn plan_windows(mut p: Plan, types: &[Oid], funcs: &[WindowFunc]) -> Plan {
    let mut width = types.len();
    let mut sorted: Vec<SortKey> = Vec::new();
    let mut i = 0;
    while i < funcs.len() {
        let win = &funcs[i].window;
        let j = funcs[i..]
            .iter()
            .position(|f| f.window != *win)
            .map_or(funcs.len(), |k| i + k);
        // Key columns: existing columns, or expressions appended.
        let mut extra: Vec<Expr> = Vec::new();
        let mut col = |e: &Expr| -> usize {
            match e {
                Expr::Column(c, _) if *c < width => *c,
                e => match extra.iter().position(|x| x == e) {
                    Some(k) => width + k,
                    None => {
                        extra.push(e.clone());
                        width + extra.len() - 1
                    }
                },
            }
        };
        let partition: Vec<usize> = win.partition.iter().map(&mut col).collect();
        let order: Vec<(usize, _)> = win.order.iter().map(|(e, s)| (col(e), *s)).collect();
        let keys: Vec<SortKey> = partition
            .iter()
            .map(|&target| SortKey {
                target,
                desc: false,
                nulls_first: false,
            })
            .chain(order.iter().map(|&(target, s)| SortKey {
                target,
                desc: s.desc,
                nulls_first: s.nulls_first,
            }))
            .collect();
        if !extra.is_empty() {
            let mut exprs: Vec<Expr> = (0..width)
                .map(|c| Expr::Column(c, column_type(types, funcs, c)))
                .collect();
            exprs.extend(extra.iter().cloned());
            p = Plan::Project {
                input: Box::new(p),
                exprs,
            };
        }
        let already = extra.is_empty() && is_prefix(&keys, &sorted);
        if !keys.is_empty() && !already {
            p = Plan::Sort {
                input: Box::new(p),
                keys: keys.clone(),
            };
        }
        if !already {
            sorted = if extra.is_empty() { keys } else { Vec::new() };
        }
        p = Plan::WindowAgg {
            input: Box::new(p),
            window: Box::new(WindowAggPlan {
                pass: width,
                partition,
                order,
                frame: win.frame.clone(),
                funcs: funcs[i..j].to_vec(),
            }),
        };
        width += j - i;
        i = j;
    }
    p
}

/// Whether rows sorted by `have` are also sorted by `want`.
fn is_prefix(want: &[SortKey], have: &[SortKey]) -> bool {
    want.len() <= have.len()
        && want.iter().zip(have).all(|(a, b)| {
            a.target == b.target && a.desc == b.desc && a.nulls_first == b.nulls_first
        })
}

/// The type of column `c` of the window stage: an input column, or an
/// earlier window function's result.
fn column_type(types: &[Oid], funcs: &[WindowFunc], c: usize) -> Oid {
    types
        .get(c)
        .copied()
        .unwrap_or_else(|| funcs[c - types.len()].ty)
}
