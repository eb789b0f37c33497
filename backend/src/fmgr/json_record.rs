//! JSON objects into composite values (PostgreSQL's populate_record):
//! json(b)_populate_record(set) fill a row type's fields from an
//! object's members of the same names (the base value's fields, or
//! NULL, for the keys missing), json(b)_to_record(set) the columns of a
//! column definition list. A member's value goes into its field as
//! PostgreSQL's populate_record_field does: JSON null is NULL; a json or
//! jsonb field takes the member's JSON text; a composite field an object
//! (recursively) or a string in the row type's text form; an array field
//! a JSON array (nested arrays for more dimensions) or a string in the
//! array's text form; any other field the string's contents, or the JSON
//! text of a number, boolean, array or object, read by the type's input
//! function and then its type modifier.
//!
//! The row to fill is described by a template: a composite value whose
//! fields carry the types and, as `Value::Int4`, the type modifiers (the
//! analyzer builds it from the row type or the column definition list,
//! and passes it as a constant argument after the function's own).

use std::sync::Arc;

use crate::access::table::assign as apply_typmod;
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::json::{self, Jsonb, Raw};
use crate::types::record::RecordValue;
use crate::types::{array, composite, oid, Oid, Value};

/// A JSON value and its text, from a json document (its own text) or a
/// jsonb one (its output form).
struct Item {
    kind: Kind,
    json: String,
}

enum Kind {
    Null,
    String(String),
    /// A number or a boolean.
    Scalar,
    Array(Vec<Item>),
    Object(Vec<(String, Item)>),
}

fn from_raw(r: &Raw<'_>, text: &str) -> Item {
    let kind = match r {
        Raw::Null => Kind::Null,
        Raw::Bool(_) | Raw::Number(_) => Kind::Scalar,
        Raw::String(s) => Kind::String(s.clone()),
        Raw::Array(items) => Kind::Array(items.iter().map(|(v, t)| from_raw(v, t)).collect()),
        Raw::Object(members) => Kind::Object(
            members
                .iter()
                .map(|(k, v, t)| (k.clone(), from_raw(v, t)))
                .collect(),
        ),
    };
    Item {
        kind,
        json: text.trim().to_owned(),
    }
}

fn from_jsonb(j: &Jsonb) -> Item {
    let kind = match j {
        Jsonb::Null => Kind::Null,
        Jsonb::Bool(_) | Jsonb::Number(_) => Kind::Scalar,
        Jsonb::String(s) => Kind::String(s.clone()),
        Jsonb::Array(items) => Kind::Array(items.iter().map(from_jsonb).collect()),
        Jsonb::Object(members) => Kind::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), from_jsonb(v)))
                .collect(),
        ),
    };
    Item {
        kind,
        json: j.to_text(),
    }
}

/// The document of a json or jsonb argument (None for NULL).
fn document(doc: &Value) -> PgResult<Option<Item>> {
    Ok(match doc {
        Value::Null => None,
        Value::Jsonb(j) => Some(from_jsonb(j)),
        Value::Json(s) | Value::Text(s) => Some(from_raw(&json::parse_raw(s, false)?, s)),
        _ => return Err(PgError::internal("populate_record: not a json value")),
    })
}

fn invalid(msg: String) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// What a non-object gives where a row is expected.
fn not_an_object(k: &Kind) -> PgError {
    let what = match k {
        Kind::Array(_) => "an array",
        _ => "a scalar",
    };
    invalid(format!("cannot call populate_composite on {what}"))
}

/// The row a template describes: its type, field names, types and type
/// modifiers.
pub struct RowShape {
    pub typ: Oid,
    pub names: Option<Arc<Vec<String>>>,
    pub types: Vec<Oid>,
    pub typmods: Vec<i32>,
}

impl RowShape {
    pub fn of_template(t: &Value) -> PgResult<RowShape> {
        let Value::Record(r) = t else {
            return Err(PgError::internal("populate_record: no row template"));
        };
        Ok(RowShape {
            typ: r.typ,
            names: r.names.clone(),
            types: r.fields.iter().map(|f| f.0).collect(),
            typmods: r
                .fields
                .iter()
                .map(|f| match f.1 {
                    Value::Int4(m) => m,
                    _ => -1,
                })
                .collect(),
        })
    }

    fn of_type(t: Oid) -> Option<RowShape> {
        let c = composite::by_oid(t)?;
        Some(RowShape {
            typ: t,
            names: Some(Arc::clone(&c.names)),
            types: c.types.clone(),
            typmods: c.typmods.clone(),
        })
    }

