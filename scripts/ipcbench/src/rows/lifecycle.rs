//! Creation and teardown rows: forking and reaping a process, spawning and
//! joining a thread.

use std::io;

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

use super::RowCtx;
use crate::measure::{run_loop, Measurement};

/// `fork-exit-wait`: fork, the child `_exit(0)`s at once, the parent reaps
/// it with waitpid.
pub fn fork_exit_wait(ctx: &RowCtx) -> io::Result<Measurement> {
    run_loop(&ctx.plan, ctx.timing, || {
        // SAFETY: the child calls only _exit, which is async-signal-safe.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: leaves the child immediately, running nothing of the
            // parent's (no atexit handlers, no destructors).
            unsafe { libc::_exit(0) };
        }
        loop {
            match waitpid(Pid::from_raw(pid), None) {
                Ok(WaitStatus::Exited(_, 0)) => return Ok(()),
                Ok(s) => return Err(io::Error::other(format!("child ended: {s:?}"))),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    })
}

/// `thread-spawn-join`: spawn a thread running an empty closure and join it.
pub fn thread_spawn_join(ctx: &RowCtx) -> io::Result<Measurement> {
    run_loop(&ctx.plan, ctx.timing, || {
        std::thread::spawn(|| {})
            .join()
            .map_err(|_| io::Error::other("spawned thread panicked"))
    })
}
