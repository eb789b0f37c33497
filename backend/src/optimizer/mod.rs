//! The planner: turns an analyzed [`Query`] into a tree of plan nodes
//! (PostgreSQL's Plan: Result, scans, joins, Qual filters, Agg, Sort,
//! Unique, Limit, projections). Plans are immutable and shared by
//! executions of a prepared statement; the executor builds run-time state
//! per execution. `scan` chooses access paths, `join` join methods.

#![forbid(unsafe_code)]

pub mod cost;
pub mod join;
pub mod joinsearch;
pub mod minmax;
pub mod scan;
pub mod selfuncs;
pub mod srf;
pub mod subselect;
pub mod window;

use crate::nodes::expr::Expr;
use crate::nodes::modify::{
    InsertSource, LockRows, LockRowsStmt, Modify, ModifyKind, ModifyStmt, ModifyStmtKind,
};
use crate::nodes::plan::{IndexPath, Plan, ScanPlan};
use crate::nodes::query::TableRef;
use crate::nodes::query::{Query, SetOpKind, SetOpSource, Source};
use crate::types::Value;

/// Plans a query.
pub fn plan_query(q: &Query) -> Plan {
    subselect::plan_query_sublinks(q);
    let width = q.source.width();
    let wanted = wanted_columns(q, width);
    let quals = scan::conjuncts(q.filter.clone());
    let (mut p, rest) = plan_source(&q.source, quals, &wanted);
    if q.aggregated && rest.is_empty() {
        minmax::plan_minmax(q, &mut p);
    }
    let sorted = !q.sort.is_empty()
        && !q.aggregated
        && !q.distinct
        && q.distinct_on.is_empty()
        && q.windows.is_empty()
        && index_order(q, &mut p);
    if let Some(f) = scan::and_all(rest) {
        p = filter(p, f);
    }
    if q.aggregated {
        let mut keys = q.group_keys.clone();
        if keys.iter().any(Expr::contains_srf) {
            (p, keys, _) = srf::plan_project_set(p, &keys, width);
        }
        p = Plan::Aggregate {
            input: Box::new(p),
            keys,
            aggs: q.aggs.clone(),
            grouping: q.grouping.clone(),
        };
        if let Some(h) = &q.having {
            p = filter(p, h.clone());
        }
    }
    if !q.windows.is_empty() {
        p = srf::plan_windows_over_srfs(p, &q.window_input, &q.windows);
    }
    let has_srfs = q.targets.iter().any(Expr::contains_srf);
    let identity = !q.aggregated
        && q.windows.is_empty()
        && !has_srfs
        && !matches!(q.source, Source::One)
        && q.targets
            .iter()
            .enumerate()
            .all(|(i, t)| matches!(t, Expr::Column(c, _) if *c == i))
        && q.targets.len() == width;
    if has_srfs {
        let (input, exprs, _) = srf::plan_project_set(p, &q.targets, select_list_input_width(q));
        p = Plan::Project {
            input: Box::new(input),
            exprs,
        };
    } else if !identity {
        p = Plan::Project {
            input: Box::new(p),
            exprs: q.targets.clone(),
        };
    }
    if q.distinct {
        p = Plan::Distinct { input: Box::new(p) };
    }
    if !q.distinct_on.is_empty() {
        p = Plan::Unique {
            input: Box::new(Plan::Sort {
                input: Box::new(p),
                keys: q.sort.clone(),
            }),
            keys: q.distinct_on.clone(),
        };
    } else if !q.sort.is_empty() && !sorted {
        p = Plan::Sort {
            input: Box::new(p),
            keys: q.sort.clone(),
        };
    }
    if q.limit.is_some() || q.offset.is_some() {
        p = Plan::Limit {
            input: Box::new(p),
            limit: q.limit.clone(),
            offset: q.offset.clone(),
        };
    }
    let visible = q.columns.len();
    if q.targets.len() > visible {
        // Drop the resjunk sort columns.
        p = Plan::Project {
            input: Box::new(p),
            exprs: q.targets[..visible]
                .iter()
                .enumerate()
                .map(|(i, t)| Expr::Column(i, t.ty()))
                .collect(),
        };
    }
    p
}

/// The number of columns of the rows the select list reads: the last
/// WindowAgg's (its input and its functions), the Aggregate's (keys,
/// GROUPING() values, aggregates), or the FROM rows.
fn select_list_input_width(q: &Query) -> usize {
    if !q.windows.is_empty() {
        q.window_input.len() + q.windows.len()
    } else if q.aggregated {
        q.group_keys.len() + q.grouping.calls.len() + q.aggs.len()
    } else {
        q.source.width()
    }
}

