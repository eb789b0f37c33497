//! Interrupts: query cancel and session termination, PostgreSQL's
//! CHECK_FOR_INTERRUPTS().
//!
//! Whoever wants a backend to stop sets a bit in the backend's shared slot
//! (`BackendSlot::request_interrupt`) and then wakes it with a signal:
//! SIGUSR1 to the process (process mode) or to the thread (thread mode,
//! with tgkill), so that a blocking read or sleep returns with EINTR. In
//! process mode SIGINT and SIGTERM, sent by the postmaster or by hand, set
//! the same bits from a signal handler. The backend looks at the bits at
//! safe points: between rows, in sleeps, while waiting for the client.
//!
//! statement_timeout is a bit too, as PostgreSQL's SIGALRM timer sets a
//! flag: each process that runs backends has one statement-timer thread
//! (started with the first statement that has a timeout) that sets
//! `INTERRUPT_TIMEOUT` in the backend's slot when the statement's deadline
//! passes. So the check in a loop is a thread-local read and one atomic
//! load, with no clock read; tight loops call it through a [`Ticker`]
//! (an increment and a branch per iteration). Without a slot (unit tests)
//! or a timer thread, the deadline is compared with the clock instead.

#![forbid(unsafe_code)]

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use shmem::backend_table::{INTERRUPT_CANCEL, INTERRUPT_TERMINATE, INTERRUPT_TIMEOUT};
use shmem::BackendSlot;

use crate::error::{PgError, PgResult};

thread_local! {
    static MY_SLOT: Cell<Option<&'static BackendSlot>> = const { Cell::new(None) };
    /// When the running statement's statement_timeout expires.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Calls since the clock was last read for the deadline.
    static TICKS: Cell<u32> = const { Cell::new(0) };
    /// This backend's entry in the statement timer, while one is armed.
    static MY_TIMER: Cell<Option<u64>> = const { Cell::new(None) };
}

/// One armed statement_timeout: whose slot, the session's cancel key (a
/// slot reused by a later session must not get the bit), and when.
struct Armed {
    id: u64,
    slot: &'static BackendSlot,
    cancel_key: i32,
    at: Instant,
}

/// The statement timer of this process: the armed deadlines, and the pid
/// of the process whose thread serves them (a forked child inherits the
/// memory but not the thread).
struct Timer {
    armed: Vec<Armed>,
    thread_pid: u32,
}

static TIMER: Mutex<Timer> = Mutex::new(Timer {
    armed: Vec::new(),
    thread_pid: 0,
});
static TIMER_WAKE: Condvar = Condvar::new();
static NEXT_TIMER_ID: AtomicU64 = AtomicU64::new(1);

fn timer() -> std::sync::MutexGuard<'static, Timer> {
    TIMER.lock().unwrap_or_else(|e| e.into_inner())
}

