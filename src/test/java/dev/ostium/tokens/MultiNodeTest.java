package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL, as behind a load balancer: a token is valid on every node the moment it
 * is issued, and revocations and app changes reach the other node at once (LISTEN/NOTIFY).
 */
class MultiNodeTest {

    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void twoNodes() {
        a = TestServer.start(TestDatabase.POSTGRES);
        b = a.secondNode();
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.destroy();
    }

    /** How long the other node took to see a change; fails after two seconds. */
    private static long millisUntil(BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > 2_000_000_000L) throw new AssertionError("the other node did not see the change within 2 s");
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static boolean active(TestServer node, App app, String token) {
        return node.introspect(app, token).path("active").asBoolean();
    }

    @Test
    void aTokenFromOneNodeIsValidOnTheOtherImmediately() {
        App app = a.createService("alice", "rest.all.read");
        String token = a.token(app);
        assertThat(active(b, app, token)).isTrue();
        assertThat(b.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(200);
        App jwtApp = a.create(Map.of("name", "jwt", "user", "alice", "tokenFormat", "jwt"));
        String jwt = b.token(jwtApp);
        assertThat(a.query(jwt, "SELECT * FROM Invoice;").status()).isEqualTo(200);
    }

    @Test
    void revocationOnOneNodeReachesTheOtherAtOnce() throws Exception {
        App app = a.createService("alice");
        String token = a.token(app);
        assertThat(active(b, app, token)).isTrue(); // now cached on b
        a.postForm("/oauth2/revoke", app, Map.of("token", token));
        long took = millisUntil(() -> !active(b, app, token));
        assertThat(took).isLessThan(1000);
    }

    @Test
    void disablingAndRevokingAllOnOneNodeReachTheOther() throws Exception {
        App app = a.createService("alice");
        String token = b.token(app);
        assertThat(b.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(200);
        a.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        millisUntil(() -> b.query(token, "SELECT * FROM Invoice;").status() == 401);
        assertThat(b.tokenResponse(app, null).status()).isEqualTo(401);

        a.admin("POST", "/admin/api/apps/" + app.clientId() + "/enable", null);
        millisUntil(() -> b.tokenResponse(app, null).status() == 200);
        assertThat(b.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(401);
        String fresh = b.token(app);
        assertThat(b.query(fresh, "SELECT * FROM Invoice;").status()).isEqualTo(200);
        a.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
        millisUntil(() -> b.query(fresh, "SELECT * FROM Invoice;").status() == 401);
    }

    @Test
    void disablingAUserOnOneNodeEndsTheirTokensOnTheOther() throws Exception {
        App app = a.createService("bob");
        String token = b.token(app);
        assertThat(b.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(200); // b caches bob now
        try {
            a.admin("POST", "/admin/api/users/bob/disable", null);
            long took = millisUntil(() -> b.query(token, "SELECT * FROM Invoice;").status() == 401);
            assertThat(took).isLessThan(1000);
        } finally {
            a.admin("POST", "/admin/api/users/bob/enable", null);
        }
    }

    @Test
    void nodesWithSkewedClocksMissNoChangeAndRevokeAllMeansAll() throws Exception {
        App app = a.createService("alice");
        try {
            // b's clock runs a minute ahead: its tokens look "newer" than a's revoke-all.
            b.clock.advance(java.time.Duration.ofSeconds(60));
            String early = b.token(app);
            assertThat(a.query(early, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            a.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
            assertThat(a.query(early, "SELECT * FROM Invoice;").status()).isEqualTo(401);
            millisUntil(() -> b.query(early, "SELECT * FROM Invoice;").status() == 401);
            // and a change made by a node whose clock is behind still reaches the node ahead
            String other = b.token(app);
            assertThat(b.query(other, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            a.postForm("/oauth2/revoke", app, Map.of("token", other));
            assertThat(millisUntil(() -> b.query(other, "SELECT * FROM Invoice;").status() == 401)).isLessThan(1000);
            // b's clock a minute behind: a token b issues after a's revoke-all is valid
            b.clock.advance(java.time.Duration.ofSeconds(-120));
            a.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
            millisUntil(() -> b.tokenResponse(app, null).status() == 200);
            String late = b.token(app);
            assertThat(a.query(late, "SELECT * FROM Invoice;").status()).isEqualTo(200);
        } finally {
            b.clock.reset();
        }
    }

    @Test
    void aNodeCutOffFromTheChangeLogStopsAnsweringFromItsCache() throws Exception {
        App app = a.createService("alice");
        String token = a.token(app);
        assertThat(active(b, app, token)).isTrue(); // cached on b
        String schema = a.dbUrl.substring(a.dbUrl.indexOf("currentSchema=") + "currentSchema=".length());
        try (java.sql.Connection c = TestDatabase.pgAdmin()) {
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                // Nobody can read the change log while this lock is held: b cannot know what changed, and
                // after a few seconds without reading it, b no longer trusts what it cached.
                s.execute("lock table " + schema + ".change_counter in access exclusive mode");
                Thread.sleep(3_500);
                var during = b.postForm("/oauth2/introspect", app, Map.of("token", token));
                assertThat(during.status()).isEqualTo(503);
                assertThat(during.json().path("error").asText()).isEqualTo("temporarily_unavailable");
            }
            c.rollback();
        }
        millisUntil(() -> b.postForm("/oauth2/introspect", app, Map.of("token", token)).status() == 200);
        assertThat(active(b, app, token)).isTrue();
    }

    @Test
    void settingsAndKeyRotationReachTheOtherNode() throws Exception {
        App app = a.createService("alice");
        String token = a.token(app);
        try {
            a.setSettings(Map.of("oauthEnabled", false));
            millisUntil(() -> b.tokenResponse(app, null).status() == 400);
            assertThat(active(b, app, token)).isFalse();
        } finally {
            a.setSettings(Map.of("oauthEnabled", true));
        }
        millisUntil(() -> b.tokenResponse(app, null).status() == 200);

        App jwtApp = a.create(Map.of("name", "jwt", "user", "alice", "tokenFormat", "jwt"));
        String oldKid = kidOf(b.token(jwtApp));
        a.admin("POST", "/admin/api/keys/rotate", null);
        millisUntil(() -> !kidOf(b.token(jwtApp)).equals(oldKid));
        String fromB = b.token(jwtApp);
        assertThat(a.get("/oauth2/jwks").body()).contains(kidOf(fromB)).contains(oldKid);
        assertThat(a.query(fromB, "SELECT * FROM Invoice;").status()).isEqualTo(200);
    }

    @Test
    void aLoginSessionStartedOnOneNodeIsKnownOnTheOtherAndEndsEverywhere() {
        Person onA = new Person(a);
        assertThat(onA.logIn("alice", "alice").status()).isEqualTo(303);
        Person onB = onA.on(b);
        Response home = onB.get("/account/");
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.body()).contains("Alice Rossi");
        assertThat(onB.submit("/account/logout", Map.of()).status()).as("a form from node B posted to node B").isEqualTo(303);
        assertThat(onA.get("/account/").status()).as("node A no longer knows the session").isEqualTo(303);
    }

    private static String kidOf(String jwt) {
        try {
            return SignedJWT.parse(jwt).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static App interactive(TestServer node) {
        return node.createInteractive("web", Map.of("redirectUris", java.util.List.of("https://crm.example/cb"),
                "scopes", java.util.List.of("openid", "rest.all"), "offlineAccess", true));
    }

    private static dev.ostium.testing.Response exchange(TestServer node, App app, String code) {
        return node.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", "https://crm.example/cb"));
    }

    @Test
    void aCodeIsSingleUseAcrossNodesAndItsReplayRevokesOnBoth() throws Exception {
        App app = interactive(a);
        String code = a.issueCode(app, "alice", "https://crm.example/cb", "openid rest.all", null, null);
        var first = exchange(b, app, code);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String access = first.json().path("access_token").asText();
        assertThat(active(a, app, access)).isTrue();

        var replay = exchange(a, app, code);
        assertThat(replay.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(active(a, app, access)).isFalse();
        long ms = millisUntil(() -> !active(b, app, access));
        assertThat(ms).isLessThan(2000);
    }

    /** alice's first refresh token for the app, from a code exchanged on node A. */
    private static String firstRefreshToken(App app) {
        return exchange(a, app, a.issueCode(app, "alice", "https://crm.example/cb", "openid rest.all", null, null))
                .json().path("refresh_token").asText();
    }

    @Test
    void aRefreshTokenRotatedOnOneNodeIsRefusedOnTheOtherAtOnce() {
        App app = interactive(a);
        String rt = firstRefreshToken(app);
        var rotated = a.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", rt));
        assertThat(rotated.status()).isEqualTo(200);
        String next = rotated.json().path("refresh_token").asText();
        // No waiting: the rotation is one row in the shared database, read by the other node on every refresh.
        var reuse = b.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", rt));
        assertThat(reuse.json().path("error").asText()).isEqualTo("invalid_grant");
        var afterReuse = a.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", next));
        assertThat(afterReuse.json().path("error").asText()).isEqualTo("invalid_grant");
    }

    private static dev.ostium.testing.Response refresh(TestServer node, App app, String refreshToken) {
        return node.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    @Test
    void aTokenRememberedOnOneNodeButSpentOnTheOtherIsReuseOnTheFirst() {
        App app = interactive(a);
        String first = firstRefreshToken(app);
        // Handed out by a rotation on A, so A remembers it as live; the client then goes to B with it.
        String onA = refresh(a, app, first).json().path("refresh_token").asText();
        var onB = refresh(b, app, onA);
        assertThat(onB.status()).as(onB.body()).isEqualTo(200);
        String access = onB.json().path("access_token").asText();
        // The same token back on A: A's memory of it is stale, the stored row is not.
        var replay = refresh(a, app, onA);
        assertThat(replay.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(replay.json().path("error_description").asText()).contains("used already");
        assertThat(refresh(b, app, onB.json().path("refresh_token").asText()).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(active(b, app, access)).isFalse();
    }

    @Test
    void aFamilyEndedOnOneNodeIsRefusedAtOnceByTheNodeThatRemembersItsToken() {
        App app = interactive(a);
        String first = firstRefreshToken(app);
        String remembered = refresh(a, app, first).json().path("refresh_token").asText();
        // The person withdraws the consent through node B; A is asked at once, before any change notice can arrive.
        assertThat(b.admin("DELETE", "/admin/api/apps/" + app.clientId() + "/consents/alice", null).status()).isEqualTo(204);
        var refused = refresh(a, app, remembered);
        assertThat(refused.json().path("error").asText()).as(refused.body()).isEqualTo("invalid_grant");
        assertThat(refused.json().path("error_description").asText()).contains("revoked");
        assertThat(refused.body()).doesNotContain("access_token");
    }

    @Test
    void concurrentRefreshesOfOneTokenOnTwoNodesYieldOnePairAndEndTheFamily() throws Exception {
        App app = interactive(a);
        String rt = firstRefreshToken(app);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var onA = pool.submit(() -> a.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", rt)));
            var onB = pool.submit(() -> b.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token", "refresh_token", rt)));
            int ok = (onA.get().status() == 200 ? 1 : 0) + (onB.get().status() == 200 ? 1 : 0);
            assertThat(ok).as("at most one node may win the rotation: %s / %s", onA.get(), onB.get()).isLessThanOrEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aPersonSignedInOnOneNodeApprovesOnTheOtherAndTheCodeWorksOnTheFirst() {
        App app = interactive(a);
        Person onA = new Person(a);
        assertThat(onA.logIn("alice", "alice").status()).isEqualTo(303);
        Person onB = onA.on(b);
        var req = dev.ostium.testing.Authorize.request(app, "https://crm.example/cb", "openid rest.all", Map.of());
        var consent = onB.get(dev.ostium.testing.Authorize.url(req));
        assertThat(consent.status()).as("the session from node A is known on node B: %s", consent).isEqualTo(200);
        var back = dev.ostium.testing.Authorize.decide(onB, consent, "allow");
        String code = dev.ostium.testing.Authorize.query(back.header("Location")).get("code");
        assertThat(exchange(a, app, code).status()).isEqualTo(200);
        // The consent given on B is remembered on A.
        var again = onA.get(dev.ostium.testing.Authorize.url(dev.ostium.testing.Authorize.request(app, "https://crm.example/cb",
                "openid", Map.of())));
        assertThat(again.header("Location")).startsWith("https://crm.example/cb?code=");
    }
}
