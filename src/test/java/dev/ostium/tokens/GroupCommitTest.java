package dev.ostium.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Concurrent token requests share transactions, and every answered token is stored. */
class GroupCommitTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabase.class)
    void concurrentRequestsShareCommitsAndEveryTokenIsStored(TestDatabase database) throws Exception {
        TestServer server = TestServer.start(database);
        try {
            App app = server.createService("alice");
            TokenRecorder recorder = server.node().recorder;
            long commitsBefore = recorder.commits();
            long recordedBefore = recorder.recorded();
            long rowsBefore = server.count("access_tokens");
            int requests = 400;
            List<Future<String>> tokens = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
                for (int i = 0; i < requests; i++) tokens.add(pool.submit(() -> server.token(app)));
            }
            for (Future<String> t : tokens) assertThat(t.get()).isNotBlank();

            long recorded = recorder.recorded() - recordedBefore;
            long commits = recorder.commits() - commitsBefore;
            assertThat(recorded).isEqualTo(requests);
            assertThat(server.count("access_tokens") - rowsBefore).isEqualTo(requests);
            // 32 clients at once: batches form, so there are clearly fewer transactions than tokens
            assertThat(commits).isLessThan(requests * 3 / 4);
        } finally {
            server.destroy();
        }
    }
}
