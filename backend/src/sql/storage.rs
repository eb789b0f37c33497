//! Table access for the SQL layer: rows in and out of heap relations with
//! their indexes kept in step (PostgreSQL's heapam + executor index
//! maintenance), constraint checks (NOT NULL, UNIQUE, varchar/char
//! lengths, numeric precision), scans by heap or by index, and index
//! builds.

use std::ops::Bound;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use shmem::buffer::{BufferPool, OwnedPageWriteGuard, StorageError};

use crate::access::btree::{self, BTreeScan};
use crate::access::heap::{self, HeapScan};
use crate::access::{AccessError, ItemPointer};
use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::sql::catalog::{format_type, IndexDesc, TableDesc};
use crate::sql::{keys, ops, tuple};
use crate::types::{oid, Oid, Value};

/// A storage-manager error as a PgError.
pub fn storage_error(e: StorageError) -> PgError {
    access_error(AccessError::Storage(e))
}

/// An access-method error as a PgError.
pub fn access_error(e: AccessError) -> PgError {
    let code = match e.sqlstate() {
        "58030" => sqlstate::IO_ERROR,
        "23505" => sqlstate::UNIQUE_VIOLATION,
        "54000" => sqlstate::PROGRAM_LIMIT_EXCEEDED,
        _ => sqlstate::INTERNAL_ERROR,
    };
    PgError::new(code, e.to_string())
}

/// Text of a value for error details ("Failing row contains (...)").
fn show(v: &Value) -> String {
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
    if typmod < 4 || v.is_null() {
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
        (t, v) => ops::apply_typmod(v, t, typmod),
    }
}

/// The relation whose pages' content locks are the row-lock stripes (a
/// number below the first catalog OID, so never a table).
pub const ROW_LOCK_REL: u32 = 1;
const ROW_LOCK_STRIPES: u32 = 16;
static ROW_LOCKS_READY: AtomicBool = AtomicBool::new(false);

/// A row lock: until MVCC brings tuple locks, UPDATE, DELETE and ON
/// CONFLICT DO UPDATE serialize their read-modify-write of a row on one
/// of a few stripes, the exclusive content locks of the pages of
/// [`ROW_LOCK_REL`] (shared memory, so this works across processes and
/// threads alike). A backend holds at most one stripe, and takes it
/// before any heap or index page lock, so stripes cannot deadlock.
pub struct RowLock {
    _guard: OwnedPageWriteGuard,
}

/// Locks the stripe of row `tid` of relation `rel`.
pub fn lock_row(pool: &BufferPool, rel: u32, tid: ItemPointer) -> PgResult<RowLock> {
    if !ROW_LOCKS_READY.load(Ordering::Acquire) {
        pool.create_relation(ROW_LOCK_REL).map_err(storage_error)?;
        while pool.nblocks(ROW_LOCK_REL).map_err(storage_error)? < ROW_LOCK_STRIPES {
            drop(pool.extend(ROW_LOCK_REL).map_err(storage_error)?);
        }
        ROW_LOCKS_READY.store(true, Ordering::Release);
    }
    let h = (rel as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((tid.block as u64) << 16 | tid.offset as u64)
        .wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    let stripe = (h >> 32) as u32 % ROW_LOCK_STRIPES;
    let buf = pool.read(ROW_LOCK_REL, stripe).map_err(storage_error)?;
    Ok(RowLock {
        _guard: buf.into_write_lock(),
    })
}

/// Which unique index a row conflicted with.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub index: Arc<IndexDesc>,
    pub key: Vec<Value>,
}

/// A change made through a [`TableAccess`], kept to undo a statement
/// that fails part way (rows are re-read from the heap when undoing, so
/// an insert costs only its tid).
enum Undo {
    Inserted(ItemPointer),
    Updated(ItemPointer, Vec<Value>),
    Deleted(Vec<Value>),
}

