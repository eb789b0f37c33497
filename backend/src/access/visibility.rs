//! MVCC visibility rules for heap tuples (PostgreSQL's
//! heapam_visibility.c), decided from a tuple's header, the commit log and
//! a snapshot. The commit log is the server's (`shmem::xact::Clog`, from
//! its `DataDir`): [`Mvcc`] carries it, the other checks take it.
//!
//! - [`satisfies_mvcc`]: may this reader see this version? (scans)
//! - [`satisfies_update`]: may this writer change this version, and if
//!   not, why? (UPDATE, DELETE, SELECT ... FOR UPDATE)
//! - [`satisfies_dirty`]: is this version live, counting transactions in
//!   progress? (unique checks)
//! - [`dead_to_all`]: can no snapshot see this version any more? (pruning,
//!   VACUUM)
//!
//! Command ids separate the statements of one transaction: a statement
//! sees what earlier statements of its transaction did, not its own
//! changes (so `INSERT INTO t SELECT * FROM t` terminates).

use std::sync::Arc;

use shmem::xact::{Clog, Snapshot, XidStatus, INVALID_XID};

use super::heap::HeapTupleHeader;
use super::ItemPointer;

/// t_infomask: xmax only locks the row (SELECT ... FOR UPDATE).
pub const HEAP_XMAX_LOCK_ONLY: u16 = 0x0080;
/// t_infomask: this version was updated and its successor is a heap-only
/// tuple on the same page (the HOT chain continues at t_ctid).
pub const HEAP_HOT_UPDATED: u16 = 0x4000;
/// t_infomask: no index entry points at this version; it is reached from
/// its chain's root.
pub const HEAP_ONLY_TUPLE: u16 = 0x8000;

/// The running transaction's ids: its top-level xid and the xids of its
/// subtransactions that were not rolled back.
#[derive(Clone, Debug, Default)]
pub struct OwnXids {
    pub top: u32,
    pub subs: Vec<u32>,
}

impl OwnXids {
    pub fn is_mine(&self, xid: u32) -> bool {
        xid != INVALID_XID && (xid == self.top || self.subs.contains(&xid))
    }

    /// The xid new changes are stamped with (the innermost subtransaction's).
    pub fn current(&self) -> u32 {
        self.subs.last().copied().unwrap_or(self.top)
    }
}

/// What one statement sees: its snapshot, its command id and its
/// transaction's own xids, and the commit log that says how the others
/// ended.
#[derive(Clone)]
pub struct Mvcc {
    pub snapshot: Arc<Snapshot>,
    pub cid: u32,
    pub own: Arc<OwnXids>,
    pub clog: &'static Clog,
}

impl std::fmt::Debug for Mvcc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mvcc")
            .field("snapshot", &self.snapshot)
            .field("cid", &self.cid)
            .field("own", &self.own)
            .finish_non_exhaustive()
    }
}

#[inline]
fn committed(clog: &Clog, xid: u32) -> bool {
    clog.status(xid) == XidStatus::Committed
}

/// Whether the reader sees the version.
pub fn satisfies_mvcc(h: &HeapTupleHeader, m: &Mvcc) -> bool {
    let xmin = h.t_xmin;
    if m.own.is_mine(xmin) {
        if h.t_cmin >= m.cid {
            return false; // inserted by this statement (or a later one)
        }
    } else if xmin == INVALID_XID || m.snapshot.is_in_progress(xmin) || !committed(m.clog, xmin) {
        return false;
    }
    let xmax = h.t_xmax;
    if xmax == INVALID_XID || h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 {
        return true;
    }
    if m.own.is_mine(xmax) {
        return h.t_cmax >= m.cid; // deleted by this statement: still seen
    }
    m.snapshot.is_in_progress(xmax) || !committed(m.clog, xmax)
}

/// Why a writer may or may not change a version (PostgreSQL's TM_Result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TmResult {
    /// It is the live version: go ahead.
    Ok,
    /// Not visible to the writer at all (inserted by a transaction in
    /// progress or aborted, or by this very statement).
    Invisible,
    /// Already updated or deleted by this transaction.
    SelfModified,
    /// Updated by a committed transaction; the new version is at the tid.
    Updated(ItemPointer),
    /// Deleted by a committed transaction.
    Deleted,
    /// Updated, deleted or locked by a transaction still in progress (the
    /// xid): wait for it to end, then look again.
    BeingModified(u32),
}

