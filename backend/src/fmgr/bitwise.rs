//! The integer bitwise operators `&`, `|`, `#` (xor), `<<` and `>>` of
//! smallint, integer and bigint (PostgreSQL's int2and ... int8shr), as
//! operator functions resolved by their symbol. A shift count is taken
//! modulo the width the shift is done in (int4's for smallint, as C's
//! promotion does), as PostgreSQL's C shifts do on x86-64.

use super::{f, FuncDef};
use crate::error::PgResult;
use crate::types::oid::{INT2, INT4, INT8};
use crate::types::Value;

fn i2(v: &Value) -> i16 {
    match v {
        Value::Int2(x) => *x,
        _ => 0,
    }
}

fn i4(v: &Value) -> i32 {
    match v {
        Value::Int4(x) => *x,
        _ => 0,
    }
}

fn i8_(v: &Value) -> i64 {
    match v {
        Value::Int8(x) => *x,
        _ => 0,
    }
}

macro_rules! op {
    ($sym:expr, $t:expr, $get:ident, $wrap:ident, $e:expr) => {
        f($sym, &[$t, $t], $t, |_, a| -> PgResult<Value> {
            let g: fn(_, _) -> _ = $e;
            Ok(Value::$wrap(g($get(&a[0]), $get(&a[1]))))
        })
    };
}

/// The operator functions, smallint's first.
pub static BITWISE_FUNCS: &[FuncDef] = &[
    op!("&", INT2, i2, Int2, |x: i16, y: i16| x & y),
    op!("|", INT2, i2, Int2, |x: i16, y: i16| x | y),
    op!("#", INT2, i2, Int2, |x: i16, y: i16| x ^ y),
    op!("&", INT4, i4, Int4, |x: i32, y: i32| x & y),
    op!("|", INT4, i4, Int4, |x: i32, y: i32| x | y),
    op!("#", INT4, i4, Int4, |x: i32, y: i32| x ^ y),
    op!("&", INT8, i8_, Int8, |x: i64, y: i64| x & y),
    op!("|", INT8, i8_, Int8, |x: i64, y: i64| x | y),
    op!("#", INT8, i8_, Int8, |x: i64, y: i64| x ^ y),
    f("<<", &[INT2, INT4], INT2, |_, a| {
        Ok(Value::Int2(
            i32::from(i2(&a[0])).wrapping_shl(i4(&a[1]) as u32) as i16,
        ))
    }),
    f(">>", &[INT2, INT4], INT2, |_, a| {
        Ok(Value::Int2(
            i32::from(i2(&a[0])).wrapping_shr(i4(&a[1]) as u32) as i16,
        ))
    }),
    f("<<", &[INT4, INT4], INT4, |_, a| {
        Ok(Value::Int4(i4(&a[0]).wrapping_shl(i4(&a[1]) as u32)))
    }),
    f(">>", &[INT4, INT4], INT4, |_, a| {
        Ok(Value::Int4(i4(&a[0]).wrapping_shr(i4(&a[1]) as u32)))
    }),
    f("<<", &[INT8, INT4], INT8, |_, a| {
        Ok(Value::Int8(i8_(&a[0]).wrapping_shl(i4(&a[1]) as u32)))
    }),
    f(">>", &[INT8, INT4], INT8, |_, a| {
        Ok(Value::Int8(i8_(&a[0]).wrapping_shr(i4(&a[1]) as u32)))
    }),
];
