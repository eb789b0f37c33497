//! FROM-clause analysis (PostgreSQL's transformFromClause): tables,
//! system views, subqueries (LATERAL too), VALUES, generate_series, and
//! joins (inner, left, cross; ON and USING), building the flat scope of
//! columns the rest of the query resolves names against.

use sqlparser::ast;

use super::sqlfunc::RoutineName;
use super::{not_supported_yet, rename_columns, Analyzer, Scope, ScopeColumn};
use crate::catalog::system_columns::{SystemColumn, SYSTEM_COLUMNS, TABLEOID_SLOT};
use crate::catalog::system_views;
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr;
use crate::nodes::expr::Expr;
use crate::nodes::query::{
    FunctionSource, JoinKind, JoinSource, Query, SetFunction, Source, TableRef,
};
use crate::parser::{ident, object_name};
use crate::types::oid;
use crate::utils::adt::coerce;
use crate::utils::adt::ops::BinOp;

/// A relation name's parts: (schema, name).
pub fn split_name(parts: &[String]) -> PgResult<(Option<&str>, &str)> {
    match parts {
        [r] => Ok((None, r.as_str())),
        [s, r] => Ok((Some(s.as_str()), r.as_str())),
        [_, s, r] => Ok((Some(s.as_str()), r.as_str())),
        _ => Err(not_supported_yet("this relation name")),
    }
}

/// 42P01 relation "x" does not exist.
pub fn no_relation(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_TABLE,
        format!("relation \"{name}\" does not exist"),
    )
}

