package dev.ostium;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ostium.config.ConfigLoader;
import dev.ostium.testing.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server that cannot start says why in one line, and leaves nothing running. */
class StartupTest {

    @Test
    void aTakenPortIsReportedPlainly() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var config = ConfigLoader.load(null, Map.of(), Map.of("port", Integer.toString(taken.getLocalPort()),
                    "data-dir", TestDatabase.tempDir().toString(), "admin-password", "x")).withDemo(false);
            Ostium node = new Ostium(config);
            assertThatThrownBy(node::start).isInstanceOf(StartupException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void anUnreachableDatabaseIsReportedPlainlyWithoutItsPassword() {
        var config = ConfigLoader.load(null, Map.of(), Map.of("db-url", "jdbc:postgresql://127.0.0.1:1/none?password=hunter2",
                "data-dir", TestDatabase.tempDir().toString()));
        assertThatThrownBy(() -> new Ostium(config)).isInstanceOf(StartupException.class)
                .hasMessageContaining("cannot open the database jdbc:postgresql://127.0.0.1:1/none?password=***")
                .hasMessageNotContaining("hunter2");
    }
}
