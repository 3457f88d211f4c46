package dev.ostium.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link Config} from layered sources. Each key has one name used everywhere:
 * {@code port} in the file, {@code OSTIUM_PORT} in the environment, {@code --port} as a flag.
 */
public final class ConfigLoader {

    /** Every key with its default and a one-line help, in the order {@code --help} shows them. */
    public static final Map<String, String[]> KEYS = new LinkedHashMap<>();

    static {
        key("host", "127.0.0.1", "address to listen on");
        key("port", "8080", "HTTP port");
        key("issuer", "", "public base URL, the OAuth issuer (default http://HOST:PORT)");
        key("data-dir", "data", "directory for the embedded database and the generated master key");
        key("db-url", "", "JDBC URL (default: embedded H2 in DATA_DIR; e.g. jdbc:postgresql://127.0.0.1:5432/ostium)");
        key("db-user", "", "database user");
        key("db-password", "", "database password");
        key("master-key", "", "base64 256-bit key sealing private keys at rest (default: DATA_DIR/master.key, generated)");
        key("client-id-prefix", "ost_", "prefix of generated client ids");
        key("access-token-ttl", "10m", "access token lifetime (e.g. 600s, 10m, 1h)");
        key("token-retention", "7d", "how long expired token records are kept for the console's counts");
        key("audit-retention", "365d", "how long audit events are kept");
        key("login-idle-timeout", "30m", "a person's login session ends after this long without a request");
        key("login-absolute-timeout", "12h", "a person's login session ends this long after signing in, however active");
        key("max-rows", "100", "most rows one REST API query answers; the rest come page by page");
        key("admin-password", "", "password of the 'admin' user created on first start (default: generated, printed once)");
    }

    private static void key(String name, String defaultValue, String help) {
        KEYS.put(name, new String[] {defaultValue, help});
    }

    private ConfigLoader() {}

    /**
     * @param file  a properties file, or null for none
     * @param env   the environment (System.getenv() in production)
     * @param flags values given on the command line, by key name
     */
    public static Config load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        KEYS.forEach((k, v) -> values.put(k, v[0]));
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
            }
            for (String name : props.stringPropertyNames()) {
                values.put(known(name, "file " + file), props.getProperty(name).trim());
            }
        }
        KEYS.keySet().forEach(k -> {
            String v = env.get(envName(k));
            if (v != null) values.put(k, v);
        });
        flags.forEach((k, v) -> values.put(known(k, "flag"), v));
        return build(values);
    }

    public static String envName(String key) {
        return "OSTIUM_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String known(String key, String source) {
        if (!KEYS.containsKey(key)) throw new ConfigException("unknown configuration key '" + key + "' in " + source);
        return key;
    }

    private static Config build(Map<String, String> v) {
        String host = v.get("host");
        int port = parsePort(v.get("port"));
        Path dataDir = Path.of(v.get("data-dir")).toAbsolutePath().normalize();
        URI issuer = issuer(v.get("issuer"), host, port);
        // WRITE_DELAY=0: each group commit reaches the file before its requests are answered (and the file is
        // kept compact by db.StoreHousekeeping, since H2 then runs no housekeeping of its own). A small page
        // cache: under token load, pages evicted from a big one pile up in the old generation (GC pauses).
        // PAGE_SIZE=8192 (H2's default 4096) splits B-tree pages at twice the size: fewer levels to rewrite at each
        // commit and to walk at each read (refresh grants about 15 % faster; 16384 was no better than 4096).
        String dbUrl = v.get("db-url").isBlank()
                ? "jdbc:h2:file:" + dataDir.resolve("ostium") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;CACHE_SIZE=4096;PAGE_SIZE=8192"
                : v.get("db-url");
        if (!dbUrl.startsWith("jdbc:h2:") && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("db-url must be a jdbc:h2: or jdbc:postgresql: URL, got " + dbUrl);
        }
        String prefix = v.get("client-id-prefix");
        if (!prefix.matches("[A-Za-z0-9_.-]{0,20}")) {
            throw new ConfigException("client-id-prefix may hold up to 20 letters, digits, '_', '.', '-'");
        }
        return new Config(host, port, issuer, dataDir, dbUrl, v.get("db-user"), v.get("db-password"),
                blankToNull(v.get("master-key")), prefix,
                bounded("access-token-ttl", v, MIN_ACCESS_TOKEN_TTL, MAX_ACCESS_TOKEN_TTL),
                duration("token-retention", v), duration("audit-retention", v), duration("login-idle-timeout", v),
                duration("login-absolute-timeout", v), blankToNull(v.get("admin-password")), maxRows(v.get("max-rows")), false);
    }

    private static int maxRows(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n < 1 || n > 10_000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("max-rows must be a number from 1 to 10000, got '" + s + "'");
        }
    }

    private static int parsePort(String s) {
        try {
            int port = Integer.parseInt(s.trim());
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new ConfigException("port must be a number from 0 to 65535, got '" + s + "'");
        }
    }

    private static URI issuer(String configured, String host, int port) {
        String s = configured.isBlank() ? "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port : configured;
        if (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("issuer is not a URL: " + s);
        }
        // RFC 8414 §2: the issuer is an https URL with no query or fragment (http allowed for local use).
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new ConfigException("issuer must be an http(s) URL without query or fragment: " + s);
        }
        return uri;
    }

    /**
     * Access tokens live at most a day: retired signing keys stay published only a little longer (25 h),
     * and a revocation should not have to outlive much more. Per-app lifetimes have the same bounds.
     */
    public static final Duration MIN_ACCESS_TOKEN_TTL = Duration.ofSeconds(10);
    public static final Duration MAX_ACCESS_TOKEN_TTL = Duration.ofHours(24);

    private static Duration bounded(String key, Map<String, String> v, Duration min, Duration max) {
        Duration d = duration(key, v);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key + " must be from " + min.toSeconds() + "s to " + max.toHours() + "h, got " + v.get(key));
        }
        return d;
    }

    private static Duration duration(String key, Map<String, String> v) {
        try {
            return Durations.parse(v.get(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
