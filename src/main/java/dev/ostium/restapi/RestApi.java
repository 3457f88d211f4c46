package dev.ostium.restapi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.ostium.apps.Scopes;
import dev.ostium.crm.Access;
import dev.ostium.crm.CrmRecord;
import dev.ostium.crm.Field;
import dev.ostium.crm.ModuleDescription;
import dev.ostium.crm.Modules;
import dev.ostium.crm.QueryResult;
import dev.ostium.crm.RecordException;
import dev.ostium.crm.Records;
import dev.ostium.crm.Sharing;
import dev.ostium.crm.Viewer;
import dev.ostium.crm.query.QueryError;
import dev.ostium.crm.query.Suggestions;
import dev.ostium.directory.Roles;
import dev.ostium.tokens.AccessTokens;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The business REST API under /restapi/v1 (the vtenext "vtews" shape): the query call, CRUD per module,
 * describe, me, and its OpenAPI document. Reads HTTP, checks the token once for every route, renders;
 * what a user may see and change is decided by {@code crm}.
 */
public final class RestApi {

    public static final String BASE = "/restapi/v1";
    private static final String TOKEN = "restapi.token";
    private static final int MAX_BODY = 1024 * 1024;

    /** What a route does, which decides the scope it needs. */
    enum Kind { PUBLIC, READ, WRITE }

    private final BearerToken bearer;
    private final Records records;
    private final Sharing sharing;
    private final Roles roles;
    private final BooleanSupplier adminConnections;
    private final ObjectReader reader;
    private final OpenApi openApi;
    private final ResourceMetadata metadata;

    public RestApi(BearerToken bearer, Records records, Sharing sharing, Roles roles, BooleanSupplier adminConnections,
                   ObjectMapper json, OpenApi openApi, ResourceMetadata metadata) {
        this.bearer = bearer;
        this.records = records;
        this.sharing = sharing;
        this.roles = roles;
        this.adminConnections = adminConnections;
        this.reader = json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.openApi = openApi;
        this.metadata = metadata;
    }

