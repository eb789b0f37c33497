//! The analyzed query (PostgreSQL's Query node): where rows come from
//! (`Source`: tables, views, subqueries, VALUES, functions, joins), the
//! filter, grouping, aggregates, targets, ordering and limits, with every
//! name resolved and every expression typed.

use std::sync::Arc;

use crate::catalog::system_views::SystemView;
use crate::catalog::{IndexDesc, TableDesc};
use crate::error::PgResult;
use crate::nodes::expr::{AggCall, Expr};
use crate::nodes::window::{FrameBound, WindowFunc};
use crate::nodes::Column;
use crate::types::Oid;

/// A table in FROM, with the indexes it had when analyzed.
#[derive(Clone, Debug)]
pub struct TableRef {
    pub table: Arc<TableDesc>,
    pub indexes: Vec<Arc<IndexDesc>>,
}

/// How two FROM items are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    /// Every right row, NULL-extended on the left when nothing matched.
    Right,
    /// LEFT and RIGHT at once.
    Full,
    Cross,
}

impl JoinKind {
    /// Whether left rows without a match are kept (NULL-extended).
    pub fn keeps_left(self) -> bool {
        matches!(self, JoinKind::Left | JoinKind::Full)
    }

    /// Whether right rows without a match are kept (NULL-extended).
    pub fn keeps_right(self) -> bool {
        matches!(self, JoinKind::Right | JoinKind::Full)
    }
}

/// A join of two FROM items; its rows are the left row then the right.
#[derive(Clone, Debug)]
pub struct JoinSource {
    pub kind: JoinKind,
    pub left: Source,
    pub right: Source,
    /// The join condition over the combined row.
    pub on: Option<Expr>,
    pub left_width: usize,
    /// The right side refers to the left row (LATERAL, functions).
    pub lateral: bool,
}

pub use crate::fmgr::json::{json_srf, json_srf_name, JsonSrf};
pub use crate::fmgr::text_srf::TextSrf;

/// Which set-returning function a FROM item calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetFunction {
    /// generate_series(start, stop[, step]).
    GenerateSeries,
    /// generate_subscripts(array, dim [, reverse]): the subscripts of one
    /// dimension (int2vector and oidvector from 0).
    GenerateSubscripts,
    /// unnest(array, ...): one column per array, zipped, NULL-padded.
    Unnest,
    /// pg_partition_ancestors(regclass): the relation and the partitioned
    /// tables above it, when it is in a partition tree.
    PartitionAncestors,
    /// pg_options_to_table(text[]): each `name=value` option as
    /// (option_name, option_value).
    OptionsToTable,
    /// json(b)_each, _each_text, _array_elements(_text), _object_keys.
    Json { kind: JsonSrf, jsonb: bool },
    /// regexp_matches, regexp_split_to_table, string_to_table.
    Text(TextSrf),
    /// information_schema._pg_expandarray(array): one record (x, n) per
    /// element of the first dimension, n counting from 1.
    ExpandArray,
    /// Several functions of a select list advancing together (PostgreSQL's
    /// ProjectSet): `FunctionSource::parts` says which, `args` holds their
    /// arguments one after the other.
    Lockstep,
    /// A user-defined SQL function of `width` result columns: `args`
    /// holds one `Expr::SubLink` carrying the call (`SqlFuncCall`).
    /// `expand`: it returns one composite value per row (a row type, or
    /// `record` with a column definition list), whose fields are the
    /// columns.
    Sql { width: u16, expand: bool },
    /// json(b)_populate_record(set), json(b)_to_record(set)
    /// (`fmgr::json_record`): `args` are the base value (NULL for the
    /// `to_` ones), the document, and last the row's template; `width`
    /// fields.
    JsonRecord {
        jsonb: bool,
        set: bool,
        populate: bool,
        width: u16,
    },
}

impl SetFunction {
    /// Number of columns the function gives for `nargs` arguments.
    pub fn width(self, nargs: usize) -> usize {
        match self {
            SetFunction::GenerateSeries
            | SetFunction::GenerateSubscripts
            | SetFunction::PartitionAncestors
            | SetFunction::ExpandArray => 1,
            SetFunction::OptionsToTable => 2,
            SetFunction::Unnest => nargs,
            SetFunction::Json {
                kind: JsonSrf::Each | JsonSrf::EachText,
                ..
            } => 2,
            SetFunction::Json { .. } | SetFunction::Text(_) => 1,
            SetFunction::Lockstep => 0,
            SetFunction::Sql { width, .. } | SetFunction::JsonRecord { width, .. } => {
                width as usize
            }
        }
    }
}

