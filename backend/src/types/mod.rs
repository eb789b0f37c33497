//! Data types: type OIDs, values and their text and binary forms
//! (PostgreSQL's input, output, receive and send functions).

#![forbid(unsafe_code)]

pub mod array;
pub mod composite;
pub mod datestyle;
pub mod datetime;
pub mod datetime_input;
pub mod domains;
pub mod enums;
pub mod float;
pub mod interval_in;
pub mod interval_out;
pub mod interval_typmod;
pub mod json;
pub mod jsonpath;
pub mod macaddr;
pub mod network;
pub mod numeric;
pub mod record;
pub mod tid;
pub mod time;
pub mod timezone;
pub mod uuid;

use bytes::{BufMut, BytesMut};

use crate::error::{sqlstate, PgError, PgResult};

pub use datetime::Interval;
pub use numeric::Numeric;

/// A type's object identifier, as in pg_type.
pub type Oid = u32;

/// Built-in type OIDs (pg_type.dat).
pub mod oid {
    use super::Oid;
    pub const BOOL: Oid = 16;
    pub const BYTEA: Oid = 17;
    pub const CHAR: Oid = 18;
    pub const NAME: Oid = 19;
    pub const INT8: Oid = 20;
    pub const INT2: Oid = 21;
    pub const INT4: Oid = 23;
    pub const REGPROC: Oid = 24;
    pub const TEXT: Oid = 25;
    pub const JSON: Oid = 114;
    pub const OID: Oid = 26;
    pub const TID: Oid = 27;
    pub const XID: Oid = 28;
    pub const CID: Oid = 29;
    pub const FLOAT4: Oid = 700;
    pub const FLOAT8: Oid = 701;
    pub const UNKNOWN: Oid = 705;
    pub const BPCHAR: Oid = 1042;
    pub const VARCHAR: Oid = 1043;
    pub const DATE: Oid = 1082;
    pub const TIME: Oid = 1083;
    pub const TIMETZ: Oid = 1266;
    pub const INET: Oid = 869;
    pub const CIDR: Oid = 650;
    pub const TIMESTAMP: Oid = 1114;
    pub const TIMESTAMPTZ: Oid = 1184;
    pub const INTERVAL: Oid = 1186;
    pub const NUMERIC: Oid = 1700;
    pub const UUID: Oid = 2950;
    pub const MACADDR: Oid = 829;
    pub const MACADDR8: Oid = 774;
    pub const JSONB: Oid = 3802;
    pub const JSONPATH: Oid = 4072;
    pub const VOID: Oid = 2278;
    /// The pseudo-type trigger functions return.
    pub const TRIGGER: Oid = 2279;
    pub const EVENT_TRIGGER: Oid = 3838;
    pub const RECORD: Oid = 2249;
    pub const REGCLASS: Oid = 2205;
    pub use super::array::oids::*;
    pub const REGTYPE: Oid = 2206;
    pub const REGPROCEDURE: Oid = 2202;
    pub const REGNAMESPACE: Oid = 4089;
    pub const REGROLE: Oid = 4096;
}

pub use array::{array_element, array_of};

/// Whether `t` is one of the OID alias types (regclass, regtype, regproc,
/// regprocedure, regnamespace, regrole): an OID shown by name.
pub fn is_reg_type(t: Oid) -> bool {
    matches!(
        t,
        oid::REGPROC
            | oid::REGCLASS
            | oid::REGTYPE
            | oid::REGPROCEDURE
            | oid::REGNAMESPACE
            | oid::REGROLE
    )
}