/// A table with its indexes, for reading and writing rows.
pub struct TableAccess {
    pub table: Arc<TableDesc>,
    pub indexes: Vec<Arc<IndexDesc>>,
    pub types: Vec<Oid>,
    pool: BufferPool,
    buf: Vec<u8>,
    undo: Vec<Undo>,
}

/// An index key of a row: bytes, and whether a column is NULL (then it
/// never conflicts).
fn index_key(idx: &IndexDesc, row: &[Value]) -> (Vec<u8>, bool) {
    let mut k = Vec::with_capacity(idx.columns.len() * 9);
    let mut has_null = false;
    for &c in &idx.columns {
        has_null |= row[c].is_null();
        keys::encode_value(&row[c], &mut k);
    }
    (k, has_null)
}

impl TableAccess {
    pub fn new(pool: BufferPool, table: Arc<TableDesc>, indexes: Vec<Arc<IndexDesc>>) -> Self {
        let types = table.columns.iter().map(|c| c.ty).collect();
        TableAccess {
            table,
            indexes,
            types,
            pool,
            buf: Vec::new(),
            undo: Vec::new(),
        }
    }

    /// Undoes every change made through this access, newest first: a
    /// statement that fails leaves the table as it found it (other
    /// sessions may have seen the changes meanwhile: there is no MVCC
    /// yet).
    pub fn rollback(&mut self) -> PgResult<()> {
        while let Some(u) = self.undo.pop() {
            let keep = self.undo.len();
            match u {
                Undo::Inserted(tid) => {
                    if let Some(row) = self.fetch(tid)? {
                        self.delete(tid, &row)?;
                    }
                }
                Undo::Updated(tid, old) => {
                    if let Some(cur) = self.fetch(tid)? {
                        self.update(tid, &cur, &old)?;
                    }
                }
                Undo::Deleted(old) => {
                    let _ = self.insert(&old)?;
                }
            }
            // The undo steps themselves are not to be undone.
            self.undo.truncate(keep);
        }
        Ok(())
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
                .with_detail(format!("Failing row contains ({}).", shown.join(", "))));
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
    }

    fn conflict(&self, i: usize, row: &[Value]) -> Conflict {
        let idx = self.indexes[i].clone();
        let key = idx.columns.iter().map(|&c| row[c].clone()).collect();
        Conflict { index: idx, key }
    }

    fn ins(&self, idx: &IndexDesc, key: &[u8], tid: ItemPointer, unique: bool) -> PgResult<bool> {
        match btree::insert(&self.pool, idx.oid, key, tid, unique) {
            Ok(()) => Ok(true),
            Err(AccessError::UniqueViolation) => Ok(false),
            Err(e) => Err(access_error(e)),
        }
    }

    fn del(&self, idx: &IndexDesc, key: &[u8], tid: ItemPointer) -> PgResult<()> {
        btree::delete(&self.pool, idx.oid, key, tid).map_err(access_error)?;
        Ok(())
    }

    /// Inserts a checked row; a unique conflict leaves nothing behind.
    pub fn insert(&mut self, row: &[Value]) -> PgResult<Result<ItemPointer, Conflict>> {
        tuple::form_into(&self.types, row, &mut self.buf)?;
        let tid = heap::insert(
            &self.pool,
            self.table.rel(),
            &self.buf,
            self.table.fillfactor,
        )
        .map_err(access_error)?;
        let keys: Vec<(Vec<u8>, bool)> = self.indexes.iter().map(|i| index_key(i, row)).collect();
        for (i, idx) in self.indexes.iter().enumerate() {
            let (k, has_null) = &keys[i];
            if !self.ins(idx, k, tid, idx.unique && !has_null)? {
                for (j, done) in self.indexes[..i].iter().enumerate() {
                    self.del(done, &keys[j].0, tid)?;
                }
                heap::delete(&self.pool, self.table.rel(), tid).map_err(access_error)?;
                return Ok(Err(self.conflict(i, row)));
            }
        }
        self.undo.push(Undo::Inserted(tid));
        Ok(Ok(tid))
    }

    /// Deletes the row at `tid` (whose values are `row`); false if it was
    /// gone already.
    pub fn delete(&mut self, tid: ItemPointer, row: &[Value]) -> PgResult<bool> {
        if !heap::delete(&self.pool, self.table.rel(), tid).map_err(access_error)? {
            return Ok(false);
        }
        for idx in &self.indexes {
            let (k, _) = index_key(idx, row);
            self.del(idx, &k, tid)?;
        }
        self.undo.push(Undo::Deleted(row.to_vec()));
        Ok(true)
    }

    /// Replaces row `old` at `tid` by `new` (checked); on a unique
    /// conflict the old row and its index entries are restored. None when
    /// the row is no longer there.
    pub fn update(
        &mut self,
        tid: ItemPointer,
        old: &[Value],
        new: &[Value],
    ) -> PgResult<Option<Result<ItemPointer, Conflict>>> {
        tuple::form_into(&self.types, new, &mut self.buf)?;
        let rel = self.table.rel();
        let ff = self.table.fillfactor;
        let new_tid = match heap::update(&self.pool, rel, tid, &self.buf, ff) {
            Ok(t) => t,
            Err(AccessError::NoSuchTuple(_)) => return Ok(None),
            Err(e) => return Err(access_error(e)),
        };
        let olds: Vec<(Vec<u8>, bool)> = self.indexes.iter().map(|i| index_key(i, old)).collect();
        let news: Vec<(Vec<u8>, bool)> = self.indexes.iter().map(|i| index_key(i, new)).collect();
        for (i, idx) in self.indexes.iter().enumerate() {
            let (ko, kn) = (&olds[i].0, &news[i].0);
            if ko == kn {
                if new_tid != tid {
                    self.ins(idx, kn, new_tid, false)?;
                    self.del(idx, ko, tid)?;
                }
                continue;
            }
            if !self.ins(idx, kn, new_tid, idx.unique && !news[i].1)? {
                // Undo: put back the entries of the indexes done so far,
                // then the old row.
                for (j, done) in self.indexes[..i].iter().enumerate() {
                    if olds[j].0 != news[j].0 || new_tid != tid {
                        self.del(done, &news[j].0, new_tid)?;
                        self.ins(done, &olds[j].0, tid, false)?;
                    }
                }
                tuple::form_into(&self.types, old, &mut self.buf)?;
                let back =
                    heap::update(&self.pool, rel, new_tid, &self.buf, ff).map_err(access_error)?;
                if back != tid {
                    for (j, idx) in self.indexes.iter().enumerate() {
                        self.ins(idx, &olds[j].0, back, false)?;
                        self.del(idx, &olds[j].0, tid)?;
                    }
                }
                return Ok(Some(Err(self.conflict(i, new))));
            }
            self.del(idx, ko, tid)?;
        }
        self.undo.push(Undo::Updated(new_tid, old.to_vec()));
        Ok(Some(Ok(new_tid)))
    }

    /// The current version of row `tid`, None if it is gone.
    pub fn fetch(&self, tid: ItemPointer) -> PgResult<Option<Vec<Value>>> {
        match heap::fetch(&self.pool, self.table.rel(), tid).map_err(access_error)? {
            Some(d) => Ok(Some(tuple::deform_all(&self.types, &d)?)),
            None => Ok(None),
        }
    }

    /// Finds the live row whose `index` key equals `key` (ON CONFLICT).
    pub fn lookup(
        &self,
        index: &IndexDesc,
        key: &[Value],
    ) -> PgResult<Option<(ItemPointer, Vec<Value>)>> {
        let k = keys::encode(key);
        let upper = keys::prefix_upper(&k);
        let mut scan = TupleScan::index(
            &self.pool,
            self.table.rel(),
            index.oid,
            Bound::Included(k),
            Bound::Excluded(upper),
        );
        match scan.next()? {
            Some((tid, data)) => Ok(Some((tid, tuple::deform_all(&self.types, &data)?))),
            None => Ok(None),
        }
    }
}

