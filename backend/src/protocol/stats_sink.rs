//! Where a query's measured phases go: this backend's row of latency
//! histograms in shared memory (shmem/src/latency.rs), its buffer-cache and
//! wait counters (shmem/src/waitstats.rs), and with `--trace FILE` a
//! Chrome trace-event file.
//!
//! Tracing is buffered per backend: events accumulate in the backend's own
//! memory and are appended to the file in large chunks with one write(2)
//! on an O_APPEND descriptor, so backends never wait for each other to
//! trace. The file is a JSON array whose closing bracket is missing, which
//! the trace viewers (Perfetto, chrome://tracing) accept; the postmaster
//! writes the opening bracket.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;

use shmem::latency::{LatencyStats, Metric};
use shmem::waitstats::{self, Counters};

use super::timing::{Phase, QueryPhases, PHASES};
use crate::BackendEnv;

const TRACE_FLUSH_BYTES: usize = 64 * 1024;

/// Nanoseconds shown as microseconds with three decimals.
struct Micros(u64);

impl std::fmt::Display for Micros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// The trace of one session. Its events go on one track: the backend's
/// (pid = tid = its pid) in process and thread mode; in pool mode, the
/// track of the carrier thread that runs the query (pid = the server or
/// carrier process, tid = the carrier's thread), each query a slice
/// naming its session, so that a carrier's track shows the sessions it
/// takes turns on.
struct Trace {
    file: File,
    buf: String,
    /// The session's pid (pg_backend_pid).
    pid: i32,
    pool: bool,
    /// Pool mode: the carrier threads this session has named on their
    /// tracks (a thread_name event each; other sessions repeat them,
    /// which the viewers accept).
    named_carriers: Vec<i32>,
}

pub struct StatsSink {
    stats: &'static LatencyStats,
    env: BackendEnv,
    exec_start: Counters,
    lock_wait_ns: u64,
    file_io_ns: u64,
    lmgr_wait_ns: u64,
    lmgr_wakeup_ns: u64,
    wal_flush_ns: u64,
    trace: Option<Trace>,
}

/// Time spent waiting for shared-memory locks (LWLocks) and other
/// backends' I/O.
fn lock_wait(c: &Counters) -> u64 {
    c.content_lock_wait_ns + c.mapping_lock_wait_ns + c.io_wait_ns + c.procarray_wait_ns
}

fn file_io(c: &Counters) -> u64 {
    c.io_read_ns + c.io_write_ns
}

impl StatsSink {
    pub fn new(env: &BackendEnv) -> StatsSink {
        let trace = env.config.trace.as_ref().and_then(|path| {
            let file = OpenOptions::new().append(true).create(true).open(path).ok()?;
            let pid = env.slot.pid.load(std::sync::atomic::Ordering::Relaxed);
            let pool = env.config.pool;
            let mut buf = String::new();
            if pool {
                let process = std::process::id();
                let _ = writeln!(
                    buf,
                    r#"{{"name":"process_name","ph":"M","pid":{process},"tid":{process},"args":{{"name":"pool process {process}"}}}},"#,
                );
            } else {
                let _ = writeln!(
                    buf,
                    r#"{{"name":"process_name","ph":"M","pid":{pid},"tid":{pid},"args":{{"name":"backend {pid} ({})"}}}},"#,
                    env.exec_mode.as_str()
                );
            }
            Some(Trace {
                file,
                buf,
                pid,
                pool,
                named_carriers: Vec::new(),
            })
        });
        StatsSink {
            stats: LatencyStats::get(&env.segment),
            env: env.clone(),
            exec_start: Counters::default(),
            lock_wait_ns: 0,
            file_io_ns: 0,
            lmgr_wait_ns: 0,
            lmgr_wakeup_ns: 0,
            wal_flush_ns: 0,
            trace,
        }
    }

    /// Execution of a statement starts.
    #[inline]
    pub fn begin_execute(&mut self) {
        self.exec_start = waitstats::local();
    }

