//! Array expressions (PostgreSQL's transformArrayExpr, transformIndirection
//! and make_scalar_array_op): `ARRAY[...]` with its element type resolved
//! as a common type (or cast to the type of an enclosing cast),
//! `ARRAY(subquery)`, subscripts and slices, `x op ANY/ALL (array)`, and
//! the array operators `@>`, `<@`, `&&` and `||`.

use sqlparser::ast::{self, BinaryOperator as B};

use super::expr::Clause;
use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::{ArrayOpExpr, Expr, SubLinkKind, Subscript, SubscriptExpr};
use crate::parser::{ident, object_name};
use crate::types::array::{array_element, array_of, MAXDIM};
use crate::types::record::RecordDesc;
use crate::types::{oid, type_name, Oid};
use crate::utils::adt::coerce;
use crate::utils::adt::ops::{self, BinOp};

/// 42809 wrong_object_type.
const WRONG_OBJECT_TYPE: &str = "42809";

fn is_array(t: Oid) -> bool {
    array_element(t) != 0
}

fn no_array_type(elem: Oid) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!(
            "could not find array type for data type {}",
            type_name(elem)
        ),
    )
}

/// An argument that is itself a call with a polymorphic result, under a
/// cast to that result's type (a no-op at run time): the type of a chain
/// `a || 1 || 2 || ...` is then found without walking the chain.
pub fn pin_polymorphic(e: Expr) -> Expr {
    match e {
        Expr::Func(d, _) if crate::types::array::is_polymorphic(d.ret) => {
            let t = e.ty();
            Expr::Cast(Box::new(e), t, -1)
        }
        e => e,
    }
}

/// Whether `f` is `ARRAY(subquery)`, which sqlparser reads as a call of a
/// function named ARRAY.
pub fn is_array_sublink(f: &ast::Function) -> bool {
    matches!(f.args, ast::FunctionArguments::Subquery(_))
        && object_name(&f.name).join(".") == "array"
}

