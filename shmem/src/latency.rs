//! Latency histograms in shared memory: per backend slot and server-wide.
//!
//! Every backend records each query's phases (and each connection's
//! set-up phases) into its *own* row of histograms, so the hot path takes
//! no lock and shares no cache line with other backends: only the owner
//! writes a row, with plain relaxed loads and stores. Readers
//! (`pgfork_stat_latency`) sum the rows of every slot plus the row of
//! departed backends, into which the postmaster (or a finishing thread)
//! folds a slot's row when the slot is freed.
//!
//! Buckets are log-linear: exact below 16 ns, then 8 sub-buckets per
//! power of two (about 6% resolution) up to ~2^40 ns (18 minutes); larger
//! values land in the last bucket. A reported percentile is the middle of
//! the bucket it falls in.
//!
//! Reset (`pgfork_stat_reset()`) bumps an epoch; a row whose epoch is
//! older is treated as empty by readers and zeroed by its owner before its
//! next update, so a reset never races with the owner's plain stores.
//!
//! A row is 43 kB, and each histogram a backend records into touches a
//! page of it or two, which count in the server's memory once touched. The
//! set-up phases ([`ONCE`]: connect, spawn, backend and protocol start-up)
//! are recorded once per session, so a slot keeps them as plain values in
//! a small head apart from the rows (40 bytes, a hundred slots to a page),
//! with an epoch of its own, and its histograms only if a second session
//! records them before the slot is freed (a pre-forked backend). A session
//! that connects and stays idle, which a pool-mode server may hold
//! thousands of, touches no page of its row (16 kB less each).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::segment::{region, Segment, SegmentConfig};

/// What is timed. The order is the order of `pgfork_stat_latency`'s rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Metric {
    Idle = 0,
    Recv,
    Parse,
    Plan,
    Execute,
    Send,
    ServerTotal,
    /// Time spent waiting for shared-memory locks inside execute.
    LockWait,
    /// Time spent in file reads and writes inside execute.
    FileIo,
    /// Time spent waiting for heavyweight locks inside execute: table
    /// locks and waits for other transactions (row changes).
    LmgrWait,
    /// Of those waits, the wake-up latency: from the call that woke this
    /// backend to it running again.
    LmgrWakeup,
    /// Time a commit waited for its WAL record to be durable.
    WalFlush,
    /// Accept to ready-for-query.
    Connect,
    /// Accept to the backend running (fork, fd hand-off or thread spawn).
    Spawn,
    /// Backend start-up: from running to reading the startup packet.
    BackendStartup,
    /// Protocol start-up: startup packet to ready-for-query.
    ProtocolStartup,
    /// Pool mode: from a parked session's socket becoming readable (or a
    /// notification, termination or timeout for it) to a carrier taking
    /// it up.
    Queue,
}

pub const METRICS: [Metric; 17] = [
    Metric::Idle,
    Metric::Recv,
    Metric::Parse,
    Metric::Plan,
    Metric::Execute,
    Metric::Send,
    Metric::ServerTotal,
    Metric::LockWait,
    Metric::FileIo,
    Metric::LmgrWait,
    Metric::LmgrWakeup,
    Metric::WalFlush,
    Metric::Connect,
    Metric::Spawn,
    Metric::BackendStartup,
    Metric::ProtocolStartup,
    Metric::Queue,
];

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Idle => "idle",
            Metric::Recv => "recv",
            Metric::Parse => "parse",
            Metric::Plan => "plan",
            Metric::Execute => "execute",
            Metric::Send => "send",
            Metric::ServerTotal => "server_total",
            Metric::LockWait => "lock_wait",
            Metric::FileIo => "file_io",
            Metric::LmgrWait => "lmgr_wait",
            Metric::LmgrWakeup => "lmgr_wakeup",
            Metric::WalFlush => "wal_flush",
            Metric::Connect => "connect",
            Metric::Spawn => "spawn",
            Metric::BackendStartup => "backend_startup",
            Metric::ProtocolStartup => "protocol_startup",
            Metric::Queue => "queue",
        }
    }
}

const NMETRICS: usize = METRICS.len();

/// The metrics recorded once per session, kept as values in a slot's
/// [`Head`] (see the module comment).
pub const ONCE: [Metric; 4] = [
    Metric::Connect,
    Metric::Spawn,
    Metric::BackendStartup,
    Metric::ProtocolStartup,
];

