//! The query cycle of a session: simple Query, the extended protocol
//! (Parse/Bind/Describe/Execute/Close/Flush/Sync, named and unnamed
//! statements and portals, text and binary formats), and COPY.
//!
//! Error handling follows PostgreSQL: an error in a simple Query ends that
//! query string; an error in an extended-protocol message makes the
//! backend skip everything up to the next Sync. A FATAL error ends the
//! session after it has been sent.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::data::{NoData, ParameterDescription};
use pgwire::messages::extendedquery::{
    Bind, BindComplete, Close, CloseComplete, Describe, Execute, Parse, ParseComplete,
    PortalSuspended,
};
use pgwire::messages::response::{EmptyQueryResponse, NotificationResponse};
use pgwire::messages::PgWireFrontendMessage as Msg;
use rustc_hash::FxHashMap;
use shmem::BackendState;

use super::idle_wait::{self, Wake};
use super::reader::{protocol_violation, MessageReader, ReadError};
use super::stream::ClientStream;
use super::timing::QueryTimer;
use super::writer::{format_for, MessageWriter, FLUSH_THRESHOLD};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::{CopyInSource, RowSink};
use crate::interrupts;
use crate::nodes::Column;
use crate::tcop::normalize::Normalized;
use crate::tcop::plancache::LiteralLookup;
use crate::tcop::{CopyKind, Engine, Prepared, Statement};
use crate::types::{Oid, Value};
use crate::BackendEnv;

/// How a session ended.
#[derive(Debug)]
pub enum SessionEnd {
    /// The client sent Terminate or closed its socket.
    ClientExit,
    /// A FATAL error was reported to the client.
    Fatal(PgError),
    /// The socket failed.
    Io(std::io::Error),
}

/// A Parse'd statement; `prepared` is None for an empty query string.
struct PreparedStatement {
    sql: Arc<str>,
    prepared: Option<Arc<Prepared>>,
}

struct Portal {
    sql: Arc<str>,
    prepared: Option<Arc<Prepared>>,
    params: Vec<Value>,
    formats: Vec<i16>,
    /// Rows left over when an Execute with a row limit suspended it, and
    /// the command tag to report once they are all sent.
    suspended: Option<(VecDeque<Vec<Value>>, String)>,
}

/// The state of one client session.
pub struct Session<'a> {
    pub env: &'a BackendEnv,
    pub engine: &'a mut Engine,
    pub stream: &'a ClientStream,
    pub reader: MessageReader,
    pub writer: MessageWriter,
    statements: FxHashMap<String, PreparedStatement>,
    portals: FxHashMap<String, Portal>,
    skip_until_sync: bool,
    timer: QueryTimer,
}

/// What a pooled session (`protocol::pool`) keeps of its protocol state
/// while no carrier runs it: statements, portals, the extended protocol's
/// error state and its timer. Its input and output buffers are given back
/// to the allocator when empty (a session is parked only when nothing is
/// buffered either way) and allocated again when it runs: 32 kB less per
/// idle session.
pub struct Parked {
    reader: MessageReader,
    writer: MessageWriter,
    statements: FxHashMap<String, PreparedStatement>,
    portals: FxHashMap<String, Portal>,
    skip_until_sync: bool,
    timer: QueryTimer,
}

/// Why a carrier takes up a parked session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// It has just started: ReadyForQuery is still to be sent.
    First,
    /// Its socket is readable, or a notification or termination waits.
    Input,
    /// Its idle_session_timeout passed while it had no carrier.
    IdleTimeout,
}

/// Sends rows straight to the client as DataRow messages.
struct WireSink<'w> {
    writer: &'w mut MessageWriter,
    stream: &'w ClientStream,
    formats: &'w [i16],
    /// The result columns' types (for their send functions).
    types: Vec<Oid>,
    rows: u64,
    /// The session's portals, which CLOSE closes.
    portals: &'w mut FxHashMap<String, Portal>,
}