    /// The template value describing a row type.
    pub fn template(typ: Oid, names: Vec<String>, types: &[(Oid, i32)]) -> Value {
        Value::Record(Box::new(RecordValue {
            typ,
            names: Some(Arc::new(names)),
            fields: types.iter().map(|&(t, m)| (t, Value::Int4(m))).collect(),
        }))
    }

    fn name(&self, i: usize) -> &str {
        self.names
            .as_deref()
            .and_then(|n| n.get(i))
            .map_or("", String::as_str)
    }
}

/// The row `members` fill, over the fields of `base` (a composite
/// value, or NULL).
fn populate(shape: &RowShape, base: &Value, members: &[(String, Item)]) -> PgResult<Vec<Value>> {
    let base = match base {
        Value::Record(r) => Some(r),
        _ => None,
    };
    let mut out = Vec::with_capacity(shape.types.len());
    for (i, (&ty, &typmod)) in shape.types.iter().zip(&shape.typmods).enumerate() {
        let name = shape.name(i);
        // The last member of that name counts.
        let v = match members.iter().rev().find(|(k, _)| k == name) {
            Some((_, item)) => field(ty, typmod, item, name)?,
            None => base
                .and_then(|b| b.fields.get(i))
                .map_or(Value::Null, |f| f.1.clone()),
        };
        out.push(v);
    }
    Ok(out)
}

/// One member's value as a field of type `ty`.
fn field(ty: Oid, typmod: i32, item: &Item, key: &str) -> PgResult<Value> {
    if matches!(item.kind, Kind::Null) {
        return Ok(Value::Null);
    }
    if ty == oid::JSON {
        return Ok(Value::Json(item.json.clone()));
    }
    if let Some(shape) = RowShape::of_type(ty) {
        return match &item.kind {
            Kind::Object(m) => Ok(record(&shape, populate(&shape, &Value::Null, m)?)),
            Kind::String(s) => Value::parse_text(ty, s),
            k => Err(not_an_object(k)),
        };
    }
    if array::is_array_type(ty) && !array::is_vector_type(ty) {
        return match &item.kind {
            Kind::Array(items) => json_array(ty, typmod, items, key),
            Kind::String(s) => apply_typmod(Value::parse_text(ty, s)?, ty, typmod),
            _ => Err(
                PgError::new(sqlstate::INVALID_TEXT_REPRESENTATION, "expected JSON array")
                    .with_hint(format!("See the value of key \"{key}\".")),
            ),
        };
    }
    let text = match &item.kind {
        Kind::String(s) if ty != oid::JSONB => s.as_str(),
        _ => item.json.as_str(),
    };
    apply_typmod(Value::parse_text(ty, text)?, ty, typmod)
}

/// A JSON array (of arrays, for more dimensions) as an array of type
/// `ty`. The first element that is not an array fixes the number of
/// dimensions; every sub-array of one level must be as long as the first
/// (22P02 "malformed JSON array"), a non-array above the last level is
/// refused (22P02 "expected JSON array"), an array at the last level is
/// an element like any other value.
fn json_array(ty: Oid, typmod: i32, items: &[Item], key: &str) -> PgResult<Value> {
    let mut w = ArrayWalk {
        elem: array::array_element(ty),
        typmod,
        key,
        dims: Vec::new(),
        ndim: None,
        values: Vec::new(),
        path: Vec::new(),
    };
    w.walk(items)?;
    // Levels below the last (empty arrays read before it was known)
    // are no dimensions.
    let dims = w.ndim.map_or(Vec::new(), |n| w.dims[..n].to_vec());
    let lbounds = vec![1; dims.len()];
    Ok(array::make(w.elem, dims, lbounds, w.values))
}

struct ArrayWalk<'a> {
    elem: Oid,
    typmod: i32,
    key: &'a str,
    /// The length of each level seen so far.
    dims: Vec<i32>,
    /// The number of dimensions, once an element fixed it.
    ndim: Option<usize>,
    values: Vec<Value>,
    /// The subscripts (from 0) of the array being read.
    path: Vec<usize>,
}

