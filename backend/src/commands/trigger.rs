//! CREATE [OR REPLACE] TRIGGER and DROP TRIGGER (PostgreSQL's
//! commands/trigger.c, in small): the trigger's pg_trigger row entered
//! in a copy of the catalog that `ddl::execute` installs.

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::Analyzer;
use crate::catalog::trigger::{self, TriggerDesc};
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::{ident, object_name, StmtText};
use crate::types::oid;
use crate::utils::adt::quote::quote_ident;

fn table_of(cat: &Catalog, name: &ast::ObjectName) -> PgResult<(crate::types::Oid, String)> {
    let parts = object_name(name);
    match cat.resolve_relation_parts(&parts) {
        Some((RelKind::Table, o)) => Ok((o, parts.last().cloned().unwrap_or_default())),
        Some((_, _)) => Err(PgError::new(
            "42809",
            format!("\"{}\" is not a table", parts.join(".")),
        )),
        None => Err(PgError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", parts.join(".")),
        )),
    }
}

/// The arguments of `EXECUTE FUNCTION f(args)`, as strings (sqlparser
/// reads them as argument declarations, so they are taken from the text).
fn trigger_args(text: &str) -> PgResult<Vec<String>> {
    let toks = crate::pl::scan::scan(text)?;
    let Some(k) = toks.iter().rposition(|t| t.is("execute")) else {
        return Ok(Vec::new());
    };
    let Some(open) = toks[k..]
        .iter()
        .position(|t| t.is_punct("("))
        .map(|p| p + k)
    else {
        return Ok(Vec::new());
    };
    let mut args = Vec::new();
    for t in &toks[open + 1..] {
        if t.is_punct(")") {
            break;
        }
        if t.is_punct(",") {
            continue;
        }
        let s = &text[t.start..t.end];
        args.push(match &t.tok {
            crate::pl::scan::Tok::Word(w) => w.clone(),
            crate::pl::scan::Tok::Quoted(q) => q.clone(),
            _ => crate::pl::parse::unquote_any(s),
        });
    }
    Ok(args)
}

