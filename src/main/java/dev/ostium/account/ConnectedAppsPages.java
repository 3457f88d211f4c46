package dev.ostium.account;

import dev.ostium.account.ConnectedApps.Connected;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.web.Page;
import dev.ostium.web.PageProblem;
import dev.ostium.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The person's "Connected applications" page ({@code /account/apps}): every app tied to them with its
 * details, and the actions on one app, each a confirmation page (GET) and a CSRF-checked POST that
 * redirects back to the list. An app that is not tied to the signed-in person answers 404 exactly like
 * an app that does not exist, so the page reveals nothing of anybody else's apps.
 */
public final class ConnectedAppsPages {

    static final String LIST = "/account/apps";
    /** The notices the list shows after an action (the query names one; nothing from the request is shown). */
    private static final Map<String, String> NOTICES = Map.of(
            "revoked", "apps.notice.revoked",
            "disabled", "apps.notice.disabled",
            "enabled", "apps.notice.enabled");

    private final Pages pages;
    private final Login login;
    private final Directory directory;
    private final ConnectedApps connected;
    private final AppRegistry apps;

    public ConnectedAppsPages(Pages pages, Login login, Directory directory, ConnectedApps connected, AppRegistry apps) {
        this.pages = pages;
        this.login = login;
        this.directory = directory;
        this.connected = connected;
        this.apps = apps;
    }

    public void routes(RoutesConfig r) {
        pages.get(r, LIST, this::list);
        pages.get(r, LIST + "/{clientId}/icon", this::icon);
        for (Action a : Action.values()) {
            pages.get(r, LIST + "/{clientId}/" + a.path, ctx -> confirm(ctx, a));
            pages.post(r, LIST + "/{clientId}/" + a.path, ctx -> act(ctx, a));
        }
    }

    /** What a person can do to one app; each has its confirmation page. */
    enum Action {
        REVOKE("revoke"), DISABLE("disable"), ENABLE("enable"), ROTATE("rotate");

        final String path;

        Action(String path) {
            this.path = path;
        }

        String key(String part) {
            return "apps." + path + "." + part;
        }
    }

    // ---- the list ---------------------------------------------------------------------------------

    private void list(Context ctx) {
        Optional<User> user = signedIn(ctx, LIST);
        if (user.isEmpty()) return;
        Page page = pages.page(ctx);
        List<ConnectedAppsView.AppLine> lines = new ArrayList<>();
        for (Connected c : connected.of(user.get())) lines.add(line(page, user.get(), c));
        String done = ctx.queryParam("done");
        String notice = done == null ? null : NOTICES.get(done);
        pages.render(ctx, "account/apps.jte", new ConnectedAppsView(lines, notice));
    }

    private ConnectedAppsView.AppLine line(Page page, User user, Connected c) {
        ExternalApp app = c.app();
        List<String> scopes = new ArrayList<>();
        for (String s : c.scopes()) {
            scopes.add(Scopes.KNOWN.contains(s) ? page.t("oauth.scope." + s) : page.t("apps.scope.other", s));
        }
        List<ConnectedAppsView.DeviceLine> devices = new ArrayList<>();
        for (ConnectedApps.Device d : c.devices()) {
            devices.add(new ConnectedAppsView.DeviceLine(when(page, d.createdAt()), when(page, d.lastUsedAt()), when(page, d.expiresAt())));
        }
        String state = !app.enabled() ? "apps.state.disabled" : c.expired() ? "apps.state.expired" : null;
        String tokens = c.activeTokens() == 0
                ? (c.expiredTokens() == 0 ? page.t("apps.tokens.none") : page.t("apps.tokens.none_expired", c.expiredTokens()))
                : (c.expiredTokens() == 0 ? page.t("apps.tokens.active", c.activeTokens())
                        : page.t("apps.tokens.active_expired", c.activeTokens(), c.expiredTokens()));
        return new ConnectedAppsView.AppLine(app.clientId(), pathOf(app), app.displayName(), app.description(),
                "apps.type." + app.clientType().code, app.hasIcon() ? pathOf(app) + "/icon" : null, scopes,
                when(page, c.grantedSince()), c.lastUsedAt() == null ? null : when(page, c.lastUsedAt()), tokens, state,
                c.bound(), devices, ConnectedApps.mayDisable(user), app.enabled(), connected.mayRotate(user, c));
    }

