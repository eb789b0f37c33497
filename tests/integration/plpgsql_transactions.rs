//! COMMIT and ROLLBACK inside PL/pgSQL procedures, across sessions, in
//! every mode: what a running procedure committed is visible to another
//! session before the CALL returns, what it rolled back never is, and a
//! commit inside a procedure survives a kill -9 of the server while the
//! procedure is still running (it went through the WAL as any commit).

use std::time::{Duration, Instant};

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    commits_are_seen_before_the_call_ends,
    a_commit_inside_survives_a_crash,
);

async fn count(c: &tokio_postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// Waits until `sql` counts `n` (the other session is still running).
async fn wait_for_count(c: &tokio_postgres::Client, sql: &str, n: i64) {
    let start = Instant::now();
    loop {
        let got = count(c, sql).await;
        if got == n {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{sql}: {got} rows, waited for {n}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const PROC: &str = "CREATE TABLE pt (a int); \
    CREATE PROCEDURE pt_p() LANGUAGE plpgsql AS $$ \
    BEGIN \
      INSERT INTO pt VALUES (1); \
      COMMIT; \
      INSERT INTO pt VALUES (2); \
      ROLLBACK; \
      INSERT INTO pt VALUES (3); \
      COMMIT; \
      PERFORM pg_advisory_xact_lock(42); \
      INSERT INTO pt VALUES (4); \
    END $$";

async fn commits_are_seen_before_the_call_ends(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(PROC).await.unwrap();
    // B holds the lock the procedure waits for after its commits.
    b.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(42)")
        .await
        .unwrap();
    let call = tokio::spawn(async move {
        a.batch_execute("CALL pt_p()").await.unwrap();
        a
    });
    let c = srv.connect().await;
    wait_for_count(&c, "SELECT count(*) FROM pt", 2).await;
    let seen: Vec<i32> = c
        .query("SELECT a FROM pt ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seen, [1, 3]);
    assert!(!call.is_finished());
    // The procedure's transaction is one of its own: pg_stat_activity
    // shows the CALL still running.
    let running = count(
        &c,
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'CALL pt_p()' AND state = 'active'",
    )
    .await;
    assert_eq!(running, 1);
    b.batch_execute("COMMIT").await.unwrap();
    let a = call.await.unwrap();
    let seen: Vec<i32> = c
        .query("SELECT a FROM pt ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seen, [1, 3, 4]);
    // In a transaction block the same CALL is 2D000 and leaves nothing.
    a.batch_execute("BEGIN").await.unwrap();
    let e = a.batch_execute("CALL pt_p()").await.unwrap_err();
    assert_eq!(sqlstate(&e), "2D000");
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(count(&c, "SELECT count(*) FROM pt").await, 3);
}

async fn a_commit_inside_survives_a_crash(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(PROC).await.unwrap();
    b.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(42)")
        .await
        .unwrap();
    let call = tokio::spawn(async move {
        let _ = a.batch_execute("CALL pt_p()").await;
    });
    let c = srv.connect().await;
    wait_for_count(&c, "SELECT count(*) FROM pt", 2).await;
    drop(c);
    srv.kill_9_all();
    let _ = call.await;
    drop(b);
    srv.restart(&[]);
    let c = srv.connect().await;
    let seen: Vec<i32> = c
        .query("SELECT a FROM pt ORDER BY a", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seen, [1, 3]);
}
