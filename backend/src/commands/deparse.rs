//! Column defaults as PostgreSQL's ruleutils prints them
//! (`pg_get_expr(adbin, adrelid)`): implicit coercions hidden, a literal
//! labelled with its type unless it is a non-negative integer, a decimal
//! number or a boolean (`'FR'::character varying`, `'-1'::integer`,
//! `1.5`), operators parenthesized (`(1 + 2)`), SQL-standard keyword
//! functions in capitals (`CURRENT_TIMESTAMP`), a sequence named by
//! `'seq'::regclass`. The catalog keeps the default in this form, which
//! parses back to the same expression.

use crate::analyze::viewdef::keyword_function;
use crate::catalog::{format_type, Catalog};
use crate::nodes::expr::Expr;
use crate::types::{oid, Value};
use crate::utils::adt::ops;

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A constant (ruleutils' get_const_expr).
fn constant(v: &Value, t: u32, cat: &Catalog) -> String {
    let label = |text: String| format!("{}::{}", quote(&text), format_type(t, -1));
    match (v, t) {
        (Value::Null, _) => format!("NULL::{}", format_type(t, -1)),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Int4(i), _) if *i >= 0 => i.to_string(),
        (Value::Numeric(_), oid::NUMERIC) => {
            let s = v.to_text();
            if s.starts_with(|c: char| c.is_ascii_digit()) && s.contains(['.', 'e', 'E']) {
                s
            } else {
                label(s)
            }
        }
        (Value::Oid(o), oid::REGCLASS) => match cat.relation_name(*o) {
            Some(n) => super::sequence::regclass_literal_in(
                cat,
                cat.object_namespace(*o)
                    .unwrap_or(crate::catalog::PUBLIC_NAMESPACE),
                n,
            ),
            None => label(o.to_string()),
        },
        _ => label(v.to_text()),
    }
}

/// `e` as PostgreSQL prints a stored default.
pub fn deparse(e: &Expr, cat: &Catalog) -> String {
    let d = |x: &Expr| deparse(x, cat);
    match e {
        Expr::Const(v, t) => constant(v, *t, cat),
        Expr::Neg(a) => match a.as_ref() {
            Expr::Const(Value::Int4(i), t) => constant(&Value::Int4(-i), *t, cat),
            Expr::Const(v @ (Value::Int8(_) | Value::Int2(_) | Value::Numeric(_)), t) => {
                format!(
                    "{}::{}",
                    quote(&format!("-{}", v.to_text())),
                    format_type(*t, -1)
                )
            }
            other => format!("(- {})", d(other)),
        },
        Expr::Cast(a, t, typmod) => {
            if *typmod < 0 && ops::can_coerce_implicitly(a.ty(), *t) {
                d(a)
            } else {
                format!("({})::{}", d(a), format_type(*t, *typmod))
            }
        }
        Expr::Func(f, args) if args.is_empty() && keyword_function(f.name).is_some() => {
            keyword_function(f.name).unwrap_or_default().to_owned()
        }
        Expr::Func(f, args) => format!(
            "{}({})",
            f.name,
            args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::Binary(op, a, b, _) => format!("({} {} {})", d(a), op.symbol(), d(b)),
        Expr::Not(a) => format!("(NOT {})", d(a)),
        Expr::And(a, b) => format!("({} AND {})", d(a), d(b)),
        Expr::Or(a, b) => format!("({} OR {})", d(a), d(b)),
        Expr::Coalesce(args, _) => format!(
            "COALESCE({})",
            args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::ArrayExpr { elems, .. } => format!(
            "ARRAY[{}]",
            elems.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        other => super::explain::deparse(other, &[]),
    }
}
