//! Pool mode with carrier processes (`--mode pool --carrier-processes N`):
//! the life of one carrier process.
//!
//! The postmaster (process mode's, single-threaded: process.rs) forks N
//! carrier processes at start. Each owns the sessions the postmaster hands
//! it over its socketpair (the client socket by SCM_RIGHTS, with the slot
//! the postmaster allocated for the session and the accept time) and
//! multiplexes them exactly as `--mode pool` does in one process: its own
//! I/O thread and carrier threads ([`super::Pool`], sized by --carriers and
//! --max-carriers per process). A session never moves between processes.
//!
//! The process has a slot of its own in the backend table (state
//! `Pooled`: no client, not in pg_stat_activity). Its `carried` field
//! counts the sessions handed to it and not ended (the postmaster adds,
//! the process subtracts); its LWLock and pin counters count what the
//! process's threads hold outside any session (see
//! `backend_start::set_process_slot`), so that the postmaster can tell,
//! if the process dies, whether it held anything (pool/mod.rs, "Carrier
//! processes and crashes").
//!
//! Signals, as a backend's (`signals::become_backend`), handled by the
//! main thread (the pool's threads block them): SIGTERM (the postmaster's
//! fast shutdown) ends every session with 57P01, then the process; SIGQUIT
//! exits at once; the postmaster closing the socketpair (smart shutdown)
//! makes the process exit once its last session has ended. Its threads
//! are created after the fork, and the process never forks.

use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::net::UnixStream;

use backend::protocol::ClientStream;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use sendfd::RecvWithFd;
use shmem::backend_table::INTERRUPT_TERMINATE;
use shmem::{BackendState, ExecMode};

use super::{Pool, PoolSize};
use crate::backend_start;
use crate::server::Server;

/// The hand-off message: the session's slot index and the accept time
/// (native-endian u64 each), with the client socket as ancillary data.
pub const HANDOFF_LEN: usize = 16;

/// Encodes a hand-off message.
pub fn handoff_message(slot: usize, accept_ns: u64) -> [u8; HANDOFF_LEN] {
    let mut m = [0u8; HANDOFF_LEN];
    m[..8].copy_from_slice(&(slot as u64).to_ne_bytes());
    m[8..].copy_from_slice(&accept_ns.to_ne_bytes());
    m
}

/// Decodes a hand-off message.
fn parse_handoff(m: &[u8; HANDOFF_LEN]) -> (usize, u64) {
    let mut a = [0u8; 8];
    a.copy_from_slice(&m[..8]);
    let mut b = [0u8; 8];
    b.copy_from_slice(&m[8..]);
    (u64::from_ne_bytes(a) as usize, u64::from_ne_bytes(b))
}

/// What the main thread does with one read of the channel.
enum Received {
    Client(ClientStream, usize, u64),
    /// The postmaster closed the channel (smart shutdown, or it is gone).
    Closed,
    Nothing,
}

fn receive(chan: &UnixStream) -> Received {
    let mut buf = [0u8; HANDOFF_LEN];
    let mut fds: [RawFd; 1] = [-1];
    match chan.recv_with_fd(&mut buf, &mut fds) {
        Ok((0, _)) => Received::Closed,
        Ok((n, nfds)) => {
            if nfds == 0 {
                tracing::warn!("carrier process: hand-off without a socket ({n} bytes)");
                return Received::Nothing;
            }
            // SAFETY: the descriptor was just received over SCM_RIGHTS and
            // is owned by nobody else in this process.
            let stream = ClientStream::Unix(unsafe { UnixStream::from_raw_fd(fds[0]) });
            if n != HANDOFF_LEN {
                tracing::warn!("carrier process: short hand-off message ({n} bytes)");
                return Received::Nothing;
            }
            let (slot, accept_ns) = parse_handoff(&buf);
            match crate::process::reclassify(stream) {
                Some(s) => Received::Client(s, slot, accept_ns),
                None => Received::Nothing,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Received::Nothing,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Received::Nothing,
        Err(e) => {
            tracing::warn!("carrier process: could not receive from the postmaster: {e}");
            Received::Closed
        }
    }
}

/// A carrier process's life, from just after the fork. Never returns.
pub fn carrier_process_main(srv: &Server, own: usize, chan: UnixStream, size: PoolSize) -> ! {
    let table = srv.segment.backend_table();
    let slot = table.slot(own);
    // Handlers first, then the threads (they inherit the mask).
    crate::signals::become_backend(Some(slot));
    backend_start::attach(&srv.config, srv.segment, own, ExecMode::Process);
    slot.set_state(BackendState::Pooled, None);
    backend_start::set_process_slot(slot);
    super::seed_session_ids(std::process::id());
    let (pool, io) = match Pool::create(srv.config.clone(), srv.segment, size, Some(slot)) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(
                "carrier process {}: could not start: {e}",
                std::process::id()
            );
            std::process::exit(1);
        }
    };
    tracing::debug!(
        "carrier process {} started: {} carrier threads, at most {}",
        std::process::id(),
        size.carriers,
        size.max_carriers
    );
    let mut open = true;
    let mut terminating = false;
    loop {
        if slot.take_interrupts() & INTERRUPT_TERMINATE != 0 {
            terminating = true;
        }
        if terminating {
            // Repeated until every session has ended: one that was still
            // starting may have missed it.
            pool.terminate_all();
        }
        if (terminating || !open) && pool.sessions() == 0 {
            break;
        }
        if !open {
            std::thread::sleep(std::time::Duration::from_millis(20));
            continue;
        }
        // SAFETY: the channel outlives this poll.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(chan.as_raw_fd()) };
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        let timeout = if terminating { 20u16 } else { 200u16 };
        let readable = matches!(poll(&mut fds, PollTimeout::from(timeout)), Ok(n) if n > 0);
        if !readable {
            continue;
        }
        match receive(&chan) {
            Received::Client(stream, session_slot, accept_ns) => {
                pool.accept(stream, session_slot, accept_ns)
            }
            Received::Closed => open = false,
            Received::Nothing => {}
        }
    }
    pool.stop(io);
    tracing::debug!("carrier process {} exits", std::process::id());
    std::process::exit(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_messages_round_trip() {
        for (slot, ns) in [(0usize, 0u64), (7, 123_456_789), (262_142, u64::MAX)] {
            assert_eq!(parse_handoff(&handoff_message(slot, ns)), (slot, ns));
        }
    }
}
