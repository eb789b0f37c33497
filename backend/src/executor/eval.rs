//! Expression evaluation against a row (PostgreSQL's ExecEvalExpr), with
//! SQL's three-valued logic, and the context it runs in.

use std::cmp::Ordering;
use std::ops::Deref;

use crate::error::{PgError, PgResult};
use crate::executor::memory::MemBudget;
use crate::executor::subplan::{self, SubplanCache};
use crate::fmgr::FnCtx;
use crate::nodes::expr::Expr;
use crate::types::Value;
use crate::utils::adt::like::like;
use crate::utils::adt::ops::{self};

/// Everything evaluation needs besides the row: what built-in functions
/// see (`FnCtx`: session, settings, catalog, transaction) and the
/// executor's own state.
#[derive(Clone, Copy)]
pub struct EvalCtx<'a> {
    pub fcx: FnCtx<'a>,
    pub params: &'a [Value],
    /// Rows of the enclosing queries, innermost last ([`Expr::Outer`]).
    pub outer: &'a [&'a [Value]],
    /// Results of uncorrelated subqueries, computed once per execution.
    pub cache: &'a SubplanCache,
    /// What the statement's sorts, hash tables and buffered rows may hold.
    pub mem: &'a MemBudget,
}

impl<'a> Deref for EvalCtx<'a> {
    type Target = FnCtx<'a>;
    fn deref(&self) -> &FnCtx<'a> {
        &self.fcx
    }
}

