//! Relation-level operations of the buffer pool: create, extend, drop,
//! truncate, and checkpoints (with the pending-fsync set).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::alloc::Fill;
use super::desc::*;
use super::layout::{FSYNC_SLOTS, NUM_EXT_LOCKS};
use super::{BlockNumber, Buffer, BufferPool, RelId, StorageError, BLCKSZ};
use crate::lwlock::LockMode;
use crate::wal::{Kind, Record};

/// How long drop/truncate wait for somebody else's pin to go away.
const PIN_WAIT: Duration = Duration::from_secs(10);

impl BufferPool {
    /// Creates the empty file of `rel` (an existing file is kept), and
    /// logs it first, so that replay recreates a file whose directory
    /// entry an OS crash lost. The record becomes durable with the commit
    /// record of the transaction whose catalog names the relation (the WAL
    /// is flushed in order); a file whose transaction never committed is
    /// removed at the next start (`backend/src/catalog/import.rs`).
    pub fn create_relation(&self, rel: RelId) -> Result<(), StorageError> {
        self.log_smgr(Kind::SmgrCreate, rel, false)?;
        self.smgr().create(rel)
    }

    /// Logs a change of a relation's file; with `flush`, makes it durable
    /// first (a truncation must not reach the disk before its record, or
    /// replay would bring the cut pages back).
    fn log_smgr(&self, kind: Kind, rel: RelId, flush: bool) -> Result<(), StorageError> {
        if !self.wal.is_logging() {
            return Ok(());
        }
        let mut rec = Record::new(kind, 0);
        rec.put_u32(rel).put_u32(0);
        let end = self.wal.insert(&mut rec)?;
        if flush {
            self.wal.flush(end)?;
        }
        Ok(())
    }

    /// Number of blocks of `rel`.
    pub fn nblocks(&self, rel: RelId) -> Result<BlockNumber, StorageError> {
        self.smgr().nblocks(rel, self.smgr_gen())
    }

    /// Appends a zeroed block to `rel` (written to the file at once, under
    /// the relation's extension lock) and returns it pinned.
    ///
    /// The buffer is mapped, zeroed and pinned *before* the file grows
    /// (PostgreSQL 16's ExtendBufferedRelShared does the same). The
    /// moment the zero block is written, `nblocks` counts it and any
    /// backend may read it (an insert trying the last page, a scan), put
    /// tuples in it, and — were the block not in the pool — have it
    /// evicted and written back before we got to it. Zero-filling a buffer
    /// for it after that (as this did) threw those tuples away: committed
    /// rows vanished under concurrent inserts and eviction. Mapped first,
    /// the block is reached only through our pinned buffer, which cannot
    /// be evicted while we hold it.
    pub fn extend(&self, rel: RelId) -> Result<Buffer, StorageError> {
        let lock = &self.hdr.extension_locks[rel as usize % NUM_EXT_LOCKS].0;
        let _g = lock.lock(LockMode::Exclusive);
        let block = self.nblocks(rel)?;
        // Nobody reads past the end of the file, so nobody else can have
        // this block yet (a buffer left by an earlier failed read of it is
        // not valid and is zeroed).
        let buf = self.get_buffer(rel, block, Fill::Zero)?;
        // If the write fails the buffer stays a clean zero page of a block
        // past the end: nobody reads it, and the next extension reuses it.
        self.smgr()
            .write(rel, block, &[0u8; BLCKSZ], self.smgr_gen())?;
        self.remember_fsync(rel);
        #[cfg(test)]
        tests_hooks::after_extend_write(self, rel, block);
        Ok(buf)
    }

    /// Discards the buffers of `rel` (without writing them) and unlinks
    /// its file. The caller holds no pin on `rel`.
    pub fn drop_relation(&self, rel: RelId) -> Result<(), StorageError> {
        self.log_smgr(Kind::SmgrDrop, rel, false)?;
        self.discard_buffers(rel)?;
        self.set_free_space_hint(rel, None);
        let r = self.smgr().unlink(rel);
        self.hdr.smgr_generation.0.fetch_add(1, Ordering::AcqRel);
        r
    }

    /// Discards the buffers of `rel` and truncates its file to 0 blocks.
    pub fn truncate_relation(&self, rel: RelId) -> Result<(), StorageError> {
        let lock = &self.hdr.extension_locks[rel as usize % NUM_EXT_LOCKS].0;
        let _g = lock.lock(LockMode::Exclusive);
        self.log_smgr(Kind::SmgrTruncate, rel, true)?;
        self.discard_buffers(rel)?;
        self.set_free_space_hint(rel, None);
        self.smgr().truncate(rel, 0, self.smgr_gen())
    }

