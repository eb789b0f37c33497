//! Type resolution for operators and common types (PostgreSQL's
//! parse_oper.c and select_common_type, reduced to the built-in types):
//! which operand types an operator takes and what it returns, and which
//! type CASE/COALESCE/IN branches unite into.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{oid, type_name, Oid};
use crate::utils::adt::ops::{can_coerce_implicitly, BinOp};

/// PostgreSQL's typcategory.
pub fn category(t: Oid) -> char {
    match t {
        oid::BOOL => 'B',
        oid::INT2
        | oid::INT4
        | oid::INT8
        | oid::FLOAT4
        | oid::FLOAT8
        | oid::NUMERIC
        | oid::OID
        | oid::REGPROC
        | oid::REGPROCEDURE
        | oid::REGCLASS
        | oid::REGTYPE
        | oid::REGNAMESPACE
        | oid::REGROLE => 'N',
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::CHAR => 'S',
        oid::DATE | oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::TIME | oid::TIMETZ => 'D',
        oid::INET | oid::CIDR => 'I',
        oid::INTERVAL => 'T',
        oid::UNKNOWN => 'X',
        t if crate::types::array_element(t) != 0 => 'A',
        t if crate::types::enums::is_enum(t) => 'E',
        oid::RECORD => 'P',
        t if crate::types::composite::by_oid(t).is_some() => 'C',
        _ => 'U',
    }
}

/// PostgreSQL's typispreferred.
pub fn is_preferred(t: Oid) -> bool {
    matches!(
        t,
        oid::FLOAT8
            | oid::TEXT
            | oid::TIMESTAMPTZ
            | oid::INTERVAL
            | oid::BOOL
            | oid::OID
            | oid::INET
    )
}

fn numeric_rank(t: Oid) -> Option<u8> {
    Some(match t {
        oid::INT2 => 1,
        oid::INT4 => 2,
        oid::INT8 => 3,
        oid::NUMERIC => 4,
        oid::FLOAT4 => 5,
        oid::FLOAT8 => 6,
        _ => return None,
    })
}

/// The type two numeric operands meet in: the wider integer, numeric,
/// or float8 (float4 only when both are float4), as PostgreSQL's operator
/// resolution ends up choosing.
fn numeric_common(a: Oid, b: Oid) -> Option<Oid> {
    let (ra, rb) = (numeric_rank(a)?, numeric_rank(b)?);
    let (lo, hi) = (ra.min(rb), ra.max(rb));
    Some(match hi {
        1 => oid::INT2,
        2 => oid::INT4,
        3 => oid::INT8,
        4 => oid::NUMERIC,
        5 if lo == 5 => oid::FLOAT4,
        _ => oid::FLOAT8,
    })
}

fn datetime_rank(t: Oid) -> Option<u8> {
    match t {
        oid::DATE => Some(1),
        oid::TIMESTAMP => Some(2),
        oid::TIMESTAMPTZ => Some(3),
        _ => None,
    }
}

/// 42883 "operator does not exist: integer + text".
pub fn no_operator(op: &str, l: Option<Oid>, r: Oid) -> PgError {
    let msg = match l {
        Some(l) => format!(
            "operator does not exist: {} {} {}",
            type_name(l),
            op,
            type_name(r)
        ),
        None => format!("operator does not exist: {} {}", op, type_name(r)),
    };
    PgError::new(sqlstate::UNDEFINED_FUNCTION, msg).with_hint(
        "No operator matches the given name and argument types. You might need to add explicit type casts.",
    )
}

fn not_unique(op: &str, l: Oid, r: Oid) -> PgError {
    PgError::new(
        "42725",
        format!(
            "operator is not unique: {} {} {}",
            type_name(l),
            op,
            type_name(r)
        ),
    )
    .with_hint(
        "Could not choose a best candidate operator. You might need to add explicit type casts.",
    )
}

/// Chosen operator: (left input type, right input type, result type).
pub type OpSig = (Oid, Oid, Oid);

