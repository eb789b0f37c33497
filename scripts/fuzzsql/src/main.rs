//! fuzzsql: differential SQL fuzzing of pgfork against PostgreSQL, driven
//! by scripts/fuzz-sql (which starts the servers).
//!
//! It creates a random schema with random rows on every server (the
//! reference, PostgreSQL, and each pgfork mode), then generates random,
//! well-typed SELECTs (src/gen.rs) and runs each on every server over the
//! simple query protocol, comparing every pgfork mode's outcome with
//! PostgreSQL's (src/compare.rs). A crash, a lost connection or a query
//! without an answer within --timeout is a failure; the connection is
//! re-established (waiting for a server that restarts) and the run goes
//! on. At the end it prints a summary per server and the distinct
//! differences, grouped by kind, with the shortest query showing each;
//! the exit status is 1 if anything crashed, hung or became unreachable.

mod compare;
mod gen;
mod reduce;
mod schema;
mod target;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;

use crate::compare::{Kind, Verdict};
use crate::schema::Schema;
use crate::target::{Outcome, Target};

/// fuzzsql: runs random well-typed SELECTs on PostgreSQL (the reference)
/// and on each pgfork server, and compares the outcomes.
#[derive(Parser, Debug)]
#[command(name = "fuzzsql", version, about, long_about = None)]
struct Args {
    /// The reference server, SOCKET_DIR:PORT (PostgreSQL 15).
    #[arg(long)]
    reference: Option<String>,
    /// A server under test, NAME=SOCKET_DIR:PORT (repeat for each mode).
    #[arg(long = "target")]
    targets: Vec<String>,
    /// Queries to run (each on every server).
    #[arg(long, default_value_t = 100_000)]
    queries: u64,
    /// Seed of the schema, the data and every query.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds a query may take before it counts as a hang.
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// Query streams run at once (each with its own connections).
    #[arg(long, default_value_t = 2)]
    jobs: u64,
    /// Schemas: the run is split into this many parts, each on a new
    /// random schema (tables dropped and created again).
    #[arg(long, default_value_t = 10)]
    schemas: u64,
    /// Tables in the schema.
    #[arg(long, default_value_t = 4)]
    tables: usize,
    /// Most rows per table.
    #[arg(long, default_value_t = 20)]
    max_rows: usize,
    /// Distinct differences listed per kind in the report (most frequent
    /// first, each with its shrunk or shortest query); crashes and hangs
    /// are all listed.
    #[arg(long, default_value_t = 15)]
    max_listed: usize,
    /// Write the report here (it is printed as well).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Print the schema and the first N queries, and exit (no servers).
    #[arg(long)]
    print: Option<u64>,
    /// Run only query number I (after setting up the schema), printing
    /// every server's full outcome.
    #[arg(long)]
    only: Option<u64>,
    /// Skip creating the schema (it is there from an earlier run with the
    /// same seed; with --only).
    #[arg(long)]
    no_setup: bool,
    /// Seconds spent at the end shrinking the queries that show each
    /// difference (0: none).
    #[arg(long, default_value_t = 300.0)]
    reduce_seconds: f64,
    /// Free text for the report's header (the command that made it).
    #[arg(long, default_value = "")]
    label: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("fuzzsql: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The schema of part `phase` of the run (part 0 uses the seed itself).
fn schema_for(args: &Args, phase: u64) -> Schema {
    let mut rng = StdRng::seed_from_u64(
        args.seed
            .wrapping_add(phase.wrapping_mul(0x5851_F42D_4C95_7F2D)),
    );
    schema::generate(&mut rng, args.tables, args.max_rows)
}

/// Queries per schema.
fn per_phase(args: &Args) -> u64 {
    args.queries.div_ceil(args.schemas.max(1)).max(1)
}

/// Query number `i` of the run with `seed`.
fn query(schema: &Schema, seed: u64, i: u64) -> gen::Query {
    let rng = StdRng::seed_from_u64(
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
    );
    gen::Gen::new(schema, rng).statement()
}

fn parse_addr(s: &str) -> Result<(String, u16)> {
    let (host, port) = s.rsplit_once(':').context("expected SOCKET_DIR:PORT")?;
    Ok((host.to_string(), port.parse().context("bad port")?))
}

/// The servers, reference first.
fn servers(args: &Args) -> Result<Vec<Target>> {
    let setup = vec!["SET TimeZone = 'UTC'".to_string()];
    let Some(r) = &args.reference else {
        bail!("--reference is required");
    };
    let (h, p) = parse_addr(r)?;
    let mut v = vec![Target::new("postgresql-15", &h, p, setup.clone())];
    for t in &args.targets {
        let (name, addr) = t.split_once('=').context("--target NAME=SOCKET_DIR:PORT")?;
        let (h, p) = parse_addr(addr)?;
        v.push(Target::new(name, &h, p, setup.clone()));
    }
    if v.len() < 2 {
        bail!("at least one --target is required");
    }
    Ok(v)
}

fn run(args: &Args) -> Result<bool> {
    let phases = args.queries.div_ceil(per_phase(args)).max(1);
    let schemas: Vec<Schema> = (0..phases).map(|p| schema_for(args, p)).collect();
    if let Some(n) = args.print {
        for i in 0..n {
            let phase = i / per_phase(args);
            let schema = schema_for(args, phase);
            if i % per_phase(args) == 0 {
                println!("-- schema {phase}");
                for t in &schema.tables {
                    for s in t.ddl.iter().chain(&t.rows) {
                        println!("{s};");
                    }
                }
            }
            let q = query(&schema, args.seed, i);
            let types: Vec<&str> = q.types.iter().map(|t| t.sql()).collect();
            println!("-- {i}: {}\n{};", types.join(", "), q.sql);
        }
        return Ok(true);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the runtime")?;
    rt.block_on(async_run(args, &schemas))
}

/// Per server: what happened to its queries.
#[derive(Default, Clone, Serialize)]
struct Counts {
    queries: u64,
    identical: u64,
    /// Part of `identical`: both failed in the same SQLSTATE class.
    both_error: u64,
    values_differ: u64,
    error_mismatch: u64,
    unsupported: u64,
    crashes: u64,
    hangs: u64,
    unreachable: u64,
    /// PostgreSQL gave no usable answer (its own timeout): not compared.
    skipped: u64,
}

/// One distinct difference: its kind and signature, how often it was
/// seen, on which servers, and the shortest query showing it.
struct Finding {
    count: u64,
    servers: BTreeSet<String>,
    index: u64,
    sql: String,
    types: Vec<schema::Ty>,
    reference: String,
    other: String,
    detail: Option<(String, String)>,
    /// The shrunk query, and what PostgreSQL and the server answered.
    reduced: Option<(String, String, String)>,
}

#[derive(Default)]
struct State {
    counts: BTreeMap<String, Counts>,
    findings: BTreeMap<(Kind, String), Finding>,
    setup_problems: Vec<String>,
    done: u64,
    /// Reference outcomes: rows, errors (for the report's header).
    reference_rows: u64,
    reference_errors: BTreeMap<String, u64>,
    /// Time spent shrinking queries (not part of the run's rate).
    reduce_secs: f64,
}

impl State {
    fn record(
        &mut self,
        server: &str,
        idx: u64,
        q: &gen::Query,
        reference: &Outcome,
        other: &Outcome,
    ) {
        let c = self.counts.entry(server.to_string()).or_default();
        c.queries += 1;
        let verdict = compare::judge(reference, other, &q.types);
        let (kind, signature) = match verdict {
            Verdict::Identical => {
                c.identical += 1;
                return;
            }
            Verdict::BothError => {
                c.identical += 1;
                c.both_error += 1;
                return;
            }
            Verdict::ReferenceUnusable => {
                c.queries -= 1;
                c.skipped += 1;
                return;
            }
            Verdict::Differs { kind, signature } => (kind, signature),
        };
        match kind {
            Kind::Crash => c.crashes += 1,
            Kind::Hang => c.hangs += 1,
            Kind::Down => {
                c.unreachable += 1;
                c.queries -= 1;
            }
            Kind::Values => c.values_differ += 1,
            Kind::Unsupported => c.unsupported += 1,
            Kind::PgforkErrorOnly
            | Kind::PgforkErrorVsEmpty
            | Kind::PostgresErrorOnly
            | Kind::PostgresErrorVsEmpty
            | Kind::ErrorClass => c.error_mismatch += 1,
        }
        // Crashes and hangs: every query is its own finding.
        let signature = match kind {
            Kind::Crash | Kind::Hang => format!("{signature} (query {idx})"),
            _ => signature,
        };
        let f = self
            .findings
            .entry((kind.clone(), signature))
            .or_insert_with(|| Finding {
                count: 0,
                servers: BTreeSet::new(),
                index: idx,
                sql: String::new(),
                types: Vec::new(),
                reference: String::new(),
                other: String::new(),
                detail: None,
                reduced: None,
            });
        f.count += 1;
        f.servers.insert(server.to_string());
        // A shrunk example stays (it was shrunk on its own schema).
        if f.sql.is_empty() || (q.sql.len() < f.sql.len() && f.reduced.is_none()) {
            f.index = idx;
            f.sql = q.sql.clone();
            f.types = q.types.clone();
            f.reference = compare::display(reference, &q.types, 5);
            f.other = compare::display(other, &q.types, 5);
            f.detail = if kind == Kind::Values {
                compare::first_difference(reference, other, &q.types)
            } else {
                None
            };
        }
    }
}

async fn async_run(args: &Args, schemas: &[Schema]) -> Result<bool> {
    let timeout = Duration::from_secs_f64(args.timeout);
    let state = RefCell::new(State::default());
    let started = Instant::now();
    let per = per_phase(args);

    if let Some(i) = args.only {
        let schema = &schemas[((i / per) as usize).min(schemas.len() - 1)];
        let mut first = servers(args)?;
        if !args.no_setup {
            let mut problems = Vec::new();
            setup(&mut first, schema, &mut problems).await?;
            for p in problems {
                eprintln!("set-up: {p}");
            }
        }
        let q = query(schema, args.seed, i);
        println!("-- query {i}\n{};", q.sql);
        for t in first.iter_mut() {
            let o = t.run(&q.sql, timeout).await;
            println!("{}: {}", t.name, compare::display(&o, &q.types, 1000));
        }
        return Ok(true);
    }

    let mut conns = Vec::new();
    for _ in 0..args.jobs {
        conns.push(servers(args)?);
    }
    let names: Vec<String> = conns[0].iter().map(|t| t.name.clone()).collect();
    for n in &names[1..] {
        state
            .borrow_mut()
            .counts
            .insert(n.clone(), Counts::default());
    }
    let jobs = args.jobs;
    let reduce_budget = Duration::from_secs_f64(args.reduce_seconds / schemas.len() as f64);
    for (phase, schema) in schemas.iter().enumerate() {
        let lo = phase as u64 * per;
        let hi = (lo + per).min(args.queries);
        if lo >= hi {
            break;
        }
        if !args.no_setup {
            let mut problems = Vec::new();
            setup(&mut conns[0], schema, &mut problems).await?;
            state
                .borrow_mut()
                .setup_problems
                .extend(problems.into_iter().map(|p| format!("schema {phase}: {p}")));
        }
        let futs = conns.into_iter().enumerate().map(|(j, mut targets)| {
            let state = &state;
            async move {
                let mut i = lo + j as u64;
                let mut last_report = Instant::now();
                while i < hi {
                    let q = query(schema, args.seed, i);
                    let outcomes =
                        futures_util::future::join_all(targets.iter_mut().map(|t| t.run(&q.sql, timeout))).await;
                    {
                        let mut st = state.borrow_mut();
                        match &outcomes[0] {
                            Outcome::Rows(_) => st.reference_rows += 1,
                            Outcome::Error { code, .. } => *st.reference_errors.entry(code.clone()).or_default() += 1,
                            _ => {}
                        }
                        for (t, o) in targets.iter().zip(&outcomes).skip(1) {
                            st.record(&t.name, i, &q, &outcomes[0], o);
                        }
                        st.done += 1;
                        if j == 0 && last_report.elapsed() > Duration::from_secs(30) {
                            last_report = Instant::now();
                            let secs = started.elapsed().as_secs_f64();
                            let bad: u64 = st.counts.values().map(|c| c.crashes + c.hangs + c.unreachable).sum();
                            eprintln!(
                                "fuzzsql: {} of {} queries in {secs:.0} s ({:.0}/s), schema {phase}, {} distinct differences, {bad} crashes/hangs",
                                st.done,
                                args.queries,
                                st.done as f64 / secs,
                                st.findings.len()
                            );
                        }
                    }
                    if targets[1..].iter().all(|t| t.dead) || targets[0].dead {
                        break;
                    }
                    i += jobs;
                }
                targets
            }
        });
        conns = futures_util::future::join_all(futs).await;
        // Shrink this part's differences while its schema is in place.
        if args.reduce_seconds > 0.0 {
            let mut st = state.take();
            let t0 = Instant::now();
            reduce_findings(&mut conns[0], &mut st, timeout, reduce_budget, lo..hi).await;
            st.reduce_secs += t0.elapsed().as_secs_f64();
            state.replace(st);
        }
        if conns[0][1..].iter().all(|t| t.dead) || conns[0][0].dead {
            break;
        }
    }
    let st = state.into_inner();
    let secs = started.elapsed().as_secs_f64() - st.reduce_secs;
    let report = report(args, schemas, &names, &st, secs);
    print!("{report}");
    if let Some(p) = &args.out {
        std::fs::write(p, &report).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.json {
        #[derive(Serialize)]
        struct J<'a> {
            seed: u64,
            queries: u64,
            seconds: f64,
            servers: &'a BTreeMap<String, Counts>,
            distinct_differences: usize,
            setup_problems: &'a [String],
        }
        let j = J {
            seed: args.seed,
            queries: st.done,
            seconds: secs,
            servers: &st.counts,
            distinct_differences: st.findings.len(),
            setup_problems: &st.setup_problems,
        };
        std::fs::write(p, serde_json::to_string_pretty(&j)?)
            .with_context(|| format!("writing {}", p.display()))?;
    }
    let failed = st
        .counts
        .values()
        .any(|c| c.crashes + c.hangs + c.unreachable > 0);
    Ok(!failed)
}

/// Shrinks the query of every finding (most frequent first, within
/// `budget`), keeping each step only if PostgreSQL and the server where the
/// finding was seen still differ in the same way.
async fn reduce_findings(
    targets: &mut [Target],
    st: &mut State,
    timeout: Duration,
    budget: Duration,
    part: std::ops::Range<u64>,
) {
    let deadline = Instant::now() + budget;
    let mut keys: Vec<(Kind, String)> = st
        .findings
        .iter()
        .filter(|((k, _), f)| {
            !matches!(k, Kind::Unsupported | Kind::Hang | Kind::Down)
                && f.reduced.is_none()
                && part.contains(&f.index)
        })
        .map(|(k, _)| k.clone())
        .collect();
    keys.sort_by_key(|k| std::cmp::Reverse(st.findings[k].count));
    let started = Instant::now();
    let mut shrunk = 0;
    for key in &keys {
        if Instant::now() > deadline {
            break;
        }
        let f = &st.findings[key];
        let Some(ti) = targets.iter().position(|t| f.servers.contains(&t.name)) else {
            continue;
        };
        let mut cur = reduce::Candidate {
            sql: f.sql.clone(),
            types: f.types.clone(),
        };
        let mut checks = 0;
        let mut last: Option<(Outcome, Outcome)> = None;
        'outer: loop {
            for cand in reduce::candidates(&cur) {
                if checks >= 600 || Instant::now() > deadline {
                    break 'outer;
                }
                checks += 1;
                let r = targets[0].run(&cand.sql, timeout).await;
                let o = targets[ti].run(&cand.sql, timeout).await;
                if let Verdict::Differs { kind, signature } = compare::judge(&r, &o, &cand.types) {
                    if kind == key.0 && (kind == Kind::Crash || signature == key.1) {
                        cur = cand;
                        last = Some((r, o));
                        continue 'outer;
                    }
                }
            }
            break;
        }
        if let Some((r, o)) = last {
            shrunk += 1;
            let f = st.findings.get_mut(key).unwrap();
            f.reduced = Some((
                cur.sql,
                compare::display(&r, &cur.types, 5),
                compare::display(&o, &cur.types, 5),
            ));
        }
    }
    eprintln!(
        "fuzzsql: shrank {shrunk} of {} queries in {:.0} s",
        keys.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Creates the tables and indexes and loads the rows on every server. A
/// row goes in only where it goes in everywhere: each INSERT runs in a
/// transaction on every server, committed only if it succeeded on all of
/// them (a unique violation on all of them just drops the row). Anything
/// that differs is a set-up problem for the report.
async fn setup(targets: &mut [Target], schema: &Schema, problems: &mut Vec<String>) -> Result<()> {
    for t in targets.iter_mut() {
        for tab in &schema.tables {
            t.execute(&format!("DROP TABLE IF EXISTS {}", tab.name))
                .await
                .map_err(|e| anyhow::anyhow!("{}: DROP TABLE {}: {e}", t.name, tab.name))?;
        }
    }
    for tab in &schema.tables {
        for (k, ddl) in tab.ddl.iter().enumerate() {
            let mut res = Vec::new();
            for t in targets.iter_mut() {
                res.push(t.execute(ddl).await);
            }
            if k == 0 {
                if let Some((t, Err(e))) = targets.iter().zip(&res).find(|(_, r)| r.is_err()) {
                    bail!("{}: {ddl}: {e}", t.name);
                }
            } else {
                for (t, r) in targets.iter().zip(&res) {
                    if let Err(e) = r {
                        problems.push(format!("{}: {ddl}: {e}", t.name));
                    }
                }
            }
        }
        for row in &tab.rows {
            let mut res = Vec::new();
            for t in targets.iter_mut() {
                t.execute("BEGIN")
                    .await
                    .map_err(|e| anyhow::anyhow!("{}: BEGIN: {e}", t.name))?;
                res.push(t.execute(row).await);
            }
            let all_ok = res.iter().all(|r| r.is_ok());
            for t in targets.iter_mut() {
                t.execute(if all_ok { "COMMIT" } else { "ROLLBACK" })
                    .await
                    .map_err(|e| anyhow::anyhow!("{}: end of transaction: {e}", t.name))?;
            }
            if !all_ok && res[0].is_ok() {
                for (t, r) in targets.iter().zip(&res) {
                    if let Err(e) = r {
                        problems.push(format!(
                            "{}: {row}: {e} (PostgreSQL accepts it; row left out)",
                            t.name
                        ));
                    }
                }
            } else if !all_ok {
                let ref_class = res[0].as_ref().err().map(|e| e[..2].to_string());
                for (t, r) in targets.iter().zip(&res).skip(1) {
                    match r {
                        Ok(()) => problems.push(format!(
                            "{}: {row}: accepted where PostgreSQL fails ({}); row left out",
                            t.name,
                            res[0].as_ref().err().unwrap()
                        )),
                        Err(e) if Some(e[..2].to_string()) != ref_class => problems.push(format!(
                            "{}: {row}: {e}, PostgreSQL: {}",
                            t.name,
                            res[0].as_ref().err().unwrap()
                        )),
                        Err(_) => {}
                    }
                }
            }
        }
    }
    // Every server must now hold the same rows.
    for tab in &schema.tables {
        let sql = format!("SELECT * FROM {}", tab.name);
        let types: Vec<_> = tab.columns.iter().map(|c| c.ty).collect();
        let mut outs = Vec::new();
        for t in targets.iter_mut() {
            outs.push(t.run(&sql, Duration::from_secs(30)).await);
        }
        for (t, o) in targets.iter().zip(&outs).skip(1) {
            match (&outs[0], o) {
                (Outcome::Rows(a), Outcome::Rows(b)) => {
                    if let Some(d) = compare::compare_rows(a, b, &types) {
                        let detail = compare::first_difference(&outs[0], o, &types)
                            .map(|(x, y)| format!("; PostgreSQL only: {x}; {} only: {y}", t.name))
                            .unwrap_or_default();
                        problems.push(format!("{}: {sql} differs ({d}){detail}", t.name));
                    }
                }
                _ => problems.push(format!(
                    "{}: {sql}: {} (PostgreSQL: {})",
                    t.name,
                    compare::display(o, &types, 3),
                    compare::display(&outs[0], &types, 3)
                )),
            }
        }
    }
    Ok(())
}

fn report(args: &Args, schemas: &[Schema], names: &[String], st: &State, secs: f64) -> String {
    let mut r = String::new();
    let _ = writeln!(
        r,
        "fuzz-sql: random well-typed SELECTs, pgfork against PostgreSQL 15"
    );
    if !args.label.is_empty() {
        let _ = writeln!(r, "{}", args.label);
    }
    let _ = writeln!(
        r,
        "seed {} (repeat one query with: fuzzsql --seed {} --queries {} --schemas {} --only I ...); {} queries on each of {} \
         in {:.0} s ({:.0} queries/s; then {:.0} s shrinking the differences' queries), timeout {} s, {} schemas",
        args.seed,
        args.seed,
        args.queries,
        args.schemas,
        st.done,
        names.join(", "),
        secs,
        st.done as f64 / secs.max(0.001),
        st.reduce_secs,
        args.timeout,
        schemas.len()
    );
    let errs: u64 = st.reference_errors.values().sum();
    let mut top: Vec<(&String, &u64)> = st.reference_errors.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    let top: Vec<String> = top
        .iter()
        .take(8)
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    let _ = writeln!(
        r,
        "PostgreSQL answered {} with rows and {} with an error ({})",
        st.reference_rows,
        errs,
        top.join(", ")
    );
    let _ = writeln!(r);
    let _ = writeln!(
        r,
        "{:<16} {:>8} {:>9} {:>10} {:>8} {:>8} {:>11} {:>7} {:>5} {:>11} {:>7}",
        "server",
        "queries",
        "identical",
        "both-error",
        "differ",
        "err-mism",
        "unsupported",
        "crashes",
        "hangs",
        "unreachable",
        "skipped"
    );
    for n in &names[1..] {
        let c = st.counts.get(n).cloned().unwrap_or_default();
        let _ = writeln!(
            r,
            "{:<16} {:>8} {:>9} {:>10} {:>8} {:>8} {:>11} {:>7} {:>5} {:>11} {:>7}",
            n,
            c.queries,
            c.identical,
            c.both_error,
            c.values_differ,
            c.error_mismatch,
            c.unsupported,
            c.crashes,
            c.hangs,
            c.unreachable,
            c.skipped
        );
    }
    let _ = writeln!(
        r,
        "\nidentical: same rows (float8 within 1e-9 relative, everything else as text, order ignored) or both \
         failed in the same SQLSTATE class (both-error, included);\ndiffer: both returned rows, different ones; \
         err-mism: one failed and the other did not, or SQLSTATE classes differ;\nunsupported: pgfork refused with \
         0A000; skipped: PostgreSQL itself did not answer in time."
    );

    let per = per_phase(args);
    for (p, schema) in schemas.iter().enumerate() {
        let lo = p as u64 * per;
        let _ = writeln!(
            r,
            "\nSchema {p} (queries {lo}..{}):",
            (lo + per).min(args.queries) - 1
        );
        for t in &schema.tables {
            for d in &t.ddl {
                let _ = writeln!(r, "  {d};");
            }
            let _ = writeln!(r, "  -- {} rows generated", t.rows.len());
        }
    }
    if !st.setup_problems.is_empty() {
        let _ = writeln!(r, "\nSet-up differences ({}):", st.setup_problems.len());
        for p in st.setup_problems.iter().take(40) {
            let _ = writeln!(r, "  {p}");
        }
    }

    // Distinct differences by kind, most frequent first, up to max_listed
    // of each kind (unsupported features listed separately, one line each).
    let mut by_kind: BTreeMap<&Kind, Vec<(&String, &Finding)>> = BTreeMap::new();
    for ((k, sig), f) in &st.findings {
        by_kind.entry(k).or_default().push((sig, f));
    }
    let _ = writeln!(r, "\nDistinct differences: {}", st.findings.len());
    for (kind, mut fs) in by_kind {
        fs.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then(a.1.sql.len().cmp(&b.1.sql.len()))
        });
        let total: u64 = fs.iter().map(|f| f.1.count).sum();
        let _ = writeln!(
            r,
            "\n== {} — {} distinct, {} occurrences ==",
            kind.title(),
            fs.len(),
            total
        );
        if *kind == Kind::Unsupported {
            for (sig, f) in fs.iter().take(30) {
                let _ = writeln!(r, "  {:>7} × {sig}", f.count);
            }
            continue;
        }
        let budget = if matches!(kind, Kind::Crash | Kind::Hang) {
            50
        } else {
            args.max_listed
        };
        for (sig, f) in fs.iter().take(budget) {
            let servers: Vec<&str> = f.servers.iter().map(String::as_str).collect();
            let _ = writeln!(r, "\n[{}] {sig}", f.count);
            let _ = writeln!(r, "  on: {}", servers.join(", "));
            if let Some((sql, pg, other)) = &f.reduced {
                let _ = writeln!(r, "  reduced: {sql};");
                let _ = writeln!(r, "  PostgreSQL: {pg}");
                let _ = writeln!(r, "  pgfork:     {other}");
                let _ = writeln!(
                    r,
                    "  from query {} ({} characters): {}",
                    f.index,
                    f.sql.len(),
                    clip(&f.sql, 300)
                );
                continue;
            }
            let _ = writeln!(r, "  query {} (shortest seen): {};", f.index, f.sql);
            let _ = writeln!(r, "  PostgreSQL: {}", f.reference);
            let _ = writeln!(r, "  pgfork:     {}", f.other);
            if let Some((a, b)) = &f.detail {
                let _ = writeln!(r, "  only in PostgreSQL: {a}");
                let _ = writeln!(r, "  only in pgfork:     {b}");
            }
        }
        if fs.len() > budget {
            let _ = writeln!(r, "\n  … and {} more of this kind", fs.len() - budget);
        }
    }
    r
}

/// The first `n` bytes of `s` (on a character boundary), with an ellipsis.
fn clip(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
