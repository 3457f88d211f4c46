package dev.ostium.console;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.db.Database;
import dev.ostium.keys.MasterKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one-time display of secrets (ELMA365's window): a page that creates a secret stores it here and
 * redirects to a page that takes it — once, for the administrator who made it, within five minutes. The
 * secret is sealed with the master key and found by the digest of a random handle; after the page is
 * shown nothing of it remains, so reloading or going back shows nothing.
 */
public final class ShownOnce {

    static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;
    private final MasterKey masterKey;
    private final Clock clock;

    public ShownOnce(Database db, MasterKey masterKey, Clock clock) {
        this.db = db;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    /** Keeps the values for one showing to this viewer; returns the handle that takes them. */
    public String keep(long viewerUserId, Map<String, String> values) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String handle = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String hash = ClientSecrets.digest(handle);
        String sealed;
        try {
            sealed = masterKey.seal(JSON.writeValueAsString(values), hash);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        db.jdbi().useHandle(h -> h.createUpdate("""
                        insert into shown_once (handle_hash, viewer_user_id, sealed, expires_at) values (:h, :v, :s, :e)""")
                .bind("h", hash).bind("v", viewerUserId).bind("s", sealed).bind("e", clock.millis() + LIFETIME.toMillis()).execute());
        return handle;
    }

    /** The values, if this handle is live and belongs to this viewer; they are gone afterwards either way. */
    public Optional<Map<String, String>> take(String handle, long viewerUserId) {
        if (handle == null || handle.length() > 100) return Optional.empty();
        String hash = ClientSecrets.digest(handle);
        record Row(long viewer, String sealed, long expiresAt) {}
        Optional<Row> row = db.jdbi().inTransaction(h -> {
            Optional<Row> r = h.createQuery("select viewer_user_id, sealed, expires_at from shown_once where handle_hash = :h")
                    .bind("h", hash).map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getLong(3))).findOne();
            int deleted = h.createUpdate("delete from shown_once where handle_hash = :h").bind("h", hash).execute();
            // Two pages racing for one handle: only the one whose delete took it shows it.
            return deleted == 1 ? r : Optional.<Row>empty();
        });
        return row.filter(r -> r.viewer() == viewerUserId && r.expiresAt() > clock.millis()).map(r -> {
            try {
                return JSON.readValue(masterKey.open(r.sealed(), hash), new TypeReference<LinkedHashMap<String, String>>() {});
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public int deleteExpired() {
        return db.jdbi().withHandle(h -> h.createUpdate("delete from shown_once where expires_at < :now")
                .bind("now", clock.millis()).execute());
    }
}
