package dev.ostium.apps;

import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Client templates (named sets of allowed scopes, token format and lifetimes). Apps follow their template
 * live, so a change here reaches every app of the template on every node through the change feed.
 */
public final class ClientTemplates {

    public static final String TOPIC = "template";
    /** The template that interactive apps created without one follow: it can change, but keeps its name and stays. */
    public static final String DEFAULT = "default";
    private static final String DEFAULT_FOLLOWERS = "web, single-page and native apps created without a template follow it";

    private final Database db;
    private final ChangeFeed changes;
    private final Clock clock;

    public ClientTemplates(Database db, ChangeFeed changes, Clock clock) {
        this.db = db;
        this.changes = changes;
        this.clock = clock;
    }

    public List<ClientTemplate> list() {
        return db.jdbi().withHandle(h -> h.createQuery("select * from client_templates order by name").map(MAPPER).list());
    }

    public Optional<ClientTemplate> byName(String name) {
        if (name == null || name.length() > 100) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("select * from client_templates where name = :n")
                .bind("n", name).map(MAPPER).findOne());
    }

    public ClientTemplate require(String name) {
        return byName(name).orElseThrow(() -> new AppException(AppException.Kind.NOT_FOUND, "no template named '" + name + "'"));
    }

    public ClientTemplate create(TemplateSpec spec) {
        String name = name(spec.name());
        if (byName(name).isPresent()) throw AppException.invalid("a template named '" + name + "' exists already");
        Set<String> scopes = spec.scopes() == null ? Scopes.KNOWN : AppRegistry.scopes(spec.scopes());
        TokenFormat format = spec.tokenFormat() == null ? TokenFormat.OPAQUE : AppRegistry.tokenFormat(spec.tokenFormat(), null);
        Lifetimes l = lifetimes(spec, new Lifetimes(Lifetimes.CODE, Lifetimes.ACCESS, Lifetimes.REFRESH, Lifetimes.ID_TOKEN, Duration.ZERO));
        long now = clock.millis();
        try {
            db.jdbi().useTransaction(h -> h.createUpdate("""
                            insert into client_templates (name, description, scopes, token_format, code_ttl, access_token_ttl,
                              refresh_token_ttl, id_token_ttl, refresh_retry_window, created_at, updated_at)
                            values (:name, :description, :scopes, :format, :code, :access, :refresh, :id, :retry, :now, :now)""")
                    .bind("name", name).bind("description", description(spec.description()))
                    .bind("scopes", Scopes.format(scopes)).bind("format", format.code)
                    .bind("code", l.code().toSeconds()).bind("access", l.accessToken().toSeconds())
                    .bind("refresh", l.refreshToken().toSeconds()).bind("id", l.idToken().toSeconds())
                    .bind("retry", l.refreshRetry().toSeconds()).bind("now", now).execute());
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) throw AppException.invalid("a template named '" + name + "' exists already");
            throw e;
        }
        return require(name);
    }

    public ClientTemplate update(String currentName, TemplateSpec spec) {
        ClientTemplate t = require(currentName);
        String name = spec.name() == null ? t.name() : name(spec.name());
        if (isDefault(t) && !name.equals(DEFAULT)) {
            throw AppException.invalid("the template '" + DEFAULT + "' keeps its name: " + DEFAULT_FOLLOWERS);
        }
        if (!name.equals(t.name()) && byName(name).isPresent()) throw AppException.invalid("a template named '" + name + "' exists already");
        String description = spec.description() == null ? t.description() : description(spec.description());
        Set<String> scopes = spec.scopes() == null ? t.scopes() : AppRegistry.scopes(spec.scopes());
        TokenFormat format = AppRegistry.tokenFormat(spec.tokenFormat(), t.tokenFormat());
        Lifetimes l = lifetimes(spec, t.lifetimes());
        db.jdbi().useTransaction(h -> {
            h.createUpdate("""
                            update client_templates set name = :name, description = :description, scopes = :scopes,
                              token_format = :format, code_ttl = :code, access_token_ttl = :access, refresh_token_ttl = :refresh,
                              id_token_ttl = :id, refresh_retry_window = :retry, updated_at = :now where id = :tid""")
                    .bind("tid", t.id()).bind("name", name).bind("description", description)
                    .bind("scopes", Scopes.format(scopes)).bind("format", format.code)
                    .bind("code", l.code().toSeconds()).bind("access", l.accessToken().toSeconds())
                    .bind("refresh", l.refreshToken().toSeconds()).bind("id", l.idToken().toSeconds())
                    .bind("retry", l.refreshRetry().toSeconds()).bind("now", clock.millis()).execute();
            // Fewer scopes end the tokens the template's apps hold, as narrowing one app does.
            if (!scopes.containsAll(t.scopes())) {
                h.createUpdate("update apps set token_generation = token_generation + 1 where template_id = :tid")
                        .bind("tid", t.id()).execute();
            }
            changes.record(h, TOPIC, Long.toString(t.id()));
        });
        changes.applyLocally(TOPIC, Long.toString(t.id()));
        return require(name);
    }

    /** Deletes an unused template; one that apps still follow is refused, naming how many, and so is the default. */
    public void delete(String name) {
        ClientTemplate t = require(name);
        if (isDefault(t)) throw AppException.invalid("the template '" + DEFAULT + "' cannot be deleted: " + DEFAULT_FOLLOWERS);
        db.jdbi().useTransaction(h -> {
            long users = h.createQuery("select count(*) from apps where template_id = :t").bind("t", t.id()).mapTo(Long.class).one();
            if (users > 0) {
                throw AppException.invalid("template '" + name + "' is used by " + users + " app" + (users == 1 ? "" : "s")
                        + "; move them to another template first");
            }
            h.createUpdate("delete from client_templates where id = :t").bind("t", t.id()).execute();
        });
    }

    public static boolean isDefault(ClientTemplate t) {
        return DEFAULT.equals(t.name());
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) throw AppException.invalid("name is required");
        if (name.length() > 100) throw AppException.invalid("name is longer than 100 characters");
        if (!name.matches("[\\p{L}\\p{N} ._-]+")) throw AppException.invalid("name may hold letters, digits, spaces, '.', '_' and '-'");
        // A name is also a path segment (/admin/api/templates/NAME): dots alone would mean another path.
        if (name.strip().matches("\\.+")) throw AppException.invalid("name must hold a letter or digit, not only dots");
        return name.trim();
    }

    private static String description(String d) {
        if (d != null && d.length() > 2000) throw AppException.invalid("description is longer than 2000 characters");
        return d;
    }

    private static Lifetimes lifetimes(TemplateSpec s, Lifetimes base) {
        return new Lifetimes(
                seconds("codeTtl", s.codeTtl(), base.code(), 10, 600),
                seconds("accessTokenTtl", s.accessTokenTtl(), base.accessToken(), 10, 86_400),
                seconds("refreshTokenTtl", s.refreshTokenTtl(), base.refreshToken(), 60, 366L * 86_400),
                seconds("idTokenTtl", s.idTokenTtl(), base.idToken(), 10, 86_400),
                seconds("refreshRetryWindow", s.refreshRetryWindow(), base.refreshRetry(), 0, Lifetimes.MAX_RETRY.toSeconds()));
    }

    private static Duration seconds(String field, Long value, Duration fallback, long min, long max) {
        if (value == null) return fallback;
        if (value < min || value > max) throw AppException.invalid(field + " must be from " + min + " to " + max + " seconds");
        return Duration.ofSeconds(value);
    }

    private static final RowMapper<ClientTemplate> MAPPER = (rs, ctx) -> new ClientTemplate(rs.getLong("id"),
            rs.getString("name"), rs.getString("description"),
            java.util.Collections.unmodifiableSet(Scopes.parse(rs.getString("scopes"))),
            TokenFormat.parse(rs.getString("token_format")).orElse(TokenFormat.OPAQUE),
            new Lifetimes(Duration.ofSeconds(rs.getLong("code_ttl")), Duration.ofSeconds(rs.getLong("access_token_ttl")),
                    Duration.ofSeconds(rs.getLong("refresh_token_ttl")), Duration.ofSeconds(rs.getLong("id_token_ttl")),
                    Duration.ofSeconds(rs.getLong("refresh_retry_window"))),
            Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
}
