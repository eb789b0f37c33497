//! Set-returning functions in FROM (PostgreSQL's FunctionScan):
//! generate_series (`scan::SeriesNode`), unnest of one or more arrays
//! (zipped, the shorter ones padded with NULLs, every element of a
//! multidimensional array in storage order), WITH ORDINALITY's row
//! numbers after either, and the select list's set-returning calls
//! (PostgreSQL's ProjectSet: `ProjectSetNode`), several in lockstep.
//! Each function's node evaluates its arguments against a row: empty in
//! FROM (where arguments read outer rows), the input row in a ProjectSet.

use crate::error::PgResult;
use crate::executor::eval::{eval, EvalCtx};
use crate::fmgr::json_record;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::plan::SrfCall;
use crate::nodes::query::{FunctionSource, JsonSrf, SetFunction};
use crate::types::{array, Oid, Value};
use crate::utils::adt::arrays;

use super::scan::SeriesNode;
use super::{Node, Row};

/// The run-time node of a function in FROM.
pub fn build(f: &FunctionSource) -> Box<dyn Node + '_> {
    let inner = if f.func == SetFunction::Lockstep {
        let mut parts = Vec::with_capacity(f.parts.len());
        let mut first = 0;
        for p in &f.parts {
            let args = &f.args[first..first + p.nargs];
            first += p.nargs;
            parts.push(LockstepMember {
                node: build_one(p.func, p.ty, args, Vec::new()),
                width: p.func.width(p.nargs),
                done: false,
            });
        }
        Box::new(LockstepNode { parts })
    } else {
        build_one(f.func, f.ty, &f.args, Vec::new())
    };
    if f.ordinality {
        Box::new(OrdinalityNode { inner, n: 0 })
    } else {
        inner
    }
}

/// The node of one function over its arguments, which read `row`.
fn build_one(func: SetFunction, ty: Oid, args: &[Expr], row: Row) -> Box<dyn Node + '_> {
    match func {
        SetFunction::GenerateSeries => Box::new(SeriesNode::new(ty, args, row)),
        SetFunction::GenerateSubscripts => Box::new(SubscriptsNode {
            args,
            row,
            range: None,
        }),
        SetFunction::PartitionAncestors => Box::new(AncestorsNode {
            arg: &args[0],
            row,
            done: false,
        }),
        SetFunction::OptionsToTable => Box::new(OptionsNode {
            arg: &args[0],
            row,
            options: None,
        }),
        SetFunction::Unnest => Box::new(UnnestNode {
            args,
            row,
            arrays: None,
            next: 0,
        }),
        SetFunction::Json { kind, jsonb } => Box::new(JsonNode {
            arg: &args[0],
            row,
            kind,
            jsonb,
            rows: None,
        }),
        SetFunction::Text(kind) => Box::new(TextRowsNode {
            args,
            row,
            kind,
            rows: None,
        }),
        SetFunction::ExpandArray => Box::new(ExpandArrayNode {
            arg: &args[0],
            row,
            array: None,
            next: 0,
        }),
        SetFunction::Sql { width, expand } => Box::new(SqlFunctionNode {
            arg: &args[0],
            row,
            rows: None,
            expand: expand.then_some(width as usize),
        }),
        SetFunction::JsonRecord {
            jsonb,
            set,
            populate,
            ..
        } => Box::new(JsonRecordNode {
            name: crate::fmgr::json_record::function_name(jsonb, set, populate),
            set,
            args,
            row,
            rows: None,
        }),
        // The analyzer never nests a lockstep group in another.
        SetFunction::Lockstep => Box::new(LockstepNode { parts: Vec::new() }),
    }
}

/// A user-defined SQL function in FROM: the rows of its body's last
/// query, computed at the first fetch.
struct SqlFunctionNode<'p> {
    arg: &'p Expr,
    row: Row,
    rows: Option<std::collections::VecDeque<Row>>,
    /// The function returns a composite value per row: its fields (this
    /// many) are the columns, NULLs for a NULL value.
    expand: Option<usize>,
}

