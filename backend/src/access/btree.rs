//! B-tree indexes (Lehman & Yao, as PostgreSQL's nbtree).
//!
//! Entries are (key bytes, [`ItemPointer`]) sorted by memcmp of the key,
//! then by the tid, so every entry is unique and duplicates of a key may
//! span pages. Block 0 is the metapage (root block and level); every
//! other page has a special space {right-link, level, flags}. A page that
//! is not the rightmost of its level starts with its *high key*: every
//! entry on the page is < the high key <= every entry to its right.
//! Internal items are (separator key, separator tid, child block); the
//! child holds entries >= its separator and < the next one. The first
//! item of the leftmost internal page of a level is minus infinity (empty
//! key, tid (0,0)).
//!
//! Concurrency (Lehman-Yao, no latch coupling on the way down): a descent
//! holds one content lock at a time; on any page whose high key is <= the
//! search key it moves right, which is what makes a split that happened
//! after the parent was read harmless. A split holds the page being split
//! and the new right page, links the new page in, releases both, and only
//! then locks the parent to add the downlink (moving right at the parent's
//! level as needed). Locks are only ever requested left-to-right within a
//! level, or on a page of another level with none held at a lower one, so
//! there is no deadlock. A unique insert keeps the leaf where the key
//! would start locked exclusively while it checks for the key (on that
//! leaf and, if the key continues past its high key, on right siblings,
//! locked left-to-right) and inserts: a second insert of the same key
//! waits for that leaf and then sees the first. Pages are never deleted
//! (deletion only removes entries), so a right-link is always valid.
//!
//! Backward scans (ORDER BY ... DESC through an ASC index) have no
//! left-links to follow. Each leaf page is found by a fresh descent for
//! the rightmost page holding entries below a boundary (first the scan's
//! upper bound, then the low bound of the page just read), moving right
//! only past pages whose high key is below the boundary. The low bound of
//! the page reached is known exactly: the separator of the downlink it
//! was reached by, or the high key of the page it was reached from by a
//! right-link. It is safe under concurrent inserts and splits because a
//! page's low bound never changes (a split keeps the left half's low
//! bound and gives the new right page the split key; pages are never
//! deleted), and the pages of a level always partition the key space:
//! the entries in [low, boundary) are all on that one page while it is
//! read-locked, so successive pages' ranges are disjoint and cover the
//! scan's range. An entry present for the whole scan is returned exactly
//! once; one inserted meanwhile may or may not be (its heap tuple is
//! invisible to the scan's snapshot anyway). Each leaf costs a descent
//! (PostgreSQL's nbtree steps left by left-links and re-descends only
//! when a page split under it).

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::ops::Bound;

use shmem::buffer::{BufferPool, OwnedPageWriteGuard, RelId, BLCKSZ};

use super::page::{self, Page, HEADER_SIZE, ITEM_ID_SIZE};
use super::{AccessError, ItemPointer};

const SPECIAL: usize = 16;
const P_NONE: u32 = u32::MAX;
const BTP_LEAF: u32 = 1;
const BTP_META: u32 = 4;
const META_BLOCK: u32 = 0;
const BTREE_MAGIC: u32 = 0x053162;
const BTREE_VERSION: u32 = 4;
/// Leaf item: tid (6 bytes) then key. High keys use the same format.
const LEAF_OVERHEAD: usize = 6;
/// Internal item: child block (4), separator tid (6), separator key.
const INTERNAL_OVERHEAD: usize = 10;
/// Largest key: an internal item is then at most 2704 bytes, so any three
/// fit on a page and a split always succeeds.
pub const MAX_KEY_SIZE: usize = 2694;
const PAGE_ROOM: usize = BLCKSZ - HEADER_SIZE - SPECIAL;

