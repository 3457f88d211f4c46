package dev.ostium.cli;

import dev.ostium.config.Config;
import dev.ostium.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration flags shared by every command; each overrides the file and the environment. */
public final class ServerOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "properties file with any of the keys below (env: OSTIUM_CONFIG; default ./ostium.properties if present)")
    Path configFile;

    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1; env OSTIUM_HOST)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (default 8080; env OSTIUM_PORT)")
    String port;

    @Option(names = "--issuer", paramLabel = "URL", description = "public base URL, the OAuth issuer (default http://HOST:PORT; env OSTIUM_ISSUER)")
    String issuer;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "embedded database and generated master key (default ./data; env OSTIUM_DATA_DIR)")
    String dataDir;

    @Option(names = "--db-url", paramLabel = "JDBC", description = "JDBC URL; default embedded H2, e.g. jdbc:postgresql://127.0.0.1:5432/ostium (env OSTIUM_DB_URL)")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "database user (env OSTIUM_DB_USER)")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASS", description = "database password (env OSTIUM_DB_PASSWORD)")
    String dbPassword;

    @Option(names = "--master-key", paramLabel = "B64", description = "base64 256-bit master key (prefer env OSTIUM_MASTER_KEY; default DATA_DIR/master.key, generated)")
    String masterKey;

    @Option(names = "--client-id-prefix", paramLabel = "PREFIX", description = "prefix of new client ids (default ost_; env OSTIUM_CLIENT_ID_PREFIX)")
    String clientIdPrefix;

    @Option(names = "--access-token-ttl", paramLabel = "DURATION", description = "access token lifetime, e.g. 600s, 10m (default 10m; env OSTIUM_ACCESS_TOKEN_TTL)")
    String accessTokenTtl;

    @Option(names = "--token-retention", paramLabel = "DURATION", description = "keep expired token records this long for the counts (default 7d; env OSTIUM_TOKEN_RETENTION)")
    String tokenRetention;

    @Option(names = "--audit-retention", paramLabel = "DURATION", description = "keep audit events this long (default 365d; env OSTIUM_AUDIT_RETENTION)")
    String auditRetention;

    @Option(names = "--login-idle-timeout", paramLabel = "DURATION", description = "a person's login session ends after this long without a request (default 30m; env OSTIUM_LOGIN_IDLE_TIMEOUT)")
    String loginIdleTimeout;

    @Option(names = "--login-absolute-timeout", paramLabel = "DURATION", description = "a person's login session ends this long after signing in, however active (default 12h; env OSTIUM_LOGIN_ABSOLUTE_TIMEOUT)")
    String loginAbsoluteTimeout;

    @Option(names = "--max-rows", paramLabel = "N", description = "most rows one REST API query answers; the rest come page by page (default 100; env OSTIUM_MAX_ROWS)")
    String maxRows;

    @Option(names = "--admin-password", paramLabel = "PASS", description = "password of the 'admin' created on first start (default: generated and printed once; env OSTIUM_ADMIN_PASSWORD)")
    String adminPassword;

    public Config load() {
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, "host", host);
        put(flags, "port", port);
        put(flags, "issuer", issuer);
        put(flags, "data-dir", dataDir == null ? null : CallerPaths.resolve(dataDir).toString());
        put(flags, "db-url", dbUrl);
        put(flags, "db-user", dbUser);
        put(flags, "db-password", dbPassword);
        put(flags, "master-key", masterKey);
        put(flags, "client-id-prefix", clientIdPrefix);
        put(flags, "access-token-ttl", accessTokenTtl);
        put(flags, "token-retention", tokenRetention);
        put(flags, "audit-retention", auditRetention);
        put(flags, "login-idle-timeout", loginIdleTimeout);
        put(flags, "login-absolute-timeout", loginAbsoluteTimeout);
        put(flags, "max-rows", maxRows);
        put(flags, "admin-password", adminPassword);
        Path file = configFile;
        if (file == null && System.getenv("OSTIUM_CONFIG") != null) file = CallerPaths.resolve(System.getenv("OSTIUM_CONFIG"));
        if (file == null && Path.of("ostium.properties").toFile().isFile()) file = Path.of("ostium.properties");
        return ConfigLoader.load(file, System.getenv(), flags);
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) m.put(key, value);
    }
}
