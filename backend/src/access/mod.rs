//! Access methods: heap and B-tree pages through the shared buffer cache.
//!
//! - [`page`]: the slotted page format both use.
//! - [`heap`]: tables; tuple versions addressed by [`ItemPointer`], HOT.
//! - [`visibility`]: MVCC rules: which versions a snapshot sees, which a
//!   writer may change.
//! - [`prune`]: removing versions no snapshot sees; VACUUM's page passes.
//! - [`btree`]: Lehman-Yao B-tree indexes of (key bytes, [`ItemPointer`]).
//!
//! Every page access pins the buffer and takes its content lock only while
//! copying in or out; no content lock is held when control returns to the
//! caller (scans copy a page's worth of results, then release).

#![forbid(unsafe_code)]

pub mod advisory;
pub mod btree;
pub mod catalog_heap;
pub mod deferred;
pub mod heap;
pub mod keys;
pub mod notify;
pub mod page;
pub mod prune;
pub mod refint;
pub mod sequence;
pub mod table;
#[cfg(test)]
mod tests;

/// A data directory of the test's own (files, commit log), and this
/// process's context on it (keep the directory: dropping it removes the
/// files). Tests need no shared state: each opens its own.
#[cfg(test)]
pub(crate) fn test_data_dir() -> (tempfile::TempDir, &'static shmem::DataDir) {
    let d = tempfile::tempdir().unwrap();
    let dd = shmem::DataDir::open(d.path()).unwrap();
    (d, dd)
}
pub mod tuple;
pub mod visibility;
pub mod xact;

use shmem::buffer::StorageError;

use crate::error::{sqlstate, PgError};

/// A tuple's address: block and 1-based line pointer number.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemPointer {
    pub block: u32,
    pub offset: u16,
}

impl ItemPointer {
    pub const MIN: ItemPointer = ItemPointer {
        block: 0,
        offset: 0,
    };
    pub const MAX: ItemPointer = ItemPointer {
        block: u32::MAX,
        offset: u16::MAX,
    };

    pub fn new(block: u32, offset: u16) -> ItemPointer {
        ItemPointer { block, offset }
    }

    pub(crate) fn to_bytes(self) -> [u8; 6] {
        let mut b = [0u8; 6];
        b[..4].copy_from_slice(&self.block.to_le_bytes());
        b[4..].copy_from_slice(&self.offset.to_le_bytes());
        b
    }

    pub(crate) fn from_bytes(b: &[u8]) -> ItemPointer {
        ItemPointer {
            block: u32::from_le_bytes(b[..4].try_into().unwrap()),
            offset: u16::from_le_bytes(b[4..6].try_into().unwrap()),
        }
    }
}

impl std::fmt::Display for ItemPointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({},{})", self.block, self.offset)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The SQL layer adds the constraint name and key detail.
    #[error("duplicate key value violates unique constraint")]
    UniqueViolation,
    #[error("row is too big: size {size}, maximum size {max}")]
    RowTooBig { size: usize, max: usize },
    #[error("index row size {size} exceeds maximum {max}")]
    IndexRowTooBig { size: usize, max: usize },
    /// update/delete of a tuple that is not there (never was, or deleted).
    #[error("tuple {0} does not exist")]
    NoSuchTuple(ItemPointer),
    #[error("{0}")]
    Corrupt(String),
}

impl AccessError {
    pub fn sqlstate(&self) -> &'static str {
        match self {
            AccessError::Storage(e) => crate::error::storage_sqlstate(e),
            AccessError::UniqueViolation => sqlstate::UNIQUE_VIOLATION,
            AccessError::RowTooBig { .. } | AccessError::IndexRowTooBig { .. } => {
                sqlstate::PROGRAM_LIMIT_EXCEEDED
            }
            AccessError::NoSuchTuple(_) | AccessError::Corrupt(_) => sqlstate::INTERNAL_ERROR,
        }
    }
}

/// An access-method error as PostgreSQL reports it (the SQL layer adds
/// constraint names and key details to unique violations).
impl From<AccessError> for PgError {
    fn from(e: AccessError) -> PgError {
        PgError::new(e.sqlstate(), e.to_string())
    }
}
