//! The client acceptance suite: real drivers, ORMs and tools (psycopg 3,
//! psycopg2, asyncpg, SQLAlchemy 2 with psycopg and with asyncpg, Alembic,
//! node-postgres with pg-cursor and pg-copy-streams, PgJDBC from a JVM in
//! Europe/Paris, psql, pgcli, pg_dump/pg_restore) run
//! their check scripts against PostgreSQL 15 and against pgfork in process
//! and thread mode, started by the same test, so that any difference is
//! pgfork's.
//!
//! Each script prints one line per check, `ok NAME` or `FAIL NAME: reason`.
//! A script may also write outputs to compare with PostgreSQL 15's
//! (`NAME.out` files in the directory CHECK_OUTPUT_DIR names: psql's
//! describe commands, say): each is a check named NAME, which passes on
//! pgfork when its output is PostgreSQL 15's, byte for byte.
//! On PostgreSQL 15 every check must pass. On pgfork the failing checks
//! must be exactly the ones `tests/clients/known-failures.txt` lists for
//! that client, each with its reason: an unexpected failure fails the test,
//! and so does a listed failure that now passes (the list stays true). A
//! script must report the same checks on every server (one that dies half
//! way cannot pass). A client that is not installed fails the test naming
//! the install step (`tests/clients/install`), never skips it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Mode, TestServer};
use crate::reference::Reference;

/// How long one client script may run against one server.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/clients")
}

const INSTALL: &str = "run `tests/clients/install` (pinned psycopg, psycopg2, asyncpg, SQLAlchemy, greenlet, Alembic, pgcli in tests/clients/.venv; pg, pg-cursor and pg-copy-streams in tests/clients/node; PgJDBC and a JDK from apt; PostgreSQL 15's psql and pg_dump from apt's postgresql-client-15); `.ci/run` does it";

/// Debian's PgJDBC (libpostgresql-jdbc-java).
const PGJDBC_JAR: &str = "/usr/share/java/postgresql.jar";

/// A client and how its script runs.
struct Client {
    /// Its name in known-failures.txt.
    name: &'static str,
    /// The interpreter: "python" (the suite's venv), "node" or "java".
    runtime: &'static str,
    /// The script, relative to tests/clients.
    script: &'static str,
    /// What must be importable (a Python module, a Node package) or
    /// present (a program) for the script to run.
    needs: &'static str,
}

impl Client {
    fn program(&self) -> PathBuf {
        match self.runtime {
            "python" => clients_dir().join(".venv/bin/python"),
            other => PathBuf::from(other),
        }
    }

    /// PgJDBC speaks TCP only.
    fn tcp(&self) -> bool {
        self.runtime == "java"
    }

    /// Panics with the install step when the client is missing.
    fn check_installed(&self) {
        let ok = match self.runtime {
            "python" => {
                let py = self.program();
                py.exists()
                    && if self.needs.starts_with('/') {
                        Path::new(self.needs).exists()
                    } else {
                        Command::new(&py)
                            .args(["-c", &format!("import {}", self.needs)])
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status()
                            .is_ok_and(|s| s.success())
                    }
            }
            "java" => {
                Command::new("java")
                    .arg("-version")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
                    && Path::new(self.needs).exists()
            }
            _ => {
                Command::new("node")
                    .arg("--version")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
                    && clients_dir()
                        .join("node/node_modules")
                        .join(self.needs)
                        .join("package.json")
                        .exists()
            }
        };
        assert!(
            ok,
            "client {} is not installed ({} missing): {INSTALL}",
            self.name, self.needs
        );
    }
}

