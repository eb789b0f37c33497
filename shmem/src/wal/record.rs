//! The format of a WAL record.
//!
//! ```text
//! 0  tot_len u32   header + payload, without the alignment padding
//! 4  crc     u32   CRC-32 of bytes 8 .. tot_len
//! 8  lsn     u64   the record's own position in the stream
//! 16 kind    u8
//! 17 flags   u8
//! 18 (zero)  u16
//! 20 xid     u32   the transaction that wrote it (0 if none)
//! 24 payload
//! ```
//!
//! Records start on 8-byte boundaries. A record is valid only if its CRC
//! matches and its `lsn` is where it was read: that rejects a torn write,
//! zeroes, and the old records of a recycled segment file alike. All
//! integers are little-endian.

use super::Lsn;

pub const HEADER_LEN: usize = 24;

/// What a record describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A change to one page: its new bytes (a delta) or its whole image.
    Page = 1,
    /// A transaction committed: its xid (header) and subtransaction xids.
    Commit = 2,
    /// A transaction aborted (informational: no commit record means abort).
    Abort = 3,
    /// A checkpoint: its redo point, the next xid and the xids running.
    Checkpoint = 4,
    /// A relation file was created.
    SmgrCreate = 5,
    /// A relation file was truncated to a number of blocks.
    SmgrTruncate = 6,
    /// A relation file was removed.
    SmgrDrop = 7,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        Some(match v {
            1 => Kind::Page,
            2 => Kind::Commit,
            3 => Kind::Abort,
            4 => Kind::Checkpoint,
            5 => Kind::SmgrCreate,
            6 => Kind::SmgrTruncate,
            7 => Kind::SmgrDrop,
            _ => return None,
        })
    }
}

/// A record being built (reusable: [`Record::reset`] keeps the buffer).
pub struct Record {
    buf: Vec<u8>,
}

impl Record {
    pub fn new(kind: Kind, xid: u32) -> Record {
        let mut r = Record {
            buf: Vec::with_capacity(256),
        };
        r.reset(kind, xid);
        r
    }

    /// Starts a new record in the same buffer.
    pub fn reset(&mut self, kind: Kind, xid: u32) {
        self.buf.clear();
        self.buf.resize(HEADER_LEN, 0);
        self.buf[16] = kind as u8;
        self.buf[20..24].copy_from_slice(&xid.to_le_bytes());
    }

    pub fn put_u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    pub fn put_u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn put_u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn put_u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn put_bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }

    pub fn payload_len(&self) -> usize {
        self.buf.len() - HEADER_LEN
    }

    pub(crate) fn aligned_len(&self) -> usize {
        self.buf.len().next_multiple_of(8)
    }

    /// Fills in the length, position and CRC once the position is known.
    pub(crate) fn seal(&mut self, lsn: Lsn) {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_le_bytes());
        self.buf[8..16].copy_from_slice(&lsn.to_le_bytes());
        let crc = crc32fast::hash(&self.buf[8..]);
        self.buf[4..8].copy_from_slice(&crc.to_le_bytes());
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }
}

/// The fixed header of a record, as read.
#[derive(Clone, Copy, Debug)]
pub struct Header {
    pub tot_len: usize,
    crc: u32,
    pub lsn: Lsn,
    pub kind: Kind,
    pub xid: u32,
}

/// Parses a header read at `at`; `None` if it cannot start a valid record
/// there (zeroes, another position, an unknown kind, an absurd length).
pub fn parse_header(b: &[u8; HEADER_LEN], at: Lsn) -> Option<Header> {
    let tot_len = u32::from_le_bytes(b[0..4].try_into().ok()?) as usize;
    let lsn = u64::from_le_bytes(b[8..16].try_into().ok()?);
    if lsn != at || !(HEADER_LEN..=super::MAX_RECORD).contains(&tot_len) {
        return None;
    }
    Some(Header {
        tot_len,
        crc: u32::from_le_bytes(b[4..8].try_into().ok()?),
        lsn,
        kind: Kind::from_u8(b[16])?,
        xid: u32::from_le_bytes(b[20..24].try_into().ok()?),
    })
}

/// Checks the CRC of a whole record (`bytes.len() == h.tot_len`).
pub fn crc_ok(h: &Header, bytes: &[u8]) -> bool {
    bytes.len() == h.tot_len && crc32fast::hash(&bytes[8..]) == h.crc
}

/// Reads a payload front to back; running past its end is corruption.
pub struct Cursor<'a> {
    b: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(b: &'a [u8]) -> Cursor<'a> {
        Cursor { b }
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.b.len() < n {
            return None;
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Some(h)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.bytes(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
    }

    pub fn rest(&self) -> &'a [u8] {
        self.b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_record_parses_and_checks() {
        let mut r = Record::new(Kind::Commit, 42);
        r.put_u32(2).put_u32(43).put_u32(44);
        r.seal(4096);
        let b = r.bytes().to_vec();
        let h = parse_header(b[..HEADER_LEN].try_into().unwrap(), 4096).unwrap();
        assert_eq!((h.kind, h.xid, h.tot_len), (Kind::Commit, 42, 36));
        assert!(crc_ok(&h, &b));
        // Read at another position: not a record there.
        assert!(parse_header(b[..HEADER_LEN].try_into().unwrap(), 4104).is_none());
        // A flipped payload bit fails the CRC.
        let mut bad = b.clone();
        bad[30] ^= 1;
        assert!(!crc_ok(&h, &bad));
        assert!(parse_header(&[0; HEADER_LEN], 0).is_none());
    }
}
