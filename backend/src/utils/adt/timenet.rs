//! The run-time half of the operators and casts of `time`, `timetz`,
//! `inet` and `cidr` (time_pl_interval, time_mi_time, datetime_pl,
//! timestamp_time, timestamptz_timetz, interval_time, inetpl, inetmi,
//! inet_to_cidr, ...). `ops` calls them for those types; the types' own
//! I/O is in `types::time` and `types::network`.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{self, Interval, USECS_PER_DAY, USECS_PER_SEC};
use crate::types::{network, oid, time, timezone, Oid, Value};
use crate::utils::adt::ops::BinOp;

fn ts_out_of_range() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

/// date + time as a local timestamp (infinite dates stay infinite).
fn date_time(d: i32, t: i64) -> PgResult<i64> {
    match d {
        datetime::DATE_INFINITY => Ok(datetime::TS_INFINITY),
        datetime::DATE_NEG_INFINITY => Ok(datetime::TS_NEG_INFINITY),
        d => (d as i64)
            .checked_mul(USECS_PER_DAY)
            .and_then(|x| x.checked_add(t))
            .ok_or_else(ts_out_of_range),
    }
}

/// A binary operator on these types, or None when neither operand is one.
pub fn arith(op: BinOp, a: &Value, b: &Value) -> Option<PgResult<Value>> {
    use Value as V;
    Some(match (op, a, b) {
        (BinOp::Add, V::Time(t), V::Interval(iv)) | (BinOp::Add, V::Interval(iv), V::Time(t)) => {
            Ok(V::Time(time::add_micros(*t, iv.micros)))
        }
        (BinOp::Sub, V::Time(t), V::Interval(iv)) => Ok(V::Time(time::add_micros(*t, -iv.micros))),
        (BinOp::Add, V::TimeTz(t, z), V::Interval(iv))
        | (BinOp::Add, V::Interval(iv), V::TimeTz(t, z)) => {
            Ok(V::TimeTz(time::add_micros(*t, iv.micros), *z))
        }
        (BinOp::Sub, V::TimeTz(t, z), V::Interval(iv)) => {
            Ok(V::TimeTz(time::add_micros(*t, -iv.micros), *z))
        }
        (BinOp::Sub, V::Time(x), V::Time(y)) => Ok(V::Interval(Interval {
            months: 0,
            days: 0,
            micros: x - y,
        })),
        (BinOp::Add, V::Date(d), V::Time(t)) | (BinOp::Add, V::Time(t), V::Date(d)) => {
            date_time(*d, *t).map(V::Timestamp)
        }
        (BinOp::Add, V::Date(d), V::TimeTz(t, z)) | (BinOp::Add, V::TimeTz(t, z), V::Date(d)) => {
            date_time(*d, *t).and_then(|local| match local {
                datetime::TS_INFINITY | datetime::TS_NEG_INFINITY => Ok(V::TimestampTz(local)),
                l => l
                    .checked_add(*z as i64 * USECS_PER_SEC)
                    .map(V::TimestampTz)
                    .ok_or_else(ts_out_of_range),
            })
        }
        (BinOp::Add, V::Inet(n), V::Int8(i)) | (BinOp::Add, V::Int8(i), V::Inet(n)) => {
            network::add(n, *i).map(V::Inet)
        }
        (BinOp::Sub, V::Inet(n), V::Int8(i)) => match i.checked_neg() {
            Some(neg) => network::add(n, neg).map(V::Inet),
            None => Err(PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "result is out of range",
            )),
        },
        (BinOp::Sub, V::Inet(x), V::Inet(y)) => network::diff(x, y).map(V::Int8),
        _ => return None,
    })
}

fn session_offset_at(t: i64) -> i32 {
    timezone::with_session(|tz| timezone::offset_at(tz, t))
}

/// A cast to time, timetz, interval, inet or cidr from a non-text value,
/// or None when there is no such cast.
pub fn cast(v: Value, _from: Oid, to: Oid) -> Option<PgResult<Value>> {
    use Value as V;
    let infinite = |t: i64| t == datetime::TS_INFINITY || t == datetime::TS_NEG_INFINITY;
    Some(match (to, v) {
        // An infinite timestamp has no time of day: NULL, as PostgreSQL.
        (oid::TIME | oid::TIMETZ, V::Timestamp(t) | V::TimestampTz(t)) if infinite(t) => {
            Ok(V::Null)
        }
        (oid::TIME, V::Timestamp(t)) => Ok(V::Time(t.rem_euclid(USECS_PER_DAY))),
        (oid::TIME, V::TimestampTz(t)) => {
            let local = t + session_offset_at(t) as i64 * USECS_PER_SEC;
            Ok(V::Time(local.rem_euclid(USECS_PER_DAY)))
        }
        (oid::TIMETZ, V::TimestampTz(t)) => {
            let off = session_offset_at(t);
            let local = t + off as i64 * USECS_PER_SEC;
            Ok(V::TimeTz(local.rem_euclid(USECS_PER_DAY), -off))
        }
        (oid::TIME, V::TimeTz(t, _)) => Ok(V::Time(t)),
        // The session's zone as of today, as time_timetz.
        (oid::TIMETZ, V::Time(t)) => {
            let now = datetime::transaction_now();
            let today =
                (now + session_offset_at(now) as i64 * USECS_PER_SEC).div_euclid(USECS_PER_DAY);
            let off = timezone::with_session(|tz| {
                timezone::offset_for_local(tz, today * USECS_PER_DAY + t)
            });
            Ok(V::TimeTz(t, -off))
        }
        // interval_time: the time part, into one day.
        (oid::TIME, V::Interval(iv)) => Ok(V::Time(iv.micros.rem_euclid(USECS_PER_DAY))),
        (oid::INTERVAL, V::Time(t)) => Ok(V::Interval(Interval {
            months: 0,
            days: 0,
            micros: t,
        })),
        (oid::INET, V::Inet(n)) => Ok(V::Inet(network::as_inet(&n))),
        (oid::CIDR, V::Inet(n)) => Ok(V::Inet(network::to_cidr(&n))),
        _ => return None,
    })
}
