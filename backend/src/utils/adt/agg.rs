//! Aggregate functions: count, sum, avg, min, max, bool_and/bool_or,
//! string_agg and array_agg, with PostgreSQL's result types (count → bigint,
//! sum(int4) → bigint, sum(int8) → numeric, avg(int) → numeric, ...) and
//! their transition states.

use std::cmp::Ordering;

use crate::error::{PgError, PgResult};
use crate::interrupts::Ticker;
use crate::types::{array, json, oid, Numeric, Oid, Value};
use crate::utils::adt::coerce::category;
use crate::utils::adt::ops::{self, BinOp};
use crate::utils::sort::sort_by_interruptible;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    BoolAnd,
    BoolOr,
    StringAgg,
    /// array_agg(anynonarray): the values, NULLs included, as an array.
    ArrayAgg,
    /// array_agg(anyarray): the arrays stacked into one more dimension.
    ArrayAggArrays,
    /// json_agg / jsonb_agg: the values (NULLs as null) as a JSON array.
    JsonAgg {
        jsonb: bool,
    },
    /// json_object_agg / jsonb_object_agg: key/value pairs as an object.
    JsonObjectAgg {
        jsonb: bool,
    },
    /// An ordered-set aggregate (WITHIN GROUP): its arguments are the
    /// direct arguments, then the sort keys.
    OrderedSet(super::ordered_set::OrderedSetKind),
    /// var_pop, var_samp (variance), stddev_pop, stddev_samp (stddev).
    Variance {
        sample: bool,
        stddev: bool,
    },
}

impl AggKind {
    /// The aggregate's SQL name (`count(*)` is count).
    pub fn name(self) -> &'static str {
        match self {
            AggKind::CountStar | AggKind::Count => "count",
            AggKind::Sum => "sum",
            AggKind::Avg => "avg",
            AggKind::Min => "min",
            AggKind::Max => "max",
            AggKind::BoolAnd => "bool_and",
            AggKind::BoolOr => "bool_or",
            AggKind::StringAgg => "string_agg",
            AggKind::ArrayAgg | AggKind::ArrayAggArrays => "array_agg",
            AggKind::JsonAgg { jsonb: false } => "json_agg",
            AggKind::JsonAgg { jsonb: true } => "jsonb_agg",
            AggKind::JsonObjectAgg { jsonb: false } => "json_object_agg",
            AggKind::JsonObjectAgg { jsonb: true } => "jsonb_object_agg",
            AggKind::OrderedSet(k) => k.name(),
            AggKind::Variance { sample, stddev } => match (sample, stddev) {
                (false, false) => "var_pop",
                (true, false) => "var_samp",
                (false, true) => "stddev_pop",
                (true, true) => "stddev_samp",
            },
        }
    }

    /// Whether the aggregate keeps every input until the end.
    pub fn holds_inputs(self) -> bool {
        matches!(
            self,
            AggKind::ArrayAgg
                | AggKind::ArrayAggArrays
                | AggKind::JsonAgg { .. }
                | AggKind::JsonObjectAgg { .. }
        )
    }
}

/// Whether `name` is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "bool_and"
            | "bool_or"
            | "every"
            | "string_agg"
            | "array_agg"
            | "json_agg"
            | "jsonb_agg"
            | "json_object_agg"
            | "jsonb_object_agg"
            | "variance"
            | "var_pop"
            | "var_samp"
            | "stddev"
            | "stddev_pop"
            | "stddev_samp"
    )
}