impl RowSink for WireSink<'_> {
    fn row(&mut self, values: &[Value]) -> PgResult<()> {
        self.writer.data_row(values, self.formats, &self.types);
        self.rows += 1;
        self.maybe_flush()
    }

    fn copy_out(&mut self, data: &[u8]) -> PgResult<()> {
        self.writer
            .message(&CopyData::new(Bytes::copy_from_slice(data)));
        self.rows += 1;
        self.maybe_flush()
    }

    fn notice(&mut self, notice: PgError) {
        self.writer.error(&notice);
    }

    fn text_format(&self, col: usize) -> bool {
        format_for(self.formats, col) == 0
    }

    fn portal_exists(&self, name: &str) -> bool {
        self.portals.contains_key(name)
    }

    fn close_portal(&mut self, name: Option<&str>) -> bool {
        match name {
            Some(n) => self.portals.remove(n).is_some(),
            None => {
                // CLOSE ALL, as PortalHashTableDeleteAll: every portal but
                // the unnamed one, which may be the one running it.
                self.portals.retain(|n, _| n.is_empty());
                true
            }
        }
    }
}

impl WireSink<'_> {
    fn maybe_flush(&mut self) -> PgResult<()> {
        if self.writer.len() >= FLUSH_THRESHOLD {
            self.writer.flush(self.stream).map_err(|e| {
                PgError::fatal(
                    sqlstate::CONNECTION_EXCEPTION,
                    format!("could not send data to client: {e}"),
                )
            })?;
        }
        Ok(())
    }
}

/// The types of result columns, whose send functions give their binary
/// values.
/// RowDescription of the rows `p` returns, or NoData.
fn describe_rows(writer: &mut MessageWriter, p: Option<&Prepared>, formats: &[i16]) {
    if let Some(p) = p.filter(|p| p.returns_rows()) {
        writer.row_description(p.columns(), formats);
    } else {
        writer.message(&NoData::new());
    }
}

/// The column types a [`WireSink`] needs: only binary results use them
/// (their send functions), so text results skip the allocation.
fn wire_types(columns: &[Column], formats: &[i16]) -> Vec<Oid> {
    if formats.contains(&1) {
        column_types(columns)
    } else {
        Vec::new()
    }
}

fn column_types(columns: &[Column]) -> Vec<Oid> {
    columns.iter().map(|c| c.type_oid).collect()
}

/// Collects rows for a portal run with a row limit.
struct CollectSink<'w> {
    rows: VecDeque<Vec<Value>>,
    writer: &'w mut MessageWriter,
    formats: &'w [i16],
}

impl RowSink for CollectSink<'_> {
    fn row(&mut self, values: &[Value]) -> PgResult<()> {
        self.rows.push_back(values.to_vec());
        Ok(())
    }

    fn copy_out(&mut self, _data: &[u8]) -> PgResult<()> {
        Err(PgError::not_supported(
            "COPY TO STDOUT in a portal with a row limit",
        ))
    }

    fn notice(&mut self, notice: PgError) {
        self.writer.error(&notice);
    }

    fn text_format(&self, col: usize) -> bool {
        format_for(self.formats, col) == 0
    }
}

/// Feeds CopyData messages to COPY FROM STDIN.
struct WireCopyIn<'r> {
    reader: &'r mut MessageReader,
    stream: &'r ClientStream,
    done: bool,
}

impl CopyInSource for WireCopyIn<'_> {
    fn next_chunk(&mut self) -> PgResult<Option<Bytes>> {
        if self.done {
            return Ok(None);
        }
        loop {
            interrupts::check_for_interrupts()?;
            match self.reader.next(self.stream) {
                Ok(Msg::CopyData(d)) => return Ok(Some(d.data)),
                Ok(Msg::CopyDone(_)) => {
                    self.done = true;
                    return Ok(None);
                }
                Ok(Msg::CopyFail(f)) => {
                    self.done = true;
                    return Err(PgError::new(
                        sqlstate::QUERY_CANCELED,
                        format!("COPY from stdin failed: {}", f.message),
                    ));
                }
                Ok(Msg::Flush(_)) | Ok(Msg::Sync(_)) => continue,
                Ok(_) => {
                    self.done = true;
                    return Err(protocol_violation(
                        "unexpected message type during COPY from stdin",
                    ));
                }
                Err(e) => {
                    self.done = true;
                    return Err(read_error_to_pg(e));
                }
            }
        }
    }
}

