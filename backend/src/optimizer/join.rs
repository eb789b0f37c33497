//! Join planning: pushes single-side conjuncts into the join's inputs,
//! then picks the method: an index nested loop when the inner side is a
//! table with an index on the join keys, a hash join for other
//! equi-joins, a nested loop otherwise (and always for LATERAL).

use crate::nodes::expr::Expr;
use crate::nodes::query::{JoinKind, JoinSource, Source};
use crate::utils::adt::ops::BinOp;

use super::plan_source;
use super::scan::{self, and_all, conjuncts};
use crate::nodes::plan::Plan;

/// Which sides of a join an expression reads: (left, right).
fn sides(e: &Expr, left_width: usize) -> (bool, bool) {
    let (mut l, mut r) = (false, false);
    e.visit_columns(&mut |i| {
        if i < left_width {
            l = true;
        } else {
            r = true;
        }
    });
    (l, r)
}

/// Rebases column references by `-by` (right-side conjuncts).
fn shift(e: Expr, by: usize) -> Expr {
    e.map_bottom_up(&mut |n| {
        Ok(match n {
            Expr::Column(i, t) => Expr::Column(i - by, t),
            other => other,
        })
    })
    .unwrap_or(Expr::Const(
        crate::types::Value::Null,
        crate::types::oid::BOOL,
    ))
}

/// `left_expr = right_expr` split by side: (left, right over the right
/// row).
fn equi_key(e: &Expr, lw: usize) -> Option<(Expr, Expr)> {
    let Expr::Binary(BinOp::Eq, a, b, _) = e else {
        return None;
    };
    if e.contains_sublink() || a.ty() != b.ty() {
        return None;
    }
    match (sides(a, lw), sides(b, lw)) {
        ((true, false), (false, true)) => Some(((**a).clone(), shift((**b).clone(), lw))),
        ((false, true), (true, false)) => Some(((**b).clone(), shift((**a).clone(), lw))),
        _ => None,
    }
}

/// Plans a join with conjuncts from above (over the join's row).
pub fn plan_join(j: &JoinSource, quals: Vec<Expr>, wanted: &[bool]) -> (Plan, Vec<Expr>) {
    let lw = j.left_width;
    let kind = j.kind;
    let inner = matches!(kind, JoinKind::Inner | JoinKind::Cross);
    let mut to_left = Vec::new();
    let mut to_right = Vec::new();
    let mut join_quals = Vec::new();
    let mut above = Vec::new();
    let on = conjuncts(j.on.clone());
    for q in quals {
        let (l, r) = sides(&q, lw);
        if q.contains_sublink() {
            above.push(q);
        } else if l && !r && !kind.keeps_right() {
            to_left.push(q);
        } else if r && !l && !kind.keeps_left() && !j.lateral {
            to_right.push(shift(q, lw));
        } else if inner {
            join_quals.push(q);
        } else {
            above.push(q);
        }
    }
    for q in on {
        let (l, r) = sides(&q, lw);
        if q.contains_sublink() {
            join_quals.push(q);
        } else if l && !r && (inner || kind == JoinKind::Right) {
            to_left.push(q);
        } else if r && !l && !kind.keeps_right() && !j.lateral {
            to_right.push(shift(q, lw));
        } else {
            join_quals.push(q);
        }
    }
    let (mut left, left_rest) = plan_source(&j.left, to_left, &wanted[..lw.min(wanted.len())]);
    if let Some(f) = and_all(left_rest) {
        left = super::filter(left, f);
    }
    let right_wanted = wanted.get(lw..).unwrap_or(&[]);
    let right_width = j.right.width();
    // Equi-join keys.
    let mut keys = Vec::new();
    let mut residual = Vec::new();
    for q in join_quals {
        match (j.lateral, equi_key(&q, lw)) {
            (false, Some(k)) => keys.push((k, q)),
            _ => residual.push(q),
        }
    }
    // Index nested loop: the right side is a table with an index whose
    // leading columns are (plain) right key columns.
    if let (Source::Table(t), false) = (&j.right, kind.keeps_right()) {
        let cand: Vec<(usize, Expr)> = keys
            .iter()
            .filter_map(|((l, r), _)| match r {
                Expr::Column(c, _) => Some((*c, l.clone())),
                _ => None,
            })
            .collect();
        if let Some((path, used)) = scan::join_index_path(t, &cand) {
            let used_keys: Vec<usize> = used
                .iter()
                .filter_map(|&u| {
                    let c = cand[u].0;
                    keys.iter()
                        .position(|((_, r), _)| matches!(r, Expr::Column(rc, _) if *rc == c))
                })
                .collect();
            let mut cond = residual;
            for (i, (_, q)) in keys.into_iter().enumerate() {
                if !used_keys.contains(&i) {
                    cond.push(q);
                }
            }
            let mut wanted_r = right_wanted.to_vec();
            wanted_r.resize(right_width, false);
            let mut right = scan::plan_scan(t.clone(), to_right, wanted_r);
            // The join keys, not a WHERE condition, choose the rows.
            scan::conds_to_filter(&mut right);
            right.index = Some(path);
            return (
                Plan::IndexNestLoop {
                    kind,
                    left: Box::new(left),
                    right: Box::new(right),
                    cond: and_all(cond),
                },
                above,
            );
        }
    }
    let (mut right, right_rest) = plan_source(&j.right, to_right, right_wanted);
    if let Some(f) = and_all(right_rest) {
        right = super::filter(right, f);
    }
    if !keys.is_empty() {
        let (left_keys, right_keys): (Vec<Expr>, Vec<Expr>) = keys
            .iter()
            .map(|((l, r), _)| (l.clone(), r.clone()))
            .unzip();
        return (
            Plan::HashJoin {
                kind,
                left: Box::new(left),
                right: Box::new(right),
                left_keys,
                right_keys,
                cond: and_all(residual),
                left_width: lw,
                right_width,
            },
            above,
        );
    }
    (
        Plan::NestLoop {
            kind,
            left: Box::new(left),
            right: Box::new(right),
            cond: and_all(residual),
            lateral: j.lateral,
            left_width: lw,
            right_width,
        },
        above,
    )
}
