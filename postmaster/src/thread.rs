//! Thread mode: one OS thread per client in the server's own process,
//! running exactly the backend code that process mode forks.
//!
//! The server runs as the only child of the supervisor (supervisor.rs),
//! which restarts it when it crashes; [`serve`] is that child's life.
//!
//! Backend threads block the postmaster's signals, so SIGTERM/SIGINT/
//! SIGQUIT/SIGCHLD reach the main thread's self-pipe; a backend thread is
//! interrupted with SIGUSR1 through tgkill. A panic in a session that held
//! no LWLock, no buffer pin and was in no critical section ends that
//! session only: the thread catches it, reports FATAL XX000 to its client
//! and frees its slot. A panic while holding any of them aborts the whole
//! process (PANIC, see `backend_start::install_panic_marker`): unwinding
//! would release the locks over half-changed shared pages, so the server
//! is restarted by the supervisor and recovers from the WAL instead.

use std::os::fd::OwnedFd;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use backend::protocol::{self, ClientStream, ConnectTimes, Refusal, STARTUP_TIMEOUT};
use backend::tcop::Engine;
use shmem::backend_table::INTERRUPT_TERMINATE;
use shmem::ExecMode;

use crate::backend_start;
use crate::cli::Args;
use crate::server::{Launcher, Prepared, Server, Shutdown};

/// Stack size of a backend thread: PostgreSQL's default max_stack_depth
/// (2 MB) several times over, with the guard zone below the limit
/// (`backend::stack` checks every recursion against the limit). A thread
/// that still overflowed it would abort the process, and the supervisor
/// would restart the server.
const BACKEND_STACK: usize = backend::stack::BACKEND_THREAD_STACK;

/// The server child's life: opens the server (shared segment, recovery
/// from the WAL) with what the supervisor prepared, tells the supervisor
/// it is ready by writing one byte on `ready`, and serves until shutdown.
/// Exits 0 after a shutdown, 1 if the server could not start.
pub fn serve(args: &Args, prepared: Prepared, ready: OwnedFd) -> ! {
    let srv = match Server::open(args, prepared) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pgfork: FATAL:  {e}");
            std::process::exit(1);
        }
    };
    // The server's own signal pipe is installed: signals forwarded by the
    // supervisor go there from now on. Before the first thread exists.
    crate::signals::unblock_after_fork();
    let mut l: Box<dyn Launcher> = if args.mode == crate::cli::Mode::Pool {
        match crate::pool::PoolLauncher::new(&srv, args.pool_size()) {
            Ok(l) => Box::new(l),
            Err(e) => {
                eprintln!("pgfork: FATAL:  could not start the carrier pool: {e}");
                std::process::exit(1);
            }
        }
    } else {
        Box::new(ThreadLauncher::new(&srv))
    };
    if let Err(e) = nix::unistd::write(&ready, &[1]) {
        tracing::warn!("could not tell the supervisor the server is ready: {e}");
    }
    drop(ready);
    srv.run(l.as_mut());
    drop(srv);
    std::process::exit(0);
}

pub struct ThreadLauncher {
    threads: Vec<JoinHandle<()>>,
    /// Serializes folding freed slots' histograms into the departed row.
    retire: Arc<Mutex<()>>,
    /// The checkpointer thread and its slot.
    checkpointer: Option<(JoinHandle<()>, usize)>,
    shutting_down: Option<Shutdown>,
}

impl ThreadLauncher {
    pub fn new(srv: &Server) -> ThreadLauncher {
        let mut l = ThreadLauncher {
            threads: Vec::new(),
            retire: Arc::new(Mutex::new(())),
            checkpointer: None,
            shutting_down: None,
        };
        if let Some(slot) = srv.segment.backend_table().alloc(ExecMode::Thread) {
            let (config, segment, schedule) = (srv.config.clone(), srv.segment, srv.checkpoint);
            let h = std::thread::Builder::new()
                .name("checkpointer".into())
                .spawn(move || {
                    crate::signals::block_postmaster_signals();
                    let env = backend_start::attach(&config, segment, slot, ExecMode::Thread);
                    crate::checkpointer::run(segment, env.slot, schedule);
                });
            match h {
                Ok(h) => l.checkpointer = Some((h, slot)),
                Err(e) => tracing::error!("could not start checkpointer thread: {e}"),
            }
        }
        l
    }

