//! The stack depth guard (PostgreSQL's check_stack_depth): every recursion
//! a client's statement can drive (analysis, planning, evaluation, EXPLAIN)
//! calls [`check_stack_depth`], which fails with 54001 "stack depth limit
//! exceeded" once the thread has used more than `max_stack_depth` of its
//! stack. A deep expression then costs its own statement, never the
//! backend, and in thread mode never the server.
//!
//! The limit is checked against the thread's real stack when it is set:
//! `max_stack_depth` may not exceed the stack size less a guard zone
//! ([`STACK_GUARD`]) that leaves room for the frames between two checks and
//! for unwinding. Backend threads are created with [`BACKEND_THREAD_STACK`];
//! a backend process runs on its main thread, whose stack is RLIMIT_STACK.

#![forbid(unsafe_code)]

use std::cell::Cell;

use crate::error::{sqlstate, PgError, PgResult};

/// Stack size of a thread-mode backend: room for the 2 MB default limit,
/// a raised one, and the guard zone.
pub const BACKEND_THREAD_STACK: usize = 8 << 20;

/// Bytes of stack kept free below `max_stack_depth` (PostgreSQL keeps
/// 512 kB between the limit and the platform's).
pub const STACK_GUARD: usize = 512 << 10;

/// PostgreSQL's default max_stack_depth, in kB.
pub const DEFAULT_MAX_STACK_DEPTH_KB: usize = 2048;

thread_local! {
    /// An address near the top of this thread's stack (0: not yet known).
    static BASE: Cell<usize> = const { Cell::new(0) };
    /// This thread's stack size in bytes, if known.
    static SIZE: Cell<Option<usize>> = const { Cell::new(None) };
    /// max_stack_depth in bytes.
    static LIMIT: Cell<usize> = const { Cell::new(DEFAULT_MAX_STACK_DEPTH_KB << 10) };
}

/// The address of a local: where the stack is now.
#[inline(always)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// Records the top of the calling thread's stack and its size; called once
/// when a backend's session starts (`stack_size`: the thread's, or None
/// for a process's main thread, whose size is RLIMIT_STACK).
pub fn enter_session(stack_size: Option<usize>) {
    BASE.with(|b| b.set(stack_pointer()));
    let size = stack_size.or_else(process_stack_size);
    SIZE.with(|s| s.set(size));
}

/// RLIMIT_STACK's soft limit, if finite.
fn process_stack_size() -> Option<usize> {
    use nix::sys::resource::{getrlimit, Resource};
    let (soft, _) = getrlimit(Resource::RLIMIT_STACK).ok()?;
    (soft != nix::sys::resource::RLIM_INFINITY).then_some(soft as usize)
}

/// The largest max_stack_depth this thread's stack allows, in kB (None:
/// unknown or unlimited).
pub fn max_allowed_kb() -> Option<usize> {
    let size = SIZE.with(|s| s.get()).or_else(process_stack_size)?;
    Some(size.saturating_sub(STACK_GUARD) >> 10)
}

/// Sets max_stack_depth (kB) for this thread.
pub fn set_max_stack_depth_kb(kb: usize) {
    LIMIT.with(|l| l.set(kb << 10));
}

/// 54001, as PostgreSQL words it.
pub fn stack_depth_error() -> PgError {
    let kb = LIMIT.with(|l| l.get()) >> 10;
    PgError::new(
        sqlstate::STATEMENT_TOO_COMPLEX,
        "stack depth limit exceeded",
    )
    .with_hint(format!(
        "Increase the configuration parameter \"max_stack_depth\" (currently {kb}kB), \
         after ensuring the platform's stack depth limit is adequate."
    ))
}

/// Fails with 54001 when this thread has used more than max_stack_depth
/// of its stack since its session started.
#[inline]
pub fn check_stack_depth() -> PgResult<()> {
    let sp = stack_pointer();
    let base = BASE.with(|b| b.get());
    if base == 0 {
        // A thread that did not enter a session (unit tests): measure
        // from here on.
        BASE.with(|b| b.set(sp));
        return Ok(());
    }
    if base.abs_diff(sp) > LIMIT.with(|l| l.get()) {
        return Err(stack_depth_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recurse(n: usize) -> PgResult<usize> {
        check_stack_depth()?;
        let pad = [n as u8; 256];
        let r = if n == 0 { Ok(0) } else { recurse(n - 1) };
        Ok(r? + pad[n % 256] as usize)
    }

    #[test]
    fn deep_recursion_fails_with_54001_not_an_overflow() {
        std::thread::Builder::new()
            .stack_size(BACKEND_THREAD_STACK)
            .spawn(|| {
                enter_session(Some(BACKEND_THREAD_STACK));
                set_max_stack_depth_kb(256);
                assert!(recurse(10).is_ok());
                let e = recurse(1_000_000).unwrap_err();
                assert_eq!(e.code, "54001");
                assert!(e.hint.as_deref().unwrap().contains("256kB"));
                assert_eq!(max_allowed_kb(), Some((8 << 10) - 512));
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
