//! Functions and operators of `macaddr` and `macaddr8` (PostgreSQL's
//! mac.c and mac8.c): trunc, macaddr8_set7bit and the operators `~`,
//! `&`, `|` resolved by their symbol. Comparison, btree indexing and the
//! casts between the two types are `utils::adt::ops`'; the pure work is
//! in `types::macaddr`.

use super::{f, FuncDef};
use crate::types::macaddr;
use crate::types::oid::{MACADDR, MACADDR8};
use crate::types::Value;

fn m6(v: &Value) -> [u8; 6] {
    match v {
        Value::MacAddr(m) => *m,
        _ => [0; 6],
    }
}

fn m8(v: &Value) -> [u8; 8] {
    match v {
        Value::MacAddr8(m) => *m,
        _ => [0; 8],
    }
}

pub static MACADDR_FUNCS: &[FuncDef] = &[
    f("trunc", &[MACADDR], MACADDR, |_, a| {
        Ok(Value::MacAddr(macaddr::trunc(&m6(&a[0]))))
    }),
    f("trunc", &[MACADDR8], MACADDR8, |_, a| {
        Ok(Value::MacAddr8(macaddr::trunc(&m8(&a[0]))))
    }),
    f("macaddr8_set7bit", &[MACADDR8], MACADDR8, |_, a| {
        Ok(Value::MacAddr8(macaddr::set7bit(&m8(&a[0]))))
    }),
    f("~", &[MACADDR], MACADDR, |_, a| {
        Ok(Value::MacAddr(macaddr::not(&m6(&a[0]))))
    }),
    f("&", &[MACADDR, MACADDR], MACADDR, |_, a| {
        Ok(Value::MacAddr(macaddr::and_or(
            &m6(&a[0]),
            &m6(&a[1]),
            true,
        )))
    }),
    f("|", &[MACADDR, MACADDR], MACADDR, |_, a| {
        Ok(Value::MacAddr(macaddr::and_or(
            &m6(&a[0]),
            &m6(&a[1]),
            false,
        )))
    }),
    f("~", &[MACADDR8], MACADDR8, |_, a| {
        Ok(Value::MacAddr8(macaddr::not(&m8(&a[0]))))
    }),
    f("&", &[MACADDR8, MACADDR8], MACADDR8, |_, a| {
        Ok(Value::MacAddr8(macaddr::and_or(
            &m8(&a[0]),
            &m8(&a[1]),
            true,
        )))
    }),
    f("|", &[MACADDR8, MACADDR8], MACADDR8, |_, a| {
        Ok(Value::MacAddr8(macaddr::and_or(
            &m8(&a[0]),
            &m8(&a[1]),
            false,
        )))
    }),
];