/// A datum. Text-like types (text, varchar, bpchar, name, unknown) share
/// `Text`; the column or parameter type says which one it is.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int2(i16),
    Int4(i32),
    Int8(i64),
    Float4(f32),
    Float8(f64),
    Numeric(Numeric),
    Text(String),
    Bytea(Vec<u8>),
    /// Days since 2000-01-01.
    Date(i32),
    /// Microseconds since 2000-01-01 00:00:00.
    Timestamp(i64),
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    TimestampTz(i64),
    Interval(Interval),
    /// time: microseconds since midnight (up to 24:00:00).
    Time(i64),
    /// timetz: microseconds since midnight, zone in seconds west of UTC.
    TimeTz(i64, i32),
    /// inet or cidr (`network`).
    Inet(network::Inet),
    Oid(u32),
    Uuid([u8; 16]),
    /// macaddr (`macaddr`).
    MacAddr([u8; 6]),
    /// macaddr8, EUI-64 (`macaddr`).
    MacAddr8([u8; 8]),
    /// tid: (block, line pointer).
    Tid(u32, u16),
    /// json: the text as given (validated).
    Json(String),
    /// jsonb, in its canonical form.
    Jsonb(Box<json::Jsonb>),
    /// A one-dimensional array with lower bound 1, or the empty array:
    /// element type and elements.
    Array(Oid, Vec<Value>),
    /// Any other array (several dimensions, other lower bounds); built by
    /// `array::make`, so that each array has one representation.
    MdArray(Box<array::ArrayValue>),
    /// The result of a function returning `void`.
    Void,
    /// A value of an enum type: its label's pg_enum OID (`enums`).
    Enum(Oid),
    /// A value of the anonymous composite type `record`: each field with
    /// its type (`types::record`).
    Record(Box<record::RecordValue>),
}

/// typlen for RowDescription: -1 for variable-length types.
pub fn type_len(oid: Oid) -> i16 {
    match oid {
        oid::BOOL | oid::CHAR => 1,
        oid::INT2 => 2,
        oid::INT4 | oid::OID | oid::FLOAT4 | oid::DATE => 4,
        t if is_reg_type(t) => 4,
        oid::INT8 | oid::FLOAT8 | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::TIME => 8,
        oid::TIMETZ => 12,
        oid::INTERVAL | oid::UUID => 16,
        oid::MACADDR => 6,
        oid::MACADDR8 => 8,
        oid::TID => 6,
        oid::XID | oid::CID => 4,
        oid::NAME => 64,
        oid::VOID => 4,
        oid::UNKNOWN => -2,
        t if enums::is_enum(t) => 4,
        _ => -1,
    }
}

/// The type's SQL name, as PostgreSQL's format_type prints it in messages
/// ("integer", "double precision", ...).
pub fn type_name(oid: Oid) -> &'static str {
    match oid {
        oid::BOOL => "boolean",
        oid::BYTEA => "bytea",
        oid::CHAR => "\"char\"",
        oid::NAME => "name",
        oid::INT8 => "bigint",
        oid::INT2 => "smallint",
        oid::INT4 => "integer",
        oid::REGPROC => "regproc",
        oid::TEXT => "text",
        oid::OID => "oid",
        oid::TID => "tid",
        oid::XID => "xid",
        oid::CID => "cid",
        oid::FLOAT4 => "real",
        oid::FLOAT8 => "double precision",
        oid::UNKNOWN => "unknown",
        oid::BPCHAR => "character",
        oid::VARCHAR => "character varying",
        oid::DATE => "date",
        oid::TIMESTAMP => "timestamp without time zone",
        oid::TIMESTAMPTZ => "timestamp with time zone",
        oid::INTERVAL => "interval",
        oid::TIME => "time without time zone",
        oid::TIMETZ => "time with time zone",
        oid::INET => "inet",
        oid::CIDR => "cidr",
        oid::NUMERIC => "numeric",
        oid::UUID => "uuid",
        oid::MACADDR => "macaddr",
        oid::MACADDR8 => "macaddr8",
        oid::JSON => "json",
        oid::JSONB => "jsonb",
        oid::JSONPATH => "jsonpath",
        oid::VOID => "void",
        oid::TRIGGER => "trigger",
        oid::EVENT_TRIGGER => "event_trigger",
        oid::RECORD => "record",
        oid::ANY => "\"any\"",
        oid::REGCLASS => "regclass",
        oid::REGTYPE => "regtype",
        oid::REGPROCEDURE => "regprocedure",
        oid::REGNAMESPACE => "regnamespace",
        oid::REGROLE => "regrole",
        t => array::type_name(t)
            .or_else(|| enums::names(t).map(|(n, _)| n))
            .or_else(|| composite::names(t).map(|(n, _)| n))
            .unwrap_or("???"),
    }
}

