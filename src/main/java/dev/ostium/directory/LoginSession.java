package dev.ostium.directory;

import java.time.Instant;

/**
 * A person's live login, as every node sees it.
 *
 * @param sessionId the public, non-secret name of the session (usable as the OpenID Connect {@code sid})
 * @param authTime  when the person last proved who they are (OpenID Connect {@code auth_time})
 */
public record LoginSession(String sessionId, long userId, String username, Instant authTime, Instant createdAt,
                           Instant lastSeenAt, Instant expiresAt) {}
