package dev.ostium.oauth;

import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.db.Database;
import dev.ostium.tokens.TokenIds;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Authorization codes (RFC 6749 §4.1.2): 256 random bits handed to the client once, stored only as their
 * SHA-256 digest with everything the token request must match; single use on every node through an
 * atomic "used" mark.
 */
public final class AuthorizationCodes {

    /**
     * A stored code. Times are epoch milliseconds. {@code redirectUriNamed} is false when the authorization
     * request left the redirect URI out (the app's only one was used), so the token request may leave it out too.
     */
    public record Code(String codeHash, long appId, long userId, Long consentId, String redirectUri, boolean redirectUriNamed,
                       Set<String> scopes, String codeChallenge, String nonce, long authTime, String sessionId,
                       String familyId, long issuedAt, long expiresAt, Long usedAt, long appGeneration) {}

    /** What the authorization endpoint decided, for the code to carry. */
    public record Request(ExternalApp app, long userId, long consentId, String redirectUri, boolean redirectUriNamed,
                          Set<String> scopes, String codeChallenge, String nonce, long authTime, String sessionId) {}

    private final Database db;
    private final Clock clock;

    public AuthorizationCodes(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Stores a new code and returns its value, which exists nowhere else. */
    public String issue(Request r) {
        String value = ClientSecrets.newSecret();
        long now = clock.millis();
        db.jdbi().useHandle(h -> h.createUpdate("""
                        insert into authorization_codes (code_hash, app_id, user_id, consent_id, redirect_uri, redirect_uri_named, scope,
                          code_challenge, nonce, auth_time, session_id, family_id, issued_at, expires_at, app_generation)
                        values (:hash, :app, :user, :consent, :redirect, :named, :scope, :challenge, :nonce, :authTime, :session, :family,
                          :now, :expires, (select token_generation from apps where id = :app))""")
                .bind("hash", ClientSecrets.digest(value)).bind("app", r.app().id()).bind("user", r.userId())
                .bind("consent", r.consentId()).bind("redirect", r.redirectUri())
                .bind("named", r.redirectUriNamed()).bind("scope", Scopes.format(r.scopes()))
                .bind("challenge", r.codeChallenge()).bind("nonce", r.nonce()).bind("authTime", r.authTime())
                .bind("session", r.sessionId()).bind("family", TokenIds.newId(now)).bind("now", now)
                .bind("expires", now + r.app().lifetimes().code().toMillis()).execute());
        return value;
    }

    public Optional<Code> find(String value) {
        if (value == null || value.length() != 43) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("select * from authorization_codes where code_hash = :h")
                .bind("h", ClientSecrets.digest(value))
                .map((rs, ctx) -> {
                    long used = rs.getLong("used_at");
                    boolean unused = rs.wasNull();
                    long consent = rs.getLong("consent_id");
                    boolean noConsent = rs.wasNull();
                    return new Code(rs.getString("code_hash"), rs.getLong("app_id"), rs.getLong("user_id"),
                            noConsent ? null : consent, rs.getString("redirect_uri"), rs.getBoolean("redirect_uri_named"), Scopes.parse(rs.getString("scope")),
                            rs.getString("code_challenge"), rs.getString("nonce"), rs.getLong("auth_time"),
                            rs.getString("session_id"), rs.getString("family_id"), rs.getLong("issued_at"),
                            rs.getLong("expires_at"), unused ? null : used, rs.getLong("app_generation"));
                })
                .findOne());
    }

    /** Marks the code used inside the caller's transaction; false when it was used already (on any node). */
    public static boolean spend(Handle h, String codeHash, long now) {
        return h.createUpdate("update authorization_codes set used_at = :now where code_hash = :h and used_at is null")
                .bind("now", now).bind("h", codeHash).execute() == 1;
    }
}
