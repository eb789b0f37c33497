//! Composite values: of the anonymous type `record` (OID 2249), as
//! `ROW(...)` and a function with OUT parameters make them
//! (`_pg_expandarray`), or of a named row type (a table's, a view's or
//! one of CREATE TYPE ... AS: `types::composite`). Each field with its
//! type; PostgreSQL's text form (record_out: `(1,"a b",)`; record_in
//! reads it back into a row type), binary form (record_send,
//! record_recv), the comparison of record_ops, and the field descriptor
//! the analyzer resolves `(expr).field` with. Field values are read by
//! their types' input functions without the attributes' type modifiers,
//! which are applied above this layer (`utils::adt::ops::apply_typmod`)
//! where a cast or an assignment asks for them.

use std::cmp::Ordering;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};

use super::{Oid, Value};
use crate::error::{sqlstate, PgError, PgResult};

/// A composite value: its type (`record` or a row type), its fields'
/// names when known (row_to_json prints them; `f1`, `f2`... otherwise,
/// as PostgreSQL names a `ROW(...)`'s fields) and each field with its
/// type. Dereferences to the fields.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordValue {
    pub typ: Oid,
    pub names: Option<Arc<Vec<String>>>,
    pub fields: Vec<(Oid, Value)>,
}

impl RecordValue {
    /// A value of type `record` with unnamed fields.
    pub fn anonymous(fields: Vec<(Oid, Value)>) -> Box<RecordValue> {
        Box::new(RecordValue {
            typ: super::oid::RECORD,
            names: None,
            fields,
        })
    }

    /// The name of field `i` (0-based).
    pub fn name(&self, i: usize) -> String {
        match self.names.as_deref().and_then(|n| n.get(i)) {
            Some(n) => n.clone(),
            None => format!("f{}", i + 1),
        }
    }
}

impl std::ops::Deref for RecordValue {
    type Target = Vec<(Oid, Value)>;
    fn deref(&self) -> &Self::Target {
        &self.fields
    }
}

impl std::ops::DerefMut for RecordValue {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.fields
    }
}

/// record_cmp: field by field with each field type's default ordering, a
/// NULL equal to a NULL and greater than any value (what `=`, `<` ... of
/// two composite values, ORDER BY and DISTINCT use). `cmp` compares two
/// non-NULL values.
pub fn compare(
    a: &[(Oid, Value)],
    b: &[(Oid, Value)],
    cmp: &mut dyn FnMut(&Value, &Value) -> Ordering,
) -> Ordering {
    for ((_, x), (_, y)) in a.iter().zip(b) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => cmp(x, y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// A record's fields: (name, type), in order.
pub type RecordDesc = Vec<(String, Oid)>;

/// record_out: fields between parentheses, separated by commas; a NULL
/// is empty, an empty string `""`; a value with a quote, backslash,
/// parenthesis, comma or white space is double-quoted, its quotes and
/// backslashes doubled.
pub fn write_text(fields: &[(Oid, Value)], s: &mut String) {
    s.push('(');
    for (i, (_, v)) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        if v.is_null() {
            continue;
        }
        let t = v.to_text();
        let quote = t.is_empty()
            || t.chars()
                .any(|c| matches!(c, '"' | '\\' | '(' | ')' | ',') || c.is_ascii_whitespace());
        if !quote {
            s.push_str(&t);
            continue;
        }
        s.push('"');
        for c in t.chars() {
            if c == '"' || c == '\\' {
                s.push(c);
            }
            s.push(c);
        }
        s.push('"');
    }
    s.push(')');
}

/// record_send: the field count, then each field's type OID and its
/// length-prefixed binary form (-1 for NULL).
pub fn send(fields: &[(Oid, Value)], out: &mut BytesMut) {
    out.put_i32(fields.len() as i32);
    for (t, v) in fields {
        out.put_u32(*t);
        if v.is_null() {
            out.put_i32(-1);
            continue;
        }
        let mut b = BytesMut::new();
        v.encode_binary_as(*t, &mut b);
        out.put_i32(b.len() as i32);
        out.put_slice(&b);
    }
}

/// 22P02 "malformed record literal" with its DETAIL.
fn malformed(s: &str, detail: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("malformed record literal: \"{s}\""),
    )
    .with_detail(detail)
}

