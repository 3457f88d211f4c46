package dev.ostium.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Writing JSON answers that must never be cached (tokens, errors, introspection results). */
public final class Responses {
    private Responses() {}

    public static void json(Context ctx, int status, String json) {
        noStoreJson(ctx, status).result(json);
    }

    private static Context noStoreJson(Context ctx, int status) {
        return ctx.status(status)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .contentType("application/json;charset=UTF-8");
    }

    /**
     * A successful JSON answer written straight to the server's output buffer, for the last step of a hot endpoint
     * (token, introspection): the framework would copy it through a buffer of its own and a compression check that
     * never applies to an answer this small. Nothing may be written to the response after this. Headers set later
     * (the CORS headers of an after-handler) still go out: no length is declared here, which would complete the
     * response as soon as the body is written, and an answer this small stays in the output buffer (32 KiB) until
     * the request ends, when the server declares its length.
     */
    public static void jsonNow(Context ctx, String json) {
        noStoreJson(ctx, 200);
        try {
            ctx.res().getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