    /// Unmaps every buffer of `rel`, waiting out transient pins (a clock
    /// sweep or checkpoint looking at it).
    fn discard_buffers(&self, rel: RelId) -> Result<(), StorageError> {
        for id in 0..self.nbuffers {
            let d = self.desc(id);
            if d.tag_rel.load(Ordering::Relaxed) != rel {
                continue;
            }
            let start = Instant::now();
            loop {
                let s = d.lock_header();
                let (trel, tblock) = d.tag();
                d.unlock_header(s);
                if s & TAG_VALID == 0 || trel != rel {
                    break;
                }
                let bucket = self.bucket(trel, tblock);
                let part = Self::partition_of(bucket);
                self.lock_partition(part, LockMode::Exclusive);
                let s = d.lock_header();
                if s & TAG_VALID == 0 || d.tag() != (trel, tblock) {
                    d.unlock_header(s);
                    self.unlock_partition(part, LockMode::Exclusive);
                    continue;
                }
                if refcount(s) != 0 {
                    d.unlock_header(s);
                    self.unlock_partition(part, LockMode::Exclusive);
                    if start.elapsed() > PIN_WAIT {
                        return Err(StorageError::BufferPinned { rel, block: tblock });
                    }
                    std::thread::sleep(Duration::from_micros(200));
                    continue;
                }
                self.chain_remove(bucket, id);
                d.unlock_header(0);
                self.unlock_partition(part, LockMode::Exclusive);
                break;
            }
        }
        Ok(())
    }

    /// Writes back every dirty buffer and fsyncs every file written since
    /// the previous checkpoint. Returns the number of pages written.
    pub fn checkpoint(&self) -> Result<usize, StorageError> {
        let mut written = 0;
        for id in 0..self.nbuffers {
            let d = self.desc(id);
            let s = d.state.load(Ordering::Relaxed);
            if s & (DIRTY | TAG_VALID) != DIRTY | TAG_VALID {
                continue;
            }
            // Pin without the mapping lock (as the clock sweep does): the
            // tag cannot change while we hold the pin.
            let (_, pinned) = d.update(|s| {
                (s & (DIRTY | TAG_VALID) == DIRTY | TAG_VALID).then_some(s + REFCOUNT_ONE)
            });
            if !pinned {
                continue;
            }
            let buf = self.pinned(id);
            let g = buf.read_lock();
            let r = self.flush_locked(id);
            drop(g);
            if r? {
                written += 1;
            }
        }
        self.sync_pending()?;
        Ok(written)
    }

    fn fsync_slot(&self, i: usize) -> &'static AtomicU32 {
        // Found from the header rather than kept in the handle, which is
        // copied into every `Buffer` (and it is only used per page write).
        let base = self.hdr as *const super::layout::PoolHeader as *const u8;
        // SAFETY: the region starts with the header, and `FSYNC_SLOTS`
        // words lie at `fsync_off` within it (`layout::shmem_init`); it
        // lives as long as the mapping.
        unsafe {
            let first = base.add(self.hdr.fsync_off as usize) as *const AtomicU32;
            &*first.add(i % FSYNC_SLOTS)
        }
    }

    /// Records that `rel` was written and needs an fsync at the next
    /// checkpoint.
    pub(super) fn remember_fsync(&self, rel: RelId) {
        let h = (rel as usize).wrapping_mul(0x9E37_79B9) >> 7;
        for i in 0..16 {
            let slot = self.fsync_slot(h + i);
            let v = slot.load(Ordering::Relaxed);
            if v == rel + 1 {
                return;
            }
            if v == 0
                && slot
                    .compare_exchange(0, rel + 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
        }
        self.hdr.fsync_overflow.0.store(1, Ordering::Release);
    }

    fn sync_pending(&self) -> Result<(), StorageError> {
        let mut rels = BTreeSet::new();
        for i in 0..FSYNC_SLOTS {
            let v = self.fsync_slot(i).swap(0, Ordering::AcqRel);
            if v != 0 {
                rels.insert(v - 1);
            }
        }
        let gen = self.smgr_gen();
        if self.hdr.fsync_overflow.0.swap(0, Ordering::AcqRel) != 0 {
            return self.smgr().fsync_all(gen);
        }
        let mut pending = rels.into_iter();
        while let Some(rel) = pending.next() {
            if let Err(e) = self.smgr().fsync(rel, gen) {
                // Keep what is left for the next checkpoint.
                self.remember_fsync(rel);
                pending.for_each(|r| self.remember_fsync(r));
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Test-only hook in [`BufferPool::extend`], run once the new block is in
/// the file (and so visible to other backends), before the extender uses
/// its buffer: lets a test play another backend in that window.
#[cfg(test)]
pub(super) mod tests_hooks {
    use std::cell::RefCell;

    use super::{BlockNumber, BufferPool, RelId};

    type Hook = Box<dyn FnMut(&BufferPool, RelId, BlockNumber)>;

    thread_local! {
        static AFTER_EXTEND_WRITE: RefCell<Option<Hook>> = const { RefCell::new(None) };
    }

    /// Sets (or clears) this thread's hook.
    pub(crate) fn set_after_extend_write(hook: Option<Hook>) {
        AFTER_EXTEND_WRITE.with(|h| *h.borrow_mut() = hook);
    }

    pub(super) fn after_extend_write(pool: &BufferPool, rel: RelId, block: BlockNumber) {
        let hook = AFTER_EXTEND_WRITE.with(|h| h.borrow_mut().take());
        if let Some(mut f) = hook {
            f(pool, rel, block);
        }
    }
}
