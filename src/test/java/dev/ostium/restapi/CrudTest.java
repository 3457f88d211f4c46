package dev.ostium.restapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class CrudTest extends ServerTest {

    private static long idOf(String table, String column, String value) {
        return server.node().db.jdbi().withHandle(h -> h.createQuery("select id from " + table + " where " + column + " = :v")
                .bind("v", value).mapTo(Long.class).one());
    }

    private static long userId(String username) {
        return server.node().directory.byUsername(username).orElseThrow().id();
    }

    private static Map<String, Object> account(String name) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("accountname", name);
        a.put("industry", "Retail");
        a.put("email1", "info@example.com");
        a.put("employees", 12);
        a.put("annual_revenue", 1250000.5);
        a.put("active", true);
        return a;
    }

    @Test
    void createReadUpdateDeleteAnAccount() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        Response created = alice.post("/Accounts", account("Bianchi & Figli"), Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode a = created.json().path("result");
        long id = a.path("id").asLong();
        assertThat(created.header("Location")).isEqualTo("/restapi/v1/Accounts/" + id);
        assertThat(created.header("ETag")).isEqualTo("\"" + id + ".1\"");
        assertThat(a.path("accountname").asText()).isEqualTo("Bianchi & Figli");
        assertThat(a.path("annual_revenue").asText()).isEqualTo("1250000.50");
        assertThat(a.path("employees").asLong()).isEqualTo(12);
        assertThat(a.path("assigned_user_id").asLong()).isEqualTo(userId("alice"));
        assertThat(a.path("created_user_id").asLong()).isEqualTo(userId("alice"));
        assertThat(a.path("createdtime").asText()).endsWith("Z");

        Response read = alice.get("/Accounts/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo("\"" + id + ".1\"");
        assertThat(read.header("Cache-Control")).isEqualTo("no-store");
        assertThat(read.json().path("result")).isEqualTo(a);

        Response patched = alice.patch("/Accounts/" + id, Map.of("bill_city", "Bergamo", "employees", 13), Map.of("If-Match", read.header("ETag")));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.header("ETag")).isEqualTo("\"" + id + ".2\"");
        assertThat(patched.json().path("result").path("bill_city").asText()).isEqualTo("Bergamo");
        assertThat(patched.json().path("result").path("accountname").asText()).isEqualTo("Bianchi & Figli");

        Response found = alice.query("SELECT accountname FROM Accounts WHERE bill_city = 'Bergamo' AND id = " + id);
        assertThat(found.json().path("result").findValuesAsText("accountname")).containsExactly("Bianchi & Figli");

        Response deleted = alice.delete("/Accounts/" + id, Map.of("If-Match", patched.header("ETag")));
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(alice.get("/Accounts/" + id).status()).isEqualTo(404);
        assertThat(alice.delete("/Accounts/" + id, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void anInvoiceCarriesItsLineItemsAndTheirTotal() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long acme = idOf("crm_accounts", "account_name", "Acme S.p.A.");
        long kit = idOf("crm_products", "product_name", "Spare parts kit");
        long licence = idOf("crm_products", "product_name", "Initech licence");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invoice_no", "INV-9001");
        body.put("subject", "Two lines");
        body.put("account_id", acme);
        body.put("invoicedate", "2026-06-01");
        body.put("invoicestatus", "Created");
        body.put("lineitems", List.of(Map.of("productid", kit, "quantity", 2, "listprice", "2450.50"),
                Map.of("productid", licence, "quantity", 3, "listprice", 1400, "discount_percent", 10)));
        Response r = alice.post("/Invoice", body, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode inv = r.json().path("result");
        assertThat(inv.path("total").asText()).isEqualTo("8681.00"); // 4901.00 + 3780.00
        assertThat(inv.path("lineitems")).hasSize(2);
        assertThat(inv.path("lineitems").get(1).path("linetotal").asText()).isEqualTo("3780.00");

        Response replaced = alice.patch("/Invoice/" + inv.path("id").asLong(),
                Map.of("lineitems", List.of(Map.of("productid", kit, "quantity", 1, "listprice", 100))), Map.of());
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.json().path("result").path("total").asText()).isEqualTo("100.00");
        assertThat(replaced.json().path("result").path("lineitems")).hasSize(1);
    }

    @Test
    void validationNamesEveryWrongField() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long bobsAccount = idOf("crm_accounts", "account_name", "Globex SARL");
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("lastname", "");
        bad.put("email", "not-an-email");
        bad.put("birthday", "2026-02-30");
        bad.put("account_id", bobsAccount);
        bad.put("donotcall", "yes");
        bad.put("phone", 12345);
        bad.put("titel", "Dr");
        bad.put("createdtime", "2026-01-01T00:00:00Z");
        Response r = alice.post("/Contacts", bad, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode fields = r.json().path("error").path("fields");
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("INVALID_FIELDS");
        assertThat(fields.path("lastname").asText()).isEqualTo("is required");
        assertThat(fields.path("email").asText()).isEqualTo("is not an email address");
        assertThat(fields.path("birthday").asText()).contains("not a valid date");
        assertThat(fields.path("account_id").asText()).isEqualTo("no Account with id " + bobsAccount + " that you can see");
        assertThat(fields.path("donotcall").asText()).isEqualTo("must be true or false");
        assertThat(fields.path("phone").asText()).isEqualTo("must be a string");
        assertThat(fields.path("titel").asText()).isEqualTo("unknown field; did you mean 'title'?");
        assertThat(fields.path("createdtime").asText()).isEqualTo("is read-only");

        long before = server.count("crm_contacts");
        for (Object body : List.of("[]", "\"x\"", "{\"lastname\": \"A\", \"employees\": 1}",
                Map.of("potentialname", "x", "related_to", 1, "closingdate", "2026-01-01", "sales_stage", "Won"),
                Map.of("lastname", "x".repeat(101)), Map.of("lastname", "a\u0000b"),
                Map.of("lastname", "A", "assigned_user_id", 999999), Map.of("lastname", "A", "assigned_user_id", userId("bob"),
                        "assigned_group_id", 1))) {
            String path = body instanceof Map<?, ?> m && m.containsKey("potentialname") ? "/Potentials" : "/Contacts";
            Response bad2 = alice.post(path, body, Map.of());
            assertThat(bad2.status()).as(body + " -> " + bad2.body()).isEqualTo(400);
        }
        Response huge = alice.post("/Products", Map.of("productname", "p", "unit_price", new java.math.BigDecimal("1e30")), Map.of());
        assertThat(huge.json().path("error").path("fields").path("unit_price").asText()).isEqualTo("is too large");
        Response cents = alice.post("/Products", Map.of("productname", "p", "unit_price", 1.005), Map.of());
        assertThat(cents.json().path("error").path("fields").path("unit_price").asText()).isEqualTo("has more than 2 decimals");
        Response qty = alice.post("/Products", Map.of("productname", "p", "qtyinstock", 1.5), Map.of());
        assertThat(qty.json().path("error").path("fields").path("qtyinstock").asText()).isEqualTo("must be a whole number");
        assertThat(server.count("crm_contacts")).isEqualTo(before);
    }

    @Test
    void readOnlyFieldsCannotBePatched() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long acme = idOf("crm_accounts", "account_name", "Acme S.p.A.");
        Response before = alice.get("/Accounts/" + acme);
        for (String field : List.of("id", "createdtime", "modifiedtime", "created_user_id", "modified_user_id")) {
            Response r = alice.patch("/Accounts/" + acme, Map.of(field, 1), Map.of());
            assertThat(r.status()).as(field).isEqualTo(400);
            assertThat(r.json().path("error").path("fields").path(field).asText()).isEqualTo("is read-only");
        }
        long inv = idOf("crm_invoices", "invoice_no", "INV-0001");
        assertThat(alice.patch("/Invoice/" + inv, Map.of("total", "1.00"), Map.of()).status()).isEqualTo(400);
        assertThat(alice.get("/Accounts/" + acme).body()).isEqualTo(before.body());
    }

    @Test
    void whatAUserCannotSeeIsNotFoundForEveryVerb() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long globex = idOf("crm_accounts", "account_name", "Globex SARL"); // bob's
        for (Response r : List.of(alice.get("/Accounts/" + globex), alice.patch("/Accounts/" + globex, Map.of("bill_city", "X"), Map.of()),
                alice.delete("/Accounts/" + globex, Map.of()), alice.get("/Accounts/99999999"), alice.get("/Accounts/abc"),
                alice.get("/Accounts/-1"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.json().path("error").path("code").asText()).isEqualTo("RECORD_NOT_FOUND");
        }
        Response unknown = alice.get("/Acounts/1");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("message").asText()).contains("did you mean 'Accounts'?");
        assertThat(Rest.as(server, "bob", "rest.all").get("/Accounts/" + globex).status()).isEqualTo(200);
        // Globex is unchanged
        String city = server.node().db.jdbi().withHandle(h -> h.createQuery("select city from crm_accounts where id = :id")
                .bind("id", globex).mapTo(String.class).one());
        assertThat(city).isEqualTo("Lyon");
    }

    @Test
    void aRecordMovesBetweenAUserAndAGroupOwner() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long sales = server.node().db.jdbi().withHandle(h -> h.createQuery("select id from user_groups where name = 'Sales'")
                .mapTo(Long.class).one());
        long id = alice.post("/Leads", Map.of("lastname", "Gialli", "company", "Gialli Srl"), Map.of()).json().path("result").path("id").asLong();
        JsonNode toGroup = alice.patch("/Leads/" + id, Map.of("assigned_group_id", sales), Map.of()).json().path("result");
        assertThat(toGroup.path("assigned_group_id").asLong()).isEqualTo(sales);
        assertThat(toGroup.path("assigned_user_id").isNull()).isTrue();
        // dave is in Sales too: the group's record is his to see now
        assertThat(Rest.as(server, "dave", "rest.all.read").get("/Leads/" + id).status()).isEqualTo(200);
        JsonNode back = alice.patch("/Leads/" + id, Map.of("assigned_user_id", userId("alice")), Map.of()).json().path("result");
        assertThat(back.path("assigned_user_id").asLong()).isEqualTo(userId("alice"));
        assertThat(back.path("assigned_group_id").isNull()).isTrue();
        assertThat(Rest.as(server, "dave", "rest.all.read").get("/Leads/" + id).status()).isEqualTo(404);
        Map<String, Object> neither = new LinkedHashMap<>();
        neither.put("assigned_user_id", null);
        assertThat(alice.patch("/Leads/" + id, neither, Map.of()).status()).isEqualTo(400);
    }

    @Test
    void aRecordOthersReferToCannotBeDeleted() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long acme = idOf("crm_accounts", "account_name", "Acme S.p.A."); // INV-0001 and INV-0002 refer to it
        Response r = alice.delete("/Accounts/" + acme, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("CONFLICT");
        assertThat(alice.get("/Accounts/" + acme).status()).isEqualTo(200);
    }

    @Test
    void sharingRulesOpenReadingAndWritingPerModule() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long adminsProduct = idOf("crm_products", "product_name", "Audit");
        // Products are public read: alice reads the admin's product but may not change it
        assertThat(alice.get("/Products/" + adminsProduct).status()).isEqualTo(200);
        Response refused = alice.patch("/Products/" + adminsProduct, Map.of("qtyinstock", 5), Map.of());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("code").asText()).isEqualTo("ACCESS_DENIED");
        long holding = idOf("crm_accounts", "account_name", "Demo Holding");
        try {
            assertThat(server.admin("PUT", "/admin/api/crm/sharing", Map.of("Accounts", "public_read_write")).status()).isEqualTo(200);
            assertThat(alice.patch("/Accounts/" + holding, Map.of("bill_city", "Napoli"), Map.of()).status()).isEqualTo(200);
            assertThat(server.admin("PUT", "/admin/api/crm/sharing", Map.of("Accounts", "public_read")).status()).isEqualTo(200);
            assertThat(alice.get("/Accounts/" + holding).status()).isEqualTo(200);
            assertThat(alice.patch("/Accounts/" + holding, Map.of("bill_city", "Roma"), Map.of()).status()).isEqualTo(403);
        } finally {
            server.admin("PUT", "/admin/api/crm/sharing", Map.of("Accounts", "private"));
        }
        assertThat(alice.get("/Accounts/" + holding).status()).isEqualTo(404);
        assertThat(server.admin("PUT", "/admin/api/crm/sharing", Map.of("Accounts", "everyone")).status()).isEqualTo(400);
        assertThat(server.admin("GET", "/admin/api/crm/sharing", null).json().path("Products").asText()).isEqualTo("public_read");
    }

    @Test
    void aStaleIfMatchIsRefusedAndChangesNothing() {
        Rest first = Rest.as(server, "alice", "rest.all");
        Rest second = Rest.as(server, "alice", "rest.all");
        long id = first.post("/Leads", Map.of("lastname", "Verdi", "company", "Verdi Srl"), Map.of()).json().path("result").path("id").asLong();
        String etag = first.get("/Leads/" + id).header("ETag");
        assertThat(second.patch("/Leads/" + id, Map.of("leadstatus", "Contacted"), Map.of("If-Match", etag)).status()).isEqualTo(200);
        Response stale = first.patch("/Leads/" + id, Map.of("leadstatus", "Lost"), Map.of("If-Match", etag));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().path("error").path("code").asText()).isEqualTo("PRECONDITION_FAILED");
        assertThat(first.delete("/Leads/" + id, Map.of("If-Match", etag)).status()).isEqualTo(412);
        assertThat(first.get("/Leads/" + id).json().path("result").path("leadstatus").asText()).isEqualTo("Contacted");
        assertThat(first.patch("/Leads/" + id, Map.of("leadstatus", "Lost"), Map.of("If-Match", "*")).status()).isEqualTo(200);
    }

    @Test
    void aRetriedCreateWithTheSameIdempotencyKeyCreatesOnce() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        long before = server.count("crm_leads");
        Map<String, Object> lead = Map.of("lastname", "Neri", "company", "Neri SpA");
        Response one = alice.post("/Leads", lead, Map.of("Idempotency-Key", "order-4711"));
        Response two = alice.post("/Leads", lead, Map.of("Idempotency-Key", "order-4711"));
        assertThat(one.status()).isEqualTo(201);
        assertThat(two.status()).isEqualTo(201);
        assertThat(two.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(two.json().path("result").path("id")).isEqualTo(one.json().path("result").path("id"));
        assertThat(server.count("crm_leads")).isEqualTo(before + 1);
        Response other = alice.post("/Leads", Map.of("lastname", "Other", "company", "X"), Map.of("Idempotency-Key", "order-4711"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(alice.post("/Leads", lead, Map.of("Idempotency-Key", "x".repeat(201))).status()).isEqualTo(400);
        assertThat(server.count("crm_leads")).isEqualTo(before + 1);
    }

    @Test
    void scopesAllowReadingOrWritingOrBoth() {
        long acme = idOf("crm_accounts", "account_name", "Acme S.p.A.");
        Rest reader = Rest.as(server, "alice", "rest.all.read");
        Rest writer = Rest.as(server, "alice", "rest.all.write");
        Rest api = Rest.as(server, "alice", "api");
        assertThat(reader.get("/Accounts/" + acme).status()).isEqualTo(200);
        assertThat(reader.get("/describe/Accounts").status()).isEqualTo(200);
        assertThat(reader.get("/me").status()).isEqualTo(200);
        for (Response r : List.of(reader.post("/Leads", Map.of("lastname", "A", "company", "B"), Map.of()),
                reader.patch("/Accounts/" + acme, Map.of("bill_city", "X"), Map.of()), reader.delete("/Accounts/" + acme, Map.of()))) {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"").contains("scope=\"rest.all.write\"");
        }
        for (Response r : List.of(writer.get("/Accounts/" + acme), writer.get("/me"), writer.get("/describe"), writer.query("SELECT * FROM Accounts"))) {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"").contains("scope=\"rest.all.read\"");
        }
        assertThat(writer.post("/Leads", Map.of("lastname", "A", "company", "B"), Map.of()).status()).isEqualTo(201);
        assertThat(api.get("/Accounts/" + acme).status()).isEqualTo(200);
        assertThat(api.post("/Leads", Map.of("lastname", "A", "company", "B"), Map.of()).status()).isEqualTo(201);
        // a JWT access token goes through the same check
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "jwt reader");
        spec.put("user", "alice");
        spec.put("scopes", List.of("rest.all.read"));
        spec.put("tokenFormat", "jwt");
        Rest jwt = new Rest(server, server.token(server.create(spec)));
        assertThat(jwt.get("/Accounts/" + acme).status()).isEqualTo(200);
        assertThat(jwt.post("/Leads", Map.of("lastname", "A", "company", "B"), Map.of()).status()).isEqualTo(403);
    }

    @Test
    void describeAndMe() {
        Rest carol = Rest.as(server, "carol", "rest.all");
        JsonNode all = carol.get("/describe").json().path("result").path("modules");
        assertThat(all.findValuesAsText("name")).containsExactly("Accounts", "Contacts", "Leads", "Potentials", "Products", "Invoice");
        JsonNode inv = carol.get("/describe/Invoice").json().path("result");
        JsonNode status = inv.path("fields").findParents("name").stream().filter(f -> f.path("name").asText().equals("invoicestatus")).findFirst().orElseThrow();
        assertThat(status.path("type").asText()).isEqualTo("picklist");
        assertThat(status.path("required").asBoolean()).isTrue();
        assertThat(status.path("picklistValues").findValuesAsText("")).isEmpty();
        assertThat(status.path("picklistValues").toString()).contains("Paid");
        assertThat(inv.path("lineitems").path("name").asText()).isEqualTo("lineitems");
        JsonNode me = carol.get("/me").json().path("result");
        assertThat(me.path("user").path("username").asText()).isEqualTo("carol");
        assertThat(me.path("user").path("role").asText()).isEqualTo("Sales Manager");
        assertThat(me.path("user").path("actsAsAdministrator").asBoolean()).isFalse();
        assertThat(me.path("scopes").toString()).contains("rest.all");
        assertThat(me.path("app").path("clientId").asText()).isNotEmpty();
    }

    @Test
    void everyChangeIsRecordedForAdministrators() {
        Rest alice = Rest.as(server, "alice", "rest.all");
        JsonNode created = alice.post("/Potentials", Map.of("potentialname", "Big deal", "related_to",
                idOf("crm_accounts", "account_name", "Acme S.p.A."), "closingdate", "2026-12-01", "sales_stage", "Proposal",
                "amount", "50000"), Map.of()).json().path("result");
        long id = created.path("id").asLong();
        alice.patch("/Potentials/" + id, Map.of("sales_stage", "Closed Won", "probability", 100), Map.of());
        alice.delete("/Potentials/" + id, Map.of());
        Response r = server.admin("GET", "/admin/api/crm/changes?module=Potentials&record=" + id, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode changes = r.json().path("changes");
        assertThat(changes.findValuesAsText("action")).containsExactly("delete", "update", "create");
        JsonNode update = changes.get(1);
        assertThat(update.path("user").path("username").asText()).isEqualTo("alice");
        assertThat(update.path("app").path("clientId").asText()).startsWith("ost_");
        assertThat(update.path("changes").path("sales_stage").path("old").asText()).isEqualTo("Proposal");
        assertThat(update.path("changes").path("sales_stage").path("new").asText()).isEqualTo("Closed Won");
        assertThat(update.path("changes").path("probability").path("new").asInt()).isEqualTo(100);
        assertThat(update.path("changes").has("potentialname")).isFalse();
        assertThat(changes.get(2).path("changes").path("amount").path("new").asText()).isEqualTo("50000.00");
        assertThat(changes.get(0).path("changes").path("potentialname").path("old").asText()).isEqualTo("Big deal");
        // only administrators read it (anyone else is answered as a wrong password is)
        assertThat(server.adminAs("alice:alice", "GET", "/admin/api/crm/changes", null).status()).isEqualTo(401);
        assertThat(server.admin("GET", "/admin/api/crm/changes?record=abc", null).status()).isEqualTo(400);
    }

    @Test
    void anAdministratorsTokenSeesEverythingOnlyWhileAdminConnectionsAreOn() {
        server.setSettings(Map.of("adminConnections", true));
        try {
            Rest admin = Rest.as(server, "admin", "rest.all.read");
            assertThat(admin.all("SELECT id FROM Invoice")).hasSize((int) server.count("crm_invoices"));
            server.setSettings(Map.of("adminConnections", false));
            assertThat(admin.query("SELECT id FROM Invoice").status()).isEqualTo(401);
        } finally {
            server.setSettings(Map.of("adminConnections", false));
        }
    }
}
