//! One pgfork connection's life: the PostgreSQL protocol, SQL, planning,
//! execution and access methods.
//!
//! The same code runs in a forked backend process, in a pre-forked one
//! that was handed its client's socket, and in a thread of the server
//! process: [`protocol::run_session`] is the entry point for all three.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(unsafe_code)]

pub mod access;
pub mod analyze;
pub mod catalog;
pub mod commands;
pub mod env;
pub mod error;
pub mod executor;
pub mod faults;
pub mod fmgr;
pub mod interrupts;
pub mod livequery;
pub mod nodes;
pub mod optimizer;
pub mod parser;
pub mod pl;
pub mod protocol;
pub mod recovery;
pub mod stack;
pub mod tcop;
pub mod types;
pub mod utils;

pub use env::{BackendEnv, ServerConfig};
pub use error::{PgError, PgResult};
