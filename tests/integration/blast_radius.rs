//! What one client's statement can cost the others: a statement that
//! nests too deeply fails alone with 54001, as in PostgreSQL, in every
//! mode (in thread mode it once overflowed the stack and ended the
//! server).

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(deep_statements_fail_alone_with_54001);

/// `SELECT 1+1+...+1` with `n` terms.
fn sum(n: usize) -> String {
    format!("SELECT {}", vec!["1"; n].join("+"))
}

async fn deep_statements_fail_alone_with_54001(mode: Mode) {
    let srv = TestServer::start(mode);
    let bystander = srv.connect().await;
    bystander
        .batch_execute("BEGIN; CREATE TABLE t (i int)")
        .await
        .unwrap();
    bystander
        .batch_execute("INSERT INTO t VALUES (1)")
        .await
        .unwrap();

    let c = srv.connect().await;
    // As deep as PostgreSQL 15 goes with its default max_stack_depth.
    let r = c.query_one(sum(1000).as_str(), &[]).await.unwrap();
    assert_eq!(r.get::<_, i32>(0), 1000);
    let nested = format!("SELECT {}1{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(
        c.query_one(nested.as_str(), &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1
    );

    // Far deeper: an error for this statement only.
    for sql in [
        sum(50_000),
        sum(300_000),
        format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000)),
        format!("SELECT {}1", "- ".repeat(20_000)),
        format!("SELECT 1 WHERE {}", vec!["1 = 1"; 20_000].join(" AND ")),
    ] {
        let e = c.simple_query(&sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "54001", "{e:?}\n{}", srv.log());
    }
    // A lower limit is honoured; one beyond the thread's stack is refused.
    c.batch_execute("SET max_stack_depth = '200kB'")
        .await
        .unwrap();
    let e = c.simple_query(&sum(1000)).await.unwrap_err();
    assert_eq!(sqlstate(&e), "54001");
    let e = c
        .batch_execute("SET max_stack_depth = '100MB'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22023");
    c.batch_execute("RESET max_stack_depth").await.unwrap();
    assert_eq!(
        c.query_one(sum(1000).as_str(), &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1000
    );

    // Nobody else noticed.
    bystander
        .batch_execute("INSERT INTO t VALUES (2); COMMIT")
        .await
        .unwrap();
    let n: i64 = bystander
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}
