//! Transaction control inside a procedure or DO block (PostgreSQL's
//! non-atomic CALL and DO): a CALL of a plpgsql procedure, or a DO
//! block, run outside a transaction block gets a [`ProcXact`], through
//! which its COMMIT and ROLLBACK [AND CHAIN] end the transaction by the
//! normal path (deferred constraint checks, the commit record in the
//! WAL, the commit log, NOTIFY, locks released) and open the next one,
//! in which the rest of the body runs. Anywhere else (in a transaction
//! block, in a function, under a SELECT) the interpreter has none and
//! COMMIT is 2D000 "invalid transaction termination".
//!
//! The CALL statement itself keeps the session's other parts borrowed
//! (its evaluation context), so this holds only what ending a
//! transaction changes: the MVCC state and the catalog cache.

use std::cell::RefCell;
use std::sync::Arc;

use shmem::lockmgr::WaitPolicy;

use crate::access::xact::{SessionLimits, StmtXact, XactMvcc};
use crate::catalog::{Catalog, CatalogCache};
use crate::env::BackendEnv;
use crate::error::PgResult;
use crate::fmgr::SessionInfo;
use crate::pl::XactControl;
use crate::types::datetime::{now_pg_usecs, set_transaction_start};
use crate::utils::settings::Settings;

use super::constraints::{run_deferred_checks, DeferredEnv};
use super::{abort_with_catalog, commit_with_catalog};

/// The session parts a procedure's COMMIT and ROLLBACK use.
pub(super) struct ProcXact<'e> {
    pub mvcc: &'e mut XactMvcc,
    pub catalog: &'e mut CatalogCache,
    /// The catalog the CALL runs with.
    pub cat: &'e Arc<Catalog>,
    pub session: &'e SessionInfo,
    pub settings: &'e RefCell<Settings>,
    pub env: &'e BackendEnv,
    pub policy: WaitPolicy,
    /// now() of the current transaction.
    pub xact_start: i64,
    /// Transactions ended so far.
    pub ended: u64,
}

/// The transaction characteristics AND CHAIN carries over.
const CHAINED: [&str; 2] = ["transaction_isolation", "transaction_read_only"];

impl ProcXact<'_> {
    fn limits(&self) -> SessionLimits {
        SessionLimits::from_settings(&self.settings.borrow())
    }

    fn end(&mut self, commit: bool) -> PgResult<()> {
        if commit {
            let limits = self.limits();
            let checked = run_deferred_checks(
                self.mvcc,
                &DeferredEnv {
                    limits: &limits,
                    catalog: self.cat,
                    session: self.session,
                    settings: self.settings,
                    pool: self.env.segment.buffer_pool(),
                    xact_start: self.xact_start,
                },
                true,
            );
            if let Err(e) = checked {
                self.abort();
                return Err(e);
            }
            let r = commit_with_catalog(self.mvcc, self.catalog);
            self.settings.borrow_mut().end_transaction();
            r
        } else {
            self.abort();
            Ok(())
        }
    }

    fn abort(&mut self) {
        abort_with_catalog(self.mvcc, self.catalog);
        self.settings.borrow_mut().end_transaction();
    }
}

impl XactControl for ProcXact<'_> {
    fn end_and_begin(&mut self, commit: bool, chain: bool) -> PgResult<(StmtXact, i64)> {
        let kept: Vec<(&str, String)> = if chain {
            let s = self.settings.borrow();
            CHAINED
                .into_iter()
                .filter_map(|n| s.get(n).ok().flatten().map(|v| (n, v)))
                .collect()
        } else {
            Vec::new()
        };
        self.ended += 1;
        self.end(commit)?;
        {
            let mut s = self.settings.borrow_mut();
            for (n, v) in kept {
                s.set_local_internal(n, &v);
            }
        }
        let start = now_pg_usecs();
        self.xact_start = start;
        set_transaction_start(start);
        self.env.slot.xact_start_us.store(
            shmem::time::wall_clock_us(),
            std::sync::atomic::Ordering::Relaxed,
        );
        // The rest of the body may write: the new transaction gets its
        // xid now, as the CALL's did.
        let sx = self
            .mvcc
            .start_statement(&self.limits(), true, self.policy)?;
        Ok((sx, start))
    }

    fn generation(&self) -> u64 {
        self.ended
    }

    fn resume(&mut self) -> PgResult<(StmtXact, i64)> {
        let sx = self
            .mvcc
            .start_statement(&self.limits(), true, self.policy)?;
        Ok((sx, self.xact_start))
    }
}
