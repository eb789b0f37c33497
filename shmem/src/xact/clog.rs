//! The commit log (PostgreSQL's `pg_xact`, "clog"): two status bits per
//! transaction id, and the transaction-id counter, in one memory-mapped
//! file, `DATADIR/pg_xact/clog`.
//!
//! The file is the shared status log itself: every process maps it
//! `MAP_SHARED`, so a status stored by one backend is seen at once by every
//! other, forked or thread, and a `kill -9` of the whole server loses
//! nothing the kernel's page cache holds. [`Clog::flush`] writes it to disk (the
//! checkpointer calls it); an OS crash loses statuses set since the last
//! flush, which then read as aborted (never as committed).
//!
//! Layout (all offsets fixed; the file is sparse, only touched pages use
//! memory or disk):
//!
//! | offset | size | what |
//! | --- | --- | --- |
//! | 0 | 8 KiB | header: magic, version, `next_xid`, `xid_limit`, sweep mark, boot id |
//! | 8 KiB | 8192 × 320 B | commit-intent records, one per backend slot (below) |
//! | `DATA_OFF` | 256 MiB | status bits of xids 0 .. 2^30, 32 xids per 64-bit word |
//!
//! Status bits: `00` in progress, `01` committed, `10` aborted (as
//! PostgreSQL's, without its `11` sub-committed). A status changes only
//! from in progress to committed or aborted, with an atomic
//! read-modify-write of the containing word; reading is one atomic load.
//!
//! **Xid allocation persists ahead.** The header's `xid_limit` is a bound
//! that no assigned xid has reached; before handing out an xid at or above
//! it, [`Clog::allocate_xid`] raises it by [`XID_LIMIT_STEP`] and writes the
//! header page to disk synchronously. If the OS crashes, `next_xid` on disk
//! may be stale, but `xid_limit` is not: [`Clog::open`] restarts the counter at
//! `xid_limit` whenever it cannot tell that the page cache survived (the
//! kernel's boot id changed), so no xid is ever handed out twice. The same
//! step also reserves disk blocks (fallocate) for the status words of the
//! next xids, so that storing a status never faults on a full disk.
//!
//! **Commit intents.** A transaction with subtransactions commits several
//! xids, and their status words cannot all change atomically. The top-level
//! xid is set committed first (that store is the commit point); then its
//! subtransaction xids. A backend killed in between would leave committed
//! work half-visible, so before the commit point it writes its list of
//! subtransaction xids to its intent record in this file; whoever resolves
//! a dead backend ([`Clog::open`], [`Clog::abort_in_progress`],
//! `ProcArray::cleanup_backend`) completes the commit if the top-level xid
//! committed and aborts the rest otherwise. This replaces PostgreSQL's
//! sub-committed state and commit WAL record.
//!
//! [`Clog`] is one data directory's mapping, part of the server's
//! [`DataDir`](crate::datadir::DataDir): the postmaster opens it before it
//! forks any backend or starts any thread, and every child inherits it;
//! the proc array handle and the visibility checks reach it from there.
//! One process may hold the logs of several data directories at once
//! (tests do). Mappings are never unmapped, even when their `Clog` is
//! dropped, so a status reference can never dangle.

use std::fs::OpenOptions;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::{
    TransactionId, XactError, XidStatus, BOOTSTRAP_XID, FIRST_NORMAL_XID, FROZEN_XID, INVALID_XID,
};

/// Number of transaction ids the log can hold; xids are `0 .. XID_CAPACITY`.
pub const XID_CAPACITY: u32 = 1 << 30;
/// How far [`Clog::allocate_xid`] raises the persisted `xid_limit` at a time.
pub const XID_LIMIT_STEP: u32 = 65536;
/// Backend slots that get a commit-intent record. A backend whose slot
/// number is higher still commits correctly while it lives, but a kill
/// during the commit of a transaction with subtransactions may then leave
/// its subtransactions aborted.
pub const INTENT_SLOTS: usize = 8192;

/// "PGFXACT\x01"
const CLOG_MAGIC: u64 = 0x0150_4746_5841_4354;
const CLOG_VERSION: u32 = 1;
const HEADER_SIZE: usize = 8192;
const INTENT_OFF: usize = HEADER_SIZE;
const INTENT_SIZE: usize = std::mem::size_of::<CommitIntent>();
const DATA_OFF: usize = INTENT_OFF + INTENT_SLOTS * INTENT_SIZE;
const DATA_LEN: usize = XID_CAPACITY as usize / XIDS_PER_BYTE;
/// Length of the clog file.
pub const FILE_LEN: usize = DATA_OFF + DATA_LEN;
const XIDS_PER_BYTE: usize = 4;
const XIDS_PER_WORD: u32 = 32;
const BOOT_ID_WORDS: usize = 5;

