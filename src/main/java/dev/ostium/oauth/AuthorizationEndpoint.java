package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.OIDCError;
import dev.ostium.account.Login;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.RedirectUris;
import dev.ostium.apps.Scopes;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.directory.LoginSession;
import dev.ostium.directory.User;
import dev.ostium.web.FormBody;
import dev.ostium.web.PageProblem;
import dev.ostium.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2) and the consent screen.
 *
 * <p>An unknown client or a redirect URI that is not registered is shown to the person as an error page
 * and never redirected to (§4.1.2.1); every other error goes back to the client with {@code error},
 * {@code error_description}, {@code state} and {@code iss} (RFC 9207). Only {@code response_type=code}
 * (OAuth 2.1), answered by query or form_post.
 */
public final class AuthorizationEndpoint {

    static final String PATH = "/oauth2/authorize";
    static final String CONSENT_PATH = "/oauth2/consent";
    /**
     * Our own marker on the way back from a forced login: the session must be at least this recent. It carries
     * a MAC bound to the client, so a request cannot bring its own and skip {@code prompt=login} or {@code max_age}.
     */
    static final String AUTH_AFTER = "auth_after";
    /** The consent form names the login session it was shown to: an answer from another sign-in is refused. */
    static final String CONSENT_SESSION = "consent_session";
    /** A MAC of the consent form's request and session: the answer is to exactly the request that was shown. */
    static final String CONSENT_MAC = "consent_mac";
    private static final int MAX_STATE = 1024;
    private static final int MAX_NONCE = 512;
    private static final int MAX_VALUE = 2048;
    /** An ID token with every claim this server puts in one is well under this; the login page's return path holds it. */
    private static final int MAX_HINT = 4096;
    private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");
    /** Prompts the login page answers: it asks for the password, and lets the person sign in as another account. */
    private static final Set<String> LOGIN_PROMPTS = Set.of("login", "select_account");

    private final AppRegistry apps;
    private final Login login;
    private final Pages pages;
    private final ConnectionRules rules;
    private final Consents consents;
    private final AuthorizationCodes codes;
    private final Issuer issuer;
    private final IdTokens idTokens;
    private final Clock clock;
    private final AuditTrail audit;
    private final SecretKeySpec markerKey;
    private final ResourceIndicator resource;

    public AuthorizationEndpoint(AppRegistry apps, Login login, Pages pages, ConnectionRules rules, Consents consents,
                                 AuthorizationCodes codes, ResourceIndicator resource, AuditTrail audit, URI issuer,
                                 IdTokens idTokens, byte[] markerKey, Clock clock) {
        this.idTokens = idTokens;
        this.resource = resource;
        this.audit = audit;
        this.markerKey = new SecretKeySpec(markerKey, "HmacSHA256");
        this.apps = apps;
        this.login = login;
        this.pages = pages;
        this.rules = rules;
        this.consents = consents;
        this.codes = codes;
        this.issuer = new Issuer(issuer);
        this.clock = clock;
        login.leadsOnWith(this::clientRedirect);
    }

    /**
     * Where an authorization request, as the login page's return path, may send the person straight after the
     * login: to the app's redirect URI, when the app has been approved already.
     */
    private Optional<URI> clientRedirect(String returnTo) {
        if (!returnTo.startsWith(PATH + "?")) return Optional.empty();
        try {
            return Optional.of(URI.create(target(URLUtils.parseParameters(returnTo.substring(PATH.length() + 1))).redirectUri()));
        } catch (PageProblem | IllegalArgumentException notAClient) {
            return Optional.empty();
        }
    }

    public void routes(RoutesConfig r) {
        pages.get(r, PATH, ctx -> authorize(ctx, ctx.queryParamMap(), wellFormedQuery(ctx),
                ctx.queryString() == null ? "" : ctx.queryString()));
        // §3.1.2.1 (OpenID Connect): the request may also be POSTed, by the client's page: no CSRF token there.
        pages.postFromAnotherSite(r, PATH, ctx -> authorize(ctx, formParams(ctx), utf8Declared(ctx) && FormBody.wellFormed(ctx.bodyAsBytes()),
                new String(ctx.bodyAsBytes(), StandardCharsets.ISO_8859_1)));
        pages.post(r, CONSENT_PATH, this::decide);
    }

