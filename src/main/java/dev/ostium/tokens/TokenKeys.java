package dev.ostium.tokens;

import dev.ostium.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;

/**
 * The 64-bit keys token records are stored under (access tokens and refresh tokens alike), unique across every
 * node: a node takes a block of {@link #BLOCK} keys at a time from the database's {@code token_keys} sequence
 * and hands them out in order, so its new records land at the end of the table's index.
 *
 * <p>Records of tokens issued before the keys were introduced have negative keys, found by their earlier ids in
 * {@code earlier_token_ids} ({@link #resolve}).
 */
public final class TokenKeys {

    /** Keys per block: the sequence is read once per this many tokens. */
    static final int BLOCK = 1024;

    private final Database db;
    private final ReentrantLock lock = new ReentrantLock();
    private long next;
    private long end;

    public TokenKeys(Database db) {
        this.db = db;
    }

    /** A key no token of any node has had. */
    public long next() {
        lock.lock();
        try {
            if (next == end) {
                next = block();
                end = next + BLOCK;
            }
            return next++;
        } finally {
            lock.unlock();
        }
    }

    private long block() {
        String sql = db.isPostgres() ? "select nextval('token_keys')" : "select next value for token_keys";
        try (Connection c = db.rawConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take a block of token keys", e);
        }
    }

    private static final String EARLIER = "select k from earlier_token_ids where token_id = ?";

    /** The key of the record with this id, if there can be one: carried by the id, or looked up for an earlier id. */
    public static OptionalLong resolve(Connection c, String id) throws SQLException {
        if (id == null) return OptionalLong.empty();
        OptionalLong carried = TokenIds.key(id);
        if (carried.isPresent() || id.length() > 32) return carried;
        try (PreparedStatement ps = c.prepareStatement(EARLIER)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** {@link #resolve(Connection, String)} in the handle's transaction. */
    public static OptionalLong resolve(Handle h, String id) {
        try {
            return resolve(h.getConnection(), id);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look up token " + id, e);
        }
    }

    /** The keys of those ids that can have a record. */
    public static List<Long> resolveAll(Handle h, Collection<String> ids) {
        List<Long> keys = new ArrayList<>(ids.size());
        for (String id : ids) resolve(h, id).ifPresent(keys::add);
        return keys;
    }
}
