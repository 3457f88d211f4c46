package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Behind an https issuer (TLS ends at a proxy), the page cookies are Secure and host-only. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class SecureCookieTest {

    @Parameter
    TestDatabase database;

    static TestServer server;

    @BeforeParameterizedClassInvocation
    static void start(TestDatabase database) {
        server = TestServer.start(database, Map.of("issuer", "https://login.example.test"));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (server != null) server.destroy();
        server = null;
    }

    @Test
    void sessionAndCsrfCookiesAreSecureWithTheHostPrefix() {
        Person p = new Person(server);
        Response page = p.get("/account/login");
        assertThat(page.headers().allValues("Set-Cookie")).anySatisfy(c ->
                assertThat(c).startsWith("__Host-ostium_csrf=").contains("Secure").contains("HttpOnly").contains("Path=/")
                        .contains("SameSite=Lax").doesNotContain("Domain"));
        Response login = p.submit("/account/login", Map.of("username", "alice", "password", "alice"));
        assertThat(login.status()).isEqualTo(303);
        List<String> set = login.headers().allValues("Set-Cookie");
        assertThat(set).anySatisfy(c -> assertThat(c).startsWith("__Host-ostium_session=").contains("Secure")
                .contains("HttpOnly").contains("SameSite=Lax"));
        assertThat(p.get("/account/").status()).isEqualTo(200);
    }

    @Test
    void everyAnswerTellsBrowsersToComeBackByHttpsOnly() {
        for (String path : List.of("/account/login", "/.well-known/openid-configuration", "/oauth2/nosuch")) {
            assertThat(server.get(path).header("Strict-Transport-Security")).as(path).isEqualTo("max-age=31536000");
        }
    }
}
