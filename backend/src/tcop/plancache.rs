//! The simple protocol's statement cache: a per-backend map from the
//! exact text of a one-statement Query message to its analyzed and
//! planned [`Prepared`], so that a client repeating a statement with the
//! simple protocol (psql scripts, `pgbench -M simple`, drivers that
//! inline their parameters) skips parsing, analysis and planning, as an
//! extended-protocol prepared statement does.
//!
//! An entry is used only while everything its analysis and plan read is
//! unchanged; otherwise it is dropped (an invalidation) and the statement
//! is planned again:
//! - the catalog version (any committed or own catalog change, and the
//!   search path's generation, which `CatalogCache::version` includes);
//! - the session's settings generation (any SET, RESET, SET LOCAL or
//!   startup option: DateStyle, TimeZone, IntervalStyle, geqo_threshold
//!   and the like change how literals are read and plans are made);
//! - the current role (SET ROLE, SET SESSION AUTHORIZATION);
//! - the statistics of every relation the plan reads (an ANALYZE,
//!   autoanalyze or VACUUM since it was planned).
//!
//! Only SELECT (also FOR UPDATE/SHARE), INSERT, UPDATE, DELETE and their
//! data-modifying WITH forms are kept, and only when their analysis read
//! no clock (`'now'`, `'today'`: PostgreSQL reads them when it parses,
//! and a kept plan would keep the time) and they take no parameters.
//! Utility statements, DDL, COPY, EXPLAIN, EXECUTE, cursors, strings of
//! several statements, statements longer than [`MAX_TEXT`] and anything
//! in a failed transaction block go the usual way. Statements that fail
//! to parse or analyze are never kept, so their errors are those of the
//! uncached path; privileges are checked at each execution, as for any
//! prepared statement.
//!
//! The cache holds at most `pgfork.plan_cache_size` entries (256; 0 turns
//! it off), dropping the least recently used; once full, a new text is
//! kept only the second time it comes (a one-off text, such as a query
//! whose literal changes every time, would otherwise evict a kept plan
//! and be kept for nothing). Its counters are in the
//! backend's slot, shown by `pgfork_stat_plan_cache`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Action, Engine, PlanParts, Prepared};
use crate::commands::transaction::BlockState;
use crate::types::datetime::{now_pg_usecs, set_transaction_start, transaction_now_reads};
use crate::types::Oid;

/// Statements longer than this are not kept (their text is the key).
pub const MAX_TEXT: usize = 16 * 1024;

/// Slots of the full cache's admission filter.
const SEEN_SLOTS: usize = 1024;

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The default of `pgfork.plan_cache_size`.
pub const DEFAULT_SIZE: usize = 256;

/// What an entry's analysis and plan depended on when made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    pub catalog_version: u64,
    pub settings_generation: u64,
    pub role: Oid,
}

/// One kept statement.
struct Entry<T> {
    value: T,
    validity: Validity,
    /// (relation, statistics generation) of each relation the plan reads.
    stats: Vec<(u32, u64)>,
    last_used: u64,
}

/// The counters `pgfork_stat_plan_cache` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub hits: u64,
    pub misses: u64,
    pub invalidations: u64,
    pub evictions: u64,
}

/// A bounded LRU map from statement text to `T` (a `Prepared` in the
/// engine), each entry valid for one [`Validity`].
pub struct StatementCache<T> {
    entries: HashMap<Box<str>, Entry<T>>,
    /// Hashes of texts seen once while the cache was full, direct-mapped
    /// (admission on the second sighting, see [`StatementCache::insert`]).
    seen: Box<[u64; SEEN_SLOTS]>,
    capacity: usize,
    tick: u64,
    pub counters: Counters,
}

