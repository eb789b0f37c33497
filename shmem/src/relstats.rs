//! Per-table statistics: the counters of PostgreSQL's
//! `pg_stat_user_tables` (scans, tuples inserted/updated/deleted, live and
//! dead tuple estimates, vacuums), server-wide, in shared memory.
//!
//! A backend counts what one transaction does in its own
//! [`PendingRelStats`] (plain memory, no shared writes) and adds it to the
//! shared table when the transaction ends, with [`PendingRelStats::flush`],
//! as PostgreSQL's pgstat does. The shared table is a fixed array of
//! [`CAPACITY`] rows, one per relation, found by open addressing on the
//! relation's OID. Counters are `AtomicU64`s updated with relaxed
//! read-modify-writes; a reader sees each counter exact but the row not as
//! one snapshot.
//!
//! Finding a relation's row takes no lock: probe from its home slot until
//! its key or a never-used row. Claiming a row for a relation seen for the
//! first time, and freeing a row ([`forget`]), happen under the table's
//! LWLock, which makes sure that a relation has at most one row even though
//! freed rows are reused. Keys only ever go from never-used to a relation,
//! and between a relation and freed, so a lock-free probe never stops short
//! of a row that was already there. When every row is taken, counts of
//! further relations are dropped (and counted in
//! [`RelStatsTable::dropped`]).
//!
//! A backend should flush before it releases its transaction's locks, so
//! that no flush for a relation races with the relation's DROP ([`forget`]):
//! one that did could add its counts to whichever relation reuses the row.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::lwlock::{LWLock, LockMode};
use crate::segment::{region, Segment, SegmentConfig};
use rustc_hash::FxHashMap;

const CAPACITY_BITS: u32 = 12;
/// Relations that can have statistics at once.
pub const CAPACITY: usize = 1 << CAPACITY_BITS;
/// Key of a row never used: a probe ends there.
const EMPTY: u64 = 0;
/// Key of a row freed by [`forget`]: probes go past it; it may be reused.
const FREED: u64 = u64::MAX;

