package dev.ostium.tokens;

import dev.ostium.db.Database;
import dev.ostium.db.GroupCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;

/**
 * Refresh-token rotations stored by group commit, like {@link TokenRecorder}'s access tokens. Each rotation
 * is still decided on its own row ({@code rotated_at is null}), so the loser of a race — in the same batch,
 * or against another node — learns it lost and stores nothing; no pair is answered before it is committed.
 */
public final class Rotations implements AutoCloseable {

    private static final int MAX_BATCH = 256;
    /**
     * How long the writer waits for more rotations under load: up to half a millisecond more per refresh
     * made the commits two to three times fuller and the writer's work per rotation a quarter smaller
     * (bench/RESULTS.md, 2026-12-05).
     */
    private static final Duration LINGER = Duration.ofNanos(500_000);

    /** Spend {@code presentedId}, and store its successor and the access token issued with it. */
    public record Rotation(String presentedId, long now, RefreshToken successor, TokenRecord access) {}

    private final GroupCommit<Rotation, Boolean> writer;

    public Rotations(Database db) {
        this.writer = new GroupCommit<>(db, "rotation", MAX_BATCH, LINGER, Rotations::rotateAll);
    }

    /** Completes with true when this request won the rotation and its pair is committed, false when it lost. */
    public CompletableFuture<Boolean> rotate(Rotation rotation) {
        return writer.submit(rotation);
    }

    private static List<Boolean> rotateAll(Handle h, List<Rotation> rotations) {
        List<Boolean> won = new ArrayList<>(rotations.size());
        // Plain statements, each prepared once for the batch: this writer is the one thread every refresh
        // passes through, so what it spends per rotation bounds the refresh rate of the node.
        Connection c = h.getConnection();
        try (PreparedStatement spend = c.prepareStatement(TokenFamilies.SPEND);
             PreparedStatement successor = c.prepareStatement(TokenFamilies.INSERT_REFRESH);
             PreparedStatement access = c.prepareStatement(TokenStore.INSERT)) {
            for (Rotation r : rotations) {
                boolean w = TokenFamilies.rotate(spend, r.presentedId(), r.now(), r.successor().tokenId());
                if (w) {
                    TokenFamilies.insert(successor, r.successor());
                    TokenStore.bind(access, r.access());
                    access.executeUpdate();
                }
                won.add(w);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store " + rotations.size() + " rotation(s)", e);
        }
        return won;
    }

    @Override
    public void close() {
        writer.close();
    }
}
