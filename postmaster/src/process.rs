//! Process mode: a backend process per client, forked by the postmaster
//! (PostgreSQL's model), optionally from a pool of pre-forked backends
//! that are handed their client's socket over a socketpair (`--prefork`).
//!
//! The postmaster is single-threaded here: it forks from its poll() loop
//! and never runs an async runtime or a helper thread, so a child starts
//! from a consistent copy of it.
//!
//! When a backend dies by a signal or exits abnormally, the postmaster
//! looks at its slot: if it held an LWLock or a buffer pin, or was in a
//! critical section, shared memory may be inconsistent, and the postmaster
//! does what PostgreSQL does: it ends every other backend (SIGQUIT) and
//! reinitializes the segment before serving new clients. Otherwise only
//! the slot is freed and everyone else goes on. See postmaster/README.md.
//!
//! Pool mode with carrier processes (`--mode pool --carrier-processes N`)
//! runs on this postmaster too: it forks N carrier processes
//! (pool/processes.rs) and hands each new client, by fd passing, to the
//! one that carries the fewest sessions. A carrier process that dies is
//! handled as a backend that dies, for all its sessions at once (see
//! pool/mod.rs, "Carrier processes and crashes").

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use backend::protocol::{self, ClientStream, ConnectTimes, Refusal, STARTUP_TIMEOUT};
use backend::tcop::Engine;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{ForkResult, Pid};
use sendfd::{RecvWithFd, SendWithFd};
use shmem::{BackendState, ExecMode};

use crate::backend_start;
use crate::pool::processes::{carrier_process_main, handoff_message, HANDOFF_LEN};
use crate::pool::PoolSize;
use crate::server::{Launcher, Server, Shutdown};

#[derive(Debug)]
enum ChildKind {
    /// A backend forked for one client.
    Backend { slot: usize },
    /// A pre-forked backend; `pool` is its index in the pool.
    Pooled { slot: usize, pool: usize },
    /// A child that only answers a refused connection.
    Refuser,
    /// The checkpointer (see checkpointer.rs).
    Checkpointer { slot: usize },
    /// A carrier process (pool mode), `idx` in `carriers`, with its own
    /// slot.
    Carrier { idx: usize, slot: usize },
}

/// A carrier process, as the postmaster knows it.
#[derive(Default)]
struct CarrierMember {
    pid: Option<Pid>,
    /// Its own slot (`carried` counts its sessions).
    slot: usize,
    /// The postmaster's end of the socketpair (SOCK_SEQPACKET).
    chan: Option<UnixStream>,
}

struct PoolMember {
    pid: Option<Pid>,
    slot: usize,
    /// The postmaster's end of the socketpair.
    chan: Option<UnixStream>,
}

pub struct ProcessLauncher {
    children: HashMap<Pid, ChildKind>,
    pool: Vec<PoolMember>,
    shutting_down: Option<Shutdown>,
    checkpointer: Option<Pid>,
    /// A crash reset is decided or under way: the segment will be
    /// reinitialized, so children that exit meanwhile get no shared-memory
    /// cleanup. It would take LWLocks (proc array, lock manager) that the
    /// crashed process may have died holding, and the postmaster would
    /// wait on them forever; PostgreSQL's postmaster never takes them.
    resetting: bool,
    /// Pool mode's carrier processes (none in process mode).
    carriers: Vec<CarrierMember>,
    /// Each carrier process's threads.
    carrier_size: PoolSize,
    /// Per backend slot: 1 + the index of the carrier process it was
    /// handed to, 0 for none. Only the postmaster allocates slots, and it
    /// sets this at once, so a slot in use with a non-zero entry is that
    /// carrier process's session.
    owner: Vec<u32>,
}

