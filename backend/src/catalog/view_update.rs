//! What makes a view automatically updatable (PostgreSQL's
//! view_query_is_auto_updatable and relation_is_updatable): decided at
//! CREATE VIEW from its query (`analyze::view_update`) and kept with the
//! view as a [`AutoUpdate`], with its WITH [LOCAL|CASCADED] CHECK OPTION
//! and the defaults ALTER VIEW ... ALTER COLUMN ... SET DEFAULT gives its
//! columns. pg_relation_is_updatable and pg_column_is_updatable (and so
//! information_schema's is_updatable and is_insertable_into) read it here.

use super::Catalog;
use crate::types::Oid;

/// PostgreSQL's CmdType bits in pg_relation_is_updatable's answer.
pub const EVENT_UPDATE: i32 = 1 << 2;
pub const EVENT_INSERT: i32 = 1 << 3;
pub const EVENT_DELETE: i32 = 1 << 4;
pub const ALL_EVENTS: i32 = EVENT_UPDATE | EVENT_INSERT | EVENT_DELETE;

/// A view's WITH CHECK OPTION (reloptions `check_option=local|cascaded`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOption {
    Local,
    Cascaded,
}

impl CheckOption {
    pub fn name(self) -> &'static str {
        match self {
            CheckOption::Local => "local",
            CheckOption::Cascaded => "cascaded",
        }
    }

    pub fn parse(s: &str) -> Option<CheckOption> {
        match s {
            "local" => Some(CheckOption::Local),
            "cascaded" => Some(CheckOption::Cascaded),
            _ => None,
        }
    }
}

/// Whether a view is automatically updatable.
#[derive(Clone, Debug, PartialEq)]
pub enum AutoUpdate {
    /// It is not: PostgreSQL's detail saying why (from a fixed list).
    No(String),
    /// It reads one table or view, `base`; each of its columns is the
    /// base relation's column of that attribute number (> 0, updatable),
    /// a system column (< 0) or anything else (0); both not updatable.
    Yes { base: Oid, columns: Vec<i16> },
}

impl AutoUpdate {
    /// The detail for a view column that cannot be written (`attnum` as
    /// in [`AutoUpdate::Yes`]), None for an updatable one.
    pub fn column_detail(attnum: i16) -> Option<&'static str> {
        match attnum {
            a if a > 0 => None,
            a if a < 0 => Some("View columns that refer to system columns are not updatable."),
            _ => {
                Some("View columns that are not columns of their base relation are not updatable.")
            }
        }
    }

    /// The catalog file's form: `-` and the detail, or the base OID and
    /// the column list.
    pub fn serialize(&self) -> String {
        match self {
            AutoUpdate::No(d) => format!("- {}", super::esc(d)),
            AutoUpdate::Yes { base, columns } => {
                let c: Vec<String> = columns.iter().map(i16::to_string).collect();
                format!(
                    "{base} {}",
                    if c.is_empty() {
                        "-".into()
                    } else {
                        c.join(",")
                    }
                )
            }
        }
    }

    pub fn deserialize(a: &str, b: &str) -> Option<AutoUpdate> {
        if a == "-" {
            return Some(AutoUpdate::No(super::unesc(b)));
        }
        let columns = if b == "-" {
            vec![]
        } else {
            b.split(',')
                .map(|c| c.parse().ok())
                .collect::<Option<Vec<i16>>>()?
        };
        Some(AutoUpdate::Yes {
            base: a.parse().ok()?,
            columns,
        })
    }
}

/// pg_relation_is_updatable: the bits of the commands relation `oid`
/// accepts, considering only the columns `include` (attribute numbers;
/// None: all). Tables accept all three; an automatically updatable view
/// DELETE, and INSERT and UPDATE when one of the considered columns is
/// updatable, as far as its base relation accepts them.
pub fn relation_is_updatable(cat: &Catalog, oid: Oid, include: Option<&[i16]>) -> i32 {
    if cat.tables.iter().any(|t| t.oid == oid) {
        return ALL_EVENTS;
    }
    match cat.views.iter().find(|v| v.oid == oid) {
        Some(v) => {
            let Some(AutoUpdate::Yes { base, columns }) = &v.auto_update else {
                return 0;
            };
            // The base relation's columns behind the considered ones.
            let base_cols: Vec<i16> = columns
                .iter()
                .enumerate()
                .filter(|(i, a)| {
                    **a > 0 && include.is_none_or(|inc| inc.contains(&(*i as i16 + 1)))
                })
                .map(|(_, a)| *a)
                .collect();
            let events = if base_cols.is_empty() {
                EVENT_DELETE
            } else {
                ALL_EVENTS
            };
            events & relation_is_updatable(cat, *base, Some(&base_cols))
        }
        None => 0,
    }
}

/// pg_column_is_updatable: whether column `attnum` of relation `oid` can
/// be updated and its rows deleted.
pub fn column_is_updatable(cat: &Catalog, oid: Oid, attnum: i16) -> bool {
    if attnum <= 0 {
        return false;
    }
    let need = EVENT_UPDATE | EVENT_DELETE;
    relation_is_updatable(cat, oid, Some(&[attnum])) & need == need
}
