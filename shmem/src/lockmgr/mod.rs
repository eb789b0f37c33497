//! PostgreSQL's heavyweight lock manager (`lock.c`, `proc.c`,
//! `deadlock.c`): table and transaction locks held until the end of a
//! transaction, shared by every backend through the segment.
//!
//! [`LockManager`] is the shared lock table (region "lock manager"): a hash
//! table of locked objects ([`LockTag`]) partitioned into 16 parts with an
//! LWLock each, the holders of each object with the modes they hold, and
//! FIFO wait queues. A backend waiting for a lock sleeps on the futex word
//! of its own wait entry; a backend that releases a lock grants it to the
//! waiters that can now proceed and wakes them. A waiter that has slept for
//! `deadlock_timeout` looks for a cycle of waits through itself
//! (`deadlock.rs`) and, if it finds one, gives up with [`LockError::Deadlock`].
//! [`LocalLocks`] is the per-backend table (PostgreSQL's LOCALLOCK) that
//! keeps repeated acquisitions off shared memory.
//!
//! The invariants and locking rules are in `shmem/README.md`, section "The
//! lock manager". Submodules: `modes` (lock modes, conflicts, tags),
//! `table` (region layout and the primitive operations), `wait` (the sleep
//! of a queued backend), `deadlock` (detection), `local` (LOCALLOCK).

mod deadlock;
mod local;
mod modes;
mod table;
#[cfg(test)]
mod tests;
mod wait;

use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::*};
use std::time::{Duration, Instant};

use crate::backend_table::BackendTable;
use crate::buffer::layout::Padded;
use crate::lwlock::{LWLock, LWLockGuard, LockMode as LWMode};
use crate::segment::{region, Segment, SegmentConfig};
use crate::time::monotonic_ns;
use crate::waitstats::{note, Ev};
pub use local::LocalLocks;
pub use modes::{LockMode, LockTag, LOCK_DATABASE_OID};
use table::{bit, partition_of, tag_hash, Layout, NIL, PROC_IDLE, PROC_WAITING};
pub use table::{MAX_LOCKS_PER_BACKEND, NUM_LOCK_PARTITIONS, PROCLOCKS_PER_LOCK};

/// How long, and whether, to wait for a lock.
#[derive(Clone, Copy, Debug)]
pub struct WaitPolicy {
    /// Run the deadlock check after waiting this long (PostgreSQL default
    /// 1 s).
    pub deadlock_timeout: Duration,
    /// Give up after this long (None = wait forever).
    pub lock_timeout: Option<Duration>,
    /// statement_timeout's end: give up when reached.
    pub deadline: Option<Instant>,
    /// Fail at once instead of waiting (SELECT ... FOR UPDATE NOWAIT).
    pub nowait: bool,
}

impl Default for WaitPolicy {
    fn default() -> WaitPolicy {
        WaitPolicy {
            deadlock_timeout: Duration::from_secs(1),
            lock_timeout: None,
            deadline: None,
            nowait: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// `detail` in PostgreSQL's format: "Process 123 waits for ShareLock on
    /// transaction 745; blocked by process 456.\nProcess 456 waits for ...".
    #[error("deadlock detected")]
    Deadlock { detail: String },
    #[error("canceling statement due to lock timeout")]
    LockTimeout,
    #[error("canceling statement due to statement timeout")]
    StatementTimeout,
    /// The lock was busy and the policy said nowait.
    #[error("could not obtain lock")]
    NotAvailable,
    /// `interrupted()` returned true while waiting.
    #[error("interrupted")]
    Interrupted,
    /// The lock table is full (HINT: You might need to increase
    /// max_locks_per_transaction).
    #[error("out of shared memory")]
    OutOfSharedMemory,
}

/// What one acquisition cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Acquired {
    /// Time spent waiting (0 if granted at once).
    pub waited_ns: u64,
    /// From the releaser's wake-up call to this waiter running again; 0 if
    /// no wait.
    pub wakeup_ns: u64,
}

/// One held or awaited lock, for a pg_locks view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub tag: LockTag,
    pub mode: LockMode,
    pub backend: usize,
    pub granted: bool,
}