macro_rules! rel_counters {
    ($($(#[$m:meta])* $f:ident),* $(,)?) => {
        /// One relation's counters (`pg_stat_user_tables`' numbers).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct RelCounts {
            $($(#[$m])* pub $f: u64,)*
        }

        /// One relation's row in shared memory.
        #[repr(C, align(128))]
        struct Row {
            /// The relation's OID + 1, [`EMPTY`] or [`FREED`].
            key: AtomicU64,
            $($f: AtomicU64,)*
        }

        impl Row {
            fn load(&self) -> RelCounts {
                RelCounts { $($f: self.$f.load(Ordering::Relaxed),)* }
            }

            fn clear(&self) {
                $(self.$f.store(0, Ordering::Relaxed);)*
            }
        }
    };
}

rel_counters! {
    /// Sequential scans started.
    seq_scan,
    /// Tuples returned by sequential scans.
    seq_tup_read,
    /// Index scans started (over all the relation's indexes).
    idx_scan,
    /// Tuples fetched by index scans.
    idx_tup_fetch,
    /// Tuples inserted, updated, deleted (committed or not), and updates
    /// that were HOT.
    n_tup_ins,
    n_tup_upd,
    n_tup_del,
    n_tup_hot_upd,
    /// Estimated live and dead tuple versions.
    n_live_tup,
    n_dead_tup,
    /// Manual vacuums, and when the last one ended (wall-clock
    /// microseconds since the Unix epoch; 0 = never).
    vacuum_count,
    last_vacuum_us,
    /// Rows inserted, updated or deleted (committed) since the last
    /// ANALYZE began (what autoanalyze compares with its threshold).
    n_mod_since_analyze,
    /// Manual and automatic ANALYZEs, and when the last of each ended.
    analyze_count,
    last_analyze_us,
    autoanalyze_count,
    last_autoanalyze_us,
    /// reltuples found by the last ANALYZE or VACUUM (rounded; 0 before
    /// any), the base of the autoanalyze threshold.
    analyzed_tuples,
    /// Nonzero while a backend runs an autoanalyze of the relation
    /// (claimed by compare-and-swap, so only one does).
    autoanalyze_running,
}

/// The shared region: a lock for claiming rows, the dropped-counts
/// counter, and the rows.
#[repr(C)]
pub struct RelStatsTable {
    /// Held exclusively to claim or free a row (not to count).
    lock: LWLock,
    /// Flushes and vacuum reports lost because every row was taken.
    dropped: AtomicU64,
    rows: [Row; CAPACITY],
}

impl RelStatsTable {
    pub fn shmem_size(_cfg: &SegmentConfig) -> usize {
        std::mem::size_of::<RelStatsTable>()
    }

    /// # Safety
    /// `p` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes.
    pub unsafe fn shmem_init(p: *mut u8, _cfg: &SegmentConfig) {
        // Zero is a valid value for every field: an unlocked LWLock, zero
        // counters, and every row EMPTY.
        debug_assert_eq!(p as usize % std::mem::align_of::<RelStatsTable>(), 0);
    }

    /// Flushes and vacuum reports dropped because the table was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The counts of `rel` (zeros if it has no row).
    pub fn get(&self, rel: u32) -> RelCounts {
        self.find(rel).map(Row::load).unwrap_or_default()
    }

    /// The rows to probe for `rel`, in order.
    fn probe(&self, rel: u32) -> impl Iterator<Item = &Row> {
        let home = (rel.wrapping_mul(0x9e37_79b9) >> (32 - CAPACITY_BITS)) as usize;
        (0..CAPACITY).map(move |i| &self.rows[(home + i) % CAPACITY])
    }

    /// The row of `rel`, without locking.
    fn find(&self, rel: u32) -> Option<&Row> {
        let key = rel as u64 + 1;
        for row in self.probe(rel) {
            match row.key.load(Ordering::Acquire) {
                k if k == key => return Some(row),
                EMPTY => return None,
                _ => {}
            }
        }
        None
    }

    /// The row of `rel`, claiming one if it has none (None when full).
    fn find_or_claim(&self, rel: u32) -> Option<&Row> {
        if let Some(row) = self.find(rel) {
            return Some(row);
        }
        let _g = self.lock.lock(LockMode::Exclusive);
        let key = rel as u64 + 1;
        let mut free = None;
        for row in self.probe(rel) {
            match row.key.load(Ordering::Relaxed) {
                k if k == key => return Some(row),
                EMPTY => {
                    free = free.or(Some(row));
                    break;
                }
                FREED => free = free.or(Some(row)),
                _ => {}
            }
        }
        let Some(row) = free else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        // A freed row may have late additions from a flush that raced
        // with `forget`.
        row.clear();
        row.key.store(key, Ordering::Release);
        Some(row)
    }

    /// Adds one transaction's counts (see [`PendingRelStats::flush`]).
    fn apply(&self, rel: u32, c: &RelCounts, committed: bool) {
        fn add(a: &AtomicU64, n: u64) {
            if n != 0 {
                a.fetch_add(n, Ordering::Relaxed);
            }
        }
        let Some(row) = self.find_or_claim(rel) else {
            return;
        };
        add(&row.seq_scan, c.seq_scan);
        add(&row.seq_tup_read, c.seq_tup_read);
        add(&row.idx_scan, c.idx_scan);
        add(&row.idx_tup_fetch, c.idx_tup_fetch);
        add(&row.n_tup_ins, c.n_tup_ins);
        add(&row.n_tup_upd, c.n_tup_upd);
        add(&row.n_tup_del, c.n_tup_del);
        add(&row.n_tup_hot_upd, c.n_tup_hot_upd);
        if committed {
            if c.n_tup_ins >= c.n_tup_del {
                add(&row.n_live_tup, c.n_tup_ins - c.n_tup_del);
            } else {
                let gone = c.n_tup_del - c.n_tup_ins;
                let _ = row
                    .n_live_tup
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                        Some(v.saturating_sub(gone))
                    });
            }
            add(&row.n_dead_tup, c.n_tup_upd + c.n_tup_del);
            add(
                &row.n_mod_since_analyze,
                c.n_tup_ins + c.n_tup_upd + c.n_tup_del,
            );
        } else {
            // The versions the transaction created are dead.
            add(&row.n_dead_tup, c.n_tup_ins + c.n_tup_upd);
        }
    }
}

/// The table in `seg`.
pub fn table(seg: &Segment) -> &'static RelStatsTable {
    // SAFETY: region REL_STATS holds a RelStatsTable (shmem_size bytes,
    // 128-byte aligned, zero-initialized, which is valid for every field)
    // and lives as long as the mapping.
    unsafe { &*(seg.region_ptr(region::REL_STATS) as *const RelStatsTable) }
}

