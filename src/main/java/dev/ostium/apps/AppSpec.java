package dev.ostium.apps;

import java.util.List;

/**
 * What an admin sends to create or change an app. On update, a null field keeps its value; to clear the
 * expiry, send {@code expiresAt: "never"}.
 *
 * @param type                   service | web | native | spa
 * @param secretType             secret_key | signed_jwt (service and web apps)
 * @param user                   username of the bound user (service accounts)
 * @param scopes                 allowed scopes (within the template's, when the app follows one)
 * @param tokenFormat            opaque | jwt (apps without a template)
 * @param accessTokenTtl         access token lifetime in seconds; 0 for the template's or the server default
 * @param expiresAt              ISO-8601 instant after which the app stops working, or "never"
 * @param publicKey              for signed_jwt: the app's own public key (PEM, JWK or JWK set); absent: generate a pair
 * @param keyAlgorithm           for generated pairs: RS256 (default) or ES256
 * @param template               name of the client template the app follows; "" to follow none
 * @param redirectUris           interactive apps: where codes may be sent, matched exactly
 * @param postLogoutRedirectUris interactive apps: where RP-initiated logout may send the person back
 * @param offlineAccess          the app receives refresh tokens
 * @param openToAll              every user may connect (default); false: only authorizedUsers and authorizedGroups
 * @param authorizedUsers        usernames allowed to connect when the app is not open to all
 * @param authorizedGroups       group names allowed to connect when the app is not open to all
 * @param consentName            the name shown on the consent screen (default: name)
 * @param idTokenAlg             ES256 (default) or RS256
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
        String keyAlgorithm,
        String template,
        List<String> redirectUris,
        List<String> postLogoutRedirectUris,
        Boolean offlineAccess,
        Boolean openToAll,
        List<String> authorizedUsers,
        List<String> authorizedGroups,
        String consentName,
        String idTokenAlg) {}
