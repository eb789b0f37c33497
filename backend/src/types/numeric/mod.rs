//! `numeric`: an exact decimal with a display scale, as PostgreSQL's
//! NUMERIC, of any size PostgreSQL accepts: up to 131072 digits before the
//! decimal point and 16383 after (beyond: 22003 "value overflows numeric
//! format"), plus NaN and ±Infinity.
//!
//! A value is `mant * 10^-scale`. The common case (money-like numbers)
//! keeps its mantissa in an `i128` (`Finite`) and its arithmetic on
//! machine integers; a mantissa beyond `i128` is a `num_bigint::BigInt`
//! (`Big`), and a result that fits `i128` again is brought back to
//! `Finite`, so that `Big` always means "does not fit". Arithmetic follows
//! PostgreSQL's rules for result scales (sum: the larger scale; product:
//! the sum of scales, at most 16383; quotient: `select_div_scale`), and
//! the binary form is PostgreSQL's base-10000 one. The transcendental
//! functions (sqrt, exp, ln, log, power) are in [`math`].

pub mod math;

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::error::{sqlstate, PgError, PgResult};

/// Largest display scale a computed result gets (NUMERIC_MAX_DISPLAY_SCALE).
pub const MAX_DISPLAY_SCALE: i32 = 1000;
/// NUMERIC_MAX_RESULT_SCALE: the bound of round()'s scale argument.
pub const MAX_RESULT_SCALE: i32 = 2000;
/// NUMERIC_MIN_SIG_DIGITS: significant digits a quotient gets at least.
pub const MIN_SIG_DIGITS: i32 = 16;
/// NUMERIC_DSCALE_MAX: the largest scale a value can hold.
pub const DSCALE_MAX: u32 = 16383;
/// Digits a value can have before the decimal point (weight 32767 in
/// base 10000).
pub const MAX_INT_DIGITS: u64 = 131072;

/// An exact decimal, NaN or an infinity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Numeric {
    NaN,
    PosInf,
    NegInf,
    /// `mant * 10^-scale` with a mantissa that fits `i128`.
    Finite {
        mant: i128,
        scale: u32,
    },
    /// `mant * 10^-scale` with a mantissa beyond `i128`.
    Big(Box<BigDec>),
}

/// A large finite value: `mant * 10^-scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigDec {
    pub mant: BigInt,
    pub scale: u32,
}

pub fn overflow() -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

fn division_by_zero() -> PgError {
    PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero")
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// 10^n as a big integer.
pub fn pow10_big(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u32), n as usize)
}

