//! Thread mode's supervisor: the `pgfork` process started with `--mode
//! thread`. It prepares the server (data directory, lock files, listening
//! sockets), forks the threaded server as its only child and watches it,
//! as PostgreSQL's postmaster watches its backends: when the server dies
//! abnormally (a fatal signal, an abort after a PANIC or a stack overflow,
//! an OOM kill, a non-zero exit) it starts a new one, which recovers from
//! the WAL, as a start after `kill -9` does. Shutdown signals (SIGTERM,
//! SIGINT, SIGQUIT) and SIGHUP are forwarded to the server; once it has
//! shut down the supervisor exits with its status.
//!
//! In a threaded server a backend cannot die alone while changing shared
//! memory: a crash of one thread is a crash of the process. So the crash
//! restart that process mode does inside the postmaster (process.rs) is
//! done here, one level up, for the whole server process.
//!
//! Invariants:
//! - The supervisor forks before any thread, runtime or shared segment
//!   exists in it, and never creates any: it only waits for signals and its
//!   child. It never accepts a client and never maps the segment.
//! - It holds `postmaster.pid` and the socket lock file (its pid on their
//!   first line, so that `kill -TERM $(head -1 postmaster.pid)` works as
//!   with PostgreSQL) and the socket file, across restarts, and removes
//!   them when it exits. Each server child inherits the listening
//!   descriptors, so clients that connect during a restart wait in the
//!   listen backlog and are served once recovery is over.
//! - At most one server child exists: the next is forked only after the
//!   last was reaped (its segment, named after the port, then carries a
//!   dead pid and is replaced).
//! - A server child dies with the supervisor (`PR_SET_PDEATHSIG`), so none
//!   runs unsupervised, without the process holding the lock files.
//! - A child that dies before it reported itself ready (start-up or
//!   recovery failed) is not restarted: the supervisor exits 1, as
//!   PostgreSQL's postmaster does when its startup process fails.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{ForkResult, Pid};

use crate::cli::Args;
use crate::server::Server;
use crate::signals::SignalPipe;

/// A server that crashes sooner than this after it became ready makes the
/// supervisor wait before it starts the next one.
const QUICK_CRASH: Duration = Duration::from_secs(1);
/// The longest wait between restarts of a server that keeps crashing at
/// once (the wait doubles from one second with every quick crash).
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long the server may take over an immediate shutdown (SIGQUIT)
/// before the supervisor kills it.
const IMMEDIATE_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    #[error("could not create signal pipe: {0}")]
    SignalPipe(std::io::Error),
    #[error("could not create pipe: {0}")]
    Pipe(Errno),
    #[error("could not fork the server process: {0}")]
    Fork(Errno),
}

/// The running server child.
struct Child {
    pid: Pid,
    /// Read end of the pipe on which the child writes one byte once it
    /// accepts connections; None once read or closed.
    ready_pipe: Option<OwnedFd>,
    ready_at: Option<Instant>,
}

/// What the supervisor does after its child exited.
#[derive(Debug, PartialEq, Eq)]
enum AfterExit {
    /// Exit with this status.
    Exit(i32),
    /// Start a new server after this delay.
    Restart(Duration),
}

/// The supervisor's state between events.
#[derive(Default)]
struct State {
    child: Option<Child>,
    /// The strongest stop request received (SIGTERM < SIGINT < SIGQUIT).
    shutdown: Option<Signal>,
    /// When SIGQUIT was forwarded.
    quit_at: Option<Instant>,
    /// Crashes in a row, each less than [`QUICK_CRASH`] after the server
    /// became ready.
    quick_crashes: u32,
    /// When to start the next server (after a crash).
    restart_at: Option<Instant>,
}

