//! The startup phase of a connection: SSL negotiation (accepted on TCP
//! when the server has a certificate, declined otherwise), GSS encryption
//! (declined), cancel requests, the startup packet, authentication (trust
//! on the Unix socket, SCRAM-SHA-256 over SASL on TCP) and the messages
//! that make a session ready for queries.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use pgwire::messages::startup::{
    Authentication, BackendKeyData, NegotiateProtocolVersion, ParameterStatus,
    PasswordMessageFamily, SecretKey,
};
use pgwire::messages::PgWireFrontendMessage;
use shmem::{ExecMode, Segment};

use super::reader::{protocol_violation, MessageReader, ReadError};
use super::scram::{Passwords, ServerExchange};
use super::stream::ClientStream;
use super::writer::MessageWriter;
use crate::error::{sqlstate, PgError};

const SSL_REQUEST_CODE: u32 = 80877103;
const GSSENC_REQUEST_CODE: u32 = 80877104;
const CANCEL_REQUEST_CODE: u32 = 80877102;
/// PG_PROTOCOL(3, 0), the newest protocol version pgfork speaks.
const PROTOCOL_3_0: u32 = 3 << 16;

/// What the client asked for.
pub enum StartupRequest {
    /// A normal session with the startup packet's parameters.
    Session(BTreeMap<String, String>),
    /// A cancel request (already forwarded); close the connection.
    Cancel,
    /// The client asked for SSL and was answered 'S': the caller runs the
    /// TLS handshake with this configuration, then reads the startup
    /// packet again, over TLS.
    StartTls(Arc<rustls::ServerConfig>),
}

/// Why a connection is refused after its startup packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooManyClients,
    ShuttingDown,
}

impl Refusal {
    pub fn error(self) -> PgError {
        match self {
            Refusal::TooManyClients => PgError::fatal(
                sqlstate::TOO_MANY_CONNECTIONS,
                "sorry, too many clients already",
            ),
            Refusal::ShuttingDown => PgError::fatal(
                sqlstate::CANNOT_CONNECT_NOW,
                "the database system is shutting down",
            ),
        }
    }
}

/// Reads packets until a startup packet or a cancel request arrives, or
/// an SSLRequest that the server accepts (TCP with `--tls-cert`); GSS
/// encryption, and SSL otherwise, are declined on the way. Each of them
/// may be asked once per connection, and not at all once under TLS.
pub fn read_startup(
    stream: &ClientStream,
    reader: &mut MessageReader,
    writer: &mut MessageWriter,
    segment: &Segment,
) -> Result<StartupRequest, ReadError> {
    let encrypted = stream.is_tls();
    let (mut ssl_asked, mut gss_asked) = (encrypted, encrypted);
    loop {
        let mut pkt = reader.read_startup_packet(stream)?;
        pkt.advance(4);
        let code = pkt.get_u32();
        match code {
            SSL_REQUEST_CODE | GSSENC_REQUEST_CODE => {
                // Each may be asked once, as PostgreSQL allows: a client
                // repeating them (and not reading the answers) would
                // otherwise keep this backend writing forever.
                let asked = if code == SSL_REQUEST_CODE {
                    &mut ssl_asked
                } else {
                    &mut gss_asked
                };
                if std::mem::replace(asked, true) {
                    return Err(ReadError::Protocol(protocol_violation(
                        "unsupported frontend protocol: encryption was already negotiated",
                    )));
                }
                // SSL on TCP only, as PostgreSQL (libpq never asks on a
                // Unix socket).
                let tls = match stream {
                    ClientStream::Tcp(_) if code == SSL_REQUEST_CODE => super::tls::config(),
                    _ => None,
                };
                writer
                    .buf
                    .extend_from_slice(if tls.is_some() { b"S" } else { b"N" });
                writer.flush(stream).map_err(ReadError::Io)?;
                if let Some(config) = tls {
                    // Anything already buffered was sent in clear after
                    // the request, before the handshake: it could have
                    // been injected by a man in the middle (PostgreSQL's
                    // check for CVE-2021-23214).
                    if reader.buffered() > 0 {
                        return Err(ReadError::Protocol(
                            protocol_violation("received unencrypted data after SSL request")
                                .with_detail("This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."),
                        ));
                    }
                    return Ok(StartupRequest::StartTls(config.clone()));
                }
            }
            CANCEL_REQUEST_CODE => {
                if pkt.remaining() < 8 {
                    return Err(ReadError::Protocol(protocol_violation(
                        "invalid length of cancel request packet",
                    )));
                }
                let pid = pkt.get_i32();
                let key = pkt.get_i32();
                forward_cancel(segment, pid, key);
                return Ok(StartupRequest::Cancel);
            }
            _ => {
                let major = code >> 16;
                let minor = code & 0xffff;
                if major != 3 {
                    return Err(ReadError::Protocol(PgError::fatal(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!(
                            "unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"
                        ),
                    )));
                }
                let mut params = parse_parameters(pkt)?;
                // Protocol options (`_pq_.name`): pgfork knows none. As
                // PostgreSQL, a newer minor version or any such option is
                // answered with NegotiateProtocolVersion, naming the newest
                // version the server speaks (3.0) and the options it does
                // not know, and the session goes on in 3.0 without them.
                let unrecognized: Vec<String> = params
                    .keys()
                    .filter(|k| k.starts_with("_pq_."))
                    .cloned()
                    .collect();
                for k in &unrecognized {
                    params.remove(k);
                }
                if minor > 0 || !unrecognized.is_empty() {
                    writer.message(&NegotiateProtocolVersion::new(
                        PROTOCOL_3_0 as i32,
                        unrecognized,
                    ));
                }
                return Ok(StartupRequest::Session(params));
            }
        }
    }
}

