package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LastIssuedTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.class)
    void anAppsLastUseIsItsNewestTokenHoweverLongAgoItWasIssued(TestDatabase database) {
        TestServer server = TestServer.start(database, Map.of());
        try {
            App app = server.createService("alice");
            long appId = server.node().apps.require(app.clientId()).id();
            assertThat(server.node().tokenStore.lastIssued(appId)).isEmpty();
            server.clock.freeze();
            server.token(app);
            server.clock.advance(Duration.ofMinutes(5));
            Instant newest = server.clock.instant();
            server.token(app);
            // Still live, expired within the hour, within the day, and days ago: each answer is the same.
            for (Duration later : new Duration[] {Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofHours(5), Duration.ofDays(3)}) {
                server.clock.advance(later);
                assertThat(server.node().tokenStore.lastIssued(appId)).as("after %s more", later).contains(newest);
            }
        } finally {
            server.clock.reset();
            server.destroy();
        }
    }
}
