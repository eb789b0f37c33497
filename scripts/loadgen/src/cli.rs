//! loadgen's command line: where to connect, how many clients, for how
//! long, which workload, and where to write the JSON summary.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// What each client runs in its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// `SELECT 1`.
    Select1,
    /// pgbench -S: `SELECT abalance FROM pgbench_accounts WHERE aid = $1`,
    /// random aid in 1..=100000*scale (needs `pgbench -i`).
    PointSelect,
    /// `INSERT INTO loadgen_t(a, b) VALUES ($1, $2)` (table created first).
    Insert,
    /// Connect, `SELECT 1`, disconnect; the whole cycle and the connect
    /// part are timed separately.
    Connect,
}

impl Workload {
    /// The name used on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Select1 => "select1",
            Workload::PointSelect => "point-select",
            Workload::Insert => "insert",
            Workload::Connect => "connect",
        }
    }
}

/// loadgen: a closed-loop load driver. N client threads each hold their own
/// connection and send the next query as soon as the previous answer
/// arrived; every query's end-to-end latency goes into an HdrHistogram.
#[derive(Parser, Debug, Clone)]
#[command(name = "loadgen", version, about, long_about = None)]
pub struct Args {
    /// Socket directory (a path starting with '/') or TCP host name.
    #[arg(long, default_value = "/tmp")]
    pub host: String,
    /// Port (the socket is HOST/.s.PGSQL.PORT).
    #[arg(long, default_value_t = 5432)]
    pub port: u16,
    /// User name.
    #[arg(long, default_value = "postgres")]
    pub user: String,
    /// Database name.
    #[arg(long, default_value = "postgres")]
    pub dbname: String,
    /// Concurrent clients (one thread and one connection each).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub clients: u32,
    /// Measured seconds (fractions allowed).
    #[arg(long, default_value_t = 10.0, value_parser = parse_secs)]
    pub duration: f64,
    /// Unmeasured seconds run before the measurement starts.
    #[arg(long, default_value_t = 0.0, value_parser = parse_secs_or_zero)]
    pub warmup: f64,
    /// Stop after this many measured queries in all (shared evenly by the
    /// clients), or at the end of --duration, whichever comes first.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_queries: Option<u64>,
    /// What each client runs.
    #[arg(long, value_enum)]
    pub workload: Workload,
    /// pgbench scale factor: point-select picks aid in 1..=100000*scale.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub scale: u32,
    /// Prepared statements (extended protocol, one Bind/Execute/Sync per
    /// query) instead of simple-protocol queries with literal values.
    #[arg(long)]
    pub prepared: bool,
    /// Free text stored in the JSON (e.g. the server's name).
    #[arg(long, default_value = "")]
    pub label: String,
    /// Write the JSON summary here (printed to stdout as well).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

impl Args {
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.duration)
    }
    pub fn warmup(&self) -> Duration {
        Duration::from_secs_f64(self.warmup)
    }
    /// Measured queries each client may run (at least one).
    pub fn per_client_limit(&self) -> u64 {
        self.max_queries
            .map_or(u64::MAX, |n| n.div_ceil(u64::from(self.clients)).max(1))
    }
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e6 => Ok(v),
        _ => Err(format!("\"{s}\" is not a positive number of seconds")),
    }
}

fn parse_secs_or_zero(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(0.0) => Ok(0.0),
        _ => parse_secs(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_command_line() {
        let a = Args::parse_from([
            "loadgen",
            "--host",
            "/tmp/x",
            "--port",
            "5433",
            "--clients",
            "8",
            "--duration",
            "2.5",
            "--workload",
            "point-select",
            "--json",
            "out.json",
            "--scale",
            "2",
            "--prepared",
        ]);
        assert_eq!(a.clients, 8);
        assert_eq!(a.workload, Workload::PointSelect);
        assert_eq!(a.duration(), Duration::from_millis(2500));
        assert!(a.prepared);
        assert_eq!(a.scale, 2);
        assert_eq!(a.per_client_limit(), u64::MAX);
        let a = Args::parse_from([
            "loadgen",
            "--workload",
            "select1",
            "--clients",
            "3",
            "--max-queries",
            "10",
        ]);
        assert_eq!(a.per_client_limit(), 4);
    }

    #[test]
    fn rejects_bad_durations() {
        assert!(
            Args::try_parse_from(["loadgen", "--workload", "select1", "--duration", "0"]).is_err()
        );
        assert!(
            Args::try_parse_from(["loadgen", "--workload", "select1", "--duration", "x"]).is_err()
        );
    }
}
