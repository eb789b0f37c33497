//! Set-returning functions over text: `regexp_matches` (one text[] of
//! groups per match, every match with the 'g' flag), `regexp_split_to_table`
//! and `string_to_table` (the pieces `regexp_split_to_array` and
//! `string_to_array` give, one row each). Each computes its rows from its
//! arguments at once; `executor::srf` hands them out, in FROM and in a
//! select list alike. The signatures here resolve calls (and give the
//! column type); called as scalars they refuse, as PostgreSQL's do.
//! `jsonb_path_query` (and `_tz`) run here too, their rows coming from
//! `fmgr::jsonpath`.

use super::arrays::set_in_wrong_context;
use super::{f, nonstrict, FuncDef};
use crate::error::PgResult;
use crate::types::oid::{TEXT, TEXT_ARRAY};
use crate::types::{array, Value};
use crate::utils::adt::{arrays, regex};

/// Which text set-returning function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSrf {
    RegexpMatches,
    RegexpSplitToTable,
    StringToTable,
    JsonbPathQuery,
    JsonbPathQueryTz,
}

impl TextSrf {
    pub fn of_name(name: &str) -> Option<TextSrf> {
        Some(match name {
            "regexp_matches" => TextSrf::RegexpMatches,
            "regexp_split_to_table" => TextSrf::RegexpSplitToTable,
            "string_to_table" => TextSrf::StringToTable,
            "jsonb_path_query" => TextSrf::JsonbPathQuery,
            "jsonb_path_query_tz" => TextSrf::JsonbPathQueryTz,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TextSrf::RegexpMatches => "regexp_matches",
            TextSrf::RegexpSplitToTable => "regexp_split_to_table",
            TextSrf::StringToTable => "string_to_table",
            TextSrf::JsonbPathQuery => "jsonb_path_query",
            TextSrf::JsonbPathQueryTz => "jsonb_path_query_tz",
        }
    }

    /// The rows (one value each) for arguments `a`; none when a strict
    /// function gets a NULL.
    pub fn rows(self, a: &[Value]) -> PgResult<Vec<Value>> {
        let text = |i: usize| match a.get(i) {
            Some(Value::Text(t)) => Some(t.as_str()),
            _ => None,
        };
        match self {
            TextSrf::JsonbPathQuery | TextSrf::JsonbPathQueryTz => super::jsonpath::query_rows(a),
            TextSrf::RegexpMatches | TextSrf::RegexpSplitToTable => {
                if a.iter().any(Value::is_null) {
                    return Ok(Vec::new());
                }
                let (src, pat, flags) = (
                    text(0).unwrap_or(""),
                    text(1).unwrap_or(""),
                    text(2).unwrap_or(""),
                );
                if self == TextSrf::RegexpMatches {
                    Ok(regex::regexp_matches(src, pat, flags)?
                        .into_iter()
                        .map(|groups| {
                            Value::Array(
                                TEXT,
                                groups
                                    .into_iter()
                                    .map(|g| g.map_or(Value::Null, Value::Text))
                                    .collect(),
                            )
                        })
                        .collect())
                } else {
                    let parts = regex::regexp_split(src, pat, flags)?;
                    Ok(parts.into_iter().map(Value::Text).collect())
                }
            }
            TextSrf::StringToTable => {
                // Not strict: a NULL delimiter splits into characters.
                if a[0].is_null() {
                    return Ok(Vec::new());
                }
                let arr = arrays::string_to_array(&a[0], &a[1], a.get(2))?;
                Ok(array::view(&arr)
                    .map(|v| v.items.to_vec())
                    .unwrap_or_default())
            }
        }
    }
}

/// Whether `name` is one of these functions.
pub fn is_text_srf(name: &str) -> bool {
    TextSrf::of_name(name).is_some()
}

pub static TEXT_SRF_FUNCS: &[FuncDef] = &[
    f(
        "regexp_matches",
        &[TEXT, TEXT],
        TEXT_ARRAY,
        set_in_wrong_context,
    ),
    f(
        "regexp_matches",
        &[TEXT, TEXT, TEXT],
        TEXT_ARRAY,
        set_in_wrong_context,
    ),
    f(
        "regexp_split_to_table",
        &[TEXT, TEXT],
        TEXT,
        set_in_wrong_context,
    ),
    f(
        "regexp_split_to_table",
        &[TEXT, TEXT, TEXT],
        TEXT,
        set_in_wrong_context,
    ),
    nonstrict(f(
        "string_to_table",
        &[TEXT, TEXT],
        TEXT,
        set_in_wrong_context,
    )),
    nonstrict(f(
        "string_to_table",
        &[TEXT, TEXT, TEXT],
        TEXT,
        set_in_wrong_context,
    )),
];
