//! Page changes, logged by the buffer manager's write guards (PostgreSQL's
//! generic WAL, `generic_xlog.c`, applied to every page).
//!
//! Every change to a page happens under its exclusive content lock. When
//! the lock is taken, the guard keeps a copy of the page (unless the page
//! will be logged whole anyway); when it is released, the record is the
//! byte ranges that differ from the copy — or the whole page if the page's
//! LSN is older than the current redo point (its first change since the
//! checkpoint began: a torn write of it is then repaired by replay). The
//! record's end goes into the page's LSN (bytes 0..8, PostgreSQL's
//! `pd_lsn`) before the lock is released, so the buffer manager can flush
//! the WAL that far before writing the page (the WAL rule).
//!
//! A change made by a registered page operation (compaction, which moves
//! every tuple of the page; opening a line pointer slot, which shifts the
//! array after it) is logged as a delta to the state just before the
//! operation, the operation's id and arguments, and a delta from its
//! result to the final page; replay runs the operation again. The first
//! change of a new page (all zeroes) is logged as "zero it, then these
//! bytes", which, like a whole image, does not depend on what the disk
//! holds. The operation is a pure
//! function of the page's bytes, and replay reproduces the page byte for
//! byte, so running it again gives the same result.
//!
//! Replay restores a whole-page image unconditionally and applies any
//! other record only to a page whose LSN is older than the record's end
//! (PostgreSQL's rule). The first record of every page after the redo
//! point is its whole image, so from there on the page replays exactly the
//! states the live page went through.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use super::record::{Cursor, Kind, Record};
use super::{Wal, WalError};
use crate::buffer::{BlockNumber, RelId, BLCKSZ};
use crate::lwlock::LockMode;

pub type Page = [u8; BLCKSZ];

const MODE_DELTA: u8 = 0;
const MODE_IMAGE: u8 = 1;
/// A delta to the state just before a registered operation, the
/// operation's id, and a delta from its result to the final page.
const MODE_OP: u8 = 2;
/// The page was all zeroes (new): zero it, then apply a delta
/// (PostgreSQL's XLOG_HEAP_INIT_PAGE); as safe as a whole image.
const MODE_INIT: u8 = 3;
/// A page of zeroes, to diff a new page against.
static ZERO_PAGE: Page = [0u8; BLCKSZ];
/// Differing words closer than this are sent as one range (a range costs
/// 4 bytes of header).
const MERGE_GAP_WORDS: usize = 2;

thread_local! {
    static SPARE: RefCell<Vec<Box<Page>>> = const { RefCell::new(Vec::new()) };
    static REC: RefCell<Option<Record>> = const { RefCell::new(None) };
    /// The page state just before a registered operation ran on a page
    /// under this thread's write guard (see [`note_op`]).
    static NOTED: RefCell<Option<Noted>> = const { RefCell::new(None) };
}

/// A deterministic operation on a whole page that the access methods
/// register (page compaction, opening a slot in the line pointer array):
/// logged by its id and arguments instead of by the bytes it moved, and
/// run again by replay. Returns `None` for malformed arguments.
pub type PageOp = fn(&mut Page, &[u8]) -> Option<()>;

/// Longest argument list of an operation.
const MAX_OP_ARGS: usize = 8;

/// Registered operations, by id (1-based).
static OPS: [std::sync::OnceLock<PageOp>; 4] = [const { std::sync::OnceLock::new() }; 4];

/// Registers operation `id` (1..=4). The postmaster does it before any
/// backend exists (so forked backends inherit it) and before recovery
/// replays records that name it.
pub fn register_op(id: u8, op: PageOp) {
    if let Some(slot) = OPS.get((id as usize).wrapping_sub(1)) {
        let _ = slot.set(op);
    }
}

fn op(id: u8) -> Option<PageOp> {
    OPS.get((id as usize).wrapping_sub(1))?.get().copied()
}

struct Noted {
    page: usize,
    id: u8,
    args: [u8; MAX_OP_ARGS],
    nargs: u8,
    /// False once a second operation ran on the page under the same lock:
    /// the change is then logged as a plain delta.
    usable: bool,
    before: Box<Page>,
}

