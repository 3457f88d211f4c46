package dev.ostium.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.testing.Browser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page API as a feature uses it, on a real server with no database: CSRF-checked POSTs, the error page
 * from a thrown {@link PageProblem}, and the self-submitting form of {@code response_mode=form_post},
 * whose policy must let a real browser run its script and post to the client.
 */
class PageApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static HttpServer server;
    private static com.sun.net.httpserver.HttpServer client;
    private static volatile CompletableFuture<String> received = new CompletableFuture<>();

    @BeforeAll
    static void start() throws IOException {
        client = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        client.createContext("/cb", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.complete(exchange.getRequestMethod() + " " + URLDecoder.decode(body, StandardCharsets.UTF_8));
            byte[] ok = "received".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        client.start();
        Pages pages = new Pages(new Messages(List.of("dev.ostium.web.messages")), new Cookies(false));
        server = new HttpServer("127.0.0.1", 0, new ObjectMapper(), pages, List.of(r -> {
            pages.post(r, "/test/change", ctx -> pages.redirect(ctx, "/test/done"));
            pages.get(r, "/test/forbidden", ctx -> {
                throw PageProblem.forbidden("error.not_found.message");
            });
            pages.get(r, "/test/form-post", ctx -> {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("code", "abc");
                fields.put("state", "x\"<y>");
                pages.autoPost(ctx, URI.create("http://127.0.0.1:" + client.getAddress().getPort() + "/cb"), fields);
            });
        }));
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        if (client != null) client.stop(0);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    @Test
    void aPagePostWithoutAValidTokenNeverReachesItsHandler() throws Exception {
        // every page sets the browser's CSRF cookie; a POST with it but without the matching token is refused
        String cookie = send(at("/test/forbidden")).headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("ostium_csrf=")).findFirst().orElseThrow().split(";")[0];
        for (String body : List.of("a=b", "csrf=", "csrf=forged-token-of-the-right-length-000000000")) {
            HttpResponse<String> r = send(at("/test/change").header("Cookie", cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(r.statusCode()).as(body).isEqualTo(403);
            assertThat(r.body()).contains("This form has expired");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
        }
    }

    @Test
    void aPageProblemBecomesTheReadableErrorPage() throws Exception {
        HttpResponse<String> r = send(at("/test/forbidden").header("Accept-Language", "it"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(r.body()).contains("Accesso negato").contains("Errore 403");
    }

    @Test
    void theFormPostPageMayPostToTheClientAndRunItsOwnScriptOnly() throws Exception {
        HttpResponse<String> r = send(at("/test/form-post"));
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("form-action 'self' http://127.0.0.1:" + client.getAddress().getPort())
                .contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(r.body()).contains("value=\"x&#34;&lt;y>\"").contains("<script src=\"/assets/autopost.js\"></script>");
    }

    @Test
    void aRealBrowserSubmitsTheFormPostPageToTheClientByItself() throws Exception {
        received = new CompletableFuture<>();
        try (Browser b = Browser.open("http://127.0.0.1:" + server.port())) {
            b.go("/test/form-post");
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo("POST code=abc&state=x\"<y>");
        }
    }
}
