//! interval input as PostgreSQL reads it (its DecodeInterval and
//! DecodeISO8601Interval, written anew): the text is split into fields as
//! date/time input is (`datetime_input::split_fields`) and read from right
//! to left, so that a unit word applies to the number before it and a
//! number without one takes the unit that follows from its place: seconds
//! at the end, days before a time (`3 4:05:06` is 3 days 04:05:06). The
//! SQL standard's `1-2` (years-months) and signed forms, `@ ... ago`,
//! fractions spilling into the smaller units as PostgreSQL spills them,
//! and, when that fails, ISO 8601 (`P1Y2M3DT4H5M6S`, `P0001-02-03T04:05:06`).

use super::datestyle::{self, IntervalStyle};
use super::datetime::{Interval, USECS_PER_DAY, USECS_PER_SEC};
use super::datetime_input::{interval_time, split_fields, DtError, Kind};

type DtResult<T> = Result<T, DtError>;

const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 3600 * USECS_PER_SEC;

/// The interval being built (PostgreSQL's pg_itm_in).
#[derive(Default)]
struct Acc {
    years: i64,
    months: i64,
    days: i64,
    usecs: i64,
}

impl Acc {
    fn micros(&mut self, val: i64, frac: f64, scale: i64) -> DtResult<()> {
        let v = val.checked_mul(scale).ok_or(DtError::FieldOverflow)?;
        self.usecs = self.usecs.checked_add(v).ok_or(DtError::FieldOverflow)?;
        self.frac_micros(frac, scale)
    }

    fn frac_micros(&mut self, frac: f64, scale: i64) -> DtResult<()> {
        if frac == 0.0 {
            return Ok(());
        }
        let f = frac * scale as f64;
        let whole = f.trunc();
        if !whole.is_finite() || whole.abs() >= i64::MAX as f64 {
            return Err(DtError::FieldOverflow);
        }
        let us = whole as i64 + (f - whole).round() as i64;
        self.usecs = self.usecs.checked_add(us).ok_or(DtError::FieldOverflow)?;
        Ok(())
    }

    fn add_days(&mut self, val: i64, scale: i64) -> DtResult<()> {
        let v = val.checked_mul(scale).ok_or(DtError::FieldOverflow)?;
        self.days = self.days.checked_add(v).ok_or(DtError::FieldOverflow)?;
        Ok(())
    }

    fn frac_days(&mut self, frac: f64, scale: i64) -> DtResult<()> {
        if frac == 0.0 {
            return Ok(());
        }
        let extra = frac * scale as f64;
        self.days = self
            .days
            .checked_add(extra.trunc() as i64)
            .ok_or(DtError::FieldOverflow)?;
        self.frac_micros(extra - extra.trunc(), USECS_PER_DAY)
    }

    fn add_months(&mut self, val: i64) -> DtResult<()> {
        self.months = self.months.checked_add(val).ok_or(DtError::FieldOverflow)?;
        Ok(())
    }

    fn add_years(&mut self, val: i64, scale: i64) -> DtResult<()> {
        let v = val.checked_mul(scale).ok_or(DtError::FieldOverflow)?;
        self.years = self.years.checked_add(v).ok_or(DtError::FieldOverflow)?;
        Ok(())
    }

    /// A fraction of a year is whole months, rounded.
    fn frac_years(&mut self, frac: f64, scale: i64) -> DtResult<()> {
        self.add_months((frac * scale as f64 * 12.0).round() as i64)
    }

    fn finish(self, negate: bool) -> DtResult<Interval> {
        let months = self
            .years
            .checked_mul(12)
            .and_then(|m| m.checked_add(self.months))
            .ok_or(DtError::FieldOverflow)?;
        let months = i32::try_from(months).map_err(|_| DtError::FieldOverflow)?;
        let days = i32::try_from(self.days).map_err(|_| DtError::FieldOverflow)?;
        let iv = Interval {
            months,
            days,
            micros: self.usecs,
        };
        if !negate {
            return Ok(iv);
        }
        if iv.months == i32::MIN || iv.days == i32::MIN || iv.micros == i64::MIN {
            return Err(DtError::FieldOverflow);
        }
        Ok(iv.neg())
    }
}

