//! loadgen: a closed-loop load driver for pgfork and PostgreSQL, used by
//! scripts/trace-latency. N client threads, one connection each, time every
//! query end to end and the merged HdrHistogram is written as JSON (counts,
//! qps, p50/p90/p99/p99.9/max in µs, and buckets for plotting).

mod cli;
mod client;
mod summary;
mod workload;

use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use clap::Parser;
use tokio_postgres::Config;

use crate::cli::{Args, Workload};
use crate::client::{ClientResult, Plan};
use crate::summary::{new_histogram, LatencySummary, RunSummary};

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config(args: &Args) -> Config {
    let mut cfg = Config::new();
    if args.host.starts_with('/') {
        cfg.host_path(&args.host);
    } else {
        cfg.host(&args.host);
    }
    cfg.port(args.port)
        .user(&args.user)
        .dbname(&args.dbname)
        .application_name("loadgen");
    cfg
}

fn run(args: &Args) -> Result<()> {
    let cfg = config(args);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the set-up runtime")?;
    rt.block_on(workload::prepare_database(&cfg, args.workload))?;
    drop(rt);

    let plan = Arc::new(Plan {
        cfg,
        workload: args.workload,
        prepared: args.prepared,
        scale: args.scale,
        warmup: args.warmup(),
        duration: args.duration(),
        limit: args.per_client_limit(),
        start: Arc::new(Barrier::new(args.clients as usize + 1)),
    });
    let handles = (0..args.clients)
        .map(|id| {
            let plan = Arc::clone(&plan);
            std::thread::Builder::new()
                .name(format!("client-{id}"))
                .spawn(move || client::run(id, &plan))
                .with_context(|| format!("starting client thread {id}"))
        })
        .collect::<Result<Vec<_>>>()?;
    plan.start.wait();
    let measure_from = Instant::now() + plan.warmup;
    let mut results = Vec::with_capacity(handles.len());
    for h in handles {
        let r = h
            .join()
            .map_err(|_| anyhow!("a client thread panicked"))??;
        results.push(r);
    }
    let summary = summarize(args, &results, measure_from)?;
    let json = serde_json::to_string_pretty(&summary).context("encoding the summary")?;
    if let Some(path) = &args.json {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "loadgen: {} x{} {}: {} queries, {:.0} q/s, p50 {:.1} µs, p99 {:.1} µs, {} errors",
        summary.workload,
        summary.clients,
        if args.prepared { "prepared" } else { "simple" },
        summary.queries,
        summary.qps,
        summary.latency.p50_us,
        summary.latency.p99_us,
        summary.errors
    );
    if args.json.is_none() {
        println!("{json}");
    }
    Ok(())
}

fn summarize(args: &Args, results: &[ClientResult], measure_from: Instant) -> Result<RunSummary> {
    let mut latency = new_histogram();
    let mut connect = new_histogram();
    let mut errors = 0;
    let mut first_error = None;
    let mut stopped = measure_from;
    for r in results {
        latency.add(&r.latency).context("merging histograms")?;
        connect.add(&r.connect).context("merging histograms")?;
        errors += r.errors;
        if first_error.is_none() {
            first_error.clone_from(&r.first_error);
        }
        stopped = stopped.max(r.stopped);
    }
    let elapsed_s = stopped
        .saturating_duration_since(measure_from)
        .as_secs_f64();
    let queries = latency.len();
    Ok(RunSummary {
        label: args.label.clone(),
        workload: args.workload.name().to_string(),
        clients: args.clients,
        prepared: args.prepared,
        scale: args.scale,
        duration_s: args.duration,
        elapsed_s,
        queries,
        errors,
        first_error,
        qps: RunSummary::qps_of(queries, elapsed_s),
        latency: LatencySummary::from_ns(&latency),
        connect: (args.workload == Workload::Connect).then(|| LatencySummary::from_ns(&connect)),
    })
}
