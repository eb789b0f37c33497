//! FROM-clause analysis (PostgreSQL's transformFromClause): tables,
//! system views, subqueries (LATERAL too), VALUES, generate_series, and
//! joins (inner, left, cross; ON and USING), building the flat scope of
//! columns the rest of the query resolves names against.

use sqlparser::ast;

use super::{not_supported_yet, rename_columns, Analyzer, Scope, ScopeColumn};
use crate::catalog::system_views;
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::nodes::query::{FunctionSource, JoinKind, JoinSource, SetFunction, Source, TableRef};
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
        let found = match schema {
            None | Some("public") => self.catalog.table(rel).cloned(),
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
                    J::CrossJoin(c) => (JoinKind::Cross, c),
                    J::Right(_) | J::RightOuter(_) | J::FullOuter(_) => {
                        return Err(not_supported_yet("RIGHT and FULL joins"))
                    }
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
        let left_width = left_scope.cols.len();
        let mut scope = left_scope;
        scope.cols.extend(right_scope.cols.iter().cloned());
        let on = match constraint {
            None | Some(ast::JoinConstraint::None) => {
                if kind != JoinKind::Cross {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at end of input",
                    ));
                }
                None
            }
            Some(ast::JoinConstraint::On(e)) => {
                let x = self.expr(e, &scope, super::expr::Clause::Where)?;
                Some(self.coerce_arg(x, oid::BOOL, "JOIN/ON")?)
            }
            Some(ast::JoinConstraint::Using(cols)) => {
                let mut cond: Option<Expr> = None;
                for c in cols {
                    let name = object_name(c).pop().unwrap_or_default();
                    let find = |s: &[ScopeColumn], off: usize| {
                        s.iter()
                            .position(|x| x.name == name)
                            .map(|i| (i + off, s[i].ty))
                            .ok_or_else(|| {
                                PgError::new(
                                    sqlstate::UNDEFINED_COLUMN,
                                    format!(
                                        "column \"{name}\" specified in USING clause does not exist in {} table",
                                        if off == 0 { "left" } else { "right" }
                                    ),
                                )
                            })
                    };
                    let (l, lt) = find(&scope.cols[..left_width], 0)?;
                    let (r, rt) = find(&scope.cols[left_width..], left_width)?;
                    let eq = self.operator(BinOp::Eq, Expr::Column(l, lt), Expr::Column(r, rt))?;
                    cond = Some(match cond {
                        None => eq,
                        Some(c) => Expr::And(Box::new(c), Box::new(eq)),
                    });
                }
                cond
            }
            Some(_) => return Err(not_supported_yet("NATURAL joins")),
        };
        let kind = if kind == JoinKind::Cross && on.is_some() {
            JoinKind::Inner
        } else {
            kind
        };
        Ok((
            Source::Join(Box::new(JoinSource {
                kind,
                left,
                right,
                on,
                left_width,
                lateral,
            })),
            scope,
        ))
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
                        let mut cols: Vec<ScopeColumn> = q
                            .columns
                            .iter()
                            .map(|c| ScopeColumn {
                                qualifier: Some(qualifier.clone()),
                                name: c.name.clone(),
                                ty: c.type_oid,
                                typmod: c.type_modifier,
                                origin: (c.table_oid, c.column_id),
                            })
                            .collect();
                        if let Some(a) = alias {
                            rename_columns(&mut cols, a, &qualifier)?;
                        }
                        return Ok((Source::Subquery(Box::new(q)), Scope { cols }, false));
                    }
                }
                if matches!(schema, None | Some("public")) {
                    if let Some(q) = self.view_reference(rel)? {
                        let mut cols: Vec<ScopeColumn> = q
                            .columns
                            .iter()
                            .map(|c| ScopeColumn {
                                qualifier: Some(qualifier.clone()),
                                name: c.name.clone(),
                                ty: c.type_oid,
                                typmod: c.type_modifier,
                                origin: (c.table_oid, c.column_id),
                            })
                            .collect();
                        if let Some(a) = alias {
                            rename_columns(&mut cols, a, &qualifier)?;
                        }
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
                            origin: (0, 0),
                        })
                        .collect();
                    (Source::View(view), cols)
                } else {
                    let t = self.lookup_table(name)?;
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
                            origin: (t.table.oid, i as i16 + 1),
                        })
                        .collect();
                    (Source::Table(t), cols)
                };
                if let Some(a) = alias {
                    rename_columns(&mut cols, a, &qualifier)?;
                }
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
                let mut cols: Vec<ScopeColumn> = q
                    .columns
                    .iter()
                    .map(|c| ScopeColumn {
                        qualifier: qualifier.clone(),
                        name: c.name.clone(),
                        ty: c.type_oid,
                        typmod: c.type_modifier,
                        origin: (c.table_oid, c.column_id),
                    })
                    .collect();
                if let (Some(a), Some(qn)) = (alias, &qualifier) {
                    rename_columns(&mut cols, a, qn)?;
                }
                Ok((Source::Subquery(Box::new(q)), Scope { cols }, correlated))
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => {
                let (s, sc) = self.from(std::slice::from_ref(table_with_joins))?;
                Ok((s, sc, false))
            }
            ast::TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_ordinality,
                ..
            } => {
                let args: Vec<&ast::Expr> = array_exprs.iter().collect();
                self.function_in_from("unnest", &args, alias.as_ref(), *with_ordinality, left)
            }
            _ => Err(not_supported_yet("this kind of FROM item")),
        }
    }

    /// generate_series(start, stop[, step]) or unnest(array, ...) in FROM,
    /// optionally WITH ORDINALITY.
    fn function_in_from(
        &mut self,
        name: &str,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        left: &Scope,
    ) -> PgResult<(Source, Scope, bool)> {
        let func = match name {
            "generate_series" => SetFunction::GenerateSeries,
            "unnest" => SetFunction::Unnest,
            _ => return Err(not_supported_yet(&format!("function {name} in FROM"))),
        };
        // Function arguments may refer to items to the left (implicitly
        // LATERAL): analyze them as a one-level subquery would.
        self.outer.push(left.clone());
        self.correlated.push(false);
        let parsed: PgResult<Vec<Expr>> = args
            .iter()
            .map(|e| self.expr(e, &Scope::default(), super::expr::Clause::Select))
            .collect();
        self.outer.pop();
        let correlated = self.correlated.pop().unwrap_or(false);
        let args = parsed?;
        if func == SetFunction::Unnest {
            return self.unnest_in_from(args, alias, ordinality, correlated);
        }
        if !(2..=3).contains(&args.len()) {
            let types: Vec<_> = args.iter().map(Expr::ty).collect();
            return Err(crate::fmgr::no_function(name, &types));
        }
        let types: Vec<_> = args.iter().map(Expr::ty).collect();
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
            }),
            Scope { cols },
            correlated,
        ))
    }
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
        .map(|&ty| ScopeColumn {
            qualifier: Some(qualifier.clone()),
            name: name.to_owned(),
            ty,
            typmod: -1,
            origin: (0, 0),
        })
        .collect();
    if ordinality {
        cols.push(ScopeColumn {
            qualifier: Some(qualifier.clone()),
            name: "ordinality".into(),
            ty: oid::INT8,
            typmod: -1,
            origin: (0, 0),
        });
    }
    if let Some(a) = alias {
        if a.columns.is_empty() && types.len() == 1 {
            cols[0].name = qualifier.clone();
        }
        rename_columns(&mut cols, a, &qualifier)?;
    }
    Ok(cols)
}
