package dev.ostium.tokens;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ostium.apps.ClientSecrets;
import java.util.Optional;

/**
 * The refresh tokens this node handed out by rotation and that have not come back yet, with their families:
 * a client usually presents its refresh token to the node that answered it, which then needs no read to
 * decide the refresh.
 *
 * <p>Only a copy, and safe to be stale: what is kept cannot change while the token lives (its family's app,
 * person, consent, scopes, lifetimes), except whether the token is spent and whether its family has ended.
 * Both are decided again in the database when the rotation is written: a token is spent by one conditional
 * update, and every end of a family spends the family's live token ({@link TokenFamilies#revoke}), so a
 * copy that went stale — spent on another node, family revoked anywhere — loses its rotation and the grant
 * reads the stored row. The person and the consent are checked there too ({@link Rotations.Standing}).
 */
public final class RememberedRefreshTokens {

    /**
     * At about a kilobyte a token, ten thousand clients that come back to this node cost some ten megabytes;
     * beyond that the least useful are dropped and read from the database when they come back.
     */
    private static final int MAX_TOKENS = 10_000;

    /** A live refresh token as handed out, and its family as it stood then. */
    public record Remembered(RefreshToken token, TokenFamily family) {}

    /**
     * Written twice a refresh (kept, then forgotten), so the cache's upkeep runs on the writing thread: handed to
     * a pool, each write would wake one of its threads, which on two cores cost about a tenth of a refresh.
     */
    private final Cache<String, Remembered> byId = Caffeine.newBuilder().executor(Runnable::run).maximumSize(MAX_TOKENS).build();

    /** Keeps a refresh token just handed out (not spent, family live). */
    public void remember(RefreshToken token, TokenFamily family) {
        if (token.rotatedAt() != null || family.revoked()) throw new IllegalArgumentException("only a live token is remembered");
        byId.put(token.tokenId(), new Remembered(token, family));
    }

    /** The remembered token with this id, when the presented secret's hash is its own. */
    public Optional<Remembered> find(String tokenId, String verifierHash) {
        Remembered r = byId.getIfPresent(tokenId);
        return r != null && ClientSecrets.sameDigest(r.token().verifierHash(), verifierHash) ? Optional.of(r) : Optional.empty();
    }

    /** Forgets a token once it is being spent: whatever becomes of it is read from the database. */
    public void forget(String tokenId) {
        byId.invalidate(tokenId);
    }

    /** How many tokens are remembered now (approximately, as the cache counts). */
    public long size() {
        return byId.estimatedSize();
    }
}
