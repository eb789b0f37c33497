//! INSERT, UPDATE, DELETE and row locking as the analyzer leaves them
//! (`ModifyStmt`, `LockRowsStmt`) and as the optimizer plans them
//! (`Modify`, `LockRows`, PostgreSQL's ModifyTable and LockRows).

use std::sync::Arc;

use crate::catalog::IndexDesc;
use crate::nodes::expr::Expr;
use crate::nodes::plan::{Plan, ScanPlan};
use crate::nodes::query::{Query, TableRef};
use crate::nodes::Column;

/// What to do on a unique conflict.
#[derive(Debug)]
pub enum ConflictAction {
    Nothing,
    /// SET column = expression over (existing row ++ excluded row), with
    /// an optional WHERE over the same.
    Update {
        sets: Vec<(usize, Expr)>,
        filter: Option<Expr>,
    },
}

#[derive(Debug)]
pub struct OnConflict {
    /// The arbiter index (None: any unique index).
    pub index: Option<Arc<IndexDesc>>,
    pub action: ConflictAction,
}

#[derive(Debug)]
pub enum ModifyKind {
    Insert {
        source: Plan,
        /// One expression per table column, over the source row.
        exprs: Vec<Expr>,
        /// The source is VALUES (no need to read it all first).
        values: bool,
        on_conflict: Option<OnConflict>,
    },
    Update {
        scan: ScanPlan,
        /// The whole WHERE, checked again on the row's current version.
        recheck: Option<Expr>,
        sets: Vec<(usize, Expr)>,
    },
    Delete {
        scan: ScanPlan,
        recheck: Option<Expr>,
    },
}

/// SELECT ... FOR UPDATE / FOR SHARE over one table: the rows the WHERE
/// selects are locked first (both strengths take the exclusive row lock
/// here), following concurrent updates as UPDATE does; then the query
/// runs (under READ COMMITTED with a new snapshot, so it returns the
/// versions it locked).
#[derive(Debug)]
pub struct LockRows {
    pub table: TableRef,
    pub scan: ScanPlan,
    pub recheck: Option<Expr>,
    /// NOWAIT: fail instead of waiting for a row.
    pub nowait: bool,
}

/// A planned INSERT, UPDATE or DELETE.
#[derive(Debug)]
pub struct Modify {
    pub kind: ModifyKind,
    pub table: TableRef,
    /// UPDATE ... FROM / DELETE ... USING: the other tables' rows; an
    /// UPDATE's or DELETE's filter, SET and RETURNING expressions are
    /// then over the target row followed by one of these.
    pub join: Option<Plan>,
    /// RETURNING expressions over the table row.
    pub returning: Option<Vec<Expr>>,
    pub columns: Vec<Column>,
    /// CHECK and FOREIGN KEY constraints to keep (set after planning).
    pub constraints: Arc<crate::nodes::constraints::Constraints>,
    /// The views' check options, innermost view first, checked on each
    /// row an INSERT or UPDATE writes, after it is written.
    pub view_checks: Vec<ViewCheck>,
}

/// Where an analyzed INSERT's rows come from.
#[derive(Debug)]
pub enum InsertSource {
    /// VALUES rows (or DEFAULT VALUES), one expression per table column.
    Values(Vec<Vec<Expr>>),
    /// A query, whose columns `exprs` turn into table rows.
    Query(Box<Query>),
}

/// What an analyzed INSERT, UPDATE or DELETE does, before planning.
#[derive(Debug)]
pub enum ModifyStmtKind {
    Insert {
        source: InsertSource,
        /// One expression per table column, over the source row.
        exprs: Vec<Expr>,
        on_conflict: Option<OnConflict>,
    },
    Update {
        /// The WHERE clause over the table row.
        filter: Option<Expr>,
        sets: Vec<(usize, Expr)>,
    },
    Delete {
        filter: Option<Expr>,
    },
}

/// An analyzed INSERT, UPDATE or DELETE (PostgreSQL's Query with its
/// command type); `optimizer::plan_modify` makes a [`Modify`] of it.
#[derive(Debug)]
pub struct ModifyStmt {
    pub kind: ModifyStmtKind,
    pub table: TableRef,
    /// UPDATE ... FROM / DELETE ... USING (see [`Modify::join`]).
    pub join: Option<Box<Query>>,
    pub returning: Option<Vec<Expr>>,
    pub columns: Vec<Column>,
    /// The WITH CHECK OPTION conditions of the views written through
    /// (see [`Modify::view_checks`]).
    pub view_checks: Vec<ViewCheck>,
}

/// A WITH CHECK OPTION condition of a view an INSERT or UPDATE writes
/// through (PostgreSQL's WithCheckOption of kind WCO_VIEW_CHECK): each
/// new row must satisfy `qual`, over the base table's row, or the
/// statement fails with 44000 naming `view`.
#[derive(Debug)]
pub struct ViewCheck {
    pub view: String,
    pub qual: Expr,
}

/// An analyzed SELECT ... FOR UPDATE's row-locking step, before planning.
#[derive(Debug)]
pub struct LockRowsStmt {
    pub table: TableRef,
    pub filter: Option<Expr>,
    pub nowait: bool,
}

/// A data-modifying statement in WITH (`WITH d AS (DELETE ... RETURNING
/// *) ...`), analyzed: it runs once, to completion, before the rest of
/// the statement, and its RETURNING rows fill worktable `id`, which every
/// reference to `name` reads.
#[derive(Debug)]
pub struct ModifyingCte {
    pub name: String,
    pub id: usize,
    pub stmt: ModifyStmt,
}

/// A [`ModifyingCte`] planned.
#[derive(Debug)]
pub struct ModifyingCtePlan {
    pub name: String,
    pub id: usize,
    pub modify: Modify,
}
