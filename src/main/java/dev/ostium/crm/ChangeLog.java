package dev.ostium.crm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.db.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * The change record: every create, update and delete made through the API — who (user and app), when,
 * which record, and the old and new value of each changed field — so a misbehaving integration can be
 * traced.
 */
public final class ChangeLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields every write touches; showing them in each entry would only hide the real changes. */
    private static final java.util.Set<String> BOOKKEEPING = java.util.Set.of("modifiedtime", "modified_user_id");

    /** One entry, as administrators read it. */
    public record Change(long id, String module, long recordId, String action, long userId, Long appId, String clientId,
                         Instant at, JsonNode changes) {}

    private final Database db;
    private final Clock clock;

    public ChangeLog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    void record(Handle h, ModuleDescription m, long id, String action, Viewer viewer, Map<String, Object> diff) {
        String text;
        try {
            text = JSON.writeValueAsString(diff);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        h.createUpdate("insert into crm_changes (module, record_id, action, user_id, app_id, client_id, changed_at, diff) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(0, m.name()).bind(1, id).bind(2, action).bind(3, viewer.userId()).bind(4, viewer.appId())
                .bind(5, viewer.clientId()).bind(6, clock.millis()).bind(7, text).execute();
    }

    /** field -> {"old": ..., "new": ...} for each field whose value differs; line items compare as a whole. */
    static Map<String, Object> diff(CrmRecord before, CrmRecord after) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> old = before == null ? Map.of() : before.values();
        Map<String, Object> now = after == null ? Map.of() : after.values();
        CrmRecord any = before != null ? before : after;
        for (Field f : any.module().fields()) {
            if (BOOKKEEPING.contains(f.name())) continue;
            Object o = old.get(f.name());
            Object n = now.get(f.name());
            if (!Objects.equals(o, n)) out.put(f.name(), pair(o, n));
        }
        if (any.module().lines() != null) {
            List<Map<String, Object>> o = before == null ? List.of() : before.lines();
            List<Map<String, Object>> n = after == null ? List.of() : after.lines();
            if (!o.equals(n)) out.put(any.module().lines().name(), pair(o, n));
        }
        return out;
    }

    private static Map<String, Object> pair(Object o, Object n) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("old", o);
        p.put("new", n);
        return p;
    }

    /**
     * Entries, newest first, optionally of one module or one record.
     *
     * @param beforeId only entries older than this id (paging backwards), or null
     */
    public List<Change> list(String module, Long recordId, Long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("select id, module, record_id, action, user_id, app_id, client_id, changed_at, diff "
                + "from crm_changes where 1 = 1");
        if (module != null) sql.append(" and module = :module");
        if (recordId != null) sql.append(" and record_id = :record");
        if (beforeId != null) sql.append(" and id < :before");
        sql.append(" order by id desc limit :limit");
        return db.jdbi().withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("limit", limit);
            if (module != null) q.bind("module", module);
            if (recordId != null) q.bind("record", recordId);
            if (beforeId != null) q.bind("before", beforeId);
            return q.map((rs, ctx) -> {
                long app = rs.getLong("app_id");
                Long appId = rs.wasNull() ? null : app;
                JsonNode changes;
                try {
                    changes = JSON.readTree(rs.getString("diff"));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                return new Change(rs.getLong("id"), rs.getString("module"), rs.getLong("record_id"), rs.getString("action"),
                        rs.getLong("user_id"), appId, rs.getString("client_id"), Instant.ofEpochMilli(rs.getLong("changed_at")),
                        changes);
            }).list();
        });
    }
}
