package dev.ostium.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The authorization code flow at the HTTP level, as a person's browser goes through it. */
public final class Authorize {

    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private Authorize() {}

    /** /oauth2/authorize with these parameters (in this order). */
    public static String url(Map<String, String> params) {
        StringBuilder sb = new StringBuilder("/oauth2/authorize");
        char sep = '?';
        for (var e : params.entrySet()) {
            sb.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = '&';
        }
        return sb.toString();
    }

    /** The usual request of an app: client, redirect URI, response_type=code, scope, state, plus more. */
    public static Map<String, String> request(TestServer.App app, String redirectUri, String scope, Map<String, String> more) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("client_id", app.clientId());
        p.put("redirect_uri", redirectUri);
        p.put("response_type", "code");
        if (scope != null) p.put("scope", scope);
        p.put("state", "st-" + System.nanoTime());
        p.putAll(more);
        return p;
    }

    /** Follows a redirect to the login page, signs in there, and returns the answer of the page it returns to. */
    public static Response logInAt(Person person, Response redirectToLogin, String username, String password) {
        assertThat(redirectToLogin.status()).as("expected a redirect to the login page: %s", redirectToLogin).isEqualTo(303);
        String loginPage = redirectToLogin.header("Location");
        assertThat(loginPage).startsWith("/account/login");
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("return_to", query(loginPage).get("return_to"));
        if ("login".equals(query(loginPage).get("prompt"))) extra.put("prompt", "login");
        Response afterLogin = person.logIn(loginPage, username, password, extra);
        assertThat(afterLogin.status()).as("login: %s", afterLogin).isEqualTo(303);
        return person.get(afterLogin.header("Location"));
    }

    /** Answers the consent page that was just shown: "allow" or "deny". */
    public static Response decide(Person person, Response consentPage, String decision) {
        assertThat(consentPage.status()).as("expected the consent page: %s", consentPage).isEqualTo(200);
        return person.submit("/oauth2/consent", answer(consentPage, decision));
    }

    /** The consent page's form with the person's decision, as the browser would send it (the CSRF token is added on submit). */
    public static Map<String, String> answer(Response consentPage, String decision) {
        Map<String, String> form = hiddenFields(consentPage.body());
        form.remove("csrf");
        form.put("decision", decision);
        return form;
    }

    public static Map<String, String> hiddenFields(String html) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) out.put(m.group(1), unescape(m.group(2)));
        return out;
    }

    /** The query parameters of a URL or Location header (decoded; the last of each name). */
    public static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q == null) return out;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#34;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
