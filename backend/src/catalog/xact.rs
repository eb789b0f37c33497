//! Transactional catalog changes: DDL commits or rolls back with its
//! transaction (and its savepoints), survives a crash only if its
//! transaction committed, and is seen by no other backend before then.
//!
//! How:
//! - A transaction's first DDL statement takes [`CATALOG_CHANGE_LOCK`]
//!   (Exclusive, held until the transaction ends), so at most one
//!   transaction has a catalog change in progress; DDL of other
//!   transactions waits for it, as in PostgreSQL a second transaction
//!   waits on the first one's row in pg_class (here: on any row).
//! - Each DDL statement of that transaction writes the whole changed
//!   catalog to `global/catalog.pending`, headed by the transaction's xid.
//!   The committed catalog (`global/catalog`) is untouched, and every
//!   other backend keeps reading it.
//! - At commit, once the commit log says committed and before the
//!   transaction's locks are released, the pending catalog becomes the
//!   committed one, the files of relations it dropped are removed, and
//!   the pending file goes. At abort, the files of relations it created
//!   are removed and the pending file goes. ROLLBACK TO a savepoint
//!   restores the catalog of that savepoint the same way.
//! - Anyone reading the catalog files treats a pending file whose xid is
//!   committed as the committed catalog, so a crash (of the backend or
//!   the server) between the commit record and the rename loses nothing;
//!   the next catalog change, and the server's start after recovery,
//!   settle a left-over pending file by its xid's outcome.
//!
//! Relation files are named by OID and never reused, so "created" and
//! "dropped" are differences of the sets of files two catalogs name
//! ([`Catalog::relation_files`]). A table or index rewritten by ALTER
//! COLUMN TYPE gets a new file (its relfilenode, a fresh OID) and keeps
//! its OID: the old file is then "dropped" and the new one "created" by
//! the same rules. (A file created and replaced by two statements of one
//! transaction is named by neither catalog, and stays until removed by
//! hand; within one statement `commands::ddl` removes it.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shmem::lockmgr::LockTag;
use shmem::lwlock::{LWLockGuard, LockMode};
use shmem::xact::XidStatus;
use shmem::Segment;

use super::{read_file, write_atomically, write_file, Catalog, CatalogCache};
use crate::error::{sqlstate, PgError, PgResult};

/// The lock a transaction holds from its first catalog change to its end
/// (an "object" lock on pg_class, as pg_locks shows it).
pub const CATALOG_CHANGE_LOCK: LockTag = LockTag::Object(PG_CLASS_OID, 0);
const PG_CLASS_OID: u32 = 1259;
const PENDING_MAGIC: &str = "pgfork-catalog-pending 1";

/// The catalog change of this backend's open transaction.
pub(super) struct Change {
    pub(super) xid: u32,
    /// The committed catalog when the change began.
    base: Arc<Catalog>,
}

fn pending_path(data_dir: &Path) -> PathBuf {
    data_dir.join("global").join("catalog.pending")
}

/// Writes the pending catalog of transaction `xid`.
pub(super) fn write_pending(data_dir: &Path, xid: u32, cat: &Catalog) -> PgResult<()> {
    let text = format!("{PENDING_MAGIC} {xid}\n{}", cat.serialize());
    write_atomically(&pending_path(data_dir), &text)
}

/// The pending catalog and its transaction, if there is one.
fn read_pending(data_dir: &Path) -> PgResult<Option<(u32, Catalog)>> {
    let path = pending_path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(super::io_error(
                format!("could not read file \"{}\"", path.display()),
                e,
            ))
        }
    };
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let xid = head
        .strip_prefix(PENDING_MAGIC)
        .and_then(|x| x.trim().parse::<u32>().ok())
        .ok_or_else(|| {
            PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("file \"{}\" has a bad header", path.display()),
            )
        })?;
    Ok(Some((xid, Catalog::deserialize(body)?)))
}

fn remove_pending(data_dir: &Path) -> PgResult<()> {
    let path = pending_path(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(super::io_error(
            format!("could not remove file \"{}\"", path.display()),
            e,
        )),
    }
}

/// The committed catalog: the catalog file, or the pending one if its
/// transaction committed and has not yet (or, by a crash, never) renamed
/// it.
pub(super) fn read_committed(data_dir: &Path, seg: &Segment) -> PgResult<Catalog> {
    if let Some((xid, cat)) = read_pending(data_dir)? {
        if seg.data_dir().clog().status(xid) == XidStatus::Committed {
            return Ok(cat);
        }
    }
    read_file(data_dir)
}

/// Removes the files `from` names and `keep` does not, and makes their
/// drop records durable: the catalog that still names them may be
/// replaced only then, or a crash would replay their creation and leave
/// files that no catalog names.
fn drop_files(seg: &Segment, from: &Catalog, keep: &[&Catalog]) {
    let pool = seg.buffer_pool();
    let kept: BTreeSet<u32> = keep.iter().flat_map(|c| c.relation_files()).collect();
    let gone: Vec<u32> = from.relation_files().difference(&kept).copied().collect();
    for rel in &gone {
        if let Err(e) = pool.drop_relation(*rel) {
            tracing::warn!("could not remove the file of relation {rel}: {e}");
        }
    }
    let wal = seg.wal();
    if !gone.is_empty() && wal.is_logging() {
        if let Err(e) = wal.flush(wal.insert_pos()) {
            tracing::warn!("could not flush the WAL after dropping relation files: {e}");
        }
    }
}

