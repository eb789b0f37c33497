//! EXPLAIN [ANALYZE] of a planned statement: its lines (the plan, with
//! its data-modifying WITH queries as PostgreSQL shows CTE subplans, and
//! the summary: planning and execution time), and for ANALYZE the
//! statement's run under the executor's instrumentation
//! (`executor::instrument`), its result rows discarded, its changes made
//! as a plain run would make them (a ROLLBACK undoes them).

use crate::commands::explain::{self, ExplainFormat, ExplainOptions};
use crate::commands::explain_format::{render, ENode, Summary};
use crate::error::{PgError, PgResult};
use crate::executor;
use crate::executor::dest::RowSink;
use crate::executor::eval::EvalCtx;
use crate::executor::instrument::{self, Registry, Stopwatch};
use crate::nodes::modify::Modify;
use crate::types::Value;

use super::Action;

/// EXPLAIN's rows for `action` in its format (TEXT: one a line; the
/// others: one value): with `reg`, the counters of its ANALYZE run, and
/// with SUMMARY the planning time and (when it ran) the execution time.
pub(super) fn explain_lines(
    action: &Action,
    o: ExplainOptions,
    reg: Option<&Registry>,
    planning_ns: u64,
    execution_ns: Option<u64>,
) -> Vec<String> {
    let root = plan_tree(action, o, reg);
    let summary = Summary {
        analyze: o.analyze,
        costs: o.costs,
        timing: o.timing,
        buffers: o.buffers,
        planning_ns: o.summary.then_some(planning_ns),
        execution_ns: execution_ns.filter(|_| o.summary),
    };
    render(&root, &summary, o.format)
}

/// The value EXPLAIN sends for one of its rows: json for FORMAT JSON.
pub(super) fn explain_value(o: ExplainOptions, row: String) -> Value {
    match o.format {
        ExplainFormat::Json => Value::Json(row),
        _ => Value::Text(row),
    }
}

fn plan_tree(action: &Action, o: ExplainOptions, reg: Option<&Registry>) -> ENode {
    match action {
        Action::Query(plan) => explain::explain_plan(plan, o, reg),
        Action::Modify(m) => explain::explain_modify(m, o, reg),
        Action::ModifyingWith { ctes, main } => {
            let mut root = plan_tree(main, o, reg);
            // Each data-modifying WITH query as an InitPlan of the main
            // plan, listed before its children as PostgreSQL does.
            let subplans = ctes.iter().map(|cte| {
                let m: &Modify = &cte.modify;
                ENode {
                    relationship: Some("InitPlan"),
                    subplan_name: Some(format!("CTE {}", cte.name)),
                    ..explain::explain_modify(m, o, reg)
                }
            });
            let mut children: Vec<ENode> = subplans.collect();
            children.append(&mut root.children);
            root.children = children;
            root
        }
        _ => ENode::default(),
    }
}

/// Runs INSERT/UPDATE/DELETE `m` as EXPLAIN ANALYZE's ModifyTable node:
/// its rows are those of RETURNING (none without it), as PostgreSQL's.
fn run_modify(m: &Modify, ctx: &EvalCtx, reg: &Registry) -> PgResult<()> {
    let watch = Stopwatch::start(reg.opts);
    let mut returned = 0u64;
    m.run(ctx, &mut |_| {
        returned += 1;
        Ok(())
    })?;
    watch.record(reg, explain::modify_key(m), returned);
    Ok(())
}

/// EXPLAIN ANALYZE: runs `inner` with every node counted, then sends
/// the plan's lines with what each node did.
pub(super) fn run(
    inner: &Action,
    o: ExplainOptions,
    planning_ns: u64,
    ctx: &EvalCtx,
    out: &mut dyn RowSink,
) -> PgResult<String> {
    let session = instrument::begin(o.instr());
    let reg = session.registry();
    let start = shmem::time::monotonic_ns();
    match inner {
        Action::Query(plan) => {
            executor::run(plan, ctx, &mut |_| Ok(()))?;
        }
        Action::Modify(m) => run_modify(m, ctx, reg)?,
        Action::ModifyingWith { ctes, main } => {
            let checks = executor::modify::run_modifying_ctes(ctes, ctx)?;
            match main.as_ref() {
                Action::Query(plan) => {
                    executor::run(plan, ctx, &mut |_| Ok(()))?;
                }
                Action::Modify(m) => run_modify(m, ctx, reg)?,
                _ => {
                    return Err(PgError::internal(
                        "data-modifying WITH over another statement",
                    ))
                }
            }
            checks.finish(ctx)?;
        }
        _ => return Err(PgError::internal("EXPLAIN ANALYZE of this statement")),
    }
    let execution_ns = shmem::time::monotonic_ns().saturating_sub(start);
    for l in explain_lines(inner, o, Some(reg), planning_ns, Some(execution_ns)) {
        out.row(&[explain_value(o, l)])?;
    }
    drop(session);
    Ok("EXPLAIN".into())
}
