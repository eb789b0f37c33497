//! COPY's csv format as PostgreSQL reads and writes it: records split at
//! unquoted newlines into fields at unquoted delimiters (a quoted field may
//! hold delimiters, newlines and quotes written with the ESCAPE character,
//! by default a doubled quote), `\.` alone on a line ends the data, and on
//! output a value is quoted when it holds a delimiter, quote, escape, CR or
//! LF, equals the NULL string, or its column is FORCE_QUOTE'd.

use super::copy::CopyFormat;
use crate::error::{PgError, PgResult};

/// One field of a csv record: its bytes with quotes and escapes removed,
/// and whether any part of it was quoted (a quoted empty field is an empty
/// string, an unquoted one the NULL string).
#[derive(Debug, PartialEq, Eq, Default)]
pub struct CsvField {
    pub data: Vec<u8>,
    pub quoted: bool,
}

/// What the start of the remaining data holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Record {
    Fields(Vec<CsvField>),
    /// `\.` alone on a line.
    EndMarker,
}

/// 22P04 for a quoted field the data ends inside.
pub fn unterminated() -> PgError {
    PgError::new("22P04", "unterminated CSV quoted field")
}

/// Parses the record at the start of `buf` and returns it with the bytes
/// it used (its line end included); `Ok(None)` when the record is not yet
/// complete and more data may follow (`eof` false).
pub fn next_record(buf: &[u8], eof: bool, f: &CopyFormat) -> PgResult<Option<(Record, usize)>> {
    if let Some(rest) = buf.strip_prefix(b"\\.") {
        match rest {
            [b'\n', ..] => return Ok(Some((Record::EndMarker, 3))),
            [b'\r', b'\n', ..] => return Ok(Some((Record::EndMarker, 4))),
            [] | [b'\r'] if eof => return Ok(Some((Record::EndMarker, buf.len()))),
            [] | [b'\r'] => return Ok(None),
            _ => {}
        }
    }
    let mut fields = Vec::new();
    let mut cur = CsvField::default();
    let mut in_quote = false;
    let mut i = 0;
    loop {
        let Some(&c) = buf.get(i) else {
            if !eof {
                return Ok(None);
            }
            if in_quote {
                return Err(unterminated());
            }
            fields.push(cur);
            return Ok(Some((Record::Fields(fields), i)));
        };
        i += 1;
        if in_quote {
            if c == f.escape {
                match buf.get(i) {
                    Some(&n) if n == f.escape || n == f.quote => {
                        cur.data.push(n);
                        i += 1;
                        continue;
                    }
                    None if !eof => return Ok(None),
                    _ => {}
                }
            }
            if c == f.quote {
                in_quote = false;
            } else {
                cur.data.push(c);
            }
            continue;
        }
        if c == f.delimiter {
            fields.push(std::mem::take(&mut cur));
        } else if c == f.quote {
            in_quote = true;
            cur.quoted = true;
        } else if c == b'\n' {
            fields.push(cur);
            return Ok(Some((Record::Fields(fields), i)));
        } else if c == b'\r' {
            match buf.get(i) {
                Some(b'\n') => i += 1,
                None if !eof => return Ok(None),
                _ => {}
            }
            fields.push(cur);
            return Ok(Some((Record::Fields(fields), i)));
        } else {
            cur.data.push(c);
        }
    }
}

/// Appends `value` (a non-NULL value's text) as a csv field: quoted when
/// `force`, when it equals the NULL string, when it is the only column
/// and reads `\.`, or when it holds the delimiter, quote, escape, CR or LF.
pub fn write_field(value: &[u8], force: bool, single: bool, f: &CopyFormat, out: &mut Vec<u8>) {
    let quote = force
        || value == f.null.as_slice()
        || (single && value == b"\\.")
        || value.iter().any(|&c| {
            c == f.delimiter || c == f.quote || c == f.escape || c == b'\n' || c == b'\r'
        });
    if !quote {
        out.extend_from_slice(value);
        return;
    }
    out.push(f.quote);
    for &c in value {
        if c == f.quote || c == f.escape {
            out.push(f.escape);
        }
        out.push(c);
    }
    out.push(f.quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv() -> CopyFormat {
        CopyFormat::csv()
    }

    fn fields(r: Record) -> Vec<(String, bool)> {
        match r {
            Record::Fields(v) => v
                .into_iter()
                .map(|f| (String::from_utf8(f.data).unwrap(), f.quoted))
                .collect(),
            Record::EndMarker => panic!("end marker"),
        }
    }

    #[test]
    fn reads_quoted_fields() {
        let data = b"1,\"a,b\",\"say \"\"hi\"\"\",,\"\"\n2";
        let (r, n) = next_record(data, false, &csv()).unwrap().unwrap();
        assert_eq!(n, 25);
        assert_eq!(
            fields(r),
            vec![
                ("1".into(), false),
                ("a,b".into(), true),
                ("say \"hi\"".into(), true),
                ("".into(), false),
                ("".into(), true)
            ]
        );
        assert_eq!(next_record(b"2", false, &csv()).unwrap(), None);
        let (r, n) = next_record(b"2", true, &csv()).unwrap().unwrap();
        assert_eq!((fields(r), n), (vec![("2".into(), false)], 1));
    }

    #[test]
    fn newlines_in_quotes_and_end_marker() {
        let (r, n) = next_record(b"\"x\r\ny\",z\r\n", true, &csv())
            .unwrap()
            .unwrap();
        assert_eq!(n, 10);
        assert_eq!(
            fields(r),
            vec![("x\r\ny".into(), true), ("z".into(), false)]
        );
        assert_eq!(next_record(b"\"ab", false, &csv()).unwrap(), None);
        assert_eq!(next_record(b"\"ab", true, &csv()), Err(unterminated()));
        assert_eq!(
            next_record(b"\\.\nmore", false, &csv()).unwrap(),
            Some((Record::EndMarker, 3))
        );
        // `\.` inside a quoted field or beside other data is data.
        let (r, _) = next_record(b"\"\\.\"\n", true, &csv()).unwrap().unwrap();
        assert_eq!(fields(r), vec![("\\.".into(), true)]);
    }

    #[test]
    fn escape_other_than_quote() {
        let f = CopyFormat {
            escape: b'\\',
            ..csv()
        };
        let (r, _) = next_record(b"\"a\\\"b\\\\c\\d\"\n", true, &f)
            .unwrap()
            .unwrap();
        assert_eq!(fields(r), vec![("a\"b\\c\\d".into(), true)]);
        let mut out = Vec::new();
        write_field(b"a\"b\\c", false, false, &f, &mut out);
        assert_eq!(out, b"\"a\\\"b\\\\c\"");
    }

    #[test]
    fn quotes_on_output_when_needed() {
        let f = csv();
        let w = |v: &[u8], force: bool, single: bool| {
            let mut out = Vec::new();
            write_field(v, force, single, &f, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(w(b"plain", false, false), "plain");
        assert_eq!(w(b"plain", true, false), "\"plain\"");
        assert_eq!(w(b"", false, false), "\"\"");
        assert_eq!(w(b"a,b", false, false), "\"a,b\"");
        assert_eq!(w(b"say \"hi\"", false, false), "\"say \"\"hi\"\"\"");
        assert_eq!(w(b"x\ny", false, false), "\"x\ny\"");
        assert_eq!(w(b"\\.", false, true), "\"\\.\"");
        assert_eq!(w(b"\\.", false, false), "\\.");
    }
}
