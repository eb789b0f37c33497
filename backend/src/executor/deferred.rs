//! Running the constraint checks that wait in the transaction's queue
//! (`access::deferred`): a statement's unique rechecks at its end (or
//! queued, when their constraint is deferred), the queued checks whose
//! constraints SET CONSTRAINTS ... IMMEDIATE names, and every queued
//! check at COMMIT, where a failure fails the COMMIT (the transaction
//! rolls back) with the violation's own error, as PostgreSQL's deferred
//! triggers do.

use crate::access::deferred::Check;
use crate::access::table::TableAccess;
use crate::error::PgResult;
use crate::executor::eval::EvalCtx;
use crate::executor::ri;
use crate::interrupts::check_for_interrupts;

/// At the end of a statement: its unique rechecks run now unless their
/// constraint is deferred, which queues them for COMMIT.
pub fn end_of_statement(ctx: &EvalCtx) -> PgResult<()> {
    let noted = ctx.xact.deferred.borrow_mut().take_statement();
    let mut now = Vec::new();
    {
        let mut d = ctx.xact.deferred.borrow_mut();
        for c in noted {
            if d.is_deferred(c.constraint()) {
                d.defer(c);
            } else {
                now.push(c);
            }
        }
    }
    run_all(now, ctx)
}

/// Runs the queued checks whose constraints are no longer deferred
/// (SET CONSTRAINTS ... IMMEDIATE).
pub fn run_immediate(ctx: &EvalCtx) -> PgResult<()> {
    let now = ctx.xact.deferred.borrow_mut().take_immediate();
    run_all(now, ctx)
}

/// Runs every queued check (COMMIT).
pub fn run_queued(ctx: &EvalCtx) -> PgResult<()> {
    let now = ctx.xact.deferred.borrow_mut().take_all();
    run_all(now, ctx)
}

fn run_all(checks: Vec<Check>, ctx: &EvalCtx) -> PgResult<()> {
    for c in checks {
        check_for_interrupts()?;
        run(&c, ctx)?;
    }
    Ok(())
}

/// Runs one check.
fn run(check: &Check, ctx: &EvalCtx) -> PgResult<()> {
    match check {
        Check::ForeignKey {
            fk,
            child,
            parent,
            parent_indexes,
            tid,
            row,
        } => ri::check_fk_row(ctx, fk, child, (parent, parent_indexes), *tid, row),
        Check::StillReferenced {
            fk,
            parent,
            parent_indexes,
            child,
            child_indexes,
            old,
        } => ri::check_still_referenced(
            ctx,
            fk,
            (parent, parent_indexes),
            (child, child_indexes),
            old,
        ),
        Check::Unique { table, index, tid } => {
            let acc = TableAccess::new(ctx.pool, table.clone(), vec![index.clone()], ctx.xact);
            match acc.recheck_unique(index, *tid)? {
                Some(conflict) => Err(acc.unique_error(&conflict)),
                None => Ok(()),
            }
        }
    }
}
