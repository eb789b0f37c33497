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
//!   catalog as two pending files, each headed by the transaction's xid:
//!   its database's part to `database/<dboid>/catalog.pending`, the shared
//!   part (roles, pg_database, the OID counter: `database.rs`) to
//!   `global/shared.pending`. The committed files (`catalog` next to the
//!   first, `global/shared`) are untouched, and every other backend keeps
//!   reading them.
//! - At commit, once the commit log says committed and before the
//!   transaction's locks are released, the pending catalog becomes the
//!   committed one, the files of relations it dropped are removed, and
//!   the pending file goes (likewise the shared one; the directories and
//!   files of databases it dropped go last). At abort, the files of
//!   relations (and databases) it created are removed and the pending
//!   files go. ROLLBACK TO a savepoint restores the catalog of that
//!   savepoint the same way.
//! - Anyone reading the catalog files treats a pending file whose xid is
//!   committed as the committed catalog, so a crash (of the backend or
//!   the server) between the commit record and the renames loses nothing,
//!   and the two files of one transaction commit or roll back together
//!   (both are judged by the same xid); the next catalog change, and the
//!   server's start after recovery, settle a left-over pending file by
//!   its xid's outcome.
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

use super::{write_atomically, write_file, write_shared, Catalog, CatalogCache};
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

/// The pending file of the catalog file `path`.
fn pending_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".pending");
    PathBuf::from(p)
}

fn local_path(data_dir: &Path, db: u32) -> PathBuf {
    super::catalog_path(&super::database::catalog_dir(data_dir, db))
}

/// Writes the pending catalog of transaction `xid` in database `db`:
/// its part and the shared part.
pub(super) fn write_pending(data_dir: &Path, db: u32, xid: u32, cat: &Catalog) -> PgResult<()> {
    let head = format!("{PENDING_MAGIC} {xid}\n");
    write_atomically(
        &pending_of(&local_path(data_dir, db)),
        &(head.clone() + &cat.serialize_local()),
    )?;
    write_atomically(
        &pending_of(&super::shared_path(data_dir)),
        &(head + &cat.serialize_shared()),
    )
}

/// The pending version of catalog file `path` and its transaction, if
/// there is one.
fn read_pending(path: &Path) -> PgResult<Option<(u32, String)>> {
    let path = pending_of(path);
    let Some(text) = super::read_text(&path)? else {
        return Ok(None);
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
    Ok(Some((xid, body.to_owned())))
}

/// The pending catalog of database directory `dir`, if there is one.
pub(super) fn read_pending_local(dir: &Path) -> PgResult<Option<(u32, Catalog)>> {
    match read_pending(&super::catalog_path(dir))? {
        Some((xid, text)) => Ok(Some((xid, Catalog::deserialize(&text)?))),
        None => Ok(None),
    }
}

fn remove_pending(path: &Path) -> PgResult<()> {
    let path = pending_of(path);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(super::io_error(
            format!("could not remove file \"{}\"", path.display()),
            e,
        )),
    }
}

/// The committed text of catalog file `path`: the file, or its pending
/// version if that one's transaction committed and has not yet (or, by a
/// crash, never) renamed it.
fn committed_text(path: &Path, seg: &Segment) -> PgResult<Option<String>> {
    if let Some((xid, text)) = read_pending(path)? {
        if seg.data_dir().clog().status(xid) == XidStatus::Committed {
            return Ok(Some(text));
        }
    }
    super::read_text(path)
}

/// The committed catalog of database `db`, merged with the committed
/// shared catalog.
pub(super) fn read_committed(data_dir: &Path, db: u32, seg: &Segment) -> PgResult<Catalog> {
    let local = committed_text(&local_path(data_dir, db), seg)?
        .unwrap_or_else(|| Catalog::empty().serialize_local());
    let shared = committed_text(&super::shared_path(data_dir), seg)?;
    Catalog::load(&local, shared.as_deref())
}

/// The catalog of the single-database layout (`global/catalog`, or its
/// pending version if that committed), for `upgrade_single_database`.
pub(super) fn read_old_layout(data_dir: &Path, seg: &Segment) -> PgResult<Catalog> {
    let path = data_dir.join("global").join("catalog");
    let text = committed_text(&path, seg)?.unwrap_or_default();
    Catalog::deserialize(&text)
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

/// Finishes the pending catalog of database `db` left by a transaction
/// that is no longer running: committed, it becomes the catalog (and the
/// files it dropped go); otherwise its created files go. The caller holds
/// the catalog lock exclusively, or runs before any backend.
fn settle_local(data_dir: &Path, db: u32, seg: &Segment) -> PgResult<bool> {
    let path = local_path(data_dir, db);
    let Some((xid, text)) = read_pending(&path)? else {
        return Ok(false);
    };
    let pending = Catalog::deserialize(&text)?;
    let dir = super::database::catalog_dir(data_dir, db);
    let committed = super::read_file(&dir)?;
    if seg.data_dir().clog().status(xid) == XidStatus::Committed {
        drop_files(seg, &committed, &[&pending]);
        write_atomically(&path, &text)?;
    } else {
        drop_files(seg, &pending, &[&committed]);
    }
    remove_pending(&path)?;
    Ok(true)
}

/// Finishes a left-over pending shared catalog the same way (databases
/// it created or dropped are left for [`remove_orphans`]).
fn settle_shared(data_dir: &Path, seg: &Segment) -> PgResult<bool> {
    let path = super::shared_path(data_dir);
    let Some((xid, text)) = read_pending(&path)? else {
        return Ok(false);
    };
    if seg.data_dir().clog().status(xid) == XidStatus::Committed {
        write_atomically(&path, &text)?;
    }
    remove_pending(&path)?;
    Ok(true)
}

/// Whether transaction `xid` (of a pending file) is still running.
fn running(seg: &Segment, xid: u32) -> bool {
    seg.data_dir().clog().status(xid) == XidStatus::InProgress
        && seg.proc_array().owner_of(xid).is_some()
}

/// Removes a database's relation files and statistics (through the
/// buffer pool, which forgets their pages and logs the drops), then its
/// catalog directory.
pub fn remove_database_dir(seg: &Segment, dir: &Path) {
    let pool = seg.buffer_pool();
    let data_dir = seg.data_dir().path();
    for rel in super::database::relation_files_in(dir) {
        if let Err(e) = pool.drop_relation(rel) {
            tracing::warn!("could not remove the file of relation {rel}: {e}");
        }
        super::statistic::remove(data_dir, rel);
    }
    let wal = seg.wal();
    if wal.is_logging() {
        if let Err(e) = wal.flush(wal.insert_pos()) {
            tracing::warn!("could not flush the WAL after dropping relation files: {e}");
        }
    }
    if let Err(e) = std::fs::remove_dir_all(dir) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("could not remove directory \"{}\": {e}", dir.display());
        }
    }
}