/// The statement-timer thread: sets INTERRUPT_TIMEOUT in each slot whose
/// deadline has passed (under the lock, so a statement that disarmed its
/// timer never gets the bit afterwards), then sleeps until the next.
fn timer_thread() {
    let mut t = timer();
    loop {
        let now = Instant::now();
        t.armed.retain(|a| {
            if a.at > now {
                return true;
            }
            if a.slot.cancel_key.load(Ordering::Acquire) == a.cancel_key {
                a.slot.request_interrupt(INTERRUPT_TIMEOUT);
            }
            false
        });
        t = match t.armed.iter().map(|a| a.at).min() {
            None => TIMER_WAKE.wait(t).unwrap_or_else(|e| e.into_inner()),
            Some(at) => {
                TIMER_WAKE
                    .wait_timeout(t, at.saturating_duration_since(now))
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
        };
    }
}

/// Starts this process's timer thread if it has none. It blocks every
/// signal, so that signals meant for the backend (SIGINT, SIGTERM,
/// SIGUSR1 to a backend process) are never delivered to it instead.
fn ensure_timer_thread(t: &mut Timer) -> bool {
    let pid = std::process::id();
    if t.thread_pid == pid {
        return true;
    }
    use nix::sys::signal::{SigSet, SigmaskHow};
    let Ok(old) = SigSet::all().thread_swap_mask(SigmaskHow::SIG_BLOCK) else {
        return false;
    };
    let spawned = std::thread::Builder::new()
        .name("stmt-timeout".into())
        .spawn(timer_thread)
        .is_ok();
    let _ = old.thread_set_mask();
    if spawned {
        t.thread_pid = pid;
    }
    spawned
}

/// Removes this backend's armed timer, if any, and a timeout bit it may
/// already have set.
fn disarm() {
    if let Some(id) = MY_TIMER.with(Cell::take) {
        timer().armed.retain(|a| a.id != id);
    }
    if let Some(slot) = my_slot() {
        slot.interrupts
            .fetch_and(!INTERRUPT_TIMEOUT, Ordering::AcqRel);
    }
}

/// Sets (or clears) the running statement's statement_timeout deadline,
/// arming (or disarming) this process's statement timer for it.
pub fn set_statement_deadline(deadline: Option<Instant>) {
    DEADLINE.with(|d| d.set(deadline));
    disarm();
    let (Some(at), Some(slot)) = (deadline, my_slot()) else {
        return;
    };
    let mut t = timer();
    if !ensure_timer_thread(&mut t) {
        return; // No thread: check_for_interrupts reads the clock.
    }
    let id = NEXT_TIMER_ID.fetch_add(1, Ordering::Relaxed);
    t.armed.push(Armed {
        id,
        slot,
        cancel_key: slot.cancel_key.load(Ordering::Acquire),
        at,
    });
    MY_TIMER.with(|m| m.set(Some(id)));
    TIMER_WAKE.notify_one();
}

/// Whether the statement timer will set the timeout bit (so the clock
/// need not be read).
fn timer_armed() -> bool {
    MY_TIMER.with(|m| m.get()).is_some()
}

/// The running statement's deadline, if statement_timeout is set.
pub fn statement_deadline() -> Option<Instant> {
    DEADLINE.with(|d| d.get())
}

/// 57014 for an expired statement_timeout.
pub fn statement_timeout_error() -> PgError {
    PgError::new(
        crate::error::sqlstate::QUERY_CANCELED,
        "canceling statement due to statement timeout",
    )
}

/// Fails when the statement's deadline has passed; reads the clock only
/// every 64th call unless `now` is set.
#[inline]
fn check_deadline(now: bool) -> PgResult<()> {
    let Some(d) = statement_deadline() else {
        return Ok(());
    };
    let due = now
        || TICKS.with(|t| {
            let n = t.get().wrapping_add(1);
            t.set(n);
            n % 64 == 0
        });
    if due && Instant::now() >= d {
        set_statement_deadline(None);
        return Err(statement_timeout_error());
    }
    Ok(())
}

/// Registers the calling backend's slot (once per session start); a
/// statement timer left armed (by a statement that panicked) is removed.
pub fn set_my_slot(slot: Option<&'static BackendSlot>) {
    if let Some(id) = MY_TIMER.with(Cell::take) {
        timer().armed.retain(|a| a.id != id);
    }
    MY_SLOT.with(|s| s.set(slot));
}

/// The calling backend's slot, if it is a backend.
pub fn my_slot() -> Option<&'static BackendSlot> {
    MY_SLOT.with(|s| s.get())
}

/// Forgets a cancel request that arrived while no query was running, as
/// PostgreSQL does; a pending termination is kept.
pub fn clear_stale_cancel() {
    if let Some(slot) = my_slot() {
        slot.interrupts
            .fetch_and(!(INTERRUPT_CANCEL | INTERRUPT_TIMEOUT), Ordering::AcqRel);
    }
}

