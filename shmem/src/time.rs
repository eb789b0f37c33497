//! Clocks shared by every process of the server.
//!
//! CLOCK_MONOTONIC is system-wide on Linux, so a timestamp taken by the
//! postmaster at accept() can be compared with one taken by the backend it
//! forked. Wall-clock times (for `pg_stat_activity`) are microseconds since
//! the Unix epoch.

/// Nanoseconds on CLOCK_MONOTONIC.
#[inline]
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Microseconds since the Unix epoch (wall clock).
#[inline]
pub fn wall_clock_us() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_micros() as i64
}
