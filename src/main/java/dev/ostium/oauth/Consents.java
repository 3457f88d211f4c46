package dev.ostium.oauth;

import dev.ostium.apps.Scopes;
import dev.ostium.db.Database;
import dev.ostium.tokens.TokenFamilies;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a person allowed an app, remembered per person and app as the union of the scope sets approved.
 * A request within that set needs no new approval; a new scope asks again. Revoking ends every family.
 */
public final class Consents {

    /** A remembered approval. */
    public record Consent(long id, long userId, long appId, Set<String> scopes) {
        public boolean covers(Set<String> requested) {
            return scopes.containsAll(requested);
        }
    }

    private final Database db;
    private final TokenFamilies families;
    private final Clock clock;

    public Consents(Database db, TokenFamilies families, Clock clock) {
        this.db = db;
        this.families = families;
        this.clock = clock;
    }

    public Optional<Consent> find(long userId, long appId) {
        return db.jdbi().withHandle(h -> h.createQuery("select id, user_id, app_id, scope from consents where user_id = :u and app_id = :a")
                .bind("u", userId).bind("a", appId)
                .map((rs, ctx) -> new Consent(rs.getLong("id"), rs.getLong("user_id"), rs.getLong("app_id"),
                        Scopes.parse(rs.getString("scope"))))
                .findOne());
    }

    private record Stored(long id, String scope) {}

    private Optional<Stored> stored(long userId, long appId) {
        return db.jdbi().withHandle(h -> h.createQuery("select id, scope from consents where user_id = :u and app_id = :a")
                .bind("u", userId).bind("a", appId).map((rs, ctx) -> new Stored(rs.getLong("id"), rs.getString("scope"))).findOne());
    }

    /** Records an approval of these scopes (added to what was approved before); returns the consent. */
    public Consent grant(long userId, long appId, Set<String> scopes) {
        long now = clock.millis();
        for (int attempt = 0; ; attempt++) {
            Optional<Stored> existing = stored(userId, appId);
            try {
                if (existing.isPresent()) {
                    Set<String> union = new LinkedHashSet<>(Scopes.parse(existing.get().scope()));
                    union.addAll(scopes);
                    // Stored only over the approval it was built from: an approval stored in between (another tab,
                    // another node) is read again and merged, never overwritten.
                    int n = db.jdbi().withHandle(h -> h.createUpdate(
                                    "update consents set scope = :s, updated_at = :now where id = :id and scope = :was")
                            .bind("s", Scopes.format(union)).bind("now", now).bind("id", existing.get().id())
                            .bind("was", existing.get().scope()).execute());
                    if (n == 0) {
                        if (attempt > 20) throw new IllegalStateException("the consent of user " + userId + " kept changing");
                        continue;
                    }
                } else {
                    db.jdbi().useHandle(h -> h.createUpdate("""
                                    insert into consents (user_id, app_id, scope, created_at, updated_at) values (:u, :a, :s, :now, :now)""")
                            .bind("u", userId).bind("a", appId).bind("s", Scopes.format(scopes)).bind("now", now).execute());
                }
                return find(userId, appId).orElseThrow();
            } catch (RuntimeException e) {
                // Two approvals at once (two tabs, two nodes): the loser of the insert merges into the winner's row.
                if (!Database.isDuplicateKey(e) || attempt > 20) throw e;
            }
        }
    }

    /** Forgets the approval and ends every token family issued under it. True when there was one. */
    public boolean revoke(long userId, long appId) {
        int n = db.jdbi().withHandle(h -> h.createUpdate("delete from consents where user_id = :u and app_id = :a")
                .bind("u", userId).bind("a", appId).execute());
        families.revokeAll(userId, appId, "consent revoked");
        return n > 0;
    }
}
