//! The rows of the catalogs `catalog::dump_views` describes that are not
//! empty: pg_cast, pg_operator, pg_opfamily, pg_amop and pg_amproc from
//! the generated tables of `catalog::builtin_ops`, pg_description from
//! the comments stored in the catalog (`COMMENT ON`), pg_rewrite (views'
//! rules) and pg_depend.

use crate::catalog::builtin::{PG_CATALOG_NAMESPACE, SUPERUSER_OID};
use crate::catalog::builtin_ops::{AMOPS, AMPROCS, CASTS, OPERATORS, OPFAMILIES};
use crate::catalog::constraint::ConstraintKind;
use crate::fmgr::FnCtx;
use crate::types::{Oid, Value};

/// The classoids pg_description and pg_depend rows name.
const PG_NAMESPACE_CLASS: u32 = 2615;
const PG_CLASS: u32 = 1259;
const PG_ATTRDEF: u32 = 2604;
const PG_CONSTRAINT: u32 = 2606;
const PG_REWRITE: u32 = 2618;

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

/// pg_description: initdb's descriptions (schema public, plpgsql's
/// extension and language), then the comments COMMENT ON stored.
pub fn description_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .descriptions()
        .into_iter()
        .map(|((class, obj, sub), text)| {
            vec![
                Value::Oid(obj),
                Value::Oid(class),
                Value::Int4(sub),
                Value::Text(text),
            ]
        })
        .collect()
}

/// pg_shdescription: the comments on databases and roles.
pub fn shdescription_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .shared_descriptions()
        .into_iter()
        .map(|((class, obj), text)| vec![Value::Oid(obj), Value::Oid(class), Value::Text(text)])
        .collect()
}

/// pg_shdepend: the dependencies on roles of the objects of every
/// database and of the shared ones (`catalog/shdepend.rs`).
pub fn shdepend_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let cat = ctx.catalog;
    let env = &ctx.session.env;
    let me = cat.database_oid(&ctx.session.database).unwrap_or(0);
    let (local, others) = cat.cluster_shared_dependencies(me, &env.segment);
    local
        .into_iter()
        .chain(others.into_iter().flat_map(|(_, _, deps)| deps))
        .map(|d| {
            vec![
                Value::Oid(d.dbid),
                Value::Oid(d.classid),
                Value::Oid(d.objid),
                Value::Int4(d.objsubid),
                Value::Oid(crate::catalog::shdepend::PG_AUTHID),
                Value::Oid(d.refobjid),
                Value::Text(d.deptype.to_string()),
            ]
        })
        .collect()
}

/// pg_db_role_setting: the settings ALTER ROLE/DATABASE ... SET stored.
pub fn db_role_setting_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .db_role_settings
        .iter()
        .map(|(&(db, role), items)| {
            vec![
                Value::Oid(db),
                Value::Oid(role),
                Value::Array(
                    crate::types::oid::TEXT,
                    items.iter().cloned().map(Value::Text).collect(),
                ),
            ]
        })
        .collect()
}

