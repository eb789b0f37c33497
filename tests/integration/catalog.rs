//! The pg_catalog that clients read, in every mode: the OID alias types
//! (regclass, regtype, regproc, regprocedure, regnamespace, regrole) in
//! and out, with PostgreSQL's errors and the catalogs' OIDs; the catalog
//! functions psql, drivers and ORMs call; the relations they read
//! (pg_type, pg_proc, pg_database, pg_roles, ...). Then psql's describe
//! commands against pgfork and a throwaway PostgreSQL 15 holding the same
//! schema, compared line by line ([`MATCHING`] must match; [`PENDING`]
//! are reported, waiting for features others are building).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tokio_postgres::types::{to_sql_checked, Format, IsNull, ToSql, Type};
use tokio_postgres::SimpleQueryMessage;

use crate::harness::{sqlstate, unique_port, Mode, TestServer};

in_all_modes!(oid_alias_types, catalog_functions, catalog_relations);

/// The schema both servers get for the comparison (and the other tests).
const SCHEMA: &str = "\
    CREATE TABLE items (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, \
        price numeric(10,2) DEFAULT 0, created timestamptz DEFAULT now(), note text); \
    CREATE INDEX items_price_idx ON items (price); \
    CREATE TABLE tags (tag text PRIMARY KEY, weight int DEFAULT 1, code char(3) NOT NULL);";

/// Constraints for the describe comparison: a parent, a child with a
/// column-level foreign key (ON DELETE CASCADE), a composite table-level
/// one (ON UPDATE SET NULL) and one to itself, and a table with column-
/// and table-level CHECK constraints (named and generated names).
const CONSTRAINT_SCHEMA: &str = "\
    CREATE TABLE parent (id int PRIMARY KEY, a int, b text, UNIQUE (a, b)); \
    CREATE TABLE child (id int PRIMARY KEY, \
        parent_id int REFERENCES parent ON DELETE CASCADE, a int, b text, \
        up int REFERENCES child (id), \
        CONSTRAINT child_ab FOREIGN KEY (a, b) REFERENCES parent (a, b) ON UPDATE SET NULL); \
    CREATE TABLE checked (qty int CHECK (qty > 0), lo int, hi int NOT NULL, \
        note text CONSTRAINT note_len CHECK (length(note) < 20), \
        CHECK (lo < hi AND hi <= 100), CONSTRAINT lo_pos CHECK (lo >= 0));";

/// A table whose shape ALTER TABLE changed: a column added with a
/// default and NOT NULL over an existing row, one dropped, a primary
/// key, a NOT VALID check renamed, a foreign key and a named unique
/// constraint added.
const ALTER_SCHEMA: &str = "\
    CREATE TABLE altered (id int, gone text, price numeric(10,2)); \
    INSERT INTO altered VALUES (1, 'x', 2.5); \
    ALTER TABLE altered ADD COLUMN note text DEFAULT 'none' NOT NULL, DROP COLUMN gone, \
        ADD PRIMARY KEY (id); \
    ALTER TABLE altered ADD CONSTRAINT price_pos CHECK (price > 0) NOT VALID, \
        ADD COLUMN parent_id int REFERENCES parent, ADD CONSTRAINT altered_note_uq UNIQUE (note); \
    ALTER TABLE altered RENAME CONSTRAINT price_pos TO price_positive;";

/// The first column of every row of a simple query, as text (the text
/// format, where alias types are names).
async fn texts(c: &tokio_postgres::Client, sql: &str) -> Vec<Option<String>> {
    c.simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_owned)),
            _ => None,
        })
        .collect()
}

/// The one value a simple query returns.
async fn text(c: &tokio_postgres::Client, sql: &str) -> Option<String> {
    let mut v = texts(c, sql).await;
    assert_eq!(v.len(), 1, "{sql}: {v:?}");
    v.remove(0)
}

async fn sqlstate_of(c: &tokio_postgres::Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(_) => panic!("{sql}: succeeded"),
        Err(e) => sqlstate(&e),
    }
}

/// A regclass parameter as a client may send it: a name in text format,
/// or an OID in binary format.
#[derive(Debug)]
enum RegParam {
    Name(&'static str),
    Oid(u32),
}

impl ToSql for RegParam {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            RegParam::Name(n) => out.extend_from_slice(n.as_bytes()),
            RegParam::Oid(o) => out.extend_from_slice(&o.to_be_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.oid() == 2205
    }

    fn encode_format(&self, _: &Type) -> Format {
        match self {
            RegParam::Name(_) => Format::Text,
            RegParam::Oid(_) => Format::Binary,
        }
    }

