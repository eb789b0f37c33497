//! Analysis of ordered-set aggregate calls, `name(direct arguments)
//! WITHIN GROUP (ORDER BY keys)`: the signature (`utils::adt::ordered_set`),
//! coercions, and PostgreSQL's errors for a WITHIN GROUP on other
//! functions (42809 for a plain aggregate, 42883 otherwise) and for a
//! hypothetical-set aggregate called without one.

use sqlparser::ast;

use super::expr::Clause;
use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr;
use crate::nodes::expr::{AggCall, Expr};
use crate::types::{oid, Oid};
use crate::utils::adt::{agg, ordered_set};

const WRONG_OBJECT_TYPE: &str = "42809";

/// 42809 for `rank(x)` without WITHIN GROUP or OVER.
pub(super) fn within_group_required(name: &str) -> PgError {
    PgError::new(
        WRONG_OBJECT_TYPE,
        format!("WITHIN GROUP is required for ordered-set aggregate {name}"),
    )
}

impl Analyzer<'_> {
    /// `name(list) WITHIN GROUP (ORDER BY order) [FILTER (WHERE filter)]`.
    pub(super) fn ordered_set_call(
        &mut self,
        name: &str,
        list: &[ast::FunctionArg],
        order: &[ast::OrderByExpr],
        filter: Option<&ast::Expr>,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        if agg::is_aggregate(name) {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("{name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP"),
            ));
        }
        if !clause.allows_aggregates() && ordered_set::is_ordered_set(name) {
            return Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                format!("aggregate functions are not allowed in {}", clause.name()),
            ));
        }
        if self.in_aggregate {
            return Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                "aggregate function calls cannot be nested",
            ));
        }
        let star = matches!(
            list,
            [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard)]
        );
        self.in_aggregate = true;
        let direct = if star {
            Ok(vec![])
        } else {
            self.args(list, scope, clause)
        };
        let keys = self.agg_order_keys(order, scope, clause);
        let filter = filter.map(|w| self.expr(w, scope, Clause::Filter));
        self.in_aggregate = false;
        let (direct, (keys, specs)) = (direct?, keys?);
        let filter = match filter {
            Some(x) => Some(self.coerce_arg(x?, oid::BOOL, "FILTER")?),
            None => None,
        };
        let dtypes: Vec<Oid> = direct.iter().map(Expr::ty).collect();
        let ktypes: Vec<Oid> = keys.iter().map(Expr::ty).collect();
        let Some((kind, dparams, kparams, ty)) = ordered_set::resolve(name, &dtypes, &ktypes)
        else {
            let all: Vec<Oid> = dtypes.iter().chain(&ktypes).copied().collect();
            let e = fmgr::no_function(name, &all);
            if ordered_set::is_hypothetical(name) && dtypes.len() != ktypes.len() {
                return Err(e.with_hint(format!(
                    "To use the hypothetical-set aggregate {name}, the number of hypothetical direct arguments (here {}) must match the number of ordering columns (here {}).",
                    dtypes.len(),
                    ktypes.len()
                )));
            }
            return Err(e);
        };
        let mut args = Vec::with_capacity(direct.len() + keys.len());
        for (a, t) in direct.into_iter().zip(dparams) {
            args.push(self.coerce(a, t, false)?);
        }
        for (a, t) in keys.into_iter().zip(kparams) {
            args.push(self.coerce(a, t, false)?);
        }
        Ok(Expr::Agg(Box::new(AggCall {
            kind: agg::AggKind::OrderedSet(kind),
            args,
            distinct: false,
            filter,
            ty,
            order: specs,
        })))
    }
}
