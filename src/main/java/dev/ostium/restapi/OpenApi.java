package dev.ostium.restapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.apps.Scopes;
import dev.ostium.crm.Field;
import dev.ostium.crm.FieldType;
import dev.ostium.crm.ModuleDescription;
import dev.ostium.crm.Modules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OpenAPI 3.1 document of the REST API, generated from the module descriptions once at start. */
public final class OpenApi {

    private final String json;

    public OpenApi(String issuer, String authorizationUrl, String tokenUrl, ObjectMapper mapper) {
        try {
            this.json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(document(issuer, authorizationUrl, tokenUrl));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String json() {
        return json;
    }

    private static Map<String, Object> document(String issuer, String authorizationUrl, String tokenUrl) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", map("title", "Ostium CRM REST API", "version", "1",
                "description", "The business data behind Ostium's tokens. Every call is filtered by the token user's "
                        + "visibility; reading calls need rest.all.read, writing calls rest.all.write (rest.all and api allow both)."));
        doc.put("servers", List.of(map("url", issuer + RestApi.BASE)));
        Map<String, Object> scopes = map(Scopes.REST_ALL, "read and write", Scopes.REST_READ, "reading calls only",
                Scopes.REST_WRITE, "writing calls only", Scopes.API, "the same as rest.all");
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("securitySchemes", map("oauth2", map("type", "oauth2", "description",
                "Access tokens from Ostium's token endpoint: a service account's (client_credentials or JWT bearer) "
                        + "or a person's, through the authorization code flow with PKCE.",
                "flows", map("clientCredentials", map("tokenUrl", tokenUrl, "scopes", scopes),
                        "authorizationCode", map("authorizationUrl", authorizationUrl, "tokenUrl", tokenUrl,
                                "refreshUrl", tokenUrl, "scopes", scopes)))));
        Map<String, Object> schemas = new LinkedHashMap<>();
        components.put("schemas", schemas);
        schemas.put("Error", map("type", "object", "required", List.of("success", "error"), "properties", map(
                "success", map("const", false),
                "error", map("type", "object", "required", List.of("code", "message"), "properties", map(
                        "code", map("type", "string"), "message", map("type", "string"),
                        "line", map("type", "integer"), "column", map("type", "integer"),
                        "fields", map("type", "object", "additionalProperties", map("type", "string")))))));
        doc.put("components", components);

        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("/vtews/query", map("post", op("query", "Runs a query of the query language",
                "SELECT <fields|*|count(*)> FROM <Module> [WHERE ...] [ORDER BY ...] [LIMIT [offset,] n]; at most the "
                        + "server's max-rows per answer, with \"next\" holding the query of the following page.",
                false, map("required", true, "content", map("application/json", map("schema", map("type", "object",
                        "required", List.of("query"), "additionalProperties", false,
                        "properties", map("query", map("type", "string", "examples", List.of("SELECT * FROM Invoice;"))))))),
                map("type", "object", "properties", map("success", map("const", true),
                        "result", map("type", "array", "items", map("type", "object")),
                        "next", map("type", "string"))), "200")));
        paths.put("/me", map("get", op("me", "The token's user, app and scopes", null, false, null,
                map("type", "object"), "200")));
        paths.put("/describe", map("get", op("describeAll", "The modules", null, false, null, map("type", "object"), "200")));
        paths.put("/describe/{module}", map("parameters", List.of(map("name", "module", "in", "path", "required", true,
                        "schema", map("type", "string", "enum", Modules.names()))),
                "get", op("describe", "A module's fields", null, false, null, map("type", "object"), "200")));
        for (ModuleDescription m : Modules.ALL) {
            schemas.put(m.name(), schema(m, false));
            schemas.put(m.name() + "Input", schema(m, true));
            Map<String, Object> ref = map("$ref", "#/components/schemas/" + m.name());
            Map<String, Object> input = map("required", true, "content", map("application/json",
                    map("schema", map("$ref", "#/components/schemas/" + m.name() + "Input"))));
            Map<String, Object> create = op("create" + m.name(), "Creates a " + m.singular(),
                    "Send an Idempotency-Key header so a retried request does not create twice.", true, input, ref, "201");
            create.put("parameters", List.of(map("name", "Idempotency-Key", "in", "header", "required", false,
                    "schema", map("type", "string", "maxLength", 200))));
            paths.put("/" + m.name(), map("post", create));
            Map<String, Object> ifMatch = map("name", "If-Match", "in", "header", "required", false,
                    "description", "the ETag of the version being changed; a stale one is answered 412", "schema", map("type", "string"));
            Map<String, Object> update = op("update" + m.name(), "Changes the fields sent", null, true, input, ref, "200");
            update.put("parameters", List.of(ifMatch));
            Map<String, Object> delete = op("delete" + m.name(), "Deletes a " + m.singular(), null, true, null,
                    map("type", "object", "properties", map("id", map("type", "integer"), "deleted", map("const", true))), "200");
            delete.put("parameters", List.of(ifMatch));
            paths.put("/" + m.name() + "/{id}", map(
                    "parameters", List.of(map("name", "id", "in", "path", "required", true, "schema", map("type", "integer", "minimum", 1))),
                    "get", op("get" + m.name(), "Reads a " + m.singular(), null, false, null, ref, "200"),
                    "patch", update, "delete", delete));
        }
        doc.put("paths", paths);
        return doc;
    }

    private static Map<String, Object> op(String id, String summary, String description, boolean write, Map<String, Object> body,
                                          Map<String, Object> result, String status) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("operationId", id);
        o.put("summary", summary);
        if (description != null) o.put("description", description);
        o.put("security", List.of(map("oauth2", List.of(write ? Scopes.REST_WRITE : Scopes.REST_READ)),
                map("oauth2", List.of(Scopes.REST_ALL))));
        if (body != null) o.put("requestBody", body);
        Map<String, Object> error = map("description", "an error", "content", map("application/json",
                map("schema", map("$ref", "#/components/schemas/Error"))));
        Map<String, Object> responses = new LinkedHashMap<>();
        Map<String, Object> envelope = result.containsKey("properties") && ((Map<?, ?>) result.get("properties")).containsKey("success")
                ? result : map("type", "object", "properties", map("success", map("const", true), "result", result));
        responses.put(status, map("description", "success", "content", map("application/json", map("schema", envelope))));
        for (String s : write ? List.of("400", "401", "403", "404", "409", "412") : List.of("400", "401", "403", "404")) {
            responses.put(s, error);
        }
        o.put("responses", responses);
        return o;
    }

    private static Map<String, Object> schema(ModuleDescription m, boolean input) {
        Map<String, Object> props = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Field f : m.fields()) {
            if (input && f.readOnly()) continue;
            props.put(f.name(), fieldSchema(f, input));
            if (input && f.required()) required.add(f.name());
        }
        if (m.lines() != null) {
            Map<String, Object> lineProps = new LinkedHashMap<>();
            List<String> lineRequired = new ArrayList<>();
            for (Field f : m.lines().fields()) {
                if (input && f.readOnly()) continue;
                lineProps.put(f.name(), fieldSchema(f, input));
                if (input && f.required()) lineRequired.add(f.name());
            }
            Map<String, Object> line = map("type", "object", "properties", lineProps);
            if (input) {
                line.put("required", lineRequired);
                line.put("additionalProperties", false);
            }
            props.put(m.lines().name(), map("type", "array", "items", line, "minItems", 1));
            if (input) required.add(m.lines().name());
        }
        Map<String, Object> s = map("type", "object", "properties", props);
        if (input) {
            s.put("additionalProperties", false);
            s.put("description", "On create, the required fields must be present; on update, send only what changes.");
            s.put("required", required);
        }
        return s;
    }

    private static Map<String, Object> fieldSchema(Field f, boolean input) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("title", f.label());
        switch (f.type()) {
            case TEXT, PHONE -> s.put("type", List.of("string", "null"));
            case EMAIL -> {
                s.put("type", List.of("string", "null"));
                s.put("format", "email");
            }
            case PICKLIST -> {
                s.put("type", List.of("string", "null"));
                List<Object> values = new ArrayList<>(f.picklist());
                values.add(null);
                s.put("enum", values);
            }
            case NUMBER -> {
                s.put("type", List.of(f.scale() == 0 ? "integer" : "number", "null"));
                if (!f.name().equals("id")) {
                    s.put("minimum", f.min());
                    s.put("maximum", f.max());
                }
            }
            case MONEY -> {
                s.put("type", input ? List.of("number", "string", "null") : List.of("string", "null"));
                s.put("description", "an exact amount with two decimals" + (input ? "" : ", as a string"));
            }
            case DATE -> {
                s.put("type", List.of("string", "null"));
                s.put("format", "date");
            }
            case DATETIME -> {
                s.put("type", List.of("string", "null"));
                s.put("format", "date-time");
            }
            case BOOLEAN -> s.put("type", List.of("boolean", "null"));
            case REFERENCE -> {
                s.put("type", List.of("integer", "null"));
                s.put("description", "the id of a record of " + f.reference());
            }
            case USER -> s.put("type", List.of("integer", "null"));
            case GROUP -> s.put("type", List.of("integer", "null"));
        }
        if (f.maxLength() > 0 && f.type() != FieldType.PICKLIST) s.put("maxLength", f.maxLength());
        if (f.readOnly()) s.put("readOnly", true);
        return s;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
