//! One server under test: a connection over the simple query protocol
//! (text results), each query bounded by a timeout; a lost connection or
//! a FATAL/PANIC is a crash, and the next query reconnects (waiting for a
//! server that restarts or recovers).

use std::time::{Duration, Instant};

use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage};

/// A row as text: None for NULL.
pub type Row = Vec<Option<String>>;

/// What one query did on one server.
#[derive(Clone, Debug)]
pub enum Outcome {
    Rows(Vec<Row>),
    /// An ERROR: SQLSTATE and message.
    Error {
        code: String,
        message: String,
    },
    /// The connection ended: a FATAL or PANIC (with its code), a reset or
    /// end of file.
    Crash(String),
    /// No answer within the timeout. `cancelled`: a cancel request then
    /// got an answer within the grace period.
    Hang {
        cancelled: bool,
    },
    /// The server could not be reached at all (given up).
    Down,
}

pub struct Target {
    pub name: String,
    config: Config,
    client: Option<Client>,
    /// How long the server may take to come back after a crash.
    pub reconnect_wait: Duration,
    /// Gave up reconnecting: no more queries are sent.
    pub dead: bool,
    /// Settings sent on every new connection.
    setup: Vec<String>,
}

impl Target {
    pub fn new(name: &str, host: &str, port: u16, setup: Vec<String>) -> Target {
        let mut config = Config::new();
        if host.starts_with('/') {
            config.host_path(host);
        } else {
            config.host(host);
        }
        config
            .port(port)
            .user("postgres")
            .dbname("postgres")
            .application_name("fuzzsql")
            .connect_timeout(Duration::from_secs(10));
        Target {
            name: name.to_string(),
            config,
            client: None,
            reconnect_wait: Duration::from_secs(120),
            dead: false,
            setup,
        }
    }

    /// Connects (retrying until `reconnect_wait` has passed); false when
    /// the server stayed unreachable.
    async fn connect(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + self.reconnect_wait;
        let mut last = String::new();
        loop {
            match self.config.connect(NoTls).await {
                Ok((client, conn)) => {
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    let mut ok = true;
                    for s in &self.setup {
                        if let Err(e) = client.simple_query(s).await {
                            last = format!("{s}: {e}");
                            ok = false;
                            break;
                        }
                    }
                    if ok {
                        self.client = Some(client);
                        return Ok(());
                    }
                }
                Err(e) => last = e.to_string(),
            }
            if Instant::now() > deadline {
                return Err(last);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Runs one statement (no timeout): for set-up.
    pub async fn execute(&mut self, sql: &str) -> Result<(), String> {
        if self.client.is_none() {
            self.connect().await?;
        }
        let c = self.client.as_ref().unwrap();
        c.simple_query(sql)
            .await
            .map(|_| ())
            .map_err(|e| describe(&e))
    }

    /// Runs a query within `timeout`.
    pub async fn run(&mut self, sql: &str, timeout: Duration) -> Outcome {
        if self.dead {
            return Outcome::Down;
        }
        if self.client.is_none() {
            if let Err(e) = self.connect().await {
                eprintln!(
                    "fuzzsql: {}: cannot reconnect: {e}; giving up on it",
                    self.name
                );
                self.dead = true;
                return Outcome::Down;
            }
        }
        let res = {
            let client = self.client.as_ref().unwrap();
            let cancel = client.cancel_token();
            let fut = client.simple_query(sql);
            tokio::pin!(fut);
            tokio::select! {
                r = &mut fut => Ok(r),
                _ = tokio::time::sleep(timeout) => {
                    // Ask for a cancel and give it a grace period; either
                    // way the connection is dropped (a backend that ignores
                    // the cancel goes on running whatever it runs).
                    let _ = tokio::time::timeout(Duration::from_secs(5), cancel.cancel_query(NoTls)).await;
                    Err(tokio::time::timeout(Duration::from_secs(5), &mut fut).await.is_ok())
                }
            }
        };
        let res = match res {
            Ok(r) => r,
            Err(cancelled) => {
                self.client = None;
                return Outcome::Hang { cancelled };
            }
        };
        match res {
            Ok(msgs) => {
                let mut rows = Vec::new();
                for m in msgs {
                    if let SimpleQueryMessage::Row(r) = m {
                        rows.push((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect());
                    }
                }
                Outcome::Rows(rows)
            }
            Err(e) => {
                if let Some(db) = e.as_db_error() {
                    let sev = db.severity();
                    if sev == "FATAL" || sev == "PANIC" {
                        self.client = None;
                        return Outcome::Crash(format!(
                            "{sev} {}: {}",
                            db.code().code(),
                            db.message()
                        ));
                    }
                    return Outcome::Error {
                        code: db.code().code().to_string(),
                        message: db.message().to_string(),
                    };
                }
                self.client = None;
                Outcome::Crash(format!("connection lost: {e}"))
            }
        }
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}
