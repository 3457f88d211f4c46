package dev.ostium.tokens;

import java.util.Set;

/**
 * Everything issued from one authorization code: its access tokens and its chain of refresh tokens.
 * Times are epoch milliseconds.
 *
 * @param expiresAt absolute end of the family: no refresh after it, however recently it rotated
 * @param authTime  when the person authenticated for the code (the ID token's auth_time)
 * @param appGeneration the app's token generation at the code exchange; an older one means revoked
 */
public record TokenFamily(String id, long appId, long userId, Long consentId, Set<String> scopes, long authTime,
                          String sessionId, long createdAt, long expiresAt, Long revokedAt, String revokedWhy,
                          long appGeneration) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
