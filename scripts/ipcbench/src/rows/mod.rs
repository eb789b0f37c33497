//! The benchmark rows: their names, the seed claim each is checked against,
//! how each is placed on CPUs and timed, and shared helpers for ping-pong
//! between two parties.

use std::io::{self, Read, Write};

use crate::affinity::{self, Cores, Placement};
use crate::claims::Claim;
use crate::measure::{Measurement, Plan, Timing};

mod lifecycle;
mod lwlock;
mod process;
mod thread;

/// What kind of wait a row's hand-off involves (for the summary lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The waiting party sleeps in the kernel until woken.
    Blocking,
    /// The waiting party busy-polls memory.
    Spinning,
    /// Not a ping-pong (locks, creation/teardown).
    Other,
}

/// Everything a row's function needs to know.
pub struct RowCtx {
    pub plan: Plan,
    pub timing: Timing,
    pub cores: Cores,
}

/// One row of the report.
pub struct RowSpec {
    pub name: &'static str,
    pub claim: Claim,
    pub kind: Kind,
    pub placement: Placement,
    pub timing: Timing,
    /// Operations timed in a default (non-quick) run.
    pub full_iters: u64,
    pub run: fn(&RowCtx) -> io::Result<Measurement>,
    /// One line on what exactly one operation is.
    pub what: &'static str,
}

type RunFn = fn(&RowCtx) -> io::Result<Measurement>;

impl RowSpec {
    /// A cross-core, per-iteration row of 50 000 operations; the modifiers
    /// below change that.
    fn new(name: &'static str, claim: Claim, kind: Kind, run: RunFn, what: &'static str) -> Self {
        RowSpec {
            name,
            claim,
            kind,
            placement: Placement::Cross,
            timing: Timing::PerIter,
            full_iters: 50_000,
            run,
            what,
        }
    }

