//! Expression analysis (PostgreSQL's transformExpr): resolves column
//! references against the FROM scope, types literals and parameters,
//! chooses operators and functions, and inserts the implicit casts.

use sqlparser::ast::{self, BinaryOperator as B, Spanned, UnaryOperator as U};

use super::names;
use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr;
use crate::nodes::expr::{AggCall, Expr, SubLink, SubLinkKind, SubPlan};
use crate::parser::{ident, object_name};
use crate::types::{oid, type_name, Numeric, Oid, Value};
use crate::utils::adt::agg;
use crate::utils::adt::coerce;
use crate::utils::adt::ops::{self, BinOp};

/// SQL keywords that stand for zero-argument functions
/// (SQLValueFunction) and may appear without parentheses.
const KEYWORD_FUNCTIONS: &[&str] = &[
    "current_user",
    "session_user",
    "user",
    "current_role",
    "current_schema",
    "current_catalog",
    "current_timestamp",
    "current_date",
    "localtimestamp",
    "current_time",
    "localtime",
];

/// Which clause an expression is in (for aggregate placement errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clause {
    Select,
    Where,
    GroupBy,
    Having,
    OrderBy,
    Limit,
    Offset,
    Values,
    /// JOIN ... ON.
    JoinOn,
    /// An aggregate's FILTER (WHERE ...).
    Filter,
    /// INSERT/UPDATE/DELETE ... RETURNING.
    Returning,
    /// UPDATE's SET values.
    UpdateSet,
}

impl Clause {
    pub(super) fn name(self) -> &'static str {
        match self {
            Clause::Select => "SELECT",
            Clause::Where => "WHERE",
            Clause::GroupBy => "GROUP BY",
            Clause::Having => "HAVING",
            Clause::OrderBy => "ORDER BY",
            Clause::Limit => "LIMIT",
            Clause::Offset => "OFFSET",
            Clause::Values => "VALUES",
            Clause::JoinOn => "JOIN conditions",
            Clause::Filter => "FILTER",
            Clause::Returning => "RETURNING",
            Clause::UpdateSet => "UPDATE",
        }
    }

    pub(super) fn allows_aggregates(self) -> bool {
        matches!(self, Clause::Select | Clause::Having | Clause::OrderBy)
    }
}

/// 42809 wrong_object_type.
const WRONG_OBJECT_TYPE: &str = "42809";

/// A boolean construct's argument that returns a set (a set-returning
/// call outside subqueries): 42804, as PostgreSQL's coerce_to_boolean.
fn refuse_set(x: &Expr, what: &str) -> PgResult<()> {
    if x.contains_srf() {
        return Err(returns_set(what));
    }
    Ok(())
}

fn returns_set(what: &str) -> PgError {
    PgError::new(
        sqlstate::DATATYPE_MISMATCH,
        format!("argument of {what} must not return a set"),
    )
}

