//! Buffer-cache, lock-wait (LWLock and heavyweight lock) and I/O
//! counters: per backend, and server-wide.
//!
//! The hot path (every buffer hit, every lock wait) only bumps a plain
//! `Cell` in the calling thread's [`local`] totals: no shared atomic, no
//! cache-line traffic. A backend publishes its totals now and then (at the
//! end of each query, say) with [`flush_to_slot`], which adds what changed
//! since its previous flush into its own row of the shared region: one
//! cache-line-aligned row of `AtomicU64` per backend-table slot, plus one
//! row for departed backends into which [`retire_slot`] folds a slot's row
//! when the slot is freed. [`totals`] sums every row.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::segment::{region, Segment, SegmentConfig};

macro_rules! counters {
    ($($(#[$m:meta])* $f:ident),* $(,)?) => {
        /// A set of counters: a backend's totals, a delta, or a sum.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct Counters {
            $($(#[$m])* pub $f: u64,)*
        }

        impl Counters {
            /// Field-wise sum.
            pub fn add(&self, o: &Counters) -> Counters {
                Counters { $($f: self.$f.wrapping_add(o.$f),)* }
            }

            /// Field-wise difference (saturating at zero).
            pub fn sub(&self, o: &Counters) -> Counters {
                Counters { $($f: self.$f.saturating_sub(o.$f),)* }
            }

            /// (name, value) pairs in declaration order, for reporting.
            pub fn fields(&self) -> Vec<(&'static str, u64)> {
                vec![$((stringify!($f), self.$f),)*]
            }
        }

        /// The calling thread's running totals.
        struct Local {
            $($f: Cell<u64>,)*
        }

        impl Local {
            const fn new() -> Local {
                Local { $($f: Cell::new(0),)* }
            }

            fn snapshot(&self) -> Counters {
                Counters { $($f: self.$f.get(),)* }
            }
        }

        /// One backend's row in shared memory.
        #[repr(C, align(128))]
        struct Row {
            $($f: AtomicU64,)*
        }

        impl Row {
            fn add(&self, c: &Counters) {
                $(if c.$f != 0 { self.$f.fetch_add(c.$f, Ordering::Relaxed); })*
            }

            fn load(&self) -> Counters {
                Counters { $($f: self.$f.load(Ordering::Relaxed),)* }
            }

            fn take(&self) -> Counters {
                Counters { $($f: self.$f.swap(0, Ordering::Relaxed),)* }
            }
        }
    };
}

counters! {
    /// Buffer requests satisfied from the cache.
    buf_hits,
    /// Pages read from files into the cache.
    buf_reads,
    /// Pages written from the cache to files (eviction or checkpoint).
    buf_writes,
    /// Valid buffers reassigned to another page.
    buf_evictions,
    /// Content-lock acquisitions that had to wait.
    content_lock_waits,
    content_lock_wait_ns,
    /// Mapping-partition lock acquisitions that had to wait.
    mapping_lock_waits,
    mapping_lock_wait_ns,
    /// Time spent waiting for another backend's read-in or write-out.
    io_wait_ns,
    /// Time in pread of data files.
    io_read_ns,
    /// Time in pwrite of data files.
    io_write_ns,
    /// Times a backend slept on a futex (LWLock, buffer I/O or lock wait).
    futex_sleeps,
    /// Heavyweight lock acquisitions (other than on transactions) that had
    /// to wait, their total wait, and the total time from the releaser's
    /// wake-up call to the waiter running.
    lock_waits,
    lock_wait_ns,
    lock_wakeup_ns,
    /// The same for waits on a transaction lock (waiting for another
    /// transaction to end).
    xact_waits,
    xact_wait_ns,
    xact_wakeup_ns,
    /// Deadlock checks run (a lock wait reaching deadlock_timeout).
    deadlock_checks,
    /// Deadlocks found (the checking backend gave up).
    deadlocks,
    /// Snapshots taken and transaction ends that had to wait for
    /// ProcArrayLock, and how long.
    procarray_waits,
    procarray_wait_ns,
    /// Commits that waited for their WAL record to be made durable, and
    /// how long (their own fsync or another backend's, group commit).
    wal_flush_waits,
    wal_flush_ns,
}

thread_local! {
    static LOCAL: Local = const { Local::new() };
    static FLUSHED: Cell<Counters> = Cell::new(Counters::default());
}

/// The calling backend's (thread's) totals since it started.
pub fn local() -> Counters {
    LOCAL.with(|l| l.snapshot())
}

/// Which counter an event goes to (hot-path helpers below).
#[derive(Clone, Copy)]
pub(crate) enum Ev {
    BufHit,
    BufRead,
    BufWrite,
    BufEviction,
    ContentLockWait,
    MappingLockWait,
    IoWait,
    FutexSleep,
    /// A heavyweight lock wait (not on a transaction), with its duration.
    LockWait,
    /// Wake-up latency of a granted lock wait (not on a transaction).
    LockWakeup,
    /// A wait on a transaction lock, with its duration.
    XactWait,
    /// Wake-up latency of a granted transaction-lock wait.
    XactWakeup,
    DeadlockCheck,
    Deadlock,
    ProcArrayWait,
    WalFlush,
}

/// Adds one event (and `ns`, for timed events) to this thread's totals.
#[inline]
pub(crate) fn note(ev: Ev, ns: u64) {
    #[inline]
    fn bump(c: &Cell<u64>, n: u64) {
        c.set(c.get().wrapping_add(n));
    }
    LOCAL.with(|l| match ev {
        Ev::BufHit => bump(&l.buf_hits, 1),
        Ev::BufRead => {
            bump(&l.buf_reads, 1);
            bump(&l.io_read_ns, ns)
        }
        Ev::BufWrite => {
            bump(&l.buf_writes, 1);
            bump(&l.io_write_ns, ns)
        }
        Ev::BufEviction => bump(&l.buf_evictions, 1),
        Ev::ContentLockWait => {
            bump(&l.content_lock_waits, 1);
            bump(&l.content_lock_wait_ns, ns)
        }
        Ev::MappingLockWait => {
            bump(&l.mapping_lock_waits, 1);
            bump(&l.mapping_lock_wait_ns, ns)
        }
        Ev::IoWait => bump(&l.io_wait_ns, ns),
        Ev::FutexSleep => bump(&l.futex_sleeps, 1),
        Ev::LockWait => {
            bump(&l.lock_waits, 1);
            bump(&l.lock_wait_ns, ns)
        }
        Ev::LockWakeup => bump(&l.lock_wakeup_ns, ns),
        Ev::XactWait => {
            bump(&l.xact_waits, 1);
            bump(&l.xact_wait_ns, ns)
        }
        Ev::XactWakeup => bump(&l.xact_wakeup_ns, ns),
        Ev::DeadlockCheck => bump(&l.deadlock_checks, 1),
        Ev::Deadlock => bump(&l.deadlocks, 1),
        Ev::ProcArrayWait => {
            bump(&l.procarray_waits, 1);
            bump(&l.procarray_wait_ns, ns)
        }
        Ev::WalFlush => {
            bump(&l.wal_flush_waits, 1);
            bump(&l.wal_flush_ns, ns)
        }
    });
}

/// Counts a futex sleep (called by [`crate::lwlock`] on its slow path).
#[inline]
pub fn note_futex_sleep() {
    note(Ev::FutexSleep, 0);
}

/// Counts a wait of `ns` for ProcArrayLock (snapshots, transaction ends);
/// nothing when `ns` is 0.
#[inline]
pub fn note_procarray_wait(ns: u64) {
    if ns > 0 {
        note(Ev::ProcArrayWait, ns);
    }
}

/// Counts a commit's wait of `ns` for its WAL flush.
#[inline]
pub fn note_wal_flush(ns: u64) {
    note(Ev::WalFlush, ns);
}

/// The shared rows: `max_backends` slots plus the departed row.
pub struct WaitStats;

impl WaitStats {
    fn nrows(cfg: &SegmentConfig) -> usize {
        cfg.max_backends.max(1) + 1
    }

    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        std::mem::size_of::<u64>() * 16 + Self::nrows(cfg) * std::mem::size_of::<Row>()
    }

    /// # Safety
    /// `ptr` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes.
    pub unsafe fn shmem_init(ptr: *mut u8, cfg: &SegmentConfig) {
        // SAFETY: forwarded from the caller; the first word holds the row
        // count and zero is a valid value for every counter.
        unsafe { *(ptr as *mut u64) = Self::nrows(cfg) as u64 };
    }
}

fn rows(seg: &Segment) -> &'static [Row] {
    let base = seg.region_ptr(region::WAIT_STATS);
    // SAFETY: the region was laid out by WaitStats::shmem_init: a 128-byte
    // header whose first word is the row count, then the rows, 128-byte
    // aligned; it lives as long as the mapping.
    unsafe {
        let n = *(base as *const u64) as usize;
        std::slice::from_raw_parts(base.add(128) as *const Row, n)
    }
}

/// Forgets the counts not yet flushed: a forked child calls it first, since
/// it inherits its parent's thread-local totals.
pub fn discard_unflushed() {
    FLUSHED.with(|f| f.set(local()));
}

/// Adds this backend's counts since its last flush into row `slot`.
pub fn flush_to_slot(seg: &Segment, slot: usize) {
    let now = local();
    let delta = now.sub(&FLUSHED.with(|f| f.get()));
    FLUSHED.with(|f| f.set(now));
    if let Some(row) = rows(seg).get(slot) {
        row.add(&delta);
    }
}

/// Folds row `slot` into the departed row (when the slot is freed).
pub fn retire_slot(seg: &Segment, slot: usize) {
    let r = rows(seg);
    if slot + 1 < r.len() {
        let c = r[slot].take();
        r[r.len() - 1].add(&c);
    }
}

/// The sum of every row: what all backends, live and departed, flushed.
pub fn totals(seg: &Segment) -> Counters {
    rows(seg)
        .iter()
        .fold(Counters::default(), |acc, r| acc.add(&r.load()))
}

/// Row `slot` alone.
pub fn slot(seg: &Segment, slot: usize) -> Counters {
    rows(seg).get(slot).map(Row::load).unwrap_or_default()
}

/// Zeroes every row (`pg_stat_reset`). Backends' unflushed deltas still
/// arrive at their next flush.
pub fn reset(seg: &Segment) {
    for r in rows(seg) {
        r.take();
    }
}