/// The type's pg_type.typname ("int4", "float8", ...), which PostgreSQL
/// uses as a cast's default column name.
pub fn type_internal_name(oid: Oid) -> &'static str {
    match oid {
        oid::BOOL => "bool",
        oid::BYTEA => "bytea",
        oid::CHAR => "char",
        oid::NAME => "name",
        oid::INT8 => "int8",
        oid::INT2 => "int2",
        oid::INT4 => "int4",
        oid::REGPROC => "regproc",
        oid::TEXT => "text",
        oid::OID => "oid",
        oid::TID => "tid",
        oid::XID => "xid",
        oid::CID => "cid",
        oid::FLOAT4 => "float4",
        oid::FLOAT8 => "float8",
        oid::UNKNOWN => "unknown",
        oid::BPCHAR => "bpchar",
        oid::VARCHAR => "varchar",
        oid::DATE => "date",
        oid::TIMESTAMP => "timestamp",
        oid::TIMESTAMPTZ => "timestamptz",
        oid::INTERVAL => "interval",
        oid::TIME => "time",
        oid::TIMETZ => "timetz",
        oid::INET => "inet",
        oid::CIDR => "cidr",
        oid::NUMERIC => "numeric",
        oid::UUID => "uuid",
        oid::MACADDR => "macaddr",
        oid::MACADDR8 => "macaddr8",
        oid::JSON => "json",
        oid::JSONB => "jsonb",
        oid::JSONPATH => "jsonpath",
        oid::VOID => "void",
        oid::TRIGGER => "trigger",
        oid::EVENT_TRIGGER => "event_trigger",
        oid::ANY => "any",
        oid::REGCLASS => "regclass",
        oid::REGTYPE => "regtype",
        oid::REGPROCEDURE => "regprocedure",
        oid::REGNAMESPACE => "regnamespace",
        oid::REGROLE => "regrole",
        t => array::typname(t)
            .or_else(|| enums::names(t).map(|(_, n)| n))
            .or_else(|| composite::names(t).map(|(_, n)| n))
            .unwrap_or("???"),
    }
}

/// Whether values of the type are held as [`Value::Text`].
pub fn is_text_type(t: Oid) -> bool {
    matches!(
        t,
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN | oid::CHAR
    )
}

fn invalid_syntax(t: Oid, s: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {}: \"{}\"", type_name(t), s),
    )
}

fn out_of_range_value(t: Oid, s: &str) -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("value \"{}\" is out of range for type {}", s, type_name(t)),
    )
}

fn bad_binary(t: Oid) -> PgError {
    PgError::new(
        sqlstate::INVALID_BINARY_REPRESENTATION,
        format!("incorrect binary data format for type {}", type_name(t)),
    )
}

/// xidin/cidin as PostgreSQL 15 reads them: strtoul with base 0 (0x
/// hex, leading-0 octal, decimal), the leading valid digits only (none:
/// 0), a negative number negated, an overflow saturated, then wrapped to
/// 32 bits.
fn parse_xid(s: &str) -> u32 {
    let x = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, x) = match x.as_bytes().first() {
        Some(b'-') => (true, &x[1..]),
        Some(b'+') => (false, &x[1..]),
        _ => (false, x),
    };
    let (radix, digits) = if let Some(h) = x.strip_prefix("0x").or_else(|| x.strip_prefix("0X")) {
        (16, h)
    } else if x.starts_with('0') {
        (8, x)
    } else {
        (10, x)
    };
    let mut v: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            break;
        };
        v = v.saturating_mul(radix as u64).saturating_add(d as u64);
    }
    let v = v as u32;
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

/// pg_strtoint64-style integer parse: blanks, sign, decimal digits.
fn parse_int(s: &str, t: Oid, min: i64, max: i64) -> PgResult<i64> {
    let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_syntax(t, s));
    }
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = v * 10 + (b - b'0') as i128;
        if v > i64::MAX as i128 + 1 {
            return Err(out_of_range_value(t, s));
        }
    }
    let v = if neg { -v } else { v };
    if v < min as i128 || v > max as i128 {
        return Err(out_of_range_value(t, s));
    }
    Ok(v as i64)
}

/// boolin: t/true/yes/on/1 and f/false/no/off/0, any unique prefix.
fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    let pre = |w: &str| w.starts_with(t.as_str());
    match t.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        "on" => Some(true),
        "of" | "off" => Some(false),
        _ if pre("true") || pre("yes") => Some(true),
        _ if pre("false") || pre("no") => Some(false),
        _ => None,
    }
}

/// byteain: hex (`\x...`) or escape format.
fn parse_bytea(s: &str) -> PgResult<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("\\x") {
        let mut out = Vec::with_capacity(hex.len() / 2);
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !digits.len().is_multiple_of(2) {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid hexadecimal data: odd number of digits",
            ));
        }
        for pair in digits.chunks(2) {
            let h = std::str::from_utf8(pair).unwrap_or("zz");
            out.push(u8::from_str_radix(h, 16).map_err(|_| {
                PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid hexadecimal digit: \"{}\"", &h[..1]),
                )
            })?);
        }
        return Ok(out);
    }
    bytea_escape_decode(s).ok_or_else(|| invalid_syntax(oid::BYTEA, s))
}

