//! Cross-process tests of the heavyweight lock manager: forked children
//! play backends of one segment. Two children that wait for each other's
//! transaction deadlock and exactly one gives up; many children increment a
//! shared counter under an Exclusive table lock and lose nothing; a waiter
//! blocked by a child killed with SIGKILL proceeds once the parent (as the
//! postmaster) releases the dead backend's locks.
//!
//! Its own test binary, so that no unrelated test thread holds a lock when
//! it forks; the tests here fork one at a time (`FORK`).

use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use shmem::lockmgr::{LocalLocks, LockError, LockManager, LockMode, LockTag, WaitPolicy};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::{waitstats, ExecMode, Segment};

static FORK: Mutex<()> = Mutex::new(());

/// Test coordination, in an anonymous shared mapping inherited by the
/// children (not in the segment: it is not part of the server).
#[repr(C)]
struct Board {
    ready: AtomicU32,
    counter: AtomicU64,
    torn_reads: AtomicU32,
    pids: [AtomicI32; 2],
    elapsed_ms: [AtomicU64; 2],
}

fn board() -> &'static Board {
    // SAFETY: a fresh anonymous shared mapping of the right size; zero is
    // a valid value of every field, and it is never unmapped.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            std::mem::size_of::<Board>(),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        &*(p as *const Board)
    }
}

fn segment(port: u16, max_backends: usize) -> (SegmentOwner, Segment) {
    SegmentOwner::create(
        &SegmentConfig {
            port,
            max_backends,
            shared_buffers: 0,
            mode: 0,
        },
        scratch_data_dir(),
    )
    .unwrap()
}

/// Forks a backend in a fresh slot running `f(slot)`, whose value is the
/// exit code (1 if it panics). Returns (pid, slot).
fn spawn(seg: &Segment, f: impl FnOnce(usize) -> i32) -> (Pid, usize) {
    let slot = seg.backend_table().alloc(ExecMode::Process).unwrap();
    // SAFETY: the child uses only the shared segment, the board and its
    // own memory, and leaves with _exit.
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            let s = seg.backend_table().slot(slot);
            s.pid.store(std::process::id() as i32, Ordering::Release);
            shmem::lwlock::set_held_counter(Some(&s.lwlocks_held));
            waitstats::discard_unflushed();
            let code =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(slot))).unwrap_or(1);
            waitstats::flush_to_slot(seg, slot);
            // SAFETY: _exit skips the parent's destructors.
            unsafe { libc::_exit(code) };
        }
        ForkResult::Parent { child } => (child, slot),
    }
}

/// Waits (at most `limit`) for a child to exit; returns its exit code.
fn reap(pid: Pid, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)).unwrap() {
            WaitStatus::Exited(_, code) => return code,
            WaitStatus::StillAlive if start.elapsed() < limit => {
                std::thread::sleep(Duration::from_millis(2))
            }
            other => {
                let _ = kill(pid, Signal::SIGKILL);
                let _ = waitpid(pid, None);
                panic!("child {pid}: {other:?} after {:?}", start.elapsed());
            }
        }
    }
}

fn never() -> bool {
    false
}

fn until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(5), "never: {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn assert_empty(lm: &LockManager) {
    assert_eq!(lm.snapshot(), vec![]);
    assert_eq!(lm.free_entries(), lm.capacity());
}

#[test]
fn transaction_deadlock_between_processes() {
    let _f = FORK.lock().unwrap_or_else(|e| e.into_inner());
    let (_owner, seg) = segment(61430, 4);
    let lm = seg.lock_manager();
    let b = board();
    let policy = WaitPolicy {
        deadlock_timeout: Duration::from_millis(50),
        ..WaitPolicy::default()
    };
    let children: Vec<(Pid, usize)> = (0..2usize)
        .map(|i| {
            spawn(&seg, move |slot| {
                let me = std::process::id() as i32;
                b.pids[i].store(me, Ordering::SeqCst);
                let mine = LockTag::Transaction(744 + i as u32);
                let theirs = LockTag::Transaction(745 - i as u32);
                let mut locks = LocalLocks::new(slot);
                locks
                    .acquire(lm, mine, LockMode::Exclusive, &policy, &never)
                    .unwrap();
                b.ready.fetch_add(1, Ordering::SeqCst);
                while b.ready.load(Ordering::SeqCst) < 2 {
                    std::thread::sleep(Duration::from_millis(1));
                }
                let start = Instant::now();
                let r = locks.acquire(lm, theirs, LockMode::Share, &policy, &never);
                b.elapsed_ms[i].store(start.elapsed().as_millis() as u64, Ordering::SeqCst);
                locks.release_all(lm);
                match r {
                    Ok(_) => 0,
                    Err(LockError::Deadlock { detail }) => {
                        let other = b.pids[1 - i].load(Ordering::SeqCst);
                        let want = format!(
                            "Process {me} waits for ShareLock on transaction {}; blocked by process {other}.\n\
                             Process {other} waits for ShareLock on transaction {}; blocked by process {me}.",
                            745 - i,
                            744 + i
                        );
                        if detail == want {
                            2
                        } else {
                            eprintln!("detail {detail:?}\nwant {want:?}");
                            3
                        }
                    }
                    Err(e) => {
                        eprintln!("{e:?}");
                        4
                    }
                }
            })
        })
        .collect();
    let mut codes: Vec<i32> = children
        .iter()
        .map(|&(pid, slot)| {
            let c = reap(pid, Duration::from_secs(5));
            lm.release_all(slot);
            seg.backend_table().free(slot);
            c
        })
        .collect();
    let loser = codes.iter().position(|&c| c == 2);
    codes.sort();
    assert_eq!(codes, [0, 2], "exactly one backend gives up");
    let waited = b.elapsed_ms[loser.unwrap()].load(Ordering::SeqCst);
    eprintln!("deadlock found after {waited} ms");
    assert!(
        (50..2000).contains(&waited),
        "deadlock found after {waited} ms"
    );
    let t = waitstats::totals(&seg);
    assert_eq!((t.deadlocks, t.xact_waits), (1, 2), "{t:?}");
    assert!(t.deadlock_checks >= 1 && t.xact_wakeup_ns > 0, "{t:?}");
    assert_empty(lm);
}

