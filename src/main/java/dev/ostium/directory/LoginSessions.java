package dev.ostium.directory;

import dev.ostium.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Login sessions in the database, so that every node knows them. A session ends after an idle timeout
 * (no request for that long) and at an absolute timeout after the login, whichever comes first, when
 * it is ended (logout), or when its user is disabled. A session of a disabled user is never honoured,
 * whatever the table says.
 *
 * <p>The caller holds the session's secret (the cookie value); this class stores only its SHA-256 digest.
 * The secret is 256 random bits, so a plain digest is enough: there is nothing to guess.
 */
public final class LoginSessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Database db;
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    /** Writing last-seen on every request would cost a write per page; within this much it is left. */
    private final long touchEveryMillis;

    /** A session just started: the secret for the browser (shown only now) and the session. */
    public record Started(String secret, LoginSession session) {}

    public LoginSessions(Database db, Clock clock, Duration idle, Duration absolute) {
        this.db = db;
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
        this.touchEveryMillis = Math.min(60_000, idle.toMillis() / 10);
    }

    public Duration idleTimeout() {
        return idle;
    }

    public Duration absoluteTimeout() {
        return absolute;
    }

    /** Starts a session for a user who has just proved who they are. */
    public Started start(User user) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = B64.encodeToString(raw);
        byte[] pub = new byte[16];
        RANDOM.nextBytes(pub);
        String publicId = B64.encodeToString(pub);
        long now = clock.millis();
        long expires = now + absolute.toMillis();
        db.jdbi().useTransaction(h -> h.createUpdate("""
                        insert into login_sessions (id_hash, public_id, user_id, auth_time, created_at, last_seen_at, expires_at)
                        values (:h, :p, :u, :now, :now, :now, :exp)""")
                .bind("h", digest(secret)).bind("p", publicId).bind("u", user.id()).bind("now", now)
                .bind("exp", expires).execute());
        Instant at = Instant.ofEpochMilli(now);
        return new Started(secret, new LoginSession(publicId, user.id(), user.username(), at, at, at, Instant.ofEpochMilli(expires)));
    }

    private record Row(String publicId, long userId, String username, long authTime, long createdAt, long lastSeen,
                       long expiresAt) {}

    /** The live session with this secret, its last-seen time moved on; empty when none is live. */
    public Optional<LoginSession> current(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 100) return Optional.empty();
        String hash = digest(secret);
        Optional<Row> row = db.jdbi().withHandle(h -> h.createQuery("""
                        select s.public_id, s.user_id, u.username, s.auth_time, s.created_at, s.last_seen_at, s.expires_at
                        from login_sessions s join users u on u.id = s.user_id
                        where s.id_hash = :h and u.enabled = true""")
                .bind("h", hash)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7)))
                .findOne());
        if (row.isEmpty()) return Optional.empty();
        Row r = row.get();
        long now = clock.millis();
        if (now >= r.expiresAt() || now >= r.lastSeen() + idle.toMillis()) {
            delete(hash);
            return Optional.empty();
        }
        long lastSeen = r.lastSeen();
        if (now - lastSeen >= touchEveryMillis) {
            db.jdbi().useHandle(h -> h.createUpdate(
                            "update login_sessions set last_seen_at = :now where id_hash = :h and last_seen_at < :now")
                    .bind("now", now).bind("h", hash).execute());
            lastSeen = now;
        }
        return Optional.of(new LoginSession(r.publicId(), r.userId(), r.username(), Instant.ofEpochMilli(r.authTime()),
                Instant.ofEpochMilli(r.createdAt()), Instant.ofEpochMilli(lastSeen), Instant.ofEpochMilli(r.expiresAt())));
    }

    /** Ends the session with this secret (logout); nothing happens when there is none. */
    public void end(String secret) {
        if (secret != null && !secret.isEmpty() && secret.length() <= 100) delete(digest(secret));
    }

    /** Ends a session by its public id (an administrator's or the person's own "sign out there"). */
    public boolean endById(String sessionId) {
        return db.jdbi().withHandle(h -> h.createUpdate("delete from login_sessions where public_id = :p")
                .bind("p", sessionId).execute()) > 0;
    }

    /** Ends every session of a user; the number ended. */
    public int endAll(long userId) {
        return db.jdbi().withHandle(h -> h.createUpdate("delete from login_sessions where user_id = :u")
                .bind("u", userId).execute());
    }

    /** Removes sessions that can no longer be used (housekeeping); the number removed. */
    public int prune() {
        long now = clock.millis();
        return db.jdbi().withHandle(h -> h.createUpdate(
                        "delete from login_sessions where expires_at <= :now or last_seen_at <= :idleBefore")
                .bind("now", now).bind("idleBefore", now - idle.toMillis()).execute());
    }

    private void delete(String hash) {
        db.jdbi().useHandle(h -> h.createUpdate("delete from login_sessions where id_hash = :h").bind("h", hash).execute());
    }

    static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
