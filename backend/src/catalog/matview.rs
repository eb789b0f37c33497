//! Materialized views (pg_class rows with relkind 'm'). A materialized
//! view is a heap like a table's: its `TableDesc` (columns, file) is in
//! `Catalog::tables` and its indexes in `Catalog::indexes`, so scans,
//! indexes and storage need nothing new. What makes it one is its
//! [`MatviewDesc`] here: the defining query (bound as a view's is, to run
//! again at REFRESH), the relations it reads, and whether it has been
//! populated (relispopulated: a scan of one that has not fails with
//! 55000, as PostgreSQL's). Only CREATE MATERIALIZED VIEW and REFRESH
//! write its rows (`tcop::create_table_as`); INSERT, UPDATE, DELETE,
//! TRUNCATE and COPY refuse it.

use std::sync::Arc;

use super::{esc, unesc, Catalog, ViewDef};
use crate::types::Oid;

/// What a materialized view adds to its table.
#[derive(Clone, Debug, PartialEq)]
pub struct MatviewDesc {
    /// Its relation's OID (the `TableDesc`'s).
    pub oid: Oid,
    /// The defining query: deparsed with every relation qualified, or as
    /// written when the deparser cannot print it (as `ViewDesc::sql`).
    pub sql: String,
    /// pg_get_viewdef's text, when the deparser could print it.
    pub def: Option<ViewDef>,
    /// The tables and views it reads (not dropped while it exists, unless
    /// by CASCADE).
    pub deps: Vec<Oid>,
    /// relispopulated: false after WITH NO DATA until a REFRESH.
    pub populated: bool,
}

impl MatviewDesc {
    /// Its lines in the catalog's text form.
    pub(super) fn serialize(&self) -> String {
        let deps: Vec<String> = self.deps.iter().map(Oid::to_string).collect();
        let mut s = format!(
            "matview {} {} {} {}\n",
            self.oid,
            u8::from(self.populated),
            if deps.is_empty() {
                "-".to_owned()
            } else {
                deps.join(",")
            },
            esc(&self.sql)
        );
        if let Some(d) = &self.def {
            s += &format!("matviewdef {} {}\n", esc(&d.plain), esc(&d.pretty));
        }
        s
    }

    /// A `matview` line's fields (None: malformed).
    pub(super) fn parse(f: &[&str]) -> Option<MatviewDesc> {
        let deps = match *f.get(3)? {
            "-" => Vec::new(),
            d => d
                .split(',')
                .map(|x| x.parse().ok())
                .collect::<Option<Vec<Oid>>>()?,
        };
        Some(MatviewDesc {
            oid: f.get(1)?.parse().ok()?,
            populated: *f.get(2)? == "1",
            deps,
            sql: unesc(f.get(4)?),
            def: None,
        })
    }
}

impl Catalog {
    /// The materialized view with OID `oid` (None: not one).
    pub fn matview(&self, oid: Oid) -> Option<&Arc<MatviewDesc>> {
        self.matviews.iter().find(|m| m.oid == oid)
    }

    /// Whether relation `oid` is a materialized view.
    pub fn is_matview(&self, oid: Oid) -> bool {
        self.matview(oid).is_some()
    }

    /// The materialized views that read relation `oid`.
    pub fn matviews_using(&self, oid: Oid) -> impl Iterator<Item = &Arc<MatviewDesc>> {
        self.matviews.iter().filter(move |m| m.deps.contains(&oid))
    }

    /// Materialized view `oid` as a view (name, query, columns), for
    /// what prints its definition (pg_get_viewdef, pg_matviews).
    pub fn matview_as_view(&self, oid: Oid) -> Option<super::ViewDesc> {
        let m = self.matview(oid)?;
        let t = self.table_by_oid(oid)?;
        Some(super::ViewDesc {
            oid,
            name: t.name.clone(),
            namespace: t.namespace,
            sql: m.sql.clone(),
            columns: t
                .columns
                .iter()
                .filter(|c| !c.dropped)
                .map(|c| (c.name.clone(), c.ty, c.typmod))
                .collect(),
            deps: m.deps.clone(),
            def: m.def.clone(),
            auto_update: None,
            check_option: None,
            defaults: Vec::new(),
        })
    }

    /// Removes materialized view `oid` with its table, indexes and
    /// search path.
    pub fn remove_matview(&mut self, oid: Oid) {
        self.matviews.retain(|m| m.oid != oid);
        self.tables.retain(|t| t.oid != oid);
        self.indexes.retain(|i| i.table != oid);
        self.view_paths.remove(&oid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let m = MatviewDesc {
            oid: 16400,
            sql: "SELECT a FROM public.t".into(),
            def: None,
            deps: vec![16384, 16390],
            populated: false,
        };
        let line = m.serialize();
        let f: Vec<&str> = line.trim_end().split(' ').collect();
        assert_eq!(MatviewDesc::parse(&f), Some(m));
    }
}
