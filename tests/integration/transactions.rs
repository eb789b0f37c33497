//! Transactions across sessions, in every mode: MVCC visibility, ROLLBACK
//! and savepoints, lost-update protection for concurrent writers,
//! REPEATABLE READ, row and table locks with deadlock detection and
//! timeouts, VACUUM, and pgbench's TPC-B-like script staying consistent.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use tokio_postgres::Client;

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    rollback_and_visibility,
    savepoints_and_failed_blocks,
    concurrent_increments_lose_nothing,
    repeatable_read_sees_one_snapshot,
    deadlock_is_detected,
    row_locks_and_timeouts,
    ddl_waits_for_open_transactions,
    vacuum_reclaims_dead_versions,
    random_transfers_keep_the_total,
    pgbench_tpcb_stays_consistent,
    idle_timeouts,
    concurrent_upserts_and_vacuum,
    lock_table,
    index_built_over_hot_chains,
    transaction_ids_and_status,
    commit_and_chain_keeps_isolation,
);

async fn count(c: &Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

async fn rollback_and_visibility(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10)")
        .await
        .unwrap();
    // A writer's changes stay invisible to others until it commits.
    a.batch_execute("BEGIN; INSERT INTO t VALUES (2, 20); UPDATE t SET v = 11 WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(count(&a, "SELECT count(*) FROM t").await, 2);
    assert_eq!(count(&b, "SELECT count(*) FROM t").await, 1);
    let v: i32 = b
        .query_one("SELECT v FROM t WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 10);
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&b, "SELECT count(*) FROM t").await, 2);
    // ROLLBACK undoes inserts, updates and deletes.
    a.batch_execute(
        "BEGIN; INSERT INTO t VALUES (3, 30); UPDATE t SET v = 0; DELETE FROM t WHERE id = 2; ROLLBACK",
    )
    .await
    .unwrap();
    let rows = a
        .query("SELECT id, v FROM t ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![(1, 11), (2, 20)]);
    // A failing statement leaves nothing behind, even half-way through.
    let e = a
        .batch_execute("INSERT INTO t VALUES (5, 50), (6, 60), (1, 0)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    assert_eq!(count(&a, "SELECT count(*) FROM t").await, 2);
    // A statement does not see its own changes (no endless self-insert).
    a.batch_execute("INSERT INTO t SELECT id + 100, v FROM t")
        .await
        .unwrap();
    assert_eq!(count(&a, "SELECT count(*) FROM t").await, 4);
}

async fn savepoints_and_failed_blocks(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE s (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute(
        "BEGIN; INSERT INTO s VALUES (1); SAVEPOINT a; INSERT INTO s VALUES (2); \
         SAVEPOINT b; INSERT INTO s VALUES (3); ROLLBACK TO b; INSERT INTO s VALUES (4); \
         RELEASE a; COMMIT",
    )
    .await
    .unwrap();
    let ids: Vec<i32> = c
        .query("SELECT id FROM s ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1, 2, 4]);
    // An error puts the block in the failed state until ROLLBACK.
    c.batch_execute("BEGIN; INSERT INTO s VALUES (10)")
        .await
        .unwrap();
    let e = c
        .batch_execute("INSERT INTO s VALUES (1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let e = c.batch_execute("SELECT 1").await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(count(&c, "SELECT count(*) FROM s").await, 3);
    // ROLLBACK TO a savepoint recovers a failed block, keeping earlier work.
    c.batch_execute("BEGIN; INSERT INTO s VALUES (20); SAVEPOINT p")
        .await
        .unwrap();
    assert!(c.batch_execute("INSERT INTO s VALUES (20)").await.is_err());
    c.batch_execute("ROLLBACK TO p; INSERT INTO s VALUES (21); COMMIT")
        .await
        .unwrap();
    assert_eq!(
        count(&c, "SELECT count(*) FROM s WHERE id IN (20, 21)").await,
        2
    );
}

async fn concurrent_increments_lose_nothing(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE counter (id int PRIMARY KEY, n int); INSERT INTO counter VALUES (1, 0)",
    )
    .await
    .unwrap();
    let (sessions, each) = (8, 60);
    let mut tasks = Vec::new();
    for _ in 0..sessions {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..each {
                if i % 2 == 0 {
                    c.batch_execute("UPDATE counter SET n = n + 1 WHERE id = 1")
                        .await
                        .unwrap();
                } else {
                    c.batch_execute("BEGIN; UPDATE counter SET n = n + 1 WHERE id = 1; COMMIT")
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n: i32 = c
        .query_one("SELECT n FROM counter WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, sessions * each);
}

async fn repeatable_read_sees_one_snapshot(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE r (id int PRIMARY KEY, v int); INSERT INTO r VALUES (1, 1), (2, 2)",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .await
        .unwrap();
    assert_eq!(count(&a, "SELECT sum(v)::int8 FROM r").await, 3);
    b.batch_execute("UPDATE r SET v = 10 WHERE id = 1; INSERT INTO r VALUES (3, 3)")
        .await
        .unwrap();
    // Still the first snapshot.
    assert_eq!(count(&a, "SELECT sum(v)::int8 FROM r").await, 3);
    // Changing a row updated since the snapshot fails.
    let e = a
        .batch_execute("UPDATE r SET v = v + 1 WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "40001");
    a.batch_execute("ROLLBACK").await.unwrap();
    // READ COMMITTED sees each statement's latest data.
    a.batch_execute("BEGIN").await.unwrap();
    assert_eq!(count(&a, "SELECT sum(v)::int8 FROM r").await, 15);
    b.batch_execute("UPDATE r SET v = 0 WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(count(&a, "SELECT sum(v)::int8 FROM r").await, 12);
    a.batch_execute("COMMIT").await.unwrap();
    // SET TRANSACTION after the first query is refused.
    a.batch_execute("BEGIN; SELECT 1").await.unwrap();
    let e = a
        .batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "25001");
    a.batch_execute("ROLLBACK").await.unwrap();
}

async fn deadlock_is_detected(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE d (id int PRIMARY KEY, v int); INSERT INTO d VALUES (1, 0), (2, 0)",
    )
    .await
    .unwrap();
    for c in [&a, &b] {
        c.batch_execute("SET deadlock_timeout = '100ms'")
            .await
            .unwrap();
    }
    a.batch_execute("BEGIN; UPDATE d SET v = 1 WHERE id = 1")
        .await
        .unwrap();
    b.batch_execute("BEGIN; UPDATE d SET v = 2 WHERE id = 2")
        .await
        .unwrap();
    let a2 = tokio::spawn(async move {
        let r = a.batch_execute("UPDATE d SET v = 1 WHERE id = 2").await;
        (a, r)
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let rb = b.batch_execute("UPDATE d SET v = 2 WHERE id = 1").await;
    let (a, ra) = a2.await.unwrap();
    // Exactly one of them is chosen as the victim.
    let failed: Vec<String> = [&ra, &rb]
        .iter()
        .filter_map(|r| r.as_ref().err().map(sqlstate))
        .collect();
    assert_eq!(failed, vec!["40P01".to_string()], "{ra:?} {rb:?}");
    let msg = [&ra, &rb]
        .iter()
        .find_map(|r| r.as_ref().err())
        .and_then(|e| e.as_db_error())
        .and_then(|d| d.detail().map(str::to_owned))
        .unwrap_or_default();
    assert!(msg.contains("waits for ShareLock on transaction"), "{msg}");
    a.batch_execute("ROLLBACK").await.unwrap();
    b.batch_execute("ROLLBACK").await.unwrap();
}

async fn row_locks_and_timeouts(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE q (id int PRIMARY KEY, v int); INSERT INTO q VALUES (1, 0), (2, 0)",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN").await.unwrap();
    let rows = a
        .query("SELECT id, v FROM q WHERE id = 1 FOR UPDATE", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    // NOWAIT fails at once; lock_timeout gives up; other rows are free.
    let e = b
        .batch_execute("SELECT * FROM q WHERE id = 1 FOR UPDATE NOWAIT")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03");
    b.batch_execute("SET lock_timeout = '150ms'").await.unwrap();
    let t = Instant::now();
    let e = b
        .batch_execute("UPDATE q SET v = 5 WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03");
    assert!(t.elapsed() >= Duration::from_millis(100));
    b.batch_execute("UPDATE q SET v = 5 WHERE id = 2")
        .await
        .unwrap();
    b.batch_execute("SET lock_timeout = 0; SET statement_timeout = '150ms'")
        .await
        .unwrap();
    let e = b
        .batch_execute("DELETE FROM q WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
    let e = b.batch_execute("SELECT pg_sleep(5)").await.unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
    b.batch_execute("SET statement_timeout = 0").await.unwrap();
    // A waiting writer proceeds once the lock holder commits, and sees
    // the committed row.
    let waiter = tokio::spawn(async move {
        b.batch_execute("UPDATE q SET v = v + 1 WHERE id = 1")
            .await
            .unwrap();
        b
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The wait is visible in pg_locks and pg_stat_activity.
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
        )
        .await,
        1
    );
    let ev: String = a
        .query_one(
            "SELECT wait_event FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(ev, "transactionid");
    a.batch_execute("UPDATE q SET v = 100 WHERE id = 1; COMMIT")
        .await
        .unwrap();
    let _b = waiter.await.unwrap();
    let v: i32 = a
        .query_one("SELECT v FROM q WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 101);
    // The waits show in the instrumentation: time waiting for heavyweight
    // locks per query, and transaction waits with their wake-up latency.
    let r = a
        .query_one(
            "SELECT calls, max_us FROM pgfork_stat_latency WHERE phase = 'lmgr_wait'",
            &[],
        )
        .await
        .unwrap();
    assert!(r.get::<_, i64>(0) > 0);
    assert!(r.get::<_, f64>(1) >= 50_000.0, "{:?}", r.get::<_, f64>(1));
    let r = a
        .query_one(
            "SELECT sum(xact_waits)::int8, sum(xact_wakeup_ns)::int8 FROM pgfork_stat_buffercache",
            &[],
        )
        .await
        .unwrap();
    assert!(r.get::<_, i64>(0) >= 1);
    assert!(r.get::<_, i64>(1) > 0);
}

async fn ddl_waits_for_open_transactions(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE w (id int); INSERT INTO w VALUES (1)")
        .await
        .unwrap();
    a.batch_execute("BEGIN; SELECT * FROM w").await.unwrap();
    let dropper = tokio::spawn(async move {
        let t = Instant::now();
        b.batch_execute("DROP TABLE w").await.unwrap();
        t.elapsed()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The reader still reads its table while DROP waits.
    assert_eq!(count(&a, "SELECT count(*) FROM w").await, 1);
    a.batch_execute("COMMIT").await.unwrap();
    let waited = dropper.await.unwrap();
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    let e = a.batch_execute("SELECT * FROM w").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

async fn vacuum_reclaims_dead_versions(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE v (id int PRIMARY KEY, k int, pad text); CREATE INDEX v_k ON v (k); \
         INSERT INTO v SELECT g, g, repeat('x', 100) FROM generate_series(1, 2000) g",
    )
    .await
    .unwrap();
    // Updates of an indexed column are not HOT: they leave dead versions
    // and index entries behind until VACUUM.
    for _ in 0..5 {
        c.batch_execute("UPDATE v SET k = k + 1").await.unwrap();
    }
    c.batch_execute("DELETE FROM v WHERE id > 1000")
        .await
        .unwrap();
    c.batch_execute("VACUUM v").await.unwrap();
    let r = c
        .query_one(
            "SELECT n_live_tup, n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = 'v'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i64>(0), 1000);
    assert_eq!(r.get::<_, i64>(1), 0);
    assert_eq!(r.get::<_, i64>(2), 1);
    // The table stops growing: later updates reuse the freed space.
    let size = "SELECT pg_relation_size('v')";
    let before = count(&c, size).await;
    for _ in 0..5 {
        c.batch_execute("UPDATE v SET k = k + 1").await.unwrap();
        c.batch_execute("VACUUM v").await.unwrap();
    }
    assert_eq!(count(&c, size).await, before);
    assert_eq!(
        count(&c, "SELECT count(*) FROM v WHERE k = id + 10").await,
        1000
    );
    // HOT updates of an unindexed column prune as they go, without VACUUM.
    c.batch_execute("CREATE TABLE h (id int PRIMARY KEY, n int); INSERT INTO h VALUES (1, 0)")
        .await
        .unwrap();
    for _ in 0..2000 {
        c.batch_execute("UPDATE h SET n = n + 1 WHERE id = 1")
            .await
            .unwrap();
    }
    let r = c
        .query_one("SELECT n, pg_relation_size('h') FROM h", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, i32>(0), 2000);
    assert_eq!(r.get::<_, i64>(1), 8192);
    // Pruning tells the statistics: the dead versions it removed are not
    // counted as dead any more.
    let r = c
        .query_one(
            "SELECT n_tup_hot_upd, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'h'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i64>(0), 2000);
    assert!(
        r.get::<_, i64>(1) < 500,
        "n_dead_tup {}",
        r.get::<_, i64>(1)
    );
    let e = c.batch_execute("BEGIN; VACUUM v").await.unwrap_err();
    assert_eq!(sqlstate(&e), "25001");
}

/// Sessions move money between accounts at random, some transactions
/// aborting on purpose; the total never changes.
async fn random_transfers_keep_the_total(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL); \
         INSERT INTO acct SELECT g, 1000 FROM generate_series(1, 20) g",
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for s in 0..6u64 {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(s);
            c.batch_execute("SET deadlock_timeout = '50ms'")
                .await
                .unwrap();
            let mut committed = 0;
            for _ in 0..40 {
                let (from, to) = (rng.gen_range(1..=20), rng.gen_range(1..=20));
                let amount = rng.gen_range(1..50);
                let abort = rng.gen_bool(0.25);
                let sql = format!(
                    "BEGIN; UPDATE acct SET bal = bal - {amount} WHERE id = {from}; \
                     UPDATE acct SET bal = bal + {amount} WHERE id = {to}; {}",
                    if abort { "ROLLBACK" } else { "COMMIT" }
                );
                match c.batch_execute(&sql).await {
                    Ok(()) => committed += u32::from(!abort),
                    Err(e) => {
                        // Transfers in opposite directions may deadlock.
                        assert_eq!(sqlstate(&e), "40P01", "{e}");
                        c.batch_execute("ROLLBACK").await.unwrap();
                    }
                }
            }
            committed
        }));
    }
    let mut committed = 0;
    for t in tasks {
        committed += t.await.unwrap();
    }
    assert!(committed > 50, "only {committed} transfers committed");
    assert_eq!(count(&c, "SELECT sum(bal)::int8 FROM acct").await, 20_000);
}

/// Sums of the pgbench tables: accounts, branches, tellers, history
/// deltas, history rows.
async fn pgbench_sums(c: &Client) -> (i64, i64, i64, i64, i64) {
    let r = c
        .query_one(
            "SELECT (SELECT sum(abalance) FROM pgbench_accounts), \
                    (SELECT sum(bbalance) FROM pgbench_branches), \
                    (SELECT sum(tbalance) FROM pgbench_tellers), \
                    (SELECT sum(delta) FROM pgbench_history), \
                    (SELECT count(*) FROM pgbench_history)",
            &[],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))
}

/// Runs pgbench for `secs` with 8 clients; the transactions it reports.
fn pgbench_run(srv: &TestServer, protocol: &str, script: Option<&str>, secs: &str) -> i64 {
    let mut args = vec!["-n", "-c", "8", "-j", "2", "-T", secs, "-M", protocol];
    args.extend(script);
    let text = srv.pgbench(&args);
    assert!(text.contains("number of failed transactions: 0"), "{text}");
    text.lines()
        .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
        .and_then(|v| v.split('/').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{text}"))
}

/// After 8-client TPC-B-like runs (each protocol), the balances agree
/// with the history, which has one row per transaction pgbench reports;
/// simple-update and select-only run too.
async fn pgbench_tpcb_stays_consistent(mode: Mode) {
    let srv = TestServer::start(mode);
    srv.pgbench(&["-i", "-s", "1", "-q"]);
    let c = srv.connect().await;
    let mut total = 0;
    for protocol in ["simple", "extended", "prepared"] {
        let n = pgbench_run(&srv, protocol, None, "2");
        assert!(n > 0);
        total += n;
    }
    let (a, b, t, d, h) = pgbench_sums(&c).await;
    assert_eq!((a, b, t, h), (d, d, d, total));
    // simple-update (-N) changes only accounts and history.
    total += pgbench_run(&srv, "extended", Some("-N"), "2");
    let (a, b2, t2, d, h) = pgbench_sums(&c).await;
    assert_eq!((a, b2, t2, h), (d, b, t, total));
    for protocol in ["simple", "extended", "prepared"] {
        let text = srv.pgbench(&["-n", "-S", "-c", "4", "-t", "100", "-M", protocol]);
        assert!(text.contains("processed: 400/400"), "{text}");
    }
}

/// idle_in_transaction_session_timeout ends a session left idle inside a
/// transaction (FATAL 25P03), releasing its locks; idle_session_timeout
/// does the same outside one (57P05).
async fn idle_timeouts(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE it (id int PRIMARY KEY, v int); INSERT INTO it VALUES (1, 0)")
        .await
        .unwrap();
    a.batch_execute(
        "SET idle_in_transaction_session_timeout = '200ms'; BEGIN; UPDATE it SET v = 1 WHERE id = 1",
    )
    .await
    .unwrap();
    // b waits for a's row until a's session is ended for idling.
    let t = Instant::now();
    b.batch_execute("UPDATE it SET v = v + 10 WHERE id = 1")
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));
    let e = a.batch_execute("SELECT 1").await.unwrap_err();
    assert!(
        e.as_db_error().map(|d| d.code().code()) == Some("25P03") || e.is_closed(),
        "{e}"
    );
    assert_eq!(count(&b, "SELECT v::int8 FROM it").await, 10);
    b.batch_execute("SET idle_session_timeout = '100ms'")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(b.batch_execute("SELECT 1").await.is_err());
}

/// Concurrent upserts on a few keys count every statement once; plain
/// inserts of one key from many sessions let exactly one win; VACUUM runs
/// alongside without losing anything.
async fn concurrent_upserts_and_vacuum(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE u (id int PRIMARY KEY, n int NOT NULL); CREATE TABLE once (id int PRIMARY KEY)")
        .await
        .unwrap();
    let (sessions, each) = (6, 50);
    let mut tasks = Vec::new();
    for s in 0..sessions {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            let mut won = 0;
            for i in 0..each {
                let key = (s + i) % 3;
                c.batch_execute(&format!(
                    "INSERT INTO u VALUES ({key}, 1) ON CONFLICT (id) DO UPDATE SET n = u.n + 1"
                ))
                .await
                .unwrap();
                match c
                    .batch_execute(&format!("INSERT INTO once VALUES ({i})"))
                    .await
                {
                    Ok(()) => won += 1,
                    Err(e) => assert_eq!(sqlstate(&e), "23505", "{e}"),
                }
            }
            won
        }));
    }
    let vac = {
        let c = srv.connect().await;
        tokio::spawn(async move {
            for _ in 0..10 {
                c.batch_execute("VACUUM u").await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let mut won = 0;
    for t in tasks {
        won += t.await.unwrap();
    }
    vac.await.unwrap();
    assert_eq!(won, each);
    assert_eq!(count(&c, "SELECT count(*) FROM once").await, each as i64);
    assert_eq!(
        count(&c, "SELECT sum(n)::int8 FROM u").await,
        (sessions * each) as i64
    );
    assert_eq!(count(&c, "SELECT count(*) FROM u").await, 3);
}

/// LOCK TABLE takes a table lock until the block ends: writers wait,
/// NOWAIT fails with 55P03, and outside a block it is refused (25P01).
async fn lock_table(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE lt (id int)").await.unwrap();
    let e = a.batch_execute("LOCK TABLE lt").await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P01");
    a.batch_execute("BEGIN; LOCK TABLE lt IN SHARE MODE")
        .await
        .unwrap();
    assert_eq!(
        count(
            &b,
            "SELECT count(*) FROM pg_locks WHERE mode = 'ShareLock' AND granted AND relation = 'lt'::regclass"
        )
        .await,
        1
    );
    // Readers go on; a writer waits until the lock holder commits.
    assert_eq!(count(&b, "SELECT count(*) FROM lt").await, 0);
    let e = b
        .batch_execute("BEGIN; LOCK TABLE lt IN ROW EXCLUSIVE MODE NOWAIT")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03");
    b.batch_execute("ROLLBACK").await.unwrap();
    let writer = tokio::spawn(async move {
        b.batch_execute("INSERT INTO lt VALUES (1)").await.unwrap();
        b
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !writer.is_finished(),
        "the insert did not wait for the lock"
    );
    a.batch_execute("COMMIT").await.unwrap();
    let _b = writer.await.unwrap();
    assert_eq!(count(&a, "SELECT count(*) FROM lt").await, 1);
}

/// An index built over HOT chains while an older snapshot still sees an
/// earlier version: index scans never return a version whose key does
/// not match (PostgreSQL keeps such snapshots off the new index).
async fn index_built_over_hot_chains(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE hc (id int PRIMARY KEY, k int); INSERT INTO hc VALUES (1, 1)")
        .await
        .unwrap();
    a.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM hc")
        .await
        .unwrap();
    // A HOT update (k is not indexed yet), then an index on k.
    b.batch_execute("UPDATE hc SET k = 2 WHERE id = 1; CREATE INDEX hc_k ON hc (k)")
        .await
        .unwrap();
    let plan: String = b
        .query("EXPLAIN (COSTS OFF) SELECT id FROM hc WHERE k = 2", &[])
        .await
        .unwrap()[0]
        .get(0);
    assert!(plan.starts_with("Index Scan using hc_k"), "{plan}");
    assert_eq!(count(&b, "SELECT count(*) FROM hc WHERE k = 2").await, 1);
    // The old snapshot sees k = 1: no row has k = 2 for it.
    assert_eq!(count(&a, "SELECT count(*) FROM hc WHERE k = 2").await, 0);
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&a, "SELECT count(*) FROM hc WHERE k = 2").await, 1);
}

/// Transaction ids as SQL sees them: txid_current() assigns one,
/// pg_xact_status() follows it through commit and abort, and another
/// session's snapshot lists it while it runs.
async fn transaction_ids_and_status(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("BEGIN").await.unwrap();
    let none: Option<i64> = a
        .query_one("SELECT txid_current_if_assigned()", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(none, None);
    let x: i64 = a
        .query_one("SELECT txid_current()", &[])
        .await
        .unwrap()
        .get(0);
    let again: i64 = a
        .query_one("SELECT pg_current_xact_id()", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(x, again);
    assert_eq!(xact_status(&b, x).await, "in progress");
    let snap: String = b
        .query_one("SELECT txid_current_snapshot()", &[])
        .await
        .unwrap()
        .get(0);
    // xmin:xmax:xip — x counts as running: listed, or at or past xmax.
    let parts: Vec<&str> = snap.split(':').collect();
    let xmax: i64 = parts[1].parse().unwrap();
    assert!(
        x >= xmax || parts[2].split(',').any(|v| v == x.to_string()),
        "{snap} vs {x}"
    );
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(xact_status(&b, x).await, "committed");
    a.batch_execute("BEGIN").await.unwrap();
    let y: i64 = a
        .query_one("SELECT txid_current()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(y > x);
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(xact_status(&b, y).await, "aborted");
    let e = b
        .batch_execute("SELECT pg_xact_status(4000000000)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22023");
}

/// pg_xact_status(x) as another session sees it.
async fn xact_status(c: &Client, x: i64) -> String {
    c.query_one(&format!("SELECT pg_xact_status({x})"), &[])
        .await
        .unwrap()
        .get(0)
}

/// COMMIT AND CHAIN starts the next transaction with the same isolation
/// level, and that transaction takes its own snapshot.
async fn commit_and_chain_keeps_isolation(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE ch (v int); INSERT INTO ch VALUES (1)")
        .await
        .unwrap();
    a.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM ch; COMMIT AND CHAIN")
        .await
        .unwrap();
    let iso: String = a
        .query_one("SHOW transaction_isolation", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(iso, "repeatable read");
    assert_eq!(count(&a, "SELECT count(*) FROM ch").await, 1);
    b.batch_execute("INSERT INTO ch VALUES (2)").await.unwrap();
    // Still the chained transaction's snapshot.
    assert_eq!(count(&a, "SELECT count(*) FROM ch").await, 1);
    a.batch_execute("ROLLBACK AND CHAIN").await.unwrap();
    assert_eq!(count(&a, "SELECT count(*) FROM ch").await, 2);
    a.batch_execute("COMMIT").await.unwrap();
    let iso: String = a
        .query_one("SHOW transaction_isolation", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(iso, "read committed");
}