impl SetFunction {
    /// The function's name (for EXPLAIN).
    pub fn name(self) -> &'static str {
        match self {
            SetFunction::GenerateSeries => "generate_series",
            SetFunction::GenerateSubscripts => "generate_subscripts",
            SetFunction::Unnest => "unnest",
            SetFunction::PartitionAncestors => "pg_partition_ancestors",
            SetFunction::ExpandArray => "_pg_expandarray",
            SetFunction::OptionsToTable => "pg_options_to_table",
            SetFunction::Json { kind, jsonb } => json_srf_name(kind, jsonb),
            SetFunction::Text(t) => t.name(),
            SetFunction::Lockstep => "project set",
            SetFunction::Sql { .. } => "sql function",
            SetFunction::JsonRecord {
                jsonb,
                set,
                populate,
                ..
            } => crate::fmgr::json_record::function_name(jsonb, set, populate),
        }
    }

    /// The function a call of the built-in `name` over `args` in a select
    /// list runs as (in a ProjectSet, one column per call: a record for
    /// those giving several, `srf_record_fields`); None for those whose
    /// select-list form is not supported (pg_options_to_table) or whose
    /// record has no known fields (json_to_recordset).
    pub fn of_select_list_call(name: &str, args: &[Expr]) -> Option<SetFunction> {
        if let Some((jsonb, set, populate)) = crate::fmgr::json_record::record_function(name) {
            let width = srf_record_fields(name, args)?.len() as u16;
            return set.then_some(SetFunction::JsonRecord {
                jsonb,
                set,
                populate,
                width,
            });
        }
        Some(match name {
            "unnest" => SetFunction::Unnest,
            "generate_subscripts" => SetFunction::GenerateSubscripts,
            "generate_series" => SetFunction::GenerateSeries,
            "pg_partition_ancestors" => SetFunction::PartitionAncestors,
            "_pg_expandarray" => SetFunction::ExpandArray,
            _ => match (TextSrf::of_name(name), json_srf(name)) {
                (Some(t), _) => SetFunction::Text(t),
                (None, None) => return None,
                (None, Some((kind, jsonb))) => SetFunction::Json { kind, jsonb },
            },
        })
    }
}

/// The fields of the record a call of the built-in set-returning `name`
/// over `args` gives, where it gives one: json(b)_each(_text)'s (key,
/// value), json(b)_populate_recordset's row type (from the template its
/// last argument is). None for the functions of one column, and for
/// json(b)_to_recordset, whose fields only a column definition list
/// names.
pub fn srf_record_fields(name: &str, args: &[Expr]) -> Option<crate::types::record::RecordDesc> {
    use crate::types::oid;
    if let Some((kind @ (JsonSrf::Each | JsonSrf::EachText), jsonb)) = json_srf(name) {
        let value = match (kind, jsonb) {
            (JsonSrf::EachText, _) => oid::TEXT,
            (_, true) => oid::JSONB,
            _ => oid::JSON,
        };
        return Some(vec![("key".into(), oid::TEXT), ("value".into(), value)]);
    }
    let (_, _, true) = crate::fmgr::json_record::record_function(name)? else {
        return None;
    };
    let Some(Expr::Const(crate::types::Value::Record(t), _)) = args.last() else {
        return None;
    };
    Some(
        t.fields
            .iter()
            .enumerate()
            .map(|(i, f)| (t.name(i), f.0))
            .collect(),
    )
}

/// One function of a `SetFunction::Lockstep`.
#[derive(Clone, Copy, Debug)]
pub struct LockstepPart {
    pub func: SetFunction,
    /// generate_series: the type of its values.
    pub ty: Oid,
    /// How many of the source's arguments are this function's.
    pub nargs: usize,
}

/// A set-returning function in FROM.
#[derive(Clone, Debug)]
pub struct FunctionSource {
    pub func: SetFunction,
    /// generate_series: the type of its values.
    pub ty: Oid,
    pub args: Vec<Expr>,
    /// WITH ORDINALITY: a last bigint column numbering the rows from 1.
    pub ordinality: bool,
    /// `SetFunction::Lockstep`: the functions, in column order (empty
    /// otherwise).
    pub parts: Vec<LockstepPart>,
}

impl FunctionSource {
    /// The function's name (for EXPLAIN).
    pub fn name(&self) -> &'static str {
        self.func.name()
    }

    /// Number of columns produced.
    pub fn width(&self) -> usize {
        let n = match self.func {
            SetFunction::Lockstep => self.parts.iter().map(|p| p.func.width(p.nargs)).sum(),
            f => f.width(self.args.len()),
        };
        n + usize::from(self.ordinality)
    }

    /// The type of column `c` where the plan needs it (generate_series'
    /// values), UNKNOWN elsewhere: evaluation reads columns by position.
    pub fn series_type(&self, c: usize) -> Oid {
        match self.func {
            SetFunction::GenerateSeries => self.ty,
            SetFunction::Lockstep => {
                let mut first = 0;
                for p in &self.parts {
                    let w = p.func.width(p.nargs);
                    if c < first + w {
                        return if p.func == SetFunction::GenerateSeries {
                            p.ty
                        } else {
                            crate::types::oid::UNKNOWN
                        };
                    }
                    first += w;
                }
                crate::types::oid::UNKNOWN
            }
            _ => crate::types::oid::UNKNOWN,
        }
    }
}

