//! The system columns every table has besides its own (PostgreSQL's
//! SysAttributes): their names, attribute numbers and types. A scan of a
//! table appends them, in this order, after the table's columns; a
//! catalog relation computed as a system view has only `tableoid`.

use crate::error::{PgError, PgResult};
use crate::types::{oid, Oid};

/// A system column: its name, (negative) attribute number and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemColumn {
    pub name: &'static str,
    pub attnum: i16,
    pub ty: Oid,
}

const fn sc(name: &'static str, attnum: i16, ty: Oid) -> SystemColumn {
    SystemColumn { name, attnum, ty }
}

/// In the order a scan appends them (slot `k` has attnum `-(k + 1)`).
pub static SYSTEM_COLUMNS: [SystemColumn; 6] = [
    sc("ctid", -1, oid::TID),
    sc("xmin", -2, oid::XID),
    sc("cmin", -3, oid::CID),
    sc("xmax", -4, oid::XID),
    sc("cmax", -5, oid::CID),
    sc("tableoid", -6, oid::OID),
];

/// Number of system columns a table scan appends.
pub const NUM_SYSTEM_COLUMNS: usize = SYSTEM_COLUMNS.len();

/// The slot of `tableoid` among the system columns.
pub const TABLEOID_SLOT: usize = 5;

/// The system column named `name`, if any.
pub fn system_column(name: &str) -> Option<&'static SystemColumn> {
    SYSTEM_COLUMNS.iter().find(|c| c.name == name)
}

/// 42701 when a table column would be named like a system column.
pub fn check_column_name(name: &str) -> PgResult<()> {
    if system_column(name).is_some() {
        return Err(PgError::new(
            "42701",
            format!("column name \"{name}\" conflicts with a system column name"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_attnums() {
        for (k, c) in SYSTEM_COLUMNS.iter().enumerate() {
            assert_eq!(c.attnum, -(k as i16 + 1));
        }
        assert_eq!(SYSTEM_COLUMNS[TABLEOID_SLOT].name, "tableoid");
        assert!(check_column_name("xmin").is_err());
        assert!(check_column_name("xmin2").is_ok());
    }
}
