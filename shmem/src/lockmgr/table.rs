//! The lock manager's region and the primitive operations on it: the shared
//! lock table (one LOCK per locked object, in a hash table partitioned into
//! [`NUM_LOCK_PARTITIONS`]), the holder entries (PROCLOCKs: one per backend
//! and locked object) and one wait entry per backend (the lock-related part
//! of PostgreSQL's PGPROC).
//!
//! Every link is an index plus one (0 = none). Every function below that
//! takes a lock or proclock index requires the caller to hold the partition
//! LWLock of that lock exclusively (or every partition lock); the only
//! fields touched without a partition lock are the free-list heads (atomic
//! compare-and-swap), a wait entry's futex word and wake-up timestamp, and
//! its status once it is no longer `PROC_WAITING`.

use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering::*};

use super::{LockManager, LockMode, LockTag};
use crate::futex;
use crate::segment::SegmentConfig;

/// Partitions of the lock table, each with its own LWLock (PostgreSQL's
/// NUM_LOCK_PARTITIONS).
pub const NUM_LOCK_PARTITIONS: usize = 16;
/// LOCK entries per backend slot, on average (PostgreSQL's
/// max_locks_per_transaction default).
pub const MAX_LOCKS_PER_BACKEND: usize = 64;
/// PROCLOCK entries per LOCK entry (as PostgreSQL sizes its PROCLOCK hash).
pub const PROCLOCKS_PER_LOCK: usize = 2;

/// "No entry" in a link field (links hold index + 1).
pub(super) const NIL: u32 = 0;

/// Wait entry status: not waiting.
pub(super) const PROC_IDLE: u32 = 0;
/// In the wait queue of `wait_lock`.
pub(super) const PROC_WAITING: u32 = 1;
/// Granted by another backend, which removed it from the queue; the owner
/// sets it back to idle.
pub(super) const PROC_GRANTED: u32 = 2;

/// One locked object (PostgreSQL's LOCK).
#[repr(C)]
pub(super) struct Lock {
    /// Next lock in the same hash bucket; next free lock while free.
    pub hash_next: AtomicU32,
    /// The encoded tag (see `LockTag::encode`); word 0 is 0 while free.
    pub tag: [AtomicU32; 4],
    /// Bit `1 << mode` set while `granted[mode - 1] > 0`.
    pub grant_mask: AtomicU32,
    /// Bit `1 << mode` set while some backend in the queue waits for mode.
    pub wait_mask: AtomicU32,
    /// First holder entry (PROCLOCK index + 1).
    pub holders: AtomicU32,
    /// First and last waiting backend (slot + 1), linked through
    /// `LockProc::wait_next`, in queue order.
    pub wait_head: AtomicU32,
    pub wait_tail: AtomicU32,
    /// Per mode (index mode - 1): how many holders hold it.
    pub granted: [AtomicU32; 8],
}

/// One backend's hold on (or pending request for) one lock (PostgreSQL's
/// PROCLOCK). It exists while the backend holds a mode of the lock or waits
/// for one.
#[repr(C)]
pub(super) struct ProcLock {
    /// Index of the lock.
    pub lock: AtomicU32,
    /// The holder's backend slot.
    pub backend: AtomicU32,
    /// Bit `1 << mode` for each mode with `counts[mode - 1] > 0`.
    pub hold_mask: AtomicU32,
    /// Neighbours in the lock's holder list.
    pub lock_prev: AtomicU32,
    pub lock_next: AtomicU32,
    /// Neighbours in the backend's list for the lock's partition; next free
    /// entry while free.
    pub proc_prev: AtomicU32,
    pub proc_next: AtomicU32,
    /// Per mode: how many times the backend acquired it.
    pub counts: [AtomicU32; 8],
}

