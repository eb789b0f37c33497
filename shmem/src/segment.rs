//! The shared-memory segment: creation, layout and removal.
//!
//! The postmaster creates one POSIX shared-memory object per server, named
//! after the port (`/pgfork.PORT`, mode 0600), before it starts any backend.
//! The segment begins with a [`ShmemHeader`]; every other structure is a
//! *region* at an offset the header records. Regions are listed once, in
//! [`REGIONS`]: each says how large it is for a configuration and how to
//! initialize its bytes. To add a structure to shared memory, add a line
//! there.
//!
//! [`Segment`] is a plain handle (base address and length) that can be
//! copied into forked children and threads; [`SegmentOwner`] belongs to the
//! postmaster alone and unlinks the object when the server exits. A child
//! process never drops the owner: it leaves through `exit`, which runs no
//! destructors of the postmaster's stack.

use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};

use crate::backend_table::BackendTable;
use crate::datadir::DataDir;
use crate::lwlock::LWLock;

/// Identifies a pgfork segment ("PGFORKSH").
pub const SHMEM_MAGIC: u64 = 0x5047_464f_524b_5348;
/// Bumped whenever the layout of any region changes.
pub const SHMEM_VERSION: u32 = 6;
/// Regions start on cache-line boundaries so that they share no line.
const REGION_ALIGN: usize = 128;
const MAX_REGIONS: usize = 16;

/// What the segment is sized from.
#[derive(Clone, Debug)]
pub struct SegmentConfig {
    pub port: u16,
    /// Slots in the backend table (client backends plus pooled ones).
    pub max_backends: usize,
    /// Bytes of shared buffers (`--shared-buffers`).
    pub shared_buffers: usize,
    /// 0 = process mode, 1 = thread mode.
    pub mode: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("could not create shared memory segment \"{name}\": {source}")]
    Create {
        name: String,
        source: shared_memory::ShmemError,
    },
    #[error("shared memory segment \"{name}\" is in use by the server with PID {pid}\nHINT:  Is another pgfork running on this port with another socket directory?")]
    InUse { name: String, pid: i32 },
    #[error("shared memory segment \"{0}\" has a bad header")]
    BadHeader(String),
}

/// One region: where it is and how big it is.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct RegionEntry {
    pub offset: u64,
    pub size: u64,
}

/// The fixed header at offset 0 of the segment.
#[repr(C)]
pub struct ShmemHeader {
    pub magic: u64,
    pub version: u32,
    /// 0 = process mode, 1 = thread mode.
    pub mode: u32,
    pub total_size: u64,
    pub postmaster_pid: AtomicI32,
    /// Incremented each time the postmaster reinitializes shared state
    /// after a backend crash.
    pub generation: AtomicU32,
    /// Server start, microseconds since the Unix epoch.
    pub start_time_us: u64,
    /// Held shared while a backend rebuilds its catalog cache from the
    /// catalog relations, and exclusively by a committing catalog change
    /// from before its commit-log entry until its invalidation messages
    /// are sent: a rebuild sees all of a change or none of it.
    pub catalog_lock: LWLock,
    /// Hands out catalog cache generations: each load of a cache, and each
    /// change a backend makes to its own, takes a new number (cached plans
    /// remember the number they were made under).
    pub catalog_version: AtomicU64,
    /// The OID counter's floor: OIDs below it were given out, if only by a
    /// transaction that then aborted, and are not given out again while
    /// the server runs (the committed counter is in the shared catalog).
    pub next_oid: AtomicU32,
    /// Where each region of [`REGIONS`] lives, in the same order.
    pub regions: [RegionEntry; MAX_REGIONS],
}

/// The regions after the header, in order: name, size for a
/// configuration, and an initializer for freshly zeroed bytes.
type SizeFn = fn(&SegmentConfig) -> usize;
/// # Safety
/// The pointer must address `size(cfg)` zeroed bytes of the segment,
/// aligned to [`REGION_ALIGN`], that nothing else uses yet.
type InitFn = unsafe fn(*mut u8, &SegmentConfig);