const PSYCOPG3: Client = Client {
    name: "psycopg3",
    runtime: "python",
    script: "python/psycopg3_checks.py",
    needs: "psycopg",
};
const PSYCOPG2: Client = Client {
    name: "psycopg2",
    runtime: "python",
    script: "python/psycopg2_checks.py",
    needs: "psycopg2",
};
const ASYNCPG: Client = Client {
    name: "asyncpg",
    runtime: "python",
    script: "python/asyncpg_checks.py",
    needs: "asyncpg",
};
const SQLALCHEMY: Client = Client {
    name: "sqlalchemy",
    runtime: "python",
    script: "python/sqlalchemy_checks.py",
    needs: "sqlalchemy",
};
const NODE_PG: Client = Client {
    name: "node-postgres",
    runtime: "node",
    script: "node/pg_checks.js",
    needs: "pg-copy-streams",
};
const PGJDBC: Client = Client {
    name: "pgjdbc",
    runtime: "java",
    script: "java/JdbcChecks.java",
    needs: PGJDBC_JAR,
};
const PSQL: Client = Client {
    name: "psql",
    runtime: "python",
    script: "python/psql_checks.py",
    needs: "/usr/lib/postgresql/15/bin/psql",
};
const SQLALCHEMY_ASYNC: Client = Client {
    name: "sqlalchemy-asyncpg",
    runtime: "python",
    script: "python/sqlalchemy_async_checks.py",
    needs: "greenlet",
};
const ALEMBIC: Client = Client {
    name: "alembic",
    runtime: "python",
    script: "python/alembic_checks.py",
    needs: "alembic",
};
const PGCLI: Client = Client {
    name: "pgcli",
    runtime: "python",
    script: "python/pgcli_checks.py",
    needs: "pgcli",
};
const PG_DUMP: Client = Client {
    name: "pg_dump",
    runtime: "python",
    script: "python/pg_dump_checks.py",
    needs: "/usr/lib/postgresql/15/bin/pg_dump",
};

/// One check's outcome: None when it passed, else the reason.
type Outcomes = BTreeMap<String, Option<String>>;

/// What one run of a script against one server gave.
struct Run {
    server: String,
    outcomes: Outcomes,
    /// Lines that are neither `ok` nor `FAIL`, and stderr.
    noise: String,
    exited_ok: bool,
    /// Where the script put the outputs to compare with PostgreSQL 15's
    /// (CHECK_OUTPUT_DIR).
    outputs: PathBuf,
}

/// Parses `ok NAME` / `FAIL NAME: reason` lines.
fn parse_outcomes(stdout: &str) -> (Outcomes, Vec<String>) {
    let mut out = Outcomes::new();
    let mut other = Vec::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("ok ") {
            out.insert(name.trim().to_owned(), None);
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            let (name, reason) = rest.split_once(':').unwrap_or((rest, ""));
            out.insert(name.trim().to_owned(), Some(reason.trim().to_owned()));
        } else if !line.trim().is_empty() {
            other.push(line.to_owned());
        }
    }
    (out, other)
}

/// Runs the client's script against the server whose Unix socket is in
/// `host` on `port`.
fn run_script(client: &Client, server: String, host: &Path, port: u16, work: &Path) -> Run {
    let tag = server.replace(' ', "-");
    let outputs = work.join(format!("{}-{tag}.outputs", client.name));
    std::fs::create_dir_all(&outputs).unwrap();
    let out_path = work.join(format!("{}-{tag}.out", client.name));
    let err_path = work.join(format!("{}-{tag}.err", client.name));
    let mut cmd = Command::new(client.program());
    if client.runtime == "java" {
        // A JVM in Europe/Paris, whose zone PgJDBC sends at startup.
        cmd.args(["-Duser.timezone=Europe/Paris", "-cp", PGJDBC_JAR])
            .env("TZ", "Europe/Paris");
    }
    cmd.arg(clients_dir().join(client.script))
        .current_dir(work)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    // Only the connection the test chooses: nothing from the caller's
    // environment (PGOPTIONS, PGAPPNAME, PGTZ, ...).
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    cmd.env("PGHOST", host)
        .env("PGPORT", port.to_string())
        .env("PGUSER", "postgres")
        .env("PGDATABASE", "postgres")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("CHECK_OUTPUT_DIR", &outputs);
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "{}: cannot start {:?}: {e}: {INSTALL}",
            client.name,
            client.program()
        )
    });
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let (outcomes, other) = parse_outcomes(&stdout);
    let mut noise = other.join("\n");
    if status.is_none() {
        noise.push_str(&format!("\n(killed after {} s)", SCRIPT_TIMEOUT.as_secs()));
    }
    if !stderr.trim().is_empty() {
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        noise.push_str(&format!("\nstderr:\n{}", tail.join("\n")));
    }
    Run {
        server,
        outcomes,
        noise,
        exited_ok: status.is_some_and(|s| s.success()),
        outputs,
    }
}

