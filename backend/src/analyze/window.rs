//! Window function analysis (PostgreSQL's transformWindowFuncCall and
//! transformWindowDefinitions): `f(...) OVER (...)`, `OVER w` with the
//! SELECT's `WINDOW w AS (...)` clause and `OVER (w ORDER BY ...)`
//! refinements, frames with their offsets typed, PostgreSQL's placement
//! errors (42P20 windowing_error, 42803, 0A000); then the rewrite that
//! moves every call out of the targets into `Query::windows`, leaving a
//! column of the WindowAgg stage's output in its place.

use sqlparser::ast;

use super::expr::Clause;
use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::window as wfn;
use crate::nodes::expr::Expr;
use crate::nodes::query::Query;
use crate::nodes::window::{Frame, FrameBound, FrameExclusion, FrameUnits, WindowDef, WindowFunc};
use crate::parser::ident;
use crate::parser::window_exclude::{self, Exclusion};
use crate::types::{oid, type_name, Oid};
use crate::utils::adt::agg::SortSpec;

fn windowing(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::WINDOWING_ERROR, msg)
}

fn not_implemented(msg: &str) -> PgError {
    PgError::new(sqlstate::FEATURE_NOT_SUPPORTED, msg)
}

/// A call's parts, as the function analysis found them.
pub(super) struct WindowCallArgs<'x> {
    pub name: &'x str,
    pub list: &'x [ast::FunctionArg],
    pub star: bool,
    pub distinct: bool,
    pub has_order: bool,
    pub filter: Option<&'x ast::Expr>,
    pub over: &'x ast::WindowType,
}

