//! Built-in array functions (pg_proc's array family): their polymorphic
//! signatures as PostgreSQL 15 declares them and the calls into
//! `utils::adt::arrays`, which holds the implementations. The operators
//! `@>`, `<@`, `&&` and `||` on arrays are analyzed as calls of
//! arraycontains, arraycontained, arrayoverlap, array_cat, array_append
//! and array_prepend. The set-returning unnest and generate_series are
//! here for the select list, where the planner runs their calls in
//! ProjectSet nodes (`optimizer::srf`); a call left anywhere else fails
//! as PostgreSQL's does in a context that cannot take a set.

use super::{f, nonstrict, FnCtx, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::array::oids::{ANYARRAY, ANYCOMPATIBLE, ANYCOMPATIBLEARRAY, ANYELEMENT};
use crate::types::oid::{BOOL, INT4, INT4_ARRAY, INT8, NUMERIC, TEXT, TEXT_ARRAY};
use crate::types::{oid, Oid, Value};
use crate::utils::adt::arrays;

/// The element type a value suggests, for results built from a NULL
/// array (the executor sets the declared element type afterwards).
fn elem_of(v: &Value) -> Oid {
    match v {
        Value::Bool(_) => oid::BOOL,
        Value::Int2(_) => oid::INT2,
        Value::Int4(_) => oid::INT4,
        Value::Int8(_) => oid::INT8,
        Value::Float4(_) => oid::FLOAT4,
        Value::Float8(_) => oid::FLOAT8,
        Value::Numeric(_) => oid::NUMERIC,
        Value::Bytea(_) => oid::BYTEA,
        Value::Date(_) => oid::DATE,
        Value::Timestamp(_) => oid::TIMESTAMP,
        Value::TimestampTz(_) => oid::TIMESTAMPTZ,
        Value::Interval(_) => oid::INTERVAL,
        Value::Oid(_) => oid::OID,
        _ => oid::TEXT,
    }
}

/// Whether `def` is a set-returning function (unnest, generate_series).
pub fn is_set_returning(def: &FuncDef) -> bool {
    is_set_returning_name(def.name)
}

/// Whether the built-in function `name` returns a set (pg_proc's
/// proretset).
pub fn is_set_returning_name(name: &str) -> bool {
    matches!(
        name,
        "unnest"
            | "generate_series"
            | "generate_subscripts"
            | "pg_partition_ancestors"
            | "_pg_expandarray"
            | "pg_options_to_table"
    ) || super::json::is_json_srf(name)
        || super::json_record::record_function(name).is_some_and(|(_, set, _)| set)
        || super::text_srf::is_text_srf(name)
}

pub(crate) fn set_in_wrong_context(_: &FnCtx, _: &[Value]) -> PgResult<Value> {
    Err(PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        "set-valued function called in context that cannot accept a set",
    ))
}

fn null_if_null_array(a: &[Value], body: impl FnOnce() -> PgResult<Value>) -> PgResult<Value> {
    if a[0].is_null() {
        Ok(Value::Null)
    } else {
        body()
    }
}

