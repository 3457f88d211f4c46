package dev.ostium.web;

import io.javalin.http.Context;

/** Writing JSON answers that must never be cached (tokens, errors, introspection results). */
public final class Responses {
    private Responses() {}

    public static void json(Context ctx, int status, String json) {
        ctx.status(status)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .contentType("application/json;charset=UTF-8")
                .result(json);
    }
}