const BITS_IN_PROGRESS: u64 = 0;
const BITS_COMMITTED: u64 = 1;
const BITS_ABORTED: u64 = 2;
/// The low bit of every 2-bit pair.
const PAIR_LOW_BITS: u64 = 0x5555_5555_5555_5555;

/// The header page, at offset 0 of the file.
#[repr(C)]
struct ClogHeader {
    /// [`CLOG_MAGIC`], stored last when the file is created: a file whose
    /// magic is zero was never handed an xid and is initialized afresh.
    magic: AtomicU64,
    version: AtomicU32,
    /// The next xid to assign.
    next_xid: AtomicU32,
    /// No xid at or above this has been assigned; on disk whenever an xid
    /// below it is handed out.
    xid_limit: AtomicU32,
    /// Every xid below this has a final status (set by the sweeps of
    /// `open` and `abort_in_progress`): later sweeps start here.
    final_below: AtomicU32,
    /// One more than the highest intent record ever written.
    intents_used: AtomicU32,
    _pad: u32,
    /// The kernel's boot id when the file was last opened: if it differs at
    /// the next open, the machine rebooted and `next_xid` may be stale.
    boot_id: [AtomicU64; BOOT_ID_WORDS],
}

/// A backend's commit in progress: the top-level xid and the
/// subtransaction xids that commit with it.
#[repr(C, align(64))]
struct CommitIntent {
    /// 0 = no commit in progress. Stored last (release) when written.
    top: AtomicU32,
    nsubxids: AtomicU32,
    subxids: [AtomicU32; super::MAX_CACHED_SUBXIDS],
}

const _: () = assert!(std::mem::size_of::<ClogHeader>() <= HEADER_SIZE);
const _: () = assert!(INTENT_SIZE == 320);
const _: () = assert!(DATA_OFF & 4095 == 0);

/// A view of a mapping. Mappings are never unmapped (no `Clog` unmaps its
/// own on drop, and nothing else does): they live until the process
/// exits, which is what makes the `&'static` references below sound.
#[derive(Clone, Copy)]
struct Map(*mut u8);

impl Map {
    fn header(self) -> &'static ClogHeader {
        // SAFETY: the mapping is FILE_LEN bytes, page-aligned, never
        // unmapped, and starts with the header; every field is an atomic or
        // plain integer, valid for any bit pattern.
        unsafe { &*(self.0 as *const ClogHeader) }
    }

    fn intent(self, slot: usize) -> &'static CommitIntent {
        assert!(slot < INTENT_SLOTS);
        // SAFETY: slot < INTENT_SLOTS, so the record lies inside the intent
        // area of the (never unmapped) mapping, 64-byte aligned; all fields
        // are atomics.
        unsafe { &*(self.0.add(INTENT_OFF + slot * INTENT_SIZE) as *const CommitIntent) }
    }

    /// The status word holding `xid` (< XID_CAPACITY), and the bit shift of
    /// its pair.
    fn word(self, xid: TransactionId) -> (&'static AtomicU64, u32) {
        debug_assert!(xid < XID_CAPACITY);
        let idx = (xid / XIDS_PER_WORD) as usize;
        // SAFETY: idx * 8 < DATA_LEN since xid < XID_CAPACITY, so the word
        // lies inside the status area of the mapping, 8-byte aligned
        // (DATA_OFF is page-aligned); AtomicU64 is valid for any bits.
        let w = unsafe { &*(self.0.add(DATA_OFF + idx * 8) as *const AtomicU64) };
        (w, (xid % XIDS_PER_WORD) * 2)
    }

    fn status(self, xid: TransactionId) -> XidStatus {
        match xid {
            FROZEN_XID => XidStatus::Committed,
            INVALID_XID | BOOTSTRAP_XID => XidStatus::Aborted,
            x if x >= XID_CAPACITY => XidStatus::Aborted,
            x => {
                let (w, shift) = self.word(x);
                decode((w.load(Ordering::Acquire) >> shift) & 3)
            }
        }
    }

    fn set_if_in_progress(self, xid: TransactionId, s: XidStatus) -> bool {
        if !(FIRST_NORMAL_XID..XID_CAPACITY).contains(&xid) {
            return false;
        }
        let (w, shift) = self.word(xid);
        let mask = 3u64 << shift;
        let bits = encode(s) << shift;
        w.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
            (v & mask == 0).then_some(v | bits)
        })
        .is_ok()
    }

    fn sync(self, len: usize) -> std::io::Result<()> {
        // SAFETY: [base, base + len) lies within the mapping (len <=
        // FILE_LEN); msync does not touch memory we own otherwise.
        let r = unsafe { libc::msync(self.0 as *mut libc::c_void, len, libc::MS_SYNC) };
        if r == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

fn decode(bits: u64) -> XidStatus {
    match bits {
        BITS_IN_PROGRESS => XidStatus::InProgress,
        BITS_COMMITTED => XidStatus::Committed,
        // `11` is never written; read it as aborted (not visible).
        _ => XidStatus::Aborted,
    }
}

fn encode(s: XidStatus) -> u64 {
    match s {
        XidStatus::InProgress => BITS_IN_PROGRESS,
        XidStatus::Committed => BITS_COMMITTED,
        XidStatus::Aborted => BITS_ABORTED,
    }
}

fn clog_path(dir: &Path) -> PathBuf {
    dir.join("pg_xact").join("clog")
}

/// Reserves disk blocks for `[off, off + len)` of the file, so that later
/// stores through the mapping cannot fault for lack of space. A file system
/// without fallocate is left sparse.
fn reserve(fd: i32, off: usize, len: usize) -> std::io::Result<()> {
    // SAFETY: fallocate with mode 0 only allocates blocks of our own file
    // descriptor; it never shrinks the file (the range lies within it).
    let r = unsafe { libc::fallocate(fd, 0, off as libc::off_t, len as libc::off_t) };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => Ok(()),
        _ => Err(e),
    }
}

