package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Token records keyed by a 64-bit number instead of their 22-character ids. On the embedded database a table
 * keyed by one {@code bigint} column stores its rows under that key; any other key is a second index beside
 * the rows, so every insert wrote two entries and every lookup made two searches. The key now comes from the
 * {@code token_keys} sequence (a node takes a block of 1,024 at a time) and new token ids carry it.
 *
 * <p>Records stored before keep working: each gets a negative key, in the order of its id, and its id is kept
 * in {@code earlier_token_ids}, where a presented token of the earlier kind is looked up. Ids naming other
 * tokens ({@code successor_id}, {@code access_token_id}, {@code first_refresh_id}) stay as they are.
 */
public class V50__Token_keys extends BaseJavaMigration {

    private static final String ACCESS_COLUMNS = "token_id, verifier_hash, app_id, user_id, scope, format, grant_type, issued_at, "
            + "expires_at, revoked_at, consent_id, family_id, app_generation, used_at";
    private static final String REFRESH_COLUMNS = "token_id, verifier_hash, family_id, app_id, scope, generation, issued_at, "
            + "expires_at, rotated_at, successor_id, access_token_id";

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("create sequence token_keys start with 1024 increment by 1024");
            s.execute("create table earlier_token_ids (token_id varchar(32) primary key, k bigint not null)");
            s.execute("""
                    create table access_tokens_keyed (
                        k              bigint primary key,
                        token_id       varchar(32) not null,
                        verifier_hash  varchar(64),
                        app_id         bigint not null,
                        user_id        bigint,
                        scope          varchar(1000) not null,
                        format         varchar(10) not null,
                        grant_type     varchar(100) not null,
                        issued_at      bigint not null,
                        expires_at     bigint not null,
                        revoked_at     bigint,
                        consent_id     bigint,
                        family_id      varchar(64),
                        app_generation bigint default 0 not null,
                        used_at        bigint
                    )""");
            s.execute("insert into access_tokens_keyed (k, " + ACCESS_COLUMNS + ") select -row_number() over (order by token_id), "
                    + ACCESS_COLUMNS + " from access_tokens");
            s.execute("insert into earlier_token_ids (token_id, k) select token_id, k from access_tokens_keyed");
            long accessRecords;
            try (ResultSet rs = s.executeQuery("select count(*) from access_tokens_keyed")) {
                rs.next();
                accessRecords = rs.getLong(1);
            }
            s.execute("drop table access_tokens");
            s.execute("alter table access_tokens_keyed rename to access_tokens");
            s.execute("create index access_tokens_app on access_tokens (app_id, expires_at, app_generation, revoked_at)");

            s.execute("""
                    create table refresh_tokens_keyed (
                        k               bigint primary key,
                        token_id        varchar(32) not null,
                        verifier_hash   varchar(64) not null,
                        family_id       varchar(32) not null,
                        app_id          bigint not null,
                        scope           varchar(1000) not null,
                        generation      integer not null,
                        issued_at       bigint not null,
                        expires_at      bigint not null,
                        rotated_at      bigint,
                        successor_id    varchar(32),
                        access_token_id varchar(32)
                    )""");
            try (PreparedStatement copy = c.prepareStatement("insert into refresh_tokens_keyed (k, " + REFRESH_COLUMNS
                    + ") select -(? + row_number() over (order by token_id)), " + REFRESH_COLUMNS + " from refresh_tokens")) {
                copy.setLong(1, accessRecords);
                copy.executeUpdate();
            }
            s.execute("insert into earlier_token_ids (token_id, k) select token_id, k from refresh_tokens_keyed");
            s.execute("drop table refresh_tokens");
            s.execute("alter table refresh_tokens_keyed rename to refresh_tokens");
        }
    }
}
