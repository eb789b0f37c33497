//! OIDs of catalog rows that pgfork keeps no descriptor of its own for:
//! each column default's pg_attrdef row (a view's too), each view's `_RETURN` rule
//! (pg_rewrite), and each table's, view's and materialized view's row
//! type and its array type (pg_type; the session's row types,
//! `types::composite`, are made here from them). pg_dump identifies objects and their dependencies by
//! these OIDs (a serial column's default depends on its sequence; a view
//! on what its rule reads), so each gets one of its own, kept in the
//! catalog. [`Catalog::settle_row_oids`] gives one to every default
//! and view lacking it and forgets those of objects gone; it runs on
//! every catalog a DDL statement writes and on every catalog read (a
//! catalog written before these OIDs existed gets the same ones in every
//! backend, since they are allocated in catalog order from its next_oid).

use super::{Catalog, Oid};

impl Catalog {
    pub fn settle_row_oids(&mut self) {
        let defaults: Vec<(Oid, i16)> = self
            .tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.default.is_some())
                    .map(move |(i, _)| (t.oid, i as i16 + 1))
            })
            .chain(
                self.views
                    .iter()
                    .flat_map(|v| v.defaults.iter().map(move |(i, _)| (v.oid, *i as i16 + 1))),
            )
            .collect();
        self.attrdef_oids.retain(|k, _| defaults.contains(k));
        for k in defaults {
            if !self.attrdef_oids.contains_key(&k) {
                let o = self.alloc_oid();
                self.attrdef_oids.insert(k, o);
            }
        }
        // Views' and materialized views' `_RETURN` rules.
        let views: Vec<Oid> = self
            .views
            .iter()
            .map(|v| v.oid)
            .chain(self.matviews.iter().map(|m| m.oid))
            .collect();
        self.rule_oids.retain(|v, _| views.contains(v));
        for v in views {
            if !self.rule_oids.contains_key(&v) {
                let o = self.alloc_oid();
                self.rule_oids.insert(v, o);
            }
        }
        self.settle_row_types();
    }

    /// Gives every table, view and materialized view its row type and
    /// array type OIDs (the array's first, as heap_create_with_catalog
    /// assigns them) and makes the session's row types.
    fn settle_row_types(&mut self) {
        use crate::types::composite::CompositeType;
        type Rel = (Oid, String, Oid, u8, Vec<String>, Vec<Oid>, Vec<i32>);
        let mut rels: Vec<Rel> = Vec::new();
        for t in &self.tables {
            let live: Vec<&super::ColumnDesc> = t.columns.iter().filter(|c| !c.dropped).collect();
            let kind = if self.is_matview(t.oid) { b'm' } else { b'r' };
            rels.push((
                t.oid,
                t.name.clone(),
                t.namespace,
                kind,
                live.iter().map(|c| c.name.clone()).collect(),
                live.iter().map(|c| c.ty).collect(),
                live.iter().map(|c| c.typmod).collect(),
            ));
        }
        for v in &self.views {
            rels.push((
                v.oid,
                v.name.clone(),
                v.namespace,
                b'v',
                v.columns.iter().map(|c| c.0.clone()).collect(),
                v.columns.iter().map(|c| c.1).collect(),
                v.columns.iter().map(|c| c.2).collect(),
            ));
        }
        self.rowtype_oids
            .retain(|r, _| rels.iter().any(|x| x.0 == *r));
        let mut types = Vec::with_capacity(rels.len() + self.composites.len());
        // CREATE TYPE ... AS types keep their OIDs with their rows
        // (`composite.rs`).
        for c in &self.composites {
            types.push(std::sync::Arc::new(CompositeType {
                oid: c.oid,
                array: c.array,
                relid: c.relid,
                array_name: array_type_name(&c.name),
                name: c.name.clone(),
                namespace: c.namespace,
                relkind: b'c',
                names: std::sync::Arc::new(c.attrs.iter().map(|a| a.name.clone()).collect()),
                types: c.attrs.iter().map(|a| a.ty).collect(),
                typmods: c.attrs.iter().map(|a| a.typmod).collect(),
            }));
        }
        for (relid, name, namespace, relkind, names, tys, typmods) in rels {
            let (oid, array) = match self.rowtype_oids.get(&relid) {
                Some(&p) => p,
                None => {
                    let array = self.alloc_oid();
                    let oid = self.alloc_oid();
                    self.rowtype_oids.insert(relid, (oid, array));
                    (oid, array)
                }
            };
            types.push(std::sync::Arc::new(CompositeType {
                oid,
                array,
                relid,
                array_name: array_type_name(&name),
                name,
                namespace,
                relkind,
                names: std::sync::Arc::new(names),
                types: tys,
                typmods,
            }));
        }
        if *self.row_types != types {
            self.row_types = std::sync::Arc::new(types);
        }
    }

    /// The row type of relation `rel` and its array type.
    pub fn rowtype_of(&self, rel: Oid) -> Option<(Oid, Oid)> {
        self.rowtype_oids.get(&rel).copied()
    }

    /// The pg_attrdef OID of column `attnum`'s (1-based) default.
    pub fn attrdef_oid(&self, table: Oid, attnum: i16) -> Oid {
        self.attrdef_oids
            .get(&(table, attnum))
            .copied()
            .unwrap_or(0)
    }

    /// The OID of a view's `_RETURN` rule.
    pub fn rule_oid(&self, view: Oid) -> Oid {
        self.rule_oids.get(&view).copied().unwrap_or(0)
    }
}

/// makeArrayTypeName: `_` before the name, cut to NAMEDATALEN - 1 bytes.
pub fn array_type_name(name: &str) -> String {
    let mut s = format!("_{name}");
    while s.len() > 63 {
        s.pop();
    }
    s
}
