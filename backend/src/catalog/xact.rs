//! Transactional catalog changes: DDL commits or rolls back with its
//! transaction (and its savepoints), survives a crash only if its
//! transaction committed, and is seen by no other backend before then.
//!
//! How:
//! - The catalog is tuples of catalog relations (`store.rs`): a DDL
//!   statement writes the entries it changed as tuples of its
//!   transaction (the xid of the savepoint level it runs in). MVCC does
//!   the rest: other backends see them once the transaction committed;
//!   an abort, or a ROLLBACK TO that aborts the savepoint's
//!   subtransaction, leaves them invisible; the WAL brings back the
//!   pages and the commit log the outcome after a crash.
//! - A transaction's first DDL statement takes [`CATALOG_CHANGE_LOCK`]
//!   (Exclusive, held until the transaction ends), so at most one
//!   transaction has a catalog change in progress, and its catalog is the
//!   committed one plus its own changes. DDL of other transactions waits
//!   for it (where PostgreSQL waits only on the rows and objects it
//!   conflicts with).
//! - At commit the committing backend holds the catalog lock exclusively
//!   from before its commit-log update until it has sent its invalidation
//!   messages (`shmem::sinval`); other backends read them at their next
//!   statement and rebuild their cache.
//! - Relation files: a file the committed catalog names and the new one
//!   does not is removed at commit (DROP, a rewrite's old file); one the
//!   change's catalog names and the committed one does not is removed at
//!   abort (CREATE) or at the ROLLBACK TO that undoes it. Relation files
//!   are named by OID and never reused, so these are differences of the
//!   sets of files two catalogs name ([`Catalog::relation_files`]). A
//!   crash between the commit (or abort) and the removal leaves files no
//!   committed catalog names; the next start removes them
//!   ([`super::import::settle_files_and_oids`]).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use shmem::lockmgr::LockTag;
use shmem::lwlock::LockMode;
use shmem::sinval::SinvalMessage;
use shmem::Segment;

use super::store::{self, WriteCtx, SHARED_CATALOG_REL};
use super::{Catalog, CatalogCache, StoredCatalog};
use crate::error::{PgError, PgResult};
use crate::types::Oid;

/// The lock a transaction holds from its first catalog change to its end
/// (an "object" lock on pg_class, as pg_locks shows it).
pub const CATALOG_CHANGE_LOCK: LockTag = LockTag::Object(PG_CLASS_OID, 0);
const PG_CLASS_OID: u32 = 1259;

/// The catalog change of this backend's open transaction.
pub(super) struct Change {
    /// The committed catalog when the change began, and its entries.
    base: Arc<Catalog>,
    base_stored: Arc<StoredCatalog>,
    /// The catalog's own command counter for its tuples.
    cid: u32,
    /// Databases this change created, with their catalogs (their files
    /// are removed if it aborts).
    created_databases: Vec<(Oid, Catalog)>,
}

/// Removes the files `from` names and none of `keep` does, and the
/// statistics of the tables `from` has and none of `keep` has.
fn drop_files(seg: &Segment, from: &Catalog, keep: &[&Catalog]) {
    let kept: std::collections::BTreeSet<u32> =
        keep.iter().flat_map(|c| c.relation_files()).collect();
    let gone: Vec<u32> = from.relation_files().difference(&kept).copied().collect();
    drop_relation_files(seg, &gone);
    for t in &from.tables {
        if keep.iter().all(|k| k.table_by_oid(t.oid).is_none()) {
            super::statistic::remove(seg.data_dir().path(), t.oid);
        }
    }
}

/// Removes relation files (through the buffer pool, which forgets their
/// pages and logs the drops). The drop records need not be durable: a
/// file a crash keeps is one no committed catalog names, which the next
/// start removes.
pub fn drop_relation_files(seg: &Segment, rels: &[u32]) {
    let pool = seg.buffer_pool();
    for &rel in rels {
        if let Err(e) = pool.drop_relation(rel) {
            tracing::warn!("could not remove the file of relation {rel}: {e}");
        }
    }
}

