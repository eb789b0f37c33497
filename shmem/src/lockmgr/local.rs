//! The per-backend lock table (PostgreSQL's LOCALLOCK): counts the
//! acquisitions of each (tag, mode) by this backend, so that acquiring a
//! lock the transaction already holds touches no shared memory. Plain
//! process- or thread-local memory, never in the segment.

use std::collections::HashMap;

use super::{Acquired, LockError, LockManager, LockMode, LockTag, WaitPolicy};

/// One backend's locks, as it sees them.
#[derive(Debug)]
pub struct LocalLocks {
    backend: usize,
    /// (tag, mode) → acquisitions not yet released; the shared table holds
    /// one count for each entry.
    held: HashMap<(LockTag, LockMode), u32>,
}

impl LocalLocks {
    /// The table of backend-table slot `backend`.
    pub fn new(backend: usize) -> LocalLocks {
        LocalLocks {
            backend,
            held: HashMap::new(),
        }
    }

    /// The backend-table slot this table belongs to.
    pub fn backend(&self) -> usize {
        self.backend
    }

    /// Takes `mode` on `tag`: only counts if this backend already holds it
    /// through this table, else asks the shared lock manager.
    pub fn acquire(
        &mut self,
        lm: &LockManager,
        tag: LockTag,
        mode: LockMode,
        policy: &WaitPolicy,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Acquired, LockError> {
        if let Some(n) = self.held.get_mut(&(tag, mode)) {
            *n += 1;
            return Ok(Acquired::default());
        }
        let a = lm.acquire(self.backend, tag, mode, policy, interrupted)?;
        self.held.insert((tag, mode), 1);
        Ok(a)
    }

    /// Whether this backend holds `mode` on `tag` (through this table).
    pub fn holds(&self, tag: LockTag, mode: LockMode) -> bool {
        self.held.contains_key(&(tag, mode))
    }

    /// Releases one acquisition; the shared lock goes when the last one
    /// does. Releasing a lock not held does nothing.
    pub fn release(&mut self, lm: &LockManager, tag: LockTag, mode: LockMode) {
        let Some(n) = self.held.get_mut(&(tag, mode)) else {
            return;
        };
        *n -= 1;
        if *n == 0 {
            self.held.remove(&(tag, mode));
            lm.release(self.backend, tag, mode);
        }
    }

    /// Releases every lock of the backend, in the shared table too
    /// (including any taken directly through [`LockManager::acquire`]), and
    /// cancels any wait (end of transaction).
    pub fn release_all(&mut self, lm: &LockManager) {
        lm.release_all(self.backend);
        self.held.clear();
    }

    /// As [`LocalLocks::release_all`], but one acquisition of each (tag,
    /// mode) for which `keep` says true stays held in the shared table
    /// (session-level locks, which this table does not count).
    pub fn release_all_keeping(
        &mut self,
        lm: &LockManager,
        keep: &dyn Fn(LockTag, LockMode) -> bool,
    ) {
        lm.release_all_keeping(self.backend, keep);
        self.held.clear();
    }

    /// The locks held through this table, with their counts.
    pub fn iter(&self) -> impl Iterator<Item = (LockTag, LockMode, u32)> + '_ {
        self.held.iter().map(|(&(t, m), &n)| (t, m, n))
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}
