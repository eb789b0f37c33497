//! The PostgreSQL protocol, version 3, spoken synchronously over a blocking
//! socket, as PostgreSQL's own backends do: one message read, handled and
//! answered at a time. pgwire provides the message codecs.
//!
//! [`run_session`] is a connection's whole life after the postmaster has
//! handed it over: startup, the query cycle, and the end.
//!
//! # System calls per query
//!
//! A query that finds its pages in shared buffers costs the backend two
//! system calls (PostgreSQL's socket is non-blocking: it adds an
//! `epoll_wait` and a second `recvfrom` whenever its first read finds
//! nothing yet): one blocking `recvfrom` that takes everything
//! the socket holds (up to 16 kB, so a pipeline of Bind/Execute/Sync
//! arrives in one read: reader.rs), and one `sendto` of the whole answer
//! at ReadyForQuery, Flush, or when more than 64 kB are buffered
//! (writer.rs). Counted with `scripts/bench-server-cpu` (strace -c -f on
//! every server process): 2.0 per pgbench -S transaction and per
//! `SELECT 1`, in process, prefork and thread mode. The rest is not per
//! query:
//! - the read blocks on the socket: there is no poll before it, except
//!   for a LISTENing session, which must also wake for notifications
//!   (idle_wait.rs: `rt_sigprocmask`, `ppoll`, `rt_sigprocmask`), and
//!   which first takes input already there with a `recv(MSG_DONTWAIT)`
//!   (`MessageReader::fill_if_ready`), so a pipelined client costs it one
//!   call, not four;
//! - clocks (timing.rs, `pg_stat_activity`) are CLOCK_MONOTONIC and
//!   CLOCK_REALTIME through the vDSO: no system call. No per-query CPU
//!   time is read (no getrusage);
//! - statement_timeout arms a deadline in the process's timer thread only
//!   when it is set (interrupts.rs), as PostgreSQL arms its timer only
//!   then; no signal or timer call otherwise;
//! - idle_session_timeout and idle_in_transaction_session_timeout, when
//!   set, are the socket's read timeout: one `setsockopt` before the wait
//!   and one after the message (PostgreSQL arms and disarms a timer);
//! - `pread64`/`pwrite64` when a page must be read into, or a dirty one
//!   evicted from, shared buffers; `fdatasync` of the WAL at COMMIT with
//!   synchronous_commit on; `futex` when waiting for a lock another
//!   backend holds.
//!
//! A COMMIT used to make a `getpid` call (the fallback of a `map_or`,
//! evaluated every time): it is gone.

#[cfg(test)]
mod fuzz_tests;
mod idle_wait;
pub mod panic_report;
pub mod pool;
pub mod reader;
pub mod scram;
mod session;
mod startup;
mod stats_sink;
pub mod stream;
pub mod timing;
pub mod tls;
mod writer;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shmem::latency::Metric;
use shmem::{BackendState, Segment};

pub use reader::{MessageReader, ReadError};
pub use session::{Resume, SessionEnd};
pub use startup::{forward_cancel, signal_backend, Refusal};
pub use stream::ClientStream;
pub use writer::MessageWriter;

use crate::tcop::Engine;
use crate::BackendEnv;

/// How long a client may take to send its startup packet and, on TCP,
/// to authenticate (PostgreSQL's authentication_timeout defaults to one
/// minute).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Timestamps of a connection's set-up, on CLOCK_MONOTONIC.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConnectTimes {
    /// accept() returned in the postmaster.
    pub accept_ns: u64,
    /// The backend began running for this client (after fork, fd receipt
    /// or thread start).
    pub running_ns: u64,
}

