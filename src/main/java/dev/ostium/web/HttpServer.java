package dev.ostium.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.apps.AppException;
import dev.ostium.oauth.OAuthProblem;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.util.MethodNotAllowedUtil;
import io.javalin.json.JavalinJackson;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin on Jetty with virtual threads, security headers on every answer, and the one
 * place where failures become answers — OAuth errors as RFC 6749 §5.2 JSON, never a stack trace; for a
 * person's browser (a page route, or a request for HTML) the readable error page of {@link Pages}.
 */
public final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** Bodies above this are refused before they are read; endpoints set tighter limits of their own. */
    public static final long MAX_REQUEST_BYTES = 1024 * 1024;

    private final Javalin app;
    private final Pages pages;

    public HttpServer(String host, int port, ObjectMapper json, Pages pages, List<Consumer<RoutesConfig>> features) {
        this.pages = pages;
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.http.prefer405over404 = true;
            // The buffer each answer is copied through, allocated per answer (by default Jetty's whole 32 KiB output
            // buffer): most answers fit in 4 KiB, and a bigger one is copied in more steps into the same output buffer.
            config.http.responseBufferSize = 4096;
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(json, true));
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new ServerErrors()));
            RoutesConfig routes = config.routes;
            routes.before(this::securityHeaders);
            routes.before(HttpServer::knownCharset);
            pages.routes(routes);
            features.forEach(f -> f.accept(routes));
            routes.exception(OAuthProblem.class, HttpServer::oauthProblem);
            routes.exception(AppException.class, HttpServer::appProblem);
            routes.exception(TryLater.class, (e, ctx) -> {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds));
                error(ctx, e.status, "temporarily_unavailable", e.getMessage());
            });
            routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (wantsHtml(ctx) && !ctx.path().startsWith("/admin/api/")) {
                    pages.error(ctx, e.getStatus(), Pages.statusTitle(e.getStatus()),
                            e.getStatus() == 404 ? "error.not_found.message" : "error.generic.message");
                } else {
                    error(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage());
                }
            });
            routes.exception(Exception.class, (e, ctx) -> {
                Optional<HttpException> bad = badRequestCause(e);
                if (bad.isPresent()) {
                    // The HTTP layer could not read what was sent (a broken multipart body, say): the sender's fault.
                    log.info("bad request on {} {}: {}", ctx.method(), ctx.path(), bad.get().getReason());
                    ctx.header("Connection", "close"); // what is left of the body cannot be read past
                    if (wantsHtml(ctx) || Pages.isPage(ctx)) pages.error(ctx, 400, Pages.statusTitle(400), "error.generic.message");
                    else error(ctx, 400, "invalid_request", "the request body could not be read: " + bad.get().getReason());
                    return;
                }
                if (unstorableText(e)) {
                    // Text the database cannot hold (PostgreSQL: a NUL character) reached a query the checks at the
                    // door did not guard: the sender's input, not a fault of ours, and nothing was stored.
                    log.info("bad request on {} {}: text the database cannot store", ctx.method(), ctx.path());
                    if (wantsHtml(ctx) || Pages.isPage(ctx)) pages.error(ctx, 400, Pages.statusTitle(400), "error.generic.message");
                    else error(ctx, 400, "invalid_request", "the request holds a character that cannot be stored");
                    return;
                }
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                if (Pages.isPage(ctx)) pages.error(ctx, 500, "error.server.title", "error.server.message");
                else error(ctx, 500, "server_error", "the server could not complete the request");
            });
            routes.error(404, ctx -> {
                // an endpoint's own 404 (already written as JSON or a page) stays as it is
                String type = ctx.res().getContentType();
                boolean html = type != null && type.contains("html");
                // Among the pages for people an unknown path is a page too, whatever the client asked for.
                if (underPages(ctx.path()) && !html) {
                    pages.error(ctx, 404, "error.not_found.title", "error.not_found.message");
                    return;
                }
                if (ctx.result() != null && !ctx.result().isEmpty() && type != null && (type.contains("json") || html)) return;
                if (wantsHtml(ctx)) pages.error(ctx, 404, "error.not_found.title", "error.not_found.message");
                else error(ctx, 404, "not_found", "no such endpoint");
            });
            routes.error(405, this::methodNotAllowed);
        });
    }

    /** SQLSTATE class 22 "character not in repertoire" or "untranslatable character", anywhere in the causes. */
    private static boolean unstorableText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()))) return true;
        }
        return false;
    }

    /** RFC 9110 §15.5.6: a 405 names the methods the resource does accept. */
    private void methodNotAllowed(Context ctx) {
        String allow = MethodNotAllowedUtil.INSTANCE.findAvailableHttpHandlerTypes(app.unsafe.internalRouter, ctx.path())
                .stream().map(Object::toString).filter(m -> m.chars().allMatch(Character::isUpperCase)).distinct()
                .collect(java.util.stream.Collectors.joining(", "));
        ctx.header("Allow", allow);
        if (wantsHtml(ctx)) pages.error(ctx, 405, "error.method.title", "error.generic.message");
        else error(ctx, 405, "invalid_request", "this endpoint does not accept " + ctx.method() + (allow.isEmpty() ? "" : "; it accepts " + allow));
    }

    public void start() {
        app.start();
    }

    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }

    /** A 4xx the HTTP layer raised while reading the request, wherever it is in the chain of causes. */
    private static Optional<HttpException> badRequestCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) return Optional.of(h);
            if (t.getCause() == t) break;
        }
        return Optional.empty();
    }

    /** Paths where only pages for people live: an unknown one there is a page too, whatever was asked for. */
    private static boolean underPages(String path) {
        return path.startsWith("/account/") || (path.startsWith("/admin/") && !path.startsWith("/admin/api/"));
    }

    /** A person's browser asking for a page (API clients do not ask for HTML). */
    private static boolean wantsHtml(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/html");
    }

    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
            "Referrer-Policy", "no-referrer");

    private void securityHeaders(Context ctx) {
        SECURITY_HEADERS.forEach(ctx::header);
        // Served as https (the issuer says so, wherever TLS ends): browsers are to come back by https only.
        if (pages.cookies().secure()) ctx.header("Strict-Transport-Security", "max-age=31536000");
    }

    /**
     * The pages the HTTP layer writes itself, for requests that never reach an endpoint (a URI or header
     * block too long, a malformed request line or Host): the same security headers as every other answer.
     */
    private static final class ServerErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            SECURITY_HEADERS.forEach((name, value) -> response.getHeaders().put(name, value));
            return super.handle(request, response, callback);
        }

        /** Every refusal says why, whatever the method (the HTTP layer's default writes bodies for GET and POST only). */
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        /** Programs (the OAuth endpoints but the three pages, the admin and REST APIs, metadata) get error JSON. */
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                        Callback callback) throws java.io.IOException {
            String path = Request.getPathInContext(request);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, forPrograms(path) ? json(code, message, response.getHeaders()) : page(code, response.getHeaders()),
                    callback);
        }

        /**
         * For a person: a small page of our own, not the HTTP layer's (the request never reached the pages, so
         * it knows no language but English and no stylesheet).
         */
        private static ByteBuffer page(int status, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
            String title = status >= 500 ? "Something went wrong" : status == 404 ? "Page not found" : "This request cannot be answered";
            String html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + title
                    + " · Ostium</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<p>Error " + status
                    + ". Check the address, or <a href=\"/\">go to the start page</a>.</p>\n</body>\n</html>\n";
            return ByteBuffer.wrap(html.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        private static boolean forPrograms(String path) {
            if (path == null) return false;
            if (path.equals("/oauth2/authorize") || path.startsWith("/oauth2/consent") || path.startsWith("/oauth2/logout")) return false;
            return path.startsWith("/oauth2/") || path.startsWith("/admin/api/") || path.startsWith("/restapi/")
                    || path.startsWith("/.well-known/");
        }

        private static ByteBuffer json(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
            // A failure of the server says only that: never what an exception said.
            boolean server = status >= 500;
            String description = server || reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
            String json = new net.minidev.json.JSONObject(Map.of("error", server ? "server_error" : "invalid_request",
                    "error_description", OAuthProblem.printable(description))).toJSONString();
            return ByteBuffer.wrap(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        /**
         * A request that could not even be read (URI or headers too long, a broken request line) says nothing
         * of who sent it; most such senders are programs, so the answer is OAuth-shaped error JSON.
         */
        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            SECURITY_HEADERS.forEach(fields::put);
            fields.put(HttpHeader.CACHE_CONTROL, "no-store");
            return json(status, reason, fields);
        }
    }

    /**
     * A body declared in a character set this JVM does not know cannot be read, and the servlet layer fails on
     * it wherever the request's parameters or content type are asked for: refused here, before any endpoint,
     * as a 400 in the endpoint's own shape (a page for a person, error JSON otherwise).
     */
    private static void knownCharset(Context ctx) {
        String type = ctx.header("Content-Type");
        // The same parse of the header that the servlet layer makes later.
        String name = type == null ? null : MimeTypes.getCharsetFromContentType(type);
        if (name == null) return;
        boolean known;
        try {
            known = Charset.isSupported(name);
        } catch (IllegalCharsetNameException e) {
            known = false;
        }
        if (!known) throw new BadRequestResponse("the Content-Type names a character set this server does not know");
    }

    private static void oauthProblem(OAuthProblem p, Context ctx) {
        if (p.status() == 401) ctx.header("WWW-Authenticate", "Basic realm=\"ostium\", charset=\"UTF-8\"");
        Responses.json(ctx, p.status(), p.error.toJSONObject().toJSONString());
    }

    private static void appProblem(AppException e, Context ctx) {
        switch (e.kind) {
            case NOT_FOUND -> error(ctx, 404, "not_found", e.getMessage());
            default -> error(ctx, 400, "invalid_request", e.getMessage());
        }
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 413 -> "invalid_request";
            default -> status >= 500 ? "server_error" : "invalid_request";
        };
    }

    /** The JSON error shape of every non-OAuth endpoint: the same two fields as RFC 6749 §5.2. */
    public static void error(Context ctx, int status, String code, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        if (description != null) body.put("error_description", description);
        ctx.status(status).header("Cache-Control", "no-store").json(body);
    }
}
