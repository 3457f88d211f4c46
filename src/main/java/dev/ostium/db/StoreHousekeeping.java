package dev.ostium.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded database's file compact while it is written to.
 *
 * <p>The embedded database is opened with {@code WRITE_DELAY=0}, so that each commit reaches the file before
 * its requests are answered. H2 then runs no background thread, and the rewriting of half-empty chunks goes
 * with it: every commit appends a chunk, and under a steady token load most chunks keep a live page or two
 * for good. The file and H2's in-memory table of chunks then grow without end (about a million tokens: a 3.7 GB
 * file, a heap full of chunk records, and the store closing itself on OutOfMemoryError). This thread does
 * that work instead:
 * <ul>
 * <li>many times a second, when the live share of the chunks is below {@link #TARGET_FILL_RATE} %, it moves the
 * live pages of the emptiest chunks into a new one, a bounded amount at a time, so their space is reused;
 * <li>it forces the file to the disk every second, so an operating-system crash loses at most about the last
 * second of commits.
 * </ul>
 * A pass holds the store's lock, and every commit waits for it: a pass's length is added to the answer time of
 * every request whose commit falls on it. Under a steady token load the live share stays well below the target
 * (40–55 % under refresh load, about 10 % under a client_credentials load), so every pass moves its full amount;
 * on two busy cores a 512 KiB pass takes 5–9 ms on average and up to about 60 ms. Passes are kept to 512 KiB
 * every 50 ms rather than 1 MiB every 100 ms (the same rate; a shorter tail of refresh answers under load,
 * throughput within the spread). Smaller passes shorten that tail further (256 KiB every 25 ms: refresh p99
 * 18.5 ms against 23 ms) but cost the client_credentials load, which leaves H2's table of chunks at 100,000 and
 * more: each pass walks the whole table twice, so twice the passes is twice that fixed cost (bench/RESULTS.md).
 *
 * <p>H2 neither drops nor rewrites a chunk until its retention time (45 s) has passed since the chunk was written,
 * and that stays: the file's header, which is not rewritten at every commit, may still lead to such a chunk when
 * the file is opened again, and with a shorter retention a process killed after new chunks had been written over
 * old ones came back without its last commits (every token answered after the overwrite, in {@code CrashTest}).
 * The price is in the heap: H2's table of chunks holds at least the last 45 s of commits (bench/RESULTS.md).
 */
final class StoreHousekeeping implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StoreHousekeeping.class);

    /** Below this share of live bytes in the chunks, chunks are rewritten (H2's own target under load). */
    static final int TARGET_FILL_RATE = 80;
    /** About this many bytes of live pages moved in one pass, so a pass holds the store only briefly. */
    private static final int WRITE_PER_PASS = 512 << 10;
    private static final long PAUSE_MS = 50;
    private static final long SYNC_MS = 1000;

    private final MVStore store;
    private volatile Thread thread;
    private volatile boolean running = true;

    private StoreHousekeeping(MVStore store) {
        this.store = store;
    }

    /**
     * Housekeeping for the pool's database when it is an embedded H2 database kept in a file (not started:
     * see {@link #start}); empty for any other database.
     */
    static Optional<StoreHousekeeping> of(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection()) {
            if (!c.isWrapperFor(JdbcConnection.class)) return Optional.empty();
            if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local)) return Optional.empty();
            MVStore store = local.getDatabase().getStore().getMvStore();
            if (store.getFileStore() == null) return Optional.empty();
            return Optional.of(new StoreHousekeeping(store));
        }
    }

    /** Starts the background thread. */
    StoreHousekeeping start() {
        thread = Thread.ofPlatform().daemon().name("ostium-store-housekeeping").start(this::run);
        return this;
    }

    /**
     * For tests that cannot wait for H2's retention and close the file cleanly: how long an unneeded chunk is
     * kept before its space may be written over. The server keeps H2's default (see the class comment).
     */
    void retention(int ms) {
        store.setRetentionTime(ms);
    }

    /** The live share of the file's chunks, in percent. */
    int fillRate() {
        return store.getFileStore().getChunksFillRate();
    }

    /** One pass: rewrites the emptiest chunks when the live share is below target. True when it rewrote any. */
    boolean pass() {
        return !store.isClosed() && store.compact(TARGET_FILL_RATE, WRITE_PER_PASS);
    }

    private void run() {
        long synced = System.nanoTime();
        long syncedVersion = store.getCurrentVersion();
        while (running) {
            // Parked, never interrupted: an interrupt during file I/O would close H2's file channel.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MS));
            if (!running || store.isClosed()) return;
            try {
                pass();
                if (System.nanoTime() - synced >= TimeUnit.MILLISECONDS.toNanos(SYNC_MS)) {
                    long version = store.getCurrentVersion();
                    if (version != syncedVersion) store.sync();
                    syncedVersion = version;
                    synced = System.nanoTime();
                }
            } catch (RuntimeException e) {
                // The store is closing, or failed on its own; the commits that use it will say so.
                if (running && !store.isClosed()) log.warn("embedded database housekeeping pass failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t == null) return;
        LockSupport.unpark(t);
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
