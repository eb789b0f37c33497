//! Cardinality and cost estimates for the join-order search: the
//! session's planner inputs (table sizes from the server's per-table
//! counters, `geqo_threshold`), PostgreSQL's default selectivities for
//! predicates without statistics, and a cost model for scans and joins
//! with PostgreSQL's default cost parameters.

use std::cell::RefCell;
use std::rc::Rc;

use crate::catalog::statistic::TableStats;
use crate::nodes::expr::Expr;
use crate::nodes::plan::{Plan, ScanPlan};
use crate::nodes::query::TableRef;
use crate::utils::adt::ops::BinOp;

/// PostgreSQL's cost parameters (their defaults).
pub const SEQ_PAGE_COST: f64 = 1.0;
pub const RANDOM_PAGE_COST: f64 = 4.0;
pub const CPU_TUPLE_COST: f64 = 0.01;
pub const CPU_OPERATOR_COST: f64 = 0.0025;
pub const CPU_INDEX_TUPLE_COST: f64 = 0.005;

/// Selectivity of `x = const` without statistics (DEFAULT_EQ_SEL).
pub const DEFAULT_EQ_SEL: f64 = 0.005;
/// Selectivity of `x < const` and the like (DEFAULT_INEQ_SEL).
pub const DEFAULT_INEQ_SEL: f64 = 1.0 / 3.0;
/// Selectivity of LIKE (DEFAULT_MATCH_SEL) and of IS NULL (DEFAULT_UNK_SEL).
pub const DEFAULT_MATCH_SEL: f64 = 0.005;
pub const DEFAULT_UNK_SEL: f64 = 0.005;
/// Distinct values assumed for a column without statistics.
pub const DEFAULT_NUM_DISTINCT: f64 = 200.0;
/// Rows assumed for a table the server has no count for (PostgreSQL
/// assumes 10 pages for a never-vacuumed empty-looking table).
pub const DEFAULT_TABLE_ROWS: f64 = 1000.0;

/// Live-row count of a table by OID, when the server knows it.
pub type RowSource = Rc<dyn Fn(u32) -> Option<f64>>;

/// A table's statistics by OID, when ANALYZE stored some.
pub type StatsSource = Rc<dyn Fn(u32) -> Option<Rc<TableStats>>>;

/// What the planner reads from the session.
#[derive(Clone)]
struct PlannerEnv {
    rows: Option<RowSource>,
    stats: Option<StatsSource>,
    geqo_threshold: usize,
}

thread_local! {
    static ENV: RefCell<PlannerEnv> = RefCell::new(PlannerEnv {
        rows: None,
        stats: None,
        geqo_threshold: 12,
    });
}

/// Installs the session's statistics source (once per session).
pub fn set_stats_source(f: StatsSource) {
    ENV.with(|e| e.borrow_mut().stats = Some(f));
}

/// Whether this thread has the sources a session installs (a pool-mode
/// carrier that never started a session has none).
pub fn has_sources() -> bool {
    ENV.with(|e| {
        let e = e.borrow();
        e.stats.is_some() && e.rows.is_some()
    })
}

/// The statistics of table `rel`, if any.
pub fn table_stats(rel: u32) -> Option<Rc<TableStats>> {
    ENV.with(|e| e.borrow().stats.clone()).and_then(|f| f(rel))
}

/// Installs the session's table-size source (once per session).
pub fn set_row_source(f: RowSource) {
    ENV.with(|e| e.borrow_mut().rows = Some(f));
}

/// Sets `geqo_threshold`: join groups with at least this many items are
/// ordered greedily instead of exhaustively.
pub fn set_geqo_threshold(n: usize) {
    ENV.with(|e| e.borrow_mut().geqo_threshold = n.max(2));
}

pub fn geqo_threshold() -> usize {
    ENV.with(|e| e.borrow().geqo_threshold)
}

/// Estimated live rows of a table.
pub fn table_rows(t: &TableRef) -> f64 {
    let known = ENV
        .with(|e| e.borrow().rows.clone())
        .and_then(|f| f(t.table.oid));
    match known {
        Some(n) if n > 0.0 => n,
        // A counted table that is empty: PostgreSQL never plans for fewer
        // than one row either.
        Some(_) => 1.0,
        None => match table_stats(t.table.oid) {
            Some(st) => st.reltuples.max(1.0),
            None => DEFAULT_TABLE_ROWS,
        },
    }
}

