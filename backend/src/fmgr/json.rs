//! json and jsonb functions and operators: the operators are registered
//! under their symbols (`->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`, `?|`,
//! `?&`, `||`, `-`, `#-`), which the analyzer resolves as calls; the
//! functions under PostgreSQL's names (to_json, jsonb_build_object,
//! jsonb_set, ...).

use super::arrays::set_in_wrong_context;
use super::{f, nonstrict, variadic, FuncDef};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::array::oids::{ANY, ANYELEMENT, TEXT_ARRAY};
use crate::types::json::{self, Jsonb, Raw};
use crate::types::oid::{BOOL, INT4, JSON, JSONB, RECORD, TEXT};
use crate::types::Value;

pub static JSON_FUNCS: &[FuncDef] = &[
    // Operators.
    f("->", &[JSONB, TEXT], JSONB, |_, a| {
        Ok(jsonb_opt(jb(&a[0]).get(txt(&a[1]))))
    }),
    f("->", &[JSONB, INT4], JSONB, |_, a| {
        Ok(jsonb_opt(jb(&a[0]).index(int(&a[1]))))
    }),
    f("->>", &[JSONB, TEXT], TEXT, |_, a| {
        Ok(text_opt(jb(&a[0]).get(txt(&a[1]))))
    }),
    f("->>", &[JSONB, INT4], TEXT, |_, a| {
        Ok(text_opt(jb(&a[0]).index(int(&a[1]))))
    }),
    f("#>", &[JSONB, TEXT_ARRAY], JSONB, |_, a| {
        Ok(jsonb_opt(jsonb_path(jb(&a[0]), &path(&a[1]))))
    }),
    f("#>>", &[JSONB, TEXT_ARRAY], TEXT, |_, a| {
        Ok(text_opt(jsonb_path(jb(&a[0]), &path(&a[1]))))
    }),
    f("->", &[JSON, TEXT], JSON, |_, a| {
        json_step(&a[0], &[Some(txt(&a[1]).to_owned())], false)
    }),
    f("->", &[JSON, INT4], JSON, |_, a| {
        json_step(&a[0], &[Some(int(&a[1]).to_string())], false)
    }),
    f("->>", &[JSON, TEXT], TEXT, |_, a| {
        json_step(&a[0], &[Some(txt(&a[1]).to_owned())], true)
    }),
    f("->>", &[JSON, INT4], TEXT, |_, a| {
        json_step(&a[0], &[Some(int(&a[1]).to_string())], true)
    }),
    f("#>", &[JSON, TEXT_ARRAY], JSON, |_, a| {
        json_step(&a[0], &path(&a[1]), false)
    }),
    f("#>>", &[JSON, TEXT_ARRAY], TEXT, |_, a| {
        json_step(&a[0], &path(&a[1]), true)
    }),
    f("@>", &[JSONB, JSONB], BOOL, |_, a| {
        Ok(Value::Bool(jb(&a[0]).contains(jb(&a[1]))))
    }),
    f("<@", &[JSONB, JSONB], BOOL, |_, a| {
        Ok(Value::Bool(jb(&a[1]).contains(jb(&a[0]))))
    }),
    f("?", &[JSONB, TEXT], BOOL, |_, a| {
        Ok(Value::Bool(jb(&a[0]).has_key(txt(&a[1]))))
    }),
    f("?|", &[JSONB, TEXT_ARRAY], BOOL, |_, a| {
        let j = jb(&a[0]);
        Ok(Value::Bool(
            path(&a[1]).iter().flatten().any(|k| j.has_key(k)),
        ))
    }),
    f("?&", &[JSONB, TEXT_ARRAY], BOOL, |_, a| {
        let j = jb(&a[0]);
        Ok(Value::Bool(
            path(&a[1]).iter().flatten().all(|k| j.has_key(k)),
        ))
    }),
    f("||", &[JSONB, JSONB], JSONB, |_, a| {
        Ok(jsonb(concat(jb(&a[0]), jb(&a[1]))))
    }),
    f("-", &[JSONB, TEXT], JSONB, |_, a| {
        delete_keys(jb(&a[0]), &[Some(txt(&a[1]).to_owned())])
    }),
    f("-", &[JSONB, TEXT_ARRAY], JSONB, |_, a| {
        delete_keys(jb(&a[0]), &path(&a[1]))
    }),
    f("-", &[JSONB, INT4], JSONB, |_, a| {
        delete_index(jb(&a[0]), int(&a[1]))
    }),
    f("#-", &[JSONB, TEXT_ARRAY], JSONB, |_, a| {
        Ok(jsonb(delete_path(jb(&a[0]), &path(&a[1]))?))
    }),
    // Set-returning functions (run as function scans; see srf_rows).
    // The (key, value) ones return records (OUT parameters).
    f("json_each", &[JSON], RECORD, set_in_wrong_context),
    f("jsonb_each", &[JSONB], RECORD, set_in_wrong_context),
    f("json_each_text", &[JSON], RECORD, set_in_wrong_context),
    f("jsonb_each_text", &[JSONB], RECORD, set_in_wrong_context),
    // JSON objects into rows (`json_record`): the analyzer appends the
    // row's template to the arguments; use_json_as_text is ignored, as in
    // PostgreSQL.
    nonstrict(f(
        "json_populate_record",
        &[ANYELEMENT, JSON],
        ANYELEMENT,
        populate_record,
    )),
    nonstrict(f(
        "json_populate_record",
        &[ANYELEMENT, JSON, BOOL],
        ANYELEMENT,
        populate_record,
    )),
    nonstrict(f(
        "jsonb_populate_record",
        &[ANYELEMENT, JSONB],
        ANYELEMENT,
        populate_record,
    )),
    f("json_to_record", &[JSON], RECORD, |_, _| {
        Err(super::json_record::undetermined_row_type("json_to_record"))
    }),
    f("jsonb_to_record", &[JSONB], RECORD, |_, _| {
        Err(super::json_record::undetermined_row_type("jsonb_to_record"))
    }),
    nonstrict(f(
        "json_populate_recordset",
        &[ANYELEMENT, JSON],
        ANYELEMENT,
        set_in_wrong_context,
    )),
    nonstrict(f(
        "json_populate_recordset",
        &[ANYELEMENT, JSON, BOOL],
        ANYELEMENT,
        set_in_wrong_context,
    )),
    nonstrict(f(
        "jsonb_populate_recordset",
        &[ANYELEMENT, JSONB],
        ANYELEMENT,
        set_in_wrong_context,
    )),
    nonstrict(f(
        "json_to_recordset",
        &[JSON],
        RECORD,
        set_in_wrong_context,
    )),
    nonstrict(f(
        "jsonb_to_recordset",
        &[JSONB],
        RECORD,
        set_in_wrong_context,
    )),
    f("json_array_elements", &[JSON], JSON, set_in_wrong_context),
    f(
        "jsonb_array_elements",
        &[JSONB],
        JSONB,
        set_in_wrong_context,
    ),
    f(
        "json_array_elements_text",
        &[JSON],
        TEXT,
        set_in_wrong_context,
    ),
    f(
        "jsonb_array_elements_text",
        &[JSONB],
        TEXT,
        set_in_wrong_context,
    ),
    f("json_object_keys", &[JSON], TEXT, set_in_wrong_context),
    f("jsonb_object_keys", &[JSONB], TEXT, set_in_wrong_context),
    // Functions.
    variadic(f("jsonb_extract_path", &[JSONB, TEXT], JSONB, |_, a| {
        if a[0].is_null() {
            return Ok(Value::Null);
        }
        Ok(jsonb_opt(jsonb_path(jb(&a[0]), &args_path(&a[1..]))))
    })),
    variadic(f(
        "jsonb_extract_path_text",
        &[JSONB, TEXT],
        TEXT,
        |_, a| {
            if a[0].is_null() {
                return Ok(Value::Null);
            }
            Ok(text_opt(jsonb_path(jb(&a[0]), &args_path(&a[1..]))))
        },
    )),
    variadic(f("json_extract_path", &[JSON, TEXT], JSON, |_, a| {
        if a[0].is_null() {
            return Ok(Value::Null);
        }
        json_step(&a[0], &args_path(&a[1..]), false)
    })),
    variadic(f("json_extract_path_text", &[JSON, TEXT], TEXT, |_, a| {
        if a[0].is_null() {
            return Ok(Value::Null);
        }
        json_step(&a[0], &args_path(&a[1..]), true)
    })),
    nonstrict(f("to_json", &[ANYELEMENT], JSON, |_, a| {
        if a[0].is_null() {
            return Ok(Value::Null);
        }
        let mut s = String::new();
        json::value_to_json(&a[0], &mut s);
        Ok(Value::Json(s))
    })),
    f("row_to_json", &[RECORD], JSON, |_, a| {
        let mut s = String::new();
        if let Value::Record(r) = &a[0] {
            json::record_to_json(r, false, &mut s);
        }
        Ok(Value::Json(s))
    }),
    f("row_to_json", &[RECORD, BOOL], JSON, |_, a| {
        let mut s = String::new();
        if let (Value::Record(r), Value::Bool(p)) = (&a[0], &a[1]) {
            json::record_to_json(r, *p, &mut s);
        }
        Ok(Value::Json(s))
    }),
    nonstrict(f("to_jsonb", &[ANYELEMENT], JSONB, |_, a| {
        if a[0].is_null() {
            return Ok(Value::Null);
        }
        Ok(jsonb(json::value_to_jsonb(&a[0])?))
    })),
    // The zero-argument forms, which PostgreSQL declares apart (a
    // VARIADIC parameter takes at least one value).
    f("json_build_object", &[], JSON, |_, _| {
        Ok(Value::Json("{}".into()))
    }),
    f("jsonb_build_object", &[], JSONB, |_, _| {
        Ok(jsonb(json::make_object(vec![])))
    }),
    f("json_build_array", &[], JSON, |_, _| {
        Ok(Value::Json("[]".into()))
    }),
    f("jsonb_build_array", &[], JSONB, |_, _| {
        Ok(jsonb(Jsonb::Array(vec![])))
    }),
    variadic(f("json_build_object", &[ANY], JSON, |_, a| {
        build_object_text(a)
    })),
    variadic(f("jsonb_build_object", &[ANY], JSONB, |_, a| {
        let pairs = object_pairs(a, true)?
            .into_iter()
            .map(|(k, v)| Ok((k, json::value_to_jsonb(v)?)))
            .collect::<PgResult<Vec<_>>>()?;
        Ok(jsonb(json::make_object(pairs)))
    })),
    variadic(f("json_build_array", &[ANY], JSON, |_, a| {
        let mut s = String::from("[");
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            json::value_to_json(v, &mut s);
        }
        s.push(']');
        Ok(Value::Json(s))
    })),
    variadic(f("jsonb_build_array", &[ANY], JSONB, |_, a| {
        Ok(jsonb(Jsonb::Array(
            a.iter()
                .map(json::value_to_jsonb)
                .collect::<PgResult<_>>()?,
        )))
    })),
    f("jsonb_typeof", &[JSONB], TEXT, |_, a| {
        Ok(Value::Text(jb(&a[0]).type_name().into()))
    }),
    f("json_typeof", &[JSON], TEXT, |_, a| {
        let raw = json::parse_raw(txt(&a[0]), false)?;
        Ok(Value::Text(raw_type(&raw).into()))
    }),
    f("jsonb_array_length", &[JSONB], INT4, |_, a| {
        match jb(&a[0]) {
            Jsonb::Array(items) => Ok(Value::Int4(items.len() as i32)),
            Jsonb::Object(_) => Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "cannot get array length of a non-array",
            )),
            _ => Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "cannot get array length of a scalar",
            )),
        }
    }),
    f(
        "json_array_length",
        &[JSON],
        INT4,
        |_, a| match json::parse_raw(txt(&a[0]), false)? {
            Raw::Array(items) => Ok(Value::Int4(items.len() as i32)),
            Raw::Object(_) => Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "cannot get array length of a non-array",
            )),
            _ => Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "cannot get array length of a scalar",
            )),
        },
    ),
    f("jsonb_pretty", &[JSONB], TEXT, |_, a| {
        let mut s = String::new();
        jb(&a[0]).pretty(0, &mut s);
        Ok(Value::Text(s))
    }),
    f("jsonb_strip_nulls", &[JSONB], JSONB, |_, a| {
        Ok(jsonb(jb(&a[0]).strip_nulls()))
    }),
    f("jsonb_set", &[JSONB, TEXT_ARRAY, JSONB], JSONB, |_, a| {
        jsonb_set(&a[0], &a[1], &a[2], true)
    }),
    f(
        "jsonb_set",
        &[JSONB, TEXT_ARRAY, JSONB, BOOL],
        JSONB,
        |_, a| jsonb_set(&a[0], &a[1], &a[2], matches!(a[3], Value::Bool(true))),
    ),
];

