//! Protocol fuzzing against the real server, in every mode: a few hundred
//! connections of random and mutated bytes (seeded, so a failure repeats),
//! each of which must be answered with a clean FATAL or closed within a
//! timeout once the client has said all it will; afterwards the postmaster
//! is alive, a session opened before the storm still answers, and new
//! sessions work. `scripts/fuzz-protocol` does the same at length.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::{Mode, TestServer};

in_all_modes!(malformed_clients_do_not_hurt_the_server);

const CONNECTIONS: u64 = 200;
const SEED: u64 = 0x5eed_f022;
/// How long the server may take to close a connection whose client has
/// sent everything and half-closed.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

async fn malformed_clients_do_not_hurt_the_server(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let healthy = srv.connect().await;
    let path = srv.socket_path();
    let seed = SEED ^ mode as u64;
    let report = tokio::task::spawn_blocking(move || {
        let mut failures = Vec::new();
        let mut fatals = std::collections::BTreeMap::<String, u32>::new();
        for i in 0..CONNECTIONS {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(i));
            let input = malformed_input(&mut rng);
            match bad_client(&path, &input) {
                Ok(Some(code)) => *fatals.entry(code).or_default() += 1,
                Ok(None) => {}
                Err(e) => failures.push(format!("client {i}: {e}; sent {input:02x?}")),
            }
        }
        (failures, fatals)
    })
    .await
    .unwrap();
    let (failures, fatals) = report;
    eprintln!("{mode:?}: {CONNECTIONS} bad clients, FATAL by SQLSTATE: {fatals:?}");
    assert!(
        failures.is_empty(),
        "{mode:?}: {} bad clients were not handled cleanly:\n{}\nserver log:\n{}",
        failures.len(),
        failures.join("\n"),
        srv.log()
    );
    assert!(
        !fatals.is_empty(),
        "no bad client got a FATAL: the inputs are not reaching the decoder"
    );

    assert!(
        srv.child.as_mut().unwrap().try_wait().unwrap().is_none(),
        "postmaster exited:\n{}",
        srv.log()
    );
    let one: i32 = healthy
        .query_one("SELECT 1", &[])
        .await
        .expect("old session")
        .get(0);
    assert_eq!(one, 1);
    let c = srv.connect().await;
    let one: i32 = c
        .query_one("SELECT $1::int4", &[&1i32])
        .await
        .unwrap()
        .get(0);
    assert_eq!(one, 1);
    let log = srv.log();
    let crashes: Vec<&str> = log.lines().filter(|l| is_crash(l)).collect();
    assert!(
        crashes.is_empty(),
        "{mode:?}: backends died:\n{}",
        crashes.join("\n")
    );
}

/// A server log line that reports a backend dying rather than ending: an
/// abnormal exit in process mode, a panic that escaped the session in
/// thread mode. (pgwire's decoders panic on some malformed bodies; the
/// reader catches that and answers 08P01, but the panic message is logged.)
fn is_crash(line: &str) -> bool {
    line.contains("exited with exit code")
        || line.contains("was terminated by signal")
        || line.contains("other sessions go on")
        || line.contains("PANIC")
}

/// Sends `input`, half-closes, and reads until the server closes: Ok with
/// the SQLSTATE of a FATAL if one came, Err on a hang, a malformed reply,
/// or an internal error.
fn bad_client(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    let mut s = UnixStream::connect(path).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(CLOSE_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(CLOSE_TIMEOUT)).unwrap();
    match s.write_all(input) {
        Ok(()) => {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {}
        Err(e) => return Err(format!("send: {e}")),
    }
    let deadline = Instant::now() + CLOSE_TIMEOUT;
    let mut reply = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!("no close within {CLOSE_TIMEOUT:?}"))
            }
            Err(e) => return Err(format!("read: {e}")),
        }
        if Instant::now() > deadline {
            return Err(format!("no close within {CLOSE_TIMEOUT:?}"));
        }
    }
    fatal_in(&reply)
}

