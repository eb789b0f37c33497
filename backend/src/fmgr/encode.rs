//! Digests and binary-to-text encodings (PostgreSQL's encode.c, md5.c and
//! cryptohashfuncs.c): `md5` of text or bytea (a hex text), `sha224` ..
//! `sha512` of bytea, `encode`/`decode` in the hex, base64 and escape
//! formats, `to_hex`, `bit_length`, and `convert_to`/`convert_from`
//! between text and bytes in a named encoding (the server encoding is
//! UTF8; LATIN1 and SQL_ASCII are the others known).

use md5::Md5;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::{bytes, f, s as text, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::oid::{BYTEA, INT4, INT8, NAME, TEXT};
use crate::types::Value;

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from_digit((x >> 4) as u32, 16).unwrap_or('0'));
        s.push(char::from_digit((x & 15) as u32, 16).unwrap_or('0'));
    }
    s
}

fn digest<D: Digest>(a: &[Value]) -> PgResult<Value> {
    Ok(Value::Bytea(D::digest(bytes(&a[0])).to_vec()))
}

fn invalid(msg: String) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// A named binary-to-text format of encode/decode.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Hex,
    Base64,
    Escape,
}

fn format(name: &str) -> PgResult<Format> {
    match name.to_ascii_lowercase().as_str() {
        "hex" => Ok(Format::Hex),
        "base64" => Ok(Format::Base64),
        "escape" => Ok(Format::Escape),
        _ => Err(invalid(format!("unrecognized encoding: \"{name}\""))),
    }
}

/// encode(bytes, format).
pub fn encode(b: &[u8], name: &str) -> PgResult<String> {
    Ok(match format(name)? {
        Format::Hex => hex(b),
        Format::Base64 => {
            use base64::Engine;
            let flat = base64::engine::general_purpose::STANDARD.encode(b);
            // PostgreSQL breaks the output into lines of 76 characters.
            let mut s = String::with_capacity(flat.len() + flat.len() / 76);
            for (i, c) in flat.chars().enumerate() {
                if i > 0 && i % 76 == 0 {
                    s.push('\n');
                }
                s.push(c);
            }
            s
        }
        Format::Escape => {
            // A zero byte and bytes with the high bit set as \ooo, the
            // backslash doubled, the rest as is.
            let mut s = String::with_capacity(b.len());
            for &x in b {
                match x {
                    b'\\' => s.push_str("\\\\"),
                    0 | 0x80..=0xff => s.push_str(&format!("\\{x:03o}")),
                    _ => s.push(x as char),
                }
            }
            s
        }
    })
}

/// decode(text, format).
pub fn decode(s: &str, name: &str) -> PgResult<Vec<u8>> {
    match format(name)? {
        Format::Hex => decode_hex(s),
        Format::Base64 => decode_base64(s),
        Format::Escape => decode_escape(s),
    }
}

fn decode_hex(s: &str) -> PgResult<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut it = s.chars().filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'));
    let digit = |c: char| {
        c.to_digit(16)
            .ok_or_else(|| invalid(format!("invalid hexadecimal digit: \"{c}\"")))
    };
    while let Some(h) = it.next() {
        let hi = digit(h)?;
        let Some(l) = it.next() else {
            return Err(invalid(
                "invalid hexadecimal data: odd number of digits".into(),
            ));
        };
        out.push((hi * 16 + digit(l)?) as u8);
    }
    Ok(out)
}

fn decode_base64(s: &str) -> PgResult<Vec<u8>> {
    // PostgreSQL's pg_base64_decode: whitespace skipped, '=' only at the
    // end, an incomplete last group refused.
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut n = 0;
    let mut pad = 0;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' => 62,
            '/' => 63,
            '=' => {
                pad += 1;
                0
            }
            _ => {
                return Err(invalid(format!(
                    "invalid symbol \"{c}\" found while decoding base64 sequence"
                )))
            }
        };
        if c != '=' && pad > 0 {
            return Err(invalid(format!(
                "invalid symbol \"{c}\" found while decoding base64 sequence"
            )));
        }
        acc = (acc << 6) | v;
        n += 1;
        if n == 4 {
            let group = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
            if pad > 2 {
                return Err(end_sequence());
            }
            out.extend_from_slice(&group[..3 - pad]);
            acc = 0;
            n = 0;
        }
    }
    if n != 0 {
        return Err(end_sequence());
    }
    Ok(out)
}

fn end_sequence() -> PgError {
    invalid("invalid base64 end sequence".into())
        .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted.")
}

fn decode_escape(s: &str) -> PgResult<Vec<u8>> {
    crate::types::bytea_escape_decode(s).ok_or_else(|| {
        PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type bytea",
        )
    })
}

/// An encoding name as convert_to/convert_from accept it.
#[derive(Clone, Copy, PartialEq)]
enum Charset {
    Utf8,
    Latin1,
    SqlAscii,
}

fn charset(name: &str, source: bool) -> PgResult<Charset> {
    let norm: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match norm.as_str() {
        "utf8" | "unicode" => Ok(Charset::Utf8),
        "latin1" | "iso88591" => Ok(Charset::Latin1),
        "sqlascii" => Ok(Charset::SqlAscii),
        _ => Err(invalid(format!(
            "invalid {} encoding name \"{name}\"",
            if source { "source" } else { "destination" }
        ))),
    }
}

