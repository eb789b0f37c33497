//! The session's MVCC transaction (PostgreSQL's xact.c, in small): the
//! xid, assigned at the first statement that writes; a subtransaction
//! per savepoint level, with its own xid once it writes; the command
//! counter; snapshots (one per statement under READ COMMITTED, one per
//! transaction under REPEATABLE READ); and the heavyweight locks held
//! until the transaction ends.
//!
//! The client-visible block state (BEGIN, failed blocks, savepoint names,
//! settings to restore) is `commands::transaction`; this module follows its
//! decisions: the engine calls [`XactMvcc::commit`] or
//! [`XactMvcc::abort`] when a transaction ends, and the savepoint
//! functions with the depth `commands::transaction` reports.
//!
//! Waiting for another transaction is acquiring a share lock on its xid
//! (each transaction holds its own exclusively from assignment to end),
//! so that such waits sleep, wake up when the other ends, and take part
//! in deadlock detection with table locks.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::access::advisory::SessionAdvisory;
use shmem::lockmgr::{LocalLocks, LockError, LockManager, LockMode, LockTag, WaitPolicy};
use shmem::relstats::PendingRelStats;
use shmem::wal::{Kind, Record};
use shmem::xact::{ProcArray, Snapshot, XactError};
use shmem::Segment;

use crate::access::heap::Writer;
use crate::access::visibility::{Mvcc, OwnXids};
use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::utils::settings::Settings;

/// How a transaction ended, for what must follow it before its locks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XactEnd {
    Committed,
    Aborted,
    /// The commit record may or may not be durable (the WAL failed while
    /// committing): recovery at the next start decides.
    Unsettled,
}

/// One savepoint level's subtransaction.
#[derive(Default)]
struct Level {
    /// Its xid once it wrote (0 before).
    xid: u32,
    /// Xids of released inner levels, now part of this one.
    merged: Vec<u32>,
}

impl Level {
    fn xids(&self) -> impl Iterator<Item = u32> + '_ {
        self.merged
            .iter()
            .copied()
            .chain((self.xid != 0).then_some(self.xid))
    }
}

/// What commands run inside one statement (PL/pgSQL's statements, each
/// with its own command id, and its exception blocks' subtransactions)
/// leave for the transaction: shared by the statement's [`StmtXact`] and
/// [`XactMvcc`], which takes it in at the next statement, savepoint or
/// transaction end.
#[derive(Default, Debug)]
pub struct InnerCommands {
    /// The highest command id such a command used (0: none ran).
    pub last_cid: u32,
    /// Xids of subtransactions that ended well (their changes stay).
    pub committed_subs: Vec<u32>,
}

/// The session's transaction state in the MVCC sense.
pub struct XactMvcc {
    backend: usize,
    procs: ProcArray,
    lm: &'static LockManager,
    segment: Segment,
    locks: LocalLocks,
    /// A transaction is open (implicit or a block).
    open: bool,
    top: u32,
    /// levels[0] is the top level; one more per open savepoint.
    levels: Vec<Level>,
    cid: u32,
    /// The current command wrote something (the next one gets a new cid).
    cid_used: bool,
    repeatable_read: bool,
    /// The transaction's snapshot (REPEATABLE READ), once taken.
    xact_snapshot: Option<Arc<Snapshot>>,
    /// A statement snapshot was taken in this transaction.
    snapshot_taken: bool,
    /// Table statistics of the transaction, published when it ends.
    stats: Rc<RefCell<PendingRelStats>>,
    /// Relations whose rows committed transactions changed since
    /// [`XactMvcc::take_modified_rels`] (autoanalyze's candidates).
    modified_rels: Vec<u32>,
    /// The session's synchronous_commit.
    synchronous_commit: bool,
    /// LISTEN/UNLISTEN/NOTIFY of the session and its transaction.
    pub notify: Rc<RefCell<crate::access::notify::SessionNotify>>,
    /// The session-level advisory locks.
    pub advisory: Rc<RefCell<SessionAdvisory>>,
    /// Constraint checks waiting for the statement's end or COMMIT, and
    /// the SET CONSTRAINTS modes.
    pub deferred: Rc<RefCell<crate::access::deferred::DeferredState>>,
    /// Commands and subtransactions run inside the current statement.
    inner: Rc<RefCell<InnerCommands>>,
    /// Inside the commit's critical section: from before the commit record
    /// is inserted until the commit log is set (or the record could not be
    /// made durable). A transaction left here by a panic is not aborted:
    /// its commit record may be in the WAL, so only recovery can settle it
    /// (see [`XactMvcc::abort`]).
    in_commit_section: bool,
}

