//! The startup phase of a connection: SSL/GSS negotiation (declined),
//! cancel requests, the startup packet, authentication (trust) and the
//! messages that make a session ready for queries.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use bytes::{Buf, BytesMut};
use pgwire::messages::startup::{
    Authentication, BackendKeyData, NegotiateProtocolVersion, ParameterStatus, SecretKey,
};
use shmem::{ExecMode, Segment};

use super::reader::{protocol_violation, MessageReader, ReadError};
use super::stream::ClientStream;
use super::writer::MessageWriter;
use crate::error::{sqlstate, PgError};

const SSL_REQUEST_CODE: u32 = 80877103;
const GSSENC_REQUEST_CODE: u32 = 80877104;
const CANCEL_REQUEST_CODE: u32 = 80877102;

/// What the client asked for.
pub enum StartupRequest {
    /// A normal session with the startup packet's parameters.
    Session(BTreeMap<String, String>),
    /// A cancel request (already forwarded); close the connection.
    Cancel,
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

/// Reads packets until a startup packet or a cancel request arrives,
/// declining SSL and GSS encryption on the way.
pub fn read_startup(
    stream: &ClientStream,
    reader: &mut MessageReader,
    writer: &mut MessageWriter,
    segment: &Segment,
) -> Result<StartupRequest, ReadError> {
    loop {
        let mut pkt = reader.read_startup_packet(stream)?;
        pkt.advance(4);
        let code = pkt.get_u32();
        match code {
            SSL_REQUEST_CODE | GSSENC_REQUEST_CODE => {
                writer.buf.extend_from_slice(b"N");
                writer.flush(stream).map_err(ReadError::Io)?;
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
                let params = parse_parameters(pkt)?;
                if minor > 0 {
                    let unrecognized = params
                        .keys()
                        .filter(|k| k.starts_with("_pq_."))
                        .cloned()
                        .collect();
                    writer.message(&NegotiateProtocolVersion::new(0, unrecognized));
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
        ExecMode::Thread => {
            let tid = slot.tid.load(Ordering::Acquire);
            // SAFETY: tgkill only sends a signal; the target thread belongs
            // to this process (thread-mode backends are our threads).
            unsafe {
                libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGUSR1);
            }
        }
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
