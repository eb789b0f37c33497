//! Fault injection (issue 16): ways to make this backend fail on purpose,
//! so that tests and `scripts/blast-radius` can drive every crash path a
//! server must survive, in every mode. Only a server started with
//! `--debug-faults` accepts them; otherwise they are refused with 55000.
//!
//! A session asks for a fault with `SELECT pgfork_debug_fault('kind')`,
//! which fires it at once, or with `SET pgfork.debug_fault = 'kind'`, which
//! fires it at the start of the next statement. `panic-in-critical` fires
//! instead in the session's next commit that writes a commit record, after
//! that record is durable and before the commit log is set (inside the
//! commit's critical section, see `access::xact`). The kinds:
//!
//! | kind | what the backend does | expected outcome |
//! | --- | --- | --- |
//! | `panic` | a plain Rust panic | that session only (FATAL XX000) |
//! | `panic-in-critical` | a panic in a commit's critical section | crash-restart: the postmaster resets shared memory (process), the supervisor restarts the server (thread) |
//! | `stack` | recursion without the depth guard until the stack overflows | the backend process dies (process), the server process (thread) |
//! | `abort` | `std::process::abort()` | as `stack` |
//! | `segv` | raises SIGSEGV on its own thread | as `stack` |
//! | `oom` | lowers RLIMIT_AS to 256 MiB above what the process maps, then allocates until the allocator fails (Rust aborts) | as `stack`; bounded so that it cannot endanger the machine |
//!
//! Everything here is per thread (a backend's session runs on one thread):
//! whether faults are allowed (set when the engine is created, from the
//! server's configuration) and which one is armed.

#![forbid(unsafe_code)]

use std::cell::Cell;

use crate::error::{sqlstate, PgError, PgResult};

/// 55000 object_not_in_prerequisite_state.
const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";

/// The values of `pgfork.debug_fault`.
pub const NAMES: &[&str] = &[
    "none",
    "panic",
    "panic-in-critical",
    "stack",
    "abort",
    "segv",
    "oom",
];

/// How far above the process's mapped memory `oom` sets RLIMIT_AS.
const OOM_HEADROOM: u64 = 256 << 20;
/// What `oom` allocates at a time.
const OOM_CHUNK: usize = 16 << 20;

/// A failure to inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Panic,
    PanicInCritical,
    Stack,
    Abort,
    Segv,
    Oom,
}

impl Fault {
    /// A value of the setting: `Some(None)` for `none`, `None` if unknown.
    pub fn parse(s: &str) -> Option<Option<Fault>> {
        Some(Some(match s.trim().to_ascii_lowercase().as_str() {
            "none" => return Some(None),
            "panic" => Fault::Panic,
            "panic-in-critical" => Fault::PanicInCritical,
            "stack" => Fault::Stack,
            "abort" => Fault::Abort,
            "segv" => Fault::Segv,
            "oom" => Fault::Oom,
            _ => return None,
        }))
    }

    pub fn name(self) -> &'static str {
        match self {
            Fault::Panic => "panic",
            Fault::PanicInCritical => "panic-in-critical",
            Fault::Stack => "stack",
            Fault::Abort => "abort",
            Fault::Segv => "segv",
            Fault::Oom => "oom",
        }
    }
}

thread_local! {
    /// The server was started with `--debug-faults`.
    static ALLOWED: Cell<bool> = const { Cell::new(false) };
    /// The fault waiting for its moment.
    static ARMED: Cell<Option<Fault>> = const { Cell::new(None) };
    /// The value of `pgfork.debug_fault` last seen by [`sync_setting`].
    static SETTING: Cell<Option<Fault>> = const { Cell::new(None) };
}

/// A session's fault-injection state while it runs on no thread (a pooled
/// session between carriers, `protocol::pool`): saved when its carrier
/// puts it down, restored by the next one, so that an armed fault fires in
/// its own session and nowhere else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultState {
    allowed: bool,
    armed: Option<Fault>,
    setting: Option<Fault>,
}

