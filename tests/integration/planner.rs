//! The join-order search, in every mode: 20-table chain and star joins
//! written in an order that would need cross products return the right
//! rows with a plan of hash joins only; a selective predicate makes the
//! planner join its table first; geqo_threshold is a setting. min() and
//! max() of an indexed column read one index entry (a Limit 1 over an
//! index scan in the right direction), while other sessions insert. A
//! Tid Scan returns the version at the tid only if the snapshot sees it.

use crate::harness::{Mode, TestServer};

in_all_modes!(
    twenty_table_chain_join,
    twenty_table_star_join,
    selective_predicate_joins_first,
    join_settings,
    minmax_through_index,
    tid_scan_sees_its_snapshot,
);

async fn explain(c: &tokio_postgres::Client, q: &str) -> Vec<String> {
    c.query(&format!("explain (costs off) {q}"), &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Tables t1..t20 (id, nxt, v) without indexes, 30 rows each: nxt = id
/// and v = id * k for table k.
async fn make_tables(c: &tokio_postgres::Client) {
    for k in 1..=20 {
        c.batch_execute(&format!(
            "create table t{k} (id int, nxt int, v int);
             insert into t{k} select g, g, g * {k} from generate_series(1, 30) g"
        ))
        .await
        .unwrap();
    }
}

/// The FROM list in an order where neighbours are never adjacent.
fn scrambled() -> Vec<usize> {
    let mut v: Vec<usize> = (1..=20).step_by(2).collect();
    v.extend((2..21).step_by(2).rev());
    v
}

fn assert_no_cross_product(plan: &[String]) {
    let text = plan.join("\n");
    assert_eq!(
        plan.iter().filter(|l| l.contains("Hash Join")).count(),
        19,
        "{text}"
    );
    assert!(!text.contains("Nested Loop"), "{text}");
    assert_eq!(
        plan.iter().filter(|l| l.contains("Seq Scan on t")).count(),
        20,
        "{text}"
    );
}

async fn twenty_table_chain_join(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    let from: Vec<String> = scrambled().iter().map(|k| format!("t{k}")).collect();
    let conds: Vec<String> = (1..20)
        .map(|k| format!("t{k}.nxt = t{}.id", k + 1))
        .collect();
    let q = format!(
        "select count(*), sum(t20.v), min(t1.id) from {} where {} and t1.id <= 10",
        from.join(", "),
        conds.join(" and ")
    );
    c.batch_execute("set statement_timeout = '60s'")
        .await
        .unwrap();
    let r = c.query_one(&q, &[]).await.unwrap();
    // Ids 1..10 follow the chain: t20.v = 20 * id.
    assert_eq!(
        (
            r.get::<_, i64>(0),
            r.get::<_, Option<i64>>(1),
            r.get::<_, Option<i32>>(2)
        ),
        (10, Some(20 * 55), Some(1))
    );
    assert_no_cross_product(&explain(&c, &q).await);
    // The same join written with JOIN ... ON, and SELECT * keeps the
    // written column order.
    let mut q2 = String::from("select * from t20");
    for k in (1..20).rev() {
        q2.push_str(&format!(" join t{k} on t{k}.nxt = t{}.id", k + 1));
    }
    q2.push_str(" where t1.id = 3");
    let rows = c.query(&q2, &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.len(), 60);
    for (pos, k) in std::iter::once(20).chain((1..20).rev()).enumerate() {
        assert_eq!(row.get::<_, i32>(pos * 3), 3);
        assert_eq!(row.get::<_, i32>(pos * 3 + 2), 3 * k);
    }
    assert_no_cross_product(&explain(&c, &q2).await);
}

async fn twenty_table_star_join(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    make_tables(&c).await;
    // t1 is the hub, listed last; every other table joins it on id.
    let mut from: Vec<String> = (2..=20).map(|k| format!("t{k}")).collect();
    from.push("t1".into());
    let conds: Vec<String> = (2..=20).map(|k| format!("t{k}.id = t1.nxt")).collect();
    let q = format!(
        "select t1.id, t2.v, t20.v from {} where {} and t5.v in (10, 20, 25) order by 1",
        from.join(", "),
        conds.join(" and ")
    );
    let rows: Vec<(i32, i32, i32)> = c
        .query(&q, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(rows, vec![(2, 4, 40), (4, 8, 80), (5, 10, 100)]);
    assert_no_cross_product(&explain(&c, &q).await);
    // A star with an outer join and a NOT EXISTS keeps their meaning.
    let rows: Vec<(i32, Option<i32>)> = c
        .query(
            "select t1.id, t3.v from t2, t1 left join t3 on t3.id = t1.id and t3.id > 28 \
             where t2.id = t1.id and t1.id > 26 \
             and not exists (select 1 from t4 where t4.id = t1.id and t4.id = 27) order by 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, vec![(28, None), (29, Some(87)), (30, Some(90))]);
}

async fn selective_predicate_joins_first(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table a (id int, v int); create table b (id int, v int); \
         create table c (id int, v int); \
         insert into a select g, g from generate_series(1, 2000) g; \
         insert into b select g, g from generate_series(1, 2000) g; \
         insert into c select g, g % 100 from generate_series(1, 2000) g",
    )
    .await
    .unwrap();
    let q = "select count(*) from a, b, c where a.id = b.id and b.id = c.id and c.v = 7";
    let r = c.query_one(q, &[]).await.unwrap();
    assert_eq!(r.get::<_, i64>(0), 20);
    // The deepest join reads c (filtered to few rows) and b, its
    // neighbour; a, written first, is joined last.
    let plan = explain(&c, q).await;
    let text = plan.join("\n");
    let scans: Vec<&String> = plan.iter().filter(|l| l.contains("Seq Scan")).collect();
    assert_eq!(scans.len(), 3, "{text}");
    let deepest = plan
        .iter()
        .rposition(|l| l.contains("Hash Join"))
        .expect(&text);
    let below: Vec<&String> = plan[deepest..]
        .iter()
        .filter(|l| l.contains("Seq Scan"))
        .collect();
    assert!(below.iter().any(|l| l.contains("Seq Scan on c")), "{text}");
    assert!(!below.iter().any(|l| l.contains("Seq Scan on a")), "{text}");
}

async fn join_settings(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    for (name, value) in [
        ("geqo_threshold", "12"),
        ("join_collapse_limit", "8"),
        ("from_collapse_limit", "8"),
    ] {
        let r = c.query_one(&format!("show {name}"), &[]).await.unwrap();
        assert_eq!(r.get::<_, String>(0), value);
    }
    // With geqo_threshold = 2 every group is ordered greedily; the results
    // agree.
    make_tables(&c).await;
    let q = "select count(*) from t3, t1, t2 where t1.id = t2.nxt and t2.id = t3.nxt";
    let before: i64 = c.query_one(q, &[]).await.unwrap().get(0);
    c.batch_execute("set geqo_threshold = 2").await.unwrap();
    let after: i64 = c.query_one(q, &[]).await.unwrap().get(0);
    assert_eq!((before, after), (30, 30));
    assert_no_cross_product_small(&explain(&c, q).await);
    let e = c.batch_execute("set geqo_threshold = 1").await.unwrap_err();
    assert_eq!(crate::harness::sqlstate(&e), "22023");
}

fn assert_no_cross_product_small(plan: &[String]) {
    let text = plan.join("\n");
    assert_eq!(
        plan.iter().filter(|l| l.contains("Hash Join")).count(),
        2,
        "{text}"
    );
}

/// min()/max() of an indexed column: EXPLAIN shows a Limit over an index
/// scan (backward for max of an ASC column), and the values stay right
/// while another session inserts rows at both ends and splits pages.
async fn minmax_through_index(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table mx (id int primary key, a int, pad text);
         create index mx_a on mx (a desc);
         insert into mx select g, g % 7, repeat('p', 100) from generate_series(1000, 3000) g",
    )
    .await
    .unwrap();
    assert_eq!(
        explain(&c, "select max(id) from mx").await,
        [
            "Aggregate",
            "  ->  Limit",
            "        ->  Index Scan Backward using mx_pkey on mx",
            "              Index Cond: (id IS NOT NULL)",
        ]
    );
    assert_eq!(
        explain(&c, "select min(id) from mx where id > 5").await,
        [
            "Aggregate",
            "  ->  Limit",
            "        ->  Index Scan using mx_pkey on mx",
            "              Index Cond: ((id > 5) AND (id IS NOT NULL))",
        ]
    );
    // A DESC index gives max() going forward.
    assert_eq!(
        explain(&c, "select max(a) from mx").await[2],
        "        ->  Index Scan using mx_a on mx"
    );
    // Not all min/max of one column: every row is aggregated.
    assert_eq!(
        explain(&c, "select max(id), min(id) from mx").await,
        ["Aggregate", "  ->  Seq Scan on mx"]
    );
    let w = srv.connect().await;
    let writer = tokio::spawn(async move {
        for i in 0..150 {
            w.batch_execute(&format!(
                "insert into mx values ({}, 1, repeat('w', 200)), ({}, 2, repeat('w', 200))",
                999 - i,
                3001 + i
            ))
            .await
            .unwrap();
        }
    });
    let mut last = (1000, 3000);
    loop {
        let r = c
            .query_one("select min(id), max(id) from mx", &[])
            .await
            .unwrap();
        let (lo, hi): (i32, i32) = (r.get(0), r.get(1));
        let i1 = c.query_one("select min(id) from mx", &[]).await.unwrap();
        let i2 = c.query_one("select max(id) from mx", &[]).await.unwrap();
        let (ilo, ihi): (i32, i32) = (i1.get(0), i2.get(0));
        // Each statement's snapshot is later than the previous one's.
        assert!(ilo <= lo && lo <= last.0 && ihi >= hi && hi >= last.1);
        last = (lo, hi);
        if writer.is_finished() {
            break;
        }
    }
    writer.await.unwrap();
    let r = c
        .query_one("select min(id), max(id) from mx", &[])
        .await
        .unwrap();
    assert_eq!((r.get::<_, i32>(0), r.get::<_, i32>(1)), (850, 3150));
    let i1 = c.query_one("select min(id) from mx", &[]).await.unwrap();
    let i2 = c.query_one("select max(id) from mx", &[]).await.unwrap();
    assert_eq!((i1.get::<_, i32>(0), i2.get::<_, i32>(0)), (850, 3150));
}

/// `WHERE ctid = ...` (a Tid Scan) while another session updates the row:
/// the old version stays visible until the update commits (and, under
/// REPEATABLE READ, to the end of the transaction); the new version only
/// after it.
async fn tid_scan_sees_its_snapshot(mode: Mode) {
    let srv = TestServer::start(mode);
    let (a, b) = (srv.connect().await, srv.connect().await);
    a.batch_execute(
        "create table tv (k int, v text); insert into tv values (1, 'one'), (2, 'two')",
    )
    .await
    .unwrap();
    let plan = explain(&b, "select v from tv where ctid = '(0,2)'").await;
    assert_eq!(
        plan,
        ["Tid Scan on tv", "  TID Cond: (ctid = '(0,2)'::tid)"]
    );
    let at = |tid: &'static str| {
        let b = &b;
        async move {
            b.query(&format!("select v from tv where ctid = '{tid}'"), &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
        }
    };
    a.batch_execute("begin; update tv set v = 'TWO' where k = 2")
        .await
        .unwrap();
    let new: String = a
        .query_one("select ctid::text from tv where k = 2", &[])
        .await
        .unwrap()
        .get(0);
    assert_ne!(new, "(0,2)");
    let new: &'static str = Box::leak(new.into_boxed_str());
    assert_eq!(at("(0,2)").await, ["two"]);
    assert!(at(new).await.is_empty());
    b.batch_execute("begin isolation level repeatable read")
        .await
        .unwrap();
    assert_eq!(at("(0,2)").await, ["two"]);
    a.batch_execute("commit").await.unwrap();
    assert_eq!(at("(0,2)").await, ["two"]);
    assert!(at(new).await.is_empty());
    b.batch_execute("commit").await.unwrap();
    assert!(at("(0,2)").await.is_empty());
    assert_eq!(at(new).await, ["TWO"]);
}
