//! The process limits that many connections need, raised at start: the
//! descriptor limit (RLIMIT_NOFILE), whose soft value is often 1,024 while
//! the hard one allows far more, and the listen backlog of the sockets, so
//! that a burst of thousands of connections waits in the kernel's queue
//! instead of being refused. PostgreSQL does the same two things
//! (`set_max_safe_fds`, `listen(fd, 2 * MaxConnections)`).

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// Descriptors the server needs besides its clients' sockets: data and
/// WAL files, the listening sockets, pipes, the log.
const RESERVED_FDS: u64 = 256;

/// PostgreSQL's cap on the backlog it asks for (`PG_SOMAXCONN`); the
/// kernel caps it again at `net.core.somaxconn`.
const MAX_BACKLOG: usize = 10_000;

/// Raises RLIMIT_NOFILE's soft limit to its hard limit (children, forked
/// or threads, inherit it), and says in the log if it is still below what
/// `max_connections` clients need: in thread mode the server's one process
/// holds every client's socket.
pub fn raise_fd_limit(max_connections: usize) {
    let want = max_connections as u64 + RESERVED_FDS;
    let soft = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => hard,
            Err(e) => {
                tracing::warn!("could not raise the open files limit from {soft} to {hard}: {e}");
                soft
            }
        },
        Ok((soft, _)) => soft,
        Err(e) => {
            tracing::warn!("could not read the open files limit: {e}");
            return;
        }
    };
    if soft < want {
        tracing::warn!(
            "open files limit (RLIMIT_NOFILE) is {soft}, below the {want} that --max-connections {max_connections} may need: connections beyond it fail in thread mode (raise the hard limit: ulimit -Hn)"
        );
    }
}

/// The listen backlog for `max_connections`, as PostgreSQL asks for it.
pub fn backlog(max_connections: usize) -> i32 {
    (max_connections.saturating_mul(2)).clamp(128, MAX_BACKLOG) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_follows_max_connections() {
        assert_eq!(backlog(1), 128);
        assert_eq!(backlog(100), 200);
        assert_eq!(backlog(2_000), 4_000);
        assert_eq!(backlog(100_000), 10_000);
    }

    #[test]
    fn the_soft_fd_limit_reaches_the_hard_one() {
        raise_fd_limit(10);
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!(soft, hard);
    }
}
