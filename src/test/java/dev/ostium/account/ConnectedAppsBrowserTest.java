package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ostium.testing.Authorize;
import dev.ostium.testing.Browser;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connected applications as a person uses the page, in a real headless Chromium: an app connected through
 * the real authorization endpoint and consent screen, then revoked from the page.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ConnectedAppsBrowserTest extends ServerTest {

    /** The app's own HTTP listener on a loopback port: where the browser delivers the code. */
    private static final class Callback implements AutoCloseable {
        final HttpServer http;
        final CompletableFuture<URI> received = new CompletableFuture<>();

        Callback() throws Exception {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/cb", ex -> {
                received.complete(URI.create(uri() + "?" + ex.getRequestURI().getRawQuery()));
                byte[] page = "<html><title>Connected</title><body>Connected.</body></html>".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                ex.getResponseBody().write(page);
                ex.close();
            });
            http.start();
        }

        String uri() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/cb";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    @Test
    void aPersonSeesAConsentedAppRevokesItAndItsRefreshTokenStopsWorking() throws Exception {
        ConnectedAppsTest.Connected other = ConnectedAppsTest.connect("alice", "Travel Desk");
        try (Callback callback = new Callback(); Browser b = Browser.open(server.url(""), "en")) {
            App app = server.createInteractive("web", Map.of("name", "Expense Scanner", "redirectUris", List.of(callback.uri()),
                    "scopes", List.of("openid", "profile", "offline_access", "rest.all.read"), "offlineAccess", true));
            // The real flow: the app sends alice to the authorization endpoint, she signs in and allows it.
            b.go(Authorize.url(Authorize.request(app, callback.uri(), "openid profile offline_access rest.all.read", Map.of())));
            assertThat(b.path()).startsWith("/account/login");
            b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
            b.click("button[name=decision][value=allow]");
            String code = Authorize.query(callback.received.get(20, TimeUnit.SECONDS).toString()).get("code");
            Response exchanged = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code,
                    "redirect_uri", callback.uri()));
            assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
            // The app refreshes once: the rotated refresh token is the one it now holds.
            Response refreshed = server.postForm("/oauth2/token", app, Map.of("grant_type", "refresh_token",
                    "refresh_token", exchanged.json().path("refresh_token").asText()));
            assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
            ConnectedAppsTest.Connected held = new ConnectedAppsTest.Connected(app,
                    refreshed.json().path("access_token").asText(), refreshed.json().path("refresh_token").asText());

            b.go("/account/");
            b.click("a#account-apps");
            assertThat(b.path()).isEqualTo("/account/apps");
            assertThat(b.find("h1").getText()).isEqualTo("Connected applications");
            String card = "#app-" + app.clientId();
            assertThat(b.find(card + " h2").getText()).isEqualTo("Expense Scanner");
            assertThat(b.find(card).getText()).contains("Web application")
                    .contains("Read your business data (accounts, invoices and more)")
                    .contains("Stay connected when you are not using it");
            assertThat(b.findAll(card + " .devices li")).hasSize(1);
            // the access token of the code exchange and the one of the refresh, both still within their lifetime
            assertThat(b.find(card + " .token-status").getText()).isEqualTo("2 active");
            assertThat(b.text()).doesNotContain(held.refreshToken()).doesNotContain(held.accessToken());

            b.click(card + " a[href$='/revoke']");
            assertThat(b.find("h1").getText()).isEqualTo("Revoke access of Expense Scanner?");
            b.click("main button[type=submit]");
            assertThat(b.path()).isEqualTo("/account/apps?done=revoked");
            assertThat(b.find("#apps-notice").getText()).startsWith("Access revoked.");
            assertThat(b.findAll(card)).isEmpty();
            assertThat(b.findAll("#app-" + other.app().clientId())).hasSize(1);

            assertThat(ConnectedAppsTest.refresh(held).json().path("error").asText()).isEqualTo("invalid_grant");
            assertThat(server.query(held.accessToken(), "SELECT * FROM Invoice;").status()).isEqualTo(401);
            // the other app is untouched
            assertThat(ConnectedAppsTest.refresh(other).status()).isEqualTo(200);

            // Asking again shows the consent screen again: the approval was forgotten.
            b.go(Authorize.url(Authorize.request(app, callback.uri(), "openid rest.all.read", Map.of())));
            assertThat(b.find("button[name=decision][value=allow]").isDisplayed()).isTrue();
        }
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