    /** A validated authorization request; {@code params} are its parameters as received, one value each. */
    record Request(ExternalApp app, String redirectUri, boolean redirectUriNamed, ResponseMode mode, String state, String nonce, Set<String> scopes,
                   Set<String> prompt, Long maxAge, String loginHint, String codeChallenge, Long authAfter,
                   String hintedSubject, Map<String, String> params) {}

    /**
     * Where errors may go once the client and its redirect URI are known; {@code named} is false when the
     * request left the URI out and the app's only registered one stands in.
     */
    private record Target(String redirectUri, boolean named, ResponseMode mode, String state) {}

    /** An error to send back to the client (§4.1.2.1). */
    private static final class Refused extends RuntimeException {
        final ErrorObject error;

        Refused(ErrorObject base, String description) {
            super(description, null, false, false);
            this.error = base.setDescription(OAuthProblem.printable(description));
        }
    }

    /**
     * @param wellFormed whether the parameters arrived as valid form encoding of UTF-8 (else they were patched up)
     * @param encoded    the parameters as they arrived (query or body, a character per byte)
     */
    private void authorize(Context ctx, Map<String, List<String>> raw, boolean wellFormed, String encoded) {
        // Even the page that says the client or its redirect URI is wrong speaks the language the app asked for.
        pages.preferLanguages(ctx, single(raw, "ui_locales"));
        Target target;
        try {
            target = target(raw);
        } catch (PageProblem noTarget) {
            // Bytes that are not form encoding of UTF-8 may be why the client or its URI could not be read.
            if (!wellFormed) throw PageProblem.badRequest("oauth.error.malformed");
            throw noTarget;
        }
        try {
            // §4.1.2: the state must go back exactly as sent: read again from what arrived, it goes back when it was
            // itself cleanly encoded; one that had to be patched up is not sent back at all.
            if (!wellFormed) {
                target = new Target(target.redirectUri(), target.named(), target.mode(), FormBody.intactValue(encoded, "state").orElse(null));
                throw new Refused(OAuth2Error.INVALID_REQUEST, "the request is not valid form encoding of UTF-8 text");
            }
            Request req = parse(raw, target);
            pages.preferLanguages(ctx, req.params().get("ui_locales"));
            Optional<LoginSession> session = login.current(ctx);
            Optional<User> user = session.flatMap(s -> rules.currentUser(s.userId()));
            long now = clock.millis();
            boolean fresh = req.authAfter() != null && session.isPresent() && session.get().authTime().toEpochMilli() >= req.authAfter();
            boolean tooOld = req.maxAge() != null && session.isPresent()
                    && now - session.get().authTime().toEpochMilli() > req.maxAge() * 1000;
            // The app expects someone other than the person signed in here (OIDC Core §3.1.2.1): the person may
            // sign in as the one it expects, as with prompt=select_account; whoever signs in then and is still not
            // that person is not answered with a code.
            boolean otherPerson = req.hintedSubject() != null && user.isPresent() && !user.get().subject().equals(req.hintedSubject());
            if (otherPerson && fresh) throw new Refused(OIDCError.LOGIN_REQUIRED, "the person who signed in is not the one id_token_hint names");
            boolean force = !fresh && (req.prompt().stream().anyMatch(LOGIN_PROMPTS::contains) || tooOld || otherPerson);
            if (user.isEmpty() || force) {
                if (req.prompt().contains("none")) {
                    throw new Refused(OIDCError.LOGIN_REQUIRED, otherPerson ? "the person signed in is not the one id_token_hint names"
                            : "the person is not signed in");
                }
                String hint = otherPerson && req.loginHint() != null ? req.loginHint() : user.map(User::username).orElse(req.loginHint());
                // With max_age, the sign-in about to happen is the one the request needs: the way back says so,
                // or a small max_age would find even that sign-in too old and ask a second time.
                login.redirectToLogin(ctx, returnTo(req, force || req.maxAge() != null ? now : null), force && user.isPresent(), hint,
                        req.params().get("ui_locales"));
                return;
            }
            proceed(ctx, req, session.get(), user.get());
        } catch (Refused e) {
            answer(ctx, target, e.error, null);
        }
    }

