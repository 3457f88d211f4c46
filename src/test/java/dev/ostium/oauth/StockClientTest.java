package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import dev.ostium.testing.TestServer;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A stock OAuth client library, driven only by our discovery documents, works without tweaks. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class StockClientTest extends ServerTest {

    private AuthorizationServerMetadata metadata() throws Exception {
        return AuthorizationServerMetadata.resolve(new Issuer(server.base()));
    }

    @Test
    void bothDiscoveryDocumentsResolveAndAgree() throws Exception {
        AuthorizationServerMetadata as = metadata();
        OIDCProviderMetadata op = OIDCProviderMetadata.parse(server.get("/.well-known/openid-configuration").body());
        assertThat(as.getIssuer().getValue()).isEqualTo(server.base());
        assertThat(op.getIssuer()).isEqualTo(as.getIssuer());
        assertThat(as.getTokenEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/token")));
        assertThat(as.getIntrospectionEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/introspect")));
        assertThat(as.getRevocationEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/revoke")));
        assertThat(op.getJWKSetURI()).isEqualTo(URI.create(server.url("/oauth2/jwks")));
        assertThat(as.getScopes().toStringList()).contains("rest.all", "rest.all.read", "rest.all.write", "openid", "api");
        assertThat(as.getGrantTypes()).extracting(Object::toString).containsExactlyInAnyOrder("authorization_code", "refresh_token",
                "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        assertThat(as.getTokenEndpointAuthMethods()).extracting(Object::toString)
                .containsExactlyInAnyOrder("client_secret_basic", "client_secret_post", "private_key_jwt", "none");
        assertThat(as.getAuthorizationEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/authorize")));
        assertThat(as.getResponseTypes()).extracting(Object::toString).containsExactly("code");
        assertThat(as.getResponseModes()).extracting(Object::toString).containsExactlyInAnyOrder("query", "form_post");
        assertThat(as.getCodeChallengeMethods()).extracting(Object::toString).containsExactly("S256");
        assertThat(as.supportsAuthorizationResponseIssuerParam()).isTrue();
        assertThat(op.getUserInfoEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/userinfo")));
        assertThat(op.getEndSessionEndpointURI()).isEqualTo(URI.create(server.url("/oauth2/logout")));
        assertThat(op.getIDTokenJWSAlgs()).extracting(Object::toString).containsExactlyInAnyOrder("ES256", "RS256");
        assertThat(op.getClaims()).contains("sub", "email", "email_verified", "name", "preferred_username", "organisation",
                "auth_time", "nonce", "at_hash", "azp");
    }

    @Test
    void discoveryAdvertisesExactlyWhatIsAccepted() throws Exception {
        for (String doc : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
            var json = server.get(doc).json();
            assertThat(json.has("response_types_supported")).as(doc).isTrue();
            assertThat(json.path("response_types_supported").toString()).as(doc).isEqualTo("[\"code\"]");
            assertThat(json.path("authorization_response_iss_parameter_supported").asBoolean()).as(doc).isTrue();
            assertThat(json.path("token_endpoint_auth_signing_alg_values_supported")).extracting(Object::toString)
                    .map(s -> s.replace("\"", ""))
                    .containsExactlyInAnyOrder("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
        }
        assertThat(server.get("/.well-known/openid-configuration").json().path("ui_locales_supported").toString())
                .isEqualTo("[\"en\",\"it\"]");
    }

    @Test
    void everyAdvertisedAlgorithmWorksWithAKeyOfItsType() throws Exception {
        String token = server.url("/oauth2/token");
        App rsa = server.create(Map.of("name", "rsa", "user", "alice", "secretType", "signed_jwt"));
        JWK rsaKey = JWK.parse(rsa.created().path("privateJwk").toString());
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.RS512, JWSAlgorithm.PS512)) {
            assertThat(clientAssertionStatus(rsa.clientId(), rsaKey, alg, token)).as(alg.getName()).isEqualTo(200);
        }
        ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
        App ec = server.create(Map.of("name", "ec", "user", "alice", "secretType", "signed_jwt",
                "publicKey", p384.toPublicJWK().toJSONString()));
        assertThat(clientAssertionStatus(ec.clientId(), p384, JWSAlgorithm.ES384, token)).isEqualTo(200);
    }

    private int clientAssertionStatus(String clientId, JWK key, JWSAlgorithm alg, String audience) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(audience)
                .issueTime(new Date()).expirationTime(new Date(System.currentTimeMillis() + 60_000))
                .jwtID(UUID.randomUUID().toString()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
        jwt.sign(key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key));
        return server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", jwt.serialize()))).status();
    }

    @Test
    void jwksPublishesAnEs256AndAnRs256KeyWithKeyIds() throws Exception {
        JWKSet jwks = JWKSet.load(metadata().getJWKSetURI().toURL());
        assertThat(jwks.getKeys()).extracting(k -> k.getAlgorithm().getName()).contains("ES256", "RS256");
        assertThat(jwks.getKeys()).allSatisfy(k -> {
            assertThat(k.getKeyID()).isNotBlank();
            assertThat(k.isPrivate()).isFalse();
        });
    }

    @Test
    void clientCredentialsIntrospectionAndRevocationWithTheStockClient() throws Exception {
        App app = server.createService("alice", "rest.all.read", "rest.all.write");
        AuthorizationServerMetadata as = metadata();
        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(app.clientId()), new Secret(app.secret()));

        TokenResponse response = TokenResponse.parse(new TokenRequest(as.getTokenEndpointURI(), auth,
                new ClientCredentialsGrant(), new Scope("rest.all.read")).toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).isTrue();
        AccessToken token = ((AccessTokenResponse) response).getTokens().getAccessToken();
        assertThat(token.getScope().toStringList()).containsExactly("rest.all.read");
        assertThat(token.getLifetime()).isEqualTo(600);

        TokenIntrospectionResponse intro = TokenIntrospectionResponse.parse(
                new TokenIntrospectionRequest(as.getIntrospectionEndpointURI(), auth, token).toHTTPRequest().send());
        TokenIntrospectionSuccessResponse info = intro.toSuccessResponse();
        assertThat(info.isActive()).isTrue();
        assertThat(info.getClientID().getValue()).isEqualTo(app.clientId());
        assertThat(info.getUsername()).isEqualTo("alice");

        var revoke = new TokenRevocationRequest(as.getRevocationEndpointURI(), auth, token).toHTTPRequest().send();
        assertThat(revoke.getStatusCode()).isEqualTo(200);
        assertThat(TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(as.getIntrospectionEndpointURI(), auth, token)
                .toHTTPRequest().send()).toSuccessResponse().isActive()).isFalse();
    }

    @Test
    void clientSecretPostAndErrorsParseWithTheStockClient() throws Exception {
        App app = server.createService("alice", "rest.all.read");
        AuthorizationServerMetadata as = metadata();
        TokenResponse ok = TokenResponse.parse(new TokenRequest(as.getTokenEndpointURI(),
                new ClientSecretPost(new ClientID(app.clientId()), new Secret(app.secret())), new ClientCredentialsGrant())
                .toHTTPRequest().send());
        assertThat(ok.indicatesSuccess()).isTrue();

        TokenResponse bad = TokenResponse.parse(new TokenRequest(as.getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(app.clientId()), new Secret(app.secret())), new ClientCredentialsGrant(),
                new Scope("rest.all")).toHTTPRequest().send());
        TokenErrorResponse error = (TokenErrorResponse) bad;
        assertThat(error.getErrorObject().getCode()).isEqualTo("invalid_scope");
        assertThat(error.getErrorObject().getHTTPStatusCode()).isEqualTo(400);
    }

    @Test
    void privateKeyJwtWithTheStockClient() throws Exception {
        App app = server.create(Map.of("name", "signed", "user", "bob", "secretType", "signed_jwt"));
        RSAKey key = (RSAKey) JWK.parse(app.created().path("privateJwk").toString());
        AuthorizationServerMetadata as = metadata();
        PrivateKeyJWT auth = new PrivateKeyJWT(new ClientID(app.clientId()), as.getTokenEndpointURI(), JWSAlgorithm.RS256,
                key.toPrivateKey(), key.getKeyID(), null);
        TokenResponse r = TokenResponse.parse(new TokenRequest(as.getTokenEndpointURI(), auth, new ClientCredentialsGrant())
                .toHTTPRequest().send());
        assertThat(r.indicatesSuccess()).as(r.toString()).isTrue();
    }

    @Test
    void aResourceServerValidatesJwtAccessTokensOfflineFromTheJwks() throws Exception {
        App app = server.create(Map.of("name", "jwt", "user", "alice", "tokenFormat", "jwt", "scopes", List.of("rest.all.read")));
        String token = server.token(app);
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new com.nimbusds.jose.JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new ImmutableJWKSet<>(JWKSet.load(metadata().getJWKSetURI().toURL()))));
        JWTClaimsSet claims = processor.process(token, null);
        assertThat(claims.getStringClaim("client_id")).isEqualTo(app.clientId());
        assertThat(claims.getStringClaim("scope")).isEqualTo("rest.all.read");
    }
}
