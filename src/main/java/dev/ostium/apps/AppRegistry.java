package dev.ostium.apps;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.nimbusds.jose.jwk.JWKSet;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Update;

/**
 * The registered apps: creation and every change an admin makes, and the lookups the protocol needs on
 * each request (cached per node, dropped through the change feed whenever any node changes an app).
 */
public final class AppRegistry {

    public static final String TOPIC = "app";
    private static final int MAX_NAME = 200;
    private static final int MAX_DESCRIPTION = 2000;
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final Database db;
    private final Directory directory;
    private final ChangeFeed changes;
    private final Clock clock;
    private final String clientIdPrefix;
    private final LoadingCache<String, Optional<ExternalApp>> byClientId;
    private final LoadingCache<Long, Optional<ExternalApp>> byId;

    /** The app as created, with what is shown only this once. */
    public record Created(ExternalApp app, String clientSecret, AppKeys.GeneratedKey generatedKey) {}

    public AppRegistry(Database db, Directory directory, ChangeFeed changes, Clock clock, String clientIdPrefix) {
        this.db = db;
        this.directory = directory;
        this.changes = changes;
        this.clock = clock;
        this.clientIdPrefix = clientIdPrefix;
        this.byClientId = Caffeine.newBuilder().maximumSize(50_000).build(id -> load("client_id", id));
        this.byId = Caffeine.newBuilder().maximumSize(50_000).build(id -> load("id", id));
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic)) {
                byClientId.invalidateAll();
                byId.invalidate(Long.parseLong(ref));
            } else if (ChangeFeed.EVERYTHING.equals(topic)) {
                byClientId.invalidateAll();
                byId.invalidateAll();
            }
        });
    }

    public Optional<ExternalApp> byClientId(String clientId) {
        if (clientId == null || clientId.length() > 100) return Optional.empty();
        return byClientId.get(clientId);
    }

    public Optional<ExternalApp> byId(long id) {
        return byId.get(id);
    }

    public ExternalApp require(String clientId) {
        return byClientId(clientId).orElseThrow(() -> AppException.notFound(clientId));
    }

    public List<ExternalApp> list() {
        return db.jdbi().withHandle(h -> h.createQuery("select * from apps order by created_at, id").map(MAPPER).list());
    }

    public Created create(AppSpec spec) {
        ClientType type = ClientType.parse(spec.type() == null ? "service" : spec.type())
                .orElseThrow(() -> AppException.invalid("type must be service, web or native"));
        if (type != ClientType.SERVICE) {
            // Interactive apps need the authorization endpoint, login and consent, which this server does not have yet.
            throw AppException.invalid("only service accounts can be created on this server version");
        }
        SecretType secretType = SecretType.parse(spec.secretType() == null ? "secret_key" : spec.secretType())
                .filter(t -> t != SecretType.NONE)
                .orElseThrow(() -> AppException.invalid("secretType must be secret_key or signed_jwt"));
        String name = requireName(spec.name());
        User user = boundUser(spec.user());
        Set<String> scopes = scopes(spec.scopes() == null ? List.of(Scopes.REST_ALL) : spec.scopes());
        TokenFormat format = tokenFormat(spec.tokenFormat(), TokenFormat.OPAQUE);
        Duration ttl = ttl(spec.accessTokenTtl());
        Instant expiresAt = expiry(spec.expiresAt(), null);

        String secret = null;
        AppKeys.GeneratedKey generated = null;
        JWKSet keys = null;
        if (secretType == SecretType.SECRET_KEY) {
            if (spec.publicKey() != null) throw AppException.invalid("publicKey only applies to signed_jwt apps");
            secret = ClientSecrets.newSecret();
        } else if (spec.publicKey() != null) {
            keys = AppKeys.parsePublic(spec.publicKey());
        } else {
            generated = AppKeys.generate(spec.keyAlgorithm());
            keys = new JWKSet(generated.publicJwk());
        }

        String clientId = ClientSecrets.newClientId(clientIdPrefix);
        long now = clock.millis();
        String secretHash = secret == null ? null : ClientSecrets.digest(secret);
        String jwks = keys == null ? null : keys.toString(true);
        long id = db.jdbi().inTransaction(h -> h.createUpdate("""
                        insert into apps (client_id, name, description, client_type, secret_type, secret_hash, public_jwks,
                          bound_user_id, scopes, token_format, access_token_ttl, can_introspect, enabled, expires_at,
                          created_at, updated_at)
                        values (:clientId, :name, :description, :type, :secretType, :secretHash, :jwks, :user, :scopes,
                          :format, :ttl, :introspect, :enabled, :expiresAt, :now, :now)""")
                .bind("clientId", clientId).bind("name", name).bind("description", description(spec.description()))
                .bind("type", type.name()).bind("secretType", secretType.name()).bind("secretHash", secretHash)
                .bind("jwks", jwks).bind("user", user.id()).bind("scopes", Scopes.format(scopes))
                .bind("format", format.name()).bind("ttl", ttl == null ? null : ttl.toSeconds())
                .bind("introspect", Boolean.TRUE.equals(spec.canIntrospect()))
                .bind("enabled", spec.enabled() == null || spec.enabled())
                .bind("expiresAt", expiresAt == null ? null : expiresAt.toEpochMilli()).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Created(byId(id).orElseThrow(), secret, generated);
    }

    /** The app after a change, and whether the change ended the tokens issued before it. */
    public record Updated(ExternalApp app, boolean tokensRevoked) {}

    public Updated update(String clientId, AppSpec spec) {
        ExternalApp app = require(clientId);
        if (spec.type() != null && ClientType.parse(spec.type()).orElse(null) != app.clientType()) {
            throw AppException.invalid("the client type of an app cannot change; create a new app");
        }
        if (spec.secretType() != null && SecretType.parse(spec.secretType()).orElse(null) != app.secretType()) {
            throw AppException.invalid("the secret type of an app cannot change; create a new app");
        }
        if (spec.publicKey() != null) throw AppException.invalid("upload keys with PUT .../public-key");
        String name = spec.name() == null ? app.name() : requireName(spec.name());
        String description = spec.description() == null ? app.description() : description(spec.description());
        long userId = spec.user() == null ? app.boundUserId() : boundUser(spec.user()).id();
        Set<String> scopes = spec.scopes() == null ? app.scopes() : scopes(spec.scopes());
        TokenFormat format = tokenFormat(spec.tokenFormat(), app.tokenFormat());
        Duration ttl = spec.accessTokenTtl() == null ? app.accessTokenTtl() : ttl(spec.accessTokenTtl());
        Instant expiresAt = expiry(spec.expiresAt(), app.expiresAt());
        boolean introspect = spec.canIntrospect() == null ? app.canIntrospect() : spec.canIntrospect();
        boolean enabled = spec.enabled() == null ? app.enabled() : spec.enabled();
        // A token never carries more than its app may have now: fewer scopes, another bound user or a
        // disabled app end every token issued before (re-enabling does not bring them back).
        boolean narrowed = !scopes.containsAll(app.scopes()) || !java.util.Objects.equals(app.boundUserId(), userId)
                || (app.enabled() && !enabled);
        change(app, """
                update apps set name = :name, description = :description, bound_user_id = :user, scopes = :scopes,
                  token_format = :format, access_token_ttl = :ttl, expires_at = :expiresAt, can_introspect = :introspect,
                  enabled = :enabled, token_generation = token_generation + :bump, updated_at = :now where id = :id""", u -> u
                .bind("name", name).bind("description", description).bind("user", userId)
                .bind("scopes", Scopes.format(scopes)).bind("format", format.name())
                .bind("ttl", ttl == null ? null : ttl.toSeconds())
                .bind("expiresAt", expiresAt == null ? null : expiresAt.toEpochMilli())
                .bind("introspect", introspect).bind("enabled", enabled).bind("bump", narrowed ? 1 : 0));
        return new Updated(require(clientId), narrowed);
    }

    /** Disabling ends every token issued so far: enabling the app again does not bring them back. */
    public ExternalApp setEnabled(String clientId, boolean enabled) {
        ExternalApp app = require(clientId);
        change(app, "update apps set enabled = :enabled, token_generation = token_generation + :bump, updated_at = :now where id = :id",
                u -> u.bind("enabled", enabled).bind("bump", enabled ? 0 : 1));
        return require(clientId);
    }

    /** A new secret, returned this once; the old one stops working at once. */
    public String rotateSecret(String clientId) {
        ExternalApp app = require(clientId);
        if (app.secretType() != SecretType.SECRET_KEY) throw AppException.invalid("this app has no secret key; it uses " + app.secretType().code);
        String secret = ClientSecrets.newSecret();
        change(app, "update apps set secret_hash = :hash, updated_at = :now where id = :id",
                u -> u.bind("hash", ClientSecrets.digest(secret)));
        return secret;
    }

    /** A new key pair whose private part is returned this once; only the public key is kept. */
    public AppKeys.GeneratedKey generateKeys(String clientId, String algorithm) {
        ExternalApp app = requireSignedJwt(clientId);
        AppKeys.GeneratedKey key = AppKeys.generate(algorithm);
        storeKeys(app, new JWKSet(key.publicJwk()));
        return key;
    }

    public ExternalApp uploadPublicKey(String clientId, String publicKey) {
        ExternalApp app = requireSignedJwt(clientId);
        storeKeys(app, AppKeys.parsePublic(publicKey));
        return require(clientId);
    }

    /** Revokes every token issued so far, in one write however many there are. */
    public ExternalApp revokeAllTokens(String clientId) {
        ExternalApp app = require(clientId);
        change(app, "update apps set token_generation = token_generation + 1, updated_at = :now where id = :id", u -> u);
        return require(clientId);
    }

    public void delete(String clientId) {
        ExternalApp app = require(clientId);
        db.jdbi().useTransaction(h -> {
            h.createUpdate("delete from apps where id = :id").bind("id", app.id()).execute();
            changes.record(h, TOPIC, Long.toString(app.id()));
        });
        changes.applyLocally(TOPIC, Long.toString(app.id()));
    }

    private ExternalApp requireSignedJwt(String clientId) {
        ExternalApp app = require(clientId);
        if (app.secretType() != SecretType.SIGNED_JWT) throw AppException.invalid("this app authenticates with a secret key, not a signed JWT");
        return app;
    }

    private void storeKeys(ExternalApp app, JWKSet keys) {
        change(app, "update apps set public_jwks = :jwks, updated_at = :now where id = :id",
                u -> u.bind("jwks", keys.toString(true)));
    }

    private void change(ExternalApp app, String sql, java.util.function.UnaryOperator<Update> binder) {
        db.jdbi().useTransaction(h -> {
            Update u = h.createUpdate(sql).bind("id", app.id()).bind("now", clock.millis());
            binder.apply(u).execute();
            changes.record(h, TOPIC, Long.toString(app.id()));
        });
        changes.applyLocally(TOPIC, Long.toString(app.id()));
    }

    private String requireName(String name) {
        if (name == null || name.isBlank()) throw AppException.invalid("name is required");
        if (name.length() > MAX_NAME) throw AppException.invalid("name is longer than " + MAX_NAME + " characters");
        if (name.chars().anyMatch(Character::isISOControl)) throw AppException.invalid("name holds control characters");
        return name.trim();
    }

    private static String description(String d) {
        if (d == null) return null;
        if (d.length() > MAX_DESCRIPTION) throw AppException.invalid("description is longer than " + MAX_DESCRIPTION + " characters");
        return d;
    }

    private User boundUser(String username) {
        if (username == null || username.isBlank()) throw AppException.invalid("user is required: the business user the service account acts as");
        return directory.byUsername(username).orElseThrow(() -> AppException.invalid("no user named '" + username + "'"));
    }

    private static Set<String> scopes(List<String> requested) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : requested) {
            if (s == null) throw AppException.invalid("scopes must be strings");
            out.addAll(Scopes.parse(s));
        }
        if (out.isEmpty()) throw AppException.invalid("at least one scope is required");
        for (String s : out) {
            if (!Scopes.KNOWN.contains(s)) throw AppException.invalid("unknown scope '" + s + "'; known: " + String.join(" ", Scopes.KNOWN.stream().sorted().toList()));
        }
        return out;
    }

    private static TokenFormat tokenFormat(String s, TokenFormat fallback) {
        if (s == null) return fallback;
        return TokenFormat.parse(s).orElseThrow(() -> AppException.invalid("tokenFormat must be opaque or jwt"));
    }

    private static Duration ttl(Long seconds) {
        if (seconds == null || seconds == 0) return null;
        if (seconds < 10 || seconds > 86_400) throw AppException.invalid("accessTokenTtl must be from 10 to 86400 seconds (0: server default)");
        return Duration.ofSeconds(seconds);
    }

    private Instant expiry(String s, Instant fallback) {
        if (s == null) return fallback;
        if (s.isBlank() || "never".equals(s)) return null;
        try {
            Instant at = Instant.parse(s);
            // Stored as epoch milliseconds: keep to dates a person could mean.
            if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST_EXPIRY)) {
                throw AppException.invalid("expiresAt must be between 1970 and 9999");
            }
            return at;
        } catch (DateTimeParseException e) {
            throw AppException.invalid("expiresAt must be an ISO-8601 instant such as 2027-01-31T23:59:59Z, or \"never\"");
        }
    }

    private Optional<ExternalApp> load(String column, Object value) {
        return db.jdbi().withHandle(h -> h.createQuery("select * from apps where " + column + " = :v")
                .bind("v", value).map(MAPPER).findOne());
    }

    private static final RowMapper<ExternalApp> MAPPER = (rs, ctx) -> {
        String jwks = rs.getString("public_jwks");
        String uris = rs.getString("redirect_uris");
        long ttl = rs.getLong("access_token_ttl");
        long expiresAt = rs.getLong("expires_at");
        boolean noExpiry = rs.wasNull();
        try {
            return new ExternalApp(rs.getLong("id"), rs.getString("client_id"), rs.getString("name"),
                    rs.getString("description"), ClientType.valueOf(rs.getString("client_type")),
                    SecretType.valueOf(rs.getString("secret_type")), rs.getString("secret_hash"),
                    jwks == null ? null : JWKSet.parse(jwks),
                    rs.getObject("bound_user_id") == null ? null : rs.getLong("bound_user_id"),
                    java.util.Collections.unmodifiableSet(Scopes.parse(rs.getString("scopes"))),
                    uris == null ? List.of() : List.of(uris.split("\n")),
                    TokenFormat.valueOf(rs.getString("token_format")),
                    ttl == 0 ? null : Duration.ofSeconds(ttl),
                    rs.getBoolean("can_introspect"), rs.getBoolean("enabled"),
                    noExpiry ? null : Instant.ofEpochMilli(expiresAt),
                    rs.getLong("token_generation"),
                    Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
        } catch (ParseException e) {
            throw new IllegalStateException("stored public keys of app " + rs.getString("client_id") + " are unreadable", e);
        }
    };
}
