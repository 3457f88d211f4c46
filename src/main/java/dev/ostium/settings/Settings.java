package dev.ostium.settings;

import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/** Reads and writes the global switches; every node keeps a copy that the change feed refreshes. */
public final class Settings {

    public static final String TOPIC = "settings";

    private final Database db;
    private final ChangeFeed changes;
    private volatile GlobalSettings current;
    private final List<BiConsumer<GlobalSettings, GlobalSettings>> whenUpdated = new CopyOnWriteArrayList<>();

    public Settings(Database db, ChangeFeed changes) {
        this.db = db;
        this.changes = changes;
        this.current = load();
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic) || ChangeFeed.EVERYTHING.equals(topic)) current = load();
        });
    }

    public GlobalSettings get() {
        return current;
    }

    public GlobalSettings update(GlobalSettings s) {
        GlobalSettings before = current;
        db.jdbi().useTransaction(h -> {
            for (var e : Map.of("oauth_enabled", s.oauthEnabled(), "users_rotate_secrets", s.usersRotateSecrets(),
                    "admin_connections", s.adminConnections()).entrySet()) {
                h.createUpdate("update settings set setting_value = :v where setting_name = :n")
                        .bind("v", Boolean.toString(e.getValue())).bind("n", e.getKey()).execute();
            }
            changes.record(h, TOPIC, "all");
        });
        changes.applyLocally(TOPIC, "all");
        whenUpdated.forEach(action -> action.accept(before, current));
        return current;
    }

    /** Runs {@code action} with the settings before and after each update, after it is stored. */
    public void whenUpdated(BiConsumer<GlobalSettings, GlobalSettings> action) {
        whenUpdated.add(action);
    }

    private GlobalSettings load() {
        Map<String, String> v = db.jdbi().withHandle(h -> h.createQuery("select setting_name, setting_value from settings")
                .map((rs, ctx) -> Map.entry(rs.getString("setting_name"), rs.getString("setting_value"))).list())
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        return new GlobalSettings(Boolean.parseBoolean(v.get("oauth_enabled")),
                Boolean.parseBoolean(v.get("users_rotate_secrets")), Boolean.parseBoolean(v.get("admin_connections")));
    }
}
