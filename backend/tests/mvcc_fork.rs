//! MVCC across forked backends: children run many small transactions,
//! each transferring an amount between two rows ("accounts") of a small
//! table by updating both (HOT when the new version fits on the page, to
//! another page otherwise), waiting for each other's uncommitted updates
//! and following the update chains; some roll back, one dies in the
//! middle of its transaction. Meanwhile a reader child checks that every
//! snapshot sees each account exactly once and the same total; at the end
//! the parent checks the balances against what the committed transfers
//! did.
//!
//! Its own test binary, so that no other test thread holds a lock (of the
//! storage manager's file cache, say) when it forks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::access::heap::{self, Writer};
use backend::access::visibility::{Mvcc, OwnXids, TmResult};
use backend::access::ItemPointer;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shmem::buffer::{BufferPool, BLCKSZ};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::xact::{Clog, ProcArray, XidStatus};
use shmem::{DataDir, ExecMode, Segment};

const REL: u32 = 1;
const ACCOUNTS: u64 = 8;
const OPENING: i64 = 1000;
const WRITERS: u64 = 4;
const TRANSFERS: usize = 600;
/// What the dying child adds to account 0 (never to be seen).
const POISON: i64 = 1_000_000;

/// An account row: `[id u64][balance i64][padding]`.
fn account(id: u64, balance: i64, pad: usize) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend_from_slice(&balance.to_le_bytes());
    v.resize(16 + pad, b'.');
    v
}

fn parse(d: &[u8]) -> (u64, i64) {
    (
        u64::from_le_bytes(d[..8].try_into().unwrap()),
        i64::from_le_bytes(d[8..16].try_into().unwrap()),
    )
}

/// Writer `w`'s transfers: (from, to, amount, padding of the new
/// versions), and whether it rolls back.
fn transfers(w: u64) -> Vec<((u64, u64, i64, usize), bool)> {
    let mut rng = StdRng::seed_from_u64(w);
    (0..TRANSFERS)
        .map(|_| {
            let from = rng.gen_range(0..ACCOUNTS);
            let to = (from + rng.gen_range(1..ACCOUNTS)) % ACCOUNTS;
            let t = (from, to, rng.gen_range(1..100), rng.gen_range(0..700));
            (t, rng.gen_bool(0.1))
        })
        .collect()
}

fn mvcc(clog: &'static Clog, snapshot: shmem::xact::Snapshot, own: &OwnXids) -> Mvcc {
    Mvcc {
        snapshot: Arc::new(snapshot),
        cid: 0,
        own: Arc::new(own.clone()),
        clog,
    }
}

/// The accounts `m` sees (scanning, pruning with the proc array's
/// horizon): id -> (tid, balance); panics if one is seen twice.
fn accounts(pool: &BufferPool, procs: ProcArray, m: Mvcc) -> HashMap<u64, (ItemPointer, i64)> {
    let snapshot = m.snapshot.clone();
    let mut s = heap::scan(pool, REL, m, Some(Box::new(move || procs.global_xmin())));
    let mut out = HashMap::new();
    while let Some((tid, d)) = s.next().unwrap() {
        let (id, bal) = parse(&d);
        if let Some(prev) = out.insert(id, (tid, bal)) {
            let describe = |t: ItemPointer| match heap::fetch_version(pool, REL, t).unwrap() {
                Some((h, d)) => format!(
                    "{t}: {:?} balance {} xmin {:?} xmax {:?}",
                    h,
                    parse(&d).1,
                    procs.clog().status(h.t_xmin),
                    procs.clog().status(h.t_xmax)
                ),
                None => format!("{t}: gone"),
            };
            panic!(
                "account {id} seen twice:\n  {}\n  {}\nsnapshot {snapshot:?}",
                describe(prev.0),
                describe(tid)
            );
        }
    }
    out
}

/// The own xids of a transaction without subtransactions.
fn top_level(xid: u32) -> OwnXids {
    OwnXids {
        top: xid,
        subs: Vec::new(),
    }
}

/// A writer for command 0 of the transaction `own`.
fn writer<'a>(own: &'a OwnXids, procs: Option<&'a ProcArray>) -> Writer<'a> {
    Writer {
        own,
        xid: own.top,
        cid: 0,
        procs,
    }
}