    to_sql_checked!();
}

async fn oid_alias_types(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(SCHEMA).await.unwrap();
    let items = text(&c, "SELECT oid FROM pg_class WHERE relname = 'items'")
        .await
        .unwrap();

    // Names in, OIDs out, with the system catalogs' PostgreSQL OIDs.
    for (sql, want) in [
        ("SELECT 'pg_class'::regclass::oid", "1259"),
        (
            "SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::oid",
            "3079",
        ),
        ("SELECT 'pg_type'::regclass::oid", "1247"),
        ("SELECT 'pg_proc'::regclass::oid", "1255"),
        ("SELECT 'pg_namespace'::regclass::oid", "2615"),
        ("SELECT 'pg_attribute'::regclass::oid", "1249"),
        ("SELECT 'pg_database'::regclass::oid", "1262"),
        ("SELECT 'pg_constraint'::regclass::oid", "2606"),
        ("SELECT 'pg_index'::regclass::oid", "2610"),
        ("SELECT 'integer'::regtype::oid", "23"),
        ("SELECT 'character varying(10)'::regtype::oid", "1043"),
        ("SELECT 'pg_catalog.text[]'::regtype::oid", "1009"),
        ("SELECT 'lower'::regproc::oid", "870"),
        ("SELECT 'substr(text, integer)'::regprocedure::oid", "883"),
        ("SELECT 'pg_catalog'::regnamespace::oid", "11"),
        ("SELECT 'public'::regnamespace::oid", "2200"),
        ("SELECT 'tester'::regrole::oid", "10"),
        ("SELECT '-'::regclass::oid", "0"),
    ] {
        assert_eq!(text(&c, sql).await.as_deref(), Some(want), "{sql}");
    }
    assert_eq!(
        text(&c, "SELECT 'public.items'::regclass::oid").await,
        Some(items.clone())
    );
    // OIDs in, names out (text format), the number when unknown.
    let row = c
        .simple_query(&format!(
            "SELECT {items}::regclass, 1259::regclass, 23::regtype, 1043::regtype, \
             1009::regtype, 870::regproc, 883::regprocedure, 11::regnamespace, 10::regrole, \
             99999::regclass, 0::regtype, pg_typeof(1.5), pg_typeof('x'::varchar)"
        ))
        .await
        .unwrap();
    let Some(SimpleQueryMessage::Row(r)) =
        row.iter().find(|m| matches!(m, SimpleQueryMessage::Row(_)))
    else {
        panic!("no row")
    };
    let got: Vec<&str> = (0..r.len()).map(|i| r.get(i).unwrap()).collect();
    assert_eq!(
        got,
        [
            "items",
            "pg_class",
            "integer",
            "character varying",
            "text[]",
            "lower",
            "substr(text,integer)",
            "pg_catalog",
            "tester",
            "99999",
            "-",
            "numeric",
            "character varying"
        ]
    );
    // The RowDescription carries the alias type; binary format the OID.
    let stmt = c.prepare("SELECT 'pg_class'::regclass").await.unwrap();
    assert_eq!(stmt.columns()[0].type_().oid(), 2205);
    let r = c
        .query_one("SELECT 'pg_class'::regclass::oid", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, u32>(0), 1259);
    // Casts to text, concatenation, comparison with oid.
    assert_eq!(
        text(
            &c,
            "SELECT 'items'::regclass::text || '/' || 'int4'::regtype"
        )
        .await
        .as_deref(),
        Some("items/integer")
    );
    assert_eq!(
        text(
            &c,
            "SELECT count(*) FROM pg_class WHERE oid = 'items'::regclass"
        )
        .await
        .as_deref(),
        Some("1")
    );
    assert_eq!(
        text(
            &c,
            "SELECT relname FROM pg_class WHERE oid::regclass::text = 'tags'"
        )
        .await
        .as_deref(),
        Some("tags")
    );
    // A regclass parameter sent by name (text format) or as an OID
    // (binary format).
    let stmt = c.prepare("SELECT $1::regclass::oid").await.unwrap();
    assert_eq!(stmt.params()[0].oid(), 2205);
    let r = c
        .query_one(&stmt, &[&RegParam::Name("pg_type")])
        .await
        .unwrap();
    assert_eq!(r.get::<_, u32>(0), 1247);
    let r = c.query_one(&stmt, &[&RegParam::Oid(1259)]).await.unwrap();
    assert_eq!(r.get::<_, u32>(0), 1259);
    let e = c
        .query_one(&stmt, &[&RegParam::Name("nosuch")])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    let r = c
        .query_one("SELECT nextval($1::text::regclass)", &[&"items_id_seq"])
        .await
        .unwrap();
    assert_eq!(r.get::<_, i64>(0), 1);

    // PostgreSQL's errors.
    for (sql, code) in [
        ("SELECT 'nosuch'::regclass", "42P01"),
        ("SELECT 'pg_catalog.nosuch'::regclass", "42P01"),
        ("SELECT 'nosuch.items'::regclass", "3F000"),
        ("SELECT 'a.b.c.d'::regclass", "42602"),
        ("SELECT 'nosuch'::regtype", "42704"),
        ("SELECT 'nosuch'::regproc", "42883"),
        ("SELECT 'substr'::regproc", "42725"),
        ("SELECT 'lower(integer)'::regprocedure", "42883"),
        ("SELECT 'nosuch'::regnamespace", "3F000"),
        ("SELECT 'nosuch'::regrole", "42704"),
    ] {
        assert_eq!(sqlstate_of(&c, sql).await, code, "{sql}");
    }
    // to_reg*: NULL instead of the error.
    for f in [
        "to_regclass",
        "to_regtype",
        "to_regproc",
        "to_regprocedure",
        "to_regnamespace",
        "to_regrole",
    ] {
        let arg = if f == "to_regprocedure" {
            "nosuch()"
        } else {
            "nosuch"
        };
        assert_eq!(text(&c, &format!("SELECT {f}('{arg}')")).await, None);
    }
    assert_eq!(
        text(&c, "SELECT to_regclass('items')::oid::text").await,
        Some(items)
    );
    assert_eq!(
        text(&c, "SELECT to_regtype('bigint')").await.as_deref(),
        Some("bigint")
    );
}

async fn catalog_functions(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(SCHEMA).await.unwrap();
    c.batch_execute("INSERT INTO items (name) VALUES ('a'), ('b')")
        .await
        .unwrap();
    let one = |sql: &'static str| {
        let c = &c;
        async move { text(c, sql).await }
    };
    let s = |v: &str| Some(v.to_owned());

