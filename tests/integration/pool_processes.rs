//! Pool mode with carrier processes (`--mode pool --carrier-processes N`):
//! the postmaster hands each client by fd passing to the carrier process
//! with the fewest sessions, which multiplexes it on its own carrier
//! threads. Sessions in different carrier processes share the segment
//! (commits, locks, pg_stat_activity), a CancelRequest reaches a session
//! whichever process carries it, every shutdown mode ends every carrier
//! process, and a carrier process killed with SIGKILL while it held no
//! LWLock loses only its own sessions.

use std::process::Command;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::harness::{bin, descendants, is_alive, sqlstate, Mode, TestServer};

/// `--mode pool` with two carrier processes of one carrier thread each,
/// once the harness's own set-up session has ended (so that the next
/// clients go to carrier process 0, 1, 0, 1...).
async fn start() -> TestServer {
    let srv = TestServer::start_with(Mode::Pool, &["--carrier-processes", "2", "--carriers", "1"]);
    settle(&srv, 0).await;
    srv
}

/// Waits until `n` client sessions remain besides a probe (ended ones
/// are retired by their carrier process a moment after their client has
/// gone), then a moment more for the probe's own.
async fn settle(srv: &TestServer, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let probe = srv.connect().await;
        let count: i64 = probe
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        drop(probe);
        tokio::time::sleep(Duration::from_millis(300)).await;
        if count as usize == n + 1 {
            return;
        }
        assert!(Instant::now() < deadline, "{count} sessions left, not {n}");
    }
}

async fn one(c: &Client, sql: &str) -> String {
    let m = c.simple_query(sql).await.unwrap();
    m.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no row for {sql}"))
}

