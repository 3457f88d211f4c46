package dev.ostium.apps;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What kind of software the app is, which decides how it proves itself and which grants it may use. */
public enum ClientType {
    /** Server-to-server, no person present, bound to one business user. */
    SERVICE("service", "Service account"),
    /** Confidential web application: authorization code + secret (or signed JWT), PKCE accepted. */
    WEB("web", "Web application"),
    /** Public native app: authorization code + PKCE S256, no secret; loopback redirects may vary the port. */
    NATIVE("native", "Native app"),
    /** Public single-page app: authorization code + PKCE S256, no secret. */
    SPA("spa", "Single-page app");

    public final String code;
    public final String label;

    ClientType(String code, String label) {
        this.code = code;
        this.label = label;
    }

    public boolean publicClient() {
        return this == NATIVE || this == SPA;
    }

    public static Optional<ClientType> parse(String s) {
        return s == null ? Optional.empty() : Arrays.stream(values())
                .filter(t -> t.code.equals(s.toLowerCase(Locale.ROOT))).findFirst();
    }
}
