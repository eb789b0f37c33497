//! The server core's protocol behaviour: simple and extended queries with
//! text and binary parameters, errors and recovery, transaction status,
//! settings, pg_stat_activity.

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    negotiate_protocol_version,
    simple_and_extended_queries,
    errors_and_recovery,
    transaction_status_and_settings,
    stat_activity_lists_sessions,
    psql_prints_errors_like_postgres,
    extended_error_is_sent_before_sync,
);

async fn simple_and_extended_queries(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    // Simple protocol, several statements in one string.
    let msgs = c
        .simple_query("SELECT 1 AS a; SELECT 'x' || 'y', 2 + 3 * 4")
        .await
        .unwrap();
    let rows: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get("a"), Some("1"));
    assert_eq!(rows[1].get(0), Some("xy"));
    assert_eq!(rows[1].get(1), Some("14"));

    // Extended protocol: tokio-postgres sends parameters and reads results
    // in binary.
    let row = c
        .query_one(
            "SELECT $1::int4 + 1, $2::text || '!', $3::int8 * 2, $4::float8 / 2, $5::bool",
            &[&41i32, &"hi", &(1i64 << 40), &3.0f64, &true],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);
    assert_eq!(row.get::<_, String>(1), "hi!");
    assert_eq!(row.get::<_, i64>(2), 1i64 << 41);
    assert_eq!(row.get::<_, f64>(3), 1.5);
    assert!(row.get::<_, bool>(4));
    // NULL parameters and results.
    let row = c
        .query_one("SELECT $1::int4 IS NULL, NULL::text", &[&None::<i32>])
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert_eq!(row.get::<_, Option<String>>(1), None);
    // A named prepared statement, executed twice.
    let st = c.prepare("SELECT $1::int4 * $1::int4").await.unwrap();
    for v in [3i32, 7] {
        assert_eq!(
            c.query_one(&st, &[&v]).await.unwrap().get::<_, i32>(0),
            v * v
        );
    }
    // Text-format parameters through psql's \bind is PG16; use the simple
    // protocol's text results instead for version().
    let v: String = c.query_one("SELECT version()", &[]).await.unwrap().get(0);
    assert!(v.starts_with("PostgreSQL 15"), "{v}");
    let pid: i32 = c
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(pid > 0);
}

