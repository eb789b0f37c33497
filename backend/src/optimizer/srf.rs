//! Planning set-returning functions outside FROM (PostgreSQL's
//! split_pathtarget_at_srfs): the calls become ProjectSet nodes over the
//! rows the expressions read, one node per nesting level: the calls
//! whose arguments hold no set-returning call run in the first, a call
//! over their results in the next (`unnest(ARRAY[generate_series(1,
//! 2)])`), and so on. Each ProjectSet appends its calls' values to its
//! input row; the expressions then read them as columns, so what is
//! around the calls is computed once per output row by the node above.
//! The select list's calls run over the rows it reads (the FROM rows,
//! the Aggregate's or the last WindowAgg's); those of GROUP BY keys
//! under the Aggregate, those of a window's PARTITION BY and ORDER BY
//! under the WindowAgg nodes.

use crate::nodes::expr::Expr;
use crate::nodes::plan::{Plan, SrfCall};
use crate::nodes::query::SetFunction;
use crate::nodes::window::{WindowDef, WindowFunc};
use crate::types::{Oid, Value};

/// The ProjectSet nodes computing the set-returning calls of `targets`
/// over `input`, whose rows have `width` columns; the targets rewritten
/// to read the calls' values as columns; the types of the columns added
/// after the input's.
pub fn plan_project_set(
    mut input: Plan,
    targets: &[Expr],
    mut width: usize,
) -> (Plan, Vec<Expr>, Vec<Oid>) {
    let mut targets = targets.to_vec();
    let mut added = Vec::new();
    while targets.iter().any(Expr::contains_srf) {
        let mut calls = Vec::new();
        targets = targets
            .into_iter()
            .map(|t| lift(t, width, &mut calls))
            .collect();
        if calls.is_empty() {
            // Only calls the select list cannot run (the analyzer
            // refuses them): evaluating them reports the error.
            break;
        }
        width += calls.len();
        added.extend(calls.iter().map(|c| c.ty));
        input = Plan::ProjectSet {
            input: Box::new(input),
            calls,
        };
    }
    (input, targets, added)
}

/// Replaces the innermost set-returning calls of `e` (those whose
/// arguments hold none) by the columns after `width` where a ProjectSet
/// puts their values, appending them to `calls`.
fn lift(e: Expr, width: usize, calls: &mut Vec<SrfCall>) -> Expr {
    let ty = e.ty();
    let innermost = match &e {
        Expr::Func(_, args) if e.is_srf_call() => !args.iter().any(Expr::contains_srf),
        Expr::SubLink(s) if e.is_srf_call() => !s
            .call
            .as_ref()
            .is_some_and(|c| c.args.iter().any(Expr::contains_srf)),
        _ => false,
    };
    if innermost {
        if matches!(e, Expr::SubLink(_)) {
            // A user-defined SQL function's call (one column).
            calls.push(SrfCall {
                func: SetFunction::Sql {
                    width: 1,
                    expand: false,
                },
                ty,
                args: vec![e],
                fields: None,
            });
            return Expr::Column(width + calls.len() - 1, ty);
        }
        if let Expr::Func(d, args) = e {
            let Some(func) = SetFunction::of_select_list_call(d.name, &args) else {
                return Expr::Func(d, args);
            };
            let fields = crate::nodes::query::srf_record_fields(d.name, &args);
            calls.push(SrfCall {
                func,
                ty,
                args,
                fields,
            });
            return Expr::Column(width + calls.len() - 1, ty);
        }
        return e;
    }
    if !e.contains_srf() {
        return e;
    }
    // The closure never fails; the constant stands for nothing.
    e.map_children(&mut |c| Ok(lift(c, width, calls)))
        .unwrap_or(Expr::Const(Value::Null, ty))
}

/// The WindowAgg nodes of `funcs` over `input` (rows of types `types`),
/// with the set-returning calls of their windows' PARTITION BY and ORDER
/// BY run under them (once per window); the calls' columns are dropped
/// above, so the rows are the input's then the functions' results, as
/// without calls.
pub fn plan_windows_over_srfs(input: Plan, types: &[Oid], funcs: &[WindowFunc]) -> Plan {
    let mut windows: Vec<&WindowDef> = Vec::new();
    for f in funcs {
        if !windows.contains(&&f.window) {
            windows.push(&f.window);
        }
    }
    let keys: Vec<Expr> = windows
        .iter()
        .flat_map(|w| {
            let order = w.order.iter().map(|(e, _)| e.clone());
            w.partition.iter().cloned().chain(order)
        })
        .collect();
    if !keys.iter().any(Expr::contains_srf) {
        return super::window::plan_windows(input, types, funcs);
    }
    let base = types.len();
    let (input, lifted, added) = plan_project_set(input, &keys, base);
    let mut lifted = lifted.into_iter();
    let rewritten: Vec<WindowDef> = windows
        .iter()
        .map(|w| {
            let mut w = (*w).clone();
            for e in &mut w.partition {
                *e = lifted.next().unwrap_or_else(|| e.clone());
            }
            for (e, _) in &mut w.order {
                *e = lifted.next().unwrap_or_else(|| e.clone());
            }
            w
        })
        .collect();
    let funcs: Vec<WindowFunc> = funcs
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(k) = windows.iter().position(|w| **w == f.window) {
                f.window = rewritten[k].clone();
            }
            f
        })
        .collect();
    let mut wide: Vec<Oid> = types.to_vec();
    wide.extend(&added);
    let p = super::window::plan_windows(input, &wide, &funcs);
    let exprs = (0..base)
        .map(|c| Expr::Column(c, types[c]))
        .chain(
            funcs
                .iter()
                .enumerate()
                .map(|(i, f)| Expr::Column(base + added.len() + i, f.ty)),
        )
        .collect();
    Plan::Project {
        input: Box::new(p),
        exprs,
    }
}
