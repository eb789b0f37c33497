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
//!
//! Literal-normalized entries (`pgfork.plan_cache_literals`, on by
//! default), beyond PostgreSQL: a text the exact map lacks is normalized
//! (`normalize`: its integer, decimal and string literals become `$n`,
//! the key records each literal's kind: int4, int8 or numeric by value,
//! or string) and looked up in a second map of the same size and
//! validity rules. The first time a key comes, the statement is planned
//! and run with its literals as usual (the custom plan); once it ran, its
//! generic form is planned with the literals as parameters of their
//! types (a string's inferred from its context, as the analyzer resolves
//! an unknown literal), and kept only if the generic plan, with each
//! parameter written as the constant its literal reads as, is the custom
//! plan exactly (the same nodes, indexes, join order, expressions,
//! result columns and types, relations and privileges); otherwise the
//! key is remembered as custom-only and its statements are planned each
//! time (and kept by exact text). A later statement of the same key runs
//! the generic plan with its literals read as a Bind message's text
//! parameters are; if one does not read (`WHERE intcol = 'x'`), the
//! statement goes the usual way, whose error is the uncached one. Only
//! plain queries and INSERT/UPDATE/DELETE whose custom plan may be kept
//! at all (above) are shared. As with PostgreSQL's generic plans, a plan
//! chosen for one literal is reused for others of the same kind: where
//! the planner would choose differently for another value (its
//! selectivity reads the statistics' most common values and histogram
//! for a constant, `optimizer::selfuncs`), the kept plan gives the same
//! rows by another path (an ANALYZE drops the entry, as above). `normalized_hits`, `normalized_custom` and
//! `normalized_declines` of `pgfork_stat_plan_cache` count them.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::normalize::{normalize, LiteralKind, Normalized, Outcome};
use super::{Action, Engine, PlanParts, Prepared, RelLocks};
use crate::commands::transaction::BlockState;
use crate::types::datetime::{now_pg_usecs, set_transaction_start, transaction_now_reads};
use crate::types::{oid, Oid, Value};

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
    /// Statements run from a literal-normalized entry.
    pub normalized_hits: u64,
    /// Statements whose normalized entry says their plan depends on
    /// their literals (planned with them, the usual way).
    pub normalized_custom: u64,
    /// Statements with literals the normalizer declined.
    pub normalized_declines: u64,
}

/// A bounded LRU map from statement text to `T` (a `Prepared` in the
/// engine), each entry valid for one [`Validity`].
pub struct StatementCache<T> {
    entries: FxHashMap<Box<str>, Entry<T>>,
    /// Hashes of texts seen once while the cache was full, direct-mapped
    /// (admission on the second sighting, see [`StatementCache::insert`]).
    /// Allocated when the cache is first full: most sessions never fill
    /// it, and 8 kB per cache is most of an idle pooled session's memory.
    seen: Option<Box<[u64; SEEN_SLOTS]>>,
    capacity: usize,
    tick: u64,
    pub counters: Counters,
}

