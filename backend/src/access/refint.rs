//! Row lookups for foreign keys (PostgreSQL's ri_triggers queries): the
//! rows of a table whose key columns equal a key, judged by their latest
//! state ("dirty": committed changes of others and our own, whatever the
//! statement's snapshot), through an index whose leading columns are the
//! key's when there is one, else by a scan of the heap.
//!
//! Why this is safe without row locks on the referenced side: a
//! referencing row is inserted before its check looks for the referenced
//! row, and a referenced row is deleted (its xmax stamped) before the
//! check on its side looks for referencing rows; so of two such
//! transactions at least one sees the other's change still in progress
//! and waits for it to end, as PostgreSQL's FOR KEY SHARE lock would make
//! it wait.

use std::ops::Bound;

use shmem::buffer::BufferPool;

use crate::access::heap;
use crate::access::visibility::{satisfies_dirty, Liveness};
use crate::access::xact::StmtXact;
use crate::access::{btree, keys, tuple, ItemPointer};
use crate::catalog::{IndexDesc, TableDesc};
use crate::error::{PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::types::{Oid, Value};

/// What a lookup found.
pub enum Found {
    /// The live rows (at most one unless all were asked for).
    Rows(Vec<(ItemPointer, Vec<Value>)>),
    /// A transaction in progress changes a matching row: wait for it and
    /// look again.
    Wait(u32),
}

/// A lookup of `key` (values of the types of `cols`, none NULL) in
/// `table`.
pub struct Lookup<'a> {
    pub pool: &'a BufferPool,
    pub table: &'a TableDesc,
    /// Candidate indexes: one whose leading columns are `cols` (in any
    /// order) is used.
    pub indexes: &'a [std::sync::Arc<IndexDesc>],
    pub cols: &'a [usize],
    pub key: &'a [Value],
    /// Rows another transaction is inserting count (wait for them) or
    /// not (a referenced row must be committed to count).
    pub wait_inserts: bool,
    /// Every matching row, or stop at the first.
    pub all: bool,
}

impl Lookup<'_> {
    fn matches(&self, row: &[Value]) -> bool {
        self.cols.iter().zip(self.key).all(|(&c, k)| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            keys::encode_value(&row[c], &mut a);
            keys::encode_value(k, &mut b);
            !row[c].is_null() && a == b
        })
    }

    /// Judges one version: Some(found) ends the lookup.
    fn judge(
        &self,
        xact: &StmtXact,
        tid: ItemPointer,
        h: &heap::HeapTupleHeader,
        data: &[u8],
        (types, missing): (&[Oid], &[Value]),
        out: &mut Vec<(ItemPointer, Vec<Value>)>,
    ) -> PgResult<Option<Found>> {
        let procs = xact.procs();
        let live = satisfies_dirty(procs.clog(), h, &xact.mvcc.own, &|x| procs.is_running(x));
        let (wait, counts) = match live {
            Liveness::Dead => return Ok(None),
            Liveness::Live => (None, true),
            Liveness::InsertInProgress(x) => (self.wait_inserts.then_some(x), false),
            Liveness::DeleteInProgress(x) => (Some(x), false),
        };
        if wait.is_none() && !counts {
            return Ok(None);
        }
        let row = tuple::deform_all(types, missing, data)?;
        if !self.matches(&row) {
            return Ok(None);
        }
        if let Some(x) = wait {
            return Ok(Some(Found::Wait(x)));
        }
        out.push((tid, row));
        Ok((!self.all).then(|| Found::Rows(std::mem::take(out))))
    }

    /// Runs the lookup as `xact` judges row versions.
    pub fn run(&self, xact: &StmtXact) -> PgResult<Found> {
        let types: Vec<Oid> = self.table.columns.iter().map(|c| c.ty).collect();
        let missing = self.table.missing_values();
        let rel = self.table.rel();
        let mut out = Vec::new();
        let index = self.indexes.iter().find(|i| {
            i.columns.len() >= self.cols.len()
                && i.columns[..self.cols.len()]
                    .iter()
                    .all(|c| self.cols.contains(c))
        });
        if let Some(idx) = index {
            let mut prefix = Vec::new();
            for (n, c) in idx.columns[..self.cols.len()].iter().enumerate() {
                let k = self.cols.iter().position(|x| x == c).unwrap_or(0);
                keys::encode_column(&self.key[k], idx.option(n), &mut prefix);
            }
            let upper = keys::prefix_upper(&prefix);
            let mut scan = btree::scan(
                self.pool,
                idx.rel(),
                Bound::Included(prefix.as_slice()),
                Bound::Excluded(upper.as_slice()),
            );
            let mut seen = std::collections::HashSet::new();
            while let Some((_, root)) = scan.next().map_err(PgError::from)? {
                check_for_interrupts()?;
                if !seen.insert(root) {
                    continue;
                }
                for (tid, _) in heap::chain(self.pool, rel, root).map_err(PgError::from)? {
                    let Some((h, data)) =
                        heap::fetch_version(self.pool, rel, tid).map_err(PgError::from)?
                    else {
                        continue;
                    };
                    if let Some(f) =
                        self.judge(xact, tid, &h, &data, (&types, &missing), &mut out)?
                    {
                        return Ok(f);
                    }
                }
            }
            return Ok(Found::Rows(out));
        }
        let n = self.pool.nblocks(rel).map_err(PgError::from)?;
        for block in 0..n {
            check_for_interrupts()?;
            for (tid, h, data) in
                heap::block_versions(self.pool, rel, block).map_err(PgError::from)?
            {
                if let Some(f) = self.judge(xact, tid, &h, &data, (&types, &missing), &mut out)? {
                    return Ok(f);
                }
            }
        }
        Ok(Found::Rows(out))
    }
}
