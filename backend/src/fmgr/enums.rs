//! enum_first, enum_last and enum_range (PostgreSQL's enum.c). Each
//! reads its enum type from the argument's declared type, which the
//! analyzer passes as a leading constant (`analyze::expr`'s enum calls),
//! since the arguments may all be NULL.

use super::{f, nonstrict, FnCtx, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::array::oids::{ANYARRAY, ANYENUM};
use crate::types::enums::{self, EnumLabel};
use crate::types::Value;

/// The functions, each with its leading type argument; found by
/// [`lookup`], not by overload resolution.
static ENUM_FUNCS: &[FuncDef] = &[
    nonstrict(f("enum_first", &[ANYENUM, ANYENUM], ANYENUM, first)),
    nonstrict(f("enum_last", &[ANYENUM, ANYENUM], ANYENUM, last)),
    nonstrict(f("enum_range", &[ANYENUM, ANYENUM], ANYARRAY, range_all)),
    nonstrict(f(
        "enum_range",
        &[ANYENUM, ANYENUM, ANYENUM],
        ANYARRAY,
        range,
    )),
];

/// The function `name` of `nargs` user arguments, if it is one of these.
pub fn lookup(name: &str, nargs: usize) -> Option<&'static FuncDef> {
    ENUM_FUNCS
        .iter()
        .find(|d| d.name == name && d.args.len() == nargs + 1)
}

/// The labels of the type in the leading argument, in sort order.
fn labels(args: &[Value]) -> PgResult<(String, Vec<EnumLabel>)> {
    let t = match args.first() {
        Some(Value::Oid(t)) => *t,
        _ => return Err(PgError::internal("enum function without its type")),
    };
    let e = enums::by_oid(t).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("type with OID {t} does not exist"),
        )
    })?;
    Ok((e.name.clone(), e.labels.clone()))
}

fn no_values(name: &str) -> PgError {
    PgError::new(
        sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
        format!("enum {name} contains no values"),
    )
}

fn first(_: &FnCtx, args: &[Value]) -> PgResult<Value> {
    let (name, l) = labels(args)?;
    l.first()
        .map(|l| Value::Enum(l.oid))
        .ok_or_else(|| no_values(&name))
}

fn last(_: &FnCtx, args: &[Value]) -> PgResult<Value> {
    let (name, l) = labels(args)?;
    l.last()
        .map(|l| Value::Enum(l.oid))
        .ok_or_else(|| no_values(&name))
}

fn type_of(args: &[Value]) -> u32 {
    match args.first() {
        Some(Value::Oid(t)) => *t,
        _ => 0,
    }
}

fn range_all(_: &FnCtx, args: &[Value]) -> PgResult<Value> {
    let (_, l) = labels(args)?;
    Ok(Value::Array(
        type_of(args),
        l.iter().map(|l| Value::Enum(l.oid)).collect(),
    ))
}

/// enum_range(lower, upper): the labels from `lower` to `upper`
/// inclusive, a NULL bound being the first or last label.
fn range(_: &FnCtx, args: &[Value]) -> PgResult<Value> {
    let (_, l) = labels(args)?;
    let bound = |v: &Value, open: f64| match v {
        Value::Enum(o) => enums::sort_order(*o),
        _ => open,
    };
    let lo = bound(&args[1], f64::NEG_INFINITY);
    let hi = bound(&args[2], f64::INFINITY);
    Ok(Value::Array(
        type_of(args),
        l.iter()
            .filter(|l| l.sort >= lo && l.sort <= hi)
            .map(|l| Value::Enum(l.oid))
            .collect(),
    ))
}
