//! Crashes. Process mode: a backend killed by a signal does not take the
//! server or the other sessions down. Thread mode: a crash of the server
//! process (any fatal signal) costs every session, and the supervisor
//! restarts the server, which recovers with every acknowledged commit.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::durability::{
    bank, check_bank, check_history, connect_retrying, log_tail, logged_transactions, output_path,
    start_pgbench, wait_pgbench, CLIENTS, SCALE,
};
use crate::harness::{is_alive, Mode, TestServer};

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

/// Thread mode: the server process (the supervisor's child) killed by
/// SIGSEGV, then by SIGABRT, under an 8-client pgbench and two more
/// sessions, one idle and one in an open transaction. Each time every
/// session is lost, the supervisor logs the crash as PostgreSQL does and
/// starts a new server process, which recovers from the WAL; a session
/// starts within seconds; every commit acknowledged before the crash is
/// there (pgbench's log, rows a session committed) and the open
/// transaction's rows are not. postmaster.pid names the supervisor
/// throughout, and SIGTERM to it still shuts everything down cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_mode_server_crash_restarts_and_keeps_every_commit() {
    let mut srv = TestServer::start(Mode::Thread);
    let supervisor = srv.pid();
    assert_eq!(
        srv.pid_file_pid(),
        supervisor,
        "postmaster.pid must name the supervisor"
    );
    srv.pgbench(&["-i", "-s", &SCALE.to_string(), "-q"]);
    srv.connect()
        .await
        .batch_execute("CREATE TABLE kept (id int PRIMARY KEY, crash int NOT NULL)")
        .await
        .unwrap();
    let mut before = bank(&srv).await;
    check_bank(&before, "thread mode, after pgbench -i", &srv);
    let logs = tempfile::tempdir().unwrap();
    let mut committed: i32 = 0;
    for (n, (sig, text)) in [
        (Signal::SIGSEGV, "11: Segmentation fault"),
        (Signal::SIGABRT, "6: Aborted"),
    ]
    .into_iter()
    .enumerate()
    {
        let what = format!("thread mode, server process killed by {sig}");
        let server = srv.server_process_pid();
        assert_ne!(server, supervisor);
        // Rows committed one per transaction, then 50 in one.
        let idle = srv.connect().await;
        for _ in 0..20 {
            committed += 1;
            idle.execute(
                "INSERT INTO kept VALUES ($1, $2)",
                &[&committed, &(n as i32)],
            )
            .await
            .unwrap();
        }
        idle.batch_execute(&format!(
            "BEGIN; INSERT INTO kept SELECT g, {n} FROM generate_series({}, {}) g; COMMIT",
            committed + 1,
            committed + 50
        ))
        .await
        .unwrap();
        committed += 50;
        // Left open: its rows must be gone after the crash.
        let open = srv.connect().await;
        open.batch_execute(&format!(
            "BEGIN; INSERT INTO kept SELECT -g, {n} FROM generate_series(1, 10) g"
        ))
        .await
        .unwrap();
        let prefix = logs.path().join(format!("crash{n}"));
        let mut bench = start_pgbench(&srv, &prefix, 600);
        tokio::time::sleep(Duration::from_millis(1000)).await;
        if let Some(st) = bench.try_wait().unwrap() {
            panic!(
                "{what}: pgbench ended before the crash ({st}):\n{}\n{}",
                std::fs::read_to_string(output_path(&prefix)).unwrap_or_default(),
                log_tail(&srv)
            );
        }
        kill(Pid::from_raw(server), sig).unwrap();
        let killed = Instant::now();
        let out = wait_pgbench(&mut bench, &prefix, Duration::from_secs(60));
        let (acked, failed) = logged_transactions(&prefix);
        // Every session died with the server process.
        assert!(
            idle.simple_query("SELECT 1").await.is_err(),
            "{what}: an idle session survived"
        );
        assert!(
            open.simple_query("SELECT 1").await.is_err(),
            "{what}: a session in a transaction survived"
        );
        let c = connect_retrying(&srv, Duration::from_secs(10)).await;
        let back = killed.elapsed();
        assert!(
            back < Duration::from_secs(10),
            "{what}: a session started only {back:?} after the crash"
        );
        assert!(
            srv.child.as_mut().unwrap().try_wait().unwrap().is_none(),
            "{what}: the supervisor exited\n{}",
            log_tail(&srv)
        );
        let restarted = srv.server_process_pid();
        assert_ne!(restarted, server, "{what}: no new server process");
        assert!(!is_alive(server));
        let r = c
            .query_one(
                "SELECT count(*)::int8, count(*) FILTER (WHERE id < 0)::int8 FROM kept",
                &[],
            )
            .await
            .unwrap();
        let (rows, uncommitted): (i64, i64) = (r.get(0), r.get(1));
        assert_eq!(
            (rows - uncommitted, uncommitted),
            (committed as i64, 0),
            "{what}: (committed rows, rows of the open transaction) after recovery\n{}",
            log_tail(&srv)
        );
        drop(c);
        let after = bank(&srv).await;
        let added = check_history(&before, &after, acked, CLIENTS, &what, &out, &srv);
        check_bank(&after, &what, &srv);
        let log = srv.log();
        let crash_line = format!("server process (PID {server}) was terminated by signal {text}");
        assert!(
            log.contains(&crash_line),
            "{what}: the log lacks \"{crash_line}\"\n{}",
            log_tail(&srv)
        );
        assert_eq!(
            log.matches("all server processes terminated; reinitializing")
                .count(),
            n + 1,
            "{what}\n{}",
            log_tail(&srv)
        );
        assert_eq!(
            srv.pid_file_pid(),
            supervisor,
            "{what}: postmaster.pid must still name the supervisor"
        );
        eprintln!(
            "{what}: {acked} commits acknowledged, {failed} failed, {added} history rows added; \
             a session started {back:?} after the crash; server process {server} -> {restarted}"
        );
        before = after;
    }
    // A smart shutdown after the restarts: clean exit, nothing left behind.
    let server = srv.server_process_pid();
    let st = srv.stop_with(Signal::SIGTERM);
    assert!(st.success(), "{st}\n{}", log_tail(&srv));
    assert!(
        !is_alive(server),
        "the server process outlived the supervisor"
    );
    assert!(!srv.socket_path().exists(), "socket left behind");
    assert!(
        !srv.socket_dir()
            .join(format!(".s.PGSQL.{}.lock", srv.port))
            .exists(),
        "socket lock file left behind"
    );
    assert!(
        !srv.data_dir().join("postmaster.pid").exists(),
        "postmaster.pid left behind"
    );
    let shm = std::path::Path::new("/dev/shm").join(format!("pgfork.{}", srv.port));
    assert!(!shm.exists(), "shared memory segment left behind");
}

/// Thread mode: kill -9 of the supervisor takes its server process with it
/// (no server runs without the holder of the lock files), and the next
/// start takes the stale lock files over and recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_mode_server_dies_with_its_supervisor() {
    let mut srv = TestServer::start(Mode::Thread);
    srv.connect()
        .await
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)")
        .await
        .unwrap();
    let server = srv.server_process_pid();
    let mut supervisor = srv.child.take().unwrap();
    supervisor.kill().unwrap();
    supervisor.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_alive(server) {
        assert!(
            Instant::now() < deadline,
            "the server process outlived its supervisor by 5 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    srv.restart(&[]);
    let n: i64 = srv
        .connect()
        .await
        .query_one("SELECT count(*)::int8 FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}
