//! Descriptions (COMMENT ON) as the catalog keeps them: pg_description's
//! rows of a database's objects ([`Catalog::comments`], in its catalog
//! file) and pg_shdescription's of shared objects, databases and roles
//! ([`Catalog::shared_comments`], in the shared catalog file as `shcomment
//! <classoid> <objoid> <text>` lines), plus the descriptions initdb
//! writes (schema public, plpgsql's extension and language; template1,
//! template0 and postgres). A built-in
//! description removed by COMMENT ... IS NULL is kept as an empty text,
//! which hides it; a stored empty text is never a description.

use super::{esc, unesc, Catalog};
use crate::types::Oid;

/// pg_namespace's OID (the classoid of a schema's comment).
pub const PG_NAMESPACE_CLASS: Oid = 2615;
/// pg_database's and pg_authid's OIDs (classoids in pg_shdescription).
pub const PG_DATABASE_CLASS: Oid = 1262;
pub const PG_AUTHID_CLASS: Oid = 1260;
/// pg_extension's and pg_language's OIDs.
pub const PG_EXTENSION_CLASS: Oid = 3079;
pub const PG_LANGUAGE_CLASS: Oid = 2612;
/// plpgsql's pg_extension OID.
pub const PLPGSQL_EXTENSION: Oid = 13559;

/// The comment initdb gives schema public.
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";
const PLPGSQL_COMMENT: &str = "PL/pgSQL procedural language";

