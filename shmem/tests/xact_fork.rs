//! Cross-process test of the transaction machinery: forked children assign
//! xids and subtransaction xids, take snapshots, and commit or abort at
//! random; the parent then checks that every xid was handed out once, that
//! the commit log holds each transaction's outcome, and that every
//! snapshot saw exactly what PostgreSQL's protocol promises (a commit that
//! returned before a snapshot began is visible to it; a transaction that
//! ran throughout it, or began after it, is not). Then: a backend killed
//! by SIGKILL in the middle of a transaction is cleaned up, by
//! `cleanup_backend` and by a crash reset.
//!
//! Its own test binary, so that no other test thread holds a lock when it
//! forks; the tests here take `SERIAL` for the same reason. Each opens its
//! own temporary data directory (and so its own commit log).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::xact::{Snapshot, XidStatus};
use shmem::{ExecMode, Segment};

const WORKERS: usize = 6;
const XACTS: usize = 500;

static SERIAL: Mutex<()> = Mutex::new(());

/// Counters shared by the parent and its children, in an anonymous shared
/// mapping.
#[repr(C)]
struct Board {
    /// A logical clock: every event takes a tick, so "returned before"
    /// between processes is a comparison of ticks.
    clock: AtomicU64,
    /// Set by the parent once every worker is forked.
    start: AtomicU32,
    ready: AtomicU32,
    xid: AtomicU32,
    subxid: AtomicU32,
}

fn board() -> &'static Board {
    // SAFETY: a fresh anonymous shared mapping, zero-filled (a valid
    // Board), never unmapped, inherited by forked children.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        &*(p as *const Board)
    }
}

fn cfg(port: u16) -> SegmentConfig {
    cfg_n(port, 16)
}

fn cfg_n(port: u16, max_backends: usize) -> SegmentConfig {
    SegmentConfig {
        port,
        max_backends,
        shared_buffers: 0,
        mode: 0,
    }
}

/// Forks `n` children, each in its own backend-table slot, running `f(i,
/// slot)`; returns (pid, slot) of each.
fn spawn(
    seg: &Segment,
    n: usize,
    f: impl Fn(usize, usize) -> bool,
) -> Vec<(nix::unistd::Pid, usize)> {
    let mut kids = Vec::new();
    for i in 0..n {
        let slot = seg.backend_table().alloc(ExecMode::Process).unwrap();
        // SAFETY: the child only uses the shared segment, the commit log,
        // its own memory and files, and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i, slot)))
                    .unwrap_or(false);
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(if ok { 0 } else { 1 }) };
            }
            nix::unistd::ForkResult::Parent { child } => kids.push((child, slot)),
        }
    }
    kids
}

