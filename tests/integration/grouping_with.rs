//! Grouping sets and data-modifying WITH through the server, in every
//! mode: EXPLAIN shows one Group Key per grouping set and a WITH
//! query's ModifyTable; over the extended protocol a data-modifying WITH
//! query runs to completion even when the portal is read one row at a
//! time and closed early, and a prepared one runs on every execution.

use crate::harness::{Mode, TestServer};

in_all_modes!(
    explain_grouping_sets_and_modifying_with,
    modifying_with_over_extended_protocol,
);

async fn explain(c: &tokio_postgres::Client, q: &str) -> Vec<String> {
    c.query(&format!("explain (costs off) {q}"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn explain_grouping_sets_and_modifying_with(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("create table g (a int, b text, c int)")
        .await
        .unwrap();
    let plan = explain(
        &c,
        "select a, b, sum(c), grouping(a, b) from g group by rollup (a, b)",
    )
    .await;
    let text = plan.join("\n");
    assert!(plan[0].contains("MixedAggregate"), "{text}");
    let keys: Vec<&str> = plan
        .iter()
        .filter_map(|l| l.trim().strip_prefix("Group Key: "))
        .collect();
    assert_eq!(keys, ["a, b", "a", "()"], "{text}");
    assert!(text.contains("Seq Scan on g"), "{text}");

    let plan = explain(
        &c,
        "with d as (delete from g where a = 1 returning *) select count(*) from d",
    )
    .await;
    let text = plan.join("\n");
    assert!(text.contains("CTE d"), "{text}");
    assert!(text.contains("Delete on g"), "{text}");
    // EXPLAIN does not run the WITH query.
    c.batch_execute("insert into g values (1, 'x', 1)")
        .await
        .unwrap();
    explain(&c, "with d as (delete from g returning *) select * from d").await;
    let n: i64 = c
        .query_one("select count(*) from g", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

async fn modifying_with_over_extended_protocol(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut c = srv.connect().await;
    c.batch_execute(
        "create table q (id int primary key, v text);
         create table q_log (id int, v text);
         insert into q select g, 'v' || g from generate_series(1, 50) g",
    )
    .await
    .unwrap();
    // A portal read one row at a time, then dropped: every row is still
    // deleted and archived.
    let t = c.transaction().await.unwrap();
    let st = t
        .prepare(
            "with d as (delete from q where id > $1 returning id, v), \
             a as (insert into q_log select * from d returning id) \
             select id from a order by id",
        )
        .await
        .unwrap();
    let portal = t.bind(&st, &[&10i32]).await.unwrap();
    let first = t.query_portal(&portal, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].get::<_, i32>(0), 11);
    drop(portal);
    t.commit().await.unwrap();
    let left: i64 = c
        .query_one("select count(*) from q", &[])
        .await
        .unwrap()
        .get(0);
    let logged: i64 = c
        .query_one("select count(*) from q_log", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!((left, logged), (10, 40));

    // A prepared statement: each execution deletes its own row, and the
    // main query does not see the deletion.
    let st = c
        .prepare(
            "with d as (delete from q where id = $1 returning v) \
             select (select v from d), (select count(*) from q)",
        )
        .await
        .unwrap();
    for id in [3i32, 4] {
        let r = c.query_one(&st, &[&id]).await.unwrap();
        assert_eq!(r.get::<_, Option<String>>(0), Some(format!("v{id}")));
        assert_eq!(r.get::<_, i64>(1), 10 - i64::from(id - 3));
    }
    let left: i64 = c
        .query_one("select count(*) from q", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 8);
}
