package dev.ostium.oauth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.ostium.account.Login;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.Directory;
import dev.ostium.directory.LoginSession;
import dev.ostium.directory.User;
import dev.ostium.web.PageProblem;
import dev.ostium.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): {@code /oauth2/logout}, the discovery
 * document's end_session_endpoint. An app sends the person here with {@code id_token_hint}, a registered
 * {@code post_logout_redirect_uri} and {@code state}; the person's session ends and they go back.
 * Without an ID token of the signed-in person as hint, the person is asked first (§2: a logout
 * request anyone could trigger must not end a session unasked).
 */
public final class EndSessionEndpoint {

    static final String PATH = "/oauth2/logout";
    static final String CONFIRM_PATH = "/oauth2/logout/confirm";
    private static final Logger log = LoggerFactory.getLogger(EndSessionEndpoint.class);

    private final AppRegistry apps;
    private final Login login;
    private final Pages pages;
    private final IdTokens idTokens;
    private final Directory directory;

    public EndSessionEndpoint(AppRegistry apps, Login login, Pages pages, IdTokens idTokens, Directory directory) {
        this.apps = apps;
        this.login = login;
        this.pages = pages;
        this.idTokens = idTokens;
        this.directory = directory;
    }

    public void routes(RoutesConfig r) {
        pages.get(r, PATH, ctx -> logout(ctx, ctx.queryParamMap()));
        pages.postFromAnotherSite(r, PATH, ctx -> logout(ctx, ctx.formParamMap()));
        pages.post(r, CONFIRM_PATH, this::confirmed);
    }

    /**
     * Where to go afterwards, checked: a registered post-logout URI of the app, with the app's state; without
     * one, our login page, in the languages the app asked for.
     */
    private record Return(ExternalApp app, String uri, String state, String uiLocales) {}

    private void logout(Context ctx, Map<String, List<String>> raw) {
        pages.preferLanguages(ctx, single(raw, "ui_locales"));
        for (String name : List.of("id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales")) {
            if (raw.getOrDefault(name, List.of()).size() > 1) throw PageProblem.badRequest("endsession.error.duplicate");
        }
        Optional<JWTClaimsSet> hint = hint(single(raw, "id_token_hint"));
        Return back = back(hint, single(raw, "client_id"), single(raw, "post_logout_redirect_uri"), single(raw, "state"),
                single(raw, "ui_locales"));
        Optional<LoginSession> session = login.current(ctx);
        if (session.isEmpty()) {
            finish(ctx, back);
            return;
        }
        boolean hintIsThisPerson = hint.map(JWTClaimsSet::getSubject).filter(s -> s.equals(Long.toString(session.get().userId()))).isPresent();
        if (hintIsThisPerson) {
            end(ctx, session.get());
            finish(ctx, back);
            return;
        }
        String name = directory.byId(session.get().userId()).map(User::displayName).orElse(session.get().username());
        List<AuthorizationEndpoint.Hidden> fields = new ArrayList<>();
        if (back.app() != null) fields.add(new AuthorizationEndpoint.Hidden("client_id", back.app().clientId()));
        if (back.uri() != null) fields.add(new AuthorizationEndpoint.Hidden("post_logout_redirect_uri", back.uri()));
        if (back.state() != null) fields.add(new AuthorizationEndpoint.Hidden("state", back.state()));
        if (back.uiLocales() != null) fields.add(new AuthorizationEndpoint.Hidden("ui_locales", back.uiLocales()));
        if (back.uri() != null) pages.allowFormAction(ctx, URI.create(back.uri()));
        pages.render(ctx, "oauth/logout.jte", new LogoutView(back.app() == null ? null : back.app().displayName(), name, fields));
    }

    /** The person said yes on the confirmation page (CSRF checked by the pages layer). */
    private void confirmed(Context ctx) {
        pages.preferLanguages(ctx, ctx.formParam("ui_locales"));
        Return back = back(Optional.empty(), ctx.formParam("client_id"), ctx.formParam("post_logout_redirect_uri"), ctx.formParam("state"),
                ctx.formParam("ui_locales"));
        login.current(ctx).ifPresent(s -> end(ctx, s));
        finish(ctx, back);
    }

    private void end(Context ctx, LoginSession session) {
        log.info("logout of user {} (session {}) at an app's request", session.userId(), session.sessionId());
        login.end(ctx);
    }

    private void finish(Context ctx, Return back) {
        if (back.uri() == null) {
            pages.redirect(ctx, "/account/login?logged_out"
                    + (back.uiLocales() == null ? "" : "&ui_locales=" + URLEncoder.encode(back.uiLocales(), StandardCharsets.UTF_8)));
            return;
        }
        String target = back.uri();
        if (back.state() != null) {
            target += (target.contains("?") ? "&" : "?") + "state=" + URLEncoder.encode(back.state(), StandardCharsets.UTF_8);
        }
        pages.redirect(ctx, target);
    }

    /** An ID token this server signed (expired ones too: a hint is often old), or a page saying it is not. */
    private Optional<JWTClaimsSet> hint(String idToken) {
        if (idToken == null) return Optional.empty();
        return Optional.of(idTokens.hint(idToken).orElseThrow(() -> PageProblem.badRequest("endsession.error.hint")));
    }

    private Return back(Optional<JWTClaimsSet> hint, String clientId, String uri, String state, String uiLocales) {
        if (uiLocales != null && uiLocales.length() > 100) uiLocales = null;
        String hinted = hint.map(c -> c.getAudience().get(0)).orElse(null);
        if (clientId != null && hinted != null && !clientId.equals(hinted)) throw PageProblem.badRequest("endsession.error.client");
        String id = clientId != null ? clientId : hinted;
        ExternalApp app = null;
        if (id != null) {
            app = apps.byClientId(id).filter(ExternalApp::interactive).orElseThrow(() -> PageProblem.badRequest("endsession.error.client"));
        }
        if (uri == null) return new Return(app, null, null, uiLocales);
        // §2: the URI must have been registered for the app, compared exactly; never sent anywhere else.
        if (app == null || !app.postLogoutRedirectUris().contains(uri)) throw PageProblem.badRequest("endsession.error.redirect");
        if (state != null && state.length() > 1024) state = null;
        return new Return(app, uri, state, uiLocales);
    }

    private static String single(Map<String, List<String>> raw, String name) {
        List<String> v = raw.get(name);
        if (v == null || v.size() != 1 || v.get(0).isEmpty()) return null;
        return v.get(0);
    }

    public record LogoutView(String appName, String personName, List<AuthorizationEndpoint.Hidden> fields) {}
}
