//! Long CPU loops stop at a cancel request and at statement_timeout, in
//! every mode: for each kind of loop a client can make long (a nested
//! loop, a hash join's build and probe, grouping, sorts, DISTINCT and set
//! operations, WITH RECURSIVE, generate_series in FROM and in the select
//! list, repeat/lpad/rpad building huge texts, array construction,
//! array_agg and string_agg), a query that would run for many seconds to
//! minutes (or until it filled the statement's memory budget; the sorts'
//! inputs are kept small enough to stay under it) ends with 57014 within
//! 10 s,
//! first by statement_timeout = 200ms, then by a cancel request sent
//! through tokio-postgres's cancel token, and the session goes on. The
//! bound is loose on purpose (the machine may be loaded); the checks
//! themselves run at least every millisecond of CPU (`interrupts::Ticker`,
//! `utils::sort`, whose unit tests stop a sort in its comparison phase).

use std::time::{Duration, Instant};

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(long_cpu_loops_stop_at_cancel_and_statement_timeout);

/// (kind of loop, a query that would run for minutes).
const LOOPS: &[(&str, &str)] = &[
    (
        "nested loop (cross join, few rows out)",
        "SELECT count(*) FROM generate_series(1, 20000) a, generate_series(1, 20000) b",
    ),
    (
        "hash join probe (one bucket of 20,000 rows per outer row)",
        "SELECT count(*) FROM generate_series(1, 20000) a JOIN generate_series(1, 20000) b \
         ON a % 2 = b % 2",
    ),
    (
        "hash join build",
        "SELECT count(*) FROM generate_series(1, 3) a \
         JOIN generate_series(1, 10000000000::int8) b ON a = b",
    ),
    (
        "grouping (GROUP BY over billions of rows)",
        "SELECT count(*) FROM (SELECT g % 1000, count(*) FROM generate_series(1, 10000000000::int8) g \
         GROUP BY 1) s",
    ),
    (
        "sort (2 million texts with a long common prefix)",
        "SELECT t FROM (SELECT repeat('x', 200) || (g * 7919 % 2000003) AS t \
         FROM generate_series(1, 2000000::int8) g) s ORDER BY t DESC LIMIT 1",
    ),
    (
        "ordered aggregate's sort",
        "SELECT (array_agg(g ORDER BY (g * 7919 % 3000017)::text DESC))[1] \
         FROM generate_series(1, 3000000::int8) g",
    ),
    (
        "DISTINCT",
        "SELECT count(*) FROM (SELECT DISTINCT g % 1000 FROM generate_series(1, 10000000000::int8) g) s",
    ),
    (
        "EXCEPT",
        "SELECT count(*) FROM (SELECT g % 1000 FROM generate_series(1, 10000000000::int8) g \
         EXCEPT SELECT 1) s",
    ),
    (
        "WITH RECURSIVE without end",
        "WITH RECURSIVE r(n) AS (SELECT 1::int8 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    ),
    (
        "generate_series in FROM",
        "SELECT count(*) FROM generate_series(1, 10000000000::int8)",
    ),
    (
        "generate_series in the select list",
        "SELECT count(*) FROM (SELECT generate_series(1, 10000000000::int8)) s",
    ),
    (
        "repeat over huge sizes",
        "SELECT sum(length(repeat('abc', 100000000))) FROM generate_series(1, 1000000)",
    ),
    (
        "lpad and rpad over huge sizes",
        "SELECT sum(length(lpad('x', 250000000, 'ab')) + length(rpad('y', 250000000))) \
         FROM generate_series(1, 1000000)",
    ),
    (
        "array construction (array_fill)",
        "SELECT sum(cardinality(array_fill(1, ARRAY[1000000]))) FROM generate_series(1, 1000000)",
    ),
    (
        "array_agg",
        "SELECT cardinality(array_agg(g % 10)) FROM generate_series(1, 10000000000::int8) g",
    ),
    (
        "string_agg",
        "SELECT length(string_agg('x', ',')) FROM generate_series(1, 10000000000::int8)",
    ),
];

/// What the query must end with, and within how long.
const BOUND: Duration = Duration::from_secs(10);

async fn long_cpu_loops_stop_at_cancel_and_statement_timeout(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;

    // statement_timeout.
    c.batch_execute("SET statement_timeout = '200ms'")
        .await
        .unwrap();
    for (kind, sql) in LOOPS {
        let t = Instant::now();
        let r = tokio::time::timeout(BOUND + Duration::from_secs(50), c.simple_query(sql)).await;
        let took = t.elapsed();
        let e = match r {
            Ok(Err(e)) => e,
            Ok(Ok(_)) => panic!("{mode:?}: {kind}: finished instead of timing out: {sql}"),
            Err(_) => panic!("{mode:?}: {kind}: still running after {took:?}: {sql}"),
        };
        assert_eq!(sqlstate(&e), "57014", "{mode:?}: {kind}: {}", message(&e));
        assert_eq!(
            message(&e),
            "canceling statement due to statement timeout",
            "{mode:?}: {kind}"
        );
        assert!(took < BOUND, "{mode:?}: {kind}: took {took:?}");
    }
    c.batch_execute("SET statement_timeout = 0").await.unwrap();

    // A cancel request through the driver, 300 ms into the query.
    let c = std::sync::Arc::new(c);
    for (kind, sql) in LOOPS {
        let token = c.cancel_token();
        let runner = c.clone();
        let t = Instant::now();
        let q = tokio::spawn(async move { runner.simple_query(sql).await });
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel_query(tokio_postgres::NoTls).await.unwrap();
        let r = tokio::time::timeout(BOUND + Duration::from_secs(50), q).await;
        let took = t.elapsed();
        let e = match r {
            Ok(Ok(Err(e))) => e,
            Ok(Ok(Ok(_))) => panic!("{mode:?}: {kind}: finished instead of being canceled: {sql}"),
            Ok(Err(j)) => panic!("{mode:?}: {kind}: {j}"),
            Err(_) => panic!("{mode:?}: {kind}: still running {took:?} after the cancel: {sql}"),
        };
        assert_eq!(sqlstate(&e), "57014", "{mode:?}: {kind}: {}", message(&e));
        assert_eq!(
            message(&e),
            "canceling statement due to user request",
            "{mode:?}: {kind}"
        );
        assert!(took < BOUND, "{mode:?}: {kind}: took {took:?}");
    }

    // The session and the server go on.
    let row = c.query_one("SELECT 41 + 1", &[]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);
}
