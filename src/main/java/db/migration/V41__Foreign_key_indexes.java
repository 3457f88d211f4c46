package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Fewer index writes for every token stored. The embedded database gives a foreign key an index of its own
 * unless an index on exactly its column exists when the key is declared, so each access-token insert wrote
 * two indexes on {@code app_id} and each refresh-token insert two on {@code family_id} and one on
 * {@code app_id}.
 * <ul>
 * <li>{@code refresh_tokens.family_id}: re-declared after {@code refresh_tokens_family}, whose index it now uses.
 * <li>{@code refresh_tokens.app_id}: no key; a refresh token goes with its family, and the family with its app.
 * <li>{@code access_tokens.app_id}: no key; deleting an app deletes its token records in the same transaction
 *     ({@code AppRegistry.delete}), through {@code access_tokens_app}.
 * </ul>
 * On PostgreSQL, where a foreign key has no index of its own, only the two keys are dropped.
 */
public class V41__Foreign_key_indexes extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        boolean h2 = c.getMetaData().getDatabaseProductName().toLowerCase().contains("h2");
        try (Statement s = c.createStatement()) {
            dropForeignKeys(c, s, "refresh_tokens", "app_id");
            dropForeignKeys(c, s, "access_tokens", "app_id");
            if (h2) {
                dropForeignKeys(c, s, "refresh_tokens", "family_id");
                s.execute("alter table refresh_tokens add foreign key (family_id) references token_families(id) on delete cascade");
            }
        }
    }

    static void dropForeignKeys(Connection c, Statement s, String table, String column) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                select tc.constraint_name from information_schema.table_constraints tc
                join information_schema.key_column_usage k on k.constraint_schema = tc.constraint_schema
                  and k.constraint_name = tc.constraint_name
                where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema
                  and lower(tc.table_name) = ? and lower(k.column_name) = ?""")) {
            q.setString(1, table);
            q.setString(2, column);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        for (String name : names) s.execute("alter table " + table + " drop constraint \"" + name + "\"");
    }
}
