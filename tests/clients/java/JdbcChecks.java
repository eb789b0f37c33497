// PgJDBC (Debian's libpostgresql-jdbc-java) from a JVM in Europe/Paris
// against a server on TCP (PGHOST/PGPORT from the environment): connect
// (PgJDBC sends the JVM's time zone at startup), prepared statements and
// batches, server-prepared statements, generated keys, ResultSetMetaData
// (which reads RowDescription's table and column: names, nullability),
// DatabaseMetaData (getTables, getColumns, getPrimaryKeys, getImportedKeys,
// getExportedKeys, getIndexInfo), errors with their fields, timestamps and
// OffsetDateTime, arrays (createArrayOf int4/text), setObject(UUID),
// batches with reWriteBatchedInserts. Run as a single-file program
// (`java -cp postgresql.jar JdbcChecks.java`); prints one `ok NAME` /
// `FAIL NAME: reason` line per check for tests/clients/mod.rs.

import java.sql.*;
import java.util.*;
import java.util.concurrent.*;

public class JdbcChecks {
    static Connection c;
    static final String T = "c_jdbc_items";

    interface Check { void run() throws Exception; }

    static void eq(Object got, Object want, String what) {
        if (!Objects.equals(got, want)) throw new AssertionError(what + ": got " + got + ", want " + want);
    }

