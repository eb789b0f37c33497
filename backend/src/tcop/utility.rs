//! Utility commands: SET/RESET/SHOW, transaction control (BEGIN, COMMIT,
//! ROLLBACK, savepoints, SET TRANSACTION), DISCARD, CLOSE and UNLISTEN,
//! with PostgreSQL's command tags, notices and errors; and the error for
//! statements that pgfork does not run yet.

use sqlparser::ast::{self, Spanned};

use crate::commands::transaction::warning;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::RowSink;
use crate::nodes::Column;
use crate::parser::{ident, object_name, StmtText};
use crate::tcop::Engine;
use crate::types::{oid, Value};
use crate::utils::settings::Settings;

/// A classified utility command.
#[derive(Clone, Debug, PartialEq)]
pub enum Utility {
    /// BEGIN / START TRANSACTION (`tag` differs).
    Begin {
        tag: &'static str,
        modes: TxModes,
    },
    Commit {
        chain: bool,
    },
    Rollback {
        chain: bool,
    },
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    /// SET [SESSION | LOCAL] name = value (None: DEFAULT).
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    /// SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION.
    SetTransaction {
        modes: TxModes,
        session: bool,
    },
    /// RESET name (None: RESET ALL).
    Reset(Option<String>),
    Show(String),
    ShowAll,
    /// DISCARD ALL (true) or a no-op DISCARD PLANS/SEQUENCES/TEMP.
    Discard(&'static str),
    /// CLOSE name (None: CLOSE ALL): portals, which SQL cursors would
    /// share their names with.
    Close(Option<String>),
    /// LISTEN channel.
    Listen(String),
    /// UNLISTEN channel or UNLISTEN * (None).
    Unlisten(Option<String>),
    /// NOTIFY channel [, 'payload'].
    Notify(String, String),
    /// SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE}.
    SetConstraints(crate::parser::constraint_cmds::SetConstraints),
    /// SET ROLE name (None: NONE, and RESET ROLE; `tag` differs).
    SetRole {
        name: Option<String>,
        tag: &'static str,
    },
    /// SET SESSION AUTHORIZATION name (None: DEFAULT, and RESET SESSION
    /// AUTHORIZATION).
    SetSessionAuthorization {
        name: Option<String>,
        tag: &'static str,
    },
}

/// A channel name: an identifier, folded and cut to NAMEDATALEN - 1
/// bytes as PostgreSQL cuts identifiers.
fn channel(i: &ast::Ident) -> String {
    let mut c = ident(i);
    if c.len() > 63 {
        let mut end = 63;
        while !c.is_char_boundary(end) {
            end -= 1;
        }
        c.truncate(end);
    }
    c
}

/// Transaction characteristics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TxModes {
    pub isolation: Option<&'static str>,
    pub read_only: Option<bool>,
}

fn tx_modes(modes: &[ast::TransactionMode]) -> TxModes {
    let mut m = TxModes::default();
    for mode in modes {
        match mode {
            ast::TransactionMode::IsolationLevel(l) => {
                m.isolation = Some(match l {
                    ast::TransactionIsolationLevel::ReadUncommitted => "read uncommitted",
                    ast::TransactionIsolationLevel::ReadCommitted => "read committed",
                    ast::TransactionIsolationLevel::RepeatableRead => "repeatable read",
                    _ => "serializable",
                })
            }
            ast::TransactionMode::AccessMode(a) => {
                m.read_only = Some(matches!(a, ast::TransactionAccessMode::ReadOnly))
            }
        }
    }
    m
}

fn syntax_error_at(text: &StmtText, node: &impl Spanned, near: &str) -> PgError {
    let e = PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!("syntax error at or near \"{near}\""),
    );
    match text.position(node.span().start) {
        Some(p) => e.with_position(p),
        None => e,
    }
}

