//! Operators and casts on values: the run-time half of PostgreSQL's
//! operator and cast functions (int4pl, numeric_div, float8_cmp,
//! int4_numeric, text → type input, ...). The analyzer has already
//! chosen operand types (see `coerce`), so each operator here sees the
//! operand types its PostgreSQL counterpart is declared with.

use std::cmp::Ordering;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{self, Interval, USECS_PER_DAY};
use crate::types::{self, oid, timezone, Numeric, Oid, Value};

/// Binary operators pgfork knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Concat => "||",
            BinOp::Eq => "=",
            BinOp::Ne => "<>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// "integer out of range" and friends.
pub fn int_out_of_range(t: Oid) -> PgError {
    let what = match t {
        oid::INT2 => "smallint",
        oid::INT8 => "bigint",
        _ => "integer",
    };
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("{what} out of range"),
    )
}

pub fn division_by_zero() -> PgError {
    PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero")
}

fn float_overflow() -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow",
    )
}

/// numeric → float beyond the float's range: float8in's error on the
/// numeric's text, as PostgreSQL converts it.
fn numeric_float_range(n: &Numeric, ty: &str) -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("\"{n}\" is out of range for type {ty}"),
    )
}

fn ts_out_of_range() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

fn interval_out_of_range() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

fn check_f64(v: f64, a: f64, b: f64) -> PgResult<f64> {
    if v.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(float_overflow());
    }
    Ok(v)
}

fn check_f32(v: f32, a: f32, b: f32) -> PgResult<f32> {
    if v.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(float_overflow());
    }
    Ok(v)
}

macro_rules! int_arith {
    ($op:expr, $a:expr, $b:expr, $ty:expr, $ctor:path) => {{
        let (a, b) = ($a, $b);
        let r = match $op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div => {
                if b == 0 {
                    return Err(division_by_zero());
                }
                a.checked_div(b)
            }
            BinOp::Mod => {
                if b == 0 {
                    return Err(division_by_zero());
                }
                // MIN % -1 is 0, not an overflow.
                Some(a.checked_rem(b).unwrap_or(0))
            }
            _ => return Err(no_runtime_op($op)),
        };
        Ok($ctor(r.ok_or_else(|| int_out_of_range($ty))?))
    }};
}

fn no_runtime_op(op: BinOp) -> PgError {
    PgError::internal(format!(
        "operator {} has no implementation for these types",
        op.symbol()
    ))
}

/// Evaluates a non-comparison binary operator on non-null operands.
pub fn arith(op: BinOp, a: &Value, b: &Value) -> PgResult<Value> {
    use Value as V;
    match (a, b) {
        (V::Int2(x), V::Int2(y)) => int_arith!(op, *x, *y, oid::INT2, V::Int2),
        (V::Int4(x), V::Int4(y)) => int_arith!(op, *x, *y, oid::INT4, V::Int4),
        (V::Int8(x), V::Int8(y)) => int_arith!(op, *x, *y, oid::INT8, V::Int8),
        (V::Float8(x), V::Float8(y)) => {
            let (x, y) = (*x, *y);
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => {
                    if y == 0.0 {
                        return Err(division_by_zero());
                    }
                    x / y
                }
                BinOp::Pow => return pow_f64(x, y).map(V::Float8),
                _ => return Err(no_runtime_op(op)),
            };
            Ok(V::Float8(check_f64(r, x, y)?))
        }
        (V::Float4(x), V::Float4(y)) => {
            let (x, y) = (*x, *y);
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => {
                    if y == 0.0 {
                        return Err(division_by_zero());
                    }
                    x / y
                }
                _ => return Err(no_runtime_op(op)),
            };
            Ok(V::Float4(check_f32(r, x, y)?))
        }
        (V::Numeric(x), V::Numeric(y)) => Ok(V::Numeric(match op {
            BinOp::Add => x.add(y)?,
            BinOp::Sub => x.sub(y)?,
            BinOp::Mul => x.mul(y)?,
            BinOp::Div => x.div(y)?,
            BinOp::Mod => x.rem(y)?,
            BinOp::Pow => pow_numeric(x, y)?,
            _ => return Err(no_runtime_op(op)),
        })),
        (V::Text(x), V::Text(y)) if op == BinOp::Concat => Ok(V::Text(format!("{x}{y}"))),
        (V::Bytea(x), V::Bytea(y)) if op == BinOp::Concat => {
            Ok(V::Bytea([x.as_slice(), y.as_slice()].concat()))
        }
        _ => super::timenet::arith(op, a, b).unwrap_or_else(|| datetime_arith(op, a, b)),
    }
}

