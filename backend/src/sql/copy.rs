//! COPY: `COPY (query) TO STDOUT` in text format (tab-separated, `\N`
//! for NULL, backslash escapes). COPY of tables and COPY FROM STDIN need
//! tables and arrive with them.

use sqlparser::ast;

use crate::error::{sqlstate, PgError, PgResult};
use crate::sql::analyze::names::{object_name, StmtText};
use crate::sql::analyze::Analyzer;
use crate::sql::exec;
use crate::sql::expr::EvalCtx;
use crate::sql::plan::{self, Plan};
use crate::sql::system_views;
use crate::sql::RowSink;
use crate::types::{Oid, Value};

fn not_supported_yet(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

/// Analyzes and plans a COPY ... TO STDOUT: (plan, parameter types,
/// column count).
pub fn prepare(
    stmt: &ast::Statement,
    text: &StmtText,
    params: &[Oid],
) -> PgResult<(Plan, Vec<Oid>, usize)> {
    let ast::Statement::Copy {
        source,
        to,
        target,
        options,
        legacy_options,
        ..
    } = stmt
    else {
        return Err(PgError::internal("not a COPY statement"));
    };
    if let ast::CopySource::Table { table_name, .. } = source {
        let parts = object_name(table_name);
        let (schema, name) = match parts.as_slice() {
            [n] => (None, n.as_str()),
            [s, n] => (Some(s.as_str()), n.as_str()),
            _ => (None, ""),
        };
        if system_views::lookup(schema, name).is_some() {
            return Err(
                PgError::new("42809", format!("cannot copy from view \"{name}\""))
                    .with_hint("Try the COPY (SELECT ...) TO variant."),
            );
        }
        return Err(PgError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", parts.join(".")),
        ));
    }
    if !*to {
        return Err(not_supported_yet("COPY FROM"));
    }
    if *target != ast::CopyTarget::Stdout {
        return Err(not_supported_yet("COPY to a file or program"));
    }
    for o in options {
        match o {
            ast::CopyOption::Format(f) if f.value.eq_ignore_ascii_case("text") => {}
            other => return Err(not_supported_yet(&format!("COPY option {other}"))),
        }
    }
    if !legacy_options.is_empty() {
        return Err(not_supported_yet("these COPY options"));
    }
    let ast::CopySource::Query(q) = source else {
        return Err(PgError::internal("COPY source"));
    };
    let mut a = Analyzer::new(text, params);
    let query = a.analyze_top(q)?;
    let width = query.columns.len();
    Ok((plan::plan_query(&query), a.params, width))
}

/// Appends a value in COPY text format.
pub fn escape_text(v: &Value, out: &mut Vec<u8>) {
    if v.is_null() {
        out.extend_from_slice(b"\\N");
        return;
    }
    for b in v.to_text().bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            11 => out.extend_from_slice(b"\\v"),
            b => out.push(b),
        }
    }
}

/// Runs the query, sending one CopyData line per row; returns the count.
pub fn run_out(plan: &Plan, ctx: &EvalCtx, sink: &mut dyn RowSink) -> PgResult<u64> {
    let mut line = Vec::new();
    exec::run(plan, ctx, &mut |row| {
        line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                line.push(b'\t');
            }
            escape_text(v, &mut line);
        }
        line.push(b'\n');
        sink.copy_out(&line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_escapes() {
        let mut out = Vec::new();
        escape_text(&Value::Text("a\tb\\c\nd".into()), &mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd");
        out.clear();
        escape_text(&Value::Null, &mut out);
        assert_eq!(out, b"\\N");
    }
}
