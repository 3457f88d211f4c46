package dev.ostium.tokens;

import dev.ostium.apps.Scopes;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Handle;
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

    /**
     * Stores a family at its code exchange, with the access token issued then and its first refresh token
     * (null without offline access), where the walk along its chain starts.
     */
    public static void insert(Handle h, TokenFamily f, String accessTokenId, String firstRefreshId) {
        h.createUpdate("""
                        insert into token_families (id, app_id, user_id, consent_id, scope, auth_time, session_id, created_at,
                          expires_at, access_token_id, first_refresh_id, app_generation)
                        values (:id, :app, :user, :consent, :scope, :authTime, :session, :created, :expires, :access, :first,
                          (select token_generation from apps where id = :app))""")
                .bind("id", f.id()).bind("app", f.appId()).bind("user", f.userId()).bind("consent", f.consentId())
                .bind("scope", Scopes.format(f.scopes())).bind("authTime", f.authTime()).bind("session", f.sessionId())
                .bind("created", f.createdAt()).bind("expires", f.expiresAt()).bind("access", accessTokenId)
                .bind("first", firstRefreshId).execute();
    }

    /** Stores a refresh token; positional, so the rotation writer can prepare it once for a whole batch. */
    static final String INSERT_REFRESH = """
            insert into refresh_tokens (k, token_id, verifier_hash, family_id, app_id, scope, generation, issued_at,
              expires_at, access_token_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /**
     * Spends a refresh token: set once, by the one request (on any node) that exchanges it, and only while its
     * person is enabled (an administrator only while admin connections are allowed) and the consent its family
     * was granted under still stands, as stored at that moment ({@link Rotations.Standing}).
     */
    static final String SPEND = """
            update refresh_tokens set rotated_at = ?, successor_id = ? where k = ? and rotated_at is null
              and exists (select 1 from users u where u.id = ? and u.enabled and (? or not u.is_admin))
              and exists (select 1 from consents c where c.id = ?)""";

    public static void insert(Handle h, RefreshToken t) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(INSERT_REFRESH)) {
            insert(ps, t);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store refresh token " + t.tokenId(), e);
        }
    }

    static void insert(PreparedStatement ps, RefreshToken t) throws SQLException {
        ps.setLong(1, t.key());
        ps.setString(2, t.tokenId());
        ps.setString(3, t.verifierHash());
        ps.setString(4, t.familyId());
        ps.setLong(5, t.appId());
        ps.setString(6, Scopes.format(t.scopes()));
        ps.setInt(7, t.generation());
        ps.setLong(8, t.issuedAt());
        ps.setLong(9, t.expiresAt());
        ps.setString(10, t.accessTokenId());
        ps.executeUpdate();
    }

    /**
     * Marks a refresh token exchanged; false when another request (on any node) did so first, its family has
     * ended, or its person or consent no longer stand.
     */
    static boolean rotate(PreparedStatement spend, long key, long now, String successorId, Rotations.Standing standing)
            throws SQLException {
        spend.setLong(1, now);
        spend.setString(2, successorId);
        spend.setLong(3, key);
        spend.setLong(4, standing.userId());
        spend.setBoolean(5, standing.adminsAllowed());
        spend.setObject(6, standing.consentId(), Types.BIGINT);
        return spend.executeUpdate() == 1;
    }

    private static final String REFRESH_COLUMNS = "r.k, r.token_id, r.verifier_hash, r.family_id, r.app_id, r.scope, r.generation, "
            + "r.issued_at, r.expires_at, r.rotated_at, r.successor_id, r.access_token_id";

    private static final String FAMILY_COLUMNS = "f.id, f.app_id, f.user_id, f.consent_id, f.scope, f.auth_time, f.session_id, "
            + "f.created_at, f.expires_at, f.revoked_at, f.revoked_why, f.app_generation";

    /**
     * A refresh token and its family, with what a refresh checks besides: the family's person as stored now
     * (empty when the account is gone) and the scopes of the consent the family was granted under, as stored
     * now (empty when that consent was withdrawn).
     */
    public record Held(RefreshToken token, TokenFamily family, Optional<User> user, Optional<Set<String>> consented) {}

    private static final String HELD = "select " + REFRESH_COLUMNS + ", " + FAMILY_COLUMNS + ", " + Directory.columns("u")
            + """
            , c.scope
            from refresh_tokens r join token_families f on f.id = r.family_id
            left join users u on u.id = f.user_id
            left join consents c on c.id = f.consent_id
            where r.k = ?""";

    /**
     * The refresh grant's one read, for a token its node does not remember (and to answer a rotation that stored
     * nothing): a single statement on one connection, mapped by column position.
     */
    public Optional<Held> refreshTokenWithFamily(String id) {
        if (id == null || id.length() > 32) return Optional.empty();
        try (Connection c = db.rawConnection(); PreparedStatement ps = c.prepareStatement(HELD)) {
            OptionalLong key = TokenKeys.resolve(c, id);
            if (key.isEmpty()) return Optional.empty();
            ps.setLong(1, key.getAsLong());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                RefreshToken token = refreshToken(rs, 1);
                TokenFamily family = family(rs, 13);
                rs.getLong(25);
                Optional<User> user = rs.wasNull() ? Optional.empty() : Optional.of(Directory.user(rs, 25));
                String consent = rs.getString(32);
                return Optional.of(new Held(token, family, user, Optional.ofNullable(consent).map(Scopes::parse)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read refresh token " + id, e);
        }
    }

    public Optional<RefreshToken> refreshToken(String id) {
        if (id == null || id.length() > 32) return Optional.empty();
        return db.jdbi().withHandle(h -> {
            OptionalLong key = TokenKeys.resolve(h, id);
            if (key.isEmpty()) return Optional.<RefreshToken>empty();
            return h.createQuery("select " + REFRESH_COLUMNS + " from refresh_tokens r where r.k = :k")
                    .bind("k", key.getAsLong()).map((rs, ctx) -> refreshToken(rs, 1)).findOne();
        });
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

    /** A person holding a live family of an app. */
    public record Holder(long userId, long appId) {}

    /** Who holds a live family of this app (of any app, with {@code appId} null). */
    public List<Holder> liveHolders(Long appId) {
        return db.jdbi().withHandle(h -> h.createQuery("select distinct user_id, app_id from token_families where revoked_at is null"
                        + " and expires_at > :now" + (appId == null ? "" : " and app_id = :a"))
                .bind("now", clock.millis()).bind("a", appId)
                .map((rs, ctx) -> new Holder(rs.getLong(1), rs.getLong(2))).list());
    }

    /**
     * Ends every family of a person with one app (consent revoked) or, with {@code appId} null, with every app
     * (the person disabled); returns how many were live.
     */
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
        List<String> accessTokens = new ArrayList<>();
        String first = h.createQuery("select access_token_id, first_refresh_id from token_families where id = :id").bind("id", familyId)
                .map((rs, ctx) -> {
                    if (rs.getString(1) != null) accessTokens.add(rs.getString(1));
                    return rs.getString(2);
                }).one();
        // Spend the family's live refresh token first: a rotation in progress holds its row, so the update waits
        // for the rotation's commit and then finds the token spent, with a successor to follow (and spend); a
        // rotation that comes later finds the token spent and stores nothing.
        try (PreparedStatement read = h.getConnection().prepareStatement(LINK);
             PreparedStatement spend = h.getConnection().prepareStatement(END)) {
            Set<String> seen = new HashSet<>();
            String id = first;
            while (id != null && seen.add(id)) {
                Link link = link(h.getConnection(), read, id);
                if (link == null) break;
                if (link.successorId() == null && link.rotatedAt() == null) {
                    spend.setLong(1, now);
                    spend.setLong(2, link.key());
                    // Not spent here: a rotation committed meanwhile (follow it), or housekeeping deleted the
                    // chain of this long-expired family (nothing left to end).
                    if (spend.executeUpdate() == 0 && (link = link(h.getConnection(), read, id)) == null) break;
                }
                if (link.accessTokenId() != null) accessTokens.add(link.accessTokenId());
                id = link.successorId();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke token family " + familyId, e);
        }
        List<Long> keys = TokenKeys.resolveAll(h, accessTokens);
        for (int i = 0; i < keys.size(); i += IDS_PER_STATEMENT) {
            h.createUpdate("update access_tokens set revoked_at = :now where revoked_at is null and k in (<keys>)").bind("now", now)
                    .bindList("keys", keys.subList(i, Math.min(keys.size(), i + IDS_PER_STATEMENT))).execute();
        }
        changes.record(h, TokenStore.FAMILY_TOPIC, familyId);
        log.info("token family {} revoked: {}", familyId, why);
        return true;
    }

    /** Ids per statement when a statement names many tokens ({@code in (<ids>)}). */
    public static final int IDS_PER_STATEMENT = 500;

    /** One refresh token of a family's chain: what a walk along the chain reads of it. */
    public record Link(long key, long issuedAt, Long rotatedAt, String successorId, String accessTokenId) {}

    private static final String LINK = "select k, issued_at, rotated_at, successor_id, access_token_id from refresh_tokens where k = ?";

    /** Ends a family's live refresh token (no successor: nothing may follow it). */
    private static final String END = "update refresh_tokens set rotated_at = ? where k = ? and rotated_at is null";

    private static Link link(Connection c, PreparedStatement read, String id) throws SQLException {
        OptionalLong key = TokenKeys.resolve(c, id);
        if (key.isEmpty()) return null;
        read.setLong(1, key.getAsLong());
        try (ResultSet rs = read.executeQuery()) {
            return rs.next() ? new Link(rs.getLong(1), rs.getLong(2), nullableLong(rs, 3), rs.getString(4), rs.getString(5)) : null;
        }
    }

    /**
     * A family's refresh tokens in the order they were issued: from its first, each spent token to the one it
     * was exchanged for. Empty for a family without refresh tokens ({@code firstRefreshId} null).
     */
    public static List<Link> chain(Handle h, String firstRefreshId) {
        List<Link> chain = new ArrayList<>();
        try (PreparedStatement read = h.getConnection().prepareStatement(LINK)) {
            Set<String> seen = new HashSet<>();
            String id = firstRefreshId;
            while (id != null && seen.add(id)) {
                Link link = link(h.getConnection(), read, id);
                if (link == null) break;
                chain.add(link);
                id = link.successorId();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the refresh tokens from " + firstRefreshId, e);
        }
        return chain;
    }

    /**
     * Every access token issued in a family: the code exchange's ({@code codeAccessTokenId}, may be null) and
     * one per refresh, along the chain from {@code firstRefreshId}.
     */
    public static List<String> accessTokenIds(Handle h, String codeAccessTokenId, String firstRefreshId) {
        List<String> ids = new ArrayList<>();
        if (codeAccessTokenId != null) ids.add(codeAccessTokenId);
        for (Link link : chain(h, firstRefreshId)) {
            if (link.accessTokenId() != null) ids.add(link.accessTokenId());
        }
        return ids;
    }

    /**
     * Deletes the refresh tokens of the families whose first refresh tokens are given, in the caller's
     * transaction: refresh tokens carry no foreign key, so whatever deletes families deletes them first.
     */
    public static int deleteChains(Handle h, List<String> firstRefreshIds) {
        int n = 0;
        try (PreparedStatement delete = h.getConnection().prepareStatement("delete from refresh_tokens where k = ?")) {
            for (String first : firstRefreshIds) {
                for (Link link : chain(h, first)) {
                    delete.setLong(1, link.key());
                    delete.addBatch();
                    n++;
                }
                delete.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete refresh tokens", e);
        }
        return n;
    }

    /** Deletes the refresh tokens of every family of an app, in the transaction that deletes the app (and its families). */
    public static void deleteRefreshTokensOfApp(Handle h, long appId) {
        deleteChains(h, h.createQuery("select first_refresh_id from token_families where app_id = :a and first_refresh_id is not null")
                .bind("a", appId).mapTo(String.class).list());
    }

    /** Deletes families (with their refresh tokens) that ended longer ago than the retention, and spent codes. */
    public int deleteExpired(long retentionMillis) {
        long cutoff = clock.millis() - retentionMillis;
        return db.jdbi().inTransaction(h -> {
            h.createUpdate("delete from authorization_codes where expires_at < :c").bind("c", cutoff).execute();
            deleteChains(h, h.createQuery("select first_refresh_id from token_families where expires_at < :c and first_refresh_id is not null")
                    .bind("c", cutoff).mapTo(String.class).list());
            return h.createUpdate("delete from token_families where expires_at < :c").bind("c", cutoff).execute();
        });
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** A refresh token from the twelve columns of {@link #REFRESH_COLUMNS}, the first at {@code i}. */
    private static RefreshToken refreshToken(ResultSet rs, int i) throws SQLException {
        return new RefreshToken(rs.getLong(i), rs.getString(i + 1), rs.getString(i + 2), rs.getString(i + 3), rs.getLong(i + 4),
                Scopes.parse(rs.getString(i + 5)), rs.getInt(i + 6), rs.getLong(i + 7), rs.getLong(i + 8),
                nullableLong(rs, i + 9), rs.getString(i + 10), rs.getString(i + 11));
    }

    /** A family from the twelve columns of {@link #FAMILY_COLUMNS}, the first at {@code i}. */
    private static TokenFamily family(ResultSet rs, int i) throws SQLException {
        return new TokenFamily(rs.getString(i), rs.getLong(i + 1), rs.getLong(i + 2), nullableLong(rs, i + 3),
                Scopes.parse(rs.getString(i + 4)), rs.getLong(i + 5), rs.getString(i + 6), rs.getLong(i + 7),
                rs.getLong(i + 8), nullableLong(rs, i + 9), rs.getString(i + 10), rs.getLong(i + 11));
    }
}
