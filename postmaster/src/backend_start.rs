//! What every backend does first, whatever its mode: claim its slot
//! (pid, thread id, cancel key, start time), register where it counts
//! held locks and pins, and build its environment.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use backend::{BackendEnv, ServerConfig};
use shmem::{ExecMode, Segment};

/// A random cancel key from the OS's random number generator (PostgreSQL
/// uses a strong random 32-bit key too). getrandom(2) cannot fail once the
/// kernel's pool is initialized, which it is long before a server starts;
/// if it ever did, the backend's start panics rather than hand out a key
/// a client could guess.
pub fn random_cancel_key() -> i32 {
    use rand::RngCore;
    rand::rngs::OsRng.next_u32() as i32
}

/// The kernel thread id of the caller.
pub fn gettid() -> i32 {
    nix::unistd::gettid().as_raw()
}

/// Fills in the caller's slot and registers its resource counters. In
/// thread mode a backend is identified (pg_backend_pid, cancel keys) by
/// its thread id, which is unique on the machine.
pub fn attach(
    config: &Arc<ServerConfig>,
    segment: Segment,
    slot_index: usize,
    exec_mode: ExecMode,
) -> BackendEnv {
    let slot = segment.backend_table().slot(slot_index);
    let id = if exec_mode == ExecMode::Thread {
        gettid()
    } else {
        std::process::id() as i32
    };
    slot.tid.store(gettid(), Ordering::Relaxed);
    slot.pid.store(id, Ordering::Release);
    new_session(slot);
    shmem::lwlock::set_held_counter(Some(&slot.lwlocks_held));
    shmem::buffer::set_pin_counter(Some(&slot.pins_held));
    shmem::wal::set_my_slot(Some(slot_index), Some(&slot.wait_event));
    // A forked child inherits its parent's unflushed counts.
    shmem::waitstats::discard_unflushed();
    backend::interrupts::set_my_slot(Some(slot));
    install_panic_marker();
    BackendEnv {
        config: config.clone(),
        segment,
        slot_index,
        slot,
        exec_mode,
    }
}

/// A new client session in an attached slot: new cancel key, start time.
pub fn new_session(slot: &shmem::BackendSlot) {
    slot.cancel_key
        .store(random_cancel_key(), Ordering::Release);
    slot.backend_start_us
        .store(shmem::time::wall_clock_us(), Ordering::Relaxed);
    // A stale cancel request is forgotten; a termination request (which may
    // have arrived while the backend was starting) is kept.
    slot.interrupts
        .fetch_and(!shmem::backend_table::INTERRUPT_CANCEL, Ordering::AcqRel);
}

/// A panic while the backend holds an LWLock or a pin may leave shared
/// state half-changed: mark the slot as in a critical section, so that
/// the postmaster reinitializes shared memory when it sees the backend
/// die. (Unwinding then releases the locks; the mark stays.)
fn install_panic_marker() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Malformed client input, caught and answered with 08P01.
            if backend::protocol::reader::decoding_client_message() {
                return;
            }
            if let Some(slot) = backend::interrupts::my_slot() {
                if slot.lwlocks_held.load(Ordering::Relaxed) != 0
                    || slot.pins_held.load(Ordering::Relaxed) != 0
                {
                    slot.critical.fetch_add(1, Ordering::AcqRel);
                }
            }
            prev(info);
        }));
    });
}

/// Aborts the transaction a departed backend left open and releases its
/// heavyweight locks (waking whoever waits for them). Only for a backend
/// that held no LWLock when it went (else shared memory is reinitialized
/// instead, and this could wait forever on the lock it held).
pub fn release_backend_resources(segment: &Segment, slot: usize) {
    segment.proc_array().cleanup_backend(slot);
    segment.lock_manager().release_all(slot);
    segment.wal().forget_slot(slot);
}

/// Returns a slot whose backend is gone to the free list, folding its
/// statistics into the departed backends' totals; with `clean`, first
/// [`release_backend_resources`].
pub fn release_slot(segment: &Segment, slot: usize, clean: bool) {
    if clean {
        release_backend_resources(segment, slot);
    }
    shmem::latency::LatencyStats::get(segment).retire_slot(slot);
    shmem::waitstats::retire_slot(segment, slot);
    segment.backend_table().free(slot);
}
