//! Schemas and search_path across sessions, in every mode: each session
//! has its own search_path (name resolution and creation follow it), a
//! rolled-back CREATE SCHEMA is gone for everyone, a committed one and
//! DROP SCHEMA CASCADE are seen by other sessions, and psql's `\dn`,
//! `\dn+`, `\dt s.*` and `\d s.t` print what PostgreSQL 15 prints for the
//! same schema.

use std::path::Path;
use std::process::Command;

use crate::harness::{Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(
    search_path_is_per_session,
    create_schema_rolls_back_and_drop_cascades,
    psql_schema_commands_match_postgres,
);

async fn one(c: &tokio_postgres::Client, sql: &str) -> String {
    let rows = c.simple_query(sql).await.unwrap();
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_default()
}

async fn search_path_is_per_session(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute(
        "CREATE SCHEMA s1; CREATE SCHEMA s2;
         CREATE TABLE s1.t (v text); CREATE TABLE s2.t (v text);
         INSERT INTO s1.t VALUES ('one'); INSERT INTO s2.t VALUES ('two')",
    )
    .await
    .unwrap();
    a.batch_execute("SET search_path = s1").await.unwrap();
    b.batch_execute("SET search_path = s2, public")
        .await
        .unwrap();
    assert_eq!(one(&a, "SELECT v FROM t").await, "one");
    assert_eq!(one(&b, "SELECT v FROM t").await, "two");
    assert_eq!(one(&a, "SELECT current_schema()").await, "s1");
    assert_eq!(
        one(&b, "SELECT current_schemas(true)::text").await,
        "{pg_catalog,s2,public}"
    );
    // Creation goes to each session's first schema.
    a.batch_execute("CREATE TABLE u (x int)").await.unwrap();
    b.batch_execute("CREATE TABLE u (x int)").await.unwrap();
    assert_eq!(
        one(
            &a,
            "SELECT string_agg(n.nspname, ',' ORDER BY n.nspname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'u'"
        )
        .await,
        "s1,s2"
    );
    // A prepared statement is planned again under a new path.
    a.batch_execute("PREPARE p AS SELECT v FROM t")
        .await
        .unwrap();
    assert_eq!(one(&a, "EXECUTE p").await, "one");
    a.batch_execute("SET search_path = s2").await.unwrap();
    assert_eq!(one(&a, "EXECUTE p").await, "two");
    // RESET and a rolled-back SET LOCAL.
    b.batch_execute("BEGIN; SET LOCAL search_path = s1; COMMIT")
        .await
        .unwrap();
    assert_eq!(one(&b, "SELECT v FROM t").await, "two");
    b.batch_execute("RESET search_path").await.unwrap();
    let e = b.simple_query("SELECT v FROM t").await.unwrap_err();
    assert_eq!(e.code().unwrap().code(), "42P01");
    // Nothing to create in.
    b.batch_execute("SET search_path = ''").await.unwrap();
    let e = b.simple_query("CREATE TABLE z ()").await.unwrap_err();
    assert_eq!(e.code().unwrap().code(), "3F000");
}

async fn create_schema_rolls_back_and_drop_cascades(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    let count = "SELECT count(*) FROM pg_namespace WHERE nspname = 'r'";
    a.batch_execute("BEGIN; CREATE SCHEMA r; CREATE TABLE r.t (x int)")
        .await
        .unwrap();
    assert_eq!(one(&a, count).await, "1");
    assert_eq!(one(&b, count).await, "0");
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(one(&a, count).await, "0");
    let e = a.simple_query("SELECT * FROM r.t").await.unwrap_err();
    assert_eq!(e.code().unwrap().code(), "42P01");
    // Committed: another session sees it and uses it.
    a.batch_execute(
        "CREATE SCHEMA r; CREATE TABLE r.t (id serial PRIMARY KEY, x int);
         CREATE VIEW r.v AS SELECT x FROM r.t",
    )
    .await
    .unwrap();
    b.batch_execute("INSERT INTO r.t (x) VALUES (7)")
        .await
        .unwrap();
    assert_eq!(one(&a, "SELECT x FROM r.v").await, "7");
    let e = b.simple_query("DROP SCHEMA r").await.unwrap_err();
    let db = e.as_db_error().unwrap();
    assert_eq!(db.code().code(), "2BP01");
    assert_eq!(
        db.detail(),
        Some("table r.t depends on schema r\nview r.v depends on schema r")
    );
    b.batch_execute("DROP SCHEMA r CASCADE").await.unwrap();
    assert_eq!(one(&a, count).await, "0");
    assert_eq!(
        one(
            &a,
            "SELECT count(*) FROM pg_class WHERE relname IN ('t', 'v', 't_pkey', 't_id_seq')"
        )
        .await,
        "0"
    );
    // The schema field of an error names the table's schema.
    a.batch_execute("CREATE SCHEMA q; CREATE TABLE q.k (id int PRIMARY KEY)")
        .await
        .unwrap();
    a.batch_execute("INSERT INTO q.k VALUES (1)").await.unwrap();
    let e = a
        .simple_query("INSERT INTO q.k VALUES (1)")
        .await
        .unwrap_err();
    let db = e.as_db_error().unwrap();
    assert_eq!(db.code().code(), "23505");
    assert_eq!(db.schema(), Some("q"));
    assert_eq!(db.table(), Some("k"));
}

/// psql (no psqlrc) as user postgres in database `db`.
fn psql(socket_dir: &Path, port: u16, db: &str, command: &str) -> String {
    let out = Command::new("psql")
        .args(["-X", "-h"])
        .arg(socket_dir)
        .args(["-p", &port.to_string(), "-U", "postgres", "-d", db])
        .args(["-c", command])
        .env_remove("PGOPTIONS")
        .output()
        .expect("run psql (PostgreSQL 15 client)");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

async fn psql_schema_commands_match_postgres(mode: Mode) {
    let srv = TestServer::start(mode);
    let reference = Reference::start();
    let setup = "CREATE SCHEMA sales; COMMENT ON SCHEMA sales IS 'Sales data'; \
                 CREATE TABLE sales.orders (id int PRIMARY KEY, note text DEFAULT 'none'); \
                 CREATE SCHEMA \"Empty Schema\"";
    let pg = reference.connect().await;
    pg.batch_execute(setup).await.unwrap();
    let ours = srv.connect().await;
    // psql logs in as, and shows owners named as, the reference's
    // superuser.
    ours.batch_execute("CREATE ROLE postgres SUPERUSER LOGIN; SET SESSION AUTHORIZATION postgres")
        .await
        .unwrap();
    ours.batch_execute(setup).await.unwrap();
    for cmd in [
        "\\dn",
        "\\dn+",
        "\\dn sales",
        "\\dt sales.*",
        "\\d sales.orders",
    ] {
        // The reference's setup went to postgres, ours to testdb.
        let expected = psql(reference.dir.path(), reference.port, "postgres", cmd);
        let got = psql(srv.socket_dir(), srv.port, "testdb", cmd);
        assert_eq!(got, expected, "psql {cmd}");
    }
}
