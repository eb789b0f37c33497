//! What every mode shares: starting up (data directory, lock files,
//! listeners, the shared segment), the accept loop, and cleaning up on
//! exit. The mode-specific parts (how a client gets a backend, how
//! backends end) are behind [`Launcher`].

use std::os::fd::BorrowedFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use backend::protocol::scram::{self, Passwords, TcpAuth};
use backend::protocol::{ClientStream, Refusal};
use backend::ServerConfig;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::{ExecMode, Segment};

use crate::cli::{Args, Mode, OnOff};
use crate::listen::Listener;
use crate::lockfile::LockFile;
use crate::signals::SignalPipe;

/// How the server is asked to stop (PostgreSQL's shutdown modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shutdown {
    /// SIGTERM: refuse new connections, wait for sessions to end.
    Smart,
    /// SIGINT: end every session (57P01), then stop.
    Fast,
    /// SIGQUIT: stop at once.
    Immediate,
}

/// How clients get backends: forked processes, a pre-forked pool, or
/// threads.
pub trait Launcher {
    /// Serves a newly accepted client.
    fn launch(&mut self, srv: &Server, stream: ClientStream, accept_ns: u64);
    /// Serves a client that must be refused after its startup packet.
    fn refuse(&mut self, srv: &Server, stream: ClientStream, why: Refusal);
    /// Handles SIGCHLD or finished threads: reaps and frees slots.
    fn reap(&mut self, srv: &Server);
    /// Asks backends to end according to the shutdown mode.
    fn begin_shutdown(&mut self, srv: &Server, how: Shutdown);
    /// Backends (with or without clients) still running.
    fn live_backends(&self) -> usize;
    /// Periodic work (pool refills, checkpoints); called about once a second.
    fn tick(&mut self, srv: &Server);
    /// Waits for every backend to be gone, at most `timeout`.
    fn wait_all(&mut self, srv: &Server, timeout: Duration);
}

