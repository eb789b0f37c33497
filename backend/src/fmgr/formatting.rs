//! The formatting functions of numbers and of text to dates
//! (PostgreSQL's formatting.c entry points): `to_char` of int4, int8,
//! numeric, float4 and float8, `to_number`, `to_date` and
//! `to_timestamp(text, text)` (the latter in the session's zone). The
//! templates are interpreted by `utils::adt::num_format` and
//! `utils::adt::datetime_parse`; `to_char` of timestamps and intervals
//! is in `date_funcs`.

use super::{f, fl, int, s as text, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{USECS_PER_DAY, USECS_PER_SEC};
use crate::types::oid::{DATE, FLOAT4, FLOAT8, INT4, INT8, NUMERIC, TEXT, TIMESTAMPTZ};
use crate::types::timezone;
use crate::types::{Numeric, Value};
use crate::utils::adt::datetime_parse::{self, Parsed};
use crate::utils::adt::num_format::{self, NumArg};

/// Julian day 0 (4714-11-24 BC) and 5874898-01-01, in days since
/// 2000-01-01: the range of date.
const DATE_MIN_DAYS: i64 = -2_451_545;
const DATE_END_DAYS: i64 = 2_147_483_494 - 2_451_545;
/// The range of timestamp, in microseconds since 2000-01-01.
const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;

fn to_date(input: &str, template: &str) -> PgResult<Value> {
    let p = datetime_parse::to_timestamp_fields(input, template)?;
    let out_of_range = || {
        PgError::new(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            format!("date out of range: \"{input}\""),
        )
    };
    if !datetime_parse::valid_julian(&p) {
        return Err(out_of_range());
    }
    let days = datetime_parse::pg_days(&p);
    if !(DATE_MIN_DAYS..DATE_END_DAYS).contains(&days) {
        return Err(out_of_range());
    }
    Ok(Value::Date(days as i32))
}

/// AdjustTimestampForTypmod: rounded to `prec` decimals, half away from
/// zero.
fn round_to_precision(t: i64, prec: i64) -> i64 {
    if !(0..6).contains(&prec) {
        return t;
    }
    let scale = 10i64.pow(6 - prec as u32);
    let half = scale / 2;
    if t >= 0 {
        (t + half) / scale * scale
    } else {
        -((-t + half) / scale * scale)
    }
}

fn to_timestamp(input: &str, template: &str) -> PgResult<Value> {
    let p: Parsed = datetime_parse::to_timestamp_fields(input, template)?;
    let out_of_range = || PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    if !datetime_parse::valid_julian(&p) {
        return Err(out_of_range());
    }
    let local = datetime_parse::pg_days(&p)
        .checked_mul(USECS_PER_DAY)
        .and_then(|d| d.checked_add(((p.hour * 60 + p.min) * 60 + p.sec) * USECS_PER_SEC + p.usec))
        .ok_or_else(out_of_range)?;
    let t = match p.offset {
        Some(off) => local - off * USECS_PER_SEC,
        None => timezone::with_session(|tz| timezone::local_to_utc(tz, local)),
    };
    if !(MIN_TIMESTAMP..END_TIMESTAMP).contains(&t) {
        return Err(out_of_range());
    }
    let t = if p.fprec > 0 {
        round_to_precision(t, p.fprec)
    } else {
        t
    };
    Ok(Value::TimestampTz(t))
}

fn numeric(v: &Value) -> &Numeric {
    match v {
        Value::Numeric(n) => n,
        _ => &Numeric::NaN,
    }
}

pub static FORMATTING_FUNCS: &[FuncDef] = &[
    f("to_char", &[INT4, TEXT], TEXT, |_, a| {
        num_format::to_char(NumArg::Int4(int(&a[0]) as i32), text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[INT8, TEXT], TEXT, |_, a| {
        num_format::to_char(NumArg::Int8(int(&a[0])), text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[NUMERIC, TEXT], TEXT, |_, a| {
        num_format::to_char(NumArg::Numeric(numeric(&a[0])), text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[FLOAT4, TEXT], TEXT, |_, a| {
        num_format::to_char(NumArg::Float4(fl(&a[0]) as f32), text(&a[1])).map(Value::Text)
    }),
    f("to_char", &[FLOAT8, TEXT], TEXT, |_, a| {
        num_format::to_char(NumArg::Float8(fl(&a[0])), text(&a[1])).map(Value::Text)
    }),
    f("to_number", &[TEXT, TEXT], NUMERIC, |_, a| {
        Ok(num_format::to_number(text(&a[0]), text(&a[1]))?.map_or(Value::Null, Value::Numeric))
    }),
    f("to_date", &[TEXT, TEXT], DATE, |_, a| {
        to_date(text(&a[0]), text(&a[1]))
    }),
    f("to_timestamp", &[TEXT, TEXT], TIMESTAMPTZ, |_, a| {
        to_timestamp(text(&a[0]), text(&a[1]))
    }),
];