/// The FATAL in a server's reply, if any; Err for a reply that does not
/// parse or an internal error (a caught panic).
fn fatal_in(mut reply: &[u8]) -> Result<Option<String>, String> {
    let mut started = false;
    let mut fatal = None;
    while !reply.is_empty() {
        // Before the startup reply, 'N' alone refuses SSL or GSS encryption.
        if !started && reply[0] == b'N' {
            reply = &reply[1..];
            continue;
        }
        if reply.len() < 5 {
            return Err(format!("truncated reply {reply:02x?}"));
        }
        let ty = reply[0];
        let len = i32::from_be_bytes(reply[1..5].try_into().unwrap());
        if len < 4 || reply.len() < 1 + len as usize {
            return Err(format!("malformed reply {reply:02x?}"));
        }
        let body = &reply[5..1 + len as usize];
        reply = &reply[1 + len as usize..];
        started |= ty == b'R' || ty == b'E';
        if ty == b'E' {
            let field = |c: u8| {
                body.split(|&b| b == 0)
                    .find(|f| f.first() == Some(&c))
                    .map(|f| String::from_utf8_lossy(&f[1..]).into_owned())
                    .unwrap_or_default()
            };
            let (severity, code) = (field(b'V'), field(b'C'));
            if severity == "FATAL" {
                if code == "XX000" {
                    return Err(format!("internal error: {}", field(b'M')));
                }
                fatal = Some(code);
            }
        }
    }
    Ok(fatal)
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

fn cstr(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
    out.push(0);
}

fn startup_packet(rng: &mut StdRng) -> Vec<u8> {
    let mut body = 196608i32.to_be_bytes().to_vec();
    cstr(&mut body, b"user");
    cstr(&mut body, b"tester");
    if rng.gen_bool(0.5) {
        cstr(&mut body, b"application_name");
        cstr(&mut body, b"fuzz \xc3\x28");
    }
    body.push(0);
    let mut p = (body.len() as i32 + 4).to_be_bytes().to_vec();
    p.extend_from_slice(&body);
    p
}

fn message(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![ty];
    m.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// A valid message of a random kind.
fn valid_message(rng: &mut StdRng) -> Vec<u8> {
    let mut b = Vec::new();
    match rng.gen_range(0..8) {
        0 => {
            cstr(&mut b, b"SELECT 1");
            message(b'Q', &b)
        }
        1 => {
            cstr(&mut b, b"");
            cstr(&mut b, b"SELECT $1::int4");
            b.extend_from_slice(&1u16.to_be_bytes());
            b.extend_from_slice(&23u32.to_be_bytes());
            message(b'P', &b)
        }
        2 => {
            cstr(&mut b, b"");
            cstr(&mut b, b"");
            b.extend_from_slice(&1u16.to_be_bytes());
            b.extend_from_slice(&1i16.to_be_bytes());
            b.extend_from_slice(&1u16.to_be_bytes());
            let n: i32 = rng.gen_range(0..9);
            b.extend_from_slice(&n.to_be_bytes());
            b.extend((0..n).map(|_| rng.gen::<u8>()));
            b.extend_from_slice(&0u16.to_be_bytes());
            message(b'B', &b)
        }
        3 => {
            cstr(&mut b, b"");
            b.extend_from_slice(&0i32.to_be_bytes());
            message(b'E', &b)
        }
        4 => {
            b.push(if rng.gen() { b'S' } else { b'P' });
            cstr(&mut b, b"");
            message(b'D', &b)
        }
        5 => message(b'S', &[]),
        6 => message(b'd', b"1\t2\n"),
        _ => message(b'H', &[]),
    }
}

/// Breaks a message (or packet, `header` = 4 without a type byte).
fn mutate(rng: &mut StdRng, mut m: Vec<u8>, header: usize) -> Vec<u8> {
    match rng.gen_range(0..6) {
        0 if header == 5 => m[0] = rng.gen(),
        1 => {
            let len = *[
                i32::MIN,
                -1,
                0,
                3,
                4,
                0x3fff_fffe,
                0x3fff_ffff,
                i32::MAX,
                10_001,
                rng.gen(),
            ]
            .get(rng.gen_range(0..10))
            .unwrap();
            m[header - 4..header].copy_from_slice(&len.to_be_bytes());
        }
        2 => m.truncate(rng.gen_range(1..m.len())),
        3 => m.iter_mut().skip(header).for_each(|b| {
            if *b == 0 {
                *b = b'x'
            }
        }),
        4 if m.len() > header => {
            let i = rng.gen_range(header..m.len());
            m[i] = rng.gen();
        }
        _ => {
            // A lying element count: Bind/Parse bodies start their counts
            // after two C strings, so just overwrite bytes 7..9.
            if m.len() >= 9 {
                m[7..9].copy_from_slice(&0xffffu16.to_be_bytes());
            }
        }
    }
    m
}

fn malformed_input(rng: &mut StdRng) -> Vec<u8> {
    match rng.gen_range(0..10) {
        // Random bytes.
        0 | 1 => (0..rng.gen_range(1..512)).map(|_| rng.gen()).collect(),
        // A mutated startup packet, maybe after an SSL request.
        2..=4 => {
            let mut v = Vec::new();
            if rng.gen_bool(0.3) {
                v.extend_from_slice(&8i32.to_be_bytes());
                v.extend_from_slice(&80877103u32.to_be_bytes());
            }
            let p = startup_packet(rng);
            v.extend(mutate(rng, p, 4));
            v
        }
        // A valid startup, then messages of which some are broken.
        _ => {
            let mut v = startup_packet(rng);
            for _ in 0..rng.gen_range(1..6) {
                let m = valid_message(rng);
                if rng.gen_bool(0.4) {
                    v.extend(mutate(rng, m, 5));
                } else {
                    v.extend(m);
                }
            }
            v
        }
    }
}
