//! The information_schema views (SQL standard, PostgreSQL 15's columns):
//! each is SQL text over the pg_catalog relations, analyzed when a query
//! names `information_schema.X`, as a user view is. They show what the
//! current user owns or holds a privilege on, as PostgreSQL's do.
//!
//! PostgreSQL types these columns with the domains cardinal_number,
//! character_data, sql_identifier, yes_or_no and time_stamp; pgfork has
//! no domains, so the columns have the domains' base types (int4,
//! varchar, name, varchar(3), timestamptz). PostgreSQL reports a domain
//! column's base type to clients, so a client sees the same types.

use crate::types::Oid;

/// The schema's OID in pg_namespace (PostgreSQL 15's after initdb).
pub const INFORMATION_SCHEMA_NAMESPACE: Oid = 13207;

/// One information_schema view: its name, its OID (PostgreSQL 15's after
/// initdb), its number of columns (pg_class.relnatts) and its defining
/// query.
pub struct InfoView {
    pub name: &'static str,
    pub oid: Oid,
    pub natts: usize,
    pub sql: &'static str,
}

/// The view named `name`, if information_schema has it.
pub fn lookup(name: &str) -> Option<&'static InfoView> {
    VIEWS.iter().find(|v| v.name == name)
}

/// The views, by name.
pub static VIEWS: &[InfoView] = &[
    InfoView {
        name: "character_sets",
        oid: 13250,
        natts: 8,
        sql: CHARACTER_SETS,
    },
    InfoView {
        name: "check_constraints",
        oid: 13260,
        natts: 4,
        sql: CHECK_CONSTRAINTS,
    },
    InfoView {
        name: "columns",
        oid: 13295,
        natts: 44,
        sql: COLUMNS,
    },
    InfoView {
        name: "constraint_column_usage",
        oid: 13300,
        natts: 7,
        sql: CONSTRAINT_COLUMN_USAGE,
    },
    InfoView {
        name: "key_column_usage",
        oid: 13329,
        natts: 9,
        sql: KEY_COLUMN_USAGE,
    },
    InfoView {
        name: "parameters",
        oid: 13334,
        natts: 32,
        sql: PARAMETERS,
    },
    InfoView {
        name: "referential_constraints",
        oid: 13339,
        natts: 9,
        sql: REFERENTIAL_CONSTRAINTS,
    },
    InfoView {
        name: "routines",
        oid: 13377,
        natts: 82,
        sql: ROUTINES,
    },
    InfoView {
        name: "schemata",
        oid: 13382,
        natts: 7,
        sql: SCHEMATA,
    },
    InfoView {
        name: "sequences",
        oid: 13386,
        natts: 12,
        sql: SEQUENCES,
    },
    InfoView {
        name: "table_constraints",
        oid: 13411,
        natts: 11,
        sql: TABLE_CONSTRAINTS,
    },
    InfoView {
        name: "tables",
        oid: 13425,
        natts: 12,
        sql: TABLES,
    },
    InfoView {
        name: "views",
        oid: 13483,
        natts: 10,
        sql: VIEWS_VIEW,
    },
];

/// The database's character set (pgfork's databases are UTF8), with the
/// collation matching the database's LC_COLLATE and LC_CTYPE, if any.
const CHARACTER_SETS: &str = "
SELECT NULL::name AS character_set_catalog,
       NULL::name AS character_set_schema,
       pg_encoding_to_char(d.encoding)::name AS character_set_name,
       (CASE WHEN pg_encoding_to_char(d.encoding) = 'UTF8' THEN 'UCS'
             ELSE pg_encoding_to_char(d.encoding) END)::name AS character_repertoire,
       pg_encoding_to_char(d.encoding)::name AS form_of_use,
       current_database()::name AS default_collate_catalog,
       cn.nspname AS default_collate_schema,
       co.collname AS default_collate_name
FROM pg_catalog.pg_database d
     LEFT JOIN (pg_catalog.pg_collation co
                JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace)
       ON co.collcollate = d.datcollate AND co.collctype = d.datctype
          AND co.collencoding IN (-1, d.encoding)
WHERE d.datname = current_database()";

