package dev.ostium.tokens;

import dev.ostium.apps.Scopes;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.mapper.RowMapper;

/** Reading, revoking, counting and cleaning up stored token records. */
public final class TokenStore {

    public static final String TOPIC = "token";
    /** A whole refresh-token family was revoked: ref is the family id. */
    public static final String FAMILY_TOPIC = "family";

    private static final RowMapper<TokenRecord> MAPPER = (rs, ctx) -> new TokenRecord(rs.getString("token_id"), rs.getString("verifier_hash"),
            rs.getLong("app_id"), nullableLong(rs, "user_id"),
            Scopes.parse(rs.getString("scope")), rs.getString("format"), rs.getString("grant_type"),
            rs.getLong("issued_at"), rs.getLong("expires_at"), nullableLong(rs, "revoked_at"),
            nullableLong(rs, "consent_id"), rs.getString("family_id"), rs.getLong("app_generation"), nullableLong(rs, "used_at"));

    private final Database db;
    private final ChangeFeed changes;
    private final Clock clock;

    /** Per-app counts for the console: "No active tokens", "3 active, 2 expired". */
    public record Status(long active, long expired, long revoked) {
        public String label() {
            if (active == 0 && expired == 0 && revoked == 0) return "No active tokens";
            StringBuilder sb = new StringBuilder();
            if (active > 0) sb.append(active).append(" active");
            if (expired > 0) sb.append(sb.isEmpty() ? "" : ", ").append(expired).append(" expired");
            if (revoked > 0) sb.append(sb.isEmpty() ? "" : ", ").append(revoked).append(" revoked");
            if (active == 0) sb.insert(0, "No active tokens (").append(")");
            return sb.toString();
        }
    }

    public TokenStore(Database db, ChangeFeed changes, Clock clock) {
        this.db = db;
        this.changes = changes;
        this.clock = clock;
    }

    public Optional<TokenRecord> find(String tokenId) {
        return db.jdbi().withHandle(h -> {
            OptionalLong key = TokenKeys.resolve(h, tokenId);
            if (key.isEmpty()) return Optional.<TokenRecord>empty();
            return h.createQuery("select * from access_tokens where k = :k").bind("k", key.getAsLong()).map(MAPPER).findOne();
        });
    }

    /** Stores an access-token record; positional, so a writer can prepare it once for a whole batch. */
    static final String INSERT = """
            insert into access_tokens (k, token_id, verifier_hash, app_id, user_id, scope, format, grant_type, issued_at,
              expires_at, consent_id, family_id, app_generation)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (select token_generation from apps where id = ?))""";

