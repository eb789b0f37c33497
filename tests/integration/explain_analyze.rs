//! EXPLAIN ANALYZE in every mode: each node's actual rows and loops are
//! the real numbers (a filtered Seq Scan over a known table, an index
//! nested loop's inner scan run once per outer row, a LIMIT stopping its
//! input early, a node never run), times are well-formed, BUFFERS counts
//! the pages read, INSERT/UPDATE/DELETE really run (and a ROLLBACK undoes
//! them), and bad options fail as in PostgreSQL.

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    filtered_seq_scan_counts_rows,
    nested_loop_inner_loops_per_outer_row,
    limit_stops_its_input_early,
    analyze_runs_dml,
    buffers_and_options,
);

async fn explain(c: &tokio_postgres::Client, q: &str) -> Vec<String> {
    c.query(q, &[])
        .await
        .unwrap_or_else(|e| panic!("{q}: {e:?}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// t: 1000 rows, a = 1..1000 (primary key), b = a % 10; u: 50 rows.
async fn make_tables(c: &tokio_postgres::Client) {
    c.batch_execute(
        "create table t (a int primary key, b int, c text);
         insert into t select i, i % 10, 'x' || i from generate_series(1, 1000) i;
         create table u (a int, d int);
         insert into u select i, i * 2 from generate_series(1, 50) i;
         analyze t; analyze u;",
    )
    .await
    .unwrap();
}

/// The numbers of `(actual time=S..T rows=N loops=L)` in a line.
fn actual(line: &str) -> (f64, f64, u64, u64) {
    let a = line
        .split(" (actual time=")
        .nth(1)
        .unwrap_or_else(|| panic!("no actual time in {line:?}"));
    let a = a.trim_end_matches(')');
    let (times, rest) = a.split_once(" rows=").unwrap();
    let (s, t) = times.split_once("..").unwrap();
    let (rows, loops) = rest.split_once(" loops=").unwrap();
    (
        s.parse().unwrap(),
        t.parse().unwrap(),
        rows.parse().unwrap(),
        loops.parse().unwrap(),
    )
}

const QUIET: &str = "explain (analyze, costs off, timing off, summary off)";

async fn filtered_seq_scan_counts_rows(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    let plan = explain(&c, "explain analyze select * from t where b = 3").await;
    let text = plan.join("\n");
    assert_eq!(plan.len(), 5, "{text}");
    assert!(plan[0].starts_with("Seq Scan on t  (cost="), "{text}");
    let (start, total, rows, loops) = actual(&plan[0]);
    assert!(0.0 <= start && start <= total, "{text}");
    assert_eq!((rows, loops), (100, 1), "{text}");
    assert_eq!(plan[1], "  Filter: (b = 3)");
    assert_eq!(plan[2], "  Rows Removed by Filter: 900");
    for (line, label) in [
        (&plan[3], "Planning Time: "),
        (&plan[4], "Execution Time: "),
    ] {
        let ms = line
            .strip_prefix(label)
            .and_then(|l| l.strip_suffix(" ms"))
            .unwrap_or_else(|| panic!("{text}"));
        let ms: f64 = ms.parse().unwrap();
        assert!(ms >= 0.0 && ms.to_string().len() >= 3, "{text}");
    }
    // The statement's result is not sent: only the plan.
    let plan = explain(
        &c,
        &format!("{QUIET} select * from t where b = 3 and a > 500"),
    )
    .await;
    assert_eq!(
        plan,
        [
            "Index Scan using t_pkey on t (actual rows=50 loops=1)",
            "  Index Cond: (a > 500)",
            "  Filter: (b = 3)",
            "  Rows Removed by Filter: 450",
        ]
    );
    // TIMING OFF with SUMMARY on: no node times, both summary lines.
    let plan = explain(
        &c,
        "explain (analyze, costs off, timing off) select count(*) from t",
    )
    .await;
    assert_eq!(plan[0], "Aggregate (actual rows=1 loops=1)");
    assert_eq!(plan[1], "  ->  Seq Scan on t (actual rows=1000 loops=1)");
    assert!(plan[2].starts_with("Planning Time: "), "{plan:?}");
    assert!(plan[3].starts_with("Execution Time: "), "{plan:?}");
}

async fn nested_loop_inner_loops_per_outer_row(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    // u.d < 10: 4 outer rows, each with one match through t's index.
    let plan = explain(
        &c,
        &format!("{QUIET} select * from u join t on t.a = u.a where u.d < 10"),
    )
    .await;
    assert_eq!(
        plan,
        [
            "Nested Loop (actual rows=4 loops=1)",
            "  ->  Seq Scan on u (actual rows=4 loops=1)",
            "        Filter: (d < 10)",
            "        Rows Removed by Filter: 46",
            "  ->  Index Scan using t_pkey on t (actual rows=1 loops=4)",
            "        Index Cond: (a = a)",
        ]
    );
    // A LATERAL subquery runs once per outer row: 3 loops of 2 rows.
    let plan = explain(
        &c,
        &format!(
            "{QUIET} select * from u, lateral (select * from t where t.b = u.a limit 2) s \
             where u.a <= 3"
        ),
    )
    .await;
    let text = plan.join("\n");
    assert_eq!(plan[0], "Nested Loop (actual rows=6 loops=1)", "{text}");
    assert!(
        plan.iter()
            .any(|l| l.trim_start() == "->  Limit (actual rows=2 loops=3)"),
        "{text}"
    );
    // No outer row: the inner scan never runs.
    let plan = explain(
        &c,
        &format!("{QUIET} select * from u join t on t.a = u.a where u.d < 0"),
    )
    .await;
    let text = plan.join("\n");
    assert_eq!(plan[0], "Nested Loop (actual rows=0 loops=1)", "{text}");
    assert!(
        plan.contains(&"  ->  Index Scan using t_pkey on t (never executed)".to_string()),
        "{text}"
    );
    // With times: the inner scan's are per loop, within the join's.
    let plan = explain(
        &c,
        "explain (analyze, costs off) select * from u join t on t.a = u.a where u.d < 10",
    )
    .await;
    let (_, join_total, _, _) = actual(&plan[0]);
    let inner = plan.iter().find(|l| l.contains("Index Scan")).unwrap();
    let (s, t, rows, loops) = actual(inner);
    assert_eq!((rows, loops), (1, 4), "{plan:?}");
    assert!(s <= t && t * 4.0 <= join_total + 0.01, "{plan:?}");
}

async fn limit_stops_its_input_early(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    let plan = explain(&c, &format!("{QUIET} select * from t limit 5")).await;
    assert_eq!(
        plan,
        [
            "Limit (actual rows=5 loops=1)",
            "  ->  Seq Scan on t (actual rows=5 loops=1)",
        ]
    );
    // The filter stops at the fifth match: it removed 40 rows before.
    let plan = explain(&c, &format!("{QUIET} select * from t where b = 0 limit 5")).await;
    assert_eq!(
        plan,
        [
            "Limit (actual rows=5 loops=1)",
            "  ->  Seq Scan on t (actual rows=5 loops=1)",
            "        Filter: (b = 0)",
            "        Rows Removed by Filter: 45",
        ]
    );
    // A hash join's inner side is hashed once: its Hash node's rows.
    let plan = explain(
        &c,
        &format!("{QUIET} select * from t join u on t.b = u.a where u.d > 4"),
    )
    .await;
    assert_eq!(
        plan,
        [
            "Hash Join (actual rows=700 loops=1)",
            "  Hash Cond: (b = a)",
            "  ->  Seq Scan on t (actual rows=1000 loops=1)",
            "  ->  Hash (actual rows=48 loops=1)",
            "        ->  Seq Scan on u (actual rows=48 loops=1)",
            "              Filter: (d > 4)",
            "              Rows Removed by Filter: 2",
        ]
    );
}

async fn analyze_runs_dml(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    c.batch_execute("begin").await.unwrap();
    let plan = explain(
        &c,
        &format!("{QUIET} insert into u select i, 0 from generate_series(101, 110) i"),
    )
    .await;
    assert_eq!(
        plan,
        [
            "Insert on u (actual rows=0 loops=1)",
            "  ->  Function Scan on generate_series (actual rows=10 loops=1)",
        ],
    );
    let n: i64 = c
        .query_one("select count(*) from u", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 60);
    let plan = explain(&c, &format!("{QUIET} update u set d = 1 where a > 105")).await;
    assert_eq!(
        plan,
        [
            "Update on u (actual rows=0 loops=1)",
            "  ->  Seq Scan on u (actual rows=5 loops=1)",
            "        Filter: (a > 105)",
            "        Rows Removed by Filter: 55",
        ]
    );
    let plan = explain(
        &c,
        &format!("{QUIET} delete from u where a > 100 returning a"),
    )
    .await;
    assert_eq!(plan[0], "Delete on u (actual rows=10 loops=1)");
    c.batch_execute("rollback").await.unwrap();
    let r = c
        .query_one("select count(*), sum(d) from u", &[])
        .await
        .unwrap();
    assert_eq!((r.get::<_, i64>(0), r.get::<_, i64>(1)), (50, 2550));
    // Outside a block it commits, as PostgreSQL's.
    explain(&c, "explain analyze delete from u where a = 1").await;
    let n: i64 = c
        .query_one("select count(*) from u", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 49);
    // An error during the run fails the EXPLAIN.
    let e = c
        .query("explain analyze select 1 / (a - a) from t", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
}

async fn buffers_and_options(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    let plan = explain(
        &c,
        "explain (analyze, buffers, costs off, timing off, summary off) select count(*) from t",
    )
    .await;
    let text = plan.join("\n");
    // t's pages are all read, through the cache: the scan's buffers are
    // its parent's too.
    assert_eq!(plan[0], "Aggregate (actual rows=1 loops=1)", "{text}");
    let hits = |l: &str| -> u64 {
        let l = l.trim_start();
        assert!(l.starts_with("Buffers: shared "), "{text}");
        l.split(' ')
            .filter_map(|w| w.split_once('='))
            .map(|(_, n)| n.parse::<u64>().unwrap())
            .sum()
    };
    let (agg, scan) = (hits(&plan[1]), hits(&plan[3]));
    assert!(scan >= 5 && agg >= scan, "{text}");
    for (q, code) in [
        ("explain (timing) select 1", "22023"),
        ("explain (wal) select 1", "22023"),
        ("explain (format foo) select 1", "22023"),
        ("explain (nonsense) select 1", "42601"),
        ("explain (analyze maybe) select 1", "42601"),
    ] {
        let e = c.query(q, &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{q}");
    }
    // TIMING OFF without ANALYZE, and SUMMARY alone, are allowed.
    let plan = explain(&c, "explain (timing off, summary, costs off) select 1").await;
    assert_eq!(plan[0], "Result");
    assert!(plan[1].starts_with("Planning Time: "), "{plan:?}");
}
