//! `json` and `jsonb`: PostgreSQL's JSON grammar and errors, `json` kept
//! as its (validated) text, `jsonb` as a tree in PostgreSQL's canonical
//! form (object keys shorter first then bytewise, the last of duplicate
//! keys kept, numbers as numeric), its output spacing (`{"a": 1, "b": [1,
//! 2]}`), and jsonb's ordering (objects > arrays > booleans > numbers >
//! strings > null, a top-level scalar being a one-element array).

use std::cmp::Ordering;

use super::{Numeric, Value};
use crate::error::{sqlstate, PgError, PgResult};

/// A jsonb value.
#[derive(Clone, Debug, PartialEq)]
pub enum Jsonb {
    Null,
    Bool(bool),
    Number(Numeric),
    String(String),
    Array(Vec<Jsonb>),
    /// Keys unique, in PostgreSQL's order ([`key_order`]).
    Object(Vec<(String, Jsonb)>),
}

/// A parsed JSON text that keeps each value's own text (json's
/// operators return it unchanged).
#[derive(Debug)]
pub enum Raw<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(String),
    Array(Vec<(Raw<'a>, &'a str)>),
    Object(Vec<(String, Raw<'a>, &'a str)>),
}

/// Nesting beyond this is refused (PostgreSQL stops at max_stack_depth).
const MAX_DEPTH: usize = 6400;

