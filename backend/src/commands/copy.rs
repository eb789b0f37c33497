//! COPY in text format (tab-separated, `\N` for NULL, backslash
//! escapes): `COPY (query) TO STDOUT`, `COPY table [(cols)] TO STDOUT`
//! and `COPY table [(cols)] FROM STDIN`, the last reading CopyData through
//! a [`CopyInSource`] and inserting through [`TableAccess`] (constraints
//! and indexes kept).

use std::sync::Arc;

use sqlparser::ast;

use crate::access::table::TableAccess;
use crate::analyze::Analyzer;
use crate::catalog::system_views;
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor;
use crate::executor::dest::{CopyInSource, RowSink};
use crate::executor::eval::{eval, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::plan::Plan;
use crate::nodes::query::TableRef;
use crate::optimizer;
use crate::optimizer::scan::plan_scan;
use crate::parser::{ident, object_name, StmtText};
use crate::types::{Oid, Value};

fn not_supported_yet(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

/// COPY table FROM STDIN, planned.
#[derive(Debug)]
pub struct CopyIn {
    pub table: TableRef,
    /// Table column receiving each field.
    pub targets: Vec<usize>,
    /// Per table column: the DEFAULT for columns not in the list.
    pub defaults: Vec<Option<Expr>>,
}

/// What a COPY statement does.
pub enum CopyPlan {
    /// Rows of a plan to STDOUT, with the column count.
    Out(Plan, usize),
    In(CopyIn),
}

/// Checks COPY options: text format only; FREEZE and the like accepted.
fn check_options(options: &[ast::CopyOption], legacy: &[ast::CopyLegacyOption]) -> PgResult<()> {
    for o in options {
        match o {
            ast::CopyOption::Format(f) if f.value.eq_ignore_ascii_case("text") => {}
            ast::CopyOption::Freeze(_) => {}
            other => return Err(not_supported_yet(&format!("COPY option {other}"))),
        }
    }
    if !legacy.is_empty() {
        return Err(not_supported_yet("these COPY options"));
    }
    Ok(())
}

/// Analyzes and plans a COPY: (plan, parameter types, whether it uses the
/// catalog, the relations it reads or writes).
pub fn prepare(
    stmt: &ast::Statement,
    text: &StmtText,
    params: &[Oid],
    catalog: Arc<Catalog>,
) -> PgResult<(CopyPlan, Vec<Oid>, bool, Vec<u32>)> {
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
    check_options(options, legacy_options)?;
    let mut a = Analyzer::new(text, params).with_catalog(catalog);
    match (source, *to, target) {
        (
            ast::CopySource::Table {
                table_name,
                columns,
            },
            to,
            target,
        ) => {
            let parts = object_name(table_name);
            let (schema, name) = match parts.as_slice() {
                [n] => (None, n.as_str()),
                [s, n] => (Some(s.as_str()), n.as_str()),
                _ => (None, ""),
            };
            if system_views::lookup(schema, name).is_some() && a.catalog.table(name).is_none() {
                return Err(
                    PgError::new("42809", format!("cannot copy from view \"{name}\""))
                        .with_hint("Try the COPY (SELECT ...) TO variant."),
                );
            }
            let t = a.lookup_table(table_name)?;
            let targets: Vec<usize> = if columns.is_empty() {
                (0..t.table.columns.len()).collect()
            } else {
                columns
                    .iter()
                    .map(|c| {
                        let n = ident(c);
                        t.table.column_index(&n).ok_or_else(|| {
                            PgError::new(
                                sqlstate::UNDEFINED_COLUMN,
                                format!(
                                    "column \"{n}\" of relation \"{}\" does not exist",
                                    t.table.name
                                ),
                            )
                        })
                    })
                    .collect::<PgResult<_>>()?
            };
            if to {
                if *target != ast::CopyTarget::Stdout {
                    return Err(not_supported_yet("COPY to a file or program"));
                }
                let exprs: Vec<Expr> = targets
                    .iter()
                    .map(|&i| Expr::Column(i, t.table.columns[i].ty))
                    .collect();
                let width = exprs.len();
                let scan = plan_scan(t.clone(), vec![], vec![true; t.table.columns.len()]);
                let p = Plan::Project {
                    input: Box::new(Plan::Scan(Box::new(scan))),
                    exprs,
                };
                return Ok((CopyPlan::Out(p, width), a.params, true, a.relations));
            }
            if *target != ast::CopyTarget::Stdin {
                return Err(not_supported_yet("COPY from a file or program"));
            }
            let mut defaults = Vec::with_capacity(t.table.columns.len());
            for i in 0..t.table.columns.len() {
                defaults.push(if targets.contains(&i) {
                    None
                } else {
                    Some(crate::analyze::modify::column_default(&mut a, &t, i)?)
                });
            }
            Ok((
                CopyPlan::In(CopyIn {
                    table: t,
                    targets,
                    defaults,
                }),
                a.params,
                true,
                a.relations,
            ))
        }
        (ast::CopySource::Query(q), true, ast::CopyTarget::Stdout) => {
            let query = a.analyze_top(q)?;
            let width = query.columns.len();
            let uses = a.uses_catalog;
            Ok((
                CopyPlan::Out(optimizer::plan_query(&query), width),
                a.params,
                uses,
                a.relations,
            ))
        }
        (ast::CopySource::Query(_), true, _) => Err(not_supported_yet("COPY to a file or program")),
        (ast::CopySource::Query(_), false, _) => Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "COPY FROM does not support a query",
        )),
    }
}

