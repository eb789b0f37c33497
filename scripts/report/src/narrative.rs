//! "What the numbers say": sentences generated from the measured figures
//! only — process vs thread overhead, prefork vs fork connect cost, memory,
//! and a verdict per claim of the seed text. A comparison whose inputs are
//! missing is left out (or says it was not measured) rather than guessed.

use crate::analysis::{find, phase, QueryRow, Setup};
use crate::fmt::{clients, us};
use crate::input::{IpcRow, Memory};

/// Differences smaller than this share of the larger value are "about the
/// same".
const SAME: f64 = 0.10;

/// A seed claim: its text and range in µs.
pub struct Claim {
    pub text: &'static str,
    pub lo_us: f64,
    pub hi_us: f64,
}

pub const UDS: Claim = Claim {
    text: "a Unix-domain socket round trip takes 10-100 µs",
    lo_us: 10.0,
    hi_us: 100.0,
};
pub const PG_IPC: Claim = Claim {
    text: "PostgreSQL backend IPC costs 20-50 µs per round trip, before query execution",
    lo_us: 20.0,
    hi_us: 50.0,
};
pub const THREAD: Claim = Claim {
    text: "thread communication costs 50-200 ns",
    lo_us: 0.05,
    hi_us: 0.2,
};
pub const SHM: Claim = Claim {
    text: "shared-memory IPC between processes can be sub-µs",
    lo_us: 0.0,
    hi_us: 0.999,
};

/// "agrees" when `v` is inside the claim's range, else "disagrees" and on
/// which side.
pub fn verdict(c: &Claim, v: f64) -> &'static str {
    if v < c.lo_us {
        "disagrees (below the claimed range)"
    } else if v > c.hi_us {
        "disagrees (above the claimed range)"
    } else {
        "agrees"
    }
}

/// The select1 run of `server` at the fewest clients; if the server gave
/// no phase table for it, the traced select1 run (whose phases come from
/// the trace) when there is one.
fn select1<'a>(rows: &'a [QueryRow<'a>], server: &str) -> Option<&'a QueryRow<'a>> {
    let of = |w: &str| {
        rows.iter()
            .filter(|r| r.run.label == server && r.run.workload == w)
            .min_by_key(|r| r.run.clients)
    };
    match (of("select1"), of("select1-traced")) {
        (Some(p), _) if p.server_p50_us.is_some() => Some(p),
        (_, Some(t)) if t.server_p50_us.is_some() => Some(t),
        (p, t) => p.or(t),
    }
}

/// Compares two values as "about the same" / "X is N µs (P %) lower".
fn compare(a_name: &str, a: f64, b_name: &str, b: f64) -> String {
    let big = a.abs().max(b.abs());
    if big == 0.0 || (a - b).abs() / big < SAME {
        return format!("about the same (within {:.0} %)", SAME * 100.0);
    }
    let (lo_name, lo, hi) = if a < b {
        (a_name, a, b)
    } else {
        (b_name, b, a)
    };
    format!(
        "{lo_name} is {} µs ({:.0} %) lower",
        us(Some(hi - lo)),
        (hi - lo) / hi * 100.0
    )
}

/// Process vs thread: client-minus-server overhead per query, per workload
/// and client count where both modes ran.
pub fn process_vs_thread(rows: &[QueryRow]) -> Vec<String> {
    let mut out = Vec::new();
    let mut all_same = true;
    for p in rows.iter().filter(|r| r.run.label == "pgfork-process") {
        let (w, c) = (&p.run.workload, p.run.clients);
        let Some(t) = find(rows, "pgfork-thread", w, c) else {
            continue;
        };
        let (Some(po), Some(to)) = (p.overhead_p50_us(), t.overhead_p50_us()) else {
            continue;
        };
        let cmp = compare("thread mode", to, "process mode", po);
        all_same &= cmp.starts_with("about");
        out.push(format!(
            "{w}, {}: outside the server (client p50 − server_total p50) a query spends {} µs \
             with a backend process and {} µs with a backend thread: {cmp}. Client p50: {} µs vs {} µs.",
            clients(c),
            us(Some(po)),
            us(Some(to)),
            us(Some(p.run.latency.p50_us)),
            us(Some(t.run.latency.p50_us)),
        ));
    }
    if !out.is_empty() && all_same {
        out.push(
            "In every workload measured, the per-query cost outside the server does not depend on \
             whether the backend is a process or a thread: in both modes the client is another \
             process on the far side of a Unix socket, so each query pays the same socket round \
             trip and wake-ups."
                .to_string(),
        );
    }
    out
}

