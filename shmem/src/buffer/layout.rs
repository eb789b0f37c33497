//! Layout of the buffer-pool region: header, mapping buckets, the
//! pending-fsync set, buffer descriptors, then the page-aligned pages.

use std::sync::atomic::{AtomicU32, AtomicU64};

use super::desc::BufferDesc;
use super::BLCKSZ;
use crate::lwlock::LWLock;
use crate::segment::SegmentConfig;

/// Mapping-table partitions, each with its own LWLock.
pub const NUM_PARTITIONS: usize = 128;
/// Relation extension locks (hashed by relation).
pub const NUM_EXT_LOCKS: usize = 64;
/// Slots of the pending-fsync set (relations written since the last
/// checkpoint).
pub const FSYNC_SLOTS: usize = 512;
/// Smallest pool, as PostgreSQL's minimum of shared_buffers.
pub const MIN_BUFFERS: usize = 16;
const PAGE_ALIGN: usize = 4096;

/// A value alone on its cache line(s).
#[repr(C, align(128))]
#[derive(Default)]
pub struct Padded<T>(pub T);

#[repr(C)]
pub struct PoolHeader {
    pub nbuffers: u32,
    /// log2 of the number of buckets (a power of two >= NUM_PARTITIONS).
    pub bucket_bits: u32,
    pub buckets_off: u64,
    pub fsync_off: u64,
    pub descs_off: u64,
    pub pages_off: u64,
    /// Clock hand: the next buffer the sweep looks at (modulo nbuffers).
    pub next_victim: Padded<AtomicU64>,
    /// Bumped when a relation file is unlinked: process-local file caches
    /// with another value are emptied before use.
    pub smgr_generation: Padded<AtomicU64>,
    /// Set when a write could not be recorded in the pending-fsync set:
    /// the next checkpoint fsyncs every file.
    pub fsync_overflow: Padded<AtomicU32>,
    pub partition_locks: [Padded<LWLock>; NUM_PARTITIONS],
    pub extension_locks: [Padded<LWLock>; NUM_EXT_LOCKS],
}

fn align(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

pub fn nbuffers(cfg: &SegmentConfig) -> usize {
    (cfg.shared_buffers / BLCKSZ).max(MIN_BUFFERS)
}

fn bucket_bits(nbuffers: usize) -> u32 {
    (nbuffers * 2)
        .next_power_of_two()
        .max(NUM_PARTITIONS)
        .trailing_zeros()
}

/// Offsets of the parts, relative to the region start, except the pages,
/// whose alignment depends on the region's address (see `shmem_init`).
fn offsets(cfg: &SegmentConfig) -> (usize, usize, usize, usize) {
    let n = nbuffers(cfg);
    let buckets = align(std::mem::size_of::<PoolHeader>(), 128);
    let fsync = align(buckets + (4usize << bucket_bits(n)), 128);
    let descs = align(fsync + 4 * FSYNC_SLOTS, 128);
    let pages_min = descs + n * std::mem::size_of::<BufferDesc>();
    (buckets, fsync, descs, pages_min)
}

pub fn shmem_size(cfg: &SegmentConfig) -> usize {
    let (_, _, _, pages_min) = offsets(cfg);
    pages_min + PAGE_ALIGN + nbuffers(cfg) * BLCKSZ
}

/// # Safety
/// `ptr` addresses `shmem_size(cfg)` zeroed bytes, 128-byte aligned, that
/// nobody else uses yet.
pub unsafe fn shmem_init(ptr: *mut u8, cfg: &SegmentConfig) {
    let n = nbuffers(cfg);
    let (buckets, fsync, descs, pages_min) = offsets(cfg);
    // The segment is mapped page-aligned in every process (fork keeps the
    // address; threads share it), so an offset that is page-aligned here is
    // page-aligned everywhere.
    let pages = pages_min + (ptr as usize + pages_min).next_multiple_of(PAGE_ALIGN)
        - (ptr as usize + pages_min);
    // SAFETY: forwarded from the caller. Zero is a valid value for every
    // atomic, lock, bucket head (0 = empty chain) and descriptor (no tag,
    // unpinned), so only the scalar fields need writing.
    unsafe {
        let h = ptr as *mut PoolHeader;
        (*h).nbuffers = n as u32;
        (*h).bucket_bits = bucket_bits(n);
        (*h).buckets_off = buckets as u64;
        (*h).fsync_off = fsync as u64;
        (*h).descs_off = descs as u64;
        (*h).pages_off = pages as u64;
    }
}

/// Free-space hints: a direct-mapped array of (rel + 1) << 32 | block.
pub const HINT_SLOTS: usize = 4096;

pub fn hints_size(_cfg: &SegmentConfig) -> usize {
    HINT_SLOTS * std::mem::size_of::<AtomicU64>()
}

/// # Safety
/// `ptr` addresses `hints_size(cfg)` zeroed bytes (zero = no hint).
pub unsafe fn hints_init(_ptr: *mut u8, _cfg: &SegmentConfig) {}
