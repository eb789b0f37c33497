//! Tests of the heap and B-tree access methods through a real buffer pool,
//! with transactions run through the segment's proc array and the
//! process's commit log (the forked-process tests are in
//! `backend/tests/access_fork.rs` and `backend/tests/mvcc_fork.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, RelId, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::xact::{ProcArray, Snapshot, XidStatus};
use shmem::{ExecMode, Segment};

use super::heap::{HeapTupleHeader, Updated, Writer};
use super::page::{LP_DEAD, LP_NORMAL, LP_REDIRECT, LP_UNUSED};
use super::visibility::{Mvcc, OwnXids, TmResult, HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE};
use super::*;

/// A server of the test's own: its segment and data directory (each test
/// uses its own port).
struct Server {
    _owner: SegmentOwner,
    _dir: tempfile::TempDir,
}

fn new_pool(port: u16, nbuffers: usize) -> (Server, BufferPool) {
    let (srv, seg) = new_segment(port, nbuffers);
    (srv, seg.buffer_pool())
}

fn new_segment(port: u16, nbuffers: usize) -> (Server, Segment) {
    let (dir, dd) = super::test_data_dir();
    let (owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port,
            max_backends: 16,
            shared_buffers: nbuffers * BLCKSZ,
            mode: 0,
        },
        dd,
    )
    .unwrap();
    (
        Server {
            _owner: owner,
            _dir: dir,
        },
        seg,
    )
}

/// A segment with its buffer pool and proc array.
struct Env {
    _server: Server,
    seg: Segment,
    pool: BufferPool,
    procs: ProcArray,
}

fn new_env(port: u16, nbuffers: usize) -> Env {
    let (server, seg) = new_segment(port, nbuffers);
    Env {
        _server: server,
        seg,
        pool: seg.buffer_pool(),
        procs: seg.proc_array(),
    }
}

impl Env {
    /// A backend-table slot: an index into the proc array.
    fn backend(&self) -> usize {
        self.seg.backend_table().alloc(ExecMode::Process).unwrap()
    }
}

/// A transaction of backend `backend`: an xid, a command id and one
/// snapshot (taken at its start, its xmin published so that pruning keeps
/// what it may see).
struct Tx {
    procs: ProcArray,
    backend: usize,
    own: Arc<OwnXids>,
    xid: u32,
    cid: u32,
    snap: Arc<Snapshot>,
}

impl Tx {
    fn begin(procs: ProcArray, backend: usize) -> Tx {
        let xid = procs.assign_xid(backend).unwrap();
        let (snap, _) = procs.snapshot(backend, true);
        Tx {
            procs,
            backend,
            own: Arc::new(OwnXids {
                top: xid,
                subs: Vec::new(),
            }),
            xid,
            cid: 0,
            snap: Arc::new(snap),
        }
    }

    /// A writer for the current command, never pruning.
    fn w(&self) -> Writer<'_> {
        Writer {
            own: &self.own,
            xid: self.xid,
            cid: self.cid,
            procs: None,
        }
    }

    /// A writer for the current command that asks the proc array whether
    /// xids run and may prune with its horizon.
    fn w_pruning<'a>(&'a self, procs: &'a ProcArray) -> Writer<'a> {
        Writer {
            procs: Some(procs),
            ..self.w()
        }
    }

    /// What the current command sees.
    fn mvcc(&self) -> Mvcc {
        Mvcc {
            snapshot: self.snap.clone(),
            cid: self.cid,
            own: self.own.clone(),
            clog: self.procs.clog(),
        }
    }

    /// The next command (CommandCounterIncrement).
    fn next(&mut self) {
        self.cid += 1;
    }

    fn commit(self) {
        self.procs.commit(self.backend, self.xid, &[]);
    }

    fn abort(self) {
        self.procs.abort(self.backend, self.xid, &[]);
    }
}

/// What a new snapshot of a backend without a transaction sees (its xmin
/// is not published: nothing may prune concurrently).
fn fresh(procs: ProcArray) -> Mvcc {
    let (s, _) = procs.snapshot(usize::MAX, false);
    Mvcc {
        snapshot: Arc::new(s),
        cid: 0,
        own: Arc::new(OwnXids::default()),
        clog: procs.clog(),
    }
}

/// A snapshot of `backend` whose xmin is published (until
/// `procs.clear_xmin(backend)`).
fn held(procs: ProcArray, backend: usize) -> Mvcc {
    let (s, _) = procs.snapshot(backend, true);
    Mvcc {
        snapshot: Arc::new(s),
        cid: 0,
        own: Arc::new(OwnXids::default()),
        clog: procs.clog(),
    }
}

fn row(id: u64, len: usize) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend((0..len).map(|i| (id as usize + i) as u8));
    v
}

fn scan_all(pool: &BufferPool, rel: RelId, m: &Mvcc) -> HashMap<ItemPointer, Vec<u8>> {
    collect(heap::scan(pool, rel, m.clone(), None))
}

/// A scan that prunes what it reads with the proc array's horizon.
fn scan_pruning(
    pool: &BufferPool,
    rel: RelId,
    m: &Mvcc,
    procs: ProcArray,
) -> HashMap<ItemPointer, Vec<u8>> {
    collect(heap::scan(
        pool,
        rel,
        m.clone(),
        Some(Box::new(move || procs.global_xmin())),
    ))
}

fn collect(mut s: heap::HeapScan) -> HashMap<ItemPointer, Vec<u8>> {
    let mut out = HashMap::new();
    while let Some((tid, d)) = s.next().unwrap() {
        assert!(out.insert(tid, d).is_none(), "tid {tid} twice");
    }
    out
}

fn visible(pool: &BufferPool, rel: RelId, root: ItemPointer, m: &Mvcc) -> Option<Vec<u8>> {
    heap::fetch_visible(pool, rel, root, m)
        .unwrap()
        .map(|(_, d)| d)
}

fn version(pool: &BufferPool, rel: RelId, tid: ItemPointer) -> (HeapTupleHeader, Vec<u8>) {
    heap::fetch_version(pool, rel, tid)
        .unwrap()
        .unwrap_or_else(|| panic!("no tuple at {tid}"))
}

fn tid(block: u32, offset: u16) -> ItemPointer {
    ItemPointer::new(block, offset)
}

fn hot(t: ItemPointer) -> Updated {
    Updated { tid: t, hot: true }
}

