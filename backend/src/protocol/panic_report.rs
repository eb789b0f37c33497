//! What the client of a session that panics is told: FATAL XX000 on its
//! socket, written before the panic goes on unwinding to the backend's
//! outer `catch_unwind` (which ends the session: a thread frees its slot,
//! a process exits with status 1).
//!
//! During startup the session owns its stream, which unwinding closes, so
//! a duplicate of the socket is held for the report while startup runs
//! (and closed after it); once the session runs, the stream outlives the
//! session and the report goes on it directly. No descriptor is held per
//! idle session for this (thread mode used to keep a duplicate for the
//! session's whole life: two descriptors per session in the server
//! process, which met the container's 20,000-descriptor limit near 9,000
//! sessions).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use super::MessageWriter;
use crate::error::{sqlstate, PgError};

/// Writes the FATAL message on `fd` (best effort: the client may be
/// gone).
pub fn report_panic(fd: BorrowedFd<'_>) {
    let mut w = MessageWriter::new();
    w.error(&PgError::fatal(
        sqlstate::INTERNAL_ERROR,
        "internal error: the backend panicked; the session is closed",
    ));
    let mut buf = &w.buf[..];
    while !buf.is_empty() {
        match nix::unistd::write(fd, buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf = &buf[n..],
        }
    }
}

/// Runs `f`; if it panics, reports it on `fd` and goes on unwinding.
pub fn reporting_panics<T>(fd: BorrowedFd<'_>, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            report_panic(fd);
            resume_unwind(p)
        }
    }
}

/// [`reporting_panics`] for `f` that owns (and may close) the socket:
/// the report goes on `dup`, a duplicate of it taken before.
pub fn reporting_panics_on<T>(dup: Option<OwnedFd>, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            if let Some(d) = &dup {
                report_panic(d.as_fd());
            }
            resume_unwind(p)
        }
    }
}