/// The row type `t` (None for `record`, whose input PostgreSQL refuses).
fn row_type(t: Oid) -> PgResult<Arc<super::composite::CompositeType>> {
    if t == super::oid::RECORD {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "input of anonymous composite types is not implemented",
        ));
    }
    super::composite::by_oid(t).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("type with OID {t} does not exist"),
        )
    })
}

/// record_in: `(f1,f2,...)` into a value of row type `t`. An empty field
/// is NULL; `""` is an empty string; inside double quotes commas and
/// parentheses are data and `""` is a quote; a backslash takes the next
/// character as is. White space before `(` and after `)` is allowed;
/// inside, it is data.
pub fn input(t: Oid, s: &str) -> PgResult<Value> {
    let c = row_type(t)?;
    let b = s.as_bytes();
    let mut p = 0;
    while p < b.len() && b[p].is_ascii_whitespace() {
        p += 1;
    }
    if b.get(p) != Some(&b'(') {
        return Err(malformed(s, "Missing left parenthesis."));
    }
    p += 1;
    let mut fields = Vec::with_capacity(c.types.len());
    for (i, &ty) in c.types.iter().enumerate() {
        if i > 0 {
            if b.get(p) == Some(&b',') {
                p += 1;
            } else {
                return Err(malformed(s, "Too few columns."));
            }
        }
        if matches!(b.get(p), Some(b',' | b')')) {
            fields.push((ty, Value::Null));
            continue;
        }
        let mut buf: Vec<u8> = Vec::new();
        let mut inquote = false;
        loop {
            let Some(&ch) = b.get(p) else {
                return Err(malformed(s, "Unexpected end of input."));
            };
            if !inquote && (ch == b',' || ch == b')') {
                break;
            }
            p += 1;
            match ch {
                b'\\' => {
                    let Some(&next) = b.get(p) else {
                        return Err(malformed(s, "Unexpected end of input."));
                    };
                    buf.push(next);
                    p += 1;
                }
                b'"' if !inquote => inquote = true,
                b'"' if b.get(p) == Some(&b'"') => {
                    buf.push(b'"');
                    p += 1;
                }
                b'"' => inquote = false,
                _ => buf.push(ch),
            }
        }
        // Only ASCII bytes were taken out of valid UTF-8, so the rest is
        // valid UTF-8.
        let text = String::from_utf8_lossy(&buf);
        fields.push((ty, Value::parse_text(ty, &text)?));
    }
    if b.get(p) != Some(&b')') {
        return Err(malformed(s, "Too many columns."));
    }
    p += 1;
    while p < b.len() && b[p].is_ascii_whitespace() {
        p += 1;
    }
    if p < b.len() {
        return Err(malformed(s, "Junk after right parenthesis."));
    }
    Ok(Value::Record(Box::new(RecordValue {
        typ: t,
        names: Some(Arc::clone(&c.names)),
        fields,
    })))
}