/// What a statement's table access needs from its transaction.
pub struct StmtXact {
    pub mvcc: Mvcc,
    /// The xid its changes are stamped with (0: the statement does not
    /// write).
    pub xid: u32,
    pub repeatable_read: bool,
    backend: usize,
    procs: ProcArray,
    lm: &'static LockManager,
    pub policy: WaitPolicy,
    /// Where scans and changes count themselves (pg_stat_user_tables).
    pub stats: Rc<RefCell<PendingRelStats>>,
    /// The session's LISTEN/NOTIFY state (pg_notify, pg_listening_channels).
    pub notify: Rc<RefCell<crate::access::notify::SessionNotify>>,
    /// The session-level advisory locks.
    pub advisory: Rc<RefCell<SessionAdvisory>>,
    /// The transaction's waiting constraint checks (`access::deferred`).
    pub deferred: Rc<RefCell<crate::access::deferred::DeferredState>>,
    /// The segment (the NOTIFY queue for pg_notification_queue_usage).
    pub segment: Segment,
    /// Shared with the transaction: commands run inside this statement.
    inner: Rc<RefCell<InnerCommands>>,
}

/// A lock-manager failure as PostgreSQL reports it.
pub fn lock_error(e: LockError) -> PgError {
    match e {
        LockError::Deadlock { detail } => {
            PgError::new(sqlstate::DEADLOCK_DETECTED, "deadlock detected")
                .with_detail(detail)
                .with_hint("See server log for query details.")
        }
        LockError::LockTimeout => PgError::new(
            sqlstate::LOCK_NOT_AVAILABLE,
            "canceling statement due to lock timeout",
        ),
        LockError::StatementTimeout => PgError::new(
            sqlstate::QUERY_CANCELED,
            "canceling statement due to statement timeout",
        ),
        LockError::NotAvailable => {
            PgError::new(sqlstate::LOCK_NOT_AVAILABLE, "could not obtain lock on row")
        }
        LockError::Interrupted => match check_for_interrupts() {
            Err(e) => e,
            Ok(()) => PgError::query_canceled(),
        },
        LockError::OutOfSharedMemory => {
            PgError::new(sqlstate::OUT_OF_MEMORY, "out of shared memory")
                .with_hint("You might need to increase max_locks_per_transaction.")
        }
    }
}

fn xact_error(e: XactError) -> PgError {
    match e {
        XactError::TooManySubxacts(_) => {
            PgError::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, e.to_string())
        }
        XactError::XidsExhausted => PgError::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, e.to_string())
            .with_hint("Start a new server with a new data directory."),
        other => PgError::new(sqlstate::IO_ERROR, other.to_string()),
    }
}

/// Whether the calling backend has a pending cancel or termination.
fn interrupted() -> bool {
    crate::interrupts::my_slot().is_some_and(|s| s.pending_interrupts() != 0)
}

