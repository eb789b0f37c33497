-- information_schema: the standard's views over the catalog, for tables
-- with keys, foreign keys, CHECK, UNIQUE, defaults, serials, arrays, a
-- view and a sequence. Only this file's objects are compared (PostgreSQL
-- has more schemas and objects); NOT NULL constraints' names hold OIDs,
-- so only their form is compared.
CREATE TABLE is_parent (id serial PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, a int, b int, price numeric(10,2) DEFAULT 0, note text, vc varchar, UNIQUE (a, b));
CREATE TABLE is_child (id bigserial PRIMARY KEY, parent_id int REFERENCES is_parent (id) ON DELETE CASCADE, pa int, pb int, qty int CHECK (qty > 0), flag boolean DEFAULT true, created timestamp, createdtz timestamptz, d date, f4 real, f8 double precision, c char(3), tags text[], ids int[], u uuid, j jsonb, s smallint, n numeric, i interval, bt bytea, FOREIGN KEY (pb, pa) REFERENCES is_parent (b, a) ON UPDATE SET NULL ON DELETE RESTRICT);
CREATE TABLE is_empty (x int);
CREATE VIEW is_view AS SELECT DISTINCT id, code FROM is_parent WHERE a > 0;
CREATE SEQUENCE is_seq START 5 INCREMENT 2 MINVALUE 1 MAXVALUE 1000 CYCLE;
-- schemata
SELECT catalog_name = current_database(), schema_name, CASE WHEN schema_owner = current_user THEN 'the superuser' ELSE schema_owner END AS owner, default_character_set_name, sql_path FROM information_schema.schemata WHERE schema_name IN ('public', 'pg_catalog', 'information_schema') ORDER BY schema_name;
-- tables
SELECT table_catalog = current_database(), table_schema, table_name, table_type, self_referencing_column_name, reference_generation, user_defined_type_name, is_insertable_into, is_typed, commit_action FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name;
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'pg_catalog' AND table_name IN ('pg_class', 'pg_attribute', 'pg_views', 'pg_roles') ORDER BY table_name;
SELECT count(*) FROM information_schema.tables WHERE table_name = 'nosuch';
-- columns: what ORMs and drivers read
SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length, character_octet_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision, interval_type, interval_precision FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name, ordinal_position;
SELECT table_name, column_name, character_set_name, collation_name, domain_name, udt_catalog = current_database(), udt_schema, udt_name, scope_name, maximum_cardinality, dtd_identifier, is_self_referencing FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name, ordinal_position;
SELECT table_name, column_name, is_identity, identity_generation, identity_start, identity_increment, identity_maximum, identity_minimum, identity_cycle, is_generated, generation_expression, is_updatable FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name, ordinal_position;
SELECT c.column_name, c.data_type FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) WHERE t.table_type = 'VIEW' AND t.table_schema = 'public' AND t.table_name = 'is_view' ORDER BY c.ordinal_position;
SELECT column_name FROM information_schema.columns WHERE table_schema = 'pg_catalog' AND table_name = 'pg_namespace' ORDER BY ordinal_position;
-- views
SELECT table_schema, table_name, view_definition IS NOT NULL AS has_definition, check_option, is_updatable, is_insertable_into, is_trigger_updatable, is_trigger_deletable, is_trigger_insertable_into FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name;
-- table_constraints
SELECT constraint_schema, constraint_name, table_schema, table_name, constraint_type, is_deferrable, initially_deferred, enforced, nulls_distinct FROM information_schema.table_constraints WHERE table_schema = 'public' AND table_name LIKE 'is\_%' AND constraint_name NOT LIKE '%\_not\_null' ORDER BY table_name, constraint_name;
SELECT table_name, constraint_type, count(*) FROM information_schema.table_constraints WHERE table_schema = 'public' AND table_name LIKE 'is\_%' AND constraint_name LIKE '2200\_%\_not\_null' GROUP BY table_name, constraint_type ORDER BY table_name;
-- key_column_usage
SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint FROM information_schema.key_column_usage WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name, constraint_name, ordinal_position;
-- referential_constraints
SELECT constraint_schema, constraint_name, unique_constraint_schema, unique_constraint_name, match_option, update_rule, delete_rule FROM information_schema.referential_constraints WHERE constraint_schema = 'public' ORDER BY constraint_name;
-- the foreign key query of drivers: referencing and referenced columns
SELECT kcu.table_name, kcu.column_name, ccu.table_name AS foreign_table, ccu.column_name AS foreign_column FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = 'is_child' ORDER BY 1, 2, 3, 4;
-- constraint_column_usage
SELECT table_name, column_name, constraint_name FROM information_schema.constraint_column_usage WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name, column_name, constraint_name;
-- check_constraints
SELECT constraint_schema, constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_schema = 'public' AND constraint_name LIKE 'is\_%' ORDER BY constraint_name;
SELECT check_clause FROM information_schema.check_constraints WHERE constraint_schema = 'public' AND constraint_name LIKE '2200\_%\_not\_null' ORDER BY check_clause;
-- sequences
SELECT sequence_schema, sequence_name, data_type, numeric_precision, numeric_precision_radix, numeric_scale, start_value, minimum_value, maximum_value, increment, cycle_option FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY sequence_name;
-- routines and parameters of built-in functions
SELECT specific_schema, specific_name, routine_schema, routine_name, routine_type, data_type, type_udt_schema, type_udt_name, dtd_identifier, routine_body, external_language, parameter_style, is_deterministic, sql_data_access, is_null_call, schema_level_routine, max_dynamic_result_sets, security_type, as_locator, created, is_udt_dependent FROM information_schema.routines WHERE routine_schema = 'pg_catalog' AND routine_name IN ('abs', 'now', 'count', 'lower') AND specific_name IN ('abs_1394', 'abs_1397', 'abs_1705', 'now_1299', 'count_2147', 'count_2803', 'lower_870') ORDER BY specific_name;
SELECT specific_name, ordinal_position, parameter_mode, is_result, parameter_name, data_type, udt_schema, udt_name, dtd_identifier, parameter_default FROM information_schema.parameters WHERE specific_schema = 'pg_catalog' AND specific_name IN ('abs_1397', 'count_2803', 'lower_870', 'now_1299', 'split_part_2088', 'round_1707', 'date_trunc_1217') ORDER BY specific_name, ordinal_position;
-- character_sets
SELECT character_set_catalog, character_set_schema, character_set_name, character_repertoire, form_of_use FROM information_schema.character_sets;
-- after DDL the views follow the catalog
DROP VIEW is_view;
DROP TABLE is_child;
SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'is\_%' ORDER BY table_name;
SELECT count(*) FROM information_schema.referential_constraints WHERE constraint_schema = 'public';
SELECT count(*) FROM information_schema.key_column_usage WHERE table_name = 'is_child';
-- every view's columns (names and types) and its pg_class row
SELECT * FROM information_schema.character_sets WHERE false;
SELECT * FROM information_schema.check_constraints WHERE false;
SELECT * FROM information_schema.columns WHERE false;
SELECT * FROM information_schema.constraint_column_usage WHERE false;
SELECT * FROM information_schema.key_column_usage WHERE false;
SELECT * FROM information_schema.parameters WHERE false;
SELECT * FROM information_schema.referential_constraints WHERE false;
SELECT * FROM information_schema.routines WHERE false;
SELECT * FROM information_schema.schemata WHERE false;
SELECT * FROM information_schema.sequences WHERE false;
SELECT * FROM information_schema.table_constraints WHERE false;
SELECT * FROM information_schema.tables WHERE false;
SELECT * FROM information_schema.views WHERE false;
SELECT c.relname, c.relkind, c.relnatts, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'information_schema' AND c.relname IN ('character_sets', 'check_constraints', 'columns', 'constraint_column_usage', 'key_column_usage', 'parameters', 'referential_constraints', 'routines', 'schemata', 'sequences', 'table_constraints', 'tables', 'views') ORDER BY c.relname;
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'information_schema' AND table_name IN ('tables', 'columns', 'schemata') ORDER BY table_name;
-- names: the schema qualifies, unqualified names are not found there
SELECT count(*) > 0 FROM information_schema.schemata s WHERE s.schema_name = 'information_schema';
SELECT * FROM information_schema.nosuch;
SELECT * FROM tables;
SELECT nspname FROM pg_namespace WHERE nspname = 'information_schema';
-- identity columns: their sequence's options
CREATE TABLE is_ident (id int GENERATED ALWAYS AS IDENTITY (START WITH 5 INCREMENT BY 2), b bigint GENERATED BY DEFAULT AS IDENTITY (MINVALUE -10 START WITH -3 CYCLE), c int);
SELECT column_name, is_identity, identity_generation, identity_start, identity_increment, identity_maximum, identity_minimum, identity_cycle, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'is_ident' ORDER BY ordinal_position;
DROP TABLE is_ident;
SELECT count(*) FROM information_schema.columns WHERE table_name = 'is_ident';
