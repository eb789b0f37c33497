//! SQL: parsing, planning and execution.
