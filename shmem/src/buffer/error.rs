//! Errors of the buffer manager and the storage manager, worded as
//! PostgreSQL's.

use super::{BlockNumber, RelId, BLCKSZ};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A system call on a relation file failed; `msg` says which
    /// ("could not read block 3 in file \"base/16384\"").
    #[error("{msg}: {detail}")]
    Io {
        msg: String,
        detail: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "could not read block {block} in file \"{path}\": read only {got} of {} bytes",
        BLCKSZ
    )]
    ShortRead {
        block: BlockNumber,
        path: String,
        got: usize,
    },
    #[error("no unpinned buffers available")]
    NoUnpinnedBuffers,
    /// drop/truncate found a buffer of the relation pinned for too long.
    #[error("could not discard buffer of block {block} of relation {rel}: it is pinned")]
    BufferPinned { rel: RelId, block: BlockNumber },
    /// The WAL could not be flushed as far as a page's LSN before writing
    /// the page (the WAL rule), or a relation change could not be logged.
    #[error(transparent)]
    Wal(#[from] crate::wal::WalError),
}

impl StorageError {
    /// Wraps an I/O error with the PostgreSQL-style message prefix; the
    /// detail is the system's text without Rust's "(os error N)" suffix.
    pub fn io(msg: String, source: std::io::Error) -> StorageError {
        let mut detail = source.to_string();
        if let Some(i) = detail.find(" (os error ") {
            detail.truncate(i);
        }
        StorageError::Io {
            msg,
            detail,
            source,
        }
    }
}
