//! The socket path of a session, byte by byte, in every mode: what the
//! reader and writer must get right however the client's bytes arrive
//! (a pipeline of many messages in one write, a message split across
//! writes with pauses between them), and the idle wait of a LISTENing
//! session, which takes input that is already there without waiting
//! (reader.rs `fill_if_ready`) and otherwise still wakes for a
//! notification and for idle_session_timeout.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::harness::{Mode, TestServer};

in_all_modes!(
    pipeline_of_100_executes_with_one_sync,
    message_split_across_writes,
    listening_session_reads_ready_input,
    listening_session_woken_and_timed_out,
);

/// One backend message: (type, body).
fn read_message(s: &mut UnixStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).expect("a message from the server");
    let len = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body).unwrap();
    (head[0], body)
}

fn frontend(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn query(sql: &str) -> Vec<u8> {
    let mut body = sql.as_bytes().to_vec();
    body.push(0);
    frontend(b'Q', &body)
}

/// A session on the Unix socket, after its first ReadyForQuery.
fn connect(srv: &TestServer) -> UnixStream {
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut startup = 196608u32.to_be_bytes().to_vec();
    startup.extend_from_slice(b"user\0tester\0database\0postgres\0\0");
    let mut packet = ((startup.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend_from_slice(&startup);
    s.write_all(&packet).unwrap();
    while read_message(&mut s).0 != b'Z' {}
    s
}

/// The messages up to and including the next ReadyForQuery.
fn until_ready(s: &mut UnixStream) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    loop {
        let m = read_message(s);
        let done = m.0 == b'Z';
        out.push(m);
        if done {
            return out;
        }
    }
}

/// The text of the first column of a DataRow.
fn first_value(body: &[u8]) -> String {
    let len = i32::from_be_bytes(body[2..6].try_into().unwrap());
    assert!(len >= 0, "NULL");
    String::from_utf8(body[6..6 + len as usize].to_vec()).unwrap()
}

/// The answers of a simple query, asserting it succeeded: its rows' first
/// values.
fn simple(s: &mut UnixStream, sql: &str) -> Vec<String> {
    s.write_all(&query(sql)).unwrap();
    collect_rows(until_ready(s))
}

fn collect_rows(msgs: Vec<(u8, Vec<u8>)>) -> Vec<String> {
    let mut rows = Vec::new();
    for (kind, body) in msgs {
        assert_ne!(kind, b'E', "{}", String::from_utf8_lossy(&body));
        if kind == b'D' {
            rows.push(first_value(&body));
        }
    }
    rows
}

/// Bind of the unnamed portal to statement `stmt` with one text parameter.
fn bind(stmt: &str, param: &str) -> Vec<u8> {
    let mut b = vec![0u8]; // unnamed portal
    b.extend_from_slice(stmt.as_bytes());
    b.push(0);
    b.extend_from_slice(&0i16.to_be_bytes()); // parameter formats: text
    b.extend_from_slice(&1i16.to_be_bytes());
    b.extend_from_slice(&(param.len() as i32).to_be_bytes());
    b.extend_from_slice(param.as_bytes());
    b.extend_from_slice(&0i16.to_be_bytes()); // result formats: text
    frontend(b'B', &b)
}

fn execute() -> Vec<u8> {
    frontend(b'E', b"\0\0\0\0\0")
}

/// 100 Bind/Execute pairs and one Sync in one write: every answer, in
/// order, then one ReadyForQuery; an error in the middle skips the rest
/// up to the Sync, as in PostgreSQL.
async fn pipeline_of_100_executes_with_one_sync(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut s = connect(&srv);
    let mut msgs = frontend(b'P', b"twice\0SELECT $1::int4 * 2\0\0\0");
    for i in 0..100 {
        msgs.extend(bind("twice", &i.to_string()));
        msgs.extend(execute());
    }
    msgs.extend(frontend(b'S', b""));
    s.write_all(&msgs).unwrap();
    let answers = until_ready(&mut s);
    let kinds: Vec<u8> = answers.iter().map(|m| m.0).collect();
    let mut want = vec![b'1'];
    for _ in 0..100 {
        want.extend_from_slice(b"2DC");
    }
    want.push(b'Z');
    assert_eq!(kinds, want);
    let rows = collect_rows(answers);
    assert_eq!(
        rows,
        (0..100).map(|i| (i * 2).to_string()).collect::<Vec<_>>()
    );

    // Bind #3 fails (not an integer): the rest of the pipeline is skipped.
    let mut msgs = Vec::new();
    for p in ["1", "2", "x", "4"] {
        msgs.extend(bind("twice", p));
        msgs.extend(execute());
    }
    msgs.extend(frontend(b'S', b""));
    s.write_all(&msgs).unwrap();
    let answers = until_ready(&mut s);
    let kinds: Vec<u8> = answers.iter().map(|m| m.0).collect();
    assert_eq!(kinds, b"2DC2DCEZ".to_vec());
    assert!(String::from_utf8_lossy(&answers[6].1).contains("22P02"));
    // The session goes on.
    assert_eq!(simple(&mut s, "SELECT 7"), vec!["7"]);
}

/// A message whose bytes arrive in pieces, with pauses between them (the
/// length word split too), is read whole and answered once.
async fn message_split_across_writes(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut s = connect(&srv);
    let q = query("SELECT 'split'::text || 42");
    for piece in [&q[..3], &q[3..10], &q[10..]] {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(collect_rows(until_ready(&mut s)), vec!["split42"]);
    // One byte at a time, and the next message right behind the last byte.
    let mut both = query("SELECT 1");
    both.extend(query("SELECT 2"));
    for b in &both[..both.len() - query("SELECT 2").len() + 1] {
        s.write_all(std::slice::from_ref(b)).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    s.write_all(&both[both.len() - query("SELECT 2").len() + 1..])
        .unwrap();
    assert_eq!(collect_rows(until_ready(&mut s)), vec!["1"]);
    assert_eq!(collect_rows(until_ready(&mut s)), vec!["2"]);
}

/// A LISTENing session between queries: input already there (several
/// queries in one write, a query split with a pause) is read and
/// answered; notifications wait for the session's next ReadyForQuery or
/// idle wait, never inside an answer.
async fn listening_session_reads_ready_input(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut s = connect(&srv);
    assert!(simple(&mut s, "LISTEN ready").is_empty());
    let mut msgs = Vec::new();
    for i in 0..20 {
        msgs.extend(query(&format!("SELECT {i}")));
    }
    s.write_all(&msgs).unwrap();
    for i in 0..20 {
        assert_eq!(collect_rows(until_ready(&mut s)), vec![i.to_string()]);
    }
    let q = query("SELECT 'half'");
    s.write_all(&q[..6]).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    s.write_all(&q[6..]).unwrap();
    assert_eq!(collect_rows(until_ready(&mut s)), vec!["half"]);
    // A notification of the session's own, with a query behind it in the
    // same write: it comes before that query's ReadyForQuery.
    let mut msgs = query("NOTIFY ready, 'own'");
    msgs.extend(query("SELECT 'after'"));
    s.write_all(&msgs).unwrap();
    let first = until_ready(&mut s);
    let second = until_ready(&mut s);
    let notified = first
        .iter()
        .chain(second.iter())
        .filter(|m| m.0 == b'A')
        .count();
    assert_eq!(notified, 1, "{first:?} {second:?}");
    assert_eq!(collect_rows(second), vec!["after"]);
}

/// An idle LISTENing session that sends nothing is woken by another
/// session's NOTIFY; with idle_session_timeout set, it is ended with
/// 57P05 when the time passes.
async fn listening_session_woken_and_timed_out(mode: Mode) {
    let srv = TestServer::start(mode);
    let mut s = connect(&srv);
    assert!(simple(&mut s, "LISTEN wake").is_empty());
    let other = srv.connect().await;
    for i in 0..3 {
        other
            .batch_execute(&format!("NOTIFY wake, 'n{i}'"))
            .await
            .unwrap();
        let (kind, body) = read_message(&mut s);
        assert_eq!(kind, b'A', "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).contains(&format!("wake\0n{i}\0")));
    }
    assert!(simple(&mut s, "SET idle_session_timeout = '300ms'").is_empty());
    let t = Instant::now();
    let (kind, body) = read_message(&mut s);
    assert_eq!(kind, b'E', "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("57P05"));
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    let mut rest = Vec::new();
    assert_eq!(s.read_to_end(&mut rest).unwrap_or(0), 0, "closed after");
}
