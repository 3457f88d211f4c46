package dev.ostium.console;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.ostium.apps.AppException;
import dev.ostium.apps.AppKeys;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.AppSpec;
import dev.ostium.apps.AppIcons;
import dev.ostium.apps.ClientTemplate;
import dev.ostium.apps.ClientTemplates;
import dev.ostium.apps.Lifetimes;
import dev.ostium.apps.TemplateSpec;
import dev.ostium.apps.ExternalApp;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.keys.SigningKeys;
import dev.ostium.oauth.Consents;
import dev.ostium.oauth.Discovery;
import dev.ostium.settings.GlobalSettings;
import dev.ostium.settings.Settings;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.tokens.TokenStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin JSON API under /admin/api: everything Settings > External applications does, for scripts
 * and the CLI. Every call needs an administrator (HTTP Basic).
 */
public final class AdminApi {

    private final AdminAuth auth;
    private final AppRegistry apps;
    private final ClientTemplates templates;
    private final Consents consents;
    private final Directory directory;
    private final TokenStore tokenStore;
    private final Settings settings;
    private final SigningKeys keys;
    private final Discovery.Endpoints endpoints;
    private final ObjectMapper json;
    private final ObjectReader reader;
    private final AuditTrail audit;
    private final AdminAudit adminAudit;
    private final AccessTokens accessTokens;