/// Runs the supervisor until the server has shut down; its exit status.
pub fn run(args: &Args) -> i32 {
    let prepared = match Server::prepare(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pgfork: FATAL:  {e}");
            return 1;
        }
    };
    let signals = match SignalPipe::install() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pgfork: FATAL:  {}", SupervisorError::SignalPipe(e));
            return 1;
        }
    };
    let mut st = State {
        restart_at: Some(Instant::now()),
        ..State::default()
    };
    let mut first = true;
    loop {
        if st.child.is_none() {
            if st.shutdown.is_some() {
                // A stop request while no server runs (waiting to restart).
                tracing::info!("database system is shut down");
                return 0;
            }
            if st.restart_at.is_some_and(|t| t <= Instant::now()) {
                st.restart_at = None;
                let (ready_read, ready_write) = match nix::unistd::pipe2(OFlag::O_CLOEXEC) {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::error!("{}", SupervisorError::Pipe(e));
                        return 1;
                    }
                };
                // SAFETY: the supervisor is single-threaded (see the module
                // comment); the child never returns from `serve`.
                match unsafe { crate::signals::fork_with_signals_blocked() } {
                    Ok(ForkResult::Child) => {
                        drop(ready_read);
                        drop(signals);
                        crate::thread::serve(args, prepared, ready_write);
                    }
                    Ok(ForkResult::Parent { child }) => {
                        drop(ready_write);
                        if first {
                            tracing::info!("supervisor started the server process (PID {child})");
                        } else {
                            tracing::info!("supervisor restarted the server process (PID {child})");
                        }
                        first = false;
                        st.child = Some(Child {
                            pid: child,
                            ready_pipe: Some(ready_read),
                            ready_at: None,
                        });
                    }
                    Err(e) => {
                        tracing::error!("{}", SupervisorError::Fork(e));
                        if first {
                            return 1;
                        }
                        st.restart_at = Some(Instant::now() + Duration::from_secs(1));
                    }
                }
            }
        }
        st.wait_for_event(&signals);
        if let Some(code) = st.reap() {
            return code;
        }
        if let (Some(c), Some(t)) = (&st.child, st.quit_at) {
            if t.elapsed() > IMMEDIATE_GRACE {
                tracing::warn!(
                    "server process (PID {}) did not shut down in {IMMEDIATE_GRACE:?}; sending SIGKILL",
                    c.pid
                );
                let _ = kill(c.pid, Signal::SIGKILL);
                st.quit_at = None;
            }
        }
    }
}

impl State {
    /// Waits (at most a second) for a signal or the child's ready byte,
    /// and acts on what arrived.
    fn wait_for_event(&mut self, signals: &SignalPipe) {
        let now = Instant::now();
        let mut timeout = Duration::from_secs(1);
        if let Some(t) = self.restart_at {
            timeout = timeout.min(t.saturating_duration_since(now));
        }
        let ready_pipe = self.child.as_ref().and_then(|c| c.ready_pipe.as_ref());
        let mut fds = vec![PollFd::new(signals.fd_borrowed(), PollFlags::POLLIN)];
        if let Some(r) = ready_pipe {
            fds.push(PollFd::new(r.as_fd(), PollFlags::POLLIN));
        }
        let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let _ = poll(&mut fds, PollTimeout::from(ms));
        let ready_readable = fds
            .get(1)
            .and_then(|f| f.revents())
            .is_some_and(|r| !r.is_empty());
        drop(fds);
        if ready_readable {
            self.read_ready();
        }
        for sig in signals.drain() {
            self.on_signal(sig);
        }
    }

