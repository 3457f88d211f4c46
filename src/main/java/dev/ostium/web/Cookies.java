package dev.ostium.web;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * The cookies of the pages: always {@code Path=/}, {@code SameSite=Lax}, and {@code Secure} with the
 * {@code __Host-} name prefix when the issuer is https, so that no other host (not even a sibling
 * subdomain) can set or overwrite them.
 */
public final class Cookies {

    private final boolean secure;

    public Cookies(boolean secure) {
        this.secure = secure;
    }

    public boolean secure() {
        return secure;
    }

    /** The name as sent: {@code __Host-name} over https. */
    public String name(String base) {
        return secure ? "__Host-" + base : base;
    }

    public String read(Context ctx, String base) {
        return ctx.cookie(name(base));
    }

    /** @param maxAge null for a cookie that ends with the browser session */
    public void set(Context ctx, String base, String value, Duration maxAge, boolean httpOnly) {
        StringBuilder c = new StringBuilder(name(base)).append('=').append(value).append("; Path=/");
        if (maxAge != null) c.append("; Max-Age=").append(maxAge.toSeconds());
        if (httpOnly) c.append("; HttpOnly");
        if (secure) c.append("; Secure");
        c.append("; SameSite=Lax");
        ctx.res().addHeader("Set-Cookie", c.toString());
    }

    public void clear(Context ctx, String base) {
        ctx.res().addHeader("Set-Cookie", name(base) + "=; Path=/; Max-Age=0; HttpOnly" + (secure ? "; Secure" : "")
                + "; SameSite=Lax");
    }
}