/// Estimated width in bytes of a value of a type (32 for variable-length
/// types, PostgreSQL's guess without statistics).
pub fn type_width(ty: crate::types::Oid) -> f64 {
    match crate::types::type_len(ty) {
        n if n > 0 => n as f64,
        _ => 32.0,
    }
}

/// Average width of a table's row (from the columns' avg_width when
/// ANALYZE measured them).
pub fn table_width(t: &TableRef) -> f64 {
    let st = table_stats(t.table.oid);
    t.table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.dropped)
        .map(|(i, c)| {
            st.as_ref()
                .and_then(|s| s.column(i, c.ty))
                .map_or_else(|| type_width(c.ty), |s| s.avg_width as f64)
        })
        .sum()
}

/// The statistics of the table column a join key is, over a plan that
/// scans one table (a scan, maybe filtered or sorted).
fn key_stats(p: &Plan, key: &Expr) -> Option<(crate::catalog::statistic::ColumnStats, f64)> {
    let s = base_scan(p)?;
    let Expr::Column(c, _) = key else {
        return None;
    };
    let (st, i) = crate::optimizer::selfuncs::column_stats(&s.table, *c)?;
    Some((st.columns[i].clone(), table_rows(&s.table)))
}

/// Heap pages a table of `rows` rows of `width` bytes takes.
pub fn table_pages(rows: f64, width: f64) -> f64 {
    // 24 bytes of tuple header + 4 of line pointer per row, 8192-byte
    // pages with a 24-byte header.
    (rows * (width + 28.0) / 8168.0).ceil().max(1.0)
}

/// Distinct values of a table column: all rows when a single-column
/// unique index covers it, else PostgreSQL's default capped at the rows.
pub fn column_ndistinct(t: &TableRef, col: usize) -> f64 {
    let rows = table_rows(t);
    if let Some((st, i)) = crate::optimizer::selfuncs::column_stats(t, col) {
        if let Some(nd) = crate::optimizer::selfuncs::stats_ndistinct(&st.columns[i], rows) {
            return nd.min(rows).max(1.0);
        }
    }
    let unique = t
        .indexes
        .iter()
        .any(|i| i.unique && i.columns.as_slice() == [col]);
    if unique
        || t.table
            .columns
            .get(col)
            .is_some_and(|_| rows < DEFAULT_NUM_DISTINCT)
    {
        rows.max(1.0)
    } else {
        DEFAULT_NUM_DISTINCT
    }
}

/// Whether `e` is fixed for a scan (no column of the row being filtered).
fn fixed(e: &Expr) -> bool {
    let mut cols = false;
    e.visit_columns(&mut |_| cols = true);
    !cols && !e.contains_sublink()
}

/// Selectivity of a predicate over one row. `ndistinct` gives the
/// distinct values of a column of that row, when known.
pub fn selectivity(e: &Expr, ndistinct: &dyn Fn(usize) -> Option<f64>) -> f64 {
    let s = match e {
        Expr::And(a, b) => selectivity(a, ndistinct) * selectivity(b, ndistinct),
        Expr::Or(a, b) => {
            let (x, y) = (selectivity(a, ndistinct), selectivity(b, ndistinct));
            x + y - x * y
        }
        Expr::Not(a) => 1.0 - selectivity(a, ndistinct),
        Expr::Const(crate::types::Value::Bool(b), _) => f64::from(u8::from(*b)),
        Expr::Const(crate::types::Value::Null, _) => 0.0,
        Expr::Binary(op, a, b, _) => {
            let col = match (a.as_ref(), b.as_ref()) {
                (Expr::Column(c, _), v) | (v, Expr::Column(c, _)) if fixed(v) => Some(*c),
                _ => None,
            };
            match op {
                BinOp::Eq => match col.and_then(ndistinct) {
                    Some(nd) => 1.0 / nd.max(1.0),
                    None => DEFAULT_EQ_SEL,
                },
                BinOp::Ne => match col.and_then(ndistinct) {
                    Some(nd) => 1.0 - 1.0 / nd.max(1.0),
                    None => 1.0 - DEFAULT_EQ_SEL,
                },
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => DEFAULT_INEQ_SEL,
                _ => 0.5,
            }
        }
        Expr::IsNull(_, negated) => {
            if *negated {
                1.0 - DEFAULT_UNK_SEL
            } else {
                DEFAULT_UNK_SEL
            }
        }
        Expr::Like { negated, .. } => {
            if *negated {
                1.0 - DEFAULT_MATCH_SEL
            } else {
                DEFAULT_MATCH_SEL
            }
        }
        Expr::InList { list, negated, .. } => {
            let s = (list.len() as f64 * DEFAULT_EQ_SEL).min(1.0);
            if *negated {
                1.0 - s
            } else {
                s
            }
        }
        // PostgreSQL's guess for a boolean expression it cannot analyze.
        _ => 0.5,
    };
    s.clamp(0.0, 1.0)
}