/// A SET value as PostgreSQL flattens it: identifiers folded, strings
/// and numbers as written, list items joined with ", ".
/// `SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE`: the interval as a
/// number of hours east of UTC (no months or days, as PostgreSQL).
fn interval_zone(iv: &ast::Interval) -> PgResult<String> {
    let text = match iv.value.as_ref() {
        ast::Expr::Value(ast::ValueWithSpan {
            value: ast::Value::SingleQuotedString(s),
            ..
        }) => s.clone(),
        other => other.to_string(),
    };
    let text = match &iv.leading_field {
        Some(f) if !text.contains(':') => format!("{text} {f}"),
        _ => text,
    };
    let v = crate::types::Interval::parse(&text)?;
    if v.months != 0 || v.days != 0 {
        return Err(PgError::new(
            crate::error::sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "invalid interval value for time zone: {} not allowed",
                if v.months != 0 { "month" } else { "day" }
            ),
        ));
    }
    Ok(format!("{}", v.micros as f64 / 3_600_000_000.0))
}

fn set_value(
    values: &[ast::Expr],
    text: &StmtText,
    quote_idents: bool,
) -> PgResult<Option<String>> {
    if let [ast::Expr::Identifier(i)] = values {
        if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") {
            return Ok(None);
        }
    }
    let mut parts = Vec::with_capacity(values.len());
    for v in values {
        parts.push(match v {
            ast::Expr::Identifier(i) => {
                let s = ident(i);
                if quote_idents && i.quote_style.is_some() {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s
                }
            }
            ast::Expr::Value(val) => match &val.value {
                ast::Value::SingleQuotedString(s)
                | ast::Value::EscapedStringLiteral(s)
                | ast::Value::DollarQuotedString(ast::DollarQuotedString { value: s, .. }) => {
                    s.clone()
                }
                ast::Value::Number(n, _) => n.clone(),
                ast::Value::Boolean(b) => (if *b { "on" } else { "off" }).to_owned(),
                ast::Value::Null => return Err(syntax_error_at(text, v, "NULL")),
                other => other.to_string(),
            },
            ast::Expr::UnaryOp {
                op: ast::UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                ast::Expr::Value(ast::ValueWithSpan {
                    value: ast::Value::Number(n, _),
                    ..
                }) => format!("-{n}"),
                _ => return Err(syntax_error_at(text, v, &v.to_string())),
            },
            other => return Err(syntax_error_at(text, other, &other.to_string())),
        });
    }
    Ok(Some(parts.join(", ")))
}