impl Analyzer<'_> {
    /// `name(args) [FILTER (WHERE ...)] OVER window`.
    pub(super) fn window_call(
        &mut self,
        c: WindowCallArgs,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let is_agg = crate::utils::adt::agg::is_aggregate(c.name);
        if !is_agg && !wfn::is_window_function(c.name) {
            let args = self.window_args(c.list, scope, clause)?;
            let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
            crate::fmgr::resolve_call(c.name, &types)?;
            return Err(PgError::new(
                "42809",
                format!(
                    "OVER specified, but {} is not a window function nor an aggregate function",
                    c.name
                ),
            ));
        }
        if matches!(c.name, "rank" | "dense_rank" | "percent_rank" | "cume_dist")
            && (!c.list.is_empty() || c.star)
        {
            // rank(args) is the hypothetical-set aggregate.
            return Err(PgError::new(
                "42809",
                format!(
                    "WITHIN GROUP is required for ordered-set aggregate {}",
                    c.name
                ),
            ));
        }
        if c.distinct {
            return Err(not_implemented(
                "DISTINCT is not implemented for window functions",
            ));
        }
        if c.has_order {
            return Err(not_implemented(
                "aggregate ORDER BY is not implemented for window functions",
            ));
        }
        if c.filter.is_some() && !is_agg {
            return Err(not_implemented(
                "FILTER is not implemented for non-aggregate window functions",
            ));
        }
        if self.in_aggregate {
            return Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                "aggregate function calls cannot contain window function calls",
            ));
        }
        if self.in_window {
            return Err(windowing("window function calls cannot be nested"));
        }
        if !matches!(clause, Clause::Select | Clause::OrderBy) {
            return Err(windowing(format!(
                "window functions are not allowed in {}",
                clause.name()
            )));
        }
        self.in_window = true;
        let r = self.window_call_inner(&c, scope, clause);
        self.in_window = false;
        r
    }

    fn window_args(
        &mut self,
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Vec<Expr>> {
        self.in_window_args = true;
        let r = list
            .iter()
            .map(|a| match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    self.expr(e, scope, clause)
                }
                _ => Err(super::not_supported_yet(
                    "named or wildcard function arguments",
                )),
            })
            .collect();
        self.in_window_args = false;
        r
    }

    fn window_call_inner(
        &mut self,
        c: &WindowCallArgs,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let args = if c.star {
            vec![]
        } else {
            self.window_args(c.list, scope, clause)?
        };
        let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let (kind, params, ty) = wfn::resolve(c.name, &types, c.star)?;
        let args = args
            .into_iter()
            .zip(params)
            .map(|(a, t)| self.coerce(a, t, false))
            .collect::<PgResult<Vec<_>>>()?;
        let filter = match c.filter {
            Some(w) => {
                self.in_window = false;
                let x = self.expr(w, scope, Clause::Filter);
                self.in_window = true;
                Some(self.coerce_arg(x?, oid::BOOL, "FILTER")?)
            }
            None => None,
        };
        let spec = self.resolve_over(c.over)?;
        let window = self.window_def(&spec, scope, clause)?;
        Ok(Expr::WindowFunc(Box::new(WindowFunc {
            kind,
            args,
            filter,
            ty,
            window,
        })))
    }

    /// The window an OVER clause names or writes, with a named window's
    /// clauses copied in as PostgreSQL's rules allow.
    fn resolve_over(&self, over: &ast::WindowType) -> PgResult<ast::WindowSpec> {
        match over {
            ast::WindowType::NamedWindow(n) => {
                self.named_window(&ident(n), self.named_windows.len())
            }
            ast::WindowType::WindowSpec(s) => self.refine(s, self.named_windows.len()),
        }
    }

    /// The definition of window `name` among the first `upto` entries of
    /// the WINDOW clause.
    fn named_window(&self, name: &str, upto: usize) -> PgResult<ast::WindowSpec> {
        let pos = self.named_windows[..upto]
            .iter()
            .position(|d| ident(&d.0) == name)
            .ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("window \"{name}\" does not exist"),
                )
            })?;
        match &self.named_windows[pos].1 {
            ast::NamedWindowExpr::WindowSpec(s) => self.refine(s, pos),
            ast::NamedWindowExpr::NamedWindow(n) => self.named_window(&ident(n), pos),
        }
    }

    /// `(w PARTITION BY ... ORDER BY ... frame)`: copies window `w`'s
    /// clauses (defined among the first `upto` WINDOW entries).
    fn refine(&self, s: &ast::WindowSpec, upto: usize) -> PgResult<ast::WindowSpec> {
        // The EXCLUDE clause the parser recorded in the name stays there,
        // alone, for `window_def`.
        let (written, exclude) = match &s.window_name {
            Some(n) => window_exclude::split(&n.value),
            None => (None, None),
        };
        let marker = exclude.map(|e| ast::Ident::with_quote('"', window_exclude::marker(e)));
        let Some(base) = written else {
            let mut s = s.clone();
            s.window_name = marker;
            return Ok(s);
        };
        let name = match &s.window_name {
            Some(n) if exclude.is_none() => ident(n),
            _ => base.to_owned(),
        };
        let b = self.named_window(&name, upto)?;
        if !s.partition_by.is_empty() {
            return Err(windowing(format!(
                "cannot override PARTITION BY clause of window \"{name}\""
            )));
        }
        if !s.order_by.is_empty() && !b.order_by.is_empty() {
            return Err(windowing(format!(
                "cannot override ORDER BY clause of window \"{name}\""
            )));
        }
        if b.window_frame.is_some() {
            let e = windowing(format!(
                "cannot copy window \"{name}\" because it has a frame clause"
            ));
            let bare = s.order_by.is_empty() && s.window_frame.is_none();
            return Err(if bare {
                e.with_hint("Omit the parentheses in this OVER clause.")
            } else {
                e
            });
        }
        Ok(ast::WindowSpec {
            window_name: marker,
            partition_by: b.partition_by,
            order_by: if s.order_by.is_empty() {
                b.order_by
            } else {
                s.order_by.clone()
            },
            window_frame: s.window_frame.clone(),
        })
    }

    /// Checks the SELECT's WINDOW clause: names defined once, every
    /// definition valid in `scope` (PostgreSQL analyzes unused ones too).
    pub(super) fn check_window_clause(&mut self, scope: &Scope) -> PgResult<()> {
        for i in 0..self.named_windows.len() {
            let name = ident(&self.named_windows[i].0);
            if self.named_windows[..i].iter().any(|d| ident(&d.0) == name) {
                return Err(windowing(format!("window \"{name}\" is already defined")));
            }
            let spec = self.named_window(&name, i + 1)?;
            self.in_window = true;
            let r = self.window_def(&spec, scope, Clause::Select);
            self.in_window = false;
            r?;
        }
        Ok(())
    }

    /// A window specification analyzed in `scope`.
    fn window_def(
        &mut self,
        s: &ast::WindowSpec,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<WindowDef> {
        let mut partition = Vec::with_capacity(s.partition_by.len());
        for p in &s.partition_by {
            let mut x = self.expr(p, scope, clause)?;
            if x.ty() == oid::UNKNOWN {
                x = self.coerce(x, oid::TEXT, false)?;
            }
            partition.push(x);
        }
        let mut order = Vec::with_capacity(s.order_by.len());
        for o in &s.order_by {
            let desc = match &o.options.sort {
                Some(ast::OrderBySort::Desc) => true,
                Some(ast::OrderBySort::Asc) | None => false,
                Some(ast::OrderBySort::Using(_)) => {
                    return Err(super::not_supported_yet("ORDER BY USING"))
                }
            };
            let mut x = self.expr(&o.expr, scope, clause)?;
            if x.ty() == oid::UNKNOWN {
                x = self.coerce(x, oid::TEXT, false)?;
            }
            order.push((
                x,
                SortSpec {
                    desc,
                    nulls_first: o.options.nulls_first.unwrap_or(desc),
                },
            ));
        }
        let exclude = s
            .window_name
            .as_ref()
            .and_then(|n| window_exclude::split(&n.value).1)
            .map(|e| match e {
                Exclusion::CurrentRow => FrameExclusion::CurrentRow,
                Exclusion::Group => FrameExclusion::Group,
                Exclusion::Ties => FrameExclusion::Ties,
            });
        let frame = match &s.window_frame {
            None => Frame::default_frame(),
            Some(f) => self.frame(f, exclude, &order, scope)?,
        };
        Ok(WindowDef {
            partition,
            order,
            frame,
        })
    }

    fn frame(
        &mut self,
        f: &ast::WindowFrame,
        exclude: Option<FrameExclusion>,
        order: &[(Expr, SortSpec)],
        scope: &Scope,
    ) -> PgResult<Frame> {
        use ast::WindowFrameBound as B;
        let units = match f.units {
            ast::WindowFrameUnits::Rows => FrameUnits::Rows,
            ast::WindowFrameUnits::Range => FrameUnits::Range,
            ast::WindowFrameUnits::Groups => FrameUnits::Groups,
        };
        let end = f.end_bound.as_ref().unwrap_or(&B::CurrentRow);
        // gram.y's checks.
        match (&f.start_bound, end) {
            (B::Following(None), _) => {
                return Err(windowing("frame start cannot be UNBOUNDED FOLLOWING"))
            }
            (B::Following(Some(_)), B::CurrentRow) => {
                return Err(windowing(
                    "frame starting from following row cannot end with current row",
                ))
            }
            (_, B::Preceding(None)) => {
                return Err(windowing("frame end cannot be UNBOUNDED PRECEDING"))
            }
            (B::CurrentRow, B::Preceding(Some(_))) => {
                return Err(windowing(
                    "frame starting from current row cannot have preceding rows",
                ))
            }
            (B::Following(Some(_)), B::Preceding(Some(_))) => {
                return Err(windowing(
                    "frame starting from following row cannot have preceding rows",
                ))
            }
            _ => {}
        }
        let has_offset = [&f.start_bound, end]
            .iter()
            .any(|b| matches!(b, B::Preceding(Some(_)) | B::Following(Some(_))));
        let offset_ty = match units {
            FrameUnits::Groups if order.is_empty() => {
                return Err(windowing("GROUPS mode requires an ORDER BY clause"))
            }
            FrameUnits::Range if has_offset => {
                let [(key, _)] = order else {
                    return Err(windowing(
                        "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                    ));
                };
                Some(key.ty())
            }
            _ => None,
        };
        let what = match units {
            FrameUnits::Rows => "ROWS",
            FrameUnits::Range => "RANGE",
            FrameUnits::Groups => "GROUPS",
        };
        let mut bound = |b: &B| -> PgResult<FrameBound> {
            Ok(match b {
                B::CurrentRow => FrameBound::CurrentRow,
                B::Preceding(None) => FrameBound::UnboundedPreceding,
                B::Following(None) => FrameBound::UnboundedFollowing,
                B::Preceding(Some(e)) => {
                    FrameBound::Preceding(self.offset(e, scope, what, offset_ty)?)
                }
                B::Following(Some(e)) => {
                    FrameBound::Following(self.offset(e, scope, what, offset_ty)?)
                }
            })
        };
        Ok(Frame {
            units,
            start: bound(&f.start_bound)?,
            end: bound(end)?,
            exclude,
        })
    }

    /// A frame offset: bigint for ROWS and GROUPS; for RANGE the type
    /// `in_range` takes for the ORDER BY column's type.
    fn offset(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        what: &str,
        range_key: Option<Oid>,
    ) -> PgResult<Expr> {
        // sqlparser reads a bare `'...' PRECEDING` as an interval; in
        // PostgreSQL it is an untyped literal.
        let bare;
        let e = match e {
            ast::Expr::Interval(iv)
                if iv.leading_field.is_none()
                    && iv.last_field.is_none()
                    && !self.after_interval_keyword(e) =>
            {
                bare = (*iv.value).clone();
                &bare
            }
            e => e,
        };
        self.in_window = false;
        let x = self.expr(e, scope, Clause::Limit);
        self.in_window = true;
        let x = x?;
        if x.contains_column() {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!("argument of {what} must not contain variables"),
            ));
        }
        let Some(key) = range_key else {
            return self.coerce_arg(x, oid::INT8, what);
        };
        let from = x.ty();
        let target = match key {
            oid::INT2 | oid::INT4 | oid::INT8 => [oid::INT8, oid::INT4, oid::INT2]
                .into_iter()
                .find(|t| {
                    *t == from
                        || (from != oid::UNKNOWN
                            && crate::utils::adt::ops::can_coerce_implicitly(from, *t))
                })
                .map(|t| if from == oid::UNKNOWN { oid::INT8 } else { t }),
            oid::NUMERIC => Some(oid::NUMERIC),
            oid::FLOAT4 | oid::FLOAT8 => Some(oid::FLOAT8),
            oid::DATE | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::INTERVAL => Some(oid::INTERVAL),
            _ => {
                return Err(not_implemented(&format!(
                    "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                    type_name(key)
                )))
            }
        };
        match target {
            Some(t)
                if from == t
                    || from == oid::UNKNOWN
                    || crate::utils::adt::ops::can_coerce_implicitly(from, t) =>
            {
                self.coerce(x, t, false)
            }
            _ => Err(not_implemented(&format!(
                "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {} and offset type {}",
                type_name(key),
                type_name(from)
            ))
            .with_hint("Cast the offset value to an appropriate type.")),
        }
    }
}

