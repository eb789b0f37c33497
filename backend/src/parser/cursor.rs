//! FETCH and MOVE, parsed here rather than by sqlparser, whose FETCH
//! requires FROM/IN and a count after FORWARD/BACKWARD, and which has no
//! MOVE. PostgreSQL's grammar: `FETCH|MOVE [direction] [FROM|IN] name`,
//! direction one of NEXT, PRIOR, FIRST, LAST, ABSOLUTE n, RELATIVE n, n,
//! ALL, FORWARD [n|ALL], BACKWARD [n|ALL] (n a signed integer). Both are
//! returned as sqlparser's `Statement::Fetch`; the statement's first word
//! tells MOVE apart.

use sqlparser::ast::{self, FetchDirection, FetchPosition, Value};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::syntax_error;
use crate::error::PgResult;

/// Whether `first` starts a statement this module parses.
pub fn is_fetch_or_move(first: &Token) -> bool {
    super::is_word(first, "fetch") || super::is_word(first, "move")
}

fn word(t: &TokenWithSpan) -> Option<String> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_lowercase()),
        _ => None,
    }
}

/// Parses a FETCH or MOVE statement from its meaningful tokens (the
/// first being FETCH or MOVE).
pub fn parse_fetch(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<ast::Statement> {
    let mut i = 1;
    let fail = |i: usize| -> PgResult<ast::Statement> {
        Err(match toks.get(i) {
            Some(t) => syntax_error(sql, &t.token.to_string(), Some(t.span.start)),
            None => syntax_error(sql, "EOF", None),
        })
    };
    // A signed integer at i: (value, tokens used).
    let int_at = |i: usize| -> Option<(String, usize)> {
        let (neg, j) = match toks.get(i).map(|t| &t.token) {
            Some(Token::Minus) => (true, i + 1),
            Some(Token::Plus) => (false, i + 1),
            _ => (false, i),
        };
        match toks.get(j).map(|t| &t.token) {
            Some(Token::Number(n, _)) if n.parse::<i64>().is_ok() => {
                Some((if neg { format!("-{n}") } else { n.clone() }, j + 1 - i))
            }
            _ => None,
        }
    };
    let num = |s: String| Value::Number(s, false).with_empty_span();
    // The direction keyword is the cursor's name when nothing follows it.
    let dir_word = word(toks.get(i).copied().unwrap_or(toks[0])).filter(|_| toks.len() > i + 1);
    let direction = match dir_word.as_deref() {
        Some("next") => {
            i += 1;
            FetchDirection::Next
        }
        Some("prior") => {
            i += 1;
            FetchDirection::Prior
        }
        Some("first") => {
            i += 1;
            FetchDirection::First
        }
        Some("last") => {
            i += 1;
            FetchDirection::Last
        }
        Some("all") => {
            i += 1;
            FetchDirection::All
        }
        Some(w @ ("absolute" | "relative")) => {
            let Some((n, used)) = int_at(i + 1) else {
                return fail(i + 1);
            };
            i += 1 + used;
            if w == "absolute" {
                FetchDirection::Absolute { limit: num(n) }
            } else {
                FetchDirection::Relative { limit: num(n) }
            }
        }
        Some(w @ ("forward" | "backward")) => {
            let fwd = w == "forward";
            i += 1;
            if toks.get(i).and_then(|t| word(t)).as_deref() == Some("all") && toks.len() > i + 1 {
                i += 1;
                if fwd {
                    FetchDirection::ForwardAll
                } else {
                    FetchDirection::BackwardAll
                }
            } else {
                let limit = match int_at(i) {
                    Some((n, used)) => {
                        i += used;
                        Some(num(n))
                    }
                    None => None,
                };
                if fwd {
                    FetchDirection::Forward { limit }
                } else {
                    FetchDirection::Backward { limit }
                }
            }
        }
        _ => match int_at(i) {
            Some((n, used)) => {
                i += used;
                FetchDirection::Count { limit: num(n) }
            }
            None => FetchDirection::Next,
        },
    };
    let position = match toks.get(i).and_then(|t| word(t)).as_deref() {
        Some("from") if toks.len() > i + 1 => {
            i += 1;
            FetchPosition::From
        }
        Some("in") if toks.len() > i + 1 => {
            i += 1;
            FetchPosition::In
        }
        _ => FetchPosition::From,
    };
    let name = match toks.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) => ast::Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: toks[i].span,
        },
        _ => return fail(i),
    };
    if toks.len() > i + 1 {
        return fail(i + 1);
    }
    Ok(ast::Statement::Fetch {
        name,
        direction,
        position,
        into: None,
    })
}
