package dev.ostium.oauth;

import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenIds;
import dev.ostium.web.FormBody;
import io.javalin.http.Context;
import java.util.Map;

/**
 * POST /oauth2/revoke (RFC 7009). The client authenticates and names one of its tokens; the answer is
 * 200 whether or not the token was known (§2.2), and a token of another app is left alone.
 */
public final class RevocationEndpoint {

    private final ClientAuthenticator clients;
    private final AccessTokens tokens;
    private final TokenFamilies families;
    private final AuditTrail audit;

    public RevocationEndpoint(ClientAuthenticator clients, AccessTokens tokens, TokenFamilies families, AuditTrail audit) {
        this.clients = clients;
        this.tokens = tokens;
        this.families = families;
        this.audit = audit;
    }

    public void handle(Context ctx) {
        FormBody form = FormBody.read(ctx);
        Cors.spokeFor(ctx, form);
        // §2.1: confidential clients authenticate; a public client names itself with client_id.
        ExternalApp caller = clients.authenticateOrPublic(ctx.header("Authorization"), form).app();
        String token = form.get("token");
        if (token == null) throw OAuthProblem.invalidRequest("token is required");
        // §2.1: token_type_hint is only a hint; every kind of token is searched whatever it says. A refresh
        // token takes its whole family with it (§2.1: "SHOULD also invalidate all access tokens").
        boolean family = revokeRefreshToken(token, caller);
        if (family || tokens.revoke(token, caller)) {
            audit.record(AuditEvent.of(family ? "family.revoked" : "token.revoked", caller.clientId(), caller.clientId(), null,
                    form.address(), Map.of("by", "the client")));
        }
        ctx.status(200).header("Cache-Control", "no-store").result("");
    }

    private boolean revokeRefreshToken(String token, ExternalApp caller) {
        if (token.length() > 4096) return false;
        return TokenIds.parseOpaque(token)
                .flatMap(p -> families.refreshToken(p.id()).filter(r -> ClientSecrets.sameDigest(r.verifierHash(), p.verifierHash())))
                .filter(r -> r.appId() == caller.id())
                .map(r -> {
                    families.revoke(r.familyId(), "refresh token revoked by the client");
                    return true;
                })
                .orElse(false);
    }
}
