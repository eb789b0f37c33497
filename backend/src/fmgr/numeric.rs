//! numeric's functions beyond the arithmetic operators: exp, ln, log,
//! log10, factorial, gcd, lcm, div, scale, min_scale, trim_scale and
//! width_bucket, each with PostgreSQL 15's result scales and errors (the
//! computations are in `types::numeric::math`).

use super::{f, FuncDef};
use crate::error::{PgError, PgResult};
use crate::types::numeric::math;
use crate::types::oid::{INT4, INT8, NUMERIC};
use crate::types::{Numeric, Value};

fn num(v: &Value) -> &Numeric {
    match v {
        Value::Numeric(n) => n,
        _ => &Numeric::NaN,
    }
}

fn int8(v: &Value) -> i64 {
    match v {
        Value::Int8(i) => *i,
        Value::Int4(i) => *i as i64,
        Value::Int2(i) => *i as i64,
        _ => 0,
    }
}

fn width_bucket_error(msg: &str) -> PgError {
    PgError::new("2201G", msg)
}

/// width_bucket(operand, low, high, count), as width_bucket_numeric.
fn width_bucket(op: &Numeric, b1: &Numeric, b2: &Numeric, count: i32) -> PgResult<i32> {
    if count <= 0 {
        return Err(width_bucket_error("count must be greater than zero"));
    }
    if op.is_nan() || b1.is_nan() || b2.is_nan() {
        return Err(width_bucket_error(
            "operand, lower bound, and upper bound cannot be NaN",
        ));
    }
    if b1.is_inf() || b2.is_inf() {
        return Err(width_bucket_error("lower and upper bounds must be finite"));
    }
    let overflow = || {
        PgError::new(
            crate::error::sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "integer out of range",
        )
    };
    let n = Numeric::from_i64(count as i64);
    // floor((op - lo) * count / (hi - lo)) + 1, exactly.
    let bucket = |lo: &Numeric, hi: &Numeric, x: &Numeric| -> PgResult<i32> {
        let q = x.sub(lo)?.mul(&n)?.div_trunc(&hi.sub(lo)?)?;
        let q = q.to_i128_rounded().unwrap_or(0) + 1;
        i32::try_from(q).map_err(|_| overflow())
    };
    match b1.cmp_total(b2) {
        std::cmp::Ordering::Equal => {
            Err(width_bucket_error("lower bound cannot equal upper bound"))
        }
        std::cmp::Ordering::Less => {
            if op.cmp_total(b1).is_lt() {
                Ok(0)
            } else if op.cmp_total(b2).is_ge() {
                count.checked_add(1).ok_or_else(overflow)
            } else {
                bucket(b1, b2, op)
            }
        }
        std::cmp::Ordering::Greater => {
            if op.cmp_total(b1).is_gt() {
                Ok(0)
            } else if op.cmp_total(b2).is_le() {
                count.checked_add(1).ok_or_else(overflow)
            } else {
                bucket(&b1.neg(), &b2.neg(), &op.neg())
            }
        }
    }
}

pub static NUMERIC_FUNCS: &[FuncDef] = &[
    f("exp", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::exp(num(&a[0]))?))
    }),
    f("ln", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::ln(num(&a[0]))?))
    }),
    f("log", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::log(
            &Numeric::from_i64(10),
            num(&a[0]),
        )?))
    }),
    f("log10", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::log(
            &Numeric::from_i64(10),
            num(&a[0]),
        )?))
    }),
    f("log", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::log(num(&a[0]), num(&a[1]))?))
    }),
    f("factorial", &[INT8], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::factorial(int8(&a[0]))?))
    }),
    f("gcd", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::gcd(num(&a[0]), num(&a[1]))?))
    }),
    f("lcm", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::lcm(num(&a[0]), num(&a[1]))?))
    }),
    f("div", &[NUMERIC, NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(num(&a[0]).div_trunc(num(&a[1]))?))
    }),
    f("scale", &[NUMERIC], INT4, |_, a| {
        let n = num(&a[0]);
        Ok(if n.is_special() {
            Value::Null
        } else {
            Value::Int4(n.scale() as i32)
        })
    }),
    f("min_scale", &[NUMERIC], INT4, |_, a| {
        Ok(math::min_scale(num(&a[0])).map_or(Value::Null, |s| Value::Int4(s as i32)))
    }),
    f("trim_scale", &[NUMERIC], NUMERIC, |_, a| {
        Ok(Value::Numeric(math::trim_scale(num(&a[0]))?))
    }),
    f(
        "width_bucket",
        &[NUMERIC, NUMERIC, NUMERIC, INT4],
        INT4,
        |_, a| {
            let count = int8(&a[3]) as i32;
            Ok(Value::Int4(width_bucket(
                num(&a[0]),
                num(&a[1]),
                num(&a[2]),
                count,
            )?))
        },
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Numeric {
        Numeric::parse(s).unwrap()
    }

    #[test]
    fn width_bucket_matches_postgres() {
        assert_eq!(
            width_bucket(&n("5.35"), &n("0.024"), &n("10.06"), 5).unwrap(),
            3
        );
        assert_eq!(width_bucket(&n("-1"), &n("0"), &n("10"), 5).unwrap(), 0);
        assert_eq!(width_bucket(&n("10"), &n("0"), &n("10"), 5).unwrap(), 6);
        assert_eq!(width_bucket(&n("2"), &n("10"), &n("0"), 5).unwrap(), 5);
        assert_eq!(
            width_bucket(&n("1"), &n("1"), &n("1"), 5).unwrap_err().code,
            "2201G"
        );
    }
}