#[derive(Clone, Copy)]
struct Opaque {
    next: u32,
    level: u32,
    flags: u32,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn opaque(p: &Page) -> Opaque {
    let s = page::special(p);
    Opaque {
        next: u32_at(s, 0),
        level: u32_at(s, 4),
        flags: u32_at(s, 8),
    }
}

fn set_opaque(p: &mut Page, o: Opaque) {
    let s = page::special_mut(p);
    s[0..4].copy_from_slice(&o.next.to_le_bytes());
    s[4..8].copy_from_slice(&o.level.to_le_bytes());
    s[8..12].copy_from_slice(&o.flags.to_le_bytes());
}

fn init_page(p: &mut Page, o: Opaque) {
    page::init(p, SPECIAL);
    set_opaque(p, o);
}

fn first_data(p: &Page) -> u16 {
    if opaque(p).next == P_NONE {
        1
    } else {
        2
    }
}

fn leaf_item(key: &[u8], tid: ItemPointer) -> Vec<u8> {
    let mut v = Vec::with_capacity(LEAF_OVERHEAD + key.len());
    v.extend_from_slice(&tid.to_bytes());
    v.extend_from_slice(key);
    v
}

fn internal_item(key: &[u8], tid: ItemPointer, child: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(INTERNAL_OVERHEAD + key.len());
    v.extend_from_slice(&child.to_le_bytes());
    v.extend_from_slice(&tid.to_bytes());
    v.extend_from_slice(key);
    v
}

/// An item decoded: key, tid, and the child block of an internal item.
struct Entry<'a> {
    key: &'a [u8],
    tid: ItemPointer,
    child: u32,
}

fn corrupt(rel: RelId, what: &str) -> AccessError {
    AccessError::Corrupt(format!("index base/{rel}: {what}"))
}

fn decode_bytes(b: &[u8], leaf_format: bool) -> Entry<'_> {
    if leaf_format {
        Entry {
            key: &b[LEAF_OVERHEAD..],
            tid: ItemPointer::from_bytes(b),
            child: P_NONE,
        }
    } else {
        Entry {
            key: &b[INTERNAL_OVERHEAD..],
            tid: ItemPointer::from_bytes(&b[4..]),
            child: u32_at(b, 0),
        }
    }
}

/// Item `off` (a data item, or the high key with `leaf_format`).
fn entry(p: &Page, off: u16, leaf_format: bool) -> Entry<'_> {
    let b = page::get_item(p, off).unwrap_or(&[0; INTERNAL_OVERHEAD]);
    let min = if leaf_format {
        LEAF_OVERHEAD
    } else {
        INTERNAL_OVERHEAD
    };
    decode_bytes(
        if b.len() >= min {
            b
        } else {
            &[0; INTERNAL_OVERHEAD]
        },
        leaf_format,
    )
}

fn is_leaf(p: &Page) -> bool {
    opaque(p).flags & BTP_LEAF != 0
}

fn data_entry(p: &Page, off: u16) -> Entry<'_> {
    entry(p, off, is_leaf(p))
}

fn hikey(p: &Page) -> Option<Entry<'_>> {
    (opaque(p).next != P_NONE).then(|| entry(p, 1, true))
}

fn cmp(ak: &[u8], at: ItemPointer, bk: &[u8], bt: ItemPointer) -> Ordering {
    ak.cmp(bk).then(at.cmp(&bt))
}

/// Whether a search for (key, tid) must move right of this page.
fn beyond_page(p: &Page, key: &[u8], tid: ItemPointer) -> bool {
    hikey(p).is_some_and(|h| cmp(key, tid, h.key, h.tid) != Ordering::Less)
}

