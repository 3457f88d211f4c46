package dev.ostium.db;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node what changed so it can drop what it cached: a row in {@code change_log} written in
 * the same transaction as the change, applied on the writing node at once, and picked up by the others
 * through PostgreSQL LISTEN/NOTIFY (within milliseconds) with a short poll behind it.
 *
 * <p>Rows are numbered from one counter row that each writer updates in its own transaction. The row
 * lock makes writers take their numbers in commit order, so a node that has applied everything up to
 * number N has seen every change committed before N+1 — whatever the clocks of the nodes say. A node
 * follows by position, never by time. If rows it had not read were pruned (it was cut off for long),
 * it drops everything it cached. A node whose follower has not read the log lately catches up on
 * demand ({@link #ensureCurrent}); when it cannot, nothing may be answered from its caches.
 */
public final class ChangeFeed implements AutoCloseable {

    /** The topic of a change that drops every cache: the node may have missed changes. */
    public static final String EVERYTHING = "*";

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final String CHANNEL = "ostium_changes";
    private static final long POLL_MILLIS = 500;
    /** Without a successful read of the log for this long, the node no longer trusts its caches. */
    private static final long STALE_NANOS = 3_000_000_000L;
    /** Rows older than this are pruned; a node cut off longer than that starts afresh. */
    private static final long KEEP_MILLIS = 15 * 60 * 1000L;

    private record Change(long id, String topic, String ref) {}

    private final Database db;
    private final Clock clock;
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private volatile long position;
    private volatile long lastCaughtUp = System.nanoTime();
    private volatile boolean running = true;
    private final ReentrantLock polling = new ReentrantLock();
    private Thread follower;

    public ChangeFeed(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        // Caches start empty, so there is nothing to catch up with before the current position.
        this.position = db.jdbi().withHandle(h -> h.createQuery("select last_id from change_counter where id = 1")
                .mapTo(Long.class).one());
    }

    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    /** Records a change inside the caller's transaction. Call {@link #applyLocally} after it commits. */
    public void record(Handle h, String topic, String ref) {
        h.createUpdate("update change_counter set last_id = last_id + 1 where id = 1").execute();
        long id = h.createQuery("select last_id from change_counter where id = 1").mapTo(Long.class).one();
        h.createUpdate("insert into change_log (id, topic, ref, created_at) values (:id, :topic, :ref, :at)")
                .bind("id", id).bind("topic", topic).bind("ref", ref).bind("at", clock.millis()).execute();
        if (db.isPostgres()) h.execute("select pg_notify('" + CHANNEL + "', '')");
    }

    public void applyLocally(String topic, String ref) {
        for (BiConsumer<String, String> l : listeners) l.accept(topic, ref);
    }

    /** True while this node has read the log lately: what it cached is as current as the database. */
    public boolean isCurrent() {
        return System.nanoTime() - lastCaughtUp < STALE_NANOS;
    }

    /** A node that cannot tell what changed: its caches must not be trusted. */
    public static final class Behind extends IllegalStateException {
        Behind(Throwable cause) {
            super("this node cannot read the change log", cause);
        }
    }

    /**
     * Returns at once while the follower keeps up; otherwise reads the log here and now (waiting at most
     * about a second), and throws {@link Behind} when that fails — the database is out of reach.
     */
    public void ensureCurrent() {
        if (isCurrent()) return;
        try {
            if (!polling.tryLock(1, TimeUnit.SECONDS)) throw new Behind(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Behind(e);
        }
        try {
            if (!isCurrent()) readLog(1);
        } catch (RuntimeException e) {
            throw new Behind(e);
        } finally {
            polling.unlock();
        }
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

    /** Applies every change after this node's position, in order. */
    void poll() {
        polling.lock();
        try {
            readLog(0);
        } finally {
            polling.unlock();
        }
    }

    /** @param timeoutSeconds a query timeout, 0 for none */
    private void readLog(int timeoutSeconds) {
        long from = position;
        long started = System.nanoTime();
        record Read(List<Change> rows, long counter) {}
        // The counter first: every number up to it was committed before the rows are read, so a missing
        // number among them can only mean a pruned row.
        Read read = db.jdbi().withHandle(h -> {
            long counter = h.createQuery("select last_id from change_counter where id = 1")
                    .setQueryTimeout(timeoutSeconds).mapTo(Long.class).one();
            return new Read(h.createQuery("select id, topic, ref from change_log where id > :from order by id")
                    .setQueryTimeout(timeoutSeconds).bind("from", from)
                    .map((rs, ctx) -> new Change(rs.getLong("id"), rs.getString("topic"), rs.getString("ref")))
                    .list(), counter);
        });
        boolean gap = read.rows().isEmpty() ? read.counter() > from : read.rows().getFirst().id() != from + 1;
        if (gap) {
            log.warn("change log rows {}..{} were pruned before this node read them; dropping every cache", from + 1,
                    read.rows().isEmpty() ? read.counter() : read.rows().getFirst().id() - 1);
            applyLocally(EVERYTHING, "");
        }
        long last = from;
        for (Change c : read.rows()) {
            applyLocally(c.topic(), c.ref());
            last = c.id();
        }
        position = read.rows().isEmpty() ? Math.max(from, read.counter()) : last;
        lastCaughtUp = started;
    }

    /** Drops rows no node needs any more. */
    public int prune() {
        long before = clock.millis() - KEEP_MILLIS;
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