fn reap(seg: &Segment, kids: Vec<(nix::unistd::Pid, usize)>) -> Vec<i32> {
    kids.into_iter()
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

/// One transaction as its child saw it.
#[derive(Debug)]
struct Xact {
    child: usize,
    top: u32,
    /// Subtransaction xids that committed or aborted with the top.
    kept: Vec<u32>,
    /// Subtransaction xids rolled back to a savepoint.
    rolled_back: Vec<u32>,
    committed: bool,
    /// Ticks taken before assign_xid was called and after it returned.
    begin: u64,
    assigned: u64,
    /// Ticks taken before commit/abort was called and after it returned.
    ending: u64,
    end: u64,
}

struct Snap {
    child: usize,
    /// Ticks before and after the call.
    t0: u64,
    t1: u64,
    snap: Snapshot,
}

fn nums(it: &mut std::str::SplitWhitespace) -> Vec<u32> {
    it.next()
        .unwrap()
        .split(',')
        .filter(|s| !s.is_empty() && *s != "-")
        .map(|s| s.parse().unwrap())
        .collect()
}

/// A list as one whitespace-free word ("-" when empty).
fn join(v: &[u32]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A child's work: random transactions, logged to `out`.
fn worker(seg: &Segment, b: &Board, i: usize, slot: usize, out: &std::path::Path) -> bool {
    let pa = seg.proc_array();
    let mut rng = StdRng::seed_from_u64(i as u64 + 77);
    let mut log = String::new();
    while b.start.load(Ordering::Acquire) == 0 {
        std::hint::spin_loop();
    }
    for _ in 0..XACTS {
        let begin = b.clock.fetch_add(1, Ordering::SeqCst);
        let top = pa.assign_xid(slot).unwrap();
        let assigned = b.clock.fetch_add(1, Ordering::SeqCst);
        let (mut kept, mut rolled_back) = (Vec::new(), Vec::new());
        for _ in 0..rng.gen_range(0..4) {
            let s = pa.assign_subxid(slot).unwrap();
            if pa.owner_of(s) != Some((slot, top)) {
                return false;
            }
            if rng.gen_bool(0.3) {
                pa.abort_subxids(slot, &[s]);
                if seg.data_dir().clog().status(s) != XidStatus::Aborted || pa.is_running(s) {
                    return false;
                }
                rolled_back.push(s);
            } else {
                kept.push(s);
            }
        }
        if pa.subxids_of(slot) != kept || !pa.is_running(top) {
            return false;
        }
        let t0 = b.clock.fetch_add(1, Ordering::SeqCst);
        let (snap, _) = pa.snapshot(slot, rng.gen_bool(0.5));
        let t1 = b.clock.fetch_add(1, Ordering::SeqCst);
        let sorted = snap.xip.windows(2).all(|w| w[0] < w[1]);
        let bounded = snap.xip.iter().all(|&x| snap.xmin <= x && x < snap.xmax);
        let own = snap.xip.contains(&top) || kept.iter().any(|s| snap.xip.contains(s));
        if !sorted || !bounded || own || snap.xmin > snap.xmax {
            return false;
        }
        if pa.global_xmin() > top {
            return false;
        }
        log += &format!(
            "S {t0} {t1} {} {} {}\n",
            snap.xmin,
            snap.xmax,
            join(&snap.xip)
        );
        if rng.gen_bool(0.2) {
            // Stay running while other children take snapshots, so that
            // "running throughout a snapshot" pairs exist even when the
            // children would otherwise run one after another (a busy
            // machine). Bounded, in case every child waits at once.
            let (seen, waited) = (t1, Instant::now());
            while b.clock.load(Ordering::SeqCst) < seen + 8
                && waited.elapsed() < Duration::from_millis(100)
            {
                std::thread::yield_now();
            }
        }
        let committed = rng.gen_bool(0.7);
        let ending = b.clock.fetch_add(1, Ordering::SeqCst);
        if committed {
            pa.commit(slot, top, &kept);
        } else {
            pa.abort(slot, top, &kept);
        }
        let end = b.clock.fetch_add(1, Ordering::SeqCst);
        let want = if committed {
            XidStatus::Committed
        } else {
            XidStatus::Aborted
        };
        if seg.data_dir().clog().status(top) != want
            || kept
                .iter()
                .any(|&s| seg.data_dir().clog().status(s) != want)
        {
            return false;
        }
        if pa.xid_of(slot) != 0 || pa.xmin_of(slot) != 0 || pa.is_running(top) {
            return false;
        }
        log += &format!(
            "X {top} {begin} {assigned} {ending} {end} {} {} {}\n",
            committed as u8,
            join(&kept),
            join(&rolled_back)
        );
    }
    std::fs::write(out, log).is_ok()
}

#[test]
fn concurrent_transactions_and_snapshots() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    run_concurrent(cfg(62140), &[]);
}

/// The same among 10,000 backend slots, every other one taken by an idle
/// session, the workers in slots far apart (first and last bits of their
/// bitmap words, different summary words): the proc array's scans visit
/// only the slots holding an xid or an xmin, and must still find them all.
#[test]
fn concurrent_transactions_among_idle_slots() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    run_concurrent(cfg_n(62143, 10_000), &[63, 64, 4095, 4096, 8191, 9_999]);
}