/// First data item >= (key, tid), or > with `strict`; max + 1 if none.
fn search(p: &Page, key: &[u8], tid: ItemPointer, strict: bool) -> u16 {
    let (mut lo, mut hi) = (first_data(p), page::max_offset(p) + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let e = data_entry(p, mid);
        let c = cmp(e.key, e.tid, key, tid);
        if c == Ordering::Less || (strict && c == Ordering::Equal) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The child of an internal page covering (key, tid).
fn child_for(p: &Page, key: &[u8], tid: ItemPointer) -> u32 {
    let pos = search(p, key, tid, true);
    data_entry(p, pos.saturating_sub(1).max(first_data(p))).child
}

fn check(p: &Page, rel: RelId, block: u32) -> Result<(), AccessError> {
    if page::is_new(p) || !page::is_sane(p) || page::special(p).len() != SPECIAL {
        return Err(corrupt(rel, &format!("invalid page in block {block}")));
    }
    Ok(())
}

fn read_meta(pool: &BufferPool, rel: RelId) -> Result<(u32, u32), AccessError> {
    let g = pool.read(rel, META_BLOCK)?.into_read_lock();
    check(&g, rel, META_BLOCK)?;
    let m = page::get_item(&g, 1).filter(|m| m.len() >= 16 && opaque(&g).flags & BTP_META != 0);
    match m {
        Some(m) if u32_at(m, 0) == BTREE_MAGIC => Ok((u32_at(m, 8), u32_at(m, 12))),
        _ => Err(corrupt(rel, "bad metapage")),
    }
}

fn meta_bytes(root: u32, level: u32) -> [u8; 16] {
    let mut m = [0u8; 16];
    m[0..4].copy_from_slice(&BTREE_MAGIC.to_le_bytes());
    m[4..8].copy_from_slice(&BTREE_VERSION.to_le_bytes());
    m[8..12].copy_from_slice(&root.to_le_bytes());
    m[12..16].copy_from_slice(&level.to_le_bytes());
    m
}

/// Creates an empty index in `rel` (its file is created if missing and
/// must be empty): the metapage and an empty root leaf.
pub fn create(pool: &BufferPool, rel: RelId) -> Result<(), AccessError> {
    pool.create_relation(rel)?;
    if pool.nblocks(rel)? != 0 {
        return Err(corrupt(
            rel,
            "cannot create an index in a non-empty relation",
        ));
    }
    let meta = pool.extend(rel)?;
    let root = pool.extend(rel)?;
    if meta.block() != META_BLOCK {
        return Err(corrupt(rel, "concurrent extension during creation"));
    }
    let mut r = root.write_lock();
    init_page(
        &mut r,
        Opaque {
            next: P_NONE,
            level: 0,
            flags: BTP_LEAF,
        },
    );
    let mut m = meta.write_lock();
    init_page(
        &mut m,
        Opaque {
            next: P_NONE,
            level: 0,
            flags: BTP_META,
        },
    );
    page::add_item(&mut m, &meta_bytes(root.block(), 0), None);
    Ok(())
}

/// Descends from the root to the page of level `level` covering
/// (key, tid); returns it and the blocks visited above it (the stack).
fn descend(
    pool: &BufferPool,
    rel: RelId,
    key: &[u8],
    tid: ItemPointer,
    level: u32,
) -> Result<(u32, Vec<u32>), AccessError> {
    let (mut blk, _) = read_meta(pool, rel)?;
    let mut stack = Vec::new();
    loop {
        let g = pool.read(rel, blk)?.into_read_lock();
        check(&g, rel, blk)?;
        let o = opaque(&g);
        if beyond_page(&g, key, tid) {
            blk = o.next;
            continue;
        }
        if o.level == level {
            return Ok((blk, stack));
        }
        if o.level < level {
            return Err(corrupt(rel, &format!("no level {level} below block {blk}")));
        }
        stack.push(blk);
        blk = child_for(&g, key, tid);
    }
}

/// Locks page `blk` exclusively, moving right to the page covering
/// (key, tid).
fn lock_covering(
    pool: &BufferPool,
    rel: RelId,
    mut blk: u32,
    key: &[u8],
    tid: ItemPointer,
) -> Result<OwnedPageWriteGuard, AccessError> {
    loop {
        let g = pool.read(rel, blk)?.into_write_lock();
        check(&g, rel, blk)?;
        if !beyond_page(&g, key, tid) {
            return Ok(g);
        }
        blk = opaque(&g).next;
    }
}

/// A split's result: separator (key, tid) and the new right page.
type Split = (Vec<u8>, ItemPointer, u32);

/// Adds `item`, sorted as (key, tid), to the locked page; splits it if it
/// is full.
fn insert_item(
    pool: &BufferPool,
    rel: RelId,
    g: &mut OwnedPageWriteGuard,
    item: Vec<u8>,
    key: &[u8],
    tid: ItemPointer,
) -> Result<Option<Split>, AccessError> {
    let pos = search(g, key, tid, true);
    if page::add_item(g, &item, Some(pos)).is_some() {
        return Ok(None);
    }
    split(pool, rel, g, item, pos).map(Some)
}

fn split(
    pool: &BufferPool,
    rel: RelId,
    g: &mut OwnedPageWriteGuard,
    item: Vec<u8>,
    pos: u16,
) -> Result<Split, AccessError> {
    let o = opaque(g);
    let leaf = o.flags & BTP_LEAF != 0;
    let old_hikey = (o.next != P_NONE).then(|| page::get_item(g, 1).unwrap_or(&[]).to_vec());
    let fd = first_data(g);
    let max = page::max_offset(g);
    let mut items: Vec<Vec<u8>> = (fd..=max)
        .map(|off| page::get_item(g, off).unwrap_or(&[]).to_vec())
        .collect();
    let at_end = pos == max + 1;
    items.insert((pos - fd) as usize, item);

    // The high key of the left half is the first entry of the right half,
    // in leaf format (an internal item minus its child block).
    let as_hikey = |it: &Vec<u8>| -> Vec<u8> {
        if leaf {
            it.clone()
        } else {
            it[4..].to_vec()
        }
    };
    let cost = |it: &Vec<u8>| it.len() + ITEM_ID_SIZE;
    let total: usize = items.iter().map(cost).sum();
    let right_extra = old_hikey.as_ref().map_or(0, |h| h.len() + ITEM_ID_SIZE);
    // Appending at the right edge (ascending keys): leave the left page
    // nearly full, as PostgreSQL does for the rightmost leaf.
    let goal = if at_end && o.next == P_NONE {
        PAGE_ROOM * 9 / 10
    } else {
        total / 2
    };
    let mut best: Option<(usize, usize)> = None;
    let mut left = 0;
    for s in 1..items.len() {
        left += cost(&items[s - 1]);
        let lbytes = left + as_hikey(&items[s]).len() + ITEM_ID_SIZE;
        let rbytes = total - left + right_extra;
        if lbytes <= PAGE_ROOM && rbytes <= PAGE_ROOM {
            let d = lbytes.abs_diff(goal);
            if !matches!(best, Some((_, bd)) if bd <= d) {
                best = Some((s, d));
            }
        }
    }
    let (s, _) = best.ok_or_else(|| corrupt(rel, "no valid split point"))?;
    let new_hikey = as_hikey(&items[s]);

    let rbuf = pool.extend(rel)?;
    let rblk = rbuf.block();
    let mut rg = rbuf.into_write_lock();
    init_page(&mut rg, o);
    let overflow = || corrupt(rel, "split page overflow");
    if let Some(h) = &old_hikey {
        page::add_item(&mut rg, h, None).ok_or_else(overflow)?;
    }
    for it in &items[s..] {
        page::add_item(&mut rg, it, None).ok_or_else(overflow)?;
    }

    let mut tmp: Page = [0; BLCKSZ];
    init_page(&mut tmp, Opaque { next: rblk, ..o });
    page::add_item(&mut tmp, &new_hikey, None).ok_or_else(overflow)?;
    for it in &items[..s] {
        page::add_item(&mut tmp, it, None).ok_or_else(overflow)?;
    }
    **g = tmp;
    let e = decode_bytes(&new_hikey, true);
    Ok((e.key.to_vec(), e.tid, rblk))
}

/// After a split of `left` (at `level`), adds the downlink (sep, right) to
/// the parent, splitting upwards as needed, or makes a new root.
fn insert_downlink(
    pool: &BufferPool,
    rel: RelId,
    mut stack: Vec<u32>,
    mut level: u32,
    mut left: u32,
    (mut key, mut tid, mut right): Split,
) -> Result<(), AccessError> {
    loop {
        let parent = match stack.pop() {
            Some(b) => b,
            None => {
                let mut m = pool.read(rel, META_BLOCK)?.into_write_lock();
                let (root, root_level) = read_meta_locked(&m, rel)?;
                if root != left && root_level <= level {
                    // The page we descended from as root was split by
                    // another backend that has not installed the new root
                    // yet: wait for it.
                    drop(m);
                    std::thread::yield_now();
                    continue;
                }
                if root == left {
                    let items = [
                        internal_item(&[], ItemPointer::MIN, left),
                        internal_item(&key, tid, right),
                    ];
                    return new_root(pool, rel, &mut m, level, &items);
                }
                drop(m);
                // Somebody else made a new root above us: find our parent
                // from it.
                let (b, st) = descend(pool, rel, &key, tid, level + 1)?;
                stack = st;
                b
            }
        };
        let mut g = lock_covering(pool, rel, parent, &key, tid)?;
        let item = internal_item(&key, tid, right);
        match insert_item(pool, rel, &mut g, item, &key, tid)? {
            None => return Ok(()),
            Some(s) => {
                level = opaque(&g).level;
                left = g.buffer().block();
                drop(g);
                (key, tid, right) = s;
            }
        }
    }
}

/// Crash recovery: finishes a root split that a crash cut short.
///
/// A split links the new right page in and releases both halves before it
/// installs a new root above them (`insert_downlink`). If the server died
/// in between, the root has right siblings at its own level and no parent:
/// searches are still right (they move right), but the next split of a
/// sibling would wait forever for a new root that nobody is installing.
/// With no other backend running, this installs it: a root one level up
/// with a downlink to the old root and to each sibling (separated by the
/// high key of the page to its left). Returns whether it did anything.
pub fn finish_incomplete_root_split(pool: &BufferPool, rel: RelId) -> Result<bool, AccessError> {
    let (root, level) = read_meta(pool, rel)?;
    let mut items = vec![internal_item(&[], ItemPointer::MIN, root)];
    let mut blk = root;
    loop {
        let g = pool.read(rel, blk)?.into_read_lock();
        check(&g, rel, blk)?;
        let o = opaque(&g);
        if o.next == P_NONE {
            break;
        }
        let h =
            hikey(&g).ok_or_else(|| corrupt(rel, "a page with a right sibling has no high key"))?;
        items.push(internal_item(h.key, h.tid, o.next));
        blk = o.next;
    }
    if items.len() == 1 {
        return Ok(false);
    }
    let mut m = pool.read(rel, META_BLOCK)?.into_write_lock();
    new_root(pool, rel, &mut m, level, &items)?;
    Ok(true)
}

/// Tests: leaves the tree as a crash between a root split and the new
/// root's installation would: the metapage names the old root's leftmost
/// child (which has right siblings) as the root.
#[cfg(test)]
pub(crate) fn cut_root_split_short(pool: &BufferPool, rel: RelId) -> Result<(), AccessError> {
    let (root, level) = read_meta(pool, rel)?;
    assert!(level >= 1, "the tree has a single level");
    let child = {
        let g = pool.read(rel, root)?.into_read_lock();
        let first = first_data(&g);
        u32_at(page::get_item(&g, first).unwrap_or(&[0; 4]), 0)
    };
    let mut m = pool.read(rel, META_BLOCK)?.into_write_lock();
    page::get_item_mut(&mut m, 1)
        .ok_or_else(|| corrupt(rel, "bad metapage"))?
        .copy_from_slice(&meta_bytes(child, level - 1));
    Ok(())
}

/// Makes a new root one level above `level` holding the downlinks `items`
/// and points the metapage `m` (locked exclusively) at it.
fn new_root(
    pool: &BufferPool,
    rel: RelId,
    m: &mut OwnedPageWriteGuard,
    level: u32,
    items: &[Vec<u8>],
) -> Result<(), AccessError> {
    let rbuf = pool.extend(rel)?;
    let root = rbuf.block();
    let mut rg = rbuf.into_write_lock();
    init_page(
        &mut rg,
        Opaque {
            next: P_NONE,
            level: level + 1,
            flags: 0,
        },
    );
    for it in items {
        page::add_item(&mut rg, it, None)
            .ok_or_else(|| corrupt(rel, "too many downlinks for one new root"))?;
    }
    drop(rg);
    page::get_item_mut(m, 1)
        .ok_or_else(|| corrupt(rel, "bad metapage"))?
        .copy_from_slice(&meta_bytes(root, level + 1));
    Ok(())
}

fn read_meta_locked(m: &Page, rel: RelId) -> Result<(u32, u32), AccessError> {
    match page::get_item(m, 1) {
        Some(b) if b.len() >= 16 && u32_at(b, 0) == BTREE_MAGIC => {
            Ok((u32_at(b, 8), u32_at(b, 12)))
        }
        _ => Err(corrupt(rel, "bad metapage")),
    }
}

/// Inserts (key, tid) (inserting an entry that exists is a no-op). With
/// `unique`, fails with
/// [`AccessError::UniqueViolation`] if an entry with the same key exists;
/// the check and the insert happen under the same exclusive leaf lock.
pub fn insert(
    pool: &BufferPool,
    rel: RelId,
    key: &[u8],
    tid: ItemPointer,
    unique: bool,
) -> Result<(), AccessError> {
    if key.len() > MAX_KEY_SIZE {
        return Err(AccessError::IndexRowTooBig {
            size: key.len() + LEAF_OVERHEAD,
            max: MAX_KEY_SIZE + LEAF_OVERHEAD,
        });
    }
    let search_tid = if unique { ItemPointer::MIN } else { tid };
    let (leaf, stack) = descend(pool, rel, key, search_tid, 0)?;
    let first = lock_covering(pool, rel, leaf, key, search_tid)?;
    let mut chain = vec![first];
    if unique {
        // The key's entries start on `chain[0]` and continue right while a
        // high key has the same key.
        let mut off = search(&chain[0], key, ItemPointer::MIN, false);
        loop {
            let p: &Page = chain.last().unwrap();
            if off <= page::max_offset(p) {
                if data_entry(p, off).key == key {
                    return Err(AccessError::UniqueViolation);
                }
                break;
            }
            match hikey(p) {
                Some(h) if h.key == key => {
                    let next = opaque(p).next;
                    let g = pool.read(rel, next)?.into_write_lock();
                    check(&g, rel, next)?;
                    off = first_data(&g);
                    chain.push(g);
                }
                _ => break,
            }
        }
    }
    // (key, tid) goes on the first page of the chain it does not lie
    // beyond (the last one at the latest: its high key's key is greater).
    let idx = chain
        .iter()
        .position(|g| !beyond_page(g, key, tid))
        .ok_or_else(|| corrupt(rel, "entry beyond the pages locked for it"))?;
    let g = &mut chain[idx];
    // The exact entry is already there: nothing to do.
    let at = search(g, key, tid, false);
    if at <= page::max_offset(g) {
        let e = data_entry(g, at);
        if e.key == key && e.tid == tid {
            return Ok(());
        }
    }
    let level = opaque(g).level;
    let blk = g.buffer().block();
    let split = insert_item(pool, rel, g, leaf_item(key, tid), key, tid)?;
    drop(chain);
    match split {
        Some(s) => insert_downlink(pool, rel, stack, level, blk, s),
        None => Ok(()),
    }
}

/// Removes the entry (key, tid); false if it was not there.
pub fn delete(
    pool: &BufferPool,
    rel: RelId,
    key: &[u8],
    tid: ItemPointer,
) -> Result<bool, AccessError> {
    let (leaf, _) = descend(pool, rel, key, tid, 0)?;
    let mut g = lock_covering(pool, rel, leaf, key, tid)?;
    let off = search(&g, key, tid, false);
    if off <= page::max_offset(&g) {
        let e = data_entry(&g, off);
        if e.key == key && e.tid == tid {
            page::remove_item(&mut g, off);
            return Ok(true);
        }
    }
    Ok(false)
}

/// An entry position (key, tid) as an owned value.
type Position = (Vec<u8>, ItemPointer);

/// Whether (key, tid) lies before `boundary` (`None`: plus infinity).
fn before(key: &[u8], tid: ItemPointer, boundary: Option<&Position>) -> bool {
    boundary.is_none_or(|(bk, bt)| cmp(key, tid, bk, *bt) == Ordering::Less)
}

/// A backward scan's step: descends to the rightmost leaf page holding
/// entries before `boundary` and returns those entries (ascending) and
/// the page's low bound (`(empty, MIN)` for the leftmost leaf). See the
/// module comment for why this is safe under concurrent splits.
fn leaf_before(
    pool: &BufferPool,
    rel: RelId,
    boundary: Option<&Position>,
) -> Result<(Vec<Position>, Position), AccessError> {
    let (mut blk, _) = read_meta(pool, rel)?;
    // The root is the leftmost page of its level: no low bound.
    let mut low: Position = (Vec::new(), ItemPointer::MIN);
    loop {
        let g = pool.read(rel, blk)?.into_read_lock();
        check(&g, rel, blk)?;
        let o = opaque(&g);
        // Entries just before the boundary lie right of a page whose high
        // key is before it; that high key is the next page's low bound.
        if let Some(h) = hikey(&g) {
            if before(h.key, h.tid, boundary) {
                low = (h.key.to_vec(), h.tid);
                blk = o.next;
                continue;
            }
        }
        let (fd, max) = (first_data(&g), page::max_offset(&g));
        if o.level == 0 {
            let entries = (fd..=max)
                .map(|off| data_entry(&g, off))
                .take_while(|e| before(e.key, e.tid, boundary))
                .map(|e| (e.key.to_vec(), e.tid))
                .collect();
            return Ok((entries, low));
        }
        // The last child whose separator (its low bound) is before the
        // boundary; the first item's separator is the page's own low
        // bound (minus infinity on the leftmost page), always before it.
        let pos = match boundary {
            None => max + 1,
            Some((k, t)) => search(&g, k, *t, false),
        };
        if max < fd {
            return Err(corrupt(rel, &format!("internal page {blk} without items")));
        }
        let e = data_entry(&g, pos.saturating_sub(1).max(fd));
        low = (e.key.to_vec(), e.tid);
        blk = e.child;
    }
}

/// A range scan in (key, tid) order, or in reverse order.
pub struct BTreeScan {
    pool: BufferPool,
    rel: RelId,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    started: bool,
    next_block: Option<u32>,
    pending: VecDeque<(Vec<u8>, ItemPointer)>,
    /// A backward scan: `boundary` is the lowest position handed to
    /// `pending` so far (`None` before the first page: the upper bound
    /// applies), `finished` once the scan's lower end was reached.
    backward: bool,
    boundary: Option<Box<Position>>,
    finished: bool,
}

/// Starts a scan of the entries whose key lies within (lower, upper).
pub fn scan(pool: &BufferPool, rel: RelId, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> BTreeScan {
    BTreeScan {
        pool: *pool,
        rel,
        lower: lower.map(<[u8]>::to_vec),
        upper: upper.map(<[u8]>::to_vec),
        started: false,
        next_block: None,
        pending: VecDeque::new(),
        backward: false,
        boundary: None,
        finished: false,
    }
}

/// Starts a scan of the entries whose key lies within (lower, upper),
/// from the highest (key, tid) down.
pub fn scan_backward(
    pool: &BufferPool,
    rel: RelId,
    lower: Bound<&[u8]>,
    upper: Bound<&[u8]>,
) -> BTreeScan {
    BTreeScan {
        backward: true,
        ..scan(pool, rel, lower, upper)
    }
}

impl BTreeScan {
    fn start_key(&self) -> (&[u8], ItemPointer) {
        match &self.lower {
            Bound::Unbounded => (&[], ItemPointer::MIN),
            Bound::Included(k) => (k, ItemPointer::MIN),
            Bound::Excluded(k) => (k, ItemPointer::MAX),
        }
    }

    fn below_lower(&self, key: &[u8]) -> bool {
        match &self.lower {
            Bound::Included(k) => key < k.as_slice(),
            Bound::Excluded(k) => key <= k.as_slice(),
            Bound::Unbounded => false,
        }
    }

    fn above_upper(&self, key: &[u8]) -> bool {
        match &self.upper {
            Bound::Included(k) => key > k.as_slice(),
            Bound::Excluded(k) => key >= k.as_slice(),
            Bound::Unbounded => false,
        }
    }

    /// The position just past the upper bound (`None`: unbounded).
    fn end_position(&self) -> Option<Position> {
        match &self.upper {
            Bound::Unbounded => None,
            // The next key after k in memcmp order is k followed by 0x00.
            Bound::Included(k) => Some(([k.as_slice(), &[0]].concat(), ItemPointer::MIN)),
            Bound::Excluded(k) => Some((k.clone(), ItemPointer::MIN)),
        }
    }

    /// A backward scan's next entry: one leaf page at a time, highest
    /// first (see the module comment).
    fn next_backward(&mut self) -> Result<Option<Position>, AccessError> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            if self.finished {
                return Ok(None);
            }
            let boundary = if self.started {
                self.boundary.take().map(|b| *b)
            } else {
                self.started = true;
                self.end_position()
            };
            let (entries, low) = leaf_before(&self.pool, self.rel, boundary.as_ref())?;
            for (k, t) in entries.into_iter().rev() {
                if self.below_lower(&k) {
                    break;
                }
                if !self.above_upper(&k) {
                    self.pending.push_back((k, t));
                }
            }
            let (sk, st) = self.start_key();
            self.finished = cmp(&low.0, low.1, sk, st) != Ordering::Greater;
            self.boundary = Some(Box::new(low));
        }
    }

    /// The next entry, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(Vec<u8>, ItemPointer)>, AccessError> {
        if self.backward {
            return self.next_backward();
        }
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            let (mut blk, first) = if !self.started {
                self.started = true;
                let (k, t) = self.start_key();
                (descend(&self.pool, self.rel, k, t, 0)?.0, true)
            } else {
                match self.next_block.take() {
                    Some(b) => (b, false),
                    None => return Ok(None),
                }
            };
            let g = loop {
                let g = self.pool.read(self.rel, blk)?.into_read_lock();
                check(&g, self.rel, blk)?;
                let (k, t) = self.start_key();
                if first && beyond_page(&g, k, t) {
                    blk = opaque(&g).next;
                    continue;
                }
                break g;
            };
            let start = if first {
                let (k, t) = self.start_key();
                search(&g, k, t, false)
            } else {
                first_data(&g)
            };
            let mut done = false;
            for off in start..=page::max_offset(&g) {
                let e = data_entry(&g, off);
                if self.above_upper(e.key) {
                    done = true;
                    break;
                }
                if !self.below_lower(e.key) {
                    self.pending.push_back((e.key.to_vec(), e.tid));
                }
            }
            self.next_block = match hikey(&g) {
                Some(h) if !done && !self.above_upper(h.key) => Some(opaque(&g).next),
                _ => None,
            };
        }
    }
}

