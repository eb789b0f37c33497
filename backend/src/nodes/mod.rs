//! The trees that pass between the layers, with no evaluation code:
//! expressions (`expr`), analyzed queries (`query`) and plans (`plan`),
//! and the result columns a statement describes.

#![forbid(unsafe_code)]

pub mod constraints;
pub mod expr;
pub mod modify;
pub mod plan;
pub mod query;
pub mod window;

use crate::types::Oid;

/// A result column, as RowDescription describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub type_oid: Oid,
    pub type_modifier: i32,
    pub table_oid: u32,
    pub column_id: i16,
    /// A `record` column's fields, when known (`(col).field` of a
    /// subquery's column); RowDescription ignores it.
    pub record: Option<std::sync::Arc<crate::types::record::RecordDesc>>,
}

impl Column {
    pub fn new(name: impl Into<String>, type_oid: Oid, type_modifier: i32) -> Column {
        Column {
            name: name.into(),
            type_oid,
            type_modifier,
            table_oid: 0,
            column_id: 0,
            record: None,
        }
    }
}
