//! Process mode: a backend killed by a signal does not take the server or
//! the other sessions down.

use std::time::Duration;

use crate::harness::{Mode, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_an_idle_backend_spares_the_others() {
    for mode in [Mode::Process, Mode::Prefork] {
        let srv = TestServer::start(mode);
        let victim = srv.connect().await;
        let other = srv.connect().await;
        let pid: i32 = victim
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(victim.query_one("SELECT 1", &[]).await.is_err());
        // The other session keeps working, and new ones are accepted.
        for i in 0..20i32 {
            let v: i32 = other
                .query_one("SELECT $1::int4", &[&i])
                .await
                .unwrap()
                .get(0);
            assert_eq!(v, i);
        }
        let n: i64 = other
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "the dead backend's slot must be freed");
        srv.connect()
            .await
            .query_one("SELECT 1", &[])
            .await
            .unwrap();
        let log = srv.log();
        assert!(log.contains("terminated by signal 9"), "{log}");
    }
}

/// A backend killed in the middle of a transaction: its changes are rolled
/// back and its locks released, so a session waiting for its row goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_transaction_rolls_it_back() {
    for mode in [Mode::Process, Mode::Prefork] {
        let srv = TestServer::start(mode);
        let victim = srv.connect().await;
        let other = srv.connect().await;
        other
            .batch_execute(
                "CREATE TABLE k (id int PRIMARY KEY, v int); INSERT INTO k VALUES (1, 0)",
            )
            .await
            .unwrap();
        let pid: i32 = victim
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
        victim
            .batch_execute("BEGIN; UPDATE k SET v = 99 WHERE id = 1; INSERT INTO k VALUES (2, 2)")
            .await
            .unwrap();
        // The other session waits for the victim's row lock.
        let waiter = tokio::spawn(async move {
            other
                .batch_execute("UPDATE k SET v = v + 1 WHERE id = 1")
                .await
                .map(|()| other)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiter.is_finished(), "the update did not wait for the row");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        let other = tokio::time::timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the waiter was not released")
            .unwrap()
            .unwrap();
        let rows = other
            .query("SELECT id, v FROM k ORDER BY id", &[])
            .await
            .unwrap();
        let got: Vec<(i32, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(
            got,
            vec![(1, 1)],
            "the dead transaction's changes must be gone"
        );
        let stuck: i64 = other
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(stuck, 0);
    }
}