    // Sizes: the table's one 8 kB page, its indexes' pages.
    assert_eq!(one("SELECT pg_table_size('items')").await, s("8192"));
    assert_eq!(
        one(
            "SELECT pg_indexes_size('items') = pg_relation_size('items_pkey') \
             + pg_relation_size('items_name_key') + pg_relation_size('items_price_idx') \
             AND pg_relation_size('items_pkey') > 0"
        )
        .await,
        s("t")
    );
    assert_eq!(
        one(
            "SELECT pg_total_relation_size('items') = pg_table_size('items') \
             + pg_indexes_size('items')"
        )
        .await,
        s("t")
    );
    assert_eq!(
        one("SELECT pg_relation_size('items', 'main')").await,
        s("8192")
    );
    assert_eq!(one("SELECT pg_relation_size('items', 'fsm')").await, s("0"));
    assert_eq!(
        one("SELECT pg_size_pretty(pg_table_size('items'))").await,
        s("8192 bytes")
    );
    assert_eq!(
        one("SELECT pg_size_pretty(123456789::bigint)").await,
        s("118 MB")
    );
    assert_eq!(
        one("SELECT pg_size_pretty(10239::numeric)").await,
        s("10239 bytes")
    );
    assert_eq!(one("SELECT pg_table_size(99999)").await, None);

    // Names, definitions, visibility.
    assert_eq!(
        one("SELECT format_type('varchar'::regtype, 44)").await,
        s("character varying(40)")
    );
    assert_eq!(
        one("SELECT format_type(1042, NULL) || '/' || format_type(1042, -1)").await,
        s("character/bpchar")
    );
    assert_eq!(one("SELECT format_type(1009, NULL)").await, s("text[]"));
    assert_eq!(one("SELECT format_type(9999, NULL)").await, s("???"));
    assert_eq!(one("SELECT format_type(NULL, 1)").await, None);
    assert_eq!(
        one("SELECT pg_get_serial_sequence('items', 'id')").await,
        s("public.items_id_seq")
    );
    assert_eq!(
        one("SELECT pg_get_serial_sequence('items', 'name')").await,
        None
    );
    assert_eq!(
        sqlstate_of(&c, "SELECT pg_get_serial_sequence('items', 'nosuch')").await,
        "42703"
    );
    assert_eq!(
        sqlstate_of(&c, "SELECT pg_get_serial_sequence('nosuch', 'id')").await,
        "42P01"
    );
    assert_eq!(
        one("SELECT pg_get_indexdef('items_pkey'::regclass)").await,
        s("CREATE UNIQUE INDEX items_pkey ON public.items USING btree (id)")
    );
    assert_eq!(
        one("SELECT pg_get_indexdef('items_pkey'::regclass, 0, true)").await,
        s("CREATE UNIQUE INDEX items_pkey ON items USING btree (id)")
    );
    assert_eq!(
        one("SELECT pg_get_indexdef('items_pkey'::regclass, 1, true)").await,
        s("id")
    );
    assert_eq!(
        one("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'items_name_key'")
            .await,
        s("UNIQUE (name)")
    );
    assert_eq!(
        one("SELECT pg_get_function_arguments('substr(text,integer)'::regprocedure)").await,
        s("text, integer")
    );
    assert_eq!(
        one("SELECT pg_get_function_result('now'::regproc)").await,
        s("timestamp with time zone")
    );
    assert_eq!(
        one("SELECT pg_get_function_identity_arguments('lower'::regproc)").await,
        s("text")
    );
    assert_eq!(
        one(
            "SELECT pg_table_is_visible('items'::regclass) AND pg_table_is_visible(1259) \
             AND pg_type_is_visible(23) AND pg_function_is_visible('lower'::regproc) \
             AND NOT pg_type_is_visible(99999)"
        )
        .await,
        s("t")
    );
    assert_eq!(one("SELECT pg_get_userbyid(10)").await, s("tester"));
    assert_eq!(
        one("SELECT pg_get_userbyid(99999)").await,
        s("unknown (OID=99999)")
    );
    // No comments yet.
    assert_eq!(
        one(
            "SELECT coalesce(obj_description('items'::regclass, 'pg_class'), \
             obj_description('items'::regclass), col_description('items'::regclass, 1), \
             shobj_description(10, 'pg_authid'), 'none')"
        )
        .await,
        s("none")
    );