/// bytea's escape format (`\\` and `\ooo` escapes, other bytes as is),
/// as byteain and decode(..., 'escape') read it; None if malformed.
pub fn bytea_escape_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
            && b[i + 1] <= b'3'
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            return None;
        }
    }
    Some(out)
}

impl Value {
    /// The input function of type `t` applied to `s` (casts from text and
    /// untyped literals use it too).
    pub fn parse_text(t: Oid, s: &str) -> PgResult<Value> {
        Ok(match t {
            oid::BOOL => Value::Bool(parse_bool(s).ok_or_else(|| invalid_syntax(t, s))?),
            oid::INT2 => Value::Int2(parse_int(s, t, i16::MIN as i64, i16::MAX as i64)? as i16),
            oid::INT4 => Value::Int4(parse_int(s, t, i32::MIN as i64, i32::MAX as i64)? as i32),
            oid::INT8 => Value::Int8(parse_int(s, t, i64::MIN, i64::MAX)?),
            oid::OID => {
                let v = parse_int(s, t, i32::MIN as i64, u32::MAX as i64)?;
                Value::Oid(v as u32)
            }
            // An OID alias given as a number; a name stays text until a
            // function with the catalog at hand resolves it
            // (fmgr::catalog), as only it knows the names.
            oid::TID => {
                let (b, o) = tid::parse(s)?;
                Value::Tid(b, o)
            }
            // xid and cid: unsigned 32-bit, read as strtoul reads them.
            oid::XID | oid::CID => Value::Oid(parse_xid(s)),
            t if is_reg_type(t) => match parse_int(s, oid::OID, 0, u32::MAX as i64) {
                Ok(v) => Value::Oid(v as u32),
                Err(_) if s.trim() == "-" => Value::Oid(0),
                Err(_) => Value::Text(s.to_owned()),
            },
            oid::FLOAT4 => Value::Float4(float::parse_f32(s).map_err(|e| float_err(e, t, s))?),
            oid::FLOAT8 => Value::Float8(float::parse_f64(s).map_err(|e| float_err(e, t, s))?),
            oid::NUMERIC => Value::Numeric(Numeric::input(s)?),
            oid::BYTEA => Value::Bytea(parse_bytea(s)?),
            oid::DATE => Value::Date(datetime::parse_date(s)?),
            oid::TIMESTAMP => Value::Timestamp(datetime::parse_timestamp(s, false)?),
            oid::TIMESTAMPTZ => Value::TimestampTz(datetime::parse_timestamp(s, true)?),
            oid::INTERVAL => Value::Interval(Interval::parse(s)?),
            oid::TIME => Value::Time(time::parse_time(s)?),
            oid::TIMETZ => {
                let (t, z) = time::parse_timetz(s)?;
                Value::TimeTz(t, z)
            }
            oid::INET => Value::Inet(network::parse(s, false)?),
            oid::CIDR => Value::Inet(network::parse(s, true)?),
            oid::UUID => Value::Uuid(uuid::parse(s)?),
            oid::MACADDR => Value::MacAddr(macaddr::parse_macaddr(s)?),
            oid::MACADDR8 => Value::MacAddr8(macaddr::parse_macaddr8(s)?),
            oid::JSON => Value::Json(json::parse_json(s)?),
            oid::JSONB => Value::Jsonb(Box::new(json::parse_jsonb(s)?)),
            oid::JSONPATH => Value::Text(jsonpath::canonical(s)?),
            oid::BPCHAR => Value::Text(s.to_owned()),
            oid::NAME => {
                let mut n = 63.min(s.len());
                while !s.is_char_boundary(n) {
                    n -= 1;
                }
                Value::Text(s[..n].to_owned())
            }
            oid::VOID => Value::Void,
            _ if enums::is_enum(t) => enums::input(t, s)?,
            _ if composite::is_composite(t) => record::input(t, s)?,
            _ if array::is_vector_type(t) => array::parse_vector(t, s)?,
            _ if array::is_array_type(t) => array::parse(t, s)?,
            _ if is_text_type(t) => Value::Text(s.to_owned()),
            _ => Value::Text(s.to_owned()),
        })
    }

