//! Operations on array values (the rest of PostgreSQL's arrayfuncs.c and
//! array_userfuncs.c): comparison as array_cmp orders arrays, element-wise
//! casts, subscripts and slices, concatenation, containment, the
//! accumulation of sub-arrays into a higher-dimensional array, and the
//! array functions (array_length, array_position, array_remove,
//! array_to_string, string_to_array, ...). Pure functions of values; the
//! fmgr table `fmgr::arrays` and the executor call them.

use std::cmp::Ordering;

use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::{check_for_interrupts_now, Ticker};
use crate::types::array::{
    self, make, view, ArrayRef, ARRAY_SUBSCRIPT_ERROR, MAXDIM, NULL_VALUE_NOT_ALLOWED,
};
use crate::types::{Oid, Value};
use crate::utils::adt::ops;

fn not_array() -> PgError {
    PgError::internal("array function called on a non-array value")
}

fn arg(v: &Value) -> PgResult<ArrayRef<'_>> {
    view(v).ok_or_else(not_array)
}

/// Element equality as IS NOT DISTINCT FROM (array_position, array_remove,
/// array_replace: two NULLs match).
fn not_distinct(a: &Value, b: &Value) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => ops::compare(a, b) == Ordering::Equal,
        _ => false,
    }
}

/// array_cmp: elements in order (a NULL element sorts after any value and
/// equals another NULL), then the number of elements, the number of
/// dimensions, the dimensions and the lower bounds.
pub fn compare(a: &ArrayRef, b: &ArrayRef) -> Ordering {
    for (x, y) in a.items.iter().zip(b.items) {
        let o = ops::compare(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.items
        .len()
        .cmp(&b.items.len())
        .then(a.ndim().cmp(&b.ndim()))
        .then_with(|| a.dims.cmp(&b.dims))
        .then_with(|| a.lbounds.cmp(&b.lbounds))
}

/// [`compare`] of two array values.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (view(a), view(b)) {
        (Some(x), Some(y)) => compare(&x, &y),
        _ => a.to_text().cmp(&b.to_text()),
    }
}

/// An array of type `from` cast element by element to array type `to`
/// (with the element typmod, as varchar(3)[]).
pub fn cast(v: Value, to: Oid, typmod: i32) -> PgResult<Value> {
    let to_elem = array::array_element(to);
    let a = arg(&v)?;
    let from_elem = a.elem;
    let items = a
        .items
        .iter()
        .map(|x| ops::cast(x.clone(), from_elem, to_elem, typmod))
        .collect::<PgResult<Vec<_>>>()?;
    Ok(make(to_elem, a.dims.clone(), a.lbounds.clone(), items))
}

/// The element typmod applied to every element (varchar(n)[], numeric(p,s)[]).
pub fn apply_typmod(v: Value, typmod: i32) -> PgResult<Value> {
    let elem = arg(&v)?.elem;
    map_elements(v, |x| ops::apply_typmod(x, elem, typmod))
}

/// The array with `f` applied to each non-NULL element.
pub fn map_elements(v: Value, mut f: impl FnMut(Value) -> PgResult<Value>) -> PgResult<Value> {
    let a = arg(&v)?;
    let items = a
        .items
        .iter()
        .map(|x| {
            if x.is_null() {
                Ok(Value::Null)
            } else {
                f(x.clone())
            }
        })
        .collect::<PgResult<Vec<_>>>()?;
    Ok(make(a.elem, a.dims.clone(), a.lbounds.clone(), items))
}

// ---------------------------------------------------------------------
// Subscripts.

/// One subscript: `[i]` (lower None, not a slice) or `[lo:hi]` with either
/// bound omitted. NULL bounds are handled by the caller.
#[derive(Clone, Copy, Debug)]
pub struct Sub {
    pub lower: Option<i32>,
    pub upper: Option<i32>,
    pub slice: bool,
}

