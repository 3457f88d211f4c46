package dev.ostium.web;

import dev.ostium.oauth.OAuthProblem;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strictly read application/x-www-form-urlencoded body, as the OAuth endpoints require: right media
 * type, bounded size, well-formed encoding, and no parameter sent twice (RFC 6749 §3.2).
 */
public final class FormBody {

    public static final int MAX_BYTES = 64 * 1024;

    private final Map<String, String> params;
    private final String address;

    private FormBody(Map<String, String> params, String address) {
        this.params = params;
        this.address = address;
    }

    public static FormBody read(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().split(";")[0].trim().equals("application/x-www-form-urlencoded")) {
            throw OAuthProblem.invalidRequest("the body must be application/x-www-form-urlencoded");
        }
        // RFC 6749 §2.3: one authentication method per request; Authorization is not a list (RFC 9110 §11.6.2).
        if (RequestHeaders.repeated(ctx, "Authorization")) {
            throw OAuthProblem.invalidRequest("the Authorization header is sent more than once");
        }
        if (!ctx.queryParamMap().isEmpty()) {
            throw OAuthProblem.invalidRequest("parameters belong in the body, not the query string");
        }
        byte[] raw = body(ctx);
        if (raw.length > MAX_BYTES) throw OAuthProblem.invalidRequest("the body is larger than " + MAX_BYTES + " bytes");
        return parse(utf8(raw), ctx.ip());
    }

    /**
     * The body's bytes. One that declares its length and is within bounds is read at exactly that length:
     * the web framework's reader copies every body through an 8 KiB buffer, allocated for each request, which on
     * the token endpoint was a tenth of everything a request allocated. Any other body goes through that reader,
     * which also enforces the server-wide limit.
     */
    private static byte[] body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared < 0 || declared > MAX_BYTES) return ctx.bodyAsBytes();
        try {
            return ctx.req().getInputStream().readNBytes((int) declared);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True when form encoding (a query string or a form body) is well formed: valid percent escapes, and
     * names and values that are UTF-8. Decoders elsewhere replace what is not; this says whether they had to.
     */
    public static boolean wellFormed(byte[] encoded) {
        try {
            for (String pair : utf8(encoded).split("&")) {
                int eq = pair.indexOf('=');
                decode(eq < 0 ? pair : pair.substring(0, eq));
                if (eq >= 0) decode(pair.substring(eq + 1));
            }
            return true;
        } catch (OAuthProblem e) {
            return false;
        }
    }

    /**
     * The value of one parameter of form encoding that is not well formed elsewhere: present once, its name and
     * value ASCII and cleanly escaped. Empty otherwise. So a refusal can still give a parameter back exactly as it
     * was sent (an authorization request's {@code state}) when only other parameters are at fault.
     *
     * @param encoded the query or body, one character per byte
     */
    public static Optional<String> intactValue(String encoded, String name) {
        String found = null;
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            if (!ascii(rawName) || !name.equals(decodedOrNull(rawName))) continue;
            if (found != null || !ascii(rawValue)) return Optional.empty();
            found = decodedOrNull(rawValue);
            if (found == null) return Optional.empty();
        }
        return Optional.ofNullable(found);
    }

    /** One name or value of form encoding, decoded strictly (see {@link #decode}); invalid_request when it is not. */
    public static String decodeComponent(String s) {
        return decode(s);
    }

    private static String decodedOrNull(String s) {
        try {
            return decode(s);
        } catch (OAuthProblem malformed) {
            return null;
        }
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    static FormBody parse(String body, String address) {
        Map<String, String> out = new HashMap<>();
        if (body.isEmpty()) return new FormBody(out, address);
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.putIfAbsent(name, value) != null) {
                throw OAuthProblem.invalidRequest("parameter '" + name + "' is sent more than once");
            }
        }
        return new FormBody(out, address);
    }

    /**
     * Appendix B: names and values are UTF-8, percent-encoded, with {@code +} for a space. Bytes that are not
     * UTF-8 are refused, never replaced: a value must reach the grant exactly as the client sent it. The hex
     * digits of an escape are ASCII (RFC 3986 §2.1), and no parameter of ours may hold a NUL character, which no
     * database can store or compare.
     */
    private static String decode(String s) {
        String decoded = percentDecode(s);
        if (decoded.indexOf('\0') >= 0) throw OAuthProblem.invalidRequest("a parameter holds a NUL character");
        return decoded;
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) return s.replace('+', ' ');
        byte[] bytes = new byte[s.length() * 4];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                int hi = i + 2 < s.length() ? hex(s.charAt(i + 1)) : -1;
                int lo = hi < 0 ? -1 : hex(s.charAt(i + 2));
                if (lo < 0) throw OAuthProblem.invalidRequest("the body is not valid form encoding");
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                // Not percent-encoded, but the body was UTF-8: the character stands for itself.
                int cp = s.codePointAt(i);
                byte[] b = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, bytes, n, b.length);
                n += b.length;
                i += Character.charCount(cp) - 1;
            }
        }
        return utf8(java.util.Arrays.copyOf(bytes, n));
    }

    /** The value of an ASCII hex digit, or -1: other scripts' digits are no part of an escape. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Bytes as UTF-8 text, refused (invalid_request), never patched up, when they are not UTF-8. */
    public static String utf8(byte[] bytes) {
        // Form encoding is ASCII as a rule: that needs no decoder.
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(bytes, StandardCharsets.US_ASCII);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw OAuthProblem.invalidRequest("the body is not UTF-8");
        }
    }

    public String get(String name) {
        String v = params.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The address the request came from, for throttling failures per sender. */
    public String address() {
        return address;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** The parameters in the multi-valued shape the Nimbus parsers take. */
    public Map<String, List<String>> asMultiMap() {
        Map<String, List<String>> m = new HashMap<>();
        params.forEach((k, v) -> {
            if (!v.isEmpty()) m.put(k, List.of(v));
        });
        return m;
    }
}
