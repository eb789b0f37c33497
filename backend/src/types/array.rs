//! Array types and values (the I/O half of PostgreSQL's arrayfuncs.c):
//! the array type of every element type and back (pg_type's typarray and
//! typelem), the polymorphic pseudo-types, array values with their
//! dimensions and lower bounds, the text form (`{1,2,NULL}`,
//! `{{"a b","c\"d"}}`, `[0:1]={1,2}`: array_in/array_out) and the binary
//! form (array_send/array_recv: ndim, has-nulls flag, element type, each
//! dimension's length and lower bound, then each element as a length
//! (-1 for NULL) and its send form).
//!
//! A plain one-dimensional array with lower bound 1 (and the empty array)
//! is [`Value::Array`]; any other shape is [`Value::MdArray`]. [`make`]
//! chooses between them, so that an array has exactly one representation
//! and the derived equality of values holds for arrays too.

use bytes::{BufMut, BytesMut};

use super::{oid, Oid, Value};
use crate::error::{sqlstate, PgError, PgResult};

/// Array type OIDs (pg_type.dat's typarray of each element type).
pub mod oids {
    use super::Oid;
    pub const BOOL_ARRAY: Oid = 1000;
    pub const BYTEA_ARRAY: Oid = 1001;
    pub const CHAR_ARRAY: Oid = 1002;
    pub const NAME_ARRAY: Oid = 1003;
    pub const INT2_ARRAY: Oid = 1005;
    pub const INT4_ARRAY: Oid = 1007;
    pub const REGPROC_ARRAY: Oid = 1008;
    pub const TEXT_ARRAY: Oid = 1009;
    pub const BPCHAR_ARRAY: Oid = 1014;
    pub const VARCHAR_ARRAY: Oid = 1015;
    pub const INT8_ARRAY: Oid = 1016;
    pub const FLOAT4_ARRAY: Oid = 1021;
    pub const FLOAT8_ARRAY: Oid = 1022;
    pub const OID_ARRAY: Oid = 1028;
    pub const TIMESTAMP_ARRAY: Oid = 1115;
    pub const DATE_ARRAY: Oid = 1182;
    pub const TIMESTAMPTZ_ARRAY: Oid = 1185;
    pub const INTERVAL_ARRAY: Oid = 1187;
    pub const NUMERIC_ARRAY: Oid = 1231;
    pub const UUID_ARRAY: Oid = 2951;
    pub const MACADDR_ARRAY: Oid = 1040;
    pub const MACADDR8_ARRAY: Oid = 775;
    pub const TIME_ARRAY: Oid = 1183;
    pub const TIMETZ_ARRAY: Oid = 1270;
    pub const INET_ARRAY: Oid = 1041;
    pub const CIDR_ARRAY: Oid = 651;
    pub const JSON_ARRAY: Oid = 199;
    pub const JSONB_ARRAY: Oid = 3807;
    pub const JSONPATH_ARRAY: Oid = 4073;
    pub const REGPROCEDURE_ARRAY: Oid = 2207;
    /// int2vector and oidvector: one-dimensional, lower bound 0, shown
    /// space-separated (pg_index.indkey, pg_proc.proargtypes).
    pub const INT2VECTOR: Oid = 22;
    pub const OIDVECTOR: Oid = 30;
    pub const INT2VECTOR_ARRAY: Oid = 1006;
    pub const OIDVECTOR_ARRAY: Oid = 1013;
    pub const REGCLASS_ARRAY: Oid = 2210;
    pub const REGTYPE_ARRAY: Oid = 2211;
    pub const REGNAMESPACE_ARRAY: Oid = 4090;
    pub const REGROLE_ARRAY: Oid = 4097;
    /// Polymorphic pseudo-types of function signatures.
    pub const ANYARRAY: Oid = 2277;
    /// `"any"`: any type, each argument its own (json_build_object).
    pub const ANY: Oid = 2276;
    pub const ANYELEMENT: Oid = 2283;
    pub const ANYNONARRAY: Oid = 2776;
    pub const ANYENUM: Oid = 3500;
    pub const ANYCOMPATIBLE: Oid = 5077;
    pub const ANYCOMPATIBLEARRAY: Oid = 5078;
    pub const ANYCOMPATIBLENONARRAY: Oid = 5079;
}

use oids::*;

/// One array type: (array OID, element OID, SQL name, pg_type.typname).
pub struct ArrayType {
    pub array: Oid,
    pub elem: Oid,
    /// format_type's name ("integer[]").
    pub name: &'static str,
    /// pg_type.typname ("_int4").
    pub typname: &'static str,
}

const fn at(array: Oid, elem: Oid, name: &'static str, typname: &'static str) -> ArrayType {
    ArrayType {
        array,
        elem,
        name,
        typname,
    }
}

