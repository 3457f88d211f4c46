package dev.ostium.oauth;

import static dev.ostium.oauth.AuthorizationCodeGrantTest.ALL;
import static dev.ostium.oauth.AuthorizationCodeGrantTest.CB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import db.migration.V45__Refresh_chains;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import dev.ostium.tokens.RefreshToken;
import dev.ostium.tokens.Rotations;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenFamily;
import dev.ostium.tokens.TokenIds;
import dev.ostium.tokens.TokenRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2), offline access, and the safe retry of a lost answer. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class RefreshTokenTest extends ServerTest {

    @AfterEach
    void resetClock() {
        server.clock.reset();
    }

    private static App webApp(Map<String, Object> more) {
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("redirectUris", List.of(CB),
                "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all", "rest.all.read"), "offlineAccess", true));
        spec.putAll(more);
        return server.createInteractive("web", spec);
    }

    /** Code exchange as alice: the first token response. */
    private static JsonNode start(App app, String user, String scope) {
        String code = server.issueCode(app, user, CB, scope, null, null);
        Response r = AuthorizationCodeGrantTest.exchangeInBody(app, code, CB);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The ELMA365 manual's refresh request: client_id and client_secret in the body. */
    private static Response refresh(App app, String refreshToken) {
        return server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token=" + refreshToken
                + "&client_id=" + app.clientId() + "&client_secret=" + app.secret());
    }

    /** A resource server allowed to introspect every app's tokens. */
    private static App gateway() {
        return server.create(Map.of("name", "gateway " + System.nanoTime(), "user", "bob", "canIntrospect", true));
    }

    private static boolean active(App app, String access) {
        return server.introspect(app, access).path("active").asBoolean();
    }

    private static String error(Response r) {
        return r.json().path("error").asText();
    }

    @Test
    void everyRefreshRotatesAndReuseRevokesTheWholeFamily() {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", ALL);
        Response r1 = refresh(app, first.path("refresh_token").asText());
        assertThat(r1.status()).as(r1.body()).isEqualTo(200);
        JsonNode second = r1.json();
        assertThat(second.path("refresh_token").asText()).isNotEqualTo(first.path("refresh_token").asText());
        assertThat(second.path("id_token").asText()).isNotEmpty();
        assertThat(server.query(second.path("access_token").asText(), "SELECT * FROM Invoice;").status()).isEqualTo(200);
        JsonNode third = refresh(app, second.path("refresh_token").asText()).json();

        // The first refresh token again: reuse. Every token of the family stops, the newest included.
        Response reuse = refresh(app, first.path("refresh_token").asText());
        assertThat(reuse.status()).isEqualTo(400);
        assertThat(error(reuse)).isEqualTo("invalid_grant");
        assertThat(active(app, first.path("access_token").asText())).isFalse();
        assertThat(active(app, second.path("access_token").asText())).isFalse();
        assertThat(active(app, third.path("access_token").asText())).isFalse();
        assertThat(error(refresh(app, third.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        // Stored so, found along the family's chain: every access token marked revoked, no refresh token left live.
        assertThat(stored(app, "select count(*) from access_tokens where revoked_at is null and app_id = :id")).isZero();
        assertThat(stored(app, "select count(*) from refresh_tokens where rotated_at is null and app_id = :id")).isZero();
        String why = server.node().db.jdbi().withHandle(h -> h.createQuery("select revoked_why from token_families where app_id = "
                + "(select id from apps where client_id = :c)").bind("c", app.clientId()).mapTo(String.class).one());
        assertThat(why).isEqualTo("refresh token reuse");
    }

    @Test
    void introspectionTellsTheHoldingAppWhetherItsRefreshTokenIsLive() {
        App app = webApp(Map.of());
        App other = webApp(Map.of());
        String rt = start(app, "alice", "openid rest.all").path("refresh_token").asText();
        JsonNode live = server.introspect(app, rt);
        assertThat(live.path("active").asBoolean()).as(live.toString()).isTrue();
        assertThat(live.path("client_id").asText()).isEqualTo(app.clientId());
        assertThat(live.path("scope").asText().split(" ")).containsExactlyInAnyOrder("openid", "rest.all");
        assertThat(live.path("username").asText()).isEqualTo("alice");
        assertThat(live.path("sub").asText()).isNotEmpty();
        assertThat(live.path("exp").asLong()).isGreaterThan(live.path("iat").asLong());
        // Another app learns nothing about it, and asking changes nothing.
        assertThat(server.introspect(other, rt).path("active").asBoolean()).isFalse();
        Response next = refresh(app, rt);
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        // Spent by the rotation: inactive; its successor is live.
        assertThat(server.introspect(app, rt).path("active").asBoolean()).isFalse();
        String successor = next.json().path("refresh_token").asText();
        assertThat(server.introspect(app, successor).path("active").asBoolean()).isTrue();
        // A refresh would now be refused (the person is disabled): introspection says so too.
        var jdbi = server.node().db.jdbi();
        jdbi.useHandle(h -> h.execute("update users set enabled = false where username = 'alice'"));
        try {
            assertThat(server.introspect(app, successor).path("active").asBoolean()).isFalse();
        } finally {
            jdbi.useHandle(h -> h.execute("update users set enabled = true where username = 'alice'"));
        }
        assertThat(server.introspect(app, successor).path("active").asBoolean()).isTrue();
        char[] forged = successor.toCharArray();
        forged[30] = forged[30] == 'A' ? 'B' : 'A'; // inside the secret part
        assertThat(server.introspect(app, new String(forged)).path("active").asBoolean()).isFalse();
    }

    @Test
    void refreshTokensAreStoredOnlyAsDigests() {
        App app = webApp(Map.of());
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        String dump = server.node().db.jdbi().withHandle(h -> h.createQuery("select token_id || ' ' || verifier_hash from refresh_tokens")
                .mapTo(String.class).list()).toString();
        assertThat(dump).doesNotContain(rt).doesNotContain(rt.substring(22));
    }

    @Test
    void aRefreshMayNarrowTheScopeButNeverWidenIt() {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", "openid rest.all.read");
        Response narrow = server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token",
                "refresh_token", first.path("refresh_token").asText(), "scope", "rest.all.read"));
        assertThat(narrow.status()).isEqualTo(200);
        assertThat(narrow.json().path("scope").asText()).isEqualTo("rest.all.read");
        assertThat(narrow.json().has("id_token")).isFalse();
        Response widen = server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token",
                "refresh_token", narrow.json().path("refresh_token").asText(), "scope", "rest.all"));
        assertThat(error(widen)).isEqualTo("invalid_scope");
        // The refused request spent nothing: the token still refreshes, with the family's full scope.
        Response again = refresh(app, narrow.json().path("refresh_token").asText());
        assertThat(again.json().path("scope").asText()).isEqualTo("openid rest.all.read");
    }

    @Test
    void aRefreshTokenOfAppAUsedByAppBIsRefusedAndChangesNothing() {
        App a = webApp(Map.of());
        App b = webApp(Map.of());
        JsonNode first = start(a, "alice", ALL);
        Response stolen = refresh(b, first.path("refresh_token").asText());
        assertThat(error(stolen)).isEqualTo("invalid_grant");
        assertThat(active(a, first.path("access_token").asText())).isTrue();
        assertThat(refresh(a, first.path("refresh_token").asText()).status()).isEqualTo(200);
    }

    @Test
    void aSpentRefreshTokenInAnotherClientsHandsHasLeakedAndItsFamilyEnds() {
        App a = webApp(Map.of());
        App b = webApp(Map.of());
        JsonNode first = start(a, "alice", ALL);
        JsonNode second = refresh(a, first.path("refresh_token").asText()).json();
        // The first token is spent; it comes back from app B: refused, and A's family ends (RFC 9700 4.14.2).
        assertThat(error(refresh(b, first.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(error(refresh(a, second.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(active(a, second.path("access_token").asText())).isFalse();
        assertThat(server.admin("GET", "/admin/api/audit?app=" + a.clientId() + "&kind=family.revoked", null).json()
                .path("events").toString()).contains(b.clientId());
    }

    @Test
    void aSpentRefreshTokenIsReuseWhateverElseTheRequestAsks() {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", "openid rest.all.read");
        JsonNode second = refresh(app, first.path("refresh_token").asText()).json();
        // A scope never granted would be invalid_scope for a live token; for a spent one it is reuse first.
        Response replay = server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token",
                "refresh_token", first.path("refresh_token").asText(), "scope", "openid email"));
        assertThat(error(replay)).isEqualTo("invalid_grant");
        assertThat(error(refresh(app, second.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(active(app, second.path("access_token").asText())).isFalse();
    }

    @Test
    void theFamilyEndsWithItsAbsoluteLifetimeHoweverOftenItRotates() {
        App app = webApp(Map.of());
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        for (int day = 0; day < 13; day++) {
            server.clock.advance(Duration.ofDays(1));
            Response r = refresh(app, rt);
            assertThat(r.status()).as("day " + day + ": " + r.body()).isEqualTo(200);
            rt = r.json().path("refresh_token").asText();
        }
        server.clock.advance(Duration.ofDays(1).plusMinutes(1));
        assertThat(error(refresh(app, rt))).isEqualTo("invalid_grant");
    }

    @Test
    void revokingConsentEndsEveryFamily() {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", ALL);
        assertThat(server.admin("DELETE", "/admin/api/apps/" + app.clientId() + "/consents/alice", null).status()).isEqualTo(204);
        assertThat(active(app, first.path("access_token").asText())).isFalse();
        assertThat(error(refresh(app, first.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(server.admin("DELETE", "/admin/api/apps/" + app.clientId() + "/consents/alice", null).status()).isEqualTo(404);
    }

    @Test
    void revokingTheAppsTokensOrDisablingItEndsEveryFamily() {
        App app = webApp(Map.of());
        String revoked = start(app, "alice", ALL).path("refresh_token").asText();
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
        assertThat(error(refresh(app, revoked))).isEqualTo("invalid_grant");

        String disabled = start(app, "alice", ALL).path("refresh_token").asText();
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        Response r = refresh(app, disabled);
        assertThat(r.status()).isEqualTo(401);
        assertThat(error(r)).isEqualTo("invalid_client");
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/enable", null);
        assertThat(error(refresh(app, disabled))).isEqualTo("invalid_grant");
    }

    @Test
    void disablingTheUserOrTurningOffOfflineAccessStopsRefreshes() {
        App app = webApp(Map.of());
        JsonNode bobs = start(app, "bob", ALL);
        server.admin("POST", "/admin/api/users/bob/disable", null);
        try {
            assertThat(error(refresh(app, bobs.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        } finally {
            server.admin("POST", "/admin/api/users/bob/enable", null);
        }
        // Disabling ended the family for good: enabling the person again does not bring its tokens back.
        Response afterEnable = refresh(app, bobs.path("refresh_token").asText());
        assertThat(error(afterEnable)).isEqualTo("invalid_grant");
        assertThat(afterEnable.json().path("error_description").asText()).contains("revoked");
        assertThat(active(app, bobs.path("access_token").asText())).isFalse();
        assertThat(start(app, "bob", ALL).path("refresh_token").asText()).isNotEmpty();
        String alices = start(app, "alice", ALL).path("refresh_token").asText();
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("offlineAccess", false));
        assertThat(error(refresh(app, alices))).isEqualTo("invalid_grant");
    }

    @Test
    void eachRefreshSeesThePersonAndTheConsentAsStoredNow() {
        // Changed in the database behind this node's back (as another node or the host application would):
        // the refresh still sees it, and a refused refresh spends nothing.
        App app = webApp(Map.of());
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        refusedWhileStored("enabled = false", "enabled = true", app, rt, "disabled");
        Response ok = refresh(app, rt);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);

        refusedOnceTheConsentIsDeleted(app, ok.json().path("refresh_token").asText());
    }

    /** alice changed in the database behind the node's back ({@code set}, then {@code reset}): the refresh is refused for {@code reason}. */
    private void refusedWhileStored(String set, String reset, App app, String refreshToken, String reason) {
        var jdbi = server.node().db.jdbi();
        jdbi.useHandle(h -> h.execute("update users set " + set + " where username = 'alice'"));
        try {
            Response refused = refresh(app, refreshToken);
            assertThat(error(refused)).isEqualTo("invalid_grant");
            assertThat(refused.json().path("error_description").asText()).contains(reason);
        } finally {
            jdbi.useHandle(h -> h.execute("update users set " + reset + " where username = 'alice'"));
        }
    }

    /** The app's consent rows deleted in the database behind the node's back: the refresh is refused for the consent. */
    private void refusedOnceTheConsentIsDeleted(App app, String refreshToken) {
        server.node().db.jdbi().useHandle(h -> h.execute("delete from consents where app_id = (select id from apps where client_id = ?)",
                app.clientId()));
        Response withdrawn = refresh(app, refreshToken);
        assertThat(error(withdrawn)).isEqualTo("invalid_grant");
        assertThat(withdrawn.json().path("error_description").asText()).contains("consent");
    }

    @Test
    void aTokenThisNodeRemembersStillSeesThePersonAndTheConsentAsStoredNow() {
        // A refresh token handed out by a rotation on this node is decided on the node's memory of it; the person
        // and the consent are still checked as stored, when the rotation is written.
        App app = webApp(Map.of());
        String rt = refresh(app, start(app, "alice", ALL).path("refresh_token").asText()).json().path("refresh_token").asText();
        var jdbi = server.node().db.jdbi();
        String live = "select count(*) from refresh_tokens where token_id = ? and rotated_at is null";
        String id = TokenIds.parseOpaque(rt).orElseThrow().id();
        long tokensBefore = jdbi.withHandle(h -> h.createQuery("select count(*) from access_tokens").mapTo(Long.class).one());
        // The node knows the token by its id, but only its own secret opens it.
        char[] forged = rt.toCharArray();
        forged[30] = forged[30] == 'A' ? 'B' : 'A'; // inside the secret part
        Response unknown = refresh(app, new String(forged));
        assertThat(error(unknown)).isEqualTo("invalid_grant");
        assertThat(unknown.json().path("error_description").asText()).contains("unknown");

        refusedWhileStored("enabled = false", "enabled = true", app, rt, "disabled");
        refusedWhileStored("is_admin = true", "is_admin = false", app, rt, "administrator");
        // Refused, nothing spent and nothing stored: the token still works.
        long stillLive = jdbi.withHandle(h -> h.select(live, id).mapTo(Long.class).one());
        long tokensAfter = jdbi.withHandle(h -> h.createQuery("select count(*) from access_tokens").mapTo(Long.class).one());
        assertThat(stillLive).isEqualTo(1);
        assertThat(tokensAfter).isEqualTo(tokensBefore);
        Response ok = refresh(app, rt);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);

        refusedOnceTheConsentIsDeleted(app, ok.json().path("refresh_token").asText());
    }

    @Test
    void aPersonNoLongerAuthorizedLosesTheirFamiliesForGood() {
        App app = webApp(Map.of());
        JsonNode alices = start(app, "alice", ALL);
        JsonNode bobs = start(app, "bob", ALL);
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("authorizedUsers", List.of("bob")));
        // alice's refresh token and access token end at once; bob's stay
        assertThat(error(refresh(app, alices.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(active(gateway(), alices.path("access_token").asText())).isFalse();
        assertThat(active(gateway(), bobs.path("access_token").asText())).isTrue();
        JsonNode bobsNext = refresh(app, bobs.path("refresh_token").asText()).json();
        assertThat(bobsNext.path("refresh_token").asText()).isNotEmpty();
        // Allowing her again brings nothing back: she connects anew.
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("authorizedGroups", List.of("Sales")));
        assertThat(error(refresh(app, alices.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(refresh(app, start(app, "alice", ALL).path("refresh_token").asText()).status()).isEqualTo(200);
        assertThat(refresh(app, bobsNext.path("refresh_token").asText()).status()).isEqualTo(200);
    }

    @Test
    void turningAdminConnectionsOffEndsAdministratorsFamiliesForGood() {
        server.setSettings(Map.of("adminConnections", true));
        try {
            App app = webApp(Map.of());
            JsonNode admins = start(app, "admin", ALL);
            JsonNode alices = start(app, "alice", ALL);
            server.setSettings(Map.of("adminConnections", false));
            server.setSettings(Map.of("adminConnections", true));
            assertThat(error(refresh(app, admins.path("refresh_token").asText()))).isEqualTo("invalid_grant");
            assertThat(active(gateway(), admins.path("access_token").asText())).isFalse();
            assertThat(active(gateway(), alices.path("access_token").asText())).isTrue();
            assertThat(refresh(app, alices.path("refresh_token").asText()).status()).isEqualTo(200);
        } finally {
            server.setSettings(Map.of("adminConnections", false));
        }
    }

    @Test
    void anExpiredAppGetsInvalidClientAndItsTokensStop() {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", ALL);
        assertThat(active(gateway(), first.path("access_token").asText())).isTrue();
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("expiresAt", server.clock.instant().plusSeconds(60).toString()));
        server.clock.advance(Duration.ofMinutes(2));
        assertThat(active(gateway(), first.path("access_token").asText())).isFalse();
        Response r = refresh(app, first.path("refresh_token").asText());
        assertThat(r.status()).isEqualTo(401);
        assertThat(error(r)).isEqualTo("invalid_client");

        // A later expiry date gives the app new grants, not its old tokens back.
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("expiresAt", server.clock.instant().plusSeconds(3600).toString()));
        assertThat(active(gateway(), first.path("access_token").asText())).isFalse();
        assertThat(error(refresh(app, first.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        JsonNode fresh = start(app, "alice", ALL);
        assertThat(refresh(app, fresh.path("refresh_token").asText()).status()).isEqualTo(200);

        // Setting a date already passed ends the tokens for good too.
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("expiresAt", server.clock.instant().minusSeconds(1).toString()));
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(), Map.of("expiresAt", "never"));
        assertThat(active(gateway(), fresh.path("access_token").asText())).isFalse();
    }

    @Test
    void aPublicClientRefreshesWithoutClientIdAndRevokesWithItsClientIdAlone() {
        App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(CB), "scopes", List.of("openid", "rest.all"),
                "offlineAccess", true));
        CodeVerifier v = new CodeVerifier();
        String code = server.issueCode(spa, "alice", CB, "openid rest.all", CodeChallenge.compute(CodeChallengeMethod.S256, v).getValue(), null);
        JsonNode first = server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&client_id=" + spa.clientId()
                + "&redirect_uri=" + AuthorizationCodeGrantTest.enc(CB) + "&code=" + code + "&code_verifier=" + v.getValue()).json();
        Response r = server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&client_id=" + spa.clientId()
                + "&refresh_token=" + first.path("refresh_token").asText());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // §6 asks no identification of a public client: a refresh without client_id is its token's own client's.
        Response anonymous = server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token="
                + r.json().path("refresh_token").asText());
        assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(200);
        String rt = anonymous.json().path("refresh_token").asText();
        String access = anonymous.json().path("access_token").asText();

        // RFC 7009 §2.1: a public client names itself with client_id; revoking the refresh token ends the family.
        Response revoke = server.postForm("/oauth2/revoke", null, null, "client_id=" + spa.clientId() + "&token=" + rt);
        assertThat(revoke.status()).isEqualTo(200);
        assertThat(AuthorizationCodeGrantTest.userinfo(access).status()).isEqualTo(401);
        assertThat(error(server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&client_id=" + spa.clientId()
                + "&refresh_token=" + rt))).isEqualTo("invalid_grant");
        // A confidential client may not do the same without its secret.
        App web = webApp(Map.of());
        Response withoutSecret = server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token="
                + start(web, "alice", ALL).path("refresh_token").asText());
        assertThat(withoutSecret.status()).isEqualTo(401);
        assertThat(error(withoutSecret)).isEqualTo("invalid_client");
        Response unauthenticated = server.postForm("/oauth2/revoke", null, null, "client_id=" + web.clientId() + "&token=x");
        assertThat(unauthenticated.status()).isEqualTo(401);
    }

    @Test
    void aRetryWithinTheTemplatesWindowGetsExactlyTheSamePair() {
        server.admin("POST", "/admin/api/templates", Map.of("name", "retry-" + database, "refreshRetryWindow", 30));
        App app = webApp(Map.of("template", "retry-" + database));
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        JsonNode answer = refresh(app, rt).json();
        server.clock.advance(Duration.ofSeconds(10));
        Response retry = refresh(app, rt);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.json().path("access_token").asText()).isEqualTo(answer.path("access_token").asText());
        assertThat(retry.json().path("refresh_token").asText()).isEqualTo(answer.path("refresh_token").asText());
        assertThat(retry.json().path("expires_in").asLong()).as("only what is left of the same token").isBetween(585L, 590L);
        assertThat(active(app, answer.path("access_token").asText())).isTrue();

        // Once the new pair is in use, presenting the old token again is reuse.
        Response reuse = refresh(app, rt);
        assertThat(error(reuse)).isEqualTo("invalid_grant");
        assertThat(error(refresh(app, answer.path("refresh_token").asText()))).isEqualTo("invalid_grant");
    }

    @Test
    void aRetryAfterTheWindowOrOfAnOlderGenerationIsReuse() {
        server.admin("POST", "/admin/api/templates", Map.of("name", "window-" + database, "refreshRetryWindow", 30));
        App app = webApp(Map.of("template", "window-" + database));
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        refresh(app, rt);
        server.clock.advance(Duration.ofSeconds(31));
        assertThat(error(refresh(app, rt))).isEqualTo("invalid_grant");

        String g1 = start(app, "alice", ALL).path("refresh_token").asText();
        String g2 = refresh(app, g1).json().path("refresh_token").asText();
        String g3 = refresh(app, g2).json().path("refresh_token").asText();
        assertThat(error(refresh(app, g1))).isEqualTo("invalid_grant");
        assertThat(error(refresh(app, g3))).isEqualTo("invalid_grant");
    }

    @Test
    void withoutARetryWindowTheFirstRepeatIsReuse() {
        App app = webApp(Map.of());
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        JsonNode answer = refresh(app, rt).json();
        assertThat(error(refresh(app, rt))).isEqualTo("invalid_grant");
        assertThat(active(app, answer.path("access_token").asText())).isFalse();
    }

    @Test
    void concurrentRefreshesAreCommittedTogetherAndOneTokenIsSpentOnlyOnce() throws Exception {
        App app = webApp(Map.of());
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) tokens.add(start(app, "alice", ALL).path("refresh_token").asText());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Response>> all = new java.util.ArrayList<>();
            for (String t : tokens) all.add(pool.submit(() -> refresh(app, t)));
            for (var f : all) assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);

            String one = start(app, "alice", ALL).path("refresh_token").asText();
            List<java.util.concurrent.Future<Response>> same = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) same.add(pool.submit(() -> refresh(app, one)));
            int won = 0;
            for (var f : same) {
                Response r = f.get();
                if (r.status() == 200) {
                    won++;
                } else {
                    // A loser's ID token is signed while its rotation commits: it must never leave the server.
                    assertThat(r.status()).as(r.body()).isEqualTo(400);
                    assertThat(r.body()).contains("invalid_grant").doesNotContain("id_token").doesNotContain("access_token");
                }
            }
            assertThat(won).as("one refresh token, one new pair at most").isLessThanOrEqualTo(1);
            long pairs = server.node().db.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from refresh_tokens where generation = 2 and family_id = "
                            + "(select family_id from refresh_tokens where token_id = :id)")
                    .bind("id", dev.ostium.tokens.TokenIds.parseOpaque(one).orElseThrow().id()).mapTo(Long.class).one());
            assertThat(pairs).isLessThanOrEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRotationRacingTheRevocationOfItsFamilyStoresNothing() {
        App app = webApp(Map.of());
        String token = start(app, "alice", ALL).path("refresh_token").asText();
        var node = server.node();
        TokenFamilies.Held held = node.families.refreshTokenWithFamily(TokenIds.parseOpaque(token).orElseThrow().id()).orElseThrow();
        TokenFamily family = held.family();
        // The grant has read the family while it was live; the family is revoked before the rotation is written.
        assertThat(node.families.revoke(family.id(), "consent revoked")).isTrue();
        long now = held.token().issuedAt() + 1;
        long nextKey = 1L << 60; // far beyond the keys the node hands out here
        TokenIds.Minted next = TokenIds.mintOpaque(nextKey);
        TokenRecord access = new TokenRecord(TokenIds.id(nextKey + 1), "0".repeat(64), family.appId(), family.userId(), family.scopes(),
                "opaque", "refresh_token", now, now + 600_000, null, family.consentId(), family.id(), 0, null);
        RefreshToken successor = new RefreshToken(nextKey, next.id(), next.verifierHash(), family.id(), family.appId(), family.scopes(), 2,
                now, family.expiresAt(), null, null, access.tokenId());
        try (Rotations rotations = new Rotations(node.db)) {
            assertThat(rotations.rotate(new Rotations.Rotation(held.token().key(), now, successor, access,
                    new Rotations.Standing(family.userId(), family.consentId(), false))).join()).isFalse();
        }
        assertThat(node.families.refreshToken(next.id())).isEmpty();
        assertThat(node.tokenStore.find(access.tokenId())).isEmpty();
        assertThat(error(refresh(app, token))).isEqualTo("invalid_grant");
    }

    @Test
    void malformedRefreshRequestsAreRefusedClearly() {
        App app = webApp(Map.of());
        assertThat(error(server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token")))).isEqualTo("invalid_request");
        assertThat(error(refresh(app, "x".repeat(64)))).isEqualTo("invalid_grant");
        assertThat(error(refresh(app, "%01%02"))).isEqualTo("invalid_grant");
        // no parameter may hold a NUL: the request, not the grant, is at fault
        assertThat(error(refresh(app, "%00%01"))).isEqualTo("invalid_request");
        assertThat(error(server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id="
                + app.clientId() + "&client_secret=" + app.secret()))).isEqualTo("invalid_request");
        App service = server.createService("alice");
        assertThat(error(refresh(service, start(app, "alice", ALL).path("refresh_token").asText()))).isEqualTo("invalid_grant");
    }

    @Test
    void deletingAnAppDeletesEveryTokenRecordOfIt() {
        App app = webApp(Map.of());
        App other = webApp(Map.of());
        refresh(app, start(app, "alice", ALL).path("refresh_token").asText());
        JsonNode kept = start(other, "alice", ALL);
        long id = server.node().db.jdbi().withHandle(h -> h.createQuery("select id from apps where client_id = :c")
                .bind("c", app.clientId()).mapTo(Long.class).one());
        long otherId = server.node().db.jdbi().withHandle(h -> h.createQuery("select id from apps where client_id = :c")
                .bind("c", other.clientId()).mapTo(Long.class).one());
        // two access tokens, two refresh tokens, one family
        assertThat(records(id)).containsExactly(2, 2, 1);
        long[] otherBefore = records(otherId);

        assertThat(server.admin("DELETE", "/admin/api/apps/" + app.clientId(), null).status()).isEqualTo(204);

        assertThat(records(id)).containsExactly(0, 0, 0);
        assertThat(records(otherId)).containsExactly(otherBefore);
        assertThat(refresh(other, kept.path("refresh_token").asText()).status()).isEqualTo(200);
    }

    @Test
    void anExpiredFamilyIsDeletedWithEveryRefreshTokenOfItsChain() {
        App app = webApp(Map.of());
        String rt = start(app, "alice", ALL).path("refresh_token").asText();
        for (int i = 0; i < 3; i++) rt = refresh(app, rt).json().path("refresh_token").asText();
        server.clock.advance(Duration.ofDays(7));
        String kept = start(app, "alice", ALL).path("refresh_token").asText();
        long id = stored(app, "select :id");
        // five access tokens, five refresh tokens (four of the first family), two families
        assertThat(records(id)).containsExactly(5, 5, 2);

        // 15 days on: the first family ended a day ago, longer than the retention of an hour; the second is live.
        server.clock.advance(Duration.ofDays(8));
        server.node().families.deleteExpired(Duration.ofHours(1).toMillis());
        assertThat(records(id)).containsExactly(5, 1, 1);
        assertThat(refresh(app, kept).status()).isEqualTo(200);
    }

    @Test
    void aFamilyWhoseChainIsDeletedWhileItIsRevokedEndsCleanly() throws Exception {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", ALL);
        String live = TokenIds.parseOpaque(first.path("refresh_token").asText()).orElseThrow().id();
        var node = server.node();
        String familyId = node.families.refreshTokenWithFamily(live).orElseThrow().family().id();
        // Housekeeping deletes the family's refresh tokens in a transaction of its own; the revocation reads the
        // live token, waits for that row, and then finds it gone.
        try (java.sql.Connection other = node.db.rawConnection()) {
            other.setAutoCommit(false);
            try (var delete = other.prepareStatement("delete from refresh_tokens where token_id = ?")) {
                delete.setString(1, live);
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            var revoking = java.util.concurrent.CompletableFuture.supplyAsync(() -> node.families.revoke(familyId, "consent revoked"));
            Thread.sleep(300);
            other.commit();
            assertThat(revoking.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(active(app, first.path("access_token").asText())).isFalse();
    }

    @Test
    void aFamilyStoredBeforeItsChainWasNamedIsFoundAlongIt() throws Exception {
        App app = webApp(Map.of());
        JsonNode first = start(app, "alice", ALL);
        JsonNode second = refresh(app, first.path("refresh_token").asText()).json();
        JsonNode third = refresh(app, second.path("refresh_token").asText()).json();
        // As an earlier version stored it: no first refresh token named, an index and a foreign key on the family.
        // Then the migration, on the same connection, and a restart.
        server.node().db.jdbi().useHandle(h -> {
            h.execute("alter table token_families drop column first_refresh_id");
            h.execute("create index refresh_tokens_family on refresh_tokens (family_id)");
            h.execute("alter table refresh_tokens add foreign key (family_id) references token_families(id) on delete cascade");
            java.sql.Connection c = h.getConnection();
            new V45__Refresh_chains().migrate(new org.flywaydb.core.api.migration.Context() {
                @Override
                public org.flywaydb.core.api.configuration.Configuration getConfiguration() {
                    return null;
                }

                @Override
                public java.sql.Connection getConnection() {
                    return c;
                }
            });
        });
        server.restart();

        assertThat(indexedColumns("refresh_tokens")).doesNotContain("family_id");
        String firstId = TokenIds.parseOpaque(first.path("refresh_token").asText()).orElseThrow().id();
        String named = server.node().db.jdbi().withHandle(h -> h.createQuery("select first_refresh_id from token_families where app_id = "
                + "(select id from apps where client_id = :c)").bind("c", app.clientId()).mapTo(String.class).one());
        assertThat(named).isEqualTo(firstId);
        // The second token again is reuse: the family ends along its chain, the third pair included.
        assertThat(error(refresh(app, second.path("refresh_token").asText()))).isEqualTo("invalid_grant");
        assertThat(active(app, third.path("access_token").asText())).isFalse();
        assertThat(stored(app, "select count(*) from access_tokens where revoked_at is null and app_id = :id")).isZero();
        assertThat(error(refresh(app, third.path("refresh_token").asText()))).isEqualTo("invalid_grant");
    }

    /** The columns of a table that some index starts with or holds, lower case. */
    private static List<String> indexedColumns(String table) throws java.sql.SQLException {
        try (java.sql.Connection c = server.node().db.rawConnection()) {
            List<String> columns = new java.util.ArrayList<>();
            for (String name : List.of(table, table.toUpperCase())) {
                try (java.sql.ResultSet rs = c.getMetaData().getIndexInfo(null, c.getSchema(), name, false, false)) {
                    while (rs.next()) if (rs.getString("COLUMN_NAME") != null) columns.add(rs.getString("COLUMN_NAME").toLowerCase());
                }
            }
            return columns;
        }
    }

    /** A number read from the database, {@code :id} bound to the app's id. */
    private static long stored(App app, String query) {
        return server.node().db.jdbi().withHandle(h -> {
            long id = h.createQuery("select id from apps where client_id = :c").bind("c", app.clientId()).mapTo(Long.class).one();
            return h.createQuery(query).bind("id", id).mapTo(Long.class).one();
        });
    }

    /** The app's access-token records, refresh tokens and families, as stored. */
    private static long[] records(long id) {
        return server.node().db.jdbi().withHandle(h -> {
            String[] counts = {
                    "select count(*) from access_tokens where app_id = :id",
                    "select count(*) from refresh_tokens where app_id = :id",
                    "select count(*) from token_families where app_id = :id"};
            long[] n = new long[counts.length];
            for (int i = 0; i < counts.length; i++) {
                n[i] = h.createQuery(counts[i]).bind("id", id).mapTo(Long.class).one();
            }
            return n;
        });
    }
}
