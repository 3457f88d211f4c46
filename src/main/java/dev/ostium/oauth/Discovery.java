package dev.ostium.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.langtag.LangTag;
import com.nimbusds.langtag.LangTagException;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.ostium.apps.Scopes;
import dev.ostium.web.Messages;
import java.net.URI;
import java.util.List;

/**
 * The two metadata documents, describing exactly what this server supports: RFC 8414
 * (/.well-known/oauth-authorization-server) and OpenID Connect Discovery (/.well-known/openid-configuration).
 */
public final class Discovery {

    public record Endpoints(URI issuer, URI token, URI introspection, URI revocation, URI jwks, URI authorization,
                            URI userinfo, URI endSession) {
        public static Endpoints of(URI issuer) {
            return new Endpoints(issuer, URI.create(issuer + "/oauth2/token"), URI.create(issuer + "/oauth2/introspect"),
                    URI.create(issuer + "/oauth2/revoke"), URI.create(issuer + "/oauth2/jwks"),
                    URI.create(issuer + AuthorizationEndpoint.PATH), URI.create(issuer + "/oauth2/userinfo"),
                    URI.create(issuer + EndSessionEndpoint.PATH));
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
        op.setUserInfoEndpointURI(endpoints.userinfo());
        op.setEndSessionEndpointURI(endpoints.endSession());
        op.setClaims(UserClaims.SUPPORTED);
        // the languages the pages speak, which ui_locales may ask for
        op.setUILocales(Messages.SUPPORTED.stream().map(Discovery::tag).toList());
        op.setSupportsClaimsParams(false);
        op.setSupportsRequestParam(false);
        this.oidcJson = op.toJSONObject().toJSONString();
    }

    private static LangTag tag(java.util.Locale language) {
        try {
            return LangTag.parse(language.toLanguageTag());
        } catch (LangTagException e) {
            throw new IllegalStateException("not a language tag: " + language, e);
        }
    }

    private static void fill(AuthorizationServerMetadata m, Endpoints e) {
        m.setTokenEndpointURI(e.token());
        m.setIntrospectionEndpointURI(e.introspection());
        m.setRevocationEndpointURI(e.revocation());
        m.setJWKSetURI(e.jwks());
        m.setAuthorizationEndpointURI(e.authorization());
        m.setGrantTypes(List.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN, GrantType.CLIENT_CREDENTIALS,
                GrantType.JWT_BEARER));
        m.setScopes(new Scope(Scopes.KNOWN.stream().sorted().toArray(String[]::new)));
        List<ClientAuthenticationMethod> methods = List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        // Public clients (single-page and native apps) name themselves with client_id alone at the token
        // and revocation endpoints (RFC 6749 §2.3, RFC 7009 §2.1); introspection needs a real client.
        List<ClientAuthenticationMethod> withPublic = List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
                ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.PRIVATE_KEY_JWT,
                ClientAuthenticationMethod.NONE);
        List<JWSAlgorithm> assertionAlgs = ASSERTION_ALGORITHMS;
        m.setTokenEndpointAuthMethods(withPublic);
        m.setTokenEndpointJWSAlgs(assertionAlgs);
        m.setIntrospectionEndpointAuthMethods(methods);
        m.setIntrospectionEndpointJWSAlgs(assertionAlgs);
        m.setRevocationEndpointAuthMethods(withPublic);
        m.setRevocationEndpointJWSAlgs(assertionAlgs);
        m.setSupportsRequestURIParam(false);
        // OAuth 2.1: the code flow only, answered by query or form_post; PKCE with S256 only.
        m.setResponseTypes(List.of(ResponseType.CODE));
        m.setResponseModes(List.of(ResponseMode.QUERY, ResponseMode.FORM_POST));
        m.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
        // RFC 9207: every authorization response carries iss.
        m.setSupportsAuthorizationResponseIssuerParam(true);
    }

    public String oauthMetadata() {
        return oauthJson;
    }

    public String openidConfiguration() {
        return oidcJson;
    }
}