/// The descriptions initdb writes: (classoid, objoid, objsubid), text.
pub fn builtin_descriptions() -> [((Oid, Oid, i32), &'static str); 3] {
    [
        (
            (PG_NAMESPACE_CLASS, super::PUBLIC_NAMESPACE, 0),
            PUBLIC_SCHEMA_COMMENT,
        ),
        ((PG_EXTENSION_CLASS, PLPGSQL_EXTENSION, 0), PLPGSQL_COMMENT),
        (
            (PG_LANGUAGE_CLASS, super::function::PLPGSQL_LANGUAGE, 0),
            PLPGSQL_COMMENT,
        ),
    ]
}

/// The descriptions initdb gives its databases (pg_shdescription).
pub fn builtin_shared_descriptions() -> [((Oid, Oid), &'static str); 3] {
    use super::database::{POSTGRES_OID, TEMPLATE0_OID, TEMPLATE1_OID};
    [
        (
            (PG_DATABASE_CLASS, TEMPLATE1_OID),
            "default template for new databases",
        ),
        (
            (PG_DATABASE_CLASS, TEMPLATE0_OID),
            "unmodifiable empty database",
        ),
        (
            (PG_DATABASE_CLASS, POSTGRES_OID),
            "default administrative connection database",
        ),
    ]
}

impl Catalog {
    /// The description of a shared object in pg_shdescription.
    pub fn shared_description(&self, class: Oid, obj: Oid) -> Option<&str> {
        match self.shared_comments.get(&(class, obj)) {
            Some(t) => (!t.is_empty()).then_some(t.as_str()),
            None if self.database_by_oid(obj).is_some() || self.databases.is_empty() => {
                builtin_shared_descriptions()
                    .into_iter()
                    .find(|(k, _)| *k == (class, obj))
                    .map(|(_, t)| t)
            }
            None => None,
        }
    }

    /// pg_shdescription's rows: initdb's descriptions of its databases
    /// (while they exist and are not replaced), then the stored ones.
    pub fn shared_descriptions(&self) -> Vec<((Oid, Oid), String)> {
        builtin_shared_descriptions()
            .into_iter()
            .filter(|(k, _)| {
                !self.shared_comments.contains_key(k) && self.database_by_oid(k.1).is_some()
            })
            .map(|(k, t)| (k, t.to_owned()))
            .chain(
                self.shared_comments
                    .iter()
                    .filter(|(_, t)| !t.is_empty())
                    .map(|(k, t)| (*k, t.clone())),
            )
            .collect()
    }

    /// The description of (classoid, objoid, objsubid) in pg_description.
    pub fn description(&self, class: Oid, obj: Oid, sub: i32) -> Option<&str> {
        match self.comments.get(&(class, obj, sub)) {
            Some(t) => (!t.is_empty()).then_some(t.as_str()),
            None => builtin_descriptions()
                .into_iter()
                .find(|(k, _)| *k == (class, obj, sub))
                .map(|(_, t)| t),
        }
    }

    /// pg_description's rows: initdb's descriptions not replaced, then
    /// the stored ones (empty texts left out).
    pub fn descriptions(&self) -> Vec<((Oid, Oid, i32), String)> {
        builtin_descriptions()
            .into_iter()
            .filter(|(k, _)| !self.comments.contains_key(k))
            .map(|(k, t)| (k, t.to_owned()))
            .chain(
                self.comments
                    .iter()
                    .filter(|(_, t)| !t.is_empty())
                    .map(|(k, t)| (*k, t.clone())),
            )
            .collect()
    }

    /// Sets (Some non-empty) or removes the description of a database
    /// object; a built-in one is hidden by an empty text.
    pub fn set_description(&mut self, key: (Oid, Oid, i32), text: Option<&str>) {
        match text.filter(|t| !t.is_empty()) {
            Some(t) => {
                self.comments.insert(key, t.to_owned());
            }
            None if builtin_descriptions().iter().any(|(k, _)| *k == key) => {
                self.comments.insert(key, String::new());
            }
            None => {
                self.comments.remove(&key);
            }
        }
    }

    /// Sets or removes the description of a shared object (a database
    /// or a role).
    pub fn set_shared_description(&mut self, class: Oid, obj: Oid, text: Option<&str>) {
        match text.filter(|t| !t.is_empty()) {
            Some(t) => {
                self.shared_comments.insert((class, obj), t.to_owned());
            }
            None if builtin_shared_descriptions()
                .iter()
                .any(|(k, _)| *k == (class, obj)) =>
            {
                self.shared_comments.insert((class, obj), String::new());
            }
            None => {
                self.shared_comments.remove(&(class, obj));
            }
        }
    }

    /// The `shcomment` lines of the shared catalog file.
    pub(super) fn serialize_shared_comments(&self) -> String {
        let mut s = String::new();
        for ((class, obj), text) in &self.shared_comments {
            s += &format!("shcomment {class} {obj} {}\n", esc(text));
        }
        s
    }

    /// Parses a `shcomment` line (split at spaces).
    pub(super) fn parse_shared_comment(&mut self, f: &[&str]) -> Option<()> {
        let class = f.get(1)?.parse().ok()?;
        let obj = f.get(2)?.parse().ok()?;
        self.shared_comments.insert((class, obj), unesc(f.get(3)?));
        Some(())
    }

    /// Drops the descriptions of databases and roles that no longer
    /// exist, as DROP DATABASE and DROP ROLE delete their
    /// pg_shdescription rows.
    pub fn prune_shared_comments(&mut self) {
        let dbs: Vec<Oid> = self.databases.iter().map(|d| d.oid).collect();
        let roles: Vec<Oid> = self.roles.iter().map(|r| r.oid).collect();
        self.shared_comments.retain(|&(class, obj), _| match class {
            PG_DATABASE_CLASS => dbs.is_empty() || dbs.contains(&obj),
            PG_AUTHID_CLASS => {
                roles.contains(&obj) || super::roles::PREDEFINED_ROLES.iter().any(|p| p.0 == obj)
            }
            _ => false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_descriptions_hidden_and_restored() {
        let mut c = Catalog::empty();
        let key = (PG_NAMESPACE_CLASS, crate::catalog::PUBLIC_NAMESPACE, 0);
        assert_eq!(c.description(key.0, key.1, 0), Some(PUBLIC_SCHEMA_COMMENT));
        c.set_description(key, None);
        assert_eq!(c.description(key.0, key.1, 0), None);
        assert_eq!(c.descriptions().len(), 2);
        c.set_description(key, Some("mine"));
        assert_eq!(c.description(key.0, key.1, 0), Some("mine"));
        c.set_description((1259, 20000, 0), Some("t"));
        c.set_description((1259, 20000, 0), Some(""));
        assert!(!c.comments.contains_key(&(1259, 20000, 0)));
    }

    #[test]
    fn shared_comment_lines_round_trip() {
        let mut c = Catalog::empty();
        c.set_shared_description(PG_DATABASE_CLASS, 5, Some("a b\\c"));
        let text = c.serialize_shared_comments();
        let mut d = Catalog::empty();
        for line in text.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            d.parse_shared_comment(&f).unwrap();
        }
        assert_eq!(d.shared_comments, c.shared_comments);
    }
}