/// convert_to(text, encoding): the text's bytes in that encoding.
fn convert_to(s: &str, name: &str) -> PgResult<Vec<u8>> {
    match charset(name, false)? {
        Charset::Utf8 | Charset::SqlAscii => Ok(s.as_bytes().to_vec()),
        Charset::Latin1 => s
            .chars()
            .map(|c| {
                u8::try_from(c as u32).map_err(|_| {
                    let mut buf = [0u8; 4];
                    let seq: Vec<String> = c
                        .encode_utf8(&mut buf)
                        .bytes()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    PgError::new(
                        "22P05",
                        format!(
                            "character with byte sequence 0x{} in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"",
                            seq.join(" 0x")
                        ),
                    )
                })
            })
            .collect(),
    }
}

/// convert_from(bytes, encoding): the text those bytes are in it.
fn convert_from(b: &[u8], name: &str) -> PgResult<String> {
    match charset(name, true)? {
        Charset::Latin1 => Ok(b.iter().map(|&x| x as char).collect()),
        Charset::Utf8 | Charset::SqlAscii => {
            std::str::from_utf8(b).map(str::to_owned).map_err(|e| {
                let at = e.valid_up_to();
                let bad = &b[at..(at + e.error_len().unwrap_or(b.len() - at)).min(b.len())];
                let seq: Vec<String> = bad.iter().map(|x| format!("0x{x:02x}")).collect();
                PgError::new(
                    "22021",
                    format!(
                        "invalid byte sequence for encoding \"UTF8\": {}",
                        seq.join(" ")
                    ),
                )
            })
        }
    }
}

pub static ENCODE_FUNCS: &[FuncDef] = &[
    f("md5", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(hex(&Md5::digest(text(&a[0]).as_bytes()))))
    }),
    f("md5", &[BYTEA], TEXT, |_, a| {
        Ok(Value::Text(hex(&Md5::digest(bytes(&a[0])))))
    }),
    f("sha224", &[BYTEA], BYTEA, |_, a| digest::<Sha224>(a)),
    f("sha256", &[BYTEA], BYTEA, |_, a| digest::<Sha256>(a)),
    f("sha384", &[BYTEA], BYTEA, |_, a| digest::<Sha384>(a)),
    f("sha512", &[BYTEA], BYTEA, |_, a| digest::<Sha512>(a)),
    f("encode", &[BYTEA, TEXT], TEXT, |_, a| {
        encode(bytes(&a[0]), text(&a[1])).map(Value::Text)
    }),
    f("decode", &[TEXT, TEXT], BYTEA, |_, a| {
        decode(text(&a[0]), text(&a[1])).map(Value::Bytea)
    }),
    f("to_hex", &[INT4], TEXT, |_, a| match a[0] {
        Value::Int4(x) => Ok(Value::Text(format!("{:x}", x as u32))),
        _ => Ok(Value::Null),
    }),
    f("to_hex", &[INT8], TEXT, |_, a| match a[0] {
        Value::Int8(x) => Ok(Value::Text(format!("{:x}", x as u64))),
        _ => Ok(Value::Null),
    }),
    f("bit_length", &[TEXT], INT4, |_, a| {
        Ok(Value::Int4((text(&a[0]).len() * 8) as i32))
    }),
    f("bit_length", &[BYTEA], INT4, |_, a| {
        Ok(Value::Int4((bytes(&a[0]).len() * 8) as i32))
    }),
    f("convert_to", &[TEXT, NAME], BYTEA, |_, a| {
        convert_to(text(&a[0]), text(&a[1])).map(Value::Bytea)
    }),
    f("convert_from", &[BYTEA, NAME], TEXT, |_, a| {
        convert_from(bytes(&a[0]), text(&a[1])).map(Value::Text)
    }),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(encode(&[0xde, 0xad, 0], "hex").unwrap(), "dead00");
        assert_eq!(decode("DE ad\n00", "hex").unwrap(), vec![0xde, 0xad, 0]);
        assert!(decode("abc", "hex").is_err());
        assert!(decode("zz", "hex").is_err());
        assert!(encode(b"x", "rot13").is_err());
    }

    #[test]
    fn base64_as_postgres() {
        assert_eq!(encode(b"hello", "base64").unwrap(), "aGVsbG8=");
        assert_eq!(decode("aGVs\nbG8=", "base64").unwrap(), b"hello");
        assert!(decode("aGVsbG8", "base64").is_err());
        assert!(decode("aG=sbG8=", "base64").is_err());
        let long = encode(&[7u8; 100], "base64").unwrap();
        assert_eq!(long.lines().next().unwrap().len(), 76);
    }

    #[test]
    fn escape_as_postgres() {
        assert_eq!(encode(b"a\\\0\xff", "escape").unwrap(), "a\\\\\\000\\377");
        assert_eq!(decode("a\\\\\\000\\377", "escape").unwrap(), b"a\\\0\xff");
        assert!(decode("\\9", "escape").is_err());
    }
}
