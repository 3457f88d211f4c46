package dev.ostium.tokens;

import dev.ostium.db.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of token records: requests hand their record to one writer, which inserts everything
 * waiting in one transaction and then releases each request. Under load a commit carries many tokens;
 * alone, a token waits only for its own commit. No token is answered before it is stored.
 */
public final class TokenRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TokenRecorder.class);
    private static final int MAX_BATCH = 512;

    private record Pending(TokenRecord record, CompletableFuture<Void> done) {}

    private final Database db;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public TokenRecorder(Database db) {
        this.db = db;
        this.writer = Thread.ofPlatform().daemon().name("ostium-token-writer").start(this::run);
    }

    /** Completes when the record is committed; fails if it could not be stored. */
    public CompletableFuture<Void> record(TokenRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("server is stopping"));
            return done;
        }
        queue.add(new Pending(record, done));
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
        try {
            db.jdbi().useTransaction(h -> {
                PreparedBatch insert = h.prepareBatch("""
                        insert into access_tokens (token_id, verifier_hash, app_id, user_id, scope, format, grant_type, issued_at,
                          expires_at, consent_id, family_id, app_generation)
                        values (:id, :verifier, :app, :user, :scope, :format, :grant, :issued, :expires, :consent, :family,
                          (select token_generation from apps where id = :app))""");
                for (Pending p : batch) {
                    TokenRecord r = p.record();
                    insert.bind("id", r.tokenId()).bind("verifier", r.verifierHash()).bind("app", r.appId()).bind("user", r.userId())
                            .bind("scope", String.join(" ", r.scopes())).bind("format", r.format())
                            .bind("grant", r.grantType()).bind("issued", r.issuedAt()).bind("expires", r.expiresAt())
                            .bind("consent", r.consentId()).bind("family", r.familyId()).add();
                }
                insert.execute();
            });
            commits.incrementAndGet();
            recorded.addAndGet(batch.size());
            batch.forEach(p -> p.done().complete(null));
        } catch (RuntimeException e) {
            log.error("could not store {} token record(s): {}", batch.size(), e.toString());
            batch.forEach(p -> p.done().completeExceptionally(e));
        }
    }

    /** Transactions committed so far; with {@link #recorded()} shows how much group commit gathers. */
    public long commits() {
        return commits.get();
    }

    public long recorded() {
        return recorded.get();
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
