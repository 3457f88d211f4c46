package dev.ostium.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Browser;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Settings > External applications as an administrator uses it, in a real headless Chromium. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ConsoleBrowserTest extends ServerTest {

    private Browser admin() {
        Browser b = Browser.open(server.url(""), "en");
        b.logIn("admin", "admin");
        return b;
    }

    private static String tokenStatusOf(Browser b, String clientId) {
        return b.find("tr[data-client-id='" + clientId + "'] .token-status").getText();
    }

    @Test
    void anAdministratorCreatesAServiceAccountUsesItsSecretOnceAndManagesItsTokens() {
        try (Browser b = admin()) {
            b.go("/admin/external-apps");
            assertThat(b.find("h1").getText()).isEqualTo("External applications");
            assertThat(b.text()).contains(server.url("/oauth2/token"), server.url("/.well-known/openid-configuration"));

            // a switch, saved and shown again
            b.find("#usersRotateSecrets").click();
            b.click("#save-settings");
            assertThat(b.find("#notice").getText()).isEqualTo("The settings are saved.");
            assertThat(b.find("#usersRotateSecrets").isSelected()).isFalse();
            assertThat(server.admin("GET", "/admin/api/settings", null).json().path("usersRotateSecrets").asBoolean()).isFalse();

            // the wizard: client type, then secret type, then the fields
            b.click("#new-app");
            b.click("#choose-service");
            b.click("#choose-secret_key");
            b.type("#name", "Nightly ERP sync");
            new org.openqa.selenium.support.ui.Select(b.find("#user")).selectByValue("alice");
            b.click("#create");

            assertThat(b.find("h1").getText()).isEqualTo("Copy it now: it is shown only once");
            String clientId = b.find("#shown-client-id").getText();
            String secret = b.find("#client-secret").getText().trim();
            assertThat(secret).hasSizeGreaterThan(40);
            String oneTimePage = b.path();
            b.go(oneTimePage);
            assertThat(b.text()).contains("Already shown").doesNotContain(secret);

            // the secret works at the real token endpoint, and the table counts the token
            TestServer.App app = new TestServer.App(clientId, secret, null);
            String token = server.token(app);
            b.go("/admin/external-apps?q=Nightly");
            assertThat(tokenStatusOf(b, clientId)).isEqualTo("1 active");

            // revoke all tokens, with a confirmation
            b.go("/admin/external-apps/" + clientId);
            b.click("#revoke-tokens");
            assertThat(b.find("h1").getText()).isEqualTo("Revoke all tokens?");
            b.click("#confirm");
            assertThat(b.find("#notice").getText()).isEqualTo("Every token of the application is revoked.");
            assertThat(server.introspect(server.create(Map.of("name", "gateway", "user", "bob", "canIntrospect", true)), token)
                    .path("active").asBoolean()).isFalse();

            // rotate the secret: the new one is shown once, the old one fails
            b.click("#rotate-secret");
            b.click("#confirm");
            String rotated = b.find("#client-secret").getText().trim();
            assertThat(rotated).isNotEqualTo(secret);
            assertThat(server.tokenResponse(app, null).status()).isEqualTo(401);
            assertThat(server.tokenResponse(new TestServer.App(clientId, rotated, null), null).status()).isEqualTo(200);

            // every step is in the app's recent events
            b.go("/admin/external-apps/" + clientId);
            String events = b.find("#events").getText();
            assertThat(events).contains("app.created", "app.tokens_revoked", "app.secret_rotated");
        }
    }

    @Test
    void anAdministratorCreatesAWebAppAndATemplate() {
        try (Browser b = admin()) {
            b.go("/admin/templates/new");
            b.type("#name", "partners").type("#description", "Partner portals");
            b.click("#save-template");
            assertThat(b.find("#notice").getText()).startsWith("The template is saved");
            assertThat(b.find("tr[data-template='partners']").getText()).contains("partners");

            b.go("/admin/external-apps/new?type=interactive");
            b.click("#choose-web");
            b.type("#name", "Partner portal");
            b.type("#redirectUris", "https://portal.example/callback\nhttps://portal.example/other");
            new org.openqa.selenium.support.ui.Select(b.find("#template")).selectByValue("partners");
            b.find("input[name=offlineAccess]").click();
            b.click("#create");
            assertThat(b.find("#client-secret").getText()).isNotBlank();
            String clientId = b.find("#shown-client-id").getText();
            var created = server.admin("GET", "/admin/api/apps/" + clientId, null).json();
            assertThat(created.path("type").asText()).isEqualTo("web");
            assertThat(created.path("template").asText()).isEqualTo("partners");
            assertThat(created.path("redirectUris").toString()).contains("https://portal.example/callback", "https://portal.example/other");
            assertThat(created.path("offlineAccess").asBoolean()).isTrue();
        }
    }

    @Test
    void aMistakeInTheFormIsShownAndNothingIsCreated() {
        try (Browser b = admin()) {
            int before = server.admin("GET", "/admin/api/apps", null).json().size();
            b.go("/admin/external-apps/new?type=interactive&kind=spa");
            b.type("#name", "Broken SPA");
            b.type("#redirectUris", "javascript:alert(1)");
            b.click("#create");
            assertThat(b.find("#form-error").getText()).isNotBlank();
            assertThat(b.find("#name").getAttribute("value")).isEqualTo("Broken SPA");
            assertThat(server.admin("GET", "/admin/api/apps", null).json().size()).isEqualTo(before);
        }
    }

    @Test
    void theItalianPagesRender() {
        try (Browser b = Browser.open(server.url(""), "it")) {
            b.logIn("admin", "admin");
            b.go("/admin/external-apps");
            assertThat(b.find("h1").getText()).isEqualTo("Applicazioni esterne");
            assertThat(b.text()).contains("Abilita accesso tramite OAuth2", "Applicazioni registrate", "Utenti autorizzati");
            b.go("/admin/external-apps/new");
            assertThat(b.text()).contains("Che tipo di applicazione è?");
        }
    }

    @Test
    void aNonAdministratorGetsAReadablePageNotTheConsole() {
        try (Browser b = Browser.open(server.url(""), "en")) {
            b.logIn("alice", "alice");
            b.go("/admin/external-apps");
            assertThat(b.find("h1").getText()).isEqualTo("Access denied");
            assertThat(b.text()).contains("Only administrators may use these pages.");
        }
    }
}