/// Reserves the status words of xids `[from, to)`.
fn reserve_xids(fd: i32, from: u32, to: u32) -> std::io::Result<()> {
    let start = DATA_OFF + (from as usize / XIDS_PER_BYTE) / 4096 * 4096;
    let end = DATA_OFF + (to as usize).div_ceil(XIDS_PER_BYTE);
    reserve(fd, start, end.max(start) - start)
}

fn read_boot_id() -> Option<[u64; BOOT_ID_WORDS]> {
    let s = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let s = s.trim().as_bytes();
    if s.is_empty() || s.len() > BOOT_ID_WORDS * 8 {
        return None;
    }
    let mut bytes = [0u8; BOOT_ID_WORDS * 8];
    bytes[..s.len()].copy_from_slice(s);
    let mut w = [0u64; BOOT_ID_WORDS];
    for (i, c) in bytes.chunks(8).enumerate() {
        w[i] = u64::from_le_bytes(c.try_into().unwrap());
    }
    Some(w)
}

/// The commit log of one data directory: its mapping, as this process
/// sees it. Part of the server's [`DataDir`](crate::datadir::DataDir)
/// (tests of this module open one on their own).
///
/// Every method is lock-free and works the same in every process that
/// inherited the mapping (forked children) and every thread.
pub struct Clog {
    /// The mapping: [`FILE_LEN`] bytes, never unmapped (see [`Map`]).
    map: Map,
    /// The file's descriptor, for fallocate; never closed.
    fd: i32,
    /// `DATADIR/pg_xact/clog` (canonical), for error messages.
    path: PathBuf,
}

// SAFETY: the mapping is shared memory reached only through atomics (Map's
// accessors); `fd` and `path` are never changed after `open`.
unsafe impl Send for Clog {}
// SAFETY: as above.
unsafe impl Sync for Clog {}