/// A duration setting in milliseconds (0 or unparsable: none).
fn ms_setting(settings: &Settings, name: &str) -> Option<Duration> {
    let v = settings.get(name).ok().flatten()?;
    let ms = crate::utils::settings::parse_ms(&v)?;
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// The settings that govern every statement's transaction, waits and
/// limits, parsed once per change of the settings (the engine refreshes
/// them when the settings generation moves) rather than per statement.
#[derive(Clone, Debug)]
pub struct SessionLimits {
    /// transaction_isolation is repeatable read (or serializable).
    pub repeatable_read: bool,
    pub statement_timeout: Option<Duration>,
    pub deadlock_timeout: Duration,
    pub lock_timeout: Option<Duration>,
    pub idle_in_transaction_timeout: Option<Duration>,
    pub idle_session_timeout: Option<Duration>,
    /// pgfork.statement_mem in bytes.
    pub statement_mem: usize,
    /// synchronous_commit is not off.
    pub synchronous_commit: bool,
    /// max_stack_depth in kB.
    pub max_stack_depth_kb: usize,
}

impl SessionLimits {
    pub fn from_settings(settings: &Settings) -> SessionLimits {
        let iso = settings
            .get("transaction_isolation")
            .ok()
            .flatten()
            .unwrap_or_default();
        SessionLimits {
            repeatable_read: iso != "read committed" && iso != "read uncommitted",
            statement_timeout: ms_setting(settings, "statement_timeout"),
            deadlock_timeout: ms_setting(settings, "deadlock_timeout")
                .unwrap_or(Duration::from_secs(1)),
            lock_timeout: ms_setting(settings, "lock_timeout"),
            idle_in_transaction_timeout: ms_setting(
                settings,
                "idle_in_transaction_session_timeout",
            ),
            idle_session_timeout: ms_setting(settings, "idle_session_timeout"),
            statement_mem: settings
                .get("pgfork.statement_mem")
                .ok()
                .flatten()
                .and_then(|v| crate::utils::settings::parse_kb(&v))
                .map_or(1 << 30, |kb| (kb as usize).saturating_mul(1024)),
            synchronous_commit: settings
                .get("synchronous_commit")
                .ok()
                .flatten()
                .is_none_or(|v| v != "off"),
            max_stack_depth_kb: settings
                .get("max_stack_depth")
                .ok()
                .flatten()
                .and_then(|v| crate::utils::settings::parse_kb(&v))
                .map_or(crate::stack::DEFAULT_MAX_STACK_DEPTH_KB, |kb| kb as usize),
        }
    }

    /// The wait policy of a statement ending at `stmt_deadline`.
    pub fn wait_policy(&self, stmt_deadline: Option<Instant>) -> WaitPolicy {
        WaitPolicy {
            deadlock_timeout: self.deadlock_timeout,
            lock_timeout: self.lock_timeout,
            deadline: stmt_deadline,
            nowait: false,
        }
    }
}

impl XactMvcc {
    pub fn new(segment: Segment, backend: usize) -> XactMvcc {
        XactMvcc {
            backend,
            procs: segment.proc_array(),
            lm: segment.lock_manager(),
            segment,
            locks: LocalLocks::new(backend),
            open: false,
            top: 0,
            levels: vec![Level::default()],
            cid: 0,
            cid_used: false,
            repeatable_read: false,
            xact_snapshot: None,
            snapshot_taken: false,
            stats: Rc::default(),
            inner: Rc::default(),
            modified_rels: Vec::new(),
            notify: Rc::default(),
            deferred: Rc::default(),
            advisory: Rc::default(),
            synchronous_commit: true,
            in_commit_section: false,
        }
    }

    /// Takes in what commands inside the last statement left: their
    /// subtransactions become part of the current level, and the command
    /// counter moves past the command ids they used.
    fn absorb_inner(&mut self) {
        let mut inner = self.inner.borrow_mut();
        if inner.last_cid > self.cid {
            self.cid = inner.last_cid;
            self.cid_used = true;
        }
        inner.last_cid = 0;
        let subs = std::mem::take(&mut inner.committed_subs);
        drop(inner);
        if !subs.is_empty() {
            let depth = self.levels.len() - 1;
            self.levels[depth].merged.extend(subs);
        }
    }

    /// Whether the transaction has taken a snapshot (SET TRANSACTION
    /// ISOLATION LEVEL must come before).
    pub fn snapshot_taken(&self) -> bool {
        self.snapshot_taken
    }

    /// The xids of the transaction that count as "mine".
    fn own_xids(&self) -> OwnXids {
        OwnXids {
            top: self.top,
            subs: self
                .levels
                .iter()
                .skip(1)
                .flat_map(Level::xids)
                .chain(self.levels[0].merged.iter().copied())
                .collect(),
        }
    }

    /// The xid of the current (innermost) level, assigning xids as needed.
    fn ensure_xid(&mut self) -> PgResult<u32> {
        if self.top == 0 {
            let xid = self.procs.assign_xid(self.backend).map_err(xact_error)?;
            self.top = xid;
            self.levels[0].xid = xid;
            // Others wait for us by locking our xid.
            let policy = WaitPolicy {
                deadlock_timeout: Duration::from_secs(1),
                lock_timeout: None,
                deadline: None,
                nowait: true,
            };
            self.locks
                .acquire(
                    self.lm,
                    LockTag::Transaction(xid),
                    LockMode::Exclusive,
                    &policy,
                    &interrupted,
                )
                .map_err(lock_error)?;
        }
        let depth = self.levels.len() - 1;
        if self.levels[depth].xid == 0 {
            self.levels[depth].xid = self.procs.assign_subxid(self.backend).map_err(xact_error)?;
        }
        Ok(self.levels[depth].xid)
    }

    /// Starts a statement: opens the transaction if none is, advances the
    /// command counter, takes the snapshot the isolation level calls for
    /// and, for a statement that writes, makes sure the transaction has
    /// an xid.
    pub fn start_statement(
        &mut self,
        limits: &SessionLimits,
        writes: bool,
        policy: WaitPolicy,
    ) -> PgResult<StmtXact> {
        self.absorb_inner();
        if !self.open {
            self.open(limits);
        } else if self.cid_used {
            self.cid = next_cid(self.cid)?;
            self.cid_used = false;
        }
        let xid = if writes {
            self.cid_used = true;
            self.ensure_xid()?
        } else {
            0
        };
        let snapshot = match &self.xact_snapshot {
            Some(s) => s.clone(),
            None => {
                let (s, waited) = self.procs.snapshot(self.backend, true);
                shmem::waitstats::note_procarray_wait(waited);
                let s = Arc::new(s);
                if self.repeatable_read {
                    self.xact_snapshot = Some(s.clone());
                }
                s
            }
        };
        self.snapshot_taken = true;
        Ok(StmtXact {
            mvcc: Mvcc {
                snapshot,
                cid: self.cid,
                own: Arc::new(self.own_xids()),
                clog: self.procs.clog(),
            },
            xid,
            repeatable_read: self.repeatable_read,
            backend: self.backend,
            procs: self.procs,
            lm: self.lm,
            policy,
            stats: self.stats.clone(),
            notify: self.notify.clone(),
            deferred: self.deferred.clone(),
            advisory: self.advisory.clone(),
            segment: self.segment,
            inner: self.inner.clone(),
        })
    }

    /// Ends a statement: a READ COMMITTED transaction keeps no snapshot
    /// between statements.
    /// The relations committed transactions changed rows of since the
    /// last call (each once).
    pub fn take_modified_rels(&mut self) -> Vec<u32> {
        let mut v = std::mem::take(&mut self.modified_rels);
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn end_statement(&mut self) {
        if !self.repeatable_read {
            self.procs.clear_xmin(self.backend);
        }
    }

    /// Opens the transaction: its isolation level is the settings' now.
    fn open(&mut self, limits: &SessionLimits) {
        self.open = true;
        self.cid = 0;
        self.cid_used = false;
        self.repeatable_read = limits.repeatable_read;
    }

    /// Takes a table lock held until the transaction ends.
    pub fn lock_relation(
        &mut self,
        oid: u32,
        mode: LockMode,
        policy: &WaitPolicy,
        limits: &SessionLimits,
    ) -> PgResult<()> {
        self.lock_object(LockTag::Relation(oid), mode, policy, limits)
    }

    /// Takes a lock on any object, held until the transaction ends.
    pub fn lock_object(
        &mut self,
        tag: LockTag,
        mode: LockMode,
        policy: &WaitPolicy,
        limits: &SessionLimits,
    ) -> PgResult<()> {
        if !self.open {
            self.open(limits);
        }
        self.locks
            .acquire(self.lm, tag, mode, policy, &interrupted)
            .map_err(lock_error)?;
        Ok(())
    }

    /// The transaction's own xids and the xid of its current savepoint
    /// level (assigned now if it has none): what catalog tuples written
    /// now are stamped with.
    pub fn catalog_writer(&mut self) -> PgResult<(OwnXids, u32)> {
        let xid = self.ensure_xid()?;
        Ok((self.own_xids(), xid))
    }

    /// The top-level xid of the open transaction, assigned now if it has
    /// none (a catalog change needs one to be settled by).
    pub fn top_xid(&mut self) -> PgResult<u32> {
        self.ensure_xid()?;
        Ok(self.top)
    }

    fn finish(&mut self, commit: bool, before_unlock: &mut dyn FnMut(XactEnd)) -> PgResult<()> {
        self.absorb_inner();
        // Before the locks go: a dropped table's statistics row may be
        // reused once nobody holds a lock on it.
        let modified = self.stats.borrow_mut().flush(&self.segment, commit);
        self.modified_rels.extend(modified);
        for (rel, n) in crate::access::prune::take_pruned() {
            shmem::relstats::report_pruned(&self.segment, rel, n);
        }
        let mut result = Ok(());
        if self.top != 0 {
            let subs = self.own_xids().subs;
            let waited = if commit {
                match self.log_commit(&subs) {
                    Ok(in_section) => {
                        let w = self.procs.commit(self.backend, self.top, &subs);
                        if in_section {
                            self.end_commit_section();
                        }
                        w
                    }
                    Err(e) => {
                        // Not acknowledged, and perhaps durable: leave the
                        // outcome to recovery. The session ends (FATAL)
                        // and the postmaster shuts down on the WAL failure.
                        result = Err(e);
                        0
                    }
                }
            } else {
                self.procs.abort(self.backend, self.top, &subs)
            };
            shmem::waitstats::note_procarray_wait(waited);
            // Ended: nothing below may end it a second time.
            self.top = 0;
        } else {
            self.procs.clear_xmin(self.backend);
        }
        before_unlock(match (commit, result.is_ok()) {
            (true, true) => XactEnd::Committed,
            (true, false) => XactEnd::Unsettled,
            (false, _) => XactEnd::Aborted,
        });
        let advisory = self.advisory.borrow();
        if advisory.is_empty() {
            self.locks.release_all(self.lm);
        } else {
            // Session-level advisory locks outlive the transaction.
            self.locks
                .release_all_keeping(self.lm, &|tag, mode| advisory.holds(tag, mode));
        }
        drop(advisory);
        self.open = false;
        self.levels = vec![Level::default()];
        self.cid = 0;
        self.cid_used = false;
        self.xact_snapshot = None;
        self.snapshot_taken = false;
        result
    }

    /// Writes the commit record (the top-level xid and the subtransaction
    /// xids that commit with it) and, with synchronous_commit on, waits
    /// until it is on disk. The commit log is set after this returns; in
    /// between, a checkpoint waits (`Wal::commit_begin`), and the slot is
    /// marked critical: a backend killed there makes the postmaster reset
    /// and recover, which settles the outcome from the WAL. Returns whether
    /// it opened that section (see [`Self::end_commit_section`]).
    fn log_commit(&mut self, subs: &[u32]) -> PgResult<bool> {
        let wal = self.segment.wal();
        if !wal.is_logging() {
            return Ok(false);
        }
        let slot = crate::interrupts::my_slot();
        if let Some(s) = slot {
            s.critical.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        wal.commit_begin();
        self.in_commit_section = true;
        let mut rec = Record::new(Kind::Commit, self.top);
        rec.put_u32(subs.len() as u32);
        for &x in subs {
            rec.put_u32(x);
        }
        let r = wal.insert(&mut rec).and_then(|end| {
            if !self.synchronous_commit {
                return Ok(());
            }
            let start = shmem::time::monotonic_ns();
            let r = wal.flush(end);
            shmem::waitstats::note_wal_flush(shmem::time::monotonic_ns().saturating_sub(start));
            r
        });
        if let Err(e) = r {
            self.end_commit_section();
            let what = format!(
                "could not make the commit record of transaction {} durable",
                self.top
            );
            let mut err = crate::error::wal_error(e, &what)
                .with_detail("The transaction may or may not have committed; the server shuts down, and recovery at the next start settles it.");
            err.severity = crate::error::Severity::Fatal;
            return Err(err);
        }
        // The commit record is durable (with synchronous_commit on) and the
        // commit log not yet set: where `pgfork.debug_fault =
        // 'panic-in-critical'` strikes.
        crate::faults::in_commit_critical_section();
        Ok(true)
    }

    /// COMMIT (or the end of an implicit transaction). Fails (FATAL) only
    /// if the commit could not be made durable.
    /// Releases the session-level advisory locks (end of the session,
    /// DISCARD ALL).
    pub fn release_session_locks(&mut self) {
        self.advisory.borrow_mut().unlock_all(self.lm, self.backend);
    }

    pub fn commit(&mut self) -> PgResult<()> {
        self.commit_with(&mut |_| {})
    }

    /// COMMIT, running `before_unlock` with the outcome once it is in the
    /// commit log and before the transaction's locks are released (where
    /// a catalog change becomes the committed catalog). Notifications go
    /// to the queue after that.
    pub fn commit_with(&mut self, before_unlock: &mut dyn FnMut(XactEnd)) -> PgResult<()> {
        self.deferred.borrow_mut().clear();
        let room = self.notify.borrow().pre_commit(&self.segment, self.backend);
        if let Err(e) = room {
            self.abort_with(before_unlock);
            return Err(e);
        }
        self.finish(true, before_unlock)?;
        // map_or_else: the fallback is a getpid() system call, made only
        // without a slot (unit tests), not once per COMMIT.
        let pid = crate::interrupts::my_slot().map_or_else(
            || std::process::id() as i32,
            |s| s.pid.load(std::sync::atomic::Ordering::Relaxed),
        );
        self.notify
            .borrow_mut()
            .at_commit(&self.segment, self.backend, pid);
        Ok(())
    }

    /// Leaves the commit's critical section: the commit log is set, or
    /// the commit record could not be made durable.
    fn end_commit_section(&mut self) {
        self.in_commit_section = false;
        self.segment.wal().commit_end();
        if let Some(s) = crate::interrupts::my_slot() {
            s.critical.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        }
    }

    /// ROLLBACK, a failed implicit transaction, or a session ending.
    ///
    /// Except after a panic in the commit's critical section (the engine
    /// dropped while unwinding from it): the commit record may be in the
    /// WAL already, durable or about to be, so aborting would make other
    /// sessions see aborted (and prune, or write over) a transaction that
    /// recovery then finds committed. It is left as it is — running, its
    /// locks held, the slot's critical mark and the WAL's commit mark
    /// raised — for the crash-restart that the mark calls for: the
    /// postmaster resets shared memory when the backend process exits (a
    /// thread-mode backend never gets here: its panic aborts the server,
    /// which its supervisor restarts), and recovery settles the outcome
    /// from the WAL.
    pub fn abort(&mut self) {
        self.abort_with(&mut |_| {})
    }

    /// [`Self::abort`], running `before_unlock(XactEnd::Aborted)` before
    /// the locks go (not at all if the commit's critical section was cut
    /// short: recovery settles that transaction).
    pub fn abort_with(&mut self, before_unlock: &mut dyn FnMut(XactEnd)) {
        if self.in_commit_section {
            tracing::error!(
                "transaction {} was cut short inside its commit's critical section; its outcome is left to recovery from the WAL",
                self.top
            );
            return;
        }
        self.notify.borrow_mut().at_abort();
        self.deferred.borrow_mut().clear();
        let _ = self.finish(false, before_unlock);
    }

    /// Whether commits wait for their WAL record to be durable (the
    /// session's synchronous_commit).
    pub fn set_synchronous_commit(&mut self, on: bool) {
        self.synchronous_commit = on;
    }

    /// SAVEPOINT: a new subtransaction level.
    pub fn savepoint(&mut self) {
        self.absorb_inner();
        self.levels.push(Level::default());
        self.notify.borrow_mut().set_level(self.levels.len() - 1);
        self.deferred.borrow_mut().savepoint();
    }

    /// RELEASE: levels from `depth` on (1 = the first savepoint) merge
    /// into the level below.
    pub fn release(&mut self, depth: usize) {
        self.absorb_inner();
        while self.levels.len() > depth.max(1) {
            let l = self.levels.pop().unwrap_or_default();
            if let Some(parent) = self.levels.last_mut() {
                parent.merged.extend(l.xids());
            }
        }
        self.notify.borrow_mut().release_to(self.levels.len() - 1);
        self.deferred.borrow_mut().release_to(self.levels.len() - 1);
    }

    /// ROLLBACK TO: levels from `depth` on are aborted; level `depth`
    /// starts again, empty.
    pub fn rollback_to(&mut self, depth: usize) {
        self.absorb_inner();
        let depth = depth.max(1);
        let aborted: Vec<u32> = self
            .levels
            .iter()
            .skip(depth)
            .flat_map(Level::xids)
            .collect();
        if !aborted.is_empty() {
            self.procs.abort_subxids(self.backend, &aborted);
        }
        self.levels.truncate(depth);
        self.levels.push(Level::default());
        self.notify.borrow_mut().rollback_to(depth);
        self.deferred.borrow_mut().rollback_to(depth);
        // Later statements must not see the aborted changes as their own.
        self.cid_used = true;
    }
}

impl StmtXact {
    /// The transaction of a command run inside this statement (a
    /// PL/pgSQL statement): the next command id, so that it sees what
    /// earlier commands changed, and under READ COMMITTED a new snapshot.
    pub fn next_command(&self) -> PgResult<StmtXact> {
        let mut inner = self.inner.borrow_mut();
        let cid = next_cid(inner.last_cid.max(self.mvcc.cid))?;
        inner.last_cid = cid;
        drop(inner);
        let snapshot = if self.repeatable_read {
            self.mvcc.snapshot.clone()
        } else {
            let (s, waited) = self.procs.snapshot(self.backend, true);
            shmem::waitstats::note_procarray_wait(waited);
            Arc::new(s)
        };
        Ok(self.derive(snapshot, cid, self.mvcc.own.clone(), self.xid))
    }

    fn derive(&self, snapshot: Arc<Snapshot>, cid: u32, own: Arc<OwnXids>, xid: u32) -> StmtXact {
        StmtXact {
            mvcc: Mvcc {
                snapshot,
                cid,
                own,
                clog: self.mvcc.clog,
            },
            xid,
            repeatable_read: self.repeatable_read,
            backend: self.backend,
            procs: self.procs,
            lm: self.lm,
            policy: self.policy,
            stats: self.stats.clone(),
            notify: self.notify.clone(),
            deferred: self.deferred.clone(),
            advisory: self.advisory.clone(),
            segment: self.segment,
            inner: self.inner.clone(),
        }
    }

    /// Starts a subtransaction inside the statement (a PL/pgSQL block
    /// with an EXCEPTION clause): its changes get an xid of their own, so
    /// that [`StmtXact::abort_subtransaction`] can undo them. The
    /// statement must write (have an xid).
    pub fn begin_subtransaction(&self) -> PgResult<StmtXact> {
        if self.xid == 0 {
            return Err(PgError::internal(
                "a subtransaction in a statement that does not write",
            ));
        }
        let sub = self.procs.assign_subxid(self.backend).map_err(xact_error)?;
        let mut own = (*self.mvcc.own).clone();
        own.subs.push(sub);
        Ok(self.derive(
            self.mvcc.snapshot.clone(),
            self.mvcc.cid,
            Arc::new(own),
            sub,
        ))
    }

    /// Ends subtransaction `sub` (from [`StmtXact::begin_subtransaction`]
    /// on `self`) well: its changes become this level's, and the
    /// transaction commits or aborts them with the rest.
    pub fn commit_subtransaction(&self, sub: &StmtXact) -> StmtXact {
        self.inner.borrow_mut().committed_subs.push(sub.xid);
        self.derive(
            self.mvcc.snapshot.clone(),
            sub.mvcc.cid.max(self.mvcc.cid),
            sub.mvcc.own.clone(),
            self.xid,
        )
    }

    /// Aborts subtransaction `sub`: its changes, and those of the
    /// subtransactions that ended well inside it, are undone at once.
    pub fn abort_subtransaction(&self, sub: &StmtXact) {
        let mine = &self.mvcc.own.subs;
        let gone: Vec<u32> = sub
            .mvcc
            .own
            .subs
            .iter()
            .copied()
            .filter(|x| !mine.contains(x))
            .collect();
        self.inner
            .borrow_mut()
            .committed_subs
            .retain(|x| !gone.contains(x));
        self.procs.abort_subxids(self.backend, &gone);
    }

    /// pg_advisory_lock and its family: takes `mode` on advisory lock
    /// `tag`, held until the session unlocks it (`session`) or until the
    /// transaction ends. Without `wait`, returns false at once if busy.
    pub fn advisory_lock(
        &self,
        tag: LockTag,
        mode: LockMode,
        session: bool,
        wait: bool,
    ) -> PgResult<bool> {
        let policy = WaitPolicy {
            nowait: !wait,
            ..self.policy
        };
        if session {
            return self
                .advisory
                .borrow_mut()
                .lock(self.lm, self.backend, tag, mode, &policy, &interrupted)
                .map_err(lock_error);
        }
        match self
            .lm
            .acquire(self.backend, tag, mode, &policy, &interrupted)
        {
            Ok(_) => Ok(true),
            Err(LockError::NotAvailable) if !wait => Ok(false),
            Err(e) => Err(lock_error(e)),
        }
    }

    /// pg_advisory_unlock(_shared): gives back one session-level
    /// acquisition; false (and a WARNING) if the session holds none.
    pub fn advisory_unlock(&self, tag: LockTag, mode: LockMode) -> bool {
        self.advisory
            .borrow_mut()
            .unlock(self.lm, self.backend, tag, mode)
    }

    /// pg_advisory_unlock_all: every session-level advisory lock goes.
    pub fn advisory_unlock_all(&self) {
        self.advisory.borrow_mut().unlock_all(self.lm, self.backend);
    }

    /// The writer's identity for heap changes.
    pub fn writer(&self) -> Writer<'_> {
        Writer {
            own: &self.mvcc.own,
            xid: self.xid,
            cid: self.mvcc.cid,
            procs: Some(&self.procs),
        }
    }

    pub fn procs(&self) -> ProcArray {
        self.procs
    }

    /// Waits until transaction `xid` (or the transaction that owns it, for
    /// a subtransaction) has ended.
    pub fn wait_for(&self, xid: u32) -> PgResult<()> {
        let Some((_, top)) = self.procs.owner_of(xid) else {
            return Ok(());
        };
        let tag = LockTag::Transaction(top);
        self.lm
            .acquire(
                self.backend,
                tag,
                LockMode::Share,
                &self.policy,
                &interrupted,
            )
            .map_err(lock_error)?;
        self.lm.release(self.backend, tag, LockMode::Share);
        Ok(())
    }

    pub fn lock_manager(&self) -> &'static LockManager {
        self.lm
    }

    /// The backend-table slot of this backend.
    pub fn backend(&self) -> usize {
        self.backend
    }

    /// Takes `tag` exclusively (short-term: the caller releases it).
    pub fn lock_tag(&self, tag: LockTag) -> PgResult<()> {
        self.lm
            .acquire(
                self.backend,
                tag,
                LockMode::Exclusive,
                &self.policy,
                &interrupted,
            )
            .map_err(lock_error)?;
        Ok(())
    }
}

/// The command ID after `cid`; 54000 past PostgreSQL's limit.
fn next_cid(cid: u32) -> PgResult<u32> {
    cid.checked_add(1).filter(|&c| c < u32::MAX).ok_or_else(|| {
        PgError::new(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "cannot have more than 2^32-2 commands in a transaction",
        )
    })
}
