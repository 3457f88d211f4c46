package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Browser;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Connected applications as a person uses the page, in a real headless Chromium. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ConnectedAppsBrowserTest extends ServerTest {

    @Test
    void aPersonSeesAConsentedAppRevokesItAndItsRefreshTokenStopsWorking() {
        ConnectedAppsTest.Connected first = ConnectedAppsTest.connect("alice", "Expense Scanner");
        ConnectedAppsTest.Connected other = ConnectedAppsTest.connect("alice", "Travel Desk");
        // The app has refreshed once: the rotated refresh token is the one it now holds.
        var refreshed = ConnectedAppsTest.refresh(first);
        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
        ConnectedAppsTest.Connected held = new ConnectedAppsTest.Connected(first.app(),
                refreshed.json().path("access_token").asText(), refreshed.json().path("refresh_token").asText());

        try (Browser b = Browser.open(server.url(""), "en")) {
            b.go("/account/apps");
            assertThat(b.path()).isEqualTo("/account/login?return_to=%2Faccount%2Fapps");
            b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
            assertThat(b.path()).isEqualTo("/account/apps");
            b.go("/account/");
            b.click("a#account-apps");
            assertThat(b.find("h1").getText()).isEqualTo("Connected applications");

            String card = "#app-" + held.app().clientId();
            assertThat(b.find(card + " h2").getText()).isEqualTo("Expense Scanner");
            assertThat(b.find(card).getText()).contains("Web application")
                    .contains("Read your business data (accounts, invoices and more)")
                    .contains("Stay connected when you are not using it");
            assertThat(b.findAll(card + " .devices li")).hasSize(1);
            // the access token of the code exchange and the one of the refresh, both still within their lifetime
            assertThat(b.find(card + " .token-status").getText()).isEqualTo("2 active");

            b.click(card + " a[href$='/revoke']");
            assertThat(b.find("h1").getText()).isEqualTo("Revoke access of Expense Scanner?");
            b.click("main button[type=submit]");
            assertThat(b.path()).isEqualTo("/account/apps?done=revoked");
            assertThat(b.find("#apps-notice").getText()).startsWith("Access revoked.");
            assertThat(b.findAll(card)).isEmpty();
            assertThat(b.findAll("#app-" + other.app().clientId())).hasSize(1);
        }

        assertThat(ConnectedAppsTest.refresh(held).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.query(held.accessToken(), "SELECT * FROM Invoice;").status()).isEqualTo(401);
        // the other app is untouched
        assertThat(ConnectedAppsTest.refresh(other).status()).isEqualTo(200);
    }

    @Test
    void thePageRendersInItalian() {
        ConnectedAppsTest.connect("bob", "Agenda");
        try (Browser b = Browser.open(server.url(""), "it")) {
            b.logIn("bob", "bob");
            b.go("/account/apps");
            assertThat(b.find("h1").getText()).isEqualTo("Applicazioni collegate");
            assertThat(b.text()).contains("Agenda").contains("Che cosa può fare").contains("Revoca accesso");
        }
    }
}
