package dev.ostium.apps;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How an app authenticates at the token endpoint. */
public enum SecretType {
    /** A random 256-bit secret, sent with client_secret_basic or client_secret_post. */
    SECRET_KEY("secret_key"),
    /** A JWT signed with the app's private key (private_key_jwt, RFC 7523). */
    SIGNED_JWT("signed_jwt"),
    /** Public clients prove nothing but PKCE. */
    NONE("none");

    public final String code;

    SecretType(String code) {
        this.code = code;
    }

    public static Optional<SecretType> parse(String s) {
        return s == null ? Optional.empty() : Arrays.stream(values())
                .filter(t -> t.code.equals(s.toLowerCase(Locale.ROOT))).findFirst();
    }
}