fn datetime_arith(op: BinOp, a: &Value, b: &Value) -> PgResult<Value> {
    use Value as V;
    let add_iv = |ts: i64, iv: &Interval| {
        datetime::timestamp_add_interval(ts, iv).ok_or_else(ts_out_of_range)
    };
    let date_ts = |d: i32| d as i64 * USECS_PER_DAY;
    match (op, a, b) {
        (BinOp::Add, V::Date(d), V::Int4(n)) | (BinOp::Add, V::Int4(n), V::Date(d)) => {
            Ok(V::Date(d.checked_add(*n).ok_or_else(date_out_of_range)?))
        }
        (BinOp::Sub, V::Date(d), V::Int4(n)) => {
            Ok(V::Date(d.checked_sub(*n).ok_or_else(date_out_of_range)?))
        }
        (BinOp::Sub, V::Date(x), V::Date(y)) => Ok(V::Int4(x.wrapping_sub(*y))),
        (BinOp::Add, V::Date(d), V::Interval(iv)) | (BinOp::Add, V::Interval(iv), V::Date(d)) => {
            Ok(V::Timestamp(add_iv(date_ts(*d), iv)?))
        }
        (BinOp::Sub, V::Date(d), V::Interval(iv)) => {
            Ok(V::Timestamp(add_iv(date_ts(*d), &iv.neg())?))
        }
        (BinOp::Add, V::Timestamp(t), V::Interval(iv))
        | (BinOp::Add, V::Interval(iv), V::Timestamp(t)) => Ok(V::Timestamp(add_iv(*t, iv)?)),
        (BinOp::Add, V::TimestampTz(t), V::Interval(iv))
        | (BinOp::Add, V::Interval(iv), V::TimestampTz(t)) => {
            Ok(V::TimestampTz(timestamptz_add_interval(*t, iv)?))
        }
        (BinOp::Sub, V::Timestamp(t), V::Interval(iv)) => Ok(V::Timestamp(add_iv(*t, &iv.neg())?)),
        (BinOp::Sub, V::TimestampTz(t), V::Interval(iv)) => {
            Ok(V::TimestampTz(timestamptz_add_interval(*t, &iv.neg())?))
        }
        (BinOp::Sub, V::Timestamp(x), V::Timestamp(y))
        | (BinOp::Sub, V::TimestampTz(x), V::TimestampTz(y)) => {
            if [*x, *y].iter().any(|v| *v == i64::MAX || *v == i64::MIN) {
                return Err(PgError::new(
                    sqlstate::DATETIME_FIELD_OVERFLOW,
                    "cannot subtract infinite timestamps",
                ));
            }
            Ok(V::Interval(
                datetime::timestamp_diff(*x, *y).ok_or_else(interval_out_of_range)?,
            ))
        }
        (BinOp::Add, V::Interval(x), V::Interval(y)) => Ok(V::Interval(
            x.checked_add(y).ok_or_else(interval_out_of_range)?,
        )),
        (BinOp::Sub, V::Interval(x), V::Interval(y)) => Ok(V::Interval(
            x.checked_add(&y.neg()).ok_or_else(interval_out_of_range)?,
        )),
        (BinOp::Mul, V::Interval(iv), V::Float8(f))
        | (BinOp::Mul, V::Float8(f), V::Interval(iv)) => Ok(V::Interval(
            iv.mul_f64(*f).ok_or_else(interval_out_of_range)?,
        )),
        (BinOp::Div, V::Interval(iv), V::Float8(f)) => {
            if *f == 0.0 {
                return Err(division_by_zero());
            }
            Ok(V::Interval(
                iv.mul_f64(1.0 / f).ok_or_else(interval_out_of_range)?,
            ))
        }
        _ => Err(no_runtime_op(op)),
    }
}

