//! The catalog relations' tuple access (`catalog::store::EntryStore`):
//! heap pages through the shared buffer cache, like any table's, read
//! with the catalog's visibility rule (committed by the commit log alone,
//! not by a snapshot: see `catalog/store.rs`).

use std::sync::Arc;

use shmem::xact::Snapshot;
use shmem::Segment;

use super::heap::{self, Writer};
use super::visibility::{Mvcc, OwnXids, TmResult};
use super::ItemPointer;
use super::{page, prune};
use crate::catalog::store::{EntryStore, Tid, WriteCtx};
use crate::error::{PgError, PgResult};

/// Catalog tuples are never updated in place: pages are filled up.
const FILLFACTOR: u8 = 100;
/// Free bytes that make a page the one inserts go to after a vacuum.
const ROOM: usize = shmem::buffer::BLCKSZ / 4;

struct CatalogHeap;

static CATALOG_HEAP: CatalogHeap = CatalogHeap;

/// Installs the catalog's tuple access: by the start-up
/// (`recovery::startup`), before any catalog is read; backends inherit
/// it (forked from the postmaster, or threads of its process).
pub fn install() {
    crate::catalog::store::install(&CATALOG_HEAP);
}

fn pack(t: ItemPointer) -> Tid {
    (t.block as u64) << 16 | t.offset as u64
}

fn unpack(t: Tid) -> ItemPointer {
    ItemPointer::new((t >> 16) as u32, t as u16)
}

/// Runs `f` with the heap writer of a catalog write.
fn with_writer<T>(
    seg: &Segment,
    w: &WriteCtx,
    f: impl FnOnce(&Writer) -> PgResult<T>,
) -> PgResult<T> {
    let procs = seg.proc_array();
    let own = OwnXids {
        top: w.top,
        subs: w.subs.clone(),
    };
    f(&Writer {
        own: &own,
        xid: w.xid,
        cid: w.cid,
        procs: Some(&procs),
    })
}

impl EntryStore for CatalogHeap {
    fn scan_committed(&self, seg: &Segment, rel: u32) -> PgResult<Vec<(Tid, Vec<u8>)>> {
        // A snapshot for which nothing is in progress: the commit log
        // alone decides.
        let mvcc = Mvcc {
            snapshot: Arc::new(Snapshot {
                xmin: u32::MAX,
                xmax: u32::MAX,
                xip: Vec::new(),
            }),
            cid: 0,
            own: Arc::new(OwnXids::default()),
            clog: seg.data_dir().clog(),
        };
        let procs = seg.proc_array();
        let horizon: Box<dyn Fn() -> u32> = Box::new(move || procs.global_xmin());
        let mut scan = heap::scan(&seg.buffer_pool(), rel, mvcc, Some(horizon));
        let mut out = Vec::new();
        while let Some((tid, data)) = scan.next()? {
            out.push((pack(tid), data));
        }
        Ok(out)
    }

    fn vacuum(&self, seg: &Segment, rel: u32) -> PgResult<()> {
        let pool = seg.buffer_pool();
        let horizon = seg.proc_array().global_xmin();
        let mut room = None;
        for block in 0..pool.nblocks(rel)? {
            // No index points into a catalog relation: a dead line
            // pointer is free at once (VACUUM's two passes in one).
            let (st, dead, _) = prune::vacuum_block(&pool, rel, block, horizon)?;
            prune::note_pruned(rel, st.removed);
            let offs: Vec<u16> = dead.iter().map(|t| t.offset).collect();
            prune::reclaim_dead(&pool, rel, block, &offs)?;
            if room.is_none() {
                let buf = pool.read(rel, block)?;
                let g = buf.read_lock();
                if page::is_new(&g) || page::free_space_after_compaction(&g) >= ROOM {
                    room = Some(block);
                }
            }
        }
        pool.set_free_space_hint(rel, room);
        Ok(())
    }

    fn insert(&self, seg: &Segment, rel: u32, data: &[u8], w: &WriteCtx) -> PgResult<Tid> {
        with_writer(seg, w, |writer| {
            Ok(pack(heap::insert(
                &seg.buffer_pool(),
                rel,
                data,
                FILLFACTOR,
                writer,
            )?))
        })
    }

    fn delete(&self, seg: &Segment, rel: u32, tid: Tid, w: &WriteCtx) -> PgResult<()> {
        with_writer(seg, w, |writer| {
            match heap::delete(&seg.buffer_pool(), rel, unpack(tid), writer)? {
                TmResult::Ok => Ok(()),
                // One transaction at a time changes the catalog
                // (CATALOG_CHANGE_LOCK): anything else is a bug.
                r => Err(PgError::internal(format!(
                    "tuple concurrently updated (catalog relation {rel}, {r:?})"
                ))),
            }
        })
    }
}
