//! The JSON summary of a run: counts, throughput, latency percentiles in µs
//! and the histogram as (value_us, count) buckets for plotting, computed
//! from HdrHistograms recorded in nanoseconds.

use hdrhistogram::Histogram;
use serde::Serialize;

/// Lowest and highest latency the histograms can hold (1 ns .. 1 h), with
/// three significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3)
        .expect("constant histogram bounds are valid")
}

/// One plotting bucket: `count` samples at or below `value_us` (and above
/// the previous bucket's value).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bucket {
    pub value_us: f64,
    pub count: u64,
}

/// Percentiles of one histogram, in microseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min_us: f64,
    pub mean_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
    pub histogram: Vec<Bucket>,
}

/// Buckets grow by this factor: 16 buckets per doubling.
const BUCKET_GROWTH: f64 = 1.044_273_782_427_413_8; // 2^(1/16)

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

impl LatencySummary {
    /// Summarises a histogram of nanosecond values (empty: all zeros).
    pub fn from_ns(h: &Histogram<u64>) -> LatencySummary {
        if h.is_empty() {
            return LatencySummary {
                count: 0,
                min_us: 0.0,
                mean_us: 0.0,
                p50_us: 0.0,
                p90_us: 0.0,
                p99_us: 0.0,
                p999_us: 0.0,
                max_us: 0.0,
                histogram: Vec::new(),
            };
        }
        LatencySummary {
            count: h.len(),
            min_us: us(h.min()),
            mean_us: h.mean() / 1000.0,
            p50_us: us(h.value_at_quantile(0.50)),
            p90_us: us(h.value_at_quantile(0.90)),
            p99_us: us(h.value_at_quantile(0.99)),
            p999_us: us(h.value_at_quantile(0.999)),
            max_us: us(h.max()),
            histogram: buckets(h),
        }
    }
}

/// Log-spaced buckets from 100 ns up, empty buckets left out.
fn buckets(h: &Histogram<u64>) -> Vec<Bucket> {
    h.iter_log(100, BUCKET_GROWTH)
        .filter(|v| v.count_since_last_iteration() > 0)
        .map(|v| Bucket {
            value_us: us(v.value_iterated_to()),
            count: v.count_since_last_iteration(),
        })
        .collect()
}

/// The whole JSON document loadgen writes.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub label: String,
    pub workload: String,
    pub clients: u32,
    pub prepared: bool,
    pub scale: u32,
    /// Requested measurement time, seconds.
    pub duration_s: f64,
    /// Measured wall time from the common start to the last client's stop.
    pub elapsed_s: f64,
    /// Completed queries (for `connect`: completed connect+query+disconnect
    /// cycles).
    pub queries: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub qps: f64,
    /// End-to-end latency of each query (for `connect`: of each cycle).
    #[serde(flatten)]
    pub latency: LatencySummary,
    /// `connect` only: the connect part (socket connect to ReadyForQuery).
    pub connect: Option<LatencySummary>,
}

impl RunSummary {
    /// Throughput: completed queries over elapsed seconds (0 if no time).
    pub fn qps_of(queries: u64, elapsed_s: f64) -> f64 {
        if elapsed_s > 0.0 {
            queries as f64 / elapsed_s
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values_ns: &[u64]) -> Histogram<u64> {
        let mut h = new_histogram();
        for &v in values_ns {
            h.record(v).unwrap();
        }
        h
    }

    #[test]
    fn percentiles_of_1_to_1000_us() {
        let values: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        let s = LatencySummary::from_ns(&hist(&values));
        assert_eq!(s.count, 1000);
        // Three significant digits: within 0.1 % of the exact value.
        let close = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 0.001;
        assert!(close(s.p50_us, 500.0), "p50 {}", s.p50_us);
        assert!(close(s.p90_us, 900.0), "p90 {}", s.p90_us);
        assert!(close(s.p99_us, 990.0), "p99 {}", s.p99_us);
        assert!(close(s.p999_us, 999.0), "p999 {}", s.p999_us);
        assert!(close(s.max_us, 1000.0), "max {}", s.max_us);
        assert!(close(s.min_us, 1.0), "min {}", s.min_us);
        assert!(close(s.mean_us, 500.5), "mean {}", s.mean_us);
    }

    #[test]
    fn buckets_hold_every_sample_in_increasing_order() {
        let values = [
            3_000, 3_000, 10_000, 250_000, 1_000_000, 1_000_000, 1_000_000,
        ];
        let s = LatencySummary::from_ns(&hist(&values));
        let total: u64 = s.histogram.iter().map(|b| b.count).sum();
        assert_eq!(total, values.len() as u64);
        assert!(s
            .histogram
            .windows(2)
            .all(|w| w[0].value_us < w[1].value_us));
        assert!(s.histogram.iter().all(|b| b.count > 0));
        // The last bucket reaches the maximum.
        assert!(s.histogram.last().unwrap().value_us >= 1000.0);
    }

    #[test]
    fn empty_histogram_gives_zeros() {
        let s = LatencySummary::from_ns(&new_histogram());
        assert_eq!(s.count, 0);
        assert_eq!(s.p99_us, 0.0);
        assert!(s.histogram.is_empty());
    }

    #[test]
    fn json_has_the_documented_fields() {
        let latency = LatencySummary::from_ns(&hist(&[20_000, 30_000]));
        let run = RunSummary {
            label: "pgfork-thread".into(),
            workload: "select1".into(),
            clients: 8,
            prepared: false,
            scale: 1,
            duration_s: 2.0,
            elapsed_s: 2.0,
            queries: 2,
            errors: 0,
            first_error: None,
            qps: RunSummary::qps_of(2, 2.0),
            latency,
            connect: None,
        };
        let v: serde_json::Value = serde_json::to_value(&run).unwrap();
        for key in [
            "workload",
            "clients",
            "duration_s",
            "queries",
            "qps",
            "p50_us",
            "p90_us",
            "p99_us",
            "p999_us",
            "max_us",
            "histogram",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["qps"], 1.0);
        assert_eq!(v["histogram"][0]["count"], 1);
        assert!(v["connect"].is_null());
    }

    #[test]
    fn qps_with_no_elapsed_time_is_zero() {
        assert_eq!(RunSummary::qps_of(10, 0.0), 0.0);
        assert_eq!(RunSummary::qps_of(10, 4.0), 2.5);
    }
}
