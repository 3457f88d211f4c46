package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.web.FormBody;

/**
 * RFC 8707 resource indicators: a client may name the resource it wants a token for. This server guards
 * one resource, the business REST API, so its identifier is accepted (it is the audience of every access
 * token) and anything else is {@code invalid_target}.
 */
public final class ResourceIndicator {

    private final String accepted;

    public ResourceIndicator(String accepted) {
        this.accepted = accepted;
    }

    /** @throws OAuthProblem invalid_target when the request names another (or a malformed) resource */
    public void check(FormBody form) {
        String resource = form.get("resource");
        if (!accepts(resource)) throw OAuthProblem.of(OAuth2Error.INVALID_TARGET, refusal());
    }

    /** True for no resource named, or for the one served here. */
    public boolean accepts(String resource) {
        return resource == null || resource.equals(accepted);
    }

    public String refusal() {
        return "the only resource served here is " + accepted;
    }
}
