//! PostgreSQL-style slotted pages.
//!
//! ```text
//! +----------------+---------------------+ ... free ... +-------+---------+
//! | header (24 B)  | line pointers ->    |              | items | special |
//! +----------------+---------------------+--------------+-------+---------+
//!                  ^ 24               pd_lower     pd_upper  pd_special
//! ```
//!
//! Header: pd_lsn u64, pd_checksum u16, pd_flags u16, pd_lower u16,
//! pd_upper u16, pd_special u16, pd_pagesize_version u16, pd_prune_xid u32
//! (all little-endian). A line pointer is a u32: offset (bits 0..15),
//! flags (bits 15..17: unused/normal/redirect/dead), length (bits 17..32).
//! Item numbers ("offsets") are 1-based, as PostgreSQL's OffsetNumber.
//! A page of zeroes (`pd_upper == 0`) is new: it was added by extending
//! the relation and not yet initialized.

use shmem::buffer::BLCKSZ;

pub type Page = [u8; BLCKSZ];

pub const HEADER_SIZE: usize = 24;
pub const ITEM_ID_SIZE: usize = 4;
const PD_FLAGS: usize = 10;
const PD_LOWER: usize = 12;
const PD_UPPER: usize = 14;
const PD_SPECIAL: usize = 16;
const PD_VERSION: usize = 18;
/// PostgreSQL's layout version 4 with the 8 KiB page size.
const PAGE_VERSION: u16 = BLCKSZ as u16 | 4;

/// pd_flags: some line pointers are dead, their space not yet reclaimed.
pub const PD_HAS_GARBAGE: u16 = 1;
/// pd_flags: some heap tuple got an xmax since the page was last pruned
/// (PostgreSQL keeps pd_prune_xid for this).
pub const PD_PRUNABLE: u16 = 2;

pub const LP_UNUSED: u8 = 0;
pub const LP_NORMAL: u8 = 1;
/// A HOT chain's root whose tuple was pruned: `off` holds the item number
/// of the chain's first live member.
pub const LP_REDIRECT: u8 = 2;
pub const LP_DEAD: u8 = 3;

#[inline]
fn get16(p: &Page, at: usize) -> u16 {
    u16::from_le_bytes([p[at], p[at + 1]])
}

