//! Per-query instrumentation: the latency views, their reset, `--stats off`
//! and `--trace FILE`, in every mode.

use crate::harness::{Mode, TestServer};

in_all_modes!(
    latency_views_count_queries,
    trace_file_has_spans_per_backend
);

async fn phase_calls(c: &tokio_postgres::Client, phase: &str) -> i64 {
    c.query_one(
        "SELECT calls FROM pgfork_stat_latency WHERE phase = $1",
        &[&phase],
    )
    .await
    .unwrap()
    .get(0)
}

async fn latency_views_count_queries(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.simple_query("SELECT pgfork_stat_reset()").await.unwrap();
    for i in 0..50i32 {
        c.query_one("SELECT $1::int4 + 1", &[&i]).await.unwrap();
    }
    let phases: Vec<String> = c
        .query("SELECT phase FROM pgfork_stat_latency", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for p in [
        "idle",
        "recv",
        "parse",
        "plan",
        "execute",
        "send",
        "server_total",
        "lock_wait",
        "connect",
    ] {
        assert!(
            phases.iter().any(|x| x == p),
            "phase {p} missing from {phases:?}"
        );
    }
    // 50 queries plus the reset itself (tokio-postgres may add a Parse/
    // Describe round trip per query, which counts as a query cycle too).
    let total = phase_calls(&c, "server_total").await;
    assert!(total >= 50, "server_total calls {total}");
    let r = c
        .query_one(
            "SELECT p50_us, p99_us, max_us, total_us FROM pgfork_stat_latency WHERE phase = 'server_total'",
            &[],
        )
        .await
        .unwrap();
    let (p50, p99, max, sum): (f64, f64, f64, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
    assert!(
        p50 > 0.0 && p50 <= p99 && p99 <= max && max <= sum,
        "{p50} {p99} {max} {sum}"
    );
    // A new connection records its set-up phases.
    let c2 = srv.connect().await;
    c2.query_one("SELECT 1", &[]).await.unwrap();
    assert!(phase_calls(&c, "connect").await >= 1);
    assert!(phase_calls(&c, "spawn").await >= 1);
    // Per-backend detail.
    let pid: i32 = c
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let n: i64 = c
        .query_one(
            "SELECT calls FROM pgfork_stat_backend_latency WHERE pid = $1 AND phase = 'server_total'",
            &[&pid],
        )
        .await
        .unwrap()
        .get(0);
    assert!(n >= 50);
    // Reset.
    c.simple_query("SELECT pgfork_stat_reset()").await.unwrap();
    let after = phase_calls(&c, "execute").await;
    // The reset and this query, and perhaps c2's SELECT 1, which its
    // backend records after answering it: against 50 and more before.
    assert!(after <= 5, "after reset: {after}");
    // pg_stat_activity knows the mode. A prefork pool member may not be
    // ready yet when a busy machine runs the first connections (they are
    // then served by a forked backend, correctly shown as process): ask
    // new connections until one is served by the pool.
    let expected = match mode {
        Mode::Process => "process",
        Mode::Prefork => "prefork",
        Mode::Thread => "thread",
        Mode::Pool | Mode::PoolProcesses => "pool",
    };
    let mut m = String::new();
    for _ in 0..50 {
        let c3 = srv.connect().await;
        m = c3
            .query_one(
                "SELECT pgfork_mode FROM pg_stat_activity WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        // A pooled session names the carrier thread that runs it.
        if m == expected || (mode == Mode::Pool && m.starts_with("pool: carrier ")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(m.starts_with(expected), "{m} is not {expected}");

    // With --stats off nothing is timed.
    let off = TestServer::start_with(mode, &["--stats", "off"]);
    let c = off.connect().await;
    for _ in 0..10 {
        c.query_one("SELECT 1", &[]).await.unwrap();
    }
    assert_eq!(phase_calls(&c, "server_total").await, 0);
}

async fn trace_file_has_spans_per_backend(mode: Mode) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.json");
    let trace_arg = trace.display().to_string();
    let srv = TestServer::start_in(dir, mode, &["--trace", &trace_arg]);
    let mut pids = Vec::new();
    for _ in 0..2 {
        let c = srv.connect().await;
        for _ in 0..20 {
            c.query_one("SELECT 1", &[]).await.unwrap();
        }
        pids.push(
            c.query_one("SELECT pg_backend_pid()", &[])
                .await
                .unwrap()
                .get::<_, i32>(0),
        );
    }
    // Sessions flush their buffered events when they end.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let events = loop {
        let text = std::fs::read_to_string(&trace).unwrap();
        let body = text.trim_end().trim_end_matches(',');
        let json = format!("{body}]");
        // A backend may be writing a chunk right now: retry until the
        // file parses.
        let Ok(events) = serde_json::from_str::<Vec<serde_json::Value>>(&json) else {
            assert!(
                std::time::Instant::now() < deadline,
                "trace is not a JSON array:\n{json}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let done = pids.iter().all(|p| {
            events
                .iter()
                .filter(|e| e["name"] == "query" && e["args"]["session"] == *p)
                .count()
                >= 20
        });
        if done || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    for p in &pids {
        let q: Vec<_> = events
            .iter()
            .filter(|e| e["name"] == "query" && e["args"]["session"] == *p)
            .collect();
        assert!(q.len() >= 20, "backend {p}: {} query spans", q.len());
        assert!(q
            .iter()
            .all(|e| e["ph"] == "X" && e["dur"].as_f64().unwrap() > 0.0));
        // Each span is on its backend's track, or in pool mode on the
        // track of the carrier thread that ran it, named as a carrier.
        for e in &q {
            if mode == Mode::Pool {
                assert_eq!(e["pid"], srv.server_process_pid() as i64, "{e}");
                assert!(events.iter().any(|m| m["name"] == "thread_name"
                    && m["tid"] == e["tid"]
                    && m["args"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("carrier "))));
            } else {
                assert!(e["pid"] == *p && e["tid"] == *p, "{e}");
            }
        }
        assert!(events.iter().any(|e| e["name"] == "execute"
            && q.iter()
                .any(|s| s["pid"] == e["pid"] && s["tid"] == e["tid"])));
    }
}
