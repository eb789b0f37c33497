//! One client's session: its connection, the statements it prepared, and
//! the next query of its workload. Query text or parameters are made before
//! the clock starts, so the timed part is only the round trip to the server.

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::task::JoinHandle;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::cli::Workload;

pub const POINT_SELECT: &str = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
pub const INSERT: &str = "INSERT INTO loadgen_t(a, b) VALUES ($1, $2)";
pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS loadgen_t (a int, b text)";
pub const SELECT1: &str = "SELECT 1";

/// pgbench's accounts per scale unit.
const ACCOUNTS_PER_SCALE: i64 = 100_000;

/// A connected client whose connection runs as a task on the caller's
/// (current-thread) runtime.
pub struct Conn {
    pub client: Client,
    task: JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Conn {
    pub async fn open(cfg: &Config) -> Result<Conn, tokio_postgres::Error> {
        let (client, connection) = cfg.connect(NoTls).await?;
        let task = tokio::spawn(connection);
        Ok(Conn { client, task })
    }

    /// Drops the client (which sends Terminate) and waits until the
    /// connection is closed.
    pub async fn close(self) -> Result<()> {
        drop(self.client);
        self.task
            .await
            .context("connection task panicked")?
            .context("closing the connection")
    }
}

/// The next query, made ready before timing starts.
pub enum Op {
    Simple(String),
    Select1Prepared,
    PointPrepared(i32),
    InsertPrepared(i32, String),
}

/// What a client needs to issue its workload's queries.
pub struct Session {
    pub conn: Conn,
    workload: Workload,
    prepared: Option<Statement>,
    use_prepared: bool,
    max_aid: i64,
    rng: StdRng,
    seq: u64,
}

impl Session {
    /// Connects and prepares the workload's statement (if `prepared`).
    pub async fn open(
        cfg: &Config,
        workload: Workload,
        prepared: bool,
        scale: u32,
        seed: u64,
    ) -> Result<Session> {
        let conn = Conn::open(cfg).await.context("connecting")?;
        let stmt = if prepared {
            let (sql, types): (&str, &[Type]) = match workload {
                Workload::Select1 | Workload::Connect => (SELECT1, &[]),
                Workload::PointSelect => (POINT_SELECT, &[Type::INT4]),
                Workload::Insert => (INSERT, &[Type::INT4, Type::TEXT]),
            };
            let s = conn
                .client
                .prepare_typed(sql, types)
                .await
                .with_context(|| format!("preparing \"{sql}\""))?;
            Some(s)
        } else {
            None
        };
        Ok(Session {
            conn,
            workload,
            prepared: stmt,
            use_prepared: prepared,
            max_aid: ACCOUNTS_PER_SCALE * i64::from(scale),
            rng: StdRng::seed_from_u64(seed),
            seq: 0,
        })
    }

    /// The next query of the workload (not for `connect`, which opens its
    /// own connections).
    pub fn next_op(&mut self) -> Op {
        self.seq += 1;
        match (self.workload, self.use_prepared) {
            (Workload::Select1 | Workload::Connect, false) => Op::Simple(SELECT1.to_string()),
            (Workload::Select1 | Workload::Connect, true) => Op::Select1Prepared,
            (Workload::PointSelect, p) => {
                let aid = self.rng.gen_range(1..=self.max_aid);
                let aid = i32::try_from(aid).unwrap_or(i32::MAX);
                if p {
                    Op::PointPrepared(aid)
                } else {
                    Op::Simple(format!(
                        "SELECT abalance FROM pgbench_accounts WHERE aid = {aid}"
                    ))
                }
            }
            (Workload::Insert, p) => {
                let a: i32 = self.rng.gen();
                let b = format!("loadgen-{}", self.seq);
                if p {
                    Op::InsertPrepared(a, b)
                } else {
                    Op::Simple(format!("INSERT INTO loadgen_t(a, b) VALUES ({a}, '{b}')"))
                }
            }
        }
    }

    /// Sends one query and waits for its complete answer.
    pub async fn exec(&self, op: &Op) -> Result<(), tokio_postgres::Error> {
        let c = &self.conn.client;
        let stmt = || {
            self.prepared
                .as_ref()
                .expect("prepared ops come from a prepared session")
        };
        match op {
            Op::Simple(sql) => c.simple_query(sql).await.map(drop),
            Op::Select1Prepared => c.query(stmt(), &[]).await.map(drop),
            Op::PointPrepared(aid) => c.query(stmt(), &[aid]).await.map(drop),
            Op::InsertPrepared(a, b) => c.execute(stmt(), &[a, b]).await.map(drop),
        }
    }
}

/// Run once before the clients start: creates the insert table, or checks
/// that pgbench's tables are there for point-select.
pub async fn prepare_database(cfg: &Config, workload: Workload) -> Result<()> {
    let conn = Conn::open(cfg).await.context("connecting for set-up")?;
    match workload {
        Workload::Insert => {
            conn.client
                .simple_query(CREATE_TABLE)
                .await
                .with_context(|| format!("running \"{CREATE_TABLE}\""))?;
        }
        Workload::PointSelect => {
            conn.client
                .simple_query("SELECT abalance FROM pgbench_accounts WHERE aid = 1")
                .await
                .context("point-select needs pgbench's tables (run `pgbench -i` first)")?;
        }
        Workload::Select1 | Workload::Connect => {}
    }
    conn.close().await
}