/// The process that carries `c`'s session: pg_stat_activity names the
/// carrier thread running it (`pool: carrier TID`), and /proc that
/// thread's process.
async fn carrier_process(c: &Client) -> i32 {
    let mode = one(
        c,
        "SELECT pgfork_mode FROM pg_stat_activity WHERE pid = pg_backend_pid()",
    )
    .await;
    let tid: i32 = mode
        .strip_prefix("pool: carrier ")
        .unwrap_or_else(|| panic!("pgfork_mode {mode:?}"))
        .parse()
        .unwrap();
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The carrier processes: the postmaster's children that run threads
/// (the checkpointer and refusers run one).
fn carrier_processes(srv: &TestServer) -> Vec<i32> {
    descendants(srv.pid())
        .into_iter()
        .filter(|&p| is_alive(p))
        .filter(|&p| std::fs::read_dir(format!("/proc/{p}/task")).map_or(0, |d| d.count()) > 1)
        .collect()
}

/// Clients are spread over both carrier processes (the fewest sessions
/// first); each sees the others' commits, waits for their locks, and
/// appears in pg_stat_activity with a distinct pg_backend_pid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_in_different_carrier_processes_share_the_database() {
    let srv = start().await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(srv.connect().await);
    }
    let mut procs = Vec::new();
    for c in &clients {
        procs.push(carrier_process(c).await);
    }
    // The fewest sessions first: two each (0, 1, 0, 1).
    let mut used = procs.clone();
    used.sort();
    assert_eq!(used[0], used[1], "{procs:?}");
    assert_eq!(used[2], used[3], "{procs:?}");
    assert_ne!(used[1], used[2], "{procs:?}");
    used.dedup();
    let mut all = carrier_processes(&srv);
    all.sort();
    assert_eq!(
        all, used,
        "the carrier processes are the postmaster's children"
    );
    assert_eq!(one(&clients[0], "SHOW pgfork.mode").await, "pool");
    // An idle session of the other carrier process is parked: no carrier
    // runs it, whichever process looks.
    let other = clients
        .iter()
        .zip(&procs)
        .find(|(_, &p)| p != procs[0])
        .map(|(c, _)| c)
        .unwrap();
    let other_pid = one(other, "SELECT pg_backend_pid()").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let seen = one(
            &clients[0],
            &format!("SELECT pgfork_mode FROM pg_stat_activity WHERE pid = {other_pid}"),
        )
        .await;
        if seen == "pool: no carrier" {
            break;
        }
        // It is put down a moment after its reply has gone.
        assert!(Instant::now() < deadline, "{seen}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let (a, b) = (&clients[0], &clients[1]);
    a.batch_execute("CREATE TABLE shared_t (v int); INSERT INTO shared_t VALUES (1)")
        .await
        .unwrap();
    assert_eq!(one(b, "SELECT sum(v) FROM shared_t").await, "1");
    // An uncommitted row is not seen; a committed one is.
    a.batch_execute("BEGIN; INSERT INTO shared_t VALUES (2)")
        .await
        .unwrap();
    assert_eq!(one(b, "SELECT sum(v) FROM shared_t").await, "1");
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(one(b, "SELECT sum(v) FROM shared_t").await, "3");

    // A lock held in one process blocks a session of the other until
    // the holder commits.
    a.batch_execute("BEGIN; LOCK TABLE shared_t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let b2 = srv.connect().await;
    let t0 = Instant::now();
    let waiter = tokio::spawn(async move {
        let r = b2.simple_query("SELECT count(*) FROM shared_t").await;
        (r.map(|_| ()), t0.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiter.is_finished(),
        "the lock does not hold across processes"
    );
    let waiting = one(
        a,
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'shared_t'::regclass",
    )
    .await;
    assert_eq!(waiting, "1");
    a.batch_execute("COMMIT").await.unwrap();
    let (r, waited) = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiter gets the lock after the commit")
        .unwrap();
    r.unwrap();
    assert!(waited >= Duration::from_millis(400), "{waited:?}");

    // A row per session, each with its own pid (the waiter's session is
    // retired by its carrier process a moment after its client has gone).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pids: Vec<i32> = loop {
        let rows = a
            .query(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'",
                &[],
            )
            .await
            .unwrap();
        let pids: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
        if pids.len() == 4 || Instant::now() > deadline {
            break pids;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(pids.len(), 4, "{pids:?}");
    pids.sort();
    pids.dedup();
    assert_eq!(pids.len(), 4);
    for c in &clients {
        let p: i32 = one(c, "SELECT pg_backend_pid()").await.parse().unwrap();
        assert!(pids.contains(&p));
    }
}

/// A CancelRequest, carried by a new connection that the postmaster hands
/// to the other carrier process, cancels the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_reaches_a_session_in_another_carrier_process() {
    let srv = start().await;
    let sleeper = srv.connect().await;
    let other = srv.connect().await;
    assert_ne!(
        carrier_process(&sleeper).await,
        carrier_process(&other).await
    );
    drop(other);
    // The cancel request's connection goes to the process with fewer
    // sessions: the other one.
    settle(&srv, 1).await;
    let token = sleeper.cancel_token();
    let t = tokio::spawn(async move {
        let r = sleeper.simple_query("SELECT pg_sleep(30)").await;
        (r, sleeper)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel_query(tokio_postgres::NoTls).await.unwrap();
    let (r, sleeper) = tokio::time::timeout(Duration::from_secs(10), t)
        .await
        .expect("cancel ends pg_sleep")
        .unwrap();
    assert_eq!(sqlstate(&r.unwrap_err()), "57014");
    assert_eq!(one(&sleeper, "SELECT 1").await, "1");
}

/// pgbench: initialization, select-only, a connection per transaction
/// (-C), and the TPC-B-like default, with clients in both processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgbench_runs_on_carrier_processes() {
    let srv = start().await;
    srv.pgbench(&["-i", "-s", "1", "-q"]);
    for args in [
        &["-n", "-S", "-c", "4", "-j", "2", "-t", "200"][..],
        &["-n", "-S", "-C", "-c", "2", "-t", "50"][..],
        &["-n", "-c", "4", "-j", "2", "-t", "50"][..],
    ] {
        let out = srv.pgbench(args);
        assert!(
            out.contains("number of failed transactions: 0"),
            "{args:?}: {out}"
        );
    }
    let c = srv.connect().await;
    // tpcb-like keeps the balances consistent across processes.
    let sums = one(
        &c,
        "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(bbalance) FROM pgbench_branches)",
    )
    .await;
    assert_eq!(sums, "t");
    assert_eq!(one(&c, "SELECT count(*) FROM pgbench_history").await, "200");
}

/// Fast shutdown (SIGINT): a running session gets 57P01, and the
/// postmaster and every carrier process exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_shutdown_ends_every_carrier_process() {
    let mut srv = start().await;
    let busy = srv.connect().await;
    let idle = srv.connect().await;
    let procs = carrier_processes(&srv);
    assert_eq!(procs.len(), 2, "{procs:?}");
    let t = tokio::spawn(async move { busy.simple_query("SELECT pg_sleep(60)").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let st = srv.stop_with(nix::sys::signal::Signal::SIGINT);
    assert!(st.success(), "{st}\n{}", srv.log());
    let r = tokio::time::timeout(Duration::from_secs(10), t)
        .await
        .unwrap()
        .unwrap();
    match r {
        Err(e) => assert!(e.as_db_error().is_none() || sqlstate(&e) == "57P01", "{e}"),
        Ok(_) => panic!("pg_sleep(60) ended normally"),
    }
    assert!(idle.simple_query("SELECT 1").await.is_err());
    for p in procs {
        assert!(!is_alive(p), "carrier process {p} outlived the server");
    }
}

/// Smart shutdown (SIGTERM) waits for the sessions, refusing new ones;
/// immediate shutdown (SIGQUIT) ends the carrier processes at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smart_and_immediate_shutdowns_end_the_carrier_processes() {
    let mut srv = start().await;
    let c = srv.connect().await;
    let procs = carrier_processes(&srv);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(srv.pid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let Err(e) = srv.try_connect().await else {
        panic!("a new client was served during a smart shutdown");
    };
    assert_eq!(sqlstate(&e), "57P03");
    assert_eq!(one(&c, "SELECT 41 + 1").await, "42");
    // The process that carries it stays until it ends; the other, with
    // no session, has exited.
    let mine = carrier_process(&c).await;
    assert!(is_alive(mine));
    let deadline = Instant::now() + Duration::from_secs(10);
    while procs.iter().any(|&p| p != mine && is_alive(p)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        procs.iter().all(|&p| p == mine || !is_alive(p)),
        "{procs:?}"
    );
    drop(c);
    let st = srv.stop_with(nix::sys::signal::Signal::SIGTERM);
    assert!(st.success(), "{st}\n{}", srv.log());
    for &p in &procs {
        assert!(!is_alive(p), "carrier process {p} outlived the server");
    }

    srv.restart(&["--carrier-processes", "2", "--carriers", "1"]);
    let c = srv.connect().await;
    assert_eq!(one(&c, "SELECT 1").await, "1");
    let procs = carrier_processes(&srv);
    assert_eq!(procs.len(), 2);
    srv.stop_with(nix::sys::signal::Signal::SIGQUIT);
    let deadline = Instant::now() + Duration::from_secs(10);
    while procs.iter().any(|&p| is_alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    for &p in &procs {
        assert!(!is_alive(p), "carrier process {p} outlived the server");
    }
}

/// `--carrier-processes` is pool mode's, and at least 1.
#[test]
fn carrier_processes_needs_pool_mode() {
    let dir = tempfile::tempdir().unwrap();
    for (args, msg) in [
        (
            &["--mode", "thread", "--carrier-processes", "2"][..],
            "--carrier-processes applies to --mode pool only",
        ),
        (
            &["--mode", "process", "--carrier-processes", "2"][..],
            "--carrier-processes applies to --mode pool only",
        ),
        (
            &["--carrier-processes", "2"][..],
            "--carrier-processes applies to --mode pool only",
        ),
        (
            &["--mode", "pool", "--carrier-processes", "0"][..],
            "--carrier-processes must be at least 1",
        ),
    ] {
        let out = Command::new(bin())
            .arg("-D")
            .arg(dir.path().join("data"))
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &crate::harness::unique_port().to_string()])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    let out = Command::new(bin()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--carrier-processes <N>"), "{help}");
    assert!(help.contains("per carrier process"), "{help}");
}

/// A carrier process killed with SIGKILL while its session sat idle in a
/// transaction (holding a table lock and an uncommitted row, but no
/// LWLock): its client is disconnected, its transaction aborted and its
/// lock released; the other process's client goes on querying throughout;
/// a replacement carrier process is forked and new clients are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_carrier_process_loses_only_its_sessions() {
    let srv = start().await;
    let victim = srv.connect().await;
    let survivor = srv.connect().await;
    let (pv, ps) = (
        carrier_process(&victim).await,
        carrier_process(&survivor).await,
    );
    assert_ne!(pv, ps);
    survivor
        .batch_execute("CREATE TABLE k (v int); INSERT INTO k VALUES (1)")
        .await
        .unwrap();
    victim
        .batch_execute("BEGIN; INSERT INTO k VALUES (100); LOCK TABLE k IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    // The survivor queries without pause, before, during and after.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let loop_task = tokio::spawn(async move {
        let mut n = 0u64;
        while !s2.load(std::sync::atomic::Ordering::Relaxed) {
            let r = survivor.simple_query("SELECT 1").await;
            if let Err(e) = r {
                return Err(format!("after {n} queries: {e}"));
            }
            n += 1;
        }
        Ok((n, survivor))
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pv),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (n, survivor) = loop_task
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("the survivor failed: {e}\n{}", srv.log()));
    assert!(n > 0);
    assert!(victim.simple_query("SELECT 1").await.is_err());
    // The victim's lock is gone (no wait) and its row was aborted.
    let t = Instant::now();
    assert_eq!(one(&survivor, "SELECT sum(v) FROM k").await, "1");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(
        one(
            &survivor,
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        )
        .await,
        "1"
    );
    // The survivor's carrier process is the same; a new one replaced the
    // victim's, and a new client is served.
    assert_eq!(carrier_process(&survivor).await, ps);
    let fresh = srv.connect().await;
    assert_eq!(one(&fresh, "SELECT count(*) FROM k").await, "1");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let procs = carrier_processes(&srv);
        if procs.len() == 2 && !procs.contains(&pv) && procs.contains(&ps) {
            break;
        }
        assert!(Instant::now() < deadline, "{procs:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = srv.log();
    assert!(
        log.contains(&format!(
            "carrier process (PID {pv}) was terminated by signal 9"
        )),
        "{log}"
    );
    assert!(
        log.contains("held no LWLock, buffer pin or critical section: its 1 sessions are ended"),
        "{log}"
    );
    assert!(!log.contains("reinitialized shared memory"), "{log}");
}

/// A carrier process that dies inside a commit's critical section (its
/// thread panics there, which aborts the process) may have left shared
/// memory half-changed: the postmaster does process mode's crash reset.
/// Every session ends, new carrier processes are forked, and the commit
/// whose record reached the WAL is kept by recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_process_dying_in_a_critical_section_resets_shared_memory() {
    let srv = TestServer::start_with(
        Mode::Pool,
        &[
            "--carrier-processes",
            "2",
            "--carriers",
            "1",
            "--debug-faults",
        ],
    );
    settle(&srv, 0).await;
    let victim = srv.connect().await;
    let bystander = srv.connect().await;
    let (pv, pb) = (
        carrier_process(&victim).await,
        carrier_process(&bystander).await,
    );
    assert_ne!(pv, pb);
    victim
        .batch_execute("CREATE TABLE crit (v int); SET pgfork.debug_fault = 'panic-in-critical'")
        .await
        .unwrap();
    assert!(victim
        .simple_query("INSERT INTO crit VALUES (1)")
        .await
        .is_err());
    // The bystander's session ends with the reset.
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Ok(Ok(_)) =
        tokio::time::timeout(Duration::from_secs(10), bystander.simple_query("SELECT 1")).await
    {
        assert!(Instant::now() < deadline, "{}", srv.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // New clients are served once recovery is over, by new processes.
    let deadline = Instant::now() + Duration::from_secs(60);
    let c = loop {
        if let Ok(c) = srv.try_connect().await {
            if c.simple_query("SELECT 1").await.is_ok() {
                break c;
            }
        }
        assert!(Instant::now() < deadline, "{}", srv.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(one(&c, "SELECT count(*) FROM crit WHERE v = 1").await, "1");
    let procs = carrier_processes(&srv);
    assert!(!procs.contains(&pv) && !procs.contains(&pb), "{procs:?}");
    let log = srv.log();
    assert!(
        log.contains(&format!("carrier process (PID {pv}) died holding")),
        "{log}"
    );
    assert!(log.contains("reinitialized shared memory"), "{log}");
}
