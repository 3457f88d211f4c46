package dev.ostium.crm;

/**
 * Who is reading or writing: the token's user, and whether that user acts as an administrator (only
 * when the user is one and connections with administrators are allowed).
 *
 * @param appId     the app whose token made the call, for the change record (null outside the API)
 * @param clientId  that app's client_id
 */
public record Viewer(long userId, boolean admin, Long appId, String clientId) {}
