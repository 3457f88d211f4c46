package dev.ostium.oauth;

import static dev.ostium.testing.Authorize.decide;
import static dev.ostium.testing.Authorize.query;
import static dev.ostium.testing.Authorize.request;
import static dev.ostium.testing.Authorize.url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Authorize;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenID Connect RP-Initiated Logout 1.0 at /oauth2/logout. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class EndSessionTest extends ServerTest {

    static final String CB = "https://crm.example/callback";
    static final String BYE = "https://crm.example/signed-out";

    private static App app() {
        return server.createInteractive("web", Map.of("redirectUris", List.of(CB), "postLogoutRedirectUris", List.of(BYE),
                "scopes", List.of("openid", "profile")));
    }

    /** A signed-in person who connected the app, and the ID token the app got. */
    private static String idTokenOf(Person p, App app) {
        assertThat(p.logIn("alice", "alice").status()).isEqualTo(303);
        Response back = decide(p, p.get(url(request(app, CB, "openid", Map.of()))), "allow");
        String code = query(back.header("Location")).get("code");
        return server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", CB))
                .json().path("id_token").asText();
    }

    private static Map<String, String> logout(String idToken, String redirect, String state) {
        Map<String, String> q = new LinkedHashMap<>();
        if (idToken != null) q.put("id_token_hint", idToken);
        if (redirect != null) q.put("post_logout_redirect_uri", redirect);
        if (state != null) q.put("state", state);
        return q;
    }

    private static String path(Map<String, String> q) {
        return url(q).replace("/oauth2/authorize", "/oauth2/logout");
    }

    @Test
    void anAppEndsThePersonsSessionAndGetsThemBackWithItsState() {
        App app = app();
        Person p = new Person(server);
        String idToken = idTokenOf(p, app);
        Response r = p.get(path(logout(idToken, BYE, "xyz")));
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("Location")).isEqualTo(BYE + "?state=xyz");
        assertThat(p.get("/account/").header("Location")).startsWith("/account/login");
    }

    @Test
    void withoutAnIdTokenOfThePersonTheyAreAskedFirst() {
        App app = app();
        Person p = new Person(server);
        idTokenOf(p, app);
        Response ask = p.get(path(Map.of("client_id", app.clientId(), "post_logout_redirect_uri", BYE, "state", "s1")));
        assertThat(ask.status()).isEqualTo(200);
        assertThat(ask.body()).contains("Do you want to sign out");
        assertThat(ask.header("Content-Security-Policy")).contains("frame-ancestors 'none'").contains("https://crm.example");
        // Still signed in until the person confirms.
        assertThat(p.get("/account/").status()).isEqualTo(200);
        Map<String, String> form = Authorize.hiddenFields(ask.body());
        form.remove("csrf");
        // The page's own form is what the person submits: its action, its fields.
        Matcher action = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\"").matcher(ask.body());
        assertThat(action.find()).as(ask.body()).isTrue();
        Response done = p.submit(action.group(1), form);
        assertThat(done.header("Location")).isEqualTo(BYE + "?state=s1");
        assertThat(p.get("/account/").header("Location")).startsWith("/account/login");
    }

    @Test
    void anUnregisteredReturnAddressOrAForeignIdTokenIsAPageNeverARedirect() {
        App app = app();
        App other = app();
        Person p = new Person(server);
        String idToken = idTokenOf(p, app);
        for (Map<String, String> q : List.of(logout(idToken, "https://evil.example/", null), logout(idToken, BYE + "/", null),
                logout(null, BYE, null), logout("not.a.jwt", BYE, null), Map.of("client_id", other.clientId(), "id_token_hint", idToken))) {
            Response r = p.get(path(q));
            assertThat(r.status()).as(q.toString()).isEqualTo(400);
            assertThat(r.header("Location")).isNull();
        }
        // A parameter sent twice is not guessed at.
        for (String twice : List.of("&state=other", "&post_logout_redirect_uri=" + java.net.URLEncoder.encode(BYE, java.nio.charset.StandardCharsets.UTF_8))) {
            Response r = p.get(path(logout(idToken, BYE, "one")) + twice);
            assertThat(r.status()).as(twice).isEqualTo(400);
            assertThat(r.header("Location")).isNull();
            assertThat(r.body()).contains("repeats a parameter");
        }
        assertThat(p.get("/account/").status()).as("still signed in").isEqualTo(200);
    }

    @Test
    void withoutASessionThePersonGoesStraightBack() {
        App app = app();
        Person p = new Person(server);
        String idToken = idTokenOf(p, app);
        p.setCookie("ostium_session", null);
        Response r = p.get(path(logout(idToken, BYE, "st")));
        assertThat(r.header("Location")).isEqualTo(BYE + "?state=st");
        Response plain = new Person(server).get("/oauth2/logout");
        assertThat(plain.header("Location")).isEqualTo("/account/login?logged_out");
    }

    @Test
    void withoutAReturnAddressTheLoginPageAfterwardsSpeaksTheLanguageTheAppAskedFor() {
        App app = app();
        Person p = new Person(server);
        idTokenOf(p, app);
        Response ask = p.get(path(Map.of("client_id", app.clientId(), "ui_locales", "it")));
        assertThat(ask.body()).contains("lang=\"it\"");
        Map<String, String> form = Authorize.hiddenFields(ask.body());
        form.remove("csrf");
        Matcher action = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\"").matcher(ask.body());
        assertThat(action.find()).isTrue();
        Response done = p.submit(action.group(1), form);
        assertThat(done.header("Location")).isEqualTo("/account/login?logged_out&ui_locales=it");
        Response login = p.get(done.header("Location"));
        assertThat(login.body()).contains("lang=\"it\"").contains("Disconnessione effettuata.");
        // not signed in at all: straight to the same page
        assertThat(new Person(server).get("/oauth2/logout?ui_locales=it").header("Location"))
                .isEqualTo("/account/login?logged_out&ui_locales=it");
    }
}
