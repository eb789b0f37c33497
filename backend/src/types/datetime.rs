//! `date`, `timestamp`, `timestamptz` and `interval`: PostgreSQL's
//! representations (days and microseconds since 2000-01-01, interval as
//! months/days/microseconds), text output in the session's DateStyle
//! (`datestyle.rs`), input through `datetime_input.rs`, and the
//! arithmetic the SQL layer needs.

use super::datestyle::{self, DateStyle};
use super::datetime_input::{decode, Decoded, Special};
use super::timezone;
use crate::error::{sqlstate, PgError, PgResult};

pub const USECS_PER_SEC: i64 = 1_000_000;
pub const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 to 2000-01-01.
pub const UNIX_TO_PG_DAYS: i64 = 10_957;
/// Microseconds from the Unix epoch to PostgreSQL's.
pub const UNIX_TO_PG_USECS: i64 = UNIX_TO_PG_DAYS * USECS_PER_DAY;

pub const DATE_NEG_INFINITY: i32 = i32::MIN;
pub const DATE_INFINITY: i32 = i32::MAX;
pub const TS_NEG_INFINITY: i64 = i64::MIN;
pub const TS_INFINITY: i64 = i64::MAX;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
/// algorithm; year 0 is 1 BC).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

thread_local! {
    /// The session's transaction start, which the input `'now'` means
    /// (0: none yet, the clock is read).
    static XACT_START: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    /// How many times [`transaction_now`] was read: a statement whose
    /// analysis read it folded the time into its plan, which the
    /// statement cache must then not keep (`tcop::plancache`).
    static NOW_READS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The count of reads of [`transaction_now`] on this thread so far.
pub fn transaction_now_reads() -> u64 {
    NOW_READS.with(|c| c.get())
}

/// Records the start of this thread's session's transaction.
pub fn set_transaction_start(ts: i64) {
    XACT_START.with(|c| c.set(ts));
}

/// The transaction's start (what `'now'` reads as), or the clock.
pub fn transaction_now() -> i64 {
    NOW_READS.with(|c| c.set(c.get().wrapping_add(1)));
    match XACT_START.with(|c| c.get()) {
        0 => now_pg_usecs(),
        t => t,
    }
}

/// Current time as microseconds since 2000-01-01.
pub fn now_pg_usecs() -> i64 {
    shmem::time::wall_clock_us() - UNIX_TO_PG_USECS
}

/// Converts a Unix-epoch microsecond time (as the backend table keeps
/// them) to PostgreSQL's epoch.
pub fn unix_usecs_to_pg(us: i64) -> i64 {
    us - UNIX_TO_PG_USECS
}

fn push_year(y: i64, out: &mut String) -> bool {
    let bc = y <= 0;
    let shown = if bc { 1 - y } else { y };
    out.push_str(&format!("{:04}", shown));
    bc
}

/// date_out (ISO).
pub fn format_date(d: i32, out: &mut String) {
    match d {
        DATE_NEG_INFINITY => out.push_str("-infinity"),
        DATE_INFINITY => out.push_str("infinity"),
        _ => {
            let (y, m, dd) = civil_from_days(d as i64 + UNIX_TO_PG_DAYS);
            let bc = push_year(y, out);
            out.push_str(&format!("-{:02}-{:02}", m, dd));
            if bc {
                out.push_str(" BC");
            }
        }
    }
}

/// date_out in the session's DateStyle (JSON output stays ISO: it calls
/// [`format_date`]).
pub fn output_date(d: i32, out: &mut String) {
    let st = datestyle::current();
    if st.date == DateStyle::Iso || d == DATE_INFINITY || d == DATE_NEG_INFINITY {
        return format_date(d, out);
    }
    let unix_days = d as i64 + UNIX_TO_PG_DAYS;
    datestyle::push_date(&fields(unix_days, 0), st.date, st.order, out);
}

fn fields(unix_days: i64, tod: i64) -> datestyle::Fields {
    let (year, month, day) = civil_from_days(unix_days);
    datestyle::Fields {
        year,
        month,
        day,
        unix_days,
        tod,
    }
}

/// timestamp_out / timestamptz_out in the session's DateStyle; the SQL,
/// Postgres and German styles show a timestamptz's zone by its
/// abbreviation (`CET`), or its offset when it has none.
pub fn output_timestamp(ts: i64, with_tz: bool, out: &mut String) {
    let st = datestyle::current();
    if st.date == DateStyle::Iso || ts == TS_INFINITY || ts == TS_NEG_INFINITY {
        return format_timestamp(ts, with_tz, out);
    }
    let (local, zone) = if with_tz {
        let (off, abbrev) = timezone::with_session(|tz| timezone::offset_and_abbrev_at(tz, ts));
        (ts.saturating_add(off as i64 * USECS_PER_SEC), Some(abbrev))
    } else {
        (ts, None)
    };
    let f = fields(
        local.div_euclid(USECS_PER_DAY) + UNIX_TO_PG_DAYS,
        local.rem_euclid(USECS_PER_DAY),
    );
    datestyle::push_timestamp(&f, zone.as_deref(), st.date, st.order, out);
}

/// timestamp_out / timestamptz_out (ISO): a timestamptz is shown in the
/// session's time zone, with its offset.
pub fn format_timestamp(ts: i64, with_tz: bool, out: &mut String) {
    match ts {
        TS_NEG_INFINITY => return out.push_str("-infinity"),
        TS_INFINITY => return out.push_str("infinity"),
        _ => {}
    }
    if with_tz {
        let off = timezone::with_session(|tz| timezone::offset_at(tz, ts));
        return format_local(
            ts.saturating_add(off as i64 * USECS_PER_SEC),
            Some(off),
            out,
        );
    }
    format_local(ts, None, out)
}

/// A local time, then the offset when given, then the era.
pub fn format_local(ts: i64, offset: Option<i32>, out: &mut String) {
    let days = ts.div_euclid(USECS_PER_DAY);
    let tod = ts.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let bc = push_year(y, out);
    out.push_str(&format!("-{:02}-{:02} ", m, d));
    push_time(tod, out);
    if let Some(off) = offset {
        timezone::push_offset(off, out);
    }
    if bc {
        out.push_str(" BC");
    }
}

/// HH:MM:SS[.ffffff] with trailing zeros of the fraction dropped.
pub(crate) fn push_time(tod: i64, out: &mut String) {
    let secs = tod / USECS_PER_SEC;
    let frac = tod % USECS_PER_SEC;
    out.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    ));
    if frac != 0 {
        let f = format!("{:06}", frac);
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
}