/// CHECK constraints of tables the user owns, and each NOT NULL column
/// as the CHECK constraint the standard sees in it.
const CHECK_CONSTRAINTS: &str = "
SELECT current_database()::name AS constraint_catalog,
       n.nspname AS constraint_schema,
       k.conname AS constraint_name,
       substr(pg_get_constraintdef(k.oid), 7)::varchar AS check_clause
FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace
     JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
WHERE k.contype = 'c' AND pg_has_role(c.relowner, 'USAGE')
UNION ALL
SELECT current_database()::name,
       n.nspname,
       (n.oid::text || '_' || c.oid::text || '_' || a.attnum::text || '_not_null')::name,
       (a.attname::text || ' IS NOT NULL')::varchar
FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped
      AND c.relkind IN ('r', 'p') AND pg_has_role(c.relowner, 'USAGE')";

/// The columns of tables and views the user may use; an identity
/// column's sequence options come from its sequence's pg_sequence row.
/// pgfork has no domains and no generated columns: those columns follow
/// pg_attribute (attgenerated) and stay NULL where they would need a
/// domain's attributes. A
/// character column's octet length counts 4 bytes a character: pgfork's
/// databases are UTF8 (PostgreSQL's pg_encoding_max_length of it).
const COLUMNS: &str = "
SELECT current_database()::name AS table_catalog,
       n.nspname AS table_schema,
       c.relname AS table_name,
       a.attname AS column_name,
       a.attnum::int4 AS ordinal_position,
       (CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END)::varchar
         AS column_default,
       (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END)::varchar(3) AS is_nullable,
       (CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
             WHEN t.typnamespace = 11 THEN format_type(a.atttypid, NULL)
             ELSE 'USER-DEFINED' END)::varchar AS data_type,
       (CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4
             WHEN a.atttypid IN (1560, 1562) AND a.atttypmod >= 0 THEN a.atttypmod
        END)::int4 AS character_maximum_length,
       (CASE WHEN a.atttypid IN (25, 1042, 1043) THEN
               CASE WHEN a.atttypmod < 4 THEN 1073741824
                    ELSE (a.atttypmod - 4) * 4 END
        END)::int4 AS character_octet_length,
       (CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64
             WHEN 700 THEN 24 WHEN 701 THEN 53
             WHEN 1700 THEN CASE WHEN a.atttypmod >= 4 THEN (a.atttypmod - 4) / 65536 END
        END)::int4 AS numeric_precision,
       (CASE WHEN a.atttypid IN (21, 23, 20, 700, 701) THEN 2
             WHEN a.atttypid = 1700 THEN 10 END)::int4 AS numeric_precision_radix,
       (CASE WHEN a.atttypid IN (21, 23, 20) THEN 0
             WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) % 65536
        END)::int4 AS numeric_scale,
       (CASE WHEN a.atttypid = 1082 THEN 0
             WHEN a.atttypid IN (1083, 1114, 1184, 1266) THEN
               CASE WHEN a.atttypmod < 0 THEN 6 ELSE a.atttypmod END
             WHEN a.atttypid = 1186 THEN
               CASE WHEN a.atttypmod < 0 OR a.atttypmod % 65536 = 65535 THEN 6
                    ELSE a.atttypmod % 65536 END
        END)::int4 AS datetime_precision,
       (CASE WHEN a.atttypid = 1186 AND a.atttypmod >= 0 THEN
               CASE a.atttypmod / 65536
                 WHEN 4 THEN 'YEAR' WHEN 2 THEN 'MONTH' WHEN 8 THEN 'DAY'
                 WHEN 1024 THEN 'HOUR' WHEN 2048 THEN 'MINUTE' WHEN 4096 THEN 'SECOND'
                 WHEN 6 THEN 'YEAR TO MONTH' WHEN 1032 THEN 'DAY TO HOUR'
                 WHEN 3080 THEN 'DAY TO MINUTE' WHEN 7176 THEN 'DAY TO SECOND'
                 WHEN 3072 THEN 'HOUR TO MINUTE' WHEN 7168 THEN 'HOUR TO SECOND'
                 WHEN 6144 THEN 'MINUTE TO SECOND' END
        END)::varchar AS interval_type,
       NULL::int4 AS interval_precision,
       NULL::name AS character_set_catalog,
       NULL::name AS character_set_schema,
       NULL::name AS character_set_name,
       (CASE WHEN co.oid IS NOT NULL AND a.attcollation <> 100 THEN current_database() END)::name
         AS collation_catalog,
       (CASE WHEN co.oid IS NOT NULL AND a.attcollation <> 100 THEN cn.nspname END)::name
         AS collation_schema,
       (CASE WHEN co.oid IS NOT NULL AND a.attcollation <> 100 THEN co.collname END)::name
         AS collation_name,
       NULL::name AS domain_catalog,
       NULL::name AS domain_schema,
       NULL::name AS domain_name,
       current_database()::name AS udt_catalog,
       tn.nspname AS udt_schema,
       t.typname AS udt_name,
       NULL::name AS scope_catalog,
       NULL::name AS scope_schema,
       NULL::name AS scope_name,
       NULL::int4 AS maximum_cardinality,
       a.attnum::text::name AS dtd_identifier,
       'NO'::varchar(3) AS is_self_referencing,
       (CASE WHEN a.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END)::varchar(3)
         AS is_identity,
       (CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END)::varchar
         AS identity_generation,
       sq.seqstart::varchar AS identity_start,
       sq.seqincrement::varchar AS identity_increment,
       sq.seqmax::varchar AS identity_maximum,
       sq.seqmin::varchar AS identity_minimum,
       (CASE WHEN sq.seqcycle THEN 'YES' ELSE 'NO' END)::varchar(3) AS identity_cycle,
       (CASE WHEN a.attgenerated <> '' THEN 'ALWAYS' ELSE 'NEVER' END)::varchar AS is_generated,
       (CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END)::varchar
         AS generation_expression,
       (CASE WHEN c.relkind IN ('r', 'p') OR c.relkind IN ('v', 'f')
                  AND pg_column_is_updatable(c.oid, a.attnum, false)
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_updatable
FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     LEFT JOIN pg_catalog.pg_sequence sq
       ON a.attidentity IN ('a', 'd')
          AND sq.seqrelid = pg_get_serial_sequence(
                quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)::regclass
     LEFT JOIN (pg_catalog.pg_collation co
                JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace)
       ON co.oid = a.attcollation
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'f', 'p')
      AND (pg_has_role(c.relowner, 'USAGE')
           OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))";

