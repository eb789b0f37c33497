//! Start-up and crash recovery: replays the WAL from the last checkpoint's
//! redo point through the buffer pool, then decides the fate of every
//! transaction the checkpoint could not (PostgreSQL's `StartupXLOG`).
//!
//! Runs in the postmaster with no backend alive: at start-up, and after a
//! crash reset of shared memory.
//!
//! - Page records are applied in order to the page as it is in the data
//!   file (read through the buffer pool; a missing block is added by
//!   extending the file): a whole-page image always, any other record only
//!   if the page's LSN is older than the record's end. Records for a file
//!   that no longer exists are skipped: a later record, already applied to
//!   the disk before the crash, removed it.
//! - File records (create, truncate, drop) are applied as they come.
//! - Commit records set the commit log. Afterwards, every xid that was
//!   running at the checkpoint or was assigned after it, and has no commit
//!   record, is set aborted — whatever the mapped commit log file says.
//! - Replay stops at the first record that is not valid (torn, never
//!   written, or stale from a recycled segment): that is the end of the
//!   WAL. The rest of its segment is zeroed and later segments removed, so
//!   that nothing past it can be taken for a record by a later recovery
//!   (not needed after a clean shutdown: its checkpoint record was the
//!   last thing written).

use std::collections::HashSet;
use std::time::Instant;

use super::checkpoint::CheckpointRecord;
use super::files::{ControlFile, DbState, WalFiles};
use super::pagelog::{page_lsn, PageChange};
use super::record::{crc_ok, parse_header, Cursor, Header, Kind, HEADER_LEN};
use super::{fmt_lsn, Lsn, WalError, FIRST_LSN, SEG_SIZE};
use crate::buffer::{BufferPool, StorageError};
use crate::segment::Segment;
use crate::smgr::Smgr;
use crate::xact::XidStatus;

/// What start-up found and did.
#[derive(Debug, Default)]
pub struct RecoveryReport {
    /// False after a clean shutdown (nothing to replay) or for a new
    /// cluster.
    pub crashed: bool,
    pub new_cluster: bool,
    pub redo: Lsn,
    pub end: Lsn,
    pub records: u64,
    pub page_records: u64,
    /// Page records not applied: the file was dropped later, or the page
    /// already holds the change.
    pub skipped_pages: u64,
    pub commits: u64,
    /// Transactions found running (or begun after the checkpoint) without
    /// a commit record, set aborted.
    pub aborted: u64,
    pub elapsed_ms: f64,
}

/// Reads records in order from a position, a segment at a time.
struct Reader<'a> {
    files: &'a WalFiles,
    seg: u64,
    data: Vec<u8>,
    pos: Lsn,
}

