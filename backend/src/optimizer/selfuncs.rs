//! Selectivity from table statistics (PostgreSQL's selfuncs.c): the
//! fraction of a table's rows a predicate keeps, from the column
//! statistics ANALYZE stored (`catalog::statistic`): `=` and `<>` from the
//! most common values and n_distinct (eqsel), `<`, `<=`, `>`, `>=` and
//! ranges (BETWEEN, or two bounds on one column) from the MCVs and the
//! histogram with linear interpolation inside a bucket (scalarineqsel),
//! IS [NOT] NULL from null_frac, IN lists as sums of `=`, LIKE with a
//! fixed prefix as the range of that prefix, and join equality from both
//! sides' MCVs or 1 / max(nd1, nd2) (eqjoinsel). Anything else, and
//! columns without statistics, use `cost::selectivity`'s defaults.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::catalog::statistic::{ColumnStats, TableStats};
use crate::nodes::expr::Expr;
use crate::nodes::query::TableRef;
use crate::optimizer::cost;
use crate::types::Value;
use crate::utils::adt::ops::{compare, BinOp};

/// The statistics of table column `col`, if ANALYZE stored current ones.
pub fn column_stats(t: &TableRef, col: usize) -> Option<(Rc<TableStats>, usize)> {
    let st = cost::table_stats(t.table.oid)?;
    let ty = t.table.columns.get(col)?.ty;
    let idx = st
        .columns
        .iter()
        .position(|c| c.column == col && c.ty == ty)?;
    Some((st, idx))
}

/// Distinct non-null values of a column by its statistics, for a table
/// of `rows` rows.
pub fn stats_ndistinct(c: &ColumnStats, rows: f64) -> Option<f64> {
    if c.n_distinct > 0.0 {
        Some(c.n_distinct)
    } else if c.n_distinct < 0.0 {
        Some((-c.n_distinct * rows).round().max(1.0))
    } else {
        None
    }
}

/// Orders two values of possibly different numeric types.
fn cmp_values(a: &Value, b: &Value) -> Option<Ordering> {
    if std::mem::discriminant(a) == std::mem::discriminant(b) {
        return Some(compare(a, b));
    }
    a.partial_cmp_numeric(b)
}

trait NumericCmp {
    fn partial_cmp_numeric(&self, other: &Value) -> Option<Ordering>;
    fn as_f64(&self) -> Option<f64>;
}

impl NumericCmp for Value {
    fn partial_cmp_numeric(&self, other: &Value) -> Option<Ordering> {
        self.as_f64()?.partial_cmp(&other.as_f64()?)
    }

    fn as_f64(&self) -> Option<f64> {
        Some(match self {
            Value::Int2(x) => *x as f64,
            Value::Int4(x) => *x as f64,
            Value::Int8(x) => *x as f64,
            Value::Float4(x) => *x as f64,
            Value::Float8(x) => *x,
            Value::Oid(x) => *x as f64,
            Value::Numeric(n) => n.to_f64(),
            Value::Date(d) => *d as f64,
            Value::Timestamp(t) | Value::TimestampTz(t) => *t as f64,
            _ => return None,
        })
    }
}

/// The constant a predicate compares with (through casts of constants).
fn constant(e: &Expr) -> Option<&Value> {
    match e {
        Expr::Const(v, _) => Some(v),
        Expr::Cast(x, _, _) => constant(x),
        _ => None,
    }
}

/// The column of the scanned row an expression is (through casts).
fn column(e: &Expr) -> Option<usize> {
    match e {
        Expr::Column(c, _) => Some(*c),
        Expr::Cast(x, _, _) => column(x),
        _ => None,
    }
}

fn sumcommon(c: &ColumnStats) -> f64 {
    c.mcv.iter().map(|(_, f)| f).sum()
}

/// var_eq_const: the fraction of rows equal to `v`.
pub fn eq_const(c: &ColumnStats, rows: f64, v: &Value) -> f64 {
    if v.is_null() {
        return 0.0;
    }
    for (m, f) in &c.mcv {
        if cmp_values(m, v) == Some(Ordering::Equal) {
            return *f;
        }
    }
    let mut sel = (1.0 - sumcommon(c) - c.null_frac).clamp(0.0, 1.0);
    let nd = stats_ndistinct(c, rows).unwrap_or(cost::DEFAULT_NUM_DISTINCT);
    let other = nd - c.mcv.len() as f64;
    if other > 1.0 {
        sel /= other;
    }
    if let Some(least) = c.mcv.iter().map(|(_, f)| *f).reduce(f64::min) {
        sel = sel.min(least);
    }
    sel
}