/// Index of `metric` in [`ONCE`].
fn once_index(metric: Metric) -> Option<usize> {
    ONCE.iter().position(|&m| m == metric)
}
const LINEAR: usize = 16;
const SUB_BITS: u32 = 3;
const SUB: usize = 1 << SUB_BITS;
const MAX_EXP: u32 = 40;
/// Number of buckets per histogram.
pub const NBUCKETS: usize = LINEAR + (MAX_EXP as usize - 4 + 1) * SUB;

/// Bucket index of a value in ns.
pub fn bucket_of(v: u64) -> usize {
    if v < LINEAR as u64 {
        return v as usize;
    }
    let e = 63 - v.leading_zeros();
    if e > MAX_EXP {
        return NBUCKETS - 1;
    }
    let sub = ((v >> (e - SUB_BITS)) as usize) & (SUB - 1);
    LINEAR + (e as usize - 4) * SUB + sub
}

/// The smallest value that falls in bucket `b`, and the width of the bucket.
pub fn bucket_range(b: usize) -> (u64, u64) {
    if b < LINEAR {
        return (b as u64, 1);
    }
    let e = ((b - LINEAR) / SUB + 4) as u32;
    let sub = ((b - LINEAR) % SUB) as u64;
    let width = 1u64 << (e - SUB_BITS);
    ((1u64 << e) + sub * width, width)
}

/// One histogram: bucket counts plus count, sum and max.
#[repr(C)]
struct Hist {
    count: AtomicU64,
    sum_ns: AtomicU64,
    max_ns: AtomicU64,
    /// The range of buckets that may be non-zero (`lo..hi`), so that
    /// folding and clearing a histogram reads only that range.
    lo: AtomicU64,
    hi: AtomicU64,
    buckets: [AtomicU64; NBUCKETS],
}

impl Hist {
    fn range(&self) -> std::ops::Range<usize> {
        let hi = (self.hi.load(Ordering::Relaxed) as usize).min(NBUCKETS);
        let lo = (self.lo.load(Ordering::Relaxed) as usize).min(hi);
        lo..hi
    }
}

/// One backend slot's histograms.
#[repr(C, align(128))]
struct Row {
    epoch: AtomicU64,
    hists: [Hist; NMETRICS],
}

/// One backend slot's once-per-session values (see the module comment).
#[repr(C)]
struct Head {
    /// The epoch `once` belongs to (older: empty).
    epoch: AtomicU64,
    /// Per metric of [`ONCE`]: the value in ns plus one, 0 if none.
    once: [AtomicU64; ONCE.len()],
}

#[repr(C)]
pub struct LatencyStats {
    epoch: AtomicU64,
    nrows: u64,
    _pad: [u64; 14],
    // followed by nrows + 1 Rows (the last one is for departed backends),
    // then by nrows Heads.
}

/// A summed histogram, as read.
#[derive(Clone, Debug)]
pub struct HistSummary {
    pub count: u64,
    pub sum_ns: u64,
    pub max_ns: u64,
    pub buckets: Vec<u64>,
}

impl HistSummary {
    fn empty() -> HistSummary {
        HistSummary {
            count: 0,
            sum_ns: 0,
            max_ns: 0,
            buckets: vec![0; NBUCKETS],
        }
    }

    /// The value below which a fraction `q` (0..=1) of the samples fall
    /// (middle of that bucket, capped at the maximum seen).
    pub fn percentile_ns(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let target = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (b, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= target {
                let (lo, w) = bucket_range(b);
                return (lo + w / 2).min(self.max_ns);
            }
        }
        self.max_ns
    }
}

