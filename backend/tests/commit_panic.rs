//! Two invariants of a backend that panics (issue 16), checked on a real
//! segment, WAL and commit log, with `pgfork.debug_fault`:
//!
//! 1. `Engine::drop` never aborts a transaction whose commit record is
//!    already in the WAL: after a panic in the commit's critical section
//!    (record durable, commit log not yet set) the transaction is left
//!    running, with its slot's critical mark raised, for the crash-restart
//!    that the mark calls for; recovery then finds it committed.
//! 2. The WAL's commit mark (PostgreSQL's delayChkpt, odd while a commit
//!    is between its record and its commit-log update) is never left odd
//!    in a server that goes on: after a panic outside the section the mark
//!    is even and a checkpoint completes; after one inside it the slot
//!    holds shared state (so the postmaster resets shared memory, process
//!    mode, or the server aborts, thread mode), and after that reset and
//!    recovery a checkpoint completes too.
//!
//! Its own test binary: the storage manager and commit log are per process.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use backend::error::PgResult;
use backend::executor::dest::RowSink;
use backend::tcop::Engine;
use backend::types::Value;
use backend::{BackendEnv, PgError, ServerConfig};
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::xact::XidStatus;
use shmem::{DataDir, ExecMode, Segment};

#[derive(Default)]
struct Rows(Vec<Vec<Value>>);

impl RowSink for Rows {
    fn row(&mut self, values: &[Value]) -> PgResult<()> {
        self.0.push(values.to_vec());
        Ok(())
    }
    fn copy_out(&mut self, _: &[u8]) -> PgResult<()> {
        Ok(())
    }
    fn notice(&mut self, _: PgError) {}
}

fn seg_config(port: u16) -> SegmentConfig {
    SegmentConfig {
        port,
        max_backends: 4,
        shared_buffers: 2 << 20,
        mode: ExecMode::Process as u32,
    }
}

/// A session in a new slot of `seg`, registered as a backend's is
/// (held-resource counters, WAL entry, interrupts), allowed to inject
/// faults.
fn session(seg: Segment, data_dir: &Path) -> (Engine, usize) {
    let table = seg.backend_table();
    let idx = table.alloc(ExecMode::Process).expect("a free slot");
    let slot = table.slot(idx);
    slot.pid.store(std::process::id() as i32, Ordering::Release);
    shmem::lwlock::set_held_counter(Some(&slot.lwlocks_held));
    shmem::buffer::set_pin_counter(Some(&slot.pins_held));
    shmem::wal::set_my_slot(Some(idx), Some(&slot.wait_event));
    backend::interrupts::set_my_slot(Some(slot));
    let config = ServerConfig {
        data_dir: data_dir.to_owned(),
        socket_dir: data_dir.to_owned(),
        port: port(),
        mode: ExecMode::Process,
        prefork: 0,
        max_connections: 2,
        shared_buffers: 2 << 20,
        stats: false,
        trace: None,
        synchronous_commit: true,
        debug_faults: true,
        pool: false,
    };
    let mut engine = Engine::new(BackendEnv {
        config: Arc::new(config),
        segment: seg,
        slot_index: idx,
        slot,
        exec_mode: ExecMode::Process,
    });
    // The data directory's bootstrap superuser: the OS user, as initdb.
    let me = backend::catalog::roles::os_user_name();
    let params: BTreeMap<String, String> = [("user", me.as_str()), ("database", "postgres")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    engine.startup(&params).unwrap();
    (engine, idx)
}

/// The port naming this test's shared segments.
fn port() -> u16 {
    41_000 + (std::process::id() % 20_000) as u16
}

/// Runs every statement of `sql`; the last one's rows.
fn run(e: &mut Engine, sql: &str) -> PgResult<Vec<Vec<Value>>> {
    let r = (|| {
        let mut rows = Rows::default();
        for s in &e.parse(sql)? {
            let p = e.prepare(s, &[])?;
            rows = Rows::default();
            e.execute(&p, &[], &mut rows, None)?;
        }
        Ok(rows.0)
    })();
    if r.is_err() {
        e.on_error();
    }
    r
}

fn int(rows: &[Vec<Value>]) -> i64 {
    match &rows[0][0] {
        Value::Int8(v) => *v,
        Value::Int4(v) => i64::from(*v),
        other => panic!("not an integer: {other:?}"),
    }
}

/// Runs `sql` expecting the engine to panic (the injected fault).
fn run_panicking(e: &mut Engine, sql: &str) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(e, sql)));
    assert!(r.is_err(), "{sql}: no panic");
}

