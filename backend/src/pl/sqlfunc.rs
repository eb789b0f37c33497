//! LANGUAGE sql bodies that modify data (PostgreSQL's functions.c
//! running a body statement by statement): each INSERT, UPDATE, DELETE
//! or SELECT of the body is compiled through `spi` and run as a command
//! of its own (`StmtXact::next_command`), so that each sees what the
//! ones before it changed; the last one's rows (its RETURNING list, or
//! its query's) are the call's result, converted to the declared result
//! types. Bodies that only read run as one subquery instead
//! (`executor::subplan::run_sql_function`).
//!
//! As in PostgreSQL, a function declared STABLE or IMMUTABLE may not
//! modify data: 0A000 "INSERT is not allowed in a non-volatile
//! function" before any statement runs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::analyze::sqlfunc::{body_scope, body_text, call_result_types};
use crate::catalog::function::FunctionDesc;
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::EvalCtx;
use crate::fmgr::FnCtx;
use crate::types::{oid, Oid, Value};

use super::spi::{self, Action, Compiled};

/// A body's statements compiled against one catalog.
struct CompiledBody {
    text: String,
    catalog: Arc<Catalog>,
    stmts: Vec<Rc<Compiled>>,
}

thread_local! {
    /// Compiled bodies by function OID.
    static BODIES: RefCell<HashMap<Oid, Rc<CompiledBody>>> = RefCell::default();
}

fn compiled(f: &FunctionDesc, catalog: &Arc<Catalog>) -> PgResult<Rc<CompiledBody>> {
    let text = body_text(f);
    let cached = BODIES.with(|m| {
        m.borrow()
            .get(&f.oid)
            .filter(|b| b.text == text && Arc::ptr_eq(&b.catalog, catalog))
            .cloned()
    });
    if let Some(b) = cached {
        return Ok(b);
    }
    let scope = body_scope(f);
    let mut stmts = Vec::new();
    for (i, st) in crate::parser::parse(&text)?.iter().enumerate() {
        let c = spi::compile(&st.text.sql, &scope, catalog, None)
            .map_err(|e| in_statement(e, &f.name, i))?;
        stmts.push(Rc::new(c));
    }
    let b = Rc::new(CompiledBody {
        text,
        catalog: catalog.clone(),
        stmts,
    });
    if f.oid != 0 {
        BODIES.with(|m| m.borrow_mut().insert(f.oid, b.clone()));
    }
    Ok(b)
}

/// An error of statement `i` (0-based) of the body, with PostgreSQL's
/// CONTEXT line.
fn in_statement(mut e: PgError, name: &str, i: usize) -> PgError {
    e.position = None;
    let line = format!("SQL function \"{name}\" statement {}", i + 1);
    let c = match e.extra.as_ref().and_then(|x| x.context.clone()) {
        Some(c) => format!("{c}\n{line}"),
        None => line,
    };
    e.with_context(c)
}

/// Runs the body of `f` with its argument values; the last statement's
/// rows go to `each` (until it returns false; the statement still runs
/// to its end, as PostgreSQL's).
pub fn call(
    f: &FunctionDesc,
    args: Vec<Value>,
    ctx: &EvalCtx,
    each: &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
) -> PgResult<()> {
    crate::stack::check_stack_depth()?;
    let body = compiled(f, ctx.catalog)?;
    if f.volatility != 'v' {
        for c in &body.stmts {
            if let Action::Modify(m) = &c.action {
                let verb = m.tag(0);
                let verb = verb.split(' ').next().unwrap_or("INSERT");
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("{verb} is not allowed in a non-volatile function"),
                )
                .with_context(format!("SQL function \"{}\" during startup", f.name)));
            }
        }
    }
    let want = call_result_types(f);
    let n = body.stmts.len();
    let mut more = true;
    for (i, c) in body.stmts.iter().enumerate() {
        let sx = ctx.xact.next_command()?;
        let inner = EvalCtx {
            fcx: FnCtx {
                xact: &sx,
                ..ctx.fcx
            },
            ..*ctx
        };
        let last = i + 1 == n && f.ret != oid::VOID;
        let cols: Vec<Oid> = c.columns.iter().map(|c| c.type_oid).collect();
        spi::run(c, &inner, &args, &mut |row| {
            if !last || !more {
                return Ok(());
            }
            let mut out = Vec::with_capacity(row.len());
            for (k, v) in row.iter().enumerate() {
                let from = cols.get(k).copied().unwrap_or(oid::UNKNOWN);
                let to = want.get(k).copied().unwrap_or(from);
                out.push(if from == to || to == oid::RECORD {
                    v.clone()
                } else {
                    crate::utils::adt::ops::cast(v.clone(), from, to, -1)?
                });
            }
            more = each(out)?;
            Ok(())
        })
        .map_err(|e| in_statement(e, &f.name, i))?;
    }
    Ok(())
}
