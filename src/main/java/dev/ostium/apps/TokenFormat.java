package dev.ostium.apps;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The shape of the access tokens an app receives. */
public enum TokenFormat {
    /** A random 256-bit string, stored only as its SHA-256 digest; validated by introspection or our API. */
    OPAQUE("opaque"),
    /** An RFC 9068 JWT signed by the server, for resource servers that validate offline. */
    JWT("jwt");

    public final String code;

    TokenFormat(String code) {
        this.code = code;
    }

    public static Optional<TokenFormat> parse(String s) {
        return s == null ? Optional.empty() : Arrays.stream(values())
                .filter(t -> t.code.equals(s.toLowerCase(Locale.ROOT))).findFirst();
    }
}
