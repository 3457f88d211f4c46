package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import dev.ostium.apps.ClientType;
import dev.ostium.apps.ExternalApp;
import dev.ostium.apps.Scopes;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.settings.GlobalSettings;
import dev.ostium.settings.Settings;
import java.util.LinkedHashSet;
import java.util.Set;

/** What a service account may get: who it acts as and which scopes, under the global switches. */
public final class ServiceAccountPolicy {

    private final Directory directory;
    private final Settings settings;

    public ServiceAccountPolicy(Directory directory, Settings settings) {
        this.directory = directory;
        this.settings = settings;
    }

    /** Fails unless OAuth2 access is on at all. */
    public void requireOAuthEnabled() {
        if (!settings.get().oauthEnabled()) {
            throw OAuthProblem.of(OAuth2Error.UNAUTHORIZED_CLIENT, "OAuth2 access is disabled on this server");
        }
    }

    /** The bound user the app acts as, when that is allowed right now. */
    public User actingUser(ExternalApp app) {
        if (app.clientType() != ClientType.SERVICE || app.boundUserId() == null) {
            throw OAuthProblem.of(OAuth2Error.UNAUTHORIZED_CLIENT, "only service accounts may use this grant");
        }
        User user = directory.byId(app.boundUserId()).filter(User::enabled).orElseThrow(() ->
                OAuthProblem.of(OAuth2Error.UNAUTHORIZED_CLIENT, "the user this app acts as is disabled or gone"));
        GlobalSettings s = settings.get();
        if (user.admin() && !s.adminConnections()) {
            throw OAuthProblem.of(OAuth2Error.UNAUTHORIZED_CLIENT,
                    "this app acts as an administrator and connections with admin users are disabled");
        }
        return user;
    }

    /** RFC 6749 §3.3: the requested scopes, each registered for the app; none requested means all registered. */
    public Set<String> grantedScopes(ExternalApp app, String requested) {
        if (requested == null) return app.scopes();
        Set<String> asked = new LinkedHashSet<>();
        for (String s : requested.split(" ", -1)) {
            if (s.isEmpty()) continue;
            if (!Scopes.wellFormed(s)) throw OAuthProblem.of(OAuth2Error.INVALID_SCOPE, "malformed scope");
            asked.add(s);
        }
        if (asked.isEmpty()) return app.scopes();
        for (String s : asked) {
            if (!app.scopes().contains(s)) {
                throw OAuthProblem.of(OAuth2Error.INVALID_SCOPE, "scope '" + s + "' is not registered for this app");
            }
        }
        return asked;
    }
}
