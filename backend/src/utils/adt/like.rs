//! LIKE and ILIKE pattern matching (PostgreSQL's like.c).

use crate::error::{PgError, PgResult};

/// LIKE/ILIKE matching with `%`, `_` and an escape character ("" turns
/// escaping off), as PostgreSQL's MatchText.
pub fn like(s: &str, pattern: &str, escape: &str, case_insensitive: bool) -> PgResult<bool> {
    let mut esc_chars = escape.chars();
    let esc = esc_chars.next();
    if esc_chars.next().is_some() {
        return Err(PgError::new("22025", "invalid escape string")
            .with_hint("Escape string must be empty or one character."));
    }
    let fold = |t: &str| -> Vec<char> {
        if case_insensitive {
            t.to_lowercase().chars().collect()
        } else {
            t.chars().collect()
        }
    };
    let (s, p) = (fold(s), fold(pattern));
    // Tokenize the pattern: Some(c) literal, None for '_', '%' separately.
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Lit(char),
        Any,
        Many,
    }
    let mut toks = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if Some(c) == esc {
            let next = p.get(i + 1).ok_or_else(|| {
                PgError::new("22025", "LIKE pattern must not end with escape character")
            })?;
            toks.push(Tok::Lit(*next));
            i += 2;
            continue;
        }
        toks.push(match c {
            '%' => Tok::Many,
            '_' => Tok::Any,
            c => Tok::Lit(c),
        });
        i += 1;
    }
    // Greedy matching with backtracking to the last '%'.
    let (mut si, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match toks.get(ti) {
            Some(Tok::Many) => {
                star = Some((ti, si));
                ti += 1;
            }
            Some(Tok::Any) => {
                si += 1;
                ti += 1;
            }
            Some(Tok::Lit(c)) if *c == s[si] => {
                si += 1;
                ti += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    ti = st + 1;
                    si = ss + 1;
                    star = Some((st, ss + 1));
                }
                None => return Ok(false),
            },
        }
    }
    Ok(toks[ti..].iter().all(|t| *t == Tok::Many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("hello", "h%o", "\\", false).unwrap());
        assert!(like("hello", "h_llo", "\\", false).unwrap());
        assert!(!like("hello", "h_lo", "\\", false).unwrap());
        assert!(like("HeLLo", "hel%", "\\", true).unwrap());
        assert!(like("50%", "50\\%", "\\", false).unwrap());
        assert!(!like("501", "50\\%", "\\", false).unwrap());
        assert!(like("", "%", "\\", false).unwrap());
        assert!(like("abcabc", "%abc", "\\", false).unwrap());
        assert!(like("a%b", "a#%b", "#", false).unwrap());
        assert_eq!(like("x", "x\\", "\\", false).unwrap_err().code, "22025");
    }
}