/// Takes this thread's fault state away (leaving nothing armed or allowed).
pub fn take_state() -> FaultState {
    FaultState {
        allowed: ALLOWED.with(|a| a.replace(false)),
        armed: ARMED.with(|a| a.replace(None)),
        setting: SETTING.with(|s| s.replace(None)),
    }
}

/// Installs a state [`take_state`] took, on the thread that now runs its
/// session.
pub fn restore_state(st: FaultState) {
    ALLOWED.with(|a| a.set(st.allowed));
    ARMED.with(|a| a.set(st.armed));
    SETTING.with(|s| s.set(st.setting));
}

/// Whether this session may inject faults (the engine sets it from the
/// server's `--debug-faults`).
pub fn set_allowed(on: bool) {
    ALLOWED.with(|a| a.set(on));
}

fn refused() -> PgError {
    PgError::new(
        OBJECT_NOT_IN_PREREQUISITE_STATE,
        "fault injection is disabled on this server",
    )
    .with_hint("Start the server with --debug-faults to use pgfork.debug_fault.")
}

/// Whether `value` may be given to `pgfork.debug_fault`: `none` always,
/// a fault only with `--debug-faults` (55000 otherwise).
pub fn check_setting(value: &str) -> PgResult<()> {
    match Fault::parse(value) {
        Some(Some(_)) if !ALLOWED.with(|a| a.get()) => Err(refused()),
        _ => Ok(()),
    }
}

/// After a change of the session's settings: a new value of
/// `pgfork.debug_fault` arms its fault (`none` disarms).
pub fn sync_setting(value: &str) {
    let Some(f) = Fault::parse(value) else {
        return;
    };
    if SETTING.with(|s| s.replace(f)) != f {
        ARMED.with(|a| a.set(f));
    }
}

/// Forgets an armed fault (a pre-forked backend's session ends).
pub fn disarm() {
    ARMED.with(|a| a.set(None));
    SETTING.with(|s| s.set(None));
}

/// `pgfork_debug_fault(kind)`: fires the fault now, or, for
/// `panic-in-critical`, arms it for the next commit (and says so); `none`
/// disarms.
pub fn request(kind: &str) -> PgResult<String> {
    if !ALLOWED.with(|a| a.get()) {
        return Err(refused());
    }
    match Fault::parse(kind) {
        None => Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("unknown fault \"{kind}\""),
        )
        .with_hint(format!("Available values: {}.", NAMES.join(", ")))),
        Some(None) => {
            ARMED.with(|a| a.set(None));
            Ok("none".into())
        }
        Some(Some(Fault::PanicInCritical)) => {
            ARMED.with(|a| a.set(Some(Fault::PanicInCritical)));
            Ok("panic-in-critical: armed for this session's next commit that writes a commit record".into())
        }
        Some(Some(f)) => fire(f),
    }
}

/// At the start of every statement: fires an armed fault, unless it
/// waits for a commit.
pub fn at_statement_start() {
    let armed = ARMED.with(|a| a.get());
    if let Some(f) = armed.filter(|&f| f != Fault::PanicInCritical) {
        ARMED.with(|a| a.set(None));
        fire(f);
    }
}

/// Inside a commit's critical section, once its commit record is durable
/// and before the commit log is set: panics if `panic-in-critical` is
/// armed.
pub fn in_commit_critical_section() {
    if ARMED.with(|a| a.get()) == Some(Fault::PanicInCritical) {
        ARMED.with(|a| a.set(None));
        tracing::warn!("pgfork.debug_fault: panicking inside a commit's critical section");
        panic!("pgfork.debug_fault: injected panic inside a commit's critical section");
    }
}

