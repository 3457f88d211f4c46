package dev.ostium.apps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Registering web, single-page and native apps, client templates and consent-screen icons through the admin API. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class InteractiveAppsTest extends ServerTest {

    @Test
    void aWebAppIsConfidentialWithASecretShownOnce() {
        App app = server.createInteractive("web", Map.of("redirectUris", List.of("https://crm.example/cb", "https://crm.example/cb2"),
                "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all"), "offlineAccess", true));
        JsonNode v = app.created();
        assertThat(app.secret()).hasSize(43);
        assertThat(v.path("type").asText()).isEqualTo("web");
        assertThat(v.path("secretType").asText()).isEqualTo("secret_key");
        assertThat(v.path("redirectUris").toString()).isEqualTo("[\"https://crm.example/cb\",\"https://crm.example/cb2\"]");
        assertThat(v.path("offlineAccess").asBoolean()).isTrue();
        assertThat(v.path("template").asText()).isEqualTo("default");
        assertThat(v.path("lifetimes").path("codeTtl").asLong()).isEqualTo(600);
        assertThat(v.path("lifetimes").path("accessTokenTtl").asLong()).isEqualTo(600);
        assertThat(v.path("lifetimes").path("refreshTokenTtl").asLong()).isEqualTo(14 * 86400);
        assertThat(v.path("lifetimes").path("refreshRetryWindow").asLong()).isZero();
        assertThat(v.path("idTokenAlg").asText()).isEqualTo("ES256");
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).body()).doesNotContain(app.secret());
        // Without a template the lifetimes shown are still the effective ones.
        JsonNode untemplated = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("template", "")).json();
        assertThat(untemplated.path("template").isNull()).as(untemplated.toString()).isTrue();
        assertThat(untemplated.path("lifetimes").path("accessTokenTtl").asLong()).isEqualTo(600);
    }

    @Test
    void spaAndNativeAppsArePublicClientsWithoutSecret() {
        App spa = server.createInteractive("spa", Map.of("redirectUris", List.of("https://spa.example/")));
        assertThat(spa.secret()).isNull();
        assertThat(spa.created().path("secretType").asText()).isEqualTo("none");
        App nativeApp = server.createInteractive("native", Map.of("redirectUris", List.of("http://127.0.0.1/callback", "com.example.app:/oauth")));
        assertThat(nativeApp.secret()).isNull();
        Response withSecret = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "spa", "secretType", "secret_key",
                "redirectUris", List.of("https://spa.example/")));
        assertThat(withSecret.status()).isEqualTo(400);
        assertThat(withSecret.json().path("error_description").asText()).contains("public client");
    }

    @Test
    void redirectUrisThatCouldOpenARedirectAreRefusedAndNothingIsStored() {
        long before = server.count("apps");
        for (String uri : List.of("javascript:alert(1)", "https://app.example/cb#frag", "https://user:pw@app.example/cb",
                "http://app.example/cb", "/relative/cb", "https://app.example/c b", "data:text/html,hi", "ftp://app.example/x",
                "https://аpp.example/cb", "https://app.example:0/cb", "https://app.example:65536/cb")) {
            Response r = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "web", "redirectUris", List.of(uri)));
            assertThat(r.status()).as(uri + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).startsWith("redirectUris");
        }
        // A query naming what the answer adds would bring it back twice (the app's value and ours).
        for (String uri : List.of("https://app.example/cb?state=1", "https://app.example/cb?x=1&code=2", "https://app.example/cb?iss",
                "https://app.example/cb?st%61te=1", "https://app.example/cb?error=x")) {
            Response r = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "web", "redirectUris", List.of(uri)));
            assertThat(r.status()).as(uri + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).startsWith("redirectUris").contains("of its own");
        }
        Response logoutState = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "web",
                "redirectUris", List.of("https://app.example/cb?tenant=1"), "postLogoutRedirectUris", List.of("https://app.example/bye?state=1")));
        assertThat(logoutState.status()).isEqualTo(400);
        assertThat(logoutState.json().path("error_description").asText()).startsWith("postLogoutRedirectUris");
        Response hugePort = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "native",
                "redirectUris", List.of("http://127.0.0.1:99999999999/cb")));
        assertThat(hugePort.status()).isEqualTo(400);
        assertThat(hugePort.json().path("error_description").asText()).contains("valid host and port");
        Response none = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "web"));
        assertThat(none.status()).isEqualTo(400);
        Response serviceWithRedirect = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "user", "alice",
                "redirectUris", List.of("https://app.example/cb")));
        assertThat(serviceWithRedirect.status()).isEqualTo(400);
        assertThat(server.count("apps")).isEqualTo(before);
    }

    @Test
    void namesThatCannotServeAsNamesAreRefusedByTheirField() {
        for (String dots : List.of(".", "..", " ... ")) {
            Response r = server.admin("POST", "/admin/api/templates", Map.of("name", dots));
            assertThat(r.status()).as(dots).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).contains("only dots");
        }
        App app = server.createInteractive("web", Map.of());
        Response longConsentName = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("consentName", "n".repeat(5000)));
        assertThat(longConsentName.status()).isEqualTo(400);
        assertThat(longConsentName.json().path("error_description").asText()).startsWith("consentName is longer than");
    }

    @Test
    void invisibleFormattingCharactersCannotDisguiseWhatTheConsentScreenShows() {
        App app = server.createInteractive("web", Map.of("name", "Payroll", "consentName", "Payroll", "description", "Pays people"));
        long apps = server.count("apps");
        // A right-to-left override, a zero-width space, an isolate, a byte-order mark, a soft hyphen; a Hangul filler, the
        // blank Braille pattern, a Hangul choseong filler, the combining grapheme joiner, a line separator.
        for (String hidden : List.of("\u202E", "\u200B", "\u2066", "\uFEFF", "\u00AD", "\u3164", "\u2800", "\u115F", "\u034F", "\u2028")) {
            String code = String.format("U+%04X", (int) hidden.charAt(0));
            for (String field : List.of("name", "consentName", "description")) {
                String value = "Pay" + hidden + "roll";
                Map<String, Object> spec = new java.util.HashMap<>(Map.of("name", "x", "type", "web",
                        "redirectUris", List.of("https://a.example/cb")));
                spec.put(field, value);
                Response created = server.admin("POST", "/admin/api/apps", spec);
                assertThat(created.status()).as(field + " " + code).isEqualTo(400);
                assertThat(created.json().path("error_description").asText())
                        .isEqualTo(field + " holds the invisible character " + code + ", which can disguise text");
                Response changed = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of(field, value));
                assertThat(changed.status()).as(field + " " + code).isEqualTo(400);
            }
            Response service = server.admin("POST", "/admin/api/apps", Map.of("name", "Batch" + hidden, "user", "alice"));
            assertThat(service.status()).isEqualTo(400);
        }
        assertThat(server.count("apps")).isEqualTo(apps);
        JsonNode kept = server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json();
        assertThat(List.of(kept.path("name").asText(), kept.path("consentName").asText(), kept.path("description").asText()))
                .containsExactly("Payroll", "Payroll", "Pays people");
        // Letters of any script, and characters outside the basic plane, are names like any other.
        Response other = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("name", "Buste paga \u05E9\u05DB\u05E8 \uD83D\uDCB6"));
        assertThat(other.status()).as(other.body()).isEqualTo(200);
    }

    @Test
    void templatesAreListedCreatedUpdatedAndDeleted() {
        JsonNode list = server.admin("GET", "/admin/api/templates", null).json();
        assertThat(list.findValuesAsText("name")).contains("default");
        Response created = server.admin("POST", "/admin/api/templates", Map.of("name", "partners", "scopes", List.of("openid", "rest.all.read"),
                "accessTokenTtl", 300, "refreshTokenTtl", 86400, "refreshRetryWindow", 30));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("codeTtl").asLong()).isEqualTo(600);
        assertThat(created.json().path("accessTokenTtl").asLong()).isEqualTo(300);
        assertThat(created.json().path("refreshRetryWindow").asLong()).isEqualTo(30);

        Response updated = server.admin("PATCH", "/admin/api/templates/partners", Map.of("codeTtl", 120, "description", "for partners"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("codeTtl").asLong()).isEqualTo(120);
        assertThat(updated.json().path("accessTokenTtl").asLong()).isEqualTo(300);

        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("name", "partners"), Map.of("scopes", List.of("openid")),
                Map.of("name", "x", "refreshRetryWindow", 61), Map.of("name", "y", "codeTtl", 3600), Map.of("name", "z", "tokenFormat", "xml"),
                Map.of("name", "w", "scopes", List.of("superpowers")))) {
            Response r = server.admin("POST", "/admin/api/templates", bad);
            assertThat(r.status()).as(bad + " -> " + r.body()).isEqualTo(400);
        }
        assertThat(server.admin("DELETE", "/admin/api/templates/partners", null).status()).isEqualTo(204);
        assertThat(server.admin("GET", "/admin/api/templates/partners", null).status()).isEqualTo(404);
    }

    @Test
    void changingATemplateChangesItsAppsAndATemplateInUseCannotBeDeleted() {
        server.admin("POST", "/admin/api/templates", Map.of("name", "shared", "scopes", List.of("openid", "profile", "rest.all")));
        App app = server.createInteractive("web", Map.of("template", "shared", "scopes", List.of("openid", "profile", "rest.all")));
        assertThat(app.created().path("scopes").size()).isEqualTo(3);
        Response outside = server.admin("POST", "/admin/api/apps", Map.of("name", "x", "type", "web", "template", "shared",
                "redirectUris", List.of("https://a.example/cb"), "scopes", List.of("email")));
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.json().path("error_description").asText()).contains("not allowed by the template");

        server.admin("PATCH", "/admin/api/templates/shared", Map.of("scopes", List.of("openid", "rest.all"), "accessTokenTtl", 120));
        JsonNode now = server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json();
        assertThat(now.path("scopes").toString()).isEqualTo("[\"openid\",\"rest.all\"]");
        assertThat(now.path("lifetimes").path("accessTokenTtl").asLong()).isEqualTo(120);

        Response delete = server.admin("DELETE", "/admin/api/templates/shared", null);
        assertThat(delete.status()).isEqualTo(400);
        assertThat(delete.json().path("error_description").asText()).contains("used by 1 app");
        assertThat(server.admin("GET", "/admin/api/templates/shared", null).status()).isEqualTo(200);
    }

    @Test
    void theDefaultTemplateKeepsItsNameAndCannotBeDeleted() {
        Response renamed = server.admin("PATCH", "/admin/api/templates/default", Map.of("name", "standard"));
        assertThat(renamed.status()).isEqualTo(400);
        assertThat(renamed.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(renamed.json().path("error_description").asText()).startsWith("the template 'default' keeps its name");
        assertThat(server.admin("GET", "/admin/api/templates/standard", null).status()).isEqualTo(404);
        Response deleted = server.admin("DELETE", "/admin/api/templates/default", null);
        assertThat(deleted.status()).isEqualTo(400);
        assertThat(deleted.json().path("error_description").asText()).startsWith("the template 'default' cannot be deleted");

        // Its settings still change, its own name may be sent again, and apps created without a template follow it.
        Response changed = server.admin("PATCH", "/admin/api/templates/default", Map.of("name", "default", "description", "ours"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().path("description").asText()).isEqualTo("ours");
        assertThat(server.createInteractive("spa", Map.of()).created().path("template").asText()).isEqualTo("default");
    }

    @Test
    void aDatabaseThatLostTheDefaultTemplateGetsItBack() {
        // As before the default template was kept: renamed; then the migration that brings it back, and a restart.
        server.node().db.jdbi().useHandle(h -> {
            h.execute("update client_templates set name = 'renamed-default' where name = 'default'");
            h.createScript(migration("V44__default_template_back.sql")).execute();
        });
        server.restart();
        JsonNode restored = server.admin("GET", "/admin/api/templates/default", null).json();
        assertThat(restored.path("scopes").size()).isEqualTo(8);
        assertThat(restored.path("accessTokenTtl").asLong()).isEqualTo(600);
        assertThat(server.admin("GET", "/admin/api/templates/renamed-default", null).status()).isEqualTo(200);
        assertThat(server.createInteractive("web", Map.of()).created().path("template").asText()).isEqualTo("default");
    }

    @Test
    void appsOfANarrowedTemplateCanStillBeChangedButAddNoScopeOutsideIt() {
        server.admin("POST", "/admin/api/templates", Map.of("name", "narrowed", "scopes", List.of("openid", "profile", "rest.all")));
        App app = server.createInteractive("web", Map.of("template", "narrowed", "scopes", List.of("openid", "rest.all")));
        App service = server.create(Map.of("name", "Batch", "user", "alice", "template", "narrowed", "scopes", List.of("rest.all")));
        assertThat(server.admin("PATCH", "/admin/api/templates/narrowed", Map.of("scopes", List.of("openid", "profile"))).status())
                .isEqualTo(200);
        String path = "/admin/api/apps/" + app.clientId();

        // Changes that leave scopes and template alone are stored; the scope the template dropped stays registered.
        Response renamed = server.admin("PATCH", path, Map.of("name", "Renamed", "description", "x", "expiresAt", "2099-01-01T00:00:00Z"));
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(renamed.json().path("name").asText()).isEqualTo("Renamed");
        assertThat(renamed.json().path("expiresAt").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(renamed.json().path("registeredScopes").toString()).isEqualTo("[\"openid\",\"rest.all\"]");
        assertThat(renamed.json().path("scopes").toString()).isEqualTo("[\"openid\"]");
        Response sameAgain = server.admin("PATCH", path, Map.of("template", "narrowed", "scopes", List.of("openid", "rest.all")));
        assertThat(sameAgain.status()).as(sameAgain.body()).isEqualTo(200);
        Response serviceRenamed = server.admin("PATCH", "/admin/api/apps/" + service.clientId(), Map.of("name", "Batch 2"));
        assertThat(serviceRenamed.status()).as(serviceRenamed.body()).isEqualTo(200);

        // A scope added must fit the template; one within it may be added beside the kept one.
        Response added = server.admin("PATCH", path, Map.of("scopes", List.of("openid", "rest.all", "email")));
        assertThat(added.status()).isEqualTo(400);
        assertThat(added.json().path("error_description").asText()).isEqualTo("scope 'email' is not allowed by the template 'narrowed'");
        Response within = server.admin("PATCH", path, Map.of("scopes", List.of("openid", "rest.all", "profile")));
        assertThat(within.status()).as(within.body()).isEqualTo(200);
        assertThat(within.json().path("scopes").toString()).isEqualTo("[\"openid\",\"profile\"]");

        // Another template is checked against every scope the app registers.
        server.admin("POST", "/admin/api/templates", Map.of("name", "other", "scopes", List.of("openid", "profile")));
        Response moved = server.admin("PATCH", path, Map.of("template", "other"));
        assertThat(moved.status()).isEqualTo(400);
        assertThat(moved.json().path("error_description").asText()).isEqualTo("scope 'rest.all' is not allowed by the template 'other'");
        assertThat(server.admin("GET", path, null).json().path("template").asText()).isEqualTo("narrowed");
    }

    @Test
    void authorizedUsersAndGroupsAreStoredByName() {
        App app = server.createInteractive("web", Map.of("authorizedUsers", List.of("alice"), "authorizedGroups", List.of("Support")));
        JsonNode v = server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json();
        assertThat(v.path("openToAll").asBoolean()).isFalse();
        assertThat(v.path("authorizedUsers").toString()).isEqualTo("[\"alice\"]");
        assertThat(v.path("authorizedGroups").toString()).isEqualTo("[\"Support\"]");
        Response open = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("openToAll", true));
        assertThat(open.json().path("openToAll").asBoolean()).isTrue();
        Response unknown = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("authorizedUsers", List.of("nobody")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json().path("authorizedUsers").toString())
                .isEqualTo("[\"alice\"]");
    }

    @Test
    void everyNewFieldCanBeChanged() {
        App app = server.createInteractive("web", Map.of());
        Response r = server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("redirectUris", List.of("https://new.example/cb"),
                "postLogoutRedirectUris", List.of("https://new.example/bye"), "offlineAccess", true, "consentName", "New CRM",
                "idTokenAlg", "RS256", "description", "Our CRM"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode v = r.json();
        assertThat(v.path("redirectUris").toString()).isEqualTo("[\"https://new.example/cb\"]");
        assertThat(v.path("postLogoutRedirectUris").toString()).isEqualTo("[\"https://new.example/bye\"]");
        assertThat(v.path("offlineAccess").asBoolean()).isTrue();
        assertThat(v.path("consentName").asText()).isEqualTo("New CRM");
        assertThat(v.path("idTokenAlg").asText()).isEqualTo("RS256");
        assertThat(server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("idTokenAlg", "HS256")).status()).isEqualTo(400);
    }

    @Test
    void aLargeIconIsScaledTo64PixelsAndOtherFilesAreRefused() throws Exception {
        App app = server.createInteractive("web", Map.of());
        Response up = upload(app, image(300, 150, "png"), "image/png");
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        assertThat(up.json().path("icon").asText()).endsWith("/icon");
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(iconBytes(app)));
        assertThat(stored.getWidth()).isEqualTo(64);
        assertThat(stored.getHeight()).isEqualTo(64);

        // The largest accepted source, decoded subsampled: a few hundred pixels, not a 64 MiB raster.
        Response huge = upload(app, image(4096, 4096, "png"), "image/png");
        assertThat(huge.status()).as(huge.body()).isEqualTo(200);
        BufferedImage fromHuge = ImageIO.read(new ByteArrayInputStream(iconBytes(app)));
        assertThat(fromHuge.getWidth()).isEqualTo(64);
        assertThat(fromHuge.getHeight()).isEqualTo(64);
        Response jpeg = upload(app, image(640, 640, "jpg"), "image/jpeg");
        assertThat(jpeg.status()).isEqualTo(200);
        Response small = upload(app, image(32, 16, "png"), "image/png");
        assertThat(small.status()).isEqualTo(200);
        assertThat(ImageIO.read(new ByteArrayInputStream(iconBytes(app))).getWidth()).isEqualTo(32);

        byte[] gif = image(10, 10, "gif");
        Response refusedType = upload(app, gif, "image/gif");
        assertThat(refusedType.status()).isEqualTo(415);
        assertThat(refusedType.json().path("error_description").asText()).contains("PNG or JPEG");
        Response disguised = upload(app, gif, "image/png");
        assertThat(disguised.status()).isEqualTo(400);
        assertThat(disguised.json().path("error_description").asText()).contains("PNG or JPEG");
        Response garbage = upload(app, "not an image at all".getBytes(), "image/jpeg");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(ImageIO.read(new ByteArrayInputStream(iconBytes(app))).getWidth()).isEqualTo(32);
    }

    private static byte[] image(int w, int h, String format) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < w; x++) img.setRGB(x, h / 2, 0xFF0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static Response upload(App app, byte[] bytes, String type) {
        return server.send(HttpRequest.newBuilder(URI.create(server.url("/admin/api/apps/" + app.clientId() + "/icon")))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes()))
                .header("Content-Type", type).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    }

    private static byte[] iconBytes(App app) {
        byte[] png = server.node().apps.icon(server.node().apps.require(app.clientId())).orElseThrow();
        assertThat(new String(png, 1, 3)).isEqualTo("PNG");
        return png;
    }

    /** A migration's SQL as shipped, to run it on a database made to look as it did before. */
    private static String migration(String file) {
        try (var in = InteractiveAppsTest.class.getResourceAsStream("/db/migration/" + file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
