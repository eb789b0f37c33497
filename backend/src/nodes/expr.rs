//! Analyzed expressions (PostgreSQL's primnodes): typed, names resolved,
//! operands coerced. The executor evaluates them (`executor::eval`).

use std::sync::{Arc, OnceLock};

use crate::error::{PgError, PgResult};
use crate::fmgr::{AggKind, FuncDef};
use crate::nodes::plan::Plan;
use crate::nodes::query::Query;
use crate::nodes::window::{FrameBound, WindowFunc};
use crate::types::{oid, Oid, Value};
use crate::utils::adt::ops::BinOp;

/// What a subquery in an expression computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubLinkKind {
    /// EXISTS (subquery).
    Exists,
    /// (subquery) returning at most one row of one column.
    Scalar,
    /// test IN (subquery) (NOT IN is Not(In)).
    In,
    /// ARRAY(subquery): the rows' one column as an array (of one more
    /// dimension when the column is an array).
    Array,
}

/// A planned subquery, shared by the copies of the expression holding it.
#[derive(Debug)]
pub struct SubPlan {
    /// The subquery as the analyzer left it.
    pub query: Query,
    /// Its plan, made when the optimizer plans the enclosing statement
    /// (`optimizer::subselect`).
    pub plan: OnceLock<Plan>,
    /// Refers to an enclosing query's row: run again for each row.
    pub correlated: bool,
}

impl SubPlan {
    /// The subquery's plan; an internal error if the optimizer has not
    /// planned the statement holding it.
    pub fn plan(&self) -> PgResult<&Plan> {
        self.plan
            .get()
            .ok_or_else(|| PgError::internal("subquery used before it was planned"))
    }
}

impl PartialEq for SubPlan {
    fn eq(&self, o: &SubPlan) -> bool {
        std::ptr::eq(self, o)
    }
}

/// A subquery used as an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct SubLink {
    pub kind: SubLinkKind,
    /// The left operand of IN.
    pub test: Option<Expr>,
    pub sub: Arc<SubPlan>,
    pub ty: Oid,
    /// A call of a user-defined SQL function whose body is `sub`.
    pub call: Option<Box<SqlFuncCall>>,
}

/// A call of a LANGUAGE sql function: its arguments, evaluated in the
/// caller's row, become the parameters (`Expr::Param`) of its body,
/// which runs as an uncorrelated subquery of its own for each call.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlFuncCall {
    /// The function's name (for the CONTEXT line of its errors).
    pub name: String,
    pub args: Vec<Expr>,
    /// STRICT: NULL, without running the body, when an argument is NULL.
    pub strict: bool,
    /// RETURNS SETOF / TABLE: every row (FROM); otherwise the first
    /// row's first column, NULL when there is none.
    pub set: bool,
    /// A set-returning call outside FROM (in a select list): run by a
    /// ProjectSet, as the built-in set-returning functions there.
    pub project_set: bool,
    /// A LANGUAGE plpgsql function: run by the PL/pgSQL interpreter
    /// (`executor::subplan::set_pl_handler`) instead of the SubPlan.
    pub pl: Option<std::sync::Arc<crate::catalog::function::FunctionDesc>>,
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(Value, Oid),
    /// `$n` (0-based index) of the given type.
    Param(usize, Oid),
    /// Column `i` of the input row.
    Column(usize, Oid),
    /// Column `i` of the row `depth` levels out (1 = the query enclosing
    /// this one): correlated subqueries and LATERAL.
    Outer(usize, usize, Oid),
    /// A subquery.
    SubLink(Box<SubLink>),
    /// Operands already have the operator's input types.
    Binary(BinOp, Box<Expr>, Box<Expr>, Oid),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    IsNull(Box<Expr>, bool),
    /// `x IS [NOT] TRUE/FALSE`: (expr, value, negated).
    IsBool(Box<Expr>, bool, bool),
    /// `IS DISTINCT FROM` (false) or `IS NOT DISTINCT FROM` (true).
    Distinct(Box<Expr>, Box<Expr>, bool),
    /// Cast to (type, typmod).
    Cast(Box<Expr>, Oid, i32),
    Case {
        whens: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
        ty: Oid,
    },
    Coalesce(Vec<Expr>, Oid),
    NullIf(Box<Expr>, Box<Expr>),
    /// GREATEST (true) or LEAST (false).
    MinMax(bool, Vec<Expr>, Oid),
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        case_insensitive: bool,
        negated: bool,
    },
    Func(&'static FuncDef, Vec<Expr>),
    /// An aggregate call; only between analysis and the aggregate
    /// rewrite, which replaces it by a column of the Aggregate node.
    Agg(Box<AggCall>),
    /// ARRAY[...] of array type `ty`: elements of its element type, or,
    /// when `multidims`, arrays of type `ty` stacked into one more
    /// dimension.
    ArrayExpr {
        elems: Vec<Expr>,
        ty: Oid,
        multidims: bool,
    },
    /// Subscripts or slices of an array: `a[i]`, `a[i:j][k]`.
    Subscript(Box<SubscriptExpr>),
    /// `(record).field`: the field of that name, at that position
    /// (0-based) of a record value, of type `Oid` (PostgreSQL's
    /// FieldSelect).
    FieldSelect(Box<Expr>, usize, Oid, String),
    /// `x op ANY (array)` / `x op ALL (array)` (ScalarArrayOpExpr).
    ArrayOp(Box<ArrayOpExpr>),
    /// `ROW(a, b, ...)`, or a whole-row reference (`t` naming a FROM
    /// item): a composite value (PostgreSQL's RowExpr).
    Row(Box<RowExpr>),
    /// A window function call; only between analysis and the window
    /// rewrite, which replaces it by a column of a WindowAgg node.
    WindowFunc(Box<WindowFunc>),
    /// `GROUPING(a, b, ...)` (an int4 bit mask of the arguments left out
    /// of the current grouping set); only between analysis and the
    /// aggregate rewrite, which replaces it by a column of the Aggregate
    /// node.
    Grouping(Vec<Expr>),
    /// A value becoming a domain's (PostgreSQL's CoerceToDomain): the
    /// value of `arg` (of the domain's base type), checked.
    DomainCheck(Box<DomainCheck>),
}

