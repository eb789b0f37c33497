//! Named composite types: the row type every table, view and
//! materialized view has, and those of CREATE TYPE ... AS (pg_type
//! typtype 'c', typrelid the relation), each with its array type `_name`. A value of one is a
//! [`Value::Record`](super::Value::Record) whose `typ` is the type.
//!
//! As for enum types (`types::enums`), output, type names and JSON
//! conversion take no catalog argument: the catalog publishes its row
//! types to the thread that runs the session ([`set_session`]) whenever
//! the session's catalog changes.

use std::cell::RefCell;
use std::sync::Arc;

use super::Oid;

/// A row type (pg_type with typtype 'c') and its array type.
#[derive(Clone, Debug, PartialEq)]
pub struct CompositeType {
    pub oid: Oid,
    /// typarray: the array type `_name`.
    pub array: Oid,
    /// typrelid: the relation whose row type this is.
    pub relid: Oid,
    pub name: String,
    pub array_name: String,
    /// typnamespace.
    pub namespace: Oid,
    /// The relation's kind (pg_class.relkind): 'r', 'v', 'm', or 'c' for
    /// a type of CREATE TYPE ... AS (`catalog::composite`).
    pub relkind: u8,
    /// The live columns' names and types, in order.
    pub names: Arc<Vec<String>>,
    pub types: Vec<Oid>,
    /// Their type modifiers (-1: none).
    pub typmods: Vec<i32>,
}

thread_local! {
    /// The row types of the session's catalog.
    static SESSION: RefCell<Arc<Vec<Arc<CompositeType>>>> = RefCell::new(Arc::new(Vec::new()));
}

/// Publishes the row types of the session's current catalog to this
/// thread.
pub fn set_session(types: &Arc<Vec<Arc<CompositeType>>>) {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        if !Arc::ptr_eq(&s, types) {
            *s = Arc::clone(types);
        }
    });
}

fn find(f: impl Fn(&CompositeType) -> bool) -> Option<Arc<CompositeType>> {
    if SESSION.with(|s| s.borrow().is_empty()) {
        return None;
    }
    SESSION.with(|s| s.borrow().iter().find(|t| f(t)).cloned())
}

/// The row type with OID `t`.
pub fn by_oid(t: Oid) -> Option<Arc<CompositeType>> {
    if t < 16384 {
        return None;
    }
    find(|c| c.oid == t)
}

/// The row type of relation `rel`.
pub fn of_relation(rel: Oid) -> Option<Arc<CompositeType>> {
    find(|c| c.relid == rel)
}

/// The row type whose array type is `t`.
pub fn by_array(t: Oid) -> Option<Arc<CompositeType>> {
    if t < 16384 {
        return None;
    }
    find(|c| c.array == t)
}

/// Whether `t` is a composite type: `record` or a row type.
pub fn is_composite(t: Oid) -> bool {
    t == super::oid::RECORD || by_oid(t).is_some()
}

/// A row type or its array type by pg_type name.
pub fn type_by_name(name: &str) -> Option<Oid> {
    SESSION.with(|s| {
        s.borrow().iter().find_map(|c| {
            if c.name == name {
                Some(c.oid)
            } else if c.array_name == name {
                Some(c.array)
            } else {
                None
            }
        })
    })
}

/// The name of a row type or its array type (`t`, `t[]`) and its
/// pg_type.typname (`t`, `_t`), interned as enum types' are.
pub fn names(t: Oid) -> Option<(&'static str, &'static str)> {
    if t < 16384 {
        return None;
    }
    let (name, typname) = SESSION.with(|s| {
        s.borrow().iter().find_map(|c| {
            if c.oid == t {
                Some((c.name.clone(), c.name.clone()))
            } else if c.array == t {
                Some((format!("{}[]", c.name), c.array_name.clone()))
            } else {
                None
            }
        })
    })?;
    Some((super::enums::intern(&name), super::enums::intern(&typname)))
}

/// The row types named `name` (in any schema).
pub fn named(name: &str) -> Vec<Arc<CompositeType>> {
    SESSION.with(|s| {
        s.borrow()
            .iter()
            .filter(|c| c.name == name)
            .cloned()
            .collect()
    })
}
