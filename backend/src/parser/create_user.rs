//! CREATE USER and GROUP as PostgreSQL reads them: CREATE ROLE, with
//! LOGIN unless NOLOGIN is given for USER (sqlparser reads CREATE USER as
//! Snowflake's, and CREATE GROUP not at all); DROP USER and GROUP are
//! DROP ROLE.

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;

/// Whether the statement starts CREATE USER (not CREATE USER MAPPING);
/// then, and for CREATE GROUP, DROP USER and DROP GROUP, USER or GROUP
/// becomes ROLE in `seg`.
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
        || rest
            .first()
            .is_some_and(|&m| is_word(&seg[m].token, "mapping"))
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