/// The lock manager's part of one backend slot.
#[repr(C, align(128))]
pub(super) struct LockProc {
    /// PROC_IDLE, PROC_WAITING or PROC_GRANTED.
    pub status: AtomicU32,
    /// The word the backend sleeps on; bumped by whoever wakes it.
    pub futex: AtomicU32,
    /// While waiting: the lock (index + 1), the backend's PROCLOCK on it
    /// (index), the requested mode, and the next waiter of the queue.
    pub wait_lock: AtomicU32,
    pub wait_proclock: AtomicU32,
    pub wait_mode: AtomicU32,
    pub wait_next: AtomicU32,
    /// Thread id of the waiter (for the deadlock report when the backend
    /// table has no pid for the slot).
    pub pid: AtomicI32,
    /// Partition of `wait_lock`.
    pub wait_partition: AtomicU32,
    /// Monotonic time the wait began, and the time the granter called
    /// futex wake.
    pub wait_start_ns: AtomicU64,
    pub wake_ns: AtomicU64,
    /// Per partition, the first of the backend's PROCLOCKs in it.
    pub proclocks: [AtomicU32; NUM_LOCK_PARTITIONS],
}

/// The bit of a mode in the masks.
#[inline]
pub(super) const fn bit(mode: LockMode) -> u32 {
    1 << mode as u32
}

/// The modes whose bits are set in `mask`.
pub(super) fn modes_in(mask: u32) -> impl Iterator<Item = LockMode> {
    LockMode::ALL
        .into_iter()
        .filter(move |m| mask & bit(*m) != 0)
}

fn splitmix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of an encoded tag. Its low bits choose the bucket; the lowest four
/// the partition, so that a bucket belongs to exactly one partition.
pub(super) fn tag_hash(w: [u32; 4]) -> u64 {
    let a = (w[0] as u64) << 32 | w[1] as u64;
    let b = (w[2] as u64) << 32 | w[3] as u64;
    splitmix(a ^ splitmix(b).rotate_left(17))
}

#[inline]
pub(super) fn partition_of(hash: u64) -> usize {
    (hash as usize) % NUM_LOCK_PARTITIONS
}

/// Sizes derived from a configuration.
pub(super) struct Layout {
    pub nbackends: usize,
    pub nlocks: usize,
    pub nproclocks: usize,
    pub nbuckets: usize,
    pub buckets_off: usize,
    pub locks_off: usize,
    pub proclocks_off: usize,
    pub procs_off: usize,
    pub total: usize,
}

fn align(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

impl Layout {
    pub fn new(cfg: &SegmentConfig) -> Layout {
        let nbackends = cfg.max_backends.max(1);
        let nlocks = MAX_LOCKS_PER_BACKEND * nbackends;
        let nproclocks = PROCLOCKS_PER_LOCK * nlocks;
        let nbuckets = nlocks.next_power_of_two().max(NUM_LOCK_PARTITIONS);
        let buckets_off = align(std::mem::size_of::<LockManager>(), 128);
        let locks_off = align(buckets_off + 4 * nbuckets, 128);
        let proclocks_off = align(locks_off + nlocks * std::mem::size_of::<Lock>(), 128);
        let procs_off = align(
            proclocks_off + nproclocks * std::mem::size_of::<ProcLock>(),
            128,
        );
        let total = procs_off + nbackends * std::mem::size_of::<LockProc>();
        Layout {
            nbackends,
            nlocks,
            nproclocks,
            nbuckets,
            buckets_off,
            locks_off,
            proclocks_off,
            procs_off,
            total,
        }
    }
}

/// Pops an entry off a free list: a stack whose head word is
/// `(version << 32) | (index + 1)`; the version, bumped by every push and
/// pop, defeats the ABA problem. `link` gives an entry's next-free field.
fn pop_free<'a>(head: &AtomicU64, link: impl Fn(u32) -> &'a AtomicU32) -> Option<u32> {
    let mut h = head.load(Acquire);
    loop {
        let first = h as u32;
        if first == NIL {
            return None;
        }
        // A stale read if another backend pops `first` meanwhile; then the
        // version differs and the exchange fails.
        let next = link(first - 1).load(Relaxed);
        let new = ((h >> 32).wrapping_add(1) << 32) | next as u64;
        match head.compare_exchange_weak(h, new, AcqRel, Acquire) {
            Ok(_) => return Some(first - 1),
            Err(cur) => h = cur,
        }
    }
}

