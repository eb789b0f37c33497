//! The shared buffer cache: 8 KiB pages of relation files, shared by every
//! backend through the segment, as PostgreSQL's `bufmgr`.
//!
//! [`BufferPool`] is a copyable handle on the pool region. [`BufferPool::read`]
//! returns a pinned [`Buffer`]; a pin keeps the buffer assigned to its page
//! but gives no right to the bytes: take [`Buffer::read_lock`] or
//! [`Buffer::write_lock`] (the content lock) for that. The rules (locks,
//! lock order, clock sweep, dirty pages) are in `shmem/README.md`.
//!
//! Submodules: `desc` (descriptor and state word), `layout` (the region),
//! `mapping` (tag → buffer table), `alloc` (lookup, clock sweep, I/O),
//! `maint` (extend, checkpoint, drop/truncate), `error`.

mod alloc;
mod desc;
mod error;
pub mod layout;
mod maint;
mod mapping;
#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

pub use error::StorageError;

use crate::lwlock::LockMode;
use crate::segment::{region, Segment};
use crate::waitstats::{note, Ev};
use crate::wal::pagelog::Before;
use desc::{BufferDesc, DIRTY};
use layout::PoolHeader;

/// Size of a page.
pub const BLCKSZ: usize = 8192;
/// A relation: names its file `base/<rel>`.
pub type RelId = u32;
/// A block of a relation.
pub type BlockNumber = u32;

thread_local! {
    static PIN_COUNTER: Cell<Option<&'static AtomicU32>> = const { Cell::new(None) };
}

/// Registers where this backend counts its pins (its slot's `pins_held`),
/// so that the postmaster can tell whether a backend that died held any.
pub fn set_pin_counter(c: Option<&'static AtomicU32>) {
    PIN_COUNTER.with(|p| p.set(c));
}

#[inline]
fn note_pin(delta: i32) {
    PIN_COUNTER.with(|p| {
        if let Some(c) = p.get() {
            if delta > 0 {
                c.fetch_add(1, Ordering::Relaxed);
            } else {
                c.fetch_sub(1, Ordering::Relaxed);
            }
        }
    });
}

/// A handle on the shared buffer pool.
#[derive(Clone, Copy)]
pub struct BufferPool {
    hdr: &'static PoolHeader,
    descs: *const BufferDesc,
    pages: *mut u8,
    buckets: *const AtomicU32,
    hints: *const AtomicU64,
    nbuffers: u32,
    bucket_bits: u32,
    /// The WAL handle, which also carries the segment's data directory
    /// (see `smgr`).
    wal: crate::wal::Wal,
}

// SAFETY: every structure the handle points to lives in the shared segment
// and is synchronized with atomics and LWLocks.
unsafe impl Send for BufferPool {}
// SAFETY: as above.
unsafe impl Sync for BufferPool {}

impl Segment {
    /// The shared buffer pool of this segment.
    pub fn buffer_pool(&self) -> BufferPool {
        let base = self.region_ptr(region::BUFFER_POOL);
        let hints = self.region_ptr(region::FREE_SPACE_HINTS);
        // SAFETY: the region was initialized by `layout::shmem_init`, which
        // recorded the offsets of each part within it; it lives as long as
        // the mapping.
        unsafe {
            let hdr = &*(base as *const PoolHeader);
            BufferPool {
                hdr,
                descs: base.add(hdr.descs_off as usize) as *const BufferDesc,
                pages: base.add(hdr.pages_off as usize),
                buckets: base.add(hdr.buckets_off as usize) as *const AtomicU32,
                hints: hints as *const AtomicU64,
                nbuffers: hdr.nbuffers,
                bucket_bits: hdr.bucket_bits,
                wal: self.wal(),
            }
        }
    }
}

impl BufferPool {
    /// Number of buffers.
    pub fn nbuffers(&self) -> usize {
        self.nbuffers as usize
    }

