//! Thin wrappers over the Linux futex(2) system call on shared memory.
//!
//! We use the non-private futex operations so that a wake-up issued by one
//! process reaches a waiter in another process mapping the same segment
//! (the kernel keys shared futexes by the underlying page, not the virtual
//! address). The same calls work unchanged between threads.

use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// Sleeps while `*word == expected`, for at most `timeout` if given.
///
/// Returns on wake-up, on timeout, on a signal, or at once when the word no
/// longer holds `expected`; callers re-check their condition in a loop.
pub fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
    let ts = timeout.map(|d| libc::timespec {
        tv_sec: d.as_secs() as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `word` is a valid, aligned u32 for the duration of the call;
    // FUTEX_WAIT only reads it, and the timespec pointer is null or points
    // to a live local.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            ts_ptr,
            std::ptr::null::<u32>(),
            0u32,
        );
    }
}

/// Wakes up to `n` waiters sleeping on `word`; returns how many were woken.
pub fn wake(word: &AtomicU32, n: i32) -> i32 {
    // SAFETY: `word` is a valid, aligned u32; FUTEX_WAKE does not access
    // memory through the pointer beyond using it as a key.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE,
            n,
            std::ptr::null::<libc::timespec>(),
            std::ptr::null::<u32>(),
            0u32,
        ) as i32
    }
}