/// Whether the version at `tid` may be changed by the transaction `own`
/// running command `cid`. `running` tells whether an xid is still in the
/// proc array: a transaction sets its commit-log status before it leaves
/// the array, and until it has left, new snapshots count it running, so a
/// writer must not build on its update yet (PostgreSQL asks
/// TransactionIdIsInProgress before the commit log for the same reason).
/// The xmin needs no such check: the writer found the version with a
/// snapshot, or by following an update whose xmax (this xmin) it already
/// checked.
pub fn satisfies_update(
    clog: &Clog,
    h: &HeapTupleHeader,
    tid: ItemPointer,
    own: &OwnXids,
    cid: u32,
    running: &dyn Fn(u32) -> bool,
) -> TmResult {
    let xmin = h.t_xmin;
    if own.is_mine(xmin) {
        if h.t_cmin >= cid {
            return TmResult::Invisible;
        }
    } else if xmin == INVALID_XID || !committed(clog, xmin) {
        return TmResult::Invisible;
    }
    let xmax = h.t_xmax;
    if xmax == INVALID_XID {
        return TmResult::Ok;
    }
    if own.is_mine(xmax) {
        return if h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 {
            TmResult::Ok
        } else {
            TmResult::SelfModified
        };
    }
    match clog.status(xmax) {
        XidStatus::InProgress => TmResult::BeingModified(xmax),
        XidStatus::Aborted => TmResult::Ok,
        XidStatus::Committed if running(xmax) => TmResult::BeingModified(xmax),
        XidStatus::Committed if h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 => TmResult::Ok,
        XidStatus::Committed if h.t_ctid != tid => TmResult::Updated(h.t_ctid),
        XidStatus::Committed => TmResult::Deleted,
    }
}

/// A version's state counting work in progress (PostgreSQL's
/// SnapshotDirty), for unique checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Aborted, or deleted by a committed transaction or by us.
    Dead,
    Live,
    /// Inserted by a transaction still running.
    InsertInProgress(u32),
    /// Deleted by a transaction still running.
    DeleteInProgress(u32),
}

/// `running` as for [`satisfies_update`]: a transaction still in the proc
/// array counts as in progress even once its commit is in the log.
pub fn satisfies_dirty(
    clog: &Clog,
    h: &HeapTupleHeader,
    own: &OwnXids,
    running: &dyn Fn(u32) -> bool,
) -> Liveness {
    let xmin = h.t_xmin;
    if !own.is_mine(xmin) {
        match clog.status(xmin) {
            _ if xmin == INVALID_XID => return Liveness::Dead,
            XidStatus::Aborted => return Liveness::Dead,
            XidStatus::InProgress => return Liveness::InsertInProgress(xmin),
            XidStatus::Committed if running(xmin) => return Liveness::InsertInProgress(xmin),
            XidStatus::Committed => {}
        }
    }
    let xmax = h.t_xmax;
    if xmax == INVALID_XID || h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 {
        return Liveness::Live;
    }
    if own.is_mine(xmax) {
        return Liveness::Dead;
    }
    match clog.status(xmax) {
        XidStatus::InProgress => Liveness::DeleteInProgress(xmax),
        XidStatus::Committed if running(xmax) => Liveness::DeleteInProgress(xmax),
        XidStatus::Committed => Liveness::Dead,
        XidStatus::Aborted => Liveness::Live,
    }
}

/// Whether no snapshot can see the version any more: its inserter
/// aborted, or it was deleted by a transaction that committed before
/// `horizon` (the oldest xid any running transaction or snapshot may still
/// consider running).
pub fn dead_to_all(clog: &Clog, h: &HeapTupleHeader, horizon: u32) -> bool {
    let xmin = h.t_xmin;
    if xmin == INVALID_XID {
        return true;
    }
    match clog.status(xmin) {
        XidStatus::Aborted => return true,
        XidStatus::InProgress => return false,
        XidStatus::Committed => {}
    }
    let xmax = h.t_xmax;
    xmax != INVALID_XID
        && h.t_infomask & HEAP_XMAX_LOCK_ONLY == 0
        && xmax < horizon
        && committed(clog, xmax)
}
