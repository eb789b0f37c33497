//! Forked backends inserting concurrently into one heap and two B-trees
//! (unique and non-unique) through a small shared cache, each in its own
//! transactions; the parent then checks the tree invariants and that
//! scans match what the children did.
//!
//! Its own test binary, so that no other test thread holds a lock (of the
//! storage manager's file cache, say) when it forks.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use backend::access::heap::Writer;
use backend::access::visibility::{Mvcc, OwnXids};
use backend::access::{btree, heap, AccessError, ItemPointer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::xact::ProcArray;
use shmem::{DataDir, ExecMode};

const CHILDREN: u64 = 4;
const N: u64 = 2500;
const HEAP: u32 = 1;
const UNIQ: u32 = 2;
const MULTI: u32 = 3;
/// Rows per transaction.
const BATCH: u64 = 100;

fn int_key(v: i64) -> Vec<u8> {
    ((v as u64) ^ (1 << 63)).to_be_bytes().to_vec()
}

/// Child `c`'s i-th value: overlapping between children.
fn values(c: u64) -> impl Iterator<Item = (u64, i64)> {
    let mut rng = StdRng::seed_from_u64(c);
    (0..N).map(move |i| (c * N + i, rng.gen_range(-3000i64..3000)))
}

fn row(id: u64, v: i64) -> Vec<u8> {
    let mut r = id.to_le_bytes().to_vec();
    r.extend_from_slice(&v.to_le_bytes());
    r.resize(16 + (id % 200) as usize, b'r');
    r
}

/// Child `c`, backend `be`: inserts its rows, committing every `BATCH`.
fn child(pool: &BufferPool, procs: &ProcArray, be: usize, c: u64) -> Result<(), AccessError> {
    let mut vals = values(c).peekable();
    while vals.peek().is_some() {
        let xid = procs.assign_xid(be).expect("xid");
        let own = OwnXids {
            top: xid,
            subs: Vec::new(),
        };
        let w = Writer {
            own: &own,
            xid,
            cid: 0,
            procs: None,
        };
        for (id, v) in vals.by_ref().take(BATCH as usize) {
            let tid = heap::insert(pool, HEAP, &row(id, v), 100, &w)?;
            btree::insert(pool, MULTI, &int_key(v), tid, false)?;
            match btree::insert(pool, UNIQ, &int_key(v), tid, true) {
                Ok(()) | Err(AccessError::UniqueViolation) => {}
                Err(e) => return Err(e),
            }
        }
        procs.commit(be, xid, &[]);
    }
    Ok(())
}

fn scan(pool: &BufferPool, rel: u32) -> Vec<(Vec<u8>, ItemPointer)> {
    let mut s = btree::scan(pool, rel, Bound::Unbounded, Bound::Unbounded);
    let mut out = Vec::new();
    while let Some(e) = s.next().unwrap() {
        out.push(e);
    }
    out
}

#[test]
fn forked_backends_insert_into_shared_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let (_owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port: 62250,
            max_backends: 16,
            shared_buffers: 48 * BLCKSZ,
            mode: 0,
        },
        DataDir::open(dir.path()).unwrap(),
    )
    .unwrap();
    let pool = seg.buffer_pool();
    let procs = seg.proc_array();
    pool.create_relation(HEAP).unwrap();
    btree::create(&pool, UNIQ).unwrap();
    btree::create(&pool, MULTI).unwrap();

    let mut pids = Vec::new();
    for c in 0..CHILDREN {
        let be = seg.backend_table().alloc(ExecMode::Process).unwrap();
        // SAFETY: the child uses only the shared segment, the inherited
        // commit-log mapping and its own memory, and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let r = std::panic::catch_unwind(|| child(&pool, &procs, be, c));
                let code = match r {
                    Ok(Ok(())) => 0,
                    Ok(Err(e)) => {
                        eprintln!("child {c}: {e}");
                        1
                    }
                    Err(_) => 2,
                };
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(code) };
            }
            nix::unistd::ForkResult::Parent { child } => pids.push(child),
        }
    }
    for p in pids {
        let st = nix::sys::wait::waitpid(p, None).unwrap();
        assert!(
            matches!(st, nix::sys::wait::WaitStatus::Exited(_, 0)),
            "{st:?}"
        );
    }

    // Heap: every row once, all committed.
    let (snapshot, _) = procs.snapshot(usize::MAX, false);
    assert!(snapshot.xip.is_empty());
    let mvcc = Mvcc {
        snapshot: Arc::new(snapshot),
        cid: 0,
        own: Arc::new(OwnXids::default()),
        clog: procs.clog(),
    };
    let mut rows: BTreeMap<ItemPointer, (u64, i64)> = BTreeMap::new();
    let mut hs = heap::scan(&pool, HEAP, mvcc, None);
    while let Some((tid, d)) = hs.next().unwrap() {
        let id = u64::from_le_bytes(d[..8].try_into().unwrap());
        let v = i64::from_le_bytes(d[8..16].try_into().unwrap());
        assert_eq!(d, row(id, v));
        rows.insert(tid, (id, v));
    }
    let ids: BTreeSet<u64> = rows.values().map(|r| r.0).collect();
    assert_eq!(ids.len() as u64, CHILDREN * N);
    assert_eq!(rows.len() as u64, CHILDREN * N);

    // Non-unique index: one entry per row, pointing at a row with its key.
    assert_eq!(btree::verify(&pool, MULTI).unwrap() as u64, CHILDREN * N);
    let multi = scan(&pool, MULTI);
    assert_eq!(multi.len() as u64, CHILDREN * N);
    for (k, tid) in &multi {
        assert_eq!(*k, int_key(rows[tid].1));
    }

    // Unique index: each value attempted exactly once, by its winner.
    let attempted: BTreeSet<i64> = (0..CHILDREN).flat_map(|c| values(c).map(|x| x.1)).collect();
    let uniq = scan(&pool, UNIQ);
    assert_eq!(btree::verify(&pool, UNIQ).unwrap(), uniq.len());
    assert_eq!(uniq.len(), attempted.len());
    for ((k, tid), v) in uniq.iter().zip(&attempted) {
        assert_eq!(*k, int_key(*v));
        assert_eq!(rows[tid].1, *v);
    }
}