/// An entry: off the free list if it has one, else the first never used
/// (`used` counts those handed out, up to `n`); None when all `n` are in
/// use. A never-used entry is zeroed memory, which its creator overwrites.
fn take_free<'a>(
    head: &AtomicU64,
    used: &AtomicU32,
    n: u32,
    link: impl Fn(u32) -> &'a AtomicU32,
) -> Option<u32> {
    if let Some(i) = pop_free(head, link) {
        return Some(i);
    }
    used.fetch_update(AcqRel, Acquire, |u| (u < n).then_some(u + 1))
        .ok()
}

fn push_free<'a>(head: &AtomicU64, idx: u32, link: impl Fn(u32) -> &'a AtomicU32) {
    let mut h = head.load(Relaxed);
    loop {
        link(idx).store(h as u32, Relaxed);
        let new = ((h >> 32).wrapping_add(1) << 32) | (idx + 1) as u64;
        match head.compare_exchange_weak(h, new, Release, Relaxed) {
            Ok(_) => return,
            Err(cur) => h = cur,
        }
    }
}

impl LockManager {
    #[inline]
    fn base(&self) -> *const u8 {
        self as *const LockManager as *const u8
    }

    #[inline]
    pub(super) fn bucket(&self, hash: u64) -> &AtomicU32 {
        let i = (hash as usize) & self.bucket_mask as usize;
        // SAFETY: `bucket_mask + 1` bucket words follow the header at
        // `buckets_off` (Layout), initialized to zero by the segment.
        unsafe { &*(self.base().add(self.buckets_off as usize) as *const AtomicU32).add(i) }
    }

    #[inline]
    pub(super) fn lock_at(&self, idx: u32) -> &Lock {
        assert!(idx < self.nlocks);
        // SAFETY: `nlocks` Lock entries lie at `locks_off` (Layout); the
        // index was checked.
        unsafe { &*(self.base().add(self.locks_off as usize) as *const Lock).add(idx as usize) }
    }

    #[inline]
    pub(super) fn proclock_at(&self, idx: u32) -> &ProcLock {
        assert!(idx < self.nproclocks);
        // SAFETY: `nproclocks` ProcLock entries lie at `proclocks_off`
        // (Layout); the index was checked.
        unsafe {
            &*(self.base().add(self.proclocks_off as usize) as *const ProcLock).add(idx as usize)
        }
    }

    /// The wait entry of backend slot `b` (panics if `b` is not a slot).
    #[inline]
    pub(super) fn proc(&self, b: usize) -> &LockProc {
        assert!(b < self.nbackends as usize, "backend slot {b} out of range");
        // SAFETY: `nbackends` LockProc entries lie at `procs_off` (Layout);
        // the index was checked.
        unsafe { &*(self.base().add(self.procs_off as usize) as *const LockProc).add(b) }
    }

    /// Starts the free lists of a freshly zeroed region: empty, every
    /// entry unused (none is written, so none of their pages is touched).
    pub(super) fn init_free_lists(&self) {
        self.free_locks.0.store(0, Release);
        self.free_proclocks.0.store(0, Release);
        self.used_locks.0.store(0, Release);
        self.used_proclocks.0.store(0, Release);
    }

    /// Free entries (locks, proclocks). Exact only while nobody changes the
    /// table.
    pub fn free_entries(&self) -> (usize, usize) {
        let count = |head: &AtomicU64, used: &AtomicU32, max: u32, link: &dyn Fn(u32) -> u32| {
            let mut n = 0;
            let mut cur = head.load(Acquire) as u32;
            while cur != NIL && n <= max as usize {
                n += 1;
                cur = link(cur - 1);
            }
            n + (max - used.load(Acquire).min(max)) as usize
        };
        (
            count(&self.free_locks.0, &self.used_locks.0, self.nlocks, &|i| {
                self.lock_at(i).hash_next.load(Relaxed)
            }),
            count(
                &self.free_proclocks.0,
                &self.used_proclocks.0,
                self.nproclocks,
                &|i| self.proclock_at(i).proc_next.load(Relaxed),
            ),
        )
    }