#[test]
fn exclusive_lock_loses_no_increments() {
    const WRITERS: usize = 4;
    const READERS: usize = 2;
    const ITERS: u64 = 300;
    let _f = FORK.lock().unwrap_or_else(|e| e.into_inner());
    let (_owner, seg) = segment(61431, WRITERS + READERS);
    let lm = seg.lock_manager();
    let b = board();
    let rel = LockTag::Relation(16384);
    let policy = WaitPolicy::default();
    let start = Instant::now();
    let children: Vec<(Pid, usize)> = (0..WRITERS + READERS)
        .map(|i| {
            spawn(&seg, move |slot| {
                let mut locks = LocalLocks::new(slot);
                for _ in 0..ITERS {
                    if i < WRITERS {
                        locks
                            .acquire(lm, rel, LockMode::Exclusive, &policy, &never)
                            .unwrap();
                        // Re-entrant acquisition in the same "transaction".
                        locks
                            .acquire(lm, rel, LockMode::RowExclusive, &policy, &never)
                            .unwrap();
                        let v = b.counter.load(Ordering::Relaxed);
                        b.counter.store(v + 1, Ordering::Relaxed);
                        std::thread::yield_now();
                        b.counter.store(v + 2, Ordering::Relaxed);
                        locks.release_all(lm);
                    } else {
                        locks
                            .acquire(lm, rel, LockMode::Share, &policy, &never)
                            .unwrap();
                        if !b.counter.load(Ordering::Relaxed).is_multiple_of(2) {
                            b.torn_reads.fetch_add(1, Ordering::SeqCst);
                        }
                        locks.release(lm, rel, LockMode::Share);
                        std::thread::yield_now();
                    }
                }
                0
            })
        })
        .collect();
    for (pid, slot) in children {
        assert_eq!(reap(pid, Duration::from_secs(30)), 0);
        seg.backend_table().free(slot);
    }
    eprintln!(
        "{} lock cycles in {:?}; {:?}",
        (WRITERS + READERS) as u64 * ITERS,
        start.elapsed(),
        waitstats::totals(&seg)
    );
    assert_eq!(b.counter.load(Ordering::SeqCst), 2 * WRITERS as u64 * ITERS);
    assert_eq!(b.torn_reads.load(Ordering::SeqCst), 0);
    assert_empty(lm);
}

#[test]
fn waiter_proceeds_after_holder_is_killed() {
    let _f = FORK.lock().unwrap_or_else(|e| e.into_inner());
    let (_owner, seg) = segment(61432, 4);
    let lm = seg.lock_manager();
    let b = board();
    let rel = LockTag::Relation(7);
    let (holder, hslot) = spawn(&seg, move |slot| {
        lm.acquire(
            slot,
            rel,
            LockMode::AccessExclusive,
            &WaitPolicy::default(),
            &never,
        )
        .unwrap();
        b.ready.store(1, Ordering::SeqCst);
        loop {
            // SAFETY: pause only waits for a signal.
            unsafe { libc::pause() };
        }
    });
    until("holder has its lock", || {
        b.ready.load(Ordering::SeqCst) == 1
    });
    let (waiter, wslot) = spawn(&seg, move |slot| {
        let mut locks = LocalLocks::new(slot);
        let r = locks.acquire(
            lm,
            rel,
            LockMode::AccessShare,
            &WaitPolicy::default(),
            &never,
        );
        let ok = r.is_ok_and(|a| a.waited_ns > 0) && lm.holds(slot, rel, LockMode::AccessShare);
        locks.release_all(lm);
        if ok {
            0
        } else {
            1
        }
    });
    until("waiter is queued", || {
        lm.snapshot()
            .iter()
            .any(|i| i.backend == wslot && !i.granted)
    });
    kill(holder, Signal::SIGKILL).unwrap();
    assert!(matches!(
        waitpid(holder, None).unwrap(),
        WaitStatus::Signaled(_, Signal::SIGKILL, _)
    ));
    // What the postmaster does for a backend that died holding no LWLock.
    assert!(!seg.backend_table().slot(hslot).holds_shared_resources());
    lm.release_all(hslot);
    seg.backend_table().free(hslot);
    assert_eq!(reap(waiter, Duration::from_secs(5)), 0);
    seg.backend_table().free(wslot);
    assert_empty(lm);
}

/// A context for a test that touches no file: its directory is removed
/// at once.
fn scratch_data_dir() -> &'static shmem::DataDir {
    let d = tempfile::tempdir().unwrap();
    shmem::DataDir::open(d.path()).unwrap()
}
