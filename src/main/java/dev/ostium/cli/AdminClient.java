package dev.ostium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The CLI's way to a running server: its admin JSON API. */
final class AdminClient {

    /** A call the server refused, with its own explanation. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    private final URI server;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    AdminClient(URI server, String credentials) {
        this.server = server;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    JsonNode call(String method, String path, Object body) {
        return send(method, path, body, null);
    }

    /** Sends raw bytes (an icon) with their media type. */
    JsonNode upload(String method, String path, byte[] bytes, String contentType) {
        return send(method, path, bytes, contentType);
    }

    private JsonNode send(String method, String path, Object body, String contentType) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).header("Accept", "application/json")
                    // The admin API takes only JSON for changes, even with an empty body; icons go as images.
                    .header("Content-Type", body instanceof byte[] ? contentType : "application/json");
            if (body instanceof byte[] bytes) {
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
            } else if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = r.body().isEmpty() ? json.nullNode() : json.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new Failure("server answered " + r.statusCode() + ": " + node.path("error_description").asText(node.path("error").asText(r.body())));
            }
            return node;
        } catch (ConnectException e) {
            throw new Failure("no Ostium server at " + server + " (start it with ./ostium, or pass --server)");
        } catch (IOException e) {
            throw new Failure("cannot talk to " + server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    /** One path segment, percent-encoded (template names may hold spaces). */
    static String path(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    String pretty(JsonNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return node.toString();
        }
    }
}
