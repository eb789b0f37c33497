//! Unit tests of the lock manager, in one process (threads play the
//! backends). The cross-process tests are in `tests/lockmgr_fork.rs`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::segment::SegmentOwner;
use LockMode::*;

fn setup(port: u16, max_backends: usize) -> (SegmentOwner, &'static LockManager) {
    let (owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port,
            max_backends,
            shared_buffers: 0,
            mode: 1,
        },
        crate::datadir::testing::scratch(),
    )
    .unwrap();
    let t = seg.backend_table();
    for i in 0..max_backends {
        assert_eq!(t.alloc(crate::ExecMode::Thread), Some(i));
        t.slot(i).pid.store(1000 + i as i32, Ordering::Relaxed);
    }
    (owner, seg.lock_manager())
}

fn wait() -> WaitPolicy {
    WaitPolicy::default()
}

fn nowait() -> WaitPolicy {
    WaitPolicy {
        nowait: true,
        ..WaitPolicy::default()
    }
}

fn never() -> bool {
    false
}

const R: LockTag = LockTag::Relation(16384);

/// Waits until backend `b` is in a wait queue.
fn until_waiting(lm: &LockManager, b: usize) {
    let start = Instant::now();
    while !lm.snapshot().iter().any(|i| i.backend == b && !i.granted) {
        assert!(start.elapsed() < Duration::from_secs(5), "{b} never waited");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn assert_empty(lm: &LockManager) {
    assert_eq!(lm.snapshot(), vec![]);
    assert_eq!(lm.free_entries(), lm.capacity());
}

#[test]
fn conflict_table_matches_postgresql() {
    // PostgreSQL's documentation, "Conflicting Lock Modes": rows are the
    // requested mode, columns the existing one, in LockMode::ALL order.
    let table = [
        "       X", "      XX", "    XXXX", "   XXXXX", "  XX XXX", "  XXXXXX", " XXXXXXX",
        "XXXXXXXX",
    ];
    for (i, row) in table.iter().enumerate() {
        for (j, c) in row.chars().enumerate() {
            let (a, b) = (LockMode::ALL[i], LockMode::ALL[j]);
            assert_eq!(a.conflicts_with(b), c == 'X', "{a:?} vs {b:?}");
        }
    }
    for (i, mode) in LockMode::ALL.iter().enumerate() {
        assert_eq!(*mode as usize, i + 1);
        assert_eq!(LockMode::from_u8(i as u8 + 1), Some(*mode));
    }
    assert_eq!(LockMode::from_u8(0), None);
    assert_eq!(LockMode::from_u8(9), None);
    let names: Vec<_> = LockMode::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        [
            "AccessShareLock",
            "RowShareLock",
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock"
        ]
    );
}

#[test]
fn tags_print_as_postgresql() {
    assert_eq!(R.to_string(), "relation 16384 of database 1");
    assert_eq!(LockTag::Transaction(745).to_string(), "transaction 745");
    assert_eq!(
        LockTag::Tuple(16384, 0, 3).to_string(),
        "tuple (0,3) of relation 16384 of database 1"
    );
    for t in [
        R,
        LockTag::Transaction(7),
        LockTag::Tuple(1, 2, 65535),
        LockTag::Object(1259, 0),
    ] {
        assert_eq!(LockTag::decode(t.encode()), t);
    }
}

#[test]
fn grant_and_release() {
    let (_o, lm) = setup(61400, 4);
    assert_eq!(
        lm.acquire(0, R, AccessShare, &wait(), &never).unwrap(),
        Acquired::default()
    );
    lm.acquire(1, R, RowExclusive, &wait(), &never).unwrap();
    assert!(matches!(
        lm.acquire(2, R, AccessExclusive, &nowait(), &never),
        Err(LockError::NotAvailable)
    ));
    assert!(matches!(
        lm.acquire(2, R, Share, &nowait(), &never),
        Err(LockError::NotAvailable)
    ));
    lm.acquire(2, LockTag::Relation(1), AccessExclusive, &nowait(), &never)
        .unwrap();
    let mut snap = lm.snapshot();
    snap.sort_by_key(|i| i.backend);
    assert_eq!(
        snap,
        vec![
            LockInfo {
                tag: R,
                mode: AccessShare,
                backend: 0,
                granted: true
            },
            LockInfo {
                tag: R,
                mode: RowExclusive,
                backend: 1,
                granted: true
            },
            LockInfo {
                tag: LockTag::Relation(1),
                mode: AccessExclusive,
                backend: 2,
                granted: true
            },
        ]
    );
    assert!(lm.holds(0, R, AccessShare) && !lm.holds(0, R, RowExclusive));
    lm.release(0, R, AccessShare);
    lm.release(1, R, RowExclusive);
    // Releasing what is not held changes nothing.
    lm.release(1, R, RowExclusive);
    lm.release(3, R, Share);
    lm.acquire(2, R, AccessExclusive, &nowait(), &never)
        .unwrap();
    lm.release_all(2);
    assert_empty(lm);
}

#[test]
fn reacquiring_counts_and_own_locks_never_conflict() {
    let (_o, lm) = setup(61401, 2);
    lm.acquire(0, R, Exclusive, &wait(), &never).unwrap();
    lm.acquire(0, R, Exclusive, &wait(), &never).unwrap();
    // Its own Exclusive does not block its AccessExclusive.
    lm.acquire(0, R, AccessExclusive, &nowait(), &never)
        .unwrap();
    lm.release(0, R, AccessExclusive);
    lm.release(0, R, Exclusive);
    assert!(matches!(
        lm.acquire(1, R, RowShare, &nowait(), &never),
        Err(LockError::NotAvailable)
    ));
    lm.release(0, R, Exclusive);
    lm.acquire(1, R, RowShare, &nowait(), &never).unwrap();
    lm.release(1, R, RowShare);
    assert_empty(lm);

    // The local table keeps repeats off shared memory.
    let mut local = LocalLocks::new(0);
    local.acquire(lm, R, RowExclusive, &wait(), &never).unwrap();
    local.acquire(lm, R, RowExclusive, &wait(), &never).unwrap();
    assert!(local.holds(R, RowExclusive) && !local.holds(R, Share));
    assert_eq!(lm.snapshot().len(), 1);
    local.release(lm, R, RowExclusive);
    assert!(lm.holds(0, R, RowExclusive));
    local.release(lm, R, RowExclusive);
    assert!(!lm.holds(0, R, RowExclusive) && local.is_empty());
    local.acquire(lm, R, Share, &wait(), &never).unwrap();
    local
        .acquire(lm, LockTag::Transaction(9), Exclusive, &wait(), &never)
        .unwrap();
    local.release_all(lm);
    assert!(local.is_empty());
    assert_empty(lm);
}

#[test]
fn queue_is_fifo_and_holders_go_first() {
    let (_o, lm) = setup(61402, 4);
    let order = Mutex::new(Vec::new());
    lm.acquire(0, R, AccessShare, &wait(), &never).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let a = lm.acquire(1, R, AccessExclusive, &wait(), &never).unwrap();
            assert!(a.waited_ns > 0 && a.wakeup_ns > 0, "{a:?}");
            order.lock().unwrap().push(1);
            std::thread::sleep(Duration::from_millis(20));
            lm.release(1, R, AccessExclusive);
        });
        until_waiting(lm, 1);
        // AccessShare is compatible with what is granted, but waits behind
        // the AccessExclusive request ...
        assert!(matches!(
            lm.acquire(2, R, AccessShare, &nowait(), &never),
            Err(LockError::NotAvailable)
        ));
        s.spawn(|| {
            lm.acquire(2, R, AccessShare, &wait(), &never).unwrap();
            order.lock().unwrap().push(2);
            lm.release(2, R, AccessShare);
        });
        until_waiting(lm, 2);
        // ... unless the requester already holds a lock on the object.
        lm.acquire(0, R, RowShare, &nowait(), &never).unwrap();
        let waiting: Vec<_> = lm
            .snapshot()
            .into_iter()
            .filter(|i| !i.granted)
            .map(|i| (i.backend, i.mode))
            .collect();
        assert_eq!(waiting, [(1, AccessExclusive), (2, AccessShare)]);
        lm.release_all(0);
    });
    assert_eq!(*order.lock().unwrap(), [1, 2]);
    assert_empty(lm);
}