fn eval_bool(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<Option<bool>> {
    match eval(e, row, ctx)? {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        v => Err(PgError::internal(format!("expected a boolean, got {v:?}"))),
    }
}

/// Evaluates `e` against `row`.
pub fn eval(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    crate::stack::check_stack_depth()?;
    Ok(match e {
        Expr::Const(v, _) => v.clone(),
        Expr::Param(i, _) => ctx.params.get(*i).cloned().ok_or_else(|| {
            PgError::new(
                crate::error::sqlstate::UNDEFINED_PARAMETER,
                format!("there is no parameter ${}", i + 1),
            )
        })?,
        Expr::Column(i, _) => row
            .get(*i)
            .cloned()
            .ok_or_else(|| PgError::internal(format!("column {i} out of range")))?,
        Expr::Outer(depth, i, _) => ctx
            .outer
            .len()
            .checked_sub(*depth)
            .and_then(|d| ctx.outer[d].get(*i))
            .cloned()
            .ok_or_else(|| PgError::internal(format!("outer column {depth}.{i} out of range")))?,
        Expr::SubLink(s) => subplan::eval_sublink(s, row, ctx)?,
        Expr::Binary(op, a, b, _) => {
            let (x, y) = (eval(a, row, ctx)?, eval(b, row, ctx)?);
            if x.is_null() || y.is_null() {
                return Ok(Value::Null);
            }
            if op.is_comparison() {
                Value::Bool(ops::comparison_holds(*op, ops::compare(&x, &y)))
            } else {
                ops::arith(*op, &x, &y)?
            }
        }
        Expr::Neg(a) => ops::negate(&eval(a, row, ctx)?)?,
        Expr::Not(a) => match eval_bool(a, row, ctx)? {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::And(a, b) => {
            let x = eval_bool(a, row, ctx)?;
            if x == Some(false) {
                return Ok(Value::Bool(false));
            }
            match (x, eval_bool(b, row, ctx)?) {
                (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Or(a, b) => {
            let x = eval_bool(a, row, ctx)?;
            if x == Some(true) {
                return Ok(Value::Bool(true));
            }
            match (x, eval_bool(b, row, ctx)?) {
                (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        // A row IS NULL when every field is, IS NOT NULL when none is.
        Expr::IsNull(a, negated) => match eval(a, row, ctx)? {
            Value::Record(r) => Value::Bool(r.iter().all(|(_, v)| v.is_null() != *negated)),
            v => Value::Bool(v.is_null() != *negated),
        },
        Expr::IsBool(a, want, negated) => {
            let is = eval_bool(a, row, ctx)? == Some(*want);
            Value::Bool(is != *negated)
        }
        Expr::Distinct(a, b, not) => {
            let (x, y) = (eval(a, row, ctx)?, eval(b, row, ctx)?);
            let same = match (x.is_null(), y.is_null()) {
                (true, true) => true,
                (false, false) => ops::compare(&x, &y) == Ordering::Equal,
                _ => false,
            };
            Value::Bool(same == *not)
        }
        Expr::DomainCheck(d) => {
            let v = eval(&d.arg, row, ctx)?;
            check_domain(d, v, ctx)?
        }
        Expr::Row(r) => {
            let mut fields = Vec::with_capacity(r.args.len());
            for a in &r.args {
                let t = match a.ty() {
                    crate::types::oid::UNKNOWN => crate::types::oid::TEXT,
                    t => t,
                };
                fields.push((t, eval(a, row, ctx)?));
            }
            Value::Record(Box::new(crate::types::record::RecordValue {
                typ: r.ty,
                names: Some(r.names.clone()),
                fields,
            }))
        }
        Expr::FieldSelect(a, i, _, _) => match eval(a, row, ctx)? {
            Value::Record(mut f) if *i < f.len() => f.swap_remove(*i).1,
            _ => Value::Null,
        },
        Expr::Cast(a, to, typmod) => {
            let v = eval(a, row, ctx)?;
            ops::cast(v, a.ty(), *to, *typmod)?
        }
        Expr::Case { whens, default, .. } => {
            for (cond, result) in whens {
                if eval_bool(cond, row, ctx)? == Some(true) {
                    return eval(result, row, ctx);
                }
            }
            match default {
                Some(d) => eval(d, row, ctx)?,
                None => Value::Null,
            }
        }
        Expr::Coalesce(args, _) => {
            for a in args {
                let v = eval(a, row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Expr::NullIf(a, b) => {
            let x = eval(a, row, ctx)?;
            let y = eval(b, row, ctx)?;
            if !x.is_null() && !y.is_null() && ops::compare(&x, &y) == Ordering::Equal {
                Value::Null
            } else {
                x
            }
        }
        Expr::MinMax(greatest, args, _) => {
            let mut best = Value::Null;
            for a in args {
                let v = eval(a, row, ctx)?;
                if v.is_null() {
                    continue;
                }
                let better = best.is_null() || {
                    let o = ops::compare(&v, &best);
                    if *greatest {
                        o == Ordering::Greater
                    } else {
                        o == Ordering::Less
                    }
                };
                if better {
                    best = v;
                }
            }
            best
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let x = eval(expr, row, ctx)?;
            if x.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for item in list {
                let y = eval(item, row, ctx)?;
                if y.is_null() {
                    saw_null = true;
                } else if ops::compare(&x, &y) == Ordering::Equal {
                    return Ok(Value::Bool(!negated));
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        Expr::Like {
            expr,
            pattern,
            escape,
            case_insensitive,
            negated,
        } => {
            let (x, p) = (eval(expr, row, ctx)?, eval(pattern, row, ctx)?);
            let esc = match escape {
                Some(e) => eval(e, row, ctx)?,
                None => Value::Text("\\".into()),
            };
            match (x, p, esc) {
                (Value::Text(s), Value::Text(p), Value::Text(e)) => {
                    let m = like(&s, &p, &e, *case_insensitive)?;
                    Value::Bool(m != *negated)
                }
                _ => Value::Null,
            }
        }
        Expr::Func(def, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                let v = eval(a, row, ctx)?;
                if def.strict && v.is_null() {
                    return Ok(Value::Null);
                }
                vals.push(v);
            }
            let v = (def.imp)(ctx, &vals)?;
            if crate::types::array::is_polymorphic_array(def.ret) {
                // Built from values alone; the element type is declared.
                let elem = crate::types::array_element(e.ty());
                crate::types::array::with_elem(v, elem)
            } else {
                v
            }
        }
        Expr::ArrayExpr { .. } | Expr::Subscript(_) | Expr::ArrayOp(_) => {
            super::arrayexpr::eval_array(e, row, ctx)?
        }
        Expr::Agg(_) => {
            return Err(PgError::new(
                crate::error::sqlstate::GROUPING_ERROR,
                "aggregate functions are not allowed here",
            ))
        }
        Expr::Grouping(_) => {
            return Err(PgError::new(
                crate::error::sqlstate::GROUPING_ERROR,
                "grouping operations are not allowed here",
            ))
        }
        Expr::WindowFunc(_) => {
            return Err(PgError::new(
                crate::error::sqlstate::WINDOWING_ERROR,
                "window functions are not allowed here",
            ))
        }
    })
}

/// Whether a predicate holds (NULL counts as false), for WHERE/HAVING.
pub fn eval_predicate(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<bool> {
    Ok(eval_bool(e, row, ctx)? == Some(true))
}

/// A domain's constraints on value `v` (PostgreSQL's ExecEvalConstraint*):
/// 23502 for a NULL when NOT NULL, 23514 for a CHECK that is false (NULL
/// passes), with the constraint field.
pub fn check_domain(
    d: &crate::nodes::expr::DomainCheck,
    v: Value,
    ctx: &EvalCtx,
) -> PgResult<Value> {
    if d.not_null && v.is_null() {
        return Err(PgError::new(
            crate::error::sqlstate::NOT_NULL_VIOLATION,
            format!("domain {} does not allow null values", d.domain),
        ));
    }
    let row = [v];
    for (name, e) in &d.checks {
        if let Value::Bool(false) = eval(e, &row, ctx)? {
            return Err(PgError::new(
                crate::error::sqlstate::CHECK_VIOLATION,
                format!(
                    "value for domain {} violates check constraint \"{name}\"",
                    d.domain
                ),
            )
            .with_constraint(name));
        }
    }
    let [v] = row;
    Ok(v)
}
