//! COMMENT ON {TABLE | VIEW | INDEX | SEQUENCE | COLUMN | SCHEMA | TYPE |
//! DOMAIN | EXTENSION | DATABASE | ROLE | USER} name, CONSTRAINT c ON
//! [DOMAIN] t, TRIGGER tr ON t and FUNCTION | PROCEDURE name[(types)]
//! IS 'text' | NULL: stores (or with NULL or '' removes) the object's
//! description in the catalog (`catalog::comments`), so it commits and
//! rolls back with the transaction, as PostgreSQL's pg_description and
//! pg_shdescription rows do. pg_description and pg_shdescription show
//! them; obj_description, col_description and shobj_description read
//! them. A dropped object's comments go with it ([`prune`]).

use sqlparser::ast::{self, CommentObject};

use crate::analyze::from::no_relation;
use crate::analyze::names::resolve_type;
use crate::catalog::builtin::system_relation;
use crate::catalog::comments::{PG_AUTHID_CLASS, PG_DATABASE_CLASS, PG_EXTENSION_CLASS};
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::comment::{CommentStmt, CommentTarget};
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
    role: Oid,
    notices: &mut Vec<PgError>,
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
        CommentObject::Type | CommentObject::Domain => {
            let domain = *object_type == CommentObject::Domain;
            (PG_TYPE_CLASS, type_oid(cat, &parts, domain)?, 0)
        }
        CommentObject::Extension => {
            let [n] = parts.as_slice() else {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "extension name cannot be qualified",
                ));
            };
            if n != "plpgsql" {
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("extension \"{n}\" does not exist"),
                ));
            }
            (
                PG_EXTENSION_CLASS,
                crate::catalog::comments::PLPGSQL_EXTENSION,
                0,
            )
        }
        CommentObject::Database | CommentObject::Role | CommentObject::User => {
            return shared(cat, object_type, &parts, text, role, notices);
        }
        other => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("COMMENT ON {other} is not supported yet"),
            ))
        }
    };
    cat.set_description(key, text);
    Ok("COMMENT".into())
}

/// COMMENT ON DATABASE | ROLE: pg_shdescription. A missing database is
/// a WARNING (PostgreSQL lets a dump's comment on its database pass).
fn shared(
    cat: &mut Catalog,
    object_type: &CommentObject,
    parts: &[String],
    text: Option<&str>,
    role: Oid,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    let [n] = parts else {
        let what = if *object_type == CommentObject::Database {
            "database"
        } else {
            "role"
        };
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("{what} name cannot be qualified"),
        ));
    };
    let key = if *object_type == CommentObject::Database {
        let Some(d) = cat.database(n).cloned() else {
            notices.push(PgError {
                severity: crate::error::Severity::Warning,
                ..crate::catalog::database::undefined(n)
            });
            return Ok("COMMENT".into());
        };
        if !cat.has_privs_of_role(role, d.owner) {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of database {n}"),
            ));
        }
        (PG_DATABASE_CLASS, d.oid)
    } else {
        let r = cat.role_by_name(n).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("role \"{n}\" does not exist"),
            )
        })?;
        let me = cat.role(role);
        if !me.is_some_and(|m| m.superuser || m.createrole) {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                "must have CREATEROLE privilege",
            ));
        }
        (PG_AUTHID_CLASS, r.oid)
    };
    cat.set_shared_description(key.0, key.1, text);
    Ok("COMMENT".into())
}

/// pg_type's OID (the classoid of a type's comment).
pub const PG_TYPE_CLASS: Oid = 1247;
/// pg_proc's, pg_constraint's and pg_trigger's OIDs.
pub const PG_PROC_CLASS: Oid = 1255;
pub const PG_CONSTRAINT_CLASS: Oid = 2606;
pub const PG_TRIGGER_CLASS: Oid = 2620;

fn split_schema(parts: &[String]) -> PgResult<(Option<&str>, &str)> {
    match parts {
        [n] => Ok((None, n.as_str())),
        [s, n] => Ok((Some(s.as_str()), n.as_str())),
        _ => Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!(
                "improper qualified name (too many dotted names): {}",
                parts.join(".")
            ),
        )),
    }
}

/// The OID of a user type (an enum or a domain) by name; `domain`: it
/// must be a domain.
fn type_oid(cat: &Catalog, parts: &[String], domain: bool) -> PgResult<Oid> {
    let (schema, name) = split_schema(parts)?;
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    if let Some(d) = cat.resolve_domain(schema, name) {
        return Ok(d.oid);
    }
    let e = cat.resolve_enum(schema, name).map(|e| e.oid);
    let e = e.or_else(|| {
        // A built-in type, named as SQL names it (COMMENT ON TYPE int4).
        if schema.is_some_and(|s| s != "pg_catalog") {
            return None;
        }
        crate::catalog::builtin::type_by_name(name)
    });
    match e {
        Some(_) if domain => Err(PgError::new(
            "42809",
            format!("\"{}\" is not a domain", parts.join(".")),
        )),
        Some(o) => Ok(o),
        None => Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("type \"{}\" does not exist", parts.join(".")),
        )),
    }
}