/// The array type of every base type pgfork has.
pub static ARRAY_TYPES: &[ArrayType] = &[
    at(BOOL_ARRAY, oid::BOOL, "boolean[]", "_bool"),
    at(BYTEA_ARRAY, oid::BYTEA, "bytea[]", "_bytea"),
    at(CHAR_ARRAY, oid::CHAR, "\"char\"[]", "_char"),
    at(NAME_ARRAY, oid::NAME, "name[]", "_name"),
    at(INT2_ARRAY, oid::INT2, "smallint[]", "_int2"),
    at(INT4_ARRAY, oid::INT4, "integer[]", "_int4"),
    at(REGPROC_ARRAY, oid::REGPROC, "regproc[]", "_regproc"),
    at(TEXT_ARRAY, oid::TEXT, "text[]", "_text"),
    at(BPCHAR_ARRAY, oid::BPCHAR, "character[]", "_bpchar"),
    at(
        VARCHAR_ARRAY,
        oid::VARCHAR,
        "character varying[]",
        "_varchar",
    ),
    at(INT8_ARRAY, oid::INT8, "bigint[]", "_int8"),
    at(FLOAT4_ARRAY, oid::FLOAT4, "real[]", "_float4"),
    at(FLOAT8_ARRAY, oid::FLOAT8, "double precision[]", "_float8"),
    at(OID_ARRAY, oid::OID, "oid[]", "_oid"),
    at(
        TIMESTAMP_ARRAY,
        oid::TIMESTAMP,
        "timestamp without time zone[]",
        "_timestamp",
    ),
    at(DATE_ARRAY, oid::DATE, "date[]", "_date"),
    at(
        TIMESTAMPTZ_ARRAY,
        oid::TIMESTAMPTZ,
        "timestamp with time zone[]",
        "_timestamptz",
    ),
    at(INTERVAL_ARRAY, oid::INTERVAL, "interval[]", "_interval"),
    at(NUMERIC_ARRAY, oid::NUMERIC, "numeric[]", "_numeric"),
    at(UUID_ARRAY, oid::UUID, "uuid[]", "_uuid"),
    at(MACADDR_ARRAY, oid::MACADDR, "macaddr[]", "_macaddr"),
    at(MACADDR8_ARRAY, oid::MACADDR8, "macaddr8[]", "_macaddr8"),
    at(TIME_ARRAY, oid::TIME, "time without time zone[]", "_time"),
    at(
        TIMETZ_ARRAY,
        oid::TIMETZ,
        "time with time zone[]",
        "_timetz",
    ),
    at(INET_ARRAY, oid::INET, "inet[]", "_inet"),
    at(CIDR_ARRAY, oid::CIDR, "cidr[]", "_cidr"),
    at(JSON_ARRAY, oid::JSON, "json[]", "_json"),
    at(JSONB_ARRAY, oid::JSONB, "jsonb[]", "_jsonb"),
    at(JSONPATH_ARRAY, oid::JSONPATH, "jsonpath[]", "_jsonpath"),
    at(
        REGPROCEDURE_ARRAY,
        oid::REGPROCEDURE,
        "regprocedure[]",
        "_regprocedure",
    ),
    at(REGCLASS_ARRAY, oid::REGCLASS, "regclass[]", "_regclass"),
    at(REGTYPE_ARRAY, oid::REGTYPE, "regtype[]", "_regtype"),
    at(
        REGNAMESPACE_ARRAY,
        oid::REGNAMESPACE,
        "regnamespace[]",
        "_regnamespace",
    ),
    at(REGROLE_ARRAY, oid::REGROLE, "regrole[]", "_regrole"),
    // After the element types' real array types, so that array_of finds
    // those.
    at(INT2VECTOR, oid::INT2, "int2vector", "int2vector"),
    at(OIDVECTOR, oid::OID, "oidvector", "oidvector"),
    at(INT2VECTOR_ARRAY, INT2VECTOR, "int2vector[]", "_int2vector"),
    at(OIDVECTOR_ARRAY, OIDVECTOR, "oidvector[]", "_oidvector"),
];

/// The polymorphic pseudo-types: (OID, name).
static PSEUDO_TYPES: &[(Oid, &str)] = &[
    (ANYARRAY, "anyarray"),
    (ANYELEMENT, "anyelement"),
    (ANYNONARRAY, "anynonarray"),
    (ANYENUM, "anyenum"),
    (ANYCOMPATIBLE, "anycompatible"),
    (ANYCOMPATIBLEARRAY, "anycompatiblearray"),
    (ANYCOMPATIBLENONARRAY, "anycompatiblenonarray"),
];

/// The array type whose elements are `elem` (pg_type.typarray); 0 when
/// there is none.
pub fn array_of(elem: Oid) -> Oid {
    ARRAY_TYPES.iter().find(|a| a.elem == elem).map_or_else(
        || match super::enums::array_of(elem) {
            0 => super::composite::by_oid(elem).map_or(0, |c| c.array),
            a => a,
        },
        |a| a.array,
    )
}

/// The element type of array type `t` (pg_type.typelem); 0 when `t` is
/// not an array type.
pub fn array_element(t: Oid) -> Oid {
    ARRAY_TYPES.iter().find(|a| a.array == t).map_or_else(
        || match super::enums::array_element(t) {
            0 => super::composite::by_array(t).map_or(0, |c| c.oid),
            e => e,
        },
        |a| a.elem,
    )
}