    /** Stores a token record inside the caller's transaction (grants that write more than the token). */
    public static void insert(org.jdbi.v3.core.Handle h, TokenRecord r) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(INSERT)) {
            bind(ps, r);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store token record " + r.tokenId(), e);
        }
    }

    /** Binds {@link #INSERT}'s parameters; the app's generation is read by the insert itself. */
    static void bind(PreparedStatement ps, TokenRecord r) throws SQLException {
        ps.setLong(1, TokenIds.key(r.tokenId()).orElseThrow(() -> new IllegalArgumentException("a new token's id carries its key")));
        ps.setString(2, r.tokenId());
        ps.setString(3, r.verifierHash());
        ps.setLong(4, r.appId());
        ps.setObject(5, r.userId(), Types.BIGINT);
        ps.setString(6, String.join(" ", r.scopes()));
        ps.setString(7, r.format());
        ps.setString(8, r.grantType());
        ps.setLong(9, r.issuedAt());
        ps.setLong(10, r.expiresAt());
        ps.setObject(11, r.consentId(), Types.BIGINT);
        ps.setString(12, r.familyId());
        ps.setLong(13, r.appId());
    }

    /** Notes the first use of a token; true when this call was the first. */
    public boolean markUsed(String tokenId) {
        return db.jdbi().withHandle(h -> {
            OptionalLong key = TokenKeys.resolve(h, tokenId);
            return key.isPresent() && h.createUpdate("update access_tokens set used_at = :now where k = :k and used_at is null")
                    .bind("now", clock.millis()).bind("k", key.getAsLong()).execute() > 0;
        });
    }

    /** Marks a token revoked and tells every node. Returns false when it was already revoked or unknown. */
    public boolean revoke(String tokenId) {
        boolean changed = db.jdbi().inTransaction(h -> {
            OptionalLong key = TokenKeys.resolve(h, tokenId);
            if (key.isEmpty()) return false;
            int n = h.createUpdate("update access_tokens set revoked_at = :now where k = :k and revoked_at is null")
                    .bind("now", clock.millis()).bind("k", key.getAsLong()).execute();
            if (n > 0) changes.record(h, TOPIC, tokenId);
            return n > 0;
        });
        if (changed) changes.applyLocally(TOPIC, tokenId);
        return changed;
    }

    /**
     * @param generation the app's token generation: tokens of an earlier one count as revoked
     */
    public Status status(long appId, long generation) {
        long now = clock.millis();
        return db.jdbi().withHandle(h -> status(h, appId, generation, now));
    }

    private static Status status(org.jdbi.v3.core.Handle h, long appId, long generation, long now) {
        return h.createQuery("""
                        select
                          sum(case when revoked_at is null and app_generation >= :gen and expires_at > :now then 1 else 0 end) as active,
                          sum(case when revoked_at is null and app_generation >= :gen and expires_at <= :now then 1 else 0 end) as expired,
                          sum(case when revoked_at is not null or app_generation < :gen then 1 else 0 end) as revoked
                        from access_tokens where app_id = :app""")
                .bind("app", appId).bind("now", now).bind("gen", generation)
                .map((rs, ctx) -> new Status(rs.getLong("active"), rs.getLong("expired"), rs.getLong("revoked")))
                .one();
    }

    /** The status of several apps in one query (the console's table), keyed by app id; each with its generation. */
    public java.util.Map<Long, Status> statuses(java.util.Map<Long, Long> generationByApp) {
        java.util.Map<Long, Status> out = new java.util.HashMap<>();
        if (generationByApp.isEmpty()) return out;
        long now = clock.millis();
        // Counted per app over the (app_id, expires_at, app_generation, revoked_at) index, which holds every
        // column the counts read: no table rows are visited.
        db.jdbi().useHandle(h -> {
            for (var e : generationByApp.entrySet()) out.put(e.getKey(), status(h, e.getKey(), e.getValue(), now));
        });
        return out;
    }

    /** When the app last received a token, if it ever did (within the retention of token records). */
    public java.util.Optional<java.time.Instant> lastIssued(long appId) {
        return lastIssued(appId, null);
    }

    /** The same, counting only tokens issued for {@code userId} when it is not null. */
    public java.util.Optional<java.time.Instant> lastIssued(long appId, Long userId) {
        long now = clock.millis();
        String forUser = userId == null ? "" : " and user_id = :u";
        return db.jdbi().withHandle(h -> {
            // A token issued at t or later expires after t, so among the records expiring after t the newest
            // issue is the app's newest whenever it is t or later. The (app_id, expires_at) index finds those
            // few records of a busy app; only an app idle for a day reads all of its records.
            for (long window : new long[] {3_600_000L, 86_400_000L}) {
                long t = now - window;
                var q = h.createQuery("select max(issued_at) from access_tokens where app_id = :a and expires_at >= :t" + forUser)
                        .bind("a", appId).bind("t", t);
                if (userId != null) q.bind("u", userId);
                java.util.Optional<Long> last = q.mapTo(Long.class).findOne();
                if (last.isPresent() && last.get() >= t) return last;
            }
            var all = h.createQuery("select max(issued_at) from access_tokens where app_id = :a" + forUser).bind("a", appId);
            if (userId != null) all.bind("u", userId);
            return all.mapTo(Long.class).findOne();
        }).map(java.time.Instant::ofEpochMilli);
    }

    /** Deletes records that expired longer ago than the retention, and spent assertion ids. */
    public int deleteExpired(long retentionMillis) {
        long now = clock.millis();
        return db.jdbi().inTransaction(h -> {
            // Per app, so the delete walks the (app_id, expires_at) index instead of the whole table.
            int n = 0;
            for (long appId : h.createQuery("select id from apps").mapTo(Long.class).list()) {
                n += h.createUpdate("delete from access_tokens where app_id = :app and expires_at < :cutoff")
                        .bind("app", appId).bind("cutoff", now - retentionMillis).execute();
            }
            h.createUpdate("delete from used_assertions where expires_at < :now").bind("now", now).execute();
            // Ids of the earlier kind whose records are gone ({@link TokenKeys}): that table only ever shrinks.
            h.createUpdate("""
                    delete from earlier_token_ids where not exists (select 1 from access_tokens a where a.k = earlier_token_ids.k)
                      and not exists (select 1 from refresh_tokens r where r.k = earlier_token_ids.k)""").execute();
            return n;
        });
    }

    private static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