#[inline]
fn put16(p: &mut Page, at: usize, v: u16) {
    p[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// One line pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemId {
    pub off: usize,
    pub flags: u8,
    pub len: usize,
}

impl ItemId {
    fn encode(self) -> u32 {
        self.off as u32 | (self.flags as u32) << 15 | (self.len as u32) << 17
    }

    fn decode(v: u32) -> ItemId {
        ItemId {
            off: (v & 0x7fff) as usize,
            flags: ((v >> 15) & 3) as u8,
            len: (v >> 17) as usize,
        }
    }
}

/// Formats an empty page with `special` bytes of special space.
pub fn init(p: &mut Page, special: usize) {
    p.fill(0);
    put16(p, PD_LOWER, HEADER_SIZE as u16);
    put16(p, PD_UPPER, (BLCKSZ - special) as u16);
    put16(p, PD_SPECIAL, (BLCKSZ - special) as u16);
    put16(p, PD_VERSION, PAGE_VERSION);
}

/// Whether the page was never initialized (all zeroes).
pub fn is_new(p: &Page) -> bool {
    get16(p, PD_UPPER) == 0
}

pub fn lower(p: &Page) -> usize {
    get16(p, PD_LOWER) as usize
}

pub fn upper(p: &Page) -> usize {
    get16(p, PD_UPPER) as usize
}

pub fn special_offset(p: &Page) -> usize {
    get16(p, PD_SPECIAL) as usize
}

pub fn flags(p: &Page) -> u16 {
    get16(p, PD_FLAGS)
}

fn set_flags(p: &mut Page, f: u16) {
    put16(p, PD_FLAGS, f)
}

/// Sets `f` in pd_flags.
pub fn add_flags(p: &mut Page, f: u16) {
    let old = flags(p);
    set_flags(p, old | f);
}

/// Clears `f` in pd_flags.
pub fn clear_flags(p: &mut Page, f: u16) {
    let old = flags(p);
    set_flags(p, old & !f);
}

/// Checks the header fields a corrupt or foreign page would get wrong.
pub fn is_sane(p: &Page) -> bool {
    let (l, u, s) = (lower(p), upper(p), special_offset(p));
    get16(p, PD_VERSION) == PAGE_VERSION && HEADER_SIZE <= l && l <= u && u <= s && s <= BLCKSZ
}

pub fn special(p: &Page) -> &[u8] {
    &p[special_offset(p)..]
}

pub fn special_mut(p: &mut Page) -> &mut [u8] {
    let s = special_offset(p);
    &mut p[s..]
}

/// Number of line pointers (the highest item number).
pub fn max_offset(p: &Page) -> u16 {
    ((lower(p).saturating_sub(HEADER_SIZE)) / ITEM_ID_SIZE) as u16
}

pub fn item_id(p: &Page, off: u16) -> ItemId {
    let at = HEADER_SIZE + (off as usize - 1) * ITEM_ID_SIZE;
    ItemId::decode(u32::from_le_bytes(p[at..at + 4].try_into().unwrap()))
}

fn set_item_id(p: &mut Page, off: u16, id: ItemId) {
    let at = HEADER_SIZE + (off as usize - 1) * ITEM_ID_SIZE;
    p[at..at + 4].copy_from_slice(&id.encode().to_le_bytes());
}

/// The bytes of a normal item, `None` for an unused, dead or out-of-range
/// item number (or a line pointer pointing outside the item area).
pub fn get_item(p: &Page, off: u16) -> Option<&[u8]> {
    if off == 0 || off > max_offset(p) {
        return None;
    }
    let id = item_id(p, off);
    if id.flags != LP_NORMAL || id.off < upper(p) || id.off + id.len > special_offset(p) {
        return None;
    }
    Some(&p[id.off..id.off + id.len])
}

/// Mutable bytes of a normal item.
pub fn get_item_mut(p: &mut Page, off: u16) -> Option<&mut [u8]> {
    get_item(p, off)?;
    let id = item_id(p, off);
    Some(&mut p[id.off..id.off + id.len])
}

/// Contiguous free space left for one more item (after its line pointer).
pub fn free_space(p: &Page) -> usize {
    (upper(p) - lower(p)).saturating_sub(ITEM_ID_SIZE)
}

/// Bytes between the line pointers and the special space not used by
/// normal items (what compaction would leave free).
fn unused_bytes(p: &Page) -> usize {
    let used: usize = (1..=max_offset(p))
        .map(|o| item_id(p, o))
        .filter(|id| id.flags == LP_NORMAL)
        .map(|id| id.len)
        .sum();
    special_offset(p) - lower(p) - used
}

/// Free space for one more item if the page were compacted.
pub fn free_space_after_compaction(p: &Page) -> usize {
    unused_bytes(p).saturating_sub(ITEM_ID_SIZE)
}

/// Adds an item. With `at == None` it gets a new line pointer at the end;
/// with `Some(n)` the line pointers from `n` on move up by one (sorted
/// pages: B-tree). Returns the item number, or `None` if it does not fit.
pub fn add_item(p: &mut Page, data: &[u8], at: Option<u16>) -> Option<u16> {
    if data.len() + ITEM_ID_SIZE > upper(p) - lower(p) {
        return None;
    }
    let max = max_offset(p);
    let off = at.unwrap_or(max + 1);
    assert!(off >= 1 && off <= max + 1, "item number {off} out of range");
    let l = lower(p);
    if off <= max {
        open_line_pointer(p, off);
    }
    put16(p, PD_LOWER, (l + ITEM_ID_SIZE) as u16);
    put_at_upper(p, off, data);
    Some(off)
}

/// Moves line pointers `off..` one slot up, for an item inserted at `off`
/// in a sorted page (`pd_lower` is the caller's to raise). A pure function
/// of the page's bytes: the WAL logs it by name (a B-tree insert would
/// otherwise log every line pointer after the new one).
pub fn open_line_pointer(p: &mut Page, off: u16) {
    shmem::wal::pagelog::note_op(p, WAL_OP_OPEN_LINE_POINTER, &off.to_le_bytes());
    let from = HEADER_SIZE + (off as usize - 1) * ITEM_ID_SIZE;
    let l = lower(p);
    p.copy_within(from..l, from + ITEM_ID_SIZE);
}

/// Removes item `off` entirely: later line pointers move down by one and
/// the item's bytes are reclaimed at once (PostgreSQL's
/// PageIndexTupleDelete; for sorted pages).
pub fn remove_item(p: &mut Page, off: u16) {
    let id = item_id(p, off);
    let (l, u) = (lower(p), upper(p));
    if id.flags == LP_NORMAL && id.len > 0 {
        // Close the gap: everything between upper and the item moves up.
        p.copy_within(u..id.off, u + id.len);
        for o in 1..=max_offset(p) {
            let mut other = item_id(p, o);
            if o != off && other.flags == LP_NORMAL && other.off < id.off {
                other.off += id.len;
                set_item_id(p, o, other);
            }
        }
        put16(p, PD_UPPER, (u + id.len) as u16);
    }
    let from = HEADER_SIZE + off as usize * ITEM_ID_SIZE;
    p.copy_within(from..l, from - ITEM_ID_SIZE);
    put16(p, PD_LOWER, (l - ITEM_ID_SIZE) as u16);
}

/// Marks item `off` dead: its number is kept (index entries may still
/// point at it), its bytes are reclaimed by the next [`compact`].
pub fn mark_dead(p: &mut Page, off: u16) {
    set_line_pointer(p, off, LP_DEAD, 0);
}

/// Marks item `off` unused: nothing refers to it any more, so a later
/// [`add_heap_item`] may give its number to a new tuple.
pub fn mark_unused(p: &mut Page, off: u16) {
    set_line_pointer(p, off, LP_UNUSED, 0);
}

/// Turns item `off` into a redirect to item `target` (its bytes become
/// garbage).
pub fn set_redirect(p: &mut Page, off: u16, target: u16) {
    set_line_pointer(p, off, LP_REDIRECT, target as usize);
}

fn set_line_pointer(p: &mut Page, off: u16, flags: u8, target: usize) {
    set_item_id(
        p,
        off,
        ItemId {
            off: target,
            flags,
            len: 0,
        },
    );
    add_flags(p, PD_HAS_GARBAGE);
}

/// Where redirect `off` points, None if `off` is not a redirect.
pub fn redirect_target(p: &Page, off: u16) -> Option<u16> {
    if off == 0 || off > max_offset(p) {
        return None;
    }
    let id = item_id(p, off);
    (id.flags == LP_REDIRECT).then_some(id.off as u16)
}

/// Adds a heap item, reusing the first unused line pointer if there is
/// one (PostgreSQL's PageAddItem without a target offset).
pub fn add_heap_item(p: &mut Page, data: &[u8]) -> Option<u16> {
    let reuse = (1..=max_offset(p)).find(|&o| item_id(p, o) == ItemId::decode(0));
    let Some(off) = reuse else {
        return add_item(p, data, None);
    };
    if data.len() > upper(p) - lower(p) {
        return None;
    }
    put_at_upper(p, off, data);
    Some(off)
}

/// Copies `data` into the free space just below `pd_upper` and points line
/// pointer `off` at it (the caller checked that it fits).
fn put_at_upper(p: &mut Page, off: u16, data: &[u8]) {
    let u = upper(p) - data.len();
    p[u..u + data.len()].copy_from_slice(data);
    put16(p, PD_UPPER, u as u16);
    set_item_id(
        p,
        off,
        ItemId {
            off: u,
            flags: LP_NORMAL,
            len: data.len(),
        },
    );
}

/// Whether a heap item of `len` bytes fits, reusing an unused line pointer
/// when there is one.
pub fn heap_item_fits(p: &Page, len: usize) -> bool {
    let reuse = (1..=max_offset(p)).any(|o| item_id(p, o) == ItemId::decode(0));
    if reuse {
        len <= upper(p) - lower(p)
    } else {
        len + ITEM_ID_SIZE <= upper(p) - lower(p)
    }
}

/// Replaces the bytes of normal item `off`, keeping its number: in place
/// if the new bytes are no longer, else in new space on the page
/// (compacting it if needed). Returns false if they do not fit.
pub fn replace_item(p: &mut Page, off: u16, data: &[u8]) -> bool {
    let id = item_id(p, off);
    if id.flags != LP_NORMAL {
        return false;
    }
    if data.len() <= id.len {
        p[id.off..id.off + data.len()].copy_from_slice(data);
        if data.len() < id.len {
            let f = flags(p);
            set_flags(p, f | PD_HAS_GARBAGE);
        }
        set_item_id(
            p,
            off,
            ItemId {
                len: data.len(),
                ..id
            },
        );
        return true;
    }
    // The old bytes become garbage once the pointer moves.
    let room = upper(p) - lower(p);
    if data.len() > room {
        if unused_bytes(p) + id.len < data.len() {
            return false;
        }
        set_item_id(p, off, ItemId { len: 0, ..id });
        compact(p);
        if data.len() > upper(p) - lower(p) {
            return false; // cannot happen: checked above
        }
    }
    put_at_upper(p, off, data);
    let f = flags(p);
    set_flags(p, f | PD_HAS_GARBAGE);
    true
}

/// The ids of [`compact`] and [`open_line_pointer`] among the WAL's page
/// operations.
pub const WAL_OP_COMPACT: u8 = 1;
pub const WAL_OP_OPEN_LINE_POINTER: u8 = 2;

/// Registers the page operations the WAL logs by name (the postmaster,
/// before recovery and before any backend exists).
pub fn register_wal_ops() {
    shmem::wal::pagelog::register_op(WAL_OP_COMPACT, |p, _| {
        compact(p);
        Some(())
    });
    shmem::wal::pagelog::register_op(WAL_OP_OPEN_LINE_POINTER, |p, args| {
        let off = u16::from_le_bytes(args.try_into().ok()?);
        (off >= 1 && off <= max_offset(p)).then(|| open_line_pointer(p, off))
    });
}

/// Moves the normal items together at the end of the page, reclaiming the
/// space of dead and shrunk ones; item numbers do not change. A pure
/// function of the page's bytes: the WAL logs it by name and replay runs
/// it again.
pub fn compact(p: &mut Page) {
    shmem::wal::pagelog::note_op(p, WAL_OP_COMPACT, &[]);
    let old = *p;
    let mut u = special_offset(p);
    for o in 1..=max_offset(p) {
        let mut id = item_id(p, o);
        if id.flags != LP_NORMAL {
            continue;
        }
        u -= id.len;
        p[u..u + id.len].copy_from_slice(&old[id.off..id.off + id.len]);
        id.off = u;
        set_item_id(p, o, id);
    }
    put16(p, PD_UPPER, u as u16);
    let f = flags(p);
    set_flags(p, f & !PD_HAS_GARBAGE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn add_get_remove() {
        let mut p = [0u8; BLCKSZ];
        assert!(is_new(&p));
        init(&mut p, 16);
        assert!(!is_new(&p) && is_sane(&p));
        assert_eq!(special(&p).len(), 16);
        assert_eq!(add_item(&mut p, b"bbb", None), Some(1));
        assert_eq!(add_item(&mut p, b"a", Some(1)), Some(1));
        assert_eq!(add_item(&mut p, b"cc", None), Some(3));
        assert_eq!(get_item(&p, 1), Some(&b"a"[..]));
        assert_eq!(get_item(&p, 2), Some(&b"bbb"[..]));
        remove_item(&mut p, 2);
        assert_eq!(max_offset(&p), 2);
        assert_eq!(get_item(&p, 2), Some(&b"cc"[..]));
        assert_eq!(get_item(&p, 1), Some(&b"a"[..]));
        assert_eq!(
            free_space(&p),
            BLCKSZ - 16 - HEADER_SIZE - 3 - 3 * ITEM_ID_SIZE
        );
        assert_eq!(get_item(&p, 3), None);
        assert_eq!(get_item(&p, 0), None);
    }

    /// Random adds, dead marks, replacements and compactions against a
    /// model of the live items.
    #[test]
    fn random_ops_match_a_model() {
        let mut rng = StdRng::seed_from_u64(7);
        for _round in 0..50 {
            let mut p = [0u8; BLCKSZ];
            init(&mut p, 0);
            let mut model: Vec<Option<Vec<u8>>> = Vec::new();
            for _ in 0..400 {
                let len = rng.gen_range(0..300);
                let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                match rng.gen_range(0..4) {
                    0 | 1 => {
                        let fits = data.len() + ITEM_ID_SIZE <= upper(&p) - lower(&p);
                        let r = add_item(&mut p, &data, None);
                        assert_eq!(r.is_some(), fits);
                        if let Some(o) = r {
                            assert_eq!(o as usize, model.len() + 1);
                            model.push(Some(data));
                        } else if unused_bytes(&p) >= data.len() + ITEM_ID_SIZE {
                            compact(&mut p);
                            let o = add_item(&mut p, &data, None).unwrap();
                            assert_eq!(o as usize, model.len() + 1);
                            model.push(Some(data));
                        }
                    }
                    2 if !model.is_empty() => {
                        let o = rng.gen_range(1..=model.len());
                        if model[o - 1].is_some() {
                            mark_dead(&mut p, o as u16);
                            model[o - 1] = None;
                        }
                    }
                    _ if !model.is_empty() => {
                        let o = rng.gen_range(1..=model.len());
                        if model[o - 1].is_some() && replace_item(&mut p, o as u16, &data) {
                            model[o - 1] = Some(data);
                        }
                    }
                    _ => {}
                }
                assert!(
                    is_sane(&p),
                    "lower {} upper {} special {} ver {}",
                    lower(&p),
                    upper(&p),
                    special_offset(&p),
                    get16(&p, PD_VERSION)
                );
                for (i, m) in model.iter().enumerate() {
                    assert_eq!(get_item(&p, i as u16 + 1), m.as_deref());
                }
            }
        }
    }
}