impl<T: Clone> StatementCache<T> {
    pub fn new(capacity: usize) -> Self {
        StatementCache {
            entries: HashMap::new(),
            seen: Box::new([0; SEEN_SLOTS]),
            capacity,
            tick: 0,
            counters: Counters::default(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Changes the bound, dropping the least recently used entries
    /// beyond it.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        while self.entries.len() > capacity {
            self.evict_one();
        }
    }

    /// Forgets every entry (DISCARD ALL, DISCARD PLANS, a new session).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entry for `text` if it is still valid under `now` and none of
    /// its relations' statistics generations (`stats_of`) moved; an
    /// entry that is no longer valid is dropped.
    pub fn lookup(
        &mut self,
        text: &str,
        now: Validity,
        stats_of: impl Fn(u32) -> u64,
    ) -> Option<T> {
        let e = self.entries.get_mut(text)?;
        if e.validity != now || e.stats.iter().any(|&(rel, g)| stats_of(rel) != g) {
            self.entries.remove(text);
            self.counters.invalidations += 1;
            return None;
        }
        self.tick += 1;
        e.last_used = self.tick;
        self.counters.hits += 1;
        Some(e.value.clone())
    }

    /// Keeps `value` for `text`, dropping the least recently used entry
    /// when full.
    pub fn insert(&mut self, text: &str, value: T, validity: Validity, stats: Vec<(u32, u64)>) {
        if self.capacity == 0 || text.len() > MAX_TEXT {
            return;
        }
        if !self.entries.contains_key(text) && self.entries.len() >= self.capacity {
            // Full: a statement displaces another only the second time it
            // is seen, so that a stream of one-off texts (literals that
            // change with every query, as pgbench -S's) costs neither an
            // eviction nor a kept plan per query.
            let h = text_hash(text);
            let seen = &mut self.seen[(h % SEEN_SLOTS as u64) as usize];
            if *seen != h {
                *seen = h;
                self.counters.misses += 1;
                return;
            }
            while self.entries.len() >= self.capacity {
                self.evict_one();
            }
        }
        self.tick += 1;
        self.counters.misses += 1;
        self.entries.insert(
            text.into(),
            Entry {
                value,
                validity,
                stats,
                last_used: self.tick,
            },
        );
    }

    fn evict_one(&mut self) {
        // A scan of at most `capacity` entries, only when a new statement
        // arrives in a full cache.
        let oldest = self
            .entries
            .iter()
            .min_by_key(|(_, e)| e.last_used)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            self.entries.remove(&k);
            self.counters.evictions += 1;
        }
    }
}

/// Whether a just-planned statement may be kept: a plan over tables, no
/// parameters, and no clock read while it was analyzed (`now_reads` is
/// [`transaction_now_reads`] before the analysis).
pub(super) fn cacheable(parts: &PlanParts, declared: &[Oid], now_reads: u64) -> bool {
    fn plan_action(a: &Action) -> bool {
        match a {
            Action::Query(_) | Action::LockedQuery(..) | Action::Modify(_) => true,
            Action::ModifyingWith { main, .. } => plan_action(main),
            _ => false,
        }
    }
    declared.is_empty()
        && parts.param_types.is_empty()
        && parts.copy_kind.is_none()
        && plan_action(&parts.action)
        && transaction_now_reads() == now_reads
}

/// The clock-read count to pass to [`cacheable`] after planning.
pub(super) fn now_reads() -> u64 {
    transaction_now_reads()
}

impl Engine {
    /// What a statement planned now depends on.
    fn plan_validity(&self) -> Validity {
        Validity {
            catalog_version: self.catalog.version(),
            settings_generation: self.settings.borrow().generation(),
            role: self.session.role,
        }
    }

    /// Reads `pgfork.plan_cache_size` after a change of the settings.
    fn sync_plan_cache_size(&mut self) {
        let g = self.settings.get_mut().generation();
        if g == self.plan_cache_generation {
            return;
        }
        self.plan_cache_generation = g;
        let size = self
            .settings
            .get_mut()
            .get("pgfork.plan_cache_size")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(DEFAULT_SIZE);
        if size != self.plan_cache.capacity() {
            self.plan_cache.set_capacity(size);
            self.publish_plan_cache_counters();
        }
    }

    /// The kept plan of a simple Query's whole text, ready to execute as
    /// [`Engine::prepare`] would have left it; `None` to parse and plan
    /// it the usual way (then [`Engine::remember_simple`]).
    pub fn cached_simple(&mut self, sql: &str) -> Option<Arc<Prepared>> {
        self.sync_plan_cache_size();
        if self.plan_cache.capacity() == 0
            || self.xact.state == BlockState::Failed
            || sql.len() > MAX_TEXT
        {
            return None;
        }
        // An error here is left for the usual path to report.
        self.catalog.refresh().ok()?;
        let now = self.plan_validity();
        let segment = self.env.segment;
        let before = self.plan_cache.counters;
        let hit = self
            .plan_cache
            .lookup(sql, now, |rel| stats_generation(&segment, rel));
        if self.plan_cache.counters != before {
            self.publish_plan_cache_counters();
        }
        let p = hit?;
        // As `prepare`: a statement that starts a transaction starts it now.
        self.pending_start = None;
        if !self.xact.in_block() {
            let start = now_pg_usecs();
            self.pending_start = Some(start);
            set_transaction_start(start);
        }
        Some(p)
    }

    /// Keeps the plan of a simple Query made of the one statement `p`,
    /// if it may be kept.
    pub fn remember_simple(&mut self, sql: &str, p: &Arc<Prepared>) {
        if !p.cacheable || self.plan_cache.capacity() == 0 {
            return;
        }
        let segment = self.env.segment;
        let (planned_version, _, relations) = p.action();
        let mut stats: Vec<(u32, u64)> = relations
            .iter()
            .map(|&(rel, _)| (rel, stats_generation(&segment, rel)))
            .collect();
        stats.dedup();
        let validity = Validity {
            catalog_version: planned_version,
            ..self.plan_validity()
        };
        self.plan_cache.insert(sql, p.clone(), validity, stats);
        self.publish_plan_cache_counters();
    }

