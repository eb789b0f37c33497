//! pgfork-report: turns a scripts/trace-latency results directory into
//! report.md and SVG plots (latency CDFs per workload, per-query phase
//! breakdown, connection set-up), written into the same directory.

mod analysis;
mod fmt;
mod input;
mod narrative;
mod plots;
mod render;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use crate::analysis::{server_rank, workload_rank};
use crate::input::Results;
use crate::plots::CdfLine;
use crate::render::Plots;

/// Writes report.md and *.svg from a directory of trace-latency results.
#[derive(Parser, Debug)]
#[command(name = "pgfork-report", version, about)]
struct Args {
    /// The results directory (run-*.json, phases-*.json, memory.json, ...).
    dir: PathBuf,
    /// Where to write report.md and the plots (default: DIR).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pgfork-report: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<PathBuf> {
    let res = Results::load(&args.dir)?;
    let out = args.out.clone().unwrap_or_else(|| args.dir.clone());
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let plots = draw(&res, &out);
    let md = render::report(&res, &plots);
    let path = out.join("report.md");
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Draws every plot the data allows; a plot that fails is reported on
/// stderr and left out of the report.
fn draw(res: &Results, out: &Path) -> Plots {
    let mut plots = Plots::default();
    let rows = analysis::query_rows(res);
    let combos: BTreeSet<((usize, String), u32)> = rows
        .iter()
        .map(|r| (workload_rank(&r.run.workload), r.run.clients))
        .collect();
    for ((_, w), c) in combos {
        let mut of_combo: Vec<_> = rows
            .iter()
            .filter(|r| r.run.workload == w && r.run.clients == c && !r.run.prepared)
            .collect();
        of_combo.sort_by_key(|r| server_rank(&r.run.label));
        let lines: Vec<CdfLine> = of_combo
            .iter()
            .map(|r| CdfLine {
                name: r.run.label.clone(),
                points: analysis::cdf(&r.run.latency.histogram),
            })
            .filter(|l| !l.points.is_empty())
            .collect();
        let file = format!("latency-{w}-c{c}.svg");
        let title = format!("{w}, {c} client(s): client latency CDF");
        if !lines.is_empty() && keep(plots::cdf(&out.join(&file), &title, &lines)) {
            plots.latency.push((w.clone(), c, file));
        }
        if w == "connect" {
            continue;
        }
        let bars: Vec<_> = of_combo.iter().map(|r| analysis::breakdown(r)).collect();
        if bars.iter().any(|b| b.parts.len() > 1) {
            let file = format!("phases-{w}-c{c}.svg");
            let title = format!("{w}, {c} client(s): mean time per query");
            if keep(plots::stacked(
                &out.join(&file),
                &title,
                "µs per query (mean)",
                &bars,
            )) {
                plots.phases.push((w, c, file));
            }
        }
    }
    let bars: Vec<_> = analysis::setups(res).iter().map(|s| s.bar()).collect();
    if !bars.is_empty() {
        let file = "connect.svg".to_string();
        if keep(plots::stacked(
            &out.join(&file),
            "connection set-up: mean per connection",
            "µs per connection (mean)",
            &bars,
        )) {
            plots.connect = Some(file);
        }
    }
    plots
}

fn keep(r: Result<()>) -> bool {
    match r {
        Ok(()) => true,
        Err(e) => {
            eprintln!("pgfork-report: {e:#}");
            false
        }
    }
}
