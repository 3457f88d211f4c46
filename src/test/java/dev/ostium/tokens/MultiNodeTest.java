package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
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
        millisUntil(() -> b.query(token, "SELECT * FROM Invoice;").status() == 200);
        a.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
        millisUntil(() -> b.query(token, "SELECT * FROM Invoice;").status() == 401);
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

    private static String kidOf(String jwt) {
        try {
            return SignedJWT.parse(jwt).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }
}
