//! DROP TYPE [IF EXISTS] name, ... [CASCADE | RESTRICT] of enum types,
//! composite types (CREATE TYPE ... AS) and domains, as PostgreSQL's
//! RemoveObjects and dependency.c: what uses the type or its array type
//! (table columns, attributes of other composite types, views,
//! functions) refuses the drop with 2BP01 and a DETAIL line each, or
//! with CASCADE goes too, reported in a NOTICE. A table's row type is
//! dropped with its table only.

use std::sync::Arc;

use sqlparser::ast;

use super::{notice, Ddl};
use crate::catalog::RelKind;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::object_name;
use crate::types::{type_name, Oid};

/// A type DROP TYPE found.
enum Target {
    Enum(Arc<crate::types::enums::EnumType>),
    Composite(Arc<crate::catalog::composite::CompositeTypeDesc>),
    Domain(Arc<crate::types::domains::DomainType>),
}

impl Target {
    fn oids(&self) -> (Oid, Oid) {
        match self {
            Target::Enum(e) => (e.oid, e.array),
            Target::Composite(c) => (c.oid, c.array),
            Target::Domain(d) => (d.oid, d.array),
        }
    }

    /// The name messages give the type (or its array type).
    fn shown(&self, ty: Oid) -> String {
        match self {
            Target::Domain(d) if ty == d.array => format!("{}[]", d.name),
            Target::Domain(d) => d.name.clone(),
            _ => type_name(ty).to_owned(),
        }
    }
}

/// An object that depends on a type.
enum Dependent {
    /// (table, column position).
    Column(Oid, usize),
    /// (composite type, attribute name).
    Attribute(Oid, String),
    View(Oid),
    Function(Oid),
}

