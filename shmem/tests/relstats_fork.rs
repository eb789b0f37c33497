//! Cross-process test of the per-table statistics: forked children, started
//! together, flush transactions' counts for relations they share (claimed
//! for the first time concurrently) and relations of their own, while one
//! more child keeps freeing and reusing rows; the parent checks the sums.
//!
//! Its own test binary, so that no other test thread is running when it
//! forks.

use shmem::relstats::{self, PendingRelStats, RelCounts};
use shmem::segment::{SegmentConfig, SegmentOwner};

const WORKERS: u32 = 4;
const XACTS: u32 = 2000;
/// Relations every worker writes: SHARED_BASE..SHARED_BASE + SHARED.
const SHARED_BASE: u32 = 16384;
const SHARED: u32 = 50;
/// Worker `w`'s own relation.
const OWN_BASE: u32 = 30000;
/// Relations the churning child reports and forgets.
const CHURN_BASE: u32 = 50000;

fn aborted(x: u32) -> bool {
    x % 10 == 9
}

/// Transaction `x` of a worker: on a shared relation, 3 inserts, 1 update
/// (HOT when x is even), 1 delete, a scan of 10 tuples, 2 index scans of
/// 2 tuples each; on its own relation, 5 inserts.
fn xact(p: &mut PendingRelStats, w: u32, x: u32) {
    let rel = SHARED_BASE + x % SHARED;
    for _ in 0..3 {
        p.inserted(rel);
    }
    p.updated(rel, x.is_multiple_of(2));
    p.deleted(rel);
    p.seq_scan(rel);
    p.seq_tup_read(rel, 10);
    for _ in 0..2 {
        p.idx_scan(rel);
        p.idx_tup_fetch(rel, 2);
    }
    for _ in 0..5 {
        p.inserted(OWN_BASE + w);
    }
}

/// Blocks until the write end of the pipe is closed everywhere.
fn wait_for_start(read_fd: i32) {
    let mut b = [0u8; 1];
    // SAFETY: reads into a buffer we own from a pipe fd we own.
    unsafe { libc::read(read_fd, b.as_mut_ptr().cast(), 1) };
}

#[test]
fn relstats_from_forked_backends() {
    let (_owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port: 62410,
            max_backends: 8,
            shared_buffers: 0,
            mode: 0,
        },
        scratch_data_dir(),
    )
    .unwrap();
    let mut fds = [0i32; 2];
    // SAFETY: pipe writes two fds into the array we own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);

    let mut pids = Vec::new();
    for child in 0..=WORKERS {
        // SAFETY: the child only uses the shared segment and its own
        // memory, and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    // SAFETY: the child's copy of the write end, unused.
                    unsafe { libc::close(fds[1]) };
                    wait_for_start(fds[0]);
                    let mut p = PendingRelStats::default();
                    if child == WORKERS {
                        for i in 0..XACTS {
                            let rel = CHURN_BASE + i % 16;
                            relstats::report_vacuum(&seg, rel, 1, 1);
                            relstats::forget(&seg, rel);
                        }
                        return;
                    }
                    for x in 0..XACTS {
                        xact(&mut p, child, x);
                        p.flush(&seg, !aborted(x));
                    }
                }))
                .is_ok();
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) };
            }
            nix::unistd::ForkResult::Parent { child } => pids.push(child),
        }
    }
    // SAFETY: our copy of the write end; closing it starts the children.
    unsafe { libc::close(fds[1]) };
    for pid in pids {
        let st = nix::sys::wait::waitpid(pid, None).unwrap();
        assert!(
            matches!(st, nix::sys::wait::WaitStatus::Exited(_, 0)),
            "child {st:?}"
        );
    }
    // SAFETY: our read end, no longer used.
    unsafe { libc::close(fds[0]) };

    // Each shared relation gets XACTS / SHARED transactions per worker,
    // all aborted (r % 10 == 9) or all committed.
    let per_rel = (XACTS / SHARED) as u64 * WORKERS as u64;
    for r in 0..SHARED {
        let hot = (0..XACTS)
            .filter(|&x| x % SHARED == r && x.is_multiple_of(2))
            .count() as u64;
        let aborted_r = (0..XACTS)
            .filter(|&x| x % SHARED == r && aborted(x))
            .count() as u64
            * WORKERS as u64;
        let committed_r = per_rel - aborted_r;
        let want = RelCounts {
            seq_scan: per_rel,
            seq_tup_read: 10 * per_rel,
            idx_scan: 2 * per_rel,
            idx_tup_fetch: 4 * per_rel,
            n_tup_ins: 3 * per_rel,
            n_tup_upd: per_rel,
            n_tup_del: per_rel,
            n_tup_hot_upd: hot * WORKERS as u64,
            n_live_tup: 2 * committed_r,
            n_dead_tup: 2 * committed_r + 4 * aborted_r,
            // Committed inserts, updates and deletes only (PostgreSQL's
            // changes_since_analyze).
            n_mod_since_analyze: 5 * committed_r,
            ..Default::default()
        };
        assert_eq!(relstats::get(&seg, SHARED_BASE + r), want, "rel {r}");
    }
    let committed = (0..XACTS).filter(|&x| !aborted(x)).count() as u64;
    for w in 0..WORKERS {
        let c = relstats::get(&seg, OWN_BASE + w);
        assert_eq!(
            (c.n_tup_ins, c.n_live_tup, c.n_dead_tup),
            (
                5 * XACTS as u64,
                5 * committed,
                5 * (XACTS as u64 - committed)
            ),
            "worker {w}"
        );
    }
    for i in 0..16 {
        assert_eq!(relstats::get(&seg, CHURN_BASE + i), RelCounts::default());
    }
    assert_eq!(relstats::table(&seg).dropped(), 0);
}

/// A context for a test that touches no file: its directory is removed
/// at once.
fn scratch_data_dir() -> &'static shmem::DataDir {
    let d = tempfile::tempdir().unwrap();
    shmem::DataDir::open(d.path()).unwrap()
}
