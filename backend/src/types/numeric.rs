//! `numeric`: an exact decimal with a display scale, as PostgreSQL's
//! NUMERIC, held in an `i128` mantissa (up to 38 significant digits; a
//! result that needs more fails with 22003 "value overflows numeric
//! format"). Arithmetic follows PostgreSQL's rules for result scales
//! (sum: the larger scale; product: the sum of scales; quotient:
//! `select_div_scale`), and the binary form is PostgreSQL's base-10000 one.

use std::cmp::Ordering;

use crate::error::{sqlstate, PgError, PgResult};

/// Largest display scale PostgreSQL allows (NUMERIC_MAX_DISPLAY_SCALE).
const MAX_DISPLAY_SCALE: u32 = 1000;
/// NUMERIC_MIN_SIG_DIGITS: significant digits a quotient gets at least.
const MIN_SIG_DIGITS: i32 = 16;
const MAX_DIGITS: u32 = 38;

/// An exact decimal: `mant * 10^-scale`, or NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numeric {
    NaN,
    Finite { mant: i128, scale: u32 },
}

fn overflow() -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Divides rounding half away from zero (PostgreSQL's rounding).
fn div_round(a: i128, b: i128) -> i128 {
    let q = a / b;
    let r = a % b;
    if r.unsigned_abs() * 2 >= b.unsigned_abs() {
        if (a < 0) != (b < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
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

    /// float8 → numeric as PostgreSQL does it: through 15 significant
    /// digits (DBL_DIG). NaN stays NaN; infinities fail.
    pub fn from_f64(v: f64) -> PgResult<Numeric> {
        if v.is_nan() {
            return Ok(Numeric::NaN);
        }
        if v.is_infinite() {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot convert infinity to numeric",
            ));
        }
        let s = format!("{:.14e}", v);
        Numeric::parse(&s).ok_or_else(overflow)
    }

    /// Parses PostgreSQL's numeric input syntax (surrounding blanks, sign,
    /// digits, point, exponent, NaN). `None` on bad syntax or overflow.
    pub fn parse(s: &str) -> Option<Numeric> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("nan") {
            return Some(Numeric::NaN);
        }
        let (neg, body) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (num, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
            None => (body, 0),
        };
        let (int_part, frac_part) = match num.find('.') {
            Some(i) => (&num[..i], &num[i + 1..]),
            None => (num, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut mant: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mant = mant.checked_mul(10)?.checked_add((b - b'0') as i128)?;
        }
        let mut scale = frac_part.len() as i64 - exp as i64;
        if scale < 0 {
            mant = mant.checked_mul(pow10((-scale) as u32)?)?;
            scale = 0;
        }
        if scale > MAX_DISPLAY_SCALE as i64 {
            return None;
        }
        Some(Numeric::Finite {
            mant: if neg { -mant } else { mant },
            scale: scale as u32,
        })
    }

    pub fn is_nan(&self) -> bool {
        matches!(self, Numeric::NaN)
    }

    pub fn scale(&self) -> u32 {
        match self {
            Numeric::NaN => 0,
            Numeric::Finite { scale, .. } => *scale,
        }
    }

    /// The value with exactly `scale` decimals (rounding half away from
    /// zero when it shrinks).
    pub fn rescale(&self, new_scale: u32) -> PgResult<Numeric> {
        match *self {
            Numeric::NaN => Ok(Numeric::NaN),
            Numeric::Finite { mant, scale } => {
                let mant = match new_scale.cmp(&scale) {
                    Ordering::Equal => mant,
                    Ordering::Greater => mant
                        .checked_mul(pow10(new_scale - scale).ok_or_else(overflow)?)
                        .ok_or_else(overflow)?,
                    Ordering::Less => match pow10(scale - new_scale) {
                        Some(p) => div_round(mant, p),
                        None => 0,
                    },
                };
                Ok(Numeric::Finite {
                    mant,
                    scale: new_scale,
                })
            }
        }
    }

    fn aligned(a: &Numeric, b: &Numeric) -> PgResult<Option<(i128, i128, u32)>> {
        match (a, b) {
            (Numeric::Finite { scale: sa, .. }, Numeric::Finite { scale: sb, .. }) => {
                let s = (*sa).max(*sb);
                let (Numeric::Finite { mant: ma, .. }, Numeric::Finite { mant: mb, .. }) =
                    (a.rescale(s)?, b.rescale(s)?)
                else {
                    return Ok(None);
                };
                Ok(Some((ma, mb, s)))
            }
            _ => Ok(None),
        }
    }

    pub fn add(&self, o: &Numeric) -> PgResult<Numeric> {
        match Numeric::aligned(self, o)? {
            None => Ok(Numeric::NaN),
            Some((a, b, scale)) => Ok(Numeric::Finite {
                mant: a.checked_add(b).ok_or_else(overflow)?,
                scale,
            }),
        }
    }

    pub fn sub(&self, o: &Numeric) -> PgResult<Numeric> {
        self.add(&o.neg())
    }

    pub fn neg(&self) -> Numeric {
        match *self {
            Numeric::NaN => Numeric::NaN,
            Numeric::Finite { mant, scale } => Numeric::Finite { mant: -mant, scale },
        }
    }

    pub fn abs(&self) -> Numeric {
        match *self {
            Numeric::NaN => Numeric::NaN,
            Numeric::Finite { mant, scale } => Numeric::Finite {
                mant: mant.abs(),
                scale,
            },
        }
    }

    pub fn mul(&self, o: &Numeric) -> PgResult<Numeric> {
        match (*self, *o) {
            (Numeric::Finite { mant: a, scale: sa }, Numeric::Finite { mant: b, scale: sb }) => {
                let scale = sa + sb;
                if scale > MAX_DISPLAY_SCALE {
                    return Err(overflow());
                }
                Ok(Numeric::Finite {
                    mant: a.checked_mul(b).ok_or_else(overflow)?,
                    scale,
                })
            }
            _ => Ok(Numeric::NaN),
        }
    }

    /// Weight (in base-10000 digits) and first base-10000 digit of a
    /// nonzero value, as PostgreSQL's NumericVar has them.
    fn weight_and_first_digit(&self) -> (i32, i32) {
        let digits = self.base10000();
        (digits.1, digits.0.first().copied().unwrap_or(0) as i32)
    }

    /// PostgreSQL's select_div_scale.
    fn div_scale(&self, o: &Numeric) -> u32 {
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
        (rscale as u32).min(MAX_DISPLAY_SCALE)
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Numeric::Finite { mant: 0, .. })
    }

    fn division_by_zero() -> PgError {
        PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero")
    }

    pub fn div(&self, o: &Numeric) -> PgResult<Numeric> {
        let rscale = self.div_scale(o);
        self.div_with_scale(o, rscale)
    }

    /// Quotient rounded to `rscale` decimals.
    pub fn div_with_scale(&self, o: &Numeric, rscale: u32) -> PgResult<Numeric> {
        match (*self, *o) {
            (Numeric::Finite { mant: a, scale: sa }, Numeric::Finite { mant: b, scale: sb }) => {
                if b == 0 {
                    return Err(Numeric::division_by_zero());
                }
                // a/10^sa / (b/10^sb) = a * 10^(sb + rscale - sa) / b / 10^rscale;
                // one extra digit for rounding.
                let shift = sb as i64 + rscale as i64 - sa as i64 + 1;
                let (num, den) = if shift >= 0 {
                    let p = pow10(shift as u32).ok_or_else(overflow)?;
                    (a.checked_mul(p).ok_or_else(overflow)?, b)
                } else {
                    let p = pow10((-shift) as u32).ok_or_else(overflow)?;
                    (a, b.checked_mul(p).ok_or_else(overflow)?)
                };
                let q = num / den;
                Ok(Numeric::Finite {
                    mant: div_round(q, 10),
                    scale: rscale,
                })
            }
            (_, Numeric::Finite { mant: 0, .. }) => Err(Numeric::division_by_zero()),
            _ => Ok(Numeric::NaN),
        }
    }

    /// Remainder with the sign of the dividend (PostgreSQL's numeric_mod).
    pub fn rem(&self, o: &Numeric) -> PgResult<Numeric> {
        match Numeric::aligned(self, o)? {
            None => Ok(Numeric::NaN),
            Some((_, 0, _)) => Err(Numeric::division_by_zero()),
            Some((a, b, scale)) => Ok(Numeric::Finite { mant: a % b, scale }),
        }
    }

    /// Rounds to `digits` decimals (negative: to the left of the point).
    pub fn round(&self, digits: i32) -> PgResult<Numeric> {
        self.round_mode(digits, false)
    }

    pub fn trunc(&self, digits: i32) -> PgResult<Numeric> {
        self.round_mode(digits, true)
    }

    fn round_mode(&self, digits: i32, truncate: bool) -> PgResult<Numeric> {
        let Numeric::Finite { mant, scale } = *self else {
            return Ok(Numeric::NaN);
        };
        let digits = digits.clamp(-(MAX_DIGITS as i32), MAX_DISPLAY_SCALE as i32);
        if digits >= scale as i32 {
            return self.rescale(digits as u32);
        }
        let drop = (scale as i32 - digits) as u32;
        let Some(p) = pow10(drop) else {
            return Ok(Numeric::Finite {
                mant: 0,
                scale: digits.max(0) as u32,
            });
        };
        let q = if truncate {
            mant / p
        } else {
            div_round(mant, p)
        };
        if digits >= 0 {
            Ok(Numeric::Finite {
                mant: q,
                scale: digits as u32,
            })
        } else {
            let back = pow10((-digits) as u32).ok_or_else(overflow)?;
            Ok(Numeric::Finite {
                mant: q.checked_mul(back).ok_or_else(overflow)?,
                scale: 0,
            })
        }
    }

    pub fn floor(&self) -> Numeric {
        self.ceil_floor(false)
    }

    pub fn ceil(&self) -> Numeric {
        self.ceil_floor(true)
    }

    fn ceil_floor(&self, up: bool) -> Numeric {
        let Numeric::Finite { mant, scale } = *self else {
            return Numeric::NaN;
        };
        let Some(p) = pow10(scale) else {
            return Numeric::ZERO;
        };
        let mut q = mant / p;
        let r = mant % p;
        if r != 0 && up && mant > 0 {
            q += 1;
        }
        if r != 0 && !up && mant < 0 {
            q -= 1;
        }
        Numeric::Finite { mant: q, scale: 0 }
    }

    /// Integer value, rounded half away from zero (numeric → int casts).
    pub fn to_i128_rounded(&self) -> Option<i128> {
        match *self {
            Numeric::NaN => None,
            Numeric::Finite { mant, scale } => match pow10(scale) {
                Some(p) => Some(div_round(mant, p)),
                None => Some(0),
            },
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Numeric::NaN => f64::NAN,
            // Through the text form, so that the nearest double is chosen.
            n => n.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    /// Ordering as PostgreSQL sorts numerics: NaN above everything.
    pub fn cmp_total(&self, o: &Numeric) -> Ordering {
        match (self, o) {
            (Numeric::NaN, Numeric::NaN) => Ordering::Equal,
            (Numeric::NaN, _) => Ordering::Greater,
            (_, Numeric::NaN) => Ordering::Less,
            (Numeric::Finite { mant: a, scale: sa }, Numeric::Finite { mant: b, scale: sb }) => {
                if sa == sb {
                    return a.cmp(b);
                }
                match Numeric::aligned(self, o) {
                    Ok(Some((x, y, _))) => x.cmp(&y),
                    // Alignment overflowed: compare via the larger magnitude.
                    _ => self.to_f64().total_cmp(&o.to_f64()),
                }
            }
        }
    }

    /// Base-10000 digits (most significant first, no leading or trailing
    /// zero digits) and the weight of the first one.
    fn base10000(&self) -> (Vec<i16>, i32) {
        let Numeric::Finite { mant, scale } = *self else {
            return (Vec::new(), 0);
        };
        let abs = mant.unsigned_abs().to_string();
        let scale = scale as usize;
        let (int_s, frac_s) = if abs.len() > scale {
            (
                abs[..abs.len() - scale].to_string(),
                abs[abs.len() - scale..].to_string(),
            )
        } else {
            (
                "0".to_string(),
                format!("{}{}", "0".repeat(scale - abs.len()), abs),
            )
        };
        let pad_int = (4 - int_s.len() % 4) % 4;
        let int_p = format!("{}{}", "0".repeat(pad_int), int_s);
        let pad_frac = (4 - frac_s.len() % 4) % 4;
        let frac_p = format!("{}{}", frac_s, "0".repeat(pad_frac));
        let mut digits: Vec<i16> = int_p
            .as_bytes()
            .chunks(4)
            .chain(frac_p.as_bytes().chunks(4))
            .map(|c| std::str::from_utf8(c).unwrap_or("0").parse().unwrap_or(0))
            .collect();
        let mut weight = (int_p.len() / 4) as i32 - 1;
        while digits.first() == Some(&0) {
            digits.remove(0);
            weight -= 1;
        }
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
            Numeric::Finite { mant, .. } => {
                let (d, w) = self.base10000();
                (d, w, if *mant < 0 { 0x4000 } else { 0 })
            }
        };
        out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
        out.extend_from_slice(&(weight as i16).to_be_bytes());
        out.extend_from_slice(&sign.to_be_bytes());
        out.extend_from_slice(&(self.scale() as u16).to_be_bytes());
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
    }

    /// PostgreSQL's numeric_recv.
    pub fn decode_binary(data: &[u8]) -> Option<Numeric> {
        if data.len() < 8 {
            return None;
        }
        let rd = |i: usize| i16::from_be_bytes([data[i], data[i + 1]]);
        let ndigits = rd(0);
        let weight = rd(2) as i32;
        let sign = rd(4) as u16;
        let dscale = rd(6) as u16 as u32;
        if ndigits < 0 || data.len() != 8 + ndigits as usize * 2 {
            return None;
        }
        if sign == 0xC000 {
            return Some(Numeric::NaN);
        }
        if sign != 0 && sign != 0x4000 {
            return None;
        }
        let mut s = String::new();
        for i in 0..ndigits as usize {
            let d = rd(8 + i * 2);
            if !(0..10000).contains(&d) {
                return None;
            }
            s.push_str(&format!("{:04}", d));
        }
        // Digit string represents digits * 10^(4*(weight+1-ndigits)).
        let exp = 4 * (weight + 1 - ndigits as i32);
        let text = format!(
            "{}{}e{}",
            if sign == 0x4000 { "-" } else { "" },
            if s.is_empty() { "0" } else { &s },
            exp
        );
        Numeric::parse(&text)?.rescale(dscale).ok()
    }
}

impl std::fmt::Display for Numeric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Numeric::NaN => f.write_str("NaN"),
            Numeric::Finite { mant, scale } => {
                let digits = mant.unsigned_abs().to_string();
                let scale = scale as usize;
                if mant < 0 {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Numeric {
        Numeric::parse(s).unwrap()
    }

    #[test]
    fn text_keeps_scale() {
        assert_eq!(n("1.50").to_string(), "1.50");
        assert_eq!(n("-0.05").to_string(), "-0.05");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1.5e-3").to_string(), "0.0015");
        assert_eq!(n(" 12 ").to_string(), "12");
        assert_eq!(n("nan").to_string(), "NaN");
        assert!(Numeric::parse("1.2.3").is_none());
        assert!(Numeric::parse("").is_none());
    }

    #[test]
    fn arithmetic_scales_follow_postgres() {
        assert_eq!(n("1.5").add(&n("2.25")).unwrap().to_string(), "3.75");
        assert_eq!(n("1.5").mul(&n("2.25")).unwrap().to_string(), "3.375");
        assert_eq!(
            n("1").div(&n("2.0")).unwrap().to_string(),
            "0.50000000000000000000"
        );
        assert_eq!(
            n("10").div(&n("3")).unwrap().to_string(),
            "3.3333333333333333"
        );
        assert_eq!(
            n("2").div(&n("3")).unwrap().to_string(),
            "0.66666666666666666667"
        );
        assert_eq!(n("7.5").rem(&n("2")).unwrap().to_string(), "1.5");
        assert_eq!(n("-7.5").rem(&n("2")).unwrap().to_string(), "-1.5");
        assert_eq!(n("1").div(&n("0")).unwrap_err().code, "22012");
        assert_eq!(n("2.5").round(0).unwrap().to_string(), "3");
        assert_eq!(n("-2.5").round(0).unwrap().to_string(), "-3");
        assert_eq!(n("1234.5678").round(-2).unwrap().to_string(), "1200");
        assert_eq!(n("1.21").round(3).unwrap().to_string(), "1.210");
        assert_eq!(n("-1.5").floor().to_string(), "-2");
        assert_eq!(n("1.1").ceil().to_string(), "2");
    }

    #[test]
    fn binary_round_trip() {
        for s in [
            "0",
            "1.50",
            "-12345.6789",
            "10000",
            "0.0001",
            "123456789012.000001",
            "NaN",
        ] {
            let v = n(s);
            let mut b = Vec::new();
            v.encode_binary(&mut b);
            assert_eq!(
                Numeric::decode_binary(&b).unwrap().to_string(),
                v.to_string(),
                "{s}"
            );
        }
        // 1.50: ndigits 2, weight 0, sign 0, dscale 2, digits [1, 5000]
        let mut b = Vec::new();
        n("1.50").encode_binary(&mut b);
        assert_eq!(b, [0, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88]);
    }

    #[test]
    fn ordering_across_scales() {
        assert_eq!(n("1.50").cmp_total(&n("1.5")), Ordering::Equal);
        assert_eq!(n("2").cmp_total(&n("10.1")), Ordering::Less);
        assert_eq!(Numeric::NaN.cmp_total(&n("1e30")), Ordering::Greater);
    }
}
