package dev.ostium.web;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a JSON reader's failure says about the body, in words a sender can act on. */
public final class JsonErrors {

    /** How the reader names a field it met twice (it is set to refuse them). */
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("^Duplicate field '([^']{1,100})'");

    private JsonErrors() {}

    /** The field a body gave twice, when that is why it could not be read. */
    public static Optional<String> duplicateField(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            Matcher twice = DUPLICATE_FIELD.matcher(String.valueOf(c.getMessage()));
            if (twice.find()) return Optional.of(twice.group(1));
        }
        return Optional.empty();
    }
}