    /// Reads the child's ready byte (or the end of the pipe).
    fn read_ready(&mut self) {
        let Some(c) = self.child.as_mut() else {
            return;
        };
        let Some(r) = c.ready_pipe.take() else {
            return;
        };
        let mut b = [0u8; 1];
        match nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&r), &mut b) {
            Ok(1) => c.ready_at = Some(Instant::now()),
            Err(Errno::EAGAIN) | Err(Errno::EINTR) => c.ready_pipe = Some(r),
            // The child closed the pipe without a byte: it is dying.
            _ => {}
        }
    }

    fn on_signal(&mut self, sig: Signal) {
        match sig {
            Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT => {
                let rank = |s: Signal| match s {
                    Signal::SIGTERM => 0,
                    Signal::SIGINT => 1,
                    _ => 2,
                };
                if self.shutdown.is_none_or(|cur| rank(sig) > rank(cur)) {
                    self.shutdown = Some(sig);
                }
                if sig == Signal::SIGQUIT && self.quit_at.is_none() {
                    self.quit_at = Some(Instant::now());
                }
                self.forward(sig);
            }
            Signal::SIGHUP => self.forward(sig),
            // SIGCHLD: `reap` runs after every event.
            _ => {}
        }
    }

    fn forward(&self, sig: Signal) {
        if let Some(c) = &self.child {
            tracing::debug!("forwarding {sig} to the server process (PID {})", c.pid);
            let _ = kill(c.pid, sig);
        }
    }

    /// Reaps the child if it exited; Some(status) when the supervisor must
    /// exit with it.
    fn reap(&mut self) -> Option<i32> {
        let pid = self.child.as_ref()?.pid;
        let status = match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => return None,
            Ok(s @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => s,
            Ok(_) => return None,
            Err(e) => {
                tracing::error!("waitpid for the server process (PID {pid}) failed: {e}");
                return Some(1);
            }
        };
        // A ready byte written just before it died still counts.
        if self
            .child
            .as_ref()
            .is_some_and(|c| c.ready_pipe.is_some() && c.ready_at.is_none())
        {
            self.read_ready();
        }
        let child = self.child.take()?;
        self.quit_at = None;
        match self.after_exit(&child, status, Instant::now()) {
            AfterExit::Exit(code) => Some(code),
            AfterExit::Restart(delay) => {
                self.restart_at = Some(Instant::now() + delay);
                None
            }
        }
    }

    /// Logs the child's end as PostgreSQL's postmaster logs a backend's and
    /// decides what follows.
    fn after_exit(&mut self, child: &Child, status: WaitStatus, now: Instant) -> AfterExit {
        let pid = child.pid;
        let code = match status {
            WaitStatus::Exited(_, code) => code,
            _ => 1,
        };
        let clean = matches!(status, WaitStatus::Exited(_, 0));
        if self.shutdown.is_some() {
            if !clean {
                tracing::warn!("server process (PID {pid}) {}", describe(status));
            }
            return AfterExit::Exit(code);
        }
        let Some(ready_at) = child.ready_at else {
            tracing::error!("server process (PID {pid}) {}", describe(status));
            tracing::error!("aborting startup due to startup process failure");
            return AfterExit::Exit(1);
        };
        if clean {
            // It stopped by itself (a WAL write failed): as in process mode,
            // the server stays down until started again, and recovers then.
            tracing::info!("server process (PID {pid}) shut down by itself; supervisor exiting");
            return AfterExit::Exit(0);
        }
        tracing::warn!("server process (PID {pid}) {}", describe(status));
        tracing::warn!("all server processes terminated; reinitializing");
        if now.saturating_duration_since(ready_at) < QUICK_CRASH {
            self.quick_crashes += 1;
        } else {
            self.quick_crashes = 0;
        }
        let delay = backoff(self.quick_crashes);
        if !delay.is_zero() {
            tracing::warn!(
                "the server crashed within {QUICK_CRASH:?} of being ready ({} times in a row); restarting it in {delay:?}",
                self.quick_crashes
            );
        }
        AfterExit::Restart(delay)
    }
}

/// The wait before a restart after `quick_crashes` quick crashes in a row:
/// none after a server that ran a while (PostgreSQL restarts at once), then
/// 1 s, 2 s, 4 s, up to [`MAX_BACKOFF`].
fn backoff(quick_crashes: u32) -> Duration {
    match quick_crashes {
        0 => Duration::ZERO,
        n => Duration::from_secs(1u64 << (n - 1).min(8)).min(MAX_BACKOFF),
    }
}

/// How a process ended, in PostgreSQL's words: "exited with exit code 1",
/// "was terminated by signal 11: Segmentation fault".
fn describe(status: WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited with exit code {code}"),
        WaitStatus::Signaled(_, sig, _) => {
            format!(
                "was terminated by signal {}: {}",
                sig as i32,
                signal_description(sig)
            )
        }
        other => format!("changed state: {other:?}"),
    }
}