impl Node for SqlFunctionNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let Expr::SubLink(s) = self.arg else {
                return Err(crate::error::PgError::internal("not a SQL function call"));
            };
            let mut rows = std::collections::VecDeque::new();
            let expand = self.expand;
            super::subplan::run_sql_function(s, &self.row, ctx, &mut |r| {
                ctx.mem
                    .charge(r.iter().map(super::memory::value_bytes).sum())?;
                rows.push_back(match expand {
                    Some(width) => expand_row(r, width),
                    None => r,
                });
                Ok(true)
            })?;
            self.rows = Some(rows);
        }
        Ok(self.rows.as_mut().and_then(|r| r.pop_front()))
    }
}

/// The fields of a function's composite value (the first column of
/// `r`), `width` of them: NULLs for a NULL value.
fn expand_row(r: Row, width: usize) -> Row {
    match r.into_iter().next() {
        Some(Value::Record(rec)) => rec.fields.into_iter().map(|f| f.1).collect(),
        _ => vec![Value::Null; width],
    }
}

/// regexp_matches, regexp_split_to_table, string_to_table: their rows,
/// computed at the first fetch.
struct TextRowsNode<'p> {
    args: &'p [Expr],
    row: Row,
    kind: crate::nodes::query::TextSrf,
    /// The rows still to give, last first.
    rows: Option<Vec<Value>>,
}

impl Node for TextRowsNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let args = self
                .args
                .iter()
                .map(|a| eval(a, &self.row, ctx))
                .collect::<PgResult<Vec<_>>>()?;
            let mut rows = self.kind.rows(&args)?;
            ctx.mem
                .charge(rows.iter().map(super::memory::value_bytes).sum())?;
            rows.reverse();
            self.rows = Some(rows);
        }
        Ok(self.rows.as_mut().and_then(Vec::pop).map(|v| vec![v]))
    }
}

/// One function of a lockstep group.
struct LockstepMember<'p> {
    node: Box<dyn Node + 'p>,
    width: usize,
    /// It has given its last row: NULLs from now on.
    done: bool,
}

/// Functions advancing together: each output row takes the next row of
/// every function, NULLs for those already exhausted; it ends when all
/// are (so a group where every function is empty gives no row).
struct LockstepNode<'p> {
    parts: Vec<LockstepMember<'p>>,
}

impl Node for LockstepNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let mut row = Vec::new();
        let mut any = false;
        for p in &mut self.parts {
            let got = if p.done { None } else { p.node.next(ctx)? };
            match got {
                Some(r) => {
                    any = true;
                    row.extend(r);
                }
                None => {
                    p.done = true;
                    row.extend(std::iter::repeat_n(Value::Null, p.width));
                }
            }
        }
        Ok(any.then_some(row))
    }
}

/// generate_subscripts(a, dim [, reverse]): no rows for a NULL argument,
/// an empty array or a dimension it lacks.
struct SubscriptsNode<'p> {
    args: &'p [Expr],
    row: Row,
    /// The subscripts left to produce (next, last, step), once evaluated.
    range: Option<Option<(i32, i32, i32)>>,
}

impl Node for SubscriptsNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.range.is_none() {
            let vals = self
                .args
                .iter()
                .map(|a| eval(a, &self.row, ctx))
                .collect::<PgResult<Vec<_>>>()?;
            let null = vals.iter().any(Value::is_null);
            let (lo, hi) = if null {
                (Value::Null, Value::Null)
            } else {
                (
                    arrays::lower(&vals[0], &vals[1])?,
                    arrays::upper(&vals[0], &vals[1])?,
                )
            };
            let reverse = matches!(vals.get(2), Some(Value::Bool(true)));
            self.range = Some(match (lo, hi) {
                (Value::Int4(l), Value::Int4(h)) if reverse => Some((h, l, -1)),
                (Value::Int4(l), Value::Int4(h)) => Some((l, h, 1)),
                _ => None,
            });
        }
        let Some(Some((next, last, step))) = &mut self.range else {
            return Ok(None);
        };
        check_for_interrupts()?;
        let v = *next;
        if (*step > 0 && v > *last) || (*step < 0 && v < *last) {
            self.range = Some(None);
            return Ok(None);
        }
        *next += *step;
        Ok(Some(vec![Value::Int4(v)]))
    }
}