    // Encodings, server state.
    assert_eq!(
        one("SELECT pg_encoding_to_char(6) || pg_char_to_encoding('utf8') || pg_encoding_to_char(999)")
            .await,
        s("UTF86")
    );
    assert_eq!(one("SELECT pg_char_to_encoding('nope')").await, s("-1"));
    assert_eq!(one("SELECT pg_is_in_recovery()").await, s("f"));
    assert_eq!(
        one("SELECT pg_postmaster_start_time() <= now() AND pg_conf_load_time() <= now()").await,
        s("t")
    );
    assert_eq!(one("SELECT inet_server_addr()").await, None);
    assert_eq!(one("SELECT inet_server_port()").await, None);
    assert_eq!(
        one("SELECT pg_backend_pid() > 0 AND current_setting('server_encoding') = 'UTF8'").await,
        s("t")
    );

    // Quoting.
    assert_eq!(
        one("SELECT quote_ident('Foo') || quote_ident('foo') || quote_ident('select')").await,
        s("\"Foo\"foo\"select\"")
    );
    assert_eq!(
        one("SELECT quote_literal(E'it''s\\\\x')").await,
        s("E'it''s\\\\x'")
    );
    assert_eq!(one("SELECT quote_nullable(NULL)").await, s("NULL"));
    assert_eq!(one("SELECT quote_nullable('a')").await, s("'a'"));

    // Privileges: every session is a superuser; objects and privilege
    // names are still checked.
    assert_eq!(
        one("SELECT has_table_privilege('items', 'SELECT') \
             AND has_table_privilege('items'::regclass, 'INSERT, UPDATE') \
             AND has_table_privilege('tester', 'items', 'delete') \
             AND has_schema_privilege('public', 'USAGE') \
             AND has_schema_privilege('tester', 'public', 'CREATE') \
             AND has_database_privilege(current_database(), 'CONNECT') \
             AND has_column_privilege('items', 'name', 'SELECT') \
             AND has_function_privilege('lower(text)', 'EXECUTE') \
             AND has_sequence_privilege('items_id_seq', 'USAGE') \
             AND pg_has_role('tester', 'MEMBER')")
        .await,
        s("t")
    );
    assert_eq!(
        sqlstate_of(&c, "SELECT has_table_privilege('nosuch', 'SELECT')").await,
        "42P01"
    );
    assert_eq!(
        sqlstate_of(&c, "SELECT has_table_privilege('items', 'fly')").await,
        "22023"
    );
    assert_eq!(
        sqlstate_of(
            &c,
            "SELECT has_table_privilege('nobody', 'items', 'SELECT')"
        )
        .await,
        "42704"
    );
    assert_eq!(
        one("SELECT pg_relation_is_publishable('items')").await,
        s("t")
    );
    assert_eq!(one("SELECT pg_get_statisticsobjdef_columns(1)").await, None);
}