fn not_supported_yet(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

impl Analyzer<'_> {
    /// Analyzes `e` in `scope`, adding its position to errors that have
    /// none.
    pub fn expr(&mut self, e: &ast::Expr, scope: &Scope, clause: Clause) -> PgResult<Expr> {
        crate::stack::check_stack_depth()?;
        // The forms that nest deeply (a+b+c+..., x=1 OR x=2 OR ...,
        // parentheses) recurse through this small frame, not through
        // expr_inner's large one, so that max_stack_depth allows thousands
        // of levels as PostgreSQL's does.
        let r = match e {
            ast::Expr::BinaryOp { left, op, right } => self.binary(left, op, right, scope, clause),
            ast::Expr::Nested(inner) => self.expr(inner, scope, clause),
            _ => self.expr_inner(e, scope, clause),
        };
        r.map_err(|err| {
            // No position for 54001, as in PostgreSQL: finding it would
            // walk the very tree that is too deep.
            if err.position.is_none() && err.code != sqlstate::STATEMENT_TOO_COMPLEX {
                if let Some(p) = self.text.position(e.span().start) {
                    return err.with_position(p);
                }
            }
            err
        })
    }

    #[inline(never)]
    fn expr_inner(&mut self, e: &ast::Expr, scope: &Scope, clause: Clause) -> PgResult<Expr> {
        use ast::Expr as E;
        match e {
            E::Identifier(i) => self.column_ref(std::slice::from_ref(i), scope),
            E::Tuple(items) => self.row_constructor(items, scope, clause),
            E::CompoundIdentifier(parts) => self.column_ref(parts, scope),
            E::Value(v) => self.literal(&v.value, false),
            E::Nested(inner) => self.expr(inner, scope, clause),
            E::Collate { expr, collation } => {
                // Only the database's own (C-like, byte-order) collation.
                let name = object_name(collation);
                match name.last().map(String::as_str) {
                    Some("default" | "C" | "POSIX" | "c" | "posix") => {
                        self.expr(expr, scope, clause)
                    }
                    _ => Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!(
                            "collation \"{}\" for encoding \"UTF8\" does not exist",
                            name.join(".")
                        ),
                    )),
                }
            }
            E::UnaryOp { op, expr } => self.unary(*op, expr, scope, clause),
            E::BinaryOp { left, op, right } => self.binary(left, op, right, scope, clause),
            E::IsNull(a) => Ok(Expr::IsNull(Box::new(self.expr(a, scope, clause)?), false)),
            E::IsNotNull(a) => Ok(Expr::IsNull(Box::new(self.expr(a, scope, clause)?), true)),
            E::IsTrue(a) => self.is_bool(a, true, false, scope, clause),
            E::IsNotTrue(a) => self.is_bool(a, true, true, scope, clause),
            E::IsFalse(a) => self.is_bool(a, false, false, scope, clause),
            E::IsNotFalse(a) => self.is_bool(a, false, true, scope, clause),
            E::IsUnknown(a) => {
                let a = self.bool_arg(a, "IS UNKNOWN", scope, clause)?;
                Ok(Expr::IsNull(Box::new(a), false))
            }
            E::IsNotUnknown(a) => {
                let a = self.bool_arg(a, "IS NOT UNKNOWN", scope, clause)?;
                Ok(Expr::IsNull(Box::new(a), true))
            }
            E::IsDistinctFrom(a, b) => self.distinct(a, b, false, scope, clause),
            E::IsNotDistinctFrom(a, b) => self.distinct(a, b, true, scope, clause),
            E::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (ge, le) = if *negated {
                    (BinOp::Lt, BinOp::Gt)
                } else {
                    (BinOp::Ge, BinOp::Le)
                };
                let x1 = self.expr(expr, scope, clause)?;
                let x2 = x1.clone();
                let lo = self.expr(low, scope, clause)?;
                let hi = self.expr(high, scope, clause)?;
                let a = self.operator(ge, x1, lo)?;
                let b = self.operator(le, x2, hi)?;
                for x in [&a, &b] {
                    refuse_set(x, if *negated { "OR" } else { "AND" })?;
                }
                Ok(if *negated {
                    Expr::Or(Box::new(a), Box::new(b))
                } else {
                    Expr::And(Box::new(a), Box::new(b))
                })
            }
            E::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => {
                let x = self.expr(expr, scope, clause)?;
                let items = list
                    .iter()
                    .map(|i| self.expr(i, scope, clause))
                    .collect::<PgResult<Vec<_>>>()?;
                // PostgreSQL compares the items without columns (when
                // more than one) as `x = ANY (ARRAY[...])`, each other one
                // as `x = item`, a boolean that must not be a set.
                let var_free = items.iter().filter(|i| !i.contains_column()).count();
                let one_by_one = items
                    .iter()
                    .filter(|i| var_free <= 1 || i.contains_column())
                    .collect::<Vec<_>>();
                if !one_by_one.is_empty()
                    && (x.contains_srf() || one_by_one.iter().any(|i| i.contains_srf()))
                {
                    return Err(returns_set("IN"));
                }
                let mut types: Vec<Oid> = vec![x.ty()];
                types.extend(items.iter().map(Expr::ty));
                let t = coerce::common_type(&types, "IN")?;
                let cmp = coerce::comparison_type(t, t)
                    .ok_or_else(|| coerce::no_operator("=", Some(t), t))?;
                let x = self.coerce(x, cmp, false)?;
                let items = items
                    .into_iter()
                    .map(|i| self.coerce(i, cmp, false))
                    .collect::<PgResult<Vec<_>>>()?;
                Ok(Expr::InList {
                    expr: Box::new(x),
                    list: items,
                    negated: *negated,
                })
            }
            E::Exists { subquery, negated } => {
                let (q, correlated) = self.subquery(subquery, scope)?;
                let link = self.sublink(SubLinkKind::Exists, None, q, correlated, oid::BOOL);
                Ok(if *negated {
                    Expr::Not(Box::new(link))
                } else {
                    link
                })
            }
            E::Subquery(sub) => {
                let (q, correlated) = self.subquery(sub, scope)?;
                if q.columns.len() != 1 {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "subquery must return only one column",
                    ));
                }
                let ty = q.columns[0].type_oid;
                Ok(self.sublink(SubLinkKind::Scalar, None, q, correlated, ty))
            }
            E::In {
                expr,
                target: ast::InTarget::Subquery(subquery),
                negated,
                ..
            } => {
                let x = self.expr(expr, scope, clause)?;
                let (mut q, correlated) = self.subquery(subquery, scope)?;
                if q.columns.len() != 1 {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "subquery has too many columns",
                    ));
                }
                let st = q.columns[0].type_oid;
                let (lt, rt, _) = coerce::resolve_binary(BinOp::Eq, x.ty(), st)?;
                let x = self.coerce(x, lt, false)?;
                if rt != st {
                    let t = std::mem::replace(&mut q.targets[0], Expr::Const(Value::Null, rt));
                    q.targets[0] = self.coerce(t, rt, false)?;
                    q.columns[0].type_oid = rt;
                }
                let link = self.sublink(SubLinkKind::In, Some(x), q, correlated, oid::BOOL);
                Ok(if *negated {
                    Expr::Not(Box::new(link))
                } else {
                    link
                })
            }
            E::In { .. } => Err(not_supported_yet("this IN form")),
            E::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
                false,
                scope,
                clause,
            ),
            E::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                // x SIMILAR TO p [ESCAPE e]: x ~ similar_to_escape(p [, e]).
                let x = self.expr(expr, scope, clause)?;
                let mut args = vec![self.expr(pattern, scope, clause)?];
                if let Some(e) = escape_char {
                    args.push(self.expr(e, scope, clause)?);
                }
                let re = self.call("similar_to_escape", args)?;
                let x = self.coerce(x, oid::TEXT, false)?;
                let m = self.call("textregexeq", vec![x, re])?;
                Ok(if *negated { Expr::Not(Box::new(m)) } else { m })
            }
            E::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut args = vec![
                    self.expr(expr, scope, clause)?,
                    self.expr(overlay_what, scope, clause)?,
                    self.expr(overlay_from, scope, clause)?,
                ];
                if let Some(n) = overlay_for {
                    args.push(self.expr(n, scope, clause)?);
                }
                self.call("overlay", args)
            }
            E::ILike {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
                true,
                scope,
                clause,
            ),
            E::Cast {
                expr, data_type, ..
            } => {
                let (t, m) = names::resolve_type(data_type)?;
                let x = match expr.as_ref() {
                    // ARRAY[...]::type[] casts its elements (ARRAY[]::int[]).
                    E::Array(a) => self.array_constructor(a, Some(t), scope, clause)?,
                    e => self.expr(e, scope, clause)?,
                };
                let x = self.explicit_cast(x, t, m)?;
                match names::domain_of(data_type) {
                    Some(d) => self.coerce_to_domain(&d, x),
                    None => Ok(x),
                }
            }
            E::TypedString(ts) => {
                let (t, m) = names::resolve_type(&ts.data_type)?;
                let x = self.literal(&ts.value.value, false)?;
                self.explicit_cast(x, t, m)
            }
            E::Interval(iv) => {
                let x = self.expr(&iv.value, scope, clause)?;
                let x = match (&iv.leading_field, x) {
                    (Some(f), Expr::Const(Value::Text(s), oid::UNKNOWN)) => Expr::Const(
                        Value::Text(interval_literal_in_range(&s, f, iv.last_field.as_ref())),
                        oid::UNKNOWN,
                    ),
                    (_, x) => x,
                };
                let fields = match (&iv.leading_field, &iv.last_field) {
                    (Some(a), Some(b)) => Some(format!("{a} TO {b}")),
                    (Some(a), None) => Some(a.to_string()),
                    _ => None,
                };
                let precision = iv.fractional_seconds_precision.or(match &iv.last_field {
                    None => iv.leading_precision,
                    Some(_) => None,
                });
                let m = crate::types::interval_typmod::typmod(fields.as_deref(), precision)?;
                self.explicit_cast(x, oid::INTERVAL, m)
            }
            E::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
                clause,
            ),
            E::Function(f) if super::array::is_array_sublink(f) => self.array_sublink(f, scope),
            E::Function(f) => self.function(f, scope, clause),
            E::Array(a) => self.array_constructor(a, None, scope, clause),
            E::CompoundFieldAccess { root, access_chain } => {
                self.subscript(root, access_chain, scope, clause)
            }
            E::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => self.any_all(left, compare_op, right, true, scope, clause),
            E::AllOp {
                left,
                compare_op,
                right,
            } => self.any_all(left, compare_op, right, false, scope, clause),
            E::Extract { field, expr, .. } => {
                let x = self.expr(expr, scope, clause)?;
                let field = Expr::Const(Value::Text(field.to_string().to_lowercase()), oid::TEXT);
                self.call("extract", vec![field, x])
            }
            E::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let t = self.expr(timestamp, scope, clause)?;
                let z = self.expr(time_zone, scope, clause)?;
                self.call("timezone", vec![z, t])
            }
            E::Position { expr, r#in } => {
                let needle = self.expr(expr, scope, clause)?;
                let hay = self.expr(r#in, scope, clause)?;
                self.call("strpos", vec![hay, needle])
            }
            E::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(expr, scope, clause)?];
                args.push(match substring_from {
                    Some(f) => self.expr(f, scope, clause)?,
                    None => Expr::Const(Value::Int4(1), oid::INT4),
                });
                if let Some(n) = substring_for {
                    args.push(self.expr(n, scope, clause)?);
                }
                // substring(text, int4 [, int4]), or substring(text, text):
                // the regular expression form.
                self.call("substring", args)
            }
            E::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                if trim_characters.is_some() {
                    return Err(not_supported_yet("TRIM with a character list"));
                }
                let mut args = vec![self.expr(expr, scope, clause)?];
                if let Some(w) = trim_what {
                    args.push(self.expr(w, scope, clause)?);
                }
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                self.call(name, args)
            }
            E::Ceil { expr, .. } => {
                let x = self.expr(expr, scope, clause)?;
                self.call("ceil", vec![x])
            }
            E::Floor { expr, .. } => {
                let x = self.expr(expr, scope, clause)?;
                self.call("floor", vec![x])
            }
            other => Err(not_supported_yet(&format!(
                "expression \"{}\"",
                truncate(&other.to_string(), 40)
            ))),
        }
    }

    pub(super) fn sublink(
        &mut self,
        kind: SubLinkKind,
        test: Option<Expr>,
        q: crate::nodes::query::Query,
        correlated: bool,
        ty: Oid,
    ) -> Expr {
        Expr::SubLink(Box::new(SubLink {
            kind,
            test,
            sub: std::sync::Arc::new(SubPlan {
                query: q,
                plan: std::sync::OnceLock::new(),
                correlated,
            }),
            ty,
            call: None,
        }))
    }

    /// A column of the scope, or a keyword function (current_user ...).
    fn column_ref(&mut self, parts: &[ast::Ident], scope: &Scope) -> PgResult<Expr> {
        let names: Vec<String> = parts.iter().map(ident).collect();
        let pos = parts.first().and_then(|i| self.text.position(i.span.start));
        let with_pos = |e: PgError| match pos {
            Some(p) => e.with_position(p),
            None => e,
        };
        match scope.resolve(&names) {
            Ok(Some((_, c))) if c.computed.is_some() => {
                if let Some(x) = &c.computed {
                    return Ok((**x).clone());
                }
            }
            Ok(Some((i, c))) => return Ok(Expr::Column(i, c.ty)),
            Ok(None) => {}
            Err(e) => return Err(with_pos(e)),
        }
        // An enclosing query's column (correlated subquery, LATERAL).
        for level in (0..self.outer.len()).rev() {
            match self.outer[level].resolve(&names) {
                Ok(Some((i, c))) => {
                    let ty = c.ty;
                    let computed = c.computed.clone();
                    for f in &mut self.correlated[level..] {
                        *f = true;
                    }
                    let depth = self.outer.len() - level;
                    return match computed {
                        Some(x) => super::view_update::outer_reference(&x, depth),
                        None => Ok(Expr::Outer(depth, i, ty)),
                    };
                }
                Ok(None) => {}
                Err(e) => return Err(with_pos(e)),
            }
        }
        if let Some(p) = self.fn_scope.as_ref().and_then(|f| f.resolve(&names)) {
            return Ok(p);
        }
        // A relation's name alone: its whole row.
        if let [q] = names.as_slice() {
            if let Some(r) = self.whole_row(q, scope) {
                return Ok(r);
            }
        }
        let visible =
            |q: &str| scope.has_qualifier(q) || self.outer.iter().any(|s| s.has_qualifier(q));
        if names.len() == 1 && KEYWORD_FUNCTIONS.contains(&names[0].as_str()) {
            return self.call(&names[0], vec![]);
        }
        let shown = names.join(".");
        Err(with_pos(
            if names.len() > 1 && !visible(&names[names.len() - 2]) {
                PgError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!(
                        "missing FROM-clause entry for table \"{}\"",
                        names[names.len() - 2]
                    ),
                )
            } else if names.len() == 2 {
                // errorMissingColumn: a qualified name is shown unquoted.
                PgError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column {shown} does not exist"),
                )
            } else {
                PgError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{shown}\" does not exist"),
                )
            },
        ))
    }

    /// A literal: integers are int4, int8 or numeric by size; other
    /// numbers are numeric; strings are unknown until context types them.
    pub fn literal(&mut self, v: &ast::Value, negate: bool) -> PgResult<Expr> {
        use ast::Value as V;
        Ok(match v {
            V::Number(s, _) => {
                let s = if negate { format!("-{s}") } else { s.clone() };
                let integral = s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                if integral {
                    if let Ok(i) = s.parse::<i32>() {
                        return Ok(Expr::Const(Value::Int4(i), oid::INT4));
                    }
                    if let Ok(i) = s.parse::<i64>() {
                        return Ok(Expr::Const(Value::Int8(i), oid::INT8));
                    }
                }
                Expr::Const(Value::Numeric(Numeric::input(&s)?), oid::NUMERIC)
            }
            V::SingleQuotedString(s)
            | V::EscapedStringLiteral(s)
            | V::UnicodeStringLiteral(s)
            | V::NationalStringLiteral(s) => Expr::Const(Value::Text(s.clone()), oid::UNKNOWN),
            V::DollarQuotedString(d) => Expr::Const(Value::Text(d.value.clone()), oid::UNKNOWN),
            V::HexStringLiteral(h) => Expr::Const(Value::Text(format!("\\x{h}")), oid::UNKNOWN),
            V::Boolean(b) => Expr::Const(Value::Bool(*b), oid::BOOL),
            V::Null => Expr::Const(Value::Null, oid::UNKNOWN),
            V::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!("syntax error at or near \"{p}\""),
                        )
                    })?;
                if n > 65535 {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_PARAMETER,
                        format!("there is no parameter ${n}"),
                    ));
                }
                if let Some(f) = &self.fn_scope {
                    if n > f.args.len() {
                        return Err(PgError::new(
                            sqlstate::UNDEFINED_PARAMETER,
                            format!("there is no parameter ${n}"),
                        ));
                    }
                }
                if self.params.len() < n {
                    self.params.resize(n, 0);
                }
                let t = self.params[n - 1];
                Expr::Param(n - 1, if t == 0 { oid::UNKNOWN } else { t })
            }
            other => return Err(not_supported_yet(&format!("literal {other}"))),
        })
    }

    fn unary(&mut self, op: U, x: &ast::Expr, scope: &Scope, clause: Clause) -> PgResult<Expr> {
        match op {
            U::Minus => {
                if let ast::Expr::Value(v) = x {
                    if let ast::Value::Number(..) = v.value {
                        return self.literal(&v.value, true);
                    }
                }
                let e = self.expr(x, scope, clause)?;
                match coerce::category(e.ty()) {
                    'N' | 'T' if e.ty() != oid::OID => Ok(Expr::Neg(Box::new(e))),
                    _ => Err(coerce::no_operator("-", None, e.ty())),
                }
            }
            U::Plus => {
                let e = self.expr(x, scope, clause)?;
                match coerce::category(e.ty()) {
                    'N' | 'T' => Ok(e),
                    _ => Err(coerce::no_operator("+", None, e.ty())),
                }
            }
            U::Not => Ok(Expr::Not(Box::new(self.bool_arg(x, "NOT", scope, clause)?))),
            // `~ inet` (inetnot) and the integers' bitwise NOT.
            U::BitwiseNot => {
                let e = self.expr(x, scope, clause)?;
                let t = e.ty();
                self.call("~", vec![e]).map_err(|err| {
                    if err.code == sqlstate::UNDEFINED_FUNCTION {
                        coerce::no_operator("~", None, t)
                    } else {
                        err
                    }
                })
            }
            // |/ x and ||/ x: square and cube root of a double precision.
            U::PGSquareRoot | U::PGCubeRoot => {
                let (sym, func) = if op == U::PGSquareRoot {
                    ("|/", "sqrt")
                } else {
                    ("||/", "cbrt")
                };
                let e = self.expr(x, scope, clause)?;
                let t = e.ty();
                if t != oid::UNKNOWN && coerce::category(t) != 'N' {
                    return Err(coerce::no_operator(sym, None, t));
                }
                let e = self.coerce(e, oid::FLOAT8, false)?;
                self.call(func, vec![e])
            }
            other => Err(not_supported_yet(&format!("operator {other}"))),
        }
    }

    fn binary(
        &mut self,
        l: &ast::Expr,
        op: &B,
        r: &ast::Expr,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let bop = match op {
            B::And | B::Or => {
                let name = if *op == B::And { "AND" } else { "OR" };
                let a = Box::new(self.bool_arg(l, name, scope, clause)?);
                let b = Box::new(self.bool_arg(r, name, scope, clause)?);
                return Ok(if *op == B::And {
                    Expr::And(a, b)
                } else {
                    Expr::Or(a, b)
                });
            }
            B::PGLikeMatch | B::PGILikeMatch | B::PGNotLikeMatch | B::PGNotILikeMatch => {
                let ci = matches!(op, B::PGILikeMatch | B::PGNotILikeMatch);
                let neg = matches!(op, B::PGNotLikeMatch | B::PGNotILikeMatch);
                return self.like(neg, false, l, r, None, ci, scope, clause);
            }
            B::PGRegexMatch | B::PGRegexIMatch | B::PGRegexNotMatch | B::PGRegexNotIMatch => {
                return self.regex_match(op.clone(), l, r, scope, clause);
            }
            B::BitwiseAnd
            | B::BitwiseOr
            | B::PGBitwiseXor
            | B::PGBitwiseShiftLeft
            | B::PGBitwiseShiftRight => {
                let sym = match op {
                    B::BitwiseAnd => "&",
                    B::BitwiseOr => "|",
                    B::PGBitwiseXor => "#",
                    B::PGBitwiseShiftLeft => "<<",
                    _ => ">>",
                };
                let a = self.expr(l, scope, clause)?;
                let b = self.expr(r, scope, clause)?;
                return self.symbol_operator(sym, a, b);
            }
            B::AtArrow | B::ArrowAt | B::PGOverlap => {
                return self.array_operator(op, l, r, scope, clause);
            }
            B::Arrow
            | B::LongArrow
            | B::HashArrow
            | B::HashLongArrow
            | B::Question
            | B::QuestionAnd
            | B::QuestionPipe
            | B::AtQuestion
            | B::AtAt
            | B::HashMinus => {
                let sym = match op {
                    B::Arrow => "->",
                    B::LongArrow => "->>",
                    B::HashArrow => "#>",
                    B::HashLongArrow => "#>>",
                    B::Question => "?",
                    B::QuestionAnd => "?&",
                    B::QuestionPipe => "?|",
                    B::AtQuestion => "@?",
                    B::AtAt => "@@",
                    _ => "#-",
                };
                let a = self.expr(l, scope, clause)?;
                let b = self.expr(r, scope, clause)?;
                return self.symbol_operator(sym, a, b);
            }
            B::PGCustomBinaryOperator(parts) => {
                // OPERATOR(pg_catalog.op): pgfork's operators are all in
                // pg_catalog, so it is the built-in operator.
                let name = match parts.as_slice() {
                    [s, n] if s == "pg_catalog" => Some(n.as_str()),
                    [n] => Some(n.as_str()),
                    _ => None,
                };
                let op = match name.unwrap_or("") {
                    "~" => B::PGRegexMatch,
                    "~*" => B::PGRegexIMatch,
                    "!~" => B::PGRegexNotMatch,
                    "!~*" => B::PGRegexNotIMatch,
                    "~~" => B::PGLikeMatch,
                    "~~*" => B::PGILikeMatch,
                    "!~~" => B::PGNotLikeMatch,
                    "!~~*" => B::PGNotILikeMatch,
                    "=" => B::Eq,
                    "<>" | "!=" => B::NotEq,
                    "<" => B::Lt,
                    "<=" => B::LtEq,
                    ">" => B::Gt,
                    ">=" => B::GtEq,
                    "+" => B::Plus,
                    "-" => B::Minus,
                    "*" => B::Multiply,
                    "/" => B::Divide,
                    "%" => B::Modulo,
                    "^" => B::PGExp,
                    "||" => B::StringConcat,
                    "@>" => B::AtArrow,
                    "<@" => B::ArrowAt,
                    "&&" => B::PGOverlap,
                    "->" => B::Arrow,
                    "->>" => B::LongArrow,
                    "#>" => B::HashArrow,
                    "#>>" => B::HashLongArrow,
                    "?" => B::Question,
                    "?&" => B::QuestionAnd,
                    "?|" => B::QuestionPipe,
                    "@?" => B::AtQuestion,
                    "@@" => B::AtAt,
                    "#-" => B::HashMinus,
                    _ => {
                        // PostgreSQL's 42883 names the operator as written.
                        let a = self.expr(l, scope, clause)?;
                        let b = self.expr(r, scope, clause)?;
                        return Err(coerce::no_operator(&parts.join("."), Some(a.ty()), b.ty()));
                    }
                };
                return self.binary(l, &op, r, scope, clause);
            }
            // Operators sqlparser has no name for (`<<=`, `>>=` of inet).
            B::Custom(sym) => {
                let a = self.expr(l, scope, clause)?;
                let b = self.expr(r, scope, clause)?;
                return self.symbol_operator(sym, a, b);
            }
            B::Plus => BinOp::Add,
            B::Minus => BinOp::Sub,
            B::Multiply => BinOp::Mul,
            B::Divide => BinOp::Div,
            B::Modulo => BinOp::Mod,
            B::PGExp => BinOp::Pow,
            B::StringConcat => BinOp::Concat,
            B::Eq => BinOp::Eq,
            B::NotEq => BinOp::Ne,
            B::Lt => BinOp::Lt,
            B::LtEq => BinOp::Le,
            B::Gt => BinOp::Gt,
            B::GtEq => BinOp::Ge,
            other => return Err(not_supported_yet(&format!("operator {other}"))),
        };
        let a = self.expr(l, scope, clause)?;
        let b = self.expr(r, scope, clause)?;
        self.operator(bop, a, b)
    }

    /// `x ~ pattern` and its case-insensitive and negated forms.
    fn regex_match(
        &mut self,
        op: B,
        l: &ast::Expr,
        r: &ast::Expr,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let a = self.expr(l, scope, clause)?;
        let b = self.expr(r, scope, clause)?;
        let a = self.coerce(a, oid::TEXT, false)?;
        let b = self.coerce(b, oid::TEXT, false)?;
        let ci = matches!(op, B::PGRegexIMatch | B::PGRegexNotIMatch);
        let m = self.call(if ci { "texticregexeq" } else { "textregexeq" }, vec![a, b])?;
        Ok(if matches!(op, B::PGRegexNotMatch | B::PGRegexNotIMatch) {
            Expr::Not(Box::new(m))
        } else {
            m
        })
    }

    /// An operator implemented by the built-in functions registered
    /// under its symbol (the json operators), with PostgreSQL's error
    /// when no operand types fit.
    pub fn symbol_operator(&mut self, sym: &str, a: Expr, b: Expr) -> PgResult<Expr> {
        let (lt, rt) = (a.ty(), b.ty());
        self.call(sym, vec![a, b]).map_err(|e| {
            if e.code == sqlstate::UNDEFINED_FUNCTION {
                coerce::no_operator(sym, Some(lt), rt)
            } else if e.code == "42725" {
                PgError::new(
                    "42725",
                    format!(
                        "operator is not unique: {} {sym} {}",
                        type_name(lt),
                        type_name(rt)
                    ),
                )
            } else {
                e
            }
        })
    }

    /// Resolves and builds a binary operator over analyzed operands.
    pub fn operator(&mut self, op: BinOp, a: Expr, b: Expr) -> PgResult<Expr> {
        // jsonb's || and - (jsonb - text, jsonb - int, jsonb - text[]).
        let (lt, rt) = (a.ty(), b.ty());
        let jsonb_side = |t: Oid| t == oid::JSONB;
        if op == BinOp::Concat
            && ((jsonb_side(lt) && (jsonb_side(rt) || rt == oid::UNKNOWN))
                || (lt == oid::UNKNOWN && jsonb_side(rt)))
        {
            return self.symbol_operator("||", a, b);
        }
        if op == BinOp::Sub && jsonb_side(lt) {
            return self.symbol_operator("-", a, b);
        }
        if op == BinOp::Concat
            && (coerce::category(a.ty()) == 'A' || coerce::category(b.ty()) == 'A')
        {
            return self.array_concat(a, b);
        }
        if let Some(e) = self.row_compare(op, &a, &b)? {
            return Ok(e);
        }
        let (lt, rt, ret) = coerce::resolve_binary(op, a.ty(), b.ty())?;
        // `anynonarray || text` converts through the output function.
        let io = op == BinOp::Concat;
        let a = self.coerce(a, lt, io)?;
        let b = self.coerce(b, rt, io)?;
        Ok(Expr::Binary(op, Box::new(a), Box::new(b), ret))
    }

    fn bool_arg(
        &mut self,
        e: &ast::Expr,
        what: &str,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let x = self.expr(e, scope, clause)?;
        self.coerce_arg(x, oid::BOOL, what)
    }

    /// Coerces an argument of a construct, with PostgreSQL's "argument of
    /// WHERE must be type boolean, not type integer".
    pub fn coerce_arg(&mut self, x: Expr, t: Oid, what: &str) -> PgResult<Expr> {
        let from = x.ty();
        if from != t && from != oid::UNKNOWN && !ops::can_coerce_implicitly(from, t) {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!(
                    "argument of {what} must be type {}, not type {}",
                    type_name(t),
                    type_name(from)
                ),
            ));
        }
        if t == oid::BOOL {
            refuse_set(&x, what)?;
        }
        self.coerce(x, t, false)
    }

    fn is_bool(
        &mut self,
        a: &ast::Expr,
        want: bool,
        negated: bool,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let what = match (want, negated) {
            (true, false) => "IS TRUE",
            (true, true) => "IS NOT TRUE",
            (false, false) => "IS FALSE",
            (false, true) => "IS NOT FALSE",
        };
        let x = self.bool_arg(a, what, scope, clause)?;
        Ok(Expr::IsBool(Box::new(x), want, negated))
    }

    fn distinct(
        &mut self,
        a: &ast::Expr,
        b: &ast::Expr,
        not: bool,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let x = self.expr(a, scope, clause)?;
        let y = self.expr(b, scope, clause)?;
        let (lt, rt, _) = coerce::resolve_binary(BinOp::Eq, x.ty(), y.ty())?;
        let x = self.coerce(x, lt, false)?;
        let y = self.coerce(y, rt, false)?;
        Ok(Expr::Distinct(Box::new(x), Box::new(y), not))
    }

    #[allow(clippy::too_many_arguments)]
    fn like(
        &mut self,
        negated: bool,
        any: bool,
        x: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        ci: bool,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        if any {
            return Err(not_supported_yet("LIKE ANY"));
        }
        let op = if ci { "~~*" } else { "~~" };
        let text_arg = |this: &mut Self, e: &ast::Expr| -> PgResult<Expr> {
            let v = this.expr(e, scope, clause)?;
            let t = v.ty();
            if t != oid::UNKNOWN && coerce::category(t) != 'S' {
                return Err(coerce::no_operator(op, Some(t), oid::TEXT));
            }
            this.coerce(v, oid::TEXT, false)
        };
        let x = text_arg(self, x)?;
        let p = text_arg(self, pattern)?;
        let esc = match escape {
            Some(e) => Some(Box::new(text_arg(self, e)?)),
            None => None,
        };
        Ok(Expr::Like {
            expr: Box::new(x),
            pattern: Box::new(p),
            escape: esc,
            case_insensitive: ci,
            negated,
        })
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let operand = operand.map(|o| self.expr(o, scope, clause)).transpose()?;
        let mut whens = Vec::with_capacity(conditions.len());
        let mut results = Vec::with_capacity(conditions.len() + 1);
        for cw in conditions {
            let cond = match &operand {
                Some(o) => {
                    let v = self.expr(&cw.condition, scope, clause)?;
                    self.operator(BinOp::Eq, o.clone(), v)?
                }
                None => self.bool_arg(&cw.condition, "CASE/WHEN", scope, clause)?,
            };
            whens.push(cond);
            results.push(self.expr(&cw.result, scope, clause)?);
        }
        let default = else_result
            .map(|e| self.expr(e, scope, clause))
            .transpose()?;
        super::srf::refuse_in_conditional(
            "CASE",
            operand
                .iter()
                .chain(&whens)
                .chain(&results)
                .chain(default.iter()),
        )?;
        let mut types: Vec<Oid> = results.iter().map(Expr::ty).collect();
        if let Some(d) = &default {
            types.push(d.ty());
        }
        let ty = coerce::common_type(&types, "CASE")?;
        let results = results
            .into_iter()
            .map(|r| self.coerce(r, ty, false))
            .collect::<PgResult<Vec<_>>>()?;
        let default = default.map(|d| self.coerce(d, ty, false)).transpose()?;
        Ok(Expr::Case {
            whens: whens.into_iter().zip(results).collect(),
            default: default.map(Box::new),
            ty,
        })
    }

    /// `schema.name(...)` of a schema other than pg_catalog: a user
    /// function there (3F000 for a schema that does not exist, 42883 for
    /// no function of the name).
    fn qualified_user_call(
        &mut self,
        f: &ast::Function,
        schema: &str,
        name: &str,
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        if let Some(call) = self.user_function_call(Some(schema), name, list, scope, clause)? {
            let wrong = if f.over.is_some() {
                "OVER specified, but {} is not a window function nor an aggregate function"
            } else if f.filter.is_some() {
                "FILTER specified, but {} is not an aggregate function"
            } else {
                return Ok(call);
            };
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                wrong.replace("{}", &format!("{schema}.{name}")),
            ));
        }
        let types: Vec<Oid> = self
            .args(list, scope, clause)?
            .iter()
            .map(Expr::ty)
            .collect();
        Err(fmgr::no_function(&format!("{schema}.{name}"), &types))
    }

    fn function(&mut self, f: &ast::Function, scope: &Scope, clause: Clause) -> PgResult<Expr> {
        let mut parts = object_name(&f.name);
        // information_schema's functions are reachable only qualified
        // (the schema is not on the search path).
        match parts.as_slice() {
            [s, n] if s == "information_schema" && n == "_pg_expandarray" => {
                parts.remove(0);
            }
            [.., n] if n == "_pg_expandarray" => {
                let types: Vec<Oid> = match &f.args {
                    ast::FunctionArguments::List(l) => self
                        .args(&l.args, scope, clause)?
                        .iter()
                        .map(Expr::ty)
                        .collect(),
                    _ => Vec::new(),
                };
                return Err(fmgr::no_function(&parts.join("."), &types));
            }
            _ => {}
        }
        // `schema.f(...)`: pg_catalog's are the built-in functions (and
        // any user one there); another schema holds only user functions.
        let schema = match parts.len() {
            1 => None,
            2 => Some(parts.remove(0)),
            _ => return Err(fmgr::no_function(&parts.join("."), &[])),
        };
        let name = parts.remove(0);
        let mut order: &[ast::OrderByExpr] = &[];
        let (list, distinct) = match &f.args {
            ast::FunctionArguments::None => (vec![], false),
            ast::FunctionArguments::Subquery(_) => {
                return Err(not_supported_yet("subqueries in expressions"))
            }
            ast::FunctionArguments::List(l) => {
                for c in &l.clauses {
                    match c {
                        // agg(x ORDER BY y): ordered-input aggregates.
                        ast::FunctionArgumentClause::OrderBy(o) if order.is_empty() => {
                            order = o;
                        }
                        _ => return Err(not_supported_yet("this clause in function arguments")),
                    }
                }
                (
                    l.args.clone(),
                    matches!(
                        l.duplicate_treatment,
                        Some(ast::DuplicateTreatment::Distinct)
                    ),
                )
            }
        };
        let star = matches!(
            list.as_slice(),
            [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard)]
        );
        if let Some(s) = schema.as_deref().filter(|s| *s != "pg_catalog") {
            return self.qualified_user_call(f, s, &name, &list, scope, clause);
        }
        if !f.within_group.is_empty() {
            return self.ordered_set_call(
                &name,
                &list,
                &f.within_group,
                f.filter.as_deref(),
                scope,
                clause,
            );
        }
        if f.over.is_none()
            && !list.is_empty()
            && crate::utils::adt::ordered_set::is_hypothetical(&name)
        {
            return Err(super::ordered_set::within_group_required(&name));
        }
        if let Some(over) = &f.over {
            let call = super::window::WindowCallArgs {
                name: &name,
                list: &list,
                star,
                distinct,
                has_order: !order.is_empty(),
                filter: f.filter.as_deref(),
                over,
            };
            return self.window_call(call, scope, clause);
        }
        if crate::fmgr::window::is_window_function(&name) {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("window function {name} requires an OVER clause"),
            ));
        }
        if name == "grouping" && f.filter.is_none() && order.is_empty() && !distinct && !star {
            return self.grouping_call(&list, scope, clause);
        }
        if agg::is_aggregate(&name) {
            let filter = match &f.filter {
                Some(w) => {
                    if !clause.allows_aggregates() {
                        return self
                            .aggregate(&name, &list, star, distinct, None, order, scope, clause);
                    }
                    self.in_aggregate = true;
                    let x = self.expr(w, scope, Clause::Filter);
                    self.in_aggregate = false;
                    Some(self.coerce_arg(x?, oid::BOOL, "FILTER")?)
                }
                None => None,
            };
            return self.aggregate(&name, &list, star, distinct, filter, order, scope, clause);
        }
        if !order.is_empty() {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("ORDER BY specified, but {name} is not an aggregate function"),
            ));
        }
        if star {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("{name}(*) specified, but {name} is not an aggregate function"),
            ));
        }
        if distinct {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("DISTINCT specified, but {name} is not an aggregate function"),
            ));
        }
        let not_aggregate = |name: &str| {
            PgError::new(
                WRONG_OBJECT_TYPE,
                format!("FILTER specified, but {name} is not an aggregate function"),
            )
        };
        if let Some(call) =
            self.user_function_call(schema.as_deref(), &name, &list, scope, clause)?
        {
            if f.filter.is_some() {
                return Err(not_aggregate(&name));
            }
            return Ok(call);
        }
        if name == "row" && f.filter.is_none() {
            return self.row_call(&list, scope, clause);
        }
        let args = self.args(&list, scope, clause)?;
        match name.as_str() {
            "coalesce" | "greatest" | "least" => {
                let label = name.to_uppercase();
                if name == "coalesce" {
                    super::srf::refuse_in_conditional("COALESCE", args.iter())?;
                }
                let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
                let ty = coerce::common_type(&types, &label)?;
                let args = args
                    .into_iter()
                    .map(|a| self.coerce(a, ty, false))
                    .collect::<PgResult<Vec<_>>>()?;
                Ok(match name.as_str() {
                    "coalesce" => Expr::Coalesce(args, ty),
                    g => Expr::MinMax(g == "greatest", args, ty),
                })
            }
            "nullif" => {
                let [a, b]: [Expr; 2] = args
                    .try_into()
                    .map_err(|_| fmgr::no_function("nullif", &[]))?;
                let (lt, rt, _) = coerce::resolve_binary(BinOp::Eq, a.ty(), b.ty())?;
                let a = self.coerce(a, lt, false)?;
                let b = self.coerce(b, rt, false)?;
                Ok(Expr::NullIf(Box::new(a), Box::new(b)))
            }
            "concat" | "concat_ws" => {
                // VARIADIC "any": every argument through its output function.
                let args = args
                    .into_iter()
                    .map(|a| self.coerce(a, oid::TEXT, true))
                    .collect::<PgResult<Vec<_>>>()?;
                self.call(&name, args)
            }
            "pg_typeof" => self.pg_typeof(args),
            "enum_first" | "enum_last" | "enum_range" => self.enum_call(&name, args),
            _ => {
                if let Some(t) = function_style_cast(&name, &args) {
                    if f.filter.is_some() {
                        return Err(not_aggregate(&name));
                    }
                    let [arg]: [Expr; 1] = args.try_into().map_err(|_| {
                        PgError::internal("function-style cast without one argument")
                    })?;
                    return self.explicit_cast(arg, t, -1);
                }
                let call = self.call(&name, args)?;
                if f.filter.is_some() {
                    return Err(not_aggregate(&name));
                }
                if call.is_srf_call() {
                    self.check_srf_placement(clause)?;
                }
                Ok(call)
            }
        }
    }

    pub(super) fn args(
        &mut self,
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Vec<Expr>> {
        list.iter()
            .map(|a| match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    self.expr(e, scope, clause)
                }
                // `f(t.*)`: the whole row of t.
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::QualifiedWildcard(n)) => {
                    self.whole_row_arg(n, scope)
                }
                _ => Err(not_supported_yet("named or wildcard function arguments")),
            })
            .collect()
    }

    /// 42803 for an aggregate-like call (`what`: "aggregate functions",
    /// "grouping operations") in a clause that allows none, or inside an
    /// aggregate's arguments.
    pub(super) fn check_aggregate_place(&self, clause: Clause, what: &str) -> PgResult<()> {
        if !clause.allows_aggregates() {
            return Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                format!("{what} are not allowed in {}", clause.name()),
            ));
        }
        if self.in_aggregate {
            return Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                "aggregate function calls cannot be nested",
            ));
        }
        Ok(())
    }

    /// Calls the built-in function `name` with analyzed arguments.
    pub fn call(&mut self, name: &str, args: Vec<Expr>) -> PgResult<Expr> {
        let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let (def, params) = fmgr::resolve_call(name, &types)?;
        if fmgr::assigns_xid(def) {
            self.needs_xid = true;
        }
        let takes_any = def.args.contains(&oid::ANY);
        let args = args
            .into_iter()
            .zip(params)
            .enumerate()
            .map(|(i, (a, t))| {
                // An OID alias type given to "any" is printed as its name,
                // which only the cast to text (with the catalog) knows.
                let declared = || *def.args.get(i).or(def.args.last()).unwrap_or(&0);
                if takes_any && crate::types::is_reg_type(t) && declared() == oid::ANY {
                    self.coerce(a, oid::TEXT, true)
                } else {
                    self.coerce(a, t, false)
                }
            })
            .map(|a| a.map(super::array::pin_polymorphic))
            .collect::<PgResult<Vec<_>>>()?;
        self.with_row_template(Expr::Func(def, args))
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        name: &str,
        list: &[ast::FunctionArg],
        star: bool,
        distinct: bool,
        filter: Option<Expr>,
        order: &[ast::OrderByExpr],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        self.check_aggregate_place(clause, "aggregate functions")?;
        self.in_aggregate = true;
        let args = if star {
            Ok(vec![])
        } else {
            self.args(list, scope, clause)
        };
        let keys = self.agg_order_keys(order, scope, clause);
        self.in_aggregate = false;
        let args = args?;
        let (keys, order) = keys?;
        let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let (kind, params, ty) =
            agg::resolve(name, &types, star).ok_or_else(|| fmgr::no_function(name, &types))?;
        let mut args = args
            .into_iter()
            .zip(params)
            .map(|(a, t)| self.coerce(a, t, false))
            .collect::<PgResult<Vec<_>>>()?;
        // The sort keys follow the arguments.
        args.extend(keys);
        Ok(Expr::Agg(Box::new(AggCall {
            kind,
            args,
            distinct,
            filter,
            ty,
            order,
        })))
    }

    /// The ORDER BY keys of an aggregate call, and how each sorts.
    pub(super) fn agg_order_keys(
        &mut self,
        order: &[ast::OrderByExpr],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<(Vec<Expr>, Vec<agg::SortSpec>)> {
        let mut keys = Vec::with_capacity(order.len());
        let mut specs = Vec::with_capacity(order.len());
        for o in order {
            let desc = match &o.options.sort {
                Some(ast::OrderBySort::Desc) => true,
                Some(ast::OrderBySort::Asc) | None => false,
                Some(ast::OrderBySort::Using(_)) => {
                    return Err(not_supported_yet("ORDER BY USING"))
                }
            };
            let mut k = self.expr(&o.expr, scope, clause)?;
            if k.ty() == oid::UNKNOWN {
                k = self.coerce(k, oid::TEXT, false)?;
            }
            keys.push(k);
            specs.push(agg::SortSpec {
                desc,
                nulls_first: o.options.nulls_first.unwrap_or(desc),
            });
        }
        Ok((keys, specs))
    }

    /// Implicit coercion of `e` to `t` (`io`: any type through its output
    /// function, for `||` and concat). Unknown literals are read with the
    /// type's input function now; unknown parameters take the type.
    pub fn coerce(&mut self, e: Expr, t: Oid, io: bool) -> PgResult<Expr> {
        let from = e.ty();
        if from == t || (t == oid::RECORD && crate::types::composite::by_oid(from).is_some()) {
            return Ok(e);
        }
        let e = match self.record_to_composite(e, t, false)? {
            Ok(converted) => return Ok(converted),
            Err(e) => e,
        };
        let e = match self.reg_conversion(e, t, io)? {
            Ok(converted) => return Ok(converted),
            Err(e) => e,
        };
        match e {
            Expr::Const(Value::Null, _) => Ok(Expr::Const(Value::Null, t)),
            Expr::Const(Value::Text(s), oid::UNKNOWN) => {
                Ok(Expr::Const(Value::parse_text(t, &s)?, t))
            }
            Expr::Param(i, oid::UNKNOWN) => {
                self.params[i] = t;
                Ok(Expr::Param(i, t))
            }
            e if from == oid::UNKNOWN => Ok(Expr::Cast(Box::new(e), t, -1)),
            e if ops::can_coerce_implicitly(from, t) || (io && types_is_text(t)) => {
                Ok(Expr::Cast(Box::new(e), t, -1))
            }
            _ => Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!(
                    "cannot cast type {} to {} implicitly",
                    type_name(from),
                    type_name(t)
                ),
            )),
        }
    }

    /// `x::type` / CAST(x AS type).
    pub fn explicit_cast(&mut self, e: Expr, t: Oid, typmod: i32) -> PgResult<Expr> {
        let e = match self.record_to_composite(e, t, true)? {
            Ok(converted) => return Ok(converted),
            Err(e) => e,
        };
        let e = match self.reg_conversion(e, t, true)? {
            Ok(converted) => return Ok(converted),
            Err(e) => e,
        };
        match e {
            Expr::Const(Value::Text(s), oid::UNKNOWN) => {
                let v = Value::parse_text(t, &s)?;
                let v = ops::apply_typmod(v, t, typmod)?;
                if typmod >= 0 {
                    // Keep the typmod visible in the result description.
                    return Ok(Expr::Cast(Box::new(Expr::Const(v, t)), t, typmod));
                }
                Ok(Expr::Const(v, t))
            }
            Expr::Const(Value::Null, oid::UNKNOWN) => {
                Ok(Expr::Cast(Box::new(Expr::Const(Value::Null, t)), t, typmod))
            }
            Expr::Param(i, oid::UNKNOWN) => {
                self.params[i] = t;
                Ok(Expr::Cast(Box::new(Expr::Param(i, t)), t, typmod))
            }
            e => {
                ops::check_cast(e.ty(), t)?;
                Ok(Expr::Cast(Box::new(e), t, typmod))
            }
        }
    }
}

