//! The proc array (PostgreSQL's `procarray.c` over `PGPROC`): which
//! transaction each backend runs, its subtransactions, and the oldest xid
//! its snapshot needs — the source of snapshots and of the pruning horizon.
//!
//! One entry per backend-table slot, indexed by slot number. Its parts:
//!
//! - a dense array of `(xid, nsubxids)` pairs, 8 bytes per backend, which
//!   a snapshot scans (PostgreSQL 14's `ProcGlobal->xids` / `subxidStates`:
//!   1100 backends are 9 KB, not 1100 cache lines);
//! - per backend, one cache-line-aligned [`ProcEntry`]: its snapshot xmin
//!   (written at every statement, so kept off the dense array) and its
//!   cache of up to [`MAX_CACHED_SUBXIDS`] subtransaction xids (PGPROC's
//!   `subxids`);
//! - `ProcArrayLock` and `XidGenLock` (LWLocks, on their own lines), and
//!   `latest_completed_xid`.
//!
//! Protocol (as PostgreSQL's; the why is in `shmem/README.md`):
//! - an xid is allocated and stored in the entry under `XidGenLock`
//!   exclusive;
//! - a snapshot is taken under `ProcArrayLock` shared, with
//!   `xmax = latest_completed_xid + 1`;
//! - a transaction ends by setting its clog status first, then clearing its
//!   entry and advancing `latest_completed_xid` under `ProcArrayLock`
//!   exclusive.
//!
//! Only the owning backend writes its entry, except that the postmaster
//! clears a dead backend's ([`ProcArray::cleanup_backend`]).
//!
//! [`ProcArrayShared`] is the region in the segment; [`ProcArray`] is a
//! process-local handle on it (`Segment::proc_array`) that also carries the
//! commit log of the server's data directory, which every transaction end
//! and snapshot decision consults.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::clog::Clog;
use super::slotset::{self, SlotSet};
use super::{Snapshot, TransactionId, XactError, XidStatus, FIRST_NORMAL_XID, INVALID_XID};
use crate::lwlock::{LWLock, LockMode};
use crate::segment::SegmentConfig;

/// Subtransaction xids a backend's entry can hold (PostgreSQL's
/// `PGPROC_MAX_CACHED_SUBXIDS`). There is no `pg_subtrans` to overflow
/// into: a transaction needing more fails with
/// [`XactError::TooManySubxacts`].
pub const MAX_CACHED_SUBXIDS: usize = 64;

#[repr(C, align(128))]
struct CacheLine<T>(T);

/// A backend's running xid and how many subtransaction xids it has cached,
/// in the dense array.
#[repr(C)]
struct XidSlot {
    /// Top-level xid, 0 = none. Set under XidGenLock, cleared under
    /// ProcArrayLock exclusive.
    xid: AtomicU32,
    /// Valid entries of `ProcEntry::subxids`. Raised (release, after the
    /// xid is stored) under XidGenLock; lowered under ProcArrayLock
    /// exclusive.
    nsubxids: AtomicU32,
}

/// A backend's snapshot xmin and subtransaction-xid cache.
#[repr(C, align(64))]
pub struct ProcEntry {
    /// The xmin of the backend's oldest live snapshot that it published,
    /// 0 = none. Set under ProcArrayLock shared (by the owner), cleared
    /// without a lock.
    xmin: AtomicU32,
    _pad: [u32; 15],
    subxids: [AtomicU32; MAX_CACHED_SUBXIDS],
}

/// The region's header; the dense slots and the entries follow it.
#[repr(C)]
pub struct ProcArrayShared {
    nprocs: u32,
    /// The highest xid that has ended (committed or aborted). Changed only
    /// under ProcArrayLock exclusive.
    latest_completed_xid: AtomicU32,
    proc_array_lock: CacheLine<LWLock>,
    xid_gen_lock: CacheLine<LWLock>,
}

const HEADER: usize = std::mem::size_of::<ProcArrayShared>();
const _: () = assert!(HEADER & 127 == 0);
const _: () = assert!(std::mem::size_of::<ProcEntry>() == 320);

fn slots_bytes(n: usize) -> usize {
    (n * std::mem::size_of::<XidSlot>()).div_ceil(128) * 128
}

/// Bytes of one [`SlotSet`] for `n` slots, rounded to a cache line.
fn set_bytes(n: usize) -> usize {
    slotset::bytes_for(n).div_ceil(128) * 128
}

/// Offset of the xid holders' set; the xmin holders' set follows it, then
/// the entries.
fn sets_off(n: usize) -> usize {
    HEADER + slots_bytes(n)
}

fn entries_off(n: usize) -> usize {
    sets_off(n) + 2 * set_bytes(n)
}

fn nprocs(cfg: &SegmentConfig) -> usize {
    cfg.max_backends.max(1)
}

