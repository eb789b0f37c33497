//! Where a statement's results go (PostgreSQL's DestReceiver) and where
//! COPY FROM STDIN data comes from: the protocol layer implements both,
//! the executor and COPY write and read through them.

use bytes::Bytes;

use crate::error::{PgError, PgResult};
use crate::types::Value;

/// Where result rows, COPY data and notices go.
pub trait RowSink {
    /// One result row.
    fn row(&mut self, values: &[Value]) -> PgResult<()>;
    /// One COPY TO STDOUT line (text format, with its '\n').
    fn copy_out(&mut self, data: &[u8]) -> PgResult<()>;
    /// A NOTICE or WARNING.
    fn notice(&mut self, notice: PgError);
}

/// Where COPY FROM STDIN data comes from.
pub trait CopyInSource {
    /// The next CopyData payload, or None at CopyDone.
    fn next_chunk(&mut self) -> PgResult<Option<Bytes>>;
}
