package dev.ostium.tokens;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.TokenFormat;
import dev.ostium.db.ChangeFeed;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.keys.SigningKeys;
import dev.ostium.settings.Settings;
import dev.ostium.settings.GlobalSettings;
import dev.ostium.web.TryLater;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Issues access tokens (opaque or RFC 9068 JWT), records each one before it is handed out, and decides
 * whether a presented token is active — the single answer used by introspection and our resource server.
 */
public final class AccessTokens {

    public static final String JWT_TYPE = "at+jwt";

    private final TokenRecorder recorder;
    private final TokenKeys keysForTokens;
    private final TokenStore store;
    private final AppRegistry apps;
    private final Directory directory;
    private final Settings settings;
    private final SigningKeys keys;
    private final ChangeFeed changes;
    private final Clock clock;
    private final URI issuer;
    private final String audience;
    private final Duration defaultTtl;
    /** Records this node knows; a miss reads the database, so a token from any node is valid everywhere. */
    private final Cache<String, TokenRecord> cache;

    /** A token as the client receives it. */
    public record Issued(String value, long expiresInSeconds, Set<String> scopes) {}

    /** A token found active, with who it belongs to. */
    public record Active(TokenRecord record, ExternalApp app, User user, String jti) {}

    public AccessTokens(TokenRecorder recorder, TokenKeys keysForTokens, TokenStore store, AppRegistry apps, Directory directory,
                        Settings settings, SigningKeys keys, ChangeFeed changes, Clock clock, URI issuer,
                        Duration defaultTtl) {
        this.recorder = recorder;
        this.keysForTokens = keysForTokens;
        this.store = store;
        this.apps = apps;
        this.directory = directory;
        this.settings = settings;
        this.keys = keys;
        this.changes = changes;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = resourceAudience(issuer);
        this.defaultTtl = defaultTtl;
        this.cache = Caffeine.newBuilder().executor(Runnable::run).maximumSize(50_000).expireAfter(new Expiry<String, TokenRecord>() {
            public long expireAfterCreate(String key, TokenRecord r, long now) {
                return Math.max(0, r.expiresAt() - clock.millis()) * 1_000_000L;
            }

            public long expireAfterUpdate(String key, TokenRecord r, long now, long current) {
                return current;
            }

            public long expireAfterRead(String key, TokenRecord r, long now, long current) {
                return current;
            }
        }).build();
        changes.onChange((topic, ref) -> {
            if (TokenStore.TOPIC.equals(topic)) cache.invalidate(ref);
            else if (ChangeFeed.EVERYTHING.equals(topic)) cache.invalidateAll();
            else if (TokenStore.FAMILY_TOPIC.equals(topic)) cache.asMap().values().removeIf(r -> ref.equals(r.familyId()));
        });
    }

    /** The audience of our access tokens: the business REST API. */
    public static String resourceAudience(URI issuer) {
        return issuer + "/restapi";
    }

    /** The app's own lifetime, else its template's, else the server default. */
    public Duration ttlFor(ExternalApp app) {
        if (app.accessTokenTtl() != null) return app.accessTokenTtl();
        return app.lifetimes().accessToken() == null ? defaultTtl : app.lifetimes().accessToken();
    }

    /** Issues a token and returns once its record is durable. */
    public Issued issue(ExternalApp app, User user, Set<String> scopes, String grantType) {
        Minted minted = mint(app, user, scopes, grantType, null, null, clock.millis(), null);
        try {
            recorder.record(minted.record()).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the token could not be stored", e.getCause());
        }
        return minted.issued();
    }

    /** A token and its record, not yet stored: for grants that store it with more in one transaction. */
    public record Minted(Issued issued, TokenRecord record) {}

    /**
     * Makes a token under a new key without storing it.
     *
     * @param seed null: random; else an opaque token's secret part comes from it (see {@link TokenIds#mintOpaque(long, byte[])})
     */
    public Minted mint(ExternalApp app, User user, Set<String> scopes, String grantType, Long consentId, String familyId,
                       long now, byte[] seed) {
        return mint(app, user, scopes, grantType, consentId, familyId, now, keysForTokens.next(), seed);
    }