#[test]
fn a_holder_queues_ahead_of_waiters_it_blocks() {
    let (_o, lm) = setup(61403, 4);
    let order = Mutex::new(Vec::new());
    lm.acquire(0, R, Share, &wait(), &never).unwrap();
    lm.acquire(2, R, Share, &wait(), &never).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            lm.acquire(1, R, Exclusive, &wait(), &never).unwrap();
            order.lock().unwrap().push(1);
            lm.release_all(1);
        });
        until_waiting(lm, 1);
        s.spawn(|| {
            // Backend 0 upgrades: it waits for backend 2's Share only, and
            // goes ahead of backend 1, which waits for backend 0's Share.
            lm.acquire(0, R, Exclusive, &wait(), &never).unwrap();
            order.lock().unwrap().push(0);
            std::thread::sleep(Duration::from_millis(10));
            lm.release_all(0);
        });
        until_waiting(lm, 0);
        let waiting: Vec<_> = lm
            .snapshot()
            .into_iter()
            .filter(|i| !i.granted)
            .map(|i| i.backend)
            .collect();
        assert_eq!(waiting, [0, 1]);
        lm.release(2, R, Share);
    });
    assert_eq!(*order.lock().unwrap(), [0, 1]);
    assert_empty(lm);
}

#[test]
fn lock_timeout_deadline_and_interrupt() {
    let (_o, lm) = setup(61404, 2);
    lm.acquire(0, R, Exclusive, &wait(), &never).unwrap();
    let start = Instant::now();
    let p = WaitPolicy {
        lock_timeout: Some(Duration::from_millis(50)),
        ..wait()
    };
    assert!(matches!(
        lm.acquire(1, R, Share, &p, &never),
        Err(LockError::LockTimeout)
    ));
    assert!(start.elapsed() >= Duration::from_millis(50));
    let p = WaitPolicy {
        deadline: Some(Instant::now() + Duration::from_millis(30)),
        lock_timeout: Some(Duration::from_secs(5)),
        ..wait()
    };
    assert!(matches!(
        lm.acquire(1, R, Share, &p, &never),
        Err(LockError::StatementTimeout)
    ));
    // Query cancel: the flag, then wake().
    let flag = AtomicBool::new(false);
    std::thread::scope(|s| {
        let h = s.spawn(|| {
            let start = Instant::now();
            let r = lm.acquire(1, R, Share, &wait(), &|| flag.load(Ordering::SeqCst));
            (r, start.elapsed())
        });
        until_waiting(lm, 1);
        flag.store(true, Ordering::SeqCst);
        lm.wake(1);
        let (r, _) = h.join().unwrap();
        assert!(matches!(r, Err(LockError::Interrupted)), "{r:?}");
    });
    // Only backend 0's lock remains, and the next waiter still works.
    assert_eq!(lm.snapshot().len(), 1);
    std::thread::scope(|s| {
        let h = s.spawn(|| lm.acquire(1, R, Share, &wait(), &never));
        until_waiting(lm, 1);
        lm.release(0, R, Exclusive);
        h.join().unwrap().unwrap();
    });
    lm.release_all(1);
    assert_empty(lm);
}

