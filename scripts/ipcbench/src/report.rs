//! The report: header lines (machine, cores, clock, method), the table with
//! the seed's claim and a verdict beside each row, summary lines, and the
//! CSV file.

use std::io::{self, Write};
use std::time::Duration;

use crate::affinity::CorePair;
use crate::claims::{self, Claim, Verdict};
use crate::machine::Machine;
use crate::measure::Measurement;
use crate::rows::{Kind, RowCtx, RowSpec};

/// One measured row, ready to print.
#[derive(Clone, Debug)]
pub struct RowResult {
    pub name: String,
    pub kind: Kind,
    pub timing: String,
    pub cores: String,
    /// Both parties pinned to the same CPU.
    pub same_cpu: bool,
    pub samples: u64,
    pub ops: u64,
    pub median_ns: u64,
    pub p99_ns: u64,
    pub mean_ns: f64,
    pub claim: Claim,
    pub verdict: Verdict,
}

impl RowResult {
    pub fn new(spec: &RowSpec, ctx: &RowCtx, m: &Measurement) -> RowResult {
        let median_ns = m.median_ns();
        RowResult {
            name: spec.name.to_string(),
            kind: spec.kind,
            timing: m.timing.label(),
            cores: ctx.cores.label(),
            same_cpu: ctx.cores.peer.is_some() && ctx.cores.main == ctx.cores.peer,
            samples: m.samples(),
            ops: m.ops,
            median_ns,
            p99_ns: m.p99_ns(),
            mean_ns: m.mean_ns(),
            claim: spec.claim,
            verdict: spec.claim.verdict(median_ns),
        }
    }
}

/// What the header states about the run.
pub struct Header {
    pub machine: Machine,
    pub pair: CorePair,
    pub clock_overhead_ns: u64,
    pub mode: String,
    pub budget: Option<Duration>,
}

pub fn print_header(out: &mut impl Write, h: &Header) -> io::Result<()> {
    let m = &h.machine;
    writeln!(
        out,
        "ipc-bench: thread vs process communication costs on this machine"
    )?;
    writeln!(
        out,
        "machine : {} | nproc {} | {}",
        m.cpu_model, m.nproc, m.kernel
    )?;
    let CorePair { a, b } = h.pair;
    if a == b {
        writeln!(
            out,
            "cores   : only CPU {a} is allowed, so every pinned row runs both parties on it"
        )?;
    } else {
        writeln!(
            out,
            "cores   : two-party rows pin the measuring side to CPU {a} and its peer to CPU {b}; \
             -samecore rows pin both to CPU {a}; single-party rows use CPU {a}; \
             fork/spawn rows are unpinned (cores column)"
        )?;
    }
    writeln!(
        out,
        "clock   : CLOCK_MONOTONIC (std::time::Instant); two back-to-back reads take ~{} ns, \
         included in per-iter figures",
        h.clock_overhead_ns
    )?;
    writeln!(
        out,
        "timing  : per-iter = every operation timed alone; batch/N = N operations timed \
         together and divided by N (median/p99 are then over batch means, hiding single-op tails)"
    )?;
    let cap = h.budget.map_or("no time cap".to_string(), |b| {
        format!("each row capped at {:.1} s", b.as_secs_f64())
    });
    writeln!(
        out,
        "run     : {}, {cap}; ops = operations actually timed, after a short warm-up",
        h.mode
    )?;
    writeln!(
        out,
        "figures : ns per operation (a *-roundtrip operation is a full round trip); \
         verdict compares the median with the seed's range"
    )?;
    writeln!(out)
}

const WIDTHS: [usize; 9] = [37, 10, 5, 9, 11, 11, 11, 40, 7];
const HEADS: [&str; 9] = [
    "row",
    "timing",
    "cores",
    "ops",
    "median ns",
    "p99 ns",
    "mean ns",
    "seed claim",
    "verdict",
];

