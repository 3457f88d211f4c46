package dev.ostium.oauth;

import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.RequestHeaders;
import dev.ostium.web.Responses;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GET and POST /oauth2/userinfo (OpenID Connect Core §5.3): the claims the access token's scopes release.
 * The token comes in the Authorization header; failures are RFC 6750 §3 challenges.
 */
public final class UserInfoEndpoint {

    private final AccessTokens tokens;

    public UserInfoEndpoint(AccessTokens tokens) {
        this.tokens = tokens;
    }

    public void handle(Context ctx) {
        String header = ctx.header("Authorization");
        // RFC 6750 §3.1: one way of presenting the token, once.
        if (RequestHeaders.repeated(ctx, "Authorization")) {
            challenge(ctx, 400, "invalid_request", "the Authorization header is sent more than once");
            return;
        }
        // §2.2 and §2.3 (the token as a form or query parameter) are not offered: such a token is refused, not
        // ignored, so the client learns where to send it.
        if (ctx.queryParam("access_token") != null || ctx.formParam("access_token") != null) {
            challenge(ctx, 400, "invalid_request", "send the access token in the Authorization header");
            return;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // RFC 6750 §3.1: no credentials at all gets a bare challenge.
            challenge(ctx, 401, null, null);
            return;
        }
        String token = header.substring(7).trim();
        Optional<AccessTokens.Active> active = token.matches("[A-Za-z0-9\\-._~+/]+=*") ? tokens.validate(token) : Optional.empty();
        if (active.isEmpty()) {
            challenge(ctx, 401, "invalid_token", "the access token is invalid, expired or revoked");
            return;
        }
        AccessTokens.Active a = active.get();
        Cors.tokenOf(ctx, a.record().appId());
        if (!a.record().scopes().contains("openid") || a.record().familyId() == null) {
            challenge(ctx, 403, "insufficient_scope", "userinfo needs a token granted the openid scope");
            return;
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", a.user().subject());
        claims.putAll(UserClaims.released(a.user(), a.record().scopes()));
        Responses.json(ctx, 200, new net.minidev.json.JSONObject(claims).toJSONString());
    }

    private static void challenge(Context ctx, int status, String error, String description) {
        StringBuilder c = new StringBuilder("Bearer realm=\"ostium\"");
        if (error != null) c.append(", error=\"").append(error).append('"');
        if (description != null) c.append(", error_description=\"").append(description).append('"');
        if (status == 403) c.append(", scope=\"openid\"");
        ctx.header("WWW-Authenticate", c.toString());
        if (status == 401) Cors.readableByAnyOrigin(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        if (error != null) body.put("error", error);
        if (description != null) body.put("error_description", description);
        Responses.json(ctx, status, new net.minidev.json.JSONObject(body).toJSONString());
    }
}
