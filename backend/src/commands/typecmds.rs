//! CREATE TYPE ... AS ENUM, CREATE TYPE ... AS (attributes), ALTER TYPE
//! (ADD VALUE, RENAME VALUE; RENAME TO of enum and composite types) (a
//! DROP TYPE statement is `ddl::drop_type`'s), as PostgreSQL's typecmds.c
//! and pg_enum.c: changes
//! to a copy of the catalog, installed by `ddl::execute` with the rest of
//! the transaction's catalog changes.

use std::sync::Arc;

use sqlparser::ast;

use crate::catalog::{Catalog, RelKind};
use crate::commands::ddl::notice;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::{ident, object_name};
use crate::types::enums::{EnumLabel, EnumType};
use crate::types::Oid;

/// NAMEDATALEN - 1: the longest label.
const MAX_LABEL: usize = 63;

/// A type name: its schema when qualified (3F000 when that does not
/// exist) and the name.
fn type_name(cat: &Catalog, name: &ast::ObjectName) -> PgResult<(Option<Oid>, String)> {
    let parts = object_name(name);
    let (schema, n) = crate::analyze::from::split_name(&parts)?;
    let nsp = match schema {
        Some(s) => Some(cat.explicit_namespace(s)?),
        None => None,
    };
    Ok((nsp, n.to_owned()))
}

fn no_type(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    )
}

fn type_exists(name: &str) -> PgError {
    PgError::new(
        sqlstate::DUPLICATE_OBJECT,
        format!("type \"{name}\" already exists"),
    )
}

fn label_exists(label: &str) -> PgError {
    PgError::new(
        sqlstate::DUPLICATE_OBJECT,
        format!("enum label \"{label}\" already exists"),
    )
}

fn not_a_label(label: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("\"{label}\" is not an existing enum label"),
    )
}

fn check_label(label: &str) -> PgResult<()> {
    if label.len() > MAX_LABEL {
        return Err(
            PgError::new("42602", format!("invalid enum label \"{label}\""))
                .with_detail(format!("Labels must be {MAX_LABEL} bytes or less.")),
        );
    }
    Ok(())
}

/// Whether `name` is taken as a type name: an enum type, its array type,
/// a domain, a composite type, or the row type of a table, view or
/// sequence.
fn name_taken(cat: &Catalog, nsp: Oid, name: &str) -> bool {
    cat.enum_type_in(nsp, name).is_some()
        || cat.domain_in(nsp, name).is_some()
        || cat.composite_in(nsp, name).is_some()
        || cat
            .relation_in(nsp, name)
            .is_some_and(|(k, _)| k != RelKind::Index)
        || (nsp == crate::catalog::PG_CATALOG_NAMESPACE
            && crate::analyze::names::type_by_name(name).is_some_and(|t| t < 16384))
}

/// 42710 if a new relation's row type would take an enum type's name;
/// 42P07 if a composite type's relation has it.
pub fn check_rowtype_name(cat: &Catalog, nsp: Oid, name: &str) -> PgResult<()> {
    if cat.composite_in(nsp, name).is_some() {
        return Err(PgError::new(
            sqlstate::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        ));
    }
    if cat.enum_type_in(nsp, name).is_some_and(|e| e.name == name) {
        return Err(type_exists(name).with_hint(
            "A relation has an associated type of the same name, so you must use a name that doesn't conflict with any existing type.",
        ));
    }
    Ok(())
}

/// The array type's name: `_name`, cut to NAMEDATALEN - 1 bytes
/// (PostgreSQL's makeArrayTypeName).
fn array_name(name: &str) -> String {
    let mut s = format!("_{name}");
    let mut n = s.len().min(MAX_LABEL);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s.truncate(n);
    s
}

/// The schema and name of a type CREATE TYPE makes: 42710 if a type of
/// that name exists there.
fn new_type_name(cat: &Catalog, name: &ast::ObjectName) -> PgResult<(Oid, String)> {
    let parts = object_name(name);
    let (schema, n) = crate::analyze::from::split_name(&parts)?;
    let nsp = cat.creation_namespace(schema)?;
    if name_taken(cat, nsp, n) {
        return Err(type_exists(n));
    }
    Ok((nsp, n.to_owned()))
}