/// Removes a database's relation files, their statistics and its catalog
/// relation: those its committed catalog names (a database whose DROP
/// committed).
pub fn remove_database(seg: &Segment, db: Oid) {
    match super::read_committed(seg, db) {
        Ok(cat) => remove_database_files(seg, db, &cat),
        Err(e) => {
            tracing::warn!(
                "could not read the catalog of dropped database {db}: {}",
                e.message
            );
            drop_relation_files(seg, &[db]);
        }
    }
}

/// Removes the files and statistics `cat` (database `db`'s catalog)
/// names, and the database's catalog relation.
fn remove_database_files(seg: &Segment, db: Oid, cat: &Catalog) {
    drop_files(seg, cat, &[]);
    drop_relation_files(seg, &[db]);
}

impl CatalogCache {
    /// Whether this backend's transaction has changed the catalog.
    pub fn in_change(&self) -> bool {
        self.change.is_some()
    }

    /// Starts this transaction's catalog change. The caller holds
    /// [`CATALOG_CHANGE_LOCK`], so no other change is in progress and the
    /// catalog read now is the latest committed one.
    pub fn begin_change(&mut self) -> PgResult<()> {
        if self.change.is_some() {
            return Ok(());
        }
        self.require_data_dir()?;
        self.refresh()?;
        // OIDs an aborted change gave out are not given out again.
        let floor = self.segment.header().next_oid.load(Ordering::Acquire);
        if floor > self.current.next_oid {
            Arc::make_mut(&mut self.current).next_oid = floor;
        }
        // Savepoints taken before the change saw the catalog before any
        // change of this transaction: the committed one, now.
        let base = (self.current.clone(), self.stored.clone());
        for s in &mut self.savepoints {
            *s = base.clone();
        }
        self.change = Some(Change {
            base: base.0,
            base_stored: base.1,
            cid: 0,
            created_databases: Vec::new(),
        });
        Ok(())
    }

    /// The transaction's ids for the catalog tuples of the next write:
    /// its top-level xid and subtransaction xids, and the xid of the
    /// savepoint level the statement runs in (set before each DDL
    /// statement).
    pub fn set_writer(&mut self, top: u32, subs: Vec<u32>, xid: u32) {
        self.writer = WriteCtx {
            top,
            subs,
            xid,
            cid: 0,
        };
    }

    /// The writer of the next catalog write (a new command number).
    fn next_writer(&mut self) -> PgResult<WriteCtx> {
        let change = self
            .change
            .as_mut()
            .ok_or_else(|| PgError::internal("catalog change outside a transaction's change"))?;
        if self.writer.xid == 0 {
            return Err(PgError::internal("catalog change without a transaction id"));
        }
        change.cid += 1;
        Ok(WriteCtx {
            cid: change.cid,
            ..self.writer.clone()
        })
    }

    /// Writes `cat` as this transaction's catalog: the entries that differ
    /// from the current ones become tuples of the transaction.
    pub(super) fn write_change(&mut self, cat: &Catalog) -> PgResult<StoredCatalog> {
        let w = self.next_writer()?;
        self.segment
            .header()
            .next_oid
            .fetch_max(cat.next_oid, Ordering::AcqRel);
        let local = store::write(
            &self.segment,
            self.database,
            &self.stored.local,
            cat.local_entries()?,
            &w,
        )?;
        let shared = store::write(
            &self.segment,
            SHARED_CATALOG_REL,
            &self.stored.shared,
            cat.shared_entries()?,
            &w,
        )?;
        Ok(StoredCatalog { local, shared })
    }

    /// Writes the catalog of a database this change creates (CREATE
    /// DATABASE): `cat`'s part of its own, in its catalog relation.
    pub fn write_database_catalog(&mut self, db: Oid, cat: Catalog) -> PgResult<()> {
        let w = self.next_writer()?;
        let entries = cat.local_entries()?;
        if let Some(change) = self.change.as_mut() {
            change.created_databases.push((db, cat));
        }
        store::write(&self.segment, db, &store::Entries::new(), entries, &w)?;
        Ok(())
    }