/// eqjoinsel over two columns' statistics.
pub fn eqjoin_selectivity(
    a: &crate::catalog::statistic::ColumnStats,
    rows_a: f64,
    b: &crate::catalog::statistic::ColumnStats,
    rows_b: f64,
) -> f64 {
    crate::optimizer::selfuncs::eqjoinsel(a, rows_a, b, rows_b)
}

/// Rows of an estimate are at least one (PostgreSQL's clamp_row_est).
pub fn clamp_rows(r: f64) -> f64 {
    if r.is_nan() || r < 1.0 {
        1.0
    } else {
        r.round()
    }
}

/// A plan's estimated startup and total cost, rows and row width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Est {
    pub startup: f64,
    pub total: f64,
    pub rows: f64,
    pub width: f64,
}

/// Number of operators evaluated by a predicate (per row).
fn ops(e: &Option<Expr>) -> f64 {
    crate::optimizer::scan::conjuncts(e.clone()).len() as f64
}

/// Estimate of a table scan.
pub fn scan_est(s: &ScanPlan) -> Est {
    let rows = table_rows(&s.table);
    let width = table_width(&s.table);
    let filter_sel = s.filter.as_ref().map_or(1.0, |f| {
        crate::optimizer::selfuncs::clause_selectivity(f, &s.table)
    });
    let nfilter = ops(&s.filter);
    if s.tid.is_some() {
        // One random page and one tuple, as PostgreSQL's cost_tidscan.
        return Est {
            startup: 0.0,
            total: RANDOM_PAGE_COST + CPU_TUPLE_COST + nfilter * CPU_OPERATOR_COST,
            rows: clamp_rows(filter_sel),
            width,
        };
    }
    match &s.index {
        None => {
            let pages = table_pages(rows, width);
            let total =
                pages * SEQ_PAGE_COST + rows * (CPU_TUPLE_COST + nfilter * CPU_OPERATOR_COST);
            Est {
                startup: 0.0,
                total,
                rows: clamp_rows(rows * filter_sel),
                width,
            }
        }
        Some(p) => {
            let idx_sel = p
                .conds
                .iter()
                .map(|c| crate::optimizer::selfuncs::clause_selectivity(c, &s.table))
                .product::<f64>()
                .min(
                    if p.eq.is_empty() && p.lower.is_none() && p.upper.is_none() {
                        1.0
                    } else {
                        DEFAULT_INEQ_SEL.max(1.0 / rows.max(1.0))
                    },
                );
            let unique = p.index.unique && p.eq.len() == p.index.columns.len();
            let fetched = if unique {
                1.0
            } else {
                (rows * idx_sel).max(1.0)
            };
            let total = index_probe_cost(rows, fetched) + fetched * nfilter * CPU_OPERATOR_COST;
            Est {
                startup: 0.29,
                total,
                rows: clamp_rows(fetched * filter_sel),
                width,
            }
        }
    }
}

/// Cost of one index descent fetching `fetched` rows of a `rows`-row
/// table: the descent, then an index tuple and a (mostly random) heap
/// fetch per row.
pub fn index_probe_cost(rows: f64, fetched: f64) -> f64 {
    let descent = (rows.max(2.0)).log2().ceil() * CPU_OPERATOR_COST + 0.29;
    let heap = fetched.min(table_pages(rows, 40.0)) * RANDOM_PAGE_COST;
    descent + fetched * (CPU_INDEX_TUPLE_COST + CPU_TUPLE_COST) + heap
}

