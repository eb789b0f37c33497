//! Fault injection (`--debug-faults`; `pgfork.debug_fault` and
//! `pgfork_debug_fault(kind)`, backend/src/faults.rs) in every mode: what
//! each way a backend can fail costs, and that none loses an acknowledged
//! commit.
//!
//! - Without `--debug-faults` every fault is refused (55000).
//! - A plain panic costs its session only (FATAL XX000); the others go
//!   on, even inside their transactions.
//! - A panic in a commit's critical section is a crash-restart in every
//!   mode: the postmaster resets shared memory and recovers (process), the
//!   supervisor restarts the server process (thread). The panicking
//!   transaction's commit record was durable, so recovery finds it
//!   committed: its session's engine must not have aborted it on the way
//!   out (`XactMvcc::abort`).
//! - A stack overflow, an abort, a SIGSEGV and an allocation failure end
//!   the process they happen in: in process mode one backend holding no
//!   shared state, so only its session is lost (pgfork's postmaster
//!   resets shared memory only when the dead backend held LWLocks, pins or
//!   was in a critical section; PostgreSQL's resets after any such death);
//!   in thread mode the server process, which the supervisor restarts.
//!
//! After every fault: a session starts within seconds, every commit
//! acknowledged before it is there, and a CHECKPOINT completes (no commit
//! mark of the WAL was left odd, which would make it wait forever).

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::durability::{connect_retrying, log_tail};
use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(
    faults_are_refused_without_debug_faults,
    a_plain_panic_costs_one_session,
    crashes_restart_without_losing_commits,
);

/// The server's flag that allows fault injection.
const DEBUG_FAULTS: &str = "--debug-faults";

async fn faults_are_refused_without_debug_faults(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    for sql in [
        "SET pgfork.debug_fault = 'panic'",
        "SET pgfork.debug_fault = 'panic-in-critical'",
        "SELECT pgfork_debug_fault('abort')",
        "SELECT pgfork_debug_fault('none')",
        "SELECT set_config('pgfork.debug_fault', 'segv', false)",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "55000", "{sql}: {e:?}");
        assert!(
            message(&e).contains("fault injection is disabled"),
            "{sql}: {e:?}"
        );
    }
    // Nothing happened, and turning faults off is always allowed.
    c.batch_execute("SET pgfork.debug_fault = 'none'")
        .await
        .unwrap();
    let v: String = c
        .query_one("SHOW pgfork.debug_fault", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "none");
    c.batch_execute("SELECT 1").await.unwrap();
    // With the flag, a value that is no fault is 22023.
    let srv = TestServer::start_with(mode, &[DEBUG_FAULTS]);
    let c = srv.connect().await;
    for sql in [
        "SET pgfork.debug_fault = 'explode'",
        "SELECT pgfork_debug_fault('explode')",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "22023", "{sql}: {e:?}");
    }
}

