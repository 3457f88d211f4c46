package dev.ostium.oauth;

import dev.ostium.keys.SigningKeys;
import dev.ostium.web.Responses;
import io.javalin.config.RoutesConfig;

/** The protocol's HTTP surface: discovery, JWKS, token, introspection, revocation, userinfo. */
public final class OAuthRoutes {

    private final Discovery discovery;
    private final SigningKeys keys;
    private final TokenEndpoint token;
    private final IntrospectionEndpoint introspection;
    private final RevocationEndpoint revocation;
    private final UserInfoEndpoint userInfo;
    private final Cors cors;

    public OAuthRoutes(Discovery discovery, SigningKeys keys, TokenEndpoint token, IntrospectionEndpoint introspection,
                       RevocationEndpoint revocation, UserInfoEndpoint userInfo, Cors cors) {
        this.cors = cors;
        this.userInfo = userInfo;
        this.discovery = discovery;
        this.keys = keys;
        this.token = token;
        this.introspection = introspection;
        this.revocation = revocation;
    }

    public void routes(RoutesConfig r) {
        r.get("/.well-known/openid-configuration", ctx -> publicJson(ctx, discovery.openidConfiguration()));
        r.get("/.well-known/oauth-authorization-server", ctx -> publicJson(ctx, discovery.oauthMetadata()));
        r.get("/oauth2/jwks", ctx -> publicJson(ctx, keys.publicJwksJson()));
        r.post("/oauth2/token", token::handle);
        r.post("/oauth2/introspect", introspection::handle);
        r.post("/oauth2/revoke", revocation::handle);
        r.get("/oauth2/userinfo", userInfo::handle);
        r.post("/oauth2/userinfo", userInfo::handle);
        // Single-page apps call these from their own origin.
        cors.routes(r, "/oauth2/token", "POST");
        cors.routes(r, "/oauth2/revoke", "POST");
        cors.routes(r, "/oauth2/userinfo", "GET, POST");
    }

    private static void publicJson(io.javalin.http.Context ctx, String json) {
        Responses.json(ctx, 200, json);
        // Metadata and public keys may be cached briefly by clients; keys rotate with overlap.
        ctx.header("Cache-Control", "public, max-age=60").removeHeader("Pragma");
        ctx.header("Access-Control-Allow-Origin", "*");
    }
}
