//! Order-preserving index keys: byte strings whose memcmp order is the
//! SQL order of the values (B-tree indexes compare keys with memcmp).
//!
//! Each column is a marker byte (0x01 value, 0x02 NULL: NULLs sort last,
//! as PostgreSQL's default NULLS LAST) then the value: integers, dates
//! and timestamps big-endian with the sign bit flipped; floats as their
//! IEEE bits made monotonic (NaN last, -0 = 0); booleans one byte; text
//! and bytea with 0x00 escaped as 0x00 0xFF and terminated by 0x00 0x00
//! (so a prefix sorts first); numeric as sign class, decimal exponent and
//! digits (inverted for negatives). Multi-column keys concatenate the
//! columns, which keeps the order lexicographic.

use crate::types::{Numeric, Value};

const VALUE: u8 = 0x01;
const NULL: u8 = 0x02;

/// Appends one column's encoding.
pub fn encode_value(v: &Value, out: &mut Vec<u8>) {
    if v.is_null() {
        out.push(NULL);
        return;
    }
    out.push(VALUE);
    match v {
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::Int2(x) => out.extend_from_slice(&((*x as u16) ^ 0x8000).to_be_bytes()),
        Value::Int4(x) | Value::Date(x) => {
            out.extend_from_slice(&((*x as u32) ^ 0x8000_0000).to_be_bytes())
        }
        Value::Oid(x) => out.extend_from_slice(&x.to_be_bytes()),
        Value::Int8(x) | Value::Timestamp(x) | Value::TimestampTz(x) => {
            out.extend_from_slice(&((*x as u64) ^ (1 << 63)).to_be_bytes())
        }
        Value::Float4(x) => out.extend_from_slice(&float_bits(*x as f64).to_be_bytes()),
        Value::Float8(x) => out.extend_from_slice(&float_bits(*x).to_be_bytes()),
        // By the label's sort order, which never changes once given.
        Value::Enum(label) => out
            .extend_from_slice(&float_bits(crate::types::enums::sort_order(*label)).to_be_bytes()),
        Value::Text(s) => bytes(s.as_bytes(), out),
        Value::Bytea(b) => bytes(b, out),
        Value::Uuid(u) => out.extend_from_slice(u),
        Value::MacAddr(m) => out.extend_from_slice(m),
        Value::MacAddr8(m) => out.extend_from_slice(m),
        Value::Time(t) => out.extend_from_slice(&((*t as u64) ^ (1 << 63)).to_be_bytes()),
        // timetz_cmp: the UTC time of day, then the zone.
        Value::TimeTz(t, z) => {
            let utc = t + *z as i64 * 1_000_000;
            out.extend_from_slice(&((utc as u64) ^ (1 << 63)).to_be_bytes());
            out.extend_from_slice(&((*z as u32) ^ 0x8000_0000).to_be_bytes());
        }
        // network_cmp: family, the network bits one per byte (1 or 2)
        // ended by 0 (so a shorter mask sorts first after an equal
        // prefix), then the mask length, then the whole address.
        Value::Inet(n) => {
            out.push(n.family);
            for i in 0..n.bits as usize {
                out.push(if n.addr[i / 8] & (0x80 >> (i % 8)) != 0 {
                    2
                } else {
                    1
                });
            }
            out.push(0);
            out.push(n.bits);
            out.extend_from_slice(n.bytes());
        }
        Value::Tid(b, o) => {
            out.extend_from_slice(&b.to_be_bytes());
            out.extend_from_slice(&o.to_be_bytes());
        }
        Value::Json(s) => bytes(s.as_bytes(), out),
        Value::Jsonb(j) => jsonb_key(j, true, out),
        Value::Numeric(n) => numeric(n, out),
        Value::Interval(iv) => {
            let span = iv.span();
            out.extend_from_slice(&((span as u128) ^ (1 << 127)).to_be_bytes())
        }
        Value::Array(..) | Value::MdArray(_) => {
            // The elements, a terminator (so that a prefix sorts first),
            // then the shape, as array_cmp orders arrays.
            let Some(a) = crate::types::array::view(v) else {
                return;
            };
            for v in a.items {
                encode_value(v, out);
            }
            out.push(0);
            out.push(a.ndim() as u8);
            for x in a.dims.iter().chain(&a.lbounds) {
                out.extend_from_slice(&((*x as u32) ^ 0x8000_0000).to_be_bytes());
            }
        }
        // Field by field, as record_ops compares them.
        Value::Record(f) => {
            for (_, v) in f.iter() {
                encode_value(v, out);
            }
        }
        Value::Null | Value::Void => {}
    }
}

