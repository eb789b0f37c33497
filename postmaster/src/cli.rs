//! The command line, parsed with clap, and the sizes it accepts.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// One forked process per client, as PostgreSQL.
    Process,
    /// One thread per client, in the server's process.
    Thread,
    /// Sessions multiplexed on a few carrier threads, each session holding
    /// a carrier only while it runs (postmaster/src/pool).
    Pool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// pgfork: a PostgreSQL-compatible server, process-per-connection or
/// thread-per-connection.
#[derive(Parser, Debug, Clone)]
#[command(name = "pgfork", version, about, long_about = None)]
pub struct Args {
    /// Data directory (created and initialized on first start).
    #[arg(short = 'D', long = "data-dir", default_value = "./pgdata")]
    pub data_dir: PathBuf,

    /// The bootstrap superuser's name, given to a data directory when it
    /// is created (as initdb's -U); default: the OS user's name. Ignored
    /// for an existing data directory.
    #[arg(short = 'U', long = "superuser", value_name = "NAME")]
    pub superuser: Option<String>,

    /// Directory for the Unix-domain socket.
    #[arg(short = 'k', long = "socket-dir", default_value = "/tmp")]
    pub socket_dir: PathBuf,

    /// Port: the socket is SOCKET_DIR/.s.PGSQL.PORT (and the TCP port).
    #[arg(short = 'p', long = "port", default_value_t = 5433)]
    pub port: u16,

    /// Also listen on TCP at this address (e.g. 127.0.0.1). Off by default.
    /// TCP clients authenticate with SCRAM-SHA-256 against
    /// --password-file (required with --listen unless --tcp-trust).
    #[arg(long = "listen")]
    pub listen: Option<String>,

    /// Passwords for TCP clients: one line holding the password of every
    /// user, or `user:password` lines ('#' comments and blank lines
    /// ignored).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Accept TCP clients without a password (trust), as any user. Only
    /// for networks where nobody else can reach the port.
    #[arg(long = "tcp-trust")]
    pub tcp_trust: bool,

    /// TLS for TCP clients: the server's certificate chain (PEM, the
    /// server's certificate first). Needs --tls-key. Clients that ask for
    /// SSL (sslmode=require) get TLS; the Unix socket never uses it.
    #[arg(long = "tls-cert", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC; mode 0600
    /// or less, as PostgreSQL requires).
    #[arg(long = "tls-key", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// How backends run.
    #[arg(long = "mode", value_enum, default_value_t = Mode::Process)]
    pub mode: Mode,

    /// Process mode: fork N backends ahead of time and hand them clients.
    #[arg(long = "prefork", default_value_t = 0)]
    pub prefork: usize,

    /// Pool mode: carrier threads started at once (default: the number
    /// of CPUs); per carrier process with --carrier-processes.
    #[arg(long = "carriers", value_name = "N")]
    pub carriers: Option<usize>,

    /// Pool mode: most carrier threads busy other than waiting for a lock
    /// (default: 4 x --carriers); the pool grows to it when sessions wait.
    /// Per carrier process with --carrier-processes.
    #[arg(long = "max-carriers", value_name = "M")]
    pub max_carriers: Option<usize>,

    /// Pool mode: run the carriers in N processes forked by the postmaster
    /// (which then runs as in process mode, without a supervisor) instead
    /// of in one threaded server process. Each new client is handed by fd
    /// passing to the carrier process with the fewest sessions, which
    /// multiplexes it with its own I/O thread and its own --carriers /
    /// --max-carriers carrier threads; a session never moves between
    /// processes.
    #[arg(long = "carrier-processes", value_name = "N")]
    pub carrier_processes: Option<usize>,

    /// Most concurrent client connections.
    #[arg(long = "max-connections", default_value_t = 100)]
    pub max_connections: usize,