/// The set-returning json functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonSrf {
    /// (key, value) of each object member.
    Each,
    /// (key, value as text).
    EachText,
    /// Each array element.
    ArrayElements,
    /// Each array element as text.
    ArrayElementsText,
    /// Each key of an object.
    ObjectKeys,
}

/// The json set-returning function called `name`: (kind, jsonb).
pub fn json_srf(name: &str) -> Option<(JsonSrf, bool)> {
    let (jsonb, rest) = match name.strip_prefix("jsonb_") {
        Some(r) => (true, r),
        None => (false, name.strip_prefix("json_")?),
    };
    let kind = match rest {
        "each" => JsonSrf::Each,
        "each_text" => JsonSrf::EachText,
        "array_elements" => JsonSrf::ArrayElements,
        "array_elements_text" => JsonSrf::ArrayElementsText,
        "object_keys" => JsonSrf::ObjectKeys,
        _ => return None,
    };
    Some((kind, jsonb))
}

/// The name of a json set-returning function.
pub fn json_srf_name(kind: JsonSrf, jsonb: bool) -> &'static str {
    match (kind, jsonb) {
        (JsonSrf::Each, false) => "json_each",
        (JsonSrf::Each, true) => "jsonb_each",
        (JsonSrf::EachText, false) => "json_each_text",
        (JsonSrf::EachText, true) => "jsonb_each_text",
        (JsonSrf::ArrayElements, false) => "json_array_elements",
        (JsonSrf::ArrayElements, true) => "jsonb_array_elements",
        (JsonSrf::ArrayElementsText, false) => "json_array_elements_text",
        (JsonSrf::ArrayElementsText, true) => "jsonb_array_elements_text",
        (JsonSrf::ObjectKeys, false) => "json_object_keys",
        (JsonSrf::ObjectKeys, true) => "jsonb_object_keys",
    }
}

