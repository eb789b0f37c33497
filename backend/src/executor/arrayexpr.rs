//! Evaluation of array expressions (PostgreSQL's ExecEvalArrayExpr,
//! ExecEvalSubscriptingRef and ExecEvalScalarArrayOp): ARRAY[...],
//! subscripts and slices, and `x op ANY/ALL (array)` with SQL's NULL
//! rules.

use crate::error::{PgError, PgResult};
use crate::executor::eval::{eval, EvalCtx};
use crate::nodes::expr::{ArrayOpExpr, Expr, SubscriptExpr};
use crate::types::array::{self, array_element};
use crate::types::Value;
use crate::utils::adt::arrays::{self, Sub};
use crate::utils::adt::ops;

/// Evaluates an [`Expr::ArrayExpr`], [`Expr::Subscript`] or
/// [`Expr::ArrayOp`].
pub fn eval_array(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    match e {
        Expr::ArrayExpr {
            elems,
            ty,
            multidims,
        } => {
            let elem = array_element(*ty);
            let vals = elems
                .iter()
                .map(|x| eval(x, row, ctx))
                .collect::<PgResult<Vec<_>>>()?;
            if *multidims {
                arrays::construct_md(elem, &vals)
            } else {
                Ok(Value::Array(elem, vals))
            }
        }
        Expr::Subscript(s) => subscript(s, row, ctx),
        Expr::ArrayOp(a) => array_op(a, row, ctx),
        _ => Err(PgError::internal("not an array expression")),
    }
}

fn subscript(s: &SubscriptExpr, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    let arr = eval(&s.array, row, ctx)?;
    if arr.is_null() {
        return Ok(Value::Null);
    }
    let bound = |x: &Option<Expr>| -> PgResult<Option<Option<i32>>> {
        // Some(None): omitted; None: NULL (the result is NULL).
        match x {
            None => Ok(Some(None)),
            Some(e) => match eval(e, row, ctx)? {
                Value::Int4(i) => Ok(Some(Some(i))),
                _ => Ok(None),
            },
        }
    };
    let mut subs = Vec::with_capacity(s.subs.len());
    for sub in &s.subs {
        let (Some(lower), Some(upper)) = (bound(&sub.lower)?, bound(&sub.upper)?) else {
            return Ok(Value::Null);
        };
        subs.push(Sub {
            lower,
            upper,
            slice: sub.slice,
        });
    }
    if s.is_slice() {
        arrays::slice(&arr, &subs)
    } else {
        let idx: Vec<i32> = subs.iter().map(|s| s.upper.unwrap_or(0)).collect();
        arrays::fetch(&arr, &idx)
    }
}

/// `x op ANY (a)`: true if the comparison holds for some element, NULL if
/// it holds for none but some were NULL, else false (ALL: the dual). An
/// empty array gives false (ANY) or true (ALL) even for a NULL `x`.
fn array_op(a: &ArrayOpExpr, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    let x = eval(&a.left, row, ctx)?;
    let arr = eval(&a.right, row, ctx)?;
    let Some(v) = array::view(&arr) else {
        return Ok(Value::Null);
    };
    if v.items.is_empty() {
        return Ok(Value::Bool(!a.any));
    }
    if x.is_null() {
        return Ok(Value::Null);
    }
    let mut saw_null = false;
    for e in v.items {
        if e.is_null() {
            saw_null = true;
            continue;
        }
        let holds = ops::comparison_holds(a.op, ops::compare(&x, e));
        if holds == a.any {
            return Ok(Value::Bool(a.any));
        }
    }
    Ok(if saw_null {
        Value::Null
    } else {
        Value::Bool(!a.any)
    })
}
