//! Arrays through the real server, in every mode: tokio-postgres sends and
//! receives them in binary (int4[], text[], int8[] with NULLs, `= ANY($1)`),
//! psql shows PostgreSQL's text forms (quoting, NULLs, several dimensions,
//! lower bounds), array columns survive a restart, the expressions and
//! functions give PostgreSQL 15's results, and malformed input fails with
//! its SQLSTATEs; a binary value of a type the server lacks is refused.

use tokio_postgres::types::Type;

use crate::harness::{message, sqlstate, Mode, Raw, RawOut, TestServer};

in_all_modes!(arrays_in_binary_and_text, array_expressions_and_functions);

fn be(words: &[i32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn psql_out(srv: &TestServer, sql: &str) -> String {
    let out = srv.psql(&["-A", "-t", "-c", sql]);
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The rows written by arrays_in_binary_and_text, read back.
async fn check_items(c: &tokio_postgres::Client) {
    let r = c
        .query_one("SELECT tags, scores FROM items WHERE id = 4", &[])
        .await
        .unwrap();
    assert_eq!(
        r.get::<_, Vec<Option<String>>>(0),
        vec![Some("x".to_string()), None]
    );
    assert_eq!(r.get::<_, Vec<i64>>(1), vec![1, 2]);
    let r = c
        .query_one("SELECT grid::text, tags FROM items WHERE id = 1", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "{{1,2},{3,4}}");
    assert_eq!(
        r.get::<_, Vec<String>>(1),
        vec!["red".to_string(), "dark blue".into()]
    );
}

async fn arrays_in_binary_and_text(mode: Mode) {
    let mut srv = TestServer::start(mode);
    let c = srv.connect().await;

    // Binary parameters and results.
    let row = c
        .query_one(
            "SELECT $1::int[], $2::text[], $3::int8[], ARRAY[1.5, 2]::float8[], ARRAY[true, false]",
            &[
                &vec![1i32, -2, 3],
                &vec!["a b".to_string(), "c\"d".into(), "".into()],
                &vec![Some(7i64), None, Some(i64::MIN)],
            ],
        )
        .await
        .unwrap();
    assert_eq!(row.columns()[0].type_(), &Type::INT4_ARRAY);
    assert_eq!(row.columns()[1].type_(), &Type::TEXT_ARRAY);
    assert_eq!(row.get::<_, Vec<i32>>(0), vec![1, -2, 3]);
    assert_eq!(
        row.get::<_, Vec<String>>(1),
        vec!["a b".to_string(), "c\"d".into(), "".into()]
    );
    assert_eq!(
        row.get::<_, Vec<Option<i64>>>(2),
        vec![Some(7), None, Some(i64::MIN)]
    );
    assert_eq!(row.get::<_, Vec<f64>>(3), vec![1.5, 2.0]);
    assert_eq!(row.get::<_, Vec<bool>>(4), vec![true, false]);

    // Several dimensions and lower bounds, both ways: array_send's form of
    // '[0:1][1:2]={{1,2},{3,NULL}}' (ndim, has-nulls, element type, each
    // dimension's length and lower bound, each element's length and bytes).
    let md = be(&[2, 1, 23, 2, 0, 2, 1, 4, 1, 4, 2, 4, 3, -1]);
    let r = c
        .query_one(
            "SELECT $1::int4[]::text, '[0:1][1:2]={{1,2},{3,NULL}}'::int4[]",
            &[&Raw(md.clone())],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "[0:1][1:2]={{1,2},{3,NULL}}");
    assert_eq!(r.get::<_, RawOut>(1).0, md);

    // = ANY($1) with an array parameter, and an empty one.
    c.batch_execute(
        "CREATE TABLE items (id int PRIMARY KEY, tags text[], scores int8[], \
         codes varchar(3)[], grid int[]); \
         INSERT INTO items VALUES \
         (1, '{red,\"dark blue\"}', '{10,NULL}', '{ab}', '{{1,2},{3,4}}'), \
         (2, ARRAY['green'], ARRAY[20, 30]::int8[], NULL, '[0:1]={5,6}'), \
         (3, '{}', '{}', '{}', NULL)",
    )
    .await
    .unwrap();
    let ids: Vec<i32> = c
        .query(
            "SELECT id FROM items WHERE id = ANY($1) ORDER BY id",
            &[&vec![3i32, 1, 99]],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1, 3]);
    let n = c
        .query(
            "SELECT id FROM items WHERE id = ANY($1)",
            &[&Vec::<i32>::new()],
        )
        .await
        .unwrap()
        .len();
    assert_eq!(n, 0);
    let ids: Vec<i32> = c
        .query(
            "SELECT id FROM items WHERE tags && $1 ORDER BY id",
            &[&vec!["green".to_string(), "red".into()]],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1, 2]);

    // Array columns through the parameters and back, then after a restart.
    c.execute(
        "INSERT INTO items (id, tags, scores) VALUES ($1, $2, $3)",
        &[
            &4i32,
            &vec![Some("x".to_string()), None],
            &vec![Some(1i64), Some(2)],
        ],
    )
    .await
    .unwrap();
    check_items(&c).await;
    drop(c);
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let c = srv.connect().await;
    check_items(&c).await;

    // psql's text forms: quoting, NULL, dimensions, lower bounds.
    let out = psql_out(
        &srv,
        "SELECT id, tags, scores, codes, grid FROM items ORDER BY id",
    );
    assert_eq!(
        out,
        "1|{red,\"dark blue\"}|{10,NULL}|{ab}|{{1,2},{3,4}}\n\
         2|{green}|{20,30}||[0:1]={5,6}\n\
         3|{}|{}|{}|\n\
         4|{x,NULL}|{1,2}||\n"
    );
    let out = psql_out(
        &srv,
        "SELECT '{\"a b\",\"c\\\"d\",NULL,\"NULL\",\"\"}'::text[], ARRAY[[1,2],[3,4]], \
         '[0:1]={1,2}'::int[], ARRAY[now()::date] IS NOT NULL",
    );
    assert_eq!(
        out,
        "{\"a b\",\"c\\\"d\",NULL,\"NULL\",\"\"}|{{1,2},{3,4}}|[0:1]={1,2}|t\n"
    );
    // \d shows the array types.
    let out = psql_out(
        &srv,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
         WHERE attrelid = 'items'::regclass AND attnum > 0 ORDER BY attnum",
    );
    assert_eq!(
        out,
        "integer\ntext[]\nbigint[]\ncharacter varying(3)[]\ninteger[]\n"
    );

    // A value too long for varchar(3)[] is refused on assignment.
    let e = c
        .execute("INSERT INTO items (id, codes) VALUES (9, '{abcd}')", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001", "{}", message(&e));

    // A binary array of another element type is refused (42804), and a
    // parameter of a type the server does not have (point) too.
    let mut wrong = Vec::new();
    for x in [1i32, 0, 20, 1, 1, 8] {
        wrong.extend_from_slice(&x.to_be_bytes());
    }
    wrong.extend_from_slice(&7i64.to_be_bytes());
    let e = c
        .query_one("SELECT $1::int4[]", &[&Raw(wrong)])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42804", "{}", message(&e));
    let e = c
        .query_one("SELECT $1::int4[]", &[&Raw(vec![0, 0, 0, 1])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "08P01", "{}", message(&e));
    let e = c
        .prepare_typed("SELECT $1", &[Type::POINT])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704", "{}", message(&e));
    assert_eq!(message(&e), "type with OID 600 does not exist");
    let e = c
        .prepare_typed("SELECT $1", &[Type::POINT_ARRAY])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    // The session goes on.
    let r = c
        .query_one("SELECT cardinality($1::int[])", &[&vec![1i32, 2]])
        .await;
    assert_eq!(r.unwrap().get::<_, i32>(0), 2);
}

async fn array_expressions_and_functions(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let text = |sql: &'static str| {
        let c = &c;
        async move {
            let r = c.simple_query(sql).await.unwrap();
            r.iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or("NULL").to_string())
                            .collect::<Vec<_>>()
                            .join("|"),
                    ),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    // Results checked against PostgreSQL 15.
    let cases: &[(&str, &str)] = &[
        (
            "SELECT (ARRAY[1,2,3])[2], (ARRAY[1,2,3])[2:3], (ARRAY[1,2,3])[5], \
             ('{{1,2},{3,4}}'::int[])[2][1], ('{{1,2},{3,4}}'::int[])[1:1], \
             ('[0:2]={1,2,3}'::int[])[:1]",
            "2|{2,3}|NULL|3|{{1,2}}|{1,2}",
        ),
        (
            "SELECT ARRAY[1,2] || '{3,4}', ARRAY[1,2] || 3, 0 || ARRAY[1,2], \
             '{a}' || ARRAY['b'], ARRAY[1] || ARRAY[1.5], ARRAY[[1,2]] || ARRAY[3,4]",
            "{1,2,3,4}|{1,2,3}|{0,1,2}|{a,b}|{1,1.5}|{{1,2},{3,4}}",
        ),
        (
            "SELECT 1 = ANY('{1,2}'), 3 = ANY(ARRAY[1,NULL]), 3 <> ALL(ARRAY[1,2]), \
             NULL::int = ANY('{}'::int[]), 2 > ALL(SELECT 1), 1 = ANY(SELECT 1)",
            "t|NULL|t|f|t|t",
        ),
        (
            "SELECT ARRAY[1,2] = ARRAY[1,2], ARRAY[1,2] < ARRAY[1,3], ARRAY[1] < ARRAY[1,2], \
             ARRAY[1,NULL] = ARRAY[1,NULL], ARRAY[1,2] @> ARRAY[2], ARRAY[1] <@ ARRAY[1,2], \
             ARRAY[1,2] && ARRAY[3]",
            "t|t|t|t|t|t|f",
        ),
        (
            "SELECT array_dims('[0:1]={1,2}'::int[]), array_dims(ARRAY[[1,2],[3,4]]), \
             array_length(ARRAY[1,2],1), array_length('{}'::int[],1), \
             cardinality(ARRAY[[1,2],[3,4]]), array_ndims(ARRAY[1]), \
             array_upper(ARRAY[1,2],1), array_lower('[3:4]={1,2}'::int[],1)",
            "[0:1]|[1:2][1:2]|2|NULL|4|1|2|3",
        ),
        (
            "SELECT array_to_string(ARRAY[1,NULL,3], ','), array_to_string(ARRAY[1,NULL,3], ',', '*'), \
             string_to_array('a,b,,c', ','), string_to_array('a,b,,c', ',', ''), \
             string_to_array('abc', NULL), string_to_array('abc', '')",
            "1,3|1,*,3|{a,b,\"\",c}|{a,b,NULL,c}|{a,b,c}|{abc}",
        ),
        (
            "SELECT array_position(ARRAY[1,2,3,2], 2), array_positions(ARRAY[1,2,3,2], 2), \
             array_remove(ARRAY[1,2,3,2], 2), array_replace(ARRAY[1,2,3,2], 2, 9), \
             array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2,3]), \
             array_append(NULL, 1)",
            "2|{2,4}|{1,3}|{1,9,3,9}|{1,2}|{0,1}|{1,2,3}|{1}",
        ),
        (
            "SELECT ARRAY[1,2,3]::text[], ARRAY['1','2']::int[], '{1.5,2}'::numeric[]::int[], \
             ARRAY[]::int[], ARRAY[1,2]::text, '{1,2}'::_int4",
            "{1,2,3}|{1,2}|{2,2}|{}|{1,2}|{1,2}",
        ),
        (
            "SELECT ARRAY(SELECT 1 WHERE false), ARRAY(SELECT x FROM unnest(ARRAY[3,1,2]) x ORDER BY x), \
             ARRAY(SELECT ARRAY[x, x * 10] FROM unnest(ARRAY[1,2]) x)",
            "{}|{1,2,3}|{{1,10},{2,20}}",
        ),
        (
            "SELECT * FROM unnest(ARRAY[1,2], ARRAY['a','b','c']) WITH ORDINALITY AS u(n, s, o)",
            "1|a|1\n2|b|2\nNULL|c|3",
        ),
        (
            "SELECT unnest(ARRAY[1,2]) + 10, unnest(ARRAY['a','b','c'])",
            "11|a\n12|b\nNULL|c",
        ),
        ("SELECT generate_series(1, 3) AS g ORDER BY g DESC", "3\n2\n1"),
        (
            "SELECT u.a[2], u.a[1:1], a[3] IS NULL FROM (SELECT ARRAY[1,2] AS a) u",
            "2|{1}|t",
        ),
        (
            "SELECT array_agg(x), array_agg(x ORDER BY x DESC), string_agg(x::text, ',' ORDER BY x) \
             FROM unnest(ARRAY[2,NULL,3,1]) x",
            "{2,NULL,3,1}|{NULL,3,2,1}|1,2,3",
        ),
        (
            "SELECT array_agg(ARRAY[x, -x]) FROM generate_series(1, 2) x",
            "{{1,-1},{2,-2}}",
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(text(sql).await, *want, "{sql}");
    }

    // Errors with PostgreSQL's SQLSTATEs.
    let errors: &[(&str, &str, &str)] = &[
        (
            "SELECT '{1,2'::int[]",
            "22P02",
            "malformed array literal: \"{1,2\"",
        ),
        (
            "SELECT '{{1,2},{3}}'::int[]",
            "22P02",
            "malformed array literal: \"{{1,2},{3}}\"",
        ),
        (
            "SELECT '{a}'::int[]",
            "22P02",
            "invalid input syntax for type integer: \"a\"",
        ),
        (
            "SELECT ARRAY[]",
            "42P18",
            "cannot determine type of empty array",
        ),
        (
            "SELECT ARRAY[[1,2],[3]]",
            "2202E",
            "multidimensional arrays must have array expressions with matching dimensions",
        ),
        (
            "SELECT '{{{{{{{1}}}}}}}'::int[]",
            "54000",
            "number of array dimensions (7) exceeds the maximum allowed (6)",
        ),
        (
            "SELECT ARRAY[1] = ARRAY[1::int8]",
            "42883",
            "operator does not exist: integer[] = bigint[]",
        ),
        (
            "SELECT (1)[1]",
            "42804",
            "cannot subscript type integer because it does not support subscripting",
        ),
        (
            "SELECT 1 = ANY(1)",
            "42809",
            "op ANY/ALL (array) requires array on right side",
        ),
        (
            "SELECT ARRAY[[1,2]] || ARRAY[3]",
            "2202E",
            "cannot concatenate incompatible arrays",
        ),
        (
            "SELECT 1 WHERE unnest(ARRAY[1]) = 1",
            "0A000",
            "set-returning functions are not allowed in WHERE",
        ),
    ];
    for (sql, code, msg) in errors {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(
            (sqlstate(&e).as_str(), message(&e).as_str()),
            (*code, *msg),
            "{sql}"
        );
    }
}
