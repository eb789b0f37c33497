//! Building backend messages in the session's output buffer.
//!
//! Everything a response consists of is appended to one buffer and written
//! with one system call when the client must see it (ReadyForQuery, Flush,
//! or when the buffer grows large), as PostgreSQL's pq_flush does. Messages
//! go through pgwire's encoders, except DataRow, which is built in place
//! from the values so that no intermediate row buffer is allocated.

use std::io;

use bytes::{BufMut, BytesMut};
use pgwire::messages::data::{FieldDescription, RowDescription};
use pgwire::messages::response::{CommandComplete, ReadyForQuery, TransactionStatus};
use pgwire::messages::Message;

use super::stream::ClientStream;
use crate::error::PgError;
use crate::nodes::Column;
use crate::types::{self, Oid, Value};

/// Output larger than this is written out while a result is produced.
pub const FLUSH_THRESHOLD: usize = 64 * 1024;

pub struct MessageWriter {
    pub buf: BytesMut,
}

impl Default for MessageWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageWriter {
    pub fn new() -> MessageWriter {
        MessageWriter {
            buf: BytesMut::with_capacity(16 * 1024),
        }
    }

    pub fn message<M: Message>(&mut self, m: &M) {
        // Encoding into a growable buffer fails only for oversized
        // messages, which the backend never builds.
        let r = m.encode(&mut self.buf);
        debug_assert!(r.is_ok());
    }

    pub fn error(&mut self, e: &PgError) {
        e.encode(&mut self.buf);
    }

    pub fn command_complete(&mut self, tag: &str) {
        self.message(&CommandComplete::new(tag.to_owned()));
    }

    pub fn ready_for_query(&mut self, status: u8) {
        let s = match status {
            b'T' => TransactionStatus::Transaction,
            b'E' => TransactionStatus::Error,
            _ => TransactionStatus::Idle,
        };
        self.message(&ReadyForQuery::new(s));
    }

    pub fn row_description(&mut self, columns: &[Column], formats: &[i16]) {
        let fields = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                FieldDescription::new(
                    c.name.clone(),
                    c.table_oid as i32,
                    c.column_id,
                    c.type_oid,
                    types::type_len(c.type_oid),
                    c.type_modifier,
                    format_for(formats, i),
                )
            })
            .collect();
        self.message(&RowDescription::new(fields));
    }

    /// Appends a DataRow, each value in the format chosen for its column
    /// (binary values by the send function of the column's type in
    /// `types`, when known).
    pub fn data_row(&mut self, values: &[Value], formats: &[i16], types: &[Oid]) {
        let buf = &mut self.buf;
        let start = buf.len();
        buf.put_u8(b'D');
        buf.put_i32(0);
        buf.put_i16(values.len() as i16);
        for (i, v) in values.iter().enumerate() {
            if matches!(v, Value::Null) {
                buf.put_i32(-1);
                continue;
            }
            let len_at = buf.len();
            buf.put_i32(0);
            if format_for(formats, i) == 1 {
                match types.get(i) {
                    Some(&t) => v.encode_binary_as(t, buf),
                    None => v.encode_binary(buf),
                }
            } else {
                v.encode_text(buf);
            }
            let n = (buf.len() - len_at - 4) as i32;
            buf[len_at..len_at + 4].copy_from_slice(&n.to_be_bytes());
        }
        let len = (buf.len() - start - 1) as i32;
        buf[start + 1..start + 5].copy_from_slice(&len.to_be_bytes());
    }

    /// Writes out everything buffered.
    pub fn flush(&mut self, stream: &ClientStream) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let r = stream.write_all(&self.buf);
        self.buf.clear();
        r
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }
}

/// The format code for column `i`: none given means text, one applies to
/// all columns, otherwise one per column.
pub fn format_for(formats: &[i16], i: usize) -> i16 {
    match formats.len() {
        0 => 0,
        1 => formats[0],
        _ => formats.get(i).copied().unwrap_or(0),
    }
}
