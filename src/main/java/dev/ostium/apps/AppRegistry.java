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
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/**
 * The registered apps: creation and every change an admin makes, and the lookups the protocol needs on
 * each request (cached per node, dropped through the change feed whenever any node changes an app).
 */
public final class AppRegistry {

    public static final String TOPIC = "app";
    private static final int MAX_NAME = 200;
    private static final int MAX_DESCRIPTION = 2000;
    /** The first instant after the years an expiry may fall in (1970 to 9999, to the last millisecond). */
    private static final Instant AFTER_9999 = Instant.parse("+10000-01-01T00:00:00Z");

    private final Database db;
    private final List<LongConsumer> whenAccessChanged = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<Handle, Long>> whenDeleting = new CopyOnWriteArrayList<>();
    private final Directory directory;
    private final ClientTemplates templates;
    private final ChangeFeed changes;
    private final Clock clock;
    private final String clientIdPrefix;
    private final LoadingCache<String, Optional<ExternalApp>> byClientId;
    private final LoadingCache<Long, Optional<ExternalApp>> byId;

    /** The app as created, with what is shown only this once. */
    public record Created(ExternalApp app, String clientSecret, AppKeys.GeneratedKey generatedKey) {}

    public AppRegistry(Database db, Directory directory, ClientTemplates templates, ChangeFeed changes, Clock clock,
                       String clientIdPrefix) {
        this.db = db;
        this.templates = templates;
        this.directory = directory;
        this.changes = changes;
        this.clock = clock;
        this.clientIdPrefix = clientIdPrefix;
        this.byClientId = Caffeine.newBuilder().executor(Runnable::run).maximumSize(50_000).build(id -> load("client_id", id));
        this.byId = Caffeine.newBuilder().executor(Runnable::run).maximumSize(50_000).build(id -> load("id", id));
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic)) {
                byClientId.invalidateAll();
                byId.invalidate(Long.parseLong(ref));
            } else if (ChangeFeed.EVERYTHING.equals(topic) || ClientTemplates.TOPIC.equals(topic)) {
                // A template change reaches all its apps.
                byClientId.invalidateAll();
                byId.invalidateAll();
            }
        });
    }

    public Optional<ExternalApp> byClientId(String clientId) {
        // No client id holds a NUL, and PostgreSQL refuses to compare one.
        if (clientId == null || clientId.length() > 100 || clientId.indexOf('\0') >= 0) return Optional.empty();
        return byClientId.get(clientId);
    }

    public Optional<ExternalApp> byId(long id) {
        return byId.get(id);
    }

    public ExternalApp require(String clientId) {
        return byClientId(clientId).orElseThrow(() -> AppException.notFound(clientId));
    }

    public List<ExternalApp> list() {
        return db.jdbi().withHandle(h -> h.createQuery(SELECT + " order by a.created_at, a.id").map(MAPPER).list());
    }

    /** What the console's app table asks for: a search text, a client type, a state; null for any. */
    public record Search(String text, ClientType type, String state) {}

    /** One page of the app table, newest first, and how many apps match in all. */
    public record Page(List<ExternalApp> apps, long total) {}

    /** @param state "enabled", "disabled" or "expired" */
    public Page search(Search s, int offset, int limit) {
        StringBuilder where = new StringBuilder(" where 1 = 1");
        java.util.Map<String, Object> binds = new java.util.HashMap<>();
        if (s.text() != null && !s.text().isBlank()) {
            String t = s.text().trim().toLowerCase(java.util.Locale.ROOT);
            String pattern = "%" + t.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
            // '!' as the escape character: a backslash inside a literal confuses the named-parameter parser.
            where.append(" and (lower(a.name) like :text escape '!' or lower(a.client_id) like :text escape '!')");
            binds.put("text", pattern);
        }
        if (s.type() != null) {
            where.append(" and a.client_type = :type");
            binds.put("type", s.type().name());
        }
        long now = clock.millis();
        if ("enabled".equals(s.state())) {
            where.append(" and a.enabled = true and (a.expires_at is null or a.expires_at > :now)");
            binds.put("now", now);
        } else if ("disabled".equals(s.state())) {
            where.append(" and a.enabled = false");
        } else if ("expired".equals(s.state())) {
            where.append(" and a.expires_at <= :now");
            binds.put("now", now);
        }
        return db.jdbi().withHandle(h -> {
            var count = h.createQuery("select count(*) from apps a" + where);
            binds.forEach(count::bind);
            var page = h.createQuery(SELECT + where + " order by a.created_at desc, a.id desc limit :limit offset :offset")
                    .bind("limit", Math.max(1, Math.min(200, limit))).bind("offset", Math.max(0, offset));
            binds.forEach(page::bind);
            return new Page(page.map(MAPPER).list(), count.mapTo(Long.class).one());
        });
    }

    public Created create(AppSpec spec) {
        ClientType type = ClientType.parse(spec.type() == null ? "service" : spec.type())
                .orElseThrow(() -> AppException.invalid("type must be service, web, native or spa"));
        String name = requireName(spec.name());
        ClientTemplate template = template(spec.template(), type);
        SecretType secretType;
        User user = null;
        if (type.publicClient()) {
            if (spec.secretType() != null && SecretType.parse(spec.secretType()).orElse(null) != SecretType.NONE) {
                throw AppException.invalid("native and single-page apps are public clients: they hold no secret and use PKCE");
            }
            if (spec.publicKey() != null) throw AppException.invalid("publicKey only applies to signed_jwt apps");
            secretType = SecretType.NONE;
        } else {
            secretType = SecretType.parse(spec.secretType() == null ? "secret_key" : spec.secretType())
                    .filter(t -> t != SecretType.NONE)
                    .orElseThrow(() -> AppException.invalid("secretType must be secret_key or signed_jwt"));
        }
        if (type == ClientType.SERVICE) {
            user = boundUser(spec.user());
        } else if (spec.user() != null) {
            throw AppException.invalid("user applies to service accounts only: people sign in to interactive apps themselves");
        }
        Interactive inter = interactive(type, spec, null);
        Set<String> scopes = scopes(spec.scopes() == null
                ? (type == ClientType.SERVICE ? List.of(Scopes.REST_ALL) : List.of("openid", "profile", "email", Scopes.REST_ALL))
                : spec.scopes());
        withinTemplate(scopes, template);
        TokenFormat format = template != null ? null : tokenFormat(spec.tokenFormat(), TokenFormat.OPAQUE);
        if (template != null && spec.tokenFormat() != null) throw AppException.invalid("the token format comes from the template '" + template.name() + "'");
        Duration ttl = ttl(spec.accessTokenTtl());
        Instant expiresAt = expiry(spec.expiresAt(), null);

        String secret = null;
        AppKeys.GeneratedKey generated = null;
        JWKSet keys = null;
        if (secretType == SecretType.SECRET_KEY) {
            if (spec.publicKey() != null) throw AppException.invalid("publicKey only applies to signed_jwt apps");
            secret = ClientSecrets.newSecret();
        } else if (secretType == SecretType.SIGNED_JWT) {
            if (spec.publicKey() != null) {
                keys = AppKeys.parsePublic(spec.publicKey());
            } else {
                generated = AppKeys.generate(spec.keyAlgorithm());
                keys = new JWKSet(generated.publicJwk());
            }
        }
        Access access = access(spec, null);

        String clientId = ClientSecrets.newClientId(clientIdPrefix);
        long now = clock.millis();
        String secretHash = secret == null ? null : ClientSecrets.digest(secret);
        String jwks = keys == null ? null : keys.toString(true);
        Long userId = user == null ? null : user.id();
        long id = db.jdbi().inTransaction(h -> {
            long newId = h.createUpdate("""
                        insert into apps (client_id, name, description, client_type, secret_type, secret_hash, public_jwks,
                          bound_user_id, scopes, token_format, access_token_ttl, can_introspect, enabled, expires_at,
                          created_at, updated_at, template_id, redirect_uris, post_logout_redirect_uris, offline_access,
                          open_to_all, consent_name, id_token_alg)
                        values (:clientId, :name, :description, :type, :secretType, :secretHash, :jwks, :user, :scopes,
                          :format, :ttl, :introspect, :enabled, :expiresAt, :now, :now, :template, :redirects, :postLogout,
                          :offline, :openToAll, :consentName, :idTokenAlg)""")
                .bind("clientId", clientId).bind("name", name).bind("description", description(spec.description()))
                .bind("type", type.name()).bind("secretType", secretType.name()).bind("secretHash", secretHash)
                .bind("jwks", jwks).bind("user", userId).bind("scopes", Scopes.format(scopes))
                .bind("format", format == null ? null : format.name()).bind("ttl", ttl == null ? null : ttl.toSeconds())
                .bind("introspect", Boolean.TRUE.equals(spec.canIntrospect()))
                .bind("enabled", spec.enabled() == null || spec.enabled())
                .bind("expiresAt", expiresAt == null ? null : expiresAt.toEpochMilli()).bind("now", now)
                .bind("template", template == null ? null : template.id())
                .bind("redirects", lines(inter.redirectUris())).bind("postLogout", lines(inter.postLogoutRedirectUris()))
                .bind("offline", inter.offlineAccess()).bind("openToAll", access.openToAll())
                .bind("consentName", inter.consentName()).bind("idTokenAlg", inter.idTokenAlg())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            storeAccess(h, newId, access);
            return newId;
        });
        return new Created(byId(id).orElseThrow(), secret, generated);
    }

    /** Runs {@code action} with the app's id each time who may connect to it was changed, after the change is stored. */
    public void whenAccessChanged(LongConsumer action) {
        whenAccessChanged.add(action);
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
        Long userId = app.boundUserId();
        if (spec.user() != null) {
            if (app.clientType() != ClientType.SERVICE) throw AppException.invalid("user applies to service accounts only");
            userId = boundUser(spec.user()).id();
        }
        ClientTemplate template = spec.template() == null
                ? (app.template() == null ? null : templates.require(app.template().name()))
                : template(spec.template(), app.clientType());
        Set<String> scopes = spec.scopes() == null ? app.registeredScopes() : scopes(spec.scopes());
        // A template narrowed after the app registered leaves the app's other scopes registered but out of its
        // tokens: they stay, so a change that adds no scope and keeps the template is stored like any other.
        // A scope added, or a move to another template, must fit the template.
        boolean sameTemplate = template == null ? app.template() == null
                : app.template() != null && app.template().id() == template.id();
        Set<String> added = new LinkedHashSet<>(scopes);
        if (sameTemplate) added.removeAll(app.registeredScopes());
        withinTemplate(added, template);
        TokenFormat current = app.template() == null ? app.tokenFormat() : TokenFormat.OPAQUE;
        if (template != null && spec.tokenFormat() != null) throw AppException.invalid("the token format comes from the template '" + template.name() + "'");
        TokenFormat format = template != null ? null : tokenFormat(spec.tokenFormat(), current);
        Duration ttl = spec.accessTokenTtl() == null ? app.accessTokenTtl() : ttl(spec.accessTokenTtl());
        Instant expiresAt = expiry(spec.expiresAt(), app.expiresAt());
        boolean introspect = spec.canIntrospect() == null ? app.canIntrospect() : spec.canIntrospect();
        boolean enabled = spec.enabled() == null ? app.enabled() : spec.enabled();
        Interactive inter = interactive(app.clientType(), spec, app);
        Access access = access(spec, app);
        Long finalUserId = userId;
        Set<String> effective = new LinkedHashSet<>(scopes);
        if (template != null) effective.retainAll(template.scopes());
        // A token never carries more than its app may have now: fewer scopes, another bound user or a
        // disabled app end every token issued before (re-enabling does not bring them back). So does an
        // expiry that has come: setting a date already passed, or moving the date of an app that has expired
        // (a later date does not bring its tokens back).
        Instant now = clock.instant();
        boolean expiryEnds = !java.util.Objects.equals(app.expiresAt(), expiresAt)
                && (app.expired(now) || (expiresAt != null && !expiresAt.isAfter(now)));
        boolean narrowed = !effective.containsAll(app.scopes()) || !java.util.Objects.equals(app.boundUserId(), userId)
                || app.enabled() != enabled || expiryEnds;
        change(app, """
                update apps set name = :name, description = :description, bound_user_id = :user, scopes = :scopes,
                  token_format = :format, access_token_ttl = :ttl, expires_at = :expiresAt, can_introspect = :introspect,
                  enabled = :enabled, template_id = :template, redirect_uris = :redirects,
                  post_logout_redirect_uris = :postLogout, offline_access = :offline, open_to_all = :openToAll,
                  consent_name = :consentName, id_token_alg = :idTokenAlg, token_generation = token_generation + :bump,
                  updated_at = :now where id = :id""", u -> u
                .bind("name", name).bind("description", description).bind("user", finalUserId)
                .bind("scopes", Scopes.format(scopes)).bind("format", format == null ? null : format.name())
                .bind("ttl", ttl == null ? null : ttl.toSeconds())
                .bind("expiresAt", expiresAt == null ? null : expiresAt.toEpochMilli())
                .bind("introspect", introspect).bind("enabled", enabled)
                .bind("template", template == null ? null : template.id())
                .bind("redirects", lines(inter.redirectUris())).bind("postLogout", lines(inter.postLogoutRedirectUris()))
                .bind("offline", inter.offlineAccess()).bind("openToAll", access.openToAll())
                .bind("consentName", inter.consentName()).bind("idTokenAlg", inter.idTokenAlg()).bind("bump", narrowed ? 1 : 0),
                h -> storeAccess(h, app.id(), access));
        if (access.users() != null || access.groups() != null || access.openToAll() != app.openToAll()) {
            whenAccessChanged.forEach(action -> action.accept(app.id()));
        }
        return new Updated(require(clientId), narrowed);
    }

    /** Who may connect to an app: everybody, or the listed users and groups (null lists: unchanged). */
    private record Access(boolean openToAll, List<Long> users, List<Long> groups) {}

    private Access access(AppSpec spec, ExternalApp app) {
        boolean lists = spec.authorizedUsers() != null || spec.authorizedGroups() != null;
        boolean openToAll = spec.openToAll() != null ? spec.openToAll() : app != null && !lists ? app.openToAll() : !lists;
        if ((lists || spec.openToAll() != null) && (app == null ? ClientType.parse(spec.type()).orElse(ClientType.SERVICE) == ClientType.SERVICE
                : app.clientType() == ClientType.SERVICE)) {
            throw AppException.invalid("authorized users apply to interactive apps; a service account acts as its bound user");
        }
        List<Long> users = spec.authorizedUsers() == null ? null : spec.authorizedUsers().stream().map(u -> {
            if (u == null) throw AppException.invalid("authorizedUsers must be usernames");
            return directory.byUsername(u).orElseThrow(() -> AppException.invalid("no user named '" + u + "'")).id();
        }).distinct().toList();
        List<Long> groups = spec.authorizedGroups() == null ? null : spec.authorizedGroups().stream().map(g -> {
            if (g == null) throw AppException.invalid("authorizedGroups must be group names");
            return directory.groupId(g).orElseThrow(() -> AppException.invalid("no group named '" + g + "'"));
        }).distinct().toList();
        return new Access(openToAll, users, groups);
    }

    private static void storeAccess(Handle h, long appId, Access access) {
        if (access.users() != null) {
            h.createUpdate("delete from app_authorized_users where app_id = :a").bind("a", appId).execute();
            for (long u : access.users()) {
                h.createUpdate("insert into app_authorized_users (app_id, user_id) values (:a, :u)").bind("a", appId).bind("u", u).execute();
            }
        }
        if (access.groups() != null) {
            h.createUpdate("delete from app_authorized_groups where app_id = :a").bind("a", appId).execute();
            for (long g : access.groups()) {
                h.createUpdate("insert into app_authorized_groups (app_id, group_id) values (:a, :g)").bind("a", appId).bind("g", g).execute();
            }
        }
    }

    /** The usernames and group names an app is restricted to (empty lists when it is open to all). */
    public record AuthorizedUsers(List<String> users, List<String> groups) {}

    public AuthorizedUsers authorizedUsers(ExternalApp app) {
        return db.jdbi().withHandle(h -> new AuthorizedUsers(
                h.createQuery("select u.username from app_authorized_users a join users u on u.id = a.user_id where a.app_id = :a order by u.username")
                        .bind("a", app.id()).mapTo(String.class).list(),
                h.createQuery("select g.name from app_authorized_groups a join user_groups g on g.id = a.group_id where a.app_id = :a order by g.name")
                        .bind("a", app.id()).mapTo(String.class).list()));
    }

    /** vtenext's authorized users: open to all, or the user is listed, or is in a listed group. Read fresh. */
    public boolean authorizes(ExternalApp app, long userId) {
        if (app.openToAll()) return true;
        return db.jdbi().withHandle(h -> h.createQuery("""
                        select count(*) from app_authorized_users where app_id = :a and user_id = :u""")
                .bind("a", app.id()).bind("u", userId).mapTo(Long.class).one() > 0
                || h.createQuery("""
                        select count(*) from app_authorized_groups ag join group_members m on m.group_id = ag.group_id
                        where ag.app_id = :a and m.user_id = :u""")
                .bind("a", app.id()).bind("u", userId).mapTo(Long.class).one() > 0);
    }

    /** The interactive-app fields of a create or update, checked. */
    private record Interactive(List<String> redirectUris, List<String> postLogoutRedirectUris, boolean offlineAccess,
                               String consentName, String idTokenAlg) {}

    private Interactive interactive(ClientType type, AppSpec spec, ExternalApp app) {
        if (type == ClientType.SERVICE) {
            if (spec.redirectUris() != null || spec.postLogoutRedirectUris() != null || spec.offlineAccess() != null
                    || spec.consentName() != null || spec.idTokenAlg() != null) {
                throw AppException.invalid("redirectUris, postLogoutRedirectUris, offlineAccess, consentName and idTokenAlg "
                        + "apply to web, native and single-page apps");
            }
            return new Interactive(List.of(), List.of(), false, null, null);
        }
        List<String> redirects = spec.redirectUris() == null ? (app == null ? null : app.redirectUris())
                : RedirectUris.validate(spec.redirectUris(), type, "redirectUris", RedirectUris.ANSWER_PARAMETERS);
        if (redirects == null || redirects.isEmpty()) throw AppException.invalid("redirectUris: at least one redirect URI is required");
        List<String> postLogout = spec.postLogoutRedirectUris() == null ? (app == null ? List.of() : app.postLogoutRedirectUris())
                : RedirectUris.validate(spec.postLogoutRedirectUris(), type, "postLogoutRedirectUris", RedirectUris.LOGOUT_PARAMETERS);
        boolean offline = spec.offlineAccess() == null ? app != null && app.offlineAccess() : spec.offlineAccess();
        String consentName = spec.consentName() == null ? (app == null ? null : app.consentName())
                : spec.consentName().isBlank() ? null : requireName("consentName", spec.consentName());
        String alg = spec.idTokenAlg() == null ? (app == null ? null : app.idTokenAlg()) : switch (spec.idTokenAlg()) {
            case "ES256", "RS256" -> spec.idTokenAlg();
            default -> throw AppException.invalid("idTokenAlg must be ES256 or RS256");
        };
        return new Interactive(redirects, postLogout, offline, consentName, alg);
    }

    private ClientTemplate template(String name, ClientType type) {
        if (name == null) return type == ClientType.SERVICE ? null : templates.require(ClientTemplates.DEFAULT);
        if (name.isEmpty()) return null;
        return templates.byName(name).orElseThrow(() -> AppException.invalid("no template named '" + name + "'"));
    }

    private static void withinTemplate(Set<String> scopes, ClientTemplate template) {
        if (template == null) return;
        for (String s : scopes) {
            if (!template.scopes().contains(s)) {
                throw AppException.invalid("scope '" + s + "' is not allowed by the template '" + template.name() + "'");
            }
        }
    }

    private static String lines(List<String> uris) {
        return uris == null || uris.isEmpty() ? null : String.join("\n", uris);
    }

    // ---- consent-screen icon --------------------------------------------------------------------

    /** Stores the consent-screen icon: PNG or JPEG in, at most 64x64 PNG kept. */
    public ExternalApp setIcon(String clientId, byte[] image) {
        ExternalApp app = require(clientId);
        if (!app.interactive()) throw AppException.invalid("icons are shown on the consent screen of interactive apps only");
        String png = java.util.Base64.getEncoder().encodeToString(AppIcons.toPng64(image));
        db.jdbi().useTransaction(h -> {
            h.createUpdate("delete from app_icons where app_id = :a").bind("a", app.id()).execute();
            h.createUpdate("insert into app_icons (app_id, png) values (:a, :p)").bind("a", app.id()).bind("p", png).execute();
            h.createUpdate("update apps set updated_at = :now where id = :a").bind("now", clock.millis()).bind("a", app.id()).execute();
            changes.record(h, TOPIC, Long.toString(app.id()));
        });
        changes.applyLocally(TOPIC, Long.toString(app.id()));
        return require(clientId);
    }

    public ExternalApp removeIcon(String clientId) {
        ExternalApp app = require(clientId);
        change(app, "update apps set updated_at = :now where id = :id", u -> u,
                h -> h.createUpdate("delete from app_icons where app_id = :a").bind("a", app.id()).execute());
        return require(clientId);
    }

    public Optional<byte[]> icon(ExternalApp app) {
        if (!app.hasIcon()) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("select png from app_icons where app_id = :a").bind("a", app.id())
                .mapTo(String.class).findOne()).map(java.util.Base64.getDecoder()::decode);
    }

    /**
     * Disabling ends every token issued so far, and enabling the app again brings none back: both start a
     * new token generation (so does a token a node issued in the instant it had not yet heard of the disable).
     */
    public ExternalApp setEnabled(String clientId, boolean enabled) {
        ExternalApp app = require(clientId);
        change(app, "update apps set enabled = :enabled, token_generation = token_generation + :bump, updated_at = :now where id = :id",
                u -> u.bind("enabled", enabled).bind("bump", enabled == app.enabled() ? 0 : 1));
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

    /**
     * A new secret, only if the stored one is still the one whose digest the caller saw (a form sent twice,
     * or a rotation on another node in between, rotates nothing); empty otherwise.
     */
    public Optional<String> rotateSecretReplacing(String clientId, String expectedSecretHash) {
        ExternalApp app = require(clientId);
        if (app.secretType() != SecretType.SECRET_KEY) throw AppException.invalid("this app has no secret key; it uses " + app.secretType().code);
        if (expectedSecretHash == null) return Optional.empty();
        String secret = ClientSecrets.newSecret();
        boolean replaced = db.jdbi().inTransaction(h -> {
            int n = h.createUpdate("update apps set secret_hash = :hash, updated_at = :now where id = :id and secret_hash = :expected")
                    .bind("hash", ClientSecrets.digest(secret)).bind("now", clock.millis()).bind("id", app.id())
                    .bind("expected", expectedSecretHash).execute();
            if (n == 1) changes.record(h, TOPIC, Long.toString(app.id()));
            return n == 1;
        });
        if (!replaced) return Optional.empty();
        changes.applyLocally(TOPIC, Long.toString(app.id()));
        return Optional.of(secret);
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

    /**
     * Runs {@code action} with the transaction and the app's id each time an app is about to be deleted, for
     * records of other features that carry no foreign key to the app and are deleted in the same transaction.
     */
    public void whenDeleting(BiConsumer<Handle, Long> action) {
        whenDeleting.add(action);
    }

    public void delete(String clientId) {
        ExternalApp app = require(clientId);
        db.jdbi().useTransaction(h -> {
            whenDeleting.forEach(action -> action.accept(h, app.id()));
            // Token records carry no foreign key (one index less on every insert): they go here, with the app.
            h.createUpdate("delete from access_tokens where app_id = :id").bind("id", app.id()).execute();
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
        change(app, sql, binder, h -> {});
    }

    private void change(ExternalApp app, String sql, java.util.function.UnaryOperator<Update> binder,
                        java.util.function.Consumer<Handle> more) {
        db.jdbi().useTransaction(h -> {
            Update u = h.createUpdate(sql).bind("id", app.id()).bind("now", clock.millis());
            binder.apply(u).execute();
            more.accept(h);
            changes.record(h, TOPIC, Long.toString(app.id()));
        });
        changes.applyLocally(TOPIC, Long.toString(app.id()));
    }

    private String requireName(String name) {
        return requireName("name", name);
    }

    /** A display name: present, not too long, no control or invisible characters; {@code field} names it in errors. */
    private String requireName(String field, String name) {
        if (name == null || name.isBlank()) throw AppException.invalid(field + " is required");
        if (name.length() > MAX_NAME) throw AppException.invalid(field + " is longer than " + MAX_NAME + " characters");
        if (name.chars().anyMatch(Character::isISOControl)) throw AppException.invalid(field + " holds control characters");
        noInvisible(field, name);
        return name.trim();
    }

    private static String description(String d) {
        if (d == null) return null;
        if (d.length() > MAX_DESCRIPTION) throw AppException.invalid("description is longer than " + MAX_DESCRIPTION + " characters");
        noInvisible("description", d);
        return d;
    }

    /**
     * Names and descriptions are shown to people on the consent screen, where a bidirectional override, a
     * zero-width character (Unicode's invisible formatting characters), a line separator or a character that
     * draws as blank (the Hangul fillers, the blank Braille pattern, the combining grapheme joiner) would make an
     * app read as another.
     */
    private static void noInvisible(String field, String text) {
        OptionalInt hidden = text.codePoints().filter(AppRegistry::invisible).findFirst();
        if (hidden.isPresent()) {
            throw AppException.invalid(String.format("%s holds the invisible character U+%04X, which can disguise text",
                    field, hidden.getAsInt()));
        }
    }

    private static final Set<Integer> BLANK = Set.of(0x034F, 0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0);

    private static boolean invisible(int c) {
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || BLANK.contains(c) || (c >= 0x180B && c <= 0x180F);
    }

    private User boundUser(String username) {
        if (username == null || username.isBlank()) throw AppException.invalid("user is required: the business user the service account acts as");
        return directory.byUsername(username).orElseThrow(() -> AppException.invalid("no user named '" + username + "'"));
    }

    static Set<String> scopes(List<String> requested) {
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

    static TokenFormat tokenFormat(String s, TokenFormat fallback) {
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
            if (at.isBefore(Instant.EPOCH) || !at.isBefore(AFTER_9999)) {
                throw AppException.invalid("expiresAt must fall in the years 1970 to 9999");
            }
            return at;
        } catch (DateTimeParseException e) {
            throw AppException.invalid("expiresAt must be an ISO-8601 instant such as 2027-01-31T23:59:59Z, or \"never\"");
        }
    }

    private Optional<ExternalApp> load(String column, Object value) {
        return db.jdbi().withHandle(h -> h.createQuery(SELECT + " where a." + column + " = :v")
                .bind("v", value).map(MAPPER).findOne());
    }

    private static final String SELECT = """
            select a.*, t.name as t_name, t.scopes as t_scopes, t.token_format as t_format, t.code_ttl as t_code,
              t.access_token_ttl as t_access, t.refresh_token_ttl as t_refresh, t.id_token_ttl as t_id,
              t.refresh_retry_window as t_retry,
              (select count(*) from app_icons i where i.app_id = a.id) as icons
            from apps a left join client_templates t on t.id = a.template_id""";

    private static final RowMapper<ExternalApp> MAPPER = (rs, ctx) -> {
        String jwks = rs.getString("public_jwks");
        String uris = rs.getString("redirect_uris");
        String postLogout = rs.getString("post_logout_redirect_uris");
        long ttl = rs.getLong("access_token_ttl");
        long expiresAt = rs.getLong("expires_at");
        boolean noExpiry = rs.wasNull();
        long templateId = rs.getLong("template_id");
        boolean hasTemplate = !rs.wasNull();
        Set<String> registered = java.util.Collections.unmodifiableSet(Scopes.parse(rs.getString("scopes")));
        Set<String> scopes = registered;
        TokenFormat format;
        Lifetimes lifetimes = Lifetimes.DEFAULTS;
        ExternalApp.TemplateRef template = null;
        if (hasTemplate) {
            template = new ExternalApp.TemplateRef(templateId, rs.getString("t_name"));
            Set<String> allowed = Scopes.parse(rs.getString("t_scopes"));
            Set<String> within = new LinkedHashSet<>(registered);
            within.retainAll(allowed);
            scopes = java.util.Collections.unmodifiableSet(within);
            format = TokenFormat.parse(rs.getString("t_format")).orElse(TokenFormat.OPAQUE);
            lifetimes = new Lifetimes(Duration.ofSeconds(rs.getLong("t_code")), Duration.ofSeconds(rs.getLong("t_access")),
                    Duration.ofSeconds(rs.getLong("t_refresh")), Duration.ofSeconds(rs.getLong("t_id")),
                    Duration.ofSeconds(rs.getLong("t_retry")));
        } else {
            format = TokenFormat.parse(rs.getString("token_format")).orElse(TokenFormat.OPAQUE);
        }
        try {
            return new ExternalApp(rs.getLong("id"), rs.getString("client_id"), rs.getString("name"),
                    rs.getString("description"), ClientType.valueOf(rs.getString("client_type")),
                    SecretType.valueOf(rs.getString("secret_type")), rs.getString("secret_hash"),
                    jwks == null ? null : JWKSet.parse(jwks),
                    rs.getObject("bound_user_id") == null ? null : rs.getLong("bound_user_id"),
                    scopes, registered,
                    uris == null ? List.of() : List.of(uris.split("\n")),
                    format,
                    ttl == 0 ? null : Duration.ofSeconds(ttl),
                    rs.getBoolean("can_introspect"), rs.getBoolean("enabled"),
                    noExpiry ? null : Instant.ofEpochMilli(expiresAt),
                    rs.getLong("token_generation"),
                    Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")),
                    template, lifetimes, rs.getBoolean("offline_access"),
                    postLogout == null ? List.of() : List.of(postLogout.split("\n")),
                    rs.getBoolean("open_to_all"), rs.getString("consent_name"), rs.getLong("icons") > 0,
                    rs.getString("id_token_alg"));
        } catch (ParseException e) {
            throw new IllegalStateException("stored public keys of app " + rs.getString("client_id") + " are unreadable", e);
        }
    };
}
