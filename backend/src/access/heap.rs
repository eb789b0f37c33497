//! Heap tables: tuple versions in slotted pages, addressed by
//! [`ItemPointer`], under MVCC (see `visibility.rs` for who sees what).
//!
//! A tuple is a [`HeapTupleHeader`] followed by the caller's bytes (the
//! SQL layer encodes attributes and nulls in them). A version is never
//! changed in place: UPDATE stamps the old version's `t_xmax` and writes
//! a new version, DELETE only stamps `t_xmax`, and an aborted transaction's
//! versions simply never become visible.
//!
//! HOT (heap-only tuples), as PostgreSQL: when an update changes no
//! indexed column and the new version fits on the old one's page, the new
//! version gets no index entries; the old one is marked HOT-updated and
//! its `t_ctid` continues the chain, which readers follow from the
//! version the index points at (the chain's root). Pruning (`prune.rs`)
//! removes versions no snapshot can see: heap-only ones entirely (their
//! line pointers become reusable), a dead root becomes a redirect to its
//! chain's first live member, or a dead line pointer that VACUUM frees
//! once no index entry points at it.
//!
//! Inserts go to the relation's free-space hint (a shared per-relation
//! "last page with room"), else to its last page, else to a new page; a
//! page keeps `100 - fillfactor` percent free for updates (HOT needs room
//! on the same page).

use std::collections::VecDeque;

use shmem::buffer::{BlockNumber, BufferPool, OwnedPageReadGuard, RelId, StorageError, BLCKSZ};
use shmem::xact::ProcArray;

use super::page::{self, Page};
use super::visibility::{
    satisfies_mvcc, satisfies_update, Mvcc, OwnXids, TmResult, HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE,
    HEAP_XMAX_LOCK_ONLY,
};
use super::{AccessError, ItemPointer};

/// The fixed part of every heap tuple (little-endian on the page):
/// xmin 0..4, xmax 4..8, ctid 8..14, infomask 14..16, cmin 16..20,
/// cmax 20..24, hoff 24, then padding to 28 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapTupleHeader {
    /// The inserting transaction.
    pub t_xmin: u32,
    /// The deleting, updating or locking transaction (0: none).
    pub t_xmax: u32,
    /// The tuple's own tid, or once updated, its successor's.
    pub t_ctid: ItemPointer,
    pub t_infomask: u16,
    /// Command of the inserting transaction that inserted it (only that
    /// transaction looks at it).
    pub t_cmin: u32,
    /// Command of the deleting transaction that deleted it.
    pub t_cmax: u32,
    /// Offset of the caller's data in the tuple.
    pub t_hoff: u8,
}

/// Bytes before the caller's data in a tuple.
pub const HEAP_TUPLE_HEADER_SIZE: usize = 28;
/// Largest tuple (header included), as PostgreSQL's MaxHeapTupleSize.
pub const MAX_HEAP_TUPLE_SIZE: usize = BLCKSZ - 32;

impl HeapTupleHeader {
    fn write(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.t_xmin.to_le_bytes());
        out[4..8].copy_from_slice(&self.t_xmax.to_le_bytes());
        out[8..14].copy_from_slice(&self.t_ctid.to_bytes());
        out[14..16].copy_from_slice(&self.t_infomask.to_le_bytes());
        out[16..20].copy_from_slice(&self.t_cmin.to_le_bytes());
        out[20..24].copy_from_slice(&self.t_cmax.to_le_bytes());
        out[24] = self.t_hoff;
        out[25..28].fill(0);
    }

    pub fn read(b: &[u8]) -> HeapTupleHeader {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        HeapTupleHeader {
            t_xmin: u32_at(0),
            t_xmax: u32_at(4),
            t_ctid: ItemPointer::from_bytes(&b[8..14]),
            t_infomask: u16::from_le_bytes([b[14], b[15]]),
            t_cmin: u32_at(16),
            t_cmax: u32_at(20),
            t_hoff: b[24],
        }
    }
}