    /** Signed in and recent enough: the rules, then consent, then the code. */
    private void proceed(Context ctx, Request req, LoginSession session, User user) {
        if (refusedPage(ctx, req, user)) return;
        Optional<Consents.Consent> consent = consents.find(user.id(), req.app().id());
        boolean ask = req.prompt().contains("consent") || consent.isEmpty() || !consent.get().covers(req.scopes());
        if (!ask) {
            issue(ctx, req, session, user, consent.get());
            return;
        }
        if (req.prompt().contains("none")) throw new Refused(OIDCError.CONSENT_REQUIRED, "the person has not approved these scopes");
        showConsent(ctx, req, session, user);
    }

    /** Item 5: a person the app is not open to sees why, and the app gets no code. */
    private boolean refusedPage(Context ctx, Request req, User user) {
        Optional<ConnectionRules.Refusal> refusal = rules.refusal(req.app(), user);
        if (refusal.isEmpty()) return false;
        if (req.prompt().contains("none")) throw new Refused(OAuth2Error.ACCESS_DENIED, refusal.get().reason());
        // Someone else may be allowed: the way to sign in as them comes back to this same request.
        String another = Login.anotherPersonUrl(returnTo(req, null), req.params().get("ui_locales"));
        pages.render(ctx, 403, "oauth/refused.jte", new RefusedView(req.app().displayName(), user.displayName(),
                "oauth.refused." + refusal.get().code(), another));
        return true;
    }

    private void showConsent(Context ctx, Request req, LoginSession session, User user) {
        ExternalApp app = req.app();
        List<String> scopeKeys = new ArrayList<>();
        // offline_access is said once, by the line for the app's offline access (with which alone it is granted)
        for (String s : req.scopes()) if (!s.equals(Scopes.OFFLINE_ACCESS)) scopeKeys.add("oauth.scope." + s);
        List<Hidden> hidden = new ArrayList<>();
        req.params().forEach((k, v) -> {
            if (!k.equals("prompt") && !k.equals(AUTH_AFTER)) hidden.add(new Hidden(k, v));
        });
        hidden.add(new Hidden(CONSENT_SESSION, session.sessionId()));
        hidden.add(new Hidden(CONSENT_MAC, consentMac(session.sessionId(), hidden)));
        String icon = apps.icon(app).map(png -> "data:image/png;base64," + Base64.getEncoder().encodeToString(png)).orElse(null);
        // The answer to the consent form redirects to the client: the page's form-action must allow it.
        pages.allowFormAction(ctx, URI.create(req.redirectUri()));
        pages.render(ctx, "oauth/consent.jte", new ConsentView(app.displayName(), app.description(), icon, user.displayName(),
                user.username(), scopeKeys, req.app().offlineAccess(), hidden));
    }