impl Clog {
    /// Maps (creating if needed) `DATA_DIR/pg_xact/clog`.
    ///
    /// At open no backend runs: commits cut short are completed (commit
    /// intents), and every xid in `[FIRST_NORMAL_XID, next_xid)` still in
    /// progress is set aborted. If the machine rebooted since the last open,
    /// the counter restarts at the persisted `xid_limit`.
    ///
    /// The postmaster opens it (through `DataDir::open`) before the segment
    /// is created (the proc array starts from the counter) and before it
    /// forks any backend or starts any thread. Opening a directory whose
    /// log another `Clog` of a live server uses would abort that server's
    /// running transactions: one server per data directory (its lock file
    /// sees to it); a second `Clog` on the same file is a restart.
    pub(crate) fn open(data_dir: &Path) -> Result<Clog, XactError> {
        let xact_dir = data_dir.join("pg_xact");
        // Owner-only, as everything in the data directory (PostgreSQL's
        // pg_dir_create_mode / pg_file_create_mode).
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&xact_dir)
            .map_err(|e| XactError::io("create directory", &xact_dir, e))?;
        let canon = std::fs::canonicalize(data_dir)
            .map_err(|e| XactError::io("resolve directory", data_dir, e))?;
        let path = clog_path(&canon);
        let (map, fd) = map_file(&path)?;
        recover(map, fd, &path)?;
        Ok(Clog { map, fd, path })
    }

    /// The status of `xid`: [`FROZEN_XID`] is committed, [`INVALID_XID`] and
    /// [`BOOTSTRAP_XID`] aborted, as is any xid beyond the log's capacity.
    /// Lock-free: one atomic load (after the load of the mapping's address
    /// from `self`).
    ///
    /// An xid reads `InProgress` while its transaction runs — and also, for a
    /// moment, between its top-level xid's commit and the commit of its
    /// subtransaction xids; it is then still in its backend's proc-array entry,
    /// so snapshots count it as running and lock waits wait for it.
    #[inline]
    pub fn status(&self, xid: TransactionId) -> XidStatus {
        if xid < FIRST_NORMAL_XID {
            return if xid == FROZEN_XID {
                XidStatus::Committed
            } else {
                XidStatus::Aborted
            };
        }
        self.map.status(xid)
    }

    /// Sets the status of `xid`. Statuses only go from in progress to committed
    /// or aborted; the transaction machinery ([`super::ProcArray`]) is the
    /// only caller outside tests. Special xids are ignored.
    pub fn set_status(&self, xid: TransactionId, s: XidStatus) {
        if !(FIRST_NORMAL_XID..XID_CAPACITY).contains(&xid) {
            debug_assert!(false, "set_status of special xid {xid}");
            return;
        }
        let (w, shift) = self.map.word(xid);
        let mask = 3u64 << shift;
        let bits = encode(s) << shift;
        if bits == 0 {
            w.fetch_and(!mask, Ordering::AcqRel);
            return;
        }
        let prev = w.fetch_or(bits, Ordering::AcqRel);
        if prev & mask != 0 && prev & mask != bits {
            debug_assert!(false, "xid {xid} changes from one final status to another");
            let _ = w.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                Some((v & !mask) | bits)
            });
        }
    }

    /// Sets `xid` to `s` if it is still in progress; returns whether it was.
    pub(crate) fn set_status_if_in_progress(&self, xid: TransactionId, s: XidStatus) -> bool {
        self.map.set_if_in_progress(xid, s)
    }

    /// The next xid to be assigned. Every xid below it has been handed out.
    pub fn next_xid(&self) -> TransactionId {
        self.map.header().next_xid.load(Ordering::Acquire)
    }

    /// The persisted bound on assigned xids (see the module comment).
    pub fn xid_limit(&self) -> TransactionId {
        self.map.header().xid_limit.load(Ordering::Acquire)
    }

    /// Hands out the next xid, first raising (and writing to disk) the
    /// persisted limit if the xid would reach it.
    ///
    /// The caller holds the proc array's XidGenLock exclusively and stores the
    /// xid in its entry before releasing it. (The counter is advanced by
    /// compare-and-swap all the same, so xids stay unique even across two
    /// segments sharing one log, as tests do.)
    pub(crate) fn allocate_xid(&self) -> Result<TransactionId, XactError> {
        let h = self.map.header();
        loop {
            let x = h.next_xid.load(Ordering::Acquire);
            if x >= XID_CAPACITY {
                return Err(XactError::XidsExhausted);
            }
            let limit = h.xid_limit.load(Ordering::Acquire);
            if x >= limit {
                self.raise_limit(limit, x)?;
                continue;
            }
            if h.next_xid
                .compare_exchange(x, x + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Ok(x);
            }
        }
    }

    /// Raises `xid_limit` from `old` past `x`, reserving the status words of
    /// the new range and writing the header page to disk before returning.
    fn raise_limit(&self, old: u32, x: u32) -> Result<(), XactError> {
        let h = self.map.header();
        let new = x.saturating_add(XID_LIMIT_STEP).min(XID_CAPACITY);
        reserve_xids(self.fd, x, new).map_err(|e| XactError::io("extend file", &self.path, e))?;
        if h.xid_limit
            .compare_exchange(old, new, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Ok(()); // somebody else raised it meanwhile
        }
        if let Err(e) = self.map.sync(HEADER_SIZE) {
            // Not durable: take it back so the next allocation tries again.
            let _ = h
                .xid_limit
                .compare_exchange(new, old, Ordering::AcqRel, Ordering::Acquire);
            return Err(XactError::io("write file", &self.path, e));
        }
        Ok(())
    }

    /// Recovery only: sets the status of `xid` whatever it was. The WAL, not
    /// the mapped file, decides the fate of transactions that were running at
    /// the last checkpoint or began after it: the kernel may have written a
    /// status to the file whose commit record never reached the WAL.
    pub fn force_status(&self, xid: TransactionId, s: XidStatus) {
        if !(FIRST_NORMAL_XID..XID_CAPACITY).contains(&xid) {
            return;
        }
        let (word, shift) = self.map.word(xid);
        let _ = word.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
            Some(v & !(3u64 << shift) | encode(s) << shift)
        });
    }

    /// Writes the whole log to disk (msync). The checkpointer calls it.
    pub fn flush(&self) -> Result<(), XactError> {
        self.map
            .sync(FILE_LEN)
            .map_err(|e| XactError::io("write file", &self.path, e))
    }

    /// After the postmaster's crash reset (no backend alive): completes or
    /// aborts the commits cut short, and sets every xid below `next_xid` still
    /// in progress aborted. Call it before starting new backends.
    pub fn abort_in_progress(&self) {
        resolve_dead(self.map);
    }

    /// Commits `top` with its subtransactions `subxids` (the commit point is
    /// the top-level xid's status; the subtransaction xids follow, protected
    /// by `slot`'s commit-intent record, see the module comment).
    pub(crate) fn commit_tree(&self, slot: usize, top: TransactionId, subxids: &[TransactionId]) {
        let map = self.map;
        let intent = (!subxids.is_empty()
            && slot < INTENT_SLOTS
            && subxids.len() <= super::MAX_CACHED_SUBXIDS)
            .then(|| map.intent(slot));
        if intent.is_some() {
            write_intent_in(map, slot, top, subxids);
        }
        self.set_status(top, XidStatus::Committed);
        for &x in subxids {
            self.set_status(x, XidStatus::Committed);
        }
        if let Some(rec) = intent {
            rec.top.store(0, Ordering::Release);
        }
    }

    /// For a backend in `slot` that died (or a crash): if its commit intent
    /// names a top-level xid, completes the commit of its subtransaction xids
    /// if that xid committed, else aborts them (and it); clears the record.
    pub(crate) fn resolve_intent(&self, slot: usize) {
        if slot < INTENT_SLOTS {
            resolve_intent_in(self.map, slot);
        }
    }
}

