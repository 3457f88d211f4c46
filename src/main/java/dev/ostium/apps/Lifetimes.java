package dev.ostium.apps;

import java.time.Duration;

/**
 * The lifetimes an app's grants run on, from its template or the server defaults.
 *
 * @param accessToken  null: the server's configured default
 * @param refreshRetry 0: a rotated refresh token presented again is always reuse; else the safe-retry window
 */
public record Lifetimes(Duration code, Duration accessToken, Duration refreshToken, Duration idToken, Duration refreshRetry) {

    public static final Duration CODE = Duration.ofMinutes(10);
    public static final Duration ACCESS = Duration.ofMinutes(10);
    public static final Duration REFRESH = Duration.ofDays(14);
    public static final Duration ID_TOKEN = Duration.ofHours(1);
    public static final Duration MAX_RETRY = Duration.ofSeconds(60);

    /** Apps without a template: the defaults, the access token from the server configuration. */
    public static final Lifetimes DEFAULTS = new Lifetimes(CODE, null, REFRESH, ID_TOKEN, Duration.ZERO);
}