    /** The consent form's answer (CSRF checked by the pages layer). */
    private void decide(Context ctx) {
        // The form as the page wrote it is well-formed UTF-8; anything else was not sent by it.
        if (!utf8Declared(ctx) || !FormBody.wellFormed(ctx.bodyAsBytes())) throw PageProblem.badRequest("oauth.error.form_changed");
        Map<String, List<String>> raw = new LinkedHashMap<>(ctx.formParamMap());
        // One decision: a form that says both (or neither) is refused, not read by its first value.
        List<String> decisions = ctx.formParams("decision");
        String decision = decisions.size() == 1 ? decisions.get(0) : null;
        String shownTo = ctx.formParam(CONSENT_SESSION);
        String mac = ctx.formParam(CONSENT_MAC);
        raw.remove("decision");
        raw.remove(CONSENT_MAC);
        raw.remove(dev.ostium.web.Csrf.FIELD);
        List<Hidden> answered = new ArrayList<>();
        raw.forEach((k, values) -> values.forEach(v -> answered.add(new Hidden(k, v))));
        // The request comes back in the form's hidden fields: refused unless exactly as shown (nothing left
        // out, added or changed), before anything is sent anywhere.
        if (shownTo == null || mac == null || !MessageDigest.isEqual(mac.getBytes(StandardCharsets.US_ASCII),
                consentMac(shownTo, answered).getBytes(StandardCharsets.US_ASCII))) {
            throw PageProblem.badRequest("oauth.error.form_changed");
        }
        raw.remove(CONSENT_SESSION);
        Target target = target(raw);
        try {
            Request req = parse(raw, target);
            pages.preferLanguages(ctx, req.params().get("ui_locales"));
            Optional<LoginSession> session = login.current(ctx);
            Optional<User> user = session.flatMap(s -> rules.currentUser(s.userId()));
            if (user.isEmpty()) {
                login.redirectToLogin(ctx, returnTo(req, null), false, req.loginHint(), req.params().get("ui_locales"));
                return;
            }
            // Signed out and in again (perhaps as someone else) since the page was shown: ask afresh.
            if (!session.get().sessionId().equals(shownTo)) throw PageProblem.badRequest("oauth.error.session_changed");
            if (refusedPage(ctx, req, user.get())) return;
            if ("deny".equals(decision)) throw new Refused(OAuth2Error.ACCESS_DENIED, "the person denied the request");
            if (!"allow".equals(decision)) throw PageProblem.badRequest("oauth.error.decision");
            Consents.Consent consent = consents.grant(user.get().id(), req.app().id(), req.scopes());
            audit.record(AuditEvent.of("consent.granted", user.get().username(), req.app().clientId(), user.get().username(),
                    ctx.ip(), java.util.Map.of("scopes", String.join(" ", req.scopes()))));
            issue(ctx, req, session.get(), user.get(), consent);
        } catch (Refused e) {
            answer(ctx, target, e.error, null);
        }
    }

    private void issue(Context ctx, Request req, LoginSession session, User user, Consents.Consent consent) {
        String code = codes.issue(new AuthorizationCodes.Request(req.app(), user.id(), consent.id(), req.redirectUri(),
                req.redirectUriNamed(), req.scopes(), req.codeChallenge(), req.nonce(), session.authTime().toEpochMilli(), session.sessionId()));
        answer(ctx, new Target(req.redirectUri(), req.redirectUriNamed(), req.mode(), req.state()), null, code);
    }

    /**
     * Sends the code or the error to the client: a redirect (query) or a self-submitting form (form_post).
     * {@code state} goes back exactly as received (RFC 6749 §4.1.2), even when it is only spaces.
     */
    private void answer(Context ctx, Target target, ErrorObject error, String code) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (error == null) {
            fields.put("code", code);
        } else {
            fields.put("error", error.getCode());
            if (error.getDescription() != null) fields.put("error_description", error.getDescription());
        }
        if (target.state() != null) fields.put("state", target.state());
        fields.put("iss", issuer.getValue());
        if (ResponseMode.FORM_POST.equals(target.mode())) {
            pages.autoPost(ctx, URI.create(target.redirectUri()), fields);
            return;
        }
        // Appendix B: the parameters are added to the redirect URI's query, after any it has already.
        StringBuilder location = new StringBuilder(target.redirectUri()).append(target.redirectUri().indexOf('?') < 0 ? '?' : '&');
        fields.forEach((k, v) -> location.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        location.setLength(location.length() - 1);
        pages.redirect(ctx, location.toString());
    }

    /**
     * The client and its redirect URI, checked before anything may be sent to it. Failing here is a page
     * for the person, never a redirect.
     */
    private Target target(Map<String, List<String>> raw) {
        String clientId = single(raw, "client_id");
        if (clientId == null) throw PageProblem.badRequest("oauth.error.no_client");
        ExternalApp app = apps.byClientId(clientId).filter(ExternalApp::interactive)
                .orElseThrow(() -> PageProblem.badRequest("oauth.error.unknown_client"));
        String redirect = single(raw, "redirect_uri");
        boolean named = redirect != null;
        if (!named) {
            if (raw.containsKey("redirect_uri") || app.redirectUris().size() != 1 || mayBeOpenId(app, raw)) {
                throw PageProblem.badRequest("oauth.error.no_redirect");
            }
            redirect = app.redirectUris().get(0);
        }
        if (!RedirectUris.matches(app.redirectUris(), redirect, app.clientType())) throw PageProblem.badRequest("oauth.error.bad_redirect");
        String mode = single(raw, "response_mode");
        ResponseMode rm = "form_post".equals(mode) ? ResponseMode.FORM_POST : ResponseMode.QUERY;
        String state = single(raw, "state");
        if (state != null && state.length() > MAX_STATE) state = null;
        return new Target(redirect, named, rm, state);
    }