impl ProcessLauncher {
    /// `carriers`: pool mode's carrier processes (how many, and the
    /// threads of each), or None in process mode.
    pub fn new(srv: &Server, carriers: Option<(usize, PoolSize)>) -> ProcessLauncher {
        let (ncarriers, carrier_size) = carriers.unwrap_or((
            0,
            PoolSize {
                carriers: 1,
                max_carriers: 1,
            },
        ));
        let mut l = ProcessLauncher {
            children: HashMap::new(),
            pool: Vec::new(),
            shutting_down: None,
            checkpointer: None,
            resetting: false,
            carriers: (0..ncarriers).map(|_| CarrierMember::default()).collect(),
            carrier_size,
            owner: vec![0; srv.segment.backend_table().slots().len()],
        };
        l.spawn_checkpointer(srv);
        for i in 0..ncarriers {
            l.spawn_carrier(srv, i);
        }
        if ncarriers > 0 {
            tracing::info!(
                "pool mode: {ncarriers} carrier processes, each with {} carrier threads, at most {} not waiting for locks",
                carrier_size.carriers,
                carrier_size.max_carriers
            );
        }
        for i in 0..srv.config.prefork {
            let Some(slot) = srv.segment.backend_table().alloc(ExecMode::Prefork) else {
                tracing::warn!("no backend slot for pre-forked backend {i}");
                break;
            };
            l.pool.push(PoolMember {
                pid: None,
                slot,
                chan: None,
            });
            l.spawn_pool_member(srv, i);
        }
        l
    }

    fn spawn_checkpointer(&mut self, srv: &Server) {
        let Some(slot) = srv.segment.backend_table().alloc(ExecMode::Process) else {
            tracing::warn!("no backend slot for the checkpointer");
            return;
        };
        srv.segment
            .backend_table()
            .slot(slot)
            .set_state(BackendState::Auxiliary, None);
        // SAFETY: single-threaded postmaster, see the module comment; the
        // child never returns.
        match unsafe { crate::signals::fork_with_signals_blocked() } {
            Ok(ForkResult::Child) => {
                srv.close_listeners_in_child();
                self.close_pool_channels();
                let s = srv.segment.backend_table().slot(slot);
                backend_start::child_life(|| {
                    crate::signals::become_backend(Some(s));
                    backend_start::attach(&srv.config, srv.segment, slot, ExecMode::Process);
                    crate::checkpointer::run(srv.segment, s, srv.checkpoint);
                });
            }
            Ok(ForkResult::Parent { child }) => {
                self.checkpointer = Some(child);
                self.children
                    .insert(child, ChildKind::Checkpointer { slot });
            }
            Err(e) => {
                tracing::error!("could not fork checkpointer: {e}");
                self.free_slot(srv, slot);
            }
        }
    }

