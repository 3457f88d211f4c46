package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.db.Database;
import java.util.Date;

/**
 * One use per assertion (RFC 7523 §3): the jti of every accepted client assertion or JWT-bearer grant is
 * remembered in the shared database, so an assertion is accepted once on whichever node sees it first.
 *
 * <p>Time rules on top of the signature and claims checks: an assertion is refused once its {@code exp}
 * has passed, with no clock-skew allowance past it, and when it claims to be issued more than
 * {@link #SKEW_MILLIS} in the future. Its jti is kept until {@code exp} plus that skew, so a node whose
 * clock is behind cannot accept it a second time either.
 */
public final class SpentAssertions {

    /** Assertions that live longer are refused: their jti would have to be remembered that long. */
    public static final long MAX_LIFETIME_MILLIS = 60 * 60 * 1000L;
    /** How far apart the clocks of the client and of our nodes may be. */
    public static final long SKEW_MILLIS = 60_000L;
    /** A JWT-bearer assertion without a jti is accepted when it lives no longer than this (see docs/security.md). */
    public static final long MAX_LIFETIME_WITHOUT_JTI_MILLIS = 5 * 60 * 1000L;

    private final Database db;

    public SpentAssertions(Database db) {
        this.db = db;
    }

    /** Checks the assertion's times and records its jti; fails when any rule is broken or the jti was used. */
    public void spend(ExternalApp app, String jti, Date expires, Date issued, long now, Kind kind) {
        if (expires == null) throw problem(kind, kind.label + " must carry exp");
        long exp = expires.getTime();
        if (exp <= now) throw problem(kind, kind.label + " has expired");
        if (exp - now > MAX_LIFETIME_MILLIS) throw problem(kind, kind.label + " must expire within an hour");
        if (issued != null && issued.getTime() > now + SKEW_MILLIS) throw problem(kind, kind.label + " is issued in the future (iat)");
        if (jti == null || jti.isBlank()) {
            // RFC 7523 §3 makes jti optional. Without one, single use cannot be enforced, so only a short-lived
            // grant assertion is accepted; client assertions always need one.
            if (kind == Kind.CLIENT_ASSERTION) throw problem(kind, kind.label + " must carry a jti");
            if (issued == null || exp - issued.getTime() > MAX_LIFETIME_WITHOUT_JTI_MILLIS) {
                throw problem(kind, kind.label + " without a jti must carry iat and live at most 5 minutes");
            }
            return;
        }
        try {
            db.jdbi().useHandle(h -> h.createUpdate("insert into used_assertions (app_id, jti_hash, expires_at) values (:a, :j, :e)")
                    .bind("a", app.id()).bind("j", ClientSecrets.digest(jti)).bind("e", exp + SKEW_MILLIS).execute());
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) throw problem(kind, kind.label + " was already used (jti replay)");
            throw e;
        }
    }

    public enum Kind {
        CLIENT_ASSERTION("client assertion"), GRANT("assertion");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static OAuthProblem problem(Kind kind, String description) {
        return kind == Kind.CLIENT_ASSERTION ? OAuthProblem.invalidClient(description)
                : OAuthProblem.of(OAuth2Error.INVALID_GRANT, description);
    }
}
