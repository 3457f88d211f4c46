package dev.ostium.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import dev.ostium.testing.TestServer.App;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A single-page app calls the token, revocation and userinfo endpoints from its own origin (the origin of
 * one of its redirect URIs) and may read the answers; a page of any other origin may not. No answer ever
 * allows credentials.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class CorsTest extends ServerTest {

    private static final String CB = "http://127.0.0.1:9001/";
    private static final String OWN = "http://127.0.0.1:9001";
    private static final String SECOND = "https://spa.example";
    private static final String EVIL = "https://evil.example";

    private Response send(String method, String path, String origin, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) b.header("Origin", origin);
        if (body != null) b.header("Content-Type", "application/x-www-form-urlencoded");
        headers.forEach(b::header);
        return server.send(b.build());
    }

    private static void readableBy(Response r, String origin) {
        assertThat(r.header("Access-Control-Allow-Origin")).as(r.toString()).isEqualTo(origin);
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(r.header("Vary")).contains("Origin");
    }

    private static void notReadable(Response r) {
        assertThat(r.header("Access-Control-Allow-Origin")).as(r.toString()).isNull();
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void aSinglePageAppReadsItsAnswersFromItsOwnOriginsOnly() {
        App spa = server.createInteractive("spa", Map.of("redirectUris", List.of(CB, SECOND + "/cb"),
                "scopes", List.of("openid", "profile", "rest.all"), "offlineAccess", true));
        App web = server.createInteractive("web", Map.of("redirectUris", List.of("https://web.example/cb"), "scopes", List.of("openid")));

        // The browser's preflight, for the token endpoint and for userinfo with a bearer token.
        Response pre = send("OPTIONS", "/oauth2/token", OWN, null,
                Map.of("Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));
        assertThat(pre.status()).isEqualTo(204);
        readableBy(pre, OWN);
        assertThat(pre.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(pre.header("Access-Control-Allow-Headers")).containsIgnoringCase("content-type");
        Response preUserinfo = send("OPTIONS", "/oauth2/userinfo", OWN, null,
                Map.of("Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization"));
        assertThat(preUserinfo.status()).isEqualTo(204);
        assertThat(preUserinfo.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");

        // Code exchange with PKCE from the app's page: the answer is readable there, and its refusal too.
        CodeVerifier verifier = new CodeVerifier();
        String code = server.issueCode(spa, "alice", CB, "openid profile rest.all",
                CodeChallenge.compute(CodeChallengeMethod.S256, verifier).getValue(), null);
        String exchange = "grant_type=authorization_code&client_id=" + spa.clientId() + "&redirect_uri=" + enc(CB) + "&code=" + code
                + "&code_verifier=" + verifier.getValue();
        Response tokens = send("POST", "/oauth2/token", OWN, exchange, Map.of());
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        readableBy(tokens, OWN);
        // From its second redirect URI's origin (default port) as well; a wrong verifier's refusal is readable there.
        String other = server.issueCode(spa, "alice", CB, "openid", CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier()).getValue(), null);
        Response refusedExchange = send("POST", "/oauth2/token", SECOND, "grant_type=authorization_code&client_id=" + spa.clientId()
                + "&redirect_uri=" + enc(CB) + "&code=" + other + "&code_verifier=" + verifier.getValue(), Map.of());
        assertThat(refusedExchange.json().path("error").asText()).isEqualTo("invalid_grant");
        readableBy(refusedExchange, SECOND);

        // Another site's page, or another app's origin, cannot read the spa's answers.
        String bogusRefresh = "grant_type=refresh_token&refresh_token=nope&client_id=" + spa.clientId();
        notReadable(send("POST", "/oauth2/token", EVIL, bogusRefresh, Map.of()));
        notReadable(send("POST", "/oauth2/token", "https://web.example", bogusRefresh, Map.of()));
        notReadable(send("POST", "/oauth2/token", "http://127.0.0.1:9002", bogusRefresh, Map.of()));
        readableBy(send("POST", "/oauth2/token", OWN, bogusRefresh, Map.of()), OWN);
        // A web app's own answers are not readable from the spa's origin.
        notReadable(send("POST", "/oauth2/token", OWN, "grant_type=client_credentials",
                Map.of("Authorization", TestServer.basic(web.clientId(), web.secret()))));

        // Userinfo: the token's app decides.
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + tokens.json().path("access_token").asText());
        Response claims = send("GET", "/oauth2/userinfo", OWN, null, bearer);
        assertThat(claims.status()).isEqualTo(200);
        readableBy(claims, OWN);
        notReadable(send("GET", "/oauth2/userinfo", EVIL, null, bearer));
        Response refused = send("GET", "/oauth2/userinfo", OWN, null, Map.of("Authorization", "Bearer nope"));
        assertThat(refused.status()).isEqualTo(401);
        // A refusal carries nothing but its challenge: the page learns its token is no good instead of seeing
        // a network error, and can read why.
        readableBy(refused, OWN);
        assertThat(refused.header("Access-Control-Expose-Headers")).contains("WWW-Authenticate");
        readableBy(send("GET", "/oauth2/userinfo", OWN, null, Map.of()), OWN);

        // A refresh that names no client (RFC 6749 §6 asks none of a public client) is answered for the app its
        // refresh token is bound to: readable from that app's page, refusals too, and from no other origin.
        String firstRefresh = tokens.json().path("refresh_token").asText();
        Response refreshed = send("POST", "/oauth2/token", OWN, "grant_type=refresh_token&refresh_token=" + firstRefresh, Map.of());
        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
        readableBy(refreshed, OWN);
        String secondRefresh = refreshed.json().path("refresh_token").asText();
        Response fromElsewhere = send("POST", "/oauth2/token", EVIL, "grant_type=refresh_token&refresh_token=" + secondRefresh, Map.of());
        assertThat(fromElsewhere.status()).isEqualTo(200);
        notReadable(fromElsewhere);
        Response reused = send("POST", "/oauth2/token", OWN, "grant_type=refresh_token&refresh_token=" + secondRefresh, Map.of());
        assertThat(reused.json().path("error").asText()).isEqualTo("invalid_grant");
        readableBy(reused, OWN);

        // Revocation by the public client, from its page.
        Response revoked = send("POST", "/oauth2/revoke", OWN,
                "token=" + firstRefresh + "&client_id=" + spa.clientId(), Map.of());
        assertThat(revoked.status()).isEqualTo(200);
        readableBy(revoked, OWN);

        // Requests without an Origin (servers, native apps) see no CORS headers at all.
        Response plain = send("POST", "/oauth2/token", null, bogusRefresh, Map.of());
        assertThat(plain.header("Access-Control-Allow-Origin")).isNull();
        assertThat(plain.header("Vary")).isNull();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
