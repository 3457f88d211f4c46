package dev.ostium.tokens;

import dev.ostium.apps.Scopes;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refresh-token families: their storage, rotation of their refresh tokens, and revocation of a family as
 * a whole (every access and refresh token descended from the same code), at once on every node.
 */
public final class TokenFamilies {

    private static final Logger log = LoggerFactory.getLogger(TokenFamilies.class);

    private final Database db;
    private final ChangeFeed changes;
    private final Clock clock;

    public TokenFamilies(Database db, ChangeFeed changes, Clock clock) {
        this.db = db;
        this.changes = changes;
        this.clock = clock;
    }

    public static void insert(Handle h, TokenFamily f, String accessTokenId) {
        h.createUpdate("""
                        insert into token_families (id, app_id, user_id, consent_id, scope, auth_time, session_id, created_at,
                          expires_at, access_token_id, app_generation)
                        values (:id, :app, :user, :consent, :scope, :authTime, :session, :created, :expires, :access,
                          (select token_generation from apps where id = :app))""")
                .bind("id", f.id()).bind("app", f.appId()).bind("user", f.userId()).bind("consent", f.consentId())
                .bind("scope", Scopes.format(f.scopes())).bind("authTime", f.authTime()).bind("session", f.sessionId())
                .bind("created", f.createdAt()).bind("expires", f.expiresAt()).bind("access", accessTokenId).execute();
    }

    public static void insert(Handle h, RefreshToken t) {
        h.createUpdate("""
                        insert into refresh_tokens (token_id, verifier_hash, family_id, app_id, scope, generation, issued_at,
                          expires_at, access_token_id)
                        values (:id, :verifier, :family, :app, :scope, :generation, :issued, :expires, :access)""")
                .bind("id", t.tokenId()).bind("verifier", t.verifierHash()).bind("family", t.familyId()).bind("app", t.appId())
                .bind("scope", Scopes.format(t.scopes())).bind("generation", t.generation()).bind("issued", t.issuedAt())
                .bind("expires", t.expiresAt()).bind("access", t.accessTokenId()).execute();
    }

    /** Marks a refresh token exchanged; false when another request (on any node) did so first. */
    public static boolean rotate(Handle h, String tokenId, long now, String successorId) {
        return h.createUpdate("""
                        update refresh_tokens set rotated_at = :now, successor_id = :successor
                        where token_id = :id and rotated_at is null""")
                .bind("now", now).bind("successor", successorId).bind("id", tokenId).execute() == 1;
    }

    /** A refresh token and its family, as the grant reads them: in one query. */
    public record Held(RefreshToken token, TokenFamily family) {}

