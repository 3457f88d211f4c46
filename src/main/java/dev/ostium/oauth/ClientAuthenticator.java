package dev.ostium.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientAuthenticationVerifier;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientCredentialsSelector;
import com.nimbusds.oauth2.sdk.auth.verifier.Context;
import com.nimbusds.oauth2.sdk.auth.verifier.InvalidClientException;
import com.nimbusds.oauth2.sdk.auth.verifier.JWTAudienceCheck;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.ostium.apps.AppKeys;
import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.SecretType;
import dev.ostium.web.FormBody;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.time.Duration;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.web.FailureThrottle;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;

/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3):
 * client_secret_basic, client_secret_post, and private_key_jwt (RFC 7523 §2.2), exactly one per request.
 * Failures are throttled per client and sending address, and per address (429 with Retry-After): a
 * stranger cannot slow down a client that calls from elsewhere.
 */
public final class ClientAuthenticator {

    /** A client that proved who it is, and how. */
    public record Authenticated(ExternalApp app, ClientAuthenticationMethod method) {}


    private final AppRegistry apps;
    private final SpentAssertions spent;
    private final Clock clock;
    private final ClientAuthenticationVerifier<ExternalApp> jwtVerifier;
    private final FailureThrottle perClient;
    private final FailureThrottle perAddress;
    private final AuditTrail audit;

    public ClientAuthenticator(AppRegistry apps, SpentAssertions spent, AuditTrail audit, Clock clock, Set<Audience> audiences) {
        this.apps = apps;
        this.audit = audit;
        this.spent = spent;
        this.clock = clock;
        this.jwtVerifier = new ClientAuthenticationVerifier<>(new KeysOfApp(), audiences, JWTAudienceCheck.LEGACY);
        this.perClient = new FailureThrottle(clock, 10, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(5));
        this.perAddress = new FailureThrottle(clock, 30, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(15));
    }

    /** The authenticated client; fails with invalid_client (401) or invalid_request. */
    public Authenticated authenticate(String authorizationHeader, FormBody form) {
        return attempt(authorizationHeader, form)
                .orElseThrow(() -> OAuthProblem.invalidClient("client authentication is required"));
    }

    /**
     * For grants public clients may use: a confidential client must authenticate; a public client (native,
     * single-page) names itself with client_id alone (RFC 6749 §2.3, its proof is PKCE or its refresh token).
     */
    public Authenticated authenticateOrPublic(String authorizationHeader, FormBody form) {
        return authenticateOrPublic(authorizationHeader, form, Optional::empty);
    }

    /**
     * As above, for a grant whose credential is bound to its client (a refresh token): a public client that
     * does not name itself is the one the credential names ({@code boundTo}, an app id), since client_id would
     * add nothing that the credential's holder could not add (RFC 6749 §6 asks no identification of it).
     */
    public Authenticated authenticateOrPublic(String authorizationHeader, FormBody form, Supplier<Optional<Long>> boundTo) {
        Optional<Authenticated> proven = attempt(authorizationHeader, form);
        if (proven.isPresent()) return proven.get();
        String clientId = form.get("client_id");
        if (clientId == null) {
            ExternalApp named = boundTo.get().flatMap(apps::byId).filter(ExternalApp::publicClient)
                    .orElseThrow(() -> OAuthProblem.invalidClient("client authentication is required"));
            return new Authenticated(usable(named), ClientAuthenticationMethod.NONE);
        }
        ExternalApp app = apps.byClientId(clientId).orElse(null);
        if (app == null) throw OAuthProblem.invalidClient("unknown client");
        if (!app.publicClient()) throw OAuthProblem.invalidClient("this client must authenticate");
        return new Authenticated(usable(app), ClientAuthenticationMethod.NONE);
    }

