package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;

/**
 * A protocol failure on its way to the client as an RFC 6749 §5.2 error response. Thrown anywhere in
 * the protocol code and turned into JSON in one place.
 */
public final class OAuthProblem extends RuntimeException {

    public final ErrorObject error;

    private OAuthProblem(ErrorObject error) {
        super(error.getCode() + ": " + error.getDescription(), null, false, false);
        this.error = error;
    }

    public static OAuthProblem of(ErrorObject base, String description) {
        return new OAuthProblem(base.setDescription(printable(description)));
    }

    public static OAuthProblem invalidRequest(String description) {
        return of(OAuth2Error.INVALID_REQUEST, description);
    }

    /**
     * A 401 (RFC 6749 §5.2): it names the scheme the server accepts in the header, {@code Basic}, whichever
     * way the client tried (RFC 9110 §15.5.2: every 401 carries a challenge).
     */
    public static OAuthProblem invalidClient(String description) {
        return of(OAuth2Error.INVALID_CLIENT, description);
    }

    public int status() {
        return error.getHTTPStatusCode() == 0 ? 400 : error.getHTTPStatusCode();
    }

    /** error_description allows only printable ASCII without '"' and '\' (RFC 6749 §5.2). */
    public static String printable(String s) {
        if (s == null) return null;
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
        }
        return sb.length() > 300 ? sb.substring(0, 300) : sb.toString();
    }
}
