//! Cross-process test of the WAL: forked children change pages of their own
//! relations concurrently through a small buffer pool (so pages are evicted,
//! and written, under the WAL rule) and a small ring of WAL buffers (which
//! the insertions wrap around), flushing now and then.
//! Then the "server" dies without a checkpoint: a fresh segment recovers
//! from the WAL alone, with some data pages torn on disk, and every page
//! must come back exactly as the children left it.
//!
//! Its own test binary, so that no other test thread holds a lock (of the
//! storage manager's or the WAL's file cache) when it forks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, RelId, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::wal::{checkpoint, redo};
use shmem::{DataDir, ExecMode, Segment};
use std::os::unix::fs::FileExt;

const WORKERS: usize = 4;
const NBLOCKS: u32 = 40;
const OPS: usize = 8000;
const WORDS: usize = 64;

fn rel_of(w: usize) -> RelId {
    20_000 + w as RelId
}

fn ops(w: usize) -> impl Iterator<Item = (u32, usize)> {
    let mut rng = StdRng::seed_from_u64(w as u64 + 7);
    (0..OPS).map(move |_| (rng.gen_range(0..NBLOCKS), rng.gen_range(1..WORDS)))
}

fn word(p: &[u8; BLCKSZ], i: usize) -> u64 {
    u64::from_le_bytes(p[i * 8..i * 8 + 8].try_into().unwrap())
}

fn bump(p: &mut [u8; BLCKSZ], i: usize) {
    let v = word(p, i) + 1;
    p[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
}

/// What the pages must hold after `ops(w)`.
fn expected(w: usize) -> Vec<[u64; WORDS]> {
    let mut pages = vec![[0u64; WORDS]; NBLOCKS as usize];
    for (b, i) in ops(w) {
        pages[b as usize][i] += 1;
    }
    pages
}

fn config(port: u16) -> SegmentConfig {
    SegmentConfig {
        port,
        max_backends: 8,
        // 32 buffers for 160 pages; a 1 MiB ring of WAL buffers.
        shared_buffers: 32 * BLCKSZ,
        mode: 0,
    }
}

fn work(seg: &Segment, slot: usize, w: usize) -> bool {
    shmem::wal::set_my_slot(Some(slot), None);
    let pool = seg.buffer_pool();
    let wal = seg.wal();
    for (n, (b, i)) in ops(w).enumerate() {
        let buf = pool.read(rel_of(w), b).unwrap();
        let mut g = buf.write_lock();
        bump(&mut g, i);
        drop(g);
        if n % 500 == 499 {
            wal.flush(wal.insert_pos()).unwrap();
        }
    }
    wal.flush(wal.insert_pos()).unwrap();
    true
}

fn check(pool: &BufferPool) {
    for w in 0..WORKERS {
        for (b, want) in expected(w).iter().enumerate() {
            let buf = pool.read(rel_of(w), b as u32).unwrap();
            let g = buf.read_lock();
            for (i, &v) in want.iter().enumerate().skip(1) {
                assert_eq!(word(&g, i), v, "worker {w}, block {b}, word {i}");
            }
        }
    }
}

#[test]
fn concurrent_inserters_then_recovery_from_the_wal_alone() {
    let dir = tempfile::tempdir().unwrap();
    let port = 40_000 + (std::process::id() % 20_000) as u16;
    let (owner, seg) =
        SegmentOwner::create(&config(port), DataDir::open(dir.path()).unwrap()).unwrap();
    let rep = redo::startup(&seg).unwrap();
    assert!(rep.new_cluster);
    let pool = seg.buffer_pool();
    for w in 0..WORKERS {
        pool.create_relation(rel_of(w)).unwrap();
        for _ in 0..NBLOCKS {
            drop(pool.extend(rel_of(w)).unwrap());
        }
    }
    // The redo point: everything after it is in the WAL only.
    checkpoint::checkpoint(&seg, false).unwrap();

    let mut pids = Vec::new();
    for w in 0..WORKERS {
        let slot = seg.backend_table().alloc(ExecMode::Process).unwrap();
        // SAFETY: the child only uses the shared segment, its files and its
        // own memory, and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let ok =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&seg, slot, w)))
                        .unwrap_or(false);
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) };
            }
            nix::unistd::ForkResult::Parent { child } => pids.push(child),
        }
    }
    for p in pids {
        let st = nix::sys::wait::waitpid(p, None).unwrap();
        assert!(
            matches!(st, nix::sys::wait::WaitStatus::Exited(_, 0)),
            "child {st:?}"
        );
    }
    check(&pool);
    let stats = seg.wal().stats();
    // The pages were new (zeroes) at their first change: logged as
    // "zero it, then these bytes", which repairs a torn page as a whole
    // image would.
    let records = stats.records.load(std::sync::atomic::Ordering::Relaxed);
    assert!(records >= (WORKERS * OPS) as u64, "{records} records");
    let bytes = stats.bytes.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        bytes > 1 << 20,
        "{bytes} bytes of WAL: the test does not wrap the 1 MiB ring"
    );

    // Crash: the shared buffers are lost. Tear some pages on disk.
    drop(owner);
    for w in 0..WORKERS {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.path().join("base").join(rel_of(w).to_string()))
            .unwrap();
        for b in [0u64, 7, 39] {
            f.write_all_at(&[0xEE; 4096], b * BLCKSZ as u64).unwrap();
        }
    }
    // The restarted server: a new process's context on the same files.
    let (_owner2, seg2) =
        SegmentOwner::create(&config(port), DataDir::open(dir.path()).unwrap()).unwrap();
    let rep = redo::startup(&seg2).unwrap();
    assert!(rep.crashed && !rep.new_cluster);
    assert!(
        rep.page_records >= (WORKERS * OPS) as u64,
        "replayed {} page records",
        rep.page_records
    );
    check(&seg2.buffer_pool());
    // And the recovered WAL goes on: a change, a checkpoint, a clean
    // restart finds nothing to replay.
    checkpoint::checkpoint(&seg2, true).unwrap();
    drop(_owner2);
    let (_owner3, seg3) =
        SegmentOwner::create(&config(port), DataDir::open(dir.path()).unwrap()).unwrap();
    let rep = redo::startup(&seg3).unwrap();
    assert!(!rep.crashed, "{rep:?}");
    check(&seg3.buffer_pool());
}