/// Whether `name` is one of the set-returning json functions.
pub fn is_json_srf(name: &str) -> bool {
    json_srf(name).is_some()
}

/// The rows a json set-returning function gives for one document (none
/// for NULL).
pub fn srf_rows(kind: JsonSrf, is_jsonb: bool, doc: &Value) -> PgResult<Vec<Vec<Value>>> {
    let name = json_srf_name(kind, is_jsonb);
    if doc.is_null() {
        return Ok(Vec::new());
    }
    let err = |what: &str| PgError::new(sqlstate::INVALID_PARAMETER_VALUE, what.to_owned());
    let as_text = matches!(kind, JsonSrf::EachText | JsonSrf::ArrayElementsText);
    if is_jsonb {
        let j = jb(doc);
        let val = |v: &Jsonb| {
            if as_text {
                v.as_text().map_or(Value::Null, Value::Text)
            } else {
                jsonb(v.clone())
            }
        };
        return Ok(match (kind, j) {
            (JsonSrf::Each | JsonSrf::EachText, Jsonb::Object(p)) => p
                .iter()
                .map(|(k, v)| vec![Value::Text(k.clone()), val(v)])
                .collect(),
            (JsonSrf::Each | JsonSrf::EachText, _) => {
                return Err(err(&format!("cannot call {name} on a non-object")))
            }
            (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, Jsonb::Array(items)) => {
                items.iter().map(|v| vec![val(v)]).collect()
            }
            (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, Jsonb::Object(_)) => {
                return Err(err("cannot extract elements from an object"))
            }
            (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, _) => {
                return Err(err("cannot extract elements from a scalar"))
            }
            (JsonSrf::ObjectKeys, Jsonb::Object(p)) => p
                .iter()
                .map(|(k, _)| vec![Value::Text(k.clone())])
                .collect(),
            (JsonSrf::ObjectKeys, Jsonb::Array(_)) => {
                return Err(err(&format!("cannot call {name} on an array")))
            }
            (JsonSrf::ObjectKeys, _) => {
                return Err(err(&format!("cannot call {name} on a scalar")))
            }
        });
    }
    let raw = json::parse_raw(txt(doc), false)?;
    let val = |v: &Raw<'_>, t: &str| -> Value {
        if !as_text {
            return Value::Json(t.to_owned());
        }
        match v {
            Raw::Null => Value::Null,
            Raw::String(s) => Value::Text(s.clone()),
            _ => Value::Text(t.to_owned()),
        }
    };
    Ok(match (kind, &raw) {
        (JsonSrf::Each | JsonSrf::EachText, Raw::Object(items)) => items
            .iter()
            .map(|(k, v, t)| vec![Value::Text(k.clone()), val(v, t)])
            .collect(),
        // json's parser refuses what is not an object as it meets it.
        (JsonSrf::Each | JsonSrf::EachText, Raw::Array(_)) => {
            return Err(err("cannot deconstruct an array as an object"))
        }
        (JsonSrf::Each | JsonSrf::EachText, _) => return Err(err("cannot deconstruct a scalar")),
        (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, Raw::Array(items)) => {
            items.iter().map(|(v, t)| vec![val(v, t)]).collect()
        }
        (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, Raw::Object(_)) => {
            return Err(err(&format!("cannot call {name} on a non-array")))
        }
        (JsonSrf::ArrayElements | JsonSrf::ArrayElementsText, _) => {
            return Err(err(&format!("cannot call {name} on a scalar")))
        }
        (JsonSrf::ObjectKeys, Raw::Object(items)) => items
            .iter()
            .map(|(k, _, _)| vec![Value::Text(k.clone())])
            .collect(),
        (JsonSrf::ObjectKeys, Raw::Array(_)) => {
            return Err(err(&format!("cannot call {name} on an array")))
        }
        (JsonSrf::ObjectKeys, _) => return Err(err(&format!("cannot call {name} on a scalar"))),
    })
}