pub struct Region {
    pub name: &'static str,
    pub size: SizeFn,
    pub init: InitFn,
}

/// Index of each region in [`REGIONS`] (and in `ShmemHeader::regions`).
pub mod region {
    pub const BACKEND_TABLE: usize = 0;
    pub const LATENCY: usize = 1;
    pub const BUFFER_POOL: usize = 2;
    pub const FREE_SPACE_HINTS: usize = 3;
    pub const WAIT_STATS: usize = 4;
    pub const LOCK_MANAGER: usize = 5;
    pub const PROC_ARRAY: usize = 6;
    pub const REL_STATS: usize = 7;
    pub const WAL: usize = 8;
    pub const NOTIFY_QUEUE: usize = 9;
    pub const SINVAL: usize = 10;
}

pub static REGIONS: &[Region] = &[
    Region {
        name: "backend table",
        size: BackendTable::shmem_size,
        init: BackendTable::shmem_init,
    },
    Region {
        name: "latency histograms",
        size: crate::latency::LatencyStats::shmem_size,
        init: crate::latency::LatencyStats::shmem_init,
    },
    Region {
        name: "buffer pool",
        size: crate::buffer::layout::shmem_size,
        init: crate::buffer::layout::shmem_init,
    },
    Region {
        name: "free space hints",
        size: crate::buffer::layout::hints_size,
        init: crate::buffer::layout::hints_init,
    },
    Region {
        name: "wait statistics",
        size: crate::waitstats::WaitStats::shmem_size,
        init: crate::waitstats::WaitStats::shmem_init,
    },
    Region {
        name: "lock manager",
        size: crate::lockmgr::LockManager::shmem_size,
        init: crate::lockmgr::LockManager::shmem_init,
    },
    Region {
        name: "proc array",
        size: crate::xact::ProcArrayShared::shmem_size,
        init: crate::xact::ProcArrayShared::shmem_init,
    },
    Region {
        name: "table statistics",
        size: crate::relstats::RelStatsTable::shmem_size,
        init: crate::relstats::RelStatsTable::shmem_init,
    },
    Region {
        name: "WAL buffers",
        size: crate::wal::Wal::shmem_size,
        init: crate::wal::Wal::shmem_init,
    },
    Region {
        name: "notify queue",
        size: crate::notify_queue::NotifyQueue::shmem_size,
        init: crate::notify_queue::NotifyQueue::shmem_init,
    },
    Region {
        name: "shared invalidation queue",
        size: crate::sinval::SinvalQueue::shmem_size,
        init: crate::sinval::SinvalQueue::shmem_init,
    },
];

/// Zeroes `len` bytes at `p` of the segment. Whole pages are given back
/// to the kernel (MADV_REMOVE punches them out of the shared-memory
/// object; they read as zero and cost no memory until written again), so
/// that reinitializing a segment sized for 100,000 backends does not touch
/// every page of it; the rest, or everything if that fails, is written.
///
/// # Safety
/// The range lies in this process's mapping of the segment and nobody
/// uses it.
unsafe fn zero_pages(p: *mut u8, len: usize) {
    let page = 4096;
    let start = (p as usize).next_multiple_of(page);
    let end = (p as usize + len) / page * page;
    // SAFETY: [start, end) is within [p, p + len), page-aligned, in a
    // MAP_SHARED mapping of the object; the caller says nobody uses it.
    if end > start
        && unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_REMOVE) } == 0
    {
        // SAFETY: the head and tail outside the whole pages, in the range.
        unsafe {
            std::ptr::write_bytes(p, 0, start - p as usize);
            std::ptr::write_bytes(end as *mut u8, 0, p as usize + len - end);
        }
    } else {
        // SAFETY: the whole range, as the caller guarantees.
        unsafe { std::ptr::write_bytes(p, 0, len) };
    }
}

fn align_up(n: usize) -> usize {
    n.div_ceil(REGION_ALIGN) * REGION_ALIGN
}