/// What a unit word stands for (PostgreSQL's deltatktbl).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

fn unit(w: &str) -> Option<Unit> {
    use Unit::*;
    Some(match w {
        "microsecond" | "microseconds" | "microsecon" | "us" | "usec" | "usecs" | "useconds" => {
            Micro
        }
        "millisecond" | "milliseconds" | "millisecon" | "ms" | "msec" | "msecs" | "mseconds" => {
            Milli
        }
        "s" | "sec" | "secs" | "second" | "seconds" => Second,
        "m" | "min" | "mins" | "minute" | "minutes" => Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" => Hour,
        "d" | "day" | "days" => Day,
        "w" | "week" | "weeks" => Week,
        "mon" | "mons" | "month" | "months" => Month,
        "y" | "yr" | "yrs" | "year" | "years" => Year,
        "dec" | "decs" | "decade" | "decades" => Decade,
        "c" | "cent" | "century" | "centuries" => Century,
        "mil" | "mils" | "millennium" | "millennia" => Millennium,
        _ => return None,
    })
}

// Which units a field gave (PostgreSQL's DTK_M bits): a unit given twice
// is a syntax error.
const fn bit(u: Unit) -> u32 {
    1 << u as u32
}
const TIME_M: u32 =
    bit(Unit::Hour) | bit(Unit::Minute) | bit(Unit::Second) | bit(Unit::Milli) | bit(Unit::Micro);
const ALL_SECS_M: u32 = bit(Unit::Second) | bit(Unit::Milli) | bit(Unit::Micro);

/// `[-]digits[.digits]` as PostgreSQL's strtoi64 + ParseFraction read
/// it: the integer part and the signed fraction; a `-d` after the
/// integer part is the SQL standard's years-months.
enum Number {
    Plain(i64, f64),
    YearMonth(i64),
}

fn number(text: &str) -> DtResult<Number> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if end == 0 && !body.starts_with('.') {
        return Err(DtError::BadFormat);
    }
    let int: i64 = if end == 0 {
        0
    } else {
        body[..end].parse().map_err(|_| DtError::FieldOverflow)?
    };
    let int = if neg { -int } else { int };
    let rest = &body[end..];
    if let Some(m) = rest.strip_prefix('-') {
        if m.is_empty() || !m.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DtError::BadFormat);
        }
        let m: i64 = m.parse().map_err(|_| DtError::FieldOverflow)?;
        if m >= 12 {
            return Err(DtError::FieldOverflow);
        }
        let m = if neg { -m } else { m };
        let total = int
            .checked_mul(12)
            .and_then(|v| v.checked_add(m))
            .ok_or(DtError::FieldOverflow)?;
        return Ok(Number::YearMonth(total));
    }
    if rest.is_empty() {
        return Ok(Number::Plain(int, 0.0));
    }
    let digits = rest.strip_prefix('.').ok_or(DtError::BadFormat)?;
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtError::BadFormat);
    }
    let f: f64 = format!("0.{digits}0")
        .parse()
        .map_err(|_| DtError::BadFormat)?;
    Ok(Number::Plain(int, if neg { -f } else { f }))
}

