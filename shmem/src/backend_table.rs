//! The backend table: one slot per backend, in shared memory.
//!
//! It plays the parts of PostgreSQL's PGPROC array (who is running, how to
//! interrupt it, what it holds) and of its backend status array (what
//! `pg_stat_activity` shows). The postmaster allocates a slot before it
//! forks a backend (or spawns its thread) and frees it when the backend is
//! gone, so a backend killed by a signal never leaks its slot.
//!
//! Rules:
//! - `alloc` (a compare-and-swap on `in_use`) and `free` are done by the
//!   postmaster, or by a thread-mode backend's own thread on exit.
//! - Every other field is written only by the backend owning the slot,
//!   except `interrupts`, which anybody may set to ask the owner to cancel
//!   its query or terminate.
//! - The text fields (user, database, application, query) are written under
//!   a change counter, as PostgreSQL's `st_changecount`: odd while a write
//!   is in progress; a reader retries until it sees the same even value
//!   before and after copying. Text is stored in atomic words, so a torn
//!   read is detected and retried, never undefined behaviour.
//! - `lwlocks_held`, `pins_held` and `critical` tell the postmaster whether
//!   a backend that died by a signal may have left shared state
//!   inconsistent (see postmaster/README.md).

use std::sync::atomic::{fence, AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering};

/// Longest query text kept, in bytes (PostgreSQL's track_activity_query_size
/// defaults to 1024).
pub const QUERY_TEXT_LEN: usize = 1024;
/// Longest user, database and application name kept, in bytes.
pub const NAME_LEN: usize = 64;

/// Requested via [`BackendSlot::interrupts`]: cancel the running query.
pub const INTERRUPT_CANCEL: u32 = 1;
/// Requested via [`BackendSlot::interrupts`]: end the session (57P01).
pub const INTERRUPT_TERMINATE: u32 = 2;
/// Set by the backend process's statement timer when the running
/// statement's statement_timeout expires (57014).
pub const INTERRUPT_TIMEOUT: u32 = 4;

/// What the backend is doing, as `pg_stat_activity.state` shows it.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendState {
    /// Slot allocated, session not yet ready for queries.
    Starting = 0,
    Idle = 1,
    Active = 2,
    IdleInTransaction = 3,
    IdleInTransactionAborted = 4,
    /// A pre-forked backend waiting for a client.
    Pooled = 5,
    /// A pre-forked backend chosen by the postmaster for a client whose
    /// socket is on its way.
    Assigned = 6,
    /// An auxiliary process or thread of the server (the checkpointer),
    /// not a client backend.
    Auxiliary = 7,
}

impl BackendState {
    pub fn from_u32(v: u32) -> BackendState {
        match v {
            1 => BackendState::Idle,
            2 => BackendState::Active,
            3 => BackendState::IdleInTransaction,
            4 => BackendState::IdleInTransactionAborted,
            5 => BackendState::Pooled,
            6 => BackendState::Assigned,
            7 => BackendState::Auxiliary,
            _ => BackendState::Starting,
        }
    }

    /// The text `pg_stat_activity.state` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendState::Starting => "starting",
            BackendState::Idle => "idle",
            BackendState::Active => "active",
            BackendState::IdleInTransaction => "idle in transaction",
            BackendState::IdleInTransactionAborted => "idle in transaction (aborted)",
            BackendState::Pooled => "pooled",
            BackendState::Assigned => "assigned",
            BackendState::Auxiliary => "auxiliary",
        }
    }

    /// Whether a client is attached (counts against max_connections).
    pub fn has_client(self) -> bool {
        !matches!(
            self,
            BackendState::Pooled | BackendState::Assigned | BackendState::Auxiliary
        )
    }
}

/// How a backend runs.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecMode {
    /// Forked for its client (PostgreSQL's model).
    Process = 0,
    /// A thread of the postmaster's process.
    Thread = 1,
    /// Forked ahead of time and handed its client's socket.
    Prefork = 2,
}

impl ExecMode {
    pub fn from_u32(v: u32) -> ExecMode {
        match v {
            1 => ExecMode::Thread,
            2 => ExecMode::Prefork,
            _ => ExecMode::Process,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExecMode::Process => "process",
            ExecMode::Thread => "thread",
            ExecMode::Prefork => "prefork",
        }
    }
}

/// A fixed-size text field in atomic words.
#[repr(C)]
pub struct TextField<const WORDS: usize> {
    len: AtomicU32,
    words: [AtomicU64; WORDS],
}

impl<const WORDS: usize> TextField<WORDS> {
    const CAP: usize = WORDS * 8;

