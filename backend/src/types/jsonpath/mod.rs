//! `jsonpath` (OID 4072): the SQL/JSON path language's parsed form. The
//! input function parses a path (`scan`, `parse`) into the tree below;
//! the output function prints PostgreSQL's canonical form (`print`);
//! send/receive are a version byte 1 and that text. A jsonpath value is
//! kept as its canonical text (`Value::Text`) and parsed again where it
//! is run (`utils::adt::jsonpath_exec`).

mod parse;
mod print;
mod scan;

use super::Numeric;
use crate::error::{sqlstate, PgError, PgResult};

/// A parsed path: its mode and its expression.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    /// `lax` (the default) or `strict`.
    pub lax: bool,
    pub expr: Expr,
}

/// Binary operators, predicates included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    StartsWith,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    /// PostgreSQL's name of the operator (jspOperationName).
    pub fn name(self) -> &'static str {
        match self {
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::StartsWith => "starts with",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }

    /// Whether the operator gives a truth value.
    pub fn is_predicate(self) -> bool {
        !matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
        )
    }
}

/// Item methods (`.type()` and the others of PostgreSQL 15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Type,
    Size,
    Double,
    Ceiling,
    Floor,
    Abs,
    KeyValue,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Type => "type",
            Method::Size => "size",
            Method::Double => "double",
            Method::Ceiling => "ceiling",
            Method::Floor => "floor",
            Method::Abs => "abs",
            Method::KeyValue => "keyvalue",
        }
    }
}

/// `**{first to last}`'s bound standing for `last`.
pub const ANY_LAST: u32 = u32::MAX;

/// An accessor applied to the items before it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `.key` / `."key"`.
    Key(String),
    /// `.*`.
    AnyKey,
    /// `[*]`.
    AnyArray,
    /// `[a, b to c, ...]`.
    Index(Vec<(Expr, Option<Expr>)>),
    /// `.**{first to last}` (levels; [`ANY_LAST`] for `last`).
    Any(u32, u32),
    /// `?(predicate)`.
    Filter(Box<Expr>),
    Method(Method),
    /// `.datetime(["template"])`.
    Datetime(Option<String>),
}

/// An expression of the path language.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `$`.
    Root,
    /// `@`.
    Current,
    /// `$name`.
    Var(String),
    /// `last` (in array subscripts).
    Last,
    Null,
    Bool(bool),
    Num(Numeric),
    Str(String),
    /// An expression followed by accessors (never an empty list).
    Path(Box<Expr>, Vec<Step>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Unary minus (true) or plus.
    Unary(bool, Box<Expr>),
    Not(Box<Expr>),
    IsUnknown(Box<Expr>),
    Exists(Box<Expr>),
    /// `expr like_regex "pattern" flag "flags"` (flags as given).
    LikeRegex(Box<Expr>, String, String),
}

impl Expr {
    /// Whether the expression is a predicate (gives a truth value).
    pub fn is_predicate(&self) -> bool {
        match self {
            Expr::Binary(op, ..) => op.is_predicate(),
            Expr::Not(_) | Expr::IsUnknown(_) | Expr::Exists(_) | Expr::LikeRegex(..) => true,
            _ => false,
        }
    }
}

/// jsonpath_in: the parsed path.
pub fn parse(s: &str) -> PgResult<JsonPath> {
    parse::parse(s)
}

/// jsonpath_in then jsonpath_out: the canonical text of `s`.
pub fn canonical(s: &str) -> PgResult<String> {
    Ok(print::print(&parse(s)?))
}

/// The canonical text of a parsed path.
pub fn to_text(p: &JsonPath) -> String {
    print::print(p)
}

/// jsonpath_send: version 1, then the text.
pub fn send(text: &str, out: &mut Vec<u8>) {
    out.push(1);
    out.extend_from_slice(text.as_bytes());
}

/// jsonpath_recv: a version byte (only 1 is known) and the path's text.
pub fn recv(d: &[u8]) -> PgResult<String> {
    match d.split_first() {
        Some((1, rest)) => {
            let s = std::str::from_utf8(rest).map_err(|_| {
                PgError::new(
                    sqlstate::INVALID_BINARY_REPRESENTATION,
                    "invalid byte sequence for encoding \"UTF8\"",
                )
            })?;
            canonical(s)
        }
        // PostgreSQL's elog: XX000.
        Some((v, _)) => Err(PgError::new(
            sqlstate::INTERNAL_ERROR,
            format!("unsupported jsonpath version number: {v}"),
        )),
        None => Err(PgError::new(
            sqlstate::PROTOCOL_VIOLATION,
            "insufficient data left in message",
        )),
    }
}
