package dev.ostium.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.oauth2.sdk.ParseException;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.User;
import dev.ostium.keys.SigningKeys;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Set;

/** OpenID Connect ID tokens (Core §2), signed ES256 by default or RS256 when the app asks for it. */
public final class IdTokens {

    private final SigningKeys keys;
    private final Issuer issuer;

    public IdTokens(SigningKeys keys, URI issuer) {
        this.keys = keys;
        this.issuer = new Issuer(issuer);
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
        IDTokenClaimsSet claims = new IDTokenClaimsSet(issuer, new Subject(user.subject()), List.of(new Audience(app.clientId())),
                new Date(now + app.lifetimes().idToken().toMillis()), new Date(now));
        claims.setAuthenticationTime(new Date(authTime));
        if (nonce != null) claims.setNonce(new Nonce(nonce));
        claims.setAccessTokenHash(AccessTokenHash.compute(new BearerAccessToken(accessToken), alg, null));
        claims.setAuthorizedParty(new com.nimbusds.openid.connect.sdk.claims.AuthorizedParty(app.clientId()));
        UserClaims.released(user, scopes).forEach(claims::setClaim);
        try {
            JWTClaimsSet jwt = claims.toJWTClaimsSet();
            return keys.sign(alg, "JWT", jwt).serialize();
        } catch (ParseException e) {
            throw new IllegalStateException("ID token claims", e);
        }
    }
}