/// A handle on the proc array: the region, and the commit log of the
/// server's data directory. Copy it freely.
#[derive(Clone, Copy)]
pub struct ProcArray {
    shared: &'static ProcArrayShared,
    clog: &'static Clog,
}

impl std::ops::Deref for ProcArray {
    type Target = ProcArrayShared;

    fn deref(&self) -> &ProcArrayShared {
        self.shared
    }
}

impl ProcArrayShared {
    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        let n = nprocs(cfg);
        entries_off(n) + n * std::mem::size_of::<ProcEntry>()
    }

    /// Initializes the region: every entry empty, `latest_completed_xid =
    /// FIRST_NORMAL_XID - 1` until [`ProcArray::start_from_clog`] (which the
    /// segment's initialization calls next) sets it from the commit log.
    ///
    /// # Safety
    /// `p` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes that
    /// nothing else uses yet.
    pub unsafe fn shmem_init(p: *mut u8, cfg: &SegmentConfig) {
        let latest = FIRST_NORMAL_XID - 1;
        // SAFETY: forwarded from the caller; zero is a valid value for
        // every other field (atomics, LWLocks).
        unsafe {
            let pa = p as *mut ProcArrayShared;
            (*pa).nprocs = nprocs(cfg) as u32;
            (*pa).latest_completed_xid = AtomicU32::new(latest);
        }
    }

    /// # Safety
    /// `p` must address a region initialized by `shmem_init` that stays
    /// mapped for the rest of the process.
    pub unsafe fn from_ptr(p: *mut u8) -> &'static ProcArrayShared {
        // SAFETY: forwarded from the caller.
        unsafe { &*(p as *const ProcArrayShared) }
    }

    fn slots(&self) -> &[XidSlot] {
        // SAFETY: `nprocs` XidSlots follow the header (shmem_size), 128-byte
        // aligned; they are atomics, initialized to zero.
        unsafe {
            let first = (self as *const ProcArrayShared as *const u8).add(HEADER) as *const XidSlot;
            std::slice::from_raw_parts(first, self.nprocs as usize)
        }
    }

    fn entries(&self) -> &[ProcEntry] {
        let n = self.nprocs as usize;
        // SAFETY: `nprocs` ProcEntries follow the slots (shmem_size), at a
        // 128-byte aligned offset; they are atomics, initialized to zero.
        unsafe {
            let first = (self as *const ProcArrayShared as *const u8).add(entries_off(n))
                as *const ProcEntry;
            std::slice::from_raw_parts(first, n)
        }
    }

    /// The `k`th set (0: xid holders, 1: xmin holders).
    fn set(&self, k: usize) -> SlotSet<'_> {
        let n = self.nprocs as usize;
        // SAFETY: two sets of `set_bytes(n)` bytes follow the slots
        // (shmem_size), 128-byte aligned; they are atomics, zero = empty.
        let words = unsafe {
            let first = (self as *const ProcArrayShared as *const u8)
                .add(sets_off(n) + k * set_bytes(n)) as *const AtomicU64;
            std::slice::from_raw_parts(first, set_bytes(n) / 8)
        };
        SlotSet::new(words, n)
    }

    /// The backends that hold a top-level xid: inserted under XidGenLock
    /// exclusive (with the xid), removed and tidied under ProcArrayLock
    /// exclusive, scanned under ProcArrayLock shared (never tidied by a
    /// scan).
    fn xid_holders(&self) -> SlotSet<'_> {
        self.set(0)
    }

    /// The backends that published a snapshot xmin: inserted by the owner
    /// under ProcArrayLock shared, removed by the owner without a lock,
    /// tidied under ProcArrayLock exclusive or by a scan under
    /// ProcArrayLock shared.
    fn xmin_holders(&self) -> SlotSet<'_> {
        self.set(1)
    }
}

impl ProcArray {
    /// A handle on the region `shared` whose transactions' statuses are in
    /// `clog`.
    pub fn new(shared: &'static ProcArrayShared, clog: &'static Clog) -> ProcArray {
        ProcArray { shared, clog }
    }

