//! Heap tables: tuples in slotted pages, addressed by [`ItemPointer`].
//!
//! A tuple is a [`HeapTupleHeader`] followed by the caller's bytes (the
//! SQL layer encodes attributes and nulls in them). Deleting marks the line
//! pointer dead: item numbers are never reused, so a stale tid finds
//! nothing rather than another row; the bytes are reclaimed when the page
//! is next compacted.
//!
//! Inserts go to the relation's free-space hint (a shared per-relation
//! "last page with room"), else to its last page, else to a new page; a
//! page keeps `100 - fillfactor` percent free for updates that grow rows
//! in place.

use std::collections::VecDeque;

use shmem::buffer::{BlockNumber, BufferPool, RelId, StorageError, BLCKSZ};

use super::page::{self, Page};
use super::{AccessError, ItemPointer};

/// The fixed part of every heap tuple (little-endian on the page).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapTupleHeader {
    pub t_xmin: u32,
    pub t_xmax: u32,
    /// The tuple's own tid (or, once moved, where it went).
    pub t_ctid: ItemPointer,
    pub t_infomask: u16,
    /// Offset of the caller's data in the tuple.
    pub t_hoff: u8,
}

/// Bytes before the caller's data in a tuple.
pub const HEAP_TUPLE_HEADER_SIZE: usize = std::mem::size_of::<HeapTupleHeader>();
const _: () = assert!(HEAP_TUPLE_HEADER_SIZE == 20);
/// Largest tuple (header included), as PostgreSQL's MaxHeapTupleSize.
pub const MAX_HEAP_TUPLE_SIZE: usize = BLCKSZ - 32;

impl HeapTupleHeader {
    fn write(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.t_xmin.to_le_bytes());
        out[4..8].copy_from_slice(&self.t_xmax.to_le_bytes());
        out[8..14].copy_from_slice(&self.t_ctid.to_bytes());
        out[14..16].fill(0);
        out[16..18].copy_from_slice(&self.t_infomask.to_le_bytes());
        out[18] = self.t_hoff;
        out[19] = 0;
    }

    pub fn read(b: &[u8]) -> HeapTupleHeader {
        HeapTupleHeader {
            t_xmin: u32::from_le_bytes(b[0..4].try_into().unwrap()),
            t_xmax: u32::from_le_bytes(b[4..8].try_into().unwrap()),
            t_ctid: ItemPointer::from_bytes(&b[8..14]),
            t_infomask: u16::from_le_bytes(b[16..18].try_into().unwrap()),
            t_hoff: b[18],
        }
    }
}

fn build_tuple(data: &[u8]) -> Result<Vec<u8>, AccessError> {
    let size = HEAP_TUPLE_HEADER_SIZE + data.len();
    if size > MAX_HEAP_TUPLE_SIZE {
        return Err(AccessError::RowTooBig {
            size,
            max: MAX_HEAP_TUPLE_SIZE,
        });
    }
    let mut t = vec![0u8; size];
    HeapTupleHeader {
        t_hoff: HEAP_TUPLE_HEADER_SIZE as u8,
        ..Default::default()
    }
    .write(&mut t);
    t[HEAP_TUPLE_HEADER_SIZE..].copy_from_slice(data);
    Ok(t)
}

fn set_ctid(p: &mut Page, off: u16, tid: ItemPointer) {
    if let Some(t) = page::get_item_mut(p, off) {
        t[8..14].copy_from_slice(&tid.to_bytes());
    }
}

