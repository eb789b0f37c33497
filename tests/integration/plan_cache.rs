//! The simple protocol's statement cache (backend/src/tcop/plancache.rs),
//! in every mode: a statement kept parsed and planned by one session
//! sees another session's DDL (a table dropped and created again with
//! other columns, a new index), and `pgfork_stat_plan_cache` shows its
//! hits, misses and invalidations. Statements differing only in their
//! literals share one literal-normalized entry (`tcop/normalize.rs`,
//! `pgfork.plan_cache_literals`), through catalog changes and SET.

use std::time::{Duration, Instant};

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    cached_statement_sees_other_sessions_ddl,
    plan_cache_size_zero_keeps_nothing,
    literal_normalized_entry_is_shared,
    literal_normalized_caching_can_be_turned_off
);

/// Column names and rows (as text) of a simple query.
async fn simple(c: &Client, sql: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let mut cols = Vec::new();
    let mut rows = Vec::new();
    for m in c.simple_query(sql).await.unwrap() {
        match m {
            SimpleQueryMessage::RowDescription(d) => {
                cols = d.iter().map(|c| c.name().to_owned()).collect();
            }
            SimpleQueryMessage::Row(r) => {
                rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect());
            }
            _ => {}
        }
    }
    (cols, rows)
}

/// The server's summed counters: hits, misses, invalidations, entries.
async fn counters(c: &Client) -> (i64, i64, i64, i64) {
    let r = c
        .query_one(
            "SELECT sum(hits)::int8, sum(misses)::int8, sum(invalidations)::int8, \
             sum(entries)::int8 FROM pgfork_stat_plan_cache",
            &[],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// Index scans of table `t` so far.
async fn idx_scans(c: &Client) -> i64 {
    c.query_one(
        "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 't'",
        &[],
    )
    .await
    .unwrap()
    .get(0)
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

async fn cached_statement_sees_other_sessions_ddl(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE TABLE t (a int, b text); \
         INSERT INTO t SELECT g, 'row' || g FROM generate_series(1, 3) g",
    )
    .await
    .unwrap();
    const Q: &str = "SELECT * FROM t ORDER BY 1";
    let first = simple(&b, Q).await;
    assert_eq!(first.0, strs(&["a", "b"]));
    assert_eq!(first.1.len(), 3);
    let (h0, m0, _, e0) = counters(&a).await;
    assert!(m0 >= 1 && e0 >= 1, "the SELECT was not kept: {m0} {e0}");
    assert_eq!(simple(&b, Q).await, first);
    let (h1, ..) = counters(&a).await;
    assert!(h1 > h0, "the second run was no hit: {h0} -> {h1}");

    // Another session drops the table and creates it with other columns.
    a.batch_execute(
        "DROP TABLE t; CREATE TABLE t (x text, y int, z bool); \
         INSERT INTO t SELECT 'v' || g, g, g % 2 = 0 FROM generate_series(1, 2000) g",
    )
    .await
    .unwrap();
    let (_, _, inv0, _) = counters(&a).await;
    let again = simple(&b, Q).await;
    assert_eq!(again.0, strs(&["x", "y", "z"]));
    assert_eq!(again.1.len(), 2000);
    assert_eq!(
        again.1[0],
        vec![Some("v1".into()), Some("1".into()), Some("f".into())]
    );
    let (_, _, inv1, _) = counters(&a).await;
    assert!(inv1 > inv0, "no invalidation: {inv0} -> {inv1}");

    // A point query kept before an index exists uses it once created.
    const P: &str = "SELECT x FROM t WHERE y = 1234";
    for _ in 0..2 {
        assert_eq!(simple(&b, P).await.1, vec![vec![Some("v1234".to_owned())]]);
    }
    a.batch_execute("CREATE INDEX t_y ON t (y)").await.unwrap();
    let before = idx_scans(&a).await;
    for _ in 0..3 {
        assert_eq!(simple(&b, P).await.1, vec![vec![Some("v1234".to_owned())]]);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = idx_scans(&a).await;
        if now >= before + 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the kept statement does not use the new index: idx_scan {before} -> {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Dropped: the kept statement fails as an uncached one does.
    a.batch_execute("DROP TABLE t").await.unwrap();
    let e = b.simple_query(P).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

async fn plan_cache_size_zero_keeps_nothing(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE u (k int)").await.unwrap();
    b.batch_execute("SET pgfork.plan_cache_size = 0")
        .await
        .unwrap();
    for _ in 0..5 {
        simple(&b, "SELECT count(*) FROM u").await;
    }
    let (h, m, _, e) = counters(&a).await;
    assert_eq!((h, m, e), (0, 0, 0));
    // Back on: kept, then hit; DISCARD PLANS empties it.
    b.batch_execute("RESET pgfork.plan_cache_size")
        .await
        .unwrap();
    for _ in 0..3 {
        simple(&b, "SELECT count(*) FROM u").await;
    }
    let (h, m, _, e) = counters(&a).await;
    assert_eq!((h, m, e), (2, 1, 1));
    b.batch_execute("DISCARD PLANS").await.unwrap();
    let (.., e) = counters(&a).await;
    assert_eq!(e, 0);
}

/// One session's literal-normalized counters: normalized_hits,
/// normalized_custom, invalidations, entries.
async fn normalized(c: &Client, pid: i32) -> (i64, i64, i64, i64) {
    let r = c
        .query_one(
            "SELECT normalized_hits, normalized_custom, invalidations, entries \
             FROM pgfork_stat_plan_cache WHERE pid = $1",
            &[&pid],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

async fn pid_of(c: &Client) -> i32 {
    c.query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

fn one(v: &str) -> Vec<Vec<Option<String>>> {
    vec![vec![Some(v.to_owned())]]
}

async fn literal_normalized_entry_is_shared(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    let pid = pid_of(&b).await;
    a.batch_execute(
        "CREATE TABLE lt (k int PRIMARY KEY, v text, w int); \
         INSERT INTO lt SELECT g, 'v' || g, g % 10 FROM generate_series(1, 3000) g",
    )
    .await
    .unwrap();
    // The first literal plans the entry; the others hit it.
    for k in [17, 2500, 3, 999] {
        let r = simple(&b, &format!("SELECT v FROM lt WHERE k = {k}")).await;
        assert_eq!(r.0, strs(&["v"]));
        assert_eq!(r.1, one(&format!("v{k}")));
    }
    let (h0, ..) = normalized(&a, pid).await;
    assert_eq!(h0, 3, "three of four point selects should hit");
    // Another kind of literal (int8) is another entry; a string that
    // does not read as the parameter's type fails as without the cache.
    assert!(simple(&b, "SELECT v FROM lt WHERE k = 99999999999")
        .await
        .1
        .is_empty());
    let e = b
        .simple_query("SELECT v FROM lt WHERE k = 'x'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    assert_eq!(
        simple(&b, "SELECT v FROM lt WHERE k = '12'").await.1,
        one("v12")
    );
    assert_eq!(
        simple(&b, "SELECT v FROM lt WHERE k = '13'").await.1,
        one("v13")
    );
    let e = b
        .simple_query("SELECT v FROM lt WHERE k = 'y'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    let (h1, ..) = normalized(&a, pid).await;
    assert_eq!(h1, h0 + 1, "'13' should hit the entry '12' made");
    // A string literal's column is text, named as without the cache.
    for (lit, want) in [("'a'", "a"), ("'b'", "b")] {
        let r = simple(&b, &format!("SELECT {lit} AS x, 5 + 1 AS y")).await;
        assert_eq!(r.0, strs(&["x", "y"]));
        assert_eq!(r.1, vec![vec![Some(want.to_owned()), Some("6".to_owned())]]);
    }

    // Another session's ALTER TABLE invalidates it: the new column shows.
    assert_eq!(
        simple(&b, "SELECT * FROM lt WHERE k = 4").await.0,
        strs(&["k", "v", "w"])
    );
    a.batch_execute("ALTER TABLE lt ADD COLUMN z int DEFAULT 7")
        .await
        .unwrap();
    let (_, _, inv0, _) = normalized(&a, pid).await;
    let r = simple(&b, "SELECT * FROM lt WHERE k = 5").await;
    assert_eq!(r.0, strs(&["k", "v", "w", "z"]));
    assert_eq!(
        r.1,
        vec![vec![
            Some("5".into()),
            Some("v5".into()),
            Some("5".into()),
            Some("7".into())
        ]]
    );
    let (h2, _, inv1, _) = normalized(&a, pid).await;
    assert!(inv1 > inv0, "no invalidation: {inv0} -> {inv1}");
    assert_eq!(
        simple(&b, "SELECT * FROM lt WHERE k = 6").await.1[0][1],
        Some("v6".into())
    );
    assert_eq!(normalized(&a, pid).await.0, h2 + 1);

    // A new index is used by the statements of a kept key.
    const Q: &str = "SELECT count(*) FROM lt WHERE w = ";
    assert_eq!(simple(&b, &format!("{Q}3")).await.1, one("300"));
    assert_eq!(simple(&b, &format!("{Q}4")).await.1, one("300"));
    a.batch_execute("CREATE INDEX lt_w ON lt (w)")
        .await
        .unwrap();
    let before = lt_idx_scans(&a).await;
    for w in [5, 6, 7] {
        assert_eq!(simple(&b, &format!("{Q}{w}")).await.1, one("300"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while lt_idx_scans(&a).await < before + 3 {
        assert!(
            Instant::now() < deadline,
            "the normalized entry does not use the new index"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Dropped index, then a dropped column: planned again, still right.
    a.batch_execute("DROP INDEX lt_w").await.unwrap();
    assert_eq!(simple(&b, &format!("{Q}8")).await.1, one("300"));
    a.batch_execute("ALTER TABLE lt DROP COLUMN w")
        .await
        .unwrap();
    let e = b.simple_query(&format!("{Q}9")).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42703");

    // A SET invalidates; the results read the literal under the new
    // setting (a date in DMY order).
    a.batch_execute("CREATE TABLE ld (d date); INSERT INTO ld VALUES ('2024-02-03')")
        .await
        .unwrap();
    const D: &str = "SELECT count(*) FROM ld WHERE d = ";
    assert_eq!(simple(&b, &format!("{D}'2024-02-03'")).await.1, one("1"));
    assert_eq!(simple(&b, &format!("{D}'02/03/2024'")).await.1, one("1"));
    let (_, _, inv2, _) = normalized(&a, pid).await;
    b.batch_execute("SET DateStyle = 'ISO, DMY'").await.unwrap();
    assert_eq!(simple(&b, &format!("{D}'02/03/2024'")).await.1, one("0"));
    assert_eq!(simple(&b, &format!("{D}'03/02/2024'")).await.1, one("1"));
    let (_, _, inv3, _) = normalized(&a, pid).await;
    assert!(inv3 > inv2, "SET did not invalidate: {inv2} -> {inv3}");

    // A plan that reads the clock for its literal is never shared.
    const N: &str = "SELECT count(*) FROM ld WHERE d < ";
    let (_, c0, ..) = normalized(&a, pid).await;
    assert_eq!(simple(&b, &format!("{N}'tomorrow'")).await.1, one("1"));
    assert_eq!(simple(&b, &format!("{N}'2000-01-01'")).await.1, one("0"));
    let (_, c1, ..) = normalized(&a, pid).await;
    assert_eq!(c1, c0 + 1, "the second should be planned with its literal");
}

async fn lt_idx_scans(c: &Client) -> i64 {
    c.query_one(
        "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'lt'",
        &[],
    )
    .await
    .unwrap()
    .get(0)
}

async fn literal_normalized_caching_can_be_turned_off(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    let pid = pid_of(&b).await;
    a.batch_execute("CREATE TABLE lo (k int); INSERT INTO lo VALUES (1), (2)")
        .await
        .unwrap();
    b.batch_execute("SET pgfork.plan_cache_literals = off")
        .await
        .unwrap();
    for k in 1..=3 {
        simple(&b, &format!("SELECT k FROM lo WHERE k = {k}")).await;
    }
    let (h, _, _, e) = normalized(&a, pid).await;
    assert_eq!(h, 0);
    // Each text kept by itself (the exact-text cache).
    assert_eq!(e, 3);
    b.batch_execute("RESET pgfork.plan_cache_literals")
        .await
        .unwrap();
    for k in 4..=6 {
        simple(&b, &format!("SELECT k FROM lo WHERE k = {k}")).await;
    }
    let (h, ..) = normalized(&a, pid).await;
    assert_eq!(h, 2);
}
