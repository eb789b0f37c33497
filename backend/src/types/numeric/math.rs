//! numeric's mathematical functions with PostgreSQL 15's result scales:
//! sqrt, exp, ln, log, power, factorial, gcd, lcm, min_scale and
//! trim_scale.
//!
//! Each result scale is chosen as PostgreSQL chooses it (at least
//! NUMERIC_MIN_SIG_DIGITS significant digits, never less than the
//! inputs' scales, at most NUMERIC_MAX_DISPLAY_SCALE); the value is then
//! computed in fixed point on big integers with guard digits and rounded
//! half away from zero to that scale. Square roots are exact integer
//! square roots; logarithms reduce the argument to [1, 10) and then by
//! repeated square roots towards 1 before an atanh series; exponentials
//! halve the argument below 0.01, sum the Taylor series and square back.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{
    digit_count, div_round_big, overflow, pow10_big, Numeric, DSCALE_MAX, MAX_DISPLAY_SCALE,
    MAX_RESULT_SCALE, MIN_SIG_DIGITS,
};
use crate::error::{sqlstate, PgError, PgResult};

/// log10(e) as PostgreSQL writes it in its scale estimates (15 digits:
/// the estimates truncate to integers, so the very constant matters).
#[allow(clippy::approx_constant)]
const PG_LOG10_E: f64 = 0.434294481903252;

fn clamp_rscale(r: i32) -> u32 {
    r.clamp(0, MAX_DISPLAY_SCALE) as u32
}

fn power_error(msg: &str) -> PgError {
    PgError::new(sqlstate::INVALID_ARGUMENT_FOR_POWER_FUNCTION, msg)
}

fn log_error(msg: &str) -> PgError {
    PgError::new(sqlstate::INVALID_ARGUMENT_FOR_LOGARITHM, msg)
}

/// The value of a finite numeric as a fixed-point integer at scale `w`
/// (truncated).
fn to_fixed(x: &Numeric, w: u32) -> BigInt {
    let (m, s) = x.parts().unwrap_or_default();
    if w >= s {
        m * pow10_big(w - s)
    } else {
        m / pow10_big(s - w)
    }
}

/// A fixed-point integer at scale `w` rounded to a numeric of scale `r`.
fn from_fixed(v: &BigInt, w: u32, r: u32) -> PgResult<Numeric> {
    let m = if w >= r {
        div_round_big(v, &pow10_big(w - r))
    } else {
        v * pow10_big(r - w)
    };
    Numeric::from_parts(m, r)
}

/// Decimal exponent of a nonzero finite value: floor(log10(|x|)).
fn dec_exponent(x: &Numeric) -> i64 {
    let (m, s) = x.parts().unwrap_or_default();
    digit_count(&m) as i64 - 1 - s as i64
}

/// sqrt(numeric), as numeric_sqrt.
pub fn sqrt(x: &Numeric) -> PgResult<Numeric> {
    let neg = || power_error("cannot take square root of a negative number");
    match x {
        Numeric::NaN => return Ok(Numeric::NaN),
        Numeric::PosInf => return Ok(Numeric::PosInf),
        Numeric::NegInf => return Err(neg()),
        _ => {}
    }
    if x.signum() < 0 {
        return Err(neg());
    }
    let (digits, weight) = x.base10000();
    let weight = if digits.is_empty() { 0 } else { weight };
    let sweight = (weight + 1) * 4 / 2 - 1;
    let rscale = clamp_rscale((MIN_SIG_DIGITS - sweight).max(x.scale() as i32));
    sqrt_scaled(x, rscale)
}