fn not_supported_yet(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

/// Classifies a statement as a utility command; None for statements that
/// are not utilities (queries, DDL, DML).
pub fn classify(stmt: &ast::Statement, text: &StmtText) -> PgResult<Option<Utility>> {
    use ast::Statement as S;
    Ok(Some(match stmt {
        S::StartTransaction { modes, begin, .. } => Utility::Begin {
            tag: if *begin { "BEGIN" } else { "START TRANSACTION" },
            modes: tx_modes(modes),
        },
        S::Commit { chain, .. } => Utility::Commit { chain: *chain },
        S::Rollback {
            chain,
            savepoint: None,
        } => Utility::Rollback { chain: *chain },
        S::Rollback {
            savepoint: Some(sp),
            ..
        } => Utility::RollbackTo(ident(sp)),
        S::Savepoint { name } => Utility::Savepoint(ident(name)),
        S::ReleaseSavepoint { name } => Utility::Release(ident(name)),
        S::Set(_) if crate::parser::constraint_cmds::is_set_placeholder(stmt) => {
            Utility::SetConstraints(crate::parser::constraint_cmds::parse_set_constraints(
                &text.sql,
            )?)
        }
        S::Set(set) => match set {
            ast::Set::SingleAssignment {
                scope,
                variable,
                values,
                ..
            } => {
                let name = object_name(variable).join(".");
                let quote = name.eq_ignore_ascii_case("search_path");
                Utility::Set {
                    value: set_value(values, text, quote)?,
                    name,
                    local: matches!(scope, Some(ast::ContextModifier::Local)),
                }
            }
            ast::Set::SetTimeZone { local, value } => {
                let v = match value {
                    ast::Expr::Identifier(i)
                        if i.quote_style.is_none()
                            && (i.value.eq_ignore_ascii_case("local")
                                || i.value.eq_ignore_ascii_case("default")) =>
                    {
                        None
                    }
                    ast::Expr::Interval(iv) => Some(interval_zone(iv)?),
                    other => set_value(std::slice::from_ref(other), text, false)?,
                };
                Utility::Set {
                    name: "TimeZone".into(),
                    value: v,
                    local: *local,
                }
            }
            ast::Set::SetNames { charset_name, .. } => Utility::Set {
                name: "client_encoding".into(),
                value: Some(charset_name.value.clone()),
                local: false,
            },
            ast::Set::SetTransaction {
                modes,
                snapshot,
                session,
            } => {
                if snapshot.is_some() {
                    return Err(not_supported_yet("SET TRANSACTION SNAPSHOT"));
                }
                Utility::SetTransaction {
                    modes: tx_modes(modes),
                    session: *session,
                }
            }
            ast::Set::SetRole { role_name, .. } => Utility::SetRole {
                name: role_name.as_ref().map(ident),
                tag: "SET",
            },
            ast::Set::SetSessionAuthorization(p) => Utility::SetSessionAuthorization {
                name: match &p.kind {
                    ast::SetSessionAuthorizationParamKind::Default => None,
                    ast::SetSessionAuthorizationParamKind::User(u) => Some(ident(u)),
                },
                tag: "SET",
            },
            _ => return Err(not_supported_yet("this form of SET")),
        },
        S::Reset(r) => match &r.reset {
            ast::Reset::ALL => Utility::Reset(None),
            ast::Reset::ConfigurationParameter(n) if object_name(n).join(".") == "role" => {
                Utility::SetRole {
                    name: None,
                    tag: "RESET",
                }
            }
            ast::Reset::ConfigurationParameter(n) => Utility::Reset(Some(object_name(n).join("."))),
            ast::Reset::SessionAuthorization => Utility::SetSessionAuthorization {
                name: None,
                tag: "RESET",
            },
        },
        S::ShowVariable { variable } => {
            let words: Vec<String> = variable.iter().map(ident).collect();
            let name = match words.join(" ").as_str() {
                "all" => return Ok(Some(Utility::ShowAll)),
                "transaction isolation level" => "transaction_isolation".to_owned(),
                "time zone" => "TimeZone".to_owned(),
                "session authorization" => "session_authorization".to_owned(),
                _ => words.join("."),
            };
            Utility::Show(name)
        }
        S::Discard { object_type } => Utility::Discard(match object_type {
            ast::DiscardObject::ALL => "DISCARD ALL",
            ast::DiscardObject::PLANS => "DISCARD PLANS",
            ast::DiscardObject::SEQUENCES => "DISCARD SEQUENCES",
            ast::DiscardObject::TEMP => "DISCARD TEMP",
        }),
        S::Close { cursor } => Utility::Close(match cursor {
            ast::CloseCursor::All => None,
            ast::CloseCursor::Specific { name } => Some(ident(name)),
        }),
        S::LISTEN { channel: c } => Utility::Listen(channel(c)),
        S::UNLISTEN { channel: c } => {
            Utility::Unlisten((c.quote_style.is_some() || c.value != "*").then(|| channel(c)))
        }
        S::NOTIFY {
            channel: c,
            payload,
        } => Utility::Notify(channel(c), payload.clone().unwrap_or_default()),
        _ => return Ok(None),
    }))
}

/// The error for a statement pgfork cannot run yet: 42P01 for DML on a
/// missing table (no tables exist yet), 0A000 naming the command otherwise.
pub fn unsupported(stmt: &ast::Statement, text: &StmtText) -> PgError {
    use ast::Statement as S;
    let missing_table = |name: &ast::ObjectName| {
        let e = PgError::new(
            sqlstate::UNDEFINED_TABLE,
            format!(
                "relation \"{}\" does not exist",
                object_name(name).join(".")
            ),
        );
        match text.position(name.span().start) {
            Some(p) => e.with_position(p),
            None => e,
        }
    };
    match stmt {
        S::Insert(i) => {
            if let ast::TableObject::TableName(n) = &i.table {
                return missing_table(n);
            }
        }
        S::Update(u) => {
            if let ast::TableFactor::Table { name, .. } = &u.table.relation {
                return missing_table(name);
            }
        }
        S::Delete(d) => {
            let tables = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            if let Some(ast::TableWithJoins {
                relation: ast::TableFactor::Table { name, .. },
                ..
            }) = tables.first()
            {
                return missing_table(name);
            }
        }
        _ => {}
    }
    not_supported_yet(&command_name(&text.sql))
}

/// "CREATE TABLE", "VACUUM", ... from the statement text.
fn command_name(sql: &str) -> String {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(3)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphabetic())
                .to_ascii_uppercase()
        })
        .collect();
    let first = words.first().cloned().unwrap_or_default();
    match first.as_str() {
        "CREATE" | "DROP" | "ALTER" => {
            let mut n = words[..words.len().min(2)].join(" ");
            if matches!(
                words.get(1).map(String::as_str),
                Some("UNIQUE" | "TEMP" | "TEMPORARY" | "OR")
            ) {
                n = words.join(" ");
            }
            n
        }
        _ => first,
    }
}