/// `a[i][j]...` (array_get_element): the element, or NULL when the
/// number of subscripts is not the array's or one is out of range.
pub fn fetch(v: &Value, subs: &[i32]) -> PgResult<Value> {
    let a = arg(v)?;
    if subs.len() != a.ndim() {
        return Ok(Value::Null);
    }
    let mut offset: usize = 0;
    for (k, &i) in subs.iter().enumerate() {
        let (lb, d) = (a.lbounds[k] as i64, a.dims[k] as i64);
        let i = i as i64;
        if i < lb || i >= lb + d {
            return Ok(Value::Null);
        }
        offset = offset * d as usize + (i - lb) as usize;
    }
    Ok(a.items.get(offset).cloned().unwrap_or(Value::Null))
}

/// `a[lo:hi]...` (array_get_slice): the elements within the bounds, as an
/// array with lower bounds 1; `[i]` in a slice means `[1:i]`; omitted
/// bounds are the array's; dimensions without a subscript are whole.
pub fn slice(v: &Value, subs: &[Sub]) -> PgResult<Value> {
    let a = arg(v)?;
    if subs.len() > a.ndim() || a.ndim() == 0 {
        return Ok(Value::Array(a.elem, vec![]));
    }
    let n = a.ndim();
    let mut lo = Vec::with_capacity(n);
    let mut hi = Vec::with_capacity(n);
    for k in 0..n {
        let (lb, d) = (a.lbounds[k] as i64, a.dims[k] as i64);
        let (l, h) = match subs.get(k) {
            Some(s) => (
                if s.slice {
                    s.lower.map_or(lb, i64::from)
                } else {
                    1
                },
                s.upper.map_or(lb + d - 1, i64::from),
            ),
            None => (lb, lb + d - 1),
        };
        let (l, h) = (l.max(lb), h.min(lb + d - 1));
        if l > h {
            return Ok(Value::Array(a.elem, vec![]));
        }
        lo.push(l);
        hi.push(h);
    }
    let dims: Vec<i32> = lo
        .iter()
        .zip(&hi)
        .map(|(l, h)| (h - l + 1) as i32)
        .collect();
    let mut items = Vec::with_capacity(array::checked_nitems(&dims)?);
    let mut idx = lo.clone();
    loop {
        let offset = idx
            .iter()
            .zip(a.dims.iter().zip(&a.lbounds))
            .fold(0usize, |off, (i, (d, l))| {
                off * *d as usize + (i - *l as i64) as usize
            });
        items.push(a.items[offset].clone());
        // Advance the last index fastest.
        let mut k = n;
        loop {
            if k == 0 {
                return Ok(make(a.elem, dims, vec![1; n], items));
            }
            k -= 1;
            if idx[k] < hi[k] {
                idx[k] += 1;
                break;
            }
            idx[k] = lo[k];
        }
    }
}

// ---------------------------------------------------------------------
// Building arrays.

/// Sub-arrays stacked into an array of one more dimension (array_agg of
/// arrays, ARRAY(subquery) over an array column): all must have the same
/// dimensions; none may be NULL or empty.
pub fn accumulate(elem: Oid, parts: &[Value]) -> PgResult<Value> {
    let mut items = Vec::new();
    let mut shape: Option<(Vec<i32>, Vec<i32>)> = None;
    for p in parts {
        let Some(a) = view(p) else {
            return Err(PgError::new(
                NULL_VALUE_NOT_ALLOWED,
                "cannot accumulate null arrays",
            ));
        };
        if a.ndim() == 0 {
            return Err(PgError::new(
                ARRAY_SUBSCRIPT_ERROR,
                "cannot accumulate empty arrays",
            ));
        }
        if a.ndim() + 1 > MAXDIM {
            return Err(array::too_many_dims(a.ndim() + 1));
        }
        match &shape {
            None => shape = Some((a.dims.clone(), a.lbounds.clone())),
            Some((d, l)) if *d == a.dims && *l == a.lbounds => {}
            Some(_) => {
                return Err(PgError::new(
                    ARRAY_SUBSCRIPT_ERROR,
                    "cannot accumulate arrays of different dimensionality",
                ))
            }
        }
        items.extend_from_slice(a.items);
    }
    let Some((d, l)) = shape else {
        return Ok(Value::Array(elem, vec![]));
    };
    let dims = std::iter::once(parts.len() as i32).chain(d).collect();
    let lbounds = std::iter::once(1).chain(l).collect();
    Ok(make(elem, dims, lbounds, items))
}

