package dev.ostium.tokens;

import dev.ostium.db.Database;
import dev.ostium.db.GroupCommit;
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

    /** Spend {@code presentedId}, and store its successor and the access token issued with it. */
    public record Rotation(String presentedId, long now, RefreshToken successor, TokenRecord access) {}

    private final GroupCommit<Rotation, Boolean> writer;

    public Rotations(Database db) {
        this.writer = new GroupCommit<>(db, "rotation", MAX_BATCH, Rotations::rotateAll);
    }

    /** Completes with true when this request won the rotation and its pair is committed, false when it lost. */
    public CompletableFuture<Boolean> rotate(Rotation rotation) {
        return writer.submit(rotation);
    }

    private static List<Boolean> rotateAll(Handle h, List<Rotation> rotations) {
        List<Boolean> won = new ArrayList<>(rotations.size());
        for (Rotation r : rotations) {
            boolean w = TokenFamilies.rotate(h, r.presentedId(), r.now(), r.successor().tokenId());
            if (w) {
                TokenFamilies.insert(h, r.successor());
                TokenStore.insert(h, r.access());
            }
            won.add(w);
        }
        return won;
    }

    @Override
    public void close() {
        writer.close();
    }
}