fn syntax(_input: &str, detail: String) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type json",
    )
    .with_detail(detail)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// jsonb refuses `\u0000` (it cannot hold it in text).
    jsonb: bool,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    /// The token at the cursor, for error details.
    fn token(&self) -> String {
        let rest = &self.s[self.i..];
        let end = rest
            .char_indices()
            .find(|(k, c)| {
                *k > 0 && (c.is_whitespace() || matches!(c, ',' | ':' | ']' | '}' | '[' | '{'))
            })
            .map_or(rest.len(), |(k, _)| k);
        rest[..end.max(rest.chars().next().map_or(0, char::len_utf8))].to_owned()
    }

    fn err_token(&self) -> PgError {
        if self.i >= self.b.len() {
            return syntax(self.s, "The input string ended unexpectedly.".into());
        }
        syntax(self.s, format!("Token \"{}\" is invalid.", self.token()))
    }

    fn expected(&self, what: &str) -> PgError {
        if self.i >= self.b.len() {
            return syntax(self.s, "The input string ended unexpectedly.".into());
        }
        syntax(
            self.s,
            format!("Expected {what}, but found \"{}\".", self.token()),
        )
    }

    fn value(&mut self, depth: usize) -> PgResult<(Raw<'a>, &'a str)> {
        if depth > MAX_DEPTH {
            return Err(PgError::new(
                sqlstate::STATEMENT_TOO_COMPLEX,
                "stack depth limit exceeded",
            ));
        }
        self.ws();
        let start = self.i;
        let v = match self.b.get(self.i) {
            None => return Err(self.expected("JSON value")),
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.b.get(self.i) != Some(&b'"') {
                            return Err(self.expected("string or \"}\""));
                        }
                        let k = self.string()?;
                        self.ws();
                        if self.b.get(self.i) != Some(&b':') {
                            return Err(self.expected("\":\""));
                        }
                        self.i += 1;
                        let (v, text) = self.value(depth + 1)?;
                        items.push((k, v, text));
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.expected("\",\" or \"}\"")),
                        }
                    }
                }
                Raw::Object(items)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.expected("\",\" or \"]\"")),
                        }
                    }
                }
                Raw::Array(items)
            }
            Some(b'"') => Raw::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Raw::Number(self.number()?),
            Some(_) => {
                let word_end = self.b[self.i..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .map_or(self.b.len(), |p| self.i + p);
                let v = match &self.s[self.i..word_end] {
                    "true" => Raw::Bool(true),
                    "false" => Raw::Bool(false),
                    "null" => Raw::Null,
                    _ => return Err(self.err_token()),
                };
                self.i = word_end;
                v
            }
        };
        Ok((v, &self.s[start..self.i]))
    }

    fn number(&mut self) -> PgResult<&'a str> {
        let start = self.i;
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        let int_start = i;
        let ok = digits(&mut i) && !(b[int_start] == b'0' && i - int_start > 1);
        let mut ok = ok;
        if ok && b.get(i) == Some(&b'.') {
            i += 1;
            ok = digits(&mut i);
        }
        if ok && matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            ok = digits(&mut i);
        }
        // A number runs into letters or digits: the whole run is the bad
        // token, as PostgreSQL's lexer reports it.
        if !ok
            || b.get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
        {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
            {
                i += 1;
            }
            return Err(syntax(
                self.s,
                format!("Token \"{}\" is invalid.", &self.s[start..i]),
            ));
        }
        self.i = i;
        Ok(&self.s[start..i])
    }

    /// A string at the cursor (on its opening quote), unescaped.
    fn string(&mut self) -> PgResult<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(syntax(
                    self.s,
                    "The input string ended unexpectedly.".into(),
                ));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let e = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let cp = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&cp) {
                                if self.b.get(self.i) != Some(&b'\\')
                                    || self.b.get(self.i + 1) != Some(&b'u')
                                {
                                    return Err(low_surrogate(self.s));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(low_surrogate(self.s));
                                }
                                0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&cp) {
                                return Err(low_surrogate(self.s));
                            } else {
                                cp
                            };
                            if ch == 0 && self.jsonb {
                                return Err(PgError::new(
                                    "22P05",
                                    "unsupported Unicode escape sequence",
                                )
                                .with_detail("\\u0000 cannot be converted to text."));
                            }
                            out.push(char::from_u32(ch).unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            let tok: String = self.s[self.i - 2..].chars().take(2).collect();
                            return Err(syntax(
                                self.s,
                                format!("Escape sequence \"{tok}\" is invalid."),
                            ));
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(syntax(
                        self.s,
                        format!("Character with value 0x{c:02x} must be escaped."),
                    ));
                }
                _ => {
                    let ch = self.s[self.i..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> PgResult<u32> {
        let h = self.b.get(self.i..self.i + 4).and_then(|h| {
            std::str::from_utf8(h)
                .ok()
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
        });
        match h {
            Some(h) => {
                self.i += 4;
                Ok(u32::from_str_radix(h, 16).unwrap_or(0))
            }
            None => Err(syntax(
                self.s,
                "\"\\u\" must be followed by four hexadecimal digits.".into(),
            )),
        }
    }
}

fn low_surrogate(s: &str) -> PgError {
    syntax(
        s,
        "Unicode low surrogate must follow a high surrogate.".into(),
    )
}

/// Parses JSON text, keeping each value's text (json_in's validation).
pub fn parse_raw(s: &str, jsonb: bool) -> PgResult<Raw<'_>> {
    let mut p = Parser {
        s,
        b: s.as_bytes(),
        i: 0,
        jsonb,
    };
    let (v, _) = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.expected("end of input"));
    }
    Ok(v)
}

/// json_in: the text if it is valid JSON.
pub fn parse_json(s: &str) -> PgResult<String> {
    parse_raw(s, false)?;
    Ok(s.to_owned())
}

/// jsonb_in.
pub fn parse_jsonb(s: &str) -> PgResult<Jsonb> {
    from_raw(parse_raw(s, true)?)
}

/// A number's text as numeric.
pub fn number(t: &str) -> PgResult<Numeric> {
    Numeric::parse(t).ok_or_else(|| {
        PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format",
        )
    })
}

