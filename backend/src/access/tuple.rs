//! Row format inside heap tuples, after PostgreSQL's HeapTupleHeader
//! data area: `natts` (u16), a flags byte (bit 0: has nulls), the null
//! bitmap (bit set = not null) when there are nulls, padding to 8, then
//! each non-null attribute aligned to its type's alignment (offsets count
//! from the start of this data). Variable-length values (text, numeric,
//! bytea, arrays in their array_send form, composite values in their
//! record_send form) carry a varlena header: one byte `len << 1 | 1` when the whole
//! value is under 128 bytes (no alignment), else a 4-byte little-endian
//! `len << 2` aligned to 4. Padding bytes are zero, so a reader at an
//! unaligned offset tells a short header (non-zero byte) from padding.
//!
//! [`deform`] decodes only the attributes a query needs and stops after
//! the last of them.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{array, oid, Interval, Numeric, Oid, Value};

const HAS_NULLS: u8 = 1;

/// Storage length and alignment: (Some(len), align) for fixed-width types,
/// (None, 4) for varlena ones.
fn storage(ty: Oid) -> (Option<usize>, usize) {
    match ty {
        oid::BOOL => (Some(1), 1),
        oid::INT2 => (Some(2), 2),
        oid::INT4 | oid::FLOAT4 | oid::DATE | oid::OID | oid::XID | oid::CID => (Some(4), 4),
        oid::TID => (Some(6), 2),
        oid::INT8 | oid::FLOAT8 | oid::TIMESTAMP | oid::TIMESTAMPTZ => (Some(8), 8),
        oid::INTERVAL => (Some(16), 8),
        oid::TIME => (Some(8), 8),
        oid::TIMETZ => (Some(12), 8),
        oid::UUID => (Some(16), 1),
        oid::MACADDR => (Some(6), 1),
        oid::MACADDR8 => (Some(8), 1),
        t if crate::types::enums::is_enum(t) => (Some(4), 4),
        _ => (None, 4),
    }
}

fn align(off: usize, a: usize) -> usize {
    (off + a - 1) & !(a - 1)
}

fn header_len(natts: usize, has_nulls: bool) -> usize {
    let bitmap = if has_nulls { natts.div_ceil(8) } else { 0 };
    align(3 + bitmap, 8)
}

fn corrupt(what: &str) -> PgError {
    PgError::new(
        sqlstate::DATA_CORRUPTED,
        format!("invalid tuple data: {what}"),
    )
}

fn type_mismatch(ty: Oid, v: &Value) -> PgError {
    PgError::internal(format!("cannot store {v:?} as type {ty}"))
}

fn put_varlena(out: &mut Vec<u8>, payload: &[u8]) {
    let short = payload.len() + 1;
    if short < 128 {
        out.push((short as u8) << 1 | 1);
    } else {
        let n = align(out.len(), 4);
        out.resize(n, 0);
        out.extend_from_slice(&(((payload.len() + 4) as u32) << 2).to_le_bytes());
    }
    out.extend_from_slice(payload);
}

/// A numeric's stored form: a tag byte, then for `Finite` (tag 0) the
/// scale (u16) and the i128 mantissa (19 bytes in all); NaN 1,
/// Infinity 2, -Infinity 3 (padded to 19 bytes); a `Big` value tag 4, the
/// scale (u16), the sign (0 or 1) and the magnitude's bytes, little-endian.
fn numeric_payload(n: &Numeric) -> Vec<u8> {
    let mut b = vec![0u8; 19];
    match n {
        Numeric::NaN => b[0] = 1,
        Numeric::PosInf => b[0] = 2,
        Numeric::NegInf => b[0] = 3,
        Numeric::Finite { mant, scale } => {
            b[1..3].copy_from_slice(&(*scale as u16).to_le_bytes());
            b[3..19].copy_from_slice(&mant.to_le_bytes());
        }
        Numeric::Big(big) => {
            b.truncate(4);
            b[0] = 4;
            b[1..3].copy_from_slice(&(big.scale as u16).to_le_bytes());
            let (sign, mag) = big.mant.to_bytes_le();
            b[3] = (sign == num_bigint::Sign::Minus) as u8;
            b.extend_from_slice(&mag);
        }
    }
    b
}

