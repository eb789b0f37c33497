//! Cross-process test of the shared buffer cache: forked children hammer a
//! cache much smaller than the data (16 buffers, 200 blocks) with pins,
//! reads, read-modify-writes and evictions; the parent then checks that no
//! update was lost and no page corrupted, and that concurrent readers in
//! different processes read each page from disk once.
//!
//! Its own test binary, so that no other test thread holds a lock (of the
//! storage manager's file cache, say) when it forks.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, RelId, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::{waitstats, DataDir, ExecMode, Segment};

const WORKERS: usize = 6;
const SUM: usize = BLCKSZ / 8 - 1;
const NBLOCKS: u32 = 200;
const OPS: usize = 4000;

fn word(p: &[u8; BLCKSZ], i: usize) -> u64 {
    u64::from_le_bytes(p[i * 8..i * 8 + 8].try_into().unwrap())
}

fn set_word(p: &mut [u8; BLCKSZ], i: usize, v: u64) {
    p[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
}

fn checksum(p: &[u8; BLCKSZ]) -> u64 {
    (0..=WORKERS).fold(0x1234_5678u64, |h, i| {
        (h ^ word(p, i)).wrapping_mul(0x100_0000_01b3)
    })
}

fn page_ok(p: &[u8; BLCKSZ], block: u32) -> bool {
    word(p, 0) == block as u64 + 1 && word(p, SUM) == checksum(p)
}

fn ops(w: usize) -> impl Iterator<Item = (u32, bool)> {
    let mut rng = StdRng::seed_from_u64(w as u64 + 1000);
    (0..OPS).map(move |_| (rng.gen_range(0..NBLOCKS), rng.gen_bool(0.5)))
}

/// Runs `f` in `n` forked children (child `i` gets `i`); returns their
/// exit statuses.
fn in_children(seg: &Segment, n: usize, f: impl Fn(usize) -> bool) -> Vec<i32> {
    let mut pids = Vec::new();
    for i in 0..n {
        let slot = seg.backend_table().alloc(ExecMode::Process).unwrap();
        // SAFETY: the child only uses the shared segment and its own
        // memory, and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                waitstats::discard_unflushed();
                let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i)))
                    .unwrap_or(false);
                waitstats::flush_to_slot(seg, slot);
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) };
            }
            nix::unistd::ForkResult::Parent { child } => pids.push((child, slot)),
        }
    }
    pids.into_iter()
        .map(|(p, slot)| {
            let st = nix::sys::wait::waitpid(p, None).unwrap();
            seg.backend_table().free(slot);
            match st {
                nix::sys::wait::WaitStatus::Exited(_, c) => c,
                other => panic!("child {other:?}"),
            }
        })
        .collect()
}

fn hammer(pool: &BufferPool, rel: RelId, w: usize) -> bool {
    for (b, write) in ops(w) {
        let buf = pool.read(rel, b).unwrap();
        if write {
            let mut g = buf.write_lock();
            if !page_ok(&g, b) {
                return false;
            }
            let v = word(&g, 1 + w);
            set_word(&mut g, 1 + w, v + 1);
            let c = checksum(&g);
            set_word(&mut g, SUM, c);
        } else if !page_ok(&buf.read_lock(), b) {
            return false;
        }
    }
    true
}

#[test]
fn forked_backends_share_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(dir.path()).unwrap();
    let cfg = SegmentConfig {
        port: 62120,
        max_backends: 16,
        shared_buffers: 16 * BLCKSZ,
        mode: 0,
    };
    let (owner, seg) = SegmentOwner::create(&cfg, dd).unwrap();
    let pool = seg.buffer_pool();
    let rel = 1;
    pool.create_relation(rel).unwrap();
    for b in 0..NBLOCKS {
        let buf = pool.extend(rel).unwrap();
        let mut g = buf.write_lock();
        set_word(&mut g, 0, b as u64 + 1);
        let c = checksum(&g);
        set_word(&mut g, SUM, c);
    }

    let st = in_children(&seg, WORKERS + 1, |i| {
        if i == WORKERS {
            // A checkpointer.
            (0..30).all(|_| pool.checkpoint().is_ok())
        } else {
            hammer(&pool, rel, i)
        }
    });
    assert!(st.iter().all(|&c| c == 0), "child statuses {st:?}");

    let mut expect = vec![[0u64; WORKERS]; NBLOCKS as usize];
    for (w, e) in (0..WORKERS).flat_map(|w| ops(w).map(move |o| (w, o))) {
        if e.1 {
            expect[e.0 as usize][w] += 1;
        }
    }
    let check = |pool: &BufferPool| {
        for b in 0..NBLOCKS {
            let buf = pool.read(rel, b).unwrap();
            let g = buf.read_lock();
            assert!(page_ok(&g, b), "block {b} corrupt");
            for (w, e) in expect[b as usize].iter().enumerate() {
                assert_eq!(word(&g, 1 + w), *e, "block {b} worker {w}");
            }
        }
    };
    check(&pool);
    let t = waitstats::totals(&seg);
    assert!(t.buf_evictions > 0 && t.buf_writes > 0, "{t:?}");
    pool.checkpoint().unwrap();
    drop(owner);

    // Cold cache, large enough for everything: readers in several
    // processes read each block from disk exactly once between them.
    let (_owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port: 62121,
            shared_buffers: 256 * BLCKSZ,
            ..cfg
        },
        DataDir::open(dir.path()).unwrap(),
    )
    .unwrap();
    let pool = seg.buffer_pool();
    let st = in_children(&seg, 4, |i| {
        let mut order: Vec<u32> = (0..NBLOCKS).collect();
        order.shuffle(&mut StdRng::seed_from_u64(i as u64));
        order
            .into_iter()
            .all(|b| page_ok(&pool.read(rel, b).unwrap().read_lock(), b))
    });
    assert!(st.iter().all(|&c| c == 0), "child statuses {st:?}");
    let t = waitstats::totals(&seg);
    assert_eq!(t.buf_reads, NBLOCKS as u64, "{t:?}");
    assert_eq!(t.buf_hits + t.buf_reads, 4 * NBLOCKS as u64, "{t:?}");
    check(&pool);
}
