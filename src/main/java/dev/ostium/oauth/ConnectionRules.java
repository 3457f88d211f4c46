package dev.ostium.oauth;

import dev.ostium.apps.AppRegistry;
import dev.ostium.apps.ExternalApp;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import dev.ostium.settings.Settings;
import dev.ostium.tokens.Rotations;
import dev.ostium.tokens.TokenFamilies;
import dev.ostium.tokens.TokenFamily;
import java.time.Clock;
import java.util.Map;
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

    /** The person as this node knows them: cached, kept current by the change feed. */
    public Optional<User> knownUser(long userId) {
        return directory.byId(userId);
    }

    /**
     * What the rotation of a refresh token of this family checks again as it is written: the person enabled and
     * allowed as an administrator, the family's consent still there. The rules that depend on the app alone
     * (enabled, expiry, authorized users) are the node's to apply before.
     */
    public Rotations.Standing standing(TokenFamily family) {
        return new Rotations.Standing(family.userId(), family.consentId(), settings.get().adminConnections());
    }

    /** The person as stored now, when enabled. */
    public Optional<User> currentUser(long userId) {
        return directory.fresh(userId).filter(User::enabled);
    }

    /**
     * After a change of who may connect (an app's authorized users and groups, admin connections turned off):
     * every person who holds a family of the app ({@code appId}; every app when null) and may no longer connect
     * loses it, with its tokens, for good, as when their consent is revoked. Only the person-specific refusals
     * end families here: a disabled app, an expired one or a disabled person end them where that is changed.
     */
    public int endRefused(TokenFamilies families, Long appId) {
        int ended = 0;
        for (TokenFamilies.Holder holder : families.liveHolders(appId)) {
            Optional<ExternalApp> app = apps.byId(holder.appId());
            Optional<User> user = directory.fresh(holder.userId());
            if (app.isEmpty() || user.isEmpty()) continue;
            Optional<Refusal> refused = refusal(app.get(), user.get());
            String why = refused.map(r -> PERSONAL.get(r.code())).orElse(null);
            if (why != null) ended += families.revokeAll(holder.userId(), holder.appId(), why);
        }
        return ended;
    }

    /** The refusals that concern the person, with the reason a family ended for one (at most 40 characters). */
    private static final Map<String, String> PERSONAL = Map.of("admin", "admin connections turned off",
            "not_authorized", "no longer an authorized user");

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
