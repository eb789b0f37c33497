//! pg_proc rows of user-defined functions and procedures, in the
//! column order of `catalog::describe_views`' pg_proc.

use crate::catalog::function::{BodyKind, FunctionDesc};
use crate::fmgr::FnCtx;
use crate::types::{array, oid, Oid, Value};

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn ch(c: char) -> Value {
    Value::Text(c.to_string())
}

fn row(f: &FunctionDesc, owner: Oid) -> Vec<Value> {
    let inputs = f.input_types();
    let all_in = f.all_in();
    let named = f.args.iter().any(|a| !a.name.is_empty());
    let defaults: Vec<&str> = f
        .input_args()
        .filter_map(|a| a.default.as_deref())
        .collect();
    vec![
        Value::Oid(f.oid),
        text(&f.name),
        Value::Oid(f.namespace),
        Value::Oid(owner),
        Value::Oid(f.language_oid()),
        Value::Float4(f.cost),
        Value::Float4(f.rows),
        // provariadic: the VARIADIC argument's element type.
        Value::Oid(f.variadic_type().map_or(0, array::array_element)),
        Value::Oid(0),
        ch(f.kind),
        Value::Bool(f.security_definer),
        Value::Bool(f.leakproof),
        Value::Bool(f.strict),
        Value::Bool(f.retset),
        ch(f.volatility),
        ch(f.parallel),
        Value::Int2(inputs.len() as i16),
        Value::Int2(defaults.len() as i16),
        Value::Oid(f.ret),
        array::vector(oid::OID, inputs.iter().map(|t| Value::Oid(*t)).collect()),
        if all_in {
            Value::Null
        } else {
            Value::Array(oid::OID, f.args.iter().map(|a| Value::Oid(a.ty)).collect())
        },
        if all_in {
            Value::Null
        } else {
            Value::Array(
                oid::CHAR,
                f.args.iter().map(|a| ch(a.mode.letter())).collect(),
            )
        },
        if named {
            Value::Array(oid::TEXT, f.args.iter().map(|a| text(&a.name)).collect())
        } else {
            Value::Null
        },
        if defaults.is_empty() {
            Value::Null
        } else {
            text(&defaults.join(", "))
        },
        Value::Null,
        text(match f.body_kind {
            BodyKind::Text => &f.body,
            BodyKind::Return => "",
        }),
        Value::Null,
        match f.body_kind {
            BodyKind::Return => text(&format!("RETURN {}", f.body)),
            BodyKind::Text => Value::Null,
        },
        Value::Null,
        Value::Null,
    ]
}

/// The pg_proc rows of the catalog's user routines.
pub fn user_proc_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .functions
        .iter()
        .map(|f| row(f, ctx.catalog.owner_of(f.oid)))
        .collect()
}