    /// The output function: PostgreSQL's text form. `Null` gives "".
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    fn write_text(&self, s: &mut String) {
        use std::fmt::Write;
        match self {
            Value::Null | Value::Void => {}
            Value::Bool(b) => s.push(if *b { 't' } else { 'f' }),
            Value::Int2(v) => {
                let _ = write!(s, "{v}");
            }
            Value::Int4(v) => {
                let _ = write!(s, "{v}");
            }
            Value::Int8(v) => {
                let _ = write!(s, "{v}");
            }
            Value::Oid(v) => {
                let _ = write!(s, "{v}");
            }
            Value::Float4(v) => float::format_f32(*v, s),
            Value::Float8(v) => float::format_f64(*v, s),
            Value::Numeric(n) => {
                let _ = write!(s, "{n}");
            }
            Value::Text(t) => s.push_str(t),
            Value::Bytea(b) if datestyle::current().bytea == datestyle::ByteaOutput::Escape => {
                // byteaout's escape format: printable ASCII as is, the
                // backslash doubled, every other byte as \ooo.
                for &x in b {
                    match x {
                        b'\\' => s.push_str("\\\\"),
                        0x20..=0x7e => s.push(x as char),
                        _ => {
                            let _ = write!(s, "\\{x:03o}");
                        }
                    }
                }
            }
            Value::Bytea(b) => {
                s.push_str("\\x");
                for x in b {
                    let _ = write!(s, "{x:02x}");
                }
            }
            Value::Date(d) => datetime::output_date(*d, s),
            Value::Timestamp(t) => datetime::output_timestamp(*t, false, s),
            Value::TimestampTz(t) => datetime::output_timestamp(*t, true, s),
            Value::Interval(iv) => match datestyle::current().interval {
                datestyle::IntervalStyle::Postgres => iv.format(s),
                style => interval_out::format(iv, style, s),
            },
            Value::Time(t) => time::format_time(*t, s),
            Value::TimeTz(t, z) => time::format_timetz(*t, *z, s),
            Value::Inet(v) => network::format(v, s),
            Value::Uuid(u) => uuid::format(u, s),
            Value::MacAddr(m) => macaddr::format(m, s),
            Value::MacAddr8(m) => macaddr::format(m, s),
            Value::Tid(b, o) => tid::format(*b, *o, s),
            Value::Json(j) => s.push_str(j),
            Value::Jsonb(j) => j.write(s),
            Value::Enum(label) => enums::output(*label, s),
            Value::Array(..) | Value::MdArray(_) => {
                if let Some(a) = array::view(self) {
                    array::write_text(&a, s);
                }
            }
            Value::Record(f) => record::write_text(f, s),
        }
    }

    /// PostgreSQL's output function, appended to `out`.
    pub fn encode_text(&self, out: &mut BytesMut) {
        match self {
            Value::Text(t) => out.put_slice(t.as_bytes()),
            // Integers, the commonest result columns, in place (no String).
            Value::Int2(v) => put_decimal(out, *v as i64),
            Value::Int4(v) => put_decimal(out, *v as i64),
            Value::Int8(v) => put_decimal(out, *v),
            v => out.put_slice(v.to_text().as_bytes()),
        }
    }

    /// The send function of a value of type `t`, appended to `out`: as
    /// [`Value::encode_binary`], except that a `"char"` is its one byte,
    /// the zero byte for `''` (charsend), which a text value cannot tell.
    pub fn encode_binary_as(&self, t: Oid, out: &mut BytesMut) {
        match (t, self) {
            (oid::CHAR, Value::Text(s)) => out.put_u8(s.as_bytes().first().copied().unwrap_or(0)),
            (oid::JSONPATH, Value::Text(s)) => {
                let mut b = Vec::new();
                jsonpath::send(s, &mut b);
                out.put_slice(&b);
            }
            _ => self.encode_binary(out),
        }
    }

