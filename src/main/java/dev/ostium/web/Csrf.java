package dev.ostium.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cross-site request forgery protection for every page form, before and after login: a random secret in
 * an HttpOnly cookie, and in each form a token derived from it (HMAC-SHA256 of a fixed label under the
 * secret). A POST is accepted only when its {@code csrf} field matches the token of the cookie it came
 * with. Another site can make the browser send the cookie but can neither read it nor the token. Nothing
 * is stored on the server, so any node checks a form rendered by any other.
 */
public final class Csrf {

    public static final String FIELD = "csrf";
    static final String COOKIE = "ostium_csrf";
    private static final String TOKEN_ATTR = "ostium.csrf";
    private static final byte[] LABEL = "ostium page form v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Cookies cookies;

    Csrf(Cookies cookies) {
        this.cookies = cookies;
    }

    /** The token for forms on this page; sets the cookie when the browser has none yet. */
    String token(Context ctx) {
        String cached = ctx.attribute(TOKEN_ATTR);
        if (cached != null) return cached;
        byte[] secret = decode(cookies.read(ctx, COOKIE));
        if (secret == null) {
            secret = new byte[32];
            RANDOM.nextBytes(secret);
            cookies.set(ctx, COOKIE, B64.encodeToString(secret), null, true);
        }
        String token = B64.encodeToString(mac(secret));
        ctx.attribute(TOKEN_ATTR, token);
        return token;
    }

    /**
     * A new secret for this browser, so no form token from before (a sign-in, say) is accepted after it: a
     * secret someone managed to plant in the browser beforehand is worth nothing once the person has signed in.
     */
    void renew(Context ctx) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        cookies.set(ctx, COOKIE, B64.encodeToString(secret), null, true);
        ctx.attribute(TOKEN_ATTR, B64.encodeToString(mac(secret)));
    }

    /** True when the POST carries the token of its own cookie and was not sent by another site. */
    boolean accepts(Context ctx) {
        // Browsers that say so: a form submitted from another site is refused even before the token check.
        if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) return false;
        byte[] secret = decode(cookies.read(ctx, COOKIE));
        List<String> sentOnce = ctx.formParams(FIELD);
        if (secret == null || sentOnce.size() != 1) return false;
        String sent = sentOnce.get(0);
        byte[] expected = B64.encodeToString(mac(secret)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, sent.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] decode(String cookie) {
        if (cookie == null || cookie.length() != 43) return null;
        try {
            return Base64.getUrlDecoder().decode(cookie);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] mac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(LABEL);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
