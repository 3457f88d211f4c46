package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.directory.User;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.tokens.RefreshToken;
import dev.ostium.tokens.RememberedRefreshTokens;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenFamily;
import dev.ostium.tokens.TokenIds;
import dev.ostium.tokens.TokenKeys;
import dev.ostium.tokens.TokenRecord;
import dev.ostium.tokens.Rotations;
import dev.ostium.tokens.TokenStore;
import dev.ostium.web.FormBody;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every refresh spends the presented refresh token and hands
 * out a new pair. A spent token presented again revokes the whole family — except a retry of a lost answer
 * inside the template's window, which gets exactly the same pair back while that pair is unused.
 */
public final class RefreshTokenGrant {

    private static final Logger log = LoggerFactory.getLogger(RefreshTokenGrant.class);

    private final ClientAuthenticator clients;
    private final ConnectionRules rules;
    private final AccessTokens tokens;
    private final TokenStore tokenStore;
    private final IdTokens idTokens;
    private final TokenFamilies families;
    private final RefreshTokenCodec codec;
    private final Rotations rotations;
    private final Clock clock;
    private final AuditTrail audit;
    private final AppRegistry apps;
    private final RememberedRefreshTokens memory;
    private final TokenKeys keys;

    public RefreshTokenGrant(ClientAuthenticator clients, ConnectionRules rules, AccessTokens tokens, TokenKeys keys,
                             TokenStore tokenStore, IdTokens idTokens, TokenFamilies families, byte[] derivationKey,
                             Rotations rotations, RememberedRefreshTokens memory, AuditTrail audit, AppRegistry apps,
                             Clock clock) {
        this.memory = memory;
        this.keys = keys;
        this.apps = apps;
        this.audit = audit;
        this.clients = clients;
        this.rules = rules;
        this.tokens = tokens;
        this.tokenStore = tokenStore;
        this.idTokens = idTokens;
        this.families = families;
        this.codec = new RefreshTokenCodec(derivationKey);
        this.rotations = rotations;
        this.clock = clock;
    }

    /** A refresh token as a refresh by its app would find it now. */
    public record Live(RefreshToken token, TokenFamily family, User user) {}

    /**
     * For introspection (RFC 7662): the refresh token, when it belongs to {@code holder} and a refresh by it
     * would be accepted now — same checks as {@link #handle}, nothing spent, nothing revoked, nothing logged.
     */
    public Optional<Live> live(String value, ExternalApp holder) {
        if (value == null || value.length() > 4096) return Optional.empty();
        Optional<TokenFamilies.Held> found = find(value);
        if (found.isEmpty()) return Optional.empty();
        TokenFamilies.Held held = found.get();
        long now = clock.millis();
        if (held.token().appId() != holder.id() || held.family().revoked() || held.token().rotatedAt() != null
                || held.family().expiresAt() <= now || held.token().expiresAt() <= now) return Optional.empty();
        try {
            return Optional.of(new Live(held.token(), held.family(), stillAllowed(holder, held)));
        } catch (OAuthProblem refused) {
            return Optional.empty();
        }
    }

    /** @param answering told the client the answer goes to, once it is known, before any refusal of the grant */
    public Granted handle(String authorization, FormBody form, Consumer<ExternalApp> answering) {
        String value = form.get("refresh_token");
        Optional<TokenIds.Presented> presented = value == null ? Optional.empty() : TokenIds.parseOpaque(value);
        Optional<RememberedRefreshTokens.Remembered> remembered = presented.flatMap(p -> memory.find(p.id(), p.verifierHash()));
        ExternalApp app = clients.authenticateOrPublic(authorization, form,
                () -> remembered.map(r -> r.token().appId()).or(() -> find(value).map(h -> h.token().appId()))).app();
        answering.accept(app);
        if (value == null) throw OAuthProblem.invalidRequest("refresh_token is required");
        if (remembered.isPresent()) return refresh(app, form, value, remembered.get().token(), remembered.get().family(), null, false);
        TokenFamilies.Held held = find(value).orElseThrow(() -> invalidGrant("unknown refresh token"));
        return refresh(app, form, value, held.token(), held.family(), held, false);
    }