/// Whether `t` is an array type.
pub fn is_array_type(t: Oid) -> bool {
    array_element(t) != 0
}

/// Whether `t` is one of the polymorphic pseudo-types.
pub fn is_polymorphic(t: Oid) -> bool {
    PSEUDO_TYPES.iter().any(|(o, _)| *o == t)
}

/// Whether a polymorphic type stands for an array (anyarray,
/// anycompatiblearray).
pub fn is_polymorphic_array(t: Oid) -> bool {
    matches!(t, ANYARRAY | ANYCOMPATIBLEARRAY)
}

/// format_type's name of an array or pseudo-type.
pub fn type_name(t: Oid) -> Option<&'static str> {
    ARRAY_TYPES
        .iter()
        .find(|a| a.array == t)
        .map(|a| a.name)
        .or_else(|| PSEUDO_TYPES.iter().find(|(o, _)| *o == t).map(|(_, n)| *n))
}

/// pg_type.typname of an array or pseudo-type.
pub fn typname(t: Oid) -> Option<&'static str> {
    ARRAY_TYPES
        .iter()
        .find(|a| a.array == t)
        .map(|a| a.typname)
        .or_else(|| PSEUDO_TYPES.iter().find(|(o, _)| *o == t).map(|(_, n)| *n))
}

/// An array type or pseudo-type by its pg_type name (`_int4`, `anyarray`).
pub fn type_by_typname(name: &str) -> Option<Oid> {
    ARRAY_TYPES
        .iter()
        .find(|a| a.typname == name)
        .map(|a| a.array)
        .or_else(|| {
            PSEUDO_TYPES
                .iter()
                .find(|(_, n)| *n == name)
                .map(|(o, _)| *o)
        })
        .or_else(|| super::enums::type_by_name(name))
        .or_else(|| super::composite::type_by_name(name))
}

/// 2202E array_subscript_error.
pub const ARRAY_SUBSCRIPT_ERROR: &str = "2202E";

/// 22004 null_value_not_allowed.
pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";

/// PostgreSQL's MAXDIM.
pub const MAXDIM: usize = 6;

/// PostgreSQL's MaxArraySize: the most elements an array may hold.
pub const MAX_ARRAY_SIZE: usize = 0x3FFF_FFFF / 8;

/// An array that is not a plain one-dimensional array with lower bound 1:
/// its element type, each dimension's length and lower bound (outermost
/// first), and the elements in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayValue {
    pub elem: Oid,
    pub dims: Vec<i32>,
    pub lbounds: Vec<i32>,
    pub items: Vec<Value>,
    /// An int2vector or oidvector (see [`vector`]).
    pub vector: bool,
}

/// A borrowed view of any array value: element type, dimensions, lower
/// bounds (both empty for the empty array) and elements.
#[derive(Debug)]
pub struct ArrayRef<'a> {
    pub elem: Oid,
    pub dims: Vec<i32>,
    pub lbounds: Vec<i32>,
    pub items: &'a [Value],
    pub vector: bool,
}

impl ArrayRef<'_> {
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }
}

/// The array in `v`, if `v` is an array value.
pub fn view(v: &Value) -> Option<ArrayRef<'_>> {
    match v {
        Value::Array(elem, items) if items.is_empty() => Some(ArrayRef {
            elem: *elem,
            dims: vec![],
            lbounds: vec![],
            items,
            vector: false,
        }),
        Value::Array(elem, items) => Some(ArrayRef {
            elem: *elem,
            dims: vec![items.len() as i32],
            lbounds: vec![1],
            items,
            vector: false,
        }),
        Value::MdArray(a) => Some(ArrayRef {
            elem: a.elem,
            dims: a.dims.clone(),
            lbounds: a.lbounds.clone(),
            items: &a.items,
            vector: a.vector,
        }),
        _ => None,
    }
}

/// An array value in its one representation: [`Value::Array`] when it is
/// empty or one-dimensional from 1, else [`Value::MdArray`].
pub fn make(elem: Oid, dims: Vec<i32>, lbounds: Vec<i32>, items: Vec<Value>) -> Value {
    if items.is_empty() || dims.is_empty() {
        return Value::Array(elem, vec![]);
    }
    if dims.len() == 1 && lbounds.first() == Some(&1) {
        return Value::Array(elem, items);
    }
    Value::MdArray(Box::new(ArrayValue {
        elem,
        dims,
        lbounds,
        items,
        vector: false,
    }))
}

/// Whether `t` is int2vector or oidvector.
pub fn is_vector_type(t: Oid) -> bool {
    matches!(t, INT2VECTOR | OIDVECTOR)
}

/// An int2vector (elements int2) or oidvector (elements oid): as
/// PostgreSQL builds them, one dimension with lower bound 0 (even when
/// empty), so that `indkey[0]` is the first key column.
pub fn vector(elem: Oid, items: Vec<Value>) -> Value {
    Value::MdArray(Box::new(ArrayValue {
        elem,
        dims: vec![items.len() as i32],
        lbounds: vec![0],
        items,
        vector: true,
    }))
}

