package dev.ostium.web;

import io.javalin.http.Context;
import java.util.Enumeration;

/** Questions about a request's header fields that Javalin's one-value accessors cannot answer. */
public final class RequestHeaders {

    private RequestHeaders() {}

    /**
     * True when a field that holds one value (such as {@code Authorization}, RFC 9110 §11.6.2) came more than
     * once: the accessors would silently read the first.
     */
    public static boolean repeated(Context ctx, String name) {
        Enumeration<String> values = ctx.req().getHeaders(name);
        if (values == null || !values.hasMoreElements()) return false;
        values.nextElement();
        return values.hasMoreElements();
    }
}
