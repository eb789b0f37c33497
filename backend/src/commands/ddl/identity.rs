//! ALTER TABLE ... ALTER COLUMN's identity actions
//! (`parser::alter_identity`): ADD GENERATED ... AS IDENTITY gives a NOT
//! NULL integer column without a default a sequence of its own (named by
//! SEQUENCE NAME or chosen as CREATE TABLE chooses it, owned by the
//! column); SET GENERATED, SET option and RESTART change it; DROP
//! IDENTITY drops it. PostgreSQL's checks and messages (55000 for a
//! column that is, or is not, an identity column; 22023 for a type that
//! cannot be one).

use std::sync::Arc;

use super::{notice, Ddl};
use crate::access::sequence as storage_sequence;
use crate::catalog::{SequenceDesc, TableDesc};
use crate::commands::sequence;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::alter_identity::{AlterIdentity, IdentityAction};
use crate::parser::object_name;
use crate::types::oid;

fn not_identity(column: &str, table: &str) -> String {
    format!("column \"{column}\" of relation \"{table}\" is not an identity column")
}

fn prerequisite(msg: String) -> PgError {
    PgError::new(sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE, msg)
}

impl Ddl<'_> {
    /// Runs the identity action `a` on table `t`.
    pub(super) fn alter_identity(&mut self, t: &TableDesc, a: &AlterIdentity) -> PgResult<()> {
        let col = self.column_of(t, &a.column)?;
        let cname = t.columns[col].name.clone();
        let current = self.cat.identity(t.oid, col).cloned();
        match &a.action {
            IdentityAction::Add {
                kind,
                sequence_name,
                options,
            } => {
                let c = &t.columns[col];
                if !matches!(c.ty, oid::INT2 | oid::INT4 | oid::INT8) {
                    return Err(PgError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "identity column type must be smallint, integer, or bigint",
                    ));
                }
                if !c.not_null {
                    return Err(prerequisite(format!(
                        "column \"{cname}\" of relation \"{}\" must be declared NOT NULL before identity can be added",
                        t.name
                    )));
                }
                if current.is_some() {
                    return Err(prerequisite(format!(
                        "column \"{cname}\" of relation \"{}\" is already an identity column",
                        t.name
                    )));
                }
                if c.default.is_some() {
                    return Err(prerequisite(format!(
                        "column \"{cname}\" of relation \"{}\" already has a default value",
                        t.name
                    )));
                }
                let (nsp, sname) = match sequence_name {
                    Some(n) => {
                        let parts = object_name(n);
                        let (schema, rel) = crate::analyze::from::split_name(&parts)?;
                        let nsp = match schema {
                            Some(s) => self.cat.explicit_namespace(s)?,
                            None => t.namespace,
                        };
                        (nsp, rel.to_owned())
                    }
                    None => (
                        t.namespace,
                        self.cat
                            .choose_name(t.namespace, &format!("{}_{cname}", t.name), "seq"),
                    ),
                };
                self.cat.check_free_name(nsp, &sname)?;
                let mut s = SequenceDesc::with_defaults(0, nsp, sname, c.ty);
                sequence::apply(self.cat, &mut s, options, &[], true, None)?;
                s.oid = self.cat.alloc_oid();
                s.table = t.oid;
                s.column = col;
                s.identity = *kind;
                storage_sequence::create(self.pool, s.oid, sequence::limits(&s))?;
                self.cat.sequences.push(Arc::new(s));
            }
            IdentityAction::Set {
                kind,
                options,
                restart,
            } => {
                let Some(old) = current else {
                    return Err(prerequisite(not_identity(&cname, &t.name)));
                };
                let mut s = (*old).clone();
                if let Some(k) = kind {
                    s.identity = *k;
                }
                if !options.is_empty() || !restart.is_empty() {
                    let state = storage_sequence::state(self.pool, old.oid, &old.name)?;
                    let ap = sequence::apply(
                        self.cat,
                        &mut s,
                        options,
                        restart,
                        false,
                        Some(state.last),
                    )?;
                    storage_sequence::alter(
                        self.pool,
                        s.oid,
                        &s.name,
                        sequence::limits(&s),
                        ap.restart,
                    )?;
                }
                for slot in &mut self.cat.sequences {
                    if slot.oid == s.oid {
                        *slot = Arc::new(s.clone());
                    }
                }
            }
            IdentityAction::Drop { if_exists } => {
                let Some(old) = current else {
                    if *if_exists {
                        self.notices.push(notice(format!(
                            "{}, skipping",
                            not_identity(&cname, &t.name)
                        )));
                        return Ok(());
                    }
                    return Err(prerequisite(not_identity(&cname, &t.name)));
                };
                self.cat.sequences.retain(|s| s.oid != old.oid);
            }
        }
        self.changed = true;
        Ok(())
    }
}
