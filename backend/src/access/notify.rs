//! LISTEN, UNLISTEN and NOTIFY of one session, PostgreSQL's async.c on
//! the backend side: the channels the session listens on, and what its
//! open transaction asked for, applied at commit and forgotten at
//! rollback (or at ROLLBACK TO for what a rolled-back savepoint asked).
//!
//! At commit the listen actions take effect first (so a transaction that
//! LISTENs and NOTIFYs gets its own notification, as in PostgreSQL), then
//! the notifications go into the shared queue (`shmem::notify_queue`) in
//! one all-or-nothing append, and every listening backend that is behind
//! is signalled. The queue's room is checked before the commit record is
//! written, so a full queue fails the transaction (54000).

use std::collections::BTreeSet;

use shmem::notify_queue::{self, Notification, QueueError};
use shmem::Segment;

use crate::error::{sqlstate, PgError, PgResult};

/// Channel names are identifiers: at most NAMEDATALEN - 1 bytes.
const MAX_CHANNEL: usize = 63;

#[derive(Clone, Debug, PartialEq)]
enum Action {
    Listen(String),
    Unlisten(String),
    UnlistenAll,
}

/// The session's notification state.
#[derive(Default)]
pub struct SessionNotify {
    /// Channels listened on, as of the last commit.
    listening: BTreeSet<String>,
    /// LISTEN/UNLISTEN of the open transaction, with their savepoint level.
    actions: Vec<(usize, Action)>,
    /// NOTIFYs of the open transaction (folded), with their level.
    notifies: Vec<(usize, String, String)>,
    /// Current savepoint level (0 = top).
    level: usize,
}

/// Checks NOTIFY's arguments as pg_notify does.
pub fn check_notify(channel: &str, payload: &str) -> PgResult<()> {
    if channel.is_empty() {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "channel name cannot be empty",
        ));
    }
    if channel.len() > MAX_CHANNEL {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "channel name too long",
        ));
    }
    if payload.len() >= notify_queue::MAX_PAYLOAD {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "payload string too long",
        ));
    }
    Ok(())
}

impl SessionNotify {
    /// NOTIFY channel, payload: queued for commit; a duplicate of one
    /// already queued in this transaction is dropped.
    pub fn notify(&mut self, channel: &str, payload: &str) -> PgResult<()> {
        check_notify(channel, payload)?;
        if !self
            .notifies
            .iter()
            .any(|(_, c, p)| c == channel && p == payload)
        {
            self.notifies
                .push((self.level, channel.to_owned(), payload.to_owned()));
        }
        Ok(())
    }

    pub fn listen(&mut self, channel: &str) {
        self.actions
            .push((self.level, Action::Listen(channel.to_owned())));
    }

    /// UNLISTEN channel (None: UNLISTEN *).
    pub fn unlisten(&mut self, channel: Option<&str>) {
        let a = match channel {
            Some(c) => Action::Unlisten(c.to_owned()),
            None => Action::UnlistenAll,
        };
        self.actions.push((self.level, a));
    }

    /// The channels listened on (pg_listening_channels), as of the last
    /// commit.
    pub fn channels(&self) -> Vec<String> {
        self.listening.iter().cloned().collect()
    }

    pub fn is_listening(&self) -> bool {
        !self.listening.is_empty()
    }

    /// A savepoint opened (`depth` open savepoints now).
    pub fn set_level(&mut self, depth: usize) {
        self.level = depth;
    }

    /// RELEASE: what levels above `depth` asked for now belongs to it.
    pub fn release_to(&mut self, depth: usize) {
        for (l, _) in &mut self.actions {
            *l = (*l).min(depth);
        }
        for (l, _, _) in &mut self.notifies {
            *l = (*l).min(depth);
        }
        self.level = depth;
    }

    /// ROLLBACK TO: forgets what levels from `depth` on asked for.
    pub fn rollback_to(&mut self, depth: usize) {
        self.actions.retain(|(l, _)| *l < depth);
        self.notifies.retain(|(l, _, _)| *l < depth);
        self.level = depth;
    }

    /// Before the commit record: fails (54000) when the queue has no room
    /// for the transaction's notifications.
    pub fn pre_commit(&self, segment: &Segment, slot: usize) -> PgResult<()> {
        if self.notifies.is_empty() {
            return Ok(());
        }
        let items = self.items();
        if !segment.notify_queue().has_room(&items, slot) {
            return Err(queue_full());
        }
        Ok(())
    }

    fn items(&self) -> Vec<(String, String)> {
        self.notifies
            .iter()
            .map(|(_, c, p)| (c.clone(), p.clone()))
            .collect()
    }

    /// The transaction committed: applies its LISTEN/UNLISTEN, then
    /// publishes its notifications and wakes the listeners behind.
    pub fn at_commit(&mut self, segment: &Segment, slot: usize, pid: i32) {
        let changed = !self.actions.is_empty();
        for (_, a) in std::mem::take(&mut self.actions) {
            match a {
                Action::Listen(c) => {
                    self.listening.insert(c);
                }
                Action::Unlisten(c) => {
                    self.listening.remove(&c);
                }
                Action::UnlistenAll => self.listening.clear(),
            }
        }
        let q = segment.notify_queue();
        if changed && self.listening.is_empty() {
            q.unlisten(slot);
        } else if changed {
            q.listen(slot);
        }
        let items = self.items();
        self.notifies.clear();
        self.level = 0;
        match q.append(pid, &items, slot) {
            Ok(wake) => {
                let table = segment.backend_table();
                for s in wake {
                    notify_queue::signal_slot(table.slot(s));
                }
            }
            // Room was checked before the commit; another transaction
            // took it since. The commit stands; its notifications are lost.
            Err(QueueError::Full) => {
                tracing::warn!("{}", queue_full().message);
            }
        }
    }

    /// The transaction rolled back: forgets what it asked for.
    pub fn at_abort(&mut self) {
        self.actions.clear();
        self.notifies.clear();
        self.level = 0;
    }

    /// The session ends (or is reset for another client): stops listening.
    pub fn reset(&mut self, segment: &Segment, slot: usize) {
        self.at_abort();
        self.listening.clear();
        segment.notify_queue().unlisten(slot);
    }

    /// Notifications committed since the last call, on channels this
    /// session listens on, in commit order.
    pub fn take_delivered(&self, segment: &Segment, slot: usize) -> Vec<Notification> {
        if self.listening.is_empty() {
            return Vec::new();
        }
        let mut got = segment.notify_queue().read(slot);
        got.retain(|n| self.listening.contains(&n.channel));
        got
    }
}

fn queue_full() -> PgError {
    PgError::new(
        sqlstate::PROGRAM_LIMIT_EXCEEDED,
        "too many notifications in the NOTIFY queue",
    )
}
