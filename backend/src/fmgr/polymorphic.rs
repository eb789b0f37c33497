//! Polymorphic function signatures (PostgreSQL's
//! enforce_generic_type_consistency, reduced): a function declared with
//! `anyarray`/`anyelement`/`anynonarray` or the `anycompatible` family
//! takes its element type from the arguments in those positions (the same
//! type for the `any` family, their common type for `anycompatible`), and
//! its polymorphic parameters and result become that element type or its
//! array type.

use super::FuncDef;
use crate::types::array::oids::{
    ANYARRAY, ANYCOMPATIBLE, ANYCOMPATIBLEARRAY, ANYCOMPATIBLENONARRAY, ANYNONARRAY,
};
use crate::types::array::{array_element, array_of, is_polymorphic};
use crate::types::{oid, Oid};
use crate::utils::adt::coerce;

fn is_compatible_family(t: Oid) -> bool {
    matches!(
        t,
        ANYCOMPATIBLE | ANYCOMPATIBLEARRAY | ANYCOMPATIBLENONARRAY
    )
}

fn is_array_position(t: Oid) -> bool {
    matches!(t, ANYARRAY | ANYCOMPATIBLEARRAY)
}

fn is_nonarray_position(t: Oid) -> bool {
    matches!(t, ANYNONARRAY | ANYCOMPATIBLENONARRAY)
}

/// The element type the polymorphic parameters of `declared` stand for,
/// given the argument types; None when the arguments do not fit or
/// determine none (all untyped).
fn element_type(declared: &[Oid], args: &[Oid]) -> Option<Oid> {
    let mut any_family = Vec::new();
    let mut compatible = Vec::new();
    for (&p, &a) in declared.iter().zip(args) {
        if !is_polymorphic(p) || a == oid::UNKNOWN {
            continue;
        }
        let elem = if is_array_position(p) {
            match array_element(a) {
                0 => return None,
                e => e,
            }
        } else {
            if is_nonarray_position(p) && array_element(a) != 0 {
                return None;
            }
            a
        };
        if is_compatible_family(p) {
            compatible.push(elem);
        } else {
            any_family.push(elem);
        }
    }
    if let Some(&first) = any_family.first() {
        // anyelement/anyarray: every argument the same type.
        if any_family.iter().any(|&t| t != first) {
            return None;
        }
        return Some(first);
    }
    if compatible.is_empty() {
        return None;
    }
    coerce::common_type(&compatible, "").ok()
}

/// The concrete parameter types of a signature declared `declared` for
/// arguments of types `args` (same length); the declared ones when none
/// is polymorphic; None when the arguments do not fit.
pub fn concrete_params(declared: &[Oid], args: &[Oid]) -> Option<Vec<Oid>> {
    if !declared.iter().any(|&t| is_polymorphic(t)) {
        return Some(declared.to_vec());
    }
    let elem = element_type(declared, args)?;
    let arr = array_of(elem);
    declared
        .iter()
        .map(|&p| {
            if is_array_position(p) {
                (arr != 0).then_some(arr)
            } else if is_polymorphic(p) {
                Some(elem)
            } else {
                Some(p)
            }
        })
        .collect()
}

/// The result type of `def` called with (already coerced) arguments of
/// types `args`: its declared result, or the element or array type its
/// polymorphic result stands for.
pub fn result_type(def: &FuncDef, args: &[Oid]) -> Oid {
    if !is_polymorphic(def.ret) {
        return def.ret;
    }
    let declared = super::param_types(def, args.len());
    let Some(elem) = element_type(&declared, args) else {
        return oid::UNKNOWN;
    };
    if is_array_position(def.ret) {
        array_of(elem)
    } else {
        elem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_types_resolve_as_postgres() {
        let arr = oid::INT4_ARRAY;
        assert_eq!(
            concrete_params(&[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE], &[arr, oid::UNKNOWN]),
            Some(vec![arr, oid::INT4])
        );
        assert_eq!(
            concrete_params(&[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE], &[arr, oid::NUMERIC]),
            Some(vec![oid::NUMERIC_ARRAY, oid::NUMERIC])
        );
        assert_eq!(
            concrete_params(
                &[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE],
                &[oid::UNKNOWN, oid::INT4]
            ),
            Some(vec![arr, oid::INT4])
        );
        assert_eq!(
            concrete_params(&[ANYCOMPATIBLEARRAY, ANYCOMPATIBLE], &[arr, oid::TEXT]),
            None
        );
        assert_eq!(
            concrete_params(&[ANYARRAY, ANYARRAY], &[arr, oid::INT8_ARRAY]),
            None
        );
        assert_eq!(
            concrete_params(&[ANYARRAY, oid::INT4], &[oid::INT4, oid::INT4]),
            None
        );
        assert_eq!(concrete_params(&[ANYARRAY], &[oid::UNKNOWN]), None);
        assert_eq!(
            concrete_params(&[oid::TEXT, oid::INT4], &[oid::UNKNOWN, oid::INT2]),
            Some(vec![oid::TEXT, oid::INT4])
        );
    }
}