/// A parsed text as jsonb (numbers read, keys ordered, duplicates
/// dropped keeping the last).
pub fn from_raw(r: Raw<'_>) -> PgResult<Jsonb> {
    Ok(match r {
        Raw::Null => Jsonb::Null,
        Raw::Bool(b) => Jsonb::Bool(b),
        Raw::Number(t) => Jsonb::Number(number(t)?),
        Raw::String(s) => Jsonb::String(s),
        Raw::Array(items) => Jsonb::Array(
            items
                .into_iter()
                .map(|(v, _)| from_raw(v))
                .collect::<PgResult<_>>()?,
        ),
        Raw::Object(items) => {
            let pairs = items
                .into_iter()
                .map(|(k, v, _)| Ok((k, from_raw(v)?)))
                .collect::<PgResult<Vec<_>>>()?;
            make_object(pairs)
        }
    })
}

/// An object from pairs in input order: sorted by [`key_order`], the last
/// of equal keys kept.
pub fn make_object(pairs: Vec<(String, Jsonb)>) -> Jsonb {
    let mut pairs: Vec<(usize, String, Jsonb)> = pairs
        .into_iter()
        .enumerate()
        .map(|(i, (k, v))| (i, k, v))
        .collect();
    // Stable by key, later duplicates after earlier ones.
    pairs.sort_by(|a, b| key_order(&a.1, &b.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<(String, Jsonb)> = Vec::with_capacity(pairs.len());
    for (_, k, v) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == k => last.1 = v,
            _ => out.push((k, v)),
        }
    }
    Jsonb::Object(out)
}

