package dev.ostium.directory;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Users and groups: lookup, login check, creation, enabling and disabling. Lookups by id are cached per
 * node; every change goes through the change feed, so each node drops its copy at once. Disabling a user
 * also ends their login sessions in the same transaction.
 */
public final class Directory {

    private static final String COLUMNS = "id, username, display_name, email, organisation, is_admin, enabled";
    private static final RowMapper<User> USER = (rs, ctx) -> user(rs, 1);

    /** The seven columns {@link #user} reads, of the users table under {@code alias}, for joins. */
    public static String columns(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    /** A user from the seven columns of {@link #columns}, the first at {@code i}. */
    public static User user(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new User(rs.getLong(i), rs.getString(i + 1), rs.getString(i + 2), rs.getString(i + 3), rs.getString(i + 4),
                rs.getBoolean(i + 5), rs.getBoolean(i + 6));
    }

    public static final String TOPIC = "user";

    private final Database db;
    private final ChangeFeed changes;
    private final Clock clock;
    private final LoadingCache<Long, Optional<User>> byId;
    private final List<LongConsumer> whenDisabled = new CopyOnWriteArrayList<>();

    public Directory(Database db, ChangeFeed changes, Clock clock) {
        this.db = db;
        this.changes = changes;
        this.clock = clock;
        this.byId = Caffeine.newBuilder().executor(Runnable::run).maximumSize(100_000).build(this::load);
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic)) byId.invalidate(Long.parseLong(ref));
            else if (ChangeFeed.EVERYTHING.equals(topic)) byId.invalidateAll();
        });
    }

    private Optional<User> load(Long id) {
        return db.jdbi().withHandle(h -> h.createQuery("select " + COLUMNS + " from users where id = :id")
                .bind("id", id).map(USER).findOne());
    }

    public Optional<User> byId(long id) {
        return byId.get(id);
    }

    public Optional<User> byUsername(String username) {
        // No user name holds a NUL, and PostgreSQL refuses to compare one.
        if (username == null || username.indexOf('\0') >= 0) return Optional.empty();
        return db.jdbi().withHandle(h -> h.createQuery("select " + COLUMNS + " from users where username = :u")
                .bind("u", username).map(USER).findOne());
    }

    public List<User> list() {
        return db.jdbi().withHandle(h -> h.createQuery("select " + COLUMNS + " from users order by username")
                .map(USER).list());
    }

    public boolean isEmpty() {
        return db.jdbi().withHandle(h -> h.createQuery("select count(*) from users").mapTo(Long.class).one() == 0);
    }

    /** The user when the password is right and the account enabled; the same work is done otherwise. */
    public Optional<User> authenticate(String username, String password) {
        Optional<String> hash = db.jdbi().withHandle(h -> h.createQuery(
                "select password_hash from users where username = :u").bind("u", username).mapTo(String.class).findOne());
        boolean ok = Passwords.verify(password, hash.orElse(null));
        return ok && hash.isPresent() ? byUsername(username).filter(User::enabled) : Optional.empty();
    }

    public User create(String username, String password, String displayName, String email, String organisation,
                       boolean admin) {
        long id = db.jdbi().inTransaction(h -> h.createUpdate(
                        "insert into users (username, password_hash, display_name, email, organisation, is_admin, enabled, created_at) "
                                + "values (:u, :p, :d, :e, :o, :a, true, :at)")
                .bind("u", username).bind("p", Passwords.hash(password)).bind("d", displayName).bind("e", email)
                .bind("o", organisation).bind("a", admin).bind("at", clock.millis())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return byId(id).orElseThrow();
    }

    public long createGroup(String name, String description) {
        return db.jdbi().inTransaction(h -> h.createUpdate("insert into user_groups (name, description) values (:n, :d)")
                .bind("n", name).bind("d", description).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    public void addToGroup(long groupId, long userId) {
        db.jdbi().useHandle(h -> h.createUpdate("insert into group_members (group_id, user_id) values (:g, :u)")
                .bind("g", groupId).bind("u", userId).execute());
    }

    /**
     * Enables or disables a user. A disabled user cannot log in, every login session of theirs ends, and
     * every token acting as them stops working at once on every node (validation reads the user through
     * the cache this drops; the session check reads the users table itself). What else must end for good
     * when a user is disabled (their refresh-token families) is done by whoever registered with
     * {@link #whenDisabled}, so enabling the user again does not bring it back.
     */
    public User setEnabled(long userId, boolean enabled) {
        db.jdbi().useTransaction(h -> {
            h.createUpdate("update users set enabled = :e where id = :id").bind("e", enabled).bind("id", userId).execute();
            if (!enabled) h.createUpdate("delete from login_sessions where user_id = :id").bind("id", userId).execute();
            changes.record(h, TOPIC, Long.toString(userId));
        });
        changes.applyLocally(TOPIC, Long.toString(userId));
        if (!enabled) whenDisabled.forEach(action -> action.accept(userId));
        return byId(userId).orElseThrow();
    }

    /** Runs {@code action} with the user's id each time a user is disabled, after the disable is stored. */
    public void whenDisabled(LongConsumer action) {
        whenDisabled.add(action);
    }

    /** The names of every group, for pickers. */
    public List<String> groupNames() {
        return db.jdbi().withHandle(h -> h.createQuery("select name from user_groups order by name").mapTo(String.class).list());
    }

    public Optional<Long> groupId(String name) {
        return db.jdbi().withHandle(h -> h.createQuery("select id from user_groups where name = :n")
                .bind("n", name).mapTo(Long.class).findOne());
    }

    /** The user as stored right now, past the one-minute cache: for checks that must see a disable at once. */
    public Optional<User> fresh(long id) {
        Optional<User> u = load(id);
        byId.put(id, u);
        return u;
    }
}
