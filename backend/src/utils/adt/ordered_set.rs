//! Ordered-set aggregates (`agg(direct args) WITHIN GROUP (ORDER BY
//! keys)`): percentile_cont, percentile_disc and mode over the sorted
//! non-NULL keys, and the hypothetical-set rank, dense_rank, percent_rank
//! and cume_dist of the row the direct arguments make among the input
//! rows; their signatures and PostgreSQL 15's results.

use std::cmp::Ordering;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{array, oid, Oid, Value};
use crate::utils::adt::coerce::category;
use crate::utils::adt::ops::{self, BinOp};

/// Which ordered-set aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderedSetKind {
    /// percentile_cont (of one fraction, or of an array of them).
    PercentileCont {
        array: bool,
    },
    PercentileDisc {
        array: bool,
    },
    Mode,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
}

impl OrderedSetKind {
    pub fn name(self) -> &'static str {
        match self {
            OrderedSetKind::PercentileCont { .. } => "percentile_cont",
            OrderedSetKind::PercentileDisc { .. } => "percentile_disc",
            OrderedSetKind::Mode => "mode",
            OrderedSetKind::Rank => "rank",
            OrderedSetKind::DenseRank => "dense_rank",
            OrderedSetKind::PercentRank => "percent_rank",
            OrderedSetKind::CumeDist => "cume_dist",
        }
    }
}

/// Whether `name` is an ordered-set aggregate.
pub fn is_ordered_set(name: &str) -> bool {
    is_hypothetical(name) || matches!(name, "percentile_cont" | "percentile_disc" | "mode")
}

/// The hypothetical-set aggregates (also window functions).
pub fn is_hypothetical(name: &str) -> bool {
    matches!(name, "rank" | "dense_rank" | "percent_rank" | "cume_dist")
}

/// A resolved call: kind, direct argument types, key types, result type.
pub type Resolved = (OrderedSetKind, Vec<Oid>, Vec<Oid>, Oid);

fn fraction(t: Oid) -> Option<bool> {
    match t {
        oid::UNKNOWN => Some(false),
        _ if category(t) == 'N' => Some(false),
        _ => {
            let e = array::array_element(t);
            (e != 0 && category(e) == 'N').then_some(true)
        }
    }
}

/// Resolves `name(direct) WITHIN GROUP (ORDER BY keys)`; None when no
/// signature fits.
pub fn resolve(name: &str, direct: &[Oid], keys: &[Oid]) -> Option<Resolved> {
    let unknown_text = |t: Oid| if t == oid::UNKNOWN { oid::TEXT } else { t };
    match (name, direct, keys) {
        ("percentile_cont", [f], [k]) => {
            let arr = fraction(*f)?;
            let key = match *k {
                oid::INTERVAL => oid::INTERVAL,
                t if t == oid::UNKNOWN || category(t) == 'N' => oid::FLOAT8,
                _ => return None,
            };
            let (ft, ret) = if arr {
                (oid::FLOAT8_ARRAY, array::array_of(key))
            } else {
                (oid::FLOAT8, key)
            };
            Some((
                OrderedSetKind::PercentileCont { array: arr },
                vec![ft],
                vec![key],
                ret,
            ))
        }
        ("percentile_disc", [f], [k]) => {
            let arr = fraction(*f)?;
            let key = unknown_text(*k);
            let (ft, ret) = if arr {
                (oid::FLOAT8_ARRAY, array::array_of(key))
            } else {
                (oid::FLOAT8, key)
            };
            (ret != 0).then_some((
                OrderedSetKind::PercentileDisc { array: arr },
                vec![ft],
                vec![key],
                ret,
            ))
        }
        ("mode", [], [k]) => {
            let key = unknown_text(*k);
            Some((OrderedSetKind::Mode, vec![], vec![key], key))
        }
        (h, d, k) if is_hypothetical(h) && d.len() == k.len() => {
            let mut types = Vec::with_capacity(k.len());
            for (a, b) in d.iter().zip(k) {
                let t = match (*a, *b) {
                    (x, y) if x == y => x,
                    (oid::UNKNOWN, y) => unknown_text(y),
                    (x, oid::UNKNOWN) => unknown_text(x),
                    (x, y) if ops::can_coerce_implicitly(x, y) => y,
                    (x, y) if ops::can_coerce_implicitly(y, x) => x,
                    _ => return None,
                };
                types.push(t);
            }
            let (kind, ret) = match h {
                "rank" => (OrderedSetKind::Rank, oid::INT8),
                "dense_rank" => (OrderedSetKind::DenseRank, oid::INT8),
                "percent_rank" => (OrderedSetKind::PercentRank, oid::FLOAT8),
                _ => (OrderedSetKind::CumeDist, oid::FLOAT8),
            };
            Some((kind, types.clone(), types, ret))
        }
        _ => None,
    }
}

