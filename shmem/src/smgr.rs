//! Storage manager: relation files on disk, one per relation.
//!
//! A relation `rel` lives in `DATADIR/base/<rel>`, a sequence of
//! [`BLCKSZ`]-byte blocks, read and written with pread/pwrite. [`Smgr`] is
//! one data directory's: it belongs to the server's
//! [`DataDir`](crate::datadir::DataDir), which the postmaster opens before
//! it forks (children inherit it), and reaches the buffer pool through the
//! segment handle. Each process keeps its own cache of open files in it
//! (process-local memory, so `std::sync` is fine here; thread-mode
//! backends share it).
//!
//! Dropping a relation in one backend must not leave another backend
//! writing to the unlinked file through a cached descriptor should the
//! number be reused: the buffer pool keeps a shared invalidation counter,
//! bumped at each unlink, and passes it to every call here; a cache whose
//! counter differs is emptied first.
//!
//! Do not fork while another thread of the process may be inside this
//! module (it would hold the cache lock forever in the child).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::buffer::{BlockNumber, RelId, StorageError, BLCKSZ};
use crate::time::monotonic_ns;
use crate::waitstats::{note, Ev};
use rustc_hash::FxHashMap;

struct Cache {
    generation: u64,
    files: FxHashMap<RelId, Arc<File>>,
}

/// The relation files of one data directory, and this process's open
/// descriptors of them.
pub struct Smgr {
    /// `DATADIR/base`.
    base: PathBuf,
    cache: RwLock<Cache>,
}