fn parse_parameters(mut pkt: BytesMut) -> Result<BTreeMap<String, String>, ReadError> {
    let mut params = BTreeMap::new();
    let bad = || {
        ReadError::Protocol(protocol_violation(
            "invalid startup packet layout: expected terminator as last byte",
        ))
    };
    loop {
        let key = take_cstring(&mut pkt).ok_or_else(bad)?;
        if key.is_empty() {
            break;
        }
        let value = take_cstring(&mut pkt).ok_or_else(bad)?;
        params.insert(key, value);
    }
    if !params.contains_key("user") {
        return Err(ReadError::Protocol(PgError::fatal(
            sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
            "no PostgreSQL user name specified in startup packet",
        )));
    }
    Ok(params)
}

fn take_cstring(buf: &mut BytesMut) -> Option<String> {
    let nul = buf.iter().position(|&b| b == 0)?;
    let s = buf.split_to(nul + 1);
    Some(String::from_utf8_lossy(&s[..nul]).into_owned())
}

/// Finds the backend with this pid and cancel key and interrupts it; a
/// request that matches nobody is ignored, as PostgreSQL does.
pub fn forward_cancel(segment: &Segment, pid: i32, key: i32) {
    let Some(slot) = segment.backend_table().find_by_cancel_key(pid, key) else {
        tracing::debug!(pid, "cancel request for unknown backend");
        return;
    };
    slot.request_interrupt(shmem::backend_table::INTERRUPT_CANCEL);
    signal_backend(slot, nix::sys::signal::Signal::SIGINT);
    // A backend sleeping on a heavyweight lock notices at once.
    let table = segment.backend_table();
    if let Some(i) = table.slots().iter().position(|s| std::ptr::eq(s, slot)) {
        segment.lock_manager().wake(i);
    }
}

/// Wakes a backend so that it looks at its interrupt bits: a signal to its
/// process, or to its thread in thread mode (SIGUSR1 only interrupts a
/// blocking call there; the bits say what to do).
pub fn signal_backend(slot: &shmem::BackendSlot, process_signal: nix::sys::signal::Signal) {
    let pid = slot.pid.load(Ordering::Acquire);
    if pid <= 0 {
        return;
    }
    match ExecMode::from_u32(slot.mode.load(Ordering::Relaxed)) {
        // Our thread, or a carrier process's (pool mode with
        // --carrier-processes): tgkill to the slot's process and thread.
        ExecMode::Thread => slot.signal_thread(libc::SIGUSR1),
        _ => {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), process_signal);
        }
    }
}