fn build_tuple(data: &[u8], xmin: u32, cmin: u32) -> Result<Vec<u8>, AccessError> {
    let size = HEAP_TUPLE_HEADER_SIZE + data.len();
    if size > MAX_HEAP_TUPLE_SIZE {
        return Err(AccessError::RowTooBig {
            size,
            max: MAX_HEAP_TUPLE_SIZE,
        });
    }
    let mut t = vec![0u8; size];
    HeapTupleHeader {
        t_xmin: xmin,
        t_cmin: cmin,
        t_hoff: HEAP_TUPLE_HEADER_SIZE as u8,
        ..Default::default()
    }
    .write(&mut t);
    t[HEAP_TUPLE_HEADER_SIZE..].copy_from_slice(data);
    Ok(t)
}

/// The header of normal item `off`, None if there is none.
pub(crate) fn header_at(p: &Page, off: u16) -> Option<HeapTupleHeader> {
    page::get_item(p, off)
        .filter(|t| t.len() >= HEAP_TUPLE_HEADER_SIZE)
        .map(HeapTupleHeader::read)
}

/// Rewrites the header of normal item `off`.
pub(crate) fn set_header(p: &mut Page, off: u16, h: &HeapTupleHeader) {
    if let Some(t) = page::get_item_mut(p, off) {
        if t.len() >= HEAP_TUPLE_HEADER_SIZE {
            h.write(t);
        }
    }
}

fn set_ctid(p: &mut Page, off: u16, tid: ItemPointer) {
    if let Some(t) = page::get_item_mut(p, off) {
        t[8..14].copy_from_slice(&tid.to_bytes());
    }
}

fn tuple_data(t: &[u8]) -> Result<&[u8], AccessError> {
    let hoff = t.get(24).copied().unwrap_or(u8::MAX) as usize;
    t.get(hoff..)
        .filter(|_| t.len() >= HEAP_TUPLE_HEADER_SIZE)
        .ok_or_else(|| AccessError::Corrupt(format!("heap tuple with bad t_hoff {hoff}")))
}

fn check_page(p: &Page, rel: RelId, block: BlockNumber) -> Result<(), AccessError> {
    if page::is_new(p) || page::is_sane(p) {
        Ok(())
    } else {
        Err(AccessError::Corrupt(format!(
            "invalid page in block {block} of relation base/{rel}"
        )))
    }
}

/// Pages after the hinted one an insert looks at before extending.
const NEXT_FIT_PAGES: usize = 8;

/// Space a page keeps free for in-place growth at `fillfactor` percent.
fn reserved(fillfactor: u8) -> usize {
    BLCKSZ * (100 - fillfactor.clamp(10, 100) as usize) / 100
}

/// Puts `tuple` on `p` if it fits (keeping `reserve` free unless the page
/// is empty). Returns its item number.
fn place(p: &mut Page, tuple: &[u8], reserve: usize) -> Option<u16> {
    if page::is_new(p) {
        page::init(p, 0);
    }
    let empty = page::max_offset(p) == 0;
    let need = tuple.len() + if empty { 0 } else { reserve };
    if !page::heap_item_fits(p, need) {
        if page::flags(p) & page::PD_HAS_GARBAGE == 0 || page::free_space_after_compaction(p) < need
        {
            return None;
        }
        page::compact(p);
        if !page::heap_item_fits(p, need) {
            return None;
        }
    }
    page::add_heap_item(p, tuple)
}