/// The constraints of a domain, checked on a value (`types::domains`).
#[derive(Clone, Debug, PartialEq)]
pub struct DomainCheck {
    pub arg: Expr,
    /// The domain's name and schema (for the error and its fields).
    pub domain: String,
    pub schema: String,
    pub not_null: bool,
    /// (constraint name, boolean expression over a one-column row: the
    /// value, PostgreSQL's VALUE, is `Column(0)`), in checking order.
    /// Not children of the expression: they read no query row.
    pub checks: Vec<(String, Expr)>,
}

/// A composite value made of `args`: of type `ty` (`record`, or a row
/// type when the fields are a relation's row), its fields named `names`.
#[derive(Clone, Debug, PartialEq)]
pub struct RowExpr {
    pub args: Vec<Expr>,
    /// Written as `ROW(...)` or `(a, b)` (compared field by field with
    /// SQL's NULL rules), not a whole-row reference.
    pub constructor: bool,
    pub ty: Oid,
    pub names: std::sync::Arc<Vec<String>>,
}

/// One subscript: `[upper]` (not a slice), or `[lower:upper]` with either
/// bound omitted (a slice).
#[derive(Clone, Debug, PartialEq)]
pub struct Subscript {
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
    pub slice: bool,
}

/// An array subscripted; the result is an element, or an array of the
/// same type when any subscript is a slice.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptExpr {
    pub array: Expr,
    pub subs: Vec<Subscript>,
    pub ty: Oid,
}

/// A comparison of `left` with each element of the array `right`, true
/// when it holds for any (`any`) or all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayOpExpr {
    pub op: BinOp,
    pub any: bool,
    pub left: Expr,
    pub right: Expr,
}

impl SubscriptExpr {
    /// Whether any subscript is a slice (the result is then an array).
    pub fn is_slice(&self) -> bool {
        self.subs.iter().any(|s| s.slice)
    }
}

/// One aggregate computed by an Aggregate plan node.
#[derive(Clone, Debug, PartialEq)]
pub struct AggCall {
    pub kind: AggKind,
    /// Arguments (none for count(*); value and delimiter for string_agg).
    pub args: Vec<Expr>,
    pub distinct: bool,
    /// FILTER (WHERE ...): rows for which it is not true are skipped.
    pub filter: Option<Expr>,
    pub ty: Oid,
    /// agg(x ORDER BY k, ...): how the last `order.len()` arguments (the
    /// sort keys) order the input.
    pub order: Vec<crate::utils::adt::agg::SortSpec>,
}

