//! Functions of `time` and `timetz`: `current_time`, `localtime`,
//! `make_time`, `extract`/`date_part` from a time of day, and
//! `timezone(zone, timetz)` (what `AT TIME ZONE` calls; a `time` operand
//! reaches it through the implicit time → timetz cast).

use super::{f, trunc_unit, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{USECS_PER_DAY, USECS_PER_SEC};
use crate::types::oid::{FLOAT8, INT4, INTERVAL, NUMERIC, TEXT, TIME, TIMETZ};
use crate::types::timezone;
use crate::types::{time, type_name, Numeric, Oid, Value};

fn local_now(xact_start: i64) -> (i64, i32) {
    let off = timezone::with_session(|tz| timezone::offset_at(tz, xact_start));
    let local = xact_start + off as i64 * USECS_PER_SEC;
    (local.rem_euclid(USECS_PER_DAY), -off)
}

fn text(v: &Value) -> &str {
    match v {
        Value::Text(t) => t,
        _ => "",
    }
}

pub static TIME_FUNCS: &[FuncDef] = &[
    f("current_time", &[], TIMETZ, |c, _| {
        let (t, z) = local_now(c.xact_start);
        Ok(Value::TimeTz(t, z))
    }),
    f("localtime", &[], TIME, |c, _| {
        Ok(Value::Time(local_now(c.xact_start).0))
    }),
    f("make_time", &[INT4, INT4, FLOAT8], TIME, |_, a| {
        let (Value::Int4(h), Value::Int4(m), Value::Float8(sec)) = (&a[0], &a[1], &a[2]) else {
            return Ok(Value::Null);
        };
        make_time(*h, *m, *sec).map(Value::Time)
    }),
    f("timezone", &[TEXT, TIMETZ], TIMETZ, |c, a| {
        let zone = timezone::lookup(text(&a[0]))?;
        at_zone(&a[1], -zone.offset_at(c.xact_start))
    }),
    f("timezone", &[INTERVAL, TIMETZ], TIMETZ, |_, a| {
        let Value::Interval(iv) = &a[0] else {
            return Ok(Value::Null);
        };
        if iv.months != 0 || iv.days != 0 {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!(
                    "interval time zone \"{}\" must not include months or days",
                    a[0].to_text()
                ),
            ));
        }
        at_zone(&a[1], -((iv.micros / USECS_PER_SEC) as i32))
    }),
    f("extract", &[TEXT, TIME], NUMERIC, |_, a| {
        extract(text(&a[0]), &a[1]).map(Value::Numeric)
    }),
    f("extract", &[TEXT, TIMETZ], NUMERIC, |_, a| {
        extract(text(&a[0]), &a[1]).map(Value::Numeric)
    }),
    f("date_part", &[TEXT, TIME], FLOAT8, |_, a| {
        extract(text(&a[0]), &a[1]).map(|n| Value::Float8(n.to_f64()))
    }),
    f("date_part", &[TEXT, TIMETZ], FLOAT8, |_, a| {
        extract(text(&a[0]), &a[1]).map(|n| Value::Float8(n.to_f64()))
    }),
];

/// timetz AT TIME ZONE: the same instant in the zone `to` (seconds west).
fn at_zone(v: &Value, to: i32) -> PgResult<Value> {
    let Value::TimeTz(t, z) = *v else {
        return Ok(Value::Null);
    };
    Ok(Value::TimeTz(time::at_zone(t, z, to), to))
}

/// make_time(hour, min, sec) with PostgreSQL's range check and message.
fn make_time(h: i32, m: i32, sec: f64) -> PgResult<i64> {
    let bad = !(0..=24).contains(&h)
        || !(0..=59).contains(&m)
        || sec.is_nan()
        || !(0.0..=60.0).contains(&sec)
        || (h == 24 && (m > 0 || sec > 0.0));
    let t = (h as i64 * 60 + m as i64) * 60 * USECS_PER_SEC + (sec * 1e6).round_ties_even() as i64;
    if bad || t > USECS_PER_DAY {
        let s = if sec.fract() == 0.0 && sec.abs() < 1e15 {
            format!("{:02}", sec as i64)
        } else {
            format!("{sec}")
        };
        return Err(PgError::new(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("time field value out of range: {h}:{m:02}:{s}"),
        ));
    }
    Ok(t)
}

/// EXTRACT(field FROM time/timetz) as numeric.
fn extract(field: &str, v: &Value) -> PgResult<Numeric> {
    let (t, zone, ty): (i64, Option<i32>, Oid) = match *v {
        Value::Time(t) => (t, None, TIME),
        Value::TimeTz(t, z) => (t, Some(z), TIMETZ),
        _ => return Err(PgError::internal("extract from a non-time value")),
    };
    let int = |x: i64| Ok(Numeric::from_i64(x));
    let unit = trunc_unit(field);
    match unit {
        "microseconds" => int(t % 60_000_000),
        "milliseconds" => Ok(Numeric::Finite {
            mant: (t % 60_000_000) as i128,
            scale: 3,
        }),
        "second" => Ok(Numeric::Finite {
            mant: (t % 60_000_000) as i128,
            scale: 6,
        }),
        "minute" => int(t / 60_000_000 % 60),
        "hour" => int(t / 3_600_000_000),
        "epoch" => Ok(Numeric::Finite {
            mant: (t + zone.unwrap_or(0) as i64 * USECS_PER_SEC) as i128,
            scale: 6,
        }),
        "timezone" | "timezone_hour" | "timezone_minute" if zone.is_some() => {
            let east = -(zone.unwrap_or(0) as i64);
            int(match unit {
                "timezone" => east,
                "timezone_hour" => east / 3600,
                _ => east / 60 % 60,
            })
        }
        "" => Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "unit \"{}\" not recognized for type {}",
                field.to_ascii_lowercase(),
                type_name(ty)
            ),
        )),
        _ => Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "unit \"{}\" not supported for type {}",
                field.to_ascii_lowercase(),
                type_name(ty)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_time_checks_as_postgres() {
        assert_eq!(make_time(1, 2, 3.5).unwrap(), 3_723_500_000);
        assert_eq!(
            make_time(25, 0, 0.0).unwrap_err().message,
            "time field value out of range: 25:00:00"
        );
        assert_eq!(
            make_time(1, 2, -1.0).unwrap_err().message,
            "time field value out of range: 1:02:-1"
        );
    }

    #[test]
    fn extract_fields() {
        let v = Value::TimeTz(4 * 3_600_000_000 + 5 * 60_000_000 + 6_789_000, -19800);
        assert_eq!(extract("second", &v).unwrap().to_string(), "6.789000");
        assert_eq!(extract("timezone_minute", &v).unwrap().to_string(), "30");
        assert_eq!(extract("day", &v).unwrap_err().code, "0A000");
    }
}
