package dev.ostium.restapi;

import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.RequestHeaders;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.regex.Pattern;

/** RFC 6750 on our resource server: find the bearer token, decide, and answer failures with the right header. */
public final class BearerToken {

    /** RFC 6750 §2.1's b64token. */
    private static final Pattern B64_TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    /** A failed check, carrying the status and the WWW-Authenticate challenge to send. */
    public static final class Rejected extends RuntimeException {
        public final int status;
        public final String challenge;
        public final String error;

        Rejected(int status, String error, String description, String scope, String resourceMetadata) {
            super(description, null, false, false);
            this.status = status;
            this.error = error;
            StringBuilder c = new StringBuilder("Bearer realm=\"ostium\"");
            if (error != null) c.append(", error=\"").append(error).append('"');
            if (description != null) c.append(", error_description=\"").append(description).append('"');
            if (scope != null) c.append(", scope=\"").append(scope).append('"');
            // RFC 9728 §5.1: tell the client where this resource's metadata (and so its authorization server) is.
            if (resourceMetadata != null) c.append(", resource_metadata=\"").append(resourceMetadata).append('"');
            this.challenge = c.toString();
        }
    }

    private final AccessTokens tokens;
    private final String resourceMetadata;

    public BearerToken(AccessTokens tokens, String resourceMetadata) {
        this.tokens = tokens;
        this.resourceMetadata = resourceMetadata;
    }

    public AccessTokens.Active require(Context ctx) {
        String header = ctx.header("Authorization");
        // §3.1: one way of presenting the token, once.
        if (RequestHeaders.repeated(ctx, "Authorization")) {
            throw new Rejected(400, "invalid_request", "the Authorization header is sent more than once", null, null);
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // §3.1: a request without a bearer token gets a bare challenge, no error code.
            throw new Rejected(401, null, null, null, resourceMetadata);
        }
        String token = header.substring(7).trim();
        if (!B64_TOKEN.matcher(token).matches()) {
            throw new Rejected(401, "invalid_token", "the access token is malformed", null, resourceMetadata);
        }
        Optional<AccessTokens.Active> active = tokens.validate(token);
        return active.orElseThrow(() -> new Rejected(401, "invalid_token", "the access token is invalid, expired or revoked",
                null, resourceMetadata));
    }

    public Rejected insufficientScope(String needed) {
        return new Rejected(403, "insufficient_scope", "the token lacks the scope this call needs", needed, null);
    }
}
