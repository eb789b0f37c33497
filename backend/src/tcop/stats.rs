//! (the statistics themselves: `commands::analyze`).
//!
//! Autoanalyze runs in the backend whose transaction pushed a table past
//! its threshold (PostgreSQL's autovacuum_analyze_threshold, 50 rows, plus
//! autovacuum_analyze_scale_factor, 0.1, × reltuples), right after that
//! transaction commits and before the backend reports ready for the next
//! query: the same code in process, thread and pre-forked modes, with no
//! extra process to start or supervise. A shared flag per table
//! (`shmem::relstats::claim_autoanalyze`) makes one backend do it; its
//! lock is taken without waiting, so a table busy with DDL is left for a
//! later commit. Its errors are logged, never reported to the client.

use std::sync::Arc;

use shmem::lockmgr::{LockMode, WaitPolicy};

use super::Engine;
use crate::analyze::from::no_relation;
use crate::catalog::TableDesc;
use crate::commands::analyze::{self, AnalyzeTarget};
use crate::error::{PgError, PgResult, Severity};
use crate::executor::dest::RowSink;

/// PostgreSQL's autovacuum_analyze_threshold and _scale_factor defaults.
pub const AUTOANALYZE_THRESHOLD: f64 = 50.0;
pub const AUTOANALYZE_SCALE_FACTOR: f64 = 0.1;

/// Gives the planner this session's view of the stored statistics: a
/// table's file is read again when its ANALYZE, autoanalyze or VACUUM
/// count changed since it was read (another backend stored new ones).
pub(super) fn install_stats_source(env: &crate::env::BackendEnv) {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    type Cached = (u64, Option<Rc<crate::catalog::statistic::TableStats>>);
    let cache: RefCell<HashMap<u32, Cached>> = RefCell::new(HashMap::new());
    let segment = env.segment;
    let dir = env.config.data_dir.clone();
    crate::optimizer::cost::set_stats_source(Rc::new(move |rel| {
        let c = shmem::relstats::get(&segment, rel);
        let generation = c.analyze_count + c.autoanalyze_count + c.vacuum_count + 1;
        let mut cache = cache.borrow_mut();
        if let Some((g, st)) = cache.get(&rel) {
            if *g == generation {
                return st.clone();
            }
        }
        let st = crate::catalog::statistic::load(&dir, rel).map(Rc::new);
        cache.insert(rel, (generation, st.clone()));
        st
    }));
}

fn info(message: String) -> PgError {
    PgError {
        severity: Severity::Info,
        ..PgError::new("00000", message)
    }
}

impl Engine {
    fn statistics_target(&self) -> usize {
        self.settings
            .borrow()
            .get("default_statistics_target")
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100)
    }

    /// ANALYZE of `targets` (every table when empty), or the ANALYZE half
    /// of VACUUM ANALYZE.
    pub(super) fn run_analyze(
        &mut self,
        targets: &[AnalyzeTarget],
        verbose: bool,
        policy: &WaitPolicy,
        sink: &mut dyn RowSink,
    ) -> PgResult<()> {
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let mut jobs: Vec<(Arc<TableDesc>, Vec<usize>)> = Vec::new();
        if targets.is_empty() {
            for t in cat.tables.iter() {
                jobs.push((t.clone(), analyze::target_columns(t, &[])?));
            }
        } else {
            for tg in targets {
                let t = cat.table(&tg.table).ok_or_else(|| no_relation(&tg.table))?;
                jobs.push((t.clone(), analyze::target_columns(t, &tg.columns)?));
            }
        }
        for (t, _) in &jobs {
            self.mvcc
                .lock_relation(t.oid, LockMode::ShareUpdateExclusive, policy, &self.limits)?;
        }
        for (t, cols) in jobs {
            if verbose {
                self.notice(sink, info(format!("analyzing \"public.{}\"", t.name)));
            }
            let a = self.analyze_one(&t, &cols, false, *policy)?;
            if verbose {
                self.notice(sink, info(analyze::verbose_message(&t, &a)));
            }
        }
        Ok(())
    }

    /// Samples and stores one table's statistics with a snapshot of its
    /// own, and reports the ANALYZE in pg_stat_user_tables.
    fn analyze_one(
        &mut self,
        t: &TableDesc,
        cols: &[usize],
        auto: bool,
        policy: WaitPolicy,
    ) -> PgResult<analyze::Analyzed> {
        let seg = self.env.segment;
        let mod_at_start = shmem::relstats::get(&seg, t.oid).n_mod_since_analyze;
        let sx = self.mvcc.start_statement(&self.limits, false, policy)?;
        let target = self.statistics_target();
        let a = analyze::analyze_table(
            &self.env.config.data_dir,
            &seg.buffer_pool(),
            t,
            cols,
            &sx.mvcc,
            target,
        )?;
        shmem::relstats::report_analyze(&seg, t.oid, auto, a.stats.reltuples, mod_at_start);
        Ok(a)
    }

    /// After a transaction ended outside a transaction block: analyzes
    /// the tables it changed that crossed their autoanalyze threshold,
    /// each in a transaction of its own.
    pub(super) fn autoanalyze(&mut self) {
        let rels = self.mvcc.take_modified_rels();
        if rels.is_empty() {
            return;
        }
        let seg = self.env.segment;
        for rel in rels {
            if !shmem::relstats::claim_autoanalyze(
                &seg,
                rel,
                AUTOANALYZE_THRESHOLD,
                AUTOANALYZE_SCALE_FACTOR,
            ) {
                continue;
            }
            let r = self.autoanalyze_one(rel);
            shmem::relstats::end_autoanalyze(&seg, rel);
            if let Err(e) = r {
                tracing::warn!("automatic analyze of table {rel} failed: {}", e.message);
            }
            // Changes of the autoanalyze itself (none) are not candidates.
            let _ = self.mvcc.take_modified_rels();
        }
    }

    fn autoanalyze_one(&mut self, rel: u32) -> PgResult<()> {
        self.catalog.refresh()?;
        let Some(t) = self
            .catalog
            .get()
            .tables
            .iter()
            .find(|t| t.oid == rel)
            .cloned()
        else {
            return Ok(());
        };
        let policy = WaitPolicy {
            nowait: true,
            ..self.limits.wait_policy(None)
        };
        let r = (|| {
            self.mvcc
                .lock_relation(rel, LockMode::ShareUpdateExclusive, &policy, &self.limits)?;
            let cols = analyze::target_columns(&t, &[])?;
            self.analyze_one(&t, &cols, true, policy)
        })();
        self.mvcc.end_statement();
        match r {
            Ok(_) => self.commit_transaction(),
            Err(e) => {
                self.abort_transaction();
                Err(e)
            }
        }
    }
}
