package db.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A family finds its refresh tokens through its chain, not an index. Every rotation inserted an entry into
 * {@code refresh_tokens_family} at the place of its family, a different page of the index for nearly every
 * rotation, and the one rotation writer spent a large part of its time writing those pages out. A family
 * now names its first refresh token, and each spent token names its successor (as it did), which is all
 * revocation, the connected-apps page and housekeeping need.
 *
 * <p>Families of earlier versions get their first refresh token (the one of the lowest generation) before
 * the index goes. Without the index there is no foreign key either: a family's refresh tokens are deleted
 * with it by the code that deletes families ({@code TokenFamilies}, {@code AppRegistry.delete}).
 */
public class V45__Refresh_chains extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("alter table token_families add column first_refresh_id varchar(32)");
            s.execute("""
                    update token_families f set first_refresh_id = (
                      select min(r.token_id) from refresh_tokens r where r.family_id = f.id and r.generation = (
                        select min(r2.generation) from refresh_tokens r2 where r2.family_id = f.id))""");
            V41__Foreign_key_indexes.dropForeignKeys(c, s, "refresh_tokens", "family_id");
            s.execute("drop index if exists refresh_tokens_family");
        }
    }
}
