package dev.ostium.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.assertions.jwt.JWTAssertionDetailsVerifier;
import com.nimbusds.oauth2.sdk.id.Audience;
import dev.ostium.apps.AppKeys;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.SecretType;
import dev.ostium.directory.User;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 7523 §2.1: a signed-JWT service account presents a JWT it signed with its private key as the
 * authorization grant. The issuer is the app's client id; the subject is the app itself or its bound user.
 */
public final class JwtBearerGrant {

    private final AppRegistry apps;
    private final ClientAuthenticator clients;
    private final ServiceAccountPolicy policy;
    private final SpentAssertions spent;
    private final AccessTokens tokens;
    private final Clock clock;
    private final JWTAssertionDetailsVerifier claimsVerifier;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    public JwtBearerGrant(AppRegistry apps, ClientAuthenticator clients, ServiceAccountPolicy policy,
                          SpentAssertions spent, AccessTokens tokens, Clock clock, Set<Audience> audiences) {
        this.apps = apps;
        this.clients = clients;
        this.policy = policy;
        this.spent = spent;
        this.tokens = tokens;
        this.clock = clock;
        this.claimsVerifier = new JWTAssertionDetailsVerifier(audiences);
    }

    public AccessTokens.Issued handle(String authorization, FormBody form) {
        String assertion = form.get("assertion");
        if (assertion == null) throw OAuthProblem.invalidRequest("assertion is required");
        // §3.1: client authentication is optional with this grant; when present it must be the same app.
        Optional<ClientAuthenticator.Authenticated> client = clients.attempt(authorization, form);

        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw grantError("the assertion is not a signed JWT");
        }
        String issuer = claims.getIssuer();
        ExternalApp app = apps.byClientId(issuer).filter(a -> a.secretType() == SecretType.SIGNED_JWT)
                .orElseThrow(() -> grantError("the assertion's issuer is not a signed-JWT app"));
        if (client.isPresent() && client.get().app().id() != app.id()) {
            throw grantError("the assertion was issued by another app than the authenticated client");
        }
        // The signature first: nothing about the app is told to someone who cannot sign as it.
        if (!signedByApp(jwt, app)) throw grantError("the assertion's signature does not match the app's public key");
        try {
            claimsVerifier.verify(claims, null);
        } catch (BadJWTException e) {
            throw grantError("assertion rejected: " + e.getMessage());
        }
        if (!app.enabled()) throw OAuthProblem.invalidClient("this app is disabled");
        if (app.expired(clock.instant())) throw OAuthProblem.invalidClient("this app has expired");
        User user = policy.actingUser(app);
        String subject = claims.getSubject();
        if (!app.clientId().equals(subject) && !user.username().equals(subject)) {
            throw grantError("the assertion's subject must be the app's client id or its bound user");
        }
        // Scope before the jti is spent: a request refused for its scope can be corrected and sent again.
        Set<String> scopes = policy.grantedScopes(app, form.get("scope"));
        spent.spend(app, claims.getJWTID(), claims.getExpirationTime(), claims.getIssueTime(), clock.millis(),
                SpentAssertions.Kind.GRANT);
        return tokens.issue(app, user, scopes, GrantType.JWT_BEARER.getValue());
    }

    private boolean signedByApp(SignedJWT jwt, ExternalApp app) {
        for (PublicKey key : AppKeys.candidates(app, jwt.getHeader())) {
            try {
                if (jwt.verify(verifiers.createJWSVerifier(jwt.getHeader(), key))) return true;
            } catch (JOSEException e) {
                // wrong key type for this algorithm: try the next key
            }
        }
        return false;
    }

    private static OAuthProblem grantError(String description) {
        return OAuthProblem.of(OAuth2Error.INVALID_GRANT, description);
    }
}
