//! Set-returning functions in FROM (PostgreSQL's FunctionScan):
//! generate_series (`scan::SeriesNode`), unnest of one or more arrays
//! (zipped, the shorter ones padded with NULLs, every element of a
//! multidimensional array in storage order), and WITH ORDINALITY's row
//! numbers after either.

use crate::error::PgResult;
use crate::executor::eval::{eval, EvalCtx};
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::nodes::query::{FunctionSource, JsonSrf, SetFunction};
use crate::types::{array, Value};

use super::scan::SeriesNode;
use super::{Node, Row};

/// The run-time node of a function in FROM.
pub fn build(f: &FunctionSource) -> Box<dyn Node + '_> {
    let inner: Box<dyn Node + '_> = match f.func {
        SetFunction::GenerateSeries => Box::new(SeriesNode::new(f.ty, &f.args)),
        SetFunction::Unnest => Box::new(UnnestNode {
            args: &f.args,
            arrays: None,
            next: 0,
        }),
        SetFunction::Json { kind, jsonb } => Box::new(JsonNode {
            arg: &f.args[0],
            kind,
            jsonb,
            rows: None,
        }),
    };
    if f.ordinality {
        Box::new(OrdinalityNode { inner, n: 0 })
    } else {
        inner
    }
}

/// unnest(a [, b ...]).
struct UnnestNode<'p> {
    args: &'p [Expr],
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
                .map(|a| eval(a, &[], ctx))
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
    kind: JsonSrf,
    jsonb: bool,
    rows: Option<std::vec::IntoIter<Row>>,
}

impl Node for JsonNode<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        if self.rows.is_none() {
            let doc = eval(self.arg, &[], ctx)?;
            let rows = crate::fmgr::json::srf_rows(self.kind, self.jsonb, &doc)?;
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