impl Analyzer<'_> {
    /// `ARRAY[e, ...]`; `hint` is the array type of an enclosing cast
    /// (`ARRAY[]::int[]`), to which the elements are then cast.
    pub(super) fn array_constructor(
        &mut self,
        a: &ast::Array,
        hint: Option<Oid>,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let hint = hint.filter(|h| is_array(*h));
        let mut elems = Vec::with_capacity(a.elem.len());
        let mut multidims = false;
        for e in &a.elem {
            let x = match e {
                ast::Expr::Array(sub) if !sub.named => {
                    multidims = true;
                    self.array_constructor(sub, hint, scope, clause)?
                }
                e => self.expr(e, scope, clause)?,
            };
            multidims |= is_array(x.ty());
            elems.push(x);
        }
        let (ty, target, hard) = match hint {
            Some(h) => (h, if multidims { h } else { array_element(h) }, true),
            None => {
                if elems.is_empty() {
                    return Err(PgError::new(
                        sqlstate::INDETERMINATE_DATATYPE,
                        "cannot determine type of empty array",
                    )
                    .with_hint(
                        "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                    ));
                }
                let types: Vec<Oid> = elems.iter().map(Expr::ty).collect();
                let common = coerce::common_type(&types, "ARRAY")?;
                if multidims {
                    if !is_array(common) {
                        return Err(PgError::new(
                            sqlstate::UNDEFINED_OBJECT,
                            format!(
                                "could not find element type for data type {}",
                                type_name(common)
                            ),
                        ));
                    }
                    (common, common, false)
                } else {
                    let arr = array_of(common);
                    if arr == 0 {
                        return Err(no_array_type(common));
                    }
                    (arr, common, false)
                }
            }
        };
        let elems = elems
            .into_iter()
            .map(|e| {
                if hard {
                    self.explicit_cast(e, target, -1)
                } else {
                    let from = e.ty();
                    self.coerce(e, target, false).map_err(|err| {
                        if err.code == sqlstate::DATATYPE_MISMATCH {
                            PgError::new(
                                sqlstate::DATATYPE_MISMATCH,
                                format!(
                                    "ARRAY could not convert type {} to {}",
                                    type_name(from),
                                    type_name(target)
                                ),
                            )
                        } else {
                            err
                        }
                    })
                }
            })
            .collect::<PgResult<Vec<_>>>()?;
        Ok(Expr::ArrayExpr {
            elems,
            ty,
            multidims,
        })
    }

    /// `ARRAY(subquery)`: the subquery's one column as an array.
    pub(super) fn array_sublink(&mut self, f: &ast::Function, scope: &Scope) -> PgResult<Expr> {
        let ast::FunctionArguments::Subquery(sub) = &f.args else {
            return Err(PgError::internal("ARRAY() without a subquery"));
        };
        let (q, correlated) = self.subquery(sub, scope)?;
        if q.columns.len() != 1 {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "subquery must return only one column",
            ));
        }
        let ct = q.columns[0].type_oid;
        let ty = if is_array(ct) { ct } else { array_of(ct) };
        if ty == 0 {
            return Err(no_array_type(ct));
        }
        Ok(self.sublink(SubLinkKind::Array, None, q, correlated, ty))
    }

    /// `root[i][j:k]...`: subscripts and slices of an array.
    pub(super) fn subscript(
        &mut self,
        root: &ast::Expr,
        chain: &[ast::AccessExpr],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        // `t.a[1]`: the leading `.name` parts belong to the column name.
        let dots = chain
            .iter()
            .take_while(|a| matches!(a, ast::AccessExpr::Dot(ast::Expr::Identifier(_))))
            .count();
        let array = match (root, dots) {
            (_, 0) => self.expr(root, scope, clause)?,
            (ast::Expr::Identifier(first), _) => {
                let mut parts = vec![first.clone()];
                for a in &chain[..dots] {
                    if let ast::AccessExpr::Dot(ast::Expr::Identifier(i)) = a {
                        parts.push(i.clone());
                    }
                }
                self.expr(&ast::Expr::CompoundIdentifier(parts), scope, clause)?
            }
            // `(expr).field[.field...]`: field selection from a record.
            (_, _) => {
                let mut e = self.expr(root, scope, clause)?;
                for a in &chain[..dots] {
                    if let ast::AccessExpr::Dot(ast::Expr::Identifier(i)) = a {
                        e = self.field_select(e, &ident(i), scope)?;
                    }
                }
                e
            }
        };
        let mut root_text = root.to_string();
        for a in &chain[..dots] {
            if let ast::AccessExpr::Dot(i) = a {
                root_text += &format!(".{i}");
            }
        }
        let chain = &chain[dots..];
        if chain.is_empty() {
            return Ok(array);
        }
        let t = array.ty();
        let elem = array_element(t);
        // A name is a fixed-length array of "char" (pg_dump reads
        // `typname[0] = '_'`): its byte at a 0-based index.
        if let (oid::NAME, [ast::AccessExpr::Subscript(ast::Subscript::Index { index })]) =
            (t, chain)
        {
            let byte = format!(
                "pg_catalog.substr(({root_text})::pg_catalog.text, ({index}) + 1, 1)::pg_catalog.\"char\""
            );
            let e = crate::parser::parse_expr(&byte)?;
            return self.expr(&e, scope, clause);
        }
        if elem == 0 {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    type_name(t)
                ),
            ));
        }
        let mut subs = Vec::with_capacity(chain.len());
        for a in chain {
            let sub = match a {
                ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => Subscript {
                    lower: None,
                    upper: Some(self.subscript_index(index, scope, clause)?),
                    slice: false,
                },
                ast::AccessExpr::Subscript(ast::Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride: None,
                }) => Subscript {
                    lower: lower_bound
                        .as_ref()
                        .map(|e| self.subscript_index(e, scope, clause))
                        .transpose()?,
                    upper: upper_bound
                        .as_ref()
                        .map(|e| self.subscript_index(e, scope, clause))
                        .transpose()?,
                    slice: true,
                },
                _ => {
                    return Err(super::not_supported_yet(
                        "field selection and slices with a step",
                    ))
                }
            };
            subs.push(sub);
        }
        if subs.len() > MAXDIM {
            return Err(crate::types::array::too_many_dims(subs.len()));
        }
        let slice = subs.iter().any(|s| s.slice);
        Ok(Expr::Subscript(Box::new(SubscriptExpr {
            array,
            subs,
            ty: if slice { t } else { elem },
        })))
    }

    fn subscript_index(&mut self, e: &ast::Expr, scope: &Scope, clause: Clause) -> PgResult<Expr> {
        let x = self.expr(e, scope, clause)?;
        let t = x.ty();
        if t != oid::UNKNOWN && !ops::can_coerce_implicitly(t, oid::INT4) {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                "array subscript must have type integer",
            ));
        }
        self.coerce(x, oid::INT4, false)
    }

    /// `left op ANY (right)` / `left op ALL (right)`: over an array, or a
    /// subquery (`= ANY` is IN, the others compare with its rows as an
    /// array).
    pub(super) fn any_all(
        &mut self,
        left: &ast::Expr,
        op: &B,
        right: &ast::Expr,
        any: bool,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let bop = match op {
            B::Eq => BinOp::Eq,
            B::NotEq => BinOp::Ne,
            B::Lt => BinOp::Lt,
            B::LtEq => BinOp::Le,
            B::Gt => BinOp::Gt,
            B::GtEq => BinOp::Ge,
            other => {
                return Err(super::not_supported_yet(&format!(
                    "operator {other} with ANY or ALL"
                )))
            }
        };
        let right_is_subquery = match right {
            ast::Expr::Subquery(q) => Some(q),
            ast::Expr::Nested(inner) => match inner.as_ref() {
                ast::Expr::Subquery(q) => Some(q),
                _ => None,
            },
            _ => None,
        };
        if let Some(q) = right_is_subquery {
            // x = ANY (subquery) is x IN (subquery); x <> ALL is NOT IN.
            if (bop == BinOp::Eq && any) || (bop == BinOp::Ne && !any) {
                let in_expr = ast::Expr::In {
                    expr: Box::new(left.clone()),
                    target: ast::InTarget::Subquery(q.clone()),
                    negated: !any,
                    global: false,
                };
                return self.expr(&in_expr, scope, clause);
            }
            let x = self.expr(left, scope, clause)?;
            let (sub, correlated) = self.subquery(q, scope)?;
            if sub.columns.len() != 1 {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "subquery has too many columns",
                ));
            }
            let ct = sub.columns[0].type_oid;
            let ty = array_of(ct);
            if ty == 0 {
                return Err(no_array_type(ct));
            }
            let arr = self.sublink(SubLinkKind::Array, None, sub, correlated, ty);
            return self.array_op(bop, any, x, arr);
        }
        let x = self.expr(left, scope, clause)?;
        let arr = self.expr(right, scope, clause)?;
        self.array_op(bop, any, x, arr)
    }

    /// make_scalar_array_op: resolves `op` between `x` and the elements of
    /// `arr`, coercing both.
    pub fn array_op(&mut self, op: BinOp, any: bool, x: Expr, arr: Expr) -> PgResult<Expr> {
        let at = arr.ty();
        let elem = if at == oid::UNKNOWN {
            oid::UNKNOWN
        } else {
            let e = array_element(at);
            if e == 0 {
                return Err(PgError::new(
                    WRONG_OBJECT_TYPE,
                    "op ANY/ALL (array) requires array on right side",
                ));
            }
            e
        };
        let (lt, rt, ret) = coerce::resolve_binary(op, x.ty(), elem)?;
        if ret != oid::BOOL {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                "op ANY/ALL (array) requires operator to yield boolean",
            ));
        }
        let rat = array_of(rt);
        if rat == 0 {
            return Err(no_array_type(rt));
        }
        let left = self.coerce(x, lt, false)?;
        let right = self.coerce(arr, rat, false)?;
        Ok(Expr::ArrayOp(Box::new(ArrayOpExpr {
            op,
            any,
            left,
            right,
        })))
    }

    /// `@>`, `<@` and `&&` between arrays (arraycontains, arraycontained,
    /// arrayoverlap).
    pub(super) fn array_operator(
        &mut self,
        op: &B,
        l: &ast::Expr,
        r: &ast::Expr,
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let (sym, func) = match op {
            B::AtArrow => ("@>", "arraycontains"),
            B::ArrowAt => ("<@", "arraycontained"),
            _ => ("&&", "arrayoverlap"),
        };
        let a = self.expr(l, scope, clause)?;
        let b = self.expr(r, scope, clause)?;
        let (lt, rt) = (a.ty(), b.ty());
        if sym != "&&" && (lt == oid::JSONB || rt == oid::JSONB) {
            return self.symbol_operator(sym, a, b);
        }
        if !(is_array(lt) || is_array(rt)) {
            // inet's `&&`, by its symbol.
            if sym == "&&" {
                return self.symbol_operator(sym, a, b);
            }
            return Err(coerce::no_operator(sym, Some(lt), rt));
        }
        self.call(func, vec![a, b]).map_err(|e| {
            if e.code == sqlstate::UNDEFINED_FUNCTION {
                coerce::no_operator(sym, Some(lt), rt)
            } else {
                e
            }
        })
    }

    /// `||` with an array operand: array_cat (array || array, or an
    /// untyped literal read as an array), array_append (array || element)
    /// or array_prepend (element || array).
    pub(super) fn array_concat(&mut self, a: Expr, b: Expr) -> PgResult<Expr> {
        let (lt, rt) = (a.ty(), b.ty());
        let (la, ra) = (is_array(lt), is_array(rt));
        let func = match (la, ra) {
            (true, true) | (false, false) => "array_cat",
            (true, false) if rt == oid::UNKNOWN => "array_cat",
            (false, true) if lt == oid::UNKNOWN => "array_cat",
            (true, false) => "array_append",
            (false, true) => "array_prepend",
        };
        self.call(func, vec![a, b]).map_err(|e| {
            if e.code == sqlstate::UNDEFINED_FUNCTION {
                coerce::no_operator("||", Some(lt), rt)
            } else {
                e
            }
        })
    }
}

