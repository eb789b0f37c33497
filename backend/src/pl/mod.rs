//! PL/pgSQL: functions written in LANGUAGE plpgsql and DO blocks
//! (README.md in this folder says what it covers). A body is parsed
//! once per backend (`parse`) and kept until its function changes; its
//! expressions and SQL statements are compiled by the ordinary analyzer
//! and planner when first run, and again when the catalog or the types
//! of the variables they name change (`spi`); `exec` interprets it.
//!
//! The executor calls functions through the handler [`install`] sets
//! (`executor::subplan::set_pl_handler`), since it sits below this
//! layer; `tcop` runs DO blocks with [`run_do`] and forwards the
//! NOTICEs RAISE queued ([`take_notices`]).

pub mod conditions;
pub mod exec;
pub mod parse;
pub mod scan;
pub mod spi;
pub mod sqlfunc;
pub mod trigger;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::access::xact::StmtXact;
use crate::catalog::function::{ArgMode, FunctionDesc};
use crate::error::{PgError, PgResult};
use crate::executor::eval::EvalCtx;
use crate::types::{oid, Oid, Value};

use exec::{Interp, Var};
use parse::Block;

thread_local! {
    /// Parsed bodies by function OID, with the text they were parsed from.
    static BODIES: RefCell<HashMap<Oid, (String, Rc<Block>)>> = RefCell::default();
    /// RAISE NOTICE/WARNING/INFO messages not yet sent to the client.
    static NOTICES: RefCell<Vec<PgError>> = const { RefCell::new(Vec::new()) };
}

/// Installs the function-call handler the executor uses.
pub fn install() {
    crate::executor::subplan::set_pl_handler(call_function);
    crate::executor::trigger::set_trigger_handler(trigger::call_trigger);
}

/// Queues a notice for the client.
pub fn push_notice(e: PgError) {
    NOTICES.with(|n| n.borrow_mut().push(e));
}

