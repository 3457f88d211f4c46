package dev.ostium.web;

import dev.ostium.oauth.OAuthProblem;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A strictly read application/x-www-form-urlencoded body, as the OAuth endpoints require: right media
 * type, bounded size, well-formed encoding, and no parameter sent twice (RFC 6749 §3.2).
 */
public final class FormBody {

    public static final int MAX_BYTES = 64 * 1024;

    private final Map<String, String> params;
    private final String address;

    private FormBody(Map<String, String> params, String address) {
        this.params = params;
        this.address = address;
    }

    public static FormBody read(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().split(";")[0].trim().equals("application/x-www-form-urlencoded")) {
            throw OAuthProblem.invalidRequest("the body must be application/x-www-form-urlencoded");
        }
        if (!ctx.queryParamMap().isEmpty()) {
            throw OAuthProblem.invalidRequest("parameters belong in the body, not the query string");
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BYTES) throw OAuthProblem.invalidRequest("the body is larger than " + MAX_BYTES + " bytes");
        return parse(new String(raw, StandardCharsets.UTF_8), ctx.ip());
    }

    static FormBody parse(String body, String address) {
        Map<String, String> out = new HashMap<>();
        if (body.isEmpty()) return new FormBody(out, address);
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.putIfAbsent(name, value) != null) {
                throw OAuthProblem.invalidRequest("parameter '" + name + "' is sent more than once");
            }
        }
        return new FormBody(out, address);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthProblem.invalidRequest("the body is not valid form encoding");
        }
    }

    public String get(String name) {
        String v = params.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The address the request came from, for throttling failures per sender. */
    public String address() {
        return address;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** The parameters in the multi-valued shape the Nimbus parsers take. */
    public Map<String, List<String>> asMultiMap() {
        Map<String, List<String>> m = new HashMap<>();
        params.forEach((k, v) -> {
            if (!v.isEmpty()) m.put(k, List.of(v));
        });
        return m;
    }
}