/// The columns each constraint uses: a CHECK's, a key's own columns,
/// and the referenced columns of a foreign key.
const CONSTRAINT_COLUMN_USAGE: &str = "
SELECT current_database()::name AS table_catalog,
       tn.nspname AS table_schema,
       r.relname AS table_name,
       a.attname AS column_name,
       current_database()::name AS constraint_catalog,
       kn.nspname AS constraint_schema,
       k.conname AS constraint_name
FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_namespace kn ON kn.oid = k.connamespace
     JOIN pg_catalog.pg_class r
       ON r.oid = CASE WHEN k.contype = 'f' THEN k.confrelid ELSE k.conrelid END
     JOIN pg_catalog.pg_namespace tn ON tn.oid = r.relnamespace
     JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
WHERE k.contype IN ('c', 'p', 'u', 'f') AND r.relkind IN ('r', 'p')
      AND a.attnum = ANY (CASE WHEN k.contype = 'f' THEN k.confkey ELSE k.conkey END)
      AND NOT a.attisdropped AND pg_has_role(r.relowner, 'USAGE')";

/// The columns of primary keys, unique constraints and foreign keys, in
/// key order; a foreign key column's position in the referenced key.
const KEY_COLUMN_USAGE: &str = "
SELECT current_database()::name AS constraint_catalog,
       kn.nspname AS constraint_schema,
       k.conname AS constraint_name,
       current_database()::name AS table_catalog,
       tn.nspname AS table_schema,
       r.relname AS table_name,
       a.attname AS column_name,
       p.ord::int4 AS ordinal_position,
       (CASE WHEN k.contype = 'f' THEN
               array_position(u.conkey, k.confkey[p.ord::int4]) END)::int4
         AS position_in_unique_constraint
FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_namespace kn ON kn.oid = k.connamespace
     JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
     JOIN pg_catalog.pg_namespace tn ON tn.oid = r.relnamespace
     CROSS JOIN unnest(k.conkey) WITH ORDINALITY AS p(attnum, ord)
     JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = p.attnum
     LEFT JOIN pg_catalog.pg_constraint u
       ON k.contype = 'f' AND u.conrelid = k.confrelid AND u.conindid = k.conindid
          AND u.contype IN ('p', 'u')
