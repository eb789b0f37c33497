//! Table access for the SQL layer: row versions in and out of heap
//! relations with their indexes kept in step (PostgreSQL's heapam +
//! executor index maintenance), within a statement's transaction;
//! constraint checks (NOT NULL, UNIQUE with waits for transactions in
//! progress on the same key, varchar/char lengths, numeric precision);
//! scans by heap or by index as the statement's snapshot sees them; index
//! builds.

use std::ops::Bound;
use std::sync::Arc;

use shmem::buffer::BufferPool;
use shmem::lockmgr::{LockMode, LockTag};

use crate::access::btree::{self, BTreeScan};
use crate::access::heap::{self, HeapScan, HeapTupleHeader};
use crate::access::prune;
use crate::access::visibility::{satisfies_dirty, Liveness, Mvcc, TmResult};
use crate::access::xact::StmtXact;
use crate::access::{keys, tuple};
use crate::access::{AccessError, ItemPointer};
use crate::catalog::{format_type, IndexDesc, TableDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::types::{oid, Oid, Value};
use crate::utils::adt::ops;

/// Text of a value for error details ("Failing row contains (...)").
pub fn show(v: &Value) -> String {
    if v.is_null() {
        "null".into()
    } else {
        v.to_text()
    }
}

/// Assignment of a value to a column: varchar(n)/char(n) length checks
/// (trailing blanks are cut silently, as PostgreSQL does), char padding,
/// numeric precision and scale.
pub fn assign(v: Value, ty: Oid, typmod: i32) -> PgResult<Value> {
    // time(p) and timetz(p) keep p itself (0 to 6) as their typmod.
    let time_like = matches!(ty, oid::TIME | oid::TIMETZ)
        || matches!(crate::types::array_element(ty), oid::TIME | oid::TIMETZ);
    if typmod < 0 || (typmod < 4 && !time_like) || v.is_null() {
        return Ok(v);
    }
    match (ty, v) {
        (oid::VARCHAR | oid::BPCHAR, Value::Text(s)) => {
            let n = (typmod - 4) as usize;
            let len = s.chars().count();
            if len > n {
                let cut: usize = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
                if s[cut..].chars().any(|c| c != ' ') {
                    return Err(PgError::new(
                        sqlstate::STRING_DATA_RIGHT_TRUNCATION,
                        format!("value too long for type {}", format_type(ty, typmod)),
                    ));
                }
                let mut s = s;
                s.truncate(cut);
                return Ok(Value::Text(s));
            }
            if ty == oid::BPCHAR && len < n {
                let mut s = s;
                s.extend(std::iter::repeat_n(' ', n - len));
                return Ok(Value::Text(s));
            }
            Ok(Value::Text(s))
        }
        (t, v @ (Value::Array(..) | Value::MdArray(_))) => {
            // varchar(3)[]: each element as it would be assigned.
            let elem = crate::types::array_element(t);
            crate::utils::adt::arrays::map_elements(v, |x| assign(x, elem, typmod))
        }
        (t, v) => ops::apply_typmod(v, t, typmod),
    }
}

/// Which unique index a row conflicted with, and the live row it
/// conflicted with.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub index: Arc<IndexDesc>,
    pub key: Vec<Value>,
    pub existing: ItemPointer,
}

/// Why an update did not happen.
#[derive(Debug)]
pub enum UpdateFailure {
    /// The version may not be changed (see [`TmResult`]).
    Tm(TmResult),
    /// The new version would duplicate a unique key.
    Conflict(Conflict),
}

/// A unique check's verdict.
enum Unique {
    Clear,
    Conflict(ItemPointer),
    /// A transaction inserting or deleting an equal key is in progress.
    WaitFor(u32),
}

/// A table with its indexes, for reading and writing rows within a
/// statement's transaction.
pub struct TableAccess<'x> {
    pub table: Arc<TableDesc>,
    pub indexes: Vec<Arc<IndexDesc>>,
    pub types: Vec<Oid>,
    pool: BufferPool,
    buf: Vec<u8>,
    pub xact: &'x StmtXact,
}

