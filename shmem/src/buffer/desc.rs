//! Buffer descriptors and their atomic state word.
//!
//! State word layout (as PostgreSQL's `BufferDesc.state`):
//! - bits 0..18: reference (pin) count;
//! - bits 18..22: usage count, 0..=[`MAX_USAGE`];
//! - flag bits above: header locked, dirty, valid, tag valid, I/O in
//!   progress, I/O error.
//!
//! Every change is a compare-and-swap that waits while [`LOCKED`] is set;
//! the holder of the header lock (a spin bit, held for a few instructions)
//! may change the tag and stores the whole word when it unlocks.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::lwlock::LWLock;

pub const REFCOUNT_ONE: u32 = 1;
pub const REFCOUNT_MASK: u32 = (1 << 18) - 1;
pub const USAGE_ONE: u32 = 1 << 18;
pub const USAGE_MASK: u32 = 0xF << 18;
pub const MAX_USAGE: u32 = 5;
pub const LOCKED: u32 = 1 << 22;
pub const DIRTY: u32 = 1 << 23;
pub const VALID: u32 = 1 << 24;
pub const TAG_VALID: u32 = 1 << 25;
pub const IO_IN_PROGRESS: u32 = 1 << 26;
pub const IO_ERROR: u32 = 1 << 27;

#[inline]
pub fn refcount(s: u32) -> u32 {
    s & REFCOUNT_MASK
}

#[inline]
pub fn usage(s: u32) -> u32 {
    (s & USAGE_MASK) >> 18
}

/// One buffer's header. A cache line each, so that pinning one buffer does
/// not bounce its neighbours' lines.
#[repr(C, align(64))]
pub struct BufferDesc {
    pub state: AtomicU32,
    /// Tag: which page the buffer holds. Changed only under the header
    /// lock, by the sole pinner, holding the mapping partition locks of
    /// the old and new tags exclusively.
    pub tag_rel: AtomicU32,
    pub tag_block: AtomicU32,
    /// Next buffer (id + 1, 0 = end) in the mapping bucket chain; protected
    /// by the partition lock of that bucket.
    pub hash_next: AtomicU32,
    /// Futex word for I/O waits: 1 = somebody may sleep waiting for
    /// `IO_IN_PROGRESS` to clear.
    pub io_wait: AtomicU32,
    /// Protects the page bytes.
    pub content_lock: LWLock,
}

#[inline]
fn backoff(spins: &mut u32) {
    *spins += 1;
    if *spins < 100 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

impl BufferDesc {
    /// Waits for the header lock to be free; returns the state then.
    #[inline]
    pub fn wait_unlocked(&self) -> u32 {
        let mut spins = 0;
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & LOCKED == 0 {
                return s;
            }
            backoff(&mut spins);
        }
    }

    /// Takes the header lock; returns the state (without `LOCKED`). Counted
    /// with the backend's LWLocks (before it is taken, as those), so that a
    /// backend that dies holding it is known to have held a lock.
    pub fn lock_header(&self) -> u32 {
        crate::lwlock::note_held(1);
        let mut spins = 0;
        loop {
            let s = self.state.fetch_or(LOCKED, Ordering::Acquire);
            if s & LOCKED == 0 {
                return s;
            }
            backoff(&mut spins);
        }
    }

    /// Stores `s` (which must not include `LOCKED`) and releases the
    /// header lock.
    pub fn unlock_header(&self, s: u32) {
        debug_assert_eq!(s & LOCKED, 0);
        self.state.store(s, Ordering::Release);
        crate::lwlock::note_held(-1);
    }

    /// Applies `f` to the state with a CAS loop (waiting out the header
    /// lock); `f` returns `None` to leave it unchanged. Returns the old
    /// state and whether it was changed.
    #[inline]
    pub fn update(&self, mut f: impl FnMut(u32) -> Option<u32>) -> (u32, bool) {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & LOCKED != 0 {
                s = self.wait_unlocked();
                continue;
            }
            let Some(n) = f(s) else { return (s, false) };
            match self
                .state
                .compare_exchange_weak(s, n, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return (s, true),
                Err(cur) => s = cur,
            }
        }
    }

    /// Adds a pin, bumping the usage count; returns the new state.
    #[inline]
    pub fn pin(&self) -> u32 {
        let (old, _) = self.update(|s| {
            let mut n = s + REFCOUNT_ONE;
            if usage(s) < MAX_USAGE {
                n += USAGE_ONE;
            }
            Some(n)
        });
        let mut n = old + REFCOUNT_ONE;
        if usage(old) < MAX_USAGE {
            n += USAGE_ONE;
        }
        n
    }

    /// Drops a pin.
    #[inline]
    pub fn unpin(&self) {
        self.update(|s| {
            debug_assert!(refcount(s) > 0);
            Some(s - REFCOUNT_ONE)
        });
    }

    /// The tag, read by a pinner or under the header lock.
    #[inline]
    pub fn tag(&self) -> (u32, u32) {
        (
            self.tag_rel.load(Ordering::Relaxed),
            self.tag_block.load(Ordering::Relaxed),
        )
    }
}
