package dev.ostium.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ostium.account.Login;
import dev.ostium.apps.AppException;
import dev.ostium.apps.AppIcons;
import dev.ostium.apps.AppKeys;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.AppSpec;
import dev.ostium.apps.ClientTemplate;
import dev.ostium.apps.ClientTemplates;
import dev.ostium.apps.ClientType;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.apps.SecretType;
import dev.ostium.apps.TemplateSpec;
import dev.ostium.apps.TokenFormat;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.console.ConsoleViews.AppForm;
import dev.ostium.console.ConsoleViews.AppRow;
import dev.ostium.console.ConsoleViews.AppView;
import dev.ostium.console.ConsoleViews.AppsView;
import dev.ostium.console.ConsoleViews.AuditView;
import dev.ostium.console.ConsoleViews.ConfirmView;
import dev.ostium.console.ConsoleViews.Endpoint;
import dev.ostium.console.ConsoleViews.NewAppView;
import dev.ostium.console.ConsoleViews.Option;
import dev.ostium.console.ConsoleViews.ShownOnceView;
import dev.ostium.console.ConsoleViews.TemplateForm;
import dev.ostium.console.ConsoleViews.TemplateRow;
import dev.ostium.console.ConsoleViews.TemplatesView;
import dev.ostium.directory.Directory;
import dev.ostium.directory.LoginSession;
import dev.ostium.directory.User;
import dev.ostium.settings.GlobalSettings;
import dev.ostium.settings.Settings;
import dev.ostium.tokens.TokenStore;
import dev.ostium.web.Page;
import dev.ostium.web.PageProblem;
import dev.ostium.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings &gt; External applications, as pages for administrators: the global switches, the apps table, the
 * creation wizard, each app's page and tools, the one-time display of secrets, templates and the audit trail.
 * Every change goes through the same services as the admin API and is recorded in the audit trail.
 */
public final class ConsolePages {

    static final String APPS = "/admin/external-apps";
    static final String TEMPLATES = "/admin/templates";
    static final String AUDIT = "/admin/audit";
    private static final int PAGE_SIZE = 25;
    private static final List<String> SCOPE_ORDER = List.of(Scopes.REST_ALL, Scopes.REST_READ, Scopes.REST_WRITE, Scopes.API,
            "openid", "profile", "email", "offline_access");

    private final Pages pages;
    private final Login login;
    private final Directory directory;
    private final AppRegistry apps;
    private final ClientTemplates templates;
    private final TokenStore tokenStore;
    private final Settings settings;
    private final AuditTrail audit;
    private final ShownOnce shownOnce;
    private final String discoveryJson;
    private final String issuer;
    private final ObjectMapper json = new ObjectMapper();

    public ConsolePages(Pages pages, Login login, Directory directory, AppRegistry apps, ClientTemplates templates,
                        TokenStore tokenStore, Settings settings, AuditTrail audit, ShownOnce shownOnce,
                        String issuer, String discoveryJson) {
        this.pages = pages;
        this.login = login;
        this.directory = directory;
        this.apps = apps;
        this.templates = templates;
        this.tokenStore = tokenStore;
        this.settings = settings;
        this.audit = audit;
        this.shownOnce = shownOnce;
        this.issuer = issuer;
        this.discoveryJson = discoveryJson;
    }

    public void routes(RoutesConfig r) {
        pages.get(r, "/admin", ctx -> pages.redirect(ctx, APPS));
        pages.get(r, "/admin/", ctx -> pages.redirect(ctx, APPS));
        pages.get(r, APPS, this::appsPage);
        pages.post(r, APPS + "/settings", this::saveSettings);
        pages.get(r, APPS + "/new", this::wizard);
        pages.post(r, APPS + "/new", this::create);
        pages.get(r, APPS + "/{clientId}", this::appPage);
        pages.post(r, APPS + "/{clientId}", this::update);
        pages.get(r, APPS + "/{clientId}/icon", this::icon);
        pages.post(r, APPS + "/{clientId}/enable", ctx -> setEnabled(ctx, true));
        pages.post(r, APPS + "/{clientId}/disable", ctx -> setEnabled(ctx, false));
        pages.get(r, APPS + "/{clientId}/rotate-secret", ctx -> confirm(ctx, "rotate"));
        pages.post(r, APPS + "/{clientId}/rotate-secret", this::rotateSecret);
        pages.get(r, APPS + "/{clientId}/generate-keys", ctx -> confirm(ctx, "keys"));
        pages.post(r, APPS + "/{clientId}/generate-keys", this::generateKeys);
        pages.get(r, APPS + "/{clientId}/revoke-tokens", ctx -> confirm(ctx, "revoke"));
        pages.post(r, APPS + "/{clientId}/revoke-tokens", this::revokeTokens);
        pages.get(r, APPS + "/{clientId}/delete", ctx -> confirm(ctx, "delete"));
        pages.post(r, APPS + "/{clientId}/delete", this::delete);
        pages.get(r, APPS + "/{clientId}/shown-once/{handle}", this::showOnce);
        pages.get(r, TEMPLATES, this::templatesPage);
        pages.get(r, TEMPLATES + "/new", ctx -> templateForm(ctx, null));
        pages.post(r, TEMPLATES + "/new", ctx -> saveTemplate(ctx, null));
        pages.get(r, TEMPLATES + "/{name}", ctx -> templateForm(ctx, ctx.pathParam("name")));
        pages.post(r, TEMPLATES + "/{name}", ctx -> saveTemplate(ctx, ctx.pathParam("name")));
        pages.post(r, TEMPLATES + "/{name}/delete", this::deleteTemplate);
        pages.get(r, AUDIT, this::auditPage);
        pages.get(r, AUDIT + ".csv", this::auditCsv);
    }