/// Pool mode vs thread mode: the client's p50 per query in each pool
/// variant against thread mode's in the same workload and client count
/// (issue 17's goal: within 10 %), and the `queue` phase (message
/// complete → a carrier starts it) that the hand-off adds.
pub fn pool_vs_thread(rows: &[QueryRow]) -> Vec<String> {
    let mut out = Vec::new();
    for p in rows
        .iter()
        .filter(|r| r.run.label.starts_with("pgfork-pool") && r.run.workload != "connect")
    {
        let (w, c) = (&p.run.workload, p.run.clients);
        let Some(t) = find(rows, "pgfork-thread", w, c) else {
            continue;
        };
        let (pool, thread) = (p.run.latency.p50_us, t.run.latency.p50_us);
        if thread <= 0.0 {
            continue;
        }
        let ratio = pool / thread;
        let goal = if ratio <= 1.1 { "within" } else { "outside" };
        let queue = p
            .phases
            .and_then(|t| phase(t, "queue"))
            .map_or(String::new(), |q| {
                format!(
                    "; its queue phase (message complete → carrier starts it) has p50 {} µs",
                    us(Some(q.p50_us))
                )
            });
        out.push(format!(
            "{w}, {}: client p50 {} µs in {} against {} µs in thread mode ({ratio:.2}x, {goal} \
             the 10 % goal){queue}.",
            clients(c),
            us(Some(pool)),
            p.run.label,
            us(Some(thread)),
        ));
    }
    out
}

/// How much of the client's mean latency the server accounts for.
pub fn server_share(rows: &[QueryRow]) -> Vec<String> {
    let mut out = Vec::new();
    for server in ["pgfork-process", "pgfork-prefork", "pgfork-thread"] {
        let Some(r) = select1(rows, server) else {
            continue;
        };
        let Some(st) = r.server_mean_us else { continue };
        let client = r.run.latency.mean_us;
        if client <= 0.0 {
            continue;
        }
        out.push(format!(
            "{server}, {} at {}: of the client's mean {} µs per query the server's own time \
             (server_total) is {} µs ({:.0} %); the rest is the socket round trip, wake-ups and \
             the client library.",
            r.run.workload,
            clients(r.run.clients),
            us(Some(client)),
            us(Some(st)),
            st / client * 100.0
        ));
    }
    out
}

/// Fork vs prefork (and thread, PostgreSQL) connection set-up.
pub fn connect_cost(setups: &[Setup]) -> Vec<String> {
    let get = |name: &str| setups.iter().find(|s| s.server == name);
    let client_p50 = |s: &Setup| s.client.map(|c| c.p50_us);
    let spawn_p50 = |s: &Setup| s.row("spawn").map(|r| r.p50_us);
    let mut out = Vec::new();
    if let (Some(f), Some(p)) = (get("pgfork-process"), get("pgfork-prefork")) {
        if let (Some(fc), Some(pc)) = (client_p50(f), client_p50(p)) {
            let mut s = format!(
                "Connecting (client-side p50, socket connect to ReadyForQuery) takes {} µs when \
                 pgfork forks a backend per connection and {} µs with pre-forked backends: {}.",
                us(Some(fc)),
                us(Some(pc)),
                compare("prefork", pc, "fork", fc)
            );
            if let (Some(fs), Some(ps)) = (spawn_p50(f), spawn_p50(p)) {
                s.push_str(&format!(
                    " The server's spawn step (accept to backend running, p50) is {} µs vs {} µs.",
                    us(Some(fs)),
                    us(Some(ps))
                ));
            }
            out.push(s);
        }
    }
    let others: Vec<String> = ["pgfork-thread", "postgresql-15"]
        .iter()
        .filter_map(|n| {
            let s = get(n)?;
            let c = client_p50(s)?;
            Some(match spawn_p50(s) {
                Some(sp) => format!("{n} {} µs (spawn {} µs)", us(Some(c)), us(Some(sp))),
                None => format!("{n} {} µs", us(Some(c))),
            })
        })
        .collect();
    if !others.is_empty() {
        out.push(format!("Connect p50 elsewhere: {}.", others.join("; ")));
    }
    out
}

