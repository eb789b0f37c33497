//! Domains (CREATE DOMAIN): a base type with a default, NOT NULL and
//! CHECK constraints, and the session's view of every domain.
//!
//! A value of a domain is a value of its base type: expressions, storage,
//! indexes and the wire (RowDescription sends the base type's OID, as
//! PostgreSQL's printtup does) all see the base type. What makes the
//! domain is kept beside: the catalog records which columns are of the
//! domain (pg_attribute.atttypid), and its constraints are checked where a
//! value becomes the domain's — a cast to it, an INSERT, UPDATE or COPY
//! into such a column. A domain's CHECK constraints are pg_constraint rows
//! kept with the tables' (`catalog::constraint`, their `table` being the
//! domain's OID). As for enum types (`enums`), type names resolve without
//! the catalog at hand, so the catalog publishes its domains to the
//! session's thread ([`set_session`]).

use std::cell::RefCell;
use std::sync::Arc;

use crate::types::Oid;

/// A domain (a pg_type row with typtype 'd') and its array type's OID.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainType {
    pub oid: Oid,
    /// typarray: the `_name` array type (listed in pg_type).
    pub array: Oid,
    pub name: String,
    /// typnamespace.
    pub namespace: Oid,
    /// typbasetype and typtypmod.
    pub base: Oid,
    pub typmod: i32,
    /// typnotnull.
    pub not_null: bool,
    /// typdefault: the DEFAULT expression as PostgreSQL prints it.
    pub default: Option<String>,
    /// The COLLATE clause's collation, when given.
    pub collation: Option<String>,
}

impl DomainType {
    /// The array type's name (`_name`).
    pub fn array_name(&self) -> String {
        let mut s = format!("_{}", self.name);
        let mut n = s.len().min(63);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s.truncate(n);
        s
    }
}

thread_local! {
    /// The domains of the session's catalog.
    static SESSION: RefCell<Vec<Arc<DomainType>>> = const { RefCell::new(Vec::new()) };
}

/// Publishes the domains of the session's current catalog to this thread.
pub fn set_session(types: &[Arc<DomainType>]) {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let same = s.len() == types.len() && s.iter().zip(types).all(|(a, b)| Arc::ptr_eq(a, b));
        if !same {
            *s = types.to_vec();
        }
    });
}

/// The domain with OID `t` (not its array type).
pub fn by_oid(t: Oid) -> Option<Arc<DomainType>> {
    if t < 16384 {
        return None;
    }
    SESSION.with(|s| s.borrow().iter().find(|d| d.oid == t).cloned())
}

/// The domain whose array type is `t`.
pub fn of_array(t: Oid) -> Option<Arc<DomainType>> {
    if t < 16384 {
        return None;
    }
    SESSION.with(|s| s.borrow().iter().find(|d| d.array == t).cloned())
}

/// Every domain named `name`.
pub fn named(name: &str) -> Vec<Arc<DomainType>> {
    SESSION.with(|s| {
        s.borrow()
            .iter()
            .filter(|d| d.name == name)
            .cloned()
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_domains_are_found_by_oid_and_name() {
        let d = Arc::new(DomainType {
            oid: 16400,
            array: 16401,
            name: "posint".into(),
            namespace: 2200,
            base: crate::types::oid::INT4,
            typmod: -1,
            not_null: true,
            default: None,
            collation: None,
        });
        set_session(std::slice::from_ref(&d));
        assert_eq!(by_oid(16400).unwrap().name, "posint");
        assert!(by_oid(16401).is_none());
        assert_eq!(named("posint").len(), 1);
        assert_eq!(d.array_name(), "_posint");
        set_session(&[]);
        assert!(by_oid(16400).is_none());
    }
}
