//! The write-ahead log (PostgreSQL's `xlog`): WAL buffers in the segment,
//! concurrent insertion, group commit, the WAL files in `DATADIR/pg_wal`,
//! checkpoints and crash recovery.
//!
//! The WAL is one byte stream; a position in it is an [`Lsn`]. Records are
//! 8-byte aligned, each carries its own position and a CRC (`record.rs`),
//! so reading stops at the first record that is torn, stale (a recycled
//! segment) or never written. The stream lives in 16 MiB segment files
//! (`files.rs`) and, until written there, in a ring of WAL buffers in the
//! shared segment (this file). The rules — what each lock protects, the
//! WAL rule for data pages, the checkpoint interlock — are in
//! `shmem/README.md` ("The write-ahead log").
//!
//! Submodules: `record` (format), `files` (segments, `pg_control`),
//! `pagelog` (page changes logged by the buffer manager's write guards),
//! `checkpoint`, `redo` (recovery).

pub mod checkpoint;
pub mod files;
pub mod pagelog;
pub mod record;
pub mod redo;

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::buffer::layout::Padded;
use crate::lwlock::{LWLock, LockMode};
use crate::segment::{region, Segment, SegmentConfig};
use crate::time::monotonic_ns;

pub use files::{ControlFile, DbState, WalFiles};
pub use record::{Kind, Record};

/// A position in the WAL stream (bytes since its start). 0 is invalid.
pub type Lsn = u64;

/// Size of a WAL segment file.
pub const SEG_SIZE: u64 = 16 << 20;
/// The first record of a new cluster: segment 1 (0 is never used, so that
/// LSN 0 always means "none").
pub const FIRST_LSN: Lsn = SEG_SIZE;
/// The largest record we write or accept (a checkpoint record listing
/// every running xid of 8192 backends with full subtransaction caches).
pub const MAX_RECORD: usize = 4 << 20;

/// PostgreSQL's notation: high and low 32 bits in hex, `0/16B3748`.
pub fn fmt_lsn(l: Lsn) -> String {
    format!("{:X}/{:X}", l >> 32, l as u32)
}

// State 0 (the zeroed region): no WAL opened; nothing is logged.
const STATE_RECOVERY: u32 = 1;
const STATE_RUNNING: u32 = 2;

/// An error of the WAL: its I/O failed (now, or earlier: after a failed
/// write or fsync nothing more is written, as PostgreSQL PANICs then).
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("the write-ahead log failed earlier ({0}); no more changes can be made durable")]
    Failed(String),
    #[error("{0}")]
    Corrupt(String),
}

impl WalError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> WalError {
        WalError::Io {
            what: what.into(),
            source,
        }
    }

    /// The OS error number, if any (ENOSPC → disk full).
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            WalError::Io { source, .. } => source.raw_os_error(),
            WalError::Failed(_) => Some(libc::EIO),
            WalError::Corrupt(_) => None,
        }
    }

    pub fn is_disk_full(&self) -> bool {
        self.raw_os_error() == Some(libc::ENOSPC)
            || matches!(self, WalError::Failed(m) if m.contains("No space left"))
    }
}

impl From<crate::buffer::StorageError> for WalError {
    fn from(e: crate::buffer::StorageError) -> WalError {
        match e {
            crate::buffer::StorageError::Wal(w) => w,
            crate::buffer::StorageError::Io { msg, source, .. } => WalError::io(msg, source),
            e => WalError::Corrupt(e.to_string()),
        }
    }
}

/// Counters of WAL activity (the `pg_stat_wal` view).
#[repr(C)]
#[derive(Default)]
pub struct WalStats {
    pub records: AtomicU64,
    pub fpi: AtomicU64,
    pub bytes: AtomicU64,
    /// Insertions that found the WAL buffers full and wrote them out.
    pub buffers_full: AtomicU64,
    pub writes: AtomicU64,
    pub syncs: AtomicU64,
    pub write_ns: AtomicU64,
    pub sync_ns: AtomicU64,
    pub checkpoints: AtomicU64,
}

