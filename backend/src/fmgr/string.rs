//! String functions PostgreSQL's varlena.c and regexp.c give besides the
//! common ones in `fmgr/mod.rs`: `translate`, `overlay` (text and bytea;
//! the SQL `OVERLAY(x PLACING y FROM n [FOR m])` form calls it), and
//! `similar_to_escape`, which turns a SQL `SIMILAR TO` pattern into the
//! regular expression that `x SIMILAR TO p` matches with `~`.

use super::{f, s as text, FuncDef};
use crate::error::{PgError, PgResult};

const SUBSTRING_ERROR: &str = "22011";
use crate::types::oid::{BYTEA, INT4, TEXT};
use crate::types::Value;

fn int(v: &Value) -> i32 {
    super::int(v) as i32
}

/// translate(s, from, to): each character of `s` found in `from` becomes
/// the character at the same place in `to`, or goes when `to` is shorter.
pub fn translate(s: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|&x| x == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

/// overlay(s placing r from start [for count]) over a sequence of items
/// (characters or bytes): s[..start-1] ++ r ++ s[start-1+count..].
fn overlay<T: Clone>(s: &[T], r: &[T], start: i32, count: Option<i32>) -> PgResult<Vec<T>> {
    let count = count.unwrap_or(r.len() as i32);
    if start <= 0 {
        return Err(PgError::new(
            SUBSTRING_ERROR,
            "negative substring length not allowed",
        ));
    }
    let head = ((start - 1) as usize).min(s.len());
    let tail = (start as i64 - 1 + count as i64).clamp(0, s.len() as i64) as usize;
    let mut out = Vec::with_capacity(s.len() + r.len());
    out.extend_from_slice(&s[..head]);
    out.extend_from_slice(r);
    out.extend_from_slice(&s[tail..]);
    Ok(out)
}

fn overlay_text(a: &[Value]) -> PgResult<Value> {
    let s: Vec<char> = text(&a[0]).chars().collect();
    let r: Vec<char> = text(&a[1]).chars().collect();
    let out = overlay(&s, &r, int(&a[2]), a.get(3).map(int))?;
    Ok(Value::Text(out.into_iter().collect()))
}

fn overlay_bytea(a: &[Value]) -> PgResult<Value> {
    let b = |v: &Value| match v {
        Value::Bytea(b) => b.clone(),
        _ => Vec::new(),
    };
    let out = overlay(&b(&a[0]), &b(&a[1]), int(&a[2]), a.get(3).map(int))?;
    Ok(Value::Bytea(out))
}

/// similar_to_escape(pattern [, escape]): the regular expression of a
/// SIMILAR TO pattern, as PostgreSQL's similar_escape builds it: anchored
/// at both ends, `%` → `.*`, `_` → `.`, groups made non-capturing, the
/// escape character (default `\`, none when empty) quoting the next
/// character, and `<escape>"` marking at most two separators of the part
/// `substring(x similar p escape e)` returns.
pub fn similar_to_escape(pattern: &str, escape: Option<&str>) -> PgResult<String> {
    let esc = match escape {
        None => Some('\\'),
        Some("") => None,
        Some(e) if e.chars().count() == 1 => e.chars().next(),
        Some(_) => {
            return Err(PgError::new("22025", "invalid escape string")
                .with_hint("Escape string must be empty or one character."))
        }
    };
    let mut out = String::from("^(?:");
    let mut after_escape = false;
    let mut in_class = false;
    let mut quotes = 0;
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if after_escape {
            if c == '"' && !in_class {
                match quotes {
                    0 => out.push_str("){1,1}?("),
                    1 => out.push_str("){1,1}(?:"),
                    _ => {
                        return Err(PgError::new(
                            "2201B",
                            "SQL regular expression may not contain more than two escape-double-quote separators",
                        ))
                    }
                }
                quotes += 1;
            } else {
                out.push('\\');
                out.push(c);
            }
            after_escape = false;
        } else if Some(c) == esc {
            after_escape = true;
        } else if in_class {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
            if c == ']' {
                in_class = false;
            }
        } else if c == '[' {
            out.push(c);
            in_class = true;
            // A leading ^ and a ] right after [ (or [^) are literal parts
            // of the class.
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if chars.get(i + 1) == Some(&']') {
                out.push(']');
                i += 1;
            }
        } else {
            match c {
                '%' => out.push_str(".*"),
                '_' => out.push('.'),
                '(' => out.push_str("(?:"),
                '\\' | '.' | '^' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        i += 1;
    }
    out.push_str(")$");
    Ok(out)
}

pub static STRING_FUNCS: &[FuncDef] = &[
    f("translate", &[TEXT, TEXT, TEXT], TEXT, |_, a| {
        Ok(Value::Text(translate(
            text(&a[0]),
            text(&a[1]),
            text(&a[2]),
        )))
    }),
    f("overlay", &[TEXT, TEXT, INT4, INT4], TEXT, |_, a| {
        overlay_text(a)
    }),
    f("overlay", &[TEXT, TEXT, INT4], TEXT, |_, a| overlay_text(a)),
    f("overlay", &[BYTEA, BYTEA, INT4, INT4], BYTEA, |_, a| {
        overlay_bytea(a)
    }),
    f("overlay", &[BYTEA, BYTEA, INT4], BYTEA, |_, a| {
        overlay_bytea(a)
    }),
    f("similar_to_escape", &[TEXT], TEXT, |_, a| {
        similar_to_escape(text(&a[0]), None).map(Value::Text)
    }),
    f("similar_to_escape", &[TEXT, TEXT], TEXT, |_, a| {
        similar_to_escape(text(&a[0]), Some(text(&a[1]))).map(Value::Text)
    }),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translate_drops_and_maps() {
        assert_eq!(translate("12345", "143", "ax"), "a2x5");
        assert_eq!(translate("abc", "", "x"), "abc");
    }

    #[test]
    fn overlay_positions() {
        let s: Vec<char> = "Txxxxas".chars().collect();
        let r: Vec<char> = "hom".chars().collect();
        let o: String = overlay(&s, &r, 2, Some(4)).unwrap().into_iter().collect();
        assert_eq!(o, "Thomas");
        let o: String = overlay(&s, &r, 10, None).unwrap().into_iter().collect();
        assert_eq!(o, "Txxxxashom");
        let o: String = overlay(&s, &r, 2, Some(-1)).unwrap().into_iter().collect();
        assert_eq!(o, "ThomTxxxxas");
        assert!(overlay(&s, &r, 0, None).is_err());
    }

    #[test]
    fn similar_patterns() {
        assert_eq!(similar_to_escape("a%", None).unwrap(), "^(?:a.*)$");
        assert_eq!(similar_to_escape("(a|b)_", None).unwrap(), "^(?:(?:a|b).)$");
        assert_eq!(similar_to_escape("a\\%", None).unwrap(), "^(?:a\\%)$");
        assert_eq!(similar_to_escape("a#%", Some("#")).unwrap(), "^(?:a\\%)$");
        assert!(similar_to_escape("a", Some("ab")).is_err());
    }
}
