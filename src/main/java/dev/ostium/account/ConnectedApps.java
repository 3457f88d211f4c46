package dev.ostium.account;

import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ClientType;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.apps.SecretType;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.db.Database;
import dev.ostium.directory.User;
import dev.ostium.oauth.Consents;
import dev.ostium.settings.Settings;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenKeys;
import dev.ostium.tokens.TokenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The apps tied to a person, as their "Connected applications" page shows them, and what the person may
 * do about them. An app is tied to a person when it is a service account bound to them (set by an
 * administrator), when they consented to it, or when it holds a live refresh-token family of theirs.
 * Every live access token of a person is one of those: a service account's tokens always act as its
 * bound user (changing the bound user ends them), and every token of an interactive app belongs to a
 * family.
 *
 * <p>Reads here are the page's own read model over the token and consent tables (indexed by user, or by
 * app and expiry); every change goes through the owning service and is recorded in the audit trail.
 */
public final class ConnectedApps {

    /** A refresh-token family: one device or installation of the app signed in as the person. */
    public record Device(Instant createdAt, Instant lastUsedAt, Instant expiresAt) {}

    /**
     * One tied app, as the person sees it.
     *
     * @param bound        a service account that acts as this person
     * @param consentScopes what the person approved; empty when there is no consent
     * @param grantedSince when the consent was first given (or the service account created, or the first device)
     * @param lastUsedAt   the last time a token was issued to the app for this person, or null
     * @param activeTokens live access tokens of the person for the app
     * @param expiredTokens access tokens of the person that ran out and are still on record
     * @param expired      the app's own expiry date has passed
     */
    public record Connected(ExternalApp app, boolean bound, Set<String> consentScopes, Set<String> scopes,
                            Instant grantedSince, Instant lastUsedAt, long activeTokens, long expiredTokens,
                            List<Device> devices, boolean expired) {}

    private final Database db;
    private final AppRegistry apps;
    private final Consents consents;
    private final TokenStore tokens;
    private final Settings settings;
    private final AuditTrail audit;
    private final Clock clock;

    public ConnectedApps(Database db, AppRegistry apps, Consents consents, TokenStore tokens, Settings settings,
                         AuditTrail audit, Clock clock) {
        this.db = db;
        this.apps = apps;
        this.consents = consents;
        this.tokens = tokens;
        this.settings = settings;
        this.audit = audit;
        this.clock = clock;
    }

    /** Every app tied to the person, by name. */
    public List<Connected> of(User user) {
        long now = clock.millis();
        List<Long> ids = db.jdbi().withHandle(h -> h.createQuery("""
                        select id from apps where bound_user_id = :u
                        union select app_id from consents where user_id = :u
                        union select f.app_id from token_families f join apps a on a.id = f.app_id
                          where f.user_id = :u and f.revoked_at is null and f.expires_at > :now
                            and f.app_generation >= a.token_generation""")
                .bind("u", user.id()).bind("now", now).mapTo(Long.class).list());
        List<Connected> out = new ArrayList<>();
        for (long id : ids) apps.byId(id).flatMap(app -> connected(user, app, now)).ifPresent(out::add);
        out.sort(Comparator.comparing((Connected c) -> c.app().displayName().toLowerCase(java.util.Locale.ROOT))
                .thenComparing(c -> c.app().clientId()));
        return out;
    }

    /** The app, if it is tied to the person; empty for an unknown app and for anybody else's alike. */
    public Optional<Connected> find(User user, String clientId) {
        return apps.byClientId(clientId).flatMap(app -> connected(user, app, clock.millis()));
    }

