//! A session's constraint checks that wait (PostgreSQL's after-trigger
//! queue for the RI and unique-recheck triggers): foreign key checks of
//! a DEFERRABLE constraint, and the rechecks of a deferrable UNIQUE or
//! PRIMARY KEY whose index let a possible duplicate in (PostgreSQL's
//! UNIQUE_CHECK_PARTIAL). A check whose constraint is deferred (INITIALLY
//! DEFERRED, or SET CONSTRAINTS ... DEFERRED) waits here for COMMIT, or
//! for a SET CONSTRAINTS ... IMMEDIATE naming it; the others run at the
//! end of their statement. Each check remembers the subtransaction that
//! queued it, so ROLLBACK TO drops the checks of the rolled-back part;
//! the SET CONSTRAINTS modes are restored by ROLLBACK TO as well.
//!
//! This module only keeps the queue and the modes; the executor
//! (`executor::deferred`) runs the checks.

use std::sync::Arc;

use crate::access::ItemPointer;
use crate::catalog::constraint::ConstraintDesc;
use crate::catalog::{IndexDesc, TableDesc};
use crate::types::{Oid, Value};

/// One check waiting to run.
#[derive(Clone, Debug)]
pub enum Check {
    /// A referencing row was written at `tid`: its key must be present
    /// in the referenced table.
    ForeignKey {
        fk: Arc<ConstraintDesc>,
        child: Arc<TableDesc>,
        parent: Arc<TableDesc>,
        parent_indexes: Vec<Arc<IndexDesc>>,
        tid: ItemPointer,
        row: Vec<Value>,
    },
    /// A referenced key (`old`, of a row of `parent`) was deleted or
    /// changed under a NO ACTION foreign key: no row may reference it
    /// unless the key is back.
    StillReferenced {
        fk: Arc<ConstraintDesc>,
        parent: Arc<TableDesc>,
        parent_indexes: Vec<Arc<IndexDesc>>,
        child: Arc<TableDesc>,
        child_indexes: Vec<Arc<IndexDesc>>,
        old: Vec<Value>,
    },
    /// The version at `tid` was let into a deferrable unique `index`
    /// next to another live version with its key: one of them must be
    /// gone by the time of the check.
    Unique {
        table: Arc<TableDesc>,
        index: Arc<IndexDesc>,
        tid: ItemPointer,
    },
}

impl Check {
    /// The constraint's OID (a unique constraint's is its index's), and
    /// whether it is DEFERRABLE and INITIALLY DEFERRED.
    pub fn constraint(&self) -> (Oid, bool, bool) {
        match self {
            Check::ForeignKey { fk, .. } | Check::StillReferenced { fk, .. } => {
                (fk.oid, fk.deferrable, fk.deferred)
            }
            Check::Unique { index, .. } => (index.oid, index.deferrable, index.deferred),
        }
    }
}

/// The SET CONSTRAINTS modes of a transaction.
#[derive(Clone, Debug, Default, PartialEq)]
struct Modes {
    /// SET CONSTRAINTS ALL: deferred (true) or immediate.
    all: Option<bool>,
    /// Named constraints set since, newest last.
    named: Vec<(Oid, bool)>,
}

/// A session's waiting checks and SET CONSTRAINTS modes.
#[derive(Debug, Default)]
pub struct DeferredState {
    /// The current subtransaction level (0: the top transaction).
    level: usize,
    /// Checks deferred to COMMIT (or SET CONSTRAINTS IMMEDIATE), with the
    /// level that queued them.
    queue: Vec<(usize, Check)>,
    /// Unique rechecks the running statement noted, for its end.
    statement: Vec<(usize, Check)>,
    modes: Modes,
    /// The modes when each open savepoint was made (`saved[i]`: level
    /// i + 1's).
    saved: Vec<Modes>,
}

impl DeferredState {
    /// Whether a check of constraint `oid` waits for COMMIT now.
    pub fn is_deferred(&self, (oid, deferrable, initially): (Oid, bool, bool)) -> bool {
        if !deferrable {
            return false;
        }
        if let Some(&(_, d)) = self.modes.named.iter().rev().find(|(o, _)| *o == oid) {
            return d;
        }
        self.modes.all.unwrap_or(initially)
    }

    /// SET CONSTRAINTS ALL DEFERRED | IMMEDIATE.
    pub fn set_all(&mut self, deferred: bool) {
        self.modes = Modes {
            all: Some(deferred),
            named: Vec::new(),
        };
    }