/// int2vectorin / oidvectorin: integers separated by spaces.
pub fn parse_vector(t: Oid, s: &str) -> PgResult<Value> {
    let elem = array_element(t);
    let items = s
        .split_ascii_whitespace()
        .map(|w| Value::parse_text(elem, w))
        .collect::<PgResult<Vec<_>>>()?;
    Ok(vector(elem, items))
}

/// int2vectorrecv / oidvectorrecv: array_recv's form, which must hold a
/// one-dimensional array with lower bound 0 and no NULLs (22P03 else).
pub fn recv_vector(t: Oid, d: &[u8]) -> PgResult<Value> {
    let v = recv(t, d)?;
    let a = view(&v).ok_or_else(|| bad_format("invalid int2vector data"))?;
    let plain = (a.dims.len() == 1 && a.lbounds[0] == 0) || a.items.is_empty();
    if !plain || a.items.iter().any(Value::is_null) {
        return Err(bad_format(&format!("invalid {} data", type_name_of(t))));
    }
    Ok(vector(a.elem, a.items.to_vec()))
}

/// `v` (an array) with its element type set to `elem`; other values as
/// they are.
pub fn with_elem(v: Value, elem: Oid) -> Value {
    match v {
        Value::Array(_, items) => Value::Array(elem, items),
        Value::MdArray(mut a) => {
            a.elem = elem;
            Value::MdArray(a)
        }
        v => v,
    }
}

/// The number of elements dimensions `dims` hold, checked against
/// MaxArraySize (54000 "array size exceeds the maximum allowed").
pub fn checked_nitems(dims: &[i32]) -> PgResult<usize> {
    let mut n: usize = 1;
    for &d in dims {
        if d < 0 {
            return Err(size_exceeded());
        }
        n = n.checked_mul(d as usize).ok_or_else(size_exceeded)?;
        if n > MAX_ARRAY_SIZE {
            return Err(size_exceeded());
        }
    }
    Ok(if dims.is_empty() { 0 } else { n })
}

fn size_exceeded() -> PgError {
    PgError::new(
        sqlstate::PROGRAM_LIMIT_EXCEEDED,
        format!(
            "array size exceeds the maximum allowed ({})",
            MAX_ARRAY_SIZE
        ),
    )
}

/// 54000 "number of array dimensions (7) exceeds the maximum allowed (6)".
pub fn too_many_dims(n: usize) -> PgError {
    PgError::new(
        sqlstate::PROGRAM_LIMIT_EXCEEDED,
        format!("number of array dimensions ({n}) exceeds the maximum allowed ({MAXDIM})"),
    )
}

// ---------------------------------------------------------------------
// Text form.

/// array_isspace: the blanks array_in skips and array_out quotes.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn malformed(s: &str, detail: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{s}\""),
    )
    .with_detail(detail)
}

/// A parsed brace level: sub-arrays or elements (None for NULL).
enum Level {
    Lists(Vec<Level>),
    Items(Vec<Option<String>>),
}