/// timestamptz + interval as PostgreSQL's timestamptz_pl_interval: months
/// and days move the local time in the session's zone (so a day is 23 or
/// 25 hours across a DST change), the time part moves the instant.
fn timestamptz_add_interval(t: i64, iv: &Interval) -> PgResult<i64> {
    if t == datetime::TS_INFINITY || t == datetime::TS_NEG_INFINITY {
        return Ok(t);
    }
    let mut t = t;
    if iv.months != 0 || iv.days != 0 {
        let calendar = Interval { micros: 0, ..*iv };
        let local = session_utc_to_local(t);
        let moved =
            datetime::timestamp_add_interval(local, &calendar).ok_or_else(ts_out_of_range)?;
        t = session_local_to_utc(moved);
    }
    t.checked_add(iv.micros).ok_or_else(ts_out_of_range)
}

fn date_out_of_range() -> PgError {
    PgError::new(sqlstate::DATETIME_FIELD_OVERFLOW, "date out of range")
}

/// float8 ^ float8 with PostgreSQL's errors.
pub fn pow_f64(x: f64, y: f64) -> PgResult<f64> {
    if x == 0.0 && y < 0.0 {
        return Err(PgError::new(
            "2201F",
            "zero raised to a negative power is undefined",
        ));
    }
    if x < 0.0 && y.fract() != 0.0 {
        return Err(PgError::new(
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(float_overflow());
    }
    if r == 0.0 && x != 0.0 && x.is_finite() && y.is_finite() {
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: underflow",
        ));
    }
    Ok(r)
}

/// numeric ^ numeric, with PostgreSQL's result scales.
pub fn pow_numeric(x: &Numeric, y: &Numeric) -> PgResult<Numeric> {
    types::numeric::math::power(x, y)
}

/// Compares two non-null values of the same (comparison) type.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    use Value as V;
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Int2(x), V::Int2(y)) => x.cmp(y),
        (V::Int4(x), V::Int4(y)) => x.cmp(y),
        (V::Int8(x), V::Int8(y)) => x.cmp(y),
        (V::Oid(x), V::Oid(y)) => x.cmp(y),
        (V::Float4(x), V::Float4(y)) => float_cmp(*x as f64, *y as f64),
        (V::Float8(x), V::Float8(y)) => float_cmp(*x, *y),
        (V::Numeric(x), V::Numeric(y)) => x.cmp_total(y),
        (V::Text(x), V::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (V::Bytea(x), V::Bytea(y)) => x.cmp(y),
        (V::Uuid(x), V::Uuid(y)) => x.cmp(y),
        (V::MacAddr(x), V::MacAddr(y)) => x.cmp(y),
        (V::MacAddr8(x), V::MacAddr8(y)) => x.cmp(y),
        (V::Enum(x), V::Enum(y)) => {
            float_cmp(types::enums::sort_order(*x), types::enums::sort_order(*y))
        }
        (V::Tid(xb, xo), V::Tid(yb, yo)) => (xb, xo).cmp(&(yb, yo)),
        (V::Jsonb(x), V::Jsonb(y)) => types::json::compare(x, y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::Timestamp(x), V::Timestamp(y)) | (V::TimestampTz(x), V::TimestampTz(y)) => x.cmp(y),
        (V::Interval(x), V::Interval(y)) => x.span().cmp(&y.span()),
        (V::Time(x), V::Time(y)) => x.cmp(y),
        (V::TimeTz(x, xz), V::TimeTz(y, yz)) => types::time::cmp_timetz((*x, *xz), (*y, *yz)),
        (V::Inet(x), V::Inet(y)) => types::network::compare(x, y),
        (V::Null, V::Null) => Ordering::Equal,
        (V::Array(..) | V::MdArray(_), V::Array(..) | V::MdArray(_)) => {
            super::arrays::compare_values(a, b)
        }
        (V::Record(x), V::Record(y)) => types::record::compare(x, y, &mut compare),
        (V::Null, _) => Ordering::Greater,
        (_, V::Null) => Ordering::Less,
        // Mixed types only arise from a bug in type resolution; order
        // them by their text so that sorting stays total.
        _ => a.to_text().cmp(&b.to_text()),
    }
}