/// record_recv: the form [`send`] writes, into a value of row type `t`:
/// the field count and each field's type must be the row type's (42804).
pub fn recv(t: Oid, d: &[u8]) -> PgResult<Value> {
    let c = row_type(t)?;
    let bad = || {
        PgError::new(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "insufficient data left in message",
        )
    };
    let mut p = 0usize;
    let int = |p: &mut usize| -> PgResult<i32> {
        let v = d
            .get(*p..*p + 4)
            .and_then(|x| x.try_into().ok())
            .map(i32::from_be_bytes)
            .ok_or_else(bad)?;
        *p += 4;
        Ok(v)
    };
    let n = int(&mut p)?;
    if n as usize != c.types.len() || n < 0 {
        return Err(PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("wrong number of columns: {n}, expected {}", c.types.len()),
        ));
    }
    let mut fields = Vec::with_capacity(c.types.len());
    for &ty in &c.types {
        let got = int(&mut p)? as u32;
        if got != ty {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("wrong data type: {got}, expected {ty}"),
            ));
        }
        let len = int(&mut p)?;
        if len < 0 {
            fields.push((ty, Value::Null));
            continue;
        }
        let data = d.get(p..p + len as usize).ok_or_else(bad)?;
        p += len as usize;
        fields.push((ty, Value::decode(ty, 1, data)?));
    }
    if p != d.len() {
        return Err(PgError::new(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            format!(
                "incorrect binary data format for type {}",
                super::type_name(t)
            ),
        ));
    }
    Ok(Value::Record(Box::new(RecordValue {
        typ: t,
        names: Some(Arc::clone(&c.names)),
        fields,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_quotes_as_record_out() {
        let mut s = String::new();
        write_text(
            &[
                (23, Value::Int4(1)),
                (25, Value::Text("a b".into())),
                (25, Value::Null),
                (25, Value::Text(String::new())),
                (25, Value::Text("x\"y".into())),
            ],
            &mut s,
        );
        assert_eq!(s, r#"(1,"a b",,"","x""y")"#);
    }

    /// Publishes a row type `pair (a int4, b text)` with OID 20000.
    fn with_pair() -> Oid {
        use super::super::composite::{set_session, CompositeType};
        let t = CompositeType {
            oid: 20000,
            array: 20001,
            relid: 20002,
            name: "pair".into(),
            array_name: "_pair".into(),
            namespace: 2200,
            relkind: b'c',
            names: Arc::new(vec!["a".into(), "b".into()]),
            types: vec![23, 25],
            typmods: vec![-1, -1],
        };
        set_session(&Arc::new(vec![Arc::new(t)]));
        20000
    }

    fn fields(v: &Value) -> Vec<Value> {
        match v {
            Value::Record(r) => r.fields.iter().map(|f| f.1.clone()).collect(),
            v => panic!("not a record: {v:?}"),
        }
    }

    #[test]
    fn record_in_reads_quotes_backslashes_and_nulls() {
        let t = with_pair();
        let v = input(t, r#" (1,"a ""b"", c\\d") "#).unwrap();
        assert_eq!(
            fields(&v),
            vec![Value::Int4(1), Value::Text(r#"a "b", c\d"#.into())]
        );
        assert_eq!(
            fields(&input(t, "(,)").unwrap()),
            vec![Value::Null, Value::Null]
        );
        assert_eq!(
            fields(&input(t, r#"(2,"")"#).unwrap()),
            vec![Value::Int4(2), Value::Text(String::new())]
        );
        assert_eq!(
            fields(&input(t, r"(3,a\,b)").unwrap()),
            vec![Value::Int4(3), Value::Text("a,b".into())]
        );
        for (bad, detail) in [
            ("()", "Too few columns."),
            ("(1,x,y)", "Too many columns."),
            ("1,x", "Missing left parenthesis."),
            ("(1,\"x", "Unexpected end of input."),
            ("(1,x) y", "Junk after right parenthesis."),
        ] {
            let e = input(t, bad).unwrap_err();
            assert_eq!(e.code, "22P02", "{bad}");
            assert_eq!(e.message, format!("malformed record literal: \"{bad}\""));
            assert_eq!(e.detail.as_deref(), Some(detail), "{bad}");
        }
        assert_eq!(
            input(super::super::oid::RECORD, "(1)").unwrap_err().code,
            "0A000"
        );
    }

    #[test]
    fn record_send_and_recv_round_trip() {
        let t = with_pair();
        for text in ["(1,x)", "(,)", "(7,\"a b\")"] {
            let v = input(t, text).unwrap();
            let mut b = BytesMut::new();
            let Value::Record(r) = &v else { panic!() };
            send(r, &mut b);
            assert_eq!(recv(t, &b).unwrap(), v, "{text}");
        }
        // A field of another type, or another count, is refused.
        let mut b = BytesMut::new();
        send(&[(23, Value::Int4(1)), (23, Value::Int4(2))], &mut b);
        assert_eq!(recv(t, &b).unwrap_err().code, "42804");
        let mut b = BytesMut::new();
        send(&[(23, Value::Int4(1))], &mut b);
        assert_eq!(recv(t, &b).unwrap_err().code, "42804");
    }
}
