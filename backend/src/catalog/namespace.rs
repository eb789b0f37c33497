//! Schemas (pg_namespace) and name resolution: the one place that turns
//! a relation or type name, qualified or not, into a catalog object, and
//! that says in which schema a new object goes (routine names: `function.rs`).
//!
//! The built-in schemas (pg_catalog, public, information_schema) are
//! `builtin::NAMESPACES`; CREATE SCHEMA adds [`NamespaceDesc`]s to the
//! [`Catalog`], so they commit and roll back with it as any DDL does.
//! Relations and enum types carry the OID of their schema; a relation's
//! name is unique within its schema (across tables, indexes, sequences
//! and views, as pg_class's unique index on (relname, relnamespace)).
//!
//! The session's `search_path` is published to the thread that runs the
//! session ([`set_search_path`], from the settings, as the time zone is)
//! and resolved against the catalog at each lookup, as PostgreSQL's
//! namespace.c does: `pg_catalog` first unless listed, then the listed
//! schemas that exist (`$user`: the schema named as the session user).
//! Unqualified names resolve to the first schema of that path holding
//! one; qualified names only in their schema. Other subsystems (user
//! functions) resolve through [`Catalog::search_path`] too.

use std::cell::RefCell;
use std::sync::Arc;

use super::builtin::{self, NAMESPACES};
use super::{Catalog, RelKind, PG_CATALOG_NAMESPACE};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::enums::EnumType;
use crate::types::Oid;

/// A schema created by CREATE SCHEMA (a pg_namespace row).
#[derive(Clone, Debug, PartialEq)]
pub struct NamespaceDesc {
    pub oid: Oid,
    pub name: String,
    /// nspowner: a role's OID.
    pub owner: Oid,
}

/// The session's search path as set (names, `$user` unresolved).
#[derive(Clone, Debug)]
struct SessionPath {
    entries: Vec<String>,
    user: String,
    /// Bumped at each change, so that plans made under another path are
    /// made again.
    generation: u64,
}

thread_local! {
    static PATH: RefCell<SessionPath> = RefCell::new(SessionPath {
        entries: vec!["$user".into(), "public".into()],
        user: String::new(),
        generation: 0,
    });
}

thread_local! {
    /// The session catalog's user schemas, for code that has a relation's
    /// descriptor but not the catalog (error fields).
    static NAMES: RefCell<Vec<Arc<NamespaceDesc>>> = const { RefCell::new(Vec::new()) };
}

/// Publishes the user schemas of the session's current catalog to this
/// thread (as `types::enums::set_session` does for enum types).
pub fn set_session(namespaces: &[Arc<NamespaceDesc>]) {
    NAMES.with(|s| {
        let mut s = s.borrow_mut();
        let same =
            s.len() == namespaces.len() && s.iter().zip(namespaces).all(|(a, b)| Arc::ptr_eq(a, b));
        if !same {
            *s = namespaces.to_vec();
        }
    });
}

/// The name of schema `oid` in the session's catalog ("public" when
/// unknown), for the schema field of an error.
pub fn schema_name(oid: Oid) -> String {
    if let Some(n) = builtin::namespace_name(oid) {
        return n.to_owned();
    }
    NAMES.with(|s| {
        s.borrow()
            .iter()
            .find(|n| n.oid == oid)
            .map_or_else(|| "public".to_owned(), |n| n.name.clone())
    })
}

/// A schema's OID by name in the session's catalog (published).
fn published_oid(name: &str) -> Option<Oid> {
    builtin::namespace_by_name(name)
        .or_else(|| NAMES.with(|s| s.borrow().iter().find(|n| n.name == name).map(|n| n.oid)))
}

/// The session's search path resolved against the published schemas
/// (for type names, which are resolved without the catalog at hand).
fn published_path() -> Vec<Oid> {
    PATH.with(|p| {
        let p = p.borrow();
        let mut v: Vec<Oid> = Vec::new();
        for e in &p.entries {
            let name = if e == "$user" { &p.user } else { e };
            if let Some(o) = published_oid(name) {
                if !v.contains(&o) {
                    v.push(o);
                }
            }
        }
        if !v.contains(&PG_CATALOG_NAMESPACE) {
            v.insert(0, PG_CATALOG_NAMESPACE);
        }
        v
    })
}