/// Opens, validates (or initializes) and maps the file.
fn map_file(path: &Path) -> Result<(Map, i32), XactError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| XactError::io("open file", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| XactError::io("stat file", path, e))?
        .len();
    if len != 0 && len != FILE_LEN as u64 {
        return Err(XactError::io(
            "use file",
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("size is {len} bytes, expected {FILE_LEN}"),
            ),
        ));
    }
    if len == 0 {
        file.set_len(FILE_LEN as u64)
            .map_err(|e| XactError::io("extend file", path, e))?;
    }
    let fd = file.as_raw_fd();
    // The header and the intent records are written from the start.
    reserve(fd, 0, DATA_OFF).map_err(|e| XactError::io("extend file", path, e))?;
    // SAFETY: a fresh shared mapping of FILE_LEN bytes of a file that is
    // exactly that long; no Rust reference aliases it yet.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            FILE_LEN,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(XactError::io(
            "map file",
            path,
            std::io::Error::last_os_error(),
        ));
    }
    let map = Map(base as *mut u8);
    if let Err(e) = init_or_check(map, fd, path) {
        // SAFETY: nothing references the mapping yet: it was never
        // published.
        unsafe { libc::munmap(base, FILE_LEN) };
        return Err(e);
    }
    // The mapping keeps the file open; the descriptor stays for fallocate.
    Ok((map, file.into_raw_fd()))
}

