package dev.ostium.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.config.ConfigLoader;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The embedded database's file is kept compact while every commit is written at once (WRITE_DELAY=0). */
class StoreHousekeepingTest {

    @Test
    void halfEmptyChunksAreRewrittenAndNothingIsLost() throws Exception {
        Path dir = TestDatabase.tempDir();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("probe") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        try (Connection open = ds.getConnection()) {
            try (Statement s = open.createStatement()) {
                s.execute("create table probe (id varchar(32) primary key, grp bigint not null, v varchar(200))");
                s.execute("create index probe_grp on probe (grp, id)");
            }
            StoreHousekeeping housekeeping = StoreHousekeeping.of(ds).orElseThrow();
            housekeeping.retention(0); // the test has no time to wait: chunks may be reused at once
            // One commit per row, as the token writers do under light load: each commit leaves a chunk behind
            // that keeps a page or two alive.
            insert(open, 0, 3000);
            int before = housekeeping.fillRate();
            assertThat(before).as("live share of the chunks after 3000 small commits").isLessThan(50);

            for (int i = 0; i < 2000 && housekeeping.pass(); i++) {
                insert(open, 3000 + i, 1); // a commit lets the emptied chunks go
            }
            insert(open, 5000, 1);
            assertThat(housekeeping.fillRate()).as("live share after housekeeping (was %d %%)", before)
                    .isGreaterThanOrEqualTo(StoreHousekeeping.TARGET_FILL_RATE - 20);
            assertThat(count(open)).isGreaterThanOrEqualTo(3002);
        }
        // Every row is still there after the file is opened again.
        long groups = 0;
        for (int i = 0; i < 3000; i++) groups += i % 7;
        try (Connection again = ds.getConnection(); Statement s = again.createStatement();
             ResultSet rs = s.executeQuery("select count(*), count(distinct v), sum(grp) from probe where id < 'r0000003000'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(3000);
            assertThat(rs.getLong(2)).isEqualTo(3000);
            assertThat(rs.getLong(3)).isEqualTo(groups);
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void runsForTheEmbeddedFileDatabaseOnly() {
        Path dir = TestDatabase.tempDir();
        long others = housekeepingThreads();
        try {
            try (Database db = Database.open(ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString())))) {
                assertThat(housekeepingThreads()).isEqualTo(others + 1);
            }
            assertThat(housekeepingThreads()).as("stopped with the database").isEqualTo(others);
            try (Database db = Database.open(ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString(),
                    "db-url", "jdbc:h2:mem:hk" + System.nanoTime())))) {
                assertThat(housekeepingThreads()).as("an in-memory database has no file to keep").isEqualTo(others);
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void theEmbeddedFileDatabaseSplitsItsPagesAt8KiB() {
        Path dir = TestDatabase.tempDir();
        try (Database db = Database.open(ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString())))) {
            String size = db.jdbi().withHandle(h -> h.createQuery(
                    "select setting_value from information_schema.settings where setting_name = 'info.PAGE_SIZE'").mapTo(String.class).one());
            assertThat(size).as("H2's default is 4096").isEqualTo("8192");
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    private static long housekeepingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("ostium-store-housekeeping")).count();
    }

    private static void insert(Connection c, int from, int n) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("insert into probe (id, grp, v) values (?, ?, ?)")) {
            for (int i = from; i < from + n; i++) {
                ps.setString(1, "r%010d".formatted(i));
                ps.setLong(2, i % 7);
                ps.setString(3, "value " + i + " ".repeat(100));
                ps.executeUpdate();
            }
        }
    }

    private static long count(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from probe")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