/// An index key of a row: bytes, and whether a column is NULL (then it
/// never conflicts).
fn index_key(idx: &IndexDesc, row: &[Value]) -> (Vec<u8>, bool) {
    let mut k = Vec::with_capacity(idx.columns.len() * 9);
    let mut has_null = false;
    for (n, &c) in idx.columns.iter().enumerate() {
        has_null |= row[c].is_null();
        keys::encode_column(&row[c], idx.option(n), &mut k);
    }
    (k, has_null)
}

/// The lock-manager tag serializing unique checks of one key of one index
/// (check and insert must not interleave with another inserter's).
fn key_tag(index: u32, key: &[u8]) -> LockTag {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key {
        h = (h ^ *b as u64).wrapping_mul(0x100_0000_01b3);
    }
    LockTag::Tuple(index, (h >> 32) as u32, h as u16)
}

impl<'x> TableAccess<'x> {
    pub fn new(
        pool: BufferPool,
        table: Arc<TableDesc>,
        indexes: Vec<Arc<IndexDesc>>,
        xact: &'x StmtXact,
    ) -> Self {
        let types = table.columns.iter().map(|c| c.ty).collect();
        TableAccess {
            table,
            indexes,
            types,
            pool,
            buf: Vec::new(),
            xact,
        }
    }

    pub fn pool(&self) -> &BufferPool {
        &self.pool
    }

    /// Applies column typmods and checks NOT NULL.
    pub fn check_row(&self, row: &mut [Value]) -> PgResult<()> {
        for (i, c) in self.table.columns.iter().enumerate() {
            let v = std::mem::replace(&mut row[i], Value::Null);
            row[i] = assign(v, c.ty, c.typmod)?;
        }
        for (i, c) in self.table.columns.iter().enumerate() {
            if c.not_null && row[i].is_null() {
                let shown: Vec<String> = row.iter().map(show).collect();
                return Err(PgError::new(
                    sqlstate::NOT_NULL_VIOLATION,
                    format!(
                        "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                        c.name, self.table.name
                    ),
                )
                .with_detail(format!("Failing row contains ({}).", shown.join(", ")))
                .with_table(&crate::catalog::namespace::schema_name(self.table.namespace), &self.table.name)
                .with_column(&c.name));
            }
        }
        Ok(())
    }

    /// The 23505 error for a conflict.
    pub fn unique_error(&self, c: &Conflict) -> PgError {
        let cols: Vec<&str> = c
            .index
            .columns
            .iter()
            .map(|&i| self.table.columns[i].name.as_str())
            .collect();
        let vals: Vec<String> = c.key.iter().map(show).collect();
        PgError::new(
            sqlstate::UNIQUE_VIOLATION,
            format!(
                "duplicate key value violates unique constraint \"{}\"",
                c.index.name
            ),
        )
        .with_detail(format!(
            "Key ({})=({}) already exists.",
            cols.join(", "),
            vals.join(", ")
        ))
        .with_table(
            &crate::catalog::namespace::schema_name(self.table.namespace),
            &self.table.name,
        )
        .with_constraint(&c.index.name)
    }

    fn conflict(&self, i: usize, row: &[Value], existing: ItemPointer) -> Conflict {
        let idx = self.indexes[i].clone();
        let key = idx.columns.iter().map(|&c| row[c].clone()).collect();
        Conflict {
            index: idx,
            key,
            existing,
        }
    }

    /// Whether a live version other than ours holds `key` in `idx`.
    fn check_unique(&self, idx: &IndexDesc, key: &[u8]) -> PgResult<Unique> {
        self.check_unique_except(idx, key, None)
    }

    /// [`Self::check_unique`], not counting the version at `except`.
    fn check_unique_except(
        &self,
        idx: &IndexDesc,
        key: &[u8],
        except: Option<ItemPointer>,
    ) -> PgResult<Unique> {
        let upper = keys::prefix_upper(key);
        let mut scan = btree::scan(
            &self.pool,
            idx.rel(),
            Bound::Included(key),
            Bound::Excluded(upper.as_slice()),
        );
        let rel = self.table.rel();
        let own = &self.xact.mvcc.own;
        while let Some((k, root)) = scan.next().map_err(PgError::from)? {
            if k != key {
                continue;
            }
            for (tid, h) in heap::chain(&self.pool, rel, root).map_err(PgError::from)? {
                if Some(tid) == except {
                    continue;
                }
                match satisfies_dirty(self.xact.procs().clog(), &h, own, &|x| {
                    self.xact.procs().is_running(x)
                }) {
                    Liveness::Dead => {}
                    Liveness::Live => return Ok(Unique::Conflict(tid)),
                    Liveness::InsertInProgress(x) | Liveness::DeleteInProgress(x) => {
                        return Ok(Unique::WaitFor(x))
                    }
                }
            }
        }
        Ok(Unique::Clear)
    }