/// float8_cmp: NaN equals NaN and sorts above everything; -0 = 0.
fn float_cmp(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Applies a comparison operator to an ordering.
pub fn comparison_holds(op: BinOp, ord: Ordering) -> bool {
    match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}

/// Unary minus.
pub fn negate(v: &Value) -> PgResult<Value> {
    use Value as V;
    Ok(match v {
        V::Int2(x) => V::Int2(x.checked_neg().ok_or_else(|| int_out_of_range(oid::INT2))?),
        V::Int4(x) => V::Int4(x.checked_neg().ok_or_else(|| int_out_of_range(oid::INT4))?),
        V::Int8(x) => V::Int8(x.checked_neg().ok_or_else(|| int_out_of_range(oid::INT8))?),
        V::Float4(x) => V::Float4(-x),
        V::Float8(x) => V::Float8(-x),
        V::Numeric(n) => V::Numeric(n.neg()),
        V::Interval(iv) => V::Interval(iv.neg()),
        V::Null => V::Null,
        _ => return Err(PgError::internal("unary minus on a non-numeric value")),
    })
}

/// Whether an implicit cast from `from` to `to` exists (pg_cast
/// castcontext 'i', plus the binary-coercible string types).
pub fn can_coerce_implicitly(from: Oid, to: Oid) -> bool {
    if from == to || from == oid::UNKNOWN {
        return true;
    }
    // Arrays coerce as their elements do (array_coerce).
    let (fe, te) = (types::array_element(from), types::array_element(to));
    if fe != 0 || te != 0 {
        return fe != 0 && te != 0 && can_coerce_implicitly(fe, te);
    }
    let string = |t| matches!(t, oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME);
    match (from, to) {
        (f, t) if string(f) && string(t) => true,
        (oid::CHAR, oid::TEXT) => true,
        (
            oid::INT2,
            oid::INT4 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC | oid::OID,
        ) => true,
        (oid::INT4, oid::INT8 | oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC | oid::OID) => true,
        (oid::INT8, oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC | oid::OID) => true,
        (oid::NUMERIC, oid::FLOAT4 | oid::FLOAT8) => true,
        (oid::FLOAT4, oid::FLOAT8) => true,
        (oid::DATE, oid::TIMESTAMP | oid::TIMESTAMPTZ) => true,
        (oid::TIMESTAMP, oid::TIMESTAMPTZ) => true,
        (oid::TIME, oid::INTERVAL | oid::TIMETZ) => true,
        (oid::CIDR, oid::INET) => true,
        (oid::MACADDR, oid::MACADDR8) | (oid::MACADDR8, oid::MACADDR) => true,
        (oid::OID, oid::INT8) => true,
        // Only as xideqint4's and xidneqint4's right operand: `xmin <> 0`
        // (coerce::comparison_type makes xid = int4 an xid comparison).
        (oid::INT4, oid::XID) => true,
        // The OID alias types (pg_cast: integers and oid to each alias,
        // each alias to oid, text and varchar to regclass).
        (oid::INT2 | oid::INT4 | oid::INT8 | oid::OID, t) if types::is_reg_type(t) => true,
        (f, oid::OID) if types::is_reg_type(f) => true,
        (oid::TEXT | oid::VARCHAR, oid::REGCLASS) => true,
        (oid::REGPROCEDURE, oid::REGPROC) => true,
        // Every row type is a record.
        (f, oid::RECORD) => types::composite::by_oid(f).is_some(),
        _ => false,
    }
}

fn cannot_cast(from: Oid, to: Oid) -> PgError {
    PgError::new(
        "42846",
        format!(
            "cannot cast type {} to {}",
            types::type_name(from),
            types::type_name(to)
        ),
    )
}

/// Whether any cast (explicit included) exists from `from` to `to`.
pub fn cast_exists(from: Oid, to: Oid) -> bool {
    if can_coerce_implicitly(from, to) || types::is_text_type(from) || types::is_text_type(to) {
        return true;
    }
    let (fe, te) = (types::array_element(from), types::array_element(to));
    if fe != 0 || te != 0 {
        return fe != 0 && te != 0 && cast_exists(fe, te);
    }
    let num = |t| {
        matches!(
            t,
            oid::INT2 | oid::INT4 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8 | oid::NUMERIC | oid::OID
        )
    };
    if num(from) && num(to) {
        return true;
    }
    if types::is_reg_type(from) && matches!(to, oid::INT4 | oid::INT8) {
        return true;
    }
    matches!(
        (from, to),
        (oid::INT4, oid::BOOL)
            | (oid::BOOL, oid::INT4)
            | (oid::TIMESTAMP | oid::TIMESTAMPTZ, oid::DATE)
            | (oid::TIMESTAMPTZ, oid::TIMESTAMP)
            | (
                oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::TIMETZ | oid::INTERVAL,
                oid::TIME
            )
            | (oid::TIMESTAMPTZ, oid::TIMETZ)
            | (oid::INET, oid::CIDR)
            | (oid::JSON, oid::JSONB)
            | (oid::JSONB, oid::JSON)
            | (
                oid::JSONB,
                oid::BOOL
                    | oid::NUMERIC
                    | oid::INT2
                    | oid::INT4
                    | oid::INT8
                    | oid::FLOAT4
                    | oid::FLOAT8
            )
    )
}

/// jsonb's explicit casts to bool and the numeric types (PostgreSQL
/// 11's jsonb_bool, jsonb_numeric, jsonb_int4...): a boolean to bool, a
/// number to each numeric type as the numeric cast would convert it;
/// anything else is 22023.
fn jsonb_scalar(j: &types::json::Jsonb, to: Oid) -> PgResult<Value> {
    use types::json::Jsonb;
    let numeric_target = matches!(
        to,
        oid::NUMERIC | oid::INT2 | oid::INT4 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8
    );
    if !numeric_target && to != oid::BOOL {
        return Err(cannot_cast(oid::JSONB, to));
    }
    match j {
        Jsonb::Bool(b) if to == oid::BOOL => Ok(Value::Bool(*b)),
        Jsonb::Number(n) if numeric_target => {
            cast_type(Value::Numeric(n.clone()), oid::NUMERIC, to)
        }
        _ => {
            let kind = match j {
                Jsonb::Null => "null",
                Jsonb::Bool(_) => "boolean",
                Jsonb::Number(_) => "numeric",
                Jsonb::String(_) => "string",
                Jsonb::Array(_) => "array",
                Jsonb::Object(_) => "object",
            };
            Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("cannot cast jsonb {kind} to type {}", types::type_name(to)),
            ))
        }
    }
}