    /// The lock with encoded tag `w` (hash `hash`), if it exists.
    pub(super) fn find_lock(&self, hash: u64, w: [u32; 4]) -> Option<u32> {
        let mut cur = self.bucket(hash).load(Relaxed);
        while cur != NIL {
            let l = self.lock_at(cur - 1);
            if l.tag_words() == w {
                return Some(cur - 1);
            }
            cur = l.hash_next.load(Relaxed);
        }
        None
    }

    /// Creates the lock for `w`; None when the table is full.
    pub(super) fn create_lock(&self, hash: u64, w: [u32; 4]) -> Option<u32> {
        let idx = take_free(&self.free_locks.0, &self.used_locks.0, self.nlocks, |i| {
            &self.lock_at(i).hash_next
        })?;
        let l = self.lock_at(idx);
        for (t, v) in l.tag.iter().zip(w) {
            t.store(v, Relaxed);
        }
        l.grant_mask.store(0, Relaxed);
        l.wait_mask.store(0, Relaxed);
        l.holders.store(NIL, Relaxed);
        l.wait_head.store(NIL, Relaxed);
        l.wait_tail.store(NIL, Relaxed);
        for g in &l.granted {
            g.store(0, Relaxed);
        }
        let b = self.bucket(hash);
        l.hash_next.store(b.load(Relaxed), Relaxed);
        b.store(idx + 1, Relaxed);
        Some(idx)
    }

    /// Removes the lock from the table if nobody holds or awaits it.
    pub(super) fn free_lock_if_unused(&self, idx: u32) {
        let l = self.lock_at(idx);
        if l.holders.load(Relaxed) != NIL || l.wait_head.load(Relaxed) != NIL {
            return;
        }
        let b = self.bucket(tag_hash(l.tag_words()));
        let mut prev: Option<&Lock> = None;
        let mut cur = b.load(Relaxed);
        while cur != NIL && cur != idx + 1 {
            let e = self.lock_at(cur - 1);
            prev = Some(e);
            cur = e.hash_next.load(Relaxed);
        }
        debug_assert_eq!(cur, idx + 1, "lock {idx} not in its bucket");
        let next = l.hash_next.load(Relaxed);
        match prev {
            None => b.store(next, Relaxed),
            Some(p) => p.hash_next.store(next, Relaxed),
        }
        l.tag[0].store(0, Relaxed);
        push_free(&self.free_locks.0, idx, |i| &self.lock_at(i).hash_next);
    }

    /// Backend `b`'s PROCLOCK on lock `lock` (in partition `part`).
    pub(super) fn find_proclock(&self, b: usize, part: usize, lock: u32) -> Option<u32> {
        let mut cur = self.proc(b).proclocks[part].load(Relaxed);
        while cur != NIL {
            let pl = self.proclock_at(cur - 1);
            if pl.lock.load(Relaxed) == lock {
                return Some(cur - 1);
            }
            cur = pl.proc_next.load(Relaxed);
        }
        None
    }

    /// Creates backend `b`'s (empty) PROCLOCK on `lock`; None when full.
    pub(super) fn create_proclock(&self, b: usize, part: usize, lock: u32) -> Option<u32> {
        let idx = take_free(
            &self.free_proclocks.0,
            &self.used_proclocks.0,
            self.nproclocks,
            |i| &self.proclock_at(i).proc_next,
        )?;
        let pl = self.proclock_at(idx);
        pl.lock.store(lock, Relaxed);
        pl.backend.store(b as u32, Relaxed);
        pl.hold_mask.store(0, Relaxed);
        for c in &pl.counts {
            c.store(0, Relaxed);
        }
        let l = self.lock_at(lock);
        let first = l.holders.load(Relaxed);
        pl.lock_prev.store(NIL, Relaxed);
        pl.lock_next.store(first, Relaxed);
        if first != NIL {
            self.proclock_at(first - 1)
                .lock_prev
                .store(idx + 1, Relaxed);
        }
        l.holders.store(idx + 1, Relaxed);
        let head = &self.proc(b).proclocks[part];
        let first = head.load(Relaxed);
        pl.proc_prev.store(NIL, Relaxed);
        pl.proc_next.store(first, Relaxed);
        if first != NIL {
            self.proclock_at(first - 1)
                .proc_prev
                .store(idx + 1, Relaxed);
        }
        head.store(idx + 1, Relaxed);
        Some(idx)
    }

