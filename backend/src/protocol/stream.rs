//! The client's socket, Unix-domain or TCP (plain or under TLS), as one
//! type that can be read and written through a shared reference (so the
//! reading and the writing halves of a session can be borrowed
//! independently).
//!
//! The plain variants read and write the socket directly, with no copy
//! beyond the session's own buffers; only TLS connections go through
//! rustls's buffers (boxed, so the enum stays two words).

use std::io::{self, Write};

use bytes::BytesMut;
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use super::tls::TlsStream;

pub enum ClientStream {
    Unix(UnixStream),
    Tcp(TcpStream),
    /// A TCP connection after the client's SSLRequest and the handshake.
    Tls(Box<TlsStream>),
}

impl ClientStream {
    pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        match self {
            ClientStream::Unix(s) => s.set_read_timeout(d),
            ClientStream::Tcp(s) => s.set_read_timeout(d),
            ClientStream::Tls(s) => s.tcp().set_read_timeout(d),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, ClientStream::Unix(_))
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, ClientStream::Tls(_))
    }

    /// The client's address for the server log: `host=ADDR port=PORT`
    /// for TCP, `[local]` for the Unix socket, as PostgreSQL writes them.
    pub fn peer(&self) -> String {
        match self {
            ClientStream::Unix(_) => "[local]".to_owned(),
            ClientStream::Tcp(s) => tcp_peer(s),
            ClientStream::Tls(s) => tcp_peer(s.tcp()),
        }
    }

    /// Reads what is available (at least one byte, or 0 at end of file),
    /// at most `max` bytes, appending them to `buf`. The plain sockets
    /// read straight into `buf`'s spare capacity, so the 16 kB read
    /// buffer is not zeroed before every read (it was: a memset per
    /// query, docs/bench-hotpath-2026-12-04.txt).
    pub fn read_append(&self, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        match self {
            ClientStream::Unix(s) => recv_append(s.as_raw_fd(), buf, max, 0),
            ClientStream::Tcp(s) => recv_append(s.as_raw_fd(), buf, max, 0),
            ClientStream::Tls(s) => {
                let start = buf.len();
                buf.resize(start + max, 0);
                let r = s.read_some(&mut buf[start..]);
                buf.truncate(start + r.as_ref().map_or(0, |n| *n));
                r
            }
        }
    }

    /// Reads what the socket holds without waiting (recv with
    /// MSG_DONTWAIT), as [`read_append`](Self::read_append):
    /// `WouldBlock` if it holds nothing. Under TLS, rustls may hold
    /// decrypted input the socket does not show, so this always answers
    /// `WouldBlock` there (the caller then waits as usual).
    pub fn read_ready_append(&self, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
        match self {
            ClientStream::Unix(s) => recv_append(s.as_raw_fd(), buf, max, libc::MSG_DONTWAIT),
            ClientStream::Tcp(s) => recv_append(s.as_raw_fd(), buf, max, libc::MSG_DONTWAIT),
            ClientStream::Tls(_) => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    /// Writes all of `buf`, retrying after signals.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        match self {
            ClientStream::Unix(s) => (&*s).write_all(buf),
            ClientStream::Tcp(s) => (&*s).write_all(buf),
            ClientStream::Tls(s) => s.write_all(buf),
        }
    }

    /// Whether input waits to be read now, without blocking: decrypted
    /// bytes held by TLS, or bytes (or the end of file) on the socket.
    pub fn input_pending(&self) -> bool {
        if let ClientStream::Tls(s) = self {
            if s.plaintext_buffered() {
                return true;
            }
        }
        let mut fds = [nix::poll::PollFd::new(
            self.as_fd(),
            nix::poll::PollFlags::POLLIN,
        )];
        matches!(
            nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO),
            Ok(n) if n > 0
        )
    }

    pub fn shutdown(&self) {
        let _ = match self {
            ClientStream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            ClientStream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            ClientStream::Tls(s) => s.tcp().shutdown(std::net::Shutdown::Both),
        };
    }
}

/// One `recv` into the spare capacity of `buf` (made at least `max`
/// bytes), appending what it read.
#[allow(unsafe_code)] // recv into uninitialized capacity, then set_len
fn recv_append(fd: RawFd, buf: &mut BytesMut, max: usize, flags: libc::c_int) -> io::Result<usize> {
    buf.reserve(max);
    let spare = buf.spare_capacity_mut();
    let len = spare.len().min(max);
    // SAFETY: `spare` is `buf`'s own unused capacity, at least `len`
    // bytes long and borrowed by nothing else; recv writes at most `len`
    // bytes into it.
    let n = unsafe { libc::recv(fd, spare.as_mut_ptr().cast(), len, flags) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    // SAFETY: recv initialized the first `n` (<= `len`) bytes of the
    // spare capacity, which directly follow `buf`'s contents.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// A TCP client's address as the server log writes it.
pub fn tcp_peer(s: &TcpStream) -> String {
    match s.peer_addr() {
        Ok(a) => format!("host={} port={}", a.ip(), a.port()),
        Err(_) => "[unknown]".to_owned(),
    }
}

impl AsRawFd for ClientStream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            ClientStream::Unix(s) => s.as_raw_fd(),
            ClientStream::Tcp(s) => s.as_raw_fd(),
            ClientStream::Tls(s) => s.tcp().as_raw_fd(),
        }
    }
}

impl AsFd for ClientStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            ClientStream::Unix(s) => s.as_fd(),
            ClientStream::Tcp(s) => s.as_fd(),
            ClientStream::Tls(s) => s.tcp().as_fd(),
        }
    }
}
