package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.ostium.apps.ExternalApp;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import dev.ostium.web.Responses;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Date;
import java.util.Optional;

/**
 * POST /oauth2/introspect (RFC 7662). The caller must authenticate; it learns about its own tokens, or
 * about any token when the app is allowed to introspect. Everything else is simply "not active" (§2.2).
 */
public final class IntrospectionEndpoint {

    private final ClientAuthenticator clients;
    private final AccessTokens tokens;
    private final URI issuer;

    private final RefreshTokenGrant refreshTokens;

    public IntrospectionEndpoint(ClientAuthenticator clients, AccessTokens tokens, RefreshTokenGrant refreshTokens, URI issuer) {
        this.refreshTokens = refreshTokens;
        this.clients = clients;
        this.tokens = tokens;
        this.issuer = issuer;
    }

    public void handle(Context ctx) {
        FormBody form = FormBody.read(ctx);
        ExternalApp caller = clients.authenticate(ctx.header("Authorization"), form).app();
        String token = form.get("token");
        if (token == null) throw OAuthProblem.invalidRequest("token is required");
        Optional<AccessTokens.Active> active = tokens.validate(token)
                .filter(a -> a.app().id() == caller.id() || caller.canIntrospect());
        // The hint only orders the lookups (§2.1); a refresh token is described to the app holding it alone.
        TokenIntrospectionSuccessResponse response = active.map(this::describe)
                .or(() -> refreshTokens.live(token, caller).map(r -> describe(r, caller)))
                .orElseGet(() -> new TokenIntrospectionSuccessResponse.Builder(false).build());
        Responses.jsonNow(ctx, response.toJSONObject().toJSONString());
    }

    private TokenIntrospectionSuccessResponse describe(AccessTokens.Active a) {
        var b = new TokenIntrospectionSuccessResponse.Builder(true)
                .scope(new Scope(a.record().scopes().toArray(String[]::new)))
                .clientID(new ClientID(a.app().clientId()))
                .username(a.user().username())
                .subject(new Subject(a.user().subject()))
                .tokenType(AccessTokenType.BEARER)
                .issueTime(new Date(a.record().issuedAt()))
                .expirationTime(new Date(a.record().expiresAt()))
                .audience(new Audience(tokens.audience()).toSingleAudienceList())
                .issuer(new Issuer(issuer.toString()));
        if (a.jti() != null) b.jwtID(new JWTID(a.jti()));
        return b.build();
    }

    private TokenIntrospectionSuccessResponse describe(RefreshTokenGrant.Live r, ExternalApp holder) {
        return new TokenIntrospectionSuccessResponse.Builder(true)
                .scope(new Scope(r.token().scopes().toArray(String[]::new)))
                .clientID(new ClientID(holder.clientId()))
                .username(r.user().username())
                .subject(new Subject(r.user().subject()))
                .issueTime(new Date(r.token().issuedAt()))
                .expirationTime(new Date(Math.min(r.token().expiresAt(), r.family().expiresAt())))
                .issuer(new Issuer(issuer.toString()))
                .build();
    }
}