    fn spawn(&mut self, name: String, f: impl FnOnce() + Send + 'static) {
        match std::thread::Builder::new()
            .name(name)
            .stack_size(BACKEND_STACK)
            .spawn(move || {
                crate::signals::block_postmaster_signals();
                f()
            }) {
            Ok(h) => self.threads.push(h),
            Err(e) => tracing::error!("could not create thread for connection: {e}"),
        }
    }
}

impl Launcher for ThreadLauncher {
    fn launch(&mut self, srv: &Server, stream: ClientStream, accept_ns: u64) {
        let table = srv.segment.backend_table();
        let Some(slot) = table.alloc(ExecMode::Thread) else {
            self.refuse(srv, stream, Refusal::TooManyClients);
            return;
        };
        let config = srv.config.clone();
        let segment = srv.segment;
        let retire = self.retire.clone();
        self.spawn(format!("backend-{slot}"), move || {
            let running_ns = shmem::time::monotonic_ns();
            let ok = backend_start::catch_session_panic(|| {
                let env = backend_start::attach(&config, segment, slot, ExecMode::Thread);
                let mut engine = Engine::new(env.clone());
                let times = ConnectTimes {
                    accept_ns,
                    running_ns,
                };
                protocol::run_session(stream, &env, &mut engine, times, STARTUP_TIMEOUT);
            });
            if !ok {
                tracing::error!("backend thread for slot {slot} panicked; other sessions go on");
            }
            backend::interrupts::set_my_slot(None);
            shmem::lwlock::set_held_counter(None);
            shmem::buffer::set_pin_counter(None);
            shmem::waitstats::flush_to_slot(&segment, slot);
            let _g = retire.lock();
            let clean = !segment.backend_table().slot(slot).holds_shared_resources();
            backend_start::release_slot(&segment, slot, clean);
        });
    }

    fn refuse(&mut self, srv: &Server, stream: ClientStream, why: Refusal) {
        let segment = srv.segment;
        self.spawn("refuser".into(), move || {
            protocol::refuse_connection(stream, &segment, why);
        });
    }

    fn reap(&mut self, _srv: &Server) {
        let (done, live): (Vec<_>, Vec<_>) = std::mem::take(&mut self.threads)
            .into_iter()
            .partition(|h| h.is_finished());
        for h in done {
            let _ = h.join();
        }
        self.threads = live;
    }

    fn begin_shutdown(&mut self, srv: &Server, how: Shutdown) {
        self.shutting_down = Some(how);
        match how {
            Shutdown::Smart => {}
            Shutdown::Fast => {
                for s in srv.segment.backend_table().slots() {
                    if s.is_in_use() && s.pid.load(Ordering::Acquire) > 0 {
                        s.request_interrupt(INTERRUPT_TERMINATE);
                        protocol::signal_backend(s, nix::sys::signal::Signal::SIGTERM);
                    }
                }
            }
            // The process exits right away; the sessions' sockets close.
            Shutdown::Immediate => {}
        }
    }

    fn live_backends(&self) -> usize {
        self.threads.iter().filter(|h| !h.is_finished()).count()
    }

    fn tick(&mut self, srv: &Server) {
        // Repeat a fast shutdown's request: a session that was still
        // starting may have missed it.
        if self.shutting_down == Some(Shutdown::Fast) {
            self.begin_shutdown(srv, Shutdown::Fast);
        }
    }

    fn wait_all(&mut self, srv: &Server, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.live_backends() > 0 && Instant::now() < deadline {
            // Keep waking sessions that have not seen their termination yet.
            self.begin_shutdown(srv, Shutdown::Fast);
            std::thread::sleep(Duration::from_millis(10));
        }
        self.reap(srv);
        if let Some((h, slot)) = self.checkpointer.take() {
            let s = srv.segment.backend_table().slot(slot);
            s.request_interrupt(INTERRUPT_TERMINATE);
            let _ = h.join();
            backend_start::release_slot(&srv.segment, slot, true);
        }
    }
}
