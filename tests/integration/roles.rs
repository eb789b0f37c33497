//! Roles and privileges end to end, in every mode: who may log in (FATAL
//! 28000 for an unknown role or one without LOGIN), a non-superuser's
//! session refused (42501) until a GRANT from another session, and again
//! after the REVOKE; SET ROLE and SET SESSION AUTHORIZATION; roles kept
//! across a restart. And psql's `\du`, `\dp` and `\dt` printed as
//! PostgreSQL 15 prints them for the same roles, grants and owners.

use std::path::Path;
use std::process::{Command, Output};

use crate::harness::{message, sqlstate, Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(roles_and_privileges);

async fn connect_as(
    srv: &TestServer,
    user: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    srv.try_connect_as(user, "testdb").await
}

async fn one(c: &tokio_postgres::Client, sql: &str) -> String {
    let rows = c.simple_query(sql).await.unwrap();
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .unwrap()
}

async fn error(c: &tokio_postgres::Client, sql: &str) -> (String, String) {
    let e = c.simple_query(sql).await.unwrap_err();
    (sqlstate(&e), message(&e))
}

async fn roles_and_privileges(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE alice LOGIN; CREATE ROLE nologin_role;
             CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);
             CREATE SEQUENCE s; CREATE VIEW v AS SELECT count(*) AS n FROM t",
        )
        .await
        .unwrap();

    // Who may log in.
    let e = connect_as(&srv, "nobody").await.unwrap_err();
    assert_eq!(sqlstate(&e), "28000", "{e}");
    assert_eq!(message(&e), "role \"nobody\" does not exist");
    let e = connect_as(&srv, "nologin_role").await.unwrap_err();
    assert_eq!(sqlstate(&e), "28000", "{e}");
    assert_eq!(
        message(&e),
        "role \"nologin_role\" is not permitted to log in"
    );

    // A non-superuser: refused, then granted from another session, then
    // revoked.
    let alice = connect_as(&srv, "alice").await.unwrap();
    assert_eq!(
        one(
            &alice,
            "SELECT current_user || ' ' || session_user || ' ' || current_setting('is_superuser')"
        )
        .await,
        "alice alice off"
    );
    for sql in [
        "SELECT * FROM t",
        "INSERT INTO t VALUES (3)",
        "UPDATE t SET id = 0",
        "DELETE FROM t",
        "TRUNCATE t",
    ] {
        assert_eq!(
            error(&alice, sql).await,
            ("42501".into(), "permission denied for table t".into()),
            "{sql}"
        );
    }
    assert_eq!(
        error(&alice, "SELECT * FROM v").await,
        ("42501".into(), "permission denied for view v".into())
    );
    assert_eq!(
        error(&alice, "SELECT nextval('s')").await,
        ("42501".into(), "permission denied for sequence s".into())
    );
    assert_eq!(
        error(&alice, "CREATE TABLE mine (a int)").await,
        ("42501".into(), "permission denied for schema public".into())
    );
    assert_eq!(
        error(&alice, "DROP TABLE t").await,
        ("42501".into(), "must be owner of table t".into())
    );
    assert_eq!(error(&alice, "SET ROLE tester").await.0, "42501");
    assert_eq!(
        error(&alice, "SET SESSION AUTHORIZATION tester").await.0,
        "42501"
    );
    assert_eq!(error(&alice, "CREATE ROLE x").await.0, "42501");
    // A prepared statement is checked at each execution.
    let prepared = alice.prepare("SELECT count(*) FROM t").await.unwrap();
    assert_eq!(
        sqlstate(&alice.query(&prepared, &[]).await.unwrap_err()),
        "42501"
    );

    admin
        .batch_execute(
            "GRANT SELECT, INSERT ON t TO alice; GRANT SELECT ON v TO alice;
             GRANT USAGE ON SEQUENCE s TO alice;
             GRANT CREATE ON SCHEMA public TO alice;
             GRANT CREATE ON DATABASE testdb TO alice",
        )
        .await
        .unwrap();
    assert_eq!(one(&alice, "SELECT count(*) FROM t").await, "2");
    assert_eq!(alice.query(&prepared, &[]).await.unwrap().len(), 1);
    alice
        .batch_execute("INSERT INTO t VALUES (3)")
        .await
        .unwrap();
    // The view reads t as its owner.
    assert_eq!(one(&alice, "SELECT n FROM v").await, "3");
    assert_eq!(one(&alice, "SELECT nextval('s')").await, "1");
    assert_eq!(error(&alice, "DELETE FROM t").await.0, "42501");
    alice
        .batch_execute("CREATE TABLE mine (a int)")
        .await
        .unwrap();
    assert_eq!(
        one(
            &admin,
            "SELECT tableowner FROM pg_tables WHERE tablename = 'mine'"
        )
        .await,
        "alice"
    );
    assert_eq!(
        one(
            &alice,
            "SELECT has_table_privilege('t', 'select')::text || has_table_privilege('t', 'delete')::text
             || has_database_privilege('testdb', 'create')::text
             || has_schema_privilege('public', 'create')::text"
        )
        .await,
        "truefalsetruetrue"
    );
    assert_eq!(
        one(
            &admin,
            "SELECT datacl::text FROM pg_database WHERE datname = current_database()"
        )
        .await,
        "{=Tc/tester,tester=CTc/tester,alice=C/tester}"
    );

    admin
        .batch_execute("REVOKE ALL ON t FROM alice")
        .await
        .unwrap();
    assert_eq!(
        error(&alice, "SELECT * FROM t").await,
        ("42501".into(), "permission denied for table t".into())
    );

    // SET ROLE and SET SESSION AUTHORIZATION from the superuser.
    admin.batch_execute("SET ROLE alice").await.unwrap();
    assert_eq!(
        one(&admin, "SELECT current_user || ' ' || session_user").await,
        "alice tester"
    );
    assert_eq!(error(&admin, "SELECT * FROM t").await.0, "42501");
    admin.batch_execute("RESET ROLE").await.unwrap();
    admin
        .batch_execute("SET SESSION AUTHORIZATION alice")
        .await
        .unwrap();
    assert_eq!(
        one(&admin, "SELECT current_user || ' ' || session_user").await,
        "alice alice"
    );
    admin
        .batch_execute("RESET SESSION AUTHORIZATION")
        .await
        .unwrap();
    assert_eq!(one(&admin, "SELECT current_user").await, "tester");

    // A role that owns objects cannot be dropped.
    let (code, msg) = error(&admin, "DROP ROLE alice").await;
    assert_eq!(code, "2BP01");
    assert_eq!(
        msg,
        "role \"alice\" cannot be dropped because some objects depend on it"
    );

    // Roles, owners and grants survive a restart.
    drop((alice, admin));
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let admin = srv.connect().await;
    assert_eq!(
        one(
            &admin,
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'mine'"
        )
        .await,
        "alice"
    );
    assert_eq!(
        one(
            &admin,
            "SELECT relacl::text FROM pg_class WHERE relname = 's'"
        )
        .await,
        "{tester=rwU/tester,alice=U/tester}"
    );
    let alice = connect_as(&srv, "alice").await.unwrap();
    assert_eq!(one(&alice, "SELECT count(*) FROM mine").await, "0");
}

