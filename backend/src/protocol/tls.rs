//! TLS for TCP clients (`--tls-cert FILE --tls-key FILE`), with rustls
//! and its synchronous API, as PostgreSQL's `ssl = on`:
//!
//! - [`load`]: the postmaster reads and checks the certificate chain and
//!   its private key once at start and builds one [`ServerConfig`];
//!   [`set_config`] fixes it before any backend exists (forked backends
//!   inherit it, threads share it), like `scram::set_tcp_auth`.
//! - A client's SSLRequest on TCP is answered 'S' when a configuration is
//!   set ('N' otherwise, and always on the Unix socket, as PostgreSQL
//!   does); the backend then runs the handshake ([`TlsStream::handshake`])
//!   and the rest of the connection (startup packet, SCRAM, queries) goes
//!   through [`TlsStream`].
//!
//! Sessions are neither cached nor resumed (no tickets), as PostgreSQL
//! configures OpenSSL: every backend is a separate process in process
//! mode, so a cache could not be shared anyway. TLS 1.2 and 1.3 are
//! offered (PostgreSQL's default ssl_min_protocol_version is TLSv1.2);
//! clients are not asked for certificates. A client that offers ALPN must
//! offer "postgresql", as PostgreSQL 17 requires.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{NoServerSessionStorage, ServerConfig, ServerConnection};

use crate::interrupts;

/// The ALPN protocol name PostgreSQL registered.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();

/// Fixes the TLS configuration, once, before any backend starts. Returns
/// false if it was already set.
pub fn set_config(config: Arc<ServerConfig>) -> bool {
    CONFIG.set(config).is_ok()
}

/// The TLS configuration, if the server was started with one.
pub fn config() -> Option<&'static Arc<ServerConfig>> {
    CONFIG.get()
}

/// Reads `--tls-cert`/`--tls-key` (both or neither). `Ok(None)` without
/// either; an error, written for the server's start-up message, if only
/// one is given or the files are unusable.
pub fn load_from_args(
    cert: Option<&Path>,
    key: Option<&Path>,
) -> Result<Option<Arc<ServerConfig>>, String> {
    match (cert, key) {
        (None, None) => Ok(None),
        (Some(_), None) => {
            Err("--tls-cert needs --tls-key FILE: the certificate's private key (PEM)".to_owned())
        }
        (None, Some(_)) => {
            Err("--tls-key needs --tls-cert FILE: the server's certificate chain (PEM)".to_owned())
        }
        (Some(cert), Some(key)) => load(cert, key).map(Some),
    }
}

/// Builds the server's TLS configuration from a PEM certificate chain
/// (the server's certificate first, then any intermediates) and a PEM
/// private key (PKCS#8, PKCS#1 RSA or SEC1 EC) that must match it. The
/// key file must not be accessible by group or others unless it belongs
/// to root and is at most group-readable, as PostgreSQL requires.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<Arc<ServerConfig>, String> {
    let cert_err = |e: &dyn std::fmt::Display| {
        format!(
            "could not load server certificate file \"{}\": {e}",
            cert_path.display()
        )
    };
    let key_err = |e: &dyn std::fmt::Display| {
        format!(
            "could not load private key file \"{}\": {e}",
            key_path.display()
        )
    };
    let certs = read_certificates(cert_path).map_err(|e| cert_err(&e))?;
    if certs.is_empty() {
        return Err(cert_err(
            &"no PEM certificate (\"BEGIN CERTIFICATE\") in it",
        ));
    }
    check_key_file_permissions(key_path)?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| key_err(&PemError(e)))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("could not set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => format!(
                "check of private key failed: the private key in \"{}\" does not match the certificate in \"{}\"",
                key_path.display(),
                cert_path.display()
            ),
            e => format!(
                "could not use server certificate \"{}\" with private key \"{}\": {e}",
                cert_path.display(),
                key_path.display()
            ),
        })?;
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
    let config = Arc::new(config);
    // What TlsStream::new relies on: a connection can be made from it.
    ServerConnection::new(config.clone()).map_err(|e| format!("could not set up TLS: {e}"))?;
    Ok(config)
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, PemError> {
    CertificateDer::pem_file_iter(path)
        .map_err(PemError)?
        .map(|c| c.map_err(PemError))
        .collect()
}

/// pem::Error with an I/O error's own text (not its Debug form).
struct PemError(pem::Error);

impl std::fmt::Display for PemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            pem::Error::Io(e) => write!(f, "{e}"),
            pem::Error::NoItemsFound => write!(f, "no PEM private key in it"),
            e => write!(f, "invalid PEM: {e:?}"),
        }
    }
}

