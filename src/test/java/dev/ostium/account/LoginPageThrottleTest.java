package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.directory.User;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Guessing passwords on the login page is slowed down, and the page never tells which accounts exist. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class LoginPageThrottleTest extends ServerTest {

    private static final String THROTTLED = "Too many failed sign-in attempts.";

    @AfterEach
    void backToNow() {
        server.clock.reset();
    }

    @Test
    void repeatedFailuresLockTheAccountBrieflyWhetherOrNotItExists() {
        User frank = server.node().directory.create("frank-" + System.nanoTime(), "frank-pw", "Frank Neri", null, null, false);
        String ghost = "ghost-" + System.nanoTime();
        server.clock.freeze(); // the one-second lock must not run out while a slow machine sends the next try
        for (String account : new String[] {frank.username(), ghost}) {
            for (int i = 0; i < 6; i++) {
                Response r = new Person(server).logIn(account, "guess-" + i);
                assertThat(r.status()).as("attempt %d", i + 1).isEqualTo(200);
                assertThat(r.body()).contains("The username or password is not correct.");
            }
            Response locked = new Person(server).logIn(account, "guess");
            assertThat(locked.status()).isEqualTo(429);
            assertThat(locked.header("Retry-After")).isNotNull();
            assertThat(locked.body()).contains(THROTTLED).contains("name=\"username\"");
        }
        long recorded = server.node().db.jdbi().withHandle(h -> h.createQuery(
                        "select count(*) from audit_events where kind = 'login.failed' and actor = :a and detail like '%login-page%'")
                .bind("a", ghost).mapTo(Long.class).one());
        assertThat(recorded).as("each failure is in the audit trail").isEqualTo(6);
        // even the right password waits out the lock; then it works
        assertThat(new Person(server).logIn(frank.username(), "frank-pw").status()).isEqualTo(429);
        server.clock.advance(Duration.ofSeconds(5));
        assertThat(new Person(server).logIn(frank.username(), "frank-pw").status()).isEqualTo(303);
    }

    @Test
    void theThrottleMessageIsTranslated() {
        String ghost = "ghost-it-" + System.nanoTime();
        server.clock.freeze();
        for (int i = 0; i < 6; i++) new Person(server).logIn(ghost, "guess-" + i);
        Response locked = new Person(server).speaking("it").logIn(ghost, "guess");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.body()).contains("Troppi tentativi di accesso non riusciti.");
    }
}
