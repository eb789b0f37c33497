//! The rows of the catalogs `catalog::dump_views` describes that are not
//! empty: pg_cast, pg_operator, pg_opfamily, pg_amop and pg_amproc from
//! the generated tables of `catalog::builtin_ops`, and pg_description
//! from the comments stored in the catalog (`COMMENT ON`).

use crate::catalog::builtin::{PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE, SUPERUSER_OID};
use crate::catalog::builtin_ops::{AMOPS, AMPROCS, CASTS, OPERATORS, OPFAMILIES};
use crate::fmgr::FnCtx;
use crate::types::Value;

/// pg_namespace's OID (the classoid of a schema's comment).
const PG_NAMESPACE_CLASS: u32 = 2615;

/// The comment initdb gives schema public.
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

fn ch(c: u8) -> Value {
    Value::Text((c as char).to_string())
}

pub fn cast_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    CASTS
        .iter()
        .map(|&(oid, source, target, func, context, method)| {
            vec![
                Value::Oid(oid),
                Value::Oid(source),
                Value::Oid(target),
                Value::Oid(func),
                ch(context),
                ch(method),
            ]
        })
        .collect()
}

pub fn operator_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    OPERATORS
        .iter()
        .map(|o| {
            vec![
                Value::Oid(o.oid),
                Value::Text(o.name.to_owned()),
                Value::Oid(PG_CATALOG_NAMESPACE),
                Value::Oid(SUPERUSER_OID),
                ch(o.kind),
                Value::Bool(o.can_merge),
                Value::Bool(o.can_hash),
                Value::Oid(o.left),
                Value::Oid(o.right),
                Value::Oid(o.result),
                Value::Oid(o.commutator),
                Value::Oid(o.negator),
                Value::Oid(o.code),
                Value::Oid(o.rest),
                Value::Oid(o.join),
            ]
        })
        .collect()
}

pub fn opfamily_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    OPFAMILIES
        .iter()
        .map(|&(oid, method, name)| {
            vec![
                Value::Oid(oid),
                Value::Oid(method),
                Value::Text(name.to_owned()),
                Value::Oid(PG_CATALOG_NAMESPACE),
                Value::Oid(SUPERUSER_OID),
            ]
        })
        .collect()
}

pub fn amop_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    AMOPS
        .iter()
        .map(
            |&(oid, family, left, right, strategy, purpose, opr, method, sort)| {
                vec![
                    Value::Oid(oid),
                    Value::Oid(family),
                    Value::Oid(left),
                    Value::Oid(right),
                    Value::Int2(strategy),
                    ch(purpose),
                    Value::Oid(opr),
                    Value::Oid(method),
                    Value::Oid(sort),
                ]
            },
        )
        .collect()
}

pub fn amproc_rows(_: &FnCtx) -> Vec<Vec<Value>> {
    AMPROCS
        .iter()
        .map(|&(oid, family, left, right, num, proc_)| {
            vec![
                Value::Oid(oid),
                Value::Oid(family),
                Value::Oid(left),
                Value::Oid(right),
                Value::Int2(num),
                Value::Oid(proc_),
            ]
        })
        .collect()
}

/// pg_description: schema public's comment (as initdb writes it), then
/// the comments COMMENT ON stored.
pub fn description_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let public = (PG_NAMESPACE_CLASS, PUBLIC_NAMESPACE, 0);
    std::iter::once((&public, &PUBLIC_SCHEMA_COMMENT.to_owned()))
        .chain(ctx.catalog.comments.iter())
        .map(|(&(class, obj, sub), text)| {
            vec![
                Value::Oid(obj),
                Value::Oid(class),
                Value::Int4(sub),
                Value::Text(text.clone()),
            ]
        })
        .collect()
}
