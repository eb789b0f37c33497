//! CHECK and FOREIGN KEY constraints in DDL: their definition (CREATE
//! TABLE, ALTER TABLE ADD), names as PostgreSQL chooses them, the
//! referenced key's unique index and type compatibility, validation of
//! existing rows, and what dropping or truncating a referenced table
//! must respect.

use std::sync::Arc;

use sqlparser::ast;

use crate::access::table::show;
use crate::analyze::from::{no_relation, split_name};
use crate::analyze::Analyzer;
use crate::catalog::constraint::{ConstraintDesc, ConstraintKind, FkAction, ForeignKey};
use crate::catalog::{Catalog, TableDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::parser::{ident, object_name, StmtText};
use crate::types::{type_name, Oid};
use crate::utils::adt::coerce::category;
use crate::utils::adt::ops;

/// A constraint of a CREATE TABLE or ALTER TABLE ADD, before definition.
pub enum Pending {
    Check(ast::Expr),
    /// A foreign key; for a column constraint, that column.
    ForeignKey(ast::ForeignKeyConstraint, Option<usize>),
}

/// A constraint's `[NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]`:
/// (condeferrable, condeferred).
pub fn timing(ch: &Option<ast::ConstraintCharacteristics>) -> PgResult<(bool, bool)> {
    let Some(ch) = ch else {
        return Ok((false, false));
    };
    let deferred = ch.initially == Some(ast::DeferrableInitial::Deferred);
    if deferred && ch.deferrable == Some(false) {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "constraint declared INITIALLY DEFERRED must be DEFERRABLE",
        ));
    }
    Ok((ch.deferrable == Some(true) || deferred, deferred))
}

/// Whether a CREATE TABLE column option is a constraint of this module;
/// if so it is added to `out`.
pub fn column_option(
    o: &ast::ColumnOptionDef,
    col: usize,
    out: &mut Vec<(Option<String>, Pending)>,
) -> bool {
    let name = o.name.as_ref().map(ident);
    match &o.option {
        ast::ColumnOption::Check(c) => {
            out.push((
                name.or(c.name.as_ref().map(ident)),
                Pending::Check((*c.expr).clone()),
            ));
            true
        }
        ast::ColumnOption::ForeignKey(fk) => {
            out.push((
                name.or(fk.name.as_ref().map(ident)),
                Pending::ForeignKey(fk.clone(), Some(col)),
            ));
            true
        }
        _ => false,
    }
}

/// Whether a table constraint is a CHECK or FOREIGN KEY; if so it is
/// added to `out`.
pub fn table_constraint(
    c: &ast::TableConstraint,
    out: &mut Vec<(Option<String>, Pending)>,
) -> bool {
    match c {
        ast::TableConstraint::Check(c) => {
            out.push((
                c.name.as_ref().map(ident),
                Pending::Check((*c.expr).clone()),
            ));
            true
        }
        ast::TableConstraint::ForeignKey(fk) => {
            out.push((
                fk.name.as_ref().map(ident),
                Pending::ForeignKey(fk.clone(), None),
            ));
            true
        }
        _ => false,
    }
}

fn notice(msg: String) -> PgError {
    PgError {
        severity: crate::error::Severity::Notice,
        ..PgError::new(sqlstate::SUCCESSFUL_COMPLETION, msg)
    }
}

fn action(a: &Option<ast::ReferentialAction>) -> FkAction {
    match a {
        None | Some(ast::ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ast::ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ast::ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ast::ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ast::ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

fn fk_column(t: &TableDesc, name: &str) -> PgResult<usize> {
    t.column_index(name).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{name}\" referenced in foreign key constraint does not exist"),
        )
    })
}

/// Whether values of types `a` and `b` can be compared as keys (an
/// equality operator exists between them, as PostgreSQL requires).
fn comparable(a: Oid, b: Oid) -> bool {
    a == b
        || (category(a) == category(b) && matches!(category(a), 'N' | 'S' | 'D'))
        || ops::can_coerce_implicitly(a, b)
        || ops::can_coerce_implicitly(b, a)
}