async fn errors_and_recovery(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let e = c.simple_query("SELEC 1").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42601");
    let e = c.query("SELECT 1/0", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    let e = c
        .query("SELECT 2147483647::int4 + 1", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    let e = c.query("SELECT 'abc'::int4", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    // The session goes on.
    assert_eq!(
        c.query_one("SELECT 1", &[]).await.unwrap().get::<_, i32>(0),
        1
    );

    // An error inside a transaction block aborts it until ROLLBACK.
    c.batch_execute("BEGIN").await.unwrap();
    assert!(c.query("SELECT 1/0", &[]).await.is_err());
    let e = c.query("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        c.query_one("SELECT 2", &[]).await.unwrap().get::<_, i32>(0),
        2
    );

    // Pipelined extended-protocol queries: the failing one does not take
    // the others down once the next Sync has passed.
    let (a, b, d) = tokio::join!(
        c.query_one("SELECT 10", &[]),
        c.query_one("SELECT 1/0", &[]),
        c.query_one("SELECT 30", &[])
    );
    assert_eq!(a.unwrap().get::<_, i32>(0), 10);
    assert_eq!(sqlstate(&b.unwrap_err()), "22012");
    assert_eq!(d.unwrap().get::<_, i32>(0), 30);

    // Statements not supported yet fail cleanly with a SQLSTATE.
    let e = c
        .simple_query("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()")
        .await
        .unwrap_err();
    assert!(e.code().is_some(), "{e}");
    assert_eq!(
        c.query_one("SELECT 3", &[]).await.unwrap().get::<_, i32>(0),
        3
    );
}

async fn transaction_status_and_settings(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let show = |name: &'static str| {
        let c = &c;
        async move {
            let m = c.simple_query(&format!("SHOW {name}")).await.unwrap();
            match &m[1] {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).unwrap().to_owned(),
                other => panic!("no row for SHOW {name}: {other:?}"),
            }
        }
    };
    let expected_mode = match mode {
        Mode::Thread => "thread",
        Mode::Pool | Mode::PoolProcesses => "pool",
        Mode::Process | Mode::Prefork => "process",
    };
    assert_eq!(show("pgfork.mode").await, expected_mode);
    assert_eq!(show("server_version").await, "15.0");
    c.batch_execute("SET application_name = 'itest'")
        .await
        .unwrap();
    assert_eq!(show("application_name").await, "itest");
    c.batch_execute("RESET application_name").await.unwrap();
    assert_eq!(show("application_name").await, "");
    let e = c.simple_query("SHOW no_such_setting").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    // Transaction blocks through the simple protocol.
    c.batch_execute("BEGIN; SELECT 1; COMMIT").await.unwrap();
    c.batch_execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await
        .unwrap();
    c.batch_execute("ROLLBACK").await.unwrap();
}

async fn stat_activity_lists_sessions(mode: Mode) {
    let srv = TestServer::start(mode);
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("SET application_name = 'session_a'")
        .await
        .unwrap();
    let pid_a: i32 = a
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let pid_b: i32 = b
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert_ne!(pid_a, pid_b);
    let rows = b
        .query(
            "SELECT pid, usename, datname, state, query, backend_type FROM pg_stat_activity ORDER BY pid",
            &[],
        )
        .await
        .unwrap();
    let me = rows
        .iter()
        .find(|r| r.get::<_, i32>(0) == pid_b)
        .expect("own row");
    assert_eq!(me.get::<_, String>(1), "tester");
    assert_eq!(me.get::<_, String>(2), "testdb");
    assert_eq!(me.get::<_, String>(3), "active");
    assert!(me.get::<_, String>(4).contains("pg_stat_activity"));
    assert_eq!(me.get::<_, String>(5), "client backend");
    let other = rows
        .iter()
        .find(|r| r.get::<_, i32>(0) == pid_a)
        .expect("a's row");
    assert_eq!(other.get::<_, String>(3), "idle");
    let n: i64 = b
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'session_a'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

async fn psql_prints_errors_like_postgres(mode: Mode) {
    let srv = TestServer::start(mode);
    let out = srv.psql(&["-A", "-t", "-c", "SELECT 6 * 7"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
    let out = srv.psql(&["-c", "SELECT 1/0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ERROR:  division by zero"), "{err}");
    // Several statements, one failing, with ON_ERROR_STOP off.
    let out = srv.psql(&[
        "-A", "-t", "-c", "SELECT 1", "-c", "SELEC 2", "-c", "SELECT 3",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains('1') && text.contains('3'), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("syntax error"));
}

/// One backend message: (type, body).
fn read_message(s: &mut std::os::unix::net::UnixStream) -> std::io::Result<(u8, Vec<u8>)> {
    use std::io::Read;
    let mut head = [0u8; 5];
    s.read_exact(&mut head)?;
    let len = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body)?;
    Ok((head[0], body))
}

fn frontend(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// asyncpg's pattern: Parse, Describe, Flush and no Sync. An error must
/// arrive at once (as PostgreSQL sends it), not wait for a Sync that the
/// client will not send before it has the answer.
async fn extended_error_is_sent_before_sync(mode: Mode) {
    use std::io::Write;
    let srv = TestServer::start(mode);
    let mut s = std::os::unix::net::UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut startup = Vec::new();
    startup.extend_from_slice(&196608u32.to_be_bytes());
    startup.extend_from_slice(b"user\0tester\0database\0postgres\0\0");
    let mut packet = ((startup.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend_from_slice(&startup);
    s.write_all(&packet).unwrap();
    while read_message(&mut s).unwrap().0 != b'Z' {}
    let mut msgs = frontend(b'P', b"\0SELEC 1\0\0\0");
    msgs.extend(frontend(b'D', b"S\0"));
    msgs.extend(frontend(b'H', b""));
    s.write_all(&msgs).unwrap();
    let (kind, body) = read_message(&mut s).expect("the error arrives without a Sync");
    assert_eq!(kind, b'E', "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("42601"));
    // Everything up to the Sync is skipped; the Sync ends the cycle.
    s.write_all(&frontend(b'S', b"")).unwrap();
    assert_eq!(read_message(&mut s).unwrap().0, b'Z');
}

/// A startup packet asking for protocol 3.2 with a `_pq_.` option gets
/// NegotiateProtocolVersion (newest version 3.0, the unknown option) and
/// then a session, as PostgreSQL answers; so does 3.0 with the option.
async fn negotiate_protocol_version(mode: Mode) {
    use std::io::Write;
    let srv = TestServer::start(mode);
    for version in [(3u32 << 16) | 2, 3 << 16] {
        let mut s = std::os::unix::net::UnixStream::connect(srv.socket_path()).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut startup = version.to_be_bytes().to_vec();
        startup.extend_from_slice(
            b"user\0tester\0database\0postgres\0_pq_.frobnicate\0on\0options\0-c DateStyle=ISO,DMY\0\0",
        );
        let mut packet = ((startup.len() + 4) as u32).to_be_bytes().to_vec();
        packet.extend_from_slice(&startup);
        s.write_all(&packet).unwrap();
        let (kind, body) = read_message(&mut s).unwrap();
        assert_eq!(kind, b'v', "{}", String::from_utf8_lossy(&body));
        assert_eq!(&body[..4], &196608u32.to_be_bytes(), "newest version: 3.0");
        assert_eq!(&body[4..8], &1u32.to_be_bytes(), "one unknown option");
        assert_eq!(&body[8..], b"_pq_.frobnicate\0");
        let mut statuses = Vec::new();
        loop {
            let (kind, body) = read_message(&mut s).unwrap();
            assert_ne!(kind, b'E', "{}", String::from_utf8_lossy(&body));
            if kind == b'S' {
                statuses.push(String::from_utf8_lossy(&body).into_owned());
            }
            if kind == b'Z' {
                break;
            }
        }
        assert!(
            statuses.contains(&"DateStyle\0ISO, DMY\0".to_owned()),
            "{statuses:?}"
        );
    }
}
