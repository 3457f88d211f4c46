package dev.ostium.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The console's pages through plain HTTP: who may use them, CSRF, one-time display, templates, audit. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ConsolePagesTest extends ServerTest {

    private Person admin() {
        Person p = new Person(server);
        assertThat(p.logIn("admin", "admin").status()).isEqualTo(303);
        return p;
    }

    @Test
    void peopleNotSignedInAreSentToLoginAndOthersAreRefused() {
        Response anonymous = new Person(server).get("/admin/external-apps");
        assertThat(anonymous.status()).isEqualTo(303);
        assertThat(anonymous.header("Location")).startsWith("/account/login?return_to=");

        Person alice = new Person(server);
        alice.logIn("alice", "alice");
        for (String path : new String[] {"/admin/external-apps", "/admin/templates", "/admin/audit", "/admin/external-apps/new"}) {
            Response r = alice.get(path);
            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(r.header("Content-Type")).startsWith("text/html");
        }
        alice.get("/account/");
        assertThat(alice.submit("/admin/external-apps/settings", Map.of("oauthEnabled", "on")).status()).isEqualTo(403);
        assertThat(server.admin("GET", "/admin/api/settings", null).json().path("usersRotateSecrets").asBoolean()).isTrue();
    }

    @Test
    void everyPageIsUnframeableAndUncachedAndRunsNoInlineScript() {
        Person admin = admin();
        Response r = admin.get("/admin/external-apps");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.body()).doesNotContain("<script>");
    }

    @Test
    void aFormWithoutItsTokenChangesNothing() {
        Person admin = admin();
        App app = server.createService("alice");
        Response forged = admin.post("/admin/external-apps/" + app.clientId() + "/disable", Map.of());
        assertThat(forged.status()).isEqualTo(403);
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json().path("enabled").asBoolean()).isTrue();
        admin.get("/admin/external-apps/" + app.clientId());
        Response real = admin.submit("/admin/external-apps/" + app.clientId() + "/disable", Map.of());
        assertThat(real.status()).isEqualTo(303);
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).json().path("enabled").asBoolean()).isFalse();
    }

    @Test
    void aSecretIsShownOnceToItsAdministratorAndNeverAgain() {
        Person admin = admin();
        admin.get("/admin/external-apps/new?type=service&kind=secret_key");
        Response created = admin.submit("/admin/external-apps/new", Map.of("type", "service", "kind", "secret_key",
                "name", "Once", "user", "bob", "scopes", "rest.all.read"));
        assertThat(created.status()).as(created.body()).isEqualTo(303);
        String shownAt = created.header("Location");
        assertThat(shownAt).contains("/shown-once/");

        // another administrator cannot take it, and after that failed attempt it is gone for everyone
        if (server.node().directory.byUsername("admin2").isEmpty()) {
            server.node().directory.create("admin2", "admin2", "Second Admin", null, null, true);
        }
        Person other = new Person(server);
        assertThat(other.logIn("admin2", "admin2").status()).isEqualTo(303);
        Response stolen = other.get(shownAt);
        assertThat(stolen.status()).isEqualTo(410);
        Response shown = admin.get(shownAt);
        assertThat(shown.status()).isEqualTo(410);

        admin.get("/admin/external-apps/new?type=service&kind=secret_key");
        Response again = admin.submit("/admin/external-apps/new", Map.of("type", "service", "kind", "secret_key",
                "name", "Twice", "user", "bob", "scopes", "rest.all.read"));
        Response page = admin.get(again.header("Location"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        assertThat(page.body()).contains("id=\"client-secret\"");
        // no language link: it would show the page again, and find it gone
        assertThat(page.body()).doesNotContain("hreflang=");
        assertThat(admin.get(again.header("Location")).status()).isEqualTo(410);
        long stored = server.node().db.jdbi().withHandle(h -> h.createQuery("select count(*) from shown_once").mapTo(Long.class).one());
        assertThat(stored).isZero();
    }

    @Test
    void theTableSearchesFiltersAndPages() {
        Person admin = admin();
        String marker = "Findme" + System.nanoTime();
        for (int i = 0; i < 27; i++) server.create(Map.of("name", marker + " " + i, "user", "alice"));
        Response first = admin.get("/admin/external-apps?q=" + marker);
        assertThat(first.body()).contains("Registered applications (27)").contains("Page 1 of 2").contains("rel=\"next\"");
        Response second = admin.get("/admin/external-apps?q=" + marker + "&page=2");
        assertThat(second.body()).contains("Page 2 of 2");
        assertThat(admin.get("/admin/external-apps?q=" + marker + "&type=web").body()).contains("Registered applications (0)");
        assertThat(admin.get("/admin/external-apps?q=" + marker + "&state=disabled").body()).contains("Registered applications (0)");
        assertThat(admin.get("/admin/external-apps?q=%25%27%20or%201%3D1").status()).isEqualTo(200);
    }

    @Test
    void aTemplateInUseCannotBeDeleted() {
        Person admin = admin();
        admin.get("/admin/templates/new");
        assertThat(admin.submit("/admin/templates/new", Map.of("name", "kept", "scopes", "openid", "tokenFormat", "opaque",
                "codeTtl", "600", "accessTokenTtl", "600", "refreshTokenTtl", "86400", "idTokenTtl", "3600",
                "refreshRetryWindow", "0")).status()).isEqualTo(303);
        server.create(Map.of("name", "follower", "type", "spa", "template", "kept", "scopes", java.util.List.of("openid"),
                "redirectUris", java.util.List.of("https://spa.example/cb")));
        admin.get("/admin/templates");
        Response refused = admin.submit("/admin/templates/kept/delete", Map.of());
        assertThat(refused.header("Location")).contains("error=in_use");
        assertThat(admin.get(refused.header("Location")).body()).contains("cannot be deleted");
        assertThat(server.admin("GET", "/admin/api/templates/kept", null).status()).isEqualTo(200);
        // A template that is not there is not "in use": it is not found.
        Response missing = admin.submit("/admin/templates/never-made/delete", Map.of());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Location")).isNull();
    }

    @Test
    void theDefaultTemplateOffersNoDeleteAndKeepsItsName() {
        Person admin = admin();
        Response list = admin.get("/admin/templates");
        assertThat(list.body()).doesNotContain("action=\"/admin/templates/default/delete\"");
        Response form = admin.get("/admin/templates/default");
        assertThat(form.body()).contains("keeps its name and cannot be deleted").contains("maxlength=\"100\" readonly");

        Response deleted = admin.submit("/admin/templates/default/delete", Map.of());
        assertThat(deleted.header("Location")).contains("error=default");
        assertThat(admin.get(deleted.header("Location")).body()).contains("The default template cannot be deleted");
        admin.get("/admin/templates/default");
        Response renamed = admin.submit("/admin/templates/default", Map.of("name", "standard", "scopes", "openid",
                "tokenFormat", "opaque", "codeTtl", "600", "accessTokenTtl", "600", "refreshTokenTtl", "1209600",
                "idTokenTtl", "3600", "refreshRetryWindow", "0"));
        assertThat(renamed.status()).isEqualTo(400);
        assertThat(renamed.body()).contains("keeps its name");
        assertThat(server.admin("GET", "/admin/api/templates/default", null).json().path("scopes").size()).isEqualTo(8);
    }

    @Test
    void theAuditPageFiltersAndExports() {
        Person admin = admin();
        App app = server.createService("alice");
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        Response page = admin.get("/admin/audit?app=" + app.clientId());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("app.disabled").contains("app.created");
        Response csv = admin.get("/admin/audit.csv?app=" + app.clientId() + "&kind=app.disabled");
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.header("Cache-Control")).isEqualTo("no-store");
        assertThat(csv.body().lines().count()).isEqualTo(2);
        Response badDate = admin.get("/admin/audit?from=notadate");
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(badDate.body()).doesNotContain("value=\"notadate\"");
        assertThat(admin.get("/admin/audit?from=2026-13-45").body()).doesNotContain("value=\"2026-13-45\"");
        Response badCsv = admin.get("/admin/audit.csv?from=notadate");
        assertThat(badCsv.status()).isEqualTo(400);
        assertThat(badCsv.header("Content-Type")).startsWith("text/html");
        assertThat(admin.get("/admin/audit?from=%2B999999999-01-01T00:00:00Z").status()).isEqualTo(200);
        assertThat(admin.get("/admin/audit.csv?from=-999999999-01-01T00:00:00Z").status()).isEqualTo(200);
    }
}