/// jsonb in its btree order (`types::json::compare`): arrays and objects
/// by member count, a top-level scalar as a one-element array below a
/// real one, then the members; scalars by kind (null, string, number,
/// boolean), then value.
fn jsonb_key(j: &crate::types::json::Jsonb, top: bool, out: &mut Vec<u8>) {
    use crate::types::json::Jsonb as J;
    let count = |n: usize, out: &mut Vec<u8>| out.extend_from_slice(&(n as u32).to_be_bytes());
    match j {
        J::Array(items) => {
            out.push(4);
            count(items.len(), out);
            if top {
                out.push(1);
            }
            for v in items {
                jsonb_key(v, false, out);
            }
        }
        J::Object(pairs) => {
            out.push(5);
            count(pairs.len(), out);
            for (k, v) in pairs {
                bytes(k.as_bytes(), out);
                jsonb_key(v, false, out);
            }
        }
        scalar if top => {
            out.push(4);
            count(1, out);
            out.push(0);
            jsonb_key(scalar, false, out);
        }
        J::Null => out.push(0),
        J::String(s) => {
            out.push(1);
            bytes(s.as_bytes(), out);
        }
        J::Number(n) => {
            out.push(2);
            numeric(n, out);
        }
        J::Bool(b) => {
            out.push(3);
            out.push(u8::from(*b));
        }
    }
}

/// pg_index.indoption bits.
pub const INDOPTION_DESC: u8 = 1;
pub const INDOPTION_NULLS_FIRST: u8 = 2;

/// The marker of a non-NULL value of a DESC column (its value bytes
/// follow complemented, which reverses their memcmp order: every value's
/// encoding is self-delimiting); a NULL is [`DESC_NULL_FIRST`] or
/// [`DESC_NULL_LAST`] around it. No marker is 0xFF, which
/// [`prefix_upper`] puts after every column.
pub const DESC_VALUE: u8 = 0xFD;
const DESC_NULL_FIRST: u8 = 0xFC;
const DESC_NULL_LAST: u8 = 0xFE;
/// A NULL of an ASC NULLS FIRST column.
const ASC_NULL_FIRST: u8 = 0x00;

/// Appends one index column's encoding under its indoption `opt`: ASC
/// NULLS LAST (0) is [`encode_value`]'s.
pub fn encode_column(v: &Value, opt: u8, out: &mut Vec<u8>) {
    let (desc, nulls_first) = (opt & INDOPTION_DESC != 0, opt & INDOPTION_NULLS_FIRST != 0);
    match (v.is_null(), desc) {
        (true, false) if nulls_first => out.push(ASC_NULL_FIRST),
        (_, false) => encode_value(v, out),
        (true, true) => out.push(if nulls_first {
            DESC_NULL_FIRST
        } else {
            DESC_NULL_LAST
        }),
        (false, true) => {
            let start = out.len();
            encode_value(v, out);
            out[start] = DESC_VALUE;
            for b in &mut out[start + 1..] {
                *b = !*b;
            }
        }
    }
}

/// The markers that start and end the non-NULL values of a column with
/// indoption `opt` (a range [first, end) of first bytes).
pub fn value_markers(opt: u8) -> (u8, u8) {
    if opt & INDOPTION_DESC != 0 {
        (DESC_VALUE, DESC_VALUE + 1)
    } else {
        (VALUE, VALUE + 1)
    }
}

