package dev.ostium.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * A place on this server to send a person back to ({@code return_to}): a path starting with one slash,
 * optionally with a query. Anything that a browser could read as another host — {@code //host},
 * {@code /\host}, an absolute URL, control characters or spaces that browsers strip — is refused, so
 * the parameter is never an open redirect.
 */
public final class LocalPath {

    public static final int MAX_LENGTH = 8192;

    private LocalPath() {}

    public static Optional<String> parse(String candidate) {
        if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) return Optional.empty();
        if (candidate.charAt(0) != '/') return Optional.empty();
        if (candidate.length() > 1 && (candidate.charAt(1) == '/' || candidate.charAt(1) == '\\')) return Optional.empty();
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c <= 0x9f)) return Optional.empty();
        }
        try {
            URI uri = new URI(candidate);
            if (uri.getScheme() != null || uri.getRawAuthority() != null || uri.getRawFragment() != null) return Optional.empty();
            String path = uri.getRawPath();
            if (path == null || !path.startsWith("/") || path.startsWith("//")) return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        return Optional.of(candidate);
    }
}