    /// Adds the index entry of `idx` for version `tid`; for a unique index
    /// first checks (waiting for transactions in progress on the same
    /// key) that no other live version holds the key. Returns the
    /// conflicting version's tid.
    ///
    /// A deferrable unique index (PostgreSQL's UNIQUE_CHECK_PARTIAL) takes
    /// the entry whatever it finds, noting a recheck of the version for
    /// the end of the statement or COMMIT when another version may hold
    /// the key ([`Self::recheck_unique`]).
    fn index_insert(
        &self,
        idx: &Arc<IndexDesc>,
        key: &[u8],
        has_null: bool,
        tid: ItemPointer,
    ) -> PgResult<Option<ItemPointer>> {
        if !idx.unique || has_null {
            btree::insert(&self.pool, idx.rel(), key, tid, false).map_err(PgError::from)?;
            return Ok(None);
        }
        let tag = key_tag(idx.oid, key);
        let lm = self.xact.lock_manager();
        if idx.deferrable {
            self.xact.lock_tag(tag)?;
            let verdict = self.check_unique(idx, key).and_then(|v| {
                btree::insert(&self.pool, idx.rel(), key, tid, false)
                    .map(|()| v)
                    .map_err(PgError::from)
            });
            lm.release(self.xact.backend(), tag, LockMode::Exclusive);
            if !matches!(verdict?, Unique::Clear) {
                self.xact.deferred.borrow_mut().note_unique(
                    crate::access::deferred::Check::Unique {
                        table: self.table.clone(),
                        index: idx.clone(),
                        tid,
                    },
                );
            }
            return Ok(None);
        }
        loop {
            self.xact.lock_tag(tag)?;
            let verdict = self.check_unique(idx, key);
            let verdict = match verdict {
                Ok(Unique::Clear) => btree::insert(&self.pool, idx.rel(), key, tid, false)
                    .map(|()| Unique::Clear)
                    .map_err(PgError::from),
                other => other,
            };
            lm.release(self.xact.backend(), tag, LockMode::Exclusive);
            match verdict? {
                Unique::Clear => return Ok(None),
                Unique::Conflict(t) => return Ok(Some(t)),
                Unique::WaitFor(x) => self.xact.wait_for(x)?,
            }
        }
    }

    /// The recheck of a deferrable unique `idx` for the version at `tid`
    /// (PostgreSQL's unique_key_recheck): nothing if that version is no
    /// longer live, else the live version holding the same key, if any
    /// (waiting for transactions in progress on that key).
    pub fn recheck_unique(
        &self,
        idx: &Arc<IndexDesc>,
        tid: ItemPointer,
    ) -> PgResult<Option<Conflict>> {
        let Some((h, row)) = self.fetch_version(tid)? else {
            return Ok(None);
        };
        let procs = self.xact.procs();
        let own = &self.xact.mvcc.own;
        if satisfies_dirty(procs.clog(), &h, own, &|x| procs.is_running(x)) != Liveness::Live {
            return Ok(None);
        }
        let (key, has_null) = index_key(idx, &row);
        if has_null {
            return Ok(None);
        }
        let tag = key_tag(idx.oid, &key);
        let lm = self.xact.lock_manager();
        loop {
            self.xact.lock_tag(tag)?;
            let verdict = self.check_unique_except(idx, &key, Some(tid));
            lm.release(self.xact.backend(), tag, LockMode::Exclusive);
            match verdict? {
                Unique::Clear => return Ok(None),
                Unique::Conflict(t) => {
                    return Ok(Some(Conflict {
                        index: idx.clone(),
                        key: idx.columns.iter().map(|&c| row[c].clone()).collect(),
                        existing: t,
                    }))
                }
                Unique::WaitFor(x) => self.xact.wait_for(x)?,
            }
        }
    }