    /// Unlinks a PROCLOCK (which must hold nothing any more) from its lock
    /// and its backend, and frees it.
    pub(super) fn free_proclock(&self, idx: u32, part: usize) {
        let pl = self.proclock_at(idx);
        debug_assert_eq!(pl.hold_mask.load(Relaxed), 0);
        let l = self.lock_at(pl.lock.load(Relaxed));
        let (prev, next) = (pl.lock_prev.load(Relaxed), pl.lock_next.load(Relaxed));
        match prev {
            NIL => l.holders.store(next, Relaxed),
            p => self.proclock_at(p - 1).lock_next.store(next, Relaxed),
        }
        if next != NIL {
            self.proclock_at(next - 1).lock_prev.store(prev, Relaxed);
        }
        let head = &self.proc(pl.backend.load(Relaxed) as usize).proclocks[part];
        let (prev, next) = (pl.proc_prev.load(Relaxed), pl.proc_next.load(Relaxed));
        match prev {
            NIL => head.store(next, Relaxed),
            p => self.proclock_at(p - 1).proc_next.store(next, Relaxed),
        }
        if next != NIL {
            self.proclock_at(next - 1).proc_prev.store(prev, Relaxed);
        }
        pl.lock.store(0, Relaxed);
        push_free(&self.free_proclocks.0, idx, |i| {
            &self.proclock_at(i).proc_next
        });
    }

    /// Whether a holder other than the one with `held` (its hold mask)
    /// holds a mode conflicting with `mode` (PostgreSQL's
    /// LockCheckConflicts).
    pub(super) fn others_conflict(&self, l: &Lock, held: u32, mode: LockMode) -> bool {
        let cm = mode.conflict_mask() & l.grant_mask.load(Relaxed);
        modes_in(cm).any(|m| {
            let mine = u32::from(held & bit(m) != 0);
            l.granted[m as usize - 1].load(Relaxed) > mine
        })
    }

    /// Records one more acquisition of `mode` by PROCLOCK `pl`.
    pub(super) fn grant(&self, l: &Lock, pl: &ProcLock, mode: LockMode) {
        let c = &pl.counts[mode as usize - 1];
        if c.load(Relaxed) == 0 {
            pl.hold_mask.fetch_or(bit(mode), Relaxed);
            l.granted[mode as usize - 1].fetch_add(1, Relaxed);
            l.grant_mask.fetch_or(bit(mode), Relaxed);
        }
        c.fetch_add(1, Relaxed);
    }

    /// Drops `count` acquisitions of `mode` (all of them if `None`). Returns
    /// whether waiters may now be grantable: the holder gave up the mode
    /// and it conflicts with a mode waited for (PostgreSQL's UnGrantLock).
    pub(super) fn ungrant(&self, l: &Lock, pl: &ProcLock, mode: LockMode, all: bool) -> bool {
        let c = &pl.counts[mode as usize - 1];
        let n = c.load(Relaxed);
        if n == 0 {
            return false;
        }
        if n > 1 && !all {
            c.store(n - 1, Relaxed);
            return false;
        }
        c.store(0, Relaxed);
        pl.hold_mask.fetch_and(!bit(mode), Relaxed);
        if l.granted[mode as usize - 1].fetch_sub(1, Relaxed) == 1 {
            l.grant_mask.fetch_and(!bit(mode), Relaxed);
        }
        mode.conflict_mask() & l.wait_mask.load(Relaxed) != 0
    }