/// Updates account `id`, last seen at `tid`, by `delta`: from its newest
/// version, waiting for uncommitted updaters and following updates.
fn update_account(
    pool: &BufferPool,
    procs: &ProcArray,
    w: &Writer,
    id: u64,
    mut tid: ItemPointer,
    delta: i64,
    pad: usize,
) {
    loop {
        let (_, d) = heap::fetch_version(pool, REL, tid)
            .unwrap()
            .unwrap_or_else(|| panic!("version {tid} of account {id} vanished"));
        let (got, bal) = parse(&d);
        assert_eq!(got, id, "{tid} holds account {got}, not {id}");
        match heap::update(pool, REL, tid, &account(id, bal + delta, pad), 100, w, true).unwrap() {
            Ok(_) => return,
            Err(TmResult::Updated(next)) => tid = next,
            Err(TmResult::BeingModified(x)) => {
                let since = Instant::now();
                while procs.is_running(x) {
                    assert!(since.elapsed() < Duration::from_secs(60), "stuck on {x}");
                    std::thread::sleep(Duration::from_micros(50));
                }
            }
            Err(r) => panic!("account {id} at {tid}: {r:?}"),
        }
    }
}

/// One transaction of backend `be`: finds the accounts with its snapshot,
/// updates both in id order (so transfers cannot deadlock), commits or
/// rolls back.
fn transfer(
    pool: &BufferPool,
    procs: ProcArray,
    be: usize,
    (from, to, amount, pad): (u64, u64, i64, usize),
    abort: bool,
) {
    let xid = procs.assign_xid(be).unwrap();
    let (snap, _) = procs.snapshot(be, true);
    let own = top_level(xid);
    let w = writer(&own, Some(&procs));
    let seen = accounts(pool, procs, mvcc(procs.clog(), snap, &own));
    assert_eq!(seen.len() as u64, ACCOUNTS);
    let mut moves = [(from, -amount), (to, amount)];
    moves.sort();
    for (id, delta) in moves {
        update_account(pool, &procs, &w, id, seen[&id].0, delta, pad);
    }
    if abort {
        procs.abort(be, xid, &[]);
    } else {
        procs.commit(be, xid, &[]);
    }
}

/// What one new snapshot (its xmin published while it scans) sees: each
/// account once, the total unchanged. Returns the balances by id.
fn check(pool: &BufferPool, procs: ProcArray, be: usize) -> Vec<i64> {
    let (snap, _) = procs.snapshot(be, true);
    let seen = accounts(pool, procs, mvcc(procs.clog(), snap, &OwnXids::default()));
    procs.clear_xmin(be);
    assert_eq!(seen.len() as u64, ACCOUNTS, "{seen:?}");
    let bal: Vec<i64> = (0..ACCOUNTS).map(|id| seen[&id].1).collect();
    assert_eq!(
        bal.iter().sum::<i64>(),
        ACCOUNTS as i64 * OPENING,
        "{bal:?}"
    );
    bal
}

/// A word of memory shared with the children.
fn shared_counter() -> &'static AtomicU32 {
    // SAFETY: a fresh anonymous shared mapping, never unmapped; an
    // AtomicU32 is valid for its zeroed bytes.
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
        &*(p as *const AtomicU32)
    }
}

/// Forks a child running `f` on a new backend slot; it exits 0 if `f`
/// returns, 1 if it panics.
fn spawn(seg: &Segment, f: impl FnOnce(usize)) -> (Pid, usize) {
    let be = seg.backend_table().alloc(ExecMode::Process).unwrap();
    // SAFETY: the child uses only the shared segment, the inherited
    // commit-log mapping, the shared counter and its own memory, and leaves
    // with _exit.
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(be))).is_ok();
            // SAFETY: _exit skips the parent's destructors.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        ForkResult::Parent { child } => (child, be),
    }
}

fn reap(seg: &Segment, (pid, be): (Pid, usize)) -> i32 {
    let st = waitpid(pid, None).unwrap();
    // As the postmaster does for a backend that exited: resolve its
    // transaction, free its slot.
    seg.proc_array().cleanup_backend(be);
    seg.backend_table().free(be);
    match st {
        WaitStatus::Exited(_, c) => c,
        other => panic!("child {other:?}"),
    }
}

