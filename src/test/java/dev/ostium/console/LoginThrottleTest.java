package dev.ostium.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Response;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guessing passwords and secrets gets slower after a few failures, without locking anyone out for long. */
class LoginThrottleTest {

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(TestDatabase.H2);
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void wrongAdminPasswordsAreThrottledThenTheLockEnds() {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 100; i++) statuses.add(server.adminAs("admin:guess" + i, "GET", "/admin/api/apps", null).status());
        assertThat(statuses.subList(0, 5)).containsOnly(401);
        assertThat(statuses.subList(6, 100)).containsOnly(429);
        Response locked = server.adminAs("admin:admin", "GET", "/admin/api/apps", null);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 60L);
        // The account lock is capped at a minute; the right password works once it has passed.
        server.clock.advance(Duration.ofSeconds(61));
        assertThat(server.adminAs("admin:admin", "GET", "/admin/api/apps", null).status()).isEqualTo(200);
    }

    @Test
    void failedClientAuthenticationIsThrottledPerClient() {
        App app = server.createService("alice");
        int throttled = 0;
        for (int i = 0; i < 30; i++) {
            Response r = server.postForm("/oauth2/token", app.clientId(), "wrong" + i, "grant_type=client_credentials");
            if (r.status() == 429) {
                throttled++;
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
            } else {
                assertThat(r.status()).isEqualTo(401);
            }
        }
        assertThat(throttled).isGreaterThan(15);
        server.clock.advance(Duration.ofMinutes(16));
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(200);
    }

    @Test
    void aFloodOfPasswordChecksDoesNotSlowDownTheTokenEndpointOrDiscovery() throws Exception {
        App app = server.createService("alice");
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<Integer>> flood = new ArrayList<>();
            for (int i = 0; i < 240; i++) {
                String user = "nobody" + i;
                flood.add(pool.submit((Callable<Integer>) () -> server.adminAs(user + ":x", "GET", "/admin/api/apps", null).status()));
            }
            Thread.sleep(200);
            long worst = 0;
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                assertThat(server.get("/.well-known/openid-configuration").status()).isEqualTo(200);
                assertThat(server.tokenResponse(app, null).status()).isEqualTo(200);
                worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
            }
            List<Integer> answers = new ArrayList<>();
            for (Future<Integer> f : flood) answers.add(f.get());
            // Every bad login got an answer: wrong (401), throttled (429) or refused while the pool is full (503).
            assertThat(answers).allMatch(s -> s == 401 || s == 429 || s == 503);
            // Before password checks had a pool of their own this took seconds; a generous bound, not a benchmark.
            assertThat(worst).isLessThan(1500);
        } finally {
            pool.shutdownNow();
        }
    }
}
