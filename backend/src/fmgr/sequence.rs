//! Sequence functions: nextval, currval, setval, lastval (each checking
//! the current role's privileges on the sequence), and the state
//! of a sequence relation that `SELECT * FROM seq` reads
//! (`pgfork_sequence_state`). The session remembers the last value each
//! sequence gave it (PostgreSQL's SeqTable) for currval and lastval.

use std::collections::HashMap;

use super::privileges::check_sequence;
use super::{f, volatile, FnCtx, FuncDef};
use crate::access::sequence;
use crate::catalog::roles::privs;
use crate::error::{PgError, PgResult};
use crate::types::oid::{BOOL, INT4, INT8, REGCLASS};
use crate::types::{Oid, Value};

/// What currval and lastval read: per sequence, the last value nextval
/// (or setval with is_called) gave this session, and the sequence
/// nextval used last.
#[derive(Debug, Default)]
pub struct SeqSession {
    last: HashMap<Oid, i64>,
    last_used: Option<Oid>,
}

impl SeqSession {
    /// DISCARD SEQUENCES / DISCARD ALL.
    pub fn discard(&mut self) {
        self.last.clear();
        self.last_used = None;
    }
}

const NOT_PREREQ: &str = "55000";

/// The sequence a regclass argument names: (relation, name).
fn seq_arg(c: &FnCtx, v: &Value) -> PgResult<(Oid, String)> {
    let Value::Oid(o) = v else {
        return Err(PgError::internal("regclass argument"));
    };
    match c.catalog.sequence_by_oid(*o) {
        Some(s) => Ok((s.oid, s.name.clone())),
        None => Err(PgError::new(
            "42809",
            format!(
                "\"{}\" is not a sequence",
                c.catalog.relation_name(*o).unwrap_or("?")
            ),
        )),
    }
}

fn nextval(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let (rel, name) = seq_arg(c, &a[0])?;
    // An identity column's sequence gives the column its values with the
    // table's INSERT privilege (the default pgfork writes as a nextval
    // call); a serial column's default needs USAGE, as in PostgreSQL.
    if c.catalog
        .sequence_by_oid(rel)
        .is_none_or(|s| s.identity == 0)
    {
        check_sequence(c, rel, privs::USAGE | privs::UPDATE)?;
    }
    let v = sequence::nextval(&c.pool, rel, &name)?;
    let mut s = c.session.sequences.borrow_mut();
    s.last.insert(rel, v);
    s.last_used = Some(rel);
    Ok(Value::Int8(v))
}

fn currval(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let (rel, name) = seq_arg(c, &a[0])?;
    check_sequence(c, rel, privs::SELECT | privs::USAGE)?;
    match c.session.sequences.borrow().last.get(&rel) {
        Some(v) => Ok(Value::Int8(*v)),
        None => Err(PgError::new(
            NOT_PREREQ,
            format!("currval of sequence \"{name}\" is not yet defined in this session"),
        )),
    }
}

fn lastval(c: &FnCtx, _: &[Value]) -> PgResult<Value> {
    let s = c.session.sequences.borrow();
    let undefined = || PgError::new(NOT_PREREQ, "lastval is not yet defined in this session");
    let rel = s.last_used.ok_or_else(undefined)?;
    if c.catalog.sequence_by_oid(rel).is_none() {
        return Err(undefined());
    }
    check_sequence(c, rel, privs::SELECT | privs::USAGE)?;
    s.last
        .get(&rel)
        .map(|v| Value::Int8(*v))
        .ok_or_else(undefined)
}

fn setval(c: &FnCtx, a: &[Value], called: bool) -> PgResult<Value> {
    let (rel, name) = seq_arg(c, &a[0])?;
    check_sequence(c, rel, privs::UPDATE)?;
    let Value::Int8(v) = a[1] else {
        return Ok(Value::Null);
    };
    let v = sequence::setval(&c.pool, rel, &name, v, called)?;
    if called {
        c.session.sequences.borrow_mut().last.insert(rel, v);
    }
    Ok(Value::Int8(v))
}

/// One field of a sequence's state: 1 last_value, 2 log_cnt.
fn state_field(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let (rel, name) = seq_arg(c, &a[0])?;
    let st = sequence::state(&c.pool, rel, &name)?;
    Ok(match a[1] {
        Value::Int4(1) => Value::Int8(st.last),
        Value::Int4(2) => Value::Int8(st.log_cnt),
        _ => Value::Bool(st.called),
    })
}

pub static SEQUENCE_FUNCS: &[FuncDef] = &[
    volatile(f("nextval", &[REGCLASS], INT8, nextval)),
    volatile(f("currval", &[REGCLASS], INT8, currval)),
    volatile(f("lastval", &[], INT8, lastval)),
    volatile(f("setval", &[REGCLASS, INT8], INT8, |c, a| {
        setval(c, a, true)
    })),
    volatile(f("setval", &[REGCLASS, INT8, BOOL], INT8, |c, a| {
        let called = a[2] == Value::Bool(true);
        setval(c, a, called)
    })),
    // pg_sequence_last_value(regclass): NULL until nextval is called.
    volatile(f("pg_sequence_last_value", &[REGCLASS], INT8, |c, a| {
        let (rel, name) = seq_arg(c, &a[0])?;
        let st = sequence::state(&c.pool, rel, &name)?;
        Ok(if st.called {
            Value::Int8(st.last)
        } else {
            Value::Null
        })
    })),
    volatile(f(
        "pgfork_sequence_state",
        &[REGCLASS, INT4],
        INT8,
        state_field,
    )),
    volatile(f(
        "pgfork_sequence_called",
        &[REGCLASS, INT4],
        BOOL,
        state_field,
    )),
];