#[test]
fn forked_transfers_conserve_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let (_owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port: 62260,
            max_backends: 16,
            shared_buffers: 32 * BLCKSZ,
            mode: 0,
        },
        DataDir::open(dir.path()).unwrap(),
    )
    .unwrap();
    let pool = seg.buffer_pool();
    let procs = seg.proc_array();
    pool.create_relation(REL).unwrap();
    let be = seg.backend_table().alloc(ExecMode::Process).unwrap();
    let xid = procs.assign_xid(be).unwrap();
    let own = top_level(xid);
    let w = writer(&own, None);
    for id in 0..ACCOUNTS {
        heap::insert(&pool, REL, &account(id, OPENING, 100), 100, &w).unwrap();
    }
    procs.commit(be, xid, &[]);

    let started = Instant::now();
    let writers_done = shared_counter();
    let dier_xid = shared_counter();
    let reader = spawn(&seg, |be| {
        let mut n = 0;
        let parent = nix::unistd::getppid();
        while writers_done.load(Ordering::Acquire) < WRITERS as u32 || n == 0 {
            // Should the test fail, do not outlive it.
            assert!(started.elapsed() < Duration::from_secs(300), "too slow");
            assert_eq!(nix::unistd::getppid(), parent, "parent died");
            check(&pool, procs, be);
            n += 1;
        }
        eprintln!("reader: {n} consistent snapshots");
    });
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            spawn(&seg, move |be| {
                for (i, (t, abort)) in transfers(w).into_iter().enumerate() {
                    transfer(&pool, procs, be, t, abort);
                    if i % 100 == 0 {
                        check(&pool, procs, be);
                    }
                }
                writers_done.fetch_add(1, Ordering::Release);
            })
        })
        .collect();
    // A backend that dies with an uncommitted update of account 0: the
    // writers wait for it until the parent cleans up after it.
    let dier = spawn(&seg, |be| {
        std::thread::sleep(Duration::from_millis(20));
        let xid = procs.assign_xid(be).unwrap();
        let (snap, _) = procs.snapshot(be, true);
        let own = top_level(xid);
        let w = writer(&own, None);
        let seen = accounts(&pool, procs, mvcc(procs.clog(), snap, &own));
        update_account(&pool, &procs, &w, 0, seen[&0].0, POISON, 10);
        dier_xid.store(xid, Ordering::Release);
        // SAFETY: leaves without committing, as a crashed backend would.
        unsafe { libc::_exit(0) };
    });
    assert_eq!(reap(&seg, dier), 0);
    let dx = dier_xid.load(Ordering::Acquire);
    assert_ne!(dx, 0);
    assert_eq!(procs.clog().status(dx), XidStatus::Aborted);
    assert!(!procs.is_running(dx));

    let statuses: Vec<i32> = writers.into_iter().map(|c| reap(&seg, c)).collect();
    assert!(statuses.iter().all(|&c| c == 0), "writers: {statuses:?}");
    assert_eq!(reap(&seg, reader), 0, "the reader saw an inconsistency");
    let elapsed = started.elapsed();

    let bal = check(&pool, procs, be);
    let mut expect = vec![OPENING; ACCOUNTS as usize];
    for w in 0..WRITERS {
        for ((from, to, amount, _), abort) in transfers(w) {
            if !abort {
                expect[from as usize] -= amount;
                expect[to as usize] += amount;
            }
        }
    }
    assert_eq!(bal, expect);
    // Each account has exactly one version visible to a new snapshot,
    // found from wherever its chain starts.
    let (snap, _) = procs.snapshot(usize::MAX, false);
    let seen = accounts(&pool, procs, mvcc(procs.clog(), snap, &OwnXids::default()));
    assert_eq!(seen.len() as u64, ACCOUNTS);
    eprintln!(
        "{} transfers in {elapsed:?}; table of {} blocks",
        WRITERS as usize * TRANSFERS,
        pool.nblocks(REL).unwrap()
    );
}
