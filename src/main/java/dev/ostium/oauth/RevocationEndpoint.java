package dev.ostium.oauth;

import dev.ostium.apps.ExternalApp;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import io.javalin.http.Context;

/**
 * POST /oauth2/revoke (RFC 7009). The client authenticates and names one of its tokens; the answer is
 * 200 whether or not the token was known (§2.2), and a token of another app is left alone.
 */
public final class RevocationEndpoint {

    private final ClientAuthenticator clients;
    private final AccessTokens tokens;

    public RevocationEndpoint(ClientAuthenticator clients, AccessTokens tokens) {
        this.clients = clients;
        this.tokens = tokens;
    }

    public void handle(Context ctx) {
        FormBody form = FormBody.read(ctx);
        ExternalApp caller = clients.authenticate(ctx.header("Authorization"), form).app();
        String token = form.get("token");
        if (token == null) throw OAuthProblem.invalidRequest("token is required");
        // §2.1: token_type_hint is only a hint; every kind of token is searched whatever it says.
        tokens.revoke(token, caller);
        ctx.status(200).header("Cache-Control", "no-store").result("");
    }

}