/// The session's local time now (microseconds since 2000-01-01).
fn local_now() -> i64 {
    let now = transaction_now();
    timezone::with_session(|tz| timezone::utc_to_local(tz, now))
}

/// date_in: any form [`datetime_input::decode`] reads; a time or zone
/// in the text is ignored, as PostgreSQL does.
pub fn parse_date(s: &str) -> PgResult<i32> {
    let days = match decode(s).map_err(|e| e.to_pg(s, "date"))? {
        Decoded::Special(Special::Infinity) => return Ok(DATE_INFINITY),
        Decoded::Special(Special::NegInfinity) => return Ok(DATE_NEG_INFINITY),
        Decoded::Special(Special::Epoch) => 0,
        Decoded::Special(Special::Now) => local_now().div_euclid(USECS_PER_DAY) + UNIX_TO_PG_DAYS,
        Decoded::DateTime { unix_days, .. } => unix_days,
    };
    i32::try_from(days - UNIX_TO_PG_DAYS)
        .ok()
        .filter(|d| *d != DATE_INFINITY && *d != DATE_NEG_INFINITY)
        .ok_or_else(|| {
            PgError::new(
                sqlstate::DATETIME_FIELD_OVERFLOW,
                format!("date out of range: \"{s}\""),
            )
        })
}

