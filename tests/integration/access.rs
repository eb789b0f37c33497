//! Access control: SCRAM-SHA-256 password authentication on TCP (both
//! password-file formats, wrong and missing passwords, unknown users, the
//! GS2 headers a client may send, every mode), the refusal to listen on
//! TCP without passwords, and the permissions of everything the server
//! creates (shared-memory segment, socket, lock files, data directory).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bytes::BytesMut;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
use postgres_protocol::message::frontend;

use crate::harness::{bin, sqlstate, Mode, TestServer};

in_all_modes!(scram_login_works);

const PASSWORD: &str = "Corr3ct-H0rse";
const WRONG: &str = "Wr0ng-Batt3ry";

/// Starts a server listening on 127.0.0.1 with `file` as its password file.
fn start_with_passwords(mode: Mode, file: &str) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passwords");
    std::fs::write(&path, file).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let path = path.to_str().unwrap().to_owned();
    TestServer::start_in(
        dir,
        mode,
        &["--listen", "127.0.0.1", "--password-file", &path],
    )
}

fn tcp_conn_string(srv: &TestServer, user: &str, password: Option<&str>) -> String {
    let mut s = format!("host=127.0.0.1 port={} user={user} dbname=testdb", srv.port);
    if let Some(p) = password {
        s.push_str(&format!(" password={p}"));
    }
    s
}

async fn tcp_connect(
    srv: &TestServer,
    user: &str,
    password: Option<&str>,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, conn) =
        tokio_postgres::connect(&tcp_conn_string(srv, user, password), tokio_postgres::NoTls)
            .await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

fn psql_tcp(srv: &TestServer, user: &str, password: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-w", "-h", "127.0.0.1", "-p", &srv.port.to_string()])
        .args(["-U", user, "-d", "testdb", "-At", "-c", "SELECT 40 + 2"])
        .env_remove("PGPASSWORD")
        .env_remove("PGPASSFILE")
        .env("PGPASSFILE", "/nonexistent")
        .env_remove("PGOPTIONS");
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.output().expect("run psql")
}

async fn scram_login_works(mode: Mode) {
    let srv = start_with_passwords(mode, &format!("{PASSWORD}\n"));
    // The backend of every mode asks for the password and checks it.
    let e = tcp_connect(&srv, "tester", Some(WRONG)).await.unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
    let c = tcp_connect(&srv, "tester", Some(PASSWORD)).await.unwrap();
    let r = c.query_one("SELECT 1 + $1::int4", &[&41i32]).await.unwrap();
    assert_eq!(r.get::<_, i32>(0), 42);
    // A second client, and the Unix socket still needs no password.
    let c2 = tcp_connect(&srv, "other", Some(PASSWORD)).await.unwrap();
    c2.simple_query("SELECT 1").await.unwrap();
    srv.connect().await.simple_query("SELECT 1").await.unwrap();
    drop((c, c2));
    // psql with PGPASSWORD.
    let out = psql_tcp(&srv, "tester", Some(PASSWORD));
    assert!(
        out.status.success(),
        "psql: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        srv.log()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_wrong_passwords_fail_with_28p01() {
    let srv = start_with_passwords(
        Mode::Process,
        &format!("# the only password\n\n{PASSWORD}\n"),
    );
    // No password: the client finds out it needs one.
    let e = tcp_connect(&srv, "tester", None).await.unwrap_err();
    // tokio-postgres: "invalid configuration", caused by "password missing".
    assert!(format!("{e:?}").contains("password missing"), "{e:?}");
    let out = psql_tcp(&srv, "tester", None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no password supplied"), "psql said: {err}");

    // A wrong password.
    let e = tcp_connect(&srv, "tester", Some(WRONG)).await.unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
    assert_eq!(
        crate::harness::message(&e),
        "password authentication failed for user \"tester\""
    );
    let out = psql_tcp(&srv, "tester", Some(WRONG));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("password authentication failed for user \"tester\""),
        "psql said: {err}"
    );

    // The log names the user and the address, never a password.
    let log = srv.log();
    assert!(
        log.lines().any(
            |l| l.contains("password authentication failed for user \"tester\"")
                && l.contains("host=127.0.0.1")
        ),
        "{log}"
    );
    assert!(!log.contains(WRONG) && !log.contains(PASSWORD), "{log}");

    // The server goes on serving.
    let c = tcp_connect(&srv, "tester", Some(PASSWORD)).await.unwrap();
    c.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_user_password_file() {
    let file = "# users\nalice:al1ce:pw\n\nbob:b0b\n";
    let srv = start_with_passwords(Mode::Thread, file);
    // The password is everything after the first ':'.
    let c = tcp_connect(&srv, "alice", Some("al1ce:pw")).await.unwrap();
    let r = c.query_one("SELECT current_user::text", &[]).await;
    if let Ok(r) = r {
        assert_eq!(r.get::<_, String>(0), "alice");
    }
    let c = tcp_connect(&srv, "bob", Some("b0b")).await.unwrap();
    c.simple_query("SELECT 1").await.unwrap();
    // Another user's password, and a user who has none.
    let e = tcp_connect(&srv, "bob", Some("al1ce:pw"))
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
    let e = tcp_connect(&srv, "mallory", Some("b0b")).await.unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
    assert_eq!(
        crate::harness::message(&e),
        "password authentication failed for user \"mallory\""
    );
    let log = srv.log();
    assert!(log.contains("user \"mallory\""), "{log}");
    assert!(!log.contains("b0b") && !log.contains("al1ce"), "{log}");
}

/// Reads one backend message: its type and body.
fn read_message(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).unwrap();
    let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body).unwrap();
    (head[0], body)
}

