package dev.ostium.oauth;

import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.settings.Settings;
import java.time.Clock;
import java.util.Optional;

/**
 * Whether a person may use an interactive app right now: app enabled and not expired, person enabled,
 * among the app's authorized users, and not an administrator unless admin connections are allowed.
 * Asked at authorization and again at every code exchange and refresh, always against fresh data.
 */
public final class ConnectionRules {

    /** Why a person may not connect: a code (for the person's page, {@code oauth.refused.<code>}) and a sentence for the protocol. */
    public record Refusal(String code, String reason) {}

    private final AppRegistry apps;
    private final Directory directory;
    private final Settings settings;
    private final Clock clock;

    public ConnectionRules(AppRegistry apps, Directory directory, Settings settings, Clock clock) {
        this.apps = apps;
        this.directory = directory;
        this.settings = settings;
        this.clock = clock;
    }

    /** The person as stored now, when enabled. */
    public Optional<User> currentUser(long userId) {
        return directory.fresh(userId).filter(User::enabled);
    }

    public Optional<Refusal> refusal(ExternalApp app, User user) {
        if (!settings.get().oauthEnabled()) return Optional.of(new Refusal("oauth_off", "OAuth2 access is disabled on this server"));
        if (!app.enabled()) return Optional.of(new Refusal("app_disabled", "this app is disabled"));
        if (app.expired(clock.instant())) return Optional.of(new Refusal("app_expired", "this app has expired"));
        if (!user.enabled()) return Optional.of(new Refusal("user_disabled", "this account is disabled"));
        if (user.admin() && !settings.get().adminConnections()) {
            return Optional.of(new Refusal("admin", "connections with administrator accounts are not allowed"));
        }
        if (!apps.authorizes(app, user.id())) return Optional.of(new Refusal("not_authorized", "you are not among the users this app is open to"));
        return Optional.empty();
    }
}