/// timestamp_in / timestamptz_in. A zone in the text shifts a timestamptz
/// and is ignored for a timestamp, as PostgreSQL does.
pub fn parse_timestamp(s: &str, with_tz: bool) -> PgResult<i64> {
    let type_name = if with_tz {
        "timestamp with time zone"
    } else {
        "timestamp without time zone"
    };
    let (unix_days, tod, zone) = match decode(s).map_err(|e| e.to_pg(s, type_name))? {
        Decoded::Special(Special::Infinity) => return Ok(TS_INFINITY),
        Decoded::Special(Special::NegInfinity) => return Ok(TS_NEG_INFINITY),
        Decoded::Special(Special::Epoch) => return Ok(-UNIX_TO_PG_USECS),
        Decoded::Special(Special::Now) if with_tz => return Ok(transaction_now()),
        Decoded::Special(Special::Now) => return Ok(local_now()),
        Decoded::DateTime {
            unix_days,
            tod,
            zone,
        } => (unix_days, tod, zone),
    };
    let overflow = || {
        PgError::new(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{s}\""),
        )
    };
    let local = (unix_days - UNIX_TO_PG_DAYS)
        .checked_mul(USECS_PER_DAY)
        .and_then(|v| v.checked_add(tod))
        .ok_or_else(overflow)?;
    if !with_tz {
        return Ok(local);
    }
    let offset = match &zone {
        Some(z) => z.offset_for_local(local),
        None => timezone::with_session(|tz| timezone::offset_for_local(tz, local)),
    };
    local
        .checked_sub(offset as i64 * USECS_PER_SEC)
        .ok_or_else(overflow)
}

/// An interval: months, days and microseconds kept apart, as PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    /// Total span with 30-day months, for comparisons (interval_cmp_value).
    pub fn span(&self) -> i128 {
        (self.months as i128 * 30 + self.days as i128) * USECS_PER_DAY as i128 + self.micros as i128
    }

    pub fn checked_add(&self, o: &Interval) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_add(o.months)?,
            days: self.days.checked_add(o.days)?,
            micros: self.micros.checked_add(o.micros)?,
        })
    }

    pub fn neg(&self) -> Interval {
        Interval {
            months: -self.months,
            days: -self.days,
            micros: -self.micros,
        }
    }

    /// interval * float8 with PostgreSQL's spill of fractional months
    /// into days and fractional days into time.
    pub fn mul_f64(&self, f: f64) -> Option<Interval> {
        let months = self.months as f64 * f;
        let days = self.days as f64 * f;
        let whole_months = months.trunc();
        let days = days + (months - whole_months) * 30.0;
        let whole_days = days.trunc();
        let micros = self.micros as f64 * f + (days - whole_days) * USECS_PER_DAY as f64;
        if !whole_months.is_finite()
            || whole_months.abs() > i32::MAX as f64
            || whole_days.abs() > i32::MAX as f64
            || !micros.is_finite()
            || micros.abs() > i64::MAX as f64
        {
            return None;
        }
        Some(Interval {
            months: whole_months as i32,
            days: whole_days as i32,
            micros: micros.round() as i64,
        })
    }

    /// interval_out, IntervalStyle postgres (PostgreSQL's EncodeInterval:
    /// a part after a negative one carries an explicit "+").
    pub fn format(&self, out: &mut String) {
        let mut parts: Vec<String> = Vec::new();
        let (mut is_before, mut is_zero) = (false, true);
        for (value, unit) in [
            (self.months as i64 / 12, "year"),
            (self.months as i64 % 12, "mon"),
            (self.days as i64, "day"),
        ] {
            if value == 0 {
                continue;
            }
            let plus = if !is_zero && is_before && value > 0 {
                "+"
            } else {
                ""
            };
            let s = if value != 1 { "s" } else { "" };
            parts.push(format!("{plus}{value} {unit}{s}"));
            is_zero = false;
            is_before = value < 0;
        }
        if self.micros != 0 || is_zero {
            let sign = if self.micros < 0 {
                "-"
            } else if is_before {
                "+"
            } else {
                ""
            };
            let abs = self.micros.unsigned_abs() as i64;
            let secs = abs / USECS_PER_SEC;
            let mut t = format!(
                "{sign}{:02}:{:02}:{:02}",
                secs / 3600,
                (secs / 60) % 60,
                secs % 60
            );
            let frac = abs % USECS_PER_SEC;
            if frac != 0 {
                t.push('.');
                t.push_str(format!("{:06}", frac).trim_end_matches('0'));
            }
            parts.push(t);
        }
        out.push_str(&parts.join(" "));
    }

    /// interval_in (`interval_in.rs`).
    pub fn parse(s: &str) -> PgResult<Interval> {
        super::interval_in::parse(s)
    }
}

