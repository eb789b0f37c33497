//! The variance and standard deviation aggregates (var_pop, var_samp,
//! variance, stddev_pop, stddev_samp, stddev) as PostgreSQL 15 computes
//! them: over numeric (and integers, widened to numeric) from the exact
//! sum and sum of squares, with numeric_stddev_internal's result scale;
//! over float4/float8 with the Youngs-Cramer updates of float8_accum.

use crate::error::PgResult;
use crate::types::numeric::math;
use crate::types::{Numeric, Value};

/// Adds one (non-null, widened) input to the state (sum, sum of squares);
/// `n` counts the inputs with this one.
pub fn accumulate(sum: Value, sq: Value, n: i64, v: Value) -> PgResult<(Value, Value)> {
    match v {
        Value::Float8(x) => {
            let (sx, sxx) = match (sum, sq) {
                (Value::Float8(a), Value::Float8(b)) => (a, b),
                _ => (0.0, 0.0),
            };
            let new_n = n as f64;
            let new_sx = sx + x;
            let new_sxx = if n > 1 {
                let tmp = x * new_n - new_sx;
                sxx + tmp * tmp / (new_n * (n - 1) as f64)
            } else if x.is_finite() {
                0.0
            } else {
                f64::NAN
            };
            Ok((Value::Float8(new_sx), Value::Float8(new_sxx)))
        }
        Value::Numeric(x) => {
            let x2 = x.mul(&x)?;
            let (sum, sq) = match (sum, sq) {
                (Value::Numeric(a), Value::Numeric(b)) => (a.add(&x)?, b.add(&x2)?),
                _ => (x, x2),
            };
            Ok((Value::Numeric(sum), Value::Numeric(sq)))
        }
        _ => Ok((sum, sq)),
    }
}

/// The aggregate's result from the state of `n` inputs.
pub fn finish(sum: &Value, sq: &Value, n: i64, sample: bool, stddev: bool) -> PgResult<Value> {
    let min = if sample { 1 } else { 0 };
    if n <= min {
        return Ok(Value::Null);
    }
    match (sum, sq) {
        (Value::Float8(_), Value::Float8(sxx)) => {
            let den = if sample { n as f64 - 1.0 } else { n as f64 };
            let var = sxx / den;
            Ok(Value::Float8(if stddev { var.sqrt() } else { var }))
        }
        (Value::Numeric(sx), Value::Numeric(sxx)) => {
            if sx.is_special() || sxx.is_special() {
                return Ok(Value::Numeric(Numeric::NaN));
            }
            let vn = Numeric::from_i64(n);
            // N * sum(x^2) - sum(x)^2, exactly.
            let num = vn.mul(sxx)?.sub(&sx.mul(sx)?)?;
            if num.signum() <= 0 {
                return Ok(Value::Numeric(Numeric::ZERO));
            }
            let den = if sample {
                vn.mul(&Numeric::from_i64(n - 1))?
            } else {
                vn.mul(&vn)?
            };
            let rscale = num.div_scale(&den);
            let var = num.div_with_scale(&den, rscale)?;
            Ok(Value::Numeric(if stddev {
                math::sqrt_scaled(&var, rscale)?
            } else {
                var
            }))
        }
        _ => Ok(Value::Null),
    }
}