/// Called by a registered operation `id` as it starts on `page`, with its
/// arguments: keeps the page's state, so that the write guard releasing
/// `page` can log "delta to this state, operation `id` with `args`, delta
/// to the end" instead of every byte the operation moved. Does nothing
/// unless the operation is registered.
pub fn note_op(page: &Page, id: u8, args: &[u8]) {
    if op(id).is_none() || args.len() > MAX_OP_ARGS {
        return;
    }
    let mut a = [0u8; MAX_OP_ARGS];
    a[..args.len()].copy_from_slice(args);
    let addr = page.as_ptr() as usize;
    NOTED.with(|n| {
        let mut n = n.borrow_mut();
        match n.as_mut() {
            Some(x) if x.page == addr => x.usable = false,
            _ => {
                let mut b = SPARE
                    .with(|s| s.borrow_mut().pop())
                    .unwrap_or_else(|| Box::new([0u8; BLCKSZ]));
                b.copy_from_slice(page);
                if let Some(old) = n.replace(Noted {
                    page: addr,
                    id,
                    args: a,
                    nargs: args.len() as u8,
                    usable: true,
                    before: b,
                }) {
                    spare(old.before);
                }
            }
        }
    });
}

/// The noted operation on `page`, if one ran under this write lock.
fn take_noted(page: &Page) -> Option<Noted> {
    let addr = page.as_ptr() as usize;
    let n = NOTED.with(|n| n.borrow_mut().take())?;
    if n.page == addr && n.usable {
        Some(n)
    } else {
        spare(n.before);
        None
    }
}

fn spare(b: Box<Page>) {
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < 8 {
            s.push(b);
        }
    });
}

/// The LSN stored in a page.
#[inline]
pub fn page_lsn(p: &Page) -> u64 {
    u64::from_le_bytes(p[0..8].try_into().unwrap_or_default())
}

#[inline]
pub fn set_page_lsn(p: &mut Page, lsn: u64) {
    p[0..8].copy_from_slice(&lsn.to_le_bytes());
}

/// What a write guard keeps from lock time.
pub enum Before {
    /// Not logging (no WAL yet, or recovery replaying it).
    Off,
    /// The page will be logged whole.
    Image,
    /// The page is new (all zeroes): logged as "zero it, then these
    /// bytes".
    Zero,
    /// A copy of the page, for a delta.
    Copy(Box<Page>),
}

impl Wal {
    /// At a write lock's acquisition: what to keep of `page`.
    pub fn before_change(&self, page: &Page) -> Before {
        if !self.is_logging() {
            return Before::Off;
        }
        // A note left by an operation on a page no guard logged (a scratch
        // copy) must not be taken for this page's.
        if let Some(n) = NOTED.with(|n| n.borrow_mut().take()) {
            spare(n.before);
        }
        // A page last changed at or before the redo point is logged whole
        // (PostgreSQL's `page_lsn <= RedoRecPtr`): no record after the redo
        // point describes it yet.
        if page_lsn(page) <= self.redo_ptr() {
            if page_lsn(page) == 0 && page[..] == ZERO_PAGE[..] {
                return Before::Zero;
            }
            return Before::Image;
        }
        let mut b = SPARE
            .with(|s| s.borrow_mut().pop())
            .unwrap_or_else(|| Box::new([0u8; BLCKSZ]));
        b.copy_from_slice(page);
        Before::Copy(b)
    }