/// Idle memory per connection beside PostgreSQL's.
pub fn memory(mem: &[Memory]) -> Vec<String> {
    let parts: Vec<String> = mem
        .iter()
        .filter_map(|m| Some(format!("{} {:.0} kB", m.server, m.pss_kb_per_conn?)))
        .collect();
    if parts.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "An idle connection adds this much PSS to the server (smaps_rollup, summed over its \
         processes): {}.",
        parts.join(", ")
    )]
}

/// Sets pgfork's measured per-query overhead beside ipc-bench's socket
/// round trips between two CPUs and on one CPU, saying which it is nearer
/// (on a log scale).
pub fn overhead_vs_ipc(rows: &[QueryRow], ipc: &[IpcRow]) -> Vec<String> {
    let by_name = |n: &str| {
        ipc.iter()
            .find(|r| r.row == n)
            .map(|r| r.median_ns / 1000.0)
    };
    let (Some(cross), Some(same)) = (
        by_name("process-uds-roundtrip"),
        by_name("process-uds-roundtrip-samecore"),
    ) else {
        return Vec::new();
    };
    let Some(r) = select1(rows, "pgfork-process") else {
        return Vec::new();
    };
    let Some(o) = r.overhead_p50_us().filter(|o| *o > 0.0) else {
        return Vec::new();
    };
    let nearer = if (o / same).ln().abs() < (o / cross).ln().abs() {
        "the same-CPU one, as if client and backend took turns on one CPU rather than woke each \
         other across CPUs"
    } else {
        "the cross-CPU one: each query woke the backend on another CPU"
    };
    vec![format!(
        "pgfork-process {} at {}: client − server p50 {} µs, against ipc-bench's socket round \
         trip between two processes of {} µs across two CPUs and {} µs on one CPU; it is nearer \
         {nearer}.",
        r.run.workload,
        clients(r.run.clients),
        us(Some(o)),
        us(Some(cross)),
        us(Some(same)),
    )]
}

fn ipc_rows<'a>(ipc: &'a [IpcRow], claim_contains: &str) -> Vec<&'a IpcRow> {
    ipc.iter()
        .filter(|r| r.claim.contains(claim_contains))
        .collect()
}

fn ipc_verdicts(c: &Claim, rows: &[&IpcRow]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let v = r.median_ns / 1000.0;
            format!(
                "ipc-bench {}: median {} ns — {}",
                r.row,
                r.median_ns.round(),
                verdict(c, v)
            )
        })
        .collect()
}