fn jb(v: &Value) -> &Jsonb {
    static NULL: Jsonb = Jsonb::Null;
    match v {
        Value::Jsonb(j) => j,
        _ => &NULL,
    }
}

fn txt(v: &Value) -> &str {
    match v {
        Value::Text(s) | Value::Json(s) => s,
        _ => "",
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int4(i) => *i as i64,
        _ => 0,
    }
}

fn jsonb(j: Jsonb) -> Value {
    Value::Jsonb(Box::new(j))
}

fn jsonb_opt(j: Option<&Jsonb>) -> Value {
    j.map_or(Value::Null, |j| jsonb(j.clone()))
}

fn text_opt(j: Option<&Jsonb>) -> Value {
    j.and_then(Jsonb::as_text).map_or(Value::Null, Value::Text)
}

/// A text[] argument's elements (NULL elements kept as None).
fn path(v: &Value) -> Vec<Option<String>> {
    match v {
        Value::Array(_, items) => items
            .iter()
            .map(|i| match i {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        Value::MdArray(_) => crate::types::array::view(v)
            .map(|a| {
                a.items
                    .iter()
                    .map(|i| match i {
                        Value::Text(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Variadic text arguments as a path.
fn args_path(a: &[Value]) -> Vec<Option<String>> {
    a.iter()
        .map(|v| match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// One step of a path: an object member, or an array element when the
/// step is an integer.
fn step<'j>(j: &'j Jsonb, key: &str) -> Option<&'j Jsonb> {
    match j {
        Jsonb::Object(_) => j.get(key),
        Jsonb::Array(_) => key.trim().parse::<i64>().ok().and_then(|i| j.index(i)),
        _ => None,
    }
}

/// `#>`: the value at a path (a NULL step finds nothing).
fn jsonb_path<'j>(j: &'j Jsonb, p: &[Option<String>]) -> Option<&'j Jsonb> {
    let mut cur = j;
    for k in p {
        cur = step(cur, k.as_deref()?)?;
    }
    Some(cur)
}

fn raw_type(r: &Raw<'_>) -> &'static str {
    match r {
        Raw::Null => "null",
        Raw::Bool(_) => "boolean",
        Raw::Number(_) => "number",
        Raw::String(_) => "string",
        Raw::Array(_) => "array",
        Raw::Object(_) => "object",
    }
}

/// json's `->`, `->>`, `#>`, `#>>`: the member's own text (json keeps
/// it as written), or for the text forms a string unescaped and null as
/// SQL NULL.
fn json_step(v: &Value, p: &[Option<String>], as_text: bool) -> PgResult<Value> {
    let whole = txt(v);
    let root = json::parse_raw(whole, false)?;
    let mut cur: (&Raw<'_>, &str) = (&root, whole.trim_matches([' ', '\t', '\n', '\r']));
    for k in p {
        let Some(k) = k.as_deref() else {
            return Ok(Value::Null);
        };
        let next = match cur.0 {
            // The last of duplicate keys, as PostgreSQL's json operators.
            Raw::Object(items) => items
                .iter()
                .rev()
                .find(|(key, _, _)| key == k)
                .map(|(_, v, t)| (v, *t)),
            Raw::Array(items) => k.trim().parse::<i64>().ok().and_then(|i| {
                let n = items.len() as i64;
                let i = if i < 0 { n + i } else { i };
                (0..n).contains(&i).then(|| {
                    let (v, t) = &items[i as usize];
                    (v, *t)
                })
            }),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(Value::Null),
        }
    }
    Ok(match (as_text, cur.0) {
        (false, _) => Value::Json(cur.1.to_owned()),
        (true, Raw::Null) => Value::Null,
        (true, Raw::String(s)) => Value::Text(s.clone()),
        (true, _) => Value::Text(cur.1.to_owned()),
    })
}

/// jsonb || jsonb: objects merged (the right side's keys win), arrays
/// concatenated, a scalar or object beside an array as one element.
fn concat(a: &Jsonb, b: &Jsonb) -> Jsonb {
    match (a, b) {
        (Jsonb::Object(x), Jsonb::Object(y)) => {
            json::make_object(x.iter().chain(y.iter()).cloned().collect())
        }
        (Jsonb::Array(x), Jsonb::Array(y)) => Jsonb::Array(x.iter().chain(y).cloned().collect()),
        (Jsonb::Array(x), v) => {
            let mut items = x.clone();
            items.push(v.clone());
            Jsonb::Array(items)
        }
        (v, Jsonb::Array(y)) => {
            let mut items = vec![v.clone()];
            items.extend(y.iter().cloned());
            Jsonb::Array(items)
        }
        (x, y) => Jsonb::Array(vec![x.clone(), y.clone()]),
    }
}

/// jsonb - text / text[]: object members or array strings removed.
fn delete_keys(j: &Jsonb, keys: &[Option<String>]) -> PgResult<Value> {
    let hit = |k: &str| keys.iter().flatten().any(|x| x == k);
    Ok(jsonb(match j {
        Jsonb::Object(p) => Jsonb::Object(p.iter().filter(|(k, _)| !hit(k)).cloned().collect()),
        Jsonb::Array(items) => Jsonb::Array(
            items
                .iter()
                .filter(|v| !matches!(v, Jsonb::String(s) if hit(s)))
                .cloned()
                .collect(),
        ),
        _ => {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "cannot delete from scalar",
            ))
        }
    }))
}

/// jsonb - integer: an array element removed (negative from the end).
fn delete_index(j: &Jsonb, i: i64) -> PgResult<Value> {
    match j {
        Jsonb::Array(items) => {
            let n = items.len() as i64;
            let i = if i < 0 { n + i } else { i };
            Ok(jsonb(Jsonb::Array(
                items
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k as i64 != i)
                    .map(|(_, v)| v.clone())
                    .collect(),
            )))
        }
        Jsonb::Object(_) => Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot delete from object using integer index",
        )),
        _ => Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot delete from scalar",
        )),
    }
}

/// jsonb #- text[]: the value at the path removed.
fn delete_path(j: &Jsonb, p: &[Option<String>]) -> PgResult<Jsonb> {
    if j.is_scalar() {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot delete path in scalar",
        ));
    }
    Ok(edit_path(j, p, 0, &mut |_| None).unwrap_or_else(|| j.clone()))
}