    // ---- who may -------------------------------------------------------------------------------

    /** The signed-in administrator; a person not signed in goes to the login page, anybody else gets 403. */
    private Optional<User> admin(Context ctx) {
        Optional<LoginSession> session = login.current(ctx);
        Optional<User> user = session.flatMap(s -> directory.byId(s.userId())).filter(User::enabled);
        if (user.isEmpty()) {
            String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            login.redirectToLogin(ctx, ctx.method().name().equals("GET") ? here : APPS, false, null);
            return Optional.empty();
        }
        if (!user.get().admin()) throw PageProblem.forbidden("console.admins_only");
        return user;
    }

    private void record(Context ctx, User admin, String kind, String clientId, String subject, Map<String, ?> detail) {
        audit.record(AuditEvent.of(kind, admin.username(), clientId, subject, ctx.ip(), detail));
    }

    private ExternalApp app(Context ctx) {
        return apps.byClientId(ctx.pathParam("clientId"))
                .orElseThrow(() -> PageProblem.notFound("console.app.not_found"));
    }

    // ---- the apps table and the switches --------------------------------------------------------

    private void appsPage(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        Page page = pageOf(ctx);
        String search = trimmed(ctx.queryParam("q"), 200);
        ClientType type = ClientType.parse(String.valueOf(ctx.queryParam("type"))).orElse(null);
        String asked = ctx.queryParam("state");
        String state = asked != null && Set.of("enabled", "disabled", "expired").contains(asked) ? asked : null;
        int pageNo = Math.max(1, intOr(ctx.queryParam("page"), 1));
        AppRegistry.Page found = apps.search(new AppRegistry.Search(search, type, state), (pageNo - 1) * PAGE_SIZE, PAGE_SIZE);
        Map<Long, Long> generations = new LinkedHashMap<>();
        found.apps().forEach(a -> generations.put(a.id(), a.tokenGeneration()));
        Map<Long, TokenStore.Status> statuses = tokenStore.statuses(generations);
        Instant now = Instant.now();
        List<AppRow> rows = found.apps().stream().map(a -> new AppRow(a.clientId(), a.name(), typeLabel(page, a),
                a.hasIcon(), authorizedUsers(page, a), statusLabel(page, statuses.get(a.id())), a.enabled(), a.expired(now))).toList();
        int pageCount = (int) Math.max(1, (found.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        List<Option> types = new ArrayList<>();
        types.add(new Option("", page.t("console.filter.any_type"), type == null));
        for (ClientType t : ClientType.values()) types.add(new Option(t.code, page.t("console.type." + t.code), t == type));
        List<Option> states = new ArrayList<>();
        states.add(new Option("", page.t("console.filter.any_state"), state == null));
        for (String s : List.of("enabled", "disabled", "expired")) states.add(new Option(s, page.t("console.state." + s), s.equals(state)));
        GlobalSettings g = settings.get();
        pages.render(ctx, "console/apps.jte", new AppsView(g.oauthEnabled(), g.usersRotateSecrets(), g.adminConnections(), rows,
                found.total(), search == null ? "" : search, types, states, pageNo, pageCount,
                pageNo > 1 ? tableHref(search, type, state, pageNo - 1) : null,
                pageNo < pageCount ? tableHref(search, type, state, pageNo + 1) : null, endpoints(page),
                notice(page, ctx.queryParam("notice"))));
    }

    private static String tableHref(String search, ClientType type, String state, int page) {
        StringBuilder b = new StringBuilder(APPS + "?page=" + page);
        if (search != null) b.append("&q=").append(URLEncoder.encode(search, StandardCharsets.UTF_8));
        if (type != null) b.append("&type=").append(type.code);
        if (state != null) b.append("&state=").append(state);
        return b.toString();
    }

    /** The endpoints this server really has, as its discovery document lists them. */
    private List<Endpoint> endpoints(Page page) {
        List<Endpoint> out = new ArrayList<>();
        try {
            JsonNode d = json.readTree(discoveryJson);
            for (String[] e : new String[][] {{"authorization_endpoint", "authorization"}, {"token_endpoint", "token"},
                    {"revocation_endpoint", "revocation"}, {"introspection_endpoint", "introspection"},
                    {"userinfo_endpoint", "userinfo"}, {"end_session_endpoint", "logout"}, {"jwks_uri", "jwks"}}) {
                if (d.hasNonNull(e[0])) out.add(new Endpoint(page.t("console.endpoint." + e[1]), d.get(e[0]).asText()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.add(new Endpoint(page.t("console.endpoint.discovery"), issuer + "/.well-known/openid-configuration"));
        return out;
    }

    private void saveSettings(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        GlobalSettings before = settings.get();
        GlobalSettings after = new GlobalSettings(ctx.formParam("oauthEnabled") != null,
                ctx.formParam("usersRotateSecrets") != null, ctx.formParam("adminConnections") != null);
        if (!after.equals(before)) {
            settings.update(after);
            record(ctx, admin.get(), "settings.changed", null, null, Map.of("oauthEnabled", after.oauthEnabled(),
                    "usersRotateSecrets", after.usersRotateSecrets(), "adminConnections", after.adminConnections()));
        }
        pages.redirect(ctx, APPS + "?notice=settings_saved");
    }

    // ---- the creation wizard --------------------------------------------------------------------

    private void wizard(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        String type = ctx.queryParam("type");
        String kind = ctx.queryParam("kind");
        if (!"service".equals(type) && !"interactive".equals(type)) {
            pages.render(ctx, "console/new.jte", new NewAppView(1, null, null, null, null, null, null));
            return;
        }
        if (!validKind(type, kind)) {
            pages.render(ctx, "console/new.jte", new NewAppView(2, type, null, null, null, null, null));
            return;
        }
        renderForm(ctx, type, kind, blankForm(pageOf(ctx), type, kind), null, 200);
    }

    private static boolean validKind(String type, String kind) {
        return "service".equals(type) ? "secret_key".equals(kind) || "signed_jwt".equals(kind)
                : "web".equals(kind) || "spa".equals(kind) || "native".equals(kind);
    }

    private void renderForm(Context ctx, String type, String kind, AppForm form, String error, int status) {
        Page page = pageOf(ctx);
        pages.render(ctx, status, "console/new.jte", new NewAppView(3, type, kind, page.t("console.kind." + kind),
                page.t("console.kind." + kind + ".help"), form, error));
    }

    private AppForm blankForm(Page page, String type, String kind) {
        boolean service = "service".equals(type);
        Set<String> scopes = service ? Set.of(Scopes.REST_ALL) : Set.of("openid", "profile", "email", Scopes.REST_ALL);
        return form(page, "", "", "", scopes, "", "", false, true, Set.of(), Set.of(), service ? "" : ClientTemplates.DEFAULT,
                "", "", TokenFormat.OPAQUE, "", !service, service, "");
    }

    private AppForm form(Page page, String name, String description, String user, Set<String> scopes, String redirectUris,
                         String postLogout, boolean offline, boolean openToAll, Set<String> users, Set<String> groups,
                         String template, String consentName, String expiresAt, TokenFormat format, String ttl,
                         boolean interactive, boolean service, String publicKey) {
        List<Option> scopeOptions = SCOPE_ORDER.stream()
                .map(s -> new Option(s, page.t("scope." + s), scopes.contains(s))).toList();
        List<Option> userOptions = directory.list().stream()
                .map(u -> new Option(u.username(), u.displayName() + " (" + u.username() + ")", users.contains(u.username()))).toList();
        List<Option> boundUsers = directory.list().stream()
                .map(u -> new Option(u.username(), u.displayName() + " (" + u.username() + ")", u.username().equals(user))).toList();
        List<Option> groupOptions = directory.groupNames().stream().map(g -> new Option(g, g, groups.contains(g))).toList();
        List<Option> templateOptions = new ArrayList<>();
        templateOptions.add(new Option("", page.t("console.template.none"), template == null || template.isEmpty()));
        for (ClientTemplate t : templates.list()) templateOptions.add(new Option(t.name(), t.name(), t.name().equals(template)));
        List<Option> formats = List.of(new Option("opaque", page.t("console.format.opaque"), format == TokenFormat.OPAQUE),
                new Option("jwt", page.t("console.format.jwt"), format == TokenFormat.JWT));
        return new AppForm(name, description, user, scopeOptions, redirectUris, postLogout, offline, openToAll, userOptions,
                groupOptions, templateOptions, consentName, expiresAt, formats, ttl, interactive, service, publicKey, boundUsers);
    }

    /** The form as sent, to show it again with an error. */
    private AppForm formAsSent(Context ctx, Page page, boolean interactive, boolean service) {
        return form(page, text(ctx, "name"), text(ctx, "description"), text(ctx, "user"), new LinkedHashSet<>(ctx.formParams("scopes")),
                text(ctx, "redirectUris"), text(ctx, "postLogoutRedirectUris"), ctx.formParam("offlineAccess") != null,
                !"selected".equals(ctx.formParam("access")), new LinkedHashSet<>(ctx.formParams("authorizedUsers")),
                new LinkedHashSet<>(ctx.formParams("authorizedGroups")), text(ctx, "template"), text(ctx, "consentName"),
                text(ctx, "expiresAt"), TokenFormat.parse(text(ctx, "tokenFormat")).orElse(TokenFormat.OPAQUE),
                text(ctx, "accessTokenTtl"), interactive, service, text(ctx, "publicKey"));
    }

    private void create(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        Page page = pageOf(ctx);
        String type = ctx.formParam("type");
        String kind = ctx.formParam("kind");
        if (!"service".equals(type) && !"interactive".equals(type) || !validKind(type, kind)) {
            throw PageProblem.badRequest("console.wizard.bad_step");
        }
        boolean service = "service".equals(type);
        AppRegistry.Created created;
        try {
            byte[] icon = iconUpload(ctx);
            created = apps.create(spec(ctx, service ? "service" : kind, service ? kind : "web".equals(kind) ? "secret_key" : null, true));
            if (icon != null) apps.setIcon(created.app().clientId(), icon);
        } catch (AppException e) {
            renderForm(ctx, type, kind, formAsSent(ctx, page, !service, service), e.getMessage(), 400);
            return;
        }
        ExternalApp app = created.app();
        record(ctx, admin.get(), "app.created", app.clientId(), null, Map.of("name", app.name(), "type", app.clientType().code));
        showOnceThenGo(ctx, admin.get(), app, created.clientSecret(), created.generatedKey());
    }

    /** Keeps a new secret or key pair for one showing, then goes there; without one, to the app's page. */
    private void showOnceThenGo(Context ctx, User admin, ExternalApp app, String secret, AppKeys.GeneratedKey key) {
        if (secret == null && key == null) {
            pages.redirect(ctx, APPS + "/" + app.clientId() + "?notice=created");
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (secret != null) values.put("clientSecret", secret);
        if (key != null) {
            values.put("privateKeyPem", key.privateKeyPem());
            values.put("privateJwk", key.privateJwk());
        }
        String handle = shownOnce.keep(admin.id(), values);
        pages.redirect(ctx, APPS + "/" + app.clientId() + "/shown-once/" + handle);
    }

    private void showOnce(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        Map<String, String> values = shownOnce.take(ctx.pathParam("handle"), admin.get().id())
                .orElseThrow(() -> new PageProblem(410, "console.shown_once.gone.title", "console.shown_once.gone.message"));
        String pem = values.get("privateKeyPem");
        String pemDataUrl = pem == null ? null
                : "data:application/x-pem-file;base64," + Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
        pages.allowScripts(ctx);
        pages.shownOnce(ctx);
        pages.render(ctx, "console/shown_once.jte", new ShownOnceView(app.clientId(), app.name(), values.get("clientSecret"),
                pem, values.get("privateJwk"), pemDataUrl, APPS + "/" + app.clientId()));
    }

    // ---- one app --------------------------------------------------------------------------------

    private void appPage(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        renderApp(ctx, app, editForm(pageOf(ctx), app), null, notice(pageOf(ctx), ctx.queryParam("notice")), 200);
    }

    private void renderApp(Context ctx, ExternalApp app, AppForm form, String error, String notice, int status) {
        Page page = pageOf(ctx);
        TokenStore.Status s = tokenStore.status(app.id(), app.tokenGeneration());
        String lastUsed = tokenStore.lastIssued(app.id()).map(t -> when(page, t)).orElse(page.t("console.app.never_used"));
        List<AuditEvent> events = audit.find(new AuditTrail.Filter(app.clientId(), null, null, null, null, null), 10);
        pages.render(ctx, status, "console/app.jte", new AppView(app.clientId(), app.name(), typeLabel(page, app),
                page.t("console.secret_type." + app.secretType().code), app.hasIcon(), app.enabled(), app.expired(Instant.now()),
                app.secretType() == SecretType.SECRET_KEY, app.secretType() == SecretType.SIGNED_JWT, statusLabel(page, s),
                s.active(), s.expired(), s.revoked(), lastUsed, when(page, app.createdAt()), events,
                AUDIT + "?app=" + app.clientId(), form, error, notice));
    }

    private AppForm editForm(Page page, ExternalApp app) {
        AppRegistry.AuthorizedUsers access = app.interactive() ? apps.authorizedUsers(app) : new AppRegistry.AuthorizedUsers(List.of(), List.of());
        String user = app.boundUserId() == null ? "" : directory.byId(app.boundUserId()).map(User::username).orElse("");
        return form(page, app.name(), nz(app.description()), user, app.registeredScopes(), String.join("\n", app.redirectUris()),
                String.join("\n", app.postLogoutRedirectUris()), app.offlineAccess(), app.openToAll(),
                Set.copyOf(access.users()), Set.copyOf(access.groups()), app.template() == null ? "" : app.template().name(),
                nz(app.consentName()), app.expiresAt() == null ? "" : app.expiresAt().toString(), app.tokenFormat(),
                app.accessTokenTtl() == null ? "" : Long.toString(app.accessTokenTtl().toSeconds()), app.interactive(),
                app.clientType() == ClientType.SERVICE, "");
    }

    private void update(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        Page page = pageOf(ctx);
        AppRegistry.Updated updated;
        try {
            byte[] icon = iconUpload(ctx);
            updated = apps.update(app.clientId(), spec(ctx, null, null, false));
            if (icon != null) apps.setIcon(app.clientId(), icon);
            else if (ctx.formParam("removeIcon") != null && app.hasIcon()) apps.removeIcon(app.clientId());
        } catch (AppException e) {
            renderApp(ctx, app, formAsSent(ctx, page, app.interactive(), app.clientType() == ClientType.SERVICE), e.getMessage(), null, 400);
            return;
        }
        record(ctx, admin.get(), "app.updated", app.clientId(), null, Map.of("tokensRevoked", updated.tokensRevoked()));
        pages.redirect(ctx, APPS + "/" + app.clientId() + "?notice=" + (updated.tokensRevoked() ? "saved_tokens_revoked" : "saved"));
    }

    private void setEnabled(Context ctx, boolean enabled) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        apps.setEnabled(app.clientId(), enabled);
        record(ctx, admin.get(), enabled ? "app.enabled" : "app.disabled", app.clientId(), null, null);
        pages.redirect(ctx, backTo(ctx, app) + (enabled ? "notice=enabled" : "notice=disabled"));
    }

    /** Where a tool sends the administrator back: the table when it was used there, else the app's page. */
    private static String backTo(Context ctx, ExternalApp app) {
        return "table".equals(ctx.formParam("from")) ? APPS + "?" : APPS + "/" + app.clientId() + "?";
    }

    private void confirm(Context ctx, String what) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        String action = APPS + "/" + app.clientId() + "/" + switch (what) {
            case "rotate" -> "rotate-secret";
            case "keys" -> "generate-keys";
            case "revoke" -> "revoke-tokens";
            default -> "delete";
        };
        pages.render(ctx, "console/confirm.jte", new ConfirmView("console.confirm." + what + ".title",
                "console.confirm." + what + ".question", app.name(), action, APPS + "/" + app.clientId(),
                "console.confirm." + what + ".button"));
    }

    private void rotateSecret(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        String secret;
        try {
            secret = apps.rotateSecret(app.clientId());
        } catch (AppException e) {
            throw PageProblem.badRequest("console.app.no_secret");
        }
        record(ctx, admin.get(), "app.secret_rotated", app.clientId(), null, null);
        showOnceThenGo(ctx, admin.get(), app, secret, null);
    }

    private void generateKeys(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        AppKeys.GeneratedKey key;
        try {
            key = apps.generateKeys(app.clientId(), null);
        } catch (AppException e) {
            throw PageProblem.badRequest("console.app.no_keys");
        }
        record(ctx, admin.get(), "app.keys_generated", app.clientId(), null, null);
        showOnceThenGo(ctx, admin.get(), app, null, key);
    }

    private void revokeTokens(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        apps.revokeAllTokens(app.clientId());
        record(ctx, admin.get(), "app.tokens_revoked", app.clientId(), null, null);
        pages.redirect(ctx, APPS + "/" + app.clientId() + "?notice=tokens_revoked");
    }

    private void delete(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        ExternalApp app = app(ctx);
        apps.delete(app.clientId());
        record(ctx, admin.get(), "app.deleted", app.clientId(), null, Map.of("name", app.name()));
        pages.redirect(ctx, APPS + "?notice=deleted");
    }

    private void icon(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        byte[] png = apps.icon(app(ctx)).orElseThrow(() -> PageProblem.notFound("console.app.no_icon"));
        ctx.contentType("image/png").result(png);
    }

    /** An uploaded icon, checked before anything is saved (PNG or JPEG, scaled down to 64×64 later). */
    private static byte[] iconUpload(Context ctx) {
        if (!String.valueOf(ctx.contentType()).toLowerCase(Locale.ROOT).startsWith("multipart/")) return null;
        UploadedFile file = ctx.uploadedFile("icon");
        if (file == null || file.size() == 0) return null;
        if (file.size() > AppIcons.MAX_UPLOAD) throw AppException.invalid("the icon is larger than 1 MiB");
        try (InputStream in = file.content()) {
            byte[] bytes = in.readAllBytes();
            AppIcons.toPng64(bytes); // refuses anything but PNG and JPEG with a clear message
            return bytes;
        } catch (IOException e) {
            throw AppException.invalid("the icon could not be read");
        }
    }

    /** The app fields of a create or edit form. */
    private AppSpec spec(Context ctx, String type, String secretType, boolean creating) {
        boolean interactive = creating ? !"service".equals(type) : app(ctx).interactive();
        boolean selected = "selected".equals(ctx.formParam("access"));
        String ttl = text(ctx, "accessTokenTtl");
        Long accessTtl = null;
        try {
            if (!ttl.isBlank()) accessTtl = Long.valueOf(ttl.trim());
            else if (!creating) accessTtl = 0L; // cleared: back to the default
        } catch (NumberFormatException e) {
            throw AppException.invalid("the access token lifetime must be a number of seconds");
        }
        String expires = text(ctx, "expiresAt").trim();
        return new AppSpec(text(ctx, "name"), text(ctx, "description"), type, secretType,
                interactive ? null : blankToNull(text(ctx, "user")),
                ctx.formParams("scopes").isEmpty() ? List.of("") : ctx.formParams("scopes"),
                // The token format comes from the template when the app follows one.
                text(ctx, "tokenFormat").isBlank() || !text(ctx, "template").isBlank() ? null : text(ctx, "tokenFormat"), accessTtl,
                expires.isEmpty() ? (creating ? null : "never") : expires, null, null,
                interactive ? null : blankToNull(text(ctx, "publicKey")), null,
                ctx.formParam("template") == null ? null : text(ctx, "template"),
                interactive ? lines(text(ctx, "redirectUris")) : null,
                interactive ? lines(text(ctx, "postLogoutRedirectUris")) : null,
                interactive ? ctx.formParam("offlineAccess") != null : null,
                interactive ? !selected : null,
                interactive && selected ? ctx.formParams("authorizedUsers") : null,
                interactive && selected ? ctx.formParams("authorizedGroups") : null,
                interactive ? blankToNull(text(ctx, "consentName")) : null, null);
    }

    // ---- templates ------------------------------------------------------------------------------

    private void templatesPage(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        Page page = pageOf(ctx);
        Map<String, Long> uses = apps.list().stream().filter(a -> a.template() != null)
                .collect(Collectors.groupingBy(a -> a.template().name(), Collectors.counting()));
        List<TemplateRow> rows = templates.list().stream().map(t -> new TemplateRow(t.name(), nz(t.description()),
                String.join(" ", t.scopes()), page.t("console.format." + t.tokenFormat().code), lifetimes(page, t),
                uses.getOrDefault(t.name(), 0L), ClientTemplates.isDefault(t))).toList();
        String error = ctx.queryParam("error");
        pages.render(ctx, "console/templates.jte", new TemplatesView(rows, notice(page, ctx.queryParam("notice")),
                error == null ? null : page.t("default".equals(error) ? "console.template.default_kept" : "console.template.in_use")));
    }

    private static String lifetimes(Page page, ClientTemplate t) {
        var l = t.lifetimes();
        return page.t("console.template.lifetimes", l.code().toMinutes(),
                l.accessToken() == null ? "—" : Long.toString(l.accessToken().toMinutes()), l.refreshToken().toDays(),
                l.idToken().toMinutes());
    }

    private void templateForm(Context ctx, String name) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        Page page = pageOf(ctx);
        if (name == null) {
            pages.render(ctx, "console/template.jte", templateForm(page, null, "", "", Set.of("openid", "profile", "email",
                    Scopes.REST_ALL, "offline_access"), TokenFormat.OPAQUE, "600", "600", "1209600", "3600", "0", null));
            return;
        }
        ClientTemplate t = templates.byName(name).orElseThrow(() -> PageProblem.notFound("console.template.not_found"));
        var l = t.lifetimes();
        pages.render(ctx, "console/template.jte", templateForm(page, t.name(), t.name(), nz(t.description()), t.scopes(),
                t.tokenFormat(), Long.toString(l.code().toSeconds()), l.accessToken() == null ? "" : Long.toString(l.accessToken().toSeconds()),
                Long.toString(l.refreshToken().toSeconds()), Long.toString(l.idToken().toSeconds()),
                Long.toString(l.refreshRetry().toSeconds()), null));
    }

    private TemplateForm templateForm(Page page, String original, String name, String description, Set<String> scopes,
                                      TokenFormat format, String code, String access, String refresh, String id, String retry,
                                      String error) {
        return new TemplateForm(original, ClientTemplates.DEFAULT.equals(original), name, description,
                SCOPE_ORDER.stream().map(s -> new Option(s, page.t("scope." + s), scopes.contains(s))).toList(),
                List.of(new Option("opaque", page.t("console.format.opaque"), format == TokenFormat.OPAQUE),
                        new Option("jwt", page.t("console.format.jwt"), format == TokenFormat.JWT)),
                code, access, refresh, id, retry, error);
    }

    private void saveTemplate(Context ctx, String original) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        Page page = pageOf(ctx);
        try {
            TemplateSpec spec = new TemplateSpec(text(ctx, "name"), text(ctx, "description"),
                    ctx.formParams("scopes").isEmpty() ? List.of("") : ctx.formParams("scopes"), text(ctx, "tokenFormat"),
                    seconds(ctx, "codeTtl"), seconds(ctx, "accessTokenTtl"), seconds(ctx, "refreshTokenTtl"),
                    seconds(ctx, "idTokenTtl"), seconds(ctx, "refreshRetryWindow"));
            ClientTemplate saved = original == null ? templates.create(spec) : templates.update(original, spec);
            record(ctx, admin.get(), original == null ? "template.created" : "template.updated", null, null,
                    Map.of("template", saved.name()));
            pages.redirect(ctx, TEMPLATES + "?notice=template_saved");
        } catch (AppException e) {
            pages.render(ctx, 400, "console/template.jte", templateForm(page, original, text(ctx, "name"), text(ctx, "description"),
                    new LinkedHashSet<>(ctx.formParams("scopes")), TokenFormat.parse(text(ctx, "tokenFormat")).orElse(TokenFormat.OPAQUE),
                    text(ctx, "codeTtl"), text(ctx, "accessTokenTtl"), text(ctx, "refreshTokenTtl"), text(ctx, "idTokenTtl"),
                    text(ctx, "refreshRetryWindow"), e.getMessage()));
        }
    }

    private void deleteTemplate(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        String name = ctx.pathParam("name");
        try {
            templates.delete(name);
        } catch (AppException e) {
            if (e.kind == AppException.Kind.NOT_FOUND) throw PageProblem.notFound("console.template.not_found");
            pages.redirect(ctx, TEMPLATES + "?error=" + (ClientTemplates.DEFAULT.equals(name) ? "default" : "in_use"));
            return;
        }
        record(ctx, admin.get(), "template.deleted", null, null, Map.of("template", name));
        pages.redirect(ctx, TEMPLATES + "?notice=template_deleted");
    }

    private static Long seconds(Context ctx, String field) {
        String v = text(ctx, field).trim();
        if (v.isEmpty()) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw AppException.invalid("lifetimes are whole numbers of seconds");
        }
    }

    // ---- the audit trail ------------------------------------------------------------------------

    private void auditPage(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        AuditTrail.Filter filter = auditFilterOrPage(ctx);
        if (filter == null) return;
        List<AuditEvent> events = audit.find(filter, 50);
        String query = auditQuery(ctx);
        String next = events.size() == 50 ? AUDIT + "?" + query + (query.isEmpty() ? "" : "&") + "before=" + events.getLast().id() : null;
        pages.render(ctx, "console/audit.jte", new AuditView(events, q(ctx, "app"), q(ctx, "user"), q(ctx, "kind"),
                dateOrEmpty(q(ctx, "from")), dateOrEmpty(q(ctx, "to")), next, AUDIT + ".csv" + (query.isEmpty() ? "" : "?" + query), null));
    }

    private void auditCsv(Context ctx) {
        Optional<User> admin = admin(ctx);
        if (admin.isEmpty()) return;
        AuditTrail.Filter filter = auditFilterOrPage(ctx);
        if (filter != null) AuditCsv.send(ctx, audit, filter);
    }

    /** The filter of the audit page or its CSV; null when a date is wrong, after answering with the page saying so. */
    private AuditTrail.Filter auditFilterOrPage(Context ctx) {
        try {
            return auditFilter(ctx);
        } catch (AppException e) {
            pages.render(ctx, 400, "console/audit.jte", new AuditView(List.of(), q(ctx, "app"), q(ctx, "user"), q(ctx, "kind"),
                    dateOrEmpty(q(ctx, "from")), dateOrEmpty(q(ctx, "to")), null, null, pageOf(ctx).t("console.audit.bad_date")));
            return null;
        }
    }

    /** What a date field may show again: a date (the filter also takes instants, which such a field cannot hold). */
    private static String dateOrEmpty(String v) {
        try {
            return LocalDate.parse(v).toString().equals(v) ? v : "";
        } catch (DateTimeParseException notADate) {
            return "";
        }
    }

    private static String auditQuery(Context ctx) {
        List<String> parts = new ArrayList<>();
        for (String p : List.of("app", "user", "kind", "from", "to")) {
            String v = q(ctx, p);
            if (!v.isEmpty()) parts.add(p + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
        }
        return String.join("&", parts);
    }

    private static AuditTrail.Filter auditFilter(Context ctx) {
        Long before = null;
        try {
            if (!q(ctx, "before").isEmpty()) before = Long.parseLong(q(ctx, "before"));
        } catch (NumberFormatException e) {
            throw AppException.invalid("before must be a position");
        }
        return new AuditTrail.Filter(blankToNull(q(ctx, "app")), blankToNull(q(ctx, "user")), blankToNull(q(ctx, "kind")),
                day(q(ctx, "from"), false), day(q(ctx, "to"), true), before);
    }

    /** A date from a date field (2026-11-23) or an instant; "to" includes the whole day. */
    private static Instant day(String v, boolean endOfDay) {
        if (v.isEmpty()) return null;
        try {
            if (v.length() == 10) {
                Instant start = java.time.LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
                return endOfDay ? start.plus(java.time.Duration.ofDays(1)) : start;
            }
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw AppException.invalid("dates look like 2026-11-23");
        }
    }

    // ---- small helpers --------------------------------------------------------------------------

    private Page pageOf(Context ctx) {
        return pages.page(ctx);
    }

    private static String typeLabel(Page page, ExternalApp app) {
        return page.t("console.type." + app.clientType().code);
    }

    private String authorizedUsers(Page page, ExternalApp app) {
        if (app.clientType() == ClientType.SERVICE) {
            return app.boundUserId() == null ? "—" : directory.byId(app.boundUserId()).map(User::displayName).orElse("—");
        }
        return app.openToAll() ? page.t("console.access.all") : page.t("console.access.selected");
    }

    private static String statusLabel(Page page, TokenStore.Status s) {
        if (s == null || s.active() == 0 && s.expired() == 0) return page.t("console.tokens.none");
        if (s.expired() == 0) return page.t("console.tokens.active", s.active());
        if (s.active() == 0) return page.t("console.tokens.none_expired", s.expired());
        return page.t("console.tokens.active_expired", s.active(), s.expired());
    }

    private static String when(Page page, Instant t) {
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM).withLocale(page.locale()).withZone(ZoneOffset.UTC)
                .format(t) + " UTC";
    }

    private static String notice(Page page, String key) {
        if (key == null || !key.matches("[a-z_]{1,40}")) return null;
        String text = page.t("console.notice." + key);
        return text.startsWith("console.notice.") ? null : text;
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static String text(Context ctx, String field) {
        String v = ctx.formParam(field);
        return v == null ? "" : v;
    }

    private static String q(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? "" : v.trim();
    }

    private static String trimmed(String s, int max) {
        if (s == null || s.isBlank()) return null;
        String t = s.trim();
        return t.length() > max ? t.substring(0, max) : t;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static int intOr(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
