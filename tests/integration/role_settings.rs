//! ALTER ROLE / ALTER DATABASE ... SET end to end, in every mode: a new
//! session starts with the stored settings in PostgreSQL's order of
//! precedence (every role, the database, the role, the role in the
//! database; the startup packet's options over all of them), RESET
//! returns to them, sessions already open keep their values, and they
//! survive a restart. A role's CONNECTION LIMIT refuses its sessions
//! beyond it (FATAL 53300). And psql's `\drds`, `\dd`, `\dn+` and `\du+` (with
//! comments on constraints, triggers, functions, schemas and roles)
//! printed as PostgreSQL 15 prints them, and `\dD` / `\dD+`.

use std::path::Path;
use std::process::{Command, Output};

use crate::harness::{message, sqlstate, Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(settings_at_connection, role_connection_limit);

async fn show(c: &tokio_postgres::Client, name: &str) -> String {
    let rows = c.simple_query(&format!("SHOW {name}")).await.unwrap();
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .unwrap()
}

async fn connect_with(
    srv: &TestServer,
    user: &str,
    db: &str,
    options: &str,
) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host={} port={} user={user} dbname={db} {options}",
            srv.socket_dir().display(),
            srv.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .expect("connect");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

async fn settings_at_connection(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE amy LOGIN; CREATE ROLE ben LOGIN; CREATE DATABASE otherdb;
             ALTER ROLE ALL SET work_mem = '1MB';
             ALTER ROLE ALL SET lock_timeout = '7s';
             ALTER DATABASE otherdb SET work_mem = '2MB';
             ALTER DATABASE otherdb SET statement_timeout = '9s';
             ALTER ROLE amy SET work_mem = '3MB';
             ALTER ROLE amy SET statement_timeout = 4000;
             ALTER ROLE amy SET search_path TO amy_s, public;
             ALTER ROLE amy SET amy.custom = 'hello';
             ALTER ROLE amy IN DATABASE otherdb SET work_mem = '4MB'",
        )
        .await
        .unwrap();
    // amy in testdb: her own over every role's.
    let amy = connect_with(&srv, "amy", "testdb", "").await;
    assert_eq!(show(&amy, "work_mem").await, "3MB");
    assert_eq!(show(&amy, "statement_timeout").await, "4s");
    assert_eq!(show(&amy, "lock_timeout").await, "7s");
    assert_eq!(show(&amy, "search_path").await, "amy_s, public");
    assert_eq!(show(&amy, "amy.custom").await, "hello");
    // SET then RESET returns to the stored value, not the default.
    amy.batch_execute("SET work_mem = '32MB'").await.unwrap();
    assert_eq!(show(&amy, "work_mem").await, "32MB");
    amy.batch_execute("RESET work_mem").await.unwrap();
    assert_eq!(show(&amy, "work_mem").await, "3MB");
    amy.batch_execute("RESET ALL").await.unwrap();
    assert_eq!(show(&amy, "statement_timeout").await, "4s");
    // amy in otherdb: role-in-database over role over database.
    let amy2 = connect_with(&srv, "amy", "otherdb", "").await;
    assert_eq!(show(&amy2, "work_mem").await, "4MB");
    assert_eq!(show(&amy2, "statement_timeout").await, "4s");
    // ben in otherdb: the database's over every role's.
    let ben = connect_with(&srv, "ben", "otherdb", "").await;
    assert_eq!(show(&ben, "work_mem").await, "2MB");
    assert_eq!(show(&ben, "statement_timeout").await, "9s");
    assert_eq!(show(&ben, "lock_timeout").await, "7s");
    // ben in testdb: every role's.
    let ben2 = connect_with(&srv, "ben", "testdb", "").await;
    assert_eq!(show(&ben2, "work_mem").await, "1MB");
    assert_eq!(show(&ben2, "statement_timeout").await, "0");
    // The startup packet's options win.
    let amy3 = connect_with(&srv, "amy", "otherdb", "options='-c work_mem=5MB'").await;
    assert_eq!(show(&amy3, "work_mem").await, "5MB");
    assert_eq!(show(&amy3, "statement_timeout").await, "4s");
    // Open sessions keep their values; new ones see the change; a rolled
    // back change is not seen.
    admin
        .batch_execute(
            "ALTER ROLE amy SET work_mem = '6MB';
             BEGIN; ALTER ROLE ben SET work_mem = '60MB'; ROLLBACK",
        )
        .await
        .unwrap();
    assert_eq!(show(&amy, "work_mem").await, "3MB");
    let amy4 = connect_with(&srv, "amy", "testdb", "").await;
    assert_eq!(show(&amy4, "work_mem").await, "6MB");
    let ben3 = connect_with(&srv, "ben", "testdb", "").await;
    assert_eq!(show(&ben3, "work_mem").await, "1MB");
    // SET ROLE does not apply the role's settings (the admin session
    // started before any were stored: the default).
    admin.batch_execute("SET ROLE amy").await.unwrap();
    assert_eq!(show(&admin, "work_mem").await, "4MB");
    admin.batch_execute("RESET ROLE").await.unwrap();
    // Kept across a restart.
    for c in [amy, amy2, amy3, amy4, ben, ben2, ben3, admin] {
        drop(c);
    }
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let amy = connect_with(&srv, "amy", "otherdb", "").await;
    assert_eq!(show(&amy, "work_mem").await, "4MB");
    assert_eq!(show(&amy, "amy.custom").await, "hello");
    // RESET ALL of the role, then of every role: the defaults again.
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "ALTER ROLE amy RESET ALL; ALTER ROLE amy IN DATABASE otherdb RESET ALL;
             ALTER ROLE ALL RESET ALL; ALTER DATABASE otherdb RESET ALL",
        )
        .await
        .unwrap();
    let amy = connect_with(&srv, "amy", "otherdb", "").await;
    assert_eq!(show(&amy, "work_mem").await, "4MB");
    assert_eq!(show(&amy, "statement_timeout").await, "0");
    assert_eq!(show(&amy, "lock_timeout").await, "0");
}

