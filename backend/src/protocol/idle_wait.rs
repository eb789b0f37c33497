//! Waiting for the client while the session LISTENs: the wait must also
//! end when a notification arrives, so that it reaches an idle client at
//! once (PostgreSQL's ProcessClientReadInterrupt for NOTIFY).
//!
//! A notifier appends to the shared queue, then signals each listener
//! behind with SIGUSR1 (`shmem::notify_queue::signal_slot`). To lose no
//! signal between looking at the queue and blocking, SIGUSR1 is blocked
//! on this thread while the queue is looked at, and `ppoll` unblocks it
//! atomically for the wait: a signal sent in between stays pending and
//! ends the ppoll at once. The wait costs no CPU.

use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{ppoll, PollFd, PollFlags};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::time::TimeSpec;

use super::stream::ClientStream;
use crate::interrupts;

/// How the wait ended.
pub enum Wake {
    /// The socket has input (or the wait is not possible: read as usual).
    Readable,
    /// Notifications are pending.
    Notify,
    /// The idle timeout passed.
    Timeout,
    /// Termination was requested.
    Terminate,
}

/// Waits until the client sends something, a notification is pending
/// (`pending()`), `timeout` passes, or termination is requested.
pub fn wait(stream: &ClientStream, timeout: Option<Duration>, pending: impl Fn() -> bool) -> Wake {
    // TLS may hold decrypted input the socket no longer shows: read as usual.
    if stream.is_tls() {
        return if pending() {
            Wake::Notify
        } else {
            Wake::Readable
        };
    }
    let mut usr1 = SigSet::empty();
    usr1.add(Signal::SIGUSR1);
    let Ok(old) = usr1.thread_swap_mask(SigmaskHow::SIG_BLOCK) else {
        return Wake::Readable;
    };
    let mut during = old;
    during.remove(Signal::SIGUSR1);
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    let wake = loop {
        if interrupts::terminate_pending() {
            break Wake::Terminate;
        }
        if pending() {
            break Wake::Notify;
        }
        let left = match deadline {
            Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                Some(l) => Some(TimeSpec::from_duration(l)),
                None => break Wake::Timeout,
            },
            None => None,
        };
        let mut fds = [PollFd::new(stream.as_fd(), PollFlags::POLLIN)];
        match ppoll(&mut fds, left, Some(during)) {
            Ok(0) => break Wake::Timeout,
            Ok(_) => break Wake::Readable,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break Wake::Readable,
        }
    };
    let _ = old.thread_set_mask();
    wake
}