/// Makes the fault happen; never returns.
fn fire(f: Fault) -> ! {
    tracing::warn!("pgfork.debug_fault: injecting fault \"{}\"", f.name());
    match f {
        Fault::Panic | Fault::PanicInCritical => {
            panic!("pgfork.debug_fault: injected panic")
        }
        Fault::Stack => {
            let n = overflow_the_stack(0);
            // Not reached: the recursion never ends.
            panic!("pgfork.debug_fault: the stack did not overflow ({n})")
        }
        Fault::Abort => std::process::abort(),
        Fault::Segv => {
            // raise(3) is tgkill(2) on this thread: in thread mode the whole
            // server process ends by the signal, as a real fault ends it.
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSEGV);
            std::process::abort()
        }
        Fault::Oom => exhaust_memory(),
    }
}

/// Recursion with a 4 KiB frame and no depth check (what
/// `crate::stack::check_stack_depth` exists to prevent).
#[inline(never)]
fn overflow_the_stack(depth: u64) -> u64 {
    let mut frame = [0u8; 4096];
    frame[(depth % 4096) as usize] = depth as u8;
    let frame = std::hint::black_box(frame);
    if depth == u64::MAX {
        return 0;
    }
    let below = overflow_the_stack(depth + 1);
    std::hint::black_box(below + u64::from(frame[(depth.wrapping_mul(7) % 4096) as usize]))
}

/// Bytes the process maps now (VmSize), from /proc/self/statm.
fn mapped_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    let page = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096) as u64;
    Some(pages * page)
}

/// Allocates until the allocator fails, which makes Rust abort the process
/// ("memory allocation of N bytes failed"). Bounded: the address-space
/// limit is lowered to [`OOM_HEADROOM`] above what the process maps now
/// (this process only; in thread mode the whole server process, which is
/// what an out-of-memory server process is), so that the kernel refuses
/// the mappings long before the machine runs short. Should the limit not
/// take, the allocation failure is reported at twice the headroom.
fn exhaust_memory() -> ! {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let (Some(now), Ok((_, hard))) = (mapped_bytes(), getrlimit(Resource::RLIMIT_AS)) {
        let limit = (now + OOM_HEADROOM).min(hard);
        if let Err(e) = setrlimit(Resource::RLIMIT_AS, limit, hard) {
            tracing::warn!("pgfork.debug_fault: could not lower RLIMIT_AS: {e}");
        }
    }
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    while (hoard.len() * OOM_CHUNK) < 2 * OOM_HEADROOM as usize {
        let mut chunk = vec![0u8; OOM_CHUNK];
        for b in chunk.iter_mut().step_by(4096) {
            *b = 1;
        }
        hoard.push(std::hint::black_box(chunk));
    }
    std::alloc::handle_alloc_error(
        std::alloc::Layout::from_size_align(OOM_CHUNK, 1).expect("a valid layout"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        for n in NAMES {
            let f = Fault::parse(n).expect(n);
            assert_eq!(f.map(Fault::name).unwrap_or("none"), *n);
        }
        assert_eq!(Fault::parse("PANIC"), Some(Some(Fault::Panic)));
        assert_eq!(Fault::parse("explode"), None);
    }

    #[test]
    fn refused_unless_allowed() {
        std::thread::spawn(|| {
            assert!(check_setting("none").is_ok());
            let e = check_setting("abort").unwrap_err();
            assert_eq!(e.code, "55000");
            assert_eq!(request("panic").unwrap_err().code, "55000");
            set_allowed(true);
            assert!(check_setting("abort").is_ok());
            assert_eq!(request("bogus").unwrap_err().code, "22023");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn arming_and_firing_once() {
        std::thread::spawn(|| {
            set_allowed(true);
            // A commit fault waits for the commit; a statement is unharmed.
            request("panic-in-critical").unwrap();
            at_statement_start();
            assert!(std::panic::catch_unwind(in_commit_critical_section).is_err());
            // Once only.
            in_commit_critical_section();
            // SET arms; the next statement fires, once.
            sync_setting("panic");
            assert!(std::panic::catch_unwind(at_statement_start).is_err());
            at_statement_start();
            // The same value again arms nothing; a new one does.
            sync_setting("panic");
            at_statement_start();
            sync_setting("panic-in-critical");
            disarm();
            in_commit_critical_section();
        })
        .join()
        .unwrap();
    }
}