fn try_block(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
    tuple: &[u8],
    reserve: usize,
) -> Result<Option<ItemPointer>, AccessError> {
    let buf = match pool.read(rel, block) {
        Ok(b) => b,
        // A hint left over from before a truncation.
        Err(StorageError::ShortRead { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    {
        // Cheap look first, so a full page is not dirtied for nothing.
        let g = buf.read_lock();
        check_page(&g, rel, block)?;
        if !page::is_new(&g) && page::free_space_after_compaction(&g) < tuple.len() {
            return Ok(None);
        }
    }
    let mut g = buf.write_lock();
    Ok(place(&mut g, tuple, reserve).map(|off| {
        let tid = ItemPointer::new(block, off);
        set_ctid(&mut g, off, tid);
        tid
    }))
}

fn insert_tuple(
    pool: &BufferPool,
    rel: RelId,
    tuple: &[u8],
    fillfactor: u8,
    avoid: Option<BlockNumber>,
) -> Result<ItemPointer, AccessError> {
    let reserve = reserved(fillfactor);
    // Other backends may fill a page (even one we just added) before we
    // lock it: then start over.
    for _ in 0..1000 {
        let hint = pool.free_space_hint(rel).filter(|&b| Some(b) != avoid);
        if let Some(b) = hint {
            if let Some(tid) = try_block(pool, rel, b, tuple, reserve)? {
                return Ok(tid);
            }
        }
        let n = pool.nblocks(rel)?;
        // Next fit: the few pages after a full hinted one (VACUUM points
        // the hint at the first page it freed space on), so freed space
        // is reused before the relation grows.
        if let Some(h) = hint {
            for b in (h + 1..n.saturating_sub(1)).take(NEXT_FIT_PAGES) {
                if Some(b) == avoid {
                    continue;
                }
                if let Some(tid) = try_block(pool, rel, b, tuple, reserve)? {
                    pool.set_free_space_hint(rel, Some(b));
                    return Ok(tid);
                }
            }
        }
        if n > 0 && Some(n - 1) != hint && Some(n - 1) != avoid {
            if let Some(tid) = try_block(pool, rel, n - 1, tuple, reserve)? {
                pool.set_free_space_hint(rel, Some(n - 1));
                return Ok(tid);
            }
        }
        let buf = pool.extend(rel)?;
        let block = buf.block();
        let mut g = buf.write_lock();
        if let Some(off) = place(&mut g, tuple, reserve) {
            let tid = ItemPointer::new(block, off);
            set_ctid(&mut g, off, tid);
            pool.set_free_space_hint(rel, Some(block));
            return Ok(tid);
        }
    }
    Err(AccessError::Corrupt(format!(
        "could not find room for a tuple in relation base/{rel}"
    )))
}

/// Who is writing: the transaction (its own xids, the xid its changes
/// are stamped with), the command, and the proc array.
pub struct Writer<'a> {
    pub own: &'a OwnXids,
    pub xid: u32,
    pub cid: u32,
    /// The running transactions: whether an xid the commit log already
    /// shows committed still counts as running for new snapshots, and the
    /// pruning horizon. None: trust the commit log and never prune (unit
    /// tests of single-threaded histories).
    pub procs: Option<&'a ProcArray>,
}

/// Inserts a new version holding `data`, stamped with the writer's xid and
/// command; returns its tid.
pub fn insert(
    pool: &BufferPool,
    rel: RelId,
    data: &[u8],
    fillfactor: u8,
    w: &Writer,
) -> Result<ItemPointer, AccessError> {
    let tuple = build_tuple(data, w.xid, w.cid)?;
    insert_tuple(pool, rel, &tuple, fillfactor, None)
}

/// Makes a version this transaction just inserted invisible to everyone
/// (PostgreSQL's "super-delete" of a speculative insertion, when ON
/// CONFLICT finds a conflict after the heap insert).
pub fn kill_inserted(pool: &BufferPool, rel: RelId, tid: ItemPointer) -> Result<(), AccessError> {
    let buf = pool.read(rel, tid.block)?;
    let mut g = buf.write_lock();
    if let Some(mut h) = header_at(&g, tid.offset) {
        h.t_xmin = shmem::xact::INVALID_XID;
        set_header(&mut g, tid.offset, &h);
        page::add_flags(&mut g, page::PD_PRUNABLE);
    }
    Ok(())
}

/// Block `block` of `rel`, share-locked and checked; None for a page never
/// initialized (added by an extension, not yet written to).
fn read_page(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
) -> Result<Option<OwnedPageReadGuard>, AccessError> {
    let g = pool.read(rel, block)?.into_read_lock();
    check_page(&g, rel, block)?;
    Ok((!page::is_new(&g)).then_some(g))
}

/// The version at `tid` whatever its visibility: header and data (None
/// if the line pointer holds no tuple).
pub fn fetch_version(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
) -> Result<Option<(HeapTupleHeader, Vec<u8>)>, AccessError> {
    let Some(g) = read_page(pool, rel, tid.block)? else {
        return Ok(None);
    };
    match page::get_item(&g, tid.offset) {
        Some(t) if t.len() >= HEAP_TUPLE_HEADER_SIZE => {
            Ok(Some((HeapTupleHeader::read(t), tuple_data(t)?.to_vec())))
        }
        _ => Ok(None),
    }
}

/// Every version in block `block` whatever its visibility: tid, header
/// and data (referential-integrity checks judge them themselves).
pub fn block_versions(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
) -> Result<Vec<(ItemPointer, HeapTupleHeader, Vec<u8>)>, AccessError> {
    let Some(g) = read_page(pool, rel, block)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for off in 1..=page::max_offset(&g) {
        if let Some(t) = page::get_item(&g, off).filter(|t| t.len() >= HEAP_TUPLE_HEADER_SIZE) {
            out.push((
                ItemPointer::new(block, off),
                HeapTupleHeader::read(t),
                tuple_data(t)?.to_vec(),
            ));
        }
    }
    Ok(out)
}

/// The version of the row an index entry points at (`root`, a HOT
/// chain's root) that the reader sees: its tid and data.
pub fn fetch_visible(
    pool: &BufferPool,
    rel: RelId,
    root: ItemPointer,
    m: &Mvcc,
) -> Result<Option<(ItemPointer, Vec<u8>)>, AccessError> {
    Ok(fetch_visible_with_header(pool, rel, root, m)?.map(|(tid, _, data)| (tid, data)))
}

/// [`fetch_visible`], with the version's header.
pub fn fetch_visible_with_header(
    pool: &BufferPool,
    rel: RelId,
    root: ItemPointer,
    m: &Mvcc,
) -> Result<Option<(ItemPointer, HeapTupleHeader, Vec<u8>)>, AccessError> {
    let Some(g) = read_page(pool, rel, root.block)? else {
        return Ok(None);
    };
    let mut off = page::redirect_target(&g, root.offset).unwrap_or(root.offset);
    let mut prev_xmax = None;
    for _ in 0..=page::max_offset(&g) {
        let Some(t) = page::get_item(&g, off).filter(|t| t.len() >= HEAP_TUPLE_HEADER_SIZE) else {
            return Ok(None);
        };
        let h = HeapTupleHeader::read(t);
        if prev_xmax.is_some_and(|x| x != h.t_xmin) {
            return Ok(None); // the chain was broken by pruning
        }
        if satisfies_mvcc(&h, m) {
            return Ok(Some((
                ItemPointer::new(root.block, off),
                h,
                tuple_data(t)?.to_vec(),
            )));
        }
        if h.t_infomask & HEAP_HOT_UPDATED == 0 || h.t_ctid.block != root.block {
            return Ok(None);
        }
        prev_xmax = Some(h.t_xmax);
        off = h.t_ctid.offset;
    }
    Ok(None)
}

/// Every version of the HOT chain an index entry points at (`root`),
/// whatever their visibility: tids and headers, in chain order.
pub fn chain(
    pool: &BufferPool,
    rel: RelId,
    root: ItemPointer,
) -> Result<Vec<(ItemPointer, HeapTupleHeader)>, AccessError> {
    let Some(g) = read_page(pool, rel, root.block)? else {
        return Ok(Vec::new());
    };
    Ok(
        super::prune::chain_members(pool.data_dir().clog(), &g, root.offset)
            .into_iter()
            .filter_map(|off| header_at(&g, off).map(|h| (ItemPointer::new(root.block, off), h)))
            .collect(),
    )
}

/// Where an update put the new version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Updated {
    pub tid: ItemPointer,
    /// A heap-only tuple: it needs no new index entries.
    pub hot: bool,
}

/// Locks the page of `tid` and checks the writer may change the version
/// there; on success returns the guard and the header.
fn lock_for_change(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    w: &Writer,
) -> Result<Result<(shmem::buffer::OwnedPageWriteGuard, HeapTupleHeader), TmResult>, AccessError> {
    let buf = pool.read(rel, tid.block)?;
    let g = buf.into_write_lock();
    check_page(&g, rel, tid.block)?;
    let Some(h) = (!page::is_new(&g))
        .then(|| header_at(&g, tid.offset))
        .flatten()
    else {
        return Err(AccessError::NoSuchTuple(tid));
    };
    let running = |x: u32| w.procs.is_some_and(|p| p.is_running(x));
    match satisfies_update(pool.data_dir().clog(), &h, tid, w.own, w.cid, &running) {
        TmResult::Ok => Ok(Ok((g, h))),
        r => Ok(Err(r)),
    }
}

/// Stamps `h` (the version at `tid`) as deleted or updated by the writer.
fn stamp_xmax(h: &mut HeapTupleHeader, tid: ItemPointer, w: &Writer) {
    h.t_xmax = w.xid;
    h.t_cmax = w.cid;
    h.t_infomask &= !(HEAP_XMAX_LOCK_ONLY | HEAP_HOT_UPDATED);
    h.t_ctid = tid;
}

/// Writes a new version of the row at `tid` holding `data`. `hot_ok`: no
/// indexed column changed, so the new version may be heap-only if it fits
/// on the same page (the page is pruned first if that makes room).
/// Returns where the new version went, or why the version at `tid` may
/// not be changed.
pub fn update(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    data: &[u8],
    fillfactor: u8,
    w: &Writer,
    hot_ok: bool,
) -> Result<Result<Updated, TmResult>, AccessError> {
    let tuple = build_tuple(data, w.xid, w.cid)?;
    let (mut g, mut old) = match lock_for_change(pool, rel, tid, w)? {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    let mut fits = page::heap_item_fits(&g, tuple.len());
    if !fits && page::flags(&g) & page::PD_PRUNABLE != 0 {
        if let Some(procs) = w.procs {
            let st = super::prune::prune_page(pool.data_dir().clog(), &mut g, procs.global_xmin());
            super::prune::note_pruned(rel, st.removed);
            fits = page::heap_item_fits(&g, tuple.len());
        }
    }
    page::add_flags(&mut g, page::PD_PRUNABLE);
    if fits {
        let Some(off) = page::add_heap_item(&mut g, &tuple) else {
            return Err(AccessError::Corrupt("heap page lost its free space".into()));
        };
        let new_tid = ItemPointer::new(tid.block, off);
        let mut nh = HeapTupleHeader::read(&tuple);
        nh.t_ctid = new_tid;
        stamp_xmax(&mut old, new_tid, w);
        if hot_ok {
            nh.t_infomask |= HEAP_ONLY_TUPLE;
            old.t_infomask |= HEAP_HOT_UPDATED;
        }
        set_header(&mut g, off, &nh);
        set_header(&mut g, tid.offset, &old);
        return Ok(Ok(Updated {
            tid: new_tid,
            hot: hot_ok,
        }));
    }
    // The new version goes to another page. Claim the old one first (a
    // concurrent writer now waits for us); point it at its successor once
    // that exists.
    stamp_xmax(&mut old, tid, w);
    set_header(&mut g, tid.offset, &old);
    drop(g);
    let new = insert_tuple(pool, rel, &tuple, fillfactor, Some(tid.block))?;
    let buf = pool.read(rel, tid.block)?;
    let mut g = buf.write_lock();
    set_ctid(&mut g, tid.offset, new);
    Ok(Ok(Updated {
        tid: new,
        hot: false,
    }))
}

/// Stamps the version at `tid` with the writer's xmax (a delete, or with
/// `lock_only` a row lock); returns `Ok` or why it may not be changed.
fn set_xmax(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    w: &Writer,
    lock_only: bool,
) -> Result<TmResult, AccessError> {
    let (mut g, mut h) = match lock_for_change(pool, rel, tid, w)? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    // A row this transaction already locked needs nothing more.
    if lock_only && w.own.is_mine(h.t_xmax) && h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 {
        return Ok(TmResult::Ok);
    }
    stamp_xmax(&mut h, tid, w);
    if lock_only {
        h.t_infomask |= HEAP_XMAX_LOCK_ONLY;
    } else {
        page::add_flags(&mut g, page::PD_PRUNABLE);
    }
    set_header(&mut g, tid.offset, &h);
    Ok(TmResult::Ok)
}

/// Deletes the version at `tid` (stamps its xmax); returns `Ok` or why it
/// may not be deleted.
pub fn delete(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    w: &Writer,
) -> Result<TmResult, AccessError> {
    set_xmax(pool, rel, tid, w, false)
}

/// Locks the row version at `tid` for the writer's transaction (SELECT
/// ... FOR UPDATE / FOR SHARE: both take the exclusive row lock here).
pub fn lock_tuple(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    w: &Writer,
) -> Result<TmResult, AccessError> {
    set_xmax(pool, rel, tid, w, true)
}

/// A sequential scan: every version the reader sees, page by page, of the
/// blocks that existed when the scan started. Pages with prunable
/// versions and little free space are pruned as they are read.
pub struct HeapScan {
    pool: BufferPool,
    rel: RelId,
    mvcc: Mvcc,
    horizon: Option<Box<dyn Fn() -> u32>>,
    nblocks: Option<BlockNumber>,
    next_block: BlockNumber,
    pending: VecDeque<(ItemPointer, HeapTupleHeader, Vec<u8>)>,
}

/// Starts a sequential scan of `rel` as `mvcc` sees it; `horizon` allows
/// pruning on access.
pub fn scan(
    pool: &BufferPool,
    rel: RelId,
    mvcc: Mvcc,
    horizon: Option<Box<dyn Fn() -> u32>>,
) -> HeapScan {
    HeapScan {
        pool: *pool,
        rel,
        mvcc,
        horizon,
        nblocks: None,
        next_block: 0,
        pending: VecDeque::new(),
    }
}

/// Free space below which a page with prunable versions is pruned when
/// read (PostgreSQL's heap_page_prune_opt uses the same tenth).
const PRUNE_FREE_SPACE: usize = BLCKSZ / 10;

impl HeapScan {
    /// The next visible tuple, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(ItemPointer, Vec<u8>)>, AccessError> {
        Ok(self.next_with_header()?.map(|(tid, _, data)| (tid, data)))
    }

    /// The next visible tuple with its header (for the system columns).
    pub fn next_with_header(
        &mut self,
    ) -> Result<Option<(ItemPointer, HeapTupleHeader, Vec<u8>)>, AccessError> {
        loop {
            if let Some(t) = self.pending.pop_front() {
                return Ok(Some(t));
            }
            let n = match self.nblocks {
                Some(n) => n,
                None => *self.nblocks.insert(self.pool.nblocks(self.rel)?),
            };
            if self.next_block >= n {
                return Ok(None);
            }
            let block = self.next_block;
            self.next_block += 1;
            let buf = self.pool.read(self.rel, block)?;
            let mut g = buf.read_lock();
            check_page(&g, self.rel, block)?;
            if page::is_new(&g) {
                continue;
            }
            if let Some(h) = &self.horizon {
                if page::flags(&g) & page::PD_PRUNABLE != 0
                    && page::free_space(&g) < PRUNE_FREE_SPACE
                {
                    drop(g);
                    let st = super::prune::prune_page(
                        self.pool.data_dir().clog(),
                        &mut buf.write_lock(),
                        h(),
                    );
                    super::prune::note_pruned(self.rel, st.removed);
                    g = buf.read_lock();
                }
            }
            for off in 1..=page::max_offset(&g) {
                let Some(t) = page::get_item(&g, off) else {
                    continue;
                };
                if t.len() < HEAP_TUPLE_HEADER_SIZE {
                    continue;
                }
                let h = HeapTupleHeader::read(t);
                if satisfies_mvcc(&h, &self.mvcc) {
                    self.pending.push_back((
                        ItemPointer::new(block, off),
                        h,
                        tuple_data(t)?.to_vec(),
                    ));
                }
            }
        }
    }

    /// The block the scan reads next (for progress reporting).
    pub fn position(&self) -> BlockNumber {
        self.next_block
    }
}