impl Smgr {
    /// The storage manager of `data_dir`, creating `base/` in it.
    pub(crate) fn open(data_dir: &Path) -> Result<Smgr, StorageError> {
        let base = data_dir.join("base");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&base)
            .map_err(|e| {
                StorageError::io(
                    format!("could not create directory \"{}\"", base.display()),
                    e,
                )
            })?;
        Ok(Smgr {
            base,
            cache: RwLock::new(Cache {
                generation: 0,
                files: FxHashMap::default(),
            }),
        })
    }

    fn read_cache(&self) -> RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_cache(&self) -> RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|e| e.into_inner())
    }

    /// `DATADIR/base/<rel>`.
    pub fn rel_path(&self, rel: RelId) -> PathBuf {
        self.base.join(rel.to_string())
    }

    /// The open file of `rel`, opening (not creating) it if needed.
    fn file(&self, rel: RelId, generation: u64) -> Result<Arc<File>, StorageError> {
        {
            let c = self.read_cache();
            if c.generation == generation {
                if let Some(f) = c.files.get(&rel) {
                    return Ok(f.clone());
                }
            }
        }
        let path = self.rel_path(rel);
        let mut c = self.write_cache();
        if c.generation != generation {
            c.files.clear();
            c.generation = generation;
        }
        if let Some(f) = c.files.get(&rel) {
            return Ok(f.clone());
        }
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| {
                StorageError::io(format!("could not open file \"{}\"", display(rel)), e)
            })?;
        let f = Arc::new(f);
        c.files.insert(rel, f.clone());
        Ok(f)
    }

    fn forget(&self, rel: RelId) {
        self.write_cache().files.remove(&rel);
    }

    /// Creates the (empty) file of `rel`; an existing file is kept as is.
    pub(crate) fn create(&self, rel: RelId) -> Result<(), StorageError> {
        let path = self.rel_path(rel);
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600) // owner-only, as PostgreSQL's pg_file_create_mode
            .open(&path)
            .map_err(|e| {
                StorageError::io(format!("could not create file \"{}\"", display(rel)), e)
            })?;
        Ok(())
    }

    /// Removes the file of `rel` (a missing file is not an error).
    pub(crate) fn unlink(&self, rel: RelId) -> Result<(), StorageError> {
        self.forget(rel);
        match std::fs::remove_file(self.rel_path(rel)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StorageError::io(
                format!("could not remove file \"{}\"", display(rel)),
                e,
            )),
        }
    }

    /// Truncates the file of `rel` to `nblocks` blocks.
    pub(crate) fn truncate(
        &self,
        rel: RelId,
        nblocks: BlockNumber,
        gen: u64,
    ) -> Result<(), StorageError> {
        self.file(rel, gen)?
            .set_len(nblocks as u64 * BLCKSZ as u64)
            .map_err(|e| {
                StorageError::io(
                    format!(
                        "could not truncate file \"{}\" to {nblocks} blocks",
                        display(rel)
                    ),
                    e,
                )
            })
    }

    /// Number of blocks in the file of `rel`.
    pub(crate) fn nblocks(&self, rel: RelId, gen: u64) -> Result<BlockNumber, StorageError> {
        let len = self
            .file(rel, gen)?
            .metadata()
            .map_err(|e| {
                StorageError::io(
                    format!("could not seek to end of file \"{}\"", display(rel)),
                    e,
                )
            })?
            .len();
        Ok((len / BLCKSZ as u64) as BlockNumber)
    }

    /// Reads block `block` of `rel` into `buf`.
    pub(crate) fn read(
        &self,
        rel: RelId,
        block: BlockNumber,
        buf: &mut [u8; BLCKSZ],
        gen: u64,
    ) -> Result<(), StorageError> {
        let f = self.file(rel, gen)?;
        let start = monotonic_ns();
        let mut done = 0;
        while done < BLCKSZ {
            match f.read_at(&mut buf[done..], block as u64 * BLCKSZ as u64 + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(StorageError::io(
                        format!("could not read block {block} in file \"{}\"", display(rel)),
                        e,
                    ))
                }
            }
        }
        note(Ev::BufRead, monotonic_ns().saturating_sub(start));
        if done < BLCKSZ {
            return Err(StorageError::ShortRead {
                block,
                path: display(rel),
                got: done,
            });
        }
        Ok(())
    }

    /// Writes `buf` as block `block` of `rel` (extending the file if needed).
    pub(crate) fn write(
        &self,
        rel: RelId,
        block: BlockNumber,
        buf: &[u8; BLCKSZ],
        gen: u64,
    ) -> Result<(), StorageError> {
        let f = self.file(rel, gen)?;
        let start = monotonic_ns();
        f.write_all_at(buf, block as u64 * BLCKSZ as u64)
            .map_err(|e| {
                StorageError::io(
                    format!("could not write block {block} in file \"{}\"", display(rel)),
                    e,
                )
            })?;
        note(Ev::BufWrite, monotonic_ns().saturating_sub(start));
        Ok(())
    }

    /// fsync of the file of `rel`; a file dropped meanwhile is skipped.
    pub(crate) fn fsync(&self, rel: RelId, gen: u64) -> Result<(), StorageError> {
        let f = match self.file(rel, gen) {
            Ok(f) => f,
            Err(StorageError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        f.sync_all()
            .map_err(|e| StorageError::io(format!("could not fsync file \"{}\"", display(rel)), e))
    }

    /// fsync of every relation file in `base/` (when the pending-fsync set
    /// overflowed).
    pub(crate) fn fsync_all(&self, gen: u64) -> Result<(), StorageError> {
        let base = &self.base;
        let entries = std::fs::read_dir(base).map_err(|e| {
            StorageError::io(
                format!("could not open directory \"{}\"", base.display()),
                e,
            )
        })?;
        for e in entries.flatten() {
            if let Some(rel) = e.file_name().to_str().and_then(|s| s.parse::<RelId>().ok()) {
                self.fsync(rel, gen)?;
            }
        }
        Ok(())
    }

    /// Whether the file of `rel` exists (recovery skips changes to files that
    /// a later, already applied, drop removed).
    pub fn exists(&self, rel: RelId) -> Result<bool, StorageError> {
        Ok(self.rel_path(rel).exists())
    }

    /// fsync of `base/` itself, so that created and removed files are durable
    /// (checkpoints).
    pub fn fsync_base_dir(&self) -> Result<(), StorageError> {
        let base = &self.base;
        std::fs::File::open(base)
            .and_then(|f| f.sync_all())
            .map_err(|e| {
                StorageError::io(
                    format!("could not fsync directory \"{}\"", base.display()),
                    e,
                )
            })
    }
}

fn display(rel: RelId) -> String {
    format!("base/{rel}")
}