    fn spawn_pool_member(&mut self, srv: &Server, idx: usize) {
        let (ours, theirs) = match UnixStream::pair() {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("could not create socketpair for pre-forked backend: {e}");
                return;
            }
        };
        let slot = self.pool[idx].slot;
        let table = srv.segment.backend_table();
        table.slot(slot).set_state(BackendState::Starting, None);
        // SAFETY: the postmaster is single-threaded (no runtime, no helper
        // threads), so the child starts from a consistent state; the child
        // never returns from `prefork_child_main`.
        match unsafe { crate::signals::fork_with_signals_blocked() } {
            Ok(ForkResult::Child) => {
                drop(ours);
                srv.close_listeners_in_child();
                for m in &self.pool {
                    if let Some(c) = &m.chan {
                        // SAFETY: closing our inherited copies of the other
                        // pool members' channels; never used here.
                        unsafe { libc::close(c.as_raw_fd()) };
                    }
                }
                backend_start::child_life(|| prefork_child_main(srv, slot, theirs));
            }
            Ok(ForkResult::Parent { child }) => {
                drop(theirs);
                self.pool[idx].pid = Some(child);
                self.pool[idx].chan = Some(ours);
                self.children
                    .insert(child, ChildKind::Pooled { slot, pool: idx });
            }
            Err(e) => tracing::error!("could not fork pre-forked backend: {e}"),
        }
    }

    /// Forks carrier process `idx` with a new slot of its own.
    fn spawn_carrier(&mut self, srv: &Server, idx: usize) {
        use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
        let table = srv.segment.backend_table();
        let Some(slot) = table.alloc(ExecMode::Process) else {
            tracing::warn!("no backend slot for carrier process {idx}");
            return;
        };
        // Not a client: not counted against --max-connections, not shown.
        table.slot(slot).set_state(BackendState::Pooled, None);
        // SEQPACKET: every hand-off is one message, sent whole or not at
        // all.
        let (ours, theirs) = match socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        ) {
            Ok((a, b)) => (UnixStream::from(a), UnixStream::from(b)),
            Err(e) => {
                tracing::error!("could not create socketpair for carrier process: {e}");
                self.free_slot(srv, slot);
                return;
            }
        };
        // SAFETY: the postmaster is single-threaded (see the module
        // comment); the child never returns from `carrier_process_main`.
        match unsafe { crate::signals::fork_with_signals_blocked() } {
            Ok(ForkResult::Child) => {
                drop(ours);
                srv.close_listeners_in_child();
                self.close_pool_channels();
                let size = self.carrier_size;
                backend_start::child_life(|| carrier_process_main(srv, slot, theirs, size));
            }
            Ok(ForkResult::Parent { child }) => {
                drop(theirs);
                if let Err(e) = ours.set_nonblocking(true) {
                    tracing::warn!("could not make a carrier process's channel non-blocking: {e}");
                }
                self.carriers[idx] = CarrierMember {
                    pid: Some(child),
                    slot,
                    chan: Some(ours),
                };
                self.children
                    .insert(child, ChildKind::Carrier { idx, slot });
            }
            Err(e) => {
                tracing::error!("could not fork carrier process: {e}");
                self.free_slot(srv, slot);
            }
        }
    }

    /// Hands the client to the carrier process that carries the fewest
    /// sessions (each carrier process's `carried` count, in its slot).
    /// Returns the stream when no carrier process could take it.
    fn handoff_to_carrier(
        &mut self,
        srv: &Server,
        stream: ClientStream,
        accept_ns: u64,
    ) -> Option<ClientStream> {
        let table = srv.segment.backend_table();
        let mut order: Vec<(u32, usize)> = self
            .carriers
            .iter()
            .enumerate()
            .filter(|(_, m)| m.pid.is_some() && m.chan.is_some())
            .map(|(i, m)| (table.slot(m.slot).carried.load(Ordering::Acquire), i))
            .collect();
        order.sort_unstable();
        if order.is_empty() {
            return Some(stream);
        }
        let Some(slot) = table.alloc(ExecMode::Thread) else {
            self.refuse(srv, stream, Refusal::TooManyClients);
            return None;
        };
        let msg = handoff_message(slot, accept_ns);
        for (_, idx) in order {
            let m = &self.carriers[idx];
            let Some(chan) = &m.chan else { continue };
            let carried = &table.slot(m.slot).carried;
            carried.fetch_add(1, Ordering::AcqRel);
            self.owner[slot] = idx as u32 + 1;
            match chan.send_with_fd(&msg, &[stream.as_raw_fd()]) {
                Ok(n) if n == HANDOFF_LEN => return None,
                Ok(n) => tracing::warn!("short hand-off to carrier process {idx}: {n} bytes"),
                Err(e) => {
                    tracing::warn!("could not pass client socket to carrier process {idx}: {e}")
                }
            }
            carried.fetch_sub(1, Ordering::AcqRel);
        }
        self.owner[slot] = 0;
        self.free_slot(srv, slot);
        Some(stream)
    }

    /// A carrier process exited. If it died (a signal, or a non-zero exit)
    /// holding an LWLock, a buffer pin or a critical section in its own
    /// slot or in any of its sessions' slots, shared memory may be
    /// inconsistent: true, and the caller does the crash reset. Otherwise
    /// its sessions' slots are released (transactions aborted, locks
    /// released) and everyone else goes on.
    fn carrier_exited(
        &mut self,
        srv: &Server,
        pid: Pid,
        idx: usize,
        own: usize,
        abnormal: bool,
    ) -> bool {
        self.carriers[idx].pid = None;
        self.carriers[idx].chan = None;
        let table = srv.segment.backend_table();
        let tag = idx as u32 + 1;
        let sessions: Vec<usize> = (0..self.owner.len())
            .filter(|&s| self.owner[s] == tag)
            .collect();
        for &s in &sessions {
            self.owner[s] = 0;
        }
        if self.resetting {
            // The segment is about to be reinitialized: touch nothing.
            return false;
        }
        let sessions: Vec<usize> = sessions
            .into_iter()
            .filter(|&s| table.slot(s).is_in_use())
            .collect();
        let holders: Vec<usize> = std::iter::once(own)
            .chain(sessions.iter().copied())
            .filter(|&s| table.slot(s).holds_shared_resources())
            .collect();
        if abnormal && !holders.is_empty() && self.shutting_down != Some(Shutdown::Immediate) {
            for &s in &holders {
                let s = table.slot(s);
                tracing::warn!(
                    "carrier process (PID {pid}) died holding {} LWLocks, {} buffer pins, critical section depth {}: shared memory may be inconsistent",
                    s.lwlocks_held.load(Ordering::Relaxed),
                    s.pins_held.load(Ordering::Relaxed),
                    s.critical.load(Ordering::Relaxed)
                );
            }
            self.resetting = true;
            return true;
        }
        if abnormal && self.shutting_down.is_none() {
            tracing::warn!(
                "carrier process (PID {pid}) held no LWLock, buffer pin or critical section: its {} sessions are ended, other sessions go on",
                sessions.len()
            );
        }
        for s in sessions {
            let clean = !table.slot(s).holds_shared_resources();
            backend_start::release_slot(&srv.segment, s, clean);
        }
        let clean = !table.slot(own).holds_shared_resources();
        backend_start::release_slot(&srv.segment, own, clean);
        false
    }

    /// Forks the carrier processes that are not running.
    fn respawn_carriers(&mut self, srv: &Server) {
        for i in 0..self.carriers.len() {
            if self.carriers[i].pid.is_none() {
                self.spawn_carrier(srv, i);
            }
        }
    }

    /// Hands the client to an idle pre-forked backend, if there is one.
    fn handoff(&mut self, srv: &Server, stream: &ClientStream, accept_ns: u64) -> bool {
        let table = srv.segment.backend_table();
        for m in &self.pool {
            let (Some(chan), Some(_)) = (&m.chan, m.pid) else {
                continue;
            };
            let slot = table.slot(m.slot);
            if slot
                .state
                .compare_exchange(
                    BackendState::Pooled as u32,
                    BackendState::Assigned as u32,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_err()
            {
                continue;
            }
            slot.accept_ns.store(accept_ns, Ordering::Relaxed);
            let msg = accept_ns.to_ne_bytes();
            match chan.send_with_fd(&msg, &[stream.as_raw_fd()]) {
                Ok(_) => return true,
                Err(e) => {
                    tracing::warn!("could not pass client socket to pre-forked backend: {e}");
                    slot.set_state(BackendState::Pooled, None);
                }
            }
        }
        false
    }

    fn fork_backend(&mut self, srv: &Server, stream: ClientStream, accept_ns: u64) {
        let table = srv.segment.backend_table();
        let Some(slot) = table.alloc(ExecMode::Process) else {
            self.refuse(srv, stream, Refusal::TooManyClients);
            return;
        };
        // SAFETY: single-threaded postmaster, see the module comment; the
        // child never returns from `backend_child_main`.
        match unsafe { crate::signals::fork_with_signals_blocked() } {
            Ok(ForkResult::Child) => {
                srv.close_listeners_in_child();
                self.close_pool_channels();
                backend_start::child_life(|| backend_child_main(srv, slot, stream, accept_ns));
            }
            Ok(ForkResult::Parent { child }) => {
                self.children.insert(child, ChildKind::Backend { slot });
            }
            Err(e) => {
                tracing::error!("could not fork new process for connection: {e}");
                table.free(slot);
            }
        }
    }

    fn close_pool_channels(&self) {
        let pool = self.pool.iter().map(|m| &m.chan);
        for c in pool.chain(self.carriers.iter().map(|m| &m.chan)).flatten() {
            // SAFETY: the child's inherited copies; never used there.
            unsafe { libc::close(c.as_raw_fd()) };
        }
    }

    fn free_slot(&self, srv: &Server, slot: usize) {
        backend_start::release_slot(&srv.segment, slot, true);
    }

    fn signal_all(&self, sig: Signal) {
        for pid in self.children.keys() {
            let _ = kill(*pid, sig);
        }
    }

    /// A backend died in a way that may have left shared memory
    /// inconsistent: end all others and reinitialize, as PostgreSQL does.
    fn crash_reset(&mut self, srv: &Server) {
        tracing::warn!("terminating any other active server processes");
        self.resetting = true;
        self.signal_all(Signal::SIGQUIT);
        self.wait_all(srv, Duration::from_secs(5));
        // SAFETY: every backend has exited (wait_all SIGKILLs stragglers),
        // so nothing else uses the segment.
        unsafe { srv.segment.reinitialize(&srv.seg_cfg) };
        self.resetting = false;
        // Transactions that were running can never commit now; recovery
        // then settles, from the WAL, those whose commit record it finds.
        srv.segment.data_dir().clog().abort_in_progress();
        tracing::warn!("all server processes terminated; reinitialized shared memory");
        if let Err(e) = backend::recovery::startup(&srv.segment) {
            tracing::error!("{e}; shutting down");
            srv.must_stop
                .store(true, std::sync::atomic::Ordering::Release);
            return;
        }
        let table = srv.segment.backend_table();
        for m in &mut self.pool {
            m.pid = None;
            m.chan = None;
            m.slot = table.alloc(ExecMode::Prefork).unwrap_or(m.slot);
        }
        for i in 0..self.pool.len() {
            self.spawn_pool_member(srv, i);
        }
        self.spawn_checkpointer(srv);
        self.owner.fill(0);
        for m in &mut self.carriers {
            *m = CarrierMember::default();
        }
        self.respawn_carriers(srv);
    }

    fn child_exited(&mut self, srv: &Server, pid: Pid, status: WaitStatus) -> bool {
        let Some(kind) = self.children.remove(&pid) else {
            return false;
        };
        if let ChildKind::Carrier { idx, slot } = kind {
            let abnormal = !matches!(status, WaitStatus::Exited(_, 0));
            if abnormal {
                log_abnormal_exit("carrier process", pid, status);
            }
            return self.carrier_exited(srv, pid, idx, slot, abnormal);
        }
        let (slot, pool) = match kind {
            ChildKind::Backend { slot } => (Some(slot), None),
            ChildKind::Pooled { slot, pool } => (Some(slot), Some(pool)),
            ChildKind::Refuser => (None, None),
            ChildKind::Checkpointer { slot } => {
                self.checkpointer = None;
                (Some(slot), None)
            }
            ChildKind::Carrier { .. } => unreachable!("handled above"),
        };
        let abnormal = match status {
            WaitStatus::Exited(_, 0) => false,
            WaitStatus::Exited(_, code) => {
                tracing::warn!("server process (PID {pid}) exited with exit code {code}");
                true
            }
            WaitStatus::Signaled(_, sig, _) => {
                tracing::warn!(
                    "server process (PID {pid}) was terminated by signal {} ({sig})",
                    sig as i32
                );
                true
            }
            _ => false,
        };
        if !abnormal {
            tracing::debug!("server process (PID {pid}) exited");
        }
        let mut need_reset = false;
        if let Some(slot) = slot {
            let s = srv.segment.backend_table().slot(slot);
            let held = s.holds_shared_resources();
            if abnormal
                && s.holds_shared_resources()
                && self.shutting_down != Some(Shutdown::Immediate)
            {
                tracing::warn!(
                    "server process (PID {pid}) died holding {} LWLocks, {} buffer pins, critical section depth {}: shared memory may be inconsistent",
                    s.lwlocks_held.load(Ordering::Relaxed),
                    s.pins_held.load(Ordering::Relaxed),
                    s.critical.load(Ordering::Relaxed)
                );
                need_reset = true;
            } else if abnormal && !self.resetting {
                tracing::info!("server process (PID {pid}) held no shared locks or pins; shared memory is intact, other sessions go on");
            }
            if need_reset {
                self.resetting = true;
            }
            if self.resetting {
                // The segment is about to be reinitialized: touch nothing.
                if let Some(p) = pool {
                    self.pool[p].pid = None;
                    self.pool[p].chan = None;
                }
            } else if let Some(p) = pool {
                // Keep the slot for the replacement, cleaned.
                if !held {
                    backend_start::release_backend_resources(&srv.segment, slot);
                }
                s.set_state(BackendState::Starting, None);
                self.pool[p].pid = None;
                self.pool[p].chan = None;
            } else {
                backend_start::release_slot(&srv.segment, slot, !held);
            }
        }
        need_reset
    }
}