    /// PostgreSQL's send function, appended to `out`.
    pub fn encode_binary(&self, out: &mut BytesMut) {
        match self {
            Value::Null | Value::Void => {}
            Value::Bool(b) => out.put_u8(*b as u8),
            Value::Int2(v) => out.put_i16(*v),
            Value::Int4(v) => out.put_i32(*v),
            Value::Int8(v) => out.put_i64(*v),
            Value::Oid(v) => out.put_u32(*v),
            Value::Float4(v) => out.put_f32(*v),
            Value::Float8(v) => out.put_f64(*v),
            Value::Numeric(n) => {
                let mut b = Vec::new();
                n.encode_binary(&mut b);
                out.put_slice(&b);
            }
            Value::Text(t) => out.put_slice(t.as_bytes()),
            Value::Bytea(b) => out.put_slice(b),
            Value::Date(d) => out.put_i32(*d),
            Value::Timestamp(t) | Value::TimestampTz(t) => out.put_i64(*t),
            Value::Interval(iv) => {
                out.put_i64(iv.micros);
                out.put_i32(iv.days);
                out.put_i32(iv.months);
            }
            Value::Uuid(u) => out.put_slice(u),
            Value::MacAddr(m) => out.put_slice(m),
            Value::MacAddr8(m) => out.put_slice(m),
            Value::Time(t) => out.put_i64(*t),
            Value::TimeTz(t, z) => {
                out.put_i64(*t);
                out.put_i32(*z);
            }
            Value::Inet(v) => {
                let mut b = Vec::new();
                network::send(v, &mut b);
                out.put_slice(&b);
            }
            Value::Tid(b, o) => {
                out.put_u32(*b);
                out.put_u16(*o);
            }
            Value::Json(j) => out.put_slice(j.as_bytes()),
            // enum_send: the label's text.
            Value::Enum(_) => out.put_slice(self.to_text().as_bytes()),
            Value::Jsonb(j) => {
                let mut b = Vec::new();
                json::send(j, &mut b);
                out.put_slice(&b);
            }
            Value::Array(..) | Value::MdArray(_) => {
                if let Some(a) = array::view(self) {
                    array::send(&a, out);
                }
            }
            Value::Record(f) => record::send(f, out),
        }
    }

    /// Input (format 0) or receive (format 1) function of `type_oid`, for
    /// Bind parameters. OID 0 (unspecified) is read as text.
    pub fn decode(type_oid: Oid, format: i16, data: &[u8]) -> PgResult<Value> {
        match format {
            0 => {
                let s = std::str::from_utf8(data).map_err(|e| {
                    let bad = data[e.valid_up_to()];
                    PgError::new(
                        "22021",
                        format!("invalid byte sequence for encoding \"UTF8\": 0x{bad:02x}"),
                    )
                })?;
                if s.contains('\0') {
                    return Err(PgError::new(
                        "22021",
                        "invalid byte sequence for encoding \"UTF8\": 0x00",
                    ));
                }
                Value::parse_text(if type_oid == 0 { oid::TEXT } else { type_oid }, s)
            }
            1 => Value::decode_binary(type_oid, data),
            f => Err(PgError::new(
                sqlstate::PROTOCOL_VIOLATION,
                format!("unsupported format code: {f}"),
            )),
        }
    }