    /// SET CONSTRAINTS name, ... DEFERRED | IMMEDIATE.
    pub fn set_named(&mut self, oids: &[Oid], deferred: bool) {
        self.modes.named.retain(|(o, _)| !oids.contains(o));
        self.modes.named.extend(oids.iter().map(|&o| (o, deferred)));
    }

    /// Queues a check for COMMIT.
    pub fn defer(&mut self, check: Check) {
        self.queue.push((self.level, check));
    }

    /// Notes a unique recheck for the end of the running statement.
    pub fn note_unique(&mut self, check: Check) {
        self.statement.push((self.level, check));
    }

    /// The unique rechecks the statement noted.
    pub fn take_statement(&mut self) -> Vec<Check> {
        std::mem::take(&mut self.statement)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// The queued checks whose constraints are no longer deferred (after
    /// SET CONSTRAINTS ... IMMEDIATE), taken off the queue.
    pub fn take_immediate(&mut self) -> Vec<Check> {
        let (now, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(|(_, c)| !self.is_deferred(c.constraint()));
        self.queue = keep;
        now.into_iter().map(|(_, c)| c).collect()
    }

    /// Every queued check (COMMIT), taken off the queue.
    pub fn take_all(&mut self) -> Vec<Check> {
        std::mem::take(&mut self.queue)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    pub fn has_queued(&self) -> bool {
        !self.queue.is_empty()
    }

    /// SAVEPOINT: a new level.
    pub fn savepoint(&mut self) {
        self.saved.push(self.modes.clone());
        self.level += 1;
    }

    /// RELEASE: levels above `level` merge into it.
    pub fn release_to(&mut self, level: usize) {
        for (l, _) in self.queue.iter_mut().chain(self.statement.iter_mut()) {
            if *l > level {
                *l = level;
            }
        }
        self.saved.truncate(level);
        self.level = level;
    }

    /// ROLLBACK TO the savepoint of level `level` (which stays open):
    /// its checks and later ones go, the modes are those it began with.
    pub fn rollback_to(&mut self, level: usize) {
        self.queue.retain(|(l, _)| *l < level);
        self.statement.retain(|(l, _)| *l < level);
        if let Some(m) = self.saved.get(level.wrapping_sub(1)) {
            self.modes = m.clone();
        }
        self.saved.truncate(level);
        self.level = level;
    }

    /// The transaction ended: nothing waits, every mode is the default.
    pub fn clear(&mut self) {
        *self = DeferredState::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::IndexDesc;

    fn unique(oid: Oid, deferrable: bool, deferred: bool) -> Check {
        let table = Arc::new(TableDesc {
            namespace: crate::catalog::PUBLIC_NAMESPACE,
            oid: 1,
            name: "t".into(),
            columns: vec![],
            fillfactor: 100,
            relfilenode: 0,
        });
        Check::Unique {
            table,
            index: Arc::new(IndexDesc {
                namespace: crate::catalog::PUBLIC_NAMESPACE,
                oid,
                name: "t_a_key".into(),
                table: 1,
                columns: vec![0],
                unique: true,
                primary: false,
                constraint: true,
                relfilenode: 0,
                deferrable,
                deferred,
                options: vec![],
            }),
            tid: ItemPointer::default(),
        }
    }

    #[test]
    fn modes_follow_set_constraints_and_savepoints() {
        let mut s = DeferredState::default();
        assert!(s.is_deferred((7, true, true)));
        assert!(!s.is_deferred((7, true, false)));
        assert!(!s.is_deferred((7, false, false)));
        s.set_all(true);
        assert!(s.is_deferred((7, true, false)));
        assert!(!s.is_deferred((7, false, false)));
        s.savepoint();
        s.set_named(&[7], false);
        assert!(!s.is_deferred((7, true, true)));
        assert!(s.is_deferred((8, true, false)));
        s.rollback_to(1);
        assert!(s.is_deferred((7, true, false)));
    }

    #[test]
    fn rollback_to_drops_the_checks_of_the_rolled_back_part() {
        let mut s = DeferredState::default();
        s.defer(unique(5, true, true));
        s.savepoint();
        s.defer(unique(6, true, true));
        s.savepoint();
        s.defer(unique(7, true, true));
        s.release_to(1);
        assert_eq!(s.queue.len(), 3);
        s.rollback_to(1);
        assert_eq!(s.queue.len(), 1);
        s.set_named(&[5], false);
        assert_eq!(s.take_immediate().len(), 1);
        assert!(!s.has_queued());
    }
}