    fn placed(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    fn timed(mut self, timing: Timing, full_iters: u64) -> Self {
        self.timing = timing;
        self.full_iters = full_iters;
        self
    }
}

/// All rows, in report order.
pub fn all() -> Vec<RowSpec> {
    use Claim::{None as NoClaim, SharedMemory, Thread, UnixSocket};
    use Kind::{Blocking, Other, Spinning};
    use Placement::{SameCore, Single, Unpinned};
    use Timing::{Batch, PerIter};
    vec![
        RowSpec::new(
            "mutex-uncontended",
            Thread,
            Other,
            thread::mutex_uncontended,
            "std Mutex lock+unlock, one thread",
        )
        .placed(Single)
        .timed(Batch(1000), 5_000_000),
        RowSpec::new(
            "thread-condvar-roundtrip",
            Thread,
            Blocking,
            thread::condvar_roundtrip,
            "Mutex+Condvar ping-pong between two threads",
        ),
        RowSpec::new(
            "thread-spin-roundtrip",
            Thread,
            Spinning,
            thread::spin_roundtrip,
            "ping-pong on one atomic, both threads spinning",
        )
        .timed(Batch(64), 1_000_000),
        RowSpec::new(
            "thread-channel-roundtrip",
            Thread,
            Blocking,
            thread::channel_roundtrip,
            "std::sync::mpsc ping-pong between two threads",
        ),
        RowSpec::new(
            "thread-uds-roundtrip",
            Thread,
            Blocking,
            thread::uds_roundtrip,
            "1-byte ping-pong over UnixStream::pair between two threads",
        ),
        RowSpec::new(
            "thread-uds-roundtrip-samecore",
            Thread,
            Blocking,
            thread::uds_roundtrip,
            "as thread-uds-roundtrip, both threads pinned to one CPU",
        )
        .placed(SameCore),
        RowSpec::new(
            "process-uds-roundtrip",
            UnixSocket,
            Blocking,
            process::uds_roundtrip,
            "1-byte ping-pong over UnixStream::pair, parent and forked child",
        ),
        RowSpec::new(
            "process-uds-roundtrip-samecore",
            UnixSocket,
            Blocking,
            process::uds_roundtrip,
            "as process-uds-roundtrip, both processes on one CPU",
        )
        .placed(SameCore),
        RowSpec::new(
            "process-pipe-roundtrip",
            UnixSocket,
            Blocking,
            process::pipe_roundtrip,
            "1-byte ping-pong over two pipes, parent and forked child",
        ),
        RowSpec::new(
            "process-shm-futex-roundtrip",
            SharedMemory,
            Blocking,
            process::shm_futex_roundtrip,
            "ping-pong on a futex word in a MAP_SHARED mapping, both sleep in futex_wait",
        ),
        RowSpec::new(
            "process-shm-futex-roundtrip-samecore",
            SharedMemory,
            Blocking,
            process::shm_futex_roundtrip,
            "as process-shm-futex-roundtrip, both processes on one CPU",
        )
        .placed(SameCore),
        RowSpec::new(
            "process-shm-spin-roundtrip",
            SharedMemory,
            Spinning,
            process::shm_spin_roundtrip,
            "ping-pong on a word in a MAP_SHARED mapping, both processes spinning",
        )
        .timed(Batch(64), 1_000_000),
        RowSpec::new(
            "fd-pass-sendfd",
            NoClaim,
            Other,
            process::fd_pass_roundtrip,
            "parent sends an fd over a Unix socket (sendfd), the child sends it back",
        )
        .timed(PerIter, 20_000),
        RowSpec::new(
            "fork-exit-wait",
            NoClaim,
            Other,
            lifecycle::fork_exit_wait,
            "fork, child _exit(0), parent waitpid",
        )
        .placed(Unpinned)
        .timed(PerIter, 2_000),
        RowSpec::new(
            "thread-spawn-join",
            NoClaim,
            Other,
            lifecycle::thread_spawn_join,
            "std::thread::spawn of an empty closure, then join",
        )
        .placed(Unpinned)
        .timed(PerIter, 10_000),
        RowSpec::new(
            "lwlock-uncontended",
            NoClaim,
            Other,
            lwlock::uncontended,
            "pgfork shmem::LWLock exclusive acquire+release, one thread",
        )
        .placed(Single)
        .timed(Batch(1000), 5_000_000),
        RowSpec::new(
            "lwlock-contended-threads",
            NoClaim,
            Other,
            lwlock::contended_threads,
            "LWLock exclusive acquire+release while a second thread hammers the same lock",
        )
        .timed(PerIter, 1_000_000),
        RowSpec::new(
            "lwlock-contended-processes",
            NoClaim,
            Other,
            lwlock::contended_processes,
            "as lwlock-contended-threads, lock in a MAP_SHARED mapping, peer a forked child",
        )
        .timed(PerIter, 1_000_000),
    ]
}

/// Byte sent to ask for a pong.
pub const PING: u8 = 1;
/// Byte (or word value) telling the peer to leave its loop.
pub const STOP: u8 = 0;

/// Sends one PING and waits for the echo.
pub fn byte_round_trip(w: &mut impl Write, r: &mut impl Read) -> io::Result<()> {
    w.write_all(&[PING])?;
    let mut b = [0u8];
    r.read_exact(&mut b)?;
    if b[0] == PING {
        Ok(())
    } else {
        Err(io::Error::other("peer echoed an unexpected byte"))
    }
}

/// Echoes bytes until STOP or end of file.
pub fn byte_echo(r: &mut impl Read, w: &mut impl Write) -> io::Result<()> {
    let mut b = [0u8];
    loop {
        match r.read(&mut b) {
            Ok(0) => return Ok(()),
            Ok(_) if b[0] == STOP => return Ok(()),
            Ok(_) => w.write_all(&b)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Runs `peer` on a second thread pinned to `cores.peer` while the calling
/// thread, pinned to `cores.main`, runs `main`; `main` must make `peer`
/// return (send it a stop) whether or not it succeeds.
pub fn with_peer_thread<R>(
    cores: Cores,
    peer: impl FnOnce() -> io::Result<()> + Send,
    main: impl FnOnce() -> io::Result<R>,
) -> io::Result<R> {
    let _pin = affinity::pin_scoped(cores.main)?;
    std::thread::scope(|s| {
        let h = s.spawn(move || {
            let pinned = cores.peer.map_or(Ok(()), affinity::pin_current);
            let served = peer();
            pinned.and(served)
        });
        let r = main();
        let p = h
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("peer thread panicked")));
        let r = r?;
        p?;
        Ok(r)
    })
}

/// Keeps the result of the timed loop but reports a failed stop/wait too.
pub fn finish(m: io::Result<Measurement>, tail: io::Result<()>) -> io::Result<Measurement> {
    let m = m?;
    tail?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::affinity::CorePair;

    #[test]
    fn row_names_are_unique_and_as_specified() {
        let rows = all();
        let mut names: Vec<_> = rows.iter().map(|r| r.name).collect();
        for required in [
            "mutex-uncontended",
            "thread-condvar-roundtrip",
            "thread-spin-roundtrip",
            "thread-channel-roundtrip",
            "thread-uds-roundtrip",
            "process-uds-roundtrip",
            "process-pipe-roundtrip",
            "process-shm-futex-roundtrip",
            "process-shm-spin-roundtrip",
            "fd-pass-sendfd",
            "fork-exit-wait",
            "thread-spawn-join",
            "lwlock-uncontended",
            "lwlock-contended-threads",
            "lwlock-contended-processes",
        ] {
            assert!(names.contains(&required), "missing row {required}");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rows.len());
    }

    /// Runs every row with a tiny iteration count: each must finish and
    /// produce positive figures.
    #[test]
    fn every_row_runs_and_measures_something() {
        let pair = CorePair::detect().unwrap();
        for spec in all() {
            let ctx = RowCtx {
                plan: Plan {
                    iters: 200,
                    budget: None,
                },
                timing: spec.timing,
                cores: pair.resolve(spec.placement),
            };
            let m = (spec.run)(&ctx).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            assert_eq!(m.ops, 200, "{}", spec.name);
            assert!(m.samples() > 0, "{}", spec.name);
            assert!(m.median_ns() > 0, "{}: median 0", spec.name);
            assert!(m.p99_ns() >= m.median_ns(), "{}", spec.name);
            assert!(m.mean_ns() > 0.0, "{}", spec.name);
        }
    }
}