/// An enum type (or its array type) by pg_type name, `schema.name` or
/// `name` (the first schema of the search path holding one).
pub fn enum_by_type_name(name: &str) -> Option<Oid> {
    let (schema, bare) = match name.split_once('.') {
        Some((s, n)) => (Some(s), n),
        None => (None, name),
    };
    let mut found = crate::types::enums::types_named(bare);
    // Row types resolve by name as enum types do.
    for c in crate::types::composite::named(bare) {
        found.push((c.oid, c.namespace));
    }
    if found.is_empty() {
        return None;
    }
    match schema {
        Some(s) => {
            let nsp = published_oid(s)?;
            found.iter().find(|f| f.1 == nsp).map(|f| f.0)
        }
        None => published_path()
            .into_iter()
            .find_map(|n| found.iter().find(|f| f.1 == n).map(|f| f.0)),
    }
}

/// A domain by name, `schema.name` or `name` (the first schema of the
/// search path holding one), among the published ones.
pub fn domain_by_type_name(
    schema: Option<&str>,
    name: &str,
) -> Option<Arc<crate::types::domains::DomainType>> {
    let found = crate::types::domains::named(name);
    if found.is_empty() {
        return None;
    }
    match schema {
        Some(s) => {
            let nsp = published_oid(s)?;
            found.into_iter().find(|f| f.namespace == nsp)
        }
        None => published_path()
            .into_iter()
            .find_map(|n| found.iter().find(|f| f.namespace == n).cloned()),
    }
}

/// The name format_type prints for a domain: qualified when not visible.
pub fn domain_display_name(d: &crate::types::domains::DomainType) -> String {
    let visible = domain_by_type_name(None, &d.name).is_some_and(|f| f.oid == d.oid);
    if visible {
        crate::catalog::function::quote_ident(&d.name)
    } else {
        format!(
            "{}.{}",
            crate::catalog::function::quote_ident(&schema_name(d.namespace)),
            crate::catalog::function::quote_ident(&d.name)
        )
    }
}

/// The name format_type prints for an enum type (or its array, `name`
/// being `mood` or `mood[]`): qualified when not visible.
pub fn enum_display_name(t: Oid, name: &str) -> String {
    let Some(nsp) = crate::types::enums::namespace_of(t) else {
        return name.to_owned();
    };
    let bare = name.strip_suffix("[]").unwrap_or(name);
    let visible = enum_by_type_name(bare).and_then(crate::types::enums::namespace_of) == Some(nsp);
    if visible {
        name.to_owned()
    } else {
        format!("{}.{name}", schema_name(nsp))
    }
}

/// The name format_type prints for a row type (its array type when
/// `array`): qualified when the first schema of the search path holding
/// a row type of that name is not the type's.
pub fn composite_display_name(c: &crate::types::composite::CompositeType, array: bool) -> String {
    use crate::catalog::function::quote_ident;
    let first = published_path().into_iter().find(|n| {
        crate::types::composite::named(&c.name)
            .iter()
            .any(|f| f.namespace == *n)
    });
    let name = if first == Some(c.namespace) {
        quote_ident(&c.name)
    } else {
        format!(
            "{}.{}",
            quote_ident(&schema_name(c.namespace)),
            quote_ident(&c.name)
        )
    };
    if array {
        format!("{name}[]")
    } else {
        name
    }
}

/// Splits a search_path value as PostgreSQL's SplitIdentifierString:
/// comma-separated names, unquoted ones folded to lower case, `""`
/// inside quotes a quote. None when it is not such a list.
pub fn parse_search_path(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let skip_ws = |c: &mut std::iter::Peekable<std::str::Chars>| {
        while c.peek().is_some_and(|c| c.is_whitespace()) {
            c.next();
        }
    };
    skip_ws(&mut chars);
    if chars.peek().is_none() {
        return Some(out);
    }
    loop {
        skip_ws(&mut chars);
        let mut name = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        name.push('"');
                    }
                    '"' => break,
                    c => name.push(c),
                }
            }
            if name.is_empty() {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                name.extend(c.to_lowercase());
                chars.next();
            }
            if name.is_empty() {
                return None;
            }
        }
        out.push(name);
        skip_ws(&mut chars);
        match chars.next() {
            None => return Some(out),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Publishes the session's search_path setting (its text) and user.
pub fn set_search_path(setting: &str, user: &str) {
    let entries = parse_search_path(setting).unwrap_or_default();
    PATH.with(|p| {
        let mut p = p.borrow_mut();
        if p.entries != entries || p.user != user {
            p.entries = entries;
            p.user = user.to_owned();
            p.generation += 1;
        }
    });
}

/// Runs `f` with the search path set to `setting` (a view's query is
/// analyzed under the path it was created with, as PostgreSQL binds its
/// names at creation), then restores the session's.
pub fn with_search_path<R>(setting: &str, f: impl FnOnce() -> R) -> R {
    let entries = parse_search_path(setting).unwrap_or_default();
    let saved = PATH.with(|p| std::mem::replace(&mut p.borrow_mut().entries, entries));
    let r = f();
    PATH.with(|p| p.borrow_mut().entries = saved);
    r
}

/// Changes with each change of the session's search path.
pub fn path_generation() -> u64 {
    PATH.with(|p| p.borrow().generation)
}

/// 3F000 schema "x" does not exist.
pub fn undefined_schema(name: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_SCHEMA_NAME,
        format!("schema \"{name}\" does not exist"),
    )
}