/// Sends AuthenticationOk, the ParameterStatus messages and BackendKeyData.
pub fn send_session_start(
    writer: &mut MessageWriter,
    parameters: &[(String, String)],
    pid: i32,
    cancel_key: i32,
) {
    writer.message(&Authentication::Ok);
    for (k, v) in parameters {
        writer.message(&ParameterStatus::new(k.clone(), v.clone()));
    }
    writer.message(&BackendKeyData::new(pid, SecretKey::I32(cancel_key)));
}

/// Runs PostgreSQL's SASL flow with SCRAM-SHA-256 for `user`:
/// AuthenticationSASL → SASLInitialResponse → AuthenticationSASLContinue →
/// SASLResponse → AuthenticationSASLFinal (left in the writer; the caller's
/// AuthenticationOk follows it). Every read must finish by `deadline`.
///
/// A wrong password, a user without one, or a malformed exchange ends in
/// FATAL 28P01 for the client and a log line naming the user, the client's
/// address and the reason, never anything the client sent.
pub fn authenticate_scram(
    stream: &ClientStream,
    reader: &mut MessageReader,
    writer: &mut MessageWriter,
    passwords: &Passwords,
    user: &str,
    deadline: Instant,
) -> Result<(), ReadError> {
    let fail = |reason: &dyn std::fmt::Display| {
        tracing::warn!(
            "password authentication failed for user \"{user}\" ({}): {reason}",
            stream.peer()
        );
        ReadError::Protocol(PgError::fatal(
            sqlstate::INVALID_PASSWORD,
            format!("password authentication failed for user \"{user}\""),
        ))
    };
    let mut exchange = ServerExchange::new(passwords, user);
    writer.message(&Authentication::SASL(vec![
        super::scram::MECHANISM.to_owned()
    ]));
    writer.flush(stream).map_err(ReadError::Io)?;

    let body = read_sasl_message(stream, reader, deadline)?;
    let (mechanism, data) = parse_sasl_initial_response(body)
        .ok_or_else(|| fail(&"malformed SASLInitialResponse (or a password sent in clear text)"))?;
    if mechanism != super::scram::MECHANISM {
        return Err(fail(
            &"client selected an invalid SASL authentication mechanism",
        ));
    }
    let server_first = exchange.client_first(&data).map_err(|e| fail(&e))?;
    writer.message(&Authentication::SASLContinue(Bytes::from(server_first)));
    writer.flush(stream).map_err(ReadError::Io)?;

    let body = read_sasl_message(stream, reader, deadline)?;
    let server_final = exchange.client_final(&body).map_err(|e| fail(&e))?;
    writer.message(&Authentication::SASLFinal(Bytes::from(server_final)));
    Ok(())
}

/// Reads the next message, which must be of the password family ('p').
fn read_sasl_message(
    stream: &ClientStream,
    reader: &mut MessageReader,
    deadline: Instant,
) -> Result<BytesMut, ReadError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ReadError::Timeout);
    }
    let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
    match reader.next(stream)? {
        PgWireFrontendMessage::PasswordMessageFamily(PasswordMessageFamily::Raw(body)) => Ok(body),
        PgWireFrontendMessage::Terminate(_) => Err(ReadError::Eof),
        _ => Err(ReadError::Protocol(protocol_violation(
            "expected SASL response, got another message type",
        ))),
    }
}

/// SASLInitialResponse's body: the mechanism name (a C string) and the
/// initial response, an Int32 length (-1: none) and that many bytes.
/// Parsed here rather than by pgwire, whose decoder trusts the lengths.
fn parse_sasl_initial_response(mut body: BytesMut) -> Option<(String, Bytes)> {
    let mechanism = take_cstring(&mut body)?;
    if body.remaining() < 4 {
        return None;
    }
    let len = body.get_i32();
    if len < 0 || len as usize != body.remaining() {
        return None;
    }
    Some((mechanism, body.freeze()))
}
