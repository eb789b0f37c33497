//! Reading frontend messages: framing, validation of the length word,
//! and decoding with pgwire's codecs.
//!
//! The length word is checked before anything is buffered, so a client
//! cannot make a backend allocate more than PostgreSQL would allow
//! (1 GiB - 1). pgwire's decoders index into the message body; a body
//! whose inner counts disagree with its length could make them panic, so
//! decoding runs under `catch_unwind` and such a message is reported as a
//! protocol violation (FATAL 08P01), as any other malformed input.

use std::io;

use bytes::BytesMut;
use pgwire::messages::{DecodeContext, PgWireFrontendMessage, ProtocolVersion};

use super::stream::ClientStream;
use crate::error::{sqlstate, PgError};
use crate::interrupts;

thread_local! {
    /// Set while a message is being decoded under `catch_unwind`.
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is decoding a client message: a panic then
/// is the client's malformed input, caught and answered with 08P01, and
/// the panic hook need not log it (or build a backtrace for it).
pub fn decoding_client_message() -> bool {
    DECODING.with(|d| d.get())
}

/// PostgreSQL's PQ_LARGE_MESSAGE_LIMIT.
pub const MAX_MESSAGE_LEN: usize = 0x3fff_ffff - 1;
/// PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
pub const MAX_STARTUP_LEN: usize = 10_000;
/// How much one read asks for (at least), and so the buffer's capacity
/// when it is allocated.
pub const READ_CHUNK: usize = 16 * 1024;

/// Why no message could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection.
    Eof,
    /// The read timed out (startup timeout).
    Timeout,
    Io(io::Error),
    /// Malformed input: report this FATAL error and close.
    Protocol(PgError),
    /// Termination was requested while waiting for the client.
    Terminate,
}

pub fn protocol_violation(msg: impl Into<String>) -> PgError {
    PgError::fatal(sqlstate::PROTOCOL_VIOLATION, msg)
}

/// Buffers input from the client and splits it into messages.
pub struct MessageReader {
    buf: BytesMut,
    ctx: DecodeContext,
    /// Longest regular message accepted (smaller while authenticating).
    max_len: usize,
    /// Monotonic ns when the first byte of the message just read arrived
    /// (0: it was buffered behind the previous one).
    pub first_byte_ns: u64,
    /// Monotonic ns when the read that brought the first buffered byte
    /// returned (0: what is buffered was left by the previous message's
    /// read, pipelined behind it).
    buffered_since_ns: u64,
}

impl Default for MessageReader {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageReader {
    pub fn new() -> MessageReader {
        let mut ctx = DecodeContext::new(ProtocolVersion::PROTOCOL3_0);
        ctx.awaiting_frontend_ssl = false;
        ctx.awaiting_frontend_startup = false;
        MessageReader {
            buf: BytesMut::with_capacity(READ_CHUNK),
            ctx,
            max_len: MAX_MESSAGE_LEN,
            first_byte_ns: 0,
            buffered_since_ns: 0,
        }
    }

    /// Sets the longest regular message accepted from now on, at most
    /// [`MAX_MESSAGE_LEN`] (authentication allows only short ones).
    pub fn set_max_message_len(&mut self, len: usize) {
        self.max_len = len.min(MAX_MESSAGE_LEN);
    }

    /// Bytes received but not yet taken as messages.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The input buffer's capacity (0 after [`release`](Self::release)
    /// until the next read).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Gives the input buffer back to the allocator when nothing is
    /// buffered (a parked pooled session): the next read allocates it
    /// again ([`READ_CHUNK`], or what the message being read needs).
    /// Returns whether it was released.
    pub fn release(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        self.buf = BytesMut::new();
        true
    }

