//! The server core's process behaviour: cancel, connection limits, many
//! sessions, a backend killed by a signal, garbage on the socket, shutdown
//! by each signal, and a second server on the same port.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    psql_cancel_interrupts_pg_sleep,
    max_connections_refuses_with_53300,
    two_hundred_concurrent_sessions,
    garbage_on_the_socket_is_rejected,
    smart_shutdown_cleans_up,
    fast_shutdown_ends_sessions,
    immediate_shutdown_cleans_up,
    second_server_on_same_port_refuses,
    pgbench_custom_script,
);

async fn psql_cancel_interrupts_pg_sleep(mode: Mode) {
    let srv = TestServer::start(mode);
    let start = Instant::now();
    let out = Command::new("timeout")
        .args(["-s", "INT", "2", "psql", "-X", "-h"])
        .arg(srv.socket_dir())
        .args(["-p", &srv.port.to_string(), "-U", "tester", "-d", "testdb"])
        .args(["-c", "select pg_sleep(20)"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("canceling statement due to user request"),
        "psql said: {err}\nserver log:\n{}",
        srv.log()
    );
    assert!(start.elapsed() < Duration::from_secs(15));
    // The server still serves the same kind of query.
    let c = srv.connect().await;
    let r = c
        .query_one("SELECT pg_sleep(0.01)::text, 1", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, i32>(1), 1);
    // Cancel through the driver's cancel token on a running query.
    let token = c.cancel_token();
    let q = tokio::spawn(async move { c.simple_query("SELECT pg_sleep(30)").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel_query(tokio_postgres::NoTls).await.unwrap();
    let e = q.await.unwrap().unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
}

async fn max_connections_refuses_with_53300(mode: Mode) {
    let srv = TestServer::start_with(mode, &["--max-connections", "3"]);
    // The harness's readiness probe may still hold a slot for a moment:
    // retry the first connections while that backend goes away.
    let mut held = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while held.len() < 3 {
        match srv.try_connect().await {
            Ok(c) => held.push(c),
            Err(e) if sqlstate(&e) == "53300" && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("connect: {e}"),
        }
    }
    let Err(e) = srv.try_connect().await else {
        panic!("fourth connection must fail");
    };
    assert_eq!(sqlstate(&e), "53300", "{e}");
    assert_eq!(
        crate::harness::message(&e),
        "sorry, too many clients already"
    );
    // Those already in are unaffected; a freed place can be taken again.
    assert_eq!(
        held[0]
            .query_one("SELECT 1", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1
    );
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match srv.try_connect().await {
            Ok(c) => {
                c.query_one("SELECT 1", &[]).await.unwrap();
                break;
            }
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("slot was not freed: {e}"),
        }
    }
}

async fn two_hundred_concurrent_sessions(mode: Mode) {
    let srv = TestServer::start_with(mode, &["--max-connections", "210"]);
    let mut tasks = Vec::new();
    for i in 0..200i32 {
        let cs = srv.conn_string();
        tasks.push(tokio::spawn(async move {
            let (c, conn) = tokio_postgres::connect(&cs, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            let v: i32 = c.query_one("SELECT $1::int4 * 2", &[&i]).await?.get(0);
            Ok::<_, tokio_postgres::Error>((c, v))
        }));
    }
    let mut clients = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        let (c, v) = t.await.unwrap().unwrap();
        assert_eq!(v, 2 * i as i32);
        clients.push(c);
    }
    let n: i64 = clients[0]
        .query_one("SELECT count(*) FROM pg_stat_activity", &[])
        .await
        .unwrap()
        .get(0);
    assert!(n >= 200, "pg_stat_activity shows {n} sessions");
}

/// A session's garbage must get that client a FATAL or a closed socket,
/// and nothing else.
async fn garbage_on_the_socket_is_rejected(mode: Mode) {
    let srv = TestServer::start(mode);
    let keep = srv.connect().await;
    let payloads: Vec<Vec<u8>> = vec![
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        vec![0xff; 64],
        vec![0, 0, 0, 2],                         // startup length too small
        vec![0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0], // startup length too large
        (0..255u8).collect(),
    ];
    for p in payloads {
        let mut s = UnixStream::connect(srv.socket_path()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = s.write_all(&p);
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        if !buf.is_empty() {
            assert_eq!(buf[0], b'E', "expected an ErrorResponse, got {buf:?}");
            let text = String::from_utf8_lossy(&buf);
            assert!(text.contains("FATAL"), "{text}");
        }
    }
    // A valid startup followed by a message with a bad length word.
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&startup_packet()).unwrap();
    read_until_ready(&mut s);
    s.write_all(&[b'Q', 0xff, 0xff, 0xff, 0xf0]).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    assert!(text.contains("08P01"), "{text}");
    // An unknown message type.
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&startup_packet()).unwrap();
    read_until_ready(&mut s);
    s.write_all(&[b'!', 0, 0, 0, 4]).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(String::from_utf8_lossy(&buf).contains("08P01"));
    // A Bind whose parameter count lies about its body.
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&startup_packet()).unwrap();
    read_until_ready(&mut s);
    s.write_all(&[b'B', 0, 0, 0, 12, 0, 0, 0, 0, 0x7f, 0xff, 0, 1])
        .unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(String::from_utf8_lossy(&buf).contains("08P01"), "{buf:?}");
    // The server and the other session are fine.
    assert_eq!(
        keep.query_one("SELECT 5", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        5
    );
    srv.connect()
        .await
        .query_one("SELECT 1", &[])
        .await
        .unwrap();
}

pub fn startup_packet() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608i32.to_be_bytes());
    for (k, v) in [("user", "tester"), ("database", "testdb")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut pkt = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    pkt.extend(body);
    pkt
}

/// Reads backend messages until ReadyForQuery.
pub fn read_until_ready(s: &mut UnixStream) {
    loop {
        let mut hdr = [0u8; 5];
        s.read_exact(&mut hdr).unwrap();
        let len = i32::from_be_bytes([hdr[1], hdr[2], hdr[3], hdr[4]]) as usize;
        let mut body = vec![0u8; len - 4];
        s.read_exact(&mut body).unwrap();
        if hdr[0] == b'Z' {
            return;
        }
        assert_ne!(
            hdr[0],
            b'E',
            "error during startup: {}",
            String::from_utf8_lossy(&body)
        );
    }
}

fn assert_cleaned_up(srv: &TestServer) {
    assert!(!srv.socket_path().exists(), "socket left behind");
    let lock = srv.socket_dir().join(format!(".s.PGSQL.{}.lock", srv.port));
    assert!(!lock.exists(), "socket lock file left behind");
    assert!(
        !srv.data_dir().join("postmaster.pid").exists(),
        "postmaster.pid left behind"
    );
    let shm = std::path::Path::new("/dev/shm").join(format!("pgfork.{}", srv.port));
    assert!(!shm.exists(), "shared memory segment left behind");
}

async fn smart_shutdown_cleans_up(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.query_one("SELECT 1", &[]).await.unwrap();
    // Smart shutdown waits for the session to end.
    let pid = nix::unistd::Pid::from_raw(srv.pid());
    nix::sys::signal::kill(pid, Signal::SIGTERM).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        srv.child.as_mut().unwrap().try_wait().unwrap().is_none(),
        "smart shutdown must wait"
    );
    assert_eq!(
        c.query_one("SELECT 2", &[]).await.unwrap().get::<_, i32>(0),
        2
    );
    // New sessions are refused meanwhile.
    let Err(e) = srv.try_connect().await else {
        panic!("refused while shutting down");
    };
    assert_eq!(sqlstate(&e), "57P03");
    drop(c);
    let st = srv.stop_with(Signal::SIGTERM);
    assert!(st.success(), "{st}\n{}", srv.log());
    assert_cleaned_up(&srv);
}

