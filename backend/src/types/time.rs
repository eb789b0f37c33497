//! `time` and `time with time zone` (timetz): a time of day in
//! microseconds (0 to 24:00:00 inclusive, as PostgreSQL), and for timetz
//! the zone's offset in seconds *west* of UTC, as PostgreSQL keeps it
//! (its binary form is the same: int64 microseconds, then int32 zone).
//!
//! Input takes the forms PostgreSQL's time_in/timetz_in accept from
//! clients: `04:05`, `04:05:06.789`, `040506`, `0405`, `T040506`,
//! `4:05 PM`, `allballs`, `now`, an optional leading ISO date, and for
//! zones a numeric offset (`-08`, `-08:00`, `+0530`), an abbreviation of
//! the fixed-offset list in `timezone` (`PST`, `UTC`, `z`), or a zone name
//! with rules, which as in PostgreSQL needs a date in the text to choose
//! its offset (`2003-04-12 04:05:06 America/New_York`). A zone given to
//! `time` is read and ignored. Output is ISO (`HH:MM:SS[.ffffff]`, then
//! the offset for timetz), the only DateStyle pgfork writes.

use super::datetime::{self, USECS_PER_DAY, USECS_PER_SEC};
use super::timezone::{self, ZoneSpec};
use crate::error::{sqlstate, PgError, PgResult};

/// The largest time zone displacement, in seconds (15:59).
pub const MAX_ZONE: i32 = 15 * 3600 + 59 * 60;

fn bad_syntax(tz: bool, s: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_DATETIME_FORMAT,
        format!(
            "invalid input syntax for type {}: \"{s}\"",
            if tz { "time with time zone" } else { "time" }
        ),
    )
}

fn field_overflow(s: &str) -> PgError {
    PgError::new(
        sqlstate::DATETIME_FIELD_OVERFLOW,
        format!("date/time field value out of range: \"{s}\""),
    )
}

fn displacement(s: &str) -> PgError {
    PgError::new(
        "22009",
        format!("time zone displacement out of range: \"{s}\""),
    )
}

/// What the text named as its zone.
enum Zone {
    None,
    /// Seconds east of UTC.
    Fixed(i32),
    Rules(ZoneSpec),
}

/// Parses a time of day, its zone and its date if the text has one.
/// Returns (microseconds, zone, local days since 2000-01-01 if a date was
/// given).
fn parse_parts(s: &str, tz: bool) -> PgResult<(i64, Zone, Option<i64>)> {
    let err = || bad_syntax(tz, s);
    let text = s.trim();
    let lower = text.to_ascii_lowercase();
    if lower == "allballs" {
        return Ok((0, Zone::Fixed(0), None));
    }
    let mut rest = lower.as_str();
    // An optional leading date: YYYY-MM-DD then a blank or `T`.
    let mut days = None;
    let date_len = rest.find([' ', 't']).filter(|n| {
        let d = &rest[..*n];
        d.contains('-') && !d.contains(':') && d.starts_with(|c: char| c.is_ascii_digit())
    });
    if let Some(n) = date_len {
        let d = datetime::parse_date(&rest[..n]).map_err(|e| {
            if e.code == sqlstate::DATETIME_FIELD_OVERFLOW {
                field_overflow(s)
            } else {
                err()
            }
        })?;
        days = Some(d as i64);
        rest = rest[n + 1..].trim_start();
    }
    let rest = rest.strip_prefix('t').unwrap_or(rest);
    // The clock: H[H]:MM[:SS[.f]] or HHMM / HHMMSS[.f].
    let b = rest.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<(i64, usize)> {
        let start = *i;
        let mut v: i64 = 0;
        while *i < b.len() && b[*i].is_ascii_digit() {
            v = v.checked_mul(10)?.checked_add((b[*i] - b'0') as i64)?;
            *i += 1;
        }
        (*i > start).then_some((v, *i - start))
    };
    let frac = |i: &mut usize| -> PgResult<i64> {
        if *i < b.len() && b[*i] == b'.' {
            let start = *i;
            *i += 1;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            let f: f64 = rest[start..*i].parse().unwrap_or(0.0);
            Ok((f * 1e6).round_ties_even() as i64)
        } else {
            Ok(0)
        }
    };
    let (h0, n) = num(&mut i).ok_or_else(err)?;
    let (mut h, m, sec, fsec);
    h = h0;
    if i < b.len() && b[i] == b':' {
        i += 1;
        let (mm, _) = num(&mut i).ok_or_else(err)?;
        m = mm;
        if i < b.len() && b[i] == b':' {
            i += 1;
            sec = num(&mut i).ok_or_else(err)?.0;
            fsec = frac(&mut i)?;
        } else {
            sec = 0;
            fsec = 0;
        }
    } else {
        let digits = &rest[..n];
        match n {
            4 | 6 => {
                h = digits[0..2].parse().unwrap_or(0);
                m = digits[2..4].parse().unwrap_or(0);
                sec = if n == 6 {
                    digits[4..6].parse().unwrap_or(0)
                } else {
                    0
                };
                fsec = frac(&mut i)?;
            }
            _ => return Err(err()),
        }
    }
    // What follows: AM/PM, a zone, an era (read and ignored, as PG).
    let mut zone = Zone::None;
    let mut meridian: Option<bool> = None;
    let tail = &rest[i..];
    let mut tokens: Vec<&str> = Vec::new();
    // A numeric offset may follow the clock directly (`04:05:06-08`).
    let tail = tail.trim_start();
    for tok in tail.split_ascii_whitespace() {
        tokens.push(tok);
    }
    for tok in tokens {
        match tok {
            "am" | "a.m." | "pm" | "p.m." if meridian.is_none() => {
                meridian = Some(tok.starts_with('p'));
            }
            "bc" | "ad" => {}
            _ if tok.starts_with(['+', '-']) => {
                if !matches!(zone, Zone::None) {
                    return Err(err());
                }
                let o = timezone::parse_numeric_offset(tok).ok_or_else(err)?;
                if o.abs() > MAX_ZONE {
                    return Err(displacement(s));
                }
                zone = Zone::Fixed(o);
            }
            _ => {
                if !matches!(zone, Zone::None)
                    || !tok.starts_with(|c: char| c.is_ascii_alphabetic())
                {
                    return Err(err());
                }
                if let Some(o) = timezone::abbreviation(tok) {
                    zone = Zone::Fixed(o);
                } else {
                    match jiff::tz::db().get(tok) {
                        Ok(z) => zone = Zone::Rules(ZoneSpec::Rules(z)),
                        Err(_) if tok.contains('/') => return Err(timezone::not_recognized(tok)),
                        Err(_) => return Err(err()),
                    }
                }
            }
        }
    }
    if let Some(pm) = meridian {
        if h > 12 {
            return Err(field_overflow(s));
        }
        if pm && h != 12 {
            h += 12;
        } else if !pm && h == 12 {
            h = 0;
        }
    }
    if m > 59
        || sec > 60
        || h > 24
        || fsec > USECS_PER_SEC
        || (h == 24 && (m > 0 || sec > 0 || fsec > 0))
    {
        return Err(field_overflow(s));
    }
    let t = ((h * 60 + m) * 60 + sec) * USECS_PER_SEC + fsec;
    if t > USECS_PER_DAY {
        return Err(field_overflow(s));
    }
    if matches!(zone, Zone::Rules(_)) && days.is_none() {
        return Err(err());
    }
    Ok((t, zone, days))
}