fn print_cells(out: &mut impl Write, cells: &[String; 9]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (c, w)) in cells.iter().zip(WIDTHS).enumerate() {
        // Text left-aligned, numbers right-aligned.
        if (3..=6).contains(&i) {
            line.push_str(&format!("{c:>w$}  "));
        } else {
            line.push_str(&format!("{c:<w$}  "));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

pub fn print_table_head(out: &mut impl Write) -> io::Result<()> {
    print_cells(out, &HEADS.map(str::to_string))?;
    let total: usize = WIDTHS.iter().map(|w| w + 2).sum::<usize>() - 2;
    writeln!(out, "{}", "-".repeat(total))
}

pub fn print_row(out: &mut impl Write, r: &RowResult) -> io::Result<()> {
    print_cells(
        out,
        &[
            r.name.clone(),
            r.timing.clone(),
            r.cores.clone(),
            group(r.ops),
            group(r.median_ns),
            group(r.p99_ns),
            group(r.mean_ns.round() as u64),
            r.claim.label().to_string(),
            r.verdict.label().to_string(),
        ],
    )
}

/// Lines drawn from the figures: the spread of blocking round trips across
/// two CPUs and on one, of spinning round trips, and the seed's PostgreSQL
/// claim against the Unix socket row.
pub fn print_summary(out: &mut impl Write, rows: &[RowResult], took: Duration) -> io::Result<()> {
    writeln!(out)?;
    for (kind, same_cpu, what) in [
        (
            Kind::Blocking,
            false,
            "blocking round trips, parties on two CPUs",
        ),
        (
            Kind::Blocking,
            true,
            "blocking round trips, both parties on one CPU",
        ),
        (
            Kind::Spinning,
            false,
            "spinning round trips, parties on two CPUs",
        ),
        (
            Kind::Spinning,
            true,
            "spinning round trips, both parties on one CPU",
        ),
    ] {
        let of_kind: Vec<&RowResult> = rows
            .iter()
            .filter(|r| r.kind == kind && r.same_cpu == same_cpu)
            .collect();
        let lo = of_kind.iter().min_by_key(|r| r.median_ns);
        let hi = of_kind.iter().max_by_key(|r| r.median_ns);
        if let (Some(lo), Some(hi)) = (lo, hi) {
            writeln!(
                out,
                "{what}: medians {} ns ({}) to {} ns ({}), over {} rows",
                group(lo.median_ns),
                lo.name,
                group(hi.median_ns),
                hi.name,
                of_kind.len()
            )?;
        }
    }
    if let Some(uds) = rows.iter().find(|r| r.name == "process-uds-roundtrip") {
        let (lo, hi) = claims::PG_BACKEND_NS;
        writeln!(
            out,
            "seed's \"PostgreSQL backend IPC 20-50 µs per round trip\": not measured directly; \
             nearest row process-uds-roundtrip has median {} ns ({} that range)",
            group(uds.median_ns),
            claims::classify(uds.median_ns, lo, hi).label()
        )?;
    }
    writeln!(out, "total time: {:.1} s", took.as_secs_f64())
}

pub const CSV_COLUMNS: [&str; 10] = [
    "row",
    "timing",
    "cores",
    "samples",
    "ops",
    "median_ns",
    "p99_ns",
    "mean_ns",
    "claim",
    "verdict",
];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn write_csv(out: &mut impl Write, rows: &[RowResult]) -> io::Result<()> {
    writeln!(out, "{}", CSV_COLUMNS.join(","))?;
    for r in rows {
        let fields = [
            r.name.clone(),
            r.timing.clone(),
            r.cores.clone(),
            r.samples.to_string(),
            r.ops.to_string(),
            r.median_ns.to_string(),
            r.p99_ns.to_string(),
            format!("{:.1}", r.mean_ns),
            r.claim.label().to_string(),
            r.verdict.label().to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// 1234567 -> "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let head = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    let mut out = digits[..head].to_string();
    for chunk in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(chunk).expect("ASCII digits"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str, claim: Claim, median: u64) -> RowResult {
        RowResult {
            name: name.to_string(),
            kind: Kind::Blocking,
            timing: "per-iter".to_string(),
            cores: "0,1".to_string(),
            same_cpu: false,
            samples: 10,
            ops: 10,
            median_ns: median,
            p99_ns: median * 2,
            mean_ns: median as f64 + 0.25,
            claim,
            verdict: claim.verdict(median),
        }
    }

    /// Splits one CSV line, honouring double quotes.
    fn split_csv(line: &str) -> Vec<String> {
        let (mut fields, mut cur, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        fields
    }

    #[test]
    fn csv_has_one_field_per_column() {
        let rows = [
            sample("process-uds-roundtrip", Claim::UnixSocket, 65_000),
            sample("odd,\"name\"", Claim::None, 7),
        ];
        let mut buf = Vec::new();
        write_csv(&mut buf, &rows).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "row,timing,cores,samples,ops,median_ns,p99_ns,mean_ns,claim,verdict"
        );
        let first = split_csv(lines[1]);
        assert_eq!(first.len(), CSV_COLUMNS.len());
        assert_eq!(first[0], "process-uds-roundtrip");
        assert_eq!(first[2], "0,1");
        assert_eq!(first[5], "65000");
        assert_eq!(first[6], "130000");
        assert_eq!(first[7], "65000.2");
        assert_eq!(first[8], "10-100 µs (seed: Unix socket round trip)");
        assert_eq!(first[9], "within");
        let second = split_csv(lines[2]);
        assert_eq!(second.len(), CSV_COLUMNS.len());
        assert_eq!(second[0], "odd,\"name\"");
        assert_eq!(second[9], "-");
    }

    #[test]
    fn table_row_shows_claim_and_verdict() {
        let mut buf = Vec::new();
        print_row(
            &mut buf,
            &sample("thread-uds-roundtrip", Claim::Thread, 61_234),
        )
        .unwrap();
        let line = String::from_utf8(buf).unwrap();
        assert!(line.contains("61,234"), "{line}");
        assert!(
            line.contains("50-200 ns (seed: thread communication)"),
            "{line}"
        );
        assert!(line.trim_end().ends_with("above"), "{line}");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