/// Runs the workers; with `slots`, every backend-table slot is taken first
/// (idle sessions) and the workers get exactly `slots`.
fn run_concurrent(cfg: SegmentConfig, slots: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let (_owner, seg) =
        SegmentOwner::create(&cfg, shmem::DataDir::open(dir.path()).unwrap()).unwrap();
    let b = board();
    let logs = tempfile::tempdir().unwrap();
    let path = |i: usize| logs.path().join(format!("child-{i}"));

    if !slots.is_empty() {
        assert_eq!(slots.len(), WORKERS);
        while seg.backend_table().alloc(ExecMode::Process).is_some() {}
        for &s in slots {
            seg.backend_table().free(s);
        }
    }
    let kids = spawn(&seg, WORKERS, |i, slot| worker(&seg, b, i, slot, &path(i)));
    if !slots.is_empty() {
        let mut got: Vec<usize> = kids.iter().map(|k| k.1).collect();
        got.sort_unstable();
        assert_eq!(got, slots);
    }
    b.start.store(1, Ordering::Release);
    let st = reap(&seg, kids);
    assert!(st.iter().all(|&c| c == 0), "child statuses {st:?}");

    let (mut xacts, mut snaps) = (Vec::new(), Vec::new());
    for child in 0..WORKERS {
        let text = std::fs::read_to_string(path(child)).unwrap();
        for line in text.lines() {
            let mut it = line.split_whitespace();
            let kind = it.next().unwrap();
            let mut n = || it.next().unwrap().parse::<u64>().unwrap();
            if kind == "S" {
                let (t0, t1, xmin, xmax) = (n(), n(), n() as u32, n() as u32);
                let xip = nums(&mut it);
                snaps.push(Snap {
                    child,
                    t0,
                    t1,
                    snap: Snapshot { xmin, xmax, xip },
                });
            } else {
                let (top, begin, assigned, ending, end) = (n() as u32, n(), n(), n(), n());
                let committed = n() == 1;
                let kept = nums(&mut it);
                let rolled_back = nums(&mut it);
                xacts.push(Xact {
                    child,
                    top,
                    kept,
                    rolled_back,
                    committed,
                    begin,
                    assigned,
                    ending,
                    end,
                });
            }
        }
    }
    assert_eq!(xacts.len(), WORKERS * XACTS);
    assert_eq!(snaps.len(), WORKERS * XACTS);

    // Every xid handed out once; each holds its transaction's outcome.
    let mut all: Vec<u32> = xacts
        .iter()
        .flat_map(|x| {
            std::iter::once(x.top)
                .chain(x.kept.clone())
                .chain(x.rolled_back.clone())
        })
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "an xid was handed out twice");
    assert!(all.iter().all(|&x| x < seg.data_dir().clog().next_xid()));
    for x in &xacts {
        let want = if x.committed {
            XidStatus::Committed
        } else {
            XidStatus::Aborted
        };
        assert_eq!(seg.data_dir().clog().status(x.top), want, "{x:?}");
        for &s in &x.kept {
            assert_eq!(seg.data_dir().clog().status(s), want, "{x:?}");
        }
        for &s in &x.rolled_back {
            assert_eq!(seg.data_dir().clog().status(s), XidStatus::Aborted, "{x:?}");
        }
    }

    // What each snapshot saw of each other child's transactions.
    xacts.sort_by_key(|x| x.end);
    let mut checked = [0usize; 3];
    for s in &snaps {
        for x in &xacts {
            if x.child == s.child {
                continue;
            }
            let xids = || std::iter::once(x.top).chain(x.kept.iter().copied());
            // A transaction and its subtransactions appear to every
            // snapshot as one.
            let top_running = s.snap.is_in_progress(x.top);
            for &sub in &x.kept {
                assert_eq!(
                    s.snap.is_in_progress(sub),
                    top_running,
                    "{sub} of {x:?} in {:?}",
                    s.snap
                );
            }
            if x.end < s.t0 {
                // Ended (commit or abort returned) before the snapshot began.
                for id in xids().chain(x.rolled_back.iter().copied()) {
                    assert!(
                        !s.snap.is_in_progress(id),
                        "xid {id} of {x:?} in progress for {:?}",
                        s.snap
                    );
                }
                checked[0] += 1;
            } else if x.begin > s.t1 {
                // Began after the snapshot was taken.
                for id in xids() {
                    assert!(
                        s.snap.is_in_progress(id),
                        "xid {id} of {x:?} not in progress for {:?}",
                        s.snap
                    );
                }
                checked[1] += 1;
            } else if x.assigned < s.t0 && x.ending > s.t1 {
                // Running throughout (its top xid assigned before the
                // snapshot began, its end begun after it was taken).
                assert!(
                    s.snap.is_in_progress(x.top),
                    "{x:?} not in progress for {:?}",
                    s.snap
                );
                checked[2] += 1;
            }
        }
    }
    assert!(
        checked.iter().all(|&c| c > 100),
        "pairs checked {checked:?}"
    );

    let pa = seg.proc_array();
    assert_eq!(pa.global_xmin(), pa.latest_completed_xid() + 1);
    assert_eq!(pa.latest_completed_xid(), *all.last().unwrap());
}

