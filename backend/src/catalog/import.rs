//! The start-up side of the catalog relations, run by the postmaster
//! after WAL replay and before any backend:
//! - [`import_text_catalogs`]: a data directory whose catalog is still in
//!   text files (`global/shared` and `database/<dboid>/catalog`, as
//!   `super::bootstrap` writes them at initdb, and as pgfork kept the
//!   catalog before it was relations) gets them loaded into the catalog
//!   relations as frozen tuples (visible to all), then the files go.
//!   A pending file left by a transaction of the file era counts if its
//!   xid committed. A crash during the import leaves the files, and the
//!   next start imports again from scratch: the files are removed only
//!   once the WAL holding the relations' pages is durable, the shared
//!   file first (its absence says the import is done).
//! - [`settle_files_and_oids`]: relation files no committed catalog
//!   names (left by a transaction a crash aborted, or by a committed DROP
//!   whose files a crash kept) are removed, and the OID counter starts
//!   above every OID given out.

use std::path::Path;

use shmem::xact::{XidStatus, FROZEN_XID};
use shmem::Segment;

use super::store::{self, WriteCtx, SHARED_CATALOG_REL};
use super::{database, Catalog, FIRST_USER_OID};
use crate::error::{sqlstate, PgError, PgResult};

const PENDING_MAGIC: &str = "pgfork-catalog-pending 1";

/// The committed text of catalog file `path`: the file, or its pending
/// version if that one's transaction committed.
fn committed_text(path: &Path, seg: &Segment) -> PgResult<Option<String>> {
    let mut pending = path.as_os_str().to_owned();
    pending.push(".pending");
    if let Some(text) = super::read_text(Path::new(&pending))? {
        let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
        let xid = head
            .strip_prefix(PENDING_MAGIC)
            .and_then(|x| x.trim().parse::<u32>().ok())
            .ok_or_else(|| {
                PgError::new(
                    sqlstate::DATA_CORRUPTED,
                    format!("file \"{}\" has a bad header", pending.to_string_lossy()),
                )
            })?;
        if seg.data_dir().clog().status(xid) == XidStatus::Committed {
            return Ok(Some(body.to_owned()));
        }
    }
    super::read_text(path)
}

/// Imports the text catalogs, if the data directory has them.
pub fn import_text_catalogs(seg: &Segment) -> PgResult<()> {
    let data_dir = seg.data_dir().path();
    let shared_path = super::shared_path(data_dir);
    let db_dir = data_dir.join("database");
    if !shared_path.exists() {
        // An import that removed the shared file and not the rest.
        if db_dir.exists() {
            let _ = std::fs::remove_dir_all(&db_dir);
        }
        return Ok(());
    }
    let Some(shared_text) = committed_text(&shared_path, seg)? else {
        return Ok(());
    };
    let shared = Catalog::load(&Catalog::empty().serialize_local(), Some(&shared_text))?;
    let w = WriteCtx {
        top: FROZEN_XID,
        subs: Vec::new(),
        xid: FROZEN_XID,
        cid: 0,
    };
    let pool = seg.buffer_pool();
    let fresh = |rel: u32| -> PgResult<()> {
        if seg.data_dir().smgr().exists(rel).map_err(PgError::from)? {
            pool.drop_relation(rel).map_err(PgError::from)?;
        }
        Ok(())
    };
    for d in &shared.databases {
        let path = super::catalog_path(&database::catalog_dir(data_dir, d.oid));
        let local = match committed_text(&path, seg)? {
            Some(t) => Catalog::load(&t, Some(&shared_text))?,
            None => shared.clone(),
        };
        fresh(d.oid)?;
        let entries = local.local_entries()?;
        store::write(seg, d.oid, &store::Entries::new(), entries, &w)?;
    }
    fresh(SHARED_CATALOG_REL)?;
    let entries = shared.shared_entries()?;
    store::write(seg, SHARED_CATALOG_REL, &store::Entries::new(), entries, &w)?;
    let wal = seg.wal();
    if wal.is_logging() {
        wal.flush(wal.insert_pos())
            .map_err(|e| crate::error::wal_error(e, "could not flush the WAL"))?;
    } else {
        // No WAL (a server without durability): the pages themselves.
        shmem::wal::checkpoint::checkpoint(seg, false)
            .map_err(|e| crate::error::wal_error(e, "checkpoint failed"))?;
    }
    let remove = |p: &Path| match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(super::io_error(
            format!("could not remove file \"{}\"", p.display()),
            e,
        )),
    };
    remove(&shared_path)?;
    let mut pending = shared_path.into_os_string();
    pending.push(".pending");
    remove(Path::new(&pending))?;
    let _ = std::fs::remove_dir_all(&db_dir);
    tracing::info!(
        "catalog of {} databases loaded into the catalog relations",
        shared.databases.len()
    );
    Ok(())
}

/// Removes the relation files in `base/` (user relations: numbered from
/// FirstNormalObjectId) that no committed catalog names, and sets the
/// OID counter's floor above every OID a committed catalog gave out (the
/// counter is kept in each database's catalog: the largest wins). Runs
/// before any backend, so no transaction has a relation file its catalog
/// does not name yet.
pub fn settle_files_and_oids(seg: &Segment) -> PgResult<()> {
    let shared = super::read_committed(seg, database::POSTGRES_OID)?;
    let mut named = std::collections::BTreeSet::new();
    let mut next_oid = shared.next_oid;
    for d in &shared.databases {
        named.insert(d.oid);
        let cat = super::read_committed(seg, d.oid)?;
        next_oid = next_oid.max(cat.next_oid);
        named.extend(cat.relation_files());
    }
    seg.header()
        .next_oid
        .fetch_max(next_oid, std::sync::atomic::Ordering::AcqRel);
    let base = seg.data_dir().path().join("base");
    let Ok(dir) = std::fs::read_dir(&base) else {
        return Ok(());
    };
    let orphans: Vec<u32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&rel| rel >= FIRST_USER_OID && !named.contains(&rel))
        .collect();
    if !orphans.is_empty() {
        tracing::info!(
            "removing {} relation files no committed catalog names",
            orphans.len()
        );
    }
    super::xact::drop_relation_files(seg, &orphans);
    Ok(())
}
