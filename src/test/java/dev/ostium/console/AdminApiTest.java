package dev.ostium.console;

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

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AdminApiTest extends ServerTest {

    @Test
    void onlyAdministratorsMayUseIt() {
        Response none = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/admin/api/apps"))).build());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Basic realm=\"ostium-admin\"");
        assertThat(server.adminAs("admin:wrong", "GET", "/admin/api/apps", null).status()).isEqualTo(401);
        // A non-administrator's right password gets exactly the answer of a wrong one: no password oracle.
        Response wrong = server.adminAs("alice:wrong", "GET", "/admin/api/apps", null);
        Response alice = server.adminAs("alice:alice", "GET", "/admin/api/apps", null);
        assertThat(alice.status()).isEqualTo(401).isEqualTo(wrong.status());
        assertThat(alice.body()).isEqualTo(wrong.body());
        assertThat(alice.header("WWW-Authenticate")).isEqualTo(wrong.header("WWW-Authenticate"));
        assertThat(server.adminAs("alice:alice", "POST", "/admin/api/apps", Map.of("name", "x", "user", "alice")).status()).isEqualTo(401);
    }

    @Test
    void createShowsTheSecretOnceAndListsTheApp() {
        Response created = server.admin("POST", "/admin/api/apps", Map.of("name", "Gestionale", "description", "reads invoices",
                "user", "alice", "scopes", List.of("rest.all.read")));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        JsonNode app = created.json();
        String clientId = app.path("clientId").asText();
        assertThat(app.path("clientSecret").asText()).hasSize(43);
        assertThat(app.path("type").asText()).isEqualTo("service");
        assertThat(app.path("typeLabel").asText()).isEqualTo("Service account");
        assertThat(app.path("secretType").asText()).isEqualTo("secret_key");
        assertThat(app.path("user").asText()).isEqualTo("alice");
        assertThat(app.path("tokenFormat").asText()).isEqualTo("opaque");
        assertThat(app.path("enabled").asBoolean()).isTrue();
        assertThat(app.path("tokenStatus").path("label").asText()).isEqualTo("No active tokens");

        Response get = server.admin("GET", "/admin/api/apps/" + clientId, null);
        assertThat(get.header("Cache-Control")).isEqualTo("no-store");
        JsonNode shown = get.json();
        assertThat(shown.has("clientSecret")).isFalse();
        assertThat(shown.path("description").asText()).isEqualTo("reads invoices");
        JsonNode list = server.admin("GET", "/admin/api/apps", null).json();
        assertThat(list.findValuesAsText("clientId")).contains(clientId);
    }

    @Test
    void updateChangesWhatTheAppGets() {
        App app = server.createService("alice", "rest.all.read");
        Response r = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("name", "Renamed",
                "scopes", List.of("rest.all.read", "rest.all.write"), "user", "bob", "tokenFormat", "jwt", "accessTokenTtl", 120));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("Renamed");
        assertThat(r.json().path("user").asText()).isEqualTo("bob");
        Response token = server.tokenResponse(app, "rest.all.write");
        assertThat(token.status()).isEqualTo(200);
        assertThat(token.json().path("expires_in").asLong()).isEqualTo(120);
        assertThat(token.json().path("access_token").asText()).contains(".");
        assertThat(server.introspect(app, token.json().path("access_token").asText()).path("username").asText()).isEqualTo("bob");
    }

    @Test
    void rotatingTheSecretShowsTheNewOneOnceAndRetiresTheOld() {
        App app = server.createService("alice");
        Response r = server.admin("POST", "/admin/api/apps/" + app.clientId() + "/secret", null);
        assertThat(r.status()).isEqualTo(200);
        String fresh = r.json().path("clientSecret").asText();
        assertThat(fresh).isNotEqualTo(app.secret()).hasSize(43);
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(401);
        assertThat(server.tokenResponse(new App(app.clientId(), fresh, null), null).status()).isEqualTo(200);
    }

    @Test
    void invalidRequestsAreRefusedWithReasonsAndStoreNothing() {
        long apps = server.count("apps");
        List<Map<String, Object>> bad = List.of(
                Map.of("user", "alice"),
                Map.of("name", "x"),
                Map.of("name", "x", "user", "nobody"),
                Map.of("name", "x", "user", "alice", "scopes", List.of("superpowers")),
                Map.of("name", "x", "user", "alice", "scopes", List.of()),
                Map.of("name", "x", "user", "alice", "type", "web"),
                Map.of("name", "x", "user", "alice", "type", "robot"),
                Map.of("name", "x", "user", "alice", "secretType", "password"),
                Map.of("name", "x", "user", "alice", "tokenFormat", "xml"),
                Map.of("name", "x", "user", "alice", "accessTokenTtl", 5),
                Map.of("name", "x", "user", "alice", "expiresAt", "tomorrow"),
                Map.of("name", "x", "user", "alice", "publicKey", "abc"),
                Map.of("name", "x", "user", "alice", "unknownField", true),
                Map.of("name", "x".repeat(300), "user", "alice"),
                Map.of("name", "x'); DROP TABLE apps; --", "user", "alice' OR '1'='1"));
        for (Map<String, Object> spec : bad) {
            Response r = server.admin("POST", "/admin/api/apps", spec);
            assertThat(r.status()).as(spec + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
            assertThat(r.json().path("error_description").asText()).isNotBlank();
        }
        assertThat(server.admin("POST", "/admin/api/apps", "{not json").json().path("error_description").asText())
                .isEqualTo("the body is not valid JSON");
        assertThat(server.admin("POST", "/admin/api/apps", "[]").json().path("error_description").asText())
                .isEqualTo("the body must be a JSON object");
        assertThat(server.admin("POST", "/admin/api/apps", Map.of("name", "x", "user", "alice", "accessTokenTtl", "soon"))
                .json().path("error_description").asText()).isEqualTo("field 'accessTokenTtl' has the wrong type");
        // Values are read as typed: nothing is coerced into a field of another type.
        Map<String, Object> wrongTypes = new java.util.LinkedHashMap<>();
        wrongTypes.put("name", 5);
        wrongTypes.put("description", true);
        wrongTypes.put("offlineAccess", 1);
        wrongTypes.put("openToAll", "false");
        wrongTypes.put("accessTokenTtl", "600");
        wrongTypes.put("scopes", "openid");
        wrongTypes.put("redirectUris", List.of(List.of("https://a.example/cb")));
        wrongTypes.forEach((field, value) -> {
            Map<String, Object> spec = new java.util.LinkedHashMap<>(Map.of("name", "x", "type", "web",
                    "redirectUris", List.of("https://a.example/cb")));
            spec.put(field, value);
            Response r = server.admin("POST", "/admin/api/apps", spec);
            assertThat(r.status()).as(spec + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).as(field).isEqualTo("field '" + field + "' has the wrong type");
        });
        assertThat(server.admin("POST", "/admin/api/templates", Map.of("name", 5)).json().path("error_description").asText())
                .isEqualTo("field 'name' has the wrong type");
        assertThat(server.admin("POST", "/admin/api/apps", Map.of("name", "x", "user", "alice", "colour", "red"))
                .json().path("error_description").asText()).isEqualTo("unknown field 'colour'");
        // A field twice, or bytes that are not UTF-8, are named as what they are.
        assertThat(server.admin("POST", "/admin/api/apps", "{\"name\":\"x\",\"name\":\"y\",\"user\":\"alice\"}")
                .json().path("error_description").asText()).isEqualTo("field 'name' is given twice");
        Response notUtf8 = server.admin("POST", "/admin/api/apps", new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, '"', '}'});
        assertThat(server.admin("POST", "/admin/api/apps", "{\"name\":\"x\",\"user\":\"alice\",\"accessTokenTtl\":99999999999999999999}")
                .json().path("error_description").asText()).isEqualTo("field 'accessTokenTtl' has the wrong type");
        assertThat(notUtf8.status()).isEqualTo(400);
        assertThat(notUtf8.json().path("error_description").asText()).isEqualTo("the body is not UTF-8");
        assertThat(server.count("apps")).isEqualTo(apps);
    }

    @Test
    void aBodyIsOneJsonObjectOfWellFormedTextOrNothingIsStored() {
        App app = server.createInteractive("web", Map.of("name", "Kept"));
        String path = "/admin/api/apps/" + app.clientId();
        long templates = server.count("client_templates");
        long events = server.count("audit_events");
        String sharing = server.admin("GET", "/admin/api/crm/sharing", null).body();
        Map<String, Object> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"name\":\"changed\"} this is not JSON", "the body is not valid JSON");
        refused.put("{\"name\":\"changed\"} {\"name\":\"again\"}", "the body is not valid JSON");
        refused.put("{\"name\":\"changed\"}]", "the body is not valid JSON");
        refused.put("{\"name\":\"a\\ud800b\"}", "field 'name' holds half of a surrogate pair: not valid Unicode text");
        refused.put("{\"name\":\"a\\udc00\\ud800b\"}", "field 'name' holds half of a surrogate pair: not valid Unicode text");
        refused.put("{\"redirectUris\":[\"https://a.example/\\udc00\"]}",
                "field 'redirectUris' holds half of a surrogate pair: not valid Unicode text");
        refused.put("{\"na\\ud800me\":\"x\"}", "the body is not valid JSON");
        refused.forEach((body, reason) -> {
            Response r = server.admin("PATCH", path, body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
            assertThat(r.json().path("error_description").asText()).as(body).isEqualTo(reason);
        });
        // The same half pair sent as raw bytes (UTF-8 has no encoding for it).
        byte[] raw = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', 'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'};
        Response rawHalf = server.admin("PATCH", path, raw);
        assertThat(rawHalf.status()).isEqualTo(400);
        assertThat(rawHalf.json().path("error_description").asText()).isEqualTo("the body is not UTF-8");
        Response template = server.admin("POST", "/admin/api/templates", "{\"name\":\"tpl-trailing\"}]]]{");
        assertThat(template.status()).isEqualTo(400);
        assertThat(server.admin("PUT", "/admin/api/settings", "{\"oauthEnabled\":false} x").status()).isEqualTo(400);
        assertThat(server.admin("PUT", "/admin/api/crm/sharing", "{\"Accounts\":\"public_read_write\"} x").status()).isEqualTo(400);
        assertThat(server.admin("GET", path, null).json().path("name").asText()).isEqualTo("Kept");
        assertThat(server.count("client_templates")).isEqualTo(templates);
        assertThat(server.admin("GET", "/admin/api/settings", null).json().path("oauthEnabled").asBoolean()).isTrue();
        assertThat(server.admin("GET", "/admin/api/crm/sharing", null).body()).isEqualTo(sharing);
        assertThat(server.count("audit_events")).isEqualTo(events);

        // A whole pair, escaped or not, is text like any other.
        Response paired = server.admin("PATCH", path, "{\"name\":\"Caf\\u00e9 \\ud83d\\ude00\",\"description\":\"\uD83D\uDE00\"}");
        assertThat(paired.status()).as(paired.body()).isEqualTo(200);
        assertThat(paired.json().path("name").asText()).isEqualTo("Café \uD83D\uDE00");
        assertThat(server.admin("GET", path, null).json().path("description").asText()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void unknownAppsAre404() {
        for (String path : List.of("/admin/api/apps/ost_nope", "/admin/api/apps/ost_nope/tokens")) {
            Response r = server.admin("GET", path, null);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().path("error").asText()).isEqualTo("not_found");
        }
        assertThat(server.admin("DELETE", "/admin/api/apps/ost_nope", null).status()).isEqualTo(404);
        assertThat(server.admin("POST", "/admin/api/apps/ost_nope/secret", null).status()).isEqualTo(404);
        Response nobody = server.admin("POST", "/admin/api/users/nobody/disable", null);
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.json().path("error_description").asText()).isEqualTo("no user 'nobody'");
    }

    @Test
    void secretKeyAppsHaveNoKeysAndSignedJwtAppsHaveNoSecret() {
        App secretApp = server.createService("alice");
        assertThat(server.admin("POST", "/admin/api/apps/" + secretApp.clientId() + "/keys", null).status()).isEqualTo(400);
        App signed = server.create(Map.of("name", "s", "user", "alice", "secretType", "signed_jwt"));
        assertThat(server.admin("POST", "/admin/api/apps/" + signed.clientId() + "/secret", null).status()).isEqualTo(400);
    }

    @Test
    void settingsReadAndUpdate() {
        JsonNode s = server.admin("GET", "/admin/api/settings", null).json();
        assertThat(s.path("oauthEnabled").asBoolean()).isTrue();
        assertThat(s.path("usersRotateSecrets").asBoolean()).isTrue();
        assertThat(s.path("adminConnections").asBoolean()).isFalse();
        try {
            JsonNode changed = server.admin("PUT", "/admin/api/settings", Map.of("usersRotateSecrets", false)).json();
            assertThat(changed.path("usersRotateSecrets").asBoolean()).isFalse();
            assertThat(changed.path("oauthEnabled").asBoolean()).isTrue();
            assertThat(server.admin("PUT", "/admin/api/settings", Map.of("oauthEnabled", "yes")).status()).isEqualTo(400);
            // null is not a switch position: refused, and nothing is changed or recorded.
            long events = server.count("audit_events");
            assertThat(server.admin("PUT", "/admin/api/settings", "{\"oauthEnabled\":null}").status()).isEqualTo(400);
            assertThat(server.count("audit_events")).isEqualTo(events);
        } finally {
            server.setSettings(Map.of("usersRotateSecrets", true));
        }
    }

    @Test
    void endpointsOfTheRunningServerAreShown() {
        JsonNode e = server.admin("GET", "/admin/api/endpoints", null).json();
        assertThat(e.path("token").asText()).isEqualTo(server.url("/oauth2/token"));
        assertThat(e.path("revocation").asText()).isEqualTo(server.url("/oauth2/revoke"));
        assertThat(e.path("introspection").asText()).isEqualTo(server.url("/oauth2/introspect"));
    }

    @Test
    void signingKeysCanBeListedAndRotated() {
        JsonNode before = server.admin("GET", "/admin/api/keys", null).json();
        assertThat(before.findValuesAsText("alg")).contains("ES256", "RS256");
        JsonNode after = server.admin("POST", "/admin/api/keys/rotate", null).json();
        assertThat(after.size()).isEqualTo(before.size() + 2);
    }
}
