//! pg_advisory_lock and its family: session- and transaction-level
//! advisory locks on a bigint key or a pair of int keys, taken in the
//! shared lock manager (see `access::advisory`).

use shmem::lockmgr::{LockMode, LockTag};

use super::{f, volatile, FnCtx, FuncDef};
use crate::access::advisory::{bigint_key, int_pair_key};
use crate::error::{PgError, PgResult};
use crate::types::oid::{BOOL, INT4, INT8, VOID};
use crate::types::Value;

const X: LockMode = LockMode::Exclusive;
const S: LockMode = LockMode::Share;

/// The lock tag of the key arguments: one bigint or two ints (the
/// functions are strict and their arguments coerced to those types, so
/// anything else is a bug).
fn key(a: &[Value]) -> PgResult<LockTag> {
    match a {
        [Value::Int4(x), Value::Int4(y)] => Ok(int_pair_key(*x, *y)),
        [Value::Int8(k)] => Ok(bigint_key(*k)),
        _ => Err(PgError::internal("advisory lock key of unexpected types")),
    }
}

/// Waits for the lock; returns void.
fn lock(c: &FnCtx, a: &[Value], mode: LockMode, session: bool) -> PgResult<Value> {
    c.xact.advisory_lock(key(a)?, mode, session, true)?;
    Ok(Value::Void)
}

/// Takes the lock if free at once; returns whether it did.
fn try_lock(c: &FnCtx, a: &[Value], mode: LockMode, session: bool) -> PgResult<Value> {
    Ok(Value::Bool(c.xact.advisory_lock(
        key(a)?,
        mode,
        session,
        false,
    )?))
}

fn unlock(c: &FnCtx, a: &[Value], mode: LockMode) -> PgResult<Value> {
    Ok(Value::Bool(c.xact.advisory_unlock(key(a)?, mode)))
}

const K1: &[crate::types::Oid] = &[INT8];
const K2: &[crate::types::Oid] = &[INT4, INT4];

pub static ADVISORY_FUNCS: &[FuncDef] = &[
    volatile(f("pg_advisory_lock", K1, VOID, |c, a| lock(c, a, X, true))),
    volatile(f("pg_advisory_lock", K2, VOID, |c, a| lock(c, a, X, true))),
    volatile(f("pg_advisory_lock_shared", K1, VOID, |c, a| {
        lock(c, a, S, true)
    })),
    volatile(f("pg_advisory_lock_shared", K2, VOID, |c, a| {
        lock(c, a, S, true)
    })),
    volatile(f("pg_try_advisory_lock", K1, BOOL, |c, a| {
        try_lock(c, a, X, true)
    })),
    volatile(f("pg_try_advisory_lock", K2, BOOL, |c, a| {
        try_lock(c, a, X, true)
    })),
    volatile(f("pg_try_advisory_lock_shared", K1, BOOL, |c, a| {
        try_lock(c, a, S, true)
    })),
    volatile(f("pg_try_advisory_lock_shared", K2, BOOL, |c, a| {
        try_lock(c, a, S, true)
    })),
    volatile(f("pg_advisory_unlock", K1, BOOL, |c, a| unlock(c, a, X))),
    volatile(f("pg_advisory_unlock", K2, BOOL, |c, a| unlock(c, a, X))),
    volatile(f("pg_advisory_unlock_shared", K1, BOOL, |c, a| {
        unlock(c, a, S)
    })),
    volatile(f("pg_advisory_unlock_shared", K2, BOOL, |c, a| {
        unlock(c, a, S)
    })),
    volatile(f("pg_advisory_unlock_all", &[], VOID, |c, _| {
        c.xact.advisory_unlock_all();
        Ok(Value::Void)
    })),
    volatile(f("pg_advisory_xact_lock", K1, VOID, |c, a| {
        lock(c, a, X, false)
    })),
    volatile(f("pg_advisory_xact_lock", K2, VOID, |c, a| {
        lock(c, a, X, false)
    })),
    volatile(f("pg_advisory_xact_lock_shared", K1, VOID, |c, a| {
        lock(c, a, S, false)
    })),
    volatile(f("pg_advisory_xact_lock_shared", K2, VOID, |c, a| {
        lock(c, a, S, false)
    })),
    volatile(f("pg_try_advisory_xact_lock", K1, BOOL, |c, a| {
        try_lock(c, a, X, false)
    })),
    volatile(f("pg_try_advisory_xact_lock", K2, BOOL, |c, a| {
        try_lock(c, a, X, false)
    })),
    volatile(f("pg_try_advisory_xact_lock_shared", K1, BOOL, |c, a| {
        try_lock(c, a, S, false)
    })),
    volatile(f("pg_try_advisory_xact_lock_shared", K2, BOOL, |c, a| {
        try_lock(c, a, S, false)
    })),
];