/// Runs the SASL exchange by hand, with this client-first message's GS2
/// header, up to the server's answer to the first SASL message.
fn raw_sasl(port: u16, first: &[u8]) -> (TcpStream, u8, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = BytesMut::new();
    frontend::startup_message([("user", "tester"), ("database", "testdb")], &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let (ty, body) = read_message(&mut s);
    assert_eq!(ty, b'R');
    assert_eq!(&body[..4], &10i32.to_be_bytes(), "AuthenticationSASL");
    assert_eq!(&body[4..], b"SCRAM-SHA-256\0\0");
    buf.clear();
    frontend::sasl_initial_response("SCRAM-SHA-256", first, &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let (ty, body) = read_message(&mut s);
    (s, ty, body)
}

fn error_code(body: &[u8]) -> String {
    let mut fields = body.split(|&b| b == 0);
    fields
        .find_map(|f| {
            f.strip_prefix(b"C")
                .map(|c| String::from_utf8_lossy(c).into_owned())
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gs2_headers_y_accepted_p_refused() {
    let srv = start_with_passwords(Mode::Process, &format!("tester:{PASSWORD}\n"));
    // "y,,": the client supports channel binding, the server offered none.
    let mut scram = ScramSha256::new(PASSWORD.as_bytes(), ChannelBinding::unrequested());
    let first = scram.message().to_vec();
    assert!(first.starts_with(b"y,,"));
    let (mut s, ty, body) = raw_sasl(srv.port, &first);
    assert_eq!(ty, b'R');
    assert_eq!(
        &body[..4],
        &11i32.to_be_bytes(),
        "AuthenticationSASLContinue"
    );
    scram.update(&body[4..]).unwrap();
    let mut buf = BytesMut::new();
    frontend::sasl_response(scram.message(), &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let (ty, body) = read_message(&mut s);
    assert_eq!(ty, b'R');
    assert_eq!(&body[..4], &12i32.to_be_bytes(), "AuthenticationSASLFinal");
    scram.finish(&body[4..]).expect("server signature");
    let (ty, body) = read_message(&mut s);
    assert_eq!(
        (ty, body.as_slice()),
        (b'R', &0i32.to_be_bytes()[..]),
        "AuthenticationOk"
    );

    // "p=": channel binding the server did not offer: a clean FATAL.
    let (mut s, ty, body) = raw_sasl(srv.port, b"p=tls-server-end-point,,n=,r=abcdef");
    assert_eq!(ty, b'E');
    assert_eq!(error_code(&body), "28P01");
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(rest.is_empty(), "the connection is closed after the FATAL");

    // Garbage as the initial response.
    let (_, ty, body) = raw_sasl(srv.port, b"\xff\xfe");
    assert_eq!(ty, b'E');
    assert_eq!(error_code(&body), "28P01");
}

#[test]
fn listen_without_password_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = crate::harness::unique_port().to_string();
    let base = |extra: &[&str]| {
        Command::new(bin())
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &port, "--listen", "127.0.0.1"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = base(&[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--listen needs --password-file"), "{err}");
    assert!(!data.exists(), "nothing is created before the refusal");
    // A password file that cannot be used.
    let bad = dir.path().join("empty");
    std::fs::write(&bad, "# nothing\n").unwrap();
    let out = base(&["--password-file", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid password file"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_trust_keeps_the_old_behaviour() {
    let srv = TestServer::start_with(Mode::Process, &["--listen", "127.0.0.1", "--tcp-trust"]);
    let c = tcp_connect(&srv, "tester", None).await.unwrap();
    c.simple_query("SELECT 1").await.unwrap();
    assert!(srv.log().contains("trust authentication"), "{}", srv.log());
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Every file under `dir` is 0600 and every directory 0700.
fn check_tree(dir: &Path, seen: &mut usize) {
    assert_eq!(mode_of(dir), 0o700, "{}", dir.display());
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            check_tree(&e.path(), seen);
        } else if ft.is_file() {
            *seen += 1;
            assert_eq!(mode_of(&e.path()), 0o600, "{}", e.path().display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_of_what_the_server_creates() {
    let srv = TestServer::start(Mode::Process);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE perm_t (a int PRIMARY KEY); INSERT INTO perm_t VALUES (1), (2)")
        .await
        .unwrap();
    c.batch_execute("CHECKPOINT").await.ok();
    assert_eq!(
        mode_of(Path::new(&format!("/dev/shm/pgfork.{}", srv.port))),
        0o600
    );
    assert_eq!(mode_of(&srv.socket_path()) & 0o777, 0o777);
    let lock = srv.socket_dir().join(format!(".s.PGSQL.{}.lock", srv.port));
    assert_eq!(mode_of(&lock), 0o600);
    assert_eq!(mode_of(&srv.data_dir().join("postmaster.pid")), 0o600);
    let mut files = 0;
    check_tree(&srv.data_dir(), &mut files);
    // The version file, the lock file, the commit log, the catalog and
    // the table's and index's files at least.
    assert!(files >= 5, "only {files} files in the data directory");
    assert_eq!(mode_of(&srv.data_dir().join("pg_xact/clog")), 0o600);
}

#[test]
fn socket_dir_writable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new(bin())
        .arg("-D")
        .arg(dir.path().join("data"))
        .arg("-k")
        .arg(&open)
        .args(["-p", &crate::harness::unique_port().to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is writable by other users"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sticky_socket_dir_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let srv = TestServer::start_in(dir, Mode::Thread, &[]);
    srv.connect().await.simple_query("SELECT 1").await.unwrap();
}
