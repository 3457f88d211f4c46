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

    /**
     * Spend the refresh token stored under {@code presentedKey}, and store its successor and the access token
     * issued with it — provided the family's person and consent still stand as the rotation is written.
     */
    public record Rotation(long presentedKey, long now, RefreshToken successor, TokenRecord access, Standing standing) {}

    /**
     * What must hold in the database at the moment a rotation is written: the person {@code userId} enabled
     * (and not an administrator unless {@code adminsAllowed}), and the consent {@code consentId} the family was
     * granted under still there. Checked in the rotation's own conditional update, so a refresh decided on
     * what a node remembers still sees the person and the consent as stored now — also when they were changed
     * behind this node's back.
     */
    public record Standing(long userId, Long consentId, boolean adminsAllowed) {}

    private final GroupCommit<Rotation, Boolean> writer;

    public Rotations(Database db) {
        this.writer = new GroupCommit<>(db, "rotation", MAX_BATCH, LINGER, Rotations::rotateAll);
    }

    /**
     * Completes with true when this request won the rotation and its pair is committed; false when it lost
     * (spent by another request, family ended) or its person or consent no longer stand.
     */
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
                boolean w = TokenFamilies.rotate(spend, r.presentedKey(), r.now(), r.successor().tokenId(), r.standing());
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
