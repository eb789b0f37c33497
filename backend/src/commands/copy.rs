//! COPY in text format (tab-separated or another DELIMITER, `\N` or
//! another NULL string, backslash escapes) and in binary format (PGCOPY
//! header, each field's length and send/receive form): `COPY (query) TO
//! STDOUT`, `COPY table [(cols)] TO STDOUT` and `COPY table [(cols)] FROM
//! STDIN`, the last reading CopyData through a [`CopyInSource`] and
//! inserting through [`TableAccess`] (constraints and indexes kept).

use std::sync::Arc;

use bytes::BytesMut;
use sqlparser::ast;

use crate::access::table::{self, TableAccess};
use crate::analyze::Analyzer;
use crate::catalog::system_views;
use crate::catalog::trigger;
use crate::catalog::Catalog;
use crate::commands::copy_csv::{self, Record};
use crate::commands::copy_options;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor;
use crate::executor::dest::{CopyInSource, RowSink};
use crate::executor::eval::{eval, EvalCtx};
use crate::executor::ri::Ri;
use crate::executor::trigger::Triggers;
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

/// Whether COPY's data starts with a header line, and whether COPY FROM
/// checks its names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Header {
    #[default]
    No,
    Yes,
    Match,
}

/// COPY's data format: text, csv or binary, with the delimiter, NULL
/// string, quote and escape characters, header, and the per-column
/// FORCE_QUOTE, FORCE_NOT_NULL and FORCE_NULL choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyFormat {
    pub binary: bool,
    pub csv: bool,
    pub delimiter: u8,
    pub null: Vec<u8>,
    pub quote: u8,
    pub escape: u8,
    pub header: Header,
    /// The names of the copied columns (for HEADER).
    pub columns: Vec<String>,
    /// Per copied column (empty when none is).
    pub force_quote: Vec<bool>,
    pub force_not_null: Vec<bool>,
    pub force_null: Vec<bool>,
}

impl Default for CopyFormat {
    fn default() -> Self {
        CopyFormat {
            binary: false,
            csv: false,
            delimiter: b'\t',
            null: b"\\N".to_vec(),
            quote: b'"',
            escape: b'"',
            header: Header::No,
            columns: Vec::new(),
            force_quote: Vec::new(),
            force_not_null: Vec::new(),
            force_null: Vec::new(),
        }
    }
}

impl CopyFormat {
    /// FORMAT csv with its defaults: `,`, an empty NULL string, `"`.
    pub fn csv() -> CopyFormat {
        CopyFormat {
            csv: true,
            delimiter: b',',
            null: Vec::new(),
            ..CopyFormat::default()
        }
    }
}

/// The binary format's signature, flags and header extension length.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// COPY table FROM STDIN, planned.
#[derive(Debug)]
pub struct CopyIn {
    pub table: TableRef,
    /// Table column receiving each field.
    pub targets: Vec<usize>,
    /// Per table column: the DEFAULT for columns not in the list.
    pub defaults: Vec<Option<Expr>>,
    pub format: CopyFormat,
    /// CHECK and FOREIGN KEY constraints to keep.
    pub constraints: Arc<crate::nodes::constraints::Constraints>,
}

