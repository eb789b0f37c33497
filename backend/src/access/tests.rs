//! Tests of the heap and B-tree access methods through a real buffer pool
//! (the forked-process test is in `backend/tests/access_fork.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::path::PathBuf;
use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, RelId, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::smgr;

use super::*;

/// One data directory per test binary (the storage manager has one per
/// process); each test uses its own relation numbers and port.
fn datadir() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR
        .get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .to_path_buf();
    smgr::init(&d).unwrap();
    d
}

fn new_pool(port: u16, nbuffers: usize) -> (SegmentOwner, BufferPool) {
    datadir();
    let (owner, seg) = SegmentOwner::create(&SegmentConfig {
        port,
        max_backends: 16,
        shared_buffers: nbuffers * BLCKSZ,
        mode: 0,
    })
    .unwrap();
    (owner, seg.buffer_pool())
}

fn row(id: u64, len: usize) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend((0..len).map(|i| (id as usize + i) as u8));
    v
}

fn scan_all(pool: &BufferPool, rel: RelId) -> HashMap<ItemPointer, Vec<u8>> {
    let mut s = heap::scan(pool, rel);
    let mut out = HashMap::new();
    while let Some((tid, d)) = s.next().unwrap() {
        assert!(out.insert(tid, d).is_none(), "tid {tid} twice");
    }
    out
}

#[test]
fn heap_insert_fetch_update_delete() {
    let (_o, pool) = new_pool(62200, 16);
    let rel = 200;
    pool.create_relation(rel).unwrap();
    let a = heap::insert(&pool, rel, b"hello", 100).unwrap();
    let b = heap::insert(&pool, rel, &row(2, 100), 100).unwrap();
    assert_eq!(a, ItemPointer::new(0, 1));
    assert_eq!(b, ItemPointer::new(0, 2));
    assert_eq!(heap::fetch(&pool, rel, a).unwrap().unwrap(), b"hello");
    // Shrink in place, grow in place (room on the page), keep the tid.
    assert_eq!(heap::update(&pool, rel, a, b"hi", 100).unwrap(), a);
    assert_eq!(heap::fetch(&pool, rel, a).unwrap().unwrap(), b"hi");
    assert_eq!(heap::update(&pool, rel, a, &row(9, 3000), 100).unwrap(), a);
    assert_eq!(heap::fetch(&pool, rel, a).unwrap().unwrap(), row(9, 3000));
    // Fill the page, then grow a row beyond it: it moves.
    let c = heap::insert(&pool, rel, &row(3, 4000), 100).unwrap();
    assert_eq!(c.block, 0);
    let moved = heap::update(&pool, rel, b, &row(4, 3000), 100).unwrap();
    assert_ne!(moved.block, 0);
    assert_eq!(heap::fetch(&pool, rel, b).unwrap(), None);
    assert_eq!(
        heap::fetch(&pool, rel, moved).unwrap().unwrap(),
        row(4, 3000)
    );
    assert!(heap::delete(&pool, rel, c).unwrap());
    assert!(!heap::delete(&pool, rel, c).unwrap());
    assert_eq!(heap::fetch(&pool, rel, c).unwrap(), None);
    assert!(matches!(
        heap::update(&pool, rel, c, b"x", 100),
        Err(AccessError::NoSuchTuple(_))
    ));
    let all = scan_all(&pool, rel);
    assert_eq!(all.len(), 2);
    assert_eq!(all[&a], row(9, 3000));
    // Too big.
    let e = heap::insert(&pool, rel, &vec![0; BLCKSZ], 100).unwrap_err();
    assert_eq!(e.sqlstate(), "54000");
    assert_eq!(
        e.to_string(),
        "row is too big: size 8212, maximum size 8160"
    );
    // The largest row fits alone on a page.
    let max = heap::MAX_HEAP_TUPLE_SIZE - heap::HEAP_TUPLE_HEADER_SIZE;
    let t = heap::insert(&pool, rel, &vec![7; max], 100).unwrap();
    assert_eq!(heap::fetch(&pool, rel, t).unwrap().unwrap().len(), max);
}

#[test]
fn heap_fillfactor_leaves_room() {
    let (_o, pool) = new_pool(62201, 16);
    let rel = 201;
    pool.create_relation(rel).unwrap();
    for i in 0..100 {
        heap::insert(&pool, rel, &row(i, 200), 50).unwrap();
    }
    let per_page = scan_all(&pool, rel).keys().filter(|t| t.block == 0).count();
    // About half of 8 KiB of 230-byte tuples.
    assert!((15..=19).contains(&per_page), "{per_page} rows on page 0");
}

/// 20 MB of rows through a 1 MB cache, with updates and deletes, checked
/// against a model.
#[test]
fn heap_larger_than_cache() {
    let (_o, pool) = new_pool(62202, 128);
    let rel = 202;
    pool.create_relation(rel).unwrap();
    let mut rng = StdRng::seed_from_u64(42);
    let mut model: HashMap<ItemPointer, Vec<u8>> = HashMap::new();
    let mut total = 0;
    let mut id = 0;
    while total < 20 << 20 {
        let d = row(id, rng.gen_range(50..400));
        total += d.len();
        id += 1;
        let tid = heap::insert(&pool, rel, &d, 90).unwrap();
        assert!(model.insert(tid, d).is_none());
    }
    assert!(pool.nblocks(rel).unwrap() as usize > 20 * pool.nbuffers());
    let tids: Vec<ItemPointer> = model.keys().copied().collect();
    for (i, tid) in tids.iter().enumerate() {
        match i % 10 {
            0 => {
                assert!(heap::delete(&pool, rel, *tid).unwrap());
                model.remove(tid);
            }
            1 => {
                let d = row(id, rng.gen_range(10..600));
                id += 1;
                let new = heap::update(&pool, rel, *tid, &d, 90).unwrap();
                model.remove(tid);
                assert!(model.insert(new, d).is_none(), "update reused a live tid");
            }
            _ => {}
        }
    }
    for tid in tids.iter().step_by(97) {
        assert_eq!(
            heap::fetch(&pool, rel, *tid).unwrap().as_ref(),
            model.get(tid)
        );
    }
    assert!(scan_all(&pool, rel) == model, "scan differs from the model");
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
    let (_o, pool) = new_pool(62207, 32);
    let rel = 208;
    pool.create_relation(rel).unwrap();
    let tids: Vec<Vec<(ItemPointer, Vec<u8>)>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4u64)
            .map(|t| {
                s.spawn(move || {
                    (0..3000)
                        .map(|i| {
                            let d = row(t * 100_000 + i, (i % 300) as usize);
                            (heap::insert(&pool, rel, &d, 100).unwrap(), d)
                        })
                        .collect()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let model: HashMap<ItemPointer, Vec<u8>> = tids.into_iter().flatten().collect();
    assert_eq!(model.len(), 12000);
    assert!(scan_all(&pool, rel) == model);
}
