//! The numbers the report is made of, derived from the inputs: per server,
//! workload and client count the client-observed latency beside the
//! server's own time for the same queries; the per-query phase breakdown
//! (means, so the parts add up to the client's mean); connection set-up.

use std::cmp::Ordering;

use crate::input::{Latency, PhaseRow, PhaseTable, Results, Run};

/// The query phases that follow one another inside `server_total`.
pub const QUERY_PHASES: [&str; 5] = ["recv", "parse", "plan", "execute", "send"];
/// The connection set-up phases, in order; together they make `connect`.
pub const CONNECT_PHASES: [&str; 3] = ["spawn", "backend_startup", "protocol_startup"];

/// Servers in report order: pgfork's modes first, then PostgreSQL, then
/// anything else by name.
pub fn server_rank(name: &str) -> (usize, String) {
    let rank = match name {
        "pgfork-process" => 0,
        "pgfork-prefork" => 1,
        "pgfork-thread" => 2,
        n if n.starts_with("pgfork") => 3,
        n if n.starts_with("postgres") => 4,
        _ => 5,
    };
    (rank, name.to_string())
}

/// Workloads in report order; "W-traced" (the --trace run) right after W.
pub fn workload_rank(name: &str) -> (usize, String) {
    let base = name.strip_suffix("-traced").unwrap_or(name);
    let rank = ["select1", "point-select", "insert", "connect"]
        .iter()
        .position(|w| *w == base)
        .unwrap_or(4);
    (rank * 2 + usize::from(base != name), name.to_string())
}

/// Finds a phase row by name.
pub fn phase<'a>(t: &'a PhaseTable, name: &str) -> Option<&'a PhaseRow> {
    t.rows.iter().find(|r| r.phase == name && r.calls > 0)
}

/// Mean of one phase per call, µs.
pub fn mean_us(row: &PhaseRow) -> f64 {
    if row.calls == 0 {
        0.0
    } else {
        row.total_us / row.calls as f64
    }
}

/// One line of the main table: a loadgen run and, where the server
/// reports it, its `server_total` for the same queries.
#[derive(Clone, Debug)]
pub struct QueryRow<'a> {
    pub run: &'a Run,
    pub phases: Option<&'a PhaseTable>,
    pub server_p50_us: Option<f64>,
    pub server_mean_us: Option<f64>,
}

impl QueryRow<'_> {
    /// Client p50 minus server_total p50: the socket round trip plus
    /// scheduling, per query (for `connect`: not meaningful, None).
    pub fn overhead_p50_us(&self) -> Option<f64> {
        if self.run.workload == "connect" {
            return None;
        }
        self.server_p50_us.map(|s| self.run.latency.p50_us - s)
    }

    /// Client mean minus server_total mean.
    pub fn overhead_mean_us(&self) -> Option<f64> {
        if self.run.workload == "connect" || self.run.latency.mean_us <= 0.0 {
            return None;
        }
        self.server_mean_us.map(|s| self.run.latency.mean_us - s)
    }
}

/// The phase table dumped after `run`, if any.
pub fn phases_for<'a>(res: &'a Results, run: &Run) -> Option<&'a PhaseTable> {
    res.phases
        .iter()
        .find(|p| p.server == run.label && p.workload == run.workload && p.clients == run.clients)
}

/// All runs joined with their phase tables, in report order.
pub fn query_rows(res: &Results) -> Vec<QueryRow<'_>> {
    let mut rows: Vec<QueryRow> = res
        .runs
        .iter()
        .map(|run| {
            let phases = phases_for(res, run);
            let st = phases.and_then(|t| phase(t, "server_total"));
            QueryRow {
                run,
                phases,
                server_p50_us: st.map(|r| r.p50_us),
                server_mean_us: st.map(mean_us),
            }
        })
        .collect();
    rows.sort_by(|a, b| order(a.run, b.run));
    rows
}

fn order(a: &Run, b: &Run) -> Ordering {
    (workload_rank(&a.workload), a.clients, server_rank(&a.label)).cmp(&(
        workload_rank(&b.workload),
        b.clients,
        server_rank(&b.label),
    ))
}

/// One stacked bar: named parts in µs.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub server: String,
    pub parts: Vec<(String, f64)>,
}

impl Bar {
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|(_, v)| v.max(0.0)).sum()
    }
}

/// Label of the part of a bar that the server does not split.
pub const NOT_SPLIT: &str = "whole query (no server-side split)";
/// Label of a connect bar that the server does not split.
pub const CONNECT_NOT_SPLIT: &str = "whole connect (no server-side split)";
pub const OTHER_IN_SERVER: &str = "other in server";
pub const CLIENT_MINUS_SERVER: &str = "client - server (socket + scheduling)";

