package dev.ostium.tokens;

import dev.ostium.db.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of refresh-token rotations, like {@link TokenRecorder} for access tokens: one writer takes
 * every rotation waiting and carries them out in one transaction. Each rotation is still decided on its
 * own row ({@code rotated_at is null}), so the loser of a race — in the same batch, or against another
 * node — learns it lost and stores nothing; no pair is answered before it is committed.
 */
public final class Rotations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rotations.class);
    private static final int MAX_BATCH = 256;

    /** Spend {@code presentedId}, and store its successor and the access token issued with it. */
    public record Rotation(String presentedId, long now, RefreshToken successor, TokenRecord access) {}

    private record Pending(Rotation rotation, CompletableFuture<Boolean> done) {}

    private final Database db;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public Rotations(Database db) {
        this.db = db;
        this.writer = Thread.ofPlatform().daemon().name("ostium-rotation-writer").start(this::run);
    }

    /** Completes with true when this request won the rotation and its pair is committed, false when it lost. */
    public CompletableFuture<Boolean> rotate(Rotation rotation) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("server is stopping"));
            return done;
        }
        queue.add(new Pending(rotation, done));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                // close() wakes the writer; the loop condition drains whatever is still queued
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        boolean[] won = new boolean[batch.size()];
        try {
            db.jdbi().useTransaction(h -> {
                for (int i = 0; i < batch.size(); i++) {
                    Rotation r = batch.get(i).rotation();
                    won[i] = TokenFamilies.rotate(h, r.presentedId(), r.now(), r.successor().tokenId());
                    if (won[i]) {
                        TokenFamilies.insert(h, r.successor());
                        TokenStore.insert(h, r.access());
                    }
                }
            });
            for (int i = 0; i < batch.size(); i++) batch.get(i).done().complete(won[i]);
        } catch (RuntimeException e) {
            log.error("could not store {} refresh-token rotation(s): {}", batch.size(), e.toString());
            batch.forEach(p -> p.done().completeExceptionally(e));
        }
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
