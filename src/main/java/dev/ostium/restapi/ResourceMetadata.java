package dev.ostium.restapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.apps.Scopes;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 9728 protected resource metadata: names the REST API as a resource (the audience found in our JWT
 * access tokens and accepted as the token endpoint's {@code resource}), its authorization server and
 * scopes. Served at the well-known path and, as §3.1 derives it from the resource's path, under /restapi.
 */
public final class ResourceMetadata {

    public static final String PATH = "/.well-known/oauth-protected-resource";

    private final String json;

    public ResourceMetadata(String issuer, String resource, ObjectMapper mapper) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resource", resource);
        m.put("authorization_servers", List.of(issuer));
        m.put("scopes_supported", List.of(Scopes.REST_ALL, Scopes.REST_READ, Scopes.REST_WRITE, Scopes.API));
        m.put("bearer_methods_supported", List.of("header"));
        m.put("resource_name", "Ostium CRM REST API");
        m.put("resource_documentation", issuer + RestApi.BASE + "/openapi.json");
        try {
            this.json = mapper.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The metadata's address for a resource identifier, as RFC 9728 §3.1 builds it. */
    public static String urlFor(String issuer) {
        return issuer + PATH + "/restapi";
    }

    void handle(Context ctx) {
        ctx.status(200).contentType("application/json").header("Cache-Control", "public, max-age=60")
                .header("Access-Control-Allow-Origin", "*").result(json);
    }
}
