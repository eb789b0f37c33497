//! DDL commits and rolls back with its transaction, in every mode: CREATE,
//! DROP, ALTER and TRUNCATE undone by ROLLBACK and by ROLLBACK TO a
//! savepoint, relation files removed for a rolled-back CREATE and for a
//! committed DROP, uncommitted DDL invisible to other sessions (whose DDL
//! waits for it), and a kill -9 of the whole server settling a catalog
//! change by its transaction's outcome; the invalidation messages that
//! make other sessions rebuild their caches.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::durability::connect_retrying;
use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    ddl_rolls_back_and_commits,
    ddl_in_savepoints,
    uncommitted_ddl_is_private,
    truncate_in_a_block_rolls_back,
    kill_9_settles_catalog_changes,
    crash_in_the_commit_keeps_the_change,
    invalidations_reach_the_other_sessions,
);

async fn oid_of(c: &Client, name: &str) -> u32 {
    c.query_one("SELECT oid FROM pg_class WHERE relname = $1", &[&name])
        .await
        .unwrap()
        .get(0)
}

async fn names(c: &Client, like: &str) -> Vec<String> {
    c.query(
        "SELECT relname::text FROM pg_class \
         WHERE relnamespace = 'public'::regnamespace AND relname LIKE $1 ORDER BY 1",
        &[&like],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn file_exists(srv: &TestServer, oid: u32) -> bool {
    Path::new(&srv.data_dir())
        .join("base")
        .join(oid.to_string())
        .exists()
}

async fn ddl_rolls_back_and_commits(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'a'), (2, 'b')")
        .await
        .unwrap();

    // CREATE TABLE (with an index and rows) rolled back: gone, files too.
    c.batch_execute("BEGIN; CREATE TABLE gone (id int PRIMARY KEY); INSERT INTO gone VALUES (1)")
        .await
        .unwrap();
    let gone = oid_of(&c, "gone").await;
    let gone_pkey = oid_of(&c, "gone_pkey").await;
    assert!(file_exists(&srv, gone) && file_exists(&srv, gone_pkey));
    c.batch_execute("ROLLBACK").await.unwrap();
    let e = c.query("SELECT * FROM gone", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    assert!(
        !file_exists(&srv, gone),
        "a rolled-back CREATE left its file"
    );
    assert!(!file_exists(&srv, gone_pkey));

    // DROP TABLE, CREATE INDEX and a view rolled back: as before.
    let keep = oid_of(&c, "keep").await;
    c.batch_execute(
        "BEGIN; CREATE INDEX keep_v ON keep (v); CREATE VIEW keep_view AS SELECT id FROM keep; \
         DROP VIEW keep_view; DROP TABLE keep; ROLLBACK",
    )
    .await
    .unwrap();
    assert!(file_exists(&srv, keep));
    let n: i64 = c
        .query_one("SELECT count(*) FROM keep", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    assert_eq!(names(&c, "keep%").await, ["keep", "keep_pkey"]);

    // Committed: the index is there and used; a committed DROP removes
    // the table's files once the transaction commits.
    c.batch_execute("BEGIN; CREATE INDEX keep_v ON keep (v); COMMIT")
        .await
        .unwrap();
    assert_eq!(names(&c, "keep%").await, ["keep", "keep_pkey", "keep_v"]);
    let keep_v = oid_of(&c, "keep_v").await;
    c.batch_execute("BEGIN; DROP TABLE keep").await.unwrap();
    assert!(
        file_exists(&srv, keep),
        "DROP removed the file before COMMIT"
    );
    c.batch_execute("COMMIT").await.unwrap();
    assert!(!file_exists(&srv, keep) && !file_exists(&srv, keep_v));
    assert!(names(&c, "keep%").await.is_empty());

    // A failed statement aborts the block and its DDL with it.
    c.batch_execute("BEGIN; CREATE TABLE half (a int)")
        .await
        .unwrap();
    let half = oid_of(&c, "half").await;
    let e = c.batch_execute("SELECT 1/0").await.unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    c.batch_execute("ROLLBACK").await.unwrap();
    assert!(names(&c, "half").await.is_empty());
    assert!(!file_exists(&srv, half));

    // OIDs are not handed out twice, even after a rollback.
    c.batch_execute("CREATE TABLE after (a int)").await.unwrap();
    assert!(oid_of(&c, "after").await > half);
}

async fn ddl_in_savepoints(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "BEGIN; CREATE TABLE s1 (a int); SAVEPOINT p; CREATE TABLE s2 (a int); \
         CREATE INDEX s1_a ON s1 (a); SAVEPOINT q; DROP TABLE s1",
    )
    .await
    .unwrap();
    assert_eq!(names(&c, "s%").await, ["s2"]);
    let s2 = oid_of(&c, "s2").await;
    c.batch_execute("ROLLBACK TO q").await.unwrap();
    assert_eq!(names(&c, "s%").await, ["s1", "s1_a", "s2"]);
    c.batch_execute("ROLLBACK TO p").await.unwrap();
    assert_eq!(names(&c, "s%").await, ["s1"]);
    assert!(!file_exists(&srv, s2), "ROLLBACK TO left a file behind");
    // A failed statement after a savepoint: ROLLBACK TO keeps the rest.
    c.batch_execute("SAVEPOINT r; CREATE TABLE s3 (a int)")
        .await
        .unwrap();
    let e = c
        .batch_execute("CREATE TABLE s3 (a int)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P07");
    c.batch_execute("ROLLBACK TO r; RELEASE p; COMMIT")
        .await
        .unwrap();
    assert_eq!(names(&c, "s%").await, ["s1"]);
}

async fn uncommitted_ddl_is_private(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("BEGIN; CREATE TABLE mine (a int); INSERT INTO mine VALUES (7)")
        .await
        .unwrap();
    let e = b.query("SELECT * FROM mine", &[]).await.unwrap_err();
    assert_eq!(
        sqlstate(&e),
        "42P01",
        "uncommitted DDL seen by another session"
    );
    let locks: i64 = b
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'object' AND classid = 1259 \
             AND mode = 'ExclusiveLock' AND granted",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(locks, 1);
    // DDL of another transaction waits for the first one to end.
    let other = tokio::spawn(async move {
        let t = Instant::now();
        b.batch_execute("CREATE TABLE yours (a int)").await.unwrap();
        (b, t.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!other.is_finished(), "concurrent DDL did not wait");
    a.batch_execute("COMMIT").await.unwrap();
    let (b, waited) = other.await.unwrap();
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    let v: i32 = b.query_one("SELECT a FROM mine", &[]).await.unwrap().get(0);
    assert_eq!(v, 7);
    assert_eq!(names(&a, "yours").await, ["yours"]);
}

async fn truncate_in_a_block_rolls_back(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE tr (id int PRIMARY KEY, v int); \
         INSERT INTO tr SELECT g, g FROM generate_series(1, 500) g",
    )
    .await
    .unwrap();
    c.batch_execute("BEGIN; TRUNCATE tr").await.unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM tr", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    c.batch_execute("ROLLBACK").await.unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM tr WHERE id > 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 500);
    c.batch_execute("BEGIN; TRUNCATE tr; INSERT INTO tr VALUES (1, 1); COMMIT")
        .await
        .unwrap();
    let rows = c.query("SELECT id, v FROM tr", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
}

/// A change committed before the crash survives it; one in progress is
/// gone, with its files (removed at the start: no committed catalog names
/// them). The catalog is tuples of the database's catalog relation
/// (`base/<dboid>`), not a file beside it.
async fn kill_9_settles_catalog_changes(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let a = srv.connect().await;
    a.batch_execute("CREATE TABLE base (a int); INSERT INTO base VALUES (1)")
        .await
        .unwrap();
    a.batch_execute(
        "BEGIN; CREATE TABLE lost (a int PRIMARY KEY); INSERT INTO lost VALUES (1); DROP TABLE base",
    )
    .await
    .unwrap();
    let lost = oid_of(&a, "lost").await;
    let db: u32 = a
        .query_one(
            "SELECT oid FROM pg_database WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        file_exists(&srv, db),
        "no catalog relation for database {db}"
    );
    assert!(file_exists(&srv, 1262), "no shared catalog relation");
    assert!(!srv.data_dir().join("global/shared").exists());
    assert!(!srv.data_dir().join("database").exists());
    drop(a);
    srv.kill_9_all();
    srv.restart(&[]);
    let c = srv.connect().await;
    assert!(names(&c, "lost%").await.is_empty());
    assert!(
        !file_exists(&srv, lost),
        "an uncommitted CREATE's file survived"
    );
    let n: i64 = c
        .query_one("SELECT count(*) FROM base", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the uncommitted DROP was not undone");

    c.batch_execute("BEGIN; CREATE TABLE kept (a int); INSERT INTO kept VALUES (3); COMMIT")
        .await
        .unwrap();
    drop(c);
    srv.kill_9_all();
    srv.restart(&[]);
    let c = srv.connect().await;
    let v: i32 = c.query_one("SELECT a FROM kept", &[]).await.unwrap().get(0);
    assert_eq!(v, 3);
}

/// A crash after the commit record is durable and before the change's
/// end (the DROP's file removal) (`panic-in-critical`, which forces a crash-restart in
/// every mode): recovery finds the transaction committed, and so is its
/// catalog change.
async fn crash_in_the_commit_keeps_the_change(mode: Mode) {
    let srv = TestServer::start_with(mode, &["--debug-faults"]);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE before (a int)")
        .await
        .unwrap();
    let before = oid_of(&c, "before").await;
    let e = c
        .batch_execute(
            "BEGIN; CREATE TABLE during (a int); INSERT INTO during VALUES (5); DROP TABLE before; \
             SELECT pgfork_debug_fault('panic-in-critical'); COMMIT",
        )
        .await
        .unwrap_err();
    assert!(e.code().is_none() || sqlstate(&e) == "XX000", "{e:?}");
    drop(c);
    // The crash-restart: wait for a session that sees the recovered state.
    let deadline = Instant::now() + Duration::from_secs(30);
    let c = loop {
        let c = connect_retrying(&srv, Duration::from_secs(30)).await;
        match c.query_one("SELECT a FROM during", &[]).await {
            Ok(r) => {
                assert_eq!(r.get::<_, i32>(0), 5);
                break c;
            }
            Err(e) => assert!(
                Instant::now() < deadline,
                "the committed CREATE is missing after the crash: {e:?}\n{}",
                srv.log()
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let e = c.query("SELECT * FROM before", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    // The committed DROP's file, which the crash kept, went at the start.
    assert!(
        !file_exists(&srv, before),
        "a committed DROP's file survived"
    );
}

/// pgfork_stat_sinval's counters: (messages sent, messages read, cache
/// rebuilds, cache loads reused from another session of the process).
async fn sinval(c: &Client) -> (i64, i64, i64, i64) {
    let r = c
        .query_one(
            "SELECT messages_sent, messages_read, cache_rebuilds, cache_reuses \
             FROM pgfork_stat_sinval",
            &[],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// A committed change reaches the other sessions of its database through
/// the invalidation queue: the next statement of another session
/// rebuilds its cache and plans with the new index; a session of another
/// database reads the message and keeps its cache; an uncommitted or
/// rolled-back change sends nothing.
async fn invalidations_reach_the_other_sessions(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE inv (id int, v text);          INSERT INTO inv SELECT g, 'x' || g FROM generate_series(1, 2000) g;          ANALYZE inv; CREATE DATABASE other",
    )
    .await
    .unwrap();
    let b = srv.connect().await;
    let b2 = srv.connect().await;
    let o = srv.try_connect_as("tester", "other").await.unwrap();
    let plan = |rows: Vec<tokio_postgres::Row>| -> String {
        rows.iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let explain = "EXPLAIN SELECT v FROM inv WHERE id = 7";
    assert!(!plan(b.query(explain, &[]).await.unwrap()).contains("Index"));
    o.batch_execute("SELECT 1").await.unwrap();
    b2.batch_execute("SELECT 1").await.unwrap();

    // Uncommitted, then rolled back: no message.
    let before = sinval(&a).await;
    a.batch_execute("BEGIN; CREATE INDEX inv_id ON inv (id)")
        .await
        .unwrap();
    assert!(!plan(b.query(explain, &[]).await.unwrap()).contains("inv_id"));
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        sinval(&a).await.0,
        before.0,
        "a rolled-back change sent messages"
    );

    // Committed: one message (the database's catalog), read by b, which
    // rebuilds and uses the index at once.
    a.batch_execute("CREATE INDEX inv_id ON inv (id)")
        .await
        .unwrap();
    let after = sinval(&a).await;
    assert_eq!(after.0, before.0 + 1, "{before:?} -> {after:?}");
    let p = plan(b.query(explain, &[]).await.unwrap());
    assert!(
        p.contains("inv_id"),
        "the other session did not see the index:\n{p}"
    );
    let seen = sinval(&b).await;
    assert!(
        seen.1 > after.1 && seen.2 > after.2,
        "{after:?} -> {seen:?}"
    );

    // The session of the other database read it too, and did not rebuild.
    let rebuilds = sinval(&b).await.2;
    o.batch_execute("SELECT 1").await.unwrap();
    assert_eq!(
        sinval(&b).await.2,
        rebuilds,
        "a session of another database rebuilt"
    );

    // A second session of the database: in a server of one process
    // (thread, pool) it takes the catalog b loaded; a backend process
    // loads its own.
    let before = sinval(&b).await;
    b2.batch_execute("SELECT 1").await.unwrap();
    let after = sinval(&b).await;
    let expected = match mode {
        Mode::Thread | Mode::Pool => (before.2, before.3 + 1),
        _ => (before.2 + 1, before.3),
    };
    assert_eq!((after.2, after.3), expected, "{before:?} -> {after:?}");
}
