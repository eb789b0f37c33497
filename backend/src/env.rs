//! What a backend knows about its server and itself: the server's
//! configuration, the shared segment and the backend's own slot in the
//! backend table. Built by the postmaster side before the session starts
//! and handed to [`crate::protocol::run_session`].

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;

use shmem::{BackendSlot, ExecMode, Segment};

/// Server-wide settings fixed at start (the command line).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub socket_dir: PathBuf,
    pub port: u16,
    /// `process` or `thread` (prefork is process mode with a pool).
    pub mode: ExecMode,
    pub prefork: usize,
    pub max_connections: usize,
    /// Bytes of shared buffers.
    pub shared_buffers: usize,
    /// Per-query phase timing on (`--stats on`, the default).
    pub stats: bool,
    /// `--trace FILE`: every query's phases as Chrome trace events.
    pub trace: Option<PathBuf>,
    /// `--synchronous-commit`: the default of synchronous_commit.
    pub synchronous_commit: bool,
    /// `--debug-faults`: sessions may inject faults (`crate::faults`).
    pub debug_faults: bool,
    /// `--mode pool`: sessions run on carrier threads (`mode` is
    /// `Thread`: a session's slot is signalled as a thread's).
    pub pool: bool,
}

impl ServerConfig {
    /// A configuration for unit tests (no data directory, stats off).
    #[cfg(test)]
    pub(crate) fn for_tests(mode: ExecMode) -> ServerConfig {
        ServerConfig {
            data_dir: Default::default(),
            socket_dir: Default::default(),
            port: 5432,
            mode,
            prefork: 0,
            max_connections: 100,
            shared_buffers: 128 << 20,
            stats: false,
            trace: None,
            synchronous_commit: true,
            debug_faults: false,
            pool: false,
        }
    }

    /// What `SHOW pgfork.mode` answers: `process`, `thread` or `pool`.
    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            ExecMode::Thread if self.pool => "pool",
            ExecMode::Thread => "thread",
            _ => "process",
        }
    }
}

/// One backend's view of the server.
#[derive(Clone)]
pub struct BackendEnv {
    pub config: Arc<ServerConfig>,
    pub segment: Segment,
    /// Index of this backend's slot in the backend table.
    pub slot_index: usize,
    /// This backend's slot (pid, state, query text, interrupts).
    pub slot: &'static BackendSlot,
    /// How this backend runs (process, prefork or thread).
    pub exec_mode: ExecMode,
}