/// The outputs a script wrote to CHECK_OUTPUT_DIR (`NAME.out` files: a
/// psql describe command's output, say), by name.
fn read_outputs(dir: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if let (Some(name), Some("out")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) {
            map.insert(
                name.to_owned(),
                std::fs::read_to_string(&path).unwrap_or_default(),
            );
        }
    }
    map
}

/// Turns the outputs into checks, one per output of PostgreSQL 15: it
/// passes on PostgreSQL 15 (the reference) and on pgfork when pgfork's
/// output is the same, else fails with the first line that differs.
fn compare_outputs(reference: &mut Run, pgfork: &mut [Run]) {
    let want = read_outputs(&reference.outputs);
    for name in want.keys() {
        reference.outcomes.insert(name.clone(), None);
    }
    for run in pgfork {
        let got = read_outputs(&run.outputs);
        for (name, w) in &want {
            let outcome = match got.get(name) {
                None => Some("no output".to_owned()),
                Some(g) if g == w => None,
                Some(g) => {
                    let (gl, wl): (Vec<&str>, Vec<&str>) =
                        (g.lines().collect(), w.lines().collect());
                    let i = (0..gl.len().max(wl.len()))
                        .find(|&i| gl.get(i) != wl.get(i))
                        .unwrap_or(0);
                    Some(format!(
                        "line {}: got {:?}, PostgreSQL 15 gives {:?}",
                        i + 1,
                        gl.get(i).copied().unwrap_or("(end)"),
                        wl.get(i).copied().unwrap_or("(end)")
                    ))
                }
            };
            run.outcomes.insert(name.clone(), outcome);
        }
    }
}

/// known-failures.txt: `CLIENT CHECK: reason` lines (blank lines and
/// `#` comments ignored); every entry must give a reason.
pub fn known_failures(text: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut map: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            format!(
                "known-failures.txt line {}: want `CLIENT CHECK: reason`, got {line:?}",
                n + 1
            )
        };
        let (head, reason) = line.split_once(':').ok_or_else(bad)?;
        let mut words = head.split_whitespace();
        let (Some(client), Some(check), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        if reason.trim().is_empty() {
            return Err(bad());
        }
        let prev = map
            .entry(client.to_owned())
            .or_default()
            .insert(check.to_owned(), reason.trim().to_owned());
        if prev.is_some() {
            return Err(format!("known-failures.txt lists {client} {check} twice"));
        }
    }
    Ok(map)
}

fn known_for(client: &str) -> BTreeMap<String, String> {
    let path = clients_dir().join("known-failures.txt");
    let text = std::fs::read_to_string(&path).expect("read tests/clients/known-failures.txt");
    known_failures(&text)
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(client)
        .unwrap_or_default()
}

