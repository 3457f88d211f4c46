package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tokens issued before token records were keyed by number keep working after the upgrade (V50): access tokens
 * stay active and revocable, a live refresh token refreshes, a spent one is still reuse and ends its family.
 */
class TokenKeysMigrationTest {

    private static final String CB = "https://crm.example/callback";
    private static final String ALL = "openid profile email offline_access rest.all";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.class)
    void tokensOfTheEarlierKindKeepWorkingAfterTheUpgrade(TestDatabase database) throws Exception {
        TestServer server = TestServer.start(database);
        try {
            App service = server.createService("alice", "rest.all.read");
            App web = server.createInteractive("web", Map.of("redirectUris", List.of(CB),
                    "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all"), "offlineAccess", true));
            App gateway = server.create(Map.of("name", "gateway", "user", "bob", "canIntrospect", true));
            String kept = server.token(service);
            String toRevoke = server.token(service);
            JsonNode first = exchange(server, web, server.issueCode(web, "alice", CB, ALL, null, null));
            JsonNode second = refresh(server, web, first.path("refresh_token").asText()).json();

            // The database as the earlier version left it: records keyed by their ids, ids of the earlier kind.
            Map<String, String> earlier = toEarlierSchema(server);
            server.restart();

            String keptBefore = earlierValue(kept, earlier);
            assertThat(server.introspect(service, keptBefore).path("active").asBoolean()).isTrue();
            assertThat(server.query(keptBefore, "SELECT * FROM Invoice;").status()).isEqualTo(200);
            String revokedBefore = earlierValue(toRevoke, earlier);
            assertThat(server.postForm("/oauth2/revoke", service, Map.of("token", revokedBefore)).status()).isEqualTo(200);
            assertThat(server.introspect(service, revokedBefore).path("active").asBoolean()).isFalse();
            assertThat(server.introspect(service, kept).path("active").asBoolean()).as("the id it had before").isFalse();

            // The live refresh token of the earlier kind refreshes; what it gets carries keys.
            String live = earlierValue(second.path("refresh_token").asText(), earlier);
            assertThat(server.introspect(gateway, earlierValue(second.path("access_token").asText(), earlier)).path("active")
                    .asBoolean()).isTrue();
            Response third = refresh(server, web, live);
            assertThat(third.status()).as(third.body()).isEqualTo(200);
            String next = third.json().path("refresh_token").asText();
            assertThat(TokenIds.key(TokenIds.parseOpaque(next).orElseThrow().id())).isPresent();
            assertThat(server.introspect(gateway, third.json().path("access_token").asText()).path("active").asBoolean()).isTrue();
            assertThat(refresh(server, web, next).status()).isEqualTo(200);

            // The spent one of the earlier kind is reuse: the family ends along its whole chain, across the upgrade.
            Response reuse = refresh(server, web, earlierValue(first.path("refresh_token").asText(), earlier));
            assertThat(reuse.json().path("error").asText()).isEqualTo("invalid_grant");
            assertThat(server.introspect(gateway, third.json().path("access_token").asText()).path("active").asBoolean()).isFalse();
            assertThat(server.introspect(gateway, earlierValue(first.path("access_token").asText(), earlier)).path("active")
                    .asBoolean()).isFalse();
            assertThat(refresh(server, web, next).json().path("error").asText()).isEqualTo("invalid_grant");

            // New tokens carry their keys; records of the earlier kind are found by the ids they had.
            assertThat(TokenIds.key(TokenIds.parseOpaque(server.token(service)).orElseThrow().id())).isPresent();
            assertThat(server.count("earlier_token_ids")).isEqualTo(earlier.size());

            // Once their records are gone, so are their earlier ids.
            server.clock.advance(Duration.ofDays(30));
            server.node().families.deleteExpired(Duration.ofHours(1).toMillis());
            server.node().tokenStore.deleteExpired(Duration.ofHours(1).toMillis());
            assertThat(server.count("earlier_token_ids")).isZero();
        } finally {
            server.destroy();
        }
    }

    private static JsonNode exchange(TestServer server, App app, String code) {
        Response r = server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&code=" + code + "&client_id="
                + app.clientId() + "&client_secret=" + app.secret() + "&redirect_uri=" + java.net.URLEncoder.encode(CB,
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static Response refresh(TestServer server, App app, String refreshToken) {
        return server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token=" + refreshToken
                + "&client_id=" + app.clientId() + "&client_secret=" + app.secret());
    }

    /** An opaque token as the earlier version would have handed it out: its earlier id, the same secret part. */
    private static String earlierValue(String value, Map<String, String> earlierIds) {
        byte[] raw = Base64.getUrlDecoder().decode(value);
        String id = B64.encodeToString(java.util.Arrays.copyOf(raw, 16));
        byte[] earlierId = Base64.getUrlDecoder().decode(earlierIds.get(id));
        System.arraycopy(earlierId, 0, raw, 0, 16);
        return B64.encodeToString(raw);
    }

    /**
     * Rebuilds the token tables as they were before V50 (keyed by {@code token_id}), gives every record an id of
     * the earlier kind (48 bits of milliseconds, 80 random bits) wherever it is named, and takes V50 back out of
     * the migration history, so the restart migrates this database. Returns the earlier id of each id.
     */
    private static Map<String, String> toEarlierSchema(TestServer server) throws SQLException {
        Map<String, String> earlier = new HashMap<>();
        try (Connection c = server.node().db.rawConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("access_tokens", "refresh_tokens")) {
                try (ResultSet rs = s.executeQuery("select token_id, issued_at from " + table)) {
                    while (rs.next()) earlier.put(rs.getString(1), earlierId(rs.getLong(2)));
                }
            }
            s.execute("""
                    create table access_tokens_earlier (token_id varchar(32) primary key, verifier_hash varchar(64), app_id bigint not null,
                      user_id bigint, scope varchar(1000) not null, format varchar(10) not null, grant_type varchar(100) not null,
                      issued_at bigint not null, expires_at bigint not null, revoked_at bigint, consent_id bigint, family_id varchar(64),
                      app_generation bigint default 0 not null, used_at bigint)""");
            String access = "token_id, verifier_hash, app_id, user_id, scope, format, grant_type, issued_at, expires_at, revoked_at, "
                    + "consent_id, family_id, app_generation, used_at";
            s.execute("insert into access_tokens_earlier (" + access + ") select " + access + " from access_tokens");
            s.execute("drop table access_tokens");
            s.execute("alter table access_tokens_earlier rename to access_tokens");
            s.execute("create index access_tokens_app on access_tokens (app_id, expires_at, app_generation, revoked_at)");
            s.execute("""
                    create table refresh_tokens_earlier (token_id varchar(32) primary key, verifier_hash varchar(64) not null,
                      family_id varchar(32) not null, app_id bigint not null, scope varchar(1000) not null, generation integer not null,
                      issued_at bigint not null, expires_at bigint not null, rotated_at bigint, successor_id varchar(32),
                      access_token_id varchar(32))""");
            String refresh = "token_id, verifier_hash, family_id, app_id, scope, generation, issued_at, expires_at, rotated_at, "
                    + "successor_id, access_token_id";
            s.execute("insert into refresh_tokens_earlier (" + refresh + ") select " + refresh + " from refresh_tokens");
            s.execute("drop table refresh_tokens");
            s.execute("alter table refresh_tokens_earlier rename to refresh_tokens");
            List<String> renames = new ArrayList<>(List.of("access_tokens.token_id", "refresh_tokens.token_id",
                    "refresh_tokens.successor_id", "refresh_tokens.access_token_id", "token_families.access_token_id",
                    "token_families.first_refresh_id"));
            for (String column : renames) {
                String[] tc = column.split("\\.");
                try (PreparedStatement ps = c.prepareStatement("update " + tc[0] + " set " + tc[1] + " = ? where " + tc[1] + " = ?")) {
                    for (var e : earlier.entrySet()) {
                        ps.setString(1, e.getValue());
                        ps.setString(2, e.getKey());
                        ps.executeUpdate();
                    }
                }
            }
            s.execute("drop table earlier_token_ids");
            s.execute("drop sequence token_keys");
            s.execute("delete from \"flyway_schema_history\" where \"version\" = '50'");
        }
        return earlier;
    }

    private static String earlierId(long issuedAt) {
        byte[] random = new byte[10];
        new java.security.SecureRandom().nextBytes(random);
        return B64.encodeToString(ByteBuffer.allocate(16).putShort((short) (issuedAt >>> 32)).putInt((int) issuedAt).put(random).array());
    }
}
