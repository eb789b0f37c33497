//! The per-server context: one data directory's files, as this process
//! reaches them.
//!
//! [`DataDir`] owns what used to be process-wide state of the storage
//! manager, the WAL and the commit log: the data directory's path, the
//! relation files ([`Smgr`]: `base/`, and this process's open descriptors
//! of them), the WAL segment files ([`WalFiles`]: `pg_wal/`, and the open
//! segments) and the commit log's mapping ([`Clog`]: `pg_xact/clog`).
//!
//! **Who creates it.** The postmaster opens it once, before it creates the
//! shared segment and before it forks anything; forked children inherit it
//! (the postmaster has no other thread when it forks, so no lock inside it
//! is held in a child), thread-mode backends share it. A test opens one
//! per data directory it wants: two contexts in one process are two
//! independent servers' worth of files.
//!
//! **How it is reached.** [`SegmentOwner::create`](crate::segment::SegmentOwner::create)
//! takes it, and the [`Segment`](crate::Segment) handle carries a reference
//! to it ([`Segment::data_dir`](crate::Segment::data_dir)); the handles made
//! from the segment carry it too (the [`Wal`](crate::wal::Wal) handle, for
//! its [`WalFiles`], and the buffer pool through its `Wal`, for its
//! [`Smgr`]) or the part they need (the
//! [`ProcArray`](crate::xact::ProcArray) handle its [`Clog`], from which
//! the backend's visibility checks take it). Nothing in the
//! shared segment points to it: it is process-local memory (so `std::sync`
//! is fine in it), at the same address in every forked child.
//!
//! **Lifetime.** [`DataDir::open`] leaks it: it is never dropped, and lives
//! until the process exits, so the `&'static DataDir` every handle carries
//! never dangles (the shared segment's mapping follows the same rule); the
//! commit log's mapping is never unmapped either. A test process that
//! opens many keeps their descriptors and mappings until it exits.

use std::path::{Path, PathBuf};

use crate::buffer::StorageError;
use crate::smgr::Smgr;
use crate::wal::files::WalFiles;
use crate::xact::{Clog, XactError};