async fn fast_shutdown_ends_sessions(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.query_one("SELECT 1", &[]).await.unwrap();
    let st = srv.stop_with(Signal::SIGINT);
    assert!(st.success(), "{st}\n{}", srv.log());
    assert!(c.query_one("SELECT 1", &[]).await.is_err());
    assert_cleaned_up(&srv);
}

async fn immediate_shutdown_cleans_up(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.query_one("SELECT 1", &[]).await.unwrap();
    srv.stop_with(Signal::SIGQUIT);
    assert_cleaned_up(&srv);
}

async fn second_server_on_same_port_refuses(mode: Mode) {
    let srv = TestServer::start(mode);
    // Same socket directory and port, another data directory.
    let other = srv.socket_dir().join("other");
    let out = Command::new(crate::harness::bin())
        .arg("-D")
        .arg(&other)
        .arg("-k")
        .arg(srv.socket_dir())
        .args(["-p", &srv.port.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("Is another postmaster"),
        "{err}"
    );
    // Same data directory, another port.
    let out = Command::new(crate::harness::bin())
        .arg("-D")
        .arg(srv.data_dir())
        .arg("-k")
        .arg(srv.socket_dir())
        .args(["-p", &(srv.port.wrapping_add(7)).to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postmaster.pid"));
    // The first server is unharmed.
    srv.connect()
        .await
        .query_one("SELECT 1", &[])
        .await
        .unwrap();
}

async fn pgbench_custom_script(mode: Mode) {
    let srv = TestServer::start(mode);
    let script = srv.socket_dir().join("select1.sql");
    std::fs::write(&script, "SELECT 1;\n").unwrap();
    for protocol in ["simple", "extended", "prepared"] {
        let out = Command::new("pgbench")
            .args(["-n", "-c", "4", "-j", "2", "-t", "50", "-M", protocol, "-f"])
            .arg(&script)
            .arg("-h")
            .arg(srv.socket_dir())
            .args(["-p", &srv.port.to_string(), "-U", "tester", "testdb"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pgbench -M {protocol}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("number of transactions actually processed: 200/200"),
            "{text}"
        );
    }
    // Connection churn: a new connection per transaction.
    let out = Command::new("pgbench")
        .args(["-n", "-C", "-c", "2", "-t", "20", "-f"])
        .arg(&script)
        .arg("-h")
        .arg(srv.socket_dir())
        .args(["-p", &srv.port.to_string(), "-U", "tester", "testdb"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

in_all_modes!(ssl_request_is_declined, tcp_listener_serves_queries);

/// An SSLRequest gets 'N' and the session goes on in plain text, as
/// PostgreSQL answers on a socket without TLS.
async fn ssl_request_is_declined(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).unwrap();
    let mut answer = [0u8; 1];
    s.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"N");
    s.write_all(&startup_packet()).unwrap();
    read_until_ready(&mut s);
    // A second SSLRequest on one connection is a protocol violation (a
    // client repeating it without reading could keep a backend busy).
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let ssl = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
    s.write_all(&ssl).unwrap();
    s.read_exact(&mut answer).unwrap();
    s.write_all(&ssl).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(
        rest.first() == Some(&b'E') && text.contains("08P01"),
        "{text}"
    );
}

async fn tcp_listener_serves_queries(mode: Mode) {
    let srv = TestServer::start_with(mode, &["--listen", "127.0.0.1", "--tcp-trust"]);
    let (c, conn) = tokio_postgres::connect(
        &format!("host=127.0.0.1 port={} user=tester dbname=testdb", srv.port),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let v: i32 = c
        .query_one("SELECT $1::int4 * 3", &[&14i32])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 42);
}