struct Reader<'a> {
    src: &'a str,
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Reader<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.chars.next();
        }
    }

    fn err(&self, detail: &str) -> PgError {
        malformed(self.src, detail)
    }

    fn unexpected(&self, c: Option<char>) -> PgError {
        match c {
            None => self.err("Unexpected end of input."),
            Some(c) => self.err(&format!("Unexpected \"{c}\" character.")),
        }
    }

    /// A brace level starting at `{`; `depth` counts levels from 1.
    fn level(&mut self, depth: usize) -> PgResult<Level> {
        if depth > MAXDIM {
            return Err(too_many_dims(depth));
        }
        self.chars.next(); // '{'
        self.skip_space();
        if self.peek() == Some('}') {
            if depth > 1 {
                return Err(self.unexpected(Some('}')));
            }
            self.chars.next();
            return Ok(Level::Items(vec![]));
        }
        let mut lists = Vec::new();
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some('{') => {
                    if !items.is_empty() {
                        return Err(self.unexpected(Some('{')));
                    }
                    lists.push(self.level(depth + 1)?);
                }
                c @ (None | Some('}') | Some(',')) => return Err(self.unexpected(c)),
                Some(_) => {
                    if !lists.is_empty() {
                        return Err(self.err("Unexpected array element."));
                    }
                    items.push(self.element()?);
                }
            }
            self.skip_space();
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some('}') => {
                    self.chars.next();
                    break;
                }
                None => return Err(self.unexpected(None)),
                Some(_) => return Err(self.err("Unexpected array element.")),
            }
        }
        Ok(if lists.is_empty() {
            Level::Items(items)
        } else {
            Level::Lists(lists)
        })
    }

    /// One element: unquoted (trailing blanks dropped, `NULL` is a null),
    /// quoted, or an unquoted start followed by one quoted part; `\`
    /// escapes the next character anywhere.
    fn element(&mut self) -> PgResult<Option<String>> {
        let mut buf = String::new();
        let mut keep = 0;
        let mut literal = false;
        loop {
            match self.peek() {
                None => return Err(self.unexpected(None)),
                Some('\\') => {
                    self.chars.next();
                    let c = self.chars.next().ok_or_else(|| self.unexpected(None))?;
                    buf.push(c);
                    keep = buf.len();
                    literal = true;
                }
                Some('"') => {
                    self.chars.next();
                    loop {
                        match self.chars.next() {
                            None => return Err(self.unexpected(None)),
                            Some('"') => break,
                            Some('\\') => {
                                let c = self.chars.next().ok_or_else(|| self.unexpected(None))?;
                                buf.push(c);
                            }
                            Some(c) => buf.push(c),
                        }
                    }
                    // Only blanks may follow the quoted part.
                    return Ok(Some(buf));
                }
                Some('{') => return Err(self.unexpected(Some('{'))),
                Some(',') | Some('}') => break,
                Some(c) => {
                    self.chars.next();
                    buf.push(c);
                    if !is_space(c) {
                        keep = buf.len();
                    }
                }
            }
        }
        buf.truncate(keep);
        if !literal && buf.eq_ignore_ascii_case("NULL") {
            return Ok(None);
        }
        Ok(Some(buf))
    }

    /// `[lb:ub][lb:ub]=` before the braces: (lower bounds, lengths).
    fn dimensions(&mut self) -> PgResult<(Vec<i32>, Vec<i32>)> {
        let mut lbounds = Vec::new();
        let mut dims = Vec::new();
        loop {
            self.skip_space();
            if self.peek() != Some('[') {
                break;
            }
            self.chars.next();
            if dims.len() >= MAXDIM {
                return Err(too_many_dims(dims.len() + 1));
            }
            let first = self.int()?;
            let (lb, ub) = if self.peek() == Some(':') {
                self.chars.next();
                (first, self.int()?)
            } else {
                (1, first)
            };
            if self.chars.next() != Some(']') {
                return Err(self.err("Missing \"]\" in array dimensions."));
            }
            if ub < lb {
                return Err(PgError::new(
                    ARRAY_SUBSCRIPT_ERROR,
                    "upper bound cannot be less than lower bound",
                ));
            }
            lbounds.push(lb);
            dims.push(
                ub.checked_sub(lb)
                    .and_then(|d| d.checked_add(1))
                    .ok_or_else(size_exceeded)?,
            );
        }
        if !dims.is_empty() {
            if self.peek() != Some('=') {
                return Err(self.err("Missing \"=\" after array dimensions."));
            }
            self.chars.next();
            self.skip_space();
        }
        Ok((lbounds, dims))
    }

    fn int(&mut self) -> PgResult<i32> {
        let mut s = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_digit() || *c == '-' || *c == '+')
        {
            s.push(c);
            self.chars.next();
        }
        if s.is_empty() {
            return Err(self.err("Missing array dimension value."));
        }
        s.parse::<i32>().map_err(|_| {
            PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("value \"{s}\" is out of range for type integer"),
            )
        })
    }
}

/// Dimensions of a parsed literal (from its first path down to the
/// elements), checking that every sub-array matches them.
fn shape(level: &Level, src: &str) -> PgResult<Vec<i32>> {
    let mut dims = Vec::new();
    let mut l = level;
    loop {
        match l {
            Level::Lists(subs) => {
                dims.push(subs.len() as i32);
                l = &subs[0];
            }
            Level::Items(items) => {
                dims.push(items.len() as i32);
                break;
            }
        }
    }
    fn check(l: &Level, depth: usize, dims: &[i32]) -> bool {
        match l {
            Level::Lists(subs) => {
                depth + 1 < dims.len()
                    && subs.len() as i32 == dims[depth]
                    && subs.iter().all(|s| check(s, depth + 1, dims))
            }
            Level::Items(items) => depth + 1 == dims.len() && items.len() as i32 == dims[depth],
        }
    }
    if !check(level, 0, &dims) {
        return Err(malformed(
            src,
            "Multidimensional arrays must have sub-arrays with matching dimensions.",
        ));
    }
    Ok(dims)
}

fn flatten(level: Level, out: &mut Vec<Option<String>>) {
    match level {
        Level::Lists(l) => l.into_iter().for_each(|s| flatten(s, out)),
        Level::Items(i) => out.extend(i),
    }
}

/// array_in: the text form of an array of type `array_type`.
pub fn parse(array_type: Oid, s: &str) -> PgResult<Value> {
    let elem = array_element(array_type);
    let mut r = Reader {
        src: s,
        chars: s.chars().peekable(),
    };
    let (lbounds, given) = r.dimensions()?;
    r.skip_space();
    if r.peek() != Some('{') {
        return Err(r.err(if given.is_empty() {
            "Array value must start with \"{\" or dimension information."
        } else {
            "Array contents must start with \"{\"."
        }));
    }
    let level = r.level(1)?;
    r.skip_space();
    if r.peek().is_some() {
        return Err(r.err("Junk after closing right brace."));
    }
    let dims = shape(&level, s)?;
    let mut strings = Vec::new();
    flatten(level, &mut strings);
    if strings.is_empty() {
        if !given.is_empty() {
            return Err(r.err("Specified array dimensions do not match array contents."));
        }
        return Ok(Value::Array(elem, vec![]));
    }
    let lbounds = if given.is_empty() {
        vec![1; dims.len()]
    } else {
        if given != dims {
            return Err(r.err("Specified array dimensions do not match array contents."));
        }
        lbounds
    };
    checked_nitems(&dims)?;
    let items = strings
        .into_iter()
        .map(|e| match e {
            None => Ok(Value::Null),
            Some(t) => Value::parse_text(elem, &t),
        })
        .collect::<PgResult<Vec<_>>>()?;
    Ok(make(elem, dims, lbounds, items))
}

