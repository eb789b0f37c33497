//! ALTER TABLE that changes a table's shape, across restarts, in every
//! mode: columns added with a DEFAULT (kept as the missing value of the
//! rows stored before, or written into every row for a volatile one) and
//! constraints added or dropped, and a dropped column (still in the
//! stored rows, hidden), read back the same after a clean restart and
//! after a kill -9; an ADD COLUMN in progress at the kill is gone.

use tokio_postgres::Client;

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(added_columns_survive_restarts);

async fn rows(c: &Client, sql: &str) -> Vec<String> {
    c.simple_query(sql)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL").to_owned())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            _ => None,
        })
        .collect()
}

async fn added_columns_survive_restarts(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE SEQUENCE s;
         CREATE TABLE t (a int PRIMARY KEY);
         INSERT INTO t SELECT g FROM generate_series(1, 3) g;
         ALTER TABLE t ADD COLUMN b int DEFAULT 7, ADD COLUMN c text DEFAULT 'x y';
         ALTER TABLE t ADD COLUMN d bigint DEFAULT nextval('s');
         ALTER TABLE t ADD CONSTRAINT b_pos CHECK (b > 0), ADD COLUMN e numeric DEFAULT 1.5;
         ALTER TABLE t ADD CONSTRAINT gone CHECK (a < 100);
         ALTER TABLE t DROP CONSTRAINT gone;
         INSERT INTO t (a, b) VALUES (4, 8);
         ALTER TABLE t DROP COLUMN c;
         INSERT INTO t VALUES (5, 3, 0, 2.5);",
    )
    .await
    .unwrap();
    let want = vec![
        "1|7|1|1.5",
        "2|7|2|1.5",
        "3|7|3|1.5",
        "4|8|4|1.5",
        "5|3|0|2.5",
    ];
    let all = "SELECT * FROM t ORDER BY a";
    assert_eq!(rows(&c, all).await, want);
    drop(c);

    // A clean restart.
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let c = srv.connect().await;
    assert_eq!(rows(&c, all).await, want);
    let e = c
        .batch_execute("INSERT INTO t (a, b) VALUES (6, -1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23514");
    c.batch_execute("INSERT INTO t (a) VALUES (200)")
        .await
        .unwrap();
    c.batch_execute("DELETE FROM t WHERE a = 200")
        .await
        .unwrap();

    // A committed ADD COLUMN survives a kill -9; one in progress does not.
    c.batch_execute("ALTER TABLE t ADD COLUMN f int DEFAULT 9")
        .await
        .unwrap();
    c.batch_execute(
        "BEGIN; ALTER TABLE t ADD COLUMN g int DEFAULT 5, ADD CONSTRAINT a_small CHECK (a < 10)",
    )
    .await
    .unwrap();
    drop(c);
    srv.kill_9_all();
    srv.restart(&[]);
    let c = srv.connect().await;
    assert_eq!(
        rows(&c, "SELECT a, f FROM t ORDER BY a").await,
        vec!["1|9", "2|9", "3|9", "4|9", "5|9"]
    );
    let e = c.batch_execute("SELECT g FROM t").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42703");
    c.batch_execute("INSERT INTO t (a) VALUES (50)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "SELECT attname, atthasmissing FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum").await,
        vec![
            "a|f",
            "b|f",
            "........pg.dropped.3........|f",
            "d|f",
            "e|t",
            "f|t"
        ]
    );
}