/// Cost of a hash join of `outer` with `inner` (built into the table)
/// on `nkeys` keys, producing `rows` rows.
pub fn hash_join_cost(outer: &Est, inner: &Est, nkeys: f64, rows: f64, nquals: f64) -> Est {
    let build = inner.total + inner.rows * (CPU_OPERATOR_COST * nkeys + CPU_TUPLE_COST);
    let total = outer.total
        + build
        + outer.rows * CPU_OPERATOR_COST * nkeys
        + rows * (CPU_TUPLE_COST + nquals * CPU_OPERATOR_COST);
    Est {
        startup: build + outer.startup,
        total,
        rows,
        width: outer.width + inner.width,
    }
}

/// Cost of a nested loop over a materialized inner side.
pub fn nest_loop_cost(outer: &Est, inner: &Est, rows: f64, nquals: f64) -> Est {
    let pairs = outer.rows * inner.rows;
    let total = outer.total
        + inner.total
        + pairs * (CPU_OPERATOR_COST * nquals.max(1.0))
        + rows * CPU_TUPLE_COST;
    Est {
        startup: outer.startup + inner.startup,
        total,
        rows,
        width: outer.width + inner.width,
    }
}

/// Cost of an index nested loop: one index probe of the inner table per
/// outer row, `per_probe` rows fetched by each.
pub fn index_nest_loop_cost(
    outer: &Est,
    inner_table_rows: f64,
    inner_width: f64,
    per_probe: f64,
    rows: f64,
) -> Est {
    // Repeated probes find the upper levels and most heap pages cached:
    // charge a quarter of a random page per fetched row.
    let probe = (inner_table_rows.max(2.0)).log2().ceil() * CPU_OPERATOR_COST
        + per_probe * (CPU_INDEX_TUPLE_COST + CPU_TUPLE_COST + RANDOM_PAGE_COST * 0.25);
    let total = outer.total + outer.rows * probe + rows * CPU_TUPLE_COST;
    Est {
        startup: outer.startup,
        total,
        rows,
        width: outer.width + inner_width,
    }
}

/// A constant number (through casts): a LIMIT's count.
fn const_number(e: &Expr) -> Option<f64> {
    match e {
        Expr::Const(v, _) if !v.is_null() => v.to_text().parse().ok(),
        Expr::Cast(x, _, _) => const_number(x),
        _ => None,
    }
}

/// The scanned table under a plan that keeps its columns' positions
/// (a scan, maybe filtered or sorted).
fn base_scan(p: &Plan) -> Option<&ScanPlan> {
    match p {
        Plan::Scan(s) => Some(s),
        Plan::Filter { input, .. } | Plan::Sort { input, .. } => base_scan(input),
        _ => None,
    }
}

/// Groups of `input` by `keys` (estimate_num_groups): the product of the
/// keys' distinct values when they are columns of a table, at most the
/// input rows; else PostgreSQL's default of 200 or a tenth of the rows.
fn group_rows(input: &Plan, keys: &[Expr], input_rows: f64) -> f64 {
    if let Some(s) = base_scan(input) {
        let mut nd = 1.0;
        let mut all = true;
        for k in keys {
            match k {
                Expr::Column(c, _) if *c < s.table.table.columns.len() => {
                    nd *= column_ndistinct(&s.table, *c)
                }
                _ => all = false,
            }
        }
        if all {
            return clamp_rows(nd.min(input_rows));
        }
    }
    clamp_rows((input_rows / 10.0).clamp(1.0, DEFAULT_NUM_DISTINCT))
}