/// A set operation (UNION, INTERSECT, EXCEPT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOpKind {
    Union,
    Intersect,
    Except,
}

impl SetOpKind {
    /// The function's name (for EXPLAIN).
    pub fn name(self) -> &'static str {
        match self {
            SetOpKind::Union => "UNION",
            SetOpKind::Intersect => "INTERSECT",
            SetOpKind::Except => "EXCEPT",
        }
    }
}

/// `left op [ALL] right`: both sides' output columns already have the
/// result's types (PostgreSQL's select_common_type per column).
#[derive(Clone, Debug)]
pub struct SetOpSource {
    pub kind: SetOpKind,
    /// ALL: duplicates kept (UNION ALL), or counted (INTERSECT ALL:
    /// min(m, n) copies; EXCEPT ALL: max(m - n, 0)).
    pub all: bool,
    pub left: Query,
    pub right: Query,
}

/// WITH RECURSIVE's `non_recursive UNION [ALL] recursive`: the recursive
/// term reads the rows of the previous round from worktable `id`.
#[derive(Clone, Debug)]
pub struct RecursiveSource {
    pub id: usize,
    /// UNION (not ALL): rows already produced are not produced again.
    pub distinct: bool,
    pub non_recursive: Query,
    pub recursive: Query,
}

/// Where a query's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// No FROM: one empty row.
    One,
    View(&'static SystemView),
    Subquery(Box<Query>),
    Values(Vec<Vec<Expr>>),
    Table(TableRef),
    Function(FunctionSource),
    Join(Box<JoinSource>),
    SetOp(Box<SetOpSource>),
    Recursive(Box<RecursiveSource>),
    /// The rows of a recursive CTE's previous round (inside its recursive
    /// term): (worktable id, width).
    WorkTable(usize, usize),
}

impl Source {
    /// Number of columns the source produces.
    pub fn width(&self) -> usize {
        match self {
            Source::One => 0,
            Source::View(v) => v.columns().len() + usize::from(v.table_oid().is_some()),
            Source::Subquery(q) => q.columns.len(),
            Source::SetOp(s) => s.left.columns.len(),
            Source::Recursive(r) => r.non_recursive.columns.len(),
            Source::WorkTable(_, w) => *w,
            Source::Values(rows) => rows.first().map_or(0, Vec::len),
            Source::Table(t) => {
                t.table.columns.len() + crate::catalog::system_columns::NUM_SYSTEM_COLUMNS
            }
            Source::Function(f) => f.width(),
            Source::Join(j) => j.left.width() + j.right.width(),
        }
    }
}

/// An ORDER BY key: a target and its direction.
#[derive(Clone, Debug)]
pub struct SortKey {
    pub target: usize,
    pub desc: bool,
    pub nulls_first: bool,
}

/// GROUP BY's grouping sets and the GROUPING() calls over them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grouping {
    /// Each grouping set: the indexes of the keys it groups by (the
    /// others are NULL in its rows). Empty for a plain GROUP BY: one set
    /// of every key.
    pub sets: Vec<Vec<usize>>,
    /// Each GROUPING() call: the indexes of its arguments among the keys.
    /// Its value (bit set for an argument left out of the row's grouping
    /// set, the first argument highest) is a column after the keys.
    pub calls: Vec<Vec<usize>>,
}

/// An analyzed SELECT.
#[derive(Clone, Debug)]
pub struct Query {
    pub source: Source,
    pub filter: Option<Expr>,
    /// GROUP BY keys over source rows.
    pub group_keys: Vec<Expr>,
    /// Grouping sets and GROUPING() calls.
    pub grouping: Grouping,
    /// Aggregates over source rows.
    pub aggs: Vec<AggCall>,
    /// Whether an Aggregate step runs (aggregates or GROUP BY present).
    pub aggregated: bool,
    /// Over aggregated rows (keys, GROUPING() values, then aggregates).
    pub having: Option<Expr>,
    /// Output expressions: the visible columns, then resjunk sort keys.
    pub targets: Vec<Expr>,
    pub columns: Vec<Column>,
    pub distinct: bool,
    /// DISTINCT ON: the targets compared; the first row (in `sort`
    /// order) of each set of rows equal on them is kept.
    pub distinct_on: Vec<usize>,
    pub sort: Vec<SortKey>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    /// Window function calls, computed after grouping and HAVING by
    /// WindowAgg nodes (calls over the same window adjacent); targets
    /// refer to call `i` as column `window_input.len() + i`.
    pub windows: Vec<WindowFunc>,
    /// The types of the rows the window stage reads.
    pub window_input: Vec<Oid>,
}

