//! The built-in objects pgfork's pg_catalog shows, with PostgreSQL 15's
//! OIDs and names: the data types (pg_type's rows, their I/O functions,
//! their array types), the system relations (pg_class rows for the
//! catalogs and views pgfork has), schemas, roles, tablespaces and
//! encodings. Static data only; the rows are made by
//! `executor::catalog_rows` and the OID alias types' input and output by
//! `fmgr::catalog`.

use crate::types::{self, oid, Oid};

pub use super::views::SUPERUSER_OID;
pub use super::{PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE};

/// PostgreSQL's predefined role owning the public schema.
pub const DATABASE_OWNER_ROLE: Oid = 6171;
/// pg_tablespace OIDs.
pub const DEFAULTTABLESPACE_OID: Oid = 1663;
pub const GLOBALTABLESPACE_OID: Oid = 1664;
/// The default collation (pg_collation "default").
pub const DEFAULT_COLLATION_OID: Oid = 100;
/// PostgreSQL's encoding number of UTF8.
pub const UTF8_ENCODING: i32 = 6;

/// One built-in data type, as pg_type describes it.
#[derive(Debug)]
pub struct BuiltinType {
    pub oid: Oid,
    pub name: &'static str,
    pub len: i16,
    pub byval: bool,
    /// typtype: b(ase) or p(seudo).
    pub typtype: u8,
    pub category: u8,
    pub preferred: bool,
    /// Element type of an array type (0 otherwise).
    pub elem: Oid,
    /// PostgreSQL's array type of this type (0 for none).
    pub array: Oid,
    /// typinput, typoutput, typreceive, typsend, typmodin, typmodout as
    /// (pg_proc OID, name); OID 0 for none.
    pub io: [(Oid, &'static str); 6],
    pub align: u8,
    pub storage: u8,
    pub collation: Oid,
    /// typsubscript's pg_proc OID (0 for none).
    pub subscript: Oid,
}

#[allow(clippy::too_many_arguments)]
const fn ty(
    oid: Oid,
    name: &'static str,
    len: i16,
    byval: bool,
    typtype: u8,
    category: u8,
    preferred: bool,
    elem: Oid,
    array: Oid,
    io: [(Oid, &'static str); 6],
    align: u8,
    storage: u8,
    collation: Oid,
    subscript: Oid,
) -> BuiltinType {
    BuiltinType {
        oid,
        name,
        len,
        byval,
        typtype,
        category,
        preferred,
        elem,
        array,
        io,
        align,
        storage,
        collation,
        subscript,
    }
}

/// The pg_proc OIDs and names of the support functions pg_type and
/// pg_am refer to besides the types' I/O functions.
pub const SUPPORT_PROCS: &[(Oid, &str)] = &[
    (3, "heap_tableam_handler"),
    (330, "bthandler"),
    (6179, "array_subscript_handler"),
    (2290, "record_in"),
    (2291, "record_out"),
    (2402, "record_recv"),
    (2403, "record_send"),
    (6180, "raw_array_subscript_handler"),
    (6098, "jsonb_subscript_handler"),
    (3506, "enum_in"),
    (3507, "enum_out"),
    (3532, "enum_recv"),
    (3533, "enum_send"),
    (3816, "array_typanalyze"),
];

/// The default B-tree operator class of each type (pg_index.indclass).
pub use crate::catalog::opclass::default_btree_opclass;

/// Every type pgfork knows and the array types of them that PostgreSQL
/// has (from PostgreSQL 15's pg_type). Array types are shown only when
/// `types::array_element` knows them ([`is_listed`]).
#[rustfmt::skip]
pub static TYPES: &[BuiltinType] = &[
    ty(16, "bool", 1, true, b'b', b'B', true, 0, 1000, [(1242, "boolin"), (1243, "boolout"), (2436, "boolrecv"), (2437, "boolsend"), (0, "-"), (0, "-")], b'c', b'p', 0, 0),
    ty(17, "bytea", -1, false, b'b', b'U', false, 0, 1001, [(1244, "byteain"), (31, "byteaout"), (2412, "bytearecv"), (2413, "byteasend"), (0, "-"), (0, "-")], b'i', b'x', 0, 0),
    ty(18, "char", 1, true, b'b', b'Z', false, 0, 1002, [(1245, "charin"), (33, "charout"), (2434, "charrecv"), (2435, "charsend"), (0, "-"), (0, "-")], b'c', b'p', 0, 0),
    ty(19, "name", 64, false, b'b', b'S', false, 18, 1003, [(34, "namein"), (35, "nameout"), (2422, "namerecv"), (2423, "namesend"), (0, "-"), (0, "-")], b'c', b'p', 950, 6180),
    ty(20, "int8", 8, true, b'b', b'N', false, 0, 1016, [(460, "int8in"), (461, "int8out"), (2408, "int8recv"), (2409, "int8send"), (0, "-"), (0, "-")], b'd', b'p', 0, 0),
    ty(21, "int2", 2, true, b'b', b'N', false, 0, 1005, [(38, "int2in"), (39, "int2out"), (2404, "int2recv"), (2405, "int2send"), (0, "-"), (0, "-")], b's', b'p', 0, 0),
    ty(22, "int2vector", -1, false, b'b', b'A', false, 21, 1006, [(40, "int2vectorin"), (41, "int2vectorout"), (2410, "int2vectorrecv"), (2411, "int2vectorsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 6179),
    ty(23, "int4", 4, true, b'b', b'N', false, 0, 1007, [(42, "int4in"), (43, "int4out"), (2406, "int4recv"), (2407, "int4send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(24, "regproc", 4, true, b'b', b'N', false, 0, 1008, [(44, "regprocin"), (45, "regprocout"), (2444, "regprocrecv"), (2445, "regprocsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(25, "text", -1, false, b'b', b'S', true, 0, 1009, [(46, "textin"), (47, "textout"), (2414, "textrecv"), (2415, "textsend"), (0, "-"), (0, "-")], b'i', b'x', 100, 0),
    ty(26, "oid", 4, true, b'b', b'N', true, 0, 1028, [(1798, "oidin"), (1799, "oidout"), (2418, "oidrecv"), (2419, "oidsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(27, "tid", 6, false, b'b', b'U', false, 0, 1010, [(48, "tidin"), (49, "tidout"), (2438, "tidrecv"), (2439, "tidsend"), (0, "-"), (0, "-")], b's', b'p', 0, 0),
    ty(28, "xid", 4, true, b'b', b'U', false, 0, 1011, [(50, "xidin"), (51, "xidout"), (2440, "xidrecv"), (2441, "xidsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(29, "cid", 4, true, b'b', b'U', false, 0, 1012, [(52, "cidin"), (53, "cidout"), (2442, "cidrecv"), (2443, "cidsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(30, "oidvector", -1, false, b'b', b'A', false, 26, 1013, [(54, "oidvectorin"), (55, "oidvectorout"), (2420, "oidvectorrecv"), (2421, "oidvectorsend"), (0, "-"), (0, "-")], b'i', b'p', 0, 6179),
    ty(114, "json", -1, false, b'b', b'U', false, 0, 199, [(321, "json_in"), (322, "json_out"), (323, "json_recv"), (324, "json_send"), (0, "-"), (0, "-")], b'i', b'x', 0, 0),
    ty(199, "_json", -1, false, b'b', b'A', false, 114, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(700, "float4", 4, true, b'b', b'N', false, 0, 1021, [(200, "float4in"), (201, "float4out"), (2424, "float4recv"), (2425, "float4send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(701, "float8", 8, true, b'b', b'N', true, 0, 1022, [(214, "float8in"), (215, "float8out"), (2426, "float8recv"), (2427, "float8send"), (0, "-"), (0, "-")], b'd', b'p', 0, 0),
    ty(650, "cidr", -1, false, b'b', b'I', false, 0, 651, [(1267, "cidr_in"), (1427, "cidr_out"), (2498, "cidr_recv"), (2499, "cidr_send"), (0, "-"), (0, "-")], b'i', b'm', 0, 0),
    ty(651, "_cidr", -1, false, b'b', b'A', false, 650, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(705, "unknown", -2, false, b'p', b'X', false, 0, 0, [(109, "unknownin"), (110, "unknownout"), (2416, "unknownrecv"), (2417, "unknownsend"), (0, "-"), (0, "-")], b'c', b'p', 0, 0),
    ty(774, "macaddr8", 8, false, b'b', b'U', false, 0, 775, [(4110, "macaddr8_in"), (4111, "macaddr8_out"), (3446, "macaddr8_recv"), (3447, "macaddr8_send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(775, "_macaddr8", -1, false, b'b', b'A', false, 774, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(829, "macaddr", 6, false, b'b', b'U', false, 0, 1040, [(436, "macaddr_in"), (437, "macaddr_out"), (2494, "macaddr_recv"), (2495, "macaddr_send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(869, "inet", -1, false, b'b', b'I', true, 0, 1041, [(910, "inet_in"), (911, "inet_out"), (2496, "inet_recv"), (2497, "inet_send"), (0, "-"), (0, "-")], b'i', b'm', 0, 0),
    ty(1000, "_bool", -1, false, b'b', b'A', false, 16, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1001, "_bytea", -1, false, b'b', b'A', false, 17, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1002, "_char", -1, false, b'b', b'A', false, 18, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1003, "_name", -1, false, b'b', b'A', false, 19, 0, ARRAY_IO, b'i', b'x', 950, 6179),
    ty(1005, "_int2", -1, false, b'b', b'A', false, 21, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1006, "_int2vector", -1, false, b'b', b'A', false, 22, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1007, "_int4", -1, false, b'b', b'A', false, 23, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1008, "_regproc", -1, false, b'b', b'A', false, 24, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1009, "_text", -1, false, b'b', b'A', false, 25, 0, ARRAY_IO, b'i', b'x', 100, 6179),
    ty(1013, "_oidvector", -1, false, b'b', b'A', false, 30, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1014, "_bpchar", -1, false, b'b', b'A', false, 1042, 0, array_io((2913, "bpchartypmodin"), (2914, "bpchartypmodout")), b'i', b'x', 100, 6179),
    ty(1015, "_varchar", -1, false, b'b', b'A', false, 1043, 0, array_io((2915, "varchartypmodin"), (2916, "varchartypmodout")), b'i', b'x', 100, 6179),
    ty(1016, "_int8", -1, false, b'b', b'A', false, 20, 0, ARRAY_IO, b'd', b'x', 0, 6179),
    ty(1021, "_float4", -1, false, b'b', b'A', false, 700, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1022, "_float8", -1, false, b'b', b'A', false, 701, 0, ARRAY_IO, b'd', b'x', 0, 6179),
    ty(1028, "_oid", -1, false, b'b', b'A', false, 26, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1040, "_macaddr", -1, false, b'b', b'A', false, 829, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1041, "_inet", -1, false, b'b', b'A', false, 869, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1042, "bpchar", -1, false, b'b', b'S', false, 0, 1014, [(1044, "bpcharin"), (1045, "bpcharout"), (2430, "bpcharrecv"), (2431, "bpcharsend"), (2913, "bpchartypmodin"), (2914, "bpchartypmodout")], b'i', b'x', 100, 0),
    ty(1043, "varchar", -1, false, b'b', b'S', false, 0, 1015, [(1046, "varcharin"), (1047, "varcharout"), (2432, "varcharrecv"), (2433, "varcharsend"), (2915, "varchartypmodin"), (2916, "varchartypmodout")], b'i', b'x', 100, 0),
    ty(1082, "date", 4, true, b'b', b'D', false, 0, 1182, [(1084, "date_in"), (1085, "date_out"), (2468, "date_recv"), (2469, "date_send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(1083, "time", 8, true, b'b', b'D', false, 0, 1183, [(1143, "time_in"), (1144, "time_out"), (2470, "time_recv"), (2471, "time_send"), (2909, "timetypmodin"), (2910, "timetypmodout")], b'd', b'p', 0, 0),
    ty(1114, "timestamp", 8, true, b'b', b'D', false, 0, 1115, [(1312, "timestamp_in"), (1313, "timestamp_out"), (2474, "timestamp_recv"), (2475, "timestamp_send"), (2905, "timestamptypmodin"), (2906, "timestamptypmodout")], b'd', b'p', 0, 0),
    ty(1115, "_timestamp", -1, false, b'b', b'A', false, 1114, 0, array_io((2905, "timestamptypmodin"), (2906, "timestamptypmodout")), b'd', b'x', 0, 6179),
    ty(1182, "_date", -1, false, b'b', b'A', false, 1082, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(1183, "_time", -1, false, b'b', b'A', false, 1083, 0, array_io((2909, "timetypmodin"), (2910, "timetypmodout")), b'd', b'x', 0, 6179),
    ty(1184, "timestamptz", 8, true, b'b', b'D', true, 0, 1185, [(1150, "timestamptz_in"), (1151, "timestamptz_out"), (2476, "timestamptz_recv"), (2477, "timestamptz_send"), (2907, "timestamptztypmodin"), (2908, "timestamptztypmodout")], b'd', b'p', 0, 0),
    ty(1185, "_timestamptz", -1, false, b'b', b'A', false, 1184, 0, array_io((2907, "timestamptztypmodin"), (2908, "timestamptztypmodout")), b'd', b'x', 0, 6179),
    ty(1186, "interval", 16, false, b'b', b'T', true, 0, 1187, [(1160, "interval_in"), (1161, "interval_out"), (2478, "interval_recv"), (2479, "interval_send"), (2903, "intervaltypmodin"), (2904, "intervaltypmodout")], b'd', b'p', 0, 0),
    ty(1187, "_interval", -1, false, b'b', b'A', false, 1186, 0, array_io((2903, "intervaltypmodin"), (2904, "intervaltypmodout")), b'd', b'x', 0, 6179),
    ty(1231, "_numeric", -1, false, b'b', b'A', false, 1700, 0, array_io((2917, "numerictypmodin"), (2918, "numerictypmodout")), b'i', b'x', 0, 6179),
    ty(1266, "timetz", 12, false, b'b', b'D', false, 0, 1270, [(1350, "timetz_in"), (1351, "timetz_out"), (2472, "timetz_recv"), (2473, "timetz_send"), (2911, "timetztypmodin"), (2912, "timetztypmodout")], b'd', b'p', 0, 0),
    ty(1270, "_timetz", -1, false, b'b', b'A', false, 1266, 0, array_io((2911, "timetztypmodin"), (2912, "timetztypmodout")), b'd', b'x', 0, 6179),
    ty(1700, "numeric", -1, false, b'b', b'N', false, 0, 1231, [(1701, "numeric_in"), (1702, "numeric_out"), (2460, "numeric_recv"), (2461, "numeric_send"), (2917, "numerictypmodin"), (2918, "numerictypmodout")], b'i', b'm', 0, 0),
    ty(2202, "regprocedure", 4, true, b'b', b'N', false, 0, 2207, [(2212, "regprocedurein"), (2213, "regprocedureout"), (2446, "regprocedurerecv"), (2447, "regproceduresend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(2205, "regclass", 4, true, b'b', b'N', false, 0, 2210, [(2218, "regclassin"), (2219, "regclassout"), (2452, "regclassrecv"), (2453, "regclasssend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(2206, "regtype", 4, true, b'b', b'N', false, 0, 2211, [(2220, "regtypein"), (2221, "regtypeout"), (2454, "regtyperecv"), (2455, "regtypesend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(2207, "_regprocedure", -1, false, b'b', b'A', false, 2202, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(2210, "_regclass", -1, false, b'b', b'A', false, 2205, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(2211, "_regtype", -1, false, b'b', b'A', false, 2206, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(2278, "void", 4, true, b'p', b'P', false, 0, 0, [(2298, "void_in"), (2299, "void_out"), (3120, "void_recv"), (3121, "void_send"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(2279, "trigger", 4, true, b'p', b'P', false, 0, 0, [(2300, "trigger_in"), (2301, "trigger_out"), (0, "-"), (0, "-"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(2950, "uuid", 16, false, b'b', b'U', false, 0, 2951, [(2952, "uuid_in"), (2953, "uuid_out"), (2961, "uuid_recv"), (2962, "uuid_send"), (0, "-"), (0, "-")], b'c', b'p', 0, 0),
    ty(2951, "_uuid", -1, false, b'b', b'A', false, 2950, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(3838, "event_trigger", 4, true, b'p', b'P', false, 0, 0, [(3594, "event_trigger_in"), (3595, "event_trigger_out"), (0, "-"), (0, "-"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(3802, "jsonb", -1, false, b'b', b'U', false, 0, 3807, [(3806, "jsonb_in"), (3804, "jsonb_out"), (3805, "jsonb_recv"), (3803, "jsonb_send"), (0, "-"), (0, "-")], b'i', b'x', 0, 6098),
    ty(3807, "_jsonb", -1, false, b'b', b'A', false, 3802, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(4072, "jsonpath", -1, false, b'b', b'U', false, 0, 4073, [(4001, "jsonpath_in"), (4003, "jsonpath_out"), (4002, "jsonpath_recv"), (4004, "jsonpath_send"), (0, "-"), (0, "-")], b'i', b'x', 0, 0),
    ty(4073, "_jsonpath", -1, false, b'b', b'A', false, 4072, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(4089, "regnamespace", 4, true, b'b', b'N', false, 0, 4090, [(4084, "regnamespacein"), (4085, "regnamespaceout"), (4087, "regnamespacerecv"), (4088, "regnamespacesend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(4090, "_regnamespace", -1, false, b'b', b'A', false, 4089, 0, ARRAY_IO, b'i', b'x', 0, 6179),
    ty(4096, "regrole", 4, true, b'b', b'N', false, 0, 4097, [(4098, "regrolein"), (4092, "regroleout"), (4094, "regrolerecv"), (4095, "regrolesend"), (0, "-"), (0, "-")], b'i', b'p', 0, 0),
    ty(4097, "_regrole", -1, false, b'b', b'A', false, 4096, 0, ARRAY_IO, b'i', b'x', 0, 6179),
];

/// array_in, array_out, array_recv, array_send and no typmod functions.
const ARRAY_IO: [(Oid, &str); 6] = array_io((0, "-"), (0, "-"));

const fn array_io(
    modin: (Oid, &'static str),
    modout: (Oid, &'static str),
) -> [(Oid, &'static str); 6] {
    [
        (750, "array_in"),
        (751, "array_out"),
        (2400, "array_recv"),
        (2401, "array_send"),
        modin,
        modout,
    ]
}

/// Whether pgfork has this type: every base type in [`TYPES`], and the
/// array types that `types::array_element` knows.
pub fn is_listed(t: &BuiltinType) -> bool {
    t.elem == 0 || t.category != b'A' || types::array_element(t.oid) == t.elem
}

/// A type pgfork has, by OID.
pub fn builtin_type(o: Oid) -> Option<&'static BuiltinType> {
    TYPES.iter().find(|t| t.oid == o && is_listed(t))
}

/// The types pgfork has, in OID order.
pub fn listed_types() -> impl Iterator<Item = &'static BuiltinType> {
    TYPES.iter().filter(|t| is_listed(t))
}

/// The array type of `t`, if pgfork has it.
pub fn array_of(t: Oid) -> Oid {
    match builtin_type(t) {
        Some(b) if b.array != 0 && builtin_type(b.array).is_some() => b.array,
        _ => 0,
    }
}

/// A type by its name as regtype's input reads it: pg_type names
/// ("int4", "_int4"), SQL names ("integer", "character varying",
/// "timestamp with time zone"), `name[]`, an optional `pg_catalog.`
/// qualification, and type modifiers (ignored), as PostgreSQL's
/// parseTypeString. Case-insensitive unless double-quoted.
pub fn type_by_name(input: &str) -> Option<Oid> {
    let mut s = input.trim().to_owned();
    let mut array = false;
    while let Some(rest) = s.strip_suffix("[]") {
        array = true;
        s = rest.trim_end().to_owned();
    }
    // Type modifiers ("varchar(10)", "timestamp(3) with time zone") are
    // read and ignored.
    if let (Some(open), Some(close)) = (s.find('('), s.find(')')) {
        if open < close {
            s = format!("{} {}", &s[..open], &s[close + 1..]);
        }
    }
    let lower: String = if s.starts_with('"') {
        s.clone()
    } else {
        s.to_ascii_lowercase()
    };
    let mut name = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(rest) = name.strip_prefix("pg_catalog.") {
        name = rest.to_owned();
    }
    let unquoted = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .map(str::to_owned);
    let user = unquoted.as_deref().unwrap_or(&name);
    if let Some(d) = {
        let (schema, bare) = match user.split_once('.') {
            Some((s, n)) => (Some(s), n),
            None => (None, user),
        };
        super::namespace::domain_by_type_name(schema, bare)
    } {
        return (!array).then_some(d.oid);
    }
    if let Some(e) = super::namespace::enum_by_type_name(user) {
        return match array {
            false => Some(e),
            true => Some(types::array_of(e)).filter(|a| *a != 0),
        };
    }
    let base = match unquoted {
        Some(q) => TYPES.iter().find(|t| t.name == q).map(|t| t.oid)?,
        None => {
            sql_type_name(&name).or_else(|| TYPES.iter().find(|t| t.name == name).map(|t| t.oid))?
        }
    };
    if base == oid::RECORD {
        return (!array).then_some(base);
    }
    builtin_type(base)?;
    if array {
        match array_of(base) {
            0 => None,
            a => Some(a),
        }
    } else {
        Some(base)
    }
}

/// SQL's names of the built-in types (as the grammar reads them).
fn sql_type_name(name: &str) -> Option<Oid> {
    Some(match name {
        "boolean" => oid::BOOL,
        "char" | "character" => oid::BPCHAR,
        "character varying" | "char varying" => oid::VARCHAR,
        "smallint" => oid::INT2,
        "integer" | "int" => oid::INT4,
        "bigint" => oid::INT8,
        "real" => oid::FLOAT4,
        "double precision" | "float" => oid::FLOAT8,
        "decimal" | "dec" => oid::NUMERIC,
        "timestamp without time zone" => oid::TIMESTAMP,
        "timestamp with time zone" => oid::TIMESTAMPTZ,
        "record" => oid::RECORD,
        _ => return None,
    })
}

/// PostgreSQL's format_type: the SQL name of a type with its modifier
/// (`typmod`; None when not given, as format_type(oid, NULL)), arrays as
/// `element[]`, "???" for an unknown OID.
pub fn format_type(t: Oid, typmod: Option<i32>) -> String {
    let Some(b) = builtin_type(t) else {
        if let Some(d) = types::domains::by_oid(t) {
            return super::namespace::domain_display_name(&d);
        }
        if let Some(d) = types::domains::of_array(t) {
            return format!("{}[]", super::namespace::domain_display_name(&d));
        }
        if t == oid::RECORD {
            return "record".into();
        }
        if let Some(c) = types::composite::by_oid(t) {
            return super::namespace::composite_display_name(&c, false);
        }
        if let Some(c) = types::composite::by_array(t) {
            return super::namespace::composite_display_name(&c, true);
        }
        // Enum types and their arrays ("mood", "mood[]").
        return types::enums::names(t).map_or("???".into(), |(n, _)| {
            super::namespace::enum_display_name(t, n)
        });
    };
    // Array types (not int2vector and oidvector, which have names).
    if b.category == b'A' && b.elem != 0 && b.name.starts_with('_') {
        return format!("{}[]", format_type(b.elem, typmod));
    }
    let m = typmod.filter(|m| *m >= 0);
    match t {
        oid::VARCHAR => match m {
            Some(m) if m >= 4 => format!("character varying({})", m - 4),
            _ => "character varying".into(),
        },
        oid::BPCHAR => match (m, typmod) {
            (Some(m), _) if m >= 4 => format!("character({})", m - 4),
            // bpchar with typmod -1 is not character(1).
            (_, Some(_)) => "bpchar".into(),
            _ => "character".into(),
        },
        oid::NUMERIC => match m {
            Some(m) if m >= 4 => {
                let m = m - 4;
                format!(
                    "numeric({},{})",
                    (m >> 16) & 0xffff,
                    ((m & 0x7ff) ^ 1024) - 1024
                )
            }
            _ => "numeric".into(),
        },
        oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            let zone = if t == oid::TIMESTAMP {
                "without"
            } else {
                "with"
            };
            match m {
                Some(p) => format!("timestamp({p}) {zone} time zone"),
                None => format!("timestamp {zone} time zone"),
            }
        }
        oid::INTERVAL => types::interval_typmod::format(m.unwrap_or(-1)),
        oid::TIME | oid::TIMETZ => {
            let zone = if t == oid::TIME { "without" } else { "with" };
            match m {
                Some(p) => format!("time({p}) {zone} time zone"),
                None => format!("time {zone} time zone"),
            }
        }
        _ => types::type_name(t).to_owned(),
    }
}

/// The name of a pg_proc OID that pg_type refers to (a type's I/O or
/// subscript function), which pgfork has no pg_proc row for.
pub fn type_support_proc(o: Oid) -> Option<&'static str> {
    if o == 0 {
        return None;
    }
    SUPPORT_PROCS
        .iter()
        .copied()
        .chain(TYPES.iter().flat_map(|t| t.io.iter().copied()))
        .find(|(p, _)| *p == o)
        .map(|(_, n)| n)
}

/// A system relation: pg_class row of a catalog or view pgfork has.
#[derive(Clone, Copy, Debug)]
pub struct SystemRelation {
    pub name: &'static str,
    pub oid: Oid,
    /// 'r' for catalogs, 'v' for views.
    pub relkind: u8,
    /// Shared across databases (pg_database, pg_authid, ...).
    pub shared: bool,
}

const fn rel(name: &'static str, oid: Oid, relkind: u8, shared: bool) -> SystemRelation {
    SystemRelation {
        name,
        oid,
        relkind,
        shared,
    }
}

/// PostgreSQL 15's OIDs of the catalogs and views pgfork has (the views'
/// OIDs as initdb assigns them); pgfork's own views get OIDs from 8100
/// (a range PostgreSQL leaves unused).
pub static SYSTEM_RELATIONS: &[SystemRelation] = &[
    rel("pg_tablespace", 1213, b'r', true),
    rel("pg_shdepend", 1214, b'r', true),
    rel("pg_type", 1247, b'r', false),
    rel("pg_attribute", 1249, b'r', false),
    rel("pg_proc", 1255, b'r', false),
    rel("pg_class", 1259, b'r', false),
    rel("pg_authid", 1260, b'r', true),
    rel("pg_auth_members", 1261, b'r', true),
    rel("pg_database", 1262, b'r', true),
    rel("pg_foreign_server", 1417, b'r', false),
    rel("pg_sequence", 2224, b'r', false),
    rel("pg_foreign_data_wrapper", 2328, b'r', false),
    rel("pg_shdescription", 2396, b'r', true),
    rel("pg_am", 2601, b'r', false),
    rel("pg_attrdef", 2604, b'r', false),
    rel("pg_constraint", 2606, b'r', false),
    rel("pg_conversion", 2607, b'r', false),
    rel("pg_depend", 2608, b'r', false),
    rel("pg_description", 2609, b'r', false),
    rel("pg_index", 2610, b'r', false),
    rel("pg_inherits", 2611, b'r', false),
    rel("pg_language", 2612, b'r', false),
    rel("pg_namespace", 2615, b'r', false),
    rel("pg_opclass", 2616, b'r', false),
    rel("pg_trigger", 2620, b'r', false),
    rel("pg_db_role_setting", 2964, b'r', true),
    rel("pg_extension", 3079, b'r', false),
    rel("pg_foreign_table", 3118, b'r', false),
    rel("pg_policy", 3256, b'r', false),
    rel("pg_init_privs", 3394, b'r', false),
    rel("pg_partitioned_table", 3350, b'r', false),
    rel("pg_statistic_ext", 3381, b'r', false),
    rel("pg_collation", 3456, b'r', false),
    rel("pg_event_trigger", 3466, b'r', false),
    rel("pg_enum", 3501, b'r', false),
    rel("pg_publication", 6104, b'r', false),
    rel("pg_publication_rel", 6106, b'r', false),
    rel("pg_publication_namespace", 6237, b'r', false),
    rel("pg_parameter_acl", 6243, b'r', true),
    // The catalogs pg_dump reads (catalog::dump_views).
    rel("pg_default_acl", 826, b'r', false),
    rel("pg_amop", 2602, b'r', false),
    rel("pg_amproc", 2603, b'r', false),
    rel("pg_cast", 2605, b'r', false),
    rel("pg_operator", 2617, b'r', false),
    rel("pg_rewrite", 2618, b'r', false),
    rel("pg_opfamily", 2753, b'r', false),
    rel("pg_largeobject_metadata", 2995, b'r', false),
    rel("pg_range", 3541, b'r', false),
    rel("pg_transform", 3576, b'r', false),
    rel("pg_shseclabel", 3592, b'r', true),
    rel("pg_seclabel", 3596, b'r', false),
    rel("pg_ts_dict", 3600, b'r', false),
    rel("pg_ts_parser", 3601, b'r', false),
    rel("pg_ts_config", 3602, b'r', false),
    rel("pg_ts_template", 3764, b'r', false),
    rel("pg_subscription", 6100, b'r', true),
    rel("pgfork_stat_latency", 8100, b'v', false),
    rel("pgfork_stat_backend_latency", 8101, b'v', false),
    rel("pgfork_stat_buffercache", 8102, b'v', false),
    rel("pgfork_stat_plan_cache", 8103, b'v', false),
    rel("pgfork_stat_sinval", 8104, b'v', false),
    rel("pg_roles", 12000, b'v', false),
    rel("pg_user", 12014, b'v', false),
    rel("pg_views", 12028, b'v', false),
    rel("pg_tables", 12033, b'v', false),
    rel("pg_matviews", 12038, b'v', false),
    rel("pg_indexes", 12043, b'v', false),
    rel("pg_sequences", 12048, b'v', false),
    rel("pg_stats", 12053, b'v', false),
    rel("pg_locks", 12073, b'v', false),
    rel("pg_cursors", 12077, b'v', false),
    rel("pg_settings", 12104, b'v', false),
    rel("pg_timezone_names", 12126, b'v', false),
    rel("pg_stat_all_tables", 12142, b'v', false),
    rel("pg_stat_user_tables", 12161, b'v', false),
    rel("pg_stat_activity", 12222, b'v', false),
    rel("pg_stat_wal", 12293, b'v', false),
    rel("pg_seclabels", 12099, b'v', false),
];

/// A system relation by name (in pg_catalog).
pub fn system_relation(name: &str) -> Option<&'static SystemRelation> {
    SYSTEM_RELATIONS.iter().find(|r| r.name == name)
}

/// A system relation by OID.
pub fn system_relation_by_oid(o: Oid) -> Option<&'static SystemRelation> {
    SYSTEM_RELATIONS.iter().find(|r| r.oid == o)
}

/// The schemas: pg_catalog and public (pgfork has no CREATE SCHEMA).
pub static NAMESPACES: &[(Oid, &str, Oid)] = &[
    (PG_CATALOG_NAMESPACE, "pg_catalog", SUPERUSER_OID),
    (PUBLIC_NAMESPACE, "public", DATABASE_OWNER_ROLE),
    (
        super::information_schema::INFORMATION_SCHEMA_NAMESPACE,
        "information_schema",
        SUPERUSER_OID,
    ),
];

/// A schema's OID by name.
pub fn namespace_by_name(name: &str) -> Option<Oid> {
    NAMESPACES.iter().find(|n| n.1 == name).map(|n| n.0)
}

/// A schema's name by OID.
pub fn namespace_name(o: Oid) -> Option<&'static str> {
    NAMESPACES.iter().find(|n| n.0 == o).map(|n| n.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_as_postgres_reads_them() {
        assert_eq!(type_by_name("integer"), Some(oid::INT4));
        assert_eq!(type_by_name("INT4"), Some(oid::INT4));
        assert_eq!(type_by_name("pg_catalog.int8"), Some(oid::INT8));
        assert_eq!(type_by_name("character  varying(10)"), Some(oid::VARCHAR));
        assert_eq!(type_by_name("numeric(10,2)"), Some(oid::NUMERIC));
        assert_eq!(type_by_name("char"), Some(oid::BPCHAR));
        assert_eq!(type_by_name("\"char\""), Some(oid::CHAR));
        assert_eq!(
            type_by_name("timestamp(3) with time zone"),
            Some(oid::TIMESTAMPTZ)
        );
        assert_eq!(type_by_name("text[]"), Some(oid::TEXT_ARRAY));
        assert_eq!(type_by_name("_text"), Some(oid::TEXT_ARRAY));
        assert_eq!(type_by_name("regclass"), Some(oid::REGCLASS));
        assert_eq!(type_by_name("nosuchtype"), None);
    }

    #[test]
    fn format_type_as_postgres() {
        assert_eq!(format_type(oid::INT4, None), "integer");
        assert_eq!(format_type(oid::VARCHAR, Some(44)), "character varying(40)");
        assert_eq!(format_type(oid::VARCHAR, None), "character varying");
        assert_eq!(format_type(oid::BPCHAR, None), "character");
        assert_eq!(format_type(oid::BPCHAR, Some(-1)), "bpchar");
        assert_eq!(format_type(oid::BPCHAR, Some(5)), "character(1)");
        assert_eq!(
            format_type(oid::NUMERIC, Some((10 << 16 | 2) + 4)),
            "numeric(10,2)"
        );
        assert_eq!(
            format_type(oid::TIMESTAMPTZ, Some(-1)),
            "timestamp with time zone"
        );
        assert_eq!(format_type(oid::TEXT_ARRAY, None), "text[]");
        assert_eq!(format_type(oid::CHAR, None), "\"char\"");
        assert_eq!(format_type(12345, None), "???");
    }

    #[test]
    fn tables_are_consistent() {
        for t in listed_types() {
            if t.array != 0 {
                if let Some(a) = builtin_type(t.array) {
                    assert_eq!(a.elem, t.oid, "{}", t.name);
                }
            }
        }
        assert_eq!(array_of(oid::TEXT), oid::TEXT_ARRAY);
        assert_eq!(system_relation("pg_class").unwrap().oid, 1259);
        assert_eq!(type_support_proc(42), Some("int4in"));
        let mut oids: Vec<Oid> = SYSTEM_RELATIONS.iter().map(|r| r.oid).collect();
        oids.sort_unstable();
        oids.dedup();
        assert_eq!(oids.len(), SYSTEM_RELATIONS.len());
    }
}
