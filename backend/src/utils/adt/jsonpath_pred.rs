//! The tests of jsonpath predicates (PostgreSQL's compareItems,
//! executeStartsWith, executeLikeRegex), their three-valued result, and
//! `.keyvalue()`'s object ids (an object's byte offset in the binary
//! jsonb of the document, which this computes from PostgreSQL's layout).

use crate::error::PgResult;
use crate::types::json::Jsonb;
use crate::types::jsonpath::BinOp;
use crate::utils::adt::regex;

/// A predicate's value: SQL/JSON's true, false and unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

/// compareItems: scalars of one kind compare; null against another kind
/// is unequal; other mixes, and arrays or objects, are unknown.
pub fn compare(op: BinOp, a: &Jsonb, b: Option<&Jsonb>) -> Tri {
    let Some(b) = b else { return Tri::Unknown };
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x.cmp(y),
        (Jsonb::Number(x), Jsonb::Number(y)) => x.cmp_total(y),
        (Jsonb::String(x), Jsonb::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Jsonb::Null, _) | (_, Jsonb::Null) => {
            return if op == BinOp::Ne {
                Tri::True
            } else {
                Tri::False
            }
        }
        _ => return Tri::Unknown,
    };
    let t = match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Ge => ord != Ordering::Less,
        _ => return Tri::Unknown,
    };
    if t {
        Tri::True
    } else {
        Tri::False
    }
}

/// `starts with`: both strings, else unknown.
pub fn starts_with(whole: &Jsonb, initial: Option<&Jsonb>) -> Tri {
    match (whole, initial) {
        (Jsonb::String(w), Some(Jsonb::String(i))) => {
            if w.starts_with(i.as_str()) {
                Tri::True
            } else {
                Tri::False
            }
        }
        _ => Tri::Unknown,
    }
}

/// `like_regex`: XQuery's flags as PostgreSQL maps them onto its regular
/// expressions (`i` case-insensitive; without `s` a dot does not match a
/// newline; `m` anchors at lines; `q` literal).
pub fn like_regex(s: &Jsonb, pattern: &str, flags: &str) -> PgResult<Tri> {
    let Jsonb::String(s) = s else {
        return Ok(Tri::Unknown);
    };
    let mut f = String::new();
    if flags.contains('i') {
        f.push('i');
    }
    if flags.contains('q') {
        f.push('q');
    } else {
        match (flags.contains('s'), flags.contains('m')) {
            (false, false) => f.push('p'),
            (false, true) => f.push('n'),
            (true, true) => f.push('w'),
            (true, false) => {}
        }
    }
    Ok(if regex::regexp_like(s, pattern, &f)? {
        Tri::True
    } else {
        Tri::False
    })
}

/// The id `.keyvalue()` gives `obj`: its byte offset in the binary jsonb
/// of `root` (the first object there equal to it), 0 for the root itself
/// or an object found nowhere in it.
pub fn object_id(root: &Jsonb, obj: &Jsonb) -> i64 {
    if root == obj {
        return 0;
    }
    let mut pos = 0;
    find(root, obj, &mut pos).unwrap_or(0) as i64
}

fn pad(pos: usize) -> usize {
    (pos + 3) & !3
}

/// The size of a numeric datum in jsonb (a 4-byte varlena header, the
/// short or long numeric header, base-10000 digits).
fn numeric_size(n: &crate::types::Numeric) -> usize {
    let (digits, weight) = n.base10000();
    let short = n.scale() <= 63 && (-64..=63).contains(&weight);
    4 + if short { 2 } else { 4 } + 2 * digits.len()
}

/// Walks `c`, a container starting at byte `*pos` (relative to the
/// root's start), leaving `*pos` after it; the offset of the first
/// container equal to `obj` below it.
fn find(c: &Jsonb, obj: &Jsonb, pos: &mut usize) -> Option<usize> {
    let children: Vec<&Jsonb> = match c {
        Jsonb::Array(a) => a.iter().collect(),
        Jsonb::Object(o) => o.iter().map(|(_, v)| v).collect(),
        _ => return None,
    };
    let entries = match c {
        Jsonb::Object(o) => 2 * o.len(),
        _ => children.len(),
    };
    *pos += 4 + 4 * entries;
    if let Jsonb::Object(o) = c {
        for (k, _) in o {
            *pos += k.len();
        }
    }
    let mut hit = None;
    for v in children {
        match v {
            Jsonb::String(s) => *pos += s.len(),
            Jsonb::Number(n) => *pos = pad(*pos) + numeric_size(n),
            Jsonb::Array(_) | Jsonb::Object(_) => {
                *pos = pad(*pos);
                if hit.is_none() && v == obj {
                    hit = Some(*pos);
                }
                let inner = find(v, obj, pos);
                hit = hit.or(inner);
            }
            Jsonb::Null | Jsonb::Bool(_) => {}
        }
    }
    hit
}
