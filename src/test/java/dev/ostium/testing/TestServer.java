package dev.ostium.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.Ostium;
import dev.ostium.config.Config;
import dev.ostium.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A real Ostium node on a loopback port over a fresh database, with the demo users and data. */
public final class TestServer implements AutoCloseable {

    public static final String ADMIN = "admin:admin";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final TestDatabase database;
    public final String dbUrl;
    public final Path dataDir;
    public final String masterKey;
    public final MutableClock clock = new MutableClock();
    private final Map<String, String> extra;
    private Config config;
    private Ostium node;
    private int port;
    /** Nodes of one deployment share the public issuer URL, whatever port each listens on. */
    private String issuer;
    /** A second node's data directory is its own and goes with it; the first node's goes with destroy(). */
    private Path firstDataDir;

    /** An app as an admin created it, with its one-time secret. */
    public record App(String clientId, String secret, JsonNode created) {}

    private TestServer(TestDatabase database, String dbUrl, Path dataDir, String masterKey, Map<String, String> extra) {
        this.database = database;
        this.dbUrl = dbUrl;
        this.dataDir = dataDir;
        this.masterKey = masterKey;
        this.extra = extra;
    }

    public static TestServer start(TestDatabase database) {
        return start(database, Map.of());
    }

    /** @param extra more configuration keys, e.g. access-token-ttl */
    public static TestServer start(TestDatabase database, Map<String, String> extra) {
        database.requireAvailable();
        Path dir = TestDatabase.tempDir();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        TestServer s = new TestServer(database, database.create(dir), dir, Base64.getEncoder().encodeToString(key), extra);
        s.firstDataDir = dir;
        s.boot();
        return s;
    }

    /** Another node on the same database (PostgreSQL), as behind a load balancer. */
    public TestServer secondNode() {
        TestServer other = new TestServer(database, dbUrl, TestDatabase.tempDir(), masterKey, extra);
        other.issuer = base();
        other.firstDataDir = dataDir;
        other.boot();
        return other;
    }

    private void boot() {
        Map<String, String> flags = new HashMap<>(extra);
        if (port == 0) port = freePort();
        flags.put("port", Integer.toString(port));
        if (issuer != null) flags.put("issuer", issuer);
        flags.put("data-dir", dataDir.toString());
        flags.put("db-url", dbUrl);
        if (database == TestDatabase.POSTGRES) flags.put("db-user", TestDatabase.PG_USER);
        flags.put("master-key", masterKey);
        config = ConfigLoader.load(null, Map.of(), flags).withDemo(true);
        node = new Ostium(config, clock).start();
    }

    /** Stops this node and starts it again on the same database, data directory and port. */
    public void restart() {
        node.close();
        boot();
    }

    public Ostium node() {
        return node;
    }

    /** The issuer: for a second node, the first node's URL (a shared public name). */
    public String base() {
        return config.issuer().toString();
    }

    /** Where this node itself listens. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() {
        node.close();
        if (!dataDir.equals(firstDataDir)) deleteTree(dataDir);
    }

    /** Closes and removes the database and the data directory. */
    public void destroy() {
        close();
        database.drop(dbUrl);
        deleteTree(dataDir);
    }

    public static void deleteTree(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
    }

    /** A form POST, optionally with HTTP Basic client credentials. */
    public Response postForm(String path, String basicUser, String basicPassword, String form) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (basicUser != null) b.header("Authorization", basic(basicUser, basicPassword));
        return send(b.build());
    }

    public Response postForm(String path, App app, Map<String, String> params) {
        return postForm(path, app.clientId(), app.secret(), form(params));
    }

    public static String basic(String user, String password) {
        String enc = URLEncoder.encode(user, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(enc.getBytes(StandardCharsets.UTF_8));
    }

    public static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    public Response admin(String method, String path, Object body) {
        return adminAs(ADMIN, method, path, body);
    }

    public Response adminAs(String credentials, String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json");
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.method(method, body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                        : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
            }
            return send(b.build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- domain shortcuts -----------------------------------------------------------------------

    /** Creates a secret-key service account bound to the user, allowed the scopes. */
    public App createService(String user, String... scopes) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "test app " + System.nanoTime());
        spec.put("user", user);
        spec.put("scopes", scopes.length == 0 ? java.util.List.of("rest.all") : java.util.List.of(scopes));
        return create(spec);
    }

    public App create(Map<String, Object> spec) {
        Response r = admin("POST", "/admin/api/apps", spec);
        assertThat(r.status()).as("create app: %s", r.body()).isEqualTo(201);
        JsonNode n = r.json();
        return new App(n.path("clientId").asText(), n.path("clientSecret").asText(null), n);
    }

    /** Creates an interactive app (web, spa, native) from the spec; name and type filled in when missing. */
    public App createInteractive(String type, Map<String, Object> spec) {
        Map<String, Object> all = new LinkedHashMap<>(spec);
        all.putIfAbsent("name", type + " app " + System.nanoTime());
        all.put("type", type);
        all.putIfAbsent("redirectUris", java.util.List.of("https://app.example/callback"));
        return create(all);
    }

    /**
     * The authorization endpoint's decision, taken directly on the node: the person approved these scopes
     * and a code is issued. For token-endpoint tests that do not need the pages.
     */
    public String issueCode(App app, String username, String redirectUri, String scope, String codeChallenge, String nonce) {
        var user = node.directory.byUsername(username).orElseThrow();
        var ext = node.apps.require(app.clientId());
        var scopes = dev.ostium.apps.Scopes.parse(scope);
        var consent = node.consents.grant(user.id(), ext.id(), scopes);
        return node.codes.issue(new dev.ostium.oauth.AuthorizationCodes.Request(ext, user.id(), consent.id(), redirectUri, true, scopes,
                codeChallenge, nonce, clock.millis() - 1000, null));
    }

    public Response tokenResponse(App app, String scope) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "client_credentials");
        if (scope != null) p.put("scope", scope);
        return postForm("/oauth2/token", app, p);
    }

    public String token(App app) {
        Response r = tokenResponse(app, null);
        assertThat(r.status()).as("token: %s", r.body()).isEqualTo(200);
        return r.json().path("access_token").asText();
    }

    public JsonNode introspect(App caller, String token) {
        Response r = postForm("/oauth2/introspect", caller, Map.of("token", token));
        assertThat(r.status()).as("introspect: %s", r.body()).isEqualTo(200);
        return r.json();
    }

    public Response query(String token, String query) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("query", query));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/restapi/v1/vtews/query")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    public void setSettings(Map<String, Object> settings) {
        Response r = admin("PUT", "/admin/api/settings", settings);
        assertThat(r.status()).as("settings: %s", r.body()).isEqualTo(200);
    }

    public long count(String table) {
        return node.db.jdbi().withHandle(h -> h.createQuery("select count(*) from " + table).mapTo(Long.class).one());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
