//! Durability: every COMMIT the server acknowledged survives a kill -9 of
//! the whole server (in every mode), kill -9 of single backends under
//! load (process mode), a torn data page, and the file system filling up
//! under the write-ahead log.
//!
//! The pgbench checks are scripts/crash-loop's: pgbench's `-l` log has a
//! line for every transaction whose COMMIT it saw acknowledged, so after
//! recovery pgbench_history must have gained at least that many rows, and
//! at most one more per client connection (a commit made durable whose
//! acknowledgement the kill cut off); the balances of accounts, tellers
//! and branches must each equal the sum of the history's deltas, and no
//! table may have lost rows.
//!
//! Every test prints the seed of its random waits and victims;
//! `PGFORK_TEST_SEED=N` repeats them.

use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio_postgres::Client;

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(whole_server_kill_9_loses_no_acknowledged_commit);

/// pgbench's clients in every run here.
pub(crate) const CLIENTS: i64 = 8;
/// pgbench -i -s SCALE.
pub(crate) const SCALE: i64 = 1;

fn seeded_rng(test: &str) -> StdRng {
    let seed = std::env::var("PGFORK_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("{test}: seed {seed} (PGFORK_TEST_SEED={seed} repeats it)");
    StdRng::seed_from_u64(seed)
}

/// An error as the server reported it: severity, message, SQLSTATE.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!(
            "{}: {} (SQLSTATE {})",
            d.severity(),
            d.message(),
            d.code().code()
        ),
        None => e.to_string(),
    }
}

/// The last lines of the server's log, for assertion messages.
pub(crate) fn log_tail(srv: &TestServer) -> String {
    let log = srv.log();
    let lines: Vec<&str> = log.lines().collect();
    let from = lines.len().saturating_sub(80);
    format!(
        "server log (last {} lines):\n{}",
        lines.len() - from,
        lines[from..].join("\n")
    )
}

/// The log's lines from byte `from` on that mention redo or recovery.
pub(crate) fn recovery_lines(srv: &TestServer, from: usize) -> Vec<String> {
    srv.log()
        .get(from..)
        .unwrap_or("")
        .lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("redo") || l.contains("recovery")
        })
        .map(str::to_owned)
        .collect()
}

/// Starts an 8-client TPC-B-like pgbench for `secs` in the background,
/// logging each transaction (`-l`) to files `PREFIX.PID` and
/// `PREFIX.PID.1`; its output goes to `PREFIX-pgbench.txt`.
pub(crate) fn start_pgbench(srv: &TestServer, prefix: &Path, secs: u32) -> Child {
    let out = std::fs::File::create(output_path(prefix)).unwrap();
    let log_prefix = format!("--log-prefix={}", prefix.display());
    srv.pgbench_command(&[
        "-n",
        "-c",
        &CLIENTS.to_string(),
        "-j",
        "2",
        "-T",
        &secs.to_string(),
        "-l",
        &log_prefix,
    ])
    .stdin(Stdio::null())
    .stdout(out.try_clone().unwrap())
    .stderr(out)
    .spawn()
    .expect("run pgbench (PostgreSQL 15 client)")
}

pub(crate) fn output_path(prefix: &Path) -> PathBuf {
    let name = prefix.file_name().unwrap().to_str().unwrap();
    prefix.with_file_name(format!("{name}-pgbench.txt"))
}

/// Waits for pgbench to exit (it does once the server is gone: every
/// client aborts, and the logs are written on the way out); its output.
pub(crate) fn wait_pgbench(child: &mut Child, prefix: &Path, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "pgbench did not exit within {timeout:?}:\n{}",
                std::fs::read_to_string(output_path(prefix)).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = std::fs::read_to_string(output_path(prefix)).unwrap_or_default();
    format!("pgbench exited with {status}:\n{out}")
}