/// Compares one client's runs: the reference's (all must pass) and
/// pgfork's (failures exactly the known ones). Returns the problems.
fn judge(
    client: &str,
    reference: &Run,
    pgfork: &[Run],
    known: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let checks: BTreeSet<&String> = reference.outcomes.keys().collect();
    if checks.len() < 3 {
        problems.push(format!(
            "{client} reported only {} checks on PostgreSQL 15\n{}",
            checks.len(),
            reference.noise
        ));
    }
    // What a library prints on stderr (psycopg's warnings from its
    // finalizers, say) is shown with a problem, but is none by itself:
    // the exit status and the check lines decide.
    if !reference.exited_ok {
        problems.push(format!(
            "{client} on PostgreSQL 15: the script did not end cleanly:\n{}",
            reference.noise
        ));
    }
    for (name, r) in &reference.outcomes {
        if let Some(reason) = r {
            problems.push(format!(
                "{client} {name} fails on PostgreSQL 15 itself (a broken check): {reason}"
            ));
        }
    }
    for name in known.keys() {
        if !checks.contains(name) {
            problems.push(format!(
                "known-failures.txt lists {client} {name}, which is no check of the script"
            ));
        }
    }
    for run in pgfork {
        let got: BTreeSet<&String> = run.outcomes.keys().collect();
        if got != checks {
            problems.push(format!(
                "{client} on {}: checks reported differ from PostgreSQL 15's (missing {:?}, extra {:?}); the script did not run to its end:\n{}",
                run.server,
                checks.difference(&got).collect::<Vec<_>>(),
                got.difference(&checks).collect::<Vec<_>>(),
                run.noise
            ));
        }
        if !run.exited_ok {
            problems.push(format!(
                "{client} on {}: the script did not exit cleanly:\n{}",
                run.server, run.noise
            ));
        }
        for (name, r) in &run.outcomes {
            match (r, known.get(name)) {
                (Some(reason), None) => problems.push(format!(
                    "{client} {name} FAILS on {} (not in known-failures.txt): {reason}",
                    run.server
                )),
                (None, Some(why)) => problems.push(format!(
                    "{client} {name} now PASSES on {}: remove it from known-failures.txt (listed as: {why})",
                    run.server
                )),
                _ => {}
            }
        }
    }
    problems
}