/// What a COPY statement does.
pub enum CopyPlan {
    /// Rows of a plan to STDOUT, with the column count and format.
    Out(Plan, usize, CopyFormat),
    In(CopyIn),
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
    let header_match = crate::parser::copy_header_match(&text.sql);
    let (mut format, force) =
        copy_options::copy_format(options, legacy_options, !*to, header_match)?;
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
            if a.catalog.is_matview(t.table.oid) {
                return Err(if to {
                    PgError::new(
                        "42809",
                        format!("cannot copy from materialized view \"{}\"", t.table.name),
                    )
                    .with_hint("Try the COPY (SELECT ...) TO variant.")
                } else {
                    PgError::new(
                        "42809",
                        format!("cannot copy to materialized view \"{}\"", t.table.name),
                    )
                });
            }
            let targets: Vec<usize> = if columns.is_empty() {
                t.table.live_columns()
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
            let all: Vec<String> = t
                .table
                .columns
                .iter()
                .filter(|c| !c.dropped)
                .map(|c| c.name.clone())
                .collect();
            let copied = targets
                .iter()
                .map(|&i| t.table.columns[i].name.clone())
                .collect();
            force.resolve(&mut format, copied, &all, Some(&t.table.name))?;
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
                return Ok((CopyPlan::Out(p, width, format), a.params, true, a.relations));
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
            let constraints = a.modify_constraints(t.table.oid)?;
            Ok((
                CopyPlan::In(CopyIn {
                    table: t,
                    targets,
                    defaults,
                    format,
                    constraints,
                }),
                a.params,
                true,
                a.relations,
            ))
        }
        (ast::CopySource::Query(q), true, ast::CopyTarget::Stdout) => {
            let query = a.analyze_top(q)?;
            let width = query.columns.len();
            let names: Vec<String> = query.columns.iter().map(|c| c.name.clone()).collect();
            force.resolve(&mut format, names.clone(), &names, None)?;
            let uses = a.uses_catalog;
            Ok((
                CopyPlan::Out(optimizer::plan_query(&query), width, format),
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

/// Splits a line of COPY text at the delimiters that no backslash escapes.
fn split_fields(line: &[u8], delimiter: u8) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < line.len() {
        if line[i] == b'\\' {
            i += 2;
            continue;
        }
        if line[i] == delimiter {
            fields.push(&line[start..i]);
            start = i + 1;
        }
        i += 1;
    }
    fields.push(&line[start.min(line.len())..]);
    fields
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
        let mut ri = Ri::new(&self.constraints);
        // COPY FROM fires the table's INSERT triggers, as INSERT does.
        let trig = Triggers::for_table(ctx, t);
        if let Some(tr) = &trig {
            tr.before_statement(trigger::INSERT, ctx)?;
        }
        let n = self.read_rows(&mut acc, &mut ri, trig.as_ref(), src, ctx)?;
        if let Some(tr) = &trig {
            tr.after_statement(&[trigger::INSERT], ctx)?;
        }
        ri.finish(ctx)?;
        Ok(n)
    }

    fn read_rows(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        src: &mut dyn CopyInSource,
        ctx: &EvalCtx,
    ) -> PgResult<u64> {
        if self.format.binary {
            return self.read_binary(acc, ri, trig, src, ctx);
        }
        if self.format.csv {
            return self.read_csv(acc, ri, trig, src, ctx);
        }
        let mut buf: Vec<u8> = Vec::new();
        let mut header = self.format.header != Header::No;
        let mut n = 0u64;
        let mut lineno = 0u64;
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
                lineno += 1;
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                if line == b"\\." {
                    done = true;
                    break;
                }
                if std::mem::take(&mut header) {
                    if self.format.header == Header::Match {
                        let names = split_fields(line, self.format.delimiter)
                            .into_iter()
                            .map(|f| (f != self.format.null.as_slice()).then(|| unescape(f)))
                            .collect();
                        self.match_header(names)?;
                    }
                    continue;
                }
                let name = &self.table.table.name;
                let inserted = self
                    .insert_line(acc, ri, trig, line, ctx, (name.as_str(), lineno))
                    .map_err(|e| line_context(e, name, lineno, line))?;
                n += u64::from(inserted);
            }
            buf.drain(..start);
        }
        // Discard what the client still sends after an end marker.
        while src.next_chunk()?.is_some() {}
        Ok(n)
    }

