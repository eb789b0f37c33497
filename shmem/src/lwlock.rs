//! LWLock: a shared/exclusive lock that lives in shared memory.
//!
//! Named after PostgreSQL's lightweight locks, and used for the same jobs:
//! short critical sections over shared structures (buffer content, buffer
//! mapping partitions, the catalog). It is one `AtomicU32` and works between
//! processes and between threads alike: the uncontended paths are a single
//! compare-and-swap, and a waiter sleeps in the kernel on a shared futex.
//!
//! State word layout:
//! - bit 31: held exclusively;
//! - bit 30: somebody may be sleeping on the word (release must wake);
//! - bits 0..30: number of shared holders.
//!
//! A release that finds the waiter bit clears it and wakes every sleeper;
//! each re-checks and sets the bit again before sleeping, so no wake-up is
//! lost (futex_wait fails at once if the word changed in between). Waking
//! all is simple and fair enough for the short sections these locks guard.
//!
//! Every lock acquisition is counted in the calling backend's slot
//! ([`set_held_counter`]) so that the postmaster can tell, when a backend
//! dies, whether it died holding a lock (and shared state may be
//! inconsistent) or not. The count is an upper bound, never below what is
//! held: it is raised before the lock is taken (a backend that waits for
//! a lock counts it) and lowered after it is released, so a process killed
//! at any instruction with a count of 0 held no LWLock.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::futex;
use crate::time::monotonic_ns;

const EXCLUSIVE: u32 = 1 << 31;
const WAITERS: u32 = 1 << 30;
const SHARED_MASK: u32 = WAITERS - 1;
const SPINS: u32 = 64;

/// Lock modes, as in PostgreSQL's `LWLockMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// A shared/exclusive lock usable from any process mapping the segment.
#[repr(C)]
#[derive(Default)]
pub struct LWLock {
    state: AtomicU32,
}

thread_local! {
    /// The calling backend's count of held LWLocks, in its shared slot.
    static HELD: Cell<Option<&'static AtomicU32>> = const { Cell::new(None) };
}

/// Registers where this backend (process or thread) counts the LWLocks it
/// holds: a field of its own slot in the backend table.
pub fn set_held_counter(counter: Option<&'static AtomicU32>) {
    HELD.with(|h| h.set(counter));
}

/// Counts a lock taken (+1, before taking it) or released (-1, after) in
/// the calling backend's slot: LWLocks, and the buffer headers' spin bit.
#[inline]
pub(crate) fn note_held(delta: i32) {
    HELD.with(|h| {
        if let Some(c) = h.get() {
            if delta > 0 {
                c.fetch_add(1, Ordering::Relaxed);
            } else {
                c.fetch_sub(1, Ordering::Relaxed);
            }
        }
    });
}

impl LWLock {
    pub const fn new() -> Self {
        LWLock {
            state: AtomicU32::new(0),
        }
    }

    #[inline]
    fn try_acquire(&self, mode: LockMode) -> bool {
        let s = self.state.load(Ordering::Relaxed);
        match mode {
            LockMode::Shared => {
                s & EXCLUSIVE == 0
                    && self
                        .state
                        .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
            }
            LockMode::Exclusive => {
                s & (EXCLUSIVE | SHARED_MASK) == 0
                    && self
                        .state
                        .compare_exchange_weak(
                            s,
                            s | EXCLUSIVE,
                            Ordering::Acquire,
                            Ordering::Relaxed,
                        )
                        .is_ok()
            }
        }
    }

    /// Tries once to take the lock without waiting.
    pub fn try_lock(&self, mode: LockMode) -> bool {
        note_held(1);
        let ok = self.try_acquire(mode);
        if !ok {
            note_held(-1);
        }
        ok
    }