    public Optional<Held> refreshTokenWithFamily(String id) {
        if (id == null || id.length() > 32) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("""
                        select r.*, f.id f_id, f.app_id f_app_id, f.user_id f_user_id, f.consent_id f_consent_id,
                          f.scope f_scope, f.auth_time f_auth_time, f.session_id f_session_id, f.created_at f_created_at,
                          f.expires_at f_expires_at, f.revoked_at f_revoked_at, f.revoked_why f_revoked_why,
                          f.app_generation f_app_generation
                        from refresh_tokens r join token_families f on f.id = r.family_id where r.token_id = :id""")
                .bind("id", id).map((rs, ctx) -> new Held(REFRESH.map(rs, ctx), family(rs, "f_"))).findOne());
    }

    public Optional<RefreshToken> refreshToken(String id) {
        if (id == null || id.length() > 32) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("select * from refresh_tokens where token_id = :id")
                .bind("id", id).map(REFRESH).findOne());
    }

    public boolean accessTokenUsed(String accessTokenId) {
        return db.jdbi().withHandle(h -> h.createQuery("select count(*) from access_tokens where token_id = :id and used_at is not null")
                .bind("id", accessTokenId).mapTo(Long.class).one() > 0);
    }

    /**
     * Revokes a family: the family itself (so no refresh token of it works any more) and every access token
     * issued in it, and tells every node. Returns false when it was revoked already.
     */
    public boolean revoke(String familyId, String why) {
        long now = clock.millis();
        boolean changed = db.jdbi().inTransaction(h -> revoke(h, familyId, why, now));
        if (changed) changes.applyLocally(TokenStore.FAMILY_TOPIC, familyId);
        return changed;
    }

    /** Ends every family of a person with an app (consent revoked); returns how many were live. */
    public int revokeAll(long userId, Long appId, String why) {
        long now = clock.millis();
        List<String> ended = db.jdbi().inTransaction(h -> {
            List<String> ids = h.createQuery("select id from token_families where user_id = :u"
                            + (appId == null ? "" : " and app_id = :a") + " and revoked_at is null")
                    .bind("u", userId).bind("a", appId).mapTo(String.class).list();
            ids.removeIf(id -> !revoke(h, id, why, now));
            return ids;
        });
        ended.forEach(id -> changes.applyLocally(TokenStore.FAMILY_TOPIC, id));
        return ended.size();
    }

    private boolean revoke(Handle h, String familyId, String why, long now) {
        int n = h.createUpdate("update token_families set revoked_at = :now, revoked_why = :why where id = :id and revoked_at is null")
                .bind("now", now).bind("why", why).bind("id", familyId).execute();
        if (n == 0) return false;
        // Spend the family's live refresh token first: a rotation in progress holds its row, so this waits for
        // the rotation's commit, and the statement below then sees the access token it stored; a rotation that
        // comes later finds the token spent and stores nothing.
        h.createUpdate("update refresh_tokens set rotated_at = :now where family_id = :id and rotated_at is null")
                .bind("now", now).bind("id", familyId).execute();
        h.createUpdate("""
                        update access_tokens set revoked_at = :now where revoked_at is null and token_id in (
                          select access_token_id from refresh_tokens where family_id = :id
                          union select access_token_id from token_families where id = :id)""")
                .bind("now", now).bind("id", familyId).execute();
        changes.record(h, TokenStore.FAMILY_TOPIC, familyId);
        log.info("token family {} revoked: {}", familyId, why);
        return true;
    }

    /** Deletes families (with their refresh tokens) that ended longer ago than the retention, and spent codes. */
    public int deleteExpired(long retentionMillis) {
        long cutoff = clock.millis() - retentionMillis;
        return db.jdbi().inTransaction(h -> {
            h.createUpdate("delete from authorization_codes where expires_at < :c").bind("c", cutoff).execute();
            return h.createUpdate("delete from token_families where expires_at < :c").bind("c", cutoff).execute();
        });
    }

    private static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** A family from columns named with the given prefix. */
    private static TokenFamily family(java.sql.ResultSet rs, String p) throws java.sql.SQLException {
        return new TokenFamily(rs.getString(p + "id"), rs.getLong(p + "app_id"), rs.getLong(p + "user_id"),
                nullableLong(rs, p + "consent_id"), Scopes.parse(rs.getString(p + "scope")), rs.getLong(p + "auth_time"),
                rs.getString(p + "session_id"), rs.getLong(p + "created_at"), rs.getLong(p + "expires_at"),
                nullableLong(rs, p + "revoked_at"), rs.getString(p + "revoked_why"), rs.getLong(p + "app_generation"));
    }

    private static final RowMapper<RefreshToken> REFRESH = (rs, ctx) -> new RefreshToken(rs.getString("token_id"),
            rs.getString("verifier_hash"), rs.getString("family_id"), rs.getLong("app_id"), Scopes.parse(rs.getString("scope")),
            rs.getInt("generation"), rs.getLong("issued_at"), rs.getLong("expires_at"), nullableLong(rs, "rotated_at"),
            rs.getString("successor_id"), rs.getString("access_token_id"));
}
