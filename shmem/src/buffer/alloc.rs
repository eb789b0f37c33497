//! Finding or loading a page: mapping lookup, clock-sweep eviction, and
//! the I/O protocol (one backend reads a page in, the others wait on the
//! buffer's I/O futex rather than read it again).

use std::sync::atomic::Ordering;

use super::desc::*;
use super::{BlockNumber, Buffer, BufferPool, RelId, StorageError};
use crate::futex;
use crate::lwlock::LockMode;
use crate::time::monotonic_ns;
use crate::waitstats::{note, note_futex_sleep, Ev};

/// How to fill a buffer that does not hold its page yet.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fill {
    /// Read the block from its file.
    Read,
    /// Zero the page (a block just added by `extend`).
    Zero,
}

impl BufferPool {
    /// Pins the buffer holding block `block` of `rel`, reading it in if it
    /// is not cached.
    pub fn read(&self, rel: RelId, block: BlockNumber) -> Result<Buffer, StorageError> {
        self.get_buffer(rel, block, Fill::Read)
    }

    pub(super) fn get_buffer(
        &self,
        rel: RelId,
        block: BlockNumber,
        fill: Fill,
    ) -> Result<Buffer, StorageError> {
        let bucket = self.bucket(rel, block);
        let part = Self::partition_of(bucket);

        // Hit path: a shared partition lock and a CAS on the state word.
        self.lock_partition(part, LockMode::Shared);
        if let Some(id) = self.lookup(bucket, rel, block) {
            let s = self.desc(id).pin();
            self.unlock_partition(part, LockMode::Shared);
            let buf = self.pinned(id);
            if s & VALID != 0 {
                note(Ev::BufHit, 0);
                return Ok(buf);
            }
            self.complete_io(&buf, rel, block, fill)?;
            return Ok(buf);
        }
        self.unlock_partition(part, LockMode::Shared);

        loop {
            // A victim, pinned by us; written back if dirty.
            let victim = self.clock_sweep()?;
            let vd = self.desc(victim.id);
            let vs = vd.state.load(Ordering::Relaxed);
            if vs & DIRTY != 0 && !self.flush_victim(&victim)? {
                continue;
            }
            let old_valid = vs & TAG_VALID != 0;
            let (orel, oblock) = vd.tag();
            let obucket = self.bucket(orel, oblock);
            let opart = Self::partition_of(obucket);

            // Both partitions exclusively, in partition-number order.
            let (first, second) = if old_valid && opart != part {
                (part.min(opart), Some(part.max(opart)))
            } else {
                (part, None)
            };
            self.lock_partition(first, LockMode::Exclusive);
            if let Some(p) = second {
                self.lock_partition(p, LockMode::Exclusive);
            }
            let unlock = |pool: &BufferPool| {
                if let Some(p) = second {
                    pool.unlock_partition(p, LockMode::Exclusive);
                }
                pool.unlock_partition(first, LockMode::Exclusive);
            };

            // Somebody else loaded the page meanwhile: use theirs.
            if let Some(id) = self.lookup(bucket, rel, block) {
                let s = self.desc(id).pin();
                unlock(self);
                drop(victim);
                let buf = self.pinned(id);
                if s & VALID == 0 {
                    self.complete_io(&buf, rel, block, fill)?;
                } else {
                    note(Ev::BufHit, 0);
                }
                return Ok(buf);
            }

            let s = vd.lock_header();
            // Pinned by another backend or dirtied again since we flushed
            // it: pick another victim.
            if refcount(s) != 1 || s & DIRTY != 0 || (s & TAG_VALID != 0) != old_valid {
                vd.unlock_header(s);
                unlock(self);
                drop(victim);
                continue;
            }
            if old_valid {
                self.chain_remove(obucket, victim.id);
                note(Ev::BufEviction, 0);
            }
            vd.tag_rel.store(rel, Ordering::Relaxed);
            vd.tag_block.store(block, Ordering::Relaxed);
            vd.unlock_header((s & REFCOUNT_MASK) | USAGE_ONE | TAG_VALID | IO_IN_PROGRESS);
            self.chain_insert(bucket, victim.id);
            unlock(self);

            self.do_io(&victim, rel, block, fill)?;
            return Ok(victim);
        }
    }

    /// Fills a buffer we own the I/O of (IO_IN_PROGRESS set by us), then
    /// marks it valid and wakes waiters. On failure the buffer is left
    /// invalid for the next backend to retry.
    fn do_io(
        &self,
        buf: &Buffer,
        rel: RelId,
        block: BlockNumber,
        fill: Fill,
    ) -> Result<(), StorageError> {
        // SAFETY: IO_IN_PROGRESS is ours: no other backend touches the
        // bytes of a buffer that is not valid, and we hold a pin.
        let page = unsafe { &mut *self.page_ptr(buf.id) };
        let res = match fill {
            Fill::Zero => {
                page.fill(0);
                Ok(())
            }
            Fill::Read => self.smgr().read(rel, block, page, self.smgr_gen()),
        };
        let ok = res.is_ok();
        self.terminate_io(buf.id, if ok { VALID } else { IO_ERROR }, 0);
        res
    }