/// Resolves a binary operator for operand types `l` and `r` (UNKNOWN for
/// untyped literals and parameters).
pub fn resolve_binary(op: BinOp, l: Oid, r: Oid) -> PgResult<OpSig> {
    let sym = op.symbol();
    let u = oid::UNKNOWN;
    // An unknown operand takes the other side's type.
    if l == u && r == u {
        return match op {
            BinOp::Concat => Ok((oid::TEXT, oid::TEXT, oid::TEXT)),
            _ if op.is_comparison() => Ok((oid::TEXT, oid::TEXT, oid::BOOL)),
            _ => Err(not_unique(sym, l, r)),
        };
    }
    if op == BinOp::Concat {
        return resolve_concat(l, r);
    }
    let (l, r) = match (l == u, r == u) {
        (true, _) => (unknown_partner(op, r), r),
        (_, true) => (l, unknown_partner(op, l)),
        _ => (l, r),
    };
    let err = || no_operator(sym, Some(l), r);
    if op.is_comparison() {
        // Each MAC address type casts implicitly to the other, so both
        // macaddr's and macaddr8's operators fit, as in PostgreSQL.
        if matches!(
            (l, r),
            (oid::MACADDR, oid::MACADDR8) | (oid::MACADDR8, oid::MACADDR)
        ) {
            return Err(not_unique(sym, l, r));
        }
        let t = comparison_type(l, r).ok_or_else(err)?;
        // xid and cid have equality only (xideq, xidneq, xideqint4, cideq).
        if matches!(t, oid::XID | oid::CID) && !matches!(op, BinOp::Eq | BinOp::Ne) {
            return Err(err());
        }
        return Ok((t, t, oid::BOOL));
    }
    if let Some(t) = numeric_common(l, r) {
        return match op {
            BinOp::Mod if matches!(t, oid::FLOAT4 | oid::FLOAT8) => Err(err()),
            BinOp::Pow if t == oid::NUMERIC => Ok((t, t, t)),
            BinOp::Pow => Ok((oid::FLOAT8, oid::FLOAT8, oid::FLOAT8)),
            _ => Ok((t, t, t)),
        };
    }
    let int = |t: Oid| matches!(t, oid::INT2 | oid::INT4);
    let num = |t: Oid| numeric_rank(t).is_some();
    use BinOp::*;
    let sig = match (op, l, r) {
        (Add, oid::DATE, t) if int(t) => (oid::DATE, oid::INT4, oid::DATE),
        (Add, t, oid::DATE) if int(t) => (oid::INT4, oid::DATE, oid::DATE),
        (Sub, oid::DATE, t) if int(t) => (oid::DATE, oid::INT4, oid::DATE),
        (Sub, oid::DATE, oid::DATE) => (oid::DATE, oid::DATE, oid::INT4),
        (Add, oid::DATE, oid::INTERVAL) => (oid::DATE, oid::INTERVAL, oid::TIMESTAMP),
        (Add, oid::INTERVAL, oid::DATE) => (oid::INTERVAL, oid::DATE, oid::TIMESTAMP),
        (Sub, oid::DATE, oid::INTERVAL) => (oid::DATE, oid::INTERVAL, oid::TIMESTAMP),
        (Add, t @ (oid::TIMESTAMP | oid::TIMESTAMPTZ), oid::INTERVAL) => (t, oid::INTERVAL, t),
        (Add, oid::INTERVAL, t @ (oid::TIMESTAMP | oid::TIMESTAMPTZ)) => (oid::INTERVAL, t, t),
        (Sub, t @ (oid::TIMESTAMP | oid::TIMESTAMPTZ), oid::INTERVAL) => (t, oid::INTERVAL, t),
        (Sub, a, b) if datetime_rank(a).is_some() && datetime_rank(b).is_some() => {
            let t = if datetime_rank(a) > datetime_rank(b) {
                a
            } else {
                b
            };
            (t, t, oid::INTERVAL)
        }
        (Add | Sub, oid::INTERVAL, oid::INTERVAL) => (oid::INTERVAL, oid::INTERVAL, oid::INTERVAL),
        // time and timetz (time_pl_interval, time_mi_time, datetime_pl,
        // datetimetz_pl, timetz_pl_interval).
        (Add | Sub, t @ (oid::TIME | oid::TIMETZ), oid::INTERVAL) => (t, oid::INTERVAL, t),
        (Add, oid::INTERVAL, t @ (oid::TIME | oid::TIMETZ)) => (oid::INTERVAL, t, t),
        (Sub, oid::TIME, oid::TIME) => (oid::TIME, oid::TIME, oid::INTERVAL),
        // time * number reads the time as an interval (the implicit cast).
        (Mul | Div, oid::TIME, t) if num(t) => (oid::INTERVAL, oid::FLOAT8, oid::INTERVAL),
        (Mul, t, oid::TIME) if num(t) => (oid::FLOAT8, oid::INTERVAL, oid::INTERVAL),
        (Add, oid::DATE, oid::TIME) => (oid::DATE, oid::TIME, oid::TIMESTAMP),
        (Add, oid::TIME, oid::DATE) => (oid::TIME, oid::DATE, oid::TIMESTAMP),
        (Add, oid::DATE, oid::TIMETZ) => (oid::DATE, oid::TIMETZ, oid::TIMESTAMPTZ),
        (Add, oid::TIMETZ, oid::DATE) => (oid::TIMETZ, oid::DATE, oid::TIMESTAMPTZ),
        // inet (inetpl, int8pl_inet, inetmi_int8, inetmi).
        (Add | Sub, oid::INET | oid::CIDR, oid::INT2 | oid::INT4 | oid::INT8) => {
            (oid::INET, oid::INT8, oid::INET)
        }
        (Add, oid::INT2 | oid::INT4 | oid::INT8, oid::INET | oid::CIDR) => {
            (oid::INT8, oid::INET, oid::INET)
        }
        (Sub, oid::INET | oid::CIDR, oid::INET | oid::CIDR) => (oid::INET, oid::INET, oid::INT8),
        (Mul, oid::INTERVAL, t) if num(t) => (oid::INTERVAL, oid::FLOAT8, oid::INTERVAL),
        (Mul, t, oid::INTERVAL) if num(t) => (oid::FLOAT8, oid::INTERVAL, oid::INTERVAL),
        (Div, oid::INTERVAL, t) if num(t) => (oid::INTERVAL, oid::FLOAT8, oid::INTERVAL),
        _ => return Err(err()),
    };
    Ok(sig)
}

