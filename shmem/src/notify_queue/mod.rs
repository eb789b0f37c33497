//! The LISTEN/NOTIFY queue: committed notifications on their way to every
//! listening backend, as PostgreSQL's async.c queue (here a byte ring in
//! the segment instead of SLRU pages).
//!
//! Layout (one region): a [`NotifyQueue`] header, then one [`Listener`]
//! per backend-table slot, then the ring of `RING_BYTES` bytes. Positions
//! are absolute byte counts since server start (u64, never wrapping in
//! practice); a position's place in the ring is `pos % RING_BYTES`.
//!
//! An entry starts on an 8-byte boundary: `len: u32` (the whole entry,
//! padded to a multiple of 8), `sender_pid: i32`, `channel_len: u32`,
//! `payload_len: u32`, then the channel and payload bytes. An entry never
//! wraps: when one would not fit before the end of the ring, a filler
//! entry (`sender_pid` 0) takes the rest of the ring and the entry starts
//! at offset 0.
//!
//! Invariants and locking (see shmem/README.md, "NOTIFY queue"):
//! - `head` and the ring bytes change only under `lock` held exclusively;
//!   readers copy entries out under `lock` shared.
//! - For every listening slot, `tail_min <= pos <= head`, where tail_min
//!   is the smallest `pos` of a listening slot; bytes in
//!   `[tail_min, head)` are live and never overwritten: an append that
//!   would make `head - tail_min` exceed `RING_BYTES` fails (the caller's
//!   transaction then fails, as PostgreSQL's "too many notifications").
//! - A slot's `listening` and `pos` change under `lock` exclusively (the
//!   owner advancing its own `pos` after a read holds it shared: only the
//!   owner writes its own `pos` then, and appenders read it under the
//!   exclusive lock, which excludes that).
//! - `wake_pending` is set by an appender before it signals the owner and
//!   cleared by the owner before it reads and before it sleeps, so a
//!   backend is signalled at most once per read. Before sleeping, the
//!   owner clears it and then looks at `head` under `lock` (shared)
//!   ([`NotifyQueue::prepare_to_sleep`]): an appender publishes `head` and
//!   tests `wake_pending` under `lock` exclusively, so either the owner
//!   sees the new entries or the appender sees the flag clear and signals
//!   (no wake-up is lost, even when a signal was spent while the owner was
//!   busy and the flag was left set).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::lwlock::{LWLock, LockMode};
use crate::segment::SegmentConfig;

/// Bytes in the ring: how much committed, undelivered notification text
/// the server holds before NOTIFY fails.
pub const RING_BYTES: u64 = 8 << 20;
/// PostgreSQL's NOTIFY_PAYLOAD_MAX_LENGTH: payloads must be shorter.
pub const MAX_PAYLOAD: usize = 8000;
const ENTRY_HEADER: u64 = 16;

/// The queue's header.
#[repr(C)]
pub struct NotifyQueue {
    lock: LWLock,
    /// Where the next entry goes (absolute position).
    head: AtomicU64,
    nslots: AtomicU64,
}

/// One backend slot's place in the queue.
#[repr(C)]
pub struct Listener {
    /// 1 while the slot's session listens on at least one channel.
    listening: AtomicU32,
    /// Set by an appender that signalled the owner; cleared by the owner.
    wake_pending: AtomicU32,
    /// Next position the owner will read.
    pos: AtomicU64,
}

/// One notification as read from the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub sender_pid: i32,
    pub channel: String,
    pub payload: String,
}

/// Why an append failed.
#[derive(Debug, PartialEq, Eq)]
pub enum QueueError {
    /// The ring cannot hold the batch until the slowest listener reads.
    Full,
}

fn entry_len(channel: &str, payload: &str) -> u64 {
    (ENTRY_HEADER + channel.len() as u64 + payload.len() as u64).div_ceil(8) * 8
}

impl NotifyQueue {
    pub fn shmem_size(cfg: &SegmentConfig) -> usize {
        std::mem::size_of::<NotifyQueue>()
            + cfg.max_backends.max(1) * std::mem::size_of::<Listener>()
            + RING_BYTES as usize
    }

    /// # Safety
    /// `p` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes that
    /// nothing else uses yet.
    pub unsafe fn shmem_init(p: *mut u8, cfg: &SegmentConfig) {
        // SAFETY: forwarded from the caller; zero is a valid value for
        // every field (unlocked LWLock, position 0, nobody listening).
        unsafe {
            (*(p as *mut NotifyQueue)).nslots = AtomicU64::new(cfg.max_backends.max(1) as u64)
        };
    }

