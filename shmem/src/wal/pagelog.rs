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
//! Replay applies records in order to the page as it is on disk. That is
//! right even if the disk copy is newer than a delta (a later delta sets
//! the same bytes again) because every change after the redo point is in
//! the WAL and every page changed before it was written by the checkpoint.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use super::record::{Cursor, Kind, Record};
use super::{Wal, WalError};
use crate::buffer::{BlockNumber, RelId, BLCKSZ};
use crate::lwlock::LockMode;

pub type Page = [u8; BLCKSZ];

const MODE_DELTA: u8 = 0;
const MODE_IMAGE: u8 = 1;
/// Differing words closer than this are sent as one range (a range costs
/// 4 bytes of header).
const MERGE_GAP_WORDS: usize = 2;

thread_local! {
    static SPARE: RefCell<Vec<Box<Page>>> = const { RefCell::new(Vec::new()) };
    static REC: RefCell<Option<Record>> = const { RefCell::new(None) };
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
    /// A copy of the page, for a delta.
    Copy(Box<Page>),
}

impl Wal {
    /// At a write lock's acquisition: what to keep of `page`.
    pub fn before_change(&self, page: &Page) -> Before {
        if !self.is_logging() {
            return Before::Off;
        }
        if page_lsn(page) < self.redo_ptr() {
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
        let copy = match before {
            Before::Off => return Ok(()),
            Before::Image => None,
            Before::Copy(b) => Some(b),
        };
        let r = REC.with(|r| {
            let mut slot = r.borrow_mut();
            let rec = slot.get_or_insert_with(|| Record::new(Kind::Page, 0));
            let _g = self.hdr.insert_lock.0.lock(LockMode::Shared);
            // The redo point cannot move while we hold the insertion lock.
            let image = copy.as_ref().is_none_or(|b| page_lsn(b) < self.redo_ptr());
            rec.reset(Kind::Page, 0);
            rec.put_u32(rel).put_u32(block);
            if image {
                rec.put_u8(MODE_IMAGE).put_bytes(&page[..]);
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
            SPARE.with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < 8 {
                    s.push(b);
                }
            });
        }
        r
    }

    /// Logs a change made without a before-image (the whole page).
    pub fn log_image(
        &self,
        rel: RelId,
        block: BlockNumber,
        page: &mut Page,
    ) -> Result<(), WalError> {
        self.log_change(rel, block, Before::Image, page)
    }
}

/// Appends the ranges where `after` differs from `before` (skipping the
/// LSN); false if nothing differs.
fn encode_delta(rec: &mut Record, before: &Page, after: &Page) -> bool {
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
    if ranges.is_empty() {
        return false;
    }
    rec.put_u8(MODE_DELTA).put_u16(ranges.len() as u16);
    for (s, e) in ranges {
        rec.put_u16(s as u16)
            .put_u16((e - s) as u16)
            .put_bytes(&after[s..e]);
    }
    true
}

/// A page record, decoded: which page, and how to change it.
pub struct PageChange<'a> {
    pub rel: RelId,
    pub block: BlockNumber,
    body: &'a [u8],
    image: bool,
}

impl<'a> PageChange<'a> {
    pub fn parse(payload: &'a [u8]) -> Option<PageChange<'a>> {
        let mut c = Cursor::new(payload);
        let rel = c.u32()?;
        let block = c.u32()?;
        let image = match c.u8()? {
            MODE_IMAGE => true,
            MODE_DELTA => false,
            _ => return None,
        };
        Some(PageChange {
            rel,
            block,
            body: c.rest(),
            image,
        })
    }

    pub fn is_image(&self) -> bool {
        self.image
    }

    /// Applies the change to `page` and sets its LSN to `end`; `None` if the
    /// record is malformed.
    pub fn apply(&self, page: &mut Page, end: u64) -> Option<()> {
        if self.image {
            if self.body.len() != BLCKSZ {
                return None;
            }
            page.copy_from_slice(self.body);
        } else {
            let mut c = Cursor::new(self.body);
            for _ in 0..c.u16()? {
                let off = c.u16()? as usize;
                let len = c.u16()? as usize;
                let b = c.bytes(len)?;
                page.get_mut(off..off + len)?.copy_from_slice(b);
            }
        }
        set_page_lsn(page, end);
        Some(())
    }
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
}