/// PostgreSQL's DecodeInterval over the fields of `s`.
fn decode_fields(s: &str) -> DtResult<Interval> {
    let fields = split_fields(s)?;
    let sql_standard = datestyle::current().interval == IntervalStyle::SqlStandard;
    // '-1 2:03:04' means all negative in the SQL standard style, unless
    // another field carries a sign of its own.
    let force_negative = sql_standard
        && fields.first().is_some_and(|f| f.text.starts_with('-'))
        && !fields[1..].iter().any(|f| f.text.starts_with(['-', '+']));
    let mut acc = Acc::default();
    let mut pending: Option<Unit> = None;
    let mut fmask = 0u32;
    let mut ago = false;
    for f in fields.iter().rev() {
        let tmask;
        match f.kind {
            Kind::Time => {
                acc.usecs = interval_time(&f.text)?;
                if force_negative && acc.usecs > 0 {
                    acc.usecs = -acc.usecs;
                }
                tmask = TIME_M;
                pending = Some(Unit::Day);
            }
            Kind::Tz if f.text[1..].contains(':') && interval_time(&f.text[1..]).is_ok() => {
                let t = interval_time(&f.text[1..])?;
                acc.usecs = if f.text.starts_with('-') { -t } else { t };
                if force_negative && acc.usecs > 0 {
                    acc.usecs = -acc.usecs;
                }
                tmask = TIME_M;
                pending = Some(Unit::Day);
            }
            Kind::Tz | Kind::Date | Kind::Number => {
                let mut u = pending.unwrap_or(Unit::Second);
                let (mut val, mut frac) = match number(&f.text)? {
                    Number::Plain(v, fr) => (v, fr),
                    Number::YearMonth(m) => {
                        u = Unit::Month;
                        (m, 0.0)
                    }
                };
                if force_negative {
                    val = -val.abs();
                    frac = -frac.abs();
                }
                tmask = match u {
                    Unit::Micro => {
                        acc.micros(val, frac, 1)?;
                        bit(u)
                    }
                    Unit::Milli => {
                        acc.micros(val, frac, 1000)?;
                        bit(u)
                    }
                    Unit::Second => {
                        acc.micros(val, frac, USECS_PER_SEC)?;
                        if frac == 0.0 {
                            bit(u)
                        } else {
                            ALL_SECS_M
                        }
                    }
                    Unit::Minute => {
                        acc.micros(val, frac, USECS_PER_MINUTE)?;
                        bit(u)
                    }
                    Unit::Hour => {
                        acc.micros(val, frac, USECS_PER_HOUR)?;
                        pending = Some(Unit::Day);
                        bit(u)
                    }
                    Unit::Day => {
                        acc.add_days(val, 1)?;
                        acc.frac_micros(frac, USECS_PER_DAY)?;
                        bit(u)
                    }
                    Unit::Week => {
                        acc.add_days(val, 7)?;
                        acc.frac_days(frac, 7)?;
                        bit(u)
                    }
                    Unit::Month => {
                        acc.add_months(val)?;
                        acc.frac_days(frac, 30)?;
                        bit(u)
                    }
                    Unit::Year => {
                        acc.add_years(val, 1)?;
                        acc.frac_years(frac, 1)?;
                        bit(u)
                    }
                    Unit::Decade => {
                        acc.add_years(val, 10)?;
                        acc.frac_years(frac, 10)?;
                        bit(u)
                    }
                    Unit::Century => {
                        acc.add_years(val, 100)?;
                        acc.frac_years(frac, 100)?;
                        bit(u)
                    }
                    Unit::Millennium => {
                        acc.add_years(val, 1000)?;
                        acc.frac_years(frac, 1000)?;
                        bit(u)
                    }
                };
            }
            Kind::Word if f.text == "ago" => {
                ago = true;
                continue;
            }
            Kind::Word => {
                pending = Some(unit(&f.text).ok_or(DtError::BadFormat)?);
                continue;
            }
        }
        if tmask & fmask != 0 {
            return Err(DtError::BadFormat);
        }
        fmask |= tmask;
    }
    if fmask == 0 {
        return Err(DtError::BadFormat);
    }
    acc.finish(ago)
}

/// strtod's longest prefix of `s` (`-1.5`, `2e3`): its integer part
/// truncated toward zero, its fraction, and the rest of `s`
/// (ParseISO8601Number).
fn iso_number(s: &str) -> DtResult<(i64, f64, &str)> {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'.')
    {
        return Err(DtError::BadFormat);
    }
    let mut i = usize::from(b[0] == b'-' || b[0] == b'+');
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut seen = i > digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        seen |= i > f;
    }
    if !seen {
        return Err(DtError::BadFormat);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let e = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > e {
            i = j;
        }
    }
    let v: f64 = s[..i].parse().map_err(|_| DtError::BadFormat)?;
    if v.is_nan() || !(-1.0e15..=1.0e15).contains(&v) {
        return Err(DtError::FieldOverflow);
    }
    let int = v.trunc();
    Ok((int as i64, v - int, &s[i..]))
}

