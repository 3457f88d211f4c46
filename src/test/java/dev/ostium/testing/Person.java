package dev.ostium.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person's browser at the HTTP level, for page tests that need no rendering: it keeps its cookies (the
 * session and CSRF cookies the server sets), does not follow redirects, and can read the CSRF token from
 * the last page it got.
 */
public final class Person {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern SET_COOKIE = Pattern.compile("^([^=;]+)=([^;]*)");

    private final TestServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private String acceptLanguage;
    private String lastCsrf;

    public Person(TestServer server) {
        this.server = server;
    }

    /** Another node of the same deployment, same browser (cookies kept). */
    public Person on(TestServer other) {
        Person p = new Person(other);
        p.cookies.putAll(cookies);
        p.acceptLanguage = acceptLanguage;
        p.lastCsrf = lastCsrf;
        return p;
    }

    public Person speaking(String acceptLanguage) {
        this.acceptLanguage = acceptLanguage;
        return this;
    }

    public Response get(String path) {
        return send(builder(path).GET(), Map.of());
    }

    public Response get(String path, Map<String, String> headers) {
        return send(builder(path).GET(), headers);
    }

    /** A form POST exactly as given (no token added). */
    public Response post(String path, Map<String, String> form) {
        return post(path, form, Map.of());
    }

    public Response post(String path, Map<String, String> form, Map<String, String> headers) {
        return send(builder(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.form(form))), headers);
    }

    /** A form POST of a body written out by hand (say, with a field twice). */
    public Response postBody(String path, String body) {
        return send(builder(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)), Map.of());
    }

    /** A form POST with the CSRF token of the last page shown, as the page's own form would send it. */
    public Response submit(String path, Map<String, String> form) {
        assertThat(lastCsrf).as("no page with a form was shown yet").isNotNull();
        Map<String, String> withToken = new LinkedHashMap<>(form);
        withToken.put("csrf", lastCsrf);
        return post(path, withToken);
    }

    /** Opens the login page and signs in through its form; the answer to the POST. */
    public Response logIn(String username, String password) {
        return logIn("/account/login", username, password, Map.of());
    }

    public Response logIn(String loginPage, String username, String password, Map<String, String> extra) {
        Response page = get(loginPage);
        assertThat(page.status()).as("login page: %s", page).isEqualTo(200);
        Map<String, String> form = new LinkedHashMap<>(extra);
        form.put("username", username);
        form.put("password", password);
        return submit("/account/login", form);
    }

    public String cookie(String name) {
        return cookies.get(name);
    }

    public void setCookie(String name, String value) {
        if (value == null) cookies.remove(name);
        else cookies.put(name, value);
    }

    public String csrf() {
        return lastCsrf;
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : server.url(path)));
        if (acceptLanguage != null) b.header("Accept-Language", acceptLanguage);
        if (!cookies.isEmpty()) {
            StringBuilder c = new StringBuilder();
            cookies.forEach((k, v) -> c.append(c.isEmpty() ? "" : "; ").append(k).append('=').append(v));
            b.header("Cookie", c.toString());
        }
        return b;
    }

    private Response send(HttpRequest.Builder b, Map<String, String> headers) {
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : r.headers().allValues("Set-Cookie")) {
                Matcher m = SET_COOKIE.matcher(set);
                if (!m.find()) continue;
                if (set.contains("Max-Age=0")) cookies.remove(m.group(1).trim());
                else cookies.put(m.group(1).trim(), m.group(2));
            }
            Matcher csrf = CSRF.matcher(r.body());
            if (csrf.find()) lastCsrf = csrf.group(1);
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