    /// Csv format: records that quoted fields may spread over lines.
    fn read_csv(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        src: &mut dyn CopyInSource,
        ctx: &EvalCtx,
    ) -> PgResult<u64> {
        let mut buf: Vec<u8> = Vec::new();
        let mut header = self.format.header != Header::No;
        let (mut n, mut eof, mut ended) = (0u64, false, false);
        let mut line = 0u64;
        let mut eol = None;
        let name = &self.table.table.name;
        let at = |line: u64| move |e: PgError| e.with_context(format!("COPY {name}, line {line}"));
        while !ended && !eof {
            match src.next_chunk()? {
                Some(chunk) => buf.extend_from_slice(&chunk),
                None => eof = true,
            }
            let mut start = 0;
            while start < buf.len() {
                check_for_interrupts()?;
                line += 1;
                let Some((record, used)) =
                    copy_csv::next_record(&buf[start..], eof, &self.format).map_err(at(line))?
                else {
                    line -= 1;
                    break;
                };
                let raw = &buf[start..start + used];
                start += used;
                line += embedded_line_ends(raw, &mut eol);
                let fields = match record {
                    Record::EndMarker => {
                        ended = true;
                        break;
                    }
                    Record::Fields(fields) => fields,
                };
                if std::mem::take(&mut header) {
                    if self.format.header == Header::Match {
                        let names = fields
                            .into_iter()
                            .map(|f| (f.quoted || f.data != self.format.null).then_some(f.data))
                            .collect();
                        self.match_header(names).map_err(at(line))?;
                    }
                    continue;
                }
                let inserted = self
                    .insert_csv(acc, ri, trig, fields, ctx, (name.as_str(), line))
                    .map_err(|e| line_context(e, name, line, raw))?;
                n += u64::from(inserted);
            }
            buf.drain(..start);
        }
        // Discard what the client still sends after an end marker.
        while src.next_chunk()?.is_some() {}
        Ok(n)
    }