fn tuple_data(t: &[u8]) -> Result<&[u8], AccessError> {
    let hoff = t.get(18).copied().unwrap_or(u8::MAX) as usize;
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
    if page::free_space(p) < need {
        if page::flags(p) & page::PD_HAS_GARBAGE == 0 || page::free_space_after_compaction(p) < need
        {
            return None;
        }
        page::compact(p);
    }
    page::add_item(p, tuple, None)
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

/// Inserts a tuple holding `data`; returns its tid.
pub fn insert(
    pool: &BufferPool,
    rel: RelId,
    data: &[u8],
    fillfactor: u8,
) -> Result<ItemPointer, AccessError> {
    let tuple = build_tuple(data)?;
    insert_tuple(pool, rel, &tuple, fillfactor, None)
}

/// The data of tuple `tid`, `None` if it was deleted or never existed.
pub fn fetch(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
) -> Result<Option<Vec<u8>>, AccessError> {
    let buf = pool.read(rel, tid.block)?;
    let g = buf.read_lock();
    check_page(&g, rel, tid.block)?;
    if page::is_new(&g) {
        return Ok(None);
    }
    match page::get_item(&g, tid.offset) {
        Some(t) => Ok(Some(tuple_data(t)?.to_vec())),
        None => Ok(None),
    }
}

/// Replaces tuple `tid` with `data`: in place (same tid) if it fits on its
/// page, else the new version goes elsewhere and the old one is deleted.
/// Returns the tid of the new version.
pub fn update(
    pool: &BufferPool,
    rel: RelId,
    tid: ItemPointer,
    data: &[u8],
    fillfactor: u8,
) -> Result<ItemPointer, AccessError> {
    let mut tuple = build_tuple(data)?;
    {
        let buf = pool.read(rel, tid.block)?;
        let mut g = buf.write_lock();
        check_page(&g, rel, tid.block)?;
        let old = match page::get_item(&g, tid.offset) {
            Some(t) if !page::is_new(&g) && t.len() >= HEAP_TUPLE_HEADER_SIZE => {
                HeapTupleHeader::read(t)
            }
            _ => return Err(AccessError::NoSuchTuple(tid)),
        };
        HeapTupleHeader {
            t_ctid: tid,
            t_hoff: HEAP_TUPLE_HEADER_SIZE as u8,
            ..old
        }
        .write(&mut tuple);
        if page::replace_item(&mut g, tid.offset, &tuple) {
            return Ok(tid);
        }
    }
    // Insert the new version first (never losing the row), then delete
    // the old one, pointing its ctid at the new.
    let new = insert_tuple(pool, rel, &tuple, fillfactor, Some(tid.block))?;
    let buf = pool.read(rel, tid.block)?;
    let mut g = buf.write_lock();
    set_ctid(&mut g, tid.offset, new);
    if page::get_item(&g, tid.offset).is_some() {
        page::mark_dead(&mut g, tid.offset);
    }
    Ok(new)
}

/// Deletes tuple `tid`; false if it was not there.
pub fn delete(pool: &BufferPool, rel: RelId, tid: ItemPointer) -> Result<bool, AccessError> {
    let buf = pool.read(rel, tid.block)?;
    {
        let g = buf.read_lock();
        check_page(&g, rel, tid.block)?;
        if page::is_new(&g) || page::get_item(&g, tid.offset).is_none() {
            return Ok(false);
        }
    }
    let mut g = buf.write_lock();
    if page::get_item(&g, tid.offset).is_none() {
        return Ok(false);
    }
    page::mark_dead(&mut g, tid.offset);
    Ok(true)
}

/// A sequential scan: every live tuple, page by page, of the blocks that
/// existed when the scan started.
pub struct HeapScan {
    pool: BufferPool,
    rel: RelId,
    nblocks: Option<BlockNumber>,
    next_block: BlockNumber,
    pending: VecDeque<(ItemPointer, Vec<u8>)>,
}

/// Starts a sequential scan of `rel`.
pub fn scan(pool: &BufferPool, rel: RelId) -> HeapScan {
    HeapScan {
        pool: *pool,
        rel,
        nblocks: None,
        next_block: 0,
        pending: VecDeque::new(),
    }
}

impl HeapScan {
    /// The next live tuple, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(ItemPointer, Vec<u8>)>, AccessError> {
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
            let g = buf.read_lock();
            check_page(&g, self.rel, block)?;
            if page::is_new(&g) {
                continue;
            }
            for off in 1..=page::max_offset(&g) {
                if let Some(t) = page::get_item(&g, off) {
                    self.pending
                        .push_back((ItemPointer::new(block, off), tuple_data(t)?.to_vec()));
                }
            }
        }
    }

    /// The block the scan reads next (for progress reporting).
    pub fn position(&self) -> BlockNumber {
        self.next_block
    }
}