/// The shared lock table (region "lock manager"). Followed in the region
/// by the hash buckets, the LOCK entries, the PROCLOCK entries and one
/// wait entry per backend slot (see `table.rs`).
#[repr(C)]
pub struct LockManager {
    nbackends: u32,
    nlocks: u32,
    nproclocks: u32,
    bucket_mask: u32,
    buckets_off: u64,
    locks_off: u64,
    proclocks_off: u64,
    procs_off: u64,
    /// Byte distance from this header to the segment's backend table (for
    /// the pids in deadlock reports); recorded by [`Segment::lock_manager`],
    /// 0 until then.
    backend_table_rel: AtomicI64,
    /// Heads of the free lists of LOCK and PROCLOCK entries (see
    /// `table::pop_free`).
    free_locks: Padded<AtomicU64>,
    free_proclocks: Padded<AtomicU64>,
    /// How many LOCK and PROCLOCK entries were ever handed out: those at
    /// and above are free without being on a free list, never touched, so
    /// that a table sized for 100,000 backends costs memory only for the
    /// entries used (see `table::take_free`).
    used_locks: Padded<AtomicU32>,
    used_proclocks: Padded<AtomicU32>,
    partitions: [Padded<LWLock>; NUM_LOCK_PARTITIONS],
}

impl Segment {
    /// The lock manager of this segment.
    pub fn lock_manager(&self) -> &'static LockManager {
        let p = self.region_ptr(region::LOCK_MANAGER);
        // SAFETY: region LOCK_MANAGER was initialized by
        // `LockManager::shmem_init` and lives as long as the mapping.
        let lm = unsafe { &*(p as *const LockManager) };
        let rel = self.region_ptr(region::BACKEND_TABLE) as i64 - p as i64;
        if lm.backend_table_rel.load(Relaxed) != rel {
            lm.backend_table_rel.store(rel, Relaxed);
        }
        lm
    }
}

/// Where a lock lives: its encoded tag, hash and partition.
#[derive(Clone, Copy)]
struct Loc {
    words: [u32; 4],
    hash: u64,
    part: usize,
}

impl Loc {
    fn new(tag: LockTag) -> Loc {
        let words = tag.encode();
        let hash = tag_hash(words);
        Loc {
            words,
            hash,
            part: partition_of(hash),
        }
    }
}