/// ARRAY[sub, sub, ...] over arrays (ExecEvalArrayExpr's multidims case):
/// NULL and empty sub-arrays are skipped if all are, else an error; the
/// others must match.
pub fn construct_md(elem: Oid, parts: &[Value]) -> PgResult<Value> {
    let mismatch = || {
        PgError::new(
            ARRAY_SUBSCRIPT_ERROR,
            "multidimensional arrays must have array expressions with matching dimensions",
        )
    };
    let empty = |v: &Value| view(v).is_none_or(|a| a.ndim() == 0);
    if parts.iter().all(empty) {
        return Ok(Value::Array(elem, vec![]));
    }
    if parts.iter().any(empty) {
        return Err(mismatch());
    }
    accumulate(elem, parts).map_err(|e| {
        if e.code == ARRAY_SUBSCRIPT_ERROR {
            mismatch()
        } else {
            e
        }
    })
}

fn incompatible(detail: String) -> PgError {
    PgError::new(
        ARRAY_SUBSCRIPT_ERROR,
        "cannot concatenate incompatible arrays",
    )
    .with_detail(detail)
}

/// array_cat(a, b) (`||` of two arrays): along the first dimension, or
/// one array added as an element of the other one of one more dimension.
/// NULL or empty operands give the other one.
pub fn cat(a: &Value, b: &Value) -> PgResult<Value> {
    let (x, y) = match (view(a), view(b)) {
        (None, _) => return Ok(b.clone()),
        (_, None) => return Ok(a.clone()),
        (Some(x), Some(y)) => (x, y),
    };
    if x.ndim() == 0 {
        return Ok(b.clone());
    }
    if y.ndim() == 0 {
        return Ok(a.clone());
    }
    let (n1, n2) = (x.ndim(), y.ndim());
    let items: Vec<Value> = x.items.iter().chain(y.items).cloned().collect();
    let (dims, lbounds) = if n1 == n2 {
        if x.dims[1..] != y.dims[1..] || x.lbounds[1..] != y.lbounds[1..] {
            return Err(incompatible(
                "Arrays with differing element dimensions are not compatible for concatenation."
                    .into(),
            ));
        }
        let mut d = x.dims.clone();
        d[0] = d[0].saturating_add(y.dims[0]);
        (d, x.lbounds.clone())
    } else if n1 + 1 == n2 || n1 == n2 + 1 {
        let (outer, inner) = if n1 + 1 == n2 { (&y, &x) } else { (&x, &y) };
        if outer.dims[1..] != inner.dims[..] || outer.lbounds[1..] != inner.lbounds[..] {
            return Err(incompatible(
                "Arrays with differing dimensions are not compatible for concatenation.".into(),
            ));
        }
        let mut d = outer.dims.clone();
        d[0] += 1;
        (d, outer.lbounds.clone())
    } else {
        return Err(incompatible(format!(
            "Arrays of {n1} and {n2} dimensions are not compatible for concatenation."
        )));
    };
    array::checked_nitems(&dims)?;
    Ok(make(x.elem, dims, lbounds, items))
}

fn one_dim_only() -> PgError {
    PgError::new(
        sqlstate::DATA_EXCEPTION,
        "argument must be empty or one-dimensional array",
    )
}

/// array_append(a, x): `x` after the last element (a NULL array is empty).
pub fn append(a: &Value, x: &Value, elem: Oid) -> PgResult<Value> {
    push(a, x, elem, false)
}

