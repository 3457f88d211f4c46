package dev.ostium.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Who did what, when and from where: readable by administrators, filterable, exportable, never a secret. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AuditTrailTest extends ServerTest {

    private JsonNode events(String query) {
        Response r = server.admin("GET", "/admin/api/audit" + query, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("events");
    }

    private static List<String> kinds(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("kind").asText()));
        return out;
    }

    @Test
    void everyAdministrativeChangeToAnAppIsRecordedWithWhoAndWhere() {
        App app = server.createService("alice");
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("name", "Renamed ERP"));
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/secret", null);
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/enable", null);
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
        server.admin("DELETE", "/admin/api/apps/" + app.clientId(), null);

        JsonNode trail = events("?app=" + app.clientId());
        assertThat(kinds(trail)).containsExactly("app.deleted", "app.tokens_revoked", "app.enabled", "app.disabled",
                "app.secret_rotated", "app.updated", "app.created");
        JsonNode updated = trail.get(5);
        assertThat(updated.path("actor").asText()).isEqualTo("admin");
        assertThat(updated.path("address").asText()).isEqualTo("127.0.0.1");
        assertThat(updated.path("detail").asText()).contains("Renamed ERP");
        // The rotated secret is in the answer to the admin, never in the trail.
        assertThat(server.admin("GET", "/admin/api/audit.csv?app=" + app.clientId(), null).body()).doesNotContain(app.secret());
    }

    @Test
    void failedLoginsAndClientAuthenticationsSettingsAndUserChangesAreRecorded() {
        App app = server.createService("bob");
        server.adminAs("admin:nope", "GET", "/admin/api/apps", null);
        server.postForm("/oauth2/token", app.clientId(), "wrong-secret", "grant_type=client_credentials");
        server.setSettings(Map.of("usersRotateSecrets", false));
        server.setSettings(Map.of("usersRotateSecrets", true));
        server.admin("POST", "/admin/api/users/bob/disable", null);
        server.admin("POST", "/admin/api/users/bob/enable", null);
        String token = server.token(app);
        server.postForm("/oauth2/revoke", app, Map.of("token", token));

        assertThat(kinds(events("?kind=login.failed&user=admin"))).isNotEmpty();
        JsonNode clientFailure = events("?kind=client_auth.failed&app=" + app.clientId());
        assertThat(clientFailure.size()).isEqualTo(1);
        assertThat(clientFailure.toString()).doesNotContain("wrong-secret");
        assertThat(kinds(events("?kind=settings.changed"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(kinds(events("?user=bob&kind=user."))).containsExactly("user.enabled", "user.disabled");
        assertThat(kinds(events("?app=" + app.clientId() + "&kind=token.revoked"))).containsExactly("token.revoked");
    }

    @Test
    void pagesFollowOneAnotherAndTimeFiltersApply() {
        App app = server.createService("alice");
        for (int i = 0; i < 5; i++) server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("name", "n" + i));
        JsonNode first = server.admin("GET", "/admin/api/audit?app=" + app.clientId() + "&limit=4", null).json();
        assertThat(first.path("events").size()).isEqualTo(4);
        long next = first.path("next").asLong();
        JsonNode second = server.admin("GET", "/admin/api/audit?app=" + app.clientId() + "&limit=4&before=" + next, null).json();
        assertThat(kinds(second.path("events"))).containsExactly("app.updated", "app.created");
        assertThat(events("?app=" + app.clientId() + "&from=2999-01-01T00:00:00Z").size()).isZero();
        assertThat(server.admin("GET", "/admin/api/audit?from=yesterday", null).status()).isEqualTo(400);
        // Instants beyond what milliseconds since 1970 can count still filter by order, not fail.
        assertThat(events("?app=" + app.clientId() + "&from=%2B999999999-01-01T00:00:00Z").size()).isZero();
        assertThat(events("?app=" + app.clientId() + "&from=-999999999-01-01T00:00:00Z").size()).isEqualTo(6);
        assertThat(events("?app=" + app.clientId() + "&to=-999999999-01-01T00:00:00Z").size()).isZero();
        assertThat(server.admin("GET", "/admin/api/audit.csv?to=%2B999999999-01-01T00:00:00Z", null).status()).isEqualTo(200);
    }

    @Test
    void userAndFamilyFiltersFindEachEventOnceNewestFirstAcrossPagesOfOneMillisecond() {
        AuditTrail trail = server.node().audit;
        String u = "walker" + System.nanoTime();
        server.clock.freeze();
        try {
            // Recorded in the same millisecond: the id orders them.
            trail.record(AuditEvent.of("walk.one", u, null, null, "10.0.0.1", null));
            trail.record(AuditEvent.of("walk.two", "admin", null, u, "10.0.0.1", null));
            trail.record(AuditEvent.of("walk.one", u, null, u, "10.0.0.1", null)); // actor and person concerned
            trail.record(AuditEvent.of("walkers.three", u, null, null, "10.0.0.1", null));
            trail.record(AuditEvent.of("walk.two", "admin", null, "somebody-else", "10.0.0.1", null));

            List<AuditEvent> mine = trail.find(new AuditTrail.Filter(null, u, null, null, null, null), 10);
            assertThat(mine).extracting(AuditEvent::kind).containsExactly("walkers.three", "walk.one", "walk.two", "walk.one");
            List<AuditEvent> first = trail.find(new AuditTrail.Filter(null, u, null, null, null, null), 2);
            List<AuditEvent> second = trail.find(new AuditTrail.Filter(null, u, null, null, null, first.getLast().id()), 2);
            assertThat(first).extracting(AuditEvent::id).containsExactly(mine.get(0).id(), mine.get(1).id());
            assertThat(second).extracting(AuditEvent::id).containsExactly(mine.get(2).id(), mine.get(3).id());

            // A family is every kind before the dot, never a longer word ("walkers.")
            List<AuditEvent> family = trail.find(new AuditTrail.Filter(null, null, "walk.", null, null, null), 10);
            assertThat(family).extracting(AuditEvent::kind).containsExactly("walk.two", "walk.one", "walk.two", "walk.one");
            List<AuditEvent> older = trail.find(new AuditTrail.Filter(null, null, "walk.", null, null, family.get(1).id()), 10);
            assertThat(older).extracting(AuditEvent::id).containsExactly(family.get(2).id(), family.get(3).id());
            assertThat(trail.find(new AuditTrail.Filter(null, u, "walk.", null, null, null), 10)).hasSize(3);
            assertThat(trail.find(new AuditTrail.Filter(null, null, "nothing-of-the-kind.", null, null, null), 10)).isEmpty();

            // Later events come first; a time range keeps to its events.
            server.clock.advance(Duration.ofMinutes(1));
            trail.record(AuditEvent.of("walk.three", u, null, null, "10.0.0.1", null));
            assertThat(trail.find(new AuditTrail.Filter(null, null, "walk.", null, null, null), 1))
                    .extracting(AuditEvent::kind).containsExactly("walk.three");
            java.time.Instant later = server.clock.instant();
            assertThat(trail.find(new AuditTrail.Filter(null, u, null, later, null, null), 10))
                    .extracting(AuditEvent::kind).containsExactly("walk.three");
            assertThat(trail.find(new AuditTrail.Filter(null, u, null, null, later, null), 10)).hasSize(4);
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void theCsvExportIsSafeToOpenInASpreadsheet() {
        App app = server.create(Map.of("name", "=HYPERLINK(\"http://evil\")", "user", "alice"));
        Response csv = server.admin("GET", "/admin/api/audit.csv?app=" + app.clientId(), null);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.header("Cache-Control")).isEqualTo("no-store");
        assertThat(csv.body()).startsWith("id,time,kind,actor,app,user,address,detail\r\n");
        assertThat(csv.body()).contains("app.created").doesNotContain(",=HYPERLINK");
        assertThat(AuditTrail.csvField("=1+1")).isEqualTo("\"'=1+1\"");
        assertThat(AuditTrail.csvField("a,b")).isEqualTo("\"a,b\"");
    }

    @Test
    void eventsOlderThanTheRetentionAreDropped() {
        server.createService("alice");
        try {
            server.clock.advance(Duration.ofDays(400));
            server.node().audit.prune(Duration.ofDays(365));
            assertThat(events("").size()).isZero();
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void nonAdministratorsCannotReadTheTrail() {
        assertThat(server.adminAs("alice:alice", "GET", "/admin/api/audit", null).status()).isEqualTo(401);
    }

    @Test
    void consentsAndFamiliesEndedOnReuseAreRecorded() {
        String redirect = "https://rp.example/cb";
        App web = server.create(Map.of("name", "Audited portal", "type", "web", "redirectUris", List.of(redirect),
                "offlineAccess", true, "scopes", List.of("openid", "profile", "rest.all")));
        dev.ostium.testing.Person alice = new dev.ostium.testing.Person(server);
        Response toLogin = alice.get(dev.ostium.testing.Authorize.url(
                dev.ostium.testing.Authorize.request(web, redirect, "openid profile", Map.of())));
        Response consentPage = dev.ostium.testing.Authorize.logInAt(alice, toLogin, "alice", "alice");
        Response back = dev.ostium.testing.Authorize.decide(alice, consentPage, "allow");
        String code = dev.ostium.testing.Authorize.query(back.header("Location")).get("code");
        JsonNode tokens = server.postForm("/oauth2/token", null, null, dev.ostium.testing.TestServer.form(Map.of(
                "grant_type", "authorization_code", "code", code, "redirect_uri", redirect,
                "client_id", web.clientId(), "client_secret", web.secret()))).json();
        String refresh = tokens.path("refresh_token").asText();
        Map<String, String> refreshWith = Map.of("grant_type", "refresh_token", "refresh_token", refresh,
                "client_id", web.clientId(), "client_secret", web.secret());
        assertThat(server.postForm("/oauth2/token", null, null, dev.ostium.testing.TestServer.form(refreshWith)).status()).isEqualTo(200);
        assertThat(server.postForm("/oauth2/token", null, null, dev.ostium.testing.TestServer.form(refreshWith)).status()).isEqualTo(400);

        JsonNode granted = events("?kind=consent.granted&app=" + web.clientId());
        assertThat(granted.size()).isEqualTo(1);
        assertThat(granted.get(0).path("subjectUser").asText()).isEqualTo("alice");
        assertThat(granted.get(0).path("detail").asText()).contains("openid profile");
        JsonNode reuse = events("?kind=family.revoked&app=" + web.clientId());
        assertThat(reuse.size()).isEqualTo(1);
        assertThat(reuse.get(0).path("detail").asText()).contains("reuse");
        assertThat(reuse.toString()).doesNotContain(refresh);
    }
}
