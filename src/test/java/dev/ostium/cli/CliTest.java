package dev.ostium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI manages a running server through its admin API. */
class CliTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestDatabase.H2);
    }

    @AfterAll
    static void stop() {
        server.destroy();
    }

    private record Run(int code, String out, String err) {}

    private static Run ostium(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + server.base());
        all.add("--admin=" + TestServer.ADMIN);
        CommandLine cl = OstiumCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static String field(String output, String name) {
        Matcher m = Pattern.compile(name + ":\\s+(\\S+)").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return m.group(1);
    }

    @Test
    void relativeFileArgumentsMeanTheDirectoryTheCommandWasRunIn() {
        assertThat(CallerPaths.resolve("logo.png", "/home/me/work")).isEqualTo(Path.of("/home/me/work/logo.png"));
        assertThat(CallerPaths.resolve("../keys/app.pem", "/home/me/work")).isEqualTo(Path.of("/home/me/keys/app.pem"));
        assertThat(CallerPaths.resolve("/etc/ostium.properties", "/home/me/work")).isEqualTo(Path.of("/etc/ostium.properties"));
        assertThat(CallerPaths.resolve("data", null)).isEqualTo(Path.of("data"));
    }

    @Test
    void createPrintsTheClientIdAndSecretOnceAndTheyWork() {
        Run r = ostium("apps", "create", "--type", "service", "--user", "alice", "--scope", "rest.all.read", "--name", "ERP");
        assertThat(r.code()).as(r.err()).isZero();
        String id = field(r.out(), "client_id");
        String secret = field(r.out(), "client_secret");
        assertThat(id).startsWith("ost_");
        assertThat(server.tokenResponse(new TestServer.App(id, secret, null), null).status()).isEqualTo(200);

        Run list = ostium("apps", "list");
        assertThat(list.out()).contains(id).contains("ERP").contains("Service account").contains("1 active");
        assertThat(list.out()).doesNotContain(secret);

        Run tokens = ostium("apps", "tokens", id);
        assertThat(tokens.out().trim()).isEqualTo("1 active");
    }

    @Test
    void lifecycleCommandsWork() {
        Run created = ostium("apps", "create", "--user", "bob", "--scope", "rest.all");
        String id = field(created.out(), "client_id");
        String secret = field(created.out(), "client_secret");
        TestServer.App app = new TestServer.App(id, secret, null);

        assertThat(ostium("apps", "update", id, "--name", "Renamed", "--scope", "rest.all.read,rest.all.write").code()).isZero();
        assertThat(server.admin("GET", "/admin/api/apps/" + id, null).json().path("name").asText()).isEqualTo("Renamed");
        assertThat(ostium("apps", "disable", id).code()).isZero();
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(401);
        assertThat(ostium("apps", "enable", id).code()).isZero();
        String token = server.token(app);
        assertThat(ostium("apps", "revoke-tokens", id).out()).contains("revoked all tokens");
        assertThat(server.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(401);

        Run rotated = ostium("apps", "rotate-secret", id);
        String fresh = field(rotated.out(), "client_secret");
        assertThat(server.tokenResponse(app, null).status()).isEqualTo(401);
        assertThat(server.tokenResponse(new TestServer.App(id, fresh, null), null).status()).isEqualTo(200);

        assertThat(ostium("apps", "delete", id).out()).contains("deleted");
        assertThat(ostium("apps", "show", id).code()).isEqualTo(2);
    }

    @Test
    void signedJwtAppsGetTheirKeysOnce(@TempDir Path dir) throws Exception {
        Run r = ostium("apps", "create", "--user", "alice", "--secret-type", "signed_jwt", "--key-alg", "ES256");
        assertThat(r.out()).contains("-----BEGIN PRIVATE KEY-----").contains("\"kty\":\"EC\"");
        String id = field(r.out(), "client_id");
        Run regen = ostium("apps", "generate-keys", id);
        assertThat(regen.out()).contains("-----BEGIN PRIVATE KEY-----");

        var key = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("uploaded").generate();
        Path file = dir.resolve("key.jwk");
        Files.writeString(file, key.toPublicJWK().toJSONString());
        Run up = ostium("apps", "upload-key", id, file.toString());
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.out()).contains("uploaded");
    }

    @Test
    void webAndSpaAppsAreCreatedWithTheDocumentedCommand(@TempDir Path dir) throws Exception {
        Run web = ostium("apps", "create", "--type", "web", "--name", "CRM", "--redirect-uri", "https://crm.example/cb",
                "--redirect-uri", "https://crm.example/cb2", "--scope", "openid profile email offline_access rest.all", "--offline-access");
        assertThat(web.code()).as(web.err()).isZero();
        String webId = field(web.out(), "client_id");
        assertThat(field(web.out(), "client_secret")).hasSize(43);
        var shown = server.admin("GET", "/admin/api/apps/" + webId, null).json();
        assertThat(shown.path("redirectUris").size()).isEqualTo(2);
        assertThat(shown.path("scopes").toString()).isEqualTo("[\"openid\",\"profile\",\"email\",\"offline_access\",\"rest.all\"]");
        assertThat(shown.path("offlineAccess").asBoolean()).isTrue();

        Run template = ostium("templates", "create", "--name", "partners", "--scope", "openid rest.all", "--refresh-retry-window", "20");
        assertThat(template.code()).as(template.err()).isZero();
        Path icon = dir.resolve("logo.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(200, 100, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", icon.toFile());
        Run spa = ostium("apps", "create", "--type", "spa", "--name", "Dashboard", "--redirect-uri", "https://dash.example/",
                "--scope", "openid rest.all", "--template", "partners", "--icon", icon.toString());
        assertThat(spa.code()).as(spa.err()).isZero();
        String spaId = field(spa.out(), "client_id");
        assertThat(spa.out()).doesNotContain("client_secret");
        var spaShown = server.admin("GET", "/admin/api/apps/" + spaId, null).json();
        assertThat(spaShown.path("template").asText()).isEqualTo("partners");
        assertThat(spaShown.path("icon").asText()).endsWith("/icon");
        assertThat(spaShown.path("lifetimes").path("refreshRetryWindow").asLong()).isEqualTo(20);

        // An icon the server refuses: the app exists and its id is printed, but the command fails.
        Path notAnImage = dir.resolve("notes.png");
        java.nio.file.Files.writeString(notAnImage, "not an image");
        Run badIcon = ostium("apps", "create", "--type", "spa", "--name", "Bad icon", "--redirect-uri", "https://bad.example/",
                "--scope", "openid", "--icon", notAnImage.toString());
        assertThat(badIcon.code()).isEqualTo(2);
        assertThat(field(badIcon.out(), "client_id")).startsWith("ost_");
        assertThat(badIcon.err()).contains("the app was created, but its icon was not stored");

        Run list = ostium("templates", "list");
        assertThat(list.out()).contains("partners").contains("default");
        Run inUse = ostium("templates", "delete", "partners");
        assertThat(inUse.code()).isEqualTo(2);
        assertThat(inUse.err()).contains("used by 1 app");
        assertThat(ostium("templates", "update", "partners", "--access-token-ttl", "300").code()).isZero();
        assertThat(server.admin("GET", "/admin/api/apps/" + spaId, null).json().path("lifetimes").path("accessTokenTtl").asLong()).isEqualTo(300);
        Run update = ostium("apps", "update", spaId, "--authorized-user", "alice", "--authorized-group", "Sales", "--consent-name", "Dash");
        assertThat(update.code()).as(update.err()).isZero();
        assertThat(update.out()).contains("\"openToAll\" : false").contains("\"consentName\" : \"Dash\"");
        // A file that cannot be an icon by its name is refused before anything changes; one the server refuses
        // after the other changes were stored says so.
        Path text = dir.resolve("notes.txt");
        java.nio.file.Files.writeString(text, "not an image");
        Run wrongFile = ostium("apps", "update", spaId, "--description", "changed by a failed update", "--icon", text.toString());
        assertThat(wrongFile.code()).isEqualTo(2);
        assertThat(wrongFile.err()).contains("--icon must be a .png, .jpg or .jpeg file");
        assertThat(server.admin("GET", "/admin/api/apps/" + spaId, null).json().path("description").asText())
                .isNotEqualTo("changed by a failed update");
        Run refusedIcon = ostium("apps", "update", spaId, "--description", "kept", "--icon", notAnImage.toString());
        assertThat(refusedIcon.code()).isEqualTo(2);
        assertThat(refusedIcon.err()).contains("the other changes were stored, but the icon was not");
        assertThat(server.admin("GET", "/admin/api/apps/" + spaId, null).json().path("description").asText()).isEqualTo("kept");
    }

    @Test
    void anEmptyValueGivenAloneEmptiesAList() {
        Run created = ostium("apps", "create", "--type", "web", "--name", "Lists", "--redirect-uri", "https://a.example/cb",
                "--post-logout-redirect-uri", "https://a.example/bye", "--authorized-user", "alice", "--authorized-group", "Sales");
        assertThat(created.code()).as(created.err()).isZero();
        String id = field(created.out(), "client_id");

        Run mixed = ostium("apps", "update", id, "--authorized-user", "", "--authorized-user", "bob", "--name", "Not stored");
        assertThat(mixed.code()).isEqualTo(2);
        assertThat(mixed.err()).contains("--authorized-user '' empties the list: give it alone");
        var kept = server.admin("GET", "/admin/api/apps/" + id, null).json();
        assertThat(kept.path("name").asText()).isEqualTo("Lists");
        assertThat(kept.path("authorizedUsers").toString()).isEqualTo("[\"alice\"]");

        Run emptied = ostium("apps", "update", id, "--post-logout-redirect-uri", "", "--authorized-user=", "--authorized-group", "");
        assertThat(emptied.code()).as(emptied.err()).isZero();
        var now = server.admin("GET", "/admin/api/apps/" + id, null).json();
        assertThat(now.path("postLogoutRedirectUris").toString()).isEqualTo("[]");
        assertThat(now.path("authorizedUsers").toString()).isEqualTo("[]");
        assertThat(now.path("authorizedGroups").toString()).isEqualTo("[]");
        assertThat(now.path("redirectUris").toString()).isEqualTo("[\"https://a.example/cb\"]");

        // The one list an app cannot be without says so.
        Run noRedirect = ostium("apps", "update", id, "--redirect-uri", "");
        assertThat(noRedirect.code()).isEqualTo(2);
        assertThat(noRedirect.err()).contains("at least one redirect URI is required");
    }

    @Test
    void theDefaultTemplateCannotBeRenamedOrDeleted() {
        Run renamed = ostium("templates", "update", "default", "--rename", "standard");
        assertThat(renamed.code()).isEqualTo(2);
        assertThat(renamed.err()).contains("the template 'default' keeps its name");
        Run deleted = ostium("templates", "delete", "default");
        assertThat(deleted.code()).isEqualTo(2);
        assertThat(deleted.err()).contains("the template 'default' cannot be deleted");
        Run created = ostium("apps", "create", "--type", "web", "--name", "Follows default", "--redirect-uri", "https://a.example/cb");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(server.admin("GET", "/admin/api/apps/" + field(created.out(), "client_id"), null).json().path("template").asText())
                .isEqualTo("default");
    }

    @Test
    void settingsAndKeysCommands() {
        Run set = ostium("settings", "set", "--users-rotate-secrets", "false");
        assertThat(set.out()).contains("\"usersRotateSecrets\" : false");
        ostium("settings", "set", "--users-rotate-secrets", "true");
        assertThat(ostium("settings", "get").out()).contains("\"usersRotateSecrets\" : true");

        int before = server.admin("GET", "/admin/api/keys", null).json().size();
        Run rotate = ostium("keys", "rotate");
        assertThat(rotate.code()).isZero();
        assertThat(server.admin("GET", "/admin/api/keys", null).json().size()).isEqualTo(before + 2);
    }

    @Test
    void errorsAreOneClearLine() {
        Run bad = ostium("apps", "create", "--user", "nobody");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("no user named 'nobody'");

        CommandLine cl = OstiumCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("apps", "list", "--server=http://127.0.0.1:1", "--admin=admin:admin");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no Ostium server at http://127.0.0.1:1");

        CommandLine cl2 = OstiumCommand.commandLine();
        StringWriter err2 = new StringWriter();
        cl2.setErr(new PrintWriter(err2));
        assertThat(cl2.execute("apps", "list", "--server=" + server.base(), "--admin=admin:nope")).isEqualTo(2);
        assertThat(err2.toString()).contains("401");
    }

    @Test
    void helpDocumentsTheConfiguration() {
        CommandLine cl = OstiumCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        for (String flag : List.of("--port", "--data-dir", "--db-url", "--issuer", "--master-key", "--access-token-ttl", "OSTIUM_DB_URL",
                "--login-idle-timeout", "--login-absolute-timeout", "--audit-retention")) {
            assertThat(out.toString()).contains(flag);
        }
    }

    @Test
    void theSessionAndRetentionFlagsReachTheConfiguration() {
        ServerOptions options = new ServerOptions();
        new CommandLine(options).parseArgs("--login-idle-timeout", "20s", "--login-absolute-timeout", "1h", "--audit-retention", "30d");
        var config = options.load();
        assertThat(config.loginIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
        assertThat(config.loginAbsoluteTimeout()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(config.auditRetention()).isEqualTo(java.time.Duration.ofDays(30));
    }
}
