package dev.ostium.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import dev.ostium.web.Responses;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** POST /oauth2/token (RFC 6749 §3.2): reads the request, hands it to its grant, writes the answer. */
public final class TokenEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        // §5.1: the answer carries Cache-Control: no-store.
        Responses.json(ctx, 200, answer(granted));
    }

    private static String answer(Granted granted) {
        AccessTokens.Issued issued = granted.access();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.value());
        body.put("token_type", AccessTokenType.BEARER.getValue());
        if (issued.expiresInSeconds() > 0) body.put("expires_in", issued.expiresInSeconds());
        if (granted.refreshToken() != null) body.put("refresh_token", granted.refreshToken());
        body.put("scope", String.join(" ", issued.scopes()));
        if (granted.idToken() != null) body.put("id_token", granted.idToken());
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a token answer", e);
        }
    }
}