impl WireCopyIn<'_> {
    /// After a failed COPY, discards the client's remaining data.
    fn drain(&mut self) -> PgResult<()> {
        while !self.done {
            match self.next_chunk() {
                Ok(None) => break,
                Ok(Some(_)) => {}
                Err(e) if e.is_fatal() => return Err(e),
                Err(_) => break,
            }
        }
        Ok(())
    }
}

fn read_error_to_pg(e: ReadError) -> PgError {
    match e {
        ReadError::Protocol(p) => p,
        ReadError::Terminate => PgError::admin_shutdown(),
        ReadError::Eof => PgError::fatal(
            sqlstate::CONNECTION_EXCEPTION,
            "unexpected EOF on client connection with an open transaction",
        ),
        ReadError::Timeout | ReadError::Io(_) => PgError::fatal(
            sqlstate::CONNECTION_EXCEPTION,
            "could not receive data from client",
        ),
    }
}

fn io_fatal(e: std::io::Error) -> SessionEnd {
    SessionEnd::Io(e)
}

impl<'a> Session<'a> {
    pub fn new(
        env: &'a BackendEnv,
        engine: &'a mut Engine,
        stream: &'a ClientStream,
        reader: MessageReader,
        writer: MessageWriter,
    ) -> Session<'a> {
        Session {
            env,
            engine,
            stream,
            reader,
            writer,
            statements: FxHashMap::default(),
            portals: FxHashMap::default(),
            skip_until_sync: false,
            timer: QueryTimer::new(env),
        }
    }

    /// A parked session taken up again by a carrier.
    pub fn resume(
        env: &'a BackendEnv,
        engine: &'a mut Engine,
        stream: &'a ClientStream,
        parked: Parked,
    ) -> Session<'a> {
        let mut writer = parked.writer;
        writer.reserve();
        Session {
            env,
            engine,
            stream,
            reader: parked.reader,
            writer,
            statements: parked.statements,
            portals: parked.portals,
            skip_until_sync: parked.skip_until_sync,
            timer: parked.timer,
        }
    }

    /// Puts the session down (its carrier goes on to another one),
    /// releasing its buffers if they are empty.
    pub fn park(mut self) -> Parked {
        self.reader.release();
        self.writer.release();
        Parked {
            reader: self.reader,
            writer: self.writer,
            statements: self.statements,
            portals: self.portals,
            skip_until_sync: self.skip_until_sync,
            timer: self.timer,
        }
    }

    /// Pool mode: runs the session until it is idle outside a transaction
    /// block (ReadyForQuery sent, nothing buffered or received), Ok then,
    /// or until it ends. A session inside a transaction block keeps
    /// running here, waiting for its client on this thread.
    pub fn run_until_idle(&mut self, why: Resume) -> Result<(), SessionEnd> {
        if why == Resume::First {
            self.ready_for_query()?;
        }
        let mut idle_timeout_passed = why == Resume::IdleTimeout;
        let mut read_timeout = None;
        let mut stepped = false;
        loop {
            if self.reader.buffered() == 0 && self.engine.transaction_status() == b'I' {
                if interrupts::terminate_pending() {
                    let err = PgError::admin_shutdown();
                    self.writer.error(&err);
                    let _ = self.writer.flush(self.stream);
                    return Err(SessionEnd::Fatal(err));
                }
                self.send_notifications();
                self.writer.flush(self.stream).map_err(io_fatal)?;
                // Under TLS the stream says whether rustls or the socket
                // holds input. A plain socket's input is taken with the
                // look (one recv, not a poll and then a recv), and after
                // a statement not even that: re-arming the socket in the
                // epoll set reports input that came meanwhile at once, and
                // a client that waits for its answer has sent none.
                let pending = if self.stream.is_tls() {
                    self.stream.input_pending()
                } else {
                    !stepped && self.reader.fill_if_ready(self.stream)
                };
                if !pending {
                    if idle_timeout_passed {
                        if let Some((_, err)) = self.engine.idle_timeout() {
                            tracing::info!("{}", err.message);
                            self.writer.error(&err);
                            let _ = self.writer.flush(self.stream);
                            return Err(SessionEnd::Fatal(err));
                        }
                    }
                    if read_timeout.is_some() {
                        let _ = self.stream.set_read_timeout(None);
                    }
                    return Ok(());
                }
            }
            idle_timeout_passed = false;
            self.step(&mut read_timeout)?;
            stepped = true;
        }
    }

    /// Sends ReadyForQuery and flushes. The backend's state is updated
    /// first, as PostgreSQL reports idle before ReadyForQuery, so a client
    /// that has its answer never sees its session still "active".
    fn ready_for_query(&mut self) -> Result<(), SessionEnd> {
        let status = self.engine.transaction_status();
        for (k, v) in self.engine.take_parameter_changes() {
            self.writer
                .message(&pgwire::messages::startup::ParameterStatus::new(k, v));
        }
        let state = match status {
            b'T' => BackendState::IdleInTransaction,
            b'E' => BackendState::IdleInTransactionAborted,
            _ => BackendState::Idle,
        };
        self.env.slot.set_state(state, None);
        self.send_notifications();
        self.writer.ready_for_query(status);
        self.timer.mark_send_start();
        let r = self.writer.flush(self.stream);
        self.timer.finish_query();
        r.map_err(io_fatal)
    }

    /// Queues a NotificationResponse for each notification the session
    /// may receive now (none inside a transaction block).
    fn send_notifications(&mut self) {
        for n in self.engine.take_notifications() {
            self.writer.message(&NotificationResponse::new(
                n.sender_pid,
                n.channel,
                n.payload,
            ));
        }
    }

    /// Runs the session until the client leaves or a FATAL error.
    pub fn run(&mut self) -> SessionEnd {
        if let Err(end) = self.ready_for_query() {
            return end;
        }
        // The read timeout currently set on the socket (idle timeouts).
        let mut read_timeout = None;
        loop {
            if let Err(end) = self.step(&mut read_timeout) {
                return end;
            }
        }
    }

    /// Ends the session with FATAL `err`, sent to the client if it can be.
    fn fatal_end(&mut self, err: PgError) -> SessionEnd {
        self.writer.error(&err);
        let _ = self.writer.flush(self.stream);
        SessionEnd::Fatal(err)
    }

    /// Ends the session whose idle timeout (`idle`: the limit and its
    /// error) expired.
    fn idle_timeout_end(&mut self, idle: Option<(std::time::Duration, PgError)>) -> SessionEnd {
        let err = idle
            .map(|(_, e)| e)
            .unwrap_or_else(|| PgError::internal("idle"));
        tracing::info!("{}", err.message);
        self.fatal_end(err)
    }

    /// Waits for the client's next message (or a notification to send
    /// while idle) and handles it. `read_timeout` is the read timeout
    /// currently set on the socket (idle timeouts).
    fn step(&mut self, read_timeout: &mut Option<std::time::Duration>) -> Result<(), SessionEnd> {
        let idle = self.engine.idle_timeout();
        let want = idle.as_ref().map(|(d, _)| *d);
        if want != *read_timeout {
            let _ = self.stream.set_read_timeout(want);
            *read_timeout = want;
        }
        // A listening session waits for the client or a notification
        // (idle_wait.rs), unless the client's input is already there.
        if self.reader.buffered() == 0
            && self.engine.is_listening()
            && self.engine.transaction_status() == b'I'
            && !self.reader.fill_if_ready(self.stream)
        {
            let engine = &*self.engine;
            match idle_wait::wait(self.stream, want, || engine.notifications_pending()) {
                Wake::Readable => {}
                Wake::Notify => {
                    self.send_notifications();
                    return self.writer.flush(self.stream).map_err(SessionEnd::Io);
                }
                Wake::Timeout if idle.is_some() => return Err(self.idle_timeout_end(idle)),
                Wake::Timeout => {}
                Wake::Terminate => return Err(self.fatal_end(PgError::admin_shutdown())),
            }
        }
        let msg = match self.reader.next(self.stream) {
            Ok(m) => m,
            Err(ReadError::Eof) => return Err(SessionEnd::ClientExit),
            Err(ReadError::Timeout) if idle.is_some() => return Err(self.idle_timeout_end(idle)),
            Err(ReadError::Io(e)) => return Err(SessionEnd::Io(e)),
            Err(e) => return Err(self.fatal_end(read_error_to_pg(e))),
        };
        self.timer.message_received(self.reader.first_byte_ns);
        // The idle timeouts are for waiting between messages only.
        if read_timeout.take().is_some() {
            let _ = self.stream.set_read_timeout(None);
        }
        if let Err(end) = self.dispatch(msg) {
            if let SessionEnd::Fatal(err) = &end {
                self.writer.error(err);
                let _ = self.writer.flush(self.stream);
            }
            return Err(end);
        }
        Ok(())
    }

    fn dispatch(&mut self, msg: Msg) -> Result<(), SessionEnd> {
        if self.skip_until_sync && !matches!(msg, Msg::Sync(_) | Msg::Terminate(_)) {
            return Ok(());
        }
        let result = match msg {
            Msg::Query(q) => return self.simple_query(&q.query),
            Msg::Parse(p) => self.parse(p),
            Msg::Bind(b) => self.bind(b),
            Msg::Describe(d) => self.describe(d),
            Msg::Execute(e) => self.execute(e),
            Msg::Close(c) => self.close(c),
            Msg::Flush(_) => {
                self.writer.flush(self.stream).map_err(io_fatal)?;
                Ok(())
            }
            Msg::Sync(_) => {
                self.skip_until_sync = false;
                return self.ready_for_query();
            }
            Msg::Terminate(_) => return Err(SessionEnd::ClientExit),
            // Stray COPY messages outside COPY are ignored, as PostgreSQL does.
            Msg::CopyData(_) | Msg::CopyDone(_) | Msg::CopyFail(_) => Ok(()),
            other => Err(protocol_violation(format!(
                "invalid frontend message type {:?}",
                std::mem::discriminant(&other)
            ))),
        };
        if let Err(e) = result {
            if e.is_fatal() {
                return Err(SessionEnd::Fatal(e));
            }
            self.writer.error(&e);
            self.engine.on_error();
            self.skip_until_sync = true;
            // PostgreSQL sends an extended-protocol error at once: a client
            // that sent Parse/Describe/Flush (asyncpg) waits for it and
            // sends no Sync until it has it.
            self.writer.flush(self.stream).map_err(io_fatal)?;
        }
        Ok(())
    }

    fn simple_query(&mut self, sql: &str) -> Result<(), SessionEnd> {
        interrupts::clear_stale_cancel();
        self.env.slot.set_state(BackendState::Active, Some(sql));
        // The unnamed statement and portal do not survive a simple Query.
        self.statements.remove("");
        self.portals.remove("");
        self.timer.begin_parse();
        // A statement the session ran before, kept parsed and planned.
        if let Some(prepared) = self.engine.cached_simple(sql) {
            self.timer.end_parse();
            if let Err(e) = self.run_simple_prepared(&prepared, &[]) {
                return self.simple_query_failed(e);
            }
            return self.ready_for_query();
        }
        // One that differs from such a statement only in its literals.
        let mut literal = match self.engine.cached_literal(sql) {
            LiteralLookup::Hit(prepared, params) => {
                self.timer.end_parse();
                if let Err(e) = self.run_simple_prepared(&prepared, &params) {
                    return self.simple_query_failed(e);
                }
                return self.ready_for_query();
            }
            LiteralLookup::Unknown(n) => Some(n),
            LiteralLookup::No => None,
        };
        let stmts = match self.engine.parse(sql) {
            Ok(s) => s,
            Err(e) => return self.simple_query_failed(e),
        };
        self.timer.end_parse();
        if stmts.is_empty() {
            self.writer.message(&EmptyQueryResponse::new());
        }
        // Only a string of one statement is kept whole (a later
        // statement of several is planned after the earlier ones ran).
        let one = stmts.len() == 1;
        for stmt in &stmts {
            let cache = if one {
                SimpleCache::Keep {
                    sql,
                    literal: literal.take(),
                }
            } else {
                SimpleCache::None
            };
            if let Err(e) = self.run_simple_statement(stmt, cache) {
                return self.simple_query_failed(e);
            }
        }
        self.ready_for_query()
    }

    fn simple_query_failed(&mut self, e: PgError) -> Result<(), SessionEnd> {
        if e.is_fatal() {
            return Err(SessionEnd::Fatal(e));
        }
        self.writer.error(&e);
        self.engine.on_error();
        self.ready_for_query()
    }

    fn run_simple_statement(&mut self, stmt: &Statement, cache: SimpleCache) -> PgResult<()> {
        self.timer.begin_plan();
        let prepared = self.engine.prepare(stmt, &[])?;
        self.timer.end_plan();
        match cache {
            SimpleCache::None => self.run_simple_prepared(&prepared, &[]),
            SimpleCache::Keep { sql, literal: None } => {
                self.engine.remember_simple(sql, &prepared);
                self.run_simple_prepared(&prepared, &[])
            }
            SimpleCache::Keep {
                sql,
                literal: Some(n),
            } => {
                // Its literal-normalized form is planned once it ran; the
                // exact text is kept only when that is not shared.
                self.run_simple_prepared(&prepared, &[])?;
                if !self.engine.remember_literal(n, &prepared) {
                    self.engine.remember_simple(sql, &prepared);
                }
                Ok(())
            }
        }
    }

    fn run_simple_prepared(&mut self, prepared: &Arc<Prepared>, params: &[Value]) -> PgResult<()> {
        // FETCH from a BINARY cursor sends binary values.
        let formats: &[i16] = if prepared.binary_rows() { &[1] } else { &[] };
        if prepared.returns_rows() {
            self.writer.row_description(prepared.columns(), formats);
        }
        let tag = self.run_to_wire(prepared, params, formats)?;
        self.writer.command_complete(&tag);
        Ok(())
    }

    /// Executes a statement whose rows go straight to the client, handling
    /// COPY's sub-protocol.
    fn run_to_wire(&mut self, p: &Prepared, params: &[Value], formats: &[i16]) -> PgResult<String> {
        self.timer.begin_execute();
        let result = match p.copy_kind() {
            Some(CopyKind::In { columns, binary }) => {
                let f = binary as i8;
                self.writer.message(&CopyInResponse::new(
                    f,
                    columns as i16,
                    vec![f as i16; columns],
                ));
                self.writer
                    .flush(self.stream)
                    .map_err(|e| PgError::fatal(sqlstate::CONNECTION_EXCEPTION, e.to_string()))?;
                let mut src = WireCopyIn {
                    reader: &mut self.reader,
                    stream: self.stream,
                    done: false,
                };
                let mut sink = WireSink {
                    writer: &mut self.writer,
                    stream: self.stream,
                    formats,
                    types: wire_types(p.columns(), formats),
                    rows: 0,
                    portals: &mut self.portals,
                };
                let r = self.engine.execute(p, params, &mut sink, Some(&mut src));
                if r.is_err() {
                    src.drain()?;
                }
                r
            }
            Some(CopyKind::Out { columns, binary }) => {
                let f = binary as i8;
                self.writer.message(&CopyOutResponse::new(
                    f,
                    columns as i16,
                    vec![f as i16; columns],
                ));
                let mut sink = WireSink {
                    writer: &mut self.writer,
                    stream: self.stream,
                    formats,
                    types: wire_types(p.columns(), formats),
                    rows: 0,
                    portals: &mut self.portals,
                };
                let r = self.engine.execute(p, params, &mut sink, None);
                if r.is_ok() {
                    self.writer.message(&CopyDone::new());
                }
                r
            }
            None => {
                let mut sink = WireSink {
                    writer: &mut self.writer,
                    stream: self.stream,
                    formats,
                    types: wire_types(p.columns(), formats),
                    rows: 0,
                    portals: &mut self.portals,
                };
                self.engine.execute(p, params, &mut sink, None)
            }
        };
        self.timer.end_execute();
        result
    }

    fn parse(&mut self, p: Parse) -> PgResult<()> {
        let name = p.name.unwrap_or_default();
        if !name.is_empty() && self.statements.contains_key(&name) {
            return Err(PgError::new(
                sqlstate::DUPLICATE_PREPARED_STATEMENT,
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        // A parameter of a type this server lacks is refused, never read
        // as some other type.
        for t in &p.type_oids {
            crate::types::check_type_oid(*t)?;
        }
        self.timer.begin_parse();
        let mut stmts = self.engine.parse(&p.query)?;
        self.timer.end_parse();
        if stmts.len() > 1 {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let stmt = stmts.pop();
        self.timer.begin_plan();
        let prepared = match &stmt {
            Some(s) => Some(self.engine.prepare(s, &p.type_oids)?),
            None => None,
        };
        self.timer.end_plan();
        let sql: Arc<str> = Arc::from(p.query.as_str());
        self.statements
            .insert(name, PreparedStatement { sql, prepared });
        self.writer.message(&ParseComplete::new());
        Ok(())
    }

    fn bind(&mut self, b: Bind) -> PgResult<()> {
        let stmt_name = b.statement_name.unwrap_or_default();
        let portal_name = b.portal_name.unwrap_or_default();
        let Some(ps) = self.statements.get(&stmt_name) else {
            return Err(PgError::new(
                sqlstate::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{stmt_name}\" does not exist"),
            ));
        };
        let types = ps.prepared.as_ref().map_or(&[][..], |p| p.param_types());
        if b.parameters.len() != types.len() {
            return Err(protocol_violation_error(format!(
                "bind message supplies {} parameters, but prepared statement \"{}\" requires {}",
                b.parameters.len(),
                stmt_name,
                types.len()
            )));
        }
        let nfmt = b.parameter_format_codes.len();
        if nfmt > 1 && nfmt != types.len() {
            return Err(protocol_violation_error(format!(
                "bind message has {} parameter formats but {} parameters",
                nfmt,
                types.len()
            )));
        }
        let mut params = Vec::with_capacity(types.len());
        for (i, raw) in b.parameters.iter().enumerate() {
            let format = super::writer::format_for(&b.parameter_format_codes, i);
            params.push(match raw {
                None => Value::Null,
                Some(bytes) => Value::decode(types[i], format, bytes)?,
            });
        }
        let prepared = ps.prepared.clone();
        let sql = ps.sql.clone();
        self.portals.insert(
            portal_name,
            Portal {
                sql,
                prepared,
                params,
                formats: b.result_column_format_codes,
                suspended: None,
            },
        );
        self.writer.message(&BindComplete::new());
        Ok(())
    }

    fn describe(&mut self, d: Describe) -> PgResult<()> {
        let name = d.name.unwrap_or_default();
        if d.target_type == b'S' {
            let Some(ps) = self.statements.get(&name) else {
                return Err(PgError::new(
                    sqlstate::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{name}\" does not exist"),
                ));
            };
            let p = ps.prepared.clone();
            let types = p.as_ref().map_or(Vec::new(), |p| p.param_types().to_vec());
            self.writer.message(&ParameterDescription::new(types));
            describe_rows(&mut self.writer, p.as_deref(), &[]);
        } else {
            let Some(portal) = self.portals.get(&name) else {
                // A SQL cursor is a portal too (psycopg describes its
                // server-side cursors so).
                if let Some((columns, binary)) = self.engine.cursor_description(&name) {
                    let f: &[i16] = if binary { &[1] } else { &[] };
                    self.writer.row_description(&columns, f);
                    return Ok(());
                }
                return Err(PgError::new(
                    sqlstate::INVALID_CURSOR_NAME,
                    format!("portal \"{name}\" does not exist"),
                ));
            };
            describe_rows(
                &mut self.writer,
                portal.prepared.as_deref(),
                &portal.formats,
            );
        }
        Ok(())
    }

    fn execute(&mut self, e: Execute) -> PgResult<()> {
        interrupts::clear_stale_cancel();
        let name = e.name.unwrap_or_default();
        if !self.portals.contains_key(&name) && self.engine.cursor_description(&name).is_some() {
            return self.execute_cursor(&name, e.max_rows);
        }
        let Some(portal) = self.portals.get_mut(&name) else {
            return Err(PgError::new(
                sqlstate::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            ));
        };
        let max_rows = if e.max_rows > 0 {
            e.max_rows as usize
        } else {
            usize::MAX
        };
        if let Some((rows, tag)) = portal.suspended.take() {
            return self.send_from_suspended(&name, rows, tag, max_rows);
        }
        let Some(prepared) = portal.prepared.clone() else {
            self.writer.message(&EmptyQueryResponse::new());
            return Ok(());
        };
        let params = std::mem::take(&mut portal.params);
        let formats = std::mem::take(&mut portal.formats);
        self.env
            .slot
            .set_state(BackendState::Active, Some(&portal.sql));
        let result = if max_rows == usize::MAX || prepared.copy_kind().is_some() {
            let tag = self.run_to_wire(&prepared, &params, &formats);
            tag.map(|t| self.writer.command_complete(&t))
        } else {
            self.timer.begin_execute();
            let mut sink = CollectSink {
                rows: VecDeque::new(),
                writer: &mut self.writer,
                formats: &formats,
            };
            let r = self.engine.execute(&prepared, &params, &mut sink, None);
            let rows = sink.rows;
            self.timer.end_execute();
            match r {
                Ok(tag) => {
                    self.restore_portal(&name, params, formats);
                    return self.send_from_suspended(&name, rows, tag, max_rows);
                }
                Err(e) => Err(e),
            }
        };
        self.restore_portal(&name, params, formats);
        result
    }

    /// Execute of a portal that is a SQL cursor: its next rows, in text
    /// format (binary for a BINARY cursor), then PortalSuspended when the
    /// row limit was reached, else the FETCH command tag.
    fn execute_cursor(&mut self, name: &str, max_rows: i32) -> PgResult<()> {
        let (columns, binary) = self.engine.cursor_description(name).unwrap_or_default();
        let formats: Vec<i16> = if binary { vec![1] } else { Vec::new() };
        let mut sink = WireSink {
            writer: &mut self.writer,
            stream: self.stream,
            formats: &formats,
            types: wire_types(&columns, &formats),
            rows: 0,
            portals: &mut self.portals,
        };
        let max = (max_rows > 0).then_some(max_rows as u64);
        let (n, more) = self.engine.fetch_cursor_rows(name, max, &mut sink)?;
        if more {
            self.writer.message(&PortalSuspended::new());
        } else {
            self.writer.command_complete(&format!("FETCH {n}"));
        }
        Ok(())
    }

    fn restore_portal(&mut self, name: &str, params: Vec<Value>, formats: Vec<i16>) {
        if let Some(p) = self.portals.get_mut(name) {
            p.params = params;
            p.formats = formats;
        }
    }

    fn send_from_suspended(
        &mut self,
        name: &str,
        mut rows: VecDeque<Vec<Value>>,
        tag: String,
        max_rows: usize,
    ) -> PgResult<()> {
        let (formats, types) = self
            .portals
            .get(name)
            .map(|p| {
                let types = p.prepared.as_deref().map(|p| column_types(p.columns()));
                (p.formats.clone(), types.unwrap_or_default())
            })
            .unwrap_or_default();
        let n = rows.len().min(max_rows);
        for row in rows.drain(..n) {
            self.writer.data_row(&row, &formats, &types);
        }
        if rows.is_empty() {
            self.writer.command_complete(&tag);
        } else {
            self.writer.message(&PortalSuspended::new());
            if let Some(p) = self.portals.get_mut(name) {
                p.suspended = Some((rows, tag));
            }
        }
        Ok(())
    }

    fn close(&mut self, c: Close) -> PgResult<()> {
        let name = c.name.unwrap_or_default();
        if c.target_type == b'S' {
            self.statements.remove(&name);
        } else {
            self.portals.remove(&name);
        }
        self.writer.message(&CloseComplete::new());
        Ok(())
    }
}

/// A protocol violation that, like PostgreSQL's bind-message checks, is an
/// ERROR (the session survives), not a FATAL.
fn protocol_violation_error(msg: String) -> PgError {
    PgError::new(sqlstate::PROTOCOL_VIOLATION, msg)
}

/// How a simple Query's statement may be kept by the statement cache.
enum SimpleCache<'a> {
    /// Not at all (one of several statements).
    None,
    /// By its text, or, when it has literals the normalizer took out, by
    /// its literal-normalized form.
    Keep {
        sql: &'a str,
        literal: Option<Normalized>,
    },
}
