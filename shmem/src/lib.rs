//! pgfork's shared-memory segment and everything that lives in it.
//!
//! One segment per server, created by the postmaster before any backend
//! exists. Process-mode backends inherit the mapping through fork(), so the
//! segment sits at the same address in every process; thread-mode backends
//! simply share the postmaster's mapping. Either way nothing in the segment
//! holds a pointer: structures are `#[repr(C)]`, located by offsets recorded
//! in the [`segment::ShmemHeader`], and synchronized only with atomics and
//! futexes (see [`lwlock`]), never with `std::sync` types, whose state is
//! not valid across processes.
//!
//! The rules for using each structure are in `shmem/README.md`.

pub mod backend_table;
pub mod buffer;
pub mod datadir;
pub mod futex;
pub mod latency;
pub mod lockmgr;
pub mod lwlock;
pub mod notify_queue;
pub mod relstats;
pub mod segment;
pub mod sinval;
pub mod smgr;
pub mod time;
pub mod waitstats;
pub mod wal;
pub mod xact;

pub use backend_table::{BackendSlot, BackendState, BackendTable, ExecMode};
pub use datadir::DataDir;
pub use lwlock::LWLock;
pub use segment::{Segment, SegmentConfig, SegmentError, ShmemHeader};