WHERE k.contype IN ('p', 'u', 'f') AND r.relkind IN ('r', 'p')
      AND (pg_has_role(r.relowner, 'USAGE')
           OR has_column_privilege(r.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))";

/// Foreign keys with the key they reference and their actions.
const REFERENTIAL_CONSTRAINTS: &str = "
SELECT current_database()::name AS constraint_catalog,
       kn.nspname AS constraint_schema,
       k.conname AS constraint_name,
       (CASE WHEN un.nspname IS NOT NULL THEN current_database() END)::name
         AS unique_constraint_catalog,
       un.nspname AS unique_constraint_schema,
       u.conname AS unique_constraint_name,
       (CASE k.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL'
             WHEN 's' THEN 'NONE' END)::varchar AS match_option,
       (CASE k.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
             WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT'
             WHEN 'a' THEN 'NO ACTION' END)::varchar AS update_rule,
       (CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
             WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT'
             WHEN 'a' THEN 'NO ACTION' END)::varchar AS delete_rule
FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_namespace kn ON kn.oid = k.connamespace
     JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
     LEFT JOIN (pg_catalog.pg_constraint u
                JOIN pg_catalog.pg_namespace un ON un.oid = u.connamespace)
       ON u.conrelid = k.confrelid AND u.conindid = k.conindid AND u.contype IN ('p', 'u')