fn types_is_text(t: Oid) -> bool {
    crate::types::is_text_type(t)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// PostgreSQL's function-style cast (func_get_detail's coercion case):
/// `date(ts)`, `int4(x)`, `text(n)` — a call of one positional argument
/// whose name is a type's pg_type name, with no function of that name
/// taking it, is a cast to that type, when one exists. SQL's aliases
/// (`integer`, `boolean`, `bigint`...) are not pg_type names and stay
/// function names, as in PostgreSQL.
fn function_style_cast(name: &str, args: &[Expr]) -> Option<Oid> {
    let [arg] = args else { return None };
    if matches!(
        name,
        "boolean"
            | "character"
            | "char"
            | "bigint"
            | "smallint"
            | "int"
            | "integer"
            | "real"
            | "float"
            | "decimal"
            | "unknown"
            // Keywords in PostgreSQL's grammar: `numeric(7)` is a syntax
            // error there, never a call.
            | "numeric"
            | "varchar"
            | "interval"
            | "timestamp"
            | "time"
            // int4 → xid exists only as xideqint4's operand.
            | "xid"
    ) {
        return None;
    }
    let t = super::names::type_by_name(name)?;
    if fmgr::resolve_call(name, &[arg.ty()]).is_ok() {
        return None;
    }
    (arg.ty() == oid::UNKNOWN || ops::cast_exists(arg.ty(), t)).then_some(t)
}

/// An interval literal's text read under its fields (`INTERVAL '1:2'
/// MINUTE TO SECOND`), as PostgreSQL's DecodeInterval reads it with the
/// range: `m:s` under MINUTE TO SECOND is minutes and seconds, two bare
/// numbers under `X TO Y` are X and Y, and a bare trailing number is of
/// the last field.
fn interval_literal_in_range(
    s: &str,
    leading: &ast::DateTimeField,
    last: Option<&ast::DateTimeField>,
) -> String {
    let t = s.trim();
    let is_number = |w: &str| {
        let w = w.strip_prefix(['-', '+']).unwrap_or(w);
        !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    let words: Vec<&str> = t.split_whitespace().collect();
    let Some(last) = last else {
        return match words.last() {
            Some(w) if is_number(w) => format!("{s} {leading}"),
            _ => s.to_owned(),
        };
    };
    let last_name = last.to_string().to_ascii_uppercase();
    let leading_name = leading.to_string().to_ascii_uppercase();
    if last_name.starts_with("SECOND") && leading_name == "MINUTE" && t.matches(':').count() == 1 {
        let (sign, body) = match t.strip_prefix('-') {
            Some(b) => ("-", b),
            None => ("", t),
        };
        return format!("{sign}00:{body}");
    }
    match words.as_slice() {
        [a, b] if leading_name == "DAY" && is_number(a) && is_number(b) => {
            format!("{a} {leading} {b} {last}")
        }
        [w] if is_number(w) => format!("{s} {last}"),
        [.., u, w] if is_number(w) && !is_number(u) => format!("{s} {last}"),
        _ => s.to_owned(),
    }
}