/// The WHEN condition: the text the trigger evaluates, and its ruleutils
/// forms (plain and pretty); PostgreSQL's errors for a condition that
/// reads rows a trigger does not have.
fn when_condition(
    cat: &Catalog,
    text: &StmtText,
    table: &crate::catalog::TableDesc,
    c: &ast::Expr,
    tgtype: i16,
    row: bool,
) -> PgResult<(Option<String>, String, String)> {
    let mut a = Analyzer::new(text, &[]).with_catalog(Arc::new(cat.clone()));
    let x = a.trigger_when_expr(table, c)?;
    let n = table.columns.len();
    let (mut new, mut old) = (false, false);
    x.visit_columns(&mut |i| {
        if i < n {
            new = true;
        } else {
            old = true;
        }
    });
    // PostgreSQL points at the first reference to the row it refuses.
    let first_ref = |which: &[&str]| {
        use sqlparser::ast::Spanned;
        let mut at = None;
        let _ = ast::visit_expressions(c, |x: &ast::Expr| {
            if let ast::Expr::CompoundIdentifier(p) = x {
                if at.is_none() && p.len() == 2 && which.contains(&ident(&p[0]).as_str()) {
                    at = text.position(x.span().start);
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        at
    };
    let bad = |m: &str, which: &[&str]| {
        let e = PgError::new("42P17", m.to_owned());
        Err(match first_ref(which) {
            Some(p) => e.with_position(p),
            None => e,
        })
    };
    if !row && (new || old) {
        return bad(
            "statement trigger's WHEN condition cannot reference column values",
            &["new", "old"],
        );
    }
    if tgtype & trigger::INSERT != 0 && old {
        return bad(
            "INSERT trigger's WHEN condition cannot reference OLD values",
            &["old"],
        );
    }
    if tgtype & trigger::DELETE != 0 && new {
        return bad(
            "DELETE trigger's WHEN condition cannot reference NEW values",
            &["new"],
        );
    }
    let mut names: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("new.{}", quote_ident(&c.name)))
        .collect();
    names.extend(
        table
            .columns
            .iter()
            .map(|c| format!("old.{}", quote_ident(&c.name))),
    );
    let def = crate::commands::explain::deparse(&x, &names);
    let pretty = crate::commands::constraints::pretty(&x, &names);
    Ok((Some(c.to_string()), def, pretty))
}

/// ALTER TABLE ... ENABLE [ALWAYS | REPLICA] | DISABLE TRIGGER name | ALL
/// | USER: sets tgenabled; returns whether the catalog changed.
pub fn set_enabled(
    cat: &mut Catalog,
    table: &crate::catalog::TableDesc,
    name: &ast::Ident,
    state: char,
) -> PgResult<bool> {
    let word = name
        .quote_style
        .is_none()
        .then(|| name.value.to_lowercase());
    let all = matches!(word.as_deref(), Some("all") | Some("user"));
    let target = ident(name);
    let mut found = false;
    for t in cat.triggers.iter_mut() {
        if t.table == table.oid && (all || t.name == target) {
            found = true;
            if t.enabled != state {
                Arc::make_mut(t).enabled = state;
            }
        }
    }
    if !found && !all {
        return Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!(
                "trigger \"{target}\" for table \"{}\" does not exist",
                table.name
            ),
        ));
    }
    Ok(found)
}

/// CREATE [OR REPLACE] TRIGGER.
pub fn create(cat: &mut Catalog, ct: &ast::CreateTrigger, text: &StmtText) -> PgResult<String> {
    let name = object_name(&ct.name).last().cloned().unwrap_or_default();
    let (table, tname) = table_of(cat, &ct.table_name)?;
    let mut tgtype = 0i16;
    let mut columns = Vec::new();
    let tdesc = cat
        .table_by_oid(table)
        .cloned()
        .ok_or_else(|| PgError::internal("trigger table vanished"))?;
    for e in &ct.events {
        tgtype |= match e {
            ast::TriggerEvent::Insert => trigger::INSERT,
            ast::TriggerEvent::Delete => trigger::DELETE,
            ast::TriggerEvent::Truncate => trigger::TRUNCATE,
            ast::TriggerEvent::Update(cols) => {
                for c in cols {
                    let c = ident(c);
                    let i = tdesc
                        .columns
                        .iter()
                        .position(|x| x.name == c)
                        .ok_or_else(|| {
                            PgError::new(
                                sqlstate::UNDEFINED_COLUMN,
                                format!("column \"{c}\" of relation \"{tname}\" does not exist"),
                            )
                        })?;
                    columns.push(i as i16 + 1);
                }
                trigger::UPDATE
            }
        };
    }
    match ct.period {
        Some(ast::TriggerPeriod::Before) => tgtype |= trigger::BEFORE,
        Some(ast::TriggerPeriod::InsteadOf) => {
            return Err(PgError::new("42809", format!("\"{tname}\" is a table"))
                .with_detail("Tables cannot have INSTEAD OF triggers."))
        }
        _ => {}
    }
    let row = matches!(
        ct.trigger_object.as_ref().map(|o| o.to_string().to_uppercase()),
        Some(o) if o.contains("ROW")
    );
    if row {
        tgtype |= trigger::ROW;
        if tgtype & trigger::TRUNCATE != 0 {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "TRUNCATE FOR EACH ROW triggers are not supported",
            ));
        }
    }
    let (when, when_def, when_pretty) = match &ct.condition {
        None => (None, String::new(), String::new()),
        Some(c) => when_condition(cat, text, &tdesc, c, tgtype, row)?,
    };
    let Some(body) = &ct.exec_body else {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "syntax error at end of input",
        ));
    };
    let fparts = object_name(&body.func_desc.name);
    let (fschema, fbare) = crate::analyze::from::split_name(&fparts)?;
    let fname = fparts[fparts.len().saturating_sub(2)..].join(".");
    let func = cat
        .routine_candidates(fschema, fbare)?
        .into_iter()
        .find(|f| f.input_types().is_empty())
        .ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!("function {fname}() does not exist"),
            )
        })?;
    if func.ret != oid::TRIGGER {
        return Err(PgError::new(
            "42P17",
            format!("function {fname} must return type trigger"),
        ));
    }
    let args = trigger_args(&text.sql)?;
    let existing = cat
        .triggers
        .iter()
        .position(|t| t.table == table && t.name == name);
    let mut t = TriggerDesc {
        oid: 0,
        name: name.clone(),
        table,
        function: func.oid,
        tgtype,
        enabled: 'O',
        args,
        columns,
        when,
        when_def,
        when_pretty,
    };
    match existing {
        Some(i) if ct.or_replace => {
            t.oid = cat.triggers[i].oid;
            cat.triggers[i] = Arc::new(t);
        }
        Some(_) => {
            return Err(PgError::new(
                sqlstate::DUPLICATE_OBJECT,
                format!("trigger \"{name}\" for relation \"{tname}\" already exists"),
            ))
        }
        None => {
            t.oid = cat.alloc_oid();
            cat.triggers.push(Arc::new(t));
        }
    }
    Ok("CREATE TRIGGER".into())
}