/// Divides rounding half away from zero (PostgreSQL's rounding).
fn div_round(a: i128, b: i128) -> i128 {
    let q = a / b;
    let r = a % b;
    if r.unsigned_abs() >= b.unsigned_abs() - r.unsigned_abs() {
        if (a < 0) != (b < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

/// [`div_round`] on big integers.
pub fn div_round_big(a: &BigInt, b: &BigInt) -> BigInt {
    let (q, r) = a.div_rem(b);
    if (r.abs() << 1u32) >= b.abs() {
        if a.is_negative() != b.is_negative() {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

/// Number of decimal digits of |v| (1 for zero).
pub fn digit_count(v: &BigInt) -> u64 {
    if v.is_zero() {
        return 1;
    }
    // bits * log10(2) is within one of the answer; check the boundary.
    let est = ((v.bits() - 1) as f64 * std::f64::consts::LOG10_2).floor() as u64 + 1;
    if v.abs() >= pow10_big(est as u32) {
        est + 1
    } else {
        est
    }
}

impl Numeric {
    pub const ZERO: Numeric = Numeric::Finite { mant: 0, scale: 0 };

    pub fn from_i64(v: i64) -> Numeric {
        Numeric::Finite {
            mant: v as i128,
            scale: 0,
        }
    }

    /// `mant * 10^-scale` for a small mantissa (scale within limits).
    pub fn from_scaled(mant: i128, scale: u32) -> Numeric {
        Numeric::Finite { mant, scale }
    }

    /// `mant * 10^-scale`, checked against numeric's limits (22003).
    pub fn from_parts(mant: BigInt, scale: u32) -> PgResult<Numeric> {
        if scale > DSCALE_MAX {
            return Err(overflow());
        }
        if let Some(m) = mant.to_i128() {
            return Ok(Numeric::Finite { mant: m, scale });
        }
        // Digits before the point: at most MAX_INT_DIGITS.
        let bits = mant.bits();
        if (bits as f64 - 1.0) * std::f64::consts::LOG10_2
            >= (MAX_INT_DIGITS + scale as u64) as f64 - 2.0
            && digit_count(&mant) > MAX_INT_DIGITS + scale as u64
        {
            return Err(overflow());
        }
        Ok(Numeric::Big(Box::new(BigDec { mant, scale })))
    }

    /// The mantissa and scale of a finite value.
    pub fn parts(&self) -> Option<(BigInt, u32)> {
        match self {
            Numeric::Finite { mant, scale } => Some((BigInt::from(*mant), *scale)),
            Numeric::Big(b) => Some((b.mant.clone(), b.scale)),
            _ => None,
        }
    }

    /// float8 → numeric as PostgreSQL does it: through 15 significant
    /// digits (DBL_DIG). NaN and the infinities carry over.
    pub fn from_f64(v: f64) -> PgResult<Numeric> {
        Numeric::from_float_digits(v, 15)
    }

    /// float4 → numeric: through 6 significant digits (FLT_DIG).
    pub fn from_f32(v: f32) -> PgResult<Numeric> {
        Numeric::from_float_digits(v as f64, 6)
    }

    fn from_float_digits(v: f64, digits: usize) -> PgResult<Numeric> {
        if v.is_nan() {
            return Ok(Numeric::NaN);
        }
        if v.is_infinite() {
            return Ok(if v > 0.0 {
                Numeric::PosInf
            } else {
                Numeric::NegInf
            });
        }
        // As %.{digits}g: significant digits, trailing zeros dropped.
        let s = format!("{:.*e}", digits - 1, v);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        Numeric::input(&format!("{m}e{e}"))
    }

    /// Parses PostgreSQL's numeric input syntax (surrounding blanks, sign,
    /// digits, point, exponent, NaN, Infinity). `None` on bad syntax or
    /// overflow.
    pub fn parse(s: &str) -> Option<Numeric> {
        Numeric::input(s).ok()
    }

    /// numeric_in: the value of `s`, or 22P02 for bad syntax and 22003
    /// when it is beyond numeric's limits.
    pub fn input(s: &str) -> PgResult<Numeric> {
        let bad = || {
            PgError::new(
                sqlstate::INVALID_TEXT_REPRESENTATION,
                format!("invalid input syntax for type numeric: \"{s}\""),
            )
        };
        let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
        let special = [
            ("nan", Numeric::NaN),
            ("infinity", Numeric::PosInf),
            ("+infinity", Numeric::PosInf),
            ("-infinity", Numeric::NegInf),
            ("inf", Numeric::PosInf),
            ("+inf", Numeric::PosInf),
            ("-inf", Numeric::NegInf),
        ];
        for (name, v) in special {
            if t.eq_ignore_ascii_case(name) {
                return Ok(v);
            }
        }
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            Some(_) => (false, t),
            None => return Err(bad()),
        };
        let (num, exp) = match body.find(['e', 'E']) {
            Some(i) => {
                let e = &body[i + 1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                // Beyond any possible value: PostgreSQL's INT_MAX/2 guard.
                let e: i64 = match e.parse::<i64>() {
                    Ok(v) if v.abs() < i32::MAX as i64 / 2 => v,
                    _ => return Err(overflow()),
                };
                (&body[..i], e)
            }
            None => (body, 0),
        };
        let (int_part, frac_part) = match num.find('.') {
            Some(i) => (&num[..i], &num[i + 1..]),
            None => (num, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let scale = frac_part.len() as i64 - exp;
        let int_part = int_part.trim_start_matches('0');
        let ndigits = int_part.len() + frac_part.len();
        // Digits before the point once the exponent is applied.
        let first_nonzero = int_part
            .bytes()
            .chain(frac_part.bytes())
            .position(|b| b != b'0');
        let Some(first) = first_nonzero else {
            return Ok(Numeric::Finite {
                mant: 0,
                scale: scale.clamp(0, DSCALE_MAX as i64 + 1) as u32,
            })
            .and_then(|v| v.checked_scale());
        };
        let int_digits = ndigits as i64 - first as i64 - scale;
        if int_digits > MAX_INT_DIGITS as i64 || scale > DSCALE_MAX as i64 {
            return Err(overflow());
        }
        if ndigits <= 38 && scale >= 0 {
            let mut mant: i128 = 0;
            for b in int_part.bytes().chain(frac_part.bytes()) {
                mant = mant * 10 + (b - b'0') as i128;
            }
            return Ok(Numeric::Finite {
                mant: if neg { -mant } else { mant },
                scale: scale as u32,
            });
        }
        let digits = format!("{int_part}{frac_part}");
        let mut mant: BigInt = if digits.is_empty() {
            BigInt::zero()
        } else {
            digits.parse().map_err(|_| bad())?
        };
        let mut scale = scale;
        if scale < 0 {
            mant *= pow10_big((-scale) as u32);
            scale = 0;
        }
        if neg {
            mant = -mant;
        }
        Numeric::from_parts(mant, scale as u32)
    }

    fn checked_scale(self) -> PgResult<Numeric> {
        if self.scale() > DSCALE_MAX {
            Err(overflow())
        } else {
            Ok(self)
        }
    }

    pub fn is_nan(&self) -> bool {
        matches!(self, Numeric::NaN)
    }

    /// NaN or an infinity (PostgreSQL's NUMERIC_IS_SPECIAL).
    pub fn is_special(&self) -> bool {
        matches!(self, Numeric::NaN | Numeric::PosInf | Numeric::NegInf)
    }

    pub fn is_inf(&self) -> bool {
        matches!(self, Numeric::PosInf | Numeric::NegInf)
    }

    /// The display scale (0 for NaN and the infinities).
    pub fn scale(&self) -> u32 {
        match self {
            Numeric::Finite { scale, .. } => *scale,
            Numeric::Big(b) => b.scale,
            _ => 0,
        }
    }

    /// -1, 0 or 1 (NaN: 0).
    pub fn signum(&self) -> i32 {
        match self {
            Numeric::NaN => 0,
            Numeric::PosInf => 1,
            Numeric::NegInf => -1,
            Numeric::Finite { mant, .. } => mant.signum() as i32,
            Numeric::Big(b) => match b.mant.sign() {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            },
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Numeric::Finite { mant: 0, .. })
    }

    /// The value with exactly `scale` decimals (rounding half away from
    /// zero when it shrinks).
    pub fn rescale(&self, new_scale: u32) -> PgResult<Numeric> {
        match self {
            Numeric::Finite { mant, scale } => {
                let (mant, scale) = (*mant, *scale);
                match new_scale.cmp(&scale) {
                    Ordering::Equal => return Ok(self.clone()),
                    Ordering::Greater => {
                        if let Some(m) = pow10(new_scale - scale).and_then(|p| mant.checked_mul(p))
                        {
                            return Numeric::Finite {
                                mant: m,
                                scale: new_scale,
                            }
                            .checked_scale();
                        }
                    }
                    Ordering::Less => {
                        return Ok(Numeric::Finite {
                            mant: match pow10(scale - new_scale) {
                                Some(p) => div_round(mant, p),
                                None => 0,
                            },
                            scale: new_scale,
                        })
                    }
                }
                self.rescale_big(new_scale)
            }
            Numeric::Big(_) => self.rescale_big(new_scale),
            special => Ok(special.clone()),
        }
    }

    fn rescale_big(&self, new_scale: u32) -> PgResult<Numeric> {
        let Some((mant, scale)) = self.parts() else {
            return Ok(self.clone());
        };
        Numeric::from_parts(rescale_mant(&mant, scale, new_scale), new_scale)
    }

    /// Both operands' mantissas at the larger scale, when they fit `i128`.
    fn aligned_small(a: &Numeric, b: &Numeric) -> Option<(i128, i128, u32)> {
        let (
            Numeric::Finite {
                mant: ma,
                scale: sa,
            },
            Numeric::Finite {
                mant: mb,
                scale: sb,
            },
        ) = (a, b)
        else {
            return None;
        };
        match sa.cmp(sb) {
            Ordering::Equal => Some((*ma, *mb, *sa)),
            Ordering::Less => Some((ma.checked_mul(pow10(sb - sa)?)?, *mb, *sb)),
            Ordering::Greater => Some((*ma, mb.checked_mul(pow10(sa - sb)?)?, *sa)),
        }
    }

    /// Both finite operands' mantissas at the larger scale.
    fn aligned_big(a: &Numeric, b: &Numeric) -> Option<(BigInt, BigInt, u32)> {
        let (ma, sa) = a.parts()?;
        let (mb, sb) = b.parts()?;
        let s = sa.max(sb);
        Some((rescale_mant(&ma, sa, s), rescale_mant(&mb, sb, s), s))
    }

    pub fn add(&self, o: &Numeric) -> PgResult<Numeric> {
        if let Some((a, b, scale)) = Numeric::aligned_small(self, o) {
            if let Some(mant) = a.checked_add(b) {
                return Ok(Numeric::Finite { mant, scale });
            }
        }
        match (self, o) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Ok(Numeric::NaN),
            (Numeric::PosInf, Numeric::NegInf) | (Numeric::NegInf, Numeric::PosInf) => {
                Ok(Numeric::NaN)
            }
            (Numeric::PosInf | Numeric::NegInf, _) => Ok(self.clone()),
            (_, Numeric::PosInf | Numeric::NegInf) => Ok(o.clone()),
            _ => {
                let (a, b, scale) = Numeric::aligned_big(self, o).ok_or_else(overflow)?;
                Numeric::from_parts(a + b, scale)
            }
        }
    }

    pub fn sub(&self, o: &Numeric) -> PgResult<Numeric> {
        self.add(&o.neg())
    }

    pub fn neg(&self) -> Numeric {
        match self {
            Numeric::NaN => Numeric::NaN,
            Numeric::PosInf => Numeric::NegInf,
            Numeric::NegInf => Numeric::PosInf,
            Numeric::Finite { mant, scale } => match mant.checked_neg() {
                Some(m) => Numeric::Finite {
                    mant: m,
                    scale: *scale,
                },
                None => Numeric::Big(Box::new(BigDec {
                    mant: -BigInt::from(*mant),
                    scale: *scale,
                })),
            },
            Numeric::Big(b) => {
                let mant = -&b.mant;
                match mant.to_i128() {
                    Some(m) => Numeric::Finite {
                        mant: m,
                        scale: b.scale,
                    },
                    None => Numeric::Big(Box::new(BigDec {
                        mant,
                        scale: b.scale,
                    })),
                }
            }
        }
    }

    pub fn abs(&self) -> Numeric {
        if self.signum() < 0 {
            self.neg()
        } else {
            self.clone()
        }
    }

    pub fn mul(&self, o: &Numeric) -> PgResult<Numeric> {
        if let (Numeric::Finite { mant: a, scale: sa }, Numeric::Finite { mant: b, scale: sb }) =
            (self, o)
        {
            if sa + sb <= DSCALE_MAX {
                if let Some(mant) = a.checked_mul(*b) {
                    return Ok(Numeric::Finite {
                        mant,
                        scale: sa + sb,
                    });
                }
            }
        }
        if self.is_special() || o.is_special() {
            return Ok(match (self, o) {
                (Numeric::NaN, _) | (_, Numeric::NaN) => Numeric::NaN,
                _ => match self.signum() * o.signum() {
                    0 => Numeric::NaN,
                    1 => Numeric::PosInf,
                    _ => Numeric::NegInf,
                },
            });
        }
        let (a, sa) = self.parts().ok_or_else(overflow)?;
        let (b, sb) = o.parts().ok_or_else(overflow)?;
        let scale = sa + sb;
        let prod = a * b;
        if scale > DSCALE_MAX {
            // As numeric_mul: the exact product rounded to the largest scale.
            let m = div_round_big(&prod, &pow10_big(scale - DSCALE_MAX));
            return Numeric::from_parts(m, DSCALE_MAX);
        }
        Numeric::from_parts(prod, scale)
    }

    /// Weight (in base-10000 digits) and first base-10000 digit of a
    /// nonzero value, as PostgreSQL's NumericVar has them.
    fn weight_and_first_digit(&self) -> (i32, i32) {
        let digits = self.base10000();
        (digits.1, digits.0.first().copied().unwrap_or(0) as i32)
    }

    /// PostgreSQL's select_div_scale.
    pub fn div_scale(&self, o: &Numeric) -> u32 {
        let (w1, f1) = if self.is_zero() {
            (0, 0)
        } else {
            self.weight_and_first_digit()
        };
        let (w2, f2) = if o.is_zero() {
            (0, 0)
        } else {
            o.weight_and_first_digit()
        };
        let mut qweight = w1 - w2;
        if f1 <= f2 {
            qweight -= 1;
        }
        let rscale = (MIN_SIG_DIGITS - qweight * 4)
            .max(self.scale() as i32)
            .max(o.scale() as i32)
            .max(0);
        rscale.min(MAX_DISPLAY_SCALE) as u32
    }

    /// Division of special values (NaN, infinities) and by zero, as
    /// numeric_div: `None` when both are finite and the divisor nonzero.
    fn div_special(&self, o: &Numeric) -> Option<PgResult<Numeric>> {
        match (self, o) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Some(Ok(Numeric::NaN)),
            (Numeric::PosInf | Numeric::NegInf, Numeric::PosInf | Numeric::NegInf) => {
                Some(Ok(Numeric::NaN))
            }
            (Numeric::PosInf | Numeric::NegInf, _) => Some(match o.signum() {
                0 => Err(division_by_zero()),
                s if s * self.signum() > 0 => Ok(Numeric::PosInf),
                _ => Ok(Numeric::NegInf),
            }),
            (_, Numeric::PosInf | Numeric::NegInf) => Some(Ok(Numeric::ZERO)),
            _ if o.is_zero() => Some(Err(division_by_zero())),
            _ => None,
        }
    }

    pub fn div(&self, o: &Numeric) -> PgResult<Numeric> {
        if let Some(r) = self.div_special(o) {
            return r;
        }
        let rscale = self.div_scale(o);
        self.div_with_scale(o, rscale)
    }

    /// Quotient rounded to `rscale` decimals.
    pub fn div_with_scale(&self, o: &Numeric, rscale: u32) -> PgResult<Numeric> {
        if let Some(r) = self.div_special(o) {
            return r;
        }
        if let (Numeric::Finite { mant: a, scale: sa }, Numeric::Finite { mant: b, scale: sb }) =
            (self, o)
        {
            // a/10^sa / (b/10^sb) = a * 10^(sb + rscale - sa) / b / 10^rscale;
            // one extra digit for rounding.
            let shift = *sb as i64 + rscale as i64 - *sa as i64 + 1;
            let nd = if shift >= 0 {
                pow10(shift as u32)
                    .and_then(|p| a.checked_mul(p))
                    .map(|n| (n, *b))
            } else {
                pow10((-shift) as u32)
                    .and_then(|p| b.checked_mul(p))
                    .map(|d| (*a, d))
            };
            if let Some((num, den)) = nd {
                return Ok(Numeric::Finite {
                    mant: div_round(num / den, 10),
                    scale: rscale,
                });
            }
        }
        let (a, sa) = self.parts().ok_or_else(overflow)?;
        let (b, sb) = o.parts().ok_or_else(overflow)?;
        let shift = sb as i64 + rscale as i64 - sa as i64 + 1;
        let (num, den) = if shift >= 0 {
            (a * pow10_big(shift as u32), b)
        } else {
            (a, b * pow10_big((-shift) as u32))
        };
        let q = num / den;
        Numeric::from_parts(div_round_big(&q, &BigInt::from(10)), rscale)
    }

    /// Truncated integral quotient (PostgreSQL's `div`).
    pub fn div_trunc(&self, o: &Numeric) -> PgResult<Numeric> {
        if let Some(r) = self.div_special(o) {
            return r.map(|v| match v {
                Numeric::Finite { .. } | Numeric::Big(_) => v,
                inf => inf,
            });
        }
        let (a, b, _) = Numeric::aligned_big(self, o).ok_or_else(overflow)?;
        Numeric::from_parts(a / b, 0)
    }

    /// Remainder with the sign of the dividend (PostgreSQL's numeric_mod).
    pub fn rem(&self, o: &Numeric) -> PgResult<Numeric> {
        match (self, o) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => return Ok(Numeric::NaN),
            (Numeric::PosInf | Numeric::NegInf, _) => {
                return if o.is_zero() {
                    Err(division_by_zero())
                } else {
                    Ok(Numeric::NaN)
                }
            }
            (_, Numeric::PosInf | Numeric::NegInf) => return Ok(self.clone()),
            _ => {}
        }
        if o.is_zero() {
            return Err(division_by_zero());
        }
        if let Some((a, b, scale)) = Numeric::aligned_small(self, o) {
            return Ok(Numeric::Finite {
                mant: a.checked_rem(b).unwrap_or(0),
                scale,
            });
        }
        let (a, b, scale) = Numeric::aligned_big(self, o).ok_or_else(overflow)?;
        Numeric::from_parts(a % b, scale)
    }

    /// Rounds to `digits` decimals (negative: to the left of the point).
    pub fn round(&self, digits: i32) -> PgResult<Numeric> {
        self.round_mode(digits, false)
    }

    pub fn trunc(&self, digits: i32) -> PgResult<Numeric> {
        self.round_mode(digits, true)
    }

    fn round_mode(&self, digits: i32, truncate: bool) -> PgResult<Numeric> {
        if self.is_special() {
            return Ok(self.clone());
        }
        let digits = digits.clamp(-MAX_RESULT_SCALE, MAX_RESULT_SCALE);
        let scale = self.scale();
        if digits >= scale as i32 {
            return self.rescale(digits as u32);
        }
        if let Numeric::Finite { mant, .. } = self {
            let drop = (scale as i32 - digits) as u32;
            let q = match pow10(drop) {
                Some(p) if truncate => Some(mant / p),
                Some(p) => Some(div_round(*mant, p)),
                None => Some(0),
            };
            let back = if digits >= 0 {
                Some(1)
            } else {
                pow10((-digits) as u32)
            };
            if let Some(m) = q.zip(back).and_then(|(q, b)| q.checked_mul(b)) {
                return Ok(Numeric::Finite {
                    mant: m,
                    scale: digits.max(0) as u32,
                });
            }
        }
        let (mant, scale) = self.parts().ok_or_else(overflow)?;
        let drop = (scale as i64 - digits as i64) as u32;
        let p = pow10_big(drop);
        let q = if truncate {
            &mant / &p
        } else {
            div_round_big(&mant, &p)
        };
        if digits >= 0 {
            Numeric::from_parts(q, digits as u32)
        } else {
            Numeric::from_parts(q * pow10_big((-digits) as u32), 0)
        }
    }

    pub fn floor(&self) -> PgResult<Numeric> {
        self.ceil_floor(false)
    }

    pub fn ceil(&self) -> PgResult<Numeric> {
        self.ceil_floor(true)
    }

    fn ceil_floor(&self, up: bool) -> PgResult<Numeric> {
        if let Numeric::Finite { mant, scale } = self {
            let Some(p) = pow10(*scale) else {
                return self.ceil_floor_big(up);
            };
            let mut q = mant / p;
            let r = mant % p;
            if r != 0 && up && *mant > 0 {
                q += 1;
            }
            if r != 0 && !up && *mant < 0 {
                q -= 1;
            }
            return Ok(Numeric::Finite { mant: q, scale: 0 });
        }
        self.ceil_floor_big(up)
    }

    fn ceil_floor_big(&self, up: bool) -> PgResult<Numeric> {
        let Some((mant, scale)) = self.parts() else {
            return Ok(self.clone());
        };
        let p = pow10_big(scale);
        let q = if up {
            num_integer::Integer::div_ceil(&mant, &p)
        } else {
            mant.div_floor(&p)
        };
        Numeric::from_parts(q, 0)
    }

    /// Integer value, rounded half away from zero (numeric → int casts);
    /// beyond `i128` saturated, so that the range check fails. `None` for
    /// NaN and the infinities.
    pub fn to_i128_rounded(&self) -> Option<i128> {
        match self {
            Numeric::Finite { mant, scale } => match pow10(*scale) {
                Some(p) => Some(div_round(*mant, p)),
                None => Some(0),
            },
            Numeric::Big(_) => {
                let r = self.round(0).ok()?;
                Some(match r {
                    Numeric::Finite { mant, .. } => mant,
                    _ if r.signum() < 0 => i128::MIN,
                    _ => i128::MAX,
                })
            }
            _ => None,
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Numeric::NaN => f64::NAN,
            Numeric::PosInf => f64::INFINITY,
            Numeric::NegInf => f64::NEG_INFINITY,
            // Through the text form, so that the nearest double is chosen.
            n => n.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    /// An approximation of a finite value (no overflow: huge values give
    /// ±inf, tiny ones 0), for estimates.
    pub fn approx_f64(&self) -> f64 {
        match self {
            Numeric::Finite { mant, scale } => *mant as f64 / 10f64.powi(*scale as i32),
            Numeric::Big(b) => {
                let d = digit_count(&b.mant) as i64;
                // Keep 17 leading digits.
                let drop = (d - 17).max(0) as u32;
                let lead = (&b.mant / pow10_big(drop)).to_f64().unwrap_or(0.0);
                lead * 10f64.powf(drop as f64 - b.scale as f64)
            }
            other => other.to_f64(),
        }
    }

    /// Ordering as PostgreSQL sorts numerics: -Infinity, finite values,
    /// Infinity, NaN.
    pub fn cmp_total(&self, o: &Numeric) -> Ordering {
        fn rank(n: &Numeric) -> u8 {
            match n {
                Numeric::NegInf => 0,
                Numeric::Finite { .. } | Numeric::Big(_) => 1,
                Numeric::PosInf => 2,
                Numeric::NaN => 3,
            }
        }
        let (ra, rb) = (rank(self), rank(o));
        if ra != 1 || rb != 1 {
            return ra.cmp(&rb);
        }
        if let Some((a, b, _)) = Numeric::aligned_small(self, o) {
            return a.cmp(&b);
        }
        match Numeric::aligned_big(self, o) {
            Some((a, b, _)) => a.cmp(&b),
            None => Ordering::Equal,
        }
    }

    /// Base-10000 digits (most significant first, no leading or trailing
    /// zero digits) and the weight of the first one.
    pub fn base10000(&self) -> (Vec<i16>, i32) {
        let (abs, scale) = match self {
            Numeric::Finite { mant, scale } => (mant.unsigned_abs().to_string(), *scale),
            Numeric::Big(b) => (b.mant.magnitude().to_string(), b.scale),
            _ => return (Vec::new(), 0),
        };
        let scale = scale as usize;
        let (int_s, frac_s): (&str, String) = if abs.len() > scale {
            (
                &abs[..abs.len() - scale],
                abs[abs.len() - scale..].to_string(),
            )
        } else {
            ("", format!("{}{}", "0".repeat(scale - abs.len()), abs))
        };
        let pad_int = (4 - int_s.len() % 4) % 4;
        let int_p = format!("{}{}", "0".repeat(pad_int), int_s);
        let pad_frac = (4 - frac_s.len() % 4) % 4;
        let frac_p = format!("{}{}", frac_s, "0".repeat(pad_frac));
        let mut digits: Vec<i16> = int_p
            .as_bytes()
            .chunks(4)
            .chain(frac_p.as_bytes().chunks(4))
            .map(|c| c.iter().fold(0i16, |a, b| a * 10 + (b - b'0') as i16))
            .collect();
        let mut weight = (int_p.len() / 4) as i32 - 1;
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        weight -= lead as i32;
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            weight = 0;
        }
        (digits, weight)
    }

    /// PostgreSQL's numeric_send.
    pub fn encode_binary(&self, out: &mut Vec<u8>) {
        let (digits, weight, sign) = match self {
            Numeric::NaN => (Vec::new(), 0, 0xC000u16),
            Numeric::PosInf => (Vec::new(), 0, 0xD000u16),
            Numeric::NegInf => (Vec::new(), 0, 0xF000u16),
            n => {
                let (d, w) = n.base10000();
                (d, w, if n.signum() < 0 { 0x4000 } else { 0 })
            }
        };
        out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
        out.extend_from_slice(&(weight as i16).to_be_bytes());
        out.extend_from_slice(&sign.to_be_bytes());
        // PostgreSQL reads an infinity's display scale out of its special
        // header (0xD000/0xF000) as a short numeric's, which gives 32.
        let dscale = if self.is_inf() {
            32
        } else {
            self.scale() as u16
        };
        out.extend_from_slice(&dscale.to_be_bytes());
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
    }

    /// PostgreSQL's numeric_recv, with its errors (22P03).
    pub fn decode_binary(data: &[u8]) -> PgResult<Numeric> {
        let err = |what: &str| {
            PgError::new(
                sqlstate::INVALID_BINARY_REPRESENTATION,
                format!("invalid {what} in external \"numeric\" value"),
            )
        };
        if data.len() < 8 {
            return Err(PgError::new(
                sqlstate::INVALID_BINARY_REPRESENTATION,
                "insufficient data left in message",
            ));
        }
        let rd = |i: usize| i16::from_be_bytes([data[i], data[i + 1]]);
        let ndigits = rd(0);
        let weight = rd(2) as i32;
        let sign = rd(4) as u16;
        let dscale = rd(6) as u16 as u32;
        if ndigits < 0 || ndigits as i32 > 1000 + MAX_RESULT_SCALE {
            return Err(err("length"));
        }
        if data.len() != 8 + ndigits as usize * 2 {
            return Err(PgError::new(
                sqlstate::INVALID_BINARY_REPRESENTATION,
                "insufficient data left in message",
            ));
        }
        match sign {
            0 | 0x4000 => {}
            0xC000 => return Ok(Numeric::NaN),
            0xD000 => return Ok(Numeric::PosInf),
            0xF000 => return Ok(Numeric::NegInf),
            _ => return Err(err("sign")),
        }
        if dscale > DSCALE_MAX {
            return Err(err("scale"));
        }
        let mut mant = BigInt::zero();
        let base = BigInt::from(10000);
        for i in 0..ndigits as usize {
            let d = rd(8 + i * 2);
            if !(0..10000).contains(&d) {
                return Err(err("digit"));
            }
            mant = mant * &base + d;
        }
        // The digits are mant * 10^(4*(weight+1-ndigits)).
        let exp = 4 * (weight + 1 - ndigits as i32);
        if sign == 0x4000 {
            mant = -mant;
        }
        let v = if exp >= 0 {
            Numeric::from_parts(mant * pow10_big(exp as u32), 0)?
        } else {
            Numeric::from_parts(mant, (-exp) as u32)?
        };
        v.rescale(dscale)
    }
}

/// `mant` (at `scale`) brought to `new_scale`, rounding half away from
/// zero when it shrinks.
pub fn rescale_mant(mant: &BigInt, scale: u32, new_scale: u32) -> BigInt {
    match new_scale.cmp(&scale) {
        Ordering::Equal => mant.clone(),
        Ordering::Greater => mant * pow10_big(new_scale - scale),
        Ordering::Less => div_round_big(mant, &pow10_big(scale - new_scale)),
    }
}

impl std::fmt::Display for Numeric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (neg, digits, scale) = match self {
            Numeric::NaN => return f.write_str("NaN"),
            Numeric::PosInf => return f.write_str("Infinity"),
            Numeric::NegInf => return f.write_str("-Infinity"),
            Numeric::Finite { mant, scale } => (*mant < 0, mant.unsigned_abs().to_string(), *scale),
            Numeric::Big(b) => (
                b.mant.is_negative(),
                b.mant.magnitude().to_string(),
                b.scale,
            ),
        };
        let scale = scale as usize;
        if neg {
            f.write_str("-")?;
        }
        if scale == 0 {
            return f.write_str(&digits);
        }
        if digits.len() > scale {
            let (i, d) = digits.split_at(digits.len() - scale);
            write!(f, "{i}.{d}")
        } else {
            write!(f, "0.{}{}", "0".repeat(scale - digits.len()), digits)
        }
    }
}

#[cfg(test)]
mod tests;
