//! Composite values: of the anonymous type `record` (OID 2249), as
//! `ROW(...)` and a function with OUT parameters make them
//! (`_pg_expandarray`), or of a named row type (a table's or a view's:
//! `types::composite`; CREATE TYPE ... AS is not supported yet). Each field with
//! its type; PostgreSQL's text form (record_out: `(1,"a b",)`), binary
//! form (record_send), the comparison of record_ops, and the field
//! descriptor the analyzer resolves `(expr).field` with.

use std::cmp::Ordering;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};

use super::{Oid, Value};

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
}
