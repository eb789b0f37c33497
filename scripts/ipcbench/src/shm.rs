//! A value placed in a MAP_SHARED anonymous mapping, so that a forked child
//! and its parent see the same memory (the way pgfork's backends share their
//! segment).

use std::io;
use std::num::NonZeroUsize;
use std::ops::Deref;
use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

/// Owns a shared anonymous mapping holding one `T`.
///
/// `T`'s destructor is never run: use it for atomics and locks only.
pub struct SharedBox<T: Sync> {
    ptr: NonNull<T>,
    len: usize,
}

impl<T: Sync> SharedBox<T> {
    /// Maps fresh shared memory and moves `value` into it with `ptr::write`.
    pub fn new(value: T) -> io::Result<SharedBox<T>> {
        let len = std::mem::size_of::<T>().max(1);
        assert!(std::mem::align_of::<T>() <= 4096, "page alignment suffices");
        let nz = NonZeroUsize::new(len).expect("len >= 1");
        // SAFETY: a fresh anonymous mapping at a kernel-chosen address
        // aliases nothing in this process.
        let raw = unsafe {
            mmap_anonymous(
                None,
                nz,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        let ptr = raw.cast::<T>();
        // SAFETY: the mapping is page-aligned (so aligned for T), writable
        // and at least size_of::<T>() bytes long; nothing reads it yet.
        unsafe { std::ptr::write(ptr.as_ptr(), value) };
        Ok(SharedBox { ptr, len })
    }
}

impl<T: Sync> Deref for SharedBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `ptr` was initialised in `new` and stays mapped until
        // `drop`; only shared references are handed out and T is Sync.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Sync> Drop for SharedBox<T> {
    fn drop(&mut self) {
        // SAFETY: we own the mapping; no reference outlives `self` because
        // they all borrow it.
        unsafe {
            let _ = munmap(self.ptr.cast(), self.len);
        }
    }
}

// SAFETY: the box only hands out `&T`, and T is Sync; the mapping itself is
// plain memory that any thread may access.
unsafe impl<T: Sync> Sync for SharedBox<T> {}
// SAFETY: as above; moving the owner between threads moves only a pointer.
unsafe impl<T: Sync + Send> Send for SharedBox<T> {}