    private Optional<Connected> connected(User user, ExternalApp app, long now) {
        boolean bound = app.clientType() == ClientType.SERVICE && app.boundUserId() != null && app.boundUserId() == user.id();
        record ConsentRow(Set<String> scopes, long createdAt) {}
        Optional<ConsentRow> consent = db.jdbi().withHandle(h -> h.createQuery(
                        "select scope, created_at from consents where user_id = :u and app_id = :a")
                .bind("u", user.id()).bind("a", app.id())
                .map((rs, ctx) -> new ConsentRow(Scopes.parse(rs.getString("scope")), rs.getLong("created_at"))).findOne());
        record StoredFamily(long createdAt, long expiresAt, Set<String> scopes, String firstRefreshId) {}
        record FamilyRow(long createdAt, long expiresAt, Set<String> scopes, Long lastRefresh, boolean refreshable) {}
        List<FamilyRow> families = db.jdbi().withHandle(h -> h.createQuery("""
                        select f.created_at, f.expires_at, f.scope, f.first_refresh_id
                        from token_families f
                        where f.user_id = :u and f.app_id = :a and f.revoked_at is null and f.expires_at > :now
                          and f.app_generation >= :gen
                        order by f.created_at desc, f.id""")
                .bind("u", user.id()).bind("a", app.id()).bind("now", now).bind("gen", app.tokenGeneration())
                .map((rs, ctx) -> new StoredFamily(rs.getLong(1), rs.getLong(2), Scopes.parse(rs.getString(3)), rs.getString(4))).list()
                .stream().map(f -> {
                    // The family's refresh tokens, walked from its first: the last one was issued by the latest refresh.
                    List<TokenFamilies.Link> chain = TokenFamilies.chain(h, f.firstRefreshId());
                    Long lastRefresh = chain.isEmpty() ? null : chain.getLast().issuedAt();
                    return new FamilyRow(f.createdAt(), f.expiresAt(), f.scopes(), lastRefresh, !chain.isEmpty());
                }).toList());
        if (!bound && consent.isEmpty() && families.isEmpty()) return Optional.empty();

        TokenRow t = bound ? boundTokens(app, user) : familyTokens(app, user, now);

        List<Device> devices = new ArrayList<>();
        Long lastUsed = t.lastIssued();
        Long firstFamily = null;
        Set<String> familyScopes = new LinkedHashSet<>();
        for (FamilyRow f : families) {
            long used = f.lastRefresh() == null ? f.createdAt() : Math.max(f.createdAt(), f.lastRefresh());
            if (lastUsed == null || used > lastUsed) lastUsed = used;
            if (firstFamily == null || f.createdAt() < firstFamily) firstFamily = f.createdAt();
            familyScopes.addAll(f.scopes());
            // A family without refresh tokens is one code exchange, not a device that stays signed in.
            if (f.refreshable()) devices.add(new Device(Instant.ofEpochMilli(f.createdAt()), Instant.ofEpochMilli(used),
                    Instant.ofEpochMilli(f.expiresAt())));
        }
        Set<String> scopes = consent.map(ConsentRow::scopes).orElse(bound ? app.scopes() : familyScopes);
        Instant since = consent.isPresent() ? Instant.ofEpochMilli(consent.get().createdAt())
                : bound || firstFamily == null ? app.createdAt() : Instant.ofEpochMilli(firstFamily);
        return Optional.of(new Connected(app, bound, consent.map(ConsentRow::scopes).orElse(Set.of()), scopes, since,
                lastUsed == null ? null : Instant.ofEpochMilli(lastUsed), t.active(), t.expired(), List.copyOf(devices),
                app.expired(Instant.ofEpochMilli(now))));
    }

    private record TokenRow(long active, long expired, Long lastIssued) {}

    /**
     * A service account bound to the person: every token of its current generation is the person's, so the
     * app's counts come from the (app_id, expires_at, app_generation, revoked_at) index without reading rows.
     */
    private TokenRow boundTokens(ExternalApp app, User user) {
        TokenStore.Status s = tokens.status(app.id(), app.tokenGeneration());
        return new TokenRow(s.active(), s.expired(), tokens.lastIssued(app.id(), user.id()).map(Instant::toEpochMilli).orElse(null));
    }

    /**
     * An interactive app: the person's tokens are those of their refresh-token families (the code exchange's
     * and one per refresh, named along each family's chain of refresh tokens), found by key, so a popular app's
     * other users' records are never read.
     */
    private TokenRow familyTokens(ExternalApp app, User user, long now) {
        return db.jdbi().withHandle(h -> {
            List<String> ids = new ArrayList<>();
            List<String[]> families = h.createQuery("select access_token_id, first_refresh_id from token_families where user_id = :u and app_id = :a")
                    .bind("u", user.id()).bind("a", app.id()).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list();
            for (String[] family : families) ids.addAll(TokenFamilies.accessTokenIds(h, family[0], family[1]));
            List<Long> keys = TokenKeys.resolveAll(h, ids);
            long active = 0, expired = 0;
            Long lastIssued = null;
            for (int i = 0; i < keys.size(); i += TokenFamilies.IDS_PER_STATEMENT) {
                TokenRow part = h.createQuery("""
                                select
                                  sum(case when revoked_at is null and app_generation >= :gen and expires_at > :now then 1 else 0 end) as active,
                                  sum(case when revoked_at is null and app_generation >= :gen and expires_at <= :now then 1 else 0 end) as expired,
                                  max(issued_at) as last_issued
                                from access_tokens where k in (<keys>)""")
                        .bind("now", now).bind("gen", app.tokenGeneration())
                        .bindList("keys", keys.subList(i, Math.min(keys.size(), i + TokenFamilies.IDS_PER_STATEMENT)))
                        .map((rs, ctx) -> {
                            long last = rs.getLong("last_issued");
                            return new TokenRow(rs.getLong("active"), rs.getLong("expired"), rs.wasNull() ? null : last);
                        }).one();
                active += part.active();
                expired += part.expired();
                if (part.lastIssued() != null && (lastIssued == null || part.lastIssued() > lastIssued)) lastIssued = part.lastIssued();
            }
            return new TokenRow(active, expired, lastIssued);
        });
    }