impl Expr {
    /// The result type.
    pub fn ty(&self) -> Oid {
        match self {
            Expr::Const(_, t) | Expr::Param(_, t) | Expr::Column(_, t) | Expr::Outer(_, _, t) => *t,
            Expr::SubLink(s) => s.ty,
            Expr::Binary(_, _, _, t) | Expr::Cast(_, t, _) => *t,
            Expr::Case { ty, .. } | Expr::Coalesce(_, ty) | Expr::MinMax(_, _, ty) => *ty,
            Expr::Neg(e) | Expr::NullIf(e, _) => e.ty(),
            Expr::Not(_)
            | Expr::And(..)
            | Expr::Or(..)
            | Expr::IsNull(..)
            | Expr::IsBool(..)
            | Expr::Distinct(..)
            | Expr::InList { .. }
            | Expr::Like { .. }
            | Expr::ArrayOp(_) => oid::BOOL,
            Expr::Func(f, args) if crate::types::array::is_polymorphic(f.ret) => {
                let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
                crate::fmgr::polymorphic::result_type(f, &types)
            }
            Expr::Func(f, _) => f.ret,
            Expr::Agg(a) => a.ty,
            Expr::WindowFunc(w) => w.ty,
            Expr::Grouping(_) => oid::INT4,
            Expr::ArrayExpr { ty, .. } => *ty,
            Expr::Subscript(s) => s.ty,
            Expr::FieldSelect(_, _, t, _) => *t,
            Expr::Row(r) => r.ty,
            Expr::DomainCheck(d) => d.arg.ty(),
        }
    }

    /// The typmod of the result, where one is known (casts).
    pub fn typmod(&self) -> i32 {
        match self {
            Expr::Cast(_, _, m) => *m,
            Expr::DomainCheck(d) => d.arg.typmod(),
            _ => -1,
        }
    }

