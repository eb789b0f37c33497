//! CREATE USER as PostgreSQL reads it: CREATE ROLE with LOGIN unless
//! NOLOGIN is given (sqlparser reads CREATE USER as Snowflake's).

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;

/// Whether the statement starts CREATE USER (not CREATE USER MAPPING);
/// if so, its USER becomes ROLE in `seg`.
pub(super) fn rewrite(seg: &mut [TokenWithSpan]) -> bool {
    let words: Vec<usize> = (0..seg.len())
        .filter(|&i| !matches!(seg[i].token, Token::Whitespace(_)))
        .take(3)
        .collect();
    let [c, u, rest @ ..] = words.as_slice() else {
        return false;
    };
    if !is_word(&seg[*c].token, "create")
        || !is_word(&seg[*u].token, "user")
        || rest.first().is_some_and(|&m| is_word(&seg[m].token, "mapping"))
    {
        return false;
    }
    seg[*u].token = Token::make_keyword("ROLE");
    true
}

/// A CREATE USER parsed as CREATE ROLE gets LOGIN by default.
pub(super) fn default_login(stmt: &mut ast::Statement) {
    if let ast::Statement::CreateRole(cr) = stmt {
        if cr.login.is_none() {
            cr.login = Some(true);
        }
    }
}