/// CREATE TYPE name AS ENUM (labels).
pub fn create_enum(
    cat: &mut Catalog,
    name: &ast::ObjectName,
    labels: &[ast::Ident],
) -> PgResult<()> {
    let (nsp, name) = new_type_name(cat, name)?;
    let oid = cat.alloc_oid();
    let array = cat.alloc_oid();
    let mut out: Vec<EnumLabel> = Vec::with_capacity(labels.len());
    for (i, l) in labels.iter().enumerate() {
        check_label(&l.value)?;
        if out.iter().any(|o| o.label == l.value) {
            // PostgreSQL finds the duplicate through pg_enum's unique index.
            return Err(PgError::new(
                sqlstate::UNIQUE_VIOLATION,
                "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"",
            )
            .with_detail(format!(
                "Key (enumtypid, enumlabel)=({oid}, {}) already exists.",
                l.value
            )));
        }
        out.push(EnumLabel {
            oid: cat.alloc_oid(),
            sort: (i + 1) as f64,
            label: l.value.clone(),
        });
    }
    cat.enums.push(Arc::new(EnumType {
        namespace: nsp,
        oid,
        array,
        array_name: array_name(&name),
        name,
        labels: out,
    }));
    Ok(())
}

/// CREATE TYPE name AS (attribute type [COLLATE collation], ...), as
/// DefineCompositeType: a relation of kind 'c' (OID first), its array
/// type and its row type (`catalog::composite`).
pub fn create_composite(
    cat: &mut Catalog,
    name: &ast::ObjectName,
    attributes: &[ast::UserDefinedTypeCompositeAttributeDef],
) -> PgResult<()> {
    use crate::catalog::composite::{collation_oid, CompositeAttr, CompositeTypeDesc};
    let (nsp, name) = new_type_name(cat, name)?;
    cat.check_free_name(nsp, &name)?;
    let mut attrs: Vec<CompositeAttr> = Vec::with_capacity(attributes.len());
    for a in attributes {
        let an = ident(&a.name);
        crate::catalog::system_columns::check_column_name(&an)?;
        if attrs.iter().any(|x| x.name == an) {
            return Err(PgError::new(
                "42701",
                format!("column \"{an}\" specified more than once"),
            ));
        }
        let (ty, typmod) = crate::analyze::names::resolve_type(&a.data_type)?;
        let collation = match &a.collation {
            None => None,
            Some(c) => {
                let cn = object_name(c).pop().unwrap_or_default();
                if collation_oid(&cn).is_none() {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("collation \"{cn}\" for encoding \"UTF8\" does not exist"),
                    ));
                }
                if !crate::types::is_text_type(ty) {
                    return Err(PgError::new(
                        sqlstate::DATATYPE_MISMATCH,
                        format!(
                            "collations are not supported by type {}",
                            crate::types::type_name(ty)
                        ),
                    ));
                }
                Some(cn)
            }
        };
        attrs.push(CompositeAttr {
            name: an,
            ty,
            typmod,
            collation,
        });
    }
    let relid = cat.alloc_oid();
    let array = cat.alloc_oid();
    let oid = cat.alloc_oid();
    cat.composites.push(Arc::new(CompositeTypeDesc {
        relid,
        oid,
        array,
        namespace: nsp,
        name,
        attrs,
    }));
    Ok(())
}

/// The composite type (of CREATE TYPE ... AS) `name` finds, unless an
/// enum type of that name comes first.
fn composite_named(
    cat: &Catalog,
    name: &ast::ObjectName,
) -> PgResult<Option<Arc<crate::catalog::composite::CompositeTypeDesc>>> {
    let (nsp, name) = type_name(cat, name)?;
    let is_enum = match nsp {
        Some(s) => cat.enum_type_in(s, &name),
        None => cat.enum_type(&name),
    }
    .is_some_and(|e| e.name == name);
    if is_enum {
        return Ok(None);
    }
    Ok(cat.resolve_composite(nsp, &name).cloned())
}

fn enum_mut<'c>(cat: &'c mut Catalog, name: &ast::ObjectName) -> PgResult<&'c mut EnumType> {
    let (nsp, name) = type_name(cat, name)?;
    let found = match nsp {
        Some(s) => cat.enum_type_in(s, &name),
        None => cat.enum_type(&name),
    }
    .filter(|e| e.name == name)
    .map(|e| e.oid);
    let rowtype = match nsp {
        Some(s) => cat.relation_in(s, &name),
        None => cat.relkind(&name),
    }
    .is_some_and(|(k, _)| k != RelKind::Index)
        || cat.resolve_composite(nsp, &name).is_some();
    match cat.enums.iter_mut().find(|e| Some(e.oid) == found) {
        Some(e) => Ok(Arc::make_mut(e)),
        None if rowtype => Err(PgError::new("42809", format!("{name} is not an enum"))),
        None => Err(no_type(&name)),
    }
}