    // ---- what the person may do -------------------------------------------------------------------

    /** Administrators may disable (and enable again) an app from their own page. */
    public static boolean mayDisable(User user) {
        return user.admin();
    }

    /** A secret-key service account bound to the person, while the global switch allows users to rotate. */
    public boolean mayRotate(User user, Connected c) {
        return c.bound() && c.app().secretType() == SecretType.SECRET_KEY && settings.get().usersRotateSecrets();
    }

    /**
     * Revoke access: forgets the consent and ends every refresh-token family and access token of the
     * person for the app. For a service account bound to the person, every token it holds acts as them,
     * so all of the app's tokens end (a new token generation, one write); the app keeps its registration
     * and its credentials, which only an administrator (or the person, by rotating the secret) changes.
     */
    public void revoke(User user, Connected c, String address) {
        ExternalApp app = c.app();
        boolean hadConsent = consents.revoke(user.id(), app.id());
        if (c.bound()) apps.revokeAllTokens(app.clientId());
        // Anything the family revocation did not reach: a live token of the person outside any family.
        List<String> left = db.jdbi().withHandle(h -> h.createQuery("""
                        select token_id from access_tokens
                        where app_id = :a and user_id = :u and revoked_at is null and expires_at > :now""")
                .bind("a", app.id()).bind("u", user.id()).bind("now", clock.millis()).mapTo(String.class).list());
        left.forEach(tokens::revoke);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("via", "connected applications");
        if (!c.consentScopes().isEmpty()) detail.put("scopes", Scopes.format(c.consentScopes()));
        detail.put("devices", c.devices().size());
        String kind = hadConsent || !c.bound() ? "consent.revoked" : "app.tokens_revoked";
        audit.record(AuditEvent.of(kind, user.username(), app.clientId(), user.username(), address, detail));
    }

    /** An administrator's switch: disabling ends every token of the app (for everyone). */
    public void setEnabled(User admin, Connected c, boolean enabled, String address) {
        if (!mayDisable(admin)) throw new IllegalStateException("only administrators switch apps on and off");
        apps.setEnabled(c.app().clientId(), enabled);
        audit.record(AuditEvent.of(enabled ? "app.enabled" : "app.disabled", admin.username(), c.app().clientId(), null,
                address, Map.of("via", "connected applications")));
    }

    /**
     * A new secret for a service account bound to the person; the old one stops working at once. Only when
     * the secret is still the one the confirmation page was shown for ({@link #secretVersion}), so a form
     * sent again (a reload) rotates nothing and shows nothing.
     */
    public Optional<String> rotateSecret(User user, Connected c, String version, String address) {
        if (!mayRotate(user, c)) throw new IllegalStateException("rotation is not allowed here");
        String current = c.app().secretHash();
        if (current == null || version == null || !ClientSecrets.sameDigest(secretVersion(c), version)) return Optional.empty();
        Optional<String> secret = apps.rotateSecretReplacing(c.app().clientId(), current);
        secret.ifPresent(s -> audit.record(AuditEvent.of("app.secret_rotated", user.username(), c.app().clientId(),
                user.username(), address, Map.of("via", "connected applications"))));
        return secret;
    }

    /** Names the app's current secret without revealing anything of it (a digest of its stored digest). */
    public static String secretVersion(Connected c) {
        return c.app().secretHash() == null ? "" : ClientSecrets.digest("rotation " + c.app().secretHash());
    }
}