    /// Calls `f` on every direct sub-expression.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(..) | Expr::Param(..) | Expr::Column(..) | Expr::Outer(..) => vec![],
            Expr::SubLink(s) => s
                .test
                .iter()
                .chain(s.call.iter().flat_map(|c| c.args.iter()))
                .collect(),
            Expr::Binary(_, a, b, _)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Distinct(a, b, _)
            | Expr::NullIf(a, b) => vec![a, b],
            Expr::Neg(a)
            | Expr::Not(a)
            | Expr::IsNull(a, _)
            | Expr::IsBool(a, _, _)
            | Expr::Cast(a, _, _)
            | Expr::FieldSelect(a, _, _, _) => {
                vec![a]
            }
            Expr::DomainCheck(d) => vec![&d.arg],
            Expr::Case { whens, default, .. } => {
                let mut v: Vec<&Expr> = whens.iter().flat_map(|(c, r)| [c, r]).collect();
                if let Some(d) = default {
                    v.push(d);
                }
                v
            }
            Expr::Coalesce(a, _) | Expr::MinMax(_, a, _) | Expr::Func(_, a) | Expr::Grouping(a) => {
                a.iter().collect()
            }
            Expr::InList { expr, list, .. } => {
                std::iter::once(&**expr).chain(list.iter()).collect()
            }
            Expr::Like {
                expr,
                pattern,
                escape,
                ..
            } => {
                let mut v = vec![&**expr, &**pattern];
                if let Some(e) = escape {
                    v.push(e);
                }
                v
            }
            Expr::Agg(a) => a.args.iter().chain(a.filter.iter()).collect(),
            Expr::ArrayExpr { elems, .. } => elems.iter().collect(),
            Expr::Row(r) => r.args.iter().collect(),
            Expr::Subscript(s) => std::iter::once(&s.array)
                .chain(
                    s.subs
                        .iter()
                        .flat_map(|x| x.lower.iter().chain(x.upper.iter())),
                )
                .collect(),
            Expr::ArrayOp(a) => vec![&a.left, &a.right],
            Expr::WindowFunc(w) => {
                let win = &w.window;
                let bounds =
                    [&win.frame.start, &win.frame.end]
                        .into_iter()
                        .filter_map(|b| match b {
                            FrameBound::Preceding(e) | FrameBound::Following(e) => Some(e),
                            _ => None,
                        });
                w.args
                    .iter()
                    .chain(w.filter.iter())
                    .chain(win.partition.iter())
                    .chain(win.order.iter().map(|(e, _)| e))
                    .chain(bounds)
                    .collect()
            }
        }
    }

    /// Rebuilds the expression with `f` applied to each direct child.
    pub fn map_children(self, f: &mut dyn FnMut(Expr) -> PgResult<Expr>) -> PgResult<Expr> {
        let bx = |e: Box<Expr>, f: &mut dyn FnMut(Expr) -> PgResult<Expr>| -> PgResult<Box<Expr>> {
            Ok(Box::new(f(*e)?))
        };
        Ok(match self {
            e @ (Expr::Const(..) | Expr::Param(..) | Expr::Column(..) | Expr::Outer(..)) => e,
            Expr::SubLink(mut s) => {
                if let Some(t) = s.test.take() {
                    s.test = Some(f(t)?);
                }
                if let Some(c) = s.call.as_mut() {
                    let args = std::mem::take(&mut c.args);
                    c.args = args.into_iter().map(&mut *f).collect::<PgResult<_>>()?;
                }
                Expr::SubLink(s)
            }
            Expr::Binary(op, a, b, t) => Expr::Binary(op, bx(a, f)?, bx(b, f)?, t),
            Expr::Neg(a) => Expr::Neg(bx(a, f)?),
            Expr::Not(a) => Expr::Not(bx(a, f)?),
            Expr::And(a, b) => Expr::And(bx(a, f)?, bx(b, f)?),
            Expr::Or(a, b) => Expr::Or(bx(a, f)?, bx(b, f)?),
            Expr::IsNull(a, n) => Expr::IsNull(bx(a, f)?, n),
            Expr::IsBool(a, v, n) => Expr::IsBool(bx(a, f)?, v, n),
            Expr::Distinct(a, b, n) => Expr::Distinct(bx(a, f)?, bx(b, f)?, n),
            Expr::Cast(a, t, m) => Expr::Cast(bx(a, f)?, t, m),
            Expr::FieldSelect(a, i, t, n) => Expr::FieldSelect(bx(a, f)?, i, t, n),
            Expr::Row(mut r) => {
                let args = std::mem::take(&mut r.args);
                r.args = args.into_iter().map(&mut *f).collect::<PgResult<_>>()?;
                Expr::Row(r)
            }
            Expr::DomainCheck(mut d) => {
                d.arg = f(d.arg)?;
                Expr::DomainCheck(d)
            }
            Expr::Case { whens, default, ty } => Expr::Case {
                whens: whens
                    .into_iter()
                    .map(|(c, r)| Ok((f(c)?, f(r)?)))
                    .collect::<PgResult<_>>()?,
                default: default.map(|d| bx(d, f)).transpose()?,
                ty,
            },
            Expr::Coalesce(a, t) => {
                Expr::Coalesce(a.into_iter().map(&mut *f).collect::<PgResult<_>>()?, t)
            }
            Expr::NullIf(a, b) => Expr::NullIf(bx(a, f)?, bx(b, f)?),
            Expr::MinMax(g, a, t) => {
                Expr::MinMax(g, a.into_iter().map(&mut *f).collect::<PgResult<_>>()?, t)
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => Expr::InList {
                expr: bx(expr, f)?,
                list: list.into_iter().map(&mut *f).collect::<PgResult<_>>()?,
                negated,
            },
            Expr::Like {
                expr,
                pattern,
                escape,
                case_insensitive,
                negated,
            } => Expr::Like {
                expr: bx(expr, f)?,
                pattern: bx(pattern, f)?,
                escape: escape.map(|e| bx(e, f)).transpose()?,
                case_insensitive,
                negated,
            },
            Expr::Func(d, a) => Expr::Func(d, a.into_iter().map(&mut *f).collect::<PgResult<_>>()?),
            Expr::Grouping(a) => {
                Expr::Grouping(a.into_iter().map(&mut *f).collect::<PgResult<_>>()?)
            }
            Expr::Agg(mut a) => {
                a.args = std::mem::take(&mut a.args)
                    .into_iter()
                    .map(&mut *f)
                    .collect::<PgResult<_>>()?;
                if let Some(x) = a.filter.take() {
                    a.filter = Some(f(x)?);
                }
                Expr::Agg(a)
            }
            Expr::ArrayExpr {
                elems,
                ty,
                multidims,
            } => Expr::ArrayExpr {
                elems: elems.into_iter().map(&mut *f).collect::<PgResult<_>>()?,
                ty,
                multidims,
            },
            Expr::Subscript(s) => {
                let SubscriptExpr { array, subs, ty } = *s;
                let subs = subs
                    .into_iter()
                    .map(|x| {
                        Ok(Subscript {
                            lower: x.lower.map(&mut *f).transpose()?,
                            upper: x.upper.map(&mut *f).transpose()?,
                            slice: x.slice,
                        })
                    })
                    .collect::<PgResult<_>>()?;
                Expr::Subscript(Box::new(SubscriptExpr {
                    array: f(array)?,
                    subs,
                    ty,
                }))
            }
            Expr::ArrayOp(a) => {
                let ArrayOpExpr {
                    op,
                    any,
                    left,
                    right,
                } = *a;
                Expr::ArrayOp(Box::new(ArrayOpExpr {
                    op,
                    any,
                    left: f(left)?,
                    right: f(right)?,
                }))
            }
            Expr::WindowFunc(mut w) => {
                let map = |v: Vec<Expr>, f: &mut dyn FnMut(Expr) -> PgResult<Expr>| {
                    v.into_iter().map(f).collect::<PgResult<Vec<_>>>()
                };
                w.args = map(std::mem::take(&mut w.args), f)?;
                w.filter = w.filter.take().map(&mut *f).transpose()?;
                w.window.partition = map(std::mem::take(&mut w.window.partition), f)?;
                w.window.order = std::mem::take(&mut w.window.order)
                    .into_iter()
                    .map(|(e, s)| Ok((f(e)?, s)))
                    .collect::<PgResult<_>>()?;
                for b in [&mut w.window.frame.start, &mut w.window.frame.end] {
                    let old = std::mem::replace(b, FrameBound::CurrentRow);
                    *b = match old {
                        FrameBound::Preceding(e) => FrameBound::Preceding(f(e)?),
                        FrameBound::Following(e) => FrameBound::Following(f(e)?),
                        other => other,
                    };
                }
                Expr::WindowFunc(w)
            }
        })
    }

    /// Applies `f` bottom-up to every node.
    pub fn map_bottom_up(self, f: &mut dyn FnMut(Expr) -> PgResult<Expr>) -> PgResult<Expr> {
        let e = self.map_children(&mut |c| c.map_bottom_up(f))?;
        f(e)
    }

    /// Whether the expression (outside aggregates) contains an aggregate.
    pub fn contains_agg(&self) -> bool {
        matches!(self, Expr::Agg(_)) || self.children().iter().any(|c| c.contains_agg())
    }

    /// Whether this is a call of a set-returning function (pg_proc's
    /// proretset).
    pub fn is_srf_call(&self) -> bool {
        match self {
            Expr::Func(d, _) => crate::fmgr::arrays::is_set_returning(d),
            Expr::SubLink(s) => s.call.as_ref().is_some_and(|c| c.project_set),
            _ => false,
        }
    }

    /// Whether the expression (outside subqueries) calls a set-returning
    /// function.
    pub fn contains_srf(&self) -> bool {
        self.is_srf_call() || self.children().iter().any(|c| c.contains_srf())
    }

    /// Whether the expression contains a GROUPING() call.
    pub fn contains_grouping(&self) -> bool {
        matches!(self, Expr::Grouping(_)) || self.children().iter().any(|c| c.contains_grouping())
    }

    /// Whether the expression contains a window function call.
    pub fn contains_window(&self) -> bool {
        matches!(self, Expr::WindowFunc(_)) || self.children().iter().any(|c| c.contains_window())
    }

    /// Whether the expression refers to input columns.
    pub fn contains_column(&self) -> bool {
        matches!(self, Expr::Column(..)) || self.children().iter().any(|c| c.contains_column())
    }

    /// Whether the expression contains a subquery.
    pub fn contains_sublink(&self) -> bool {
        matches!(self, Expr::SubLink(..)) || self.children().iter().any(|c| c.contains_sublink())
    }

    /// Whether the value depends on nothing but parameters and constants
    /// (no columns, outer references, subqueries or volatile functions).
    pub fn is_row_independent(&self) -> bool {
        match self {
            Expr::Column(..)
            | Expr::Outer(..)
            | Expr::SubLink(..)
            | Expr::Agg(..)
            | Expr::Grouping(..)
            | Expr::WindowFunc(..) => false,
            Expr::Func(f, _) if f.volatile => false,
            e => e.children().iter().all(|c| c.is_row_independent()),
        }
    }

    /// Calls `f` with every input column index the expression reads.
    pub fn visit_columns(&self, f: &mut dyn FnMut(usize)) {
        if let Expr::Column(i, _) = self {
            f(*i);
        }
        for c in self.children() {
            c.visit_columns(f);
        }
    }
}
