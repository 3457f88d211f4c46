package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import dev.ostium.web.Responses;
import io.javalin.http.Context;

/** POST /oauth2/token (RFC 6749 §3.2): reads the request, hands it to its grant, writes the answer. */
public final class TokenEndpoint {

    private final ServiceAccountPolicy policy;
    private final ClientCredentialsGrant clientCredentials;
    private final JwtBearerGrant jwtBearer;

    public TokenEndpoint(ServiceAccountPolicy policy, ClientCredentialsGrant clientCredentials, JwtBearerGrant jwtBearer) {
        this.policy = policy;
        this.clientCredentials = clientCredentials;
        this.jwtBearer = jwtBearer;
    }

    public void handle(Context ctx) {
        FormBody form = FormBody.read(ctx);
        String grantType = form.get("grant_type");
        if (grantType == null) throw OAuthProblem.invalidRequest("grant_type is required");
        policy.requireOAuthEnabled();
        String authorization = ctx.header("Authorization");
        AccessTokens.Issued issued;
        if (GrantType.CLIENT_CREDENTIALS.getValue().equals(grantType)) {
            issued = clientCredentials.handle(authorization, form);
        } else if (GrantType.JWT_BEARER.getValue().equals(grantType)) {
            issued = jwtBearer.handle(authorization, form);
        } else {
            throw OAuthProblem.of(OAuth2Error.UNSUPPORTED_GRANT_TYPE, "grant_type '" + grantType + "' is not supported here");
        }
        BearerAccessToken token = new BearerAccessToken(issued.value(), issued.expiresInSeconds(),
                new Scope(issued.scopes().toArray(String[]::new)));
        // §5.1: the response carries Cache-Control: no-store.
        Responses.json(ctx, 200, new AccessTokenResponse(new Tokens(token, null)).toJSONObject().toJSONString());
    }
}
