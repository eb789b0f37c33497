//! ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE t [USING expr], as
//! PostgreSQL does it.
//!
//! Consecutive type changes of one statement are prepared together and
//! make one rewrite: every row visible to the statement is read from the
//! table's file, its changed columns converted (the USING expression, or
//! the column itself, with an assignment cast to the new type and its
//! typmod), and written to a **new relation file** (PostgreSQL's new
//! relfilenode), with every index of the table rebuilt into new files too.
//! The catalog then names the new files (`TableDesc::relfilenode`,
//! `IndexDesc::relfilenode`); this is what makes it transactional and
//! crash-safe, by the rules of `catalog::xact`: files are never reused,
//! a rollback removes the files the transaction's catalog created (the
//! old ones are untouched), a commit removes those it no longer names,
//! and the new file's rows are WAL-logged inserts of the transaction, so
//! recovery after a committed rewrite replays them into it.
//!
//! No rewrite is made when no value's representation changes: varchar(n)
//! to a wider varchar(m) or to unconstrained varchar or text.
//!
//! Before the rewrite, as PostgreSQL: the cast must exist as an
//! assignment cast (42804, with PostgreSQL's HINT), a view reading the
//! column refuses the change (0A000), the column's DEFAULT must cast to
//! the new type (42804), indexes must have an operator class for it, and
//! foreign keys through the column must still compare (42804). After it:
//! NOT NULL, CHECK and the table's foreign keys are checked against the
//! converted rows, and unique indexes against their new keys.

use std::sync::Arc;

use sqlparser::ast;

use super::{check_indexable, not_supported, Ddl};
use crate::access::table::{self, TableAccess};
use crate::analyze::names::resolve_type;
use crate::analyze::Analyzer;
use crate::catalog::constraint::ConstraintKind;
use crate::catalog::{format_type, IndexDesc, TableDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::eval;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::parser::ident;
use crate::types::{oid, Oid, Value};
use crate::utils::adt::quote::quote_ident;

/// One ALTER COLUMN TYPE, as the statement gives it.
pub(super) struct TypeRequest<'s> {
    pub column: &'s ast::Ident,
    pub data_type: &'s ast::DataType,
    pub using: Option<&'s ast::Expr>,
}

/// The ALTER COLUMN TYPE that `op` is, if it is one.
pub(super) fn request(op: &ast::AlterTableOperation) -> Option<TypeRequest<'_>> {
    match op {
        ast::AlterTableOperation::AlterColumn {
            column_name,
            op:
                ast::AlterColumnOperation::SetDataType {
                    data_type, using, ..
                },
        } => Some(TypeRequest {
            column: column_name,
            data_type,
            using: using.as_ref(),
        }),
        _ => None,
    }
}

/// What PostgreSQL checks of a statement's ALTER COLUMN TYPEs before it
/// runs any subcommand: each names a column of the table as it was (not
/// one the statement adds), and no column twice (0A000).
pub(super) fn check_requests(t: &TableDesc, ops: &[ast::AlterTableOperation]) -> PgResult<()> {
    let mut seen: Vec<String> = Vec::new();
    for r in ops.iter().filter_map(request) {
        let name = ident(r.column);
        if let Some(e) = system_column(&name) {
            return Err(e);
        }
        if t.column_index(&name).is_none() {
            return Err(PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    t.name
                ),
            ));
        }
        if seen.contains(&name) {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("cannot alter type of column \"{name}\" twice"),
            ));
        }
        seen.push(name);
    }
    Ok(())
}

/// One prepared change: the column, its new type, and the conversion of
/// a row of the table as it was into the column's new value.
struct TypeChange {
    pos: usize,
    ty: Oid,
    typmod: i32,
    convert: Expr,
    /// The new value is the old one, unchanged (varchar widening).
    same_bits: bool,
}

/// 0A000 "cannot alter system column" for a system column's name.
fn system_column(name: &str) -> Option<PgError> {
    crate::catalog::system_columns::check_column_name(name)
        .err()
        .map(|_| {
            PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("cannot alter system column \"{name}\""),
            )
        })
}