/// Runs one client connection to its end. `engine` may be reused for the
/// next client by a pre-forked backend after `Engine::reset_session`.
pub fn run_session(
    stream: ClientStream,
    env: &BackendEnv,
    engine: &mut Engine,
    times: ConnectTimes,
    startup_timeout: Duration,
) -> SessionEnd {
    crate::stack::enter_session(
        (env.exec_mode == shmem::ExecMode::Thread).then_some(crate::stack::BACKEND_THREAD_STACK),
    );
    set_waker();
    let (stream, reader, writer) = match start_session(stream, env, engine, times, startup_timeout)
    {
        Ok(s) => s,
        Err(end) => return end,
    };
    let end = panic_report::reporting_panics(std::os::fd::AsFd::as_fd(&stream), || {
        session::Session::new(env, engine, &stream, reader, writer).run()
    });
    env.slot.set_state(BackendState::Idle, Some(""));
    end
}

/// Registers how `interrupts::terminate_backend` wakes a backend.
pub fn set_waker() {
    crate::interrupts::set_waker(|slot| {
        startup::signal_backend(slot, nix::sys::signal::Signal::SIGTERM)
    });
}

/// A connection's start: the startup packet (and TLS), authentication on
/// TCP, the engine's startup, AuthenticationOk and the parameters. Returns
/// the stream the session goes on over and its buffers, or how it ended.
/// A panic in it is reported to the client (`panic_report`).
fn start_session(
    stream: ClientStream,
    env: &BackendEnv,
    engine: &mut Engine,
    times: ConnectTimes,
    startup_timeout: Duration,
) -> Result<(ClientStream, MessageReader, MessageWriter), SessionEnd> {
    let dup = std::os::fd::AsFd::as_fd(&stream).try_clone_to_owned().ok();
    panic_report::reporting_panics_on(dup, move || {
        start_session_unreported(stream, env, engine, times, startup_timeout)
    })
}

fn start_session_unreported(
    stream: ClientStream,
    env: &BackendEnv,
    engine: &mut Engine,
    times: ConnectTimes,
    startup_timeout: Duration,
) -> Result<(ClientStream, MessageReader, MessageWriter), SessionEnd> {
    let mut reader = MessageReader::new();
    let mut writer = MessageWriter::new();
    let _ = stream.set_read_timeout(Some(startup_timeout));
    let deadline = Instant::now() + startup_timeout;
    let startup_begin = shmem::time::monotonic_ns();
    let (stream, request) = read_startup(stream, &mut reader, &mut writer, &env.segment, deadline);
    let params = match request {
        Ok(startup::StartupRequest::Session(p)) => p,
        Ok(_) => return Err(SessionEnd::ClientExit),
        Err(e) => return Err(startup_failed(&stream, &mut writer, e)),
    };
    // An engine may serve several clients (pre-forked backends).
    engine.set_password_login(false);
    if !stream.is_unix() {
        if let scram::TcpAuth::Scram(passwords) = scram::tcp_auth() {
            let user = params.get("user").map(String::as_str).unwrap_or("");
            reader.set_max_message_len(scram::MAX_MESSAGE_LEN);
            let r = startup::authenticate_scram(
                &stream,
                &mut reader,
                &mut writer,
                passwords,
                user,
                deadline,
            );
            reader.set_max_message_len(reader::MAX_MESSAGE_LEN);
            if let Err(e) = r {
                return Err(startup_failed(&stream, &mut writer, e));
            }
            engine.set_password_login(true);
        }
    }
    let _ = stream.set_read_timeout(None);
    if let Err(e) = engine.startup(&params) {
        writer.error(&e);
        let _ = writer.flush(&stream);
        return Err(SessionEnd::Fatal(e));
    }
    let user = params.get("user").map(String::as_str).unwrap_or("");
    let database = params.get("database").map(String::as_str).unwrap_or(user);
    let app = params
        .get("application_name")
        .map(String::as_str)
        .unwrap_or("");
    env.slot.set_identity(user, database, app);
    let pid = env.slot.pid.load(Ordering::Relaxed);
    let key = env.slot.cancel_key.load(Ordering::Relaxed);
    startup::send_session_start(&mut writer, &engine.parameter_status(), pid, key);
    if env.config.stats {
        let ready = shmem::time::monotonic_ns();
        let stats = shmem::latency::LatencyStats::get(&env.segment);
        let slot = env.slot_index;
        if times.accept_ns != 0 {
            stats.record(slot, Metric::Connect, ready.saturating_sub(times.accept_ns));
            stats.record(
                slot,
                Metric::Spawn,
                times.running_ns.saturating_sub(times.accept_ns),
            );
        }
        stats.record(
            slot,
            Metric::BackendStartup,
            startup_begin.saturating_sub(times.running_ns),
        );
        stats.record(
            slot,
            Metric::ProtocolStartup,
            ready.saturating_sub(startup_begin),
        );
    }
    Ok((stream, reader, writer))
}