/// The array functions.
pub static ARRAY_FUNCS: &[FuncDef] = &[
    // Set-returning functions of the select list.
    f("unnest", &[ANYARRAY], ANYELEMENT, set_in_wrong_context),
    // information_schema._pg_expandarray(anyarray, OUT x anyelement, OUT
    // n int): each element of the first dimension and its position from
    // 1, as a record (`analyze::srf` resolves the schema and the fields).
    f(
        "_pg_expandarray",
        &[ANYARRAY],
        crate::types::oid::RECORD,
        set_in_wrong_context,
    ),
    f("generate_series", &[INT4, INT4], INT4, set_in_wrong_context),
    f(
        "generate_subscripts",
        &[ANYARRAY, INT4],
        INT4,
        set_in_wrong_context,
    ),
    f(
        "generate_subscripts",
        &[ANYARRAY, INT4, BOOL],
        INT4,
        set_in_wrong_context,
    ),
    f(
        "generate_series",
        &[INT4, INT4, INT4],
        INT4,
        set_in_wrong_context,
    ),
    f("generate_series", &[INT8, INT8], INT8, set_in_wrong_context),
    f(
        "generate_series",
        &[oid::TIMESTAMP, oid::TIMESTAMP, oid::INTERVAL],
        oid::TIMESTAMP,
        set_in_wrong_context,
    ),
    f(
        "generate_series",
        &[oid::TIMESTAMPTZ, oid::TIMESTAMPTZ, oid::INTERVAL],
        oid::TIMESTAMPTZ,
        set_in_wrong_context,
    ),
    f(
        "generate_series",
        &[INT8, INT8, INT8],
        INT8,
        set_in_wrong_context,
    ),
    f(
        "generate_series",
        &[NUMERIC, NUMERIC],
        NUMERIC,
        set_in_wrong_context,
    ),
    f(
        "generate_series",
        &[NUMERIC, NUMERIC, NUMERIC],
        NUMERIC,
        set_in_wrong_context,
    ),
    f("array_length", &[ANYARRAY, INT4], INT4, |_, a| {
        arrays::length(&a[0], &a[1])
    }),
    f("array_lower", &[ANYARRAY, INT4], INT4, |_, a| {
        arrays::lower(&a[0], &a[1])
    }),
    f("array_upper", &[ANYARRAY, INT4], INT4, |_, a| {
        arrays::upper(&a[0], &a[1])
    }),
    f("array_ndims", &[ANYARRAY], INT4, |_, a| {
        arrays::ndims(&a[0])
    }),
    f("array_dims", &[ANYARRAY], TEXT, |_, a| {
        arrays::dims_text(&a[0])
    }),
    f("cardinality", &[ANYARRAY], INT4, |_, a| {
        arrays::cardinality(&a[0])
    }),
    nonstrict(f(
        "array_position",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        INT4,
        |_, a| null_if_null_array(a, || arrays::position(&a[0], &a[1], None)),
    )),
    nonstrict(f(
        "array_position",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, INT4],
        INT4,
        |_, a| null_if_null_array(a, || arrays::position(&a[0], &a[1], Some(&a[2]))),
    )),
    nonstrict(f(
        "array_positions",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        INT4_ARRAY,
        |_, a| null_if_null_array(a, || arrays::positions(&a[0], &a[1])),
    )),
    nonstrict(f(
        "array_append",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        |_, a| arrays::append(&a[0], &a[1], elem_of(&a[1])),
    )),
    nonstrict(f(
        "array_prepend",
        &[ANYCOMPATIBLE, ANYCOMPATIBLEARRAY],
        ANYCOMPATIBLEARRAY,
        |_, a| arrays::prepend(&a[0], &a[1], elem_of(&a[0])),
    )),
    nonstrict(f(
        "array_cat",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY],
        ANYCOMPATIBLEARRAY,
        |_, a| arrays::cat(&a[0], &a[1]),
    )),
    nonstrict(f(
        "array_remove",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        |_, a| null_if_null_array(a, || arrays::remove(&a[0], &a[1])),
    )),
    nonstrict(f(
        "array_replace",
        &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, ANYCOMPATIBLE],
        ANYCOMPATIBLEARRAY,
        |_, a| null_if_null_array(a, || arrays::replace(&a[0], &a[1], &a[2])),
    )),
    f("array_to_string", &[ANYARRAY, TEXT], TEXT, |_, a| {
        arrays::to_string(&a[0], &a[1], None)
    }),
    nonstrict(f(
        "array_to_string",
        &[ANYARRAY, TEXT, TEXT],
        TEXT,
        |_, a| {
            if a[1].is_null() {
                return Ok(Value::Null);
            }
            null_if_null_array(a, || arrays::to_string(&a[0], &a[1], Some(&a[2])))
        },
    )),
    nonstrict(f("string_to_array", &[TEXT, TEXT], TEXT_ARRAY, |_, a| {
        arrays::string_to_array(&a[0], &a[1], None)
    })),
    nonstrict(f(
        "string_to_array",
        &[TEXT, TEXT, TEXT],
        TEXT_ARRAY,
        |_, a| arrays::string_to_array(&a[0], &a[1], Some(&a[2])),
    )),
    f("arraycontains", &[ANYARRAY, ANYARRAY], BOOL, |_, a| {
        Ok(Value::Bool(arrays::contains(&a[0], &a[1])?))
    }),
    f("arraycontained", &[ANYARRAY, ANYARRAY], BOOL, |_, a| {
        Ok(Value::Bool(arrays::contains(&a[1], &a[0])?))
    }),
    f("arrayoverlap", &[ANYARRAY, ANYARRAY], BOOL, |_, a| {
        Ok(Value::Bool(arrays::overlap(&a[0], &a[1])?))
    }),
    f("trim_array", &[ANYARRAY, INT4], ANYARRAY, |_, a| {
        arrays::trim(&a[0], &a[1])
    }),
    nonstrict(f(
        "array_fill",
        &[ANYELEMENT, INT4_ARRAY],
        ANYARRAY,
        |_, a| arrays::fill(&a[0], &a[1], None, elem_of(&a[0])),
    )),
    nonstrict(f(
        "array_fill",
        &[ANYELEMENT, INT4_ARRAY, INT4_ARRAY],
        ANYARRAY,
        |_, a| arrays::fill(&a[0], &a[1], Some(&a[2]), elem_of(&a[0])),
    )),
];
