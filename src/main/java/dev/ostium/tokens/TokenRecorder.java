package dev.ostium.tokens;

import dev.ostium.db.Database;
import dev.ostium.db.GroupCommit;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

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
        PreparedBatch insert = h.prepareBatch("""
                insert into access_tokens (token_id, verifier_hash, app_id, user_id, scope, format, grant_type, issued_at,
                  expires_at, consent_id, family_id, app_generation)
                values (:id, :verifier, :app, :user, :scope, :format, :grant, :issued, :expires, :consent, :family,
                  (select token_generation from apps where id = :app))""");
        for (TokenRecord r : records) {
            insert.bind("id", r.tokenId()).bind("verifier", r.verifierHash()).bind("app", r.appId()).bind("user", r.userId())
                    .bind("scope", String.join(" ", r.scopes())).bind("format", r.format())
                    .bind("grant", r.grantType()).bind("issued", r.issuedAt()).bind("expires", r.expiresAt())
                    .bind("consent", r.consentId()).bind("family", r.familyId()).add();
        }
        insert.execute();
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