/// Initializes a new file's header, or checks an existing one.
fn init_or_check(map: Map, fd: i32, path: &Path) -> Result<(), XactError> {
    let h = map.header();
    let magic = h.magic.load(Ordering::Acquire);
    if magic == 0 {
        // New (or created by an open that never finished: no xid was ever
        // handed out from it).
        let first_limit = FIRST_NORMAL_XID + XID_LIMIT_STEP;
        reserve_xids(fd, 0, first_limit).map_err(|e| XactError::io("extend file", path, e))?;
        h.version.store(CLOG_VERSION, Ordering::Relaxed);
        h.next_xid.store(FIRST_NORMAL_XID, Ordering::Relaxed);
        h.xid_limit.store(first_limit, Ordering::Relaxed);
        h.final_below.store(FIRST_NORMAL_XID, Ordering::Relaxed);
        h.intents_used.store(0, Ordering::Relaxed);
        store_boot_id(h);
        map.sync(HEADER_SIZE)
            .map_err(|e| XactError::io("write file", path, e))?;
        h.magic.store(CLOG_MAGIC, Ordering::Release);
        map.sync(HEADER_SIZE)
            .map_err(|e| XactError::io("write file", path, e))?;
    } else if magic != CLOG_MAGIC || h.version.load(Ordering::Relaxed) != CLOG_VERSION {
        return Err(XactError::io(
            "use file",
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a pgfork transaction status file of this version",
            ),
        ));
    }
    Ok(())
}

fn store_boot_id(h: &ClogHeader) {
    let id = read_boot_id().unwrap_or_default();
    for (w, v) in h.boot_id.iter().zip(id) {
        w.store(v, Ordering::Relaxed);
    }
}

/// Startup recovery of a mapping nobody else uses yet.
fn recover(map: Map, fd: i32, path: &Path) -> Result<(), XactError> {
    let h = map.header();
    let stored: Vec<u64> = h
        .boot_id
        .iter()
        .map(|w| w.load(Ordering::Relaxed))
        .collect();
    let same_boot = read_boot_id().is_some_and(|id| id[..] == stored[..]);
    if !same_boot {
        // The page cache may not have survived: next_xid on disk may be
        // older than xids handed out before the crash. None reached
        // xid_limit.
        let limit = h.xid_limit.load(Ordering::Relaxed);
        if h.next_xid.load(Ordering::Relaxed) < limit {
            h.next_xid.store(limit, Ordering::Relaxed);
        }
        store_boot_id(h);
        // The status words up to the limit were reserved before the crash;
        // make sure of it (the reservation is idempotent).
        let from = h.final_below.load(Ordering::Relaxed).min(limit);
        reserve_xids(fd, from, limit).map_err(|e| XactError::io("extend file", path, e))?;
    }
    resolve_dead(map);
    Ok(())
}

/// With no backend running: completes or aborts every recorded commit
/// intent, then sets every xid below `next_xid` still in progress aborted.
fn resolve_dead(map: Map) {
    let h = map.header();
    let used = (h.intents_used.load(Ordering::Acquire) as usize).min(INTENT_SLOTS);
    for slot in 0..used {
        resolve_intent_in(map, slot);
    }
    let next = h.next_xid.load(Ordering::Acquire);
    let from = h.final_below.load(Ordering::Acquire).max(FIRST_NORMAL_XID);
    if from < next {
        abort_range(map, from, next);
    }
    h.final_below
        .store(next.max(FIRST_NORMAL_XID), Ordering::Release);
}

/// Sets every xid in `[lo, hi)` still in progress aborted, a word at a time.
fn abort_range(map: Map, lo: u32, hi: u32) {
    let mut w = lo / XIDS_PER_WORD;
    while w * XIDS_PER_WORD < hi {
        let base = w * XIDS_PER_WORD;
        let first = lo.max(base) - base;
        let last = hi.min(base + XIDS_PER_WORD) - base;
        let upto = if last == XIDS_PER_WORD {
            u64::MAX
        } else {
            (1u64 << (2 * last)) - 1
        };
        let mask = PAIR_LOW_BITS & upto & !((1u64 << (2 * first)) - 1);
        let (word, _) = map.word(base);
        let _ = word.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
            // Low bit of every in-progress (00) pair in range.
            let idle = !(v | (v >> 1)) & mask;
            (idle != 0).then_some(v | (idle << 1))
        });
        w += 1;
    }
}

/// Fills `slot`'s commit-intent record, `top` stored last.
fn write_intent_in(map: Map, slot: usize, top: TransactionId, subxids: &[TransactionId]) {
    let rec = map.intent(slot);
    for (w, &x) in rec.subxids.iter().zip(subxids) {
        w.store(x, Ordering::Relaxed);
    }
    rec.nsubxids.store(subxids.len() as u32, Ordering::Relaxed);
    map.header()
        .intents_used
        .fetch_max(slot as u32 + 1, Ordering::AcqRel);
    rec.top.store(top, Ordering::Release);
}

