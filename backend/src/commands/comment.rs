//! COMMENT ON {TABLE | VIEW | INDEX | SEQUENCE | COLUMN} name IS 'text' |
//! NULL: stores (or with NULL or '' removes) the object's description in
//! the catalog, so it commits and rolls back with the transaction, as
//! PostgreSQL's pg_description rows do. pg_description shows them;
//! obj_description and col_description read them. A dropped object's
//! comments go with it ([`prune`]).

use sqlparser::ast::{self, CommentObject};

use crate::analyze::from::no_relation;
use crate::catalog::builtin::system_relation;
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::object_name;
use crate::types::Oid;

/// pg_class's OID, the classoid of a relation's or column's comment.
fn pg_class() -> Oid {
    system_relation("pg_class").map_or(1259, |r| r.oid)
}

fn wrong_kind(name: &str, what: &str) -> PgError {
    PgError::new("42809", format!("\"{name}\" is not {what}"))
}

/// The relation a (possibly schema-qualified) name denotes.
fn relation(cat: &Catalog, parts: &[String]) -> PgResult<(RelKind, Oid, String)> {
    let (schema, rel) = match parts {
        [r] => (None, r.as_str()),
        [s, r] => (Some(s.as_str()), r.as_str()),
        _ => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!(
                    "cross-database references are not implemented: \"{}\"",
                    parts.join(".")
                ),
            ))
        }
    };
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    let found = cat.resolve_relation(schema, rel);
    let (kind, oid) = found.ok_or_else(|| no_relation(&parts.join(".")))?;
    Ok((kind, oid, rel.to_owned()))
}

/// The columns' names of a table or view.
fn column_number(cat: &Catalog, kind: RelKind, oid: Oid, column: &str) -> Option<i32> {
    let pos = match kind {
        RelKind::Table => cat
            .table_by_oid(oid)?
            .columns
            .iter()
            .position(|c| c.name == column),
        RelKind::View => cat
            .views
            .iter()
            .find(|v| v.oid == oid)?
            .columns
            .iter()
            .position(|(n, _, _)| n == column),
        _ => None,
    }?;
    Some(pos as i32 + 1)
}

/// Runs COMMENT ON; returns the command tag.
pub fn comment(
    cat: &mut Catalog,
    object_type: &CommentObject,
    name: &ast::ObjectName,
    text: Option<&str>,
) -> PgResult<String> {
    let parts = object_name(name);
    let key = match object_type {
        CommentObject::Column => {
            let Some((column, rel)) = parts.split_last().filter(|(_, r)| !r.is_empty()) else {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "column name must be qualified",
                ));
            };
            let (kind, oid, rel_name) = relation(cat, rel)?;
            if !matches!(kind, RelKind::Table | RelKind::View) {
                let what = if kind == RelKind::Index {
                    "indexes"
                } else {
                    "sequences"
                };
                return Err(PgError::new(
                    "42809",
                    format!("cannot set comment on relation \"{rel_name}\""),
                )
                .with_detail(format!("This operation is not supported for {what}.")));
            }
            let n = column_number(cat, kind, oid, column).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{column}\" of relation \"{rel_name}\" does not exist"),
                )
            })?;
            (pg_class(), oid, n)
        }
        CommentObject::Table
        | CommentObject::View
        | CommentObject::Index
        | CommentObject::Sequence => {
            let (kind, oid, rel_name) = relation(cat, &parts)?;
            let (want, what) = match object_type {
                CommentObject::Table => (RelKind::Table, "a table"),
                CommentObject::View => (RelKind::View, "a view"),
                CommentObject::Index => (RelKind::Index, "an index"),
                _ => (RelKind::Sequence, "a sequence"),
            };
            if kind != want {
                return Err(wrong_kind(&rel_name, what));
            }
            (pg_class(), oid, 0)
        }
        CommentObject::Schema => {
            let [n] = parts.as_slice() else {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "schema name cannot be qualified",
                ));
            };
            (PG_NAMESPACE_CLASS, cat.explicit_namespace(n)?, 0)
        }
        other => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("COMMENT ON {other} is not supported yet"),
            ))
        }
    };
    match text {
        Some(t) if !t.is_empty() => {
            cat.comments.insert(key, t.to_owned());
        }
        _ => {
            cat.comments.remove(&key);
        }
    }
    Ok("COMMENT".into())
}

/// pg_namespace's OID (pg_description.classoid of a schema's comment).
pub const PG_NAMESPACE_CLASS: Oid = 2615;

/// Removes the comments of objects that no longer exist (after a DROP),
/// as PostgreSQL deletes an object's pg_description rows with it.
pub fn prune(cat: &mut Catalog) {
    if cat.comments.is_empty() {
        return;
    }
    let class = pg_class();
    let keep: Vec<(Oid, Oid, i32)> = cat
        .comments
        .keys()
        .copied()
        .filter(|&(c, o, sub)| {
            if c == PG_NAMESPACE_CLASS {
                return cat.namespace_name(o).is_some();
            }
            c == class
                && match sub {
                    0 => cat.relation_name(o).is_some(),
                    n => {
                        let cols = cat.table_by_oid(o).map(|t| t.columns.len()).or_else(|| {
                            cat.views
                                .iter()
                                .find(|v| v.oid == o)
                                .map(|v| v.columns.len())
                        });
                        cols.is_some_and(|k| n as usize <= k)
                    }
                }
        })
        .collect();
    cat.comments.retain(|k, _| keep.contains(k));
}