/// timestamp + interval (months first, then days, then time, as PG).
pub fn timestamp_add_interval(ts: i64, iv: &Interval) -> Option<i64> {
    if ts == TS_INFINITY || ts == TS_NEG_INFINITY {
        return Some(ts);
    }
    let mut ts = ts;
    if iv.months != 0 {
        let days = ts.div_euclid(USECS_PER_DAY);
        let tod = ts.rem_euclid(USECS_PER_DAY);
        let (y, m, d) = civil_from_days(days + UNIX_TO_PG_DAYS);
        let total = y * 12 + (m as i64 - 1) + iv.months as i64;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        ts = (days_from_civil(ny, nm, nd) - UNIX_TO_PG_DAYS) * USECS_PER_DAY + tod;
    }
    ts.checked_add((iv.days as i64).checked_mul(USECS_PER_DAY)?)?
        .checked_add(iv.micros)
}

/// timestamp - timestamp (interval_justify_hours of the difference).
pub fn timestamp_diff(a: i64, b: i64) -> Option<Interval> {
    let d = a.checked_sub(b)?;
    Some(Interval {
        months: 0,
        days: (d / USECS_PER_DAY) as i32,
        micros: d % USECS_PER_DAY,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> String {
        let mut o = String::new();
        format_timestamp(parse_timestamp(s, false).unwrap(), false, &mut o);
        o
    }

    #[test]
    fn civil_round_trip() {
        for d in [-800_000i64, -1, 0, 10_957, 20_000, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(days_from_civil(2000, 1, 1), UNIX_TO_PG_DAYS);
    }

    #[test]
    fn timestamp_text() {
        assert_eq!(
            ts("2026-11-27 03:28:47.123456"),
            "2026-11-27 03:28:47.123456"
        );
        assert_eq!(ts("2026-11-27T03:28:47.5"), "2026-11-27 03:28:47.5");
        assert_eq!(ts("2024-02-29"), "2024-02-29 00:00:00");
        assert_eq!(ts("0001-01-01 00:00:00 BC"), "0001-01-01 00:00:00 BC");
        let mut o = String::new();
        format_timestamp(
            parse_timestamp("2026-01-01 10:00:00+02", true).unwrap(),
            true,
            &mut o,
        );
        assert_eq!(o, "2026-01-01 08:00:00+00");
        assert_eq!(
            parse_timestamp("2023-02-29", false).unwrap_err().code,
            "22008"
        );
        assert_eq!(parse_timestamp("garbage", false).unwrap_err().code, "22007");
        let mut d = String::new();
        format_date(parse_date("1999-12-31").unwrap(), &mut d);
        assert_eq!(d, "1999-12-31");
        assert_eq!(parse_date("2000-01-01").unwrap(), 0);
    }

    #[test]
    fn interval_text() {
        let f = |s: &str| {
            let mut o = String::new();
            Interval::parse(s).unwrap().format(&mut o);
            o
        };
        assert_eq!(f("1 day 2 hours"), "1 day 02:00:00");
        assert_eq!(f("1 year 2 months 3 days"), "1 year 2 mons 3 days");
        assert_eq!(f("00:00:01.5"), "00:00:01.5");
        assert_eq!(f("-1 second"), "-00:00:01");
        assert_eq!(f("0"), "00:00:00");
        assert_eq!(f("1.5 days"), "1 day 12:00:00");
        assert_eq!(f("-1 day +01:00:00"), "-1 days +01:00:00");
        assert_eq!(f("2 hours ago"), "-02:00:00");
        assert_eq!(f("-1 year 2 days"), "-1 years +2 days");
        assert_eq!(f("1 year -2 months"), "10 mons");
    }

    #[test]
    fn timestamp_arithmetic() {
        let a = parse_timestamp("2024-01-31 00:00:00", false).unwrap();
        let b = timestamp_add_interval(
            a,
            &Interval {
                months: 1,
                days: 0,
                micros: 0,
            },
        )
        .unwrap();
        assert_eq!(b, parse_timestamp("2024-02-29", false).unwrap());
        let d = timestamp_diff(parse_timestamp("2024-02-02 03:00", false).unwrap(), a).unwrap();
        assert_eq!(
            d,
            Interval {
                months: 0,
                days: 2,
                micros: 3 * 3600 * USECS_PER_SEC
            }
        );
    }
}
