package dev.ostium.crm;

import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-module sharing rules (private, public read, public read/write). Every node keeps a copy that the
 * change feed refreshes, so checking a rule costs no query.
 */
public final class Sharing {

    public static final String TOPIC = "crm_sharing";

    private final Database db;
    private final ChangeFeed changes;
    private volatile Map<String, Access> current;

    public Sharing(Database db, ChangeFeed changes) {
        this.db = db;
        this.changes = changes;
        this.current = load();
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic) || ChangeFeed.EVERYTHING.equals(topic)) reload();
        });
    }

    public Access of(ModuleDescription module) {
        return current.getOrDefault(module.name(), Access.PRIVATE);
    }

    public Map<String, Access> all() {
        Map<String, Access> out = new java.util.LinkedHashMap<>();
        for (ModuleDescription m : Modules.ALL) out.put(m.name(), of(m));
        return out;
    }

    public void set(ModuleDescription module, Access access) {
        db.jdbi().useTransaction(h -> {
            int n = h.createUpdate("update crm_sharing set access = :a where module = :m")
                    .bind("a", access.code).bind("m", module.name()).execute();
            if (n == 0) {
                h.createUpdate("insert into crm_sharing (module, access) values (:m, :a)")
                        .bind("a", access.code).bind("m", module.name()).execute();
            }
            changes.record(h, TOPIC, module.name());
        });
        changes.applyLocally(TOPIC, module.name());
    }

    /**
     * One reload at a time: the change feed's thread and a local change may both reload, and the one that
     * starts reading later must also be the one that stores its result, or an older read could win.
     */
    private synchronized void reload() {
        current = load();
    }

    private Map<String, Access> load() {
        Map<String, Access> m = new HashMap<>();
        db.jdbi().useHandle(h -> h.createQuery("select module, access from crm_sharing")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).list()
                .forEach(e -> Access.of(e.getValue()).ifPresent(a -> m.put(e.getKey(), a))));
        return Map.copyOf(m);
    }
}
