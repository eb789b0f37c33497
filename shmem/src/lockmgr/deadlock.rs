//! Deadlock detection (PostgreSQL's `deadlock.c`, simplified).
//!
//! A backend that has waited `deadlock_timeout` for a lock takes every
//! partition lock (in index order, so detectors never deadlock among
//! themselves), and searches the waits-for graph for a cycle through
//! itself. Backend B waits for backend C when B is in the queue of a lock
//! and C either holds a mode of it that conflicts with B's request (a hard
//! edge) or is ahead of B in the queue with a conflicting request (a soft
//! edge: B is granted only after C). PostgreSQL tries to resolve cycles of
//! soft edges by reordering the queue; here every edge counts, so such a
//! cycle is reported as a deadlock too.
//!
//! If a cycle exists, the detecting backend leaves the queue while still
//! holding every partition lock, which breaks the cycle: no other backend
//! can find the same cycle afterwards, so exactly one backend of a cycle
//! gives up.

use std::sync::atomic::Ordering::*;

use super::table::{bit, NIL, NUM_LOCK_PARTITIONS, PROC_WAITING};
use super::{LockManager, LockMode, LockTag};
use crate::lwlock::{LWLockGuard, LockMode as LWMode};

impl LockManager {
    /// Runs the deadlock check for waiting backend `me`. If `me` is part of
    /// a cycle, removes it from its wait queue and returns the report
    /// (PostgreSQL's DETAIL text); otherwise leaves everything as it was.
    pub(super) fn check_deadlock(&self, me: usize) -> Option<String> {
        let guards: [LWLockGuard<'_>; NUM_LOCK_PARTITIONS] =
            std::array::from_fn(|p| self.partitions[p].0.lock(LWMode::Exclusive));
        let e = self.proc(me);
        if e.status.load(Acquire) != PROC_WAITING {
            return None;
        }
        let cycle = self.find_cycle(me)?;
        let steps: Vec<(usize, LockMode, LockTag, usize)> = cycle
            .iter()
            .enumerate()
            .filter_map(|(i, &b)| {
                let w = self.proc(b);
                let mode = LockMode::from_u8(w.wait_mode.load(Relaxed) as u8)?;
                let tag = self.lock_at(w.wait_lock.load(Relaxed) - 1).tag();
                Some((b, mode, tag, cycle[(i + 1) % cycle.len()]))
            })
            .collect();
        let lock = e.wait_lock.load(Relaxed) - 1;
        let pl = e.wait_proclock.load(Relaxed);
        let part = e.wait_partition.load(Relaxed) as usize;
        self.remove_waiter(me, lock, pl, part);
        drop(guards);
        Some(
            steps
                .into_iter()
                .map(|(b, mode, tag, next)| {
                    format!(
                        "Process {} waits for {} on {}; blocked by process {}.",
                        self.pid_of(b),
                        mode.name(),
                        tag,
                        self.pid_of(next)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// The backends `b` waits for (empty if it is not waiting). Caller
    /// holds every partition lock.
    fn waits_for(&self, b: usize, out: &mut Vec<usize>) {
        out.clear();
        let e = self.proc(b);
        let lock = e.wait_lock.load(Relaxed);
        if e.status.load(Relaxed) != PROC_WAITING || lock == NIL {
            return;
        }
        let Some(mode) = LockMode::from_u8(e.wait_mode.load(Relaxed) as u8) else {
            return;
        };
        let cm = mode.conflict_mask();
        let l = self.lock_at(lock - 1);
        let mut h = l.holders.load(Relaxed);
        while h != NIL {
            let pl = self.proclock_at(h - 1);
            let holder = pl.backend.load(Relaxed) as usize;
            if holder != b && pl.hold_mask.load(Relaxed) & cm != 0 {
                out.push(holder);
            }
            h = pl.lock_next.load(Relaxed);
        }
        let mut w = l.wait_head.load(Relaxed);
        while w != NIL && w as usize != b + 1 {
            let ahead = self.proc(w as usize - 1);
            if LockMode::from_u8(ahead.wait_mode.load(Relaxed) as u8)
                .is_some_and(|m| cm & bit(m) != 0)
            {
                out.push(w as usize - 1);
            }
            w = ahead.wait_next.load(Relaxed);
        }
    }

    /// A cycle of waits-for edges from `me` back to `me`, as the list of
    /// backends along it (starting with `me`). Depth-first search; a
    /// backend explored once without reaching `me` cannot reach it later,
    /// so each is visited at most once. Caller holds every partition lock.
    fn find_cycle(&self, me: usize) -> Option<Vec<usize>> {
        let mut visited = vec![false; self.nbackends as usize];
        visited[me] = true;
        let mut edges = Vec::new();
        self.waits_for(me, &mut edges);
        // (backend, its out-edges, next edge to follow)
        let mut stack = vec![(me, edges, 0usize)];
        while let Some((_, edges, next)) = stack.last_mut() {
            let Some(&to) = edges.get(*next) else {
                stack.pop();
                continue;
            };
            *next += 1;
            if to == me {
                return Some(stack.iter().map(|s| s.0).collect());
            }
            if !visited[to] {
                visited[to] = true;
                let mut out = Vec::new();
                self.waits_for(to, &mut out);
                stack.push((to, out, 0));
            }
        }
        None
    }
}
