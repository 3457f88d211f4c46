package dev.ostium.oauth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.User;
import dev.ostium.keys.SigningKeys;
import java.net.URI;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

/** OpenID Connect ID tokens (Core §2), signed ES256 by default or RS256 when the app asks for it. */
public final class IdTokens {

    private final SigningKeys keys;
    private final String issuer;

    public IdTokens(SigningKeys keys, URI issuer) {
        this.keys = keys;
        this.issuer = issuer.toString();
    }

    /**
     * An ID token given back as a hint of who the person is (OpenID Connect Core §3.1.2.1, RP-Initiated Logout
     * §2): one this server signed for one app, expired ones too, since a hint is often old. Empty when it is
     * not one, including a JWT access token signed with the same keys.
     */
    public Optional<JWTClaimsSet> hint(String idToken) {
        if (idToken == null || idToken.length() > 8192) return Optional.empty();
        try {
            SignedJWT jwt = SignedJWT.parse(idToken);
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            JOSEObjectType type = jwt.getHeader().getType();
            boolean idTokenType = type == null || JOSEObjectType.JWT.equals(type);
            if (idTokenType && keys.verify(jwt) && issuer.equals(claims.getIssuer()) && claims.getAudience() != null
                    && claims.getAudience().size() == 1 && claims.getSubject() != null) {
                return Optional.of(claims);
            }
        } catch (java.text.ParseException | RuntimeException e) {
            // not a JWT, or not one of ours
        }
        return Optional.empty();
    }

    public static JWSAlgorithm algorithm(ExternalApp app) {
        return "RS256".equals(app.idTokenAlg()) ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
    }

    /**
     * @param nonce       the authorization request's nonce; null on refresh (Core §12.2)
     * @param accessToken the access token issued with it, hashed into at_hash (Core §3.1.3.6)
     */
    public String issue(ExternalApp app, User user, Set<String> scopes, long authTime, String nonce, String accessToken, long now) {
        JWSAlgorithm alg = algorithm(app);
        // Built as the JWT claims it becomes: the OpenID claims-set classes would write JSON and parse it back.
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(user.subject())
                .audience(app.clientId())
                .expirationTime(new Date(now + app.lifetimes().idToken().toMillis()))
                .issueTime(new Date(now))
                .claim("auth_time", authTime / 1000);
        if (nonce != null) claims.claim("nonce", nonce);
        claims.claim("at_hash", AccessTokenHash.compute(new BearerAccessToken(accessToken), alg, null).getValue())
                .claim("azp", app.clientId());
        UserClaims.released(user, scopes).forEach(claims::claim);
        return keys.sign(alg, "JWT", claims.build());
    }
}
