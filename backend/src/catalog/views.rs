//! The pg_catalog relations computed from the catalog (their rows are
//! made by `executor::sysviews`): pg_namespace,
//! pg_class, pg_attribute, pg_attrdef, pg_index, pg_constraint, pg_type,
//! pg_am, and the (empty: pgfork has no partitioning or inheritance)
//! pg_partitioned_table and pg_inherits, and the empty pg_collation,
//! pg_policy, pg_statistic_ext, pg_publication, pg_publication_namespace
//! and pg_publication_rel (pgfork has none of those objects). Columns are
//! the subset clients such as psql and pgbench read; array-typed columns
//! (polroles, stxkind, prattrs, ...) are left out until arrays of those
//! types exist.

use crate::catalog::system_views::{SystemView, ViewColumns, ViewRows};
use crate::types::oid;

/// The bootstrap superuser's OID, owner of everything.
pub const SUPERUSER_OID: u32 = 10;
/// pg_am OIDs.
pub const HEAP_AM: u32 = 2;
pub const BTREE_AM: u32 = 403;

pub static VIEWS: &[SystemView] = &[
    SystemView {
        name: "pg_namespace",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("nspname", oid::NAME),
            ("nspowner", oid::OID),
        ]),
        rows: ViewRows::Namespace,
    },
    SystemView {
        name: "pg_class",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("relname", oid::NAME),
            ("relnamespace", oid::OID),
            ("reltype", oid::OID),
            ("reloftype", oid::OID),
            ("relowner", oid::OID),
            ("relam", oid::OID),
            ("relfilenode", oid::OID),
            ("reltablespace", oid::OID),
            ("relpages", oid::INT4),
            ("reltuples", oid::FLOAT4),
            ("reltoastrelid", oid::OID),
            ("relhasindex", oid::BOOL),
            ("relisshared", oid::BOOL),
            ("relpersistence", oid::TEXT),
            ("relkind", oid::TEXT),
            ("relnatts", oid::INT2),
            ("relchecks", oid::INT2),
            ("relhasrules", oid::BOOL),
            ("relhastriggers", oid::BOOL),
            ("relhassubclass", oid::BOOL),
            ("relrowsecurity", oid::BOOL),
            ("relforcerowsecurity", oid::BOOL),
            ("relispopulated", oid::BOOL),
            ("relreplident", oid::TEXT),
            ("relispartition", oid::BOOL),
        ]),
        rows: ViewRows::Class,
    },
    SystemView {
        name: "pg_attribute",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("attrelid", oid::OID),
            ("attname", oid::NAME),
            ("atttypid", oid::OID),
            ("attlen", oid::INT2),
            ("attnum", oid::INT2),
            ("atttypmod", oid::INT4),
            ("attnotnull", oid::BOOL),
            ("atthasdef", oid::BOOL),
            ("attidentity", oid::TEXT),
            ("attgenerated", oid::TEXT),
            ("attisdropped", oid::BOOL),
            ("attcollation", oid::OID),
        ]),
        rows: ViewRows::Attribute,
    },
    SystemView {
        name: "pg_attrdef",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("adrelid", oid::OID),
            ("adnum", oid::INT2),
            ("adbin", oid::TEXT),
        ]),
        rows: ViewRows::Attrdef,
    },
    SystemView {
        name: "pg_index",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("indexrelid", oid::OID),
            ("indrelid", oid::OID),
            ("indnatts", oid::INT2),
            ("indisunique", oid::BOOL),
            ("indisprimary", oid::BOOL),
            ("indisclustered", oid::BOOL),
            ("indisvalid", oid::BOOL),
            ("indisreplident", oid::BOOL),
            ("indkey", oid::TEXT),
        ]),
        rows: ViewRows::Index,
    },
    SystemView {
        name: "pg_constraint",
        uses_catalog: true,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("conname", oid::NAME),
            ("connamespace", oid::OID),
            ("contype", oid::TEXT),
            ("condeferrable", oid::BOOL),
            ("condeferred", oid::BOOL),
            ("conrelid", oid::OID),
            ("conindid", oid::OID),
        ]),
        rows: ViewRows::Constraint,
    },
    SystemView {
        name: "pg_type",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("typname", oid::NAME),
            ("typnamespace", oid::OID),
            ("typlen", oid::INT2),
            ("typcollation", oid::OID),
        ]),
        rows: ViewRows::Type,
    },
    SystemView {
        name: "pg_am",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("amname", oid::NAME),
            ("amtype", oid::TEXT),
        ]),
        rows: ViewRows::Am,
    },
    SystemView {
        name: "pg_partitioned_table",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("partrelid", oid::OID),
            ("partstrat", oid::TEXT),
            ("partnatts", oid::INT2),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_inherits",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("inhrelid", oid::OID),
            ("inhparent", oid::OID),
            ("inhseqno", oid::INT4),
            ("inhdetachpending", oid::BOOL),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_collation",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("collname", oid::NAME),
            ("collnamespace", oid::OID),
            ("collowner", oid::OID),
            ("collprovider", oid::CHAR),
            ("collisdeterministic", oid::BOOL),
            ("collencoding", oid::INT4),
            ("collcollate", oid::TEXT),
            ("collctype", oid::TEXT),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_policy",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("polname", oid::NAME),
            ("polrelid", oid::OID),
            ("polcmd", oid::CHAR),
            ("polpermissive", oid::BOOL),
            ("polqual", oid::TEXT),
            ("polwithcheck", oid::TEXT),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_statistic_ext",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("stxrelid", oid::OID),
            ("stxname", oid::NAME),
            ("stxnamespace", oid::OID),
            ("stxowner", oid::OID),
            ("stxstattarget", oid::INT4),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_publication",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("pubname", oid::NAME),
            ("pubowner", oid::OID),
            ("puballtables", oid::BOOL),
            ("pubinsert", oid::BOOL),
            ("pubupdate", oid::BOOL),
            ("pubdelete", oid::BOOL),
            ("pubtruncate", oid::BOOL),
            ("pubviaroot", oid::BOOL),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_publication_namespace",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("pnpubid", oid::OID),
            ("pnnspid", oid::OID),
        ]),
        rows: ViewRows::Empty,
    },
    SystemView {
        name: "pg_publication_rel",
        uses_catalog: false,
        columns: ViewColumns::Fixed(&[
            ("oid", oid::OID),
            ("prpubid", oid::OID),
            ("prrelid", oid::OID),
            ("prqual", oid::TEXT),
        ]),
        rows: ViewRows::Empty,
    },
];
