package dev.ostium.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The admin API refuses what a browser on another site, or a careless script, could send it. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AdminApiSafetyTest extends ServerTest {

    private HttpRequest.Builder adminPost(String path) {
        return HttpRequest.newBuilder(URI.create(server.url(path)))
                .header("Authorization", TestServer.basic("admin", "admin"))
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void crossSiteRequestsChangeNothing() {
        App app = server.createService("alice");
        Response crossSite = server.send(adminPost("/admin/api/apps/" + app.clientId() + "/disable")
                .header("Content-Type", "application/json").header("Sec-Fetch-Site", "cross-site").build());
        assertThat(crossSite.status()).isEqualTo(403);
        Response foreignOrigin = server.send(adminPost("/admin/api/apps/" + app.clientId() + "/disable")
                .header("Content-Type", "application/json").header("Origin", "https://evil.example").build());
        assertThat(foreignOrigin.status()).isEqualTo(403);
        // A plain HTML form can post without a JSON content type: an empty body still needs it.
        Response formLike = server.send(adminPost("/admin/api/apps/" + app.clientId() + "/disable").build());
        assertThat(formLike.status()).isEqualTo(415);
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json().path("enabled").asBoolean()).isTrue();

        Response sameOrigin = server.send(adminPost("/admin/api/apps/" + app.clientId() + "/disable")
                .header("Content-Type", "application/json").header("Sec-Fetch-Site", "same-origin").build());
        assertThat(sameOrigin.status()).isEqualTo(200);
        assertThat(sameOrigin.json().path("enabled").asBoolean()).isFalse();
    }

    @Test
    void anOutOfRangeDateIsABadRequest() {
        App app = server.createService("alice");
        Response far = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("expiresAt", "+1000000000-01-01T00:00:00Z"));
        assertThat(far.status()).isEqualTo(400);
        assertThat(far.json().path("error_description").asText()).contains("expiresAt");
        Response create = server.admin("POST", "/admin/api/apps",
                Map.of("name", "x", "user", "alice", "expiresAt", "-0001-01-01T00:00:00Z"));
        assertThat(create.status()).isEqualTo(400);
    }

    @Test
    void anExpiryMayFallAnywhereInTheYears1970To9999() {
        App app = server.createService("alice");
        String path = "/admin/api/apps/" + app.clientId();
        for (String last : List.of("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59Z", "2999-06-30T12:00:00Z")) {
            Response r = server.admin("PATCH", path, Map.of("expiresAt", last));
            assertThat(r.status()).as(last + " -> " + r.body()).isEqualTo(200);
            assertThat(r.json().path("expiresAt").asText()).isEqualTo(last);
        }
        for (String outside : List.of("+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z")) {
            Response r = server.admin("PATCH", path, Map.of("expiresAt", outside));
            assertThat(r.status()).as(outside).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).isEqualTo("expiresAt must fall in the years 1970 to 9999");
        }
        assertThat(server.admin("GET", path, null).json().path("expiresAt").asText()).isEqualTo("2999-06-30T12:00:00Z");
        Response first = server.admin("PATCH", path, Map.of("expiresAt", "1970-01-01T00:00:00Z"));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("expiresAt").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void unknownSettingsAreRefused() {
        Response r = server.admin("PUT", "/admin/api/settings", Map.of("oauthEnabled", true, "oauthEnabeld", false));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error_description").asText()).contains("oauthEnabeld");
        assertThat(server.admin("GET", "/admin/api/settings", null).json().path("oauthEnabled").asBoolean()).isTrue();
    }
}