    /** Makes the token stored under {@code key} (the same key, time and seed give the same token), without storing it. */
    public Minted mint(ExternalApp app, User user, Set<String> scopes, String grantType, Long consentId, String familyId,
                       long now, long key, byte[] seed) {
        Duration ttl = ttlFor(app);
        long expiresAt = now + ttl.toMillis();
        String value;
        String id;
        String verifierHash = null;
        if (app.tokenFormat() == TokenFormat.JWT) {
            id = TokenIds.id(key);
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(issuer.toString())
                    .subject(user.subject())
                    .audience(audience)
                    .claim("client_id", app.clientId())
                    .claim("scope", String.join(" ", scopes))
                    .claim("username", user.username())
                    .issueTime(new Date(now))
                    .expirationTime(new Date(expiresAt))
                    .jwtID(id)
                    .build();
            value = keys.sign(JWSAlgorithm.ES256, JWT_TYPE, claims);
        } else {
            TokenIds.Minted minted = seed == null ? TokenIds.mintOpaque(key) : TokenIds.mintOpaque(key, seed);
            value = minted.value();
            id = minted.id();
            verifierHash = minted.verifierHash();
        }
        TokenRecord record = new TokenRecord(id, verifierHash, app.id(), user.id(), scopes, app.tokenFormat().code, grantType,
                now, expiresAt, null, consentId, familyId, app.tokenGeneration(), null);
        return new Minted(new Issued(value, ttl.toSeconds(), scopes), record);
    }

    /**
     * The token when it is active right now, by every rule: record, expiry, revocation, app, user, switches.
     * A node that has lost touch with the change log refuses to answer (503) rather than trust its caches.
     */
    public Optional<Active> validate(String token) {
        if (token == null || token.isEmpty() || token.length() > 4096) return Optional.empty();
        try {
            changes.ensureCurrent();
        } catch (ChangeFeed.Behind e) {
            throw TryLater.busy("token validation (this node cannot reach its database)");
        }
        Optional<TokenRecord> found = record(token);
        if (found.isEmpty()) return Optional.empty();
        TokenRecord record = found.get();
        long now = clock.millis();
        if (record.revokedAt() != null || record.expiresAt() <= now) return Optional.empty();
        GlobalSettings switches = settings.get();
        if (!switches.oauthEnabled()) return Optional.empty();
        ExternalApp app = apps.byId(record.appId()).orElse(null);
        if (app == null || !app.enabled() || app.expired(clock.instant())) return Optional.empty();
        if (record.appGeneration() < app.tokenGeneration()) return Optional.empty();
        User user = record.userId() == null ? null : directory.byId(record.userId()).orElse(null);
        if (user == null || !user.enabled() || (user.admin() && !switches.adminConnections())) return Optional.empty();
        if (record.familyId() != null && record.usedAt() == null && record.grantType().equals("refresh_token")
                && now < record.issuedAt() + app.lifetimes().refreshRetry().toMillis()) {
            // Inside the refresh retry window a used pair may no longer be handed out again: note the first use.
            store.markUsed(record.tokenId());
            TokenRecord used = new TokenRecord(record.tokenId(), record.verifierHash(), record.appId(), record.userId(),
                    record.scopes(), record.format(), record.grantType(), record.issuedAt(), record.expiresAt(), null,
                    record.consentId(), record.familyId(), record.appGeneration(), now);
            cache.asMap().replace(record.tokenId(), record, used);
            record = used;
        }
        String jti = record.verifierHash() == null ? record.tokenId() : null;
        return Optional.of(new Active(record, app, user, jti));
    }

    /** Revokes a token if it belongs to the given app; true when the token was known and is now revoked. */
    public boolean revoke(String token, ExternalApp caller) {
        if (token == null || token.length() > 4096) return false;
        Optional<TokenRecord> record = record(token);
        if (record.isEmpty() || record.get().appId() != caller.id()) return false;
        return store.revoke(record.get().tokenId());
    }

    /**
     * The unrevoked record of a presented token: an opaque token is found by its id and must carry the
     * secret whose digest is stored; a JWT must be one we signed (signature, type, issuer), found by jti.
     */
    private Optional<TokenRecord> record(String token) {
        if (token.indexOf('.') < 0) {
            Optional<TokenIds.Presented> presented = TokenIds.parseOpaque(token);
            if (presented.isEmpty()) return Optional.empty();
            return load(presented.get().id())
                    .filter(r -> ClientSecrets.sameDigest(r.verifierHash(), presented.get().verifierHash()));
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (jwt.getHeader().getType() == null || !JWT_TYPE.equals(jwt.getHeader().getType().getType())) {
                return Optional.empty();
            }
            if (!keys.verify(jwt)) return Optional.empty();
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!issuer.toString().equals(claims.getIssuer()) || claims.getJWTID() == null) return Optional.empty();
            return load(claims.getJWTID()).filter(r -> r.verifierHash() == null);
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<TokenRecord> load(String id) {
        if (id.length() > 32) return Optional.empty();
        // Loading through the cache is atomic with the change feed's invalidation, so a revocation that
        // lands while the record is being read cannot leave a stale "active" copy behind.
        return Optional.ofNullable(cache.get(id, k -> store.find(k).filter(r -> r.revokedAt() == null).orElse(null)));
    }

    public String audience() {
        return audience;
    }
}