    /// Clears IO_IN_PROGRESS (and the `clear` bits), sets `set`, and wakes
    /// anybody waiting for the I/O.
    pub(super) fn terminate_io(&self, id: u32, set: u32, clear: u32) {
        let d = self.desc(id);
        d.update(|s| Some((s & !(IO_IN_PROGRESS | IO_ERROR | clear)) | set));
        if d.io_wait.swap(0, Ordering::SeqCst) != 0 {
            futex::wake(&d.io_wait, i32::MAX);
        }
    }

    /// Sleeps until the buffer has no I/O in progress.
    pub(super) fn wait_io(&self, id: u32) {
        let d = self.desc(id);
        let start = monotonic_ns();
        loop {
            d.io_wait.store(1, Ordering::SeqCst);
            if d.state.load(Ordering::SeqCst) & IO_IN_PROGRESS == 0 {
                break;
            }
            note_futex_sleep();
            futex::wait(&d.io_wait, 1, None);
        }
        note(Ev::IoWait, monotonic_ns().saturating_sub(start));
    }

    /// A pinned buffer that was found in the table but is not valid yet:
    /// wait for its reader, or read it ourselves if the last read failed.
    fn complete_io(
        &self,
        buf: &Buffer,
        rel: RelId,
        block: BlockNumber,
        fill: Fill,
    ) -> Result<(), StorageError> {
        let d = self.desc(buf.id);
        loop {
            let (s, started) =
                d.update(|s| (s & (VALID | IO_IN_PROGRESS) == 0).then_some(s | IO_IN_PROGRESS));
            if started {
                return self.do_io(buf, rel, block, fill);
            }
            if s & VALID != 0 {
                note(Ev::BufHit, 0);
                return Ok(());
            }
            self.wait_io(buf.id);
        }
    }

    /// Clock sweep: returns an unpinned buffer with usage count 0, pinned
    /// by us. Each pass over a buffer in use lowers its usage count.
    fn clock_sweep(&self) -> Result<Buffer, StorageError> {
        let n = self.nbuffers as u64;
        let mut tries = self.nbuffers as usize * 2;
        loop {
            let id = (self.hdr.next_victim.0.fetch_add(1, Ordering::Relaxed) % n) as u32;
            let d = self.desc(id);
            let s = d.state.load(Ordering::Relaxed);
            if refcount(s) == 0 && s & LOCKED == 0 {
                if s & TAG_VALID != 0 && usage(s) > 0 {
                    let _ = d.state.compare_exchange(
                        s,
                        s - USAGE_ONE,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                    tries = self.nbuffers as usize * 2;
                    continue;
                }
                if d.state
                    .compare_exchange(s, s + REFCOUNT_ONE, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return Ok(self.pinned(id));
                }
            }
            tries -= 1;
            if tries == 0 {
                return Err(StorageError::NoUnpinnedBuffers);
            }
        }
    }

    /// Writes back a dirty victim under its content lock, taken without
    /// waiting (whoever holds it may be waiting for a lock we hold).
    /// Returns false to mean "pick another victim".
    fn flush_victim(&self, victim: &Buffer) -> Result<bool, StorageError> {
        let d = self.desc(victim.id);
        if !d.content_lock.try_lock(LockMode::Shared) {
            return Ok(false);
        }
        let res = self.flush_locked(victim.id);
        d.content_lock.release(LockMode::Shared);
        res.map(|_| true)
    }

    /// Writes a pinned buffer back if dirty; the caller holds its content
    /// lock (shared suffices: writers need it exclusively, so the page
    /// cannot be dirtied meanwhile). Returns whether it wrote.
    pub(super) fn flush_locked(&self, id: u32) -> Result<bool, StorageError> {
        let d = self.desc(id);
        loop {
            let (s, started) = d.update(|s| {
                (s & DIRTY != 0 && s & (IO_IN_PROGRESS | LOCKED) == 0).then_some(s | IO_IN_PROGRESS)
            });
            if started {
                break;
            }
            if s & DIRTY == 0 {
                return Ok(false);
            }
            self.wait_io(id);
        }
        let (rel, block) = d.tag();
        // SAFETY: the content lock is held, so nobody modifies the bytes.
        let page = unsafe { &*self.page_ptr(id) };
        // The WAL rule: the log describing the page's last change is on
        // disk before the page is.
        if self.wal.is_logging() {
            if let Err(e) = self.wal.flush(crate::wal::pagelog::page_lsn(page)) {
                self.terminate_io(id, 0, 0);
                return Err(e.into());
            }
        }
        match self.smgr().write(rel, block, page, self.smgr_gen()) {
            Ok(()) => {
                self.remember_fsync(rel);
                self.terminate_io(id, 0, DIRTY);
                Ok(true)
            }
            Err(e) => {
                self.terminate_io(id, 0, 0);
                Err(e)
            }
        }
    }
}