/// One bullet per seed claim, each with the measurements that bear on it.
pub fn claims(rows: &[QueryRow], ipc: &[IpcRow]) -> Vec<String> {
    let mut out = Vec::new();
    let no_ipc = "not measured in this run (run scripts/trace-latency with --ipc-bench)";

    // Unix-socket round trip.
    let mut ev = ipc_verdicts(&UDS, &ipc_rows(ipc, "Unix socket"));
    for server in ["pgfork-process", "pgfork-prefork", "pgfork-thread"] {
        if let Some(r) = select1(rows, server) {
            if let Some(o) = r.overhead_p50_us() {
                ev.push(format!(
                    "{server} {} at {}: client − server p50 {} µs (socket round trip plus \
                     wake-ups and client library) — {}",
                    r.run.workload,
                    clients(r.run.clients),
                    us(Some(o)),
                    verdict(&UDS, o)
                ));
            }
        }
    }
    out.push(claim_bullet(&UDS, ev, "no socket round trip was measured"));

    // PostgreSQL backend IPC.
    let mut ev = Vec::new();
    if let Some(r) = select1(rows, "pgfork-process") {
        if let Some(o) = r.overhead_p50_us() {
            ev.push(format!(
                "pgfork-process (a backend process per connection, as PostgreSQL) {} at {}: \
                 client − server p50 {} µs — {}",
                r.run.workload,
                clients(r.run.clients),
                us(Some(o)),
                verdict(&PG_IPC, o)
            ));
        }
    }
    if let Some(pg) = rows
        .iter()
        .filter(|r| {
            r.run.label.starts_with("postgres") && r.run.workload == "select1" && !r.run.prepared
        })
        .min_by_key(|r| r.run.clients)
    {
        let total = pg.run.latency.p50_us;
        let v = if total < PG_IPC.lo_us {
            "disagrees: the whole round trip, execution included, is below the claimed IPC-only range"
        } else {
            "no verdict: PostgreSQL does not report its server-side time, so this whole round \
             trip (execution included) is only an upper bound for its IPC"
        };
        ev.push(format!(
            "{} select1 at {}: whole query p50 {} µs — {v}",
            pg.run.label,
            clients(pg.run.clients),
            us(Some(total))
        ));
    }
    out.push(claim_bullet(&PG_IPC, ev, "no select1 run to compare"));

    out.push(claim_bullet(
        &THREAD,
        ipc_verdicts(&THREAD, &ipc_rows(ipc, "thread communication")),
        no_ipc,
    ));
    out.push(claim_bullet(
        &SHM,
        ipc_verdicts(&SHM, &ipc_rows(ipc, "shared-memory")),
        no_ipc,
    ));
    out
}