async fn catalog_relations(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(SCHEMA).await.unwrap();
    c.batch_execute("CREATE TABLE big (id bigserial, v int) WITH (fillfactor = 70)")
        .await
        .unwrap();
    let one = |sql: &'static str| {
        let c = &c;
        async move { text(c, sql).await }
    };
    let s = |v: &str| Some(v.to_owned());

    // pg_type: PostgreSQL's rows, arrays linked to their elements.
    assert_eq!(
        one(
            "SELECT typname || ' ' || typlen || ' ' || typbyval || ' ' || typcategory \
             || ' ' || typinput || ' ' || typoutput || ' ' || typalign || typstorage \
             FROM pg_type WHERE oid = 23"
        )
        .await,
        s("int4 4 true N int4in int4out ip")
    );
    assert_eq!(
        one("SELECT t.typname || ' ' || e.typname FROM pg_type t \
             JOIN pg_type e ON e.oid = t.typelem AND e.typarray = t.oid \
             WHERE t.oid = 1009")
        .await,
        s("_text text")
    );
    assert_eq!(
        one("SELECT typcollation FROM pg_type WHERE typname = 'varchar'").await,
        s("100")
    );
    assert_eq!(
        one("SELECT count(*) FROM pg_type WHERE typname IN \
             ('regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole')")
        .await,
        s("6")
    );
    // pg_proc: every built-in function with PostgreSQL's OIDs.
    assert_eq!(
        one(
            "SELECT oid || ' ' || prokind::text || ' ' || provolatile::text || ' ' \
             || prorettype || ' ' || proargtypes::text FROM pg_proc WHERE proname = 'lower'"
        )
        .await,
        s("870 f i 25 25")
    );
    assert_eq!(
        one("SELECT count(*) FROM pg_proc WHERE proname = 'count' AND prokind = 'a'").await,
        s("2")
    );
    assert_eq!(
        one("SELECT count(*) FROM pg_proc WHERE proname = 'pg_table_size'").await,
        s("1")
    );
    // pg_class, pg_attribute, pg_index, pg_constraint: PostgreSQL 15's
    // columns.
    assert_eq!(
        one(
            "SELECT relkind || relpersistence || relreplident || relnatts || relhasindex \
             || coalesce(relacl::text, '-') || reltoastrelid || relam \
             FROM pg_class WHERE relname = 'items'"
        )
        .await,
        s("rpd5true-02")
    );
    assert_eq!(
        one("SELECT reloptions::text FROM pg_class WHERE relname = 'big'").await,
        s("{fillfactor=70}")
    );
    assert_eq!(
        one("SELECT relnamespace || relkind FROM pg_class WHERE oid = 'pg_class'::regclass").await,
        s("11r")
    );
    assert_eq!(
        one(
            "SELECT string_agg(attname || ':' || attstorage || ':' || atthasdef \
             || ':' || attcollation, ',') \
             FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0"
        )
        .await,
        s("id:p:true:0,name:x:false:100,price:m:true:0,created:p:true:0,note:x:false:100")
    );
    assert_eq!(
        one("SELECT count(*) FROM pg_attribute WHERE attrelid = 'pg_class'::regclass AND attnum > 0")
            .await,
        s("33")
    );
    assert_eq!(
        one(
            "SELECT indkey::text || '/' || indclass::text || '/' || indcollation::text \
             || '/' || indkey[0] || '/' || pg_typeof(indkey) || '/' || pg_typeof(indclass) \
             FROM pg_index WHERE indexrelid = 'items_name_key'::regclass"
        )
        .await,
        s("2/3126/100/2/int2vector/oidvector")
    );
    assert_eq!(
        one("SELECT contype || conkey::text FROM pg_constraint WHERE conname = 'items_pkey'").await,
        s("p{1}")
    );
    // pg_database: the database this session is connected to.
    assert_eq!(
        one(
            "SELECT datname || ' ' || pg_encoding_to_char(encoding) || ' ' || datcollate \
             || ' ' || datallowconn || ' ' || pg_get_userbyid(datdba) FROM pg_database \
             WHERE datname = current_database()"
        )
        .await,
        s("testdb UTF8 C true tester")
    );
    // Roles: the session's user is the bootstrap superuser;
    // pg_database_owner owns public (among PostgreSQL's 12 predefined
    // roles, pg_monitor a member of three).
    assert_eq!(
        texts(
            &c,
            "SELECT rolname || ':' || rolsuper || ':' || rolcanlogin FROM pg_roles \
             WHERE rolname !~ '^pg_' OR rolname = 'pg_database_owner' ORDER BY oid"
        )
        .await,
        [s("tester:true:true"), s("pg_database_owner:false:false")]
    );
    assert_eq!(one("SELECT count(*) FROM pg_authid").await, s("13"));
    assert_eq!(
        one("SELECT usename || usesysid || usesuper FROM pg_user").await,
        s("tester10true")
    );
    assert_eq!(one("SELECT count(*) FROM pg_auth_members").await, s("3"));
    assert_eq!(
        one("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'").await,
        s("pg_database_owner")
    );
    // One extension (plpgsql), no views; the comments are schema
    // public's and plpgsql's (extension and language), and the shared
    // ones those of template1, template0 and postgres, as initdb writes
    // them.
    assert_eq!(
        one("SELECT description FROM pg_description WHERE objoid = 2200 AND classoid = 2615").await,
        s("standard public schema")
    );
    assert_eq!(
        one(
            "SELECT (SELECT count(*) FROM pg_extension) - 1 + (SELECT count(*) FROM pg_description) - 3 \
             + (SELECT count(*) FROM pg_shdescription) - 3 + (SELECT count(*) FROM pg_views)"
        )
        .await,
        s("0")
    );
    assert_eq!(
        texts(&c, "SELECT spcname FROM pg_tablespace ORDER BY oid").await,
        [s("pg_default"), s("pg_global")]
    );
    // The views over the catalog.
    assert_eq!(
        texts(
            &c,
            "SELECT tablename || ':' || hasindexes FROM pg_tables \
             WHERE schemaname = 'public' ORDER BY tablename"
        )
        .await,
        [s("big:false"), s("items:true"), s("tags:true")]
    );
    assert_eq!(
        one("SELECT indexdef FROM pg_indexes WHERE indexname = 'tags_pkey'").await,
        s("CREATE UNIQUE INDEX tags_pkey ON public.tags USING btree (tag)")
    );
    c.batch_execute("SELECT nextval('items_id_seq'); SELECT nextval('items_id_seq')")
        .await
        .unwrap();
    assert_eq!(
        texts(
            &c,
            "SELECT sequencename || ':' || data_type || ':' || max_value \
             || ':' || coalesce(last_value::text, '-') FROM pg_sequences ORDER BY sequencename"
        )
        .await,
        [
            s("big_id_seq:bigint:9223372036854775807:-"),
            s("items_id_seq:integer:2147483647:2")
        ]
    );
    assert_eq!(
        one(
            "SELECT refobjid::regclass || '.' || refobjsubid || ' ' || deptype FROM pg_depend \
             WHERE objid = 'items_id_seq'::regclass"
        )
        .await,
        s("items.1 a")
    );
    assert_eq!(
        one("SELECT enumvals::text FROM pg_settings WHERE name = 'synchronous_commit'").await,
        s("{local,remote_write,remote_apply,on,off}")
    );
    assert_eq!(one("SELECT count(*) FROM pg_collation").await, s("3"));

    // Every system relation reads whole, in text and binary format, and
    // pg_attribute describes its columns.
    let relations = texts(
        &c,
        "SELECT relname || ':' || relnatts FROM pg_class WHERE relnamespace = 11 ORDER BY oid",
    )
    .await;
    assert!(relations.len() > 40, "{relations:?}");
    for r in relations {
        let r = r.unwrap();
        let (name, natts) = r.split_once(':').unwrap();
        c.simple_query(&format!("SELECT * FROM pg_catalog.{name}"))
            .await
            .unwrap_or_else(|e| panic!("{name} (text): {e}"));
        let stmt = c
            .prepare(&format!("SELECT * FROM pg_catalog.{name}"))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(stmt.columns().len().to_string(), natts, "{name}");
        c.query(&stmt, &[])
            .await
            .unwrap_or_else(|e| panic!("{name} (binary): {e}"));
    }
}