/// time_in (typmod applied by the caller).
pub fn parse_time(s: &str) -> PgResult<i64> {
    if s.trim().eq_ignore_ascii_case("now") {
        return Ok(local_now().rem_euclid(USECS_PER_DAY));
    }
    Ok(parse_parts(s, false)?.0)
}

/// timetz_in: (microseconds, zone in seconds west of UTC).
pub fn parse_timetz(s: &str) -> PgResult<(i64, i32)> {
    if s.trim().eq_ignore_ascii_case("now") {
        let now = datetime::transaction_now();
        let off = timezone::with_session(|tz| timezone::offset_at(tz, now));
        let local = now + off as i64 * USECS_PER_SEC;
        return Ok((local.rem_euclid(USECS_PER_DAY), -off));
    }
    let (t, zone, days) = parse_parts(s, true)?;
    let east = match zone {
        Zone::Fixed(o) => o,
        Zone::Rules(z) => z.offset_for_local(days.unwrap_or(0) * USECS_PER_DAY + t),
        Zone::None => {
            // The session's zone on the given date, or today.
            let day = days.unwrap_or_else(|| local_now().div_euclid(USECS_PER_DAY));
            timezone::with_session(|tz| timezone::offset_for_local(tz, day * USECS_PER_DAY + t))
        }
    };
    Ok((t, -east))
}

fn local_now() -> i64 {
    let now = datetime::transaction_now();
    timezone::with_session(|tz| timezone::utc_to_local(tz, now))
}

/// The session's zone now, as a timetz zone (seconds west).
pub fn session_zone_now() -> i32 {
    let now = datetime::transaction_now();
    -timezone::with_session(|tz| timezone::offset_at(tz, now))
}

/// time_out.
pub fn format_time(t: i64, out: &mut String) {
    let secs = t / USECS_PER_SEC;
    let frac = t % USECS_PER_SEC;
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    ));
    if frac != 0 {
        let f = format!("{frac:06}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
}

/// timetz_out.
pub fn format_timetz(t: i64, zone: i32, out: &mut String) {
    format_time(t, out);
    timezone::push_offset(-zone, out);
}

/// The typmod (precision) of time(p) and timetz(p): 22023 for a negative
/// precision; more than 6 is 6 (PostgreSQL also warns).
pub fn typmod(name: &str, p: i64) -> PgResult<i32> {
    if p < 0 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("{name}({p}) precision must not be negative"),
        ));
    }
    Ok(p.min(6) as i32)
}