impl Launcher for ProcessLauncher {
    fn launch(&mut self, srv: &Server, stream: ClientStream, accept_ns: u64) {
        if !self.carriers.is_empty() {
            if self.carriers.iter().all(|m| m.pid.is_none()) {
                self.respawn_carriers(srv);
            }
            if let Some(stream) = self.handoff_to_carrier(srv, stream, accept_ns) {
                tracing::warn!("no carrier process could take a new client");
                self.refuse(srv, stream, Refusal::TooManyClients);
            }
            return;
        }
        if !self.pool.is_empty() && self.handoff(srv, &stream, accept_ns) {
            return; // dropping `stream` closes the postmaster's copy
        }
        self.fork_backend(srv, stream, accept_ns);
    }

    fn refuse(&mut self, srv: &Server, stream: ClientStream, why: Refusal) {
        // SAFETY: single-threaded postmaster; the child only answers the
        // client and exits.
        match unsafe { crate::signals::fork_with_signals_blocked() } {
            Ok(ForkResult::Child) => {
                srv.close_listeners_in_child();
                self.close_pool_channels();
                backend_start::child_life(|| {
                    crate::signals::become_backend(None);
                    protocol::refuse_connection(stream, &srv.segment, why);
                });
            }
            Ok(ForkResult::Parent { child }) => {
                self.children.insert(child, ChildKind::Refuser);
            }
            Err(e) => tracing::error!("could not fork: {e}"),
        }
    }