    /** Like {@link #authenticate}, but empty when the request carries no client authentication at all. */
    public Optional<Authenticated> attempt(String authorizationHeader, FormBody form) {
        boolean basic = authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6);
        boolean post = form.has("client_secret");
        boolean jwt = form.has("client_assertion") || form.has("client_assertion_type");
        int methods = (basic ? 1 : 0) + (post ? 1 : 0) + (jwt ? 1 : 0);
        if (methods > 1) throw OAuthProblem.invalidRequest("use exactly one client authentication method");
        if (authorizationHeader != null && !basic && !authorizationHeader.isBlank()) {
            throw OAuthProblem.invalidClient("only HTTP Basic client authentication is accepted in the Authorization header");
        }
        if (basic) {
            String[] credentials = basicCredentials(authorizationHeader);
            return Optional.of(throttled(credentials[0], form, () -> secret(credentials, form, true)));
        }
        if (post) {
            String clientId = form.get("client_id");
            if (clientId == null) throw OAuthProblem.invalidClient("client_id is required with client_secret");
            return Optional.of(throttled(clientId, form, () -> secret(new String[] {clientId, form.get("client_secret")}, form, false)));
        }
        if (jwt) return Optional.of(throttled(form.get("client_id"), form, () -> privateKeyJwt(form)));
        return Optional.empty();
    }

    private Authenticated throttled(String clientId, FormBody form, Supplier<Authenticated> attempt) {
        String client = "client:" + clientId + "|" + form.address();
        String address = "address:" + form.address();
        perClient.check(client);
        perAddress.check(address);
        try {
            Authenticated ok = attempt.get();
            perClient.succeeded(client);
            return ok;
        } catch (OAuthProblem p) {
            if (OAuth2Error.INVALID_CLIENT.getCode().equals(p.error.getCode())) {
                perClient.failed(client);
                perAddress.failed(address);
                audit.record(AuditEvent.of("client_auth.failed", printable(clientId), printable(clientId), null, form.address(),
                        null));
            }
            throw p;
        }
    }

    private static String printable(String s) {
        if (s == null) return "-";
        String t = s.length() > 100 ? s.substring(0, 100) : s;
        return t.replaceAll("[^\\x21-\\x7E]", "?");
    }

    /**
     * RFC 7617 with RFC 6749 §2.3.1: Base64 of the form-encoded client id, a colon and the form-encoded secret.
     * Read exactly: nothing is trimmed, so a client id with a space or a control character after it names no client.
     */
    static String[] basicCredentials(String header) {
        try {
            byte[] raw = Base64.getDecoder().decode(header.substring("Basic ".length()).strip());
            String decoded = FormBody.utf8(raw);
            int colon = decoded.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("no client id and colon");
            String id = FormBody.decodeComponent(decoded.substring(0, colon));
            String secret = FormBody.decodeComponent(decoded.substring(colon + 1));
            if (id.isEmpty() || secret.isEmpty() || controls(id) || controls(secret)) throw new IllegalArgumentException("not a client id and secret");
            return new String[] {id, secret};
        } catch (IllegalArgumentException | OAuthProblem e) {
            throw OAuthProblem.invalidClient("malformed HTTP Basic credentials");
        }
    }

    private static boolean controls(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7F);
    }

    private Authenticated secret(String[] idAndSecret, FormBody form, boolean basic) {
        String clientId = idAndSecret[0];
        String bodyClientId = form.get("client_id");
        if (basic && bodyClientId != null && !bodyClientId.equals(clientId)) {
            throw OAuthProblem.invalidRequest("client_id in the body differs from the authenticated client");
        }
        Optional<ExternalApp> found = apps.byClientId(clientId);
        String storedHash = found.filter(a -> a.secretType() == SecretType.SECRET_KEY).map(ExternalApp::secretHash).orElse(null);
        // Compare even for an unknown client, so the answer takes the same time either way.
        boolean match = ClientSecrets.matches(idAndSecret[1], storedHash == null ? UNKNOWN : storedHash);
        if (!match || storedHash == null) throw OAuthProblem.invalidClient("unknown client or wrong secret");
        ExternalApp app = usable(found.get());
        return new Authenticated(app, basic ? ClientAuthenticationMethod.CLIENT_SECRET_BASIC : ClientAuthenticationMethod.CLIENT_SECRET_POST);
    }

    private static final String UNKNOWN = ClientSecrets.digest("no such client " + System.nanoTime());

    private Authenticated privateKeyJwt(FormBody form) {
        // Only private_key_jwt: we keep no client secret in clear, so client_secret_jwt (HMAC) cannot be checked.
        PrivateKeyJWT auth;
        try {
            auth = PrivateKeyJWT.parse(form.asMultiMap());
        } catch (ParseException e) {
            throw OAuthProblem.invalidClient("malformed client assertion: " + e.getMessage());
        }
        String clientId = auth.getClientID().getValue();
        // RFC 7523 §3: iss and sub are the client id, exactly as registered (the parsed client id is trimmed).
        try {
            var raw = auth.getClientAssertion().getJWTClaimsSet();
            if (!clientId.equals(raw.getIssuer()) || !clientId.equals(raw.getSubject())) {
                throw OAuthProblem.invalidClient("the client assertion's iss and sub must both be the client id");
            }
        } catch (java.text.ParseException e) {
            throw OAuthProblem.invalidClient("malformed client assertion");
        }
        if (form.get("client_id") != null && !form.get("client_id").equals(clientId)) {
            throw OAuthProblem.invalidRequest("client_id differs from the client assertion's subject");
        }
        ExternalApp app = apps.byClientId(clientId)
                .filter(a -> a.secretType() == SecretType.SIGNED_JWT)
                .orElseThrow(() -> OAuthProblem.invalidClient("unknown client or client without a registered public key"));
        Context<ExternalApp> context = new Context<>();
        context.set(app);
        try {
            jwtVerifier.verify(auth, null, context);
        } catch (InvalidClientException e) {
            throw OAuthProblem.invalidClient("client assertion rejected: " + e.getMessage());
        } catch (JOSEException e) {
            throw OAuthProblem.invalidClient("client assertion cannot be verified");
        }
        var claims = auth.getJWTAuthenticationClaimsSet();
        spent.spend(app, claims.getJWTID() == null ? null : claims.getJWTID().getValue(),
                claims.getExpirationTime(), claims.getIssueTime(), clock.millis(), SpentAssertions.Kind.CLIENT_ASSERTION);
        return new Authenticated(usable(app), ClientAuthenticationMethod.PRIVATE_KEY_JWT);
    }

    /** A client that authenticated but may not act now: disabled or past its expiry date. */
    private ExternalApp usable(ExternalApp app) {
        if (!app.enabled()) throw OAuthProblem.invalidClient("this app is disabled");
        if (app.expired(clock.instant())) throw OAuthProblem.invalidClient("this app has expired");
        return app;
    }

    /** The registered public keys of the app being verified (never secrets: we store none in clear). */
    private static final class KeysOfApp implements ClientCredentialsSelector<ExternalApp> {
        @Override
        public List<Secret> selectClientSecrets(ClientID id, ClientAuthenticationMethod method, Context<ExternalApp> ctx)
                throws InvalidClientException {
            throw InvalidClientException.BAD_SECRET;
        }

        @Override
        public List<? extends PublicKey> selectPublicKeys(ClientID id, ClientAuthenticationMethod method, JWSHeader header,
                                                          boolean forceRefresh, Context<ExternalApp> ctx)
                throws InvalidClientException {
            ExternalApp app = ctx.get();
            if (app == null || app.publicKeys() == null || !app.clientId().equals(id.getValue())) {
                throw InvalidClientException.NO_REGISTERED_JWK_SET;
            }
            return AppKeys.candidates(app, header);
        }
    }
}