    /// Stores `s`, truncated on a character boundary to the capacity.
    /// Callers hold the slot's change counter odd.
    fn store(&self, s: &str) {
        let mut n = s.len().min(Self::CAP);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        let bytes = &s.as_bytes()[..n];
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.words[i].store(u64::from_ne_bytes(w), Ordering::Relaxed);
        }
        self.len.store(n as u32, Ordering::Relaxed);
    }

    fn load(&self) -> String {
        let n = (self.len.load(Ordering::Relaxed) as usize).min(Self::CAP);
        let mut out = Vec::with_capacity(n);
        for w in self.words.iter().take(n.div_ceil(8)) {
            out.extend_from_slice(&w.load(Ordering::Relaxed).to_ne_bytes());
        }
        out.truncate(n);
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// One backend's entry. Aligned to two cache lines so that backends do not
/// share lines when they update their own counters.
#[repr(C, align(128))]
pub struct BackendSlot {
    /// 0 = free, 1 = allocated.
    in_use: AtomicU32,
    pub state: AtomicU32,
    pub mode: AtomicU32,
    /// Process id (the backend's own in process mode, the server's in
    /// thread mode).
    pub pid: AtomicI32,
    /// Kernel thread id of the backend's thread (equals `pid` in process
    /// mode); a thread-mode backend is signalled with tgkill(tgid, tid).
    pub tid: AtomicI32,
    /// The id of the process whose thread `tid` is (0 = unknown: the
    /// signaller's own). Differs from the signaller's in pool mode with
    /// carrier processes, where a session runs on a thread of one carrier
    /// process and is cancelled from another.
    pub tgid: AtomicI32,
    /// A carrier process's own slot (pool mode with
    /// `--carrier-processes`): the sessions handed to it and not yet
    /// ended. The postmaster adds one per hand-off, the carrier process
    /// subtracts one per ended session; the postmaster hands each new
    /// client to the carrier process with the fewest.
    pub carried: AtomicU32,
    /// Pool mode: non-zero while the session is parked (idle, no carrier
    /// runs it; `tid` then names the I/O thread that watches its socket).
    pub parked: AtomicU32,
    /// The key a client must present to cancel this backend's queries.
    pub cancel_key: AtomicI32,
    /// INTERRUPT_* bits, set by anybody, cleared by the owner.
    pub interrupts: AtomicU32,
    /// LWLocks currently held (maintained by [`crate::lwlock`]).
    pub lwlocks_held: AtomicU32,
    /// Shared buffers currently pinned.
    pub pins_held: AtomicU32,
    /// Non-zero inside a critical section: a change to shared state that
    /// must not be interrupted half-done.
    pub critical: AtomicU32,
    /// What the backend waits for outside the lock manager (a
    /// `wal::WaitEvent` code, 0 = nothing), for `pg_stat_activity`;
    /// written by the owner only.
    pub wait_event: AtomicU32,
    pub backend_start_us: AtomicI64,
    pub xact_start_us: AtomicI64,
    pub query_start_us: AtomicI64,
    pub state_change_us: AtomicI64,
    /// Monotonic time of the accept() that brought this backend's client.
    pub accept_ns: AtomicU64,
    /// The backend's simple-protocol statement cache
    /// (`pgfork_stat_plan_cache`); written by the owner only.
    pub plan_cache: PlanCacheCounters,
    changecount: AtomicU32,
    usename: TextField<{ NAME_LEN / 8 }>,
    datname: TextField<{ NAME_LEN / 8 }>,
    application_name: TextField<{ NAME_LEN / 8 }>,
    query: TextField<{ QUERY_TEXT_LEN / 8 }>,
}

/// Counters of a backend's statement cache (the backend's
/// `tcop::plancache`), written by the owner with relaxed stores, read by
/// any backend for `pgfork_stat_plan_cache`.
#[repr(C)]
#[derive(Default)]
pub struct PlanCacheCounters {
    /// Statements served from the cache (no parse, analysis or plan).
    pub hits: AtomicU64,
    /// Cacheable statements planned and stored (they were not cached).
    pub misses: AtomicU64,
    /// Entries dropped because what they depend on changed (the catalog,
    /// a setting, the role, a relation's statistics).
    pub invalidations: AtomicU64,
    /// Entries dropped to keep the cache within its size.
    pub evictions: AtomicU64,
    /// Entries held now.
    pub entries: AtomicU64,
    /// Statements run from a literal-normalized entry.
    pub normalized_hits: AtomicU64,
    /// Statements planned with their literals because their normalized
    /// entry's plan depends on them.
    pub normalized_custom: AtomicU64,
    /// Statements with literals the normalizer declined.
    pub normalized_declines: AtomicU64,
}

impl PlanCacheCounters {
    pub fn reset(&self) {
        for c in [
            &self.hits,
            &self.misses,
            &self.invalidations,
            &self.evictions,
            &self.entries,
            &self.normalized_hits,
            &self.normalized_custom,
            &self.normalized_declines,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// A consistent copy of a slot's fields, for `pg_stat_activity`.
#[derive(Clone, Debug)]
pub struct BackendSnapshot {
    pub index: usize,
    pub pid: i32,
    pub tid: i32,
    /// Pool mode: parked, no carrier runs the session now.
    pub parked: bool,
    pub mode: ExecMode,
    pub state: BackendState,
    pub backend_start_us: i64,
    pub xact_start_us: i64,
    pub query_start_us: i64,
    pub state_change_us: i64,
    /// A `wal::WaitEvent` code, 0 = none.
    pub wait_event: u32,
    pub usename: String,
    pub datname: String,
    pub application_name: String,
    pub query: String,
}

impl BackendSlot {
    pub fn is_in_use(&self) -> bool {
        self.in_use.load(Ordering::Acquire) != 0
    }

    pub fn get_state(&self) -> BackendState {
        BackendState::from_u32(self.state.load(Ordering::Acquire))
    }

    /// Sets the state and, for `Active`, the query text and start time.
    pub fn set_state(&self, state: BackendState, query: Option<&str>) {
        let now = crate::time::wall_clock_us();
        if let Some(q) = query {
            self.write_text(|s| s.query.store(q));
            self.query_start_us.store(now, Ordering::Relaxed);
        }
        self.state_change_us.store(now, Ordering::Relaxed);
        self.state.store(state as u32, Ordering::Release);
    }

    /// Records the session's identity after startup.
    pub fn set_identity(&self, user: &str, database: &str, application_name: &str) {
        self.write_text(|s| {
            s.usename.store(user);
            s.datname.store(database);
            s.application_name.store(application_name);
        });
    }

    fn write_text(&self, f: impl FnOnce(&Self)) {
        self.changecount.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::Release);
        f(self);
        self.changecount.fetch_add(1, Ordering::Release);
    }

    /// Asks the owner to cancel or terminate (INTERRUPT_* bits). The caller
    /// then signals the owner so that a blocking system call returns.
    pub fn request_interrupt(&self, bits: u32) {
        self.interrupts.fetch_or(bits, Ordering::AcqRel);
    }

    /// Sends `sig` to the thread `tid` of process `tgid` (the caller's
    /// process when `tgid` is 0), as tgkill(2): a thread-mode or pool-mode
    /// backend, in this process or in a carrier process.
    pub fn signal_thread(&self, sig: i32) {
        let tid = self.tid.load(Ordering::Acquire);
        if tid <= 0 {
            return;
        }
        let tgid = match self.tgid.load(Ordering::Acquire) {
            // SAFETY: getpid has no preconditions.
            0 => unsafe { libc::getpid() },
            t => t,
        };
        // SAFETY: tgkill only sends a signal, to thread `tid` only if it
        // belongs to process `tgid`; backends' threads handle the signals
        // sent this way (SIGUSR1) by returning from the handler.
        unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, sig) };
    }

    /// Takes (and clears) the pending interrupt bits.
    pub fn take_interrupts(&self) -> u32 {
        if self.interrupts.load(Ordering::Relaxed) == 0 {
            return 0;
        }
        self.interrupts.swap(0, Ordering::AcqRel)
    }

    pub fn pending_interrupts(&self) -> u32 {
        self.interrupts.load(Ordering::Relaxed)
    }

    /// Whether the owner, if it died now, could leave shared state
    /// inconsistent: it holds an LWLock, a buffer pin, or is inside a
    /// critical section.
    pub fn holds_shared_resources(&self) -> bool {
        self.lwlocks_held.load(Ordering::Acquire) != 0
            || self.pins_held.load(Ordering::Acquire) != 0
            || self.critical.load(Ordering::Acquire) != 0
    }

    /// A consistent copy of the slot (retrying around concurrent writes).
    pub fn snapshot(&self, index: usize) -> BackendSnapshot {
        loop {
            let before = self.changecount.load(Ordering::Acquire);
            if before & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let snap = BackendSnapshot {
                index,
                pid: self.pid.load(Ordering::Relaxed),
                tid: self.tid.load(Ordering::Relaxed),
                parked: self.parked.load(Ordering::Relaxed) != 0,
                mode: ExecMode::from_u32(self.mode.load(Ordering::Relaxed)),
                state: self.get_state(),
                backend_start_us: self.backend_start_us.load(Ordering::Relaxed),
                xact_start_us: self.xact_start_us.load(Ordering::Relaxed),
                query_start_us: self.query_start_us.load(Ordering::Relaxed),
                wait_event: self.wait_event.load(Ordering::Relaxed),
                state_change_us: self.state_change_us.load(Ordering::Relaxed),
                usename: self.usename.load(),
                datname: self.datname.load(),
                application_name: self.application_name.load(),
                query: self.query.load(),
            };
            fence(Ordering::Acquire);
            if self.changecount.load(Ordering::Relaxed) == before {
                return snap;
            }
        }
    }

    /// Clears every field for the next backend. Called with the slot
    /// allocated but its previous owner gone.
    fn reset(&self) {
        self.state
            .store(BackendState::Starting as u32, Ordering::Relaxed);
        self.pid.store(0, Ordering::Relaxed);
        self.tid.store(0, Ordering::Relaxed);
        self.tgid.store(0, Ordering::Relaxed);
        self.carried.store(0, Ordering::Relaxed);
        self.parked.store(0, Ordering::Relaxed);
        self.cancel_key.store(0, Ordering::Relaxed);
        self.interrupts.store(0, Ordering::Relaxed);
        self.lwlocks_held.store(0, Ordering::Relaxed);
        self.pins_held.store(0, Ordering::Relaxed);
        self.critical.store(0, Ordering::Relaxed);
        self.wait_event.store(0, Ordering::Relaxed);
        self.backend_start_us.store(0, Ordering::Relaxed);
        self.xact_start_us.store(0, Ordering::Relaxed);
        self.query_start_us.store(0, Ordering::Relaxed);
        self.state_change_us.store(0, Ordering::Relaxed);
        self.accept_ns.store(0, Ordering::Relaxed);
        self.plan_cache.reset();
        self.write_text(|s| {
            s.usename.store("");
            s.datname.store("");
            s.application_name.store("");
            s.query.store("");
        });
    }
}

/// The table: a count and the slots.
#[repr(C)]
pub struct BackendTable {
    nslots: u32,
    /// Slots in use (allocated and not yet freed).
    in_use_count: AtomicU32,
    /// Where [`alloc`](Self::alloc) starts looking: every slot below it
    /// was in use when it was last set (a hint; the search wraps around).
    alloc_hint: AtomicU32,
    _pad: [u32; 29],
    // followed by `nslots` BackendSlot
}

impl BackendTable {
    pub fn shmem_size(cfg: &crate::segment::SegmentConfig) -> usize {
        std::mem::size_of::<BackendTable>()
            + cfg.max_backends.max(1) * std::mem::size_of::<BackendSlot>()
    }

    /// # Safety
    /// `ptr` addresses `shmem_size(cfg)` zeroed, 128-byte aligned bytes.
    pub unsafe fn shmem_init(ptr: *mut u8, cfg: &crate::segment::SegmentConfig) {
        // SAFETY: forwarded from the caller; zero is a valid value for every
        // field of the slots (atomics and counters).
        unsafe { (*(ptr as *mut BackendTable)).nslots = cfg.max_backends.max(1) as u32 };
    }

    /// # Safety
    /// `ptr` must address a table initialized by `shmem_init` that lives
    /// for the rest of the process.
    pub unsafe fn from_ptr(ptr: *mut u8) -> &'static BackendTable {
        // SAFETY: forwarded from the caller.
        unsafe { &*(ptr as *const BackendTable) }
    }

    pub fn slots(&self) -> &[BackendSlot] {
        // SAFETY: `nslots` slots follow the table header in the region
        // (shmem_size), 128-byte aligned since the header is 128 bytes.
        unsafe {
            let first = (self as *const BackendTable).add(1) as *const BackendSlot;
            std::slice::from_raw_parts(first, self.nslots as usize)
        }
    }

    pub fn slot(&self, idx: usize) -> &BackendSlot {
        &self.slots()[idx]
    }

    /// Claims a free slot, resetting its fields. Returns its index: the
    /// lowest free one at or above the hint (the lowest free one when
    /// slots are freed and allocated by one process at a time), so that
    /// with 10,000 sessions connected a new one does not test them all.
    pub fn alloc(&self, mode: ExecMode) -> Option<usize> {
        let slots = self.slots();
        let hint = (self.alloc_hint.load(Ordering::Relaxed) as usize).min(slots.len());
        for i in (hint..slots.len()).chain(0..hint) {
            let s = &slots[i];
            if s.in_use.load(Ordering::Relaxed) == 0
                && s.in_use
                    .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                self.in_use_count.fetch_add(1, Ordering::Relaxed);
                let _ = self.alloc_hint.compare_exchange(
                    hint as u32,
                    i as u32 + 1,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
                s.reset();
                s.mode.store(mode as u32, Ordering::Relaxed);
                return Some(i);
            }
        }
        None
    }

    /// Returns a slot to the free list once its backend is gone.
    pub fn free(&self, idx: usize) {
        let s = self.slot(idx);
        s.state
            .store(BackendState::Starting as u32, Ordering::Relaxed);
        s.pid.store(0, Ordering::Relaxed);
        s.in_use.store(0, Ordering::Release);
        self.in_use_count.fetch_sub(1, Ordering::Relaxed);
        self.alloc_hint.fetch_min(idx as u32, Ordering::Relaxed);
    }

    /// Number of backends with a client attached.
    pub fn client_count(&self) -> usize {
        self.slots()
            .iter()
            .filter(|s| s.is_in_use() && s.get_state().has_client())
            .count()
    }

    /// Whether fewer than `limit` backends have a client attached. Reads
    /// one counter (slots in use, an upper bound of the clients) unless
    /// that reaches `limit`; only then does it count the clients, so that
    /// the postmaster does not scan 10,000 slots for every connection.
    pub fn clients_below(&self, limit: usize) -> bool {
        (self.in_use_count.load(Ordering::Relaxed) as usize) < limit || self.client_count() < limit
    }

    /// The slot whose backend has process id `pid` and cancel key `key`.
    pub fn find_by_cancel_key(&self, pid: i32, key: i32) -> Option<&BackendSlot> {
        self.slots().iter().find(|s| {
            s.is_in_use()
                && s.pid.load(Ordering::Acquire) == pid
                && s.cancel_key.load(Ordering::Acquire) == key
        })
    }

    /// A consistent copy of every slot in use.
    pub fn snapshot(&self) -> Vec<BackendSnapshot> {
        self.slots()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_in_use())
            .map(|(i, s)| s.snapshot(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{SegmentConfig, SegmentOwner};

    fn cfg(port: u16) -> SegmentConfig {
        SegmentConfig {
            port,
            max_backends: 8,
            shared_buffers: 0,
            mode: 0,
        }
    }

    #[test]
    fn slots_are_allocated_and_freed() {
        let (_owner, seg) =
            SegmentOwner::create(&cfg(61001), crate::datadir::testing::scratch()).unwrap();
        let t = seg.backend_table();
        let a = t.alloc(ExecMode::Process).unwrap();
        let b = t.alloc(ExecMode::Thread).unwrap();
        assert_ne!(a, b);
        t.slot(a).set_state(BackendState::Idle, None);
        t.slot(b).set_state(BackendState::Pooled, None);
        assert_eq!(t.client_count(), 1);
        t.free(a);
        assert_eq!(t.client_count(), 0);
        assert_eq!(t.alloc(ExecMode::Process), Some(a));
    }

    #[test]
    fn text_is_visible_to_a_forked_child_writer() {
        let (_owner, seg) =
            SegmentOwner::create(&cfg(61002), crate::datadir::testing::scratch()).unwrap();
        let t = seg.backend_table();
        let idx = t.alloc(ExecMode::Process).unwrap();
        // SAFETY: the child only touches the shared segment and exits with
        // _exit, running no destructors of the parent's state.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let s = t.slot(idx);
                s.pid.store(std::process::id() as i32, Ordering::Relaxed);
                s.set_identity("alice", "db", "app");
                s.set_state(BackendState::Active, Some("select 'é' from t"));
                // SAFETY: _exit is async-signal-safe and skips destructors.
                unsafe { libc::_exit(0) };
            }
            nix::unistd::ForkResult::Parent { child } => {
                nix::sys::wait::waitpid(child, None).unwrap();
                let snap = t.slot(idx).snapshot(idx);
                assert_eq!(snap.pid, child.as_raw());
                assert_eq!(snap.usename, "alice");
                assert_eq!(snap.state, BackendState::Active);
                assert_eq!(snap.query, "select 'é' from t");
            }
        }
    }

    #[test]
    fn long_text_is_truncated_on_a_char_boundary() {
        let (_owner, seg) =
            SegmentOwner::create(&cfg(61003), crate::datadir::testing::scratch()).unwrap();
        let t = seg.backend_table();
        let idx = t.alloc(ExecMode::Process).unwrap();
        let q = "é".repeat(QUERY_TEXT_LEN);
        t.slot(idx).set_state(BackendState::Active, Some(&q));
        let got = t.slot(idx).snapshot(idx).query;
        assert!(got.len() <= QUERY_TEXT_LEN && got.chars().all(|c| c == 'é'));
    }
}
