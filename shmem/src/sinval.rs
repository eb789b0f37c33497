//! The shared invalidation queue (PostgreSQL's sinval): how a committed
//! catalog change reaches every other backend's catalog cache.
//!
//! A transaction that changed the catalog appends one message per catalog
//! it changed (its database's, or the shared one: database 0) once its
//! commit is in the commit log. Every backend remembers the number of the
//! next message it has to read; at the start of each statement it
//! compares that with [`SinvalQueue::next`] (one atomic load on the hot
//! path) and, when messages came, reads them and rebuilds its catalog
//! cache if one names its database or the shared catalog.
//!
//! The ring holds the last [`SINVAL_SLOTS`] messages. A backend that
//! fell further behind than that (it was idle while many transactions
//! changed the catalog) cannot know what it missed and resets: it
//! rebuilds its cache whatever the messages were (PostgreSQL's
//! "catchup" reset).
//!
//! Invariants and locking:
//! - Appending takes `write_lock` exclusively: the appender writes the
//!   slot's fields, then its `num` (message number + 1, 0 = never
//!   written) with Release, then advances `next` with Release.
//! - Readers take no lock: they read `num`, the fields, then `num` again
//!   (Acquire); if either reading of `num` is not the message they want,
//!   the slot was overwritten by a newer message, and they reset.
//! - The counters in [`SinvalStats`] are statistics only (Relaxed).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::lwlock::{LWLock, LockMode};
use crate::segment::SegmentConfig;

/// Messages the ring keeps (PostgreSQL's MAXNUMMESSAGES is 4096).
pub const SINVAL_SLOTS: usize = 4096;

/// What a message says changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SinvalMessage {
    /// The database whose catalog changed; 0: the shared catalog.
    pub database: u32,
}

/// One slot of the ring.
#[repr(C)]
struct Slot {
    /// The message's number + 1 (0: never written).
    num: AtomicU64,
    database: AtomicU32,
    _pad: u32,
}

/// Counters shown by `pgfork_stat_sinval`.
#[repr(C)]
#[derive(Default)]
pub struct SinvalStats {
    /// Messages appended.
    pub sent: AtomicU64,
    /// Messages read by backends (each reader counts each message).
    pub read: AtomicU64,
    /// Backends that fell behind the ring and reset their cache.
    pub resets: AtomicU64,
    /// Catalog cache rebuilds (a message for the backend's database, a
    /// reset, or the first load of a session).
    pub rebuilds: AtomicU64,
    /// Time spent rebuilding, in microseconds.
    pub rebuild_us: AtomicU64,
    /// Cache loads served by the catalog another session of the same
    /// process had just loaded (thread and pool mode).
    pub reuses: AtomicU64,
}

/// The queue (one region of the segment).
#[repr(C)]
pub struct SinvalQueue {
    write_lock: LWLock,
    /// The number of the next message to be appended.
    next: AtomicU64,
    pub stats: SinvalStats,
    slots: [Slot; SINVAL_SLOTS],
}

/// What a reader found since its position.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Catchup {
    /// The reader's new position.
    pub next: u64,
    /// The messages it read (empty after a reset).
    pub messages: Vec<SinvalMessage>,
    /// It fell behind the ring: anything may have changed.
    pub reset: bool,
}

impl SinvalQueue {
    pub fn shmem_size(_cfg: &SegmentConfig) -> usize {
        std::mem::size_of::<SinvalQueue>()
    }

    /// # Safety
    /// `p` addresses `shmem_size(cfg)` zeroed bytes that nothing else uses
    /// yet.
    pub unsafe fn shmem_init(_p: *mut u8, _cfg: &SegmentConfig) {
        // Zero is the initial state: unlocked, no message, counters 0.
    }