/// Whether an index scan of the query's table can deliver the rows in
/// ORDER BY order (the index's columns after those fixed by equalities,
/// each in the index's order, or each in the opposite order: ASC NULLS
/// LAST read backward is DESC NULLS FIRST), so no Sort is needed; the
/// scan is then made backward where the order is the opposite one. A
/// sequential scan is switched to a full index scan when the query has
/// a LIMIT.
fn index_order(q: &Query, p: &mut Plan) -> bool {
    let Plan::Scan(scan) = p else {
        return false;
    };
    if scan.tid.is_some() {
        return false;
    }
    // (column, desc, nulls first) of each sort key.
    let mut keys = Vec::with_capacity(q.sort.len());
    for k in &q.sort {
        match q.targets.get(k.target) {
            Some(Expr::Column(c, _)) => keys.push((*c, k.desc, k.nulls_first)),
            _ => return false,
        }
    }
    // Some(backward) when the index read in one direction gives the order.
    let direction = |idx: &crate::catalog::IndexDesc, skip: usize| -> Option<bool> {
        let matches = |backward: bool| {
            keys.iter().enumerate().all(|(n, &(c, desc, nulls_first))| {
                let opt = idx.option(skip + n);
                idx.columns.get(skip + n) == Some(&c)
                    && desc == ((opt & INDOPTION_DESC != 0) != backward)
                    && nulls_first == ((opt & INDOPTION_NULLS_FIRST != 0) != backward)
            })
        };
        if matches(false) {
            Some(false)
        } else if matches(true) {
            Some(true)
        } else {
            None
        }
    };
    match &mut scan.index {
        Some(path) => match direction(&path.index, path.eq.len()) {
            Some(backward) => {
                path.backward = backward;
                true
            }
            None => false,
        },
        None if q.limit.is_some() => {
            let Some((idx, backward)) = scan
                .table
                .indexes
                .iter()
                .find_map(|i| direction(i, 0).map(|b| (i, b)))
            else {
                return false;
            };
            scan.index = Some(IndexPath::whole(idx.clone(), backward));
            true
        }
        None => false,
    }
}

/// pg_index.indoption bits (as `access::keys`, which the optimizer may
/// not import).
const INDOPTION_DESC: u8 = 1;
const INDOPTION_NULLS_FIRST: u8 = 2;

/// Which source columns the query reads (a table scan decodes only
/// those). Subqueries may read any column through outer references, so
/// a query with one reads them all.
fn wanted_columns(q: &Query, width: usize) -> Vec<bool> {
    let mut exprs: Vec<&Expr> = Vec::new();
    exprs.extend(q.filter.iter());
    exprs.extend(q.group_keys.iter());
    for a in &q.aggs {
        exprs.extend(a.args.iter());
        exprs.extend(a.filter.iter());
    }
    if !q.aggregated {
        exprs.extend(q.targets.iter());
        for w in &q.windows {
            exprs.extend(w.args.iter().chain(w.filter.iter()));
            exprs.extend(w.window.partition.iter());
            exprs.extend(w.window.order.iter().map(|(e, _)| e));
        }
    }
    let mut all = exprs.iter().any(|e| e.contains_sublink())
        || q.targets.iter().any(|e| e.contains_sublink());
    let mut join_conds = Vec::new();
    collect_join_conds(&q.source, 0, &mut join_conds, &mut all);
    let mut wanted = vec![all; width];
    let mut mark = |i: usize| {
        if let Some(w) = wanted.get_mut(i) {
            *w = true;
        }
    };
    for e in exprs {
        e.visit_columns(&mut mark);
    }
    for (off, e) in &join_conds {
        e.visit_columns(&mut |i| mark(i + off));
    }
    wanted
}

fn collect_join_conds(s: &Source, off: usize, out: &mut Vec<(usize, Expr)>, all: &mut bool) {
    if let Source::Join(j) = s {
        if j.lateral {
            *all = true;
        }
        if let Some(on) = &j.on {
            if on.contains_sublink() {
                *all = true;
            }
            out.push((off, on.clone()));
        }
        collect_join_conds(&j.left, off, out, all);
        collect_join_conds(&j.right, off + j.left_width, out, all);
    }
}