/// The region's header.
#[repr(C)]
pub struct WalHeader {
    state: AtomicU32,
    /// Non-zero once a WAL write or fsync failed (the errno).
    failed: AtomicU32,
    ring_size: u64,
    nprogress: u64,
    progress_off: u64,
    delay_off: u64,
    ring_off: u64,
    /// Shared by every insertion (reserve and copy); exclusive by a
    /// checkpoint choosing its redo point.
    insert_lock: Padded<LWLock>,
    /// WALWriteLock: writing the buffers out and fsyncing the files.
    write_lock: Padded<LWLock>,
    /// One checkpoint at a time.
    checkpoint_lock: Padded<LWLock>,
    /// Next byte to reserve.
    insert_pos: Padded<AtomicU64>,
    /// The redo point of the checkpoint in progress or last completed: a
    /// page whose LSN is below it is logged whole at its next change.
    redo: Padded<AtomicU64>,
    /// Everything below is in the files (not necessarily durable).
    written: Padded<AtomicU64>,
    /// Everything below is durable.
    flushed: Padded<AtomicU64>,
    /// Last completed checkpoint record's position.
    pub last_checkpoint: AtomicU64,
    pub stats: WalStats,
}

/// A handle on the WAL region.
#[derive(Clone, Copy)]
pub struct Wal {
    hdr: &'static WalHeader,
    /// The segment's data directory (its `WalFiles` are the segment
    /// files).
    dd: &'static crate::datadir::DataDir,
    progress: *const Padded<AtomicU64>,
    delay: *const Padded<AtomicU32>,
    ring: *mut u8,
}

// SAFETY: the handle addresses the shared segment, whose WAL structures are
// synchronized with atomics and LWLocks.
unsafe impl Send for Wal {}
// SAFETY: as above.
unsafe impl Sync for Wal {}

thread_local! {
    /// This backend's insertion-progress entry (its backend slot); `None`
    /// is the extra entry of the postmaster and helpers without a slot.
    static MY_ENTRY: Cell<Option<usize>> = const { Cell::new(None) };
    /// Where this backend shows what it waits for (its slot's
    /// `wait_event`).
    static WAIT_EVENT: Cell<Option<&'static AtomicU32>> = const { Cell::new(None) };
}

/// Names the backend slot whose insertion-progress entry this thread uses,
/// and where it reports its WAL waits.
pub fn set_my_slot(slot: Option<usize>, wait_event: Option<&'static AtomicU32>) {
    MY_ENTRY.with(|e| e.set(slot));
    WAIT_EVENT.with(|w| w.set(wait_event));
}

/// What a backend waits for in the WAL, as PostgreSQL's wait events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum WaitEvent {
    /// Queued for the WAL write lock (group commit: another backend is
    /// writing or fsyncing). PostgreSQL: LWLock `WALWrite`.
    WriteLock = 1,
    /// Writing the WAL buffers to a segment file. IO `WALWrite`.
    Write = 2,
    /// fdatasync of a segment file. IO `WALSync`.
    Sync = 3,
}

impl WaitEvent {
    /// (wait_event_type, wait_event) of a slot's `wait_event` code.
    pub fn names(code: u32) -> Option<(&'static str, &'static str)> {
        match code {
            1 => Some(("LWLock", "WALWrite")),
            2 => Some(("IO", "WALWrite")),
            3 => Some(("IO", "WALSync")),
            _ => None,
        }
    }
}

fn report_wait(ev: Option<WaitEvent>) {
    WAIT_EVENT.with(|w| {
        if let Some(a) = w.get() {
            a.store(ev.map_or(0, |e| e as u32), Ordering::Relaxed);
        }
    });
}

fn ring_size(cfg: &SegmentConfig) -> usize {
    // As PostgreSQL's wal_buffers = -1: 1/32 of shared_buffers, at least
    // 1 MiB here (room for the largest records), at most one segment.
    (cfg.shared_buffers / 32).clamp(1 << 20, SEG_SIZE as usize) & !4095
}

