//! Where a statement's results go (PostgreSQL's DestReceiver) and where
//! COPY FROM STDIN data comes from: the protocol layer implements both,
//! the executor and COPY write and read through them.

use bytes::Bytes;

use crate::error::{PgError, PgResult};
use crate::fmgr::catalog::reg_out;
use crate::fmgr::FnCtx;
use crate::nodes::Column;
use crate::types::{self, Oid, Value};

/// Where result rows, COPY data and notices go.
pub trait RowSink {
    /// One result row.
    fn row(&mut self, values: &[Value]) -> PgResult<()>;
    /// One COPY TO STDOUT line (text format, with its '\n').
    fn copy_out(&mut self, data: &[u8]) -> PgResult<()>;
    /// A NOTICE or WARNING.
    fn notice(&mut self, notice: PgError);
    /// Whether column `col` goes to the client in text format (where
    /// the OID alias types are written as names).
    fn text_format(&self, _col: usize) -> bool {
        true
    }
    /// CLOSE: drops the portal (cursor) of that name, or every portal for
    /// CLOSE ALL (None); false when no portal has that name. Portals are
    /// the protocol layer's: a receiver without any has none to close.
    fn close_portal(&mut self, name: Option<&str>) -> bool {
        name.is_none()
    }
    /// Whether a protocol portal has that name (SQL cursors share their
    /// namespace with portals).
    fn portal_exists(&self, _name: &str) -> bool {
        false
    }
}

/// Writes the OID alias columns (regclass, regtype, ...) of result rows
/// as their names when they go out in text format, as their output
/// functions do in PostgreSQL (which need the catalog, so they run here
/// rather than in the protocol layer); binary format keeps the OID.
pub struct RegNames<'a> {
    pub inner: &'a mut dyn RowSink,
    /// (column, alias type) of every alias column.
    pub cols: Vec<(usize, Oid)>,
    pub ctx: FnCtx<'a>,
}

impl RegNames<'_> {
    /// The alias columns of a result.
    pub fn columns(columns: &[Column]) -> Vec<(usize, Oid)> {
        columns
            .iter()
            .enumerate()
            .filter(|(_, c)| types::is_reg_type(c.type_oid))
            .map(|(i, c)| (i, c.type_oid))
            .collect()
    }
}

impl RowSink for RegNames<'_> {
    fn row(&mut self, values: &[Value]) -> PgResult<()> {
        let mut row = values.to_vec();
        for &(i, t) in &self.cols {
            if !self.inner.text_format(i) {
                continue;
            }
            if let Some(Value::Oid(o)) = row.get(i) {
                row[i] = Value::Text(reg_out(&self.ctx, t, *o));
            }
        }
        self.inner.row(&row)
    }

    fn copy_out(&mut self, data: &[u8]) -> PgResult<()> {
        self.inner.copy_out(data)
    }

    fn notice(&mut self, notice: PgError) {
        self.inner.notice(notice)
    }

    fn text_format(&self, col: usize) -> bool {
        self.inner.text_format(col)
    }

    fn portal_exists(&self, name: &str) -> bool {
        self.inner.portal_exists(name)
    }

    fn close_portal(&mut self, name: Option<&str>) -> bool {
        self.inner.close_portal(name)
    }
}

/// Where COPY FROM STDIN data comes from.
pub trait CopyInSource {
    /// The next CopyData payload, or None at CopyDone.
    fn next_chunk(&mut self) -> PgResult<Option<Bytes>>;
}
