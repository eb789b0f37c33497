//! Schema objects beyond tables: sequences (CREATE/ALTER SEQUENCE,
//! nextval/currval/lastval per session, values never rolled back) and
//! column defaults shown in PostgreSQL's deparsed form; the state of a
//! sequence and the catalog survive a clean restart and a kill -9 of the
//! whole server (the page change is in the WAL, flushed by the commit of
//! the transaction that called nextval).

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(sequences_are_per_session_and_survive_restart_and_kill_9);

async fn int8(c: &tokio_postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

async fn sequences_are_per_session_and_survive_restart_and_kill_9(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let a = srv.connect().await;
    a.batch_execute(
        "CREATE SEQUENCE so_s INCREMENT BY 5 START WITH 10 MAXVALUE 1000; \
         CREATE TABLE so_t (id serial PRIMARY KEY, c varchar(2) DEFAULT 'FR', n int DEFAULT -1)",
    )
    .await
    .unwrap();
    assert_eq!(int8(&a, "SELECT nextval('so_s')").await, 10);
    assert_eq!(int8(&a, "SELECT nextval('so_s')").await, 15);
    // Another session: no currval until its own nextval, which sees the
    // shared state.
    let b = srv.connect().await;
    let e = b
        .query_one("SELECT currval('so_s')", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55000");
    assert_eq!(
        message(&e),
        "currval of sequence \"so_s\" is not yet defined in this session"
    );
    assert_eq!(int8(&b, "SELECT nextval('so_s')").await, 20);
    assert_eq!(int8(&a, "SELECT currval('so_s')").await, 15);
    assert_eq!(int8(&b, "SELECT lastval()").await, 20);
    // A rolled-back transaction keeps what nextval gave.
    a.batch_execute("BEGIN; SELECT nextval('so_s'); ROLLBACK")
        .await
        .unwrap();
    assert_eq!(int8(&a, "SELECT nextval('so_s')").await, 30);
    a.batch_execute("INSERT INTO so_t DEFAULT VALUES; INSERT INTO so_t DEFAULT VALUES")
        .await
        .unwrap();
    let defaults: Vec<(String, String)> = a
        .query(
            "SELECT a.attname::text, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
             WHERE d.adrelid = 'so_t'::regclass ORDER BY d.adnum",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        defaults,
        [
            ("id".into(), "nextval('so_t_id_seq'::regclass)".into()),
            ("c".into(), "'FR'::character varying".into()),
            ("n".into(), "'-1'::integer".into()),
        ]
    );
    drop((a, b));
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let c = srv.connect().await;
    assert_eq!(int8(&c, "SELECT nextval('so_s')").await, 35);
    let e = c.query_one("SELECT lastval()", &[]).await;
    assert!(e.is_ok(), "lastval after this session's nextval");
    c.batch_execute("ALTER SEQUENCE so_s INCREMENT BY 100 RESTART WITH 500")
        .await
        .unwrap();
    assert_eq!(int8(&c, "SELECT nextval('so_s')").await, 500);
    assert_eq!(int8(&c, "SELECT nextval('so_t_id_seq')").await, 3);
    // kill -9: what nextval handed out in committed statements stays
    // handed out.
    srv.kill_9_all();
    srv.restart(&[]);
    let d = srv.connect().await;
    assert_eq!(int8(&d, "SELECT nextval('so_s')").await, 600);
    assert_eq!(int8(&d, "SELECT nextval('so_t_id_seq')").await, 4);
    let row = d
        .query_one("SELECT last_value, log_cnt, is_called FROM so_s", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 600);
    assert!(row.get::<_, bool>(2));
    let e = d
        .query_one("SELECT setval('so_s', 1001)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    d.batch_execute("SELECT setval('so_s', 1000)")
        .await
        .unwrap();
    let e = d
        .query_one("SELECT nextval('so_s')", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "2200H");
    assert_eq!(
        message(&e),
        "nextval: reached maximum value of sequence \"so_s\" (1000)"
    );
}