impl<'a> Reader<'a> {
    fn new(files: &'a WalFiles, pos: Lsn) -> Reader<'a> {
        Reader {
            files,
            seg: u64::MAX,
            data: Vec::new(),
            pos,
        }
    }

    /// Copies `out.len()` bytes at `at`; false if the WAL ends before.
    fn read(&mut self, mut at: Lsn, out: &mut [u8]) -> Result<bool, WalError> {
        let mut done = 0;
        while done < out.len() {
            let seg = at / SEG_SIZE;
            if seg != self.seg {
                self.data.resize(SEG_SIZE as usize, 0);
                let n = self.files.read_at(seg * SEG_SIZE, &mut self.data)?;
                self.data.truncate(n);
                self.seg = seg;
            }
            let off = (at % SEG_SIZE) as usize;
            if off >= self.data.len() {
                return Ok(false);
            }
            let n = (out.len() - done).min(self.data.len() - off);
            out[done..done + n].copy_from_slice(&self.data[off..off + n]);
            done += n;
            at += n as u64;
        }
        Ok(true)
    }

    /// The next valid record (header and whole bytes), or `None` at the
    /// end of the WAL.
    fn next(&mut self) -> Result<Option<(Header, Vec<u8>)>, WalError> {
        let mut hb = [0u8; HEADER_LEN];
        if !self.read(self.pos, &mut hb)? {
            return Ok(None);
        }
        let Some(h) = parse_header(&hb, self.pos) else {
            return Ok(None);
        };
        let mut bytes = vec![0u8; h.tot_len];
        if !self.read(self.pos, &mut bytes)? || !crc_ok(&h, &bytes) {
            return Ok(None);
        }
        self.pos += h.tot_len.next_multiple_of(8) as u64;
        Ok(Some((h, bytes)))
    }
}

fn corrupt(at: Lsn, what: &str) -> WalError {
    WalError::Corrupt(format!("invalid {what} record at {}", fmt_lsn(at)))
}

/// Opens the WAL of the segment's data directory for the segment `seg`
/// (created, with the commit log already open): a new cluster gets its
/// first checkpoint; an existing one is recovered. Afterwards the WAL is
/// running; the caller then runs the end-of-recovery checkpoint
/// ([`super::checkpoint`]) if `crashed`.
pub fn startup(seg: &Segment) -> Result<RecoveryReport, WalError> {
    let dd = seg.data_dir();
    let data_dir = dd.path();
    let files = dd.wal_files();
    files.reset()?;
    let wal = seg.wal();
    let start = Instant::now();
    let Some(mut ctl) = ControlFile::read(data_dir)? else {
        files.truncate_after(FIRST_LSN)?;
        wal.start_at(FIRST_LSN, FIRST_LSN);
        return Ok(RecoveryReport {
            new_cluster: true,
            redo: FIRST_LSN,
            end: FIRST_LSN,
            ..Default::default()
        });
    };
    // The checkpoint record that pg_control names must be readable.
    let mut r = Reader::new(files, ctl.checkpoint);
    let ckpt = match r.next()? {
        Some((h, b)) if h.kind == Kind::Checkpoint => CheckpointRecord::parse(&b[HEADER_LEN..])
            .ok_or_else(|| corrupt(ctl.checkpoint, "checkpoint"))?,
        _ => {
            return Err(WalError::Corrupt(format!(
                "could not locate a valid checkpoint record at {}",
                fmt_lsn(ctl.checkpoint)
            )))
        }
    };
    let after_ckpt = r.pos;
    let clean = ctl.state == DbState::ShutDown && r.next()?.is_none();
    let mut rep = RecoveryReport {
        crashed: !clean,
        redo: ctl.redo,
        ..Default::default()
    };
    wal.set_recovery();
    if clean {
        rep.end = after_ckpt;
    } else {
        ctl.state = DbState::InCrashRecovery;
        ctl.write(data_dir)?;
        replay(seg, ctl.redo, &ckpt, &mut rep)?;
    }
    // After a clean shutdown the checkpoint record is the last thing ever
    // written: nothing valid can follow it, and there is nothing to zero.
    if !clean {
        files.truncate_after(rep.end)?;
    }
    wal.start_at(rep.end, ctl.redo);
    rep.elapsed_ms = start.elapsed().as_secs_f64() * 1e3;
    Ok(rep)
}

fn replay(
    seg: &Segment,
    redo: Lsn,
    ckpt: &CheckpointRecord,
    rep: &mut RecoveryReport,
) -> Result<(), WalError> {
    let pool = seg.buffer_pool();
    let smgr = seg.data_dir().smgr();
    let clog = seg.data_dir().clog();
    let mut r = Reader::new(seg.data_dir().wal_files(), redo);
    let mut committed: HashSet<u32> = HashSet::new();
    let mut aborted_rec: HashSet<u32> = HashSet::new();
    while let Some((h, bytes)) = r.next()? {
        let end = r.pos;
        let payload = &bytes[HEADER_LEN..];
        rep.records += 1;
        match h.kind {
            Kind::Page => {
                let ch = PageChange::parse(payload).ok_or_else(|| corrupt(h.lsn, "page"))?;
                rep.page_records += 1;
                if !apply_page(&pool, smgr, &ch, end).map_err(WalError::from)? {
                    rep.skipped_pages += 1;
                }
            }
            Kind::Commit | Kind::Abort => {
                let mut c = Cursor::new(payload);
                let n = c.u32().ok_or_else(|| corrupt(h.lsn, "commit"))? as usize;
                let mut xids = vec![h.xid];
                for _ in 0..n {
                    xids.push(c.u32().ok_or_else(|| corrupt(h.lsn, "commit"))?);
                }
                let (set, st) = if h.kind == Kind::Commit {
                    rep.commits += 1;
                    (&mut committed, XidStatus::Committed)
                } else {
                    (&mut aborted_rec, XidStatus::Aborted)
                };
                for x in xids {
                    set.insert(x);
                    clog.force_status(x, st);
                }
            }
            Kind::Checkpoint => {}
            Kind::SmgrCreate | Kind::SmgrTruncate | Kind::SmgrDrop => {
                let rel = Cursor::new(payload)
                    .u32()
                    .ok_or_else(|| corrupt(h.lsn, "file"))?;
                match h.kind {
                    Kind::SmgrCreate => pool.create_relation(rel),
                    Kind::SmgrTruncate if smgr.exists(rel).map_err(WalError::from)? => {
                        pool.truncate_relation(rel)
                    }
                    Kind::SmgrDrop => pool.drop_relation(rel),
                    _ => Ok(()),
                }
                .map_err(WalError::from)?;
            }
        }
    }
    rep.end = r.pos;
    // Transactions the checkpoint could not decide: running then, or begun
    // since. Without a commit record they did not commit.
    let undecided = ckpt
        .running
        .iter()
        .copied()
        .chain(ckpt.next_xid..clog.next_xid().max(ckpt.next_xid));
    for x in undecided {
        if committed.contains(&x) {
            clog.force_status(x, XidStatus::Committed);
        } else {
            if clog.status(x) != XidStatus::Aborted {
                rep.aborted += 1;
            }
            clog.force_status(x, XidStatus::Aborted);
        }
    }
    Ok(())
}

/// Applies one page record; false if its file no longer exists or the
/// page already holds the change.
fn apply_page(
    pool: &BufferPool,
    smgr: &Smgr,
    ch: &PageChange<'_>,
    end: Lsn,
) -> Result<bool, StorageError> {
    if !smgr.exists(ch.rel)? {
        return Ok(false);
    }
    while pool.nblocks(ch.rel)? <= ch.block {
        drop(pool.extend(ch.rel)?);
    }
    let buf = pool.read(ch.rel, ch.block)?;
    let mut g = buf.write_lock();
    if !ch.is_image() && page_lsn(&g) >= end {
        return Ok(false);
    }
    if ch.apply(&mut g, end).is_none() {
        return Err(StorageError::Wal(WalError::Corrupt(format!(
            "invalid page record ending at {} (or an unregistered page operation)",
            fmt_lsn(end)
        ))));
    }
    Ok(true)
}
