//! Start-up of the storage, by the postmaster before any backend runs (at
//! start and after a crash reset): opens the WAL and recovers from it
//! (`shmem::wal::redo`), finishes what a crash left half done that only
//! the catalog and the access methods understand (a catalog change, see
//! `catalog/xact.rs`; a B-tree root split, see
//! [`btree::finish_incomplete_root_split`]), and ends with a checkpoint,
//! so that the next crash replays from here.

#![forbid(unsafe_code)]

use shmem::wal::checkpoint::checkpoint;
use shmem::wal::fmt_lsn;
use shmem::wal::redo::{self, RecoveryReport};
use shmem::Segment;

use crate::access::btree;

/// Opens the WAL of the segment's data directory, replaying it if the
/// server did not shut down cleanly. Errors are fatal for the server.
pub fn startup(seg: &Segment) -> Result<RecoveryReport, String> {
    crate::access::page::register_wal_ops();
    crate::access::catalog_heap::install();
    let rep = redo::startup(seg).map_err(|e| format!("recovery failed: {e}"))?;
    if rep.crashed {
        tracing::info!(
            "database system was not properly shut down; redo from {} to {}: {} records ({} page changes, {} skipped: file dropped later or change already on disk), {} commits; {} transactions without a commit record aborted; {:.0} ms",
            fmt_lsn(rep.redo),
            fmt_lsn(rep.end),
            rep.records,
            rep.page_records,
            rep.skipped_pages,
            rep.commits,
            rep.aborted,
            rep.elapsed_ms
        );
    }
    // Every transaction is settled now: so is a catalog change that a
    // crash (or an immediate shutdown) interrupted.
    crate::catalog::settle_after_recovery(seg)?;
    if rep.crashed {
        finish_btree_splits(seg)?;
    }
    if rep.crashed || rep.new_cluster {
        let c = checkpoint(seg, false)
            .map_err(|e| format!("end-of-recovery checkpoint failed: {e}"))?;
        tracing::info!(
            "{} checkpoint complete: wrote {} buffers in {:.0} ms",
            if rep.new_cluster {
                "first"
            } else {
                "end-of-recovery"
            },
            c.buffers_written,
            c.elapsed_ms
        );
    }
    Ok(rep)
}

fn finish_btree_splits(seg: &Segment) -> Result<(), String> {
    let err = |e: crate::error::PgError| {
        format!("could not read the catalog after recovery: {}", e.message)
    };
    let shared =
        crate::catalog::read_committed(seg, crate::catalog::database::POSTGRES_OID).map_err(err)?;
    for db in &shared.databases {
        finish_btree_splits_in(
            seg,
            &crate::catalog::read_committed(seg, db.oid).map_err(err)?,
        );
    }
    Ok(())
}

fn finish_btree_splits_in(seg: &Segment, cat: &crate::catalog::Catalog) {
    let pool = seg.buffer_pool();
    for idx in &cat.indexes {
        if !seg.data_dir().smgr().exists(idx.rel()).unwrap_or(false) {
            continue;
        }
        match btree::finish_incomplete_root_split(&pool, idx.rel()) {
            Ok(true) => tracing::info!(
                "finished an incomplete root split of index \"{}\"",
                idx.name
            ),
            Ok(false) => {}
            // An index whose build the crash cut short: it is reported
            // when used (REINDEX is not there yet: DROP and CREATE it);
            // the rest of the database starts.
            Err(e) => tracing::warn!("index \"{}\" needs to be rebuilt: {e}", idx.name),
        }
    }
}
