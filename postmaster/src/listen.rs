//! Listening sockets: the Unix-domain socket `SOCKET_DIR/.s.PGSQL.PORT`
//! (always) and a TCP socket (with `--listen`). Both are non-blocking; the
//! postmaster's poll() loop accepts from them. The process that binds
//! the Unix socket removes its file when the listener is dropped; a process
//! that inherited the descriptor (a thread-mode server child of the
//! supervisor) leaves it.

use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use backend::protocol::ClientStream;

pub enum Listener {
    /// The socket, its path, and the pid of the process that bound it.
    Unix(UnixListener, PathBuf, u32),
    Tcp(TcpListener),
}

impl Listener {
    /// Binds the Unix socket. The caller holds the socket's lock file, so
    /// an existing socket file can only be a dead server's, and is removed.
    pub fn unix(path: &Path) -> io::Result<Listener> {
        if path.exists() {
            std::fs::remove_file(path)?;
        }
        let l = UnixListener::bind(path)?;
        // PostgreSQL's default unix_socket_permissions: anyone on the
        // machine may connect (trust authentication on the socket).
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777))?;
        l.set_nonblocking(true)?;
        Ok(Listener::Unix(l, path.to_owned(), std::process::id()))
    }

    pub fn tcp(addr: &str, port: u16) -> io::Result<Listener> {
        let l = TcpListener::bind((addr, port))?;
        l.set_nonblocking(true)?;
        Ok(Listener::Tcp(l))
    }

    /// Sets the listen backlog (the queue of connections not yet
    /// accepted) to `n`; the kernel caps it at `net.core.somaxconn`.
    pub fn set_backlog(&self, n: i32) -> io::Result<()> {
        // SAFETY: listen() on our own listening descriptor; calling it
        // again only changes the backlog.
        if unsafe { libc::listen(self.fd(), n) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Accepts one pending connection, if any.
    pub fn accept(&self) -> io::Result<Option<ClientStream>> {
        let r = match self {
            Listener::Unix(l, _, _) => l.accept().map(|(s, _)| ClientStream::Unix(s)),
            Listener::Tcp(l) => l.accept().map(|(s, _)| {
                let _ = s.set_nodelay(true);
                ClientStream::Tcp(s)
            }),
        };
        match r {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn fd(&self) -> RawFd {
        match self {
            Listener::Unix(l, _, _) => l.as_raw_fd(),
            Listener::Tcp(l) => l.as_raw_fd(),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path, owner) = self {
            if *owner == std::process::id() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}
