package dev.ostium.tokens;

import dev.ostium.db.Database;
import dev.ostium.db.GroupCommit;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;

/**
 * Token records stored by group commit: requests hand their record to one writer, which inserts everything
 * waiting in one transaction and then releases each request. No token is answered before it is stored.
 */
public final class TokenRecorder implements AutoCloseable {

    private static final int MAX_BATCH = 512;

    private final GroupCommit<TokenRecord, Void> writer;

    public TokenRecorder(Database db) {
        this.writer = new GroupCommit<>(db, "token", MAX_BATCH, TokenRecorder::insertAll);
    }

    /** Completes when the record is committed; fails if it could not be stored. */
    public CompletableFuture<Void> record(TokenRecord record) {
        return writer.submit(record);
    }

    private static List<Void> insertAll(Handle h, List<TokenRecord> records) {
        try (PreparedStatement insert = h.getConnection().prepareStatement(TokenStore.INSERT)) {
            for (TokenRecord r : records) {
                TokenStore.bind(insert, r);
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store " + records.size() + " token record(s)", e);
        }
        return Collections.nCopies(records.size(), null);
    }

    /** Transactions committed so far; with {@link #recorded()} shows how much group commit gathers. */
    public long commits() {
        return writer.commits();
    }

    public long recorded() {
        return writer.written();
    }

    @Override
    public void close() {
        writer.close();
    }
}