    static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "jdbc-check");
        p.setProperty("connectTimeout", "20");
        p.setProperty("socketTimeout", "30");
        String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/postgres";
        return DriverManager.getConnection(url, p);
    }

    public static void main(String[] args) throws Exception {
        LinkedHashMap<String, Check> checks = new LinkedHashMap<>();
        checks.put("connect_from_paris", () -> {
            eq(TimeZone.getDefault().getID(), "Europe/Paris", "JVM time zone");
            try (Connection p = connect()) {
                eq(p.getMetaData().getDatabaseMajorVersion(), 15, "server major version");
            }
        });
        // The other checks run on a connection opened with the JVM's zone
        // set to UTC for the moment of connecting (PgJDBC sends it as the
        // session's TimeZone), so that they test what they name whatever
        // becomes of the zone.
        checks.put("connect", () -> {
            TimeZone paris = TimeZone.getDefault();
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            try {
                c = connect();
            } finally {
                TimeZone.setDefault(paris);
            }
            eq(c.getMetaData().getDatabaseMajorVersion(), 15, "server major version");
        });
        checks.put("create_table", () -> {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + T);
                s.execute("CREATE TABLE " + T + " (id serial PRIMARY KEY, name varchar(30) NOT NULL UNIQUE, qty int4 DEFAULT 0, price numeric(8,2))");
                s.execute("CREATE INDEX " + T + "_qty ON " + T + " (qty)");
            }
        });
        checks.put("prepared_and_generated_keys", () -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + T + " (name, qty, price) VALUES (?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "one");
                ps.setInt(2, 1);
                ps.setBigDecimal(3, new java.math.BigDecimal("1.50"));
                eq(ps.executeUpdate(), 1, "update count");
                ResultSet k = ps.getGeneratedKeys();
                k.next();
                eq(k.getInt("id"), 1, "generated id");
            }
        });
        checks.put("batch", () -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + T + " (name, qty) VALUES (?, ?)")) {
                for (int i = 0; i < 50; i++) { ps.setString(1, "b" + i); ps.setInt(2, i); ps.addBatch(); }
                int[] n = ps.executeBatch();
                eq(n.length, 50, "batch results");
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*), sum(qty) FROM " + T + " WHERE name LIKE 'b%'")) {
                r.next();
                eq(r.getLong(1), 50L, "count");
                eq(r.getLong(2), 1225L, "sum");
            }
        });
        checks.put("server_prepared", () -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT qty FROM " + T + " WHERE name = ?")) {
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(1);
                for (int i = 0; i < 6; i++) {
                    ps.setString(1, "b" + i);
                    try (ResultSet r = ps.executeQuery()) { r.next(); eq(r.getInt(1), i, "qty"); }
                }
            }
        });
        checks.put("result_set_metadata", () -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, name, qty * 2 AS q FROM " + T + " LIMIT 1")) {
                ResultSetMetaData m = r.getMetaData();
                eq(m.getTableName(1), T, "table of id");
                eq(m.getColumnName(2), "name", "name");
                eq(m.isAutoIncrement(1), true, "id is serial");
                eq(m.isNullable(2), ResultSetMetaData.columnNoNulls, "name NOT NULL");
                eq(m.getColumnTypeName(2), "varchar", "type name");
                eq(m.getPrecision(2), 30, "varchar length");
                eq(m.getTableName(3), "", "computed column");
            }
        });
        checks.put("database_metadata", () -> {
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet r = md.getTables(null, "public", T, new String[] {"TABLE"})) {
                eq(r.next(), true, "getTables finds the table");
            }
            List<String> cols = new ArrayList<>();
            try (ResultSet r = md.getColumns(null, "public", T, null)) {
                while (r.next()) cols.add(r.getString("COLUMN_NAME") + ":" + r.getString("TYPE_NAME"));
            }
            eq(cols, List.of("id:serial", "name:varchar", "qty:int4", "price:numeric"), "getColumns");
            try (ResultSet r = md.getPrimaryKeys(null, "public", T)) {
                r.next();
                eq(r.getString("COLUMN_NAME"), "id", "getPrimaryKeys");
            }
            Set<String> idx = new TreeSet<>();
            try (ResultSet r = md.getIndexInfo(null, "public", T, false, false)) {
                while (r.next()) idx.add(r.getString("INDEX_NAME"));
            }
            eq(idx, new TreeSet<>(List.of(T + "_pkey", T + "_name_key", T + "_qty")), "getIndexInfo");
        });
        checks.put("errors", () -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + T + " (name) VALUES ('one')");
                throw new AssertionError("no error raised");
            } catch (org.postgresql.util.PSQLException e) {
                eq(e.getSQLState(), "23505", "SQLSTATE");
                eq(e.getServerErrorMessage().getConstraint(), T + "_name_key", "constraint");
                eq(e.getServerErrorMessage().getTable(), T, "table");
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 7")) {
                r.next();
                eq(r.getInt(1), 7, "after the error");
            }
        });
        checks.put("transactions", () -> {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + T + " (name) VALUES ('rolled')");
                Savepoint sp = c.setSavepoint();
                s.executeUpdate("INSERT INTO " + T + " (name) VALUES ('kept')");
                c.rollback(sp);
                c.rollback();
            } finally {
                c.setAutoCommit(true);
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM " + T + " WHERE name IN ('rolled', 'kept')")) {
                r.next();
                eq(r.getLong(1), 0L, "rolled back rows");
            }
        });
        checks.put("timestamptz_in_paris", () -> {
            try (Connection p = connect(); Statement s = p.createStatement();
                 ResultSet r = s.executeQuery("SELECT '2024-07-01 12:00:00+00'::timestamptz::text, current_setting('TimeZone'), '2024-07-01 12:00:00+00'::timestamptz")) {
                r.next();
                eq(r.getString(1), "2024-07-01 14:00:00+02", "text in the session's zone");
                eq(r.getString(2), "Europe/Paris", "TimeZone");
                eq(r.getTimestamp(3).toInstant().toString(), "2024-07-01T12:00:00Z", "the instant");
            }
        });
        checks.put("arrays", () -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE c_jdbc_arrays (id int PRIMARY KEY, ints int4[], texts text[])");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO c_jdbc_arrays VALUES (?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setArray(2, c.createArrayOf("int4", new Integer[] {3, null, -7}));
                ps.setArray(3, c.createArrayOf("text", new String[] {"a,b", "q\"uote", null, "", "NULL"}));
                eq(ps.executeUpdate(), 1, "insert");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ints, texts, array_length(texts, 1), texts[5] IS NULL FROM c_jdbc_arrays WHERE ints @> ?")) {
                ps.setArray(1, c.createArrayOf("int4", new Integer[] {-7}));
                try (ResultSet r = ps.executeQuery()) {
                    eq(r.next(), true, "row found by its array");
                    eq(Arrays.asList((Integer[]) r.getArray(1).getArray()), Arrays.asList(3, null, -7), "int4[]");
                    eq(Arrays.asList((String[]) r.getArray(2).getArray()), Arrays.asList("a,b", "q\"uote", null, "", "NULL"), "text[]");
                    eq(r.getArray(1).getBaseTypeName(), "int4", "base type");
                    eq(r.getInt(3), 5, "length");
                    eq(r.getBoolean(4), false, "'NULL' is a string");
                }
            }
        });
        checks.put("uuid", () -> {
            UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', ?, pg_typeof(?)::text")) {
                ps.setObject(1, u);
                ps.setObject(2, u);
                ps.setObject(3, u);
                try (ResultSet r = ps.executeQuery()) {
                    r.next();
                    eq(r.getBoolean(1), true, "equal as uuid");
                    eq(r.getObject(2), u, "round trip");
                    eq(r.getString(3), "uuid", "sent as uuid");
                }
            }
        });
        checks.put("offset_date_time", () -> {
            try (Connection p = connect();
                 PreparedStatement ps = p.prepareStatement("SELECT '2024-01-15 08:30:00.123456+00'::timestamptz, ?::timestamptz::text, '2024-07-01 12:00:00'::timestamp")) {
                ps.setObject(1, java.time.OffsetDateTime.parse("2024-03-31T01:30:00+00:00"));
                try (ResultSet r = ps.executeQuery()) {
                    r.next();
                    java.time.OffsetDateTime t = r.getObject(1, java.time.OffsetDateTime.class);
                    eq(t.toInstant().toString(), "2024-01-15T08:30:00.123456Z", "instant");
                    eq(r.getString(2), "2024-03-31 03:30:00+02", "in the session's zone (after the DST change)");
                    eq(r.getObject(3, java.time.LocalDateTime.class).toString(), "2024-07-01T12:00", "timestamp");
                }
            }
        });
        checks.put("rewrite_batched_inserts", () -> {
            Properties p = new Properties();
            p.setProperty("user", "postgres");
            p.setProperty("reWriteBatchedInserts", "true");
            String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/postgres";
            try (Connection b = DriverManager.getConnection(url, p)) {
                try (PreparedStatement ps = b.prepareStatement("INSERT INTO " + T + " (name, qty, price) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < 37; i++) {
                        ps.setString(1, "rw" + i);
                        ps.setInt(2, i);
                        ps.setBigDecimal(3, i % 2 == 0 ? null : new java.math.BigDecimal(i + ".25"));
                        ps.addBatch();
                    }
                    int[] n = ps.executeBatch();
                    eq(n.length, 37, "batch results");
                    for (int x : n) if (x != 1 && x != Statement.SUCCESS_NO_INFO) throw new AssertionError("update count " + x);
                }
                try (Statement s = b.createStatement(); ResultSet r = s.executeQuery("SELECT count(*), sum(qty), sum(price) FROM " + T + " WHERE name LIKE 'rw%'")) {
                    r.next();
                    eq(r.getLong(1), 37L, "count");
                    eq(r.getLong(2), 666L, "sum");
                    eq(r.getBigDecimal(3), new java.math.BigDecimal("328.50"), "sum of prices");
                }
            }
        });
        checks.put("imported_keys_and_index_info", () -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE c_jdbc_orders (oid int PRIMARY KEY, item int NOT NULL REFERENCES " + T + " (id) ON DELETE CASCADE, note text)");
                s.execute("CREATE UNIQUE INDEX c_jdbc_orders_item_note ON c_jdbc_orders (item, note)");
            }
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet r = md.getImportedKeys(null, "public", "c_jdbc_orders")) {
                eq(r.next(), true, "one imported key");
                eq(r.getString("PKTABLE_NAME") + "." + r.getString("PKCOLUMN_NAME") + " <- " + r.getString("FKTABLE_NAME") + "." + r.getString("FKCOLUMN_NAME"),
                    T + ".id <- c_jdbc_orders.item", "columns");
                eq(r.getString("FK_NAME"), "c_jdbc_orders_item_fkey", "FK_NAME");
                eq(r.getString("PK_NAME"), T + "_pkey", "PK_NAME");
                eq(r.getInt("DELETE_RULE"), DatabaseMetaData.importedKeyCascade, "DELETE_RULE");
                eq(r.getInt("UPDATE_RULE"), DatabaseMetaData.importedKeyNoAction, "UPDATE_RULE");
                eq(r.getInt("KEY_SEQ"), 1, "KEY_SEQ");
                eq(r.next(), false, "only one");
            }
            try (ResultSet r = md.getExportedKeys(null, "public", T)) {
                eq(r.next(), true, "the exported key");
                eq(r.getString("FKTABLE_NAME"), "c_jdbc_orders", "exported to");
            }
            List<String> idx = new ArrayList<>();
            try (ResultSet r = md.getIndexInfo(null, "public", "c_jdbc_orders", true, false)) {
                while (r.next()) idx.add(r.getString("INDEX_NAME") + ":" + r.getShort("ORDINAL_POSITION") + ":" + r.getString("COLUMN_NAME") + ":" + r.getString("ASC_OR_DESC") + ":" + r.getBoolean("NON_UNIQUE"));
            }
            eq(idx, List.of("c_jdbc_orders_item_note:1:item:A:false", "c_jdbc_orders_item_note:2:note:A:false", "c_jdbc_orders_pkey:1:oid:A:false"), "getIndexInfo (unique only)");
        });
        checks.put("result_set_metadata_join", () -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT o.oid, o.note, i.name, i.price, o.item + 1 AS next FROM c_jdbc_orders o RIGHT JOIN " + T + " i ON i.id = o.item WHERE false")) {
                ResultSetMetaData m = r.getMetaData();
                List<String> got = new ArrayList<>();
                for (int k = 1; k <= m.getColumnCount(); k++) {
                    got.add(m.getTableName(k) + "." + m.getColumnName(k) + "/" + m.getColumnLabel(k) + ":" + m.getColumnTypeName(k) + ":" + m.isNullable(k));
                }
                eq(got, List.of(
                    "c_jdbc_orders.oid/oid:int4:0",
                    "c_jdbc_orders.note/note:text:1",
                    T + ".name/name:varchar:0",
                    T + ".price/price:numeric:1",
                    ".next/next:int4:2"), "columns");
                eq(m.getPrecision(4), 8, "numeric precision");
                eq(m.getScale(4), 2, "numeric scale");
            }
        });
        checks.put("cleanup", () -> {
            try (Statement s = c.createStatement()) { s.execute("DROP TABLE c_jdbc_orders, c_jdbc_arrays, " + T); }
            c.close();
        });

        ExecutorService ex = Executors.newSingleThreadExecutor(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        for (Map.Entry<String, Check> e : checks.entrySet()) {
            Future<?> f = ex.submit(() -> { e.getValue().run(); return null; });
            try {
                f.get(30, TimeUnit.SECONDS);
                System.out.println("ok " + e.getKey());
            } catch (TimeoutException t) {
                f.cancel(true);
                System.out.println("FAIL " + e.getKey() + ": no answer within 30 s");
            } catch (ExecutionException t) {
                Throwable cause = t.getCause();
                String msg = (cause.getClass().getSimpleName() + ": " + cause.getMessage()).replace("\n", " | ");
                System.out.println("FAIL " + e.getKey() + ": " + msg.substring(0, Math.min(400, msg.length())));
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
