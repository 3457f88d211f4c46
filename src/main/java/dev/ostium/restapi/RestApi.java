package dev.ostium.restapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.apps.Scopes;
import dev.ostium.crm.Records;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.HttpServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The business REST API under /restapi/v1 (the vtenext "vtews" shape): here, the query call. */
public final class RestApi {

    private final BearerToken bearer;
    private final Records records;
    private final ObjectMapper json;

    public RestApi(BearerToken bearer, Records records, ObjectMapper json) {
        this.bearer = bearer;
        this.records = records;
        this.json = json;
    }

    public void routes(RoutesConfig routes) {
        // Business data and errors about it are never stored by a cache on the way.
        routes.before("/restapi/*", ctx -> ctx.header("Cache-Control", "no-store"));
        routes.post("/restapi/v1/vtews/query", this::query);
        routes.exception(BearerToken.Rejected.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", false);
            body.put("error", Map.of("code", e.error == null ? "unauthorized" : e.error,
                    "message", e.getMessage() == null ? "an access token is required" : e.getMessage()));
            ctx.status(e.status).json(body);
        });
        routes.exception(QueryException.class, (e, ctx) -> fail(ctx, 400, "INVALID_QUERY", e.getMessage()));
    }

    private void query(Context ctx) {
        AccessTokens.Active token = bearer.require(ctx);
        if (!Scopes.allowsRead(token.record().scopes())) throw BearerToken.insufficientScope(Scopes.REST_READ);
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            fail(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "send the query as application/json: {\"query\": \"SELECT ...\"}");
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(ctx.bodyAsBytes());
        } catch (io.javalin.http.HttpResponseException e) {
            if (e.getStatus() != 413) throw e;
            fail(ctx, 413, "TOO_LARGE", "the body is too large (at most " + HttpServer.MAX_REQUEST_BYTES / 1024 + " KiB)");
            return;
        } catch (Exception e) {
            fail(ctx, 400, "INVALID_JSON", "the body is not valid JSON");
            return;
        }
        if (body == null || !body.isObject() || !body.path("query").isTextual()) {
            fail(ctx, 400, "INVALID_REQUEST", "the body must be {\"query\": \"SELECT ...\"}");
            return;
        }
        Query q = QueryParser.parse(body.get("query").asText());
        List<Map<String, Object>> rows = records.select(q, token.user());
        ctx.json(Map.of("success", true, "result", rows));
    }

    private static void fail(Context ctx, int status, String code, String message) {
        ctx.status(status).json(Map.of("success", false, "error", Map.of("code", code, "message", message)));
    }
}
