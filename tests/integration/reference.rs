//! PostgreSQL 15 as the reference in a test: a throwaway cluster (initdb in
//! a temporary directory, run as the `postgres` user since PostgreSQL
//! refuses root, Unix socket only, fsync off), stopped when dropped. Tests
//! that compare pgfork with PostgreSQL start one beside pgfork, so that
//! any difference they find is pgfork's.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Reference {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

/// Runs `cmd` as the postgres user when we are root (PostgreSQL refuses
/// to run as root), else as ourselves.
fn as_postgres(program: &str) -> Command {
    if nix::unistd::geteuid().is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

impl Reference {
    /// Starts PostgreSQL 15; panics with the reason if it cannot (CI
    /// installs it: `.ci/run`).
    pub fn start() -> Reference {
        Self::start_listening(false)
    }

    /// Starts PostgreSQL 15, also on TCP at 127.0.0.1 (trust) when `tcp`.
    pub fn start_listening(tcp: bool) -> Reference {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        if nix::unistd::geteuid().is_root() {
            let pg = nix::unistd::User::from_name("postgres")
                .unwrap()
                .expect("the postgres user exists (postgresql-15 is installed)");
            nix::unistd::chown(dir.path(), Some(pg.uid), Some(pg.gid)).unwrap();
        }
        let data = dir.path().join("data");
        let out = as_postgres(&format!("{PG_BIN}/initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = crate::harness::unique_port();
        let out = as_postgres(&format!("{PG_BIN}/pg_ctl"))
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .arg("-o")
            .arg(format!(
                "-k {} -p {port} -c listen_addresses='{}' -c fsync=off -c TimeZone=UTC",
                dir.path().display(),
                if tcp { "127.0.0.1" } else { "" }
            ))
            .arg("start")
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "PostgreSQL did not start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
        );
        let r = Reference { dir, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !r.socket().exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join(format!(".s.PGSQL.{}", self.port))
    }

    pub fn conn_string(&self) -> String {
        format!(
            "host={} port={} user=postgres dbname=postgres",
            self.dir.path().display(),
            self.port
        )
    }

    pub async fn connect(&self) -> tokio_postgres::Client {
        let (c, conn) = tokio_postgres::connect(&self.conn_string(), tokio_postgres::NoTls)
            .await
            .expect("connect to PostgreSQL 15");
        tokio::spawn(conn);
        c
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = as_postgres(&format!("{PG_BIN}/pg_ctl"))
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.path().join("data"))
            .arg("stop")
            .output();
    }
}