/// Defines one pending constraint of `table` (already in `cat`): checks
/// it, names it, and returns it (not yet added to the catalog).
/// `taken` holds the names chosen earlier in the same statement.
pub fn define(
    cat: &Catalog,
    text: &StmtText,
    table: &TableDesc,
    name: Option<String>,
    p: &Pending,
    taken: &[String],
) -> PgResult<ConstraintDesc> {
    if let Some(n) = &name {
        if cat.constraint_name_used(table.oid, n) || taken.contains(n) {
            return Err(PgError::new(
                sqlstate::DUPLICATE_OBJECT,
                format!(
                    "constraint \"{n}\" for relation \"{}\" already exists",
                    table.name
                ),
            ));
        }
    }
    match p {
        Pending::Check(e) => {
            let mut a = Analyzer::new(text, &[]).with_catalog(Arc::new(cat.clone()));
            let x = a.check_expr(table, e)?;
            let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
            let def = crate::commands::explain::deparse(&x, &names);
            let pretty_def = pretty(&x, &names);
            let name = name.unwrap_or_else(|| {
                // PostgreSQL's rule: the column's name when the
                // expression uses exactly one.
                let mut cols: Vec<String> = Vec::new();
                let _ = ast::visit_expressions(e, |x: &ast::Expr| {
                    let n = match x {
                        ast::Expr::Identifier(i) => Some(ident(i)),
                        ast::Expr::CompoundIdentifier(p) => p.last().map(ident),
                        _ => None,
                    };
                    if let Some(n) = n.filter(|n| table.column_index(n).is_some()) {
                        if !cols.contains(&n) {
                            cols.push(n);
                        }
                    }
                    std::ops::ControlFlow::<()>::Continue(())
                });
                let base = match cols.as_slice() {
                    [one] => format!("{}_{one}", table.name),
                    _ => table.name.clone(),
                };
                cat.choose_constraint_name(&base, "check", taken)
            });
            Ok(ConstraintDesc {
                oid: 0,
                name,
                table: table.oid,
                kind: ConstraintKind::Check {
                    src: e.to_string(),
                    def,
                    pretty: pretty_def,
                },
                deferrable: false,
                deferred: false,
                validated: true,
            })
        }
        Pending::ForeignKey(fk, column) => {
            let parts = object_name(&fk.foreign_table);
            let (schema, rname) = split_name(&parts)?;
            if let Some(s) = schema {
                cat.explicit_namespace(s)?;
            }
            let rname = rname.to_owned();
            let found = match cat.resolve_relation(schema, &rname) {
                Some((crate::catalog::RelKind::Table, o)) => cat.table_by_oid(o),
                _ => None,
            };
            let Some(rt) = found.cloned() else {
                return Err(no_relation(&rname));
            };
            let columns: Vec<usize> = match column {
                Some(c) => vec![*c],
                None => fk
                    .columns
                    .iter()
                    .map(|c| fk_column(table, &ident(c)))
                    .collect::<PgResult<_>>()?,
            };
            let (ref_columns, index) = if fk.referred_columns.is_empty() {
                let Some(pk) = cat.indexes_of(rt.oid).find(|i| i.primary) else {
                    return Err(PgError::new(
                        "42830",
                        format!(
                            "there is no primary key for referenced table \"{}\"",
                            rt.name
                        ),
                    ));
                };
                if pk.deferrable {
                    return Err(PgError::new(
                        sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                        format!(
                            "cannot use a deferrable primary key for referenced table \"{}\"",
                            rt.name
                        ),
                    ));
                }
                (pk.columns.clone(), pk.oid)
            } else {
                let cols: Vec<usize> = fk
                    .referred_columns
                    .iter()
                    .map(|c| fk_column(&rt, &ident(c)))
                    .collect::<PgResult<_>>()?;
                let idx = cat.indexes_of(rt.oid).find(|i| {
                    i.unique
                        && i.columns.len() == cols.len()
                        && i.columns.iter().all(|c| cols.contains(c))
                });
                match idx {
                    Some(i) if i.deferrable => {
                        return Err(PgError::new(
                            sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                            format!(
                                "cannot use a deferrable unique constraint for referenced table \"{}\"",
                                rt.name
                            ),
                        ))
                    }
                    Some(i) if columns.len() == cols.len() => (cols, i.oid),
                    _ if columns.len() != cols.len() => {
                        return Err(PgError::new(
                            "42830",
                            "number of referencing and referenced columns for foreign key disagree",
                        ))
                    }
                    _ => {
                        return Err(PgError::new(
                            "42830",
                            format!(
                                "there is no unique constraint matching given keys for referenced table \"{}\"",
                                rt.name
                            ),
                        ))
                    }
                }
            };
            if columns.len() != ref_columns.len() {
                return Err(PgError::new(
                    "42830",
                    "number of referencing and referenced columns for foreign key disagree",
                ));
            }
            let base = format!(
                "{}_{}",
                table.name,
                columns
                    .iter()
                    .map(|&c| table.columns[c].name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            );
            let name = name.unwrap_or_else(|| cat.choose_constraint_name(&base, "fkey", taken));
            for (&c, &r) in columns.iter().zip(&ref_columns) {
                let (ct, rt_) = (table.columns[c].ty, rt.columns[r].ty);
                if !comparable(ct, rt_) {
                    return Err(PgError::new(
                        sqlstate::DATATYPE_MISMATCH,
                        format!("foreign key constraint \"{name}\" cannot be implemented"),
                    )
                    .with_detail(format!(
                        "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                        table.columns[c].name,
                        rt.columns[r].name,
                        type_name(ct),
                        type_name(rt_)
                    )));
                }
            }
            let match_type = match fk.match_kind {
                None | Some(ast::ConstraintReferenceMatchKind::Simple) => b's',
                Some(ast::ConstraintReferenceMatchKind::Full) => b'f',
                Some(ast::ConstraintReferenceMatchKind::Partial) => {
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "MATCH PARTIAL not yet implemented",
                    ))
                }
            };
            let (deferrable, deferred) = timing(&fk.characteristics)?;
            Ok(ConstraintDesc {
                oid: 0,
                name,
                table: table.oid,
                kind: ConstraintKind::ForeignKey(ForeignKey {
                    columns,
                    ref_table: rt.oid,
                    ref_columns,
                    index,
                    on_update: action(&fk.on_update),
                    on_delete: action(&fk.on_delete),
                    match_type,
                }),
                deferrable,
                deferred,
                validated: true,
            })
        }
    }
}