impl Analyzer<'_> {
    /// Looks up a user table (search path: pg_catalog, then public).
    pub fn lookup_table(&mut self, name: &ast::ObjectName) -> PgResult<TableRef> {
        let parts = object_name(name);
        let (schema, rel) = split_name(&parts)?;
        self.uses_catalog = true;
        let found = match self.catalog.resolve_relation(schema, rel) {
            Some((crate::catalog::RelKind::Table, o)) => self.catalog.table_by_oid(o).cloned(),
            _ => None,
        };
        if let Some(t) = &found {
            if !self.relations.contains(&t.oid) {
                self.relations.push(t.oid);
            }
        }
        match found {
            Some(t) => Ok(TableRef {
                indexes: self.catalog.indexes_of(t.oid).cloned().collect(),
                table: t,
            }),
            None => Err(self.with_pos(name, no_relation(&parts.join(".")))),
        }
    }

    /// FROM: the items joined left to right (a comma is a cross join).
    pub(super) fn from(&mut self, from: &[ast::TableWithJoins]) -> PgResult<(Source, Scope)> {
        let mut acc: Option<(Source, Scope)> = None;
        for twj in from {
            acc = Some(self.join_item(acc, &twj.relation, JoinKind::Cross, None)?);
            for j in &twj.joins {
                use ast::JoinOperator as J;
                let (kind, c) = match &j.join_operator {
                    J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
                    J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
                    J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
                    J::FullOuter(c) => (JoinKind::Full, c),
                    J::CrossJoin(c) => (JoinKind::Cross, c),
                    _ => return Err(not_supported_yet("this kind of join")),
                };
                acc = Some(self.join_item(acc, &j.relation, kind, Some(c))?);
            }
        }
        Ok(acc.unwrap_or((Source::One, Scope::default())))
    }

    fn join_item(
        &mut self,
        left: Option<(Source, Scope)>,
        item: &ast::TableFactor,
        kind: JoinKind,
        constraint: Option<&ast::JoinConstraint>,
    ) -> PgResult<(Source, Scope)> {
        let empty = Scope::default();
        let left_scope = left.as_ref().map_or(&empty, |(_, s)| s);
        let (right, right_scope, lateral) = self.table_factor(item, left_scope)?;
        let Some((left, left_scope)) = left else {
            return Ok((right, right_scope));
        };
        if lateral && matches!(kind, JoinKind::Right | JoinKind::Full) {
            let q = left_scope
                .cols
                .iter()
                .find_map(|c| c.qualifier.clone())
                .unwrap_or_default();
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!("invalid reference to FROM-clause entry for table \"{q}\""),
            )
            .with_detail(
                "The combining JOIN type must be INNER or LEFT for a LATERAL reference.",
            ));
        }
        let left_width = left_scope.cols.len();
        let mut scope = left_scope.clone();
        scope.cols.extend(right_scope.cols.iter().cloned());
        // USING and NATURAL: the merged columns as (left, right) positions.
        // `USING (...) AS alias` comes as a last name the parser marked
        // (`parser::table_query::rewrite_using_alias`).
        let mut using_alias: Option<String> = None;
        let using: Option<Vec<String>> = match constraint {
            Some(ast::JoinConstraint::Using(cols)) => {
                let mut names: Vec<String> = cols
                    .iter()
                    .map(|c| object_name(c).pop().unwrap_or_default())
                    .collect();
                if let Some(a) = names
                    .last()
                    .and_then(|n| n.strip_prefix(crate::parser::USING_ALIAS_MARK))
                {
                    using_alias = Some(a.to_owned());
                    names.pop();
                }
                for (i, n) in names.iter().enumerate() {
                    if names[..i].contains(n) {
                        return Err(PgError::new(
                            "42701",
                            format!("column name \"{n}\" appears more than once in USING clause"),
                        ));
                    }
                }
                Some(names)
            }
            Some(ast::JoinConstraint::Natural) => {
                let mut names: Vec<String> = Vec::new();
                for c in left_scope.cols.iter().filter(|c| !c.hidden && !c.system) {
                    if !names.contains(&c.name)
                        && right_scope
                            .cols
                            .iter()
                            .any(|r| !r.hidden && !r.system && r.name == c.name)
                    {
                        names.push(c.name.clone());
                    }
                }
                Some(names)
            }
            _ => None,
        };
        let mut merged: Vec<(usize, usize)> = Vec::new();
        let on = match (constraint, &using) {
            (_, Some(names)) => {
                let mut cond: Option<Expr> = None;
                for name in names {
                    let l = using_column(&left_scope, name, "left")?;
                    let r = using_column(&right_scope, name, "right")? + left_width;
                    let (lt, rt) = (scope.cols[l].ty, scope.cols[r].ty);
                    let eq = self.operator(BinOp::Eq, Expr::Column(l, lt), Expr::Column(r, rt))?;
                    merged.push((l, r));
                    cond = Some(match cond {
                        None => eq,
                        Some(c) => Expr::And(Box::new(c), Box::new(eq)),
                    });
                }
                cond
            }
            (None | Some(ast::JoinConstraint::None), None) => {
                if kind != JoinKind::Cross {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at end of input",
                    ));
                }
                None
            }
            (Some(ast::JoinConstraint::On(e)), None) => {
                let x = self.expr(e, &scope, super::expr::Clause::JoinOn)?;
                let x = self.coerce_arg(x, oid::BOOL, "JOIN/ON")?;
                if kind == JoinKind::Full && !full_join_condition(&x, left_width) {
                    return Err(not_supported_yet_full());
                }
                Some(x)
            }
            (Some(_), None) => return Err(not_supported_yet("USING ... AS")),
        };
        let kind = if kind == JoinKind::Cross && on.is_some() {
            JoinKind::Inner
        } else {
            kind
        };
        let join = Source::Join(Box::new(JoinSource {
            kind,
            left,
            right,
            on,
            left_width,
            lateral,
        }));
        if merged.is_empty() {
            return Ok((join, scope));
        }
        let (source, mut scope) = self.merge_using(join, scope, &merged, kind)?;
        if let Some(a) = using_alias {
            // The alias names the merged columns (`j.id`, `j.*`).
            for c in scope.cols.iter_mut().take(merged.len()) {
                c.qualifier = Some(a.clone());
            }
        }
        Ok((source, scope))
    }

    /// A join with USING columns: its rows with the merged columns first
    /// (the left one, the right one for RIGHT JOIN, COALESCE of both for
    /// FULL JOIN, in their common type), which `SELECT *` shows once and
    /// unqualified names find; the joined tables' own columns stay
    /// reachable qualified.
    fn merge_using(
        &mut self,
        join: Source,
        scope: Scope,
        merged: &[(usize, usize)],
        kind: JoinKind,
    ) -> PgResult<(Source, Scope)> {
        let mut targets = Vec::with_capacity(merged.len() + scope.cols.len());
        let mut cols = Vec::with_capacity(targets.capacity());
        for &(l, r) in merged {
            let (lc, rc) = (&scope.cols[l], &scope.cols[r]);
            let ty = coerce::common_type(&[lc.ty, rc.ty], "JOIN/USING")?;
            let typmod = if lc.ty == rc.ty && lc.typmod == rc.typmod {
                lc.typmod
            } else {
                -1
            };
            let le = self.coerce(Expr::Column(l, lc.ty), ty, false)?;
            let re = self.coerce(Expr::Column(r, rc.ty), ty, false)?;
            targets.push(match kind {
                JoinKind::Right => re,
                JoinKind::Full => Expr::Coalesce(vec![le, re], ty),
                _ => le,
            });
            cols.push(ScopeColumn {
                qualifier: None,
                name: lc.name.clone(),
                ty,
                typmod,
                hidden: false,
                system: false,
                origin: match kind {
                    JoinKind::Full => (0, 0),
                    JoinKind::Right => rc.origin,
                    _ => lc.origin,
                },
                record: None,
                computed: None,
            });
        }
        for (i, c) in scope.cols.iter().enumerate() {
            targets.push(Expr::Column(i, c.ty));
            let mut c = c.clone();
            c.hidden |= merged.iter().any(|&(l, r)| l == i || r == i);
            cols.push(c);
        }
        let columns = cols
            .iter()
            .map(|c| crate::nodes::Column::new(c.name.clone(), c.ty, c.typmod))
            .collect();
        let q = super::projection_query(join, targets, columns);
        Ok((Source::Subquery(Box::new(q)), Scope { cols }))
    }

    /// One FROM item: (source, its scope, whether it refers to the items
    /// to its left).
    fn table_factor(
        &mut self,
        item: &ast::TableFactor,
        left: &Scope,
    ) -> PgResult<(Source, Scope, bool)> {
        crate::stack::check_stack_depth()?;
        match item {
            ast::TableFactor::Table {
                name,
                alias,
                args,
                with_ordinality,
                ..
            } => {
                let parts = object_name(name);
                let (schema, rel) = split_name(&parts)?;
                if let Some(a) = args {
                    let args = a
                        .args
                        .iter()
                        .map(|a| match a {
                            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Ok(e),
                            _ => Err(not_supported_yet("named function arguments")),
                        })
                        .collect::<PgResult<Vec<_>>>()?;
                    return self.function_in_from(
                        schema,
                        rel,
                        &args,
                        alias.as_ref(),
                        *with_ordinality,
                        left,
                    );
                }
                let qualifier = alias
                    .as_ref()
                    .map(|a| ident(&a.name))
                    .unwrap_or_else(|| rel.to_owned());
                if schema.is_none() {
                    if let Some(q) = self.cte_reference(rel)? {
                        let cols = query_columns(&q, Some(&qualifier), alias.as_ref())?;
                        return Ok((Source::Subquery(Box::new(q)), Scope { cols }, false));
                    }
                }
                {
                    if let Some(q) = self.view_reference(schema, rel)? {
                        let cols = query_columns(&q, Some(&qualifier), alias.as_ref())?;
                        return Ok((Source::Subquery(Box::new(q)), Scope { cols }, false));
                    }
                    if let Some(q) = self.sequence_reference(schema, rel)? {
                        let cols = query_columns(&q, Some(&qualifier), alias.as_ref())?;
                        return Ok((Source::Subquery(Box::new(q)), Scope { cols }, false));
                    }
                }
                if schema == Some("information_schema") {
                    if let Some(q) = self.information_schema_reference(rel)? {
                        let cols = query_columns(&q, Some(&qualifier), alias.as_ref())?;
                        return Ok((Source::Subquery(Box::new(q)), Scope { cols }, false));
                    }
                }
                let view = match schema {
                    None | Some("pg_catalog") => system_views::lookup(schema, rel),
                    _ => None,
                };
                let (source, mut cols): (Source, Vec<ScopeColumn>) = if let Some(view) = view {
                    if view.uses_catalog {
                        self.uses_catalog = true;
                    }
                    let cols = view
                        .columns()
                        .iter()
                        .map(|(n, t)| ScopeColumn {
                            qualifier: Some(qualifier.clone()),
                            name: (*n).to_owned(),
                            ty: *t,
                            typmod: -1,
                            hidden: false,
                            system: false,
                            origin: (0, 0),
                            record: None,
                            computed: None,
                        })
                        .collect();
                    (Source::View(view), cols)
                } else {
                    let t = self.lookup_table(name)?;
                    self.require(t.table.oid, crate::catalog::roles::privs::SELECT);
                    if self
                        .catalog
                        .matview(t.table.oid)
                        .is_some_and(|m| !m.populated)
                    {
                        return Err(PgError::new(
                            sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                            format!(
                                "materialized view \"{}\" has not been populated",
                                t.table.name
                            ),
                        )
                        .with_hint("Use the REFRESH MATERIALIZED VIEW command."));
                    }
                    let cols = t
                        .table
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| ScopeColumn {
                            qualifier: Some(qualifier.clone()),
                            name: c.name.clone(),
                            ty: c.ty,
                            typmod: c.typmod,
                            // A dropped column keeps its place in the row
                            // but is seen by nothing.
                            hidden: c.dropped,
                            system: c.dropped,
                            origin: (t.table.oid, i as i16 + 1),
                            record: None,
                            computed: None,
                        })
                        .collect();
                    (Source::Table(t), cols)
                };
                if let Some(a) = alias {
                    rename_columns(&mut cols, a, &qualifier)?;
                }
                cols.extend(system_scope_columns(&source, &qualifier));
                Ok((source, Scope { cols }, false))
            }
            ast::TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let (q, correlated) = if *lateral {
                    self.subquery(subquery, left)?
                } else {
                    (self.query(subquery)?, false)
                };
                let qualifier = alias.as_ref().map(|a| ident(&a.name));
                let cols = query_columns(&q, qualifier.as_deref(), alias.as_ref())?;
                Ok((Source::Subquery(Box::new(q)), Scope { cols }, correlated))
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => {
                let (s, sc) = self.from(std::slice::from_ref(table_with_joins))?;
                Ok((s, sc, false))
            }
            // `LATERAL f(...)`: a function in FROM reads the items to its
            // left anyway.
            ast::TableFactor::Function {
                name,
                args,
                with_ordinality,
                alias,
                ..
            } => {
                let parts = object_name(name);
                let (schema, rel) = split_name(&parts)?;
                let args = args
                    .iter()
                    .map(|a| match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Ok(e),
                        _ => Err(not_supported_yet("named function arguments")),
                    })
                    .collect::<PgResult<Vec<_>>>()?;
                self.function_in_from(schema, rel, &args, alias.as_ref(), *with_ordinality, left)
            }
            ast::TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_ordinality,
                ..
            } => {
                let args: Vec<&ast::Expr> = array_exprs.iter().collect();
                self.function_in_from(
                    None,
                    "unnest",
                    &args,
                    alias.as_ref(),
                    *with_ordinality,
                    left,
                )
            }
            _ => Err(not_supported_yet("this kind of FROM item")),
        }
    }

    /// generate_series(start, stop[, step]) or unnest(array, ...) in FROM,
    /// optionally WITH ORDINALITY; or a user function (in `schema`, or
    /// found through the search path). A schema other than pg_catalog
    /// holds only user functions.
    fn function_in_from(
        &mut self,
        schema: Option<&str>,
        name: &str,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        left: &Scope,
    ) -> PgResult<(Source, Scope, bool)> {
        if let Some(s) = schema.filter(|s| *s != "pg_catalog") {
            let routine = RoutineName {
                schema: Some(s),
                name,
            };
            return match self.sql_function_in_from(routine, args, alias, ordinality, left)? {
                Some(r) => Ok(r),
                None => Err(fmgr::no_function(&routine.to_string(), &[])),
            };
        }
        if let Some((kind, jsonb)) = crate::nodes::query::json_srf(name) {
            if super::record_funcs::has_definition_list(alias) {
                return Err(
                    if matches!(
                        kind,
                        crate::nodes::query::JsonSrf::Each | crate::nodes::query::JsonSrf::EachText
                    ) {
                        super::record_funcs::definition_list_redundant("with OUT parameters")
                    } else {
                        super::record_funcs::definition_list_not_allowed()
                    },
                );
            }
            return self.json_srf_in_from(name, kind, jsonb, args, alias, ordinality, left);
        }
        if crate::fmgr::json_record::record_function(name).is_some() {
            let (parsed, correlated) = self.function_args_in_from(args, left)?;
            let (source, cols) = self.record_function_in_from(name, parsed, alias, ordinality)?;
            return Ok((source, Scope { cols }, correlated));
        }
        let routine = RoutineName { schema, name };
        let cands = self.catalog.routine_candidates(schema, name)?;
        if cands.iter().any(|f| f.kind == 'f') {
            if let Some(r) = self.sql_function_in_from(routine, args, alias, ordinality, left)? {
                return Ok(r);
            }
        }
        if super::record_funcs::has_definition_list(alias) {
            return Err(super::record_funcs::definition_list_not_allowed());
        }
        let func = match name {
            "generate_series" => SetFunction::GenerateSeries,
            "generate_subscripts" => SetFunction::GenerateSubscripts,
            "pg_partition_ancestors" => SetFunction::PartitionAncestors,
            "pg_options_to_table" => SetFunction::OptionsToTable,
            "unnest" => SetFunction::Unnest,
            _ => match crate::nodes::query::TextSrf::of_name(name) {
                Some(t) => SetFunction::Text(t),
                None if fmgr::exists(name) => {
                    return Err(not_supported_yet(&format!("function {name} in FROM")))
                }
                None => {
                    let (given, _) = self.function_args_in_from(args, left)?;
                    let types: Vec<_> = given.iter().map(Expr::ty).collect();
                    return Err(fmgr::no_function(name, &types));
                }
            },
        };
        // Function arguments may refer to items to the left (implicitly
        // LATERAL): analyze them as a one-level subquery would.
        let (mut args, _) = self.function_args_in_from(args, left)?;
        // LATERAL only if an argument reads the items to the left (depth
        // 1 at the arguments' level); otherwise the function runs at this
        // query's level, so references to enclosing queries come one
        // level nearer.
        let lateral = args.iter().any(|a| refers_to_depth(a, 1));
        if !lateral {
            args = args
                .into_iter()
                .map(|a| {
                    a.map_bottom_up(&mut |n| {
                        Ok(match n {
                            Expr::Outer(d, i, t) if d > 1 => Expr::Outer(d - 1, i, t),
                            other => other,
                        })
                    })
                })
                .collect::<PgResult<_>>()?;
        }
        let correlated = lateral;
        if func == SetFunction::Unnest {
            return self.unnest_in_from(args, alias, ordinality, correlated);
        }
        if matches!(
            func,
            SetFunction::GenerateSubscripts
                | SetFunction::PartitionAncestors
                | SetFunction::OptionsToTable
                | SetFunction::Text(_)
        ) {
            // Resolved as a call would be: (anyarray, int [, bool]) or
            // (regclass).
            let call = self.call(name, args)?;
            let ty = call.ty();
            let Expr::Func(_, args) = call else {
                return Err(PgError::internal(format!("{name} resolved to a non-call")));
            };
            let types: &[crate::types::Oid] = if func == SetFunction::OptionsToTable {
                &[oid::TEXT, oid::TEXT]
            } else {
                &[ty]
            };
            let mut cols = function_columns(name, types, alias, ordinality)?;
            // pg_options_to_table's columns are its OUT parameters.
            if func == SetFunction::OptionsToTable {
                for (c, out) in cols.iter_mut().zip(["option_name", "option_value"]) {
                    if c.name == name {
                        c.name = out.into();
                    }
                }
            }
            // pg_partition_ancestors' column is its OUT parameter, relid.
            if func == SetFunction::PartitionAncestors && alias.is_none_or(|a| a.columns.is_empty())
            {
                cols[0].name = "relid".into();
            }
            return Ok((
                Source::Function(FunctionSource {
                    func,
                    ty,
                    args,
                    ordinality,
                    parts: Vec::new(),
                }),
                Scope { cols },
                correlated,
            ));
        }
        if !(2..=3).contains(&args.len()) {
            let types: Vec<_> = args.iter().map(Expr::ty).collect();
            return Err(crate::fmgr::no_function(name, &types));
        }
        let types: Vec<_> = args.iter().map(Expr::ty).collect();
        // Over timestamps with an interval step (a date is a timestamptz).
        let time = match coerce::common_type(&types[..2], "generate_series") {
            Ok(oid::TIMESTAMP) => Some(oid::TIMESTAMP),
            Ok(oid::TIMESTAMPTZ | oid::DATE) => Some(oid::TIMESTAMPTZ),
            Ok(oid::UNKNOWN) if types.get(2) == Some(&oid::INTERVAL) => Some(oid::TIMESTAMPTZ),
            _ => None,
        };
        if let Some(ty) = time {
            if !matches!(types.get(2), Some(&(oid::INTERVAL | oid::UNKNOWN))) {
                return Err(crate::fmgr::no_function(name, &types));
            }
            let want = [ty, ty, oid::INTERVAL];
            let args = args
                .into_iter()
                .zip(want)
                .map(|(a, t)| self.coerce(a, t, false))
                .collect::<PgResult<Vec<_>>>()?;
            let cols = function_columns(name, &[ty], alias, ordinality)?;
            return Ok((
                Source::Function(FunctionSource {
                    func,
                    ty,
                    args,
                    ordinality,
                    parts: Vec::new(),
                }),
                Scope { cols },
                correlated,
            ));
        }
        let ty = match coerce::common_type(&types, "generate_series")? {
            oid::INT2 | oid::INT4 | oid::UNKNOWN => oid::INT4,
            oid::INT8 => oid::INT8,
            oid::NUMERIC => oid::NUMERIC,
            _ => return Err(crate::fmgr::no_function(name, &types)),
        };
        let args = args
            .into_iter()
            .map(|a| self.coerce(a, ty, false))
            .collect::<PgResult<Vec<_>>>()?;
        let cols = function_columns(name, &[ty], alias, ordinality)?;
        Ok((
            Source::Function(FunctionSource {
                func,
                ty,
                args,
                ordinality,
                parts: Vec::new(),
            }),
            Scope { cols },
            correlated,
        ))
    }

    /// A user-defined SQL function in FROM; None when none of that name
    /// fits and a built-in one does.
    fn sql_function_in_from(
        &mut self,
        routine: RoutineName<'_>,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        left: &Scope,
    ) -> PgResult<Option<(Source, Scope, bool)>> {
        let cands: Vec<_> = self
            .catalog
            .routine_candidates(routine.schema, routine.name)?
            .into_iter()
            .filter(|f| f.kind == 'f')
            .collect();
        let list: Vec<ast::FunctionArg> = args
            .iter()
            .map(|e| ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr((*e).clone())))
            .collect();
        self.outer.push(left.clone());
        self.correlated.push(false);
        let chosen = self.choose_function(
            routine,
            &cands,
            &list,
            &Scope::default(),
            super::expr::Clause::Select,
            false,
        );
        self.outer.pop();
        self.correlated.pop();
        let Some((f, mut fargs)) = chosen? else {
            return Ok(None);
        };
        let lateral = fargs.iter().any(|a| refers_to_depth(a, 1));
        if !lateral {
            fargs = fargs
                .into_iter()
                .map(|a| {
                    a.map_bottom_up(&mut |n| {
                        Ok(match n {
                            Expr::Outer(d, i, t) if d > 1 => Expr::Outer(d - 1, i, t),
                            other => other,
                        })
                    })
                })
                .collect::<PgResult<_>>()?;
        }
        let call = self.sql_function_expr(&f, fargs, true)?;
        let mut outs: Vec<(String, crate::types::Oid)> =
            f.output_args().map(|a| (a.name.clone(), a.ty)).collect();
        // A row type's fields, or a column definition list's columns.
        let row = if outs.is_empty() {
            super::record_funcs::sql_function_row(&self.catalog, &f, alias, ordinality)?
        } else {
            None
        };
        if row.is_none() && super::record_funcs::has_definition_list(alias) {
            return Err(if outs.is_empty() {
                super::record_funcs::definition_list_not_allowed()
            } else {
                super::record_funcs::definition_list_redundant("with OUT parameters")
            });
        }
        let expand = row.is_some();
        if let Some(fields) = row {
            outs = fields;
        }
        let types: Vec<crate::types::Oid> = if outs.is_empty() {
            vec![f.ret]
        } else {
            outs.iter().map(|o| o.1).collect()
        };
        let mut cols = function_columns(routine.name, &types, alias, ordinality)?;
        if outs.len() > 1 || (outs.len() == 1 && alias.is_none_or(|a| a.columns.is_empty())) {
            let renamed = alias.map_or(0, |a| a.columns.len());
            for (c, (n, _)) in cols.iter_mut().zip(&outs).skip(renamed) {
                if !n.is_empty() {
                    c.name = n.clone();
                }
            }
        }
        Ok(Some((
            Source::Function(FunctionSource {
                func: SetFunction::Sql {
                    width: types.len() as u16,
                    expand,
                },
                ty: f.ret,
                args: vec![call],
                ordinality,
                parts: Vec::new(),
            }),
            Scope { cols },
            lateral,
        )))
    }

    /// The arguments of a function in FROM, analyzed with the FROM items
    /// to its `left` visible as an outer level (LATERAL); whether any
    /// reads them.
    fn function_args_in_from(
        &mut self,
        args: &[&ast::Expr],
        left: &Scope,
    ) -> PgResult<(Vec<Expr>, bool)> {
        self.outer.push(left.clone());
        self.correlated.push(false);
        let parsed: PgResult<Vec<Expr>> = args
            .iter()
            .map(|e| self.expr(e, &Scope::default(), super::expr::Clause::Select))
            .collect();
        self.outer.pop();
        let correlated = self.correlated.pop().unwrap_or(false);
        Ok((parsed?, correlated))
    }

    /// json_each(json) and the other json set-returning functions:
    /// columns named as PostgreSQL's OUT parameters (`key`, `value`), or
    /// after the function (object_keys).
    #[allow(clippy::too_many_arguments)]
    fn json_srf_in_from(
        &mut self,
        name: &str,
        kind: crate::nodes::query::JsonSrf,
        jsonb: bool,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        left: &Scope,
    ) -> PgResult<(Source, Scope, bool)> {
        use crate::nodes::query::JsonSrf as K;
        let (args, correlated) = self.function_args_in_from(args, left)?;
        let (def, _) =
            crate::fmgr::resolve_call(name, &args.iter().map(Expr::ty).collect::<Vec<_>>())?;
        let doc = if jsonb { oid::JSONB } else { oid::JSON };
        let args = args
            .into_iter()
            .map(|a| self.coerce(a, doc, false))
            .collect::<PgResult<Vec<_>>>()?;
        let value_ty = match kind {
            K::EachText | K::ArrayElementsText => oid::TEXT,
            _ => doc,
        };
        let qualifier = alias.map_or_else(|| name.to_owned(), |a| ident(&a.name));
        let col = |n: &str, ty| ScopeColumn {
            qualifier: Some(qualifier.clone()),
            name: n.to_owned(),
            ty,
            typmod: -1,
            hidden: false,
            system: false,
            origin: (0, 0),
            record: None,
            computed: None,
        };
        let mut cols = match kind {
            K::Each | K::EachText => vec![col("key", oid::TEXT), col("value", value_ty)],
            K::ArrayElements | K::ArrayElementsText => vec![col("value", value_ty)],
            K::ObjectKeys => vec![col(def.name, oid::TEXT)],
        };
        if ordinality {
            cols.push(col("ordinality", oid::INT8));
        }
        if let Some(a) = alias {
            if a.columns.is_empty() && kind == K::ObjectKeys {
                cols[0].name = qualifier.clone();
            }
            rename_columns(&mut cols, a, &qualifier)?;
        }
        Ok((
            Source::Function(FunctionSource {
                func: SetFunction::Json { kind, jsonb },
                ty: value_ty,
                args,
                ordinality,
                parts: Vec::new(),
            }),
            Scope { cols },
            correlated,
        ))
    }

    /// unnest(array, ...): a column of each array's element type.
    fn unnest_in_from(
        &mut self,
        args: Vec<Expr>,
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        correlated: bool,
    ) -> PgResult<(Source, Scope, bool)> {
        if args.is_empty() {
            return Err(crate::fmgr::no_function("unnest", &[]));
        }
        let mut types = Vec::with_capacity(args.len());
        for a in &args {
            let t = a.ty();
            if t == oid::UNKNOWN {
                return Err(PgError::new(
                    sqlstate::INDETERMINATE_DATATYPE,
                    "could not determine polymorphic type because input has type unknown",
                ));
            }
            match crate::types::array_element(t) {
                0 => {
                    let all: Vec<_> = args.iter().map(Expr::ty).collect();
                    return Err(crate::fmgr::no_function("unnest", &all));
                }
                e => types.push(e),
            }
        }
        let cols = function_columns("unnest", &types, alias, ordinality)?;
        Ok((
            Source::Function(FunctionSource {
                func: SetFunction::Unnest,
                ty: oid::UNKNOWN,
                args,
                ordinality,
                parts: Vec::new(),
            }),
            Scope { cols },
            correlated,
        ))
    }
}

