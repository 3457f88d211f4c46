package dev.ostium.account;

/**
 * The login form.
 *
 * @param username    prefilled (login_hint, the signed-in person on a forced login, or what was typed)
 * @param forceLogin  the password is asked again although a session is live
 * @param errorKey    message key of the error to show, or null
 * @param noticeKey   message key of a notice (e.g. "you are signed out"), or null
 * @param retryAfterSeconds how long to wait before trying again (for the throttling error)
 * @param uiLocales   the languages the app asked for (OpenID Connect {@code ui_locales}), kept across a retry; or null
 */
public record LoginView(String username, String returnTo, boolean forceLogin, String errorKey, String noticeKey,
                        long retryAfterSeconds, String uiLocales) {}
