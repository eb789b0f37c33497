//! The buffer mapping table: tag (rel, block) → buffer id.
//!
//! A power-of-two array of bucket heads; each bucket chains the buffers
//! whose tag hashes to it through the descriptors' `hash_next` (ids + 1,
//! 0 = end), so the table needs no entries of its own and no free list: a
//! buffer is in exactly one chain while its tag is valid. Bucket `b`
//! belongs to partition `b % NUM_PARTITIONS`, whose LWLock protects the
//! bucket heads and chain links of that partition (shared to look up,
//! exclusive to link or unlink).

use std::sync::atomic::{AtomicU32, Ordering};

use super::layout::NUM_PARTITIONS;
use super::{BlockNumber, BufferPool, RelId};
use crate::lwlock::{LWLock, LockMode};
use crate::waitstats::{note, Ev};

impl BufferPool {
    /// Bucket of a tag.
    #[inline]
    pub(super) fn bucket(&self, rel: RelId, block: BlockNumber) -> usize {
        let k = ((rel as u64) << 32 | block as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (k >> (64 - self.bucket_bits)) as usize
    }

    #[inline]
    pub(super) fn partition_of(bucket: usize) -> usize {
        bucket % NUM_PARTITIONS
    }

    #[inline]
    pub(super) fn partition_lock(&self, partition: usize) -> &'static LWLock {
        &self.hdr.partition_locks[partition].0
    }

    /// Takes a partition lock, counting the wait.
    #[inline]
    pub(super) fn lock_partition(&self, partition: usize, mode: LockMode) {
        let waited = self.partition_lock(partition).acquire(mode);
        if waited != 0 {
            note(Ev::MappingLockWait, waited);
        }
    }

    #[inline]
    pub(super) fn unlock_partition(&self, partition: usize, mode: LockMode) {
        self.partition_lock(partition).release(mode);
    }

    #[inline]
    fn head(&self, bucket: usize) -> &'static AtomicU32 {
        debug_assert!(bucket < 1 << self.bucket_bits);
        // SAFETY: `bucket < 2^bucket_bits` heads follow `buckets`.
        unsafe { &*self.buckets.add(bucket) }
    }

    /// The buffer holding (rel, block), if any. Caller holds the bucket's
    /// partition lock (either mode).
    #[inline]
    pub(super) fn lookup(&self, bucket: usize, rel: RelId, block: BlockNumber) -> Option<u32> {
        let mut next = self.head(bucket).load(Ordering::Relaxed);
        while next != 0 {
            let d = self.desc(next - 1);
            if d.tag() == (rel, block) {
                return Some(next - 1);
            }
            next = d.hash_next.load(Ordering::Relaxed);
        }
        None
    }

    /// Links buffer `id` into `bucket`. Caller holds the partition lock
    /// exclusively.
    pub(super) fn chain_insert(&self, bucket: usize, id: u32) {
        let head = self.head(bucket);
        self.desc(id)
            .hash_next
            .store(head.load(Ordering::Relaxed), Ordering::Relaxed);
        head.store(id + 1, Ordering::Relaxed);
    }

    /// Unlinks buffer `id` from `bucket`. Caller holds the partition lock
    /// exclusively.
    pub(super) fn chain_remove(&self, bucket: usize, id: u32) {
        let mut link = self.head(bucket);
        loop {
            let cur = link.load(Ordering::Relaxed);
            if cur == 0 {
                debug_assert!(false, "buffer {id} not in its mapping bucket");
                return;
            }
            let d = self.desc(cur - 1);
            if cur - 1 == id {
                link.store(d.hash_next.load(Ordering::Relaxed), Ordering::Relaxed);
                d.hash_next.store(0, Ordering::Relaxed);
                return;
            }
            link = &d.hash_next;
        }
    }
}