/// Finishes a pending catalog left by a transaction that is no longer
/// running: committed, it becomes the catalog (and the files it dropped
/// go); otherwise its created files go. The caller holds the catalog lock
/// exclusively, or runs before any backend.
fn settle(data_dir: &Path, seg: &Segment, xid: u32, pending: &Catalog) -> PgResult<()> {
    let committed = read_file(data_dir)?;
    if seg.data_dir().clog().status(xid) == XidStatus::Committed {
        drop_files(seg, &committed, &[pending]);
        write_file(data_dir, pending)?;
    } else {
        drop_files(seg, pending, &[&committed]);
    }
    remove_pending(data_dir)
}

/// At the server's start, after WAL replay has settled every transaction:
/// finishes a catalog change that a crash interrupted.
pub fn settle_after_recovery(seg: &Segment) -> Result<(), String> {
    let dir = seg.data_dir().path();
    let run = || -> PgResult<()> {
        if let Some((xid, pending)) = read_pending(dir)? {
            settle(dir, seg, xid, &pending)?;
        }
        Ok(())
    };
    run().map_err(|e| format!("could not settle the pending catalog: {}", e.message))
}

impl CatalogCache {
    /// Whether this backend's transaction has changed the catalog.
    pub fn in_change(&self) -> bool {
        self.change.is_some()
    }

    /// Starts transaction `xid`'s catalog change. The caller holds
    /// [`CATALOG_CHANGE_LOCK`], so no other change is in progress: a
    /// pending file is a left-over of a transaction that ended (or whose
    /// backend died) without settling it, and is settled first.
    pub fn begin_change(&mut self, xid: u32) -> PgResult<()> {
        if let Some(c) = &self.change {
            debug_assert_eq!(c.xid, xid);
            return Ok(());
        }
        self.require_data_dir()?;
        let lock = self.lock(true)?;
        if let Some((other, pending)) = read_pending(&self.data_dir)? {
            let running = self.segment.data_dir().clog().status(other) == XidStatus::InProgress
                && self.segment.proc_array().owner_of(other).is_some();
            if running {
                return Err(PgError::internal(format!(
                    "the catalog change of transaction {other} is still in progress"
                )));
            }
            settle(&self.data_dir, &self.segment, other, &pending)?;
            self.version = None;
            self.refresh_locked()?;
        }
        drop(lock);
        let base = self.current.clone();
        // Savepoints taken before the change saw the catalog before any
        // change of this transaction: the committed one, now.
        for s in &mut self.savepoints {
            *s = base.clone();
        }
        self.change = Some(Change { xid, base });
        Ok(())
    }

    /// SAVEPOINT.
    pub fn savepoint(&mut self) {
        self.savepoints.push(self.current.clone());
    }

    /// RELEASE of savepoint `depth` (1 = the first) and those after it.
    pub fn release(&mut self, depth: usize) {
        self.savepoints.truncate(depth.saturating_sub(1));
    }

    /// ROLLBACK TO savepoint `depth`: the catalog is again what it was
    /// there; files created since go.
    pub fn rollback_to(&mut self, depth: usize) {
        let Some(restored) = self.savepoints.get(depth.saturating_sub(1)).cloned() else {
            return;
        };
        self.savepoints.truncate(depth);
        let Some(change) = &self.change else {
            return;
        };
        if *restored == *self.current {
            return;
        }
        let mut restored = (*restored).clone();
        restored.next_oid = restored.next_oid.max(self.current.next_oid);
        let restored = Arc::new(restored);
        let _lock = self.lock_exclusive();
        if let Err(e) = write_pending(&self.data_dir, change.xid, &restored) {
            tracing::warn!(
                "could not restore the catalog of a savepoint: {}",
                e.message
            );
            return;
        }
        drop_files(&self.segment, &self.current, &[&restored, &change.base]);
        self.current = restored;
        self.bump_version();
    }

    /// The end of the transaction, before its locks are released:
    /// committed, its catalog becomes everyone's; aborted, it is gone.
    pub fn end_transaction(&mut self, committed: bool) {
        self.savepoints.clear();
        let Some(change) = self.change.take() else {
            return;
        };
        let _lock = self.lock_exclusive();
        let result = if committed {
            drop_files(&self.segment, &change.base, &[&self.current]);
            write_file(&self.data_dir, &self.current)
        } else {
            drop_files(&self.segment, &self.current, &[&change.base]);
            // OIDs are not given out twice, even by an aborted transaction.
            let mut base = (*change.base).clone();
            base.next_oid = base.next_oid.max(self.current.next_oid);
            let r = write_file(&self.data_dir, &base);
            self.current = Arc::new(base);
            r
        }
        .and_then(|()| remove_pending(&self.data_dir));
        if let Err(e) = result {
            // The pending file stays: readers go by its xid's outcome, and
            // the next change or start settles it.
            tracing::warn!(
                "could not settle the catalog change of transaction {}: {}",
                change.xid,
                e.message
            );
        }
        self.bump_version();
    }

    /// The end of a transaction whose commit may or may not be durable
    /// (the server is going down): the pending file is left for recovery.
    pub fn leave_unsettled(&mut self) {
        self.savepoints.clear();
        if let Some(change) = self.change.take() {
            self.current = change.base;
            self.version = None;
        }
    }

    /// Takes the catalog lock exclusively without reloading (this
    /// backend's change is its catalog).
    fn lock_exclusive(&self) -> LWLockGuard<'static> {
        self.segment.header().catalog_lock.lock(LockMode::Exclusive)
    }
}
