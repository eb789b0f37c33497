//! What every backend does first, whatever its mode: claim its slot
//! (pid, thread id, cancel key, start time), register where it counts
//! held locks and pins, and build its environment.

use std::sync::atomic::{AtomicBool, Ordering};
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
    let id = if exec_mode == ExecMode::Thread {
        gettid()
    } else {
        std::process::id() as i32
    };
    attach_as(config, segment, slot_index, exec_mode, id)
}

/// [`attach`] with the session's identifier (pg_backend_pid, the cancel
/// key's pid) given: pool mode's sessions move between carrier threads
/// and are known by an id of their own (`pool::session_pid`).
pub fn attach_as(
    config: &Arc<ServerConfig>,
    segment: Segment,
    slot_index: usize,
    exec_mode: ExecMode,
    id: i32,
) -> BackendEnv {
    let slot = segment.backend_table().slot(slot_index);
    slot.tid.store(gettid(), Ordering::Relaxed);
    slot.tgid
        .store(std::process::id() as i32, Ordering::Relaxed);
    slot.pid.store(id, Ordering::Release);
    new_session(slot);
    install_slot(&segment, slot_index);
    // A forked child inherits its parent's unflushed counts.
    shmem::waitstats::discard_unflushed();
    if exec_mode == ExecMode::Thread {
        THREADED.store(true, Ordering::Relaxed);
    }
    install_panic_marker();
    BackendEnv {
        config: config.clone(),
        segment,
        slot_index,
        slot,
        exec_mode,
    }
}

/// Registers the calling thread as the runner of `slot_index`'s session:
/// where it counts held LWLocks and pins, its WAL insertion entry, its
/// interrupt bits. Pool mode's carriers do it each time they take up a
/// session.
pub fn install_slot(segment: &Segment, slot_index: usize) {
    let slot = segment.backend_table().slot(slot_index);
    shmem::lwlock::set_held_counter(Some(&slot.lwlocks_held));
    shmem::buffer::set_pin_counter(Some(&slot.pins_held));
    shmem::wal::set_my_slot(Some(slot_index), Some(&slot.wait_event));
    backend::interrupts::set_my_slot(Some(slot));
}

/// Undoes [`install_slot`]: the thread runs no session now. In a carrier
/// process its LWLocks and pins count in the process's own slot from now
/// on (see [`set_process_slot`]).
pub fn uninstall_slot() {
    backend::interrupts::set_my_slot(None);
    let own = PROCESS_SLOT.get();
    shmem::lwlock::set_held_counter(own.map(|s| &s.lwlocks_held));
    shmem::buffer::set_pin_counter(own.map(|s| &s.pins_held));
    shmem::wal::set_my_slot(None, None);
}

/// A carrier process's own slot, where the LWLocks and pins its threads
/// take outside any session (freeing a session's slot, sweeping parked
/// sessions) are counted, so that the postmaster can tell whether the
/// process died holding one.
static PROCESS_SLOT: std::sync::OnceLock<&'static shmem::BackendSlot> = std::sync::OnceLock::new();

/// Makes `slot` the process's own slot (a carrier process, once, before
/// its threads start). Threads install it with [`uninstall_slot`].
pub fn set_process_slot(slot: &'static shmem::BackendSlot) {
    let _ = PROCESS_SLOT.set(slot);
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

/// Whether this process runs its backends as threads (set by [`attach`]).
static THREADED: AtomicBool = AtomicBool::new(false);

/// What a backend holds in shared state, from its slot's counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    lwlocks: u32,
    pins: u32,
    critical: u32,
}

impl Held {
    fn of(slot: &shmem::BackendSlot) -> Held {
        Held {
            lwlocks: slot.lwlocks_held.load(Ordering::Relaxed),
            pins: slot.pins_held.load(Ordering::Relaxed),
            critical: slot.critical.load(Ordering::Relaxed),
        }
    }
}

/// What a panic in a backend that holds `held` must do.
#[derive(Debug, PartialEq, Eq)]
enum OnPanic {
    /// Unwind: the session ends (a process backend exits, a thread-mode
    /// one reports FATAL XX000), and everyone else goes on.
    Unwind,
    /// Process mode: raise the slot's critical count, then unwind; the
    /// postmaster sees it when the backend exits and resets shared memory.
    MarkCritical,
    /// Thread mode: PANIC. Unwinding would release the locks and pins over
    /// half-changed shared state that other threads would then use, and a
    /// commit cut short in its critical section may be in the WAL already:
    /// abort the whole server process, so that the supervisor restarts it
    /// and it recovers from the WAL (PostgreSQL's PANIC and crash restart).
    Abort,
}

fn on_panic(threaded: bool, held: Held) -> OnPanic {
    let holds_locks = held.lwlocks != 0 || held.pins != 0;
    if threaded && (holds_locks || held.critical != 0) {
        OnPanic::Abort
    } else if !threaded && holds_locks {
        OnPanic::MarkCritical
    } else {
        OnPanic::Unwind
    }
}

/// A panic while the backend holds an LWLock or a pin may leave shared
/// state half-changed. In process mode the slot is marked as in a critical
/// section, so that the postmaster reinitializes shared memory when it sees
/// the backend die (unwinding then releases the locks; the mark stays). In
/// thread mode the whole process aborts (see [`OnPanic::Abort`]).
fn install_panic_marker() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let threaded = THREADED.load(Ordering::Relaxed);
            let held = backend::interrupts::my_slot().map(|s| (s, Held::of(s)));
            if let Some((_, held)) = held {
                if on_panic(threaded, held) == OnPanic::Abort {
                    prev(info);
                    tracing::error!(
                        "PANIC:  a backend thread panicked holding {} LWLocks, {} buffer pins, critical section depth {}: shared memory may be inconsistent; aborting the server process (it is restarted and recovers from the WAL)",
                        held.lwlocks,
                        held.pins,
                        held.critical
                    );
                    std::process::abort();
                }
            }
            // Malformed client input, caught and answered with 08P01.
            if backend::protocol::reader::decoding_client_message() {
                return;
            }
            if let Some((slot, held)) = held {
                if on_panic(threaded, held) == OnPanic::MarkCritical {
                    slot.critical.fetch_add(1, Ordering::AcqRel);
                }
            }
            prev(info);
        }));
    });
}