impl LockManager {
    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        Layout::new(cfg).total
    }

    /// # Safety
    /// `p` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes that
    /// nothing else uses yet.
    pub unsafe fn shmem_init(p: *mut u8, cfg: &SegmentConfig) {
        let lay = Layout::new(cfg);
        let hdr = p as *mut LockManager;
        // SAFETY: forwarded from the caller: the header's bytes are ours and
        // zero, which is a valid value for every atomic and LWLock in it.
        unsafe {
            (*hdr).nbackends = lay.nbackends as u32;
            (*hdr).nlocks = lay.nlocks as u32;
            (*hdr).nproclocks = lay.nproclocks as u32;
            (*hdr).bucket_mask = (lay.nbuckets - 1) as u32;
            (*hdr).buckets_off = lay.buckets_off as u64;
            (*hdr).locks_off = lay.locks_off as u64;
            (*hdr).proclocks_off = lay.proclocks_off as u64;
            (*hdr).procs_off = lay.procs_off as u64;
        }
        // SAFETY: the header is initialized; the entries that follow are
        // zeroed atomics.
        unsafe { &*hdr }.init_free_lists();
    }

    /// The lock manager of a segment (same as [`Segment::lock_manager`]).
    pub fn get(seg: &Segment) -> &'static LockManager {
        seg.lock_manager()
    }

    /// Number of backend slots.
    pub fn nbackends(&self) -> usize {
        self.nbackends as usize
    }

    /// Capacity of the lock table: (LOCK entries, PROCLOCK entries).
    pub fn capacity(&self) -> (usize, usize) {
        (self.nlocks as usize, self.nproclocks as usize)
    }

    fn partition(&self, part: usize) -> LWLockGuard<'_> {
        self.partitions[part].0.lock(LWMode::Exclusive)
    }

    /// Takes `mode` on `tag` for backend-table slot `backend`.
    ///
    /// Blocks, sleeping on a futex, while another backend holds a
    /// conflicting mode, or (unless `backend` already holds some mode of
    /// the same object) while an earlier waiter requests one: the queue is
    /// FIFO as in PostgreSQL. A backend never conflicts with itself;
    /// acquiring a mode it already holds just counts. While waiting it runs
    /// the deadlock check once after `policy.deadlock_timeout`, and checks
    /// `interrupted()` after every wake-up and at least every 100 ms.
    ///
    /// Panics if `backend` is not a slot of the backend table.
    pub fn acquire(
        &self,
        backend: usize,
        tag: LockTag,
        mode: LockMode,
        policy: &WaitPolicy,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Acquired, LockError> {
        let loc = Loc::new(tag);
        let e = self.proc(backend);
        let guard = self.partition(loc.part);
        let (lock, created) = match self.find_lock(loc.hash, loc.words) {
            Some(l) => (l, false),
            None => match self.create_lock(loc.hash, loc.words) {
                Some(l) => (l, true),
                None => return Err(LockError::OutOfSharedMemory),
            },
        };
        let pl_idx = match self.find_proclock(backend, loc.part, lock) {
            Some(p) => p,
            None => match self.create_proclock(backend, loc.part, lock) {
                Some(p) => p,
                None => {
                    if created {
                        self.free_lock_if_unused(lock);
                    }
                    return Err(LockError::OutOfSharedMemory);
                }
            },
        };
        let l = self.lock_at(lock);
        let pl = self.proclock_at(pl_idx);
        let held = pl.hold_mask.load(Relaxed);
        // A backend that holds nothing on the object queues behind earlier
        // conflicting requests; one that holds something only checks the
        // granted modes (it may already block those waiters).
        let conflict = (held & bit(mode) == 0)
            && ((held == 0 && mode.conflict_mask() & l.wait_mask.load(Relaxed) != 0)
                || self.others_conflict(l, held, mode));
        if !conflict {
            self.grant(l, pl, mode);
            return Ok(Acquired::default());
        }
        if policy.nowait {
            self.forget_if_unused(lock, pl_idx, loc.part);
            return Err(LockError::NotAvailable);
        }
        // Join the queue: at the end, or, holding modes of the object,
        // ahead of the first waiter that would have to wait for them
        // (PostgreSQL's JoinWaitQueue).
        let mut before = NIL;
        if held != 0 {
            let mut cur = l.wait_head.load(Relaxed);
            while cur != NIL {
                let w = self.proc(cur as usize - 1);
                if let Some(wm) = LockMode::from_u8(w.wait_mode.load(Relaxed) as u8) {
                    if wm.conflict_mask() & held != 0 {
                        before = cur;
                        break;
                    }
                }
                cur = w.wait_next.load(Relaxed);
            }
        }
        let start_ns = monotonic_ns();
        e.wait_lock.store(lock + 1, Relaxed);
        e.wait_proclock.store(pl_idx, Relaxed);
        e.wait_mode.store(mode as u32, Relaxed);
        e.wait_partition.store(loc.part as u32, Relaxed);
        e.wait_start_ns.store(start_ns, Relaxed);
        e.wake_ns.store(0, Relaxed);
        // SAFETY: gettid has no preconditions.
        e.pid.store(unsafe { libc::gettid() }, Relaxed);
        self.queue_insert(l, backend, before);
        l.wait_mask.fetch_or(bit(mode), Relaxed);
        e.status.store(PROC_WAITING, Release);
        drop(guard);

        let res = self.sleep(backend, lock, pl_idx, loc, policy, interrupted);
        let waited = monotonic_ns().saturating_sub(start_ns).max(1);
        let (wait_ev, wakeup_ev) = match tag {
            LockTag::Transaction(_) => (Ev::XactWait, Ev::XactWakeup),
            _ => (Ev::LockWait, Ev::LockWakeup),
        };
        note(wait_ev, waited);
        res.map(|wakeup_ns| {
            if wakeup_ns > 0 {
                note(wakeup_ev, wakeup_ns);
            }
            Acquired {
                waited_ns: waited,
                wakeup_ns,
            }
        })
    }

    /// Takes waiting backend `backend` out of the queue of `lock`, lets the
    /// waiters behind it proceed if they now can, and drops its PROCLOCK
    /// and the lock if they are no longer used. Caller holds the partition
    /// lock.
    fn remove_waiter(&self, backend: usize, lock: u32, pl: u32, part: usize) {
        let e = self.proc(backend);
        let l = self.lock_at(lock);
        self.queue_remove(l, backend);
        e.wait_lock.store(NIL, Relaxed);
        e.status.store(PROC_IDLE, Release);
        self.wake_waiters(lock);
        self.forget_if_unused(lock, pl, part);
    }

    /// Frees a PROCLOCK that holds nothing, then the lock if unused.
    fn forget_if_unused(&self, lock: u32, pl: u32, part: usize) {
        if self.proclock_at(pl).hold_mask.load(Relaxed) == 0 {
            self.free_proclock(pl, part);
        }
        self.free_lock_if_unused(lock);
    }

    /// Releases one count of `mode` on `tag` held by `backend`, waking the
    /// waiters that can now proceed. Releasing a lock not held does
    /// nothing.
    pub fn release(&self, backend: usize, tag: LockTag, mode: LockMode) {
        let loc = Loc::new(tag);
        let _guard = self.partition(loc.part);
        let Some(lock) = self.find_lock(loc.hash, loc.words) else {
            return;
        };
        let Some(pl) = self.find_proclock(backend, loc.part, lock) else {
            return;
        };
        let l = self.lock_at(lock);
        if self.ungrant(l, self.proclock_at(pl), mode, false) {
            self.wake_waiters(lock);
        }
        let waiting_here = {
            let e = self.proc(backend);
            e.status.load(Relaxed) == PROC_WAITING && e.wait_lock.load(Relaxed) == lock + 1
        };
        if !waiting_here {
            self.forget_if_unused(lock, pl, loc.part);
        }
    }

    /// Releases everything `backend` holds and cancels any wait of it (end
    /// of transaction; the postmaster calls it for a backend that died not
    /// holding any LWLock). Safe to call while other backends run.
    pub fn release_all(&self, backend: usize) {
        self.release_all_keeping(backend, &|_, _| false);
    }

    /// As [`LockManager::release_all`], but of each (tag, mode) for which
    /// `keep` says true, one acquisition stays held (the session-level
    /// advisory locks, which outlive the transaction).
    pub fn release_all_keeping(&self, backend: usize, keep: &dyn Fn(LockTag, LockMode) -> bool) {
        let e = self.proc(backend);
        if e.status.load(Acquire) == PROC_WAITING {
            let part = e.wait_partition.load(Relaxed) as usize % NUM_LOCK_PARTITIONS;
            let _guard = self.partition(part);
            let lock = e.wait_lock.load(Relaxed);
            if e.status.load(Acquire) == PROC_WAITING && lock != NIL {
                let pl = e.wait_proclock.load(Relaxed);
                self.remove_waiter(backend, lock - 1, pl, part);
                // A live waiter notices the cancelled wait at once.
                Self::wake_entry(e);
            }
        }
        e.wait_lock.store(NIL, Relaxed);
        e.status.store(PROC_IDLE, Release);
        for part in 0..NUM_LOCK_PARTITIONS {
            // Only the owner (or nobody, if it died) adds to its lists, so
            // an empty list stays empty.
            if e.proclocks[part].load(Relaxed) == NIL {
                continue;
            }
            let _guard = self.partition(part);
            let mut cur = e.proclocks[part].load(Relaxed);
            while cur != NIL {
                let pl_idx = cur - 1;
                let pl = self.proclock_at(pl_idx);
                cur = pl.proc_next.load(Relaxed);
                let lock = pl.lock.load(Relaxed);
                let l = self.lock_at(lock);
                let tag = l.tag();
                let mut wake = false;
                for mode in table::modes_in(pl.hold_mask.load(Relaxed)) {
                    if keep(tag, mode) {
                        // Already granted: only the count changes.
                        pl.counts[mode as usize - 1].store(1, Relaxed);
                    } else {
                        wake |= self.ungrant(l, pl, mode, true);
                    }
                }
                if pl.hold_mask.load(Relaxed) == 0 {
                    self.free_proclock(pl_idx, part);
                }
                if wake {
                    self.wake_waiters(lock);
                }
                self.free_lock_if_unused(lock);
            }
        }
    }

    /// Whether `backend` holds `mode` on `tag`.
    pub fn holds(&self, backend: usize, tag: LockTag, mode: LockMode) -> bool {
        let loc = Loc::new(tag);
        let _guard = self.partitions[loc.part].0.lock(LWMode::Shared);
        self.find_lock(loc.hash, loc.words)
            .and_then(|lock| self.find_proclock(backend, loc.part, lock))
            .is_some_and(|pl| self.proclock_at(pl).hold_mask.load(Relaxed) & bit(mode) != 0)
    }

    /// Every held or awaited lock, for a pg_locks view: a consistent
    /// picture, taken under every partition lock (shared).
    pub fn snapshot(&self) -> Vec<LockInfo> {
        let _guards: [LWLockGuard<'_>; NUM_LOCK_PARTITIONS] =
            std::array::from_fn(|p| self.partitions[p].0.lock(LWMode::Shared));
        let mut out = Vec::new();
        for b in 0..=self.bucket_mask as u64 {
            let mut cur = self.bucket(b).load(Relaxed);
            while cur != NIL {
                let l = self.lock_at(cur - 1);
                let tag = l.tag();
                let mut h = l.holders.load(Relaxed);
                while h != NIL {
                    let pl = self.proclock_at(h - 1);
                    let backend = pl.backend.load(Relaxed) as usize;
                    out.extend(
                        table::modes_in(pl.hold_mask.load(Relaxed)).map(|mode| LockInfo {
                            tag,
                            mode,
                            backend,
                            granted: true,
                        }),
                    );
                    h = pl.lock_next.load(Relaxed);
                }
                let mut w = l.wait_head.load(Relaxed);
                while w != NIL {
                    let e = self.proc(w as usize - 1);
                    if let Some(mode) = LockMode::from_u8(e.wait_mode.load(Relaxed) as u8) {
                        out.push(LockInfo {
                            tag,
                            mode,
                            backend: w as usize - 1,
                            granted: false,
                        });
                    }
                    w = e.wait_next.load(Relaxed);
                }
                cur = l.hash_next.load(Relaxed);
            }
        }
        out
    }

    /// Whether `backend` waits in [`LockManager::acquire`] now (pool mode
    /// does not count the carrier of such a backend as busy: see
    /// postmaster/src/pool.rs).
    pub fn is_waiting(&self, backend: usize) -> bool {
        backend < self.nbackends() && self.proc(backend).status.load(Acquire) == PROC_WAITING
    }

    /// Wakes `backend` if it is sleeping in [`LockManager::acquire`], so
    /// that it re-checks `interrupted()` at once (query cancel).
    pub fn wake(&self, backend: usize) {
        Self::wake_entry(self.proc(backend));
    }

    /// The backend table of the segment, once [`Segment::lock_manager`]
    /// recorded where it is.
    fn backend_table(&self) -> Option<&'static BackendTable> {
        let rel = self.backend_table_rel.load(Relaxed);
        if rel == 0 {
            return None;
        }
        // SAFETY: `rel` was recorded by Segment::lock_manager as the
        // distance from this header to the backend table region of the same
        // mapping, which is initialized and lives as long as the mapping.
        Some(unsafe {
            BackendTable::from_ptr((self as *const LockManager as *mut u8).offset(rel as isize))
        })
    }

    /// The process id to print for backend slot `b`: the backend table's
    /// (process id, or thread id in thread mode), else the thread id the
    /// backend recorded when it began to wait.
    fn pid_of(&self, b: usize) -> i32 {
        self.backend_table()
            .and_then(|t| t.slots().get(b))
            .map(|s| s.pid.load(Acquire))
            .filter(|&p| p != 0)
            .unwrap_or_else(|| self.proc(b).pid.load(Relaxed))
    }
}
