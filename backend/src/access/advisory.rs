//! Session-level advisory locks (pg_advisory_lock and its family): the
//! session's own count of each advisory lock it holds, which outlives
//! transactions. In the shared lock manager each held (key, mode) costs one
//! acquisition whatever the count here; the transaction end keeps exactly
//! that one (`LockManager::release_all_keeping`). Transaction-level
//! advisory locks need nothing here: they are ordinary locks of the
//! transaction, released with its other locks.

use std::collections::HashMap;

use shmem::lockmgr::{LockError, LockManager, LockMode, LockTag, WaitPolicy};

use crate::error::{sqlstate, PgError, Severity};

/// The session's advisory locks and the warnings its unlocks left for the
/// client.
#[derive(Debug, Default)]
pub struct SessionAdvisory {
    held: HashMap<(LockTag, LockMode), u32>,
    warnings: Vec<PgError>,
}

/// The lock tag of a bigint key: its high and low 32 bits, kind 1.
pub fn bigint_key(key: i64) -> LockTag {
    LockTag::Advisory((key >> 32) as u32, key as u32, 1)
}

/// The lock tag of a two-int key, kind 2.
pub fn int_pair_key(a: i32, b: i32) -> LockTag {
    LockTag::Advisory(a as u32, b as u32, 2)
}

impl SessionAdvisory {
    /// Whether the session holds `mode` on `tag` (at session level).
    pub fn holds(&self, tag: LockTag, mode: LockMode) -> bool {
        self.held.contains_key(&(tag, mode))
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Takes one more session-level acquisition: counted here if already
    /// held, else taken in the shared lock manager (waiting as `policy`
    /// says). Ok(false): busy and `policy.nowait`.
    pub fn lock(
        &mut self,
        lm: &LockManager,
        backend: usize,
        tag: LockTag,
        mode: LockMode,
        policy: &WaitPolicy,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<bool, LockError> {
        if let Some(n) = self.held.get_mut(&(tag, mode)) {
            *n += 1;
            return Ok(true);
        }
        match lm.acquire(backend, tag, mode, policy, interrupted) {
            Ok(_) => {
                self.held.insert((tag, mode), 1);
                Ok(true)
            }
            Err(LockError::NotAvailable) if policy.nowait => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Gives back one session-level acquisition; false, with a WARNING for
    /// the client, if the session holds none.
    pub fn unlock(
        &mut self,
        lm: &LockManager,
        backend: usize,
        tag: LockTag,
        mode: LockMode,
    ) -> bool {
        let Some(n) = self.held.get_mut(&(tag, mode)) else {
            self.warnings.push(PgError {
                severity: Severity::Warning,
                ..PgError::new(
                    sqlstate::WARNING,
                    format!("you don't own a lock of type {}", mode.name()),
                )
            });
            return false;
        };
        *n -= 1;
        if *n == 0 {
            self.held.remove(&(tag, mode));
            lm.release(backend, tag, mode);
        }
        true
    }

    /// Releases every session-level advisory lock (pg_advisory_unlock_all,
    /// DISCARD ALL, the end of the session).
    pub fn unlock_all(&mut self, lm: &LockManager, backend: usize) {
        for (tag, mode) in std::mem::take(&mut self.held).into_keys() {
            lm.release(backend, tag, mode);
        }
    }

    /// The warnings left since the last call.
    pub fn take_warnings(&mut self) -> Vec<PgError> {
        std::mem::take(&mut self.warnings)
    }
}
