//! Window functions' signatures (PostgreSQL's windowfuncs.c entries in
//! pg_proc): row_number, rank, dense_rank, percent_rank, cume_dist,
//! ntile, lag, lead, first_value, last_value and nth_value, with their
//! result types; any aggregate is also a window function. The executor's
//! WindowAgg node (`executor::window`) computes them.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{oid, Oid};
use crate::utils::adt::agg::{self, AggKind};
use crate::utils::adt::coerce;
use crate::utils::adt::ops::can_coerce_implicitly;

/// Which function a window function call computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowFuncKind {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
    /// An aggregate over the frame.
    Agg(AggKind),
}

impl WindowFuncKind {
    /// The function's name (EXPLAIN).
    pub fn name(self) -> String {
        match self {
            WindowFuncKind::RowNumber => "row_number".into(),
            WindowFuncKind::Rank => "rank".into(),
            WindowFuncKind::DenseRank => "dense_rank".into(),
            WindowFuncKind::PercentRank => "percent_rank".into(),
            WindowFuncKind::CumeDist => "cume_dist".into(),
            WindowFuncKind::Ntile => "ntile".into(),
            WindowFuncKind::Lag => "lag".into(),
            WindowFuncKind::Lead => "lead".into(),
            WindowFuncKind::FirstValue => "first_value".into(),
            WindowFuncKind::LastValue => "last_value".into(),
            WindowFuncKind::NthValue => "nth_value".into(),
            WindowFuncKind::Agg(k) => k.name().into(),
        }
    }
}

/// Whether `name` is a built-in window function (not an aggregate).
pub fn is_window_function(name: &str) -> bool {
    matches!(
        name,
        "row_number"
            | "rank"
            | "dense_rank"
            | "percent_rank"
            | "cume_dist"
            | "ntile"
            | "lag"
            | "lead"
            | "first_value"
            | "last_value"
            | "nth_value"
    )
}

/// The type an `anyelement` argument of type `t` binds to.
fn any_element(t: Oid) -> PgResult<Oid> {
    if t == oid::UNKNOWN {
        return Err(PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            "could not determine polymorphic type because input has type unknown",
        ));
    }
    Ok(t)
}

/// Resolves a window function call: (kind, argument types to coerce to,
/// result type); 42883 when no signature fits.
pub fn resolve(name: &str, args: &[Oid], star: bool) -> PgResult<(WindowFuncKind, Vec<Oid>, Oid)> {
    use WindowFuncKind as K;
    let none = || crate::fmgr::no_function(name, args);
    if agg::is_aggregate(name) {
        let (k, params, ret) = agg::resolve(name, args, star).ok_or_else(none)?;
        return Ok((K::Agg(k), params, ret));
    }
    if star {
        return Err(none());
    }
    let int = |t: Oid| can_coerce_implicitly(t, oid::INT4);
    Ok(match (name, args) {
        ("row_number", []) => (K::RowNumber, vec![], oid::INT8),
        ("rank", []) => (K::Rank, vec![], oid::INT8),
        ("dense_rank", []) => (K::DenseRank, vec![], oid::INT8),
        ("percent_rank", []) => (K::PercentRank, vec![], oid::FLOAT8),
        ("cume_dist", []) => (K::CumeDist, vec![], oid::FLOAT8),
        ("ntile", [t]) if int(*t) => (K::Ntile, vec![oid::INT4], oid::INT4),
        ("lag" | "lead", [t]) => {
            let t = any_element(*t)?;
            let k = if name == "lag" { K::Lag } else { K::Lead };
            (k, vec![t], t)
        }
        ("lag" | "lead", [t, n]) if int(*n) => {
            let t = any_element(*t)?;
            let k = if name == "lag" { K::Lag } else { K::Lead };
            (k, vec![t, oid::INT4], t)
        }
        ("lag" | "lead", [t, n, d]) if int(*n) => {
            // lag(anycompatible, integer, anycompatible).
            let t = coerce::common_type(&[*t, *d], name).map_err(|_| none())?;
            let t = if t == oid::UNKNOWN { oid::TEXT } else { t };
            let k = if name == "lag" { K::Lag } else { K::Lead };
            (k, vec![t, oid::INT4, t], t)
        }
        ("first_value", [t]) => (K::FirstValue, vec![any_element(*t)?], *t),
        ("last_value", [t]) => (K::LastValue, vec![any_element(*t)?], *t),
        ("nth_value", [t, n]) if int(*n) => (K::NthValue, vec![any_element(*t)?, oid::INT4], *t),
        _ => return Err(none()),
    })
}