/// Whether a value of (`from`, `from_mod`) is already a valid value of
/// (`to`, `to_mod`) in the same representation, so no row needs
/// rewriting: the same type, varchar to a varchar at least as wide, or
/// to text.
fn binary_widening(from: Oid, from_mod: i32, to: Oid, to_mod: i32) -> bool {
    if from == to && from_mod == to_mod {
        return true;
    }
    match (from, to) {
        (oid::VARCHAR, oid::VARCHAR) => to_mod < 0 || (from_mod >= 0 && to_mod >= from_mod),
        (oid::VARCHAR, oid::TEXT) | (oid::TEXT, oid::TEXT) => true,
        (oid::TEXT, oid::VARCHAR) => to_mod < 0,
        _ => false,
    }
}

/// Whether the SQL of a view may read column `name`: it names it, or
/// selects `*` (a view's `*` is all the columns it had when made). This
/// errs on the side of refusing, as views are kept as text.
fn view_may_read(sql: &str, name: &str) -> bool {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return true;
    };
    tokens.iter().any(|t| match t {
        Token::Mul => true,
        Token::Word(w) => {
            let folded = if w.quote_style.is_some() {
                w.value.clone()
            } else {
                w.value.to_lowercase()
            };
            folded == name
        }
        _ => false,
    })
}

/// Whether a foreign key column of type `fk` can reference a key of
/// type `pk`, by PostgreSQL's rule: the key's equality operator takes it
/// (an implicit cast to the key's type, or a cross-type operator of the
/// key's btree operator family).
fn fk_types_ok(fk: Oid, pk: Oid) -> bool {
    const FAMILIES: &[&[Oid]] = &[
        &[oid::INT2, oid::INT4, oid::INT8],
        &[oid::FLOAT4, oid::FLOAT8],
        &[oid::DATE, oid::TIMESTAMP, oid::TIMESTAMPTZ],
    ];
    fk == pk
        || crate::utils::adt::ops::can_coerce_implicitly(fk, pk)
        || FAMILIES.iter().any(|f| f.contains(&fk) && f.contains(&pk))
}