/// array_out: appends the text form of an array to `s`.
pub fn write_text(a: &ArrayRef, s: &mut String) {
    use std::fmt::Write;
    if a.vector {
        // int2vectorout / oidvectorout.
        for (i, v) in a.items.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&v.to_text());
        }
        return;
    }
    if a.lbounds.iter().any(|&l| l != 1) {
        for (d, l) in a.dims.iter().zip(&a.lbounds) {
            let _ = write!(s, "[{}:{}]", l, l + d - 1);
        }
        s.push('=');
    }
    if a.items.is_empty() {
        s.push_str("{}");
        return;
    }
    let mut i = 0;
    write_level(a, 0, &mut i, s);
}

fn write_level(a: &ArrayRef, depth: usize, i: &mut usize, s: &mut String) {
    s.push('{');
    for k in 0..a.dims[depth] {
        if k > 0 {
            s.push(',');
        }
        if depth + 1 < a.dims.len() {
            write_level(a, depth + 1, i, s);
        } else {
            write_element(&a.items[*i], s);
            *i += 1;
        }
    }
    s.push('}');
}

fn write_element(v: &Value, s: &mut String) {
    if v.is_null() {
        s.push_str("NULL");
        return;
    }
    let t = v.to_text();
    let quote = t.is_empty()
        || t.eq_ignore_ascii_case("null")
        || t.chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || is_space(c));
    if !quote {
        s.push_str(&t);
        return;
    }
    s.push('"');
    for c in t.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
}

// ---------------------------------------------------------------------
// Binary form.

/// array_send: appends the binary form of an array to `out`.
pub fn send(a: &ArrayRef, out: &mut BytesMut) {
    out.put_i32(a.ndim() as i32);
    out.put_i32(i32::from(a.items.iter().any(Value::is_null)));
    out.put_u32(a.elem);
    for (d, l) in a.dims.iter().zip(&a.lbounds) {
        out.put_i32(*d);
        out.put_i32(*l);
    }
    for v in a.items {
        if v.is_null() {
            out.put_i32(-1);
            continue;
        }
        let at = out.len();
        out.put_i32(0);
        v.encode_binary_as(a.elem, out);
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
}

fn insufficient() -> PgError {
    PgError::new(
        sqlstate::PROTOCOL_VIOLATION,
        "insufficient data left in message",
    )
}

fn bad_format(what: &str) -> PgError {
    PgError::new(sqlstate::INVALID_BINARY_REPRESENTATION, what.to_owned())
}

struct Cursor<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&mut self, n: usize) -> PgResult<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(insufficient)?;
        let s = self.d.get(self.pos..end).ok_or_else(insufficient)?;
        self.pos = end;
        Ok(s)
    }

    fn i32(&mut self) -> PgResult<i32> {
        let b = self.bytes(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// array_recv: the binary form of an array of type `array_type`. The
/// element type in the data must be the array type's.
pub fn recv(array_type: Oid, d: &[u8]) -> PgResult<Value> {
    let elem = array_element(array_type);
    let mut c = Cursor { d, pos: 0 };
    let ndim = c.i32()?;
    let flags = c.i32()?;
    let elem_in = c.i32()? as u32;
    if ndim < 0 {
        return Err(bad_format(&format!("invalid number of dimensions: {ndim}")));
    }
    if ndim as usize > MAXDIM {
        return Err(too_many_dims(ndim as usize));
    }
    if flags != 0 && flags != 1 {
        return Err(bad_format("invalid array flags"));
    }
    if elem_in != elem {
        return Err(PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!(
                "binary data has array element type {} ({}) instead of expected {} ({})",
                elem_in,
                known_type_name(elem_in),
                elem,
                type_name_of(elem)
            ),
        ));
    }
    let mut dims = Vec::with_capacity(ndim as usize);
    let mut lbounds = Vec::with_capacity(ndim as usize);
    for _ in 0..ndim {
        let d = c.i32()?;
        let l = c.i32()?;
        if d < 0 {
            return Err(bad_format("array dimension is negative"));
        }
        if d > 0 && l.checked_add(d - 1).is_none() {
            return Err(PgError::new(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                "array upper bound is too large",
            ));
        }
        dims.push(d);
        lbounds.push(l);
    }
    let n = checked_nitems(&dims)?;
    // Each element takes at least its 4-byte length.
    if n > (d.len() - c.pos) / 4 {
        return Err(insufficient());
    }
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let len = c.i32()?;
        if len == -1 {
            items.push(Value::Null);
            continue;
        }
        if len < -1 {
            return Err(insufficient());
        }
        let b = c.bytes(len as usize)?;
        items.push(Value::decode_binary(elem, b).map_err(|e| {
            if e.code == sqlstate::INVALID_BINARY_REPRESENTATION {
                bad_format(&format!(
                    "improper binary format in array element {}",
                    i + 1
                ))
            } else {
                e
            }
        })?);
    }
    if c.pos != d.len() {
        return Err(super::bad_binary(array_type));
    }
    Ok(make(elem, dims, lbounds, items))
}

