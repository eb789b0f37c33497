//! Pool mode (`--mode pool`): many sessions multiplexed on a few carrier
//! threads in the server's process (run under thread mode's supervisor,
//! with thread mode's crash handling).
//!
//! A session ([`backend::protocol::pool::PooledSession`]: its slot,
//! engine, socket, buffers, statements and portals) is in one of three
//! places: queued for a carrier ([`Job`]), run by a carrier, or parked
//! without a thread, its socket armed once (EPOLLONESHOT) in the pool's
//! epoll set. A carrier runs a session until it is idle outside a
//! transaction block (ReadyForQuery sent, nothing buffered), then parks
//! it; arming the socket reports input that came meanwhile at once.
//! Startup and authentication run on a carrier.
//!
//! A carrier with nothing to run waits in the epoll set itself; every
//! free carrier does, and the kernel wakes one of them per readable
//! socket (epoll's waiters are exclusive). So a client's message wakes
//! the thread that will run it, as the backend's thread is woken in
//! thread mode: no hand-off from one thread to another on the way. The
//! queue holds what no socket announces: new clients, the sessions the
//! I/O thread's sweep must run, and readable sessions the I/O thread
//! found while no carrier was free; a carrier looks at it before it
//! waits, and an eventfd in the epoll set (edge-triggered: a write wakes
//! one carrier) tells a waiting carrier that something was queued. The
//! `queue` phase of pgfork_stat_latency is the wait in that queue, or,
//! for a session a carrier took up from the epoll set, the hand-off
//! within the server (the kernel's wake-up is in the client phase, as in
//! the other modes).
//!
//! What a session is and keeps does not depend on its carrier: its slot
//! in the backend table (pg_stat_activity row, cancel key, xid and
//! snapshot) is its own for its whole life, and its id (pg_backend_pid,
//! BackendKeyData) is [`session_pid`], not a thread id. The slot's `tid`
//! names the thread that runs it now, or the I/O thread while it is
//! parked, so that a cancel, a termination or a notification (SIGUSR1 by
//! tgkill) reaches whoever must act: a running session sees its interrupt
//! bits, the I/O thread's epoll_pwait returns EINTR and it sweeps the
//! parked sessions for termination requests, notifications and idle
//! timeouts, queuing those that must run. The per-thread state the backend
//! keeps for its session is installed by every carrier that takes it up
//! and taken away when it puts it down (see `protocol::pool`).
//!
//! Growth: no carrier waits in the epoll set while all are busy, so the
//! I/O thread looks at it every [`GROW_TICK`] while some carrier was not
//! free within the last [`WATCH_FOR`] (a carrier that finds itself the
//! last one free to leave wakes the I/O thread if it is not looking),
//! queues the readable sessions it finds, and, when a queued session has
//! waited more than [`GROW_AFTER`], starts another carrier, up to
//! `--max-carriers` carriers that are not waiting for a heavyweight lock;
//! carriers started beyond `--carriers` exit after [`IDLE_EXIT`] without
//! work.
//!
//! Why the pool cannot deadlock. A carrier is held only by a session that
//! is (a) running a statement, (b) inside a transaction block waiting for
//! its own client, or (c) waiting for a heavyweight lock. A session that
//! holds a transaction's locks is in a transaction block or running, so it
//! holds its carrier: a lock holder never waits for a carrier, and its
//! lock waiters only wait for it and its client. Session-level advisory
//! locks are held by sessions that may be parked; their waiters are (c).
//! Carriers in (c) do not count toward `--max-carriers` (a lock wait may
//! last until another client acts), so a queued session — a lock holder's
//! COMMIT or pg_advisory_unlock included — always gets a carrier: at most
//! `--max-carriers` carriers are in (a) or (b), and there are never more
//! carriers than that plus one per lock-waiting session (at most
//! --max-connections in all). When `--max-carriers` carriers are all in
//! (a) or (b) — long queries, pg_sleep, clients that keep a transaction
//! open or stall their COPY IN — queued sessions wait in the queue (they
//! are not refused) until one of those ends its statement or transaction;
//! each of those waits depends only on the server's work or on its own
//! client, never on a queued session, so the wait ends
//! (idle_in_transaction_session_timeout bounds the clients').
//!
//! Carrier processes (`--carrier-processes N`, [`processes`]): the same
//! pool runs in each of N processes forked by process mode's postmaster,
//! for the sessions handed to it; a session's slot records its process
//! (`tgid`) as well as its thread, so that signals from other processes
//! reach it.
//!
//! Carrier processes and crashes. When a carrier process dies (a signal,
//! a non-zero exit), the postmaster looks at its own slot and at every
//! slot in use that it handed to that process (only the postmaster
//! allocates slots, and it records to which process it handed each). The
//! LWLock count of a slot never falls below the LWLocks its thread holds
//! (it is raised before taking one: `shmem::lwlock`), and every thread of
//! a carrier process counts in a slot: the session's while it runs one,
//! the process's own otherwise (freeing a session's slot, sweeping the
//! parked ones). The one spinlock of the segment, a buffer header's lock
//! bit, is counted with the LWLocks. So:
//! - if every one of those slots has no LWLock, no buffer pin and no
//!   critical section, the process changed no shared structure half-way:
//!   the postmaster releases its sessions' slots as it does a dead
//!   backend's (their transactions aborted, heavyweight locks released
//!   and waiters woken, WAL insertion entries forgotten), then its own;
//!   the clients see their connection closed, and every other carrier
//!   process's sessions go on;
//! - otherwise shared memory may be inconsistent, and the postmaster does
//!   process mode's crash reset: every process is ended, the segment is
//!   reinitialized and recovered from the WAL, and new carrier processes
//!   are forked.

