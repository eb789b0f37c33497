//! `LIKE source [{INCLUDING | EXCLUDING} option ...]` among CREATE
//! TABLE's column definitions, which sqlparser reads only alone and
//! without its options. [`rewrite`] parses each such element itself and
//! puts in its place a marker column, `"\x01like\x01..." int`, whose name
//! carries the source's name, the options and the name's position; the
//! DDL command expands the marker with [`decode`] into the source's
//! columns, in the marker's place. No name a user writes holds \x01.

use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

use super::{char_index, is_blank, is_word, syntax_error};
use crate::error::PgResult;

/// What `INCLUDING` copies (PostgreSQL's CREATE_TABLE_LIKE_* bits).
pub const COMMENTS: u16 = 1;
pub const COMPRESSION: u16 = 2;
pub const CONSTRAINTS: u16 = 4;
pub const DEFAULTS: u16 = 8;
pub const GENERATED: u16 = 16;
pub const IDENTITY: u16 = 32;
pub const INDEXES: u16 = 64;
pub const STATISTICS: u16 = 128;
pub const STORAGE: u16 = 256;
pub const ALL: u16 = 511;

const OPTIONS: [(&str, u16); 10] = [
    ("comments", COMMENTS),
    ("compression", COMPRESSION),
    ("constraints", CONSTRAINTS),
    ("defaults", DEFAULTS),
    ("generated", GENERATED),
    ("identity", IDENTITY),
    ("indexes", INDEXES),
    ("statistics", STATISTICS),
    ("storage", STORAGE),
    ("all", ALL),
];

const MARK: &str = "\u{1}like\u{1}";

/// One LIKE element of a CREATE TABLE.
#[derive(Debug, PartialEq)]
pub struct LikeClause {
    /// The source's name, schema-qualified or not, folded.
    pub name: Vec<String>,
    /// The INCLUDING bits left after every INCLUDING and EXCLUDING.
    pub options: u16,
    /// 1-based character position of the name in the statement.
    pub position: usize,
}

impl LikeClause {
    pub fn includes(&self, bit: u16) -> bool {
        self.options & bit != 0
    }
}

/// The LIKE element a column name marks, or None for a real column.
pub fn decode(column: &str) -> Option<LikeClause> {
    let rest = column.strip_prefix(MARK)?;
    let mut it = rest.split('\u{1}');
    let name = it.next()?.split('\u{2}').map(str::to_owned).collect();
    let options = it.next()?.parse().ok()?;
    let position = it.next()?.parse().ok()?;
    Some(LikeClause {
        name,
        options,
        position,
    })
}

/// Replaces each LIKE element of a CREATE TABLE's column list by its
/// marker column; a malformed one is a syntax error at its token.
pub(super) fn rewrite(sql: &str, seg: &mut Vec<TokenWithSpan>) -> PgResult<()> {
    let m: Vec<usize> = (0..seg.len())
        .filter(|&i| !is_blank(&seg[i].token))
        .collect();
    let word = |k: usize, w: &str| m.get(k).is_some_and(|&i| is_word(&seg[i].token, w));
    if !word(0, "create") {
        return Ok(());
    }
    let mut k = 1;
    if word(k, "global") || word(k, "local") {
        k += 1;
    }
    if word(k, "temp") || word(k, "temporary") || word(k, "unlogged") {
        k += 1;
    }
    if !word(k, "table") {
        return Ok(());
    }
    // The column list: the first parenthesis.
    let Some(open) = m[k..]
        .iter()
        .position(|&i| seg[i].token == Token::LParen)
        .map(|p| p + k)
    else {
        return Ok(());
    };
    // Element starts at depth 1: after the opening parenthesis or a comma.
    let mut replacements: Vec<(usize, usize, TokenWithSpan)> = Vec::new();
    let mut depth = 0usize;
    let mut at_start = false;
    let mut x = open;
    while x < m.len() {
        let t = &seg[m[x]].token;
        match t {
            Token::LParen => {
                depth += 1;
                at_start = depth == 1;
                x += 1;
                continue;
            }
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                at_start = true;
                x += 1;
                continue;
            }
            _ => {}
        }
        if at_start && depth == 1 && is_word(t, "like") {
            let (end, marker) = like_element(sql, seg, &m, x)?;
            replacements.push((m[x], m[end - 1], marker));
            x = end;
            at_start = false;
            continue;
        }
        at_start = false;
        x += 1;
    }
    for (first, last, marker) in replacements.into_iter().rev() {
        let int = TokenWithSpan {
            token: Token::Word(Word {
                value: "int".into(),
                quote_style: None,
                keyword: sqlparser::keywords::Keyword::INT,
            }),
            span: marker.span,
        };
        seg.splice(first..=last, [marker, space(), int]);
    }
    Ok(())
}

