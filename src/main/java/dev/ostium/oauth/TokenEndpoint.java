package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import dev.ostium.web.Responses;
import io.javalin.http.Context;

/** POST /oauth2/token (RFC 6749 §3.2): reads the request, hands it to its grant, writes the answer. */
public final class TokenEndpoint {

    private final ServiceAccountPolicy policy;
    private final ClientCredentialsGrant clientCredentials;
    private final JwtBearerGrant jwtBearer;
    private final AuthorizationCodeGrant authorizationCode;
    private final RefreshTokenGrant refreshToken;
    private final ResourceIndicator resource;

    public TokenEndpoint(ServiceAccountPolicy policy, ClientCredentialsGrant clientCredentials, JwtBearerGrant jwtBearer,
                         AuthorizationCodeGrant authorizationCode, RefreshTokenGrant refreshToken, ResourceIndicator resource) {
        this.policy = policy;
        this.clientCredentials = clientCredentials;
        this.jwtBearer = jwtBearer;
        this.authorizationCode = authorizationCode;
        this.refreshToken = refreshToken;
        this.resource = resource;
    }

    public void handle(Context ctx) {
        FormBody form = FormBody.read(ctx);
        Cors.spokeFor(ctx, form);
        String grantType = form.get("grant_type");
        if (grantType == null) throw OAuthProblem.invalidRequest("grant_type is required");
        policy.requireOAuthEnabled();
        resource.check(form);
        String authorization = ctx.header("Authorization");
        Granted granted;
        if (GrantType.CLIENT_CREDENTIALS.getValue().equals(grantType)) {
            granted = Granted.accessOnly(clientCredentials.handle(authorization, form));
        } else if (GrantType.JWT_BEARER.getValue().equals(grantType)) {
            granted = Granted.accessOnly(jwtBearer.handle(authorization, form));
        } else if (GrantType.AUTHORIZATION_CODE.getValue().equals(grantType)) {
            granted = authorizationCode.handle(authorization, form);
        } else if (GrantType.REFRESH_TOKEN.getValue().equals(grantType)) {
            // A public client's refresh may name no client: its answer is for the app the refresh token is bound to.
            granted = refreshToken.handle(authorization, form, app -> Cors.tokenOf(ctx, app.id()));
        } else {
            throw OAuthProblem.of(OAuth2Error.UNSUPPORTED_GRANT_TYPE, "grant_type '" + grantType + "' is not supported here");
        }
        AccessTokens.Issued issued = granted.access();
        BearerAccessToken token = new BearerAccessToken(issued.value(), issued.expiresInSeconds(),
                new Scope(issued.scopes().toArray(String[]::new)));
        RefreshToken refresh = granted.refreshToken() == null ? null : new RefreshToken(granted.refreshToken());
        AccessTokenResponse response = granted.idToken() == null
                ? new AccessTokenResponse(new Tokens(token, refresh))
                : new OIDCTokenResponse(new OIDCTokens(granted.idToken(), token, refresh));
        // §5.1: the response carries Cache-Control: no-store.
        Responses.jsonNow(ctx, response.toJSONObject().toJSONString());
    }
}