/// Counts one transaction's changes per relation in backend-local memory
/// (no shared writes until flush).
#[derive(Debug, Default)]
pub struct PendingRelStats {
    /// Only the `seq_*`, `idx_*` and `n_tup_*` fields are used.
    rels: FxHashMap<u32, RelCounts>,
}

impl PendingRelStats {
    fn rel(&mut self, rel: u32) -> &mut RelCounts {
        self.rels.entry(rel).or_default()
    }

    pub fn inserted(&mut self, rel: u32) {
        self.rel(rel).n_tup_ins += 1;
    }

    pub fn updated(&mut self, rel: u32, hot: bool) {
        let c = self.rel(rel);
        c.n_tup_upd += 1;
        c.n_tup_hot_upd += hot as u64;
    }

    pub fn deleted(&mut self, rel: u32) {
        self.rel(rel).n_tup_del += 1;
    }

    /// One sequential scan started.
    pub fn seq_scan(&mut self, rel: u32) {
        self.rel(rel).seq_scan += 1;
    }

    pub fn seq_tup_read(&mut self, rel: u32, n: u64) {
        self.rel(rel).seq_tup_read += n;
    }

    /// One index scan started.
    pub fn idx_scan(&mut self, rel: u32) {
        self.rel(rel).idx_scan += 1;
    }

    pub fn idx_tup_fetch(&mut self, rel: u32, n: u64) {
        self.rel(rel).idx_tup_fetch += n;
    }

    /// Nothing counted since the last flush.
    pub fn is_empty(&self) -> bool {
        self.rels.is_empty()
    }

    /// At transaction end, as PostgreSQL's pgstat does: committed →
    /// n_tup_* += counts, n_live_tup += ins - del (saturating), n_dead_tup
    /// += upd + del; aborted → n_tup_* still count, n_dead_tup += ins + upd
    /// (the aborted versions are dead), live unchanged. Scan counters
    /// always. Clears self.
    /// Returns the relations a committed transaction inserted, updated or
    /// deleted rows of (the candidates for an autoanalyze).
    pub fn flush(&mut self, seg: &Segment, committed: bool) -> Vec<u32> {
        let mut modified = Vec::new();
        if self.rels.is_empty() {
            return modified;
        }
        let t = table(seg);
        for (rel, c) in self.rels.drain() {
            if committed && c.n_tup_ins + c.n_tup_upd + c.n_tup_del > 0 {
                modified.push(rel);
            }
            t.apply(rel, &c, committed);
        }
        modified
    }
}

/// Pruning removed `n` dead versions of `rel` (as PostgreSQL's
/// pgstat_update_heap_dead_tuples): n_dead_tup goes down by as many.
pub fn report_pruned(seg: &Segment, rel: u32, n: u64) {
    let Some(row) = table(seg).find_or_claim(rel) else {
        return;
    };
    let _ = row
        .n_dead_tup
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
            Some(v.saturating_sub(n))
        });
}

/// VACUUM of `rel` found `live` and `dead` versions: sets
/// n_live_tup/n_dead_tup, vacuum_count += 1, last_vacuum_us = now.
pub fn report_vacuum(seg: &Segment, rel: u32, live: u64, dead: u64) {
    let Some(row) = table(seg).find_or_claim(rel) else {
        return;
    };
    row.n_live_tup.store(live, Ordering::Relaxed);
    row.n_dead_tup.store(dead, Ordering::Relaxed);
    row.analyzed_tuples.store(live, Ordering::Relaxed);
    row.vacuum_count.fetch_add(1, Ordering::Relaxed);
    let now = crate::time::wall_clock_us().max(1) as u64;
    row.last_vacuum_us.store(now, Ordering::Relaxed);
}