    /**
     * Decides a refresh on the presented token and its family: as read now with the person and the consent
     * ({@code stored}), or as this node remembers them ({@code stored} null: the person comes from the node's
     * directory, and the rotation checks person and consent as stored when it is written).
     */
    private Granted refresh(ExternalApp app, FormBody form, String value, RefreshToken rt, TokenFamily family,
                            TokenFamilies.Held stored, boolean again) {
        if (rt.appId() != app.id()) {
            // §6: the token is bound to its client; another client's attempt at a live one changes nothing. A spent
            // one in another client's hands has leaked, though: that is reuse, and its family ends.
            if (rt.rotatedAt() != null && !family.revoked()) endForReuse(app, family);
            throw invalidGrant("the refresh token was issued to another client");
        }
        if (family.revoked()) throw invalidGrant("the refresh token has been revoked");
        long now = clock.millis();
        if (family.expiresAt() <= now || rt.expiresAt() <= now) throw invalidGrant("the refresh token has expired; sign in again");
        // Reuse is judged before anything else the request asks, so no parameter lets a spent token be tried safely.
        // (Only a token read from the database can be seen spent here: a remembered one is forgotten when spent.)
        if (rt.rotatedAt() != null) return retryOrReuse(app, stored, value, now);
        Set<String> scopes = narrowed(rt.scopes(), form.get("scope"));

        User user = stored != null ? stillAllowed(app, stored)
                : stillAllowed(app, family, rules.knownUser(family.userId()).filter(User::enabled));
        AccessTokens.Minted access = tokens.mint(app, user, scopes, GrantType.REFRESH_TOKEN.getValue(), family.consentId(),
                family.id(), now, codec.successorAccessSeed(value));
        long nextKey = keys.next();
        TokenIds.Minted next = TokenIds.mintOpaque(nextKey, codec.successorRefreshSeed(value));
        // §6: the new refresh token keeps the scope of the one it replaces; only the access token narrows.
        RefreshToken successor = new RefreshToken(nextKey, next.id(), next.verifierHash(), family.id(), app.id(), rt.scopes(),
                rt.generation() + 1, now, family.expiresAt(), null, null, access.record().tokenId());
        memory.forget(rt.tokenId());
        CompletableFuture<Boolean> written = rotations.rotate(new Rotations.Rotation(rt.key(), now, successor, access.record(),
                rules.standing(family)));
        // Signed while the rotation is being committed, and handed out only once it is: a rotation that loses
        // drops it unseen.
        String idToken = idToken(app, user, family, scopes, access.issued().value(), now);
        boolean rotated;
        try {
            rotated = written.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the rotation could not be stored", e.getCause());
        }
        if (!rotated) {
            // Another request (on this node or another) spent it a moment ago, its family was revoked, or its person
            // or consent no longer stands: the stored row tells which.
            TokenFamilies.Held latest = families.refreshTokenWithFamily(rt.tokenId()).orElseThrow(() -> invalidGrant("unknown refresh token"));
            if (latest.family().revoked()) throw invalidGrant("the refresh token has been revoked");
            if (latest.token().rotatedAt() == null) {
                // Not spent: the rotation found the person or the consent changed. Refused with the reason as stored
                // now — or, when that changed back in the meantime, decided once more on the stored row.
                stillAllowed(app, latest);
                if (!again) return refresh(app, form, value, latest.token(), latest.family(), latest, true);
                throw invalidGrant("the person's account or consent changed during the refresh; try again");
            }
            return retryOrReuse(app, latest, value, clock.millis());
        }
        memory.remember(successor, family);
        return new Granted(access.issued(), next.value(), idToken);
    }

    /** The refresh token with this value, spent or not, with its family, as stored now. */
    private Optional<TokenFamilies.Held> find(String value) {
        if (value == null) return Optional.empty();
        return TokenIds.parseOpaque(value).flatMap(presented -> families.refreshTokenWithFamily(presented.id())
                .filter(r -> ClientSecrets.sameDigest(r.token().verifierHash(), presented.verifierHash())));
    }