/// Runs one client against PostgreSQL 15 and pgfork (process, thread
/// and pool mode) at once, and judges the outcome.
fn run_client(client: &Client) {
    client.check_installed();
    let known = known_for(client.name);
    let work = tempfile::tempdir().expect("tempdir");
    let reference = Reference::start_listening(client.tcp());
    // Bootstrapped as the reference's superuser, whom the clients log in
    // as (PGUSER).
    let tcp: &[&str] = if client.tcp() {
        &["-U", "postgres", "--listen", "127.0.0.1", "--tcp-trust"]
    } else {
        &["-U", "postgres"]
    };
    let servers: Vec<TestServer> = [Mode::Process, Mode::Thread, Mode::Pool]
        .into_iter()
        .map(|m| TestServer::start_with(m, tcp))
        .collect();
    let host = |socket_dir: &Path| {
        if client.tcp() {
            PathBuf::from("127.0.0.1")
        } else {
            socket_dir.to_owned()
        }
    };
    let runs: Vec<Run> = std::thread::scope(|s| {
        let work = work.path();
        let mut handles = vec![s.spawn(|| {
            run_script(
                client,
                "PostgreSQL 15".into(),
                &host(reference.dir.path()),
                reference.port,
                work,
            )
        })];
        for srv in &servers {
            handles.push(s.spawn(move || {
                run_script(
                    client,
                    format!("pgfork {:?} mode", srv.mode).to_lowercase(),
                    &host(srv.socket_dir()),
                    srv.port,
                    work,
                )
            }));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut runs = runs;
    let (reference_run, pgfork_runs) = runs.split_first_mut().unwrap();
    compare_outputs(reference_run, pgfork_runs);
    let (reference_run, pgfork_runs) = (&*reference_run, &*pgfork_runs);
    let problems = judge(client.name, reference_run, pgfork_runs, &known);
    let passed = reference_run.outcomes.len();
    let failing = pgfork_runs[0]
        .outcomes
        .values()
        .filter(|r| r.is_some())
        .count();
    eprintln!(
        "{}: {passed} checks; PostgreSQL 15 passes all; pgfork fails {failing} (known)",
        client.name
    );
    if !problems.is_empty() {
        for srv in &servers {
            if srv.log().contains("panicked") {
                eprintln!("pgfork {:?} log:\n{}", srv.mode, srv.log());
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn psycopg3() {
    run_client(&PSYCOPG3);
}

#[test]
fn psycopg2() {
    run_client(&PSYCOPG2);
}

#[test]
fn asyncpg() {
    run_client(&ASYNCPG);
}

#[test]
fn sqlalchemy() {
    run_client(&SQLALCHEMY);
}

#[test]
fn node_postgres() {
    run_client(&NODE_PG);
}

#[test]
fn pgjdbc() {
    run_client(&PGJDBC);
}

#[test]
fn pg_dump() {
    run_client(&PG_DUMP);
}

#[test]
fn psql() {
    run_client(&PSQL);
}

#[test]
fn sqlalchemy_asyncpg() {
    run_client(&SQLALCHEMY_ASYNC);
}

#[test]
fn alembic() {
    run_client(&ALEMBIC);
}

#[test]
fn pgcli() {
    run_client(&PGCLI);
}

#[test]
fn outputs_are_compared() {
    // An output equal to PostgreSQL 15's passes, one that differs or is
    // missing fails, and PostgreSQL 15's own passes.
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, files: &[(&str, &str)]| {
        let outputs = dir.path().join(name);
        std::fs::create_dir_all(&outputs).unwrap();
        for (f, text) in files {
            std::fs::write(outputs.join(format!("{f}.out")), text).unwrap();
        }
        Run {
            server: name.into(),
            outcomes: Outcomes::new(),
            noise: String::new(),
            exited_ok: true,
            outputs,
        }
    };
    let mut reference = run("pg", &[("a", "x\ny\n"), ("b", "z\n"), ("c", "w\n")]);
    let mut ours = [run("pgfork", &[("a", "x\ny\n"), ("b", "z\nmore\n")])];
    compare_outputs(&mut reference, &mut ours);
    assert!(reference.outcomes.values().all(|o| o.is_none()));
    assert_eq!(reference.outcomes.len(), 3);
    assert_eq!(ours[0].outcomes["a"], None);
    assert_eq!(
        ours[0].outcomes["b"].as_deref(),
        Some("line 2: got \"more\", PostgreSQL 15 gives \"(end)\"")
    );
    assert_eq!(ours[0].outcomes["c"].as_deref(), Some("no output"));
}

#[test]
fn a_failure_is_never_vacuous() {
    // The judge itself: an unexpected failure, a listed failure that
    // passes, a check missing on pgfork and a failure on PostgreSQL are
    // each reported.
    let run = |server: &str, lines: &str| {
        let (outcomes, _) = parse_outcomes(lines);
        Run {
            server: server.into(),
            outcomes,
            noise: String::new(),
            exited_ok: true,
            outputs: PathBuf::new(),
        }
    };
    let reference = run("PostgreSQL 15", "ok a\nok b\nok c\nok d\n");
    let known = known_failures("x b: reason b\nx c: reason c\n")
        .unwrap()
        .remove("x")
        .unwrap();
    let good = run("pgfork", "ok a\nFAIL b: no\nFAIL c: no\nok d\n");
    assert!(judge("x", &reference, std::slice::from_ref(&good), &known).is_empty());
    let unexpected = run("pgfork", "FAIL a: boom\nFAIL b: no\nFAIL c: no\nok d\n");
    let p = judge("x", &reference, &[unexpected], &known);
    assert!(p.len() == 1 && p[0].contains("x a FAILS"), "{p:?}");
    let fixed = run("pgfork", "ok a\nok b\nFAIL c: no\nok d\n");
    let p = judge("x", &reference, &[fixed], &known);
    assert!(p.len() == 1 && p[0].contains("now PASSES"), "{p:?}");
    let truncated = run("pgfork", "ok a\nFAIL b: no\n");
    let p = judge("x", &reference, &[truncated], &known);
    assert!(
        p.iter().any(|m| m.contains("did not run to its end")),
        "{p:?}"
    );
    let broken = run("PostgreSQL 15", "ok a\nFAIL b: x\nok c\nok d\n");
    let p = judge("x", &broken, std::slice::from_ref(&good), &known);
    assert!(
        p.iter().any(|m| m.contains("PostgreSQL 15 itself")),
        "{p:?}"
    );
    assert!(
        known_failures("x b\n").is_err(),
        "an entry without a reason"
    );
    assert!(known_failures("x b:  \n").is_err(), "an empty reason");
}
