//! CREATE TABLE's `LIKE source [INCLUDING | EXCLUDING ...]` elements
//! (`parser::create_table_like` marks them among the columns): each
//! becomes the source's column definitions in its place, as PostgreSQL
//! copies them. Always the names, types and NOT NULL; with DEFAULTS the
//! defaults, IDENTITY the identity (a new sequence with the source's
//! options), CONSTRAINTS the CHECK constraints under their names, INDEXES
//! the primary key, unique constraints and other indexes (named for the
//! new table), COMMENTS the comments on columns, CHECK constraints and
//! indexes. GENERATED, STORAGE, STATISTICS and COMPRESSION copy nothing
//! here: pgfork has no stored generated columns, storage modes, extended
//! statistics or compression settings.

use std::sync::Arc;

use sqlparser::ast;

use super::Ddl;
use crate::analyze::from::no_relation;
use crate::catalog::{format_type, IndexDesc, RelKind, TableDesc};
use crate::error::{PgError, PgResult};
use crate::parser::create_table_like::{self as like, LikeClause};
use crate::types::Oid;
use crate::utils::adt::quote::quote_ident;

const PG_CLASS: Oid = 1259;
const PG_CONSTRAINT: Oid = 2606;

/// What is copied once the new table exists: indexes that are not
/// constraints, and comments.
#[derive(Default)]
pub(super) struct AfterLike {
    /// A source index and the names of its columns.
    indexes: Vec<(Arc<IndexDesc>, Vec<String>)>,
    /// (source column name, comment).
    column_comments: Vec<(String, String)>,
    /// (CHECK constraint name, comment).
    constraint_comments: Vec<(String, String)>,
    /// (source index OID, comment) of indexes copied after creation.
    index_comments: Vec<(Oid, String)>,
}