/// DROP TRIGGER [IF EXISTS] name ON table; returns whether the catalog
/// changed.
pub fn drop(cat: &mut Catalog, d: &ast::DropTrigger, notices: &mut Vec<PgError>) -> PgResult<bool> {
    let name = object_name(&d.trigger_name)
        .last()
        .cloned()
        .unwrap_or_default();
    let Some(tn) = &d.table_name else {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "syntax error at end of input",
        ));
    };
    let (table, tname) = match table_of(cat, tn) {
        Ok(x) => x,
        Err(e) if d.if_exists && e.code == sqlstate::UNDEFINED_TABLE => {
            notices.push(super::ddl::notice(format!(
                "relation \"{}\" does not exist, skipping",
                object_name(tn).join(".")
            )));
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    match cat
        .triggers
        .iter()
        .position(|t| t.table == table && t.name == name)
    {
        Some(i) => {
            cat.triggers.remove(i);
            Ok(true)
        }
        None if d.if_exists => {
            notices.push(super::ddl::notice(format!(
                "trigger \"{name}\" for relation \"{tname}\" does not exist, skipping"
            )));
            Ok(false)
        }
        None => Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("trigger \"{name}\" for table \"{tname}\" does not exist"),
        )),
    }
}

/// ALTER TRIGGER name ON table RENAME TO new_name.
pub fn rename(
    cat: &mut Catalog,
    a: &crate::parser::alter_trigger::AlterTrigger,
) -> PgResult<String> {
    let tn = ast::ObjectName::from(
        a.table
            .iter()
            .map(|p| ast::Ident::with_quote('"', p.clone()))
            .collect::<Vec<_>>(),
    );
    let (table, tname) = table_of(cat, &tn)?;
    let Some(i) = cat
        .triggers
        .iter()
        .position(|t| t.table == table && t.name == a.name)
    else {
        return Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!(
                "trigger \"{}\" for table \"{tname}\" does not exist",
                a.name
            ),
        ));
    };
    if cat
        .triggers
        .iter()
        .any(|t| t.table == table && t.name == a.new_name)
    {
        return Err(PgError::new(
            sqlstate::DUPLICATE_OBJECT,
            format!(
                "trigger \"{}\" for relation \"{tname}\" already exists",
                a.new_name
            ),
        ));
    }
    let mut t = (*cat.triggers[i]).clone();
    t.name = a.new_name.clone();
    cat.triggers[i] = std::sync::Arc::new(t);
    Ok("ALTER TRIGGER".into())
}