    #[inline]
    fn desc(&self, id: u32) -> &'static BufferDesc {
        debug_assert!(id < self.nbuffers);
        // SAFETY: `id < nbuffers` descriptors follow `descs` in the region.
        unsafe { &*self.descs.add(id as usize) }
    }

    #[inline]
    fn page_ptr(&self, id: u32) -> *mut [u8; BLCKSZ] {
        debug_assert!(id < self.nbuffers);
        // SAFETY: `nbuffers` pages of BLCKSZ bytes follow `pages`.
        unsafe { self.pages.add(id as usize * BLCKSZ) as *mut [u8; BLCKSZ] }
    }

    /// The segment's data directory (its files, its commit log).
    pub fn data_dir(&self) -> &'static crate::datadir::DataDir {
        self.wal.data_dir()
    }

    /// The relation files of the segment's data directory (reached
    /// through the WAL handle, which carries the context: one pointer for
    /// both keeps the handle, copied into every `Buffer`, small).
    #[inline]
    fn smgr(&self) -> &'static crate::smgr::Smgr {
        self.wal.data_dir().smgr()
    }

    fn smgr_gen(&self) -> u64 {
        self.hdr.smgr_generation.0.load(Ordering::Acquire)
    }

    /// Wraps a buffer this backend has just pinned.
    fn pinned(&self, id: u32) -> Buffer {
        note_pin(1);
        Buffer {
            pool: *self,
            id,
            _not_send: PhantomData,
        }
    }

    /// The block a free-space hint names for `rel`, if any.
    pub fn free_space_hint(&self, rel: RelId) -> Option<BlockNumber> {
        let v = self.hint_slot(rel).load(Ordering::Relaxed);
        (v >> 32 == rel as u64 + 1).then_some(v as u32)
    }

    /// Records (or, with `None`, clears) the block of `rel` that last had
    /// room for a new tuple.
    pub fn set_free_space_hint(&self, rel: RelId, block: Option<BlockNumber>) {
        let slot = self.hint_slot(rel);
        match block {
            Some(b) => slot.store((rel as u64 + 1) << 32 | b as u64, Ordering::Relaxed),
            None => {
                let v = slot.load(Ordering::Relaxed);
                if v >> 32 == rel as u64 + 1 {
                    let _ = slot.compare_exchange(v, 0, Ordering::Relaxed, Ordering::Relaxed);
                }
            }
        }
    }

    fn hint_slot(&self, rel: RelId) -> &'static AtomicU64 {
        let i = (rel as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52;
        // SAFETY: `i < 4096 = HINT_SLOTS` (top 12 bits of the product).
        unsafe { &*self.hints.add(i as usize % layout::HINT_SLOTS) }
    }
}

/// A pin on a buffer; dropping it unpins.
pub struct Buffer {
    pool: BufferPool,
    id: u32,
    /// Pins are counted per thread (see [`set_pin_counter`]).
    _not_send: PhantomData<*const ()>,
}

impl Buffer {
    pub fn rel(&self) -> RelId {
        self.pool.desc(self.id).tag().0
    }

    pub fn block(&self) -> BlockNumber {
        self.pool.desc(self.id).tag().1
    }

    /// Buffer number in the pool (for diagnostics).
    pub fn id(&self) -> usize {
        self.id as usize
    }

    fn lock(&self, mode: LockMode) {
        let waited = self.pool.desc(self.id).content_lock.acquire(mode);
        if waited != 0 {
            note(Ev::ContentLockWait, waited);
        }
    }

    /// Takes the content lock shared: the page bytes cannot change while
    /// the guard lives.
    pub fn read_lock(&self) -> PageReadGuard<'_> {
        self.lock(LockMode::Shared);
        PageReadGuard { buf: self }
    }

    /// Takes the content lock exclusively and marks the buffer dirty.
    /// Whatever changes the guard makes are logged in the WAL when it is
    /// dropped (see `wal::pagelog`).
    pub fn write_lock(&self) -> PageWriteGuard<'_> {
        let before = self.lock_for_write();
        PageWriteGuard { buf: self, before }
    }

    fn lock_for_write(&self) -> Before {
        self.lock(LockMode::Exclusive);
        let d = self.pool.desc(self.id);
        if d.state.load(Ordering::Relaxed) & DIRTY == 0 {
            d.update(|s| Some(s | DIRTY));
        }
        // SAFETY: pinned, valid, content lock held exclusively.
        self.pool.wal.before_change(unsafe { &*self.page() })
    }

    /// Logs the changes made under the exclusive content lock, then
    /// releases it. A change that cannot be logged (the WAL failed) must
    /// not survive: as PostgreSQL does (PANIC in a critical section), the
    /// backend panics, which makes the postmaster reset shared memory and
    /// recover, or stop if the WAL cannot be written.
    fn unlock_write(&self, before: Before) {
        let (rel, block) = self.pool.desc(self.id).tag();
        // SAFETY: pinned, valid, content lock still held exclusively.
        let page = unsafe { &mut *self.page() };
        if let Err(e) = self.pool.wal.log_change(rel, block, before, page) {
            panic!("PANIC: could not log a change of block {block} of relation {rel}: {e}");
        }
        self.unlock(LockMode::Exclusive);
    }

    /// As [`Buffer::read_lock`], but the guard owns the pin (for code that
    /// holds several locks at once, as B-tree lock coupling).
    pub fn into_read_lock(self) -> OwnedPageReadGuard {
        self.lock(LockMode::Shared);
        OwnedPageReadGuard { buf: self }
    }

    /// As [`Buffer::write_lock`], but the guard owns the pin.
    pub fn into_write_lock(self) -> OwnedPageWriteGuard {
        let before = self.lock_for_write();
        OwnedPageWriteGuard {
            buf: self,
            before: Some(before),
        }
    }

    #[inline]
    fn page(&self) -> *mut [u8; BLCKSZ] {
        self.pool.page_ptr(self.id)
    }

    #[inline]
    fn unlock(&self, mode: LockMode) {
        self.pool.desc(self.id).content_lock.release(mode);
    }
}

