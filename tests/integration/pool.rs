//! Pool mode (`--mode pool`): sessions multiplexed on carrier threads.
//! Each session keeps its own settings and identity whichever carrier runs
//! it (two sessions interleaved on one carrier); a lock wait cannot starve
//! the pool (a blocked session's carrier does not count toward
//! --max-carriers) and a busy one makes it grow; cancel, termination,
//! idle_session_timeout and NOTIFY reach sessions that have no carrier;
//! the `queue` phase is measured; a parked session (whose I/O buffers are
//! given back while it has no carrier) comes back with all its state and
//! takes messages and results of any size.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::harness::{sqlstate, Mode, TestServer};

/// The one value `sql` returns, as text (simple protocol).
async fn one(c: &Client, sql: &str) -> String {
    let m = c.simple_query(sql).await.unwrap();
    match m.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
        _ => None,
    }) {
        Some(v) => v,
        None => panic!("no row for {sql}"),
    }
}

/// Two sessions with different TimeZone, search_path and
/// extra_float_digits take turns on one carrier: each sees its own, in
/// settings and in output, statement after statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_interleaved_on_one_carrier_keep_their_own_state() {
    let srv = TestServer::start_with(Mode::Pool, &["--carriers", "1", "--max-carriers", "1"]);
    let setup = srv.connect().await;
    setup
        .batch_execute(
            "CREATE SCHEMA sa; CREATE SCHEMA sb;
             CREATE TABLE sa.t (v text); INSERT INTO sa.t VALUES ('from sa');
             CREATE TABLE sb.t (v text); INSERT INTO sb.t VALUES ('from sb');",
        )
        .await
        .unwrap();
    drop(setup);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "SET TimeZone = 'America/New_York'; SET search_path = sa; SET extra_float_digits = 0",
    )
    .await
    .unwrap();
    b.batch_execute(
        "SET TimeZone = 'Asia/Tokyo'; SET search_path = sb; SET extra_float_digits = 3",
    )
    .await
    .unwrap();
    let pid_a = one(&a, "SELECT pg_backend_pid()::text").await;
    let pid_b = one(&b, "SELECT pg_backend_pid()::text").await;
    assert_ne!(pid_a, pid_b);
    let ts = "SELECT '2024-01-01 12:00:00+00'::timestamptz::text";
    let fl = "SELECT (0.1::float8 + 0.2::float8)::text";
    for round in 0..20 {
        // Alternate which session goes first, so that each follows the
        // other on the carrier.
        let (first, second) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        for c in [first, second] {
            let is_a = std::ptr::eq(c, &a);
            let (zone, tsv, flv, tv, pid) = if is_a {
                (
                    "America/New_York",
                    "2024-01-01 07:00:00-05",
                    "0.3",
                    "from sa",
                    &pid_a,
                )
            } else {
                (
                    "Asia/Tokyo",
                    "2024-01-01 21:00:00+09",
                    "0.30000000000000004",
                    "from sb",
                    &pid_b,
                )
            };
            assert_eq!(one(c, "SHOW TimeZone").await, zone, "round {round}");
            assert_eq!(one(c, ts).await, tsv, "round {round}");
            assert_eq!(one(c, fl).await, flv, "round {round}");
            assert_eq!(one(c, "SELECT v FROM t").await, tv, "round {round}");
            assert_eq!(
                &one(c, "SELECT pg_backend_pid()::text").await,
                pid,
                "round {round}"
            );
        }
    }
    // The extended protocol too: prepared statements live in the session.
    let sa = a.prepare("SELECT v FROM t WHERE v <> $1").await.unwrap();
    let sb = b.prepare("SELECT v FROM t WHERE v <> $1").await.unwrap();
    for _ in 0..5 {
        let r: String = b.query_one(&sb, &[&"x"]).await.unwrap().get(0);
        assert_eq!(r, "from sb");
        let r: String = a.query_one(&sa, &[&"x"]).await.unwrap().get(0);
        assert_eq!(r, "from sa");
    }
    // A new session on the same carrier starts from the defaults.
    let c = srv.connect().await;
    let zone = one(&c, "SHOW TimeZone").await;
    assert!(zone != "America/New_York" && zone != "Asia/Tokyo", "{zone}");
    assert_eq!(one(&c, "SHOW extra_float_digits").await, "1");
    assert_eq!(one(&c, "SHOW search_path").await, "\"$user\", public");
    assert_eq!(one(&c, "SHOW pgfork.mode").await, "pool");
}

