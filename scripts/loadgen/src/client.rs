//! One client thread: a current-thread tokio runtime, its own connection,
//! and a closed loop that times every query with the monotonic clock
//! (`std::time::Instant`) until the common deadline.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use hdrhistogram::Histogram;
use tokio_postgres::Config;

use crate::cli::Workload;
use crate::summary::new_histogram;
use crate::workload::{Conn, Session, SELECT1};

/// What one client measured.
pub struct ClientResult {
    /// End-to-end latency per query (per cycle for `connect`), ns.
    pub latency: Histogram<u64>,
    /// `connect` only: connect to ReadyForQuery, ns.
    pub connect: Histogram<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
    /// When this client finished its last measured query.
    pub stopped: Instant,
}

/// What every client shares.
pub struct Plan {
    pub cfg: Config,
    pub workload: Workload,
    pub prepared: bool,
    pub scale: u32,
    pub warmup: Duration,
    pub duration: Duration,
    /// Measured queries (or cycles) per client at most.
    pub limit: u64,
    /// All clients and the main thread: set-up done, start together.
    pub start: Arc<Barrier>,
}

impl ClientResult {
    fn new() -> ClientResult {
        ClientResult {
            latency: new_histogram(),
            connect: new_histogram(),
            errors: 0,
            first_error: None,
            stopped: Instant::now(),
        }
    }

    fn error(&mut self, e: impl std::fmt::Display) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{e:#}"));
        }
    }
}

/// Runs client `id`: set-up, the start barrier, then the loop. Always
/// reaches the barrier, even when set-up fails, so no one waits forever.
pub fn run(id: u32, plan: &Plan) -> Result<ClientResult> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the client's runtime");
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            plan.start.wait();
            return Err(e);
        }
    };
    rt.block_on(async {
        let session = if plan.workload == Workload::Connect {
            None
        } else {
            let s = Session::open(
                &plan.cfg,
                plan.workload,
                plan.prepared,
                plan.scale,
                0x5eed_0000 + u64::from(id),
            )
            .await
            .with_context(|| format!("client {id}"));
            match s {
                Ok(s) => Some(s),
                Err(e) => {
                    plan.start.wait();
                    return Err(e);
                }
            }
        };
        plan.start.wait();
        let begin = Instant::now();
        let measure_from = begin + plan.warmup;
        let deadline = measure_from + plan.duration;
        let result = match session {
            Some(mut s) => {
                let r = query_loop(&mut s, measure_from, deadline, plan.limit).await;
                // A failed close after the run does not spoil the figures.
                let _ = s.conn.close().await;
                r
            }
            None => connect_loop(&plan.cfg, measure_from, deadline, plan.limit).await,
        };
        if result.latency.is_empty() && result.errors > 0 {
            return Err(anyhow!(
                "client {id}: every query failed ({} errors), first: {}",
                result.errors,
                result.first_error.as_deref().unwrap_or("?")
            ));
        }
        Ok(result)
    })
}

async fn query_loop(
    s: &mut Session,
    measure_from: Instant,
    deadline: Instant,
    limit: u64,
) -> ClientResult {
    let mut r = ClientResult::new();
    while r.latency.len() < limit {
        let op = s.next_op();
        let t0 = Instant::now();
        if t0 >= deadline {
            break;
        }
        let res = s.exec(&op).await;
        let t1 = Instant::now();
        match res {
            Ok(()) if t0 >= measure_from => {
                r.stopped = t1;
                record(&mut r.latency, t1 - t0);
            }
            Ok(()) => {}
            Err(e) => {
                r.error(&e);
                if s.conn.client.is_closed() {
                    break;
                }
            }
        }
    }
    r
}

async fn connect_loop(
    cfg: &Config,
    measure_from: Instant,
    deadline: Instant,
    limit: u64,
) -> ClientResult {
    let mut r = ClientResult::new();
    while r.latency.len() < limit {
        let t0 = Instant::now();
        if t0 >= deadline {
            break;
        }
        match connect_cycle(cfg).await {
            Ok((connected, t2)) if t0 >= measure_from => {
                r.stopped = t2;
                record(&mut r.connect, connected - t0);
                record(&mut r.latency, t2 - t0);
            }
            Ok(_) => {}
            Err(e) => {
                r.error(&e);
                // Do not spin on a server that refuses connections.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    r
}

/// Connect, `SELECT 1`, disconnect. Returns when the connect finished and
/// when the whole cycle did.
async fn connect_cycle(cfg: &Config) -> Result<(Instant, Instant)> {
    let conn = Conn::open(cfg).await.context("connect")?;
    let connected = Instant::now();
    conn.client
        .simple_query(SELECT1)
        .await
        .context("SELECT 1")?;
    conn.close().await?;
    Ok((connected, Instant::now()))
}

fn record(h: &mut Histogram<u64>, d: Duration) {
    let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1);
    h.saturating_record(ns);
}
