package dev.ostium.restapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.testing.Response;
import dev.ostium.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Calls of the business REST API as a client makes them, for the tests of this package. */
final class Rest {

    static final ObjectMapper JSON = new ObjectMapper();

    private final TestServer server;
    private final String token;

    Rest(TestServer server, String token) {
        this.server = server;
        this.token = token;
    }

    /** A client holding a fresh token of a new service account bound to the user, with these scopes. */
    static Rest as(TestServer server, String user, String... scopes) {
        return new Rest(server, server.token(server.createService(user, scopes)));
    }

    Response query(String q) {
        return server.query(token, q);
    }

    /** Every row the query finds, following "next" from page to page. */
    List<JsonNode> all(String q) {
        List<JsonNode> rows = new ArrayList<>();
        String next = q;
        for (int pages = 0; next != null; pages++) {
            if (pages > 1000) throw new AssertionError("paging does not end");
            Response r = query(next);
            if (r.status() != 200) throw new AssertionError(next + " -> " + r);
            r.json().path("result").forEach(rows::add);
            next = r.json().path("next").isTextual() ? r.json().path("next").asText() : null;
        }
        return rows;
    }

    Response get(String path) {
        return send("GET", path, null, Map.of());
    }

    Response post(String path, Object body, Map<String, String> headers) {
        return send("POST", path, body, headers);
    }

    Response patch(String path, Object body, Map<String, String> headers) {
        return send("PATCH", path, body, headers);
    }

    Response delete(String path, Map<String, String> headers) {
        return send("DELETE", path, null, headers);
    }

    Response send(String method, String path, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url("/restapi/v1" + path)));
            if (token != null) b.header("Authorization", "Bearer " + token);
            headers.forEach(b::header);
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(
                        body instanceof String s ? s : JSON.writeValueAsString(body)));
            }
            return server.send(b.build());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ids of a module's records the user may see, computed straight from the tables and the rules. */
    static List<Long> visibleIds(TestServer server, String table, String username) {
        return server.node().db.jdbi().withHandle(h -> h.createQuery("select t.id from " + table + " t, users u where u.username = :u and ("
                        + " t.owner_user_id = u.id"
                        + " or t.owner_group_id in (select group_id from group_members where user_id = u.id)"
                        + " or t.owner_user_id in (select ur.user_id from user_roles ur, role_tree rt, user_roles mine"
                        + "    where ur.role_id = rt.descendant_id and rt.ancestor_id = mine.role_id and mine.user_id = u.id))"
                        + " order by t.id")
                .bind("u", username).mapTo(Long.class).list());
    }
}
