//! The planner: turns an analyzed [`Query`] into a tree of plan nodes
//! (PostgreSQL's Plan: Result, scans, Qual filters, Agg, Sort, Unique,
//! Limit, projections). Plans are immutable and shared by executions of a
//! prepared statement; the executor builds run-time state per execution.

use crate::sql::analyze::{Query, SortKey, Source};
use crate::sql::expr::{AggCall, Expr};
use crate::sql::system_views::SystemView;
use crate::types::Value;

/// A plan node.
#[derive(Debug)]
pub enum Plan {
    /// One empty row (SELECT without FROM).
    Result,
    /// Rows of constant expressions (VALUES).
    Values(Vec<Vec<Expr>>),
    /// A system view, computed when the scan starts.
    ViewScan(&'static SystemView),
    /// Rows of the input for which the predicate is true.
    Filter { input: Box<Plan>, predicate: Expr },
    /// One output row per input row.
    Project { input: Box<Plan>, exprs: Vec<Expr> },
    /// Groups by `keys` and computes `aggs`; the output is keys then
    /// aggregate results. Without keys, exactly one row.
    Aggregate {
        input: Box<Plan>,
        keys: Vec<Expr>,
        aggs: Vec<AggCall>,
    },
    /// Removes duplicate rows (first occurrence kept, order preserved).
    Distinct { input: Box<Plan> },
    Sort {
        input: Box<Plan>,
        keys: Vec<SortKey>,
    },
    Limit {
        input: Box<Plan>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
}

/// Plans a query.
pub fn plan_query(q: &Query) -> Plan {
    let mut p = match &q.source {
        Source::One => Plan::Result,
        Source::View(v) => Plan::ViewScan(v),
        Source::Values(rows) => Plan::Values(rows.clone()),
        Source::Subquery(sub) => plan_query(sub),
    };
    if let Some(f) = &q.filter {
        p = filter(p, f.clone());
    }
    if q.aggregated {
        p = Plan::Aggregate {
            input: Box::new(p),
            keys: q.group_keys.clone(),
            aggs: q.aggs.clone(),
        };
        if let Some(h) = &q.having {
            p = filter(p, h.clone());
        }
    }
    let identity = !q.aggregated
        && matches!(q.source, Source::Values(_) | Source::Subquery(_))
        && q.targets
            .iter()
            .enumerate()
            .all(|(i, t)| matches!(t, Expr::Column(c, _) if *c == i))
        && q.targets.len() == source_width(q);
    if !identity {
        p = Plan::Project {
            input: Box::new(p),
            exprs: q.targets.clone(),
        };
    }
    if q.distinct {
        p = Plan::Distinct { input: Box::new(p) };
    }
    if !q.sort.is_empty() {
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

fn source_width(q: &Query) -> usize {
    match &q.source {
        Source::Values(rows) => rows.first().map_or(0, Vec::len),
        Source::Subquery(s) => s.columns.len(),
        _ => usize::MAX,
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