    /// Execution of a statement ended.
    #[inline]
    pub fn end_execute(&mut self) {
        let d = waitstats::local().sub(&self.exec_start);
        self.lock_wait_ns += lock_wait(&d);
        self.file_io_ns += file_io(&d);
        self.lmgr_wait_ns += d.lock_wait_ns + d.xact_wait_ns;
        self.lmgr_wakeup_ns += d.lock_wakeup_ns + d.xact_wakeup_ns;
        self.wal_flush_ns += d.wal_flush_ns;
    }

    /// Records one finished query.
    pub fn record(&mut self, q: &QueryPhases) {
        let slot = self.env.slot_index;
        for (i, &phase) in PHASES.iter().enumerate() {
            // No idle time before a session's first query.
            if phase == Phase::Idle && q.began_ns[i] == 0 {
                continue;
            }
            self.stats.record(slot, phase, q.ns[i]);
        }
        self.stats.record(slot, Metric::LockWait, self.lock_wait_ns);
        self.stats.record(slot, Metric::FileIo, self.file_io_ns);
        self.stats.record(slot, Metric::LmgrWait, self.lmgr_wait_ns);
        self.stats
            .record(slot, Metric::LmgrWakeup, self.lmgr_wakeup_ns);
        // Only queries that committed durably (the others never wait).
        if self.wal_flush_ns > 0 {
            self.stats.record(slot, Metric::WalFlush, self.wal_flush_ns);
        }
        waitstats::flush_to_slot(&self.env.segment, slot);
        if self.trace.is_some() {
            self.trace_query(q);
        }
        self.lock_wait_ns = 0;
        self.file_io_ns = 0;
        self.lmgr_wait_ns = 0;
        self.lmgr_wakeup_ns = 0;
        self.wal_flush_ns = 0;
    }

    fn trace_query(&mut self, q: &QueryPhases) {
        let (lock_wait_ns, file_io_ns) = (self.lock_wait_ns, self.file_io_ns);
        let Some(t) = self.trace.as_mut() else {
            return;
        };
        let session = t.pid;
        let (pid, tid) = if t.pool {
            let (process, carrier) = (std::process::id() as i32, this_thread());
            if !t.named_carriers.contains(&carrier) {
                t.named_carriers.push(carrier);
                let _ = writeln!(
                    t.buf,
                    r#"{{"name":"thread_name","ph":"M","pid":{process},"tid":{carrier},"args":{{"name":"carrier {carrier}"}}}},"#,
                );
            }
            (process, carrier)
        } else {
            (session, session)
        };
        for (i, phase) in PHASES.iter().enumerate() {
            // Idle time is the gap between two query spans on the track;
            // drawing it would only cost.
            if q.began_ns[i] == 0 || *phase == Phase::Idle {
                continue;
            }
            let name = if *phase == Phase::ServerTotal {
                "query"
            } else {
                phase.name()
            };
            // Microseconds with three decimals, formatted as integers
            // (float formatting would cost more than the query phases).
            let _ = write!(
                t.buf,
                r#"{{"name":"{name}","ph":"X","ts":{},"dur":{},"pid":{pid},"tid":{tid}"#,
                Micros(q.began_ns[i]),
                Micros(q.ns[i]),
            );
            if *phase == Phase::ServerTotal {
                let _ = write!(
                    t.buf,
                    r#","args":{{"session":{session},"lock_wait_us":{},"file_io_us":{}}}"#,
                    Micros(lock_wait_ns),
                    Micros(file_io_ns)
                );
            }
            t.buf.push_str("},\n");
        }
        if t.buf.len() >= TRACE_FLUSH_BYTES {
            Self::flush_trace(t);
        }
    }

    fn flush_trace(t: &mut Trace) {
        if !t.buf.is_empty() {
            let _ = t.file.write_all(t.buf.as_bytes());
            t.buf.clear();
        }
    }
}

/// The kernel id of the calling thread.
fn this_thread() -> i32 {
    nix::unistd::gettid().as_raw()
}

impl Drop for StatsSink {
    fn drop(&mut self) {
        if let Some(t) = self.trace.as_mut() {
            Self::flush_trace(t);
        }
    }
}
