package dev.ostium.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Everything the server reads at start, resolved once: defaults, then file, then environment, then flags. */
public record Config(
        String host,
        int port,
        URI issuer,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String masterKey,
        String clientIdPrefix,
        Duration accessTokenTtl,
        Duration tokenRetention,
        Duration auditRetention,
        Duration loginIdleTimeout,
        Duration loginAbsoluteTimeout,
        String adminPassword,
        int maxRows,
        boolean demo) {

    public boolean embeddedDatabase() {
        return dbUrl.startsWith("jdbc:h2:");
    }

    public Config withDemo(boolean demo) {
        return new Config(host, port, issuer, dataDir, dbUrl, dbUser, dbPassword, masterKey, clientIdPrefix,
                accessTokenTtl, tokenRetention, auditRetention, loginIdleTimeout, loginAbsoluteTimeout, adminPassword, maxRows, demo);
    }
}
