package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Restarting the server loses nothing: apps, keys, token records, revocations, settings. */
class RestartTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.class)
    void everythingSurvivesARestart(TestDatabase database) throws Exception {
        TestServer server = TestServer.start(database);
        try {
            App app = server.createService("alice", "rest.all.read");
            App jwtApp = server.create(Map.of("name", "jwt", "user", "bob", "tokenFormat", "jwt"));
            App disabled = server.createService("bob");
            String kept = server.token(app);
            String revoked = server.token(app);
            String jwt = server.token(jwtApp);
            String beforeRevokeAll = server.token(disabled);
            server.postForm("/oauth2/revoke", app, Map.of("token", revoked));
            server.admin("POST", "/admin/api/apps/" + disabled.clientId() + "/revoke-tokens", null);
            server.admin("POST", "/admin/api/apps/" + disabled.clientId() + "/disable", null);
            server.setSettings(Map.of("usersRotateSecrets", false));
            String jwksBefore = server.get("/oauth2/jwks").body();

            server.restart();

            assertThat(JWKSet.parse(server.get("/oauth2/jwks").body()).getKeys())
                    .containsExactlyInAnyOrderElementsOf(JWKSet.parse(jwksBefore).getKeys());
            assertThat(server.tokenResponse(app, null).status()).isEqualTo(200);
            assertThat(server.introspect(app, kept).path("active").asBoolean()).isTrue();
            assertThat(server.query(kept, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            assertThat(server.introspect(app, revoked).path("active").asBoolean()).isFalse();
            assertThat(server.query(jwt, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            assertThat(server.tokenResponse(disabled, null).status()).isEqualTo(401);
            server.admin("POST", "/admin/api/apps/" + disabled.clientId() + "/enable", null);
            assertThat(server.introspect(disabled, beforeRevokeAll).path("active").asBoolean()).isFalse();
            assertThat(server.admin("GET", "/admin/api/settings", null).json().path("usersRotateSecrets").asBoolean()).isFalse();
            assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId() + "/tokens", null).json().path("label").asText())
                    .isEqualTo("2 active, 1 revoked");
        } finally {
            server.destroy();
        }
    }
}