impl Ddl<'_> {
    /// `ct` with its LIKE markers replaced by the columns and
    /// constraints they copy, or None when it has none.
    pub(super) fn expand_like(
        &self,
        ct: &ast::CreateTable,
    ) -> PgResult<Option<(ast::CreateTable, AfterLike)>> {
        if !ct
            .columns
            .iter()
            .any(|c| like::decode(&c.name.value).is_some())
        {
            return Ok(None);
        }
        let mut elements: Vec<String> = Vec::new();
        let mut after = AfterLike::default();
        // Where each element's text comes from: a copied definition, or
        // the statement's own column (kept as its tree).
        let mut own: Vec<Option<ast::ColumnDef>> = Vec::new();
        let mut constraints: Vec<String> = Vec::new();
        for cd in &ct.columns {
            let Some(l) = like::decode(&cd.name.value) else {
                elements.push(String::new());
                own.push(Some(cd.clone()));
                continue;
            };
            for c in self.like_columns(&l, &mut constraints, &mut after)? {
                elements.push(c);
                own.push(None);
            }
        }
        let copied: Vec<&String> = elements
            .iter()
            .zip(&own)
            .filter(|(_, o)| o.is_none())
            .map(|(e, _)| e)
            .chain(constraints.iter())
            .collect();
        let mut parsed = if copied.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let sql = format!(
                "CREATE TABLE x ({})",
                copied
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let stmts = crate::parser::parse(&sql)?;
            match stmts.into_iter().next().map(|s| s.ast) {
                Some(ast::Statement::CreateTable(x)) => (x.columns, x.constraints),
                _ => return Err(PgError::internal("LIKE's copied definitions did not parse")),
            }
        };
        let mut copied_columns = parsed.0.drain(..);
        let mut out = ct.clone();
        out.columns = own
            .into_iter()
            .map(|o| o.or_else(|| copied_columns.next()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| PgError::internal("LIKE's copied columns are missing"))?;
        out.constraints.extend(parsed.1);
        Ok(Some((out, after)))
    }

    /// The column definitions (as SQL) LIKE `l` copies; its table
    /// constraints are added to `constraints`, what follows creation to
    /// `after`.
    fn like_columns(
        &self,
        l: &LikeClause,
        constraints: &mut Vec<String>,
        after: &mut AfterLike,
    ) -> PgResult<Vec<String>> {
        let missing =
            || no_relation(l.name.last().map_or("", String::as_str)).with_position(l.position);
        let found = match l.name.as_slice() {
            [rel] => self.cat.relkind(rel),
            [.., schema, rel] => match self.cat.namespace_oid(schema) {
                Some(n) => self.cat.relation_in(n, rel),
                None => {
                    return Err(PgError::new(
                        "3F000",
                        format!("schema \"{schema}\" does not exist"),
                    )
                    .with_position(l.position))
                }
            },
            [] => None,
        };
        let t: Arc<TableDesc> = match found {
            Some((RelKind::Table, o)) => self.cat.table_by_oid(o).cloned().ok_or_else(missing)?,
            Some((RelKind::View, o)) => {
                let v = self
                    .cat
                    .views
                    .iter()
                    .find(|v| v.oid == o)
                    .ok_or_else(missing)?;
                return Ok(v
                    .columns
                    .iter()
                    .map(|(n, ty, m)| format!("{} {}", quote_ident(n), format_type(*ty, *m)))
                    .collect());
            }
            Some((kind, _)) => {
                let name = l.name.last().cloned().unwrap_or_default();
                let what = match kind {
                    RelKind::Sequence => "sequences",
                    _ => "indexes",
                };
                return Err(PgError::new(
                    "42809",
                    format!("relation \"{name}\" is invalid in LIKE clause"),
                )
                .with_detail(format!("This operation is not supported for {what}."))
                .with_position(l.position));
            }
            None => return Err(missing()),
        };
        let mut cols = Vec::new();
        for (i, c) in t.columns.iter().enumerate() {
            if c.dropped {
                continue;
            }
            let ty = match self.cat.column_domains.get(&(t.oid, i as i16 + 1)) {
                Some(&d) => format_type(d, -1),
                None => format_type(c.ty, c.typmod),
            };
            let mut s = format!("{} {}", quote_ident(&c.name), ty);
            if c.not_null {
                s += " NOT NULL";
            }
            let identity = self.cat.identity(t.oid, i);
            if l.includes(like::DEFAULTS) && identity.is_none() {
                if let Some(d) = &c.default {
                    s += &format!(" DEFAULT {d}");
                }
            }
            if let (true, Some(q)) = (l.includes(like::IDENTITY), identity) {
                s += &format!(
                    " GENERATED {} AS IDENTITY (START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{})",
                    if q.identity == b'a' { "ALWAYS" } else { "BY DEFAULT" },
                    q.start,
                    q.increment,
                    q.min,
                    q.max,
                    q.cache,
                    if q.cycle { " CYCLE" } else { "" }
                );
            }
            if l.includes(like::COMMENTS) {
                if let Some(text) = self.cat.description(PG_CLASS, t.oid, i as i32 + 1) {
                    after
                        .column_comments
                        .push((c.name.clone(), text.to_owned()));
                }
            }
            cols.push(s);
        }
        let names = |cols: &[usize]| -> Vec<String> {
            cols.iter().map(|&k| t.columns[k].name.clone()).collect()
        };
        if l.includes(like::CONSTRAINTS) {
            for c in self.cat.constraints.iter().filter(|c| c.table == t.oid) {
                let Some(src) = c.check() else { continue };
                constraints.push(format!("CONSTRAINT {} CHECK ({src})", quote_ident(&c.name)));
                if l.includes(like::COMMENTS) {
                    if let Some(text) = self.cat.description(PG_CONSTRAINT, c.oid, 0) {
                        after
                            .constraint_comments
                            .push((c.name.clone(), text.to_owned()));
                    }
                }
            }
        }
        if l.includes(like::INDEXES) {
            for i in self.cat.indexes.iter().filter(|i| i.table == t.oid) {
                let list = names(&i.columns)
                    .iter()
                    .map(|n| quote_ident(n))
                    .collect::<Vec<_>>()
                    .join(", ");
                let timing = match (i.deferrable, i.deferred) {
                    (true, true) => " DEFERRABLE INITIALLY DEFERRED",
                    (true, false) => " DEFERRABLE",
                    _ => "",
                };
                if i.primary {
                    constraints.push(format!("PRIMARY KEY ({list}){timing}"));
                } else if i.constraint {
                    constraints.push(format!("UNIQUE ({list}){timing}"));
                } else {
                    after.indexes.push((i.clone(), names(&i.columns)));
                    if l.includes(like::COMMENTS) {
                        if let Some(text) = self.cat.description(PG_CLASS, i.oid, 0) {
                            after.index_comments.push((i.oid, text.to_owned()));
                        }
                    }
                }
            }
        }
        Ok(cols)
    }

    /// Copies what LIKE copies into the created `table`: its plain
    /// indexes and the comments.
    pub(super) fn finish_like(&mut self, table: &Arc<TableDesc>, after: AfterLike) -> PgResult<()> {
        let position = |n: &str| table.columns.iter().position(|c| c.name == n);
        for (src, cols) in after.indexes {
            let columns: Vec<usize> = cols.iter().filter_map(|n| position(n)).collect();
            let base = format!("{}_{}", table.name, cols.join("_"));
            let oid = self.cat.alloc_oid();
            let idx = IndexDesc {
                namespace: table.namespace,
                oid,
                name: self.cat.choose_name(table.namespace, &base, "idx"),
                table: table.oid,
                columns,
                unique: src.unique,
                primary: false,
                constraint: false,
                relfilenode: 0,
                deferrable: false,
                deferred: false,
                options: src.options.clone(),
            };
            self.add_index(table, idx, false)?;
            if let Some((_, text)) = after.index_comments.iter().find(|(o, _)| *o == src.oid) {
                self.cat.set_description((PG_CLASS, oid, 0), Some(text));
            }
        }
        for (name, text) in after.column_comments {
            if let Some(k) = position(&name) {
                self.cat
                    .set_description((PG_CLASS, table.oid, k as i32 + 1), Some(&text));
            }
        }
        for (name, text) in after.constraint_comments {
            let found = self
                .cat
                .constraints
                .iter()
                .find(|c| c.table == table.oid && c.name == name)
                .map(|c| c.oid);
            if let Some(o) = found {
                self.cat.set_description((PG_CONSTRAINT, o, 0), Some(&text));
            }
        }
        self.changed = true;
        Ok(())
    }
}
