package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every OAuth endpoint answers malformed, oversized, duplicated, mistyped or hostile input with a clear
 * RFC 6749 §5.2 error — never a 500 or a stack trace — and stored data stays as it was.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class BadInputTest extends ServerTest {

    private static final List<String> ENDPOINTS = List.of("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke");
    private App app;
    private String token;

    @BeforeEach
    void anAppWithAToken() {
        app = server.createService("alice", "rest.all.read");
        token = server.token(app);
    }

    private Response raw(String path, String contentType, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path))).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (authorization != null) b.header("Authorization", authorization);
        return server.send(b.build());
    }

    /** A GET written byte for byte on a socket, for request lines an HTTP client would not send; the whole answer. */
    private static String rawGet(String target) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(server.base()).getPort())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertOAuthError(Response r, int status, String error) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().path("error").asText()).as(r.body()).isEqualTo(error);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private Map<String, Long> snapshot() {
        return Map.of("apps", server.count("apps"), "tokens", server.count("access_tokens"),
                "users", server.count("users"), "settings", server.count("settings"));
    }

    @Test
    void wrongContentTypeIsInvalidRequest() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        for (String path : ENDPOINTS) {
            assertOAuthError(raw(path, "application/json", "{\"grant_type\":\"client_credentials\",\"token\":\"x\"}", basic), 400, "invalid_request");
            assertOAuthError(raw(path, null, "grant_type=client_credentials&token=x", basic), 400, "invalid_request");
            assertOAuthError(raw(path, "text/plain", "grant_type=client_credentials&token=x", basic), 400, "invalid_request");
        }
    }

    @Test
    void aCharsetTheServerDoesNotKnowIsInvalidRequestNotAServerError() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        Map<String, Long> before = snapshot();
        for (String charset : List.of("bogus", "\"x-unknown\"", "UTF-7", "no/such")) {
            String type = "application/x-www-form-urlencoded; charset=" + charset;
            for (String path : ENDPOINTS) assertOAuthError(raw(path, type, "grant_type=client_credentials&token=" + token, basic), 400, "invalid_request");
            // A person's form gets a readable page, not JSON.
            Response page = server.send(HttpRequest.newBuilder(URI.create(server.url("/account/login")))
                    .header("Content-Type", type).header("Accept", "text/html")
                    .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=x")).build());
            assertThat(page.status()).as(charset).isEqualTo(400);
            assertThat(page.header("Content-Type")).startsWith("text/html");
            assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        }
        // A charset the server knows is read as before.
        Response ok = raw("/oauth2/token", "application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials", basic);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(server.introspect(app, token).path("active").asBoolean()).isTrue();
        assertThat(snapshot()).isEqualTo(Map.of("apps", before.get("apps"), "tokens", before.get("tokens") + 1,
                "users", before.get("users"), "settings", before.get("settings")));
    }

    @Test
    void aBrokenMultipartBodyIsABadRequestNotAServerError() {
        Map<String, Long> before = snapshot();
        for (String type : List.of("multipart/form-data; boundary=x", "multipart/form-data")) {
            for (String path : List.of("/account/login", "/account/logout", "/oauth2/logout", "/admin/external-apps/new")) {
                Response r = server.send(HttpRequest.newBuilder(URI.create(server.url(path))).header("Content-Type", type)
                        .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.ofString("--x\r\ngarbage")).build());
                assertThat(r.status()).as(type + " " + path + ": " + r.body()).isIn(400, 401, 403);
            }
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void anUnknownPathAmongThePagesIsAPageAndAuditPagingIsBounded() {
        Response page = server.get("/account/apps/nosuch");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(server.get("/oauth2/nosuch").header("Content-Type")).startsWith("application/json");
        for (String limit : List.of("-1", "0", "501", "99999999999999")) {
            Response r = server.admin("GET", "/admin/api/audit?limit=" + limit, null);
            assertThat(r.status()).as(limit).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).isEqualTo("limit must be from 1 to 500");
        }
        assertThat(server.admin("GET", "/admin/api/audit?limit=x", null).json().path("error_description").asText())
                .isEqualTo("limit must be a whole number");
        assertThat(server.admin("GET", "/admin/api/audit?limit=500", null).status()).isEqualTo(200);
    }

    @Test
    void answersTheHttpLayerWritesItselfCarryTheSecurityHeadersToo() {
        Response longUri = server.get("/oauth2/authorize?state=" + "b".repeat(20_000));
        Response longHeader = server.send(HttpRequest.newBuilder(URI.create(server.url("/oauth2/jwks")))
                .header("X-Padding", "p".repeat(20_000)).GET().build());
        for (Response r : List.of(longUri, longHeader)) {
            assertThat(r.status()).as(r.toString()).isIn(414, 431);
            assertThat(r.header("X-Frame-Options")).as(r.toString()).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        // over plain http there is nothing to pin
        assertThat(server.get("/account/login").header("Strict-Transport-Security")).isNull();
        // A program gets error JSON, like every other refusal it gets; a person's page address gets a page of ours.
        assertThat(longUri.header("Content-Type")).isEqualTo("text/html;charset=utf-8");
        assertThat(longUri.body()).startsWith("<!DOCTYPE html>\n<html lang=\"en\">").contains("go to the start page");
        // a malformed escape in a page's path never reaches the pages either (sent as is: HTTP clients refuse to)
        // in an authorization request's query, the page says what is wrong, and its links carry none of it
        String badQuery = rawGet("/oauth2/authorize?client_id=%ZZ&lang=x");
        assertThat(badQuery).startsWith("HTTP/1.1 400").contains("not correctly encoded").doesNotContain("%ZZ");
        String badEscape = rawGet("/account/%ZZ");
        assertThat(badEscape).startsWith("HTTP/1.1 400").contains("Content-Type: text/html;charset=utf-8")
                .contains("<!DOCTYPE html>\n<html lang=\"en\">").contains("X-Frame-Options: DENY");
        // whatever the method
        for (String method : List.of("DELETE", "PUT", "PATCH")) {
            Response r = server.send(HttpRequest.newBuilder(URI.create(server.url("/admin/api/apps/%ff")))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(method).startsWith("application/json");
            assertThat(r.json().path("error").asText()).as(method).isEqualTo("invalid_request");
        }
        assertThat(longHeader.header("Content-Type")).startsWith("application/json");
        assertThat(longHeader.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(longHeader.json().path("error_description").asText()).isNotBlank();
        Response longBasic = raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client_credentials",
                "Basic " + "Q".repeat(20_000));
        assertThat(longBasic.status()).isEqualTo(431);
        assertThat(longBasic.json().path("error").asText()).isEqualTo("invalid_request");
    }

    @Test
    void duplicateParametersAreInvalidRequest() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        assertOAuthError(raw("/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&grant_type=client_credentials", basic), 400, "invalid_request");
        assertOAuthError(raw("/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&scope=rest.all.read&scope=rest.all", basic), 400, "invalid_request");
        assertOAuthError(raw("/oauth2/introspect", "application/x-www-form-urlencoded", "token=a&token=b", basic), 400, "invalid_request");
        assertOAuthError(raw("/oauth2/revoke", "application/x-www-form-urlencoded", "token=" + token + "&token=" + token, basic), 400, "invalid_request");
        assertThat(server.introspect(app, token).path("active").asBoolean()).isTrue();
    }

    @Test
    void malformedFormsAreInvalidRequest() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        for (String path : ENDPOINTS) {
            assertOAuthError(raw(path, "application/x-www-form-urlencoded", "token=%zz&grant_type=%", basic), 400, "invalid_request");
        }
        assertOAuthError(raw("/oauth2/token", "application/x-www-form-urlencoded", "", basic), 400, "invalid_request");
        assertOAuthError(raw("/oauth2/introspect", "application/x-www-form-urlencoded", "", basic), 400, "invalid_request");
        assertOAuthError(raw("/oauth2/revoke", "application/x-www-form-urlencoded", "", basic), 400, "invalid_request");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNotReplaced() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        for (String path : ENDPOINTS) {
            for (String bad : List.of("%ff", "%c0%af", "%ed%a0%80", "%e2%82")) {
                assertOAuthError(raw(path, "application/x-www-form-urlencoded", "grant_type=client_credentials&token=" + bad + "&x=1", basic),
                        400, "invalid_request");
            }
        }
        // Well-formed UTF-8, percent-encoded or not, is read as such.
        assertThat(raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&note=%C3%A8+è", basic)
                .status()).isEqualTo(200);
    }

    @Test
    void aNulCharacterIsRefusedAsInputOnEveryDatabase() {
        App web = server.createInteractive("web", Map.of("redirectUris", List.of("https://app.example/cb")));
        Map<String, Long> before = snapshot();
        String basic = TestServer.basic(app.clientId(), app.secret());
        for (String path : ENDPOINTS) {
            // in a parameter, whichever client it names, authenticated or not
            assertOAuthError(raw(path, "application/x-www-form-urlencoded", "grant_type=client_credentials&token=x&client_id=%00", null),
                    400, "invalid_request");
            assertOAuthError(raw(path, "application/x-www-form-urlencoded", "grant_type=client_credentials&token=a%00b", basic),
                    400, "invalid_request");
            // in the client id of HTTP Basic credentials: no such client
            assertOAuthError(raw(path, "application/x-www-form-urlencoded", "grant_type=client_credentials&token=x",
                    TestServer.basic("a\0b", "c")), 401, "invalid_client");
        }
        Response authorize = server.get("/oauth2/authorize?response_type=code&client_id=%00&redirect_uri=https%3A%2F%2Fapp.example%2Fcb");
        assertThat(authorize.status()).as(authorize.body()).isEqualTo(400);
        assertThat(authorize.header("Content-Type")).startsWith("text/html");
        // a NUL in a parameter of a known client's request goes back to the app as invalid_request
        Response nonce = server.get("/oauth2/authorize?response_type=code&scope=openid&client_id=" + web.clientId()
                + "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&nonce=a%00b&state=s");
        assertThat(nonce.status()).isEqualTo(303);
        assertThat(nonce.header("Location")).startsWith("https://app.example/cb?error=invalid_request").contains("&state=s&");
        Response logout = server.get("/oauth2/logout?client_id=%00");
        assertThat(logout.status()).as(logout.body()).isEqualTo(400);
        assertThat(logout.header("Content-Type")).startsWith("text/html");
        Person person = new Person(server);
        Response login = person.logIn("al\0ice", "alice");
        assertThat(login.status()).as(login.body()).isIn(200, 400);
        assertThat(login.body()).doesNotContain("Exception");
        assertThat(person.logIn("alice", "alice").status()).isEqualTo(303);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void escapesTakeAsciiHexDigitsOnly() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        // U+0665 ARABIC-INDIC DIGIT FIVE is a digit, but no hex digit of a percent escape (RFC 3986 §2.1)
        assertOAuthError(raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client%\u0665Fcredentials", basic),
                400, "invalid_request");
        assertOAuthError(raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client%\uFF15Fcredentials", basic),
                400, "invalid_request");
        assertThat(raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client%5Fcredentials", basic).status())
                .isEqualTo(200);
    }

    @Test
    void twoBearerHeadersAtUserinfoAndTheRestApiAreInvalidRequest() {
        for (String path : List.of("/oauth2/userinfo", "/restapi/v1/describe/Accounts")) {
            Response r = server.send(HttpRequest.newBuilder(URI.create(server.url(path))).GET()
                    .header("Authorization", "Bearer " + token).header("Authorization", "Bearer " + token).build());
            assertThat(r.status()).as(path + " " + r.body()).isEqualTo(400);
            assertThat(r.header("WWW-Authenticate")).as(path).startsWith("Bearer").contains("error=\"invalid_request\"");
        }
        // The token as a form or query parameter is not offered: refused with where to send it, not ignored.
        Response inBody = server.send(HttpRequest.newBuilder(URI.create(server.url("/oauth2/userinfo")))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("access_token=" + token)).build());
        assertThat(inBody.status()).isEqualTo(400);
        assertThat(inBody.header("WWW-Authenticate")).contains("error=\"invalid_request\"");
        assertThat(server.get("/oauth2/userinfo?access_token=" + token).status()).isEqualTo(400);
        // Once is fine.
        Response once = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/describe/Accounts"))).GET()
                .header("Authorization", "Bearer " + token).build());
        assertThat(once.status()).isEqualTo(200);
    }

    @Test
    void twoAuthorizationHeadersAreInvalidRequest() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url("/oauth2/token")))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", TestServer.basic(app.clientId(), app.secret()))
                .header("Authorization", TestServer.basic("someone-else", "nope"));
        assertOAuthError(server.send(b.build()), 400, "invalid_request");
    }

    @Test
    void oversizedBodiesAreRefused() {
        String basic = TestServer.basic(app.clientId(), app.secret());
        String big = "grant_type=client_credentials&scope=" + "a".repeat(70_000);
        for (String path : ENDPOINTS) {
            Response r = raw(path, "application/x-www-form-urlencoded", big, basic);
            assertOAuthError(r, 400, "invalid_request");
        }
        // Far over the server's limit: refused once the server has read as much as it allows, the rest left unread.
        String huge = sentWhileReading("/oauth2/token", "scope=" + "a".repeat(2_000_000), basic);
        assertThat(huge).matches("(?s)HTTP/1\\.1 (400|413) .*");
        assertThat(huge).contains("\"error\":\"invalid_request\"").doesNotContain("Exception");
    }

    /**
     * The answer, head and body, to a form request whose body is written while the answer is read. A server that
     * refuses a body before reading all of it closes the connection under the writing client; a client that only
     * reads once it has written everything can then lose the answer, so this one writes from another thread.
     */
    private String sentWhileReading(String path, String body, String authorization) {
        URI uri = URI.create(server.url(path));
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nAuthorization: " + authorization + "\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n";
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().write(bytes);
                } catch (IOException closedByTheServer) {
                    // expected once the server has answered
                }
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder answer = new StringBuilder();
            int bodyLength = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                answer.append(line).append("\r\n");
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) bodyLength = Integer.parseInt(line.substring(15).trim());
            }
            char[] answerBody = new char[bodyLength];
            int read = 0;
            for (int n; read < bodyLength && (n = in.read(answerBody, read, bodyLength - read)) > 0; ) read += n;
            socket.close();
            writer.join();
            return answer.append("\r\n").append(answerBody, 0, read).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void queryStringParametersAreRefused() {
        Response r = server.postForm("/oauth2/token?client_secret=" + app.secret(), app.clientId(), app.secret(), "grant_type=client_credentials");
        assertOAuthError(r, 400, "invalid_request");
    }

    @Test
    void getOnAPostEndpointIsAClearError() {
        for (String path : ENDPOINTS) {
            Response r = server.get(path);
            assertThat(r.status()).isEqualTo(405);
            // POST, and OPTIONS where browsers may preflight a cross-origin call
            assertThat(r.header("Allow")).as(path).isIn("POST", "POST, OPTIONS");
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_request");
        }
    }

    @Test
    void twoClientAuthenticationMethodsAtOnceAreInvalidRequest() {
        Response r = raw("/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + app.clientId() + "&client_secret=" + app.secret(),
                TestServer.basic(app.clientId(), app.secret()));
        assertOAuthError(r, 400, "invalid_request");
    }

    @Test
    void garbageAuthorizationHeadersAreInvalidClient() {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        for (String h : List.of("Basic !!!notbase64", "Basic " + b64.encodeToString("nocolon".getBytes()),
                "Bearer " + token, "Digest username=x",
                // the client id exactly, with the right secret: nothing trimmed from either
                "Basic " + b64.encodeToString((app.clientId() + " :" + app.secret()).getBytes()),
                "Basic " + b64.encodeToString((app.clientId() + "\t:" + app.secret()).getBytes()),
                "Basic " + b64.encodeToString((app.clientId() + "%00:" + app.secret()).getBytes()),
                "Basic " + b64.encodeToString((" " + app.clientId() + ":" + app.secret()).getBytes()))) {
            Response r = raw("/oauth2/token", "application/x-www-form-urlencoded", "grant_type=client_credentials", h);
            assertOAuthError(r, 401, "invalid_client");
        }
    }

    @Test
    void sqlLookingInputInEveryFieldChangesNothing() {
        Map<String, Long> before = snapshot();
        String evil = "x' OR '1'='1'; DROP TABLE apps; --";
        Response t1 = server.postForm("/oauth2/token", evil, evil, TestServer.form(Map.of("grant_type", "client_credentials")));
        assertOAuthError(t1, 401, "invalid_client");
        Response t2 = server.postForm("/oauth2/token", app, Map.of("grant_type", evil));
        assertOAuthError(t2, 400, "unsupported_grant_type");
        Response t3 = server.postForm("/oauth2/token", app, Map.of("grant_type", "client_credentials", "scope", evil));
        assertOAuthError(t3, 400, "invalid_scope");
        Response t4 = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                "client_id", evil, "client_secret", evil)));
        assertOAuthError(t4, 401, "invalid_client");
        Response t5 = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", evil)));
        assertOAuthError(t5, 401, "invalid_client");
        Response t6 = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", evil)));
        assertOAuthError(t6, 400, "invalid_grant");
        assertThat(server.introspect(app, evil).path("active").asBoolean()).isFalse();
        assertThat(server.postForm("/oauth2/revoke", app, Map.of("token", evil, "token_type_hint", evil)).status()).isEqualTo(200);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(server.introspect(app, token).path("active").asBoolean()).isTrue();
    }

    @Test
    void garbageAndExpiredClientAssertionsAreInvalidClient() {
        String expired = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4Iiwic3ViIjoieCIsImF1ZCI6InkiLCJleHAiOjEwMDAwMDAwMDB9.c2ln";
        for (String a : List.of("", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", expired)) {
            Response r = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                    "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", a)));
            assertThat(r.status()).as(a).isIn(400, 401);
            assertThat(r.json().path("error").asText()).as(a + " " + r.body()).isIn("invalid_client", "invalid_request");
        }
        Response wrongType = server.postForm("/oauth2/token", null, null, TestServer.form(Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:example:unknown", "client_assertion", expired)));
        assertThat(wrongType.json().path("error").asText()).isIn("invalid_client", "invalid_request");
    }

    @Test
    void unknownPathsAreJsonNotFound() {
        Response r = server.get("/oauth2/nothing-here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("error").asText()).isEqualTo("not_found");
    }

    @Test
    void securityHeadersAreOnEveryAnswer() {
        for (Response r : List.of(server.get("/.well-known/openid-configuration"), server.tokenResponse(app, null),
                server.postForm("/oauth2/token", null, null, "grant_type=x"))) {
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
        }
    }
}
