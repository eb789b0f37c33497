//! Analyzed expressions (typed, names resolved, operands coerced) and
//! their evaluation against a row, PostgreSQL's ExecEvalExpr with SQL's
//! three-valued logic.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::Arc;

use shmem::buffer::BufferPool;

use crate::catalog::Catalog;
use crate::env::BackendEnv;
use crate::error::{PgError, PgResult};
use crate::executor::subplan::{self, SubplanCache};
use crate::fmgr::{AggKind, FuncDef};
use crate::nodes::plan::Plan;
use crate::types::{oid, Oid, Value};
use crate::utils::adt::ops::{self, BinOp};
use crate::utils::settings::Settings;

/// What a subquery in an expression computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubLinkKind {
    /// EXISTS (subquery).
    Exists,
    /// (subquery) returning at most one row of one column.
    Scalar,
    /// test IN (subquery) (NOT IN is Not(In)).
    In,
}

/// A planned subquery, shared by the copies of the expression holding it.
#[derive(Debug)]
pub struct SubPlan {
    pub plan: Plan,
    /// Refers to an enclosing query's row: run again for each row.
    pub correlated: bool,
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
            | Expr::Like { .. } => oid::BOOL,
            Expr::Func(f, _) => f.ret,
            Expr::Agg(a) => a.ty,
        }
    }

    /// The typmod of the result, where one is known (casts).
    pub fn typmod(&self) -> i32 {
        match self {
            Expr::Cast(_, _, m) => *m,
            _ => -1,
        }
    }

    /// Calls `f` on every direct sub-expression.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(..) | Expr::Param(..) | Expr::Column(..) | Expr::Outer(..) => vec![],
            Expr::SubLink(s) => s.test.iter().collect(),
            Expr::Binary(_, a, b, _)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Distinct(a, b, _)
            | Expr::NullIf(a, b) => vec![a, b],
            Expr::Neg(a)
            | Expr::Not(a)
            | Expr::IsNull(a, _)
            | Expr::IsBool(a, _, _)
            | Expr::Cast(a, _, _) => {
                vec![a]
            }
            Expr::Case { whens, default, .. } => {
                let mut v: Vec<&Expr> = whens.iter().flat_map(|(c, r)| [c, r]).collect();
                if let Some(d) = default {
                    v.push(d);
                }
                v
            }
            Expr::Coalesce(a, _) | Expr::MinMax(_, a, _) | Expr::Func(_, a) => a.iter().collect(),
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
            Expr::Column(..) | Expr::Outer(..) | Expr::SubLink(..) | Expr::Agg(..) => false,
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

/// Who is running the statement (for current_user, pg_backend_pid, ...).
pub struct SessionInfo {
    pub user: String,
    pub database: String,
    pub env: BackendEnv,
}

impl SessionInfo {
    /// pg_backend_pid(): the slot's pid (the server's pid in thread mode).
    pub fn backend_pid(&self) -> i32 {
        let pid = self.env.slot.pid.load(std::sync::atomic::Ordering::Relaxed);
        if pid != 0 {
            pid
        } else {
            std::process::id() as i32
        }
    }
}

/// Everything evaluation needs besides the row.
#[derive(Clone, Copy)]
pub struct EvalCtx<'a> {
    pub params: &'a [Value],
    pub session: &'a SessionInfo,
    pub settings: &'a RefCell<Settings>,
    /// Transaction start (now()), PostgreSQL epoch microseconds.
    pub xact_start: i64,
    /// Statement start (statement_timestamp()).
    pub stmt_start: i64,
    /// The catalog the statement runs against.
    pub catalog: &'a Catalog,
    pub pool: BufferPool,
    /// Rows of the enclosing queries, innermost last ([`Expr::Outer`]).
    pub outer: &'a [&'a [Value]],
    /// Results of uncorrelated subqueries, computed once per execution.
    pub cache: &'a SubplanCache,
    /// The statement's transaction: snapshot, xid, waits.
    pub xact: &'a crate::access::xact::StmtXact,
    /// What the statement's sorts, hash tables and buffered rows may hold.
    pub mem: &'a crate::executor::memory::MemBudget,
}

