//! FOREIGN KEY and CHECK constraints across sessions, in every mode: a
//! parent DELETE concurrent with a child INSERT behaves as PostgreSQL's
//! (the later one waits for the earlier, then fails with 23503), and a
//! rolled-back transaction leaves no rows and no pending check behind.

use std::time::Duration;

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    delete_parent_waits_for_child_insert,
    rollback_leaves_nothing,
    deferred_unique_waits_for_the_other_inserter,
    deferred_foreign_key_sees_other_sessions_at_commit
);

/// Two sessions insert one key of an INITIALLY DEFERRED unique key:
/// neither waits at the INSERT; the second COMMIT's recheck waits for the
/// first transaction, then fails with 23505 if it committed (and passes
/// if it rolled back).
async fn deferred_unique_waits_for_the_other_inserter(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let mut b = srv.connect().await;
    a.batch_execute("CREATE TABLE du (k int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        .await
        .unwrap();
    for first_commits in [true, false] {
        a.batch_execute("BEGIN; INSERT INTO du VALUES (1)")
            .await
            .unwrap();
        tokio::time::timeout(
            Duration::from_secs(20),
            b.batch_execute("BEGIN; INSERT INTO du VALUES (1)"),
        )
        .await
        .expect("a deferred unique key does not wait at the INSERT")
        .unwrap();
        let waiter = tokio::spawn(async move {
            let r = b.batch_execute("COMMIT").await;
            (b, r)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !waiter.is_finished(),
            "the recheck at COMMIT must wait for the other inserter"
        );
        a.batch_execute(if first_commits { "COMMIT" } else { "ROLLBACK" })
            .await
            .unwrap();
        let (back, r) = waiter.await.unwrap();
        b = back;
        if first_commits {
            assert_eq!(sqlstate(&r.unwrap_err()), "23505");
        } else {
            r.unwrap();
        }
        let n: i64 = b
            .query_one("SELECT count(*) FROM du", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
        b.batch_execute("DELETE FROM du").await.unwrap();
    }
}

/// A deferred foreign key is checked at COMMIT against what is committed
/// then: a referenced row another session committed meanwhile counts;
/// a missing one fails the COMMIT (23503), which rolls back.
async fn deferred_foreign_key_sees_other_sessions_at_commit(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);
         INSERT INTO p VALUES (2)",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN; INSERT INTO c VALUES (1)")
        .await
        .unwrap();
    b.batch_execute("INSERT INTO p VALUES (1)").await.unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    b.batch_execute("DELETE FROM p WHERE id = 2").await.unwrap();
    a.batch_execute("BEGIN; INSERT INTO c VALUES (2)")
        .await
        .unwrap();
    let e = a.batch_execute("COMMIT").await.unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    let n: i64 = a
        .query_one("SELECT count(*) FROM c", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

async fn delete_parent_waits_for_child_insert(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p);
         INSERT INTO p VALUES (1), (2)",
    )
    .await
    .unwrap();
    // A child insert in progress: the parent's DELETE waits, then fails.
    a.batch_execute("BEGIN; INSERT INTO c VALUES (1)")
        .await
        .unwrap();
    let del = tokio::spawn(async move {
        let r = b.batch_execute("DELETE FROM p WHERE id = 1").await;
        (b, r)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!del.is_finished(), "the DELETE must wait for the inserter");
    a.batch_execute("COMMIT").await.unwrap();
    let (b, r) = del.await.unwrap();
    assert_eq!(sqlstate(&r.unwrap_err()), "23503");
    // A parent DELETE in progress: the child's INSERT waits, then fails.
    b.batch_execute("BEGIN; DELETE FROM p WHERE id = 2")
        .await
        .unwrap();
    let ins = tokio::spawn(async move {
        let r = a.batch_execute("INSERT INTO c VALUES (2)").await;
        (a, r)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!ins.is_finished(), "the INSERT must wait for the deleter");
    b.batch_execute("COMMIT").await.unwrap();
    let (a, r) = ins.await.unwrap();
    let e = r.unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    let n: i64 = a
        .query_one("SELECT count(*) FROM c", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

async fn rollback_leaves_nothing(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (pid int REFERENCES p ON DELETE CASCADE, x int CHECK (x > 0));
         INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1)",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN; DELETE FROM p; ROLLBACK")
        .await
        .unwrap();
    let n: i64 = a
        .query_one("SELECT count(*) FROM c", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let e = a
        .batch_execute("INSERT INTO c VALUES (1, 0)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23514");
    let e = a
        .batch_execute("INSERT INTO c VALUES (5, 1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    a.batch_execute("DELETE FROM p").await.unwrap();
    let n: i64 = a
        .query_one("SELECT count(*) FROM c", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}