fn type_name_of(t: Oid) -> &'static str {
    type_name_checked(t).unwrap_or("???")
}

fn type_name_checked(t: Oid) -> Option<&'static str> {
    match super::type_name(t) {
        "???" => None,
        n => Some(n),
    }
}

fn known_type_name(t: Oid) -> String {
    type_name_checked(t).map_or_else(|| "-".to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Numeric;

    fn text(t: Oid, s: &str) -> String {
        Value::parse_text(t, s).unwrap().to_text()
    }

    fn err(t: Oid, s: &str) -> (String, String) {
        let e = Value::parse_text(t, s).unwrap_err();
        (e.code.to_owned(), e.detail.unwrap_or(e.message))
    }

    #[test]
    fn type_relations() {
        assert_eq!(array_of(oid::INT4), 1007);
        assert_eq!(array_of(oid::TEXT), 1009);
        assert_eq!(array_of(oid::INT2), 1005);
        assert_eq!(array_of(oid::INT8), 1016);
        assert_eq!(array_of(oid::OID), 1028);
        assert_eq!(array_of(oid::BOOL), 1000);
        assert_eq!(array_of(oid::FLOAT8), 1022);
        assert_eq!(array_of(oid::NUMERIC), 1231);
        assert_eq!(array_of(oid::VARCHAR), 1015);
        assert_eq!(array_of(oid::NAME), 1003);
        assert_eq!(array_of(oid::TIMESTAMPTZ), 1185);
        assert_eq!(array_of(oid::DATE), 1182);
        assert_eq!(array_of(oid::BYTEA), 1001);
        assert_eq!(array_of(INT4_ARRAY), 0);
        assert_eq!(array_element(1007), oid::INT4);
        assert_eq!(array_element(oid::INT4), 0);
        for a in ARRAY_TYPES {
            assert_eq!(array_element(array_of(a.elem)), a.elem);
            assert_eq!(type_by_typname(a.typname), Some(a.array));
            assert_eq!(crate::types::type_name(a.array), a.name);
        }
    }

    #[test]
    fn text_input_and_output_match_postgres() {
        assert_eq!(text(INT4_ARRAY, "{1,2,NULL}"), "{1,2,NULL}");
        assert_eq!(
            text(TEXT_ARRAY, r#"{"a b","c\"d",NULL,"NULL",""}"#),
            r#"{"a b","c\"d",NULL,"NULL",""}"#
        );
        assert_eq!(text(INT4_ARRAY, "{{1,2},{3,4}}"), "{{1,2},{3,4}}");
        assert_eq!(text(INT4_ARRAY, "[0:1]={1,2}"), "[0:1]={1,2}");
        assert_eq!(text(INT4_ARRAY, "[1:2]={1,2}"), "{1,2}");
        assert_eq!(text(INT4_ARRAY, "{}"), "{}");
        assert_eq!(text(INT4_ARRAY, " { {1 , 2} , {3,4} } "), "{{1,2},{3,4}}");
        assert_eq!(text(TEXT_ARRAY, "{  a b  , \"c\" }"), "{\"a b\",c}");
        assert_eq!(
            text(TEXT_ARRAY, r"{a\,b,\NULL,x\ }"),
            r#"{"a,b","NULL","x "}"#
        );
        assert_eq!(text(TEXT_ARRAY, r"{a\\b}"), r#"{"a\\b"}"#);
        assert_eq!(text(TEXT_ARRAY, "{a\"b c\"}"), "{\"ab c\"}");
        assert_eq!(text(TEXT_ARRAY, "{null,NuLl}"), "{NULL,NULL}");
        assert_eq!(text(BOOL_ARRAY, "{true,f}"), "{t,f}");
        assert_eq!(text(FLOAT8_ARRAY, "{1.5,NaN,-0}"), "{1.5,NaN,-0}");
        assert_eq!(text(BYTEA_ARRAY, r"{\\x01}"), r#"{"\\x01"}"#);
        assert_eq!(
            text(TIMESTAMP_ARRAY, "{2026-01-02 03:04:05}"),
            "{\"2026-01-02 03:04:05\"}"
        );
        assert_eq!(text(NUMERIC_ARRAY, "{1.50,-2}"), "{1.50,-2}");
        assert_eq!(
            text(INT4_ARRAY, "[-2:-1][3:3]={{1},{2}}"),
            "[-2:-1][3:3]={{1},{2}}"
        );
    }

    #[test]
    fn malformed_literals_fail_as_postgres() {
        let e = |s: &str| err(INT4_ARRAY, s);
        assert_eq!(
            e("{1,2"),
            ("22P02".into(), "Unexpected end of input.".into())
        );
        assert_eq!(
            e("{{1,2},{3}}").1,
            "Multidimensional arrays must have sub-arrays with matching dimensions."
        );
        assert_eq!(
            e("1,2").1,
            "Array value must start with \"{\" or dimension information."
        );
        assert_eq!(e("{1,2}x").1, "Junk after closing right brace.");
        assert_eq!(e("{{}}").1, "Unexpected \"}\" character.");
        assert_eq!(err(TEXT_ARRAY, "{\"a\"b}").1, "Unexpected array element.");
        assert_eq!(e("{{1},2}").1, "Unexpected array element.");
        assert_eq!(e("{1,{2}}").1, "Unexpected \"{\" character.");
        assert_eq!(e("{1,,2}").1, "Unexpected \",\" character.");
        assert_eq!(
            e("[1:2]={1}").1,
            "Specified array dimensions do not match array contents."
        );
        assert_eq!(e("{{1},{{2}}}").0, "22P02");
        assert_eq!(e("[1:0]={}").0, "2202E");
        assert_eq!(e("{{{{{{{1}}}}}}}").0, "54000");
        assert_eq!(e(&"{".repeat(100_000)).0, "54000");
        assert_eq!(
            e("{a,b}"),
            (
                "22P02".into(),
                "invalid input syntax for type integer: \"a\"".into()
            )
        );
    }

    #[test]
    fn binary_round_trips() {
        let values = [
            (INT4_ARRAY, "{1,NULL,-3}"),
            (INT4_ARRAY, "{}"),
            (INT4_ARRAY, "[0:1][2:3]={{1,2},{3,4}}"),
            (TEXT_ARRAY, r#"{"a b",NULL,é}"#),
            (NUMERIC_ARRAY, "{1.5,-20000.0001}"),
            (INT8_ARRAY, "{9223372036854775807}"),
            (BOOL_ARRAY, "{t,f}"),
            (DATE_ARRAY, "{2026-11-27}"),
            (INTERVAL_ARRAY, "{\"1 day\"}"),
        ];
        for (t, s) in values {
            let v = Value::parse_text(t, s).unwrap();
            let mut b = BytesMut::new();
            v.encode_binary(&mut b);
            assert_eq!(Value::decode(t, 1, &b).unwrap(), v, "{s}");
        }
        // The wire form of '{1,NULL}'::int4[].
        let mut b = BytesMut::new();
        Value::Array(oid::INT4, vec![Value::Int4(1), Value::Null]).encode_binary(&mut b);
        assert_eq!(
            b.to_vec(),
            [
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0,
                1, 255, 255, 255, 255
            ]
        );
        let n = Value::Array(oid::NUMERIC, vec![Value::Numeric(Numeric::from_i64(7))]);
        let mut b = BytesMut::new();
        n.encode_binary(&mut b);
        assert_eq!(Value::decode(NUMERIC_ARRAY, 1, &b).unwrap(), n);
    }

    #[test]
    fn bad_binary_input_is_refused() {
        let mut b = BytesMut::new();
        Value::Array(oid::INT8, vec![Value::Int8(1)]).encode_binary(&mut b);
        let e = Value::decode(INT4_ARRAY, 1, &b).unwrap_err();
        assert_eq!(e.code, "42804");
        assert_eq!(
            e.message,
            "binary data has array element type 20 (bigint) instead of expected 23 (integer)"
        );
        // Truncated.
        assert!(Value::decode(INT8_ARRAY, 1, &b[..b.len() - 1]).is_err());
        // Trailing bytes.
        let mut long = b.to_vec();
        long.push(0);
        assert_eq!(
            Value::decode(INT8_ARRAY, 1, &long).unwrap_err().code,
            "22P03"
        );
        // Seven dimensions, bad flags, a huge count.
        let hdr = |ndim: i32, flags: i32, n: i32| {
            let mut v = Vec::new();
            v.extend_from_slice(&ndim.to_be_bytes());
            v.extend_from_slice(&flags.to_be_bytes());
            v.extend_from_slice(&23u32.to_be_bytes());
            v.extend_from_slice(&n.to_be_bytes());
            v.extend_from_slice(&1i32.to_be_bytes());
            v
        };
        assert_eq!(
            Value::decode(INT4_ARRAY, 1, &hdr(7, 0, 1))
                .unwrap_err()
                .code,
            "54000"
        );
        assert_eq!(
            Value::decode(INT4_ARRAY, 1, &hdr(1, 2, 1))
                .unwrap_err()
                .code,
            "22P03"
        );
        assert!(Value::decode(INT4_ARRAY, 1, &hdr(1, 0, i32::MAX)).is_err());
        assert_eq!(
            Value::decode(INT4_ARRAY, 1, &hdr(1, 0, 0)).unwrap(),
            Value::Array(oid::INT4, vec![])
        );
    }
}