#[test]
fn heap_insert_fetch_update_delete() {
    let env = new_env(62200, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 200;
    pool.create_relation(rel).unwrap();
    let (b1, b2) = (env.backend(), env.backend());

    let t = Tx::begin(procs, b1);
    let a = heap::insert(&pool, rel, b"hello", 100, &t.w()).unwrap();
    let b = heap::insert(&pool, rel, &row(2, 100), 100, &t.w()).unwrap();
    assert_eq!(a, tid(0, 1));
    assert_eq!(b, tid(0, 2));
    let (h, d) = version(&pool, rel, a);
    assert_eq!(d, b"hello");
    assert_eq!(
        (h.t_xmin, h.t_xmax, h.t_ctid, h.t_cmin, h.t_infomask),
        (t.xid, 0, a, 0, 0)
    );
    assert_eq!(h.t_hoff as usize, heap::HEAP_TUPLE_HEADER_SIZE);
    t.commit();

    // Two updates of one row in one transaction (HOT: same page), the
    // second one of the first one's new version, in the next command.
    let mut t = Tx::begin(procs, b1);
    let up = heap::update(&pool, rel, a, b"hi", 100, &t.w(), true).unwrap();
    assert_eq!(up, Ok(hot(tid(0, 3))));
    // This command may neither change the version it just wrote nor the
    // old one again.
    assert_eq!(
        heap::update(&pool, rel, tid(0, 3), b"x", 100, &t.w(), true).unwrap(),
        Err(TmResult::Invisible)
    );
    assert_eq!(
        heap::update(&pool, rel, a, b"x", 100, &t.w(), true).unwrap(),
        Err(TmResult::SelfModified)
    );
    t.next();
    let up2 = heap::update(&pool, rel, tid(0, 3), &row(9, 3000), 100, &t.w(), true).unwrap();
    assert_eq!(up2, Ok(hot(tid(0, 4))));
    // The old versions are unchanged but for their xmax and successor.
    let (h, d) = version(&pool, rel, a);
    assert_eq!(d, b"hello");
    assert_eq!((h.t_xmax, h.t_cmax, h.t_ctid), (t.xid, 0, tid(0, 3)));
    assert_eq!(
        h.t_infomask & (HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE),
        HEAP_HOT_UPDATED
    );
    let (h, d) = version(&pool, rel, tid(0, 3));
    assert_eq!(d, b"hi");
    assert_eq!(
        (h.t_xmin, h.t_cmin, h.t_xmax, h.t_cmax, h.t_ctid),
        (t.xid, 0, t.xid, 1, tid(0, 4))
    );
    assert_eq!(
        h.t_infomask & (HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE),
        HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE
    );
    let (h, _) = version(&pool, rel, tid(0, 4));
    assert_eq!((h.t_xmax, h.t_ctid), (0, tid(0, 4)));
    assert_eq!(
        h.t_infomask & (HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE),
        HEAP_ONLY_TUPLE
    );

    // Fill the page, then update a row: the new version goes to another
    // page and is not heap-only.
    let c = heap::insert(&pool, rel, &row(3, 4000), 100, &t.w()).unwrap();
    assert_eq!(c.block, 0);
    let moved = heap::update(&pool, rel, b, &row(4, 3000), 100, &t.w(), true)
        .unwrap()
        .unwrap();
    assert!(!moved.hot);
    assert_ne!(moved.tid.block, 0);
    let (h, d) = version(&pool, rel, b);
    assert_eq!(d, row(2, 100));
    assert_eq!((h.t_xmax, h.t_ctid), (t.xid, moved.tid));
    assert_eq!(h.t_infomask & HEAP_HOT_UPDATED, 0);
    assert_eq!(
        version(&pool, rel, moved.tid).0.t_infomask & HEAP_ONLY_TUPLE,
        0
    );

    // Delete a row inserted by an earlier command; twice.
    t.next();
    assert_eq!(heap::delete(&pool, rel, c, &t.w()).unwrap(), TmResult::Ok);
    assert_eq!(
        heap::delete(&pool, rel, c, &t.w()).unwrap(),
        TmResult::SelfModified
    );
    assert_eq!(version(&pool, rel, c).0.t_ctid, c);
    // No tuple there at all.
    for missing in [tid(0, 99), tid(0, 0)] {
        assert!(matches!(
            heap::update(&pool, rel, missing, b"x", 100, &t.w(), true),
            Err(AccessError::NoSuchTuple(m)) if m == missing
        ));
        assert!(matches!(
            heap::delete(&pool, rel, missing, &t.w()),
            Err(AccessError::NoSuchTuple(_))
        ));
    }
    assert_eq!(heap::fetch_version(&pool, rel, tid(0, 99)).unwrap(), None);

    // The transaction's next command sees its changes, others do not.
    t.next();
    let mine = scan_all(&pool, rel, &t.mvcc());
    let after: HashMap<ItemPointer, Vec<u8>> =
        [(tid(0, 4), row(9, 3000)), (moved.tid, row(4, 3000))].into();
    assert!(mine == after, "{mine:?}");
    let before: HashMap<ItemPointer, Vec<u8>> = [(a, b"hello".to_vec()), (b, row(2, 100))].into();
    assert!(scan_all(&pool, rel, &fresh(procs)) == before);
    assert_eq!(visible(&pool, rel, a, &t.mvcc()), Some(row(9, 3000)));
    assert_eq!(
        visible(&pool, rel, a, &fresh(procs)),
        Some(b"hello".to_vec())
    );
    t.commit();
    assert!(scan_all(&pool, rel, &fresh(procs)) == after);

    // A later transaction is told where each row went.
    let t = Tx::begin(procs, b2);
    assert_eq!(
        heap::update(&pool, rel, a, b"x", 100, &t.w(), true).unwrap(),
        Err(TmResult::Updated(tid(0, 3)))
    );
    assert_eq!(
        heap::update(&pool, rel, tid(0, 3), b"x", 100, &t.w(), true).unwrap(),
        Err(TmResult::Updated(tid(0, 4)))
    );
    assert_eq!(
        heap::delete(&pool, rel, b, &t.w()).unwrap(),
        TmResult::Updated(moved.tid)
    );
    assert_eq!(
        heap::lock_tuple(&pool, rel, b, &t.w()).unwrap(),
        TmResult::Updated(moved.tid)
    );
    assert_eq!(
        heap::delete(&pool, rel, c, &t.w()).unwrap(),
        TmResult::Deleted
    );
    assert_eq!(
        heap::lock_tuple(&pool, rel, c, &t.w()).unwrap(),
        TmResult::Deleted
    );

    // Too big.
    let e = heap::insert(&pool, rel, &vec![0; BLCKSZ], 100, &t.w()).unwrap_err();
    assert_eq!(e.sqlstate(), "54000");
    assert_eq!(
        e.to_string(),
        "row is too big: size 8220, maximum size 8160"
    );
    let e = heap::update(&pool, rel, tid(0, 4), &vec![0; BLCKSZ], 100, &t.w(), true).unwrap_err();
    assert_eq!(e.sqlstate(), "54000");
    // The largest row fits alone on a page.
    let max = heap::MAX_HEAP_TUPLE_SIZE - heap::HEAP_TUPLE_HEADER_SIZE;
    let big = heap::insert(&pool, rel, &vec![7; max], 100, &t.w()).unwrap();
    assert_eq!(version(&pool, rel, big).1.len(), max);
    t.commit();
    assert_eq!(scan_all(&pool, rel, &fresh(procs)).len(), 3);
}

#[test]
fn heap_fillfactor_leaves_room() {
    let env = new_env(62201, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 201;
    pool.create_relation(rel).unwrap();
    let t = Tx::begin(procs, env.backend());
    for i in 0..100 {
        heap::insert(&pool, rel, &row(i, 200), 50, &t.w()).unwrap();
    }
    t.commit();
    let rows = scan_all(&pool, rel, &fresh(procs));
    assert_eq!(rows.len(), 100);
    let per_page = rows.keys().filter(|t| t.block == 0).count();
    // About half of 8 KiB of 236-byte tuples.
    assert!((15..=19).contains(&per_page), "{per_page} rows on page 0");
}

/// 20 MB of rows through a 1 MB cache, with updates, deletes and row
/// locks, some rolled back, each in its own transaction; checked against
/// a model of what a new snapshot sees.
#[test]
fn heap_larger_than_cache() {
    let env = new_env(62202, 128);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 202;
    pool.create_relation(rel).unwrap();
    let be = env.backend();
    let mut rng = StdRng::seed_from_u64(42);
    let mut model: HashMap<ItemPointer, Vec<u8>> = HashMap::new();
    let mut total = 0;
    let mut id = 0;
    while total < 20 << 20 {
        let d = row(id, rng.gen_range(50..400));
        total += d.len();
        id += 1;
        let t = Tx::begin(procs, be);
        let tid = heap::insert(&pool, rel, &d, 90, &t.w_pruning(&procs)).unwrap();
        t.commit();
        assert!(model.insert(tid, d).is_none());
    }
    assert!(pool.nblocks(rel).unwrap() as usize > 20 * pool.nbuffers());
    let mut tids: Vec<ItemPointer> = model.keys().copied().collect();
    tids.sort();
    // Where fetch_visible from each original tid (an index entry's
    // target) leads now: the same version, its HOT successor, or nowhere.
    let mut leads: HashMap<ItemPointer, Option<ItemPointer>> =
        tids.iter().map(|&t| (t, Some(t))).collect();
    for (i, tid) in tids.iter().enumerate() {
        let t = Tx::begin(procs, be);
        let w = t.w_pruning(&procs);
        match i % 10 {
            0 | 5 => {
                assert_eq!(heap::delete(&pool, rel, *tid, &w).unwrap(), TmResult::Ok);
                if i % 10 == 0 {
                    t.commit();
                    model.remove(tid);
                    leads.insert(*tid, None);
                } else {
                    t.abort();
                }
            }
            1 | 6 => {
                let d = row(id, rng.gen_range(10..600));
                id += 1;
                let new = heap::update(&pool, rel, *tid, &d, 90, &w, rng.gen())
                    .unwrap()
                    .unwrap();
                if i % 10 == 1 {
                    t.commit();
                    model.remove(tid);
                    assert!(
                        model.insert(new.tid, d).is_none(),
                        "update reused a live tid"
                    );
                    leads.insert(*tid, new.hot.then_some(new.tid));
                } else {
                    t.abort();
                }
            }
            2 => {
                assert_eq!(
                    heap::lock_tuple(&pool, rel, *tid, &w).unwrap(),
                    TmResult::Ok
                );
                t.commit();
            }
            _ => t.commit(),
        }
    }
    let m = fresh(procs);
    for root in tids.iter().step_by(7) {
        assert_eq!(
            heap::fetch_visible(&pool, rel, *root, &m).unwrap(),
            leads[root].map(|t| (t, model[&t].clone())),
            "{root}"
        );
    }
    assert!(
        scan_pruning(&pool, rel, &m, procs) == model,
        "scan differs from the model"
    );
    // Again, after that scan pruned pages.
    assert!(scan_all(&pool, rel, &fresh(procs)) == model);
    pool.checkpoint().unwrap();
}

type Model = BTreeMap<(Vec<u8>, ItemPointer), ()>;

fn bt_scan(
    pool: &BufferPool,
    rel: RelId,
    lo: Bound<&[u8]>,
    hi: Bound<&[u8]>,
) -> Vec<(Vec<u8>, ItemPointer)> {
    let mut s = btree::scan(pool, rel, lo, hi);
    let mut out = Vec::new();
    while let Some(e) = s.next().unwrap() {
        out.push(e);
    }
    out
}

fn bt_scan_backward(
    pool: &BufferPool,
    rel: RelId,
    lo: Bound<&[u8]>,
    hi: Bound<&[u8]>,
) -> Vec<(Vec<u8>, ItemPointer)> {
    let mut s = btree::scan_backward(pool, rel, lo, hi);
    let mut out = Vec::new();
    while let Some(e) = s.next().unwrap() {
        out.push(e);
    }
    out
}

/// `model_range` from the highest entry down.
fn model_range_rev(m: &Model, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Vec<(Vec<u8>, ItemPointer)> {
    let mut v = model_range(m, lo, hi);
    v.reverse();
    v
}

fn model_range(m: &Model, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Vec<(Vec<u8>, ItemPointer)> {
    m.keys()
        .filter(|(k, _)| std::ops::RangeBounds::<[u8]>::contains(&(lo, hi), k.as_slice()))
        .cloned()
        .collect()
}

fn random_key(rng: &mut StdRng) -> Vec<u8> {
    let len = match rng.gen_range(0..20) {
        0 => rng.gen_range(500..2000),
        1 => 0,
        _ => rng.gen_range(1..12),
    };
    // A small alphabet, so that keys repeat and share prefixes.
    (0..len).map(|_| b'a' + rng.gen_range(0..4)).collect()
}

#[test]
fn btree_matches_a_model() {
    let (_o, pool) = new_pool(62203, 32);
    let rel = 203;
    btree::create(&pool, rel).unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let mut model = Model::new();
    for i in 0..6000u32 {
        if rng.gen_bool(0.7) || model.is_empty() {
            let k = random_key(&mut rng);
            let tid = ItemPointer::new(rng.gen_range(0..50), rng.gen_range(1..100));
            btree::insert(&pool, rel, &k, tid, false).unwrap();
            model.insert((k, tid), ());
        } else {
            // Delete an existing entry, or a missing one.
            let (k, t) = if rng.gen_bool(0.8) {
                let n = rng.gen_range(0..model.len());
                model.keys().nth(n).unwrap().clone()
            } else {
                (random_key(&mut rng), ItemPointer::new(999, 1))
            };
            let had = model.remove(&(k.clone(), t)).is_some();
            assert_eq!(btree::delete(&pool, rel, &k, t).unwrap(), had);
        }
        if i % 1000 == 999 {
            assert_eq!(btree::verify(&pool, rel).unwrap(), model.len());
            let all = bt_scan(&pool, rel, Bound::Unbounded, Bound::Unbounded);
            assert!(all == model_range(&model, Bound::Unbounded, Bound::Unbounded));
            let back = bt_scan_backward(&pool, rel, Bound::Unbounded, Bound::Unbounded);
            assert!(back == model_range_rev(&model, Bound::Unbounded, Bound::Unbounded));
            for _ in 0..20 {
                let a = random_key(&mut rng);
                let b = random_key(&mut rng);
                let bound = |k: &Vec<u8>, r: u8| -> Bound<Vec<u8>> {
                    match r {
                        0 => Bound::Unbounded,
                        1 => Bound::Included(k.clone()),
                        _ => Bound::Excluded(k.clone()),
                    }
                };
                let lo = bound(&a, rng.gen_range(0..3));
                let hi = bound(&b, rng.gen_range(0..3));
                let (lo, hi) = (
                    lo.as_ref().map(Vec::as_slice),
                    hi.as_ref().map(Vec::as_slice),
                );
                assert!(bt_scan(&pool, rel, lo, hi) == model_range(&model, lo, hi));
                assert!(bt_scan_backward(&pool, rel, lo, hi) == model_range_rev(&model, lo, hi));
            }
        }
    }
    assert!(
        pool.nblocks(rel).unwrap() > 50,
        "the tree should have split a lot"
    );
}

#[test]
fn btree_unique_and_errors() {
    let (_o, pool) = new_pool(62204, 32);
    let rel = 204;
    btree::create(&pool, rel).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let mut keys: BTreeMap<Vec<u8>, ItemPointer> = BTreeMap::new();
    for i in 0..8000u32 {
        let k = format!("{:06}", rng.gen_range(0..3000)).into_bytes();
        let k = if i % 7 == 0 {
            [k.clone(), vec![b'x'; 300]].concat()
        } else {
            k
        };
        if rng.gen_bool(0.75) {
            let tid = ItemPointer::new(i, 1);
            let r = btree::insert(&pool, rel, &k, tid, true);
            match keys.entry(k) {
                std::collections::btree_map::Entry::Occupied(_) => {
                    let e = r.unwrap_err();
                    assert!(matches!(e, AccessError::UniqueViolation));
                    assert_eq!(e.sqlstate(), "23505");
                }
                std::collections::btree_map::Entry::Vacant(v) => {
                    r.unwrap();
                    v.insert(tid);
                }
            }
        } else if let Some(tid) = keys.remove(&k) {
            assert!(btree::delete(&pool, rel, &k, tid).unwrap());
        }
    }
    assert_eq!(btree::verify(&pool, rel).unwrap(), keys.len());
    let all = bt_scan(&pool, rel, Bound::Unbounded, Bound::Unbounded);
    assert!(all == keys.into_iter().collect::<Vec<_>>());

    let e = btree::insert(&pool, rel, &[0; 3000], ItemPointer::new(1, 1), false).unwrap_err();
    assert_eq!(e.sqlstate(), "54000");
    assert_eq!(e.to_string(), "index row size 3006 exceeds maximum 2700");
    let big = vec![9u8; btree::MAX_KEY_SIZE];
    for i in 0..20 {
        btree::insert(&pool, rel, &big, ItemPointer::new(i, 1), false).unwrap();
    }
    btree::verify(&pool, rel).unwrap();
}

/// A root split cut short by a crash (the root has right siblings and no
/// parent) is finished by recovery's fix-up; before it, the tree is still
/// searchable, and afterwards splits of any page work again.
#[test]
fn btree_incomplete_root_split_is_finished() {
    let (_o, pool) = new_pool(62231, 64);
    let rel = 231;
    btree::create(&pool, rel).unwrap();
    let key = |i: u32| (i * 7919 % 10007).to_be_bytes();
    for i in 0..2000 {
        btree::insert(&pool, rel, &key(i), ItemPointer::new(i, 1), false).unwrap();
    }
    assert!(!btree::finish_incomplete_root_split(&pool, rel).unwrap());
    btree::cut_root_split_short(&pool, rel).unwrap();
    // Readers cross the missing level by right-links.
    assert_eq!(
        bt_scan(&pool, rel, Bound::Unbounded, Bound::Unbounded).len(),
        2000
    );
    assert!(btree::finish_incomplete_root_split(&pool, rel).unwrap());
    assert_eq!(btree::verify(&pool, rel).unwrap(), 2000);
    for i in 2000..6000 {
        btree::insert(&pool, rel, &key(i), ItemPointer::new(i, 1), false).unwrap();
    }
    assert_eq!(btree::verify(&pool, rel).unwrap(), 6000);
    assert!(!btree::finish_incomplete_root_split(&pool, rel).unwrap());
}

/// Many duplicates of one key spanning many pages, then unique checks
/// against it.
#[test]
fn btree_duplicates_span_pages() {
    let (_o, pool) = new_pool(62205, 16);
    let rel = 205;
    btree::create(&pool, rel).unwrap();
    for i in (0..3000).rev() {
        btree::insert(&pool, rel, b"dup", ItemPointer::new(i, 1), false).unwrap();
        btree::insert(&pool, rel, &[b'a'; 100], ItemPointer::new(i, 2), false).unwrap();
    }
    assert_eq!(btree::verify(&pool, rel).unwrap(), 6000);
    let got = bt_scan(&pool, rel, Bound::Included(b"dup"), Bound::Included(b"dup"));
    assert_eq!(got.len(), 3000);
    assert!(got.windows(2).all(|w| w[0].1 < w[1].1));
    let e = btree::insert(&pool, rel, b"dup", ItemPointer::new(5000, 1), true);
    assert!(matches!(e, Err(AccessError::UniqueViolation)));
    btree::insert(&pool, rel, b"dupe", ItemPointer::new(5000, 1), true).unwrap();
    for i in 0..3000 {
        assert!(btree::delete(&pool, rel, b"dup", ItemPointer::new(i, 1)).unwrap());
    }
    btree::insert(&pool, rel, b"dup", ItemPointer::new(5000, 2), true).unwrap();
    assert_eq!(btree::verify(&pool, rel).unwrap(), 3002);
    let got = bt_scan(&pool, rel, Bound::Excluded(b"a"), Bound::Excluded(b"dupe"));
    assert_eq!(got.len(), 3001);
}

/// Backward scans over duplicates spanning pages, an empty tree, and a
/// tree whose root split was cut short (right siblings at the root's
/// level).
#[test]
fn btree_backward_scans() {
    let (_o, pool) = new_pool(62232, 32);
    let rel = 232;
    btree::create(&pool, rel).unwrap();
    let all = |lo, hi| bt_scan_backward(&pool, rel, lo, hi);
    assert!(all(Bound::Unbounded, Bound::Unbounded).is_empty());
    for i in 0..3000 {
        btree::insert(&pool, rel, b"dup", ItemPointer::new(i, 1), false).unwrap();
        btree::insert(&pool, rel, b"a", ItemPointer::new(i, 2), false).unwrap();
        btree::insert(&pool, rel, b"z", ItemPointer::new(i, 3), false).unwrap();
    }
    let got = all(Bound::Included(b"dup"), Bound::Included(b"dup"));
    assert_eq!(got.len(), 3000);
    assert!(got.windows(2).all(|w| w[0].1 > w[1].1));
    assert_eq!(all(Bound::Excluded(b"a"), Bound::Excluded(b"z")), got);
    assert_eq!(all(Bound::Unbounded, Bound::Excluded(b"dup")).len(), 3000);
    assert_eq!(all(Bound::Excluded(b"dup"), Bound::Unbounded).len(), 3000);
    assert!(all(Bound::Excluded(b"dup"), Bound::Excluded(b"z")).is_empty());
    let mut fwd = bt_scan(&pool, rel, Bound::Unbounded, Bound::Unbounded);
    fwd.reverse();
    assert!(all(Bound::Unbounded, Bound::Unbounded) == fwd);

    let rel = 233;
    btree::create(&pool, rel).unwrap();
    let key = |i: u32| (i * 7919 % 10007).to_be_bytes();
    for i in 0..2000 {
        btree::insert(&pool, rel, &key(i), ItemPointer::new(i, 1), false).unwrap();
    }
    btree::cut_root_split_short(&pool, rel).unwrap();
    let mut fwd = bt_scan(&pool, rel, Bound::Unbounded, Bound::Unbounded);
    fwd.reverse();
    assert_eq!(fwd.len(), 2000);
    assert!(bt_scan_backward(&pool, rel, Bound::Unbounded, Bound::Unbounded) == fwd);
}

/// Backward scans while other threads insert and split pages: every
/// entry present when a scan starts is returned once, in descending
/// order.
#[test]
fn btree_backward_scan_during_splits() {
    let (_o, pool) = new_pool(62234, 32);
    let rel = 234;
    btree::create(&pool, rel).unwrap();
    let key = |v: u32, pad: usize| [v.to_be_bytes().to_vec(), vec![b'p'; pad]].concat();
    // Even values first; writers then add odd values between them.
    let mut base = Vec::new();
    for v in (0..4000u32).step_by(2) {
        let k = key(v, (v % 97) as usize);
        btree::insert(&pool, rel, &k, ItemPointer::new(v, 1), false).unwrap();
        base.push((k, ItemPointer::new(v, 1)));
    }
    base.reverse();
    std::thread::scope(|s| {
        for t in 0..2u32 {
            let pool = &pool;
            s.spawn(move || {
                let mut rng = StdRng::seed_from_u64(t as u64 + 40);
                for i in 0..3000u32 {
                    let v = rng.gen_range(0..2000u32) * 2 + 1;
                    let k = key(v, rng.gen_range(0..300));
                    btree::insert(
                        pool,
                        rel,
                        &k,
                        ItemPointer::new(v, (t * 4000 + i) as u16 + 1),
                        false,
                    )
                    .unwrap();
                }
            });
        }
        for _ in 0..2 {
            let pool = &pool;
            let base = &base;
            s.spawn(move || {
                for _ in 0..15 {
                    let got = bt_scan_backward(pool, rel, Bound::Unbounded, Bound::Unbounded);
                    assert!(got
                        .windows(2)
                        .all(|w| (&w[0].0, w[0].1) > (&w[1].0, w[1].1)));
                    let even: Vec<_> = got
                        .into_iter()
                        .filter(|(k, _)| u32::from_be_bytes(k[..4].try_into().unwrap()) % 2 == 0)
                        .collect();
                    assert!(&even == base);
                }
            });
        }
    });
    btree::verify(&pool, rel).unwrap();
    assert!(
        pool.nblocks(rel).unwrap() > 20,
        "the writers should have split pages"
    );
}

/// Key bytes for an int: big-endian with the sign bit flipped.
fn int_key(v: i64) -> Vec<u8> {
    ((v as u64) ^ (1 << 63)).to_be_bytes().to_vec()
}

#[test]
fn btree_concurrent_threads() {
    let (_o, pool) = new_pool(62206, 32);
    let (uniq, multi) = (206, 207);
    btree::create(&pool, uniq).unwrap();
    btree::create(&pool, multi).unwrap();
    const THREADS: u32 = 4;
    const N: u32 = 3000;
    let wins: Vec<Vec<i64>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(t as u64);
                    let mut won = Vec::new();
                    for i in 0..N {
                        let tid = ItemPointer::new(t, i as u16 + 1);
                        let v = rng.gen_range(-5000i64..5000);
                        let pad = vec![b'p'; rng.gen_range(0..200)];
                        let k = [int_key(v), pad].concat();
                        btree::insert(&pool, multi, &k, tid, false).unwrap();
                        match btree::insert(&pool, uniq, &int_key(v), tid, true) {
                            Ok(()) => won.push(v),
                            Err(AccessError::UniqueViolation) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    won
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(btree::verify(&pool, multi).unwrap(), (THREADS * N) as usize);
    let mut expect: BTreeSet<Vec<u8>> = BTreeSet::new();
    for t in 0..THREADS {
        let mut rng = StdRng::seed_from_u64(t as u64);
        for _ in 0..N {
            let v = rng.gen_range(-5000i64..5000);
            let pad = vec![b'p'; rng.gen_range(0..200)];
            expect.insert([int_key(v), pad].concat());
        }
    }
    let all = bt_scan(&pool, multi, Bound::Unbounded, Bound::Unbounded);
    let keys: BTreeSet<Vec<u8>> = all.iter().map(|(k, _)| k.clone()).collect();
    assert!(keys == expect);
    assert!(all
        .windows(2)
        .all(|w| (&w[0].0, w[0].1) < (&w[1].0, w[1].1)));

    let won: Vec<i64> = wins.into_iter().flatten().collect();
    let distinct: BTreeSet<i64> = won.iter().copied().collect();
    assert_eq!(
        won.len(),
        distinct.len(),
        "a key was inserted twice into the unique index"
    );
    assert_eq!(btree::verify(&pool, uniq).unwrap(), won.len());
    let got: Vec<Vec<u8>> = bt_scan(&pool, uniq, Bound::Unbounded, Bound::Unbounded)
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(got == distinct.iter().map(|&v| int_key(v)).collect::<Vec<_>>());
}

#[test]
fn heap_concurrent_inserts() {
    let env = new_env(62207, 32);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 208;
    pool.create_relation(rel).unwrap();
    let backends: Vec<usize> = (0..4).map(|_| env.backend()).collect();
    // Each thread inserts in transactions of 50 rows; every fifth one
    // rolls back.
    let tids: Vec<Vec<(ItemPointer, Vec<u8>)>> = std::thread::scope(|s| {
        let hs: Vec<_> = backends
            .iter()
            .enumerate()
            .map(|(t, &be)| {
                s.spawn(move || {
                    let mut kept = Vec::new();
                    for batch in 0..60u64 {
                        let tx = Tx::begin(procs, be);
                        let rows: Vec<_> = (0..50)
                            .map(|i| {
                                let id = t as u64 * 100_000 + batch * 50 + i;
                                let d = row(id, (id % 300) as usize);
                                (heap::insert(&pool, rel, &d, 100, &tx.w()).unwrap(), d)
                            })
                            .collect();
                        if batch % 5 == 4 {
                            tx.abort();
                        } else {
                            tx.commit();
                            kept.extend(rows);
                        }
                    }
                    kept
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let model: HashMap<ItemPointer, Vec<u8>> = tids.into_iter().flatten().collect();
    assert_eq!(model.len(), 4 * 48 * 50);
    assert!(scan_all(&pool, rel, &fresh(procs)) == model);
}

/// Who sees an insert, a delete and an update, before and after commit
/// or abort, in the writing transaction and in others.
#[test]
fn mvcc_visibility() {
    let env = new_env(62208, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 209;
    pool.create_relation(rel).unwrap();
    let (ba, bb) = (env.backend(), env.backend());
    let see = |root: ItemPointer, m: &Mvcc| visible(&pool, rel, root, m);

    // An insert: invisible to its own command, visible to the next one.
    let mut a = Tx::begin(procs, ba);
    let r1 = heap::insert(&pool, rel, b"r1", 100, &a.w()).unwrap();
    assert_eq!(see(r1, &a.mvcc()), None);
    assert!(scan_all(&pool, rel, &a.mvcc()).is_empty());
    a.next();
    assert_eq!(see(r1, &a.mvcc()), Some(b"r1".to_vec()));
    assert_eq!(scan_all(&pool, rel, &a.mvcc()).len(), 1);
    // Invisible to everybody else until it commits, and afterwards to
    // snapshots taken before that.
    let before_commit = fresh(procs);
    let b = Tx::begin(procs, bb);
    assert_eq!(see(r1, &before_commit), None);
    assert_eq!(see(r1, &b.mvcc()), None);
    assert!(scan_all(&pool, rel, &b.mvcc()).is_empty());
    a.commit();
    assert_eq!(
        procs.clog().status(version(&pool, rel, r1).0.t_xmin),
        XidStatus::Committed
    );
    assert_eq!(see(r1, &before_commit), None);
    assert_eq!(see(r1, &b.mvcc()), None);
    assert_eq!(see(r1, &fresh(procs)), Some(b"r1".to_vec()));
    b.commit();

    // An aborted insert is never visible, not even to updaters.
    let mut c = Tx::begin(procs, ba);
    let r2 = heap::insert(&pool, rel, b"r2", 100, &c.w()).unwrap();
    c.next();
    assert_eq!(see(r2, &c.mvcc()), Some(b"r2".to_vec()));
    let cx = c.xid;
    c.abort();
    assert_eq!(procs.clog().status(cx), XidStatus::Aborted);
    assert_eq!(version(&pool, rel, r2).0.t_xmin, cx);
    assert_eq!(see(r2, &fresh(procs)), None);
    let d = Tx::begin(procs, bb);
    assert_eq!(
        heap::update(&pool, rel, r2, b"x", 100, &d.w(), true).unwrap(),
        Err(TmResult::Invisible)
    );
    assert_eq!(
        heap::delete(&pool, rel, r2, &d.w()).unwrap(),
        TmResult::Invisible
    );
    d.commit();

    // A delete in progress: others still see the row; the deleter's
    // command that deleted it too, its next ones not.
    let mut d = Tx::begin(procs, ba);
    assert_eq!(heap::delete(&pool, rel, r1, &d.w()).unwrap(), TmResult::Ok);
    assert_eq!(see(r1, &d.mvcc()), Some(b"r1".to_vec()));
    d.next();
    assert_eq!(see(r1, &d.mvcc()), None);
    let before_delete = fresh(procs);
    assert_eq!(see(r1, &before_delete), Some(b"r1".to_vec()));
    d.commit();
    assert_eq!(see(r1, &fresh(procs)), None);
    assert_eq!(see(r1, &before_delete), Some(b"r1".to_vec()));

    // An aborted delete changes nothing.
    let t = Tx::begin(procs, ba);
    let r3 = heap::insert(&pool, rel, b"r3", 100, &t.w()).unwrap();
    t.commit();
    let t = Tx::begin(procs, ba);
    assert_eq!(heap::delete(&pool, rel, r3, &t.w()).unwrap(), TmResult::Ok);
    t.abort();
    assert_eq!(see(r3, &fresh(procs)), Some(b"r3".to_vec()));

    // An update: the old version stays visible to others (and to the
    // updating command) until it commits, the new one to the updater's
    // next commands and, after the commit, to new snapshots.
    let mut u = Tx::begin(procs, bb);
    let up = heap::update(&pool, rel, r3, b"r3 v2", 100, &u.w(), true)
        .unwrap()
        .unwrap();
    assert_eq!(see(r3, &u.mvcc()), Some(b"r3".to_vec()));
    u.next();
    assert_eq!(see(r3, &u.mvcc()), Some(b"r3 v2".to_vec()));
    let mine = scan_all(&pool, rel, &u.mvcc());
    assert!(mine == [(up.tid, b"r3 v2".to_vec())].into(), "{mine:?}");
    let before_update = fresh(procs);
    let theirs = scan_all(&pool, rel, &before_update);
    assert!(theirs == [(r3, b"r3".to_vec())].into(), "{theirs:?}");
    u.commit();
    assert_eq!(see(r3, &fresh(procs)), Some(b"r3 v2".to_vec()));
    assert!(scan_all(&pool, rel, &fresh(procs)) == [(up.tid, b"r3 v2".to_vec())].into());
    assert_eq!(see(r3, &before_update), Some(b"r3".to_vec()));
    assert!(scan_all(&pool, rel, &before_update) == [(r3, b"r3".to_vec())].into());

    // A super-deleted insert (ON CONFLICT) is invisible even to its own
    // transaction.
    let mut k = Tx::begin(procs, ba);
    let r4 = heap::insert(&pool, rel, b"r4", 100, &k.w()).unwrap();
    heap::kill_inserted(&pool, rel, r4).unwrap();
    k.next();
    assert_eq!(see(r4, &k.mvcc()), None);
    k.commit();
    assert_eq!(see(r4, &fresh(procs)), None);

    // A row lock hides nothing, but makes writers wait.
    let l = Tx::begin(procs, ba);
    assert_eq!(
        heap::lock_tuple(&pool, rel, up.tid, &l.w()).unwrap(),
        TmResult::Ok
    );
    assert_eq!(
        heap::lock_tuple(&pool, rel, up.tid, &l.w()).unwrap(),
        TmResult::Ok
    );
    assert_eq!(see(r3, &fresh(procs)), Some(b"r3 v2".to_vec()));
    let m = Tx::begin(procs, bb);
    assert_eq!(
        heap::update(&pool, rel, up.tid, b"x", 100, &m.w(), true).unwrap(),
        Err(TmResult::BeingModified(l.xid))
    );
    l.commit();
    assert_eq!(see(r3, &m.mvcc()), Some(b"r3 v2".to_vec()));
    assert!(
        heap::update(&pool, rel, up.tid, b"r3 v3", 100, &m.w(), true)
            .unwrap()
            .is_ok()
    );
    m.commit();
    assert_eq!(see(r3, &fresh(procs)), Some(b"r3 v3".to_vec()));
}

/// A subtransaction's rows are its transaction's; rolled back, they are
/// nobody's.
#[test]
fn mvcc_subtransactions() {
    let env = new_env(62209, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 210;
    pool.create_relation(rel).unwrap();
    let be = env.backend();
    let top = procs.assign_xid(be).unwrap();
    let (snap, _) = procs.snapshot(be, true);
    let snap = Arc::new(snap);
    let w = |own: &OwnXids, cid: u32| {
        let own = own.clone();
        move |f: &dyn Fn(&Writer) -> ItemPointer| {
            f(&Writer {
                own: &own,
                xid: own.current(),
                cid,
                procs: None,
            })
        }
    };
    let mut own = OwnXids {
        top,
        subs: Vec::new(),
    };
    let r_top = w(&own, 0)(&|w| heap::insert(&pool, rel, b"top", 100, w).unwrap());
    let s1 = procs.assign_subxid(be).unwrap();
    own.subs.push(s1);
    let r_s1 = w(&own, 1)(&|w| heap::insert(&pool, rel, b"s1", 100, w).unwrap());
    let s2 = procs.assign_subxid(be).unwrap();
    own.subs.push(s2);
    let r_s2 = w(&own, 2)(&|w| heap::insert(&pool, rel, b"s2", 100, w).unwrap());
    assert_eq!(version(&pool, rel, r_s2).0.t_xmin, s2);
    let m = |own: &OwnXids| Mvcc {
        snapshot: snap.clone(),
        cid: 3,
        own: Arc::new(own.clone()),
        clog: procs.clog(),
    };
    assert_eq!(scan_all(&pool, rel, &m(&own)).len(), 3);
    // Other backends see the subtransactions running.
    let (other, _) = procs.snapshot(usize::MAX, false);
    assert!(other.is_in_progress(s1) && other.is_in_progress(s2));
    assert!(scan_all(&pool, rel, &fresh(procs)).is_empty());
    // ROLLBACK TO SAVEPOINT s2.
    procs.abort_subxids(be, &[s2]);
    own.subs.pop();
    assert_eq!(procs.clog().status(s2), XidStatus::Aborted);
    let mine = scan_all(&pool, rel, &m(&own));
    assert!(mine.contains_key(&r_top) && mine.contains_key(&r_s1) && mine.len() == 2);
    procs.commit(be, top, &own.subs);
    assert_eq!(procs.clog().status(s1), XidStatus::Committed);
    let all = scan_all(&pool, rel, &fresh(procs));
    assert!(all == [(r_top, b"top".to_vec()), (r_s1, b"s1".to_vec())].into());
}

/// What heap::update, delete and lock_tuple say about versions others
/// are changing or changed.
#[test]
fn mvcc_update_outcomes() {
    let env = new_env(62210, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 211;
    pool.create_relation(rel).unwrap();
    let (ba, bb, bc) = (env.backend(), env.backend(), env.backend());
    let t = Tx::begin(procs, ba);
    let [r, s, u] = [b"r", b"s", b"u"].map(|d| heap::insert(&pool, rel, d, 100, &t.w()).unwrap());
    t.commit();

    // Being updated, then updated.
    let a = Tx::begin(procs, ba);
    let ua = heap::update(&pool, rel, r, b"r2", 100, &a.w(), false)
        .unwrap()
        .unwrap();
    assert_eq!(ua.tid.block, 0);
    assert!(!ua.hot);
    let mut b = Tx::begin(procs, bb);
    let being = TmResult::BeingModified(a.xid);
    assert_eq!(
        heap::update(&pool, rel, r, b"x", 100, &b.w(), true).unwrap(),
        Err(being)
    );
    assert_eq!(heap::delete(&pool, rel, r, &b.w()).unwrap(), being);
    assert_eq!(heap::lock_tuple(&pool, rel, r, &b.w()).unwrap(), being);
    // The new version is not there yet for b.
    assert_eq!(
        heap::update(&pool, rel, ua.tid, b"x", 100, &b.w(), true).unwrap(),
        Err(TmResult::Invisible)
    );
    assert!(procs.is_running(a.xid));
    let ax = a.xid;
    a.commit();
    assert!(!procs.is_running(ax));
    let moved = TmResult::Updated(ua.tid);
    assert_eq!(
        heap::update(&pool, rel, r, b"x", 100, &b.w(), true).unwrap(),
        Err(moved)
    );
    assert_eq!(heap::delete(&pool, rel, r, &b.w()).unwrap(), moved);
    assert_eq!(heap::lock_tuple(&pool, rel, r, &b.w()).unwrap(), moved);
    // Following the chain: b updates the newest version, then may not
    // change it again.
    let ub = heap::update(&pool, rel, ua.tid, b"r3", 100, &b.w(), true)
        .unwrap()
        .unwrap();
    assert!(ub.hot);
    assert_eq!(
        heap::update(&pool, rel, ua.tid, b"x", 100, &b.w(), true).unwrap(),
        Err(TmResult::SelfModified)
    );
    assert_eq!(
        heap::delete(&pool, rel, ua.tid, &b.w()).unwrap(),
        TmResult::SelfModified
    );
    assert_eq!(
        heap::lock_tuple(&pool, rel, ua.tid, &b.w()).unwrap(),
        TmResult::SelfModified
    );
    // Its own new version: not in this command, yes in the next.
    assert_eq!(
        heap::update(&pool, rel, ub.tid, b"x", 100, &b.w(), true).unwrap(),
        Err(TmResult::Invisible)
    );
    b.next();
    assert_eq!(
        heap::delete(&pool, rel, ub.tid, &b.w()).unwrap(),
        TmResult::Ok
    );
    b.abort();
    // Not a HOT update: the root does not lead to the new version.
    assert_eq!(visible(&pool, rel, r, &fresh(procs)), None);
    assert_eq!(
        visible(&pool, rel, ua.tid, &fresh(procs)),
        Some(b"r2".to_vec())
    );

    // Being deleted by a transaction that then aborts: go ahead.
    let c = Tx::begin(procs, ba);
    assert_eq!(heap::delete(&pool, rel, s, &c.w()).unwrap(), TmResult::Ok);
    let d = Tx::begin(procs, bb);
    assert_eq!(
        heap::delete(&pool, rel, s, &d.w()).unwrap(),
        TmResult::BeingModified(c.xid)
    );
    c.abort();
    assert_eq!(heap::delete(&pool, rel, s, &d.w()).unwrap(), TmResult::Ok);
    d.commit();
    // Deleted.
    let e = Tx::begin(procs, bc);
    assert_eq!(
        heap::update(&pool, rel, s, b"x", 100, &e.w(), true).unwrap(),
        Err(TmResult::Deleted)
    );
    assert_eq!(
        heap::delete(&pool, rel, s, &e.w()).unwrap(),
        TmResult::Deleted
    );
    assert_eq!(
        heap::lock_tuple(&pool, rel, s, &e.w()).unwrap(),
        TmResult::Deleted
    );

    // Inserted by a transaction in progress: invisible until it commits
    // (the heap does not wait; the executor's snapshot decides).
    let f = Tx::begin(procs, ba);
    let v = heap::insert(&pool, rel, b"v", 100, &f.w()).unwrap();
    assert_eq!(
        heap::delete(&pool, rel, v, &e.w()).unwrap(),
        TmResult::Invisible
    );
    f.commit();
    assert_eq!(
        heap::lock_tuple(&pool, rel, v, &e.w()).unwrap(),
        TmResult::Ok
    );

    // Locked by me: I may lock it again, then update it; others wait.
    assert_eq!(
        heap::lock_tuple(&pool, rel, u, &e.w()).unwrap(),
        TmResult::Ok
    );
    let g = Tx::begin(procs, bb);
    assert_eq!(
        heap::lock_tuple(&pool, rel, u, &g.w()).unwrap(),
        TmResult::BeingModified(e.xid)
    );
    assert!(heap::update(&pool, rel, u, b"u2", 100, &e.w(), true)
        .unwrap()
        .is_ok());
    let ex = e.xid;
    e.commit();
    assert!(matches!(
        heap::lock_tuple(&pool, rel, u, &g.w()).unwrap(),
        TmResult::Updated(_)
    ));
    assert_eq!(
        heap::lock_tuple(&pool, rel, v, &g.w()).unwrap(),
        TmResult::Ok
    );
    g.commit();
    let (h, _) = version(&pool, rel, u);
    assert_eq!(h.t_xmax, ex);

    // A waiter: blocked on a row until its updater commits, then follows
    // the chain.
    let hx = Tx::begin(procs, ba);
    let first = visible(&pool, rel, u, &fresh(procs)).unwrap();
    assert_eq!(first, b"u2");
    let cur = heap::fetch_visible(&pool, rel, u, &fresh(procs))
        .unwrap()
        .unwrap()
        .0;
    assert!(heap::update(&pool, rel, cur, b"u3", 100, &hx.w(), true)
        .unwrap()
        .is_ok());
    let hxid = hx.xid;
    std::thread::scope(|sc| {
        let waiter = sc.spawn(|| {
            let w = Tx::begin(procs, bb);
            let mut at = cur;
            let mut waited = false;
            let got = loop {
                match heap::update(&pool, rel, at, b"u4", 100, &w.w(), true).unwrap() {
                    Ok(up) => break up,
                    Err(TmResult::BeingModified(x)) => {
                        assert_eq!(x, hxid);
                        waited = true;
                        while procs.is_running(x) {
                            std::thread::sleep(Duration::from_micros(100));
                        }
                    }
                    Err(TmResult::Updated(next)) => at = next,
                    Err(r) => panic!("{r:?}"),
                }
            };
            w.commit();
            (got, waited)
        });
        std::thread::sleep(Duration::from_millis(50));
        hx.commit();
        let (got, waited) = waiter.join().unwrap();
        assert!(waited);
        assert_eq!(version(&pool, rel, got.tid).1, b"u4");
    });
    assert_eq!(visible(&pool, rel, u, &fresh(procs)), Some(b"u4".to_vec()));
}

/// HOT chains: updates on the page, readers following the chain from its
/// root, pruning to a redirect, reuse of freed line pointers.
#[test]
fn hot_chains_and_pruning() {
    let env = new_env(62211, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 212;
    pool.create_relation(rel).unwrap();
    let (be, bold) = (env.backend(), env.backend());
    let prune = |horizon: u32| {
        let buf = pool.read(rel, 0).unwrap();
        let mut g = buf.write_lock();
        prune::prune_page(pool.data_dir().clog(), &mut g, horizon)
    };
    let lp = |off: u16| {
        let buf = pool.read(rel, 0).unwrap();
        let g = buf.read_lock();
        (page::item_id(&g, off).flags, page::redirect_target(&g, off))
    };
    let fetch = |root: ItemPointer, m: &Mvcc| heap::fetch_visible(&pool, rel, root, m).unwrap();
    let chain_tids = |root: ItemPointer| -> Vec<ItemPointer> {
        heap::chain(&pool, rel, root)
            .unwrap()
            .into_iter()
            .map(|c| c.0)
            .collect()
    };

    let t = Tx::begin(procs, be);
    let root = heap::insert(&pool, rel, &row(1, 100), 100, &t.w()).unwrap();
    t.commit();
    let t1 = Tx::begin(procs, be);
    let u1 = heap::update(&pool, rel, root, &row(2, 100), 100, &t1.w(), true).unwrap();
    assert_eq!(u1, Ok(hot(tid(0, 2))));
    t1.commit();
    let old = held(procs, bold);
    let t2 = Tx::begin(procs, be);
    let u2 = heap::update(&pool, rel, tid(0, 2), &row(3, 100), 100, &t2.w(), true).unwrap();
    assert_eq!(u2, Ok(hot(tid(0, 3))));
    t2.commit();

    assert_eq!(fetch(root, &fresh(procs)), Some((tid(0, 3), row(3, 100))));
    assert_eq!(fetch(root, &old), Some((tid(0, 2), row(2, 100))));
    let chain = heap::chain(&pool, rel, root).unwrap();
    assert_eq!(
        chain.iter().map(|c| c.0).collect::<Vec<_>>(),
        [tid(0, 1), tid(0, 2), tid(0, 3)]
    );
    let flags: Vec<u16> = chain
        .iter()
        .map(|c| c.1.t_infomask & (HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE))
        .collect();
    assert_eq!(
        flags,
        [
            HEAP_HOT_UPDATED,
            HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE,
            HEAP_ONLY_TUPLE
        ]
    );
    assert!(chain.windows(2).all(|w| w[0].1.t_xmax == w[1].1.t_xmin));
    // A scan sees one version of the row.
    assert!(scan_all(&pool, rel, &fresh(procs)) == [(tid(0, 3), row(3, 100))].into());
    // Updating a version that is not the newest: told where it went.
    let t = Tx::begin(procs, be);
    assert_eq!(
        heap::update(&pool, rel, root, b"x", 100, &t.w(), true).unwrap(),
        Err(TmResult::Updated(tid(0, 2)))
    );
    t.commit();

    // Prune while the old snapshot holds back the horizon: only the root
    // version is dead; the root becomes a redirect.
    let horizon = procs.global_xmin();
    assert!(horizon <= old.snapshot.xmin);
    let st = prune(horizon);
    assert_eq!((st.removed, st.now_dead), (1, 0));
    assert_eq!(lp(1), (LP_REDIRECT, Some(2)));
    assert_eq!(heap::fetch_version(&pool, rel, root).unwrap(), None);
    assert_eq!(fetch(root, &old), Some((tid(0, 2), row(2, 100))));
    assert_eq!(fetch(root, &fresh(procs)), Some((tid(0, 3), row(3, 100))));
    assert_eq!(chain_tids(root), [tid(0, 2), tid(0, 3)]);
    // Nothing more to do with the same horizon.
    assert_eq!(prune(horizon).removed, 0);

    // Once the old snapshot is gone, the second version goes too: its line
    // pointer is unused, the redirect moves on.
    procs.clear_xmin(bold);
    let st = prune(procs.global_xmin());
    assert_eq!((st.removed, st.now_dead), (1, 0));
    assert_eq!(lp(1), (LP_REDIRECT, Some(3)));
    assert_eq!(lp(2).0, LP_UNUSED);
    assert_eq!(fetch(root, &fresh(procs)), Some((tid(0, 3), row(3, 100))));
    assert_eq!(chain_tids(root), [tid(0, 3)]);
    // An update from the newest version continues the chain.
    let t = Tx::begin(procs, be);
    let u3 = heap::update(&pool, rel, tid(0, 3), &row(4, 100), 100, &t.w(), true).unwrap();
    // ... in the freed line pointer.
    assert_eq!(u3, Ok(hot(tid(0, 2))));
    t.commit();
    assert_eq!(chain_tids(root), [tid(0, 3), tid(0, 2)]);
    assert_eq!(fetch(root, &fresh(procs)), Some((tid(0, 2), row(4, 100))));
    let st = prune(procs.global_xmin());
    assert_eq!((st.removed, st.now_dead), (1, 0));
    assert_eq!(lp(1), (LP_REDIRECT, Some(2)));
    assert_eq!(lp(3).0, LP_UNUSED);

    // A new row takes the freed line pointer.
    let t = Tx::begin(procs, be);
    let other = heap::insert(&pool, rel, b"other", 100, &t.w()).unwrap();
    assert_eq!(other, tid(0, 3));
    t.commit();
    assert_eq!(
        fetch(other, &fresh(procs)),
        Some((other, b"other".to_vec()))
    );
    assert_eq!(fetch(root, &fresh(procs)), Some((tid(0, 2), row(4, 100))));

    // The whole chain dies: the root's line pointer becomes dead (index
    // entries still point at it), its last version's unused.
    let t = Tx::begin(procs, be);
    assert_eq!(
        heap::delete(&pool, rel, tid(0, 2), &t.w()).unwrap(),
        TmResult::Ok
    );
    t.commit();
    let st = prune(procs.global_xmin());
    assert_eq!((st.removed, st.now_dead), (1, 1));
    assert_eq!(lp(1).0, LP_DEAD);
    assert_eq!(lp(2).0, LP_UNUSED);
    assert_eq!(lp(3).0, LP_NORMAL);
    assert_eq!(fetch(root, &fresh(procs)), None);
    assert!(heap::chain(&pool, rel, root).unwrap().is_empty());
    assert!(scan_all(&pool, rel, &fresh(procs)) == [(other, b"other".to_vec())].into());
}

/// Many committed HOT updates of one row stay on one page: updates prune
/// the page when it is full.
#[test]
fn hot_updates_prune_and_stay_on_one_page() {
    let env = new_env(62212, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 213;
    pool.create_relation(rel).unwrap();
    let be = env.backend();
    let t = Tx::begin(procs, be);
    let root = heap::insert(&pool, rel, &row(0, 100), 100, &t.w()).unwrap();
    let other = heap::insert(&pool, rel, &row(1, 1000), 100, &t.w()).unwrap();
    t.commit();
    let mut cur = root;
    let mut max_chain = 0;
    for i in 1..=5000u64 {
        let t = Tx::begin(procs, be);
        let up = heap::update(
            &pool,
            rel,
            cur,
            &row(i, 100 + (i % 7) as usize),
            100,
            &t.w_pruning(&procs),
            true,
        )
        .unwrap()
        .unwrap();
        assert!(up.hot && up.tid.block == 0, "update {i}: {up:?}");
        cur = up.tid;
        if i % 3 == 0 {
            t.commit();
        } else if i % 3 == 1 && i % 11 == 0 {
            // Some roll back: the next update starts from the old version.
            t.abort();
            cur = heap::fetch_visible(&pool, rel, root, &fresh(procs))
                .unwrap()
                .unwrap()
                .0;
        } else {
            t.commit();
        }
        if i % 500 == 0 {
            max_chain = max_chain.max(heap::chain(&pool, rel, root).unwrap().len());
        }
    }
    assert_eq!(pool.nblocks(rel).unwrap(), 1);
    let last = visible(&pool, rel, root, &fresh(procs)).unwrap();
    assert_eq!(last, row(5000, 100 + 5000 % 7));
    assert_eq!(
        heap::fetch_visible(&pool, rel, root, &fresh(procs))
            .unwrap()
            .unwrap()
            .0,
        cur
    );
    let all = scan_all(&pool, rel, &fresh(procs));
    assert!(all == [(cur, last), (other, row(1, 1000))].into());
    assert!(max_chain < 80, "chain of {max_chain} versions");
    let buf = pool.read(rel, 0).unwrap();
    assert!(page::max_offset(&buf.read_lock()) < 80);
}

/// VACUUM's page passes: dead line pointers are reported, then freed and
/// reused.
#[test]
fn vacuum_frees_dead_line_pointers() {
    let env = new_env(62213, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 214;
    pool.create_relation(rel).unwrap();
    let (be, bold) = (env.backend(), env.backend());
    let vacuum = || prune::vacuum_block(&pool, rel, 0, procs.global_xmin()).unwrap();
    let t = Tx::begin(procs, be);
    let tids: Vec<ItemPointer> = (0..10)
        .map(|i| heap::insert(&pool, rel, &row(i, 50), 100, &t.w()).unwrap())
        .collect();
    t.commit();
    let (st, dead, counts) = vacuum();
    assert_eq!(
        (st.removed, dead.len(), counts.live, counts.dead),
        (0, 0, 10, 0)
    );

    let victims = [tids[1], tids[3], tids[5]];
    let t = Tx::begin(procs, be);
    for v in victims {
        assert_eq!(heap::delete(&pool, rel, v, &t.w()).unwrap(), TmResult::Ok);
    }
    // Not yet committed: nothing is dead (deletes in progress count as
    // live, as in PostgreSQL).
    let (st, dead, counts) = vacuum();
    assert_eq!(
        (st.removed, dead.len(), counts.live, counts.dead),
        (0, 0, 10, 0)
    );
    let old = held(procs, bold);
    t.commit();
    // A snapshot from before the commit still sees them.
    let (st, dead, _) = vacuum();
    assert_eq!((st.removed, dead.len()), (0, 0));
    assert_eq!(scan_all(&pool, rel, &old).len(), 10);
    procs.clear_xmin(bold);
    let (st, dead, counts) = vacuum();
    assert_eq!((st.removed, st.now_dead), (3, 3));
    assert_eq!(dead, victims);
    assert_eq!((counts.live, counts.dead), (7, 0));
    for v in victims {
        assert_eq!(heap::fetch_version(&pool, rel, v).unwrap(), None);
    }
    // The dead line pointers are not reused before VACUUM frees them.
    let t = Tx::begin(procs, be);
    let extra = heap::insert(&pool, rel, b"extra", 100, &t.w()).unwrap();
    assert_eq!(extra, tid(0, 11));
    t.commit();
    let offs: Vec<u16> = dead.iter().map(|t| t.offset).collect();
    assert_eq!(prune::reclaim_dead(&pool, rel, 0, &offs).unwrap(), 3);
    assert_eq!(prune::reclaim_dead(&pool, rel, 0, &offs).unwrap(), 0);
    let t = Tx::begin(procs, be);
    let reused: Vec<ItemPointer> = (0..4)
        .map(|i| heap::insert(&pool, rel, &row(100 + i, 50), 100, &t.w()).unwrap())
        .collect();
    assert_eq!(reused, [tids[1], tids[3], tids[5], tid(0, 12)]);
    t.commit();
    assert_eq!(scan_all(&pool, rel, &fresh(procs)).len(), 12);

    // An aborted insert's line pointer is dead at once; an aborted
    // update's heap-only version ends its chain and goes at once too.
    let t = Tx::begin(procs, be);
    let aborted = heap::insert(&pool, rel, b"aborted", 100, &t.w()).unwrap();
    let orphan = heap::update(&pool, rel, tids[0], b"aborted update", 100, &t.w(), true)
        .unwrap()
        .unwrap();
    assert!(orphan.hot);
    t.abort();
    let (st, dead, _) = vacuum();
    assert_eq!(dead, [aborted]);
    assert_eq!(st.removed, 2);
    assert_eq!(heap::fetch_version(&pool, rel, orphan.tid).unwrap(), None);
    let t = Tx::begin(procs, be);
    let up = heap::update(&pool, rel, tids[0], b"real update", 100, &t.w(), true)
        .unwrap()
        .unwrap();
    t.commit();
    // The freed item number serves the new version.
    assert_eq!(up.tid, orphan.tid);
    let (_, dead, _) = vacuum();
    assert_eq!(dead, [aborted]);
    assert_eq!(
        visible(&pool, rel, tids[0], &fresh(procs)),
        Some(b"real update".to_vec())
    );
    assert_eq!(scan_all(&pool, rel, &fresh(procs)).len(), 12);
}

/// Bank accounts: `[id u64][balance i64][padding]`.
fn account(id: u64, balance: i64, pad: usize) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend_from_slice(&balance.to_le_bytes());
    v.resize(16 + pad, b'.');
    v
}

fn parse_account(d: &[u8]) -> (u64, i64) {
    (
        u64::from_le_bytes(d[..8].try_into().unwrap()),
        i64::from_le_bytes(d[8..16].try_into().unwrap()),
    )
}

const ACCOUNTS: u64 = 8;
const OPENING: i64 = 1000;

/// Checks what one snapshot (published, then released) sees: every
/// account once, the total unchanged. Returns the balances.
fn check_accounts(pool: &BufferPool, procs: ProcArray, rel: RelId, be: usize) -> Vec<i64> {
    let m = held(procs, be);
    let rows = scan_pruning(pool, rel, &m, procs);
    procs.clear_xmin(be);
    let mut bal = vec![None; ACCOUNTS as usize];
    for d in rows.values() {
        let (id, b) = parse_account(d);
        assert!(
            bal[id as usize].replace(b).is_none(),
            "account {id} twice: {rows:?}"
        );
    }
    let bal: Vec<i64> = bal
        .into_iter()
        .map(|b| b.expect("an account is missing"))
        .collect();
    assert_eq!(
        bal.iter().sum::<i64>(),
        ACCOUNTS as i64 * OPENING,
        "{bal:?}"
    );
    bal
}

/// One transfer of `amount` between two accounts, in one transaction
/// (rolled back if `abort`): finds the rows with a scan, updates each
/// from its newest version, waiting for concurrent updaters. Rows are
/// updated in id order, so transfers cannot deadlock.
fn transfer(
    pool: &BufferPool,
    procs: ProcArray,
    rel: RelId,
    be: usize,
    (from, to, amount, pad): (u64, u64, i64, usize),
    abort: bool,
) {
    let t = Tx::begin(procs, be);
    let w = t.w_pruning(&procs);
    let rows = scan_pruning(pool, rel, &t.mvcc(), procs);
    let mut at: HashMap<u64, ItemPointer> = rows
        .iter()
        .map(|(tid, d)| (parse_account(d).0, *tid))
        .collect();
    let mut moves = [(from, -amount), (to, amount)];
    moves.sort();
    for (id, delta) in moves {
        let mut tid = at.remove(&id).expect("account not seen");
        loop {
            let (_, d) = heap::fetch_version(pool, rel, tid)
                .unwrap()
                .unwrap_or_else(|| panic!("version {tid} of account {id} vanished"));
            let (got, bal) = parse_account(&d);
            assert_eq!(got, id, "{tid} is not account {id}");
            match heap::update(
                pool,
                rel,
                tid,
                &account(id, bal + delta, pad),
                100,
                &w,
                true,
            )
            .unwrap()
            {
                Ok(_) => break,
                Err(TmResult::Updated(next)) => tid = next,
                Err(TmResult::BeingModified(x)) => {
                    while procs.is_running(x) {
                        std::thread::sleep(Duration::from_micros(50));
                    }
                }
                Err(r) => panic!("account {id} at {tid}: {r:?}"),
            }
        }
    }
    if abort {
        t.abort();
    } else {
        t.commit();
    }
}

fn transfers(seed: u64, n: usize) -> Vec<((u64, u64, i64, usize), bool)> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let from = rng.gen_range(0..ACCOUNTS);
            let to = (from + rng.gen_range(1..ACCOUNTS)) % ACCOUNTS;
            let t = (from, to, rng.gen_range(1..100), rng.gen_range(0..700));
            (t, rng.gen_bool(0.1))
        })
        .collect()
}

/// Threads transfer between a few accounts while another checks that
/// every snapshot sees each account once and the same total.
#[test]
fn mvcc_threads_conserve_a_total() {
    let env = new_env(62214, 32);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 215;
    pool.create_relation(rel).unwrap();
    let t = Tx::begin(procs, env.backend());
    for id in 0..ACCOUNTS {
        heap::insert(&pool, rel, &account(id, OPENING, 100), 100, &t.w()).unwrap();
    }
    t.commit();
    const WRITERS: u64 = 3;
    let backends: Vec<usize> = (0..=WRITERS).map(|_| env.backend()).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let checks = std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (be, done) = (backends[w as usize], &done);
            s.spawn(move || {
                for (tr, abort) in transfers(w, 800) {
                    transfer(&pool, procs, rel, be, tr, abort);
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let (be, done) = (backends[WRITERS as usize], &done);
        let reader = s.spawn(move || {
            let mut n = 0;
            while done.load(std::sync::atomic::Ordering::SeqCst) < WRITERS as usize {
                check_accounts(&pool, procs, rel, be);
                n += 1;
            }
            n
        });
        reader.join().unwrap()
    });
    assert!(checks > 0);
    let bal = check_accounts(&pool, procs, rel, backends[0]);
    let mut expect = vec![OPENING; ACCOUNTS as usize];
    for w in 0..WRITERS {
        for ((from, to, amount, _), abort) in transfers(w, 800) {
            if !abort {
                expect[from as usize] -= amount;
                expect[to as usize] += amount;
            }
        }
    }
    assert_eq!(bal, expect);
}

/// A committing transaction sets its commit-log status first and leaves
/// the proc array after (`ProcArray::commit`); in between, new snapshots
/// still count it running. PostgreSQL's HeapTupleSatisfiesUpdate
/// therefore asks the proc array (TransactionIdIsInProgress) before the
/// commit log: were a writer told `Updated` in that window, it could
/// update the new version and commit, and a new snapshot would see two
/// versions of the row (the old one, whose deleter it counts running, and
/// the newest).
/// So does `satisfies_update` now, when the writer gives it the proc
/// array: in that window it reports `BeingModified`.
#[test]
fn update_waits_until_the_committer_leaves_the_proc_array() {
    let env = new_env(62215, 16);
    let (pool, procs) = (env.pool, env.procs);
    let rel = 216;
    pool.create_relation(rel).unwrap();
    let (ba, bb) = (env.backend(), env.backend());
    let t = Tx::begin(procs, ba);
    let root = heap::insert(&pool, rel, b"v0", 100, &t.w()).unwrap();
    t.commit();
    let a = Tx::begin(procs, ba);
    let va = heap::update(&pool, rel, root, b"va", 100, &a.w(), true)
        .unwrap()
        .unwrap();
    // a's commit, first half: the commit point.
    procs.clog().set_status(a.xid, XidStatus::Committed);
    assert!(procs.is_running(a.xid));
    assert_eq!(see_all(&pool, rel, procs), ["v0"]);
    let b = Tx::begin(procs, bb);
    let r = heap::update(&pool, rel, root, b"vb", 100, &b.w_pruning(&procs), true).unwrap();
    if r == Err(TmResult::Updated(va.tid)) {
        // Follow the chain, as READ COMMITTED does, and commit.
        heap::update(&pool, rel, va.tid, b"vb", 100, &b.w_pruning(&procs), true)
            .unwrap()
            .unwrap();
        b.commit();
        let seen = see_all(&pool, rel, procs);
        a.commit();
        panic!(
            "update reported {r:?} while the updater was still running; \
             after building on it, a new snapshot sees {seen:?}"
        );
    }
    assert_eq!(r, Err(TmResult::BeingModified(a.xid)));
    a.commit();
    b.commit();
}

/// The data of every version a new snapshot sees, sorted.
fn see_all(pool: &BufferPool, rel: RelId, procs: ProcArray) -> Vec<String> {
    let mut v: Vec<String> = scan_all(pool, rel, &fresh(procs))
        .into_values()
        .map(|d| String::from_utf8(d).unwrap())
        .collect();
    v.sort();
    v
}