impl Ddl<'_> {
    /// Runs a group of ALTER COLUMN TYPE subcommands (consecutive in the
    /// statement, each column at most once) with at most one rewrite;
    /// returns the table as it now is.
    pub(super) fn alter_column_types(
        &mut self,
        t: &Arc<TableDesc>,
        reqs: &[TypeRequest<'_>],
    ) -> PgResult<Arc<TableDesc>> {
        let mut changes = Vec::new();
        for r in reqs {
            changes.push(self.prepare_type_change(t, r)?);
        }
        let mut nt = (**t).clone();
        for ch in &changes {
            let col = &mut nt.columns[ch.pos];
            let old_default = col.default.clone();
            col.ty = ch.ty;
            col.typmod = ch.typmod;
            if let Some(src) = old_default {
                col.default = self.recast_default(&col.name, &src, ch.ty, ch.typmod)?;
            }
        }
        // Indexes on a changed column need an operator class for its type.
        for i in self.cat.indexes_of(t.oid) {
            check_indexable(&nt, &i.columns)?;
        }
        self.check_foreign_key_types(&nt, &changes)?;
        let rewrite = changes.iter().any(|c| !c.same_bits);
        let nt = if rewrite {
            self.rewrite_table(t, nt, &changes)?
        } else {
            for ch in &changes {
                if let Some(v) = nt.columns[ch.pos].missing.take() {
                    nt.columns[ch.pos].missing = Some(table::assign(v, ch.ty, ch.typmod)?);
                }
            }
            self.replace_table(nt)
        };
        // The rows as converted must keep the table's constraints.
        for ch in &changes {
            if nt.columns[ch.pos].not_null {
                self.check_no_nulls(&nt, ch.pos)?;
            }
        }
        let mine: Vec<_> = self.cat.constraints_of(nt.oid).cloned().collect();
        for c in mine {
            let touched = match &c.kind {
                ConstraintKind::ForeignKey(f) => {
                    changes.iter().any(|ch| f.columns.contains(&ch.pos))
                }
                ConstraintKind::Check { .. } => true,
            };
            if touched && c.validated {
                self.validate(&nt, &c)?;
            }
        }
        Ok(nt)
    }

    /// Checks one ALTER COLUMN TYPE and analyzes its conversion.
    fn prepare_type_change(
        &mut self,
        t: &Arc<TableDesc>,
        r: &TypeRequest<'_>,
    ) -> PgResult<TypeChange> {
        let name = ident(r.column);
        if let Some(e) = system_column(&name) {
            return Err(e);
        }
        let pos = self.column_of(t, r.column)?;
        let (ty, typmod) = resolve_type(r.data_type)?;
        match crate::analyze::names::domain_of(r.data_type) {
            Some(d) => self
                .cat
                .column_domains
                .insert((t.oid, pos as i16 + 1), d.oid),
            None => self.cat.column_domains.remove(&(t.oid, pos as i16 + 1)),
        };
        let old = &t.columns[pos];
        if let Some(v) = self
            .cat
            .views_using(t.oid)
            .find(|v| view_may_read(&v.sql, &name))
        {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot alter type of a column used by a view or rule",
            )
            .with_detail(format!(
                "rule _RETURN on view {} depends on column \"{name}\"",
                v.name
            )));
        }
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let source = match r.using {
            Some(e) => a.transform_expr(t, e)?,
            None => Expr::Column(pos, old.ty),
        };
        let from = source.ty();
        let same_bits = r.using.is_none() && binary_widening(old.ty, old.typmod, ty, typmod);
        let convert = if from == ty {
            source
        } else {
            crate::analyze::modify::assignment_cast(&mut a, source, ty, typmod, &name).map_err(
                |e| {
                    if e.code != sqlstate::DATATYPE_MISMATCH {
                        return e;
                    }
                    let target = format_type(ty, typmod);
                    match r.using {
                        Some(_) => PgError::new(
                            sqlstate::DATATYPE_MISMATCH,
                            format!(
                                "result of USING clause for column \"{name}\" cannot be cast automatically to type {target}"
                            ),
                        )
                        .with_hint("You might need to add an explicit cast."),
                        None => PgError::new(
                            sqlstate::DATATYPE_MISMATCH,
                            format!("column \"{name}\" cannot be cast automatically to type {target}"),
                        )
                        .with_hint(format!(
                            "You might need to specify \"USING {}::{target}\".",
                            quote_ident(&name)
                        )),
                    }
                },
            )?
        };
        Ok(TypeChange {
            pos,
            ty,
            typmod,
            convert,
            same_bits,
        })
    }

    /// A column's stored DEFAULT recast to its new type (42804 if it
    /// cannot be, as PostgreSQL).
    fn recast_default(
        &self,
        column: &str,
        src: &str,
        ty: Oid,
        typmod: i32,
    ) -> PgResult<Option<String>> {
        let e = crate::parser::parse_expr(src)?;
        self.check_default(&e, ty, typmod).map_err(|e| {
            if e.code != sqlstate::DATATYPE_MISMATCH {
                return PgError {
                    position: None,
                    ..e
                };
            }
            PgError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!(
                    "default for column \"{column}\" cannot be cast automatically to type {}",
                    format_type(ty, typmod)
                ),
            )
        })
    }

    /// Foreign keys through a changed column, from this table or to it,
    /// must still join columns of comparable types (42804).
    fn check_foreign_key_types(&self, nt: &TableDesc, changes: &[TypeChange]) -> PgResult<()> {
        let changed = |c: usize| changes.iter().any(|ch| ch.pos == c);
        for c in &self.cat.constraints {
            let Some(f) = c.fk() else { continue };
            let (mine, theirs) = if c.table == nt.oid && f.columns.iter().any(|&x| changed(x)) {
                (true, false)
            } else if f.ref_table == nt.oid && f.ref_columns.iter().any(|&x| changed(x)) {
                (false, true)
            } else {
                continue;
            };
            let child = if mine {
                nt.clone()
            } else {
                match self.cat.table_by_oid(c.table) {
                    Some(x) => (**x).clone(),
                    None => continue,
                }
            };
            let parent = if theirs || f.ref_table == nt.oid {
                nt.clone()
            } else {
                match self.cat.table_by_oid(f.ref_table) {
                    Some(x) => (**x).clone(),
                    None => continue,
                }
            };
            for (&a, &b) in f.columns.iter().zip(&f.ref_columns) {
                let (at, bt) = (child.columns[a].ty, parent.columns[b].ty);
                if !fk_types_ok(at, bt) {
                    return Err(PgError::new(
                        sqlstate::DATATYPE_MISMATCH,
                        format!(
                            "foreign key constraint \"{}\" cannot be implemented",
                            c.name
                        ),
                    )
                    .with_detail(format!(
                        "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                        child.columns[a].name,
                        parent.columns[b].name,
                        format_type(at, -1),
                        format_type(bt, -1)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Writes every row of `t` the statement sees, converted, into a new
    /// file for `nt`, and rebuilds the table's indexes into new files;
    /// installs `nt` (and the indexes) in the catalog.
    fn rewrite_table(
        &mut self,
        t: &Arc<TableDesc>,
        mut nt: TableDesc,
        changes: &[TypeChange],
    ) -> PgResult<Arc<TableDesc>> {
        if self.cat.sequences.iter().any(|s| {
            s.table == t.oid && s.identity != 0 && changes.iter().any(|c| c.pos == s.column)
        }) {
            return Err(not_supported("ALTER COLUMN TYPE of an identity column"));
        }
        let file = self.cat.alloc_oid();
        self.pool.create_relation(file).map_err(PgError::from)?;
        self.created_files.push(file);
        nt.relfilenode = file;
        // Every row is written whole: nothing is missing any more.
        for c in &mut nt.columns {
            c.missing = None;
        }
        let nt = Arc::new(nt);
        let ctx = self.ctx()?;
        let mut acc = TableAccess::new(ctx.pool, nt.clone(), Vec::new(), ctx.xact);
        let mut rows: Vec<Vec<Value>> = Vec::new();
        self.for_each_row(t, &mut |_, row| {
            rows.push(row);
            Ok(())
        })?;
        for old in rows {
            check_for_interrupts()?;
            let mut new = old.clone();
            for ch in changes {
                let v = eval(&ch.convert, &old, ctx)?;
                new[ch.pos] = table::assign(v, ch.ty, ch.typmod)?;
            }
            if acc.insert(&new)?.is_err() {
                return Err(PgError::internal(
                    "a conflict in a relation no one else sees",
                ));
            }
        }
        drop(acc);
        let nt = self.replace_table((*nt).clone());
        // The indexes, rebuilt over the new file into files of their own.
        let idxs: Vec<Arc<IndexDesc>> = self.cat.indexes_of(t.oid).cloned().collect();
        for i in idxs {
            let mut ni = (*i).clone();
            ni.relfilenode = self.cat.alloc_oid();
            self.created_files.push(ni.relfilenode);
            table::build_index(self.pool, &nt, &ni, self.horizon)?;
            let ni = Arc::new(ni);
            for slot in &mut self.cat.indexes {
                if slot.oid == ni.oid {
                    *slot = ni.clone();
                }
            }
        }
        // The new file holds no version a later step could see twice.
        self.rewritten = false;
        Ok(nt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_without_rewrite() {
        let vc = |n: i32| n + 4;
        assert!(binary_widening(oid::VARCHAR, vc(5), oid::VARCHAR, vc(10)));
        assert!(binary_widening(oid::VARCHAR, vc(5), oid::VARCHAR, -1));
        assert!(binary_widening(oid::VARCHAR, vc(5), oid::TEXT, -1));
        assert!(binary_widening(oid::INT4, -1, oid::INT4, -1));
        assert!(!binary_widening(oid::VARCHAR, vc(10), oid::VARCHAR, vc(5)));
        assert!(!binary_widening(oid::VARCHAR, -1, oid::VARCHAR, vc(5)));
        assert!(!binary_widening(oid::TEXT, -1, oid::VARCHAR, vc(5)));
        assert!(!binary_widening(oid::INT4, -1, oid::INT8, -1));
    }

    #[test]
    fn views_reading_a_column() {
        assert!(view_may_read("SELECT a FROM t", "a"));
        assert!(view_may_read("SELECT \"A\" FROM t", "A"));
        assert!(view_may_read("SELECT A FROM t", "a"));
        assert!(view_may_read("SELECT * FROM t", "b"));
        assert!(!view_may_read("SELECT a FROM t", "b"));
        assert!(!view_may_read("SELECT 'b' FROM t", "b"));
    }

    #[test]
    fn foreign_key_types() {
        assert!(fk_types_ok(oid::INT8, oid::INT4));
        assert!(fk_types_ok(oid::INT4, oid::INT8));
        assert!(fk_types_ok(oid::VARCHAR, oid::TEXT));
        assert!(!fk_types_ok(oid::NUMERIC, oid::INT4));
        assert!(!fk_types_ok(oid::TEXT, oid::INT4));
        assert!(!fk_types_ok(oid::INT4, oid::TEXT));
    }
}
