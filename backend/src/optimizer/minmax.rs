//! min() and max() through an index (PostgreSQL's planagg.c): an
//! aggregate query over one table whose aggregates are all min(x), or
//! all max(x), of one indexed column x reads just the first non-NULL
//! entry of an index scan in the right direction (a Limit 1 under the
//! Aggregate) instead of every row. PostgreSQL plans the same scan as an
//! InitPlan under a Result (and, having index-only scans, reads the
//! value from the index); pgfork keeps its Aggregate over the Limit, so
//! EXPLAIN shows `Aggregate -> Limit -> Index Scan [Backward]`.

use crate::nodes::expr::Expr;
use crate::nodes::plan::{IndexPath, Plan};
use crate::nodes::query::Query;
use crate::types::{oid, Value};
use crate::utils::adt::agg::AggKind;

/// pg_index.indoption's DESC bit (as `access::keys`, which the optimizer
/// may not import).
const INDOPTION_DESC: u8 = 1;

/// The column and kind (max: true) when every aggregate of `q` is
/// min(col), or every one max(col), of the same plain column.
fn minmax_column(q: &Query) -> Option<(usize, Expr, bool)> {
    if q.aggs.is_empty()
        || !q.group_keys.is_empty()
        || !q.grouping.sets.is_empty()
        || !q.windows.is_empty()
    {
        return None;
    }
    let mut found: Option<(usize, Expr, bool)> = None;
    for a in &q.aggs {
        let max = match a.kind {
            AggKind::Max => true,
            AggKind::Min => false,
            _ => return None,
        };
        if a.filter.is_some() || !a.order.is_empty() || a.args.len() != 1 {
            return None;
        }
        let Expr::Column(c, _) = &a.args[0] else {
            return None;
        };
        match &found {
            Some((fc, _, fm)) if *fc != *c || *fm != max => return None,
            Some(_) => {}
            None => found = Some((*c, a.args[0].clone(), max)),
        }
    }
    found
}

/// Turns the scan `p` of an aggregate query whose aggregates are all
/// min or all max of one column into a Limit 1 over an index scan that
/// returns that column's non-NULL values from the wanted end; false
/// (with `p` unchanged) when the query or the indexes do not allow it.
pub fn plan_minmax(q: &Query, p: &mut Plan) -> bool {
    let Some((col, arg, max)) = minmax_column(q) else {
        return false;
    };
    let Plan::Scan(scan) = p else {
        return false;
    };
    if col >= scan.table.table.columns.len() || scan.tid.is_some() {
        return false;
    }
    match &scan.index {
        // The scan's index must order the column right after the
        // columns its equalities fix.
        Some(path) if path.index.columns.get(path.eq.len()) != Some(&col) => return false,
        Some(_) => {}
        None => {
            let Some(idx) = scan.table.indexes.iter().find(|i| i.columns[0] == col) else {
                return false;
            };
            scan.index = Some(IndexPath::whole(idx.clone(), false));
        }
    }
    let Some(path) = &mut scan.index else {
        return false;
    };
    let desc_index = path.index.option(path.eq.len()) & INDOPTION_DESC != 0;
    path.backward = max != desc_index;
    path.not_null = true;
    path.conds.push(Expr::IsNull(Box::new(arg), true));
    let input = std::mem::replace(p, Plan::Result);
    *p = Plan::Limit {
        input: Box::new(input),
        limit: Some(Expr::Const(Value::Int8(1), oid::INT8)),
        offset: None,
    };
    true
}