/// Per-query mean breakdown: each query phase's total divided by the
/// number of queries (server_total calls), the rest of server_total, and
/// the client's mean minus server_total's mean. The parts add up to the
/// client's mean latency. Without phases: one part, the client's mean.
pub fn breakdown(row: &QueryRow) -> Bar {
    let client = row.run.latency.mean_us;
    let server = row.run.label.clone();
    let Some(t) = row.phases else {
        return Bar {
            server,
            parts: vec![(NOT_SPLIT.to_string(), client)],
        };
    };
    let Some(st) = phase(t, "server_total") else {
        return Bar {
            server,
            parts: vec![(NOT_SPLIT.to_string(), client)],
        };
    };
    let queries = st.calls as f64;
    let mut parts: Vec<(String, f64)> = QUERY_PHASES
        .iter()
        .map(|p| {
            let v = phase(t, p).map_or(0.0, |r| r.total_us / queries);
            (p.to_string(), v)
        })
        .collect();
    let st_mean = mean_us(st);
    let inside: f64 = parts.iter().map(|(_, v)| v).sum();
    parts.push((OTHER_IN_SERVER.to_string(), (st_mean - inside).max(0.0)));
    parts.push((CLIENT_MINUS_SERVER.to_string(), (client - st_mean).max(0.0)));
    Bar { server, parts }
}

/// Connection set-up of one server.
#[derive(Clone, Debug)]
pub struct Setup<'a> {
    pub server: String,
    /// The loadgen connect run (client side).
    pub client: Option<&'a Latency>,
    pub clients: u32,
    /// Server rows connect, spawn, backend_startup, protocol_startup.
    pub rows: Vec<&'a PhaseRow>,
}

impl Setup<'_> {
    pub fn row(&self, name: &str) -> Option<&PhaseRow> {
        self.rows.iter().copied().find(|r| r.phase == name)
    }

    /// Stacked means: spawn, backend_startup, protocol_startup, then the
    /// client's connect mean minus the server's connect mean.
    pub fn bar(&self) -> Bar {
        let client = self.client.map_or(0.0, |c| c.mean_us);
        let Some(connect) = self.row("connect") else {
            return Bar {
                server: self.server.clone(),
                parts: vec![(CONNECT_NOT_SPLIT.to_string(), client)],
            };
        };
        let mut parts: Vec<(String, f64)> = CONNECT_PHASES
            .iter()
            .map(|p| (p.to_string(), self.row(p).map_or(0.0, mean_us)))
            .collect();
        parts.push((
            "client - server (socket, client library)".to_string(),
            (client - mean_us(connect)).max(0.0),
        ));
        Bar {
            server: self.server.clone(),
            parts,
        }
    }
}

/// Connection set-up per server, from the `connect` workload at the fewest
/// clients measured.
pub fn setups(res: &Results) -> Vec<Setup<'_>> {
    let mut runs: Vec<&Run> = res
        .runs
        .iter()
        .filter(|r| r.workload == "connect")
        .collect();
    runs.sort_by(|a, b| order(a, b));
    let mut out: Vec<Setup> = Vec::new();
    for run in runs {
        if out.iter().any(|s| s.server == run.label) {
            continue; // fewest clients first
        }
        let rows = phases_for(res, run)
            .map(|t| {
                ["connect", "spawn", "backend_startup", "protocol_startup"]
                    .iter()
                    .filter_map(|p| phase(t, p))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Setup {
            server: run.label.clone(),
            client: run.connect.as_ref(),
            clients: run.clients,
            rows,
        });
    }
    out.sort_by_key(|s| server_rank(&s.server));
    out
}

/// The run of `server` for `workload` at `clients`.
pub fn find<'a>(
    rows: &'a [QueryRow<'a>],
    server: &str,
    workload: &str,
    clients: u32,
) -> Option<&'a QueryRow<'a>> {
    rows.iter()
        .find(|r| r.run.label == server && r.run.workload == workload && r.run.clients == clients)
}