    public void routes(RoutesConfig r) {
        r.get(ResourceMetadata.PATH, metadata::handle);
        r.get(ResourceMetadata.PATH + "/restapi", metadata::handle);
        // Business data and errors about it are never stored by a cache on the way.
        r.before("/restapi/*", ctx -> ctx.header("Cache-Control", "no-store"));
        r.before(BASE + "/*", this::guard);
        r.get(BASE + "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi.json()));
        r.post(BASE + "/vtews/query", this::query);
        r.get(BASE + "/me", this::me);
        r.get(BASE + "/describe", this::describeAll);
        r.get(BASE + "/describe/{module}", this::describe);
        r.get(BASE + "/{module}/{id}", this::read);
        r.post(BASE + "/{module}", this::create);
        r.patch(BASE + "/{module}/{id}", this::update);
        r.delete(BASE + "/{module}/{id}", this::delete);
        r.exception(BearerToken.Rejected.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge);
            fail(ctx, e.status, e.error == null ? "unauthorized" : e.error,
                    e.getMessage() == null ? "an access token is required" : e.getMessage(), null);
        });
        r.exception(QueryError.class, (e, ctx) -> {
            Map<String, Object> where = new LinkedHashMap<>();
            if (e.line > 0) {
                where.put("line", e.line);
                where.put("column", e.column);
            }
            fail(ctx, 400, "INVALID_QUERY", e.getMessage(), where);
        });
        r.exception(RecordException.class, (e, ctx) -> {
            switch (e.kind) {
                case NOT_FOUND -> fail(ctx, 404, "RECORD_NOT_FOUND", e.getMessage(), null);
                case FORBIDDEN -> fail(ctx, 403, "ACCESS_DENIED", e.getMessage(), null);
                case INVALID -> fail(ctx, 400, "INVALID_FIELDS", e.getMessage(), Map.of("fields", e.fields));
                case PRECONDITION_FAILED -> fail(ctx, 412, "PRECONDITION_FAILED", e.getMessage(), null);
                case CONFLICT -> fail(ctx, 409, "CONFLICT", e.getMessage(), null);
            }
        });
        r.exception(BadRequest.class, (e, ctx) -> fail(ctx, e.status, e.code, e.getMessage(), null));
    }

    // ---- the one check of token and scope, for every route -------------------------------------

    /** Which scope a call needs: reading calls need read, writing calls need write; the documents are public. */
    static Kind kindOf(String method, String path) {
        if (path.equals(BASE + "/openapi.json")) return Kind.PUBLIC;
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) return Kind.READ;
        if (method.equals("POST") && path.equals(BASE + "/vtews/query")) return Kind.READ;
        return Kind.WRITE;
    }

    static boolean allows(Set<String> scopes, Kind kind) {
        if (scopes.contains(Scopes.REST_ALL) || scopes.contains(Scopes.API)) return true;
        return kind == Kind.READ ? scopes.contains(Scopes.REST_READ) : scopes.contains(Scopes.REST_WRITE);
    }

    private void guard(Context ctx) {
        Kind kind = kindOf(ctx.method().name(), ctx.path());
        if (kind == Kind.PUBLIC) return;
        AccessTokens.Active token = bearer.require(ctx);
        if (!allows(token.record().scopes(), kind)) {
            throw bearer.insufficientScope(kind == Kind.READ ? Scopes.REST_READ : Scopes.REST_WRITE);
        }
        ctx.attribute(TOKEN, token);
    }

    private Viewer viewer(Context ctx) {
        AccessTokens.Active t = ctx.attribute(TOKEN);
        if (t == null) throw new IllegalStateException("route reached without the token check");
        // A token acts as an administrator only while connections with administrators are allowed.
        return new Viewer(t.user().id(), t.user().admin() && adminConnections.getAsBoolean(), t.app().id(), t.app().clientId());
    }

    // ---- routes ----------------------------------------------------------------------------------

    private void query(Context ctx) {
        JsonNode body = body(ctx);
        if (!body.isObject() || !body.path("query").isTextual() || body.size() != 1) {
            throw new BadRequest(400, "INVALID_REQUEST", "the body must be {\"query\": \"SELECT ...\"}");
        }
        QueryResult result = records.query(body.get("query").textValue(), viewer(ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", true);
        out.put("result", result.rows());
        if (result.next() != null) out.put("next", result.next());
        ctx.json(out);
    }

    private void me(Context ctx) {
        AccessTokens.Active t = ctx.attribute(TOKEN);
        Viewer v = viewer(ctx);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("id", t.user().id());
        user.put("username", t.user().username());
        user.put("displayName", t.user().displayName());
        user.put("email", t.user().email());
        user.put("actsAsAdministrator", v.admin());
        user.put("role", roles.roleOf(t.user().id()).orElse(null));
        user.put("groups", roles.groupsOf(t.user().id()));
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("clientId", t.app().clientId());
        app.put("name", t.app().name());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("user", user);
        result.put("app", app);
        result.put("scopes", List.copyOf(t.record().scopes()));
        ok(ctx, 200, result);
    }

    private void describeAll(Context ctx) {
        List<Map<String, Object>> modules = Modules.ALL.stream().map(m -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", m.name());
            d.put("label", m.singular());
            d.put("sharing", sharing.of(m).code);
            return d;
        }).toList();
        ok(ctx, 200, Map.of("modules", modules));
    }

    private void describe(Context ctx) {
        ModuleDescription m = module(ctx);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", m.name());
        d.put("label", m.singular());
        Access access = sharing.of(m);
        d.put("sharing", access.code);
        d.put("fields", m.fields().stream().map(RestApi::describeField).toList());
        if (m.lines() != null) {
            d.put("lineitems", Map.of("name", m.lines().name(), "fields", m.lines().fields().stream().map(RestApi::describeField).toList()));
        }
        ok(ctx, 200, d);
    }

    static Map<String, Object> describeField(Field f) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", f.name());
        d.put("label", f.label());
        d.put("type", f.type().apiName());
        d.put("required", f.required());
        d.put("readOnly", f.readOnly());
        if (!f.picklist().isEmpty()) d.put("picklistValues", f.picklist());
        if (f.reference() != null) d.put("references", f.reference());
        if (f.maxLength() > 0) d.put("maxLength", f.maxLength());
        if (f.type() == dev.ostium.crm.FieldType.NUMBER || f.type() == dev.ostium.crm.FieldType.MONEY) d.put("decimals", f.scale());
        if (f.min() != null && f.type() == dev.ostium.crm.FieldType.NUMBER && !f.name().equals("id")) d.put("minimum", f.min());
        if (f.max() != null && f.type() == dev.ostium.crm.FieldType.NUMBER && !f.name().equals("id")) d.put("maximum", f.max());
        return d;
    }

    private void read(Context ctx) {
        ModuleDescription m = module(ctx);
        long id = id(ctx, m);
        CrmRecord r = records.get(m, id, viewer(ctx)).orElseThrow(() -> RecordException.notFound(m, id));
        render(ctx, 200, r);
    }

    private void create(Context ctx) {
        ModuleDescription m = module(ctx);
        String key = ctx.header("Idempotency-Key");
        if (key != null && (key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new BadRequest(400, "INVALID_REQUEST", "the Idempotency-Key must be 1 to 200 visible ASCII characters");
        }
        Records.Created created = records.create(m, body(ctx), viewer(ctx), key);
        ctx.header("Location", BASE + "/" + m.name() + "/" + created.record().id());
        if (created.replayed()) ctx.header("Idempotent-Replayed", "true");
        render(ctx, 201, created.record());
    }

    private void update(Context ctx) {
        ModuleDescription m = module(ctx);
        long id = id(ctx, m);
        render(ctx, 200, records.update(m, id, body(ctx), viewer(ctx), ctx.header("If-Match")));
    }

    private void delete(Context ctx) {
        ModuleDescription m = module(ctx);
        long id = id(ctx, m);
        records.delete(m, id, viewer(ctx), ctx.header("If-Match"));
        ok(ctx, 200, Map.of("id", id, "deleted", true));
    }

    // ---- reading requests, writing answers -------------------------------------------------------

    private static ModuleDescription module(Context ctx) {
        String name = ctx.pathParam("module");
        return Modules.named(name).orElseThrow(() -> {
            String hint = name.length() <= 64 ? Suggestions.didYouMean(name, Modules.names()) : null;
            return new BadRequest(404, "UNKNOWN_MODULE", "no module named '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                    + "'; " + (hint != null ? hint : "modules: " + String.join(", ", Modules.names())));
        });
    }

    private static long id(Context ctx, ModuleDescription m) {
        String raw = ctx.pathParam("id");
        if (!raw.matches("[1-9][0-9]{0,17}")) throw RecordException.notFound(m, raw.length() > 20 ? raw.substring(0, 20) + "..." : raw);
        return Long.parseLong(raw);
    }

    private JsonNode body(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new BadRequest(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
        }
        byte[] raw;
        try {
            raw = ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            if (e.getStatus() == 413) throw tooLarge();
            throw e;
        }
        if (raw.length > MAX_BODY) throw tooLarge();
        try {
            JsonNode body = reader.readTree(raw);
            if (body == null || body.isMissingNode()) throw new BadRequest(400, "INVALID_JSON", "the body is empty; send a JSON object");
            return body;
        } catch (java.io.IOException e) {
            throw new BadRequest(400, "INVALID_JSON", dev.ostium.web.JsonErrors.duplicateField(e)
                    .map(f -> "field '" + f + "' is given twice").orElse("the body is not valid JSON"));
        }
    }

    private static BadRequest tooLarge() {
        return new BadRequest(413, "REQUEST_TOO_LARGE", "the request body is too large (at most " + MAX_BODY + " bytes)");
    }

    private static void render(Context ctx, int status, CrmRecord r) {
        Map<String, Object> result = new LinkedHashMap<>(r.values());
        if (r.module().lines() != null) result.put(r.module().lines().name(), r.lines());
        ctx.header("ETag", r.etag());
        ok(ctx, status, result);
    }

    private static void ok(Context ctx, int status, Object result) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", true);
        out.put("result", result);
        ctx.status(status).header("Cache-Control", "no-store").json(out);
    }

    /** The API's error shape: {"success": false, "error": {"code", "message", ...}}. */
    static void fail(Context ctx, int status, String code, String message, Map<String, Object> more) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (more != null) error.putAll(more);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", false);
        out.put("error", error);
        ctx.status(status).header("Cache-Control", "no-store").json(out);
    }

    /** A request the API refuses before reaching the data: wrong media type, bad JSON, unknown module. */
    static final class BadRequest extends RuntimeException {
        final int status;
        final String code;

        BadRequest(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