impl Catalog {
    /// Every schema: (OID, name, owner), the built-in ones first.
    pub fn namespaces(&self) -> Vec<(Oid, &str, Oid)> {
        NAMESPACES
            .iter()
            .map(|&(o, n, r)| (o, n, r))
            .chain(
                self.namespaces
                    .iter()
                    .map(|n| (n.oid, n.name.as_str(), n.owner)),
            )
            .collect()
    }

    /// A schema's OID by name.
    pub fn namespace_oid(&self, name: &str) -> Option<Oid> {
        builtin::namespace_by_name(name).or_else(|| {
            self.namespaces
                .iter()
                .find(|n| n.name == name)
                .map(|n| n.oid)
        })
    }

    /// A schema's name by OID.
    pub fn namespace_name(&self, oid: Oid) -> Option<&str> {
        builtin::namespace_name(oid).or_else(|| {
            self.namespaces
                .iter()
                .find(|n| n.oid == oid)
                .map(|n| n.name.as_str())
        })
    }

    /// The owner of a schema (pg_namespace.nspowner); the bootstrap
    /// superuser for an unknown OID.
    pub fn schema_owner(&self, nsp: Oid) -> Oid {
        self.namespaces()
            .iter()
            .find(|n| n.0 == nsp)
            .map_or(crate::catalog::roles::BOOTSTRAP_SUPERUSER, |n| n.2)
    }

    /// A user schema by name.
    pub fn user_namespace(&self, name: &str) -> Option<&Arc<NamespaceDesc>> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// The schemas the session's search path lists that exist, in order,
    /// and whether pg_catalog was added in front (not listed).
    fn path(&self) -> (Vec<Oid>, bool) {
        PATH.with(|p| {
            let p = p.borrow();
            let mut v: Vec<Oid> = Vec::new();
            for e in &p.entries {
                let name = if e == "$user" { &p.user } else { e };
                if let Some(o) = self.namespace_oid(name) {
                    if !v.contains(&o) {
                        v.push(o);
                    }
                }
            }
            if v.contains(&PG_CATALOG_NAMESPACE) {
                (v, false)
            } else {
                v.insert(0, PG_CATALOG_NAMESPACE);
                (v, true)
            }
        })
    }