/// 2BP01 for dropping a table other tables' foreign keys reference
/// (unless CASCADE, which drops those constraints with a notice each);
/// `dropping` are the tables the statement drops (their own references
/// among them do not count).
pub fn drop_referencing(
    cat: &mut Catalog,
    table: &TableDesc,
    dropping: &[Oid],
    cascade: bool,
    several: bool,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    let refs: Vec<Arc<ConstraintDesc>> = cat
        .constraints
        .iter()
        .filter(|c| {
            c.fk().is_some_and(|f| f.ref_table == table.oid) && !dropping.contains(&c.table)
        })
        .cloned()
        .collect();
    if refs.is_empty() {
        return Ok(());
    }
    let on = |c: &ConstraintDesc| {
        cat.table_by_oid(c.table)
            .map_or("", |t| t.name.as_str())
            .to_owned()
    };
    if !cascade {
        let detail: Vec<String> = refs
            .iter()
            .map(|c| {
                format!(
                    "constraint {} on table {} depends on table {}",
                    c.name,
                    on(c),
                    table.name
                )
            })
            .collect();
        return Err(PgError::new(
            "2BP01",
            if several {
                "cannot drop desired object(s) because other objects depend on them".to_owned()
            } else {
                format!(
                    "cannot drop table {} because other objects depend on it",
                    table.name
                )
            },
        )
        .with_detail(detail.join("\n"))
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
    }
    let lines: Vec<String> = refs
        .iter()
        .map(|c| format!("drop cascades to constraint {} on table {}", c.name, on(c)))
        .collect();
    match lines.as_slice() {
        [one] => notices.push(notice(one.clone())),
        _ => notices.push(
            notice(format!("drop cascades to {} other objects", lines.len()))
                .with_detail(lines.join("\n")),
        ),
    }
    cat.constraints
        .retain(|c| !refs.iter().any(|r| r.oid == c.oid));
    Ok(())
}

/// 0A000 for TRUNCATE of a table another table (not truncated with it)
/// references.
pub fn check_truncate(cat: &Catalog, tables: &[Arc<TableDesc>]) -> PgResult<()> {
    for t in tables {
        for c in cat.foreign_keys_to(t.oid) {
            if tables.iter().any(|x| x.oid == c.table) {
                continue;
            }
            let other = cat.table_by_oid(c.table).map_or("", |x| x.name.as_str());
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot truncate a table referenced in a foreign key constraint",
            )
            .with_detail(format!("Table \"{other}\" references \"{}\".", t.name))
            .with_hint(format!(
                "Truncate table \"{other}\" at the same time, or use TRUNCATE ... CASCADE."
            )));
        }
    }
    Ok(())
}

