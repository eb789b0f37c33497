//! Reading a results directory written by scripts/trace-latency: loadgen
//! JSONs (`run-*.json`), server phase tables (`phases-*.json`), idle memory
//! (`memory.json`), the machine (`machine.json`), steps that did not run
//! (`skipped.json`), traces (`trace-*.json`) and the optional ipc-bench CSV.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// One plotting bucket of a loadgen histogram.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Bucket {
    pub value_us: f64,
    pub count: u64,
}

/// Percentiles of a latency distribution, µs (loadgen's JSON).
#[derive(Clone, Debug, Deserialize, Default)]
pub struct Latency {
    #[serde(default)]
    pub mean_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    #[serde(default)]
    pub p999_us: f64,
    #[serde(default)]
    pub max_us: f64,
    #[serde(default)]
    pub histogram: Vec<Bucket>,
}

/// One loadgen run; `label` is the server's name.
#[derive(Clone, Debug, Deserialize)]
pub struct Run {
    pub label: String,
    pub workload: String,
    pub clients: u32,
    #[serde(default)]
    pub prepared: bool,
    pub queries: u64,
    #[serde(default)]
    pub errors: u64,
    #[serde(default)]
    pub first_error: Option<String>,
    pub qps: f64,
    #[serde(flatten)]
    pub latency: Latency,
    #[serde(default)]
    pub connect: Option<Latency>,
}

/// One row of `pgfork_stat_latency`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PhaseRow {
    pub phase: String,
    pub calls: u64,
    pub total_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

/// `pgfork_stat_latency` as dumped after one workload (reset before it).
#[derive(Clone, Debug, Deserialize)]
pub struct PhaseTable {
    pub server: String,
    pub workload: String,
    pub clients: u32,
    #[serde(default)]
    pub rows: Vec<PhaseRow>,
    /// Why there are no rows (e.g. the view is missing).
    #[serde(default)]
    pub error: Option<String>,
}

/// Idle-connection memory of one server.
#[derive(Clone, Debug, Deserialize)]
pub struct Memory {
    pub server: String,
    pub connections: u32,
    pub pss_kb_per_conn: Option<f64>,
    pub private_kb_per_conn: Option<f64>,
    #[serde(default)]
    pub error: Option<String>,
}

/// The machine the run was on.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct Machine {
    #[serde(default)]
    pub cpu_model: String,
    #[serde(default)]
    pub cores: u32,
    #[serde(default)]
    pub kernel: String,
    #[serde(default)]
    pub mem_total_kb: Option<u64>,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub pgfork_commit: String,
    #[serde(default)]
    pub postgres_version: String,
    #[serde(default)]
    pub duration_s: Option<f64>,
    #[serde(default)]
    pub command: String,
}

/// A step that did not run or failed, and why.
#[derive(Clone, Debug, Deserialize)]
pub struct Skipped {
    pub server: String,
    pub step: String,
    pub reason: String,
}

/// One row of `scripts/ipc-bench --csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct IpcRow {
    pub row: String,
    pub median_ns: f64,
    pub p99_ns: f64,
    pub claim: String,
    pub verdict: String,
}

/// A Chrome trace copied into the results.
#[derive(Clone, Debug)]
pub struct Trace {
    pub file: String,
    pub events: Option<usize>,
    pub processes: usize,
    pub threads: usize,
}