    /// HEADER MATCH: the header line's fields must be the copied columns'
    /// names, in order (None for a NULL field).
    fn match_header(&self, names: Vec<Option<Vec<u8>>>) -> PgResult<()> {
        let expected = &self.format.columns;
        if names.len() != expected.len() {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                format!(
                    "wrong number of fields in header line: got {}, expected {}",
                    names.len(),
                    expected.len()
                ),
            ));
        }
        for (i, (got, want)) in names.iter().zip(expected).enumerate() {
            let msg = match got {
                None => format!(
                    "column name mismatch in header line field {}: got null value (\"{}\"), expected \"{want}\"",
                    i + 1,
                    String::from_utf8_lossy(&self.format.null)
                ),
                Some(g) if g.as_slice() != want.as_bytes() => format!(
                    "column name mismatch in header line field {}: got \"{}\", expected \"{want}\"",
                    i + 1,
                    String::from_utf8_lossy(g)
                ),
                Some(_) => continue,
            };
            return Err(PgError::new(BAD_COPY_FILE_FORMAT, msg));
        }
        Ok(())
    }

    /// Converts a csv record's fields (NULL: unquoted and equal to the NULL
    /// string, unless FORCE_NOT_NULL; or quoted too with FORCE_NULL) and
    /// inserts the row.
    fn insert_csv(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        fields: Vec<copy_csv::CsvField>,
        ctx: &EvalCtx,
        (name, line): (&str, u64),
    ) -> PgResult<bool> {
        let t = &self.table.table;
        if fields.len() > self.targets.len() {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                "extra data after last expected column",
            ));
        }
        if let Some(&col) = self.targets.get(fields.len()) {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                format!("missing data for column \"{}\"", t.columns[col].name),
            ));
        }
        let f = &self.format;
        let flag = |v: &[bool], k: usize| v.get(k).copied().unwrap_or(false);
        let mut row = vec![Value::Null; t.columns.len()];
        for (k, (field, &col)) in fields.into_iter().zip(&self.targets).enumerate() {
            let is_null = field.data == f.null
                && ((!field.quoted && !flag(&f.force_not_null, k)) || flag(&f.force_null, k));
            if is_null {
                continue;
            }
            let s = String::from_utf8(field.data).map_err(|_| {
                PgError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            row[col] = column_value(&t.columns[col], &s)
                .map_err(|e| column_context(e, name, line, &t.columns[col].name, &s))?;
        }
        self.insert_row(acc, ri, trig, row, ctx)
    }

    /// Binary format: the header, then tuples (a field count, then each
    /// field's length, -1 for NULL, and its receive form) up to the
    /// trailer (a field count of -1).
    fn read_binary(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        src: &mut dyn CopyInSource,
        ctx: &EvalCtx,
    ) -> PgResult<u64> {
        let t = &self.table.table;
        let mut input = BinaryInput {
            src,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        };
        let bad_header =
            || PgError::new(BAD_COPY_FILE_FORMAT, "COPY file signature not recognized");
        let sig = input.take(11)?.ok_or_else(bad_header)?;
        if sig != &BINARY_HEADER[..11] {
            return Err(bad_header());
        }
        let missing_header = || {
            PgError::new(
                BAD_COPY_FILE_FORMAT,
                "invalid COPY file header (missing flags)",
            )
        };
        let flags = input.take_i32()?.ok_or_else(missing_header)?;
        if flags & (1 << 16) != 0 {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                "invalid COPY file header (WITH OIDS)",
            ));
        }
        if (flags & !(1 << 16)) >> 16 != 0 {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                "unrecognized critical flags in COPY file header",
            ));
        }
        let ext = input.take_i32()?.ok_or_else(|| {
            PgError::new(
                BAD_COPY_FILE_FORMAT,
                "invalid COPY file header (missing length)",
            )
        })?;
        if ext < 0 || input.take(ext as usize)?.is_none() {
            return Err(PgError::new(
                BAD_COPY_FILE_FORMAT,
                "invalid COPY file header (wrong length)",
            ));
        }
        let mut n = 0u64;
        loop {
            check_for_interrupts()?;
            let Some(count) = input.take_i16()? else {
                // PostgreSQL accepts the end of data without a trailer.
                break;
            };
            if count == -1 {
                break;
            }
            if count as usize != self.targets.len() {
                return Err(PgError::new(
                    BAD_COPY_FILE_FORMAT,
                    format!(
                        "row field count is {count}, expected {}",
                        self.targets.len()
                    ),
                ));
            }
            let mut row = vec![Value::Null; t.columns.len()];
            for &col in &self.targets {
                let unexpected_eof =
                    || PgError::new(BAD_COPY_FILE_FORMAT, "unexpected EOF in COPY data");
                let len = input.take_i32()?.ok_or_else(unexpected_eof)?;
                if len == -1 {
                    continue;
                }
                if len < 0 {
                    return Err(PgError::new(BAD_COPY_FILE_FORMAT, "invalid field size"));
                }
                let data = input.take(len as usize)?.ok_or_else(unexpected_eof)?;
                row[col] = Value::decode(t.columns[col].ty, 1, data)?;
            }
            n += u64::from(self.insert_row(acc, ri, trig, row, ctx)?);
        }
        // Discard what the client still sends after the trailer.
        while input.src.next_chunk()?.is_some() {}
        Ok(n)
    }

    fn insert_line(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        line: &[u8],
        ctx: &EvalCtx,
        (name, lineno): (&str, u64),
    ) -> PgResult<bool> {
        let t = &self.table.table;
        let mut row = vec![Value::Null; t.columns.len()];
        let mut fields = split_fields(line, self.format.delimiter).into_iter();
        for &col in &self.targets {
            let f = fields.next().ok_or_else(|| {
                PgError::new(
                    "22P04",
                    format!("missing data for column \"{}\"", t.columns[col].name),
                )
            })?;
            if f == self.format.null.as_slice() {
                // A domain's input function sees the NULL too.
                ri.check_domain_column(t, col, &Value::Null, ctx)
                    .map_err(|e| {
                        e.with_context(format!(
                            "COPY {name}, line {lineno}, column {}: null input",
                            t.columns[col].name
                        ))
                    })?;
                continue;
            }
            let raw = unescape(f);
            let s = String::from_utf8(raw).map_err(|_| {
                PgError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            row[col] = column_value(&t.columns[col], &s)
                .and_then(|v| ri.check_domain_column(t, col, &v, ctx).map(|()| v))
                .map_err(|e| column_context(e, name, lineno, &t.columns[col].name, &s))?;
        }
        if fields.next().is_some() {
            return Err(PgError::new(
                "22P04",
                "extra data after last expected column",
            ));
        }
        self.insert_row(acc, ri, trig, row, ctx)
    }

    /// Fills the defaults of the columns COPY does not set, checks the
    /// row and inserts it.
    fn insert_row(
        &self,
        acc: &mut TableAccess,
        ri: &mut Ri,
        trig: Option<&Triggers>,
        mut row: Vec<Value>,
        ctx: &EvalCtx,
    ) -> PgResult<bool> {
        for (i, d) in self.defaults.iter().enumerate() {
            if let Some(e) = d {
                row[i] = eval(e, &[], ctx)?;
            }
        }
        ri.check_domains(&acc.table, &row, ctx)?;
        if let Some(t) = trig {
            match t.before_row(trigger::INSERT, Some(row), None, ctx)? {
                Some(r) => row = r,
                None => return Ok(false),
            }
        }
        acc.check_row(&mut row)?;
        ri.check_row(&acc.table, &row, ctx)?;
        match acc.insert(&row)? {
            Ok(tid) => {
                ri.inserted(acc.table.oid, tid, &row);
                if let Some(t) = trig {
                    t.after_row(trigger::INSERT, Some(&row), None);
                }
                Ok(true)
            }
            Err(c) => Err(acc.unique_error(&c)),
        }
    }
}

/// 22P04 bad_copy_file_format.
const BAD_COPY_FILE_FORMAT: &str = "22P04";

/// How much of a value or line an error's context shows, as PostgreSQL's
/// MAX_COPY_DATA_DISPLAY: at most 100 bytes, cut at a character
/// boundary, then "...".
fn printout(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= 100 {
        return text.into_owned();
    }
    let mut end = 100;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// The line ends inside a csv record's quoted fields, which PostgreSQL
/// counts in a record's line number as it does: `\n` once the first
/// record has shown that lines end with `\n`, else `\r` (so none in the
/// first record of a file with `\n` line ends). `eol` is the line end of
/// the first record, once known.
fn embedded_line_ends(raw: &[u8], eol: &mut Option<&'static [u8]>) -> u64 {
    let end: &'static [u8] = if raw.ends_with(b"\r\n") {
        b"\r\n"
    } else if raw.ends_with(b"\n") {
        b"\n"
    } else if raw.ends_with(b"\r") {
        b"\r"
    } else {
        b""
    };
    let body = &raw[..raw.len() - end.len()];
    let counted = if *eol == Some(&b"\n"[..]) {
        b'\n'
    } else {
        b'\r'
    };
    let n = body.iter().filter(|&&b| b == counted).count() as u64;
    if eol.is_none() && !end.is_empty() {
        *eol = Some(end);
    }
    n
}

/// A field's value for its column: the type's input function with the
/// column's type modifier applied (numeric(4,1), varchar(3)), whose errors
/// are the field's, as PostgreSQL's input functions take the typmod.
fn column_value(c: &crate::catalog::ColumnDesc, text: &str) -> PgResult<Value> {
    table::assign(Value::parse_text(c.ty, text)?, c.ty, c.typmod)
}

/// The context of an error in one value: `COPY t, line 3, column c: "v"`.
fn column_context(e: PgError, table: &str, line: u64, column: &str, value: &str) -> PgError {
    e.with_context(format!(
        "COPY {table}, line {line}, column {column}: \"{}\"",
        printout(value.as_bytes())
    ))
}

/// The context of an error in a line (a missing or extra field, a
/// constraint the row breaks): `COPY t, line 3: "the line"`, without its
/// end of line; an error that already names its column keeps that.
fn line_context(e: PgError, table: &str, line: u64, raw: &[u8]) -> PgError {
    if e.extra.as_ref().is_some_and(|x| x.context.is_some()) {
        return e;
    }
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    e.with_context(format!("COPY {table}, line {line}: \"{}\"", printout(raw)))
}

/// COPY FROM STDIN's binary data, read as the client sends it.
struct BinaryInput<'s> {
    src: &'s mut dyn CopyInSource,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl BinaryInput<'_> {
    /// The next `n` bytes, or None when the data ends first.
    fn take(&mut self, n: usize) -> PgResult<Option<&[u8]>> {
        while self.buf.len() - self.pos < n && !self.eof {
            match self.src.next_chunk()? {
                Some(chunk) => {
                    self.buf.drain(..self.pos);
                    self.pos = 0;
                    self.buf.extend_from_slice(&chunk);
                }
                None => self.eof = true,
            }
        }
        if self.buf.len() - self.pos < n {
            return Ok(None);
        }
        let start = self.pos;
        self.pos += n;
        Ok(Some(&self.buf[start..start + n]))
    }

    fn take_i32(&mut self) -> PgResult<Option<i32>> {
        Ok(self
            .take(4)?
            .map(|b| i32::from_be_bytes(b.try_into().unwrap())))
    }

    fn take_i16(&mut self) -> PgResult<Option<i16>> {
        Ok(self
            .take(2)?
            .map(|b| i16::from_be_bytes(b.try_into().unwrap())))
    }
}

/// Appends a value in COPY text format (tab-delimited, `\N` for NULL).
pub fn escape_text(v: &Value, out: &mut Vec<u8>) {
    escape_text_with(v, &CopyFormat::default(), out)
}

/// Appends a value in COPY text format with this delimiter and NULL
/// string; the delimiter within a value is escaped with a backslash.
fn escape_text_with(v: &Value, format: &CopyFormat, out: &mut Vec<u8>) {
    if v.is_null() {
        out.extend_from_slice(&format.null);
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
            b if b == format.delimiter => {
                out.push(b'\\');
                out.push(b);
            }
            b => out.push(b),
        }
    }
}

