//! Errors as PostgreSQL reports them: severity, SQLSTATE, message, and the
//! optional detail, hint and cursor position, so that psql and drivers
//! print and classify them exactly as they would PostgreSQL's.

#![forbid(unsafe_code)]

use std::fmt;

use bytes::BytesMut;
use pgwire::messages::response::{ErrorResponse, NoticeResponse};
use pgwire::messages::Message;
use shmem::buffer::StorageError;
use shmem::wal::WalError;

/// SQLSTATE codes used by pgfork (PostgreSQL's errcodes.txt names).
pub mod sqlstate {
    pub const SUCCESSFUL_COMPLETION: &str = "00000";
    pub const WARNING: &str = "01000";
    pub const CONNECTION_EXCEPTION: &str = "08000";
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const INVALID_AUTHORIZATION_SPECIFICATION: &str = "28000";
    pub const INVALID_PASSWORD: &str = "28P01";
    pub const CARDINALITY_VIOLATION: &str = "21000";
    pub const DATA_EXCEPTION: &str = "22000";
    pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    pub const DIVISION_BY_ZERO: &str = "22012";
    pub const INVALID_REGULAR_EXPRESSION: &str = "2201B";
    pub const INVALID_ARGUMENT_FOR_LOGARITHM: &str = "2201E";
    pub const INVALID_ARGUMENT_FOR_POWER_FUNCTION: &str = "2201F";
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    pub const INVALID_BINARY_REPRESENTATION: &str = "22P03";
    pub const NOT_NULL_VIOLATION: &str = "23502";
    pub const FOREIGN_KEY_VIOLATION: &str = "23503";
    pub const UNIQUE_VIOLATION: &str = "23505";
    pub const CHECK_VIOLATION: &str = "23514";
    pub const INVALID_TRANSACTION_TERMINATION: &str = "2D000";
    pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
    pub const INVALID_SCHEMA_NAME: &str = "3F000";
    pub const DUPLICATE_SCHEMA: &str = "42P06";
    pub const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";
    pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
    pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
    pub const INVALID_SQL_STATEMENT_NAME: &str = "26000";
    pub const INVALID_CURSOR_NAME: &str = "34000";
    pub const DUPLICATE_CURSOR: &str = "42P03";
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";
    pub const WITH_CHECK_OPTION_VIOLATION: &str = "44000";
    pub const OBJECT_IN_USE: &str = "55006";
    pub const UNDEFINED_DATABASE: &str = "3D000";
    pub const DUPLICATE_DATABASE: &str = "42P04";
    pub const SERIALIZATION_FAILURE: &str = "40001";
    pub const DEADLOCK_DETECTED: &str = "40P01";
    pub const SYNTAX_ERROR: &str = "42601";
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const DUPLICATE_COLUMN: &str = "42701";
    pub const UNDEFINED_FUNCTION: &str = "42883";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_PARAMETER: &str = "42P02";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    pub const DUPLICATE_TABLE: &str = "42P07";
    pub const DUPLICATE_OBJECT: &str = "42710";
    pub const DUPLICATE_PREPARED_STATEMENT: &str = "42P05";
    pub const AMBIGUOUS_COLUMN: &str = "42702";
    pub const DATATYPE_MISMATCH: &str = "42804";
    pub const GROUPING_ERROR: &str = "42803";
    pub const WINDOWING_ERROR: &str = "42P20";
    pub const INDETERMINATE_DATATYPE: &str = "42P18";
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    pub const UNDEFINED_SETTING: &str = "42704";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const STATEMENT_TOO_COMPLEX: &str = "54001";
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
    pub const OUT_OF_MEMORY: &str = "53200";
    pub const QUERY_CANCELED: &str = "57014";
    pub const LOCK_NOT_AVAILABLE: &str = "55P03";
    pub const IDLE_IN_TRANSACTION_SESSION_TIMEOUT: &str = "25P03";
    pub const IDLE_SESSION_TIMEOUT: &str = "57P05";
    pub const ADMIN_SHUTDOWN: &str = "57P01";
    pub const CRASH_SHUTDOWN: &str = "57P02";
    pub const CANNOT_CONNECT_NOW: &str = "57P03";
    pub const IO_ERROR: &str = "58030";
    pub const DISK_FULL: &str = "53100";
    pub const INTERNAL_ERROR: &str = "XX000";
    pub const DATA_CORRUPTED: &str = "XX001";
}

/// PostgreSQL's message severities that pgfork emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Fatal,
    Warning,
    Notice,
    /// Sent whatever client_min_messages says (ANALYZE VERBOSE).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
            Severity::Warning => "WARNING",
            Severity::Notice => "NOTICE",
            Severity::Info => "INFO",
        }
    }
}

/// An error (or notice) to report to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgError {
    pub severity: Severity,
    /// Five-character SQLSTATE, from [`sqlstate`].
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the query text.
    pub position: Option<usize>,
    /// The fields most errors leave unset, boxed so that the common
    /// error stays small (it travels in every `PgResult`).
    pub extra: Option<Box<ErrorExtra>>,
}

/// The less common fields of an error: the object it is about, as
/// PostgreSQL's errtable, errtablecol and errtableconstraint report it
/// (schema `s`, table `t`, column `c`, data type `d`, constraint `n`), and
/// where it happened (CONTEXT, `W`), such as `COPY t, line 3`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorExtra {
    pub context: Option<String>,
    pub schema: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub datatype: Option<String>,
    pub constraint: Option<String>,
}

/// Result alias used throughout the backend.
pub type PgResult<T> = Result<T, PgError>;