fn resolve_intent_in(map: Map, slot: usize) {
    let rec = map.intent(slot);
    let top = rec.top.load(Ordering::Acquire);
    if top == 0 {
        return;
    }
    let n = (rec.nsubxids.load(Ordering::Relaxed) as usize).min(rec.subxids.len());
    let outcome = if map.status(top) == XidStatus::Committed {
        XidStatus::Committed
    } else {
        map.set_if_in_progress(top, XidStatus::Aborted);
        XidStatus::Aborted
    };
    for w in &rec.subxids[..n] {
        map.set_if_in_progress(w.load(Ordering::Relaxed), outcome);
    }
    rec.top.store(0, Ordering::Release);
}

#[cfg(test)]
impl Clog {
    // Hooks for unit tests: simulate what a crash would leave behind.

    /// Sets the in-memory counter (as a stale page on disk would).
    pub(crate) fn set_next_xid(&self, x: u32) {
        self.map.header().next_xid.store(x, Ordering::Release);
    }

    /// Makes the next open believe the machine rebooted.
    pub(crate) fn forget_boot_id(&self) {
        for w in &self.map.header().boot_id {
            w.store(0, Ordering::Relaxed);
        }
    }

    /// Writes a commit intent as a backend about to commit would.
    pub(crate) fn write_intent(&self, slot: usize, top: u32, subxids: &[u32]) {
        write_intent_in(self.map, slot, top, subxids);
    }

