package dev.ostium.db;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node what changed so it can drop what it cached: a row in {@code change_log} written in
 * the same transaction as the change, applied on the writing node at once, and picked up by the others
 * through PostgreSQL LISTEN/NOTIFY (within milliseconds) with a short poll behind it as a safety net.
 * Applying a change twice is harmless: listeners only invalidate caches.
 */
public final class ChangeFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final String CHANNEL = "ostium_changes";
    private static final long POLL_MILLIS = 500;
    /** Rows are re-read for this long, so a transaction that commits late is still seen. */
    private static final long LOOKBACK_MILLIS = 10_000;

    private record Change(long id, String topic, String ref) {}

    private final Database db;
    private final Clock clock;
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> seen = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private Thread follower;

    public ChangeFeed(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    /** Records a change inside the caller's transaction. Call {@link #applyLocally} after it commits. */
    public void record(Handle h, String topic, String ref) {
        h.createUpdate("insert into change_log (topic, ref, created_at) values (:topic, :ref, :at)")
                .bind("topic", topic).bind("ref", ref).bind("at", clock.millis()).execute();
        if (db.isPostgres()) h.execute("select pg_notify('" + CHANNEL + "', '')");
    }

    public void applyLocally(String topic, String ref) {
        for (BiConsumer<String, String> l : listeners) l.accept(topic, ref);
    }

    public void start() {
        follower = Thread.ofPlatform().daemon().name("ostium-change-feed").start(this::follow);
    }

    private void follow() {
        while (running) {
            try {
                if (db.isPostgres()) followWithNotify(); else pollLoop(null);
            } catch (Exception e) {
                if (running) {
                    log.warn("change feed interrupted ({}); retrying", e.toString());
                    sleep(POLL_MILLIS);
                }
            }
        }
    }

    private void followWithNotify() throws Exception {
        try (Connection c = db.rawConnection()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            pollLoop(c.unwrap(PGConnection.class));
        }
    }

    private void pollLoop(PGConnection listening) throws Exception {
        while (running) {
            if (listening != null) {
                listening.getNotifications((int) POLL_MILLIS);
            } else {
                sleep(POLL_MILLIS);
            }
            poll();
        }
    }

    void poll() {
        long now = clock.millis();
        List<Change> rows = db.jdbi().withHandle(h -> h.createQuery(
                        "select id, topic, ref from change_log where created_at >= :since order by id")
                .bind("since", now - LOOKBACK_MILLIS)
                .map((rs, ctx) -> new Change(rs.getLong("id"), rs.getString("topic"), rs.getString("ref")))
                .list());
        for (Change c : rows) {
            if (seen.putIfAbsent(c.id(), now) == null) applyLocally(c.topic(), c.ref());
        }
        Set<Map.Entry<Long, Long>> entries = seen.entrySet();
        entries.removeIf(e -> e.getValue() < now - 2 * LOOKBACK_MILLIS);
    }

    /** Drops rows no node needs any more. */
    public int prune() {
        long before = clock.millis() - 10 * LOOKBACK_MILLIS;
        return db.jdbi().withHandle(h -> h.createUpdate("delete from change_log where created_at < :before")
                .bind("before", before).execute());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (follower != null) {
            follower.interrupt();
            try {
                follower.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
