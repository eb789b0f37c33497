//! ipc-bench: measures what thread and process communication costs on this
//! machine, next to the claims of the seed text the project started from
//! (/work/shared/reference/seed-communication-costs.txt), and prints the
//! figures as a table (and optionally CSV). Run it through `scripts/ipc-bench`.

mod affinity;
mod child;
mod claims;
mod machine;
mod measure;
mod report;
mod rows;
mod shm;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use affinity::CorePair;
use measure::Plan;
use report::RowResult;
use rows::{RowCtx, RowSpec};

/// Measures thread vs process communication costs on this machine and sets
/// them beside the seed text's claims.
#[derive(Parser, Debug)]
#[command(
    name = "ipc-bench",
    bin_name = "ipc-bench",
    about,
    long_about = "Measures thread vs process communication costs on this machine \
(locks, condvar/channel/socket/pipe/futex/spin ping-pong, fd passing, fork, \
thread spawn, pgfork's LWLock) and prints median, p99 and mean in ns per \
operation beside the claims of the seed text, with a verdict (within/below/above).\n\n\
Rows are timed per iteration, or in batches divided by the batch size for \
very short operations (the timing column says which). Ping-pong parties are \
pinned to two distinct CPUs; -samecore rows pin both to one CPU."
)]
struct Args {
    /// Short run (about a tenth of the operations, whole run under ~10 s).
    #[arg(long)]
    quick: bool,
    /// Time exactly N operations per row (lifts the per-row time cap unless
    /// --max-secs is given too).
    #[arg(long, value_name = "N")]
    iters: Option<u64>,
    /// Stop each row after this many seconds (default 3, or 0.4 with --quick).
    #[arg(long, value_name = "SECS")]
    max_secs: Option<f64>,
    /// Also write the results as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Run only rows whose name contains this text (repeatable).
    #[arg(long, value_name = "TEXT")]
    only: Vec<String>,
    /// List the rows and what each measures, then exit.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ipc-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> io::Result<()> {
    let specs: Vec<RowSpec> = rows::all()
        .into_iter()
        .filter(|r| args.only.is_empty() || args.only.iter().any(|o| r.name.contains(o.as_str())))
        .collect();
    if args.list {
        for r in &specs {
            println!("{:<38} {}", r.name, r.what);
        }
        return Ok(());
    }
    if specs.is_empty() {
        return Err(io::Error::other("no row matches --only"));
    }
    if args.iters == Some(0) {
        return Err(io::Error::other("--iters must be at least 1"));
    }
    let budget = match (args.max_secs, args.iters) {
        (Some(s), _) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        (Some(_), _) => return Err(io::Error::other("--max-secs must be a positive number")),
        (None, Some(_)) => None,
        (None, None) => Some(Duration::from_millis(if args.quick { 400 } else { 3_000 })),
    };

    let pair = CorePair::detect()?;
    let header = report::Header {
        machine: machine::Machine::detect(),
        pair,
        clock_overhead_ns: measure::clock_overhead_ns(),
        mode: match (args.quick, args.iters) {
            (_, Some(n)) => format!("--iters {n}"),
            (true, None) => "quick (a tenth of the default operations)".to_string(),
            (false, None) => "default".to_string(),
        },
        budget,
    };
    let mut out = io::stdout().lock();
    report::print_header(&mut out, &header)?;
    report::print_table_head(&mut out)?;
    out.flush()?;

    let started = Instant::now();
    let mut results = Vec::new();
    for spec in &specs {
        let iters = args.iters.unwrap_or(if args.quick {
            (spec.full_iters / 10).max(100)
        } else {
            spec.full_iters
        });
        let ctx = RowCtx {
            plan: Plan { iters, budget },
            timing: spec.timing,
            cores: pair.resolve(spec.placement),
        };
        let m = (spec.run)(&ctx).map_err(|e| io::Error::other(format!("{}: {e}", spec.name)))?;
        let r = RowResult::new(spec, &ctx, &m);
        report::print_row(&mut out, &r)?;
        out.flush()?;
        results.push(r);
    }
    report::print_summary(&mut out, &results, started.elapsed())?;

    if let Some(path) = &args.csv {
        let mut w = BufWriter::new(File::create(path)?);
        report::write_csv(&mut w, &results)?;
        w.flush()?;
        writeln!(out, "CSV written to {}", path.display())?;
    }
    Ok(())
}