#[test]
fn full_table_is_out_of_shared_memory() {
    let (_o, lm) = setup(61405, 3);
    let (nlocks, nproclocks) = lm.capacity();
    assert_eq!(
        (nlocks, nproclocks),
        (3 * MAX_LOCKS_PER_BACKEND, 6 * MAX_LOCKS_PER_BACKEND)
    );
    for r in 0..nlocks as u32 {
        lm.acquire(0, LockTag::Relation(r), AccessShare, &wait(), &never)
            .unwrap();
    }
    let extra = LockTag::Relation(nlocks as u32);
    assert!(matches!(
        lm.acquire(0, extra, AccessShare, &wait(), &never),
        Err(LockError::OutOfSharedMemory)
    ));
    // Existing locks can still be taken again.
    lm.acquire(0, LockTag::Relation(0), RowShare, &wait(), &never)
        .unwrap();
    lm.release(0, LockTag::Relation(nlocks as u32 - 1), AccessShare);
    lm.acquire(0, extra, AccessShare, &wait(), &never).unwrap();
    lm.release_all(0);
    assert_empty(lm);

    // Out of PROCLOCKs with LOCKs to spare: the new LOCK is given back.
    let shared = nproclocks / 3;
    for b in 0..3 {
        for r in 0..shared as u32 {
            lm.acquire(b, LockTag::Relation(r), AccessShare, &wait(), &never)
                .unwrap();
        }
    }
    assert!(matches!(
        lm.acquire(0, LockTag::Transaction(1), Exclusive, &wait(), &never),
        Err(LockError::OutOfSharedMemory)
    ));
    assert_eq!(lm.free_entries(), (nlocks - shared, 0));
    for b in 0..3 {
        lm.release_all(b);
    }
    assert_empty(lm);
}

