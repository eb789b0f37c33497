//! Data-modifying statements in WITH (PostgreSQL's analyzeCTE for
//! INSERT, UPDATE and DELETE): allowed only in the WITH of the
//! statement's top level, analyzed once where defined, their RETURNING
//! rows read by every reference through a worktable that the executor
//! fills before the rest of the statement runs. Also the statements
//! whose body is one (`WITH ... INSERT/UPDATE/DELETE`).

use sqlparser::ast;

use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::modify::{ModifyStmt, ModifyingCte};

use super::{Analyzer, CteDef};

/// The INSERT, UPDATE or DELETE a WITH query's body is, if it is one.
pub(super) fn data_modifying(q: &ast::Query) -> Option<&ast::Statement> {
    match q.body.as_ref() {
        ast::SetExpr::Insert(s) | ast::SetExpr::Update(s) | ast::SetExpr::Delete(s) => Some(s),
        _ => None,
    }
}

pub(super) fn not_top_level() -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        "WITH clause containing a data-modifying statement must be at the top level",
    )
}

impl Analyzer<'_> {
    /// Lets the WITH of the next query analyzed (the statement's top
    /// level) hold INSERT, UPDATE or DELETE.
    pub fn allow_modifying_with(&mut self) {
        self.allow_modifying_with = true;
    }

    /// Whether `q` is `[WITH ...] INSERT/UPDATE/DELETE`.
    pub fn is_modifying_query(q: &ast::Query) -> bool {
        data_modifying(q).is_some()
    }

    /// `WITH ... INSERT/UPDATE/DELETE` at the top level of a statement:
    /// the statement analyzed with the WITH queries in scope.
    pub fn modifying_query(&mut self, q: &ast::Query) -> PgResult<ModifyStmt> {
        let Some(stmt) = data_modifying(q) else {
            return Err(PgError::internal("not a data-modifying query"));
        };
        let before = self.ctes.len();
        let r = match &q.with {
            Some(w) => self.push_ctes(w, true),
            None => Ok(()),
        }
        .and_then(|()| self.modify_statement(stmt));
        self.ctes.truncate(before);
        r
    }

    fn modify_statement(&mut self, stmt: &ast::Statement) -> PgResult<ModifyStmt> {
        self.allow_modifying_with = false;
        match stmt {
            ast::Statement::Insert(i) => self.insert(i),
            ast::Statement::Update(u) => self.update(u),
            ast::Statement::Delete(d) => self.delete(d),
            _ => Err(super::not_supported_yet("this data-modifying statement")),
        }
    }

    /// A data-modifying WITH query `name` (column aliases `aliases`):
    /// analyzed now, once, with the WITH queries before it in scope; its
    /// references read worktable rows.
    pub(super) fn modifying_cte(
        &mut self,
        name: String,
        aliases: Vec<String>,
        stmt: &ast::Statement,
        cte: &ast::Cte,
    ) -> PgResult<CteDef> {
        let m = self.modify_statement(stmt)?;
        let mut columns = m.columns.clone();
        let no_returning = m.returning.is_none();
        if !no_returning && aliases.len() > columns.len() {
            return Err(self.with_pos(
                cte,
                PgError::new(
                    sqlstate::INVALID_COLUMN_REFERENCE,
                    format!(
                        "WITH query \"{name}\" has {} columns available but {} columns specified",
                        columns.len(),
                        aliases.len()
                    ),
                ),
            ));
        }
        for (c, n) in columns.iter_mut().zip(&aliases) {
            c.name = n.clone();
        }
        for c in &mut columns {
            c.table_oid = 0;
            c.column_id = 0;
        }
        let id = self.next_worktable;
        self.next_worktable += 1;
        self.modifying_ctes.push(ModifyingCte {
            name: name.clone(),
            id,
            stmt: m,
        });
        Ok(CteDef {
            name,
            query: (*cte.query).clone(),
            columns: aliases,
            recursive: false,
            worktable: Some((id, columns)),
            no_returning,
        })
    }
}