    /// At a write lock's release: logs the change from `before` to `page`
    /// and stores the record's end as the page's LSN.
    pub fn log_change(
        &self,
        rel: RelId,
        block: BlockNumber,
        before: Before,
        page: &mut Page,
    ) -> Result<(), WalError> {
        let (copy, zero) = match before {
            Before::Off => return Ok(()),
            Before::Image => (None, false),
            Before::Zero => (None, true),
            Before::Copy(b) => (Some(b), false),
        };
        let r = REC.with(|r| {
            let mut slot = r.borrow_mut();
            let rec = slot.get_or_insert_with(|| Record::new(Kind::Page, 0));
            let _g = self.hdr.insert_lock.0.lock(LockMode::Shared);
            // The redo point cannot move while we hold the insertion lock.
            let image = !zero && copy.as_ref().is_none_or(|b| page_lsn(b) <= self.redo_ptr());
            rec.reset(Kind::Page, 0);
            rec.put_u32(rel).put_u32(block);
            let noted = take_noted(page);
            if zero {
                // Whatever happened under the lock, from zeroes.
                if let Some(n) = noted {
                    spare(n.before);
                }
                rec.put_u8(MODE_INIT);
                put_ranges(rec, &ZERO_PAGE, page);
            } else if image {
                rec.put_u8(MODE_IMAGE).put_bytes(&page[..]);
            } else if let Some(n) = noted.filter(|_| copy.is_some()) {
                let before = copy.as_deref().unwrap_or(page);
                let ok = encode_op(rec, before, &n, page);
                spare(n.before);
                if !ok {
                    rec.reset(Kind::Page, 0);
                    rec.put_u32(rel).put_u32(block);
                    if !encode_delta(rec, before, page) {
                        return Ok(());
                    }
                }
            } else if !encode_delta(rec, copy.as_deref().unwrap_or(page), page) {
                return Ok(());
            }
            let (_, end) = self.insert_locked(rec)?;
            set_page_lsn(page, end);
            if image {
                self.hdr.stats.fpi.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
        if let Some(b) = copy {
            spare(b);
        }
        r
    }
}

/// Appends "delta to the state before the noted operation, its id, delta
/// from its result to `after`"; false (and nothing usable appended) if
/// that is not smaller than a plain delta, or the operation is unknown.
fn encode_op(rec: &mut Record, before: &Page, n: &Noted, after: &Page) -> bool {
    let Some(f) = op(n.id) else {
        return false;
    };
    let mut scratch = SPARE
        .with(|s| s.borrow_mut().pop())
        .unwrap_or_else(|| Box::new([0u8; BLCKSZ]));
    scratch.copy_from_slice(&n.before[..]);
    let args = &n.args[..n.nargs as usize];
    if f(&mut scratch, args).is_none() {
        spare(scratch);
        return false;
    }
    let start = rec.payload_len();
    rec.put_u8(MODE_OP)
        .put_u8(n.id)
        .put_u8(n.nargs)
        .put_bytes(args);
    put_ranges(rec, before, &n.before);
    put_ranges(rec, &scratch, after);
    spare(scratch);
    let op_len = rec.payload_len() - start;
    // Worth it only if smaller than the plain delta.
    let mut plain = Record::new(Kind::Page, 0);
    encode_delta(&mut plain, before, after) && plain.payload_len() > op_len
}

/// Appends the ranges where `after` differs from `before` (skipping the
/// LSN); false if nothing differs.
fn encode_delta(rec: &mut Record, before: &Page, after: &Page) -> bool {
    rec.put_u8(MODE_DELTA);
    put_ranges(rec, before, after) > 0
}

/// Appends a count and the ranges where `after` differs from `before`
/// (skipping the LSN); returns the count.
fn put_ranges(rec: &mut Record, before: &Page, after: &Page) -> usize {
    const W: usize = 8;
    let word = |p: &Page, i: usize| -> u64 {
        u64::from_ne_bytes(p[i * W..i * W + W].try_into().unwrap_or_default())
    };
    let n = BLCKSZ / W;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut i = 1;
    while i < n {
        if word(before, i) == word(after, i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        let mut j = end;
        while j < n && j - end <= MERGE_GAP_WORDS {
            if word(before, j) != word(after, j) {
                end = j + 1;
            }
            j += 1;
        }
        ranges.push((start * W, end * W));
        i = end;
    }
    rec.put_u16(ranges.len() as u16);
    for &(s, e) in &ranges {
        rec.put_u16(s as u16)
            .put_u16((e - s) as u16)
            .put_bytes(&after[s..e]);
    }
    ranges.len()
}

/// A page record, decoded: which page, and how to change it.
pub struct PageChange<'a> {
    pub rel: RelId,
    pub block: BlockNumber,
    body: &'a [u8],
    mode: u8,
}

impl<'a> PageChange<'a> {
    pub fn parse(payload: &'a [u8]) -> Option<PageChange<'a>> {
        let mut c = Cursor::new(payload);
        let rel = c.u32()?;
        let block = c.u32()?;
        let mode = c.u8()?;
        if mode > MODE_INIT {
            return None;
        }
        Some(PageChange {
            rel,
            block,
            body: c.rest(),
            mode,
        })
    }

    /// A whole image, or a new page's contents: replay restores it
    /// whatever the page on disk holds.
    pub fn is_image(&self) -> bool {
        self.mode == MODE_IMAGE || self.mode == MODE_INIT
    }

    /// Applies the change to `page` and sets its LSN to `end`; `None` if the
    /// record is malformed.
    /// Applies the change to `page` and sets its LSN to `end`; `None` if the
    /// record is malformed or names an operation nobody registered.
    pub fn apply(&self, page: &mut Page, end: u64) -> Option<()> {
        let mut c = Cursor::new(self.body);
        match self.mode {
            MODE_IMAGE => {
                if self.body.len() != BLCKSZ {
                    return None;
                }
                page.copy_from_slice(self.body);
            }
            MODE_DELTA => apply_ranges(&mut c, page)?,
            MODE_INIT => {
                page.fill(0);
                apply_ranges(&mut c, page)?;
            }
            _ => {
                let f = op(c.u8()?)?;
                let nargs = c.u8()? as usize;
                let args = c.bytes(nargs)?;
                apply_ranges(&mut c, page)?;
                f(page, args)?;
                apply_ranges(&mut c, page)?;
            }
        }
        set_page_lsn(page, end);
        Some(())
    }
}

fn apply_ranges(c: &mut Cursor<'_>, page: &mut Page) -> Option<()> {
    for _ in 0..c.u16()? {
        let off = c.u16()? as usize;
        let len = c.u16()? as usize;
        let b = c.bytes(len)?;
        page.get_mut(off..off + len)?.copy_from_slice(b);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wal::record::{crc_ok, parse_header, HEADER_LEN};

    #[test]
    fn delta_reproduces_the_change() {
        let mut before = [0u8; BLCKSZ];
        for (i, b) in before.iter_mut().enumerate() {
            *b = (i * 7) as u8;
        }
        let mut after = before;
        after[100] ^= 1;
        after[104..140].fill(9);
        after[8000] = 1;
        after[3] = 0xAA; // in the LSN: never part of a delta
        let mut rec = Record::new(Kind::Page, 0);
        rec.put_u32(5).put_u32(6);
        assert!(encode_delta(&mut rec, &before, &after));
        rec.seal(64);
        let b = rec.bytes().to_vec();
        let h = parse_header(b[..HEADER_LEN].try_into().unwrap(), 64).unwrap();
        assert!(crc_ok(&h, &b));
        let ch = PageChange::parse(&b[HEADER_LEN..]).unwrap();
        assert_eq!((ch.rel, ch.block, ch.is_image()), (5, 6, false));
        // Two ranges: 96..144 (merged) and 8000..8008.
        assert!(b.len() < HEADER_LEN + 9 + 2 + 4 + 48 + 4 + 8 + 1);
        let mut page = before;
        ch.apply(&mut page, 999).unwrap();
        assert_eq!(page_lsn(&page), 999);
        assert_eq!(page[8..], after[8..]);
        let mut same = Record::new(Kind::Page, 0);
        assert!(!encode_delta(&mut same, &before, &before));
    }

    /// A stand-in for compaction: moves half the page, to where the
    /// argument says.
    fn shift(p: &mut Page, args: &[u8]) -> Option<()> {
        let to = u16::from_le_bytes(args.try_into().ok()?) as usize;
        p.copy_within(4096..8000, to);
        Some(())
    }

    #[test]
    fn an_operation_is_logged_by_name_and_replayed() {
        register_op(4, shift);
        let mut before = [0u8; BLCKSZ];
        for (i, b) in before.iter_mut().enumerate() {
            *b = (i * 31 % 251) as u8;
        }
        // Changes, then the operation, then more changes.
        let mut mid = before;
        mid[5000..5016].fill(7);
        let mut after = mid;
        shift(&mut after, &200u16.to_le_bytes());
        after[60..64].fill(1);
        let mut args = [0u8; MAX_OP_ARGS];
        args[..2].copy_from_slice(&200u16.to_le_bytes());
        let noted = Noted {
            page: 0,
            id: 4,
            args,
            nargs: 2,
            usable: true,
            before: Box::new(mid),
        };
        let mut rec = Record::new(Kind::Page, 0);
        rec.put_u32(1).put_u32(2);
        assert!(encode_op(&mut rec, &before, &noted, &after));
        let mut plain = Record::new(Kind::Page, 0);
        assert!(encode_delta(&mut plain, &before, &after));
        assert!(
            rec.payload_len() * 10 < plain.payload_len(),
            "{} vs {}",
            rec.payload_len(),
            plain.payload_len()
        );
        rec.seal(8);
        let b = rec.bytes().to_vec();
        let ch = PageChange::parse(&b[HEADER_LEN..]).unwrap();
        let mut page = before;
        ch.apply(&mut page, 77).unwrap();
        assert_eq!(page[8..], after[8..]);
        assert_eq!(page_lsn(&page), 77);
    }
}
