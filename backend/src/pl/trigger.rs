//! Trigger functions in PL/pgSQL: the executor's trigger handler. NEW and
//! OLD become row variables of the table's columns, TG_* variables say
//! what fired; a WHEN condition is checked first; the function's RETURN
//! value is the row a BEFORE ROW trigger hands back (NULL: skip the row).

use crate::catalog::trigger::{self, TriggerDesc};
use crate::error::{PgError, PgResult};
use crate::executor::eval::EvalCtx;
use crate::executor::trigger::TriggerCall;
use crate::types::{oid, Value};

use super::exec::{Flow, Interp, RowVal, Var};
use super::parse::SqlText;

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// Runs one firing of a trigger.
pub fn call_trigger(c: &TriggerCall, ctx: &EvalCtx) -> PgResult<Option<Vec<Value>>> {
    crate::stack::check_stack_depth()?;
    let t: &TriggerDesc = c.trigger;
    let block = super::body_of(c.function)?;
    let context = format!("PL/pgSQL function {}()", c.function.name);
    let cols: Vec<(String, crate::types::Oid)> = c
        .table
        .columns
        .iter()
        .map(|col| (col.name.clone(), col.ty))
        .collect();
    let row_var = |name: &str, vals: Option<&[Value]>| {
        let mut v = Var::record(
            name,
            Some(RowVal {
                cols: cols.clone(),
                vals: vals.map(|v| v.to_vec()).unwrap_or_default(),
            }),
        );
        v.ty = oid::RECORD + 1;
        v
    };
    let op = match c.event {
        trigger::INSERT => "INSERT",
        trigger::UPDATE => "UPDATE",
        trigger::DELETE => "DELETE",
        _ => "TRUNCATE",
    };
    let when = if t.is_before() {
        "BEFORE"
    } else if t.is_instead() {
        "INSTEAD OF"
    } else {
        "AFTER"
    };
    let schema = ctx
        .catalog
        .namespaces
        .iter()
        .find(|n| n.oid == c.table.namespace)
        .map_or_else(|| "public".to_owned(), |n| n.name.clone());
    let vars = vec![
        Var::scalar("found", oid::BOOL, Value::Bool(false)),
        row_var("new", c.new),
        row_var("old", c.old),
        Var::scalar("tg_name", oid::NAME, text(&t.name)),
        Var::scalar("tg_when", oid::TEXT, text(when)),
        Var::scalar(
            "tg_level",
            oid::TEXT,
            text(if t.is_row() { "ROW" } else { "STATEMENT" }),
        ),
        Var::scalar("tg_op", oid::TEXT, text(op)),
        Var::scalar("tg_relid", oid::OID, Value::Oid(c.table.oid)),
        Var::scalar("tg_relname", oid::NAME, text(&c.table.name)),
        Var::scalar("tg_table_name", oid::NAME, text(&c.table.name)),
        Var::scalar("tg_table_schema", oid::NAME, text(&schema)),
        Var::scalar("tg_nargs", oid::INT4, Value::Int4(t.args.len() as i32)),
        Var::scalar(
            "tg_argv",
            crate::types::array::oids::TEXT_ARRAY,
            // Subscripts from 0, as PostgreSQL's TG_ARGV.
            if t.args.is_empty() {
                Value::Array(oid::TEXT, Vec::new())
            } else {
                Value::MdArray(Box::new(crate::types::array::ArrayValue {
                    elem: oid::TEXT,
                    dims: vec![t.args.len() as i32],
                    lbounds: vec![0],
                    items: t.args.iter().map(|a| text(a)).collect(),
                    vector: false,
                }))
            },
        ),
    ];
    let visible = (0..vars.len()).collect();
    let xact = ctx.xact.next_command()?;
    let mut sink = |_: Vec<Value>| Ok(true);
    let mut it = Interp {
        ctx,
        context: context.clone(),
        fname: c.function.name.clone(),
        vars,
        visible,
        xact,
        row_count: 0,
        found: 0,
        ret_type: oid::TRIGGER,
        retset: false,
        result: Value::Null,
        each: &mut sink,
        out_vars: Vec::new(),
        handling: Vec::new(),
        caught: Vec::new(),
        annotated: false,
        xctl: None,
        subxacts: 0,
        xact_start: None,
    };
    if let Some(w) = &t.when {
        let cond = SqlText {
            text: w.clone(),
            cache: Default::default(),
        };
        if it.eval(&cond, Some((oid::BOOL, -1)))?.0 != Value::Bool(true) {
            // Not fired: the row goes on unchanged.
            return Ok(match c.event {
                trigger::DELETE => c.old.map(|o| o.to_vec()),
                _ => c.new.map(|n| n.to_vec()),
            });
        }
    }
    let flow = it
        .block(&block)
        .map_err(|e| super::with_function_context(e, &context, block.line))?;
    if !matches!(flow, Flow::Return) {
        return Err(PgError::new(
            "2F005",
            "control reached end of trigger procedure without RETURN",
        )
        .with_context(context));
    }
    Ok(match std::mem::replace(&mut it.result, Value::Null) {
        Value::Record(f) => {
            if f.len() != cols.len() {
                return Err(PgError::new(
                    crate::error::sqlstate::DATATYPE_MISMATCH,
                    "returned row structure does not match the structure of the triggering table",
                )
                .with_detail("Number of returned columns does not match expected column count.")
                .with_context(context));
            }
            Some(f.fields.into_iter().map(|(_, v)| v).collect())
        }
        _ => None,
    })
}
