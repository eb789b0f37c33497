//! Transaction status: transaction ids, the commit log and the proc array.
//!
//! This is pgfork's counterpart of PostgreSQL's `transam/` (`varsup.c`,
//! `clog.c`, `transam.c`) and `storage/ipc/procarray.c`:
//!
//! - [`clog`]: the *commit log*, two status bits per transaction id in the
//!   memory-mapped file `DATADIR/pg_xact/clog`, plus the xid counter. The
//!   file itself is the shared status log: every process maps it
//!   `MAP_SHARED`, so a status written by one backend is seen at once by
//!   all, and survives a `kill -9` of the whole server (the kernel's page
//!   cache holds it). It is written to disk by [`Clog::flush`] (the
//!   checkpointer). The mapping, a [`Clog`], belongs to the server's
//!   [`DataDir`](crate::datadir::DataDir).
//! - [`ProcArray`] (region `proc array` of the segment): which transaction
//!   each backend runs, its subtransactions, and the oldest xid its
//!   snapshot needs; from it, [`Snapshot`]s and the pruning horizon.
//!
//! Transaction ids are plain `u32`s compared numerically: there is no
//! wraparound. The log holds [`clog::XID_CAPACITY`] (2^30) xids; once they
//! are used up, [`ProcArray::assign_xid`] fails with
//! [`XactError::XidsExhausted`] and the server accepts only read-only
//! transactions (PostgreSQL would freeze and wrap around instead).
//!
//! The protocol, the locking rules and the invariants are described in
//! `shmem/README.md`, section "Transaction status".

pub mod clog;
mod procarray;
pub mod slotset;

pub use clog::Clog;
pub use procarray::{ProcArray, ProcArrayShared, MAX_CACHED_SUBXIDS};

/// A transaction id.
pub type TransactionId = u32;
/// No transaction: never committed; a tuple whose xmin is 0 is invisible to
/// all.
pub const INVALID_XID: TransactionId = 0;
/// PostgreSQL's BootstrapTransactionId; reads as aborted here (pgfork has no
/// bootstrap transaction).
pub const BOOTSTRAP_XID: TransactionId = 1;
/// Always committed, visible to all (rows written before any transaction,
/// or frozen).
pub const FROZEN_XID: TransactionId = 2;
/// The first xid handed out to a transaction.
pub const FIRST_NORMAL_XID: TransactionId = 3;

/// A transaction's state in the commit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XidStatus {
    /// Running, or never finished: a backend that died with it running is
    /// resolved to `Aborted` by [`ProcArray::cleanup_backend`], a crash of
    /// the server by [`Clog::abort_in_progress`] / `Clog::open`.
    InProgress,
    Committed,
    Aborted,
}

#[derive(Debug, thiserror::Error)]
pub enum XactError {
    /// An I/O error on the commit log file; the message names the file and
    /// the operation.
    #[error("{0}")]
    Io(std::io::Error),
    #[error("database is not accepting commands: transaction ids exhausted")]
    XidsExhausted,
    #[error("cannot have more than {0} subtransactions with changes in a transaction")]
    TooManySubxacts(usize),
}

impl XactError {
    /// An [`XactError::Io`] whose message says what failed on which file:
    /// `what` is e.g. "open file".
    pub(crate) fn io(what: &str, path: &std::path::Path, e: std::io::Error) -> XactError {
        XactError::Io(std::io::Error::new(
            e.kind(),
            format!("could not {what} \"{}\": {e}", path.display()),
        ))
    }
}

/// The transactions a snapshot considers running (PostgreSQL's
/// `SnapshotData`, MVCC part).
///
/// Every xid below `xmin` had finished when the snapshot was taken; every
/// xid at or above `xmax` had not (or was not yet assigned); in between,
/// those in `xip` were running. A transaction "in progress" for the
/// snapshot is invisible to it even if it commits later. The taking
/// backend's own xids are never in `xip`: it recognizes its own changes
/// itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Oldest xid still running: min(xip, xmax).
    pub xmin: TransactionId,
    /// `latest_completed_xid + 1` when the snapshot was taken.
    pub xmax: TransactionId,
    /// The other backends' xids (top-level and cached subtransaction xids)
    /// below `xmax`, sorted ascending.
    pub xip: Vec<TransactionId>,
}

impl Snapshot {
    /// Whether `xid` counts as running for this snapshot: `xid >= xmax`, or
    /// in `xip`. The special xids (below [`FIRST_NORMAL_XID`]) never are.
    pub fn is_in_progress(&self, xid: TransactionId) -> bool {
        if xid < FIRST_NORMAL_XID || xid < self.xmin {
            return false;
        }
        if xid >= self.xmax {
            return true;
        }
        self.xip.binary_search(&xid).is_ok()
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A commit log of the test's own.

    use super::clog::Clog;

    pub(crate) struct TestClog {
        pub(crate) dir: tempfile::TempDir,
        /// Never freed, as the server's (the proc array handle refers to
        /// it).
        pub(crate) clog: &'static Clog,
    }

    impl std::ops::Deref for TestClog {
        type Target = Clog;

        fn deref(&self) -> &Clog {
            self.clog
        }
    }

    impl TestClog {
        /// The log of the same directory, opened again as a restarted
        /// server would.
        pub(crate) fn reopen(self) -> TestClog {
            let clog = Box::leak(Box::new(Clog::open(self.dir.path()).unwrap()));
            TestClog {
                dir: self.dir,
                clog,
            }
        }
    }

    /// A fresh log in a temporary directory. Tests need no lock: every
    /// one has its own.
    pub(crate) fn fresh_clog() -> TestClog {
        let dir = tempfile::tempdir().unwrap();
        let clog = Box::leak(Box::new(Clog::open(dir.path()).unwrap()));
        TestClog { dir, clog }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_in_progress() {
        let s = Snapshot {
            xmin: 10,
            xmax: 20,
            xip: vec![10, 12, 15],
        };
        for (xid, running) in [
            (0, false),
            (2, false),
            (9, false),
            (10, true),
            (11, false),
            (12, true),
            (15, true),
            (19, false),
            (20, true),
            (1000, true),
        ] {
            assert_eq!(s.is_in_progress(xid), running, "xid {xid}");
        }
    }
}