/// The fraction of the histogram's population below `v` (with `v`
/// itself when `inclusive`), interpolating inside a bucket; None
/// without a histogram.
fn histogram_fraction(c: &ColumnStats, v: &Value) -> Option<f64> {
    let h = &c.histogram;
    if h.len() < 2 {
        return None;
    }
    let n = h.len();
    // First bound greater than v.
    let mut i = 0;
    while i < n && cmp_values(&h[i], v).is_some_and(|o| o != Ordering::Greater) {
        i += 1;
    }
    let frac = if i == 0 {
        0.0
    } else if i == n {
        1.0
    } else {
        let (lo, hi) = (&h[i - 1], &h[i]);
        let bin = match (lo.as_f64(), hi.as_f64(), v.as_f64()) {
            (Some(l), Some(u), Some(x)) if u > l => ((x - l) / (u - l)).clamp(0.0, 1.0),
            _ => 0.5,
        };
        ((i - 1) as f64 + bin) / (n - 1) as f64
    };
    Some(frac)
}

/// scalarineqsel: the fraction of rows with column `op` v (`op` one of
/// <, <=, >, >=).
pub fn ineq_const(c: &ColumnStats, op: BinOp, v: &Value) -> f64 {
    let test = |m: &Value| -> bool {
        match cmp_values(m, v) {
            Some(o) => match op {
                BinOp::Lt => o == Ordering::Less,
                BinOp::Le => o != Ordering::Greater,
                BinOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            },
            None => false,
        }
    };
    let mcv_sel: f64 = c.mcv.iter().filter(|(m, _)| test(m)).map(|(_, f)| f).sum();
    let rest = (1.0 - c.null_frac - sumcommon(c)).clamp(0.0, 1.0);
    let hist = histogram_fraction(c, v).map(|below| {
        let s = if matches!(op, BinOp::Lt | BinOp::Le) {
            below
        } else {
            1.0 - below
        };
        let cutoff = 0.01 / (c.histogram.len() - 1) as f64;
        s.clamp(cutoff, 1.0 - cutoff)
    });
    let hist = match hist {
        Some(h) => h,
        None if c.mcv.is_empty() => cost::DEFAULT_INEQ_SEL,
        None => 0.5,
    };
    (mcv_sel + rest * hist).clamp(0.0, 1.0)
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        o => o,
    }
}

/// `column op constant` of a comparison, with the operator as seen from
/// the column.
fn column_vs_const(e: &Expr) -> Option<(usize, BinOp, &Value)> {
    let Expr::Binary(op, a, b, _) = e else {
        return None;
    };
    if let (Some(c), Some(v)) = (column(a), constant(b)) {
        return Some((c, *op, v));
    }
    if let (Some(v), Some(c)) = (constant(a), column(b)) {
        return Some((c, flip(*op), v));
    }
    None
}

/// The selectivity of a predicate over the rows of table `t` (columns
/// numbered as the table's).
pub fn clause_selectivity(e: &Expr, t: &TableRef) -> f64 {
    let rows = cost::table_rows(t);
    let stats = |c: usize| column_stats(t, c);
    let fallback = |e: &Expr| {
        let nd = |c: usize| Some(cost::column_ndistinct(t, c));
        cost::selectivity(e, &nd)
    };
    let s = match e {
        Expr::And(..) => {
            let mut parts = Vec::new();
            conjuncts(e, &mut parts);
            and_selectivity(&parts, t)
        }
        Expr::Or(a, b) => {
            let (x, y) = (clause_selectivity(a, t), clause_selectivity(b, t));
            x + y - x * y
        }
        Expr::Not(a) => 1.0 - clause_selectivity(a, t),
        Expr::Binary(..) => match column_vs_const(e) {
            Some((c, op, v)) => match (stats(c), op) {
                (Some((st, i)), BinOp::Eq) => eq_const(&st.columns[i], rows, v),
                (Some((st, i)), BinOp::Ne) => {
                    let c = &st.columns[i];
                    (1.0 - eq_const(c, rows, v) - c.null_frac).clamp(0.0, 1.0)
                }
                (Some((st, i)), BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) => {
                    ineq_const(&st.columns[i], op, v)
                }
                _ => fallback(e),
            },
            None => fallback(e),
        },
        Expr::IsNull(x, negated) => match column(x).and_then(stats) {
            Some((st, i)) => {
                let nf = st.columns[i].null_frac;
                if *negated {
                    1.0 - nf
                } else {
                    nf
                }
            }
            None => fallback(e),
        },
        Expr::InList {
            expr,
            list,
            negated,
        } => match column(expr).and_then(stats) {
            Some((st, i)) if list.iter().all(|x| constant(x).is_some()) => {
                let c = &st.columns[i];
                let s: f64 = list
                    .iter()
                    .filter_map(constant)
                    .map(|v| eq_const(c, rows, v))
                    .sum::<f64>()
                    .min(1.0);
                if *negated {
                    (1.0 - s - c.null_frac).max(0.0)
                } else {
                    s
                }
            }
            _ => fallback(e),
        },
        Expr::Like {
            expr,
            pattern,
            escape: None,
            case_insensitive: false,
            negated,
        } => match (column(expr).and_then(stats), constant(pattern)) {
            (Some((st, i)), Some(Value::Text(p))) => {
                let s = like_selectivity(&st.columns[i], p);
                if *negated {
                    (1.0 - s - st.columns[i].null_frac).max(0.0)
                } else {
                    s
                }
            }
            _ => fallback(e),
        },
        _ => fallback(e),
    };
    s.clamp(0.0, 1.0)
}

fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        e => out.push(e),
    }
}

/// clauselist_selectivity: a product, except that a lower and an upper
/// bound on one column make a range (lo + hi − 1).
fn and_selectivity(parts: &[&Expr], t: &TableRef) -> f64 {
    let mut s = 1.0;
    let mut used = vec![false; parts.len()];
    for i in 0..parts.len() {
        if used[i] {
            continue;
        }
        let Some((ci, opi, _)) = column_vs_const(parts[i]) else {
            continue;
        };
        let lower_i = matches!(opi, BinOp::Gt | BinOp::Ge);
        if !matches!(opi, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
            || column_stats(t, ci).is_none()
        {
            continue;
        }
        for j in i + 1..parts.len() {
            if used[j] {
                continue;
            }
            let Some((cj, opj, _)) = column_vs_const(parts[j]) else {
                continue;
            };
            let lower_j = matches!(opj, BinOp::Gt | BinOp::Ge);
            if cj == ci
                && matches!(opj, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
                && lower_j != lower_i
            {
                let r = clause_selectivity(parts[i], t) + clause_selectivity(parts[j], t) - 1.0;
                s *= if r <= 0.0 {
                    1e-4_f64.min(1.0 / cost::table_rows(t).max(1.0))
                } else {
                    r
                };
                used[i] = true;
                used[j] = true;
                break;
            }
        }
    }
    for (i, p) in parts.iter().enumerate() {
        if !used[i] {
            s *= clause_selectivity(p, t);
        }
    }
    s
}

/// LIKE 'prefix...': the MCVs matching the prefix, plus the histogram's
/// share of values between the prefix and the next prefix; a pattern
/// with more after the prefix is charged DEFAULT_MATCH_SEL-like 0.2 per
/// wildcard-free character (PostgreSQL's FIXED_CHAR_SEL is 0.2).
fn like_selectivity(c: &ColumnStats, pattern: &str) -> f64 {
    let prefix: String = pattern
        .chars()
        .take_while(|ch| !matches!(ch, '%' | '_' | '\\'))
        .collect();
    let rest = &pattern[prefix.len()..];
    let rest_sel = if rest == "%" || rest.is_empty() {
        1.0
    } else {
        let fixed = rest.chars().filter(|ch| !matches!(ch, '%' | '_')).count();
        0.2f64.powi(fixed as i32).max(1e-6)
    };
    if prefix.is_empty() {
        return cost::DEFAULT_MATCH_SEL
            .max(rest_sel * (1.0 - c.null_frac))
            .min(1.0);
    }
    let matches_prefix = |v: &Value| matches!(v, Value::Text(s) if s.starts_with(&prefix));
    let mcv_sel: f64 = c
        .mcv
        .iter()
        .filter(|(v, _)| {
            matches_prefix(v) && (rest.is_empty() == (v.to_text() == prefix) || !rest.is_empty())
        })
        .map(|(_, f)| f)
        .sum();
    let rest_frac = (1.0 - c.null_frac - sumcommon(c)).clamp(0.0, 1.0);
    let hist = if c.histogram.len() >= 2 {
        let n = c.histogram.iter().filter(|v| matches_prefix(v)).count() as f64;
        (n.max(0.5) / c.histogram.len() as f64).min(1.0)
    } else {
        cost::DEFAULT_MATCH_SEL
    };
    if rest.is_empty() {
        // No wildcard: an equality.
        return (mcv_sel + rest_frac * hist / 10.0).min(1.0);
    }
    (mcv_sel * rest_sel + rest_frac * hist * rest_sel).min(1.0)
}

/// eqjoinsel: the selectivity of `a.x = b.y` from both columns'
/// statistics (rows of each table given).
pub fn eqjoinsel(a: &ColumnStats, rows_a: f64, b: &ColumnStats, rows_b: f64) -> f64 {
    let nd1 = stats_ndistinct(a, rows_a).unwrap_or(cost::DEFAULT_NUM_DISTINCT.min(rows_a));
    let nd2 = stats_ndistinct(b, rows_b).unwrap_or(cost::DEFAULT_NUM_DISTINCT.min(rows_b));
    if a.mcv.is_empty() || b.mcv.is_empty() {
        return (1.0 - a.null_frac) * (1.0 - b.null_frac) / nd1.max(nd2).max(1.0);
    }
    // Match the two MCV lists.
    let mut matched2 = vec![false; b.mcv.len()];
    let (mut matchprodfreq, mut matchfreq1, mut matchfreq2) = (0.0, 0.0, 0.0);
    let mut nmatches = 0.0;
    for (v1, f1) in &a.mcv {
        for (j, (v2, f2)) in b.mcv.iter().enumerate() {
            if !matched2[j] && cmp_values(v1, v2) == Some(Ordering::Equal) {
                matched2[j] = true;
                matchprodfreq += f1 * f2;
                matchfreq1 += f1;
                matchfreq2 += f2;
                nmatches += 1.0;
                break;
            }
        }
    }
    let (sum1, sum2) = (sumcommon(a), sumcommon(b));
    let unmatchfreq1 = (sum1 - matchfreq1).max(0.0);
    let unmatchfreq2 = (sum2 - matchfreq2).max(0.0);
    let otherfreq1 = (1.0 - a.null_frac - sum1).max(0.0);
    let otherfreq2 = (1.0 - b.null_frac - sum2).max(0.0);
    let totalsel1 = if nd2 > b.mcv.len() as f64 {
        unmatchfreq1 * otherfreq2 / (nd2 - b.mcv.len() as f64)
    } else {
        0.0
    } + if nd2 > nmatches {
        otherfreq1 * (otherfreq2 + unmatchfreq2) / (nd2 - nmatches)
    } else {
        0.0
    };
    let totalsel2 = if nd1 > a.mcv.len() as f64 {
        unmatchfreq2 * otherfreq1 / (nd1 - a.mcv.len() as f64)
    } else {
        0.0
    } + if nd1 > nmatches {
        otherfreq2 * (otherfreq1 + unmatchfreq1) / (nd1 - nmatches)
    } else {
        0.0
    };
    (matchprodfreq + totalsel1.min(totalsel2)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn stats(mcv: Vec<(i32, f64)>, hist: Vec<i32>, nd: f64) -> ColumnStats {
        ColumnStats {
            column: 0,
            ty: oid::INT4,
            null_frac: 0.0,
            avg_width: 4,
            n_distinct: nd,
            mcv: mcv.into_iter().map(|(v, f)| (Value::Int4(v), f)).collect(),
            histogram: hist.into_iter().map(Value::Int4).collect(),
            correlation: None,
        }
    }

    #[test]
    fn equality_and_ranges() {
        let c = stats(vec![(1, 0.5)], vec![0, 25, 50, 75, 100], 101.0);
        assert_eq!(eq_const(&c, 1000.0, &Value::Int4(1)), 0.5);
        let other = eq_const(&c, 1000.0, &Value::Int4(42));
        assert!((other - 0.5 / 100.0).abs() < 1e-9, "{other}");
        // Half the histogram below 50, and the MCV 1 < 50.
        let lt = ineq_const(&c, BinOp::Lt, &Value::Int4(50));
        assert!((lt - (0.5 + 0.5 * 0.5)).abs() < 1e-9, "{lt}");
        let gt = ineq_const(&c, BinOp::Gt, &Value::Int4(200));
        assert!(gt < 0.01, "{gt}");
        // Interpolation within a bucket.
        let lt = ineq_const(&c, BinOp::Lt, &Value::Int8(10));
        assert!((lt - (0.5 + 0.5 * 0.1)).abs() < 1e-9, "{lt}");
    }

    #[test]
    fn join_selectivity() {
        let a = stats(vec![(1, 0.5), (2, 0.25)], vec![], 4.0);
        let b = stats(vec![(1, 0.1), (3, 0.1)], vec![], 10.0);
        let s = eqjoinsel(&a, 100.0, &b, 100.0);
        assert!(s > 0.05 && s < 0.2, "{s}");
        let plain = eqjoinsel(
            &stats(vec![], vec![], -1.0),
            100.0,
            &stats(vec![], vec![], 10.0),
            50.0,
        );
        assert!((plain - 0.01).abs() < 1e-9, "{plain}");
    }
}
