package dev.ostium.apps;

import com.nimbusds.jose.jwk.JWKSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A registered external application (an OAuth client) of any type.
 *
 * @param secretHash             SHA-256 of the client secret (base64url), for {@link SecretType#SECRET_KEY}
 * @param publicKeys             the app's own public keys, for {@link SecretType#SIGNED_JWT}
 * @param boundUserId            the business user a service account acts as
 * @param scopes                 the scopes the app may obtain now: its registered ones, within its template's
 * @param registeredScopes       the scopes the admin registered for the app
 * @param redirectUris           interactive apps: the registered redirect URIs, matched exactly
 * @param tokenFormat            the access token format in force (the template's when the app follows one)
 * @param accessTokenTtl         the app's own access token lifetime; null: its template's, or the server default
 * @param expiresAt              null: never; after it the app stops working
 * @param tokenGeneration        bumped by revoke-all, disabling and narrowing the app's rights: a token is valid only
 *                               while it carries the current generation
 * @param template               the template the app follows, or null
 * @param lifetimes              code, ID token and refresh lifetimes and the refresh retry window in force
 * @param offlineAccess          the app receives refresh tokens
 * @param postLogoutRedirectUris where RP-initiated logout may send the person back to
 * @param openToAll              every user may connect; false: only the authorized users and groups
 * @param consentName            the name shown on the consent screen; null: the app's name
 * @param hasIcon                an icon is stored for the consent screen
 * @param idTokenAlg             ES256 (default) or RS256
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
        Set<String> registeredScopes,
        List<String> redirectUris,
        TokenFormat tokenFormat,
        Duration accessTokenTtl,
        boolean canIntrospect,
        boolean enabled,
        Instant expiresAt,
        long tokenGeneration,
        Instant createdAt,
        Instant updatedAt,
        TemplateRef template,
        Lifetimes lifetimes,
        boolean offlineAccess,
        List<String> postLogoutRedirectUris,
        boolean openToAll,
        String consentName,
        boolean hasIcon,
        String idTokenAlg) {

    /** The template an app follows, by id and name. */
    public record TemplateRef(long id, String name) {}

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** A person signs in through the app: web, native or single-page. */
    public boolean interactive() {
        return clientType != ClientType.SERVICE;
    }

    /** Public clients (native, single-page) hold no secret and prove themselves with PKCE alone. */
    public boolean publicClient() {
        return clientType.publicClient();
    }

    public String displayName() {
        return consentName == null ? name : consentName;
    }
}