    /// Inserts a checked row; a unique conflict leaves nothing visible
    /// behind and names the live row it conflicted with.
    pub fn insert(&mut self, row: &[Value]) -> PgResult<Result<ItemPointer, Conflict>> {
        tuple::form_into(&self.types, row, &mut self.buf)?;
        let rel = self.table.rel();
        let w = self.xact.writer();
        let tid = heap::insert(&self.pool, rel, &self.buf, self.table.fillfactor, &w)
            .map_err(PgError::from)?;
        self.xact.stats.borrow_mut().inserted(self.table.oid);
        for (i, idx) in self.indexes.iter().enumerate() {
            let (k, has_null) = index_key(idx, row);
            if let Some(existing) = self.index_insert(idx, &k, has_null, tid)? {
                heap::kill_inserted(&self.pool, rel, tid).map_err(PgError::from)?;
                for done in &self.indexes[..i] {
                    let (k, _) = index_key(done, row);
                    btree::delete(&self.pool, done.rel(), &k, tid).map_err(PgError::from)?;
                }
                return Ok(Err(self.conflict(i, row, existing)));
            }
        }
        Ok(Ok(tid))
    }

    /// Deletes the version at `tid`: `Ok`, or why it may not be deleted.
    pub fn delete(&mut self, tid: ItemPointer) -> PgResult<TmResult> {
        let rel = self.table.rel();
        let r = heap::delete(&self.pool, rel, tid, &self.xact.writer()).map_err(PgError::from)?;
        if r == TmResult::Ok {
            self.xact.stats.borrow_mut().deleted(self.table.oid);
        }
        Ok(r)
    }

    /// Locks the version at `tid` (SELECT ... FOR UPDATE).
    pub fn lock_row(&mut self, tid: ItemPointer) -> PgResult<TmResult> {
        let rel = self.table.rel();
        heap::lock_tuple(&self.pool, rel, tid, &self.xact.writer()).map_err(PgError::from)
    }

    /// Writes `new` (checked) as the next version of row `old` at `tid`;
    /// indexes get entries for it unless the update is HOT.
    pub fn update(
        &mut self,
        tid: ItemPointer,
        old: &[Value],
        new: &[Value],
    ) -> PgResult<Result<ItemPointer, UpdateFailure>> {
        tuple::form_into(&self.types, new, &mut self.buf)?;
        let rel = self.table.rel();
        let news: Vec<(Vec<u8>, bool)> = self.indexes.iter().map(|i| index_key(i, new)).collect();
        let hot_ok = self
            .indexes
            .iter()
            .zip(&news)
            .all(|(i, n)| index_key(i, old).0 == n.0);
        let ff = self.table.fillfactor;
        let w = self.xact.writer();
        let up =
            heap::update(&self.pool, rel, tid, &self.buf, ff, &w, hot_ok).map_err(PgError::from)?;
        let up = match up {
            Ok(u) => u,
            Err(r) => return Ok(Err(UpdateFailure::Tm(r))),
        };
        self.xact.stats.borrow_mut().updated(self.table.oid, up.hot);
        if !up.hot {
            for (i, idx) in self.indexes.iter().enumerate() {
                let (k, has_null) = &news[i];
                if let Some(existing) = self.index_insert(idx, k, *has_null, up.tid)? {
                    // The statement fails, and with it the transaction.
                    heap::kill_inserted(&self.pool, rel, up.tid).map_err(PgError::from)?;
                    return Ok(Err(UpdateFailure::Conflict(
                        self.conflict(i, new, existing),
                    )));
                }
            }
        }
        Ok(Ok(up.tid))
    }

    /// The version at `tid` whatever its visibility: header and row.
    pub fn fetch_version(
        &self,
        tid: ItemPointer,
    ) -> PgResult<Option<(HeapTupleHeader, Vec<Value>)>> {
        match heap::fetch_version(&self.pool, self.table.rel(), tid).map_err(PgError::from)? {
            Some((h, d)) => Ok(Some((
                h,
                tuple::deform_all(&self.types, &self.table.missing_values(), &d)?,
            ))),
            None => Ok(None),
        }
    }
}

