package dev.ostium.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.directory.User;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Records every successful change made through the admin API in the audit trail, in one place: the kind
 * comes from the route ({@code POST /admin/api/apps/{clientId}/disable} is {@code app.disabled}), the
 * actor is the authenticated administrator, and the detail is the fields that were sent — never a
 * secret (requests carry none; keys and icons are left out for their size).
 */
final class AdminAudit {

    private static final String PREFIX = "/admin/api/";
    private static final Set<String> LEFT_OUT = Set.of("publicKey", "icon");
    /** The kind of each changing route; a route missing here is still recorded, under its method and path. */
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("POST apps", "app.created"),
            Map.entry("PATCH apps/{clientId}", "app.updated"),
            Map.entry("DELETE apps/{clientId}", "app.deleted"),
            Map.entry("POST apps/{clientId}/enable", "app.enabled"),
            Map.entry("POST apps/{clientId}/disable", "app.disabled"),
            Map.entry("POST apps/{clientId}/secret", "app.secret_rotated"),
            Map.entry("POST apps/{clientId}/keys", "app.keys_generated"),
            Map.entry("PUT apps/{clientId}/public-key", "app.public_key_uploaded"),
            Map.entry("POST apps/{clientId}/revoke-tokens", "app.tokens_revoked"),
            Map.entry("PUT apps/{clientId}/icon", "app.icon_uploaded"),
            Map.entry("DELETE apps/{clientId}/icon", "app.icon_removed"),
            Map.entry("DELETE apps/{clientId}/consents/{username}", "consent.revoked"),
            Map.entry("POST templates", "template.created"),
            Map.entry("PATCH templates/{name}", "template.updated"),
            Map.entry("DELETE templates/{name}", "template.deleted"),
            Map.entry("PUT settings", "settings.changed"),
            Map.entry("POST keys/rotate", "keys.rotated"),
            Map.entry("POST users/{username}/disable", "user.disabled"),
            Map.entry("POST users/{username}/enable", "user.enabled"));

    private final AuditTrail audit;
    private final ObjectMapper json;

    AdminAudit(AuditTrail audit, ObjectMapper json) {
        this.audit = audit;
        this.json = json;
    }

    /** The attribute a create handler sets to name the app it created. */
    static final String CREATED_CLIENT_ID = "audit.createdClientId";

    void after(Context ctx) {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || ctx.statusCode() >= 400) return;
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        if (endpoint == null || !endpoint.path.startsWith(PREFIX) || !(ctx.attribute("admin") instanceof User admin)) return;
        String route = method + " " + endpoint.path.substring(PREFIX.length());
        String kind = KINDS.getOrDefault(route, "admin." + route);
        Map<String, String> params = ctx.pathParamMap();
        String clientId = params.containsKey("clientId") ? params.get("clientId") : ctx.attribute(CREATED_CLIENT_ID);
        Map<String, Object> detail = sent(ctx);
        if (params.containsKey("name")) detail.put("template", params.get("name"));
        audit.record(AuditEvent.of(kind, admin.username(), clientId, params.get("username"), ctx.ip(), detail));
    }

    private Map<String, Object> sent(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0 || !String.valueOf(ctx.contentType()).startsWith("application/json")) return out;
        try {
            Map<?, ?> fields = json.readValue(body, Map.class);
            fields.forEach((k, v) -> {
                if (LEFT_OUT.contains(String.valueOf(k))) out.put(String.valueOf(k), "(sent)");
                else out.put(String.valueOf(k), v instanceof String s && s.length() > 200 ? s.substring(0, 200) + "…" : v);
            });
            return out;
        } catch (Exception e) {
            return out;
        }
    }
}