/// COMMENT ON CONSTRAINT, TRIGGER, FUNCTION and PROCEDURE (the forms
/// `parser::comment` reads).
pub fn comment_stmt(cat: &mut Catalog, stmt: &CommentStmt) -> PgResult<String> {
    let key = match &stmt.target {
        CommentTarget::Constraint { name, on, domain } => {
            let (owner, label) = if *domain {
                (type_oid(cat, on, true)?, "domain")
            } else {
                let (kind, oid, rel) = relation(cat, on)?;
                if !matches!(kind, RelKind::Table) {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" for table \"{rel}\" does not exist"),
                    ));
                }
                (oid, "table")
            };
            let found = cat
                .constraints
                .iter()
                .find(|c| c.table == owner && c.name == *name)
                .map(|c| c.oid)
                .or_else(|| {
                    cat.indexes
                        .iter()
                        .find(|i| i.constraint && i.table == owner && i.name == *name)
                        .map(|i| i.oid)
                });
            let Some(o) = found else {
                // PostgreSQL quotes the table's name, not the domain's.
                let on = on.last().cloned().unwrap_or_default();
                let on = if *domain { on } else { format!("\"{on}\"") };
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("constraint \"{name}\" for {label} {on} does not exist"),
                ));
            };
            (PG_CONSTRAINT_CLASS, o, 0)
        }
        CommentTarget::Trigger { name, on } => {
            let (_, oid, rel) = relation(cat, on)?;
            let t = cat
                .triggers
                .iter()
                .find(|t| t.table == oid && t.name == *name)
                .ok_or_else(|| {
                    PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("trigger \"{name}\" for table \"{rel}\" does not exist"),
                    )
                })?;
            (PG_TRIGGER_CLASS, t.oid, 0)
        }
        CommentTarget::Routine { procedure, desc } => {
            (PG_PROC_CLASS, routine_oid(cat, *procedure, desc)?, 0)
        }
    };
    cat.set_description(key, stmt.text.as_deref());
    Ok("COMMENT".into())
}

/// The user function or procedure a signature names, with PostgreSQL's
/// errors for a missing, ambiguous or wrong-kind routine.
pub(super) fn routine_oid(cat: &Catalog, procedure: bool, d: &ast::FunctionDesc) -> PgResult<Oid> {
    let what = if procedure { "procedure" } else { "function" };
    let parts = object_name(&d.name);
    let (schema, name) = split_schema(&parts)?;
    let types = match &d.args {
        Some(a) => Some(
            a.iter()
                .filter(|x| !matches!(x.mode, Some(ast::ArgMode::Out)))
                .map(|x| resolve_type(&x.data_type).map(|t| t.0))
                .collect::<PgResult<Vec<Oid>>>()?,
        ),
        None => None,
    };
    let found: Vec<_> = cat
        .routine_candidates(schema, name)?
        .into_iter()
        .filter(|f| types.as_ref().is_none_or(|t| f.input_types() == *t))
        .collect();
    let shown = match schema {
        Some(s) => format!("{s}.{name}"),
        None => name.to_owned(),
    };
    let sig = |t: &[Oid]| {
        let names: Vec<String> = t
            .iter()
            .map(|&o| crate::catalog::format_type(o, -1))
            .collect();
        format!("{shown}({})", names.join(", "))
    };
    let f = match found.as_slice() {
        [f] => f.clone(),
        [] => {
            return Err(match &types {
                Some(t) => PgError::new(
                    sqlstate::UNDEFINED_FUNCTION,
                    format!("{what} {} does not exist", sig(t)),
                ),
                None => PgError::new(
                    sqlstate::UNDEFINED_FUNCTION,
                    format!("could not find a {what} named \"{shown}\""),
                ),
            })
        }
        _ => {
            return Err(
                PgError::new("42725", format!("{what} name \"{shown}\" is not unique")).with_hint(
                    format!("Specify the argument list to select the {what} unambiguously."),
                ),
            )
        }
    };
    if (f.kind == 'p') != procedure {
        return Err(PgError::new(
            "42809",
            format!("{} is not a {what}", sig(&f.input_types())),
        ));
    }
    Ok(f.oid)
}

pub use crate::catalog::comments::PG_NAMESPACE_CLASS;

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
        .filter(|&(c, o, sub)| match c {
            PG_NAMESPACE_CLASS => cat.namespace_name(o).is_some(),
            PG_TYPE_CLASS => {
                o < crate::catalog::FIRST_USER_OID
                    || cat.domain_by_oid(o).is_some()
                    || cat.enums.iter().any(|e| e.oid == o)
            }
            PG_PROC_CLASS => cat.function_by_oid(o).is_some(),
            PG_CONSTRAINT_CLASS => {
                cat.constraints.iter().any(|k| k.oid == o)
                    || cat.indexes.iter().any(|i| i.constraint && i.oid == o)
            }
            PG_TRIGGER_CLASS => cat.triggers.iter().any(|t| t.oid == o),
            _ if c == class => match sub {
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
            },
            // initdb's objects (plpgsql's extension and language).
            _ => true,
        })
        .collect();
    cat.comments.retain(|k, _| keep.contains(k));
}