/// The square root of a non-negative finite value rounded to `rscale`
/// (PostgreSQL's sqrt_var).
pub fn sqrt_scaled(x: &Numeric, rscale: u32) -> PgResult<Numeric> {
    // floor(sqrt(x) * 10^(rscale+1)) = isqrt(m * 10^(2(rscale+1) - s)).
    let (m, s) = x.parts().unwrap_or_default();
    let e = 2 * (rscale as i64 + 1) - s as i64;
    let radicand = if e >= 0 {
        m * pow10_big(e as u32)
    } else {
        m / pow10_big((-e) as u32)
    };
    let root = radicand.sqrt();
    Numeric::from_parts(div_round_big(&root, &BigInt::from(10)), rscale)
}

/// PostgreSQL's estimate_ln_dweight: the decimal weight of ln(x).
fn estimate_ln_dweight(x: &Numeric) -> i32 {
    if x.signum() <= 0 {
        return 0;
    }
    let lo = Numeric::from_scaled(9, 1);
    let hi = Numeric::from_scaled(11, 1);
    if x.cmp_total(&lo).is_ge() && x.cmp_total(&hi).is_le() {
        let d = x.sub(&Numeric::from_i64(1)).unwrap_or(Numeric::ZERO);
        if d.is_zero() {
            return 0;
        }
        let (digits, weight) = d.base10000();
        return weight * 4 + (digits[0] as f64).log10() as i32;
    }
    let (digits, weight) = x.base10000();
    if digits.is_empty() {
        return 0;
    }
    let mut lead = digits[0] as f64;
    let mut dweight = weight * 4;
    if digits.len() > 1 {
        lead = lead * 10000.0 + digits[1] as f64;
        dweight -= 4;
    }
    let ln = lead.ln() + dweight as f64 * std::f64::consts::LN_10;
    ln.abs().log10() as i32
}

/// ln(2^k-th root reduction) of a value in [1, 10) held at scale `w`:
/// ln(y) * 10^w.
fn ln_reduced(y: &BigInt, w: u32) -> BigInt {
    let one = pow10_big(w);
    // Square roots until y is within 4% of one.
    let near = &one / 25u32;
    let mut y = y.clone();
    let mut halvings = 0u32;
    while (&y - &one).abs() > near {
        y = (&y * &one).sqrt();
        halvings += 1;
    }
    // ln(y) = 2 atanh(z), z = (y - 1) / (y + 1).
    let z = ((&y - &one) * &one) / (&y + &one);
    let z2 = (&z * &z) / &one;
    let mut term = z.clone();
    let mut sum = z;
    let mut k = 1u32;
    loop {
        term = (&term * &z2) / &one;
        k += 2;
        let t = &term / k;
        if t.is_zero() {
            break;
        }
        sum += t;
    }
    sum << (halvings + 1)
}

/// ln(x) * 10^w for a positive finite x, accurate to a few units in the
/// last place.
fn ln_fixed(x: &Numeric, w: u32) -> BigInt {
    let k = dec_exponent(x);
    let guard = 10 + digit_count(&BigInt::from(k)) as u32;
    let ww = w + guard;
    // x / 10^k in [1, 10) at scale ww.
    let (m, s) = x.parts().unwrap_or_default();
    let shift = ww as i64 - (s as i64 + k);
    let y = if shift >= 0 {
        m * pow10_big(shift as u32)
    } else {
        m / pow10_big((-shift) as u32)
    };
    let mut l = ln_reduced(&y, ww);
    if k != 0 {
        let ln10 = ln_reduced(&(pow10_big(ww) * 10u32), ww);
        l += ln10 * k;
    }
    l / pow10_big(guard)
}

fn check_log_arg(x: &Numeric) -> PgResult<()> {
    match x.signum() {
        0 => Err(log_error("cannot take logarithm of zero")),
        s if s < 0 => Err(log_error("cannot take logarithm of a negative number")),
        _ => Ok(()),
    }
}

/// ln(numeric), as numeric_ln.
pub fn ln(x: &Numeric) -> PgResult<Numeric> {
    match x {
        Numeric::NaN => return Ok(Numeric::NaN),
        Numeric::PosInf => return Ok(Numeric::PosInf),
        Numeric::NegInf => return Err(log_error("cannot take logarithm of a negative number")),
        _ => {}
    }
    check_log_arg(x)?;
    let rscale = clamp_rscale((MIN_SIG_DIGITS - estimate_ln_dweight(x)).max(x.scale() as i32));
    let w = rscale + 4;
    from_fixed(&ln_fixed(x, w), w, rscale)
}

