//! Rows for pgfork's own buffer-cache lock, `shmem::LWLock`: uncontended,
//! and contended by two threads or two processes (the lock then lives in a
//! MAP_SHARED mapping, as in pgfork's segment).

use std::hint::{black_box, spin_loop};
use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use shmem::lwlock::LockMode;
use shmem::LWLock;

use super::{with_peer_thread, RowCtx};
use crate::affinity;
use crate::child::{fork_child, peer_gone};
use crate::measure::{run_loop, Measurement};
use crate::shm::SharedBox;

/// A lock and the flags that start and stop the second party; each on its
/// own cache lines so the flags do not add to the contention measured.
#[repr(C)]
struct Arena {
    lock: Padded<LWLock>,
    ready: Padded<AtomicU32>,
    stop: Padded<AtomicU32>,
}

#[repr(C, align(128))]
struct Padded<T>(T);

impl Arena {
    fn new() -> Self {
        Arena {
            lock: Padded(LWLock::new()),
            ready: Padded(AtomicU32::new(0)),
            stop: Padded(AtomicU32::new(0)),
        }
    }

    /// The second party: acquire+release in a loop, with the same clock
    /// reads as the measured side so both run at the same cadence, until
    /// told to stop.
    fn hammer(&self) -> io::Result<()> {
        self.ready.0.store(1, Ordering::Release);
        while self.stop.0.load(Ordering::Relaxed) == 0 {
            let t0 = Instant::now();
            self.lock.0.acquire(LockMode::Exclusive);
            self.lock.0.release(LockMode::Exclusive);
            black_box(t0.elapsed());
        }
        Ok(())
    }

    /// Waits until the second party is hammering; `gone` reports its death.
    fn await_ready(&self, mut gone: impl FnMut() -> bool) -> io::Result<()> {
        let mut spins = 0u32;
        while self.ready.0.load(Ordering::Acquire) == 0 {
            spin_loop();
            spins = spins.wrapping_add(1);
            if spins & 0xffff == 0 {
                if gone() {
                    return Err(peer_gone());
                }
                std::thread::yield_now();
            }
        }
        Ok(())
    }

    fn measure(&self, ctx: &RowCtx) -> io::Result<Measurement> {
        let m = run_loop(&ctx.plan, ctx.timing, || {
            self.lock.0.acquire(LockMode::Exclusive);
            self.lock.0.release(LockMode::Exclusive);
            Ok(())
        });
        self.stop.0.store(1, Ordering::Relaxed);
        m
    }
}

/// `lwlock-uncontended`: exclusive acquire+release on one thread.
pub fn uncontended(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let lock = LWLock::new();
    run_loop(&ctx.plan, ctx.timing, || {
        let l = black_box(&lock);
        l.acquire(LockMode::Exclusive);
        l.release(LockMode::Exclusive);
        Ok(())
    })
}

/// `lwlock-contended-threads`: the measuring thread's acquire+release while
/// a second thread does the same on the same lock.
pub fn contended_threads(ctx: &RowCtx) -> io::Result<Measurement> {
    let arena = Arena::new();
    with_peer_thread(
        ctx.cores,
        || arena.hammer(),
        || {
            if let Err(e) = arena.await_ready(|| false) {
                arena.stop.0.store(1, Ordering::Relaxed);
                return Err(e);
            }
            arena.measure(ctx)
        },
    )
}

/// `lwlock-contended-processes`: as above with the lock in a MAP_SHARED
/// anonymous mapping and the second party a forked child.
pub fn contended_processes(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let arena = SharedBox::new(Arena::new())?;
    let mut child = fork_child(ctx.cores.peer, || arena.hammer())?;
    arena.await_ready(|| child.has_exited())?;
    let m = arena.measure(ctx);
    child.wait()?;
    m
}
