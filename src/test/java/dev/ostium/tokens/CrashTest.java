package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.testing.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A token answered on the embedded database survives the server being killed right after (kill -9). */
class CrashTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void answeredTokensSurviveAKilledServer() throws Exception {
        Path dir = TestDatabase.tempDir();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port;
        Process server = start(dir, port);
        List<String> tokens = new ArrayList<>();
        String id;
        String secret;
        try {
            awaitReady(base);
            JsonNode app = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/admin/api/apps"))
                    .header("Authorization", basic("admin", "admin")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crash\",\"user\":\"alice\"}")).build()));
            id = app.path("clientId").asText();
            secret = app.path("clientSecret").asText();
            // Tokens, a pause longer than the embedded store's old 5 s chunk retention (the start-up's chunks become
            // free to reuse), then tokens again: the later ones are written where the earlier chunks were.
            for (int round = 0; round < 3; round++) {
                if (round > 0) Thread.sleep(6000);
                for (int i = 0; i < 20; i++) {
                    JsonNode t = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                            .header("Authorization", basic(id, secret)).header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build()));
                    tokens.add(t.path("access_token").asText());
                }
            }
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no clean close
        }

        Process again = start(dir, port);
        try {
            awaitReady(base);
            List<Integer> lost = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                JsonNode info = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/oauth2/introspect"))
                        .header("Authorization", basic(id, secret)).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build()));
                if (!info.path("active").asBoolean()) lost.add(i);
            }
            assertThat(lost).as("answered tokens (by order) not found after kill -9").isEmpty();
            // Keys are never handed out twice, across a kill too: a token issued now is stored under a key after
            // every key answered before.
            long lastBefore = tokens.stream().mapToLong(CrashTest::key).max().orElseThrow();
            String after = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                    .header("Authorization", basic(id, secret)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build())).path("access_token").asText();
            assertThat(key(after)).isGreaterThan(lastBefore);
        } finally {
            again.destroy();
            again.waitFor(10, TimeUnit.SECONDS);
            dev.ostium.testing.TestServer.deleteTree(dir);
        }
    }

    private static Process start(Path dir, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), "dev.ostium.Main", "demo",
                "--data-dir=" + dir, "--port=" + port, "--master-key=" + Base64.getEncoder().encodeToString(new byte[32]))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server-" + System.nanoTime() + ".log").toFile()).start();
    }

    private static void awaitReady(String base) throws Exception {
        // A first start creates keys and the demo company (Argon2 hashes, a few thousand CRM rows) in a cold
        // JVM: on a busy two-core machine that can take well over half a minute. This waits, it does not time.
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/jwks")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("server did not start");
    }

    private static String send(HttpRequest r) throws Exception {
        HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
        return response.body();
    }

    private static long key(String opaqueToken) {
        return TokenIds.key(TokenIds.parseOpaque(opaqueToken).orElseThrow().id()).orElseThrow();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