/// Everything in a results directory.
#[derive(Debug, Default)]
pub struct Results {
    pub machine: Machine,
    pub runs: Vec<Run>,
    pub phases: Vec<PhaseTable>,
    pub memory: Vec<Memory>,
    pub skipped: Vec<Skipped>,
    pub ipc: Vec<IpcRow>,
    pub traces: Vec<Trace>,
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn files_with(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let p = e?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(prefix) && name.ends_with(suffix) {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

impl Results {
    /// Loads a results directory; missing optional files leave their part
    /// empty.
    pub fn load(dir: &Path) -> Result<Results> {
        let mut r = Results::default();
        let machine = dir.join("machine.json");
        if machine.exists() {
            r.machine = read_json(&machine)?;
        }
        for p in files_with(dir, "run-", ".json")? {
            r.runs.push(read_json(&p)?);
        }
        for p in files_with(dir, "phases-", ".json")? {
            r.phases.push(read_json(&p)?);
        }
        let memory = dir.join("memory.json");
        if memory.exists() {
            r.memory = read_json(&memory)?;
        }
        let skipped = dir.join("skipped.json");
        if skipped.exists() {
            r.skipped = read_json(&skipped)?;
        }
        let ipc = dir.join("ipc-bench.csv");
        if ipc.exists() {
            let text =
                fs::read_to_string(&ipc).with_context(|| format!("reading {}", ipc.display()))?;
            r.ipc = parse_ipc_csv(&text).with_context(|| format!("parsing {}", ipc.display()))?;
        }
        for p in files_with(dir, "trace-", ".json")? {
            r.traces.push(read_trace(&p));
        }
        Ok(r)
    }
}

/// Counts a trace's events, processes and threads (events = None if the
/// file is not a JSON array).
fn read_trace(path: &Path) -> Trace {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed: Option<Vec<serde_json::Value>> = fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let (mut pids, mut tids) = (Vec::new(), Vec::new());
    if let Some(events) = &parsed {
        for e in events {
            let pid = e.get("pid").and_then(|v| v.as_i64());
            let tid = e.get("tid").and_then(|v| v.as_i64());
            if let Some(p) = pid {
                pids.push(p);
                if let Some(t) = tid {
                    tids.push((p, t));
                }
            }
        }
    }
    pids.sort_unstable();
    pids.dedup();
    tids.sort_unstable();
    tids.dedup();
    Trace {
        file,
        events: parsed.map(|e| e.len()),
        processes: pids.len(),
        threads: tids.len(),
    }
}

/// Splits one CSV line, honouring double quotes ("" inside quotes is a
/// quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("never empty").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

/// Parses ipc-bench's CSV by its header names.
pub fn parse_ipc_csv(text: &str) -> Result<Vec<IpcRow>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().context("empty CSV")?);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("no column \"{name}\""))
    };
    let (row, med, p99, claim, verdict) = (
        col("row")?,
        col("median_ns")?,
        col("p99_ns")?,
        col("claim")?,
        col("verdict")?,
    );
    lines
        .map(|l| {
            let f = split_csv(l);
            let get = |i: usize| f.get(i).cloned().unwrap_or_default();
            let num = |i: usize| {
                get(i)
                    .parse::<f64>()
                    .with_context(|| format!("bad number in line \"{l}\""))
            };
            Ok(IpcRow {
                row: get(row),
                median_ns: num(med)?,
                p99_ns: num(p99)?,
                claim: get(claim),
                verdict: get(verdict),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_csv_with_quoted_fields() {
        let csv = "row,timing,cores,samples,ops,median_ns,p99_ns,mean_ns,claim,verdict\n\
                   process-uds-roundtrip,per-iter,0+1,10,10,5200,9000,5300.0,\"10-100 µs (seed: Unix socket round trip)\",below\n\
                   mutex-uncontended,batch/64,0,5,320,18,25,18.5,-,-\n";
        let rows = parse_ipc_csv(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, "process-uds-roundtrip");
        assert_eq!(rows[0].median_ns, 5200.0);
        assert_eq!(rows[0].claim, "10-100 µs (seed: Unix socket round trip)");
        assert_eq!(rows[0].verdict, "below");
        assert_eq!(rows[1].claim, "-");
    }

    #[test]
    fn run_json_from_loadgen() {
        let json = r#"{"label":"pgfork-thread","workload":"select1","clients":1,"prepared":false,
            "scale":1,"duration_s":2.0,"elapsed_s":2.0,"queries":4,"errors":0,"first_error":null,
            "qps":2.0,"count":4,"min_us":10.0,"mean_us":12.0,"p50_us":11.0,"p90_us":14.0,
            "p99_us":15.0,"p999_us":15.0,"max_us":15.0,
            "histogram":[{"value_us":11.0,"count":2},{"value_us":15.0,"count":2}],"connect":null}"#;
        let r: Run = serde_json::from_str(json).unwrap();
        assert_eq!(r.label, "pgfork-thread");
        assert_eq!(r.latency.p50_us, 11.0);
        assert_eq!(r.latency.histogram.len(), 2);
        assert!(r.connect.is_none());
    }
}
