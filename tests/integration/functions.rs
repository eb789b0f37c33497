//! User-defined SQL functions across sessions, in every mode: CREATE OR
//! REPLACE seen by another session (and by its prepared statement), a
//! rolled-back CREATE FUNCTION invisible and gone, an uncommitted one
//! private to its session, a committed DROP seen by others, functions
//! surviving a restart, extended-protocol calls with parameters, and
//! pg_proc / pg_get_functiondef for them.

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    replace_is_seen_by_other_sessions,
    create_function_is_transactional,
    functions_survive_a_restart,
);

async fn one_text(c: &tokio_postgres::Client, sql: &str) -> String {
    c.query_one(sql, &[]).await.unwrap().get::<_, String>(0)
}

async fn replace_is_seen_by_other_sessions(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE FUNCTION tag(x int) RETURNS text LANGUAGE sql AS $$ SELECT 'one:' || x $$",
    )
    .await
    .unwrap();
    let stmt = b.prepare("SELECT tag($1)").await.unwrap();
    let r: String = b.query_one(&stmt, &[&5i32]).await.unwrap().get(0);
    assert_eq!(r, "one:5");
    assert_eq!(one_text(&b, "SELECT tag(1)").await, "one:1");
    a.batch_execute("CREATE OR REPLACE FUNCTION tag(x int) RETURNS text LANGUAGE sql AS $$ SELECT 'two:' || x * 2 $$")
        .await
        .unwrap();
    assert_eq!(one_text(&b, "SELECT tag(1)").await, "two:2");
    let r: String = b.query_one(&stmt, &[&5i32]).await.unwrap().get(0);
    assert_eq!(r, "two:10");
    // Named and defaulted arguments through the extended protocol.
    a.batch_execute("CREATE FUNCTION mul(a int, b int DEFAULT 3) RETURNS int RETURN a * b")
        .await
        .unwrap();
    let r: i32 = b
        .query_one("SELECT mul(b => $1, a => $2)", &[&4i32, &5i32])
        .await
        .unwrap()
        .get(0);
    assert_eq!(r, 20);
    let r: i32 = b
        .query_one("SELECT mul($1)", &[&7i32])
        .await
        .unwrap()
        .get(0);
    assert_eq!(r, 21);
    // Dropped in one session: 42883 in the other.
    a.batch_execute("DROP FUNCTION tag(int)").await.unwrap();
    let e = b.query_one("SELECT tag(1)", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42883");
    // pg_proc and the catalog functions see it.
    let row = b
        .query_one(
            "SELECT prokind::text, provolatile::text, pronargs, pronargdefaults, \
             pg_get_function_arguments(oid), pg_get_function_result(oid), \
             pg_get_function_identity_arguments(oid), prosqlbody IS NOT NULL \
             FROM pg_proc WHERE proname = 'mul'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "f");
    assert_eq!(row.get::<_, String>(1), "v");
    assert_eq!(row.get::<_, i16>(2), 2);
    assert_eq!(row.get::<_, i16>(3), 1);
    assert_eq!(row.get::<_, String>(4), "a integer, b integer DEFAULT 3");
    assert_eq!(row.get::<_, String>(5), "integer");
    assert_eq!(row.get::<_, String>(6), "a integer, b integer");
    assert!(row.get::<_, bool>(7));
    let def = one_text(
        &b,
        "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = 'mul'",
    )
    .await;
    assert_eq!(
        def,
        "CREATE OR REPLACE FUNCTION public.mul(a integer, b integer DEFAULT 3)\n \
         RETURNS integer\n LANGUAGE sql\nRETURN a * b\n"
    );
}

async fn create_function_is_transactional(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("BEGIN; CREATE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        .await
        .unwrap();
    assert_eq!(
        a.query_one("SELECT f1()", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1
    );
    // Not visible to another session before the commit.
    let e = b.query_one("SELECT f1()", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42883");
    a.batch_execute("ROLLBACK").await.unwrap();
    let e = a.query_one("SELECT f1()", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42883");
    let n: i64 = a
        .query_one("SELECT count(*) FROM pg_proc WHERE proname = 'f1'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    // Committed: seen by the other session; a DROP rolled back keeps it.
    a.batch_execute("BEGIN; CREATE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 2'; COMMIT")
        .await
        .unwrap();
    assert_eq!(
        b.query_one("SELECT f1()", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        2
    );
    a.batch_execute("BEGIN; DROP FUNCTION f1(); ROLLBACK")
        .await
        .unwrap();
    assert_eq!(
        b.query_one("SELECT f1()", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        2
    );
    // A savepoint rolled back undoes an OR REPLACE.
    a.batch_execute(
        "BEGIN; SAVEPOINT s; CREATE OR REPLACE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 3'; \
         ROLLBACK TO s; COMMIT",
    )
    .await
    .unwrap();
    assert_eq!(
        b.query_one("SELECT f1()", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        2
    );
}

async fn functions_survive_a_restart(mode: Mode) {
    let mut srv = TestServer::start(mode);
    {
        let c = srv.connect().await;
        c.batch_execute(
            "CREATE TABLE nums (n int); INSERT INTO nums VALUES (1), (2), (3); \
             CREATE FUNCTION evens(lim int DEFAULT 10) RETURNS TABLE (n int, half int) \
             LANGUAGE sql STABLE AS $$ SELECT n, n / 2 FROM nums WHERE n % 2 = 0 AND n <= lim $$",
        )
        .await
        .unwrap();
    }
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let c = srv.connect().await;
    let rows = c.query("SELECT n, half FROM evens()", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].get::<_, i32>(0), rows[0].get::<_, i32>(1)), (2, 1));
    let r = one_text(
        &c,
        "SELECT pg_get_function_result(oid) FROM pg_proc WHERE proname = 'evens'",
    )
    .await;
    assert_eq!(r, "TABLE(n integer, half integer)");
}