fn numeric_from_payload(payload: &[u8]) -> PgResult<Numeric> {
    let tag = payload.first().copied().unwrap_or(255);
    if tag == 4 && payload.len() > 4 {
        let scale = u16::from_le_bytes(le(payload, 1)?) as u32;
        let sign = if payload[3] == 1 {
            num_bigint::Sign::Minus
        } else {
            num_bigint::Sign::Plus
        };
        let mant = num_bigint::BigInt::from_bytes_le(sign, &payload[4..]);
        return Numeric::from_parts(mant, scale).map_err(|_| corrupt("numeric value"));
    }
    if payload.len() != 19 {
        return Err(corrupt("numeric length"));
    }
    Ok(match tag {
        0 => Numeric::from_scaled(
            i128::from_le_bytes(le(payload, 3)?),
            u16::from_le_bytes(le(payload, 1)?) as u32,
        ),
        1 => Numeric::NaN,
        2 => Numeric::PosInf,
        3 => Numeric::NegInf,
        _ => return Err(corrupt("numeric tag")),
    })
}

/// Encodes a row of values of `types` (already of the column types).
pub fn form(types: &[Oid], values: &[Value]) -> PgResult<Vec<u8>> {
    let mut out = Vec::with_capacity(16 + values.len() * 8);
    form_into(types, values, &mut out)?;
    Ok(out)
}

/// [`form`] into a reused buffer.
pub fn form_into(types: &[Oid], values: &[Value], out: &mut Vec<u8>) -> PgResult<()> {
    out.clear();
    let natts = types.len();
    let has_nulls = values.iter().any(Value::is_null);
    out.extend_from_slice(&(natts as u16).to_le_bytes());
    out.push(if has_nulls { HAS_NULLS } else { 0 });
    if has_nulls {
        let mut bitmap = vec![0u8; natts.div_ceil(8)];
        for (i, v) in values.iter().enumerate() {
            if !v.is_null() {
                bitmap[i / 8] |= 1 << (i % 8);
            }
        }
        out.extend_from_slice(&bitmap);
    }
    out.resize(header_len(natts, has_nulls), 0);
    for (&ty, v) in types.iter().zip(values) {
        if v.is_null() {
            continue;
        }
        let (len, a) = storage(ty);
        if len.is_some() {
            let n = align(out.len(), a);
            out.resize(n, 0);
        }
        match (len, v) {
            (Some(_), Value::Bool(b)) => out.push(u8::from(*b)),
            (Some(_), Value::Int2(x)) => out.extend_from_slice(&x.to_le_bytes()),
            (Some(_), Value::Int4(x) | Value::Date(x)) => out.extend_from_slice(&x.to_le_bytes()),
            (Some(_), Value::Oid(x) | Value::Enum(x)) => out.extend_from_slice(&x.to_le_bytes()),
            (Some(_), Value::Float4(x)) => out.extend_from_slice(&x.to_le_bytes()),
            (Some(_), Value::Int8(x) | Value::Timestamp(x) | Value::TimestampTz(x)) => {
                out.extend_from_slice(&x.to_le_bytes())
            }
            (Some(_), Value::Float8(x)) => out.extend_from_slice(&x.to_le_bytes()),
            (Some(_), Value::Interval(iv)) => {
                out.extend_from_slice(&iv.micros.to_le_bytes());
                out.extend_from_slice(&iv.days.to_le_bytes());
                out.extend_from_slice(&iv.months.to_le_bytes());
            }
            (Some(_), Value::Uuid(u)) => out.extend_from_slice(u),
            (Some(_), Value::MacAddr(m)) => out.extend_from_slice(m),
            (Some(_), Value::MacAddr8(m)) => out.extend_from_slice(m),
            (Some(_), Value::Time(t)) => out.extend_from_slice(&t.to_le_bytes()),
            (Some(_), Value::TimeTz(t, z)) => {
                out.extend_from_slice(&t.to_le_bytes());
                out.extend_from_slice(&z.to_le_bytes());
            }
            (None, Value::Inet(n)) => {
                let mut b = Vec::new();
                crate::types::network::send(n, &mut b);
                put_varlena(out, &b);
            }
            (Some(_), Value::Tid(b, o)) => {
                out.extend_from_slice(&b.to_le_bytes());
                out.extend_from_slice(&o.to_le_bytes());
            }
            (None, Value::Text(s) | Value::Json(s)) => put_varlena(out, s.as_bytes()),
            (None, Value::Jsonb(j)) => put_varlena(out, j.to_text().as_bytes()),
            (None, Value::Bytea(b)) => put_varlena(out, b),
            (None, Value::Numeric(n)) => put_varlena(out, &numeric_payload(n)),
            (None, Value::Array(..) | Value::MdArray(_)) if array::is_array_type(ty) => {
                // array_send's form, with the column's element type.
                let Some(mut a) = array::view(v) else {
                    return Err(type_mismatch(ty, v));
                };
                a.elem = array::array_element(ty);
                let mut b = bytes::BytesMut::new();
                array::send(&a, &mut b);
                put_varlena(out, &b);
            }
            (None, Value::Record(r)) if crate::types::composite::by_oid(ty).is_some() => {
                // record_send's form.
                let mut b = bytes::BytesMut::new();
                crate::types::record::send(r, &mut b);
                put_varlena(out, &b);
            }
            _ => return Err(type_mismatch(ty, v)),
        }
    }
    Ok(())
}