mod epoll;
pub mod processes;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{
    fence, AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use backend::protocol::pool::PooledSession;
use backend::protocol::{ClientStream, ConnectTimes, Refusal, STARTUP_TIMEOUT};
use backend::protocol::{Resume, SessionEnd};
use backend::ServerConfig;
use shmem::backend_table::INTERRUPT_TERMINATE;
use shmem::latency::Metric;
use shmem::{BackendSlot, ExecMode, Segment};

use crate::backend_start;
use crate::server::{Launcher, Server, Shutdown};
use crate::thread::ThreadLauncher;
use epoll::{Epoll, EventFd, Waited};

/// How long a queued session may wait before the pool grows.
pub const GROW_AFTER: Duration = Duration::from_millis(5);
/// How long a carrier beyond `--carriers` stays without work before it
/// exits.
pub const IDLE_EXIT: Duration = Duration::from_secs(10);
/// The I/O thread sweeps the parked sessions at least this often (a
/// signal sent while a session was being parked is caught then).
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// While some carrier is busy, the I/O thread looks at the epoll set this
/// often.
pub const GROW_TICK: Duration = Duration::from_millis(2);
/// How long after the last moment no carrier was free the I/O thread
/// keeps looking every [`GROW_TICK`].
pub const WATCH_FOR: Duration = Duration::from_millis(100);
/// The epoll token of the I/O thread's eventfd (slot indexes are the
/// sessions').
const WAKE_TOKEN: u64 = u64::MAX;
/// The epoll token of the carriers' eventfd.
const CARRIER_WAKE_TOKEN: u64 = u64::MAX - 1;

/// The sizes of the pool (`--carriers`, `--max-carriers`).
#[derive(Clone, Copy, Debug)]
pub struct PoolSize {
    pub carriers: usize,
    pub max_carriers: usize,
}

/// A session with its registration in the epoll set.
struct Carried {
    session: Box<PooledSession>,
    /// Its socket was added to the epoll set (re-armed with MOD since).
    registered: bool,
}

/// Work for a carrier.
enum Job {
    /// A new client: start its session in `slot`.
    Start {
        stream: ClientStream,
        slot: usize,
        accept_ns: u64,
    },
    /// Take up a parked session.
    Resume { carried: Carried, why: Resume },
}

struct Queued {
    job: Job,
    /// Monotonic time it was queued (the `queue` phase starts).
    at_ns: u64,
}

/// A session without a carrier.
struct Parked {
    carried: Carried,
    /// idle_session_timeout's deadline.
    deadline: Option<Instant>,
    listening: bool,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Queued>,
    /// Parked sessions by slot index (their epoll token).
    parked: HashMap<usize, Parked>,
    /// Slots of the sessions carriers run now.
    running: HashSet<usize>,
    carriers: usize,
    /// Live sessions: queued, running or parked.
    sessions: usize,
    /// The earliest idle_session_timeout deadline among the parked (as of
    /// the last sweep).
    next_deadline: Option<Instant>,
}

struct Pool {
    config: Arc<ServerConfig>,
    segment: Segment,
    size: PoolSize,
    /// Parked sessions' sockets (one-shot) and `carrier_wake`: the set
    /// free carriers wait in.
    epoll: Epoll,
    /// Wakes one carrier waiting in `epoll` (work queued, the pool
    /// stopping).
    carrier_wake: EventFd,
    /// Carriers waiting in `epoll` (raised under `st`'s lock, after the
    /// carrier looked at the queue).
    polling: AtomicUsize,
    /// When the last carrier free to run a session left `epoll`
    /// (monotonic ns).
    all_busy_ns: AtomicU64,
    /// The I/O thread's set: `wake` alone.
    io_epoll: Epoll,
    /// Wakes the I/O thread.
    wake: EventFd,
    /// The I/O thread looks at `epoll` every [`GROW_TICK`].
    io_watching: AtomicBool,
    st: Mutex<State>,
    /// The I/O thread's kernel thread id (parked sessions' `tid`).
    io_tid: AtomicI32,
    /// The I/O thread should sweep the parked sessions now.
    sweep_wanted: AtomicBool,
    stopping: AtomicBool,
    /// Serializes folding freed slots' histograms into the departed row.
    retire: Mutex<()>,
    /// In a carrier process: its own slot, whose `carried` count of
    /// sessions goes down as they end.
    carrier_slot: Option<&'static BackendSlot>,
}

/// The launcher of pool mode: sessions go to the pool; the checkpointer
/// and refused connections are served as in thread mode.
pub struct PoolLauncher {
    pool: Arc<Pool>,
    io: Option<JoinHandle<()>>,
    others: ThreadLauncher,
    shutting_down: Option<Shutdown>,
}

/// A pool-mode session's id (pg_backend_pid, BackendKeyData): above any
/// kernel pid or thread id (PID_MAX_LIMIT is 2^22), and congruent to its
/// slot index modulo the table's size, so that two live sessions never
/// share one; a per-process sequence makes the next session of a slot
/// get another.
pub fn session_pid(slot: usize, nslots: usize) -> i32 {
    const BASE: u64 = 1 << 22;
    let nslots = nslots.max(1) as u64;
    let span = ((i32::MAX as u64 - BASE) / nslots).max(1);
    let k = SEQ.fetch_add(1, Ordering::Relaxed) as u64 % span;
    (BASE + k * nslots + slot as u64) as i32
}

/// The sequence of [`session_pid`].
static SEQ: AtomicU32 = AtomicU32::new(0);

/// Starts this process's sequence of session ids at `seed`: each carrier
/// process starts at its pid, so that the next session of a slot gets
/// another id whichever process carries it.
pub fn seed_session_ids(seed: u32) {
    SEQ.store(seed, Ordering::Relaxed);
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PoolLauncher {
    pub fn new(srv: &Server, size: PoolSize) -> std::io::Result<PoolLauncher> {
        let (pool, io) = Pool::create(srv.config.clone(), srv.segment, size, None)?;
        tracing::info!(
            "pool mode: {} carrier threads, at most {} not waiting for locks",
            size.carriers,
            size.max_carriers
        );
        Ok(PoolLauncher {
            pool,
            io: Some(io),
            others: ThreadLauncher::new(srv),
            shutting_down: None,
        })
    }
}

impl Launcher for PoolLauncher {
    fn launch(&mut self, srv: &Server, stream: ClientStream, accept_ns: u64) {
        let Some(slot) = srv.segment.backend_table().alloc(ExecMode::Thread) else {
            self.refuse(srv, stream, Refusal::TooManyClients);
            return;
        };
        self.pool.accept(stream, slot, accept_ns);
    }

    fn refuse(&mut self, srv: &Server, stream: ClientStream, why: Refusal) {
        self.others.refuse(srv, stream, why);
    }

    fn reap(&mut self, srv: &Server) {
        self.others.reap(srv);
    }

    fn begin_shutdown(&mut self, srv: &Server, how: Shutdown) {
        self.shutting_down = Some(how);
        if how == Shutdown::Fast {
            for s in srv.segment.backend_table().slots() {
                if s.is_in_use() && s.pid.load(Ordering::Acquire) > 0 {
                    s.request_interrupt(INTERRUPT_TERMINATE);
                    backend::protocol::signal_backend(s, nix::sys::signal::Signal::SIGTERM);
                }
            }
            // Parked sessions are taken up by the I/O thread's sweep.
            self.pool.sweep_wanted.store(true, Ordering::Release);
            self.pool.wake.wake();
        }
    }

    fn live_backends(&self) -> usize {
        lock(&self.pool.st).sessions + self.others.live_backends()
    }

    fn tick(&mut self, srv: &Server) {
        if self.shutting_down == Some(Shutdown::Fast) {
            self.begin_shutdown(srv, Shutdown::Fast);
        }
        self.others.tick(srv);
    }

    fn wait_all(&mut self, srv: &Server, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while lock(&self.pool.st).sessions > 0 && Instant::now() < deadline {
            self.begin_shutdown(srv, Shutdown::Fast);
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some(h) = self.io.take() {
            self.pool.stop(h);
        }
        self.others
            .wait_all(srv, deadline.saturating_duration_since(Instant::now()));
    }
}

impl Pool {
    /// Starts a pool: its I/O thread and `size.carriers` carrier threads.
    /// `carrier_slot` is the carrier process's own slot, in a carrier
    /// process. Returns the pool and its I/O thread, for [`Pool::stop`].
    fn create(
        config: Arc<ServerConfig>,
        segment: Segment,
        size: PoolSize,
        carrier_slot: Option<&'static BackendSlot>,
    ) -> std::io::Result<(Arc<Pool>, JoinHandle<()>)> {
        let pool = Arc::new(Pool {
            config,
            segment,
            size,
            epoll: Epoll::new()?,
            carrier_wake: EventFd::new()?,
            polling: AtomicUsize::new(0),
            all_busy_ns: AtomicU64::new(0),
            io_epoll: Epoll::new()?,
            wake: EventFd::new()?,
            io_watching: AtomicBool::new(true),
            st: Mutex::new(State::default()),
            io_tid: AtomicI32::new(0),
            sweep_wanted: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            retire: Mutex::new(()),
            carrier_slot,
        });
        pool.epoll
            .add_edge(pool.carrier_wake.fd(), CARRIER_WAKE_TOKEN)?;
        pool.io_epoll.add(pool.wake.fd(), WAKE_TOKEN)?;
        let p = pool.clone();
        let io = std::thread::Builder::new()
            .name("pool-io".into())
            .spawn(move || p.io_main())?;
        while pool.io_tid.load(Ordering::Acquire) == 0 {
            std::thread::yield_now();
        }
        for _ in 0..size.carriers {
            lock(&pool.st).carriers += 1;
            pool.spawn_carrier();
        }
        Ok((pool, io))
    }

    /// Takes a new client whose session will live in `slot` (allocated
    /// by the caller): a carrier starts it.
    fn accept(&self, stream: ClientStream, slot: usize, accept_ns: u64) {
        let mut st = lock(&self.st);
        st.sessions += 1;
        self.enqueue(
            &mut st,
            Job::Start {
                stream,
                slot,
                accept_ns,
            },
            true,
        );
    }

    /// Live sessions: queued, running or parked.
    fn sessions(&self) -> usize {
        lock(&self.st).sessions
    }

    /// The slots of this pool's sessions (queued, running or parked).
    fn session_slots(&self) -> Vec<usize> {
        let st = lock(&self.st);
        let mut v: Vec<usize> = st.running.iter().copied().collect();
        v.extend(st.parked.keys().copied());
        v.extend(st.queue.iter().map(|q| match &q.job {
            Job::Start { slot, .. } => *slot,
            Job::Resume { carried, .. } => carried.session.env.slot_index,
        }));
        v
    }

    /// Asks every session of this pool to end (57P01, as a fast shutdown):
    /// running ones see their interrupt, parked ones are taken up by the
    /// I/O thread's sweep, queued ones when a carrier starts them.
    fn terminate_all(&self) {
        let table = self.segment.backend_table();
        for i in self.session_slots() {
            let s = table.slot(i);
            s.request_interrupt(INTERRUPT_TERMINATE);
            if s.pid.load(Ordering::Acquire) > 0 {
                backend::protocol::signal_backend(s, nix::sys::signal::Signal::SIGTERM);
            }
        }
        self.sweep_wanted.store(true, Ordering::Release);
        self.wake.wake();
    }

    /// Stops the carriers and the I/O thread (once no session is left).
    fn stop(&self, io: JoinHandle<()>) {
        self.stopping.store(true, Ordering::Release);
        // Each carrier that sees it passes the wake-up on.
        self.carrier_wake.wake();
        self.wake.wake();
        let _ = io.join();
    }

    /// Queues `job` and wakes a free carrier, or, when none is free and
    /// `wake_io` (the caller is not the I/O thread), the I/O thread (which
    /// grows the pool). `st` is the locked state: a carrier that looked
    /// at the queue before `job` was in it counts in `polling` by now.
    fn enqueue(&self, st: &mut State, job: Job, wake_io: bool) {
        st.queue.push_back(Queued {
            job,
            at_ns: shmem::time::monotonic_ns(),
        });
        if self.polling.load(Ordering::SeqCst) > 0 {
            self.carrier_wake.wake();
        } else if wake_io {
            self.wake.wake();
        }
    }

    fn spawn_carrier(self: &Arc<Self>) {
        let p = self.clone();
        let r = std::thread::Builder::new()
            .name("carrier".into())
            .stack_size(backend::stack::BACKEND_THREAD_STACK)
            .spawn(move || p.carrier_main());
        if let Err(e) = r {
            tracing::error!("could not create carrier thread: {e}");
            lock(&self.st).carriers -= 1;
        }
    }

    /// A carrier's life: takes jobs until the pool stops, or, beyond
    /// `--carriers`, until it has had none for [`IDLE_EXIT`].
    fn carrier_main(self: Arc<Self>) {
        crate::signals::block_postmaster_signals();
        // No session yet: in a carrier process, count in its own slot.
        backend_start::uninstall_slot();
        backend::stack::enter_session(Some(backend::stack::BACKEND_THREAD_STACK));
        // SAFETY: epoll_event is plain data; zero is a valid value.
        let mut event = [unsafe { std::mem::zeroed::<libc::epoll_event>() }];
        while let Some((job, at_ns)) = self.next_job(&mut event) {
            match job {
                Job::Start {
                    stream,
                    slot,
                    accept_ns,
                } => self.start(stream, slot, accept_ns),
                Job::Resume { carried, why } => self.run(carried, why, at_ns),
            }
        }
    }

    /// The next session for this carrier, with the time its wait for a
    /// carrier began: the queue's first, else the first session whose
    /// socket the kernel reports readable to this carrier waiting in the
    /// epoll set. None when the pool stops, or, for a carrier beyond
    /// `--carriers`, after [`IDLE_EXIT`] without work.
    fn next_job(&self, event: &mut [libc::epoll_event; 1]) -> Option<(Job, u64)> {
        let free_since = Instant::now();
        loop {
            let mut st = lock(&self.st);
            if let Some(q) = st.queue.pop_front() {
                let slot = match &q.job {
                    Job::Start { slot, .. } => *slot,
                    Job::Resume { carried, .. } => carried.session.env.slot_index,
                };
                st.running.insert(slot);
                if !st.queue.is_empty() && self.polling.load(Ordering::SeqCst) > 0 {
                    self.carrier_wake.wake();
                }
                return Some((q.job, q.at_ns));
            }
            let extra = st.carriers > self.size.carriers;
            let left = IDLE_EXIT.saturating_sub(free_since.elapsed());
            if self.stopping.load(Ordering::Acquire) || (extra && left.is_zero()) {
                st.carriers -= 1;
                drop(st);
                // Another carrier may be waiting to see the stop.
                self.carrier_wake.wake();
                return None;
            }
            self.polling.fetch_add(1, Ordering::SeqCst);
            drop(st);
            let timeout = if extra {
                left.as_millis() as i32 + 1
            } else {
                -1
            };
            let waited = self.epoll.wait(event, timeout);
            let woken_ns = shmem::time::monotonic_ns();
            if self.polling.fetch_sub(1, Ordering::SeqCst) == 1 {
                // No carrier is free now: the I/O thread must look at the
                // epoll set (for sessions to queue and to grow the pool).
                self.all_busy_ns.store(woken_ns, Ordering::SeqCst);
                if !self.io_watching.load(Ordering::SeqCst) {
                    self.wake.wake();
                }
            }
            match waited {
                Ok(0) => {}
                Ok(_) if event[0].u64 == CARRIER_WAKE_TOKEN => self.carrier_wake.drain(),
                Ok(_) => {
                    let token = event[0].u64 as usize;
                    let mut st = lock(&self.st);
                    // Not parked: the sweep queued it while its socket was
                    // still armed; whoever takes it from the queue runs it.
                    if let Some(p) = st.parked.remove(&token) {
                        st.running.insert(token);
                        let job = Job::Resume {
                            carried: p.carried,
                            why: Resume::Input,
                        };
                        return Some((job, woken_ns));
                    }
                }
                Err(e) => {
                    tracing::error!("epoll_wait failed in a pool carrier: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    /// Starts a new client's session on this carrier, then runs it.
    fn start(&self, stream: ClientStream, slot: usize, accept_ns: u64) {
        let running_ns = shmem::time::monotonic_ns();
        let nslots = self.segment.backend_table().slots().len();
        let env = backend_start::attach_as(
            &self.config,
            self.segment,
            slot,
            ExecMode::Thread,
            session_pid(slot, nslots),
        );
        let times = ConnectTimes {
            accept_ns,
            running_ns,
        };
        let mut started = None;
        let ok = backend_start::catch_session_panic(|| {
            started = PooledSession::start(stream, env, times, STARTUP_TIMEOUT).ok();
        });
        if !ok {
            tracing::error!("session in slot {slot} panicked while starting; other sessions go on");
        }
        match started {
            Some(s) => self.run(
                Carried {
                    session: Box::new(s),
                    registered: false,
                },
                Resume::First,
                0,
            ),
            None => self.retire_slot(slot),
        }
    }

    /// Runs a session on this carrier until it is idle (then parks it)
    /// or ends.
    fn run(&self, mut c: Carried, mut why: Resume, queued_ns: u64) {
        let slot_index = c.session.env.slot_index;
        let slot = c.session.env.slot;
        slot.tid.store(carrier_tid(), Ordering::SeqCst);
        slot.parked.store(0, Ordering::Relaxed);
        backend_start::install_slot(&self.segment, slot_index);
        if queued_ns != 0 && self.config.stats {
            let now = shmem::time::monotonic_ns();
            shmem::latency::LatencyStats::get(&self.segment).record(
                slot_index,
                Metric::Queue,
                now.saturating_sub(queued_ns),
            );
        }
        loop {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.session.run(why)));
            match r {
                Ok(Ok(())) => {}
                Ok(Err(end)) => {
                    if let SessionEnd::Io(e) = &end {
                        tracing::debug!("session in slot {slot_index} ended: {e}");
                    }
                    return self.end(c);
                }
                Err(_) => {
                    tracing::error!("session in slot {slot_index} panicked; other sessions go on");
                    report_panic(&c);
                    return self.end(c);
                }
            }
            shmem::waitstats::flush_to_slot(&self.segment, slot_index);
            // From here a signal for the session goes to the I/O thread;
            // one sent before is seen by the check below.
            slot.parked.store(1, Ordering::Relaxed);
            slot.tid
                .store(self.io_tid.load(Ordering::Relaxed), Ordering::SeqCst);
            fence(Ordering::SeqCst);
            let listening = c.session.is_listening();
            let must_run = slot.pending_interrupts() & INTERRUPT_TERMINATE != 0
                || (listening && c.session.notifications_pending());
            if must_run {
                slot.tid.store(carrier_tid(), Ordering::SeqCst);
                slot.parked.store(0, Ordering::Relaxed);
                why = Resume::Input;
                continue;
            }
            backend_start::uninstall_slot();
            return self.park(c, listening);
        }
    }

    /// Puts a session without a carrier: in the parked table, its socket
    /// armed in the epoll set.
    fn park(&self, mut c: Carried, listening: bool) {
        let slot = c.session.env.slot_index;
        let deadline = c.session.idle_timeout().map(|d| Instant::now() + d);
        let fd = c.session.fd();
        let mut st = lock(&self.st);
        st.running.remove(&slot);
        // Under the lock: once it is armed, the I/O thread may hand the
        // session to another carrier, which may end it and close `fd`.
        if let Err(e) = self.epoll.arm_once(fd, slot as u64, c.registered) {
            drop(st);
            tracing::error!("could not add a client socket to the epoll set: {e}");
            backend_start::install_slot(&self.segment, slot);
            lock(&self.st).running.insert(slot);
            return self.end(c);
        }
        c.registered = true;
        st.parked.insert(
            slot,
            Parked {
                carried: c,
                deadline,
                listening,
            },
        );
        drop(st);
        if deadline.is_some() {
            self.sweep_wanted.store(true, Ordering::Release);
            self.wake.wake();
        }
    }

    /// Ends a session whose slot is installed on this thread: drops its
    /// engine (aborting what it left open), then frees the slot.
    fn end(&self, c: Carried) {
        let slot = c.session.env.slot_index;
        if c.registered {
            self.epoll.remove(c.session.fd());
        }
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(c)));
        if dropped.is_err() {
            tracing::error!("session in slot {slot} panicked while ending");
        }
        self.retire_slot(slot);
    }

    fn retire_slot(&self, slot: usize) {
        backend_start::uninstall_slot();
        shmem::waitstats::flush_to_slot(&self.segment, slot);
        {
            let _g = self.retire.lock().unwrap_or_else(|e| e.into_inner());
            let clean = !self
                .segment
                .backend_table()
                .slot(slot)
                .holds_shared_resources();
            backend_start::release_slot(&self.segment, slot, clean);
        }
        let mut st = lock(&self.st);
        st.running.remove(&slot);
        st.sessions -= 1;
        if let Some(own) = self.carrier_slot {
            own.carried.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// The I/O thread: sweeps the parked sessions when signalled (their
    /// slots name it) or asked, and, while some carrier is busy, looks at
    /// the epoll set for sessions no free carrier takes up and grows the
    /// pool.
    fn io_main(self: Arc<Self>) {
        crate::signals::block_postmaster_signals();
        backend_start::uninstall_slot();
        let mask = epoll::block_usr1();
        self.io_tid
            .store(backend_start::gettid(), Ordering::Release);
        // SAFETY: epoll_event is plain data; zero is a valid value.
        let mut events = vec![unsafe { std::mem::zeroed::<libc::epoll_event>() }; 256];
        let mut last_sweep = Instant::now();
        loop {
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
            let timeout = self.io_timeout();
            let waited = match self.io_epoll.pwait(&mut events[..1], timeout, &mask) {
                Ok(w) => w,
                Err(e) => {
                    tracing::error!("epoll_pwait failed in the pool's I/O thread: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                    Waited::Events(0)
                }
            };
            let mut sweep = matches!(waited, Waited::Interrupted)
                || last_sweep.elapsed() >= SWEEP_EVERY
                || self.sweep_wanted.swap(false, Ordering::AcqRel);
            if matches!(waited, Waited::Events(n) if n > 0) {
                self.wake.drain();
                sweep |= self.sweep_wanted.swap(false, Ordering::AcqRel);
            }
            if self.polling.load(Ordering::SeqCst) == 0 {
                self.take_readable(&mut events);
            }
            if sweep
                || lock(&self.st)
                    .next_deadline
                    .is_some_and(|d| d <= Instant::now())
            {
                self.sweep();
                last_sweep = Instant::now();
            }
            self.maybe_grow();
        }
    }

    /// Queues the parked sessions whose sockets are readable, found by
    /// the I/O thread while no carrier waits in the epoll set.
    fn take_readable(&self, events: &mut [libc::epoll_event]) {
        let n = match self.epoll.wait(events, 0) {
            Ok(n) => n,
            Err(e) => {
                tracing::error!("epoll_wait failed in the pool's I/O thread: {e}");
                return;
            }
        };
        let mut st = lock(&self.st);
        for ev in &events[..n] {
            if ev.u64 == CARRIER_WAKE_TOKEN {
                // Meant for a carrier: give it back.
                self.carrier_wake.wake();
            } else if let Some(p) = st.parked.remove(&(ev.u64 as usize)) {
                let job = Job::Resume {
                    carried: p.carried,
                    why: Resume::Input,
                };
                self.enqueue(&mut st, job, false);
            }
        }
    }

    /// How long the I/O thread may sleep: [`GROW_TICK`] while sessions
    /// are queued or some carrier was not free within [`WATCH_FOR`], else
    /// until the next idle deadline or sweep. Says in `io_watching`
    /// which: a carrier that leaves the epoll set with no other carrier
    /// in it wakes the I/O thread when it is not watching (the store
    /// below and the carrier's decrement are SeqCst, so one of the two
    /// sees the other's).
    fn io_timeout(&self) -> i32 {
        let st = lock(&self.st);
        let busy_ago =
            shmem::time::monotonic_ns().saturating_sub(self.all_busy_ns.load(Ordering::SeqCst));
        let fast = GROW_TICK.as_millis() as i32;
        if !st.queue.is_empty() || busy_ago < WATCH_FOR.as_nanos() as u64 {
            self.io_watching.store(true, Ordering::SeqCst);
            return fast;
        }
        self.io_watching.store(false, Ordering::SeqCst);
        if self.polling.load(Ordering::SeqCst) == 0 {
            self.io_watching.store(true, Ordering::SeqCst);
            return fast;
        }
        let mut t = SWEEP_EVERY;
        if let Some(d) = st.next_deadline {
            t = t.min(d.saturating_duration_since(Instant::now()));
        }
        t.as_millis() as i32 + 1
    }

    /// Queues the parked sessions that must run: termination requested,
    /// notifications pending, idle_session_timeout passed.
    fn sweep(&self) {
        let now = Instant::now();
        let mut st = lock(&self.st);
        let mut wake = Vec::new();
        let mut next: Option<Instant> = None;
        for (&slot, p) in &st.parked {
            let s = p.carried.session.env.slot;
            if s.pending_interrupts() & INTERRUPT_TERMINATE != 0
                || (p.listening && p.carried.session.notifications_pending())
            {
                wake.push((slot, Resume::Input));
            } else if let Some(d) = p.deadline {
                if d <= now {
                    wake.push((slot, Resume::IdleTimeout));
                } else {
                    next = Some(next.map_or(d, |n| n.min(d)));
                }
            }
        }
        st.next_deadline = next;
        for (slot, why) in wake {
            if let Some(p) = st.parked.remove(&slot) {
                self.enqueue(
                    &mut st,
                    Job::Resume {
                        carried: p.carried,
                        why,
                    },
                    false,
                );
            }
        }
    }

    /// Starts another carrier when a queued session has waited more than
    /// [`GROW_AFTER`] and fewer than `--max-carriers` carriers are busy
    /// other than waiting for a heavyweight lock.
    fn maybe_grow(self: &Arc<Self>) {
        let mut st = lock(&self.st);
        let Some(front) = st.queue.front() else {
            return;
        };
        let waited = shmem::time::monotonic_ns().saturating_sub(front.at_ns);
        if waited < GROW_AFTER.as_nanos() as u64 || self.polling.load(Ordering::SeqCst) > 0 {
            return;
        }
        let lm = self.segment.lock_manager();
        let waiting = st.running.iter().filter(|&&s| lm.is_waiting(s)).count();
        if st.carriers.saturating_sub(waiting) >= self.size.max_carriers {
            return;
        }
        st.carriers += 1;
        let n = st.carriers;
        drop(st);
        tracing::debug!("pool grows to {n} carriers");
        self.spawn_carrier();
    }
}

thread_local! {
    /// The carrier's kernel thread id, asked once (not a system call per
    /// session taken up). Carriers never fork, so it stays true.
    static CARRIER_TID: i32 = backend_start::gettid();
}

fn carrier_tid() -> i32 {
    CARRIER_TID.with(|t| *t)
}

/// Tells the client of a session that panicked that it is closed (FATAL
/// XX000), as thread mode does.
fn report_panic(c: &Carried) {
    // SAFETY: the session, and so its socket `fd`, is alive for this call.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(c.session.fd()) };
    backend::protocol::panic_report::report_panic(fd);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_pids_are_above_kernel_ids_and_distinct_per_slot() {
        let n = 100;
        for round in 0..3 {
            let mut seen = HashSet::new();
            for slot in 0..n {
                let pid = session_pid(slot, n);
                assert!(pid >= 1 << 22, "round {round}: {pid}");
                assert_eq!((pid as u64 - (1 << 22)) % n as u64, slot as u64);
                assert!(seen.insert(pid));
            }
        }
    }
}
