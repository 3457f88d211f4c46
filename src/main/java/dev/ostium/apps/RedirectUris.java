package dev.ostium.apps;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Registration and matching of redirect URIs (and post-logout redirect URIs). Matching is exact string
 * comparison (RFC 9700 §4.1.3): no prefix, wildcard, case folding or trailing-slash tolerance. The one
 * exception is RFC 8252 §7.3: a native app's loopback IP redirect may come back on any port.
 */
public final class RedirectUris {

    public static final int MAX_URIS = 20;
    public static final int MAX_LENGTH = 2000;

    private RedirectUris() {}

    /** What the authorization answer adds to a redirect URI's query (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207). */
    public static final Set<String> ANSWER_PARAMETERS = Set.of("code", "state", "iss", "error", "error_description", "error_uri");
    /** What the logout answer adds to a post-logout redirect URI's query. */
    public static final Set<String> LOGOUT_PARAMETERS = Set.of("state");

    /**
     * Checks what an admin registers; fails with a reason the admin can act on.
     *
     * @param added the parameters the server adds to the URI's query when it sends someone there: a URI whose
     *              own query already names one would arrive with it twice
     */
    public static List<String> validate(List<String> uris, ClientType type, String field, Set<String> added) {
        Set<String> out = new LinkedHashSet<>();
        if (uris.size() > MAX_URIS) throw AppException.invalid(field + ": at most " + MAX_URIS + " URIs");
        for (String s : uris) {
            if (s == null || s.isBlank()) throw AppException.invalid(field + ": a URI is empty");
            if (s.length() > MAX_LENGTH) throw AppException.invalid(field + ": a URI is longer than " + MAX_LENGTH + " characters");
            if (!s.equals(s.strip()) || s.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F)) {
                throw AppException.invalid(field + ": '" + s.strip() + "' holds spaces or non-ASCII characters; register it percent-encoded");
            }
            URI uri;
            try {
                uri = new URI(s);
            } catch (URISyntaxException e) {
                throw AppException.invalid(field + ": '" + s + "' is not a valid URI");
            }
            if (!uri.isAbsolute() || uri.isOpaque()) throw AppException.invalid(field + ": '" + s + "' must be an absolute URI");
            if (uri.getRawFragment() != null) throw AppException.invalid(field + ": '" + s + "' must not have a fragment (RFC 6749 §3.1.2)");
            if (uri.getRawUserInfo() != null) throw AppException.invalid(field + ": '" + s + "' must not carry user information");
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
                    if (added.contains(name)) {
                        throw AppException.invalid(field + ": '" + s + "' has a query parameter '" + name
                                + "' of its own, which the answer adds; leave it out of the registered URI");
                    }
                }
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() == null && uri.getRawAuthority() != null) {
                throw AppException.invalid(field + ": '" + s + "' does not have a valid host and port");
            }
            if (uri.getPort() != -1 && !validPort(uri.getPort())) {
                throw AppException.invalid(field + ": '" + s + "': the port must be between 1 and 65535");
            }
            switch (scheme) {
                case "https" -> {
                    if (uri.getHost() == null) throw AppException.invalid(field + ": '" + s + "' has no host");
                }
                case "http" -> {
                    if (!isLoopbackHost(uri.getHost()) && !"localhost".equalsIgnoreCase(uri.getHost())) {
                        throw AppException.invalid(field + ": '" + s + "': plain http is allowed only for loopback addresses; use https");
                    }
                }
                case "javascript", "data", "file", "vbscript", "about", "blob" ->
                        throw AppException.invalid(field + ": the " + scheme + ": scheme is not allowed");
                default -> {
                    // RFC 8252 §7.1: native apps may use a private-use scheme in reverse-domain form.
                    if (type != ClientType.NATIVE || !scheme.contains(".")) {
                        throw AppException.invalid(field + ": '" + s + "' must use https (or http on a loopback address"
                                + (type == ClientType.NATIVE ? ", or a private-use scheme such as com.example.app:/callback)" : ")"));
                    }
                }
            }
            out.add(s);
        }
        return new ArrayList<>(out);
    }

    /** The registered URI the presented one matches, if any. */
    public static boolean matches(List<String> registered, String presented, ClientType type) {
        if (presented == null) return false;
        for (String r : registered) {
            if (r.equals(presented)) return true;
            if (type == ClientType.NATIVE && sameLoopbackButPort(r, presented)) return true;
        }
        return false;
    }

    /** RFC 8252 §7.3: http on a loopback IP literal, same host, path and query; only the port may differ. */
    private static boolean sameLoopbackButPort(String registered, String presented) {
        try {
            URI r = new URI(registered);
            URI p = new URI(presented);
            // The scheme as registered (any case, RFC 3986 §3.1), the same on both.
            if (!"http".equalsIgnoreCase(r.getScheme()) || !r.getScheme().equals(p.getScheme())) return false;
            if (!isLoopbackHost(r.getHost()) || !r.getHost().equals(p.getHost())) return false;
            if (p.getRawUserInfo() != null || p.getRawFragment() != null) return false;
            if (p.getPort() != -1 && !validPort(p.getPort())) return false;
            String rest = presented.substring(presented.indexOf(p.getRawAuthority()) + p.getRawAuthority().length());
            String registeredRest = registered.substring(registered.indexOf(r.getRawAuthority()) + r.getRawAuthority().length());
            String expectedAuthority = p.getPort() == -1 ? r.getHost() : r.getHost() + ":" + p.getPort();
            return rest.equals(registeredRest) && p.getRawAuthority().equals(expectedAuthority);
        } catch (URISyntaxException | RuntimeException e) {
            return false;
        }
    }

    private static boolean validPort(int port) {
        return port >= 1 && port <= 65535;
    }

    private static boolean isLoopbackHost(String host) {
        return "127.0.0.1".equals(host) || "[::1]".equals(host);
    }
}
