//! ALTER TABLE ... ALTER COLUMN TYPE's rewrite, in every mode: the rows
//! move to a new relation file (pg_class.relfilenode changes) and the
//! indexes to new files; a ROLLBACK keeps the old file and the data, a
//! COMMIT removes the old files; a kill -9 of the whole server right after
//! a committed rewrite keeps the new type and the converted rows; another
//! session sees the old type until the commit (its reads of the table
//! wait for the rewrite's lock), then the new one.

use std::path::Path;
use std::time::Duration;

use tokio_postgres::Client;

use crate::harness::{Mode, TestServer};

in_all_modes!(
    rollback_keeps_the_old_file,
    kill_9_after_a_committed_rewrite,
    other_sessions_see_the_old_type_until_commit,
);

/// pg_class.relfilenode of `name`.
async fn filenode(c: &Client, name: &str) -> u32 {
    c.query_one(
        "SELECT relfilenode FROM pg_class WHERE relname = $1",
        &[&name],
    )
    .await
    .unwrap()
    .get(0)
}

fn file_exists(srv: &TestServer, node: u32) -> bool {
    Path::new(&srv.data_dir())
        .join("base")
        .join(node.to_string())
        .exists()
}

async fn column_type(c: &Client, table: &str, column: &str) -> String {
    c.query_one(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
         WHERE attrelid = $1::text::regclass AND attname = $2",
        &[&table, &column],
    )
    .await
    .unwrap()
    .get(0)
}

async fn rows(c: &Client, sql: &str) -> Vec<String> {
    c.query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

async fn rollback_keeps_the_old_file(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE at_r (id int PRIMARY KEY, n text); \
         INSERT INTO at_r SELECT g, (g * 10)::text FROM generate_series(1, 500) g",
    )
    .await
    .unwrap();
    let (heap, pkey) = (filenode(&c, "at_r").await, filenode(&c, "at_r_pkey").await);
    assert!(file_exists(&srv, heap) && file_exists(&srv, pkey));

    // Rolled back: the old files, the old type and every row remain.
    c.batch_execute("BEGIN; ALTER TABLE at_r ALTER COLUMN n TYPE bigint USING n::bigint")
        .await
        .unwrap();
    let (new_heap, new_pkey) = (filenode(&c, "at_r").await, filenode(&c, "at_r_pkey").await);
    assert_ne!(new_heap, heap, "the rewrite did not make a new file");
    assert_ne!(new_pkey, pkey, "the index was not rebuilt into a new file");
    assert!(file_exists(&srv, new_heap) && file_exists(&srv, heap));
    assert_eq!(column_type(&c, "at_r", "n").await, "bigint");
    let sum: i64 = c
        .query_one("SELECT sum(n)::int8 FROM at_r", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, 10 * 500 * 501 / 2);
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(column_type(&c, "at_r", "n").await, "text");
    assert_eq!(filenode(&c, "at_r").await, heap);
    assert!(file_exists(&srv, heap) && file_exists(&srv, pkey));
    assert!(
        !file_exists(&srv, new_heap),
        "a rolled-back rewrite left its file"
    );
    assert!(!file_exists(&srv, new_pkey));
    assert_eq!(rows(&c, "SELECT n FROM at_r WHERE id = 7").await, ["70"]);
    let n: i64 = c
        .query_one("SELECT count(*) FROM at_r", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 500);

    // A failed rewrite (a value that does not convert) leaves nothing.
    c.batch_execute("UPDATE at_r SET n = 'x' WHERE id = 250")
        .await
        .unwrap();
    let e = c
        .batch_execute("ALTER TABLE at_r ALTER COLUMN n TYPE int USING n::int")
        .await
        .unwrap_err();
    assert_eq!(crate::harness::sqlstate(&e), "22P02");
    assert_eq!(filenode(&c, "at_r").await, heap);
    let files_now = std::fs::read_dir(srv.data_dir().join("base"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&f| f > new_pkey)
        .count();
    assert_eq!(files_now, 0, "a failed rewrite left files");

    // Committed: the new files only, the old ones gone.
    c.batch_execute(
        "UPDATE at_r SET n = '2500' WHERE id = 250; \
         ALTER TABLE at_r ALTER COLUMN n TYPE bigint USING n::bigint",
    )
    .await
    .unwrap();
    let (heap2, pkey2) = (filenode(&c, "at_r").await, filenode(&c, "at_r_pkey").await);
    assert!(file_exists(&srv, heap2) && file_exists(&srv, pkey2));
    assert!(
        !file_exists(&srv, heap),
        "a committed rewrite kept the old file"
    );
    assert!(!file_exists(&srv, pkey));
    let v: i64 = c
        .query_one("SELECT n FROM at_r WHERE id = 250", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 2500);
}

async fn kill_9_after_a_committed_rewrite(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE at_k (id int PRIMARY KEY, v varchar(10), d numeric(8, 2)); \
         INSERT INTO at_k SELECT g, 'r' || g, g / 4.0 FROM generate_series(1, 300) g; \
         CREATE INDEX at_k_d ON at_k (d); \
         ALTER TABLE at_k ALTER COLUMN d TYPE text, ALTER COLUMN v TYPE varchar(20), \
           ALTER COLUMN id TYPE bigint",
    )
    .await
    .unwrap();
    let heap = filenode(&c, "at_k").await;
    drop(c);
    srv.kill_9_all();
    srv.restart(&[]);
    let c = srv.connect().await;
    assert_eq!(filenode(&c, "at_k").await, heap);
    assert_eq!(column_type(&c, "at_k", "d").await, "text");
    assert_eq!(column_type(&c, "at_k", "v").await, "character varying(20)");
    assert_eq!(column_type(&c, "at_k", "id").await, "bigint");
    assert_eq!(rows(&c, "SELECT d FROM at_k WHERE id = 6").await, ["1.50"]);
    assert_eq!(
        rows(&c, "SELECT v FROM at_k WHERE d = '75.00'").await,
        ["r300"]
    );
    let n: i64 = c
        .query_one("SELECT count(*) FROM at_k", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 300);
    // The rebuilt primary key still refuses duplicates.
    let e = c
        .batch_execute("INSERT INTO at_k VALUES (5, 'dup', 'x')")
        .await
        .unwrap_err();
    assert_eq!(crate::harness::sqlstate(&e), "23505");
}

async fn other_sessions_see_the_old_type_until_commit(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("CREATE TABLE at_c (id int, n int); INSERT INTO at_c VALUES (1, 42)")
        .await
        .unwrap();
    a.batch_execute("BEGIN; ALTER TABLE at_c ALTER COLUMN n TYPE text USING 'v' || n")
        .await
        .unwrap();
    assert_eq!(column_type(&b, "at_c", "n").await, "integer");
    // A read of the table waits for the rewrite's AccessExclusive lock.
    let reader = tokio::spawn(async move {
        let r = rows(&b, "SELECT n::text FROM at_c").await;
        (b, r)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!reader.is_finished(), "a read did not wait for ALTER TYPE");
    a.batch_execute("COMMIT").await.unwrap();
    let (b, r) = reader.await.unwrap();
    assert_eq!(r, ["v42"]);
    assert_eq!(column_type(&b, "at_c", "n").await, "text");
}