impl Utility {
    /// Result columns (SHOW returns rows).
    pub fn columns(&self) -> Vec<Column> {
        match self {
            Utility::Show(name) => vec![Column::new(Settings::display_name(name), oid::TEXT, -1)],
            Utility::ShowAll => vec![
                Column::new("name", oid::TEXT, -1),
                Column::new("setting", oid::TEXT, -1),
                Column::new("description", oid::TEXT, -1),
            ],
            _ => vec![],
        }
    }
}

impl Engine {
    /// Runs a utility command; returns its tag.
    pub(crate) fn run_utility(&mut self, u: &Utility, sink: &mut dyn RowSink) -> PgResult<String> {
        let in_block = self.xact.in_block();
        match u {
            Utility::Begin { tag, modes } => {
                let w = self.xact.begin(self.settings.get_mut());
                match w {
                    Some(w) => self.notice(sink, w),
                    None => self.apply_tx_modes(modes, false)?,
                }
                Ok((*tag).to_owned())
            }
            Utility::Commit { chain } => {
                let kept = self.chained_characteristics(*chain);
                let (tag, w) = self.xact.commit(self.settings.get_mut(), *chain)?;
                if tag == "COMMIT" {
                    self.commit_transaction()?;
                } else {
                    self.abort_transaction();
                }
                self.restore_characteristics(kept);
                if let Some(w) = w {
                    self.notice(sink, w);
                }
                Ok(tag.to_owned())
            }
            Utility::Rollback { chain } => {
                let kept = self.chained_characteristics(*chain);
                let (tag, w) = self.xact.rollback(self.settings.get_mut(), *chain)?;
                self.abort_transaction();
                self.restore_characteristics(kept);
                if let Some(w) = w {
                    self.notice(sink, w);
                }
                Ok(tag.to_owned())
            }
            Utility::SetConstraints(sc) => self.set_constraints(sc, sink),
            Utility::Savepoint(n) => {
                self.xact.savepoint(n, self.settings.get_mut())?;
                self.mvcc.savepoint();
                self.catalog.savepoint();
                Ok("SAVEPOINT".into())
            }
            Utility::Release(n) => {
                let depth = self.xact.release(n)?;
                self.mvcc.release(depth);
                self.catalog.release(depth);
                Ok("RELEASE".into())
            }
            Utility::RollbackTo(n) => {
                let depth = self.xact.rollback_to(n, self.settings.get_mut())?;
                self.mvcc.rollback_to(depth);
                self.catalog.rollback_to(depth);
                Ok("ROLLBACK".into())
            }
            Utility::Set { name, value, local } => {
                if *local && !in_block {
                    self.notice(
                        sink,
                        warning(
                            sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                            "SET LOCAL can only be used in transaction blocks",
                        ),
                    );
                    // Validated but without effect, as in PostgreSQL.
                    let mut scratch = Settings::new(&self.env.config);
                    scratch.set(name, value.as_deref(), true)?;
                    return Ok("SET".into());
                }
                let tx_only = matches!(
                    Settings::display_name(name).as_str(),
                    "transaction_isolation" | "transaction_read_only" | "transaction_deferrable"
                );
                self.settings
                    .get_mut()
                    .set(name, value.as_deref(), *local || tx_only)?;
                Ok("SET".into())
            }
            Utility::SetTransaction { modes, session } => {
                if !*session && !in_block {
                    self.notice(
                        sink,
                        warning(
                            sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                            "SET TRANSACTION can only be used in transaction blocks",
                        ),
                    );
                    return Ok("SET".into());
                }
                self.apply_tx_modes(modes, *session)?;
                Ok("SET".into())
            }
            Utility::Reset(None) => {
                self.settings.get_mut().reset_all();
                self.set_role(None)?;
                Ok("RESET".into())
            }
            Utility::SetRole { name, tag } => {
                self.set_role(name.as_deref())?;
                Ok((*tag).into())
            }
            Utility::SetSessionAuthorization { name, tag } => {
                self.set_session_authorization(name.as_deref())?;
                Ok((*tag).into())
            }
            Utility::Reset(Some(name)) => {
                self.settings.get_mut().set(name, None, false)?;
                Ok("RESET".into())
            }
            Utility::Show(name) => {
                let v = self
                    .settings
                    .get_mut()
                    .get(name)?
                    .ok_or_else(|| crate::utils::settings::unrecognized(name))?;
                sink.row(&[Value::Text(v)])?;
                Ok("SHOW".into())
            }
            Utility::ShowAll => {
                let all = self.settings.get_mut().all();
                for (n, v, d) in all {
                    crate::interrupts::check_for_interrupts()?;
                    sink.row(&[Value::Text(n), Value::Text(v), Value::Text(d)])?;
                }
                Ok("SHOW".into())
            }
            Utility::Discard(tag) => {
                if *tag == "DISCARD PLANS" {
                    self.clear_plan_cache();
                }
                if *tag == "DISCARD SEQUENCES" || (*tag == "DISCARD ALL" && !in_block) {
                    self.session.sequences.borrow_mut().discard();
                }
                if *tag == "DISCARD ALL" {
                    if in_block {
                        return Err(PgError::new(
                            sqlstate::ACTIVE_SQL_TRANSACTION,
                            "DISCARD ALL cannot run inside a transaction block",
                        ));
                    }
                    self.reset_session();
                    self.set_session_authorization(None)?;
                }
                Ok((*tag).to_owned())
            }
            Utility::Close(name) => {
                let cursor = self.close_cursor(name.as_deref());
                if !sink.close_portal(name.as_deref()) && !cursor {
                    return Err(PgError::new(
                        sqlstate::INVALID_CURSOR_NAME,
                        format!(
                            "cursor \"{}\" does not exist",
                            name.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                Ok(if name.is_some() {
                    "CLOSE CURSOR"
                } else {
                    "CLOSE CURSOR ALL"
                }
                .into())
            }
            Utility::Listen(c) => {
                self.mvcc.notify.borrow_mut().listen(c);
                Ok("LISTEN".into())
            }
            Utility::Unlisten(c) => {
                self.mvcc.notify.borrow_mut().unlisten(c.as_deref());
                Ok("UNLISTEN".into())
            }
            Utility::Notify(c, p) => {
                self.mvcc.notify.borrow_mut().notify(c, p)?;
                Ok("NOTIFY".into())
            }
        }
    }

    /// With AND CHAIN inside a block, the ending transaction's isolation
    /// level and read-only mode, which the chained one keeps (as in
    /// PostgreSQL).
    fn chained_characteristics(&self, chain: bool) -> Vec<(&'static str, String)> {
        if !chain || !self.xact.in_block() {
            return Vec::new();
        }
        let s = self.settings.borrow();
        ["transaction_isolation", "transaction_read_only"]
            .into_iter()
            .filter_map(|n| s.get(n).ok().flatten().map(|v| (n, v)))
            .collect()
    }

    fn restore_characteristics(&mut self, kept: Vec<(&'static str, String)>) {
        if !self.xact.in_block() {
            return;
        }
        let s = self.settings.get_mut();
        for (n, v) in kept {
            s.set_local_internal(n, &v);
        }
    }

    /// Applies ISOLATION LEVEL / READ ONLY to the current transaction, or
    /// to the session defaults (SET SESSION CHARACTERISTICS).
    fn apply_tx_modes(&mut self, m: &TxModes, session: bool) -> PgResult<()> {
        if m.isolation.is_some() && !session && self.mvcc.snapshot_taken() {
            return Err(PgError::new(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                "SET TRANSACTION ISOLATION LEVEL must be called before any query",
            ));
        }
        let s = self.settings.get_mut();
        if let Some(iso) = m.isolation {
            if session {
                s.set("default_transaction_isolation", Some(iso), false)?;
            } else {
                s.set_local_internal("transaction_isolation", iso);
            }
        }
        if let Some(ro) = m.read_only {
            let v = if ro { "on" } else { "off" };
            if session {
                s.set("default_transaction_read_only", Some(v), false)?;
            } else {
                s.set_local_internal("transaction_read_only", v);
            }
        }
        Ok(())
    }
}