    /**
     * Whether the request is, or may turn into, an OpenID Connect one, whose redirect URI is required (Core
     * §3.1.2.1) where plain OAuth lets an app with a single one leave it out (RFC 6749 §3.1.2.3): it names
     * {@code openid}, or it names no scope and the app's scopes, granted in full then, include it.
     */
    private static boolean mayBeOpenId(ExternalApp app, Map<String, List<String>> raw) {
        List<String> scope = raw.get("scope");
        if (scope == null || scope.size() == 1 && Scopes.parse(scope.get(0)).isEmpty()) return app.scopes().contains("openid");
        return scope.size() != 1 || Scopes.parse(scope.get(0)).contains("openid");
    }

    private Request parse(Map<String, List<String>> raw, Target target) {
        Map<String, String> params = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            if (e.getValue().size() > 1) throw new Refused(OAuth2Error.INVALID_REQUEST, "parameter '" + e.getKey() + "' is sent more than once");
            String v = e.getValue().isEmpty() ? "" : e.getValue().get(0);
            if (v.isEmpty()) continue;
            int max = "id_token_hint".equals(e.getKey()) ? MAX_HINT : MAX_VALUE;
            if (v.length() > max) throw new Refused(OAuth2Error.INVALID_REQUEST, "parameter '" + e.getKey() + "' is too long");
            params.put(e.getKey(), v);
        }
        ExternalApp app = apps.byClientId(params.get("client_id")).orElseThrow();
        String mode = params.get("response_mode");
        if (mode != null && !mode.equals("query") && !mode.equals("form_post")) {
            throw new Refused(OAuth2Error.INVALID_REQUEST, "response_mode must be query or form_post");
        }
        String state = params.get("state");
        if (state != null && state.length() > MAX_STATE) throw new Refused(OAuth2Error.INVALID_REQUEST, "state is longer than " + MAX_STATE + " characters");
        if (params.containsKey("request")) throw new Refused(OAuth2Error.REQUEST_NOT_SUPPORTED, "request objects are not supported");
        if (params.containsKey("request_uri")) throw new Refused(OAuth2Error.REQUEST_URI_NOT_SUPPORTED, "request_uri is not supported");
        // OpenID Connect Core §3.1.2.6: clients are registered by an administrator, not in the request.
        if (params.containsKey("registration")) throw new Refused(OIDCError.REGISTRATION_NOT_SUPPORTED, "the registration parameter is not supported");
        String responseType = params.get("response_type");
        if (responseType == null) throw new Refused(OAuth2Error.INVALID_REQUEST, "response_type is required");
        if (!responseType.equals("code")) throw new Refused(OAuth2Error.UNSUPPORTED_RESPONSE_TYPE, "only response_type=code is supported");

        Set<String> scopes = scopes(app, params.get("scope"));
        String nonce = params.get("nonce");
        if (nonce != null && nonce.length() > MAX_NONCE) throw new Refused(OAuth2Error.INVALID_REQUEST, "nonce is longer than " + MAX_NONCE + " characters");

        Set<String> prompt = new LinkedHashSet<>(Scopes.parse(params.get("prompt")));
        for (String p : prompt) {
            if (!PROMPTS.contains(p)) throw new Refused(OAuth2Error.INVALID_REQUEST, "prompt may be none, login, consent or select_account");
        }
        if (prompt.contains("none") && prompt.size() > 1) throw new Refused(OAuth2Error.INVALID_REQUEST, "prompt=none stands alone");
        Long maxAge = null;
        if (params.get("max_age") != null) {
            if (!params.get("max_age").matches("[0-9]{1,9}")) throw new Refused(OAuth2Error.INVALID_REQUEST, "max_age must be a number of seconds");
            maxAge = Long.parseLong(params.get("max_age"));
        }