/// The position of the one visible column `name` of one side of a
/// USING join.
fn using_column(s: &Scope, name: &str, side: &str) -> PgResult<usize> {
    let mut hits = s
        .cols
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.hidden && !c.system && c.name == name);
    let Some((i, _)) = hits.next() else {
        return Err(PgError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{name}\" specified in USING clause does not exist in {side} table"),
        ));
    };
    if hits.next().is_some() {
        return Err(PgError::new(
            sqlstate::AMBIGUOUS_COLUMN,
            format!("common column name \"{name}\" appears more than once in {side} table"),
        ));
    }
    Ok(i)
}

/// Which sides of a join an expression reads: (left, right).
fn sides(x: &Expr, left_width: usize) -> (bool, bool) {
    let (mut l, mut r) = (false, false);
    x.visit_columns(&mut |i| {
        if i < left_width {
            l = true
        } else {
            r = true
        }
    });
    (l, r)
}

/// Whether a FULL JOIN's condition can be run as a hash join, as
/// PostgreSQL requires (0A000 otherwise): a constant, or conjuncts of
/// which at least one, and every one reading both sides, is an equality
/// of an expression over the left row with one over the right row.
fn full_join_condition(e: &Expr, left_width: usize) -> bool {
    fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::And(a, b) => {
                conjuncts(a, out);
                conjuncts(b, out);
            }
            e => out.push(e),
        }
    }
    let mut all = Vec::new();
    conjuncts(e, &mut all);
    let hashable = |c: &Expr| match c {
        Expr::Binary(BinOp::Eq, a, b, _) if a.ty() == b.ty() && !c.contains_sublink() => matches!(
            (sides(a, left_width), sides(b, left_width)),
            ((true, false), (false, true)) | ((false, true), (true, false))
        ),
        _ => false,
    };
    let reads = all.iter().any(|c| c.contains_column());
    let cross_ok = all
        .iter()
        .all(|c| hashable(c) || !matches!(sides(c, left_width), (true, true)));
    cross_ok && (!reads || all.iter().any(|c| hashable(c)))
}

