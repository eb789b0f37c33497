//! Timing loops and histograms: how every row turns repeated operations into
//! median / p99 / mean figures in nanoseconds.
//!
//! All times come from `std::time::Instant`, which is CLOCK_MONOTONIC on
//! Linux. A row is timed either per iteration (each operation between two
//! clock reads, so the clock's own cost is included) or in batches (N
//! operations between two clock reads, the sample being the batch mean;
//! percentiles are then over batch means and hide single-operation tails).

use std::io;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// How the operations of a row are timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// Each operation timed on its own.
    PerIter,
    /// This many operations timed together; the sample is their mean.
    Batch(u32),
}

impl Timing {
    pub fn label(self) -> String {
        match self {
            Timing::PerIter => "per-iter".to_string(),
            Timing::Batch(n) => format!("batch/{n}"),
        }
    }

    fn ops_per_sample(self) -> u64 {
        match self {
            Timing::PerIter => 1,
            Timing::Batch(n) => u64::from(n.max(1)),
        }
    }
}

/// How much work a row does.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Operations to time (after warm-up).
    pub iters: u64,
    /// Stop early once this much time has gone by, if set.
    pub budget: Option<Duration>,
}

/// The outcome of timing one row.
pub struct Measurement {
    /// One value per sample, in ns (per operation).
    pub hist: Histogram<u64>,
    /// Operations actually timed.
    pub ops: u64,
    pub timing: Timing,
}

impl Measurement {
    pub fn new(timing: Timing) -> Self {
        // Up to one hour per sample at 3 significant figures.
        let hist = Histogram::new_with_max(3_600_000_000_000, 3)
            .expect("static histogram bounds are valid");
        Measurement {
            hist,
            ops: 0,
            timing,
        }
    }

    pub fn record(&mut self, ns: u64) -> io::Result<()> {
        self.hist
            .record(ns)
            .map_err(|e| io::Error::other(format!("histogram: {e:?}")))
    }

    pub fn samples(&self) -> u64 {
        self.hist.len()
    }

    pub fn median_ns(&self) -> u64 {
        self.hist.value_at_quantile(0.5)
    }

    pub fn p99_ns(&self) -> u64 {
        self.hist.value_at_quantile(0.99)
    }

    pub fn mean_ns(&self) -> f64 {
        self.hist.mean()
    }
}

/// Warm-up operations run (untimed) before a row's timed loop.
fn warmup_ops(iters: u64) -> u64 {
    (iters / 10).min(1_000)
}

/// Runs `op` `plan.iters` times (or until the budget runs out) after a short
/// warm-up, timing it as `timing` says.
pub fn run_loop(
    plan: &Plan,
    timing: Timing,
    mut op: impl FnMut() -> io::Result<()>,
) -> io::Result<Measurement> {
    for _ in 0..warmup_ops(plan.iters) {
        op()?;
    }
    let mut m = Measurement::new(timing);
    let per = timing.ops_per_sample();
    let start = Instant::now();
    while m.ops < plan.iters {
        let k = per.min(plan.iters - m.ops);
        let t0 = Instant::now();
        for _ in 0..k {
            op()?;
        }
        let t1 = Instant::now();
        let ns = u64::try_from((t1 - t0).as_nanos()).unwrap_or(u64::MAX);
        m.record((ns + k / 2) / k)?;
        m.ops += k;
        if plan.budget.is_some_and(|b| t1 - start >= b) {
            break;
        }
    }
    Ok(m)
}

/// Median cost in ns of two back-to-back `Instant::now()` calls: what
/// per-iteration timing adds to every sample.
pub fn clock_overhead_ns() -> u64 {
    let mut m = Measurement::new(Timing::PerIter);
    for _ in 0..20_000 {
        let t0 = Instant::now();
        let t1 = Instant::now();
        let _ = m.record(u64::try_from((t1 - t0).as_nanos()).unwrap_or(u64::MAX));
    }
    m.median_ns()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_timing_counts_ops_and_samples() {
        let plan = Plan {
            iters: 1_000,
            budget: None,
        };
        let mut calls = 0u64;
        let m = run_loop(&plan, Timing::Batch(64), || {
            calls += 1;
            std::thread::sleep(Duration::from_nanos(1));
            Ok(())
        })
        .unwrap();
        assert_eq!(m.ops, 1_000);
        assert_eq!(calls, 1_000 + warmup_ops(1_000));
        // 15 full batches of 64 and one of 40.
        assert_eq!(m.samples(), 16);
        assert!(m.median_ns() > 0);
    }

    #[test]
    fn budget_stops_early() {
        let plan = Plan {
            iters: 1_000_000,
            budget: Some(Duration::from_millis(20)),
        };
        let m = run_loop(&plan, Timing::PerIter, || {
            std::thread::sleep(Duration::from_millis(1));
            Ok(())
        })
        .unwrap();
        assert!(m.ops > 0 && m.ops < 1_000);
        assert!(m.median_ns() >= 1_000_000);
    }
}
