package dev.ostium.account;

import java.util.List;

/**
 * The "Connected applications" page: the person's apps, each ready to render (texts in the page's
 * language, times formatted); never a token or a secret.
 *
 * @param noticeKey what the last action did, or null
 */
public record ConnectedAppsView(List<AppLine> apps, String noticeKey) {

    /**
     * One app.
     *
     * @param path      the app's place under /account/apps (its actions hang below it)
     * @param typeKey   message key of the client type
     * @param iconPath  the icon's address, or null when the app has none
     * @param scopes    what the app may do, in words
     * @param lastUsed  null when no token was ever issued to it for the person
     * @param stateKey  message key of "disabled" / "expired", or null while the app works
     * @param bound     a service account acting as the person
     * @param canToggle the person is an administrator: a disable (or enable) switch is offered
     */
    public record AppLine(String clientId, String path, String name, String description, String typeKey, String iconPath,
                          List<String> scopes, String grantedSince, String lastUsed, String tokens, String stateKey,
                          boolean bound, List<DeviceLine> devices, boolean canToggle, boolean enabled, boolean canRotate) {}

    /** A refresh-token family: a device or installation that stays signed in. */
    public record DeviceLine(String since, String lastUsed, String until) {}

    /** The question before an action. @param version for a rotation: names the secret being replaced */
    public record ConfirmView(String appName, String action, String titleKey, String messageKey, String submitKey,
                              boolean danger, String version) {}

    /** The one showing of a new secret. */
    public record SecretView(String appName, String clientId, String secret) {}
}