/// A handle on the mapped segment, valid in every process forked after it
/// was created and in every thread of the creating process.
///
/// Its accessors hand out `&'static` references into the mapping. That is
/// sound because no process ever unmaps the segment: [`SegmentOwner`]'s
/// drop removes the object's name from /dev/shm but leaves the mapping in
/// place until the process exits (the kernel frees the memory when the
/// last process mapping it is gone), and nothing else unmaps it.
///
/// It also carries the server's [`DataDir`] (its files, as this process
/// reaches them), which the handles made from it (buffer pool, WAL) use.
#[derive(Clone, Copy)]
pub struct Segment {
    base: *mut u8,
    len: usize,
    dd: &'static DataDir,
}

// SAFETY: the segment is process-shared memory whose every structure is
// synchronized with atomics and LWLocks; the handle is only an address.
unsafe impl Send for Segment {}
// SAFETY: as above.
unsafe impl Sync for Segment {}

/// The postmaster's ownership of the segment: unlinks its name when
/// dropped, never unmapping it (see [`Segment`]).
pub struct SegmentOwner {
    /// Never dropped: dropping it would unmap memory that `&'static`
    /// references handed out by [`Segment`] may still point into.
    shmem: std::mem::ManuallyDrop<shared_memory::Shmem>,
    name: String,
}

impl SegmentOwner {
    /// Creates (or, if a stale one from a dead server exists, replaces) the
    /// segment for `cfg.port` and initializes every region. The segment
    /// handle carries `dd`, the server's data directory.
    ///
    /// The caller must already hold the socket lock file for this port, so
    /// that a segment of the same name can only be a dead server's.
    pub fn create(
        cfg: &SegmentConfig,
        dd: &'static DataDir,
    ) -> Result<(SegmentOwner, Segment), SegmentError> {
        let name = segment_name(cfg.port);
        let total = Self::layout_size(cfg);
        let create = || {
            shared_memory::ShmemConf::new()
                .os_id(&name)
                .size(total)
                .create()
        };
        let shmem = match create() {
            Ok(s) => s,
            Err(shared_memory::ShmemError::MappingIdExists) => {
                // A segment of this name: a crashed server's, unless its
                // postmaster is alive (a server on the same port with
                // another socket directory).
                if let Some(pid) = existing_owner(&name) {
                    return Err(SegmentError::InUse { name, pid });
                }
                let _ = nix::sys::mman::shm_unlink(name.as_str());
                create().map_err(|source| SegmentError::Create {
                    name: name.clone(),
                    source,
                })?
            }
            Err(source) => return Err(SegmentError::Create { name, source }),
        };
        let seg = Segment {
            base: shmem.as_ptr(),
            len: shmem.len(),
            dd,
        };
        // SAFETY: the mapping was just created, is zero-filled, at least
        // `total` bytes long and not yet visible to any other backend.
        unsafe { seg.initialize(cfg) };
        let shmem = std::mem::ManuallyDrop::new(shmem);
        Ok((SegmentOwner { shmem, name }, seg))
    }

    fn layout_size(cfg: &SegmentConfig) -> usize {
        let mut off = align_up(std::mem::size_of::<ShmemHeader>());
        for r in REGIONS {
            off += align_up((r.size)(cfg));
        }
        off
    }

    /// The object's name in /dev/shm.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.shmem.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shmem.len() == 0
    }
}

/// The pid of the live postmaster that owns an existing segment, if any.
fn existing_owner(name: &str) -> Option<i32> {
    let shm = shared_memory::ShmemConf::new().os_id(name).open().ok()?;
    if shm.len() < std::mem::size_of::<ShmemHeader>() {
        return None;
    }
    // SAFETY: the mapping is at least a header long; we read only plain
    // integers (an atomic and a u64) from it, whatever their values.
    let (magic, pid) = unsafe {
        let h = shm.as_ptr() as *const ShmemHeader;
        (
            std::ptr::read_volatile(std::ptr::addr_of!((*h).magic)),
            (*h).postmaster_pid.load(Ordering::Relaxed),
        )
    };
    let alive = pid as u32 != std::process::id() && pid_is_running(pid);
    (magic == SHMEM_MAGIC && alive).then_some(pid)
}