/// Live tuples of a relation, by heap or by index order.
pub enum TupleScan {
    Heap(HeapScan),
    Index {
        pool: BufferPool,
        heap: u32,
        scan: BTreeScan,
    },
}

impl TupleScan {
    pub fn heap(pool: &BufferPool, rel: u32) -> TupleScan {
        TupleScan::Heap(heap::scan(pool, rel))
    }

    pub fn index(
        pool: &BufferPool,
        heap_rel: u32,
        index_rel: u32,
        lower: Bound<Vec<u8>>,
        upper: Bound<Vec<u8>>,
    ) -> TupleScan {
        TupleScan::Index {
            pool: *pool,
            heap: heap_rel,
            scan: btree::scan(
                pool,
                index_rel,
                lower.as_ref().map(Vec::as_slice),
                upper.as_ref().map(Vec::as_slice),
            ),
        }
    }

    /// The next live tuple: its tid and data.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> PgResult<Option<(ItemPointer, Vec<u8>)>> {
        match self {
            TupleScan::Heap(s) => s.next().map_err(access_error),
            TupleScan::Index { pool, heap, scan } => loop {
                let Some((_, tid)) = scan.next().map_err(access_error)? else {
                    return Ok(None);
                };
                // An entry whose row moved or went away meanwhile.
                if let Some(d) = heap::fetch(pool, *heap, tid).map_err(access_error)? {
                    return Ok(Some((tid, d)));
                }
            },
        }
    }
}