impl Analyzer<'_> {
    /// Whether the text before `e` ends with the INTERVAL keyword.
    fn after_interval_keyword(&self, e: &ast::Expr) -> bool {
        use sqlparser::ast::Spanned;
        let loc = e.span().start;
        if loc.line == 0 {
            return true;
        }
        let at = crate::parser::byte_offset(&self.text.full, loc);
        let before = self.text.full[..at].trim_end();
        before
            .len()
            .checked_sub(8)
            .and_then(|i| before.get(i..))
            .is_some_and(|w| w.eq_ignore_ascii_case("interval"))
            || self.text.full[at..]
                .get(..8)
                .is_some_and(|w| w.eq_ignore_ascii_case("interval"))
    }
}

/// Moves the window function calls of `q`'s targets into `q.windows`
/// (equal calls once, calls over the same window together), replacing
/// each by column `base + i` of the WindowAgg stage's output; `input`
/// is the type of each column the window stage reads.
pub(super) fn extract(q: &mut Query, input: Vec<Oid>) -> PgResult<()> {
    let mut calls: Vec<WindowFunc> = Vec::new();
    for t in &q.targets {
        collect(t, &mut calls);
    }
    if calls.is_empty() {
        return Ok(());
    }
    // Group by window, keeping first-appearance order.
    let mut grouped: Vec<WindowFunc> = Vec::with_capacity(calls.len());
    while !calls.is_empty() {
        let w = calls[0].window.clone();
        let (same, rest): (Vec<_>, Vec<_>) = calls.into_iter().partition(|c| c.window == w);
        grouped.extend(same);
        calls = rest;
    }
    let base = input.len();
    let old = std::mem::take(&mut q.targets);
    q.targets = old
        .into_iter()
        .map(|t| {
            t.map_bottom_up(&mut |n| match n {
                Expr::WindowFunc(w) => {
                    let i = grouped
                        .iter()
                        .position(|g| *g == *w)
                        .ok_or_else(|| PgError::internal("lost window function"))?;
                    Ok(Expr::Column(base + i, w.ty))
                }
                other => Ok(other),
            })
        })
        .collect::<PgResult<_>>()?;
    q.window_input = input;
    q.windows = grouped;
    Ok(())
}

fn collect(e: &Expr, out: &mut Vec<WindowFunc>) {
    if let Expr::WindowFunc(w) = e {
        if !out.contains(w) {
            out.push((**w).clone());
        }
        return;
    }
    for c in e.children() {
        collect(c, out);
    }
}