/// [`startup::read_startup`], running the TLS handshake when the client
/// asks for SSL and the server has a certificate, and going on over TLS.
/// Returns the stream the connection continues on (or ended on) and what
/// the client asked for: a session or a cancel request.
fn read_startup(
    mut stream: ClientStream,
    reader: &mut MessageReader,
    writer: &mut MessageWriter,
    segment: &Segment,
    deadline: Instant,
) -> (ClientStream, Result<startup::StartupRequest, ReadError>) {
    loop {
        let config = match startup::read_startup(&stream, reader, writer, segment) {
            Ok(startup::StartupRequest::StartTls(config)) => config,
            other => return (stream, other),
        };
        let ClientStream::Tcp(sock) = stream else {
            // read_startup accepts SSL on plain TCP only.
            return (
                stream,
                Err(ReadError::Protocol(reader::protocol_violation(
                    "unexpected SSL negotiation",
                ))),
            );
        };
        let tls = Box::new(tls::TlsStream::new(sock, config));
        let handshake = tls.handshake(deadline);
        if handshake.is_ok() {
            tracing::debug!(
                "TLS connection ({}): {}",
                stream::tcp_peer(tls.tcp()),
                tls.describe()
            );
        }
        stream = ClientStream::Tls(tls);
        if let Err(e) = handshake {
            use std::io::ErrorKind;
            let peer = stream.peer();
            let err = match e.kind() {
                // The client left (or the server is stopping): nothing to
                // log above debug, as for any other end during startup.
                ErrorKind::UnexpectedEof | ErrorKind::Interrupted => ReadError::Eof,
                ErrorKind::WouldBlock | ErrorKind::TimedOut => ReadError::Timeout,
                _ => {
                    tracing::info!("could not accept SSL connection ({peer}): {e}");
                    return (stream, Err(ReadError::Io(e)));
                }
            };
            tracing::debug!("could not accept SSL connection ({peer}): {e}");
            return (stream, Err(err));
        }
    }
}

fn startup_failed(stream: &ClientStream, writer: &mut MessageWriter, e: ReadError) -> SessionEnd {
    match e {
        ReadError::Protocol(err) => {
            writer.error(&err);
            let _ = writer.flush(stream);
            SessionEnd::Fatal(err)
        }
        ReadError::Io(e) => SessionEnd::Io(e),
        ReadError::Terminate => {
            let err = crate::PgError::admin_shutdown();
            writer.error(&err);
            let _ = writer.flush(stream);
            SessionEnd::Fatal(err)
        }
        ReadError::Eof | ReadError::Timeout => SessionEnd::ClientExit,
    }
}

/// Answers a connection that will not be served (too many clients, or the
/// server shutting down) once its startup packet has arrived; cancel
/// requests on such a connection are still forwarded.
pub fn refuse_connection(stream: ClientStream, segment: &Segment, refusal: Refusal) {
    let mut reader = MessageReader::new();
    let mut writer = MessageWriter::new();
    let timeout = Duration::from_secs(10);
    let _ = stream.set_read_timeout(Some(timeout));
    let deadline = Instant::now() + timeout;
    let (stream, request) = read_startup(stream, &mut reader, &mut writer, segment, deadline);
    match request {
        Ok(startup::StartupRequest::Session(_)) => {
            writer.error(&refusal.error());
            let _ = writer.flush(&stream);
        }
        Ok(_) => {}
        Err(e) => {
            startup_failed(&stream, &mut writer, e);
        }
    }
}
