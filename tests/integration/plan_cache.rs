//! The simple protocol's statement cache (backend/src/tcop/plancache.rs),
//! in every mode: a statement kept parsed and planned by one session
//! sees another session's DDL (a table dropped and created again with
//! other columns, a new index), and `pgfork_stat_plan_cache` shows its
//! hits, misses and invalidations.

use std::time::{Duration, Instant};

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    cached_statement_sees_other_sessions_ddl,
    plan_cache_size_zero_keeps_nothing
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