/// Visible tuples of a relation, by heap or by index order.
pub enum TupleScan {
    Heap(HeapScan),
    /// A Tid Scan: the one version at a tid, if the snapshot sees it.
    Tid {
        pool: BufferPool,
        heap: u32,
        tid: Option<ItemPointer>,
        mvcc: Mvcc,
    },
    Index {
        pool: BufferPool,
        heap: u32,
        scan: BTreeScan,
        mvcc: Mvcc,
        /// The index, and the table's column types and missing values,
        /// to recheck keys.
        index: Arc<IndexDesc>,
        shape: Box<(Vec<Oid>, Vec<Value>)>,
        /// Scratch row the recheck decodes into.
        row: Vec<Value>,
    },
}

impl TupleScan {
    /// A sequential scan as `xact` sees the table (pruning pages on the
    /// way).
    pub fn heap(pool: &BufferPool, rel: u32, xact: &StmtXact) -> TupleScan {
        let procs = xact.procs();
        TupleScan::Heap(heap::scan(
            pool,
            rel,
            xact.mvcc.clone(),
            Some(Box::new(move || procs.global_xmin())),
        ))
    }

    /// An index scan of `table` through `index` between the key bounds,
    /// in key order or (`backward`) from the highest key down.
    pub fn index(
        pool: &BufferPool,
        table: &TableDesc,
        index: &Arc<IndexDesc>,
        (lower, upper): (Bound<Vec<u8>>, Bound<Vec<u8>>),
        backward: bool,
        xact: &StmtXact,
    ) -> TupleScan {
        let start = if backward {
            btree::scan_backward
        } else {
            btree::scan
        };
        TupleScan::Index {
            pool: *pool,
            heap: table.rel(),
            scan: start(
                pool,
                index.rel(),
                lower.as_ref().map(Vec::as_slice),
                upper.as_ref().map(Vec::as_slice),
            ),
            mvcc: xact.mvcc.clone(),
            index: index.clone(),
            shape: Box::new((
                table.columns.iter().map(|c| c.ty).collect(),
                table.missing_values(),
            )),
            row: Vec::new(),
        }
    }

    /// A Tid Scan: the version at `tid` (not the HOT chain from it, as
    /// PostgreSQL's heap_fetch), if `xact`'s snapshot sees it.
    pub fn tid(
        pool: &BufferPool,
        table: &TableDesc,
        tid: ItemPointer,
        xact: &StmtXact,
    ) -> TupleScan {
        TupleScan::Tid {
            pool: *pool,
            heap: table.rel(),
            tid: Some(tid),
            mvcc: xact.mvcc.clone(),
        }
    }

    /// The next visible tuple: its tid and data.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> PgResult<Option<(ItemPointer, Vec<u8>)>> {
        Ok(self.next_with_header()?.map(|(tid, _, data)| (tid, data)))
    }

    /// The next visible tuple with its header (xmin, xmax, command ids:
    /// the system columns).
    pub fn next_with_header(
        &mut self,
    ) -> PgResult<Option<(ItemPointer, heap::HeapTupleHeader, Vec<u8>)>> {
        match self {
            TupleScan::Heap(s) => s.next_with_header().map_err(PgError::from),
            TupleScan::Tid {
                pool,
                heap,
                tid,
                mvcc,
            } => {
                let Some(t) = tid.take() else {
                    return Ok(None);
                };
                if t.offset == 0 || t.block >= pool.nblocks(*heap).map_err(PgError::from)? {
                    return Ok(None);
                }
                Ok(heap::fetch_version(pool, *heap, t)
                    .map_err(PgError::from)?
                    .filter(|(h, _)| crate::access::visibility::satisfies_mvcc(h, mvcc))
                    .map(|(h, data)| (t, h, data)))
            }
            TupleScan::Index {
                pool,
                heap,
                scan,
                mvcc,
                index,
                shape,
                row,
            } => loop {
                let Some((key, root)) = scan.next().map_err(PgError::from)? else {
                    return Ok(None);
                };
                let Some((tid, header, data)) =
                    heap::fetch_visible_with_header(pool, *heap, root, mvcc)
                        .map_err(PgError::from)?
                else {
                    continue;
                };
                // The version this snapshot sees must carry the entry's
                // key: a HOT chain older than its index (CREATE INDEX
                // indexes a chain by its newest version while an old
                // snapshot may still see an earlier one) can hold
                // versions with other keys, even at the root.
                let last = index.columns.iter().copied().max().unwrap_or(0);
                tuple::deform(
                    &shape.0,
                    &shape.1,
                    &data,
                    last,
                    &|i| index.columns.contains(&i),
                    row,
                )?;
                if index_key(index, row).0 == key {
                    return Ok(Some((tid, header, data)));
                }
            },
        }
    }
}