/// Checks the tree's invariants (for tests and amcheck-like use; run it
/// with no concurrent writers): entries strictly sorted, below the page's
/// high key and not below the left neighbour's, children one level down
/// holding exactly their separator's range. Returns the number of leaf
/// entries.
pub fn verify(pool: &BufferPool, rel: RelId) -> Result<usize, AccessError> {
    let (root, root_level) = read_meta(pool, rel)?;
    let bad = |blk: u32, what: &str| corrupt(rel, &format!("block {blk}: {what}"));
    let mut start = root;
    let mut expect_level = root_level;
    let mut leaf_entries = 0;
    loop {
        let mut blk = start;
        let mut prev_hikey: Option<(Vec<u8>, ItemPointer)> = None;
        let mut first_child = None;
        loop {
            let g = pool.read(rel, blk)?.into_read_lock();
            check(&g, rel, blk)?;
            let o = opaque(&g);
            if o.level != expect_level || (o.level == 0) != is_leaf(&g) {
                return Err(bad(blk, "wrong level"));
            }
            let hk = hikey(&g).map(|h| (h.key.to_vec(), h.tid));
            let (fd, max) = (first_data(&g), page::max_offset(&g));
            let mut last: Option<(Vec<u8>, ItemPointer)> = prev_hikey.clone();
            for off in fd..=max {
                let e = data_entry(&g, off);
                if let Some((lk, lt)) = &last {
                    let c = cmp(e.key, e.tid, lk, *lt);
                    if c == Ordering::Less || (c == Ordering::Equal && off > fd) {
                        return Err(bad(blk, &format!("item {off} out of order")));
                    }
                }
                if let Some((hk, ht)) = &hk {
                    if cmp(e.key, e.tid, hk, *ht) != Ordering::Less {
                        return Err(bad(blk, &format!("item {off} not below the high key")));
                    }
                }
                last = Some((e.key.to_vec(), e.tid));
            }
            if o.level == 0 {
                leaf_entries += (max + 1 - fd) as usize;
            } else {
                if max < fd {
                    return Err(bad(blk, "internal page without items"));
                }
                first_child.get_or_insert(data_entry(&g, fd).child);
                for off in fd..=max {
                    let e = data_entry(&g, off);
                    let bound = if off < max {
                        let n = data_entry(&g, off + 1);
                        Some((n.key.to_vec(), n.tid))
                    } else {
                        hk.clone()
                    };
                    let c = pool.read(rel, e.child)?.into_read_lock();
                    check(&c, rel, e.child)?;
                    if opaque(&c).level + 1 != o.level {
                        return Err(bad(e.child, "child at the wrong level"));
                    }
                    let ch = hikey(&c).map(|h| (h.key.to_vec(), h.tid));
                    if ch != bound {
                        return Err(bad(
                            e.child,
                            "high key differs from the parent's next separator",
                        ));
                    }
                    let cfd = first_data(&c);
                    if cfd <= page::max_offset(&c) {
                        let ce = data_entry(&c, cfd);
                        if cmp(ce.key, ce.tid, e.key, e.tid) == Ordering::Less {
                            return Err(bad(e.child, "entry below its separator"));
                        }
                    }
                }
            }
            prev_hikey = hk;
            if o.next == P_NONE {
                break;
            }
            blk = o.next;
        }
        match first_child {
            Some(c) if expect_level > 0 => {
                start = c;
                expect_level -= 1;
            }
            _ => return Ok(leaf_entries),
        }
    }
}
