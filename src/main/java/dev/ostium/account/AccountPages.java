package dev.ostium.account;

import dev.ostium.directory.Directory;
import dev.ostium.directory.LoginSession;
import dev.ostium.directory.PasswordLogin;
import dev.ostium.directory.User;
import dev.ostium.web.LocalPath;
import dev.ostium.web.Pages;
import dev.ostium.web.TryLater;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The person's own pages: login, logout, and the account page. */
public final class AccountPages {

    private static final Logger log = LoggerFactory.getLogger(AccountPages.class);
    static final String HOME = "/account/";
    private static final int MAX_USERNAME = 100;
    private static final int MAX_LOCALES = 100;

    private final Pages pages;
    private final Login login;
    private final PasswordLogin passwords;
    private final Directory directory;

    public AccountPages(Pages pages, Login login, PasswordLogin passwords, Directory directory) {
        this.pages = pages;
        this.login = login;
        this.passwords = passwords;
        this.directory = directory;
        pages.showSignedInPersonWith(ctx -> login.current(ctx)
                .flatMap(s -> directory.byId(s.userId())).map(User::displayName));
    }

    public void routes(RoutesConfig r) {
        r.get("/", ctx -> ctx.redirect(HOME, HttpStatus.SEE_OTHER));
        pages.get(r, "/account/login", this::showLogin);
        pages.post(r, "/account/login", this::checkLogin);
        pages.get(r, "/account/logout", this::showLogout);
        pages.post(r, "/account/logout", this::logout);
        pages.get(r, HOME, this::home);
    }

    private void showLogin(Context ctx) {
        String returnTo = returnTo(ctx.queryParam("return_to"));
        String uiLocales = bounded(ctx.queryParam("ui_locales"), MAX_LOCALES);
        pages.preferLanguages(ctx, uiLocales);
        boolean force = "login".equals(ctx.queryParam("prompt"));
        Optional<LoginSession> session = login.current(ctx);
        if (session.isPresent() && !force) {
            pages.redirect(ctx, returnTo);
            return;
        }
        String hint = bounded(ctx.queryParam("login_hint"), MAX_USERNAME);
        boolean another = ctx.queryParam(Login.ANOTHER) != null;
        if (hint == null && force && !another) hint = session.map(LoginSession::username).orElse(null);
        String notice = ctx.queryParam("logged_out") != null ? "login.notice.logged_out"
                : another ? "login.notice.another" : force && session.isPresent() ? "login.notice.again" : null;
        showForm(ctx, 200, new LoginView(hint == null ? "" : hint, returnTo, force, null, notice, 0, uiLocales));
    }

    /** The login form; once it is sent, the answer may redirect on, through the return path, to another site. */
    private void showForm(Context ctx, int status, LoginView view) {
        login.onward(view.returnTo()).ifPresent(there -> pages.allowFormAction(ctx, there));
        // after a failed attempt, the language links lead to the same form, on its way back to the same place
        pages.sameAs(ctx, Login.loginUrl(view.returnTo(), view.forceLogin(), null, view.uiLocales()));
        pages.render(ctx, status, "account/login.jte", view);
    }

    private void checkLogin(Context ctx) {
        String returnTo = returnTo(ctx.formParam("return_to"));
        String uiLocales = bounded(ctx.formParam("ui_locales"), MAX_LOCALES);
        pages.preferLanguages(ctx, uiLocales);
        boolean force = "login".equals(ctx.formParam("prompt"));
        String username = bounded(ctx.formParam("username"), MAX_USERNAME);
        String password = ctx.formParam("password");
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            showForm(ctx, 400, new LoginView(username == null ? "" : username, returnTo, force, "login.error.missing", null, 0, uiLocales));
            return;
        }
        Optional<User> user;
        try {
            // throttled per account and per address, failures recorded as events (PasswordLogin)
            user = passwords.attempt(username.trim(), password, ctx.ip(), "login-page");
        } catch (TryLater busy) {
            ctx.header("Retry-After", Long.toString(busy.retryAfterSeconds));
            String key = busy.status != 429 ? "login.error.busy"
                    : busy.retryAfterSeconds == 1 ? "login.error.throttled_one" : "login.error.throttled";
            showForm(ctx, busy.status, new LoginView(username, returnTo, force, key, null, busy.retryAfterSeconds, uiLocales));
            return;
        }
        if (user.isPresent()) {
            // whatever checked the password, only a user this directory knows as enabled gets a session
            Optional<User> known = directory.byUsername(user.get().username()).filter(User::enabled);
            if (known.isEmpty()) passwords.refused(username.trim(), ctx.ip(), "login-page", "not an enabled user");
            user = known;
        }
        if (user.isEmpty()) {
            showForm(ctx, 200, new LoginView(username, returnTo, force, "login.error.wrong", null, 0, uiLocales));
            return;
        }
        LoginSession session = login.begin(ctx, user.get());
        pages.renewFormTokens(ctx);
        log.info("login of user {} (session {}) from {}", user.get().id(), session.sessionId(), ctx.ip());
        pages.redirect(ctx, returnTo);
    }

    private void showLogout(Context ctx) {
        Optional<LoginSession> session = login.current(ctx);
        if (session.isEmpty()) {
            pages.redirect(ctx, "/account/login");
            return;
        }
        String name = directory.byId(session.get().userId()).map(User::displayName).orElse(session.get().username());
        pages.render(ctx, "account/logout.jte", new LogoutView(name));
    }

    private void logout(Context ctx) {
        login.current(ctx).ifPresent(s -> log.info("logout of user {} (session {})", s.userId(), s.sessionId()));
        login.end(ctx);
        pages.redirect(ctx, "/account/login?logged_out");
    }

    private void home(Context ctx) {
        Optional<LoginSession> session = login.current(ctx);
        Optional<User> user = session.flatMap(s -> directory.byId(s.userId()));
        if (user.isEmpty()) {
            login.redirectToLogin(ctx, HOME, false, null);
            return;
        }
        String since = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM).withLocale(pages.locale(ctx))
                .withZone(ZoneOffset.UTC).format(session.get().authTime());
        User u = user.get();
        pages.render(ctx, "account/home.jte", new AccountView(u.displayName(), u.username(), u.email(), since + " UTC"));
    }

    private static String returnTo(String candidate) {
        return LocalPath.parse(candidate).orElse(HOME);
    }

    private static String bounded(String s, int max) {
        if (s == null) return null;
        return s.length() > max ? s.substring(0, max) : s;
    }
}
