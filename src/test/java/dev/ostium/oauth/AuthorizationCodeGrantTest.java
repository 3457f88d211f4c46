package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 6749 §4.1.3 and RFC 7636: the token endpoint side of the authorization code flow, ID tokens and userinfo. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AuthorizationCodeGrantTest extends ServerTest {

    static final String CB = "https://crm.example/callback";
    static final String ALL = "openid profile email offline_access rest.all";

    @AfterEach
    void resetClock() {
        server.clock.reset();
    }

    static App webApp(Map<String, Object> more) {
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("redirectUris", List.of(CB),
                "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all"), "offlineAccess", true));
        spec.putAll(more);
        return server.createInteractive("web", spec);
    }

    /** The ELMA365 manual's request: client_id and client_secret in the body. */
    static Response exchangeInBody(App app, String code, String redirectUri) {
        return server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&code=" + code + "&client_id="
                + app.clientId() + "&client_secret=" + app.secret() + "&redirect_uri=" + enc(redirectUri));
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static JWTClaimsSet validIdToken(String idToken, App app, JWSAlgorithm alg) throws Exception {
        JWKSet jwks = JWKSet.parse(server.get("/oauth2/jwks").body());
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(alg, new ImmutableJWKSet<>(jwks)));
        JWTClaimsSet claims = p.process(idToken, null);
        assertThat(claims.getIssuer()).isEqualTo(server.base());
        assertThat(claims.getAudience()).containsExactly(app.clientId());
        assertThat(claims.getStringClaim("azp")).isEqualTo(app.clientId());
        return claims;
    }

    @Test
    void aWebAppExchangesItsCodeExactlyAsTheElmaManualRequests() throws Exception {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, "n-0S6_WzA2Mj");
        Response r = exchangeInBody(app, code, CB);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = r.json();
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(600);
        assertThat(body.path("refresh_token").asText()).matches("[A-Za-z0-9_-]{64}");
        String access = body.path("access_token").asText();

        JWTClaimsSet id = validIdToken(body.path("id_token").asText(), app, JWSAlgorithm.ES256);
        long aliceId = server.node().directory.byUsername("alice").orElseThrow().id();
        assertThat(id.getSubject()).isEqualTo(Long.toString(aliceId));
        assertThat(id.getStringClaim("nonce")).isEqualTo("n-0S6_WzA2Mj");
        assertThat(id.getDateClaim("auth_time")).isNotNull();
        assertThat(id.getStringClaim("at_hash"))
                .isEqualTo(AccessTokenHash.compute(new BearerAccessToken(access), JWSAlgorithm.ES256, null).getValue());
        assertThat(id.getStringClaim("email")).isEqualTo("alice@demo.example");
        assertThat(id.getBooleanClaim("email_verified")).isTrue();
        assertThat(id.getStringClaim("name")).isEqualTo("Alice Rossi");
        assertThat(id.getStringClaim("preferred_username")).isEqualTo("alice");
        assertThat(id.getExpirationTime().getTime() - id.getIssueTime().getTime()).isEqualTo(3600_000);

        // The access token works on the REST API as Alice.
        assertThat(server.query(access, "SELECT * FROM Invoice;").status()).isEqualTo(200);
    }

    @Test
    void httpBasicAuthenticationWorksToo() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, "openid rest.all", null, null);
        Response r = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CB));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("scope").asText()).isEqualTo("openid rest.all");
    }

    @Test
    void aWebAppMayAuthenticateWithASignedJwtInsteadOfASecret() throws Exception {
        App app = webApp(Map.of("secretType", "signed_jwt", "keyAlgorithm", "ES256"));
        assertThat(app.secret()).isNull();
        com.nimbusds.jose.jwk.ECKey key = com.nimbusds.jose.jwk.ECKey.parse(app.created().path("privateJwk").toString());
        String code = server.issueCode(app, "alice", CB, "openid rest.all", null, null);
        var assertion = new com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT(new com.nimbusds.oauth2.sdk.id.ClientID(app.clientId()),
                URI.create(server.url("/oauth2/token")), JWSAlgorithm.ES256, key.toECPrivateKey(), key.getKeyID(), null);
        String form = "grant_type=authorization_code&code=" + code + "&redirect_uri=" + enc(CB) + "&" + com.nimbusds.oauth2.sdk.util.URLUtils
                .serializeParameters(assertion.toParameters());
        Response r = server.postForm("/oauth2/token", null, null, form);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().has("refresh_token")).isTrue();
    }

    @Test
    void theOrganisationOfThePersonIsAClaimOfTheProfileScope() throws Exception {
        server.node().directory.create("carol-" + database, "pw-carol", "Carol Verdi", "carol@acme.example", "Acme S.p.A.", false);
        App app = webApp(Map.of());
        JsonNode body = exchangeInBody(app, server.issueCode(app, "carol-" + database, CB, "openid profile email", null, null), CB).json();
        JWTClaimsSet id = validIdToken(body.path("id_token").asText(), app, JWSAlgorithm.ES256);
        assertThat(id.getStringClaim("organisation")).isEqualTo("Acme S.p.A.");
        assertThat(id.getStringClaim("email")).isEqualTo("carol@acme.example");
        assertThat(userinfo(body.path("access_token").asText()).json().path("organisation").asText()).isEqualTo("Acme S.p.A.");
    }

    @Test
    void theIdTokenIsSignedRs256WhenTheAppAsksForIt() throws Exception {
        App app = webApp(Map.of("idTokenAlg", "RS256"));
        String code = server.issueCode(app, "alice", CB, "openid", null, null);
        JsonNode body = exchangeInBody(app, code, CB).json();
        assertThat(SignedJWT.parse(body.path("id_token").asText()).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        validIdToken(body.path("id_token").asText(), app, JWSAlgorithm.RS256);
    }

    @Test
    void withoutOfflineAccessThereIsNeverARefreshToken() {
        App app = webApp(Map.of("offlineAccess", false));
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        JsonNode body = exchangeInBody(app, code, CB).json();
        assertThat(body.path("access_token").asText()).isNotEmpty();
        assertThat(body.has("refresh_token")).isFalse();
        // ... and with it, a refresh token comes whether or not offline_access was asked for.
        App offline = webApp(Map.of());
        JsonNode withOffline = exchangeInBody(offline, server.issueCode(offline, "alice", CB, "openid rest.all", null, null), CB).json();
        assertThat(withOffline.has("refresh_token")).isTrue();
    }

    @Test
    void aCodePresentedTwiceIsRefusedAndEverythingIssuedFromItIsRevoked() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        JsonNode first = exchangeInBody(app, code, CB).json();
        String access = first.path("access_token").asText();
        assertThat(server.introspect(app, access).path("active").asBoolean()).isTrue();

        Response second = exchangeInBody(app, code, CB);
        assertThat(second.status()).isEqualTo(400);
        assertThat(second.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.introspect(app, access).path("active").asBoolean()).isFalse();
        Response refresh = server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token",
                "refresh_token", first.path("refresh_token").asText()));
        assertThat(refresh.json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void aCodeOfAppARedeemedByAppBIsRefusedAndStaysGoodForA() {
        App a = webApp(Map.of());
        App b = webApp(Map.of());
        String code = server.issueCode(a, "alice", CB, ALL, null, null);
        Response stolen = exchangeInBody(b, code, CB);
        assertThat(stolen.status()).isEqualTo(400);
        assertThat(stolen.json().path("error").asText()).isEqualTo("invalid_grant");
        JsonNode tokens = exchangeInBody(a, code, CB).json();
        assertThat(tokens.path("access_token").asText()).isNotEmpty();
        // Once spent, the code in another client's hands is a second use (RFC 6749 4.1.2): A's tokens end.
        Response replayed = exchangeInBody(b, code, CB);
        assertThat(replayed.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.introspect(a, tokens.path("access_token").asText()).path("active").asBoolean()).isFalse();
    }

    @Test
    void theRedirectUriMustBeExactlyTheOneOfTheRequest() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        for (String variant : List.of(CB + "/", "https://CRM.example/callback", CB + "?x=1", CB + "#f", "https://crm.example/Callback")) {
            Response r = exchangeInBody(app, code, variant);
            assertThat(r.json().path("error").asText()).as(variant).isEqualTo("invalid_grant");
        }
        Response missing = server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&code=" + code
                + "&client_id=" + app.clientId() + "&client_secret=" + app.secret());
        assertThat(missing.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(exchangeInBody(app, code, CB).status()).isEqualTo(200);
    }

    @Test
    void aPublicClientMustProveTheCodeWithPkceS256() {
        App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(CB), "scopes", List.of("openid", "rest.all"),
                "offlineAccess", true));
        CodeVerifier verifier = new CodeVerifier();
        String challenge = CodeChallenge.compute(CodeChallengeMethod.S256, verifier).getValue();
        String code = server.issueCode(spa, "alice", CB, "openid rest.all", challenge, null);
        String base = "grant_type=authorization_code&client_id=" + spa.clientId() + "&redirect_uri=" + enc(CB) + "&code=" + code;

        assertThat(server.postForm("/oauth2/token", null, null, base).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.postForm("/oauth2/token", null, null, base + "&code_verifier=" + new CodeVerifier().getValue())
                .json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.postForm("/oauth2/token", null, null, base + "&code_verifier=short").json().path("error").asText())
                .isEqualTo("invalid_grant");
        Response ok = server.postForm("/oauth2/token", null, null, base + "&code_verifier=" + verifier.getValue());
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().has("refresh_token")).isTrue();

        // Without any client_id the request is not a client at all.
        Response anonymous = server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&code=x&redirect_uri=" + enc(CB));
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void aVerifierForACodeWithoutChallengeIsADowngradeAndRefused() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        Response r = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CB,
                "code_verifier", new CodeVerifier().getValue()));
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_grant");
        // A confidential client may still use PKCE.
        CodeVerifier v = new CodeVerifier();
        String withPkce = server.issueCode(app, "alice", CB, ALL, CodeChallenge.compute(CodeChallengeMethod.S256, v).getValue(), null);
        assertThat(server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", withPkce, "redirect_uri", CB,
                "code_verifier", v.getValue())).status()).isEqualTo(200);
    }

    @Test
    void aCodeIssuedBeforeRevokeAllCannotBeExchangedAfterIt() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/revoke-tokens", null);
        assertThat(exchangeInBody(app, code, CB).json().path("error").asText()).isEqualTo("invalid_grant");
        String fresh = server.issueCode(app, "alice", CB, ALL, null, null);
        assertThat(exchangeInBody(app, fresh, CB).status()).isEqualTo(200);
    }

    @Test
    void aCodeExpiresAfterTenMinutes() {
        App app = webApp(Map.of());
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        server.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(exchangeInBody(app, code, CB).json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void anExpiredOrDisabledAppGetsInvalidClient() {
        App app = webApp(Map.of("expiresAt", "2020-01-01T00:00:00Z"));
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        Response r = exchangeInBody(app, code, CB);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void aPersonWhoIsNoLongerAuthorizedGetsNoTokens() {
        App app = webApp(Map.of("authorizedUsers", List.of("bob")));
        String code = server.issueCode(app, "alice", CB, ALL, null, null);
        assertThat(exchangeInBody(app, code, CB).json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void userinfoAnswersGetAndPostWithTheClaimsOfTheScopes() {
        App app = webApp(Map.of());
        String access = exchangeInBody(app, server.issueCode(app, "alice", CB, "openid email", null, null), CB)
                .json().path("access_token").asText();
        for (String method : List.of("GET", "POST")) {
            Response r = server.send(HttpRequest.newBuilder(URI.create(server.url("/oauth2/userinfo")))
                    .header("Authorization", "Bearer " + access).method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.status()).isEqualTo(200);
            JsonNode claims = r.json();
            assertThat(claims.path("sub").asText()).isNotEmpty();
            assertThat(claims.path("email").asText()).isEqualTo("alice@demo.example");
            assertThat(claims.has("name")).isFalse();
        }
        Response profile = userinfo(exchangeInBody(app, server.issueCode(app, "alice", CB, "openid profile", null, null), CB)
                .json().path("access_token").asText());
        assertThat(profile.json().path("name").asText()).isEqualTo("Alice Rossi");
        assertThat(profile.json().has("email")).isFalse();
    }

    @Test
    void userinfoFailuresAreRfc6750Challenges() {
        Response none = server.get("/oauth2/userinfo");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"ostium\"");
        Response bad = userinfo("not-a-token");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        App app = webApp(Map.of());
        String noOpenid = exchangeInBody(app, server.issueCode(app, "alice", CB, "rest.all", null, null), CB).json().path("access_token").asText();
        Response scope = userinfo(noOpenid);
        assertThat(scope.status()).isEqualTo(403);
        assertThat(scope.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"").contains("scope=\"openid\"");
        App service = server.createService("alice");
        assertThat(userinfo(server.token(service)).status()).isEqualTo(403);
    }

    static Response userinfo(String token) {
        return server.send(HttpRequest.newBuilder(URI.create(server.url("/oauth2/userinfo")))
                .header("Authorization", "Bearer " + token).GET().build());
    }
}
