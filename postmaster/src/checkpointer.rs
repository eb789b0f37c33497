//! The checkpointer, which is also the WAL writer: it runs a checkpoint
//! (`shmem::wal::checkpoint`) every `--checkpoint-timeout` seconds, or
//! sooner when `--max-wal-size` bytes of WAL have been written since the
//! last one, and every 100 ms makes the WAL inserted so far durable (what
//! commits with `synchronous_commit = off` rely on) and creates the next
//! WAL segment ahead of need — as PostgreSQL's checkpointer and walwriter
//! do, so that the postmaster's loop never does I/O. It runs as a child
//! process in process mode and as a thread in thread mode, with a slot of
//! its own (state `auxiliary`) so that the postmaster can tell, if it dies,
//! whether it held buffer pins or locks. The shutdown checkpoint is done by
//! the postmaster itself once every backend is gone.

use std::time::{Duration, Instant};

use shmem::wal::checkpoint;
use shmem::{BackendState, Segment};

/// When the checkpointer acts.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub every: Duration,
    pub max_wal_size: u64,
}

/// The WAL writer's period (PostgreSQL's wal_writer_delay is 200 ms).
const WAL_WRITER_DELAY: Duration = Duration::from_millis(100);

/// Runs checkpoints until the slot's terminate bit is set.
pub fn run(segment: Segment, slot: &'static shmem::BackendSlot, s: Schedule) {
    slot.set_state(BackendState::Auxiliary, None);
    let wal = segment.wal();
    let mut next = Instant::now() + s.every;
    // After a failed attempt to create the next segment (a full disk), do
    // not fill the disk again with a zeroed file every round.
    let mut prepare_after = Instant::now();
    loop {
        if backend::interrupts::terminate_pending() {
            return;
        }
        std::thread::sleep(WAL_WRITER_DELAY.min(s.every));
        if wal.failure().is_some() {
            continue;
        }
        if let Err(e) = wal.background_flush() {
            tracing::error!("could not flush the WAL: {e}");
            continue;
        }
        if Instant::now() >= prepare_after {
            if let Err(e) = segment
                .data_dir()
                .wal_files()
                .prepare_next(wal.insert_pos())
            {
                tracing::warn!("could not create the next WAL segment ahead of need: {e}");
                prepare_after = Instant::now() + Duration::from_secs(10);
            }
        }
        let by_size = wal.since_redo() > s.max_wal_size;
        if Instant::now() < next && !by_size {
            continue;
        }
        next = Instant::now() + s.every;
        match checkpoint::checkpoint(&segment, false) {
            Ok(r) => tracing::debug!(
                "checkpoint complete ({}): wrote {} buffers in {:.0} ms; redo {}, {} WAL segments recycled, {} removed",
                if by_size { "wal" } else { "time" },
                r.buffers_written,
                r.elapsed_ms,
                shmem::wal::fmt_lsn(r.redo),
                r.segments_recycled,
                r.segments_removed
            ),
            Err(e) => tracing::warn!("checkpoint failed: {e}"),
        }
    }
}

/// The shutdown checkpoint, by the postmaster after all backends exited.
/// Not after the WAL failed: pages whose changes could not be logged must
/// not reach the data files; the next start recovers from the last good
/// checkpoint instead.
pub fn final_checkpoint(segment: &Segment) {
    if let Some(e) = segment.wal().failure() {
        tracing::error!("no shutdown checkpoint: {e}; the next start will recover from the WAL");
        return;
    }
    match checkpoint::checkpoint(segment, true) {
        Ok(r) => tracing::info!(
            "shutdown checkpoint complete: wrote {} buffers in {:.0} ms",
            r.buffers_written,
            r.elapsed_ms
        ),
        Err(e) => tracing::error!("shutdown checkpoint failed: {e}"),
    }
}