fn claim_bullet(c: &Claim, evidence: Vec<String>, none: &str) -> String {
    if evidence.is_empty() {
        format!("Seed: \"{}\" — {none}.", c.text)
    } else {
        format!(
            "Seed: \"{}\"\n{}",
            c.text,
            evidence
                .iter()
                .map(|e| format!("  - {e}."))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }
}

/// lock_wait and file_io share of execute, where they are non-zero.
pub fn waits(rows: &[QueryRow]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let Some(t) = r.phases else { continue };
        let (Some(ex), Some(st)) = (phase(t, "execute"), phase(t, "server_total")) else {
            continue;
        };
        for name in ["lock_wait", "file_io"] {
            if let Some(w) = phase(t, name) {
                if w.total_us > 0.0 && ex.total_us > 0.0 && w.total_us / ex.total_us >= SAME {
                    out.push(format!(
                        "{} {} at {}: {name} takes {:.0} % of execute time ({} µs per query).",
                        r.run.label,
                        r.run.workload,
                        clients(r.run.clients),
                        w.total_us / ex.total_us * 100.0,
                        us(Some(w.total_us / st.calls as f64))
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::query_rows;
    use crate::analysis::tests::sample;

    #[test]
    fn verdicts() {
        assert_eq!(verdict(&UDS, 5.0), "disagrees (below the claimed range)");
        assert_eq!(verdict(&UDS, 10.0), "agrees");
        assert_eq!(verdict(&UDS, 100.5), "disagrees (above the claimed range)");
        assert_eq!(verdict(&THREAD, 0.1), "agrees");
        assert_eq!(verdict(&SHM, 0.999), "agrees");
        assert_eq!(verdict(&SHM, 1.0), "disagrees (above the claimed range)");
    }

    #[test]
    fn compare_words() {
        assert_eq!(compare("a", 9.5, "b", 10.0), "about the same (within 10 %)");
        assert_eq!(compare("a", 5.0, "b", 10.0), "a is 5.00 µs (50 %) lower");
        assert_eq!(compare("a", 10.0, "b", 5.0), "b is 5.00 µs (50 %) lower");
    }

    #[test]
    fn pool_is_set_beside_thread_mode() {
        let mut res = sample();
        res.runs.push(crate::analysis::tests::run(
            "pgfork-pool",
            "select1",
            1,
            40.0,
            36.0,
        ));
        let mut rows = crate::analysis::tests::sample().phases[0].rows.clone();
        rows.push(crate::analysis::tests::row("queue", 100, 300.0, 2.5));
        res.phases.push(crate::analysis::tests::table(
            "pgfork-pool",
            "select1",
            1,
            rows,
        ));
        let rows = query_rows(&res);
        let s = pool_vs_thread(&rows);
        assert_eq!(s.len(), 1);
        // 36 / 33 = 1.09.
        assert!(s[0].contains("1.09x, within the 10 % goal"), "{}", s[0]);
        assert!(s[0].contains("p50 2.50 µs"), "{}", s[0]);
    }

    #[test]
    fn process_vs_thread_uses_measured_numbers() {
        let res = sample();
        let rows = query_rows(&res);
        let s = process_vs_thread(&rows);
        // process: 38 - 9.5 = 28.5; thread: 33 - 9.5 = 23.5.
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("28.5 µs with a backend process"), "{}", s[0]);
        assert!(s[0].contains("23.5 µs with a backend thread"), "{}", s[0]);
        assert!(
            s[0].contains("thread mode is 5.00 µs (18 %) lower"),
            "{}",
            s[0]
        );
    }

    #[test]
    fn claims_cite_run_figures_and_say_when_unmeasured() {
        let res = sample();
        let rows = query_rows(&res);
        let c = claims(&rows, &[]);
        assert_eq!(c.len(), 4);
        assert!(c[0].contains("client − server p50 28.5 µs"), "{}", c[0]);
        assert!(c[0].contains("agrees"), "{}", c[0]);
        assert!(
            c[1].contains("whole query p50 28.0 µs — no verdict"),
            "{}",
            c[1]
        );
        assert!(c[2].contains("not measured in this run"), "{}", c[2]);
        let ipc = vec![IpcRow {
            row: "mutex-uncontended".into(),
            median_ns: 18.0,
            p99_ns: 30.0,
            claim: "50-200 ns (seed: thread communication)".into(),
            verdict: "below".into(),
        }];
        let c = claims(&rows, &ipc);
        assert!(c[2].contains("median 18 ns — disagrees (below"), "{}", c[2]);
    }

    #[test]
    fn claims_fall_back_to_the_traced_run() {
        let mut res = sample();
        // No phase table for plain select1; a traced run has one.
        for p in &mut res.phases {
            p.workload = "select1-traced".into();
        }
        let mut traced =
            crate::analysis::tests::run("pgfork-process", "select1-traced", 1, 50.0, 48.0);
        traced.prepared = false;
        res.runs.push(traced);
        let rows = query_rows(&res);
        let c = claims(&rows, &[]);
        assert!(
            c[0].contains("pgfork-process select1-traced at 1 client: client − server p50 38.5 µs"),
            "{}",
            c[0]
        );
    }

    #[test]
    fn overhead_is_set_beside_ipc_bench() {
        let res = sample();
        let rows = query_rows(&res);
        let ipc_row = |row: &str, ns: f64| IpcRow {
            row: row.into(),
            median_ns: ns,
            p99_ns: ns,
            claim: "-".into(),
            verdict: "-".into(),
        };
        // Overhead 28.5 µs: nearer 40 µs (cross) than 4 µs (same CPU).
        let ipc = [
            ipc_row("process-uds-roundtrip", 40_000.0),
            ipc_row("process-uds-roundtrip-samecore", 4_000.0),
        ];
        let s = overhead_vs_ipc(&rows, &ipc);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("28.5 µs"), "{}", s[0]);
        assert!(
            s[0].contains("40.0 µs across two CPUs and 4.00 µs on one CPU"),
            "{}",
            s[0]
        );
        assert!(s[0].contains("nearer the cross-CPU one"), "{}", s[0]);
        assert!(overhead_vs_ipc(&rows, &ipc[..1]).is_empty());
    }

    #[test]
    fn memory_sentence_lists_each_server() {
        let m = vec![
            Memory {
                server: "pgfork-thread".into(),
                connections: 100,
                pss_kb_per_conn: Some(150.4),
                private_kb_per_conn: Some(140.0),
                error: None,
            },
            Memory {
                server: "postgresql-15".into(),
                connections: 100,
                pss_kb_per_conn: None,
                private_kb_per_conn: None,
                error: Some("x".into()),
            },
        ];
        let s = memory(&m);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("pgfork-thread 150 kB"));
        assert!(!s[0].contains("postgresql"));
    }
}
