//! SQL cursors in every mode: FETCH and MOVE command tags, lazy evaluation
//! (FETCH computes only the rows it returns), WITH HOLD across COMMIT,
//! and an extended-protocol portal run alongside a SQL cursor's FETCH.

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    fetch_and_move_tags,
    fetch_is_lazy,
    hold_cursor_survives_commit,
    portal_and_cursor_interleave,
);

/// The psql output of `sql` (one statement a line, run with -f).
fn psql_script(srv: &TestServer, sql: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sql");
    std::fs::write(&path, sql).unwrap();
    let out = srv.psql(&[
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-f",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn fetch_and_move_tags(mode: Mode) {
    let srv = TestServer::start(mode);
    let out = psql_script(
        &srv,
        "BEGIN;\n\
         DECLARE c SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g;\n\
         MOVE ABSOLUTE -1 IN c;\n\
         MOVE 0 IN c;\n\
         MOVE ALL IN c;\n\
         MOVE BACKWARD ALL IN c;\n\
         MOVE FORWARD 10 IN c;\n\
         FETCH RELATIVE -2 FROM c;\n\
         MOVE PRIOR IN c;\n\
         MOVE BACKWARD 10 IN c;\n\
         CLOSE c;\n\
         COMMIT;\n",
    );
    let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines,
        vec![
            "BEGIN",
            "DECLARE CURSOR",
            "MOVE 1",
            "MOVE 1",
            "MOVE 0",
            "MOVE 5",
            "MOVE 5",
            "4",
            "MOVE 1",
            "MOVE 2",
            "CLOSE CURSOR",
            "COMMIT"
        ]
    );
    let c = srv.connect().await;
    // Errors as PostgreSQL's.
    let e = c
        .batch_execute("DECLARE c CURSOR FOR SELECT 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "25P01");
    let e = c.batch_execute("FETCH c").await.unwrap_err();
    assert_eq!(sqlstate(&e), "34000");
    c.batch_execute("BEGIN; DECLARE c NO SCROLL CURSOR FOR SELECT 1")
        .await
        .unwrap();
    let e = c
        .batch_execute("FETCH BACKWARD 1 FROM c")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55000");
    let db = e.as_db_error().unwrap();
    assert_eq!(db.message(), "cursor can only scan forward");
    assert_eq!(
        db.hint(),
        Some("Declare it with SCROLL option to enable backward scan.")
    );
    c.batch_execute("ROLLBACK").await.unwrap();
}

async fn fetch_is_lazy(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    // Row 1000 divides by zero: FETCH 10 must not compute it.
    c.batch_execute(
        "BEGIN; DECLARE big CURSOR FOR SELECT 100 / (1000 - g) AS q FROM generate_series(1, 2000000) g",
    )
    .await
    .unwrap();
    let rows = c.query("FETCH 10 FROM big", &[]).await.unwrap();
    assert_eq!(rows.len(), 10);
    let first: i32 = rows[0].get(0);
    assert_eq!(first, 0);
    let e = c.batch_execute("FETCH ALL FROM big").await.unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    c.batch_execute("ROLLBACK").await.unwrap();
}

async fn hold_cursor_survives_commit(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let other = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE h (id int PRIMARY KEY, v int); \
         INSERT INTO h SELECT g, g FROM generate_series(1, 100) g",
    )
    .await
    .unwrap();
    c.batch_execute("BEGIN; DECLARE k CURSOR WITH HOLD FOR SELECT id, v FROM h ORDER BY id")
        .await
        .unwrap();
    let rows = c.query("FETCH 3 FROM k", &[]).await.unwrap();
    assert_eq!(rows.len(), 3);
    c.batch_execute("COMMIT").await.unwrap();
    // Changes after the commit are not seen: the rows were read at it.
    other
        .batch_execute("UPDATE h SET v = 0; DELETE FROM h WHERE id > 50; VACUUM h")
        .await
        .unwrap();
    let rows = c.query("FETCH FORWARD ALL FROM k", &[]).await.unwrap();
    assert_eq!(rows.len(), 97);
    let ids: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, (4..=100).collect::<Vec<_>>());
    assert!(rows
        .iter()
        .all(|r| r.get::<_, i32>(0) == r.get::<_, i32>(1)));
    let held: bool = c
        .query_one("SELECT is_holdable FROM pg_cursors WHERE name = 'k'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(held);
    c.batch_execute("CLOSE k").await.unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM pg_cursors", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

async fn portal_and_cursor_interleave(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut c = srv.connect().await;
    let tx = c.transaction().await.unwrap();
    tx.batch_execute("DECLARE cur CURSOR FOR SELECT g FROM generate_series(1, 6) g")
        .await
        .unwrap();
    let stmt = tx
        .prepare("SELECT g * 10 FROM generate_series(1, 6) g")
        .await
        .unwrap();
    let portal = tx.bind(&stmt, &[]).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        let p: Vec<i32> = tx
            .query_portal(&portal, 2)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let f: Vec<i32> = tx
            .query("FETCH 2 FROM cur", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        got.push((p, f));
    }
    assert_eq!(
        got,
        vec![
            (vec![10, 20], vec![1, 2]),
            (vec![30, 40], vec![3, 4]),
            (vec![50, 60], vec![5, 6]),
        ]
    );
    // The cursor's name is taken for the rest of the transaction.
    let e = tx
        .batch_execute("DECLARE cur CURSOR FOR SELECT 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P03");
    drop(tx);
    // ROLLBACK (the dropped transaction) closes it.
    let e = c.batch_execute("FETCH cur").await.unwrap_err();
    assert_eq!(sqlstate(&e), "34000");
}