    fn reap(&mut self, srv: &Server) {
        let mut need_reset = false;
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(status) => {
                    if let Some(pid) = status.pid() {
                        need_reset |= self.child_exited(srv, pid, status);
                    }
                }
            }
        }
        if need_reset {
            self.crash_reset(srv);
        }
    }

    fn begin_shutdown(&mut self, _srv: &Server, how: Shutdown) {
        self.shutting_down = Some(how);
        // Pooled backends read EOF on their channel once it is closed: idle
        // ones exit at once, busy ones after their session.
        for m in &mut self.pool {
            m.chan = None;
        }
        // Carrier processes too: each exits once its last session ends.
        for m in &mut self.carriers {
            m.chan = None;
        }
        match how {
            Shutdown::Smart => {}
            Shutdown::Fast => self.signal_all(Signal::SIGTERM),
            Shutdown::Immediate => self.signal_all(Signal::SIGQUIT),
        }
    }

    fn live_backends(&self) -> usize {
        self.children.len() - usize::from(self.checkpointer.is_some())
    }

    fn tick(&mut self, srv: &Server) {
        match self.shutting_down {
            // Repeat the request to whoever is still there: a backend that
            // was still starting may have missed it.
            Some(Shutdown::Fast) => self.signal_all(Signal::SIGTERM),
            Some(Shutdown::Immediate) => self.signal_all(Signal::SIGQUIT),
            Some(Shutdown::Smart) => {}
            None => {}
        }
        if self.shutting_down.is_some() {
            return;
        }
        if self.checkpointer.is_none() {
            self.spawn_checkpointer(srv);
        }
        for i in 0..self.pool.len() {
            if self.pool[i].pid.is_none() {
                self.spawn_pool_member(srv, i);
            }
        }
        self.respawn_carriers(srv);
    }

    fn wait_all(&mut self, srv: &Server, timeout: Duration) {
        if let Some(pid) = self.checkpointer {
            let _ = kill(pid, Signal::SIGTERM);
        }
        let deadline = Instant::now() + timeout;
        while !self.children.is_empty() {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => {
                    if Instant::now() > deadline {
                        tracing::warn!(
                            "{} server processes did not exit in time; sending SIGKILL",
                            self.children.len()
                        );
                        self.signal_all(Signal::SIGKILL);
                        for pid in self.children.keys().copied().collect::<Vec<_>>() {
                            let _ = waitpid(pid, None);
                        }
                        self.children.clear();
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(status) => {
                    if let Some(pid) = status.pid() {
                        self.child_exited(srv, pid, status);
                    }
                }
                Err(_) => {
                    self.children.clear();
                    break;
                }
            }
        }
    }
}

