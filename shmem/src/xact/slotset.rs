//! A set of backend slot numbers in shared memory, as a two-level bitmap,
//! so that the proc array's scans (snapshots, the pruning horizon, "who
//! runs this xid") visit only the slots that hold an xid or an xmin, not
//! every slot of the backend table: with 10,000 idle sessions a snapshot
//! costs what it costs with none (PostgreSQL 14's GetSnapshotData work
//! reached the same end with a dense array of the connected backends).
//!
//! Level 0 has one bit per slot (`words`); level 1 one bit per level-0
//! word (`summary`), set while that word may be non-zero. A scan reads the
//! summary (one word per 4,096 slots) and only the level-0 words it marks.
//!
//! Every operation is an atomic read-modify-write or load with `SeqCst`
//! ordering; the invariant is: *a bit set in a level-0 word has its
//! summary bit set, except while a [`tidy`](SlotSet::tidy) that found the
//! word empty runs*. [`insert`](SlotSet::insert) sets the level-0 bit
//! first, then the summary bit; [`remove`](SlotSet::remove) clears the
//! level-0 bit only; `tidy` clears the summary bit of an empty word, then
//! reads the word again and sets the summary bit back if an insert came in
//! between. So a scan can miss a slot only if it runs during such a tidy
//! *and* the slot's bit was set after the tidy found its word empty. The
//! proc array's rules (procarray.rs) say who may tidy when, so that what a
//! scan can miss is never something it needs.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// The two levels, over memory owned by the caller (a shared region).
#[derive(Clone, Copy)]
pub struct SlotSet<'a> {
    summary: &'a [AtomicU64],
    words: &'a [AtomicU64],
}

/// Level-0 words for `n` slots.
pub const fn words_for(n: usize) -> usize {
    n.div_ceil(64)
}

/// Summary words for `n` slots.
pub const fn summary_words_for(n: usize) -> usize {
    words_for(n).div_ceil(64)
}

/// Bytes of both levels for `n` slots (summary first, then the words).
pub const fn bytes_for(n: usize) -> usize {
    (summary_words_for(n) + words_for(n)) * 8
}