fn le<const N: usize>(d: &[u8], off: usize) -> PgResult<[u8; N]> {
    d.get(off..off + N)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| corrupt("attribute past the end"))
}

fn read_value(ty: Oid, d: &[u8], off: &mut usize, want: bool) -> PgResult<Value> {
    let (len, a) = storage(ty);
    if let Some(len) = len {
        let o = align(*off, a);
        *off = o + len;
        if !want {
            return Ok(Value::Null);
        }
        return Ok(match ty {
            oid::BOOL => Value::Bool(le::<1>(d, o)?[0] != 0),
            oid::INT2 => Value::Int2(i16::from_le_bytes(le(d, o)?)),
            oid::INT4 => Value::Int4(i32::from_le_bytes(le(d, o)?)),
            oid::DATE => Value::Date(i32::from_le_bytes(le(d, o)?)),
            oid::OID | oid::XID | oid::CID => Value::Oid(u32::from_le_bytes(le(d, o)?)),
            oid::TID => Value::Tid(
                u32::from_le_bytes(le(d, o)?),
                u16::from_le_bytes(le(d, o + 4)?),
            ),
            oid::FLOAT4 => Value::Float4(f32::from_le_bytes(le(d, o)?)),
            oid::INT8 => Value::Int8(i64::from_le_bytes(le(d, o)?)),
            oid::FLOAT8 => Value::Float8(f64::from_le_bytes(le(d, o)?)),
            oid::TIMESTAMP => Value::Timestamp(i64::from_le_bytes(le(d, o)?)),
            oid::TIMESTAMPTZ => Value::TimestampTz(i64::from_le_bytes(le(d, o)?)),
            oid::UUID => Value::Uuid(le(d, o)?),
            oid::MACADDR => Value::MacAddr(le(d, o)?),
            oid::MACADDR8 => Value::MacAddr8(le(d, o)?),
            oid::TIME => Value::Time(i64::from_le_bytes(le(d, o)?)),
            oid::TIMETZ => Value::TimeTz(
                i64::from_le_bytes(le(d, o)?),
                i32::from_le_bytes(le(d, o + 8)?),
            ),
            oid::INTERVAL => Value::Interval(Interval {
                micros: i64::from_le_bytes(le(d, o)?),
                days: i32::from_le_bytes(le(d, o + 8)?),
                months: i32::from_le_bytes(le(d, o + 12)?),
            }),
            t if crate::types::enums::is_enum(t) => Value::Enum(u32::from_le_bytes(le(d, o)?)),
            _ => return Err(corrupt("unknown fixed-width type")),
        });
    }
    // Varlena: a short header byte, or padding then a 4-byte header.
    let first = *d.get(*off).ok_or_else(|| corrupt("varlena past the end"))?;
    let (start, end) = if first & 1 == 1 {
        let total = (first >> 1) as usize;
        (*off + 1, *off + total)
    } else {
        let o = align(*off, 4);
        let total = (u32::from_le_bytes(le(d, o)?) >> 2) as usize;
        (o + 4, o + total)
    };
    if end > d.len() || end < start {
        return Err(corrupt("varlena length"));
    }
    *off = end;
    if !want {
        return Ok(Value::Null);
    }
    let payload = &d[start..end];
    Ok(match ty {
        oid::NUMERIC => Value::Numeric(numeric_from_payload(payload)?),
        oid::BYTEA => Value::Bytea(payload.to_vec()),
        oid::INET | oid::CIDR => Value::Inet(
            crate::types::network::recv(payload, ty == oid::CIDR)
                .map_err(|e| corrupt(&e.message))?,
        ),
        oid::JSON | oid::JSONB => {
            let s = std::str::from_utf8(payload).map_err(|_| corrupt("json is not UTF-8"))?;
            if ty == oid::JSON {
                Value::Json(s.to_owned())
            } else {
                Value::Jsonb(Box::new(
                    crate::types::json::parse_jsonb(s).map_err(|e| corrupt(&e.message))?,
                ))
            }
        }
        t if array::is_array_type(t) => {
            array::recv(t, payload).map_err(|e| corrupt(&format!("array: {}", e.message)))?
        }
        t if crate::types::composite::by_oid(t).is_some() => crate::types::record::recv(t, payload)
            .map_err(|e| corrupt(&format!("record: {}", e.message)))?,
        _ => Value::Text(
            std::str::from_utf8(payload)
                .map_err(|_| corrupt("text is not UTF-8"))?
                .to_owned(),
        ),
    })
}