/// Checks that a cast exists, for the analyzer.
pub fn check_cast(from: Oid, to: Oid) -> PgResult<()> {
    if cast_exists(from, to) {
        Ok(())
    } else {
        Err(cannot_cast(from, to))
    }
}

/// float → integer as PostgreSQL's rint-based casts (round half even).
fn float_to_int(f: f64, t: Oid, min: f64, max: f64) -> PgResult<i64> {
    let r = f.round_ties_even();
    if f.is_nan() || r < min || r > max {
        return Err(int_out_of_range(t));
    }
    Ok(r as i64)
}

fn int_from_i128(v: i128, t: Oid) -> PgResult<Value> {
    let err = || int_out_of_range(t);
    Ok(match t {
        oid::INT2 => Value::Int2(i16::try_from(v).map_err(|_| err())?),
        oid::INT4 => Value::Int4(i32::try_from(v).map_err(|_| err())?),
        oid::INT8 => Value::Int8(i64::try_from(v).map_err(|_| err())?),
        _ => {
            Value::Oid(u32::try_from(v).map_err(|_| {
                PgError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range")
            })?)
        }
    })
}

/// Casts a non-null value of type `from` to `to`, applying `typmod`
/// (varchar(n), char(n), numeric(p,s)) as an explicit cast does.
pub fn cast(v: Value, from: Oid, to: Oid, typmod: i32) -> PgResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    if from == to && typmod < 0 {
        return Ok(v);
    }
    if types::array_element(from) != 0 && types::array_element(to) != 0 {
        return super::arrays::cast(v, to, typmod);
    }
    let out = cast_type(v, from, to)?;
    apply_typmod(out, to, typmod)
}

