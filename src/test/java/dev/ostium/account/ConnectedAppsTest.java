package dev.ostium.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The person's Connected applications page through a real server, on H2 and PostgreSQL: what is listed
 * (and what is not), revoking access, the administrator's switch, rotating a bound service account's
 * secret, CSRF refusal, and another person's apps answering 404.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ConnectedAppsTest extends ServerTest {

    static final String CB = "https://crm.example/callback";
    static final String SCOPES = "openid profile offline_access rest.all.read";

    @AfterEach
    void defaults() {
        server.setSettings(Map.of("usersRotateSecrets", true));
    }

    /** A web app the user consented to, with the first token response of its code exchange (one device). */
    record Connected(App app, String accessToken, String refreshToken) {}

    static Connected connect(String username, String name) {
        App app = server.createInteractive("web", Map.of("name", name, "description", "Books the " + name + " invoices",
                "redirectUris", List.of(CB), "scopes", List.of("openid", "profile", "offline_access", "rest.all.read"),
                "offlineAccess", true));
        String code = server.issueCode(app, username, CB, SCOPES, null, null);
        Response r = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CB));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new Connected(app, r.json().path("access_token").asText(), r.json().path("refresh_token").asText());
    }

    static Response refresh(Connected c) {
        return server.postForm("/oauth2/token", c.app(), Map.of("grant_type", "refresh_token", "refresh_token", c.refreshToken()));
    }

    static Person signedIn(String username) {
        Person p = new Person(server);
        assertThat(p.logIn(username, username).status()).isEqualTo(303);
        return p;
    }

    static String path(App app) {
        return "/account/apps/" + app.clientId();
    }

    /** The page of one app's action, then its form sent as the page would send it. */
    static Response confirmAndSubmit(Person p, App app, String action) {
        Response confirm = p.get(path(app) + "/" + action);
        assertThat(confirm.status()).as(confirm.body()).isEqualTo(200);
        assertThat(confirm.body()).contains("action=\"" + path(app) + "/" + action + "\"").contains("name=\"csrf\"");
        Map<String, String> form = new java.util.LinkedHashMap<>();
        Matcher version = Pattern.compile("name=\"version\" value=\"([^\"]+)\"").matcher(confirm.body());
        if (version.find()) form.put("version", version.group(1));
        return p.submit(path(app) + "/" + action, form);
    }

    static List<AuditEvent> events(String kind, App app) {
        return server.node().audit.find(new AuditTrail.Filter(app.clientId(), null, kind, null, null, null), 10);
    }

    @Test
    void withoutASessionThePageSendsThePersonToLoginAndBack() {
        Response r = new Person(server).get("/account/apps");
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("Location")).isEqualTo("/account/login?return_to=%2Faccount%2Fapps");
        Response action = new Person(server).get("/account/apps/anything/revoke");
        assertThat(action.status()).isEqualTo(303);
        assertThat(action.header("Location")).startsWith("/account/login?return_to=");
    }

    @Test
    void theAccountPageLinksToConnectedApplications() {
        Response home = signedIn("alice").get("/account/");
        assertThat(home.body()).contains("href=\"/account/apps\"").contains("Connected applications");
    }

    @Test
    void eachPersonSeesOnlyTheirOwnTokensOfAnAppTheyShare() {
        Connected alices = connect("alice", "Shared Planner");
        // bob signs in to the same app twice and refreshes once: three access tokens, two devices
        String code = server.issueCode(alices.app(), "bob", CB, SCOPES, null, null);
        Response first = server.postForm("/oauth2/token", alices.app(),
                Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CB));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(refresh(new Connected(alices.app(), null, first.json().path("refresh_token").asText())).status()).isEqualTo(200);
        String again = server.issueCode(alices.app(), "bob", CB, SCOPES, null, null);
        assertThat(server.postForm("/oauth2/token", alices.app(),
                Map.of("grant_type", "authorization_code", "code", again, "redirect_uri", CB)).status()).isEqualTo(200);

        assertThat(section(signedIn("alice").get("/account/apps").body(), alices.app())).contains("1 active");
        assertThat(section(signedIn("bob").get("/account/apps").body(), alices.app())).contains("3 active");
    }

    @Test
    void thePageListsBoundServiceAccountsAndConsentedAppsWithTheirDetailsAndNoSecrets() {
        Connected web = connect("alice", "Ledger Sync");
        App service = server.createService("alice", "rest.all.read");
        String serviceToken = server.token(service);
        Connected bobs = connect("bob", "Bob Planner");

        Response page = signedIn("alice").get("/account/apps");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        String body = page.body();
        // the consented web app: name, description, type, scopes in words, granted since, one device
        assertThat(body).contains("Ledger Sync").contains("Books the Ledger Sync invoices").contains("Web application")
                .contains("Know who you are when you sign in").contains("See your name, username and company")
                .contains("Stay connected when you are not using it")
                .contains("Read your business data (accounts, invoices and more)")
                .contains("Granted since").contains("Signed-in devices").contains("1 active");
        assertThat(section(body, web.app())).contains("Since ").contains("last used ").doesNotContain("Never");
        // the bound service account, statically
        assertThat(section(body, service)).contains("Service account").contains("Acts as you")
                .contains("1 active").contains("href=\"" + path(service) + "/rotate\"");
        // not somebody else's
        assertThat(body).doesNotContain("Bob Planner").doesNotContain(bobs.app().clientId());
        // never a token or a secret
        assertThat(body).doesNotContain(web.accessToken()).doesNotContain(web.refreshToken())
                .doesNotContain(web.app().secret()).doesNotContain(service.secret()).doesNotContain(serviceToken);
        // no action without a confirmation page: the list has no form but links
        assertThat(body).doesNotContain("method=\"post\" action=\"/account/apps");
        // not an administrator: no switch
        assertThat(body).doesNotContain("/disable\"");
    }

    @Test
    void theScopesAreDescribedInItalianToo() {
        connect("alice", "Contabilità");
        Response page = signedIn("alice").speaking("it").get("/account/apps");
        assertThat(page.body()).contains("Applicazioni collegate").contains("Contabilità").contains("Applicazione web")
                .contains("Sapere chi sei quando accedi").contains("Restare collegata anche quando non la usi")
                .contains("Revoca accesso");
    }

    @Test
    void revokingAccessEndsTheConsentEveryDeviceAndEveryToken() {
        Connected first = connect("alice", "Time Tracker");
        // a second device: another code exchange under the same consent
        String code = server.issueCode(first.app(), "alice", CB, SCOPES, null, null);
        JsonNode second = server.postForm("/oauth2/token", first.app(), Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", CB)).json();
        Person alice = signedIn("alice");
        String listed = section(alice.get("/account/apps").body(), first.app());
        assertThat(listed.split("<li>Since ", -1)).hasSize(3);

        Response confirm = alice.get(path(first.app()) + "/revoke");
        assertThat(confirm.body()).contains("Revoke access of Time Tracker?").contains("each signed-in device is signed out");
        Response done = confirmAndSubmit(alice, first.app(), "revoke");
        assertThat(done.status()).isEqualTo(303);
        assertThat(done.header("Location")).isEqualTo("/account/apps?done=revoked");

        assertThat(refresh(first).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.postForm("/oauth2/token", first.app(), Map.of("grant_type", "refresh_token",
                "refresh_token", second.path("refresh_token").asText())).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.query(first.accessToken(), "SELECT * FROM Invoice;").status()).isEqualTo(401);
        assertThat(server.query(second.path("access_token").asText(), "SELECT * FROM Invoice;").status()).isEqualTo(401);
        long appId = server.node().apps.require(first.app().clientId()).id();
        long aliceId = server.node().directory.byUsername("alice").orElseThrow().id();
        assertThat(server.node().consents.find(aliceId, appId)).isEmpty();

        Response after = alice.get("/account/apps?done=revoked");
        assertThat(after.body()).contains("Access revoked.").doesNotContain("Time Tracker");
        // the app is no longer alice's: its actions are not found
        assertThat(alice.get(path(first.app()) + "/revoke").status()).isEqualTo(404);

        List<AuditEvent> audit = events("consent.revoked", first.app());
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).actor()).isEqualTo("alice");
        assertThat(audit.get(0).subjectUser()).isEqualTo("alice");
        assertThat(audit.get(0).address()).isEqualTo("127.0.0.1");
        assertThat(audit.get(0).detail()).contains("openid profile offline_access rest.all.read").contains("\"devices\":2");
    }

    @Test
    void aFormWithoutItsCsrfTokenChangesNothing() {
        Connected c = connect("alice", "Forged");
        Person alice = signedIn("alice");
        alice.get(path(c.app()) + "/revoke");
        Response forged = alice.post(path(c.app()) + "/revoke", Map.of());
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.body()).contains("This form has expired");
        Response wrong = alice.post(path(c.app()) + "/revoke", Map.of("csrf", "x".repeat(43)));
        assertThat(wrong.status()).isEqualTo(403);
        Response crossSite = alice.post(path(c.app()) + "/revoke", Map.of("csrf", alice.csrf()), Map.of("Sec-Fetch-Site", "cross-site"));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(refresh(c).status()).isEqualTo(200);
        assertThat(events("consent.revoked", c.app())).isEmpty();
    }

    @Test
    void anotherPersonsAppIsNotFoundAndCannotBeRevoked() {
        Connected alices = connect("alice", "Alice Only");
        Person bob = signedIn("bob");
        Response unknown = bob.get("/account/apps/no-such-client/revoke");
        assertThat(unknown.status()).isEqualTo(404);
        Response notHis = bob.get(path(alices.app()) + "/revoke");
        assertThat(notHis.status()).isEqualTo(404);
        // the same answer as for an app that does not exist: nothing about the app is revealed
        assertThat(main(notHis.body())).isEqualTo(main(unknown.body())).contains("There is no such application");
        assertThat(notHis.body()).doesNotContain("Alice Only");
        bob.get("/account/logout"); // a page with a form: this browser's token since the sign-in
        assertThat(bob.submit(path(alices.app()) + "/revoke", Map.of()).status()).isEqualTo(404);
        assertThat(bob.submit(path(alices.app()) + "/disable", Map.of()).status()).isEqualTo(404);
        assertThat(bob.get(path(alices.app()) + "/icon").status()).isEqualTo(404);
        assertThat(refresh(alices).status()).isEqualTo(200);
    }

    @Test
    void revokingABoundServiceAccountEndsItsTokensButNotItsRegistration() {
        App service = server.createService("alice", "rest.all.read");
        String token = server.token(service);
        Person alice = signedIn("alice");
        assertThat(alice.get(path(service) + "/revoke").body()).contains("It keeps its registration and its credentials");
        assertThat(confirmAndSubmit(alice, service, "revoke").status()).isEqualTo(303);

        assertThat(server.query(token, "SELECT * FROM Invoice;").status()).isEqualTo(401);
        assertThat(server.introspect(service, token).path("active").asBoolean()).isFalse();
        // still bound to alice, so still listed; its credentials get a new token
        String section = section(alice.get("/account/apps").body(), service);
        assertThat(section).contains("No active tokens");
        assertThat(server.query(server.token(service), "SELECT * FROM Invoice;").status()).isEqualTo(200);
        assertThat(events("app.tokens_revoked", service)).extracting(AuditEvent::actor).containsExactly("alice");
    }

    @Test
    void anAdministratorDisablesAndEnablesAnAppTiedToThem() {
        App service = server.createService("admin", "rest.all.read");
        Person admin = signedIn("admin");
        assertThat(section(admin.get("/account/apps").body(), service)).contains("href=\"" + path(service) + "/disable\"");
        assertThat(admin.get(path(service) + "/disable").body()).contains("Disable " + service.created().path("name").asText() + "?");
        Response done = confirmAndSubmit(admin, service, "disable");
        assertThat(done.header("Location")).isEqualTo("/account/apps?done=disabled");
        assertThat(server.node().apps.require(service.clientId()).enabled()).isFalse();
        assertThat(server.tokenResponse(service, null).status()).isNotEqualTo(200);
        String listed = section(admin.get("/account/apps").body(), service);
        assertThat(listed).contains("Disabled").contains("href=\"" + path(service) + "/enable\"");
        assertThat(events("app.disabled", service)).extracting(AuditEvent::actor).containsExactly("admin");

        assertThat(confirmAndSubmit(admin, service, "enable").header("Location")).isEqualTo("/account/apps?done=enabled");
        assertThat(server.node().apps.require(service.clientId()).enabled()).isTrue();
        assertThat(events("app.enabled", service)).extracting(AuditEvent::actor).containsExactly("admin");
    }

    @Test
    void aPersonWhoIsNotAnAdministratorHasNoSwitch() {
        App service = server.createService("alice", "rest.all.read");
        Person alice = signedIn("alice");
        Response page = alice.get(path(service) + "/disable");
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.body()).contains("Only administrators can enable or disable an application.");
        alice.get("/account/apps");
        assertThat(alice.submit(path(service) + "/disable", Map.of()).status()).isEqualTo(403);
        assertThat(server.node().apps.require(service.clientId()).enabled()).isTrue();
        assertThat(events("app.disabled", service)).isEmpty();
    }

    @Test
    void aPersonRotatesTheSecretOfTheirServiceAccountAndSeesItOnce() {
        App service = server.createService("alice", "rest.all.read");
        Person alice = signedIn("alice");
        Response confirm = alice.get(path(service) + "/rotate");
        assertThat(confirm.body()).contains("Rotate the secret of").doesNotContain(service.secret());
        String version = match("name=\"version\" value=\"([^\"]+)\"", confirm.body());
        Response shown = alice.submit(path(service) + "/rotate", Map.of("version", version));
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.header("Cache-Control")).isEqualTo("no-store");
        assertThat(shown.body()).contains("It is shown only this once");
        String secret = match("id=\"client-secret\"[^>]*>([^<]+)</textarea>", shown.body());
        assertThat(secret).isNotEqualTo(service.secret());

        App rotated = new App(service.clientId(), secret, service.created());
        assertThat(server.tokenResponse(rotated, null).status()).isEqualTo(200);
        assertThat(server.tokenResponse(service, null).status()).isEqualTo(401);

        // Sending the same form again (a reload) rotates nothing and shows no secret.
        Response again = alice.submit(path(service) + "/rotate", Map.of("version", version));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("is not shown again").doesNotContain(secret).doesNotContain("client-secret");
        assertThat(server.tokenResponse(rotated, null).status()).isEqualTo(200);
        // nothing of it is kept: neither in the database nor in the trail
        assertThat(server.node().apps.require(service.clientId()).secretHash()).doesNotContain(secret);
        List<AuditEvent> audit = events("app.secret_rotated", service);
        assertThat(audit).extracting(AuditEvent::actor).containsExactly("alice");
        assertThat(audit.get(0).detail()).doesNotContain(secret);
    }

    @Test
    void rotationNeedsTheGlobalSwitchAndABoundSecretKeyServiceAccount() {
        App service = server.createService("alice", "rest.all.read");
        Connected web = connect("alice", "No Rotation");
        Person alice = signedIn("alice");
        assertThat(alice.get(path(web.app()) + "/rotate").status()).isEqualTo(403);
        assertThat(section(alice.get("/account/apps").body(), web.app())).doesNotContain("/rotate\"");

        server.setSettings(Map.of("usersRotateSecrets", false));
        assertThat(section(alice.get("/account/apps").body(), service)).doesNotContain("/rotate\"");
        Response refused = alice.get(path(service) + "/rotate");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(alice.submit(path(service) + "/rotate", Map.of("version", "anything")).status()).isEqualTo(403);
        assertThat(server.tokenResponse(service, null).status()).isEqualTo(200);
    }

    @Test
    void theIconIsServedToThePeopleTheAppIsTiedTo() throws Exception {
        Connected c = connect("alice", "Pictured");
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        Response up = server.send(HttpRequest.newBuilder(URI.create(server.url("/admin/api/apps/" + c.app().clientId() + "/icon")))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes()))
                .header("Content-Type", "image/png").PUT(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build());
        assertThat(up.status()).as(up.body()).isEqualTo(200);

        Person alice = signedIn("alice");
        assertThat(section(alice.get("/account/apps").body(), c.app())).contains("src=\"" + path(c.app()) + "/icon\"");
        Response icon = alice.get(path(c.app()) + "/icon");
        assertThat(icon.status()).isEqualTo(200);
        assertThat(icon.header("Content-Type")).isEqualTo("image/png");
        assertThat(icon.body()).startsWith("\uFFFDPNG");
        assertThat(signedIn("bob").get(path(c.app()) + "/icon").status()).isEqualTo(404);
        assertThat(new Person(server).get(path(c.app()) + "/icon").status()).isEqualTo(303);
    }

    /** The part of the page about one app. */
    static String section(String body, App app) {
        int start = body.indexOf("id=\"app-" + app.clientId() + "\"");
        assertThat(start).as("app %s is listed", app.clientId()).isNotNegative();
        int end = body.indexOf("</section>", start);
        return body.substring(start, end);
    }

    static String main(String body) {
        return body.substring(body.indexOf("<main>"), body.indexOf("</main>"));
    }

    static String match(String regex, String body) {
        Matcher m = Pattern.compile(regex).matcher(body);
        assertThat(m.find()).as("%s in %s", regex, body).isTrue();
        return m.group(1);
    }
}