/// Whether a process with this pid exists and is not a zombie. A zombie
/// (dead, not yet reaped: say a thread-mode server process whose supervisor
/// was killed, until init reaps it) uses nothing any more, although
/// `kill(pid, 0)` still succeeds for it.
pub fn pid_is_running(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) | Err(nix::errno::Errno::EPERM) => {}
        Err(_) => return false,
    }
    // The state letter follows the command name, which is in parentheses
    // and may itself hold spaces or ')'.
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true; // no /proc: trust kill()
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat.get(i + 2..))
        .and_then(|rest| rest.chars().next());
    !matches!(state, Some('Z') | Some('X'))
}

/// The POSIX name of the segment for a port.
pub fn segment_name(port: u16) -> String {
    format!("/pgfork.{port}")
}

impl Segment {
    /// Lays out and initializes the header and every region.
    ///
    /// # Safety
    /// The segment must be zero-filled and in use by nobody else: at server
    /// start, or when the postmaster reinitializes shared memory after a
    /// crash with no backend left alive.
    pub unsafe fn initialize(&self, cfg: &SegmentConfig) {
        // SAFETY: the caller guarantees exclusive access; the header sits
        // at the start of a page-aligned mapping.
        unsafe {
            std::ptr::write_bytes(self.base, 0, align_up(std::mem::size_of::<ShmemHeader>()));
        }
        let hdr = self.base as *mut ShmemHeader;
        let mut regions = [RegionEntry::default(); MAX_REGIONS];
        let mut off = align_up(std::mem::size_of::<ShmemHeader>());
        for (i, r) in REGIONS.iter().enumerate() {
            let size = (r.size)(cfg);
            regions[i] = RegionEntry {
                offset: off as u64,
                size: size as u64,
            };
            // SAFETY: offset + size lies within the mapping (layout_size),
            // the bytes are zero and unused, and aligned to REGION_ALIGN.
            unsafe { (r.init)(self.base.add(off), cfg) };
            off += align_up(size);
        }
        assert!(off <= self.len, "segment smaller than its layout");
        // SAFETY: exclusive access, see above; all fields are plain data or
        // atomics whose zero value is valid.
        unsafe {
            std::ptr::write(
                hdr,
                ShmemHeader {
                    magic: SHMEM_MAGIC,
                    version: SHMEM_VERSION,
                    mode: cfg.mode,
                    total_size: self.len as u64,
                    postmaster_pid: AtomicI32::new(std::process::id() as i32),
                    generation: AtomicU32::new(0),
                    start_time_us: crate::time::wall_clock_us() as u64,
                    catalog_lock: LWLock::new(),
                    catalog_version: AtomicU64::new(0),
                    next_oid: AtomicU32::new(0),
                    regions,
                },
            );
        }
        // The proc array starts from the commit log's xid counter (once the
        // header, which locates its region, is written).
        self.proc_array().start_from_clog();
    }

    /// Reinitializes every region after a crash, keeping the header's
    /// generation count (bumped) and start time.
    ///
    /// # Safety
    /// No backend may be attached (all have exited).
    pub unsafe fn reinitialize(&self, cfg: &SegmentConfig) {
        let generation = self.header().generation.load(Ordering::Relaxed);
        let start = self.header().start_time_us;
        let catalog_version = self.header().catalog_version.load(Ordering::Relaxed);
        let next_oid = self.header().next_oid.load(Ordering::Relaxed);
        // SAFETY: forwarded from the caller; the regions are zeroed first.
        unsafe {
            let data = align_up(std::mem::size_of::<ShmemHeader>());
            zero_pages(self.base.add(data), self.len - data);
            self.initialize(cfg);
            let hdr = self.base as *mut ShmemHeader;
            (*hdr).start_time_us = start;
        }
        let h = self.header();
        h.generation.store(generation + 1, Ordering::Relaxed);
        // Generations keep growing across a reset; so does the OID floor.
        h.catalog_version
            .store(catalog_version + 1, Ordering::Relaxed);
        h.next_oid.store(next_oid, Ordering::Relaxed);
    }

