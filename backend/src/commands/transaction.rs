//! Transaction blocks as the client sees them: BEGIN/COMMIT/ROLLBACK,
//! savepoints, the failed-block state and the ReadyForQuery status byte,
//! with PostgreSQL's warnings and errors. Settings changed inside a block
//! are restored when it (or a savepoint) rolls back. The MVCC side of
//! the same events (xids, subtransactions, snapshots, locks) is
//! `access::xact`, driven by the engine (`tcop`).

use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::utils::settings::{Settings, Snapshot};

/// 3B001 invalid_savepoint_specification.
const INVALID_SAVEPOINT: &str = "3B001";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockState {
    /// No block: each statement is its own transaction.
    Idle,
    InBlock,
    /// An error happened in the block; only ROLLBACK (or COMMIT, which
    /// rolls back) and ROLLBACK TO SAVEPOINT are accepted.
    Failed,
}

struct Savepoint {
    name: String,
    settings: Snapshot,
}

/// The session's transaction block state.
pub struct Transaction {
    pub state: BlockState,
    savepoints: Vec<Savepoint>,
    settings_at_begin: Option<Snapshot>,
}

/// A WARNING notice.
pub fn warning(code: &'static str, msg: &str) -> PgError {
    PgError {
        severity: Severity::Warning,
        ..PgError::new(code, msg)
    }
}

fn no_transaction() -> PgError {
    warning(
        sqlstate::NO_ACTIVE_SQL_TRANSACTION,
        "there is no transaction in progress",
    )
}