/// A backend forked for one client. A panic in its session reports FATAL
/// XX000 to the client and exits with status 1 (its engine dropped on the
/// way, which aborts its transaction unless the panic was in its commit's
/// critical section).
fn backend_child_main(srv: &Server, slot: usize, stream: ClientStream, accept_ns: u64) -> ! {
    let running_ns = shmem::time::monotonic_ns();
    let table = srv.segment.backend_table();
    crate::signals::become_backend(Some(table.slot(slot)));
    let ok = backend_start::catch_session_panic(|| {
        let env = backend_start::attach(&srv.config, srv.segment, slot, ExecMode::Process);
        let mut engine = Engine::new(env.clone());
        let times = ConnectTimes {
            accept_ns,
            running_ns,
        };
        let end = protocol::run_session(stream, &env, &mut engine, times, STARTUP_TIMEOUT);
        tracing::debug!("backend {} ended: {end:?}", std::process::id());
    });
    if !ok {
        tracing::error!(
            "backend process {} panicked; its session is closed",
            std::process::id()
        );
        std::process::exit(1);
    }
    std::process::exit(0);
}

/// A pre-forked backend: waits for clients on its socketpair, serves each,
/// resets its session state and waits again.
fn prefork_child_main(srv: &Server, slot_idx: usize, chan: UnixStream) -> ! {
    let table = srv.segment.backend_table();
    let slot = table.slot(slot_idx);
    crate::signals::become_backend(Some(slot));
    let env = backend_start::attach(&srv.config, srv.segment, slot_idx, ExecMode::Prefork);
    let mut engine = Engine::new(env.clone());
    loop {
        slot.set_state(BackendState::Pooled, None);
        let mut buf = [0u8; 8];
        let mut fds: [RawFd; 1] = [-1];
        let (n, nfds) = loop {
            match chan.recv_with_fd(&mut buf, &mut fds) {
                Ok(r) => break r,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    if backend::interrupts::terminate_pending() {
                        std::process::exit(0);
                    }
                }
                Err(_) => std::process::exit(0),
            }
        };
        if n == 0 || nfds == 0 {
            // The postmaster closed our channel: shutdown.
            std::process::exit(0);
        }
        let running_ns = shmem::time::monotonic_ns();
        let accept_ns = u64::from_ne_bytes(buf);
        slot.set_state(BackendState::Starting, None);
        backend_start::new_session(slot);
        // SAFETY: the descriptor was just received over SCM_RIGHTS and is
        // owned by nobody else in this process.
        let stream = ClientStream::Unix(unsafe { UnixStream::from_raw_fd(fds[0]) });
        let stream = match reclassify(stream) {
            Some(s) => s,
            None => continue,
        };
        let times = ConnectTimes {
            accept_ns,
            running_ns,
        };
        let ok = backend_start::catch_session_panic(|| {
            let end = protocol::run_session(stream, &env, &mut engine, times, STARTUP_TIMEOUT);
            tracing::debug!(
                "pre-forked backend {} session ended: {end:?}",
                std::process::id()
            );
        });
        if !ok {
            tracing::error!(
                "pre-forked backend {} panicked; its session is closed",
                std::process::id()
            );
            // Its engine may be in any state: leave its transaction to it
            // (or, after a panic in a commit's critical section, to the
            // reset), and the pool to a new member.
            drop(engine);
            std::process::exit(1);
        }
        engine.reset_session();
        if backend::interrupts::terminate_pending() {
            std::process::exit(0);
        }
    }
}

