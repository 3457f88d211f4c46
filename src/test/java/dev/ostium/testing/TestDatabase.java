package dev.ostium.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases every storage and endpoint test runs on. PostgreSQL is the one at 127.0.0.1:5432
 * (database test); each server gets a schema of its own. Under CI=true an unreachable PostgreSQL fails
 * the run; elsewhere the PostgreSQL half is skipped with a note.
 */
public enum TestDatabase {
    H2, POSTGRES;

    public static final String PG_URL = System.getenv().getOrDefault("OSTIUM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = System.getenv().getOrDefault("OSTIUM_TEST_PG_USER", "postgres");

    /** A fresh, empty database: its JDBC URL. */
    public String create(Path dataDir) {
        if (this == H2) return "jdbc:h2:file:" + dataDir.resolve("ostium") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = pgAdmin(); Statement s = c.createStatement()) {
            s.execute("create schema " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return PG_URL + "?currentSchema=" + schema;
    }

    public void drop(String url) {
        if (this != POSTGRES) return;
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = pgAdmin(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        } catch (SQLException e) {
            System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
        }
    }

    public static Connection pgAdmin() throws SQLException {
        return DriverManager.getConnection(PG_URL, PG_USER, "");
    }

    /** Fails (CI) or skips (local) when PostgreSQL is not there. */
    public void requireAvailable() {
        if (this != POSTGRES) return;
        try (Connection c = pgAdmin()) {
            c.isValid(2);
        } catch (SQLException e) {
            String msg = "PostgreSQL is unreachable at " + PG_URL + " as " + PG_USER + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException(msg + " (CI=true: this is a failure)");
            Assumptions.abort(msg);
        }
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("ostium-test-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