/// Resolves an aggregate: (kind, argument types to coerce to, result
/// type). `None` when no signature fits.
pub fn resolve(name: &str, args: &[Oid], star: bool) -> Option<(AggKind, Vec<Oid>, Oid)> {
    if star {
        return (name == "count" && args.is_empty())
            .then(|| (AggKind::CountStar, vec![], oid::INT8));
    }
    let a = |t: Oid| if t == oid::UNKNOWN { oid::TEXT } else { t };
    match (name, args) {
        ("count", [t]) => Some((AggKind::Count, vec![a(*t)], oid::INT8)),
        ("sum", [t]) => {
            let (arg, ret) = match *t {
                oid::INT2 | oid::INT4 => (*t, oid::INT8),
                oid::INT8 | oid::NUMERIC => (*t, oid::NUMERIC),
                oid::FLOAT4 | oid::FLOAT8 | oid::INTERVAL => (*t, *t),
                oid::UNKNOWN => (oid::FLOAT8, oid::FLOAT8),
                _ => return None,
            };
            Some((AggKind::Sum, vec![arg], ret))
        }
        ("avg", [t]) => {
            let (arg, ret) = match *t {
                oid::INT2 | oid::INT4 | oid::INT8 | oid::NUMERIC => (*t, oid::NUMERIC),
                oid::FLOAT4 | oid::FLOAT8 => (*t, oid::FLOAT8),
                oid::INTERVAL => (*t, oid::INTERVAL),
                oid::UNKNOWN => (oid::FLOAT8, oid::FLOAT8),
                _ => return None,
            };
            Some((AggKind::Avg, vec![arg], ret))
        }
        ("variance" | "var_pop" | "var_samp" | "stddev" | "stddev_pop" | "stddev_samp", [t]) => {
            let (arg, ret) = match *t {
                oid::INT2 | oid::INT4 | oid::INT8 | oid::NUMERIC => (*t, oid::NUMERIC),
                oid::FLOAT4 | oid::FLOAT8 => (*t, oid::FLOAT8),
                oid::UNKNOWN => (oid::FLOAT8, oid::FLOAT8),
                _ => return None,
            };
            let kind = AggKind::Variance {
                sample: !name.ends_with("_pop"),
                stddev: name.starts_with("stddev"),
            };
            Some((kind, vec![arg], ret))
        }
        ("min" | "max", [t]) => {
            let t = match category(*t) {
                'S' | 'X' => oid::TEXT,
                'U' if *t != oid::BYTEA => return None,
                _ => *t,
            };
            let kind = if name == "min" {
                AggKind::Min
            } else {
                AggKind::Max
            };
            Some((kind, vec![t], t))
        }
        ("bool_and" | "every", [t]) if matches!(*t, oid::BOOL | oid::UNKNOWN) => {
            Some((AggKind::BoolAnd, vec![oid::BOOL], oid::BOOL))
        }
        ("bool_or", [t]) if matches!(*t, oid::BOOL | oid::UNKNOWN) => {
            Some((AggKind::BoolOr, vec![oid::BOOL], oid::BOOL))
        }
        ("string_agg", [x, y]) if category(*x) != 'N' && category(*y) != 'N' => {
            Some((AggKind::StringAgg, vec![oid::TEXT, oid::TEXT], oid::TEXT))
        }
        ("json_agg" | "jsonb_agg", [t]) => {
            let jsonb = name == "jsonb_agg";
            let ret = if jsonb { oid::JSONB } else { oid::JSON };
            Some((AggKind::JsonAgg { jsonb }, vec![a(*t)], ret))
        }
        ("json_object_agg" | "jsonb_object_agg", [k, v]) => {
            let jsonb = name == "jsonb_object_agg";
            let ret = if jsonb { oid::JSONB } else { oid::JSON };
            Some((AggKind::JsonObjectAgg { jsonb }, vec![a(*k), a(*v)], ret))
        }
        ("array_agg", [t]) => {
            // array_agg(anynonarray) → anyarray; array_agg(anyarray) →
            // anyarray of one more dimension.
            let t = a(*t);
            if array::array_element(t) != 0 {
                return Some((AggKind::ArrayAggArrays, vec![t], t));
            }
            let ret = array::array_of(t);
            (ret != 0).then(|| (AggKind::ArrayAgg, vec![t], ret))
        }
        _ => None,
    }
}

/// How one ORDER BY key of an aggregate call sorts its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortSpec {
    pub desc: bool,
    pub nulls_first: bool,
}

