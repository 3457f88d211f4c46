package dev.ostium.settings;

/**
 * The three switches at the top of Settings > External applications.
 *
 * @param oauthEnabled       off: no app can get or use a token
 * @param usersRotateSecrets users may rotate the secrets of apps bound to them (secrets are shown only once)
 * @param adminConnections   off: no token is issued for, or honoured on behalf of, an administrator
 */
public record GlobalSettings(boolean oauthEnabled, boolean usersRotateSecrets, boolean adminConnections) {}
