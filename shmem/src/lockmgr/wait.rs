//! Waiting for a lock: the sleep loop of a queued backend (PostgreSQL's
//! ProcSleep), with its time-outs, interrupts and the deadlock check, and
//! leaving the queue when it gives up.

use std::sync::atomic::Ordering::*;
use std::time::{Duration, Instant};

use super::table::{NIL, PROC_GRANTED, PROC_IDLE};
use super::{Loc, LockError, LockManager, WaitPolicy};
use crate::time::monotonic_ns;
use crate::waitstats::{note, Ev};

/// Longest single sleep while waiting: `interrupted()` is re-checked at
/// least this often.
const MAX_SLEEP: Duration = Duration::from_millis(100);

impl LockManager {
    /// Sleeps until the waiting backend is granted its lock (returns the
    /// wake-up latency) or gives up.
    pub(super) fn sleep(
        &self,
        backend: usize,
        lock: u32,
        pl: u32,
        loc: Loc,
        policy: &WaitPolicy,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<u64, LockError> {
        let e = self.proc(backend);
        let start = Instant::now();
        let timeout_at = policy.lock_timeout.map(|d| start + d);
        let mut deadlock_at = Some(start + policy.deadlock_timeout);
        loop {
            // Read the futex word before the status: a grant or wake after
            // this point changes the word, so the sleep below returns.
            let seq = e.futex.load(Acquire);
            match e.status.load(Acquire) {
                PROC_GRANTED => return Ok(self.finish_grant(backend)),
                // release_all cancelled the wait.
                PROC_IDLE => return Err(LockError::Interrupted),
                _ => {}
            }
            let give_up = if interrupted() {
                Some(LockError::Interrupted)
            } else {
                let now = Instant::now();
                if policy.deadline.is_some_and(|d| now >= d) {
                    Some(LockError::StatementTimeout)
                } else if timeout_at.is_some_and(|t| now >= t) {
                    Some(LockError::LockTimeout)
                } else {
                    None
                }
            };
            if let Some(err) = give_up {
                return self.cancel_wait(backend, lock, pl, loc, err);
            }
            let now = Instant::now();
            if deadlock_at.is_some_and(|at| now >= at) {
                deadlock_at = None;
                note(Ev::DeadlockCheck, 0);
                if let Some(detail) = self.check_deadlock(backend) {
                    note(Ev::Deadlock, 0);
                    return Err(LockError::Deadlock { detail });
                }
                continue;
            }
            let sleep = [policy.deadline, timeout_at, deadlock_at]
                .into_iter()
                .flatten()
                .map(|t| t.saturating_duration_since(now))
                .fold(MAX_SLEEP, Duration::min)
                .max(Duration::from_micros(100));
            crate::waitstats::note_futex_sleep();
            crate::futex::wait(&e.futex, seq, Some(sleep));
        }
    }

    /// The owner's side of a grant: back to idle; returns the wake-up
    /// latency.
    fn finish_grant(&self, backend: usize) -> u64 {
        let e = self.proc(backend);
        let woke = e.wake_ns.load(Relaxed);
        e.wait_lock.store(NIL, Relaxed);
        e.status.store(PROC_IDLE, Release);
        if woke == 0 {
            0
        } else {
            monotonic_ns().saturating_sub(woke).max(1)
        }
    }

    /// Leaves the wait queue with `err`, unless the lock was granted
    /// meanwhile (then the acquisition succeeds after all).
    fn cancel_wait(
        &self,
        backend: usize,
        lock: u32,
        pl: u32,
        loc: Loc,
        err: LockError,
    ) -> Result<u64, LockError> {
        let e = self.proc(backend);
        let _guard = self.partition(loc.part);
        match e.status.load(Acquire) {
            PROC_GRANTED => return Ok(self.finish_grant(backend)),
            // release_all already took it out of the queue.
            PROC_IDLE => return Err(err),
            _ => {}
        }
        self.remove_waiter(backend, lock, pl, loc.part);
        Err(err)
    }
}