impl PgError {
    /// An ERROR: the statement (and transaction block) fails, the session
    /// goes on.
    pub fn new(code: &'static str, message: impl Into<String>) -> PgError {
        PgError {
            severity: Severity::Error,
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            extra: None,
        }
    }

    /// A FATAL error: the session ends after it is sent.
    pub fn fatal(code: &'static str, message: impl Into<String>) -> PgError {
        PgError {
            severity: Severity::Fatal,
            ..PgError::new(code, message)
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> PgError {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> PgError {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_position(mut self, position: usize) -> PgError {
        self.position = Some(position);
        self
    }

    /// Where the error happened (the CONTEXT field).
    pub fn with_context(mut self, context: impl Into<String>) -> PgError {
        self.extra_mut().context = Some(context.into());
        self
    }

    fn extra_mut(&mut self) -> &mut ErrorExtra {
        self.extra.get_or_insert_with(Default::default)
    }

    /// The table the error is about (PostgreSQL's errtable): its schema
    /// and name.
    pub fn with_table(mut self, schema: &str, table: &str) -> PgError {
        let o = self.extra_mut();
        o.schema = Some(schema.to_owned());
        o.table = Some(table.to_owned());
        self
    }

    /// A column of that table (errtablecol).
    pub fn with_column(mut self, column: &str) -> PgError {
        self.extra_mut().column = Some(column.to_owned());
        self
    }

    /// A constraint of that table (errtableconstraint).
    pub fn with_constraint(mut self, constraint: &str) -> PgError {
        self.extra_mut().constraint = Some(constraint.to_owned());
        self
    }

    pub fn is_fatal(&self) -> bool {
        self.severity == Severity::Fatal
    }

    /// 0A000 "... is not supported".
    pub fn not_supported(what: impl fmt::Display) -> PgError {
        PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("{what} is not supported"),
        )
    }

    /// XX000 for conditions that indicate a bug.
    pub fn internal(message: impl Into<String>) -> PgError {
        PgError::new(sqlstate::INTERNAL_ERROR, message)
    }

    /// 57014, as PostgreSQL reports a cancel request.
    pub fn query_canceled() -> PgError {
        PgError::new(
            sqlstate::QUERY_CANCELED,
            "canceling statement due to user request",
        )
    }

    /// 57P01, as PostgreSQL reports pg_terminate_backend or a fast shutdown.
    pub fn admin_shutdown() -> PgError {
        PgError::fatal(
            sqlstate::ADMIN_SHUTDOWN,
            "terminating connection due to administrator command",
        )
    }

    fn fields(&self) -> Vec<(u8, String)> {
        let mut f = vec![
            (b'S', self.severity.as_str().to_owned()),
            (b'V', self.severity.as_str().to_owned()),
            (b'C', self.code.to_owned()),
            (b'M', self.message.clone()),
        ];
        if let Some(d) = &self.detail {
            f.push((b'D', d.clone()));
        }
        if let Some(h) = &self.hint {
            f.push((b'H', h.clone()));
        }
        if let Some(p) = self.position {
            f.push((b'P', p.to_string()));
        }
        if let Some(o) = &self.extra {
            for (code, v) in [
                (b'W', &o.context),
                (b's', &o.schema),
                (b't', &o.table),
                (b'c', &o.column),
                (b'd', &o.datatype),
                (b'n', &o.constraint),
            ] {
                if let Some(v) = v {
                    f.push((code, v.clone()));
                }
            }
        }
        f
    }

    /// Appends the ErrorResponse (or NoticeResponse for notices and
    /// warnings) message to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        let res = match self.severity {
            Severity::Error | Severity::Fatal => ErrorResponse::new(self.fields()).encode(out),
            Severity::Warning | Severity::Notice | Severity::Info => {
                NoticeResponse::new(self.fields()).encode(out)
            }
        };
        // Encoding into a BytesMut cannot fail for these message types.
        debug_assert!(res.is_ok());
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:  {} (SQLSTATE {})",
            self.severity.as_str(),
            self.message,
            self.code
        )
    }
}

impl std::error::Error for PgError {}

/// The SQLSTATE of a storage-manager failure: 53100 when the disk is
/// full, 58030 for other I/O failures, XX000 for internal ones.
pub fn storage_sqlstate(e: &StorageError) -> &'static str {
    match e {
        StorageError::Io { source, .. } if source.raw_os_error() == Some(libc::ENOSPC) => {
            sqlstate::DISK_FULL
        }
        StorageError::Wal(w) if w.is_disk_full() => sqlstate::DISK_FULL,
        StorageError::Io { .. } | StorageError::ShortRead { .. } | StorageError::Wal(_) => {
            sqlstate::IO_ERROR
        }
        _ => sqlstate::INTERNAL_ERROR,
    }
}

impl From<StorageError> for PgError {
    fn from(e: StorageError) -> PgError {
        PgError::new(storage_sqlstate(&e), e.to_string())
    }
}

/// A WAL failure while doing `what`: 53100 when the disk is full, else
/// 58030.
pub fn wal_error(e: WalError, what: &str) -> PgError {
    let code = if e.is_disk_full() {
        sqlstate::DISK_FULL
    } else {
        sqlstate::IO_ERROR
    };
    PgError::new(code, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_response_has_postgres_fields() {
        let e = PgError::new(sqlstate::UNDEFINED_TABLE, "relation \"x\" does not exist")
            .with_position(15);
        let mut buf = BytesMut::new();
        e.encode(&mut buf);
        assert_eq!(buf[0], b'E');
        let body = &buf[5..];
        let text = String::from_utf8_lossy(body);
        assert!(text.contains("SERROR\0"));
        assert!(text.contains("C42P01\0"));
        assert!(text.contains("P15\0"));
    }
}