    /// The search path as the OIDs of its schemas ("11,16385,2200"), to
    /// keep with what binds names when made (a view's query), so that
    /// renaming a schema does not change what they find.
    pub fn search_path_oids_text(&self) -> String {
        self.search_path()
            .iter()
            .map(Oid::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A search_path setting naming the schemas of
    /// [`Catalog::search_path_oids_text`]'s text (those that still exist).
    pub fn search_path_setting(&self, oids: &str) -> String {
        oids.split(',')
            .filter_map(|o| o.parse::<Oid>().ok())
            .filter_map(|o| self.namespace_name(o))
            .map(|n| format!("\"{}\"", n.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The schemas searched for an unqualified name, in order
    /// (`current_schemas(true)`).
    pub fn search_path(&self) -> Vec<Oid> {
        self.path().0
    }

    /// `current_schemas(false)`: the search path without the implicit
    /// pg_catalog.
    pub fn explicit_search_path(&self) -> Vec<Oid> {
        let (mut v, implicit) = self.path();
        if implicit {
            v.remove(0);
        }
        v
    }

    /// The schema an unqualified new object goes in; 3F000 when the path
    /// names none that exists.
    pub fn creation_namespace(&self, schema: Option<&str>) -> PgResult<Oid> {
        let o = match schema {
            Some(s) => self.explicit_namespace(s)?,
            None => *self.explicit_search_path().first().ok_or_else(|| {
                PgError::new(
                    sqlstate::INVALID_SCHEMA_NAME,
                    "no schema has been selected to create in",
                )
            })?,
        };
        Ok(o)
    }

    /// The schema a new relation `name` goes in: as
    /// [`Catalog::creation_namespace`], refusing pg_catalog (42501).
    pub fn relation_creation_namespace(&self, schema: Option<&str>, name: &str) -> PgResult<Oid> {
        let o = self.creation_namespace(schema)?;
        if o == PG_CATALOG_NAMESPACE {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                format!("permission denied to create \"pg_catalog.{name}\""),
            )
            .with_detail("System catalog modifications are currently disallowed."));
        }
        Ok(o)
    }

    /// A schema named explicitly; 3F000 when it does not exist.
    pub fn explicit_namespace(&self, name: &str) -> PgResult<Oid> {
        self.namespace_oid(name)
            .ok_or_else(|| undefined_schema(name))
    }

    /// The relation named `name` in schema `nsp`.
    pub fn relation_in(&self, nsp: Oid, name: &str) -> Option<(RelKind, Oid)> {
        if let Some(t) = self
            .tables
            .iter()
            .find(|t| t.namespace == nsp && t.name == name)
        {
            return Some((RelKind::Table, t.oid));
        }
        if let Some(i) = self
            .indexes
            .iter()
            .find(|i| i.namespace == nsp && i.name == name)
        {
            return Some((RelKind::Index, i.oid));
        }
        if let Some(v) = self
            .views
            .iter()
            .find(|v| v.namespace == nsp && v.name == name)
        {
            return Some((RelKind::View, v.oid));
        }
        self.sequences
            .iter()
            .find(|s| s.namespace == nsp && s.name == name)
            .map(|s| (RelKind::Sequence, s.oid))
    }

    /// A relation by possibly qualified name: `schema.name` in that
    /// schema only (None when the schema does not exist), `name` in the
    /// first schema of the search path holding one.
    pub fn resolve_relation(&self, schema: Option<&str>, name: &str) -> Option<(RelKind, Oid)> {
        match schema {
            Some(s) => self.relation_in(self.namespace_oid(s)?, name),
            None => self
                .search_path()
                .into_iter()
                .find_map(|n| self.relation_in(n, name)),
        }
    }

    /// A relation by the parts of its name (`name`, `schema.name` or
    /// `database.schema.name`, the database being the current one).
    pub fn resolve_relation_parts(&self, parts: &[String]) -> Option<(RelKind, Oid)> {
        match parts {
            [r] => self.resolve_relation(None, r),
            [s, r] | [_, s, r] => self.resolve_relation(Some(s), r),
            _ => None,
        }
    }

    /// The schema of a user relation or enum type (by OID).
    pub fn object_namespace(&self, oid: Oid) -> Option<Oid> {
        self.tables
            .iter()
            .find(|t| t.oid == oid)
            .map(|t| t.namespace)
            .or_else(|| {
                self.indexes
                    .iter()
                    .find(|i| i.oid == oid)
                    .map(|i| i.namespace)
            })
            .or_else(|| {
                self.views
                    .iter()
                    .find(|v| v.oid == oid)
                    .map(|v| v.namespace)
            })
            .or_else(|| {
                self.sequences
                    .iter()
                    .find(|s| s.oid == oid)
                    .map(|s| s.namespace)
            })
            .or_else(|| {
                self.enums
                    .iter()
                    .find(|e| e.oid == oid || e.array == oid)
                    .map(|e| e.namespace)
            })
            .or_else(|| {
                self.domains
                    .iter()
                    .find(|d| d.oid == oid || d.array == oid)
                    .map(|d| d.namespace)
            })
            .or_else(|| {
                self.composites
                    .iter()
                    .find(|c| c.relid == oid || c.oid == oid || c.array == oid)
                    .map(|c| c.namespace)
            })
    }

    /// The name of the schema of a user relation (for error fields and
    /// messages); "public" when unknown.
    pub fn relation_schema_name(&self, oid: Oid) -> &str {
        self.object_namespace(oid)
            .and_then(|n| self.namespace_name(n))
            .unwrap_or("public")
    }

    /// pg_table_is_visible: the relation is the one its bare name finds.
    pub fn relation_is_visible(&self, oid: Oid) -> bool {
        let (Some(nsp), Some(name)) = (self.object_namespace(oid), self.relation_name(oid)) else {
            return true;
        };
        let path = self.search_path();
        if !path.contains(&nsp) {
            return false;
        }
        if self.composite_by_relid(oid).is_some() {
            return self.resolve_composite(None, name).map(|c| c.relid) == Some(oid);
        }
        self.resolve_relation(None, name).map(|(_, o)| o) == Some(oid)
    }

    /// The enum type named `name` in schema `nsp`.
    pub fn enum_type_in(&self, nsp: Oid, name: &str) -> Option<&Arc<EnumType>> {
        self.enums
            .iter()
            .find(|e| e.namespace == nsp && (e.name == name || e.array_name == name))
    }

    /// An enum type (or its array type) by possibly qualified name.
    pub fn resolve_enum(&self, schema: Option<&str>, name: &str) -> Option<&Arc<EnumType>> {
        match schema {
            Some(s) => self.enum_type_in(self.namespace_oid(s)?, name),
            None => self
                .search_path()
                .into_iter()
                .find_map(|n| self.enum_type_in(n, name)),
        }
    }

    /// pg_type_is_visible for an enum type (or its array).
    pub fn enum_is_visible(&self, oid: Oid) -> bool {
        let Some(e) = self.enums.iter().find(|e| e.oid == oid || e.array == oid) else {
            return true;
        };
        let name = if e.oid == oid { &e.name } else { &e.array_name };
        self.resolve_enum(None, name)
            .is_some_and(|f| f.oid == e.oid)
    }

    /// What depends on schema `nsp` (its relations and types), as
    /// PostgreSQL's DROP SCHEMA lists them: "table s.t" and so on, in
    /// creation (OID) order.
    pub fn namespace_members(&self, nsp: Oid) -> Vec<(Oid, String)> {
        let s = self.namespace_name(nsp).unwrap_or("?").to_owned();
        let q = |n: &str| format!("{s}.{n}");
        let mut v: Vec<(Oid, String)> = Vec::new();
        for t in self.tables.iter().filter(|t| t.namespace == nsp) {
            v.push((t.oid, format!("table {}", q(&t.name))));
        }
        for x in self.views.iter().filter(|x| x.namespace == nsp) {
            v.push((x.oid, format!("view {}", q(&x.name))));
        }
        for x in self
            .sequences
            .iter()
            .filter(|x| x.namespace == nsp && x.table == 0)
        {
            v.push((x.oid, format!("sequence {}", q(&x.name))));
        }
        for x in self.enums.iter().filter(|x| x.namespace == nsp) {
            v.push((x.oid, format!("type {}", q(&x.name))));
        }
        for x in self.domains.iter().filter(|x| x.namespace == nsp) {
            v.push((x.oid, format!("type {}", q(&x.name))));
        }
        for x in self.composites.iter().filter(|x| x.namespace == nsp) {
            v.push((x.relid, format!("type {}", q(&x.name))));
        }
        // Routines as getObjectDescription names them (procedures too
        // are "function"): qualified when not visible.
        for f in self.functions_of_namespace(nsp) {
            let args: Vec<String> = f
                .call_args()
                .map(|a| super::format_type(a.ty, -1))
                .collect();
            let name = self.function_display_name(f);
            v.push((f.oid, format!("function {name}({})", args.join(", "))));
        }
        v.sort_by_key(|(o, _)| *o);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_path_text() {
        assert_eq!(
            parse_search_path("\"$user\", public").unwrap(),
            vec!["$user", "public"]
        );
        assert_eq!(parse_search_path("").unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_search_path(" A ,\"B c\"\"\" ").unwrap(),
            vec!["a", "B c\""]
        );
        assert!(parse_search_path("a b").is_none());
        assert!(parse_search_path("a,,b").is_none());
    }

    #[test]
    fn path_resolution() {
        let mut c = Catalog::empty();
        let o = c.alloc_oid();
        c.namespaces.push(Arc::new(NamespaceDesc {
            oid: o,
            name: "s".into(),
            owner: 10,
        }));
        set_search_path("s, nosuch, public", "u");
        assert_eq!(c.search_path(), vec![PG_CATALOG_NAMESPACE, o, 2200]);
        assert_eq!(c.creation_namespace(None).unwrap(), o);
        set_search_path("public, pg_catalog", "s");
        assert_eq!(c.search_path(), vec![2200, PG_CATALOG_NAMESPACE]);
        set_search_path("\"$user\"", "s");
        assert_eq!(c.explicit_search_path(), vec![o]);
        set_search_path("''", "s");
        assert_eq!(
            c.creation_namespace(None).unwrap_err().code,
            sqlstate::INVALID_SCHEMA_NAME
        );
    }
}
