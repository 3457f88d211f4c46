package dev.ostium.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.config.ConfigLoader;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lingering writer: after a commit of several items it waits for more before the next one; after a
 * commit of one it does not; and an item it holds when the server stops is still committed.
 */
class GroupCommitLingerTest {

    private static final Duration LINGER = Duration.ofMillis(300);

    private Path dir;
    private Database db;
    private final List<Integer> commits = new CopyOnWriteArrayList<>();
    private final CountDownLatch inFirstCommit = new CountDownLatch(1);
    private final CountDownLatch releaseFirstCommit = new CountDownLatch(1);

    @BeforeEach
    void open() {
        dir = TestDatabase.tempDir();
        db = Database.open(ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString())));
    }

    @AfterEach
    void close() {
        db.close();
        TestServer.deleteTree(dir);
    }

    /** Echoes its items; the first commit holds until released, so that items pile up behind it. */
    private GroupCommit<Integer, Integer> writer() {
        return new GroupCommit<>(db, "linger-test", 64, LINGER, (h, items) -> {
            h.createQuery("select 1").mapTo(Integer.class).one();
            if (commits.isEmpty()) {
                inFirstCommit.countDown();
                try {
                    releaseFirstCommit.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            commits.add(items.size());
            return items;
        });
    }

    /** Commits 1 alone, then 2 and 3 together: afterwards the last commit carried more than one item. */
    private void busy(GroupCommit<Integer, Integer> writer) throws Exception {
        CompletableFuture<Integer> one = writer.submit(1);
        assertThat(inFirstCommit.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> two = writer.submit(2);
        CompletableFuture<Integer> three = writer.submit(3);
        releaseFirstCommit.countDown();
        assertThat(List.of(one.get(), two.get(), three.get())).containsExactly(1, 2, 3);
        assertThat(commits).containsExactly(1, 2);
    }

    @Test
    void afterAFullCommitTheWriterWaitsForMoreAndAfterALoneOneItDoesNot() throws Exception {
        try (GroupCommit<Integer, Integer> writer = writer()) {
            busy(writer);
            // Load: 4 is held for company, 5 comes 100 ms later (inside the linger) and shares its commit.
            CompletableFuture<Integer> four = writer.submit(4);
            Thread.sleep(100);
            CompletableFuture<Integer> five = writer.submit(5);
            assertThat(List.of(four.get(), five.get())).containsExactly(4, 5);
            assertThat(commits).containsExactly(1, 2, 2);

            // 6 comes alone after that commit of two: held once, committed alone. 7 then finds a writer whose
            // last commit carried one item, so it is not held, and 8, 100 ms later, gets a commit of its own.
            assertThat(writer.submit(6).get()).isEqualTo(6);
            assertThat(writer.submit(7).get()).isEqualTo(7);
            Thread.sleep(100);
            assertThat(writer.submit(8).get()).isEqualTo(8);
            assertThat(commits).containsExactly(1, 2, 2, 1, 1, 1);
        }
    }

    @Test
    void anItemHeldWhenTheWriterClosesIsStillCommitted() throws Exception {
        CompletableFuture<Integer> held;
        try (GroupCommit<Integer, Integer> writer = writer()) {
            busy(writer);
            held = writer.submit(4);
            Thread.sleep(50);   // the writer has taken 4 and waits for company
        }
        assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(4);
        assertThat(commits).containsExactly(1, 2, 1);
    }
}