/// log(base, x), as numeric_log (log(x) is log(10, x)).
pub fn log(base: &Numeric, x: &Numeric) -> PgResult<Numeric> {
    if base.is_nan() || x.is_nan() {
        return Ok(Numeric::NaN);
    }
    if base.is_inf() || x.is_inf() {
        if base.signum() < 0 || x.signum() < 0 {
            return Err(log_error("cannot take logarithm of a negative number"));
        }
        if base.is_zero() || x.is_zero() {
            return Err(log_error("cannot take logarithm of zero"));
        }
        return Ok(match (base, x) {
            (Numeric::PosInf, Numeric::PosInf) => Numeric::NaN,
            (Numeric::PosInf, _) => Numeric::ZERO,
            _ => Numeric::PosInf,
        });
    }
    check_log_arg(base)?;
    check_log_arg(x)?;
    let base_dw = estimate_ln_dweight(base);
    let result_dw = estimate_ln_dweight(x) - base_dw;
    let rscale = clamp_rscale(
        (MIN_SIG_DIGITS - result_dw)
            .max(base.scale() as i32)
            .max(x.scale() as i32),
    );
    let w = rscale + 8 + result_dw.max(0) as u32 + (-base_dw).max(0) as u32;
    let lb = ln_fixed(base, w);
    if lb.is_zero() {
        return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let lx = ln_fixed(x, w);
    // lx / lb at scale rscale + 1, then rounded.
    let q = (lx * pow10_big(rscale + 1)) / lb;
    Numeric::from_parts(div_round_big(&q, &BigInt::from(10)), rscale)
}

/// e^x rounded to `rscale`, for a finite x (PostgreSQL's exp_var, with its
/// limits: 22003 when x >= 6000, zero when x <= -6000).
fn exp_scaled(x: &Numeric, rscale: u32) -> PgResult<Numeric> {
    let val = x.approx_f64();
    if val.abs() >= (MAX_RESULT_SCALE * 3) as f64 {
        if val > 0.0 {
            return Err(overflow());
        }
        return Ok(Numeric::from_scaled(0, rscale));
    }
    if x.is_zero() {
        return Numeric::from_i64(1).rescale(rscale);
    }
    let neg = x.signum() < 0;
    let a = val.abs();
    // Halvings that bring |x| below 0.01.
    let halvings = if a > 0.01 {
        (a / 0.01).log2().ceil() as u32
    } else {
        0
    };
    // Relative precision for the result's digits before the point and
    // its rscale decimals, plus what the squarings lose.
    let int_digits = (a * std::f64::consts::LOG10_E) as u32 + 1;
    let w = rscale + int_digits + 14 + halvings / 3;
    let one = pow10_big(w);
    let r = to_fixed(&x.abs(), w + halvings / 3 + 2) >> halvings;
    let r = r / pow10_big(halvings / 3 + 2);
    let mut term = one.clone();
    let mut sum = one.clone();
    let mut k = 1u32;
    loop {
        term = (&term * &r) / (&one * k);
        if term.is_zero() {
            break;
        }
        sum += &term;
        k += 1;
    }
    for _ in 0..halvings {
        sum = (&sum * &sum) / &one;
    }
    if neg {
        // e^-a = 1 / e^a, at scale rscale.
        let q = pow10_big(w + rscale + 1) / &sum;
        Numeric::from_parts(div_round_big(&q, &BigInt::from(10)), rscale)
    } else {
        from_fixed(&sum, w, rscale)
    }
}

/// exp(numeric), as numeric_exp.
pub fn exp(x: &Numeric) -> PgResult<Numeric> {
    match x {
        Numeric::NaN => return Ok(Numeric::NaN),
        Numeric::PosInf => return Ok(Numeric::PosInf),
        Numeric::NegInf => return Ok(Numeric::ZERO),
        _ => {}
    }
    let val =
        (x.approx_f64() * PG_LOG10_E).clamp(-MAX_RESULT_SCALE as f64, MAX_RESULT_SCALE as f64);
    let rscale = clamp_rscale((MIN_SIG_DIGITS - val as i32).max(x.scale() as i32));
    exp_scaled(x, rscale)
}

/// Whether a finite value is an integer.
fn is_integral(x: &Numeric) -> bool {
    match x.parts() {
        Some((m, s)) => s == 0 || (&m % pow10_big(s)).is_zero(),
        None => false,
    }
}

/// Whether an integral value is odd.
fn is_odd(x: &Numeric) -> bool {
    x.parts()
        .map(|(m, s)| (m / pow10_big(s)).is_odd())
        .unwrap_or(false)
}

/// numeric ^ numeric, as numeric_power.
pub fn power(x: &Numeric, y: &Numeric) -> PgResult<Numeric> {
    let one = Numeric::from_i64(1);
    if x.is_special() || y.is_special() {
        return power_special(x, y);
    }
    if x.is_zero() && y.signum() < 0 {
        return Err(power_error("zero raised to a negative power is undefined"));
    }
    if is_integral(y) {
        if let Some(e) = y.to_i128_rounded().and_then(|e| i32::try_from(e).ok()) {
            let rscale = clamp_rscale(MIN_SIG_DIGITS.max(x.scale() as i32));
            return power_int(x, e, rscale);
        }
    }
    if x.is_zero() {
        return Ok(Numeric::from_scaled(0, MIN_SIG_DIGITS as u32));
    }
    let mut negate = false;
    let base = if x.signum() < 0 {
        if !is_integral(y) {
            return Err(power_error(
                "a negative number raised to a non-integer power yields a complex result",
            ));
        }
        negate = is_odd(y);
        x.abs()
    } else {
        x.clone()
    };
    if base.cmp_total(&one).is_eq() {
        let rscale = clamp_rscale(
            MIN_SIG_DIGITS
                .max(base.scale() as i32)
                .max(y.scale() as i32),
        );
        let r = one.rescale(rscale)?;
        return Ok(if negate { r.neg() } else { r });
    }
    // A low-precision y * ln(base) for the result's weight and limits.
    let ln_dweight = estimate_ln_dweight(&base);
    let lw = (8 - ln_dweight).clamp(0, MAX_DISPLAY_SCALE) as u32;
    let ln_base = Numeric::from_parts(ln_fixed(&base, lw), lw)?;
    let ln_num = ln_base.mul(y)?;
    let mut val = ln_num.approx_f64();
    if val.abs() > MAX_RESULT_SCALE as f64 * 3.01 {
        if val > 0.0 {
            return Err(overflow());
        }
        return Ok(Numeric::from_scaled(0, MAX_DISPLAY_SCALE as u32));
    }
    val *= PG_LOG10_E;
    let rscale = clamp_rscale(
        (MIN_SIG_DIGITS - val as i32)
            .max(base.scale() as i32)
            .max(y.scale() as i32),
    );
    // ln(base) precise enough that y * ln(base) is exact to the result's
    // relative precision.
    let ylog = y.approx_f64().abs().log10().max(0.0) as u32 + 1;
    let w = rscale + (val.max(0.0) as u32) + ylog + 12;
    let ln_base = Numeric::from_parts(ln_fixed(&base, w), w)
        .or_else(|_| Numeric::from_parts(ln_fixed(&base, DSCALE_MAX), DSCALE_MAX))?;
    let z = ln_base.mul(y)?;
    let r = exp_scaled(&z, rscale)?;
    Ok(if negate { r.neg() } else { r })
}

/// Integral powers, as power_var_int: exact products (or, for large
/// results, products kept to enough significant digits) rounded to
/// `rscale`.
fn power_int(x: &Numeric, e: i32, rscale: u32) -> PgResult<Numeric> {
    match e {
        0 => return Numeric::from_i64(1).rescale(rscale),
        1 => return x.round(rscale as i32),
        -1 => return Numeric::from_i64(1).div_with_scale(x, rscale),
        2 => return x.mul(x)?.round(rscale as i32),
        _ => {}
    }
    if x.is_zero() {
        if e < 0 {
            return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
        }
        return Ok(Numeric::from_scaled(0, rscale));
    }
    // Estimated log10 of the result, for the limits.
    let f = e as f64 * x.abs().approx_f64().log10();
    if f > 3.0 * i16::MAX as f64 * 4.0 {
        return Err(overflow());
    }
    if f + 1.0 < -(rscale as f64) || f + 1.0 < -(MAX_DISPLAY_SCALE as f64) {
        return Ok(Numeric::from_scaled(0, rscale));
    }
    let (m, s) = x.parts().unwrap_or_default();
    let n = e.unsigned_abs();
    // Significant digits the result needs, with guard digits for the
    // truncated products.
    let sig = (1 + rscale as i64 + f.abs() as i64 + 2 * (n as f64).log10() as i64 + 16) as u64;
    let exact_digits = digit_count(&m) * n as u64;
    let (pm, ps) = if exact_digits <= sig.max(4000) {
        (num_traits::pow(m, n as usize), s as u64 * n as u64)
    } else {
        truncated_pow(&m, s, n, sig)
    };
    if e > 0 {
        let v = if ps > rscale as u64 {
            div_round_big(&pm, &pow10_big((ps - rscale as u64) as u32))
        } else {
            pm * pow10_big(rscale - ps as u32)
        };
        return Numeric::from_parts(v, rscale);
    }
    // x^-n = 10^ps / pm, at rscale.
    let num = pow10_big((ps + rscale as u64 + 1) as u32);
    let q = num / pm;
    Numeric::from_parts(div_round_big(&q, &BigInt::from(10)), rscale)
}

/// (m * 10^-s)^n by squaring, each product truncated to `sig` significant
/// digits: (mantissa, scale) of the approximation.
fn truncated_pow(m: &BigInt, s: u32, n: u32, sig: u64) -> (BigInt, u64) {
    // Values as (mantissa, exponent): mantissa * 10^exp.
    let trim = |v: BigInt, exp: i64| -> (BigInt, i64) {
        let d = digit_count(&v);
        if d > sig {
            let drop = (d - sig) as u32;
            (v / pow10_big(drop), exp + drop as i64)
        } else {
            (v, exp)
        }
    };
    let mut result = (BigInt::one(), 0i64);
    let mut base = (m.clone(), -(s as i64));
    let mut k = n;
    while k > 0 {
        if k & 1 == 1 {
            result = trim(&result.0 * &base.0, result.1 + base.1);
        }
        k >>= 1;
        if k > 0 {
            base = trim(&base.0 * &base.0, base.1 * 2);
        }
    }
    if result.1 >= 0 {
        (result.0 * pow10_big(result.1 as u32), 0)
    } else {
        (result.0, (-result.1) as u64)
    }
}

/// power() with NaN or infinite inputs, as numeric_power (POSIX pow()'s
/// rules).
fn power_special(x: &Numeric, y: &Numeric) -> PgResult<Numeric> {
    let one = Numeric::from_i64(1);
    if x.is_nan() {
        return Ok(if !y.is_special() && y.is_zero() {
            one
        } else {
            Numeric::NaN
        });
    }
    if y.is_nan() {
        return Ok(if !x.is_special() && x.cmp_total(&one).is_eq() {
            one
        } else {
            Numeric::NaN
        });
    }
    let (s1, s2) = (x.signum(), y.signum());
    if s1 == 0 && s2 < 0 {
        return Err(power_error("zero raised to a negative power is undefined"));
    }
    if s1 < 0 && !y.is_inf() && !is_integral(y) {
        return Err(power_error(
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    if !x.is_special() && x.cmp_total(&one).is_eq() {
        return Ok(one);
    }
    if s2 == 0 {
        return Ok(one);
    }
    if y.is_inf() {
        let abs_gt_one = if x.is_special() {
            true
        } else {
            if x.cmp_total(&one.neg()).is_eq() {
                return Ok(one);
            }
            x.abs().cmp_total(&one).is_gt()
        };
        return Ok(if abs_gt_one == (s2 > 0) {
            Numeric::PosInf
        } else {
            Numeric::ZERO
        });
    }
    if matches!(x, Numeric::PosInf) {
        return Ok(if s2 > 0 {
            Numeric::PosInf
        } else {
            Numeric::ZERO
        });
    }
    // x is -Infinity.
    if s2 < 0 {
        return Ok(Numeric::ZERO);
    }
    Ok(if is_integral(y) && is_odd(y) {
        Numeric::NegInf
    } else {
        Numeric::PosInf
    })
}

/// factorial(int8), as numeric_fac.
pub fn factorial(n: i64) -> PgResult<Numeric> {
    if n < 0 {
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "factorial of a negative number is undefined",
        ));
    }
    if n > 32177 {
        return Err(overflow());
    }
    // Product of a range, split in halves to keep the operands balanced.
    fn product(lo: u64, hi: u64) -> BigInt {
        if hi - lo < 8 {
            return (lo..=hi).fold(BigInt::one(), |a, k| a * k);
        }
        let mid = (lo + hi) / 2;
        product(lo, mid) * product(mid + 1, hi)
    }
    if n <= 1 {
        return Ok(Numeric::from_i64(1));
    }
    Numeric::from_parts(product(2, n as u64), 0)
}

/// gcd(numeric, numeric): scale the larger of the two; NaN for special
/// inputs.
pub fn gcd(a: &Numeric, b: &Numeric) -> PgResult<Numeric> {
    if a.is_special() || b.is_special() {
        return Ok(Numeric::NaN);
    }
    let s = a.scale().max(b.scale());
    let (ma, mb) = (to_fixed(a, s), to_fixed(b, s));
    Numeric::from_parts(ma.gcd(&mb), s)
}

/// lcm(numeric, numeric): |a*b| / gcd, at the larger scale.
pub fn lcm(a: &Numeric, b: &Numeric) -> PgResult<Numeric> {
    if a.is_special() || b.is_special() {
        return Ok(Numeric::NaN);
    }
    let s = a.scale().max(b.scale());
    let (ma, mb) = (to_fixed(a, s), to_fixed(b, s));
    if ma.is_zero() || mb.is_zero() {
        return Ok(Numeric::from_scaled(0, s));
    }
    Numeric::from_parts(ma.lcm(&mb), s)
}

/// min_scale: the smallest scale that represents the value exactly
/// (`None` for NaN and the infinities).
pub fn min_scale(x: &Numeric) -> Option<u32> {
    let (m, s) = x.parts()?;
    if m.is_zero() {
        return Some(0);
    }
    let mut s = s;
    let mut m = m;
    let ten = BigInt::from(10);
    while s > 0 {
        let (q, r) = m.div_rem(&ten);
        if !r.is_zero() {
            break;
        }
        m = q;
        s -= 1;
    }
    Some(s)
}

/// trim_scale: the value with its trailing fractional zeros removed.
pub fn trim_scale(x: &Numeric) -> PgResult<Numeric> {
    match min_scale(x) {
        Some(s) => x.rescale(s),
        None => Ok(x.clone()),
    }
}

/// numeric's value as an i64 when it is one (for exponents and counts).
pub fn to_i64(x: &Numeric) -> Option<i64> {
    x.to_i128_rounded()?.to_i64()
}
