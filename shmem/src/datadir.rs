//! The per-server context: one data directory's files, as this process
//! reaches them.
//!
//! [`DataDir`] owns what used to be process-wide state of the storage
//! manager and the WAL: the data directory's path, the relation files
//! ([`Smgr`]: `base/`, and this process's open descriptors of them) and the
//! WAL segment files ([`WalFiles`]: `pg_wal/`, and the open segments).
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
//! [`Smgr`]). Nothing in the
//! shared segment points to it: it is process-local memory (so `std::sync`
//! is fine in it), at the same address in every forked child.
//!
//! **Lifetime.** [`DataDir::open`] leaks it: it is never dropped, and lives
//! until the process exits, so the `&'static DataDir` every handle carries
//! never dangles (the shared segment's mapping follows the same rule). A
//! test process that opens many keeps their descriptors until it exits.

use std::path::{Path, PathBuf};

use crate::buffer::StorageError;
use crate::smgr::Smgr;
use crate::wal::files::WalFiles;

/// Why a data directory could not be opened. The messages are those the
/// postmaster has always printed.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("could not open data directory: {0}")]
    Storage(#[from] StorageError),
}

/// One server's data directory and this process's open files in it (see
/// the module comment).
pub struct DataDir {
    path: PathBuf,
    smgr: Smgr,
    wal_files: WalFiles,
}

impl DataDir {
    /// Opens the data directory at `path` (creating `base/` in it) for
    /// this process and its future children. The context is never freed
    /// (module comment: lifetime).
    pub fn open(path: &Path) -> Result<&'static DataDir, DataDirError> {
        let smgr = Smgr::open(path)?;
        let dd = DataDir {
            path: path.to_path_buf(),
            smgr,
            wal_files: WalFiles::new(path),
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