fn cast_type(v: Value, from: Oid, to: Oid) -> PgResult<Value> {
    use Value as V;
    if from == to {
        return Ok(v);
    }
    if types::is_text_type(to) {
        return Ok(V::Text(match (&v, from) {
            (V::Bool(b), _) => if *b { "true" } else { "false" }.to_owned(),
            // bpchar → text drops the padding (rtrim).
            (V::Text(s), oid::BPCHAR) => s.trim_end_matches(' ').to_owned(),
            (V::Text(s), _) => s.clone(),
            // text(inet): always with the mask length.
            (V::Inet(n), _) => types::network::text_with_mask(n),
            _ => v.to_text(),
        }));
    }
    if let V::Text(s) = &v {
        return Value::parse_text(to, s);
    }
    if let (V::Jsonb(j), false) = (&v, to == oid::JSON) {
        return jsonb_scalar(j, to);
    }
    let int_of = |v: &Value| -> Option<i128> {
        match v {
            V::Int2(x) => Some(*x as i128),
            V::Int4(x) => Some(*x as i128),
            V::Int8(x) => Some(*x as i128),
            V::Oid(x) => Some(*x as i128),
            _ => None,
        }
    };
    Ok(match (to, &v) {
        (oid::INT2 | oid::INT4 | oid::INT8 | oid::OID, _) if int_of(&v).is_some() => {
            return int_from_i128(int_of(&v).unwrap_or_default(), to)
        }
        // xideqint4's operand: the integer's bits as an xid.
        (oid::XID, V::Int4(x)) => return Ok(V::Oid(*x as u32)),
        // To an OID alias: the number as an OID (a name is read by the
        // analyzer's input conversion, which has the catalog).
        (t, _) if types::is_reg_type(t) && int_of(&v).is_some() => {
            return int_from_i128(int_of(&v).unwrap_or_default(), oid::OID)
        }
        (oid::INT2 | oid::INT4 | oid::INT8, V::Float8(f)) => {
            return int_from_i128(
                float_to_int(*f, to, -9.223372036854776e18, 9.223372036854775e18)? as i128,
                to,
            )
        }
        (oid::INT2 | oid::INT4 | oid::INT8, V::Float4(f)) => {
            return int_from_i128(
                float_to_int(*f as f64, to, -9.223372036854776e18, 9.223372036854775e18)? as i128,
                to,
            )
        }
        (oid::INT2 | oid::INT4 | oid::INT8, V::Numeric(n)) => match n.to_i128_rounded() {
            Some(i) => return int_from_i128(i, to),
            None => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!(
                        "cannot convert {} to {}",
                        if n.is_nan() { "NaN" } else { "infinity" },
                        types::type_name(to)
                    ),
                ))
            }
        },
        (oid::INT4, V::Bool(b)) => V::Int4(*b as i32),
        (oid::BOOL, V::Int4(i)) => V::Bool(*i != 0),
        (oid::FLOAT8, _) => V::Float8(match &v {
            V::Float4(f) => *f as f64,
            V::Numeric(n) => {
                let f = n.to_f64();
                if (f.is_infinite() || f == 0.0) && !n.is_special() && !n.is_zero() {
                    return Err(numeric_float_range(n, "double precision"));
                }
                f
            }
            _ => int_of(&v).ok_or_else(|| cannot_cast(from, to))? as f64,
        }),
        (oid::FLOAT4, _) => V::Float4(match &v {
            V::Float8(f) => {
                let r = *f as f32;
                if r.is_infinite() && f.is_finite() {
                    return Err(float_overflow());
                }
                r
            }
            V::Numeric(n) => {
                let f = n.to_string().parse::<f32>().unwrap_or(f32::NAN);
                if (f.is_infinite() || f == 0.0) && !n.is_special() && !n.is_zero() {
                    return Err(numeric_float_range(n, "real"));
                }
                f
            }
            _ => int_of(&v).ok_or_else(|| cannot_cast(from, to))? as f32,
        }),
        (oid::NUMERIC, _) => V::Numeric(match &v {
            V::Float8(f) => Numeric::from_f64(*f)?,
            V::Float4(f) => Numeric::from_f32(*f)?,
            _ => Numeric::from_i64(int_of(&v).ok_or_else(|| cannot_cast(from, to))? as i64),
        }),
        // Between local and absolute times: in the session's zone.
        (oid::TIMESTAMP, V::Date(d)) => V::Timestamp(date_to_ts(*d)),
        (oid::TIMESTAMPTZ, V::Date(d)) => V::TimestampTz(session_local_to_utc(date_to_ts(*d))),
        (oid::TIMESTAMPTZ, V::Timestamp(t)) => V::TimestampTz(session_local_to_utc(*t)),
        (oid::TIMESTAMP, V::TimestampTz(t)) => V::Timestamp(session_utc_to_local(*t)),
        (oid::DATE, V::Timestamp(t)) => V::Date(ts_to_date(*t)),
        (oid::TIME | oid::TIMETZ | oid::INTERVAL | oid::INET | oid::CIDR, _) => {
            return super::timenet::cast(v.clone(), from, to)
                .ok_or_else(|| cannot_cast(from, to))?
        }
        (oid::MACADDR8, V::MacAddr(m)) => V::MacAddr8(types::macaddr::to_macaddr8(m)),
        (oid::MACADDR, V::MacAddr8(m)) => V::MacAddr(types::macaddr::to_macaddr(m)?),
        (oid::JSONB, V::Json(s)) => V::Jsonb(Box::new(types::json::parse_jsonb(s)?)),
        (oid::JSON, V::Jsonb(j)) => V::Json(j.to_text()),
        (oid::DATE, V::TimestampTz(t)) => V::Date(ts_to_date(session_utc_to_local(*t))),
        _ => return Err(cannot_cast(from, to)),
    })
}

