//! `real` and `double precision` text forms, exactly as PostgreSQL 12+
//! writes and reads them: the shortest digits that round-trip (when
//! `extra_float_digits` > 0, the default), `%g`-style otherwise; NaN,
//! Infinity and -0 spelled PostgreSQL's way.

use std::cell::Cell;

thread_local! {
    /// The session's `extra_float_digits` (output functions take no
    /// session argument; one session runs per thread).
    static EXTRA_FLOAT_DIGITS: Cell<i32> = const { Cell::new(1) };
}

/// Sets `extra_float_digits` for this thread's session.
pub fn set_extra_float_digits(v: i32) {
    EXTRA_FLOAT_DIGITS.with(|c| c.set(v));
}

fn extra_float_digits() -> i32 {
    EXTRA_FLOAT_DIGITS.with(|c| c.get())
}

/// float8out.
pub fn format_f64(v: f64, out: &mut String) {
    if special(v.is_nan(), v.is_infinite(), v.is_sign_negative(), out) {
        return;
    }
    let extra = extra_float_digits();
    if extra > 0 {
        shortest(&format!("{:e}", v), 15, out);
    } else {
        general(
            &format!("{:.*e}", (15 + extra).max(1) as usize - 1, v),
            (15 + extra).max(1),
            out,
        );
    }
}

/// float4out.
pub fn format_f32(v: f32, out: &mut String) {
    if special(v.is_nan(), v.is_infinite(), v.is_sign_negative(), out) {
        return;
    }
    let extra = extra_float_digits();
    if extra > 0 {
        shortest(&format!("{:e}", v), 6, out);
    } else {
        general(
            &format!("{:.*e}", (6 + extra).max(1) as usize - 1, v),
            (6 + extra).max(1),
            out,
        );
    }
}

fn special(nan: bool, inf: bool, neg: bool, out: &mut String) -> bool {
    if nan {
        out.push_str("NaN");
    } else if inf {
        out.push_str(if neg { "-Infinity" } else { "Infinity" });
    } else {
        return false;
    }
    true
}

/// Splits Rust's `{:e}` output into sign, digits and decimal exponent.
fn split_sci(s: &str) -> (bool, String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

/// Ryu-style output as PostgreSQL's `double_to_shortest_decimal`: fixed
/// notation for exponents in [-4, threshold), scientific otherwise.
fn shortest(sci: &str, threshold: i32, out: &mut String) {
    let (neg, digits, exp) = split_sci(sci);
    if neg {
        out.push('-');
    }
    if digits.bytes().all(|b| b == b'0') {
        out.push('0');
        return;
    }
    let digits = digits.trim_end_matches('0');
    if (-4..threshold).contains(&exp) {
        fixed(digits, exp, out);
    } else {
        scientific(digits, exp, out);
    }
}

/// `%.{prec}g`.
fn general(sci: &str, prec: i32, out: &mut String) {
    let (neg, digits, exp) = split_sci(sci);
    if neg {
        out.push('-');
    }
    let trimmed = digits.trim_end_matches('0');
    if trimmed.is_empty() {
        out.push('0');
        return;
    }
    if exp < -4 || exp >= prec {
        scientific(trimmed, exp, out);
    } else {
        fixed(trimmed, exp, out);
    }
}

fn fixed(digits: &str, exp: i32, out: &mut String) {
    let n = digits.len() as i32;
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else if exp + 1 >= n {
        out.push_str(digits);
        for _ in 0..(exp + 1 - n) {
            out.push('0');
        }
    } else {
        let (a, b) = digits.split_at(exp as usize + 1);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
}

fn scientific(digits: &str, exp: i32, out: &mut String) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
}

/// What went wrong parsing a float.
pub enum FloatInputError {
    Syntax,
    OutOfRange,
}

/// float8in: blanks, NaN, [-]Infinity/inf, decimal and exponent forms.
pub fn parse_f64(s: &str) -> Result<f64, FloatInputError> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    match lower.as_str() {
        "nan" => return Ok(f64::NAN),
        "infinity" | "inf" | "+infinity" | "+inf" => return Ok(f64::INFINITY),
        "-infinity" | "-inf" => return Ok(f64::NEG_INFINITY),
        _ => {}
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return Err(FloatInputError::Syntax);
    }
    let v: f64 = t.parse().map_err(|_| FloatInputError::Syntax)?;
    if v.is_infinite() {
        return Err(FloatInputError::OutOfRange);
    }
    if v == 0.0 && t.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        // Underflow: a nonzero mantissa rounded to zero.
        let mant = t.split(['e', 'E']).next().unwrap_or("");
        if mant.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return Err(FloatInputError::OutOfRange);
        }
    }
    Ok(v)
}

/// float4in.
pub fn parse_f32(s: &str) -> Result<f32, FloatInputError> {
    let v = parse_f64(s)?;
    if v.is_nan() || v.is_infinite() {
        return Ok(v as f32);
    }
    let f = v as f32;
    if f.is_infinite() || (f == 0.0 && v != 0.0) {
        return Err(FloatInputError::OutOfRange);
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(v: f64) -> String {
        let mut s = String::new();
        format_f64(v, &mut s);
        s
    }

    fn f4(v: f32) -> String {
        let mut s = String::new();
        format_f32(v, &mut s);
        s
    }

    #[test]
    fn float8_text_matches_postgres() {
        assert_eq!(f8(0.1), "0.1");
        assert_eq!(f8(1e100), "1e+100");
        assert_eq!(f8(-0.0), "-0");
        assert_eq!(f8(0.0), "0");
        assert_eq!(f8(f64::NAN), "NaN");
        assert_eq!(f8(f64::INFINITY), "Infinity");
        assert_eq!(f8(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(f8(1.5), "1.5");
        assert_eq!(f8(100.0), "100");
        assert_eq!(f8(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f8(123456789012345.0), "123456789012345");
        assert_eq!(f8(1e15), "1e+15");
        assert_eq!(f8(0.0001), "0.0001");
        assert_eq!(f8(0.00001), "1e-05");
        assert_eq!(f8(1.2345e-7), "1.2345e-07");
        assert_eq!(f8(2f64.sqrt()), "1.4142135623730951");
    }

    #[test]
    fn float4_text_matches_postgres() {
        assert_eq!(f4(0.1), "0.1");
        assert_eq!(f4(100000.0), "100000");
        assert_eq!(f4(1e6), "1e+06");
        assert_eq!(f4(1.1), "1.1");
    }

    #[test]
    fn extra_float_digits_zero_uses_15_digits() {
        set_extra_float_digits(0);
        assert_eq!(f8(0.1 + 0.2), "0.3");
        assert_eq!(f8(1e100), "1e+100");
        assert_eq!(f8(1234.5), "1234.5");
        set_extra_float_digits(1);
    }

    #[test]
    fn input() {
        assert_eq!(parse_f64(" 1.5 ").ok(), Some(1.5));
        assert!(parse_f64("-inf").ok().unwrap().is_infinite());
        assert!(parse_f64("nan").ok().unwrap().is_nan());
        assert!(matches!(parse_f64("abc"), Err(FloatInputError::Syntax)));
        assert!(matches!(
            parse_f64("1e400"),
            Err(FloatInputError::OutOfRange)
        ));
        assert!(matches!(
            parse_f64("1e-400"),
            Err(FloatInputError::OutOfRange)
        ));
        assert!(matches!(
            parse_f32("1e40"),
            Err(FloatInputError::OutOfRange)
        ));
    }
}