impl LatencyStats {
    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        let n = cfg.max_backends.max(1);
        std::mem::size_of::<LatencyStats>()
            + (n + 1) * std::mem::size_of::<Row>()
            + n * std::mem::size_of::<Head>()
    }

    /// # Safety
    /// `ptr` addresses `shmem_size(cfg)` zeroed bytes, 128-byte aligned.
    pub unsafe fn shmem_init(ptr: *mut u8, cfg: &SegmentConfig) {
        // SAFETY: forwarded from the caller; zero is valid for every field.
        unsafe { (*(ptr as *mut LatencyStats)).nrows = cfg.max_backends.max(1) as u64 };
    }

    pub fn get(seg: &Segment) -> &'static LatencyStats {
        // SAFETY: region LATENCY was initialized by `shmem_init` and lives
        // as long as the mapping.
        unsafe { &*(seg.region_ptr(region::LATENCY) as *const LatencyStats) }
    }

    fn rows(&self) -> &[Row] {
        // SAFETY: nrows + 1 rows follow the 128-byte header (shmem_size).
        unsafe {
            let first = (self as *const LatencyStats).add(1) as *const Row;
            std::slice::from_raw_parts(first, self.nrows as usize + 1)
        }
    }

    fn departed(&self) -> &Row {
        &self.rows()[self.nrows as usize]
    }

    fn heads(&self) -> &[Head] {
        let rows = self.rows();
        // SAFETY: nrows Heads follow the rows (shmem_size); a Row's
        // alignment is a multiple of a Head's.
        unsafe {
            let first = rows.as_ptr().add(rows.len()) as *const Head;
            std::slice::from_raw_parts(first, self.nrows as usize)
        }
    }

    /// The once-per-session value of `ONCE[i]` in slot `slot`'s head,
    /// if it belongs to the current epoch.
    fn once_value(&self, slot: usize, i: usize) -> Option<u64> {
        let head = &self.heads()[slot];
        if head.epoch.load(Ordering::Acquire) != self.epoch.load(Ordering::Relaxed) {
            return None;
        }
        match head.once[i].load(Ordering::Relaxed) {
            0 => None,
            v => Some(v - 1),
        }
    }

    /// Records `ns` for `metric` in slot `slot`'s row. Only the backend
    /// owning the slot may call this.
    #[inline]
    pub fn record(&self, slot: usize, metric: Metric, ns: u64) {
        let epoch = self.epoch.load(Ordering::Relaxed);
        if let Some(i) = once_index(metric) {
            let head = &self.heads()[slot];
            if head.epoch.load(Ordering::Relaxed) != epoch {
                for v in &head.once {
                    v.store(0, Ordering::Relaxed);
                }
                head.epoch.store(epoch, Ordering::Release);
            }
            if head.once[i].load(Ordering::Relaxed) == 0 {
                head.once[i].store(ns.saturating_add(1), Ordering::Relaxed);
                return;
            }
            // A second session of the slot: into its histogram.
        }
        let row = &self.rows()[slot];
        if row.epoch.load(Ordering::Relaxed) != epoch {
            Self::clear_row(row);
            row.epoch.store(epoch, Ordering::Release);
        }
        let h = &row.hists[metric as usize];
        let add = |a: &AtomicU64, v: u64| a.store(a.load(Ordering::Relaxed) + v, Ordering::Relaxed);
        add(&h.count, 1);
        add(&h.sum_ns, ns);
        let b = bucket_of(ns);
        add(&h.buckets[b], 1);
        if h.count.load(Ordering::Relaxed) == 1 {
            h.lo.store(b as u64, Ordering::Relaxed);
            h.hi.store(b as u64 + 1, Ordering::Relaxed);
        } else {
            if (b as u64) < h.lo.load(Ordering::Relaxed) {
                h.lo.store(b as u64, Ordering::Relaxed);
            }
            if b as u64 >= h.hi.load(Ordering::Relaxed) {
                h.hi.store(b as u64 + 1, Ordering::Relaxed);
            }
        }
        if ns > h.max_ns.load(Ordering::Relaxed) {
            h.max_ns.store(ns, Ordering::Relaxed);
        }
    }

    fn clear_row(row: &Row) {
        for h in &row.hists {
            Self::clear_hist(h);
        }
    }

    fn clear_hist(h: &Hist) {
        if h.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        for b in &h.buckets[h.range()] {
            b.store(0, Ordering::Relaxed);
        }
        h.count.store(0, Ordering::Relaxed);
        h.sum_ns.store(0, Ordering::Relaxed);
        h.max_ns.store(0, Ordering::Relaxed);
        h.lo.store(0, Ordering::Relaxed);
        h.hi.store(0, Ordering::Relaxed);
    }

    /// Adds slot `slot`'s row and head to `into`.
    fn add_slot(&self, slot: usize, metric: Metric, into: &mut HistSummary) {
        self.add_row(&self.rows()[slot], metric, into);
        if let Some(v) = once_index(metric).and_then(|i| self.once_value(slot, i)) {
            into.count += 1;
            into.sum_ns += v;
            into.max_ns = into.max_ns.max(v);
            into.buckets[bucket_of(v)] += 1;
        }
    }

    fn add_row(&self, row: &Row, metric: Metric, into: &mut HistSummary) {
        if row.epoch.load(Ordering::Acquire) != self.epoch.load(Ordering::Relaxed) {
            return;
        }
        let h = &row.hists[metric as usize];
        into.count += h.count.load(Ordering::Relaxed);
        into.sum_ns += h.sum_ns.load(Ordering::Relaxed);
        into.max_ns = into.max_ns.max(h.max_ns.load(Ordering::Relaxed));
        for (i, b) in h.buckets.iter().enumerate() {
            into.buckets[i] += b.load(Ordering::Relaxed);
        }
    }

    /// Server-wide histogram of `metric` since the last reset.
    pub fn server_summary(&self, metric: Metric) -> HistSummary {
        let mut s = HistSummary::empty();
        for slot in 0..self.nrows as usize {
            self.add_slot(slot, metric, &mut s);
        }
        self.add_row(self.departed(), metric, &mut s);
        s
    }

    /// One slot's histogram of `metric` since the last reset.
    pub fn slot_summary(&self, slot: usize, metric: Metric) -> HistSummary {
        let mut s = HistSummary::empty();
        self.add_slot(slot, metric, &mut s);
        s
    }

    /// Folds a freed slot's row into the departed backends' row. Called by
    /// whoever frees the slot, after its backend is gone; the departed row
    /// is only written by the postmaster (process mode) or under the
    /// thread-mode server's exclusive use, see postmaster/README.md.
    pub fn retire_slot(&self, slot: usize) {
        let row = &self.rows()[slot];
        let dep = self.departed();
        let epoch = self.epoch.load(Ordering::Relaxed);
        let departed_current = |dep: &Row| {
            if dep.epoch.load(Ordering::Relaxed) != epoch {
                Self::clear_row(dep);
                dep.epoch.store(epoch, Ordering::Release);
            }
        };
        for (i, &metric) in ONCE.iter().enumerate() {
            if let Some(v) = self.once_value(slot, i) {
                departed_current(dep);
                Self::add_value(&dep.hists[metric as usize], v);
            }
        }
        for v in &self.heads()[slot].once {
            if v.load(Ordering::Relaxed) != 0 {
                v.store(0, Ordering::Relaxed);
            }
        }
        if row.epoch.load(Ordering::Acquire) == epoch {
            departed_current(dep);
            for (hs, hd) in row.hists.iter().zip(dep.hists.iter()) {
                let count = hs.count.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                hd.count.fetch_add(count, Ordering::Relaxed);
                hd.sum_ns
                    .fetch_add(hs.sum_ns.load(Ordering::Relaxed), Ordering::Relaxed);
                hd.max_ns
                    .fetch_max(hs.max_ns.load(Ordering::Relaxed), Ordering::Relaxed);
                let r = hs.range();
                for (bs, bd) in hs.buckets[r.clone()]
                    .iter()
                    .zip(hd.buckets[r.clone()].iter())
                {
                    let n = bs.load(Ordering::Relaxed);
                    if n != 0 {
                        bd.fetch_add(n, Ordering::Relaxed);
                    }
                }
                // The departed row is read whole (its range is all buckets).
                hd.lo.store(0, Ordering::Relaxed);
                hd.hi.store(NBUCKETS as u64, Ordering::Relaxed);
            }
        }
        Self::clear_row(row);
        row.epoch.store(u64::MAX, Ordering::Release);
    }

    /// Adds one value to the departed row's histogram `hd` (whose range
    /// is all buckets).
    fn add_value(hd: &Hist, v: u64) {
        hd.count.fetch_add(1, Ordering::Relaxed);
        hd.sum_ns.fetch_add(v, Ordering::Relaxed);
        hd.max_ns.fetch_max(v, Ordering::Relaxed);
        hd.buckets[bucket_of(v)].fetch_add(1, Ordering::Relaxed);
        hd.lo.store(0, Ordering::Relaxed);
        hd.hi.store(NBUCKETS as u64, Ordering::Relaxed);
    }

    /// Forgets everything recorded so far (`pgfork_stat_reset()`).
    pub fn reset(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::SegmentOwner;

    #[test]
    fn buckets_are_monotonic_and_cover_values() {
        let mut last = 0;
        for v in [
            0u64,
            1,
            15,
            16,
            17,
            100,
            1000,
            65_000,
            1 << 30,
            1 << 39,
            u64::MAX,
        ] {
            let b = bucket_of(v);
            assert!(b >= last && b < NBUCKETS);
            last = b;
            let (lo, w) = bucket_range(b);
            if v < 1 << 41 {
                assert!(lo <= v && v < lo + w, "v={v} b={b} lo={lo} w={w}");
            }
        }
    }

    #[test]
    fn percentiles_from_a_forked_writer_and_reset() {
        let cfg = SegmentConfig {
            port: 61010,
            max_backends: 4,
            shared_buffers: 0,
            mode: 0,
        };
        let (_owner, seg) = SegmentOwner::create(&cfg, crate::datadir::testing::scratch()).unwrap();
        let stats = LatencyStats::get(&seg);
        // SAFETY: the child only writes its own row and leaves with _exit.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                for i in 1..=1000u64 {
                    stats.record(1, Metric::Execute, i * 1000);
                }
                // SAFETY: _exit runs no destructors.
                unsafe { libc::_exit(0) };
            }
            nix::unistd::ForkResult::Parent { child } => {
                nix::sys::wait::waitpid(child, None).unwrap();
            }
        }
        let s = stats.server_summary(Metric::Execute);
        assert_eq!(s.count, 1000);
        assert_eq!(s.max_ns, 1_000_000);
        let p50 = s.percentile_ns(0.5) as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.07, "p50 {p50}");
        stats.retire_slot(1);
        assert_eq!(stats.server_summary(Metric::Execute).count, 1000);
        stats.reset();
        assert_eq!(stats.server_summary(Metric::Execute).count, 0);
        stats.record(0, Metric::Execute, 5);
        assert_eq!(stats.server_summary(Metric::Execute).count, 1);
    }

    #[test]
    fn set_up_phases_are_kept_apart_from_the_rows() {
        let cfg = SegmentConfig {
            port: 61011,
            max_backends: 4,
            shared_buffers: 0,
            mode: 0,
        };
        let (_owner, seg) = SegmentOwner::create(&cfg, crate::datadir::testing::scratch()).unwrap();
        let stats = LatencyStats::get(&seg);
        for (i, &m) in ONCE.iter().enumerate() {
            stats.record(2, m, 1000 * (i as u64 + 1));
        }
        // A session that only connected left its row untouched.
        let row = &stats.rows()[2];
        assert_eq!(row.epoch.load(Ordering::Relaxed), 0);
        assert!(row
            .hists
            .iter()
            .all(|h| h.count.load(Ordering::Relaxed) == 0));
        let s = stats.slot_summary(2, Metric::Spawn);
        assert_eq!((s.count, s.sum_ns, s.max_ns), (1, 2000, 2000));
        let (lo, w) = bucket_range(bucket_of(2000));
        assert_eq!(s.percentile_ns(0.5), lo + w / 2);
        // A second session of the slot (a pre-forked backend) goes into
        // the histogram; both count.
        stats.record(2, Metric::Connect, 5000);
        assert_eq!(
            row.hists[Metric::Connect as usize]
                .count
                .load(Ordering::Relaxed),
            1
        );
        let s = stats.server_summary(Metric::Connect);
        assert_eq!((s.count, s.sum_ns, s.max_ns), (2, 6000, 5000));
        // Freed: folded into the departed row, the head emptied.
        stats.retire_slot(2);
        assert_eq!(stats.slot_summary(2, Metric::Connect).count, 0);
        let s = stats.server_summary(Metric::Connect);
        assert_eq!((s.count, s.sum_ns), (2, 6000));
        assert_eq!(stats.server_summary(Metric::ProtocolStartup).count, 1);
        // A reset forgets heads as rows; the next session records anew.
        stats.record(3, Metric::Connect, 7000);
        stats.reset();
        assert_eq!(stats.server_summary(Metric::Connect).count, 0);
        stats.record(3, Metric::Connect, 9000);
        let s = stats.server_summary(Metric::Connect);
        assert_eq!((s.count, s.sum_ns), (1, 9000));
        assert_eq!(
            row.hists[Metric::Connect as usize]
                .count
                .load(Ordering::Relaxed),
            0
        );
    }
}
