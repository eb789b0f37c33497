//! A window frame's `EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`,
//! which sqlparser does not read. [`rewrite`] takes the clause out of the
//! tokens and records it in the window specification's name, which
//! sqlparser keeps: `OVER (w ROWS ... EXCLUDE TIES)` becomes `OVER
//! ("w\x01t" ROWS ...)` and `OVER (ROWS ... EXCLUDE GROUP)` becomes
//! `OVER ("\x01g" ROWS ...)`. The analyzer splits the name again with
//! [`split`]. No name a user writes holds the \x01 byte.

use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace, Word};

use super::{is_blank, is_word};

/// What EXCLUDE leaves out of a row's frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    CurrentRow,
    Group,
    Ties,
}

const MARK: char = '\u{1}';

/// Takes each EXCLUDE clause out of a window specification's tokens.
pub(super) fn rewrite(seg: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < seg.len() {
        if !is_word(&seg[i].token, "exclude") {
            i += 1;
            continue;
        }
        let next: Vec<usize> = (i + 1..seg.len())
            .filter(|&k| !is_blank(&seg[k].token))
            .take(2)
            .collect();
        let w = |n: usize, s: &str| next.get(n).is_some_and(|&k| is_word(&seg[k].token, s));
        let (code, last) = if w(0, "current") && w(1, "row") {
            ("c", next[1])
        } else if w(0, "group") {
            ("g", next[0])
        } else if w(0, "ties") {
            ("t", next[0])
        } else if w(0, "no") && w(1, "others") {
            ("", next[1])
        } else {
            i += 1;
            continue;
        };
        // The window specification's opening parenthesis.
        let mut depth = 0usize;
        let mut open = None;
        for k in (0..i).rev() {
            match seg[k].token {
                Token::RParen => depth += 1,
                Token::LParen if depth == 0 => {
                    open = Some(k);
                    break;
                }
                Token::LParen => depth -= 1,
                _ => {}
            }
        }
        // Only after a frame clause (ROWS, RANGE or GROUPS at the
        // specification's level): elsewhere it stays, a syntax error.
        let framed = open.is_some_and(|o| {
            let mut depth = 0usize;
            seg[o + 1..i].iter().any(|t| {
                match t.token {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                depth == 0
                    && ["rows", "range", "groups"]
                        .iter()
                        .any(|w| is_word(&t.token, w))
            })
        });
        let (Some(open), true) = (open, framed) else {
            i += 1;
            continue;
        };
        seg.drain(i..=last);
        if code.is_empty() {
            continue;
        }
        let first = (open + 1..seg.len()).find(|&k| !is_blank(&seg[k].token));
        let named = first.filter(|&k| match &seg[k].token {
            Token::Word(w) => !["partition", "order", "rows", "range", "groups"]
                .iter()
                .any(|x| is_word(&seg[k].token, x) && w.quote_style.is_none()),
            _ => false,
        });
        match named {
            Some(k) => {
                if let Token::Word(w) = &mut seg[k].token {
                    if w.quote_style.is_none() {
                        w.value = w.value.to_lowercase();
                    }
                    w.value = format!("{}{MARK}{code}", w.value);
                    w.quote_style = Some('"');
                    w.keyword = sqlparser::keywords::Keyword::NoKeyword;
                }
            }
            None => {
                let span = seg[open].span;
                let word = Token::Word(Word {
                    value: format!("{MARK}{code}"),
                    quote_style: Some('"'),
                    keyword: sqlparser::keywords::Keyword::NoKeyword,
                });
                seg.insert(open + 1, TokenWithSpan::new(word, span));
                seg.insert(
                    open + 2,
                    TokenWithSpan::new(Token::Whitespace(Whitespace::Space), span),
                );
            }
        }
    }
}

/// A window specification's name split into the name written (None when
/// there was none) and the EXCLUDE clause [`rewrite`] recorded in it.
pub fn split(name: &str) -> (Option<&str>, Option<Exclusion>) {
    let Some((base, code)) = name.split_once(MARK) else {
        return (Some(name), None);
    };
    let e = match code {
        "c" => Some(Exclusion::CurrentRow),
        "g" => Some(Exclusion::Group),
        "t" => Some(Exclusion::Ties),
        _ => None,
    };
    ((!base.is_empty()).then_some(base), e)
}

/// The name standing for an EXCLUDE clause alone (what `split` reads).
pub fn marker(e: Exclusion) -> String {
    let code = match e {
        Exclusion::CurrentRow => "c",
        Exclusion::Group => "g",
        Exclusion::Ties => "t",
    };
    format!("{MARK}{code}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn text(sql: &str) -> String {
        let mut seg = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        rewrite(&mut seg);
        seg.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn records_the_clause_in_the_name() {
        assert_eq!(
            text("sum(a) over (order by a rows unbounded preceding exclude ties)"),
            "sum(a) over (\"\u{1}t\" order by a rows unbounded preceding )"
        );
        assert_eq!(
            text("sum(a) over (W rows 1 preceding exclude current row)"),
            "sum(a) over (\"w\u{1}c\" rows 1 preceding )"
        );
        assert_eq!(
            text("sum(a) over (rows 1 preceding exclude no others)"),
            "sum(a) over (rows 1 preceding )"
        );
        assert_eq!(split("w\u{1}g"), (Some("w"), Some(Exclusion::Group)));
        assert_eq!(split("\u{1}t"), (None, Some(Exclusion::Ties)));
        assert_eq!(split("w"), (Some("w"), None));
    }
}