/// Cumulative fraction at each bucket's value: (value_us, fraction).
pub fn cdf(buckets: &[crate::input::Bucket]) -> Vec<(f64, f64)> {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut seen = 0;
    buckets
        .iter()
        .map(|b| {
            seen += b.count;
            (b.value_us, seen as f64 / total as f64)
        })
        .collect()
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::input::{Bucket, Latency, PhaseRow, PhaseTable, Run};

    pub fn run(server: &str, workload: &str, clients: u32, mean: f64, p50: f64) -> Run {
        Run {
            label: server.into(),
            workload: workload.into(),
            clients,
            prepared: false,
            queries: 1000,
            errors: 0,
            first_error: None,
            qps: 500.0,
            latency: Latency {
                mean_us: mean,
                p50_us: p50,
                p90_us: p50 * 1.5,
                p99_us: p50 * 3.0,
                p999_us: p50 * 4.0,
                max_us: p50 * 10.0,
                histogram: vec![Bucket {
                    value_us: p50,
                    count: 1000,
                }],
            },
            connect: None,
        }
    }

    pub fn row(phase: &str, calls: u64, total: f64, p50: f64) -> PhaseRow {
        PhaseRow {
            phase: phase.into(),
            calls,
            total_us: total,
            p50_us: p50,
            p90_us: p50,
            p99_us: p50,
            max_us: p50,
        }
    }

    pub fn table(server: &str, workload: &str, clients: u32, rows: Vec<PhaseRow>) -> PhaseTable {
        PhaseTable {
            server: server.into(),
            workload: workload.into(),
            clients,
            rows,
            error: None,
        }
    }

    /// 100 queries: recv 1, parse 2, plan 1, execute 3, send 2 µs each,
    /// server_total 10 µs: 1 µs other; client mean 40 µs: 30 µs outside.
    pub fn sample() -> Results {
        let rows = vec![
            row("recv", 100, 100.0, 1.0),
            row("parse", 100, 200.0, 2.0),
            row("plan", 100, 100.0, 1.0),
            row("execute", 100, 300.0, 3.0),
            row("send", 100, 200.0, 2.0),
            row("server_total", 100, 1000.0, 9.5),
        ];
        Results {
            runs: vec![
                run("postgresql-15", "select1", 1, 30.0, 28.0),
                run("pgfork-thread", "select1", 1, 35.0, 33.0),
                run("pgfork-process", "select1", 1, 40.0, 38.0),
            ],
            phases: vec![
                table("pgfork-process", "select1", 1, rows.clone()),
                table("pgfork-thread", "select1", 1, rows),
            ],
            ..Results::default()
        }
    }

    #[test]
    fn rows_are_ordered_and_joined() {
        let res = sample();
        let rows = query_rows(&res);
        let names: Vec<&str> = rows.iter().map(|r| r.run.label.as_str()).collect();
        assert_eq!(names, ["pgfork-process", "pgfork-thread", "postgresql-15"]);
        assert_eq!(rows[0].server_p50_us, Some(9.5));
        assert_eq!(rows[0].overhead_p50_us(), Some(38.0 - 9.5));
        assert_eq!(rows[0].overhead_mean_us(), Some(30.0));
        assert_eq!(rows[2].overhead_p50_us(), None);
    }

    #[test]
    fn breakdown_adds_up_to_client_mean() {
        let res = sample();
        let rows = query_rows(&res);
        let bar = breakdown(&rows[0]);
        let parts: Vec<(&str, f64)> = bar.parts.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        assert_eq!(
            parts,
            [
                ("recv", 1.0),
                ("parse", 2.0),
                ("plan", 1.0),
                ("execute", 3.0),
                ("send", 2.0),
                (OTHER_IN_SERVER, 1.0),
                (CLIENT_MINUS_SERVER, 30.0),
            ]
        );
        assert!((bar.total() - 40.0).abs() < 1e-9);
        let pg = breakdown(&rows[2]);
        assert_eq!(pg.parts, vec![(NOT_SPLIT.to_string(), 30.0)]);
    }

    #[test]
    fn setup_uses_fewest_clients_and_stacks_phases() {
        let mut res = sample();
        let mut c1 = run("pgfork-process", "connect", 1, 900.0, 800.0);
        c1.connect = Some(Latency {
            mean_us: 700.0,
            p50_us: 650.0,
            ..Latency::default()
        });
        let c8 = run("pgfork-process", "connect", 8, 5000.0, 4000.0);
        res.runs.push(c8);
        res.runs.push(c1);
        res.phases.push(table(
            "pgfork-process",
            "connect",
            1,
            vec![
                row("connect", 10, 5000.0, 480.0),
                row("spawn", 10, 3000.0, 290.0),
                row("backend_startup", 10, 1000.0, 95.0),
                row("protocol_startup", 10, 1000.0, 95.0),
            ],
        ));
        let s = setups(&res);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].clients, 1);
        let bar = s[0].bar();
        let vals: Vec<f64> = bar.parts.iter().map(|p| p.1).collect();
        assert_eq!(vals, [300.0, 100.0, 100.0, 200.0]);
        assert_eq!(bar.total(), 700.0);
    }

    #[test]
    fn traced_workload_follows_its_base() {
        let mut w = ["connect", "select1-traced", "insert", "select1"];
        w.sort_by_key(|w| workload_rank(w));
        assert_eq!(w, ["select1", "select1-traced", "insert", "connect"]);
    }

    #[test]
    fn cdf_reaches_one() {
        let b = [
            Bucket {
                value_us: 1.0,
                count: 1,
            },
            Bucket {
                value_us: 2.0,
                count: 3,
            },
        ];
        assert_eq!(cdf(&b), vec![(1.0, 0.25), (2.0, 1.0)]);
        assert!(cdf(&[]).is_empty());
    }
}
