//! format(formatstr, VARIADIC "any"): PostgreSQL's sprintf-like string
//! builder. Conversions `%s` (the value's text, NULL as nothing), `%I`
//! (quoted as an identifier; NULL is an error) and `%L` (quoted as a
//! literal, NULL as `NULL`), `%%`; each with an optional argument position
//! (`%2$s`), the `-` flag (left-justify) and a width (a number, `*` for the
//! next argument, or `*n$`), as PostgreSQL's text_format.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Value;

use super::quote::{quote_ident, quote_literal};

fn invalid(msg: &str) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg.to_owned())
}

fn unterminated() -> PgError {
    invalid("unterminated format() type specifier").with_hint("For a single \"%\" use \"%%\".")
}

/// Reads a decimal number at `i` (advancing it); None when there is no
/// digit. Numbers beyond i32 are an error, as in PostgreSQL.
fn number(f: &[char], i: &mut usize) -> PgResult<Option<i32>> {
    let start = *i;
    let mut n: i64 = 0;
    while *i < f.len() && f[*i].is_ascii_digit() {
        n = n * 10 + i64::from(f[*i] as u8 - b'0');
        if n > i64::from(i32::MAX) {
            return Err(invalid("number is out of range"));
        }
        *i += 1;
    }
    Ok((*i > start).then_some(n as i32))
}

/// An argument position (`n$`) at `i`, if there is one: 1-based.
fn position(f: &[char], i: &mut usize) -> PgResult<Option<usize>> {
    let save = *i;
    match number(f, i)? {
        Some(n) if *i < f.len() && f[*i] == '$' => {
            *i += 1;
            if n == 0 {
                return Err(invalid(
                    "format specifies argument 0, but arguments are numbered from 1",
                ));
            }
            Ok(Some(n as usize))
        }
        _ => {
            *i = save;
            Ok(None)
        }
    }
}

/// format(): `args` are the values after the format string.
pub fn format(fmt: &str, args: &[Value]) -> PgResult<String> {
    let f: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len());
    let mut next = 0usize;
    let arg = |n: usize| -> PgResult<&Value> {
        args.get(n)
            .ok_or_else(|| invalid("too few arguments for format()"))
    };
    let mut i = 0;
    while i < f.len() {
        if f[i] != '%' {
            out.push(f[i]);
            i += 1;
            continue;
        }
        i += 1;
        if i >= f.len() {
            return Err(unterminated());
        }
        if f[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let pos = position(&f, &mut i)?;
        let mut left = false;
        while i < f.len() && f[i] == '-' {
            left = true;
            i += 1;
        }
        let mut width: Option<i64> = None;
        if i < f.len() && f[i] == '*' {
            i += 1;
            let n = match position(&f, &mut i)? {
                Some(p) => p - 1,
                None => {
                    let n = next;
                    next += 1;
                    n
                }
            };
            width = match arg(n)? {
                Value::Null => None,
                v => Some(
                    v.to_text()
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| invalid("width argument must be an integer"))?,
                ),
            };
        } else if let Some(w) = number(&f, &mut i)? {
            width = Some(i64::from(w));
        }
        if i >= f.len() {
            return Err(unterminated());
        }
        let conv = f[i];
        i += 1;
        if !matches!(conv, 's' | 'I' | 'L') {
            return Err(
                invalid(&format!("unrecognized format() type specifier \"{conv}\""))
                    .with_hint("For a single \"%\" use \"%%\"."),
            );
        }
        let n = match pos {
            Some(p) => p - 1,
            None => next,
        };
        next = n + 1;
        let v = arg(n)?;
        let text = match (conv, v) {
            ('s', Value::Null) => String::new(),
            ('L', Value::Null) => "NULL".to_owned(),
            ('I', Value::Null) => {
                return Err(PgError::new(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    "null values cannot be formatted as an SQL identifier",
                ))
            }
            ('I', v) => quote_ident(&v.to_text()),
            ('L', v) => quote_literal(&v.to_text()),
            (_, v) => v.to_text(),
        };
        // A negative width (from an argument) left-justifies too.
        let (left, w) = match width {
            Some(w) if w < 0 => (true, w.unsigned_abs() as usize),
            Some(w) => (left, w as usize),
            None => (left, 0),
        };
        let pad = w.saturating_sub(text.chars().count());
        if !left {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(&text);
        if left {
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn conversions_as_postgres() {
        assert_eq!(format("Hello %s", &[t("World")]).unwrap(), "Hello World");
        assert_eq!(
            format("INSERT INTO %I VALUES(%L)", &[t("Foo bar"), t("O'Reilly")]).unwrap(),
            "INSERT INTO \"Foo bar\" VALUES('O''Reilly')"
        );
        assert_eq!(
            format("%s|%L|%%", &[Value::Null, Value::Null]).unwrap(),
            "|NULL|%"
        );
        assert_eq!(
            format("|%10s|%-10s|", &[t("foo"), t("bar")]).unwrap(),
            "|       foo|bar       |"
        );
        assert_eq!(
            format(
                "|%*s|%-*s|",
                &[Value::Int4(5), t("ab"), Value::Int4(-4), t("c")]
            )
            .unwrap(),
            "|   ab|c   |"
        );
        assert_eq!(
            format("%2$s %1$s %s", &[t("a"), t("b"), t("c")]).unwrap(),
            "b a b"
        );
    }

    #[test]
    fn errors_as_postgres() {
        assert_eq!(format("%s %s", &[t("a")]).unwrap_err().code, "22023");
        assert_eq!(format("%x", &[t("a")]).unwrap_err().code, "22023");
        assert_eq!(format("abc %", &[]).unwrap_err().code, "22023");
        assert_eq!(format("%0$s", &[t("a")]).unwrap_err().code, "22023");
        assert_eq!(format("%I", &[Value::Null]).unwrap_err().code, "22004");
    }
}