/// The transactions pgbench's `-l` logs under `prefix` show as completed
/// (their COMMIT acknowledged), and those it logged as failed
/// (serialization or deadlock failures, rolled back). Lines are
/// `client_id transaction_no time script_no time_epoch time_us`, with
/// `time` the latency in microseconds, or `failed` (`serialization`,
/// `deadlock`) for a failed one; transactions of aborted clients are not
/// logged.
pub(crate) fn logged_transactions(prefix: &Path) -> (i64, i64) {
    let dir = prefix.parent().unwrap();
    let start = format!("{}.", prefix.file_name().unwrap().to_str().unwrap());
    let (mut completed, mut failed) = (0, 0);
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if !e
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&start))
        {
            continue;
        }
        for line in std::fs::read_to_string(e.path()).unwrap().lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() >= 6 && fields[2].parse::<u64>().is_ok() {
                completed += 1;
            } else if !fields.is_empty() {
                failed += 1;
            }
        }
    }
    (completed, failed)
}

/// Connects, retrying for up to `timeout` (the server may be recovering
/// or reinitializing), and checks the session answers.
pub(crate) async fn connect_retrying(srv: &TestServer, timeout: Duration) -> Client {
    let deadline = Instant::now() + timeout;
    loop {
        let err = match tokio::time::timeout(Duration::from_secs(10), srv.try_connect()).await {
            Ok(Ok(c)) => {
                match tokio::time::timeout(Duration::from_secs(30), c.simple_query("SELECT 1"))
                    .await
                {
                    Ok(Ok(_)) => return c,
                    Ok(Err(e)) => e.to_string(),
                    Err(_) => "SELECT 1 took over 30 s".to_owned(),
                }
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "connecting took over 10 s".to_owned(),
        };
        assert!(
            Instant::now() < deadline,
            "the server does not accept connections after {timeout:?}: {err}\n{}",
            log_tail(srv)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The state of pgbench's tables.
#[derive(Debug)]
pub(crate) struct Bank {
    history: i64,
    deltas: i64,
    accounts: i64,
    branches: i64,
    tellers: i64,
    n_accounts: i64,
    n_branches: i64,
    n_tellers: i64,
}

pub(crate) async fn bank(srv: &TestServer) -> Bank {
    let c = connect_retrying(srv, Duration::from_secs(60)).await;
    let q = c.query_one(
        "SELECT (SELECT count(*) FROM pgbench_history)::int8, \
                (SELECT coalesce(sum(delta), 0) FROM pgbench_history)::int8, \
                (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts)::int8, \
                (SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches)::int8, \
                (SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers)::int8, \
                (SELECT count(*) FROM pgbench_accounts)::int8, \
                (SELECT count(*) FROM pgbench_branches)::int8, \
                (SELECT count(*) FROM pgbench_tellers)::int8",
        &[],
    );
    let r = match tokio::time::timeout(Duration::from_secs(60), q).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => panic!(
            "reading pgbench's tables failed: {}\n{}",
            describe(&e),
            log_tail(srv)
        ),
        Err(_) => panic!("reading pgbench's tables took over 60 s\n{}", log_tail(srv)),
    };
    Bank {
        history: r.get(0),
        deltas: r.get(1),
        accounts: r.get(2),
        branches: r.get(3),
        tellers: r.get(4),
        n_accounts: r.get(5),
        n_branches: r.get(6),
        n_tellers: r.get(7),
    }
}

/// No table lost rows and the four sums agree.
pub(crate) fn check_bank(b: &Bank, what: &str, srv: &TestServer) {
    assert_eq!(
        (b.n_accounts, b.n_branches, b.n_tellers),
        (100_000 * SCALE, SCALE, 10 * SCALE),
        "{what}: pgbench's tables lost rows (accounts, branches, tellers): {b:?}\n{}",
        log_tail(srv)
    );
    assert!(
        b.accounts == b.deltas && b.branches == b.deltas && b.tellers == b.deltas,
        "{what}: the balances do not add up: sum(abalance) {}, sum(bbalance) {}, \
         sum(tbalance) {}, sum(delta) {} over {} history rows\n{}",
        b.accounts,
        b.branches,
        b.tellers,
        b.deltas,
        b.history,
        log_tail(srv)
    );
}

/// The history rows added since `before`: at least every acknowledged
/// commit, at most one unacknowledged one per client connection.
pub(crate) fn check_history(
    before: &Bank,
    after: &Bank,
    acked: i64,
    connections: i64,
    what: &str,
    pgbench: &str,
    srv: &TestServer,
) -> i64 {
    let added = after.history - before.history;
    assert!(
        added >= acked,
        "{what}: pgbench saw {acked} commits acknowledged (its -l log) but only {added} \
         history rows were added: acknowledged commits were lost\n{pgbench}\n{}",
        log_tail(srv)
    );
    assert!(
        added <= acked + connections,
        "{what}: {added} history rows were added, more than the {acked} acknowledged \
         commits plus one in flight for each of {connections} connections\n{pgbench}\n{}",
        log_tail(srv)
    );
    added
}

/// Three cycles of: an 8-client TPC-B-like pgbench, kill -9 of the whole
/// server (postmaster and every child) after 0.5–2 s, a restart on the
/// same data directory (crash recovery), and the checks.
async fn whole_server_kill_9_loses_no_acknowledged_commit(mode: Mode) {
    let name = format!("whole_server_kill_9 ({mode:?})");
    let mut rng = seeded_rng(&name);
    let mut srv = TestServer::start(mode);
    srv.pgbench(&["-i", "-s", &SCALE.to_string(), "-q"]);
    let logs = tempfile::tempdir().unwrap();
    let mut before = bank(&srv).await;
    check_bank(&before, &format!("{name}: after pgbench -i"), &srv);
    let mut total_acked = 0;
    for cycle in 1..=3 {
        let prefix = logs.path().join(format!("cycle{cycle}"));
        let mut bench = start_pgbench(&srv, &prefix, 600);
        let wait = Duration::from_millis(rng.gen_range(500..=2000));
        tokio::time::sleep(wait).await;
        if let Some(st) = bench.try_wait().unwrap() {
            panic!(
                "{name} cycle {cycle}: pgbench ended before the kill ({st}):\n{}\n{}",
                std::fs::read_to_string(output_path(&prefix)).unwrap_or_default(),
                log_tail(&srv)
            );
        }
        let killed = srv.kill_9_all();
        let out = wait_pgbench(&mut bench, &prefix, Duration::from_secs(60));
        let (acked, failed) = logged_transactions(&prefix);
        let log_len = srv.log().len();
        let took = srv.restart(&[]);
        let after = bank(&srv).await;
        let what = format!(
            "{name} cycle {cycle} (kill -9 of {} processes after {wait:?})",
            killed.len()
        );
        let added = check_history(&before, &after, acked, CLIENTS, &what, &out, &srv);
        check_bank(&after, &what, &srv);
        eprintln!(
            "{what}: {acked} commits acknowledged, {failed} failed, {added} history rows added; \
             a session could start {took:?} after start; recovery: {:?}",
            recovery_lines(&srv, log_len)
        );
        total_acked += acked;
        before = after;
    }
    assert!(
        total_acked > 0,
        "{name}: pgbench completed no transaction in three cycles: nothing was tested\n{}",
        log_tail(&srv)
    );
}

/// The pids of the client backends (not ours), or none if the server does
/// not answer now (it may be reinitializing after a crash).
async fn client_backends(srv: &TestServer) -> Vec<i32> {
    let Ok(Ok(c)) = tokio::time::timeout(Duration::from_secs(5), srv.try_connect()).await else {
        return Vec::new();
    };
    let q = c.query(
        "SELECT pid FROM pg_stat_activity \
         WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'",
        &[],
    );
    match tokio::time::timeout(Duration::from_secs(5), q).await {
        Ok(Ok(rows)) => rows.iter().map(|r| r.get(0)).collect(),
        _ => Vec::new(),
    }
}

/// Process mode: kill -9 of five random pgbench backends at random moments
/// while 8 clients run TPC-B-like transactions. A backend killed while
/// holding shared locks or pins makes the postmaster end every session,
/// reinitialize shared memory and recover from the WAL; one killed outside
/// them only loses its own transaction. Either way nothing acknowledged is
/// lost and the balances agree. When a kill ends the whole pgbench run
/// (every client disconnected), the next kill waits for a new run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_backends_under_load_in_process_mode() {
    let name = "kill_9_of_backends_under_load_in_process_mode";
    let mut rng = seeded_rng(name);
    let mut srv = TestServer::start(Mode::Process);
    srv.pgbench(&["-i", "-s", &SCALE.to_string(), "-q"]);
    let before = bank(&srv).await;
    let logs = tempfile::tempdir().unwrap();
    let mut runs: Vec<(Child, PathBuf)> = Vec::new();
    let mut victims = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while victims.len() < 5 {
        assert!(
            Instant::now() < deadline,
            "{name}: only {} backends killed in 90 s (pgbench runs: {})\n{}",
            victims.len(),
            runs.len(),
            log_tail(&srv)
        );
        let running = match runs.last_mut() {
            Some((c, _)) => c.try_wait().unwrap().is_none(),
            None => false,
        };
        if !running {
            let prefix = logs.path().join(format!("run{}", runs.len() + 1));
            runs.push((start_pgbench(&srv, &prefix, 6), prefix));
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..=1500))).await;
        let pids = client_backends(&srv).await;
        if pids.is_empty() {
            continue;
        }
        let victim = pids[rng.gen_range(0..pids.len())];
        // Only ever a process of our own server.
        if !srv.pids().contains(&victim) {
            continue;
        }
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(victim),
            nix::sys::signal::Signal::SIGKILL,
        );
        victims.push(victim);
    }
    let mut acked = 0;
    let mut outputs = String::new();
    for (child, prefix) in &mut runs {
        outputs += &wait_pgbench(child, prefix, Duration::from_secs(60));
        acked += logged_transactions(prefix).0;
    }
    let after = bank(&srv).await;
    assert!(
        srv.child.as_mut().unwrap().try_wait().unwrap().is_none(),
        "{name}: the postmaster exited\n{}",
        log_tail(&srv)
    );
    let what = format!(
        "{name} (killed {victims:?} during {} pgbench runs)",
        runs.len()
    );
    let added = check_history(
        &before,
        &after,
        acked,
        CLIENTS * runs.len() as i64,
        &what,
        &outputs,
        &srv,
    );
    check_bank(&after, &what, &srv);
    let log = srv.log();
    eprintln!(
        "{what}: {acked} commits acknowledged, {added} history rows added; \
         {} reinitializations of shared memory",
        log.matches("reinitialized shared memory").count()
    );
}