    fn decode_binary(t: Oid, d: &[u8]) -> PgResult<Value> {
        let fixed = |n: usize| -> PgResult<&[u8]> {
            if d.len() == n {
                Ok(d)
            } else {
                Err(bad_binary(t))
            }
        };
        Ok(match t {
            oid::BOOL => Value::Bool(fixed(1)?[0] != 0),
            // charrecv: one byte, the zero byte being ''.
            oid::CHAR => match fixed(1)?[0] {
                0 => Value::Text(String::new()),
                b if b.is_ascii() => Value::Text(char::from(b).to_string()),
                _ => return Err(bad_binary(t)),
            },
            oid::INT2 => Value::Int2(i16::from_be_bytes(fixed(2)?.try_into().unwrap_or_default())),
            oid::INT4 => Value::Int4(i32::from_be_bytes(fixed(4)?.try_into().unwrap_or_default())),
            oid::INT8 => Value::Int8(i64::from_be_bytes(fixed(8)?.try_into().unwrap_or_default())),
            oid::TID => {
                let (b, o) = tid::recv(d).ok_or_else(|| bad_binary(t))?;
                Value::Tid(b, o)
            }
            t if t == oid::OID || t == oid::XID || t == oid::CID || is_reg_type(t) => {
                Value::Oid(u32::from_be_bytes(fixed(4)?.try_into().unwrap_or_default()))
            }
            oid::FLOAT4 => {
                Value::Float4(f32::from_be_bytes(fixed(4)?.try_into().unwrap_or_default()))
            }
            oid::FLOAT8 => {
                Value::Float8(f64::from_be_bytes(fixed(8)?.try_into().unwrap_or_default()))
            }
            oid::NUMERIC => Value::Numeric(Numeric::decode_binary(d)?),
            oid::BYTEA => Value::Bytea(d.to_vec()),
            oid::DATE => Value::Date(i32::from_be_bytes(fixed(4)?.try_into().unwrap_or_default())),
            oid::TIMESTAMP => {
                Value::Timestamp(i64::from_be_bytes(fixed(8)?.try_into().unwrap_or_default()))
            }
            oid::TIMESTAMPTZ => {
                Value::TimestampTz(i64::from_be_bytes(fixed(8)?.try_into().unwrap_or_default()))
            }
            oid::INTERVAL => {
                let d = fixed(16)?;
                Value::Interval(Interval {
                    micros: i64::from_be_bytes(d[0..8].try_into().unwrap_or_default()),
                    days: i32::from_be_bytes(d[8..12].try_into().unwrap_or_default()),
                    months: i32::from_be_bytes(d[12..16].try_into().unwrap_or_default()),
                })
            }
            oid::REGCLASS => {
                Value::Oid(u32::from_be_bytes(fixed(4)?.try_into().unwrap_or_default()))
            }
            oid::TIME => Value::Time(time::recv_time(fixed(8)?)?),
            oid::TIMETZ => {
                let (t, z) = time::recv_timetz(d)?;
                Value::TimeTz(t, z)
            }
            oid::INET => Value::Inet(network::recv(d, false)?),
            oid::CIDR => Value::Inet(network::recv(d, true)?),
            _ if array::is_vector_type(t) => array::recv_vector(t, d)?,
            oid::UUID => Value::Uuid(uuid::recv(d)?),
            oid::MACADDR => Value::MacAddr(macaddr::recv_macaddr(d)?),
            oid::MACADDR8 => Value::MacAddr8(macaddr::recv_macaddr8(d)?),
            oid::JSONB => Value::Jsonb(Box::new(json::recv(d)?)),
            oid::JSONPATH => Value::Text(jsonpath::recv(d)?),
            oid::JSON => {
                let s = std::str::from_utf8(d).map_err(|_| bad_binary(t))?;
                Value::Json(json::parse_json(s)?)
            }
            _ if array::is_array_type(t) => array::recv(t, d)?,
            _ if enums::is_enum(t) => {
                let s = std::str::from_utf8(d).map_err(|_| bad_binary(t))?;
                enums::input(t, s)?
            }
            _ if composite::is_composite(t) => record::recv(t, d)?,
            _ if t == 0 || is_text_type(t) => {
                let s = std::str::from_utf8(d).map_err(|_| bad_binary(t))?;
                Value::parse_text(if t == 0 { oid::TEXT } else { t }, s)?
            }
            // Never read the bytes of a type this server does not know as
            // some other type.
            _ => return Err(check_type_oid(t).err().unwrap_or_else(|| bad_binary(t))),
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Whether the server knows type `t` (a type, an array type, or a
/// pseudo-type it uses); 42704 "type with OID n does not exist" if not.
/// A Parse message's parameter types are checked with it, so that a
/// value of a type pgfork lacks is refused rather than read as another.
pub fn check_type_oid(t: Oid) -> PgResult<()> {
    if t == 0 || type_name(t) != "???" {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("type with OID {t} does not exist"),
    ))
}

fn float_err(e: float::FloatInputError, t: Oid, s: &str) -> PgError {
    match e {
        float::FloatInputError::Syntax => invalid_syntax(t, s),
        float::FloatInputError::OutOfRange => PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("\"{}\" is out of range for type {}", s, type_name(t)),
        ),
    }
}

/// Appends `v` in decimal, as its output function writes it (`-` and the
/// digits), without the formatting machinery (the itoa crate).
fn put_decimal(out: &mut BytesMut, v: i64) {
    out.put_slice(itoa::Buffer::new().format(v).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_encode_as_their_text() {
        for v in [
            Value::Int2(i16::MIN),
            Value::Int2(-7),
            Value::Int4(0),
            Value::Int4(42),
            Value::Int4(i32::MIN),
            Value::Int8(i64::MIN),
            Value::Int8(i64::MAX),
        ] {
            let mut out = BytesMut::new();
            v.encode_text(&mut out);
            assert_eq!(&out[..], v.to_text().as_bytes(), "{v:?}");
        }
    }

    fn text(v: &Value) -> String {
        let mut b = BytesMut::new();
        v.encode_text(&mut b);
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn text_forms_match_postgres() {
        assert_eq!(text(&Value::Bool(true)), "t");
        assert_eq!(text(&Value::Float8(0.1)), "0.1");
        assert_eq!(text(&Value::Float8(1e100)), "1e+100");
        assert_eq!(text(&Value::Float8(-0.0)), "-0");
        assert_eq!(text(&Value::Float8(f64::NAN)), "NaN");
        assert_eq!(text(&Value::Float8(f64::INFINITY)), "Infinity");
        assert_eq!(
            text(&Value::Numeric(Numeric::parse("1.50").unwrap())),
            "1.50"
        );
        assert_eq!(text(&Value::Bytea(vec![0xde, 0xad])), "\\xdead");
        assert_eq!(text(&Value::Timestamp(0)), "2000-01-01 00:00:00");
        assert_eq!(
            text(&Value::TimestampTz(1_500_000)),
            "2000-01-01 00:00:01.5+00"
        );
        assert_eq!(text(&Value::Date(-1)), "1999-12-31");
    }

    #[test]
    fn text_round_trips() {
        let cases: &[(Oid, &str)] = &[
            (oid::BOOL, "t"),
            (oid::INT2, "-32768"),
            (oid::INT4, "2147483647"),
            (oid::INT8, "-9223372036854775808"),
            (oid::FLOAT4, "1.1"),
            (oid::FLOAT8, "0.30000000000000004"),
            (oid::NUMERIC, "-123.4500"),
            (oid::TEXT, "héllo"),
            (oid::BYTEA, "\\x00ff"),
            (oid::DATE, "2026-11-27"),
            (oid::TIMESTAMP, "2026-11-27 03:28:47.123456"),
            (oid::TIMESTAMPTZ, "2026-11-27 03:28:47+00"),
            (oid::INTERVAL, "1 year 2 mons 3 days 04:05:06.7"),
        ];
        for (t, s) in cases {
            let v = Value::decode(*t, 0, s.as_bytes()).unwrap();
            assert_eq!(text(&v), *s, "type {t}");
        }
    }

    #[test]
    fn binary_round_trips() {
        let vals = [
            (oid::BOOL, Value::Bool(false)),
            (oid::INT2, Value::Int2(-5)),
            (oid::INT4, Value::Int4(123456)),
            (oid::INT8, Value::Int8(i64::MIN)),
            (oid::FLOAT4, Value::Float4(1.5)),
            (oid::FLOAT8, Value::Float8(-2.25)),
            (
                oid::NUMERIC,
                Value::Numeric(Numeric::parse("98765.4321").unwrap()),
            ),
            (oid::TEXT, Value::Text("abc".into())),
            (oid::BYTEA, Value::Bytea(vec![1, 2, 3])),
            (oid::DATE, Value::Date(9000)),
            (oid::TIMESTAMPTZ, Value::TimestampTz(123_456_789)),
            (
                oid::INTERVAL,
                Value::Interval(Interval {
                    months: 1,
                    days: 2,
                    micros: 3,
                }),
            ),
        ];
        for (t, v) in vals {
            let mut b = BytesMut::new();
            v.encode_binary(&mut b);
            assert_eq!(Value::decode(t, 1, &b).unwrap(), v);
        }
        assert_eq!(
            Value::decode(oid::INT4, 1, &[0, 1]).unwrap_err().code,
            "22P03"
        );
    }

    #[test]
    fn input_errors_have_postgres_wording() {
        let e = Value::decode(oid::INT4, 0, b"abc").unwrap_err();
        assert_eq!(e.code, "22P02");
        assert_eq!(e.message, "invalid input syntax for type integer: \"abc\"");
        let e = Value::decode(oid::INT4, 0, b"99999999999").unwrap_err();
        assert_eq!(e.code, "22003");
        assert_eq!(
            e.message,
            "value \"99999999999\" is out of range for type integer"
        );
        let e = Value::decode(oid::BOOL, 0, b"maybe").unwrap_err();
        assert_eq!(
            e.message,
            "invalid input syntax for type boolean: \"maybe\""
        );
        assert_eq!(
            Value::decode(oid::INT4, 0, b" 42 ").unwrap(),
            Value::Int4(42)
        );
        assert_eq!(
            Value::decode(oid::BOOL, 0, b"YES").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            Value::decode(oid::FLOAT8, 0, b"1e400").unwrap_err().code,
            "22003"
        );
    }
}
