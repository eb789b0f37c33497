//! The WAL as a user sees it, in every mode: commits are logged and wait
//! for their flush (the wal_flush phase) unless synchronous_commit is off;
//! CHECKPOINT; pg_stat_wal and the WAL positions move; committing
//! sessions show their WAL waits in pg_stat_activity; a clean shutdown
//! leaves nothing to replay, and what was committed with
//! synchronous_commit = off survives a clean restart.

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(wal_at_work, synchronous_commit_off, commits_show_wal_waits);

async fn wal_stat(c: &tokio_postgres::Client, col: &str) -> i64 {
    c.query_one(&format!("SELECT {col} FROM pg_stat_wal"), &[])
        .await
        .unwrap()
        .get(0)
}

async fn flush_calls(c: &tokio_postgres::Client) -> i64 {
    c.query_one(
        "SELECT calls FROM pgfork_stat_latency WHERE phase = 'wal_flush'",
        &[],
    )
    .await
    .unwrap()
    .get(0)
}

async fn wal_at_work(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE w (id int PRIMARY KEY, v text)")
        .await
        .unwrap();
    let lsn0: String = c
        .query_one("SELECT pg_current_wal_insert_lsn()", &[])
        .await
        .unwrap()
        .get(0);
    let (records0, syncs0) = (
        wal_stat(&c, "wal_records").await,
        wal_stat(&c, "wal_sync").await,
    );
    c.execute("SELECT pgfork_stat_reset()", &[]).await.unwrap();
    for i in 0..20 {
        c.execute("INSERT INTO w VALUES ($1, 'x')", &[&i])
            .await
            .unwrap();
    }
    // Twenty commits, each logged and each waiting for its flush.
    assert!(wal_stat(&c, "wal_records").await >= records0 + 40);
    assert!(wal_stat(&c, "wal_sync").await >= syncs0 + 20);
    assert_eq!(flush_calls(&c).await, 20);
    let lsn1: String = c
        .query_one("SELECT pg_current_wal_flush_lsn()", &[])
        .await
        .unwrap()
        .get(0);
    assert_ne!(lsn0, lsn1);
    // A read-only statement commits nothing.
    c.query("SELECT count(*) FROM w", &[]).await.unwrap();
    assert_eq!(flush_calls(&c).await, 20);

    // CHECKPOINT: the next change of each page is logged whole.
    let fpi0 = wal_stat(&c, "wal_fpi").await;
    c.batch_execute("CHECKPOINT").await.unwrap();
    c.execute("UPDATE w SET v = 'y' WHERE id = 1", &[])
        .await
        .unwrap();
    assert!(wal_stat(&c, "wal_fpi").await > fpi0);
    let e = c.batch_execute("CHECKPOINT now").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42601");

    // A clean shutdown leaves nothing to replay.
    drop(c);
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let log = srv.log();
    assert!(
        !log.contains("not properly shut down"),
        "recovery after a clean shutdown:\n{log}"
    );
    let c = srv.connect().await;
    let n: i64 = c
        .query_one("SELECT count(*) FROM w WHERE v = 'y' OR id >= 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 20);
}

async fn synchronous_commit_off(mode: Mode) {
    let mut srv = TestServer::start_with(mode, &["--synchronous-commit", "off"]);
    let c = srv.connect().await;
    let v: String = c
        .query_one("SHOW synchronous_commit", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "off");
    c.batch_execute("CREATE TABLE a (id int)").await.unwrap();
    c.execute("SELECT pgfork_stat_reset()", &[]).await.unwrap();
    for i in 0..10 {
        c.execute("INSERT INTO a VALUES ($1)", &[&i]).await.unwrap();
    }
    assert_eq!(flush_calls(&c).await, 0, "commits waited for the WAL");
    // A session may ask for durable commits again.
    c.batch_execute("SET synchronous_commit = on; INSERT INTO a VALUES (10)")
        .await
        .unwrap();
    assert_eq!(flush_calls(&c).await, 1);
    drop(c);
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&["--synchronous-commit", "off"]);
    let c = srv.connect().await;
    let n: i64 = c
        .query_one("SELECT count(*) FROM a", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 11);
}

/// Under an 8-client write load, pg_stat_activity shows committing
/// sessions waiting for the WAL: queued for the write lock (LWLock
/// WALWrite) or in its write or fsync (IO WALWrite / WALSync).
async fn commits_show_wal_waits(mode: Mode) {
    let srv = TestServer::start(mode);
    srv.pgbench(&["-i", "-q", "-s", "1"]);
    let mut bench = srv
        .pgbench_command(&["-n", "-c", "8", "-j", "2", "-T", "20"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let c = srv.connect().await;
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while seen.len() < 2 && std::time::Instant::now() < deadline {
        for r in c
            .query(
                "SELECT wait_event_type, wait_event FROM pg_stat_activity \
                 WHERE wait_event IN ('WALWrite', 'WALSync')",
                &[],
            )
            .await
            .unwrap()
        {
            let (t, e): (String, String) = (r.get(0), r.get(1));
            assert!(
                matches!(
                    (t.as_str(), e.as_str()),
                    ("LWLock", "WALWrite") | ("IO", "WALWrite") | ("IO", "WALSync")
                ),
                "{t} {e}"
            );
            seen.insert(format!("{t}/{e}"));
        }
    }
    let _ = bench.kill();
    let _ = bench.wait();
    assert!(
        !seen.is_empty(),
        "no session was ever seen waiting for the WAL"
    );
}