/// Runs one client's session under `catch_unwind`. If it panics (the
/// panic hook has logged it, and decided whether that is a PANIC; the
/// protocol layer has told the client: `backend::protocol::panic_report`),
/// false is returned: the caller ends the session (a thread frees its
/// slot, a process exits with status 1).
pub fn catch_session_panic(session: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(session)).is_ok()
}

/// The life of a forked child (backend, pre-forked backend, checkpointer,
/// refuser): it must never return, nor unwind, into the postmaster's frames
/// it was forked from, whose values (listeners, signal pipe, shared
/// segment owner, lock files) belong to the postmaster — the child closed
/// its copies of their descriptors, so dropping them would close them
/// twice, or remove the postmaster's files. A panic (logged by the panic
/// hook, which has also marked the slot if the child held shared state)
/// ends the process with status 1; the postmaster then sees an abnormal
/// exit and decides from the slot whether to reset shared memory.
pub fn child_life(body: impl FnOnce()) -> ! {
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_ok();
    std::process::exit(if ok { 0 } else { 1 })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn held(lwlocks: u32, pins: u32, critical: u32) -> Held {
        Held {
            lwlocks,
            pins,
            critical,
        }
    }

    #[test]
    fn a_thread_panicking_holding_shared_state_aborts_the_process() {
        assert_eq!(on_panic(true, held(0, 0, 0)), OnPanic::Unwind);
        assert_eq!(on_panic(true, held(1, 0, 0)), OnPanic::Abort);
        assert_eq!(on_panic(true, held(0, 2, 0)), OnPanic::Abort);
        assert_eq!(on_panic(true, held(0, 0, 1)), OnPanic::Abort);
        assert_eq!(on_panic(false, held(0, 0, 0)), OnPanic::Unwind);
        assert_eq!(on_panic(false, held(1, 0, 0)), OnPanic::MarkCritical);
        assert_eq!(on_panic(false, held(0, 1, 0)), OnPanic::MarkCritical);
        // A process backend dying in its commit's critical section is seen
        // by the postmaster already.
        assert_eq!(on_panic(false, held(0, 0, 1)), OnPanic::Unwind);
    }

    /// Runs [`panic_in_a_thread_backend`] in a child process (this test
    /// binary again), with what its backend thread holds when it panics.
    fn run_panic_child(what: &str) -> std::process::Output {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "backend_start::tests::panic_in_a_thread_backend",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("PGFORK_PANIC_CHILD", what)
            .output()
            .unwrap();
        // An aborted child leaves its segment behind.
        let stdout = String::from_utf8_lossy(&out.stdout);
        if let Some((_, rest)) = stdout.split_once("segment ") {
            if let Some(name) = rest.split_whitespace().next() {
                let _ = nix::sys::mman::shm_unlink(name);
            }
        }
        out
    }

    #[test]
    fn panic_holding_shared_state_in_a_thread_aborts_the_process() {
        use std::os::unix::process::ExitStatusExt;
        let out = run_panic_child("nothing");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("the process survived"),
            "{}\n{text}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        for what in ["lwlock", "pin", "critical"] {
            let out = run_panic_child(what);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.signal(),
                Some(libc::SIGABRT),
                "{what}: {}\n{err}",
                out.status
            );
            assert!(err.contains("injected panic"), "{what}: {err}");
        }
    }

    /// A thread-mode backend thread with a real slot in a real segment
    /// panics holding what PGFORK_PANIC_CHILD says; prints whether the
    /// process survived. Only run as a child of the test above.
    #[test]
    #[ignore = "run in a child process by panic_holding_shared_state_in_a_thread_aborts_the_process"]
    fn panic_in_a_thread_backend() {
        use shmem::segment::{SegmentConfig, SegmentOwner};
        let what = std::env::var("PGFORK_PANIC_CHILD").expect("PGFORK_PANIC_CHILD");
        let base = 50_000 + (std::process::id() % 10_000) as u16;
        // The test touches no file, and may abort: its data directory is
        // removed at once.
        let dd = shmem::DataDir::open(tempfile::tempdir().unwrap().path()).unwrap();
        let (_owner, segment) = (0..50)
            .find_map(|i| {
                SegmentOwner::create(
                    &SegmentConfig {
                        port: base + i,
                        max_backends: 2,
                        shared_buffers: 1 << 20,
                        mode: ExecMode::Thread as u32,
                    },
                    dd,
                )
                .ok()
            })
            .expect("a shared segment on some free port");
        // The parent removes it when we abort.
        println!("segment {}", _owner.name());
        let index = segment.backend_table().alloc(ExecMode::Thread).unwrap();
        THREADED.store(true, Ordering::Relaxed);
        install_panic_marker();
        let h = std::thread::spawn(move || {
            let slot = segment.backend_table().slot(index);
            backend::interrupts::set_my_slot(Some(slot));
            let counter = match what.as_str() {
                "lwlock" => Some(&slot.lwlocks_held),
                "pin" => Some(&slot.pins_held),
                "critical" => Some(&slot.critical),
                _ => None,
            };
            if let Some(c) = counter {
                c.fetch_add(1, Ordering::AcqRel);
            }
            panic!("injected panic");
        });
        assert!(h.join().is_err());
        println!("the process survived");
    }
}
