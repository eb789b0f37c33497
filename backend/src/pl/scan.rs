//! The PL/pgSQL scanner (PostgreSQL's pl_scanner.c, in small): a
//! function body to tokens carrying their byte range and line, so that
//! the parser can cut SQL expressions and statements out of the body as
//! text and report lines as PostgreSQL does.

use crate::error::{sqlstate, PgError, PgResult};

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An unquoted word, folded to lower case.
    Word(String),
    /// A double-quoted identifier, as written (quotes removed).
    Quoted(String),
    /// A number, string literal or other SQL-only token (kept as text).
    Other,
    /// Punctuation and operators: `;`, `:=`, `..`, `(`, `,`, `=`, ...
    Punct(String),
}

/// One token of a body.
#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    /// 1-based line in the body.
    pub line: usize,
}

impl Token {
    /// Whether it is the word `w` (unquoted).
    pub fn is(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x == w)
    }

    pub fn is_punct(&self, p: &str) -> bool {
        matches!(&self.tok, Tok::Punct(x) if x == p)
    }

    /// The identifier it names (an unquoted or a quoted word).
    pub fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) | Tok::Quoted(w) => Some(w),
            _ => None,
        }
    }
}

fn syntax(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, msg)
}

/// Splits `src` into tokens; comments and white space are dropped.
pub fn scan(src: &str) -> PgResult<Vec<Token>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let line_at = |pos: usize| src[..pos].matches('\n').count() + 1;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            if depth != 0 {
                return Err(syntax("unterminated /* comment"));
            }
            continue;
        }
        let tok = if c == b'\'' || ((c == b'e' || c == b'E') && b.get(i + 1) == Some(&b'\'')) {
            let escapes = c != b'\'';
            i += if escapes { 2 } else { 1 };
            loop {
                match b.get(i) {
                    None => return Err(syntax("unterminated quoted string")),
                    Some(b'\\') if escapes => i += 2,
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    _ => i += 1,
                }
            }
            Tok::Other
        } else if c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                match b.get(i) {
                    None => return Err(syntax("unterminated quoted identifier")),
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        s.push('"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or(' ');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            Tok::Quoted(s)
        } else if c == b'$' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            Tok::Other
        } else if c == b'$' {
            // A dollar-quoted string $tag$...$tag$.
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if b.get(j) != Some(&b'$') {
                return Err(syntax(format!(
                    "syntax error at or near \"{}\"",
                    &src[i..(i + 1)]
                )));
            }
            let tag = &src[i..=j];
            match src[j + 1..].find(tag) {
                Some(k) => i = j + 1 + k + tag.len(),
                None => return Err(syntax("unterminated dollar-quoted string")),
            }
            Tok::Other
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            Tok::Word(src[start..i].to_lowercase())
        } else if c.is_ascii_digit()
            || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            // A decimal point, but not the `..` of a FOR range.
            if b.get(i) == Some(&b'.') && b.get(i + 1) != Some(&b'.') {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            Tok::Other
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let p = if [
                ":=", "..", "<>", "!=", "<=", ">=", "::", "=>", "<<", ">>", "||",
            ]
            .contains(&two)
            {
                two
            } else {
                &src[i..i + 1]
            };
            i += p.len();
            Tok::Punct(p.to_owned())
        };
        out.push(Token {
            tok,
            start,
            end: i,
            line: line_at(start),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_words_strings_and_ranges() {
        let t = scan("FOR i IN 1..10 LOOP -- c\n x := 'a;b' || $q$x$q$; END").unwrap();
        assert!(t[0].is("for"));
        assert!(t[4].is_punct(".."));
        assert_eq!(t[7].line, 2);
        assert!(t[8].is_punct(":="));
        assert_eq!(t[9].tok, Tok::Other);
        assert!(t[12].is_punct(";"));
        assert!(scan("'abc").is_err());
    }
}