/// Digits at the start of a field, after an optional minus.
fn integer_width(field: &str) -> usize {
    let f = field.strip_prefix('-').unwrap_or(field);
    f.len() - f.trim_start_matches(|c: char| c.is_ascii_digit()).len()
}

/// The date of ISO 8601's alternative format, its first number (`val`,
/// `frac`) and the character after it (`unit`) read: `YYYYMMDD`
/// (`basic`, eight digits) or `YYYY[-MM[-DD]]`. None when the input ends
/// there, else the text after the `T` that starts its time.
fn alternative_date<'a>(
    acc: &mut Acc,
    val: i64,
    frac: f64,
    unit: Option<char>,
    rest: &'a str,
    basic: bool,
) -> DtResult<Option<&'a str>> {
    // What may follow the last field read: the end, or T and a time.
    let end_or_time = |r: &'a str| match r.chars().next() {
        None => Ok(None),
        Some('T') => Ok(Some(&r[1..])),
        _ => Err(DtError::BadFormat),
    };
    if basic {
        acc.add_years(val / 10000, 1)?;
        acc.add_months(val / 100 % 100)?;
        acc.add_days(val % 100, 1)?;
        acc.frac_micros(frac, USECS_PER_DAY)?;
        return Ok(unit.map(|_| rest));
    }
    acc.add_years(val, 1)?;
    acc.frac_years(frac, 1)?;
    match unit {
        None => return Ok(None),
        Some('T') => return Ok(Some(rest)),
        _ => {}
    }
    let (val, frac, r) = iso_number(rest)?;
    acc.add_months(val)?;
    acc.frac_days(frac, 30)?;
    let Some(r) = r.strip_prefix('-') else {
        return end_or_time(r);
    };
    let (val, frac, r) = iso_number(r)?;
    acc.add_days(val, 1)?;
    acc.frac_micros(frac, USECS_PER_DAY)?;
    end_or_time(r)
}

/// ISO 8601 durations: `P[nY][nM][nW][nD][T[nH][nM][nS]]` with signed
/// and fractional numbers, and the alternative `PYYYYMMDDTHHMMSS` /
/// `PYYYY-MM-DDTHH:MM:SS` forms (DecodeISO8601Interval).
fn decode_iso8601(s: &str) -> DtResult<Interval> {
    let mut acc = Acc::default();
    let Some(mut rest) = s.strip_prefix('P').filter(|r| !r.is_empty()) else {
        return Err(DtError::BadFormat);
    };
    let mut date_part = true;
    let mut have_field = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            date_part = false;
            have_field = false;
            rest = r;
            continue;
        }
        let field_start = rest;
        let (val, frac, r) = iso_number(rest)?;
        let unit = r.chars().next();
        rest = r.get(1..).unwrap_or("");
        if date_part {
            match unit {
                Some('Y') => {
                    acc.add_years(val, 1)?;
                    acc.frac_years(frac, 1)?;
                }
                Some('M') => {
                    acc.add_months(val)?;
                    acc.frac_days(frac, 30)?;
                }
                Some('W') => {
                    acc.add_days(val, 7)?;
                    acc.frac_days(frac, 7)?;
                }
                Some('D') => {
                    acc.add_days(val, 1)?;
                    acc.frac_micros(frac, USECS_PER_DAY)?;
                }
                Some('T') | None | Some('-') => {
                    if have_field {
                        return Err(DtError::BadFormat);
                    }
                    let basic = unit != Some('-') && integer_width(field_start) == 8;
                    match alternative_date(&mut acc, val, frac, unit, rest, basic)? {
                        None => return acc.finish(false),
                        Some(time) => {
                            rest = time;
                            date_part = false;
                            have_field = false;
                            continue;
                        }
                    }
                }
                _ => return Err(DtError::BadFormat),
            }
        } else {
            match unit {
                Some('H') => acc.micros(val, frac, USECS_PER_HOUR)?,
                Some('M') => acc.micros(val, frac, USECS_PER_MINUTE)?,
                Some('S') => acc.micros(val, frac, USECS_PER_SEC)?,
                None | Some(':') => {
                    if unit.is_none() && integer_width(field_start) == 6 && !have_field {
                        acc.micros(val / 10000, 0.0, USECS_PER_HOUR)?;
                        acc.micros(val / 100 % 100, 0.0, USECS_PER_MINUTE)?;
                        acc.micros(val % 100, 0.0, USECS_PER_SEC)?;
                        acc.frac_micros(frac, USECS_PER_SEC)?;
                        return acc.finish(false);
                    }
                    if have_field {
                        return Err(DtError::BadFormat);
                    }
                    acc.micros(val, frac, USECS_PER_HOUR)?;
                    if unit.is_none() {
                        return acc.finish(false);
                    }
                    let (val, frac, r) = iso_number(rest)?;
                    acc.micros(val, frac, USECS_PER_MINUTE)?;
                    rest = r;
                    match rest.chars().next() {
                        None => return acc.finish(false),
                        Some(':') => rest = &rest[1..],
                        _ => return Err(DtError::BadFormat),
                    }
                    let (val, frac, r) = iso_number(rest)?;
                    acc.micros(val, frac, USECS_PER_SEC)?;
                    if !r.is_empty() {
                        return Err(DtError::BadFormat);
                    }
                    return acc.finish(false);
                }
                _ => return Err(DtError::BadFormat),
            }
        }
        have_field = true;
    }
    acc.finish(false)
}

