//! Subqueries in expressions (PostgreSQL's subselect.c): the analyzer
//! leaves each sublink with its analyzed query; planning a statement plans
//! every sublink in its expressions, at any depth, once.

use crate::nodes::expr::Expr;
use crate::nodes::modify::{ConflictAction, InsertSource, ModifyStmt, ModifyStmtKind};
use crate::nodes::query::Query;

/// Plans the sublinks of `e` and of its sub-expressions.
pub fn plan_sublinks(e: &Expr) {
    if let Expr::SubLink(s) = e {
        s.sub.plan.get_or_init(|| super::plan_query(&s.sub.query));
    }
    for c in e.children() {
        plan_sublinks(c);
    }
}

/// Plans the sublinks of every expression of a query.
pub fn plan_query_sublinks(q: &Query) {
    q.for_each_expr(&mut |e| plan_sublinks(e));
}

/// Plans the sublinks of an INSERT, UPDATE or DELETE.
pub fn plan_modify_sublinks(m: &ModifyStmt) {
    let mut exprs: Vec<&Expr> = m.returning.iter().flatten().collect();
    match &m.kind {
        ModifyStmtKind::Insert {
            source,
            exprs: targets,
            on_conflict,
        } => {
            exprs.extend(targets);
            if let InsertSource::Values(rows) = source {
                exprs.extend(rows.iter().flatten());
            }
            if let Some(ConflictAction::Update { sets, filter }) =
                on_conflict.as_ref().map(|c| &c.action)
            {
                exprs.extend(sets.iter().map(|(_, e)| e));
                exprs.extend(filter);
            }
        }
        ModifyStmtKind::Update { filter, sets } => {
            exprs.extend(filter);
            exprs.extend(sets.iter().map(|(_, e)| e));
        }
        ModifyStmtKind::Delete { filter } => exprs.extend(filter),
    }
    exprs.extend(m.view_checks.iter().map(|c| &c.qual));
    exprs.into_iter().for_each(plan_sublinks);
}
