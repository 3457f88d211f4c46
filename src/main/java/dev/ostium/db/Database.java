package dev.ostium.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ostium.config.Config;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/** The connection pool, the schema migrations and the Jdbi handle every store uses. */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;
    private final Optional<StoreHousekeeping> housekeeping;

    private Database(HikariDataSource dataSource, boolean postgres, Optional<StoreHousekeeping> housekeeping) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = postgres;
        this.housekeeping = housekeeping;
    }

    public static Database open(Config config) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.dbUrl());
        if (!config.dbUser().isBlank()) hc.setUsername(config.dbUser());
        if (!config.dbPassword().isBlank()) hc.setPassword(config.dbPassword());
        hc.setMaximumPoolSize(16);
        hc.setPoolName("ostium");
        hc.setInitializationFailTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            Optional<StoreHousekeeping> housekeeping = StoreHousekeeping.of(ds).map(StoreHousekeeping::start);
            return new Database(ds, config.dbUrl().startsWith("jdbc:postgresql:"), housekeeping);
        } catch (RuntimeException | SQLException e) {
            ds.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot open the database", e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public boolean isPostgres() {
        return postgres;
    }

    public java.sql.Connection rawConnection() throws SQLException {
        return dataSource.getConnection();
    }

    /** True when the exception (or a cause) is a unique-key violation, SQLSTATE 23505 on both databases. */
    public static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) return true;
        }
        return false;
    }

    @Override
    public void close() {
        housekeeping.ifPresent(StoreHousekeeping::close);
        dataSource.close();
    }
}
