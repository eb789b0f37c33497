//! The view statements sqlparser does not read. CREATE VIEW ... WITH
//! [CASCADED | LOCAL] CHECK OPTION: the trailing clause is taken off the
//! statement's tokens and given back as the `check_option` storage
//! parameter (`WITH (check_option = ...)`, PostgreSQL's equivalent
//! spelling, which sqlparser reads), so `commands::ddl` sees one form.
//! ALTER VIEW name ALTER [COLUMN] ...: read as ALTER TABLE, which
//! PostgreSQL also accepts for a view (`commands::ddl` answers with the
//! tag the statement began with).

use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::is_word;

/// If `seg` is a CREATE VIEW ending in a check option clause, removes
/// the clause and returns the option's value ("local" or "cascaded").
pub(super) fn strip(seg: &mut Vec<TokenWithSpan>) -> Option<&'static str> {
    let words: Vec<usize> = (0..seg.len())
        .filter(|&i| !matches!(seg[i].token, Token::Whitespace(_)))
        .collect();
    let first = *words.first()?;
    if !is_word(&seg[first].token, "create")
        || !words
            .iter()
            .take(6)
            .any(|&i| is_word(&seg[i].token, "view"))
    {
        return None;
    }
    let n = words.len();
    if n < 4
        || !is_word(&seg[words[n - 1]].token, "option")
        || !is_word(&seg[words[n - 2]].token, "check")
    {
        return None;
    }
    let (with, value) = match &seg[words[n - 3]].token {
        t if is_word(t, "local") => (n - 4, "local"),
        t if is_word(t, "cascaded") => (n - 4, "cascaded"),
        _ => (n - 3, "cascaded"),
    };
    if !is_word(&seg[words[with]].token, "with") {
        return None;
    }
    seg.truncate(words[with]);
    Some(value)
}

/// Turns ALTER VIEW [IF EXISTS] name ALTER ... into ALTER TABLE.
pub(super) fn alter_view_column(seg: &mut [TokenWithSpan]) {
    let words: Vec<usize> = (0..seg.len())
        .filter(|&i| !matches!(seg[i].token, Token::Whitespace(_)))
        .collect();
    let word = |k: usize, w: &str| words.get(k).is_some_and(|&i| is_word(&seg[i].token, w));
    if !word(0, "alter") || !word(1, "view") {
        return;
    }
    let mut k = 2;
    if word(k, "if") && word(k + 1, "exists") {
        k += 2;
    }
    // The name: words joined by periods.
    loop {
        if !words
            .get(k)
            .is_some_and(|&i| matches!(seg[i].token, Token::Word(_)))
        {
            return;
        }
        k += 1;
        if words.get(k).is_some_and(|&i| seg[i].token == Token::Period) {
            k += 1;
            continue;
        }
        break;
    }
    if word(k, "alter") {
        seg[words[1]].token = Token::make_keyword("TABLE");
    }
}

/// Adds `check_option = value` to the CREATE VIEW's WITH options.
pub(super) fn apply(stmt: &mut ast::Statement, value: &str) {
    let ast::Statement::CreateView(cv) = stmt else {
        return;
    };
    let opt = ast::SqlOption::KeyValue {
        key: ast::ObjectName::from(vec![ast::Ident::new("check_option")]),
        value: ast::Expr::value(ast::Value::SingleQuotedString(value.into())),
    };
    match &mut cv.options {
        ast::CreateTableOptions::With(v) => v.push(opt),
        o => *o = ast::CreateTableOptions::With(vec![opt]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use sqlparser::ast;

    fn option(sql: &str) -> Option<String> {
        let p = parse(sql).unwrap();
        let ast::Statement::CreateView(cv) = &p[0].ast else {
            panic!("not a view")
        };
        match &cv.options {
            ast::CreateTableOptions::With(v) => Some(v[0].to_string()),
            _ => None,
        }
    }

    #[test]
    fn reads_the_clause() {
        assert_eq!(
            option("create view v as select 1 with check option").as_deref(),
            Some("check_option = 'cascaded'")
        );
        assert_eq!(
            option(
                "CREATE OR REPLACE VIEW v AS SELECT a FROM t WHERE a > 0 WITH LOCAL CHECK OPTION"
            )
            .as_deref(),
            Some("check_option = 'local'")
        );
        assert_eq!(option("create view v as select 'with check option'"), None);
        assert!(parse("select 1 with check option").is_err());
    }

    #[test]
    fn alter_view_alter_column_is_alter_table() {
        let p = parse("alter view s.v alter column b set default 1").unwrap();
        assert!(matches!(&p[0].ast, ast::Statement::AlterTable(_)));
        let p = parse("alter view if exists v alter b drop default").unwrap();
        assert!(matches!(&p[0].ast, ast::Statement::AlterTable(_)));
    }
}
