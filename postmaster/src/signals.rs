//! Signal handling.
//!
//! The postmaster turns signals into bytes on a self-pipe that its poll()
//! loop reads, so all real work happens in the loop, never in a handler
//! (the handler only write()s, which is async-signal-safe).
//!
//! A forked backend installs its own handlers, as PostgreSQL's do:
//! SIGINT cancels the running query, SIGTERM ends the session (57P01),
//! SIGQUIT exits at once, SIGUSR1 only interrupts a blocking system call.
//! None uses SA_RESTART, so a blocked read returns EINTR and the backend
//! looks at its interrupt bits. The handlers set bits in the backend's
//! shared slot with an atomic fetch_or, which is async-signal-safe.
//!
//! Thread-mode backend threads block the postmaster's signals, so those are
//! delivered to the main thread; they are woken with SIGUSR1 (tgkill).
//! Thread mode's supervisor (supervisor.rs) routes the same signals into
//! its own pipe and forwards them to its server child.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use shmem::backend_table::{INTERRUPT_CANCEL, INTERRUPT_TERMINATE};
use shmem::BackendSlot;

static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static BACKEND_SLOT: AtomicPtr<BackendSlot> = AtomicPtr::new(std::ptr::null_mut());

/// The signals the postmaster acts on.
pub const POSTMASTER_SIGNALS: [Signal; 5] = [
    Signal::SIGCHLD,
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGHUP,
];

extern "C" fn postmaster_handler(sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is a local byte.
        // A full pipe just drops the byte: the loop drains and reaps anyway.
        unsafe { libc::write(fd, &b as *const u8 as *const libc::c_void, 1) };
    }
}

fn install(sig: Signal, handler: SigHandler, flags: SaFlags) {
    let action = SigAction::new(handler, flags, SigSet::empty());
    // SAFETY: the handlers installed here only perform async-signal-safe
    // operations (write(2), atomic stores, _exit).
    unsafe { sigaction(sig, &action) }.expect("sigaction");
}

/// The read end of the postmaster's self-pipe.
pub struct SignalPipe {
    read: OwnedFd,
    _write: OwnedFd,
}

impl SignalPipe {
    /// Creates the pipe and routes the postmaster's signals into it.
    pub fn install() -> std::io::Result<SignalPipe> {
        let (r, w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_NONBLOCK | nix::fcntl::OFlag::O_CLOEXEC)
                .map_err(std::io::Error::from)?;
        PIPE_WRITE.store(w.as_raw_fd(), Ordering::Relaxed);
        for sig in POSTMASTER_SIGNALS {
            install(
                sig,
                SigHandler::Handler(postmaster_handler),
                SaFlags::SA_RESTART | SaFlags::SA_NOCLDSTOP,
            );
        }
        install(Signal::SIGPIPE, SigHandler::SigIgn, SaFlags::empty());
        install(
            Signal::SIGUSR1,
            SigHandler::Handler(wake_handler),
            SaFlags::empty(),
        );
        Ok(SignalPipe { read: r, _write: w })
    }

    pub fn fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// The read end, borrowed (for poll).
    pub fn fd_borrowed(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Takes the signals that arrived since the last call.
    pub fn drain(&self) -> Vec<Signal> {
        let mut out = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            match nix::unistd::read(self.read.as_raw_fd(), &mut buf) {
                Ok(n) if n > 0 => out.extend(
                    buf[..n]
                        .iter()
                        .filter_map(|&b| Signal::try_from(b as i32).ok()),
                ),
                _ => break,
            }
        }
        out
    }
}

impl Drop for SignalPipe {
    fn drop(&mut self) {
        // The handlers must not write into a descriptor that is closed now
        // and may be reused (a supervisor's pipe dropped in its server
        // child, before the child installs its own).
        let _ = PIPE_WRITE.compare_exchange(
            self._write.as_raw_fd(),
            -1,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }
}

extern "C" fn wake_handler(_sig: libc::c_int) {}

extern "C" fn backend_handler(sig: libc::c_int) {
    let slot = BACKEND_SLOT.load(Ordering::Relaxed);
    if slot.is_null() {
        return;
    }
    // SAFETY: the pointer was set from a &'static BackendSlot in shared
    // memory; fetch_or on an atomic is async-signal-safe.
    let slot = unsafe { &*slot };
    match sig {
        libc::SIGINT => slot.request_interrupt(INTERRUPT_CANCEL),
        libc::SIGTERM => slot.request_interrupt(INTERRUPT_TERMINATE),
        _ => {}
    }
}

extern "C" fn quickdie(_sig: libc::c_int) {
    // SAFETY: _exit is async-signal-safe. Exit code 2 tells the postmaster
    // that this backend did not shut down cleanly, as PostgreSQL's quickdie.
    unsafe { libc::_exit(2) };
}

/// fork() with every signal blocked, as PostgreSQL forks: a signal sent to
/// the new child before it has installed its own handlers stays pending
/// (instead of running the postmaster's handler in the child, which would
/// write it into the postmaster's self-pipe and lose it for the child). The
/// parent's mask is restored at once; the child must call
/// [`become_backend`], which installs its handlers and then unblocks.
///
/// # Safety
/// As `fork()`: the caller must be single-threaded.
///
/// A thread-mode server child of the supervisor calls
/// [`unblock_after_fork`] instead, once its own signal pipe is installed.
pub unsafe fn fork_with_signals_blocked() -> nix::Result<nix::unistd::ForkResult> {
    let mut old = SigSet::empty();
    let _ = nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&SigSet::all()),
        Some(&mut old),
    );
    let parent = nix::unistd::getpid();
    // SAFETY: forwarded from the caller.
    let r = unsafe { nix::unistd::fork() };
    if matches!(r, Ok(nix::unistd::ForkResult::Child)) {
        // A child must not outlive the postmaster: an orphaned backend or
        // checkpointer would go on writing the data files and the WAL while
        // a new postmaster recovers them. The kernel kills it when the
        // postmaster dies; if it died before this call, exit now.
        // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        if nix::unistd::getppid() != parent {
            // SAFETY: _exit in a child that has run nothing yet.
            unsafe { libc::_exit(1) };
        }
    } else {
        let _ = nix::sys::signal::sigprocmask(
            nix::sys::signal::SigmaskHow::SIG_SETMASK,
            Some(&old),
            None,
        );
    }
    r
}