/// A checkpoint completes within 20 s (it waits for every odd commit
/// mark).
fn checkpoint_completes(seg: Segment) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = shmem::wal::checkpoint::checkpoint(&seg, false).map(|_| ());
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(r) => r.unwrap(),
        Err(_) => panic!("the checkpoint still waits after 20 s: a commit mark was left odd"),
    }
}

/// What the postmaster does for a backend that exited holding nothing
/// shared (backend_start::release_backend_resources, then the slot).
fn release_slot(seg: &Segment, idx: usize) {
    assert!(!seg.backend_table().slot(idx).holds_shared_resources());
    seg.proc_array().cleanup_backend(idx);
    seg.lock_manager().release_all(idx);
    seg.wal().forget_slot(idx);
    seg.backend_table().free(idx);
}

#[test]
fn panics_leave_commits_to_recovery_and_no_commit_mark_odd() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    std::fs::create_dir_all(data.join("base")).unwrap();
    std::fs::create_dir_all(data.join("global")).unwrap();
    // As initdb: the bootstrap superuser and the databases.
    backend::catalog::bootstrap(data, &backend::catalog::roles::os_user_name()).unwrap();
    let dd = DataDir::open(data).unwrap();
    let port = port();
    let (owner, seg) = SegmentOwner::create(&seg_config(port), dd).unwrap();
    let rep = backend::recovery::startup(&seg).unwrap();
    assert!(rep.new_cluster);
    assert!(seg.wal().is_logging());

    // A plain panic, in a transaction that has written: its session ends,
    // the transaction is aborted, no commit mark stays odd.
    let (mut e, a) = session(seg, data);
    run(&mut e, "CREATE TABLE t (i int); INSERT INTO t VALUES (1)").unwrap();
    run(&mut e, "BEGIN; INSERT INTO t VALUES (2)").unwrap();
    let xid_a = int(&run(&mut e, "SELECT txid_current()").unwrap()) as u32;
    run_panicking(&mut e, "SELECT pgfork_debug_fault('panic')");
    drop(e);
    assert_eq!(dd.clog().status(xid_a), XidStatus::Aborted);
    assert!(!seg.wal().commit_in_progress(a));
    release_slot(&seg, a);
    checkpoint_completes(seg);

    // A panic in the commit's critical section, once the commit record is
    // durable: the engine dropped while unwinding must not abort it.
    let (mut e, b) = session(seg, data);
    run(&mut e, "BEGIN; INSERT INTO t VALUES (3)").unwrap();
    let xid_b = int(&run(&mut e, "SELECT txid_current()").unwrap()) as u32;
    run(&mut e, "SELECT pgfork_debug_fault('panic-in-critical')").unwrap();
    run_panicking(&mut e, "COMMIT");
    drop(e);
    assert_eq!(
        dd.clog().status(xid_b),
        XidStatus::InProgress,
        "a transaction whose commit record is in the WAL was aborted"
    );
    assert!(seg.proc_array().is_running(xid_b));
    let slot = seg.backend_table().slot(b);
    assert!(
        slot.holds_shared_resources(),
        "the slot must call for a reset (critical {})",
        slot.critical.load(Ordering::Relaxed)
    );
    // Odd until the reset: a checkpoint must not pass a commit whose
    // commit-log update never happened.
    assert!(seg.wal().commit_in_progress(b));

    // The crash-restart: shared memory goes, recovery replays the WAL.
    drop(owner);
    dd.clog().abort_in_progress();
    // The postmaster's crash reset: same process, same context.
    let (_owner2, seg2) = SegmentOwner::create(&seg_config(port), dd).unwrap();
    let rep = backend::recovery::startup(&seg2).unwrap();
    assert!(rep.crashed, "{rep:?}");
    assert_eq!(
        dd.clog().status(xid_b),
        XidStatus::Committed,
        "recovery must find the commit record"
    );
    assert_eq!(dd.clog().status(xid_a), XidStatus::Aborted);
    assert!(!seg2.wal().commit_in_progress(b));
    checkpoint_completes(seg2);
    let (mut e, _) = session(seg2, data);
    let rows = run(&mut e, "SELECT i FROM t ORDER BY i").unwrap();
    let got: Vec<&Value> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(got, [&Value::Int4(1), &Value::Int4(3)]);
}
