//! Utility statements that are not planned queries, as PostgreSQL's
//! src/backend/commands: DDL (`ddl`; who may run it: `ddl_acl`), roles
//! (`role`), GRANT and REVOKE (`grant`), COPY (`copy`), EXPLAIN (`explain`),
//! VACUUM and CHECKPOINT (`vacuum`) and the transaction block's state
//! machine (`transaction`).

#![forbid(unsafe_code)]

pub mod analyze;
pub mod comment;
pub mod constraints;
pub mod copy;
pub mod copy_csv;
pub mod copy_options;
pub mod database;
pub mod ddl;
pub mod ddl_acl;
pub mod deparse;
pub mod explain;
pub mod explain_format;
pub mod functioncmds;
pub mod grant;
pub mod owner;
pub mod role;
pub mod role_setting;
pub mod sequence;
pub mod transaction;
pub mod trigger;
pub mod typecmds;
pub mod vacuum;