    /**
     * A spent refresh token again. Inside the retry window, presented by its own client, the latest
     * generation whose successor pair nobody has used yet: the same pair once more (re-derived from the
     * presented token and the successors' keys, not stored). Anything else is reuse: the family ends.
     */
    private Granted retryOrReuse(ExternalApp app, TokenFamilies.Held held, String value, long now) {
        RefreshToken rt = held.token();
        TokenFamily family = held.family();
        long window = app.lifetimes().refreshRetry().toMillis();
        // A successor's id carries its key (one issued before the keys were introduced is not retried).
        OptionalLong successorKey = TokenIds.key(rt.successorId());
        if (window > 0 && now - rt.rotatedAt() <= window && successorKey.isPresent()) {
            TokenIds.Minted next = TokenIds.mintOpaque(successorKey.getAsLong(), codec.successorRefreshSeed(value));
            Optional<RefreshToken> successor = families.refreshToken(next.id())
                    .filter(s -> ClientSecrets.sameDigest(s.verifierHash(), next.verifierHash()));
            Optional<TokenRecord> access = successor.filter(s -> s.rotatedAt() == null && s.accessTokenId() != null)
                    .flatMap(s -> tokenStore.find(s.accessTokenId()))
                    .filter(a -> a.usedAt() == null && a.revokedAt() == null);
            OptionalLong accessKey = access.map(a -> TokenIds.key(a.tokenId())).orElse(OptionalLong.empty());
            if (accessKey.isPresent()) {
                User user = stillAllowed(app, held);
                AccessTokens.Minted again = tokens.mint(app, user, access.get().scopes(), GrantType.REFRESH_TOKEN.getValue(),
                        family.consentId(), family.id(), rt.rotatedAt(), accessKey.getAsLong(), codec.successorAccessSeed(value));
                if (again.record().tokenId().equals(access.get().tokenId())
                        && Objects.equals(again.record().verifierHash(), access.get().verifierHash())) {
                    log.info("refresh of app {} retried within {} ms: the same pair is answered again", app.clientId(), now - rt.rotatedAt());
                    // The same token, so the same expiry: only the seconds left of it.
                    AccessTokens.Issued same = new AccessTokens.Issued(again.issued().value(),
                            Math.max(0, (again.record().expiresAt() - now) / 1000), again.issued().scopes());
                    return new Granted(same, next.value(),
                            idToken(app, user, family, access.get().scopes(), again.issued().value(), now));
                }
            }
        }
        endForReuse(app, family);
        throw invalidGrant("the refresh token was used already; its whole family is revoked");
    }

    /**
     * A spent refresh token came back (RFC 9700 §4.14.2): its whole family ends, logged and audited under the
     * family's app, naming the client that presented it.
     */
    private void endForReuse(ExternalApp presentedBy, TokenFamily family) {
        if (families.revoke(family.id(), "refresh token reuse")) {
            String owner = family.appId() == presentedBy.id() ? presentedBy.clientId()
                    : apps.byId(family.appId()).map(ExternalApp::clientId).orElse(null);
            log.warn("refresh token reuse presented by app {}: token family {} of app {} revoked", presentedBy.clientId(),
                    family.id(), owner);
            audit.record(AuditEvent.of("family.revoked", presentedBy.clientId(), owner, null, null,
                    java.util.Map.of("reason", "refresh token reuse", "presentedBy", presentedBy.clientId())));
        }
    }

    /**
     * Every refresh asks again what the grant asked: app, person, rules, consent, offline access. The person
     * and the consent come as stored now, read with the token.
     */
    private User stillAllowed(ExternalApp app, TokenFamilies.Held held) {
        User user = stillAllowed(app, held.family(), held.user().filter(User::enabled));
        held.consented().filter(approved -> approved.containsAll(held.family().scopes()))
                .orElseThrow(() -> invalidGrant("the person's consent has been withdrawn"));
        return user;
    }

    /** The app's side of the checks, and the rules for {@code person} (empty: gone or disabled). */
    private User stillAllowed(ExternalApp app, TokenFamily family, Optional<User> person) {
        if (!app.offlineAccess()) throw invalidGrant("offline access is turned off for this app");
        if (family.appGeneration() < app.tokenGeneration()) throw invalidGrant("the refresh token has been revoked");
        User user = person.orElseThrow(() -> invalidGrant("the account is disabled"));
        rules.refusal(app, user).ifPresent(r -> {
            throw invalidGrant(r.reason());
        });
        return user;
    }

    private String idToken(ExternalApp app, User user, TokenFamily family, Set<String> scopes, String accessToken, long now) {
        // OpenID Connect Core §12.2: a refresh may return a new ID token, auth_time unchanged, without a nonce.
        return scopes.contains("openid") ? idTokens.issue(app, user, scopes, family.authTime(), null, accessToken, now) : null;
    }

    /** §6: the requested scope may narrow the original grant, never widen it. */
    private static Set<String> narrowed(Set<String> granted, String requested) {
        if (requested == null) return granted;
        Set<String> asked = new LinkedHashSet<>();
        for (String s : requested.split(" ", -1)) {
            if (s.isEmpty()) continue;
            if (!Scopes.wellFormed(s)) throw OAuthProblem.of(OAuth2Error.INVALID_SCOPE, "malformed scope");
            if (!granted.contains(s)) throw OAuthProblem.of(OAuth2Error.INVALID_SCOPE, "scope '" + s + "' was not granted to this refresh token");
            asked.add(s);
        }
        return asked.isEmpty() ? granted : asked;
    }

    private static OAuthProblem invalidGrant(String description) {
        return OAuthProblem.of(OAuth2Error.INVALID_GRANT, description);
    }
}
