package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HousekeepingTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.class)
    void expiredRecordsAreRemovedAfterTheRetention(TestDatabase database) {
        TestServer server = TestServer.start(database, Map.of("token-retention", "1h"));
        try {
            App app = server.createService("alice");
            server.token(app);
            server.token(app);
            String live = null;
            server.clock.advance(Duration.ofMinutes(30));
            live = server.token(app);
            // 30 minutes on: two records expired 20 minutes ago, within the retention
            assertThat(server.node().tokenStore.deleteExpired(Duration.ofHours(1).toMillis())).isZero();
            server.clock.advance(Duration.ofMinutes(50));
            // 80 minutes on: the first two expired 70 minutes ago; the third only 40 minutes ago
            assertThat(server.node().tokenStore.deleteExpired(Duration.ofHours(1).toMillis())).isEqualTo(2);
            assertThat(server.count("access_tokens")).isEqualTo(1);
            server.clock.reset();
            assertThat(server.introspect(app, live).path("active").asBoolean()).isTrue();
        } finally {
            server.clock.reset();
            server.destroy();
        }
    }
}