    /// # Safety
    /// `p` must address a region initialized by `shmem_init` that lives
    /// for the rest of the process.
    pub unsafe fn from_ptr(p: *mut u8) -> &'static NotifyQueue {
        // SAFETY: forwarded from the caller.
        unsafe { &*(p as *const NotifyQueue) }
    }

    fn listeners(&self) -> &[Listener] {
        let n = self.nslots.load(Ordering::Relaxed) as usize;
        // SAFETY: `shmem_init` sized the region for `nslots` listeners right
        // after the header; Listener is repr(C) of atomics, valid zeroed.
        unsafe {
            std::slice::from_raw_parts((self as *const NotifyQueue).add(1) as *const Listener, n)
        }
    }

    fn ring(&self) -> *mut u8 {
        let n = self.nslots.load(Ordering::Relaxed) as usize;
        // SAFETY: the ring follows the listeners inside the region.
        unsafe { ((self as *const NotifyQueue).add(1) as *mut Listener).add(n) as *mut u8 }
    }

    /// Smallest position a listener still needs (`head` if none listens).
    /// Called under the lock.
    fn tail(&self, head: u64) -> u64 {
        self.listeners()
            .iter()
            .filter(|l| l.listening.load(Ordering::Acquire) != 0)
            .map(|l| l.pos.load(Ordering::Acquire))
            .min()
            .unwrap_or(head)
    }

    /// Starts delivering to `slot` what is appended from now on (a no-op
    /// if it already listens).
    pub fn listen(&self, slot: usize) {
        let _g = self.lock.lock(LockMode::Exclusive);
        let l = &self.listeners()[slot];
        if l.listening.load(Ordering::Acquire) == 0 {
            l.pos
                .store(self.head.load(Ordering::Acquire), Ordering::Release);
            l.wake_pending.store(0, Ordering::Release);
            l.listening.store(1, Ordering::Release);
        }
    }

    /// Stops delivering to `slot` (its unread entries are dropped).
    pub fn unlisten(&self, slot: usize) {
        let l = &self.listeners()[slot];
        if l.listening.load(Ordering::Acquire) == 0 {
            return;
        }
        let _g = self.lock.lock(LockMode::Exclusive);
        l.listening.store(0, Ordering::Release);
        l.wake_pending.store(0, Ordering::Release);
    }

    pub fn is_listening(&self, slot: usize) -> bool {
        self.listeners()[slot].listening.load(Ordering::Acquire) != 0
    }

    /// Whether `slot` listens and has entries it has not read.
    pub fn has_pending(&self, slot: usize) -> bool {
        let l = &self.listeners()[slot];
        l.listening.load(Ordering::Acquire) != 0
            && l.pos.load(Ordering::Acquire) < self.head.load(Ordering::Acquire)
    }

    /// Before an idle wait (with the wake-up signal blocked until the
    /// wait): whether `slot` has entries to read. If not, the next
    /// append signals it.
    pub fn prepare_to_sleep(&self, slot: usize) -> bool {
        let l = &self.listeners()[slot];
        l.wake_pending.store(0, Ordering::Release);
        let _g = self.lock.lock(LockMode::Shared);
        self.has_pending(slot)
    }

    /// Fraction of the ring in use (pg_notification_queue_usage).
    pub fn usage(&self) -> f64 {
        let _g = self.lock.lock(LockMode::Shared);
        let head = self.head.load(Ordering::Acquire);
        (head - self.tail(head)) as f64 / RING_BYTES as f64
    }

    /// Appends one committed transaction's notifications, in order,
    /// all or none. Returns the slots that listen, are behind and were
    /// not signalled yet: the caller signals them (not itself).
    pub fn append(
        &self,
        sender_pid: i32,
        items: &[(String, String)],
        me: usize,
    ) -> Result<Vec<usize>, QueueError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let _g = self.lock.lock(LockMode::Exclusive);
        let mut head = self.head.load(Ordering::Acquire);
        let tail = self.tail(head);
        if tail == head
            && !self
                .listeners()
                .iter()
                .any(|l| l.listening.load(Ordering::Acquire) != 0)
        {
            return Ok(Vec::new()); // Nobody listens: nobody can read it.
        }
        if batch_end(head, items) - tail > RING_BYTES {
            return Err(QueueError::Full);
        }
        let ring = self.ring();
        for (c, p) in items {
            let len = entry_len(c, p);
            let off = head % RING_BYTES;
            if off + len > RING_BYTES {
                let fill = RING_BYTES - off;
                // SAFETY: off is 8-aligned and fill >= 8; the bytes are in
                // the ring, not live (checked above), and we hold the lock
                // exclusively.
                unsafe { write_header(ring.add(off as usize), fill as u32, 0, 0, 0) };
                head += fill;
            }
            let off = (head % RING_BYTES) as usize;
            // SAFETY: as above: `len` bytes from `off` fit in the ring and
            // are not live; the lock is held exclusively.
            unsafe {
                write_header(
                    ring.add(off),
                    len as u32,
                    sender_pid,
                    c.len() as u32,
                    p.len() as u32,
                );
                let body = ring.add(off + ENTRY_HEADER as usize);
                std::ptr::copy_nonoverlapping(c.as_ptr(), body, c.len());
                std::ptr::copy_nonoverlapping(p.as_ptr(), body.add(c.len()), p.len());
            }
            head += len;
        }
        self.head.store(head, Ordering::Release);
        let mut wake = Vec::new();
        for (i, l) in self.listeners().iter().enumerate() {
            if i != me
                && l.listening.load(Ordering::Acquire) != 0
                && l.pos.load(Ordering::Acquire) < head
                && l.wake_pending.swap(1, Ordering::AcqRel) == 0
            {
                wake.push(i);
            }
        }
        Ok(wake)
    }

    /// Whether a batch would fit now (checked before a commit; another
    /// commit may take the room before this one appends).
    pub fn has_room(&self, items: &[(String, String)], _me: usize) -> bool {
        let _g = self.lock.lock(LockMode::Shared);
        let head = self.head.load(Ordering::Acquire);
        batch_end(head, items) - self.tail(head) <= RING_BYTES
    }

    /// Reads every entry `slot` has not read yet, advancing its position.
    pub fn read(&self, slot: usize) -> Vec<Notification> {
        let l = &self.listeners()[slot];
        l.wake_pending.store(0, Ordering::Release);
        if !self.has_pending(slot) {
            return Vec::new();
        }
        let _g = self.lock.lock(LockMode::Shared);
        let head = self.head.load(Ordering::Acquire);
        let mut pos = l.pos.load(Ordering::Acquire);
        let ring = self.ring();
        let mut out = Vec::new();
        while pos < head {
            let off = (pos % RING_BYTES) as usize;
            // SAFETY: [pos, head) is live and written completely before
            // `head` was published; the shared lock excludes appenders.
            let (len, pid, clen, plen) = unsafe { read_header(ring.add(off)) };
            if pid != 0 {
                // SAFETY: as above, the body follows the header in the ring.
                let body = unsafe {
                    std::slice::from_raw_parts(
                        ring.add(off + ENTRY_HEADER as usize),
                        clen as usize + plen as usize,
                    )
                };
                out.push(Notification {
                    sender_pid: pid,
                    channel: String::from_utf8_lossy(&body[..clen as usize]).into_owned(),
                    payload: String::from_utf8_lossy(&body[clen as usize..]).into_owned(),
                });
            }
            pos += len as u64;
        }
        l.pos.store(pos, Ordering::Release);
        out
    }
}

