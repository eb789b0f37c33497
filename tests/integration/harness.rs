//! Starting and stopping a real pgfork server for a test: a temporary data
//! and socket directory, a port no other test uses, the chosen mode, and
//! clients (tokio-postgres, psql, pgbench) pointed at it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// The modes every core test runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Process,
    Prefork,
    Thread,
}

impl Mode {
    pub fn args(self) -> Vec<String> {
        match self {
            Mode::Process => vec!["--mode".into(), "process".into()],
            Mode::Prefork => vec![
                "--mode".into(),
                "process".into(),
                "--prefork".into(),
                "4".into(),
            ],
            Mode::Thread => vec!["--mode".into(), "thread".into()],
        }
    }
}

static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

/// A port unique within this test run: a base derived from our pid (test
/// binaries run one at a time) plus a counter.
pub fn unique_port() -> u16 {
    let n = NEXT_PORT.fetch_add(1, Ordering::Relaxed) as u32;
    (20_000 + ((std::process::id() % 400) * 100 + n) % 40_000) as u16
}

pub struct TestServer {
    pub child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub mode: Mode,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_pgfork")
}

impl TestServer {
    pub fn start(mode: Mode) -> TestServer {
        Self::start_with(mode, &[])
    }

    pub fn start_with(mode: Mode, extra: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, mode, extra)
    }

    /// Starts a server whose data and socket live under `dir`.
    pub fn start_in(dir: tempfile::TempDir, mode: Mode, extra: &[&str]) -> TestServer {
        let port = unique_port();
        let mut s = TestServer {
            child: None,
            dir,
            port,
            mode,
        };
        s.spawn(extra);
        s
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.path().join(format!(".s.PGSQL.{}", self.port))
    }

    pub fn command(&self, extra: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-k")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .args(self.mode.args());
        // A small cache unless the test chooses its own size.
        if !extra.contains(&"--shared-buffers") {
            cmd.args(["--shared-buffers", "16MB"]);
        }
        cmd.args(extra).stdin(Stdio::null());
        cmd
    }

    /// (Re)starts the server process and waits until it accepts connections.
    pub fn spawn(&mut self, extra: &[&str]) {
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = self
            .command(extra)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start pgfork");
        self.child = Some(child);
        self.wait_ready();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if std::os::unix::net::UnixStream::connect(self.socket_path()).is_ok() {
                return;
            }
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("pgfork exited during start-up ({st}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "pgfork did not start:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn conn_string(&self) -> String {
        format!(
            "host={} port={} user=tester dbname=testdb",
            self.socket_dir().display(),
            self.port
        )
    }

    pub async fn connect(&self) -> tokio_postgres::Client {
        self.try_connect().await.expect("connect")
    }

    pub async fn try_connect(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, conn) =
            tokio_postgres::connect(&self.conn_string(), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    /// Runs psql with `args` against this server.
    pub fn psql(&self, args: &[&str]) -> Output {
        Command::new("psql")
            .arg("-X")
            .arg("-h")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg("tester")
            .arg("-d")
            .arg("testdb")
            .args(args)
            .env_remove("PGOPTIONS")
            .output()
            .expect("run psql (PostgreSQL 15 client)")
    }

    /// Sends a signal to the server process and waits for it to exit.
    pub fn stop_with(&mut self, sig: nix::sys::signal::Signal) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "server did not stop on {sig}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(c.id() as i32),
                nix::sys::signal::Signal::SIGINT,
            );
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl TestServer {
    /// Runs pgbench against the server (user tester, database testdb);
    /// its output, after checking it succeeded.
    pub fn pgbench(&self, args: &[&str]) -> String {
        let out = Command::new("pgbench")
            .args(args)
            .arg("-h")
            .arg(self.socket_dir())
            .args(["-p", &self.port.to_string(), "-U", "tester", "testdb"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "pgbench {args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }
}

/// The SQLSTATE of a tokio-postgres error.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_owned())
        .unwrap_or_else(|| format!("no sqlstate: {e}"))
}

/// The server's message text of a tokio-postgres error.
pub fn message(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_owned())
        .unwrap_or_else(|| e.to_string())
}
