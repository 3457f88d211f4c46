package dev.ostium;

import static org.assertj.core.api.Assertions.assertThat;
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

    @Test
    void theDataDirectoryAndTheDatabaseFilesAreOwnerOnlyFromTheFirstStart() throws Exception {
        java.nio.file.Path parent = TestDatabase.tempDir();
        java.nio.file.Path dir = parent.resolve("data");
        var config = ConfigLoader.load(null, Map.of(), Map.of("port", "0", "data-dir", dir.toString(), "admin-password", "x"))
                .withDemo(false);
        try (Ostium node = new Ostium(config)) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(dir))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            try (var files = java.nio.file.Files.list(dir)) {
                var all = files.toList();
                assertThat(all).extracting(p -> p.getFileName().toString()).contains("ostium.mv.db", "master.key");
                for (var f : all) {
                    assertThat(java.nio.file.Files.getPosixFilePermissions(f)).as(f.toString())
                            .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
        } finally {
            dev.ostium.testing.TestServer.deleteTree(parent);
        }
    }

    @Test
    void aWrongMasterKeyIsReportedInOneLine() {
        java.nio.file.Path dir = TestDatabase.tempDir();
        try {
            var first = ConfigLoader.load(null, Map.of(), Map.of("port", "0", "data-dir", dir.toString(), "admin-password", "x"))
                    .withDemo(false);
            new Ostium(first).close();
            String otherKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
            var second = ConfigLoader.load(null, Map.of(), Map.of("port", "0", "data-dir", dir.toString(), "master-key", otherKey))
                    .withDemo(false);
            assertThatThrownBy(() -> new Ostium(second)).isInstanceOf(StartupException.class)
                    .hasMessageStartingWith("the master key does not open this database's signing keys")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        } finally {
            dev.ostium.testing.TestServer.deleteTree(dir);
        }
    }
}
