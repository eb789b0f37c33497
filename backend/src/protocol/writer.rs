//! Building backend messages in the session's output buffer.
//!
//! Everything a response consists of is appended to one buffer and written
//! with one system call when the client must see it (ReadyForQuery, Flush,
//! or when the buffer grows large), as PostgreSQL's pq_flush does. Messages
//! go through pgwire's encoders, except the three of every statement:
//! DataRow, built in place from the values so that no intermediate row
//! buffer is allocated, and CommandComplete and ReadyForQuery, written in
//! place (no message struct, no copy of the tag).
//!
//! A pipeline (Parse/Bind/Execute... Sync) is answered with one write at
//! its Sync: nothing between flushes but an error of the extended
//! protocol, which is sent at once as PostgreSQL does (session.rs).

use std::io;

use bytes::{BufMut, BytesMut};
use pgwire::messages::Message;

use super::stream::ClientStream;
use crate::error::PgError;
use crate::nodes::Column;
use crate::types::{self, Oid, Value};

/// Output larger than this is written out while a result is produced.
pub const FLUSH_THRESHOLD: usize = 64 * 1024;
/// The output buffer's capacity when it is allocated.
pub const WRITE_CHUNK: usize = 16 * 1024;

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
            buf: BytesMut::with_capacity(WRITE_CHUNK),
        }
    }

    /// Gives the output buffer back to the allocator when everything was
    /// written out (a parked pooled session); see [`reserve`](Self::reserve).
    /// Returns whether it was released.
    pub fn release(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        self.buf = BytesMut::new();
        true
    }

    /// Allocates the output buffer again after [`release`](Self::release)
    /// (messages would grow it anyway; this saves the first few
    /// reallocations of a result).
    pub fn reserve(&mut self) {
        if self.buf.capacity() < WRITE_CHUNK {
            self.buf.reserve(WRITE_CHUNK);
        }
    }

    /// The output buffer's capacity.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
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

    /// CommandComplete, written in place (the tag is not copied into a
    /// message struct first: this runs once per statement).
    pub fn command_complete(&mut self, tag: &str) {
        let buf = &mut self.buf;
        buf.put_u8(b'C');
        buf.put_i32((4 + tag.len() + 1) as i32);
        buf.put_slice(tag.as_bytes());
        buf.put_u8(0);
    }

    /// ReadyForQuery with the transaction status byte (`I`, `T` or `E`;
    /// anything else is reported as idle).
    pub fn ready_for_query(&mut self, status: u8) {
        let s = match status {
            b'T' | b'E' => status,
            _ => b'I',
        };
        self.buf.put_slice(&[b'Z', 0, 0, 0, 5, s]);
    }

    /// RowDescription, written in place (no FieldDescription structs and
    /// copied names: it is sent for every query that returns rows).
    pub fn row_description(&mut self, columns: &[Column], formats: &[i16]) {
        let buf = &mut self.buf;
        let start = begin_message(buf, b'T');
        buf.put_i16(columns.len() as i16);
        for (i, c) in columns.iter().enumerate() {
            buf.put_slice(c.name.as_bytes());
            buf.put_u8(0);
            buf.put_i32(c.table_oid as i32);
            buf.put_i16(c.column_id);
            buf.put_u32(c.type_oid);
            buf.put_i16(types::type_len(c.type_oid));
            buf.put_i32(c.type_modifier);
            buf.put_i16(format_for(formats, i));
        }
        end_message(buf, start);
    }

    /// Appends a DataRow, each value in the format chosen for its column
    /// (binary values by the send function of the column's type in
    /// `types`, when known).
    pub fn data_row(&mut self, values: &[Value], formats: &[i16], types: &[Oid]) {
        let buf = &mut self.buf;
        let start = begin_message(buf, b'D');
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
        end_message(buf, start);
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

/// Starts a backend message of type `tag` whose length word
/// [`end_message`] fills in; returns where the message starts.
fn begin_message(buf: &mut BytesMut, tag: u8) -> usize {
    let start = buf.len();
    buf.put_u8(tag);
    buf.put_i32(0);
    start
}

/// Writes the length word of the message begun at `start`.
fn end_message(buf: &mut BytesMut, start: usize) {
    let len = (buf.len() - start - 1) as i32;
    buf[start + 1..start + 5].copy_from_slice(&len.to_be_bytes());
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

#[cfg(test)]
mod tests {
    use super::*;
    use pgwire::messages::response::{CommandComplete, ReadyForQuery, TransactionStatus};

    fn encoded<M: Message>(m: &M) -> Vec<u8> {
        let mut b = BytesMut::new();
        m.encode(&mut b).unwrap();
        b.to_vec()
    }

    #[test]
    fn command_complete_as_pgwire_encodes_it() {
        for tag in ["SELECT 1", "INSERT 0 100", "", "BEGIN"] {
            let mut w = MessageWriter::new();
            w.command_complete(tag);
            assert_eq!(
                w.buf.to_vec(),
                encoded(&CommandComplete::new(tag.to_owned()))
            );
        }
    }

    #[test]
    fn ready_for_query_as_pgwire_encodes_it() {
        for (status, s) in [
            (b'I', TransactionStatus::Idle),
            (b'T', TransactionStatus::Transaction),
            (b'E', TransactionStatus::Error),
            (b'?', TransactionStatus::Idle),
        ] {
            let mut w = MessageWriter::new();
            w.ready_for_query(status);
            assert_eq!(w.buf.to_vec(), encoded(&ReadyForQuery::new(s)));
        }
    }

    #[test]
    fn row_description_as_pgwire_encodes_it() {
        use pgwire::messages::data::{FieldDescription, RowDescription};
        let mut named = Column::new("abalance", crate::types::oid::INT4, -1);
        named.table_oid = 16_385;
        named.column_id = 3;
        let columns = vec![
            named,
            Column::new("?column?", crate::types::oid::TEXT, -1),
            Column::new("n", crate::types::oid::NUMERIC, 655_366),
        ];
        for formats in [&[][..], &[1], &[0, 1, 0]] {
            let mut w = MessageWriter::new();
            w.row_description(&columns, formats);
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
            assert_eq!(w.buf.to_vec(), encoded(&RowDescription::new(fields)));
        }
        let mut w = MessageWriter::new();
        w.row_description(&[], &[]);
        assert_eq!(w.buf.to_vec(), encoded(&RowDescription::new(vec![])));
    }

    #[test]
    fn a_released_buffer_refuses_unsent_output_and_comes_back() {
        let mut w = MessageWriter::new();
        w.command_complete("SELECT 1");
        assert!(!w.release(), "unsent output must stay");
        w.buf.clear();
        assert!(w.release());
        assert_eq!(w.capacity(), 0);
        w.reserve();
        assert!(w.capacity() >= WRITE_CHUNK);
        w.ready_for_query(b'I');
        assert_eq!(
            w.buf.to_vec(),
            encoded(&ReadyForQuery::new(TransactionStatus::Idle))
        );
    }
}