/// 25P02, for statements sent to a failed block.
pub fn aborted_error() -> PgError {
    PgError::new(
        sqlstate::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

impl Default for Transaction {
    fn default() -> Self {
        Transaction::new()
    }
}

impl Transaction {
    pub fn new() -> Transaction {
        Transaction {
            state: BlockState::Idle,
            savepoints: Vec::new(),
            settings_at_begin: None,
        }
    }

    /// The ReadyForQuery status byte.
    pub fn status_byte(&self) -> u8 {
        match self.state {
            BlockState::Idle => b'I',
            BlockState::InBlock => b'T',
            BlockState::Failed => b'E',
        }
    }

    pub fn in_block(&self) -> bool {
        self.state != BlockState::Idle
    }

    /// BEGIN. Returns a warning when a block is already open.
    pub fn begin(&mut self, settings: &Settings) -> Option<PgError> {
        match self.state {
            BlockState::Idle => {
                self.state = BlockState::InBlock;
                self.settings_at_begin = Some(settings.snapshot());
                self.savepoints.clear();
                None
            }
            _ => Some(warning(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                "there is already a transaction in progress",
            )),
        }
    }

    fn end(&mut self, settings: &mut Settings, commit: bool) {
        if let (false, Some(s)) = (commit, self.settings_at_begin.take()) {
            settings.restore(s);
        }
        settings.end_transaction();
        self.settings_at_begin = None;
        self.savepoints.clear();
        self.state = BlockState::Idle;
    }

    /// COMMIT [AND CHAIN]: the tag ("COMMIT", or "ROLLBACK" for a failed
    /// block) and an optional warning.
    pub fn commit(
        &mut self,
        settings: &mut Settings,
        chain: bool,
    ) -> PgResult<(&'static str, Option<PgError>)> {
        match self.state {
            BlockState::Idle if chain => Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "COMMIT AND CHAIN can only be used in transaction blocks",
            )),
            BlockState::Idle => Ok(("COMMIT", Some(no_transaction()))),
            BlockState::InBlock => {
                self.end(settings, true);
                if chain {
                    self.begin(settings);
                }
                Ok(("COMMIT", None))
            }
            BlockState::Failed => {
                self.end(settings, false);
                if chain {
                    self.begin(settings);
                }
                Ok(("ROLLBACK", None))
            }
        }
    }

    /// ROLLBACK [AND CHAIN].
    pub fn rollback(
        &mut self,
        settings: &mut Settings,
        chain: bool,
    ) -> PgResult<(&'static str, Option<PgError>)> {
        if self.state == BlockState::Idle {
            if chain {
                return Err(PgError::new(
                    sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                    "ROLLBACK AND CHAIN can only be used in transaction blocks",
                ));
            }
            return Ok(("ROLLBACK", Some(no_transaction())));
        }
        self.end(settings, false);
        if chain {
            self.begin(settings);
        }
        Ok(("ROLLBACK", None))
    }

    /// SAVEPOINT name.
    pub fn savepoint(&mut self, name: &str, settings: &Settings) -> PgResult<()> {
        if self.state != BlockState::InBlock {
            return Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "SAVEPOINT can only be used in transaction blocks",
            ));
        }
        self.savepoints.push(Savepoint {
            name: name.to_owned(),
            settings: settings.snapshot(),
        });
        Ok(())
    }

    fn find(&self, name: &str) -> PgResult<usize> {
        self.savepoints
            .iter()
            .rposition(|s| s.name == name)
            .ok_or_else(|| {
                PgError::new(
                    INVALID_SAVEPOINT,
                    format!("savepoint \"{name}\" does not exist"),
                )
            })
    }

    /// RELEASE [SAVEPOINT] name: forgets it and every later savepoint.
    /// Returns its depth (1 = the outermost savepoint).
    pub fn release(&mut self, name: &str) -> PgResult<usize> {
        if self.state == BlockState::Idle {
            return Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "RELEASE SAVEPOINT can only be used in transaction blocks",
            ));
        }
        let i = self.find(name)?;
        self.savepoints.truncate(i);
        Ok(i + 1)
    }

    /// ROLLBACK TO [SAVEPOINT] name: undoes back to it (keeping it) and
    /// leaves a failed state. Returns its depth (1 = the outermost).
    pub fn rollback_to(&mut self, name: &str, settings: &mut Settings) -> PgResult<usize> {
        if self.state == BlockState::Idle {
            return Err(PgError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "ROLLBACK TO SAVEPOINT can only be used in transaction blocks",
            ));
        }
        let i = self.find(name)?;
        self.savepoints.truncate(i + 1);
        settings.restore(self.savepoints[i].settings.clone());
        self.state = BlockState::InBlock;
        Ok(i + 1)
    }

    /// A statement failed: an open block becomes a failed one.
    pub fn fail(&mut self) {
        if self.state == BlockState::InBlock {
            self.state = BlockState::Failed;
        }
    }

    /// Open savepoints.
    pub fn savepoint_depth(&self) -> usize {
        self.savepoints.len()
    }

    /// Abandons any block (DISCARD ALL, session reset).
    pub fn abort(&mut self, settings: &mut Settings) {
        if self.in_block() {
            self.end(settings, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::new(&crate::env::ServerConfig::for_tests(
            shmem::ExecMode::Process,
        ))
    }

    #[test]
    fn status_transitions() {
        let mut s = settings();
        let mut t = Transaction::new();
        assert_eq!(t.status_byte(), b'I');
        assert!(t.begin(&s).is_none());
        assert_eq!(t.status_byte(), b'T');
        assert_eq!(t.begin(&s).unwrap().code, "25001");
        t.fail();
        assert_eq!(t.status_byte(), b'E');
        assert_eq!(t.commit(&mut s, false).unwrap().0, "ROLLBACK");
        assert_eq!(t.status_byte(), b'I');
        let (tag, w) = t.commit(&mut s, false).unwrap();
        assert_eq!((tag, w.unwrap().code), ("COMMIT", "25P01"));
        assert_eq!(
            t.rollback(&mut s, false).unwrap().1.unwrap().severity,
            Severity::Warning
        );
    }

    #[test]
    fn savepoints_restore_state_and_settings() {
        let mut s = settings();
        let mut t = Transaction::new();
        assert_eq!(t.savepoint("a", &s).unwrap_err().code, "25P01");
        t.begin(&s);
        s.set("application_name", Some("x"), false).unwrap();
        t.savepoint("a", &s).unwrap();
        s.set("application_name", Some("y"), false).unwrap();
        t.fail();
        t.rollback_to("a", &mut s).unwrap();
        assert_eq!(t.status_byte(), b'T');
        assert_eq!(s.get("application_name").unwrap().unwrap(), "x");
        assert_eq!(t.release("nope").unwrap_err().code, "3B001");
        t.release("a").unwrap();
        t.rollback(&mut s, false).unwrap();
        assert_eq!(s.get("application_name").unwrap().unwrap(), "");
    }
}