impl<T: Clone> StatementCache<T> {
    pub fn new(capacity: usize) -> Self {
        StatementCache {
            entries: FxHashMap::default(),
            seen: None,
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
            let seen = self.seen.get_or_insert_with(|| Box::new([0; SEEN_SLOTS]));
            let seen = &mut seen[(h % SEEN_SLOTS as u64) as usize];
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

    /// Reads `pgfork.plan_cache_size` and `pgfork.plan_cache_literals`
    /// after a change of the settings.
    fn sync_plan_cache_size(&mut self) {
        let g = self.settings.get_mut().generation();
        if g == self.plan_cache_generation {
            return;
        }
        self.plan_cache_generation = g;
        let settings = self.settings.get_mut();
        let size = settings
            .get("pgfork.plan_cache_size")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(DEFAULT_SIZE);
        self.plan_cache_literals = settings
            .get("pgfork.plan_cache_literals")
            .ok()
            .flatten()
            .is_none_or(|v| v == "on");
        if !self.plan_cache_literals && !self.literal_cache.is_empty() {
            self.literal_cache.clear();
            self.publish_plan_cache_counters();
        }
        if size != self.plan_cache.capacity() {
            self.plan_cache.set_capacity(size);
            self.literal_cache.set_capacity(size);
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

    /// What a plan made at catalog version `planned_version` and reading
    /// `relations` depends on: its validity and each relation's statistics
    /// generation now.
    fn plan_dependencies(
        &self,
        planned_version: u64,
        relations: &RelLocks,
    ) -> (Validity, Vec<(u32, u64)>) {
        let segment = self.env.segment;
        let mut stats: Vec<(u32, u64)> = relations
            .iter()
            .map(|&(rel, _)| (rel, stats_generation(&segment, rel)))
            .collect();
        stats.dedup();
        let validity = Validity {
            catalog_version: planned_version,
            ..self.plan_validity()
        };
        (validity, stats)
    }

    /// Keeps the plan of a simple Query made of the one statement `p`,
    /// if it may be kept.
    pub fn remember_simple(&mut self, sql: &str, p: &Arc<Prepared>) {
        if !p.cacheable || self.plan_cache.capacity() == 0 {
            return;
        }
        let (planned_version, _, relations) = p.action();
        let (validity, stats) = self.plan_dependencies(planned_version, &relations);
        self.plan_cache.insert(sql, p.clone(), validity, stats);
        self.publish_plan_cache_counters();
    }

    /// A new session (a pre-forked backend's next client too): an empty
    /// cache with its counters at zero.
    pub(super) fn new_session_plan_cache(&mut self) {
        self.plan_cache.counters = Counters::default();
        self.literal_cache.counters = Counters::default();
        self.clear_plan_cache();
    }

    /// Forgets every kept plan (DISCARD ALL, DISCARD PLANS).
    pub(super) fn clear_plan_cache(&mut self) {
        self.plan_cache.clear();
        self.literal_cache.clear();
        self.publish_plan_cache_counters();
    }

    /// Both maps' counters: a normalized entry's lookups count as
    /// `normalized_hits` or `normalized_custom`, its creation as a miss.
    fn publish_plan_cache_counters(&self) {
        let c = &self.env.slot.plan_cache;
        let n = self.plan_cache.counters;
        let l = self.literal_cache.counters;
        c.hits.store(n.hits, Ordering::Relaxed);
        c.misses.store(n.misses + l.misses, Ordering::Relaxed);
        c.invalidations
            .store(n.invalidations + l.invalidations, Ordering::Relaxed);
        c.evictions
            .store(n.evictions + l.evictions, Ordering::Relaxed);
        c.entries.store(
            (self.plan_cache.len() + self.literal_cache.len()) as u64,
            Ordering::Relaxed,
        );
        c.normalized_hits
            .store(n.normalized_hits, Ordering::Relaxed);
        c.normalized_custom
            .store(n.normalized_custom, Ordering::Relaxed);
        c.normalized_declines
            .store(n.normalized_declines, Ordering::Relaxed);
    }
}

/// A literal-normalized entry (see the module comment).
#[derive(Clone)]
pub enum LiteralPlan {
    /// The statement planned with its literals as parameters, for any
    /// literals of the same kinds.
    Generic(Arc<Prepared>),
    /// Its plan depends on its literals' values: planned each time.
    CustomOnly,
}

/// What [`Engine::cached_literal`] found.
pub enum LiteralLookup {
    /// Run this plan with these parameters.
    Hit(Arc<Prepared>, Vec<Value>),
    /// Not known yet: plan it the usual way, then
    /// [`Engine::remember_literal`].
    Unknown(Normalized),
    /// The usual way (declined, custom-only, or normalized caching off).
    No,
}

/// The parameter type a literal of `kind` has (a string's is inferred).
pub(super) fn literal_type(kind: LiteralKind) -> Oid {
    match kind {
        LiteralKind::Int4 => oid::INT4,
        LiteralKind::Int8 => oid::INT8,
        LiteralKind::Numeric => oid::NUMERIC,
        LiteralKind::String => 0,
    }
}

/// The literals as values of the plan's parameter types, read as a
/// Bind message's text parameters are; `None` if one does not read
/// (the usual path then reports it exactly as without the cache).
fn literal_values(types: &[Oid], values: &[String]) -> Option<Vec<Value>> {
    if types.len() != values.len() {
        return None;
    }
    types
        .iter()
        .zip(values)
        .map(|(&t, v)| Value::decode(t, 0, v.as_bytes()).ok())
        .collect()
}

/// What a plan does, as text, with each parameter written as the
/// constant `params` gives it (as the analyzer writes a literal); two
/// statements with equal shapes run alike. `None` for statements other
/// than plain queries and INSERT/UPDATE/DELETE.
pub(super) fn plan_shape(p: &Prepared, params: &[Value]) -> Option<String> {
    let (action, relations, perms) = {
        let g = p.planned.lock().unwrap_or_else(|e| e.into_inner());
        (g.action.clone(), g.relations.clone(), g.perms.clone())
    };
    let mut shape = match action.as_ref() {
        Action::Query(plan) => format!("{plan:?}"),
        Action::Modify(m) => format!("{m:?}"),
        _ => return None,
    };
    for (i, v) in params.iter().enumerate().rev() {
        shape = shape.replace(&format!("Param({i}, "), &format!("Const({v:?}, "));
    }
    Some(format!(
        "{shape}|{:?}|{:?}|{:?}|{}|{}|{}|{:?}",
        p.columns, relations, perms, p.returns_rows, p.uses_catalog, p.needs_xid, p.copy_kind
    ))
}

impl Engine {
    /// The literal-normalized entry of a simple Query's text, after its
    /// exact text found none ([`Engine::cached_simple`]).
    pub fn cached_literal(&mut self, sql: &str) -> LiteralLookup {
        if !self.plan_cache_literals
            || self.literal_cache.capacity() == 0
            || self.xact.state == BlockState::Failed
            || sql.len() > MAX_TEXT
        {
            return LiteralLookup::No;
        }
        let n = match normalize(sql) {
            Outcome::Normalized(n) => n,
            Outcome::NoLiterals | Outcome::NotApplicable => return LiteralLookup::No,
            Outcome::Declined => {
                self.plan_cache.counters.normalized_declines += 1;
                self.publish_plan_cache_counters();
                return LiteralLookup::No;
            }
        };
        if self.catalog.refresh().is_err() {
            return LiteralLookup::No;
        }
        let now = self.plan_validity();
        let segment = self.env.segment;
        let found = self
            .literal_cache
            .lookup(&n.key, now, |rel| stats_generation(&segment, rel));
        let result = match found {
            None => LiteralLookup::Unknown(n),
            Some(LiteralPlan::CustomOnly) => {
                self.plan_cache.counters.normalized_custom += 1;
                LiteralLookup::No
            }
            Some(LiteralPlan::Generic(p)) => {
                // As `prepare`: a statement that starts a transaction
                // starts it now (a literal such as 'now' is read then).
                self.pending_start = None;
                if !self.xact.in_block() {
                    let start = now_pg_usecs();
                    self.pending_start = Some(start);
                    set_transaction_start(start);
                }
                match literal_values(p.param_types(), &n.values) {
                    Some(values) => {
                        self.plan_cache.counters.normalized_hits += 1;
                        LiteralLookup::Hit(p, values)
                    }
                    None => {
                        // Planned the usual way, which starts it again.
                        self.pending_start = None;
                        LiteralLookup::No
                    }
                }
            }
        };
        self.publish_plan_cache_counters();
        result
    }

    /// After `custom`, the plan of `n`'s text with its literals, ran:
    /// plans the generic form (literals as parameters) and keeps it
    /// under `n`'s key if it is the same plan for these literals, else
    /// remembers the key as custom-only. Returns whether the generic
    /// plan was kept (the exact text then need not be).
    pub fn remember_literal(&mut self, n: Normalized, custom: &Arc<Prepared>) -> bool {
        if self.literal_cache.capacity() == 0 || self.xact.state == BlockState::Failed {
            return false;
        }
        let (planned_version, _, relations) = custom.action();
        let generic = if custom.cacheable {
            self.generic_plan(&n, custom, planned_version)
        } else {
            None
        };
        let (validity, stats) = self.plan_dependencies(planned_version, &relations);
        let kept = generic.is_some();
        let entry = generic.map_or(LiteralPlan::CustomOnly, LiteralPlan::Generic);
        self.literal_cache.insert(&n.key, entry, validity, stats);
        self.publish_plan_cache_counters();
        kept
    }

    /// The generic plan of `n`, if it runs as `custom` does for `n`'s
    /// literals.
    fn generic_plan(
        &mut self,
        n: &Normalized,
        custom: &Arc<Prepared>,
        planned_version: u64,
    ) -> Option<Arc<Prepared>> {
        let mut stmts = self.parse(&n.generic).ok()?;
        if stmts.len() != 1 {
            return None;
        }
        let stmt = stmts.pop()?;
        let declared: Vec<Oid> = n.kinds.iter().map(|&k| literal_type(k)).collect();
        // Planning again must not move the transaction's start, which
        // the statement that ran (or the next one) reads.
        let pending = self.pending_start;
        let reads_before = now_reads();
        let generic = self.prepare(&stmt, &declared);
        self.pending_start = pending;
        if !self.xact.in_block() {
            set_transaction_start(self.xact_start);
        }
        let generic = generic.ok()?;
        if now_reads() != reads_before || generic.action().0 != planned_version {
            return None;
        }
        let values = literal_values(generic.param_types(), &n.values)?;
        let same = plan_shape(custom, &[])? == plan_shape(&generic, &values)?;
        same.then_some(generic)
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
        // The admission filter is allocated only once the cache is full.
        assert!(c.seen.is_none());
        assert_eq!(c.lookup("a", ok, |_| 0), Some(1));
        // Full: "c" is kept the second time it comes.
        c.insert("c", 3, ok, vec![]);
        assert!(c.seen.is_some());
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
