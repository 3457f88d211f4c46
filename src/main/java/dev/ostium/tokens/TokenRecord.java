package dev.ostium.tokens;

import java.util.Set;

/**
 * What the server remembers of an issued access token. Times are epoch milliseconds.
 *
 * @param tokenId      the time-ordered id: the jti of a JWT, the lookup part of an opaque token
 * @param verifierHash SHA-256 of an opaque token's secret part; null for a JWT
 * @param userId    the user the token acts for (the bound user of a service account)
 * @param consentId the consent an interactive grant was issued under, if any
 * @param familyId  the refresh-token family the token belongs to, if any
 * @param appGeneration the app's token generation when the record was committed (read by the insert itself,
 *                      so a token committed after a revoke-all on any node belongs to the new generation)
 * @param usedAt    when a token issued by a refresh was first presented (tracked only inside a retry window)
 */
public record TokenRecord(String tokenId, String verifierHash, long appId, Long userId, Set<String> scopes, String format,
                          String grantType, long issuedAt, long expiresAt, Long revokedAt, Long consentId,
                          String familyId, long appGeneration, Long usedAt) {}
