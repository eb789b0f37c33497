//! COMMENT ON CONSTRAINT c ON [DOMAIN] t, COMMENT ON TRIGGER tr ON t and
//! COMMENT ON FUNCTION | PROCEDURE name [(argument types)], which
//! sqlparser does not parse (the ON clause, an argument list): a small
//! parser over sqlparser's tokens; a routine's signature is read by
//! sqlparser as DROP FUNCTION's. The statement list carries VACUUM's
//! placeholder; the engine tells it apart by [`is_command`] and parses
//! the text again with [`parse`] when it runs it. The other kinds go
//! through sqlparser's COMMENT.

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;
use super::word_walk::{meaningful_tokens, Walk};
use crate::error::PgResult;

#[derive(Clone, Debug, PartialEq)]
pub enum CommentTarget {
    /// CONSTRAINT name ON [DOMAIN] relation (`domain`: on a domain).
    Constraint {
        name: String,
        on: Vec<String>,
        domain: bool,
    },
    /// TRIGGER name ON table.
    Trigger { name: String, on: Vec<String> },
    /// FUNCTION or PROCEDURE (`procedure`) with its signature.
    Routine {
        procedure: bool,
        desc: ast::FunctionDesc,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommentStmt {
    pub target: CommentTarget,
    /// None: IS NULL.
    pub text: Option<String>,
}

/// Whether the tokens are one of the COMMENT forms read here.
pub(super) fn starts_comment(words: &[&TokenWithSpan]) -> bool {
    let w = |i: usize, s: &str| words.get(i).is_some_and(|t| is_word(&t.token, s));
    w(0, "comment")
        && w(1, "on")
        && (w(2, "constraint") || w(2, "trigger") || w(2, "function") || w(2, "procedure"))
}

/// COMMENT ON ... IS $$text$$ of the kinds sqlparser parses (which
/// takes only a quoted string there): the dollar-quoted text becomes
/// the same text as a quoted string, as PostgreSQL's lexer makes both
/// one string constant.
pub(super) fn dollar_quoted_text(seg: &mut [TokenWithSpan]) {
    let idx: Vec<usize> = (0..seg.len())
        .filter(|&i| !super::is_blank(&seg[i].token))
        .collect();
    let w = |k: usize, s: &str| idx.get(k).is_some_and(|&i| is_word(&seg[i].token, s));
    if !(w(0, "comment") && w(1, "on")) || idx.len() < 2 {
        return;
    }
    let (last, before) = (idx[idx.len() - 1], idx[idx.len() - 2]);
    if !is_word(&seg[before].token, "is") {
        return;
    }
    if let Token::DollarQuotedString(d) = &seg[last].token {
        seg[last].token = Token::SingleQuotedString(d.value.clone());
    }
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_command(sql: &str) -> bool {
    starts_comment(&meaningful_tokens(sql).iter().collect::<Vec<_>>())
}

/// Parses the statement's text.
pub fn parse(sql: &str) -> PgResult<CommentStmt> {
    let toks = meaningful_tokens(sql);
    parse_tokens(sql, &toks.iter().collect::<Vec<_>>())
}

fn fail<T>(sql: &str, toks: &[&TokenWithSpan], i: usize) -> PgResult<T> {
    Walk { sql, toks, i }.fail()
}

/// A possibly qualified name from token `i`; the index after it.
fn name_at(sql: &str, toks: &[&TokenWithSpan], mut i: usize) -> PgResult<(Vec<String>, usize)> {
    let mut parts = Vec::new();
    loop {
        match toks.get(i).map(|t| &t.token) {
            Some(Token::Word(w)) => {
                parts.push(if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                });
                i += 1;
            }
            _ => return fail(sql, toks, i),
        }
        if toks.get(i).map(|t| &t.token) == Some(&Token::Period) {
            i += 1;
        } else {
            return Ok((parts, i));
        }
    }
}

/// `IS 'text' | NULL` at the end, from token `i`.
fn is_text(sql: &str, toks: &[&TokenWithSpan], i: usize) -> PgResult<Option<String>> {
    if !toks.get(i).is_some_and(|t| is_word(&t.token, "is")) {
        return fail(sql, toks, i);
    }
    let text = match toks.get(i + 1).map(|t| &t.token) {
        Some(Token::SingleQuotedString(s))
        | Some(Token::EscapedStringLiteral(s))
        | Some(Token::NationalStringLiteral(s)) => Some(s.clone()),
        Some(Token::DollarQuotedString(d)) => Some(d.value.clone()),
        Some(t) if is_word(t, "null") => None,
        _ => return fail(sql, toks, i + 1),
    };
    if toks.len() > i + 2 {
        return fail(sql, toks, i + 2);
    }
    Ok(text)
}

pub(super) fn parse_tokens(sql: &str, toks: &[&TokenWithSpan]) -> PgResult<CommentStmt> {
    let kind = &toks[2].token;
    if is_word(kind, "constraint") || is_word(kind, "trigger") {
        let (name, i) = name_at(sql, toks, 3)?;
        if name.len() != 1 {
            return fail(sql, toks, i - 2);
        }
        if !toks.get(i).is_some_and(|t| is_word(&t.token, "on")) {
            return fail(sql, toks, i);
        }
        let mut j = i + 1;
        let domain =
            is_word(kind, "constraint") && toks.get(j).is_some_and(|t| is_word(&t.token, "domain"));
        if domain {
            j += 1;
        }
        let (on, j) = name_at(sql, toks, j)?;
        let text = is_text(sql, toks, j)?;
        let name = name.into_iter().next().unwrap_or_default();
        let target = if is_word(kind, "trigger") {
            CommentTarget::Trigger { name, on }
        } else {
            CommentTarget::Constraint { name, on, domain }
        };
        return Ok(CommentStmt { target, text });
    }
    // FUNCTION | PROCEDURE signature IS ...: the signature ends at the
    // IS outside parentheses.
    let procedure = is_word(kind, "procedure");
    let mut depth = 0;
    let mut end = None;
    for (k, t) in toks.iter().enumerate().skip(3) {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            tk if depth == 0 && is_word(tk, "is") => {
                end = Some(k);
                break;
            }
            _ => {}
        }
    }
    let Some(end) = end.filter(|&e| e > 3) else {
        return fail(sql, toks, toks.len().min(3));
    };
    let Some(desc) = super::word_walk::signature(sql, toks, 3, end) else {
        return fail(sql, toks, 3);
    };
    let text = is_text(sql, toks, end)?;
    Ok(CommentStmt {
        target: CommentTarget::Routine { procedure, desc },
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms() {
        let c = parse("COMMENT ON CONSTRAINT c_chk ON s.t IS 'x'").unwrap();
        assert_eq!(
            c.target,
            CommentTarget::Constraint {
                name: "c_chk".into(),
                on: vec!["s".into(), "t".into()],
                domain: false
            }
        );
        assert_eq!(c.text.as_deref(), Some("x"));
        let c = parse("comment on constraint c on domain d is null").unwrap();
        assert!(matches!(
            c.target,
            CommentTarget::Constraint { domain: true, .. }
        ));
        assert_eq!(c.text, None);
        let c = parse("COMMENT ON TRIGGER tr ON t IS 'y'").unwrap();
        let mut toks = meaningful_tokens("COMMENT ON TABLE t IS $q$it's$q$");
        dollar_quoted_text(&mut toks);
        assert_eq!(
            toks.last().map(|t| t.token.clone()),
            Some(Token::SingleQuotedString("it's".into()))
        );
        assert!(matches!(c.target, CommentTarget::Trigger { .. }));
        let c = parse("COMMENT ON FUNCTION f(integer, text) IS 'f'").unwrap();
        match c.target {
            CommentTarget::Routine { procedure, desc } => {
                assert!(!procedure);
                assert_eq!(desc.args.unwrap().len(), 2);
            }
            _ => panic!(),
        }
        assert!(is_command("COMMENT ON PROCEDURE p IS 'p'"));
        assert!(!is_command("COMMENT ON TABLE t IS 'p'"));
        assert_eq!(
            parse("COMMENT ON TRIGGER tr IS 'y'").unwrap_err().code,
            "42601"
        );
    }
}
