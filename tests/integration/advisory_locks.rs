//! Advisory locks (pg_advisory_lock and its family) in every mode: waits
//! between sessions and release at unlock, at COMMIT (transaction-level)
//! and at disconnect (session-level, surviving COMMIT/ROLLBACK), the try
//! variants, reentrancy, shared vs exclusive, the WARNING of an unlock of
//! a lock not held, pg_locks rows, and a deadlock between two sessions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    session_locks_block_until_unlock_or_disconnect,
    xact_locks_end_with_the_transaction,
    reentrancy_shared_and_warnings,
    pg_locks_rows,
    deadlock_between_sessions,
);

async fn try_lock(c: &Client, sql: &str) -> bool {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// A client whose notices (WARNINGs) are collected.
async fn with_notices(srv: &TestServer) -> (Client, Arc<Mutex<Vec<String>>>) {
    let (client, mut conn) = tokio_postgres::connect(&srv.conn_string(), NoTls)
        .await
        .unwrap();
    let notices: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = notices.clone();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notice(n)) => sink.lock().unwrap().push(format!(
                    "{} {}: {}",
                    n.severity(),
                    n.code().code(),
                    n.message()
                )),
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    (client, notices)
}

async fn session_locks_block_until_unlock_or_disconnect(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("SELECT pg_advisory_lock(42)")
        .await
        .unwrap();
    // Survives the end of its transaction, COMMIT and ROLLBACK alike.
    a.batch_execute("BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 1; ROLLBACK")
        .await
        .unwrap();
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock(42)").await);
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock_shared(42)").await);
    // Other keys, and the two-int key space, are independent.
    assert!(try_lock(&b, "SELECT pg_try_advisory_lock(0, 42)").await);
    let waiter = tokio::spawn(async move {
        b.batch_execute("SELECT pg_advisory_lock(42)")
            .await
            .unwrap();
        b
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the waiter got the lock while held");
    assert!(try_lock(&a, "SELECT pg_advisory_unlock(42)").await);
    let b = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("waiter not woken by the unlock")
        .unwrap();
    // b now holds it; a waits until b disconnects.
    let waiter = tokio::spawn(async move {
        a.batch_execute("SELECT pg_advisory_lock(42)")
            .await
            .unwrap();
        a
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished());
    drop(b);
    let a = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("waiter not woken by the disconnect")
        .unwrap();
    // pg_advisory_unlock_all and DISCARD ALL release session locks too.
    let c = srv.connect().await;
    a.batch_execute("SELECT pg_advisory_unlock_all()")
        .await
        .unwrap();
    assert!(try_lock(&c, "SELECT pg_try_advisory_lock(42)").await);
    assert!(!try_lock(&a, "SELECT pg_try_advisory_lock(42)").await);
    c.batch_execute("DISCARD ALL").await.unwrap();
    assert!(try_lock(&a, "SELECT pg_try_advisory_lock(42)").await);
}

async fn xact_locks_end_with_the_transaction(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(7)")
        .await
        .unwrap();
    assert!(!try_lock(&b, "SELECT pg_try_advisory_xact_lock(7)").await);
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock(7)").await);
    let waiter = tokio::spawn(async move {
        b.batch_execute("BEGIN; SELECT pg_advisory_xact_lock_shared(7)")
            .await
            .unwrap();
        b
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished());
    a.batch_execute("COMMIT").await.unwrap();
    let b = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("waiter not woken by COMMIT")
        .unwrap();
    // Shared with shared is fine; exclusive is not.
    assert!(try_lock(&a, "SELECT pg_try_advisory_xact_lock_shared(7)").await);
    assert!(!try_lock(&a, "SELECT pg_try_advisory_xact_lock(7)").await);
    b.batch_execute("ROLLBACK").await.unwrap();
    // Outside a block, the lock goes with the statement's transaction.
    assert!(try_lock(&a, "SELECT pg_try_advisory_xact_lock(7)").await);
    assert!(try_lock(&b, "SELECT pg_try_advisory_xact_lock(7)").await);
    // A session lock and a transaction lock on the same key: the session
    // one stays after COMMIT.
    a.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(8); SELECT pg_advisory_lock(8); COMMIT")
        .await
        .unwrap();
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock(8)").await);
    assert!(try_lock(&a, "SELECT pg_advisory_unlock(8)").await);
    assert!(try_lock(&b, "SELECT pg_try_advisory_lock(8)").await);
}

async fn reentrancy_shared_and_warnings(mode: Mode) {
    let srv = TestServer::start(mode);
    let (a, notices) = with_notices(&srv).await;
    let b = srv.connect().await;
    a.batch_execute("SELECT pg_advisory_lock(1, 2); SELECT pg_advisory_lock(1, 2)")
        .await
        .unwrap();
    assert!(try_lock(&a, "SELECT pg_advisory_unlock(1, 2)").await);
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock(1, 2)").await);
    assert!(try_lock(&a, "SELECT pg_advisory_unlock(1, 2)").await);
    assert!(notices.lock().unwrap().is_empty());
    assert!(!try_lock(&a, "SELECT pg_advisory_unlock(1, 2)").await);
    assert!(!try_lock(&a, "SELECT pg_advisory_unlock_shared(5)").await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        *notices.lock().unwrap(),
        vec![
            "WARNING 01000: you don't own a lock of type ExclusiveLock".to_string(),
            "WARNING 01000: you don't own a lock of type ShareLock".to_string(),
        ]
    );
    assert!(try_lock(&b, "SELECT pg_try_advisory_lock(1, 2)").await);
    // Shared locks are shared, and block exclusive ones.
    a.batch_execute("SELECT pg_advisory_lock_shared(9)")
        .await
        .unwrap();
    assert!(try_lock(&b, "SELECT pg_try_advisory_lock_shared(9)").await);
    assert!(!try_lock(&b, "SELECT pg_try_advisory_lock(9)").await);
    // A shared lock is not released by the exclusive unlock.
    assert!(!try_lock(&a, "SELECT pg_advisory_unlock(9)").await);
    assert!(try_lock(&a, "SELECT pg_advisory_unlock_shared(9)").await);
}

async fn pg_locks_rows(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    a.batch_execute("SELECT pg_advisory_lock(4886718345); SELECT pg_advisory_lock_shared(3, -1)")
        .await
        .unwrap();
    let rows = a
        .query(
            "SELECT locktype, database IS NOT NULL, classid::int8, objid::int8, objsubid, mode, granted, \
             pid = pg_backend_pid() FROM pg_locks WHERE locktype = 'advisory' ORDER BY objsubid",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {} {}",
                r.get::<_, String>(0),
                r.get::<_, bool>(1),
                r.get::<_, i64>(2),
                r.get::<_, i64>(3),
                r.get::<_, i16>(4),
                r.get::<_, String>(5),
                r.get::<_, bool>(6),
                r.get::<_, bool>(7)
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "advisory true 1 591751049 1 ExclusiveLock true true",
            "advisory true 3 4294967295 2 ShareLock true true",
        ]
    );
}

async fn deadlock_between_sessions(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    for c in [&a, &b] {
        c.batch_execute("SET deadlock_timeout = '100ms'")
            .await
            .unwrap();
    }
    a.batch_execute("SELECT pg_advisory_lock(1)").await.unwrap();
    b.batch_execute("SELECT pg_advisory_lock(2)").await.unwrap();
    // The victim keeps its session lock (as in PostgreSQL), so it lets go
    // of everything for the other to proceed.
    let a2 = tokio::spawn(async move {
        let r = a.batch_execute("SELECT pg_advisory_lock(2)").await;
        if r.is_err() {
            a.batch_execute("SELECT pg_advisory_unlock_all()")
                .await
                .unwrap();
        }
        (a, r)
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let b2 = tokio::spawn(async move {
        let r = b.batch_execute("SELECT pg_advisory_lock(1)").await;
        if r.is_err() {
            b.batch_execute("SELECT pg_advisory_unlock_all()")
                .await
                .unwrap();
        }
        (b, r)
    });
    let (_a, ra) = a2.await.unwrap();
    let (_b, rb) = b2.await.unwrap();
    let failed: Vec<String> = [&ra, &rb]
        .iter()
        .filter_map(|r| r.as_ref().err().map(sqlstate))
        .collect();
    assert_eq!(failed, vec!["40P01".to_string()], "{ra:?} {rb:?}");
    let detail = [&ra, &rb]
        .iter()
        .find_map(|r| r.as_ref().err())
        .and_then(|e| e.as_db_error())
        .and_then(|d| d.detail().map(str::to_owned))
        .unwrap_or_default();
    assert!(
        detail.contains("waits for ExclusiveLock on advisory lock [1,0,"),
        "{detail}"
    );
}
