package dev.ostium.oauth;

import com.nimbusds.oauth2.sdk.GrantType;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.User;
import dev.ostium.tokens.AccessTokens;
import dev.ostium.web.FormBody;
import java.util.Set;

/** RFC 6749 §4.4: a service account trades its own credentials for an access token of its bound user. */
public final class ClientCredentialsGrant {

    private final ClientAuthenticator clients;
    private final ServiceAccountPolicy policy;
    private final AccessTokens tokens;

    public ClientCredentialsGrant(ClientAuthenticator clients, ServiceAccountPolicy policy, AccessTokens tokens) {
        this.clients = clients;
        this.policy = policy;
        this.tokens = tokens;
    }

    public AccessTokens.Issued handle(String authorization, FormBody form) {
        // §4.4.2: the client MUST authenticate.
        ExternalApp app = clients.authenticate(authorization, form).app();
        User user = policy.actingUser(app);
        Set<String> scopes = policy.grantedScopes(app, form.get("scope"));
        // §4.4.3: no refresh token; the client asks again with its credentials.
        return tokens.issue(app, user, scopes, GrantType.CLIENT_CREDENTIALS.getValue());
    }
}
