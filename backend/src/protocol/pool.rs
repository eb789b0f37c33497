//! A session of pool mode (`--mode pool`, postmaster/src/pool/): one
//! client's whole state — its backend environment (slot), engine, socket,
//! buffers, prepared statements and portals — as one value that carrier
//! threads take up and put down. A carrier runs it until it is idle
//! outside a transaction block ([`PooledSession::run`] returns Ok), then it
//! waits without a thread in the pool's epoll set.
//!
//! The backend keeps some of a session's state per thread (time zone,
//! extra_float_digits, search_path, max_stack_depth, the catalog's enum
//! types and schemas, the armed fault, random()'s state, the planner's
//! table-size and statistics sources, the interrupt slot, the LWLock and
//! pin counters): `run` installs the session's on the calling thread
//! first (`Engine::resume_on_this_thread`) and takes what is not pushed
//! again away afterwards (`Engine::suspend_from_this_thread`); the
//! postmaster's carrier registers the slot's counters
//! (`backend_start::install_slot`).
//!
//! A parked session keeps all its state but not its empty I/O buffers,
//! which `Session::park` gives back and the next run allocates again
//! (backend/README.md, "A parked session").

use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use shmem::BackendState;

use super::session::{Parked, Resume, Session};
use super::{ClientStream, ConnectTimes, SessionEnd};
use crate::tcop::Engine;
use crate::BackendEnv;

/// One client's session while it lives in the pool.
pub struct PooledSession {
    pub env: BackendEnv,
    engine: Engine,
    stream: ClientStream,
    /// None only while a carrier runs it.
    parked: Option<Parked>,
    /// ReadyForQuery not yet sent (the session has just started).
    first: bool,
}

// SAFETY: a PooledSession is moved between carrier threads and the I/O
// thread, always whole and through the pool's mutex (which orders one
// thread's last use before the next one's first), and only while no
// statement runs: between messages, outside a transaction block. Its `Rc`
// and `RefCell` values (the engine's transaction state, catalog cache,
// held cursors) are reachable only from the session itself, so no two
// threads ever touch one at the same time. The backend's thread-local
// caches (PL/pgSQL bodies, compiled conversions, the regex cache) hand
// their `Rc`s only to the statement that runs, never into state that
// outlives it; what the session keeps per thread is installed and taken
// away by `run` (see the module comment).
#[allow(unsafe_code)] // moving a whole idle session to another thread
unsafe impl Send for PooledSession {}

impl PooledSession {
    /// Startup (TLS, SCRAM on TCP, the startup packet, the engine) on the
    /// calling carrier, whose thread has `env`'s slot installed.
    pub fn start(
        stream: ClientStream,
        env: BackendEnv,
        times: ConnectTimes,
        startup_timeout: Duration,
    ) -> Result<PooledSession, SessionEnd> {
        super::set_waker();
        let mut engine = Engine::new(env.clone());
        let (stream, reader, writer) =
            super::start_session(stream, &env, &mut engine, times, startup_timeout)?;
        let parked = Session::new(&env, &mut engine, &stream, reader, writer).park();
        engine.suspend_from_this_thread();
        Ok(PooledSession {
            env,
            engine,
            stream,
            parked: Some(parked),
            first: true,
        })
    }

    /// Runs the session on the calling carrier until it is idle outside a
    /// transaction block (Ok: put it back in the epoll set) or ends (its
    /// engine is then still to be dropped, on this thread).
    pub fn run(&mut self, why: Resume) -> Result<(), SessionEnd> {
        let why = if std::mem::take(&mut self.first) {
            Resume::First
        } else {
            why
        };
        self.engine.resume_on_this_thread();
        let parked = self.parked.take().expect("a parked session has its state");
        let mut session = Session::resume(&self.env, &mut self.engine, &self.stream, parked);
        let r = session.run_until_idle(why);
        self.parked = Some(session.park());
        self.engine.suspend_from_this_thread();
        if r.is_err() {
            self.env.slot.set_state(BackendState::Idle, Some(""));
        }
        r
    }

    /// How long the session may stay idle without a carrier
    /// (idle_session_timeout), if limited.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.engine.idle_timeout().map(|(d, _)| d)
    }

    /// Whether the session LISTENs (the pool must then wake it for
    /// notifications).
    pub fn is_listening(&self) -> bool {
        self.engine.is_listening()
    }

    /// Whether notifications wait for the session; a notifier signals the
    /// session's slot after this returned false.
    pub fn notifications_pending(&self) -> bool {
        self.engine.notifications_pending()
    }

    /// The client socket's descriptor (for the epoll set).
    pub fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }
}
