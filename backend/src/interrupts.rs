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

#![forbid(unsafe_code)]

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shmem::backend_table::{INTERRUPT_CANCEL, INTERRUPT_TERMINATE};
use shmem::BackendSlot;

use crate::error::{PgError, PgResult};

thread_local! {
    static MY_SLOT: Cell<Option<&'static BackendSlot>> = const { Cell::new(None) };
    /// When the running statement's statement_timeout expires.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Calls since the clock was last read for the deadline.
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// Sets (or clears) the running statement's statement_timeout deadline.
pub fn set_statement_deadline(deadline: Option<Instant>) {
    DEADLINE.with(|d| d.set(deadline));
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

/// Registers the calling backend's slot (once per session start).
pub fn set_my_slot(slot: Option<&'static BackendSlot>) {
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
            .fetch_and(!INTERRUPT_CANCEL, Ordering::AcqRel);
    }
}

/// CHECK_FOR_INTERRUPTS: fails with 57014 after a cancel request or when
/// statement_timeout expires, or with FATAL 57P01 after a termination
/// request.
#[inline]
pub fn check_for_interrupts() -> PgResult<()> {
    check_deadline(false)?;
    let Some(slot) = my_slot() else {
        return Ok(());
    };
    if slot.pending_interrupts() == 0 {
        return Ok(());
    }
    let bits = slot.take_interrupts();
    if bits & INTERRUPT_TERMINATE != 0 {
        // Keep the bit so that the session loop also sees it.
        slot.request_interrupt(INTERRUPT_TERMINATE);
        return Err(PgError::admin_shutdown());
    }
    if bits & INTERRUPT_CANCEL != 0 {
        return Err(PgError::query_canceled());
    }
    Ok(())
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