    /// Shared buffer cache size (e.g. 128MB, 1GB, 512kB, or a number of
    /// 8 kB buffers).
    #[arg(long = "shared-buffers", default_value = "128MB", value_parser = parse_size)]
    pub shared_buffers: usize,

    /// Log level: error, warn, info, debug, trace.
    #[arg(long = "log-level", default_value = "info")]
    pub log_level: String,

    /// Per-query phase timing (the pgfork_stat_latency view).
    #[arg(long = "stats", value_enum, default_value_t = OnOff::On)]
    pub stats: OnOff,

    /// Write every query's phases as Chrome trace events (Perfetto) to FILE.
    #[arg(long = "trace")]
    pub trace: Option<PathBuf>,

    /// Process mode: leave the executable's code in its file mapping
    /// instead of copying it to anonymous memory at start (see
    /// postmaster/src/text_remap.rs). Use when profiling with perf.
    #[arg(long = "keep-file-text")]
    pub keep_file_text: bool,

    /// Seconds between checkpoints (dirty buffers written to the data
    /// files, old WAL recycled); PostgreSQL's default. Shorter means less
    /// WAL to replay after a crash, but more full-page images logged.
    #[arg(long = "checkpoint-timeout", default_value_t = 300)]
    pub checkpoint_timeout: u64,

    /// WAL written since the last checkpoint that starts the next one
    /// early (e.g. 1GB, as PostgreSQL's max_wal_size).
    #[arg(long = "max-wal-size", default_value = "1GB", value_parser = parse_size)]
    pub max_wal_size: usize,

    /// Default of synchronous_commit: `on` makes COMMIT wait until its WAL
    /// record is on disk (fdatasync); `off` acknowledges it before, so that
    /// a crash may lose the last commits (never consistency), as
    /// PostgreSQL's setting. Sessions may still SET it.
    #[arg(long = "synchronous-commit", value_enum, default_value_t = OnOff::On)]
    pub synchronous_commit: OnOff,

    /// Let sessions inject faults (`SET pgfork.debug_fault`,
    /// `pgfork_debug_fault(kind)`: panics, stack overflow, abort, SIGSEGV,
    /// out of memory), for crash tests. Never on a server others use: any
    /// client can then crash it.
    #[arg(long = "debug-faults")]
    pub debug_faults: bool,
}

impl Args {
    /// Pool mode's carriers, with the defaults filled in.
    pub fn pool_size(&self) -> crate::pool::PoolSize {
        let carriers = self
            .carriers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        crate::pool::PoolSize {
            carriers,
            max_carriers: self.max_carriers.unwrap_or(4 * carriers),
        }
    }
}

/// Parses a size as PostgreSQL does for shared_buffers: a plain number is
/// a count of 8 kB blocks; units kB, MB, GB, TB (case-insensitive, the B
/// optional) multiply by 1024 powers.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: usize = num
        .parse()
        .map_err(|_| format!("invalid size \"{s}\": expected a number with an optional unit"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" => 8192,
        "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        "t" | "tb" => 1 << 40,
        other => {
            return Err(format!(
                "invalid unit \"{other}\" in size \"{s}\": use kB, MB, GB or TB"
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size \"{s}\" is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("128MB"), Ok(128 << 20));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("512kB"), Ok(512 << 10));
        assert_eq!(parse_size("16"), Ok(16 * 8192));
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("MB").is_err());
    }

    #[test]
    fn defaults() {
        let a = Args::parse_from(["pgfork"]);
        assert_eq!(a.port, 5433);
        assert_eq!(a.mode, Mode::Process);
        assert_eq!(a.max_connections, 100);
        assert_eq!(a.shared_buffers, 128 << 20);
        assert_eq!(a.socket_dir, PathBuf::from("/tmp"));
        assert!(!a.debug_faults);
        assert_eq!(a.carrier_processes, None);
        let a = Args::parse_from(["pgfork", "--mode", "pool", "--carrier-processes", "3"]);
        assert_eq!(a.carrier_processes, Some(3));
    }
}
