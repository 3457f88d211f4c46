package dev.ostium.directory;

import dev.ostium.db.Database;
import java.util.Optional;

/**
 * The role hierarchy (CEO above Sales Manager above Sales Rep, ...): each user holds at most one role,
 * and a role sees what the roles below it own. The tree is kept as a closure table so the question
 * "whose records are below me" is a join.
 */
public final class Roles {

    private final Database db;

    public Roles(Database db) {
        this.db = db;
    }

    /** Creates a role under the given parent (null: a top role). */
    public long create(String name, Long parentId) {
        return db.jdbi().inTransaction(h -> {
            long id = h.createUpdate("insert into roles (name, parent_id) values (:n, :p)")
                    .bind("n", name).bind("p", parentId).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            if (parentId != null) {
                h.createUpdate("insert into role_tree (ancestor_id, descendant_id) "
                                + "select ancestor_id, :id from role_tree where descendant_id = :p")
                        .bind("id", id).bind("p", parentId).execute();
                h.createUpdate("insert into role_tree (ancestor_id, descendant_id) values (:p, :id)")
                        .bind("p", parentId).bind("id", id).execute();
            }
            return id;
        });
    }

    /** Gives the user this role, replacing any role the user had. */
    public void assign(long userId, long roleId) {
        db.jdbi().useTransaction(h -> {
            h.createUpdate("delete from user_roles where user_id = :u").bind("u", userId).execute();
            h.createUpdate("insert into user_roles (user_id, role_id) values (:u, :r)").bind("u", userId).bind("r", roleId).execute();
        });
    }

    public Optional<String> roleOf(long userId) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "select r.name from user_roles ur join roles r on r.id = ur.role_id where ur.user_id = :u")
                .bind("u", userId).mapTo(String.class).findOne());
    }

    /** The names of the groups the user belongs to. */
    public java.util.List<String> groupsOf(long userId) {
        return db.jdbi().withHandle(h -> h.createQuery("select g.name from group_members m join user_groups g on g.id = m.group_id "
                        + "where m.user_id = :u order by g.name")
                .bind("u", userId).mapTo(String.class).list());
    }
}