        // RFC 7636 and OAuth 2.1: S256 only; public clients must use it.
        String challenge = params.get("code_challenge");
        String method = params.get("code_challenge_method");
        if (challenge == null) {
            if (method != null) throw new Refused(OAuth2Error.INVALID_REQUEST, "code_challenge_method without code_challenge");
            if (app.publicClient()) throw new Refused(OAuth2Error.INVALID_REQUEST, "PKCE is required: send code_challenge with code_challenge_method=S256");
        } else {
            if (!"S256".equals(method)) {
                throw new Refused(OAuth2Error.INVALID_REQUEST, "code_challenge_method must be S256 (plain is not accepted)");
            }
            if (!challenge.matches("[A-Za-z0-9_-]{43}")) throw new Refused(OAuth2Error.INVALID_REQUEST, "code_challenge must be a base64url SHA-256 (43 characters)");
        }
        // RFC 8707 §2: a resource this server does not serve is refused here already, not at the token endpoint.
        if (!resource.accepts(params.get("resource"))) throw new Refused(OAuth2Error.INVALID_TARGET, resource.refusal());
        String loginHint = params.get("login_hint");
        if (loginHint != null && loginHint.length() > 100) loginHint = null;
        Long authAfter = forcedAt(params.get(AUTH_AFTER), params);
        // OpenID Connect Core §3.1.2.1: an ID token this server issued, naming the person the app expects.
        // One this server cannot read as an ID token for this app (another app's, or signed with a key retired
        // since) names nobody: it is left aside, except that prompt=none cannot then vouch for the person.
        String hintedSubject = null;
        if (params.containsKey("id_token_hint")) {
            hintedSubject = idTokens.hint(params.get("id_token_hint"))
                    .filter(c -> c.getAudience().get(0).equals(app.clientId()))
                    .map(com.nimbusds.jwt.JWTClaimsSet::getSubject).orElse(null);
            if (hintedSubject == null && prompt.contains("none")) {
                throw new Refused(OIDCError.LOGIN_REQUIRED, "id_token_hint is not an ID token this server issued to this app");
            }
        }
        return new Request(app, target.redirectUri(), target.named(), target.mode(), state, nonce, scopes, prompt, maxAge, loginHint, challenge,
                authAfter, hintedSubject, params);
    }

    /**
     * §3.3: the requested scopes, each registered for the app; none requested means all registered. A value
     * this server does not know at all is left out (OpenID Connect Core §3.1.2.1: scope values not understood
     * SHOULD be ignored; the token response names what was granted), but a request of nothing else is refused.
     * Without offline access the app gets no refresh token, so {@code offline_access} is not granted (OIDC Core §11).
     */
    private static Set<String> scopes(ExternalApp app, String requested) {
        Set<String> asked = new LinkedHashSet<>();
        boolean ignored = false;
        if (requested != null) {
            for (String s : requested.split(" ", -1)) {
                if (s.isEmpty()) continue;
                if (!Scopes.wellFormed(s)) throw new Refused(OAuth2Error.INVALID_SCOPE, "malformed scope");
                if (!Scopes.KNOWN.contains(s)) {
                    ignored = true;
                    continue;
                }
                if (!app.scopes().contains(s)) throw new Refused(OAuth2Error.INVALID_SCOPE, "scope '" + s + "' is not registered for this app");
                asked.add(s);
            }
        }
        if (ignored && asked.isEmpty()) throw new Refused(OAuth2Error.INVALID_SCOPE, "none of the requested scopes is known to this server");
        Set<String> granted = new LinkedHashSet<>(asked.isEmpty() ? app.scopes() : asked);
        if (!app.offlineAccess()) granted.remove(Scopes.OFFLINE_ACCESS);
        if (granted.isEmpty()) throw new Refused(OAuth2Error.INVALID_SCOPE, "offline access is turned off for this app");
        return granted;
    }

    /**
     * The authorization request as a GET path to come back to after the login page: without prompt=login or select_account
     * (the login page asks for the password itself), and with the moment of the forced login, so the
     * request does not ask again once the person has signed in.
     */
    private String returnTo(Request req, Long forcedAt) {
        Map<String, String> back = new LinkedHashMap<>();
        for (var e : req.params().entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.equals(AUTH_AFTER)) continue;
            if (k.equals("prompt")) {
                Set<String> rest = new LinkedHashSet<>(req.prompt());
                rest.removeAll(LOGIN_PROMPTS);
                if (rest.isEmpty()) continue;
                v = String.join(" ", rest);
            }
            back.put(k, v);
        }
        if (forcedAt != null) back.put(AUTH_AFTER, marker(forcedAt, back));
        StringBuilder sb = new StringBuilder(PATH);
        char sep = '?';
        for (var e : back.entrySet()) {
            sb.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = '&';
        }
        return sb.toString();
    }

    /**
     * The forced-login marker: the moment, and a MAC of it over the very request it comes back with (every other
     * parameter, the client among them), so it vouches for that request only, and only for {@link #MARKER_LIFETIME}.
     */
    private String marker(long at, Map<String, String> request) {
        return at + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(markerMac(at, request));
    }

    /**
     * The moment a genuine marker names; null for none, for one this server did not make for exactly this request,
     * and for one older than {@link #MARKER_LIFETIME} (a marker found later, in the browser's history say, asks
     * for the password again).
     */
    private Long forcedAt(String marker, Map<String, String> request) {
        if (marker == null) return null;
        Matcher m = MARKER.matcher(marker);
        if (!m.matches()) return null;
        long at = Long.parseLong(m.group(1));
        long age = clock.millis() - at;
        if (age < 0 || age > MARKER_LIFETIME.toMillis()) return null;
        byte[] presented = Base64.getUrlDecoder().decode(m.group(2));
        return MessageDigest.isEqual(presented, markerMac(at, request)) ? at : null;
    }

    /** Over the session and every field (in a fixed order), with its own label so it never equals a marker's MAC. */
    private String consentMac(String sessionId, List<Hidden> fields) {
        StringBuilder in = new StringBuilder("consent-form\u0000").append(sessionId);
        fields.stream().filter(f -> !CONSENT_SESSION.equals(f.name()))
                .map(f -> f.name() + "\u0000" + f.value())
                .sorted()
                .forEach(f -> in.append('\u0001').append(f));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(in.toString()));
    }

    /** How long after the forced login's start its marker still vouches for the request (time to sign in). */
    private static final Duration MARKER_LIFETIME = Duration.ofMinutes(15);
    private static final Pattern MARKER = Pattern.compile("([0-9]{1,15})\\.([A-Za-z0-9_-]{22})");

    private byte[] markerMac(long at, Map<String, String> request) {
        StringBuilder in = new StringBuilder("forced-login\u0000").append(at);
        request.entrySet().stream().filter(e -> !e.getKey().equals(AUTH_AFTER))
                .map(e -> e.getKey() + "\u0000" + e.getValue())
                .sorted()
                .forEach(p -> in.append('\u0001').append(p));
        return Arrays.copyOf(hmac(in.toString()), 16);
    }

    private byte[] hmac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(markerKey);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String single(Map<String, List<String>> raw, String name) {
        List<String> v = raw.get(name);
        if (v == null || v.size() != 1 || v.get(0).isEmpty()) return null;
        return v.get(0);
    }

    /**
     * The query is percent-encoded ASCII (RFC 3986 §3.4) whose bytes are UTF-8; the parameter map, decoded by
     * the framework with any charset the request declares, is then the same text.
     */
    private static boolean wellFormedQuery(Context ctx) {
        String q = ctx.queryString();
        if (q == null) return true;
        for (int i = 0; i < q.length(); i++) {
            if (q.charAt(i) >= 0x80) return false;
        }
        return utf8Declared(ctx) && FormBody.wellFormed(q.getBytes(StandardCharsets.US_ASCII));
    }

    /** Appendix B: form encoding is of UTF-8; a request that declares another charset would be read as that. */
    private static boolean utf8Declared(Context ctx) {
        String charset = ctx.characterEncoding();
        return charset == null || charset.equalsIgnoreCase("utf-8") || charset.equalsIgnoreCase("utf8");
    }

    private static Map<String, List<String>> formParams(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            throw PageProblem.badRequest("oauth.error.form");
        }
        return ctx.formParamMap();
    }

    public record Hidden(String name, String value) {}

    public record ConsentView(String appName, String appDescription, String iconDataUri, String personName, String username,
                              List<String> scopeKeys, boolean offlineAccess, List<Hidden> fields) {}

    public record RefusedView(String appName, String personName, String reasonKey, String signInAsAnotherUrl) {}
}