/// With --carriers 1 --max-carriers 2: A holds a row lock in an open
/// transaction (keeping its carrier), B blocks on it (the second carrier),
/// C still runs SELECT 1 (a blocked carrier does not count), A commits
/// and B finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_wait_does_not_starve_the_pool() {
    let srv = TestServer::start_with(Mode::Pool, &["--carriers", "1", "--max-carriers", "2"]);
    let setup = srv.connect().await;
    setup
        .batch_execute("CREATE TABLE r (id int PRIMARY KEY, n int); INSERT INTO r VALUES (1, 0)")
        .await
        .unwrap();
    let a = srv.connect().await;
    let b = srv.connect().await;
    let c = srv.connect().await;
    a.batch_execute("BEGIN; UPDATE r SET n = n + 1 WHERE id = 1")
        .await
        .unwrap();
    let b_task = tokio::spawn(async move {
        b.execute("UPDATE r SET n = n + 10 WHERE id = 1", &[])
            .await
            .unwrap();
        b
    });
    // B waits for A's row lock.
    let start = Instant::now();
    loop {
        let waiting: i64 = setup
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "B never waited");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = tokio::time::timeout(Duration::from_secs(20), c.query_one("SELECT 1", &[]))
        .await
        .expect("C must run while A holds a carrier and B waits on another")
        .unwrap();
    assert_eq!(r.get::<_, i32>(0), 1);
    assert!(!b_task.is_finished());
    a.batch_execute("COMMIT").await.unwrap();
    let b = tokio::time::timeout(Duration::from_secs(20), b_task)
        .await
        .expect("B finishes once A commits")
        .unwrap();
    let n: i32 = b
        .query_one("SELECT n FROM r WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 11);
}