fn not_supported_yet_full() -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        "FULL JOIN is only supported with merge-joinable or hash-joinable join conditions",
    )
}

/// The columns of a function in FROM: one per result type, named after
/// the function (or the alias, for a single column without column
/// aliases), then `ordinality`.
fn function_columns(
    name: &str,
    types: &[crate::types::Oid],
    alias: Option<&ast::TableAlias>,
    ordinality: bool,
) -> PgResult<Vec<ScopeColumn>> {
    let qualifier = alias.map_or_else(|| name.to_owned(), |a| ident(&a.name));
    let mut cols: Vec<ScopeColumn> = types
        .iter()
        .map(|&ty| ScopeColumn::computed(&qualifier, name.to_owned(), ty, -1))
        .collect();
    if ordinality {
        cols.push(ScopeColumn::computed(
            &qualifier,
            "ordinality".into(),
            oid::INT8,
            -1,
        ));
    }
    if let Some(a) = alias {
        if a.columns.is_empty() && types.len() == 1 {
            cols[0].name = qualifier.clone();
        }
        rename_columns(&mut cols, a, &qualifier)?;
    }
    Ok(cols)
}

/// The system columns of a table (all of them) or of a catalog relation
/// computed as a system view (`tableoid` only), as a scan appends them.
fn system_scope_columns(source: &Source, qualifier: &str) -> Vec<ScopeColumn> {
    let col = |c: &SystemColumn, rel: u32| ScopeColumn {
        qualifier: Some(qualifier.to_owned()),
        name: c.name.to_owned(),
        ty: c.ty,
        typmod: -1,
        hidden: false,
        system: true,
        origin: (rel, c.attnum),
        record: None,
        computed: None,
    };
    match source {
        Source::Table(t) => SYSTEM_COLUMNS.iter().map(|c| col(c, t.table.oid)).collect(),
        Source::View(v) => v
            .table_oid()
            .map(|o| col(&SYSTEM_COLUMNS[TABLEOID_SLOT], o))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The scope columns of a subquery, CTE or view in FROM: its result
/// columns under `qualifier`, renamed by the alias's column list.
fn query_columns(
    q: &Query,
    qualifier: Option<&str>,
    alias: Option<&ast::TableAlias>,
) -> PgResult<Vec<ScopeColumn>> {
    let mut cols: Vec<ScopeColumn> = q
        .columns
        .iter()
        .map(|c| ScopeColumn {
            qualifier: qualifier.map(str::to_owned),
            name: c.name.clone(),
            ty: c.type_oid,
            typmod: c.type_modifier,
            hidden: false,
            system: false,
            origin: (c.table_oid, c.column_id),
            record: c.record.clone(),
            computed: None,
        })
        .collect();
    if let (Some(a), Some(qn)) = (alias, qualifier) {
        rename_columns(&mut cols, a, qn)?;
    }
    Ok(cols)
}

/// Whether `e` reads a column of the enclosing row `depth` levels out.
fn refers_to_depth(e: &Expr, depth: usize) -> bool {
    matches!(e, Expr::Outer(d, _, _) if *d == depth)
        || e.children().into_iter().any(|c| refers_to_depth(c, depth))
}
