//! Utilities every layer above access uses: the session's settings
//! (PostgreSQL's GUCs, `settings`), encoding names (`encoding`) and the
//! built-in data types' operators, casts, aggregates and regular
//! expressions (`adt`).

#![forbid(unsafe_code)]

pub mod adt;
pub mod encoding;
pub mod settings;