/// A data page torn by the crash (its first 4 kB overwritten with garbage
/// after the kill) is rewritten by recovery from the full-page image that
/// the first change of the page after a checkpoint logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_page_is_repaired_by_recovery() {
    let name = "torn_page_is_repaired_by_recovery";
    let mut srv = TestServer::start(Mode::Process);
    let mut c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text NOT NULL); \
         INSERT INTO t SELECT g, g, repeat('p', 100) FROM generate_series(1, 2000) g",
    )
    .await
    .unwrap();
    let oid: u32 = c
        .query_one("SELECT oid FROM pg_class WHERE relname = 't'", &[])
        .await
        .unwrap()
        .get(0);
    if let Err(e) = c.batch_execute("CHECKPOINT").await {
        // Without the CHECKPOINT command, a clean restart's shutdown
        // checkpoint writes the pages all the same.
        assert_eq!(
            sqlstate(&e),
            "42601",
            "{name}: CHECKPOINT failed: {}",
            describe(&e)
        );
        eprintln!(
            "{name}: CHECKPOINT is not supported ({}); restarting cleanly instead",
            describe(&e)
        );
        drop(c);
        srv.stop_with(nix::sys::signal::Signal::SIGINT);
        srv.restart(&[]);
        c = srv.connect().await;
    }
    let file = srv.data_dir().join("base").join(oid.to_string());
    let len = std::fs::metadata(&file)
        .unwrap_or_else(|e| panic!("{name}: table t (oid {oid}): {}: {e}", file.display()))
        .len();
    assert!(
        len >= 8 * 8192,
        "{name}: {} holds {len} bytes after the checkpoint; expected the table's pages",
        file.display()
    );
    let n = c.execute("UPDATE t SET v = -id", &[]).await.unwrap();
    assert_eq!(n, 2000);
    drop(c);
    srv.kill_9_all();
    // Tear block 0: its first half becomes garbage (including the page
    // header and its LSN, which recovery must not trust).
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ 0xA5)
        .collect();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.write_all_at(&garbage, 0).unwrap();
    f.sync_all().unwrap();
    drop(f);
    let log_len = srv.log().len();
    srv.restart(&[]);
    eprintln!("{name}: recovery: {:?}", recovery_lines(&srv, log_len));
    let c = connect_retrying(&srv, Duration::from_secs(60)).await;
    let rows = match c.query("SELECT id, v FROM t", &[]).await {
        Ok(r) => r,
        Err(e) => panic!(
            "{name}: reading the table after recovery failed: {}; \
             the torn block 0 was not restored from its full-page image\n{}",
            describe(&e),
            log_tail(&srv)
        ),
    };
    let mut got: Vec<(i32, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    got.sort_unstable();
    let wrong: Vec<&(i32, i32)> = got.iter().filter(|(id, v)| *v != -id).take(10).collect();
    assert!(
        got.len() == 2000 && wrong.is_empty() && got.first() == Some(&(1, -1)),
        "{name}: after recovery t has {} rows (expected 2000, each with v = -id); \
         first wrong ones: {wrong:?}; a torn page must be rewritten from the full-page \
         image logged by its first change after the checkpoint, whatever the torn page holds\n{}",
        got.len(),
        log_tail(&srv)
    );
    // The index leads to the same rows (ids on block 0 among them).
    for id in [1, 2, 5, 1000, 2000] {
        let v: i32 = c
            .query_one("SELECT v FROM t WHERE id = $1", &[&id])
            .await
            .unwrap_or_else(|e| panic!("{name}: id {id}: {}", describe(&e)))
            .get(0);
        assert_eq!(v, -id, "{name}: index lookup of id {id}");
    }
}