/// PostgreSQL's rule for the private key file: a regular file owned by
/// the server's user with no group or other access (0600 or less), or
/// owned by root with at most group read (0640 or less).
fn check_key_file_permissions(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).map_err(|e| {
        format!(
            "could not access private key file \"{}\": {e}",
            path.display()
        )
    })?;
    if !m.is_file() {
        return Err(format!(
            "private key file \"{}\" is not a regular file",
            path.display()
        ));
    }
    let mode = m.mode() & 0o7777;
    let me = nix::unistd::geteuid().as_raw();
    if m.uid() != me && m.uid() != 0 {
        return Err(format!(
            "private key file \"{}\" must be owned by the server's user or root",
            path.display()
        ));
    }
    let too_open = if m.uid() == me {
        mode & 0o077 != 0
    } else {
        mode & 0o037 != 0
    };
    if too_open {
        return Err(format!(
            "private key file \"{}\" has group or world access (mode {mode:04o}): it must be 0600 or less if owned by the server's user, 0640 or less if owned by root (chmod 600 it)",
            path.display()
        ));
    }
    Ok(())
}

/// A TLS connection over a client's TCP socket, readable and writable
/// through a shared reference as the other [`super::ClientStream`]s (a
/// session reads and writes from one thread, never at once).
pub struct TlsStream {
    sock: TcpStream,
    conn: RefCell<ServerConnection>,
}

impl TlsStream {
    /// The server's side of a TLS connection on `sock`, before the
    /// handshake ([`TlsStream::handshake`]).
    pub fn new(sock: TcpStream, config: Arc<ServerConfig>) -> TlsStream {
        let conn = ServerConnection::new(config).expect("the configuration was tried by tls::load");
        TlsStream {
            sock,
            conn: RefCell::new(conn),
        }
    }

    /// Runs the server's side of the handshake. The socket must have had
    /// nothing read ahead of the client's ClientHello. Every read must
    /// finish by `deadline` (the startup timeout). On failure the client
    /// has been sent an alert where TLS has one for the error.
    pub fn handshake(&self, deadline: Instant) -> io::Result<()> {
        let mut conn = self.conn.borrow_mut();
        let mut sock = &self.sock;
        while conn.is_handshaking() {
            write_pending(&mut conn, &mut sock)?;
            if !conn.is_handshaking() {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "timeout during the TLS handshake",
                ));
            }
            let _ = self
                .sock
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            match conn.read_tls(&mut sock) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the client closed the connection during the TLS handshake",
                    ))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if interrupts::terminate_pending() {
                        return Err(e);
                    }
                    continue;
                }
                Err(e) => return Err(e),
            }
            if let Err(e) = conn.process_new_packets() {
                // The alert describing the error, if TLS has one for it.
                let _ = write_pending(&mut conn, &mut sock);
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
        // TLS 1.2: the server's Finished goes after the client's.
        write_pending(&mut conn, &mut sock)
    }

    pub fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    /// The negotiated protocol version and cipher suite, for the log.
    pub fn describe(&self) -> String {
        let conn = self.conn.borrow();
        let version = conn
            .protocol_version()
            .and_then(|v| v.as_str())
            .unwrap_or("unknown");
        let suite = conn
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .unwrap_or("unknown");
        format!("protocol={version} cipher={suite}")
    }

    /// Reads what plaintext is available, reading and decrypting records
    /// from the socket until there is some: at least one byte, or 0 at the
    /// end of the connection. The socket's errors (a timeout, EINTR) come
    /// out as they are; a partly received record stays buffered in rustls
    /// for the next call.
    pub fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut conn = self.conn.borrow_mut();
        let mut sock = &self.sock;
        loop {
            match conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The client went away without close_notify: an end of
                // file like any other for the protocol above.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            // Whatever TLS itself has to say first (alerts, key updates).
            write_pending(&mut conn, &mut sock)?;
            conn.read_tls(&mut sock)?;
            if let Err(e) = conn.process_new_packets() {
                let _ = write_pending(&mut conn, &mut sock);
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
    }

    /// Whether decrypted input waits in rustls's buffers (which a poll of
    /// the socket does not show).
    pub fn plaintext_buffered(&self) -> bool {
        let mut conn = self.conn.borrow_mut();
        conn.process_new_packets()
            .is_ok_and(|st| st.plaintext_bytes_to_read() > 0)
    }

    /// Encrypts and writes all of `buf`, retrying after signals.
    pub fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        let mut conn = self.conn.borrow_mut();
        let mut sock = &self.sock;
        loop {
            // As much as rustls buffers at once (64 kB of records by
            // default), then out to the socket.
            while !buf.is_empty() {
                let n = conn.writer().write(buf)?;
                if n == 0 {
                    break;
                }
                buf = &buf[n..];
            }
            write_pending(&mut conn, &mut sock)?;
            if buf.is_empty() {
                return Ok(());
            }
        }
    }
}

/// Writes out every TLS record rustls has ready, retrying after signals.
fn write_pending(conn: &mut ServerConnection, sock: &mut &TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        match conn.write_tls(sock) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Drop for TlsStream {
    /// Says goodbye with close_notify, as PostgreSQL's SSL_shutdown, if the
    /// socket takes it at once: a client that stopped reading must not
    /// keep the backend from ending.
    fn drop(&mut self) {
        let conn = self.conn.get_mut();
        conn.send_close_notify();
        if self.sock.set_nonblocking(true).is_ok() {
            let mut sock = &self.sock;
            let _ = conn.write_tls(&mut sock);
        }
    }
}
