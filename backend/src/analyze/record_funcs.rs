//! The functions whose rows are JSON objects filled into composite
//! values (`fmgr::json_record`): json(b)_populate_record(set) take their
//! row type from the first argument's type, json(b)_to_record(set) from
//! the column definition list of their FROM item
//! (`AS x(a int, b text)`), as PostgreSQL's addRangeTableEntryForFunction
//! requires it for functions returning `record` (42601 without one, or
//! with one for a function that does not return `record`).

use sqlparser::ast;

use super::{names, Analyzer, ScopeColumn};
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::json_record::{self, RowShape};
use crate::nodes::expr::Expr;
use crate::nodes::query::{FunctionSource, SetFunction, Source};
use crate::parser::ident;
use crate::types::{composite, oid, Oid, Value};

/// 42601 for a column definition list where the function's result type
/// is not `record`.
pub fn definition_list_not_allowed() -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        "a column definition list is only allowed for functions returning \"record\"",
    )
}

/// 42601 for a column definition list where the function's result
/// type already names the columns (`what`: "with OUT parameters",
/// "returning a named composite type").
pub fn definition_list_redundant(what: &str) -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!("a column definition list is redundant for a function {what}"),
    )
}

/// Whether a FROM item's alias is a column definition list (its columns
/// have types).
pub fn has_definition_list(alias: Option<&ast::TableAlias>) -> bool {
    alias.is_some_and(|a| a.columns.iter().any(|c| c.data_type.is_some()))
}

impl Analyzer<'_> {
    /// A call of json(b)_populate_record(set) with its row's template
    /// appended (42804 when the first argument is not of a row type,
    /// 0A000 when it is an untyped `record`); any other call unchanged.
    pub(super) fn with_row_template(&self, call: Expr) -> PgResult<Expr> {
        let Expr::Func(d, mut args) = call else {
            return Ok(call);
        };
        if !matches!(json_record::record_function(d.name), Some((_, _, true))) {
            return Ok(Expr::Func(d, args));
        }
        let ty = args.first().map_or(oid::UNKNOWN, Expr::ty);
        if ty == oid::RECORD {
            return Err(json_record::undetermined_row_type(d.name));
        }
        let Some(c) = composite::by_oid(ty) else {
            return Err(PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("first argument of {} must be a row type", d.name),
            ));
        };
        let types: Vec<(Oid, i32)> = c.types.iter().copied().zip(c.typmods.clone()).collect();
        let template = RowShape::template(ty, c.names.to_vec(), &types);
        args.push(Expr::Const(template, ty));
        Ok(Expr::Func(d, args))
    }

    /// json(b)_to_record(set) or json(b)_populate_record(set) in FROM:
    /// one column per field of the row (named by the column definition
    /// list, or the row type).
    pub(super) fn record_function_in_from(
        &mut self,
        name: &str,
        args: Vec<Expr>,
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
    ) -> PgResult<(Source, Vec<ScopeColumn>)> {
        let Some((jsonb, set, populate)) = json_record::record_function(name) else {
            return Err(PgError::internal(format!(
                "{name} is not a record function"
            )));
        };
        let call = self.call(name, args)?;
        let Expr::Func(_, mut args) = call else {
            return Err(PgError::internal(format!("{name} resolved to a non-call")));
        };
        let qualifier = alias.map_or_else(|| name.to_owned(), |a| ident(&a.name));
        let defined = has_definition_list(alias);
        let (names, types): (Vec<String>, Vec<(Oid, i32)>) = if populate {
            if defined {
                return Err(definition_list_redundant(
                    "returning a named composite type",
                ));
            }
            let Some(Expr::Const(Value::Record(t), _)) = args.last() else {
                return Err(PgError::internal("populate_record without its template"));
            };
            let shape = RowShape::of_template(&Value::Record(t.clone()))?;
            (
                (0..t.fields.len()).map(|i| t.name(i)).collect(),
                shape.types.into_iter().zip(shape.typmods).collect(),
            )
        } else {
            let (names, types): (Vec<String>, Vec<(Oid, i32)>) =
                definition_list(alias, defined, ordinality)?
                    .into_iter()
                    .unzip();
            let template = RowShape::template(oid::RECORD, names.clone(), &types);
            args.insert(0, Expr::Const(Value::Null, oid::UNKNOWN));
            args.push(Expr::Const(template, oid::RECORD));
            (names, types)
        };
        // The base, the document and the template.
        let doc_last = args.len() - 1;
        let args: Vec<Expr> = args
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i < 2 || *i == doc_last)
            .map(|(_, a)| a)
            .collect();
        let mut cols: Vec<ScopeColumn> = names
            .iter()
            .zip(&types)
            .map(|(n, &(ty, typmod))| ScopeColumn::computed(&qualifier, n.clone(), ty, typmod))
            .collect();
        if ordinality {
            cols.push(ScopeColumn::computed(
                &qualifier,
                "ordinality".into(),
                oid::INT8,
                -1,
            ));
        }
        if let Some(a) = alias.filter(|_| !defined) {
            super::rename_columns(&mut cols, a, &qualifier)?;
        }
        let source = Source::Function(FunctionSource {
            func: SetFunction::JsonRecord {
                jsonb,
                set,
                populate,
                width: types.len() as u16,
            },
            ty: oid::RECORD,
            args,
            ordinality,
            parts: Vec::new(),
        });
        Ok((source, cols))
    }
}