    /// # Safety
    /// `p` must address a region initialized by `shmem_init` that lives
    /// for the rest of the process.
    pub unsafe fn from_ptr(p: *mut u8) -> &'static SinvalQueue {
        // SAFETY: forwarded from the caller.
        unsafe { &*(p as *const SinvalQueue) }
    }

    /// The number of the next message (a reader at this position is up
    /// to date).
    #[inline]
    pub fn next(&self) -> u64 {
        self.next.load(Ordering::Acquire)
    }

    /// Appends messages (one transaction's, in one go).
    pub fn send(&self, messages: &[SinvalMessage]) {
        if messages.is_empty() {
            return;
        }
        let _g = self.write_lock.lock(LockMode::Exclusive);
        let mut n = self.next.load(Ordering::Relaxed);
        for m in messages {
            let slot = &self.slots[(n % SINVAL_SLOTS as u64) as usize];
            // Readers that see the old number while the fields change
            // re-read it afterwards and find it changed: clear it first.
            slot.num.store(0, Ordering::Release);
            slot.database.store(m.database, Ordering::Release);
            slot.num.store(n + 1, Ordering::Release);
            n += 1;
        }
        self.next.store(n, Ordering::Release);
        self.stats
            .sent
            .fetch_add(messages.len() as u64, Ordering::Relaxed);
    }

    /// The messages from position `from` on.
    pub fn read_from(&self, from: u64) -> Catchup {
        let next = self.next();
        let reset = || {
            self.stats.resets.fetch_add(1, Ordering::Relaxed);
            Catchup {
                next,
                messages: Vec::new(),
                reset: true,
            }
        };
        if from > next || next - from > SINVAL_SLOTS as u64 {
            return reset();
        }
        let mut messages = Vec::with_capacity((next - from) as usize);
        for n in from..next {
            let slot = &self.slots[(n % SINVAL_SLOTS as u64) as usize];
            if slot.num.load(Ordering::Acquire) != n + 1 {
                return reset();
            }
            let database = slot.database.load(Ordering::Acquire);
            if slot.num.load(Ordering::Acquire) != n + 1 {
                return reset();
            }
            messages.push(SinvalMessage { database });
        }
        self.stats
            .read
            .fetch_add(messages.len() as u64, Ordering::Relaxed);
        Catchup {
            next,
            messages,
            reset: false,
        }
    }

    /// Counts one cache load served by another session's rebuild.
    pub fn note_reuse(&self) {
        self.stats.reuses.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one cache rebuild that took `us` microseconds.
    pub fn note_rebuild(&self, us: u64) {
        self.stats.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.stats.rebuild_us.fetch_add(us, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue() -> Box<SinvalQueue> {
        // SAFETY: SinvalQueue is repr(C) of atomics and an LWLock, all
        // valid zeroed (the shared segment starts zeroed too).
        unsafe { Box::new(std::mem::zeroed()) }
    }

    /// Messages a forked child appends to the segment's queue reach the
    /// parent, in order.
    #[test]
    fn messages_of_a_forked_child_reach_the_parent() {
        let cfg = SegmentConfig {
            port: 61030,
            max_backends: 4,
            shared_buffers: 0,
            mode: 0,
        };
        let (_owner, seg) =
            crate::segment::SegmentOwner::create(&cfg, crate::datadir::testing::scratch()).unwrap();
        let q = seg.sinval();
        let from = q.next();
        // SAFETY: the child only touches the shared segment and exits with
        // _exit, running no destructors of the parent's state.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                q.send(&[SinvalMessage { database: 7 }]);
                q.send(&[SinvalMessage { database: 0 }, SinvalMessage { database: 9 }]);
                // SAFETY: _exit is async-signal-safe and skips destructors.
                unsafe { libc::_exit(0) };
            }
            nix::unistd::ForkResult::Parent { child } => {
                nix::sys::wait::waitpid(child, None).unwrap();
                let c = q.read_from(from);
                assert!(!c.reset);
                assert_eq!(c.next, from + 3);
                let dbs: Vec<u32> = c.messages.iter().map(|m| m.database).collect();
                assert_eq!(dbs, vec![7, 0, 9]);
                assert_eq!(q.stats.sent.load(Ordering::Relaxed), 3);
            }
        }
    }

    #[test]
    fn readers_catch_up_and_reset() {
        let q = queue();
        let m = |database| SinvalMessage { database };
        assert_eq!(q.read_from(0), Catchup::default());
        q.send(&[m(5), m(0)]);
        let c = q.read_from(0);
        assert_eq!(
            (c.next, c.messages.clone(), c.reset),
            (2, vec![m(5), m(0)], false)
        );
        assert_eq!(q.read_from(1).messages, vec![m(0)]);
        assert!(q.read_from(2).messages.is_empty());
        // A reader further behind than the ring resets.
        for i in 0..SINVAL_SLOTS as u32 {
            q.send(&[m(i)]);
        }
        let c = q.read_from(1);
        assert!(c.reset && c.messages.is_empty());
        assert_eq!(c.next, 2 + SINVAL_SLOTS as u64);
        let c = q.read_from(3);
        assert!(!c.reset);
        assert_eq!(c.messages.len(), SINVAL_SLOTS - 1);
        assert_eq!(q.stats.resets.load(Ordering::Relaxed), 1);
        assert_eq!(
            q.stats.sent.load(Ordering::Relaxed),
            2 + SINVAL_SLOTS as u64
        );
    }
}
