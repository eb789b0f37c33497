//! Forking a peer process for the cross-process rows, and reaping it.
//!
//! The child runs one closure, pinned to a CPU if asked, then leaves with
//! `_exit` (no destructors, no stdio flush). It dies with its parent
//! (PR_SET_PDEATHSIG), so an interrupted run never leaves a spinning child
//! behind; the parent kills a child it forgets to wait for.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::affinity;

/// A forked child that has not been reaped yet.
pub struct Child {
    pid: Pid,
    status: Option<WaitStatus>,
}

/// Forks; the child pins itself to `cpu`, runs `body` and exits 0 on success
/// (1 on error or panic). Returns the child in the parent.
pub fn fork_child(cpu: Option<usize>, body: impl FnOnce() -> io::Result<()>) -> io::Result<Child> {
    let parent = nix::unistd::getpid();
    // SAFETY: the child only runs `body` (system calls on descriptors and
    // shared memory it inherited, plus glibc's fork-safe malloc) and then
    // `_exit`s, never returning into the caller's stack frames.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        // SAFETY: prctl(PR_SET_PDEATHSIG) takes plain integers.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        let ok = nix::unistd::getppid() == parent
            && cpu.map(affinity::pin_current).transpose().is_ok()
            && matches!(catch_unwind(AssertUnwindSafe(body)), Ok(Ok(())));
        // SAFETY: _exit ends the child without running the parent's atexit
        // handlers or destructors, which belong to the parent.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    Ok(Child {
        pid: Pid::from_raw(pid),
        status: None,
    })
}

impl Child {
    /// True once the child has exited (reaping it without blocking).
    pub fn has_exited(&mut self) -> bool {
        if self.status.is_none() {
            match waitpid(self.pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => {}
                Ok(s) => self.status = Some(s),
                Err(_) => self.status = Some(WaitStatus::Exited(self.pid, 255)),
            }
        }
        self.status.is_some()
    }

    /// Waits for the child and checks it exited with status 0.
    pub fn wait(mut self) -> io::Result<()> {
        let status = match self.status.take() {
            Some(s) => s,
            None => loop {
                match waitpid(self.pid, None) {
                    Err(nix::errno::Errno::EINTR) => continue,
                    r => break r?,
                }
            },
        };
        // Reaped: nothing left for Drop to do.
        self.status = Some(status);
        match status {
            WaitStatus::Exited(_, 0) => Ok(()),
            other => Err(io::Error::other(format!("peer process ended: {other:?}"))),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = kill(self.pid, Signal::SIGKILL);
            let _ = waitpid(self.pid, None);
        }
    }
}

/// Error returned when a spinning parent finds its peer gone.
pub fn peer_gone() -> io::Error {
    io::Error::other("peer process exited during the benchmark")
}
