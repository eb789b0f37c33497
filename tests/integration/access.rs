//! Access control: SCRAM-SHA-256 password authentication on TCP (both
//! password-file formats, wrong and missing passwords, unknown users, the
//! GS2 headers a client may send, every mode), the refusal to listen on
//! TCP without passwords, TLS on TCP (`--tls-cert/--tls-key`: psql with
//! sslmode=require and verify-full, SCRAM inside TLS, the SSLRequest
//! rules, bad certificate options), and the permissions of everything the
//! server creates (shared-memory segment, socket, lock files, data
//! directory).

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

in_all_modes!(scram_login_works, tls_login_works);

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
    // A second client (a role that may log in), and the Unix socket
    // still needs no password.
    srv.connect()
        .await
        .batch_execute("CREATE ROLE other LOGIN")
        .await
        .unwrap();
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
    // The users must also be roles that may log in.
    srv.connect()
        .await
        .batch_execute("CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN")
        .await
        .unwrap();
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
fn read_message(s: &mut impl Read) -> (u8, Vec<u8>) {
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

// ---- TLS -------------------------------------------------------------

/// A throwaway CA and a server certificate it signed for `localhost` and
/// 127.0.0.1, written as PEM files (the key 0600) into a directory.
struct TestCerts {
    ca: std::path::PathBuf,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
    ca_pem: String,
}

fn make_certs(dir: &Path) -> TestCerts {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pgfork test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let certs = TestCerts {
        ca: dir.join("ca.crt"),
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
        ca_pem: ca.pem(),
    };
    std::fs::write(&certs.ca, &certs.ca_pem).unwrap();
    std::fs::write(&certs.cert, cert.pem()).unwrap();
    std::fs::write(&certs.key, key.serialize_pem()).unwrap();
    std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o600)).unwrap();
    certs
}