/// A role's CONNECTION LIMIT, counted over every database, as
/// PostgreSQL's "too many connections for role"; superusers pass.
async fn role_connection_limit(mode: Mode) {
    let srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE lim LOGIN CONNECTION LIMIT 2; CREATE DATABASE limdb;
             CREATE ROLE zero LOGIN CONNECTION LIMIT 0;
             CREATE ROLE boss LOGIN SUPERUSER CONNECTION LIMIT 0",
        )
        .await
        .unwrap();
    let a = srv.try_connect_as("lim", "testdb").await.unwrap();
    let b = srv.try_connect_as("lim", "limdb").await.unwrap();
    let e = srv.try_connect_as("lim", "testdb").await.unwrap_err();
    assert_eq!(sqlstate(&e), "53300", "{e}");
    assert_eq!(message(&e), "too many connections for role \"lim\"");
    let e = srv.try_connect_as("zero", "testdb").await.unwrap_err();
    assert_eq!(sqlstate(&e), "53300", "{e}");
    let boss = srv.try_connect_as("boss", "testdb").await.unwrap();
    drop(boss);
    // A session that ends frees its place (its slot is released as the
    // backend exits: wait for it).
    drop(b);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let c = loop {
        match srv.try_connect_as("lim", "testdb").await {
            Ok(c) => break c,
            Err(e) => {
                assert_eq!(sqlstate(&e), "53300", "{e}");
                assert!(std::time::Instant::now() < deadline, "slot never freed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    admin
        .batch_execute("ALTER ROLE lim CONNECTION LIMIT -1")
        .await
        .unwrap();
    let d = srv.try_connect_as("lim", "testdb").await.unwrap();
    for c in [a, c, d] {
        assert_eq!(
            c.simple_query("SELECT 1").await.unwrap().len(),
            3,
            "the admitted sessions work"
        );
    }
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

/// `\drds`, `\dd`, `\dn+` and `\du+` on pgfork and PostgreSQL 15 after
/// the same settings and comments (both bootstrapped as postgres).
#[test]
fn psql_settings_and_comments_match_postgres() {
    let pg = Reference::start();
    let srv = TestServer::start_with(Mode::Process, &["-U", "postgres"]);
    let setup = [
        "CREATE ROLE alice LOGIN",
        "CREATE ROLE \"Bob Smith\"",
        "CREATE DATABASE setdb",
        "ALTER ROLE alice SET work_mem = '8MB'",
        "ALTER ROLE alice SET search_path TO a, \"B c\"",
        "ALTER ROLE alice IN DATABASE setdb SET statement_timeout = 1000",
        "ALTER DATABASE setdb SET DateStyle = 'ISO, DMY'",
        "ALTER ROLE ALL SET lock_timeout = '5s'",
        "COMMENT ON ROLE alice IS 'the first user'",
        "CREATE SCHEMA sales",
        "COMMENT ON SCHEMA sales IS 'sales data'",
        "CREATE TABLE items (id int PRIMARY KEY, qty int CHECK (qty > 0))",
        "COMMENT ON CONSTRAINT items_pkey ON items IS 'the key'",
        "COMMENT ON CONSTRAINT items_qty_check ON items IS 'positive'",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()",
        "COMMENT ON TRIGGER items_touch ON items IS 'on update'",
        "CREATE DOMAIN posint AS int CONSTRAINT posint_check CHECK (VALUE > 0)",
        "COMMENT ON CONSTRAINT posint_check ON DOMAIN posint IS 'domain check'",
        "COMMENT ON DOMAIN posint IS 'positive'",
        "CREATE DOMAIN code AS varchar(10) COLLATE \"C\" NOT NULL DEFAULT 'x'",
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
    for cmd in [
        "\\drds",
        "\\drds alice",
        "\\drds alice setdb",
        "\\drds nobody",
        "\\dd",
        "\\dn+",
        "\\du+",
        "\\dD",
        "\\dD+",
    ] {
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