    /// Adds backend `b` to the lock's wait queue: before waiter `before`
    /// (slot + 1), or at the end if NIL.
    pub(super) fn queue_insert(&self, l: &Lock, b: usize, before: u32) {
        let me = b as u32 + 1;
        if before == NIL {
            self.proc(b).wait_next.store(NIL, Relaxed);
            match l.wait_tail.load(Relaxed) {
                NIL => l.wait_head.store(me, Relaxed),
                t => self.proc(t as usize - 1).wait_next.store(me, Relaxed),
            }
            l.wait_tail.store(me, Relaxed);
            return;
        }
        let mut prev = NIL;
        let mut cur = l.wait_head.load(Relaxed);
        while cur != before {
            debug_assert_ne!(cur, NIL, "waiter not in queue");
            prev = cur;
            cur = self.proc(cur as usize - 1).wait_next.load(Relaxed);
        }
        self.proc(b).wait_next.store(before, Relaxed);
        match prev {
            NIL => l.wait_head.store(me, Relaxed),
            p => self.proc(p as usize - 1).wait_next.store(me, Relaxed),
        }
    }

    /// Removes backend `b` from the lock's wait queue (if it is there).
    pub(super) fn queue_remove(&self, l: &Lock, b: usize) {
        let me = b as u32 + 1;
        let mut prev = NIL;
        let mut cur = l.wait_head.load(Relaxed);
        while cur != NIL && cur != me {
            prev = cur;
            cur = self.proc(cur as usize - 1).wait_next.load(Relaxed);
        }
        if cur == NIL {
            return;
        }
        let next = self.proc(b).wait_next.load(Relaxed);
        match prev {
            NIL => l.wait_head.store(next, Relaxed),
            p => self.proc(p as usize - 1).wait_next.store(next, Relaxed),
        }
        if l.wait_tail.load(Relaxed) == me {
            l.wait_tail.store(prev, Relaxed);
        }
        self.proc(b).wait_next.store(NIL, Relaxed);
    }

    /// Grants every waiter that can now proceed, in queue order, and wakes
    /// it; recomputes the wait mask (PostgreSQL's ProcLockWakeup). A waiter
    /// whose request conflicts with the request of a waiter still ahead of
    /// it keeps waiting, so that the queue stays fair.
    pub(super) fn wake_waiters(&self, lock: u32) {
        let l = self.lock_at(lock);
        let mut ahead = 0u32;
        let mut prev = NIL;
        let mut cur = l.wait_head.load(Relaxed);
        while cur != NIL {
            let b = cur as usize - 1;
            let e = self.proc(b);
            let next = e.wait_next.load(Relaxed);
            let mode = LockMode::from_u8(e.wait_mode.load(Relaxed) as u8)
                .expect("waiter has a valid lock mode");
            let pl = self.proclock_at(e.wait_proclock.load(Relaxed));
            if mode.conflict_mask() & ahead == 0
                && !self.others_conflict(l, pl.hold_mask.load(Relaxed), mode)
            {
                self.grant(l, pl, mode);
                match prev {
                    NIL => l.wait_head.store(next, Relaxed),
                    p => self.proc(p as usize - 1).wait_next.store(next, Relaxed),
                }
                if l.wait_tail.load(Relaxed) == cur {
                    l.wait_tail.store(prev, Relaxed);
                }
                e.wait_next.store(NIL, Relaxed);
                e.wake_ns.store(crate::time::monotonic_ns(), Relaxed);
                e.status.store(PROC_GRANTED, Release);
                Self::wake_entry(e);
            } else {
                ahead |= bit(mode);
                prev = cur;
            }
            cur = next;
        }
        l.wait_mask.store(ahead, Relaxed);
    }

    /// Bumps a wait entry's futex word and wakes its sleeper.
    pub(super) fn wake_entry(e: &LockProc) {
        e.futex.fetch_add(1, Release);
        futex::wake(&e.futex, i32::MAX);
    }
}

impl Lock {
    pub(super) fn tag_words(&self) -> [u32; 4] {
        std::array::from_fn(|i| self.tag[i].load(Relaxed))
    }

    pub(super) fn tag(&self) -> LockTag {
        LockTag::decode(self.tag_words())
    }
}