/// A rough estimate of any plan (for items of a join group other than
/// tables: subqueries, functions, VALUES, outer joins).
pub fn estimate(p: &Plan) -> Est {
    let leaf = |rows: f64, width: f64| Est {
        startup: 0.0,
        total: rows * CPU_TUPLE_COST,
        rows: clamp_rows(rows),
        width,
    };
    match p {
        Plan::Result => leaf(1.0, 0.0),
        Plan::Values(rows) => leaf(rows.len() as f64, 8.0),
        Plan::Scan(s) => scan_est(s),
        Plan::FunctionScan(_) => leaf(1000.0, 8.0),
        Plan::ViewScan(_) => leaf(1000.0, 64.0),
        Plan::Filter { input, predicate } => {
            let e = estimate(input);
            let sel = selectivity(predicate, &|_| None);
            Est {
                total: e.total + e.rows * CPU_OPERATOR_COST,
                rows: clamp_rows(e.rows * sel),
                ..e
            }
        }
        Plan::Project { input, exprs } => {
            let e = estimate(input);
            Est {
                total: e.total + e.rows * CPU_OPERATOR_COST * exprs.len() as f64 * 0.1,
                width: exprs.iter().map(|x| type_width(x.ty())).sum(),
                ..e
            }
        }
        Plan::ProjectSet { input, calls } => {
            // A guess of ten rows per input row (PostgreSQL reads each
            // function's prorows and support function).
            let e = estimate(input);
            let rows = clamp_rows(e.rows * 10.0);
            Est {
                total: e.total + rows * CPU_TUPLE_COST * calls.len() as f64,
                rows,
                width: e.width + calls.iter().map(|c| type_width(c.ty)).sum::<f64>(),
                ..e
            }
        }
        Plan::Aggregate { input, keys, .. } => {
            let e = estimate(input);
            let rows = if keys.is_empty() {
                1.0
            } else {
                group_rows(input, keys, e.rows)
            };
            Est {
                startup: e.total + e.rows * CPU_OPERATOR_COST,
                total: e.total + e.rows * CPU_OPERATOR_COST + rows * CPU_TUPLE_COST,
                rows,
                ..e
            }
        }
        Plan::Sort { input, .. } => {
            let e = estimate(input);
            let sort = 2.0 * CPU_OPERATOR_COST * e.rows * e.rows.max(2.0).log2();
            Est {
                startup: e.total + sort,
                total: e.total + sort + e.rows * CPU_OPERATOR_COST,
                ..e
            }
        }
        Plan::Distinct { input } | Plan::Unique { input, .. } => {
            let e = estimate(input);
            Est {
                total: e.total + e.rows * CPU_OPERATOR_COST,
                rows: clamp_rows((e.rows / 10.0).max(1.0)),
                ..e
            }
        }
        Plan::Limit {
            input,
            limit: Some(l),
            ..
        } if const_number(l).is_some() => {
            let e = estimate(input);
            let n: f64 = const_number(l).unwrap_or(e.rows);
            let rows = clamp_rows(n.min(e.rows));
            let frac = if e.rows > 0.0 { rows / e.rows } else { 1.0 };
            Est {
                total: e.startup + (e.total - e.startup) * frac,
                rows,
                ..e
            }
        }
        Plan::Limit { input, .. } | Plan::WindowAgg { input, .. } => estimate(input),
        Plan::NestLoop { left, right, .. } => {
            let (l, r) = (estimate(left), estimate(right));
            nest_loop_cost(&l, &r, clamp_rows(l.rows * r.rows * DEFAULT_INEQ_SEL), 1.0)
        }
        Plan::HashJoin {
            left,
            right,
            left_keys,
            right_keys,
            ..
        } => {
            let (l, r) = (estimate(left), estimate(right));
            let mut sel = 1.0;
            for (a, b) in left_keys.iter().zip(right_keys) {
                sel *= match (key_stats(left, a), key_stats(right, b)) {
                    (Some((sa, ra)), Some((sb, rb))) => eqjoin_selectivity(&sa, ra, &sb, rb),
                    _ => 1.0 / DEFAULT_NUM_DISTINCT.min(l.rows.max(r.rows)),
                };
            }
            let rows = clamp_rows(l.rows * r.rows * sel);
            hash_join_cost(&l, &r, left_keys.len() as f64, rows, 0.0)
        }
        Plan::IndexNestLoop { left, right, .. } => {
            let l = estimate(left);
            let tr = table_rows(&right.table);
            index_nest_loop_cost(&l, tr, table_width(&right.table), 1.0, l.rows)
        }
        Plan::Append(inputs) => {
            let es: Vec<Est> = inputs.iter().map(estimate).collect();
            Est {
                startup: es.first().map_or(0.0, |e| e.startup),
                total: es.iter().map(|e| e.total).sum(),
                rows: clamp_rows(es.iter().map(|e| e.rows).sum()),
                width: es.first().map_or(0.0, |e| e.width),
            }
        }
        Plan::SetOp { left, right, .. } => {
            let (l, r) = (estimate(left), estimate(right));
            Est {
                startup: l.total + r.total,
                total: l.total + r.total + (l.rows + r.rows) * CPU_OPERATOR_COST,
                ..l
            }
        }
        Plan::RecursiveUnion { .. } | Plan::WorkTableScan { .. } => leaf(1000.0, 32.0),
    }
}