#[test]
fn release_all_wakes_waiters_and_cancels_waits() {
    let (_o, lm) = setup(61406, 3);
    for r in 0..10 {
        lm.acquire(0, LockTag::Relation(r), RowExclusive, &wait(), &never)
            .unwrap();
    }
    lm.acquire(0, LockTag::Transaction(5), Exclusive, &wait(), &never)
        .unwrap();
    std::thread::scope(|s| {
        let h1 = s.spawn(|| lm.acquire(1, LockTag::Transaction(5), Share, &wait(), &never));
        until_waiting(lm, 1);
        let h2 = s.spawn(|| lm.acquire(2, LockTag::Relation(3), AccessExclusive, &wait(), &never));
        until_waiting(lm, 2);
        // Cancelling backend 2's wait (as for a backend that died).
        lm.release_all(2);
        assert!(matches!(h2.join().unwrap(), Err(LockError::Interrupted)));
        lm.release_all(0);
        h1.join().unwrap().unwrap();
    });
    assert_eq!(
        lm.snapshot(),
        vec![LockInfo {
            tag: LockTag::Transaction(5),
            mode: Share,
            backend: 1,
            granted: true
        }]
    );
    lm.release_all(1);
    assert_empty(lm);
}

#[test]
fn threads_deadlock_and_one_gives_up() {
    let (_o, lm) = setup(61407, 2);
    let p = WaitPolicy {
        deadlock_timeout: Duration::from_millis(50),
        ..wait()
    };
    let ready = AtomicUsize::new(0);
    let results: Vec<(
        Result<Acquired, LockError>,
        Duration,
        crate::waitstats::Counters,
    )> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2usize)
            .map(|b| {
                let ready = &ready;
                s.spawn(move || {
                    let mine = LockTag::Transaction(744 + b as u32);
                    let theirs = LockTag::Transaction(745 - b as u32);
                    lm.acquire(b, mine, Exclusive, &p, &never).unwrap();
                    ready.fetch_add(1, Ordering::SeqCst);
                    while ready.load(Ordering::SeqCst) < 2 {
                        std::thread::yield_now();
                    }
                    let before = crate::waitstats::local();
                    let start = Instant::now();
                    let r = lm.acquire(b, theirs, Share, &p, &never);
                    let took = start.elapsed();
                    let stats = crate::waitstats::local().sub(&before);
                    // End of transaction either way.
                    lm.release_all(b);
                    (r, took, stats)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let failed: Vec<usize> = (0..2).filter(|&b| results[b].0.is_err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    let loser = failed[0];
    let winner = 1 - loser;
    let LockError::Deadlock { detail } = results[loser].0.as_ref().unwrap_err() else {
        panic!("{:?}", results[loser].0);
    };
    let (l, w) = (1000 + loser, 1000 + winner);
    assert_eq!(
        *detail,
        format!(
            "Process {l} waits for ShareLock on transaction {}; blocked by process {w}.\n\
             Process {w} waits for ShareLock on transaction {}; blocked by process {l}.",
            745 - loser,
            745 - winner
        )
    );
    assert!(results[loser].1 < Duration::from_secs(2), "{results:?}");
    let stats = &results[loser].2;
    assert_eq!((stats.deadlock_checks, stats.deadlocks), (1, 1));
    assert_eq!(stats.xact_waits, 1);
    assert!(stats.xact_wait_ns >= 50_000_000 && stats.lock_waits == 0);
    let won = results[winner].0.as_ref().unwrap();
    assert!(won.waited_ns > 0 && won.wakeup_ns > 0);
    assert_eq!(results[winner].2.deadlocks, 0);
    assert!(results[winner].2.xact_wakeup_ns > 0);
    assert_empty(lm);
}

#[test]
fn no_deadlock_means_keep_waiting() {
    let (_o, lm) = setup(61408, 2);
    let p = WaitPolicy {
        deadlock_timeout: Duration::from_millis(10),
        ..wait()
    };
    lm.acquire(0, R, AccessExclusive, &p, &never).unwrap();
    std::thread::scope(|s| {
        let h = s.spawn(|| {
            let before = crate::waitstats::local();
            let a = lm.acquire(1, R, AccessShare, &p, &never).unwrap();
            (a, crate::waitstats::local().sub(&before))
        });
        until_waiting(lm, 1);
        std::thread::sleep(Duration::from_millis(60));
        lm.release(0, R, AccessExclusive);
        let (a, stats) = h.join().unwrap();
        assert!(a.waited_ns >= 60_000_000, "{a:?}");
        assert_eq!((stats.deadlock_checks, stats.deadlocks), (1, 0));
        assert_eq!((stats.lock_waits, stats.xact_waits), (1, 0));
    });
    lm.release_all(1);
    assert_empty(lm);
}

#[test]
fn many_threads_many_locks() {
    // Random acquisitions of a few tags in every mode, each thread in lock
    // order (no deadlocks), checking mutual exclusion with counters.
    const THREADS: usize = 4;
    let (_o, lm) = setup(61409, THREADS);
    let holders: Vec<[AtomicUsize; 9]> = (0..3)
        .map(|_| std::array::from_fn(|_| AtomicUsize::new(0)))
        .collect();
    std::thread::scope(|s| {
        for b in 0..THREADS {
            let holders = &holders;
            s.spawn(move || {
                let mut x = b as u64 * 7919 + 1;
                let mut local = LocalLocks::new(b);
                for _ in 0..300 {
                    let mut taken = Vec::new();
                    for (r, h) in holders.iter().enumerate() {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        if (x >> 60) & 1 == 0 {
                            continue;
                        }
                        let mode = LockMode::ALL[(x >> 40) as usize % 8];
                        let tag = LockTag::Relation(r as u32);
                        local.acquire(lm, tag, mode, &wait(), &never).unwrap();
                        h[mode as usize].fetch_add(1, Ordering::SeqCst);
                        for other in LockMode::ALL {
                            let n = h[other as usize].load(Ordering::SeqCst);
                            let mine = usize::from(other == mode);
                            assert!(
                                !mode.conflicts_with(other) || n <= mine,
                                "{mode:?} granted with {n} {other:?}"
                            );
                        }
                        taken.push((r, mode));
                    }
                    std::thread::yield_now();
                    for (r, mode) in taken {
                        holders[r][mode as usize].fetch_sub(1, Ordering::SeqCst);
                        local.release(lm, LockTag::Relation(r as u32), mode);
                    }
                }
                local.release_all(lm);
            });
        }
    });
    assert_empty(lm);
}

#[test]
fn memory_is_linear_in_max_backends() {
    let size = |n| {
        LockManager::shmem_size(&SegmentConfig {
            port: 0,
            max_backends: n,
            shared_buffers: 0,
            mode: 0,
        })
    };
    assert_eq!(std::mem::size_of::<table::Lock>(), 72);
    assert_eq!(std::mem::size_of::<table::ProcLock>(), 60);
    assert_eq!(std::mem::size_of::<table::LockProc>(), 128);
    let (a, b) = (size(1100), size(2200));
    eprintln!("lock manager for 1100 backends: {a} bytes");
    assert!(a < 15 << 20, "{a}");
    assert!(b < 2 * a + (1 << 20), "{a} {b}");
}

#[test]
fn release_all_keeping_keeps_one_count_of_session_locks() {
    let (_o, lm) = setup(61431, 2);
    let a = LockTag::Advisory(0, 7, 1);
    let b = LockTag::Advisory(0, 8, 1);
    // Session holds Exclusive on `a` (one count) and the transaction took
    // it twice more, plus Share on `b` and a table lock.
    for _ in 0..3 {
        lm.acquire(0, a, Exclusive, &wait(), &never).unwrap();
    }
    lm.acquire(0, b, Share, &wait(), &never).unwrap();
    lm.acquire(0, R, AccessShare, &wait(), &never).unwrap();
    lm.release_all_keeping(0, &|t, m| t == a && m == Exclusive);
    assert!(lm.holds(0, a, Exclusive));
    assert!(!lm.holds(0, b, Share));
    assert!(!lm.holds(0, R, AccessShare));
    assert!(matches!(
        lm.acquire(1, a, Share, &nowait(), &never),
        Err(LockError::NotAvailable)
    ));
    lm.acquire(1, b, Exclusive, &nowait(), &never).unwrap();
    // One release frees the kept count.
    lm.release(0, a, Exclusive);
    lm.acquire(1, a, Share, &nowait(), &never).unwrap();
    lm.release_all(1);
    assert_empty(lm);
    assert_eq!(a.to_string(), "advisory lock [1,0,7,1]");
}
