package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.ostium.apps.ClientSecrets;
import dev.ostium.apps.ExternalApp;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;
import dev.ostium.db.Database;
import dev.ostium.directory.User;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.tokens.RefreshToken;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenFamily;
import dev.ostium.tokens.TokenIds;
import dev.ostium.tokens.TokenKeys;
import dev.ostium.tokens.TokenStore;
import dev.ostium.web.FormBody;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6: an interactive app trades its authorization code for tokens. Every
 * code starts a token family; a code presented a second time revokes that family.
 */
public final class AuthorizationCodeGrant {

    private static final Logger log = LoggerFactory.getLogger(AuthorizationCodeGrant.class);

    private final ClientAuthenticator clients;
    private final AuthorizationCodes codes;
    private final ConnectionRules rules;
    private final Consents consents;
    private final TokenKeys keys;
    private final AccessTokens tokens;
    private final IdTokens idTokens;
    private final TokenFamilies families;
    private final Database db;
    private final Clock clock;
    private final AuditTrail audit;

    public AuthorizationCodeGrant(ClientAuthenticator clients, AuthorizationCodes codes, ConnectionRules rules, Consents consents,
                                  AccessTokens tokens, TokenKeys keys, IdTokens idTokens, TokenFamilies families, AuditTrail audit,
                                  Database db, Clock clock) {
        this.keys = keys;
        this.audit = audit;
        this.clients = clients;
        this.codes = codes;
        this.rules = rules;
        this.consents = consents;
        this.tokens = tokens;
        this.idTokens = idTokens;
        this.families = families;
        this.db = db;
        this.clock = clock;
    }

    public Granted handle(String authorization, FormBody form) {
        // §4.1.3: a confidential client authenticates; a public one names itself and proves the code with PKCE.
        ExternalApp app = clients.authenticateOrPublic(authorization, form).app();
        if (!app.interactive()) throw OAuthProblem.of(OAuth2Error.UNAUTHORIZED_CLIENT, "service accounts use client_credentials");
        String value = form.get("code");
        if (value == null) throw OAuthProblem.invalidRequest("code is required");
        String redirectUri = form.get("redirect_uri");

        AuthorizationCodes.Code code = codes.find(value).orElseThrow(() -> invalidGrant("unknown authorization code"));
        // A live code of another client is refused without touching it: its own client may still redeem it. A
        // spent one is being used more than once (§4.1.2), whoever presents it: what it issued is revoked.
        if (code.usedAt() != null) throw replayed(code, app);
        if (code.appId() != app.id()) throw invalidGrant("the authorization code was issued to another client");
        long now = clock.millis();
        if (code.expiresAt() <= now) throw invalidGrant("the authorization code has expired");
        // Revoke-all, disabling or narrowing the app after the code was issued ends the code too.
        if (code.appGeneration() < app.tokenGeneration()) throw invalidGrant("the authorization code was revoked with the app's tokens");
        // §4.1.3: required when the authorization request named it; when it left it out, optional, but if sent,
        // it is the URI the code went to.
        if (redirectUri == null && code.redirectUriNamed()) throw OAuthProblem.invalidRequest("redirect_uri is required");
        if (redirectUri != null && !code.redirectUri().equals(redirectUri)) {
            throw invalidGrant("redirect_uri differs from the one of the authorization request");
        }
        verifyPkce(app, code, form.get("code_verifier"));

        User user = rules.currentUser(code.userId()).orElseThrow(() -> invalidGrant("the account is disabled"));
        rules.refusal(app, user).ifPresent(r -> {
            throw invalidGrant(r.reason());
        });
        Consents.Consent consent = consents.find(user.id(), app.id()).filter(c -> c.covers(code.scopes()))
                .orElseThrow(() -> invalidGrant("the person's consent has been withdrawn"));

        TokenFamily family = new TokenFamily(code.familyId(), app.id(), user.id(), consent.id(), code.scopes(), code.authTime(),
                code.sessionId(), now, now + app.lifetimes().refreshToken().toMillis(), null, null, app.tokenGeneration());
        AccessTokens.Minted access = tokens.mint(app, user, code.scopes(), GrantType.AUTHORIZATION_CODE.getValue(), consent.id(),
                family.id(), now, null);
        // Offline access is the app's setting: with it, every code exchange gets a refresh token (asked for
        // with offline_access or not); without it, never.
        long refreshKey = app.offlineAccess() ? keys.next() : 0;
        TokenIds.Minted refresh = app.offlineAccess() ? TokenIds.mintOpaque(refreshKey) : null;
        boolean spent = db.jdbi().inTransaction(h -> {
            if (!AuthorizationCodes.spend(h, code.codeHash(), now)) return false;
            TokenFamilies.insert(h, family, access.record().tokenId(), refresh == null ? null : refresh.id());
            TokenStore.insert(h, access.record());
            if (refresh != null) {
                TokenFamilies.insert(h, new RefreshToken(refreshKey, refresh.id(), refresh.verifierHash(), family.id(), app.id(), code.scopes(),
                        1, now, family.expiresAt(), null, null, null));
            }
            return true;
        });
        if (!spent) throw replayed(code, app);
        String idToken = code.scopes().contains("openid")
                ? idTokens.issue(app, user, code.scopes(), code.authTime(), code.nonce(), access.issued().value(), now)
                : null;
        return new Granted(access.issued(), refresh == null ? null : refresh.value(), idToken);
    }

    /** RFC 7636 §4.6, and RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt. */
    private static void verifyPkce(ExternalApp app, AuthorizationCodes.Code code, String verifier) {
        if (code.codeChallenge() == null) {
            if (app.publicClient()) throw invalidGrant("public clients must use PKCE");
            if (verifier != null) throw invalidGrant("code_verifier sent, but the authorization request had no code_challenge");
            return;
        }
        if (verifier == null) throw invalidGrant("code_verifier is required");
        if (!verifier.matches("[A-Za-z0-9._~-]{43,128}")) throw invalidGrant("code_verifier must be 43 to 128 unreserved characters");
        String computed = CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(verifier)).getValue();
        if (!ClientSecrets.sameDigest(computed, code.codeChallenge())) throw invalidGrant("code_verifier does not match the code_challenge");
    }

    /** §4.1.2 and §10.5: a second presentation revokes everything the code issued. */
    private OAuthProblem replayed(AuthorizationCodes.Code code, ExternalApp app) {
        if (families.revoke(code.familyId(), "authorization code replayed")) {
            log.warn("authorization code presented again by app {}: its token family is revoked", app.clientId());
            audit.record(AuditEvent.of("family.revoked", app.clientId(), app.clientId(), null, null,
                    java.util.Map.of("reason", "authorization code replayed")));
        }
        return invalidGrant("the authorization code was used already; the tokens issued from it are revoked");
    }

    private static OAuthProblem invalidGrant(String description) {
        return OAuthProblem.of(OAuth2Error.INVALID_GRANT, description);
    }
}