async fn pid_of(c: &Client) -> i32 {
    c.query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

async fn count(c: &Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// CHECKPOINT completes: no commit was left marked in progress in the WAL.
async fn checkpoint_completes(c: &Client, srv: &TestServer, what: &str) {
    match tokio::time::timeout(Duration::from_secs(20), c.batch_execute("CHECKPOINT")).await {
        Ok(r) => r.unwrap_or_else(|e| panic!("{what}: CHECKPOINT failed: {e:?}")),
        Err(_) => panic!(
            "{what}: CHECKPOINT still waiting after 20 s (a commit mark left odd?)\n{}",
            log_tail(srv)
        ),
    }
}

async fn a_plain_panic_costs_one_session(mode: Mode) {
    let srv = TestServer::start_with(mode, &[DEBUG_FAULTS]);
    let other = srv.connect().await;
    other
        .batch_execute(
            "CREATE TABLE t (i int); INSERT INTO t VALUES (1); BEGIN; INSERT INTO t VALUES (2)",
        )
        .await
        .unwrap();
    let other_pid = pid_of(&other).await;
    for how in [
        "SELECT pgfork_debug_fault('panic')",
        "SET pgfork.debug_fault = 'panic'; SELECT 1",
    ] {
        let what = format!("{mode:?}, {how}");
        let victim = srv.connect().await;
        // Its open transaction must be rolled back.
        victim
            .batch_execute("BEGIN; INSERT INTO t VALUES (100)")
            .await
            .unwrap();
        let e = victim.batch_execute(how).await.unwrap_err();
        assert_eq!(sqlstate(&e), "XX000", "{what}: {e:?}");
        assert!(
            victim.simple_query("SELECT 1").await.is_err(),
            "{what}: the victim's session survived"
        );
    }
    // The other session is where it was, inside its transaction.
    other
        .batch_execute("INSERT INTO t VALUES (3); COMMIT")
        .await
        .unwrap();
    assert_eq!(pid_of(&other).await, other_pid);
    assert_eq!(
        count(&other, "SELECT count(*)::int8 FROM t WHERE i <> 100").await,
        3
    );
    assert_eq!(
        count(&other, "SELECT count(*)::int8 FROM t WHERE i = 100").await,
        0,
        "a dead session's transaction committed"
    );
    checkpoint_completes(&other, &srv, &format!("{mode:?}")).await;
    srv.connect().await.batch_execute("SELECT 1").await.unwrap();
    let log = srv.log();
    assert!(!log.contains("reinitializ"), "{}", log_tail(&srv));
}

/// The faults that end a process, and the one that is a PANIC anywhere.
const CRASHES: [&str; 5] = ["panic-in-critical", "stack", "abort", "segv", "oom"];

/// How many crash-restarts the server logged so far.
fn restarts(srv: &TestServer) -> usize {
    let log = srv.log();
    log.matches("all server processes terminated; reinitializ")
        .count()
}

/// Waits until `c`'s session is gone (a crash-restart ends every session).
async fn wait_session_gone(c: &Client, srv: &TestServer, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Ok(Ok(_)) =
        tokio::time::timeout(Duration::from_secs(10), c.simple_query("SELECT 1")).await
    {
        assert!(
            Instant::now() < deadline,
            "{what}: a session survived the crash-restart for 10 s\n{}",
            log_tail(srv)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn crashes_restart_without_losing_commits(mode: Mode) {
    let srv = TestServer::start_with(mode, &[DEBUG_FAULTS]);
    srv.connect()
        .await
        .batch_execute("CREATE TABLE kept (id int PRIMARY KEY, what text NOT NULL)")
        .await
        .unwrap();
    // Rows committed and acknowledged (id > 0), and expected absent.
    let mut committed: i64 = 0;
    let mut next_id: i32 = 0;
    let mut last_restart: Option<Instant> = None;
    for kind in CRASHES {
        let what = format!("{mode:?}, fault {kind}");
        // The supervisor delays a restart after a crash less than a second
        // after the last start (a crash loop); these are not one.
        if let Some(t) = last_restart {
            if let Some(left) = Duration::from_millis(1100).checked_sub(t.elapsed()) {
                tokio::time::sleep(left).await;
            }
        }
        let bystander = connect_retrying(&srv, Duration::from_secs(10)).await;
        for _ in 0..10 {
            next_id += 1;
            bystander
                .execute("INSERT INTO kept VALUES ($1, 'acked')", &[&next_id])
                .await
                .unwrap();
            committed += 1;
        }
        // Left open across the fault.
        next_id += 1;
        let open_id = next_id;
        bystander
            .batch_execute(&format!(
                "BEGIN; INSERT INTO kept VALUES ({open_id}, 'open')"
            ))
            .await
            .unwrap();
        let restarts_before = restarts(&srv);
        let victim = srv.connect().await;
        next_id += 1;
        let victim_id = next_id;
        let fired = Instant::now();
        let e = if kind == "panic-in-critical" {
            victim
                .batch_execute(&format!(
                    "BEGIN; INSERT INTO kept VALUES ({victim_id}, 'victim'); \
                     SELECT pgfork_debug_fault('panic-in-critical'); COMMIT"
                ))
                .await
                .unwrap_err()
        } else {
            victim
                .batch_execute(&format!("SELECT pgfork_debug_fault('{kind}')"))
                .await
                .unwrap_err()
        };
        // A process that panics tells its client (FATAL XX000) before it
        // exits; the others die without a word.
        let threaded = matches!(mode, Mode::Thread | Mode::Pool);
        if kind == "panic-in-critical" && !threaded {
            assert_eq!(sqlstate(&e), "XX000", "{what}: {e:?}");
        } else {
            assert!(e.code().is_none(), "{what}: {e:?}");
        }
        let whole_server = threaded || kind == "panic-in-critical";
        if whole_server {
            wait_session_gone(&bystander, &srv, &what).await;
        }
        let c = connect_retrying(&srv, Duration::from_secs(10)).await;
        let back = fired.elapsed();
        assert!(
            back < Duration::from_secs(8),
            "{what}: a session started only {back:?} after the fault"
        );
        if whole_server {
            last_restart = Some(Instant::now());
            let deadline = Instant::now() + Duration::from_secs(5);
            while restarts(&srv) == restarts_before {
                assert!(
                    Instant::now() < deadline,
                    "{what}: no crash-restart logged\n{}",
                    log_tail(&srv)
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } else {
            // Only the victim was lost: the bystander's transaction goes
            // on and commits.
            bystander
                .batch_execute("COMMIT")
                .await
                .unwrap_or_else(|e| panic!("{what}: the bystander lost its session: {e:?}"));
            committed += 1;
            assert_eq!(restarts(&srv), restarts_before, "{what}");
            assert!(
                srv.log().contains("held no shared locks or pins"),
                "{what}\n{}",
                log_tail(&srv)
            );
        }
        let acked = count(&c, "SELECT count(*)::int8 FROM kept WHERE what <> 'victim'").await;
        assert_eq!(
            acked,
            committed,
            "{what}: rows committed before the fault after recovery\n{}",
            log_tail(&srv)
        );
        let open = count(
            &c,
            &format!("SELECT count(*)::int8 FROM kept WHERE id = {open_id}"),
        )
        .await;
        assert_eq!(
            open,
            i64::from(!whole_server),
            "{what}: the open transaction"
        );
        let victim_rows = count(
            &c,
            &format!("SELECT count(*)::int8 FROM kept WHERE id = {victim_id}"),
        )
        .await;
        // Its commit record was on disk when it panicked: committed.
        assert_eq!(
            victim_rows,
            i64::from(kind == "panic-in-critical"),
            "{what}: the victim's transaction\n{}",
            log_tail(&srv)
        );
        if victim_rows == 1 {
            committed += 1;
            // Counted among the others from now on.
            c.batch_execute(&format!(
                "UPDATE kept SET what = 'recovered' WHERE id = {victim_id}"
            ))
            .await
            .unwrap();
        }
        checkpoint_completes(&c, &srv, &what).await;
        eprintln!("{what}: a session started {back:?} after the fault");
    }
}