    pub fn header(&self) -> &'static ShmemHeader {
        // SAFETY: the header was written by `initialize` before any handle
        // was handed out, and the mapping outlives every backend.
        unsafe { &*(self.base as *const ShmemHeader) }
    }

    /// Base address of region `idx` of [`REGIONS`].
    pub fn region_ptr(&self, idx: usize) -> *mut u8 {
        let e = self.header().regions[idx];
        debug_assert!(e.offset as usize + e.size as usize <= self.len);
        // SAFETY: the offset was computed by `initialize` within the mapping.
        unsafe { self.base.add(e.offset as usize) }
    }

    /// The server's data directory: its files as this process reaches
    /// them.
    pub fn data_dir(&self) -> &'static DataDir {
        self.dd
    }

    pub fn backend_table(&self) -> &'static BackendTable {
        // SAFETY: region BACKEND_TABLE holds a BackendTable initialized by
        // `BackendTable::shmem_init`, and lives as long as the mapping.
        unsafe { BackendTable::from_ptr(self.region_ptr(region::BACKEND_TABLE)) }
    }

    /// The LISTEN/NOTIFY queue.
    pub fn notify_queue(&self) -> &'static crate::notify_queue::NotifyQueue {
        // SAFETY: region NOTIFY_QUEUE holds a NotifyQueue initialized by
        // `NotifyQueue::shmem_init`, and lives as long as the mapping.
        unsafe { crate::notify_queue::NotifyQueue::from_ptr(self.region_ptr(region::NOTIFY_QUEUE)) }
    }

    /// The shared invalidation queue (catalog changes for the caches).
    pub fn sinval(&self) -> &'static crate::sinval::SinvalQueue {
        // SAFETY: region SINVAL holds a SinvalQueue initialized by
        // `SinvalQueue::shmem_init`, and lives as long as the mapping.
        unsafe { crate::sinval::SinvalQueue::from_ptr(self.region_ptr(region::SINVAL)) }
    }

    /// The proc array (running transactions, snapshots), with the commit
    /// log of the segment's data directory. Its `latest_completed_xid`
    /// starts from that log's counter.
    pub fn proc_array(&self) -> crate::xact::ProcArray {
        // SAFETY: region PROC_ARRAY holds a ProcArrayShared initialized by
        // `ProcArrayShared::shmem_init`, and lives as long as the mapping.
        let shared =
            unsafe { crate::xact::ProcArrayShared::from_ptr(self.region_ptr(region::PROC_ARRAY)) };
        crate::xact::ProcArray::new(shared, self.dd.clog())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks the header written by `initialize`.
    pub fn validate(&self) -> Result<(), SegmentError> {
        let h = self.header();
        if h.magic != SHMEM_MAGIC || h.version != SHMEM_VERSION {
            return Err(SegmentError::BadHeader(format!("{:p}", self.base)));
        }
        Ok(())
    }
}

impl Drop for SegmentOwner {
    /// Unlinks the segment's name; the mapping stays until the process
    /// exits, so references into it never dangle.
    fn drop(&mut self) {
        let _ = nix::sys::mman::shm_unlink(self.name.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::pid_is_running;

    #[test]
    fn a_zombie_is_not_running() {
        assert!(pid_is_running(std::process::id() as i32));
        assert!(!pid_is_running(0));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        // Dead but not reaped yet: a zombie.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while pid_is_running(pid) {
            assert!(std::time::Instant::now() < deadline, "still running");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            std::fs::metadata(format!("/proc/{pid}")).is_ok(),
            "reaped too early"
        );
        child.wait().unwrap();
        assert!(!pid_is_running(pid));
    }
}