/// A shared content lock that owns its pin: unlocks, then unpins.
pub struct OwnedPageReadGuard {
    buf: Buffer,
}

impl OwnedPageReadGuard {
    pub fn buffer(&self) -> &Buffer {
        &self.buf
    }
}

impl Deref for OwnedPageReadGuard {
    type Target = [u8; BLCKSZ];
    fn deref(&self) -> &[u8; BLCKSZ] {
        // SAFETY: pinned, valid, content lock held shared.
        unsafe { &*self.buf.page() }
    }
}

impl Drop for OwnedPageReadGuard {
    fn drop(&mut self) {
        self.buf.unlock(LockMode::Shared);
    }
}

/// An exclusive content lock that owns its pin: logs the change, unlocks,
/// then unpins.
pub struct OwnedPageWriteGuard {
    buf: Buffer,
    before: Option<Before>,
}

impl OwnedPageWriteGuard {
    pub fn buffer(&self) -> &Buffer {
        &self.buf
    }
}

impl Deref for OwnedPageWriteGuard {
    type Target = [u8; BLCKSZ];
    fn deref(&self) -> &[u8; BLCKSZ] {
        // SAFETY: pinned, valid, content lock held exclusively.
        unsafe { &*self.buf.page() }
    }
}

impl DerefMut for OwnedPageWriteGuard {
    fn deref_mut(&mut self) -> &mut [u8; BLCKSZ] {
        // SAFETY: pinned, valid, content lock held exclusively, and
        // `&mut self` makes this the only reference from the guard.
        unsafe { &mut *self.buf.page() }
    }
}

impl Drop for OwnedPageWriteGuard {
    fn drop(&mut self) {
        self.buf
            .unlock_write(self.before.take().unwrap_or(Before::Off));
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        self.pool.desc(self.id).unpin();
        note_pin(-1);
    }
}

/// The page of a buffer under its shared content lock.
pub struct PageReadGuard<'a> {
    buf: &'a Buffer,
}

impl Deref for PageReadGuard<'_> {
    type Target = [u8; BLCKSZ];
    fn deref(&self) -> &[u8; BLCKSZ] {
        // SAFETY: the buffer is pinned (so it stays this page) and valid,
        // and we hold its content lock shared: nobody writes the bytes.
        unsafe { &*self.buf.pool.page_ptr(self.buf.id) }
    }
}

impl Drop for PageReadGuard<'_> {
    fn drop(&mut self) {
        self.buf
            .pool
            .desc(self.buf.id)
            .content_lock
            .release(LockMode::Shared);
    }
}

/// The page of a buffer under its exclusive content lock; dropping it
/// logs the change and unlocks.
pub struct PageWriteGuard<'a> {
    buf: &'a Buffer,
    before: Before,
}

impl Deref for PageWriteGuard<'_> {
    type Target = [u8; BLCKSZ];
    fn deref(&self) -> &[u8; BLCKSZ] {
        // SAFETY: pinned, valid, content lock held exclusively.
        unsafe { &*self.buf.pool.page_ptr(self.buf.id) }
    }
}

impl DerefMut for PageWriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut [u8; BLCKSZ] {
        // SAFETY: pinned, valid, content lock held exclusively: we are the
        // only one touching the bytes, and `&mut self` makes this the only
        // reference derived from the guard.
        unsafe { &mut *self.buf.pool.page_ptr(self.buf.id) }
    }
}

impl Drop for PageWriteGuard<'_> {
    fn drop(&mut self) {
        let before = std::mem::replace(&mut self.before, Before::Off);
        self.buf.unlock_write(before);
    }
}
