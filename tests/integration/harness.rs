//! Starting and stopping a real pgfork server for a test: a temporary data
//! and socket directory, a port no other test uses, the chosen mode, and
//! clients (tokio-postgres, psql, pgbench) pointed at it.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

/// The modes every core test runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Process,
    Prefork,
    Thread,
    /// `--mode pool`: sessions on carrier threads (as many as CPUs).
    Pool,
    /// `--mode pool --carrier-processes 2`: sessions on the carrier
    /// threads of two carrier processes forked by a process-mode
    /// postmaster (the SQL harness runs in it besides the four above).
    PoolProcesses,
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
            Mode::Pool => vec!["--mode".into(), "pool".into()],
            Mode::PoolProcesses => vec![
                "--mode".into(),
                "pool".into(),
                "--carrier-processes".into(),
                "2".into(),
            ],
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
        // As the bootstrap superuser: tester, or the one the test names.
        let user = extra
            .iter()
            .position(|a| *a == "-U")
            .and_then(|i| extra.get(i + 1))
            .copied()
            .unwrap_or("tester");
        s.create_testdb(user);
        s
    }

    /// Creates database `testdb`, which the tests connect to, unless it
    /// exists (a fresh data directory has only postgres and the
    /// templates, as PostgreSQL's).
    pub fn create_testdb(&self, user: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match session_run(
                &self.socket_path(),
                user,
                "postgres",
                Some("CREATE DATABASE testdb"),
                deadline,
            ) {
                Ok(()) => return,
                Err(e) if e.contains("42P04") => return,
                Err(e) => assert!(
                    Instant::now() < deadline,
                    "could not create testdb ({e}):\n{}",
                    self.log()
                ),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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
        // The bootstrap superuser every test connects as (used when the
        // data directory is created, as initdb's -U), unless the test
        // names its own.
        if !extra.contains(&"-U") {
            cmd.args(["-U", "tester"]);
        }
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
        self.spawn_logging_to(log, extra, Duration::from_secs(30));
    }

    fn spawn_logging_to(&mut self, log: std::fs::File, extra: &[&str], timeout: Duration) {
        let child = self
            .command(extra)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start pgfork");
        self.child = Some(child);
        self.wait_ready(timeout);
    }

    /// Starts the server again on the same data directory, socket directory
    /// and port, after it stopped or was killed (crash recovery, if any, runs
    /// then). Its output is appended to the log after a marker line. Waits
    /// up to two minutes until a session can start (the socket may accept
    /// connections before recovery is over); returns how long that took.
    pub fn restart(&mut self, extra: &[&str]) -> Duration {
        assert!(self.child.is_none(), "restart: the server is still running");
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        use std::io::Write;
        let _ = writeln!(log, "==== test harness: starting the server again ====");
        let start = Instant::now();
        self.spawn_logging_to(log, extra, Duration::from_secs(120));
        let deadline = start + Duration::from_secs(120);
        loop {
            let err = match session_ready(&self.socket_path(), deadline) {
                Ok(()) => return start.elapsed(),
                Err(e) => e,
            };
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("pgfork exited during start-up ({st}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "no session could start within 120 s ({err}):\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
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

    /// The server's processes: the postmaster and all its descendants
    /// (backends, pre-forked backends, the checkpointer; in thread mode
    /// the supervisor and its server process).
    pub fn pids(&self) -> Vec<i32> {
        let main = self.pid();
        let mut all = vec![main];
        all.extend(descendants(main));
        all
    }

    /// Thread mode: the pid of the threaded server process, the only child
    /// of the supervisor (which is [`Self::pid`]). Waits up to 10 s for it
    /// (the supervisor may be between a crash and the restart).
    pub fn server_process_pid(&self) -> i32 {
        assert!(
            matches!(self.mode, Mode::Thread | Mode::Pool),
            "only thread and pool modes have a supervisor"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let children: Vec<i32> = descendants(self.pid())
                .into_iter()
                .filter(|&p| is_alive(p))
                .collect();
            match children.as_slice() {
                [one] => return *one,
                [] if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                other => panic!(
                    "thread mode: expected one server process under the supervisor, found {other:?}\n{}",
                    self.log()
                ),
            }
        }
    }

    /// The pid on the first line of `DATADIR/postmaster.pid`.
    pub fn pid_file_pid(&self) -> i32 {
        let text = std::fs::read_to_string(self.data_dir().join("postmaster.pid"))
            .expect("read postmaster.pid");
        text.lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .expect("a pid on the first line of postmaster.pid")
    }

    /// kill -9 of the whole server at once, as a power loss would stop it:
    /// the postmaster is stopped first (so that it neither forks nor reacts
    /// to its children's deaths), then it and every descendant get SIGKILL.
    /// Returns once none of them is alive; the pids killed.
    pub fn kill_9_all(&mut self) -> Vec<i32> {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let mut child = self
            .child
            .take()
            .expect("kill_9_all: the server is not running");
        let main = child.id() as i32;
        let _ = kill(Pid::from_raw(main), Signal::SIGSTOP);
        let mut all = vec![main];
        loop {
            let new: Vec<i32> = descendants(main)
                .into_iter()
                .filter(|p| !all.contains(p))
                .collect();
            if new.is_empty() {
                break;
            }
            all.extend(new);
        }
        for &p in &all {
            let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
        }
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(p) = all.iter().find(|&&p| is_alive(p)) {
            assert!(
                Instant::now() < deadline,
                "server process {p} still alive 30 s after SIGKILL"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        all
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
        self.try_connect_as("tester", "testdb").await
    }

    /// A session of role `user` in database `db`.
    pub async fn try_connect_as(
        &self,
        user: &str,
        db: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, conn) = tokio_postgres::connect(
            &format!(
                "host={} port={} user={user} dbname={db}",
                self.socket_dir().display(),
                self.port
            ),
            tokio_postgres::NoTls,
        )
        .await?;
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
    /// A pgbench command against the server (user tester, database
    /// testdb), for callers that run it in the background or accept its
    /// failure.
    pub fn pgbench_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("pgbench");
        cmd.args(args).arg("-h").arg(self.socket_dir()).args([
            "-p",
            &self.port.to_string(),
            "-U",
            "tester",
            "testdb",
        ]);
        cmd
    }

    /// Runs pgbench against the server (user tester, database testdb);
    /// its output, after checking it succeeded.
    pub fn pgbench(&self, args: &[&str]) -> String {
        let out = self.pgbench_command(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "pgbench {args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }
}

/// Whether a session can start: connects, sends a startup packet and
/// reads until ReadyForQuery (then says goodbye), an ErrorResponse (such
/// as 57P03 while the server starts up) or `deadline`.
fn session_ready(path: &Path, deadline: Instant) -> Result<(), String> {
    session_run(path, "tester", "testdb", None, deadline)
}

/// Starts a session on database `database` and, once it is ready, runs
/// `sql` (a simple query) if given: Err with the ErrorResponse's fields
/// if the session or the query fails.
fn session_run(
    path: &Path,
    user: &str,
    database: &str,
    sql: Option<&str>,
    deadline: Instant,
) -> Result<(), String> {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(path).map_err(|e| e.to_string())?;
    let timeout = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut body = 196_608i32.to_be_bytes().to_vec();
    for kv in ["user", user, "database", database, ""] {
        body.extend_from_slice(kv.as_bytes());
        body.push(0);
    }
    let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    packet.extend(body);
    s.write_all(&packet).map_err(|e| e.to_string())?;
    let (mut sent, mut failed) = (false, None);
    loop {
        let mut head = [0u8; 5];
        s.read_exact(&mut head).map_err(|e| e.to_string())?;
        let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]);
        let mut msg = vec![0u8; (len.max(4) - 4) as usize];
        s.read_exact(&mut msg).map_err(|e| e.to_string())?;
        match head[0] {
            b'Z' if sent => {
                let _ = s.write_all(&[b'X', 0, 0, 0, 4]);
                return failed.map_or(Ok(()), Err);
            }
            b'Z' => {
                let Some(sql) = sql else {
                    let _ = s.write_all(&[b'X', 0, 0, 0, 4]);
                    return Ok(());
                };
                let mut q = vec![b'Q'];
                q.extend(((sql.len() + 5) as i32).to_be_bytes());
                q.extend(sql.as_bytes());
                q.push(0);
                s.write_all(&q).map_err(|e| e.to_string())?;
                sent = true;
            }
            b'E' if sent => failed = Some(String::from_utf8_lossy(&msg).replace('\0', " ")),
            b'E' => return Err(String::from_utf8_lossy(&msg).replace('\0', " ")),
            _ => {}
        }
    }
}

/// The parent pid and state letter of a process, from /proc/PID/stat.
fn proc_stat(pid: i32) -> Option<(i32, char)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may itself hold spaces and ')'.
    let rest = s.get(s.rfind(')')? + 2..)?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((ppid, state))
}

/// Whether a process exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    matches!(proc_stat(pid), Some((_, st)) if st != 'Z' && st != 'X')
}

/// Every descendant of `pid` (children, their children, ...), from /proc.
pub fn descendants(pid: i32) -> Vec<i32> {
    let mut children: std::collections::HashMap<i32, Vec<i32>> = Default::default();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
                continue;
            };
            if let Some((ppid, _)) = proc_stat(p) {
                children.entry(ppid).or_default().push(p);
            }
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            out.push(c);
            todo.push(c);
        }
    }
    out
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

/// Raw bytes sent as a binary parameter of whatever type is asked.
#[derive(Debug)]
pub struct Raw(pub Vec<u8>);

impl ToSql for Raw {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// A binary result of any type, as its raw bytes.
pub struct RawOut(pub Vec<u8>);

impl<'a> FromSql<'a> for RawOut {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(RawOut(raw.to_vec()))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Runs psql (no psqlrc, errors not fatal) with `conn`'s connection
/// arguments and `script` on stdin; returns its stdout and stderr.
pub fn psql_script(conn: &[String], script: &str) -> (String, String) {
    use std::io::Write;
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=0"])
        .args(conn)
        .env_remove("PGOPTIONS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
