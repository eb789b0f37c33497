//! The SQL/JSON path functions: `jsonb_path_exists`, `jsonb_path_match`,
//! `jsonb_path_query` (set-returning: its rows come from [`query_rows`]
//! through `text_srf`), `jsonb_path_query_array`, `jsonb_path_query_first`
//! (each with optional `vars` and `silent`, and a `_tz` twin, the same
//! here since pgfork's paths have no datetime items), and the operators
//! `@?` and `@@` (silent, no variables).

use super::arrays::set_in_wrong_context;
use super::{f, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::json::Jsonb;
use crate::types::oid::{BOOL, JSONB, JSONPATH};
use crate::types::{jsonpath, Value};
use crate::utils::adt::jsonpath_exec::{run, Res};

fn doc(v: &Value) -> PgResult<&Jsonb> {
    match v {
        Value::Jsonb(j) => Ok(j),
        _ => Err(PgError::internal(
            "jsonpath function without a jsonb argument",
        )),
    }
}

/// The values of the path `a[1]` over `a[0]` (vars `a[2]`, silent
/// `a[3]`): the values found, and whether evaluation stopped at an
/// error that `silent` suppressed (PostgreSQL keeps the values found
/// before it).
fn evaluate(a: &[Value], want_all: bool) -> PgResult<(Vec<Jsonb>, Result<Res, ()>, bool)> {
    let d = doc(&a[0])?;
    let path = match &a[1] {
        Value::Text(t) => jsonpath::parse(t)?,
        _ => return Err(PgError::internal("jsonpath function without a path")),
    };
    // Called without `vars`, the default '{}'; the operators pass NULL
    // (no variables object).
    let empty = Jsonb::Object(Vec::new());
    let vars = match a.get(2) {
        Some(Value::Jsonb(v)) => {
            if !matches!(**v, Jsonb::Object(_)) {
                return Err(PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "\"vars\" argument is not an object",
                )
                .with_detail(
                    "Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.",
                ));
            }
            Some(&**v)
        }
        None => Some(&empty),
        Some(_) => None,
    };
    let silent = matches!(a.get(3), Some(Value::Bool(true)));
    let out = run(&path, d, vars, want_all)?;
    let res = match out.res {
        Ok(r) => Ok(r),
        Err(e) if !silent => return Err(e),
        Err(_) => Err(()),
    };
    Ok((out.values, res, silent))
}

fn exists(a: &[Value]) -> PgResult<Value> {
    Ok(match evaluate(a, false)?.1 {
        Ok(r) => Value::Bool(r == Res::Found),
        Err(()) => Value::Null,
    })
}

fn path_match(a: &[Value]) -> PgResult<Value> {
    let (vals, _, silent) = evaluate(a, true)?;
    match vals.as_slice() {
        [Jsonb::Bool(b)] => return Ok(Value::Bool(*b)),
        [Jsonb::Null] => return Ok(Value::Null),
        _ => {}
    }
    if !silent {
        return Err(PgError::new("22038", "single boolean result is expected"));
    }
    Ok(Value::Null)
}

/// jsonb_path_query's rows (none for a NULL argument).
pub fn query_rows(a: &[Value]) -> PgResult<Vec<Value>> {
    if a.iter().any(Value::is_null) {
        return Ok(Vec::new());
    }
    Ok(evaluate(a, true)?
        .0
        .into_iter()
        .map(|v| Value::Jsonb(Box::new(v)))
        .collect())
}

fn query_array(a: &[Value]) -> PgResult<Value> {
    Ok(Value::Jsonb(Box::new(Jsonb::Array(evaluate(a, true)?.0))))
}

fn query_first(a: &[Value]) -> PgResult<Value> {
    Ok(evaluate(a, true)?
        .0
        .into_iter()
        .next()
        .map_or(Value::Null, |v| Value::Jsonb(Box::new(v))))
}

/// The operators' arguments: no variables object (a variable is then
/// null), silent.
fn silent_args(a: &[Value]) -> [Value; 4] {
    [a[0].clone(), a[1].clone(), Value::Null, Value::Bool(true)]
}

const A2: &[u32] = &[JSONB, JSONPATH];
const A3: &[u32] = &[JSONB, JSONPATH, JSONB];
const A4: &[u32] = &[JSONB, JSONPATH, JSONB, BOOL];

pub static JSONPATH_FUNCS: &[FuncDef] = &[
    f("@?", A2, BOOL, |_, a| exists(&silent_args(a))),
    f("@@", A2, BOOL, |_, a| path_match(&silent_args(a))),
    f("jsonb_path_exists_opr", A2, BOOL, |_, a| {
        exists(&silent_args(a))
    }),
    f("jsonb_path_match_opr", A2, BOOL, |_, a| {
        path_match(&silent_args(a))
    }),
    f("jsonb_path_exists", A4, BOOL, |_, a| exists(a)),
    f("jsonb_path_exists", A3, BOOL, |_, a| exists(a)),
    f("jsonb_path_exists", A2, BOOL, |_, a| exists(a)),
    f("jsonb_path_exists_tz", A4, BOOL, |_, a| exists(a)),
    f("jsonb_path_exists_tz", A3, BOOL, |_, a| exists(a)),
    f("jsonb_path_exists_tz", A2, BOOL, |_, a| exists(a)),
    f("jsonb_path_match", A4, BOOL, |_, a| path_match(a)),
    f("jsonb_path_match", A3, BOOL, |_, a| path_match(a)),
    f("jsonb_path_match", A2, BOOL, |_, a| path_match(a)),
    f("jsonb_path_match_tz", A4, BOOL, |_, a| path_match(a)),
    f("jsonb_path_match_tz", A3, BOOL, |_, a| path_match(a)),
    f("jsonb_path_match_tz", A2, BOOL, |_, a| path_match(a)),
    f("jsonb_path_query_array", A4, JSONB, |_, a| query_array(a)),
    f("jsonb_path_query_array", A3, JSONB, |_, a| query_array(a)),
    f("jsonb_path_query_array", A2, JSONB, |_, a| query_array(a)),
    f("jsonb_path_query_array_tz", A4, JSONB, |_, a| {
        query_array(a)
    }),
    f("jsonb_path_query_array_tz", A3, JSONB, |_, a| {
        query_array(a)
    }),
    f("jsonb_path_query_array_tz", A2, JSONB, |_, a| {
        query_array(a)
    }),
    f("jsonb_path_query_first", A4, JSONB, |_, a| query_first(a)),
    f("jsonb_path_query_first", A3, JSONB, |_, a| query_first(a)),
    f("jsonb_path_query_first", A2, JSONB, |_, a| query_first(a)),
    f("jsonb_path_query_first_tz", A4, JSONB, |_, a| {
        query_first(a)
    }),
    f("jsonb_path_query_first_tz", A3, JSONB, |_, a| {
        query_first(a)
    }),
    f("jsonb_path_query_first_tz", A2, JSONB, |_, a| {
        query_first(a)
    }),
    // Set-returning (rows from query_rows, through text_srf).
    f("jsonb_path_query", A4, JSONB, set_in_wrong_context),
    f("jsonb_path_query", A3, JSONB, set_in_wrong_context),
    f("jsonb_path_query", A2, JSONB, set_in_wrong_context),
    f("jsonb_path_query_tz", A4, JSONB, set_in_wrong_context),
    f("jsonb_path_query_tz", A3, JSONB, set_in_wrong_context),
    f("jsonb_path_query_tz", A2, JSONB, set_in_wrong_context),
];