/// The type an unknown operand of `op` takes opposite `other`.
fn unknown_partner(op: BinOp, other: Oid) -> Oid {
    match (op, other) {
        (BinOp::Sub, oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::DATE) => other,
        (BinOp::Add, oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::DATE) => oid::INTERVAL,
        (BinOp::Add | BinOp::Sub, oid::TIMETZ) => oid::INTERVAL,
        (BinOp::Add, oid::TIME) => oid::INTERVAL,
        (BinOp::Add, oid::INET | oid::CIDR) => oid::INT8,
        _ => other,
    }
}

/// `||`: text with anything (anynonarray || text), or bytea || bytea.
fn resolve_concat(l: Oid, r: Oid) -> PgResult<OpSig> {
    if l == oid::BYTEA && r == oid::BYTEA {
        return Ok((oid::BYTEA, oid::BYTEA, oid::BYTEA));
    }
    let stringish = |t: Oid| category(t) == 'S' || t == oid::UNKNOWN;
    if stringish(l) || stringish(r) {
        return Ok((oid::TEXT, oid::TEXT, oid::TEXT));
    }
    Err(no_operator("||", Some(l), r))
}

/// The type two values are compared in.
pub fn comparison_type(l: Oid, r: Oid) -> Option<Oid> {
    if category(l) == 'A' || category(r) == 'A' {
        // anyarray = anyarray: the same array type on both sides.
        return (l == r).then_some(l);
    }
    // json has no equality or ordering.
    if l == oid::JSON || r == oid::JSON {
        return None;
    }
    if l == r {
        return Some(match category(l) {
            'S' => oid::TEXT,
            _ => l,
        });
    }
    // The OID alias types (regclass, regtype, ...) compare as OIDs.
    let as_oid = |t: Oid| {
        if crate::types::is_reg_type(t) {
            oid::OID
        } else {
            t
        }
    };
    let (l, r) = (as_oid(l), as_oid(r));
    if l == r {
        return Some(l);
    }
    // xid = integer (xideqint4, xidneqint4).
    if (l == oid::XID && r == oid::INT4) || (l == oid::INT4 && r == oid::XID) {
        return Some(oid::XID);
    }
    if l == oid::OID || r == oid::OID {
        let other = if l == oid::OID { r } else { l };
        return matches!(other, oid::INT2 | oid::INT4 | oid::INT8).then_some(oid::OID);
    }
    if let Some(t) = numeric_common(l, r) {
        return Some(t);
    }
    if category(l) == 'S' && category(r) == 'S' {
        return Some(oid::TEXT);
    }
    match (l, r) {
        (oid::TIME, oid::TIMETZ) | (oid::TIMETZ, oid::TIME) => return Some(oid::TIMETZ),
        (oid::INET | oid::CIDR, oid::INET | oid::CIDR) => return Some(oid::INET),
        _ => {}
    }
    match (datetime_rank(l), datetime_rank(r)) {
        (Some(a), Some(b)) => Some(if a > b { l } else { r }),
        _ => None,
    }
}