/// ALTER TYPE name ADD VALUE / RENAME VALUE / RENAME TO. Returns whether
/// the catalog changed (ADD VALUE IF NOT EXISTS of an existing label does
/// not change it).
pub fn alter(cat: &mut Catalog, at: &ast::AlterType, notices: &mut Vec<PgError>) -> PgResult<bool> {
    use ast::AlterTypeOperation as Op;
    match &at.operation {
        Op::AddValue(add) => {
            let label = add.value.value.clone();
            let e = enum_mut(cat, &at.name)?;
            if e.label(&label).is_some() {
                if add.if_not_exists {
                    notices.push(PgError {
                        code: sqlstate::DUPLICATE_OBJECT,
                        ..notice(format!("enum label \"{label}\" already exists, skipping"))
                    });
                    return Ok(false);
                }
                return Err(label_exists(&label));
            }
            check_label(&label)?;
            let n = e.labels.len();
            let (pos, sort) = match &add.position {
                None => (n, e.labels.last().map_or(1.0, |l| l.sort + 1.0)),
                Some(ast::AlterTypeAddValuePosition::Before(nb)) => {
                    let i = e
                        .labels
                        .iter()
                        .position(|l| l.label == nb.value)
                        .ok_or_else(|| not_a_label(&nb.value))?;
                    let s = e.labels[i].sort;
                    (
                        i,
                        if i == 0 {
                            s - 1.0
                        } else {
                            (e.labels[i - 1].sort + s) / 2.0
                        },
                    )
                }
                Some(ast::AlterTypeAddValuePosition::After(nb)) => {
                    let i = e
                        .labels
                        .iter()
                        .position(|l| l.label == nb.value)
                        .ok_or_else(|| not_a_label(&nb.value))?;
                    let s = e.labels[i].sort;
                    (
                        i + 1,
                        if i + 1 == n {
                            s + 1.0
                        } else {
                            (e.labels[i + 1].sort + s) / 2.0
                        },
                    )
                }
            };
            // Index keys hold the sort orders, so existing labels are never
            // renumbered: a label squeezed between two whose orders no
            // longer differ is refused.
            let clash = |j: usize| e.labels.get(j).is_some_and(|l| l.sort == sort);
            if clash(pos) || (pos > 0 && clash(pos - 1)) {
                return Err(PgError::new(
                    sqlstate::PROGRAM_LIMIT_EXCEEDED,
                    format!("no room left between the neighbours of enum label \"{label}\""),
                ));
            }
            let oid = cat.alloc_oid();
            let e = enum_mut(cat, &at.name)?;
            e.labels.insert(pos, EnumLabel { oid, sort, label });
            Ok(true)
        }
        Op::RenameValue(r) => {
            let e = enum_mut(cat, &at.name)?;
            let i = e
                .labels
                .iter()
                .position(|l| l.label == r.from.value)
                .ok_or_else(|| not_a_label(&r.from.value))?;
            if e.label(&r.to.value).is_some() {
                return Err(label_exists(&r.to.value));
            }
            check_label(&r.to.value)?;
            e.labels[i].label = r.to.value.clone();
            Ok(true)
        }
        Op::Rename(r) if composite_named(cat, &at.name)?.is_some() => {
            // A composite type: its type, array type and relation.
            let new = ident(&r.new_name);
            let Some(c) = composite_named(cat, &at.name)? else {
                return Ok(false);
            };
            // The relation is renamed first, as RenameRelationInternal.
            cat.check_free_name(c.namespace, &new)?;
            if cat.composite_in(c.namespace, &new).is_some() {
                return Err(PgError::new(
                    sqlstate::DUPLICATE_TABLE,
                    format!("relation \"{new}\" already exists"),
                ));
            }
            if name_taken(cat, c.namespace, &new) {
                return Err(type_exists(&new));
            }
            for slot in cat.composites.iter_mut().filter(|x| x.oid == c.oid) {
                Arc::make_mut(slot).name = new.clone();
            }
            Ok(true)
        }
        Op::Rename(r) => {
            let new = ident(&r.new_name);
            let nsp = enum_mut(cat, &at.name)?.namespace;
            if name_taken(cat, nsp, &new) {
                return Err(type_exists(&new));
            }
            let e = enum_mut(cat, &at.name)?;
            e.array_name = array_name(&new);
            e.name = new;
            Ok(true)
        }
    }
}