/// A tmpfs mounted for one test, unmounted when dropped (lazily if
/// something still uses it), with its mount point and parent removed.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Result<Tmpfs, String> {
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(Tmpfs {
            path: path.to_owned(),
        })
    }

    fn resize(&self, bytes: u64) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={bytes}")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "remount of {} with size {bytes}: {}",
            self.path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Bytes in use.
    fn used(&self) -> u64 {
        let out = Command::new("df")
            .args(["-B1", "--output=used"])
            .arg(&self.path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("df {}: {text}", self.path.display()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
        let _ = std::fs::remove_dir(&self.path);
        if let Some(parent) = self.path.parent() {
            let _ = std::fs::remove_dir_all(parent);
        }
    }
}

/// Rows each batch inserts into `fill`; rows of `churn` each batch
/// rewrites whole (bytes of text each).
const BATCH_ROWS: i64 = 4;
const CHURN_ROWS: i64 = 200;
const CHURN_PAD: i32 = 500;

/// One batch, in one transaction: BEGIN; every row of `churn` rewritten
/// (about 120 kB of WAL, while the table keeps its size: one row per page,
/// fillfactor 10, so every update is HOT and pruning makes room again);
/// BATCH_ROWS small rows inserted into `fill` (a new page every ~50
/// batches); COMMIT. So the WAL, not the tables, needs the disk's space.
/// The step that failed and its error, if any.
async fn fill_batch(
    c: &Client,
    batch: i32,
    srv: &TestServer,
) -> Result<(), (&'static str, tokio_postgres::Error)> {
    let update = format!(
        "UPDATE churn SET batch = {batch}, pad = repeat(chr(65 + {batch} % 26), {CHURN_PAD})"
    );
    let insert =
        format!("INSERT INTO fill SELECT {batch}, g FROM generate_series(1, {BATCH_ROWS}) g");
    for (step, sql) in [
        ("BEGIN", "BEGIN"),
        ("UPDATE", update.as_str()),
        ("INSERT", insert.as_str()),
        ("COMMIT", "COMMIT"),
    ] {
        match tokio::time::timeout(Duration::from_secs(60), c.batch_execute(sql)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err((step, e)),
            Err(_) => panic!(
                "batch {batch}: {step} neither failed nor returned in 60 s on a full disk\n{}",
                log_tail(srv)
            ),
        }
    }
    Ok(())
}

/// The WAL segment files in the data directory (named by 16 hex digits;
/// not the temporary files of segments being created).
fn wal_segments(data: &Path) -> usize {
    std::fs::read_dir(data.join("pg_wal"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.len() == 16 && n.bytes().all(|b| b.is_ascii_hexdigit()))
                })
                .count()
        })
        .unwrap_or(0)
}