/// Builds index `idx` over the rows of `table` (CREATE INDEX, ADD
/// PRIMARY KEY): 23505 if a unique index finds a duplicate.
pub fn build_index(pool: &BufferPool, table: &TableDesc, idx: &IndexDesc) -> PgResult<()> {
    btree::create(pool, idx.oid).map_err(access_error)?;
    let types: Vec<Oid> = table.columns.iter().map(|c| c.ty).collect();
    let last = idx.columns.iter().copied().max().unwrap_or(0);
    let mut scan = TupleScan::heap(pool, table.rel());
    let mut row = Vec::new();
    while let Some((tid, data)) = scan.next()? {
        check_for_interrupts()?;
        tuple::deform(&types, &data, last, &|i| idx.columns.contains(&i), &mut row)?;
        let (k, has_null) = index_key(idx, &row);
        match btree::insert(pool, idx.oid, &k, tid, idx.unique && !has_null) {
            Ok(()) => {}
            Err(AccessError::UniqueViolation) => {
                let cols: Vec<&str> = idx
                    .columns
                    .iter()
                    .map(|&i| table.columns[i].name.as_str())
                    .collect();
                let vals: Vec<String> = idx.columns.iter().map(|&i| show(&row[i])).collect();
                return Err(PgError::new(
                    sqlstate::UNIQUE_VIOLATION,
                    format!("could not create unique index \"{}\"", idx.name),
                )
                .with_detail(format!(
                    "Key ({})=({}) is duplicated.",
                    cols.join(", "),
                    vals.join(", ")
                )));
            }
            Err(e) => return Err(access_error(e)),
        }
    }
    Ok(())
}

/// Checks that no row has NULL in `col` (SET NOT NULL, ADD PRIMARY KEY).
pub fn check_no_nulls(pool: &BufferPool, table: &TableDesc, col: usize) -> PgResult<()> {
    let types: Vec<Oid> = table.columns.iter().map(|c| c.ty).collect();
    let mut scan = TupleScan::heap(pool, table.rel());
    let mut row = Vec::new();
    while let Some((_, data)) = scan.next()? {
        check_for_interrupts()?;
        tuple::deform(&types, &data, col, &|i| i == col, &mut row)?;
        if row[col].is_null() {
            return Err(PgError::new(
                sqlstate::NOT_NULL_VIOLATION,
                format!(
                    "column \"{}\" of relation \"{}\" contains null values",
                    table.columns[col].name, table.name
                ),
            ));
        }
    }
    Ok(())
}