impl Ddl<'_> {
    /// DROP TYPE names.
    pub(super) fn drop_type(
        &mut self,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
    ) -> PgResult<bool> {
        let mut found: Vec<Target> = Vec::new();
        for n in names {
            let parts = object_name(n);
            let (schema, name) = crate::analyze::from::split_name(&parts)?;
            let nsp = match schema {
                Some(s) => match self.cat.explicit_namespace(s) {
                    Ok(o) => Some(o),
                    Err(e) if if_exists && e.code == sqlstate::INVALID_SCHEMA_NAME => {
                        self.notices
                            .push(notice(format!("{}, skipping", e.message)));
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                None => None,
            };
            // The first schema of the path holding a type of that name
            // decides which.
            let first = match nsp {
                Some(s) => Some(s),
                None => self.cat.search_path().into_iter().find(|&s| {
                    self.cat
                        .enum_type_in(s, name)
                        .is_some_and(|e| e.name == name)
                        || self.cat.composite_in(s, name).is_some()
                        || self.cat.domain_in(s, name).is_some()
                        || self
                            .cat
                            .relation_in(s, name)
                            .is_some_and(|(k, _)| k != RelKind::Index)
                }),
            };
            let Some(s) = first else {
                if if_exists {
                    self.notices
                        .push(notice(format!("type \"{name}\" does not exist, skipping")));
                    continue;
                }
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("type \"{name}\" does not exist"),
                ));
            };
            if let Some(e) = self.cat.enum_type_in(s, name).filter(|e| e.name == name) {
                found.push(Target::Enum(e.clone()));
            } else if let Some(c) = self.cat.composite_in(s, name) {
                found.push(Target::Composite(c.clone()));
            } else if let Some(d) = self.cat.domain_in(s, name) {
                found.push(Target::Domain(d.clone()));
            } else if let Some((kind, _)) = self.cat.relation_in(s, name) {
                let what = match kind {
                    RelKind::View => "view",
                    RelKind::Sequence => "sequence",
                    _ if self
                        .cat
                        .relation_in(s, name)
                        .is_some_and(|(_, o)| self.cat.is_matview(o)) =>
                    {
                        "materialized view"
                    }
                    _ => "table",
                };
                return Err(PgError::new(
                    sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop type {name} because {what} {name} requires it"),
                )
                .with_hint(format!("You can drop {what} {name} instead.")));
            } else if if_exists {
                self.notices
                    .push(notice(format!("type \"{name}\" does not exist, skipping")));
            } else {
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("type \"{name}\" does not exist"),
                ));
            }
        }
        // Every dependency is checked before anything is dropped.
        let mut all: Vec<(usize, Vec<(Dependent, String)>)> = Vec::new();
        for (i, t) in found.iter().enumerate() {
            let deps = self.type_dependents(t, &found);
            if !deps.is_empty() && !cascade {
                let name = t.shown(t.oids().0);
                return Err(PgError::new(
                    sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop type {name} because other objects depend on it"),
                )
                .with_detail(
                    deps.iter()
                        .map(|(_, d)| d.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            all.push((i, deps));
        }
        let lines: Vec<String> = all
            .iter()
            .flat_map(|(_, d)| d.iter().map(|(_, l)| cascade_line(l)))
            .collect();
        match lines.len() {
            0 => {}
            1 => self.notices.push(notice(lines[0].clone())),
            n => self.notices.push(
                notice(format!("drop cascades to {n} other objects")).with_detail(lines.join("\n")),
            ),
        }
        for (_, deps) in all {
            for (d, _) in deps {
                self.drop_type_dependent(d)?;
            }
        }
        let changed = !found.is_empty();
        for t in &found {
            let (oid, array) = t.oids();
            match t {
                Target::Enum(_) => self.cat.enums.retain(|e| e.oid != oid),
                Target::Composite(_) => self.cat.composites.retain(|c| c.oid != oid),
                Target::Domain(_) => {
                    self.cat.domains.retain(|d| d.oid != oid);
                    self.cat.constraints.retain(|c| c.table != oid);
                }
            }
            self.cat.owners.remove(&oid);
            self.cat.owners.remove(&array);
        }
        self.changed |= changed;
        Ok(changed)
    }

    /// What uses type `t` or its array type (other types being dropped
    /// by the same statement left out), each with PostgreSQL's
    /// description "X depends on type T".
    fn type_dependents(&self, t: &Target, dropping: &[Target]) -> Vec<(Dependent, String)> {
        let (oid, array) = t.oids();
        let uses = |ty: Oid| ty == oid || ty == array;
        let shown = |ty: Oid| t.shown(ty);
        // Columns and attributes as PostgreSQL's pg_depend scan finds
        // them: those of the array type first (reached through it), then
        // in creation order.
        type Key = (bool, Oid, usize);
        let mut cols: Vec<(Key, Dependent, String)> = Vec::new();
        let cat = &*self.cat;
        for tb in &cat.tables {
            for (i, c) in tb.columns.iter().enumerate() {
                if c.dropped {
                    continue;
                }
                let domain = cat.column_domain(tb.oid, i + 1).map(|d| d.oid);
                let hit = match t {
                    Target::Domain(d) => domain == Some(d.oid),
                    _ => domain.is_none() && uses(c.ty),
                };
                if hit {
                    let ty = match t {
                        Target::Domain(d) => d.oid,
                        _ => c.ty,
                    };
                    cols.push((
                        (ty != array, tb.oid, i),
                        Dependent::Column(tb.oid, i),
                        format!(
                            "column {} of table {} depends on type {}",
                            c.name,
                            tb.name,
                            shown(ty)
                        ),
                    ));
                }
            }
        }
        let mut out: Vec<(Dependent, String)> = Vec::new();
        if !matches!(t, Target::Domain(_)) {
            for ct in &cat.composites {
                if dropping
                    .iter()
                    .any(|d| matches!(d, Target::Composite(x) if x.oid == ct.oid))
                {
                    continue;
                }
                for (i, a) in ct.attrs.iter().enumerate().filter(|(_, a)| uses(a.ty)) {
                    cols.push((
                        (a.ty != array, ct.relid, i),
                        Dependent::Attribute(ct.oid, a.name.clone()),
                        format!(
                            "column {} of composite type {} depends on type {}",
                            a.name,
                            ct.name,
                            shown(a.ty)
                        ),
                    ));
                }
            }
        }
        cols.sort_by_key(|c| c.0);
        out.extend(cols.into_iter().map(|(_, d, l)| (d, l)));
        if !matches!(t, Target::Domain(_)) {
            for v in &cat.views {
                if let Some((_, ty, _)) = v.columns.iter().find(|(_, ty, _)| uses(*ty)) {
                    out.push((
                        Dependent::View(v.oid),
                        format!("view {} depends on type {}", v.name, shown(*ty)),
                    ));
                }
            }
            for f in &cat.functions {
                let ty = f
                    .args
                    .iter()
                    .map(|a| a.ty)
                    .chain(std::iter::once(f.ret))
                    .find(|&ty| uses(ty));
                if let Some(ty) = ty {
                    let what = if f.kind == 'p' {
                        "procedure"
                    } else {
                        "function"
                    };
                    let args: Vec<&str> = f.input_types().into_iter().map(type_name).collect();
                    out.push((
                        Dependent::Function(f.oid),
                        format!(
                            "{what} {}({}) depends on type {}",
                            f.name,
                            args.join(","),
                            shown(ty)
                        ),
                    ));
                }
            }
        }
        out
    }

    /// Drops one dependent of a type being dropped with CASCADE.
    fn drop_type_dependent(&mut self, d: Dependent) -> PgResult<()> {
        match d {
            Dependent::Column(t, pos) => {
                let Some(table) = self.cat.table_by_oid(t).cloned() else {
                    return Ok(());
                };
                let Some(col) = table.columns.get(pos).filter(|c| !c.dropped) else {
                    return Ok(());
                };
                let name = ast::Ident::with_quote('"', col.name.clone());
                let dropped = self.drop_column(&table, &name, true, true)?;
                // The dropped column's rows stay as they are, to be skipped
                // by their stored form once the type is gone (PostgreSQL
                // keeps attlen and attalign for that): a varlena as bytea,
                // an enum's 4 bytes as an oid.
                let ty = dropped.columns[pos].ty;
                let keep = if crate::types::enums::is_enum(ty) {
                    crate::types::oid::OID
                } else if crate::types::composite::is_composite(ty)
                    || crate::types::array_element(ty) != 0
                {
                    crate::types::oid::BYTEA
                } else {
                    ty
                };
                if keep != ty {
                    let mut nt = (*dropped).clone();
                    nt.columns[pos].ty = keep;
                    self.replace_table(nt);
                }
            }
            Dependent::Attribute(ct, name) => {
                for slot in self.cat.composites.iter_mut().filter(|c| c.oid == ct) {
                    Arc::make_mut(slot).attrs.retain(|a| a.name != name);
                }
            }
            Dependent::View(v) => {
                if self.cat.views.iter().any(|x| x.oid == v) {
                    let name = self
                        .cat
                        .views
                        .iter()
                        .find(|x| x.oid == v)
                        .map(|x| x.name.clone())
                        .unwrap_or_default();
                    self.drop_dependent_views(v, "view", &name, true)?;
                    self.cat.views.retain(|x| x.oid != v);
                }
            }
            Dependent::Function(f) => self.cat.functions.retain(|g| g.oid != f),
        }
        Ok(())
    }
}

/// "X depends on type T" as the NOTICE of CASCADE says it: "drop
/// cascades to X".
fn cascade_line(detail: &str) -> String {
    let what = detail
        .rsplit_once(" depends on type ")
        .map_or(detail, |(w, _)| w);
    format!("drop cascades to {what}")
}