impl Query {
    /// Calls `f` on every top-level expression of this query and of the
    /// subqueries in its FROM clause (not inside sublinks).
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        self.source.for_each_expr(f);
        for e in [&self.filter, &self.having, &self.limit, &self.offset]
            .into_iter()
            .flatten()
        {
            f(e);
        }
        self.group_keys.iter().for_each(&mut *f);
        self.targets.iter().for_each(&mut *f);
        for a in &self.aggs {
            a.args.iter().chain(a.filter.iter()).for_each(&mut *f);
        }
        for w in &self.windows {
            w.args.iter().chain(w.filter.iter()).for_each(&mut *f);
            w.window.partition.iter().for_each(&mut *f);
            w.window.order.iter().for_each(|(e, _)| f(e));
            for b in [&w.window.frame.start, &w.window.frame.end] {
                if let FrameBound::Preceding(e) | FrameBound::Following(e) = b {
                    f(e);
                }
            }
        }
    }

    /// Applies `f` to every expression of this query and its subqueries.
    pub fn map_exprs(&mut self, f: &mut dyn FnMut(Expr) -> PgResult<Expr>) -> PgResult<()> {
        let map_vec =
            |v: &mut Vec<Expr>, f: &mut dyn FnMut(Expr) -> PgResult<Expr>| -> PgResult<()> {
                let old = std::mem::take(v);
                *v = old.into_iter().map(&mut *f).collect::<PgResult<_>>()?;
                Ok(())
            };
        self.source.map_exprs(f)?;
        for opt in [
            &mut self.filter,
            &mut self.having,
            &mut self.limit,
            &mut self.offset,
        ] {
            if let Some(e) = opt.take() {
                *opt = Some(f(e)?);
            }
        }
        map_vec(&mut self.group_keys, f)?;
        map_vec(&mut self.targets, f)?;
        for a in &mut self.aggs {
            map_vec(&mut a.args, f)?;
        }
        let windows = std::mem::take(&mut self.windows);
        for w in windows {
            match f(Expr::WindowFunc(Box::new(w)))? {
                Expr::WindowFunc(w) => self.windows.push(*w),
                _ => return Err(crate::error::PgError::internal("window call mapped away")),
            }
        }
        Ok(())
    }
}

impl Source {
    /// Calls `f` on every expression of the source.
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Source::Subquery(q) => q.for_each_expr(f),
            Source::SetOp(s) => {
                s.left.for_each_expr(f);
                s.right.for_each_expr(f);
            }
            Source::Recursive(r) => {
                r.non_recursive.for_each_expr(f);
                r.recursive.for_each_expr(f);
            }
            Source::Values(rows) => rows.iter().flatten().for_each(f),
            Source::Function(fs) => fs.args.iter().for_each(f),
            Source::Join(j) => {
                j.left.for_each_expr(f);
                j.right.for_each_expr(f);
                j.on.iter().for_each(f);
            }
            Source::One | Source::View(_) | Source::Table(_) | Source::WorkTable(..) => {}
        }
    }

    /// Applies `f` to every expression of the source.
    pub fn map_exprs(&mut self, f: &mut dyn FnMut(Expr) -> PgResult<Expr>) -> PgResult<()> {
        let map_vec =
            |v: &mut Vec<Expr>, f: &mut dyn FnMut(Expr) -> PgResult<Expr>| -> PgResult<()> {
                let old = std::mem::take(v);
                *v = old.into_iter().map(&mut *f).collect::<PgResult<_>>()?;
                Ok(())
            };
        match self {
            Source::Subquery(q) => q.map_exprs(f)?,
            Source::SetOp(s) => {
                s.left.map_exprs(f)?;
                s.right.map_exprs(f)?;
            }
            Source::Recursive(r) => {
                r.non_recursive.map_exprs(f)?;
                r.recursive.map_exprs(f)?;
            }
            Source::Values(rows) => {
                for r in rows {
                    map_vec(r, f)?;
                }
            }
            Source::Function(fs) => map_vec(&mut fs.args, f)?,
            Source::Join(j) => {
                j.left.map_exprs(f)?;
                j.right.map_exprs(f)?;
                if let Some(e) = j.on.take() {
                    j.on = Some(f(e)?);
                }
            }
            Source::One | Source::View(_) | Source::Table(_) | Source::WorkTable(..) => {}
        }
        Ok(())
    }
}