/// pg_partition_ancestors(rel): as PostgreSQL's, no rows for a NULL, an
/// unknown relation or one outside every partition tree, and else the
/// relation then each partitioned table above it. pgfork's relations are
/// tables, indexes, sequences and views, never partitioned tables or
/// partitions, so every relation is outside a partition tree: the
/// argument is evaluated (its errors surface) and the set is empty.
struct AncestorsNode<'p> {
    arg: &'p Expr,
    row: Row,
    done: bool,
}

impl Node for AncestorsNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if !self.done {
            self.done = true;
            eval(self.arg, &self.row, ctx)?;
        }
        Ok(None)
    }
}

/// pg_options_to_table(options): each `name=value` item of a text array
/// (reloptions, fdwoptions) as (name, value), the value NULL when the
/// item has no `=`; no rows for a NULL array.
struct OptionsNode<'p> {
    arg: &'p Expr,
    row: Row,
    /// The rows still to give, last first.
    options: Option<Vec<Row>>,
}

impl Node for OptionsNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.options.is_none() {
            let a = eval(self.arg, &self.row, ctx)?;
            let items = array::view(&a).map(|v| v.items).unwrap_or_default();
            let mut rows: Vec<Row> = items
                .iter()
                .filter_map(|v| match v {
                    Value::Text(t) => Some(match t.split_once('=') {
                        Some((n, v)) => vec![Value::Text(n.into()), Value::Text(v.into())],
                        None => vec![Value::Text(t.clone()), Value::Null],
                    }),
                    _ => None,
                })
                .collect();
            rows.reverse();
            self.options = Some(rows);
        }
        Ok(self.options.as_mut().and_then(Vec::pop))
    }
}

/// unnest(a [, b ...]).
struct UnnestNode<'p> {
    args: &'p [Expr],
    row: Row,
    /// The arrays (a NULL array is empty), once evaluated.
    arrays: Option<Vec<Value>>,
    next: usize,
}

impl Node for UnnestNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.arrays.is_none() {
            let vals = self
                .args
                .iter()
                .map(|a| eval(a, &self.row, ctx))
                .collect::<PgResult<Vec<_>>>()?;
            self.arrays = Some(vals);
        }
        let arrays = self.arrays.as_deref().unwrap_or_default();
        let i = self.next;
        let mut row = Vec::with_capacity(arrays.len());
        let mut any = false;
        for a in arrays {
            match array::view(a).and_then(|v| v.items.get(i).cloned()) {
                Some(v) => {
                    any = true;
                    row.push(v);
                }
                None => row.push(Value::Null),
            }
        }
        if !any {
            return Ok(None);
        }
        check_for_interrupts()?;
        self.next += 1;
        Ok(Some(row))
    }
}

/// json_each and the other json set-returning functions: the rows of
/// one document, computed when first asked for.
struct JsonNode<'p> {
    arg: &'p Expr,
    row: Row,
    kind: JsonSrf,
    jsonb: bool,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl Node for JsonNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let doc = eval(self.arg, &self.row, ctx)?;
            let rows = crate::fmgr::json::srf_rows(self.kind, self.jsonb, &doc)?;
            self.rows = Some(rows.into_iter());
        }
        check_for_interrupts()?;
        Ok(self.rows.as_mut().and_then(Iterator::next))
    }
}

/// json(b)_populate_record(set), json(b)_to_record(set): the fields of
/// the rows the document fills, computed at the first fetch.
struct JsonRecordNode<'p> {
    name: &'static str,
    set: bool,
    /// Base value, document, row template.
    args: &'p [Expr],
    row: Row,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl Node for JsonRecordNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let (Some(base), Some(doc), Some(template)) =
                (self.args.first(), self.args.get(1), self.args.last())
            else {
                return Err(crate::error::PgError::internal(
                    "populate_record without its arguments",
                ));
            };
            let shape = json_record::RowShape::of_template(&eval(template, &self.row, ctx)?)?;
            let base = eval(base, &self.row, ctx)?;
            let doc = eval(doc, &self.row, ctx)?;
            let rows = json_record::record_rows(self.name, self.set, &shape, &base, &doc)?;
            ctx.mem
                .charge(rows.iter().flatten().map(super::memory::value_bytes).sum())?;
            self.rows = Some(rows.into_iter());
        }
        check_for_interrupts()?;
        Ok(self.rows.as_mut().and_then(Iterator::next))
    }
}