/// select_common_type: the type CASE/COALESCE/IN/VALUES branches unite
/// into. `what` names the construct for the error ("CASE", "COALESCE").
pub fn common_type(types: &[Oid], what: &str) -> PgResult<Oid> {
    let mut known = types.iter().copied().filter(|t| *t != oid::UNKNOWN);
    let Some(mut ptype) = known.next() else {
        return Ok(oid::TEXT);
    };
    for ntype in known {
        if ntype == ptype {
            continue;
        }
        if category(ntype) != category(ptype) {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!(
                    "{} types {} and {} cannot be matched",
                    what,
                    type_name(ptype),
                    type_name(ntype)
                ),
            ));
        }
        if !is_preferred(ptype)
            && can_coerce_implicitly(ptype, ntype)
            && !can_coerce_implicitly(ntype, ptype)
        {
            ptype = ntype;
        }
    }
    Ok(ptype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_result_types_match_postgres() {
        assert_eq!(
            resolve_binary(BinOp::Add, oid::INT4, oid::INT4).unwrap().2,
            oid::INT4
        );
        assert_eq!(
            resolve_binary(BinOp::Add, oid::INT8, oid::INT4).unwrap().2,
            oid::INT8
        );
        assert_eq!(
            resolve_binary(BinOp::Div, oid::INT4, oid::NUMERIC)
                .unwrap()
                .2,
            oid::NUMERIC
        );
        assert_eq!(
            resolve_binary(BinOp::Mul, oid::NUMERIC, oid::FLOAT8)
                .unwrap()
                .2,
            oid::FLOAT8
        );
        assert_eq!(
            resolve_binary(BinOp::Pow, oid::INT4, oid::INT4).unwrap().2,
            oid::FLOAT8
        );
        assert_eq!(
            resolve_binary(BinOp::Sub, oid::DATE, oid::DATE).unwrap().2,
            oid::INT4
        );
        assert_eq!(
            resolve_binary(BinOp::Sub, oid::TIMESTAMPTZ, oid::TIMESTAMPTZ)
                .unwrap()
                .2,
            oid::INTERVAL
        );
        assert_eq!(
            resolve_binary(BinOp::Concat, oid::INT4, oid::UNKNOWN)
                .unwrap()
                .2,
            oid::TEXT
        );
        assert_eq!(
            resolve_binary(BinOp::Eq, oid::UNKNOWN, oid::INT4)
                .unwrap()
                .0,
            oid::INT4
        );
        let e = resolve_binary(BinOp::Add, oid::INT4, oid::TEXT).unwrap_err();
        assert_eq!(e.code, "42883");
        assert_eq!(e.message, "operator does not exist: integer + text");
        assert_eq!(
            resolve_binary(BinOp::Mod, oid::FLOAT8, oid::FLOAT8)
                .unwrap_err()
                .code,
            "42883"
        );
    }

    #[test]
    fn common_types() {
        assert_eq!(
            common_type(&[oid::INT4, oid::NUMERIC], "CASE").unwrap(),
            oid::NUMERIC
        );
        assert_eq!(
            common_type(&[oid::UNKNOWN, oid::UNKNOWN], "CASE").unwrap(),
            oid::TEXT
        );
        assert_eq!(
            common_type(&[oid::UNKNOWN, oid::INT8], "CASE").unwrap(),
            oid::INT8
        );
        let e = common_type(&[oid::INT4, oid::TEXT], "CASE").unwrap_err();
        assert_eq!(e.message, "CASE types integer and text cannot be matched");
    }
}
