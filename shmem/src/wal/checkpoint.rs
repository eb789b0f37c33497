//! Checkpoints: after one completes, recovery needs only the WAL from its
//! redo point on, and older segments are recycled.
//!
//! The order, as PostgreSQL's `CreateCheckPoint`:
//! 1. Under the insertion lock (exclusive), the redo point is the insert
//!    position. From here on a page not yet logged since is logged whole.
//! 2. Wait for every commit between its commit record and its commit-log
//!    update (`Wal::commit_begin`): a commit record before the redo point
//!    must have its status in the commit log written in step 5.
//! 3. Note the next xid and the xids still running: recovery decides
//!    their fate, and that of every later xid, by the commit records it
//!    replays; the commit log decides all others.
//! 4. Write every dirty buffer (the WAL up to each page's LSN first) and
//!    fsync the data files and `base/`.
//! 5. Write the commit log to disk.
//! 6. Insert the checkpoint record and flush the WAL to its end.
//! 7. Write `pg_control` (the checkpoint and its redo point), then recycle
//!    the segments before the redo point.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::files::{ControlFile, DbState};
use super::record::{Cursor, Kind, Record};
use super::{Lsn, Wal, WalError};
use crate::lwlock::LockMode;
use crate::segment::Segment;

/// What a checkpoint did.
#[derive(Debug, Default)]
pub struct CheckpointReport {
    pub redo: Lsn,
    pub lsn: Lsn,
    pub buffers_written: usize,
    pub running_xids: usize,
    pub segments_recycled: usize,
    pub segments_removed: usize,
    pub elapsed_ms: f64,
}

/// A checkpoint record, decoded.
#[derive(Debug, Default, Clone)]
pub struct CheckpointRecord {
    pub redo: Lsn,
    pub next_xid: u32,
    pub running: Vec<u32>,
}

impl CheckpointRecord {
    pub fn parse(payload: &[u8]) -> Option<CheckpointRecord> {
        let mut c = Cursor::new(payload);
        let redo = c.u64()?;
        let next_xid = c.u32()?;
        let n = c.u32()? as usize;
        let running = (0..n).map(|_| c.u32()).collect::<Option<Vec<u32>>>()?;
        Some(CheckpointRecord {
            redo,
            next_xid,
            running,
        })
    }
}

/// Runs a checkpoint (`shutdown`: the last one, with no backend left; the
/// control file then says the cluster was shut down cleanly).
pub fn checkpoint(seg: &Segment, shutdown: bool) -> Result<CheckpointReport, WalError> {
    let dd = seg.data_dir();
    let wal = seg.wal();
    let start = Instant::now();
    let _one = wal.hdr.checkpoint_lock.0.lock(LockMode::Exclusive);
    if !wal.is_logging() {
        return Err(WalError::Corrupt(
            "cannot checkpoint: the WAL is not running".into(),
        ));
    }
    let redo = {
        let _g = wal.hdr.insert_lock.0.lock(LockMode::Exclusive);
        let r = wal.hdr.insert_pos.0.load(Ordering::SeqCst);
        wal.hdr.redo.0.store(r, Ordering::SeqCst);
        r
    };
    wal.wait_for_commits_in_progress();
    let (next_xid, running) = seg.proc_array().running_xids();
    let pool = seg.buffer_pool();
    let buffers_written = pool.checkpoint().map_err(WalError::from)?;
    dd.smgr().fsync_base_dir().map_err(WalError::from)?;
    dd.clog().flush().map_err(|e| match e {
        crate::xact::XactError::Io(io) => WalError::io("could not write the commit log", io),
        e => WalError::Corrupt(e.to_string()),
    })?;
    let mut rec = Record::new(Kind::Checkpoint, 0);
    rec.put_u64(redo)
        .put_u32(next_xid)
        .put_u32(running.len() as u32);
    for &x in &running {
        rec.put_u32(x);
    }
    let (lsn, end) = {
        let _g = wal.hdr.insert_lock.0.lock(LockMode::Shared);
        wal.insert_locked(&mut rec)?
    };
    wal.flush(end)?;
    ControlFile {
        state: if shutdown {
            DbState::ShutDown
        } else {
            DbState::InProduction
        },
        checkpoint: lsn,
        redo,
        next_xid,
        time_us: crate::time::wall_clock_us().max(0) as u64,
    }
    .write(dd.path())?;
    wal.hdr.last_checkpoint.store(lsn, Ordering::Release);
    wal.hdr.stats.checkpoints.fetch_add(1, Ordering::Relaxed);
    let (segments_recycled, segments_removed) = dd.wal_files().recycle_before(redo)?;
    Ok(CheckpointReport {
        redo,
        lsn,
        buffers_written,
        running_xids: running.len(),
        segments_recycled,
        segments_removed,
        elapsed_ms: start.elapsed().as_secs_f64() * 1e3,
    })
}

impl Wal {
    /// Bytes of WAL since the last checkpoint's redo point (the
    /// checkpointer starts one early when this passes `max_wal_size`).
    pub fn since_redo(&self) -> u64 {
        self.insert_pos().saturating_sub(self.redo_ptr())
    }
}