/// interval_in: the PostgreSQL forms, then ISO 8601 when they do not
/// parse. An overflow is 22015 "interval field value out of range".
pub fn parse(s: &str) -> Result<Interval, crate::error::PgError> {
    let r = match decode_fields(s) {
        Err(DtError::BadFormat) => decode_iso8601(s),
        r => r,
    };
    r.map_err(|e| match e {
        DtError::FieldOverflow | DtError::MdFieldOverflow => crate::error::PgError::new(
            "22015",
            format!("interval field value out of range: \"{s}\""),
        ),
        e => e.to_pg(s, "interval"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut o = String::new();
        parse(s).unwrap().format(&mut o);
        o
    }

    #[test]
    fn postgresql_and_sql_standard_forms() {
        assert_eq!(text("3 4:05:06"), "3 days 04:05:06");
        assert_eq!(text("-3 4:05:06"), "-3 days +04:05:06");
        assert_eq!(text("1-2"), "1 year 2 mons");
        assert_eq!(text("-1-2"), "-1 years -2 mons");
        assert_eq!(text("+1-2 +3 +4:05:06"), "1 year 2 mons 3 days 04:05:06");
        assert_eq!(text("1 +02:03"), "1 day 02:03:00");
        assert_eq!(text("@ 1 year 2 mons ago"), "-1 years -2 mons");
        assert_eq!(text("1.5 years"), "1 year 6 mons");
        assert_eq!(text("1.01 years"), "1 year");
        assert_eq!(text("1.5 weeks"), "10 days 12:00:00");
        assert_eq!(text("1:30.5"), "00:01:30.5");
        assert_eq!(text("1d2h"), "1 day 02:00:00");
        assert_eq!(text("1 day 10"), "1 day 00:00:10");
        for bad in [
            "10 1 day",
            "1 2 3",
            "1 day 1 day",
            "1 hour 1:00",
            "garbage",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("123456789012 days").unwrap_err().code, "22015");
    }

    #[test]
    fn iso_8601_forms() {
        assert_eq!(text("P1Y2M3DT4H5M6.5S"), "1 year 2 mons 3 days 04:05:06.5");
        assert_eq!(
            text("P-1Y-2M3DT-4H-5M-6S"),
            "-1 years -2 mons +3 days -04:05:06"
        );
        assert_eq!(text("P0.5Y"), "6 mons");
        assert_eq!(text("P1.5M"), "1 mon 15 days");
        assert_eq!(text("P1W"), "7 days");
        assert_eq!(text("PT"), "00:00:00");
        assert_eq!(text("P1"), "1 year");
        assert_eq!(
            text("P0001-02-03T04:05:06"),
            "1 year 2 mons 3 days 04:05:06"
        );
        assert_eq!(text("P00010203T040506"), "1 year 2 mons 3 days 04:05:06");
        assert!(parse("P").is_err());
        assert!(parse("P1Y2").is_err());
    }
}
