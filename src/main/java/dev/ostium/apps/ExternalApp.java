package dev.ostium.apps;

import com.nimbusds.jose.jwk.JWKSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A registered external application (an OAuth client) of any type.
 *
 * @param secretHash          SHA-256 of the client secret (base64url), for {@link SecretType#SECRET_KEY}
 * @param publicKeys          the app's own public keys, for {@link SecretType#SIGNED_JWT}
 * @param boundUserId         the business user a service account acts as
 * @param accessTokenTtl      null: the server default
 * @param expiresAt           null: never; after it the app stops working
 * @param tokenGeneration     bumped by revoke-all, disabling and narrowing the app's rights: a token is valid only
 *                            while it carries the current generation
 */
public record ExternalApp(
        long id,
        String clientId,
        String name,
        String description,
        ClientType clientType,
        SecretType secretType,
        String secretHash,
        JWKSet publicKeys,
        Long boundUserId,
        Set<String> scopes,
        List<String> redirectUris,
        TokenFormat tokenFormat,
        Duration accessTokenTtl,
        boolean canIntrospect,
        boolean enabled,
        Instant expiresAt,
        long tokenGeneration,
        Instant createdAt,
        Instant updatedAt) {

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