    /// A new session (a pre-forked backend's next client too): an empty
    /// cache with its counters at zero.
    pub(super) fn new_session_plan_cache(&mut self) {
        self.plan_cache.counters = Counters::default();
        self.clear_plan_cache();
    }

    /// Forgets every kept plan (DISCARD ALL, DISCARD PLANS).
    pub(super) fn clear_plan_cache(&mut self) {
        self.plan_cache.clear();
        self.publish_plan_cache_counters();
    }

    fn publish_plan_cache_counters(&self) {
        let c = &self.env.slot.plan_cache;
        let n = self.plan_cache.counters;
        c.hits.store(n.hits, Ordering::Relaxed);
        c.misses.store(n.misses, Ordering::Relaxed);
        c.invalidations.store(n.invalidations, Ordering::Relaxed);
        c.evictions.store(n.evictions, Ordering::Relaxed);
        c.entries
            .store(self.plan_cache.len() as u64, Ordering::Relaxed);
    }
}

/// Changes when ANALYZE, autoanalyze or VACUUM stores new statistics of
/// `rel` (the planner's estimates then change).
fn stats_generation(segment: &shmem::Segment, rel: u32) -> u64 {
    let c = shmem::relstats::get(segment, rel);
    c.analyze_count + c.autoanalyze_count + c.vacuum_count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(catalog_version: u64, settings_generation: u64, role: Oid) -> Validity {
        Validity {
            catalog_version,
            settings_generation,
            role,
        }
    }

    #[test]
    fn hit_after_insert_and_miss_on_other_text() {
        let mut c = StatementCache::new(4);
        assert_eq!(c.lookup("select 1", v(1, 1, 10), |_| 0), None);
        c.insert("select 1", 7, v(1, 1, 10), vec![]);
        assert_eq!(c.lookup("select 1", v(1, 1, 10), |_| 0), Some(7));
        assert_eq!(c.lookup("select 1", v(1, 1, 10), |_| 0), Some(7));
        // The exact text: case and spaces count.
        assert_eq!(c.lookup("SELECT 1", v(1, 1, 10), |_| 0), None);
        assert_eq!(c.counters.hits, 2);
        assert_eq!(c.counters.misses, 1);
    }

    #[test]
    fn invalidated_by_catalog_settings_role_and_statistics() {
        let mut c = StatementCache::new(4);
        let base = v(1, 1, 10);
        for (now, stats) in [
            (v(2, 1, 10), 0),
            (v(1, 2, 10), 0),
            (v(1, 1, 11), 0),
            (base, 1),
        ] {
            c.insert("q", 1, base, vec![(16384, 0)]);
            assert_eq!(c.lookup("q", now, |_| stats), None);
            // Dropped: not found again even under the old validity.
            assert_eq!(c.len(), 0);
        }
        assert_eq!(c.counters.invalidations, 4);
        assert_eq!(c.counters.hits, 0);
    }

    #[test]
    fn least_recently_used_goes_first() {
        let mut c = StatementCache::new(2);
        let ok = v(1, 1, 10);
        c.insert("a", 1, ok, vec![]);
        c.insert("b", 2, ok, vec![]);
        assert_eq!(c.lookup("a", ok, |_| 0), Some(1));
        // Full: "c" is kept the second time it comes.
        c.insert("c", 3, ok, vec![]);
        assert_eq!(c.lookup("c", ok, |_| 0), None);
        assert_eq!(c.counters.evictions, 0);
        c.insert("c", 3, ok, vec![]);
        assert_eq!(c.len(), 2);
        assert_eq!(c.lookup("b", ok, |_| 0), None);
        assert_eq!(c.lookup("a", ok, |_| 0), Some(1));
        assert_eq!(c.lookup("c", ok, |_| 0), Some(3));
        assert_eq!(c.counters.evictions, 1);
        // Shrinking drops the oldest.
        c.set_capacity(1);
        assert_eq!(c.lookup("a", ok, |_| 0), None);
        assert_eq!(c.lookup("c", ok, |_| 0), Some(3));
    }

    #[test]
    fn size_zero_and_long_texts_keep_nothing() {
        let mut c = StatementCache::new(0);
        c.insert("a", 1, v(1, 1, 1), vec![]);
        assert_eq!(c.len(), 0);
        let mut c = StatementCache::new(4);
        let long = "x".repeat(MAX_TEXT + 1);
        c.insert(&long, 1, v(1, 1, 1), vec![]);
        assert_eq!(c.len(), 0);
    }
}