/// ANALYZE of `rel` (automatic when `auto`) found `reltuples` rows and
/// began when n_mod_since_analyze was `mod_at_start`: the changes counted
/// since then stay counted (as PostgreSQL's pgstat_report_analyze),
/// analyze_count or autoanalyze_count += 1, its time = now.
pub fn report_analyze(seg: &Segment, rel: u32, auto: bool, reltuples: f64, mod_at_start: u64) {
    let Some(row) = table(seg).find_or_claim(rel) else {
        return;
    };
    let _ = row
        .n_mod_since_analyze
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
            Some(v.saturating_sub(mod_at_start))
        });
    row.analyzed_tuples
        .store(reltuples.max(0.0).round() as u64, Ordering::Relaxed);
    let now = crate::time::wall_clock_us().max(1) as u64;
    if auto {
        row.autoanalyze_count.fetch_add(1, Ordering::Relaxed);
        row.last_autoanalyze_us.store(now, Ordering::Relaxed);
    } else {
        row.analyze_count.fetch_add(1, Ordering::Relaxed);
        row.last_analyze_us.store(now, Ordering::Relaxed);
    }
}

/// Claims the autoanalyze of `rel` when its changes since the last
/// ANALYZE exceed `threshold + scale_factor * reltuples` (PostgreSQL's
/// autovacuum_analyze_threshold and autovacuum_analyze_scale_factor) and
/// no backend is analyzing it already: true means the caller must run it
/// and then call [`end_autoanalyze`].
pub fn claim_autoanalyze(seg: &Segment, rel: u32, threshold: f64, scale_factor: f64) -> bool {
    let Some(row) = table(seg).find(rel) else {
        return false;
    };
    let changed = row.n_mod_since_analyze.load(Ordering::Relaxed) as f64;
    let base = row.analyzed_tuples.load(Ordering::Relaxed) as f64;
    if changed <= threshold + scale_factor * base {
        return false;
    }
    row.autoanalyze_running
        .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed)
        .is_ok()
}

/// Ends an autoanalyze claimed by [`claim_autoanalyze`] (run or failed).
pub fn end_autoanalyze(seg: &Segment, rel: u32) {
    if let Some(row) = table(seg).find(rel) {
        row.autoanalyze_running.store(0, Ordering::Release);
    }
}

/// The counts of `rel` (zeros if never seen).
pub fn get(seg: &Segment, rel: u32) -> RelCounts {
    table(seg).get(rel)
}