/// Compares sort keys as ORDER BY does (NULLs last ascending, first
/// descending, unless NULLS FIRST/LAST says otherwise).
fn compare_keys(a: &[Value], b: &[Value], specs: &[SortSpec]) -> Ordering {
    for ((x, y), s) in a.iter().zip(b).zip(specs) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) if s.nulls_first => Ordering::Less,
            (true, false) => Ordering::Greater,
            (false, true) if s.nulls_first => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ if s.desc => ops::compare(y, x),
            _ => ops::compare(x, y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// A running aggregate.
#[derive(Clone, Debug)]
pub struct AggState {
    kind: AggKind,
    ret: Oid,
    count: i64,
    acc: Value,
    /// The variance aggregates' sum of squares.
    acc2: Value,
    /// array_agg's inputs.
    items: Vec<Value>,
    /// ORDER BY in the call: the sort keys, and the input rows (arguments
    /// then keys) held until the end.
    order: Vec<SortSpec>,
    rows: Vec<Vec<Value>>,
}

impl AggState {
    pub fn new(kind: AggKind, ret: Oid) -> AggState {
        AggState {
            kind,
            ret,
            count: 0,
            acc: Value::Null,
            acc2: Value::Null,
            items: Vec::new(),
            order: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The state of a call with ORDER BY: the last `order.len()`
    /// arguments of each input row are its sort keys.
    pub fn with_order(mut self, order: &[SortSpec]) -> AggState {
        self.order = order.to_vec();
        self
    }

    /// Adds one input row's argument values (empty for count(*)).
    pub fn advance(&mut self, args: &[Value]) -> PgResult<()> {
        if !self.order.is_empty() {
            self.rows.push(args.to_vec());
            return Ok(());
        }
        if self.kind == AggKind::CountStar {
            self.count += 1;
            return Ok(());
        }
        let v = &args[0];
        if let AggKind::JsonObjectAgg { .. } = self.kind {
            if v.is_null() {
                return Err(PgError::new(
                    crate::error::sqlstate::INVALID_PARAMETER_VALUE,
                    "field name must not be null",
                ));
            }
            self.count += 1;
            self.items.push(v.clone());
            self.items.push(args.get(1).cloned().unwrap_or(Value::Null));
            return Ok(());
        }
        if self.kind.holds_inputs() {
            self.count += 1;
            self.items.push(v.clone());
            return Ok(());
        }
        if v.is_null() {
            return Ok(());
        }
        self.count += 1;
        match self.kind {
            AggKind::Count
            | AggKind::CountStar
            | AggKind::OrderedSet(_)
            | AggKind::ArrayAgg
            | AggKind::ArrayAggArrays
            | AggKind::JsonAgg { .. }
            | AggKind::JsonObjectAgg { .. } => {}
            AggKind::Sum | AggKind::Avg => {
                let widened = widen(v);
                self.acc = if self.acc.is_null() {
                    widened
                } else {
                    ops::arith(BinOp::Add, &self.acc, &widened)?
                };
            }
            AggKind::Variance { .. } => {
                let (acc, acc2) = super::variance::accumulate(
                    std::mem::replace(&mut self.acc, Value::Null),
                    std::mem::replace(&mut self.acc2, Value::Null),
                    self.count,
                    widen(v),
                )?;
                self.acc = acc;
                self.acc2 = acc2;
            }
            AggKind::Min | AggKind::Max => {
                let replace = self.acc.is_null() || {
                    let o = ops::compare(v, &self.acc);
                    (self.kind == AggKind::Min && o == Ordering::Less)
                        || (self.kind == AggKind::Max && o == Ordering::Greater)
                };
                if replace {
                    self.acc = v.clone();
                }
            }
            AggKind::BoolAnd | AggKind::BoolOr => {
                let b = matches!(v, Value::Bool(true));
                self.acc = match (&self.acc, self.kind) {
                    (Value::Bool(a), AggKind::BoolAnd) => Value::Bool(*a && b),
                    (Value::Bool(a), _) => Value::Bool(*a || b),
                    _ => Value::Bool(b),
                };
            }
            AggKind::StringAgg => {
                let (Value::Text(s), sep) = (v, args.get(1).cloned().unwrap_or(Value::Null)) else {
                    return Ok(());
                };
                // Appended in place: copying the whole string for every
                // input row made string_agg quadratic.
                match (&mut self.acc, sep) {
                    (Value::Text(a), Value::Text(sep)) => {
                        a.push_str(&sep);
                        a.push_str(s);
                    }
                    (Value::Text(a), _) => a.push_str(s),
                    (acc, _) => *acc = Value::Text(s.clone()),
                }
            }
        }
        Ok(())
    }

    /// The aggregate's result.
    pub fn finish(&self) -> PgResult<Value> {
        if !self.order.is_empty() {
            // Sort the held rows by their keys (stably), then aggregate.
            let k = self.order.len();
            let rows: Vec<&Vec<Value>> = self.rows.iter().collect();
            let rows = sort_by_interruptible(rows, |a, b| {
                compare_keys(&a[a.len() - k..], &b[b.len() - k..], &self.order)
            })?;
            if let AggKind::OrderedSet(os) = self.kind {
                let cmp = |a: &[Value], b: &[Value]| compare_keys(a, b, &self.order);
                return super::ordered_set::finish(os, self.ret, &rows, k, &cmp);
            }
            let mut inner = AggState::new(self.kind, self.ret);
            let mut tick = Ticker::new();
            for r in rows {
                tick.tick()?;
                inner.advance(&r[..r.len() - k])?;
            }
            return inner.finish();
        }
        Ok(match self.kind {
            AggKind::CountStar | AggKind::Count => Value::Int8(self.count),
            AggKind::Sum => match (&self.acc, self.ret) {
                (Value::Null, _) => Value::Null,
                (v, t) => ops::cast(v.clone(), value_type(v), t, -1)?,
            },
            AggKind::Avg => {
                if self.count == 0 {
                    return Ok(Value::Null);
                }
                match &self.acc {
                    Value::Numeric(n) => Value::Numeric(n.div(&Numeric::from_i64(self.count))?),
                    Value::Float8(f) => Value::Float8(f / self.count as f64),
                    Value::Interval(iv) => {
                        Value::Interval(iv.mul_f64(1.0 / self.count as f64).unwrap_or(*iv))
                    }
                    v => v.clone(),
                }
            }
            AggKind::Variance { sample, stddev } => {
                super::variance::finish(&self.acc, &self.acc2, self.count, sample, stddev)?
            }
            k if k.holds_inputs() && self.count == 0 => Value::Null,
            AggKind::JsonAgg { jsonb: true } => Value::Jsonb(Box::new(json::Jsonb::Array(
                self.items
                    .iter()
                    .map(json::value_to_jsonb)
                    .collect::<PgResult<_>>()?,
            ))),
            AggKind::JsonAgg { jsonb: false } => {
                let mut s = String::from("[");
                for (i, v) in self.items.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                        // json_agg_transfn: a structured value (array,
                        // composite) after the first starts a new line.
                        if matches!(v, Value::Array(..) | Value::MdArray(_) | Value::Record(_)) {
                            s.push_str("\n ");
                        }
                    }
                    json::value_to_json(v, &mut s);
                }
                s.push(']');
                Value::Json(s)
            }
            AggKind::JsonObjectAgg { jsonb: true } => {
                let pairs = self
                    .items
                    .chunks(2)
                    .map(|kv| Ok((kv[0].to_text(), json::value_to_jsonb(&kv[1])?)))
                    .collect::<PgResult<Vec<_>>>()?;
                Value::Jsonb(Box::new(json::make_object(pairs)))
            }
            AggKind::JsonObjectAgg { jsonb: false } => {
                let mut s = String::from("{ ");
                for (i, kv) in self.items.chunks(2).enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    json::escape(&kv[0].to_text(), &mut s);
                    s.push_str(" : ");
                    json::value_to_json(&kv[1], &mut s);
                }
                s.push_str(" }");
                Value::Json(s)
            }
            AggKind::ArrayAgg => Value::Array(array::array_element(self.ret), self.items.clone()),
            AggKind::ArrayAggArrays => {
                super::arrays::accumulate(array::array_element(self.ret), &self.items)?
            }
            _ => self.acc.clone(),
        })
    }
}