// ---------------------------------------------------------------------
// psql against PostgreSQL 15.

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// psql's describe commands whose output (unaligned, sizes masked) is
/// the same on pgfork and on PostgreSQL 15 for [`SCHEMA`].
const MATCHING: &[&str] = &[
    "\\dt",
    "\\dt+",
    "\\di",
    "\\di+",
    "\\ds",
    "\\dn",
    "\\df",
    "\\df add_two",
    "\\df+",
    "\\df fns.*",
    "\\df+ fns.tripled",
    "\\sf fns.tripled",
    "\\dT",
    "\\dx",
    "\\dv",
    "\\dm",
    "\\dE",
    "\\db",
    "\\dc",
    "\\des",
    "\\dew",
    "\\dO",
    "\\dRp",
    "\\dfS pg_table_size",
    "\\dfS quote_ident",
    "\\dS pg_tables",
    "\\dtS pg_am",
    "\\l",
    "\\du",
    "\\dg",
    "\\dp",
    "\\drds",
    "\\dy",
    "\\dD",
    "\\d items",
    "\\d cheap",
    "\\d+ items",
    "\\dX",
    "\\d child",
    "\\d parent",
    "\\d+ child",
    "\\d checked",
    "\\d+ checked",
    "\\d altered",
    "\\d+ altered",
    "\\dT+",
    "\\dT mood",
    "\\dn+",
    "\\d moody",
    "\\d ident",
    "\\d ident_id_seq",
];

/// Commands that still differ, with why: each becomes matching when the
/// feature it waits for lands (move it to [`MATCHING`] then).
const PENDING: &[(&str, &str)] = &[
    (
        "\\dT+ int4",
        "the built-in types' descriptions (no pg_description rows)",
    ),
    (
        "\\dfS+ quote_ident",
        "the built-in functions' descriptions (no pg_description rows)",
    ),
    (
        "\\dL",
        "the tableoid system column; pgfork has no procedural languages \
         (PostgreSQL lists plpgsql)",
    ),
];