fn session_local_to_utc(t: i64) -> i64 {
    timezone::with_session(|tz| timezone::local_to_utc(tz, t))
}

fn session_utc_to_local(t: i64) -> i64 {
    timezone::with_session(|tz| timezone::utc_to_local(tz, t))
}

fn date_to_ts(d: i32) -> i64 {
    match d {
        datetime::DATE_INFINITY => datetime::TS_INFINITY,
        datetime::DATE_NEG_INFINITY => datetime::TS_NEG_INFINITY,
        d => d as i64 * USECS_PER_DAY,
    }
}

fn ts_to_date(t: i64) -> i32 {
    match t {
        datetime::TS_INFINITY => datetime::DATE_INFINITY,
        datetime::TS_NEG_INFINITY => datetime::DATE_NEG_INFINITY,
        t => t.div_euclid(USECS_PER_DAY) as i32,
    }
}

/// typmod of varchar(n)/char(n) (n + 4) and numeric(p, s).
pub fn apply_typmod(v: Value, t: Oid, typmod: i32) -> PgResult<Value> {
    // time(p) and timetz(p): the precision itself.
    match (t, &v) {
        (oid::TIME, Value::Time(x)) if typmod >= 0 => {
            return Ok(Value::Time(types::time::round(*x, typmod)))
        }
        (oid::TIMETZ, Value::TimeTz(x, z)) if typmod >= 0 => {
            return Ok(Value::TimeTz(types::time::round(*x, typmod), *z))
        }
        (oid::INTERVAL, Value::Interval(iv)) if typmod >= 0 => {
            return Ok(Value::Interval(types::interval_typmod::adjust(*iv, typmod)))
        }
        _ => {}
    }
    if typmod < 4 && !matches!(types::array_element(t), oid::TIME | oid::TIMETZ) {
        return Ok(v);
    }
    if types::array_element(t) != 0 {
        return super::arrays::apply_typmod(v, typmod);
    }
    match (t, v) {
        (oid::VARCHAR, Value::Text(s)) => {
            let n = (typmod - 4) as usize;
            Ok(Value::Text(s.chars().take(n).collect()))
        }
        (oid::BPCHAR, Value::Text(s)) => {
            let n = (typmod - 4) as usize;
            let mut out: String = s.chars().take(n).collect();
            let len = out.chars().count();
            out.extend(std::iter::repeat_n(' ', n - len));
            Ok(Value::Text(out))
        }
        (oid::NUMERIC, Value::Numeric(n)) => {
            let m = typmod - 4;
            // Precision in the high 16 bits, scale an 11-bit signed field.
            let (precision, scale) = ((m >> 16) & 0xffff, ((m & 0x7ff) ^ 1024) - 1024);
            let maxdigits = precision - scale;
            let field_overflow = |detail: String| {
                PgError::new(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "numeric field overflow",
                )
                .with_detail(detail)
            };
            if n.is_inf() {
                return Err(field_overflow(format!(
                    "A field with precision {precision}, scale {scale} cannot hold an infinite value."
                )));
            }
            let r = n.round(scale)?;
            if !r.is_special() {
                // |r| must be below 10^(precision - scale).
                let limit = if maxdigits >= 0 {
                    Numeric::from_parts(types::numeric::pow10_big(maxdigits as u32), 0)?
                } else {
                    Numeric::from_scaled(1, (-maxdigits) as u32)
                };
                if r.abs().cmp_total(&limit) != Ordering::Less {
                    return Err(field_overflow(format!(
                        "A field with precision {precision}, scale {scale} must round to an absolute value less than {}.",
                        if maxdigits != 0 {
                            format!("10^{maxdigits}")
                        } else {
                            "1".into()
                        }
                    )));
                }
            }
            Ok(Value::Numeric(r))
        }
        (_, v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arithmetic_errors() {
        let e = arith(BinOp::Add, &Value::Int4(i32::MAX), &Value::Int4(1)).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("22003", "integer out of range")
        );
        let e = arith(BinOp::Div, &Value::Int8(1), &Value::Int8(0)).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22012", "division by zero"));
        assert_eq!(
            arith(BinOp::Div, &Value::Int4(-7), &Value::Int4(2)).unwrap(),
            Value::Int4(-3)
        );
        assert_eq!(
            arith(BinOp::Mod, &Value::Int4(-7), &Value::Int4(2)).unwrap(),
            Value::Int4(-1)
        );
        assert_eq!(
            arith(BinOp::Mod, &Value::Int4(i32::MIN), &Value::Int4(-1)).unwrap(),
            Value::Int4(0)
        );
        assert_eq!(
            arith(BinOp::Div, &Value::Float8(1.0), &Value::Float8(0.0))
                .unwrap_err()
                .code,
            "22012"
        );
        assert_eq!(
            negate(&Value::Int2(i16::MIN)).unwrap_err().message,
            "smallint out of range"
        );
    }

    #[test]
    fn casts_round_as_postgres() {
        assert_eq!(
            cast(Value::Float8(2.5), oid::FLOAT8, oid::INT4, -1).unwrap(),
            Value::Int4(2)
        );
        assert_eq!(
            cast(Value::Float8(3.5), oid::FLOAT8, oid::INT4, -1).unwrap(),
            Value::Int4(4)
        );
        let n = Value::Numeric(Numeric::parse("2.5").unwrap());
        assert_eq!(
            cast(n, oid::NUMERIC, oid::INT4, -1).unwrap(),
            Value::Int4(3)
        );
        assert_eq!(
            cast(Value::Int8(1 << 40), oid::INT8, oid::INT4, -1)
                .unwrap_err()
                .code,
            "22003"
        );
        assert_eq!(
            cast(Value::Bool(true), oid::BOOL, oid::TEXT, -1).unwrap(),
            Value::Text("true".into())
        );
        let e = cast(Value::Text("abc".into()), oid::TEXT, oid::INT4, -1).unwrap_err();
        assert_eq!(e.message, "invalid input syntax for type integer: \"abc\"");
        let n = cast(
            Value::Text("123.456".into()),
            oid::TEXT,
            oid::NUMERIC,
            ((5 << 16) | 2) + 4,
        )
        .unwrap();
        assert_eq!(n.to_text(), "123.46");
        assert_eq!(
            cast(
                Value::Text("1234.5".into()),
                oid::TEXT,
                oid::NUMERIC,
                ((5 << 16) | 2) + 4
            )
            .unwrap_err()
            .code,
            "22003"
        );
        assert_eq!(
            cast(Value::Text("ab".into()), oid::TEXT, oid::BPCHAR, 4 + 4)
                .unwrap()
                .to_text(),
            "ab  "
        );
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            compare(&Value::Float8(f64::NAN), &Value::Float8(1e300)),
            Ordering::Greater
        );
        assert_eq!(
            compare(&Value::Float8(-0.0), &Value::Float8(0.0)),
            Ordering::Equal
        );
        assert!(comparison_holds(BinOp::Le, Ordering::Equal));
    }
}
