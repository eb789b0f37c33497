//! Values of the anonymous composite type `record` (OID 2249), as a
//! function with OUT parameters returns them (`_pg_expandarray`): each
//! field with its type, PostgreSQL's text form (record_out: `(1,"a b",)`)
//! and binary form (record_send), and the field descriptor the analyzer
//! resolves `(expr).field` with.

use bytes::{BufMut, BytesMut};

use super::{Oid, Value};

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