    public AdminApi(AdminAuth auth, AppRegistry apps, ClientTemplates templates, Consents consents, Directory directory,
                    TokenStore tokenStore, Settings settings, SigningKeys keys, Discovery.Endpoints endpoints,
                    AuditTrail audit, ObjectMapper json, AccessTokens accessTokens) {
        this.accessTokens = accessTokens;
        this.audit = audit;
        this.adminAudit = new AdminAudit(audit, json);
        this.auth = auth;
        this.apps = apps;
        this.templates = templates;
        this.consents = consents;
        this.directory = directory;
        this.tokenStore = tokenStore;
        this.settings = settings;
        this.keys = keys;
        this.endpoints = endpoints;
        this.json = strict(json);
        this.reader = this.json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public void routes(RoutesConfig r) {
        r.before("/admin/api/*", AdminApi::sameSiteJsonOnly);
        r.before("/admin/api/*", auth::require);
        r.before("/admin/api", auth::require);
        // Nothing the admin API answers belongs in a cache: secrets, keys, and who may do what.
        r.after("/admin/api/*", ctx -> ctx.header("Cache-Control", "no-store"));
        r.after("/admin/api/*", adminAudit::after);
        r.get("/admin/api/audit", ctx -> ctx.json(auditPage(ctx)));
        r.get("/admin/api/audit.csv", ctx -> AuditCsv.send(ctx, audit, auditFilter(ctx)));
        r.get("/admin/api/apps", ctx -> ctx.json(apps.list().stream().map(this::view).toList()));
        r.post("/admin/api/apps", this::create);
        r.get("/admin/api/apps/{clientId}", ctx -> ctx.json(view(apps.require(clientId(ctx)))));
        r.patch("/admin/api/apps/{clientId}", ctx -> {
            AppRegistry.Updated updated = apps.update(clientId(ctx), spec(ctx));
            Map<String, Object> out = view(updated.app());
            // Narrowed rights (scopes, bound user) or disabling ended the tokens issued before: say so.
            out.put("tokensRevoked", updated.tokensRevoked());
            ctx.json(out);
        });
        r.delete("/admin/api/apps/{clientId}", ctx -> {
            apps.delete(clientId(ctx));
            ctx.status(204);
        });
        r.post("/admin/api/apps/{clientId}/enable", ctx -> ctx.json(view(apps.setEnabled(clientId(ctx), true))));
        r.post("/admin/api/apps/{clientId}/disable", ctx -> ctx.json(view(apps.setEnabled(clientId(ctx), false))));
        r.post("/admin/api/apps/{clientId}/secret", ctx -> {
            String secret = apps.rotateSecret(clientId(ctx));
            noStore(ctx).json(Map.of("clientId", clientId(ctx), "clientSecret", secret,
                    "notice", "the secret is shown only now; the previous one no longer works"));
        });
        r.post("/admin/api/apps/{clientId}/keys", ctx -> {
            String alg = ctx.queryParam("alg");
            AppKeys.GeneratedKey key = apps.generateKeys(clientId(ctx), alg);
            noStore(ctx).json(keyView(clientId(ctx), key));
        });
        r.put("/admin/api/apps/{clientId}/public-key", ctx -> {
            Map<?, ?> body = body(ctx, Map.class);
            Object key = body.get("publicKey");
            if (!(key instanceof String s)) throw AppException.invalid("send {\"publicKey\": \"<PEM or JWK>\"}");
            ctx.json(view(apps.uploadPublicKey(clientId(ctx), s)));
        });
        r.post("/admin/api/apps/{clientId}/revoke-tokens", ctx -> ctx.json(view(apps.revokeAllTokens(clientId(ctx)))));
        r.get("/admin/api/apps/{clientId}/tokens", ctx -> ctx.json(status(apps.require(clientId(ctx)))));
        r.put("/admin/api/apps/{clientId}/icon", ctx -> {
            String ct = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase().split(";")[0].trim();
            if (!ct.equals("image/png") && !ct.equals("image/jpeg")) {
                throw AppException.invalid("send the icon as image/png or image/jpeg");
            }
            if (ctx.contentLength() > AppIcons.MAX_UPLOAD) throw AppException.invalid("the icon is larger than 1 MiB");
            ctx.json(view(apps.setIcon(clientId(ctx), ctx.bodyAsBytes())));
        });
        r.get("/admin/api/apps/{clientId}/icon", ctx -> {
            byte[] png = apps.icon(apps.require(clientId(ctx))).orElseThrow(() -> new AppException(AppException.Kind.NOT_FOUND, "this app has no icon"));
            ctx.contentType("image/png").result(png);
        });
        r.delete("/admin/api/apps/{clientId}/icon", ctx -> ctx.json(view(apps.removeIcon(clientId(ctx)))));
        r.delete("/admin/api/apps/{clientId}/consents/{username}", ctx -> {
            ExternalApp app = apps.require(clientId(ctx));
            User user = directory.byUsername(ctx.pathParam("username"))
                    .orElseThrow(() -> new AppException(AppException.Kind.NOT_FOUND, "no user named '" + ctx.pathParam("username") + "'"));
            if (!consents.revoke(user.id(), app.id())) {
                throw new AppException(AppException.Kind.NOT_FOUND, ctx.pathParam("username") + " has not approved this app");
            }
            ctx.status(204);
        });
        r.get("/admin/api/templates", ctx -> ctx.json(templates.list().stream().map(AdminApi::templateView).toList()));
        r.post("/admin/api/templates", ctx -> ctx.status(201).json(templateView(templates.create(body(ctx, TemplateSpec.class)))));
        r.get("/admin/api/templates/{name}", ctx -> ctx.json(templateView(templates.require(ctx.pathParam("name")))));
        r.patch("/admin/api/templates/{name}", ctx -> ctx.json(templateView(templates.update(ctx.pathParam("name"), body(ctx, TemplateSpec.class)))));
        r.delete("/admin/api/templates/{name}", ctx -> {
            templates.delete(ctx.pathParam("name"));
            ctx.status(204);
        });
        r.get("/admin/api/settings", ctx -> ctx.json(settings.get()));
        r.put("/admin/api/settings", ctx -> ctx.json(settings.update(mergeSettings(ctx))));
        r.get("/admin/api/keys", ctx -> ctx.json(keys.list()));
        r.post("/admin/api/keys/rotate", ctx -> ctx.json(keys.rotate()));
        r.get("/admin/api/users", ctx -> ctx.json(directory.list()));
        r.post("/admin/api/users/{username}/disable", ctx -> ctx.json(directory.setEnabled(user(ctx).id(), false)));
        r.post("/admin/api/users/{username}/enable", ctx -> ctx.json(directory.setEnabled(user(ctx).id(), true)));
        r.get("/admin/api/endpoints", ctx -> ctx.json(endpointsView()));
    }

    private void create(Context ctx) {
        AppRegistry.Created created = apps.create(spec(ctx));
        ctx.attribute(AdminAudit.CREATED_CLIENT_ID, created.app().clientId());
        Map<String, Object> out = view(created.app());
        if (created.clientSecret() != null) {
            out.put("clientSecret", created.clientSecret());
            out.put("notice", "the secret is shown only now: store it safely");
        }
        if (created.generatedKey() != null) {
            out.putAll(keyView(created.app().clientId(), created.generatedKey()));
        }
        noStore(ctx).status(201).json(out);
    }

    private Map<String, Object> keyView(String clientId, AppKeys.GeneratedKey key) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clientId", clientId);
        out.put("privateKeyPem", key.privateKeyPem());
        out.put("privateJwk", parse(key.privateJwk()));
        out.put("notice", "the private key is shown only now: the server keeps only the public key");
        return out;
    }