/// Sums accumulate integers in numeric (no overflow) and float4 in float8.
fn widen(v: &Value) -> Value {
    match v {
        Value::Int2(x) => Value::Numeric(Numeric::from_i64(*x as i64)),
        Value::Int4(x) => Value::Numeric(Numeric::from_i64(*x as i64)),
        Value::Int8(x) => Value::Numeric(Numeric::from_i64(*x)),
        Value::Float4(x) => Value::Float8(*x as f64),
        v => v.clone(),
    }
}

fn value_type(v: &Value) -> Oid {
    match v {
        Value::Numeric(_) => oid::NUMERIC,
        Value::Float8(_) => oid::FLOAT8,
        Value::Interval(_) => oid::INTERVAL,
        _ => oid::UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: AggKind, ret: Oid, vals: &[Value]) -> Value {
        let mut s = AggState::new(kind, ret);
        for v in vals {
            s.advance(std::slice::from_ref(v)).unwrap();
        }
        s.finish().unwrap()
    }

    #[test]
    fn results_match_postgres() {
        let ints = [Value::Int4(1), Value::Null, Value::Int4(2)];
        assert_eq!(run(AggKind::Count, oid::INT8, &ints), Value::Int8(2));
        assert_eq!(run(AggKind::CountStar, oid::INT8, &ints), Value::Int8(3));
        assert_eq!(run(AggKind::Sum, oid::INT8, &ints), Value::Int8(3));
        assert_eq!(
            run(AggKind::Avg, oid::NUMERIC, &ints).to_text(),
            "1.5000000000000000"
        );
        assert_eq!(run(AggKind::Max, oid::INT4, &ints), Value::Int4(2));
        assert_eq!(run(AggKind::Sum, oid::INT8, &[Value::Null]), Value::Null);
        assert_eq!(run(AggKind::Count, oid::INT8, &[]), Value::Int8(0));
        assert_eq!(resolve("sum", &[oid::INT8], false).unwrap().2, oid::NUMERIC);
        assert_eq!(resolve("count", &[], true).unwrap().2, oid::INT8);
        assert_eq!(
            run(AggKind::ArrayAgg, oid::INT4_ARRAY, &ints).to_text(),
            "{1,NULL,2}"
        );
        assert_eq!(run(AggKind::ArrayAgg, oid::INT4_ARRAY, &[]), Value::Null);
        let arrs = [
            Value::Array(oid::INT4, vec![Value::Int4(1)]),
            Value::Array(oid::INT4, vec![Value::Int4(2)]),
        ];
        assert_eq!(
            run(AggKind::ArrayAggArrays, oid::INT4_ARRAY, &arrs).to_text(),
            "{{1},{2}}"
        );
        assert_eq!(
            resolve("array_agg", &[oid::TEXT], false).unwrap().2,
            oid::TEXT_ARRAY
        );
        // array_agg(x ORDER BY k DESC): NULL keys first when descending.
        let mut s = AggState::new(AggKind::ArrayAgg, oid::INT4_ARRAY).with_order(&[SortSpec {
            desc: true,
            nulls_first: true,
        }]);
        for (x, k) in [(1, Some(1)), (2, Some(3)), (3, None), (4, Some(2))] {
            let k = k.map_or(Value::Null, Value::Int4);
            s.advance(&[Value::Int4(x), k]).unwrap();
        }
        assert_eq!(s.finish().unwrap().to_text(), "{3,2,4,1}");
    }
}