/// Removes the catalog directories (and files) of databases that the
/// committed shared catalog does not name.
fn remove_orphans(data_dir: &Path, seg: &Segment) -> PgResult<()> {
    let shared = super::read_text(&super::shared_path(data_dir))?;
    let Some(shared) = shared else {
        return Ok(());
    };
    let cat = Catalog::load(&Catalog::empty().serialize_local(), Some(&shared))?;
    for dir in super::database::orphans(data_dir, &cat) {
        remove_database_dir(seg, &dir);
    }
    Ok(())
}

/// At the server's start, after WAL replay has settled every transaction:
/// turns a data directory of the single-database layout into the
/// per-database one, finishes the catalog changes a crash interrupted
/// (shared and in every database), and removes what an interrupted
/// CREATE or DROP DATABASE left.
pub fn settle_after_recovery(seg: &Segment) -> Result<(), String> {
    let data_dir = seg.data_dir().path();
    let run = || -> PgResult<()> {
        super::upgrade_single_database(data_dir, seg)?;
        settle_shared(data_dir, seg)?;
        if let Some(shared) = super::read_text(&super::shared_path(data_dir))? {
            let cat = Catalog::load(&Catalog::empty().serialize_local(), Some(&shared))?;
            for d in &cat.databases {
                settle_local(data_dir, d.oid, seg)?;
            }
        }
        remove_orphans(data_dir, seg)
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
        let paths = [
            local_path(&self.data_dir, self.database),
            super::shared_path(&self.data_dir),
        ];
        for path in &paths {
            if let Some((other, _)) = read_pending(path)? {
                if running(&self.segment, other) {
                    return Err(PgError::internal(format!(
                        "the catalog change of transaction {other} is still in progress"
                    )));
                }
            }
        }
        let settled = settle_local(&self.data_dir, self.database, &self.segment)?
            | settle_shared(&self.data_dir, &self.segment)?;
        if settled {
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
        if let Err(e) = write_pending(&self.data_dir, self.database, change.xid, &restored) {
            tracing::warn!(
                "could not restore the catalog of a savepoint: {}",
                e.message
            );
            return;
        }
        drop_files(&self.segment, &self.current, &[&restored, &change.base]);
        self.remove_databases(&self.current, &[&restored, &change.base]);
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
        let dir = super::database::catalog_dir(&self.data_dir, self.database);
        let local = local_path(&self.data_dir, self.database);
        let shared = super::shared_path(&self.data_dir);
        let result = if committed {
            drop_files(&self.segment, &change.base, &[&self.current]);
            write_file(&dir, &self.current)
                .and_then(|()| write_shared(&self.data_dir, &self.current))
        } else {
            drop_files(&self.segment, &self.current, &[&change.base]);
            // OIDs are not given out twice, even by an aborted transaction.
            let mut base = (*change.base).clone();
            base.next_oid = base.next_oid.max(self.current.next_oid);
            let r = write_file(&dir, &base).and_then(|()| write_shared(&self.data_dir, &base));
            let current = std::mem::replace(&mut self.current, Arc::new(base));
            self.remove_databases(&current, &[&change.base]);
            r
        }
        .and_then(|()| remove_pending(&local))
        .and_then(|()| remove_pending(&shared));
        if committed && result.is_ok() {
            // The databases it dropped: their files go once the drop is
            // durable (a crash before this leaves them to the next start).
            let current = self.current.clone();
            self.remove_databases(&change.base, &[&current]);
        }
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

    /// Removes the directories and files of the databases `from` names
    /// and none of `keep` does (created by an aborted change, dropped by
    /// a committed one).
    fn remove_databases(&self, from: &Catalog, keep: &[&Catalog]) {
        for d in &from.databases {
            if keep.iter().all(|k| k.database_by_oid(d.oid).is_none()) {
                let dir = super::database::catalog_dir(&self.data_dir, d.oid);
                remove_database_dir(&self.segment, &dir);
            }
        }
    }

    /// Takes the catalog lock exclusively without reloading (this
    /// backend's change is its catalog).
    fn lock_exclusive(&self) -> LWLockGuard<'static> {
        self.segment.header().catalog_lock.lock(LockMode::Exclusive)
    }
}