/// Where `head` ends after appending `items`, counting the fillers the
/// batch needs at the wrap.
fn batch_end(head: u64, items: &[(String, String)]) -> u64 {
    let mut end = head;
    for (c, p) in items {
        let len = entry_len(c, p);
        if end % RING_BYTES + len > RING_BYTES {
            end += RING_BYTES - end % RING_BYTES;
        }
        end += len;
    }
    end
}

/// # Safety
/// `p` must be 8-aligned with 16 writable bytes (8 for a filler).
unsafe fn write_header(p: *mut u8, len: u32, pid: i32, clen: u32, plen: u32) {
    // SAFETY: forwarded from the caller.
    unsafe {
        (p as *mut u32).write(len);
        (p.add(4) as *mut i32).write(pid);
        if pid != 0 {
            (p.add(8) as *mut u32).write(clen);
            (p.add(12) as *mut u32).write(plen);
        }
    }
}

/// # Safety
/// `p` must be 8-aligned and start a written entry.
unsafe fn read_header(p: *const u8) -> (u32, i32, u32, u32) {
    // SAFETY: forwarded from the caller; a filler's last 8 bytes are not
    // read.
    unsafe {
        let len = (p as *const u32).read();
        let pid = (p.add(4) as *const i32).read();
        if pid == 0 {
            return (len, 0, 0, 0);
        }
        (
            len,
            pid,
            (p.add(8) as *const u32).read(),
            (p.add(12) as *const u32).read(),
        )
    }
}

/// Wakes the backend of `slot` from a blocking system call with SIGUSR1:
/// kill() to its process, tgkill() to its thread in thread and pool modes.
pub fn signal_slot(slot: &crate::BackendSlot) {
    let pid = slot.pid.load(Ordering::Acquire);
    if pid <= 0 {
        return;
    }
    let thread =
        crate::ExecMode::from_u32(slot.mode.load(Ordering::Relaxed)) == crate::ExecMode::Thread;
    if thread {
        // A thread of this process, or of a carrier process (pool mode
        // with --carrier-processes); its SIGUSR1 handler does nothing.
        slot.signal_thread(libc::SIGUSR1);
    } else {
        // SAFETY: kill only sends a signal; a backend process handles
        // SIGUSR1 by returning from its handler.
        unsafe { libc::kill(pid, libc::SIGUSR1) };
    }
}

#[cfg(test)]
mod tests;
