package dev.ostium.crm;

import java.util.function.Function;

/**
 * The SQL condition saying which records of a module a viewer may read or write: always part of the
 * statement, so rows a user may not see never leave the database.
 */
public final class Visibility {

    private final Function<ModuleDescription, Access> sharing;

    /** @param sharing each module's sharing rule (normally {@link Sharing#of}) */
    public Visibility(Function<ModuleDescription, Access> sharing) {
        this.sharing = sharing;
    }

    /** A condition over the table behind {@code alias} that holds for readable records. */
    public Sql readable(ModuleDescription module, String alias, Viewer viewer) {
        if (viewer.admin() || sharing.apply(module).everyoneReads()) return new Sql().sql("1 = 1");
        return owned(alias, viewer);
    }

    /** A condition that holds for records the viewer may change or delete. */
    public Sql writable(ModuleDescription module, String alias, Viewer viewer) {
        if (viewer.admin() || sharing.apply(module).everyoneWrites()) return new Sql().sql("1 = 1");
        return owned(alias, viewer);
    }

    /** Owner, member of the owning group, or above the owner in the role hierarchy. */
    private static Sql owned(String alias, Viewer viewer) {
        return new Sql()
                .sql("(" + alias + ".owner_user_id = ").value(viewer.userId())
                .sql(" or " + alias + ".owner_group_id in (select gm.group_id from group_members gm where gm.user_id = ")
                .value(viewer.userId()).sql(")")
                .sql(" or " + alias + ".owner_user_id in (select ur.user_id from user_roles ur"
                        + " join role_tree rt on rt.descendant_id = ur.role_id"
                        + " join user_roles me on me.role_id = rt.ancestor_id where me.user_id = ")
                .value(viewer.userId()).sql("))");
    }
}
