//! The jsonpath scanner (PostgreSQL's jsonpath_scan.l): punctuation and
//! operators, quoted strings with JSON's escapes (and `\xNN`, `\u{N…}`),
//! numeric literals (with the "trailing junk" check), variables (`$name`,
//! `$"name"`) and bare words, which the parser reads as keys or keywords.

use crate::error::{sqlstate, PgError, PgResult};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An operator or punctuation mark: `==`, `(`, ...
    Punct(&'static str),
    /// A quoted string, unescaped.
    Str(String),
    /// A numeric literal's text.
    Num(String),
    /// A bare word (a key or a keyword).
    Word(String),
    /// `$name` or `$"name"`.
    Var(String),
    End,
}

/// A token and where it is in the input.
#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// The characters that end a bare word.
fn is_special(c: char) -> bool {
    matches!(
        c,
        '?' | '%'
            | '$'
            | '.'
            | '['
            | ']'
            | '{'
            | '}'
            | '('
            | ')'
            | '|'
            | '&'
            | '!'
            | '='
            | '<'
            | '>'
            | '@'
            | '#'
            | ','
            | '*'
            | ':'
            | '-'
            | '+'
            | '/'
            | '\\'
            | '"'
            | ' '
            | '\t'
            | '\n'
            | '\r'
            | '\x0c'
    )
}

pub fn syntax_error(msg: &str, near: Option<&str>) -> PgError {
    let text = match near {
        Some(t) => format!("{msg} at or near \"{t}\" of jsonpath input"),
        None => format!("{msg} at end of jsonpath input"),
    };
    PgError::new(sqlstate::SYNTAX_ERROR, text)
}

fn bad_unicode() -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type jsonpath",
    )
}

const PUNCT: &[&str] = &[
    "==", "!=", "<>", "<=", ">=", "&&", "||", "**", "(", ")", "[", "]", "{", "}", ".", ",", "?",
    "@", "*", "+", "-", "/", "%", "!", "<", ">", "=", "&", "|", "#", ":", "\\",
];

/// The tokens of `s`, ending with [`Tok::End`].
pub fn scan(s: &str) -> PgResult<Vec<Token>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
            i += 1;
            continue;
        }
        let start = i;
        let tok = if c == '"' {
            let (t, next) = string(s, i + 1)?;
            i = next;
            Tok::Str(t)
        } else if c == '$' {
            i += 1;
            if b.get(i) == Some(&b'"') {
                let (t, next) = string(s, i + 1)?;
                i = next;
                Tok::Var(t)
            } else {
                let w = word_end(s, i);
                if w == i {
                    Tok::Punct("$")
                } else {
                    let name = s[i..w].to_owned();
                    i = w;
                    Tok::Var(name)
                }
            }
        } else if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i = number(s, i)?;
            Tok::Num(s[start..i].to_owned())
        } else if is_special(c) {
            let p = PUNCT
                .iter()
                .find(|p| s[i..].starts_with(**p))
                .copied()
                .unwrap_or("?");
            // `**` is only the any-level accessor after a dot; `*` `*`
            // elsewhere parses the same way, so one token serves both.
            i += p.len();
            Tok::Punct(p)
        } else {
            let w = word_end(s, i);
            let t = s[i..w].to_owned();
            i = w;
            Tok::Word(t)
        };
        out.push(Token { tok, start, end: i });
    }
    out.push(Token {
        tok: Tok::End,
        start: s.len(),
        end: s.len(),
    });
    Ok(out)
}

fn word_end(s: &str, mut i: usize) -> usize {
    for c in s[i..].chars() {
        if is_special(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// The end of the numeric literal starting at `i`.
fn number(s: &str, start: usize) -> PgResult<usize> {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if b[i] == b'0' {
        i += 1;
    } else if b[i] != b'.' {
        i = digits(i);
    }
    if b.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        let signed = matches!(b.get(j), Some(b'+' | b'-'));
        if signed {
            j += 1;
        }
        let k = digits(j);
        if k > j {
            i = k;
        } else if signed {
            return Err(syntax_error("invalid numeric literal", Some(&s[start..j])));
        }
    }
    if let Some(c) = s[i..].chars().next() {
        if !is_special(c) {
            let end = i + c.len_utf8();
            return Err(syntax_error(
                "trailing junk after numeric literal",
                Some(&s[start..end]),
            ));
        }
    }
    Ok(i)
}

fn hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}

/// A quoted string whose body starts at `i`: its value and the index
/// after the closing quote.
fn string(s: &str, mut i: usize) -> PgResult<(String, usize)> {
    let b = s.as_bytes();
    let mut out = String::new();
    let eos = || syntax_error("unexpected end of quoted string", None);
    let mut high: Option<u32> = None;
    loop {
        let Some(c) = s[i..].chars().next() else {
            return Err(eos());
        };
        if c == '"' {
            if high.is_some() {
                return Err(bad_unicode());
            }
            return Ok((out, i + 1));
        }
        if c != '\\' {
            if high.is_some() {
                return Err(bad_unicode());
            }
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        i += 1;
        let Some(e) = s[i..].chars().next() else {
            return Err(eos());
        };
        i += e.len_utf8();
        let code = match e {
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(10),
            'r' => Some(13),
            't' => Some(9),
            'v' => Some(11),
            'x' => {
                let end = (i..i + 2)
                    .take_while(|&k| b.get(k).is_some_and(u8::is_ascii_hexdigit))
                    .last()
                    .map_or(i, |k| k + 1);
                if end < i + 2 {
                    return Err(syntax_error("invalid hexadecimal character sequence", None));
                }
                let v = hex(&s[i..end]);
                i = end;
                v
            }
            'u' => {
                let v = if b.get(i) == Some(&b'{') {
                    let close = s[i..].find('}').map(|k| i + k).ok_or_else(bad_unicode)?;
                    let body = &s[i + 1..close];
                    if body.is_empty() || body.len() > 6 {
                        return Err(bad_unicode());
                    }
                    i = close + 1;
                    hex(body)
                } else {
                    let body = s.get(i..i + 4).ok_or_else(bad_unicode)?;
                    if !body.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return Err(bad_unicode());
                    }
                    i += 4;
                    hex(body)
                };
                let v = v.ok_or_else(bad_unicode)?;
                match (high.take(), v) {
                    (None, 0xD800..=0xDBFF) => {
                        high = Some(v);
                        continue;
                    }
                    (Some(h), 0xDC00..=0xDFFF) => {
                        Some(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00))
                    }
                    (Some(_), _) | (None, 0xDC00..=0xDFFF) => return Err(bad_unicode()),
                    (None, 0) => {
                        return Err(PgError::new("22P05", "unsupported Unicode escape sequence"))
                    }
                    (None, v) => Some(v),
                }
            }
            other => {
                if high.is_some() {
                    return Err(bad_unicode());
                }
                out.push(other);
                continue;
            }
        };
        if high.is_some() {
            return Err(bad_unicode());
        }
        out.push(code.and_then(char::from_u32).ok_or_else(bad_unicode)?);
    }
}
