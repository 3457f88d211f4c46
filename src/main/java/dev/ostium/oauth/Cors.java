package dev.ostium.oauth;

import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.web.FormBody;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Cross-origin reads (the Fetch standard's CORS protocol) of the token, revocation and userinfo answers, for
 * single-page apps that call these endpoints from their own origin. An answer may be read by a page whose
 * origin is that of one of the app's registered redirect URIs — the app the request spoke for (its
 * {@code client_id}) or the app the token it presents was issued to (userinfo's bearer token, the refresh
 * token of a public client that names no client). Credentials (cookies) are never
 * allowed: these endpoints use none. A preflight is answered for any origin: it lets a request be sent,
 * and the request proves itself with its code, refresh token or bearer token; whether its answer can be
 * read is decided on the answer.
 */
public final class Cors {

    private static final String CLIENT_ID = "ostium.cors.client_id";
    private static final String APP_ID = "ostium.cors.app_id";
    private static final String ANY_ORIGIN = "ostium.cors.any_origin";

    private final AppRegistry apps;

    public Cors(AppRegistry apps) {
        this.apps = apps;
    }

    /** The request speaks for the client its body's {@code client_id} or its Basic credentials name. */
    static void spokeFor(Context ctx, FormBody form) {
        String clientId = form.get("client_id");
        String authorization = ctx.header("Authorization");
        if (clientId == null && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                clientId = ClientAuthenticator.basicCredentials(authorization)[0];
            } catch (OAuthProblem e) {
                return; // the client authentication answers it
            }
        }
        if (clientId != null) ctx.attribute(CLIENT_ID, clientId);
    }

    /** The request's token (a bearer token, a refresh token) was issued to this app. */
    static void tokenOf(Context ctx, long appId) {
        ctx.attribute(APP_ID, appId);
    }

    /**
     * The answer says only that the request carried no valid credentials, so any page may read it: a
     * single-page app whose token expired learns that instead of seeing a network error, and a page of
     * another origin learns nothing it could not learn by sending the same token from a server.
     */
    static void readableByAnyOrigin(Context ctx) {
        ctx.attribute(ANY_ORIGIN, Boolean.TRUE);
    }

    /** Preflight and answer handling for one endpoint that browsers may call across origins. */
    void routes(RoutesConfig r, String path, String methods) {
        r.options(path, ctx -> preflight(ctx, methods));
        r.after(path, this::allowRead);
    }

    private static void preflight(Context ctx, String methods) {
        String origin = ctx.header("Origin");
        ctx.status(204).header("Allow", methods + ", OPTIONS");
        if (origin == null || ctx.header("Access-Control-Request-Method") == null) return;
        ctx.header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Methods", methods)
                .header("Access-Control-Allow-Headers", "Authorization, Content-Type")
                .header("Access-Control-Max-Age", "600")
                .header("Vary", "Origin");
    }

    private void allowRead(Context ctx) {
        if ("OPTIONS".equals(ctx.method().name())) return;
        String origin = ctx.header("Origin");
        if (origin == null) return;
        ctx.header("Vary", "Origin");
        if (ctx.attribute(ANY_ORIGIN) != null) {
            allow(ctx, origin);
            return;
        }
        String clientId = ctx.attribute(CLIENT_ID);
        Long appId = ctx.attribute(APP_ID);
        Optional<ExternalApp> app = appId != null ? apps.byId(appId) : apps.byClientId(clientId);
        if (app.isPresent() && app.get().redirectUris().stream().anyMatch(uri -> origin.equals(originOf(uri)))) {
            allow(ctx, origin);
        }
    }

    private static void allow(Context ctx, String origin) {
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Access-Control-Expose-Headers", "WWW-Authenticate");
    }

    /** {@code scheme://host[:port]} of a URL (RFC 6454 §6.1), the default port left out; null for a URI without a host. */
    static String originOf(String uri) {
        try {
            URI u = URI.create(uri);
            if (u.getScheme() == null || u.getHost() == null) return null;
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