/// array_prepend(x, a): `x` before the first element, keeping the lower
/// bound.
pub fn prepend(x: &Value, a: &Value, elem: Oid) -> PgResult<Value> {
    push(a, x, elem, true)
}

fn push(a: &Value, x: &Value, elem: Oid, front: bool) -> PgResult<Value> {
    let Some(v) = view(a) else {
        return Ok(Value::Array(elem, vec![x.clone()]));
    };
    match v.ndim() {
        0 => Ok(Value::Array(v.elem, vec![x.clone()])),
        1 => {
            let lb = v.lbounds[0];
            if v.dims[0] == i32::MAX || lb.checked_add(v.dims[0]).is_none() {
                return Err(PgError::new(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "integer out of range",
                ));
            }
            let mut items = Vec::with_capacity(v.items.len() + 1);
            if front {
                items.push(x.clone());
            }
            items.extend_from_slice(v.items);
            if !front {
                items.push(x.clone());
            }
            Ok(make(v.elem, vec![v.dims[0] + 1], vec![lb], items))
        }
        _ => Err(one_dim_only()),
    }
}

/// array_remove(a, x): without the elements not distinct from `x`
/// (one-dimensional arrays only).
pub fn remove(a: &Value, x: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    if v.ndim() > 1 {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "removing elements from multidimensional arrays is not supported",
        ));
    }
    let items: Vec<Value> = v
        .items
        .iter()
        .filter(|e| !not_distinct(e, x))
        .cloned()
        .collect();
    if items.len() == v.items.len() {
        return Ok(a.clone());
    }
    let lb = v.lbounds.first().copied().unwrap_or(1);
    Ok(make(v.elem, vec![items.len() as i32], vec![lb], items))
}

/// array_replace(a, x, y): every element not distinct from `x` becomes `y`.
pub fn replace(a: &Value, x: &Value, y: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    let items = v
        .items
        .iter()
        .map(|e| {
            if not_distinct(e, x) {
                y.clone()
            } else {
                e.clone()
            }
        })
        .collect();
    Ok(make(v.elem, v.dims.clone(), v.lbounds.clone(), items))
}

fn search_one_dim(v: &ArrayRef) -> PgResult<()> {
    if v.ndim() > 1 {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "searching for elements in multidimensional arrays is not supported",
        ));
    }
    Ok(())
}

/// array_position(a, x [, start]): the subscript of the first element not
/// distinct from `x` at or after `start`, NULL if none.
pub fn position(a: &Value, x: &Value, start: Option<&Value>) -> PgResult<Value> {
    let v = arg(a)?;
    search_one_dim(&v)?;
    let lb = v.lbounds.first().copied().unwrap_or(1);
    let from = match start {
        None => lb,
        Some(Value::Int4(s)) => *s,
        Some(_) => {
            return Err(PgError::new(
                NULL_VALUE_NOT_ALLOWED,
                "initial position must not be null",
            ))
        }
    };
    let skip = (from as i64 - lb as i64).max(0) as usize;
    Ok(v.items
        .iter()
        .enumerate()
        .skip(skip)
        .find(|(_, e)| not_distinct(e, x))
        .map_or(Value::Null, |(i, _)| Value::Int4(lb + i as i32)))
}

/// array_positions(a, x): the subscripts of every element not distinct
/// from `x`, as int4[].
pub fn positions(a: &Value, x: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    search_one_dim(&v)?;
    let lb = v.lbounds.first().copied().unwrap_or(1);
    let found = v
        .items
        .iter()
        .enumerate()
        .filter(|(_, e)| not_distinct(e, x))
        .map(|(i, _)| Value::Int4(lb + i as i32))
        .collect();
    Ok(Value::Array(crate::types::oid::INT4, found))
}