fn space() -> TokenWithSpan {
    TokenWithSpan::wrap(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space))
}

/// Reads one `LIKE name options` from `m[x]` (the LIKE); returns the
/// index in `m` after its last token and the marker that replaces it.
fn like_element(
    sql: &str,
    seg: &[TokenWithSpan],
    m: &[usize],
    x: usize,
) -> PgResult<(usize, TokenWithSpan)> {
    let fail = |k: usize| -> crate::error::PgError {
        match m.get(k) {
            Some(&i) => syntax_error(sql, &seg[i].token.to_string(), Some(seg[i].span.start)),
            None => syntax_error(sql, "EOF", None),
        }
    };
    let name_word = |k: usize| -> Option<String> {
        match &seg[*m.get(k)?].token {
            Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
            Token::Word(w) => Some(w.value.to_lowercase()),
            _ => None,
        }
    };
    let mut k = x + 1;
    let position = match m.get(k) {
        Some(&i) => char_index(sql, seg[i].span.start) + 1,
        None => return Err(fail(k)),
    };
    let mut name = vec![name_word(k).ok_or_else(|| fail(k))?];
    k += 1;
    while m.get(k).is_some_and(|&i| seg[i].token == Token::Period) {
        name.push(name_word(k + 1).ok_or_else(|| fail(k + 1))?);
        k += 2;
    }
    let mut options = 0u16;
    loop {
        let Some(&i) = m.get(k) else {
            return Err(fail(k));
        };
        let t = &seg[i].token;
        if matches!(t, Token::Comma | Token::RParen) {
            break;
        }
        let including = is_word(t, "including");
        if !including && !is_word(t, "excluding") {
            return Err(fail(k));
        }
        let bit = m
            .get(k + 1)
            .and_then(|&i| OPTIONS.iter().find(|(w, _)| is_word(&seg[i].token, w)))
            .map(|(_, b)| *b)
            .ok_or_else(|| fail(k + 1))?;
        if including {
            options |= bit;
        } else {
            options &= !bit;
        }
        k += 2;
    }
    let marker = TokenWithSpan {
        token: Token::Word(Word {
            value: format!("{MARK}{}\u{1}{options}\u{1}{position}", name.join("\u{2}")),
            quote_style: Some('"'),
            keyword: sqlparser::keywords::Keyword::NoKeyword,
        }),
        span: seg[m[x]].span,
    };
    Ok((k, marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(sql: &str) -> Vec<String> {
        let stmts = crate::parser::parse(sql).unwrap();
        let sqlparser::ast::Statement::CreateTable(ct) = &stmts[0].ast else {
            panic!("not CREATE TABLE");
        };
        ct.columns.iter().map(|c| c.name.value.clone()).collect()
    }

    #[test]
    fn like_elements_become_markers_in_place() {
        let cols =
            columns("create table l (x int, LIKE s.t INCLUDING ALL EXCLUDING INDEXES, y text)");
        assert_eq!(cols.len(), 3);
        assert_eq!(cols[0], "x");
        let l = decode(&cols[1]).unwrap();
        assert_eq!(l.name, vec!["s".to_owned(), "t".to_owned()]);
        assert_eq!(l.options, ALL & !INDEXES);
        assert_eq!(l.position, 29);
        assert_eq!(cols[2], "y");
        assert!(decode("y").is_none());
    }

    #[test]
    fn like_alone_and_errors() {
        let cols = columns("create table l (like \"T\")");
        assert_eq!(decode(&cols[0]).unwrap().name, vec!["T".to_owned()]);
        let e = crate::parser::parse("create table l (like t including nothing)").unwrap_err();
        assert!(e.message.contains("\"nothing\""), "{}", e.message);
        let e = crate::parser::parse("create table l (like t including)").unwrap_err();
        assert!(e.message.contains("\")\""), "{}", e.message);
    }
}