    pub(crate) fn intent_top(&self, slot: usize) -> u32 {
        self.map.intent(slot).top.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xact::test_support::fresh_clog;

    fn alloc_n(c: &Clog, n: usize) -> Vec<u32> {
        (0..n).map(|_| c.allocate_xid().unwrap()).collect()
    }

    #[test]
    fn special_xids() {
        let c = fresh_clog();
        assert_eq!(c.status(INVALID_XID), XidStatus::Aborted);
        assert_eq!(c.status(BOOTSTRAP_XID), XidStatus::Aborted);
        assert_eq!(c.status(FROZEN_XID), XidStatus::Committed);
        assert_eq!(c.status(XID_CAPACITY), XidStatus::Aborted);
        assert_eq!(c.status(u32::MAX), XidStatus::Aborted);
        assert_eq!(c.next_xid(), FIRST_NORMAL_XID);
        assert_eq!(c.allocate_xid().unwrap(), FIRST_NORMAL_XID);
        assert_eq!(c.status(FIRST_NORMAL_XID), XidStatus::InProgress);
    }

    #[test]
    fn status_bits_roundtrip_across_words() {
        let c = fresh_clog();
        let xids = alloc_n(&c, 300);
        let want = |x: u32| match x % 3 {
            0 => XidStatus::Committed,
            1 => XidStatus::Aborted,
            _ => XidStatus::InProgress,
        };
        for &x in &xids {
            c.set_status(x, want(x));
        }
        for &x in &xids {
            assert_eq!(c.status(x), want(x), "xid {x}");
        }
        // Far xids, at word and page edges, and the last one.
        for x in [
            4095u32,
            4096,
            32767,
            32768,
            XID_CAPACITY - 33,
            XID_CAPACITY - 32,
            XID_CAPACITY - 1,
        ] {
            let before = c.status(x - 1);
            let after = (x + 1 < XID_CAPACITY).then(|| c.status(x + 1));
            assert_eq!(c.status(x), XidStatus::InProgress);
            c.set_status(x, XidStatus::Committed);
            assert_eq!(c.status(x), XidStatus::Committed);
            assert_eq!(c.status(x - 1), before, "neighbour of {x}");
            assert_eq!((x + 1 < XID_CAPACITY).then(|| c.status(x + 1)), after);
        }
        assert_eq!(c.status(1000), XidStatus::InProgress);
        assert!(c.set_status_if_in_progress(1000, XidStatus::Aborted));
        assert!(!c.set_status_if_in_progress(1000, XidStatus::Committed));
        assert_eq!(c.status(1000), XidStatus::Aborted);
        assert_eq!(c.status(XID_CAPACITY - 2), XidStatus::InProgress);
    }

    #[test]
    fn statuses_persist_and_unfinished_xids_abort_at_open() {
        let c = fresh_clog();
        let xids = alloc_n(&c, 100);
        for &x in &xids[..60] {
            c.set_status(
                x,
                if x % 2 == 0 {
                    XidStatus::Committed
                } else {
                    XidStatus::Aborted
                },
            );
        }
        c.flush().unwrap();
        let next = c.next_xid();
        let c = c.reopen();
        assert_eq!(c.next_xid(), next, "same boot: the counter is kept");
        for &x in &xids[..60] {
            let want = if x % 2 == 0 {
                XidStatus::Committed
            } else {
                XidStatus::Aborted
            };
            assert_eq!(c.status(x), want, "xid {x}");
        }
        for &x in &xids[60..] {
            assert_eq!(c.status(x), XidStatus::Aborted, "unfinished xid {x}");
        }
        // Not yet assigned: untouched.
        assert_eq!(c.status(next), XidStatus::InProgress);
        // A second restart, with nothing run in between, changes nothing.
        let c = c.reopen();
        assert_eq!(c.next_xid(), next);
    }

    #[test]
    fn xid_limit_persists_and_survives_a_reboot() {
        let c = fresh_clog();
        let limit0 = c.xid_limit();
        assert_eq!(limit0, FIRST_NORMAL_XID + XID_LIMIT_STEP);
        // Cross the first limit: it is raised ahead of the xid handed out.
        c.set_next_xid(limit0 - 2);
        let xs = alloc_n(&c, 4);
        assert_eq!(xs, vec![limit0 - 2, limit0 - 1, limit0, limit0 + 1]);
        let limit1 = c.xid_limit();
        assert_eq!(limit1, limit0 + XID_LIMIT_STEP);
        for &x in &xs[..2] {
            c.set_status(x, XidStatus::Committed);
        }
        // An OS crash: the page on disk had an older next_xid.
        c.set_next_xid(limit0 - 1);
        c.forget_boot_id();
        let c = c.reopen();
        assert_eq!(c.next_xid(), limit1, "restarts at the persisted limit");
        let x = c.allocate_xid().unwrap();
        assert!(x > xs[3], "no xid is reused");
        assert_eq!(c.status(xs[0]), XidStatus::Committed);
        assert_eq!(c.status(xs[3]), XidStatus::Aborted);
        assert_eq!(c.status(limit1 - 1), XidStatus::Aborted);
        assert!(c.xid_limit() > x);
    }

    #[test]
    fn xids_run_out() {
        let c = fresh_clog();
        c.set_next_xid(XID_CAPACITY - 2);
        assert_eq!(c.allocate_xid().unwrap(), XID_CAPACITY - 2);
        assert_eq!(c.allocate_xid().unwrap(), XID_CAPACITY - 1);
        assert!(matches!(c.allocate_xid(), Err(XactError::XidsExhausted)));
        assert!(matches!(c.allocate_xid(), Err(XactError::XidsExhausted)));
        assert_eq!(c.xid_limit(), XID_CAPACITY);
    }

    #[test]
    fn commit_intents_are_completed_at_open() {
        let c = fresh_clog();
        let xs = alloc_n(&c, 6);
        // Slot 3 died right after its commit point, slot 5 just before it.
        c.write_intent(3, xs[0], &xs[1..3]);
        c.set_status(xs[0], XidStatus::Committed);
        c.write_intent(5, xs[3], &xs[4..6]);
        let c = c.reopen();
        assert_eq!(c.status(xs[0]), XidStatus::Committed);
        assert_eq!(c.status(xs[1]), XidStatus::Committed);
        assert_eq!(c.status(xs[2]), XidStatus::Committed);
        for &x in &xs[3..] {
            assert_eq!(c.status(x), XidStatus::Aborted);
        }
        assert_eq!(c.intent_top(3), 0);
        assert_eq!(c.intent_top(5), 0);
    }

    #[test]
    fn commit_tree_leaves_no_intent() {
        let c = fresh_clog();
        let xs = alloc_n(&c, 3);
        c.commit_tree(7, xs[0], &xs[1..]);
        assert!(xs.iter().all(|&x| c.status(x) == XidStatus::Committed));
        assert_eq!(c.intent_top(7), 0);
    }

    #[test]
    fn a_foreign_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("pg_xact")).unwrap();
        std::fs::write(d.path().join("pg_xact/clog"), b"not a clog").unwrap();
        let e = Clog::open(d.path()).err().unwrap();
        assert!(e.to_string().contains("pg_xact/clog"), "{e}");
    }
}
