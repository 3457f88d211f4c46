package dev.ostium.oauth;

import static dev.ostium.testing.Authorize.decide;
import static dev.ostium.testing.Authorize.logInAt;
import static dev.ostium.testing.Authorize.query;
import static dev.ostium.testing.Authorize.request;
import static dev.ostium.testing.Authorize.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.ostium.testing.Authorize;
import dev.ostium.testing.Person;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 6749 §4.1.1–4.1.2, OpenID Connect Core §3.1.2, RFC 9207: the authorization endpoint and the consent screen. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AuthorizationEndpointTest extends ServerTest {

    static final String CB = "https://crm.example/callback";
    static final String SCOPE = "openid profile email rest.all";

    private static App webApp(Map<String, Object> more) {
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("redirectUris", List.of(CB),
                "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all", "rest.all.read"), "offlineAccess", true,
                "description", "Keeps your customers in order"));
        spec.putAll(more);
        return server.createInteractive("web", spec);
    }

    /** A person signed in as the user, in a fresh cookie jar. */
    private static Person signedIn(String username) {
        Person p = new Person(server);
        assertThat(p.logIn(username, username).status()).isEqualTo(303);
        return p;
    }

    /** Signed in as the user, who has approved the app for "openid" on its consent screen. */
    private static Person approvedBy(String username, App app) {
        Person p = signedIn(username);
        decide(p, p.get(url(request(app, CB, "openid", Map.of()))), "allow");
        return p;
    }

    private static long codes() {
        return server.count("authorization_codes");
    }

    /** The answer sent back to the client by redirect: its query parameters. */
    private static Map<String, String> backAtClient(Response r, String redirectUri) {
        assertThat(r.status()).as("expected a redirect to the client: %s", r).isEqualTo(303);
        assertThat(r.header("Location")).startsWith(redirectUri + "?");
        return query(r.header("Location"));
    }

    @Test
    void aPersonLogsInApprovesAndTheAppGetsACodeWithStateAndIss() {
        App app = webApp(Map.of());
        Person p = new Person(server);
        Map<String, String> req = request(app, CB, SCOPE, Map.of("nonce", "n1"));
        Response toLogin = p.get(url(req));
        Response consent = logInAt(p, toLogin, "alice", "alice");
        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(consent.header("Content-Security-Policy")).contains("frame-ancestors 'none'").contains("form-action 'self' https://crm.example");
        assertThat(consent.body()).contains(app.created().path("name").asText()).contains("Keeps your customers in order")
                .contains("Alice Rossi").contains("See your email address").contains("Read and change your business data (accounts, invoices and more)")
                .contains("<button type=\"submit\" name=\"decision\" value=\"allow\">")
                .contains("<button type=\"submit\" name=\"decision\" value=\"deny\"");

        Map<String, String> answer = backAtClient(decide(p, consent, "allow"), CB);
        assertThat(answer.get("code")).matches("[A-Za-z0-9_-]{43}");
        assertThat(answer.get("state")).isEqualTo(req.get("state"));
        assertThat(answer.get("iss")).isEqualTo(server.base());
        Response token = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", answer.get("code"),
                "redirect_uri", CB));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        assertThat(token.json().path("id_token").asText()).isNotEmpty();
    }

    @Test
    void scopeValuesThisServerDoesNotKnowAreLeftOutAndTheTokenResponseSaysWhatWasGranted() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Map<String, String> answer = backAtClient(decide(p, p.get(url(request(app, CB, "openid address phone superpowers", Map.of()))),
                "allow"), CB);
        Response token = server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", answer.get("code"),
                "redirect_uri", CB));
        assertThat(token.json().path("scope").asText()).isEqualTo("openid");
    }

    @Test
    void offlineAccessIsSaidOnceOnTheConsentScreen() {
        App app = webApp(Map.of());
        Response consent = signedIn("alice").get(url(request(app, CB, "openid offline_access", Map.of())));
        assertThat(consent.body()).contains("Keep this access while you are away, until you revoke it")
                .doesNotContain("Stay connected when you are not using it");
    }

    @Test
    void denyingSendsAccessDeniedWithStateAndIss() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Map<String, String> req = request(app, CB, SCOPE, Map.of());
        Map<String, String> answer = backAtClient(decide(p, p.get(url(req)), "deny"), CB);
        assertThat(answer.get("error")).isEqualTo("access_denied");
        assertThat(answer.get("error_description")).isNotBlank();
        assertThat(answer.get("state")).isEqualTo(req.get("state"));
        assertThat(answer.get("iss")).isEqualTo(server.base());
        assertThat(answer).doesNotContainKey("code");
    }

    @Test
    void consentIsRememberedPerScopeSetAndANewScopeOrPromptConsentAsksAgain() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        decide(p, p.get(url(request(app, CB, "openid rest.all", Map.of()))), "allow");
        // Same or fewer scopes: straight back with a code.
        assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of()))), CB)).containsKey("code");
        // A new scope: the consent screen again.
        Response more = p.get(url(request(app, CB, "openid email", Map.of())));
        assertThat(more.status()).isEqualTo(200);
        assertThat(more.body()).contains("name=\"decision\" value=\"allow\"");
        // prompt=consent always asks.
        Response forced = p.get(url(request(app, CB, "openid", Map.of("prompt", "consent"))));
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.body()).contains("name=\"decision\" value=\"allow\"");
    }

    @Test
    void anUnknownClientOrAnUnregisteredRedirectUriIsAPageNeverARedirect() {
        App app = webApp(Map.of());
        App nativeApp = server.createInteractive("native", Map.of("redirectUris", List.of("http://127.0.0.1/cb")));
        Person p = signedIn("alice");
        long before = codes();
        Response unknown = p.get(url(Map.of("client_id", "ost_nobody", "redirect_uri", CB, "response_type", "code")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.header("Location")).isNull();
        assertThat(unknown.body()).contains("not registered");
        for (String evil : List.of(CB + "/", "https://CRM.example/callback", CB + "?x=1", CB + "#frag", "https://user@crm.example/callback",
                "https://evil.example/callback", "https://crm.example.evil.example/callback", "https://сrm.example/callback",
                "javascript:alert(1)", "https://crm.example/callback/../other", "https://crm.example:443/callback", "")) {
            Response r = p.get(url(request(app, evil, SCOPE, Map.of())));
            assertThat(r.status()).as(evil).isEqualTo(400);
            assertThat(r.header("Location")).as(evil).isNull();
            assertThat(r.header("Content-Type")).startsWith("text/html");
        }
        Response twice = p.get(url(request(app, CB, SCOPE, Map.of())) + "&redirect_uri=" + CB);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.header("Location")).isNull();
        Response otherPath = p.get(url(request(nativeApp, "http://127.0.0.1:4321/other", "openid", Map.of())));
        assertThat(otherPath.status()).isEqualTo(400);
        Response otherHost = p.get(url(request(nativeApp, "http://localhost:4321/cb", "openid", Map.of())));
        assertThat(otherHost.status()).isEqualTo(400);
        for (String port : List.of("0", "65536", "99999")) {
            Response badPort = p.get(url(request(nativeApp, "http://127.0.0.1:" + port + "/cb", "openid", Map.of())));
            assertThat(badPort.status()).as(port).isEqualTo(400);
            assertThat(badPort.header("Location")).isNull();
        }
        assertThat(codes()).isEqualTo(before);
    }

    @Test
    void aPlainOAuthRequestOfAnAppWithOneRedirectUriMayLeaveItOutAndSoMayItsTokenRequest() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Map<String, String> req = request(app, CB, "rest.all", Map.of());
        req.remove("redirect_uri");
        Map<String, String> answer = backAtClient(decide(p, p.get(url(req)), "allow"), CB);
        Map<String, String> exchange = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", answer.get("code")));
        Response token = server.postForm("/oauth2/token", app, exchange);
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        // Sent anyway, it must be the URI the code went to (RFC 6749 §4.1.3).
        String second = backAtClient(p.get(url(req)), CB).get("code");
        assertThat(server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", second,
                "redirect_uri", CB + "/")).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(server.postForm("/oauth2/token", app, Map.of("grant_type", "authorization_code", "code", second,
                "redirect_uri", CB)).status()).isEqualTo(200);

        long before = codes();
        // OpenID Connect requests must name it, and so must requests of apps with several redirect URIs; a
        // request naming no scope is an OpenID one when the app's scopes (all granted then) include openid.
        App two = webApp(Map.of("redirectUris", List.of(CB, "https://crm.example/other")));
        for (Map<String, String> refused : List.of(request(app, CB, "openid rest.all", Map.of()), request(two, CB, "rest.all", Map.of()),
                request(app, CB, null, Map.of()))) {
            refused.remove("redirect_uri");
            Response r = p.get(url(refused));
            assertThat(r.status()).as(refused.toString()).isEqualTo(400);
            assertThat(r.header("Location")).isNull();
            assertThat(r.body()).contains("redirect_uri");
        }
        assertThat(codes()).isEqualTo(before);
    }

    @Test
    void aNativeAppsLoopbackRedirectMayUseAnyPort() {
        App nativeApp = server.createInteractive("native", Map.of("redirectUris", List.of("http://127.0.0.1/cb"), "scopes", List.of("openid")));
        Person p = signedIn("alice");
        CodeVerifier v = new CodeVerifier();
        Map<String, String> pkce = Map.of("code_challenge", CodeChallenge.compute(CodeChallengeMethod.S256, v).getValue(),
                "code_challenge_method", "S256");
        Response consent = p.get(url(request(nativeApp, "http://127.0.0.1:53124/cb", "openid", pkce)));
        assertThat(backAtClient(decide(p, consent, "allow"), "http://127.0.0.1:53124/cb")).containsKey("code");
        // Even for a redirect URI registered at the longest one may be, the port making it longer still.
        String longest = "http://127.0.0.1/" + "x".repeat(2000 - "http://127.0.0.1/".length());
        App longNative = server.createInteractive("native", Map.of("redirectUris", List.of(longest), "scopes", List.of("openid")));
        String withPort = longest.replace("127.0.0.1/", "127.0.0.1:65535/");
        Response longConsent = p.get(url(request(longNative, withPort, "openid", pkce)));
        assertThat(backAtClient(decide(p, longConsent, "allow"), withPort)).containsKey("code");
        // A scheme registered in capitals is still http (RFC 3986 §3.1), spelt as registered.
        App capitals = server.createInteractive("native", Map.of("redirectUris", List.of("Http://127.0.0.1/cb"), "scopes", List.of("openid")));
        Response capitalsConsent = p.get(url(request(capitals, "Http://127.0.0.1:53125/cb", "openid", pkce)));
        assertThat(backAtClient(decide(p, capitalsConsent, "allow"), "Http://127.0.0.1:53125/cb")).containsKey("code");
        assertThat(p.get(url(request(capitals, "http://127.0.0.1:53125/cb", "openid", pkce))).status()).isEqualTo(400);
        // Web apps get no such tolerance.
        App web = webApp(Map.of("redirectUris", List.of("http://127.0.0.1/cb")));
        assertThat(p.get(url(request(web, "http://127.0.0.1:53124/cb", "openid", Map.of()))).status()).isEqualTo(400);
    }

    @Test
    void otherErrorsGoBackToTheClientWithErrorDescriptionStateAndIss() {
        App app = webApp(Map.of());
        App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(CB), "scopes", List.of("openid")));
        Person p = signedIn("alice");
        long before = codes();
        record Case(App app, Map<String, String> params, String error) {}
        String s256 = CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier()).getValue();
        List<Case> cases = List.of(
                new Case(app, Map.of("response_type", "token"), "unsupported_response_type"),
                new Case(app, Map.of("response_type", "code id_token"), "unsupported_response_type"),
                new Case(app, Map.of("scope", "superpowers"), "invalid_scope"),
                new Case(app, Map.of("scope", "openid api"), "invalid_scope"),
                new Case(app, Map.of("nonce", "n".repeat(513)), "invalid_request"),
                new Case(app, Map.of("prompt", "none login"), "invalid_request"),
                new Case(app, Map.of("prompt", "none select_account"), "invalid_request"),
                new Case(app, Map.of("prompt", "create"), "invalid_request"),
                new Case(app, Map.of("resource", "not a uri"), "invalid_target"),
                new Case(app, Map.of("resource", "https://other.example/api"), "invalid_target"),
                new Case(app, Map.of("max_age", "-1"), "invalid_request"),
                new Case(app, Map.of("response_mode", "fragment"), "invalid_request"),
                new Case(app, Map.of("request", "eyJ.x.y"), "request_not_supported"),
                new Case(app, Map.of("request_uri", "https://x.example/r"), "request_uri_not_supported"),
                new Case(app, Map.of("registration", "{\"client_name\":\"x\"}"), "registration_not_supported"),
                new Case(app, Map.of("code_challenge", "x".repeat(43), "code_challenge_method", "plain"), "invalid_request"),
                new Case(app, Map.of("code_challenge_method", "S256"), "invalid_request"),
                new Case(app, Map.of("code_challenge", "short", "code_challenge_method", "S256"), "invalid_request"),
                new Case(spa, Map.of(), "invalid_request"),
                new Case(spa, Map.of("code_challenge", s256), "invalid_request"),
                new Case(spa, Map.of("code_challenge", s256, "code_challenge_method", "plain"), "invalid_request"));
        for (Case c : cases) {
            Map<String, String> req = request(c.app(), CB, "openid", Map.of());
            req.putAll(c.params());
            Map<String, String> answer = backAtClient(p.get(url(req)), CB);
            assertThat(answer.get("error")).as(c.params().toString()).isEqualTo(c.error());
            assertThat(answer.get("error_description")).as(c.params().toString()).isNotBlank();
            assertThat(answer.get("state")).isEqualTo(req.get("state"));
            assertThat(answer.get("iss")).isEqualTo(server.base());
        }
        Map<String, String> missing = request(app, CB, "openid", Map.of());
        missing.remove("response_type");
        assertThat(backAtClient(p.get(url(missing)), CB).get("error")).isEqualTo("invalid_request");
        Map<String, String> dup = backAtClient(p.get(url(request(app, CB, "openid", Map.of())) + "&scope=email"), CB);
        assertThat(dup.get("error")).isEqualTo("invalid_request");
        Map<String, String> bigState = request(app, CB, "openid", Map.of());
        bigState.put("state", "s".repeat(1025));
        Map<String, String> tooBig = backAtClient(p.get(url(bigState)), CB);
        assertThat(tooBig.get("error")).isEqualTo("invalid_request");
        assertThat(tooBig).doesNotContainKey("state");
        assertThat(codes()).isEqualTo(before);
    }

    @Test
    void stateGoesBackExactlyAsSentAndBytesThatAreNotUtf8AreRefused() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        long before = codes();
        // RFC 6749 Appendix A.5: a state is any visible ASCII, so one of spaces is a state like any other.
        for (String state : List.of(" ", "   ", "\t", "a b+c%26d=e&f", "{\"k\":[1,2]}")) {
            Map<String, String> req = request(app, CB, "openid", Map.of("state", state));
            Map<String, String> refused = backAtClient(p.get(url(req) + "&prompt=bogus"), CB);
            assertThat(refused.get("error")).isEqualTo("invalid_request");
            assertThat(refused.get("state")).isEqualTo(state);
            Map<String, String> asked = request(app, CB, "openid", Map.of("state", state, "prompt", "consent"));
            Map<String, String> answer = backAtClient(decide(p, p.get(url(asked)), "allow"), CB);
            assertThat(answer.get("code")).as(state).matches("[A-Za-z0-9_-]{43}");
            assertThat(answer.get("state")).isEqualTo(state);
            assertThat(answer.get("iss")).isEqualTo(server.base());
            Response posted = p.get(url(request(app, CB, "openid", Map.of("state", state, "response_mode", "form_post"))));
            assertThat(Authorize.hiddenFields(posted.body()).get("state")).isEqualTo(state);
        }
        // Bytes that are not UTF-8 are refused, not patched up and sent back altered.
        for (String bad : List.of("%ff", "%c0%af", "%ed%a0%80")) {
            Map<String, String> req = request(app, CB, "openid", Map.of());
            req.remove("state");
            Map<String, String> refused = backAtClient(p.get(url(req) + "&state=" + bad), CB);
            assertThat(refused.get("error")).as(bad).isEqualTo("invalid_request");
            assertThat(refused).as(bad).doesNotContainKey("state").doesNotContainKey("code");
        }
        Map<String, String> posted = request(app, CB, "openid", Map.of("state", "kept as sent"));
        for (String bad : List.of("&nonce=%ff", "&nonce=%zz", "&nonce=%", "&nonce=%\u0665F", "&x=%00")) {
            // Only another parameter is at fault: the state, cleanly encoded itself, goes back exactly as sent.
            Map<String, String> refused = backAtClient(p.postBody("/oauth2/authorize", TestServer.form(posted) + bad), CB);
            assertThat(refused.get("error")).as(bad).isEqualTo("invalid_request");
            assertThat(refused.get("state")).as(bad).isEqualTo("kept as sent");
        }
        for (String bad : List.of("&nonce=%ff", "&x=%00")) {
            Map<String, String> gotten = backAtClient(p.get(url(posted) + bad), CB);
            assertThat(gotten.get("error")).as(bad).isEqualTo("invalid_request");
            assertThat(gotten.get("state")).as(bad).isEqualTo("kept as sent");
        }
        // A request that declares another charset would be read as that: refused too.
        Response latin1 = p.get(url(request(app, CB, "openid", Map.of())), Map.of("Content-Type", "text/plain; charset=ISO-8859-1"));
        assertThat(backAtClient(latin1, CB).get("error")).isEqualTo("invalid_request");
        // Well-formed UTF-8 is fine.
        assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("state", "è中")))), CB).get("state"))
                .isEqualTo("è中");
        // A redirect URI with a query of its own keeps it, and the answer follows it.
        String withQuery = CB + "?tenant=7";
        App tenant = webApp(Map.of("redirectUris", List.of(withQuery)));
        Map<String, String> answer = query(decide(p, p.get(url(request(tenant, withQuery, "openid", Map.of("state", " ")))), "allow")
                .header("Location"));
        assertThat(answer.get("tenant")).isEqualTo("7");
        assertThat(answer.get("state")).isEqualTo(" ");
        assertThat(answer.get("code")).matches("[A-Za-z0-9_-]{43}");
        assertThat(codes()).isEqualTo(before + 12);
    }

    @Test
    void idTokenHintNamesThePersonTheAppExpects() {
        App app = webApp(Map.of());
        App otherApp = webApp(Map.of());
        Person p = approvedBy("alice", app);
        var node = server.node();
        var registered = node.apps.require(app.clientId());
        long now = System.currentTimeMillis();
        var aliceUser = node.directory.byUsername("alice").orElseThrow();
        String alice = node.idTokens.issue(registered, aliceUser, Set.of("openid"), now, null, "a", now);
        String bob = node.idTokens.issue(registered, node.directory.byUsername("bob").orElseThrow(), Set.of("openid"), now, null, "b", now);
        long longAgo = now - 30L * 24 * 3600 * 1000;
        String aliceLongAgo = node.idTokens.issue(registered, aliceUser, Set.of("openid"), longAgo, null, "c", longAgo);
        String aliceForAnotherApp = node.idTokens.issue(node.apps.require(otherApp.clientId()), aliceUser, Set.of("openid"), now, null, "d", now);
        String forged = alice.substring(0, alice.length() - 4) + (alice.endsWith("AAAA") ? "BBBB" : "AAAA");
        long before = codes();
        // The person the hint names is the one signed in: the code comes, even with prompt=none and an expired hint.
        for (String hint : List.of(alice, aliceLongAgo)) {
            assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("prompt", "none", "id_token_hint", hint)))), CB))
                    .containsKey("code");
        }
        // Someone else: prompt=none is told login_required; otherwise the login page asks.
        Map<String, String> other = backAtClient(p.get(url(request(app, CB, "openid", Map.of("prompt", "none", "id_token_hint", bob)))), CB);
        assertThat(other.get("error")).isEqualTo("login_required");
        Response asks = p.get(url(request(app, CB, "openid", Map.of("id_token_hint", bob))));
        assertThat(asks.status()).isEqualTo(303);
        assertThat(asks.header("Location")).contains("/account/login");
        // Whoever signs in there and is still not that person gets no code for the app.
        Map<String, String> stillAlice = backAtClient(Authorize.logInAt(p, asks, "alice", "alice"), CB);
        assertThat(stillAlice.get("error")).isEqualTo("login_required");
        assertThat(stillAlice).doesNotContainKey("code");
        // A hint this server cannot read as an ID token for this app names nobody: prompt=none cannot vouch,
        // anything else goes on as without a hint.
        for (String bad : List.of("garbage", forged, aliceForAnotherApp)) {
            Map<String, String> none = backAtClient(p.get(url(request(app, CB, "openid", Map.of("prompt", "none", "id_token_hint", bad)))), CB);
            assertThat(none.get("error")).isEqualTo("login_required");
            assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("id_token_hint", bad)))), CB)).containsKey("code");
        }
        // Signing in there as the person the hint names goes on as that person: to the consent screen here.
        Response asBob = Authorize.logInAt(p, p.get(url(request(app, CB, "openid", Map.of("id_token_hint", bob)))), "bob", "bob");
        assertThat(asBob.status()).isEqualTo(200);
        assertThat(asBob.body()).contains("name=\"decision\" value=\"allow\"");
        assertThat(codes()).isEqualTo(before + 5);
    }

    @Test
    void promptNoneAnswersWithoutAnyPage() {
        App app = webApp(Map.of());
        Person anonymous = new Person(server);
        assertThat(backAtClient(anonymous.get(url(request(app, CB, "openid", Map.of("prompt", "none")))), CB).get("error"))
                .isEqualTo("login_required");
        Person p = signedIn("alice");
        assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("prompt", "none")))), CB).get("error"))
                .isEqualTo("consent_required");
        decide(p, p.get(url(request(app, CB, "openid", Map.of()))), "allow");
        assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("prompt", "none")))), CB)).containsKey("code");
    }

    @Test
    void promptLoginAndMaxAgeAskForThePasswordAgainOnce() {
        App app = webApp(Map.of());
        Person p = approvedBy("alice", app);
        for (Map<String, String> fresh : List.of(Map.of("prompt", "login"), Map.of("max_age", "0"), Map.of("prompt", "select_account"))) {
            Response again = p.get(url(request(app, CB, "openid", fresh)));
            assertThat(again.header("Location")).as(fresh.toString()).startsWith("/account/login").contains("prompt=login");
            Response back = logInAt(p, again, "alice", "alice");
            assertThat(backAtClient(back, CB)).as(fresh.toString()).containsKey("code");
        }
        // Signed out, a request with max_age asks for the password once: that sign-in is recent enough.
        Person out = new Person(server);
        Response toLogin = out.get(url(request(app, CB, "openid", Map.of("max_age", "0"))));
        assertThat(backAtClient(logInAt(out, toLogin, "alice", "alice"), CB)).containsKey("code");
        // A recent enough login needs no new password.
        assertThat(backAtClient(p.get(url(request(app, CB, "openid", Map.of("max_age", "3600")))), CB)).containsKey("code");
    }

    @Test
    void withoutOfflineAccessTheOfflineAccessScopeIsNotGranted() {
        App app = webApp(Map.of("offlineAccess", false));
        Person p = signedIn("alice");
        Response consent = p.get(url(request(app, CB, "openid offline_access", Map.of())));
        assertThat(consent.status()).isEqualTo(200);
        String code = backAtClient(decide(p, consent, "allow"), CB).get("code");
        Response tokens = AuthorizationCodeGrantTest.exchangeInBody(app, code, CB);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        assertThat(tokens.json().path("scope").asText()).isEqualTo("openid");
        assertThat(tokens.json().has("refresh_token")).isFalse();
        // Asking for nothing else is a clear refusal, not every registered scope.
        assertThat(backAtClient(p.get(url(request(app, CB, "offline_access", Map.of()))), CB).get("error")).isEqualTo("invalid_scope");
    }

    @Test
    void aRequestCannotBringItsOwnForcedLoginMarker() {
        App app = webApp(Map.of());
        App other = webApp(Map.of());
        Person p = approvedBy("alice", app);
        // A genuine marker, made on the way to a forced login for another app.
        String location = p.get(url(request(other, CB, "openid", Map.of("prompt", "login")))).header("Location");
        java.util.regex.Matcher genuine = java.util.regex.Pattern.compile("auth_after=([0-9]+\\.[A-Za-z0-9_-]{22})")
                .matcher(java.net.URLDecoder.decode(location, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(genuine.find()).as(location).isTrue();
        for (String forged : List.of("1000", "1000.AAAAAAAAAAAAAAAAAAAAAA", genuine.group(1))) {
            for (Map<String, String> fresh : List.of(Map.of("prompt", "login", "auth_after", forged),
                    Map.of("max_age", "0", "auth_after", forged))) {
                Response r = p.get(url(request(app, CB, "openid", fresh)));
                assertThat(r.status()).as(fresh.toString()).isEqualTo(303);
                assertThat(r.header("Location")).as(fresh.toString()).startsWith("/account/login");
            }
        }
    }

    @Test
    void aForcedLoginsMarkerVouchesForItsOwnRequestOnlyAndOnlyForAWhile() {
        App app = webApp(Map.of());
        Person p = approvedBy("alice", app);
        Map<String, String> req = request(app, CB, "openid", Map.of("max_age", "0"));
        Response toLogin = p.get(url(req));
        String returnPath = query(toLogin.header("Location")).get("return_to");
        String marker = query(returnPath).get("auth_after");
        assertThat(marker).isNotNull();
        assertThat(backAtClient(logInAt(p, toLogin, "alice", "alice"), CB)).containsKey("code");
        // The marker came back with its own request: that request is answered without asking again...
        assertThat(backAtClient(p.get(returnPath), CB)).containsKey("code");
        // ...but another request (another state here) bringing the same marker asks for the password.
        Map<String, String> other = new LinkedHashMap<>(req);
        other.put("state", "another");
        other.put("auth_after", marker);
        assertThat(p.get(url(other)).header("Location")).startsWith("/account/login");
        // And once its time has passed, so does its own request (found in the browser's history, say).
        try {
            server.clock.advance(java.time.Duration.ofMinutes(16));
            assertThat(p.get("/account/").status()).as("still signed in").isEqualTo(200);
            assertThat(p.get(returnPath).header("Location")).startsWith("/account/login");
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void theLoginPageIsPrefilledFromLoginHint() {
        App app = webApp(Map.of());
        Response r = new Person(server).get(url(request(app, CB, "openid", Map.of("login_hint", "bob"))));
        assertThat(r.header("Location")).contains("login_hint=bob");
    }

    @Test
    void formPostAnswersWithASelfSubmittingForm() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Map<String, String> req = request(app, CB, "openid", Map.of("response_mode", "form_post"));
        Response answer = decide(p, p.get(url(req)), "allow");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("action=\"" + CB + "\"");
        Map<String, String> fields = Authorize.hiddenFields(answer.body());
        assertThat(fields.get("code")).matches("[A-Za-z0-9_-]{43}");
        assertThat(fields.get("state")).isEqualTo(req.get("state"));
        assertThat(fields.get("iss")).isEqualTo(server.base());
        // The page answers a POST: a language link (a GET of the consent path) would lose the answer, so there is none.
        assertThat(answer.body()).doesNotContain("hreflang=").doesNotContain("/oauth2/consent?lang");
        Response error = p.get(url(request(app, CB, "openid", Map.of("response_mode", "form_post", "response_type", "token"))));
        assertThat(Authorize.hiddenFields(error.body()).get("error")).isEqualTo("unsupported_response_type");
    }

    @Test
    void theRequestMayBePostedByTheClientsPage() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Response consent = p.post("/oauth2/authorize", request(app, CB, "openid", Map.of()));
        assertThat(consent.status()).isEqualTo(200);
        assertThat(backAtClient(decide(p, consent, "allow"), CB)).containsKey("code");
    }

    @Test
    void theConsentAnswerWithoutItsCsrfTokenIsRefusedAndIssuesNoCode() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Response consent = p.get(url(request(app, CB, "openid", Map.of())));
        Map<String, String> form = Authorize.answer(consent, "allow");
        long before = codes();
        Response forged = p.post("/oauth2/consent", form);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.header("Location")).isNull();
        assertThat(codes()).isEqualTo(before);
        Response otherBrowser = new Person(server).post("/oauth2/consent", Map.of("decision", "allow", "csrf", p.csrf(),
                "client_id", app.clientId(), "redirect_uri", CB, "response_type", "code"));
        assertThat(otherBrowser.status()).isEqualTo(403);
        assertThat(codes()).isEqualTo(before);
    }

    @Test
    void theConsentAnswerIsToExactlyTheRequestThatWasShown() {
        App app = webApp(Map.of());
        App other = webApp(Map.of());
        Person p = signedIn("alice");
        Response consent = p.get(url(request(app, CB, "openid", Map.of())));
        Map<String, String> shown = Authorize.answer(consent, "allow");
        long before = codes();
        List<Map<String, String>> edits = new ArrayList<>();
        Map<String, String> noScope = new LinkedHashMap<>(shown);
        noScope.remove("scope"); // would otherwise mean every registered scope
        edits.add(noScope);
        Map<String, String> widened = new LinkedHashMap<>(shown);
        widened.put("scope", "openid rest.all");
        edits.add(widened);
        Map<String, String> otherApp = new LinkedHashMap<>(shown);
        otherApp.put("client_id", other.clientId());
        edits.add(otherApp);
        Map<String, String> added = new LinkedHashMap<>(shown);
        added.put("nonce", "added");
        edits.add(added);
        Map<String, String> noMac = new LinkedHashMap<>(shown);
        noMac.remove("consent_mac");
        edits.add(noMac);
        for (Map<String, String> edited : edits) {
            Response r = p.submit("/oauth2/consent", edited);
            assertThat(r.status()).as(edited.toString()).isEqualTo(400);
            assertThat(r.header("Location")).isNull();
            assertThat(r.body()).contains("changed or is incomplete");
        }
        assertThat(codes()).isEqualTo(before);
        assertThat(server.node().consents.find(server.node().directory.byUsername("alice").orElseThrow().id(),
                server.node().apps.require(other.clientId()).id())).isEmpty();
        // A decision or a CSRF token sent twice is refused, not read by its first value.
        Map<String, String> withToken = new LinkedHashMap<>(shown);
        withToken.put("csrf", p.csrf());
        Response twoDecisions = p.postBody("/oauth2/consent", TestServer.form(withToken) + "&decision=deny");
        assertThat(twoDecisions.status()).isEqualTo(400);
        assertThat(twoDecisions.header("Location")).isNull();
        Response twoTokens = p.postBody("/oauth2/consent", TestServer.form(withToken) + "&csrf=" + p.csrf());
        assertThat(twoTokens.status()).isEqualTo(403);
        for (String broken : List.of("&%zz=1", "&x=%ff", "&%=")) {
            Response r = p.postBody("/oauth2/consent", TestServer.form(withToken) + broken);
            assertThat(r.status()).as(broken).isEqualTo(400);
            assertThat(r.header("Location")).isNull();
        }
        assertThat(codes()).isEqualTo(before);
        // The form as shown still works.
        assertThat(backAtClient(p.submit("/oauth2/consent", shown), CB)).containsKey("code");
    }

    @Test
    void aConsentAnswerFromAnEarlierSignInIsRefused() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Response consent = p.get(url(request(app, CB, "openid", Map.of())));
        Map<String, String> form = Authorize.answer(consent, "allow");
        // Someone else signs in on the same browser before the old page is answered.
        assertThat(p.logIn("/account/login?prompt=login", "bob", "bob", Map.of("prompt", "login")).status()).isEqualTo(303);
        long before = codes();
        // The old page's form token died with the sign-in; and with a token of a page shown since, the answer
        // is still bound to the earlier sign-in.
        assertThat(p.submit("/oauth2/consent", form).status()).isEqualTo(403);
        p.get("/account/logout"); // a page with a form
        Response late = p.submit("/oauth2/consent", form);
        assertThat(late.status()).isEqualTo(400);
        assertThat(late.header("Location")).isNull();
        assertThat(codes()).isEqualTo(before);
        assertThat(server.node().consents.find(server.node().directory.byUsername("bob").orElseThrow().id(),
                server.node().apps.require(app.clientId()).id())).isEmpty();
    }

    @Test
    void aPersonTheAppIsNotOpenToSeesARefusalAndTheAppGetsNoCode() {
        App app = webApp(Map.of("authorizedGroups", List.of("Support")));
        long before = codes();
        Person alice = signedIn("alice");
        Response refused = alice.get(url(request(app, CB, "openid", Map.of())));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Location")).isNull();
        assertThat(refused.body()).contains("Access not allowed").contains("open only to selected users and groups");
        assertThat(codes()).isEqualTo(before);
        Person bob = signedIn("bob");
        assertThat(bob.get(url(request(app, CB, "openid", Map.of()))).status()).isEqualTo(200);

        // The page offers to sign in as someone else, and that comes back to the same request.
        Matcher another = Pattern.compile("<a href=\"(/account/login\\?[^\"]+)\">Sign in as someone else</a>").matcher(refused.body());
        assertThat(another.find()).as(refused.body()).isTrue();
        Response login = alice.get(another.group(1).replace("&amp;", "&"));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.body()).contains("Sign in with the account that should use this app.").doesNotContain("value=\"alice\"");
        Map<String, String> form = new LinkedHashMap<>(Authorize.hiddenFields(login.body()));
        form.put("username", "bob");
        form.put("password", "bob");
        Response in = alice.post("/account/login", form);
        assertThat(in.status()).isEqualTo(303);
        assertThat(alice.get(in.header("Location")).body()).contains("<button type=\"submit\" name=\"decision\" value=\"allow\">");
    }

    @Test
    void administratorsConnectOnlyWhenAdminConnectionsAreAllowed() {
        App app = webApp(Map.of());
        Person admin = signedIn("admin");
        Response refused = admin.get(url(request(app, CB, "openid", Map.of())));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("Administrator accounts may not connect apps.");
        server.setSettings(Map.of("adminConnections", true));
        try {
            assertThat(admin.get(url(request(app, CB, "openid", Map.of()))).status()).isEqualTo(200);
        } finally {
            server.setSettings(Map.of("adminConnections", false));
        }
    }

    @Test
    void theConsentScreenSpeaksItalianWhenUiLocalesAsks() {
        App app = webApp(Map.of());
        Person p = signedIn("alice");
        Response consent = p.get(url(request(app, CB, "openid email", Map.of("ui_locales", "it-IT en"))));
        assertThat(consent.body()).contains("Consenti").contains("Nega").contains("Vedere il tuo indirizzo email");
    }

    @Test
    void theLoginPageAndTheErrorPagesSpeakItalianWhenUiLocalesAsks() {
        App app = webApp(Map.of());
        Person p = new Person(server);
        Response toLogin = p.get(url(request(app, CB, "openid", Map.of("ui_locales", "it-IT en"))));
        assertThat(toLogin.status()).isEqualTo(303);
        Response login = p.get(toLogin.header("Location"));
        assertThat(login.body()).contains("<html lang=\"it\"");
        // A wrong password shows the page again, still in Italian.
        Map<String, String> form = new LinkedHashMap<>(Authorize.hiddenFields(login.body()));
        form.put("username", "alice");
        form.put("password", "wrong");
        Response again = p.post("/account/login", form);
        assertThat(again.body()).contains("<html lang=\"it\"");
        // Its language links lead to the same form on the way back to the same request.
        Matcher english = Pattern.compile("<a href=\"([^\"]+)\" hreflang=\"en\"").matcher(again.body());
        assertThat(english.find()).as(again.body()).isTrue();
        Response inEnglish = new Person(server).get(english.group(1).replace("&amp;", "&")); // (a choice remembered by cookie)
        assertThat(inEnglish.body()).contains("<html lang=\"en\"");
        assertThat(Authorize.hiddenFields(inEnglish.body()).get("return_to")).isEqualTo(form.get("return_to"));
        // Signing in then goes on to the consent screen, in Italian too.
        form.put("password", "alice");
        Response in = p.post("/account/login", form);
        assertThat(in.status()).isEqualTo(303);
        assertThat(p.get(in.header("Location")).body()).contains("Consenti");
        // The page for an unknown client speaks it as well.
        Map<String, String> unknown = request(app, CB, "openid", Map.of("ui_locales", "it"));
        unknown.put("client_id", "ost_nobody");
        Response error = new Person(server).get(url(unknown));
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.body()).contains("<html lang=\"it\"");
    }

    @Test
    void anIconIsShownOnTheConsentScreen() throws Exception {
        App app = webApp(Map.of());
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(100, 100, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", png);
        server.node().apps.setIcon(app.clientId(), png.toByteArray());
        Person p = signedIn("alice");
        assertThat(p.get(url(request(app, CB, "openid", Map.of()))).body()).contains("<img class=\"app-icon\" src=\"data:image/png;base64,");
    }

    @Test
    void approvalsStoredAtTheSameMomentAreAllRemembered() throws Exception {
        App app = webApp(Map.of());
        long userId = server.node().directory.byUsername("bob").orElseThrow().id();
        long appId = server.node().apps.require(app.clientId()).id();
        server.node().consents.grant(userId, appId, Set.of("openid"));
        List<String> extra = List.of("profile", "email", "offline_access", "rest.all", "rest.all.read");
        // Two tabs (or two nodes) approving different scopes at once: each approval adds to the one stored, none
        // overwrites another's. Several rounds, since a lost update needs the two to interleave.
        for (int round = 0; round < 5; round++) {
            server.node().consents.revoke(userId, appId);
            server.node().consents.grant(userId, appId, Set.of("openid"));
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Thread> approvals = new ArrayList<>();
            for (String scope : extra) {
                approvals.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    server.node().consents.grant(userId, appId, Set.of("openid", scope));
                }));
            }
            start.countDown();
            for (Thread t : approvals) t.join();
            assertThat(server.node().consents.find(userId, appId).orElseThrow().scopes())
                    .as("round %d", round).containsExactlyInAnyOrder("openid", "profile", "email", "offline_access", "rest.all", "rest.all.read");
        }
    }
}
