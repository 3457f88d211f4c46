package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import dev.ostium.web.FormBody;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ClientCredentialsTest extends ServerTest {

    @Test
    void serviceAccountGetsAnOpaqueTokenWithBasicAuthentication() {
        App app = server.createService("alice", "rest.all.read");
        Response r = server.tokenResponse(app, null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = r.json();
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(600);
        assertThat(body.path("scope").asText()).isEqualTo("rest.all.read");
        assertThat(body.has("refresh_token")).isFalse();
        String token = body.path("access_token").asText();
        assertThat(token).matches("[A-Za-z0-9_-]{64}");
    }

    @Test
    void theAnswerDeclaresItsLengthAndABodyIsReadWhetherItDeclaresOneOrNot() {
        App app = server.createService("alice", "rest.all.read");
        Response declared = server.tokenResponse(app, null);
        assertThat(declared.status()).isEqualTo(200);
        assertThat(declared.header("Content-Length")).isEqualTo(Integer.toString(declared.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(declared.header("Content-Type")).startsWith("application/json");
        assertThat(declared.header("Pragma")).isEqualTo("no-cache");

        // Sent in chunks, with no length declared up front
        byte[] form = "grant_type=client_credentials&scope=rest.all.read".getBytes(StandardCharsets.UTF_8);
        Response chunked = postChunked(app, form);
        assertThat(chunked.status()).isEqualTo(200);
        assertThat(chunked.json().path("scope").asText()).isEqualTo("rest.all.read");

        // A declared length above the form limit is refused as the protocol says, in chunks or not
        String big = "grant_type=client_credentials&pad=" + "a".repeat(FormBody.MAX_BYTES);
        Response tooBig = server.postForm("/oauth2/token", app.clientId(), app.secret(), big);
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.json().path("error").asText()).isEqualTo("invalid_request");
        Response tooBigChunked = postChunked(app, big.getBytes(StandardCharsets.UTF_8));
        assertThat(tooBigChunked.status()).isEqualTo(400);
        assertThat(tooBigChunked.json().path("error").asText()).isEqualTo("invalid_request");
    }

    /** A token request whose body is sent in chunks, with no length declared up front. */
    private Response postChunked(App app, byte[] form) {
        return server.send(HttpRequest.newBuilder(URI.create(server.url("/oauth2/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", TestServer.basic(app.clientId(), app.secret()))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form))).build());
    }

    @Test
    void clientSecretPostWorksToo() {
        App app = server.createService("alice", "rest.all");
        Response r = server.postForm("/oauth2/token", null, null, "grant_type=client_credentials&client_id="
                + app.clientId() + "&client_secret=" + app.secret());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("access_token").asText()).isNotEmpty();
    }

    @Test
    void clientIdsCarryThePrefixAndSecretsAre256Bits() {
        App app = server.createService("alice");
        assertThat(app.clientId()).matches("ost_[0-9a-f]{20}");
        assertThat(java.util.Base64.getUrlDecoder().decode(app.secret())).hasSize(32);
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).body()).doesNotContain(app.secret());
    }

    @Test
    void theSecretIsStoredOnlyAsADigest() {
        App app = server.createService("alice");
        String stored = server.node().db.jdbi().withHandle(h -> h.createQuery("select secret_hash from apps where client_id = :c")
                .bind("c", app.clientId()).mapTo(String.class).one());
        assertThat(stored).isNotEqualTo(app.secret()).doesNotContain(app.secret()).hasSize(43);
    }

    @Test
    void wrongSecretIs401WithABasicChallenge() {
        App app = server.createService("alice");
        Response r = server.postForm("/oauth2/token", app.clientId(), "not-the-secret", "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void wrongSecretInTheBodyIsA401ThatStillNamesTheSchemeAccepted() {
        // RFC 9110 §15.5.2: every 401 carries a challenge; RFC 6749 §5.2: it tells which scheme the server takes.
        App app = server.createService("alice");
        Response r = server.postForm("/oauth2/token", null, null,
                "grant_type=client_credentials&client_id=" + app.clientId() + "&client_secret=nope");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void unknownClientIsInvalidClient() {
        Response r = server.postForm("/oauth2/token", "ost_00000000000000000000", "whatever", "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void missingClientAuthenticationIsInvalidClient() {
        Response r = server.postForm("/oauth2/token", null, null, "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void requestedScopesMustBeRegistered() {
        App app = server.createService("alice", "rest.all.read", "rest.all.write");
        Response narrower = server.tokenResponse(app, "rest.all.write");
        assertThat(narrower.status()).isEqualTo(200);
        assertThat(narrower.json().path("scope").asText()).isEqualTo("rest.all.write");

        Response wider = server.tokenResponse(app, "rest.all");
        assertThat(wider.status()).isEqualTo(400);
        assertThat(wider.json().path("error").asText()).isEqualTo("invalid_scope");

        Response unknown = server.tokenResponse(app, "rest.all.read admin.everything");
        assertThat(unknown.json().path("error").asText()).isEqualTo("invalid_scope");
    }

    @Test
    void unsupportedGrantTypeIsRefused() {
        App app = server.createService("alice");
        Response r = server.postForm("/oauth2/token", app, Map.of("grant_type", "password", "username", "alice", "password", "alice"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void disabledAppGetsNoToken() {
        App app = server.createService("alice");
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        Response r = server.tokenResponse(app, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(r.json().path("error_description").asText()).contains("disabled");

        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/enable", null);
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(200);
    }

    @Test
    void expiredAppGetsNoToken() {
        App app = server.createService("alice");
        server.admin("PATCH", "/admin/api/apps/" + app.clientId(),
                Map.of("expiresAt", Instant.now().minus(Duration.ofMinutes(1)).toString()));
        Response r = server.tokenResponse(app, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error_description").asText()).contains("expired");
    }

    @Test
    void deletedAppGetsNoToken() {
        App app = server.createService("alice");
        assertThat(server.admin("DELETE", "/admin/api/apps/" + app.clientId(), null).status()).isEqualTo(204);
        Response r = server.tokenResponse(app, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void noTokenWhileOAuthIsSwitchedOff() {
        App app = server.createService("alice");
        try {
            server.setSettings(Map.of("oauthEnabled", false));
            Response r = server.tokenResponse(app, null);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("unauthorized_client");
            assertThat(r.json().path("error_description").asText()).contains("disabled");
        } finally {
            server.setSettings(Map.of("oauthEnabled", true));
        }
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(200);
    }

    @Test
    void noTokenForAnAdminUserWhileAdminConnectionsAreOff() {
        App app = server.createService("admin");
        Response refused = server.tokenResponse(app, null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).isEqualTo("unauthorized_client");
        assertThat(refused.json().path("error_description").asText()).contains("admin");

        try {
            server.setSettings(Map.of("adminConnections", true));
            String token = server.token(app);
            assertThat(server.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            server.setSettings(Map.of("adminConnections", false));
            // a token issued while it was allowed is no longer honoured
            assertThat(server.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(401);
        } finally {
            server.setSettings(Map.of("adminConnections", false));
        }
    }

    @Test
    void jwtFormatFollowsRfc9068AndVerifiesAgainstTheJwks() throws Exception {
        App app = server.create(Map.of("name", "jwt app", "user", "bob", "scopes", List.of("rest.all.read"), "tokenFormat", "jwt"));
        String token = server.token(app);
        SignedJWT jwt = SignedJWT.parse(token);

        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
        JWKSet jwks = JWKSet.parse(server.get("/oauth2/jwks").body());
        ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).isNotNull();
        assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();

        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(server.base());
        assertThat(claims.getSubject()).isNotBlank();
        assertThat(claims.getStringClaim("client_id")).isEqualTo(app.clientId());
        assertThat(claims.getAudience()).containsExactly(server.base() + "/restapi");
        assertThat(claims.getStringClaim("scope")).isEqualTo("rest.all.read");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(600_000);

        assertThat(server.introspect(app, token).path("active").asBoolean()).isTrue();
        Response q = server.query(token, "SELECT * FROM Invoice;");
        assertThat(q.status()).isEqualTo(200);
    }

    @Test
    void perAppLifetimeOverridesTheDefault() {
        App app = server.create(Map.of("name", "short", "user", "alice", "accessTokenTtl", 60));
        assertThat(server.tokenResponse(app, null).json().path("expires_in").asLong()).isEqualTo(60);
    }

    @Test
    void everyIssuedTokenIsRecordedBeforeTheClientGetsIt() {
        App app = server.createService("alice");
        long before = server.count("access_tokens");
        String token = server.token(app);
        // read straight from the database: the record is there the moment the answer arrives
        long after = server.count("access_tokens");
        assertThat(after).isEqualTo(before + 1);
        var presented = dev.ostium.tokens.TokenIds.parseOpaque(token).orElseThrow();
        String storedHash = server.node().db.jdbi().withHandle(h -> h.createQuery("select verifier_hash from access_tokens where token_id = :id")
                .bind("id", presented.id()).mapTo(String.class).one());
        assertThat(storedHash).isEqualTo(presented.verifierHash());
        assertThat(token).doesNotContain(storedHash);
    }
}
