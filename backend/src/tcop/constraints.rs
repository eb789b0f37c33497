//! The session's side of deferred constraints: SET CONSTRAINTS (names
//! looked up along the search path as PostgreSQL's AfterTriggerSetState
//! does, the queued checks of constraints made IMMEDIATE run at once),
//! and the queued checks run at COMMIT before the commit record
//! (`access::deferred` keeps them, `executor::deferred` runs them).

use std::cell::RefCell;
use std::sync::Arc;

use shmem::buffer::BufferPool;

use crate::access::xact::{SessionLimits, XactMvcc};
use crate::catalog::Catalog;
use crate::commands::transaction::warning;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::RowSink;
use crate::executor::eval::EvalCtx;
use crate::executor::subplan::SubplanCache;
use crate::fmgr::{FnCtx, SessionInfo};
use crate::parser::constraint_cmds::SetConstraints;
use crate::tcop::Engine;
use crate::types::datetime::now_pg_usecs;
use crate::types::Oid;
use crate::utils::settings::Settings;

/// The deferrable constraints SET CONSTRAINTS `name` means: those of
/// that name in the first schema of the search path that has any (or in
/// the schema given). 42704 if there is none; 42809 for a constraint
/// that is not deferrable when `deferred`.
fn lookup(cat: &Catalog, parts: &[String], deferred: bool) -> PgResult<Vec<Oid>> {
    let name = parts.last().cloned().unwrap_or_default();
    let schemas = match parts.len() {
        1 => cat.search_path(),
        _ => {
            let s = &parts[parts.len() - 2];
            vec![cat
                .namespace_oid(s)
                .ok_or_else(|| crate::catalog::namespace::undefined_schema(s))?]
        }
    };
    for nsp in schemas {
        // (OID, deferrable) of each constraint of that name in `nsp`.
        let found: Vec<(Oid, bool)> = cat
            .constraints
            .iter()
            .filter(|c| c.name == name && cat.object_namespace(c.table) == Some(nsp))
            .map(|c| (c.oid, c.deferrable))
            .chain(
                cat.indexes
                    .iter()
                    .filter(|i| i.constraint && i.name == name && i.namespace == nsp)
                    .map(|i| (i.oid, i.deferrable)),
            )
            .collect();
        if found.is_empty() {
            continue;
        }
        if deferred && found.iter().any(|&(_, d)| !d) {
            return Err(PgError::new(
                sqlstate::WRONG_OBJECT_TYPE,
                format!("constraint \"{name}\" is not deferrable"),
            ));
        }
        return Ok(found
            .into_iter()
            .filter(|&(_, d)| d)
            .map(|(o, _)| o)
            .collect());
    }
    Err(PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("constraint \"{name}\" does not exist"),
    ))
}

impl Engine {
    /// SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE}.
    pub(crate) fn set_constraints(
        &mut self,
        sc: &SetConstraints,
        sink: &mut dyn RowSink,
    ) -> PgResult<String> {
        if !self.xact.in_block() {
            self.notice(
                sink,
                warning(
                    sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                    "SET CONSTRAINTS can only be used in transaction blocks",
                ),
            );
        }
        self.catalog.refresh()?;
        match &sc.names {
            None => self.mvcc.deferred.borrow_mut().set_all(sc.deferred),
            Some(names) => {
                let cat = self.catalog.get().clone();
                let mut oids = Vec::new();
                for n in names {
                    oids.extend(lookup(&cat, n, sc.deferred)?);
                }
                self.mvcc
                    .deferred
                    .borrow_mut()
                    .set_named(&oids, sc.deferred);
            }
        }
        if !sc.deferred {
            self.run_deferred_checks(false)?;
        }
        Ok("SET CONSTRAINTS".into())
    }

    /// Runs the queued constraint checks: all of them (`all`, at COMMIT)
    /// or those no longer deferred. Nothing to do costs nothing.
    pub(crate) fn run_deferred_checks(&mut self, all: bool) -> PgResult<()> {
        let cat = self.catalog.get().clone();
        run_deferred_checks(
            &mut self.mvcc,
            &DeferredEnv {
                limits: &self.limits,
                catalog: &cat,
                session: &self.session,
                settings: &self.settings,
                pool: self.env.segment.buffer_pool(),
                xact_start: self.xact_start,
            },
            all,
        )
    }
}

/// What running the queued checks needs of the session.
pub(crate) struct DeferredEnv<'e> {
    pub limits: &'e SessionLimits,
    pub catalog: &'e Arc<Catalog>,
    pub session: &'e SessionInfo,
    pub settings: &'e RefCell<Settings>,
    pub pool: BufferPool,
    pub xact_start: i64,
}

/// [`Engine::run_deferred_checks`] over the parts of the session it
/// uses (a procedure's COMMIT runs it while the CALL holds the rest).
pub(crate) fn run_deferred_checks(
    mvcc: &mut XactMvcc,
    env: &DeferredEnv,
    all: bool,
) -> PgResult<()> {
    if !mvcc.deferred.borrow().has_queued() {
        return Ok(());
    }
    let policy = env
        .limits
        .wait_policy(crate::interrupts::statement_deadline());
    let sx = mvcc.start_statement(env.limits, false, policy)?;
    let cache = SubplanCache::default();
    let mem = crate::executor::memory::MemBudget::new(env.limits.statement_mem);
    let ctx = EvalCtx {
        fcx: FnCtx {
            session: env.session,
            settings: env.settings,
            xact_start: env.xact_start,
            stmt_start: now_pg_usecs(),
            catalog: env.catalog,
            pool: env.pool,
            xact: &sx,
        },
        params: &[],
        outer: &[],
        cache: &cache,
        mem: &mem,
    };
    if all {
        crate::executor::deferred::run_queued(&ctx)
    } else {
        crate::executor::deferred::run_immediate(&ctx)
    }
}