/// Undoes COPY text escapes in one field.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let b = field[i];
        i += 1;
        if b != b'\\' || i >= field.len() {
            out.push(b);
            continue;
        }
        let c = field[i];
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (c - b'0') as u32;
                for _ in 0..2 {
                    match field.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + (d - b'0') as u32;
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    match field.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push(b'x');
                } else {
                    out.push(v as u8);
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl CopyIn {
    /// Reads the client's data and inserts every row; returns the count.
    pub fn run(&self, src: &mut dyn CopyInSource, ctx: &EvalCtx) -> PgResult<u64> {
        let t = &self.table.table;
        let mut acc = TableAccess::new(ctx.pool, t.clone(), self.table.indexes.clone(), ctx.xact);
        // A failed COPY aborts its transaction: its rows are never seen.
        self.read_rows(&mut acc, src, ctx)
    }

    fn read_rows(
        &self,
        acc: &mut TableAccess,
        src: &mut dyn CopyInSource,
        ctx: &EvalCtx,
    ) -> PgResult<u64> {
        let mut buf: Vec<u8> = Vec::new();
        let mut n = 0u64;
        let mut done = false;
        while !done {
            match src.next_chunk()? {
                Some(chunk) => buf.extend_from_slice(&chunk),
                None => {
                    done = true;
                    if !buf.is_empty() && buf.last() != Some(&b'\n') {
                        buf.push(b'\n');
                    }
                }
            }
            let mut start = 0;
            while let Some(pos) = buf[start..].iter().position(|&b| b == b'\n') {
                check_for_interrupts()?;
                let mut line = &buf[start..start + pos];
                start += pos + 1;
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                if line == b"\\." {
                    done = true;
                    break;
                }
                self.insert_line(acc, line, ctx)?;
                n += 1;
            }
            buf.drain(..start);
        }
        // Discard what the client still sends after an end marker.
        while src.next_chunk()?.is_some() {}
        Ok(n)
    }

    fn insert_line(&self, acc: &mut TableAccess, line: &[u8], ctx: &EvalCtx) -> PgResult<()> {
        let t = &self.table.table;
        let mut row = vec![Value::Null; t.columns.len()];
        let mut fields = line.split(|&b| b == b'\t');
        for &col in &self.targets {
            let f = fields.next().ok_or_else(|| {
                PgError::new(
                    "22P04",
                    format!("missing data for column \"{}\"", t.columns[col].name),
                )
            })?;
            if f == b"\\N" {
                continue;
            }
            let raw = unescape(f);
            let s = String::from_utf8(raw).map_err(|_| {
                PgError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            row[col] = Value::parse_text(t.columns[col].ty, &s)?;
        }
        if fields.next().is_some() {
            return Err(PgError::new(
                "22P04",
                "extra data after last expected column",
            ));
        }
        for (i, d) in self.defaults.iter().enumerate() {
            if let Some(e) = d {
                row[i] = eval(e, &[], ctx)?;
            }
        }
        acc.check_row(&mut row)?;
        match acc.insert(&row)? {
            Ok(_) => Ok(()),
            Err(c) => Err(acc.unique_error(&c)),
        }
    }
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
    executor::run(plan, ctx, &mut |row| {
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
    fn unescapes_copy_text() {
        assert_eq!(unescape(b"a\\tb\\\\c\\nd"), b"a\tb\\c\nd");
        assert_eq!(unescape(b"\\101\\x42\\q"), b"ABq");
    }

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