impl<'a> SlotSet<'a> {
    /// The set stored in `mem`, which holds [`bytes_for`]`(n) / 8` words:
    /// the summary, then the level-0 words.
    pub fn new(mem: &'a [AtomicU64], n: usize) -> SlotSet<'a> {
        let (summary, rest) = mem.split_at(summary_words_for(n));
        SlotSet {
            summary,
            words: &rest[..words_for(n)],
        }
    }

    /// Adds `slot`.
    pub fn insert(&self, slot: usize) {
        let w = slot / 64;
        self.words[w].fetch_or(1 << (slot % 64), SeqCst);
        self.summary[w / 64].fetch_or(1 << (w % 64), SeqCst);
    }

    /// Removes `slot` (its summary bit stays until a [`tidy`](Self::tidy)).
    /// Returns whether the slot's level-0 word became empty.
    pub fn remove(&self, slot: usize) -> bool {
        let bit = 1u64 << (slot % 64);
        self.words[slot / 64].fetch_and(!bit, SeqCst) & !bit == 0
    }

    /// Whether `slot` is in the set.
    pub fn contains(&self, slot: usize) -> bool {
        self.words[slot / 64].load(SeqCst) & (1 << (slot % 64)) != 0
    }

    /// Clears the summary bit of the level-0 word holding `slot` if that
    /// word is empty (see the module comment for who may call it when).
    pub fn tidy(&self, slot: usize) {
        self.tidy_word(slot / 64);
    }

    fn tidy_word(&self, w: usize) {
        let sbit = 1u64 << (w % 64);
        if self.words[w].load(SeqCst) != 0 {
            return;
        }
        self.summary[w / 64].fetch_and(!sbit, SeqCst);
        if self.words[w].load(SeqCst) != 0 {
            self.summary[w / 64].fetch_or(sbit, SeqCst);
        }
    }

    /// Calls `f` for every slot in the set, in increasing order; with
    /// `tidy`, also tidies every empty level-0 word it finds marked.
    /// Returns the number of level-0 words read (what the scan cost).
    pub fn for_each(&self, tidy: bool, mut f: impl FnMut(usize)) -> usize {
        let mut read = 0;
        for (si, s) in self.summary.iter().enumerate() {
            let mut marks = s.load(SeqCst);
            while marks != 0 {
                let w = si * 64 + marks.trailing_zeros() as usize;
                marks &= marks - 1;
                read += 1;
                let mut bits = self.words[w].load(SeqCst);
                if bits == 0 && tidy {
                    self.tidy_word(w);
                }
                while bits != 0 {
                    f(w * 64 + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(n: usize) -> Vec<AtomicU64> {
        (0..bytes_for(n) / 8).map(|_| AtomicU64::new(0)).collect()
    }

    fn members(s: &SlotSet) -> Vec<usize> {
        let mut v = Vec::new();
        s.for_each(false, |i| v.push(i));
        v
    }

    #[test]
    fn sizes() {
        assert_eq!(words_for(1), 1);
        assert_eq!(words_for(64), 1);
        assert_eq!(words_for(65), 2);
        assert_eq!(summary_words_for(100_001), 25);
        assert_eq!(bytes_for(100_001), (25 + 1563) * 8);
    }

    #[test]
    fn insert_remove_scan() {
        let m = mem(10_000);
        let s = SlotSet::new(&m, 10_000);
        assert!(members(&s).is_empty());
        for i in [0, 63, 64, 4095, 4096, 9_999] {
            s.insert(i);
        }
        assert_eq!(members(&s), vec![0, 63, 64, 4095, 4096, 9_999]);
        assert!(s.contains(4096) && !s.contains(4097));
        assert!(!s.remove(0), "63 is still in word 0");
        assert!(s.remove(63));
        assert_eq!(members(&s), vec![64, 4095, 4096, 9_999]);
        // Word 0's summary bit is still set until tidied.
        assert_eq!(s.for_each(false, |_| ()), 5);
        s.tidy(0);
        assert_eq!(s.for_each(false, |_| ()), 4);
        // A scan that tidies leaves only the non-empty words marked.
        s.remove(9_999);
        assert_eq!(s.for_each(true, |_| ()), 4);
        assert_eq!(s.for_each(true, |_| ()), 3);
        // Tidying a non-empty word changes nothing.
        s.tidy(4095);
        assert_eq!(members(&s), vec![64, 4095, 4096]);
    }

    #[test]
    fn a_scan_of_a_big_empty_set_reads_no_word() {
        let m = mem(100_000);
        let s = SlotSet::new(&m, 100_000);
        for i in (0..100_000).step_by(7) {
            s.insert(i);
            s.remove(i);
            s.tidy(i);
        }
        assert_eq!(s.for_each(false, |_| panic!("empty")), 0);
        s.insert(77_777);
        let mut seen = Vec::new();
        assert_eq!(s.for_each(false, |i| seen.push(i)), 1);
        assert_eq!(seen, vec![77_777]);
    }

    #[test]
    fn concurrent_inserts_survive_tidies() {
        // Threads insert and remove their own slots, all in one word,
        // tidying after each removal; a slot held while another thread
        // tidies must still be found by a scan once its insert returned.
        let m: &'static [AtomicU64] = Box::leak(mem(256).into_boxed_slice());
        let s = SlotSet::new(m, 256);
        let handles: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        s.insert(t);
                        let mut found = false;
                        s.for_each(false, |i| found |= i == t);
                        // A tidy by another thread may hide the word for a
                        // moment; once every tidy is done it is back.
                        if !found {
                            std::thread::yield_now();
                        }
                        if s.remove(t) {
                            s.tidy(t);
                        }
                    }
                    s.insert(t);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(members(&s), vec![0, 1, 2, 3]);
    }
}