/// Plans a FROM source given conjuncts over its row that may be pushed
/// into it; returns the plan and the conjuncts it did not take.
fn plan_source(s: &Source, quals: Vec<Expr>, wanted: &[bool]) -> (Plan, Vec<Expr>) {
    match s {
        Source::One => (Plan::Result, quals),
        Source::View(v) => (Plan::ViewScan(v), quals),
        Source::Values(rows) => (Plan::Values(rows.clone()), quals),
        Source::Subquery(sub) => (plan_query(sub), quals),
        Source::Function(f) => (Plan::FunctionScan(f.clone()), quals),
        Source::Table(t) => {
            let (take, rest): (Vec<Expr>, Vec<Expr>) =
                quals.into_iter().partition(|q| !q.contains_sublink());
            // Rows carry the table's columns, then the system columns.
            let mut wanted = wanted.to_vec();
            wanted.resize(s.width(), false);
            let scan = scan::plan_scan(t.clone(), take, wanted);
            (Plan::Scan(Box::new(scan)), rest)
        }
        Source::Join(j) if joinsearch::flattenable(j) => {
            joinsearch::plan_group(j, quals.clone(), wanted)
                .unwrap_or_else(|| join::plan_join(j, quals, wanted))
        }
        Source::Join(j) => join::plan_join(j, quals, wanted),
        Source::SetOp(s) => (plan_set_op(s), quals),
        Source::Recursive(r) => (
            Plan::RecursiveUnion {
                id: r.id,
                distinct: r.distinct,
                non_recursive: Box::new(plan_query(&r.non_recursive)),
                recursive: Box::new(plan_query(&r.recursive)),
            },
            quals,
        ),
        Source::WorkTable(id, _) => (Plan::WorkTableScan { id: *id }, quals),
    }
}

/// Plans a set operation: UNION [ALL] as an Append (made distinct unless
/// ALL), INTERSECT and EXCEPT as a hashed SetOp over both inputs.
fn plan_set_op(s: &SetOpSource) -> Plan {
    let (left, right) = (plan_query(&s.left), plan_query(&s.right));
    match s.kind {
        SetOpKind::Union => {
            // A chain of UNION ALLs is one Append.
            let mut inputs = Vec::new();
            for p in [left, right] {
                match p {
                    Plan::Append(v) if s.all => inputs.extend(v),
                    p => inputs.push(p),
                }
            }
            let append = Plan::Append(inputs);
            if s.all {
                append
            } else {
                Plan::Distinct {
                    input: Box::new(append),
                }
            }
        }
        kind => Plan::SetOp {
            kind,
            all: s.all,
            left: Box::new(left),
            right: Box::new(right),
        },
    }
}

/// A filter, folded away when the predicate is the constant true.
fn filter(input: Plan, predicate: Expr) -> Plan {
    if predicate == Expr::Const(Value::Bool(true), crate::types::oid::BOOL) {
        return input;
    }
    Plan::Filter {
        input: Box::new(input),
        predicate,
    }
}

/// Plans an INSERT, UPDATE or DELETE: the INSERT's source query, or the
/// scan that finds the rows to change (the WHERE is checked again on
/// each row's current version).
pub fn plan_modify(m: ModifyStmt) -> Modify {
    subselect::plan_modify_sublinks(&m);
    let kind = match m.kind {
        ModifyStmtKind::Insert {
            source,
            exprs,
            on_conflict,
        } => {
            let (source, values) = match source {
                InsertSource::Values(rows) => (Plan::Values(rows), true),
                InsertSource::Query(q) => (plan_query(&q), false),
            };
            ModifyKind::Insert {
                source,
                exprs,
                values,
                on_conflict,
            }
        }
        // With FROM/USING the filter reads the other tables too: the
        // target is scanned whole and joined row by row.
        ModifyStmtKind::Update { filter, sets } => ModifyKind::Update {
            scan: modify_scan(&m.table, if m.join.is_some() { &None } else { &filter }),
            recheck: filter,
            sets,
        },
        ModifyStmtKind::Delete { filter } => ModifyKind::Delete {
            scan: modify_scan(&m.table, if m.join.is_some() { &None } else { &filter }),
            recheck: filter,
        },
    };
    Modify {
        kind,
        join: m.join.as_deref().map(plan_query),
        table: m.table,
        returning: m.returning,
        columns: m.columns,
        constraints: Default::default(),
        view_checks: m.view_checks,
    }
}

/// Plans the row-locking step of SELECT ... FOR UPDATE.
pub fn plan_lock_rows(l: LockRowsStmt) -> LockRows {
    l.filter.iter().for_each(subselect::plan_sublinks);
    LockRows {
        scan: modify_scan(&l.table, &l.filter),
        table: l.table,
        recheck: l.filter,
        nowait: l.nowait,
    }
}

/// The scan finding the rows a statement changes or locks (every column
/// decoded: the new version is built from the old).
fn modify_scan(t: &TableRef, filter: &Option<Expr>) -> ScanPlan {
    let wanted = vec![true; t.table.columns.len()];
    scan::plan_scan(t.clone(), scan::conjuncts(filter.clone()), wanted)
}