/// Starts a server on 127.0.0.1 with `PASSWORD` for every user and, with
/// `tls`, a fresh certificate.
fn start_tls(mode: Mode, tls: bool, extra: &[&str]) -> (TestServer, Option<TestCerts>) {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("passwords");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let certs = tls.then(|| make_certs(dir.path()));
    let mut args: Vec<String> = ["--listen", "127.0.0.1", "--password-file"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(pw.to_str().unwrap().to_owned());
    if let Some(c) = &certs {
        args.push("--tls-cert".into());
        args.push(c.cert.to_str().unwrap().into());
        args.push("--tls-key".into());
        args.push(c.key.to_str().unwrap().into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (TestServer::start_in(dir, mode, &args), certs)
}

/// psql over TCP with a connection string's extra `options` (sslmode
/// etc.), running `commands` (each a -c).
fn psql_conninfo(
    srv: &TestServer,
    password: Option<&str>,
    options: &str,
    commands: &[&str],
) -> std::process::Output {
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=tester dbname=testdb {options}",
        srv.port
    );
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-w", "-At", "-d", &conninfo])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/nonexistent")
        .env_remove("PGSSLMODE")
        .env_remove("PGOPTIONS");
    for c in commands {
        cmd.args(["-c", c]);
    }
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.output().expect("run psql")
}

fn assert_psql_ok(out: &std::process::Output, srv: &TestServer) -> String {
    assert!(
        out.status.success(),
        "psql: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        srv.log()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn tls_login_works(mode: Mode) {
    let (srv, certs) = start_tls(mode, true, &[]);
    let certs = certs.unwrap();
    // The server's certificate checked against our CA and host name.
    let verify = format!("sslmode=verify-full sslrootcert={}", certs.ca.display());
    let out = psql_conninfo(
        &srv,
        Some(PASSWORD),
        &verify,
        &["SELECT 40 + 2", "\\conninfo"],
    );
    let text = assert_psql_ok(&out, &srv);
    assert!(text.starts_with("42\n"), "{text}");
    assert!(text.contains("SSL connection (protocol: TLSv1."), "{text}");
    // sslmode=require: encrypted, and SCRAM-SHA-256 still asked inside.
    let out = psql_conninfo(
        &srv,
        Some(PASSWORD),
        "sslmode=require",
        &["SELECT 1", "\\conninfo"],
    );
    let text = assert_psql_ok(&out, &srv);
    assert!(text.contains("SSL connection"), "{text}");
    let out = psql_conninfo(&srv, Some(WRONG), "sslmode=require", &["SELECT 1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("password authentication failed for user \"tester\""),
        "psql said: {err}"
    );
    let out = psql_conninfo(&srv, None, "sslmode=require", &["SELECT 1"]);
    assert!(!out.status.success());
    // TLS stays optional: a plain TCP client still logs in with SCRAM.
    let out = psql_conninfo(&srv, Some(PASSWORD), "sslmode=disable", &["\\conninfo"]);
    let text = assert_psql_ok(&out, &srv);
    assert!(!text.contains("SSL connection"), "{text}");
    // Results larger than one TLS record and than rustls's buffer.
    let out = psql_conninfo(
        &srv,
        Some(PASSWORD),
        "sslmode=require",
        &[
            "SELECT count(*), sum(length(repeat('x', 1000))) FROM generate_series(1, 300)",
            "COPY (SELECT g, repeat('y', 100) FROM generate_series(1, 5000) g) TO STDOUT",
        ],
    );
    let text = assert_psql_ok(&out, &srv);
    assert!(
        text.starts_with("300|300000\n"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert_eq!(
        text.lines().count(),
        5001,
        "{}",
        &text[..text.len().min(200)]
    );
    // The Unix socket is untouched.
    srv.connect().await.simple_query("SELECT 1").await.unwrap();
    let log = srv.log();
    assert!(!log.contains(WRONG) && !log.contains(PASSWORD), "{log}");
    assert!(!log.contains("could not accept SSL connection"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_without_certificate_declines_ssl() {
    let (srv, _) = start_tls(Mode::Process, false, &[]);
    let out = psql_conninfo(&srv, Some(PASSWORD), "sslmode=require", &["SELECT 1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("server does not support SSL"),
        "psql said: {err}"
    );
    // sslmode=prefer falls back to plain TCP.
    let out = psql_conninfo(&srv, Some(PASSWORD), "sslmode=prefer", &["SELECT 40 + 2"]);
    assert_eq!(assert_psql_ok(&out, &srv).trim(), "42");
}

fn tls_client_config(ca_pem: &str, alpn: &[&[u8]]) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
    std::sync::Arc::new(cfg)
}

type TlsClient = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// Connects, sends SSLRequest, expects 'S', and wraps the socket in a TLS
/// client (the handshake runs on the first read or write).
fn tls_connect(port: u16, cfg: std::sync::Arc<rustls::ClientConfig>) -> TlsClient {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = BytesMut::new();
    frontend::ssl_request(&mut buf);
    s.write_all(&buf).unwrap();
    let mut answer = [0u8; 1];
    s.read_exact(&mut answer).unwrap();
    assert_eq!(answer[0], b'S', "SSLRequest answered");
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    rustls::StreamOwned::new(rustls::ClientConnection::new(cfg, name).unwrap(), s)
}

/// The startup packet and a SCRAM exchange over `s` (as libpq over TLS
/// does when the server offers no -PLUS mechanism: GS2 header "y,,").
/// Ok after ReadyForQuery; Err(SQLSTATE) if the server refused.
fn scram_startup(s: &mut (impl Read + Write), password: &str) -> Result<(), String> {
    let mut buf = BytesMut::new();
    frontend::startup_message([("user", "tester"), ("database", "testdb")], &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let (ty, body) = read_message(s);
    assert_eq!(ty, b'R');
    assert_eq!(&body[..4], &10i32.to_be_bytes(), "AuthenticationSASL");
    assert_eq!(&body[4..], b"SCRAM-SHA-256\0\0", "no -PLUS offered");
    let mut scram = ScramSha256::new(password.as_bytes(), ChannelBinding::unrequested());
    buf.clear();
    frontend::sasl_initial_response("SCRAM-SHA-256", scram.message(), &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let (ty, body) = read_message(s);
    assert_eq!(ty, b'R', "AuthenticationSASLContinue");
    scram.update(&body[4..]).unwrap();
    buf.clear();
    frontend::sasl_response(scram.message(), &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    loop {
        match read_message(s) {
            (b'E', body) => return Err(error_code(&body)),
            (b'R', body) if body[..4] == 12i32.to_be_bytes() => {
                scram.finish(&body[4..]).expect("server signature")
            }
            (b'Z', _) => return Ok(()),
            _ => {}
        }
    }
}

/// A simple query's first column of every row, as text.
fn simple_query(s: &mut (impl Read + Write), sql: &str) -> Vec<String> {
    let mut buf = BytesMut::new();
    frontend::query(sql, &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let mut rows = Vec::new();
    loop {
        match read_message(s) {
            (b'D', body) => {
                let len = i32::from_be_bytes(body[2..6].try_into().unwrap()) as usize;
                rows.push(String::from_utf8_lossy(&body[6..6 + len]).into_owned());
            }
            (b'E', body) => panic!("{sql}: error {}", error_code(&body)),
            (b'Z', _) => return rows,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_protocol_details() {
    let (srv, certs) = start_tls(Mode::Thread, true, &[]);
    let certs = certs.unwrap();
    let cfg = tls_client_config(&certs.ca_pem, &[b"postgresql"]);

    // SCRAM inside TLS, then queries; the per-query timing sees them.
    let mut c = tls_connect(srv.port, cfg.clone());
    scram_startup(&mut c, PASSWORD).unwrap();
    assert!(c.conn.protocol_version().is_some());
    for i in 0..20 {
        assert_eq!(
            simple_query(&mut c, &format!("SELECT {i} + 1")),
            [format!("{}", i + 1)]
        );
    }
    // A message spanning several TLS records.
    let long = "x".repeat(100_000);
    assert_eq!(
        simple_query(&mut c, &format!("SELECT length('{long}')")),
        ["100000"]
    );
    for phase in ["recv", "send", "server_total"] {
        let calls = simple_query(
            &mut c,
            &format!(
                "SELECT calls FROM pgfork_stat_backend_latency WHERE pid = pg_backend_pid() AND phase = '{phase}'"
            ),
        );
        let n: i64 = calls[0].parse().unwrap();
        assert!(n >= 20, "{phase}: {n} calls");
    }
    // Terminate, then the server's close_notify.
    let mut buf = BytesMut::new();
    frontend::terminate(&mut buf);
    c.write_all(&buf).unwrap();
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).expect("a clean TLS close");
    assert!(rest.is_empty());

    // A wrong password: FATAL 28P01, sent inside TLS.
    let mut c = tls_connect(srv.port, cfg.clone());
    assert_eq!(scram_startup(&mut c, WRONG), Err("28P01".to_owned()));

    // Clients that offer no ALPN (libpq before 17) are served too.
    let mut c = tls_connect(srv.port, tls_client_config(&certs.ca_pem, &[]));
    scram_startup(&mut c, PASSWORD).unwrap();
    // Another ALPN protocol is refused in the handshake.
    let mut c = tls_connect(srv.port, tls_client_config(&certs.ca_pem, &[b"http/1.1"]));
    let mut buf = BytesMut::new();
    frontend::startup_message([("user", "tester")], &mut buf).unwrap();
    let r = c.write_all(&buf).and_then(|_| c.read(&mut [0u8; 1]));
    assert!(r.is_err(), "handshake with ALPN http/1.1 succeeded");

    // A second SSLRequest inside TLS is a protocol violation.
    let mut c = tls_connect(srv.port, cfg.clone());
    let mut buf = BytesMut::new();
    frontend::ssl_request(&mut buf);
    c.write_all(&buf).unwrap();
    let (ty, body) = read_message(&mut c);
    assert_eq!((ty, error_code(&body).as_str()), (b'E', "08P01"));

    // Data sent in clear behind the SSLRequest, before the handshake,
    // could be an attacker's: refused.
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = BytesMut::new();
    frontend::ssl_request(&mut buf);
    frontend::startup_message([("user", "tester")], &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let mut answer = [0u8; 1];
    s.read_exact(&mut answer).unwrap();
    assert_eq!(answer[0], b'S');
    let (ty, body) = read_message(&mut s);
    assert_eq!((ty, error_code(&body).as_str()), (b'E', "08P01"));
    assert!(String::from_utf8_lossy(&body).contains("received unencrypted data after SSL request"));

    // A client that is not speaking TLS after 'S': a clean end, and a log
    // line for it.
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = BytesMut::new();
    frontend::ssl_request(&mut buf);
    s.write_all(&buf).unwrap();
    s.read_exact(&mut answer).unwrap();
    assert_eq!(answer[0], b'S');
    buf.clear();
    frontend::startup_message([("user", "tester")], &mut buf).unwrap();
    s.write_all(&buf).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    // At most a TLS alert record (type 21), never a PostgreSQL message.
    assert!(rest.is_empty() || rest[0] == 21, "{rest:?}");

    // The Unix socket declines SSL, as PostgreSQL does, and goes on.
    let mut u = std::os::unix::net::UnixStream::connect(srv.socket_path()).unwrap();
    u.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = BytesMut::new();
    frontend::ssl_request(&mut buf);
    u.write_all(&buf).unwrap();
    u.read_exact(&mut answer).unwrap();
    assert_eq!(answer[0], b'N');
    buf.clear();
    frontend::startup_message([("user", "tester"), ("database", "testdb")], &mut buf).unwrap();
    u.write_all(&buf).unwrap();
    let (ty, body) = read_message(&mut u);
    assert_eq!((ty, body.as_slice()), (b'R', &0i32.to_be_bytes()[..]));

    // The server goes on serving TLS clients.
    let mut c = tls_connect(srv.port, cfg);
    scram_startup(&mut c, PASSWORD).unwrap();
    assert_eq!(simple_query(&mut c, "SELECT 42"), ["42"]);
    let log = srv.log();
    assert!(log.contains("could not accept SSL connection"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_refusal_is_sent_over_tls() {
    let (srv, _) = start_tls(Mode::Process, true, &["--max-connections", "1"]);
    // The harness's readiness probe may still hold the slot a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let held = loop {
        match srv.try_connect().await {
            Ok(c) => break c,
            Err(e) if std::time::Instant::now() < deadline => {
                assert_eq!(sqlstate(&e), "53300", "{e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    let out = psql_conninfo(&srv, Some(PASSWORD), "sslmode=require", &["SELECT 1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sorry, too many clients already"),
        "psql said: {err}"
    );
    drop(held);
}

#[test]
fn tls_options_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let certs = make_certs(dir.path());
    let data = dir.path().join("data");
    let port = crate::harness::unique_port().to_string();
    let pw = dir.path().join("passwords");
    std::fs::write(&pw, "secret\n").unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let start = |extra: &[&str]| -> String {
        let out = Command::new(bin())
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-p", &port, "--listen", "127.0.0.1", "--password-file"])
            .arg(&pw)
            .args(extra)
            .output()
            .unwrap();
        assert!(!out.status.success(), "started with {extra:?}");
        assert!(!data.exists(), "nothing is created before the refusal");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let (cert, key) = (certs.cert.to_str().unwrap(), certs.key.to_str().unwrap());
    let err = start(&["--tls-cert", cert]);
    assert!(err.contains("--tls-cert needs --tls-key"), "{err}");
    let err = start(&["--tls-key", key]);
    assert!(err.contains("--tls-key needs --tls-cert"), "{err}");
    let missing = dir.path().join("missing.crt");
    let err = start(&["--tls-cert", missing.to_str().unwrap(), "--tls-key", key]);
    assert!(
        err.contains("could not load server certificate file") && err.contains("missing.crt"),
        "{err}"
    );
    // The key where the certificate belongs.
    let err = start(&["--tls-cert", key, "--tls-key", key]);
    assert!(
        err.contains("could not load server certificate file"),
        "{err}"
    );
    // Not a key.
    let err = start(&["--tls-cert", cert, "--tls-key", pw.to_str().unwrap()]);
    assert!(err.contains("could not load private key file"), "{err}");
    // Another certificate's key.
    let other_dir = tempfile::tempdir().unwrap();
    let other = make_certs(other_dir.path());
    let err = start(&["--tls-cert", cert, "--tls-key", other.key.to_str().unwrap()]);
    assert!(err.contains("check of private key failed"), "{err}");
    // A key others may read.
    std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = start(&["--tls-cert", cert, "--tls-key", key]);
    assert!(err.contains("has group or world access"), "{err}");
}