/// CHECK_FOR_INTERRUPTS: fails with 57014 after a cancel request or when
/// statement_timeout expires, or with FATAL 57P01 after a termination
/// request. With the statement timer armed this is one atomic load.
#[inline]
pub fn check_for_interrupts() -> PgResult<()> {
    let Some(slot) = my_slot() else {
        return check_deadline(false);
    };
    if !timer_armed() {
        check_deadline(false)?;
    }
    if slot.pending_interrupts() == 0 {
        return Ok(());
    }
    let bits = slot.take_interrupts();
    if bits & INTERRUPT_TERMINATE != 0 {
        // Keep the bit so that the session loop also sees it.
        slot.request_interrupt(INTERRUPT_TERMINATE);
        return Err(PgError::admin_shutdown());
    }
    if bits & INTERRUPT_TIMEOUT != 0 {
        DEADLINE.with(|d| d.set(None));
        return Err(statement_timeout_error());
    }
    if bits & INTERRUPT_CANCEL != 0 {
        return Err(PgError::query_canceled());
    }
    Ok(())
}

/// CHECK_FOR_INTERRUPTS that also reads the clock for statement_timeout
/// every time: for loops that call it only every [`TICK_INTERVAL`]
/// iterations (through a [`Ticker`]) or per chunk of work.
pub fn check_for_interrupts_now() -> PgResult<()> {
    check_for_interrupts()?;
    check_deadline(true)
}

/// Iterations of a tight loop (a comparison, a copied chunk, an array
/// element) between two interrupt checks: at a few ns to a few µs each,
/// 256 of them stay far below a millisecond of CPU.
pub const TICK_INTERVAL: u32 = 256;

/// A countdown for tight loops: [`Ticker::tick`] costs an increment and a
/// branch, and every [`TICK_INTERVAL`]th call does the full check (an
/// atomic load of the slot's interrupt bits and a clock read when
/// statement_timeout is set).
#[derive(Default)]
pub struct Ticker {
    n: u32,
}

impl Ticker {
    pub fn new() -> Ticker {
        Ticker { n: 0 }
    }

    /// Counts one iteration; checks for interrupts every
    /// [`TICK_INTERVAL`]th.
    #[inline]
    pub fn tick(&mut self) -> PgResult<()> {
        self.n += 1;
        if self.n < TICK_INTERVAL {
            return Ok(());
        }
        self.n = 0;
        check_for_interrupts_now()
    }
}

/// Whether termination has been requested (checked while idle).
pub fn terminate_pending() -> bool {
    my_slot().is_some_and(|s| s.pending_interrupts() & INTERRUPT_TERMINATE != 0)
}

/// Sleeps for `d`, waking early for interrupts (`pg_sleep`).
pub fn sleep_interruptible(d: Duration) -> PgResult<()> {
    let end = Instant::now() + d;
    loop {
        check_for_interrupts()?;
        check_deadline(true)?;
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        // A signal cuts the sleep short; otherwise re-check every 10 ms.
        std::thread::sleep((end - now).min(Duration::from_millis(10)));
    }
}

/// How to wake another backend so that it looks at its interrupt bits
/// (a signal to its process or thread): set by the protocol layer, which
/// owns the signalling, for the commands below it that end other
/// sessions (DROP DATABASE ... WITH (FORCE)).
static WAKER: std::sync::OnceLock<fn(&BackendSlot)> = std::sync::OnceLock::new();

/// Registers [`wake_backend`]'s implementation (once per process).
pub fn set_waker(f: fn(&BackendSlot)) {
    let _ = WAKER.set(f);
}

/// Asks the backend of `slot` to end its session (FATAL 57P01) and wakes
/// it.
pub fn terminate_backend(slot: &BackendSlot) {
    slot.request_interrupt(INTERRUPT_TERMINATE);
    if let Some(f) = WAKER.get() {
        f(slot);
    }
}
