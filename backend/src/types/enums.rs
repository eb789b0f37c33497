//! Enum types (CREATE TYPE ... AS ENUM): a type's labels with their sort
//! order (pg_enum), and the session's view of every enum type.
//!
//! A value of an enum type is its label's pg_enum OID
//! ([`Value::Enum`](super::Value::Enum)), as in PostgreSQL, so a renamed
//! label needs no rewrite. Input, output and comparison take no catalog
//! argument, so the catalog publishes its enum types to the thread that
//! runs the session ([`set_session`]) whenever the session's catalog
//! changes (one session runs per thread), as the session's time zone is
//! published in `timezone`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{Oid, Value};

/// One label of an enum type (a pg_enum row).
#[derive(Clone, Debug, PartialEq)]
pub struct EnumLabel {
    /// pg_enum.oid: what a value of the type holds.
    pub oid: Oid,
    /// enumsortorder (kept as f64 so that labels added between two others
    /// never need their neighbours renumbered: index keys hold it).
    pub sort: f64,
    pub label: String,
}

/// An enum type (a pg_type row with typtype 'e') and its array type.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    pub oid: Oid,
    /// The array type (`_name`), pg_type.typarray.
    pub array: Oid,
    pub name: String,
    /// typnamespace: the schema's OID.
    pub namespace: Oid,
    /// The array type's name (`_name`).
    pub array_name: String,
    /// Labels in sort order.
    pub labels: Vec<EnumLabel>,
}

impl EnumType {
    pub fn label(&self, label: &str) -> Option<&EnumLabel> {
        self.labels.iter().find(|l| l.label == label)
    }
}

thread_local! {
    /// The enum types of the session's catalog.
    static SESSION: RefCell<Vec<Arc<EnumType>>> = const { RefCell::new(Vec::new()) };
}

/// Publishes the enum types of the session's current catalog to this
/// thread.
pub fn set_session(types: &[Arc<EnumType>]) {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let same = s.len() == types.len() && s.iter().zip(types).all(|(a, b)| Arc::ptr_eq(a, b));
        if !same {
            *s = types.to_vec();
        }
    });
}

fn find<R>(f: impl Fn(&Arc<EnumType>) -> bool, map: impl FnOnce(&Arc<EnumType>) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow().iter().find(|t| f(t)).map(map))
}

/// The enum type with OID `t`.
pub fn by_oid(t: Oid) -> Option<Arc<EnumType>> {
    find(|e| e.oid == t, Arc::clone)
}

/// Whether `t` is an enum type.
pub fn is_enum(t: Oid) -> bool {
    t >= 16384 && find(|e| e.oid == t, |_| ()).is_some()
}

/// The element type of an enum's array type (0 if `t` is none).
pub fn array_element(t: Oid) -> Oid {
    if t < 16384 {
        return 0;
    }
    find(|e| e.array == t, |e| e.oid).unwrap_or(0)
}

/// The array type of enum type `t` (0 if `t` is not an enum type).
pub fn array_of(t: Oid) -> Oid {
    if t < 16384 {
        return 0;
    }
    find(|e| e.oid == t, |e| e.array).unwrap_or(0)
}

/// An enum type or its array type by pg_type name.
pub fn type_by_name(name: &str) -> Option<Oid> {
    SESSION.with(|s| {
        s.borrow().iter().find_map(|e| {
            if e.name == name {
                Some(e.oid)
            } else if e.array_name == name {
                Some(e.array)
            } else {
                None
            }
        })
    })
}

/// Every enum type or array type named `name`: (OID, schema OID).
pub fn types_named(name: &str) -> Vec<(Oid, Oid)> {
    SESSION.with(|s| {
        s.borrow()
            .iter()
            .filter_map(|e| {
                if e.name == name {
                    Some((e.oid, e.namespace))
                } else if e.array_name == name {
                    Some((e.array, e.namespace))
                } else {
                    None
                }
            })
            .collect()
    })
}

/// The schema OID of an enum type or its array type.
pub fn namespace_of(t: Oid) -> Option<Oid> {
    SESSION.with(|s| {
        s.borrow()
            .iter()
            .find(|e| e.oid == t || e.array == t)
            .map(|e| e.namespace)
    })
}

/// The name of an enum type or enum array type (`mood`, `mood[]`), and
/// its pg_type.typname (`mood`, `_mood`), interned: names are printed
/// by functions returning `&'static str`, and there are few of them.
pub fn names(t: Oid) -> Option<(&'static str, &'static str)> {
    if t < 16384 {
        return None;
    }
    let (name, typname) = SESSION.with(|s| {
        s.borrow().iter().find_map(|e| {
            if e.oid == t {
                Some((e.name.clone(), e.name.clone()))
            } else if e.array == t {
                Some((format!("{}[]", e.name), e.array_name.clone()))
            } else {
                None
            }
        })
    })?;
    Some((intern(&name), intern(&typname)))
}

pub(crate) fn intern(s: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.iter().find(|n| **n == s) {
        return n;
    }
    let n: &'static str = Box::leak(s.to_owned().into_boxed_str());
    names.push(n);
    n
}

/// enum_in: the value of label `s` of enum type `t`.
pub fn input(t: Oid, s: &str) -> PgResult<Value> {
    let found = find(
        |e| e.oid == t,
        |e| (e.label(s).map(|l| l.oid), e.name.clone()),
    );
    match found {
        Some((Some(o), _)) => Ok(Value::Enum(o)),
        Some((None, name)) => Err(PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input value for enum {name}: \"{s}\""),
        )),
        None => Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("type with OID {t} does not exist"),
        )),
    }
}

fn with_label<R>(label: Oid, f: impl FnOnce(&EnumType, &EnumLabel) -> R) -> Option<R> {
    SESSION.with(|s| {
        let s = s.borrow();
        for e in s.iter() {
            if let Some(l) = e.labels.iter().find(|l| l.oid == label) {
                return Some(f(e, l));
            }
        }
        None
    })
}

/// enum_out: the label of the value (the label's OID). A label this
/// session does not know (dropped with its type meanwhile) prints as
/// PostgreSQL's "invalid internal value" would name it.
pub fn output(label: Oid, out: &mut String) {
    match with_label(label, |_, l| out.push_str(&l.label)) {
        Some(()) => {}
        None => out.push_str(&format!("<invalid enum value {label}>")),
    }
}

/// The sort position of a value (enumsortorder).
pub fn sort_order(label: Oid) -> f64 {
    with_label(label, |_, l| l.sort).unwrap_or(f64::MAX)
}

/// The type a label belongs to.
pub fn type_of_label(label: Oid) -> Option<Oid> {
    with_label(label, |e, _| e.oid)
}
