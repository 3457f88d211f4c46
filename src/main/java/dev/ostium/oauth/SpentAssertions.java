package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.db.Database;

/**
 * Remembers the jti of every accepted assertion until it expires, in the shared database, so an
 * assertion is accepted once on whichever node sees it first (RFC 7523 §3, item 7).
 */
public final class SpentAssertions {

    /** Assertions that live longer are refused: their jti would have to be remembered that long. */
    public static final long MAX_LIFETIME_MILLIS = 60 * 60 * 1000L;

    private final Database db;

    public SpentAssertions(Database db) {
        this.db = db;
    }

    /** Records the jti; fails when it is missing, already used, or the assertion lives too long. */
    public void spend(ExternalApp app, String jti, long expiresAt, long now, String what) {
        boolean clientAssertion = what.startsWith("client");
        if (jti == null || jti.isBlank()) throw problem(clientAssertion, what + " must carry a jti");
        if (expiresAt - now > MAX_LIFETIME_MILLIS) throw problem(clientAssertion, what + " must expire within an hour");
        try {
            db.jdbi().useHandle(h -> h.createUpdate("insert into used_assertions (app_id, jti_hash, expires_at) values (:a, :j, :e)")
                    .bind("a", app.id()).bind("j", ClientSecrets.digest(jti)).bind("e", expiresAt).execute());
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) throw problem(clientAssertion, what + " was already used (jti replay)");
            throw e;
        }
    }

    private static OAuthProblem problem(boolean clientAssertion, String description) {
        return clientAssertion ? OAuthProblem.invalidClient(description, false) : OAuthProblem.of(OAuth2Error.INVALID_GRANT, description);
    }
}
