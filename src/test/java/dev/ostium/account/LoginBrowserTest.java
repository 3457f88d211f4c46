package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Browser;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Login and logout as a person does them, in a real headless Chromium. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class LoginBrowserTest extends ServerTest {

    private Browser browser(String language) {
        return Browser.open(server.url(""), language);
    }

    @Test
    void aPersonLogsInSeesTheirAccountAndLogsOut() {
        try (Browser b = browser("en")) {
            b.go("/account/");
            assertThat(b.path()).startsWith("/account/login?return_to=");
            b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
            assertThat(b.path()).isEqualTo("/account/");
            assertThat(b.find("h1").getText()).isEqualTo("Welcome, Alice Rossi");
            assertThat(b.text()).contains("Signed in as Alice Rossi");
            assertThat(b.cookie("ostium_session").isHttpOnly()).isTrue();
            assertThat(b.cookie("ostium_session").getSameSite()).isEqualTo("Lax");

            b.click("form[action='/account/logout'] button[type=submit]");
            assertThat(b.path()).isEqualTo("/account/login?logged_out");
            assertThat(b.text()).contains("You are signed out.");
            b.go("/account/");
            assertThat(b.path()).startsWith("/account/login");
        }
    }

    @Test
    void theLogoutLinkAsksBeforeSigningOut() {
        try (Browser b = browser("en")) {
            b.logIn("alice", "alice");
            b.click("header a[href='/account/logout']");
            assertThat(b.find("h1").getText()).isEqualTo("Sign out");
            b.click("main button[type=submit]");
            assertThat(b.text()).contains("You are signed out.");
        }
    }

    @Test
    void aWrongPasswordShowsTheErrorAndKeepsTheUsername() {
        try (Browser b = browser("en")) {
            b.logIn("alice", "wrong");
            assertThat(b.find("#login-error").getText()).isEqualTo("The username or password is not correct.");
            assertThat(b.find("input[name=username]").getAttribute("value")).isEqualTo("alice");
            assertThat(b.cookie("ostium_session")).isNull();
        }
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefused() {
        try (Browser b = browser("en")) {
            b.go("/account/login");
            b.script("document.querySelector('input[name=csrf]').remove()");
            b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
            assertThat(b.find("h1").getText()).isEqualTo("This form has expired");
            assertThat(b.cookie("ostium_session")).isNull();
        }
    }

    @Test
    void theItalianPagesFollowTheBrowserAndTheSwitchChangesTheLanguage() {
        try (Browser b = browser("it")) {
            b.go("/account/login");
            assertThat(b.find("h1").getText()).isEqualTo("Accedi");
            assertThat(b.find("label[for=username]").getText()).isEqualTo("Nome utente");
            b.click("nav.lang a[hreflang=en]");
            assertThat(b.find("h1").getText()).isEqualTo("Sign in");
            b.go("/account/login");
            assertThat(b.find("h1").getText()).as("the choice is remembered").isEqualTo("Sign in");
        }
    }

    @Test
    void theLoginPageRefusesToBeFramed() {
        Response r = new Person(server).get("/account/login");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    }
}
