package dev.ostium.oauth;

import dev.ostium.directory.User;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The claims about a person that each scope releases (OpenID Connect Core §5.4), shared by the ID token
 * and the userinfo endpoint. {@code organisation} is the company the business application records.
 */
public final class UserClaims {

    public static final java.util.List<String> SUPPORTED = java.util.List.of("sub", "iss", "aud", "exp", "iat", "auth_time",
            "nonce", "at_hash", "azp", "name", "preferred_username", "organisation", "email", "email_verified");

    private UserClaims() {}

    public static Map<String, Object> released(User user, Set<String> scopes) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (scopes.contains("profile")) {
            c.put("name", user.displayName());
            c.put("preferred_username", user.username());
            if (user.organisation() != null) c.put("organisation", user.organisation());
        }
        if (scopes.contains("email") && user.email() != null) {
            c.put("email", user.email());
            // Addresses are set by the business application's administrators, not claimed by the person.
            c.put("email_verified", true);
        }
        return c;
    }
}