/// strsignal(3) of a signal ("Segmentation fault").
fn signal_description(sig: Signal) -> String {
    // SAFETY: strsignal returns a pointer to a NUL-terminated string that
    // stays valid until the next strsignal call in this thread; it is
    // copied at once, and the supervisor is single-threaded.
    let p = unsafe { libc::strsignal(sig as i32) };
    if p.is_null() {
        return sig.as_str().to_owned();
    }
    // SAFETY: non-null, NUL-terminated (see above).
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(ready: Option<Instant>) -> Child {
        Child {
            pid: Pid::from_raw(4242),
            ready_pipe: None,
            ready_at: ready,
        }
    }

    #[test]
    fn messages_are_postgresqls() {
        let pid = Pid::from_raw(7);
        assert_eq!(
            describe(WaitStatus::Signaled(pid, Signal::SIGSEGV, false)),
            "was terminated by signal 11: Segmentation fault"
        );
        assert_eq!(
            describe(WaitStatus::Signaled(pid, Signal::SIGABRT, true)),
            "was terminated by signal 6: Aborted"
        );
        assert_eq!(
            describe(WaitStatus::Exited(pid, 101)),
            "exited with exit code 101"
        );
    }

    #[test]
    fn crashes_restart_and_quick_ones_back_off() {
        let pid = Pid::from_raw(4242);
        let segv = WaitStatus::Signaled(pid, Signal::SIGSEGV, false);
        let mut st = State::default();
        let t0 = Instant::now();
        // Ran a while: at once.
        let long_ago = t0 - Duration::from_secs(60);
        assert_eq!(
            st.after_exit(&child(Some(long_ago)), segv, t0),
            AfterExit::Restart(Duration::ZERO)
        );
        // Crashing again right after being ready: 1 s, 2 s, 4 s, 8 s, 8 s.
        for want in [1, 2, 4, 8, 8] {
            assert_eq!(
                st.after_exit(&child(Some(t0)), segv, t0),
                AfterExit::Restart(Duration::from_secs(want))
            );
        }
        // A server that ran a while resets the back-off.
        assert_eq!(
            st.after_exit(&child(Some(long_ago)), WaitStatus::Exited(pid, 101), t0),
            AfterExit::Restart(Duration::ZERO)
        );
    }

    #[test]
    fn start_up_failures_and_shutdowns_end_the_supervisor() {
        let pid = Pid::from_raw(4242);
        let t0 = Instant::now();
        let mut st = State::default();
        // Failed before it was ready (start-up or recovery): no restart.
        assert_eq!(
            st.after_exit(&child(None), WaitStatus::Exited(pid, 1), t0),
            AfterExit::Exit(1)
        );
        assert_eq!(
            st.after_exit(
                &child(None),
                WaitStatus::Signaled(pid, Signal::SIGKILL, false),
                t0
            ),
            AfterExit::Exit(1)
        );
        // Stopped by itself (a WAL failure): as in process mode, it stays down.
        assert_eq!(
            st.after_exit(&child(Some(t0)), WaitStatus::Exited(pid, 0), t0),
            AfterExit::Exit(0)
        );
        // Asked to stop: the server's status, whatever it is.
        st.shutdown = Some(Signal::SIGTERM);
        assert_eq!(
            st.after_exit(&child(Some(t0)), WaitStatus::Exited(pid, 0), t0),
            AfterExit::Exit(0)
        );
        assert_eq!(
            st.after_exit(
                &child(Some(t0)),
                WaitStatus::Signaled(pid, Signal::SIGSEGV, false),
                t0
            ),
            AfterExit::Exit(1)
        );
    }

    #[test]
    fn stop_requests_only_escalate() {
        let mut st = State::default();
        st.on_signal(Signal::SIGINT);
        st.on_signal(Signal::SIGTERM);
        assert_eq!(st.shutdown, Some(Signal::SIGINT));
        assert!(st.quit_at.is_none());
        st.on_signal(Signal::SIGQUIT);
        assert_eq!(st.shutdown, Some(Signal::SIGQUIT));
        assert!(st.quit_at.is_some());
    }
}