/// jsonb's key order: shorter keys first, then bytewise.
pub fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// Appends `s` as a JSON string (PostgreSQL's escape_json).
pub fn escape(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Jsonb {
    /// jsonb_out: `{"a": 1, "b": [1, 2]}`.
    pub fn write(&self, out: &mut String) {
        match self {
            Jsonb::Null => out.push_str("null"),
            Jsonb::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Jsonb::Number(n) => out.push_str(&n.to_string()),
            Jsonb::String(s) => escape(s, out),
            Jsonb::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Jsonb::Object(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    escape(k, out);
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// jsonb_pretty: four-space indentation, one member per line.
    pub fn pretty(&self, indent: usize, out: &mut String) {
        let pad = |n: usize, out: &mut String| out.push_str(&"    ".repeat(n));
        match self {
            Jsonb::Array(items) if items.is_empty() => {
                out.push_str("[\n");
                pad(indent, out);
                out.push(']');
            }
            Jsonb::Object(pairs) if pairs.is_empty() => {
                out.push_str("{\n");
                pad(indent, out);
                out.push('}');
            }
            Jsonb::Array(items) if !items.is_empty() => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                    }
                    pad(indent + 1, out);
                    v.pretty(indent + 1, out);
                }
                out.push('\n');
                pad(indent, out);
                out.push(']');
            }
            Jsonb::Object(pairs) if !pairs.is_empty() => {
                out.push_str("{\n");
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                    }
                    pad(indent + 1, out);
                    escape(k, out);
                    out.push_str(": ");
                    v.pretty(indent + 1, out);
                }
                out.push('\n');
                pad(indent, out);
                out.push('}');
            }
            v => v.write(out),
        }
    }

    /// jsonb_typeof's names.
    pub fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Number(_) => "number",
            Jsonb::String(_) => "string",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(pairs) => pairs
                .binary_search_by(|(k, _)| key_order(k, key))
                .ok()
                .map(|i| &pairs[i].1),
            _ => None,
        }
    }

    /// Element `i` of an array (negative counts from the end).
    pub fn index(&self, i: i64) -> Option<&Jsonb> {
        match self {
            Jsonb::Array(items) => {
                let n = items.len() as i64;
                let i = if i < 0 { n + i } else { i };
                (0..n).contains(&i).then(|| &items[i as usize])
            }
            _ => None,
        }
    }

    /// The value as text for `->>`: a string unquoted, SQL NULL for null,
    /// anything else in its jsonb text.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Jsonb::Null => None,
            Jsonb::String(s) => Some(s.clone()),
            v => Some(v.to_text()),
        }
    }

    /// Not an array or object.
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Jsonb::Array(_) | Jsonb::Object(_))
    }

    /// `@>`: whether `self` contains `other` (PostgreSQL's
    /// JsonbDeepContains: objects contain their sub-objects, arrays every
    /// element of the other array in any order, a top-level array a
    /// scalar it holds).
    pub fn contains(&self, other: &Jsonb) -> bool {
        self.contains_at(other, true)
    }

    fn contains_at(&self, other: &Jsonb, top: bool) -> bool {
        match (self, other) {
            (Jsonb::Object(_), Jsonb::Object(b)) => b.iter().all(|(k, bv)| {
                self.get(k).is_some_and(|av| {
                    if av.is_scalar() || bv.is_scalar() {
                        av.is_scalar() && bv.is_scalar() && av.eq_value(bv)
                    } else {
                        std::mem::discriminant(av) == std::mem::discriminant(bv)
                            && av.contains_at(bv, false)
                    }
                })
            }),
            (Jsonb::Array(a), Jsonb::Array(b)) => b.iter().all(|bv| {
                if bv.is_scalar() {
                    a.iter().any(|av| av.is_scalar() && av.eq_value(bv))
                } else {
                    a.iter().any(|av| {
                        std::mem::discriminant(av) == std::mem::discriminant(bv)
                            && av.contains_at(bv, false)
                    })
                }
            }),
            (Jsonb::Array(a), s) if top && s.is_scalar() => {
                a.iter().any(|av| av.is_scalar() && av.eq_value(s))
            }
            (x, y) if x.is_scalar() && y.is_scalar() => x.eq_value(y),
            _ => false,
        }
    }

    /// Equality of values (numbers by value).
    pub fn eq_value(&self, o: &Jsonb) -> bool {
        compare(self, o) == Ordering::Equal
    }

    /// `?`: a key of an object, a string element of an array, or the
    /// string itself.
    pub fn has_key(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(_) => self.get(key).is_some(),
            Jsonb::Array(items) => items
                .iter()
                .any(|v| matches!(v, Jsonb::String(s) if s == key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }

    /// jsonb_strip_nulls: object members whose value is null dropped, at
    /// every depth.
    pub fn strip_nulls(&self) -> Jsonb {
        match self {
            Jsonb::Object(p) => Jsonb::Object(
                p.iter()
                    .filter(|(_, v)| *v != Jsonb::Null)
                    .map(|(k, v)| (k.clone(), v.strip_nulls()))
                    .collect(),
            ),
            Jsonb::Array(items) => Jsonb::Array(items.iter().map(Jsonb::strip_nulls).collect()),
            v => v.clone(),
        }
    }
}

fn rank(v: &Jsonb) -> u8 {
    match v {
        Jsonb::Null => 0,
        Jsonb::String(_) => 1,
        Jsonb::Number(_) => 2,
        Jsonb::Bool(_) => 3,
        Jsonb::Array(_) => 4,
        Jsonb::Object(_) => 5,
    }
}

/// jsonb's btree order (compareJsonbContainers): a top-level scalar is a
/// one-element "raw scalar" array; arrays and objects compare by their
/// number of members first, a raw scalar below a real array of the same
/// length; then member by member (keys in storage order, then values).
pub fn compare(a: &Jsonb, b: &Jsonb) -> Ordering {
    compare_top(a, b, true)
}

fn compare_top(a: &Jsonb, b: &Jsonb, top: bool) -> Ordering {
    if top {
        let raw_a = a.is_scalar();
        let raw_b = b.is_scalar();
        let as_array = |v: &Jsonb, raw: bool| -> Option<usize> {
            match v {
                Jsonb::Array(items) => Some(items.len()),
                _ if raw => Some(1),
                _ => None,
            }
        };
        if let (Some(na), Some(nb)) = (as_array(a, raw_a), as_array(b, raw_b)) {
            let mut res = Ordering::Equal;
            if raw_a != raw_b {
                res = if raw_a {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            if na != nb {
                res = na.cmp(&nb);
            }
            if res != Ordering::Equal {
                return res;
            }
            let ea: Vec<&Jsonb> = match a {
                Jsonb::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            let eb: Vec<&Jsonb> = match b {
                Jsonb::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            for (x, y) in ea.iter().zip(&eb) {
                let c = compare_top(x, y, false);
                if c != Ordering::Equal {
                    return c;
                }
            }
            return Ordering::Equal;
        }
    }
    match (a, b) {
        (Jsonb::Array(x), Jsonb::Array(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|(p, q)| compare_top(p, q, false))
                .find(|c| *c != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        }),
        (Jsonb::Object(x), Jsonb::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|((ka, va), (kb, vb))| {
                    ka.as_bytes()
                        .cmp(kb.as_bytes())
                        .then_with(|| compare_top(va, vb, false))
                })
                .find(|c| *c != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        }),
        (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x.cmp(y),
        (Jsonb::Number(x), Jsonb::Number(y)) => x.cmp_total(y),
        (Jsonb::String(x), Jsonb::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// jsonb_send: version 1, then the text.
pub fn send(j: &Jsonb, out: &mut Vec<u8>) {
    out.push(1);
    out.extend_from_slice(j.to_text().as_bytes());
}

/// jsonb_recv.
pub fn recv(d: &[u8]) -> PgResult<Jsonb> {
    match d.first() {
        Some(1) => {}
        Some(v) => {
            return Err(PgError::new(
                sqlstate::INVALID_BINARY_REPRESENTATION,
                format!("unsupported jsonb version number {v}"),
            ))
        }
        None => {
            return Err(PgError::new(
                sqlstate::INVALID_BINARY_REPRESENTATION,
                "incorrect binary data format for type jsonb",
            ))
        }
    }
    let s = std::str::from_utf8(&d[1..]).map_err(|_| {
        PgError::new(
            "22021",
            "invalid byte sequence for encoding \"UTF8\" in jsonb value",
        )
    })?;
    parse_jsonb(s)
}

/// A date/time value in JSON's (XSD) form: `2024-06-01T12:00:00`, a
/// timestamptz with its offset in the session's zone as `+02:00`.
fn datetime_text(v: &Value) -> String {
    use super::datetime::{format_date, format_local};
    let mut out = String::new();
    match v {
        Value::Date(d) => format_date(*d, &mut out),
        Value::Timestamp(t) | Value::TimestampTz(t) if *t == i64::MAX || *t == i64::MIN => {
            format_local(*t, None, &mut out);
            out = if *t == i64::MAX {
                "infinity"
            } else {
                "-infinity"
            }
            .into();
        }
        Value::Timestamp(t) => format_local(*t, None, &mut out),
        Value::TimestampTz(t) => {
            let off = super::timezone::with_session(|tz| super::timezone::offset_at(tz, *t));
            format_local(t + off as i64 * 1_000_000, None, &mut out);
            let abs = off.unsigned_abs();
            out.push(if off < 0 { '-' } else { '+' });
            out.push_str(&format!("{:02}:{:02}", abs / 3600, abs % 3600 / 60));
            if !abs.is_multiple_of(60) {
                out.push_str(&format!(":{:02}", abs % 60));
            }
        }
        _ => {}
    }
    // The date and time are joined by "T"; an era stays after them.
    if let Some(i) = out.find(' ') {
        if !out[i..].starts_with(" BC") {
            out.replace_range(i..i + 1, "T");
        }
    }
    out
}

/// to_json: a value as JSON text (arrays as JSON arrays without spaces,
/// numbers bare unless NaN or infinite, json as it is, other types as the
/// string of their text form).
pub fn value_to_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int2(_)
        | Value::Int4(_)
        | Value::Int8(_)
        | Value::Oid(_)
        | Value::Numeric(_)
        | Value::Float4(_)
        | Value::Float8(_) => {
            let t = v.to_text();
            if matches!(t.as_str(), "NaN" | "Infinity" | "-Infinity") {
                escape(&t, out)
            } else {
                out.push_str(&t)
            }
        }
        Value::Json(j) => out.push_str(j),
        Value::Jsonb(j) => j.write(out),
        Value::Date(_) | Value::Timestamp(_) | Value::TimestampTz(_) => {
            escape(&datetime_text(v), out)
        }
        Value::Array(..) | Value::MdArray(_) => {
            let Some(a) = super::array::view(v) else {
                return;
            };
            let dims = a.dims.clone();
            let mut items = a.items.iter();
            array_to_json(&dims, &mut items, out);
        }
        Value::Void => {}
        Value::Record(r) => record_to_json(r, false, out),
        other => escape(&other.to_text(), out),
    }
}

/// row_to_json: a composite value as a JSON object of its fields, with a
/// newline and a space between fields when `pretty`.
pub fn record_to_json(r: &super::record::RecordValue, pretty: bool, out: &mut String) {
    out.push('{');
    for (i, (_, v)) in r.fields.iter().enumerate() {
        if i > 0 {
            out.push_str(if pretty { ",\n " } else { "," });
        }
        escape(&r.name(i), out);
        out.push(':');
        value_to_json(v, out);
    }
    out.push('}');
}

fn array_to_json<'v>(dims: &[i32], items: &mut impl Iterator<Item = &'v Value>, out: &mut String) {
    out.push('[');
    let n = dims.first().copied().unwrap_or(0).max(0) as usize;
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        if dims.len() > 1 {
            array_to_json(&dims[1..], items, out);
        } else if let Some(v) = items.next() {
            value_to_json(v, out);
        }
    }
    out.push(']');
}

/// to_jsonb: a value as jsonb.
pub fn value_to_jsonb(v: &Value) -> PgResult<Jsonb> {
    Ok(match v {
        Value::Null => Jsonb::Null,
        Value::Bool(b) => Jsonb::Bool(*b),
        Value::Json(j) => parse_jsonb(j)?,
        Value::Jsonb(j) => (**j).clone(),
        Value::Text(s) => Jsonb::String(s.clone()),
        _ => {
            let mut t = String::new();
            value_to_json(v, &mut t);
            parse_jsonb(&t)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        parse_jsonb(s).unwrap().to_text()
    }

    #[test]
    fn canonical_form() {
        assert_eq!(
            canon(r#"{"bb": 1, "a": [1,2, {"c":null}], "a": true}"#),
            r#"{"a": true, "bb": 1}"#
        );
        assert_eq!(
            canon(" [1.50, -0, 1e2, \"x\\ty\"] "),
            r#"[1.50, 0, 100, "x\ty"]"#
        );
        assert_eq!(canon("{}"), "{}");
        assert_eq!(canon("\"\\u00e9\""), "\"é\"");
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "{",
            "[1,]",
            "01",
            "1.",
            "tru",
            "{\"a\" 1}",
            "\"\\x\"",
            "nul",
        ] {
            assert_eq!(parse_raw(bad, false).unwrap_err().code, "22P02", "{bad}");
        }
        assert_eq!(parse_jsonb("\"\\u0000\"").unwrap_err().code, "22P05");
        assert!(parse_raw("\"\\u0000\"", false).is_ok());
    }

    #[test]
    fn ordering_and_containment() {
        let j = |s: &str| parse_jsonb(s).unwrap();
        assert_eq!(compare(&j("1"), &j("[]")), Ordering::Greater);
        assert_eq!(compare(&j("1"), &j("[1]")), Ordering::Less);
        assert_eq!(compare(&j("{}"), &j("[1, 2]")), Ordering::Greater);
        assert_eq!(compare(&j("1.0"), &j("1")), Ordering::Equal);
        assert!(j(r#"{"a": [1, 2, 3], "b": 1}"#).contains(&j(r#"{"a": [3, 1]}"#)));
        assert!(!j(r#"{"a": 1}"#).contains(&j(r#"{"a": 1, "b": 2}"#)));
        assert!(j(r#"["a", 1]"#).contains(&j(r#""a""#)));
    }
}