/// With --carriers 1 --max-carriers 2: while A's pg_sleep keeps the only
/// carrier busy, no carrier waits in the epoll set, so the I/O thread
/// must notice that B's query is readable and start a second carrier: B
/// answers while A still sleeps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_carrier_makes_the_pool_grow() {
    let srv = TestServer::start_with(Mode::Pool, &["--carriers", "1", "--max-carriers", "2"]);
    let a = srv.connect().await;
    let b = srv.connect().await;
    let a_task = tokio::spawn(async move { a.simple_query("SELECT pg_sleep(5)").await.unwrap() });
    // A is running (it holds the carrier) before B asks.
    let watcher = srv.connect().await;
    let start = Instant::now();
    while one(
        &watcher,
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'",
    )
    .await
        != "1"
    {
        assert!(start.elapsed() < Duration::from_secs(20), "A never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(one(&b, "SELECT 41 + 1").await, "42");
    assert!(!a_task.is_finished(), "B waited for A's carrier");
    a_task.await.unwrap();
}

/// A session without a carrier is reached: idle_session_timeout ends it
/// (57P05); a cancel by key stops a running pg_sleep whichever carrier
/// runs it; pg_stat_activity shows who has a carrier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_sessions_see_termination_timeouts_and_cancels() {
    let srv = TestServer::start_with(Mode::Pool, &["--carriers", "1"]);
    let admin = srv.connect().await;
    let idle = srv.connect().await;
    idle.batch_execute("SET idle_session_timeout = '300ms'")
        .await
        .unwrap();
    let start = Instant::now();
    while !idle.is_closed() {
        assert!(start.elapsed() < Duration::from_secs(10), "no idle timeout");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(srv
        .log()
        .contains("terminating connection due to idle-session timeout"));

    let sleeper = srv.connect().await;
    let token = sleeper.cancel_token();
    let t = tokio::spawn(async move { sleeper.simple_query("SELECT pg_sleep(30)").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel_query(tokio_postgres::NoTls).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(10), t)
        .await
        .expect("cancel ends pg_sleep")
        .unwrap()
        .unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
    let me = one(
        &admin,
        "SELECT pgfork_mode FROM pg_stat_activity WHERE pid = pg_backend_pid()",
    )
    .await;
    assert!(me.starts_with("pool: carrier "), "{me}");
    let other = srv.connect().await;
    let opid: i32 = other
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    // Parked once its ReadyForQuery is sent (the carrier may still be
    // putting it down).
    let start = Instant::now();
    loop {
        let parked: String = admin
            .query_one(
                "SELECT pgfork_mode FROM pg_stat_activity WHERE pid = $1",
                &[&opid],
            )
            .await
            .unwrap()
            .get(0);
        if parked == "pool: no carrier" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{parked}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Every session has its own row.
    let rows: i64 = admin
        .query_one(
            "SELECT count(DISTINCT pid) FROM pg_stat_activity WHERE backend_type = 'client backend'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(rows >= 2, "{rows}");
    let q: i64 = admin
        .query_one(
            "SELECT calls FROM pgfork_stat_latency WHERE phase = 'queue'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(q > 0, "queue phase measured: {q}");
}

/// Many sessions, few carriers: 50 clients each run 20 queries at once on
/// two carriers, and each sees its own results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_sessions_on_two_carriers() {
    let srv = TestServer::start_with(Mode::Pool, &["--carriers", "2"]);
    let mut tasks = Vec::new();
    for i in 0..50i32 {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            c.batch_execute(&format!("SET application_name = 'c{i}'"))
                .await
                .unwrap();
            for j in 0..20i32 {
                let r: i32 = c
                    .query_one("SELECT $1::int + $2::int", &[&i, &j])
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(r, i + j);
                let app: String = c
                    .query_one("SHOW application_name", &[])
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(app, format!("c{i}"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Waits until the session `pid` is parked (no carrier).
async fn wait_parked(admin: &Client, pid: i32) {
    let start = Instant::now();
    loop {
        let mode: String = admin
            .query_one(
                "SELECT pgfork_mode FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        if mode == "pool: no carrier" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not parked: {mode}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A session parked between statements keeps everything: its prepared
/// statements (protocol and SQL), a held cursor, settings, a temporary
/// table, LISTEN, and a current view of the catalog; and a 1 MB query
/// text and a 1 MB result pass after it was parked (its buffers were
/// released and are allocated again).
async fn a_parked_session_keeps_its_state(srv: TestServer) {
    let admin = srv.connect().await;
    let (s, mut conn) = tokio_postgres::connect(
        &format!(
            "host={} port={} user=tester dbname=testdb",
            srv.socket_dir().display(),
            srv.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    let inbox: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let sink = inbox.clone();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            match m {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    sink.lock().unwrap().push(n.payload().to_owned())
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let pid: i32 = s
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    s.batch_execute(
        "SET TimeZone = 'Asia/Tokyo'; SET extra_float_digits = 0;
         CREATE TEMP TABLE tt (n int); INSERT INTO tt SELECT generate_series(1, 10);
         PREPARE sq(int) AS SELECT count(*)::text FROM tt WHERE n <= $1;
         BEGIN; DECLARE held CURSOR WITH HOLD FOR SELECT n FROM tt ORDER BY n; COMMIT;
         LISTEN ch",
    )
    .await
    .unwrap();
    let stmt = s.prepare("SELECT $1::int * 2").await.unwrap();
    wait_parked(&admin, pid).await;

    // A 1 MB query text, then a 1 MB result, each after parking.
    let text = "x".repeat(1 << 20);
    let n: i32 = s
        .query_one(&format!("SELECT length('{text}')"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1 << 20);
    wait_parked(&admin, pid).await;
    let big: String = s
        .query_one("SELECT repeat('y', 1048576) || 'z'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(big.len(), (1 << 20) + 1);
    assert!(big.ends_with("yz"));
    wait_parked(&admin, pid).await;

    // A notification reaches the parked listener.
    admin
        .batch_execute("NOTIFY ch, 'while parked'")
        .await
        .unwrap();
    let start = Instant::now();
    while inbox.lock().unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10), "no notification");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*inbox.lock().unwrap(), vec!["while parked".to_owned()]);
    wait_parked(&admin, pid).await;

    // The catalog as changed by another session while it was parked.
    admin
        .batch_execute("CREATE TABLE made_while_parked (v text); INSERT INTO made_while_parked VALUES ('seen')")
        .await
        .unwrap();
    wait_parked(&admin, pid).await;
    assert_eq!(one(&s, "SELECT v FROM made_while_parked").await, "seen");
    wait_parked(&admin, pid).await;

    // Everything else it had.
    let r: i32 = s.query_one(&stmt, &[&21i32]).await.unwrap().get(0);
    assert_eq!(r, 42);
    wait_parked(&admin, pid).await;
    assert_eq!(one(&s, "EXECUTE sq(4)").await, "4");
    assert_eq!(one(&s, "FETCH 2 FROM held").await, "1");
    wait_parked(&admin, pid).await;
    assert_eq!(one(&s, "FETCH 1 FROM held").await, "3");
    assert_eq!(one(&s, "SHOW TimeZone").await, "Asia/Tokyo");
    assert_eq!(
        one(&s, "SELECT (0.1::float8 + 0.2::float8)::text").await,
        "0.3"
    );
    assert_eq!(one(&s, "SELECT sum(n)::text FROM tt").await, "55");
    assert_eq!(
        one(&s, "SELECT pg_backend_pid()::text").await,
        pid.to_string()
    );
    // And a large result still after all that, in the extended protocol.
    let rows = s
        .query("SELECT repeat('w', 4096) FROM generate_series(1, 512)", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 512);
    assert!(rows.iter().all(|r| r.get::<_, String>(0).len() == 4096));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_session_keeps_its_state_on_carrier_threads() {
    a_parked_session_keeps_its_state(TestServer::start_with(Mode::Pool, &["--carriers", "1"]))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_session_keeps_its_state_in_carrier_processes() {
    a_parked_session_keeps_its_state(TestServer::start_with(
        Mode::Pool,
        &["--carrier-processes", "2", "--carriers", "1"],
    ))
    .await;
}