/// In a freshly forked child (backend, checkpointer or refuser): drops the
/// postmaster's self-pipe, installs the backend's handlers, and unblocks
/// the signals that [`fork_with_signals_blocked`] blocked; any that arrived
/// meanwhile are delivered now, to these handlers. `slot` is None for a
/// child without a slot (a refuser).
pub fn become_backend(slot: Option<&'static BackendSlot>) {
    let ptr = slot.map_or(std::ptr::null_mut(), |s| {
        s as *const BackendSlot as *mut BackendSlot
    });
    BACKEND_SLOT.store(ptr, Ordering::Relaxed);
    PIPE_WRITE.store(-1, Ordering::Relaxed);
    install(
        Signal::SIGINT,
        SigHandler::Handler(backend_handler),
        SaFlags::empty(),
    );
    install(
        Signal::SIGTERM,
        SigHandler::Handler(backend_handler),
        SaFlags::empty(),
    );
    install(
        Signal::SIGUSR1,
        SigHandler::Handler(wake_handler),
        SaFlags::empty(),
    );
    install(
        Signal::SIGQUIT,
        SigHandler::Handler(quickdie),
        SaFlags::empty(),
    );
    install(Signal::SIGCHLD, SigHandler::SigDfl, SaFlags::empty());
    install(Signal::SIGHUP, SigHandler::SigIgn, SaFlags::empty());
    let _ = nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&SigSet::empty()),
        None,
    );
}

/// In a thread-mode server child forked by the supervisor, once
/// [`SignalPipe::install`] has routed the postmaster's signals to the
/// child's own pipe: unblocks the signals [`fork_with_signals_blocked`]
/// blocked. Those the supervisor forwarded meanwhile (a shutdown request
/// during recovery) are delivered now, into the new pipe. Before any
/// backend thread exists, since threads inherit the mask.
pub fn unblock_after_fork() {
    let _ = nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&SigSet::empty()),
        None,
    );
}

/// The actions for SIGSEGV and SIGBUS found by
/// [`die_on_sent_fault_signals`] (Rust's stack overflow reporter).
static PREV_FAULT_ACTIONS: std::sync::OnceLock<[libc::sigaction; 2]> = std::sync::OnceLock::new();

extern "C" fn fault_handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO handler.
    let code = unsafe { (*info).si_code };
    if code > 0 {
        // A real fault: the handler Rust installed reports a stack
        // overflow and aborts, or resets the action so that the faulting
        // instruction, executed again on return, kills the process.
        let idx = usize::from(sig != libc::SIGSEGV);
        if let Some(prev) = PREV_FAULT_ACTIONS.get().map(|p| p[idx]) {
            if prev.sa_flags & libc::SA_SIGINFO != 0
                && prev.sa_sigaction != libc::SIG_DFL
                && prev.sa_sigaction != libc::SIG_IGN
            {
                // SAFETY: with SA_SIGINFO, sa_sigaction holds a handler of
                // exactly this signature, installed for this signal.
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    unsafe { std::mem::transmute(prev.sa_sigaction) };
                f(sig, info, ctx);
                return;
            }
        }
    }
    // Sent by kill(), tgkill() or sigqueue() (si_code <= 0), or no handler
    // to pass the fault to: die by the signal, as a C program would.
    // SAFETY: signal() and raise() are async-signal-safe. The raised
    // signal stays pending (blocked while its handler runs) and, the action
    // being the default now, terminates the process when we return.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        if code <= 0 {
            libc::raise(sig);
        }
    }
}

/// Makes SIGSEGV and SIGBUS sent by another process (`kill -SEGV`) end
/// this process, as they end PostgreSQL's. Rust's runtime handles both to
/// report stack overflows, and its handler, seeing no fault in a guard
/// page, only restores the default action and returns: the first signal
/// sent would be lost. Real faults still go to Rust's handler. Called
/// once, at start, before any thread or child exists; children inherit it.
pub fn die_on_sent_fault_signals() {
    // SAFETY: sigaction is a plain C struct for which all zeroes is a
    // valid (default, empty) value.
    let mut prev: [libc::sigaction; 2] = unsafe { std::mem::zeroed() };
    for (i, sig) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
        // SAFETY: reads the current action into our struct.
        unsafe { libc::sigaction(sig, std::ptr::null(), &mut prev[i]) };
    }
    if PREV_FAULT_ACTIONS.set(prev).is_err() {
        return; // installed already: `prev` would be our own handler
    }
    for sig in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: as above; the handler only calls async-signal-safe
        // functions or the handler Rust installed for the same signal.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = fault_handler as *const () as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut());
        }
    }
}

/// Blocks the postmaster's signals in the calling thread (a thread-mode
/// backend), so that they reach the main thread.
pub fn block_postmaster_signals() {
    let mut set = SigSet::empty();
    for sig in POSTMASTER_SIGNALS {
        set.add(sig);
    }
    let _ = set.thread_block();
}