/// `a @> b` (arraycontains): every element of `b` equals some element of
/// `a`; a NULL element matches nothing.
pub fn contains(a: &Value, b: &Value) -> PgResult<bool> {
    let (x, y) = (arg(a)?, arg(b)?);
    Ok(y.items.iter().all(|e| {
        !e.is_null()
            && x.items
                .iter()
                .any(|f| !f.is_null() && ops::compare(e, f) == Ordering::Equal)
    }))
}

/// `a && b` (arrayoverlap): some non-NULL element is in both.
pub fn overlap(a: &Value, b: &Value) -> PgResult<bool> {
    let (x, y) = (arg(a)?, arg(b)?);
    Ok(x.items.iter().any(|e| {
        !e.is_null()
            && y.items
                .iter()
                .any(|f| !f.is_null() && ops::compare(e, f) == Ordering::Equal)
    }))
}

/// Dimension `d` (1-based) of `a`, if it has one.
fn dim(a: &Value, d: &Value) -> PgResult<Option<(i32, i32)>> {
    let v = arg(a)?;
    let Value::Int4(d) = d else {
        return Ok(None);
    };
    if *d < 1 || *d as usize > v.ndim() {
        return Ok(None);
    }
    let k = *d as usize - 1;
    Ok(Some((v.lbounds[k], v.dims[k])))
}

/// array_length(a, d).
pub fn length(a: &Value, d: &Value) -> PgResult<Value> {
    Ok(dim(a, d)?.map_or(Value::Null, |(_, n)| Value::Int4(n)))
}

/// array_lower(a, d).
pub fn lower(a: &Value, d: &Value) -> PgResult<Value> {
    Ok(dim(a, d)?.map_or(Value::Null, |(l, _)| Value::Int4(l)))
}

/// array_upper(a, d).
pub fn upper(a: &Value, d: &Value) -> PgResult<Value> {
    Ok(dim(a, d)?.map_or(Value::Null, |(l, n)| Value::Int4(l + n - 1)))
}

/// array_ndims(a): NULL for the empty array.
pub fn ndims(a: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    Ok(match v.ndim() {
        0 => Value::Null,
        n => Value::Int4(n as i32),
    })
}

/// array_dims(a): `[1:2][0:3]`, NULL for the empty array.
pub fn dims_text(a: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    if v.ndim() == 0 {
        return Ok(Value::Null);
    }
    let s: String = v
        .dims
        .iter()
        .zip(&v.lbounds)
        .map(|(d, l)| format!("[{}:{}]", l, l + d - 1))
        .collect();
    Ok(Value::Text(s))
}

/// cardinality(a): the number of elements.
pub fn cardinality(a: &Value) -> PgResult<Value> {
    Ok(Value::Int4(arg(a)?.items.len() as i32))
}

/// trim_array(a, n): without its last `n` elements (first dimension).
pub fn trim(a: &Value, n: &Value) -> PgResult<Value> {
    let v = arg(a)?;
    let Value::Int4(n) = *n else {
        return Ok(Value::Null);
    };
    let len = v.dims.first().copied().unwrap_or(0);
    if n < 0 || n > len {
        return Err(PgError::new(
            ARRAY_SUBSCRIPT_ERROR,
            "number of elements to trim must be between 0 and the length of the array",
        ));
    }
    let per: usize = v.dims.iter().skip(1).map(|d| *d as usize).product();
    let keep = (len - n) as usize * per;
    let mut dims = v.dims.clone();
    if let Some(d) = dims.first_mut() {
        *d = len - n;
    }
    Ok(make(
        v.elem,
        dims,
        v.lbounds.clone(),
        v.items[..keep].to_vec(),
    ))
}