/// The queries psql 15 sends for `\d items` and `\d+ items` that pgfork
/// answers today (`OID` stands for the table's OID), compared one by one
/// while the whole command waits for [`PENDING`]'s features: the
/// relation's lookup, its pg_class details, its columns (both forms),
/// indexes and constraints, and its inheritance.
const DESCRIBE_QUERIES: &[&str] = &[
    "SELECT c.oid,\n  n.nspname,\n  c.relname\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\nWHERE c.relname OPERATOR(pg_catalog.~) '^(items)$' COLLATE pg_catalog.default\n  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 2, 3;",
    "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname\nFROM pg_catalog.pg_class c\n LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)\nLEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)\nWHERE c.oid = 'OID';",
    "SELECT a.attname,\n  pg_catalog.format_type(a.atttypid, a.atttypmod),\n  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n   FROM pg_catalog.pg_attrdef d\n   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),\n  a.attnotnull,\n  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,\n  a.attidentity,\n  a.attgenerated\nFROM pg_catalog.pg_attribute a\nWHERE a.attrelid = 'OID' AND a.attnum > 0 AND NOT a.attisdropped\nORDER BY a.attnum;",
    "SELECT a.attname,\n  pg_catalog.format_type(a.atttypid, a.atttypmod),\n  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n   FROM pg_catalog.pg_attrdef d\n   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),\n  a.attnotnull,\n  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,\n  a.attidentity,\n  a.attgenerated,\n  a.attstorage,\n  a.attcompression AS attcompression,\n  CASE WHEN a.attstattarget=-1 THEN NULL ELSE a.attstattarget END AS attstattarget,\n  pg_catalog.col_description(a.attrelid, a.attnum)\nFROM pg_catalog.pg_attribute a\nWHERE a.attrelid = 'OID' AND a.attnum > 0 AND NOT a.attisdropped\nORDER BY a.attnum;",
    "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),\n  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace\nFROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i\n  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))\nWHERE c.oid = 'OID' AND c.oid = i.indrelid AND i.indexrelid = c2.oid\nORDER BY i.indisprimary DESC, c2.relname;",
    "SELECT c.oid::pg_catalog.regclass\nFROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\nWHERE c.oid = i.inhparent AND i.inhrelid = 'OID'\n  AND c.relkind != 'p' AND c.relkind != 'I'\nORDER BY inhseqno;",
    "SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpartbound, c.oid)\nFROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\nWHERE c.oid = i.inhrelid AND i.inhparent = 'OID'\nORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.oid::pg_catalog.regclass::pg_catalog.text;",
];