/// Forks a backend that starts a transaction with a subtransaction and a
/// published snapshot, then waits to be killed; returns its pid, slot, xid
/// and subxid once it is ready.
fn doomed_backend(seg: &Segment, b: &'static Board) -> (nix::unistd::Pid, usize, u32, u32) {
    b.ready.store(0, Ordering::SeqCst);
    let kids = spawn(seg, 1, |_, slot| {
        let pa = seg.proc_array();
        // One finished transaction first: it must stay committed.
        let done = pa.assign_xid(slot).unwrap();
        pa.commit(slot, done, &[]);
        let top = pa.assign_xid(slot).unwrap();
        let sub = pa.assign_subxid(slot).unwrap();
        pa.snapshot(slot, true);
        b.xid.store(top, Ordering::SeqCst);
        b.subxid.store(sub, Ordering::SeqCst);
        b.ready.store(1, Ordering::SeqCst);
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.ready.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "child never got ready");
        std::thread::sleep(Duration::from_millis(1));
    }
    let (pid, slot) = kids[0];
    (
        pid,
        slot,
        b.xid.load(Ordering::SeqCst),
        b.subxid.load(Ordering::SeqCst),
    )
}

fn kill(pid: nix::unistd::Pid) {
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
    let st = nix::sys::wait::waitpid(pid, None).unwrap();
    assert!(
        matches!(
            st,
            nix::sys::wait::WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGKILL, _)
        ),
        "{st:?}"
    );
}

#[test]
fn killed_backend_is_cleaned_up() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let cfg = cfg(62141);
    let (_owner, seg) =
        SegmentOwner::create(&cfg, shmem::DataDir::open(dir.path()).unwrap()).unwrap();
    let pa = seg.proc_array();
    let b = board();

    // 1. The postmaster cleans up after one dead backend; others run on.
    let (pid, slot, top, sub) = doomed_backend(&seg, b);
    assert_eq!(seg.data_dir().clog().status(top - 1), XidStatus::Committed);
    assert!(pa.is_running(top));
    assert_eq!(pa.owner_of(sub), Some((slot, top)));
    assert_eq!(pa.global_xmin(), top);
    let (s, _) = pa.snapshot(usize::MAX, false);
    assert!(s.is_in_progress(top) && s.is_in_progress(sub));
    kill(pid);
    assert!(!seg.backend_table().slot(slot).holds_shared_resources());
    // Dead but not yet cleaned up: still counted as running.
    assert!(pa.is_running(top));
    pa.cleanup_backend(slot);
    seg.backend_table().free(slot);
    assert_eq!(seg.data_dir().clog().status(top), XidStatus::Aborted);
    assert_eq!(seg.data_dir().clog().status(sub), XidStatus::Aborted);
    assert_eq!(seg.data_dir().clog().status(top - 1), XidStatus::Committed);
    assert!(!pa.is_running(top) && !pa.is_running(sub));
    assert_eq!((pa.xid_of(slot), pa.xmin_of(slot)), (0, 0));
    assert_eq!(pa.global_xmin(), pa.latest_completed_xid() + 1);
    let (s, _) = pa.snapshot(usize::MAX, false);
    assert!(!s.is_in_progress(top) && !s.is_in_progress(sub));

    // 2. A crash reset: the segment is reinitialized, then the commit log
    // aborts whatever was in progress.
    let (pid, slot, top, sub) = doomed_backend(&seg, b);
    kill(pid);
    seg.backend_table().free(slot);
    // SAFETY: no backend is attached any more.
    unsafe { seg.reinitialize(&cfg) };
    seg.data_dir().clog().abort_in_progress();
    let pa = seg.proc_array();
    assert_eq!(
        pa.latest_completed_xid(),
        seg.data_dir().clog().next_xid() - 1
    );
    assert_eq!(seg.data_dir().clog().status(top), XidStatus::Aborted);
    assert_eq!(seg.data_dir().clog().status(sub), XidStatus::Aborted);
    assert_eq!(seg.data_dir().clog().status(top - 1), XidStatus::Committed);
    assert!(!pa.is_running(top));
    // New transactions proceed after the reset, with fresh xids.
    let slot = seg.backend_table().alloc(ExecMode::Process).unwrap();
    let x = pa.assign_xid(slot).unwrap();
    assert!(x > sub);
    pa.commit(slot, x, &[]);
    seg.backend_table().free(slot);
    assert_eq!(seg.data_dir().clog().status(x), XidStatus::Committed);
}