/// Decodes a row into `out` (resized to `types.len()`): attribute `i` is
/// decoded when `want(i)`, else left NULL. Attributes after the last one
/// wanted are not visited. Rows stored with fewer attributes (columns
/// added later) read the missing ones from `missing` (the table's
/// `TableDesc::missing_values`, PostgreSQL's attmissingval; empty: all
/// NULL).
pub fn deform(
    types: &[Oid],
    missing: &[Value],
    data: &[u8],
    last_wanted: usize,
    want: &dyn Fn(usize) -> bool,
    out: &mut Vec<Value>,
) -> PgResult<()> {
    out.clear();
    out.extend(types.iter().map(|_| Value::Null));
    if data.len() < 3 {
        return Err(corrupt("short header"));
    }
    let natts = u16::from_le_bytes([data[0], data[1]]) as usize;
    let has_nulls = data[2] & HAS_NULLS != 0;
    let bitmap = &data[3..];
    let mut off = header_len(natts, has_nulls);
    for (i, &ty) in types.iter().enumerate().take(natts.min(last_wanted + 1)) {
        if has_nulls && bitmap[i / 8] & (1 << (i % 8)) == 0 {
            continue;
        }
        out[i] = read_value(ty, data, &mut off, want(i))?;
    }
    if natts < types.len() && !missing.is_empty() {
        let end = types.len().min(last_wanted + 1).min(missing.len());
        for (i, v) in missing.iter().enumerate().take(end).skip(natts) {
            if want(i) {
                out[i] = v.clone();
            }
        }
    }
    Ok(())
}

