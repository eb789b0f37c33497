//! Date and time constructors and `age` (PostgreSQL's timestamp.c and
//! date.c): `make_date`, `make_timestamp`, `make_timestamptz` (in the
//! session's zone or a named one), `make_interval` (its trailing
//! arguments optional, as PostgreSQL's defaults make them), and `age`'s
//! symbolic difference: field by field (years, months, days, time), each
//! negative field borrowing from the next larger one, days borrowed as
//! the length of the earlier timestamp's month, so `age('2024-03-01',
//! '2024-01-15')` is `1 mon 17 days` (as PostgreSQL), not `46 days`.

use super::{f, fl as f8, s as text, ts, FnCtx, FuncDef};
use crate::error::{PgError, PgResult};
use crate::types::datetime::{
    civil_from_days, days_from_civil, Interval, UNIX_TO_PG_DAYS, USECS_PER_DAY, USECS_PER_SEC,
};
use crate::types::oid::{DATE, FLOAT8, INT4, INTERVAL, TEXT, TIMESTAMP, TIMESTAMPTZ};
use crate::types::timezone;
use crate::types::Value;
use crate::utils::adt::datetime_format::{self, Fields};

const DATETIME_FIELD_OVERFLOW: &str = "22008";

fn i4(v: &Value) -> i32 {
    super::int(v) as i32
}

fn days_in_month(y: i64, m: u32) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Broken-down fields of a (local) timestamp: year (astronomical),
/// month, day, microseconds of the day.
fn fields(t: i64) -> (i64, u32, u32, i64) {
    let (y, m, d) = civil_from_days(t.div_euclid(USECS_PER_DAY) + UNIX_TO_PG_DAYS);
    (y, m, d, t.rem_euclid(USECS_PER_DAY))
}

/// age(a, b) of two local timestamps, as PostgreSQL's timestamp_age.
fn age(a: i64, b: i64) -> PgResult<Interval> {
    let (y1, m1, d1, t1) = fields(a);
    let (y2, m2, d2, t2) = fields(b);
    let neg = a < b;
    let sign = if neg { -1 } else { 1 };
    let mut time = sign * (t1 - t2);
    let mut day = sign * (d1 as i64 - d2 as i64);
    let mut mon = sign * (m1 as i64 - m2 as i64);
    let mut year = sign * (y1 - y2);
    while time < 0 {
        time += USECS_PER_DAY;
        day -= 1;
    }
    while day < 0 {
        // The month borrowed from is the earlier timestamp's.
        let (y, m) = if neg { (y1, m1) } else { (y2, m2) };
        day += days_in_month(y, m);
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    let months = sign * (year * 12 + mon);
    let out = Interval {
        months: i32::try_from(months)
            .map_err(|_| PgError::new(DATETIME_FIELD_OVERFLOW, "interval out of range"))?,
        days: (sign * day) as i32,
        micros: sign * time,
    };
    Ok(out)
}

fn local(t: i64) -> i64 {
    timezone::with_session(|tz| timezone::utc_to_local(tz, t))
}

/// The session's current date at midnight, local.
fn today_local(c: &FnCtx) -> i64 {
    local(c.xact_start).div_euclid(USECS_PER_DAY) * USECS_PER_DAY
}

/// The date of year, month, day (negative years are BC), or 22008.
fn make_date(y: i32, m: i32, d: i32) -> PgResult<i64> {
    let bad = || {
        PgError::new(
            DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {y}-{m:02}-{d:02}"),
        )
    };
    if y == 0 || !(1..=12).contains(&m) || d < 1 {
        return Err(bad());
    }
    let year = if y < 0 { y as i64 + 1 } else { y as i64 };
    if d as i64 > days_in_month(year, m as u32) {
        return Err(bad());
    }
    Ok(days_from_civil(year, m as u32, d as u32) - UNIX_TO_PG_DAYS)
}

/// A local timestamp of the six fields, or 22008.
fn make_timestamp(a: &[Value]) -> PgResult<i64> {
    let (y, mo, d, h, mi, sec) = (
        i4(&a[0]),
        i4(&a[1]),
        i4(&a[2]),
        i4(&a[3]),
        i4(&a[4]),
        f8(&a[5]),
    );
    let days = make_date(y, mo, d)?;
    let bad_time = !(0..=24).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0.0..=60.0).contains(&sec)
        || (h == 24 && (mi > 0 || sec > 0.0));
    if bad_time || sec.is_nan() {
        return Err(PgError::new(
            DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: {y}-{mo:02}-{d:02} {h}:{mi:02}:{sec:02}"),
        ));
    }
    let micros = (h as i64 * 3600 + mi as i64 * 60) * USECS_PER_SEC + (sec * 1e6).round() as i64;
    Ok(days * USECS_PER_DAY + micros)
}

fn make_interval(a: &[Value]) -> PgResult<Value> {
    let g = |i: usize| a.get(i).map_or(0, i4) as i64;
    let secs = a.get(6).map_or(0.0, f8);
    let out_of_range = || PgError::new(DATETIME_FIELD_OVERFLOW, "interval out of range");
    let months = i32::try_from(g(0) * 12 + g(1)).map_err(|_| out_of_range())?;
    let days = i32::try_from(g(2) * 7 + g(3)).map_err(|_| out_of_range())?;
    let micros = (g(4) * 3600 + g(5) * 60) as f64 * 1e6 + secs * 1e6;
    if !micros.is_finite() || micros.abs() > 9.2e18 {
        return Err(out_of_range());
    }
    Ok(Value::Interval(Interval {
        months,
        days,
        micros: micros.round() as i64,
    }))
}