fn eval_bool(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<Option<bool>> {
    match eval(e, row, ctx)? {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        v => Err(PgError::internal(format!("expected a boolean, got {v:?}"))),
    }
}

/// Evaluates `e` against `row`.
pub fn eval(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<Value> {
    Ok(match e {
        Expr::Const(v, _) => v.clone(),
        Expr::Param(i, _) => ctx.params.get(*i).cloned().ok_or_else(|| {
            PgError::new(
                crate::error::sqlstate::UNDEFINED_PARAMETER,
                format!("there is no parameter ${}", i + 1),
            )
        })?,
        Expr::Column(i, _) => row
            .get(*i)
            .cloned()
            .ok_or_else(|| PgError::internal(format!("column {i} out of range")))?,
        Expr::Outer(depth, i, _) => ctx
            .outer
            .len()
            .checked_sub(*depth)
            .and_then(|d| ctx.outer[d].get(*i))
            .cloned()
            .ok_or_else(|| PgError::internal(format!("outer column {depth}.{i} out of range")))?,
        Expr::SubLink(s) => subplan::eval_sublink(s, row, ctx)?,
        Expr::Binary(op, a, b, _) => {
            let (x, y) = (eval(a, row, ctx)?, eval(b, row, ctx)?);
            if x.is_null() || y.is_null() {
                return Ok(Value::Null);
            }
            if op.is_comparison() {
                Value::Bool(ops::comparison_holds(*op, ops::compare(&x, &y)))
            } else {
                ops::arith(*op, &x, &y)?
            }
        }
        Expr::Neg(a) => ops::negate(&eval(a, row, ctx)?)?,
        Expr::Not(a) => match eval_bool(a, row, ctx)? {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::And(a, b) => {
            let x = eval_bool(a, row, ctx)?;
            if x == Some(false) {
                return Ok(Value::Bool(false));
            }
            match (x, eval_bool(b, row, ctx)?) {
                (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Or(a, b) => {
            let x = eval_bool(a, row, ctx)?;
            if x == Some(true) {
                return Ok(Value::Bool(true));
            }
            match (x, eval_bool(b, row, ctx)?) {
                (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        Expr::IsNull(a, negated) => Value::Bool(eval(a, row, ctx)?.is_null() != *negated),
        Expr::IsBool(a, want, negated) => {
            let is = eval_bool(a, row, ctx)? == Some(*want);
            Value::Bool(is != *negated)
        }
        Expr::Distinct(a, b, not) => {
            let (x, y) = (eval(a, row, ctx)?, eval(b, row, ctx)?);
            let same = match (x.is_null(), y.is_null()) {
                (true, true) => true,
                (false, false) => ops::compare(&x, &y) == Ordering::Equal,
                _ => false,
            };
            Value::Bool(same == *not)
        }
        Expr::Cast(a, to, typmod) => {
            let v = eval(a, row, ctx)?;
            ops::cast(v, a.ty(), *to, *typmod)?
        }
        Expr::Case { whens, default, .. } => {
            for (cond, result) in whens {
                if eval_bool(cond, row, ctx)? == Some(true) {
                    return eval(result, row, ctx);
                }
            }
            match default {
                Some(d) => eval(d, row, ctx)?,
                None => Value::Null,
            }
        }
        Expr::Coalesce(args, _) => {
            for a in args {
                let v = eval(a, row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Expr::NullIf(a, b) => {
            let x = eval(a, row, ctx)?;
            let y = eval(b, row, ctx)?;
            if !x.is_null() && !y.is_null() && ops::compare(&x, &y) == Ordering::Equal {
                Value::Null
            } else {
                x
            }
        }
        Expr::MinMax(greatest, args, _) => {
            let mut best = Value::Null;
            for a in args {
                let v = eval(a, row, ctx)?;
                if v.is_null() {
                    continue;
                }
                let better = best.is_null() || {
                    let o = ops::compare(&v, &best);
                    if *greatest {
                        o == Ordering::Greater
                    } else {
                        o == Ordering::Less
                    }
                };
                if better {
                    best = v;
                }
            }
            best
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let x = eval(expr, row, ctx)?;
            if x.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for item in list {
                let y = eval(item, row, ctx)?;
                if y.is_null() {
                    saw_null = true;
                } else if ops::compare(&x, &y) == Ordering::Equal {
                    return Ok(Value::Bool(!negated));
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        Expr::Like {
            expr,
            pattern,
            escape,
            case_insensitive,
            negated,
        } => {
            let (x, p) = (eval(expr, row, ctx)?, eval(pattern, row, ctx)?);
            let esc = match escape {
                Some(e) => eval(e, row, ctx)?,
                None => Value::Text("\\".into()),
            };
            match (x, p, esc) {
                (Value::Text(s), Value::Text(p), Value::Text(e)) => {
                    let m = like(&s, &p, &e, *case_insensitive)?;
                    Value::Bool(m != *negated)
                }
                _ => Value::Null,
            }
        }
        Expr::Func(def, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                let v = eval(a, row, ctx)?;
                if def.strict && v.is_null() {
                    return Ok(Value::Null);
                }
                vals.push(v);
            }
            (def.imp)(ctx, &vals)?
        }
        Expr::Agg(_) => {
            return Err(PgError::new(
                crate::error::sqlstate::GROUPING_ERROR,
                "aggregate functions are not allowed here",
            ))
        }
    })
}

/// Whether a predicate holds (NULL counts as false), for WHERE/HAVING.
pub fn eval_predicate(e: &Expr, row: &[Value], ctx: &EvalCtx) -> PgResult<bool> {
    Ok(eval_bool(e, row, ctx)? == Some(true))
}

/// LIKE/ILIKE matching with `%`, `_` and an escape character ("" turns
/// escaping off), as PostgreSQL's MatchText.
pub fn like(s: &str, pattern: &str, escape: &str, case_insensitive: bool) -> PgResult<bool> {
    let mut esc_chars = escape.chars();
    let esc = esc_chars.next();
    if esc_chars.next().is_some() {
        return Err(PgError::new("22025", "invalid escape string")
            .with_hint("Escape string must be empty or one character."));
    }
    let fold = |t: &str| -> Vec<char> {
        if case_insensitive {
            t.to_lowercase().chars().collect()
        } else {
            t.chars().collect()
        }
    };
    let (s, p) = (fold(s), fold(pattern));
    // Tokenize the pattern: Some(c) literal, None for '_', '%' separately.
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Lit(char),
        Any,
        Many,
    }
    let mut toks = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if Some(c) == esc {
            let next = p.get(i + 1).ok_or_else(|| {
                PgError::new("22025", "LIKE pattern must not end with escape character")
            })?;
            toks.push(Tok::Lit(*next));
            i += 2;
            continue;
        }
        toks.push(match c {
            '%' => Tok::Many,
            '_' => Tok::Any,
            c => Tok::Lit(c),
        });
        i += 1;
    }
    // Greedy matching with backtracking to the last '%'.
    let (mut si, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match toks.get(ti) {
            Some(Tok::Many) => {
                star = Some((ti, si));
                ti += 1;
            }
            Some(Tok::Any) => {
                si += 1;
                ti += 1;
            }
            Some(Tok::Lit(c)) if *c == s[si] => {
                si += 1;
                ti += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    ti = st + 1;
                    si = ss + 1;
                    star = Some((st, ss + 1));
                }
                None => return Ok(false),
            },
        }
    }
    Ok(toks[ti..].iter().all(|t| *t == Tok::Many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("hello", "h%o", "\\", false).unwrap());
        assert!(like("hello", "h_llo", "\\", false).unwrap());
        assert!(!like("hello", "h_lo", "\\", false).unwrap());
        assert!(like("HeLLo", "hel%", "\\", true).unwrap());
        assert!(like("50%", "50\\%", "\\", false).unwrap());
        assert!(!like("501", "50\\%", "\\", false).unwrap());
        assert!(like("", "%", "\\", false).unwrap());
        assert!(like("abcabc", "%abc", "\\", false).unwrap());
        assert!(like("a%b", "a#%b", "#", false).unwrap());
        assert_eq!(like("x", "x\\", "\\", false).unwrap_err().code, "22025");
    }
}