/// The aggregate's result over `rows` (each: direct arguments, then
/// `nkeys` sort keys), sorted by the keys; `cmp` compares two key lists
/// as the WITHIN GROUP clause orders them.
pub fn finish(
    kind: OrderedSetKind,
    ret: Oid,
    rows: &[&Vec<Value>],
    nkeys: usize,
    cmp: &dyn Fn(&[Value], &[Value]) -> Ordering,
) -> PgResult<Value> {
    let keys = |r: &Vec<Value>| r[r.len() - nkeys..].to_vec();
    let direct = |r: &Vec<Value>| r[..r.len() - nkeys].to_vec();
    match kind {
        OrderedSetKind::PercentileCont { array } | OrderedSetKind::PercentileDisc { array } => {
            let vals: Vec<&Value> = rows
                .iter()
                .map(|r| &r[r.len() - 1])
                .filter(|v| !v.is_null())
                .collect();
            let Some(first) = rows.first() else {
                return Ok(Value::Null);
            };
            if vals.is_empty() {
                return Ok(Value::Null);
            }
            let cont = matches!(kind, OrderedSetKind::PercentileCont { .. });
            let one = |f: &Value| -> PgResult<Value> {
                let Value::Float8(p) = f else {
                    return Ok(Value::Null);
                };
                percentile(&vals, *p, cont)
            };
            let f = &first[0];
            if !array {
                return one(f);
            }
            match f {
                Value::Array(_, fs) => Ok(Value::Array(
                    array::array_element(ret),
                    fs.iter().map(one).collect::<PgResult<_>>()?,
                )),
                _ => Ok(Value::Null),
            }
        }
        OrderedSetKind::Mode => {
            let mut best: Option<(&Value, usize)> = None;
            let mut run: Option<(&Value, usize)> = None;
            for r in rows {
                let v = &r[r.len() - 1];
                if v.is_null() {
                    continue;
                }
                run = match run {
                    Some((w, n)) if ops::compare(w, v) == Ordering::Equal => Some((w, n + 1)),
                    _ => Some((v, 1)),
                };
                if let Some((w, n)) = run {
                    if best.is_none_or(|(_, b)| n > b) {
                        best = Some((w, n));
                    }
                }
            }
            Ok(best.map_or(Value::Null, |(v, _)| v.clone()))
        }
        _ => {
            let n = rows.len();
            let hypo = rows.first().map(|r| direct(r));
            let (mut before, mut distinct_before, mut not_after) = (0usize, 0usize, 0usize);
            if let Some(h) = &hypo {
                let mut prev: Option<Vec<Value>> = None;
                for r in rows {
                    let k = keys(r);
                    match cmp(&k, h) {
                        Ordering::Less => {
                            before += 1;
                            not_after += 1;
                            if prev.as_ref().is_none_or(|p| cmp(p, &k) != Ordering::Equal) {
                                distinct_before += 1;
                            }
                        }
                        Ordering::Equal => not_after += 1,
                        Ordering::Greater => {}
                    }
                    prev = Some(k);
                }
            }
            Ok(match kind {
                OrderedSetKind::Rank => Value::Int8(before as i64 + 1),
                OrderedSetKind::DenseRank => Value::Int8(distinct_before as i64 + 1),
                OrderedSetKind::PercentRank if n == 0 => Value::Float8(0.0),
                OrderedSetKind::PercentRank => Value::Float8(before as f64 / n as f64),
                _ => Value::Float8((not_after + 1) as f64 / (n + 1) as f64),
            })
        }
    }
}

/// The `p` percentile of the sorted non-NULL `vals`: interpolated
/// (`cont`) or the first value at or past it.
fn percentile(vals: &[&Value], p: f64, cont: bool) -> PgResult<Value> {
    if !(0.0..=1.0).contains(&p) {
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("percentile value {p} is not between 0 and 1"),
        ));
    }
    let n = vals.len();
    if !cont {
        let row = (p * n as f64).ceil() as usize;
        return Ok(vals[row.max(1) - 1].clone());
    }
    let pos = p * (n - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    if lo == hi {
        return Ok(vals[lo].clone());
    }
    let frac = pos - lo as f64;
    match (vals[lo], vals[hi]) {
        (Value::Float8(a), Value::Float8(b)) => Ok(Value::Float8(a + frac * (b - a))),
        (Value::Interval(_), Value::Interval(_)) => {
            let diff = ops::arith(BinOp::Sub, vals[hi], vals[lo])?;
            let Value::Interval(d) = diff else {
                return Ok(Value::Null);
            };
            let step = d.mul_f64(frac).ok_or_else(|| {
                PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "interval out of range")
            })?;
            ops::arith(BinOp::Add, vals[lo], &Value::Interval(step))
        }
        _ => Ok(vals[lo].clone()),
    }
}