/// Why a data directory could not be opened. The messages are those the
/// postmaster has always printed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("could not open the commit log: {0}")]
    Clog(#[from] XactError),
    #[error("could not open data directory: {0}")]
    Storage(#[from] StorageError),
}

/// One server's data directory and this process's open files in it (see
/// the module comment).
pub struct DataDir {
    path: PathBuf,
    smgr: Smgr,
    wal_files: WalFiles,
    clog: Clog,
}

impl DataDir {
    /// Opens the data directory at `path` for this process and its future
    /// children: maps its commit log (recovering it as `Clog::open`
    /// describes: no backend may be running on it) and creates `base/`.
    /// The context is never freed (module comment: lifetime).
    pub fn open(path: &Path) -> Result<&'static DataDir, DataDirError> {
        let clog = Clog::open(path)?;
        let smgr = Smgr::open(path)?;
        let dd = DataDir {
            path: path.to_path_buf(),
            smgr,
            wal_files: WalFiles::new(path),
            clog,
        };
        Ok(Box::leak(Box::new(dd)))
    }

    /// The data directory's path, as given to [`DataDir::open`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The relation files (`base/`).
    pub fn smgr(&self) -> &Smgr {
        &self.smgr
    }

    /// The WAL segment files (`pg_wal/`).
    pub fn wal_files(&self) -> &WalFiles {
        &self.wal_files
    }

    /// The commit log (`pg_xact/clog`).
    pub fn clog(&self) -> &Clog {
        &self.clog
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Contexts for unit tests.

    use super::DataDir;

    /// A context on a fresh temporary directory, which the caller keeps
    /// (dropping it removes the files).
    pub(crate) fn temp() -> (tempfile::TempDir, &'static DataDir) {
        let d = tempfile::tempdir().unwrap();
        let dd = DataDir::open(d.path()).unwrap();
        (d, dd)
    }

    /// A context for a test that touches no relation or WAL file: its
    /// directory is removed at once.
    pub(crate) fn scratch() -> &'static DataDir {
        temp().1
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp;
    use crate::buffer::BLCKSZ;
    use crate::segment::{SegmentConfig, SegmentOwner};
    use crate::wal::FIRST_LSN;
    use crate::xact::XidStatus;
    use crate::ExecMode;

    /// Two servers' worth of files in one process: commit logs, relation
    /// files and WAL files of two contexts never mix.
    #[test]
    fn two_contexts_in_one_process_are_independent() {
        let (_d1, a) = temp();
        let (_d2, b) = temp();

        // Commit logs: each has its own counter and statuses.
        let xa = a.clog().allocate_xid().unwrap();
        let xb = b.clog().allocate_xid().unwrap();
        assert_eq!(xa, xb, "both start at the first normal xid");
        a.clog().set_status(xa, XidStatus::Committed);
        b.clog().set_status(xb, XidStatus::Aborted);
        assert_eq!(a.clog().status(xa), XidStatus::Committed);
        assert_eq!(b.clog().status(xb), XidStatus::Aborted);
        let xa2 = a.clog().allocate_xid().unwrap();
        assert_eq!(a.clog().next_xid(), xa2 + 1);
        assert_eq!(b.clog().next_xid(), xb + 1);

        // Relation files: the same relation number, two files.
        for (dd, byte) in [(a, 0xAAu8), (b, 0xBB)] {
            dd.smgr().create(7).unwrap();
            dd.smgr().write(7, 0, &[byte; BLCKSZ], 0).unwrap();
        }
        b.smgr().write(7, 1, &[0xBB; BLCKSZ], 0).unwrap();
        let mut page = [0u8; BLCKSZ];
        a.smgr().read(7, 0, &mut page, 0).unwrap();
        assert!(page.iter().all(|&x| x == 0xAA));
        b.smgr().read(7, 0, &mut page, 0).unwrap();
        assert!(page.iter().all(|&x| x == 0xBB));
        assert_eq!(a.smgr().nblocks(7, 0).unwrap(), 1);
        assert_eq!(b.smgr().nblocks(7, 0).unwrap(), 2);

        // WAL files: the same position, two segments.
        for (dd, text) in [(a, b"server a"), (b, b"server b")] {
            dd.wal_files().reset().unwrap();
            dd.wal_files().write(FIRST_LSN, text).unwrap();
        }
        let mut buf = [0u8; 8];
        a.wal_files().read_at(FIRST_LSN, &mut buf).unwrap();
        assert_eq!(&buf, b"server a");
        b.wal_files().read_at(FIRST_LSN, &mut buf).unwrap();
        assert_eq!(&buf, b"server b");

        // Two segments, each on its context: their proc arrays hand out
        // xids from, and end transactions in, their own commit log.
        let seg_on = |port, dd| {
            let cfg = SegmentConfig {
                port,
                max_backends: 4,
                shared_buffers: 0,
                mode: 0,
            };
            SegmentOwner::create(&cfg, dd).unwrap()
        };
        let (_oa, sa) = seg_on(62150, a);
        let (_ob, sb) = seg_on(62151, b);
        assert_eq!(sa.proc_array().latest_completed_xid(), xa2);
        assert_eq!(sb.proc_array().latest_completed_xid(), xb);
        let slot = sa.backend_table().alloc(ExecMode::Process).unwrap();
        let x = sa.proc_array().assign_xid(slot).unwrap();
        sa.proc_array().commit(slot, x, &[]);
        assert_eq!(a.clog().status(x), XidStatus::Committed);
        assert_eq!(
            b.clog().status(x),
            XidStatus::InProgress,
            "never assigned in b"
        );
        assert!(x >= b.clog().next_xid());
        assert!(std::ptr::eq(sb.proc_array().clog(), b.clog()));
    }
}
