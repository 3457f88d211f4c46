package dev.ostium.restapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class QueryEndpointTest extends ServerTest {

    @Test
    void aServiceAccountSeesWhatItsBoundUserSees() {
        // alice owns INV-0001 and INV-0002 and is in Sales, which owns INV-0004
        String alice = server.token(server.createService("alice", "rest.all.read"));
        Response r = server.query(alice, "SELECT * FROM Invoice;");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("success").asBoolean()).isTrue();
        assertThat(r.json().path("result").findValuesAsText("invoice_no")).containsExactly("INV-0001", "INV-0002", "INV-0004");

        String bob = server.token(server.createService("bob", "rest.all"));
        assertThat(server.query(bob, "SELECT * FROM Invoice;").json().path("result").findValuesAsText("invoice_no"))
                .containsExactly("INV-0003");
    }

    @Test
    void fieldsWhereOrderAndLimitWork() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        Response r = server.query(token, "select invoice_no, total from Invoice where total > 3000 order by total desc limit 5");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var rows = r.json().path("result");
        assertThat(rows.findValuesAsText("invoice_no")).containsExactly("INV-0001", "INV-0004");
        assertThat(rows.get(0).size()).isEqualTo(2);
        Response like = server.query(token, "SELECT accountname FROM Accounts WHERE accountname LIKE 'Acme%';");
        assertThat(like.json().path("result").findValuesAsText("accountname")).containsExactly("Acme S.p.A.");
    }

    @Test
    void mistypedValuesFindNothingRatherThanFail() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        for (String q : List.of("SELECT * FROM Invoice WHERE subject = 5", "SELECT * FROM Invoice WHERE total = 'lots'",
                "SELECT * FROM Invoice WHERE total > 'x'", "SELECT * FROM Accounts WHERE id LIKE 'a%'")) {
            Response r = server.query(token, q);
            assertThat(r.status()).as(q + " -> " + r.body()).isEqualTo(200);
            assertThat(r.json().path("result").size()).as(q).isZero();
        }
        Response byNumber = server.query(token, "SELECT invoice_no FROM Invoice WHERE total = 2450.5");
        assertThat(byNumber.json().path("result").findValuesAsText("invoice_no")).containsExactly("INV-0002");
        Response byText = server.query(token, "SELECT invoice_no FROM Invoice WHERE invoicedate >= '2026-03-01'");
        assertThat(byText.json().path("result").findValuesAsText("invoice_no")).containsExactly("INV-0002", "INV-0004");
    }

    @Test
    void sqlLookingInputIsJustAValueOrAParseError() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        Response injected = server.query(token, "SELECT * FROM Invoice WHERE subject = 'x'' OR ''1''=''1';");
        assertThat(injected.status()).isEqualTo(200);
        assertThat(injected.json().path("result").size()).isZero();
        for (String q : List.of("SELECT * FROM Invoice; DROP TABLE crm_invoices;", "SELECT * FROM crm_invoices",
                "SELECT password_hash FROM Invoice", "SELECT * FROM Invoice WHERE 1=1", "SELECT * FROM Invoice UNION SELECT * FROM users",
                "", "DELETE FROM Invoice")) {
            Response r = server.query(token, q);
            assertThat(r.status()).as(q + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asText()).isEqualTo("INVALID_QUERY");
        }
        assertThat(server.count("crm_invoices")).isEqualTo(5);
    }

    @Test
    void missingWrongAndExpiredTokensGet401WithABearerChallenge() {
        Response none = server.query(null, "SELECT * FROM Invoice;");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"ostium\"");

        Response wrong = server.query("made-up-token", "SELECT * FROM Invoice;");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("error=\"invalid_token\"");

        Response basic = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Basic YWxpY2U6YWxpY2U=").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"SELECT * FROM Invoice\"}")).build());
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void aWriteOnlyTokenCannotRead() {
        App writer = server.createService("alice", "rest.all.write");
        Response r = server.query(server.token(writer), "SELECT * FROM Invoice;");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"").contains("scope=\"rest.all.read\"");
    }

    @Test
    void malformedBodiesGetClearErrors() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        Response notJson = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{not json")).build());
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("error").path("code").asText()).isEqualTo("INVALID_JSON");

        Response wrongType = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("SELECT * FROM Invoice")).build());
        assertThat(wrongType.status()).isEqualTo(415);

        Response noQuery = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"q\": 1}")).build());
        assertThat(noQuery.status()).isEqualTo(400);
    }

    @Test
    void answersAndErrorsAreNeverCached() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        assertThat(server.query(token, "SELECT * FROM Invoice;").header("Cache-Control")).isEqualTo("no-store");
        assertThat(server.query(token, "SELECT nonsense").header("Cache-Control")).isEqualTo("no-store");
        assertThat(server.query("not-a-token", "SELECT * FROM Invoice;").header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void aLikePatternEndingInTheEscapeCharacterIsABadQuery() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        Response r = server.query(token, "SELECT * FROM Accounts WHERE accountname LIKE 'Acme\\';");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asText()).contains("escape");
        Response escaped = server.query(token, "SELECT * FROM Accounts WHERE accountname LIKE 'Acme\\%';");
        assertThat(escaped.status()).as(escaped.body()).isEqualTo(200);
        assertThat(escaped.json().path("result").size()).isZero();
    }

    @Test
    void anOversizedBodyIsTooLargeNotInvalidJson() {
        String token = server.token(server.createService("alice", "rest.all.read"));
        String big = "{\"query\": \"SELECT * FROM Invoice WHERE subject = '" + "x".repeat(2 * 1024 * 1024) + "'\"}";
        Response r = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)).build());
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("too large").doesNotContain("invalid JSON");
    }
}
