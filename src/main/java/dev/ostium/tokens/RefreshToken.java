package dev.ostium.tokens;

import java.util.Set;

/**
 * A stored refresh token (its secret part only as a digest). Times are epoch milliseconds.
 *
 * @param key           the record's key ({@link TokenKeys}); a new token's id carries it
 * @param rotatedAt     set once, by the request that exchanged it; a later presentation is reuse or a retry
 * @param successorId   the refresh token it was exchanged for
 * @param accessTokenId the access token issued together with it
 */
public record RefreshToken(long key, String tokenId, String verifierHash, String familyId, long appId, Set<String> scopes,
                           int generation, long issuedAt, long expiresAt, Long rotatedAt, String successorId,
                           String accessTokenId) {}
