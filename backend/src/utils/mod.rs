//! Utilities every layer above access uses: the session's settings
//! (PostgreSQL's GUCs, `settings`), encoding names (`encoding`), the
//! built-in data types' operators, casts, aggregates and regular
//! expressions (`adt`); and the sort that interrupts can stop (`sort`).

#![forbid(unsafe_code)]

pub mod adt;
pub mod encoding;
pub mod settings;
pub mod sort;