    private Map<?, ?> parse(String jsonText) {
        try {
            return json.readValue(jsonText, Map.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.Set<String> SETTINGS = java.util.Set.of("oauthEnabled", "usersRotateSecrets", "adminConnections");

    /**
     * A state change must come from a script or the CLI, never from a page of another site riding on a
     * browser's stored credentials: cross-site fetch metadata or a foreign Origin is refused, and every
     * change is JSON (which a plain HTML form cannot send), even when its body is empty.
     */
    private static void sameSiteJsonOnly(Context ctx) {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return;
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new io.javalin.http.ForbiddenResponse("cross-site requests may not change anything");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
            throw new io.javalin.http.ForbiddenResponse("requests from another origin may not change anything");
        }
        String ct = ctx.contentType();
        // Icons go as image/png or image/jpeg, which a plain HTML form cannot send either.
        boolean icon = ctx.path().endsWith("/icon") && ct != null
                && (ct.toLowerCase(java.util.Locale.ROOT).startsWith("image/png") || ct.toLowerCase(java.util.Locale.ROOT).startsWith("image/jpeg"));
        if (!icon && ctx.path().endsWith("/icon") && "PUT".equals(ctx.method().name())) {
            throw new io.javalin.http.HttpResponseException(415, "the icon must be a PNG or JPEG image, sent as image/png or image/jpeg");
        }
        if (!icon && (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json"))) {
            throw new io.javalin.http.HttpResponseException(415, "send Content-Type: application/json (an empty body is fine)");
        }
    }

    /** ?app=&user=&kind=&from=&to=&before=&limit= : the audit trail, newest first, with the position of the next page. */
    private Map<String, Object> auditPage(Context ctx) {
        int limit = intParam(ctx, "limit", 100, 1, AuditTrail.MAX_PAGE);
        List<AuditEvent> page = audit.find(auditFilter(ctx), limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", page);
        out.put("next", page.size() == Math.max(1, Math.min(AuditTrail.MAX_PAGE, limit)) ? page.getLast().id() : null);
        return out;
    }

    private static AuditTrail.Filter auditFilter(Context ctx) {
        return new AuditTrail.Filter(blank(ctx.queryParam("app")), blank(ctx.queryParam("user")), blank(ctx.queryParam("kind")),
                instant(ctx, "from"), instant(ctx, "to"), position(ctx));
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static java.time.Instant instant(Context ctx, String name) {
        String v = blank(ctx.queryParam(name));
        if (v == null) return null;
        try {
            return java.time.Instant.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw AppException.invalid(name + " must be an ISO-8601 instant such as 2026-11-23T00:00:00Z");
        }
    }

    private static Long position(Context ctx) {
        String v = blank(ctx.queryParam("before"));
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw AppException.invalid("before must be the position of an event (a whole number)");
        }
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String v = blank(ctx.queryParam(name));
        if (v == null) return fallback;
        if (!v.matches("-?[0-9]+")) throw AppException.invalid(name + " must be a whole number");
        String range = name + " must be from " + min + " to " + max;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw AppException.invalid(range);
            return n;
        } catch (NumberFormatException e) {
            throw AppException.invalid(range);
        }
    }

    private User user(Context ctx) {
        String name = ctx.pathParam("username");
        return directory.byUsername(name).orElseThrow(() -> AppException.missing("no user '" + name + "'"));
    }

    private GlobalSettings mergeSettings(Context ctx) {
        Map<?, ?> body = body(ctx, Map.class);
        for (Object k : body.keySet()) {
            if (!SETTINGS.contains(k)) throw AppException.invalid("unknown setting '" + k + "'; known: " + String.join(", ", SETTINGS.stream().sorted().toList()));
        }
        GlobalSettings now = settings.get();
        return new GlobalSettings(flag(body, "oauthEnabled", now.oauthEnabled()),
                flag(body, "usersRotateSecrets", now.usersRotateSecrets()),
                flag(body, "adminConnections", now.adminConnections()));
    }

    private static boolean flag(Map<?, ?> body, String name, boolean current) {
        if (!body.containsKey(name)) return current;
        if (body.get(name) instanceof Boolean b) return b;
        throw AppException.invalid(name + " must be true or false");
    }

    private Map<String, Object> view(ExternalApp app) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("clientId", app.clientId());
        v.put("name", app.name());
        v.put("description", app.description());
        v.put("type", app.clientType().code);
        v.put("typeLabel", app.clientType().label);
        v.put("secretType", app.secretType().code);
        v.put("user", app.boundUserId() == null ? null : directory.byId(app.boundUserId()).map(User::username).orElse(null));
        v.put("scopes", List.copyOf(app.scopes()));
        v.put("tokenFormat", app.tokenFormat().code);
        v.put("accessTokenTtl", app.accessTokenTtl() == null ? 0 : app.accessTokenTtl().toSeconds());
        v.put("canIntrospect", app.canIntrospect());
        v.put("enabled", app.enabled());
        v.put("expiresAt", app.expiresAt() == null ? null : app.expiresAt().toString());
        v.put("publicKeys", app.publicKeys() == null ? null : parse(app.publicKeys().toString(true)));
        v.put("createdAt", app.createdAt().toString());
        v.put("updatedAt", app.updatedAt().toString());
        v.put("template", app.template() == null ? null : app.template().name());
        if (app.interactive()) {
            v.put("registeredScopes", List.copyOf(app.registeredScopes()));
            v.put("redirectUris", app.redirectUris());
            v.put("postLogoutRedirectUris", app.postLogoutRedirectUris());
            v.put("offlineAccess", app.offlineAccess());
            v.put("openToAll", app.openToAll());
            AppRegistry.AuthorizedUsers who = apps.authorizedUsers(app);
            v.put("authorizedUsers", who.users());
            v.put("authorizedGroups", who.groups());
            v.put("consentName", app.consentName());
            v.put("icon", app.hasIcon() ? "/admin/api/apps/" + app.clientId() + "/icon" : null);
            v.put("idTokenAlg", app.idTokenAlg() == null ? "ES256" : app.idTokenAlg());
            // Effective: the app's own access-token lifetime, else its template's, else the server's.
            Map<String, Object> lifetimes = lifetimesView(app.lifetimes());
            lifetimes.put("accessTokenTtl", accessTokens.ttlFor(app).toSeconds());
            v.put("lifetimes", lifetimes);
        }
        v.put("tokenStatus", status(app));
        return v;
    }

    private static Map<String, Object> templateView(ClientTemplate t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", t.name());
        v.put("description", t.description());
        v.put("scopes", List.copyOf(t.scopes()));
        v.put("tokenFormat", t.tokenFormat().code);
        v.putAll(lifetimesView(t.lifetimes()));
        v.put("createdAt", t.createdAt().toString());
        v.put("updatedAt", t.updatedAt().toString());
        return v;
    }

    /** Lifetimes in seconds, under the names the template fields use. */
    private static Map<String, Object> lifetimesView(Lifetimes l) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("codeTtl", l.code().toSeconds());
        v.put("accessTokenTtl", l.accessToken() == null ? null : l.accessToken().toSeconds());
        v.put("refreshTokenTtl", l.refreshToken().toSeconds());
        v.put("idTokenTtl", l.idToken().toSeconds());
        v.put("refreshRetryWindow", l.refreshRetry().toSeconds());
        return v;
    }

    private Map<String, Object> status(ExternalApp app) {
        TokenStore.Status s = tokenStore.status(app.id(), app.tokenGeneration());
        return Map.of("active", s.active(), "expired", s.expired(), "revoked", s.revoked(), "label", s.label());
    }

    private Map<String, Object> endpointsView() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("issuer", endpoints.issuer().toString());
        v.put("token", endpoints.token().toString());
        v.put("introspection", endpoints.introspection().toString());
        v.put("revocation", endpoints.revocation().toString());
        v.put("jwks", endpoints.jwks().toString());
        v.put("discovery", endpoints.issuer() + "/.well-known/openid-configuration");
        return v;
    }

