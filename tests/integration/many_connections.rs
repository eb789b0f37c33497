//! Many idle connections (issue 17): a server started with
//! `--max-connections 2000` takes 1,500 sessions that complete startup and
//! stay idle, still answers a query beside them and sees them in
//! pg_stat_activity, takes clients up to its limit, and refuses the next
//! one with PostgreSQL's FATAL 53300 "sorry, too many clients already".
//!
//! The idle sessions are raw Unix-socket connections (a startup packet,
//! then nothing), opened 50 at a time so that the server's forks or thread
//! spawns overlap; process and thread mode (pre-forking changes nothing
//! for idle sessions once they have a backend).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::{Mode, TestServer};

const MAX: usize = 2000;
const IDLE: usize = 1500;

mod many_idle_connections {
    use crate::harness::Mode;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn process() {
        super::many_idle_connections(Mode::Process).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn thread() {
        super::many_idle_connections(Mode::Thread).await
    }
}

fn startup_packet() -> Vec<u8> {
    let mut body = 196_608i32.to_be_bytes().to_vec();
    for (k, v) in [("user", "tester"), ("database", "testdb")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut p = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    p.extend(body);
    p
}

/// How a startup ended: ReadyForQuery, or an ErrorResponse's SQLSTATE and
/// message.
#[derive(Debug, PartialEq)]
enum Startup {
    Ready,
    Error { code: String, message: String },
}

/// Reads the server's messages until ReadyForQuery or an ErrorResponse.
fn finish_startup(s: &mut UnixStream) -> Startup {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while buf.len() >= 5 {
            let len = i32::from_be_bytes(buf[1..5].try_into().unwrap()) as usize;
            if buf.len() < 1 + len {
                break;
            }
            let msg: Vec<u8> = buf.drain(..1 + len).collect();
            match msg[0] {
                b'Z' => return Startup::Ready,
                b'E' => {
                    let (mut code, mut message) = (String::new(), String::new());
                    for field in msg[5..].split(|&b| b == 0) {
                        match field.first() {
                            Some(b'C') => code = String::from_utf8_lossy(&field[1..]).into(),
                            Some(b'M') => message = String::from_utf8_lossy(&field[1..]).into(),
                            _ => {}
                        }
                    }
                    return Startup::Error { code, message };
                }
                _ => {}
            }
        }
        let n = s.read(&mut chunk).expect("read during startup");
        assert!(n > 0, "connection closed during startup");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Opens `n` sessions that complete startup and stay idle.
fn open_idle(path: &Path, n: usize) -> Vec<UnixStream> {
    let packet = startup_packet();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut batch: Vec<UnixStream> = (0..50.min(n - out.len()))
            .map(|_| {
                let mut s = UnixStream::connect(path).expect("connect");
                s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
                s.write_all(&packet).unwrap();
                s
            })
            .collect();
        for s in &mut batch {
            assert_eq!(finish_startup(s), Startup::Ready, "session {}", out.len());
        }
        out.extend(batch);
    }
    out
}

/// Raises this test process's descriptor limit to its hard limit: it holds
/// every client socket.
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    assert!(
        hard as usize > MAX + 100,
        "open files hard limit {hard} is too low"
    );
}

async fn many_idle_connections(mode: Mode) {
    raise_fd_limit();
    let srv = TestServer::start_with(mode, &["--max-connections", &MAX.to_string()]);
    let path = srv.socket_path();
    let started = Instant::now();
    let p = path.clone();
    let mut idle = tokio::task::spawn_blocking(move || open_idle(&p, IDLE))
        .await
        .unwrap();
    eprintln!("{mode:?}: {IDLE} idle sessions in {:?}", started.elapsed());

    // A query beside them, which sees them.
    let c = srv.connect().await;
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(n >= IDLE as i64, "{n} idle sessions in pg_stat_activity");
    c.batch_execute("CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100)")
        .await
        .unwrap();
    let sum: i64 = c
        .query_one("SELECT sum(a) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, 5050);

    // Up to the limit (this client is one of them; the harness's readiness
    // probe, long gone, is not), then the next is refused as PostgreSQL
    // refuses it.
    let p = path.clone();
    let (more, refused) = tokio::task::spawn_blocking(move || {
        let more = open_idle(&p, MAX - IDLE - 1);
        let mut s = UnixStream::connect(&p).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(&startup_packet()).unwrap();
        (more, finish_startup(&mut s))
    })
    .await
    .unwrap();
    assert_eq!(
        refused,
        Startup::Error {
            code: "53300".into(),
            message: "sorry, too many clients already".into()
        }
    );
    // Those in are unaffected; one leaving makes room for another.
    assert_eq!(
        c.query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        100
    );
    drop(more);
    idle.truncate(IDLE - 10);
    let p = path.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let again = tokio::task::spawn_blocking(move || loop {
        let mut s = UnixStream::connect(&p).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(&startup_packet()).unwrap();
        match finish_startup(&mut s) {
            Startup::Ready => return s,
            other if Instant::now() > deadline => panic!("no room after closing: {other:?}"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    })
    .await
    .unwrap();
    drop(again);
    drop(idle);
    eprintln!("{mode:?}: done in {:?}", started.elapsed());
}