/// Runs the query, sending one CopyData message per row (after the
/// header, and before the trailer, in binary format); returns the count.
pub fn run_out(
    plan: &Plan,
    format: &CopyFormat,
    ctx: &EvalCtx,
    sink: &mut dyn RowSink,
) -> PgResult<u64> {
    if format.binary {
        // As PostgreSQL, the header goes out with the first row (clients
        // such as psycopg read it from the first CopyData), or with the
        // trailer when there is none.
        let mut buf = BytesMut::new();
        buf.extend_from_slice(BINARY_HEADER);
        let n = executor::run(plan, ctx, &mut |row| {
            buf.extend_from_slice(&(row.len() as i16).to_be_bytes());
            for v in row {
                if v.is_null() {
                    buf.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                let at = buf.len();
                buf.extend_from_slice(&[0; 4]);
                v.encode_binary(&mut buf);
                let len = (buf.len() - at - 4) as i32;
                buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
            sink.copy_out(&buf)?;
            buf.clear();
            Ok(())
        })?;
        buf.extend_from_slice(&(-1i16).to_be_bytes());
        sink.copy_out(&buf)?;
        return Ok(n);
    }
    let mut line = Vec::new();
    let single = format.columns.len() == 1;
    if format.header != Header::No {
        for (i, name) in format.columns.iter().enumerate() {
            if i > 0 {
                line.push(format.delimiter);
            }
            if format.csv {
                copy_csv::write_field(name.as_bytes(), false, single, format, &mut line);
            } else {
                escape_text_with(&Value::Text(name.clone()), format, &mut line);
            }
        }
        line.push(b'\n');
        sink.copy_out(&line)?;
    }
    executor::run(plan, ctx, &mut |row| {
        line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                line.push(format.delimiter);
            }
            if !format.csv {
                escape_text_with(v, format, &mut line);
            } else if v.is_null() {
                line.extend_from_slice(&format.null);
            } else {
                let force = format.force_quote.get(i).copied().unwrap_or(false);
                copy_csv::write_field(v.to_text().as_bytes(), force, single, format, &mut line);
            }
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
    fn splits_at_unescaped_delimiters() {
        assert_eq!(
            split_fields(b"1|x\\|y||\\\\|z", b'|'),
            vec![&b"1"[..], b"x\\|y", b"", b"\\\\", b"z"]
        );
        assert_eq!(split_fields(b"", b'\t'), vec![&b""[..]]);
        let pipe = CopyFormat {
            delimiter: b'|',
            ..CopyFormat::default()
        };
        let mut out = Vec::new();
        escape_text_with(&Value::Text("a|b\tc".into()), &pipe, &mut out);
        assert_eq!(out, b"a\\|b\\tc");
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