    /// The commit log this proc array's transactions end in.
    pub fn clog(&self) -> &'static Clog {
        self.clog
    }

    /// Sets `latest_completed_xid` to the commit log's `next_xid - 1`:
    /// after the region is (re)initialized, before any backend runs.
    pub(crate) fn start_from_clog(&self) {
        let latest = self.clog.next_xid().max(FIRST_NORMAL_XID) - 1;
        self.latest_completed_xid.store(latest, Ordering::Release);
    }

    /// Number of entries (the backend table's slots).
    pub fn nprocs(&self) -> usize {
        self.nprocs as usize
    }

    /// The highest xid that has committed or aborted.
    pub fn latest_completed_xid(&self) -> TransactionId {
        self.latest_completed_xid.load(Ordering::Acquire)
    }

    /// `backend`'s top-level xid (0 = none).
    pub fn xid_of(&self, backend: usize) -> TransactionId {
        self.slots()[backend].xid.load(Ordering::Acquire)
    }

    /// `backend`'s cached subtransaction xids, oldest first. Exact only
    /// when called by the owner (or for a dead backend).
    pub fn subxids_of(&self, backend: usize) -> Vec<TransactionId> {
        let n = self.slots()[backend].nsubxids.load(Ordering::Acquire) as usize;
        self.entries()[backend].subxids[..n.min(MAX_CACHED_SUBXIDS)]
            .iter()
            .map(|x| x.load(Ordering::Relaxed))
            .collect()
    }

    /// `backend`'s published snapshot xmin (0 = none).
    pub fn xmin_of(&self, backend: usize) -> TransactionId {
        self.entries()[backend].xmin.load(Ordering::Acquire)
    }

    /// For a checkpoint: the next xid, and every xid below it whose status
    /// is still in progress (the running transactions, with subtransaction
    /// xids whether cached or not). Recovery decides these from the WAL.
    pub fn running_xids(&self) -> (TransactionId, Vec<TransactionId>) {
        let (next, lo) = {
            // ProcArrayLock: the xid holders' set is scanned under it (no
            // transaction end tidies it meanwhile); then XidGenLock: no xid
            // is handed out but not yet published. PostgreSQL's
            // GetRunningTransactionData takes both in this order.
            let _p = self.proc_array_lock.0.lock(LockMode::Shared);
            let _g = self.xid_gen_lock.0.lock(LockMode::Shared);
            let next = self.clog.next_xid();
            let slots = self.slots();
            let mut lo = next;
            self.xid_holders().for_each(false, |i| {
                let x = slots[i].xid.load(Ordering::Acquire);
                if x != INVALID_XID {
                    lo = lo.min(x);
                }
            });
            (next, lo)
        };
        let running = (lo..next)
            .filter(|&x| self.clog.status(x) == XidStatus::InProgress)
            .collect();
        (next, running)
    }

    /// A top-level xid for `backend` (which has none yet; if it has one,
    /// that one is returned).
    pub fn assign_xid(&self, backend: usize) -> Result<TransactionId, XactError> {
        let slot = &self.slots()[backend];
        let have = slot.xid.load(Ordering::Relaxed);
        if have != INVALID_XID {
            debug_assert!(false, "backend {backend} already has xid {have}");
            return Ok(have);
        }
        let _g = self.xid_gen_lock.0.lock(LockMode::Exclusive);
        let x = self.clog.allocate_xid()?;
        slot.xid.store(x, Ordering::Release);
        // Before XidGenLock is released: a transaction that gets a later
        // xid, commits and so raises a snapshot's xmax, finds this one in
        // the set (see `snapshot`).
        self.xid_holders().insert(backend);
        Ok(x)
    }

    /// A subtransaction xid (the backend already has a top-level xid),
    /// recorded in its entry's subxid cache.
    ///
    /// # Panics
    /// If `backend` has no top-level xid.
    pub fn assign_subxid(&self, backend: usize) -> Result<TransactionId, XactError> {
        let slot = &self.slots()[backend];
        assert!(
            slot.xid.load(Ordering::Relaxed) != INVALID_XID,
            "subtransaction xid requested by backend {backend} without a top-level xid"
        );
        let n = slot.nsubxids.load(Ordering::Relaxed) as usize;
        if n >= MAX_CACHED_SUBXIDS {
            return Err(XactError::TooManySubxacts(MAX_CACHED_SUBXIDS));
        }
        let _g = self.xid_gen_lock.0.lock(LockMode::Exclusive);
        let x = self.clog.allocate_xid()?;
        self.entries()[backend].subxids[n].store(x, Ordering::Relaxed);
        slot.nsubxids.store(n as u32 + 1, Ordering::Release);
        Ok(x)
    }

    /// COMMIT: sets `xid` and then `subxids` (those not rolled back)
    /// committed in the clog, then clears the entry (xid, subxids, xmin)
    /// under ProcArrayLock exclusive, advancing `latest_completed_xid`.
    /// Returns the nanoseconds waited for ProcArrayLock.
    ///
    /// The top-level xid is set first: it is the commit point, so no reader
    /// of the clog ever sees a subtransaction committed before its
    /// transaction (the crash window after it is covered by the clog's
    /// commit intent). Cached subxids missing from `subxids` were rolled
    /// back: they are set aborted first. With `xid == 0` (a transaction
    /// that wrote nothing) only the xmin is cleared.
    pub fn commit(&self, backend: usize, xid: TransactionId, subxids: &[TransactionId]) -> u64 {
        if xid == INVALID_XID {
            self.clear_xmin(backend);
            return 0;
        }
        debug_assert_eq!(self.xid_of(backend), xid);
        let cached = self.subxids_of(backend);
        for &s in cached.iter().filter(|s| !subxids.contains(s)) {
            self.clog.set_status_if_in_progress(s, XidStatus::Aborted);
        }
        self.clog.commit_tree(backend, xid, subxids);
        self.end_transaction(backend, xid, subxids.iter().chain(&cached).copied())
    }

    /// ABORT: sets `subxids`, every cached subxid and `xid` aborted in the
    /// clog, then clears the entry like [`commit`](Self::commit). Returns
    /// the nanoseconds waited for ProcArrayLock.
    pub fn abort(&self, backend: usize, xid: TransactionId, subxids: &[TransactionId]) -> u64 {
        if xid == INVALID_XID {
            self.clear_xmin(backend);
            return 0;
        }
        debug_assert_eq!(self.xid_of(backend), xid);
        let cached = self.subxids_of(backend);
        for &s in subxids.iter().chain(&cached) {
            self.clog.set_status_if_in_progress(s, XidStatus::Aborted);
        }
        self.clog.set_status_if_in_progress(xid, XidStatus::Aborted);
        self.end_transaction(backend, xid, subxids.iter().chain(&cached).copied())
    }

    /// Clears `backend`'s entry and advances `latest_completed_xid` past
    /// `xid` and `subxids`, under ProcArrayLock exclusive. The clog status
    /// of every one of them is final already.
    fn end_transaction(
        &self,
        backend: usize,
        xid: TransactionId,
        subxids: impl Iterator<Item = TransactionId>,
    ) -> u64 {
        let latest = subxids.fold(xid, u32::max);
        let slot = &self.slots()[backend];
        let waited = self.proc_array_lock.0.acquire(LockMode::Exclusive);
        slot.xid.store(INVALID_XID, Ordering::Relaxed);
        slot.nsubxids.store(0, Ordering::Relaxed);
        self.entries()[backend]
            .xmin
            .store(INVALID_XID, Ordering::Relaxed);
        // No scan runs while ProcArrayLock is exclusive: the only time a
        // summary bit of the xid holders' set may be cleared.
        for set in [self.xid_holders(), self.xmin_holders()] {
            if set.remove(backend) {
                set.tidy(backend);
            }
        }
        if latest > self.latest_completed_xid.load(Ordering::Relaxed) {
            self.latest_completed_xid.store(latest, Ordering::Relaxed);
        }
        self.proc_array_lock.0.release(LockMode::Exclusive);
        waited
    }

    /// ROLLBACK TO SAVEPOINT: sets `subxids` aborted and removes them from
    /// the entry's cache (under ProcArrayLock exclusive, advancing
    /// `latest_completed_xid`, as PostgreSQL's `XidCacheRemoveRunningXids`).
    pub fn abort_subxids(&self, backend: usize, subxids: &[TransactionId]) {
        if subxids.is_empty() {
            return;
        }
        for &s in subxids {
            self.clog.set_status_if_in_progress(s, XidStatus::Aborted);
        }
        let latest = subxids.iter().copied().max().unwrap_or(INVALID_XID);
        let slot = &self.slots()[backend];
        let cache = &self.entries()[backend].subxids;
        let _g = self.proc_array_lock.0.lock(LockMode::Exclusive);
        let n = (slot.nsubxids.load(Ordering::Relaxed) as usize).min(MAX_CACHED_SUBXIDS);
        let mut kept = 0;
        for i in 0..n {
            let x = cache[i].load(Ordering::Relaxed);
            if !subxids.contains(&x) {
                cache[kept].store(x, Ordering::Relaxed);
                kept += 1;
            }
        }
        slot.nsubxids.store(kept as u32, Ordering::Release);
        if latest > self.latest_completed_xid.load(Ordering::Relaxed) {
            self.latest_completed_xid.store(latest, Ordering::Relaxed);
        }
    }

    /// A snapshot for `backend`: `xmax = latest_completed_xid + 1`, `xip` =
    /// every other backend's xid and cached subxids below `xmax`, `xmin` =
    /// min(xip, xmax). If `set_xmin` and the entry has no xmin, publishes
    /// `snapshot.xmin` as the entry's xmin (the horizon that keeps rows
    /// the snapshot may need from being pruned). Also returns the
    /// nanoseconds waited for ProcArrayLock. A `backend` out of range
    /// (e.g. `usize::MAX`) takes a snapshot for nobody.
    pub fn snapshot(&self, backend: usize, set_xmin: bool) -> (Snapshot, u64) {
        let entries = self.entries();
        let mut xip = Vec::new();
        let waited = self.proc_array_lock.0.acquire(LockMode::Shared);
        let xmax = self.latest_completed_xid.load(Ordering::Relaxed) + 1;
        let mut xmin = xmax;
        let slots = self.slots();
        // Only the backends holding an xid: an idle session costs nothing.
        // One whose xid is being assigned right now may be missed, but its
        // xid is at least the counter's next, hence at least xmax: running
        // for this snapshot anyway.
        self.xid_holders().for_each(false, |i| {
            if i == backend {
                return;
            }
            let slot = &slots[i];
            let x = slot.xid.load(Ordering::Acquire);
            if x == INVALID_XID {
                return;
            }
            if x < xmax {
                xip.push(x);
                xmin = xmin.min(x);
            }
            let n = slot.nsubxids.load(Ordering::Acquire) as usize;
            for s in &entries[i].subxids[..n.min(MAX_CACHED_SUBXIDS)] {
                let s = s.load(Ordering::Relaxed);
                if s != INVALID_XID && s < xmax {
                    xip.push(s);
                    xmin = xmin.min(s);
                }
            }
        });
        if set_xmin {
            if let Some(e) = entries.get(backend) {
                if e.xmin.load(Ordering::Relaxed) == INVALID_XID {
                    e.xmin.store(xmin, Ordering::Release);
                    self.xmin_holders().insert(backend);
                }
            }
        }
        self.proc_array_lock.0.release(LockMode::Shared);
        xip.sort_unstable();
        (Snapshot { xmin, xmax, xip }, waited)
    }

    /// Clears the entry's xmin (end of a READ COMMITTED statement or of a
    /// transaction). No lock: a horizon computed concurrently merely stays
    /// older.
    pub fn clear_xmin(&self, backend: usize) {
        self.entries()[backend]
            .xmin
            .store(INVALID_XID, Ordering::Release);
        // The summary bit stays: tidied by a later transaction end or
        // horizon scan.
        self.xmin_holders().remove(backend);
    }

    /// Oldest xid any running transaction or live snapshot may still
    /// consider running: the minimum over entries of xid, subxids and
    /// xmin, else `latest_completed_xid + 1`. A row version deleted by a
    /// committed xid below this is dead to everyone (safe to prune).
    ///
    /// Reads the entries of the backends that hold an xid or an xmin
    /// only (idle sessions cost nothing); still, call it once per scan or
    /// vacuum, not per tuple.
    ///
    /// The scan of the xmin holders tidies their set under ProcArrayLock
    /// shared. That may hide, for a moment, an xmin being published by a
    /// concurrent snapshot; such an xmin was computed while no transaction
    /// could end (this scan's shared hold and that snapshot's overlap), from
    /// the same running xids and `latest_completed_xid` as this horizon, so
    /// it is not below it: missing it changes nothing.
    pub fn global_xmin(&self) -> TransactionId {
        let entries = self.entries();
        let slots = self.slots();
        let _g = self.proc_array_lock.0.lock(LockMode::Shared);
        let mut h = self.latest_completed_xid.load(Ordering::Relaxed) + 1;
        self.xid_holders().for_each(false, |i| {
            let x = slots[i].xid.load(Ordering::Acquire);
            if x != INVALID_XID {
                // Its subxids are younger: assigned after it.
                h = h.min(x);
            }
        });
        self.xmin_holders().for_each(true, |i| {
            let m = entries[i].xmin.load(Ordering::Acquire);
            if m != INVALID_XID {
                h = h.min(m);
            }
        });
        h
    }

    /// Which backend runs `xid` (as its top-level xid or a cached subxid),
    /// and that backend's top-level xid — to wait for the right
    /// transaction.
    pub fn owner_of(&self, xid: TransactionId) -> Option<(usize, TransactionId)> {
        if xid < FIRST_NORMAL_XID || xid >= self.clog.next_xid() {
            return None;
        }
        let entries = self.entries();
        let slots = self.slots();
        let _g = self.proc_array_lock.0.lock(LockMode::Shared);
        let mut found = None;
        self.xid_holders().for_each(false, |i| {
            let slot = &slots[i];
            let top = slot.xid.load(Ordering::Acquire);
            // A backend's subxids are younger than its xid.
            if found.is_some() || top == INVALID_XID || top > xid {
                return;
            }
            if top == xid {
                found = Some((i, top));
                return;
            }
            let n = slot.nsubxids.load(Ordering::Acquire) as usize;
            if entries[i].subxids[..n.min(MAX_CACHED_SUBXIDS)]
                .iter()
                .any(|s| s.load(Ordering::Relaxed) == xid)
            {
                found = Some((i, top));
            }
        });
        found
    }

    /// Whether `xid` is still running (in some entry). A transaction stops
    /// running only once its clog status is final and every new snapshot
    /// sees it so.
    pub fn is_running(&self, xid: TransactionId) -> bool {
        self.owner_of(xid).is_some()
    }

    /// For a backend that died (the postmaster calls it after reaping it,
    /// before freeing its backend-table slot; other backends are running):
    /// marks its xid and subxids aborted in the clog — unless it died
    /// after its commit point, in which case its commit is completed — and
    /// clears its entry.
    ///
    /// Only for a backend that died holding no LWLock (else the postmaster
    /// reinitializes the segment and calls [`Clog::abort_in_progress`]).
    pub fn cleanup_backend(&self, backend: usize) {
        self.clog.resolve_intent(backend);
        let xid = self.xid_of(backend);
        let subxids = self.subxids_of(backend);
        if xid != INVALID_XID {
            let outcome = if self.clog.status(xid) == XidStatus::Committed {
                // Died between its commit point and clearing its entry:
                // every cached subxid not rolled back commits with it.
                XidStatus::Committed
            } else {
                self.clog.set_status_if_in_progress(xid, XidStatus::Aborted);
                XidStatus::Aborted
            };
            for &s in &subxids {
                self.clog.set_status_if_in_progress(s, outcome);
            }
            self.end_transaction(backend, xid, subxids.into_iter());
        } else if !subxids.is_empty() {
            self.end_transaction(backend, INVALID_XID, subxids.into_iter());
        }
        self.clear_xmin(backend);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xact::test_support::fresh_clog;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    /// A proc array in ordinary (leaked) memory, on the commit log `clog`.
    fn new_array(clog: &'static Clog, n: usize) -> ProcArray {
        let cfg = SegmentConfig {
            port: 0,
            max_backends: n,
            shared_buffers: 0,
            mode: 0,
        };
        let layout =
            std::alloc::Layout::from_size_align(ProcArrayShared::shmem_size(&cfg), 128).unwrap();
        // SAFETY: a fresh zeroed, 128-aligned allocation of the region's
        // size, never freed, used only as the region.
        unsafe {
            let p = std::alloc::alloc_zeroed(layout);
            assert!(!p.is_null());
            ProcArrayShared::shmem_init(p, &cfg);
            let pa = ProcArray::new(ProcArrayShared::from_ptr(p), clog);
            pa.start_from_clog();
            pa
        }
    }

    #[test]
    fn layout() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 1100);
        assert_eq!(pa.nprocs(), 1100);
        assert_eq!(pa.entries().as_ptr() as usize % 64, 0);
        assert_eq!(pa.latest_completed_xid(), FIRST_NORMAL_XID - 1);
        assert_eq!(pa.global_xmin(), FIRST_NORMAL_XID);
    }

    #[test]
    fn idle_slots_are_not_scanned() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 10_000);
        let words =
            || pa.xid_holders().for_each(false, |_| ()) + pa.xmin_holders().for_each(false, |_| ());
        assert_eq!(words(), 0);
        let b = pa.assign_xid(5_000).unwrap();
        let s = pa.assign_subxid(5_000).unwrap();
        let a = pa.assign_xid(9_999).unwrap();
        pa.commit(9_999, a, &[]);
        let (snap, _) = pa.snapshot(4_096, true);
        assert_eq!(snap.xip, vec![b, s]);
        assert_eq!(pa.xmin_of(4_096), b);
        assert_eq!(pa.owner_of(s), Some((5_000, b)));
        // 5,000's word and 4,096's; 9,999's went with its commit.
        assert_eq!(words(), 2);
        pa.commit(5_000, b, &[s]);
        assert_eq!(pa.global_xmin(), b, "held by 4,096's xmin");
        pa.clear_xmin(4_096);
        // A lock-free clear leaves the summary bit; the horizon scan tidies.
        assert_eq!(pa.global_xmin(), a + 1);
        assert_eq!(words(), 0);
        let (snap, _) = pa.snapshot(0, false);
        assert!(snap.xip.is_empty());
    }

    /// Micro-measurement (run with `--ignored --nocapture`, release build
    /// recommended): a snapshot's cost with 10 and with 10,000 or 100,000
    /// backend slots, 8 of them in a transaction and the rest idle, against
    /// a scan of every slot's xid (what a snapshot did before the slot
    /// sets). Prints ns per snapshot.
    #[test]
    #[ignore]
    fn snapshot_cost_with_idle_slots() {
        let c = fresh_clog();
        for n in [10usize, 1_000, 10_000, 100_000] {
            let pa = new_array(c.clog, n);
            let busy: Vec<usize> = (0..8).map(|i| i * (n - 1) / 7).collect();
            for &b in &busy {
                pa.assign_xid(b).unwrap();
            }
            let other = (0..n).find(|i| !busy.contains(i)).unwrap();
            let x = pa.assign_xid(other).unwrap();
            pa.commit(other, x, &[]);
            let rounds = 200_000_000 / (n + 1000);
            let t = std::time::Instant::now();
            let mut sum = 0usize;
            for _ in 0..rounds {
                let (s, _) = pa.snapshot(usize::MAX, false);
                sum += s.xip.len();
            }
            let sets = t.elapsed().as_nanos() as f64 / rounds as f64;
            let t = std::time::Instant::now();
            for _ in 0..rounds {
                let _g = pa.proc_array_lock.0.lock(LockMode::Shared);
                let mut xip = Vec::new();
                for slot in pa.slots() {
                    let x = slot.xid.load(Ordering::Acquire);
                    if x != INVALID_XID {
                        xip.push(x);
                    }
                }
                xip.sort_unstable();
                sum += xip.len();
            }
            let full = t.elapsed().as_nanos() as f64 / rounds as f64;
            assert_eq!(sum, 2 * 8 * rounds);
            eprintln!("slots {n:>7}: snapshot {sets:>8.0} ns (scan of every slot: {full:>8.0} ns)");
        }
    }

    #[test]
    fn snapshot_contents() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 8);
        let x1 = pa.assign_xid(1).unwrap();
        let x2 = pa.assign_xid(2).unwrap();
        let s2 = pa.assign_subxid(2).unwrap();
        // Nothing has completed yet: all are at or above xmax.
        let (s, _) = pa.snapshot(0, false);
        assert_eq!((s.xmin, s.xmax), (FIRST_NORMAL_XID, FIRST_NORMAL_XID));
        assert!(s.xip.is_empty());
        assert!(s.is_in_progress(x1) && s.is_in_progress(s2));
        let x3 = pa.assign_xid(3).unwrap();
        pa.commit(3, x3, &[]);
        assert_eq!(pa.latest_completed_xid(), x3);
        let (s, _) = pa.snapshot(0, true);
        assert_eq!(s.xmax, x3 + 1);
        assert_eq!(s.xip, vec![x1, x2, s2]);
        assert_eq!(s.xmin, x1);
        assert!(!s.is_in_progress(x3));
        assert_eq!(pa.xmin_of(0), x1);
        // A backend does not see its own xids in its snapshot.
        let (own, _) = pa.snapshot(2, false);
        assert_eq!(own.xip, vec![x1]);
        let (own, _) = pa.snapshot(1, false);
        assert_eq!(own.xip, vec![x2, s2]);
        assert_eq!(own.xmin, x2);
        // An xid assigned after the snapshot is in progress for it.
        let x4 = pa.assign_xid(4).unwrap();
        assert!(s.is_in_progress(x4));
        assert_eq!(pa.owner_of(s2), Some((2, x2)));
        assert_eq!(pa.owner_of(x1), Some((1, x1)));
        assert_eq!(pa.owner_of(x3), None);
        assert_eq!(pa.owner_of(0), None);
        assert!(pa.is_running(x4) && !pa.is_running(x3));
        // The snapshot's xmin holds the horizon.
        assert_eq!(pa.global_xmin(), x1);
        pa.abort(1, x1, &[]);
        assert_eq!(c.status(x1), XidStatus::Aborted);
        assert_eq!(pa.global_xmin(), x1, "held by backend 0's xmin");
        pa.clear_xmin(0);
        assert_eq!(pa.global_xmin(), x2);
    }

    #[test]
    fn commit_is_visible_after_it_returns() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 4);
        let x = pa.assign_xid(1).unwrap();
        let y = pa.assign_xid(2).unwrap();
        pa.commit(2, y, &[]); // xmax now above x
        let (before, _) = pa.snapshot(0, false);
        assert!(before.is_in_progress(x));
        assert_eq!(c.status(x), XidStatus::InProgress);
        pa.commit(1, x, &[]);
        assert_eq!(c.status(x), XidStatus::Committed);
        let (after, _) = pa.snapshot(0, false);
        assert!(!after.is_in_progress(x));
        assert!(
            before.is_in_progress(x),
            "an old snapshot still sees it running"
        );
        assert_eq!(pa.xid_of(1), 0);
        // A read-only transaction: commit(0) just clears the xmin.
        pa.snapshot(3, true);
        assert_ne!(pa.xmin_of(3), 0);
        assert_eq!(pa.commit(3, 0, &[]), 0);
        assert_eq!(pa.xmin_of(3), 0);
    }

    #[test]
    fn subtransactions() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 4);
        let top = pa.assign_xid(1).unwrap();
        let subs: Vec<u32> = (0..MAX_CACHED_SUBXIDS)
            .map(|_| pa.assign_subxid(1).unwrap())
            .collect();
        assert!(matches!(
            pa.assign_subxid(1),
            Err(XactError::TooManySubxacts(MAX_CACHED_SUBXIDS))
        ));
        assert_eq!(pa.subxids_of(1), subs);
        // Roll back a savepoint holding three of them.
        pa.abort_subxids(1, &subs[10..13]);
        assert_eq!(pa.subxids_of(1).len(), MAX_CACHED_SUBXIDS - 3);
        assert_eq!(pa.latest_completed_xid(), subs[12]);
        for &s in &subs[10..13] {
            assert_eq!(c.status(s), XidStatus::Aborted);
            assert!(!pa.is_running(s));
        }
        let s5 = subs[5];
        assert_eq!(pa.owner_of(s5), Some((1, top)));
        let (snap, _) = pa.snapshot(0, false);
        assert!(snap.is_in_progress(top) && snap.is_in_progress(s5));
        assert!(!snap.is_in_progress(subs[11]));
        // Room again after the rollback.
        let more = pa.assign_subxid(1).unwrap();
        // Commit, "forgetting" to pass subs[20] (rolled back without
        // abort_subxids): it is aborted, the rest commit.
        let committed: Vec<u32> = pa
            .subxids_of(1)
            .into_iter()
            .filter(|&s| s != subs[20])
            .collect();
        pa.commit(1, top, &committed);
        assert_eq!(c.status(top), XidStatus::Committed);
        assert!(committed
            .iter()
            .all(|&s| c.status(s) == XidStatus::Committed));
        assert_eq!(c.status(subs[20]), XidStatus::Aborted);
        assert_eq!(pa.latest_completed_xid(), more);
        let (snap, _) = pa.snapshot(0, false);
        assert!(snap.xip.is_empty() && !snap.is_in_progress(s5));
        assert!(pa.subxids_of(1).is_empty());
    }

    #[test]
    fn dead_backends_are_cleaned_up() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 4);
        // Died mid-transaction: aborted.
        let a = pa.assign_xid(1).unwrap();
        let a1 = pa.assign_subxid(1).unwrap();
        pa.snapshot(1, true);
        pa.cleanup_backend(1);
        assert_eq!(c.status(a), XidStatus::Aborted);
        assert_eq!(c.status(a1), XidStatus::Aborted);
        assert_eq!((pa.xid_of(1), pa.xmin_of(1)), (0, 0));
        assert!(!pa.is_running(a) && !pa.is_running(a1));
        assert_eq!(pa.latest_completed_xid(), a1);
        // Died right after its commit point: the commit is completed.
        let b = pa.assign_xid(2).unwrap();
        let b1 = pa.assign_subxid(2).unwrap();
        let b2 = pa.assign_subxid(2).unwrap();
        c.write_intent(2, b, &[b1, b2]);
        c.set_status(b, XidStatus::Committed);
        pa.cleanup_backend(2);
        for x in [b, b1, b2] {
            assert_eq!(c.status(x), XidStatus::Committed, "xid {x}");
        }
        assert_eq!(c.intent_top(2), 0);
        assert!(!pa.is_running(b1));
        // A backend without a transaction: only its xmin goes.
        pa.snapshot(3, true);
        pa.cleanup_backend(3);
        assert_eq!(pa.xmin_of(3), 0);
    }

    #[test]
    fn threads_see_commits_that_returned_before_their_snapshot() {
        let c = fresh_clog();
        let pa = new_array(c.clog, 8);
        let clock = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..4)
            .map(|b| {
                let clock = clock.clone();
                std::thread::spawn(move || {
                    let mut done: Vec<(u32, u64)> = Vec::new();
                    let mut snaps: Vec<(u64, Snapshot)> = Vec::new();
                    for i in 0..400 {
                        let x = pa.assign_xid(b).unwrap();
                        let t = clock.fetch_add(1, Ordering::SeqCst);
                        let (s, _) = pa.snapshot(b, false);
                        assert!(s.xip.windows(2).all(|w| w[0] < w[1]));
                        assert!(!s.xip.contains(&x));
                        snaps.push((t, s));
                        if i % 3 == 0 {
                            pa.abort(b, x, &[]);
                        } else {
                            pa.commit(b, x, &[]);
                        }
                        done.push((x, clock.fetch_add(1, Ordering::SeqCst)));
                    }
                    (done, snaps)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let done: Vec<_> = results.iter().flat_map(|r| r.0.iter()).collect();
        for (_, snaps) in &results {
            for (t, s) in snaps {
                for (x, end) in &done {
                    if end < t {
                        assert!(
                            !s.is_in_progress(*x),
                            "xid {x} ended at {end}, snapshot at {t}"
                        );
                    }
                }
            }
        }
        assert_eq!(pa.global_xmin(), pa.latest_completed_xid() + 1);
    }
}