/// A throwaway PostgreSQL 15 cluster in a temporary directory, run as
/// the postgres user (PostgreSQL refuses root).
struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn as_postgres(args: &[&str]) -> Command {
        let root = nix::unistd::geteuid().is_root();
        let mut cmd = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]);
            c
        } else {
            Command::new(args[0])
        };
        cmd.args(if root { args } else { &args[1..] });
        cmd
    }

    /// initdb (C locale, UTF8, as pgfork's database) and start; None when
    /// PostgreSQL 15 is not installed.
    fn start() -> Option<Postgres> {
        if !Path::new(PG_BIN).join("postgres").exists() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let pg = Postgres {
            dir,
            port: unique_port(),
        };
        let data = pg.data();
        let initdb = format!("{PG_BIN}/initdb");
        let out = Self::as_postgres(&[
            &initdb,
            "-D",
            data.to_str().unwrap(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-N",
            "--locale=C",
            "-E",
            "UTF8",
        ])
        .output()
        .unwrap();
        assert!(out.status.success(), "initdb: {out:?}");
        let pg_ctl = format!("{PG_BIN}/pg_ctl");
        let log = pg.dir.path().join("log");
        let opts = format!(
            "-k {} -p {} -c listen_addresses=''",
            pg.dir.path().display(),
            pg.port
        );
        let out = Self::as_postgres(&[
            &pg_ctl,
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-o",
            &opts,
            "start",
        ])
        .output()
        .unwrap();
        assert!(out.status.success(), "pg_ctl start: {out:?}");
        Some(pg)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let pg_ctl = format!("{PG_BIN}/pg_ctl");
        let data = self.data();
        let _ = Self::as_postgres(&[
            &pg_ctl,
            "-D",
            data.to_str().unwrap(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ])
        .output();
    }
}

/// psql (unaligned, no psqlrc) as user postgres in database postgres.
fn psql(socket_dir: &Path, port: u16, args: &[&str]) -> Output {
    Command::new("psql")
        .args(["-X", "-A", "-h"])
        .arg(socket_dir)
        .args(["-p", &port.to_string(), "-U", "postgres", "-d", "postgres"])
        .args(args)
        .env_remove("PGOPTIONS")
        .output()
        .expect("run psql (PostgreSQL 15 client)")
}

/// psql's output for one command, with sizes ("8192 bytes", "16 kB")
/// masked: the two servers store the same rows in different files.
fn describe(socket_dir: &Path, port: u16, command: &str) -> String {
    let out = psql(socket_dir, port, &["-c", command]);
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text += &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .map(|l| {
            l.split('|')
                .map(|f| {
                    let mut w = f.split(' ');
                    match (w.next(), w.next(), w.next()) {
                        (Some(n), Some("bytes" | "kB" | "MB" | "GB"), None)
                            if n.parse::<i64>().is_ok() =>
                        {
                            "<size>"
                        }
                        _ => f,
                    }
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// psql's describe commands on pgfork and on PostgreSQL 15, same schema.
/// PostgreSQL is first made to hold what pgfork has: the databases
/// postgres, template0, template1 and testdb (`\l` lists them); both
/// have plpgsql.
#[test]
fn psql_describe_matches_postgres() {
    let pg = Postgres::start().unwrap_or_else(|| {
        panic!("PostgreSQL 15 is not installed in {PG_BIN} (.ci/run installs it)")
    });
    // psql connects to both as postgres, the bootstrap superuser (the
    // Owner columns name it).
    let srv = TestServer::start_with(Mode::Process, &["-U", "postgres"]);
    let setup = [
        SCHEMA,
        CONSTRAINT_SCHEMA,
        ALTER_SCHEMA,
        "INSERT INTO items (name) VALUES ('x')",
        "INSERT INTO tags VALUES ('t', 2, 'abc')",
        "CREATE VIEW cheap AS SELECT id, name, price * 2 AS double FROM items WHERE price < 10",
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'",
        "CREATE TABLE moody (id int, m mood, ms mood[])",
        "CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY, b bigint GENERATED BY DEFAULT AS IDENTITY (START 5), v text)",
        "CREATE FUNCTION add_two(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b'",
        "CREATE FUNCTION cheap_names(lim numeric) RETURNS TABLE (id int, name text) LANGUAGE sql STABLE STRICT AS $$ SELECT id, name FROM items WHERE price < lim $$",
        "CREATE FUNCTION item_ids() RETURNS SETOF int LANGUAGE sql AS 'SELECT id FROM items'",
        "CREATE SCHEMA fns",
        "CREATE FUNCTION fns.tripled(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 3'",
        "CREATE PROCEDURE fns.noop(IN n text) LANGUAGE sql AS 'SELECT 1'",
    ];
    // testdb: the database the test harness makes on pgfork.
    let pg_setup = ["CREATE DATABASE testdb"];
    for (dir, port, statements) in [
        (pg.dir.path(), pg.port, [&pg_setup[..], &setup[..]].concat()),
        (srv.socket_dir(), srv.port, setup.to_vec()),
    ] {
        let mut args = vec!["-v", "ON_ERROR_STOP=1"];
        for st in statements {
            args.extend(["-c", st]);
        }
        let out = psql(dir, port, &args);
        assert!(out.status.success(), "setup on port {port}: {out:?}");
    }
    let mut failures = Vec::new();
    for cmd in MATCHING {
        let (ours, theirs) = (
            describe(srv.socket_dir(), srv.port, cmd),
            describe(pg.dir.path(), pg.port, cmd),
        );
        if ours != theirs {
            failures.push(format!(
                "{cmd}\n--- pgfork:\n{ours}\n--- PostgreSQL 15:\n{theirs}"
            ));
        }
    }
    // The parts of \d that work, with each server's OID of items masked.
    let oid_of = |dir: &Path, port: u16| {
        let out = psql(dir, port, &["-t", "-c", "SELECT 'items'::regclass::oid"]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let (our_oid, their_oid) = (
        oid_of(srv.socket_dir(), srv.port),
        oid_of(pg.dir.path(), pg.port),
    );
    for q in DESCRIBE_QUERIES {
        let ours = describe(srv.socket_dir(), srv.port, &q.replace("OID", &our_oid))
            .replace(&our_oid, "<oid>");
        let theirs = describe(pg.dir.path(), pg.port, &q.replace("OID", &their_oid))
            .replace(&their_oid, "<oid>");
        if ours != theirs {
            failures.push(format!(
                "{q}\n--- pgfork:\n{ours}\n--- PostgreSQL 15:\n{theirs}"
            ));
        }
    }
    for (cmd, why) in PENDING {
        let (ours, theirs) = (
            describe(srv.socket_dir(), srv.port, cmd),
            describe(pg.dir.path(), pg.port, cmd),
        );
        if ours == theirs {
            eprintln!("{cmd}: now matches PostgreSQL 15: move it to MATCHING");
        } else {
            eprintln!(
                "{cmd}: still differs ({why})\n--- pgfork:\n{ours}\n--- PostgreSQL 15:\n{theirs}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
