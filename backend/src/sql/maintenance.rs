//! VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table [, ...]]:
//! accepted and checked (the tables must exist), with nothing to do yet:
//! deleted tuples are reclaimed when their page is next compacted, and
//! there are no dead versions to remove until MVCC arrives.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::error::{sqlstate, PgError, PgResult};
use crate::sql::analyze::from::no_relation;
use crate::sql::catalog::Catalog;

const OPTIONS: &[&str] = &["full", "freeze", "verbose", "analyze", "analyse"];

/// The tables a VACUUM statement names (empty: all).
pub fn parse_vacuum(sql: &str) -> PgResult<Vec<String>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?;
    let mut words = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .peekable();
    words.next(); // VACUUM
    let mut tables = Vec::new();
    let mut depth = 0;
    let mut expect_name = true;
    for t in words {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ if depth > 0 => {}
            Token::Comma => expect_name = true,
            Token::Word(w) if expect_name => {
                let v = if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                };
                if w.quote_style.is_none() && tables.is_empty() && OPTIONS.contains(&v.as_str()) {
                    continue;
                }
                tables.push(v);
                expect_name = false;
            }
            Token::Period => {
                // schema.table: keep the table part.
                tables.pop();
                expect_name = true;
            }
            other => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("syntax error at or near \"{other}\""),
                ))
            }
        }
    }
    Ok(tables)
}

/// Checks VACUUM's tables against the catalog.
pub fn check_tables(cat: &Catalog, tables: &[String]) -> PgResult<()> {
    for t in tables {
        if cat.table(t).is_none() {
            return Err(no_relation(t));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vacuum_forms() {
        assert_eq!(parse_vacuum("vacuum").unwrap(), Vec::<String>::new());
        assert_eq!(parse_vacuum("vacuum analyze t").unwrap(), vec!["t"]);
        assert_eq!(
            parse_vacuum("VACUUM (VERBOSE, ANALYZE) a, public.B").unwrap(),
            vec!["a", "b"]
        );
        assert_eq!(parse_vacuum("vacuum full freeze t").unwrap(), vec!["t"]);
        assert!(parse_vacuum("vacuum t u").is_err());
    }
}