    /// Reads more input; Ok(false) at end of file.
    fn fill(&mut self, stream: &ClientStream, want: usize) -> Result<bool, ReadError> {
        let start = self.buf.len();
        let want = want.clamp(READ_CHUNK, 1 << 20);
        loop {
            match stream.read_append(&mut self.buf, want) {
                Ok(0) => return Ok(false),
                Ok(_) => {
                    if start == 0 {
                        self.buffered_since_ns = shmem::time::monotonic_ns();
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if interrupts::terminate_pending() {
                        return Err(ReadError::Terminate);
                    }
                }
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::TimedOut =>
                {
                    return Err(ReadError::Timeout);
                }
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// Takes what the socket already holds, without waiting: true if a
    /// read will not block now (input was buffered, or the socket is at
    /// end of file or failed, which the next [`next`](Self::next)
    /// reports), false if the socket holds nothing (or is under TLS).
    /// An idle wait that must also watch for notifications (idle_wait.rs)
    /// tries this first, so that a client's next message that is already
    /// there costs one recv, not a poll and two signal-mask changes too.
    pub fn fill_if_ready(&mut self, stream: &ClientStream) -> bool {
        let start = self.buf.len();
        match stream.read_ready_append(&mut self.buf, READ_CHUNK) {
            Ok(n) => {
                if start == 0 && n > 0 {
                    self.buffered_since_ns = shmem::time::monotonic_ns();
                }
                true
            }
            Err(e) => !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ),
        }
    }

    /// Reads exactly one length-prefixed packet of the startup phase (no
    /// type byte), returning its bytes including the length word.
    pub fn read_startup_packet(&mut self, stream: &ClientStream) -> Result<BytesMut, ReadError> {
        loop {
            if self.buf.len() >= 4 {
                let len = i32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
                if len < 8 || len as usize > MAX_STARTUP_LEN {
                    return Err(ReadError::Protocol(protocol_violation(
                        "invalid length of startup packet",
                    )));
                }
                if self.buf.len() >= len as usize {
                    self.buffered_since_ns = 0;
                    return Ok(self.buf.split_to(len as usize));
                }
            }
            if !self.fill(stream, 0)? {
                return Err(ReadError::Eof);
            }
        }
    }

    /// Reads the next regular message. Afterwards `first_byte_ns` is when
    /// the read that brought its first byte returned, or 0 if the message
    /// was already buffered (pipelined behind the previous one), whose
    /// reading then took no time worth a clock reading.
    pub fn next(&mut self, stream: &ClientStream) -> Result<PgWireFrontendMessage, ReadError> {
        loop {
            if self.buf.len() >= 5 {
                let len = i32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
                if len < 4 || len as usize > self.max_len {
                    return Err(ReadError::Protocol(protocol_violation(format!(
                        "invalid message length {len}"
                    ))));
                }
                let total = 1 + len as usize;
                if self.buf.len() >= total {
                    return self.decode(total);
                }
                let missing = total - self.buf.len();
                if !self.fill(stream, missing)? {
                    return Err(ReadError::Eof);
                }
                continue;
            }
            if !self.fill(stream, 0)? {
                return Err(ReadError::Eof);
            }
        }
    }

    fn decode(&mut self, total: usize) -> Result<PgWireFrontendMessage, ReadError> {
        let mut msg = self.buf.split_to(total);
        // What is left came with this message's reads.
        self.first_byte_ns = std::mem::take(&mut self.buffered_since_ns);
        let ty = msg[0];
        let ctx = &self.ctx;
        DECODING.with(|d| d.set(true));
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            PgWireFrontendMessage::decode(&mut msg, ctx)
        }));
        DECODING.with(|d| d.set(false));
        match res {
            Ok(Ok(Some(m))) => Ok(m),
            Ok(Err(pgwire::error::PgWireError::InvalidMessageType(t))) => Err(ReadError::Protocol(
                protocol_violation(format!("invalid frontend message type {t}")),
            )),
            Ok(Err(e)) => Err(ReadError::Protocol(protocol_violation(format!(
                "invalid message format: {e}"
            )))),
            Ok(Ok(None)) | Err(_) => Err(ReadError::Protocol(protocol_violation(format!(
                "invalid message format (message type {})",
                ty as char
            )))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    fn query(sql: &str) -> Vec<u8> {
        let mut m = vec![b'Q'];
        m.extend_from_slice(&((sql.len() + 5) as i32).to_be_bytes());
        m.extend_from_slice(sql.as_bytes());
        m.push(0);
        m
    }

    #[test]
    fn fill_if_ready_takes_what_is_there_without_waiting() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let stream = ClientStream::Unix(a);
        let mut r = MessageReader::new();
        // Nothing sent: the read would block, so it is not made.
        assert!(!r.fill_if_ready(&stream));
        assert_eq!(r.buffered(), 0);
        // Two messages and half a third in one write: all taken at once.
        let mut bytes = query("SELECT 1");
        bytes.extend(query("SELECT 2"));
        let third = query("SELECT 3");
        bytes.extend_from_slice(&third[..4]);
        b.write_all(&bytes).unwrap();
        assert!(r.fill_if_ready(&stream));
        assert_eq!(r.buffered(), bytes.len());
        for want in ["SELECT 1", "SELECT 2"] {
            match r.next(&stream).unwrap() {
                PgWireFrontendMessage::Query(q) => assert_eq!(q.query, want),
                m => panic!("{m:?}"),
            }
        }
        // The rest of the third arrives later; next() waits for it.
        b.write_all(&third[4..]).unwrap();
        match r.next(&stream).unwrap() {
            PgWireFrontendMessage::Query(q) => assert_eq!(q.query, "SELECT 3"),
            m => panic!("{m:?}"),
        }
        // End of file: a read would not block; next() reports it.
        drop(b);
        assert!(r.fill_if_ready(&stream));
        assert!(matches!(r.next(&stream), Err(ReadError::Eof)));
    }

    #[test]
    fn a_released_buffer_is_allocated_again_by_the_next_read() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let stream = ClientStream::Unix(a);
        let mut r = MessageReader::new();
        let first = query("SELECT 1");
        b.write_all(&first[..3]).unwrap();
        assert!(r.fill_if_ready(&stream));
        // Part of a message is buffered: it must stay.
        assert!(!r.release());
        assert_eq!(r.buffered(), 3);
        b.write_all(&first[3..]).unwrap();
        assert!(matches!(
            r.next(&stream).unwrap(),
            PgWireFrontendMessage::Query(_)
        ));
        assert!(r.release());
        assert_eq!(r.capacity(), 0);
        // A message far larger than one read, after the release.
        let big = format!("SELECT '{}'", "x".repeat(1 << 20));
        let bytes = query(&big);
        let writer = std::thread::spawn(move || b.write_all(&bytes).map(|_| b));
        match r.next(&stream).unwrap() {
            PgWireFrontendMessage::Query(q) => assert_eq!(q.query, big),
            m => panic!("{m:?}"),
        }
        let mut b = writer.join().unwrap().unwrap();
        assert_eq!(r.buffered(), 0);
        // Released again, then a small one.
        assert!(r.release());
        b.write_all(&query("SELECT 2")).unwrap();
        match r.next(&stream).unwrap() {
            PgWireFrontendMessage::Query(q) => assert_eq!(q.query, "SELECT 2"),
            m => panic!("{m:?}"),
        }
    }
}
