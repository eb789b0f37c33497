//! ALTER TRIGGER name ON table RENAME TO new_name, which sqlparser does
//! not parse: a small parser over its tokens. The statement list
//! carries VACUUM's placeholder; the engine tells it apart by
//! [`is_alter_trigger`] and parses the text again with [`parse`] when it
//! runs it.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{is_blank, is_word, syntax_error};
use crate::error::PgResult;

/// ALTER TRIGGER ... RENAME TO ...
#[derive(Clone, Debug, PartialEq)]
pub struct AlterTrigger {
    pub name: String,
    /// The table, qualified or not.
    pub table: Vec<String>,
    pub new_name: String,
}

/// Whether the tokens start ALTER TRIGGER.
pub(super) fn starts_alter_trigger(words: &[&TokenWithSpan]) -> bool {
    words.len() >= 2 && is_word(&words[0].token, "alter") && is_word(&words[1].token, "trigger")
}

fn tokens(sql: &str) -> Option<Vec<TokenWithSpan>> {
    let t = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    Some(t.into_iter().filter(|t| !is_blank(&t.token)).collect())
}

/// Whether a statement's text is one [`parse`] reads.
pub fn is_alter_trigger(sql: &str) -> bool {
    tokens(sql).is_some_and(|t| starts_alter_trigger(&t.iter().collect::<Vec<_>>()))
}

/// Parses ALTER TRIGGER's text.
pub fn parse(sql: &str) -> PgResult<AlterTrigger> {
    let toks = tokens(sql).unwrap_or_default();
    let refs: Vec<&TokenWithSpan> = toks.iter().collect();
    parse_tokens(sql, &refs)
}

/// Parses the tokens of ALTER TRIGGER (checked at parse time).
pub(super) fn parse_tokens(sql: &str, t: &[&TokenWithSpan]) -> PgResult<AlterTrigger> {
    let mut i = 2;
    let fail = |i: usize| {
        let (found, loc) = match t.get(i) {
            Some(x) if x.token != Token::EOF => (x.token.to_string(), Some(x.span.start)),
            _ => (String::new(), None),
        };
        syntax_error(sql, &found, loc)
    };
    let name_at = |i: usize| -> Option<String> {
        match t.get(i).map(|x| &x.token) {
            Some(Token::Word(w)) if w.quote_style.is_some() => Some(w.value.clone()),
            Some(Token::Word(w)) => Some(w.value.to_lowercase()),
            _ => None,
        }
    };
    let name = name_at(i).ok_or_else(|| fail(i))?;
    i += 1;
    if !t.get(i).is_some_and(|x| is_word(&x.token, "on")) {
        return Err(fail(i));
    }
    i += 1;
    let mut table = vec![name_at(i).ok_or_else(|| fail(i))?];
    i += 1;
    while t.get(i).is_some_and(|x| x.token == Token::Period) {
        table.push(name_at(i + 1).ok_or_else(|| fail(i + 1))?);
        i += 2;
    }
    for w in ["rename", "to"] {
        if !t.get(i).is_some_and(|x| is_word(&x.token, w)) {
            return Err(fail(i));
        }
        i += 1;
    }
    let new_name = name_at(i).ok_or_else(|| fail(i))?;
    i += 1;
    if t.get(i)
        .is_some_and(|x| !matches!(x.token, Token::EOF | Token::SemiColon))
    {
        return Err(fail(i));
    }
    Ok(AlterTrigger {
        name,
        table,
        new_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rename() {
        let a = parse("ALTER TRIGGER \"Trg\" ON s.t RENAME TO n2").unwrap();
        assert_eq!(a.name, "Trg");
        assert_eq!(a.table, vec!["s".to_owned(), "t".to_owned()]);
        assert_eq!(a.new_name, "n2");
        assert!(parse("ALTER TRIGGER x ON t RENAME y").is_err());
        assert!(is_alter_trigger("alter trigger x on t rename to y"));
    }
}