/// psql (aligned, no psqlrc) as postgres; the command's output.
fn psql(socket_dir: &Path, port: u16, db: &str, args: &[&str]) -> Output {
    Command::new("psql")
        .args(["-X", "-h"])
        .arg(socket_dir)
        .args(["-p", &port.to_string(), "-U", "postgres", "-d", db])
        .args(args)
        .env_remove("PGOPTIONS")
        .output()
        .expect("run psql")
}

/// `\du`, `\dp` and `\dt` on pgfork and PostgreSQL 15 after the same
/// roles, grants and owner changes (both bootstrapped as postgres).
#[test]
fn psql_roles_and_privileges_match_postgres() {
    let pg = Reference::start();
    let srv = TestServer::start_with(Mode::Process, &["-U", "postgres"]);
    let setup = [
        "CREATE ROLE alice LOGIN",
        "CREATE ROLE \"Bob Smith\" CREATEDB CREATEROLE CONNECTION LIMIT 5",
        "CREATE ROLE grp NOLOGIN NOINHERIT",
        "CREATE ROLE expiring LOGIN VALID UNTIL 'infinity'",
        "GRANT grp TO alice",
        "CREATE TABLE items (id int, name text)",
        "CREATE TABLE other (x int)",
        "CREATE SEQUENCE counter",
        "CREATE VIEW item_names AS SELECT name FROM items",
        "GRANT SELECT ON items TO alice",
        "GRANT INSERT, UPDATE ON items TO grp WITH GRANT OPTION",
        "GRANT ALL ON item_names TO PUBLIC",
        "GRANT USAGE ON SEQUENCE counter TO \"Bob Smith\"",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO grp",
        "REVOKE TRUNCATE ON other FROM postgres",
        "ALTER TABLE other OWNER TO alice",
    ];
    let (pg_dir, pg_port) = (pg.dir.path().to_owned(), pg.port);
    for (dir, port, db) in [
        (pg_dir.as_path(), pg_port, "postgres"),
        (srv.socket_dir(), srv.port, "testdb"),
    ] {
        let mut args = vec!["-v", "ON_ERROR_STOP=1"];
        for st in setup {
            args.extend(["-c", st]);
        }
        let out = psql(dir, port, db, &args);
        assert!(out.status.success(), "setup on port {port}: {out:?}");
    }
    let mut failures = Vec::new();
    for cmd in ["\\du", "\\dp", "\\dt", "\\dg alice"] {
        let show = |dir: &Path, port: u16, db: &str| {
            let out = psql(dir, port, db, &["-c", cmd]);
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr)
        };
        let ours = show(srv.socket_dir(), srv.port, "testdb");
        let theirs = show(&pg_dir, pg_port, "postgres");
        if ours != theirs {
            failures.push(format!(
                "{cmd}\n--- pgfork:\n{ours}\n--- PostgreSQL 15:\n{theirs}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
