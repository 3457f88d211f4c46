package dev.ostium.apps;

import java.util.List;

/**
 * What an admin sends to create or change an app. On update, a null field keeps its value; to clear the
 * expiry, send {@code expiresAt: "never"}.
 *
 * @param type           service | web | native
 * @param secretType     secret_key | signed_jwt
 * @param user           username of the bound user (service accounts)
 * @param scopes         allowed scopes
 * @param tokenFormat    opaque | jwt
 * @param accessTokenTtl access token lifetime in seconds; 0 for the server default
 * @param expiresAt      ISO-8601 instant after which the app stops working, or "never"
 * @param publicKey      for signed_jwt: the app's own public key (PEM, JWK or JWK set); absent: generate a pair
 * @param keyAlgorithm   for generated pairs: RS256 (default) or ES256
 */
public record AppSpec(
        String name,
        String description,
        String type,
        String secretType,
        String user,
        List<String> scopes,
        String tokenFormat,
        Long accessTokenTtl,
        String expiresAt,
        Boolean canIntrospect,
        Boolean enabled,
        String publicKey,
        String keyAlgorithm) {}
