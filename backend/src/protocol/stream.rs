//! The client's socket, Unix-domain or TCP, as one type that can be read
//! and written through a shared reference (so the reading and the writing
//! halves of a session can be borrowed independently).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

pub enum ClientStream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl ClientStream {
    pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        match self {
            ClientStream::Unix(s) => s.set_read_timeout(d),
            ClientStream::Tcp(s) => s.set_read_timeout(d),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, ClientStream::Unix(_))
    }

    /// The client's address for the server log: `host=ADDR port=PORT`
    /// for TCP, `[local]` for the Unix socket, as PostgreSQL writes them.
    pub fn peer(&self) -> String {
        match self {
            ClientStream::Unix(_) => "[local]".to_owned(),
            ClientStream::Tcp(s) => match s.peer_addr() {
                Ok(a) => format!("host={} port={}", a.ip(), a.port()),
                Err(_) => "[unknown]".to_owned(),
            },
        }
    }

    /// Reads what is available (at least one byte, or 0 at end of file).
    pub fn read_some(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ClientStream::Unix(s) => (&*s).read(buf),
            ClientStream::Tcp(s) => (&*s).read(buf),
        }
    }

    /// Writes all of `buf`, retrying after signals.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        match self {
            ClientStream::Unix(s) => (&*s).write_all(buf),
            ClientStream::Tcp(s) => (&*s).write_all(buf),
        }
    }

    pub fn shutdown(&self) {
        let _ = match self {
            ClientStream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            ClientStream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

impl AsRawFd for ClientStream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            ClientStream::Unix(s) => s.as_raw_fd(),
            ClientStream::Tcp(s) => s.as_raw_fd(),
        }
    }
}