/// pg_depend: what pgfork tracks, in PostgreSQL's shape. A serial
/// column's sequence is owned by the column ('a', `catalog_rows`); a
/// column default depends on its column ('a') and on each sequence its
/// nextval() names ('n'); an index on its table's columns ('a'), or, for
/// a primary key or unique constraint, on the constraint ('i'), which
/// depends on the columns ('a'); a CHECK constraint on the columns it
/// reads ('a'), a foreign key on its columns ('a'), the referenced
/// columns and their unique index ('n'); a view's `_RETURN` rule on its
/// view ('i') and on every relation the view reads ('n').
pub fn depend_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    let cat = &ctx.catalog;
    let mut rows = super::catalog_rows::depend_rows(ctx);
    let mut dep = |class: u32, obj: Oid, refclass: u32, refobj: Oid, refsub: i32, t: u8| {
        rows.push(vec![
            Value::Oid(class),
            Value::Oid(obj),
            Value::Int4(0),
            Value::Oid(refclass),
            Value::Oid(refobj),
            Value::Int4(refsub),
            ch(t),
        ])
    };
    for t in &cat.tables {
        for (i, c) in t.columns.iter().enumerate() {
            let Some(d) = &c.default else { continue };
            let ad = cat.attrdef_oid(t.oid, i as i16 + 1);
            dep(PG_ATTRDEF, ad, PG_CLASS, t.oid, i as i32 + 1, b'a');
            for name in nextval_targets(d) {
                if let Some(s) = crate::fmgr::catalog::stored_regclass(cat, &name) {
                    dep(PG_ATTRDEF, ad, PG_CLASS, s, 0, b'n');
                }
            }
        }
    }
    for i in &cat.indexes {
        if i.constraint {
            dep(PG_CLASS, i.oid, PG_CONSTRAINT, i.oid, 0, b'i');
            for &c in &i.columns {
                dep(PG_CONSTRAINT, i.oid, PG_CLASS, i.table, c as i32 + 1, b'a');
            }
        } else {
            for &c in &i.columns {
                dep(PG_CLASS, i.oid, PG_CLASS, i.table, c as i32 + 1, b'a');
            }
        }
    }
    for k in &cat.constraints {
        match &k.kind {
            ConstraintKind::Check { src, .. } => {
                let cols: Vec<usize> = cat.table_by_oid(k.table).map_or(vec![], |t| {
                    (0..t.columns.len())
                        .filter(|&i| super::catalog_rows::mentions(src, &t.columns[i].name))
                        .collect()
                });
                if cols.is_empty() {
                    dep(PG_CONSTRAINT, k.oid, PG_CLASS, k.table, 0, b'a');
                }
                for c in cols {
                    dep(PG_CONSTRAINT, k.oid, PG_CLASS, k.table, c as i32 + 1, b'a');
                }
            }
            ConstraintKind::ForeignKey(f) => {
                for &c in &f.columns {
                    dep(PG_CONSTRAINT, k.oid, PG_CLASS, k.table, c as i32 + 1, b'a');
                }
                dep(PG_CONSTRAINT, k.oid, PG_CLASS, f.index, 0, b'n');
                for &c in &f.ref_columns {
                    dep(
                        PG_CONSTRAINT,
                        k.oid,
                        PG_CLASS,
                        f.ref_table,
                        c as i32 + 1,
                        b'n',
                    );
                }
            }
        }
    }
    let views = cat.views.iter().map(|v| (v.oid, &v.deps));
    for (v, deps) in views.chain(cat.matviews.iter().map(|m| (m.oid, &m.deps))) {
        let rule = cat.rule_oid(v);
        dep(PG_REWRITE, rule, PG_CLASS, v, 0, b'i');
        for &d in deps {
            dep(PG_REWRITE, rule, PG_CLASS, d, 0, b'n');
        }
    }
    rows
}

/// The sequence names a default's `nextval('name'::regclass)` calls name.
fn nextval_targets(default: &str) -> Vec<String> {
    default
        .split("nextval('")
        .skip(1)
        .filter_map(|rest| rest.split_once('\'').map(|(n, _)| n))
        .map(|n| n.replace("''", "'"))
        .collect()
}

/// pg_rewrite: each view's `_RETURN` rule (an INSTEAD rule ON SELECT,
/// enabled at origin). pgfork keeps a view's query as its SQL text, not
/// as a rule's parse tree, so ev_qual and ev_action are NULL.
pub fn rewrite_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    ctx.catalog
        .views
        .iter()
        .map(|v| v.oid)
        .chain(ctx.catalog.matviews.iter().map(|m| m.oid))
        .map(|v| {
            vec![
                Value::Oid(ctx.catalog.rule_oid(v)),
                Value::Text("_RETURN".into()),
                Value::Oid(v),
                ch(b'1'),
                ch(b'O'),
                Value::Bool(true),
                Value::Null,
                Value::Null,
            ]
        })
        .collect()
}

/// pg_init_privs: the built-in schemas' initial privileges (initdb's), so
/// that pg_dump finds their ACLs unchanged.
pub fn init_privs_rows(ctx: &FnCtx) -> Vec<Vec<Value>> {
    crate::catalog::builtin::NAMESPACES
        .iter()
        .map(|&(o, _, owner)| {
            vec![
                Value::Oid(o),
                Value::Oid(PG_NAMESPACE_CLASS),
                Value::Int4(0),
                ch(b'i'),
                crate::fmgr::acl::schema_acl(ctx, owner),
            ]
        })
        .collect()
}