/// The notices queued since the last call.
pub fn take_notices() -> Vec<PgError> {
    NOTICES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Checks a body's syntax (CREATE FUNCTION with check_function_bodies).
pub fn validate(body: &str) -> PgResult<()> {
    parse::parse(body).map(|_| ()).map_err(|e| {
        let mut e = e;
        e.position = None;
        e
    })
}

pub(crate) fn body_of(f: &FunctionDesc) -> PgResult<Rc<Block>> {
    if f.oid != 0 {
        if let Some(b) = BODIES.with(|m| {
            m.borrow()
                .get(&f.oid)
                .filter(|(t, _)| *t == f.body)
                .map(|(_, b)| b.clone())
        }) {
            return Ok(b);
        }
    }
    let b = Rc::new(parse::parse(&f.body)?);
    if f.oid != 0 {
        BODIES.with(|m| m.borrow_mut().insert(f.oid, (f.body.clone(), b.clone())));
    }
    Ok(b)
}

/// Transaction control for a procedure or DO block that runs outside a
/// transaction block and outside any function (PostgreSQL's non-atomic
/// SPI context), implemented by `tcop`: its COMMIT and ROLLBACK end the
/// transaction through the normal commit path, and the rest of the body
/// runs in a new one.
pub trait XactControl {
    /// Commits (or rolls back) the current transaction and starts the
    /// next, which keeps the ended one's isolation level and read-only
    /// mode with `chain`. Returns the new transaction's first command and
    /// its start time (now()).
    fn end_and_begin(&mut self, commit: bool, chain: bool) -> PgResult<(StmtXact, i64)>;
    /// How many transactions ended so far (a caller of a nested CALL
    /// sees whether it ended any).
    fn generation(&self) -> u64;
    /// The next command of the current transaction and its start time
    /// (for a caller whose nested CALL ended its transaction).
    fn resume(&mut self) -> PgResult<(StmtXact, i64)>;
}

/// Runs a LANGUAGE plpgsql function (the executor's handler).
pub fn call_function(
    f: &FunctionDesc,
    args: Vec<Value>,
    ctx: &EvalCtx,
    each: &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
) -> PgResult<()> {
    if f.language == "sql" {
        // A LANGUAGE sql body that modifies data.
        return sqlfunc::call(f, args, ctx, each);
    }
    call_plpgsql(f, args, ctx, each, None, 0)
}

/// CALL of a plpgsql procedure outside a transaction block: its COMMIT
/// and ROLLBACK go through `xctl`.
pub fn call_procedure(
    f: &FunctionDesc,
    args: Vec<Value>,
    ctx: &EvalCtx,
    each: &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
    xctl: &mut dyn XactControl,
) -> PgResult<()> {
    call_plpgsql(f, args, ctx, each, Some(xctl), 0)
}

pub(crate) fn call_plpgsql(
    f: &FunctionDesc,
    args: Vec<Value>,
    ctx: &EvalCtx,
    each: &mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
    xctl: Option<&mut dyn XactControl>,
    subxacts: usize,
) -> PgResult<()> {
    crate::stack::check_stack_depth()?;
    let block = body_of(f)?;
    let types: Vec<String> = f
        .input_args()
        .map(|a| crate::catalog::format_type(a.ty, -1))
        .collect();
    let context = format!("PL/pgSQL function {}({})", f.name, types.join(","));
    let mut vars = Vec::new();
    for (a, v) in f.input_args().zip(args) {
        vars.push(Var::scalar(&a.name, a.ty, v));
    }
    let found = vars.len();
    vars.push(Var::scalar("found", oid::BOOL, Value::Bool(false)));
    // The result columns in argument order: OUT and TABLE arguments get
    // variables of their own, INOUT ones are their input's.
    let mut out_vars = Vec::new();
    let mut input = 0;
    for a in &f.args {
        match a.mode {
            ArgMode::Out | ArgMode::Table => {
                out_vars.push(vars.len());
                vars.push(Var::scalar(&a.name, a.ty, Value::Null));
            }
            ArgMode::InOut => {
                out_vars.push(input);
                input += 1;
            }
            ArgMode::In | ArgMode::Variadic => input += 1,
        }
    }
    let visible = (0..vars.len()).collect();
    let xact = ctx.xact.next_command()?;
    let ret_void = f.ret == oid::VOID;
    let mut emitted = false;
    let mut each_wrap = |r: Vec<Value>| {
        emitted = true;
        each(r)
    };
    let mut it = Interp {
        ctx,
        context: context.clone(),
        fname: f.name.clone(),
        vars,
        visible,
        xact,
        row_count: 0,
        found,
        ret_type: f.ret,
        retset: f.retset,
        result: Value::Null,
        each: &mut each_wrap,
        out_vars: out_vars.clone(),
        handling: Vec::new(),
        caught: Vec::new(),
        annotated: false,
        xctl: match xctl {
            Some(x) => Some(x),
            None => None,
        },
        subxacts,
        xact_start: None,
    };
    let flow = it
        .block(&block)
        .map_err(|e| with_function_context(e, &context, block.line))?;
    let returned = matches!(flow, exec::Flow::Return);
    if f.retset {
        return Ok(());
    }
    // Several OUT arguments: one row of their values as columns.
    let row = if !out_vars.is_empty() {
        out_vars.iter().map(|&i| it.vars[i].value.clone()).collect()
    } else {
        if !returned && !ret_void {
            return Err(
                PgError::new("2F005", "control reached end of function without RETURN")
                    .with_context(context),
            );
        }
        vec![it.result.clone()]
    };
    drop(it);
    each(row)?;
    Ok(())
}

pub(crate) fn with_function_context(e: PgError, context: &str, _line: usize) -> PgError {
    if e.extra
        .as_ref()
        .and_then(|x| x.context.as_ref())
        .is_some_and(|c| c.contains(context))
    {
        return e;
    }
    let line = format!("{context} during statement block local variable initialization");
    let c = match e.extra.as_ref().and_then(|x| x.context.clone()) {
        Some(x) => format!("{x}\n{line}"),
        None => line,
    };
    e.with_context(c)
}

/// Runs a DO block's body; with `xctl` (a DO run outside a transaction
/// block) it may COMMIT and ROLLBACK.
pub fn run_do(body: &str, ctx: &EvalCtx, xctl: Option<&mut dyn XactControl>) -> PgResult<()> {
    let block = parse::parse(body)?;
    let vars = vec![Var::scalar("found", oid::BOOL, Value::Bool(false))];
    let xact = ctx.xact.next_command()?;
    let mut sink = |_: Vec<Value>| Ok(true);
    let context = "PL/pgSQL function inline_code_block".to_owned();
    let mut it = Interp {
        ctx,
        context: context.clone(),
        fname: String::new(),
        vars,
        visible: vec![0],
        xact,
        row_count: 0,
        found: 0,
        ret_type: oid::VOID,
        retset: false,
        result: Value::Null,
        each: &mut sink,
        out_vars: Vec::new(),
        handling: Vec::new(),
        caught: Vec::new(),
        annotated: false,
        xctl: match xctl {
            Some(x) => Some(x),
            None => None,
        },
        subxacts: 0,
        xact_start: None,
    };
    it.block(&block)
        .map_err(|e| with_function_context(e, &context, block.line))?;
    Ok(())
}