/// The data directory on a tmpfs with 8 MB free once the server runs (its
/// current and next 16 MiB WAL segments created), then batches of
/// changes, each committed, until one fails: the WAL needs a new segment
/// it has no room for. The failure must be disk_full (53100) or the
/// session ended by FATAL/PANIC (the server shutting down). Then, with
/// more room and a restart (crash recovery; a server still up is killed
/// with -9 first), every acknowledged batch is there, each batch is all or
/// nothing (its `fill` rows, and `churn` showing the last batch present),
/// and new commits work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enospc_on_wal_does_not_acknowledge_a_lost_commit() {
    let name = "enospc_on_wal_does_not_acknowledge_a_lost_commit";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let fs = match Tmpfs::mount(&data, "256m") {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "{name}: skipped: cannot mount tmpfs on {}: {e}",
                data.display()
            );
            return;
        }
    };
    // Declared after the mount: stopped before it is unmounted. No timed
    // checkpoint, which would recycle old segments and so make room.
    let args = ["--checkpoint-timeout", "3600"];
    let mut srv = TestServer::start_in(dir, Mode::Process, &args);
    let c = srv.connect().await;
    c.batch_execute(&format!(
        "CREATE TABLE churn (id int PRIMARY KEY, batch int NOT NULL, pad text NOT NULL) \
         WITH (fillfactor = 10); \
         INSERT INTO churn SELECT g, 0, repeat('-', {CHURN_PAD}) FROM generate_series(1, {CHURN_ROWS}) g; \
         CREATE TABLE fill (batch int NOT NULL, i int NOT NULL)"
    ))
    .await
    .unwrap();
    // The checkpointer creates the next WAL segment ahead of need.
    let deadline = Instant::now() + Duration::from_secs(10);
    while wal_segments(&data) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let used = fs.used();
    let size = (used + (8 << 20)).div_ceil(1 << 20) << 20;
    fs.resize(size);
    eprintln!(
        "{name}: {} MB in use ({} WAL segments); file system resized to {} MB",
        used >> 20,
        wal_segments(&data),
        size >> 20
    );
    let mut acked = Vec::new();
    let mut failure = None;
    for batch in 1..=2000 {
        match fill_batch(&c, batch, &srv).await {
            Ok(()) => acked.push(batch),
            Err((step, e)) => {
                failure = Some((batch, step, e));
                break;
            }
        }
    }
    let Some((failed_batch, step, e)) = failure else {
        panic!(
            "{name}: 2000 batches (about 400 MB of WAL) committed on a {} MB file system \
             without an error\n{}",
            size >> 20,
            log_tail(&srv)
        );
    };
    assert!(
        e.as_db_error().is_some_and(
            |d| d.code().code() == "53100" || matches!(d.severity(), "FATAL" | "PANIC")
        ),
        "{name}: batch {failed_batch}: {step} failed with {}; \
         expected 53100 disk_full, or the session ended by FATAL or PANIC\n{}",
        describe(&e),
        log_tail(&srv)
    );
    drop(c);
    // Did the server shut down by itself?
    let deadline = Instant::now() + Duration::from_secs(5);
    let exited = loop {
        if let Some(st) = srv.child.as_mut().unwrap().try_wait().unwrap() {
            break Some(st);
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!(
        "{name}: batches 1..={} acknowledged; batch {failed_batch}: {step} failed: {}; \
         the server {}",
        acked.len(),
        describe(&e),
        match exited {
            Some(st) => format!("shut down by itself ({st})"),
            None => "stayed up (killed with -9 now)".to_owned(),
        }
    );
    fs.resize(512 << 20);
    match exited {
        Some(_) => srv.child = None,
        None => {
            srv.kill_9_all();
        }
    }
    let log_len = srv.log().len();
    srv.restart(&args);
    eprintln!("{name}: recovery: {:?}", recovery_lines(&srv, log_len));
    let c = connect_retrying(&srv, Duration::from_secs(60)).await;
    let rows = c
        .query(
            "SELECT batch, count(*)::int8 FROM fill GROUP BY batch ORDER BY batch",
            &[],
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{name}: reading fill after recovery: {}\n{}",
                describe(&e),
                log_tail(&srv)
            )
        });
    let present: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let partial: Vec<&(i32, i64)> = present.iter().filter(|(_, n)| *n != BATCH_ROWS).collect();
    assert!(
        partial.is_empty(),
        "{name}: batches present only in part after recovery (batch, rows): {partial:?}\n{}",
        log_tail(&srv)
    );
    let missing: Vec<i32> = acked
        .iter()
        .copied()
        .filter(|b| !present.iter().any(|(p, _)| p == b))
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: acknowledged batches lost: {missing:?} (of 1..={}; the first failure was \
         batch {failed_batch} at {step})\n{}",
        acked.len(),
        log_tail(&srv)
    );
    let last = present.last().map_or(0, |(b, _)| *b);
    eprintln!(
        "{name}: after recovery: batches 1..={last} present (batch {failed_batch}, \
         not acknowledged, {})",
        if last == failed_batch {
            "committed after all"
        } else {
            "rolled back"
        }
    );
    assert!(
        last <= failed_batch,
        "{name}: batch {last} present, but batches stopped at {failed_batch}"
    );
    // churn shows the last batch present, on every row.
    let churn = c
        .query(
            "SELECT batch, pad, count(*)::int8 FROM churn GROUP BY batch, pad",
            &[],
        )
        .await
        .unwrap();
    let churn: Vec<(i32, String, i64)> = churn
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let letter = if last == 0 {
        '-'
    } else {
        (b'A' + (last % 26) as u8) as char
    };
    assert!(
        churn.len() == 1
            && churn[0].0 == last
            && churn[0].2 == CHURN_ROWS
            && churn[0].1 == letter.to_string().repeat(CHURN_PAD as usize),
        "{name}: churn should hold {CHURN_ROWS} rows of batch {last} (the last in fill); \
         it holds (batch, rows): {:?}\n{}",
        churn.iter().map(|(b, _, n)| (b, n)).collect::<Vec<_>>(),
        log_tail(&srv)
    );
    // With room again, commits work.
    fill_batch(&c, failed_batch + 1, &srv)
        .await
        .unwrap_or_else(|(step, e)| {
            panic!(
                "{name}: after recovery, {step}: {}\n{}",
                describe(&e),
                log_tail(&srv)
            )
        });
    drop(c);
    drop(srv);
    drop(fs);
}