    /// SAVEPOINT.
    pub fn savepoint(&mut self) {
        self.savepoints
            .push((self.current.clone(), self.stored.clone()));
    }

    /// RELEASE of savepoint `depth` (1 = the first) and those after it.
    pub fn release(&mut self, depth: usize) {
        self.savepoints.truncate(depth.saturating_sub(1));
    }

    /// ROLLBACK TO savepoint `depth`: the catalog is again what it was
    /// there (the tuples written since belong to the aborted
    /// subtransaction); files created since go.
    pub fn rollback_to(&mut self, depth: usize) {
        let Some((restored, stored)) = self.savepoints.get(depth.saturating_sub(1)).cloned() else {
            return;
        };
        self.savepoints.truncate(depth);
        let Some(change) = &self.change else {
            return;
        };
        if Arc::ptr_eq(&restored, &self.current) {
            return;
        }
        drop_files(&self.segment, &self.current, &[&restored, &change.base]);
        let mut restored = (*restored).clone();
        restored.next_oid = restored.next_oid.max(self.current.next_oid);
        self.current = Arc::new(restored);
        self.stored = stored;
        self.new_generation();
    }

    /// Takes the catalog lock exclusively for the commit of this
    /// transaction's change (nothing when it made none): held from
    /// before the commit-log update until [`CatalogCache::end_transaction`]
    /// has sent the invalidation messages (or the commit failed:
    /// [`CatalogCache::release_commit_guard`]).
    pub fn begin_commit(&mut self) {
        if self.change.is_some() && self.commit_guard.is_none() {
            self.commit_guard = Some(self.segment.header().catalog_lock.lock(LockMode::Exclusive));
        }
    }

    /// Releases the lock [`CatalogCache::begin_commit`] took, if still held.
    pub fn release_commit_guard(&mut self) {
        self.commit_guard = None;
    }

    /// The end of the transaction, before its locks are released:
    /// committed, its catalog is everyone's (the other backends are told);
    /// aborted, it is gone.
    pub fn end_transaction(&mut self, committed: bool) {
        self.savepoints.clear();
        let Some(change) = self.change.take() else {
            return;
        };
        if committed {
            let mut messages = Vec::new();
            if self.stored.local != change.base_stored.local {
                messages.push(SinvalMessage {
                    database: self.database,
                });
            }
            if self.stored.shared != change.base_stored.shared {
                messages.push(SinvalMessage { database: 0 });
            }
            let q = self.segment.sinval();
            q.send(&messages);
            // Nobody else changed the catalog meanwhile (the change lock):
            // this cache is the committed catalog.
            self.sinval_pos = q.next();
            self.release_commit_guard();
            drop_files(&self.segment, &change.base, &[&self.current]);
            let current = self.current.clone();
            self.remove_databases(&change.base, &[&current]);
        } else {
            self.release_commit_guard();
            drop_files(&self.segment, &self.current, &[&change.base]);
            for (db, cat) in &change.created_databases {
                remove_database_files(&self.segment, *db, cat);
            }
            self.current = change.base;
            self.stored = change.base_stored;
        }
        self.new_generation();
    }

    /// The end of a transaction whose commit may or may not be durable
    /// (the server is going down): recovery decides.
    pub fn leave_unsettled(&mut self) {
        self.release_commit_guard();
        self.savepoints.clear();
        if let Some(change) = self.change.take() {
            self.current = change.base;
            self.stored = change.base_stored;
            self.version = None;
        }
    }

    /// Removes the files of the databases `from` names and none of `keep`
    /// does (dropped by a committed change).
    fn remove_databases(&self, from: &Catalog, keep: &[&Catalog]) {
        for d in &from.databases {
            if keep.iter().all(|k| k.database_by_oid(d.oid).is_none()) {
                remove_database(&self.segment, d.oid);
            }
        }
    }
}
