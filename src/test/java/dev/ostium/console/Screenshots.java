package dev.ostium.console;

import dev.ostium.testing.Browser;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;

/**
 * Not a test: regenerates the screenshots of the main pages in docs/screenshots (scripts/screenshots.sh).
 * Runs only when asked for with -Dostium.screenshots=DIR.
 */
@EnabledIfSystemProperty(named = "ostium.screenshots", matches = ".+")
class Screenshots {

    @Test
    void takeThem() throws Exception {
        Path dir = Path.of(System.getProperty("ostium.screenshots"));
        Files.createDirectories(dir);
        TestServer server = TestServer.start(TestDatabase.H2);
        try {
            TestServer.App erp = server.create(Map.of("name", "Nightly ERP sync", "user", "alice", "scopes", List.of("rest.all.read")));
            server.token(erp);
            server.token(erp);
            server.create(Map.of("name", "Partner portal", "type", "web", "redirectUris", List.of("https://portal.example/callback"),
                    "offlineAccess", true));
            server.create(Map.of("name", "Field app", "type", "spa", "redirectUris", List.of("https://field.example/cb")));
            try (Browser b = Browser.open(server.url(""), "en")) {
                b.driver().manage().window().setSize(new Dimension(1280, 1000));
                shot(b, "/account/login", dir.resolve("login.png"));
                b.logIn("admin", "admin");
                shot(b, "/admin/external-apps", dir.resolve("external-apps.png"));
                shot(b, "/admin/external-apps/new", dir.resolve("wizard-1.png"));
                shot(b, "/admin/external-apps/new?type=interactive&kind=web", dir.resolve("wizard-3-web.png"));
                shot(b, "/admin/external-apps/" + erp.clientId(), dir.resolve("app.png"));
                b.go("/admin/external-apps/new?type=service&kind=secret_key");
                b.type("#name", "Reporting job");
                new org.openqa.selenium.support.ui.Select(b.find("#user")).selectByValue("bob");
                b.click("#create");
                Files.write(dir.resolve("shown-once.png"), b.driver().getScreenshotAs(OutputType.BYTES));
                shot(b, "/admin/templates", dir.resolve("templates.png"));
                shot(b, "/admin/audit", dir.resolve("audit.png"));
                shot(b, "/admin/external-apps?lang=it", dir.resolve("external-apps-it.png"));
                b.go("/admin/external-apps?lang=en");
            }
        } finally {
            server.destroy();
        }
    }

    private static void shot(Browser b, String path, Path file) throws Exception {
        b.go(path);
        Files.write(file, b.driver().getScreenshotAs(OutputType.BYTES));
    }
}