/// Logs a child's abnormal end as PostgreSQL's postmaster does.
fn log_abnormal_exit(what: &str, pid: Pid, status: WaitStatus) {
    match status {
        WaitStatus::Exited(_, code) => {
            tracing::warn!("{what} (PID {pid}) exited with exit code {code}")
        }
        WaitStatus::Signaled(_, sig, _) => tracing::warn!(
            "{what} (PID {pid}) was terminated by signal {} ({sig})",
            sig as i32
        ),
        _ => {}
    }
}

/// A received descriptor may be a TCP socket: wrap it as what it is.
pub(crate) fn reclassify(stream: ClientStream) -> Option<ClientStream> {
    let fd = stream.as_raw_fd();
    match nix::sys::socket::getsockname::<nix::sys::socket::SockaddrStorage>(fd) {
        Ok(addr) if addr.as_unix_addr().is_some() => Some(stream),
        Ok(_) => {
            let ClientStream::Unix(u) = stream else {
                return Some(stream);
            };
            let raw = std::os::fd::IntoRawFd::into_raw_fd(u);
            // SAFETY: `raw` was just released by the UnixStream wrapper.
            Some(ClientStream::Tcp(unsafe {
                std::net::TcpStream::from_raw_fd(raw)
            }))
        }
        Err(_) => None,
    }
}
