package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class IntrospectionAndRevocationTest extends ServerTest {

    private static final String INVOICES = "SELECT * FROM Invoice;";

    @Test
    void anAppIntrospectsItsOwnToken() {
        App app = server.createService("alice", "rest.all.read");
        String token = server.token(app);
        JsonNode info = server.introspect(app, token);
        assertThat(info.path("active").asBoolean()).isTrue();
        assertThat(info.path("client_id").asText()).isEqualTo(app.clientId());
        assertThat(info.path("username").asText()).isEqualTo("alice");
        assertThat(info.path("scope").asText()).isEqualTo("rest.all.read");
        assertThat(info.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(info.path("iss").asText()).isEqualTo(server.base());
        assertThat(info.path("exp").asLong()).isGreaterThan(info.path("iat").asLong());
    }

    @Test
    void anotherAppLearnsNothingUnlessAllowedToIntrospect() {
        App owner = server.createService("alice");
        App nosy = server.createService("bob");
        App gateway = server.create(Map.of("name", "api gateway", "user", "bob", "canIntrospect", true));
        String token = server.token(owner);

        JsonNode hidden = server.introspect(nosy, token);
        assertThat(hidden.path("active").asBoolean()).isFalse();
        assertThat(hidden.size()).isEqualTo(1);

        assertThat(server.introspect(gateway, token).path("active").asBoolean()).isTrue();
    }

    @Test
    void introspectionRequiresClientAuthentication() {
        App app = server.createService("alice");
        String token = server.token(app);
        Response anonymous = server.postForm("/oauth2/introspect", null, null, "token=" + token);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("error").asText()).isEqualTo("invalid_client");
        Response wrong = server.postForm("/oauth2/introspect", app.clientId(), "wrong", "token=" + token);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).startsWith("Basic");
    }

    @Test
    void unknownOrGarbageTokensAreInactive() {
        App app = server.createService("alice");
        for (String t : List.of("nope", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA", "' or 1=1 --", "x".repeat(5000))) {
            assertThat(server.introspect(app, t).path("active").asBoolean()).as(t).isFalse();
        }
    }

    @Test
    void revokingATokenEndsItEverywhereAtOnce() {
        App app = server.createService("alice", "rest.all");
        String token = server.token(app);
        String other = server.token(app);
        assertThat(server.query(token, INVOICES).status()).isEqualTo(200);

        Response r = server.postForm("/oauth2/revoke", app, Map.of("token", token, "token_type_hint", "access_token"));
        assertThat(r.status()).isEqualTo(200);

        assertThat(server.introspect(app, token).path("active").asBoolean()).isFalse();
        Response after = server.query(token, INVOICES);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        // the app's other token is untouched
        assertThat(server.query(other, INVOICES).status()).isEqualTo(200);
    }

    @Test
    void aTokenIsKnownOnlyByItsOwnIdNotAnotherSpellingOfItsKey() {
        App app = server.createService("alice", "rest.all");
        String token = server.token(app);
        byte[] raw = java.util.Base64.getUrlDecoder().decode(token);
        // Byte 15 is the last of the id's eight zero bytes: the same key and the same secret, spelt otherwise.
        raw[15] = 1;
        String respelt = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThat(server.introspect(app, token).path("active").asBoolean()).isTrue();
        assertThat(server.introspect(app, respelt).path("active").asBoolean()).isFalse();
        assertThat(server.query(respelt, INVOICES).status()).isEqualTo(401);
        // So a revocation, which ends the token by its id on every node, leaves no other spelling working.
        assertThat(server.postForm("/oauth2/revoke", app, Map.of("token", token)).status()).isEqualTo(200);
        assertThat(server.query(respelt, INVOICES).status()).isEqualTo(401);
        // An id carrying key 0 (never handed out) is simply unknown.
        byte[] zero = new byte[48];
        zero[0] = (byte) 0x80;
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(zero);
        assertThat(server.introspect(app, none).path("active").asBoolean()).isFalse();
        assertThat(server.postForm("/oauth2/revoke", app, Map.of("token", none)).status()).isEqualTo(200);
    }

    @Test
    void revokingAJwtAccessTokenWorksByItsJti() {
        App app = server.create(Map.of("name", "jwt", "user", "alice", "tokenFormat", "jwt"));
        String token = server.token(app);
        assertThat(server.introspect(app, token).path("jti").asText()).isNotBlank();
        assertThat(server.postForm("/oauth2/revoke", app, Map.of("token", token)).status()).isEqualTo(200);
        assertThat(server.introspect(app, token).path("active").asBoolean()).isFalse();
        assertThat(server.query(token, INVOICES).status()).isEqualTo(401);
    }

    @Test
    void revocationOfUnknownTokensOrOtherAppsTokensIs200AndChangesNothing() {
        App owner = server.createService("alice");
        App other = server.createService("bob");
        String token = server.token(owner);
        assertThat(server.postForm("/oauth2/revoke", other, Map.of("token", token)).status()).isEqualTo(200);
        assertThat(server.introspect(owner, token).path("active").asBoolean()).isTrue();
        assertThat(server.postForm("/oauth2/revoke", owner, Map.of("token", "never-issued")).status()).isEqualTo(200);
        Response noAuth = server.postForm("/oauth2/revoke", null, null, "token=" + token);
        assertThat(noAuth.status()).isEqualTo(401);
        assertThat(server.introspect(owner, token).path("active").asBoolean()).isTrue();
    }

    @Test
    void revokeAllDisableAndDeleteTakeEffectAtOnce() {
        App app = server.createService("alice");
        String a = server.token(app);
        String b = server.token(app);
        assertThat(server.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null).status()).isEqualTo(200);
        assertThat(server.query(a, INVOICES).status()).isEqualTo(401);
        assertThat(server.query(b, INVOICES).status()).isEqualTo(401);
        String fresh = server.token(app);
        assertThat(server.query(fresh, INVOICES).status()).isEqualTo(200);

        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        assertThat(server.query(fresh, INVOICES).status()).isEqualTo(401);
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/enable", null);
        // Enabling the app again does not bring back the tokens disabling ended.
        assertThat(server.query(fresh, INVOICES).status()).isEqualTo(401);
        fresh = server.token(app);
        assertThat(server.query(fresh, INVOICES).status()).isEqualTo(200);

        App gateway = server.create(Map.of("name", "gw", "user", "bob", "canIntrospect", true));
        server.admin("DELETE", "/admin/api/apps/" + app.clientId(), null);
        assertThat(server.query(fresh, INVOICES).status()).isEqualTo(401);
        assertThat(server.introspect(gateway, fresh).path("active").asBoolean()).isFalse();
    }

    @Test
    void expiredTokensAreInactive() {
        App app = server.createService("alice");
        String token = server.token(app);
        try {
            server.clock.advance(Duration.ofMinutes(11));
            assertThat(server.introspect(app, token).path("active").asBoolean()).isFalse();
            assertThat(server.query(token, INVOICES).status()).isEqualTo(401);
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void tokenStatusCountsActiveExpiredAndRevoked() {
        App app = server.createService("alice");
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId() + "/tokens", null).json().path("label").asText())
                .isEqualTo("No active tokens");
        String first = server.token(app);
        server.token(app);
        try {
            server.clock.advance(Duration.ofMinutes(11));
            server.token(app);
            server.token(app);
            server.token(app);
            JsonNode status = server.admin("GET", "/admin/api/apps/" + app.clientId() + "/tokens", null).json();
            assertThat(status.path("active").asLong()).isEqualTo(3);
            assertThat(status.path("expired").asLong()).isEqualTo(2);
            assertThat(status.path("label").asText()).isEqualTo("3 active, 2 expired");
        } finally {
            server.clock.reset();
        }
        server.postForm("/oauth2/revoke", app, Map.of("token", first));
        JsonNode status = server.admin("GET", "/admin/api/apps/" + app.clientId() + "/tokens", null).json();
        assertThat(status.path("revoked").asLong()).isEqualTo(1);
    }
}
