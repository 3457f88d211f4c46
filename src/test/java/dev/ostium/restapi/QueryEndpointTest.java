package dev.ostium.restapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

    private static List<Long> ids(List<JsonNode> rows) {
        return rows.stream().map(r -> r.path("id").asLong()).toList();
    }

    @Test
    void theSeedQueryAnswersEachUserWithWhatThatUserMaySee() {
        // The README's call, exactly: POST /restapi/v1/vtews/query {"query": "SELECT * FROM Invoice;"}
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response first = alice.query("SELECT * FROM Invoice;");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("success").asBoolean()).isTrue();
        assertThat(first.header("Cache-Control")).isEqualTo("no-store");
        // alice owns INV-0001 and INV-0002 and is in Sales, which owns INV-0004; not bob's INV-0003 nor the admin's INV-0005
        assertThat(first.json().path("result").findValuesAsText("invoice_no")).contains("INV-0001", "INV-0002", "INV-0004")
                .doesNotContain("INV-0003", "INV-0005");
        List<JsonNode> aliceSees = alice.all("SELECT * FROM Invoice;");
        assertThat(ids(aliceSees)).containsExactlyElementsOf(Rest.visibleIds(server, "crm_invoices", "alice")).hasSizeGreaterThan(20);

        Rest bob = Rest.as(server, "bob", "rest.all");
        List<JsonNode> bobSees = bob.all("SELECT * FROM Invoice;");
        assertThat(ids(bobSees)).containsExactlyElementsOf(Rest.visibleIds(server, "crm_invoices", "bob"))
                .doesNotContainAnyElementsOf(ids(aliceSees).stream().filter(id -> !ids(bobSees).contains(id)).toList());
        assertThat(bobSees.stream().map(r -> r.path("invoice_no").asText())).contains("INV-0003").doesNotContain("INV-0001");
    }

    @Test
    void severalLikePatternsWithEscapesInOneQuery() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response both = alice.query("SELECT accountname FROM Accounts WHERE accountname LIKE 'Acme%' AND accountname LIKE '%S.p.A.' "
                + "AND accountname NOT LIKE '%\\%%' AND accountname NOT LIKE '%!%' AND id > 0");
        assertThat(both.status()).as(both.body()).isEqualTo(200);
        assertThat(both.json().path("result").findValuesAsText("accountname")).contains("Acme S.p.A.");
        Response literal = alice.query("SELECT count(*) FROM Accounts WHERE accountname LIKE 'Acme\\_%' OR accountname LIKE '!%'");
        assertThat(literal.status()).as(literal.body()).isEqualTo(200);
        assertThat(literal.json().path("result").get(0).path("count").asLong()).isZero();
    }

    @Test
    void aManagerSeesTheRecordsOfTheRolesBelow() {
        // carol is Sales Manager, above the Sales Reps alice and dave
        List<Long> carol = ids(Rest.as(server, "carol", "rest.all.read").all("SELECT id FROM Accounts"));
        List<Long> alice = Rest.visibleIds(server, "crm_accounts", "alice");
        List<Long> aliceOwns = server.node().db.jdbi().withHandle(h -> h.createQuery(
                "select a.id from crm_accounts a join users u on u.id = a.owner_user_id where u.username = 'alice'").mapTo(Long.class).list());
        assertThat(carol).containsAll(aliceOwns).containsExactlyElementsOf(Rest.visibleIds(server, "crm_accounts", "carol"));
        // ... but a rep does not see the manager's records
        List<Long> carolOwns = server.node().db.jdbi().withHandle(h -> h.createQuery(
                "select a.id from crm_accounts a join users u on u.id = a.owner_user_id where u.username = 'carol'").mapTo(Long.class).list());
        assertThat(carolOwns).isNotEmpty();
        assertThat(alice).doesNotContainAnyElementsOf(carolOwns);
    }

    @Test
    void fieldsWhereOrderAndLimitWork() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response r = alice.query("select invoice_no, total from Invoice where total > 3000 and invoice_no like 'INV-000_' order by total desc limit 5");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode rows = r.json().path("result");
        assertThat(rows.findValuesAsText("invoice_no")).containsExactly("INV-0001", "INV-0004");
        assertThat(rows.get(0).size()).isEqualTo(2);
        assertThat(rows.get(0).path("total").asText()).isEqualTo("12000.00");
        Response like = alice.query("SELECT accountname FROM Accounts WHERE accountname LIKE 'Acme S.p%';");
        assertThat(like.json().path("result").findValuesAsText("accountname")).containsExactly("Acme S.p.A.");
    }

    @Test
    void conditionsCombineWithOrNotInNullAndReferences() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response r = alice.query("SELECT invoice_no FROM Invoice WHERE (invoicestatus IN ('Paid', 'Sent') OR NOT total < 5000) "
                + "AND account_id.accountname = 'Acme S.p.A.' AND contact_id IS NULL AND invoicedate >= '2026-01-01' ORDER BY invoice_no");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("result").findValuesAsText("invoice_no")).contains("INV-0001", "INV-0002").doesNotContain("INV-0004");
        Response count = alice.query("SELECT count(*) FROM Invoice WHERE account_id.accountname LIKE 'Acme%'");
        assertThat(count.status()).as(count.body()).isEqualTo(200);
        assertThat(count.json().path("result").get(0).path("count").asLong()).isGreaterThanOrEqualTo(2);
        Response booleans = alice.query("SELECT id FROM Contacts WHERE donotcall = TRUE AND birthday < '1980-01-01' LIMIT 3");
        assertThat(booleans.status()).as(booleans.body()).isEqualTo(200);
    }

    @Test
    void aReferencedRecordTheUserCannotSeeDoesNotMatch() {
        // Demo Holding belongs to the admin: alice cannot find invoices by its name, even if she could see an invoice of it
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response r = alice.query("SELECT count(*) FROM Invoice WHERE account_id.accountname = 'Demo Holding'");
        long adminOnly = server.node().db.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from crm_invoices i join crm_accounts a on a.id = i.account_id join users u on u.id = i.owner_user_id "
                        + "where a.account_name = 'Demo Holding'").mapTo(Long.class).one());
        assertThat(r.json().path("result").get(0).path("count").asLong()).isZero();
        assertThat(adminOnly).isGreaterThanOrEqualTo(0);
    }

    @Test
    void pagesFollowOneAnotherWithAnExplicitContinuation() {
        Rest carol = Rest.as(server, "carol", "rest.all.read");
        Response first = carol.query("SELECT id, productname FROM Products WHERE qtyinstock >= 0 ORDER BY productname LIMIT 50");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("result").size()).isEqualTo(50);
        assertThat(first.json().path("next").asText())
                .isEqualTo("SELECT id, productname FROM Products WHERE qtyinstock >= 0 ORDER BY productname LIMIT 50, 50;");
        // Products are shared public-read: every product, 100 a page at most (the default max-rows)
        Response whole = carol.query("SELECT * FROM Products");
        assertThat(whole.json().path("result").size()).isEqualTo(100);
        assertThat(whole.json().path("next").asText()).isEqualTo("SELECT * FROM Products LIMIT 100, 100;");
        List<JsonNode> all = carol.all("SELECT * FROM Products;");
        assertThat(all).hasSize((int) server.count("crm_products"));
        assertThat(ids(all)).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void mistakesAreNamedWithTheirPosition() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        assertError(alice.query("SELECT totl FROM Invoice"), "unknown field 'totl' at 1:8; did you mean 'total'?", 1, 8);
        assertError(alice.query("SELECT * FROM Invoices"), "unknown module 'Invoices' at 1:15; did you mean 'Invoice'?", 1, 15);
        assertError(alice.query("SELECT *\nFROM Invoice\nWHERE total = 'lots'"), "'total' is a number: write it without quotes at 3:15", 3, 15);
        assertError(alice.query("SELECT * FROM Invoice WHERE invoicedate = '2026-02-30'"),
                "'2026-02-30' is not a valid date for 'invoicedate' at 1:43; write it as 'YYYY-MM-DD'", 1, 43);
        assertError(alice.query("SELECT * FROM Invoice WHERE invoicestatus = 'Payed'"),
                "'Payed' is not a value of 'invoicestatus' at 1:45; did you mean 'Paid'?", 1, 45);
        assertError(alice.query("SELECT * FROM Invoice WHERE subject = 5"), "'subject' is text: write the value in 'single quotes' at 1:39", 1, 39);
        assertError(alice.query("SELECT * FROM Invoice WHERE total = NULL"),
                "a comparison with NULL is never true at 1:37; write 'total IS NULL'", 1, 37);
        assertError(alice.query("SELECT * FORM Invoice"), "expected FROM, found 'FORM' at 1:10; did you mean 'FROM'?", 1, 10);
        assertError(alice.query("SELECT * FROM Invoice WHERE subject LIKE 'x\\'"),
                "in a LIKE pattern the escape character \\ must be followed by %, _ or \\ at 1:42", 1, 42);
        assertError(alice.query("SELECT * FROM Invoice WHERE account_id.nme = 'x'"), "unknown field 'nme' at 1:40", 1, 40);
    }

    private static void assertError(Response r, String message, int line, int column) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        JsonNode e = r.json().path("error");
        assertThat(e.path("code").asText()).isEqualTo("INVALID_QUERY");
        assertThat(e.path("message").asText()).startsWith(message);
        assertThat(e.path("line").asInt()).isEqualTo(line);
        assertThat(e.path("column").asInt()).isEqualTo(column);
    }

    @Test
    void sqlLookingInputIsJustAValueOrAParseError() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response injected = alice.query("SELECT * FROM Invoice WHERE subject = 'x'' OR ''1''=''1';");
        assertThat(injected.status()).isEqualTo(200);
        assertThat(injected.json().path("result").size()).isZero();
        long invoices = server.count("crm_invoices");
        for (String q : List.of("SELECT * FROM Invoice; DROP TABLE crm_invoices;", "SELECT * FROM crm_invoices",
                "SELECT password_hash FROM Invoice", "SELECT * FROM Invoice WHERE 1=1", "SELECT * FROM Invoice UNION SELECT * FROM users",
                "", "DELETE FROM Invoice", "SELECT * FROM Invoice WHERE subject = '' OR 1=1 --'", "SELECT * FROM Invoice -- comment",
                "SELECT * FROM Invoice /* x */", "SELECT \"subject\" FROM Invoice", "SELECT * FROM Invoice WHERE subject = 'a\u0000b'",
                "SELECT * FROM Inv\u0456ce", "SELECT * FROM Invoice WHERE sub\u200bject = 'x'", "SELECT * FROM Invoice WHERE id = 1e3",
                "SELECT * FROM Invoice WHERE id = 99999999999999999999999", "SELECT * FROM Invoice LIMIT -1",
                "SELECT * FROM Invoice ORDER BY account_id.accountname", "SELECT * FROM Invoice WHERE subject = 'x\ny'")) {
            Response r = alice.query(q);
            assertThat(r.status()).as(q + " -> " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asText()).isEqualTo("INVALID_QUERY");
        }
        assertThat(server.count("crm_invoices")).isEqualTo(invoices);
    }

    @Test
    void hugeQueriesAreRefusedPlainly() {
        Rest alice = Rest.as(server, "alice", "rest.all.read");
        Response deep = alice.query("SELECT * FROM Invoice WHERE " + "(".repeat(10_000) + "id = 1" + ")".repeat(10_000));
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.json().path("error").path("message").asText()).startsWith("the query is");
        Response nested = alice.query("SELECT * FROM Invoice WHERE " + "(".repeat(40) + "id = 1" + ")".repeat(40));
        assertThat(nested.json().path("error").path("message").asText()).startsWith("conditions are nested deeper than 32 levels at 1:");
        Response nots = alice.query("SELECT * FROM Invoice WHERE " + "NOT ".repeat(100) + "id = 1");
        assertThat(nots.status()).isEqualTo(400);
        StringBuilder in = new StringBuilder("SELECT * FROM Invoice WHERE id IN (1");
        for (int i = 2; i <= 1_500; i++) in.append(',').append(i);
        Response many = alice.query(in.append(')').toString());
        assertThat(many.json().path("error").path("message").asText()).startsWith("IN lists at most 1000 values");
        Response bigIn = alice.query("SELECT * FROM Invoice WHERE id IN (" + "1,".repeat(100_000) + "1)");
        assertThat(bigIn.status()).isEqualTo(400);
        Response mega = alice.query("SELECT * FROM Invoice WHERE subject = '" + "x".repeat(1_000_000) + "'");
        assertThat(mega.status()).isIn(400, 413);
        assertThat(mega.header("Cache-Control")).isEqualTo("no-store");
        if (mega.status() == 413) assertThat(mega.body()).contains("too large");
    }

    @Test
    void missingWrongAndExpiredTokensGet401WithABearerChallenge() {
        Response none = server.query(null, "SELECT * FROM Invoice;");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"ostium\", resource_metadata=\""
                + server.base() + "/.well-known/oauth-protected-resource/restapi\"");
        assertThat(none.header("Cache-Control")).isEqualTo("no-store");

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
        // A field given twice is named, not read as the last of its values.
        Response twice = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"SELECT * FROM Accounts;\",\"query\":\"x\"}")).build());
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.json().path("error").path("message").asText()).isEqualTo("field 'query' is given twice");

        Response wrongType = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("SELECT * FROM Invoice")).build());
        assertThat(wrongType.status()).isEqualTo(415);

        for (String body : List.of("{\"q\": 1}", "{\"query\": 5}", "[\"SELECT * FROM Invoice\"]", "{\"query\": \"SELECT * FROM Invoice\", \"x\": 1}")) {
            Response r = server.send(HttpRequest.newBuilder(URI.create(server.url("/restapi/v1/vtews/query")))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().path("success").asBoolean(true)).isFalse();
        }
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
