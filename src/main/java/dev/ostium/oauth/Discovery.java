package dev.ostium.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.ostium.apps.Scopes;
import java.net.URI;
import java.util.List;

/**
 * The two metadata documents, describing exactly what this server supports: RFC 8414
 * (/.well-known/oauth-authorization-server) and OpenID Connect Discovery (/.well-known/openid-configuration).
 */
public final class Discovery {

    public record Endpoints(URI issuer, URI token, URI introspection, URI revocation, URI jwks) {
        public static Endpoints of(URI issuer) {
            return new Endpoints(issuer, URI.create(issuer + "/oauth2/token"), URI.create(issuer + "/oauth2/introspect"),
                    URI.create(issuer + "/oauth2/revoke"), URI.create(issuer + "/oauth2/jwks"));
        }
    }

    /**
     * Every algorithm a client assertion or JWT-bearer assertion may be signed with: those of the app's
     * key type (RSA or EC). Generated key pairs name no algorithm, so any of their type works.
     */
    public static final List<JWSAlgorithm> ASSERTION_ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
            JWSAlgorithm.PS256, JWSAlgorithm.RS384, JWSAlgorithm.ES384, JWSAlgorithm.PS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES512, JWSAlgorithm.PS512);

    private final String oauthJson;
    private final String oidcJson;

    public Discovery(Endpoints endpoints) {
        AuthorizationServerMetadata as = new AuthorizationServerMetadata(new Issuer(endpoints.issuer()));
        fill(as, endpoints);
        this.oauthJson = as.toJSONObject().toJSONString();

        OIDCProviderMetadata op = new OIDCProviderMetadata(new Issuer(endpoints.issuer()),
                List.of(SubjectType.PUBLIC), endpoints.jwks());
        fill(op, endpoints);
        op.setIDTokenJWSAlgs(List.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256));
        this.oidcJson = op.toJSONObject().toJSONString();
    }

    private static void fill(AuthorizationServerMetadata m, Endpoints e) {
        m.setTokenEndpointURI(e.token());
        m.setIntrospectionEndpointURI(e.introspection());
        m.setRevocationEndpointURI(e.revocation());
        m.setJWKSetURI(e.jwks());
        m.setGrantTypes(List.of(GrantType.CLIENT_CREDENTIALS, GrantType.JWT_BEARER));
        m.setScopes(new Scope(Scopes.KNOWN.stream().sorted().toArray(String[]::new)));
        List<ClientAuthenticationMethod> methods = List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        List<JWSAlgorithm> assertionAlgs = ASSERTION_ALGORITHMS;
        m.setTokenEndpointAuthMethods(methods);
        m.setTokenEndpointJWSAlgs(assertionAlgs);
        m.setIntrospectionEndpointAuthMethods(methods);
        m.setIntrospectionEndpointJWSAlgs(assertionAlgs);
        m.setRevocationEndpointAuthMethods(methods);
        m.setRevocationEndpointJWSAlgs(assertionAlgs);
        m.setSupportsRequestURIParam(false);
        // Required in both documents (RFC 8414 §2, OpenID Connect Discovery §3). No response type is
        // supported until this server has an authorization endpoint.
        m.setResponseTypes(List.of());
    }

    public String oauthMetadata() {
        return oauthJson;
    }

    public String openidConfiguration() {
        return oidcJson;
    }
}
