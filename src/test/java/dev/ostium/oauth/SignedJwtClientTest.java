package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Signed-JWT service accounts: private_key_jwt client authentication and the RFC 7523 JWT-bearer grant. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class SignedJwtClientTest extends ServerTest {

    private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private record KeyedApp(String clientId, JWK privateKey) {}

    private KeyedApp generatedApp(String user) throws Exception {
        App app = server.create(Map.of("name", "signed", "user", user, "secretType", "signed_jwt", "scopes", List.of("rest.all.read")));
        assertThat(app.secret()).isNull();
        assertThat(app.created().path("privateKeyPem").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
        JWK jwk = JWK.parse(app.created().path("privateJwk").toString());
        assertThat(jwk.isPrivate()).isTrue();
        return new KeyedApp(app.clientId(), jwk);
    }

    private static String assertion(JWK key, String iss, String sub, String aud, long expSeconds, String jti) throws JOSEException {
        long now = System.currentTimeMillis();
        return assertion(key, iss, sub, aud, new Date(now), new Date(now + expSeconds * 1000), jti);
    }

    private static String assertion(JWK key, String iss, String sub, String aud, Date iat, Date exp, String jti) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(iss).subject(sub).audience(aud)
                .expirationTime(exp).issueTime(iat).jwtID(jti).build();
        SignedJWT jwt;
        if (key instanceof RSAKey rsa) {
            jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(rsa));
        } else {
            ECKey ec = (ECKey) key;
            jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
            jwt.sign(new ECDSASigner(ec));
        }
        return jwt.serialize();
    }

    private Response clientAssertionToken(String clientAssertion) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "client_credentials");
        p.put("client_assertion_type", ASSERTION_TYPE);
        p.put("client_assertion", clientAssertion);
        return server.postForm("/oauth2/token", null, null, TestServer.form(p));
    }

    private String tokenUrl() {
        return server.url("/oauth2/token");
    }

    @Test
    void generatedKeyPairAuthenticatesWithPrivateKeyJwt() throws Exception {
        KeyedApp app = generatedApp("alice");
        Response r = clientAssertionToken(assertion(app.privateKey(), app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String token = r.json().path("access_token").asText();
        assertThat(server.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(200);
    }

    @Test
    void theServerKeepsOnlyThePublicKey() throws Exception {
        KeyedApp app = generatedApp("alice");
        String stored = server.node().db.jdbi().withHandle(h -> h.createQuery("select public_jwks from apps where client_id = :c")
                .bind("c", app.clientId()).mapTo(String.class).one());
        assertThat(stored).doesNotContain("\"d\"").doesNotContain(((RSAKey) app.privateKey()).getPrivateExponent().toString());
        assertThat(server.admin("GET", "/admin/api/apps/" + app.clientId(), null).body()).doesNotContain("privateKeyPem");
    }

    @Test
    void aReplayedAssertionIsRefused() throws Exception {
        KeyedApp app = generatedApp("alice");
        String a = assertion(app.privateKey(), app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString());
        assertThat(clientAssertionToken(a).status()).isEqualTo(200);
        Response replay = clientAssertionToken(a);
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(replay.json().path("error_description").asText()).contains("already used");
    }

    @Test
    void assertionsWithWrongKeyAudienceExpiryOrIssuerAreRefused() throws Exception {
        KeyedApp app = generatedApp("alice");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(app.privateKey().getKeyID()).generate();
        String id = app.clientId();
        List<String> bad = List.of(
                assertion(stranger, id, id, tokenUrl(), 60, UUID.randomUUID().toString()),
                assertion(app.privateKey(), id, id, "https://elsewhere.example/token", 60, UUID.randomUUID().toString()),
                assertion(app.privateKey(), id, id, tokenUrl(), -120, UUID.randomUUID().toString()),
                assertion(app.privateKey(), "someone-else", id, tokenUrl(), 60, UUID.randomUUID().toString()),
                assertion(app.privateKey(), id, id, tokenUrl(), 60, null),
                assertion(app.privateKey(), id, id, tokenUrl(), 7200, UUID.randomUUID().toString()),
                "not.a.jwt",
                "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.");
        for (String a : bad) {
            Response r = clientAssertionToken(a);
            assertThat(r.status()).as(a + " -> " + r.body()).isEqualTo(401);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
        }
        assertThat(server.count("access_tokens")).isNotNegative();
    }

    @Test
    void theAssertionsIssAndSubAreTheClientIdExactly() throws Exception {
        KeyedApp app = generatedApp("alice");
        String id = app.clientId();
        // nothing after the client id, however invisible: the parsed client id would be trimmed
        for (String[] issSub : List.of(new String[] {id + " ", id + " "}, new String[] {id + "\u0000", id + "\u0000"},
                new String[] {id, id + "\t"})) {
            // (with client_id named in the body too, as RFC 7521 §4.2 allows: its failures count against this client only)
            Response r = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                    "client_id", id, "client_assertion_type", ASSERTION_TYPE,
                    "client_assertion", assertion(app.privateKey(), issSub[0], issSub[1], tokenUrl(), 60, UUID.randomUUID().toString()))));
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client");
        }
        assertThat(clientAssertionToken(assertion(app.privateKey(), id, id, tokenUrl(), 60, UUID.randomUUID().toString())).status())
                .isEqualTo(200);
    }

    @Test
    void secretKeyAppCannotUsePrivateKeyJwtAndViceVersa() throws Exception {
        KeyedApp signed = generatedApp("alice");
        App secretApp = server.createService("alice");
        Response r = server.postForm("/oauth2/token", signed.clientId(), "guess", "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(401);
        RSAKey someKey = new RSAKeyGenerator(2048).generate();
        Response r2 = clientAssertionToken(assertion(someKey, secretApp.clientId(), secretApp.clientId(), tokenUrl(), 60, "x1"));
        assertThat(r2.status()).isEqualTo(401);
    }

    @Test
    void uploadedPemPublicKeyIsAccepted() throws Exception {
        RSAKey own = new RSAKeyGenerator(2048).keyID("mine").generate();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(own.toPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        App app = server.create(Map.of("name", "uploaded", "user", "bob", "secretType", "signed_jwt", "publicKey", pem));
        assertThat(app.created().has("privateKeyPem")).isFalse();
        Response r = clientAssertionToken(assertion(own, app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void uploadedJwkReplacesTheGeneratedKey() throws Exception {
        KeyedApp app = generatedApp("alice");
        ECKey own = new ECKeyGenerator(Curve.P_256).keyID("ec-own").generate();
        Response up = server.admin("PUT", "/admin/api/apps/" + app.clientId() + "/public-key",
                Map.of("publicKey", own.toPublicJWK().toJSONString()));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
        assertThat(clientAssertionToken(assertion(own, app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString())).status()).isEqualTo(200);
        // the old generated key no longer works
        assertThat(clientAssertionToken(assertion(app.privateKey(), app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString())).status()).isEqualTo(401);
    }

    @Test
    void regeneratingTheKeyPairRetiresTheOldKey() throws Exception {
        KeyedApp app = generatedApp("alice");
        Response regen = server.admin("POST", "/admin/api/apps/" + app.clientId() + "/keys?alg=ES256", null);
        assertThat(regen.status()).isEqualTo(200);
        JWK fresh = JWK.parse(regen.json().path("privateJwk").toString());
        assertThat(fresh).isInstanceOf(ECKey.class);
        assertThat(clientAssertionToken(assertion(fresh, app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString())).status()).isEqualTo(200);
        assertThat(clientAssertionToken(assertion(app.privateKey(), app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString())).status()).isEqualTo(401);
    }

    @Test
    void badUploadsAreRefusedAndKeepTheOldKey() throws Exception {
        KeyedApp app = generatedApp("alice");
        for (String bad : List.of("", "hello", "{\"kty\":\"oct\",\"k\":\"AAAA\"}", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "' OR 1=1 --")) {
            Response r = server.admin("PUT", "/admin/api/apps/" + app.clientId() + "/public-key", Map.of("publicKey", bad));
            assertThat(r.status()).as(bad + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
        }
        assertThat(clientAssertionToken(assertion(app.privateKey(), app.clientId(), app.clientId(), tokenUrl(), 60, UUID.randomUUID().toString())).status()).isEqualTo(200);
    }

    // ---- RFC 7523 §2.1 JWT-bearer grant --------------------------------------------------------

    private Response jwtBearer(String assertion, String scope) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        p.put("assertion", assertion);
        if (scope != null) p.put("scope", scope);
        return server.postForm("/oauth2/token", null, null, TestServer.form(p));
    }

    @Test
    void jwtBearerGrantIssuesATokenForTheBoundUser() throws Exception {
        KeyedApp app = generatedApp("bob");
        Response r = jwtBearer(assertion(app.privateKey(), app.clientId(), "bob", server.base(), 60, UUID.randomUUID().toString()), "rest.all.read");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String token = r.json().path("access_token").asText();
        Response q = server.query(token, "SELECT invoice_no FROM Invoice;");
        assertThat(q.json().path("result").findValuesAsText("invoice_no")).contains("INV-0003").doesNotContain("INV-0001", "INV-0002");
    }

    @Test
    void jwtBearerGrantRefusesReplayOtherSubjectsAndForeignSignatures() throws Exception {
        KeyedApp app = generatedApp("bob");
        String ok = assertion(app.privateKey(), app.clientId(), app.clientId(), server.url("/oauth2/token"), 60, UUID.randomUUID().toString());
        assertThat(jwtBearer(ok, null).status()).isEqualTo(200);
        Response replay = jwtBearer(ok, null);
        assertThat(replay.json().path("error").asText()).isEqualTo("invalid_grant");

        Response otherUser = jwtBearer(assertion(app.privateKey(), app.clientId(), "alice", server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(otherUser.json().path("error").asText()).isEqualTo("invalid_grant");

        RSAKey stranger = new RSAKeyGenerator(2048).generate();
        Response forged = jwtBearer(assertion(stranger, app.clientId(), "bob", server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(forged.json().path("error").asText()).isEqualTo("invalid_grant");

        Response wrongScope = jwtBearer(assertion(app.privateKey(), app.clientId(), "bob", server.base(), 60, UUID.randomUUID().toString()), "rest.all");
        assertThat(wrongScope.json().path("error").asText()).isEqualTo("invalid_scope");

        Response missing = jwtBearer("", null);
        assertThat(missing.json().path("error").asText()).isEqualTo("invalid_request");

        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        Response disabled = jwtBearer(assertion(app.privateKey(), app.clientId(), "bob", server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(disabled.status()).isEqualTo(401);
        assertThat(disabled.json().path("error").asText()).isEqualTo("invalid_client");
        server.admin("DELETE", "/admin/api/apps/" + app.clientId(), null);
        Response deleted = jwtBearer(assertion(app.privateKey(), app.clientId(), "bob", server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(deleted.json().path("error").asText()).isEqualTo("invalid_grant");
    }

    private static Date secondsFromNow(long seconds) {
        return new Date(System.currentTimeMillis() + seconds * 1000);
    }

    @Test
    void anAssertionPastItsExpiryIsRefusedEvenWithinTheClockSkew() throws Exception {
        KeyedApp app = generatedApp("alice");
        String id = app.clientId();
        Response client = clientAssertionToken(assertion(app.privateKey(), id, id, tokenUrl(), secondsFromNow(-90), secondsFromNow(-30),
                UUID.randomUUID().toString()));
        assertThat(client.status()).isEqualTo(401);
        assertThat(client.json().path("error").asText()).isEqualTo("invalid_client");
        Response grant = jwtBearer(assertion(app.privateKey(), id, id, tokenUrl(), secondsFromNow(-90), secondsFromNow(-30),
                UUID.randomUUID().toString()), null);
        assertThat(grant.status()).isEqualTo(400);
        assertThat(grant.json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void aSpentIdOutlivesCleanupForAsLongAsAnyNodeCouldAcceptTheAssertion() throws Exception {
        KeyedApp app = generatedApp("alice");
        String id = app.clientId();
        String jti = UUID.randomUUID().toString();
        assertThat(clientAssertionToken(assertion(app.privateKey(), id, id, tokenUrl(), secondsFromNow(-1), secondsFromNow(5), jti)).status())
                .isEqualTo(200);
        try {
            server.clock.advance(java.time.Duration.ofSeconds(25)); // exp + 20 s: a node 60 s behind would still accept it
            server.node().tokenStore.deleteExpired(0);
            long kept = server.node().db.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from used_assertions where app_id = (select id from apps where client_id = :c)")
                    .bind("c", id).mapTo(Long.class).one());
            assertThat(kept).isEqualTo(1);
            server.clock.advance(java.time.Duration.ofSeconds(60));
            server.node().tokenStore.deleteExpired(0);
            long after = server.node().db.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from used_assertions where app_id = (select id from apps where client_id = :c)")
                    .bind("c", id).mapTo(Long.class).one());
            assertThat(after).isZero();
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void anAssertionIssuedInTheFutureIsRefused() throws Exception {
        KeyedApp app = generatedApp("alice");
        String id = app.clientId();
        Response r = clientAssertionToken(assertion(app.privateKey(), id, id, tokenUrl(), secondsFromNow(300), secondsFromNow(600),
                UUID.randomUUID().toString()));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("error_description").asText()).contains("future");
    }

    @Test
    void aShortLivedGrantAssertionWithoutJtiIsAcceptedALongOneIsNot() throws Exception {
        KeyedApp app = generatedApp("bob");
        String id = app.clientId();
        Response shortLived = jwtBearer(assertion(app.privateKey(), id, id, server.base(), secondsFromNow(0), secondsFromNow(120), null), null);
        assertThat(shortLived.status()).as(shortLived.body()).isEqualTo(200);
        Response longLived = jwtBearer(assertion(app.privateKey(), id, id, server.base(), secondsFromNow(0), secondsFromNow(1800), null), null);
        assertThat(longLived.status()).isEqualTo(400);
        assertThat(longLived.json().path("error_description").asText()).contains("jti");
        // Client assertions still need one: they authenticate the client on every call.
        assertThat(clientAssertionToken(assertion(app.privateKey(), id, id, tokenUrl(), secondsFromNow(0), secondsFromNow(60), null))
                .status()).isEqualTo(401);
    }

    @Test
    void aGrantRefusedForItsScopeDoesNotSpendTheAssertion() throws Exception {
        KeyedApp app = generatedApp("bob");
        String a = assertion(app.privateKey(), app.clientId(), app.clientId(), server.base(), 60, UUID.randomUUID().toString());
        assertThat(jwtBearer(a, "rest.all").json().path("error").asText()).isEqualTo("invalid_scope");
        assertThat(jwtBearer(a, "rest.all.read").status()).isEqualTo(200);
    }

    @Test
    void aDisabledAppIsNamedOnlyToWhoeverCanSignAsIt() throws Exception {
        KeyedApp app = generatedApp("bob");
        server.admin("POST", "/admin/api/apps/" + app.clientId() + "/disable", null);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(app.privateKey().getKeyID()).generate();
        Response forged = jwtBearer(assertion(stranger, app.clientId(), app.clientId(), server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(forged.json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(forged.body()).doesNotContain("disabled");
        Response signed = jwtBearer(assertion(app.privateKey(), app.clientId(), app.clientId(), server.base(), 60, UUID.randomUUID().toString()), null);
        assertThat(signed.json().path("error_description").asText()).contains("disabled");
    }
}
