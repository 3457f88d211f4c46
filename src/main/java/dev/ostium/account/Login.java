package dev.ostium.account;

import dev.ostium.directory.LoginSession;
import dev.ostium.directory.LoginSessions;
import dev.ostium.directory.User;
import dev.ostium.web.Cookies;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The person's login as the HTTP side sees it: the session cookie, the current session of a request,
 * and the way to the login page. This is what other features (the authorization endpoint, the consent
 * screen, the console) use:
 *
 * <pre>{@code
 * Optional<LoginSession> s = login.current(ctx);           // live session: user id, username, auth_time, sid
 * if (s.isEmpty()) { login.redirectToLogin(ctx, "/oauth2/authorize?" + ctx.queryString(), false, hint); return; }
 * // prompt=login, or max_age exceeded by s.get().authTime(): ask for the password again
 * login.redirectToLogin(ctx, returnTo, true, s.get().username());
 * }</pre>
 *
 * The login page sends the person back to {@code returnTo} (a local path; anything else is replaced by
 * {@code /account/}) with a fresh session. After a forced login the return path is visited again as it
 * was, so it must not ask for a forced login again: drop {@code prompt=login} from it, or compare the
 * session's {@code authTime} with the moment the request was first seen.
 */
public final class Login {

    static final String COOKIE = "ostium_session";
    /** The login page's parameter for signing in as another person: no name filled in, a notice saying so. */
    static final String ANOTHER = "another";
    private static final String ATTR = "ostium.loginSession";

    private final LoginSessions sessions;
    private final Cookies cookies;
    private final List<Function<String, Optional<URI>>> onward = new CopyOnWriteArrayList<>();

    public Login(LoginSessions sessions, Cookies cookies) {
        this.sessions = sessions;
        this.cookies = cookies;
    }

    /** The request's live login session (read once per request). */
    public Optional<LoginSession> current(Context ctx) {
        Optional<LoginSession> cached = ctx.attribute(ATTR);
        if (cached != null) return cached;
        Optional<LoginSession> s = sessions.current(cookies.read(ctx, COOKIE));
        ctx.attribute(ATTR, s);
        return s;
    }

    /** The login page's address. @param forceLogin ask for the password even with a live session */
    public static String loginUrl(String returnTo, boolean forceLogin, String loginHint) {
        return loginUrl(returnTo, forceLogin, loginHint, null);
    }

    /** @param uiLocales the languages the page should speak if it can (OpenID Connect {@code ui_locales}), or null */
    public static String loginUrl(String returnTo, boolean forceLogin, String loginHint, String uiLocales) {
        StringBuilder url = new StringBuilder("/account/login");
        char sep = '?';
        if (returnTo != null) {
            url.append(sep).append("return_to=").append(URLEncoder.encode(returnTo, StandardCharsets.UTF_8));
            sep = '&';
        }
        if (forceLogin) {
            url.append(sep).append("prompt=login");
            sep = '&';
        }
        if (loginHint != null && !loginHint.isBlank()) {
            url.append(sep).append("login_hint=").append(URLEncoder.encode(loginHint, StandardCharsets.UTF_8));
            sep = '&';
        }
        if (uiLocales != null && !uiLocales.isBlank()) {
            url.append(sep).append("ui_locales=").append(URLEncoder.encode(uiLocales, StandardCharsets.UTF_8));
        }
        return url.toString();
    }

    /**
     * A feature whose return paths may send the person on to another site once signed in (the authorization
     * endpoint: to the app's redirect URI) says where, given a return path. Browsers hold every redirect after
     * a form is sent to the form page's {@code form-action}, so the login page must name that place.
     */
    public void leadsOnWith(Function<String, Optional<URI>> whereTo) {
        onward.add(whereTo);
    }

    /** Where, off this server, coming back to {@code returnTo} may send the person at once. */
    public Optional<URI> onward(String returnTo) {
        for (Function<String, Optional<URI>> f : onward) {
            Optional<URI> there = f.apply(returnTo);
            if (there.isPresent()) return there;
        }
        return Optional.empty();
    }

    /** The login page for signing in as someone other than the person signed in now, then back to {@code returnTo}. */
    public static String anotherPersonUrl(String returnTo, String uiLocales) {
        return loginUrl(returnTo, true, null, uiLocales) + "&" + ANOTHER;
    }

    /** Sends the person to the login page (303), to come back to {@code returnTo} afterwards. */
    public void redirectToLogin(Context ctx, String returnTo, boolean forceLogin, String loginHint) {
        redirectToLogin(ctx, returnTo, forceLogin, loginHint, null);
    }

    /** As above, with the languages the login page should speak if it can (OpenID Connect {@code ui_locales}). */
    public void redirectToLogin(Context ctx, String returnTo, boolean forceLogin, String loginHint, String uiLocales) {
        ctx.header("Cache-Control", "no-store");
        ctx.redirect(loginUrl(returnTo, forceLogin, loginHint, uiLocales), HttpStatus.SEE_OTHER);
    }

    /** Starts a new session for this browser, ending the one it had (a new id at every login). */
    LoginSession begin(Context ctx, User user) {
        sessions.end(cookies.read(ctx, COOKIE));
        LoginSessions.Started started = sessions.start(user);
        cookies.set(ctx, COOKIE, started.secret(), null, true);
        ctx.attribute(ATTR, Optional.of(started.session()));
        return started.session();
    }

    /** Ends this browser's session and removes the cookie (logout, and RP-initiated logout). */
    public void end(Context ctx) {
        sessions.end(cookies.read(ctx, COOKIE));
        cookies.clear(ctx, COOKIE);
        ctx.attribute(ATTR, Optional.empty());
    }
}