WHERE k.contype = 'f'
      AND (pg_has_role(r.relowner, 'USAGE')
           OR has_table_privilege(r.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(r.oid, 'INSERT, UPDATE, REFERENCES'))";

/// The schemas the user owns (or is a member of the owner of).
const SCHEMATA: &str = "
SELECT current_database()::name AS catalog_name,
       n.nspname AS schema_name,
       pg_get_userbyid(n.nspowner)::name AS schema_owner,
       NULL::name AS default_character_set_catalog,
       NULL::name AS default_character_set_schema,
       NULL::name AS default_character_set_name,
       NULL::varchar AS sql_path
FROM pg_catalog.pg_namespace n
WHERE pg_has_role(n.nspowner, 'USAGE')";

/// Sequences the user may use, with their parameters as text.
const SEQUENCES: &str = "
SELECT current_database()::name AS sequence_catalog,
       n.nspname AS sequence_schema,
       c.relname AS sequence_name,
       format_type(s.seqtypid, NULL)::varchar AS data_type,
       (CASE s.seqtypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 END)::int4
         AS numeric_precision,
       2::int4 AS numeric_precision_radix,
       0::int4 AS numeric_scale,
       s.seqstart::text::varchar AS start_value,
       s.seqmin::text::varchar AS minimum_value,
       s.seqmax::text::varchar AS maximum_value,
       s.seqincrement::text::varchar AS increment,
       (CASE WHEN s.seqcycle THEN 'YES' ELSE 'NO' END)::varchar(3) AS cycle_option
FROM pg_catalog.pg_sequence s
     JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S'
      AND (pg_has_role(c.relowner, 'USAGE')
           OR has_sequence_privilege(c.oid, 'SELECT, UPDATE, USAGE'))";

/// Primary keys, unique, foreign key and CHECK constraints of tables,
/// and each NOT NULL column as a CHECK constraint.
const TABLE_CONSTRAINTS: &str = "
SELECT current_database()::name AS constraint_catalog,
       kn.nspname AS constraint_schema,
       k.conname AS constraint_name,
       current_database()::name AS table_catalog,
       tn.nspname AS table_schema,
       r.relname AS table_name,
       (CASE k.contype WHEN 'c' THEN 'CHECK' WHEN 'f' THEN 'FOREIGN KEY'
             WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' END)::varchar
         AS constraint_type,
       (CASE WHEN k.condeferrable THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_deferrable,
       (CASE WHEN k.condeferred THEN 'YES' ELSE 'NO' END)::varchar(3) AS initially_deferred,
       'YES'::varchar(3) AS enforced,
       (CASE WHEN k.contype = 'u' THEN
               CASE WHEN i.indnullsnotdistinct THEN 'NO' ELSE 'YES' END
        END)::varchar(3) AS nulls_distinct
FROM pg_catalog.pg_constraint k
     JOIN pg_catalog.pg_namespace kn ON kn.oid = k.connamespace
     JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
     JOIN pg_catalog.pg_namespace tn ON tn.oid = r.relnamespace
     LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = k.conindid
WHERE k.contype IN ('c', 'f', 'p', 'u') AND r.relkind IN ('r', 'p')
      AND (pg_has_role(r.relowner, 'USAGE')
           OR has_table_privilege(r.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(r.oid, 'INSERT, UPDATE, REFERENCES'))
UNION ALL
SELECT current_database()::name,
       n.nspname,
       (n.oid::text || '_' || r.oid::text || '_' || a.attnum::text || '_not_null')::name,
       current_database()::name,
       n.nspname,
       r.relname,
       'CHECK'::varchar,
       'NO'::varchar(3),
       'NO'::varchar(3),
       'YES'::varchar(3),
       NULL::varchar(3)
FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_class r ON r.oid = a.attrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p')
      AND (pg_has_role(r.relowner, 'USAGE')
           OR has_table_privilege(r.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(r.oid, 'INSERT, UPDATE, REFERENCES'))";

/// Tables and views the user may use. A view is insertable into when
/// pgfork can insert into it: it cannot (views are read-only in pgfork).
const TABLES: &str = "
SELECT current_database()::name AS table_catalog,
       n.nspname AS table_schema,
       c.relname AS table_name,
       (CASE WHEN c.relpersistence = 't' THEN 'LOCAL TEMPORARY'
             WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE'
             WHEN c.relkind = 'v' THEN 'VIEW'
             WHEN c.relkind = 'f' THEN 'FOREIGN' END)::varchar AS table_type,
       NULL::name AS self_referencing_column_name,
       NULL::varchar AS reference_generation,
       (CASE WHEN c.reloftype <> 0 THEN current_database() END)::name
         AS user_defined_type_catalog,
       ut.nspname AS user_defined_type_schema,
       u.typname AS user_defined_type_name,
       (CASE WHEN c.relkind IN ('r', 'p') OR c.relkind IN ('v', 'f')
                  AND (pg_relation_is_updatable(c.oid, false) & 8) = 8
             THEN 'YES' ELSE 'NO' END)::varchar(3)
         AS is_insertable_into,
       (CASE WHEN c.reloftype <> 0 THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_typed,
       (CASE WHEN c.relpersistence = 't' THEN 'PRESERVE' END)::varchar AS commit_action
FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN (pg_catalog.pg_type u
                JOIN pg_catalog.pg_namespace ut ON ut.oid = u.typnamespace)
       ON u.oid = c.reloftype
WHERE c.relkind IN ('r', 'v', 'f', 'p')
      AND (pg_has_role(c.relowner, 'USAGE')
           OR has_table_privilege(c.oid,
                'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))";

/// Views with their definitions (shown to their owners) and whether
/// INSTEAD OF triggers make them updatable (tgtype: ROW 1, INSERT 4,
/// DELETE 8, UPDATE 16, INSTEAD 64).
const VIEWS_VIEW: &str = "
SELECT current_database()::name AS table_catalog,
       n.nspname AS table_schema,
       c.relname AS table_name,
       (CASE WHEN pg_has_role(c.relowner, 'USAGE') THEN pg_get_viewdef(c.oid) END)::varchar
         AS view_definition,
       (CASE WHEN 'check_option=cascaded' = ANY (c.reloptions) THEN 'CASCADED'
             WHEN 'check_option=local' = ANY (c.reloptions) THEN 'LOCAL'
             ELSE 'NONE' END)::varchar AS check_option,
       (CASE WHEN (pg_relation_is_updatable(c.oid, false) & 20) = 20
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_updatable,
       (CASE WHEN (pg_relation_is_updatable(c.oid, false) & 8) = 8
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_insertable_into,
       (CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                          WHERE g.tgrelid = c.oid AND g.tgtype % 2 = 1
                                AND g.tgtype / 64 % 2 = 1 AND g.tgtype / 16 % 2 = 1)
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_trigger_updatable,
       (CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                          WHERE g.tgrelid = c.oid AND g.tgtype % 2 = 1
                                AND g.tgtype / 64 % 2 = 1 AND g.tgtype / 8 % 2 = 1)
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_trigger_deletable,
       (CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                          WHERE g.tgrelid = c.oid AND g.tgtype % 2 = 1
                                AND g.tgtype / 64 % 2 = 1 AND g.tgtype / 4 % 2 = 1)
             THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_trigger_insertable_into
FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v'
      AND (pg_has_role(c.relowner, 'USAGE')
           OR has_table_privilege(c.oid,
                'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))";

/// The standard's name of a type (`t`, a pg_type row): arrays as ARRAY,
/// built-in types as format_type names them, others as USER-DEFINED.
macro_rules! data_type {
    ($t:literal) => {
        concat!(
            "(CASE WHEN ",
            $t,
            ".typelem <> 0 AND ",
            $t,
            ".typlen = -1 THEN 'ARRAY' ",
            "WHEN ",
            $t,
            ".typnamespace = 11 THEN format_type(",
            $t,
            ".oid, NULL) ",
            "ELSE 'USER-DEFINED' END)::varchar"
        )
    };
}

/// Functions and procedures the user may execute (the built-in ones
/// too), with their result types; aggregates and window functions have
/// no routine_type. The standard's per-type details (lengths,
/// precisions) are unknown for a function's result, hence NULL.
const ROUTINES: &str = concat!(
    "
SELECT current_database()::name AS specific_catalog,
       n.nspname AS specific_schema,
       (p.proname::text || '_' || p.oid::text)::name AS specific_name,
       current_database()::name AS routine_catalog,
       n.nspname AS routine_schema,
       p.proname AS routine_name,
       (CASE p.prokind WHEN 'f' THEN 'FUNCTION' WHEN 'p' THEN 'PROCEDURE' END)::varchar
         AS routine_type,
       NULL::name AS module_catalog,
       NULL::name AS module_schema,
       NULL::name AS module_name,
       NULL::name AS udt_catalog,
       NULL::name AS udt_schema,
       NULL::name AS udt_name,
       (CASE WHEN p.prokind = 'p' THEN NULL ELSE ",
    data_type!("t"),
    " END)::varchar AS data_type,
       NULL::int4 AS character_maximum_length,
       NULL::int4 AS character_octet_length,
       NULL::name AS character_set_catalog,
       NULL::name AS character_set_schema,
       NULL::name AS character_set_name,
       NULL::name AS collation_catalog,
       NULL::name AS collation_schema,
       NULL::name AS collation_name,
       NULL::int4 AS numeric_precision,
       NULL::int4 AS numeric_precision_radix,
       NULL::int4 AS numeric_scale,
       NULL::int4 AS datetime_precision,
       NULL::varchar AS interval_type,
       NULL::int4 AS interval_precision,
       (CASE WHEN t.oid IS NOT NULL THEN current_database() END)::name AS type_udt_catalog,
       tn.nspname AS type_udt_schema,
       t.typname AS type_udt_name,
       NULL::name AS scope_catalog,
       NULL::name AS scope_schema,
       NULL::name AS scope_name,
       NULL::int4 AS maximum_cardinality,
       (CASE WHEN p.prokind <> 'p' THEN '0' END)::name AS dtd_identifier,
       (CASE WHEN l.lanname = 'sql' THEN 'SQL' ELSE 'EXTERNAL' END)::varchar AS routine_body,
       (CASE WHEN pg_has_role(p.proowner, 'USAGE') THEN p.prosrc END)::varchar
         AS routine_definition,
       (CASE WHEN l.lanname = 'c' THEN p.prosrc END)::varchar AS external_name,
       upper(l.lanname)::varchar AS external_language,
       'GENERAL'::varchar AS parameter_style,
       (CASE WHEN p.provolatile = 'i' THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_deterministic,
       'MODIFIES'::varchar AS sql_data_access,
       (CASE WHEN p.prokind <> 'p' THEN
               CASE WHEN p.proisstrict THEN 'YES' ELSE 'NO' END END)::varchar(3) AS is_null_call,
       NULL::varchar AS sql_path,
       'YES'::varchar(3) AS schema_level_routine,
       0::int4 AS max_dynamic_result_sets,
       NULL::varchar(3) AS is_user_defined_cast,
       NULL::varchar(3) AS is_implicitly_invocable,
       (CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'INVOKER' END)::varchar AS security_type,
       NULL::name AS to_sql_specific_catalog,
       NULL::name AS to_sql_specific_schema,
       NULL::name AS to_sql_specific_name,
       'NO'::varchar(3) AS as_locator,
       NULL::timestamptz AS created,
       NULL::timestamptz AS last_altered,
       NULL::varchar(3) AS new_savepoint_level,
       'NO'::varchar(3) AS is_udt_dependent,
       NULL::varchar AS result_cast_from_data_type,
       NULL::varchar(3) AS result_cast_as_locator,
       NULL::int4 AS result_cast_char_max_length,
       NULL::int4 AS result_cast_char_octet_length,
       NULL::name AS result_cast_char_set_catalog,
       NULL::name AS result_cast_char_set_schema,
       NULL::name AS result_cast_char_set_name,
       NULL::name AS result_cast_collation_catalog,
       NULL::name AS result_cast_collation_schema,
       NULL::name AS result_cast_collation_name,
       NULL::int4 AS result_cast_numeric_precision,
       NULL::int4 AS result_cast_numeric_precision_radix,
       NULL::int4 AS result_cast_numeric_scale,
       NULL::int4 AS result_cast_datetime_precision,
       NULL::varchar AS result_cast_interval_type,
       NULL::int4 AS result_cast_interval_precision,
       NULL::name AS result_cast_type_udt_catalog,
       NULL::name AS result_cast_type_udt_schema,
       NULL::name AS result_cast_type_udt_name,
       NULL::name AS result_cast_scope_catalog,
       NULL::name AS result_cast_scope_schema,
       NULL::name AS result_cast_scope_name,
       NULL::int4 AS result_cast_maximum_cardinality,
       NULL::name AS result_cast_dtd_identifier
FROM pg_catalog.pg_proc p
     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     JOIN pg_catalog.pg_language l ON l.oid = p.prolang
     LEFT JOIN (pg_catalog.pg_type t
                JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace)
       ON t.oid = p.prorettype AND p.prokind <> 'p'
WHERE pg_has_role(p.proowner, 'USAGE') OR has_function_privilege(p.oid, 'EXECUTE')"
);

/// Each routine's parameters: its input arguments, or all of them (OUT
/// and TABLE ones too) when it has any that are not IN.
const PARAMETERS: &str = concat!(
    "
SELECT current_database()::name AS specific_catalog,
       n.nspname AS specific_schema,
       (p.proname::text || '_' || p.oid::text)::name AS specific_name,
       a.ord::int4 AS ordinal_position,
       (CASE p.proargmodes[a.ord::int4] WHEN 'o' THEN 'OUT' WHEN 'b' THEN 'INOUT'
             WHEN 't' THEN 'OUT' ELSE 'IN' END)::varchar AS parameter_mode,
       'NO'::varchar(3) AS is_result,
       'NO'::varchar(3) AS as_locator,
       NULLIF(p.proargnames[a.ord::int4], '')::name AS parameter_name,
       ",
    data_type!("t"),
    " AS data_type,
       NULL::int4 AS character_maximum_length,
       NULL::int4 AS character_octet_length,
       NULL::name AS character_set_catalog,
       NULL::name AS character_set_schema,
       NULL::name AS character_set_name,
       NULL::name AS collation_catalog,
       NULL::name AS collation_schema,
       NULL::name AS collation_name,
       NULL::int4 AS numeric_precision,
       NULL::int4 AS numeric_precision_radix,
       NULL::int4 AS numeric_scale,
       NULL::int4 AS datetime_precision,
       NULL::varchar AS interval_type,
       NULL::int4 AS interval_precision,
       current_database()::name AS udt_catalog,
       tn.nspname AS udt_schema,
       t.typname AS udt_name,
       NULL::name AS scope_catalog,
       NULL::name AS scope_schema,
       NULL::name AS scope_name,
       NULL::int4 AS maximum_cardinality,
       a.ord::text::name AS dtd_identifier,
       NULL::varchar AS parameter_default
FROM pg_catalog.pg_proc p
     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     CROSS JOIN unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[]))
       WITH ORDINALITY AS a(typid, ord)
     JOIN pg_catalog.pg_type t ON t.oid = a.typid
     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
WHERE pg_has_role(p.proowner, 'USAGE') OR has_function_privilege(p.oid, 'EXECUTE')"
);
