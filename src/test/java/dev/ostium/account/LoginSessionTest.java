package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.directory.User;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The login page, the login session and logout, through a real server, on H2 and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class LoginSessionTest extends ServerTest {

    private static final String WRONG = "The username or password is not correct.";

    @AfterEach
    void backToNow() {
        server.clock.reset();
    }

    private Person alice() {
        Person p = new Person(server);
        Response r = p.logIn("alice", "alice");
        assertThat(r.status()).as("login: %s", r).isEqualTo(303);
        return p;
    }

    private static boolean signedIn(Person p) {
        Response r = p.get("/account/");
        if (r.status() == 200) return true;
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("Location")).startsWith("/account/login");
        return false;
    }

    private long sessionsOf(String username) {
        return server.node().db.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from login_sessions s join users u on u.id = s.user_id where u.username = :u")
                .bind("u", username).mapTo(Long.class).one());
    }

    private long stored(Person p) {
        String digest = sha256(p.cookie("ostium_session"));
        return server.node().db.jdbi().withHandle(h -> h.createQuery("select count(*) from login_sessions where id_hash = :h")
                .bind("h", digest).mapTo(Long.class).one());
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theLoginFormHasTheFieldsPasswordManagersAndStockClientsLookFor() {
        Response page = new Person(server).get("/account/login");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("name=\"username\"").contains("autocomplete=\"username\"")
                .contains("name=\"password\"").contains("autocomplete=\"current-password\"")
                .contains("method=\"post\"").contains("action=\"/account/login\"");
        assertThat(page.body().split("type=\"submit\"", -1)).hasSize(2);
        assertThat(page.body()).contains("name=\"csrf\"");
    }

    @Test
    void loggingInStartsASessionWhoseCookieIsHttpOnlyLaxAndStoredOnlyAsAHash() throws Exception {
        Person p = new Person(server);
        Response r = p.logIn("alice", "alice");
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("Location")).isEqualTo("/account/");
        String setCookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("ostium_session=")).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/").doesNotContain("Secure");

        Response home = p.get("/account/");
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.body()).contains("Alice Rossi").contains("alice").contains("action=\"/account/logout\"");

        String secret = p.cookie("ostium_session");
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        List<String> stored = server.node().db.jdbi().withHandle(h -> h.createQuery(
                "select id_hash || ' ' || public_id from login_sessions").mapTo(String.class).list());
        assertThat(stored).anySatisfy(row -> assertThat(row).startsWith(digest + " "));
        assertThat(stored).noneSatisfy(row -> assertThat(row).contains(secret));
    }

    @Test
    void aWrongPasswordAndAnUnknownAccountGetTheSameAnswerAndNoSession() {
        Person p = new Person(server);
        Response wrong = p.logIn("alice", "not-her-password");
        Response unknown = new Person(server).logIn("nobody-here", "whatever");
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(wrong.body()).contains(WRONG).contains("value=\"alice\"");
        assertThat(unknown.body()).contains(WRONG);
        assertThat(p.cookie("ostium_session")).isNull();
        assertThat(signedIn(p)).isFalse();
    }

    @Test
    void anIdleSessionEndsAfterTheIdleTimeout() {
        Person p = alice();
        server.clock.advance(Duration.ofMinutes(29));
        assertThat(signedIn(p)).isTrue();
        server.clock.advance(Duration.ofMinutes(29));
        assertThat(signedIn(p)).as("each request keeps the session alive").isTrue();
        server.clock.advance(Duration.ofMinutes(31));
        assertThat(signedIn(p)).isFalse();
        assertThat(stored(p)).as("the ended session is removed").isZero();
    }

    @Test
    void housekeepingRemovesSessionsNobodyCameBackFor() {
        Person p = alice();
        assertThat(stored(p)).isEqualTo(1);
        server.node().loginSessions.prune();
        assertThat(stored(p)).as("a live session stays").isEqualTo(1);
        server.clock.advance(Duration.ofMinutes(31));
        server.node().loginSessions.prune();
        assertThat(stored(p)).isZero();
    }

    @Test
    void anActiveSessionStillEndsAtTheAbsoluteTimeout() {
        Person p = alice();
        Duration elapsed = Duration.ZERO;
        while (signedIn(p)) {
            server.clock.advance(Duration.ofMinutes(20));
            elapsed = elapsed.plusMinutes(20);
            assertThat(elapsed).as("the session should have ended after 12 hours").isLessThan(Duration.ofHours(13));
        }
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofHours(12));
    }

    @Test
    void logoutEndsTheSessionOnTheServerNotOnlyInTheBrowser() {
        Person p = alice();
        String secret = p.cookie("ostium_session");
        Response confirm = p.get("/account/logout");
        assertThat(confirm.status()).isEqualTo(200);
        assertThat(confirm.body()).contains("Do you want to sign out, Alice Rossi?");
        Response out = p.submit("/account/logout", Map.of());
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.header("Location")).isEqualTo("/account/login?logged_out");
        assertThat(p.cookie("ostium_session")).isNull();
        assertThat(p.get("/account/login?logged_out").body()).contains("You are signed out.");

        Person replay = new Person(server);
        replay.setCookie("ostium_session", secret);
        assertThat(signedIn(replay)).isFalse();
    }

    @Test
    void disablingAUserEndsTheirSessionsAndTheyCannotLogInAgain() {
        User carol = server.node().directory.create("carol-" + System.nanoTime(), "carol-pw", "Carol Bianchi", null, null, false);
        Person laptop = new Person(server);
        Person phone = new Person(server);
        assertThat(laptop.logIn(carol.username(), "carol-pw").status()).isEqualTo(303);
        assertThat(phone.logIn(carol.username(), "carol-pw").status()).isEqualTo(303);
        assertThat(sessionsOf(carol.username())).isEqualTo(2);

        assertThat(server.node().directory.setEnabled(carol.id(), false).enabled()).isFalse();
        assertThat(signedIn(laptop)).isFalse();
        assertThat(signedIn(phone)).isFalse();
        assertThat(sessionsOf(carol.username())).isZero();

        Response again = new Person(server).logIn(carol.username(), "carol-pw");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains(WRONG);

        server.node().directory.setEnabled(carol.id(), true);
        assertThat(new Person(server).logIn(carol.username(), "carol-pw").status()).isEqualTo(303);
    }

    @Test
    void anAdministratorDisablingAUserThroughTheAdminApiEndsTheirSessionAtOnce() {
        User gina = server.node().directory.create("gina-" + System.nanoTime(), "gina-pw", "Gina Russo", null, null, false);
        Person p = new Person(server);
        assertThat(p.logIn(gina.username(), "gina-pw").status()).isEqualTo(303);
        assertThat(signedIn(p)).isTrue();
        assertThat(server.admin("POST", "/admin/api/users/" + gina.username() + "/disable", "{}").status()).isEqualTo(200);
        assertThat(signedIn(p)).isFalse();
    }

    @Test
    void aSessionOfADisabledUserIsNeverHonouredWhateverTheSessionTableSays() {
        User dan = server.node().directory.create("dan-" + System.nanoTime(), "dan-pw", "Dan Verdi", null, null, false);
        Person p = new Person(server);
        assertThat(p.logIn(dan.username(), "dan-pw").status()).isEqualTo(303);
        // disabled behind the server's back (e.g. by the host application in the shared users table)
        server.node().db.jdbi().useHandle(h -> h.createUpdate("update users set enabled = false where id = :id")
                .bind("id", dan.id()).execute());
        assertThat(signedIn(p)).isFalse();
    }

    @Test
    void aPostWithoutThisBrowsersCsrfTokenChangesNothing() {
        Person p = alice();
        Response none = p.post("/account/logout", Map.of());
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.header("Content-Type")).startsWith("text/html");
        assertThat(none.body()).contains("This form has expired");

        Person attacker = new Person(server);
        attacker.get("/account/login");
        Response foreignToken = p.post("/account/logout", Map.of("csrf", attacker.csrf()));
        assertThat(foreignToken.status()).isEqualTo(403);

        p.get("/account/");
        Response crossSite = p.post("/account/logout", Map.of("csrf", p.csrf()), Map.of("Sec-Fetch-Site", "cross-site"));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(signedIn(p)).isTrue();

        // the refusal speaks the language the refused form's request asked for
        assertThat(new Person(server).post("/account/login", Map.of("ui_locales", "it", "username", "bob")).body())
                .contains("<html lang=\"it\"");

        // the login form itself: a forged login (into the attacker's account, say) is refused too
        Person victim = new Person(server);
        Response forgedLogin = victim.post("/account/login", Map.of("username", "bob", "password", "bob"));
        assertThat(forgedLogin.status()).isEqualTo(403);
        assertThat(victim.cookie("ostium_session")).isNull();
    }

    @Test
    void formTokensFromBeforeTheSignInAreRefusedAfterIt() {
        Person p = new Person(server);
        p.get("/account/login");
        String before = p.csrf();
        assertThat(p.submit("/account/login", Map.of("username", "alice", "password", "alice")).status()).isEqualTo(303);
        assertThat(p.post("/account/logout", Map.of("csrf", before)).status()).isEqualTo(403);
        assertThat(signedIn(p)).isTrue();
        p.get("/account/");
        assertThat(p.csrf()).isNotEqualTo(before);
        assertThat(p.submit("/account/logout", Map.of()).status()).isEqualTo(303);
        assertThat(signedIn(p)).isFalse();
    }

    @Test
    void returnToSendsThePersonBackOnlyToAPathOfThisServer() {
        String authorize = "/oauth2/authorize?client_id=ost_x&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s%20t";
        Response ok = new Person(server).logIn("/account/login?return_to=" + enc(authorize), "alice", "alice", Map.of("return_to", authorize));
        assertThat(ok.header("Location")).isEqualTo(authorize);

        for (String evil : List.of("//evil.example/", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
                "http:evil.example", "javascript:alert(1)", "/\tevil", "/ /evil", "evil.example", "/a\r\nLocation: x",
                "/#frag", "")) {
            Response r = new Person(server).logIn("/account/login", "alice", "alice", Map.of("return_to", evil));
            assertThat(r.header("Location")).as("return_to %s", evil).isEqualTo("/account/");
        }
        Response shown = new Person(server).get("/account/login?return_to=" + enc("//evil.example"));
        assertThat(shown.body()).contains("name=\"return_to\" value=\"/account/\"");
    }

    @Test
    void aLiveSessionSkipsTheFormUnlessALoginIsForced() {
        Person p = alice();
        String first = p.cookie("ostium_session");
        Response skip = p.get("/account/login?return_to=" + enc("/account/?x=1"));
        assertThat(skip.status()).isEqualTo(303);
        assertThat(skip.header("Location")).isEqualTo("/account/?x=1");

        server.clock.advance(Duration.ofMinutes(2));
        Response forced = p.get(dev.ostium.account.Login.loginUrl("/account/?x=2", true, null));
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.body()).contains("please enter your password again").contains("value=\"alice\"")
                .contains("name=\"prompt\" value=\"login\"");
        Response again = p.submit("/account/login", Map.of("username", "alice", "password", "alice",
                "return_to", "/account/?x=2", "prompt", "login"));
        assertThat(again.status()).isEqualTo(303);
        assertThat(again.header("Location")).isEqualTo("/account/?x=2");
        assertThat(p.cookie("ostium_session")).as("a new session id at every login").isNotEqualTo(first);

        Person oldCookie = new Person(server);
        oldCookie.setCookie("ostium_session", first);
        assertThat(signedIn(oldCookie)).isFalse();
        assertThat(sessionsOf("alice")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void loginHintPrefillsTheUsernameEscaped() {
        Response r = new Person(server).get("/account/login?login_hint=" + enc("bob\"><script>x</script>"));
        assertThat(r.body()).contains("value=\"bob&#34;>&lt;script>x&lt;/script>\"").doesNotContain("<script>x");
    }

    @Test
    void pagesFollowAcceptLanguageAndTheLanguageSwitchIsRemembered() {
        Person p = new Person(server).speaking("it-IT,it;q=0.9,en;q=0.5");
        Response it = p.get("/account/login");
        assertThat(it.body()).contains("<html lang=\"it\">").contains("Nome utente").contains("href=\"/account/login?lang=en\"");
        Response en = p.get("/account/login?lang=en");
        assertThat(en.body()).contains("<html lang=\"en\">").contains("Username");
        assertThat(p.get("/account/login").body()).as("the choice is kept in a cookie").contains("<html lang=\"en\">");
        Response wrongIt = new Person(server).speaking("it").logIn("alice", "nope");
        assertThat(wrongIt.body()).contains("Nome utente o password non corretti.");
        assertThat(new Person(server).speaking("de-DE,fr;q=0.8").get("/account/login").body()).contains("<html lang=\"en\">");
        assertThat(new Person(server).speaking("**;;bad").get("/account/login").status()).isEqualTo(200);
    }

    @Test
    void pagesCannotBeFramedAndRunNoInlineScriptWhileJsonEndpointsKeepTheirStrictPolicy() {
        for (String path : List.of("/account/login", "/account/logout", "/no-such-page")) {
            Response r = new Person(server).get(path, Map.of("Accept", "text/html"));
            assertThat(r.header("X-Frame-Options")).as(path).isEqualTo("DENY");
            String csp = r.header("Content-Security-Policy");
            assertThat(csp).as(path).contains("frame-ancestors 'none'").contains("form-action 'self'")
                    .contains("style-src 'self'").doesNotContain("unsafe-inline").doesNotContain("script-src");
        }
        Response notFound = new Person(server).get("/no-such-page", Map.of("Accept", "text/html"));
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.body()).contains("Page not found");
        Response discovery = new Person(server).get("/.well-known/openid-configuration");
        assertThat(discovery.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(new Person(server).get("/no-such-endpoint").body()).contains("\"error\":\"not_found\"");
        Response css = new Person(server).get("/assets/ostium.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.header("Content-Type")).startsWith("text/css");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