    private static String when(Page page, Instant t) {
        if (t == null) return null;
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM).withLocale(page.locale()).withZone(ZoneOffset.UTC)
                .format(t) + " UTC";
    }

    static String pathOf(ExternalApp app) {
        return LIST + "/" + URLEncoder.encode(app.clientId(), StandardCharsets.UTF_8);
    }

    // ---- the icon -----------------------------------------------------------------------------

    /** An app's icon, for the people it is tied to (to anybody else the app does not exist here). */
    private void icon(Context ctx) {
        Optional<User> user = signedIn(ctx, LIST);
        if (user.isEmpty()) return;
        Connected c = tied(user.get(), ctx);
        byte[] png = apps.icon(c.app()).orElseThrow(() -> PageProblem.notFound("error.not_found.message"));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType("image/png").result(png);
    }

    // ---- one app's actions --------------------------------------------------------------------------

    private void confirm(Context ctx, Action action) {
        Optional<User> user = signedIn(ctx, ctx.path());
        if (user.isEmpty()) return;
        Connected c = tied(user.get(), ctx);
        allowed(user.get(), c, action);
        String version = action == Action.ROTATE ? ConnectedApps.secretVersion(c) : null;
        pages.render(ctx, "account/app-confirm.jte", new ConnectedAppsView.ConfirmView(c.app().displayName(),
                pathOf(c.app()) + "/" + action.path, action.key("title"),
                action == Action.REVOKE && c.bound() ? action.key("message_service") : action.key("message"), action.key("submit"),
                action != Action.ENABLE, version));
    }

    private void act(Context ctx, Action action) {
        Optional<User> user = signedIn(ctx, LIST);
        if (user.isEmpty()) return;
        Connected c = tied(user.get(), ctx);
        allowed(user.get(), c, action);
        switch (action) {
            case REVOKE -> {
                connected.revoke(user.get(), c, ctx.ip());
                pages.redirect(ctx, LIST + "?done=revoked");
            }
            case DISABLE, ENABLE -> {
                connected.setEnabled(user.get(), c, action == Action.ENABLE, ctx.ip());
                pages.redirect(ctx, LIST + "?done=" + (action == Action.ENABLE ? "enabled" : "disabled"));
            }
            case ROTATE -> {
                Optional<String> secret = connected.rotateSecret(user.get(), c, ctx.formParam("version"), ctx.ip());
                if (secret.isEmpty()) throw new PageProblem(409, "apps.rotate.stale.title", "apps.rotate.stale.message");
                // Shown in the answer to this POST and nowhere else: not stored, not in a URL, never cached
                // (no-store). Sending the form again finds the secret changed and rotates nothing.
                pages.render(ctx, "account/app-secret.jte", new ConnectedAppsView.SecretView(c.app().displayName(),
                        c.app().clientId(), secret.get()));
            }
        }
    }

    private void allowed(User user, Connected c, Action action) {
        switch (action) {
            case DISABLE, ENABLE -> {
                if (!ConnectedApps.mayDisable(user)) throw PageProblem.forbidden("apps.error.admins_only");
                if (c.app().enabled() == (action == Action.ENABLE)) {
                    throw PageProblem.badRequest(action == Action.ENABLE ? "apps.error.already_enabled" : "apps.error.already_disabled");
                }
            }
            case ROTATE -> {
                if (!connected.mayRotate(user, c)) throw PageProblem.forbidden("apps.error.rotate_not_allowed");
            }
            case REVOKE -> { }
        }
    }

    /** The app of the path when it is tied to the person; 404 otherwise (unknown and not yours alike). */
    private Connected tied(User user, Context ctx) {
        return connected.find(user, ctx.pathParam("clientId"))
                .orElseThrow(() -> PageProblem.notFound("apps.error.not_found"));
    }

    /** The signed-in, enabled person; otherwise sends the browser to the login page and answers empty. */
    private Optional<User> signedIn(Context ctx, String returnTo) {
        Optional<User> user = login.current(ctx).flatMap(s -> directory.byId(s.userId())).filter(User::enabled);
        if (user.isEmpty()) login.redirectToLogin(ctx, returnTo, false, null);
        return user;
    }
}
