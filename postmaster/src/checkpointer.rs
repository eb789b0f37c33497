//! The checkpointer: writes dirty shared buffers back to the data files
//! every `--checkpoint-timeout` seconds, as PostgreSQL's checkpointer does,
//! so that the postmaster's loop never does I/O. It runs as a child process
//! in process mode and as a thread in thread mode, with a slot of its own
//! (state `auxiliary`) so that the postmaster can tell, if it dies, whether
//! it held buffer pins or locks. The final checkpoint at shutdown is done
//! by the postmaster itself once every backend is gone.

use std::time::{Duration, Instant};

use shmem::{BackendState, Segment};

/// Runs checkpoints until the slot's terminate bit is set.
pub fn run(segment: Segment, slot: &'static shmem::BackendSlot, every: Duration) {
    slot.set_state(BackendState::Auxiliary, None);
    let pool = segment.buffer_pool();
    loop {
        let next = Instant::now() + every;
        while Instant::now() < next {
            if backend::interrupts::terminate_pending() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100).min(every));
        }
        let start = Instant::now();
        if let Err(e) = shmem::xact::clog::flush() {
            tracing::warn!("could not write the commit log: {e}");
        }
        match pool.checkpoint() {
            Ok(n) => tracing::debug!(
                "checkpoint complete: wrote {n} buffers in {:?}",
                start.elapsed()
            ),
            Err(e) => tracing::warn!("checkpoint failed: {e}"),
        }
    }
}

/// The shutdown checkpoint, by the postmaster after all backends exited.
pub fn final_checkpoint(segment: &Segment) {
    let start = Instant::now();
    if let Err(e) = shmem::xact::clog::flush() {
        tracing::error!("could not write the commit log: {e}");
    }
    match segment.buffer_pool().checkpoint() {
        Ok(n) => tracing::info!(
            "shutdown checkpoint complete: wrote {n} buffers in {:?}",
            start.elapsed()
        ),
        Err(e) => tracing::error!("shutdown checkpoint failed: {e}"),
    }
}