pub struct Server {
    pub config: Arc<ServerConfig>,
    pub seg_cfg: SegmentConfig,
    pub segment: Segment,
    pub checkpoint: crate::checkpointer::Schedule,
    pub listeners: Vec<Listener>,
    pub signals: SignalPipe,
    /// Set when the server cannot go on (recovery after a crash reset
    /// failed): the loop shuts down immediately.
    pub must_stop: std::sync::atomic::AtomicBool,
    _owner: SegmentOwner,
    _socket_lock: LockFile,
    _pid_lock: LockFile,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    DataDir(#[from] crate::datadir::DataDirError),
    #[error(transparent)]
    Lock(#[from] crate::lockfile::LockError),
    #[error("could not create listen socket for \"{what}\": {source}")]
    Listen {
        what: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Shmem(#[from] shmem::SegmentError),
    #[error("--listen needs --password-file FILE: TCP clients must authenticate with a password (or give --tcp-trust to accept every TCP client without one)")]
    ListenWithoutPasswords,
    #[error("--password-file and --tcp-trust exclude each other")]
    TrustAndPasswords,
    #[error("invalid password file \"{path}\": {source}")]
    PasswordFile {
        path: String,
        source: scram::PasswordFileError,
    },
    #[error("socket directory \"{path}\" is writable by other users (mode {mode:04o}) and not sticky: anyone could replace the server's socket (chmod go-w or chmod +t it)")]
    SocketDirPermissions { path: String, mode: u32 },
    #[error("{0}")]
    Other(String),
}

/// What exists before the shared segment: the checked options (TCP
/// authentication and TLS fixed for every backend), the data directory,
/// both lock files and the listening sockets. The process that prepares it
/// holds the lock files and the socket file and removes them when it ends:
/// the postmaster in process mode, the supervisor in thread mode (whose
/// server children inherit the listening descriptors; see supervisor.rs).
pub struct Prepared {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    socket_path: PathBuf,
    listeners: Vec<Listener>,
    socket_lock: LockFile,
    pid_lock: LockFile,
}

/// The most `--max-connections` accepts: PostgreSQL's MAX_BACKENDS
/// (max_connections' upper bound, 2^18 - 1).
pub const MAX_CONNECTIONS: usize = 262_143;

impl Server {
    /// Prepares and opens the server in one process (process mode).
    pub fn start(args: &Args) -> Result<Server, StartError> {
        Self::open(args, Self::prepare(args)?)
    }

    /// Start-up steps 1 to 3 (postmaster/README.md): everything before
    /// the shared segment. Creates no thread, so that a supervisor may fork
    /// afterwards.
    pub fn prepare(args: &Args) -> Result<Prepared, StartError> {
        if args.max_connections == 0 {
            return Err(StartError::Other(
                "--max-connections must be at least 1".into(),
            ));
        }
        if args.max_connections > MAX_CONNECTIONS {
            return Err(StartError::Other(format!(
                "--max-connections must be at most {MAX_CONNECTIONS}"
            )));
        }
        if args.prefork > 0 && args.mode != Mode::Process {
            return Err(StartError::Other(
                "--prefork applies to --mode process only".into(),
            ));
        }
        if args.mode != Mode::Pool && (args.carriers.is_some() || args.max_carriers.is_some()) {
            return Err(StartError::Other(
                "--carriers and --max-carriers apply to --mode pool only".into(),
            ));
        }
        if args.carrier_processes.is_some() && args.mode != Mode::Pool {
            return Err(StartError::Other(
                "--carrier-processes applies to --mode pool only".into(),
            ));
        }
        if args.carrier_processes == Some(0) {
            return Err(StartError::Other(
                "--carrier-processes must be at least 1".into(),
            ));
        }
        if args.mode == Mode::Pool {
            let size = args.pool_size();
            if size.carriers == 0 || size.max_carriers < size.carriers {
                return Err(StartError::Other(
                    "--carriers must be at least 1, and --max-carriers at least --carriers".into(),
                ));
            }
        }
        // Everything created from now on (data directory, its files, lock
        // files, trace file) is the server's OS user's alone, as
        // PostgreSQL's umask(PG_MODE_MASK_OWNER); the socket is made
        // 0777 explicitly. Before any thread exists (umask is per process).
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
        let tcp_auth = tcp_auth(args)?;
        let tls = backend::protocol::tls::load_from_args(
            args.tls_cert.as_deref(),
            args.tls_key.as_deref(),
        )
        .map_err(StartError::Other)?;
        let data_dir = absolute(&args.data_dir);
        let socket_dir = absolute(&args.socket_dir);
        check_socket_dir(&socket_dir)?;
        crate::datadir::init(&data_dir, args.superuser.as_deref())?;
        let pid = std::process::id().to_string();
        let start = shmem::time::wall_clock_us() / 1_000_000;
        let socket_path = socket_dir.join(format!(".s.PGSQL.{}", args.port));
        let lines = vec![
            pid.clone(),
            data_dir.display().to_string(),
            start.to_string(),
            args.port.to_string(),
            socket_dir.display().to_string(),
            args.listen.clone().unwrap_or_default(),
        ];
        let pid_lock = LockFile::acquire(
            &data_dir.join("postmaster.pid"),
            &lines,
            &format!("running in data directory \"{}\"", data_dir.display()),
        )?;
        let socket_lock = LockFile::acquire(
            &socket_dir.join(format!(".s.PGSQL.{}.lock", args.port)),
            &lines,
            &format!("using socket file \"{}\"", socket_path.display()),
        )?;
        let mut listeners =
            vec![
                Listener::unix(&socket_path).map_err(|source| StartError::Listen {
                    what: socket_path.display().to_string(),
                    source,
                })?,
            ];
        if let Some(addr) = &args.listen {
            match &tcp_auth {
                Some(TcpAuth::Trust) => tracing::warn!(
                    "listening on TCP {addr}:{} with trust authentication (--tcp-trust): anyone who can reach it connects as any user",
                    args.port
                ),
                Some(TcpAuth::Scram(p)) if p.user_count() > 0 => tracing::info!(
                    "TCP clients authenticate with SCRAM-SHA-256 ({} users in the password file)",
                    p.user_count()
                ),
                _ => tracing::info!(
                    "TCP clients authenticate with SCRAM-SHA-256 (one password for every user)"
                ),
            }
            listeners.push(Listener::tcp(addr, args.port).map_err(|source| {
                StartError::Listen {
                    what: format!("{addr}:{}", args.port),
                    source,
                }
            })?);
        }
        let backlog = crate::limits::backlog(args.max_connections);
        for l in &listeners {
            if let Err(e) = l.set_backlog(backlog) {
                tracing::warn!("could not set the listen backlog to {backlog}: {e}");
            }
        }
        crate::limits::raise_fd_limit(args.max_connections);
        // Fixed before any backend exists: forked ones inherit it, threads
        // share it (and so do a supervisor's server children).
        if let Some(auth) = tcp_auth {
            scram::set_tcp_auth(auth);
        }
        if let Some(tls) = tls {
            match &args.listen {
                Some(_) => tracing::info!("TCP clients may use TLS (SSL)"),
                None => tracing::warn!(
                    "--tls-cert applies to TCP clients only, and there is no --listen"
                ),
            }
            backend::protocol::tls::set_config(tls);
        }
        Ok(Prepared {
            data_dir,
            socket_dir,
            socket_path,
            listeners,
            socket_lock,
            pid_lock,
        })
    }

    /// Start-up steps 4 and 5: the commit log, the shared segment (a stale
    /// one replaced), recovery from the WAL, the signal pipe. In thread
    /// mode every server child of the supervisor runs this.
    pub fn open(args: &Args, prepared: Prepared) -> Result<Server, StartError> {
        let Prepared {
            data_dir,
            socket_dir,
            socket_path,
            listeners,
            socket_lock,
            pid_lock,
        } = prepared;
        let mode = match args.mode {
            Mode::Process => ExecMode::Process,
            Mode::Thread | Mode::Pool => ExecMode::Thread,
        };
        let seg_cfg = SegmentConfig {
            port: args.port,
            // Clients, pre-forked backends, the checkpointer, and one slot
            // per carrier process (its own: see pool/processes.rs).
            max_backends: args.max_connections
                + args.prefork
                + 1
                + args.carrier_processes.unwrap_or(0),
            shared_buffers: args.shared_buffers,
            mode: mode as u32,
        };
        // This process's context for the data directory's files (the
        // commit log first: the proc array starts from its next xid);
        // every child forked from here on inherits it.
        let dd = shmem::DataDir::open(&data_dir).map_err(|e| StartError::Other(e.to_string()))?;
        let (owner, segment) = SegmentOwner::create(&seg_cfg, dd)?;
        // Before any backend or the checkpointer exists.
        backend::recovery::startup(&segment).map_err(StartError::Other)?;
        let config = Arc::new(ServerConfig {
            data_dir,
            socket_dir,
            port: args.port,
            mode,
            prefork: args.prefork,
            max_connections: args.max_connections,
            shared_buffers: args.shared_buffers,
            stats: args.stats == OnOff::On,
            synchronous_commit: args.synchronous_commit == OnOff::On,
            debug_faults: args.debug_faults,
            pool: args.mode == Mode::Pool,
            trace: match &args.trace {
                Some(path) => {
                    let path = absolute(path);
                    std::fs::write(&path, "[\n").map_err(|e| {
                        StartError::Other(format!(
                            "could not create trace file \"{}\": {e}",
                            path.display()
                        ))
                    })?;
                    Some(path)
                }
                None => None,
            },
        });
        if args.debug_faults {
            tracing::warn!("fault injection is enabled (--debug-faults): any client can crash this server with pgfork.debug_fault");
        }
        let signals = SignalPipe::install()
            .map_err(|e| StartError::Other(format!("could not create signal pipe: {e}")))?;
        tracing::info!(
            "pgfork {} listening on Unix socket \"{}\"{}, mode {}{}, shared memory {} ({} MB)",
            env!("CARGO_PKG_VERSION"),
            socket_path.display(),
            args.listen
                .as_ref()
                .map(|a| format!(" and TCP {a}:{}", args.port))
                .unwrap_or_default(),
            config.mode_name(),
            if args.prefork > 0 {
                format!(" with {} pre-forked backends", args.prefork)
            } else {
                String::new()
            },
            owner.name(),
            owner.len() >> 20,
        );
        Ok(Server {
            config,
            seg_cfg,
            segment,
            checkpoint: crate::checkpointer::Schedule {
                every: Duration::from_secs(args.checkpoint_timeout.max(1)),
                max_wal_size: args.max_wal_size as u64,
            },
            listeners,
            signals,
            must_stop: std::sync::atomic::AtomicBool::new(false),
            _owner: owner,
            _socket_lock: socket_lock,
            _pid_lock: pid_lock,
        })
    }

    /// The accept loop, until shutdown completes.
    pub fn run(&self, launcher: &mut dyn Launcher) {
        tracing::info!("database system is ready to accept connections");
        let mut shutdown: Option<Shutdown> = None;
        loop {
            let mut fds: Vec<PollFd> = Vec::with_capacity(self.listeners.len() + 1);
            // SAFETY: the fds are owned by `self` and outlive this poll.
            let sig_fd = unsafe { BorrowedFd::borrow_raw(self.signals.fd()) };
            fds.push(PollFd::new(sig_fd, PollFlags::POLLIN));
            for l in &self.listeners {
                // SAFETY: as above.
                let fd = unsafe { BorrowedFd::borrow_raw(l.fd()) };
                fds.push(PollFd::new(fd, PollFlags::POLLIN));
            }
            let ready = match poll(&mut fds, PollTimeout::from(1000u16)) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => 0,
                Err(e) => {
                    tracing::error!("poll() failed in postmaster: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                    0
                }
            };
            let readable: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            if ready > 0 && readable[0] {
                for sig in self.signals.drain() {
                    match sig {
                        Signal::SIGCHLD => launcher.reap(self),
                        Signal::SIGTERM => {
                            shutdown = Some(self.request(launcher, shutdown, Shutdown::Smart))
                        }
                        Signal::SIGINT => {
                            shutdown = Some(self.request(launcher, shutdown, Shutdown::Fast))
                        }
                        Signal::SIGQUIT => {
                            shutdown = Some(self.request(launcher, shutdown, Shutdown::Immediate))
                        }
                        Signal::SIGHUP => tracing::info!("received SIGHUP, nothing to reload"),
                        _ => {}
                    }
                }
            }
            for (i, l) in self.listeners.iter().enumerate() {
                if ready == 0 || !readable[i + 1] {
                    continue;
                }
                loop {
                    match l.accept() {
                        Ok(Some(stream)) => {
                            let accept_ns = shmem::time::monotonic_ns();
                            self.dispatch(launcher, shutdown, stream, accept_ns);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!("could not accept new connection: {e}");
                            break;
                        }
                    }
                }
            }
            launcher.reap(self);
            if shutdown == Some(Shutdown::Immediate) {
                break;
            }
            if shutdown.is_some() && launcher.live_backends() == 0 {
                break;
            }
            if shutdown.is_none() {
                if let Some(e) = self.segment.wal().failure() {
                    // PostgreSQL PANICs here; we stop cleanly, without a
                    // shutdown checkpoint, and the next start recovers.
                    tracing::error!("{e}: shutting down");
                    shutdown = Some(self.request(launcher, None, Shutdown::Fast));
                } else if self.must_stop.load(std::sync::atomic::Ordering::Acquire) {
                    shutdown = Some(self.request(launcher, None, Shutdown::Immediate));
                }
            }
            launcher.tick(self);
        }
        let how = shutdown.unwrap_or(Shutdown::Fast);
        launcher.wait_all(
            self,
            Duration::from_secs(if how == Shutdown::Immediate { 5 } else { 30 }),
        );
        if how != Shutdown::Immediate {
            crate::checkpointer::final_checkpoint(&self.segment);
        }
        tracing::info!("database system is shut down");
    }

    fn request(
        &self,
        launcher: &mut dyn Launcher,
        cur: Option<Shutdown>,
        how: Shutdown,
    ) -> Shutdown {
        let how = cur.map_or(how, |c| c.max(how));
        if cur != Some(how) {
            tracing::info!(
                "received {} shutdown request",
                match how {
                    Shutdown::Smart => "smart",
                    Shutdown::Fast => "fast",
                    Shutdown::Immediate => "immediate",
                }
            );
            launcher.begin_shutdown(self, how);
        }
        how
    }

    fn dispatch(
        &self,
        launcher: &mut dyn Launcher,
        shutdown: Option<Shutdown>,
        stream: ClientStream,
        accept_ns: u64,
    ) {
        if shutdown.is_some() {
            launcher.refuse(self, stream, Refusal::ShuttingDown);
        } else if !self
            .segment
            .backend_table()
            .clients_below(self.config.max_connections)
        {
            launcher.refuse(self, stream, Refusal::TooManyClients);
        } else {
            launcher.launch(self, stream, accept_ns);
        }
    }

    /// Closes the listening sockets' descriptors in a forked child (without
    /// removing the socket file, which belongs to the postmaster).
    pub fn close_listeners_in_child(&self) {
        for l in &self.listeners {
            // SAFETY: closing our inherited copy of the descriptor; the
            // Listener value is never used or dropped in the child.
            unsafe { libc::close(l.fd()) };
        }
        // SAFETY: same for the signal pipe's read end.
        unsafe { libc::close(self.signals.fd()) };
    }
}

/// How TCP clients will authenticate, from --listen, --password-file and
/// --tcp-trust (None without --listen). The password file's verifiers are
/// computed here, once (4096 PBKDF2 iterations each).
fn tcp_auth(args: &Args) -> Result<Option<TcpAuth>, StartError> {
    match (&args.password_file, args.tcp_trust) {
        (Some(_), true) => Err(StartError::TrustAndPasswords),
        (None, false) if args.listen.is_some() => Err(StartError::ListenWithoutPasswords),
        (None, false) => Ok(None),
        (None, true) => Ok(args.listen.as_ref().map(|_| TcpAuth::Trust)),
        (Some(path), false) => {
            let err = |source| StartError::PasswordFile {
                path: path.display().to_string(),
                source,
            };
            warn_if_readable_by_others(path);
            let passwords = Passwords::load(path).map_err(err)?;
            if args.listen.is_none() {
                tracing::warn!(
                    "--password-file applies to TCP clients only, and there is no --listen"
                );
            }
            Ok(Some(TcpAuth::Scram(passwords)))
        }
    }
}

fn warn_if_readable_by_others(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "password file \"{}\" is accessible by other users (mode {:04o}); chmod 600 it",
                path.display(),
                m.permissions().mode() & 0o7777
            );
        }
    }
}

/// Refuses a socket directory that others may write to, unless it is
/// sticky (as /tmp): there, only we can remove or rename our socket and
/// lock file. A missing directory is reported by the lock file's creation.
fn check_socket_dir(dir: &std::path::Path) -> Result<(), StartError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(m) = std::fs::metadata(dir) else {
        return Ok(());
    };
    let mode = m.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(StartError::SocketDirPermissions {
            path: dir.display().to_string(),
            mode,
        });
    }
    Ok(())
}

fn absolute(p: &std::path::Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}
