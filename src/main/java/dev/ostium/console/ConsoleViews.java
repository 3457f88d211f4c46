package dev.ostium.console;

import dev.ostium.audit.AuditEvent;
import java.util.List;

/** What the console's templates show: small records, no logic. */
public final class ConsoleViews {

    private ConsoleViews() {}

    /** A link or value pair for lists of choices (filters, pickers). */
    public record Option(String value, String label, boolean selected) {}

    public record Endpoint(String label, String url) {}

    public record AppRow(String clientId, String name, String typeLabel, boolean hasIcon, String authorizedUsers,
                         String tokenStatus, boolean enabled, boolean expired) {}

    public record AppsView(boolean oauthEnabled, boolean usersRotateSecrets, boolean adminConnections, List<AppRow> apps,
                           long total, String search, List<Option> types, List<Option> states, int page, int pages,
                           String previousHref, String nextHref, List<Endpoint> endpoints, String notice) {}

    /** The wizard: its step (1 client type, 2 secret or application type, 3 the form), and the form's state. */
    public record NewAppView(int step, String type, String kind, String kindLabel, String kindHelp, AppForm form,
                             String error) {}

    /** The fields of the create and edit forms, as text, exactly as the administrator typed them. */
    public record AppForm(String name, String description, String user, List<Option> scopes, String redirectUris,
                          String postLogoutRedirectUris, boolean offlineAccess, boolean openToAll, List<Option> users,
                          List<Option> groups, List<Option> templates, String consentName, String expiresAt,
                          List<Option> tokenFormats, String accessTokenTtl, boolean interactive, boolean service,
                          String publicKey, List<Option> boundUsers) {}

    public record AppView(String clientId, String name, String typeLabel, String secretTypeLabel, boolean hasIcon,
                          boolean enabled, boolean expired, boolean hasSecret, boolean signedJwt, String tokenStatus,
                          long active, long expiredTokens, long revoked, String lastUsed, String created,
                          List<AuditEvent> events, String eventsHref, AppForm form, String error, String notice) {}

    /** A yes/no question before a destructive change. */
    public record ConfirmView(String titleKey, String questionKey, String subject, String action, String cancelHref,
                              String buttonKey) {}

    /** The one-time display of a secret or a generated key pair. */
    public record ShownOnceView(String clientId, String name, String clientSecret, String privateKeyPem, String privateJwk,
                                String pemDataUrl, String backHref) {}

    /** @param isDefault the template apps created without one follow: it cannot be deleted */
    public record TemplateRow(String name, String description, String scopes, String tokenFormat, String lifetimes,
                              long apps, boolean isDefault) {}

    public record TemplatesView(List<TemplateRow> templates, String notice, String error) {}

    /** @param fixedName the default template, whose name cannot change */
    public record TemplateForm(String originalName, boolean fixedName, String name, String description, List<Option> scopes,
                               List<Option> tokenFormats, String codeTtl, String accessTokenTtl, String refreshTokenTtl,
                               String idTokenTtl, String refreshRetryWindow, String error) {}

    public record AuditView(List<AuditEvent> events, String app, String user, String kind, String from, String to,
                            String nextHref, String csvHref, String error) {}
}