impl ArrayWalk<'_> {
    fn walk(&mut self, items: &[Item]) -> PgResult<()> {
        crate::stack::check_stack_depth()?;
        let depth = self.path.len();
        if self.dims.len() == depth {
            self.dims.push(items.len() as i32);
        } else if self.dims[depth] != items.len() as i32 {
            return Err(malformed());
        }
        for (i, it) in items.iter().enumerate() {
            self.path.push(i);
            let leaf = self.ndim.is_some_and(|n| n == depth + 1);
            match &it.kind {
                Kind::Array(sub) if !leaf => self.walk(sub)?,
                _ => {
                    match self.ndim {
                        None => self.ndim = Some(depth + 1),
                        Some(n) if n != depth + 1 => return Err(self.expected_array()),
                        Some(_) => {}
                    }
                    self.values
                        .push(field(self.elem, self.typmod, it, self.key)?);
                }
            }
            self.path.pop();
        }
        Ok(())
    }

    fn expected_array(&self) -> PgError {
        let subscripts: String = self.path.iter().map(|i| format!("[{i}]")).collect();
        PgError::new(sqlstate::INVALID_TEXT_REPRESENTATION, "expected JSON array").with_hint(
            format!(
                "See the array element {subscripts} of key \"{}\".",
                self.key
            ),
        )
    }
}

fn malformed() -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        "malformed JSON array",
    )
    .with_detail("Multidimensional arrays must have sub-arrays with matching dimensions.")
}

fn record(shape: &RowShape, fields: Vec<Value>) -> Value {
    Value::Record(Box::new(RecordValue {
        typ: shape.typ,
        names: shape.names.clone(),
        fields: shape.types.iter().copied().zip(fields).collect(),
    }))
}

/// json(b)_populate_record(base, doc) and json(b)_to_record(doc): the
/// composite value (the base itself for a NULL document).
pub fn populate_record(shape: &RowShape, base: &Value, doc: &Value) -> PgResult<Value> {
    let Some(item) = document(doc)? else {
        return Ok(base.clone());
    };
    match &item.kind {
        Kind::Object(m) => Ok(record(shape, populate(shape, base, m)?)),
        k => Err(not_an_object(k)),
    }
}

/// The rows of the record functions: one for a `_record` (its fields,
/// NULLs for a NULL base and document), one per array element for a
/// `_recordset` (none for a NULL document).
pub fn record_rows(
    name: &str,
    set: bool,
    shape: &RowShape,
    base: &Value,
    doc: &Value,
) -> PgResult<Vec<Vec<Value>>> {
    let fields_of = |v: Value| match v {
        Value::Record(r) => r.fields.into_iter().map(|f| f.1).collect(),
        _ => vec![Value::Null; shape.types.len()],
    };
    if !set {
        return Ok(vec![fields_of(populate_record(shape, base, doc)?)]);
    }
    let Some(item) = document(doc)? else {
        return Ok(Vec::new());
    };
    let items = match &item.kind {
        Kind::Array(items) => items,
        _ if name.starts_with("jsonb") => {
            return Err(invalid(format!("cannot call {name} on a non-array")))
        }
        Kind::Object(_) => return Err(invalid(format!("cannot call {name} on an object"))),
        _ => return Err(invalid(format!("cannot call {name} on a scalar"))),
    };
    items
        .iter()
        .map(|it| match &it.kind {
            Kind::Object(m) => populate(shape, base, m),
            _ => Err(invalid(format!(
                "argument of {name} must be an array of objects"
            ))),
        })
        .collect()
}

/// The name of a record function.
pub fn function_name(jsonb: bool, set: bool, populate: bool) -> &'static str {
    match (jsonb, set, populate) {
        (false, false, false) => "json_to_record",
        (false, true, false) => "json_to_recordset",
        (false, false, true) => "json_populate_record",
        (false, true, true) => "json_populate_recordset",
        (true, false, false) => "jsonb_to_record",
        (true, true, false) => "jsonb_to_recordset",
        (true, false, true) => "jsonb_populate_record",
        (true, true, true) => "jsonb_populate_recordset",
    }
}

/// The record functions by name: (jsonb, set, populate).
pub fn record_function(name: &str) -> Option<(bool, bool, bool)> {
    let (jsonb, rest) = match name.strip_prefix("jsonb_") {
        Some(r) => (true, r),
        None => (false, name.strip_prefix("json_")?),
    };
    Some(match rest {
        "populate_record" => (jsonb, false, true),
        "populate_recordset" => (jsonb, true, true),
        "to_record" => (jsonb, false, false),
        "to_recordset" => (jsonb, true, false),
        _ => return None,
    })
}

/// 0A000: a function returning `record` outside FROM, or given a NULL of
/// type record, has no row type.
pub fn undetermined_row_type(name: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("could not determine row type for result of {name}"),
    )
    .with_hint(
        "Provide a non-null record argument, or call the function in the FROM clause using a column definition list.",
    )
}
