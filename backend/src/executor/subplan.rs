//! Subqueries in expressions (PostgreSQL's SubPlan): EXISTS, scalar
//! subqueries, IN and ARRAY(subquery). An uncorrelated subquery runs once per execution
//! and its result is cached; a correlated one runs for each outer row,
//! with that row pushed on the context's outer-row stack.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::{eval, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::{SubLink, SubLinkKind, SubPlan};
use crate::types::{array, Value};
use crate::utils::adt::{arrays, ops};

use super::build;

/// What a subquery produced, as its SubLink needs it.
enum Outcome {
    Exists(bool),
    Scalar(Value),
    /// IN: the non-null values, sorted, and whether a NULL was seen.
    Set(Vec<Value>, bool),
}

/// Per-execution results of uncorrelated subqueries, by plan address.
#[derive(Default)]
pub struct SubplanCache {
    results: RefCell<HashMap<usize, Rc<Outcome>>>,
    /// WITH RECURSIVE worktables: the previous round's rows, by id.
    pub(crate) worktables: RefCell<HashMap<usize, Rc<Vec<Vec<Value>>>>>,
}

fn run(sub: &SubPlan, kind: SubLinkKind, row: &[Value], ctx: &EvalCtx) -> PgResult<Outcome> {
    let mut stack: Vec<&[Value]> = ctx.outer.to_vec();
    stack.push(row);
    let inner = EvalCtx {
        outer: &stack,
        ..*ctx
    };
    let mut node = build(sub.plan()?);
    match kind {
        SubLinkKind::Exists => Ok(Outcome::Exists(node.next(&inner)?.is_some())),
        SubLinkKind::Scalar => {
            let first = node.next(&inner)?;
            if first.is_some() && node.next(&inner)?.is_some() {
                return Err(PgError::new(
                    sqlstate::CARDINALITY_VIOLATION,
                    "more than one row returned by a subquery used as an expression",
                ));
            }
            Ok(Outcome::Scalar(
                first
                    .and_then(|r| r.into_iter().next())
                    .unwrap_or(Value::Null),
            ))
        }
        SubLinkKind::In => {
            let mut vals = Vec::new();
            let mut saw_null = false;
            while let Some(r) = node.next(&inner)? {
                check_for_interrupts()?;
                match r.into_iter().next() {
                    Some(Value::Null) | None => saw_null = true,
                    Some(v) => vals.push(v),
                }
            }
            let vals = crate::utils::sort::sort_by_interruptible(vals, ops::compare)?;
            Ok(Outcome::Set(vals, saw_null))
        }
        SubLinkKind::Array => {
            let ct = sub.query.columns.first().map_or(0, |c| c.type_oid);
            let mut vals = Vec::new();
            while let Some(r) = node.next(&inner)? {
                check_for_interrupts()?;
                let v = r.into_iter().next().unwrap_or(Value::Null);
                ctx.mem.charge(super::memory::value_bytes(&v))?;
                vals.push(v);
            }
            Ok(Outcome::Scalar(match array::array_element(ct) {
                0 => Value::Array(ct, vals),
                elem => arrays::accumulate(elem, &vals)?,
            }))
        }
    }
}

/// Runs a LANGUAGE plpgsql function with its argument values, handing
/// each result row to `each` (one row of one column for a scalar
/// result) until it returns false. Installed by the interpreter's layer
/// (`pl`), which sits above the executor.
pub type PlHandler = fn(
    &crate::catalog::function::FunctionDesc,
    Vec<Value>,
    &EvalCtx,
    &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
) -> PgResult<()>;

static PL_HANDLER: std::sync::OnceLock<PlHandler> = std::sync::OnceLock::new();

/// Installs the PL/pgSQL call handler (once per process).
pub fn set_pl_handler(h: PlHandler) {
    let _ = PL_HANDLER.set(h);
}

/// Runs the body of a SQL function call for the caller's `row`: its
/// arguments become the body's parameters; `each` gets every row of the
/// body's last query until it returns false. None when STRICT skipped
/// the body (an argument was NULL).
pub fn run_sql_function(
    s: &SubLink,
    row: &[Value],
    ctx: &EvalCtx,
    each: &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
) -> PgResult<Option<()>> {
    let Some(call) = &s.call else {
        return Err(PgError::internal("not a function call"));
    };
    let args = call
        .args
        .iter()
        .map(|a| eval(a, row, ctx))
        .collect::<PgResult<Vec<Value>>>()?;
    if call.strict && args.iter().any(Value::is_null) {
        return Ok(None);
    }
    if let Some(f) = &call.pl {
        let h = PL_HANDLER.get().ok_or_else(|| {
            PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "language plpgsql is not available here",
            )
        })?;
        h(f, args, ctx, each)?;
        return Ok(Some(()));
    }
    let cache = SubplanCache::default();
    let inner = EvalCtx {
        params: &args,
        outer: &[],
        cache: &cache,
        ..*ctx
    };
    let context = || format!("SQL function \"{}\" statement 1", call.name);
    let mut node = build(s.sub.plan()?);
    loop {
        check_for_interrupts()?;
        match node.next(&inner) {
            Ok(Some(r)) => {
                if !each(r)? {
                    break;
                }
            }
            Ok(None) => break,
            Err(mut e) => {
                // Positions in the body mean nothing in the caller's text.
                e.position = None;
                let ctx_line = match e.extra.as_ref().and_then(|x| x.context.clone()) {
                    Some(c) => format!("{c}\n{}", context()),
                    None => context(),
                };
                return Err(e.with_context(ctx_line));
            }
        }
    }
    Ok(Some(()))
}

/// Evaluates a SubLink for `row`.
pub fn eval_sublink(s: &SubLink, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    if s.call.is_some() {
        let mut first = Value::Null;
        run_sql_function(s, row, ctx, &mut |r| {
            first = r.into_iter().next().unwrap_or(Value::Null);
            Ok(false)
        })?;
        if s.ty == crate::types::oid::VOID {
            // A PL/pgSQL void function's value prints as an empty string.
            // A LANGUAGE sql one's is NULL.
            let pl = s
                .call
                .as_ref()
                .and_then(|c| c.pl.as_ref())
                .is_some_and(|f| f.language != "sql");
            return Ok(if pl { Value::Void } else { Value::Null });
        }
        return Ok(first);
    }
    let outcome = if s.sub.correlated {
        Rc::new(run(&s.sub, s.kind, row, ctx)?)
    } else {
        let key = std::sync::Arc::as_ptr(&s.sub) as usize;
        let cached = ctx.cache.results.borrow().get(&key).cloned();
        match cached {
            Some(o) => o,
            None => {
                let o = Rc::new(run(&s.sub, s.kind, row, ctx)?);
                ctx.cache.results.borrow_mut().insert(key, o.clone());
                o
            }
        }
    };
    Ok(match outcome.as_ref() {
        Outcome::Exists(b) => Value::Bool(*b),
        Outcome::Scalar(v) => v.clone(),
        Outcome::Set(vals, saw_null) => {
            let x = match &s.test {
                Some(t) => eval(t, row, ctx)?,
                None => Value::Null,
            };
            if x.is_null() {
                if vals.is_empty() && !saw_null {
                    Value::Bool(false)
                } else {
                    Value::Null
                }
            } else if vals
                .binary_search_by(|v| ops::compare(v, &x))
                .is_ok_and(|i| ops::compare(&vals[i], &x) == Ordering::Equal)
            {
                Value::Bool(true)
            } else if *saw_null {
                Value::Null
            } else {
                Value::Bool(false)
            }
        }
    })
}
