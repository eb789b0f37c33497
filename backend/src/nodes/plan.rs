//! Plan trees (PostgreSQL's Plan nodes): Result, scans with their access
//! paths, joins, filters, projections, Agg, Sort, Unique and Limit. Plans
//! are immutable and shared by executions of a prepared statement; the
//! executor builds run-time state per execution.

use std::sync::Arc;

use crate::catalog::system_views::SystemView;
use crate::catalog::IndexDesc;
use crate::nodes::expr::{AggCall, Expr};
use crate::nodes::query::{
    FunctionSource, Grouping, JoinKind, SetFunction, SetOpKind, SortKey, TableRef,
};
use crate::nodes::window::WindowAggPlan;
use crate::types::Oid;

/// A plan node.
#[derive(Debug)]
pub enum Plan {
    /// One empty row (SELECT without FROM).
    Result,
    /// Rows of constant expressions (VALUES).
    Values(Vec<Vec<Expr>>),
    /// A system view, computed when the scan starts.
    ViewScan(&'static SystemView),
    /// A table, by heap or by index.
    Scan(Box<ScanPlan>),
    /// A set-returning function (generate_series, unnest).
    FunctionScan(FunctionSource),
    /// For each left row, the right rows satisfying `cond` (the right
    /// side is re-run per left row when `lateral`, else read once).
    NestLoop {
        kind: JoinKind,
        left: Box<Plan>,
        right: Box<Plan>,
        cond: Option<Expr>,
        lateral: bool,
        left_width: usize,
        right_width: usize,
    },
    /// Equi-join: the right side hashed on `right_keys`, probed with
    /// `left_keys`; `cond` is the rest of the join condition.
    HashJoin {
        kind: JoinKind,
        left: Box<Plan>,
        right: Box<Plan>,
        left_keys: Vec<Expr>,
        right_keys: Vec<Expr>,
        cond: Option<Expr>,
        left_width: usize,
        right_width: usize,
    },
    /// For each left row, an index scan of the right table whose index
    /// values (`right.index.eq`) are expressions over the left row.
    IndexNestLoop {
        kind: JoinKind,
        left: Box<Plan>,
        right: Box<ScanPlan>,
        cond: Option<Expr>,
    },
    /// Rows of the input for which the predicate is true.
    Filter { input: Box<Plan>, predicate: Expr },
    /// One output row per input row.
    Project { input: Box<Plan>, exprs: Vec<Expr> },
    /// Set-returning functions of a select list (PostgreSQL's
    /// ProjectSet): each input row followed by one value of each call,
    /// for as many rows as the longest call gives for that input row (the
    /// calls advance in lockstep, those exhausted give NULLs), none when
    /// every call gives none. The calls' arguments read the input row.
    ProjectSet {
        input: Box<Plan>,
        calls: Vec<SrfCall>,
    },
    /// Groups by `keys` (by each of `grouping.sets`, when there are
    /// grouping sets) and computes `aggs`; the output is the keys (NULL
    /// where the row's grouping set leaves them out), the GROUPING()
    /// values, then the aggregate results. Without keys, exactly one row.
    Aggregate {
        input: Box<Plan>,
        keys: Vec<Expr>,
        aggs: Vec<AggCall>,
        grouping: Grouping,
    },
    /// Window functions over rows sorted by the window's partition and
    /// ordering keys: each input row (its first `pass` columns) with the
    /// functions' results appended.
    WindowAgg {
        input: Box<Plan>,
        window: Box<WindowAggPlan>,
    },
    /// The rows of each input in turn (UNION ALL).
    Append(Vec<Plan>),
    /// INTERSECT or EXCEPT [ALL]: the right input is read into a hash of
    /// row counts, then the left input is streamed against it.
    SetOp {
        kind: SetOpKind,
        all: bool,
        left: Box<Plan>,
        right: Box<Plan>,
    },
    /// WITH RECURSIVE: the non-recursive term's rows, then rounds of the
    /// recursive term over the previous round's rows (worktable `id`)
    /// until a round produces none.
    RecursiveUnion {
        id: usize,
        distinct: bool,
        non_recursive: Box<Plan>,
        recursive: Box<Plan>,
    },
    /// The current round's rows of worktable `id`.
    WorkTableScan { id: usize },
    /// Removes duplicate rows (first occurrence kept, order preserved).
    Distinct { input: Box<Plan> },
    /// DISTINCT ON over sorted rows: the first row of each run of rows
    /// equal on the columns `keys` (NULLs equal).
    Unique { input: Box<Plan>, keys: Vec<usize> },
    Sort {
        input: Box<Plan>,
        keys: Vec<SortKey>,
    },
    Limit {
        input: Box<Plan>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
}

/// One set-returning call of a ProjectSet.
#[derive(Debug)]
pub struct SrfCall {
    pub func: SetFunction,
    /// The type of its values.
    pub ty: Oid,
    pub args: Vec<Expr>,
    /// A function of several columns (json_each): the fields of the
    /// composite value of type `ty` each row is given as.
    pub fields: Option<crate::types::record::RecordDesc>,
}

/// How a scan reads its table.
#[derive(Debug)]
pub struct IndexPath {
    pub index: Arc<IndexDesc>,
    /// Values for the leading index columns (=).
    pub eq: Vec<Expr>,
    /// Bounds on the next column: (value, inclusive).
    pub lower: Option<(Expr, bool)>,
    pub upper: Option<(Expr, bool)>,
    /// The conjuncts this answers (for EXPLAIN's "Index Cond").
    pub conds: Vec<Expr>,
    /// Scanned from the highest key down (an ORDER BY opposite to the
    /// index's order: EXPLAIN's "Index Scan Backward").
    pub backward: bool,
    /// Only the non-NULL values of the column after the equalities'
    /// (`col IS NOT NULL`, as min()/max() through an index read them).
    pub not_null: bool,
}

impl IndexPath {
    /// A scan of the whole index (no conditions), in its order or
    /// backward: what an ORDER BY or min()/max() reads it for.
    pub fn whole(index: Arc<IndexDesc>, backward: bool) -> IndexPath {
        IndexPath {
            index,
            eq: vec![],
            lower: None,
            upper: None,
            conds: vec![],
            backward,
            not_null: false,
        }
    }
}

/// A scan of a table.
#[derive(Debug)]
pub struct ScanPlan {
    pub table: TableRef,
    /// Columns to decode (others read as NULL); empty means none.
    pub wanted: Vec<bool>,
    /// Conjuncts over the table's row not answered by the index.
    pub filter: Option<Expr>,
    pub index: Option<IndexPath>,
    /// A Tid Scan: the value of a `ctid = value` conjunct (fetched
    /// directly) and that conjunct (EXPLAIN's "TID Cond").
    pub tid: Option<(Expr, Expr)>,
}

impl ScanPlan {
    /// The last table column to decode.
    pub fn last_wanted(&self) -> Option<usize> {
        let n = self.table.table.columns.len();
        self.wanted.iter().take(n).rposition(|w| *w)
    }

    /// Whether rows carry the system columns after the table's (a scan
    /// of a FROM item does; the scans of UPDATE, DELETE and COPY do not).
    pub fn with_system_columns(&self) -> bool {
        self.wanted.len() > self.table.table.columns.len()
    }

    /// Columns of each row: the table's, then the system columns.
    pub fn width(&self) -> usize {
        let n = self.table.table.columns.len();
        if self.with_system_columns() {
            n + crate::catalog::system_columns::NUM_SYSTEM_COLUMNS
        } else {
            n
        }
    }

    /// The names of a row's columns (for EXPLAIN).
    pub fn column_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .table
            .table
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        if self.with_system_columns() {
            v.extend(
                crate::catalog::system_columns::SYSTEM_COLUMNS
                    .iter()
                    .map(|c| c.name.to_owned()),
            );
        }
        v
    }
}
