//! B-tree operator classes: pg_opclass, with PostgreSQL 15's OIDs, names
//! and families, for the types pgfork's B-tree indexes (their keys are
//! `access::keys`), and the default class of each type that
//! pg_index.indclass names. pgfork has one class per type, the default:
//! no alternative classes (text_pattern_ops, ...) nor CREATE OPERATOR CLASS.

use crate::catalog::system_views::{SystemView, ViewColumns, ViewRows};
use crate::catalog::views::{BTREE_AM, SUPERUSER_OID};
use crate::types::{array, enums, is_reg_type, oid, Oid, Value};

/// pg_catalog's namespace OID.
const PG_CATALOG_NAMESPACE: u32 = 11;
/// cstring: the storage type of name_ops' keys.
const CSTRING: Oid = 2275;
/// anyenum: the input type of enum_ops, every enum type's class.
const ANYENUM: Oid = 3500;

/// One operator class: (oid, opcname, opcfamily, opcintype, opckeytype).
type OpClass = (Oid, &'static str, Oid, Oid, Oid);

/// The default B-tree classes of the types pgfork indexes, in OID order.
#[rustfmt::skip]
static BTREE_OPCLASSES: &[OpClass] = &[
    (1978, "int4_ops", 1976, oid::INT4, 0),
    (1979, "int2_ops", 1976, oid::INT2, 0),
    (1981, "oid_ops", 1989, oid::OID, 0),
    (3122, "date_ops", 434, oid::DATE, 0),
    (3123, "float8_ops", 1970, oid::FLOAT8, 0),
    (3124, "int8_ops", 1976, oid::INT8, 0),
    (3125, "numeric_ops", 1988, oid::NUMERIC, 0),
    (3126, "text_ops", 1994, oid::TEXT, 0),
    (3127, "timestamptz_ops", 434, oid::TIMESTAMPTZ, 0),
    (3128, "timestamp_ops", 434, oid::TIMESTAMP, 0),
    (10000, "array_ops", 397, array::oids::ANYARRAY, 0),
    (10003, "bool_ops", 424, oid::BOOL, 0),
    (10004, "bpchar_ops", 426, oid::BPCHAR, 0),
    (10006, "bytea_ops", 428, oid::BYTEA, 0),
    (10007, "char_ops", 429, oid::CHAR, 0),
    (10012, "float4_ops", 1970, oid::FLOAT4, 0),
    (10015, "inet_ops", 1974, oid::INET, 0),
    (10022, "interval_ops", 1982, oid::INTERVAL, 0),
    (10024, "macaddr_ops", 1984, oid::MACADDR, 0),
    (10026, "macaddr8_ops", 3371, oid::MACADDR8, 0),
    (10028, "name_ops", 1994, oid::NAME, CSTRING),
    (10032, "oidvector_ops", 1991, oid::OIDVECTOR, 0),
    (10038, "time_ops", 1996, oid::TIME, 0),
    (10041, "timetz_ops", 2000, oid::TIMETZ, 0),
    (10050, "tid_ops", 2789, oid::TID, 0),
    (10065, "uuid_ops", 2968, oid::UUID, 0),
    (10069, "enum_ops", 3522, ANYENUM, 0),
    (10088, "jsonb_ops", 4033, oid::JSONB, 0),
];

/// The default B-tree operator class of a column of type `t` (what
/// pg_index.indclass holds), or 0 when the type has none (json, xid, ...):
/// such a column cannot be indexed, as in PostgreSQL. As PostgreSQL's
/// GetDefaultOpClass, a type without its own class takes the one of the
/// type it is binary-coercible to: varchar text's, the OID alias types
/// oid's, every array type array_ops, every enum type enum_ops.
/// Whether `o` is a pg_opclass row (all of them built in, in pg_catalog).
pub fn is_opclass(o: Oid) -> bool {
    BTREE_OPCLASSES.iter().any(|c| c.0 == o)
}

pub fn default_btree_opclass(t: Oid) -> Oid {
    let t = match t {
        oid::VARCHAR => oid::TEXT,
        // cidr's default class is inet_ops (binary-coercible), as in PG.
        oid::CIDR => oid::INET,
        oid::INT2VECTOR => return 0,
        oid::OIDVECTOR => oid::OIDVECTOR,
        t if is_reg_type(t) => oid::OID,
        t if array::is_array_type(t) => array::oids::ANYARRAY,
        t if enums::is_enum(t) => ANYENUM,
        t => t,
    };
    BTREE_OPCLASSES.iter().find(|c| c.3 == t).map_or(0, |c| c.0)
}

pub static VIEWS: &[SystemView] = &[SystemView {
    name: "pg_opclass",
    uses_catalog: false,
    columns: ViewColumns::Fixed(&[
        ("oid", oid::OID),
        ("opcmethod", oid::OID),
        ("opcname", oid::NAME),
        ("opcnamespace", oid::OID),
        ("opcowner", oid::OID),
        ("opcfamily", oid::OID),
        ("opcintype", oid::OID),
        ("opcdefault", oid::BOOL),
        ("opckeytype", oid::OID),
    ]),
    rows: ViewRows::Opclass,
}];

/// pg_opclass's rows.
pub fn opclass_rows() -> Vec<Vec<Value>> {
    BTREE_OPCLASSES
        .iter()
        .map(|&(o, name, family, intype, keytype)| {
            vec![
                Value::Oid(o),
                Value::Oid(BTREE_AM),
                Value::Text(name.to_owned()),
                Value::Oid(PG_CATALOG_NAMESPACE),
                Value::Oid(SUPERUSER_OID),
                Value::Oid(family),
                Value::Oid(intype),
                Value::Bool(true),
                Value::Oid(keytype),
            ]
        })
        .collect()
}