/// The columns of a user SQL function in FROM that returns a composite
/// value per row (no OUT arguments): a row type's fields (42601 with a
/// column definition list), or for `record` the column definition
/// list's (required: 42601), which must be the body's columns (42804);
/// None for a function of another result type.
pub fn sql_function_row(
    catalog: &std::sync::Arc<crate::catalog::Catalog>,
    f: &crate::catalog::function::FunctionDesc,
    alias: Option<&ast::TableAlias>,
    ordinality: bool,
) -> PgResult<Option<Vec<(String, Oid)>>> {
    let defined = has_definition_list(alias);
    if let Some(c) = composite::by_oid(f.ret) {
        if defined {
            return Err(definition_list_redundant(
                "returning a named composite type",
            ));
        }
        return Ok(Some(
            c.names
                .iter()
                .cloned()
                .zip(c.types.iter().copied())
                .collect(),
        ));
    }
    if f.ret != oid::RECORD {
        return Ok(None);
    }
    let cols: Vec<(String, Oid)> = definition_list(alias, defined, ordinality)?
        .into_iter()
        .map(|(n, (ty, _))| (n, ty))
        .collect();
    // The body's columns, as its row value holds them.
    let body = super::sqlfunc::analyze_body(catalog, f)?;
    let have: Vec<Oid> = match body.query.targets.first() {
        Some(Expr::Row(r)) => r.args.iter().map(Expr::ty).collect(),
        _ => body.query.columns.iter().map(|c| c.type_oid).collect(),
    };
    // The list is the result type the body is checked against
    // (check_sql_fn_retval); types must be the same here, where
    // PostgreSQL also accepts assignment casts.
    let mismatch = |detail: String| super::sqlfunc::return_mismatch(f, detail);
    if have.len() != cols.len() {
        return Err(mismatch(format!(
            "Final statement returns too {} columns.",
            if have.len() > cols.len() {
                "many"
            } else {
                "few"
            }
        )));
    }
    for (i, (&h, (_, w))) in have.iter().zip(&cols).enumerate() {
        if h != *w {
            return Err(mismatch(format!(
                "Final statement returns {} instead of {} at column {}.",
                crate::types::type_name(h),
                crate::types::type_name(*w),
                i + 1
            )));
        }
    }
    Ok(Some(cols))
}

/// A column definition list (`AS x(a int, b text)`) of a function
/// returning record: its names and types (with typmods), with
/// PostgreSQL's errors for a missing list or type, WITH ORDINALITY
/// beside it, and a name given twice.
fn definition_list(
    alias: Option<&ast::TableAlias>,
    defined: bool,
    ordinality: bool,
) -> PgResult<Vec<(String, (Oid, i32))>> {
    let required = || {
        PgError::new(
            sqlstate::SYNTAX_ERROR,
            "a column definition list is required for functions returning \"record\"",
        )
    };
    let Some(a) = alias.filter(|_| defined) else {
        return Err(required());
    };
    if ordinality {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "WITH ORDINALITY cannot be used with a column definition list",
        )
        .with_hint("Put the column definition list inside ROWS FROM()."));
    }
    let mut cols: Vec<(String, (Oid, i32))> = Vec::new();
    for c in &a.columns {
        let n = ident(&c.name);
        if cols.iter().any(|(m, _)| *m == n) {
            return Err(PgError::new(
                sqlstate::DUPLICATE_COLUMN,
                format!("column name \"{n}\" specified more than once"),
            ));
        }
        let dt = c.data_type.as_ref().ok_or_else(required)?;
        cols.push((n, names::resolve_type(dt)?));
    }
    Ok(cols)
}
