package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A token never carries more than its app and its user are allowed now. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class RightsChangeTest extends ServerTest {

    private static final String INVOICES = "SELECT * FROM Invoice;";

    @Test
    void narrowingAnAppsScopesEndsItsEarlierTokens() {
        App app = server.createService("alice", "rest.all");
        String token = server.token(app);
        Response r = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("scopes", List.of("rest.all.write")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("tokensRevoked").asBoolean()).isTrue();
        assertThat(server.query(token, INVOICES).status()).isEqualTo(401);
        JsonNode introspected = server.introspect(app, token);
        assertThat(introspected.path("active").asBoolean()).isFalse();
    }

    @Test
    void wideningScopesOrRenamingKeepsTokens() {
        App app = server.createService("alice", "rest.all.read");
        String token = server.token(app);
        Response r = server.admin("PATCH", "/admin/api/apps/" + app.clientId(),
                Map.of("scopes", List.of("rest.all.read", "rest.all.write"), "name", "renamed"));
        assertThat(r.json().path("tokensRevoked").asBoolean()).isFalse();
        assertThat(server.query(token, INVOICES).status()).isEqualTo(200);
    }

    @Test
    void changingTheBoundUserEndsTokensOfThePreviousUser() {
        App app = server.createService("alice");
        String token = server.token(app);
        Response r = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("user", "bob"));
        assertThat(r.json().path("tokensRevoked").asBoolean()).isTrue();
        assertThat(server.query(token, INVOICES).status()).isEqualTo(401);
        String bobs = server.token(app);
        assertThat(server.introspect(app, bobs).path("username").asText()).isEqualTo("bob");
    }

    @Test
    void disablingAUserEndsTheirTokensAtOnceAndTheyComeBackOnlyAsNewOnes() {
        App app = server.createService("bob");
        String token = server.token(app);
        assertThat(server.query(token, INVOICES).status()).isEqualTo(200); // cached now
        assertThat(server.admin("POST", "/admin/api/users/bob/disable", null).status()).isEqualTo(200);
        assertThat(server.query(token, INVOICES).status()).isEqualTo(401);
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(400);
        server.admin("POST", "/admin/api/users/bob/enable", null);
        assertThat(server.query(server.token(app), INVOICES).status()).isEqualTo(200);
        assertThat(server.admin("POST", "/admin/api/users/nobody/disable", null).status()).isEqualTo(404);
    }
}
