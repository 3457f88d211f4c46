package dev.ostium.console;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.ostium.crm.Access;
import dev.ostium.crm.ChangeLog;
import dev.ostium.crm.ModuleDescription;
import dev.ostium.crm.Modules;
import dev.ostium.crm.Sharing;
import dev.ostium.directory.Directory;
import dev.ostium.web.HttpServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CRM's part of the admin API: the change record of the REST API (who changed what, through which
 * app) and the per-module sharing rules. Lives under /admin/api, so {@link AdminApi}'s administrator
 * check and same-site rule guard it like every other admin call.
 */
public final class CrmAdminApi {

    private static final int MAX_LIMIT = 500;

    private final ChangeLog changes;
    private final Sharing sharing;
    private final Directory directory;
    private final ObjectReader json;

    public CrmAdminApi(ChangeLog changes, Sharing sharing, Directory directory, ObjectMapper json) {
        this.changes = changes;
        this.sharing = sharing;
        this.directory = directory;
        // One JSON value and nothing after it, as every admin API body.
        this.json = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public void routes(RoutesConfig r) {
        r.get("/admin/api/crm/changes", this::changes);
        r.get("/admin/api/crm/sharing", ctx -> ctx.json(sharingView()));
        r.put("/admin/api/crm/sharing", this::setSharing);
    }

    private void changes(Context ctx) {
        String moduleName = ctx.queryParam("module");
        ModuleDescription module = null;
        if (moduleName != null) {
            Optional<ModuleDescription> m = Modules.named(moduleName);
            if (m.isEmpty()) {
                HttpServer.error(ctx, 400, "invalid_request", "unknown module; modules: " + String.join(", ", Modules.names()));
                return;
            }
            module = m.get();
        }
        Long record = number(ctx, "record");
        Long before = number(ctx, "before");
        Long limit = number(ctx, "limit");
        if (ctx.statusCode() == 400) return;
        int n = limit == null ? 100 : (int) Math.min(Math.max(limit, 1), MAX_LIMIT);
        List<ChangeLog.Change> found = changes.list(module == null ? null : module.name(), record, before, n);
        List<Map<String, Object>> out = new ArrayList<>();
        for (ChangeLog.Change c : found) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", c.id());
            v.put("module", c.module());
            v.put("recordId", c.recordId());
            v.put("action", c.action());
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("id", c.userId());
            user.put("username", directory.byId(c.userId()).map(u -> u.username()).orElse(null));
            v.put("user", user);
            Map<String, Object> app = new LinkedHashMap<>();
            app.put("id", c.appId());
            app.put("clientId", c.clientId());
            v.put("app", app);
            v.put("at", c.at().toString());
            v.put("changes", c.changes());
            out.add(v);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("changes", out);
        // Older entries: ask again with before=<the last id>.
        body.put("before", found.size() == n ? found.get(found.size() - 1).id() : null);
        ctx.json(body);
    }

    private static Long number(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        if (!v.matches("[0-9]{1,18}")) {
            HttpServer.error(ctx, 400, "invalid_request", name + " must be a whole number");
            return null;
        }
        return Long.parseLong(v);
    }

    private Map<String, String> sharingView() {
        Map<String, String> out = new LinkedHashMap<>();
        sharing.all().forEach((k, v) -> out.put(k, v.code));
        return out;
    }

    private void setSharing(Context ctx) {
        JsonNode body;
        try {
            body = json.readTree(ctx.bodyAsBytes());
        } catch (Exception e) {
            HttpServer.error(ctx, 400, "invalid_request", "send a JSON object such as {\"Accounts\": \"public_read\"}");
            return;
        }
        if (body == null || !body.isObject() || body.isEmpty()) {
            HttpServer.error(ctx, 400, "invalid_request", "send a JSON object such as {\"Accounts\": \"public_read\"}");
            return;
        }
        Map<ModuleDescription, Access> wanted = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Optional<ModuleDescription> m = Modules.named(e.getKey());
            Optional<Access> a = e.getValue().isTextual() ? Access.of(e.getValue().textValue()) : Optional.empty();
            if (m.isEmpty() || a.isEmpty()) {
                HttpServer.error(ctx, 400, "invalid_request", "each entry is a module (" + String.join(", ", Modules.names())
                        + ") and one of private, public_read, public_read_write");
                return;
            }
            wanted.put(m.get(), a.get());
        }
        wanted.forEach(sharing::set);
        ctx.json(sharingView());
    }
}
