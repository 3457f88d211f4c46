package dev.ostium.web;

import java.util.List;
import java.util.Locale;

/**
 * What every template gets besides its own view record: the language and its strings, the CSRF token
 * for forms, the language switch, and who is signed in (for the header). Built by {@link Pages}.
 *
 * @param signedInAs the signed-in person's display name, or null
 */
public record Page(Locale locale, Messages messages, String csrfToken, List<LanguageLink> languages, String signedInAs) {

    /** A link of the language switch: the current page in another language. */
    public record LanguageLink(String tag, String label, String href, boolean current) {}

    /** The string for a key, in this page's language. */
    public String t(String key, Object... args) {
        return messages.text(locale, key, args);
    }

    /** For {@code <html lang>}. */
    public String lang() {
        return locale.toLanguageTag();
    }

    public String csrfField() {
        return Csrf.FIELD;
    }
}
