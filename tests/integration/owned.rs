//! Ownership across databases, in every mode: DROP ROLE refused while
//! objects of any database depend on the role (2BP01 with PostgreSQL
//! 15's DETAIL lines: this database's objects and the shared ones, then
//! "N objects in database x" for each other), pg_shdepend showing every
//! database's rows, REASSIGN OWNED and DROP OWNED acting on the current
//! database only (and on databases the role owns or has privileges on).

use crate::harness::{message, sqlstate, Mode, TestServer};

async fn one(c: &tokio_postgres::Client, sql: &str) -> String {
    let rows = c.simple_query(sql).await.unwrap();
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .unwrap()
}

/// The SQLSTATE, message and DETAIL of a statement that fails.
async fn failure(c: &tokio_postgres::Client, sql: &str) -> (String, String, String) {
    let e = c.simple_query(sql).await.unwrap_err();
    let detail = e
        .as_db_error()
        .and_then(|d| d.detail())
        .unwrap_or("")
        .to_owned();
    (sqlstate(&e), message(&e), detail)
}

fn dependents(role: &str, detail: &str) -> (String, String, String) {
    (
        "2BP01".to_owned(),
        format!("role \"{role}\" cannot be dropped because some objects depend on it"),
        detail.to_owned(),
    )
}

in_all_modes!(drop_role_sees_every_database);

async fn drop_role_sees_every_database(mode: Mode) {
    let srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE ow_a; CREATE ROLE ow_b;
             CREATE SCHEMA ow_s AUTHORIZATION ow_a;
             CREATE TABLE ow_t (a int); ALTER TABLE ow_t OWNER TO ow_a;
             CREATE TABLE ow_g (a int); GRANT SELECT ON ow_g TO ow_a;
             CREATE DATABASE ow_db2 OWNER ow_a",
        )
        .await
        .unwrap();
    let db2 = srv.try_connect_as("tester", "ow_db2").await.unwrap();
    db2.batch_execute(
        "CREATE TABLE x (a int); ALTER TABLE x OWNER TO ow_b; GRANT SELECT ON x TO ow_a",
    )
    .await
    .unwrap();

    assert_eq!(
        failure(&admin, "DROP ROLE ow_a").await,
        dependents(
            "ow_a",
            "owner of schema ow_s\nowner of table ow_t\nprivileges for table ow_g\n\
             owner of database ow_db2\n1 object in database ow_db2"
        )
    );
    assert_eq!(
        failure(&db2, "DROP ROLE ow_a").await,
        dependents(
            "ow_a",
            "owner of database ow_db2\nprivileges for table x\n3 objects in database testdb"
        )
    );
    assert_eq!(
        failure(&db2, "DROP ROLE ow_b").await,
        dependents("ow_b", "owner of table x")
    );
    // pg_shdepend holds every database's rows, and the shared ones.
    let count = "SELECT count(*) FROM pg_shdepend WHERE dbid = \
                 (SELECT oid FROM pg_database WHERE datname = 'testdb')";
    assert_eq!(one(&db2, count).await, "3");
    assert_eq!(one(&admin, count).await, "3");
    assert_eq!(
        one(
            &admin,
            "SELECT string_agg(deptype::text, ',' ORDER BY deptype) FROM pg_shdepend \
             WHERE dbid = 0 AND classid = 'pg_database'::regclass"
        )
        .await,
        "o"
    );

    // REASSIGN OWNED and DROP OWNED act on the current database only.
    db2.batch_execute("REASSIGN OWNED BY ow_b TO ow_a; DROP ROLE ow_b")
        .await
        .unwrap();
    // A rolled-back DROP OWNED leaves everything.
    db2.batch_execute("BEGIN; DROP OWNED BY ow_a; ROLLBACK")
        .await
        .unwrap();
    assert_eq!(
        one(&db2, "SELECT count(*) FROM pg_class WHERE relname = 'x'").await,
        "1"
    );
    db2.batch_execute("DROP OWNED BY ow_a").await.unwrap();
    assert_eq!(
        one(&db2, "SELECT count(*) FROM pg_class WHERE relname = 'x'").await,
        "0"
    );
    assert_eq!(
        failure(&admin, "DROP ROLE ow_a").await,
        dependents(
            "ow_a",
            "owner of schema ow_s\nowner of table ow_t\nprivileges for table ow_g\n\
             owner of database ow_db2"
        )
    );
    admin.batch_execute("DROP OWNED BY ow_a").await.unwrap();
    assert_eq!(
        failure(&admin, "DROP ROLE ow_a").await,
        dependents("ow_a", "owner of database ow_db2")
    );
    drop(db2);
    // The other session may take a moment to end.
    let mut dropped = false;
    for _ in 0..200 {
        if admin.batch_execute("DROP DATABASE ow_db2").await.is_ok() {
            dropped = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(dropped, "DROP DATABASE ow_db2 kept failing");
    admin.batch_execute("DROP ROLE ow_a").await.unwrap();
    assert_eq!(one(&admin, "SELECT count(*) FROM pg_shdepend").await, "0");
}