/// Rebuilds `j` with the value at path `p` (from step `at`) replaced by
/// what `leaf` returns for the old value (None: removed). None when the
/// path leads nowhere (nothing changes).
fn edit_path(
    j: &Jsonb,
    p: &[Option<String>],
    at: usize,
    leaf: &mut dyn FnMut(Option<&Jsonb>) -> Option<Jsonb>,
) -> Option<Jsonb> {
    let key = p.get(at)?.as_deref()?;
    let last = at + 1 == p.len();
    match j {
        Jsonb::Object(pairs) => {
            let old = j.get(key);
            let mut out: Vec<(String, Jsonb)> = pairs.clone();
            if last {
                let new = leaf(old);
                out.retain(|(k, _)| k != key);
                if let Some(v) = new {
                    out.push((key.to_owned(), v));
                }
                return Some(json::make_object(out));
            }
            let child = edit_path(old?, p, at + 1, leaf)?;
            for (k, v) in out.iter_mut() {
                if k == key {
                    *v = child.clone();
                }
            }
            Some(Jsonb::Object(out))
        }
        Jsonb::Array(items) => {
            let i: i64 = key.trim().parse().ok()?;
            let n = items.len() as i64;
            let idx = if i < 0 { n + i } else { i };
            let mut out = items.clone();
            if last {
                if (0..n).contains(&idx) {
                    match leaf(Some(&items[idx as usize])) {
                        Some(v) => out[idx as usize] = v,
                        None => {
                            out.remove(idx as usize);
                        }
                    }
                } else if let Some(v) = leaf(None) {
                    // Beyond either end: added at that end.
                    if idx < 0 {
                        out.insert(0, v);
                    } else {
                        out.push(v);
                    }
                }
                return Some(Jsonb::Array(out));
            }
            if !(0..n).contains(&idx) {
                return None;
            }
            out[idx as usize] = edit_path(&items[idx as usize], p, at + 1, leaf)?;
            Some(Jsonb::Array(out))
        }
        _ => None,
    }
}