fn align(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

fn layout(cfg: &SegmentConfig) -> (usize, usize, usize, usize) {
    let n = cfg.max_backends + 1;
    let progress = align(std::mem::size_of::<WalHeader>(), 128);
    let delay = progress + n * std::mem::size_of::<Padded<AtomicU64>>();
    let ring = align(delay + n * std::mem::size_of::<Padded<AtomicU32>>(), 4096);
    (progress, delay, ring, ring + ring_size(cfg))
}

impl Wal {
    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        layout(cfg).3
    }

    /// # Safety
    /// `base` addresses `shmem_size(cfg)` zeroed bytes nothing else uses.
    pub unsafe fn shmem_init(base: *mut u8, cfg: &SegmentConfig) {
        let (progress, delay, ring, _) = layout(cfg);
        let hdr = base as *mut WalHeader;
        // SAFETY: the caller gives us the zeroed region; zero is a valid
        // value of every atomic and lock; we only fill in the geometry.
        unsafe {
            (*hdr).ring_size = ring_size(cfg) as u64;
            (*hdr).nprogress = cfg.max_backends as u64 + 1;
            (*hdr).progress_off = progress as u64;
            (*hdr).delay_off = delay as u64;
            (*hdr).ring_off = ring as u64;
            for i in 0..=cfg.max_backends {
                let p = base.add(progress) as *const Padded<AtomicU64>;
                (*p.add(i)).0.store(u64::MAX, Ordering::Relaxed);
            }
        }
    }

    fn entry_index(&self) -> usize {
        let n = self.hdr.nprogress as usize;
        MY_ENTRY
            .with(|e| e.get())
            .filter(|&i| i + 1 < n)
            .unwrap_or(n - 1)
    }

    fn progress(&self, i: usize) -> &'static AtomicU64 {
        debug_assert!(i < self.hdr.nprogress as usize);
        // SAFETY: `nprogress` entries follow `progress`.
        unsafe { &(*self.progress.add(i)).0 }
    }

    fn delay(&self, i: usize) -> &'static AtomicU32 {
        debug_assert!(i < self.hdr.nprogress as usize);
        // SAFETY: `nprogress` entries follow `delay`.
        unsafe { &(*self.delay.add(i)).0 }
    }

    /// The data directory whose WAL files this WAL writes.
    pub fn data_dir(&self) -> &'static crate::datadir::DataDir {
        self.dd
    }

    pub fn stats(&self) -> &'static WalStats {
        &self.hdr.stats
    }

    /// True while changes must be logged (not before the WAL is opened,
    /// not while recovery replays it).
    #[inline]
    pub fn is_logging(&self) -> bool {
        self.hdr.state.load(Ordering::Relaxed) == STATE_RUNNING
    }

    pub fn in_recovery(&self) -> bool {
        self.hdr.state.load(Ordering::Relaxed) == STATE_RECOVERY
    }

    pub(crate) fn set_recovery(&self) {
        self.hdr.state.store(STATE_RECOVERY, Ordering::Release);
    }

    /// Starts logging at `end` (the end of the valid WAL), with `redo` as
    /// the current redo point.
    pub(crate) fn start_at(&self, end: Lsn, redo: Lsn) {
        self.hdr.insert_pos.0.store(end, Ordering::SeqCst);
        self.hdr.written.0.store(end, Ordering::SeqCst);
        self.hdr.flushed.0.store(end, Ordering::SeqCst);
        self.hdr.redo.0.store(redo, Ordering::SeqCst);
        self.hdr.state.store(STATE_RUNNING, Ordering::Release);
    }

    pub fn insert_pos(&self) -> Lsn {
        self.hdr.insert_pos.0.load(Ordering::Acquire)
    }

    /// Everything below is in the files (PostgreSQL's pg_current_wal_lsn).
    pub fn written(&self) -> Lsn {
        self.hdr.written.0.load(Ordering::Acquire)
    }

    pub fn flushed(&self) -> Lsn {
        self.hdr.flushed.0.load(Ordering::Acquire)
    }

    pub fn redo_ptr(&self) -> Lsn {
        self.hdr.redo.0.load(Ordering::Acquire)
    }

    /// The error that stopped the WAL, if one did.
    pub fn failure(&self) -> Option<WalError> {
        match self.hdr.failed.load(Ordering::Acquire) {
            0 => None,
            e => Some(WalError::Failed(
                std::io::Error::from_raw_os_error(e as i32).to_string(),
            )),
        }
    }

    fn fail(&self, e: &WalError) {
        let code = e.raw_os_error().unwrap_or(libc::EIO).max(1) as u32;
        let _ = self
            .hdr
            .failed
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Inserts one record (header filled by [`Record`]) and returns the
    /// position just past it. The record is in the WAL buffers, not yet on
    /// disk: see [`Wal::flush`].
    pub fn insert(&self, rec: &mut Record) -> Result<Lsn, WalError> {
        let _g = self.hdr.insert_lock.0.lock(LockMode::Shared);
        self.insert_locked(rec).map(|(_, end)| end)
    }

    /// Inserts with the insertion lock already held shared; returns the
    /// record's start and end.
    fn insert_locked(&self, rec: &mut Record) -> Result<(Lsn, Lsn), WalError> {
        if let Some(e) = self.failure() {
            return Err(e);
        }
        let len = rec.aligned_len() as u64;
        if len as usize > MAX_RECORD || len > self.hdr.ring_size / 2 {
            return Err(WalError::Corrupt(format!(
                "WAL record of {len} bytes is too large"
            )));
        }
        let me = self.progress(self.entry_index());
        // Publish a bound below our start before reserving, so that a
        // flusher never passes a reservation whose bytes are not copied.
        me.store(
            self.hdr.insert_pos.0.load(Ordering::SeqCst),
            Ordering::SeqCst,
        );
        let start = self.hdr.insert_pos.0.fetch_add(len, Ordering::SeqCst);
        me.store(start, Ordering::SeqCst);
        let end = start + len;
        rec.seal(start);
        let ring = self.hdr.ring_size;
        if end > self.hdr.written.0.load(Ordering::Acquire) + ring {
            self.hdr.stats.buffers_full.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = self.write_upto(end - ring, false) {
                me.store(u64::MAX, Ordering::Release);
                return Err(e);
            }
        }
        let bytes = rec.bytes();
        let at = (start % ring) as usize;
        let first = bytes.len().min(ring as usize - at);
        // SAFETY: [start, end) is ours alone (reserved above) and its ring
        // bytes were written out (`written >= end - ring`), so nobody reads
        // or writes them until we publish completion below.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ring.add(at), first);
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr().add(first),
                self.ring,
                bytes.len() - first,
            );
            let pad = len as usize - bytes.len();
            let pad_at = ((start + bytes.len() as u64) % ring) as usize;
            std::ptr::write_bytes(self.ring.add(pad_at), 0, pad.min(ring as usize - pad_at));
        }
        me.store(u64::MAX, Ordering::Release);
        let st = &self.hdr.stats;
        st.records.fetch_add(1, Ordering::Relaxed);
        st.bytes.fetch_add(len, Ordering::Relaxed);
        Ok((start, end))
    }

    /// Everything below the returned position is copied into the buffers.
    fn inserted_upto(&self) -> Lsn {
        let mut done = self.hdr.insert_pos.0.load(Ordering::SeqCst);
        for i in 0..self.hdr.nprogress as usize {
            done = done.min(self.progress(i).load(Ordering::SeqCst));
        }
        done
    }

    /// Makes the WAL durable up to `upto` (a record's end): group commit.
    /// Whoever gets the write lock writes and fsyncs everything inserted so
    /// far; the others, waiting on the lock, usually find their record
    /// flushed when they get it.
    pub fn flush(&self, upto: Lsn) -> Result<(), WalError> {
        self.write_upto(upto, true)
    }

    /// Writes (and with `sync`, fsyncs) the WAL up to at least `upto`.
    fn write_upto(&self, upto: Lsn, sync: bool) -> Result<(), WalError> {
        let h = self.hdr;
        let reached = |h: &WalHeader| {
            if sync {
                h.flushed.0.load(Ordering::Acquire) >= upto
            } else {
                h.written.0.load(Ordering::Acquire) >= upto
            }
        };
        let mut spins = 0u32;
        loop {
            if reached(h) {
                return Ok(());
            }
            if let Some(e) = self.failure() {
                return Err(e);
            }
            report_wait(Some(WaitEvent::WriteLock));
            h.write_lock.0.acquire(LockMode::Exclusive);
            let r = if reached(h) {
                Ok(())
            } else {
                self.write_out(sync)
            };
            h.write_lock.0.release(LockMode::Exclusive);
            report_wait(None);
            if let Err(e) = r {
                self.fail(&e);
                return Err(e);
            }
            if reached(h) {
                return Ok(());
            }
            // Insertions below `upto` are still copying their bytes.
            spins += 1;
            if spins > 100 {
                std::thread::sleep(std::time::Duration::from_micros(50));
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Under the write lock: writes every completed insertion out, then
    /// fsyncs if asked.
    fn write_out(&self, sync: bool) -> Result<(), WalError> {
        let h = self.hdr;
        let from = h.written.0.load(Ordering::Acquire);
        let to = self.inserted_upto();
        if to > from {
            report_wait(Some(WaitEvent::Write));
            let start = monotonic_ns();
            let ring = h.ring_size;
            let mut pos = from;
            while pos < to {
                let at = pos % ring;
                let n = (to - pos).min(ring - at).min(SEG_SIZE - pos % SEG_SIZE);
                // SAFETY: [pos, pos + n) is below `inserted_upto`: copied,
                // and not reusable by inserters until `written` passes it.
                let chunk =
                    unsafe { std::slice::from_raw_parts(self.ring.add(at as usize), n as usize) };
                self.dd.wal_files().write(pos, chunk)?;
                pos += n;
            }
            h.written.0.store(to, Ordering::Release);
            h.stats.writes.fetch_add(1, Ordering::Relaxed);
            h.stats
                .write_ns
                .fetch_add(monotonic_ns().saturating_sub(start), Ordering::Relaxed);
        }
        let written = h.written.0.load(Ordering::Acquire);
        let flushed = h.flushed.0.load(Ordering::Acquire);
        if sync && written > flushed {
            report_wait(Some(WaitEvent::Sync));
            let start = monotonic_ns();
            self.dd.wal_files().sync_range(flushed, written)?;
            h.flushed.0.store(written, Ordering::Release);
            h.stats.syncs.fetch_add(1, Ordering::Relaxed);
            h.stats
                .sync_ns
                .fetch_add(monotonic_ns().saturating_sub(start), Ordering::Relaxed);
        }
        Ok(())
    }

    /// The WAL writer's round (synchronous_commit = off): makes everything
    /// inserted so far durable.
    pub fn background_flush(&self) -> Result<(), WalError> {
        if !self.is_logging() {
            return Ok(());
        }
        let target = self.inserted_upto();
        if self.flushed() >= target {
            return Ok(());
        }
        self.flush(target)
    }

    /// Marks the start of a commit's critical section: between inserting
    /// its commit record and setting its status in the commit log, a
    /// checkpoint must not take its snapshot of running transactions
    /// (PostgreSQL's delayChkpt).
    pub fn commit_begin(&self) {
        self.delay(self.entry_index())
            .fetch_add(1, Ordering::SeqCst);
    }

    pub fn commit_end(&self) {
        self.delay(self.entry_index())
            .fetch_add(1, Ordering::SeqCst);
    }

    /// Waits until every commit critical section open now has ended.
    pub(crate) fn wait_for_commits_in_progress(&self) {
        let open: Vec<(usize, u32)> = (0..self.hdr.nprogress as usize)
            .map(|i| (i, self.delay(i).load(Ordering::SeqCst)))
            .filter(|&(_, v)| v & 1 == 1)
            .collect();
        for (i, v) in open {
            while self.delay(i).load(Ordering::SeqCst) == v {
                std::thread::sleep(std::time::Duration::from_micros(100));
            }
        }
    }

    /// Whether backend slot `slot` is inside a commit's critical section
    /// (its commit mark is odd): a checkpoint would wait for it.
    pub fn commit_in_progress(&self, slot: usize) -> bool {
        let n = self.hdr.nprogress as usize;
        let i = if slot + 1 < n { slot } else { n - 1 };
        self.delay(i).load(Ordering::SeqCst) & 1 == 1
    }

    /// Clears what a dead backend left in its entries (the postmaster, for
    /// a backend that died holding nothing shared: it was not inserting).
    pub fn forget_slot(&self, slot: usize) {
        if slot + 1 < self.hdr.nprogress as usize {
            self.progress(slot).store(u64::MAX, Ordering::Release);
            let d = self.delay(slot);
            if d.load(Ordering::Acquire) & 1 == 1 {
                d.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

impl Segment {
    /// The WAL buffers and insertion state of this segment.
    pub fn wal(&self) -> Wal {
        let base = self.region_ptr(region::WAL);
        // SAFETY: the region was laid out by `Wal::shmem_init`, which
        // recorded its parts' offsets; it lives as long as the mapping.
        unsafe {
            let hdr = &*(base as *const WalHeader);
            Wal {
                hdr,
                dd: self.data_dir(),
                progress: base.add(hdr.progress_off as usize) as *const Padded<AtomicU64>,
                delay: base.add(hdr.delay_off as usize) as *const Padded<AtomicU32>,
                ring: base.add(hdr.ring_off as usize),
            }
        }
    }
}
