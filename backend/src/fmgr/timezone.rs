//! Time zone functions: `timezone(zone, timestamp[tz])` (what `AT TIME
//! ZONE` calls) with a zone name, abbreviation or interval.

use super::{f, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{TS_INFINITY, TS_NEG_INFINITY, USECS_PER_SEC};
use crate::types::oid::{INTERVAL, TEXT, TIMESTAMP, TIMESTAMPTZ};
use crate::types::timezone::{self, ZoneSpec};
use crate::types::Value;

pub static TIMEZONE_FUNCS: &[FuncDef] = &[
    f("timezone", &[TEXT, TIMESTAMPTZ], TIMESTAMP, |_, a| {
        to_local(&zone_of(&a[0])?, &a[1])
    }),
    f("timezone", &[TEXT, TIMESTAMP], TIMESTAMPTZ, |_, a| {
        from_local(&zone_of(&a[0])?, &a[1])
    }),
    f("timezone", &[INTERVAL, TIMESTAMPTZ], TIMESTAMP, |_, a| {
        to_local(&zone_of(&a[0])?, &a[1])
    }),
    f("timezone", &[INTERVAL, TIMESTAMP], TIMESTAMPTZ, |_, a| {
        from_local(&zone_of(&a[0])?, &a[1])
    }),
];

/// The zone a `timezone()` argument names.
fn zone_of(v: &Value) -> PgResult<ZoneSpec> {
    match v {
        Value::Text(name) => timezone::lookup(name),
        Value::Interval(iv) => {
            if iv.months != 0 || iv.days != 0 {
                return Err(PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!(
                        "interval time zone \"{}\" must not include months or days",
                        v.to_text()
                    ),
                ));
            }
            Ok(ZoneSpec::Fixed((iv.micros / USECS_PER_SEC) as i32))
        }
        _ => Err(PgError::internal("timezone() of an unexpected argument")),
    }
}

fn infinite(t: i64) -> bool {
    t == TS_INFINITY || t == TS_NEG_INFINITY
}

fn overflow() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

/// timestamptz AT TIME ZONE zone: the zone's wall-clock time.
fn to_local(zone: &ZoneSpec, v: &Value) -> PgResult<Value> {
    let (Value::TimestampTz(t) | Value::Timestamp(t)) = *v else {
        return Ok(Value::Null);
    };
    if infinite(t) {
        return Ok(Value::Timestamp(t));
    }
    let off = zone.offset_at(t) as i64 * USECS_PER_SEC;
    Ok(Value::Timestamp(t.checked_add(off).ok_or_else(overflow)?))
}

/// timestamp AT TIME ZONE zone: the instant of that wall-clock time there.
fn from_local(zone: &ZoneSpec, v: &Value) -> PgResult<Value> {
    let (Value::TimestampTz(t) | Value::Timestamp(t)) = *v else {
        return Ok(Value::Null);
    };
    if infinite(t) {
        return Ok(Value::TimestampTz(t));
    }
    let off = zone.offset_for_local(t) as i64 * USECS_PER_SEC;
    Ok(Value::TimestampTz(t.checked_sub(off).ok_or_else(overflow)?))
}