/// AdjustTimeForTypmod: rounds to `typmod` fractional digits (half up).
pub fn round(t: i64, typmod: i32) -> i64 {
    if !(0..6).contains(&typmod) {
        return t;
    }
    let scale = 10i64.pow(6 - typmod as u32);
    (t + scale / 2) / scale * scale
}

fn out_of_range() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "time out of range")
}

/// time_recv.
pub fn recv_time(d: &[u8]) -> PgResult<i64> {
    let t = i64::from_be_bytes(d.try_into().map_err(|_| bad_binary("time"))?);
    if !(0..=USECS_PER_DAY).contains(&t) {
        return Err(out_of_range());
    }
    Ok(t)
}

/// timetz_recv.
pub fn recv_timetz(d: &[u8]) -> PgResult<(i64, i32)> {
    if d.len() != 12 {
        return Err(bad_binary("time with time zone"));
    }
    let t = i64::from_be_bytes(d[..8].try_into().unwrap_or_default());
    let z = i32::from_be_bytes(d[8..].try_into().unwrap_or_default());
    if !(0..=USECS_PER_DAY).contains(&t) {
        return Err(out_of_range());
    }
    if z.abs() > MAX_ZONE {
        return Err(PgError::new("22009", "time zone displacement out of range"));
    }
    Ok((t, z))
}

fn bad_binary(t: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_BINARY_REPRESENTATION,
        format!("incorrect binary data format for type {t}"),
    )
}

/// timetz_cmp: by the UTC time of day, then by zone (west later).
pub fn cmp_timetz(a: (i64, i32), b: (i64, i32)) -> std::cmp::Ordering {
    let ua = a.0 + a.1 as i64 * USECS_PER_SEC;
    let ub = b.0 + b.1 as i64 * USECS_PER_SEC;
    ua.cmp(&ub).then(a.1.cmp(&b.1))
}

/// time + microseconds, wrapped into one day (time_pl_interval).
pub fn add_micros(t: i64, us: i64) -> i64 {
    (t + us % USECS_PER_DAY).rem_euclid(USECS_PER_DAY)
}

/// timetz AT TIME ZONE: the same instant's time of day in `zone`
/// (seconds west).
pub fn at_zone(t: i64, from: i32, to: i32) -> i64 {
    add_micros(t, (from as i64 - to as i64) * USECS_PER_SEC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        let mut o = String::new();
        format_time(parse_time(s).unwrap(), &mut o);
        o
    }

    fn tz(s: &str) -> String {
        let (v, z) = parse_timetz(s).unwrap();
        let mut o = String::new();
        format_timetz(v, z, &mut o);
        o
    }

    #[test]
    fn time_inputs_as_postgres() {
        assert_eq!(t("04:05:06.789"), "04:05:06.789");
        assert_eq!(t("040506"), "04:05:06");
        assert_eq!(t("0405"), "04:05:00");
        assert_eq!(t("4:05 PM"), "16:05:00");
        assert_eq!(t("12:00 AM"), "00:00:00");
        assert_eq!(t("allballs"), "00:00:00");
        assert_eq!(t("2003-04-12 04:05:06"), "04:05:06");
        assert_eq!(t("T040506"), "04:05:06");
        assert_eq!(t("23:59:59.9999999"), "24:00:00");
        assert_eq!(t("040506.5"), "04:05:06.5");
        assert_eq!(parse_time("25:00").unwrap_err().code, "22008");
        assert_eq!(parse_time("13:00 PM").unwrap_err().code, "22008");
        assert_eq!(
            parse_time("4").unwrap_err().message,
            "invalid input syntax for type time: \"4\""
        );
        assert_eq!(
            parse_time("04:05:06 Europe/Paris").unwrap_err().code,
            "22007"
        );
        assert_eq!(
            parse_time("04:05:06 Foo/Bar").unwrap_err().message,
            "time zone \"foo/bar\" not recognized"
        );
    }

    #[test]
    fn timetz_inputs_as_postgres() {
        assert_eq!(tz("04:05:06 PST"), "04:05:06-08");
        assert_eq!(tz("04:05:06-08:00"), "04:05:06-08");
        assert_eq!(tz("04:05:06+0530"), "04:05:06+05:30");
        assert_eq!(tz("2003-04-12 04:05:06 America/New_York"), "04:05:06-04");
        assert_eq!(tz("allballs"), "00:00:00+00");
        assert_eq!(parse_timetz("04:05:06 +16").unwrap_err().code, "22009");
    }

    #[test]
    fn ordering_and_rounding() {
        use std::cmp::Ordering;
        // 12:00+01 is 11:00 UTC, before 12:00+00.
        assert_eq!(
            cmp_timetz((12 * 3_600_000_000, -3600), (12 * 3_600_000_000, 0)),
            Ordering::Less
        );
        assert_eq!(round(1_500_000, 0), 2_000_000);
        assert_eq!(add_micros(0, -1), USECS_PER_DAY - 1);
    }
}
