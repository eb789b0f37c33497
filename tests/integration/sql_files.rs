//! The differential SQL test: every statement of every file in `tests/sql/`
//! runs on pgfork (in each mode) and on PostgreSQL 15 in the same test, and
//! their outcomes must match: the same column names and types and the same
//! rows (as text, in order: the files fix the order with ORDER BY), or the
//! same SQLSTATE. A file is a list of statements, each ending with `;` at
//! the end of a line; `--` lines are comments.

use std::path::{Path, PathBuf};

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::harness::{Mode, TestServer};
use crate::reference::Reference;

/// What a statement did, in a form both servers can be compared on.
#[derive(Debug, PartialEq)]
enum Outcome {
    Rows {
        columns: Vec<String>,
        types: Option<Vec<u32>>,
        rows: Vec<Vec<Option<String>>>,
    },
    Done,
    Error(String),
}

/// The files to run: all of them, or those named (without `.sql`,
/// comma-separated, with or without `.sql`) in `PGFORK_SQL_FILES`, to iterate on one quickly.
fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sql");
    let only = std::env::var("PGFORK_SQL_FILES").ok();
    let wanted = |p: &Path| {
        only.as_deref().is_none_or(|o| {
            let stem = p.file_stem().unwrap_or_default().to_string_lossy();
            o.split(',')
                .any(|n| n.trim().trim_end_matches(".sql") == stem)
        })
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql") && wanted(p))
        .collect();
    v.sort();
    // A name that matches no file is a mistake, not an empty pass.
    if let Some(o) = &only {
        assert!(
            !v.is_empty(),
            "PGFORK_SQL_FILES={o} names no file in tests/sql"
        );
    }
    v
}

/// Settings for pgfork's sessions (`name=value`, comma-separated) from
/// `PGFORK_SQL_SETTINGS`, to run every file under other settings, e.g.
/// `pgfork.plan_cache_size=0` (the statement cache off); given to the
/// session at startup, so RESET ALL keeps them.
fn session_options() -> Option<String> {
    let v = std::env::var("PGFORK_SQL_SETTINGS").ok()?;
    let opts: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("-c {}", s.replace(' ', "\\ ")))
        .collect();
    (!opts.is_empty()).then(|| opts.join(" "))
}

/// The statements of a file with their first line numbers.
fn statements(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut first = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if cur.is_empty() && (t.is_empty() || t.starts_with("--")) {
            continue;
        }
        if cur.is_empty() {
            first = n + 1;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.ends_with(';') {
            out.push((first, std::mem::take(&mut cur)));
        }
    }
    out
}

fn returns_rows(sql: &str) -> bool {
    let s = sql.trim_start().to_ascii_lowercase();
    ["select", "values", "with", "(", "table"]
        .iter()
        .any(|k| s.starts_with(k))
}

/// A result column's type OID, with the OIDs of user-defined types (enum
/// types and their arrays, from 16384 on) made one: each server numbers
/// the objects it creates its own way.
fn user_type(t: u32) -> u32 {
    if t >= 16384 {
        16384
    } else {
        t
    }
}

async fn run(c: &Client, sql: &str) -> Outcome {
    match c.simple_query(sql).await {
        Err(e) => Outcome::Error(
            e.code()
                .map_or_else(|| format!("no sqlstate: {e}"), |s| s.code().to_owned()),
        ),
        Ok(msgs) => {
            let mut columns = None;
            let mut rows = Vec::new();
            for m in msgs {
                match m {
                    SimpleQueryMessage::RowDescription(cols) => {
                        columns = Some(cols.iter().map(|c| c.name().to_owned()).collect());
                    }
                    SimpleQueryMessage::Row(r) => {
                        rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect());
                    }
                    _ => {}
                }
            }
            match columns {
                None => Outcome::Done,
                Some(columns) => {
                    // The result's types, from describing the statement.
                    let types = if returns_rows(sql) {
                        let text = sql.trim().trim_end_matches(';');
                        c.prepare(text).await.ok().map(|s| {
                            s.columns()
                                .iter()
                                .map(|c| user_type(c.type_().oid()))
                                .collect()
                        })
                    } else {
                        None
                    };
                    Outcome::Rows {
                        columns,
                        types,
                        rows,
                    }
                }
            }
        }
    }
}

in_all_modes!(sql_files_match_postgres);

/// The harness in pool mode with carrier processes, the one mode
/// `in_all_modes!` leaves out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_files_match_postgres_with_carrier_processes() {
    sql_files_match_postgres(Mode::PoolProcesses).await
}

async fn sql_files_match_postgres(mode: Mode) {
    let reference = Reference::start();
    let admin = reference.connect().await;
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for file in files() {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        // A fresh database on each side for each file.
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        let (pg, conn) = tokio_postgres::connect(
            &format!(
                "host={} port={} user=postgres dbname={name}",
                reference.dir.path().display(),
                reference.port
            ),
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(conn);
        let srv = TestServer::start(mode);
        let ours = match session_options() {
            None => srv.connect().await,
            Some(options) => {
                let (c, conn) = tokio_postgres::connect(
                    &format!("{} options='{options}'", srv.conn_string()),
                    tokio_postgres::NoTls,
                )
                .await
                .unwrap();
                tokio::spawn(conn);
                c
            }
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, sql) in statements(&text) {
            let (a, b) = (run(&ours, &sql).await, run(&pg, &sql).await);
            compared += 1;
            // Types are compared where both sides could describe the query.
            let same = match (&a, &b) {
                (
                    Outcome::Rows {
                        columns: c1,
                        types: t1,
                        rows: r1,
                    },
                    Outcome::Rows {
                        columns: c2,
                        types: t2,
                        rows: r2,
                    },
                ) => c1 == c2 && r1 == r2 && (t1.is_none() || t2.is_none() || t1 == t2),
                _ => a == b,
            };
            if !same {
                mismatches.push(format!(
                    "{name}.sql:{line}: {}\n  pgfork:     {a:?}\n  PostgreSQL: {b:?}",
                    sql.trim()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} statements differ from PostgreSQL 15 ({mode:?}):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!("{compared} statements match PostgreSQL 15 ({mode:?})");
}
