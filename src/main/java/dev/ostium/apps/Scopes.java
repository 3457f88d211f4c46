package dev.ostium.apps;

import java.util.LinkedHashSet;
import java.util.Set;

/** The scopes this server knows, and parsing of scope strings (RFC 6749 §3.3). */
public final class Scopes {

    public static final String REST_ALL = "rest.all";
    public static final String REST_READ = "rest.all.read";
    public static final String REST_WRITE = "rest.all.write";
    public static final String API = "api";
    public static final String OFFLINE_ACCESS = "offline_access";

    public static final Set<String> KNOWN = Set.of(REST_ALL, REST_READ, REST_WRITE,
            "openid", "profile", "email", OFFLINE_ACCESS, API);

    private Scopes() {}

    /** Splits a space-delimited scope string; an empty or missing string gives an empty set. */
    public static Set<String> parse(String s) {
        Set<String> out = new LinkedHashSet<>();
        if (s == null) return out;
        for (String token : s.split(" ")) {
            if (!token.isEmpty()) out.add(token);
        }
        return out;
    }

    public static String format(Set<String> scopes) {
        return String.join(" ", scopes);
    }

    /** RFC 6749 §3.3 scope-token: printable ASCII except space, quote and backslash. */
    public static boolean wellFormed(String scopeToken) {
        return !scopeToken.isEmpty() && scopeToken.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E));
    }

    public static boolean allowsRead(Set<String> granted) {
        return granted.contains(REST_ALL) || granted.contains(REST_READ) || granted.contains(API);
    }

}