/// WITH ORDINALITY: the row number (bigint, from 1) after the function's
/// columns.
struct OrdinalityNode<'p> {
    inner: Box<dyn Node + 'p>,
    n: i64,
}

impl Node for OrdinalityNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let Some(mut row) = self.inner.next(ctx)? else {
            return Ok(None);
        };
        self.n += 1;
        row.push(Value::Int8(self.n));
        Ok(Some(row))
    }
}

/// information_schema._pg_expandarray(a): for each subscript s of a's
/// first dimension, the record (a[s], s - lower bound + 1); a[s] is NULL
/// when a has more dimensions (one subscript selects no element), no rows
/// for NULL or an empty array.
struct ExpandArrayNode<'p> {
    arg: &'p Expr,
    row: Row,
    /// The array, once evaluated.
    array: Option<Value>,
    next: usize,
}

impl Node for ExpandArrayNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        check_for_interrupts()?;
        if self.array.is_none() {
            self.array = Some(eval(self.arg, &self.row, ctx)?);
        }
        let Some(a) = self.array.as_ref().and_then(array::view) else {
            return Ok(None);
        };
        let Some(&len) = a.dims.first() else {
            return Ok(None);
        };
        let i = self.next;
        if i >= len as usize {
            return Ok(None);
        }
        self.next += 1;
        let x = if a.ndim() == 1 {
            a.items[i].clone()
        } else {
            Value::Null
        };
        let fields = vec![
            (a.elem, x),
            (crate::types::oid::INT4, Value::Int4(i as i32 + 1)),
        ];
        Ok(Some(vec![Value::Record(
            crate::types::record::RecordValue::anonymous(fields),
        )]))
    }
}

/// The select list's set-returning calls over each input row
/// (PostgreSQL's ProjectSet): the row followed by the next value of
/// every call (NULL once a call is exhausted), until all are.
pub struct ProjectSetNode<'p> {
    input: Box<dyn Node + 'p>,
    calls: &'p [SrfCall],
    /// The input row being expanded and its calls' nodes.
    current: Option<(Row, CallNodes<'p>)>,
}

/// The nodes of a ProjectSet's calls for one input row (None once a
/// call is exhausted).
type CallNodes<'p> = Vec<Option<Box<dyn Node + 'p>>>;

impl<'p> ProjectSetNode<'p> {
    pub fn new(input: Box<dyn Node + 'p>, calls: &'p [SrfCall]) -> Self {
        ProjectSetNode {
            input,
            calls,
            current: None,
        }
    }
}

impl Node for ProjectSetNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        loop {
            check_for_interrupts()?;
            if self.current.is_none() {
                let Some(row) = self.input.next(ctx)? else {
                    return Ok(None);
                };
                let nodes = self
                    .calls
                    .iter()
                    .map(|c| Some(build_one(c.func, c.ty, &c.args, row.clone())))
                    .collect();
                self.current = Some((row, nodes));
            }
            let Some((row, nodes)) = &mut self.current else {
                continue;
            };
            let mut out = Vec::with_capacity(row.len() + nodes.len());
            out.extend_from_slice(row);
            let mut any = false;
            for (slot, call) in nodes.iter_mut().zip(self.calls) {
                let got = match slot {
                    Some(node) => node.next(ctx)?,
                    None => None,
                };
                match got {
                    Some(r) => {
                        any = true;
                        out.push(select_list_value(call, r));
                    }
                    None => {
                        *slot = None;
                        out.push(Value::Null);
                    }
                }
            }
            if any {
                return Ok(Some(out));
            }
            self.current = None;
        }
    }
}

/// A row of a set-returning call as the select list sees it: its one
/// column, or, for a function of several (json_each), the composite value
/// of its fields.
fn select_list_value(call: &SrfCall, r: Row) -> Value {
    let Some(fields) = &call.fields else {
        return r.into_iter().next().unwrap_or(Value::Null);
    };
    let names = fields.iter().map(|f| f.0.clone()).collect();
    Value::Record(Box::new(crate::types::record::RecordValue {
        typ: call.ty,
        names: Some(std::sync::Arc::new(names)),
        fields: fields.iter().map(|f| f.1).zip(r).collect(),
    }))
}