/// Every row version of `table` that snapshots may still see, one per
/// HOT chain (the newest not known dead), with its chain's root tid: what
/// index builds and table checks under a table lock work from.
fn live_rows(
    pool: &BufferPool,
    table: &TableDesc,
    horizon: u32,
    f: &mut dyn FnMut(ItemPointer, &[u8]) -> PgResult<()>,
) -> PgResult<()> {
    let n = pool.nblocks(table.rel()).map_err(PgError::from)?;
    for block in 0..n {
        check_for_interrupts()?;
        for (tid, data) in
            prune::live_chains(pool, table.rel(), block, horizon).map_err(PgError::from)?
        {
            f(tid, &data)?;
        }
    }
    Ok(())
}

/// Builds index `idx` over the rows of `table` (CREATE INDEX, ADD
/// PRIMARY KEY): 23505 if a unique index finds a duplicate.
pub fn build_index(
    pool: &BufferPool,
    table: &TableDesc,
    idx: &IndexDesc,
    horizon: u32,
) -> PgResult<()> {
    btree::create(pool, idx.rel()).map_err(PgError::from)?;
    let types: Vec<Oid> = table.columns.iter().map(|c| c.ty).collect();
    let missing = table.missing_values();
    let last = idx.columns.iter().copied().max().unwrap_or(0);
    let mut row = Vec::new();
    live_rows(pool, table, horizon, &mut |tid, data| {
        tuple::deform(
            &types,
            &missing,
            data,
            last,
            &|i| idx.columns.contains(&i),
            &mut row,
        )?;
        let (k, has_null) = index_key(idx, &row);
        match btree::insert(pool, idx.rel(), &k, tid, idx.unique && !has_null) {
            Ok(()) => Ok(()),
            Err(AccessError::UniqueViolation) => {
                let cols: Vec<&str> = idx
                    .columns
                    .iter()
                    .map(|&i| table.columns[i].name.as_str())
                    .collect();
                let vals: Vec<String> = idx.columns.iter().map(|&i| show(&row[i])).collect();
                Err(PgError::new(
                    sqlstate::UNIQUE_VIOLATION,
                    format!("could not create unique index \"{}\"", idx.name),
                )
                .with_detail(format!(
                    "Key ({})=({}) is duplicated.",
                    cols.join(", "),
                    vals.join(", ")
                ))
                .with_table(
                    &crate::catalog::namespace::schema_name(table.namespace),
                    &table.name,
                )
                .with_constraint(&idx.name))
            }
            Err(e) => Err(PgError::from(e)),
        }
    })
}

/// Checks that no row has NULL in `col` (SET NOT NULL, ADD PRIMARY KEY).
pub fn check_no_nulls(
    pool: &BufferPool,
    table: &TableDesc,
    col: usize,
    horizon: u32,
) -> PgResult<()> {
    let types: Vec<Oid> = table.columns.iter().map(|c| c.ty).collect();
    let missing = table.missing_values();
    let mut row = Vec::new();
    live_rows(pool, table, horizon, &mut |_, data| {
        tuple::deform(&types, &missing, data, col, &|i| i == col, &mut row)?;
        if row[col].is_null() {
            return Err(PgError::new(
                sqlstate::NOT_NULL_VIOLATION,
                format!(
                    "column \"{}\" of relation \"{}\" contains null values",
                    table.columns[col].name, table.name
                ),
            )
            .with_table(
                &crate::catalog::namespace::schema_name(table.namespace),
                &table.name,
            )
            .with_column(&table.columns[col].name));
        }
        Ok(())
    })
}
