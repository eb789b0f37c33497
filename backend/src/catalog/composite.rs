//! Stand-alone composite types made by `CREATE TYPE name AS (...)`: as
//! PostgreSQL's DefineCompositeType keeps them, a pg_class row of relkind
//! 'c' (no storage), its pg_attribute rows, and a pg_type row of typtype
//! 'c' whose typrelid is that relation, with its array type `_name`. The
//! session's row types (`types::composite`) are made from them with the
//! tables' and views' (`row_oids`). Lines of the catalog's text form:
//! `comptype RELID TYPE ARRAY NSP NAME` followed by one
//! `compattr NAME TYPE TYPMOD COLLATION` per attribute (`-`: no COLLATE).

use std::sync::Arc;

use super::{esc, unesc, Catalog};
use crate::types::Oid;

/// One attribute of a composite type.
#[derive(Clone, Debug, PartialEq)]
pub struct CompositeAttr {
    pub name: String,
    pub ty: Oid,
    pub typmod: i32,
    /// The collation named by COLLATE, if any.
    pub collation: Option<String>,
}

/// A composite type of CREATE TYPE ... AS.
#[derive(Clone, Debug, PartialEq)]
pub struct CompositeTypeDesc {
    /// The pg_class row's OID (typrelid).
    pub relid: Oid,
    /// The pg_type row's OID.
    pub oid: Oid,
    /// typarray.
    pub array: Oid,
    pub namespace: Oid,
    pub name: String,
    pub attrs: Vec<CompositeAttr>,
}

/// The pg_collation OID of a collation name pgfork knows (the database
/// default for others, as attribute rows show without COLLATE).
pub fn collation_oid(name: &str) -> Option<Oid> {
    match name {
        "default" => Some(100),
        "C" => Some(950),
        "POSIX" => Some(951),
        _ => None,
    }
}

impl Catalog {
    /// The composite type (of CREATE TYPE) named `name` in schema `nsp`.
    pub fn composite_in(&self, nsp: Oid, name: &str) -> Option<&Arc<CompositeTypeDesc>> {
        self.composites
            .iter()
            .find(|c| c.namespace == nsp && c.name == name)
    }

    /// A composite type by possibly qualified name (the first schema of
    /// the search path holding one when unqualified).
    pub fn resolve_composite(
        &self,
        nsp: Option<Oid>,
        name: &str,
    ) -> Option<&Arc<CompositeTypeDesc>> {
        match nsp {
            Some(n) => self.composite_in(n, name),
            None => self
                .search_path()
                .into_iter()
                .find_map(|n| self.composite_in(n, name)),
        }
    }

    /// The composite type whose pg_class row is `relid`.
    pub fn composite_by_relid(&self, relid: Oid) -> Option<&Arc<CompositeTypeDesc>> {
        self.composites.iter().find(|c| c.relid == relid)
    }

    /// The composite type with pg_type OID `oid`.
    pub fn composite_by_oid(&self, oid: Oid) -> Option<&Arc<CompositeTypeDesc>> {
        self.composites.iter().find(|c| c.oid == oid)
    }

    pub(super) fn serialize_composites(&self) -> String {
        let mut s = String::new();
        for c in &self.composites {
            s += &format!(
                "comptype {} {} {} {} {}\n",
                c.relid,
                c.oid,
                c.array,
                c.namespace,
                esc(&c.name)
            );
            for a in &c.attrs {
                s += &format!(
                    "compattr {} {} {} {}\n",
                    esc(&a.name),
                    a.ty,
                    a.typmod,
                    a.collation.as_deref().map_or("-".to_owned(), esc)
                );
            }
        }
        s
    }

    /// Reads a `comptype` or `compattr` line (None if malformed).
    pub(super) fn parse_composite_line(&mut self, f: &[&str]) -> Option<()> {
        let num = |i: usize| f.get(i)?.parse::<i64>().ok();
        match *f.first()? {
            "comptype" => self.composites.push(Arc::new(CompositeTypeDesc {
                relid: num(1)? as Oid,
                oid: num(2)? as Oid,
                array: num(3)? as Oid,
                namespace: num(4)? as Oid,
                name: unesc(f.get(5)?),
                attrs: Vec::new(),
            })),
            _ => {
                let c = self.composites.last_mut()?;
                Arc::make_mut(c).attrs.push(CompositeAttr {
                    name: unesc(f.get(1)?),
                    ty: num(2)? as Oid,
                    typmod: num(3)? as i32,
                    collation: match *f.get(4)? {
                        "-" => None,
                        v => Some(unesc(v)),
                    },
                });
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_lines_round_trip() {
        let mut cat = Catalog::empty();
        cat.ensure_bootstrap_role();
        cat.composites.push(Arc::new(CompositeTypeDesc {
            relid: 16390,
            oid: 16392,
            array: 16391,
            namespace: 2200,
            name: "my pair".into(),
            attrs: vec![
                CompositeAttr {
                    name: "a".into(),
                    ty: crate::types::oid::INT4,
                    typmod: -1,
                    collation: None,
                },
                CompositeAttr {
                    name: "b c".into(),
                    ty: crate::types::oid::VARCHAR,
                    typmod: 14,
                    collation: Some("C".into()),
                },
            ],
        }));
        let back = Catalog::deserialize(&cat.serialize()).unwrap();
        assert_eq!(back.composites, cat.composites);
    }
}