/// Encodes a key of several columns.
pub fn encode(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * 9);
    for v in values {
        encode_value(v, &mut out);
    }
    out
}

/// A key that sorts after every key starting with `prefix` (for an upper
/// bound covering all keys with these leading columns).
pub fn prefix_upper(prefix: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(prefix.len() + 1);
    v.extend_from_slice(prefix);
    v.push(0xFF);
    v
}

fn float_bits(x: f64) -> u64 {
    if x.is_nan() {
        return u64::MAX;
    }
    let x = if x == 0.0 { 0.0 } else { x };
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn bytes(b: &[u8], out: &mut Vec<u8>) {
    for &c in b {
        out.push(c);
        if c == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// Numeric: class (0 -Infinity, 1 negative, 2 zero, 3 positive and
/// Infinity, 4 NaN), then for non-zero values the decimal exponent
/// (position of the first significant digit) as a biased big-endian i16
/// and the significant digits as ASCII ending in 0x00; both inverted for
/// negatives so that larger magnitudes sort first. An exponent of 32767
/// or more (values of 32767 digits and more) is 0xFFFF followed by the
/// excess as a big-endian u32; Infinity is 0xFFFF then 0xFFFFFFFF, above
/// them all.
fn numeric(n: &Numeric, out: &mut Vec<u8>) {
    let (neg, digits, scale) = match n {
        Numeric::NaN => return out.push(4),
        Numeric::NegInf => return out.push(0),
        Numeric::PosInf => return out.extend_from_slice(&[3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        Numeric::Finite { mant: 0, .. } => return out.push(2),
        Numeric::Finite { mant, scale } => (*mant < 0, mant.unsigned_abs().to_string(), *scale),
        Numeric::Big(b) => (
            b.mant.sign() == num_bigint::Sign::Minus,
            b.mant.magnitude().to_string(),
            b.scale,
        ),
    };
    let exp = digits.len() as i64 - scale as i64;
    let digits = digits.trim_end_matches('0');
    let mut body = Vec::with_capacity(digits.len() + 7);
    if exp >= i16::MAX as i64 {
        body.extend_from_slice(&[0xFF, 0xFF]);
        body.extend_from_slice(&((exp - i16::MAX as i64) as u32).to_be_bytes());
    } else {
        body.extend_from_slice(&((exp as i16 as u16) ^ 0x8000).to_be_bytes());
    }
    body.extend_from_slice(digits.as_bytes());
    body.push(0);
    if neg {
        out.push(1);
        out.extend(body.iter().map(|b| !b));
    } else {
        out.push(3);
        out.extend_from_slice(&body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::utils::adt::ops::compare;
    use rand::{Rng, SeedableRng};
    use std::cmp::Ordering;

    /// SQL order with NULLS LAST.
    fn sql_cmp(a: &Value, b: &Value) -> Ordering {
        match (a.is_null(), b.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => compare(a, b),
        }
    }

    fn check(values: &[Value]) {
        for a in values {
            for b in values {
                let want = sql_cmp(a, b);
                let got = encode(std::slice::from_ref(a)).cmp(&encode(std::slice::from_ref(b)));
                assert_eq!(got, want, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn column_options_order_keys_as_declared() {
        let vals = [
            Value::Null,
            Value::Int4(-3),
            Value::Int4(0),
            Value::Int4(7),
            Value::Text(String::new()),
            Value::Text("a".into()),
            Value::Text("ab".into()),
            Value::Text("b".into()),
        ];
        // Two columns, so a prefix's ordering against the next column's
        // bytes counts too.
        for opt in 0..4u8 {
            let (desc, nulls_first) = (opt & 1 != 0, opt & 2 != 0);
            for (a, b) in vals.iter().flat_map(|a| vals.iter().map(move |b| (a, b))) {
                if a.is_null() != b.is_null() || a.is_null() {
                    continue;
                }
                if std::mem::discriminant(a) != std::mem::discriminant(b) {
                    continue;
                }
                let key = |v: &Value, next: i32| {
                    let mut k = Vec::new();
                    encode_column(v, opt, &mut k);
                    encode_column(&Value::Int4(next), opt, &mut k);
                    k
                };
                let mut want = compare(a, b);
                if want == Ordering::Equal {
                    continue;
                }
                if desc {
                    want = want.reverse();
                }
                assert_eq!(key(a, 9).cmp(&key(b, 1)), want, "{opt} {a:?} {b:?}");
            }
            let mut null = Vec::new();
            encode_column(&Value::Null, opt, &mut null);
            let mut one = Vec::new();
            encode_column(&Value::Int4(1), opt, &mut one);
            assert_eq!(null < one, nulls_first, "{opt}");
            let (lo, hi) = value_markers(opt);
            assert!(one[0] >= lo && one[0] < hi && (null[0] < lo || null[0] >= hi));
            assert!(null[0] < 0xFF && one[0] < 0xFF);
        }
    }

    #[test]
    fn order_matches_value_order() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut ints = vec![
            Value::Null,
            Value::Int4(0),
            Value::Int4(i32::MIN),
            Value::Int4(i32::MAX),
        ];
        let mut bigs = vec![
            Value::Null,
            Value::Int8(i64::MIN),
            Value::Int8(-1),
            Value::Int8(0),
        ];
        let mut floats = vec![
            Value::Float8(f64::NAN),
            Value::Float8(-0.0),
            Value::Float8(0.0),
            Value::Float8(f64::NEG_INFINITY),
            Value::Float8(f64::INFINITY),
            Value::Null,
        ];
        let mut texts = vec![
            Value::Text(String::new()),
            Value::Text("a".into()),
            Value::Text("a\0".into()),
            Value::Text("a\0b".into()),
            Value::Text("ab".into()),
            Value::Text("é".into()),
            Value::Null,
        ];
        let mut nums = vec![Value::Numeric(Numeric::NaN), Value::Null];
        for _ in 0..60 {
            ints.push(Value::Int4(rng.gen_range(-1000..1000)));
            bigs.push(Value::Int8(rng.gen()));
            floats.push(Value::Float8(rng.gen_range(-1e6..1e6)));
            let len = rng.gen_range(0..4);
            texts.push(Value::Text(
                (0..len)
                    .map(|_| rng.gen_range(b'a'..=b'c') as char)
                    .collect(),
            ));
            let s = format!(
                "{}{}.{}",
                if rng.gen_bool(0.5) { "-" } else { "" },
                rng.gen_range(0..1000),
                rng.gen_range(0..100)
            );
            nums.push(Value::Numeric(Numeric::parse(&s).unwrap()));
        }
        for s in [
            "0", "0.000", "10", "9.99", "100", "-10", "-9.99", "-100", "0.01", "-0.01",
        ] {
            nums.push(Value::Numeric(Numeric::parse(s).unwrap()));
        }
        check(&ints);
        check(&bigs);
        check(&floats);
        check(&texts);
        check(&nums);
        check(&[Value::Bool(false), Value::Bool(true), Value::Null]);
    }

    #[test]
    fn multi_column_keys_are_lexicographic() {
        let rows: Vec<[Value; 2]> = vec![
            [Value::Text("a".into()), Value::Int4(2)],
            [Value::Text("a".into()), Value::Null],
            [Value::Text("ab".into()), Value::Int4(1)],
            [Value::Text("a".into()), Value::Int4(-5)],
            [Value::Null, Value::Int4(0)],
        ];
        for a in &rows {
            for b in &rows {
                let want = sql_cmp(&a[0], &b[0]).then_with(|| sql_cmp(&a[1], &b[1]));
                assert_eq!(encode(a).cmp(&encode(b)), want, "{a:?} vs {b:?}");
            }
        }
        let k = encode(&[Value::Text("a".into())]);
        let full = encode(&[Value::Text("a".into()), Value::Int4(i32::MAX)]);
        assert!(full > k && full < prefix_upper(&k));
    }
}