/// to_char of a timestamptz: its fields in the session's zone, whose
/// offset and abbreviation TZ and OF print.
fn to_char_tz(t: i64, template: &str) -> PgResult<String> {
    let (off, abbrev) = timezone::with_session(|tz| timezone::offset_and_abbrev_at(tz, t));
    let fields = Fields::of_timestamp(t + off as i64 * USECS_PER_SEC, Some((off, abbrev)));
    datetime_format::to_char(&fields, template)
}

/// to_char of an infinite timestamp, or with an empty template, is NULL,
/// as PostgreSQL's.
fn finite(t: i64) -> bool {
    t != i64::MAX && t != i64::MIN
}

pub static DATE_FUNCS: &[FuncDef] = &[
    f("to_char", &[TIMESTAMP, TEXT], TEXT, |_, a| {
        let t = ts(&a[0]);
        if !finite(t) || text(&a[1]).is_empty() {
            return Ok(Value::Null);
        }
        datetime_format::to_char(&Fields::of_timestamp(t, None), text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[TIMESTAMPTZ, TEXT], TEXT, |_, a| {
        let t = ts(&a[0]);
        if !finite(t) || text(&a[1]).is_empty() {
            return Ok(Value::Null);
        }
        to_char_tz(t, text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[INTERVAL, TEXT], TEXT, |_, a| {
        let Value::Interval(iv) = &a[0] else {
            return Ok(Value::Null);
        };
        if text(&a[1]).is_empty() {
            return Ok(Value::Null);
        }
        datetime_format::to_char(&Fields::of_interval(iv), text(&a[1])).map(Value::Text)
    }),
    f("age", &[TIMESTAMPTZ, TIMESTAMPTZ], INTERVAL, |_, a| {
        age(local(ts(&a[0])), local(ts(&a[1]))).map(Value::Interval)
    }),
    f("age", &[TIMESTAMP, TIMESTAMP], INTERVAL, |_, a| {
        age(ts(&a[0]), ts(&a[1])).map(Value::Interval)
    }),
    f("age", &[TIMESTAMPTZ], INTERVAL, |c, a| {
        age(today_local(c), local(ts(&a[0]))).map(Value::Interval)
    }),
    f("age", &[TIMESTAMP], INTERVAL, |c, a| {
        age(today_local(c), ts(&a[0])).map(Value::Interval)
    }),
    f("make_date", &[INT4, INT4, INT4], DATE, |_, a| {
        let d = make_date(i4(&a[0]), i4(&a[1]), i4(&a[2]))?;
        Ok(Value::Date(d as i32))
    }),
    f(
        "make_timestamp",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMP,
        |_, a| make_timestamp(a).map(Value::Timestamp),
    ),
    f(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMPTZ,
        |_, a| {
            let l = make_timestamp(a)?;
            Ok(Value::TimestampTz(timezone::with_session(|tz| {
                timezone::local_to_utc(tz, l)
            })))
        },
    ),
    f(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT],
        TIMESTAMPTZ,
        |_, a| {
            let l = make_timestamp(a)?;
            let Value::Text(z) = &a[6] else {
                return Ok(Value::Null);
            };
            let zone = timezone::lookup(z)?;
            let off = zone.offset_for_local(l) as i64;
            Ok(Value::TimestampTz(l - off * USECS_PER_SEC))
        },
    ),
    f("make_interval", &[], INTERVAL, |_, a| make_interval(a)),
    f("make_interval", &[INT4], INTERVAL, |_, a| make_interval(a)),
    f("make_interval", &[INT4, INT4], INTERVAL, |_, a| {
        make_interval(a)
    }),
    f("make_interval", &[INT4, INT4, INT4], INTERVAL, |_, a| {
        make_interval(a)
    }),
    f(
        "make_interval",
        &[INT4, INT4, INT4, INT4],
        INTERVAL,
        |_, a| make_interval(a),
    ),
    f(
        "make_interval",
        &[INT4, INT4, INT4, INT4, INT4],
        INTERVAL,
        |_, a| make_interval(a),
    ),
    f(
        "make_interval",
        &[INT4, INT4, INT4, INT4, INT4, INT4],
        INTERVAL,
        |_, a| make_interval(a),
    ),
    f(
        "make_interval",
        &[INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8],
        INTERVAL,
        |_, a| make_interval(a),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i64, m: u32, d: u32) -> i64 {
        (days_from_civil(y, m, d) - UNIX_TO_PG_DAYS) * USECS_PER_DAY
    }

    #[test]
    fn age_borrows_months_as_postgres() {
        let iv = age(t(2024, 3, 1), t(2024, 1, 15)).unwrap();
        assert_eq!((iv.months, iv.days, iv.micros), (1, 17, 0));
        let iv = age(t(2024, 1, 15), t(2024, 3, 1)).unwrap();
        assert_eq!((iv.months, iv.days, iv.micros), (-1, -17, 0));
        let iv = age(t(2001, 4, 10), t(1957, 6, 13)).unwrap();
        assert_eq!((iv.months, iv.days), (43 * 12 + 9, 27));
    }

    #[test]
    fn make_date_checks_fields() {
        assert!(make_date(2024, 2, 29).is_ok());
        assert!(make_date(2023, 2, 29).is_err());
        assert!(make_date(0, 1, 1).is_err());
        assert_eq!(
            make_date(-1, 1, 1).unwrap(),
            days_from_civil(0, 1, 1) - UNIX_TO_PG_DAYS
        );
    }
}
