//! Set-returning functions outside FROM (`SELECT unnest(a) FROM t`,
//! `SELECT generate_series(1, 3)`): where a call may stand, as
//! PostgreSQL's check_srf_call_placement decides. The select list,
//! ORDER BY and GROUP BY take them (the planner runs them in ProjectSet
//! nodes, `optimizer::srf`), as do a window's PARTITION BY and ORDER BY;
//! every other clause, an aggregate's or a window function's arguments,
//! and the conditionally evaluated CASE and COALESCE refuse them (0A000).

use super::expr::Clause;
use super::Analyzer;
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::nodes::query::SetFunction;

const LATERAL_HINT: &str =
    "You might be able to move the set-returning function into a LATERAL FROM item.";

pub fn contains_srf(e: &Expr) -> bool {
    e.contains_srf()
}

/// CASE and COALESCE evaluate their arguments conditionally, which a
/// set-returning call cannot be: PostgreSQL refuses it (0A000).
pub fn refuse_in_conditional<'a>(
    construct: &str,
    mut exprs: impl Iterator<Item = &'a Expr>,
) -> PgResult<()> {
    if exprs.any(contains_srf) {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("set-returning functions are not allowed in {construct}"),
        )
        .with_hint(LATERAL_HINT));
    }
    Ok(())
}

impl Analyzer<'_> {
    /// Whether a set-returning call may stand in `clause` here (0A000
    /// where PostgreSQL refuses it).
    pub(super) fn check_srf_placement(&self, clause: Clause) -> PgResult<()> {
        if !matches!(clause, Clause::Select | Clause::OrderBy | Clause::GroupBy) {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "set-returning functions are not allowed in {}",
                    clause.name()
                ),
            ));
        }
        let inside = if self.in_aggregate {
            "aggregate function calls"
        } else if self.in_window_args {
            "window function calls"
        } else {
            return Ok(());
        };
        Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("{inside} cannot contain set-returning function calls"),
        )
        .with_hint(LATERAL_HINT))
    }
}

/// Refuses the set-returning calls of `targets` that a select list cannot
/// run: json(b)_to_recordset, whose record has no known row type (0A000
/// as in PostgreSQL), and pg_options_to_table.
pub fn check_select_list(targets: &[Expr]) -> PgResult<()> {
    let mut err = Ok(());
    for t in targets {
        visit_calls(t, &mut |name, args| {
            if err.is_ok() && SetFunction::of_select_list_call(name, args).is_none() {
                err = Err(match crate::fmgr::json_record::record_function(name) {
                    Some(_) => crate::fmgr::json_record::undetermined_row_type(name),
                    None => PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!("{name} in a select list (a record) is not supported yet"),
                    ),
                });
            }
        });
    }
    err
}

fn visit_calls(e: &Expr, f: &mut dyn FnMut(&'static str, &[Expr])) {
    if let Expr::Func(d, args) = e {
        if e.is_srf_call() {
            f(d.name, args);
        }
    }
    for c in e.children() {
        visit_calls(c, f);
    }
}