/// array_to_string(a, delimiter [, null_string]): the elements' text
/// joined; NULL elements skipped, or shown as `null_string` when given.
pub fn to_string(a: &Value, delim: &Value, null_str: Option<&Value>) -> PgResult<Value> {
    let (v, Value::Text(delim)) = (arg(a)?, delim) else {
        return Ok(Value::Null);
    };
    let null_str = match null_str {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut out = String::new();
    let mut first = true;
    let mut tick = Ticker::new();
    for e in v.items {
        tick.tick()?;
        let t = if e.is_null() {
            match null_str {
                Some(s) => s.to_owned(),
                None => continue,
            }
        } else {
            e.to_text()
        };
        if !first {
            out.push_str(delim);
        }
        first = false;
        out.push_str(&t);
    }
    Ok(Value::Text(out))
}

/// string_to_array(s, delimiter [, null_string]) → text[]: a NULL
/// delimiter splits into characters, an empty one gives the whole string;
/// fields equal to `null_string` are NULL.
pub fn string_to_array(s: &Value, delim: &Value, null_str: Option<&Value>) -> PgResult<Value> {
    let Value::Text(s) = s else {
        return Ok(Value::Null);
    };
    let null_str = match null_str {
        Some(Value::Text(n)) => Some(n.as_str()),
        _ => None,
    };
    let elem = crate::types::oid::TEXT;
    if s.is_empty() {
        return Ok(Value::Array(elem, vec![]));
    }
    let fields: Vec<&str> = match delim {
        Value::Text(d) if d.is_empty() => vec![s.as_str()],
        Value::Text(d) => s.split(d.as_str()).collect(),
        _ => s
            .char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect(),
    };
    let mut items = Vec::with_capacity(fields.len());
    let mut tick = Ticker::new();
    for f in fields {
        tick.tick()?;
        items.push(if null_str == Some(f) {
            Value::Null
        } else {
            Value::Text(f.to_owned())
        });
    }
    Ok(Value::Array(elem, items))
}

/// array_fill(value, dims [, lbounds]).
pub fn fill(x: &Value, dims: &Value, lbounds: Option<&Value>, elem: Oid) -> PgResult<Value> {
    let ints = |v: &Value, what: &str| -> PgResult<Vec<i32>> {
        let a = view(v).ok_or_else(|| {
            PgError::new(
                NULL_VALUE_NOT_ALLOWED,
                format!("dimension array or low bound array cannot be null{what}"),
            )
        })?;
        if a.ndim() > 1 {
            return Err(
                PgError::new(ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts")
                    .with_detail("Dimension array must be one dimensional."),
            );
        }
        a.items
            .iter()
            .map(|i| match i {
                Value::Int4(n) => Ok(*n),
                _ => Err(PgError::new(
                    NULL_VALUE_NOT_ALLOWED,
                    "dimension values cannot be null",
                )),
            })
            .collect()
    };
    let d = ints(dims, "")?;
    let l = match lbounds {
        Some(l) => ints(l, "")?,
        None => vec![1; d.len()],
    };
    if d.len() != l.len() {
        return Err(
            PgError::new(ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts")
                .with_detail("Low bound array has different size than dimensions array."),
        );
    }
    if d.len() > MAXDIM {
        return Err(array::too_many_dims(d.len()));
    }
    let n = array::checked_nitems(&d)?;
    if n == 0 {
        return Ok(Value::Array(elem, vec![]));
    }
    // Filled a chunk at a time, so that a cancel request or
    // statement_timeout stops a fill of up to MaxArraySize elements.
    let mut items = Vec::with_capacity(n);
    while items.len() < n {
        let k = (n - items.len()).min(FILL_CHUNK);
        items.extend(std::iter::repeat_n(x, k).cloned());
        check_for_interrupts_now()?;
    }
    Ok(make(elem, d, l, items))
}

/// Elements array_fill writes between two interrupt checks.
const FILL_CHUNK: usize = 1 << 14;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    fn arr(s: &str) -> Value {
        Value::parse_text(oid::INT4_ARRAY, s).unwrap()
    }

    fn t(v: PgResult<Value>) -> String {
        v.unwrap().to_text()
    }

    #[test]
    fn comparison_follows_array_cmp() {
        let c = |a: &str, b: &str| compare_values(&arr(a), &arr(b));
        assert_eq!(c("{1,2}", "{1,2}"), Ordering::Equal);
        assert_eq!(c("{1,2}", "{1,3}"), Ordering::Less);
        assert_eq!(c("{1}", "{1,2}"), Ordering::Less);
        assert_eq!(c("{1,NULL}", "{1,NULL}"), Ordering::Equal);
        assert_eq!(c("{1,NULL}", "{1,2}"), Ordering::Greater);
        assert_eq!(c("{{1,2}}", "{1,2}"), Ordering::Greater);
        assert_eq!(c("[0:1]={1,2}", "{1,2}"), Ordering::Less);
        assert_eq!(c("{}", "{1}"), Ordering::Less);
    }

    #[test]
    fn subscripts_and_slices() {
        let a = arr("{1,2,3}");
        assert_eq!(fetch(&a, &[2]).unwrap(), Value::Int4(2));
        assert_eq!(fetch(&a, &[5]).unwrap(), Value::Null);
        assert_eq!(fetch(&a, &[1, 1]).unwrap(), Value::Null);
        let m = arr("{{1,2},{3,4}}");
        assert_eq!(fetch(&m, &[2, 1]).unwrap(), Value::Int4(3));
        assert_eq!(fetch(&m, &[2]).unwrap(), Value::Null);
        let s = |v: &Value, subs: &[(Option<i32>, Option<i32>, bool)]| {
            let subs: Vec<Sub> = subs
                .iter()
                .map(|&(lower, upper, slice)| Sub {
                    lower,
                    upper,
                    slice,
                })
                .collect();
            t(slice(v, &subs))
        };
        assert_eq!(s(&a, &[(Some(2), Some(3), true)]), "{2,3}");
        assert_eq!(s(&m, &[(Some(1), Some(1), true)]), "{{1,2}}");
        assert_eq!(
            s(&m, &[(None, Some(2), false), (Some(2), None, true)]),
            "{{2},{4}}"
        );
        let z = arr("[0:2]={1,2,3}");
        assert_eq!(s(&z, &[(None, Some(1), true)]), "{1,2}");
        assert_eq!(s(&z, &[(Some(1), None, true)]), "{2,3}");
        assert_eq!(s(&a, &[(Some(5), Some(9), true)]), "{}");
        assert_eq!(
            s(&a, &[(Some(1), Some(1), true), (Some(1), Some(1), true)]),
            "{}"
        );
    }

    #[test]
    fn concatenation() {
        assert_eq!(t(cat(&arr("{1,2}"), &arr("{3,4}"))), "{1,2,3,4}");
        assert_eq!(t(cat(&arr("{{1,2}}"), &arr("{3,4}"))), "{{1,2},{3,4}}");
        assert_eq!(t(cat(&arr("{1,2}"), &arr("{{3,4}}"))), "{{1,2},{3,4}}");
        assert_eq!(t(cat(&Value::Null, &arr("{3}"))), "{3}");
        assert_eq!(t(cat(&arr("{}"), &arr("{3}"))), "{3}");
        let e = cat(&arr("{{1,2}}"), &arr("{3}")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("2202E", "cannot concatenate incompatible arrays")
        );
        assert_eq!(
            t(append(&arr("[0:1]={1,2}"), &Value::Int4(3), oid::INT4)),
            "[0:2]={1,2,3}"
        );
        assert_eq!(t(prepend(&Value::Int4(0), &arr("{1}"), oid::INT4)), "{0,1}");
        assert_eq!(t(append(&Value::Null, &Value::Null, oid::INT4)), "{NULL}");
        assert_eq!(
            append(&arr("{{1}}"), &Value::Int4(1), oid::INT4)
                .unwrap_err()
                .code,
            "22000"
        );
    }

    #[test]
    fn functions_match_postgres() {
        let a = arr("{1,2,3,2}");
        assert_eq!(position(&a, &Value::Int4(2), None).unwrap(), Value::Int4(2));
        assert_eq!(
            position(&a, &Value::Int4(2), Some(&Value::Int4(3))).unwrap(),
            Value::Int4(4)
        );
        assert_eq!(position(&a, &Value::Null, None).unwrap(), Value::Null);
        assert_eq!(t(positions(&a, &Value::Int4(2))), "{2,4}");
        assert_eq!(t(remove(&a, &Value::Int4(2))), "{1,3}");
        assert_eq!(
            t(replace(&a, &Value::Int4(2), &Value::Int4(9))),
            "{1,9,3,9}"
        );
        assert_eq!(t(remove(&arr("{1,NULL}"), &Value::Null)), "{1}");
        assert!(contains(&arr("{1,2}"), &arr("{2}")).unwrap());
        assert!(!contains(&arr("{1,NULL}"), &arr("{NULL}")).unwrap());
        assert!(contains(&arr("{1}"), &arr("{}")).unwrap());
        assert!(!overlap(&arr("{1,2}"), &arr("{3}")).unwrap());
        assert_eq!(t(dims_text(&arr("[0:1]={1,2}"))), "[0:1]");
        assert_eq!(dims_text(&arr("{}")).unwrap(), Value::Null);
        assert_eq!(length(&arr("{}"), &Value::Int4(1)).unwrap(), Value::Null);
        assert_eq!(
            upper(&arr("{{1,2},{3,4}}"), &Value::Int4(2)).unwrap(),
            Value::Int4(2)
        );
        assert_eq!(cardinality(&arr("{{1,2},{3,4}}")).unwrap(), Value::Int4(4));
        let text = |s: &str| Value::Text(s.into());
        let j = to_string(&arr("{1,NULL,3}"), &text(","), None).unwrap();
        assert_eq!(j, text("1,3"));
        let j = to_string(&arr("{1,NULL,3}"), &text(","), Some(&text("*"))).unwrap();
        assert_eq!(j, text("1,*,3"));
        let s = |x: &str, d: Value, n: Option<&Value>| t(string_to_array(&text(x), &d, n));
        assert_eq!(s("a,b,,c", text(","), None), "{a,b,\"\",c}");
        assert_eq!(s("a,b,,c", text(","), Some(&text(""))), "{a,b,NULL,c}");
        assert_eq!(s("abc", Value::Null, None), "{a,b,c}");
        assert_eq!(s("abc", text(""), None), "{abc}");
        assert_eq!(s("", text(","), None), "{}");
        assert_eq!(t(trim(&arr("{1,2,3}"), &Value::Int4(2))), "{1}");
        let f = fill(&Value::Int4(7), &arr("{2,2}"), None, oid::INT4);
        assert_eq!(t(f), "{{7,7},{7,7}}");
    }

    #[test]
    fn accumulation() {
        let parts = [arr("{1,2}"), arr("{3,4}")];
        assert_eq!(t(accumulate(oid::INT4, &parts)), "{{1,2},{3,4}}");
        let e = accumulate(oid::INT4, &[arr("{1}"), arr("{1,2}")]).unwrap_err();
        assert_eq!(
            e.message,
            "cannot accumulate arrays of different dimensionality"
        );
        assert_eq!(
            accumulate(oid::INT4, &[Value::Null]).unwrap_err().code,
            "22004"
        );
        assert_eq!(t(construct_md(oid::INT4, &[Value::Null, arr("{}")])), "{}");
        assert_eq!(
            construct_md(oid::INT4, &[arr("{1}"), arr("{1,2}")])
                .unwrap_err()
                .code,
            "2202E"
        );
        let c = cast(arr("{1,NULL}"), oid::TEXT_ARRAY, -1).unwrap();
        assert_eq!(
            c,
            Value::Array(oid::TEXT, vec![Value::Text("1".into()), Value::Null])
        );
    }
}