/// Forget `rel` (DROP TABLE / TRUNCATE reuse): zero its row, and free it
/// for reuse.
pub fn forget(seg: &Segment, rel: u32) {
    let t = table(seg);
    let _g = t.lock.lock(LockMode::Exclusive);
    if let Some(row) = t.find(rel) {
        row.key.store(FREED, Ordering::Release);
        row.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::SegmentOwner;

    fn new_segment(port: u16) -> (SegmentOwner, Segment) {
        SegmentOwner::create(
            &SegmentConfig {
                port,
                max_backends: 4,
                shared_buffers: 0,
                mode: 0,
            },
            crate::datadir::testing::scratch(),
        )
        .unwrap()
    }

    #[test]
    fn flush_commit_and_abort() {
        let (_owner, seg) = new_segment(62400);
        assert_eq!(get(&seg, 16384), RelCounts::default());
        let mut p = PendingRelStats::default();
        for _ in 0..5 {
            p.inserted(16384);
        }
        p.updated(16384, true);
        p.updated(16384, false);
        p.deleted(16384);
        p.seq_scan(16384);
        p.seq_tup_read(16384, 7);
        p.idx_scan(16385);
        p.idx_tup_fetch(16385, 3);
        p.flush(&seg, true);
        assert!(p.is_empty());
        let c = get(&seg, 16384);
        let want = RelCounts {
            seq_scan: 1,
            seq_tup_read: 7,
            n_tup_ins: 5,
            n_tup_upd: 2,
            n_tup_del: 1,
            n_tup_hot_upd: 1,
            n_live_tup: 4,
            n_dead_tup: 3,
            n_mod_since_analyze: 8,
            ..Default::default()
        };
        assert_eq!(c, want);
        let c2 = get(&seg, 16385);
        assert_eq!((c2.idx_scan, c2.idx_tup_fetch, c2.n_live_tup), (1, 3, 0));

        // Aborted: counted, but the new versions are dead, live unchanged.
        p.inserted(16384);
        p.inserted(16384);
        p.updated(16384, false);
        p.deleted(16384);
        p.seq_scan(16384);
        p.flush(&seg, false);
        let c = get(&seg, 16384);
        assert_eq!(
            (c.n_tup_ins, c.n_tup_upd, c.n_tup_del, c.seq_scan),
            (7, 3, 2, 2)
        );
        assert_eq!((c.n_live_tup, c.n_dead_tup), (4, 6));

        // Deleting more than was live saturates at zero.
        for _ in 0..10 {
            p.deleted(16384);
        }
        p.flush(&seg, true);
        let c = get(&seg, 16384);
        assert_eq!((c.n_live_tup, c.n_dead_tup, c.n_tup_del), (0, 16, 12));
        assert_eq!(table(&seg).dropped(), 0);
    }

    #[test]
    fn vacuum_and_forget() {
        let (_owner, seg) = new_segment(62401);
        let mut p = PendingRelStats::default();
        p.inserted(20000);
        p.deleted(20000);
        p.flush(&seg, true);
        let before = crate::time::wall_clock_us() as u64;
        report_vacuum(&seg, 20000, 10, 0);
        report_vacuum(&seg, 20000, 12, 1);
        let c = get(&seg, 20000);
        assert_eq!((c.n_live_tup, c.n_dead_tup, c.vacuum_count), (12, 1, 2));
        assert!(c.last_vacuum_us >= before);
        assert_eq!(c.n_tup_ins, 1);

        forget(&seg, 20000);
        assert_eq!(get(&seg, 20000), RelCounts::default());
        forget(&seg, 20000);
        forget(&seg, 12345);
        p.inserted(20000);
        p.flush(&seg, true);
        assert_eq!(get(&seg, 20000).n_live_tup, 1);
    }

    #[test]
    fn full_table_drops_and_freed_rows_are_reused() {
        let (_owner, seg) = new_segment(62402);
        let t = table(&seg);
        let mut p = PendingRelStats::default();
        let rels = 1..=CAPACITY as u32;
        for r in rels.clone() {
            p.inserted(r);
        }
        p.flush(&seg, true);
        assert_eq!(t.dropped(), 0);
        p.inserted(0);
        p.flush(&seg, true);
        report_vacuum(&seg, 99_999, 1, 1);
        assert_eq!(t.dropped(), 2);
        assert_eq!(get(&seg, 0), RelCounts::default());

        // Free every other row; the rest stay reachable past the freed
        // rows, and new relations take the freed ones.
        for r in rels.clone().step_by(2) {
            forget(&seg, r);
        }
        for r in rels.clone() {
            assert_eq!(
                get(&seg, r).n_tup_ins,
                r.is_multiple_of(2) as u64,
                "rel {r}"
            );
        }
        let new = 100_000..100_000 + CAPACITY as u32 / 2;
        for r in new.clone() {
            p.inserted(r);
            p.inserted(r);
        }
        p.flush(&seg, true);
        assert_eq!(t.dropped(), 2);
        for r in new {
            assert_eq!(get(&seg, r).n_tup_ins, 2, "rel {r}");
        }
        for r in rels.filter(|r| r.is_multiple_of(2)) {
            assert_eq!(get(&seg, r).n_tup_ins, 1, "rel {r}");
        }
        report_vacuum(&seg, 99_999, 1, 1);
        assert_eq!(t.dropped(), 3);
    }

    #[test]
    fn threads_claim_each_relation_once() {
        let (_owner, seg) = new_segment(62403);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut p = PendingRelStats::default();
                    for round in 0..50u32 {
                        for r in 0..100 {
                            p.updated(30_000 + r, round.is_multiple_of(2));
                        }
                        p.flush(&seg, true);
                        // Churn: rows freed and reused meanwhile.
                        report_vacuum(&seg, 40_000 + round, 0, 0);
                        forget(&seg, 40_000 + round);
                    }
                });
            }
        });
        for r in 0..100 {
            let c = get(&seg, 30_000 + r);
            assert_eq!(
                (c.n_tup_upd, c.n_tup_hot_upd, c.n_dead_tup),
                (200, 100, 200)
            );
        }
        assert_eq!(table(&seg).dropped(), 0);
    }
}