/// The tables TRUNCATE ... CASCADE adds: every table referencing one
/// being truncated, transitively (with a notice each).
pub fn truncate_cascade(
    cat: &Catalog,
    tables: &mut Vec<Arc<TableDesc>>,
    notices: &mut Vec<String>,
) {
    let mut i = 0;
    while i < tables.len() {
        let t = tables[i].oid;
        for c in cat.foreign_keys_to(t) {
            if tables.iter().any(|x| x.oid == c.table) {
                continue;
            }
            if let Some(x) = cat.table_by_oid(c.table) {
                notices.push(format!("truncate cascades to table \"{}\"", x.name));
                tables.push(x.clone());
            }
        }
        i += 1;
    }
}

/// Key text for a DETAIL: `(a, b)=(1, 2)`.
pub fn key_text(table: &TableDesc, cols: &[usize], row: &[crate::types::Value]) -> String {
    let names: Vec<&str> = cols
        .iter()
        .map(|&c| table.columns[c].name.as_str())
        .collect();
    let vals: Vec<String> = cols.iter().map(|&c| show(&row[c])).collect();
    format!("({})=({})", names.join(", "), vals.join(", "))
}

/// Where an expression is printed, for [`pretty`]'s parentheses.
#[derive(Clone, Copy)]
enum Parent<'a> {
    Top,
    /// An operator's left (true) or right operand.
    Op(&'a str, bool),
    And,
    Or,
    Not,
    Other,
}

/// An expression as pg_get_constraintdef(oid, true) prints it: only the
/// parentheses precedence needs (PostgreSQL's PRETTY_PAREN rules).
pub fn pretty(e: &Expr, names: &[String]) -> String {
    pretty_in(e, names, Parent::Top)
}

fn pretty_in(e: &Expr, names: &[String], parent: Parent) -> String {
    let wrap = |s: String, simple: bool| if simple { s } else { format!("({s})") };
    let bool_parent = matches!(parent, Parent::And | Parent::Or | Parent::Not | Parent::Top);
    match e {
        Expr::Binary(op, a, b, _) => {
            let sym = op.symbol();
            let s = format!(
                "{} {sym} {}",
                pretty_in(a, names, Parent::Op(sym, true)),
                pretty_in(b, names, Parent::Op(sym, false))
            );
            let simple = match parent {
                Parent::Op(p, left) => {
                    let lo = |o: &str| matches!(o, "+" | "-");
                    let hi = |o: &str| matches!(o, "*" | "/" | "%");
                    if !(lo(sym) || hi(sym)) || !(lo(p) || hi(p)) {
                        false
                    } else if hi(sym) && lo(p) {
                        true
                    } else if lo(sym) && hi(p) {
                        false
                    } else {
                        left
                    }
                }
                _ => bool_parent,
            };
            wrap(s, simple)
        }
        Expr::And(a, b) => wrap(
            format!(
                "{} AND {}",
                pretty_in(a, names, Parent::And),
                pretty_in(b, names, Parent::And)
            ),
            bool_parent,
        ),
        Expr::Or(a, b) => wrap(
            format!(
                "{} OR {}",
                pretty_in(a, names, Parent::Or),
                pretty_in(b, names, Parent::Or)
            ),
            matches!(parent, Parent::Or | Parent::Top),
        ),
        Expr::Not(a) => wrap(
            format!("NOT {}", pretty_in(a, names, Parent::Not)),
            bool_parent,
        ),
        Expr::IsNull(a, neg) => wrap(
            format!(
                "{} IS {}NULL",
                pretty_in(a, names, Parent::Other),
                if *neg { "NOT " } else { "" }
            ),
            bool_parent,
        ),
        Expr::Distinct(a, b, not) => {
            let s = format!(
                "{} IS DISTINCT FROM {}",
                pretty_in(a, names, Parent::Other),
                pretty_in(b, names, Parent::Other)
            );
            if *not {
                wrap(format!("NOT {s}"), bool_parent)
            } else {
                wrap(s, bool_parent)
            }
        }
        Expr::Cast(a, t, _) => format!(
            "{}::{}",
            pretty_in(a, names, Parent::Other),
            crate::types::type_name(*t)
        ),
        Expr::Column(..) | Expr::Const(..) | Expr::Func(..) => {
            crate::commands::explain::deparse(e, names)
        }
        other => crate::commands::explain::deparse(other, names),
    }
}