impl Analyzer<'_> {
    /// The fields of a `record` expression, where analysis knows them: a
    /// call of a function with OUT parameters, or a column of a subquery
    /// whose target was one (PostgreSQL's expandRecordVariable).
    pub(super) fn record_fields(&self, e: &Expr, scope: &Scope) -> Option<RecordDesc> {
        if e.ty() != oid::RECORD {
            return None;
        }
        match e {
            Expr::Func(d, args) if d.name == "_pg_expandarray" => {
                let elem = array_element(args.first()?.ty());
                Some(vec![("x".to_owned(), elem), ("n".to_owned(), oid::INT4)])
            }
            Expr::Column(i, _) => scope.cols.get(*i)?.record.as_deref().cloned(),
            Expr::Func(d, args) => crate::nodes::query::srf_record_fields(d.name, args),
            _ => None,
        }
    }

    /// `(e).name`: PostgreSQL's FieldSelect.
    pub(super) fn field_select(&self, e: Expr, name: &str, scope: &Scope) -> PgResult<Expr> {
        let t = e.ty();
        if !crate::types::composite::is_composite(t) {
            return Err(PgError::new(
                "42809",
                format!(
                    "column notation .{name} applied to type {}, which is not a composite type",
                    type_name(t)
                ),
            ));
        }
        let Some(fields) = self.composite_fields(&e, scope) else {
            return Err(PgError::new(
                "42809",
                format!("could not identify column \"{name}\" in record data type"),
            ));
        };
        // A field of a row constructor is its expression.
        if let Expr::Row(r) = &e {
            if let Some(i) = fields.iter().position(|(n, _)| n == name) {
                return Ok(r.args[i].clone());
            }
        }
        match fields.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(Expr::FieldSelect(
                Box::new(e),
                i,
                fields[i].1,
                name.to_owned(),
            )),
            None => Err(PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("could not identify column \"{name}\" in record data type"),
            )),
        }
    }
}
