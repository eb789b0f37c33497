//! Storage manager: relation files on disk, one per relation.
//!
//! A relation `rel` lives in `DATADIR/base/<rel>`, a sequence of
//! [`BLCKSZ`]-byte blocks, read and written with pread/pwrite. Each process
//! keeps its own cache of open files (process-local memory, so `std::sync`
//! is fine here; thread-mode backends share it). [`init`] names the data
//! directory; the postmaster calls it once before it forks, children
//! inherit it.
//!
//! Dropping a relation in one backend must not leave another backend
//! writing to the unlinked file through a cached descriptor should the
//! number be reused: the buffer pool keeps a shared invalidation counter,
//! bumped at each unlink, and passes it to every call here; a cache whose
//! counter differs is emptied first.
//!
//! Do not fork while another thread of the process may be inside this
//! module (it would hold the cache lock forever in the child).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, RwLock};

use crate::buffer::{BlockNumber, RelId, StorageError, BLCKSZ};
use crate::time::monotonic_ns;
use crate::waitstats::{note, Ev};

struct Cache {
    dir: Option<PathBuf>,
    generation: u64,
    files: HashMap<RelId, Arc<File>>,
}

static CACHE: LazyLock<RwLock<Cache>> = LazyLock::new(|| {
    RwLock::new(Cache {
        dir: None,
        generation: 0,
        files: HashMap::new(),
    })
});

fn read_cache() -> std::sync::RwLockReadGuard<'static, Cache> {
    CACHE.read().unwrap_or_else(|e| e.into_inner())
}

fn write_cache() -> std::sync::RwLockWriteGuard<'static, Cache> {
    CACHE.write().unwrap_or_else(|e| e.into_inner())
}

/// Sets the data directory of this process (creating `base/` in it) and
/// closes any file opened under a previous one.
pub fn init(data_dir: &Path) -> Result<(), StorageError> {
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
    let mut c = write_cache();
    c.dir = Some(data_dir.to_path_buf());
    c.files.clear();
    Ok(())
}

/// The data directory given to [`init`].
pub fn data_dir() -> Option<PathBuf> {
    read_cache().dir.clone()
}

/// `DATADIR/base/<rel>`.
pub fn rel_path(rel: RelId) -> Result<PathBuf, StorageError> {
    let c = read_cache();
    let dir = c.dir.as_ref().ok_or(StorageError::NotInitialized)?;
    Ok(dir.join("base").join(rel.to_string()))
}

fn display(rel: RelId) -> String {
    format!("base/{rel}")
}

/// The open file of `rel`, opening (not creating) it if needed.
fn file(rel: RelId, generation: u64) -> Result<Arc<File>, StorageError> {
    {
        let c = read_cache();
        if c.generation == generation {
            if let Some(f) = c.files.get(&rel) {
                return Ok(f.clone());
            }
        }
    }
    let path = rel_path(rel)?;
    let mut c = write_cache();
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
        .map_err(|e| StorageError::io(format!("could not open file \"{}\"", display(rel)), e))?;
    let f = Arc::new(f);
    c.files.insert(rel, f.clone());
    Ok(f)
}

fn forget(rel: RelId) {
    write_cache().files.remove(&rel);
}

/// Creates the (empty) file of `rel`; an existing file is kept as is.
pub(crate) fn create(rel: RelId) -> Result<(), StorageError> {
    let path = rel_path(rel)?;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600) // owner-only, as PostgreSQL's pg_file_create_mode
        .open(&path)
        .map_err(|e| StorageError::io(format!("could not create file \"{}\"", display(rel)), e))?;
    Ok(())
}

/// Removes the file of `rel` (a missing file is not an error).
pub(crate) fn unlink(rel: RelId) -> Result<(), StorageError> {
    forget(rel);
    match std::fs::remove_file(rel_path(rel)?) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StorageError::io(
            format!("could not remove file \"{}\"", display(rel)),
            e,
        )),
    }
}

/// Truncates the file of `rel` to `nblocks` blocks.
pub(crate) fn truncate(rel: RelId, nblocks: BlockNumber, gen: u64) -> Result<(), StorageError> {
    file(rel, gen)?
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
pub(crate) fn nblocks(rel: RelId, gen: u64) -> Result<BlockNumber, StorageError> {
    let len = file(rel, gen)?
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
    rel: RelId,
    block: BlockNumber,
    buf: &mut [u8; BLCKSZ],
    gen: u64,
) -> Result<(), StorageError> {
    let f = file(rel, gen)?;
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
    rel: RelId,
    block: BlockNumber,
    buf: &[u8; BLCKSZ],
    gen: u64,
) -> Result<(), StorageError> {
    let f = file(rel, gen)?;
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
pub(crate) fn fsync(rel: RelId, gen: u64) -> Result<(), StorageError> {
    let f = match file(rel, gen) {
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
pub(crate) fn fsync_all(gen: u64) -> Result<(), StorageError> {
    let base = rel_path(0)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let entries = std::fs::read_dir(&base).map_err(|e| {
        StorageError::io(
            format!("could not open directory \"{}\"", base.display()),
            e,
        )
    })?;
    for e in entries.flatten() {
        if let Some(rel) = e.file_name().to_str().and_then(|s| s.parse::<RelId>().ok()) {
            fsync(rel, gen)?;
        }
    }
    Ok(())
}

/// Whether the file of `rel` exists (recovery skips changes to files that
/// a later, already applied, drop removed).
pub fn exists(rel: RelId) -> Result<bool, StorageError> {
    Ok(rel_path(rel)?.exists())
}

/// fsync of `base/` itself, so that created and removed files are durable
/// (checkpoints).
pub fn fsync_base_dir() -> Result<(), StorageError> {
    let base = rel_path(0)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    std::fs::File::open(&base)
        .and_then(|f| f.sync_all())
        .map_err(|e| {
            StorageError::io(
                format!("could not fsync directory \"{}\"", base.display()),
                e,
            )
        })
}