/// jsonb_set(target, path, new [, create_missing]).
fn jsonb_set(t: &Value, p: &Value, new: &Value, create: bool) -> PgResult<Value> {
    let j = jb(t);
    let p = path(p);
    if j.is_scalar() {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot set path in scalar",
        ));
    }
    if p.is_empty() {
        return Ok(t.clone());
    }
    if let Some(pos) = p.iter().position(Option::is_none) {
        return Err(PgError::new(
            "22004",
            format!("path element at position {} is null", pos + 1),
        ));
    }
    let new = jb(new).clone();
    let out = edit_path(j, &p, 0, &mut |old| {
        if old.is_some() || create {
            Some(new.clone())
        } else {
            None
        }
    });
    Ok(jsonb(out.unwrap_or_else(|| j.clone())))
}

/// The key/value pairs of json(b)_build_object's arguments.
fn object_pairs(a: &[Value], jsonb: bool) -> PgResult<Vec<(String, &Value)>> {
    if !a.len().is_multiple_of(2) {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
        )
        .with_hint(format!(
            "The arguments of {}_build_object() must consist of alternating keys and values.",
            if jsonb { "jsonb" } else { "json" }
        )));
    }
    a.chunks(2)
        .enumerate()
        .map(|(i, kv)| {
            if kv[0].is_null() {
                return Err(if jsonb {
                    PgError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        format!("argument {}: key must not be null", i * 2 + 1),
                    )
                } else {
                    PgError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        format!("argument {} cannot be null", i * 2 + 1),
                    )
                    .with_hint("Object keys should be text.")
                });
            }
            let key = match &kv[0] {
                Value::Bool(b) => b.to_string(),
                k => k.to_text(),
            };
            Ok((key, &kv[1]))
        })
        .collect()
}

/// json_build_object: `{"a" : 1, "b" : 2}`.
fn build_object_text(a: &[Value]) -> PgResult<Value> {
    let mut s = String::from("{");
    for (i, (k, v)) in object_pairs(a, false)?.into_iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        json::escape(&k, &mut s);
        s.push_str(" : ");
        json::value_to_json(v, &mut s);
    }
    s.push('}');
    Ok(Value::Json(s))
}

/// json(b)_populate_record(base, doc [, use_json_as_text], template).
fn populate_record(_: &super::FnCtx, a: &[Value]) -> PgResult<Value> {
    let (Some(template), Some(doc)) = (a.last(), a.get(1)) else {
        return Err(PgError::internal(
            "populate_record without its row template",
        ));
    };
    let shape = super::json_record::RowShape::of_template(template)?;
    super::json_record::populate_record(&shape, &a[0], doc)
}