    /// Takes the lock, sleeping if needed. Returns the nanoseconds spent
    /// waiting (0 when it was free: the fast path reads no clock).
    pub fn acquire(&self, mode: LockMode) -> u64 {
        // Counted first: see the module comment.
        note_held(1);
        if self.try_acquire(mode) {
            return 0;
        }
        let start = monotonic_ns();
        let mut spins = 0;
        loop {
            if self.try_acquire(mode) {
                break;
            }
            if spins < SPINS {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            let s = self.state.load(Ordering::Relaxed);
            let busy = match mode {
                LockMode::Shared => s & EXCLUSIVE != 0,
                LockMode::Exclusive => s & (EXCLUSIVE | SHARED_MASK) != 0,
            };
            if !busy {
                continue;
            }
            if s & WAITERS == 0
                && self
                    .state
                    .compare_exchange(s, s | WAITERS, Ordering::Relaxed, Ordering::Relaxed)
                    .is_err()
            {
                continue;
            }
            crate::waitstats::note_futex_sleep();
            futex::wait(&self.state, s | WAITERS, None);
        }
        monotonic_ns().saturating_sub(start).max(1)
    }

    /// Releases a lock taken in `mode` by this backend.
    pub fn release(&self, mode: LockMode) {
        let prev = match mode {
            LockMode::Shared => self.state.fetch_sub(1, Ordering::Release),
            LockMode::Exclusive => self.state.fetch_and(!EXCLUSIVE, Ordering::Release),
        };
        note_held(-1);
        let now_free = match mode {
            LockMode::Shared => (prev - 1) & SHARED_MASK == 0,
            LockMode::Exclusive => true,
        };
        if now_free && prev & WAITERS != 0 {
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
            futex::wake(&self.state, i32::MAX);
        }
    }

    /// Takes the lock and returns a guard that releases it when dropped.
    pub fn lock(&self, mode: LockMode) -> LWLockGuard<'_> {
        self.acquire(mode);
        LWLockGuard { lock: self, mode }
    }

    /// True while anybody holds the lock exclusively (for assertions).
    pub fn is_locked_exclusive(&self) -> bool {
        self.state.load(Ordering::Relaxed) & EXCLUSIVE != 0
    }

    /// Forgets every holder: only for reinitializing a segment after a crash,
    /// when no backend is attached.
    pub fn reset(&self) {
        self.state.store(0, Ordering::Relaxed);
    }
}

/// Releases its [`LWLock`] when dropped.
pub struct LWLockGuard<'a> {
    lock: &'a LWLock,
    mode: LockMode,
}

impl Drop for LWLockGuard<'_> {
    fn drop(&mut self) {
        self.lock.release(self.mode);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The held count never falls below what is held: it counts a lock
    /// from before it is taken (a waiter counts it) until after it is
    /// released, and a failed try_lock leaves it as it was.
    #[test]
    fn held_count_is_an_upper_bound() {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let l = Arc::new(LWLock::new());
        set_held_counter(Some(&COUNT));
        l.acquire(LockMode::Exclusive);
        assert_eq!(COUNT.load(Ordering::Relaxed), 1);
        assert!(!l.try_lock(LockMode::Shared));
        assert_eq!(COUNT.load(Ordering::Relaxed), 1);
        // Another thread waiting for it counts it in its own counter.
        static OTHER: AtomicU32 = AtomicU32::new(0);
        let l2 = l.clone();
        let waiter = std::thread::spawn(move || {
            set_held_counter(Some(&OTHER));
            l2.acquire(LockMode::Shared);
            l2.release(LockMode::Shared);
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while OTHER.load(Ordering::Relaxed) == 0 {
            assert!(std::time::Instant::now() < deadline);
            std::thread::yield_now();
        }
        l.release(LockMode::Exclusive);
        waiter.join().unwrap();
        assert_eq!(OTHER.load(Ordering::Relaxed), 0);
        assert_eq!(COUNT.load(Ordering::Relaxed), 0);
        assert!(l.try_lock(LockMode::Exclusive));
        assert_eq!(COUNT.load(Ordering::Relaxed), 1);
        l.release(LockMode::Exclusive);
        assert_eq!(COUNT.load(Ordering::Relaxed), 0);
        set_held_counter(None);
    }

    #[test]
    fn shared_then_exclusive() {
        let l = LWLock::new();
        assert_eq!(l.acquire(LockMode::Shared), 0);
        assert!(l.try_lock(LockMode::Shared));
        assert!(!l.try_lock(LockMode::Exclusive));
        l.release(LockMode::Shared);
        l.release(LockMode::Shared);
        assert!(l.try_lock(LockMode::Exclusive));
        assert!(!l.try_lock(LockMode::Shared));
        l.release(LockMode::Exclusive);
    }

    #[test]
    fn threads_count_under_exclusive_lock() {
        struct Shared {
            lock: LWLock,
            counter: std::cell::UnsafeCell<u64>,
        }
        // SAFETY: `counter` is only touched under the exclusive lock.
        unsafe impl Sync for Shared {}
        let s = Arc::new(Shared {
            lock: LWLock::new(),
            counter: std::cell::UnsafeCell::new(0),
        });
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        let _g = s.lock.lock(LockMode::Exclusive);
                        // SAFETY: we hold the exclusive lock.
                        unsafe { *s.counter.get() += 1 };
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // SAFETY: all writers have been joined.
        assert_eq!(unsafe { *s.counter.get() }, 80_000);
    }
}
