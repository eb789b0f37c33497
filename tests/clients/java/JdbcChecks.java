// PgJDBC (Debian's libpostgresql-jdbc-java) from a JVM in Europe/Paris
// against a server on TCP (PGHOST/PGPORT from the environment): connect
// (PgJDBC sends the JVM's time zone at startup), prepared statements and
// batches, server-prepared statements, generated keys, ResultSetMetaData
// (which reads RowDescription's table and column), DatabaseMetaData,
// errors with their fields, timestamps. Run as a single-file program
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
        checks.put("cleanup", () -> {
            try (Statement s = c.createStatement()) { s.execute("DROP TABLE " + T); }
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
