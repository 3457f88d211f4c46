package dev.ostium.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: requests hand their item to one writer thread, which carries out everything waiting in
 * one transaction and then releases each request with its own outcome. Under load a commit carries many
 * items; alone, an item waits only for its own commit. Nothing is released before it is committed, and
 * when the transaction fails every request in it fails.
 *
 * <p>A writer may linger: when its last commit carried more than one item (requests are arriving faster
 * than one commit each), it waits the linger time for more before committing. Each commit of the
 * embedded database writes out every page it changed, so fewer, fuller commits cost less per item. Once
 * the load stops, one item is held for the linger time and committed alone; the ones after it are not held.
 *
 * @param <T> what a request asks to store
 * @param <R> what each request learns once it is committed
 */
public final class GroupCommit<T, R> implements AutoCloseable {

    /** Stores a batch inside the open transaction and returns one outcome per item, in order. */
    @FunctionalInterface
    public interface Batch<T, R> {
        List<R> write(Handle h, List<T> items);
    }

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private record Pending<T, R>(T item, CompletableFuture<R> done) {}

    private final Database db;
    private final String what;
    private final int maxBatch;
    private final long lingerNanos;
    private final Batch<T, R> batch;
    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    /** {@code what} names the items in the writer thread's name and in log lines. */
    public GroupCommit(Database db, String what, int maxBatch, Batch<T, R> batch) {
        this(db, what, maxBatch, Duration.ZERO, batch);
    }

    /** As above, with a writer that lingers up to {@code linger} for more items under load. */
    public GroupCommit(Database db, String what, int maxBatch, Duration linger, Batch<T, R> batch) {
        this.db = db;
        this.what = what;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.batch = batch;
        this.writer = Thread.ofPlatform().daemon().name("ostium-" + what + "-writer").start(this::run);
    }

    /** Completes with the item's outcome once its transaction has committed. */
    public CompletableFuture<R> submit(T item) {
        CompletableFuture<R> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("server is stopping"));
            return done;
        }
        queue.add(new Pending<>(item, done));
        return done;
    }

    /** Transactions committed so far; with {@link #written()} shows how much group commit gathers. */
    public long commits() {
        return commits.get();
    }

    public long written() {
        return written.get();
    }

    private void run() {
        List<Pending<T, R>> pending = new ArrayList<>(maxBatch);
        int last = 0;
        while (running || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                pending.add(first);
                queue.drainTo(pending, maxBatch - 1);
                if (lingerNanos > 0 && last > 1 && running) gather(pending);
            } catch (InterruptedException e) {
                // close() wakes the writer: what it took is still written, the loop drains whatever is queued
            }
            if (pending.isEmpty()) continue;
            last = pending.size();
            write(pending);
            pending.clear();
        }
    }

    /**
     * Sleeps out the linger time since the first item, then takes what came meanwhile. The writer is not waiting
     * on the queue while it sleeps, so a request that hands in an item does not wake it: woken for each, it
     * cost a wake-up and a sleep per item instead of one per commit.
     */
    private void gather(List<Pending<T, R>> pending) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        for (long left = lingerNanos; left > 0 && pending.size() < maxBatch; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) throw new InterruptedException();
        }
        queue.drainTo(pending, maxBatch - pending.size());
    }

    private void write(List<Pending<T, R>> pending) {
        List<T> items = new ArrayList<>(pending.size());
        for (Pending<T, R> p : pending) items.add(p.item());
        List<R> outcomes;
        try {
            outcomes = db.jdbi().inTransaction(h -> batch.write(h, items));
            if (outcomes.size() != items.size()) throw new IllegalStateException("one outcome per item expected");
        } catch (RuntimeException e) {
            log.error("could not store {} {}(s): {}", items.size(), what, e.toString());
            pending.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        commits.incrementAndGet();
        written.addAndGet(items.size());
        for (int i = 0; i < pending.size(); i++) pending.get(i).done().complete(outcomes.get(i));
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