/// Decodes every attribute.
pub fn deform_all(types: &[Oid], missing: &[Value], data: &[u8]) -> PgResult<Vec<Value>> {
    let mut out = Vec::with_capacity(types.len());
    deform(
        types,
        missing,
        data,
        types.len().saturating_sub(1),
        &|_| true,
        &mut out,
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Vec<Oid> {
        vec![
            oid::BOOL,
            oid::INT4,
            oid::TEXT,
            oid::INT8,
            oid::INT2,
            oid::NUMERIC,
            oid::FLOAT8,
            oid::VARCHAR,
            oid::TIMESTAMP,
            oid::DATE,
            oid::FLOAT4,
            oid::INTERVAL,
            oid::INT4_ARRAY,
            oid::TEXT_ARRAY,
        ]
    }

    fn row(long: bool) -> Vec<Value> {
        vec![
            Value::Bool(true),
            Value::Int4(-7),
            Value::Text(if long {
                "x".repeat(300)
            } else {
                "héllo".into()
            }),
            Value::Int8(i64::MIN),
            Value::Int2(12),
            Value::Numeric(Numeric::parse("-123.4500").unwrap()),
            Value::Float8(2.5),
            Value::Text(String::new()),
            Value::Timestamp(123_456_789),
            Value::Date(-5),
            Value::Float4(f32::NAN),
            Value::Interval(Interval {
                months: 1,
                days: -2,
                micros: 3,
            }),
            Value::parse_text(oid::INT4_ARRAY, "[0:1][1:2]={{1,NULL},{3,4}}").unwrap(),
            Value::Array(
                oid::TEXT,
                vec![
                    Value::Text(if long { "y".repeat(200) } else { "a b".into() }),
                    Value::Null,
                ],
            ),
        ]
    }

    fn same(a: &[Value], b: &[Value]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            match (x, y) {
                (Value::Float4(p), Value::Float4(q)) if p.is_nan() => assert!(q.is_nan()),
                _ => assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn round_trip_without_nulls() {
        for long in [false, true] {
            let r = row(long);
            let d = form(&types(), &r).unwrap();
            same(&deform_all(&types(), &[], &d).unwrap(), &r);
        }
    }

    #[test]
    fn round_trip_with_nulls_in_every_position() {
        let t = types();
        for mask in [
            0b1u32,
            0b10,
            0b101010101010,
            0b111111111111,
            0b100000000000,
            0b10000000000000,
        ] {
            for long in [false, true] {
                let mut r = row(long);
                for (i, v) in r.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        *v = Value::Null;
                    }
                }
                let d = form(&t, &r).unwrap();
                same(&deform_all(&t, &[], &d).unwrap(), &r);
            }
        }
    }

    #[test]
    fn partial_deform_and_added_columns() {
        let t = types();
        let r = row(true);
        let d = form(&t, &r).unwrap();
        let mut out = Vec::new();
        deform(&t, &[], &d, 3, &|i| i == 3 || i == 1, &mut out).unwrap();
        assert_eq!(out[1], Value::Int4(-7));
        assert_eq!(out[3], Value::Int8(i64::MIN));
        assert_eq!(out[2], Value::Null);
        assert_eq!(out[5], Value::Null);
        // A row written before two more columns existed.
        let mut wider = t.clone();
        wider.push(oid::INT4);
        wider.push(oid::TEXT);
        let all = deform_all(&wider, &[], &d).unwrap();
        same(&all[..14], &r);
        assert_eq!(all[14], Value::Null);
        // ... and with missing values for them (ADD COLUMN ... DEFAULT).
        let mut missing = vec![Value::Null; 14];
        missing.push(Value::Int4(42));
        missing.push(Value::Null);
        let all = deform_all(&wider, &missing, &d).unwrap();
        same(&all[..14], &r);
        assert_eq!(all[14], Value::Int4(42));
        assert_eq!(all[15], Value::Null);
        deform(&wider, &missing, &d, 14, &|i| i == 1, &mut out).unwrap();
        assert_eq!(out[14], Value::Null);
        // A row stored with the column reads its own value, not the
        // missing one.
        let mut full = r.clone();
        full.push(Value::Int4(7));
        full.push(Value::Null);
        let d2 = form(&wider, &full).unwrap();
        assert_eq!(
            deform_all(&wider, &missing, &d2).unwrap()[14],
            Value::Int4(7)
        );
        assert!(form(&[oid::INT4], &[Value::Text("x".into())]).is_err());
        assert!(deform_all(&t, &[], &d[..d.len() - 3]).is_err());
    }
}