    /**
     * Request bodies are read as typed: a number is not a name, "false" is not a boolean, a string is not a
     * list. (The shared mapper is more lenient for the other endpoints.)
     */
    private static ObjectMapper strict(ObjectMapper shared) {
        ObjectMapper m = shared.copy().configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, false);
        for (LogicalType target : LogicalType.values()) {
            for (CoercionInputShape sent : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String)) {
                boolean natural = switch (sent) {
                    case Integer -> target == LogicalType.Integer || target == LogicalType.Float;
                    case Float -> target == LogicalType.Float;
                    case Boolean -> target == LogicalType.Boolean;
                    default -> target == LogicalType.Textual || target == LogicalType.DateTime || target == LogicalType.Enum;
                };
                if (!natural) m.coercionConfigFor(target).setCoercion(sent, CoercionAction.Fail);
            }
        }
        return m;
    }

    private AppSpec spec(Context ctx) {
        return body(ctx, AppSpec.class);
    }

    private <T> T body(Context ctx, Class<T> type) {
        String ct = ctx.contentType();
        if (ct == null || !ct.toLowerCase().startsWith("application/json")) {
            throw AppException.invalid("send application/json");
        }
        JsonNode tree = tree(ctx.bodyAsBytes());
        try {
            return json.treeToValue(tree, type);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw AppException.invalid("unknown field '" + e.getPropertyName() + "'");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // The innermost named field (a list's items have no name of their own).
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    ? m.getPath().reversed().stream().map(com.fasterxml.jackson.databind.JsonMappingException.Reference::getFieldName)
                            .filter(java.util.Objects::nonNull).findFirst().orElse(null)
                    : null;
            throw AppException.invalid(field == null ? "the body must be a JSON object" : "field '" + field + "' has the wrong type");
        }
    }

    /**
     * The body read as exactly one JSON object with nothing after it, whose every text can be stored as it was
     * sent: an escape of half a surrogate pair would be read as a character no database keeps (it comes back as
     * '?').
     */
    private JsonNode tree(byte[] body) {
        JsonNode tree;
        try {
            tree = reader.readTree(body);
        } catch (java.io.IOException e) {
            throw unreadableBody(e);
        }
        if (tree == null || !tree.isObject()) throw AppException.invalid("the body must be a JSON object");
        checkText(tree, null);
        return tree;
    }

    private static void checkText(JsonNode node, String field) {
        if (node.isTextual() && !wellFormed(node.textValue())) {
            throw AppException.invalid("field '" + field + "' holds half of a surrogate pair: not valid Unicode text");
        }
        if (node.isObject()) {
            // Names need no check: the reader itself refuses half a pair in a name, and in raw bytes anywhere.
            for (Map.Entry<String, JsonNode> e : node.properties()) checkText(e.getValue(), e.getKey());
        } else if (node.isArray()) {
            for (JsonNode item : node) checkText(item, field);
        }
    }

    /** Every surrogate in its pair: text UTF-8 can hold. */
    private static boolean wellFormed(String s) {
        return java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    private static AppException unreadableBody(Throwable e) {
        java.util.Optional<String> twice = dev.ostium.web.JsonErrors.duplicateField(e);
        if (twice.isPresent()) return AppException.invalid("field '" + twice.get() + "' is given twice");
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.io.CharConversionException || String.valueOf(c.getMessage()).startsWith("Invalid UTF-8")) {
                return AppException.invalid("the body is not UTF-8");
            }
        }
        return AppException.invalid("the body is not valid JSON");
    }

    private static String clientId(Context ctx) {
        return ctx.pathParam("clientId");
    }

    private static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store");
    }
}
