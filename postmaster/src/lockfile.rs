//! Lock files, as PostgreSQL writes them: `SOCKET_DIR/.s.PGSQL.PORT.lock`
//! beside the socket and `DATADIR/postmaster.pid`. Each holds the
//! postmaster's pid on its first line. A lock file whose pid is alive means
//! another server owns the port or data directory, and we refuse to start;
//! a lock file left by a dead server is taken over.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "lock file \"{path}\" already exists\nHINT:  Is another postmaster (PID {pid}) {what}?"
    )]
    InUse {
        path: PathBuf,
        pid: i32,
        what: String,
    },
    #[error("could not create lock file \"{path}\": {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A lock file we created; removed when dropped (in the postmaster only).
pub struct LockFile {
    path: PathBuf,
    owner_pid: u32,
}

fn pid_alive(pid: i32) -> bool {
    pid as u32 != std::process::id() && shmem::segment::pid_is_running(pid)
}

impl LockFile {
    /// Creates `path` holding `lines` (the first must be our pid).
    /// `what` completes the hint when another live server holds it.
    pub fn acquire(path: &Path, lines: &[String], what: &str) -> Result<LockFile, LockError> {
        let io_err = |source| LockError::Io {
            path: path.to_owned(),
            source,
        };
        for _ in 0..100 {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(mut f) => {
                    let mut text = lines.join("\n");
                    text.push('\n');
                    f.write_all(text.as_bytes()).map_err(io_err)?;
                    f.sync_all().map_err(io_err)?;
                    return Ok(LockFile {
                        path: path.to_owned(),
                        owner_pid: std::process::id(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let content = fs::read_to_string(path).unwrap_or_default();
                    let pid: i32 = content
                        .lines()
                        .next()
                        .and_then(|l| l.trim().parse().ok())
                        .unwrap_or(0);
                    if pid_alive(pid) {
                        return Err(LockError::InUse {
                            path: path.to_owned(),
                            pid,
                            what: what.to_owned(),
                        });
                    }
                    tracing::info!(
                        "removing stale lock file \"{}\" (PID {pid} is gone)",
                        path.display()
                    );
                    match fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_err(e)),
                    }
                }
                Err(e) => return Err(io_err(e)),
            }
        }
        Err(io_err(std::io::Error::other(
            "gave up after repeated attempts",
        )))
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Only the process that created it removes it (never a child that
        // inherited a copy of this value).
        if std::process::id() == self.owner_pid {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_lock_is_taken_over_and_live_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        // A pid that cannot exist.
        fs::write(&path, "999999999\n").unwrap();
        let me = std::process::id().to_string();
        let l = LockFile::acquire(&path, std::slice::from_ref(&me), "here").unwrap();
        assert!(fs::read_to_string(&path).unwrap().starts_with(&me));
        drop(l);
        assert!(!path.exists());
        // pid 1 is alive.
        fs::write(&path, "1\n").unwrap();
        let err = LockFile::acquire(&path, &[me], "using it").err().unwrap();
        assert!(err
            .to_string()
            .contains("Is another postmaster (PID 1) using it?"));
    }
}
