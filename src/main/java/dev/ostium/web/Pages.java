package dev.ostium.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages a person sees: server-rendered HTML from precompiled JTE templates, in English or Italian,
 * safe to show (CSP, no framing, no caching) and with every form protected against CSRF.
 *
 * <h2>For a feature that adds pages</h2>
 * <pre>{@code
 * // routes: GET shows, POST changes state then redirects (post/redirect/get)
 * pages.get(routes, "/account/things", ctx -> pages.render(ctx, "account/things.jte", new ThingsView(...)));
 * pages.post(routes, "/account/things", ctx -> {      // the CSRF token was already checked here
 *     things.add(ctx.formParam("name"));
 *     pages.redirect(ctx, "/account/things");         // 303 See Other
 * });
 * throw PageProblem.forbidden("console.admins_only"); // from any handler: the readable error page
 * pages.error(ctx, 400, "oauth.error.title", "oauth.error.unknown_client", clientId); // or directly
 * }</pre>
 *
 * <ul>
 * <li><b>Templates</b> live under {@code src/main/jte/<feature>/}; each declares exactly
 *     {@code @param dev.ostium.web.Page page} and {@code @param <YourView> view}, and wraps its body in
 *     {@code @template.web.layout(page = page, title = ..., content = @`...`)}. In forms put
 *     {@code @template.web.csrf(page = page)}. Strings: {@code ${page.t("key", arg)}}.</li>
 * <li><b>Strings</b> go in {@code src/main/resources/dev/ostium/<feature>/messages_en.properties} and
 *     {@code messages_it.properties}; the bundle is listed once where the node is wired ({@code Ostium}).</li>
 * <li><b>Language</b>: {@code ?lang=it} on any page (remembered in a cookie), else that cookie, else a
 *     hint a handler gives with {@link #preferLanguages} (e.g. OpenID Connect {@code ui_locales}), else
 *     {@code Accept-Language}, else English.</li>
 * <li><b>Headers</b> on every page: a CSP without scripts ({@code default-src 'none'; style-src 'self';
 *     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'}), {@code X-Frame-Options: DENY},
 *     {@code Cache-Control: no-store}. A page whose form POST ends in a redirect to another site (a
 *     consent answer going back to a client) must name that target with {@link #allowFormAction}:
 *     browsers apply {@code form-action} to the redirects after a submission too.</li>
 * <li><b>Posting to another site</b> ({@code response_mode=form_post}): {@link #autoPost} renders a form
 *     that submits itself (with a button for browsers without JavaScript).</li>
 * </ul>
 */
public final class Pages {

    private static final Logger log = LoggerFactory.getLogger(Pages.class);
    private static final String LANG_COOKIE = "ostium_lang";
    private static final String PAGE_ATTR = "ostium.page";
    private static final String HINT_ATTR = "ostium.languageHint";
    private static final String FORM_ACTION_ATTR = "ostium.formAction";
    private static final String SCRIPTS_ATTR = "ostium.scripts";
    private static final String SAME_PAGE_ATTR = "ostium.samePage";
    private static final String ONCE_ATTR = "ostium.shownOnce";
    private static final Map<String, String> ASSETS = Map.of(
            "ostium.css", "text/css; charset=UTF-8",
            "autopost.js", "text/javascript; charset=UTF-8",
            "copy.js", "text/javascript; charset=UTF-8");

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);
    private final Messages messages;
    private final Cookies cookies;
    private final Csrf csrf;
    private final Map<String, byte[]> assets = new HashMap<>();
    private volatile Function<Context, Optional<String>> signedInName = ctx -> Optional.empty();

    public Pages(Messages messages, Cookies cookies) {
        this.messages = messages;
        this.cookies = cookies;
        this.csrf = new Csrf(cookies);
        ASSETS.keySet().forEach(name -> assets.put(name, resource("assets/" + name)));
    }

    public Messages messages() {
        return messages;
    }

    public Cookies cookies() {
        return cookies;
    }

    /** Who is signed in, for the page header (the login feature tells; the core knows no session). */
    public void showSignedInPersonWith(Function<Context, Optional<String>> displayName) {
        this.signedInName = displayName;
    }

    /** The stylesheet and the one script, served by us (no CDN). */
    public void routes(RoutesConfig r) {
        r.get("/assets/{name}", ctx -> {
            String name = ctx.pathParam("name");
            byte[] body = assets.get(name);
            if (body == null) throw new io.javalin.http.NotFoundResponse("no such asset");
            ctx.header("Cache-Control", "public, max-age=3600").contentType(ASSETS.get(name)).result(body);
        });
    }

    // ---- routes ---------------------------------------------------------------------------------

    /** A page shown by GET. */
    public void get(RoutesConfig r, String path, Handler handler) {
        r.get(path, ctx -> run(ctx, handler));
    }

    /** A page form's POST: refused with 403 unless it carries this browser's CSRF token. */
    public void post(RoutesConfig r, String path, Handler handler) {
        r.post(path, ctx -> run(ctx, c -> {
            if (!csrf.accepts(c)) {
                // the refused form's page spoke the languages its request asked for (ui_locales): so does the refusal
                preferLanguages(c, c.formParam("ui_locales"));
                throw new PageProblem(403, "error.csrf.title", "error.csrf.message");
            }
            handler.handle(c);
        }));
    }

    /**
     * A POST that comes from another site by design — an OAuth authorization or logout request sent by a
     * client's page — so it cannot carry our CSRF token. Its handler must treat it exactly like the GET.
     */
    public void postFromAnotherSite(RoutesConfig r, String path, Handler handler) {
        r.post(path, ctx -> run(ctx, handler));
    }

    private void run(Context ctx, Handler handler) throws Exception {
        ctx.attribute(PAGE_ATTR, Boolean.TRUE);
        headers(ctx);
        try {
            handler.handle(ctx);
        } catch (PageProblem p) {
            error(ctx, p.status, p.titleKey, p.messageKey, p.args());
        } catch (TryLater later) {
            ctx.header("Retry-After", Long.toString(later.retryAfterSeconds));
            error(ctx, later.status, later.status == 429 ? "error.too_many.title" : "error.busy.title",
                    later.retryAfterSeconds == 1 ? "error.try_later.message_one" : "error.try_later.message", later.retryAfterSeconds);
        } catch (HttpResponseException e) {
            error(ctx, e.getStatus(), statusTitle(e.getStatus()), "error.generic.message");
        }
    }

    /** True for requests being answered by a page handler (the server's error mapping asks). */
    static boolean isPage(Context ctx) {
        return ctx.attribute(PAGE_ATTR) != null;
    }

    // ---- answers --------------------------------------------------------------------------------

    public void render(Context ctx, String template, Object view) {
        render(ctx, 200, template, view);
    }

    public void render(Context ctx, int status, String template, Object view) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", page(ctx));
        params.put("view", view);
        StringOutput out = new StringOutput();
        engine.render(template, params, out);
        headers(ctx);
        ctx.status(status).contentType("text/html; charset=UTF-8").result(out.toString());
    }

    /** The readable error page: a status, a title and a message (message-bundle keys, with arguments). */
    public void error(Context ctx, int status, String titleKey, String messageKey, Object... args) {
        Page page = page(ctx);
        render(ctx, status, "web/error.jte", new ErrorView(status, page.t(titleKey), page.t(messageKey, args)));
    }

    /** The error page's view. */
    public record ErrorView(int status, String title, String message) {}

    /** Form tokens from before this answer are no longer accepted (at sign-in). */
    public void renewFormTokens(Context ctx) {
        csrf.renew(ctx);
    }

    /** Post/redirect/get: 303 See Other to a path of ours or a URL the caller has checked. */
    public void redirect(Context ctx, String location) {
        ctx.header("Cache-Control", "no-store");
        ctx.redirect(location, HttpStatus.SEE_OTHER);
    }

    /**
     * A page that POSTs the fields to another site at once (a self-submitting form; a button when
     * JavaScript is off). The target is added to this answer's {@code form-action}.
     */
    public void autoPost(Context ctx, URI action, Map<String, String> fields) {
        allowFormAction(ctx, action);
        ctx.attribute(SCRIPTS_ATTR, Boolean.TRUE);
        List<Field> list = new ArrayList<>();
        fields.forEach((k, v) -> list.add(new Field(k, v)));
        render(ctx, "web/autopost.jte", new AutoPostView(action.toString(), list));
    }

    public record Field(String name, String value) {}

    public record AutoPostView(String action, List<Field> fields) {}

    /**
     * Lets this page load our own scripts ({@code /assets/*.js}, never inline): for conveniences such as a
     * copy button, on pages that work without them too.
     */
    public void allowScripts(Context ctx) {
        ctx.attribute(SCRIPTS_ATTR, Boolean.TRUE);
        headers(ctx);
    }

    /**
     * A page that cannot be shown twice (a secret shown once): no language links, whose GET of the same
     * address would find it gone.
     */
    public void shownOnce(Context ctx) {
        ctx.attribute(ONCE_ATTR, Boolean.TRUE);
    }

    /**
     * For a page answered to a POST: the local address (path and query) that shows the same page by GET, for
     * its language links. Without one, such a page has none.
     */
    public void sameAs(Context ctx, String localAddress) {
        ctx.attribute(SAME_PAGE_ATTR, localAddress);
    }

    /** Lets this answer's forms (and the redirects after them) go to the target's origin. */
    public void allowFormAction(Context ctx, URI target) {
        Set<String> sources = ctx.attribute(FORM_ACTION_ATTR);
        if (sources == null) sources = new LinkedHashSet<>();
        sources.add(source(target));
        ctx.attribute(FORM_ACTION_ATTR, sources);
        headers(ctx);
    }

    /** A CSP source for a URL: its origin, or its scheme alone for a private-use scheme (native apps). */
    static String source(URI target) {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.matches("[a-z][a-z0-9+.-]*")) throw new IllegalArgumentException("not an absolute URL: " + target);
        if (target.getRawAuthority() == null) return scheme + ":";
        String host = target.getHost() == null ? target.getRawAuthority() : target.getHost();
        if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        return scheme + "://" + host + (target.getPort() >= 0 ? ":" + target.getPort() : "");
    }

    private void headers(Context ctx) {
        Set<String> formAction = ctx.attribute(FORM_ACTION_ATTR);
        StringBuilder csp = new StringBuilder("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'");
        if (formAction != null) formAction.forEach(s -> csp.append(' ').append(s));
        if (ctx.attribute(SCRIPTS_ATTR) != null) csp.append("; script-src 'self'");
        csp.append("; frame-ancestors 'none'; base-uri 'none'");
        ctx.header("Content-Security-Policy", csp.toString());
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
    }

    // ---- language -----------------------------------------------------------------------------

    /** A language preference from the request itself (OpenID Connect {@code ui_locales}, space-separated). */
    public void preferLanguages(Context ctx, String languageTags) {
        if (languageTags == null || languageTags.isBlank()) return;
        for (String tag : languageTags.trim().split("\\s+")) {
            Locale l = Locale.forLanguageTag(tag);
            for (Locale s : Messages.SUPPORTED) {
                if (s.getLanguage().equals(l.getLanguage())) {
                    ctx.attribute(HINT_ATTR, s);
                    return;
                }
            }
        }
    }

    public Locale locale(Context ctx) {
        Locale chosen = ctx.attribute("ostium.locale");
        if (chosen != null) return chosen;
        String asked = ctx.queryParam("lang");
        Optional<Locale> explicit = exactly(asked);
        if (explicit.isPresent()) {
            cookies.set(ctx, LANG_COOKIE, explicit.get().getLanguage(), Duration.ofDays(365), true);
            chosen = explicit.get();
        } else {
            chosen = exactly(cookies.read(ctx, LANG_COOKIE))
                    .or(() -> Optional.ofNullable(ctx.<Locale>attribute(HINT_ATTR)))
                    .orElseGet(() -> fromAcceptLanguage(ctx.header("Accept-Language")));
        }
        ctx.attribute("ostium.locale", chosen);
        return chosen;
    }

    private static Optional<Locale> exactly(String tag) {
        if (tag == null) return Optional.empty();
        return Messages.SUPPORTED.stream().filter(l -> l.getLanguage().equals(tag)).findFirst();
    }

    static Locale fromAcceptLanguage(String header) {
        if (header == null || header.isBlank()) return Messages.ENGLISH;
        try {
            Locale l = Locale.lookup(Locale.LanguageRange.parse(header), Messages.SUPPORTED);
            return l == null ? Messages.ENGLISH : l;
        } catch (IllegalArgumentException e) {
            return Messages.ENGLISH;
        }
    }

    // ---- the page record ------------------------------------------------------------------------

    public Page page(Context ctx) {
        Locale locale = locale(ctx);
        List<Page.LanguageLink> links = new ArrayList<>();
        // A page answered to a POST has no address of its own to show again in another language: only the one
        // its handler names (sameAs), else no links at all (a GET of a POST-only path would lose the answer).
        String same = sameAddress(ctx);
        if (same != null) {
            int q = same.indexOf('?');
            StringBuilder kept = new StringBuilder(q < 0 ? same : same.substring(0, q)).append('?');
            for (String part : q < 0 ? new String[0] : same.substring(q + 1).split("&")) {
                if (part.isEmpty() || part.startsWith("lang=") || part.equals("lang")) continue;
                if (!FormBody.wellFormed(part.getBytes(StandardCharsets.UTF_8))) continue; // a link carries no bad escape
                kept.append(part).append('&');
            }
            for (Locale l : Messages.SUPPORTED) {
                String href = kept + "lang=" + URLEncoder.encode(l.getLanguage(), StandardCharsets.UTF_8);
                links.add(new Page.LanguageLink(l.getLanguage(), messages.text(l, "language.name"), href,
                        l.getLanguage().equals(locale.getLanguage())));
            }
        }
        String name;
        try {
            name = signedInName.apply(ctx).orElse(null);
        } catch (RuntimeException e) {
            log.warn("could not tell who is signed in: {}", e.toString());
            name = null;
        }
        return new Page(locale, messages, csrf.token(ctx), links, name);
    }

    /** The local address that shows this page again by GET (its language links' base), or null for none. */
    private static String sameAddress(Context ctx) {
        if (ctx.attribute(ONCE_ATTR) != null) return null;
        if (!"GET".equals(ctx.method().name())) return ctx.attribute(SAME_PAGE_ATTR);
        return ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    }

    static String statusTitle(int status) {
        return switch (status) {
            case 400 -> "error.bad_request.title";
            case 403 -> "error.forbidden.title";
            case 404 -> "error.not_found.title";
            case 405 -> "error.method.title";
            case 429 -> "error.too_many.title";
            default -> status >= 500 ? "error.server.title" : "error.bad_request.title";
        };
    }

    private static byte[] resource(String name) {
        try (InputStream in = Pages.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
