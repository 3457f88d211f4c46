package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.sun.net.httpserver.HttpServer;
import dev.ostium.testing.Browser;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole flow as an app and a person live it: a stock OpenID Connect client configured only with the
 * discovery URL, a real headless Chromium logging in and approving, the code arriving at the app's
 * loopback listener, then tokens, the ID token checked against the published JWKS, userinfo, the REST API,
 * refresh, rotation and reuse detection.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class AuthorizationCodeBrowserTest extends ServerTest {

    /** The app's own HTTP listener on a loopback port: where the browser delivers the code. */
    private static final class Listener implements AutoCloseable {
        final HttpServer http;
        final BlockingQueue<URI> received = new LinkedBlockingQueue<>();
        /** What the app's page at the redirect URI is. */
        volatile String page = "<html><title>Connected</title><body>Connected, you can close this window.</body></html>";

        Listener() throws Exception {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/cb", ex -> {
                received.add(URI.create("http://127.0.0.1:" + port() + ex.getRequestURI()));
                byte[] page = this.page.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                ex.getResponseBody().write(page);
                ex.close();
            });
            http.start();
        }

        int port() {
            return http.getAddress().getPort();
        }

        /** The next answer delivered here. */
        URI next() throws InterruptedException {
            URI got = received.poll(20, TimeUnit.SECONDS);
            assertThat(got).as("nothing arrived at the redirect URI").isNotNull();
            return got;
        }

        URI redirectUri() {
            return URI.create("http://127.0.0.1:" + port() + "/cb");
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static OIDCProviderMetadata discovery() throws Exception {
        return OIDCProviderMetadata.resolve(new Issuer(server.base()));
    }

    /** The browser part: log in, approve, and the code arrives at the listener. */
    private static AuthorizationCode approveInBrowser(URI authorizationRequest, Listener listener, State state, boolean login)
            throws Exception {
        try (Browser b = Browser.open(server.url(""))) {
            b.go(authorizationRequest.toString());
            if (login) {
                assertThat(b.path()).startsWith("/account/login");
                b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
            }
            assertThat(b.find("h1").getText()).startsWith("Allow ");
            assertThat(b.text()).contains("Alice Rossi");
            b.click("button[name=decision][value=allow]");
            URI callback = listener.next();
            assertThat(b.title()).isEqualTo("Connected");
            AuthorizationResponse response = AuthorizationResponse.parse(callback);
            assertThat(response.indicatesSuccess()).as(callback.toString()).isTrue();
            assertThat(response.getState()).isEqualTo(state);
            assertThat(response.toSuccessResponse().getIssuer()).isEqualTo(new Issuer(server.base()));
            return response.toSuccessResponse().getAuthorizationCode();
        }
    }

    private static IDTokenClaimsSet validate(OIDCProviderMetadata op, OIDCTokenResponse tokens, App app, Nonce nonce) throws Exception {
        IDTokenValidator validator = new IDTokenValidator(op.getIssuer(), new ClientID(app.clientId()), JWSAlgorithm.ES256,
                JWKSet.load(op.getJWKSetURI().toURL()));
        return validator.validate(tokens.getOIDCTokens().getIDToken(), nonce);
    }

    private static TokenResponse send(TokenRequest request) throws Exception {
        return OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
    }

    @Test
    void aWebAppWithItsSecretFromLoginToRefreshReuse() throws Exception {
        try (Listener listener = new Listener()) {
            OIDCProviderMetadata op = discovery();
            App app = server.createInteractive("web", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid", "profile", "email", "offline_access", "rest.all"), "offlineAccess", true));
            ClientID clientId = new ClientID(app.clientId());
            ClientAuthentication auth = new ClientSecretBasic(clientId, new Secret(app.secret()));
            State state = new State();
            Nonce nonce = new Nonce();
            URI request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile", "email", "rest.all"),
                    clientId, listener.redirectUri()).state(state).nonce(nonce).endpointURI(op.getAuthorizationEndpointURI())
                    .build().toURI();
            AuthorizationCode code = approveInBrowser(request, listener, state, true);

            TokenResponse exchanged = send(new TokenRequest(op.getTokenEndpointURI(), auth,
                    new AuthorizationCodeGrant(code, listener.redirectUri())));
            assertThat(exchanged.indicatesSuccess()).as(exchanged.toString()).isTrue();
            OIDCTokenResponse tokens = (OIDCTokenResponse) exchanged.toSuccessResponse();
            IDTokenClaimsSet id = validate(op, tokens, app, nonce);
            assertThat(id.getStringClaim("email")).isEqualTo("alice@demo.example");
            assertThat(id.getStringClaim("name")).isEqualTo("Alice Rossi");
            BearerAccessToken access = tokens.getOIDCTokens().getBearerAccessToken();

            UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), access).toHTTPRequest().send());
            assertThat(info.indicatesSuccess()).isTrue();
            assertThat(info.toSuccessResponse().getUserInfo().getSubject()).isEqualTo(id.getSubject());
            assertThat(info.toSuccessResponse().getUserInfo().getEmailAddress()).isEqualTo("alice@demo.example");
            Response rest = server.query(access.getValue(), "SELECT * FROM Invoice;");
            assertThat(rest.status()).isEqualTo(200);

            RefreshToken first = tokens.getOIDCTokens().getRefreshToken();
            TokenResponse refreshed = send(new TokenRequest(op.getTokenEndpointURI(), auth,
                    new com.nimbusds.oauth2.sdk.RefreshTokenGrant(first)));
            assertThat(refreshed.indicatesSuccess()).isTrue();
            RefreshToken second = refreshed.toSuccessResponse().getTokens().getRefreshToken();
            assertThat(second).isNotEqualTo(first);
            BearerAccessToken newAccess = refreshed.toSuccessResponse().getTokens().getBearerAccessToken();
            assertThat(server.query(newAccess.getValue(), "SELECT * FROM Invoice;").status()).isEqualTo(200);

            TokenResponse reuse = send(new TokenRequest(op.getTokenEndpointURI(), auth, new com.nimbusds.oauth2.sdk.RefreshTokenGrant(first)));
            assertThat(reuse.indicatesSuccess()).isFalse();
            assertThat(((TokenErrorResponse) reuse).getErrorObject().getCode()).isEqualTo("invalid_grant");
            assertThat(server.query(newAccess.getValue(), "SELECT * FROM Invoice;").status()).as("the family is revoked").isEqualTo(401);
            assertThat(send(new TokenRequest(op.getTokenEndpointURI(), auth, new com.nimbusds.oauth2.sdk.RefreshTokenGrant(second)))
                    .indicatesSuccess()).isFalse();
        }
    }

    @Test
    void aSinglePageAppWithPkceAndNoSecret() throws Exception {
        try (Listener listener = new Listener()) {
            OIDCProviderMetadata op = discovery();
            App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid", "rest.all"), "offlineAccess", true));
            ClientID clientId = new ClientID(spa.clientId());
            CodeVerifier verifier = new CodeVerifier();
            State state = new State();
            Nonce nonce = new Nonce();
            URI request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "rest.all"), clientId,
                    listener.redirectUri()).state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                    .endpointURI(op.getAuthorizationEndpointURI()).build().toURI();
            AuthorizationCode code = approveInBrowser(request, listener, state, true);

            // Without the verifier the code is worthless, and the refusal does not spend it.
            assertThat(send(new TokenRequest(op.getTokenEndpointURI(), clientId,
                    new AuthorizationCodeGrant(code, listener.redirectUri()))).indicatesSuccess()).isFalse();
            TokenResponse exchanged = send(new TokenRequest(op.getTokenEndpointURI(), clientId,
                    new AuthorizationCodeGrant(code, listener.redirectUri(), verifier)));
            assertThat(exchanged.indicatesSuccess()).as(exchanged.toString()).isTrue();
            OIDCTokenResponse tokens = (OIDCTokenResponse) exchanged.toSuccessResponse();
            validate(op, tokens, spa, nonce);
            assertThat(server.query(tokens.getOIDCTokens().getAccessToken().getValue(), "SELECT * FROM Invoice;").status()).isEqualTo(200);

            TokenResponse refreshed = send(new TokenRequest(op.getTokenEndpointURI(), clientId,
                    new com.nimbusds.oauth2.sdk.RefreshTokenGrant(tokens.getOIDCTokens().getRefreshToken())));
            assertThat(refreshed.indicatesSuccess()).isTrue();
            assertThat(send(new TokenRequest(op.getTokenEndpointURI(), clientId,
                    new com.nimbusds.oauth2.sdk.RefreshTokenGrant(tokens.getOIDCTokens().getRefreshToken()))).indicatesSuccess()).isFalse();
        }
    }

    /**
     * A single-page app as it runs in the browser: its own page, on its own origin (another loopback port),
     * exchanges the code, calls userinfo and refreshes with fetch — so the browser enforces CORS.
     */
    @Test
    void aSinglePageAppCallsTheEndpointsFromItsOwnPage() throws Exception {
        try (Listener listener = new Listener()) {
            OIDCProviderMetadata op = discovery();
            App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid", "profile", "offline_access"), "offlineAccess", true));
            CodeVerifier verifier = new CodeVerifier();
            State state = new State();
            listener.page = """
                    <html><head><title>working</title></head><body><pre id="out"></pre><script>
                    const form = o => new URLSearchParams(o);
                    (async () => {
                      try {
                        const q = new URLSearchParams(location.search);
                        const t = await fetch('%1$s', {method: 'POST', body: form({grant_type: 'authorization_code', code: q.get('code'),
                          redirect_uri: location.origin + location.pathname, client_id: '%2$s', code_verifier: '%3$s'})});
                        const tokens = await t.json();
                        const u = await fetch('%4$s', {headers: {Authorization: 'Bearer ' + tokens.access_token}});
                        const info = await u.json();
                        const r = await fetch('%1$s', {method: 'POST', body: form({grant_type: 'refresh_token',
                          refresh_token: tokens.refresh_token, client_id: '%2$s'})});
                        const refreshed = await r.json();
                        document.getElementById('out').textContent = JSON.stringify({exchange: t.status, userinfo: u.status,
                          name: info.name, refresh: r.status, rotated: refreshed.refresh_token !== tokens.refresh_token});
                        document.title = 'done';
                      } catch (e) {
                        document.getElementById('out').textContent = 'failed: ' + e;
                        document.title = 'failed';
                      }
                    })();
                    </script></body></html>""".formatted(op.getTokenEndpointURI(), spa.clientId(), verifier.getValue(),
                    op.getUserInfoEndpointURI());
            URI request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile", "offline_access"),
                    new ClientID(spa.clientId()), listener.redirectUri()).state(state).nonce(new Nonce())
                    .codeChallenge(verifier, CodeChallengeMethod.S256).endpointURI(op.getAuthorizationEndpointURI()).build().toURI();
            try (Browser b = Browser.open(server.url(""))) {
                b.go(request.toString());
                b.type("input[name=username]", "alice").type("input[name=password]", "alice").click("button[type=submit]");
                b.click("button[name=decision][value=allow]");
                listener.next();
                new org.openqa.selenium.support.ui.WebDriverWait(b.driver(), java.time.Duration.ofSeconds(20))
                        .until(d -> !"working".equals(d.getTitle()));
                String out = b.find("#out").getText();
                assertThat(b.title()).as(out).isEqualTo("done");
                assertThat(out).isEqualTo("{\"exchange\":200,\"userinfo\":200,\"name\":\"Alice Rossi\",\"refresh\":200,\"rotated\":true}");
            }
        }
    }

    @Test
    void aWebClientSendingTheElmaManualsExactRequests() throws Exception {
        try (Listener listener = new Listener()) {
            App app = server.createInteractive("web", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid", "email", "api"), "offlineAccess", true));
            String redirect = listener.redirectUri().toString();
            State state = new State();
            URI request = URI.create(server.url("/oauth2/authorize") + "?response_type=code&client_id=" + app.clientId()
                    + "&redirect_uri=" + java.net.URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&scope=openid%20email%20api"
                    + "&state=" + state.getValue());
            AuthorizationCode code = approveInBrowser(request, listener, state, true);

            // grant_type=authorization_code&code=<code>&client_id=<id>&client_secret=<secret>&redirect_uri=<uri>
            Response exchanged = server.postForm("/oauth2/token", null, null, "grant_type=authorization_code&code=" + code.getValue()
                    + "&client_id=" + app.clientId() + "&client_secret=" + app.secret() + "&redirect_uri=" + redirect);
            assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
            assertThat(exchanged.json().path("access_token").asText()).isNotEmpty();
            assertThat(exchanged.json().path("refresh_token").asText()).isNotEmpty();
            assertThat(exchanged.json().path("id_token").asText()).isNotEmpty();
            JWTClaimsSet id = com.nimbusds.jwt.SignedJWT.parse(exchanged.json().path("id_token").asText()).getJWTClaimsSet();
            assertThat(id.getStringClaim("email")).isEqualTo("alice@demo.example");

            // grant_type=refresh_token&refresh_token=<token>&client_id=<id>&client_secret=<secret>
            Response refreshed = server.postForm("/oauth2/token", null, null, "grant_type=refresh_token&refresh_token="
                    + exchanged.json().path("refresh_token").asText() + "&client_id=" + app.clientId() + "&client_secret=" + app.secret());
            assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
            assertThat(refreshed.json().path("access_token").asText()).isNotEqualTo(exchanged.json().path("access_token").asText());
            assertThat(refreshed.json().path("refresh_token").asText()).isNotEqualTo(exchanged.json().path("refresh_token").asText());
        }
    }

    @Test
    void anAppApprovedBeforeGetsItsCodeStraightFromTheLoginForm() throws Exception {
        // The login form's answer redirects through the authorization endpoint to the app: browsers hold that
        // whole chain to the login page's form-action.
        try (Listener listener = new Listener()) {
            OIDCProviderMetadata op = discovery();
            App app = server.createInteractive("web", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid", "profile")));
            ClientID clientId = new ClientID(app.clientId());
            State first = new State();
            approveInBrowser(new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile"), clientId,
                    listener.redirectUri()).state(first).endpointURI(op.getAuthorizationEndpointURI()).build().toURI(),
                    listener, first, true);
            for (String prompt : List.of("", "login")) {
                State state = new State();
                AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile"),
                        clientId, listener.redirectUri()).state(state).endpointURI(op.getAuthorizationEndpointURI());
                if (!prompt.isEmpty()) request.prompt(new com.nimbusds.openid.connect.sdk.Prompt(prompt));
                try (Browser b = Browser.open(server.url(""))) {
                    if (!prompt.isEmpty()) b.logIn("alice", "alice");
                    b.go(request.build().toURI().toString());
                    assertThat(b.path()).startsWith("/account/login");
                    // a wrong password first: the page shown again must still let the form lead on to the app
                    b.type("input[name=username]", "alice").type("input[name=password]", "wrong").click("button[type=submit]");
                    b.type("input[name=password]", "alice").click("button[type=submit]");
                    AuthorizationResponse answer = AuthorizationResponse.parse(listener.next());
                    assertThat(answer.indicatesSuccess()).as(prompt).isTrue();
                    assertThat(answer.getState()).isEqualTo(state);
                    assertThat(b.title()).isEqualTo("Connected");
                }
            }
        }
    }

    @Test
    void theConsentFormCannotBeFramedOrPostedFromAnotherPage() throws Exception {
        try (Listener listener = new Listener()) {
            App app = server.createInteractive("web", Map.of("redirectUris", List.of(listener.redirectUri().toString()),
                    "scopes", List.of("openid")));
            try (Browser b = Browser.open(server.url(""))) {
                b.logIn("alice", "alice");
                b.go("/oauth2/authorize?response_type=code&scope=openid&client_id=" + app.clientId() + "&redirect_uri="
                        + java.net.URLEncoder.encode(listener.redirectUri().toString(), StandardCharsets.UTF_8));
                assertThat(b.find("button[name=decision][value=allow]").isDisplayed()).isTrue();
                b.script("document.querySelector('input[name=csrf]').value = 'forged'");
                b.click("button[name=decision][value=allow]");
                assertThat(b.find("h1").getText()).isEqualTo("This form has expired");
                assertThat(listener.received).isEmpty();
            }
        }
    }
}
